// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pagemap - the per-page generations: folio_update_gen moves counts,
 * new pages start in min_seq, gone pages are dropped (only of harvested
 * types), clamping after inc_min_seq, collect/forget ranges, the uint16
 * encoding across its wrap point, and region reuse without growth; the
 * compact layout (packed seqs in rank order) against a plain per-page model
 * under random harvests, sweeps, evictions and generation changes, and its
 * size: a sparse region costs a fraction of a dense one.
 */
#include <errno.h>
#include <stdlib.h>
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

/* ---- a plain per-page model of the pagemap's semantics ---------------- */

#define M_REGIONS 4

struct model {
	bool tracked[M_REGIONS][LRG_PTES_PER_PMD];
	int type[M_REGIONS][LRG_PTES_PER_PMD];
	uint64_t seq[M_REGIONS][LRG_PTES_PER_PMD];   /* stored, unclamped */
};

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t m_seq(const struct model *m, const struct lrg_lruvec *lv, int g, unsigned int i)
{
	return lrg_lruvec_clamp(lv, m->type[g][i], m->seq[g][i]);
}

static void m_update(struct model *m, const struct lrg_lruvec *lv, int g, const struct lrg_region *r,
		     unsigned int mask)
{
	for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
		bool present = r->present[i / 64] >> (i % 64) & 1;
		int type = (r->anon[i / 64] >> (i % 64) & 1) ? LRG_ANON : LRG_FILE;
		bool young = r->young[i / 64] >> (i % 64) & 1;

		if (!present) {
			if (m->tracked[g][i] && (mask & (1U << m->type[g][i])))
				m->tracked[g][i] = false;
			continue;
		}
		if (m->tracked[g][i] && m->type[g][i] != type)
			m->tracked[g][i] = false;
		if (young)
			m->seq[g][i] = lv->max_seq;
		else if (m->tracked[g][i])
			m->seq[g][i] = m_seq(m, lv, g, i);
		else
			m->seq[g][i] = lv->min_seq[type];
		m->tracked[g][i] = true;
		m->type[g][i] = type;
	}
}

/* The map, lv and the model agree on every page and every count. */
static bool m_check(const struct model *m, const struct lrg_pagemap *pm,
		    const struct lrg_lruvec *lv, char *why, size_t len)
{
	int64_t c[LRG_MAX_NR_GENS][LRG_NR_TYPES];

	memset(c, 0, sizeof(c));
	for (int g = 0; g < M_REGIONS; g++) {
		for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
			uint64_t addr = BASE + ((uint64_t)g << 21) + (uint64_t)i * 4096, seq;
			int type;
			bool t = lrg_pagemap_page(pm, lv, addr, &type, &seq);

			if (t != m->tracked[g][i] ||
			    (t && (type != m->type[g][i] || seq != m_seq(m, lv, g, i)))) {
				snprintf(why, len, "region %d page %u: map %d/%d/%llu model %d/%d/%llu", g,
					 i, t, t ? type : -1, t ? (unsigned long long)seq : 0ULL,
					 m->tracked[g][i], m->type[g][i],
					 (unsigned long long)m_seq(m, lv, g, i));
				return false;
			}
			if (t)
				c[lrg_gen_from_seq(seq)][type]++;
		}
	}
	if (memcmp(c, lv->nr_pages, sizeof(c))) {
		snprintf(why, len, "lv counts differ from the model's");
		return false;
	}
	if (!consistent(pm, lv)) {
		snprintf(why, len, "lrg_pagemap_count differs from lv");
		return false;
	}
	return true;
}

static void random_report(struct lrg_region *r, uint64_t addr)
{
	/* dense, sparse or empty runs, so both packed ends get exercised */
	unsigned int density = rnd() % 4;

	rep_init(r, addr);
	for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
		bool present = density == 3 ? rnd() % 8 != 0 : density == 2 ? rnd() % 2 : rnd() % 40 == 0;

		if (!present)
			continue;
		setb(r->present, i, 1);
		if (rnd() % 3 == 0)
			setb(r->anon, i, 1);
		if (rnd() % 4 == 0)
			setb(r->young, i, 1);
	}
}

/* 3000 random steps; returns the step that failed, or -1. */
static int model_run(char *why, size_t len)
{
	static struct model m;
	struct lrg_lruvec lv;
	struct lrg_pagemap pm;
	struct lrg_region r;
	struct lrg_range buf[16];
	uint32_t epoch = 1;

	memset(&m, 0, sizeof(m));
	lrg_lruvec_init(&lv, 1, 0, 0);
	lrg_pagemap_init(&pm);
	for (int step = 0; step < 3000; step++) {
		int g = (int)(rnd() % M_REGIONS);
		uint64_t addr = BASE + ((uint64_t)g << 21);

		switch (rnd() % 8) {
		case 0: case 1: case 2: {   /* a harvest of one region */
			unsigned int mask = 1 + rnd() % 3;
			int err;

			random_report(&r, addr);
			if (!(mask & (1U << LRG_ANON)))
				memset(r.anon, 0, sizeof(r.anon));   /* NO_ANON reports file only */
			err = lrg_pagemap_update(&pm, &lv, &r, ++epoch, mask, rnd() % 4 != 0, NULL, NULL);
			if (err == 0)
				m_update(&m, &lv, g, &r, mask);
			else if (err != -ENOSPC)
				return snprintf(why, len, "update failed %d", err), step;
			break;
		}
		case 3:   /* a new generation, and maybe the oldest goes */
			lrg_lruvec_inc_max_seq(&lv, lv.max_seq, (uint64_t)step);
			if (rnd() % 2)
				lrg_lruvec_try_inc_min_seq(&lv, rnd() % 2);
			break;
		case 4: {   /* a harvest asked for a region and did not report it */
			unsigned int mask = 1 + rnd() % 3;

			epoch++;
			lrg_pagemap_mark_wanted(&pm, addr, epoch);
			lrg_pagemap_sweep(&pm, &lv, epoch, false, mask);
			for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++)
				if (m.tracked[g][i] && (mask & (1U << m.type[g][i])))
					m.tracked[g][i] = false;
			break;
		}
		case 5: {   /* evict: collect the oldest of a type, forget part of it */
			int type = (int)(rnd() % 2);
			uint64_t seq = lv.min_seq[type], pages, want = 0;
			struct lrg_pm_cursor cur = { 0, 0 };
			size_t n = lrg_pagemap_collect(&pm, &lv, type, seq, buf, 16, &cur, &pages);
			size_t keep = n ? rnd() % (n + 1) : 0;
			uint64_t got, covered = 0;

			for (size_t k = 0; k < n; k++)
				covered += (buf[k].end - buf[k].start) / 4096;
			if (covered != pages)
				return snprintf(why, len, "collect: %llu pages in ranges, %llu said",
						(unsigned long long)covered, (unsigned long long)pages), step;
			for (size_t k = 0; k < keep; k++) {
				for (uint64_t a = buf[k].start; a < buf[k].end; a += 4096) {
					int mg = (int)((a - BASE) >> 21);
					unsigned int i = (a >> 12) & 511;

					if (!m.tracked[mg][i] || m.type[mg][i] != type ||
					    m_seq(&m, &lv, mg, i) != seq)
						return snprintf(why, len, "collect returned page %u of region %d, not of seq %llu",
								i, mg, (unsigned long long)seq), step;
					m.tracked[mg][i] = false;
					want++;
				}
			}
			got = lrg_pagemap_forget(&pm, &lv, type, buf, keep, rnd() % 2);
			if (got != want)
				return snprintf(why, len, "forget dropped %llu, expected %llu",
						(unsigned long long)got, (unsigned long long)want), step;
			break;
		}
		case 6:
			lrg_pagemap_renormalise(&pm, &lv);
			break;
		default: {   /* whole-mm sweep after a full walk that saw nothing new */
			unsigned int mask = 1 + rnd() % 3;

			if (rnd() % 4)
				break;
			epoch++;
			lrg_pagemap_sweep(&pm, &lv, epoch, true, mask);
			for (int gg = 0; gg < M_REGIONS; gg++)
				for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++)
					if (m.tracked[gg][i] && (mask & (1U << m.type[gg][i])))
						m.tracked[gg][i] = false;
			break;
		}
		}
		if (!m_check(&m, &pm, &lv, why, len))
			return step;
		if (lrg_lruvec_check(&lv, why, len))
			return step;
	}
	lrg_pagemap_release(&pm, &lv);
	for (int t = 0; t < LRG_NR_TYPES; t++)
		if (lrg_lruvec_total(&lv, t))
			return snprintf(why, len, "release left pages in lv"), 3000;
	return -1;
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
		/*
		 * The emptied file generation 2 goes only without swap: with
		 * it, file's min_seq may not pass anon's, whose 40 pages are
		 * still in generation 2 (the seeds' seq_is_valid rule).
		 */
		{
			struct lrg_lruvec noswap = lv;

			ok(lrg_lruvec_try_inc_min_seq(&noswap, false) &&
			   noswap.min_seq[LRG_FILE] == 3 && noswap.min_seq[LRG_ANON] == 2,
			   "try_to_inc_min_seq without swap drops the emptied oldest file generation");
		}
		ok(!lrg_lruvec_try_inc_min_seq(&lv, true) && lv.min_seq[LRG_FILE] == 2 &&
		   lv.min_seq[LRG_ANON] == 2,
		   "try_to_inc_min_seq with swap keeps file's min_seq at anon's, 2");
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
	/* the compact layout agrees with the per-page model, step by step */
	{
		char mwhy[160] = "";
		int step = model_run(mwhy, sizeof(mwhy));

		ok(step < 0, "3000 random harvests, sweeps, evictions and new generations: map == model%s%s",
		   step < 0 ? "" : ": ", mwhy);
		if (step >= 0)
			diag("first difference at step %d", step);
	}

	/* memory: sized by the pages tracked, freed as they go */
	{
		size_t sparse, dense, empty;

		lrg_lruvec_init(&lv, 1, 0, 0);
		lrg_pagemap_init(&pm);
		for (unsigned int k = 0; k < 8; k++) {
			rep_init(&r, BASE + ((uint64_t)k << 21));
			setb(r.present, 0, 30);
			lrg_pagemap_update(&pm, &lv, &r, 1, 3, true, NULL, NULL);
		}
		sparse = lrg_pagemap_bytes(&pm);
		for (unsigned int k = 0; k < 8; k++) {
			rep_init(&r, BASE + ((uint64_t)k << 21));
			setb(r.present, 0, 512);
			lrg_pagemap_update(&pm, &lv, &r, 2, 3, true, NULL, NULL);
		}
		dense = lrg_pagemap_bytes(&pm);
		for (unsigned int k = 0; k < 8; k++) {
			rep_init(&r, BASE + ((uint64_t)k << 21));
			setb(r.present, 0, 30);
			lrg_pagemap_update(&pm, &lv, &r, 3, 3, true, NULL, NULL);
		}
		ok(sparse <= 8 * 128 + 64 && dense >= 8 * 1024 && lrg_pagemap_bytes(&pm) == sparse,
		   "8 regions of 30 pages: %zu bytes; of 512 pages: %zu; back to 30: %zu", sparse, dense,
		   lrg_pagemap_bytes(&pm));
		lrg_pagemap_sweep(&pm, &lv, 4, true, 3);
		empty = lrg_pagemap_bytes(&pm);
		ok(pm.nr_live == 0 && empty <= 8 * sizeof(struct lrg_pm_region) + 64,
		   "every page gone: only the slots stay (%zu bytes)", empty);
		lrg_pagemap_release(&pm, &lv);
	}
	return tap_done();
}
