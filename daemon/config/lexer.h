/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lexer.h - the lines of an lrugend.conf, lexed by inih, each event with
 * its line number.
 */
#ifndef LRG_CONFIG_LEXER_H
#define LRG_CONFIG_LEXER_H

#include <stdbool.h>
#include <stddef.h>

/* Called in file order, one event per line that is not blank or a comment. */
struct lrg_lex_ops {
	/* "[name]": name is the text between the brackets, trimmed */
	void (*section)(void *user, int lineno, const char *name);
	/* "key = value": the whole value, however long the line */
	void (*key)(void *user, int lineno, const char *key, const char *value);
	/* A line that is neither; msg says what is wrong and what was expected.
	 * header: the line starts with '[', so the section it opens is broken. */
	void (*error)(void *user, int lineno, bool header, const char *msg);
};

/* Lex len bytes of text (no NUL terminator needed). Returns 0 once every
 * line has had its event, -ENOMEM if memory ran out (lexing stops there),
 * -EIO if inih failed otherwise. */
int lrg_lex(const char *text, size_t len, const struct lrg_lex_ops *ops, void *user);

#endif /* LRG_CONFIG_LEXER_H */
