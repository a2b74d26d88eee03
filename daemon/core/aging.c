// SPDX-License-Identifier: GPL-2.0-only
/*
 * aging.c - see aging.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aging.h"

int lrg_aging_init(struct lrg_aging *a, struct lrg_backend *b, size_t max_ranges)
{
	memset(a, 0, sizeof(*a));
	a->ranges = calloc(max_ranges, sizeof(*a->ranges));
	a->addrs = calloc(max_ranges, sizeof(*a->addrs));
	if (!a->ranges || !a->addrs) {
		free(a->ranges);
		free(a->addrs);
		return -ENOMEM;
	}
	a->b = b;
	a->max_ranges = max_ranges;
	return 0;
}

void lrg_aging_destroy(struct lrg_aging *a)
{
	free(a->ranges);
	free(a->addrs);
	memset(a, 0, sizeof(*a));
}

bool lrg_suitable_to_scan(unsigned int total, unsigned int young)
{
	/*
	 * The seeds: n = clamp(cache_line_size() / sizeof(pte_t), 2, 8) = 8
	 * PTEs per 64-byte line. total counts present pages: a harvest report
	 * has no VMA bounds, so sparse regions are judged by what is mapped.
	 */
	return total && young * 8U >= total;
}

bool lrg_aging_due(const struct lrg_lruvec *lv, bool can_swap, bool want_evict,
		   uint32_t interval_ms, uint64_t now_ms)
{
	bool need_aging;
	uint64_t birth = lv->timestamps[lrg_gen_from_seq(lv->max_seq)];

	lrg_lruvec_nr_evictable(lv, can_swap, &need_aging);
	if (want_evict && need_aging)
		return true;
	return interval_ms && now_ms >= birth + interval_ms;
}

struct walk_ctx {
	struct lrg_aging *a;
	const struct lrg_aging_args *args;
	struct lrg_mm_state *state;
	struct lrg_mm *mm;
	struct lrg_pagemap *pm;
	uint64_t max_seq;
	unsigned int types;
	uint64_t added;
	int err;
};

static int on_region(void *ctx, const struct lrg_region *r)
{
	struct walk_ctx *w = ctx;
	unsigned int young, total;
	int err;

	err = lrg_pagemap_update(w->pm, w->args->lv, r, w->a->epoch, w->types,
				 w->args->may_grow, &young, &total);
	if (err == -ENOSPC)
		return 0;
	if (err < 0) {
		w->err = err;
		return err;
	}
	if (lrg_suitable_to_scan(total, young)) {
		lrg_bloom_set(&w->state->bloom, w->max_seq + 1, w->mm->info.mm_key, r->addr);
		w->added++;
	}
	return 0;
}

/*
 * In-place heapsort: glibc's qsort() may malloc() a merge buffer, and this
 * runs in direct reclaim too, which must not allocate.
 */
static void sift(uint64_t *a, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		uint64_t t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[root] >= a[c])
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

static void sort_u64(uint64_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint64_t t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift(a, 0, end);
	}
}

/* Sorted region addresses to coalesced ranges, in place in a->ranges. */
static size_t coalesce(struct lrg_aging *a, size_t n)
{
	size_t nr = 0;

	sort_u64(a->addrs, n);
	for (size_t i = 0; i < n; i++) {
		if (nr && a->addrs[i] < a->ranges[nr - 1].end)
			continue;   /* a duplicate */
		if (nr && a->ranges[nr - 1].end == a->addrs[i]) {
			a->ranges[nr - 1].end += LRG_PMD_SIZE;
			continue;
		}
		a->ranges[nr].start = a->addrs[i];
		a->ranges[nr].end = a->addrs[i] + LRG_PMD_SIZE;
		nr++;
	}
	return nr;
}

static int harvest(struct walk_ctx *w, const struct lrg_range *ranges, size_t nr,
		   unsigned int flags, struct lrg_mm_walk *walk, struct lrg_aging_result *res)
{
	struct lrg_backend *b = w->a->b;
	struct lrg_harvest_req req = {
		.mm = &w->mm->info,
		.memcg_id = w->args->list->memcg_id,
		.ranges = ranges,
		.nr_ranges = nr,
		.flags = flags,
	};
	struct lrg_walk_stats st;
	int err;

	memset(&st, 0, sizeof(st));
	err = b->ops->harvest(b, &req, on_region, w, &st);
	res->harvests++;
	walk->mm_stats[LRG_MM_PTE_TOTAL] += st.pte_total;
	walk->mm_stats[LRG_MM_PTE_OLD] += st.pte_old;
	walk->mm_stats[LRG_MM_PTE_YOUNG] += st.pte_young;
	walk->mm_stats[LRG_MM_PMD_TOTAL] += st.pmd_total;
	if (w->err)
		return w->err;
	if (err < 0)
		return err == -ESRCH ? LRG_HARVEST_GONE : LRG_HARVEST_CONTENDED;
	if (st.contended)
		return LRG_HARVEST_CONTENDED;
	return (int)st.status;
}

/*
 * The kernel finds new PTE tables of a known mm through the non-leaf
 * accessed bit or, failing that, rmap look-around on eviction. With
 * neither, a resident size the pagemap does not explain is the sign of
 * new memory: walk the whole mm, at most every MIN_NR_GENS generations.
 */
static bool unexplained_rss(const struct lrg_aging_args *args, const struct lrg_mm *mm,
			    const struct lrg_mm_walk *walk)
{
	const struct lrg_mm_priv *priv = mm->priv;
	const struct lrg_pagemap *pm = &priv->pm;
	uint64_t rss = mm->info.nr_file + (args->can_swap ? mm->info.nr_anon : 0);
	uint64_t tracked = pm->nr_pages[LRG_FILE] + (args->can_swap ? pm->nr_pages[LRG_ANON] : 0);
	uint64_t slack = tracked / 8 > LRG_MIN_LRU_BATCH * 8 ? tracked / 8 : LRG_MIN_LRU_BATCH * 8;

	return rss > tracked + slack && walk->max_seq >= priv->full_seq + LRG_MIN_NR_GENS;
}

/*
 * Harvest the regions of w's mm that the Bloom filter of max_seq holds,
 * in chunks of the preallocated scratch (never allocates here); with
 * NONLEAF, one harvest at least (of the tables whose PMD entry is young,
 * when no region is held). Returns the status of the last harvest;
 * *ret_found counts the regions held.
 */
static int walk_bloom_regions(struct walk_ctx *w, unsigned int flags, bool nonleaf,
			      struct lrg_mm_walk *walk, struct lrg_aging_result *res,
			      uint64_t *ret_found)
{
	struct lrg_aging *a = w->a;
	struct lrg_pagemap *pm = w->pm;
	uint32_t end = pm->nr_used;
	uint32_t k = 0;
	uint64_t found = 0;
	bool any = false;
	int status = LRG_HARVEST_COMPLETE;

	while (k < end || (!any && nonleaf)) {
		size_t n = 0, nr;

		for (; k < end && n < a->max_ranges; k++) {
			struct lrg_pm_region *r = &pm->regions[k];

			if (!lrg_pm_region_live(r) ||
			    !lrg_bloom_test(&w->state->bloom, walk->max_seq, w->mm->info.mm_key, r->addr))
				continue;
			r->want = a->epoch;
			a->addrs[n++] = r->addr;
		}
		found += n;
		if (!n && (any || !nonleaf))
			break;
		nr = coalesce(a, n);
		any = true;
		/* nr == 0 with NONLEAF: only tables whose PMD entry is young */
		status = harvest(w, a->ranges, nr, flags, walk, res);
		if (status != LRG_HARVEST_COMPLETE)
			break;
	}
	*ret_found = found;
	return status;
}

/* walk_mm: one mm, whole or the regions the Bloom filter of max_seq holds. */
static int walk_mm(struct lrg_aging *a, const struct lrg_aging_args *args, struct lrg_mm *mm,
		   struct lrg_mm_walk *walk, struct lrg_aging_result *res)
{
	struct lrg_mm_priv *priv = mm->priv;
	struct lrg_pagemap *pm = &priv->pm;
	struct walk_ctx w = {
		.a = a, .args = args, .state = &args->list->state[args->node], .mm = mm, .pm = pm,
		.max_seq = walk->max_seq,
		.types = args->can_swap ? 3U : 1U << LRG_FILE,
	};
	unsigned int flags = 0;
	bool nonleaf = lrg_backend_has(a->b, LRG_CAP_NONLEAF_YOUNG);
	bool full = walk->full_scan;
	uint64_t found = 0;
	int status;

	if (!args->can_swap)
		flags |= LRG_HARVEST_NO_ANON;
	if (nonleaf)
		flags |= LRG_HARVEST_NONLEAF;
	if (!full && !nonleaf && args->may_grow && unexplained_rss(args, mm, walk))
		full = true;

	a->epoch++;
	if (!a->epoch)
		a->epoch++;   /* 0 means "never" in regions */

	if (full) {
		status = harvest(&w, NULL, 0, flags, walk, res);
		priv->full_seq = walk->max_seq;
	} else {
		status = walk_bloom_regions(&w, flags, nonleaf, walk, res, &found);
	}
	walk->mm_stats[LRG_MM_PMD_FOUND] += full ? 0 : found;
	walk->mm_stats[LRG_MM_PMD_ADDED] += w.added;
	res->mms_walked++;

	if (w.err)
		return w.err;
	if (status == LRG_HARVEST_GONE) {
		/* the mm exited: its pages are gone with it */
		lrg_mm_set_gone(mm);
		lrg_pagemap_release(pm, args->lv);
		return 0;
	}
	if (status == LRG_HARVEST_CONTENDED)
		res->contended++;
	/* only a complete walk knows which regions lost their pages */
	if (status == LRG_HARVEST_COMPLETE)
		lrg_pagemap_sweep(pm, args->lv, a->epoch, full, w.types);
	return 0;
}

int lrg_try_to_inc_max_seq(struct lrg_aging *a, const struct lrg_aging_args *args,
			   uint64_t max_seq, struct lrg_aging_result *ret)
{
	struct lrg_aging_result res;
	struct lrg_mm_walk walk;
	struct lrg_mm *mm = NULL;
	bool last;
	int err = 0;

	memset(&res, 0, sizeof(res));
	memset(&walk, 0, sizeof(walk));
	walk.max_seq = max_seq;
	walk.can_swap = args->can_swap;
	walk.force_scan = args->force_scan;

	/*
	 * Without per-page accessed bits there is nothing to walk: create the
	 * generation anyway (the seeds' !arch_has_hw_pte_young() case).
	 */
	if (!lrg_backend_has(a->b, LRG_CAP_HARVEST) || !a->b->ops->harvest) {
		res.created = lrg_lruvec_inc_max_seq(args->lv, max_seq, args->now_ms);
		*ret = res;
		return 0;
	}

	do {
		last = lrg_mm_list_next(args->list, args->node, &walk, &mm);
		if (mm && !err) {
			err = walk_mm(a, args, mm, &walk, &res);
			for (int i = 0; i < LRG_NR_MM_STATS; i++)
				res.stats[i] += walk.mm_stats[i];
		}
	} while (mm);

	if (err)
		return err;

	if (last) {
		res.created = lrg_lruvec_inc_max_seq(args->lv, max_seq, args->now_ms);
		/* keep every stored uint16 seq inside its decoding window */
		if (res.created && args->lv->max_seq % LRG_PM_RENORM_GENS == 0) {
			struct lrg_list_head *h;

			pthread_mutex_lock(&args->list->lock);
			for (h = args->list->fifo.next; h != &args->list->fifo; h = h->next) {
				struct lrg_mm *m = (struct lrg_mm *)((char *)h - offsetof(struct lrg_mm, link));

				lrg_pagemap_renormalise(lrg_mm_pagemap(m), args->lv);
			}
			pthread_mutex_unlock(&args->list->lock);
		}
	}
	*ret = res;
	return 0;
}

int lrg_look_around(struct lrg_aging *a, const struct lrg_aging_args *args, struct lrg_mm *mm,
		    const struct lrg_range *ranges, size_t nr, struct lrg_aging_result *res)
{
	struct lrg_pagemap *pm = lrg_mm_pagemap(mm);
	struct lrg_mm_state *state = &args->list->state[args->node];
	struct lrg_mm_walk walk;
	uint64_t max_seq = args->lv->max_seq;
	/* on_region adds to max_seq + 1: look-around feeds the current filter */
	struct walk_ctx w = {
		.a = a, .args = args, .state = state, .mm = mm, .pm = pm,
		.max_seq = max_seq - 1,
		.types = args->can_swap ? 3U : 1U << LRG_FILE,
	};
	unsigned int flags = args->can_swap ? 0 : LRG_HARVEST_NO_ANON;
	size_t n = 0;
	int status;

	memset(&walk, 0, sizeof(walk));
	a->epoch++;
	if (!a->epoch)
		a->epoch++;
	for (size_t i = 0; i < nr && n < a->max_ranges; i++) {
		for (uint64_t addr = ranges[i].start & LRG_PMD_MASK; addr < ranges[i].end &&
		     n < a->max_ranges; addr += LRG_PMD_SIZE) {
			if (n && a->addrs[n - 1] == addr)
				continue;
			a->addrs[n++] = addr;
			lrg_pagemap_mark_wanted(pm, addr, a->epoch);
		}
	}
	status = harvest(&w, a->ranges, coalesce(a, n), flags, &walk, res);
	for (int i = 0; i < LRG_NR_MM_STATS; i++)
		res->stats[i] += walk.mm_stats[i];
	res->stats[LRG_MM_PMD_ADDED] += w.added;
	if (w.err)
		return w.err;
	if (status == LRG_HARVEST_GONE) {
		lrg_mm_set_gone(mm);
		lrg_pagemap_release(pm, args->lv);
		return -ESRCH;
	}
	if (status == LRG_HARVEST_COMPLETE)
		lrg_pagemap_sweep(pm, args->lv, a->epoch, false, w.types);
	else
		res->contended++;
	return 0;
}
