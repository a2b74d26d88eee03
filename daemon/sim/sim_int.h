/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim_int.h - the simulator's internal model, shared by its source files.
 */
#ifndef LRG_SIM_INT_H
#define LRG_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lrg_backend.h"
#include "sim.h"

#define SIM_NONE UINT32_MAX
#define SIM_NO_LIMIT UINT64_MAX

/* ---- workload description (sim_workload.c) ---- */

enum sim_pattern_kind { PAT_UNIFORM, PAT_ZIPF, PAT_SEQ, PAT_GROW, PAT_SWEEP };

struct sim_area_spec {
	char name[32];
	uint64_t pages;
	bool anon, huge;
};

struct sim_pattern_spec {
	enum sim_pattern_kind kind;
	int area;
	uint64_t off, len;        /* pages within the area */
	double rate;              /* touches/s; PAT_GROW: pages/s */
	double zipf_s;
	bool loop;
	int write_pct;
	uint64_t from_ms, until_ms; /* relative to process start; until 0 = forever */
	uint32_t period_ms;       /* PAT_SWEEP */
	int line;
};

struct sim_sleep_spec {
	uint64_t at_ms, for_ms, every_ms; /* every 0 = once */
};

struct sim_proc_spec {
	char name[32];
	char comm[16];
	int cgroup;               /* index into memcgs; 0 = root */
	uint64_t start_ms, stop_ms; /* stop 0 = runs to the end */
	int count;
	bool protect;
	int oom_score_adj;
	struct sim_area_spec *areas;
	int nr_areas;
	struct sim_pattern_spec *pats;
	int nr_pats;
	struct sim_sleep_spec *sleeps;
	int nr_sleeps;
};

struct sim_cgroup_spec {
	char name[32];
	char path[256];
	uint64_t max, min, low, high; /* pages; SIM_NO_LIMIT = none */
};

struct sim_machine_spec {
	uint64_t ram_pages, swap_pages;
	uint64_t seed;
	uint64_t duration_ms, tick_ms;
	uint32_t swapin_us, swapout_us, disk_read_us, disk_write_us;
	uint64_t min_free_pages;  /* 0 = ram/100 */
	int pid_max;
	int swappiness;
	uint32_t direct_batch;
	uint32_t refresh_ms;
	int kswapd;               /* SIM_KSWAPD_* */
	bool nonleaf;             /* offer LRG_CAP_NONLEAF_YOUNG */
	bool aging_full_scan;     /* benchmark: the policy walks every mm whole (no Bloom filters) */
};

enum { SIM_KSWAPD_HOOK, SIM_KSWAPD_CLASSIC, SIM_KSWAPD_OFF };

struct sim_workload {
	char path[256];
	struct sim_machine_spec m;
	struct sim_cgroup_spec *cgroups; /* [0] is the root */
	int nr_cgroups;
	struct sim_proc_spec *procs;
	int nr_procs;
};

int sim_workload_load(const char *path, const char *const *overrides, size_t nr_overrides,
		      struct sim_workload *ret, char *err, size_t errlen);
void sim_workload_free(struct sim_workload *w);

/* ---- the machine (sim_model.c) ---- */

enum { PTE_PRESENT = 1, PTE_YOUNG = 2, PTE_DIRTY = 4, PTE_SWAP = 8, PTE_SHADOW = 16 };
enum { PMD_YOUNG = 1, PMD_HUGE = 2 };

struct sim_pte {
	uint32_t val;             /* frame if present, else the shadow (eviction age) */
	uint8_t flags;
};

struct sim_table {
	struct sim_pte pte[LRG_PTES_PER_PMD];
	uint16_t nr_present;
};

struct sim_vma {
	const struct sim_area_spec *spec;
	uint64_t start, end;
	uint64_t nr_pages;
	uint32_t nr_regions;
	struct sim_table **tables;
	uint8_t *pmd;
};

enum { LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, NR_LRU,
       LRU_FREE = 0xff };
enum { FR_REFERENCED = 1, FR_ANON = 2 };

struct sim_frame {
	uint32_t prev, next;
	uint32_t proc;
	uint32_t pgoff;
	uint16_t vma;
	uint16_t memcg;
	uint8_t lru;
	uint8_t flags;
};

struct sim_list {
	uint32_t head, tail;
	uint64_t n;
};

struct sim_memcg {
	const struct sim_cgroup_spec *spec;
	uint64_t id;
	uint64_t charged, nr_anon, nr_file, swap;
	struct sim_list lru[NR_LRU];
	uint32_t nonresident_age;
	uint64_t refaults[LRG_NR_TYPES];
	uint64_t pgscan, pgsteal, oom_kills;
	uint64_t psi_some_us, psi_full_us;
	double psi_some_avg10, psi_full_avg10;
	int nr_procs;
};

enum { PROC_PENDING, PROC_RUNNING, PROC_EXITED, PROC_KILLED };

struct sim_pat_state {
	double acc;               /* fractional touches carried over */
	uint64_t pos;             /* seq: next page; grow: pages grown */
	bool done;
	uint64_t next_sweep_ms;
	double *cdf;              /* zipf */
};

struct sim_proc {
	const struct sim_proc_spec *spec;
	char name[32];
	int state;
	pid_t pid;
	uint64_t start_time, mm_key;
	uint64_t started_ms;
	uint16_t memcg;
	struct sim_vma *vmas;
	int nr_vmas;
	struct sim_pat_state *ps;
	uint64_t nr_anon, nr_file, swap;
	uint64_t cpu_ns;
	int64_t debt_us;          /* waiting still to be served (IO and memory) */
	int64_t mem_debt_us;      /* the part of it that is a memory stall */
	uint64_t tick_stall_us;   /* memory stall served this tick (PSI) */
	uint64_t refaults;
	uint64_t stall_us;        /* all memory stall served, for the report */
	bool ran;                 /* not asleep this tick */
	uint64_t rng[4];
	uint64_t rss_hist[10];    /* rss at each of the last 10 seconds */
	uint64_t rss_growth;
};

struct sim_stats {
	uint64_t faults, refaults[LRG_NR_TYPES];
	uint64_t pgscan, pgsteal;
	uint64_t evicted_policy, reclaimed_classic;
	uint64_t direct_reclaims, hook_pages, kswapd_wakeups;
	uint64_t swap_peak;
	uint64_t harvests, harvest_pte, harvest_pmd;
	uint64_t harvest_full, harvest_pte_nonleaf;
	uint64_t oom_kills_kernel, oom_kills_policy;
	uint64_t psi_some_us, psi_full_us;
	double psi_some_avg10, psi_full_avg10;
	double psi_some_avg10_max, psi_full_avg10_max;
	uint64_t sweeps, sweep_stall_us;
	uint64_t writeback_us;
};

struct lrg_sim {
	struct lrg_backend b;     /* first: the backend view */
	struct sim_workload w;
	enum lrg_sim_policy policy;
	uint64_t now_us;
	uint64_t ticks;
	uint64_t generation;
	struct sim_frame *frames;
	uint32_t free_head;
	uint64_t nr_free;
	uint64_t wmark_min, wmark_low, wmark_high;
	uint64_t swap_used;
	struct sim_memcg *memcgs;
	int nr_memcgs;
	struct sim_proc *procs;
	int nr_procs;
	int next_pid;
	uint64_t next_mm_key;
	/* The task whose fault is in reclaim: writeback it waits for stalls it. */
	struct sim_proc *cur;
	uint64_t cur_stall_us;
	bool in_reclaim;
	struct sim_stats st;
	uint64_t *sweep_lat;      /* µs, one per interactive sweep */
	size_t nr_sweep, cap_sweep;
	struct lrg_sim_kill kills[LRG_SIM_MAX_KILLS];
	size_t nr_kills;
};

#endif /* LRG_SIM_INT_H */
