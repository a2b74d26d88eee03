// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_evict - eviction order against the fake backend: the oldest
 * generation first, never the two youngest, swappiness 0 never takes anon,
 * the older type goes first when swapping, look-around rescues pages used
 * since the aging, pages the backend could not take are found again by the
 * next aging, and -EAGAIN when the aging is due.
 */
#include <errno.h>
#include <string.h>

#include "aging.h"
#include "evict.h"
#include "fake_backend.h"
#include "tap.h"

#include "core_harness.h"

static int h_evict(struct harness *h, struct lrg_evict *e, int swappiness, uint64_t n,
		   struct lrg_evict_result *res)
{
	struct lrg_evict_args args = {
		.lv = &h->lv, .list = &h->list, .node = 0, .swappiness = swappiness, .now_ms = h->f.now,
	};

	return lrg_evict_pages(e, &args, n, res);
}

static void test_order(void)
{
	struct harness h;
	struct lrg_evict e;
	struct lrg_evict_result res;
	int m;
	bool hot_kept = true;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	lrg_evict_init(&e, &h.f.b, NULL, 8);
	m = h_add(&h, 31);
	fake_map(h.fm[m], R(0), 0, 512, false);
	fake_map(h.fm[m], R(1), 0, 512, true);
	h_attach(&h, m);
	h_age(&h, true);
	fake_touch(h.fm[m], R(0), 0, 100);
	h_sync(&h);
	lrg_bloom_set(&h.list.state[0].bloom, h.lv.max_seq, 31, R(0));
	h_age(&h, true);
	ok(seq_of(&h, m, R(0)) == h.lv.max_seq - 1 && seq_of(&h, m, R(0) + 200 * 4096) == h.lv.min_seq[1],
	   "setup: 100 hot file pages young, the rest in the oldest generation");

	ok(h_evict(&h, &e, 0, 100000, &res) == 0, "evict with swappiness 0");
	ok(h.f.evicted[LRG_ANON] == 0, "swappiness 0: no anon page evicted although anon is oldest");
	ok(h.f.evicted[LRG_FILE] == 412 && res.evicted == 412,
	   "all 412 cold file pages went (%llu)", (unsigned long long)h.f.evicted[LRG_FILE]);
	for (int i = 0; i < 100; i++)
		hot_kept &= fake_present(h.fm[m], R(0) + (uint64_t)i * 4096);
	ok(hot_kept, "the hot pages are in the two youngest generations: never evicted");
	ok(h_evict(&h, &e, 0, 100, &res) == -EAGAIN, "then nothing is eligible: -EAGAIN, age first");
	ok(consistent(&h), "counts consistent");
	lrg_evict_destroy(&e);
	h_free(&h);
}

static void test_types(void)
{
	struct harness h;
	struct lrg_evict e;
	struct lrg_evict_result res;
	int m;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	lrg_evict_init(&e, &h.f.b, NULL, 8);
	m = h_add(&h, 41);
	fake_map(h.fm[m], R(0), 0, 512, false);
	fake_map(h.fm[m], R(1), 0, 512, true);
	h_attach(&h, m);
	h_age(&h, true);
	fake_touch(h.fm[m], R(0), 0, 512);
	h_sync(&h);
	lrg_bloom_set(&h.list.state[0].bloom, h.lv.max_seq, 41, R(0));
	h_age(&h, true);
	lrg_lruvec_try_inc_min_seq(&h.lv, true);
	ok(h.lv.min_seq[LRG_ANON] == h.lv.min_seq[LRG_FILE],
	   "coupling: when swapping, file's min_seq advances only with anon's");
	ok(lrg_evict_type(&h.lv, 1) == LRG_ANON, "file's oldest generation is empty: anon goes");
	ok(lrg_evict_type(&h.lv, 0) == -1, "swappiness 0: file's generations are too young, nothing");
	h_evict(&h, &e, 60, 100, &res);
	ok(h.f.evicted[LRG_ANON] == 100 && h.f.evicted[LRG_FILE] == 0,
	   "evicted 100 anon, no file (%llu/%llu)", (unsigned long long)h.f.evicted[LRG_ANON],
	   (unsigned long long)h.f.evicted[LRG_FILE]);
	ok(consistent(&h), "counts consistent");

	/* equally old: swappiness weighs */
	{
		struct lrg_lruvec lv;

		lrg_lruvec_init(&lv, 1, 0, 0);
		lv.min_seq[LRG_FILE] = 1;   /* anon older (left from a time without swap) */
		lv.nr_pages[0][LRG_ANON] = 10;
		lv.nr_pages[1][LRG_FILE] = 1000;
		ok(lrg_evict_type(&lv, 1) == LRG_ANON && lrg_evict_type(&lv, 0) == LRG_FILE,
		   "the older type goes first even at swappiness 1; never anon at 0");

		lrg_lruvec_init(&lv, 1, 0, 0);
		lv.nr_pages[0][LRG_ANON] = 100;
		lv.nr_pages[0][LRG_FILE] = 100;
		ok(lrg_evict_type(&lv, 60) == LRG_FILE && lrg_evict_type(&lv, 140) == LRG_ANON &&
		   lrg_evict_type(&lv, 200) == LRG_ANON,
		   "equally old and equally large: swappiness 60 file, 140 and 200 anon");
		lv.nr_pages[0][LRG_ANON] = 1000;
		ok(lrg_evict_type(&lv, 60) == LRG_ANON, "a much larger anon generation wins at 60");
	}
	lrg_evict_destroy(&e);
	h_free(&h);
}

static void test_look_around(void)
{
	struct harness h;
	struct lrg_evict e;
	struct lrg_evict_result res;
	bool kept = true;
	int m;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	lrg_evict_init(&e, &h.f.b, &h.aging, 8);
	m = h_add(&h, 51);
	fake_map(h.fm[m], R(0), 0, 512, false);
	h_attach(&h, m);
	h_age(&h, true);
	h_age(&h, true);
	/* used after the last aging: only look-around can see it */
	fake_touch(h.fm[m], R(0), 0, 64);
	h_evict(&h, &e, 0, 100000, &res);
	for (int i = 0; i < 64; i++)
		kept &= fake_present(h.fm[m], R(0) + (uint64_t)i * 4096);
	ok(kept && res.promoted >= 64, "look-around: 64 pages used since the aging are promoted, not evicted");
	ok(h.f.evicted[LRG_FILE] == 448, "the 448 others are evicted (%llu)",
	   (unsigned long long)h.f.evicted[LRG_FILE]);
	ok(seq_of(&h, m, R(0)) == h.lv.max_seq, "promoted to max_seq");
	ok(consistent(&h), "counts consistent");
	lrg_evict_destroy(&e);
	h_free(&h);
}

static void test_locked(void)
{
	struct harness h;
	struct lrg_evict e;
	struct lrg_evict_result res;
	int m;

	h_init(&h, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	lrg_evict_init(&e, &h.f.b, NULL, 8);
	m = h_add(&h, 61);
	fake_map(h.fm[m], R(0), 0, 512, false);
	fake_lock(h.fm[m], R(0), 0, 100);
	h_attach(&h, m);
	h_age(&h, true);
	h_evict(&h, &e, 0, 100000, &res);
	ok(res.evicted == 412 && res.forgotten == 512, "100 locked pages could not go (freed %llu of %llu)",
	   (unsigned long long)res.evicted, (unsigned long long)res.forgotten);
	ok(lrg_bloom_test(&h.list.state[0].bloom, h.lv.max_seq, 61, R(0)),
	   "their region is put in the Bloom filter of the next walk");
	h_sync(&h);
	h_age(&h, true);
	ok(h.priv[m].pm.nr_pages[LRG_FILE] == 100, "the next aging finds the 100 survivors again (%llu)",
	   (unsigned long long)h.priv[m].pm.nr_pages[LRG_FILE]);
	ok(consistent(&h), "counts consistent");
	lrg_evict_destroy(&e);
	h_free(&h);
}

int main(void)
{
	test_order();
	test_types();
	test_look_around();
	test_locked();
	return tap_done();
}
