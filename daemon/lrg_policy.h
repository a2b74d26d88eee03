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
};

#define LRG_MAX_OOM_REQUESTS 8

/* What one tick decided; the caller logs and acts on it. */
struct lrg_tick_result {
	uint64_t gens_created;
	uint64_t pages_evicted;
	size_t nr_oom;
	struct lrg_oom_request oom[LRG_MAX_OOM_REQUESTS];
	uint64_t next_tick_ms;      /* when the engine wants to run again */
};

/* cfg is copied; b must outlive the engine. Installs b->direct_reclaim. */
int lrg_policy_new(struct lrg_backend *b, const struct lrg_config *cfg,
		   struct lrg_policy **ret);
void lrg_policy_free(struct lrg_policy *p);

/* Replace the config (SIGHUP); per-cgroup state is kept. */
int lrg_policy_set_config(struct lrg_policy *p, const struct lrg_config *cfg);

/* Re-list memcgs and address spaces from the backend: add new ones, drop
 * exited ones, move migrated ones (the seeds' lru_gen_migrate_mm). */
int lrg_policy_refresh(struct lrg_policy *p, uint64_t now_ms);

/* Age where due, evict where under pressure, check min_ttl. */
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
};
typedef int (*lrg_gens_fn)(void *ctx, const struct lrg_gens_view *v);
int lrg_policy_foreach_gens(const struct lrg_policy *p, uint64_t now_ms,
			    lrg_gens_fn fn, void *ctx);

#endif /* LRG_POLICY_H */
