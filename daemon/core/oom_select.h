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

#include "lrg_config.h"
#include "match.h"

/* Growth is compared in steps of this many pages (64 MiB), so that two
 * processes that grew about as much are ordered by size instead. */
#define LRG_OOM_GROWTH_STEP_PAGES 16384ULL

enum lrg_oom_tier {
	LRG_TIER_EXCLUDED = -1, /* never killed: protected, never, -1000, init, self */
	LRG_TIER_AVOID = 0,     /* matches an avoid pattern: last resort */
	LRG_TIER_NORMAL = 1,
	LRG_TIER_PREFER = 2,    /* matches a prefer pattern: first */
};

struct lrg_oom_candidate {
	/* inputs */
	pid_t pid;
	uint64_t start_time;
	uint64_t memcg_id;
	char comm[16];
	const char *exe;              /* may be NULL */
	bool exe_trusted;             /* see struct lrg_proc_facts */
	const char *cgroup;           /* cgroup path, may be NULL */
	uid_t uid, euid;              /* real and effective; (uid_t)-1 if unknown */
	const struct lrg_slice_config *slice; /* NULL: no slice rules */
	uint64_t rss_pages;
	uint64_t growth_pages;        /* RSS growth since the pressure episode began */
	int oom_score_adj;
	bool is_self;                 /* lrugend itself */
	bool is_kthread;
	/* outputs of lrg_oom_select */
	enum lrg_oom_tier tier;
	int64_t badness;              /* rss adjusted by oom_score_adj, in pages */
	const char *reason;           /* why excluded, or why chosen first */
};

/*
 * Rank candidates (fills tier/badness/reason of each) and choose the
 * victim: highest tier, then most growth (in LRG_OOM_GROWTH_STEP_PAGES
 * steps), then highest badness. total_pages scales oom_score_adj as the
 * kernel does (adj/1000 of memory). Returns 0 and *ret_index, or -ESRCH
 * if every candidate is excluded.
 */
int lrg_oom_select(struct lrg_oom_candidate *c, size_t n, const struct lrg_patterns *global_protect,
		   uint64_t total_pages, size_t *ret_index);

/* Compare two ranked candidates: > 0 when a should die before b. */
int lrg_oom_compare(const struct lrg_oom_candidate *a, const struct lrg_oom_candidate *b);

#endif /* LRG_OOM_SELECT_H */
