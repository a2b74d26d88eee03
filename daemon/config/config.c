// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - lrugend.conf: read, layer, check, match and print.
 *
 * Layers, later wins key by key: a built-in base (below), the profile named
 * by `profile =` (the embedded conf/profiles/NAME.conf, desktop if none is
 * named), the main file, then the drop-ins in strcmp order. The profile must
 * be known before the files are applied, so the files are parsed twice: once
 * into a scratch loader only to learn which profile they name, then for real
 * on top of that profile.
 *
 * A slice key a slice never sets is taken from [slice *] as it stands after
 * every layer, so a drop-in changing [slice *] also changes the slices that
 * leave that key alone.
 *
 * inih splits lines, but we feed it through our own reader: Debian builds
 * inih without INI_HANDLER_LINENO, and its own count goes wrong on lines
 * longer than its 200-byte buffer (it splits them). The reader counts
 * lines, checks the syntax of each so every bad line is reported (inih
 * reports only the first), strips indentation (so an indented line is never
 * taken as a continuation of the previous value) and "#" comments, and
 * hands an over-long value to the handler itself.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config_profiles.h"
#include "lrg_config.h"

#define MAX_FILE_SIZE (1 << 20)	/* a config file, not a data set */
#define LONG_VALUE "\x01"	/* stands for l->long_value in inih's buffer */
#define DEFAULT_PROFILE "desktop"

/* The safety net under every profile; each profile sets all of these. */
static const struct lrg_daemon_config base_daemon = {
	.backend = "auto",
	.profile = DEFAULT_PROFILE,
	.dry_run = false,
	.poll_interval_ms = 200,
	.tick_budget_ms = 50,
	.kill_timeout_ms = 3000,
	.enable_mglru = true,
	.mount_debugfs = false,
	.notify_desktop = false,
};

static const struct lrg_slice_config base_slice = {
	.name = "*",
	.match = "*",
	.min_ttl_ms = 0,
	.swappiness = -1,
	.aging_interval_ms = 1000,
	.evict = true,
	.evict_min_age_ms = 0,
	.refault_ceiling_pct = 0,
	.oom = LRG_OOM_PROCESS,
};

static const char *const backend_names[] = { "auto", "kmod", "mglru", "proc", "sim", NULL };
static const char *const oom_names[] = {
	[LRG_OOM_PROCESS] = "process", [LRG_OOM_CGROUP] = "cgroup", [LRG_OOM_NEVER] = "never", NULL
};

enum kind {
	K_BOOL,		/* bool */
	K_DURATION,	/* uint32_t ms, suffix ms/s/min allowed */
	K_INT,		/* int */
	K_PCT,		/* uint32_t */
	K_OOM,		/* enum lrg_oom_policy */
	K_PATTERNS,	/* struct lrg_patterns */
	K_MATCH,	/* char[256] glob */
	K_BACKEND,	/* char[16] from backend_names */
	K_PROFILE,	/* char[32] naming an embedded profile */
};

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	long long min, max;
};

#define DK(n, k, f, lo, hi) { n, k, offsetof(struct lrg_daemon_config, f), lo, hi }
static const struct key daemon_keys[] = {
	DK("backend", K_BACKEND, backend, 0, 0),
	DK("profile", K_PROFILE, profile, 0, 0),
	DK("dry_run", K_BOOL, dry_run, 0, 0),
	DK("poll_interval_ms", K_DURATION, poll_interval_ms, 10, 60000),
	DK("tick_budget_ms", K_DURATION, tick_budget_ms, 1, 60000),
	DK("kill_timeout_ms", K_DURATION, kill_timeout_ms, 100, 600000),
	DK("enable_mglru", K_BOOL, enable_mglru, 0, 0),
	DK("mount_debugfs", K_BOOL, mount_debugfs, 0, 0),
	DK("notify_desktop", K_BOOL, notify_desktop, 0, 0),
	DK("protect", K_PATTERNS, protect, 0, 0),
};

/* The index in this table is the key's bit in work_slice.set. */
#define SK(n, k, f, lo, hi) { n, k, offsetof(struct lrg_slice_config, f), lo, hi }
static const struct key slice_keys[] = {
	SK("match", K_MATCH, match, 0, 0),
	SK("min_ttl_ms", K_DURATION, min_ttl_ms, 0, 3600000),
	SK("swappiness", K_INT, swappiness, -1, 200),
	SK("aging_interval_ms", K_DURATION, aging_interval_ms, 100, 3600000),
	SK("evict", K_BOOL, evict, 0, 0),
	SK("evict_min_age_ms", K_DURATION, evict_min_age_ms, 0, 86400000),
	SK("refault_ceiling_pct", K_PCT, refault_ceiling_pct, 0, 100),
	SK("oom", K_OOM, oom, 0, 0),
	SK("prefer", K_PATTERNS, prefer, 0, 0),
	SK("avoid", K_PATTERNS, avoid, 0, 0),
	SK("protect", K_PATTERNS, protect, 0, 0),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct work_slice {
	struct lrg_slice_config c;
	unsigned int set;	/* bit i: slice_keys[i] set by some layer */
};

enum section { SEC_NONE, SEC_DAEMON, SEC_DEFAULTS, SEC_SLICE, SEC_IGNORED };

struct loader {
	struct lrg_daemon_config daemon;
	struct lrg_slice_config defaults;
	struct work_slice *ws;
	size_t nr_ws;
	struct lrg_diag *diag;
	int nomem;
	bool in_profile;	/* parsing an embedded profile */

	/* the source being parsed */
	const char *file;
	const char *pos, *end;
	int lineno;
	char *linebuf;
	size_t linebuf_size;
	char *long_value;	/* value of the current line if it did not fit inih */
	enum section sec;
	char sec_text[80];	/* "daemon", "slice NAME": for messages */
	size_t cur;		/* index in ws when sec == SEC_SLICE */
};

/* ---- diagnostics ---------------------------------------------------- */

__attribute__((format(printf, 3, 0)))
static void diag_vadd(struct lrg_diag *d, enum lrg_diag_level lvl, const char *fmt, va_list ap)
{
	struct lrg_diag_entry *e;

	/* counted even if the entry cannot be stored, so a load still fails */
	if (lvl == LRG_DIAG_ERROR)
		d->nr_errors++;
	e = realloc(d->entries, (d->n + 1) * sizeof(*e));
	if (!e)
		return;
	d->entries = e;
	e += d->n++;
	e->level = lvl;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

__attribute__((format(printf, 3, 4)))
static void diag_add(struct lrg_diag *d, enum lrg_diag_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, lvl, fmt, ap);
	va_end(ap);
}

/* "file:line: [section] key: msg"; the section part is left out outside one */
__attribute__((format(printf, 4, 5)))
static void at(struct loader *l, enum lrg_diag_level lvl, const char *key, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->sec == SEC_NONE)
		diag_add(l->diag, lvl, "%s:%d: %s%s%s", l->file, l->lineno,
			 key ? key : "", key ? ": " : "", msg);
	else
		diag_add(l->diag, lvl, "%s:%d: [%s] %s%s%s", l->file, l->lineno, l->sec_text,
			 key ? key : "", key ? ": " : "", msg);
}

void lrg_diag_free(struct lrg_diag *d)
{
	free(d->entries);
	d->entries = NULL;
	d->n = d->nr_errors = 0;
}

void lrg_diag_print(const struct lrg_diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s: %s\n", d->entries[i].level == LRG_DIAG_ERROR ? "error" : "warning",
			d->entries[i].msg);
}

/* ---- patterns --------------------------------------------------------- */

static void patterns_free(struct lrg_patterns *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->pats[i]);
	free(p->pats);
	p->pats = NULL;
	p->n = 0;
}

static int patterns_dup(const struct lrg_patterns *src, struct lrg_patterns *ret)
{
	struct lrg_patterns p = { 0 };

	if (src->n) {
		p.pats = calloc(src->n, sizeof(*p.pats));
		if (!p.pats)
			return -ENOMEM;
		for (; p.n < src->n; p.n++) {
			p.pats[p.n] = strdup(src->pats[p.n]);
			if (!p.pats[p.n]) {
				patterns_free(&p);
				return -ENOMEM;
			}
		}
	}
	*ret = p;
	return 0;
}

static size_t literal_chars(const char *glob)
{
	size_t n = 0;

	for (const char *s = glob; *s; s++) {
		if (*s == '*' || *s == '?')
			continue;
		if (*s == '[') {
			const char *close = strchr(s + 2, ']');

			if (close) {	/* a bracket expression is a wildcard */
				s = close;
				continue;
			}
		}
		if (*s == '\\' && s[1])
			s++;
		n++;
	}
	return n;
}

/*
 * How deep in cgroup path `path` the glob names a cgroup: 0 if nowhere,
 * else the number of components of the deepest ancestor-or-self it names.
 * A glob containing '/' is matched, with FNM_PATHNAME ('*' stops at '/'),
 * against each ancestor's full path ("/user.slice", "/user.slice/user-1000.slice",
 * ...); one without '/' against each component's name ("user.slice",
 * "app-firefox.scope"), which is how systemd unit names appear in the tree.
 * A glob naming an ancestor covers its whole subtree.
 */
static int glob_depth(const char *glob, const char *path)
{
	bool is_path = strchr(glob, '/');
	size_t len = strlen(path);
	char *buf = malloc(len + 2);
	int depth = 0, i = 0;
	size_t o = 0;

	if (!buf)
		return 0;
	/* normalise: one leading '/', no empty components */
	for (const char *s = path; *s;) {
		const char *c;
		size_t start, clen;
		char saved;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		c = s;
		while (*s && *s != '/')
			s++;
		clen = (size_t)(s - c);
		buf[o++] = '/';
		start = o;
		memcpy(buf + o, c, clen);
		o += clen;
		i++;
		saved = buf[o];
		buf[o] = '\0';
		if (is_path ? !fnmatch(glob, buf, FNM_PATHNAME) : !fnmatch(glob, buf + start, 0))
			depth = i;
		buf[o] = saved;
	}
	/* the root has no component, so it always gets [slice *] */
	free(buf);
	return depth;
}

static bool glob_names(const char *glob, const char *str, bool is_cgroup)
{
	const char *base;

	if (!str)
		return false;
	if (is_cgroup)
		return glob_depth(glob, str) > 0;
	/* an exe glob without '/' is compared with the file name, so "exe:bash"
	 * matches /usr/bin/bash; with '/', '*' may span directories */
	base = strrchr(str, '/');
	if (!strchr(glob, '/') && base)
		str = base + 1;
	return !fnmatch(glob, str, 0);
}

bool lrg_patterns_match(const struct lrg_patterns *p, const char *comm,
			const char *exe, const char *cgroup)
{
	if (!p)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		const char *pat = p->pats[i];

		if (!strncmp(pat, "comm:", 5)) {
			if (comm && !fnmatch(pat + 5, comm, 0))
				return true;
		} else if (!strncmp(pat, "exe:", 4)) {
			if (glob_names(pat + 4, exe, false))
				return true;
		} else if (!strncmp(pat, "cgroup:", 7)) {
			if (glob_names(pat + 7, cgroup, true))
				return true;
		} else if ((comm && !fnmatch(pat, comm, 0)) || glob_names(pat, exe, false) ||
			   glob_names(pat, cgroup, true)) {
			return true;
		}
	}
	return false;
}

/*
 * Which slice governs a cgroup. Every slice whose match names the cgroup or
 * one of its ancestors applies (see glob_depth); the most specific wins:
 *   1. the one naming the deepest cgroup (the cgroup itself beats its
 *      parent, so "app-*.scope" beats "user.slice" for an app's scope);
 *   2. then the glob with more literal (non-wildcard) characters, so
 *      "app-firefox*.scope" beats "app-*.scope";
 *   3. then the later section, as everywhere else in the file.
 * No slice applying, or the root cgroup: [slice *].
 */
const struct lrg_slice_config *lrg_config_match(const struct lrg_config *c,
						const char *cgroup_path)
{
	const struct lrg_slice_config *best = &c->defaults;
	int best_depth = 0;
	size_t best_lit = 0;

	if (!cgroup_path)
		return best;
	for (size_t i = 0; i < c->nr_slices; i++) {
		const struct lrg_slice_config *s = &c->slices[i];
		int d = glob_depth(s->match, cgroup_path);
		size_t lit;

		if (!d || d < best_depth)
			continue;
		lit = literal_chars(s->match);
		if (d == best_depth && lit < best_lit)
			continue;
		best = s;
		best_depth = d;
		best_lit = lit;
	}
	return best;
}

/* ---- values ------------------------------------------------------------ */

static bool parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*ret = true;
			return true;
		}
		if (!strcasecmp(v, no[i])) {
			*ret = false;
			return true;
		}
	}
	return false;
}

/* Leading digits of s as a number; false on none or on overflow (*ovf). */
static bool parse_digits(const char **s, unsigned long long *ret, bool *ovf)
{
	unsigned long long v = 0;
	const char *p = *s;

	*ovf = false;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (~0ULL - 9) / 10)
			*ovf = true;
		else
			v = v * 10 + (unsigned long long)(*p - '0');
	}
	*s = p;
	*ret = v;
	return !*ovf;
}

static int set_number(struct loader *l, const struct key *k, void *field, const char *v)
{
	const char *p = v;
	unsigned long long u = 0, mult = 1;
	bool neg = false, ovf = false;
	long long n;

	if (k->kind == K_INT && *p == '-') {
		neg = true;
		p++;
	}
	if (!parse_digits(&p, &u, &ovf) && !ovf)
		goto bad;
	if (k->kind == K_DURATION) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strcmp(p, "s"))
			mult = 1000;
		else if (!strcmp(p, "min"))
			mult = 60000;
		else if (*p && strcmp(p, "ms"))
			goto bad;
		p += strlen(p);
	}
	if (*p)
		goto bad;
	if (ovf || u > (unsigned long long)k->max / mult + 1)
		goto range;
	n = (long long)(u * mult);
	if (neg)
		n = -n;
	if (n < k->min || n > k->max)
		goto range;
	if (k->kind == K_INT)
		*(int *)field = (int)n;
	else
		*(uint32_t *)field = (uint32_t)n;
	return 0;
range:
	at(l, LRG_DIAG_ERROR, k->name, "'%s' is out of range (allowed %lld..%lld%s)", v,
	   k->min, k->max, k->kind == K_DURATION ? " ms" : k->kind == K_PCT ? " %" : "");
	return -EINVAL;
bad:
	if (k->kind == K_DURATION)
		at(l, LRG_DIAG_ERROR, k->name,
		   "'%s' is not a duration (expected whole milliseconds, optionally with suffix ms, s or min, in %lld..%lld ms)",
		   v, k->min, k->max);
	else
		at(l, LRG_DIAG_ERROR, k->name, "'%s' is not a whole number (expected %lld..%lld)",
		   v, k->min, k->max);
	return -EINVAL;
}

static int choice(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (!strcasecmp(names[i], v))
			return i;
	return -1;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* Check one pattern; error (false) or warning about it. */
static bool check_pattern(struct loader *l, const char *key, const char *pat)
{
	const char *colon = strchr(pat, ':'), *glob = pat;
	bool letters = colon && colon > pat;

	for (const char *s = pat; letters && s < colon; s++)
		if (!isalpha((unsigned char)*s))
			letters = false;
	/* "com:x" is a typo, not a comm named "com:x"; "comm:a:b" still works */
	if (letters) {
		size_t n = (size_t)(colon - pat) + 1;

		if (strncmp(pat, "comm:", n) && strncmp(pat, "exe:", n) && strncmp(pat, "cgroup:", n)) {
			at(l, LRG_DIAG_ERROR, key,
			   "'%s': unknown prefix '%.*s' (expected comm:, exe: or cgroup:)",
			   pat, (int)n, pat);
			return false;
		}
		glob = colon + 1;
	}
	if (!*glob) {
		at(l, LRG_DIAG_ERROR, key, "'%s': empty pattern after the prefix", pat);
		return false;
	}
	/* the kernel truncates comm to 15 bytes: a longer literal never matches */
	if (!strncmp(pat, "comm:", 5) && strlen(glob) > 15 && !strpbrk(glob, "*?["))
		at(l, LRG_DIAG_WARNING, key,
		   "'%s' can never match: comm is at most 15 characters (use '%.15s*' or exe:)",
		   pat, glob);
	return true;
}

/* Space-separated list; replaces the old list (later wins), "" clears it. */
static int set_patterns(struct loader *l, const struct key *k, struct lrg_patterns *field,
			const char *v)
{
	struct lrg_patterns p = { 0 };
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char **pats;

		if (!check_pattern(l, k->name, tok)) {
			r = -EINVAL;
			continue;
		}
		pats = realloc(p.pats, (p.n + 1) * sizeof(*pats));
		if (!pats) {
			r = -ENOMEM;
			break;
		}
		p.pats = pats;
		p.pats[p.n] = strdup(tok);
		if (!p.pats[p.n]) {
			r = -ENOMEM;
			break;
		}
		p.n++;
	}
	free(copy);
	if (r) {
		patterns_free(&p);
		return r;
	}
	patterns_free(field);
	*field = p;
	return 0;
}

static int set_value(struct loader *l, const struct key *k, void *base, const char *v)
{
	void *field = (char *)base + k->off;
	int i;

	switch (k->kind) {
	case K_BOOL:
		if (!parse_bool(v, field)) {
			at(l, LRG_DIAG_ERROR, k->name,
			   "'%s' is not a boolean (expected yes/no, true/false, on/off or 1/0)", v);
			return -EINVAL;
		}
		return 0;
	case K_DURATION:
	case K_INT:
	case K_PCT:
		return set_number(l, k, field, v);
	case K_OOM:
		i = choice(oom_names, v);
		if (i < 0) {
			at(l, LRG_DIAG_ERROR, k->name, "'%s' is not valid (expected process, cgroup or never)", v);
			return -EINVAL;
		}
		*(enum lrg_oom_policy *)field = (enum lrg_oom_policy)i;
		return 0;
	case K_PATTERNS:
		return set_patterns(l, k, field, v);
	case K_MATCH:
		if (!*v || has_space(v) || strlen(v) >= sizeof(base_slice.match)) {
			at(l, LRG_DIAG_ERROR, k->name,
			   "'%s' is not valid (expected one glob without spaces, at most %zu characters)",
			   v, sizeof(base_slice.match) - 1);
			return -EINVAL;
		}
		if (strchr(v, '/') && v[0] != '/') {
			at(l, LRG_DIAG_ERROR, k->name,
			   "'%s': a glob with '/' is matched against cgroup paths, which start with '/' (expected '/%s' or a unit name without '/')",
			   v, v);
			return -EINVAL;
		}
		strcpy(field, v);
		return 0;
	case K_BACKEND:
		i = choice(backend_names, v);
		if (i < 0) {
			at(l, LRG_DIAG_ERROR, k->name, "'%s' is not valid (expected auto, kmod, mglru, proc or sim)", v);
			return -EINVAL;
		}
		strcpy(field, backend_names[i]);
		return 0;
	case K_PROFILE:
		if (l->in_profile) {
			at(l, LRG_DIAG_ERROR, k->name, "a profile cannot select a profile");
			return -EINVAL;
		}
		for (i = 0; lrg_profile_texts[i].name; i++)
			if (!strcmp(lrg_profile_texts[i].name, v))
				break;
		if (!lrg_profile_texts[i].name) {
			at(l, LRG_DIAG_ERROR, k->name, "'%s' is not valid (expected desktop, laptop-hdd or server)", v);
			return -EINVAL;
		}
		strcpy(field, lrg_profile_texts[i].name);
		return 0;
	}
	return -EINVAL;
}

static const struct key *find_key(const struct key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* ---- sections, lines, keys -------------------------------------------- */

static void open_section(struct loader *l, char *name)
{
	char *end = name + strlen(name);
	struct work_slice *ws;

	while (isspace((unsigned char)*name))
		name++;
	while (end > name && isspace((unsigned char)end[-1]))
		*--end = '\0';
	snprintf(l->sec_text, sizeof(l->sec_text), "%s", name);
	if (!strcmp(name, "daemon")) {
		l->sec = SEC_DAEMON;
		return;
	}
	if (strncmp(name, "slice", 5) || (name[5] && !isspace((unsigned char)name[5]))) {
		l->sec = SEC_NONE;	/* the message names the section itself */
		at(l, LRG_DIAG_WARNING, NULL, "unknown section [%s], its keys are ignored (expected [daemon] or [slice NAME])", name);
		l->sec = SEC_IGNORED;
		return;
	}
	name += 5;
	while (isspace((unsigned char)*name))
		name++;
	l->sec = SEC_NONE;
	if (!*name) {
		at(l, LRG_DIAG_ERROR, NULL, "[%s] needs a name (expected [slice NAME])", l->sec_text);
		l->sec = SEC_IGNORED;
		return;
	}
	if (has_space(name) || strlen(name) >= sizeof(base_slice.name)) {
		at(l, LRG_DIAG_ERROR, NULL, "[%s]: a slice name has no spaces and at most %zu characters",
		   l->sec_text, sizeof(base_slice.name) - 1);
		l->sec = SEC_IGNORED;
		return;
	}
	snprintf(l->sec_text, sizeof(l->sec_text), "slice %s", name);
	if (!strcmp(name, "*")) {
		l->sec = SEC_DEFAULTS;
		return;
	}
	l->sec = SEC_SLICE;
	for (l->cur = 0; l->cur < l->nr_ws; l->cur++)
		if (!strcmp(l->ws[l->cur].c.name, name))
			break;
	if (l->cur < l->nr_ws) {
		snprintf(l->ws[l->cur].c.file, sizeof(l->ws[l->cur].c.file), "%s", l->file);
		l->ws[l->cur].c.line = l->lineno;
		return;
	}
	ws = realloc(l->ws, (l->nr_ws + 1) * sizeof(*ws));
	if (!ws) {
		l->nomem = 1;
		l->sec = SEC_IGNORED;
		return;
	}
	l->ws = ws;
	ws += l->nr_ws++;
	memset(ws, 0, sizeof(*ws));
	strcpy(ws->c.name, name);
	snprintf(ws->c.file, sizeof(ws->c.file), "%s", l->file);
	ws->c.line = l->lineno;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct key *k;
	struct lrg_slice_config *s;
	int r;

	(void)section;	/* ours is in l->sec, with the name checked */
	if (l->long_value && !strcmp(value, LONG_VALUE))
		value = l->long_value;
	switch (l->sec) {
	case SEC_IGNORED:
		return 1;
	case SEC_NONE:
		at(l, LRG_DIAG_WARNING, name, "key outside any section, ignored (expected after [daemon] or [slice NAME])");
		return 1;
	case SEC_DAEMON:
		k = find_key(daemon_keys, ARRAY_SIZE(daemon_keys), name);
		if (!k) {
			at(l, LRG_DIAG_WARNING, name, "unknown key, ignored%s",
			   find_key(slice_keys, ARRAY_SIZE(slice_keys), name) ?
			   " (it belongs in a [slice NAME] section)" : "");
			return 1;
		}
		if (set_value(l, k, &l->daemon, value) == -ENOMEM)
			l->nomem = 1;
		return 1;
	case SEC_DEFAULTS:
	case SEC_SLICE:
		break;
	}
	k = find_key(slice_keys, ARRAY_SIZE(slice_keys), name);
	if (!k) {
		at(l, LRG_DIAG_WARNING, name, "unknown key, ignored%s",
		   find_key(daemon_keys, ARRAY_SIZE(daemon_keys), name) ?
		   " (it belongs in [daemon])" : "");
		return 1;
	}
	if (l->sec == SEC_DEFAULTS && k->kind == K_MATCH) {
		at(l, LRG_DIAG_ERROR, name, "[slice *] has no match: it is for the cgroups no slice matches");
		return 1;
	}
	s = l->sec == SEC_DEFAULTS ? &l->defaults : &l->ws[l->cur].c;
	r = set_value(l, k, s, value);
	if (r == -ENOMEM)
		l->nomem = 1;
	if (r)
		return 1;
	if (l->sec == SEC_SLICE)
		l->ws[l->cur].set |= 1u << (k - slice_keys);
	snprintf(s->file, sizeof(s->file), "%s", l->file);
	s->line = l->lineno;
	return 1;
}

static bool valid_key(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/*
 * inih's fgets-like reader: hand it one line at a time, already checked, so
 * that its line count is ours and it never sees a line it would misparse.
 */
static char *reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	const char *eol;
	size_t len, cap = num > 2 ? (size_t)num - 2 : 0;  /* room for "\n\0" */
	char *s, *e, *eq, *k;

	if (l->pos >= l->end)
		return NULL;
	eol = memchr(l->pos, '\n', (size_t)(l->end - l->pos));
	len = eol ? (size_t)(eol - l->pos) : (size_t)(l->end - l->pos);
	l->lineno++;
	free(l->long_value);
	l->long_value = NULL;
	if (len + 1 > l->linebuf_size) {
		char *b = realloc(l->linebuf, len + 1);

		if (!b) {
			l->nomem = 1;
			return NULL;
		}
		l->linebuf = b;
		l->linebuf_size = len + 1;
	}
	s = l->linebuf;
	memcpy(s, l->pos, len);
	s[len] = '\0';
	l->pos = eol ? eol + 1 : l->end;
	str[0] = '\0';
	if (memchr(s, '\0', len)) {
		at(l, LRG_DIAG_ERROR, NULL, "NUL byte in line (expected a text file)");
		return str;
	}
	if (l->lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '#' || *s == ';')
		return str;
	/* a comment may follow whitespace; patterns never contain whitespace */
	for (e = s; *e; e++) {
		if ((*e == '#' || *e == ';') && e > s && isspace((unsigned char)e[-1])) {
			*e = '\0';
			break;
		}
	}
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (!*s)
		return str;
	if (*s == '[') {
		char *close = strchr(s, ']');

		l->sec = SEC_NONE;	/* the old section is not what is wrong */
		if (!close) {
			at(l, LRG_DIAG_ERROR, NULL, "missing ']' (expected [daemon] or [slice NAME])");
			l->sec = SEC_IGNORED;
			return str;
		}
		if (close[1]) {
			at(l, LRG_DIAG_ERROR, NULL, "unexpected text after ']': '%s'", close + 1);
			l->sec = SEC_IGNORED;
			return str;
		}
		*close = '\0';
		open_section(l, s + 1);
		/* inih's idea of the section is not used: ours is in l->sec */
		snprintf(str, (size_t)num, "[s]\n");
		return str;
	}
	eq = strchr(s, '=');
	for (k = eq ? eq : s; k > s && isspace((unsigned char)k[-1]); k--)
		;
	if (!eq || !valid_key(s, k)) {
		at(l, LRG_DIAG_ERROR, NULL, "syntax error: '%s' (expected key = value, [daemon] or [slice NAME])", s);
		return str;
	}
	if (strlen(s) <= cap) {
		snprintf(str, (size_t)num, "%s\n", s);
		return str;
	}
	/* too long for inih's buffer: pass the value around it */
	*k = '\0';
	for (eq++; isspace((unsigned char)*eq); eq++)
		;
	l->long_value = strdup(eq);
	if (!l->long_value || strlen(s) + sizeof(LONG_VALUE) + 1 > cap) {
		if (!l->long_value)
			l->nomem = 1;
		else
			at(l, LRG_DIAG_ERROR, NULL, "syntax error: key too long");
		return str;
	}
	snprintf(str, (size_t)num, "%s=" LONG_VALUE "\n", s);
	return str;
}

static void parse_text(struct loader *l, const char *file, const char *text, size_t len)
{
	int r;

	l->file = file;
	l->pos = text;
	l->end = text + len;
	l->lineno = 0;
	l->sec = SEC_NONE;
	l->sec_text[0] = '\0';
	r = ini_parse_stream(reader, l, handler, l);
	free(l->long_value);
	l->long_value = NULL;
	/* the reader lets no bad line through, so this is inih's own limit */
	if (r > 0)
		diag_add(l->diag, LRG_DIAG_ERROR, "%s:%d: syntax error", file, r);
	else if (r == -2)
		l->nomem = 1;
	else if (r < 0)
		diag_add(l->diag, LRG_DIAG_ERROR, "%s: cannot parse (inih error %d)", file, r);
}

/* ---- the loader ------------------------------------------------------- */

static void slice_free(struct lrg_slice_config *s)
{
	patterns_free(&s->prefer);
	patterns_free(&s->avoid);
	patterns_free(&s->protect);
}

static void loader_init(struct loader *l, struct lrg_diag *diag)
{
	memset(l, 0, sizeof(*l));
	l->daemon = base_daemon;
	l->defaults = base_slice;
	l->diag = diag;
}

static void loader_free(struct loader *l)
{
	patterns_free(&l->daemon.protect);
	slice_free(&l->defaults);
	for (size_t i = 0; i < l->nr_ws; i++)
		slice_free(&l->ws[i].c);
	free(l->ws);
	free(l->linebuf);
	free(l->long_value);
}

static int slice_dup(const struct lrg_slice_config *src, struct lrg_slice_config *ret)
{
	struct lrg_slice_config s = *src;

	memset(&s.prefer, 0, sizeof(s.prefer));
	memset(&s.avoid, 0, sizeof(s.avoid));
	memset(&s.protect, 0, sizeof(s.protect));
	if (patterns_dup(&src->prefer, &s.prefer) || patterns_dup(&src->avoid, &s.avoid) ||
	    patterns_dup(&src->protect, &s.protect)) {
		slice_free(&s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

/* Fill the keys a slice never set from the final [slice *]. */
static int fill_unset(struct lrg_slice_config *s, unsigned int set,
		      const struct lrg_slice_config *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(slice_keys); i++) {
		const struct key *k = &slice_keys[i];
		void *to = (char *)s + k->off;
		const void *from = (const char *)d + k->off;

		if (set & (1u << i))
			continue;
		switch (k->kind) {
		case K_MATCH:
			snprintf(s->match, sizeof(s->match), "%s", s->name);
			break;
		case K_PATTERNS:
			patterns_free(to);
			if (patterns_dup(from, to))
				return -ENOMEM;
			break;
		case K_BOOL:
			*(bool *)to = *(const bool *)from;
			break;
		case K_INT:
			*(int *)to = *(const int *)from;
			break;
		case K_OOM:
			*(enum lrg_oom_policy *)to = *(const enum lrg_oom_policy *)from;
			break;
		default:
			*(uint32_t *)to = *(const uint32_t *)from;
			break;
		}
	}
	return 0;
}

static int loader_finish(struct loader *l, struct lrg_config *ret)
{
	struct lrg_config c = { 0 };

	c.daemon = l->daemon;
	c.defaults = l->defaults;
	memset(&c.daemon.protect, 0, sizeof(c.daemon.protect));
	memset(&c.defaults.prefer, 0, sizeof(c.defaults.prefer));
	memset(&c.defaults.avoid, 0, sizeof(c.defaults.avoid));
	memset(&c.defaults.protect, 0, sizeof(c.defaults.protect));
	if (patterns_dup(&l->daemon.protect, &c.daemon.protect) ||
	    slice_dup(&l->defaults, &c.defaults))
		goto nomem;
	if (l->nr_ws) {
		c.slices = calloc(l->nr_ws, sizeof(*c.slices));
		if (!c.slices)
			goto nomem;
	}
	for (; c.nr_slices < l->nr_ws; c.nr_slices++) {
		struct lrg_slice_config *s = &c.slices[c.nr_slices];

		if (slice_dup(&l->ws[c.nr_slices].c, s))
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

static const char *profile_text(const char *name)
{
	for (size_t i = 0; lrg_profile_texts[i].name; i++)
		if (!strcmp(lrg_profile_texts[i].name, name))
			return lrg_profile_texts[i].text;
	return NULL;
}

const char *lrg_config_profile_text(const char *name)
{
	return name ? profile_text(name) : NULL;
}

const char *lrg_oom_policy_name(enum lrg_oom_policy o)
{
	return (unsigned int)o < ARRAY_SIZE(oom_names) - 1 ? oom_names[o] : "?";
}

static void apply_profile(struct loader *l, const char *name)
{
	const char *text = profile_text(name);
	char file[64];

	snprintf(l->daemon.profile, sizeof(l->daemon.profile), "%s", name);
	if (!text)
		return;
	snprintf(file, sizeof(file), "<built-in %s.conf>", name);
	l->in_profile = true;
	parse_text(l, file, text, strlen(text));
	l->in_profile = false;
	/* a profile naming a profile was refused; the name stays ours */
	snprintf(l->daemon.profile, sizeof(l->daemon.profile), "%s", name);
}

void lrg_config_defaults(struct lrg_config *c)
{
	struct lrg_diag d = { 0 };
	struct loader l;

	loader_init(&l, &d);
	apply_profile(&l, DEFAULT_PROFILE);
	/* the embedded profile is tested; should it ever fail, or memory run
	 * out, fall back to the base values rather than have no config */
	if (l.nomem || d.nr_errors || loader_finish(&l, c)) {
		memset(c, 0, sizeof(*c));
		c->daemon = base_daemon;
		c->defaults = base_slice;
	}
	loader_free(&l);
	lrg_diag_free(&d);
}

/* ---- files ------------------------------------------------------------ */

struct source {
	char *path;
	char *text;
	size_t len;
};

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *buf = NULL;
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (!buf || len == cap) {
			char *b;

			if (buf)
				cap *= 2;
			if (cap > MAX_FILE_SIZE + 1)
				cap = MAX_FILE_SIZE + 1;
			if (len == cap) {
				r = -EFBIG;
				goto out;
			}
			b = realloc(buf, cap);
			if (!b) {
				r = -ENOMEM;
				goto out;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int add_source(struct source **srcs, size_t *n, const char *path, struct lrg_diag *d,
		      bool optional)
{
	struct source *s;
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r == -ENOENT && optional)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r) {
		diag_add(d, LRG_DIAG_ERROR, "%s: cannot read: %s%s", path,
			 r == -EFBIG ? "larger than 1 MiB" : strerror(-r),
			 r == -EFBIG ? " (expected a config file)" : "");
		return 0;
	}
	s = realloc(*srcs, (*n + 1) * sizeof(*s));
	if (!s)
		goto nomem;
	*srcs = s;
	s += *n;
	s->path = strdup(path);
	if (!s->path)
		goto nomem;
	s->text = text;
	s->len = len;
	(*n)++;
	return 0;
nomem:
	free(text);
	return -ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.conf in dir, in strcmp order; hidden files are editors' business. */
static int add_dropins(struct source **srcs, size_t *n, const char *dir, struct lrg_diag *d)
{
	char **names = NULL;
	size_t nr = 0;
	struct dirent *de;
	DIR *dh;
	int r = 0;

	dh = opendir(dir);
	if (!dh) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOMEM)
			return -ENOMEM;
		diag_add(d, LRG_DIAG_ERROR, "%s: cannot read the drop-in directory: %s", dir,
			 strerror(errno));
		return 0;
	}
	while ((de = readdir(dh))) {
		size_t len = strlen(de->d_name);
		char **nn;

		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		nn = realloc(names, (nr + 1) * sizeof(*nn));
		if (!nn) {
			r = -ENOMEM;
			break;
		}
		names = nn;
		names[nr] = strdup(de->d_name);
		if (!names[nr]) {
			r = -ENOMEM;
			break;
		}
		nr++;
	}
	closedir(dh);
	if (!r && nr)
		qsort(names, nr, sizeof(*names), cmp_str);
	for (size_t i = 0; !r && i < nr; i++) {
		char *path;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		/* a file removed since readdir is simply gone */
		r = add_source(srcs, n, path, d, true);
		free(path);
	}
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return r;
}

int lrg_config_load(const char *main_path, const char *dropin_dir,
		    struct lrg_config *ret, struct lrg_diag *diag)
{
	struct source *srcs = NULL;
	struct lrg_diag scratch = { 0 };
	struct loader l;
	char profile[sizeof(l.daemon.profile)];
	size_t nr = 0;
	int r = 0;

	memset(diag, 0, sizeof(*diag));
	if (main_path)
		r = add_source(&srcs, &nr, main_path, diag, true);
	if (!r && dropin_dir)
		r = add_dropins(&srcs, &nr, dropin_dir, diag);
	if (r)
		goto out;

	/* pass 1: which profile do the files name? (messages come in pass 2) */
	loader_init(&l, &scratch);
	l.daemon.profile[0] = '\0';
	for (size_t i = 0; i < nr; i++)
		parse_text(&l, srcs[i].path, srcs[i].text, srcs[i].len);
	snprintf(profile, sizeof(profile), "%s", l.daemon.profile[0] ? l.daemon.profile : DEFAULT_PROFILE);
	r = l.nomem ? -ENOMEM : 0;
	loader_free(&l);
	lrg_diag_free(&scratch);
	if (r)
		goto out;

	/* pass 2: base, profile, files */
	loader_init(&l, diag);
	apply_profile(&l, profile);
	for (size_t i = 0; i < nr; i++)
		parse_text(&l, srcs[i].path, srcs[i].text, srcs[i].len);
	if (l.nomem)
		r = -ENOMEM;
	else if (diag->nr_errors)
		r = -EINVAL;
	else
		r = loader_finish(&l, ret);
	loader_free(&l);
out:
	if (r == -ENOMEM)
		diag_add(diag, LRG_DIAG_ERROR, "out of memory while loading the configuration");
	else if (!r && diag->nr_errors)
		r = -EINVAL;	/* unreadable files */
	for (size_t i = 0; i < nr; i++) {
		free(srcs[i].path);
		free(srcs[i].text);
	}
	free(srcs);
	return r;
}

/* ---- copy, free, print ------------------------------------------------ */

void lrg_config_free(struct lrg_config *c)
{
	if (!c)
		return;
	patterns_free(&c->daemon.protect);
	slice_free(&c->defaults);
	for (size_t i = 0; i < c->nr_slices; i++)
		slice_free(&c->slices[i]);
	free(c->slices);
	c->slices = NULL;
	c->nr_slices = 0;
}

int lrg_config_dup(const struct lrg_config *src, struct lrg_config *ret)
{
	struct lrg_config c = { 0 };

	c.daemon = src->daemon;
	memset(&c.daemon.protect, 0, sizeof(c.daemon.protect));
	if (patterns_dup(&src->daemon.protect, &c.daemon.protect) ||
	    slice_dup(&src->defaults, &c.defaults))
		goto nomem;
	if (src->nr_slices) {
		c.slices = calloc(src->nr_slices, sizeof(*c.slices));
		if (!c.slices)
			goto nomem;
	}
	for (; c.nr_slices < src->nr_slices; c.nr_slices++)
		if (slice_dup(&src->slices[c.nr_slices], &c.slices[c.nr_slices]))
			goto nomem;
	*ret = c;
	return 0;
nomem:
	lrg_config_free(&c);
	return -ENOMEM;
}

static void print_key(FILE *f, const struct key *k, const void *base)
{
	const void *field = (const char *)base + k->off;

	fprintf(f, "%s =", k->name);
	switch (k->kind) {
	case K_BOOL:
		fprintf(f, " %s", *(const bool *)field ? "yes" : "no");
		break;
	case K_DURATION:
	case K_PCT:
		fprintf(f, " %u", (unsigned int)*(const uint32_t *)field);
		break;
	case K_INT:
		fprintf(f, " %d", *(const int *)field);
		break;
	case K_OOM:
		fprintf(f, " %s", lrg_oom_policy_name(*(const enum lrg_oom_policy *)field));
		break;
	case K_PATTERNS: {
		const struct lrg_patterns *p = field;

		for (size_t i = 0; i < p->n; i++)
			fprintf(f, " %s", p->pats[i]);
		break;
	}
	case K_MATCH:
	case K_BACKEND:
	case K_PROFILE:
		fprintf(f, " %s", (const char *)field);
		break;
	}
	fputc('\n', f);
}

static void print_slice(FILE *f, const struct lrg_slice_config *s, bool defaults)
{
	fprintf(f, "\n[slice %s]\n", s->name);
	if (s->line > 0)
		fprintf(f, "# last set at %s:%d\n", s->file, s->line);
	for (size_t i = 0; i < ARRAY_SIZE(slice_keys); i++)
		if (!defaults || slice_keys[i].kind != K_MATCH)
			print_key(f, &slice_keys[i], s);
}

/*
 * Every key, explicitly, so the output loaded as a main file gives back the
 * same config: its profile line applies the same profile first, whose
 * slices then come first, in the same order, as they do here.
 */
void lrg_config_print(const struct lrg_config *c, FILE *f)
{
	fprintf(f, "# lrugend effective configuration\n[daemon]\n");
	for (size_t i = 0; i < ARRAY_SIZE(daemon_keys); i++)
		print_key(f, &daemon_keys[i], &c->daemon);
	print_slice(f, &c->defaults, true);
	for (size_t i = 0; i < c->nr_slices; i++)
		print_slice(f, &c->slices[i], false);
}
