/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom_scan.h - the facts an OOM decision rests on, read from the machine:
 * the memcgs and processes of the domain (through the backend), each
 * process's executable, swap (VmSwap) and own cgroup (/proc/PID/...), and
 * the growth baseline: every address space's RSS + swap at the last calm
 * moment.
 *
 * The storage is sized outside the kill path (lrg_oom_scan_baseline and
 * lrg_oom_scan_grow allocate); lrg_oom_scan_collect only fills it. When
 * the domain does not fit, the facts say so (complete = false) and the
 * decision is left to the kernel rather than made on part of them.
 */
#ifndef LRG_OOM_SCAN_H
#define LRG_OOM_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "oom_decide.h"

struct lrg_oom_scan;

/*
 * proc_root is "/proc" on a real machine; cgroup_root the cgroup2 mount,
 * or NULL when there is none (own cgroups are then unknown). A backend
 * with virtual time has no /proc of its own: a candidate's own cgroup is
 * then its memcg, and exe and swap are unknown.
 */
int lrg_oom_scan_new(struct lrg_backend *b, const char *proc_root, const char *cgroup_root,
		     struct lrg_oom_scan **ret);
void lrg_oom_scan_free(struct lrg_oom_scan *s);

/*
 * Take the growth baseline, and make room for a collection over as many
 * memcgs and processes as it saw, with headroom. Allocates. The old
 * baseline stays if a listing fails.
 */
int lrg_oom_scan_baseline(struct lrg_oom_scan *s);

/*
 * Read the candidates of one OOM domain (the machine, or memcg_id and
 * everything below it) into the storage, allocating nothing. *ret points
 * into s, valid until the next call. -ENOENT if the memcg is not listed.
 * ret->machine_after is left NULL: the caller's look.
 */
int lrg_oom_scan_collect(struct lrg_oom_scan *s, bool global, uint64_t memcg_id,
			 struct lrg_oom_facts *ret);

/* After a collection that did not fit: room for what it saw. Allocates. */
int lrg_oom_scan_grow(struct lrg_oom_scan *s);

/* The path of a memcg as last listed; NULL if it was not. */
const char *lrg_oom_scan_memcg_path(const struct lrg_oom_scan *s, uint64_t memcg_id);

#endif /* LRG_OOM_SCAN_H */
