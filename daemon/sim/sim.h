/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim.h - the simulated kernel (liblrgsim.a): a machine model in virtual
 * time behind struct lrg_backend, and the runner that drives lrugend's
 * policy engine (or the built-in classic two-list LRU) over a workload file
 * (docs/sim-workload.md). Deterministic for a given seed. Never logs: errors
 * come back as negative errno plus a message in err.
 */
#ifndef LRG_SIM_H
#define LRG_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lrg_backend.h"
#include "config_load.h"

enum lrg_sim_policy {
	LRG_SIM_LRUGEND = 0,  /* lrugend's policy engine drives aging/eviction */
	LRG_SIM_CLASSIC = 1,  /* no lrugend: the sim kernel's active/inactive LRU */
};

#define LRG_SIM_MAX_KILLS 16
#define LRG_SIM_MAX_PROCS 32

/* One process instance at the end of the run. */
struct lrg_sim_proc_report {
	char name[32];
	char state[8];           /* pending, running, exited, killed */
	pid_t pid;
	uint64_t refaults;
	uint64_t stall_us;       /* memory stall (refaults, direct reclaim) */
	uint64_t rss_pages, swap_pages;
};

/* One OOM kill, by the sim kernel or on the policy's OOM decision. */
struct lrg_sim_kill {
	uint64_t t_ms;
	pid_t pid;
	char name[32];           /* workload instance name */
	char by[8];              /* "kernel" or "policy" */
	uint64_t rss_pages;
};

struct lrg_sim_report {
	enum lrg_sim_policy policy;
	uint64_t duration_ms;
	uint64_t ticks;
	uint64_t faults;
	uint64_t refaults_anon, refaults_file;
	uint64_t pages_evicted;          /* every path: evict() + classic reclaim */
	uint64_t pages_evicted_policy;   /* through ops->evict */
	uint64_t pages_reclaimed_classic;
	uint64_t pgscan, pgsteal;
	uint64_t direct_reclaims;        /* allocations that entered direct reclaim */
	uint64_t direct_reclaim_hook_pages; /* freed by the policy's hook */
	uint64_t kswapd_wakeups;
	uint64_t swap_used_peak_pages;
	uint64_t harvests, harvest_pte_total, harvest_pmd_total;
	uint64_t harvest_full_walks;     /* harvests of a whole mm (ranges NULL) */
	uint64_t harvest_pte_nonleaf;    /* PTEs walked for a young non-leaf entry outside the ranges */
	/* the policy engine's own totals (0 in classic mode) */
	uint64_t aging_passes, gens_created, pte_scanned, bloom_hits;
	uint64_t policy_direct_reclaims, ttl_refusals;
	uint64_t oom_decisions;          /* OOM requests from the engine */
	uint64_t oom_kills_policy, oom_kills_kernel;
	size_t nr_kills;                 /* recorded in kills[], at most LRG_SIM_MAX_KILLS */
	struct lrg_sim_kill kills[LRG_SIM_MAX_KILLS];
	uint64_t interactive_sweeps;
	uint64_t interactive_stall_us;
	uint64_t interactive_p99_us, interactive_max_us;
	uint64_t psi_some_us, psi_full_us;
	double psi_some_avg10_max, psi_full_avg10_max;
	size_t nr_procs;                 /* the first LRG_SIM_MAX_PROCS instances */
	struct lrg_sim_proc_report procs[LRG_SIM_MAX_PROCS];
};

/*
 * Run the workload to its end in virtual time. overrides are "section.key=value"
 * strings applied after the file ("machine.ram_mib=128",
 * "process web.count=2"). cfg may be NULL in classic mode (and then means the
 * built-in defaults in lrugend mode). On error returns a negative errno and
 * puts the reason in err; *ret is untouched.
 */
int lrg_sim_run(const char *workload_path, const struct lrg_config *cfg,
		enum lrg_sim_policy which, struct lrg_sim_report *ret, char *err, size_t errlen);
int lrg_sim_run_ex(const char *workload_path, const char *const *overrides, size_t nr_overrides,
		   const struct lrg_config *cfg, enum lrg_sim_policy which,
		   struct lrg_sim_report *ret, char *err, size_t errlen);

/* One "key: value" per line; the keys are stable (docs/sim-workload.md). */
void lrg_sim_report_print(const struct lrg_sim_report *r, FILE *f);

/*
 * The model itself, for the runner and the unit tests.
 */
struct lrg_sim;

int lrg_sim_load(const char *workload_path, const char *const *overrides, size_t nr_overrides,
		 struct lrg_sim **ret, char *err, size_t errlen);
void lrg_sim_free(struct lrg_sim *s);
/* The backend view; valid until lrg_sim_free. */
struct lrg_backend *lrg_sim_backend(struct lrg_sim *s);
/* Which reclaim the sim kernel's kswapd uses (the runner sets it). */
void lrg_sim_set_policy(struct lrg_sim *s, enum lrg_sim_policy which);
/* Advance one tick; returns 1 while time remains, 0 at the end. */
int lrg_sim_step(struct lrg_sim *s);
/* Bumped whenever a process starts or exits: the runner refreshes then. */
uint64_t lrg_sim_generation(const struct lrg_sim *s);
void lrg_sim_fill_report(const struct lrg_sim *s, struct lrg_sim_report *ret);
/* Record a kill made on the policy's behalf (the runner's OOM decision). */
int lrg_sim_pick_victim(struct lrg_sim *s, uint64_t memcg_id, bool global,
			struct lrg_kill_req *ret_req);
void lrg_sim_note_policy_kill(struct lrg_sim *s, pid_t pid);

/* Test hooks: look at and poke single pages. */
struct lrg_sim_page_state {
	bool present, young, dirty, swapped, huge;
	bool active;       /* on the classic LRU's active list */
	bool referenced;   /* PG_referenced */
};
int lrg_sim_find_mm(struct lrg_sim *s, const char *name, struct lrg_mm_info *ret);
int lrg_sim_area_addr(struct lrg_sim *s, uint64_t mm_key, const char *area, uint64_t *ret);
int lrg_sim_touch(struct lrg_sim *s, uint64_t mm_key, uint64_t addr, bool write);
int lrg_sim_page_state(struct lrg_sim *s, uint64_t mm_key, uint64_t addr,
		       struct lrg_sim_page_state *ret);
/* Run the classic LRU's reclaim on a memcg (LRG_ROOT_MEMCG: all). */
uint64_t lrg_sim_classic_reclaim(struct lrg_sim *s, uint64_t memcg_id, uint64_t nr_pages);
/* Exit a process now, as if it ended normally. */
int lrg_sim_exit(struct lrg_sim *s, uint64_t mm_key);

#endif /* LRG_SIM_H */
