/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom_select.h - choosing the OOM victim: a pure function of the
 * candidates, so unit tests and the simulator use exactly what the daemon
 * uses. Never logs.
 */
#ifndef LRG_OOM_SELECT_H
#define LRG_OOM_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oom_types.h"

/*
 * Rank candidates (fills tier/badness/reason of each) and choose the
 * victim: highest tier, then most growth of its cgroup, then of its own
 * (both in LRG_OOM_GROWTH_STEP_PAGES steps), then highest badness. total_pages scales oom_score_adj as the
 * kernel does (adj/1000 of memory). Returns 0 and *ret_index, or -ESRCH
 * if every candidate is excluded.
 */
int lrg_oom_select(struct lrg_oom_candidate *c, size_t n, const struct lrg_patterns *global_protect,
		   uint64_t total_pages, size_t *ret_index);

/* Compare two ranked candidates: > 0 when a should die before b. */
int lrg_oom_compare(const struct lrg_oom_candidate *a, const struct lrg_oom_candidate *b);

#endif /* LRG_OOM_SELECT_H */
