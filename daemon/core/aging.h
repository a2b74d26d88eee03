/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aging.h - the seeds' try_to_inc_max_seq in user space: iterate a memcg's
 * mm list (get_next_mm), harvest each mm's accessed bits through the
 * backend (walk_mm), move young pages into max_seq (folio_update_gen),
 * carry dense regions into the next generation's Bloom filter
 * (walk_pmd_range + suitable_to_scan), then create the next generation
 * (inc_max_seq).
 *
 * Allocation: the range scratch is preallocated in lrg_aging_init. The
 * pagemap grows only when args->may_grow; the policy clears it when aging
 * runs inside direct reclaim, so that path never allocates (the concern
 * Michal Hocko raised about kvzalloc() of the walk in the reclaim path):
 * regions first seen there are skipped and picked up by the next regular
 * aging.
 *
 * The mmap lock: the backend takes it with a trylock (the seeds'
 * mmap_read_trylock) and reports LRG_HARVEST_CONTENDED; a contended mm is
 * simply not swept this time, its pages keep their generations, and the
 * "ran" hint makes it walked again next iteration.
 */
#ifndef LRG_AGING_H
#define LRG_AGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lruvec.h"
#include "mmlist.h"
#include "pagemap.h"

/* The engine's per-mm data behind lrg_mm->priv. */
struct lrg_mm_priv {
	struct lrg_pagemap pm;
	uint64_t full_seq;       /* max_seq at the last full scan */
	uint64_t last_run_stamp;
};

static inline struct lrg_pagemap *lrg_mm_pagemap(struct lrg_mm *mm)
{
	return &((struct lrg_mm_priv *)mm->priv)->pm;
}

struct lrg_aging {
	struct lrg_backend *b;
	struct lrg_range *ranges;   /* scratch: one harvest's ranges */
	uint64_t *addrs;            /* scratch: candidate regions, to sort */
	size_t max_ranges;
	uint32_t epoch;
};

struct lrg_aging_args {
	struct lrg_lruvec *lv;
	struct lrg_mm_list *list;
	int node;
	bool can_swap;     /* walk anon too (swap on and swappiness > 0) */
	bool force_scan;   /* walk every mm whole */
	bool may_grow;     /* the pagemap may allocate (not in direct reclaim) */
	uint64_t now_ms;
};

struct lrg_aging_result {
	bool created;      /* this walker created max_seq + 1 */
	uint64_t mms_walked;
	uint64_t harvests;
	uint64_t contended;
	uint64_t stats[LRG_NR_MM_STATS];
};

int lrg_aging_init(struct lrg_aging *a, struct lrg_backend *b, size_t max_ranges);
void lrg_aging_destroy(struct lrg_aging *a);

/* suitable if the average number of young PTEs per cache line is >= 1 */
bool lrg_suitable_to_scan(unsigned int total, unsigned int young);

/*
 * One walker's part of creating generation max_seq + 1 (max_seq as read
 * before; a stale one does nothing). *ret is filled on success; a negative
 * errno only for -ENOMEM or a broken backend.
 */
int lrg_try_to_inc_max_seq(struct lrg_aging *a, const struct lrg_aging_args *args,
			   uint64_t max_seq, struct lrg_aging_result *ret);

/*
 * The aging is due: get_nr_evictable's rule (few generations and few aged
 * file pages) when eviction wants pages (want_evict), or the youngest
 * generation is older than interval_ms (0: never by time), so that
 * generations stay a time scale for min_ttl and proactive eviction.
 */
bool lrg_aging_due(const struct lrg_lruvec *lv, bool can_swap, bool want_evict,
		   uint32_t interval_ms, uint64_t now_ms);

/*
 * lru_gen_look_around for a batch eviction is about to take: harvest the
 * PMD regions covering ranges of mm, so pages used since the last aging
 * move to max_seq instead of being evicted, and dense regions join the
 * Bloom filter of max_seq (the feedback loop from eviction to aging).
 * Never grows the pagemap. 0 or a negative errno (-ESRCH: mm gone).
 */
int lrg_look_around(struct lrg_aging *a, const struct lrg_aging_args *args, struct lrg_mm *mm,
		    const struct lrg_range *ranges, size_t nr, struct lrg_aging_result *res);

#endif /* LRG_AGING_H */
