/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * match.h - which slice governs a cgroup, and which patterns name a
 * process. Pure: the facts about the process come in as arguments.
 */
#ifndef LRG_MATCH_H
#define LRG_MATCH_H

#include <stdbool.h>

#include "lrg_config.h"

/* The slice config for a cgroup path like "/user.slice/user-1000.slice/app-x.scope":
 * the most specific matching slice (longest match), else defaults.
 * A match glob without '/' names any cgroup whose own name (one path
 * component: a unit name like "app-*.scope") matches; one with '/' names
 * the cgroups whose full path matches, '*' not crossing '/'. A slice
 * covers what it names and everything below. Most specific: the slice
 * naming the deepest cgroup on the path, then the glob with the most
 * literal characters, then the later section. Never NULL. */
const struct lrg_slice_config *lrg_config_match(const struct lrg_config *c,
						const char *cgroup_path);

/* true if any pattern matches comm, exe or cgroup (any may be NULL). */
bool lrg_patterns_match(const struct lrg_patterns *p, const char *comm,
			const char *exe, const char *cgroup);

#endif /* LRG_MATCH_H */
