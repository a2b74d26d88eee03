// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_aging - try_to_inc_max_seq against the fake backend: new mms get a
 * whole-mm walk, later walks ask only for the regions the Bloom filter
 * holds (coalesced), dense regions are carried into the next filter and
 * sparse ones are not (suitable_to_scan), NONLEAF finds new hot tables,
 * NO_ANON without swap, gone pages dropped, contended and exited mms,
 * sleeping mms skipped, and the aging-due rule.
 */
#include <string.h>

#include "aging.h"
#include "fake_backend.h"
#include "tap.h"

#include "core_harness.h"

static void test_bloom_walks(void)
{
	struct harness h;
	struct lrg_aging_result res;
	uint64_t st[LRG_NR_MM_STATS];
	int m;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	m = h_add(&h, 11);
	/* region 0: dense and hot; region 1: 512 pages, 10 young (sparse);
	 * regions 2, 3: dense, adjacent; region 5: cold */
	for (int k = 0; k < 6; k++)
		if (k != 4)
			fake_map(h.fm[m], R(k), 0, 512, k == 1);
	fake_touch(h.fm[m], R(0), 0, 200);
	fake_touch(h.fm[m], R(1), 0, 10);
	fake_touch(h.fm[m], R(2), 0, 100);
	fake_touch(h.fm[m], R(3), 0, 100);
	h_attach(&h, m);

	res = h_age(&h, true);
	ok(res.created && h.lv.max_seq == 4, "first aging creates generation 4");
	ok(h.fm[m]->last_nr_ranges == UINT64_MAX, "a new mm is walked whole");
	ok(seq_of(&h, m, R(0)) == 3 && seq_of(&h, m, R(0) + 300 * 4096) == h.lv.min_seq[LRG_FILE],
	   "young pages went to max_seq 3, old ones to min_seq");
	ok(res.stats[LRG_MM_PMD_ADDED] == 3, "3 dense regions added to the next filter (%llu)",
	   (unsigned long long)res.stats[LRG_MM_PMD_ADDED]);
	ok(lrg_bloom_test(&h.list.state[0].bloom, 4, 11, R(0)) &&
	   !lrg_bloom_test(&h.list.state[0].bloom, 4, 11, R(1)) &&
	   !lrg_bloom_test(&h.list.state[0].bloom, 4, 11, R(5)),
	   "hot dense region in the filter of gen 4, the sparse and the cold not");
	ok(consistent(&h), "counts consistent after the first walk");

	/* second aging: only the filter's regions; touch 0, 1 and 5 */
	fake_touch(h.fm[m], R(0), 0, 100);
	fake_touch(h.fm[m], R(1), 100, 200);
	fake_touch(h.fm[m], R(5), 0, 512);
	h_sync(&h);
	h.f.now = 1000;
	res = h_age(&h, true);
	ok(h.fm[m]->last_nr_ranges == 2, "walk asks for 2 coalesced ranges (0, 2-3), got %llu",
	   (unsigned long long)h.fm[m]->last_nr_ranges);
	ok(seq_of(&h, m, R(0)) == 4, "region 0's young pages promoted to max_seq 4");
	ok(seq_of(&h, m, R(1) + 150 * 4096) < 4 && seq_of(&h, m, R(5)) < 4,
	   "regions outside the filter were not walked: their pages keep their generation");
	ok(res.stats[LRG_MM_PMD_FOUND] == 3, "pmd_found counts the 3 filter hits (%llu)",
	   (unsigned long long)res.stats[LRG_MM_PMD_FOUND]);
	ok(lrg_bloom_test(&h.list.state[0].bloom, 5, 11, R(0)) &&
	   !lrg_bloom_test(&h.list.state[0].bloom, 5, 11, R(2)),
	   "region 0 carried into gen 5's filter; 2 (no young pages now) dropped out");
	lrg_mm_list_stats(&h.list, 0, 4, st);
	ok(st[LRG_MM_PMD_FOUND] == 3 && st[LRG_MM_PTE_TOTAL] > 0, "mm_state stats record the walk");
	ok(consistent(&h), "consistent after the second walk");

	/* unmap half of region 0 and all of region 2-3 (filter of gen 5 has 0 only) */
	fake_unmap(h.fm[m], R(0), 256, 256);
	h_sync(&h);
	h_age(&h, true);
	ok(seq_of(&h, m, R(0) + 300 * 4096) == 0 && seq_of(&h, m, R(0)) == 0 + seq_of(&h, m, R(0)),
	   "pages no longer present in a harvested region are dropped");
	ok(h.priv[m].pm.nr_pages[LRG_FILE] + h.priv[m].pm.nr_pages[LRG_ANON] ==
	   (uint64_t)(5 * 512 - 256), "the pagemap tracks exactly what is mapped (%llu)",
	   (unsigned long long)(h.priv[m].pm.nr_pages[0] + h.priv[m].pm.nr_pages[1]));
	ok(consistent(&h), "consistent after drops");

	/* a sleeping mm is not walked */
	{
		uint64_t before = h.fm[m]->harvests;

		h_age(&h, true);
		ok(h.fm[m]->harvests == before, "mm that did not run since is skipped");
	}

	/* contended: nothing swept */
	fake_unmap(h.fm[m], R(0), 0, 256);
	h.fm[m]->contended = true;
	h_sync(&h);
	res = h_age(&h, true);
	ok(res.contended == 1 && h.priv[m].pm.nr_pages[0] + h.priv[m].pm.nr_pages[1] ==
	   (uint64_t)(5 * 512 - 256), "contended harvest: generations kept as they were");

	/* no region in the filter (the contended walk added none): no harvest at all */
	{
		uint64_t before = h.f.harvest_calls;

		h_sync(&h);
		h_age(&h, true);
		ok(h.f.harvest_calls == before, "nothing in the Bloom filter: the mm costs no harvest");
	}
	/* exit under the walk: the mm's pages leave the lruvec */
	h.fm[m]->gone = true;
	h_sync(&h);
	lrg_bloom_set(&h.list.state[0].bloom, h.lv.max_seq, 11, R(1));
	h_age(&h, true);
	ok(h.mm[m].gone && lrg_lruvec_total(&h.lv, 0) + lrg_lruvec_total(&h.lv, 1) == 0,
	   "an exited mm is marked gone and its pages uncounted");
	h_free(&h);
}

static void test_nonleaf_noanon(void)
{
	struct harness h;
	int m;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_NONLEAF_YOUNG);
	m = h_add(&h, 21);
	fake_map(h.fm[m], R(0), 0, 512, false);
	fake_map(h.fm[m], R(1), 0, 512, true);
	h_attach(&h, m);
	h_age(&h, false);
	ok(h.priv[m].pm.nr_pages[LRG_ANON] == 0 && h.priv[m].pm.nr_pages[LRG_FILE] == 512,
	   "without swap (NO_ANON) anon pages are not tracked");
	/* a new hot table appears: found through the non-leaf accessed bit */
	fake_map(h.fm[m], R(7), 0, 512, false);
	fake_touch(h.fm[m], R(7), 0, 512);
	h_sync(&h);
	h_age(&h, false);
	ok(seq_of(&h, m, R(7)) == h.lv.max_seq - 1, "NONLEAF: new hot region found without the filter");
	ok(consistent(&h), "consistent");
	h_free(&h);

	/* without NONLEAF: unexplained RSS triggers a whole walk */
	h_init(&h, LRG_CAP_HARVEST);
	m = h_add(&h, 22);
	fake_map(h.fm[m], R(0), 0, 512, false);
	h_attach(&h, m);
	h_age(&h, true);
	h_sync(&h);
	h_age(&h, true);
	fake_map(h.fm[m], R(9), 0, 512, false);
	fake_map(h.fm[m], R(10), 0, 512, false);
	h_sync(&h);
	h_age(&h, true);
	ok(h.fm[m]->last_nr_ranges == UINT64_MAX && seq_of(&h, m, R(10)) != 0,
	   "resident size the pagemap cannot explain: the mm is walked whole");
	h_free(&h);
}

static void test_due(void)
{
	struct lrg_lruvec lv;

	lrg_lruvec_init(&lv, 1, 0, 0);
	lrg_lruvec_try_inc_min_seq(&lv, true);
	ok(lrg_aging_due(&lv, true, true, 0, 10), "2 generations, no aged file pages: due for eviction");
	ok(!lrg_aging_due(&lv, true, false, 0, 10), "but not without eviction and no interval");
	ok(!lrg_aging_due(&lv, true, false, 1000, 999) && lrg_aging_due(&lv, true, false, 1000, 1000),
	   "interval: due when the youngest generation is that old");
	ok(lrg_suitable_to_scan(512, 64) && !lrg_suitable_to_scan(512, 63) && !lrg_suitable_to_scan(0, 0),
	   "suitable_to_scan: one young PTE per cache line of 8");
}

int main(void)
{
	test_bloom_walks();
	test_nonleaf_noanon();
	test_due();
	return tap_done();
}
