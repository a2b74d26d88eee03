// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_lruvec - the generation arithmetic: init like lru_gen_init_state,
 * inc_max_seq merging the oldest generation, try_to_inc_min_seq with the
 * anon/file coupling, need_aging, and the invariants (seq_is_valid, counts
 * >= 0, no pages outside live generations, counts == pagemap) under
 * thousands of random aging, eviction, promotion and map/unmap steps.
 */
#include <stdio.h>
#include <string.h>

#include "evict.h"
#include "lruvec.h"
#include "pagemap.h"
#include "tap.h"

#define NR_REGIONS 8
#define BASE 0x10000000000ULL

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static struct lrg_region truth[NR_REGIONS];

static void setb(uint64_t *m, unsigned int i, bool v)
{
	if (v)
		m[i / 64] |= 1ULL << (i % 64);
	else
		m[i / 64] &= ~(1ULL << (i % 64));
}

static bool getb(const uint64_t *m, unsigned int i)
{
	return m[i / 64] >> (i % 64) & 1;
}

static void test_basics(void)
{
	struct lrg_lruvec lv;
	char why[128];
	bool need;

	lrg_lruvec_init(&lv, 5, 0, 1234);
	ok(lv.max_seq == LRG_MIN_NR_GENS + 1 && !lv.min_seq[0] && !lv.min_seq[1] &&
	   lv.timestamps[0] == 1234 && lv.memcg_id == 5 && lv.node == 0,
	   "init: max_seq = MIN_NR_GENS + 1, min_seq 0, born at the given time");
	ok(lrg_lruvec_nr_gens(&lv, LRG_FILE) == 4 && !lrg_lruvec_check(&lv, why, sizeof(why)),
	   "init: 4 generations, valid");
	ok(lrg_lruvec_nr_evictable(&lv, true, &need) == 0 && !need,
	   "empty: nothing evictable; with 4 gens the aging is not due");
	ok(lrg_lruvec_try_inc_min_seq(&lv, true) && lv.min_seq[0] == 2 && lv.min_seq[1] == 2,
	   "empty oldest generations are dropped down to MIN_NR_GENS");
	ok(!lrg_lruvec_try_inc_min_seq(&lv, true), "never below MIN_NR_GENS");
	lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 2000);
	lv.nr_pages[lrg_gen_from_seq(2)][LRG_FILE] = 10;
	lv.nr_pages[lrg_gen_from_seq(3)][LRG_ANON] = 5;
	lv.nr_pages[lrg_gen_from_seq(3)][LRG_FILE] = 100;
	ok(!lrg_lruvec_try_inc_min_seq(&lv, true) && lv.min_seq[0] == 2,
	   "coupling: anon's empty oldest may not pass file's non-empty oldest");
	ok(lrg_lruvec_try_inc_min_seq(&lv, false) == false, "nothing to drop without swap either");
	lv.nr_pages[lrg_gen_from_seq(2)][LRG_FILE] = 0;
	ok(lrg_lruvec_try_inc_min_seq(&lv, true) && lv.min_seq[0] == 3 && lv.min_seq[1] == 3,
	   "file's oldest emptied: both advance");
	ok(lrg_lruvec_nr_evictable(&lv, true, &need) == 105 && need,
	   "evictable counts every eligible page; no aged file pages: aging due");
	lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 3000);
	lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 4000);
	ok(lv.max_seq == 6 && lv.timestamps[lrg_gen_from_seq(6)] == 4000, "inc_max_seq stamps the birth");
	ok(lrg_lruvec_nr_evictable(&lv, false, &need) == 100 && !need,
	   "without swap only file counts; 100 aged file pages: no aging needed");
	ok(lrg_lruvec_evictable_gen(&lv, LRG_FILE) && lrg_evict_type(&lv, 0) == LRG_FILE,
	   "oldest file generation is evictable");
	lrg_lruvec_inc_max_seq(&lv, lv.max_seq, 5000);
	ok(lv.min_seq[0] == 4 && lv.min_seq[1] == 4 && lv.nr_pages[lrg_gen_from_seq(4)][LRG_FILE] == 100 &&
	   lv.nr_pages[lrg_gen_from_seq(4)][LRG_ANON] == 5 && !lrg_lruvec_check(&lv, why, sizeof(why)),
	   "a 5th generation merges the oldest into the next, counts follow");
	lv.nr_pages[0][0] = -1;
	ok(lrg_lruvec_check(&lv, why, sizeof(why)) < 0, "checker catches a negative count (%s)", why);
	lv.nr_pages[0][0] = 0;
	lv.min_seq[LRG_ANON] = 5;
	ok(lrg_lruvec_check(&lv, why, sizeof(why)) < 0, "checker catches anon younger than file (%s)", why);
}

/* A harvest of region k: report truth, clear its young bits. */
static void harvest_region(struct lrg_pagemap *pm, struct lrg_lruvec *lv, int k, uint32_t epoch,
			   bool can_swap)
{
	struct lrg_region r = truth[k];

	if (!can_swap) {
		for (int w = 0; w < LRG_REGION_WORDS; w++) {
			r.present[w] &= ~r.anon[w];
			r.young[w] &= r.present[w];
		}
	}
	lrg_pagemap_update(pm, lv, &r, epoch, can_swap ? 3 : 1U << LRG_FILE, true, NULL, NULL);
	for (int w = 0; w < LRG_REGION_WORDS; w++)
		truth[k].young[w] &= ~r.present[w];
}

static void random_run(int swappiness, int steps)
{
	struct lrg_lruvec lv;
	struct lrg_pagemap pm;
	struct lrg_range buf[16];
	bool can_swap = swappiness > 0;
	unsigned int bad_inv = 0, bad_count = 0, bad_order = 0, anon_evicted = 0;
	uint64_t now = 0, evicted = 0, agings = 0;
	uint32_t epoch = 0;
	char why[128] = "";

	memset(truth, 0, sizeof(truth));
	for (int k = 0; k < NR_REGIONS; k++)
		truth[k].addr = BASE + ((uint64_t)k << LRG_PMD_SHIFT);
	lrg_lruvec_init(&lv, 1, 0, 0);
	lrg_pagemap_init(&pm);

	for (int step = 0; step < steps; step++) {
		unsigned int op = rnd(100);
		int k = rnd(NR_REGIONS);

		now += rnd(50);
		if (op < 30) {
			/* map or unmap a run of pages */
			unsigned int first = rnd(512), nr = 1 + rnd(64);
			bool map = rnd(3) != 0, anon = rnd(2);

			for (unsigned int i = first; i < first + nr && i < 512; i++) {
				setb(truth[k].present, i, map);
				setb(truth[k].anon, i, map ? anon : getb(truth[k].anon, i));
				if (!map)
					setb(truth[k].young, i, false);
			}
		} else if (op < 55) {
			/* touch pages */
			unsigned int first = rnd(512), nr = 1 + rnd(128);

			for (unsigned int i = first; i < first + nr && i < 512; i++)
				if (getb(truth[k].present, i))
					setb(truth[k].young, i, true);
		} else if (op < 65) {
			/* a full aging: every region, then a new generation */
			epoch++;
			for (int j = 0; j < NR_REGIONS; j++)
				harvest_region(&pm, &lv, j, epoch, can_swap);
			lrg_pagemap_sweep(&pm, &lv, epoch, true, can_swap ? 3 : 1U << LRG_FILE);
			lrg_lruvec_inc_max_seq(&lv, lv.max_seq, now);
			agings++;
		} else if (op < 80) {
			/* a partial walk (the Bloom filter's regions, look-around) */
			harvest_region(&pm, &lv, k, ++epoch, can_swap);
		} else {
			/* evict a batch from the oldest generation */
			int type = lrg_evict_type(&lv, swappiness);
			struct lrg_pm_cursor cur = { 0, 0 };
			uint64_t pages, seq;
			size_t n;

			if (type < 0)
				continue;
			seq = lv.min_seq[type];
			if (type == LRG_ANON)
				anon_evicted++;
			/* oldest first: nothing of an eligible type is older */
			if (seq > lv.min_seq[LRG_FILE] || (can_swap && seq > lv.min_seq[LRG_ANON]))
				bad_order++;
			n = lrg_pagemap_collect(&pm, &lv, type, seq, buf, 16, &cur, &pages);
			for (size_t i = 0; i < n; i++) {
				for (uint64_t a = buf[i].start; a < buf[i].end; a += LRG_PAGE_SIZE) {
					int t;
					uint64_t s;

					if (!lrg_pagemap_page(&pm, &lv, a, &t, &s) || s != seq || t != type)
						bad_order++;
					k = (a - BASE) >> LRG_PMD_SHIFT;
					setb(truth[k].present, (a >> LRG_PAGE_SHIFT) & 511, false);
				}
			}
			evicted += lrg_pagemap_forget(&pm, &lv, type, buf, n, false);
			lrg_lruvec_try_inc_min_seq(&lv, can_swap);
		}
		if (lrg_lruvec_check(&lv, why, sizeof(why)) < 0 && !bad_inv++)
			diag("step %d: %s", step, why);
		{
			int64_t c[LRG_MAX_NR_GENS][LRG_NR_TYPES];

			memset(c, 0, sizeof(c));
			lrg_pagemap_count(&pm, &lv, c);
			if (memcmp(c, lv.nr_pages, sizeof(c)) && !bad_count++)
				diag("step %d: counts differ from the pagemap", step);
		}
	}
	diag("swappiness %d: %d steps, %llu agings, max_seq %llu, %llu pages evicted", swappiness,
	     steps, (unsigned long long)agings, (unsigned long long)lv.max_seq,
	     (unsigned long long)evicted);
	ok(!bad_inv, "swappiness %d: generation invariants hold at every step", swappiness);
	ok(!bad_count, "swappiness %d: counts equal the pagemap at every step", swappiness);
	ok(!bad_order, "swappiness %d: every evicted page came from the oldest generation", swappiness);
	ok(evicted > 1000 && agings > 100, "swappiness %d: the run did real work", swappiness);
	if (!can_swap)
		ok(!anon_evicted, "swappiness 0: anon never chosen");
	else
		ok(anon_evicted > 0, "swappiness %d: anon evicted too", swappiness);
	lrg_pagemap_release(&pm, &lv);
	ok(!lrg_lruvec_total(&lv, 0) && !lrg_lruvec_total(&lv, 1), "release leaves no pages counted");
}

int main(void)
{
	test_basics();
	random_run(100, 6000);
	random_run(0, 6000);
	random_run(200, 3000);
	return tap_done();
}
