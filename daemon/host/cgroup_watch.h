/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup_watch.h - which memory cgroups changed since the last look, from
 * inotify, so that a listing reads only what changed and walks the tree
 * only when its shape did.
 *
 * Each cgroup's directory is watched: a child made, removed or renamed, a
 * write to one of its files (cgroup.subtree_control among them), and the
 * kernel's populated notice on its cgroup.events while that file's inode
 * is cached (the listing reads it; what is missed, the walk every
 * LRG_CGROUP_REWALK_MS reads again). A
 * user's thousand empty cgroups then cost nothing between changes instead
 * of three reads each per listing.
 */
#ifndef LRG_CGROUP_WATCH_H
#define LRG_CGROUP_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lrg_cgroup_watch;

/* A watch with no cgroup yet; -errno when inotify cannot be had. */
int lrg_cgroup_watch_new(struct lrg_cgroup_watch **ret);
void lrg_cgroup_watch_free(struct lrg_cgroup_watch *w);

/*
 * A walk of the tree begins: the map from watches to cgroups is built
 * anew by lrg_cgroup_watch_add for every cgroup the walk finds, and
 * complete once lrg_cgroup_watch_end_walk has run.
 */
void lrg_cgroup_watch_begin_walk(struct lrg_cgroup_watch *w);
/* Watch the cgroup whose directory is open at dirfd, known by id. -ENOSPC
 * when lrugend's share of root's inotify watches is spent (see
 * cgroup_watch.c) or the kernel has none left: the caller then cannot
 * rely on the watch and walks every time. */
int lrg_cgroup_watch_add(struct lrg_cgroup_watch *w, int dirfd, uint64_t id);
void lrg_cgroup_watch_end_walk(struct lrg_cgroup_watch *w);

/* Called for each cgroup something happened in since the last drain;
 * name: the file in it that was written, or NULL. */
typedef void (*lrg_cgroup_changed_fn)(void *ctx, uint64_t id, const char *name);
/* reads of 4 KiB of events per drain, at most (about 200 events each) */
#define LRG_CGROUP_WATCH_MAX_READS 64
/*
 * Take every pending event, up to LRG_CGROUP_WATCH_MAX_READS reads; more
 * counts as events lost. *ret_reshaped: the tree may have changed shape
 * (a cgroup made, removed or renamed, a subtree_control written, or events
 * lost to a queue overflow, after which nothing said here is whole).
 * 1 when events were lost (everything must be read again), 0 otherwise,
 * -errno when the events cannot be read.
 */
int lrg_cgroup_watch_drain(struct lrg_cgroup_watch *w, lrg_cgroup_changed_fn fn, void *ctx,
			   bool *ret_reshaped);

#endif /* LRG_CGROUP_WATCH_H */
