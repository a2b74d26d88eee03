/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * match.h - which slice governs a cgroup, and which patterns name a
 * process. Pure: the facts about the process come in as arguments.
 *
 * Every rule rests on facts only root controls, so that no user can make
 * a process of theirs look like one a rule protects, avoids or prefers:
 * - comm is whatever the process chose (prctl, the name of any file it
 *   runs): a comm glob is believed of root's processes only (real and
 *   effective uid 0);
 * - exe is the absolute path of the executable, believed only when that
 *   file is root's, writable by root alone, and the path names it in the
 *   daemon's own view of the file system;
 * - cgroup is the absolute path in the cgroup tree, whose upper levels
 *   only root arranges. Below a user manager (a user@UID.service
 *   component), the user arranges the tree: no wildcard stands for that
 *   component, so only a glob that spells "user@" there reaches into it.
 */
#ifndef LRG_MATCH_H
#define LRG_MATCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "lrg_config.h"

/* What is known of one process; NULL or (uid_t)-1 where nothing is. */
struct lrg_proc_facts {
	const char *comm;
	const char *exe;	/* absolute path of the executable */
	bool exe_trusted;	/* exe is root's, writable by root alone, and its path names it */
	const char *cgroup;	/* absolute cgroup path */
	uid_t uid, euid;	/* real and effective */
};

/*
 * The slice config for a cgroup path like "/user.slice/user-1000.slice/session-2.scope":
 * the most specific matching slice, else defaults. A match glob names the
 * cgroups whose absolute path it matches component by component, '*' not
 * crossing '/'; a glob without '/' names a cgroup at the top of the tree
 * ("user.slice" is "/user.slice"). A slice covers what it names and
 * everything below. Most specific: the slice naming the deepest cgroup on
 * the path, then the glob with the most literal characters, then the
 * later section. Never NULL.
 */
const struct lrg_slice_config *lrg_config_match(const struct lrg_config *c,
						const char *cgroup_path);

/*
 * true if any pattern names the process: "comm:GLOB" (root's processes
 * only), "exe:/GLOB" (a trusted exe only; '*' may cross '/'),
 * "cgroup:GLOB" (as a slice's match: the cgroup or an ancestor), and a
 * pattern without a prefix any of the three.
 */
bool lrg_patterns_match(const struct lrg_patterns *p, const struct lrg_proc_facts *f);

#endif /* LRG_MATCH_H */
