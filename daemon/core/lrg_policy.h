/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrg_policy.h - the policy engine as the daemon's loop (or the simulator's
 * virtual-time loop) drives it. The engine owns, per memory cgroup, the mm
 * list, the generations and the Bloom filters; it talks to the kernel only
 * through struct lrg_backend, takes time as an argument and never logs:
 * every decision it makes is returned to the caller, which logs it.
 */
#ifndef LRG_POLICY_H
#define LRG_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lrg_config.h"

struct lrg_policy;

/* Totals since the engine was created (the simulator's summary, lrugenctl). */
struct lrg_policy_stats {
	uint64_t aging_passes;      /* iterations of an mm list */
	uint64_t gens_created;      /* max_seq increments */
	uint64_t harvests;          /* backend harvest calls */
	uint64_t harvests_contended;
	uint64_t pte_total;         /* seeds' walk counters, summed */
	uint64_t pte_young;
	uint64_t pmd_total;
	uint64_t pmd_found;         /* Bloom filter hits */
	uint64_t pmd_added;
	uint64_t pages_evicted;
	uint64_t evict_calls;
	uint64_t direct_reclaims;   /* synchronous reclaim requests from the backend */
	uint64_t ttl_refusals;      /* evictions refused to keep min_ttl */
	uint64_t oom_decisions;     /* times the working set could not be kept */
	uint64_t refreshes;         /* full re-lists (lrg_policy_refresh) */
	uint64_t relists;           /* targeted re-lists (lrg_policy_refresh_marked) */
	uint64_t mms_added_live;    /* address spaces added from fork/exec events */
	uint64_t mms_dropped_live;  /* address spaces dropped by exit/exec events */
	uint64_t ticks_cut;         /* ticks whose aging the budget cut short */
	uint64_t agings_deferred;   /* due agings left for a later tick by the budget */
	uint64_t protected_bytes;   /* memory.min lrugend holds for working sets now */
	uint64_t protected_file_bytes; /* of it, page cache: not available to a runaway */
	uint64_t protect_writes;    /* memory.min writes */
	uint64_t protect_errors;    /* memory.min writes that failed */
	uint64_t kernel_oom_kills_guarded; /* the kernel's OOM kills while protecting */
};

/* Why the engine asks for an OOM decision in one domain. */
struct lrg_oom_request {
	uint64_t memcg_id;          /* the OOM domain: LRG_ROOT_MEMCG = machine */
	bool global;                /* machine-wide pressure, not a memcg at its limit */
	uint64_t oldest_age_ms;     /* age of the oldest eligible generation */
	uint32_t min_ttl_ms;        /* the slice's min_ttl that would be broken */
	struct lrg_pressure pressure;
	char slice[64];
	char reason[64];            /* why the working set cannot be kept */
	/* Filed on the thrash rule (lrg_thrashing): the domain may look free
	 * (the thrashed page cache counts as available), so the check just
	 * before the kill asks whether memory was freed since, not whether
	 * free memory is low. */
	bool thrashing;
	/* thrashing: when the window of that verdict began; evidence from
	 * before a victim's memory came back says nothing about after it */
	uint64_t evidence_ms;
};

#define LRG_MAX_OOM_REQUESTS 8

/* What one tick decided; the caller logs and acts on it. */
struct lrg_tick_result {
	uint64_t gens_created;
	uint64_t pages_evicted;
	size_t nr_oom;
	struct lrg_oom_request oom[LRG_MAX_OOM_REQUESTS];
	uint64_t next_tick_ms;      /* when the engine wants to run again */
	/* The tick budget ran out with aging still due: run again soon (after
	 * serving the event loop), next_tick_ms is now. */
	bool more;
	size_t nr_aged;             /* memcgs aged by time in this tick */
	size_t nr_deferred;         /* memcgs due but left for the next tick */
	/* the machine's figures this tick read (mem_total 0: none read) */
	struct lrg_pressure machine;
	/* ... its counters, PSI and OOM kill count the last full read's (a
	 * calm tick that looked at memory alone) */
	bool machine_carried;
	/* the machine is calm, and every memcg with address spaces paced
	 * down with it: the caller's listings may run every LRG_CALM_PACE_MS
	 * too */
	bool calm;
};

/* How often a calm machine is aged, measured and listed (tick.c). It is
 * looked at every poll_interval_ms all the same: a runaway that starts
 * must be seen at once. */
#define LRG_CALM_PACE_MS 5000

/* cfg is copied; b must outlive the engine. Installs b->direct_reclaim. */
int lrg_policy_new(struct lrg_backend *b, const struct lrg_config *cfg,
		   struct lrg_policy **ret);
void lrg_policy_free(struct lrg_policy *p);

/* Replace the config (SIGHUP); per-cgroup state is kept. */
int lrg_policy_set_config(struct lrg_policy *p, const struct lrg_config *cfg);

/* The caller is woken when tasks begin to stall on memory (a PSI
 * trigger): a calm machine is then looked at only as often as the
 * fastest allocator could end its calm (lrg_calm_look_ms), not every
 * poll_interval_ms. */
void lrg_policy_set_stall_wakes(struct lrg_policy *p, bool on);

/* The trigger fired: tasks stalled on memory beyond what a calm machine
 * tolerates. The next tick reads everything and ends calm. */
void lrg_policy_note_stall(struct lrg_policy *p);

/* Re-list memcgs and address spaces from the backend: add new ones, drop
 * exited ones, move migrated ones (the seeds' lru_gen_migrate_mm). */
int lrg_policy_refresh(struct lrg_policy *p, uint64_t now_ms);

/*
 * Live updates between re-lists (the proc connector's events): the
 * engine's lists follow processes at once:
 *
 *  LRG_POLICY_PROC_EXIT  the address space of (pid, start_time) is dropped
 *                        now (nothing else is touched: a pid reused by a
 *                        process listed meanwhile has another start time).
 *  LRG_POLICY_PROC_EXEC  the old address space is dropped now, and the new
 *                        one added as for NEW.
 *  LRG_POLICY_PROC_NEW   mm (as the backend's listing would report the
 *                        process's address space; pid and start_time must
 *                        match) is added to the process's memcg, unless it
 *                        is listed already. Without mm, the memcg is
 *                        marked for the next lrg_policy_refresh_marked.
 *
 * cgroup: the process's cgroup v2 path ("/user.slice/..."), used with a
 * memcg-aware backend to find its memcg (the deepest listed memcg whose
 * path contains it); NULL, or no memcg found: nothing is added and the
 * next re-list is a full one. Without LRG_CAP_MEMCG the one global list
 * takes it. mm->memcg_id is set to the memcg found.
 */
enum lrg_policy_proc_event {
	LRG_POLICY_PROC_NEW,
	LRG_POLICY_PROC_EXEC,
	LRG_POLICY_PROC_EXIT,
};
void lrg_policy_proc_event(struct lrg_policy *p, enum lrg_policy_proc_event ev, pid_t pid,
			   uint64_t start_time, const char *cgroup, const struct lrg_mm_info *mm);

/* True when events marked memcgs that no re-list has looked at since. */
bool lrg_policy_relist_pending(const struct lrg_policy *p);

/*
 * Re-list the marked memcgs only (all of them with a full refresh when a
 * mark needed one): add new address spaces, update listed ones, move
 * migrated ones. Drops nothing: exits come as events, and lost events are
 * the full refresh's business (lrg_policy_refresh).
 */
int lrg_policy_refresh_marked(struct lrg_policy *p, uint64_t now_ms);

/* Every address space on the engine's lists (tests, lrugenctl). */
typedef int (*lrg_policy_mm_fn)(void *ctx, uint64_t memcg_id, const struct lrg_mm_info *mm);
int lrg_policy_foreach_mm(const struct lrg_policy *p, lrg_policy_mm_fn fn, void *ctx);

/*
 * Age where due, evict where under pressure, check min_ttl.
 *
 * The work is bounded by the config's tick_budget_ms on the backend's
 * clock: due memcgs are aged least recently aged first until the budget is
 * spent (at least one per tick), the rest wait for the next tick, which
 * the result asks for at once (ret->more). Pressure handling (the memcgs
 * at their limit, the machine, the OOM requests) runs in every tick after
 * the aging slice, so aging other memcgs delays it by one budget at most.
 */
int lrg_policy_tick(struct lrg_policy *p, uint64_t now_ms, struct lrg_tick_result *ret);

/*
 * Benchmarks only: walk every address space whole on every aging pass, as
 * if there were no Bloom filters, so their saving can be measured on the
 * same trace (bench/bench-sim.sh).
 */
void lrg_policy_set_force_scan(struct lrg_policy *p, bool on);

void lrg_policy_get_stats(const struct lrg_policy *p, struct lrg_policy_stats *ret);

/* For lrugenctl gens / wss: visit every lruvec's generations. */
struct lrg_gens_view {
	uint64_t memcg_id;
	const char *path;
	const char *slice;
	uint64_t max_seq;
	uint64_t min_seq[LRG_NR_TYPES];
	int nr_gens;
	struct {
		uint64_t seq;
		uint64_t age_ms;
		uint64_t nr_pages[LRG_NR_TYPES];
	} gens[LRG_MAX_NR_GENS];
	size_t nr_mms;
	uint64_t protected_bytes;    /* of its working set, held by memory.min for it */
};
typedef int (*lrg_gens_fn)(void *ctx, const struct lrg_gens_view *v);
int lrg_policy_foreach_gens(const struct lrg_policy *p, uint64_t now_ms,
			    lrg_gens_fn fn, void *ctx);

#endif /* LRG_POLICY_H */
