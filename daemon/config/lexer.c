// SPDX-License-Identifier: GPL-2.0-only
/*
 * lexer.c - lrugend.conf lexed by inih (lexer.h).
 *
 * inih splits every line: comment or blank, "[section]", "name = value"
 * (trimmed), or neither; its handler receives section, name and value.
 * What Debian 12's libinih (r55) leaves to its caller is done around it:
 *
 * - Line numbers. It is built without INI_HANDLER_LINENO, so its handler
 *   has none; our reader hands it one line per call and counts them.
 * - Lines longer than its 200-byte buffer (a pattern list easily is). The
 *   reader hands such a line in pieces, each after the first indented, so
 *   that inih reads them as the continuation lines of a multi-line value
 *   (INI_ALLOW_MULTILINE); the handler joins them into the whole value.
 *   Indentation in the file itself is therefore dropped first: an indented
 *   key stays a key.
 * - Comments after a value: '#' as well as ';', and on continuation lines
 *   too, where inih keeps them. A comment starts at '#' or ';' at the start
 *   of a line or after whitespace (patterns never contain whitespace).
 * - One message per bad line: inih returns the number of the first bad
 *   line only. After inih is done with a line (when the reader is asked
 *   for the next one), the line is settled: a key line inih passed to the
 *   handler becomes a key event, one it rejected an error naming the line.
 * - Section headers: inih calls no handler for a header (built without
 *   INI_CALL_HANDLER_ON_NEW_SECTION), keeps 49 bytes of its name and
 *   ignores text after ']', so a header is settled from the line itself,
 *   and the section inih hands the handler goes unused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "lexer.h"

struct lexer {
	const struct lrg_lex_ops *ops;
	void *user;
	const char *pos, *end;	/* the text not read yet */
	int lineno;
	char *line;		/* the current line, without indentation and comment */
	size_t line_len, line_size;
	size_t next;		/* offset in line of the piece inih gets next */
	bool glue;		/* that piece continues a word: join without a space */
	bool join_glue;		/* the piece inih has now continues a word */
	bool seen;		/* inih handed this line's key to the handler */
	char *key;		/* that key */
	char *value;		/* and its value, the pieces joined */
	size_t value_len, value_size;
	bool nomem;
};

__attribute__((format(printf, 3, 4)))
static void lex_error(struct lexer *x, bool header, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->ops->error(x->user, x->lineno, header, msg);
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* inih splits at ':' as well as '=', and takes any name; ours are words */
static bool is_key_line(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (!n || strncmp(line, key, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_key_char(key[i]))
			return false;
	line += n;
	while (isspace((unsigned char)*line))
		line++;
	return *line == '=';
}

static void settle_header(struct lexer *x, char *s)
{
	char *close = strchr(s, ']'), *name = s + 1, *end;

	if (!close) {
		lex_error(x, true, "missing ']' (expected [daemon] or [slice NAME])");
		return;
	}
	if (close[1]) {
		lex_error(x, true, "unexpected text after ']': '%s'", close + 1);
		return;
	}
	*close = '\0';
	while (isspace((unsigned char)*name))
		name++;
	for (end = close; end > name && isspace((unsigned char)end[-1]); end--)
		end[-1] = '\0';
	x->ops->section(x->user, x->lineno, name);
}

/* The current line, now that inih is done with it, becomes its event. */
static void settle(struct lexer *x)
{
	char *s = x->line;

	if (!s || !*s)
		return;
	if (*s == '[')
		settle_header(x, s);
	else if (x->seen && is_key_line(s, x->key))
		x->ops->key(x->user, x->lineno, x->key, x->value);
	else
		lex_error(x, false, "syntax error: '%s' (expected key = value, [daemon] or [slice NAME])", s);
	free(x->key);
	x->key = NULL;
	x->seen = false;
	x->value_len = 0;
}

/* Drop what inih must not see: indentation (it would make the line a
 * continuation), a comment, trailing whitespace. */
static void normalise(struct lexer *x)
{
	char *s = x->line, *e;

	if (x->lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	for (e = s; *e; e++) {
		if ((*e == '#' || *e == ';') && (e == s || isspace((unsigned char)e[-1]))) {
			*e = '\0';
			break;
		}
	}
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	x->line_len = (size_t)(e - s);
	memmove(x->line, s, x->line_len + 1);
	x->next = 0;
	x->glue = false;
}

/* Read the next line of the text into x->line; false at the end. */
static bool next_line(struct lexer *x)
{
	const char *eol;
	size_t len;

	if (x->pos >= x->end)
		return false;
	eol = memchr(x->pos, '\n', (size_t)(x->end - x->pos));
	len = eol ? (size_t)(eol - x->pos) : (size_t)(x->end - x->pos);
	if (len + 1 > x->line_size) {
		char *b = realloc(x->line, len + 1);

		if (!b) {
			x->nomem = true;
			return false;
		}
		x->line = b;
		x->line_size = len + 1;
	}
	memcpy(x->line, x->pos, len);
	x->line[len] = '\0';
	x->pos = eol ? eol + 1 : x->end;
	x->lineno++;
	if (memchr(x->line, '\0', len)) {
		lex_error(x, false, "NUL byte in line (expected a text file)");
		x->line[0] = '\0';
	}
	normalise(x);
	return true;
}

/* How much of s (left bytes) the next piece takes, at most room. The
 * first piece keeps "name =" whole; the others end at a space if one fits. */
static size_t piece_len(const char *s, size_t left, size_t room, bool first)
{
	const char *eq = first ? memchr(s, '=', left < room ? left : room) : NULL;
	size_t min = eq ? (size_t)(eq - s) + 1 : 1;

	if (left <= room)
		return left;
	for (size_t k = room; k > min; k--)
		if (isspace((unsigned char)s[k]))
			return k;
	return room;
}

/* Hand inih the next piece of the current line, "\n"-terminated, in room
 * bytes; a piece after the first is indented, which makes it a
 * continuation line. */
static char *hand_piece(struct lexer *x, char *str, size_t room)
{
	const char *s = x->line + x->next;
	bool first = x->next == 0;
	size_t n, o = 0;

	if (!first) {
		str[o++] = ' ';
		room--;
	}
	n = piece_len(s, x->line_len - x->next, room, first);
	memcpy(str + o, s, n);
	o += n;
	str[o++] = '\n';
	str[o] = '\0';
	x->next += n;
	x->join_glue = x->glue;
	x->glue = n && x->next < x->line_len && !isspace((unsigned char)s[n - 1]) &&
		  !isspace((unsigned char)s[n]);
	while (x->next < x->line_len && isspace((unsigned char)x->line[x->next]))
		x->next++;
	return str;
}

/* inih's fgets: one line of the file per call, or one piece of it. */
static char *reader(char *str, int num, void *stream)
{
	struct lexer *x = stream;
	size_t room = num > 3 ? (size_t)num - 2 : 0;	/* "\n", NUL */

	if (!room || x->nomem)
		return NULL;
	/* the rest of a line inih rejected would look like a continuation of
	 * the previous key: it is dropped, the line is an error anyway */
	if (x->next < x->line_len && x->seen)
		return hand_piece(x, str, room);
	settle(x);
	if (!next_line(x))
		return NULL;
	return hand_piece(x, str, room);
}

static bool value_append(struct lexer *x, const char *s, bool space)
{
	size_t n = strlen(s), need = x->value_len + n + 2;

	if (need > x->value_size) {
		char *b = realloc(x->value, need);

		if (!b)
			return false;
		x->value = b;
		x->value_size = need;
	}
	if (space && x->value_len && n)
		x->value[x->value_len++] = ' ';
	memcpy(x->value + x->value_len, s, n + 1);
	x->value_len += n;
	return true;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct lexer *x = user;
	bool first = !x->seen;

	(void)section;	/* see the comment at the top */
	if (first) {
		x->key = strdup(name);
		x->value_len = 0;
		x->seen = x->key != NULL;
	}
	if (!x->key || !value_append(x, value ? value : "", !x->join_glue))
		x->nomem = true;
	return 1;
}

int lrg_lex(const char *text, size_t len, const struct lrg_lex_ops *ops, void *user)
{
	struct lexer x = { .ops = ops, .user = user, .pos = text, .end = text + len };
	int r;

	r = ini_parse_stream(reader, &x, handler, &x);
	free(x.line);
	free(x.key);
	free(x.value);
	if (x.nomem || r == -2)
		return -ENOMEM;
	/* a positive r is the first line inih rejected: each one is reported */
	return r < 0 ? -EIO : 0;
}
