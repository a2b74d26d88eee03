// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ttl - the min_ttl rule as a table: the pressure verdict, the age of
 * the oldest eligible generation, protection, and the domain decision (no
 * OOM while older memory can be reclaimed anywhere in the domain).
 */
#include <string.h>

#include "lruvec.h"
#include "tap.h"
#include "ttl.h"

#define MiB (1ULL << 20)

/* Available memory that runs out within LRG_ACT_AHEAD_MS at the rate it
 * falls is pressure now, up to 1/8 of memory. */
static void test_act_ahead(void)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	p.mem_total = 512 * MiB;     /* margin 8 MiB, cap 64 MiB */
	p.mem_free = 60 * MiB;
	p.mem_available = 60 * MiB;
	p.watermark_low = 3 * MiB;
	p.watermark_high = 5 * MiB;
	ok(!lrg_under_pressure(&p, true), "60 of 512 MiB available, not falling: no pressure");
	p.avail_drop_bps = 10 * MiB;
	ok(!lrg_under_pressure(&p, true), "falling 10 MiB/s: out in 6 s, no pressure yet");
	p.avail_drop_bps = 24 * MiB;
	ok(lrg_under_pressure(&p, true), "falling 24 MiB/s: out within %d ms, pressure now",
	   LRG_ACT_AHEAD_MS);
	ok(lrg_pressure_target_pages(&p, true) == (64 - 60) * MiB / 4096,
	   "target: what the fall takes over %d ms (72 MiB, capped at 64), less the 60 available (%llu pages)",
	   LRG_ACT_AHEAD_MS, (unsigned long long)lrg_pressure_target_pages(&p, true));
	p.mem_free = p.mem_available = 40 * MiB;
	p.avail_drop_bps = 16 * MiB;
	ok(lrg_pressure_target_pages(&p, true) == (48 - 40) * MiB / 4096,
	   "target: falling 16 MiB/s, 48 MiB ahead less the 40 available (%llu pages)",
	   (unsigned long long)lrg_pressure_target_pages(&p, true));
	p.avail_drop_bps = 24 * MiB;
	p.mem_free = p.mem_available = 60 * MiB;
	p.mem_free = p.mem_available = 70 * MiB;
	p.avail_drop_bps = 1024 * MiB;
	ok(!lrg_under_pressure(&p, true), "falling 1 GiB/s with 70 MiB, over 1/8 of memory: no pressure");
	p.mem_free = p.mem_available = 63 * MiB;
	ok(lrg_under_pressure(&p, true), "falling 1 GiB/s with 63 MiB, under 1/8 of memory: pressure");
	p.limit = 256 * MiB;
	p.usage = 100 * MiB;
	ok(!lrg_under_pressure(&p, false), "a memcg's verdict does not read the machine's rate");
}

static void test_pressure(void)
{
	static const struct {
		const char *what;
		bool global;
		uint64_t free, low, high, limit, usage;
		double psi_full;
		bool want;
		uint64_t total, avail;   /* 0: not filled in */
	} t[] = {
		{ "machine: free above high", true, 500 * MiB, 100 * MiB, 150 * MiB, 0, 0, 0, false, 0, 0 },
		{ "machine: free below low", true, 90 * MiB, 100 * MiB, 150 * MiB, 0, 0, 0, true, 0, 0 },
		{ "machine: between low and high, no stall", true, 120 * MiB, 100 * MiB, 150 * MiB, 0, 0, 0, false, 0, 0 },
		{ "machine: between low and high, stalled", true, 120 * MiB, 100 * MiB, 150 * MiB, 0, 0, 5.0, true, 0, 0 },
		{ "machine: stall alone with plenty free", true, 900 * MiB, 100 * MiB, 150 * MiB, 0, 0, 50.0, false, 0, 0 },
		{ "machine: no watermarks known", true, 0, 0, 0, 0, 0, 0, false, 0, 0 },
		{ "memcg: no limit", false, 0, 0, 0, UINT64_MAX, 900 * MiB, 0, false, 0, 0 },
		{ "memcg: at its limit", false, 0, 0, 0, 1024 * MiB, 1020 * MiB, 0, true, 0, 0 },
		{ "memcg: well below", false, 0, 0, 0, 1024 * MiB, 500 * MiB, 0, false, 0, 0 },
		{ "memcg: near, stalled", false, 0, 0, 0, 1024 * MiB, 1000 * MiB, 2.0, true, 0, 0 },
		{ "memcg: near, not stalled", false, 0, 0, 0, 1024 * MiB, 1000 * MiB, 0, false, 0, 0 },
		/* kswapd keeps free between the watermarks: MemAvailable shows it */
		{ "machine: free between watermarks, 6 of 466 MiB available", true, 4 * MiB, 3 * MiB,
		  5 * MiB, 0, 0, 0, true, 466 * MiB, 6 * MiB },
		{ "machine: 20 of 466 MiB available, no stall", true, 20 * MiB, 3 * MiB, 5 * MiB, 0, 0,
		  0, false, 466 * MiB, 20 * MiB },
		{ "machine: 20 of 466 MiB available, stalled", true, 20 * MiB, 3 * MiB, 5 * MiB, 0, 0,
		  2.0, true, 466 * MiB, 20 * MiB },
		{ "machine: 40 of 466 MiB available, stalled", true, 40 * MiB, 3 * MiB, 5 * MiB, 0, 0,
		  2.0, false, 466 * MiB, 40 * MiB },
		{ "machine: MemAvailable not filled in, plenty free", true, 400 * MiB, 3 * MiB,
		  5 * MiB, 0, 0, 0, false, 466 * MiB, 0 },
		/* an unlimited memcg (max reported as MemTotal) is the machine's business */
		{ "memcg: limit = MemTotal, full", false, 0, 0, 0, 466 * MiB, 465 * MiB, 5.0, false,
		  466 * MiB, 0 },
		{ "memcg: limit below MemTotal, full", false, 0, 0, 0, 256 * MiB, 255 * MiB, 0, true,
		  466 * MiB, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lrg_pressure p;

		memset(&p, 0, sizeof(p));
		p.mem_free = t[i].free;
		p.watermark_low = t[i].low;
		p.watermark_high = t[i].high;
		p.limit = t[i].limit;
		p.usage = t[i].usage;
		p.psi_full_avg10 = t[i].psi_full;
		p.mem_total = t[i].total;
		p.mem_available = t[i].avail;
		ok(lrg_under_pressure(&p, t[i].global) == t[i].want, "pressure: %s -> %s", t[i].what,
		   t[i].want ? "yes" : "no");
	}
	{
		struct lrg_pressure p;

		memset(&p, 0, sizeof(p));
		p.mem_free = 90 * MiB;
		p.watermark_low = 100 * MiB;
		p.watermark_high = 150 * MiB;
		ok(lrg_pressure_target_pages(&p, true) == 60 * MiB / 4096,
		   "machine target: back above the high watermark (%llu pages)",
		   (unsigned long long)lrg_pressure_target_pages(&p, true));
		memset(&p, 0, sizeof(p));
		p.limit = 1024 * MiB;
		p.usage = 1024 * MiB;
		ok(lrg_pressure_target_pages(&p, false) == 2 * 16 * MiB / 4096,
		   "memcg target: two margins below the limit (%llu pages)",
		   (unsigned long long)lrg_pressure_target_pages(&p, false));
		memset(&p, 0, sizeof(p));
		p.mem_total = 640 * MiB;    /* margin 10 MiB */
		p.mem_free = 4 * MiB;
		p.mem_available = 6 * MiB;
		p.watermark_low = 3 * MiB;
		p.watermark_high = 5 * MiB;
		ok(lrg_pressure_target_pages(&p, true) == 14 * MiB / 4096,
		   "machine target: back to two margins available (%llu pages)",
		   (unsigned long long)lrg_pressure_target_pages(&p, true));
	}
	test_act_ahead();
}

static void test_protected(void)
{
	static const struct {
		const char *what;
		uint64_t birth_anon, birth_file;
		bool can_swap;
		uint32_t ttl;
		uint64_t now;
		bool want;
	} t[] = {
		{ "min_ttl off", 9000, 9000, true, 0, 10000, false },
		{ "oldest gen 1000 ms old, ttl 1000: not younger", 9000, 9000, true, 1000, 10000, false },
		{ "oldest gen 999 ms old, ttl 1000: protected", 9001, 9001, true, 1000, 10000, true },
		{ "file young, anon old, swapping: anon may go", 1000, 9500, true, 1000, 10000, false },
		{ "file young, anon old, no swap: protected", 1000, 9500, false, 1000, 10000, true },
		{ "file old: not protected", 9900, 1000, false, 1000, 10000, false },
		{ "clock behind birth: age 0, protected", 20000, 20000, true, 1, 10000, true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lrg_lruvec lv;

		lrg_lruvec_init(&lv, 1, 0, 0);
		lv.min_seq[LRG_ANON] = 1;
		lv.min_seq[LRG_FILE] = 2;
		lv.timestamps[1] = t[i].birth_anon;
		lv.timestamps[2] = t[i].birth_file;
		ok(lrg_ttl_protected(&lv, t[i].can_swap, t[i].now, t[i].ttl) == t[i].want,
		   "min_ttl: %s", t[i].what);
	}
}

static void test_decide(void)
{
	/* evictable, below_min, protected */
	static const struct {
		const char *what;
		bool pressure;
		size_t n;
		struct lrg_ttl_scope s[3];
		enum lrg_ttl_verdict want;
	} t[] = {
		{ "no pressure", false, 1, { { true, false, true } }, LRG_TTL_NO_PRESSURE },
		{ "one old scope", true, 1, { { true, false, false } }, LRG_TTL_EVICT },
		{ "one young scope", true, 1, { { true, false, true } }, LRG_TTL_OOM },
		{ "young + old elsewhere in the domain: no OOM", true, 2,
		  { { true, false, true }, { true, false, false } }, LRG_TTL_EVICT },
		{ "young + old but memory.min: OOM", true, 2,
		  { { true, false, true }, { true, true, false } }, LRG_TTL_OOM },
		{ "young + empty scope: OOM", true, 2,
		  { { true, false, true }, { false, false, false } }, LRG_TTL_OOM },
		{ "nothing evictable, no min_ttl: kernel's OOM", true, 2,
		  { { false, false, false }, { false, false, false } }, LRG_TTL_EXHAUSTED },
		{ "empty domain", true, 0, { { false, false, false } }, LRG_TTL_EXHAUSTED },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(lrg_ttl_decide(t[i].pressure, t[i].s, t[i].n) == t[i].want, "decide: %s", t[i].what);
}

static int feed(struct lrg_thrash *t, uint64_t ms, uint64_t steal, uint64_t refaults)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	p.pgsteal = steal;
	p.refaults = refaults;
	return lrg_thrash_sample(t, &p, ms);
}

static void test_thrash(void)
{
	struct lrg_thrash t;
	int pct;

	memset(&t, 0, sizeof(t));
	ok(feed(&t, 1000, 5000, 100) == -1, "thrash: the first sample gives no verdict");
	ok(feed(&t, 2500, 9000, 2000) == -1, "thrash: nor a window shorter than %d ms",
	   LRG_THRASH_WINDOW_MS);
	pct = feed(&t, 3000, 10000, 3600);
	ok(pct == 70, "thrash: 3500 of 5000 reclaimed pages came back: 70%% (%d)", pct);
	ok(feed(&t, 3100, 10100, 3700) == 70, "thrash: the verdict holds until the next window ends");
	pct = feed(&t, 5000, 14000, 3800);
	ok(pct == 5, "thrash: next window, 200 of 4000 came back: 5%% (%d)", pct);
	pct = feed(&t, 7000, 14010, 3830);
	ok(pct == 0, "thrash: 30 refaults are noise, not a working set (%d)", pct);
	pct = feed(&t, 9000, 14010, 5830);
	ok(pct == 1000, "thrash: refaults with nothing reclaimed: capped at 1000 (%d)", pct);
	ok(feed(&t, 9000 + LRG_THRASH_STALE_MS + 1, 90000, 90000) == -1,
	   "thrash: after a gap of over %d ms, a new window (no verdict)", LRG_THRASH_STALE_MS);
	pct = feed(&t, 16100, 91000, 90100);
	ok(pct == 10, "thrash: and the new window counts from the gap (%d)", pct);
	ok(feed(&t, 16200, 10, 10) == -1, "thrash: counters that went back restart the window");

	/* the verdict wants the window's own stall too */
	{
		struct lrg_pressure p;

		memset(&t, 0, sizeof(t));
		memset(&p, 0, sizeof(p));
		lrg_thrash_sample(&t, &p, 1000);
		p.pgsteal = 4000;
		p.refaults = 1000;
		p.psi_full_total_us = 150000;   /* 150 ms of 2 s */
		lrg_thrash_sample(&t, &p, 3000);
		ok(t.pct == 25 && t.stall_pct == 7 && !lrg_thrashing(&t),
		   "thrash: 25%% back but 7%% stalled: not thrashing (%u%%, %u%%)", t.pct, t.stall_pct);
		p.pgsteal += 4000;
		p.refaults += 1000;
		p.psi_full_total_us += 600000;  /* 600 ms of 2 s */
		lrg_thrash_sample(&t, &p, 5000);
		ok(t.pct == 25 && t.stall_pct == 30 && lrg_thrashing(&t),
		   "thrash: 25%% back, 30%% stalled: thrashing (%u%%, %u%%)", t.pct, t.stall_pct);
		p.pgsteal += 4000;
		p.refaults += 400;
		p.psi_full_total_us += 600000;
		lrg_thrash_sample(&t, &p, 7000);
		ok(t.pct == 10 && !lrg_thrashing(&t),
		   "thrash: 10%% back, 30%% stalled (reclaim that frees): not thrashing (%u%%)", t.pct);
		/* after a kill freed memory: the survivors read back what the
		 * thrash took, while reclaim has all but stopped */
		p.pgsteal += 1000;
		p.refaults += 3000;
		p.psi_full_total_us += 600000;
		lrg_thrash_sample(&t, &p, 9000);
		ok(t.pct == 300 && !lrg_thrashing(&t),
		   "thrash: 3000 back of 1000 reclaimed, 30%% stalled (the working set returning): not"
		   " thrashing (%u%%)", t.pct);
		p.pgsteal += 4000;
		p.refaults += 4000;
		p.psi_full_total_us += 600000;
		lrg_thrash_sample(&t, &p, 11000);
		ok(t.pct == 100 && lrg_thrashing(&t) && t.verdict_ms == 9000,
		   "thrash: all of it back, 30%% stalled: thrashing, from the window that began at"
		   " 9000 ms (%u%%, %llu)", t.pct, (unsigned long long)t.verdict_ms);
	}
}

/* Page cache that memory.min holds is counted in MemAvailable, but the
 * kernel's reclaim cannot have it: it is not available to a runaway. */
/* The kernel's OOM killer is due: a tenth of memory or less available,
 * and available memory with free swap gone within LRG_ACT_AHEAD_MS. */
static void test_exhaustion_ahead(void)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	p.mem_total = 512 * MiB;     /* a tenth: 51.2 MiB */
	p.mem_free = p.mem_available = 40 * MiB;
	ok(!lrg_exhaustion_ahead(&p), "40 MiB available, no rate known: not ahead");
	p.reserve_drop_bps = 10 * MiB;
	ok(!lrg_exhaustion_ahead(&p), "no swap, falling 10 MiB/s: out in 4 s, not ahead");
	p.reserve_drop_bps = 16 * MiB;
	ok(lrg_exhaustion_ahead(&p), "no swap, falling 16 MiB/s: out within %d ms", LRG_ACT_AHEAD_MS);
	p.swap_total = 128 * MiB;
	p.swap_free = 100 * MiB;
	ok(!lrg_exhaustion_ahead(&p), "100 MiB of swap free beside: 140 MiB, out in 8.75 s, not ahead");
	p.reserve_drop_bps = 80 * MiB;
	p.swap_free = 80 * MiB;
	ok(lrg_exhaustion_ahead(&p), "120 MiB left falling 80 MiB/s (a runaway into zram): out in 1.5 s");
	p.swap_free = 100 * MiB;
	p.mem_free = p.mem_available = 60 * MiB;
	p.swap_free = 0;
	ok(!lrg_exhaustion_ahead(&p),
	   "60 MiB available, over a tenth of memory: not ahead at any rate (a burst that stops)");
	p.mem_free = 4 * MiB;
	p.mem_available = 40 * MiB;
	p.protected_file = 30 * MiB;
	p.reserve_drop_bps = 4 * MiB;
	ok(lrg_exhaustion_ahead(&p),
	   "40 MiB available of which 30 held by memory.min: 10 MiB, falling 4 MiB/s: ahead");
	p.protected_file = 0;
	p.mem_free = p.mem_available = 40 * MiB;
	p.swap_free = 100 * MiB;
	p.reserve_drop_bps = 1024 * MiB;
	ok(!lrg_exhaustion_ahead(&p),
	   "140 MiB left, over a quarter of memory's worth, falling 1 GiB/s: not ahead (a burst may stop)");
	p.swap_free = 80 * MiB;
	ok(lrg_exhaustion_ahead(&p), "120 MiB left, under a quarter: ahead");
}

static void test_protected_file(void)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	p.mem_total = 512 * MiB;     /* margin 8 MiB */
	p.mem_free = 20 * MiB;
	p.mem_available = 100 * MiB;
	ok(lrg_machine_available(&p) == 100 * MiB && !lrg_under_pressure(&p, true),
	   "100 MiB available, nothing protected: no pressure");
	p.protected_file = 96 * MiB;
	ok(lrg_machine_available(&p) == 20 * MiB,
	   "96 MiB of it protected page cache: the free 20 MiB are what is left (%llu MiB)",
	   (unsigned long long)(lrg_machine_available(&p) / MiB));
	p.mem_free = 6 * MiB;
	ok(lrg_machine_available(&p) == 6 * MiB && lrg_under_pressure(&p, true),
	   "6 MiB free beside the protected 96: pressure");
	p.protected_file = 200 * MiB;
	ok(lrg_machine_available(&p) == 6 * MiB, "more protected than MemAvailable: free memory, not 0");
}

/* Quiet: no pressure, no stall, a quarter of memory available for 10 s
 * more at the rate it falls. */
static void test_quiet(void)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	ok(!lrg_quiet(&p, 0), "nothing measured: not quiet");
	p.mem_total = 8192 * MiB;
	p.mem_free = p.mem_available = 4096 * MiB;
	p.watermark_low = 64 * MiB;
	p.watermark_high = 96 * MiB;
	ok(lrg_quiet(&p, 0), "half of memory available, steady: quiet");
	p.avail_drop_bps = 100 * MiB;
	ok(lrg_quiet(&p, 0), "falling 100 MiB/s: 3 GiB left in 10 s, over a quarter: quiet");
	p.avail_drop_bps = 300 * MiB;
	ok(!lrg_quiet(&p, 0), "falling 300 MiB/s: 1 GiB left in 10 s, under a quarter: not quiet");
	p.avail_drop_bps = 0;
	p.mem_free = p.mem_available = 2000 * MiB;
	ok(!lrg_quiet(&p, 0), "under a quarter available: not quiet");
	p.mem_free = p.mem_available = 4096 * MiB;
	ok(lrg_quiet(&p, 0.5), "tasks stalled on memory 0.5%% of the time lately (PSI some): quiet");
	ok(!lrg_quiet(&p, 2.5), "tasks stalled on memory 2.5%% of the time lately: not quiet");
	p.mem_free = 32 * MiB;
	ok(!lrg_quiet(&p, 0), "free memory under the low watermark (the cache is what is available): not quiet");
}

/* A calm machine that a stall would wake is looked at as often as the
 * fastest allocator could end its calm: 6000 MiB/s through what lies
 * above a quarter of memory, between the poll and a second. */
static void test_calm_look(void)
{
	struct lrg_pressure p;

	memset(&p, 0, sizeof(p));
	ok(lrg_calm_look_ms(&p, 200) == 200, "nothing measured: the poll");
	p.mem_total = 16384 * MiB;
	p.mem_free = p.mem_available = 10096 * MiB;
	ok(lrg_calm_look_ms(&p, 200) == 1000,
	   "6000 MiB over a quarter of 16 GiB: a second (the longest look)");
	p.mem_free = p.mem_available = 4096 * MiB + 3000 * MiB;
	ok(lrg_calm_look_ms(&p, 200) == 500, "3000 MiB over a quarter: half a second (got %llu)",
	   (unsigned long long)lrg_calm_look_ms(&p, 200));
	p.mem_free = p.mem_available = 4096 * MiB + 600 * MiB;
	ok(lrg_calm_look_ms(&p, 200) == 200, "600 MiB over a quarter (100 ms to fill): the poll");
	p.mem_free = p.mem_available = 3000 * MiB;
	ok(lrg_calm_look_ms(&p, 250) == 250, "under a quarter available: the poll");
	p.mem_available = 10096 * MiB;
	p.mem_free = 1000 * MiB;
	p.protected_file = 9000 * MiB;
	ok(lrg_calm_look_ms(&p, 200) == 200,
	   "page cache held by memory.min is not counted as what keeps it calm");
}

int main(void)
{
	test_quiet();
	test_calm_look();
	test_pressure();
	test_protected();
	test_decide();
	test_thrash();
	test_protected_file();
	test_exhaustion_ahead();
	return tap_done();
}
