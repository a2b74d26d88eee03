// SPDX-License-Identifier: GPL-2.0-only
/*
 * match.c - slices for cgroups, patterns for processes (match.h).
 *
 * Globs are fnmatch(3) patterns. A cgroup glob names a cgroup and so its
 * whole subtree; an exe glob names a file.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

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
