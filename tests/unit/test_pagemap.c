// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pagemap - the per-page generations: folio_update_gen moves counts,
 * new pages start in min_seq, gone pages are dropped (only of harvested
 * types), clamping after inc_min_seq, collect/forget ranges, the uint16
 * encoding across its wrap point, and region reuse without growth.
 */
#include <errno.h>
#include <string.h>

#include "lruvec.h"
#include "pagemap.h"
#include "tap.h"

#define BASE 0x7f0000000000ULL

static void setb(uint64_t *m, unsigned int first, unsigned int nr)
{
	for (unsigned int i = first; i < first + nr; i++)
		m[i / 64] |= 1ULL << (i % 64);
}

static void rep_init(struct lrg_region *r, uint64_t addr)
{
	memset(r, 0, sizeof(*r));
	r->addr = addr;
}

static bool consistent(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv)
{
	int64_t c[LRG_MAX_NR_GENS][LRG_NR_TYPES];

	memset(c, 0, sizeof(c));
	lrg_pagemap_count(pm, lv, c);
	return !memcmp(c, lv->nr_pages, sizeof(c));
}

int main(void)
{
	struct lrg_lruvec lv;
	struct lrg_pagemap pm;
	struct lrg_region r;
	struct lrg_range buf[8];
	struct lrg_pm_cursor cur = { 0, 0 };
	unsigned int young, total;
	uint64_t seq, pages;
	int type;
	char why[128];

	lrg_lruvec_init(&lv, 1, 0, 0);
	lrg_pagemap_init(&pm);

	/* 100 file pages, 10 of them young; 50 anon, none young */
	rep_init(&r, BASE);
	setb(r.present, 0, 150);
	setb(r.anon, 100, 50);
	setb(r.young, 0, 10);
	ok(lrg_pagemap_update(&pm, &lv, &r, 1, 3, true, &young, &total) == 0 && young == 10 &&
	   total == 150, "update: 150 present, 10 young");
	ok(lv.nr_pages[lrg_gen_from_seq(lv.max_seq)][LRG_FILE] == 10, "young file pages in max_seq");
	ok(lv.nr_pages[lrg_gen_from_seq(lv.min_seq[LRG_FILE])][LRG_FILE] == 90,
	   "new old file pages in min_seq");
	ok(lv.nr_pages[lrg_gen_from_seq(lv.min_seq[LRG_ANON])][LRG_ANON] == 50, "new anon in min_seq");
	ok(consistent(&pm, &lv), "counts match the pagemap");
	ok(lrg_pagemap_page(&pm, &lv, BASE + 120 * 4096, &type, &seq) && type == LRG_ANON &&
	   seq == lv.min_seq[LRG_ANON], "page lookup: anon page at min_seq");
	ok(!lrg_pagemap_page(&pm, &lv, BASE + 200 * 4096, &type, &seq), "untracked page");

	/* the aging creates gen 4: gen 0 (min) is dropped, pages move to gen 1 */
	ok(lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 100) && lv.max_seq == 4 && lv.min_seq[0] == 1 &&
	   lv.min_seq[1] == 1, "inc_max_seq with 4 gens drops the oldest of each type");
	ok(lrg_pagemap_page(&pm, &lv, BASE + 50 * 4096, &type, &seq) && seq == 1,
	   "a page stored in gen 0 now reads as min_seq 1 (clamped)");
	ok(consistent(&pm, &lv) && !lrg_lruvec_check(&lv, why, sizeof(why)),
	   "counts still match after the merge");
	ok(!lrg_lruvec_inc_max_seq(&lv, 3, 100), "a stale max_seq creates nothing");

	/* second harvest: pages 10..19 young; 140..149 gone; anon not harvested */
	rep_init(&r, BASE);
	setb(r.present, 0, 100);
	setb(r.young, 10, 10);
	lrg_pagemap_update(&pm, &lv, &r, 2, 1U << LRG_FILE, true, &young, &total);
	ok(lv.nr_pages[lrg_gen_from_seq(4)][LRG_FILE] == 10, "10 promoted to max_seq 4");
	ok(lrg_lruvec_total(&lv, LRG_ANON) == 50, "anon untouched by a NO_ANON harvest");
	ok(consistent(&pm, &lv), "consistent after promotion");
	rep_init(&r, BASE);
	setb(r.present, 0, 140);
	setb(r.anon, 100, 40);
	lrg_pagemap_update(&pm, &lv, &r, 3, 3, true, &young, &total);
	ok(lrg_lruvec_total(&lv, LRG_ANON) == 40, "10 anon pages no longer present are dropped");
	ok(consistent(&pm, &lv), "consistent after drops");

	/* collect the oldest file generation and forget it */
	lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 200);
	cur.region = cur.page = 0;
	{
		size_t n = lrg_pagemap_collect(&pm, &lv, LRG_FILE, lv.min_seq[LRG_FILE], buf, 8, &cur, &pages);

		ok(n == 1 && pages == 80 && buf[0].start == BASE + 20 * 4096 &&
		   buf[0].end == BASE + 100 * 4096,
		   "collect: one coalesced range of the 80 old file pages (n=%zu pages=%llu)", n,
		   (unsigned long long)pages);
		ok(lrg_pagemap_forget(&pm, &lv, LRG_FILE, buf, n, false) == 80, "forget drops them");
		ok(consistent(&pm, &lv), "consistent after eviction");
		ok(lrg_lruvec_try_inc_min_seq(&lv, true) || true, "try_to_inc_min_seq runs");
		ok(!lrg_lruvec_check(&lv, why, sizeof(why)), "invariants hold: %s", why);
	}

	/* range buffer full: the cursor resumes */
	{
		struct lrg_pagemap pm2;
		struct lrg_lruvec lv2;
		size_t n, total_ranges = 0;

		lrg_lruvec_init(&lv2, 1, 0, 0);
		lrg_pagemap_init(&pm2);
		rep_init(&r, BASE);
		for (unsigned int i = 0; i < 512; i += 2)
			setb(r.present, i, 1);
		lrg_pagemap_update(&pm2, &lv2, &r, 1, 3, true, NULL, NULL);
		cur.region = cur.page = 0;
		while ((n = lrg_pagemap_collect(&pm2, &lv2, LRG_FILE, 0, buf, 8, &cur, &pages)))
			total_ranges += n;
		ok(total_ranges == 256, "256 single-page ranges collected 8 at a time (%zu)", total_ranges);
		lrg_pagemap_release(&pm2, &lv2);
		ok(lrg_lruvec_total(&lv2, LRG_FILE) == 0, "release subtracts every page");
	}

	/* sweep: a wanted region that was not reported is gone */
	rep_init(&r, BASE + (2ULL << 21));
	setb(r.present, 0, 64);
	lrg_pagemap_update(&pm, &lv, &r, 10, 3, true, NULL, NULL);
	lrg_pagemap_mark_wanted(&pm, BASE + (2ULL << 21), 11);
	lrg_pagemap_sweep(&pm, &lv, 11, false, 3);
	ok(!lrg_pagemap_find(&pm, BASE + (2ULL << 21)), "sweep frees the unreported wanted region");
	ok(lrg_pagemap_find(&pm, BASE) != NULL, "and keeps the region it did not ask for");
	ok(consistent(&pm, &lv), "consistent after the sweep");

	/* reuse: unmapping and mapping regions again does not grow the map */
	{
		uint32_t cap0, used0;

		for (int k = 0; k < 4; k++) {
			rep_init(&r, BASE + ((uint64_t)(10 + k) << 21));
			setb(r.present, 0, 8);
			lrg_pagemap_update(&pm, &lv, &r, 20, 3, true, NULL, NULL);
		}
		cap0 = pm.cap;
		used0 = pm.nr_used;
		for (int round = 0; round < 50; round++) {
			for (int k = 0; k < 4; k++) {
				rep_init(&r, BASE + ((uint64_t)(10 + k) << 21));
				lrg_pagemap_update(&pm, &lv, &r, 21, 3, true, NULL, NULL);  /* none present */
				rep_init(&r, BASE + ((uint64_t)(100 + round * 4 + k) << 21));
				setb(r.present, 0, 8);
				lrg_pagemap_update(&pm, &lv, &r, 21, 3, true, NULL, NULL);
				rep_init(&r, BASE + ((uint64_t)(100 + round * 4 + k) << 21));
				lrg_pagemap_update(&pm, &lv, &r, 21, 3, true, NULL, NULL);
			}
		}
		ok(pm.cap == cap0 && pm.nr_used <= used0 + 1,
		   "200 map/unmap cycles reuse freed regions (used %u -> %u, cap %u -> %u)", used0,
		   pm.nr_used, cap0, pm.cap);
		rep_init(&r, BASE + (77ULL << 21));
		setb(r.present, 0, 8);
		ok(lrg_pagemap_update(&pm, &lv, &r, 22, 3, false, NULL, NULL) == -ENOSPC &&
		   !lrg_pagemap_find(&pm, BASE + (77ULL << 21)), "may_grow=false never adds a region");
		ok(consistent(&pm, &lv), "consistent after the churn");
	}
	lrg_pagemap_release(&pm, &lv);

	/* growth through many rehashes: every region found, chains sane */
	{
		unsigned int missing = 0;

		lrg_pagemap_init(&pm);
		for (unsigned int k = 0; k < 3000; k++) {
			/* garbage in fresh slots must not be taken for regions */
			rep_init(&r, BASE + ((uint64_t)(k * 7) << 21));
			setb(r.present, k % 512, 1);
			lrg_pagemap_update(&pm, &lv, &r, 1, 3, true, NULL, NULL);
		}
		for (unsigned int k = 0; k < 3000; k++) {
			const struct lrg_pm_region *f = lrg_pagemap_find(&pm, BASE + ((uint64_t)(k * 7) << 21));

			if (!f || f->nr != 1)
				missing++;
		}
		ok(!missing && pm.nr_live == 3000 && pm.nr_buckets >= 3000,
		   "3000 regions through %u buckets: all found (%u missing)", pm.nr_buckets, missing);
		ok(!lrg_pagemap_find(&pm, BASE + (1ULL << 21)), "an absent region is not found");
		ok(consistent(&pm, &lv), "consistent after growth");
		lrg_pagemap_release(&pm, &lv);
	}

	/* the uint16 encoding across 65535 generations */
	{
		uint64_t s0 = 65530;
		bool good = true;

		lrg_lruvec_init(&lv, 1, 0, 0);
		lv.max_seq = s0;
		lv.min_seq[0] = lv.min_seq[1] = s0 - 3;
		lrg_pagemap_init(&pm);
		rep_init(&r, BASE);
		setb(r.present, 0, 4);
		setb(r.young, 0, 1);
		lrg_pagemap_update(&pm, &lv, &r, 1, 3, true, NULL, NULL);
		for (int i = 0; i < 20; i++) {
			lrg_lruvec_inc_max_seq(&lv, lv.max_seq, i);
			lrg_lruvec_try_inc_min_seq(&lv, true);
			rep_init(&r, BASE);
			setb(r.present, 0, 4);
			setb(r.young, 0, 1);
			lrg_pagemap_update(&pm, &lv, &r, 2 + i, 3, true, NULL, NULL);
			if (!lrg_pagemap_page(&pm, &lv, BASE, &type, &seq) || seq != lv.max_seq)
				good = false;
			if (!lrg_pagemap_page(&pm, &lv, BASE + 4096, &type, &seq) || seq != lv.min_seq[type])
				good = false;
			if (!consistent(&pm, &lv))
				good = false;
		}
		ok(good && lv.max_seq > 65535 + 10, "decoding stays right across the 65535 wrap (max_seq %llu)",
		   (unsigned long long)lv.max_seq);
		/* a page 40000 generations stale still reads as min_seq after renormalisation */
		lv.max_seq += 40000;
		lv.min_seq[0] = lv.min_seq[1] = lv.max_seq - 2;
		memset(lv.nr_pages, 0, sizeof(lv.nr_pages));
		ok(lrg_pagemap_page(&pm, &lv, BASE + 4096, &type, &seq) && seq == lv.min_seq[type],
		   "40000 gens stale: still inside the window, reads as min_seq");
		lrg_pagemap_renormalise(&pm, &lv);
		lv.max_seq += 30000;
		lv.min_seq[0] = lv.min_seq[1] = lv.max_seq - 2;
		ok(lrg_pagemap_page(&pm, &lv, BASE + 4096, &type, &seq) && seq == lv.min_seq[type],
		   "renormalised, then 30000 more: still min_seq, never read as young");
		lrg_pagemap_release(&pm, NULL);
	}
	return tap_done();
}
