// SPDX-License-Identifier: GPL-2.0-only
/*
 * evict.c - see evict.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evict.h"

int lrg_evict_init(struct lrg_evict *e, struct lrg_backend *b, struct lrg_aging *look,
		   size_t max_ranges)
{
	memset(e, 0, sizeof(*e));
	e->ranges = calloc(max_ranges, sizeof(*e->ranges));
	if (!e->ranges)
		return -ENOMEM;
	e->b = b;
	e->look = look;
	e->max_ranges = max_ranges;
	return 0;
}

void lrg_evict_destroy(struct lrg_evict *e)
{
	free(e->ranges);
	memset(e, 0, sizeof(*e));
}

int lrg_evict_type(const struct lrg_lruvec *lv, int swappiness)
{
	bool anon = swappiness > 0 && lrg_lruvec_evictable_gen(lv, LRG_ANON);
	bool file = lrg_lruvec_evictable_gen(lv, LRG_FILE);
	uint64_t na, nf;

	if (!anon)
		return file ? LRG_FILE : -1;
	if (!file)
		return LRG_ANON;
	/* the older generation first, whatever its type */
	if (lv->min_seq[LRG_ANON] < lv->min_seq[LRG_FILE])
		return LRG_ANON;
	if (lv->min_seq[LRG_FILE] < lv->min_seq[LRG_ANON])
		return LRG_FILE;
	if (swappiness >= 200)
		return LRG_ANON;
	/*
	 * Equally old: swappiness is the relative cost of anon vs file I/O
	 * (vm.swappiness semantics, 100 = equal). Take the type whose oldest
	 * generation is larger after weighting, so both drain in proportion.
	 */
	na = (uint64_t)lv->nr_pages[lrg_gen_from_seq(lv->min_seq[LRG_ANON])][LRG_ANON] * swappiness;
	nf = (uint64_t)lv->nr_pages[lrg_gen_from_seq(lv->min_seq[LRG_FILE])][LRG_FILE] *
	     (200 - swappiness);
	return na > nf ? LRG_ANON : LRG_FILE;
}

/* Cut ranges so they hold at most max pages; returns the new count. */
static size_t trim(struct lrg_range *r, size_t n, uint64_t max, uint64_t *ret_pages)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t p = (r[i].end - r[i].start) >> LRG_PAGE_SHIFT;

		if (pages + p >= max) {
			r[i].end = r[i].start + ((max - pages) << LRG_PAGE_SHIFT);
			*ret_pages = max;
			return i + 1;
		}
		pages += p;
	}
	*ret_pages = pages;
	return n;
}

/* One mm's share of generation seq of type: returns pages taken off. */
static int evict_mm(struct lrg_evict *e, const struct lrg_evict_args *args, struct lrg_mm *mm,
		    int type, uint64_t seq, uint64_t budget, struct lrg_evict_result *res)
{
	struct lrg_pagemap *pm = lrg_mm_pagemap(mm);
	struct lrg_pm_cursor cur = { 0, 0 };
	struct lrg_aging_args aa = {
		.lv = args->lv, .list = args->list, .node = args->node,
		.can_swap = args->swappiness > 0, .may_grow = false, .now_ms = args->now_ms,
	};
	uint64_t taken = 0;

	while (taken < budget && !lrg_pagemap_cursor_done(pm, &cur)) {
		struct lrg_pm_cursor again = cur;
		uint64_t pages, freed = 0, gone;
		size_t n;
		int err;

		n = lrg_pagemap_collect(pm, args->lv, type, seq, e->ranges, e->max_ranges, &cur, &pages);
		if (!n)
			break;
		if (e->look) {
			uint64_t before = pages;

			/* promote what was used since the aging, then gather again */
			err = lrg_look_around(e->look, &aa, mm, e->ranges, n, &res->look);
			if (err == -ESRCH)
				return 0;
			if (err < 0)
				return err;
			cur = again;
			n = lrg_pagemap_collect(pm, args->lv, type, seq, e->ranges, e->max_ranges,
						&cur, &pages);
			if (pages < before)
				res->promoted += before - pages;
			if (!n)
				continue;
		}
		n = trim(e->ranges, n, budget - taken, &pages);
		err = e->b->ops->evict(e->b, &mm->info, e->ranges, n, &freed);
		res->calls++;
		if (err == -ESRCH) {
			lrg_mm_set_gone(mm);
			lrg_pagemap_release(pm, args->lv);
			return 0;
		}
		/*
		 * Whatever happened, these pages leave the generation: a page
		 * the backend could not take (locked, under writeback, raced
		 * with a fault) is found again by the next aging, which walks
		 * its region because we put it in the Bloom filter now.
		 */
		gone = lrg_pagemap_forget(pm, args->lv, type, e->ranges, n, err < 0 || freed < pages);
		res->forgotten += gone;
		if (err < 0 || freed < pages) {
			for (size_t i = 0; i < n; i++)
				lrg_bloom_set(&args->list->state[args->node].bloom, args->lv->max_seq,
					      mm->info.mm_key, e->ranges[i].start & LRG_PMD_MASK);
		}
		if (err >= 0)
			res->evicted += freed;
		taken += gone;
	}
	return 0;
}

int lrg_evict_pages(struct lrg_evict *e, const struct lrg_evict_args *args, uint64_t nr_to_reclaim,
		    struct lrg_evict_result *ret)
{
	struct lrg_evict_result res;
	bool can_swap = args->swappiness > 0;
	int err = 0;

	memset(&res, 0, sizeof(res));
	if (!e->b->ops->evict) {
		*ret = res;
		return -EOPNOTSUPP;
	}
	while (res.forgotten < nr_to_reclaim) {
		int type = lrg_evict_type(args->lv, args->swappiness);
		uint64_t seq, before = res.forgotten, before_promoted = res.promoted;
		struct lrg_list_head *h;

		if (type < 0) {
			if (!res.forgotten && !res.promoted)
				err = -EAGAIN;
			break;
		}
		seq = args->lv->min_seq[type];

		pthread_mutex_lock(&args->list->lock);
		for (h = args->list->fifo.next; h != &args->list->fifo && !err &&
		     res.forgotten < nr_to_reclaim; h = h->next) {
			struct lrg_mm *mm = (struct lrg_mm *)((char *)h - offsetof(struct lrg_mm, link));

			err = evict_mm(e, args, mm, type, seq, nr_to_reclaim - res.forgotten, &res);
		}
		pthread_mutex_unlock(&args->list->lock);
		if (err)
			break;

		lrg_lruvec_try_inc_min_seq(args->lv, can_swap);
		/*
		 * No page of the generation could be found in any mm although
		 * the counts say otherwise: stop rather than spin (the
		 * invariant checker in the tests catches how that happened).
		 */
		if (res.forgotten == before && res.promoted == before_promoted &&
		    args->lv->min_seq[type] == seq)
			break;
	}
	*ret = res;
	return err;
}
