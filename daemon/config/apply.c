// SPDX-License-Identifier: GPL-2.0-only
/*
 * apply.c - the loader: sources applied one on top of the other, later
 * wins key by key (config_int.h).
 *
 * The lexer's events land here: a section header selects [daemon], [slice
 * *] or a slice (made on first sight), a key is looked up in the schema of
 * that section and its value parsed into it. Every message names
 * file:line, the section and the key.
 *
 * A slice key a slice never sets is taken from [slice *] as it stands after
 * every layer, so a drop-in changing [slice *] also changes the slices that
 * leave that key alone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "lexer.h"
#include "schema.h"

/* "file:line: [section] key: msg"; the section part is left out outside one */
static void at_msg(struct lrg_loader *l, enum lrg_diag_level level, const char *key,
		   const char *msg)
{
	if (l->sec == LRG_SEC_NONE)
		lrg_diag_add(l->diag, level, "%s:%d: %s%s%s", l->file, l->lineno,
			     key ? key : "", key ? ": " : "", msg);
	else
		lrg_diag_add(l->diag, level, "%s:%d: [%s] %s%s%s", l->file, l->lineno, l->sec_text,
			     key ? key : "", key ? ": " : "", msg);
}

__attribute__((format(printf, 4, 5)))
static void at(struct lrg_loader *l, enum lrg_diag_level level, const char *key, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	at_msg(l, level, key, msg);
}

static void report_value(void *ctx, enum lrg_diag_level level, const char *key, const char *msg)
{
	at_msg(ctx, level, key, msg);
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* The slice called name, made on first sight; it remembers where it was
 * last opened. */
static void open_slice(struct lrg_loader *l, const char *name)
{
	struct lrg_work_slice *ws;

	l->sec = LRG_SEC_SLICE;
	for (l->cur = 0; l->cur < l->nr_ws; l->cur++)
		if (!strcmp(l->ws[l->cur].c.name, name))
			break;
	if (l->cur == l->nr_ws) {
		ws = realloc(l->ws, (l->nr_ws + 1) * sizeof(*ws));
		if (!ws) {
			l->nomem = true;
			l->sec = LRG_SEC_IGNORED;
			return;
		}
		l->ws = ws;
		ws += l->nr_ws++;
		memset(ws, 0, sizeof(*ws));
		strcpy(ws->c.name, name);
	}
	ws = &l->ws[l->cur];
	snprintf(ws->c.file, sizeof(ws->c.file), "%s", l->file);
	ws->c.line = l->lineno;
}

static void on_section(void *user, int lineno, const char *name)
{
	struct lrg_loader *l = user;

	l->lineno = lineno;
	l->sec = LRG_SEC_NONE;	/* until the header is known to be good */
	snprintf(l->sec_text, sizeof(l->sec_text), "%s", name);
	if (!strcmp(name, "daemon")) {
		l->sec = LRG_SEC_DAEMON;
		return;
	}
	if (strncmp(name, "slice", 5) || (name[5] && !isspace((unsigned char)name[5]))) {
		at(l, LRG_DIAG_WARNING, NULL, "unknown section [%s], its keys are ignored (expected [daemon] or [slice NAME])", name);
		l->sec = LRG_SEC_IGNORED;
		return;
	}
	for (name += 5; isspace((unsigned char)*name); name++)
		;
	if (!*name) {
		at(l, LRG_DIAG_ERROR, NULL, "[%s] needs a name (expected [slice NAME])", l->sec_text);
		l->sec = LRG_SEC_IGNORED;
		return;
	}
	if (has_space(name) || strlen(name) >= sizeof(l->defaults.name)) {
		at(l, LRG_DIAG_ERROR, NULL, "[%s]: a slice name has no spaces and at most %zu characters",
		   l->sec_text, sizeof(l->defaults.name) - 1);
		l->sec = LRG_SEC_IGNORED;
		return;
	}
	snprintf(l->sec_text, sizeof(l->sec_text), "slice %s", name);
	if (!strcmp(name, "*"))
		l->sec = LRG_SEC_DEFAULTS;
	else
		open_slice(l, name);
}

static void set_daemon_key(struct lrg_loader *l, const char *name, const char *value)
{
	const struct lrg_report rep = { report_value, l };
	const struct lrg_key *k = lrg_key_find(lrg_daemon_keys, lrg_nr_daemon_keys, name);

	if (!k) {
		at(l, LRG_DIAG_WARNING, name, "unknown key, ignored%s",
		   lrg_key_find(lrg_slice_keys, lrg_nr_slice_keys, name) ?
		   " (it belongs in a [slice NAME] section)" : "");
		return;
	}
	if (k->kind == LRG_K_PROFILE && l->in_profile) {
		at(l, LRG_DIAG_ERROR, name, "a profile cannot select a profile");
		return;
	}
	if (lrg_key_set(k, &l->daemon, value, &rep) == -ENOMEM)
		l->nomem = true;
}

static void set_slice_key(struct lrg_loader *l, const char *name, const char *value)
{
	const struct lrg_report rep = { report_value, l };
	const struct lrg_key *k = lrg_key_find(lrg_slice_keys, lrg_nr_slice_keys, name);
	struct lrg_slice_config *s;
	int r;

	if (!k) {
		at(l, LRG_DIAG_WARNING, name, "unknown key, ignored%s",
		   lrg_key_find(lrg_daemon_keys, lrg_nr_daemon_keys, name) ?
		   " (it belongs in [daemon])" : "");
		return;
	}
	if (l->sec == LRG_SEC_DEFAULTS && k->kind == LRG_K_MATCH) {
		at(l, LRG_DIAG_ERROR, name, "[slice *] has no match: it is for the cgroups no slice matches");
		return;
	}
	s = l->sec == LRG_SEC_DEFAULTS ? &l->defaults : &l->ws[l->cur].c;
	r = lrg_key_set(k, s, value, &rep);
	if (r == -ENOMEM)
		l->nomem = true;
	if (r)
		return;
	if (l->sec == LRG_SEC_SLICE)
		l->ws[l->cur].set |= 1u << (k - lrg_slice_keys);
	snprintf(s->file, sizeof(s->file), "%s", l->file);
	s->line = l->lineno;
}

static void on_key(void *user, int lineno, const char *name, const char *value)
{
	struct lrg_loader *l = user;

	l->lineno = lineno;
	switch (l->sec) {
	case LRG_SEC_IGNORED:
		return;
	case LRG_SEC_NONE:
		at(l, LRG_DIAG_WARNING, name, "key outside any section, ignored (expected after [daemon] or [slice NAME])");
		return;
	case LRG_SEC_DAEMON:
		set_daemon_key(l, name, value);
		return;
	case LRG_SEC_DEFAULTS:
	case LRG_SEC_SLICE:
		set_slice_key(l, name, value);
		return;
	}
}

static void on_error(void *user, int lineno, bool header, const char *msg)
{
	struct lrg_loader *l = user;

	l->lineno = lineno;
	if (header)
		l->sec = LRG_SEC_NONE;	/* the old section is not what is wrong */
	at_msg(l, LRG_DIAG_ERROR, NULL, msg);
	if (header)
		l->sec = LRG_SEC_IGNORED;
}

void lrg_loader_apply(struct lrg_loader *l, const char *file, const char *text, size_t len)
{
	static const struct lrg_lex_ops ops = { on_section, on_key, on_error };
	int r;

	l->file = file;
	l->lineno = 0;
	l->sec = LRG_SEC_NONE;
	l->sec_text[0] = '\0';
	r = lrg_lex(text, len, &ops, l);
	if (r == -ENOMEM)
		l->nomem = true;
	else if (r < 0)
		lrg_diag_add(l->diag, LRG_DIAG_ERROR, "%s: cannot parse: %s", file, strerror(-r));
}

void lrg_loader_init(struct lrg_loader *l, struct lrg_diag *diag)
{
	memset(l, 0, sizeof(*l));
	l->daemon = lrg_base_daemon;
	l->defaults = lrg_base_slice;
	l->diag = diag;
}

void lrg_loader_free(struct lrg_loader *l)
{
	lrg_patterns_free(&l->daemon.protect);
	lrg_slice_config_free(&l->defaults);
	for (size_t i = 0; i < l->nr_ws; i++)
		lrg_slice_config_free(&l->ws[i].c);
	free(l->ws);
}

/* Fill the keys a slice never set from the final [slice *]. */
static int fill_unset(struct lrg_slice_config *s, unsigned int set,
		      const struct lrg_slice_config *d)
{
	for (size_t i = 0; i < lrg_nr_slice_keys; i++) {
		const struct lrg_key *k = &lrg_slice_keys[i];

		if (set & (1u << i))
			continue;
		if (k->kind == LRG_K_MATCH)	/* a slice matches its own name */
			snprintf(s->match, sizeof(s->match), "%s", s->name);
		else if (lrg_key_copy(k, s, d))
			return -ENOMEM;
	}
	return 0;
}

int lrg_loader_finish(struct lrg_loader *l, struct lrg_config *ret)
{
	struct lrg_config c = { 0 };

	c.daemon = l->daemon;
	memset(&c.daemon.protect, 0, sizeof(c.daemon.protect));
	if (lrg_patterns_dup(&l->daemon.protect, &c.daemon.protect) ||
	    lrg_slice_config_dup(&l->defaults, &c.defaults))
		goto nomem;
	if (l->nr_ws) {
		c.slices = calloc(l->nr_ws, sizeof(*c.slices));
		if (!c.slices)
			goto nomem;
	}
	for (; c.nr_slices < l->nr_ws; c.nr_slices++) {
		struct lrg_slice_config *s = &c.slices[c.nr_slices];

		if (lrg_slice_config_dup(&l->ws[c.nr_slices].c, s))
			goto nomem;
		if (fill_unset(s, l->ws[c.nr_slices].set, &l->defaults)) {
			c.nr_slices++;	/* so it is freed */
			goto nomem;
		}
	}
	*ret = c;
	return 0;
nomem:
	lrg_config_free(&c);
	return -ENOMEM;
}
