/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_backend.h - a scripted backend for the core's unit tests: a few
 * address spaces with per-page present/young/anon bits that the test sets,
 * harvest that reports and clears them (honouring ranges, NONLEAF and
 * NO_ANON), evict that unmaps and counts, and pressure figures the test
 * writes. Time is a fake clock the test sets, which harvests (and kernel
 * agings) move on by harvest_cost_ms. Deterministic; no threads.
 */
#ifndef LRG_FAKE_BACKEND_H
#define LRG_FAKE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lruvec.h"

#define FAKE_MAX_MMS 256
#define FAKE_MAX_REGIONS 16
#define FAKE_MAX_MEMCGS 256

struct fake_region {
	uint64_t addr;
	uint64_t present[LRG_REGION_WORDS];
	uint64_t young[LRG_REGION_WORDS];
	uint64_t anon[LRG_REGION_WORDS];
	uint64_t locked[LRG_REGION_WORDS];  /* evict() cannot take these */
	bool nonleaf_young;
};

struct fake_mm {
	struct lrg_mm_info info;
	struct fake_region regions[FAKE_MAX_REGIONS];
	int nr_regions;
	bool gone;
	bool contended;       /* next harvest reports CONTENDED */
	uint64_t harvests;
	uint64_t last_nr_ranges; /* of the last harvest; UINT64_MAX = whole */
};

struct fake_backend {
	struct lrg_backend b;
	struct lrg_backend_ops ops;
	struct lrg_memcg_info memcgs[FAKE_MAX_MEMCGS];
	struct lrg_pressure pressure[FAKE_MAX_MEMCGS]; /* by memcg index */
	struct lrg_pressure global;
	int nr_memcgs;
	struct fake_mm mms[FAKE_MAX_MMS];
	int nr_mms;
	uint64_t now;
	/* simulated cost on the fake clock: each harvest (and each kernel
	 * aging, age()) moves now on by this many ms */
	uint64_t harvest_cost_ms;
	/* what happened */
	uint64_t harvest_calls, evict_calls, reclaim_calls;
	uint64_t measure_calls;    /* of a memcg other than the root */
	uint64_t measure_calls_by_memcg[FAKE_MAX_MEMCGS];
	uint64_t charge_calls_by_memcg[FAKE_MAX_MEMCGS]; /* of them, measure_charge */
	uint64_t machine_calls;    /* measure of the machine */
	uint64_t meminfo_calls;    /* measure_meminfo */
	uint64_t evicted[LRG_NR_TYPES];
	uint64_t evicted_by_memcg[FAKE_MAX_MEMCGS];
	uint64_t last_evict_seq_check; /* free for tests */
	/* LRG_CAP_KERNEL_GENS: the "kernel's" generations of the root memcg */
	struct lrg_lruvec kgens;
	uint64_t gens_unknown_memcg;   /* read_gens and age of it: -ENOENT (0: none) */
	uint64_t age_calls, evict_gen_calls, last_evict_gen_seq;
	int last_evict_gen_swappiness;
	/* protect(): writes memcgs[i].min; fail with this errno (0: none) */
	uint64_t protect_calls;
	int protect_errno;
};

void fake_init(struct fake_backend *f, unsigned int caps);
int fake_add_memcg(struct fake_backend *f, uint64_t id, const char *path);
struct fake_mm *fake_add_mm(struct fake_backend *f, uint64_t key, uint64_t memcg_id);
/* Map pages [first, first + nr) of the region at addr. */
void fake_map(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr, bool anon);
void fake_unmap(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr);
/* Set the accessed bit of pages (and the region's non-leaf bit). */
void fake_touch(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr);
void fake_lock(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr);
struct fake_region *fake_region(struct fake_mm *m, uint64_t addr);
bool fake_present(struct fake_mm *m, uint64_t addr);
/* Recompute info.nr_anon/nr_file from the present bits. */
void fake_recount(struct fake_mm *m);

#endif /* LRG_FAKE_BACKEND_H */
