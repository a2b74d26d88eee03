/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evict.h - eviction from the oldest generation first (the seeds'
 * evict_folios/isolate_folios): pick the type (the one with the older
 * min_seq; anon only when swappiness > 0 and swap is there; swappiness
 * weighs anon against file when both are equally old), gather the pages of
 * that generation mm by mm into batched page ranges, look around them
 * (pages used since the last aging are promoted, not evicted), page the
 * rest out through backend->evict, then drop empty generations
 * (try_to_inc_min_seq).
 *
 * No allocation: the range buffer is preallocated in lrg_evict_init, so
 * the policy's direct reclaim hook, which runs when the (simulated) kernel
 * is out of memory, never asks for memory itself.
 *
 * memory.min / memory.low are the policy's business (which lruvec to take
 * from); this module evicts from the lruvec it is given.
 */
#ifndef LRG_EVICT_H
#define LRG_EVICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aging.h"
#include "lrg_backend.h"
#include "lruvec.h"
#include "mmlist.h"

struct lrg_evict {
	struct lrg_backend *b;
	struct lrg_aging *look;      /* for look-around; NULL: none */
	struct lrg_range *ranges;
	size_t max_ranges;
};

struct lrg_evict_args {
	struct lrg_lruvec *lv;
	struct lrg_mm_list *list;
	int node;
	int swappiness;   /* 0..200; the caller passes 0 when there is no swap */
	uint64_t now_ms;
};

struct lrg_evict_result {
	uint64_t evicted;       /* pages the backend freed */
	uint64_t forgotten;     /* pages taken off the generations */
	uint64_t calls;         /* backend evict calls */
	uint64_t promoted;      /* rescued by look-around */
	struct lrg_aging_result look;
};

int lrg_evict_init(struct lrg_evict *e, struct lrg_backend *b, struct lrg_aging *look,
		   size_t max_ranges);
void lrg_evict_destroy(struct lrg_evict *e);

/* The type to evict next, or -1 if no generation is eligible (aging due). */
int lrg_evict_type(const struct lrg_lruvec *lv, int swappiness);

/*
 * Evict up to nr_to_reclaim pages, oldest generation first. Returns 0 when
 * something was evicted or the target met, -EAGAIN when no generation is
 * eligible (age first), other negative errno on failure. *ret is filled in
 * every case but a failure before any work.
 */
int lrg_evict_pages(struct lrg_evict *e, const struct lrg_evict_args *args, uint64_t nr_to_reclaim,
		    struct lrg_evict_result *ret);

#endif /* LRG_EVICT_H */
