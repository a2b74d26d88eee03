// SPDX-License-Identifier: GPL-2.0-only
/*
 * match.c - slices for cgroups, patterns for processes (match.h).
 *
 * Globs are fnmatch(3) patterns. A cgroup glob names a cgroup and so its
 * whole subtree; an exe glob names a file. Matching allocates nothing, so
 * it may run where memory is short.
 */
#include <fnmatch.h>
#include <string.h>

#include "match.h"

static size_t literal_chars(const char *glob)
{
	size_t n = 0;

	for (const char *s = glob; *s; s++) {
		if (*s == '*' || *s == '?')
			continue;
		if (*s == '[') {
			const char *close = s[1] ? strchr(s + 2, ']') : NULL;

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

/* A cgroup's name is at most NAME_MAX (255) bytes. */
#define NAME_BUF 256

/* Copy the component of *s after any '/' into buf and step past it.
 * Returns its length, 0 at the end, -1 if no cgroup can have that name. */
static int next_component(const char **s, char *buf)
{
	const char *c = *s;
	size_t n;

	while (*c == '/')
		c++;
	n = strcspn(c, "/");
	*s = c + n;
	if (n >= NAME_BUF)
		return -1;
	memcpy(buf, c, n);
	buf[n] = '\0';
	return (int)n;
}

/*
 * How deep in cgroup path `path` the glob names a cgroup: 0 if nowhere,
 * else its number of components. The glob's components are matched with
 * the path's first ones, each by fnmatch(3), so a glob names one cgroup
 * per path and '*' never crosses '/'; a glob without '/' is one component,
 * a cgroup at the top. Empty components ("//", a trailing '/') do not
 * count. A path component "user@*.service" (a user manager, whose subtree
 * the user arranges) is matched only by a glob component spelling "user@".
 */
static int glob_depth(const char *glob, const char *path)
{
	char gc[NAME_BUF], pc[NAME_BUF];
	int depth = 0, n;
	bool seen_user = false;

	while ((n = next_component(&glob, gc)) != 0) {
		if (n < 0 || next_component(&path, pc) <= 0)
			return 0;
		if (!seen_user && !fnmatch("user@*.service", pc, 0)) {
			seen_user = true;
			if (strncmp(gc, "user@", 5))
				return 0;
		}
		if (fnmatch(gc, pc, 0))
			return 0;
		depth++;
	}
	return depth;
}

static bool comm_matches(const char *glob, const struct lrg_proc_facts *f)
{
	return f->comm && f->uid == 0 && f->euid == 0 && !fnmatch(glob, f->comm, 0);
}

static bool exe_matches(const char *glob, const struct lrg_proc_facts *f)
{
	return f->exe && f->exe_trusted && glob[0] == '/' && !fnmatch(glob, f->exe, 0);
}

static bool cgroup_matches(const char *glob, const struct lrg_proc_facts *f)
{
	return f->cgroup && glob_depth(glob, f->cgroup) > 0;
}

bool lrg_patterns_match(const struct lrg_patterns *p, const struct lrg_proc_facts *f)
{
	if (!p || !f)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		const char *pat = p->pats[i];

		if (!strncmp(pat, "comm:", 5)) {
			if (comm_matches(pat + 5, f))
				return true;
		} else if (!strncmp(pat, "exe:", 4)) {
			if (exe_matches(pat + 4, f))
				return true;
		} else if (!strncmp(pat, "cgroup:", 7)) {
			if (cgroup_matches(pat + 7, f))
				return true;
		} else if (comm_matches(pat, f) || exe_matches(pat, f) || cgroup_matches(pat, f)) {
			return true;
		}
	}
	return false;
}

/*
 * Which slice governs a cgroup. Every slice whose match names the cgroup or
 * one of its ancestors applies (see glob_depth); the most specific wins:
 *   1. the one naming the deepest cgroup (the cgroup itself beats its
 *      parent, so "/user.slice/user-1000.slice" beats "user.slice" for
 *      what runs in it);
 *   2. then the glob with more literal (non-wildcard) characters, so
 *      "/system.slice/postgresql@*.service" beats "/system.slice/postgresql*.service";
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
