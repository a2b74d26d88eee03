// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mmlist - the seeds' get_next_mm protocol: every mm once per
 * iteration (also with concurrent walkers), full scans for new mms, the
 * skip rules, seq advancing once per iteration, the Bloom filter cleared by
 * the first walker, stats reset by the last one, add/del/migrate fixing
 * head and tail; the Bloom filter sized per iteration from the list's mms
 * and what the last iterations added.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mmlist.h"
#include "tap.h"

#define NR 6

static struct lrg_mm mms[NR];

static void mk(struct lrg_mm *mm, uint64_t key, uint64_t anon, uint64_t file)
{
	struct lrg_mm_info info;

	memset(&info, 0, sizeof(info));
	info.mm_key = key;
	info.pid = (pid_t)key;
	info.nr_anon = anon;
	info.nr_file = file;
	lrg_mm_init(mm, &info);
}

/* One whole iteration by one walker: which mms, with what full_scan. */
static int iterate(struct lrg_mm_list *l, uint64_t max_seq, bool can_swap, bool force,
		   unsigned int *visited, unsigned int *full, bool *ret_last)
{
	struct lrg_mm_walk walk;
	struct lrg_mm *mm = NULL;
	int n = 0;
	bool last;

	memset(&walk, 0, sizeof(walk));
	walk.max_seq = max_seq;
	walk.can_swap = can_swap;
	walk.force_scan = force;
	*visited = *full = 0;
	do {
		last = lrg_mm_list_next(l, 0, &walk, &mm);
		if (mm) {
			*visited |= 1U << (mm - mms);
			if (walk.full_scan)
				*full |= 1U << (mm - mms);
			walk.mm_stats[LRG_MM_PTE_TOTAL]++;
			n++;
		}
	} while (mm);
	*ret_last = last;
	return n;
}

static void test_single(void)
{
	static struct lrg_mm_list l;
	unsigned int v, f;
	uint64_t max_seq = LRG_MIN_NR_GENS + 1, st[LRG_NR_MM_STATS];
	bool last;

	lrg_mm_list_init(&l, LRG_ROOT_MEMCG);
	ok(lrg_mm_list_seq(&l, 0) == LRG_MIN_NR_GENS, "seq starts at MIN_NR_GENS");

	for (int i = 0; i < 4; i++) {
		mk(&mms[i], 100 + i, 1000, 1000);
		lrg_mm_list_add(&l, &mms[i]);
	}
	iterate(&l, max_seq, true, false, &v, &f, &last);
	ok(v == 0xf && f == 0xf && last, "first iteration: all 4 new mms, each with a full scan, last walker");
	ok(lrg_mm_list_seq(&l, 0) == max_seq, "seq advanced to max_seq once");
	lrg_mm_list_stats(&l, 0, max_seq, st);
	ok(st[LRG_MM_PTE_TOTAL] == 4, "stats of gen %llu hold the 4 walks (%llu)",
	   (unsigned long long)max_seq, (unsigned long long)st[LRG_MM_PTE_TOTAL]);

	ok(iterate(&l, max_seq, true, false, &v, &f, &last) == 0 && !last,
	   "a walker with a stale max_seq gets nothing and is not last");
	max_seq++;

	iterate(&l, max_seq, true, false, &v, &f, &last);
	ok(v == 0 && last, "second iteration: nobody ran since, all skipped (v=%#x)", v);
	ok(lrg_mm_list_seq(&l, 0) == max_seq, "seq still advances once");
	max_seq++;

	lrg_mm_set_ran(&mms[1]);
	lrg_mm_set_ran(&mms[3]);
	iterate(&l, max_seq, true, false, &v, &f, &last);
	ok(v == 0xa && f == 0, "only the two that ran, no full scan (v=%#x f=%#x)", v, f);
	max_seq++;
	iterate(&l, max_seq, true, false, &v, &f, &last);
	ok(v == 0, "the walker cleared their ran hint");
	max_seq++;

	iterate(&l, max_seq, true, true, &v, &f, &last);
	ok(v == 0xf && f == 0xf, "force_scan walks sleeping mms too");
	max_seq++;

	/* skip rules */
	mk(&mms[4], 104, 1000, 10);
	lrg_mm_list_add(&l, &mms[4]);
	mk(&mms[5], 105, 10, 10);
	lrg_mm_list_add(&l, &mms[5]);
	iterate(&l, max_seq, false, false, &v, &f, &last);
	ok(v == 0, "new but anon-only mm skipped without swap, tiny mm skipped (v=%#x)", v);
	max_seq++;
	lrg_mm_set_ran(&mms[4]);
	lrg_mm_set_ran(&mms[0]);
	lrg_mm_set_oom_victim(&mms[0]);
	iterate(&l, max_seq, true, false, &v, &f, &last);
	ok(v == 0x10, "with swap the anon mm is walked; the OOM victim is not (v=%#x)", v);
	max_seq++;

	/* del of the head mid-iteration, and of the last one */
	{
		struct lrg_mm_walk walk;
		struct lrg_mm *mm = NULL;
		unsigned int seen = 0;

		memset(&walk, 0, sizeof(walk));
		walk.max_seq = max_seq;
		walk.can_swap = true;
		walk.force_scan = true;
		lrg_bloom_set(&l.state[0].bloom, max_seq + 1, 1, 0);
		lrg_mm_list_next(&l, 0, &walk, &mm);
		ok(mm == &mms[1], "first mm handed out is the first walkable one");
		ok(!lrg_bloom_test(&l.state[0].bloom, max_seq + 1, 1, 0),
		   "the first walker cleared the Bloom filter of max_seq + 1");
		ok(lrg_mm_in_use(mm), "the walker holds a reference");
		lrg_mm_list_del(&mms[2]);  /* the current head */
		do {
			last = lrg_mm_list_next(&l, 0, &walk, &mm);
			if (mm)
				seen |= 1U << (mm - mms);
		} while (mm);
		ok(seen == 0x18 && last, "deleting the head moves it on; the tiny mm 5 is still skipped (seen=%#x)", seen);
		ok(!lrg_mm_in_use(&mms[1]), "reference dropped on the next call");
		max_seq++;
	}
	{
		/* iteration stops at mm 4; deleting the last ones ends it */
		struct lrg_mm_walk walk;
		struct lrg_mm *mm = NULL;

		memset(&walk, 0, sizeof(walk));
		walk.max_seq = max_seq;
		walk.can_swap = true;
		walk.force_scan = true;
		lrg_mm_list_next(&l, 0, &walk, &mm);
		lrg_mm_list_next(&l, 0, &walk, &mm);
		lrg_mm_list_next(&l, 0, &walk, &mm);
		ok(mm == &mms[4], "third mm is mm 4");
		lrg_mm_list_del(&mms[5]);
		ok(lrg_mm_list_seq(&l, 0) == max_seq,
		   "deleting the head that was the last mm ends the iteration");
		last = lrg_mm_list_next(&l, 0, &walk, &mm);
		ok(!mm && last, "the walker then finishes as last");
		max_seq++;
	}

	/* migrate: leaves this list, is new (full scan) on the other */
	{
		static struct lrg_mm_list l2;

		lrg_mm_list_init(&l2, 7);
		iterate(&l2, LRG_MIN_NR_GENS + 1, true, false, &v, &f, &last);
		lrg_mm_list_migrate(&mms[1], &l2);
		ok(mms[1].list == &l2 && l.nr_mms == 3 && l2.nr_mms == 1, "migrated between lists");
		iterate(&l2, LRG_MIN_NR_GENS + 2, true, false, &v, &f, &last);
		ok(v == 0x2 && f == 0x2, "the new memcg walks it fully (v=%#x f=%#x)", v, f);
		iterate(&l, max_seq, true, true, &v, &f, &last);
		ok(v == 0x18, "the old memcg no longer walks it; the OOM victim stays skipped (v=%#x)", v);
		lrg_mm_list_del(&mms[1]);
		lrg_mm_list_destroy(&l2);
	}
	lrg_mm_list_del(&mms[0]);
	lrg_mm_list_del(&mms[3]);
	lrg_mm_list_del(&mms[4]);
	ok(l.nr_mms == 0, "list empty");
	lrg_mm_list_destroy(&l);
}

/* Concurrent walkers. */
#define C_MMS 300
#define C_THREADS 8
#define C_ITERS 60

static struct lrg_mm_list cl;
static struct lrg_mm cmms[C_MMS];
static unsigned int visits[C_ITERS][C_MMS];
static unsigned int nr_last[C_ITERS];
static uint64_t cmax_seq = LRG_MIN_NR_GENS + 1;
static unsigned int stats_bad, stats_next_bad, seq_bad;

static void *walker(void *arg)
{
	for (;;) {
		struct lrg_mm_walk walk;
		struct lrg_mm *mm = NULL;
		uint64_t it;
		bool last;

		memset(&walk, 0, sizeof(walk));
		walk.max_seq = __atomic_load_n(&cmax_seq, __ATOMIC_ACQUIRE);
		walk.can_swap = true;
		walk.force_scan = true;
		it = walk.max_seq - (LRG_MIN_NR_GENS + 1);
		if (it >= C_ITERS)
			return NULL;
		do {
			last = lrg_mm_list_next(&cl, 0, &walk, &mm);
			if (mm) {
				__atomic_fetch_add(&visits[it][mm - cmms], 1, __ATOMIC_RELAXED);
				walk.mm_stats[LRG_MM_PTE_TOTAL]++;
				if ((mm - cmms) % 7 == 0)
					sched_yield();
			}
		} while (mm);
		if (last) {
			uint64_t st[LRG_NR_MM_STATS], nx[LRG_NR_MM_STATS];

			nr_last[it]++;
			lrg_mm_list_stats(&cl, 0, walk.max_seq, st);
			lrg_mm_list_stats(&cl, 0, walk.max_seq + 1, nx);
			if (st[LRG_MM_PTE_TOTAL] != C_MMS)
				stats_bad++;
			if (nx[LRG_MM_PTE_TOTAL] != 0)
				stats_next_bad++;
			if (lrg_mm_list_seq(&cl, 0) != walk.max_seq)
				seq_bad++;
			__atomic_store_n(&cmax_seq, walk.max_seq + 1, __ATOMIC_RELEASE);
		} else {
			sched_yield();
		}
	}
}

static void test_concurrent(void)
{
	pthread_t t[C_THREADS];
	unsigned int bad = 0, lasts = 0;

	lrg_mm_list_init(&cl, LRG_ROOT_MEMCG);
	for (int i = 0; i < C_MMS; i++) {
		mk(&cmms[i], 1 + i, 100, 100);
		lrg_mm_list_add(&cl, &cmms[i]);
	}
	for (int i = 0; i < C_THREADS; i++)
		pthread_create(&t[i], NULL, walker, NULL);
	for (int i = 0; i < C_THREADS; i++)
		pthread_join(t[i], NULL);

	for (int it = 0; it < C_ITERS; it++) {
		for (int i = 0; i < C_MMS; i++)
			bad += visits[it][i] != 1;
		lasts += nr_last[it] == 1;
	}
	ok(bad == 0, "%d walkers, %d iterations of %d mms: every mm exactly once per iteration (%u wrong)",
	   C_THREADS, C_ITERS, C_MMS, bad);
	ok(lasts == C_ITERS, "exactly one last walker per iteration (%u of %d)", lasts, C_ITERS);
	ok(seq_bad == 0, "seq advanced exactly once per iteration");
	ok(stats_bad == 0, "the last walker sees every walker's stats flushed (%u bad)", stats_bad);
	ok(stats_next_bad == 0, "and the next generation's stats reset (%u bad)", stats_next_bad);
	ok(cl.state[0].nr_walkers == 0, "no walker left registered");
	for (int i = 0; i < C_MMS; i++)
		lrg_mm_list_del(&cmms[i]);
	lrg_mm_list_destroy(&cl);
}

/* One whole iteration by one walker over any list; the mms walked. */
static int walk_all(struct lrg_mm_list *l, uint64_t max_seq)
{
	struct lrg_mm_walk walk;
	struct lrg_mm *mm = NULL;
	int n = 0;

	memset(&walk, 0, sizeof(walk));
	walk.max_seq = max_seq;
	walk.can_swap = true;
	walk.force_scan = true;
	do {
		lrg_mm_list_next(l, 0, &walk, &mm);
		n += mm != NULL;
	} while (mm);
	return n;
}

/* The first walker sizes the filter it clears. */
static void test_bloom_sizing(void)
{
	static struct lrg_mm_list l;
	static struct lrg_mm m[20];
	uint64_t max_seq = LRG_MIN_NR_GENS + 1;
	const struct lrg_bloom *b = &l.state[0].bloom;
	unsigned int v;

	lrg_mm_list_init(&l, 9);
	for (int i = 0; i < 20; i++) {
		struct lrg_mm_info info;

		memset(&info, 0, sizeof(info));
		info.mm_key = 500 + i;
		info.nr_file = 1000;
		lrg_mm_init(&m[i], &info);
		lrg_mm_list_add(&l, &m[i]);
	}
	ok(walk_all(&l, max_seq) == 20, "a forced iteration walks the 20 mms");
	ok(lrg_bloom_size(b, max_seq + 1) == 1U << lrg_bloom_shift_for(20 * LRG_MM_BLOOM_ITEMS) &&
	   lrg_bloom_size(b, max_seq + 1) == 2048,
	   "20 mms, nothing added yet: sized for %d items per mm (%u bits, not the seeds' 32768)",
	   LRG_MM_BLOOM_ITEMS, lrg_bloom_size(b, max_seq + 1));
	/* the walkers of this iteration add 500 dense regions */
	for (int i = 0; i < 500; i++)
		lrg_bloom_set(&l.state[0].bloom, max_seq + 1, 500 + i % 20, (uint64_t)i << 21);
	max_seq++;
	walk_all(&l, max_seq);
	ok(lrg_bloom_size(b, max_seq + 1) == 1U << lrg_bloom_shift_for(1000) &&
	   lrg_bloom_size(b, max_seq) == 2048,
	   "after 500 items: the next filter sized for twice that (%u bits)", lrg_bloom_size(b, max_seq + 1));
	v = 0;
	for (int i = 0; i < 500; i++)
		v += !lrg_bloom_test(b, max_seq, 500 + i % 20, (uint64_t)i << 21);
	ok(v == 0, "the filter being tested kept every item across the other's resize (%u lost)", v);
	max_seq++;
	walk_all(&l, max_seq);
	ok(lrg_bloom_size(b, max_seq + 1) == 1U << lrg_bloom_shift_for(1000),
	   "one quiet iteration: the 500 items of the one before still count");
	max_seq++;
	walk_all(&l, max_seq);
	ok(lrg_bloom_size(b, max_seq + 1) == 2048, "two quiet iterations: back to the per-mm floor");
	for (int i = 0; i < 20; i++)
		lrg_mm_list_del(&m[i]);
	lrg_mm_list_destroy(&l);
}

int main(void)
{
	test_single();
	test_concurrent();
	test_bloom_sizing();
	return tap_done();
}
