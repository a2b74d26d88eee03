/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroups.h - cgroup v2 discovery and memory-controller files for the host
 * backends.
 *
 * A cgroup's id is the inode number of its directory on the cgroup2 mount:
 * the kernel's cgroup id, which the lrugen module and the BPF/fanotify
 * world use too. Machines without a cgroup2 memory controller (v1-only or
 * hybrid, where memory is a v1 hierarchy) get one global domain,
 * LRG_ROOT_MEMCG, and lrg_cgroup_tree.global tells the caller why, once.
 *
 * The files are read directly, not through libcgroup: cgroup v2 files are
 * plain text, and libcgroup neither names a cgroup by its id nor reads
 * anything but the live mounts (docs/architecture.md, "Libraries"). Mount
 * discovery is a 40-line mountinfo parser.
 */
#ifndef LRG_CGROUPS_H
#define LRG_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup_kept.h"
#include "lrg_backend.h"
#include "procfs.h"

/* Find the cgroup2 mount point in a mountinfo file ("/proc/self/mountinfo").
 * -ENOENT when there is none. */
int lrg_cgroup_find_v2_mount(const char *mountinfo_path, char *ret, size_t size);

/* One memory-enabled cgroup as the tree knows it. */
/* What the tree remembers of a cgroup's files (lrg_cgroup_tree_read_info). */
struct lrg_cgroup_memo {
	/* idle when last read, and its memory.current and memory.min then;
	 * stale once something in it changed since, or when never read */
	bool stale, idle;
	uint64_t idle_current, idle_min;
	/* memory.low, high, max and swap.max as read at limits_ms (0: never) */
	uint64_t low, high, max, swap_max;
	uint64_t limits_ms;
	/* its busy files kept open (a tree on cgroupfs only); the tree
	 * closes them when the cgroup goes, goes idle, or the tree is freed */
	struct lrg_cgroup_kept kept;
};

/*
 * A cgroup's limits change only when someone writes them (systemctl
 * set-property, a unit's start): they are read again this long after,
 * and the charge, memory.min and memory.stat at every read. A limit an
 * admin sets shows within this long.
 */
#define LRG_CGROUP_LIMITS_TTL_MS 10000

struct lrg_cgroup_entry {
	uint64_t id;
	const char *path;        /* below the root, "/" for the root itself; shorter
				  * than LRG_CGROUP_PATH_MAX; valid until the next rescan */
	bool memory_subtree;     /* its subtree_control enables memory */
	struct lrg_cgroup_memo memo;
};

/*
 * The memory cgroups below a cgroup2 mount, at any depth and with paths of
 * any length the kernel opens by name. A cgroup that cannot be read (a
 * path of LRG_CGROUP_PATH_MAX or more, a permission or fd error) is left
 * out and counted in nr_skipped, and the walk goes on; a cgroup removed
 * while the walk runs is simply gone. The storage of a scan is kept for
 * the next one: a rescan allocates only when the tree has grown.
 */
struct lrg_cgroup_tree {
	char *root;              /* the cgroup2 mount ("/sys/fs/cgroup") */
	bool global;             /* no v2 memory controller: one domain */
	const char *why;         /* when global: why (static text), for one log line */
	struct lrg_cgroup_entry *v;
	size_t n;                /* sorted by id */
	size_t nr_skipped;       /* the last scan's cgroups that could not be read */
	/* inotify follows the tree (cgroup_watch.h): a rescan walks it only
	 * when it changed shape, or every LRG_CGROUP_REWALK_MS; false when
	 * inotify cannot be had or its watches ran out: every rescan walks */
	bool watched;
};

/* The walk that catches whatever inotify could not say: a cgroup's
 * charge that grew with no process in it, say. Rare: with a thousand
 * cgroups one walk is about a second of CPU under TCG. */
#define LRG_CGROUP_REWALK_MS 120000

/*
 * Open the tree at cgroup_root (a cgroup2 mount). When it is not cgroup2
 * or the memory controller is not enabled there, the tree is global (not an
 * error) and why says so. Scans once.
 */
int lrg_cgroup_tree_open(const char *cgroup_root, struct lrg_cgroup_tree **ret);
void lrg_cgroup_tree_free(struct lrg_cgroup_tree *t);

/* Called per difference: added=true for a new cgroup, false for a gone one. */
typedef int (*lrg_cgroup_change_fn)(void *ctx, const struct lrg_cgroup_entry *e, bool added);
/*
 * Re-scan the tree and report the differences since the last scan. On
 * failure (-ENOMEM, the root unreadable) the tree stays as it was. A
 * watched tree that did not change shape is not walked (no differences).
 */
int lrg_cgroup_tree_rescan(struct lrg_cgroup_tree *t, lrg_cgroup_change_fn fn, void *ctx);

const struct lrg_cgroup_entry *lrg_cgroup_tree_find(const struct lrg_cgroup_tree *t, uint64_t id);
const struct lrg_cgroup_entry *lrg_cgroup_tree_find_path(const struct lrg_cgroup_tree *t,
							 const char *path);
/*
 * The memcg a process in cgroup `path` is charged to: the deepest
 * memory-enabled ancestor-or-self. LRG_ROOT_MEMCG on a global tree.
 */
uint64_t lrg_cgroup_tree_memcg_of(const struct lrg_cgroup_tree *t, const char *path);

/* Read the memory.* files of one cgroup into info (id and path kept). The
 * root cgroup lacks memory.current and the limits: they read as 0 / max. */
int lrg_cgroup_read_info(const char *cgroup_root, const char *path, struct lrg_memcg_info *info);

/*
 * lrg_cgroup_read_info of the tree's entry i (t->v[i]) at now_ms, the
 * files left unread when the tree is watched and the cgroup was idle when
 * last read with nothing in it changed since (an idle cgroup then costs no
 * read), and its limits as remembered when read within
 * LRG_CGROUP_LIMITS_TTL_MS.
 */
int lrg_cgroup_tree_read_info(struct lrg_cgroup_tree *t, size_t i, struct lrg_memcg_info *info,
			      uint64_t now_ms);
/*
 * A cgroup's charge (memory.current) and the lower of memory.high and
 * memory.max, the limits as remembered by the tree (read when it never
 * read them or they are older than LRG_CGROUP_LIMITS_TTL_MS). -ENOENT
 * when the tree does not know id or the cgroup is gone.
 */
int lrg_cgroup_tree_read_usage(struct lrg_cgroup_tree *t, uint64_t id, uint64_t now_ms,
			       uint64_t *ret_current, uint64_t *ret_limit);
/* Read the cgroup's files again at the next lrg_cgroup_tree_read_info:
 * something in it changed that inotify may not have said (the kernel's
 * populated notice reaches a watch only while cgroup.events is cached). */
void lrg_cgroup_tree_mark_stale(struct lrg_cgroup_tree *t, uint64_t id);

/* memory.stat (pgscan, pgsteal, refaults, anon/file) and memory.events oom_kill. */
int lrg_cgroup_read_stat(const char *cgroup_root, const char *path, struct lrg_vmstat *ret);
int lrg_cgroup_read_pressure(const char *cgroup_root, const char *path, struct lrg_psi *ret);
/* lrg_cgroup_read_stat (memory.events too when with_events) and
 * lrg_cgroup_read_pressure of the tree's cgroup id, through its kept
 * files (cgroup_kept.h); -ENOENT when the tree does not know id. */
int lrg_cgroup_tree_read_stat(struct lrg_cgroup_tree *t, uint64_t id, bool with_events,
			      struct lrg_vmstat *ret);
int lrg_cgroup_tree_read_pressure(struct lrg_cgroup_tree *t, uint64_t id, struct lrg_psi *ret);

typedef int (*lrg_pid_fn)(void *ctx, pid_t pid);
/*
 * Every pid in cgroup.procs of path; with recursive also of every
 * descendant, at any depth. A descendant that cannot be read is skipped
 * and added to *ret_skipped (when not NULL), the rest is listed.
 */
int lrg_cgroup_for_each_pid(const char *cgroup_root, const char *path, bool recursive,
			    lrg_pid_fn fn, void *ctx, size_t *ret_skipped);

/* memory.reclaim (5.19+): -EOPNOTSUPP without it; -EAGAIN when the kernel
 * reclaimed less than asked. */
int lrg_cgroup_reclaim(const char *cgroup_root, const char *path, uint64_t bytes);
/* memory.min: bytes, UINT64_MAX written as "max". */
int lrg_cgroup_set_min(const char *cgroup_root, const char *path, uint64_t bytes);
/* cgroup.kill (5.14+): -EOPNOTSUPP without it. */
int lrg_cgroup_kill(const char *cgroup_root, const char *path);

#endif /* LRG_CGROUPS_H */
