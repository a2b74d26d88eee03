// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_protect - kernel-enforced working-set protection: the figures
 * (working set within min_ttl, the established working set, the hold
 * under pressure, the cap, when a change is written) and the engine's
 * memory.min along each protected memcg's ancestry, released when the
 * working set goes idle and undone when the engine goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_backend.h"
#include "lrg_policy.h"
#include "lruvec.h"
#include "protect.h"
#include "tap.h"

#define MiB (1ULL << 20)
#define R(k) (0x7f0000000000ULL + ((uint64_t)(k) << LRG_PMD_SHIFT))

static void test_wss(void)
{
	struct lrg_lruvec lv;

	/* max_seq 3, min_seq 0: four generations born at 0, 1000, 2000, 3000 */
	lrg_lruvec_init(&lv, 1, 0, 0);
	lv.timestamps[3] = 3000;
	lv.timestamps[0] = 0;
	lv.timestamps[1] = 1000;
	lv.timestamps[2] = 2000;
	*lrg_lruvec_count(&lv, 0, LRG_FILE) = 100;
	*lrg_lruvec_count(&lv, 1, LRG_FILE) = 10;
	*lrg_lruvec_count(&lv, 2, LRG_ANON) = 20;
	*lrg_lruvec_count(&lv, 3, LRG_FILE) = 30;
	ok(lrg_protect_wss(&lv, 3500, 0) == 0, "min_ttl 0: nothing is a working set");
	ok(lrg_protect_wss(&lv, 3500, 1000) == 50 * LRG_PAGE_SIZE,
	   "min_ttl 1 s: the two youngest generations, anon and file (%llu pages)",
	   (unsigned long long)(lrg_protect_wss(&lv, 3500, 1000) / LRG_PAGE_SIZE));
	ok(lrg_protect_wss(&lv, 3500, 100) == 50 * LRG_PAGE_SIZE,
	   "min_ttl 0.1 s, the last walk 0.5 s ago: still the two youngest (what it found used)");
	ok(lrg_protect_wss(&lv, 3500, 2000) == 60 * LRG_PAGE_SIZE,
	   "min_ttl 2 s: also the generation whose successor was born 1.5 s ago");
	/* with four generations the oldest holds everything older: never young */
	lv.timestamps[2] = 500;
	ok(lrg_protect_wss(&lv, 3500, 2000) == 50 * LRG_PAGE_SIZE,
	   "min_ttl 2 s, that successor born 3 s ago: not counted");
	ok(lrg_protect_wss(&lv, 3500, 60000) == 60 * LRG_PAGE_SIZE,
	   "the oldest of four generations is not counted (it holds all older pages)");
}

/* Feed wss every second from t0 for secs seconds; the last want. */
static uint64_t feed(struct lrg_protect_state *s, uint64_t t0, int secs, uint64_t wss,
		     bool pressure)
{
	uint64_t w = 0;

	for (int i = 0; i < secs; i++)
		w = lrg_protect_step(s, wss, pressure, t0 + (uint64_t)i * 1000);
	return w;
}

static void test_established(void)
{
	struct lrg_protect_state s;
	uint64_t w, peak = 0;

	memset(&s, 0, sizeof(s));
	ok(feed(&s, 1000, 5, 100 * MiB, false) == 0, "nothing before the working set held 5 s");
	memset(&s, 0, sizeof(s));
	ok(feed(&s, 1000, 40, 100 * MiB, false) == 100 * MiB, "a steady 100 MiB is protected");
	w = feed(&s, 41000, 25, 300 * MiB, false);
	ok(w == 100 * MiB, "growth to 300 MiB: still 100 MiB after 25 s (%llu MiB)",
	   (unsigned long long)(w / MiB));
	w = feed(&s, 66000, 10, 300 * MiB, false);
	ok(w == 300 * MiB, "after the growth held 30 s it is established (%llu MiB)",
	   (unsigned long long)(w / MiB));
	w = lrg_protect_step(&s, 50 * MiB, false, 76000);
	ok(w == 50 * MiB, "a smaller working set, no pressure: followed at once");

	/* a runaway its shell restarts: 0 to 400 MiB in 4 s, again and again */
	memset(&s, 0, sizeof(s));
	for (int t = 0; t < 120; t++) {
		w = lrg_protect_step(&s, (uint64_t)(t % 5) * 100 * MiB, false, 1000 + (uint64_t)t * 1000);
		if (t >= 5 && w > peak)
			peak = w;
	}
	ok(peak == 0, "a respawning runaway is never protected (peak %llu MiB)",
	   (unsigned long long)(peak / MiB));
}

static void test_hold(void)
{
	struct lrg_protect_state s;
	uint64_t w;

	memset(&s, 0, sizeof(s));
	feed(&s, 1000, 40, 100 * MiB, false);
	w = feed(&s, 41000, 29, 10 * MiB, true);
	ok(w == 100 * MiB, "under pressure a fall is held 29 s (%llu MiB)",
	   (unsigned long long)(w / MiB));
	w = feed(&s, 70000, 2, 10 * MiB, true);
	ok(w == 10 * MiB, "... and taken after 30 s (%llu MiB)", (unsigned long long)(w / MiB));
	feed(&s, 72000, 40, 100 * MiB, false);
	w = feed(&s, 112000, 5, 10 * MiB, true);
	w = feed(&s, 117000, 10, 10 * MiB, false);
	ok(w == 100 * MiB, "calm for 10 s between two pressures: still held (%llu MiB)",
	   (unsigned long long)(w / MiB));
	w = feed(&s, 127000, 20, 10 * MiB, false);
	ok(w == 10 * MiB, "30 s after the last pressure: the fall is taken (%llu MiB)",
	   (unsigned long long)(w / MiB));
}

static void test_cap(void)
{
	uint64_t w[3] = { 300 * MiB, 100 * MiB, 0 };
	uint64_t sum;

	ok(lrg_protect_cap_bytes(1000 * MiB, 50) == 500 * MiB, "cap: 50%% of 1000 MiB");
	ok(lrg_protect_cap_bytes(1000 * MiB, 0) == 0, "cap 0: no protection");
	sum = lrg_protect_cap(w, 3, 500 * MiB);
	ok(sum == 400 * MiB && w[0] == 300 * MiB, "below the cap: unchanged");
	sum = lrg_protect_cap(w, 3, 200 * MiB);
	ok(sum <= 200 * MiB && w[0] == 150 * MiB && w[1] == 50 * MiB && w[2] == 0,
	   "above the cap: scaled in proportion to 150 + 50 MiB (%llu + %llu)",
	   (unsigned long long)(w[0] / MiB), (unsigned long long)(w[1] / MiB));
}

static void test_changed(void)
{
	ok(!lrg_protect_changed(100 * MiB, 102 * MiB, 0), "2 MiB of 100: not written");
	ok(lrg_protect_changed(100 * MiB, 107 * MiB, 0), "7 MiB of 100 (> 1/16): written");
	ok(lrg_protect_changed(1024 * MiB, 1200 * MiB, 0), "176 MiB of 1 GiB: written");
	ok(!lrg_protect_changed(1024 * MiB, 1060 * MiB, 0), "36 MiB of 1 GiB: not written");
	ok(lrg_protect_changed(5 * MiB, 0, 0), "back to what it was: always written");
	ok(!lrg_protect_changed(7 * MiB, 7 * MiB, 7 * MiB), "no change: not written");
}

/* ---- the engine --------------------------------------------------------- */

static struct fake_backend f;

static void cfg_protect(struct lrg_config *c, uint32_t min_ttl)
{
	static const struct lrg_slice_config any = {
		.name = "*", .match = "*", .swappiness = 0, .aging_interval_ms = 500,
		.evict = true, .oom = LRG_OOM_PROCESS, .protect_memory = true,
	};

	memset(c, 0, sizeof(*c));
	snprintf(c->daemon.backend, sizeof(c->daemon.backend), "auto");
	c->daemon.poll_interval_ms = 250;
	c->daemon.tick_budget_ms = 50;
	c->daemon.kill_timeout_ms = 3000;
	c->daemon.protect_cap_pct = 50;
	c->defaults = any;
	c->defaults.min_ttl_ms = min_ttl;
	c->slices = calloc(1, sizeof(*c->slices));
	if (!c->slices)
		abort();
	c->slices[0] = any;
	snprintf(c->slices[0].name, sizeof(c->slices[0].name), "system");
	snprintf(c->slices[0].match, sizeof(c->slices[0].match), "/system.slice");
	c->slices[0].min_ttl_ms = 0;
	c->nr_slices = 1;
}

static void machine(uint64_t total)
{
	memset(&f.global, 0, sizeof(f.global));
	f.global.mem_total = total;
	f.global.mem_free = f.global.mem_available = total / 2;
	f.global.watermark_low = 16 * MiB;
	f.global.watermark_high = 24 * MiB;
	f.global.limit = total;
}

/* Touch every page of the ui each tick for secs seconds (ticks of 250 ms). */
static void run(struct lrg_policy *p, struct fake_mm *ui, int regions, int secs)
{
	struct lrg_tick_result tr;

	for (int t = 0; t < secs * 4; t++) {
		for (int k = 0; ui && k < regions; k++)
			fake_touch(ui, R(k), 0, 512);
		f.now += 250;
		/* the daemon re-lists every few seconds: the mms' CPU time
		 * ("has run") is how aging knows whom to walk */
		lrg_policy_refresh(p, f.now);
		lrg_policy_tick(p, f.now, &tr);
	}
}

static void test_engine(void)
{
	struct lrg_config cfg;
	struct lrg_policy *p;
	struct lrg_policy_stats st;
	struct fake_mm *ui, *idle;
	int iu, ia, is, ii;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	machine(1024 * MiB);
	cfg_protect(&cfg, 2000);
	iu = fake_add_memcg(&f, 10, "/user.slice");
	ia = fake_add_memcg(&f, 11, "/user.slice/ui.scope");
	ii = fake_add_memcg(&f, 12, "/user.slice/idle.scope");
	is = fake_add_memcg(&f, 13, "/system.slice");
	f.memcgs[iu].min = 1 * MiB;     /* a unit's own MemoryMin= */
	ui = fake_add_mm(&f, 100, 11);
	idle = fake_add_mm(&f, 101, 12);
	for (int k = 0; k < 16; k++) {
		fake_map(ui, R(k), 0, 512, false);
		fake_map(idle, R(k), 0, 512, false);
	}
	fake_add_mm(&f, 102, 13);
	/* the idle app used its memory once, before lrugend started */
	for (int k = 0; k < 16; k++)
		fake_touch(idle, R(k), 0, 512);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	f.now = 1000;
	lrg_policy_refresh(p, f.now);
	run(p, ui, 16, 10);
	ok(f.memcgs[ia].min >= 30 * MiB && f.memcgs[ia].min <= 33 * MiB,
	   "the ui's 32 MiB used every 250 ms: its memory.min %llu MiB",
	   (unsigned long long)(f.memcgs[ia].min / MiB));
	ok(f.memcgs[iu].min == f.memcgs[ia].min + f.memcgs[ii].min,
	   "its slice carries the sum of its children (%llu MiB): cgroup v2 grants a child no more",
	   (unsigned long long)(f.memcgs[iu].min / MiB));
	ok(f.memcgs[ii].min == 0, "the scope whose pages nobody touches: nothing");
	ok(f.memcgs[is].min == 0, "a slice without min_ttl: nothing");
	lrg_policy_get_stats(p, &st);
	ok(st.protected_bytes == f.memcgs[ia].min && st.protect_writes > 0,
	   "status: %llu MiB protected, %llu writes", (unsigned long long)(st.protected_bytes / MiB),
	   (unsigned long long)st.protect_writes);

	/* the cap: a machine of 40 MiB holds at most 20 MiB of protection */
	f.global.mem_total = 40 * MiB;
	run(p, ui, 16, 2);
	ok(f.memcgs[ia].min <= 20 * MiB && f.memcgs[ia].min >= 16 * MiB,
	   "capped at 50%% of a 40 MiB machine: %llu MiB", (unsigned long long)(f.memcgs[ia].min / MiB));
	f.global.mem_total = 1024 * MiB;

	/* the ui goes idle, no pressure: released back to the values before
	 * (on this calm machine aging runs every 5 s, so the idle pages leave
	 * the generations protection counts within 15 s) */
	run(p, NULL, 0, 16);
	ok(f.memcgs[ia].min == 0 && f.memcgs[iu].min == 1 * MiB,
	   "idle: released, the slice back to its own 1 MiB (%llu, %llu MiB)",
	   (unsigned long long)(f.memcgs[ia].min / MiB), (unsigned long long)(f.memcgs[iu].min / MiB));

	/* busy again: established once it held for the window, then the
	 * engine goes and everything is undone */
	run(p, ui, 16, 6);
	ok(f.memcgs[ia].min == 0, "busy again for 6 s: not established yet");
	run(p, ui, 16, 26);
	ok(f.memcgs[ia].min >= 30 * MiB, "busy again for 32 s: protected again (%llu MiB)",
	   (unsigned long long)(f.memcgs[ia].min / MiB));
	/* a reload with protect_cap_pct = 0 takes it back, and 50 again
	 * gives it again */
	cfg_protect(&cfg, 2000);
	cfg.daemon.protect_cap_pct = 0;
	lrg_policy_set_config(p, &cfg);
	run(p, ui, 16, 2);
	ok(f.memcgs[ia].min == 0 && f.memcgs[iu].min == 1 * MiB,
	   "reloaded with protect_cap_pct = 0: released (%llu, %llu MiB)",
	   (unsigned long long)(f.memcgs[ia].min / MiB), (unsigned long long)(f.memcgs[iu].min / MiB));
	cfg.daemon.protect_cap_pct = 50;
	lrg_policy_set_config(p, &cfg);
	lrg_config_free(&cfg);
	run(p, ui, 16, 2);
	ok(f.memcgs[ia].min >= 30 * MiB, "and 50 again: protected again (%llu MiB)",
	   (unsigned long long)(f.memcgs[ia].min / MiB));
	/* a busy machine (a fifth of memory available) ages each second:
	 * an idle working set is released within 6 s */
	f.global.mem_free = f.global.mem_available = f.global.mem_total / 5;
	run(p, ui, 16, 2);
	run(p, NULL, 0, 6);
	ok(f.memcgs[ia].min == 0, "busy machine, the ui idle for 6 s: released (%llu MiB)",
	   (unsigned long long)(f.memcgs[ia].min / MiB));
	lrg_policy_free(p);
	ok(f.memcgs[ia].min == 0 && f.memcgs[iu].min == 1 * MiB,
	   "the engine freed (exit): every memory.min back to what it was");
}

/*
 * Aging runs every second (every 5 s calm) and the daemon re-lists every
 * 2 s (5 s calm) on its own ticks, a little late: now and then two agings
 * come with no listing between, walk nothing, and leave the pages in
 * steady use in the oldest generation, which the working set does not
 * count. An application that sweeps its 32 MiB every second, established,
 * stays protected through calm, a spell that is not, and calm again: such
 * an aging gives no sample (one of 0 held as the smallest working set of
 * 30 s, and the app went unprotected into the next incident).
 */
static void test_calm_phase(void)
{
	struct lrg_config cfg;
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct fake_mm *app;
	uint64_t least = UINT64_MAX, last_list = 0;
	int ia;

	memset(&tr, 0, sizeof(tr));

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	machine(1024 * MiB);
	cfg_protect(&cfg, 1000);
	cfg.defaults.aging_interval_ms = 1000;
	cfg.daemon.poll_interval_ms = 200;
	ia = fake_add_memcg(&f, 11, "/user.slice/app.scope");
	app = fake_add_mm(&f, 100, 11);
	for (int k = 0; k < 16; k++) {
		fake_map(app, R(k), 0, 512, false);
		fake_touch(app, R(k), 0, 512);
	}
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	f.now = 1000;
	lrg_policy_refresh(p, f.now);
	for (int t = 1; t <= 600; t++) {   /* 120 s of 200 ms ticks */
		f.now += 200;
		if (t % 5 == 0)
			for (int k = 0; k < 16; k++)
				fake_touch(app, R(k), 0, 512);
		/* the daemon's ticks come a little late: its listings every
		 * 5.2 s here, its aging every 5 s */
		if (f.now - last_list > (tr.calm ? LRG_CALM_PACE_MS : 2000)) {
			lrg_policy_refresh(p, f.now);
			last_list = f.now;
		}
		lrg_policy_tick(p, f.now, &tr);
		if (f.now >= 50000 && f.now < 53000)
			f.global.pgsteal += 128;   /* the kernel reclaims 2.5 MiB/s: not calm */
		if (f.now >= 45000 && f.memcgs[ia].min < least)
			least = f.memcgs[ia].min;
	}
	ok(tr.calm && least >= 30 * MiB,
	   "calm, then 3 s of the kernel reclaiming, then calm again: an app sweeping 32 MiB "
	   "every second keeps at least %llu MiB from 45 to 120 s", (unsigned long long)(least / MiB));
	lrg_policy_free(p);
}

/*
 * An engine over one scope at path whose one address space maps pages
 * pages (of 512 per region); *ret_mm is it. protect_errno: what the
 * fake's protect() fails with (0: it works).
 */
static struct lrg_policy *one_scope_ttl(const char *path, unsigned int pages, int protect_errno,
					uint32_t min_ttl, struct fake_mm **ret_mm)
{
	struct lrg_config cfg;
	struct lrg_policy *p;
	struct fake_mm *mm;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	machine(1024 * MiB);
	cfg_protect(&cfg, min_ttl);
	fake_add_memcg(&f, 11, path);
	mm = fake_add_mm(&f, 100, 11);
	for (unsigned int k = 0; k * 512 < pages; k++)
		fake_map(mm, R(k), 0, pages - k * 512 < 512 ? pages - k * 512 : 512, false);
	f.protect_errno = protect_errno;
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	f.now = 1000;
	lrg_policy_refresh(p, f.now);
	*ret_mm = mm;
	return p;
}

static struct lrg_policy *one_scope(const char *path, unsigned int pages, int protect_errno,
				    struct fake_mm **ret_mm)
{
	return one_scope_ttl(path, pages, protect_errno, 2000, ret_mm);
}

/* A working set under LRG_PROTECT_MIN_BYTES is not worth a write. */
static void test_floor(void)
{
	struct fake_mm *tiny;
	struct lrg_policy *p = one_scope("/tiny.scope", 128, 0, &tiny);

	run(p, tiny, 1, 10);
	ok(f.protect_calls == 0 && f.memcgs[0].min == 0,
	   "512 KiB in use: below 1 MiB, nothing written (%llu writes)",
	   (unsigned long long)f.protect_calls);
	lrg_policy_free(p);
}

/*
 * lrugend's own eviction leaves the working set it guards: under
 * pressure, a protected scope 24 pages over its memory.min whose pages
 * all fell out of min_ttl gives those 24 pages, not its working set.
 * A memory.min lrugend did not write (a user's, in a subtree delegated
 * to them) is no such shield.
 */
static void test_evict_leaves_guarded(void)
{
	struct lrg_policy_stats st;
	struct fake_mm *ui;
	/* min_ttl 1 s: generations of the 500 ms aging outlive it */
	struct lrg_policy *p = one_scope_ttl("/ui.scope", 16 * 512, 0, 1000, &ui);
	uint64_t guarded;

	/* the ui uses 16 of its 32 MiB; the other 16 age out */
	run(p, ui, 8, 10);
	guarded = f.memcgs[0].min;
	ok(guarded >= 14 * MiB && guarded <= 17 * MiB, "the ui's working set guarded (%llu MiB)",
	   (unsigned long long)(guarded / MiB));
	f.memcgs[0].current = guarded + 24 * 4096;
	f.memcgs[0].file = 10 * MiB + 24 * 4096;
	f.memcgs[0].anon = f.memcgs[0].current - f.memcgs[0].file;
	run(p, ui, 8, 2);
	lrg_policy_get_stats(p, &st);
	ok(st.protected_file_bytes == 10 * MiB,
	   "of its page cache, the 10 MiB its guard keeps count as not available (%llu KiB)",
	   (unsigned long long)(st.protected_file_bytes >> 10));
	f.global.mem_free = f.global.mem_available = 8 * MiB;
	run(p, ui, 8, 4);
	ok(f.evicted_by_memcg[0] > 0 && f.evicted_by_memcg[0] <= 24,
	   "under pressure, 24 pages over its guard: lrugend took %llu of its idle pages, 24 at most",
	   (unsigned long long)f.evicted_by_memcg[0]);
	lrg_policy_free(p);
}

/* Protection that cannot be written is counted, not fatal. */
static void test_write_errors(void)
{
	struct lrg_policy_stats st;
	struct fake_mm *ui;
	struct lrg_policy *p = one_scope("/ui.scope", 8 * 512, EACCES, &ui);

	run(p, ui, 8, 8);
	lrg_policy_get_stats(p, &st);
	ok(st.protect_errors > 0 && st.protect_writes == 0, "EACCES counted (%llu errors), the ticks go on",
	   (unsigned long long)st.protect_errors);
	lrg_policy_free(p);
}

int main(void)
{
	test_wss();
	test_established();
	test_hold();
	test_cap();
	test_changed();
	test_engine();
	test_calm_phase();
	test_floor();
	test_evict_leaves_guarded();
	test_write_errors();
	return tap_done();
}
