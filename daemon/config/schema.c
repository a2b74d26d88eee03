// SPDX-License-Identifier: GPL-2.0-only
/*
 * schema.c - the keys of lrugend.conf and their values (schema.h).
 *
 * Each key is a row: its name, its kind of value and where that lands in
 * the config. A value is parsed by its kind; every message says what was
 * wrong and what is expected, and goes to the caller's report, which
 * knows the file, line and section.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile_texts.h"
#include "schema.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct lrg_daemon_config lrg_base_daemon = {
	.backend = "auto",
	.profile = LRG_DEFAULT_PROFILE,
	.dry_run = false,
	.poll_interval_ms = 200,
	.tick_budget_ms = 50,
	.kill_timeout_ms = 3000,
	.enable_mglru = true,
	.mount_debugfs = false,
	.notify_desktop = false,
	.protect_cap_pct = 50,
};

const struct lrg_slice_config lrg_base_slice = {
	.name = "*",
	.match = "*",
	.min_ttl_ms = 0,
	.swappiness = -1,
	.aging_interval_ms = 1000,
	.evict = true,
	.evict_min_age_ms = 0,
	.refault_ceiling_pct = 0,
	.oom = LRG_OOM_PROCESS,
	.protect_memory = true,
	.respawn_kills = 3,
	.respawn_window_ms = 60000,
};

static const char *const backend_names[] = { "auto", "kmod", "mglru", "proc", "sim", NULL };

#define DK(n, k, f, lo, hi) { n, k, offsetof(struct lrg_daemon_config, f), lo, hi }
const struct lrg_key lrg_daemon_keys[] = {
	DK("backend", LRG_K_BACKEND, backend, 0, 0),
	DK("profile", LRG_K_PROFILE, profile, 0, 0),
	DK("dry_run", LRG_K_BOOL, dry_run, 0, 0),
	DK("poll_interval_ms", LRG_K_DURATION, poll_interval_ms, 10, 60000),
	DK("tick_budget_ms", LRG_K_DURATION, tick_budget_ms, 1, 60000),
	DK("kill_timeout_ms", LRG_K_DURATION, kill_timeout_ms, 100, 600000),
	DK("enable_mglru", LRG_K_BOOL, enable_mglru, 0, 0),
	DK("mount_debugfs", LRG_K_BOOL, mount_debugfs, 0, 0),
	DK("notify_desktop", LRG_K_BOOL, notify_desktop, 0, 0),
	DK("protect", LRG_K_PATTERNS, protect, 0, 0),
	DK("protect_cap_pct", LRG_K_PCT, protect_cap_pct, 0, 90),
};

#define SK(n, k, f, lo, hi) { n, k, offsetof(struct lrg_slice_config, f), lo, hi }
const struct lrg_key lrg_slice_keys[] = {
	SK("match", LRG_K_MATCH, match, 0, 0),
	SK("min_ttl_ms", LRG_K_DURATION, min_ttl_ms, 0, 3600000),
	SK("swappiness", LRG_K_INT, swappiness, -1, 200),
	SK("aging_interval_ms", LRG_K_DURATION, aging_interval_ms, 100, 3600000),
	SK("evict", LRG_K_BOOL, evict, 0, 0),
	SK("evict_min_age_ms", LRG_K_DURATION, evict_min_age_ms, 0, 86400000),
	SK("refault_ceiling_pct", LRG_K_PCT, refault_ceiling_pct, 0, 100),
	SK("oom", LRG_K_OOM, oom, 0, 0),
	SK("prefer", LRG_K_PATTERNS, prefer, 0, 0),
	SK("avoid", LRG_K_PATTERNS, avoid, 0, 0),
	SK("protect", LRG_K_PATTERNS, protect, 0, 0),
	SK("protect_memory", LRG_K_BOOL, protect_memory, 0, 0),
	SK("respawn_kills", LRG_K_INT, respawn_kills, 0, 1000),
	SK("respawn_window_ms", LRG_K_DURATION, respawn_window_ms, 1000, 3600000),
};

const size_t lrg_nr_daemon_keys = ARRAY_SIZE(lrg_daemon_keys);
const size_t lrg_nr_slice_keys = ARRAY_SIZE(lrg_slice_keys);

__attribute__((format(printf, 4, 5)))
static void report(const struct lrg_report *rep, enum lrg_diag_level level, const char *key,
		   const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rep->fn(rep->ctx, level, key, msg);
}

const struct lrg_key *lrg_key_find(const struct lrg_key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

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

static int set_number(const struct lrg_key *k, void *field, const char *v,
		      const struct lrg_report *rep)
{
	const char *p = v;
	unsigned long long u = 0, mult = 1;
	bool neg = false, ovf = false;
	long long n;

	if (k->kind == LRG_K_INT && *p == '-') {
		neg = true;
		p++;
	}
	if (!parse_digits(&p, &u, &ovf) && !ovf)
		goto bad;
	if (k->kind == LRG_K_DURATION) {
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
	if (k->kind == LRG_K_INT)
		*(int *)field = (int)n;
	else
		*(uint32_t *)field = (uint32_t)n;
	return 0;
range:
	report(rep, LRG_DIAG_ERROR, k->name, "'%s' is out of range (allowed %lld..%lld%s)", v,
	       k->min, k->max, k->kind == LRG_K_DURATION ? " ms" : k->kind == LRG_K_PCT ? " %" : "");
	return -EINVAL;
bad:
	if (k->kind == LRG_K_DURATION)
		report(rep, LRG_DIAG_ERROR, k->name,
		       "'%s' is not a duration (expected whole milliseconds, optionally with suffix ms, s or min, in %lld..%lld ms)",
		       v, k->min, k->max);
	else
		report(rep, LRG_DIAG_ERROR, k->name, "'%s' is not a whole number (expected %lld..%lld)",
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

/* systemd puts only slices and init.scope at the top of the cgroup tree,
 * where a glob without '/' names its cgroup */
static bool names_nothing_at_top(const char *glob)
{
	size_t n = strlen(glob);

	if (strchr(glob, '/'))
		return false;
	if (n > 8 && !strcmp(glob + n - 8, ".service"))
		return true;
	return n > 6 && !strcmp(glob + n - 6, ".scope") && fnmatch(glob, "init.scope", 0);
}

/* A cgroup glob (a match, a cgroup: pattern): an absolute path, or a name
 * at the top of the tree. false after an error. */
static bool check_cgroup_glob(const char *key, const char *what, const char *glob,
			      const struct lrg_report *rep)
{
	if (strchr(glob, '/') && glob[0] != '/') {
		report(rep, LRG_DIAG_ERROR, key,
		       "'%s': a glob with '/' is matched against cgroup paths, which start with '/' (expected '/%s' or a name at the top of the tree without '/')",
		       what, glob);
		return false;
	}
	if (names_nothing_at_top(glob))
		report(rep, LRG_DIAG_WARNING, key,
		       "'%s' can never match: a glob without '/' names a cgroup at the top of the tree, where there are only slices and init.scope (expected an absolute path such as /system.slice/%s)",
		       what, glob);
	return true;
}

/* The prefix of a pattern ("comm:", ...), "" for none, NULL for a typo. */
static const char *pattern_prefix(const char *key, const char *pat, const struct lrg_report *rep)
{
	static const char *const prefixes[] = { "comm:", "exe:", "cgroup:" };
	const char *colon = strchr(pat, ':');

	if (!colon || colon == pat)
		return "";
	for (const char *s = pat; s < colon; s++)
		if (!isalpha((unsigned char)*s))
			return "";
	/* "com:x" is a typo, not a comm named "com:x"; "comm:a:b" still works */
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(pat, prefixes[i], (size_t)(colon - pat) + 1))
			return prefixes[i];
	report(rep, LRG_DIAG_ERROR, key, "'%s': unknown prefix '%.*s' (expected comm:, exe: or cgroup:)",
	       pat, (int)(colon - pat) + 1, pat);
	return NULL;
}

/* Check one pattern; error (false) or warning about it. */
static bool check_pattern(const char *key, const char *pat, const struct lrg_report *rep)
{
	const char *prefix = pattern_prefix(key, pat, rep), *glob;

	if (!prefix)
		return false;
	glob = pat + strlen(prefix);
	if (!*glob) {
		report(rep, LRG_DIAG_ERROR, key, "'%s': empty pattern after the prefix", pat);
		return false;
	}
	if (!strcmp(prefix, "exe:") && glob[0] != '/') {
		report(rep, LRG_DIAG_ERROR, key,
		       "'%s': an exe glob is matched against the absolute path of the executable (expected exe:/PATH, such as exe:/usr/bin/%s)",
		       pat, glob);
		return false;
	}
	if (!strcmp(prefix, "cgroup:"))
		return check_cgroup_glob(key, pat, glob, rep);
	if (!*prefix && strchr(glob, '/') && glob[0] != '/') {
		report(rep, LRG_DIAG_ERROR, key,
		       "'%s': a pattern with '/' is an absolute exe or cgroup path (expected '/%s')", pat, glob);
		return false;
	}
	/* the kernel truncates comm to 15 bytes: a longer literal never matches */
	if (!strcmp(prefix, "comm:") && strlen(glob) > 15 && !strpbrk(glob, "*?["))
		report(rep, LRG_DIAG_WARNING, key,
		       "'%s' can never match: comm is at most 15 characters (use '%.15s*' or exe:)",
		       pat, glob);
	return true;
}

/* Space-separated list; replaces the old list (later wins), "" clears it. */
static int set_patterns(const struct lrg_key *k, struct lrg_patterns *field, const char *v,
			const struct lrg_report *rep)
{
	struct lrg_patterns p = { 0 };
	char *copy = strdup(v), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char **pats;

		if (!check_pattern(k->name, tok, rep)) {
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
		lrg_patterns_free(&p);
		return r;
	}
	lrg_patterns_free(field);
	*field = p;
	return 0;
}

static int set_choice(const struct lrg_key *k, void *field, const char *v,
		      const struct lrg_report *rep)
{
	if (k->kind == LRG_K_OOM) {
		for (int o = LRG_OOM_PROCESS; o <= LRG_OOM_NEVER; o++) {
			if (!strcasecmp(lrg_oom_policy_name((enum lrg_oom_policy)o), v)) {
				*(enum lrg_oom_policy *)field = (enum lrg_oom_policy)o;
				return 0;
			}
		}
		report(rep, LRG_DIAG_ERROR, k->name, "'%s' is not valid (expected process, cgroup or never)", v);
		return -EINVAL;
	}
	if (k->kind == LRG_K_BACKEND) {
		int i = choice(backend_names, v);

		if (i < 0) {
			report(rep, LRG_DIAG_ERROR, k->name,
			       "'%s' is not valid (expected auto, kmod, mglru, proc or sim)", v);
			return -EINVAL;
		}
		strcpy(field, backend_names[i]);
		return 0;
	}
	for (size_t i = 0; lrg_profile_texts[i].name; i++) {
		if (!strcmp(lrg_profile_texts[i].name, v)) {
			strcpy(field, lrg_profile_texts[i].name);
			return 0;
		}
	}
	report(rep, LRG_DIAG_ERROR, k->name, "'%s' is not valid (expected desktop, laptop-hdd or server)", v);
	return -EINVAL;
}

static int set_match(const struct lrg_key *k, char *field, const char *v,
		     const struct lrg_report *rep)
{
	if (!*v || has_space(v) || strlen(v) >= sizeof(lrg_base_slice.match)) {
		report(rep, LRG_DIAG_ERROR, k->name,
		       "'%s' is not valid (expected one glob without spaces, at most %zu characters)",
		       v, sizeof(lrg_base_slice.match) - 1);
		return -EINVAL;
	}
	if (!check_cgroup_glob(k->name, v, v, rep))
		return -EINVAL;
	strcpy(field, v);
	return 0;
}

int lrg_key_set(const struct lrg_key *k, void *base, const char *v, const struct lrg_report *rep)
{
	void *field = (char *)base + k->off;

	switch (k->kind) {
	case LRG_K_BOOL:
		if (!parse_bool(v, field)) {
			report(rep, LRG_DIAG_ERROR, k->name,
			       "'%s' is not a boolean (expected yes/no, true/false, on/off or 1/0)", v);
			return -EINVAL;
		}
		return 0;
	case LRG_K_DURATION:
	case LRG_K_INT:
	case LRG_K_PCT:
		return set_number(k, field, v, rep);
	case LRG_K_PATTERNS:
		return set_patterns(k, field, v, rep);
	case LRG_K_MATCH:
		return set_match(k, field, v, rep);
	case LRG_K_OOM:
	case LRG_K_BACKEND:
	case LRG_K_PROFILE:
		return set_choice(k, field, v, rep);
	}
	return -EINVAL;
}

int lrg_key_copy(const struct lrg_key *k, void *to, const void *from)
{
	void *t = (char *)to + k->off;
	const void *f = (const char *)from + k->off;
	struct lrg_patterns p;

	switch (k->kind) {
	case LRG_K_PATTERNS:
		if (lrg_patterns_dup(f, &p))
			return -ENOMEM;
		lrg_patterns_free(t);
		*(struct lrg_patterns *)t = p;
		break;
	case LRG_K_BOOL:
		*(bool *)t = *(const bool *)f;
		break;
	case LRG_K_INT:
		*(int *)t = *(const int *)f;
		break;
	case LRG_K_OOM:
		*(enum lrg_oom_policy *)t = *(const enum lrg_oom_policy *)f;
		break;
	case LRG_K_DURATION:
	case LRG_K_PCT:
		*(uint32_t *)t = *(const uint32_t *)f;
		break;
	case LRG_K_MATCH:
		memcpy(t, f, sizeof(lrg_base_slice.match));
		break;
	case LRG_K_BACKEND:
		memcpy(t, f, sizeof(lrg_base_daemon.backend));
		break;
	case LRG_K_PROFILE:
		memcpy(t, f, sizeof(lrg_base_daemon.profile));
		break;
	}
	return 0;
}

void lrg_key_print(const struct lrg_key *k, const void *base, FILE *f)
{
	const void *field = (const char *)base + k->off;

	fprintf(f, "%s =", k->name);
	switch (k->kind) {
	case LRG_K_BOOL:
		fprintf(f, " %s", *(const bool *)field ? "yes" : "no");
		break;
	case LRG_K_DURATION:
	case LRG_K_PCT:
		fprintf(f, " %u", (unsigned int)*(const uint32_t *)field);
		break;
	case LRG_K_INT:
		fprintf(f, " %d", *(const int *)field);
		break;
	case LRG_K_OOM:
		fprintf(f, " %s", lrg_oom_policy_name(*(const enum lrg_oom_policy *)field));
		break;
	case LRG_K_PATTERNS: {
		const struct lrg_patterns *p = field;

		for (size_t i = 0; i < p->n; i++)
			fprintf(f, " %s", p->pats[i]);
		break;
	}
	case LRG_K_MATCH:
	case LRG_K_BACKEND:
	case LRG_K_PROFILE:
		fprintf(f, " %s", (const char *)field);
		break;
	}
	fputc('\n', f);
}

