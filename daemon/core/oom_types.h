/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom_types.h - the OOM path's shared types: one candidate as the ranking
 * sees it, its tier, and the counters of the decisions. The decision
 * (oom_decide.h), the ranking (oom_select.h), the daemon's act and the
 * control socket's renderers (control_json.h) all use these.
 */
#ifndef LRG_OOM_TYPES_H
#define LRG_OOM_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lrg_config.h"

/* Growth is compared in steps of this many pages (64 MiB), so that two
 * processes that grew about as much are ordered by size instead. */
#define LRG_OOM_GROWTH_STEP_PAGES 16384ULL
/* A process's growth counts toward its cgroup's from 1 MiB; the sum is
 * taken over the first 512 such processes (oom_select.c). */
#define LRG_OOM_GROUP_MIN_PAGES 256ULL
#define LRG_OOM_GROUP_GROWERS 512

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
	uid_t uid, euid;              /* real and effective; (uid_t)-1 if unknown */
	const char *cgroup;           /* path of the memcg it is charged to, may be NULL */
	const char *own_cgroup;       /* its own cgroup (/proc/PID/cgroup), NULL if unknown */
	const struct lrg_slice_config *slice; /* NULL: no slice rules */
	uint64_t rss_pages;
	uint64_t swap_pages;          /* swapped out (VmSwap) */
	/* RSS + swap growth since the pressure episode began: pages that
	 * come back from swap are not growth */
	uint64_t growth_pages;
	int oom_score_adj;
	bool is_self;                 /* lrugend itself */
	bool is_kthread;
	/* outputs of lrg_oom_select */
	enum lrg_oom_tier tier;
	int64_t badness;              /* rss adjusted by oom_score_adj, in pages */
	const char *reason;           /* why excluded, or why chosen first */
	bool by_protect_rule;         /* excluded by a protect pattern, not by a fact */
	/* what the candidates of its own cgroup that may be killed grew
	 * together: a runaway split into many small processes is one */
	uint64_t group_growth_pages;
};

/* What the OOM path did since the daemon started (lrugenctl status). */
struct lrg_oom_stats {
	uint64_t decisions, kills, dry_run_kills, guarded, no_victim, kill_errors;
	uint64_t respawn_escalations;   /* respawn loops ended by killing their cgroup */
};

#endif /* LRG_OOM_TYPES_H */
