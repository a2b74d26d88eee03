// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_policy - the engine over the fake backend: refresh (add, exit,
 * migrate), aging by time, eviction under machine pressure oldest first,
 * memory.min never and memory.low last, a memcg at its limit as its own
 * OOM domain, min_ttl refusals turning into OOM requests (and not while
 * older memory is left elsewhere), the direct reclaim hook, dry run,
 * proactive eviction, and the generation view. The tick's budget: with
 * aging costs on the fake clock, a tick ages what fits, least recently
 * aged first, the rest in the next ticks, and the memcg at its limit gets
 * its OOM decision in every one of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_backend.h"
#include "lrg_config.h"
#include "lrg_policy.h"
#include "tap.h"

#define MiB (1ULL << 20)
#define R(k) (0x7f0000000000ULL + ((uint64_t)(k) << LRG_PMD_SHIFT))

static struct fake_backend f;
static struct lrg_config cfg;

/* The desktop profile's values as the policy sees them (no patterns: the
 * policy kills nothing), built here so that the core's test links the
 * core alone. */
static void cfg_desktop(struct lrg_config *c)
{
	static const struct lrg_slice_config any = {
		.name = "*", .match = "*", .min_ttl_ms = 0, .swappiness = -1,
		.aging_interval_ms = 1000, .evict = true, .oom = LRG_OOM_PROCESS,
	};
	static const struct { const char *name, *match; uint32_t min_ttl_ms; enum lrg_oom_policy oom; } s[] = {
		{ "user.slice", "user.slice", 1000, LRG_OOM_PROCESS },
		{ "system.slice", "system.slice", 250, LRG_OOM_PROCESS },
		{ "init", "init.scope", 0, LRG_OOM_NEVER },
	};

	memset(c, 0, sizeof(*c));
	snprintf(c->daemon.backend, sizeof(c->daemon.backend), "auto");
	snprintf(c->daemon.profile, sizeof(c->daemon.profile), "desktop");
	c->daemon.poll_interval_ms = 250;
	c->daemon.tick_budget_ms = 50;
	c->daemon.kill_timeout_ms = 3000;
	c->daemon.enable_mglru = c->daemon.mount_debugfs = c->daemon.notify_desktop = true;
	c->defaults = any;
	c->slices = calloc(3, sizeof(*c->slices));
	if (!c->slices)
		abort();
	for (size_t i = 0; i < 3; i++) {
		struct lrg_slice_config *x = &c->slices[c->nr_slices++];

		*x = any;
		snprintf(x->name, sizeof(x->name), "%s", s[i].name);
		snprintf(x->match, sizeof(x->match), "%s", s[i].match);
		x->min_ttl_ms = s[i].min_ttl_ms;
		x->oom = s[i].oom;
	}
}

static void cfg_init(uint32_t min_ttl, uint32_t interval)
{
	cfg_desktop(&cfg);
	cfg.defaults.min_ttl_ms = min_ttl;
	cfg.defaults.aging_interval_ms = interval;
	cfg.defaults.swappiness = 0;
	cfg.defaults.evict = true;
	cfg.defaults.evict_min_age_ms = 0;
	cfg.daemon.dry_run = false;
}

static void no_pressure(void)
{
	memset(&f.global, 0, sizeof(f.global));
	f.global.mem_total = 8192 * MiB;
	f.global.mem_free = 4096 * MiB;
	f.global.mem_available = 4096 * MiB;
	f.global.watermark_low = 64 * MiB;
	f.global.watermark_high = 96 * MiB;
	f.global.swap_total = f.global.swap_free = 0;
	f.global.limit = f.global.mem_total;
}

/* free just below the low watermark, short_pages below the high one;
 * plenty still available (cache), so only the watermarks call for reclaim */
static void global_pressure(uint64_t short_pages)
{
	f.global.mem_free = f.global.watermark_low - 4096;
	f.global.mem_available = 1024 * MiB;
	f.global.watermark_high = f.global.mem_free + short_pages * 4096;
}

struct gens {
	int n;
	uint64_t max_seq[8], pages[8], mms[8];
};

static int on_gens(void *ctx, const struct lrg_gens_view *v)
{
	struct gens *g = ctx;

	if (g->n >= 8)
		return 0;
	g->max_seq[g->n] = v->max_seq;
	g->mms[g->n] = v->nr_mms;
	g->pages[g->n] = 0;
	for (int i = 0; i < v->nr_gens; i++)
		g->pages[g->n] += v->gens[i].nr_pages[0] + v->gens[i].nr_pages[1];
	g->n++;
	return 0;
}

static struct gens view(struct lrg_policy *p)
{
	struct gens g;

	memset(&g, 0, sizeof(g));
	lrg_policy_foreach_gens(p, f.now, on_gens, &g);
	return g;
}

static bool all_present(struct fake_mm *m, uint64_t addr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!fake_present(m, addr + (uint64_t)i * 4096))
			return false;
	return true;
}

static void test_global(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct lrg_policy_stats st;
	struct fake_mm *a, *b;
	struct gens g;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_RECLAIM);
	no_pressure();
	cfg_init(0, 1000);
	a = fake_add_mm(&f, 1, LRG_ROOT_MEMCG);
	b = fake_add_mm(&f, 2, LRG_ROOT_MEMCG);
	for (int k = 0; k < 4; k++) {
		fake_map(a, R(k), 0, 512, false);
		fake_map(b, R(k), 0, 512, false);
	}
	ok(lrg_policy_new(&f.b, &cfg, &p) == 0 && f.b.direct_reclaim && f.b.direct_reclaim_ctx == p,
	   "new: the direct reclaim hook is installed");
	lrg_config_free(&cfg);   /* the engine keeps its own copy */
	ok(lrg_policy_refresh(p, 0) == 0, "refresh");
	g = view(p);
	ok(g.n == 1 && g.mms[0] == 2, "no memory controller: one list with both mms");

	ok(lrg_policy_tick(p, 0, &tr) == 0 && tr.gens_created == 0 && tr.pages_evicted == 0,
	   "tick at 0: nothing due");
	ok(tr.next_tick_ms > 0 && tr.next_tick_ms <= 1000, "next tick by the aging interval (%llu)",
	   (unsigned long long)tr.next_tick_ms);
	f.now = 1000;
	lrg_policy_tick(p, 1000, &tr);
	g = view(p);
	ok(tr.gens_created == 1 && g.pages[0] == 4096, "tick at 1000: a generation, all 4096 pages tracked");

	/* a's first region is hot, everything else cold; three more agings */
	for (int t = 2; t <= 4; t++) {
		fake_touch(a, R(0), 0, 512);
		f.now = t * 1000;
		lrg_policy_refresh(p, f.now);
		lrg_policy_tick(p, f.now, &tr);
	}
	ok(view(p).max_seq[0] == 7, "generation %llu after 4 agings", (unsigned long long)view(p).max_seq[0]);

	/* machine pressure: 600 pages short of the high watermark */
	global_pressure(600);
	fake_touch(a, R(0), 0, 512);
	f.now = 4500;
	lrg_policy_tick(p, f.now, &tr);
	ok(tr.pages_evicted >= 600 && tr.pages_evicted < 1200,
	   "pressure: evicts about the shortfall (%llu pages)", (unsigned long long)tr.pages_evicted);
	ok(all_present(a, R(0), 512), "the hot region is untouched");
	ok(f.evicted[LRG_ANON] == 0, "file only");
	ok(tr.nr_oom == 0, "no OOM request without min_ttl");
	ok(tr.next_tick_ms <= f.now + 100, "under pressure the engine asks to run again soon");

	/* the backend's direct reclaim: synchronous */
	{
		uint64_t got = 0, before = f.evicted[LRG_FILE];

		no_pressure();
		ok(f.b.direct_reclaim(f.b.direct_reclaim_ctx, LRG_ROOT_MEMCG, 256, &got) == 0 &&
		   got >= 256 && f.evicted[LRG_FILE] - before == got,
		   "direct reclaim evicts synchronously (%llu pages)", (unsigned long long)got);
		lrg_policy_get_stats(p, &st);
		ok(st.direct_reclaims == 1 && st.pages_evicted >= 856, "stats count it");
		ok(all_present(a, R(0), 512), "still oldest first: hot region untouched");
	}

	/* exit and refresh */
	b->gone = true;
	lrg_policy_refresh(p, f.now);
	g = view(p);
	ok(g.mms[0] == 1 && g.pages[0] <= 2048, "an exited mm leaves with its pages (%llu left)",
	   (unsigned long long)g.pages[0]);
	lrg_policy_get_stats(p, &st);
	ok(st.gens_created >= 4 && st.harvests >= 4 && st.pte_total > 0,
	   "stats: %llu gens, %llu harvests, %llu ptes, %llu found, %llu added",
	   (unsigned long long)st.gens_created, (unsigned long long)st.harvests,
	   (unsigned long long)st.pte_total, (unsigned long long)st.pmd_found,
	   (unsigned long long)st.pmd_added);
	lrg_policy_free(p);
	ok(!f.b.direct_reclaim, "free uninstalls the hook");
}

/*
 * One address space of regions * 512 untouched pages in the root memcg,
 * an engine with min_ttl_ms and generations every 100 ms from t=10000 to
 * t=10500, on the fake backend as the caller set it up.
 */
static struct lrg_policy *aged_one_mm(uint32_t min_ttl, int regions, struct lrg_tick_result *tr)
{
	struct lrg_policy *p;
	struct fake_mm *a;

	cfg_init(min_ttl, 100);
	a = fake_add_mm(&f, 1, LRG_ROOT_MEMCG);
	for (int k = 0; k < regions; k++)
		fake_map(a, R(k), 0, 512, false);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	for (int t = 0; t < 6; t++) {
		f.now = 10000 + t * 100;
		lrg_policy_tick(p, f.now, tr);
	}
	return p;
}

static void test_ttl(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct lrg_policy_stats st;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	no_pressure();
	/* generations every 100 ms from t=10000: all of them younger than 5 s */
	p = aged_one_mm(5000, 4, &tr);
	global_pressure(600);
	f.now = 10600;
	lrg_policy_tick(p, f.now, &tr);
	ok(tr.pages_evicted == 0, "min_ttl 5 s, every generation younger: nothing evicted");
	ok(tr.nr_oom == 1 && tr.oom[0].global && tr.oom[0].memcg_id == LRG_ROOT_MEMCG &&
	   tr.oom[0].min_ttl_ms == 5000 && tr.oom[0].oldest_age_ms < 5000,
	   "an OOM request for the machine (oldest %llu ms)", (unsigned long long)tr.oom[0].oldest_age_ms);
	lrg_policy_get_stats(p, &st);
	ok(st.ttl_refusals >= 1 && st.oom_decisions == 1, "refusal and decision counted");

	/* 5 s later the oldest generation may go: eviction, no OOM */
	f.now = 15400;
	lrg_policy_tick(p, f.now, &tr);
	ok(tr.pages_evicted > 0 && tr.nr_oom == 0, "past min_ttl: evicts (%llu), no OOM",
	   (unsigned long long)tr.pages_evicted);
	lrg_policy_free(p);
}

/*
 * Memory and swap that run out within LRG_ACT_AHEAD_MS: an OOM request at
 * once, in the name of the min_ttl slice, and no eviction (it would move
 * the runaway's pages into the swap that is running out); at a slower fall,
 * eviction of the old generations as before.
 */
static uint64_t exhaustion_tick(uint64_t swap_fall_mib, struct lrg_tick_result *tr,
				struct lrg_tick_result *first)
{
	struct lrg_policy *p;
	uint64_t before;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	no_pressure();
	/* 700 MiB available of 8 GiB, under a tenth, and 512 MiB of swap
	 * free, steady from the start */
	f.global.mem_free = 650 * MiB;
	f.global.mem_available = 700 * MiB;
	f.global.swap_total = 1024 * MiB;
	f.global.swap_free = 512 * MiB;
	p = aged_one_mm(1000, 8, tr);
	/* then, generations 4 s old (past min_ttl), free memory below the
	 * low watermark: pressure, the rest steady for 1 s */
	global_pressure(600);
	f.global.mem_available = 700 * MiB;
	for (f.now = 14000; f.now <= 15000; f.now += 500)
		lrg_policy_tick(p, f.now, tr);
	f.now = 15600;
	f.global.swap_free -= swap_fall_mib * MiB;
	lrg_policy_tick(p, f.now, first);
	/* still falling 300 ms later */
	f.now = 15900;
	f.global.swap_free -= swap_fall_mib * MiB / 2;
	before = f.evicted[LRG_FILE] + f.evicted[LRG_ANON];
	lrg_policy_tick(p, f.now, tr);
	lrg_policy_free(p);
	return f.evicted[LRG_FILE] + f.evicted[LRG_ANON] - before;
}

static void test_exhaustion(void)
{
	struct lrg_tick_result tr, first;
	uint64_t evicted;

	evicted = exhaustion_tick(400, &tr, &first);
	ok(first.nr_oom == 0, "the first tick that sees memory and swap running out waits (%zu requests)",
	   first.nr_oom);
	ok(tr.nr_oom == 1 && tr.oom[0].global && strstr(tr.oom[0].reason, "memory and swap run out") &&
	   tr.oom[0].min_ttl_ms == 1000,
	   "and 300 ms later, still falling (600 MiB left): an OOM request (%s)",
	   tr.nr_oom ? tr.oom[0].reason : "none");
	ok(tr.pages_evicted == 0 && evicted == 0,
	   "and nothing evicted into the swap that runs out (%llu)", (unsigned long long)evicted);
	evicted = exhaustion_tick(60, &tr, &first);
	ok(tr.nr_oom == 0 && tr.pages_evicted > 0 && evicted > 0,
	   "swap falling 100 MiB/s with 1122 MiB left: eviction of the old generations (%llu pages), no request",
	   (unsigned long long)evicted);
}

/* Ticks every 500 ms up to 4 s: generations up to 4 s old (aging
 * interval 500 ms), so the min_ttl of 1000 ms refuses none of the oldest. */
static void age_for_4s(struct lrg_policy *p)
{
	struct lrg_tick_result tr;

	for (int t = 1; t <= 8; t++) {
		f.now = t * 500;
		lrg_policy_tick(p, f.now, &tr);
	}
}

/*
 * A domain that thrashes: old memory is there to evict (so the min_ttl rule
 * never refuses), but most of what is reclaimed comes back. Runs the engine
 * 3 s under machine pressure with the kernel's counters advancing per tick;
 * returns the OOM requests filed, the last one's reason in why. With
 * ret_direct, the backend's direct reclaim hook then runs once on the
 * machine while the meter still says thrashing (its result goes there).
 */
static size_t thrash_run(uint64_t steal_per_tick, uint64_t refaults_per_tick, double psi_full,
			 char *why, size_t len, int *ret_direct)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct fake_mm *a;
	size_t filed = 0;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	no_pressure();
	cfg_init(1000, 500);
	for (int i = 0; i < 2; i++) {
		a = fake_add_mm(&f, 1 + i, LRG_ROOT_MEMCG);
		for (int k = 0; k < FAKE_MAX_REGIONS; k++)
			fake_map(a, R(k), 0, 512, false);
	}
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	age_for_4s(p);
	global_pressure(64);
	f.global.psi_full_avg10 = psi_full;
	why[0] = '\0';
	for (int t = 0; t <= 12; t++) {   /* 3 s, a tick every 250 ms */
		f.now = 5000 + t * 250;
		f.global.pgsteal += steal_per_tick;
		f.global.refaults += refaults_per_tick;
		f.global.psi_full_total_us += (uint64_t)(psi_full * 2500);   /* % of 250 ms */
		lrg_policy_tick(p, f.now, &tr);
		filed += tr.nr_oom;
		if (tr.nr_oom)
			snprintf(why, len, "%s%s", tr.oom[tr.nr_oom - 1].reason,
				 tr.oom[tr.nr_oom - 1].thrashing ? " [flagged]" : "");
	}
	if (ret_direct) {
		uint64_t reclaimed = 0;

		*ret_direct = f.b.direct_reclaim(f.b.direct_reclaim_ctx, LRG_ROOT_MEMCG, 64, &reclaimed);
	}
	lrg_policy_free(p);
	return filed;
}

/*
 * The thrash rule's request names the slice of the memcg whose refaults
 * come back fastest (per second between its own last two reads): its
 * min_ttl is the one at stake. Two memcgs, /user.slice/ui and
 * /system.slice/db, the machine thrashing; ui_back and db_back pages of
 * refaults per tick of 250 ms in each.
 */
static const char *thrash_slice(uint64_t ui_back, uint64_t db_back, char *slice, size_t len)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	int iui, idb;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(1000, 500);
	iui = fake_add_memcg(&f, 60, "/user.slice/ui");
	idb = fake_add_memcg(&f, 61, "/system.slice/db");
	for (int i = 0; i < 2; i++) {
		struct fake_mm *mm = fake_add_mm(&f, 60 + i, 60 + i);

		for (int k = 0; k < 8; k++)
			fake_map(mm, R(k), 0, 512, false);
		f.pressure[i ? idb : iui].usage = 64 * MiB;
		f.pressure[i ? idb : iui].limit = UINT64_MAX;
	}
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	age_for_4s(p);
	global_pressure(64);
	f.global.psi_full_avg10 = 20.0;
	slice[0] = '\0';
	for (int t = 0; t <= 12 && !slice[0]; t++) {
		f.now = 5000 + t * 250;
		f.global.pgsteal += 2000;
		f.global.refaults += 1800;
		f.global.psi_full_total_us += 50000;
		f.pressure[iui].refaults += ui_back;
		f.pressure[idb].refaults += db_back;
		lrg_policy_tick(p, f.now, &tr);
		for (size_t i = 0; i < tr.nr_oom; i++)
			if (tr.oom[i].thrashing)
				snprintf(slice, len, "%s", tr.oom[i].slice);
	}
	lrg_policy_free(p);
	return slice;
}

static void test_thrash_names_slice(void)
{
	char a[64], b[64];

	thrash_slice(1500, 100, a, sizeof(a));
	thrash_slice(100, 1500, b, sizeof(b));
	ok(!strcmp(a, "user.slice") && !strcmp(b, "system.slice"),
	   "thrash: the request names the slice whose memcg's refaults come back fastest "
	   "(ui faster: %s; db faster: %s)", a[0] ? a : "none", b[0] ? b : "none");
}

static void test_thrash(void)
{
	char why[64];
	size_t n;
	int direct = 1;

	n = thrash_run(2000, 1800, 20.0, why, sizeof(why), NULL);
	ok(n >= 1 && strstr(why, "thrashing"),
	   "thrash: old memory left, but most of what is reclaimed comes back while tasks stall:"
	   " an OOM request (%zu: %s)", n, why);
	/* so the look before the kill does not drop it for "no pressure" */
	ok(strstr(why, "[flagged]") != NULL, "thrash: the request is flagged as the thrash rule's (%s)", why);
	n = thrash_run(2000, 100, 20.0, why, sizeof(why), NULL);
	ok(n == 0, "thrash: the same stall with few refaults: no request (%zu)", n);
	n = thrash_run(2000, 1800, 5.0, why, sizeof(why), NULL);
	ok(n == 0, "thrash: the same refaults with 5%% full stall: no request (%zu)", n);
	n = thrash_run(2000, 600, 20.0, why, sizeof(why), NULL);
	ok(n >= 1, "thrash: 600 of 2000 (+ lrugend's) back, 20%% stalled: a request (%zu: %s)", n, why);
	/* the OOM decision belongs to the tick: direct reclaim has no result to file it in */
	n = thrash_run(2000, 1800, 20.0, why, sizeof(why), &direct);
	ok(n >= 1 && direct == 0, "thrash: direct reclaim while thrashing evicts and files nothing (%d)",
	   direct);
}

/*
 * Which memcgs are read each tick: those with a limit below the machine's
 * memory (OOM domains of their own) every tick; the others every 2 s,
 * every tick while the machine is under pressure, and at once when a
 * listing shows a new limit on one.
 */
static void test_measure_due(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	uint64_t ticks = 0, most_free = 0, before[3];
	int ilim, ifree[3];
	char path[16];

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(1000, 1000);
	/* evict on (under pressure), evict_min_age_ms 0: no proactive eviction */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/free%d", i);
		struct fake_mm *mm;

		ifree[i] = fake_add_memcg(&f, 30 + i, path);
		mm = fake_add_mm(&f, 30 + i, 30 + i);
		for (int k = 0; k < 4; k++)   /* more than the pressure below takes */
			fake_map(mm, R(k), 0, 512, false);
	}
	ilim = fake_add_memcg(&f, 40, "/limited");
	f.memcgs[ilim].max = 256 * MiB;
	f.pressure[ilim].limit = 256 * MiB;
	fake_map(fake_add_mm(&f, 40, 40), R(0), 0, 64, false);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	for (f.now = 1000; f.now <= 11000; f.now += 200, ticks++)
		lrg_policy_tick(p, f.now, &tr);
	for (int i = 0; i < 3; i++)
		if (f.measure_calls_by_memcg[ifree[i]] > most_free)
			most_free = f.measure_calls_by_memcg[ifree[i]];
	ok(f.measure_calls_by_memcg[ilim] == ticks,
	   "measure: the memcg with a limit is read every tick (%llu of %llu)",
	   (unsigned long long)f.measure_calls_by_memcg[ilim], (unsigned long long)ticks);
	ok(most_free >= 5 && most_free <= 6,
	   "measure: unlimited memcgs, no pressure: read every 2 s (at most %llu times in %llu ticks over 10 s)",
	   (unsigned long long)most_free, (unsigned long long)ticks);
	ok(f.charge_calls_by_memcg[ilim] == 0 &&
	   f.charge_calls_by_memcg[ifree[0]] == f.measure_calls_by_memcg[ifree[0]] - 1,
	   "measure: the limited memcg's PSI is read every time, an unlimited one's only the first "
	   "(%llu of %llu reads without)",
	   (unsigned long long)f.charge_calls_by_memcg[ifree[0]],
	   (unsigned long long)f.measure_calls_by_memcg[ifree[0]]);

	/* machine pressure: all of them, every 500 ms; the limited one
	 * every tick */
	for (int i = 0; i < 3; i++)
		before[i] = f.measure_calls_by_memcg[ifree[i]];
	ticks = f.measure_calls_by_memcg[ilim];
	global_pressure(64);
	for (int k = 0; k < 10; k++, f.now += 100)
		lrg_policy_tick(p, f.now, &tr);
	ok(f.measure_calls_by_memcg[ifree[0]] - before[0] >= 2 &&
	   f.measure_calls_by_memcg[ifree[0]] - before[0] <= 3 &&
	   f.measure_calls_by_memcg[ifree[2]] - before[2] >= 2 &&
	   f.measure_calls_by_memcg[ifree[2]] - before[2] <= 3 &&
	   f.measure_calls_by_memcg[ilim] - ticks == 10,
	   "measure: under machine pressure every memcg is read every 500 ms (%llu, %llu in 10 "
	   "ticks of 100 ms), the limited one every tick (%llu)",
	   (unsigned long long)(f.measure_calls_by_memcg[ifree[0]] - before[0]),
	   (unsigned long long)(f.measure_calls_by_memcg[ifree[2]] - before[2]),
	   (unsigned long long)(f.measure_calls_by_memcg[ilim] - ticks));

	/* pressure gone; a limit set on /free1 shows in the next listing and
	 * the next tick reads it, though its 2 s are not up */
	no_pressure();
	lrg_policy_tick(p, f.now, &tr);
	f.now += 200;
	lrg_policy_tick(p, f.now, &tr);
	before[1] = f.measure_calls_by_memcg[ifree[1]];
	f.memcgs[ifree[1]].high = 128 * MiB;
	f.pressure[ifree[1]].limit = 128 * MiB;
	f.pressure[ifree[1]].usage = 128 * MiB;
	lrg_policy_refresh(p, f.now);
	f.now += 200;
	lrg_policy_tick(p, f.now, &tr);
	ok(f.measure_calls_by_memcg[ifree[1]] == before[1] + 2 && tr.pages_evicted + tr.nr_oom > 0,
	   "measure: a new limit is read in the next tick, in full at once (%llu reads), and acted on "
	   "(%llu evicted, %zu OOM)",
	   (unsigned long long)(f.measure_calls_by_memcg[ifree[1]] - before[1]),
	   (unsigned long long)tr.pages_evicted, tr.nr_oom);
	lrg_policy_free(p);
}

/*
 * A machine quiet for 10 s ages every LRG_CALM_PACE_MS instead of every
 * aging interval, and reads its memcgs' figures at that pace; a memcg
 * under a limit that binds keeps its own pace; the first tick under
 * pressure ages at once.
 */
struct calm_seqs {
	uint64_t app, lim;
};

static int on_calm_seq(void *ctx, const struct lrg_gens_view *v)
{
	struct calm_seqs *s = ctx;

	if (v->memcg_id == 30)
		s->app = v->max_seq;
	else if (v->memcg_id == 40)
		s->lim = v->max_seq;
	return 0;
}

static struct calm_seqs calm_seqs(struct lrg_policy *p)
{
	struct calm_seqs s = { 0, 0 };

	lrg_policy_foreach_gens(p, f.now, on_calm_seq, &s);
	return s;
}

/*
 * A PSI trigger wakes the caller (p calm): the calm machine is looked at
 * as late as the fastest allocator allows (half of 8 GiB available: every
 * 341 ms, not every poll_interval_ms), but every poll while a memcg
 * with processes keeps its own pace (ilim under a limit that binds); a
 * stall the trigger reports ends calm at the next tick, with the
 * machine's counters read, not carried.
 */
static unsigned calm_ticks_in_10s(struct lrg_policy *p, bool *calm)
{
	uint64_t poll = cfg.daemon.poll_interval_ms, end = f.now + 10000;
	struct lrg_tick_result tr;
	unsigned ticks = 0;

	*calm = true;
	while (f.now < end) {
		lrg_policy_tick(p, f.now, &tr);
		*calm = *calm && tr.calm;
		ticks++;
		f.now = tr.next_tick_ms > f.now ? tr.next_tick_ms : f.now + poll;
	}
	return ticks;
}

static void test_calm_stall_wakes(struct lrg_policy *p, int ilim)
{
	uint64_t poll = cfg.daemon.poll_interval_ms, full;
	struct lrg_tick_result tr;
	unsigned ticks;
	bool calm;

	lrg_policy_set_stall_wakes(p, true);
	ticks = calm_ticks_in_10s(p, &calm);
	ok(calm && ticks >= 10 && ticks < 10000 / poll * 9 / 10,
	   "stall wakes, calm: %u ticks in 10 s (every %llu ms without them, 1 s at most)", ticks,
	   (unsigned long long)poll);
	f.memcgs[ilim].max = 256 * MiB;
	f.pressure[ilim].limit = 256 * MiB;
	lrg_policy_refresh(p, f.now);
	ticks = calm_ticks_in_10s(p, &calm);
	ok(ticks >= 10000 / poll, "stall wakes, /limited under a limit that binds: every poll (%u ticks in 10 s)",
	   ticks);
	f.memcgs[ilim].max = UINT64_MAX;
	f.pressure[ilim].limit = UINT64_MAX;
	lrg_policy_refresh(p, f.now);
	lrg_policy_tick(p, f.now, &tr);
	calm = tr.calm;
	full = f.machine_calls;
	lrg_policy_note_stall(p);
	f.now += 10;
	lrg_policy_tick(p, f.now, &tr);
	ok(calm && !tr.calm && !tr.machine_carried && f.machine_calls > full && tr.next_tick_ms - f.now <= poll,
	   "a stall the trigger reports: calm ends at once, counters read, the next look within %llu ms "
	   "(%llu)", (unsigned long long)poll, (unsigned long long)(tr.next_tick_ms - f.now));
	lrg_policy_set_stall_wakes(p, false);
}

static void test_calm(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct calm_seqs s0, s1;
	struct fake_mm *app, *lim;
	uint64_t reads, harvests;
	bool calm_early = false, calm_late = false;
	int iapp, ilim;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(1000, 1000);
	iapp = fake_add_memcg(&f, 30, "/app");
	app = fake_add_mm(&f, 30, 30);
	fake_map(app, R(0), 0, 512, false);
	/* used once: its pages are in the generations, nothing unexplained */
	fake_touch(app, R(0), 0, 512);
	ilim = fake_add_memcg(&f, 40, "/limited");
	f.memcgs[ilim].max = 256 * MiB;
	f.pressure[ilim].limit = 256 * MiB;
	lim = fake_add_mm(&f, 40, 40);
	fake_map(lim, R(1), 0, 64, false);
	fake_touch(lim, R(1), 0, 64);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	f.now = 1000;
	s0 = calm_seqs(p);
	for (; f.now < 11000; f.now += 250) {
		lrg_policy_tick(p, f.now, &tr);
		calm_early = calm_early || tr.calm;
	}
	s1 = calm_seqs(p);
	ok(!calm_early && s1.app - s0.app >= 9,
	   "quiet under 10 s: /app aged each second (%llu generations in 10 s)",
	   (unsigned long long)(s1.app - s0.app));
	s0 = s1;
	reads = f.measure_calls_by_memcg[iapp];
	for (; f.now < 31000; f.now += 250) {
		lrg_policy_tick(p, f.now, &tr);
		calm_late = calm_late || tr.calm;
	}
	s1 = calm_seqs(p);
	reads = f.measure_calls_by_memcg[iapp] - reads;
	ok(!calm_late, "quiet from 10 s on, /limited with processes at its own pace: the listings "
	   "keep theirs (not calm for the caller)");
	ok(s1.app - s0.app >= 3 && s1.app - s0.app <= 5,
	   "calm: /app aged every 5 s (%llu generations in 20 s)",
	   (unsigned long long)(s1.app - s0.app));
	ok(s1.lim - s0.lim >= 19,
	   "calm: /limited, under its own limit, still aged each second (%llu in 20 s)",
	   (unsigned long long)(s1.lim - s0.lim));
	ok(reads >= 3 && reads <= 5, "calm: /app's figures read every 5 s (%llu times in 20 s)",
	   (unsigned long long)reads);
	s0 = s1;
	harvests = f.harvest_calls;
	global_pressure(64);
	lrg_policy_tick(p, f.now, &tr);
	s1 = calm_seqs(p);
	ok(!tr.calm && s1.app == s0.app + 1 && f.harvest_calls > harvests,
	   "pressure: calm ends, /app, overdue, aged at once and walked (%llu generation, %llu walks)",
	   (unsigned long long)(s1.app - s0.app), (unsigned long long)(f.harvest_calls - harvests));

	/* the limit lifted: every memcg paced down, the listings too */
	no_pressure();
	f.memcgs[ilim].max = UINT64_MAX;
	f.pressure[ilim].limit = UINT64_MAX;
	lrg_policy_refresh(p, f.now);
	calm_late = false;
	for (uint64_t end = f.now + 11000; f.now < end; f.now += 250) {
		lrg_policy_tick(p, f.now, &tr);
		calm_late = calm_late || tr.calm;
	}
	ok(calm_late, "no limit binds: 10 s after the pressure, calm for the caller too");

	/* calm: memory every tick, the counters every second; the kernel
	 * starting to reclaim ends calm within a second */
	{
		uint64_t full = f.machine_calls, mem = f.meminfo_calls, carried = 0;
		int ticks_to_end = 0;

		for (int t = 0; t < 40; t++, f.now += 250) {
			lrg_policy_tick(p, f.now, &tr);
			carried += tr.machine_carried;
		}
		full = f.machine_calls - full;
		mem = f.meminfo_calls - mem;
		ok(tr.calm && full >= 9 && full <= 11 && mem >= 29 && mem <= 31 && carried == mem,
		   "calm: 40 ticks in 10 s read the machine's counters %llu times, its memory alone %llu "
		   "(and said so: %llu)", (unsigned long long)full, (unsigned long long)mem,
		   (unsigned long long)carried);
		while (tr.calm && ticks_to_end < 20) {
			f.global.pgsteal += 128;   /* 2 MiB/s at a tick every 250 ms */
			f.now += 250;
			lrg_policy_tick(p, f.now, &tr);
			ticks_to_end++;
		}
		ok(!tr.calm && ticks_to_end <= 5,
		   "calm: the kernel reclaiming 2 MiB/s ends it within a second (%d ticks of 250 ms)",
		   ticks_to_end);
	}

	/* the kernel reclaiming 2 MiB/s (a stream through a full page cache)
	 * with plenty available: not calm, /app aged each second */
	s0 = calm_seqs(p);
	calm_early = false;
	for (uint64_t end = f.now + 20000; f.now < end; f.now += 250) {
		f.global.pgsteal += 128;
		lrg_policy_tick(p, f.now, &tr);
		calm_early = calm_early || tr.calm;
	}
	s1 = calm_seqs(p);
	ok(!calm_early && s1.app - s0.app >= 18,
	   "the kernel reclaiming 2 MiB/s: not calm, /app aged each second (%llu in 20 s)",
	   (unsigned long long)(s1.app - s0.app));

	/* tasks stalled 5% of the time for 5 s, then no more: avg10 still
	 * reads 5% (it decays over tens of seconds), the stall is over */
	calm_early = calm_late = false;
	f.global.psi_some_avg10 = 5.0;
	for (uint64_t end = f.now + 5000; f.now < end; f.now += 250) {
		f.global.psi_some_total_us += 12500;   /* 5% of 250 ms */
		lrg_policy_tick(p, f.now, &tr);
		calm_early = calm_early || tr.calm;
	}
	for (uint64_t end = f.now + 12000; f.now < end; f.now += 250) {
		lrg_policy_tick(p, f.now, &tr);
		calm_late = calm_late || tr.calm;
	}
	ok(!calm_early && calm_late,
	   "stalled 5%% of the time: not calm; 12 s after the stall ended, with avg10 still at 5%%: calm");
	test_calm_stall_wakes(p, ilim);
	lrg_policy_free(p);
}

static void test_memcgs(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct fake_mm *m[4];
	int ia, ib, ic, id;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(0, 1000);
	ia = fake_add_memcg(&f, 10, "/a");
	ib = fake_add_memcg(&f, 11, "/b");
	ic = fake_add_memcg(&f, 12, "/c");
	id = fake_add_memcg(&f, 13, "/d");
	for (int i = 0; i < 4; i++) {
		m[i] = fake_add_mm(&f, 100 + i, 10 + i);
		fake_map(m[i], R(0), 0, 512, false);
		fake_map(m[i], R(1), 0, 512, false);
		f.memcgs[i].current = 1024 * 4096;
	}
	f.memcgs[ia].min = 2048 * 4096;   /* a: below memory.min */
	f.memcgs[ib].low = 2048 * 4096;   /* b: below memory.low */
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	ok(view(p).n == 4, "four memcgs");
	for (int t = 1; t <= 3; t++) {
		f.now = t * 1000;
		lrg_policy_tick(p, f.now, &tr);
	}
	/* machine pressure larger than c and d together */
	global_pressure(3000);
	f.now = 3500;
	lrg_policy_tick(p, f.now, &tr);
	ok(f.evicted_by_memcg[ia] == 0, "memory.min: never evicted from a");
	ok(f.evicted_by_memcg[ic] > 0 && f.evicted_by_memcg[id] > 0,
	   "c and d give first (%llu, %llu)", (unsigned long long)f.evicted_by_memcg[ic],
	   (unsigned long long)f.evicted_by_memcg[id]);
	ok(f.evicted_by_memcg[ib] > 0, "b below memory.low only once nothing else is left (%llu)",
	   (unsigned long long)f.evicted_by_memcg[ib]);

	/* only b and its limit: its own domain, the others untouched */
	{
		uint64_t before_c = f.evicted_by_memcg[ic], before_b = f.evicted_by_memcg[ib];

		no_pressure();
		fake_map(m[ib], R(2), 0, 512, false);
		f.now = 4000;
		lrg_policy_refresh(p, f.now);
		lrg_policy_tick(p, f.now, &tr);
		f.now = 5000;
		lrg_policy_tick(p, f.now, &tr);
		f.pressure[ib].limit = 64 * MiB;
		f.pressure[ib].usage = 64 * MiB;
		f.memcgs[ib].max = 64 * MiB;    /* the listing shows it: measured at once */
		f.memcgs[ib].low = 0;
		lrg_policy_refresh(p, f.now);
		f.now = 5100;
		lrg_policy_tick(p, f.now, &tr);
		ok(f.evicted_by_memcg[ib] > before_b && f.evicted_by_memcg[ic] == before_c,
		   "b at its limit: evicted from b only (%llu)",
		   (unsigned long long)(f.evicted_by_memcg[ib] - before_b));
		f.pressure[ib].limit = UINT64_MAX;
		f.memcgs[ib].max = UINT64_MAX;
	}

	/* migration: d's mm moves to c */
	m[id]->info.memcg_id = 12;
	lrg_policy_refresh(p, f.now);
	{
		struct gens g = view(p);
		uint64_t nc = 0, nd = 0;

		for (int i = 0; i < g.n; i++) {
			/* views come in memcg order a, b, c, d */
			if (i == ic)
				nc = g.mms[i];
			if (i == id)
				nd = g.mms[i];
		}
		ok(nc == 2 && nd == 0, "migrated mm follows its owner (c has %llu, d %llu)",
		   (unsigned long long)nc, (unsigned long long)nd);
	}
	lrg_policy_free(p);
}

/*
 * Under machine pressure with swap, a memcg that allocates 20 MiB/s is
 * left to the kernel's reclaim: lrugend stops evicting its anon pages
 * (it would only feed it, and compress for it), keeps evicting an idle
 * memcg's, files no OOM request for it (the kernel can still swap it),
 * and takes from it again once it has not grown for LRG_GROWER_HOLD_MS.
 */
static uint64_t grower_ticks(struct lrg_policy *p, int irun, int iidle, uint64_t grow_per_tick,
			     int ticks, uint64_t *ret_run, uint64_t *ret_idle, size_t *ret_oom)
{
	struct lrg_tick_result tr;
	uint64_t run0 = f.evicted_by_memcg[irun], idle0 = f.evicted_by_memcg[iidle];
	uint64_t idle_seen = idle0;

	*ret_oom = 0;
	for (int t = 0; t < ticks; t++) {
		f.now += 100;
		f.pressure[irun].usage += grow_per_tick;
		/* the idle memcg's charge falls by what lrugend took from it */
		f.pressure[iidle].usage -= (f.evicted_by_memcg[iidle] - idle_seen) * 4096;
		idle_seen = f.evicted_by_memcg[iidle];
		lrg_policy_tick(p, f.now, &tr);
		*ret_oom += tr.nr_oom;
	}
	*ret_run = f.evicted_by_memcg[irun] - run0;
	*ret_idle = f.evicted_by_memcg[iidle] - idle0;
	return f.evicted_by_memcg[irun];
}

static void test_grower(void)
{
	struct lrg_policy *p;
	uint64_t run, idle;
	size_t oom;
	int irun, iidle;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	f.global.swap_total = f.global.swap_free = 2048 * MiB;
	cfg_init(1000, 500);
	cfg.defaults.swappiness = 100;
	irun = fake_add_memcg(&f, 50, "/runaway");
	iidle = fake_add_memcg(&f, 51, "/idle");
	for (int i = 0; i < 2; i++) {
		struct fake_mm *mm = fake_add_mm(&f, 50 + i, 50 + i);

		for (int k = 0; k < FAKE_MAX_REGIONS; k++)
			fake_map(mm, R(k), 0, 512, true);
		f.pressure[i ? iidle : irun].usage = 512 * MiB;
		f.pressure[i ? iidle : irun].limit = UINT64_MAX;
		f.memcgs[i ? iidle : irun].swap_max = UINT64_MAX;
	}
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	age_for_4s(p);
	global_pressure(64);
	f.now = 4000;
	/* the first second: its growth is seen between two reads */
	grower_ticks(p, irun, iidle, 2 * MiB, 10, &run, &idle, &oom);
	grower_ticks(p, irun, iidle, 2 * MiB, 20, &run, &idle, &oom);
	ok(run == 0 && idle > 0 && oom == 0,
	   "grower: a memcg allocating 20 MiB/s under pressure keeps its anon (%llu pages evicted), "
	   "an idle one gives (%llu), no OOM request (%zu)",
	   (unsigned long long)run, (unsigned long long)idle, oom);
	/* it stops growing; 10 s later lrugend takes from it again */
	grower_ticks(p, irun, iidle, 0, 105, &run, &idle, &oom);
	grower_ticks(p, irun, iidle, 0, 10, &run, &idle, &oom);
	ok(run > 0, "grower: 10 s after its growth stopped, its anon is evicted again (%llu)",
	   (unsigned long long)run);
	lrg_policy_free(p);

	/* beside a UI whose pages are all in use (refused for min_ttl): the
	 * grower, left to the kernel, is neither walked at every tick nor
	 * taken for a working set younger than min_ttl */
	{
		struct lrg_tick_result tr;
		struct fake_mm *runaway, *ui;
		uint64_t walks;
		size_t filed = 0;

		fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
		no_pressure();
		f.global.swap_total = f.global.swap_free = 2048 * MiB;
		cfg_init(1000, 500);
		cfg.defaults.swappiness = 100;
		irun = fake_add_memcg(&f, 50, "/runaway");
		iidle = fake_add_memcg(&f, 51, "/ui");
		runaway = fake_add_mm(&f, 50, 50);
		ui = fake_add_mm(&f, 51, 51);
		for (int k = 0; k < 4; k++) {
			fake_map(runaway, R(k), 0, 512, true);
			fake_map(ui, R(8 + k), 0, 512, false);
		}
		f.pressure[irun].usage = f.pressure[iidle].usage = 512 * MiB;
		f.pressure[irun].limit = f.pressure[iidle].limit = UINT64_MAX;
		lrg_policy_new(&f.b, &cfg, &p);
		lrg_config_free(&cfg);
		lrg_policy_refresh(p, 0);
		age_for_4s(p);
		global_pressure(64);
		walks = runaway->harvests;
		for (int t = 1; t <= 30; t++) {
			f.now = 4000 + t * 100;
			f.pressure[irun].usage += 2 * MiB;
			for (int k = 0; k < 4; k++)
				fake_touch(ui, R(8 + k), 0, 512);
			lrg_policy_tick(p, f.now, &tr);
			filed += tr.nr_oom;
		}
		walks = runaway->harvests - walks;
		ok(filed == 0 && walks <= 8,
		   "grower beside a UI in use: no OOM request while swap has room (%zu), walked by "
		   "time only (%llu walks in 30 ticks)", filed, (unsigned long long)walks);
		lrg_policy_free(p);
	}
}

static void test_memcg_ttl_domain(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct fake_mm *m0, *m1;
	int i0;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(5000, 100);
	i0 = fake_add_memcg(&f, 20, "/young");
	fake_add_memcg(&f, 21, "/old");
	m0 = fake_add_mm(&f, 200, 20);
	m1 = fake_add_mm(&f, 201, 21);
	fake_map(m0, R(0), 0, 512, false);
	fake_map(m1, R(0), 0, 512, false);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	f.now = 0;
	lrg_policy_refresh(p, 0);
	for (int t = 0; t < 6; t++) {
		f.now = 20000 + t * 100;
		lrg_policy_tick(p, f.now, &tr);
	}
	/* /young at its limit, all its generations young; /old has old memory
	 * but is another domain: the OOM request names /young, not global */
	f.pressure[i0].limit = 2 * MiB;
	f.pressure[i0].usage = 2 * MiB;
	f.memcgs[i0].max = 2 * MiB;      /* as the next listing shows it */
	f.now = 20600;
	lrg_policy_refresh(p, f.now);
	lrg_policy_tick(p, f.now, &tr);
	ok(tr.nr_oom == 1 && !tr.oom[0].global && tr.oom[0].memcg_id == 20,
	   "memcg at its limit with only young generations: OOM request for that memcg, not global");
	ok(f.evicted_by_memcg[1] == 0, "nothing taken from the other memcg for it");
	lrg_policy_free(p);
}

/*
 * A memcg at its own limit thrashes; the kernel counts its reclaim,
 * refaults and stalls in the machine's figures too. Runs 3 s with the box
 * at its limit and its counters (and the machine's by the same amounts)
 * advancing per tick, plus what the rest of the machine adds (rest_*);
 * free memory between the watermarks (free_near) or plenty. Returns the OOM requests in the
 * machine's name; *rest_evicted what was evicted outside the box.
 */
static size_t box_thrash_run(bool free_near, uint64_t rest_steal, uint64_t rest_refaults,
			     double rest_full, uint64_t *rest_evicted, char *why, size_t len)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	size_t machine = 0;
	int ibox, irest;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(1000, 500);
	ibox = fake_add_memcg(&f, 50, "/user.slice/box.scope");
	irest = fake_add_memcg(&f, 51, "/user.slice/app.scope");
	for (int i = 0; i < 2; i++) {
		struct fake_mm *a = fake_add_mm(&f, 500 + i, 50 + i);

		for (int k = 0; k < FAKE_MAX_REGIONS; k++)
			fake_map(a, R(k), 0, 512, false);
	}
	f.memcgs[ibox].max = 96 * MiB;
	f.pressure[ibox].limit = 96 * MiB;
	f.pressure[ibox].usage = 80 * MiB;
	f.pressure[irest].limit = f.global.mem_total;
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	age_for_4s(p);
	/* the box at its limit, stalled 20% */
	f.pressure[ibox].usage = 96 * MiB;
	f.pressure[ibox].psi_full_avg10 = 20.0;
	if (free_near)
		f.global.mem_free = f.global.watermark_low + 4 * MiB;
	f.global.psi_full_avg10 = 20.0 + rest_full;
	*rest_evicted = f.evicted_by_memcg[irest];
	why[0] = '\0';
	for (int t = 0; t <= 12; t++) {   /* 3 s, a tick every 250 ms */
		f.now = 5000 + t * 250;
		f.pressure[ibox].pgsteal += 2000;
		f.pressure[ibox].refaults += 1800;
		f.pressure[ibox].psi_full_total_us += 50000;   /* 20% of 250 ms */
		f.global.pgsteal += 2000 + rest_steal;
		f.global.refaults += 1800 + rest_refaults;
		f.global.psi_full_total_us += 50000 + (uint64_t)(rest_full * 2500);
		lrg_policy_tick(p, f.now, &tr);
		for (size_t k = 0; k < tr.nr_oom; k++)
			if (tr.oom[k].global) {
				machine++;
				snprintf(why, len, "%s", tr.oom[k].reason);
			}
	}
	*rest_evicted = f.evicted_by_memcg[irest] - *rest_evicted;
	lrg_policy_free(p);
	return machine;
}

static void test_own_domain_not_machine(void)
{
	uint64_t rest_evicted;
	char why[64];
	size_t n;

	n = box_thrash_run(true, 0, 0, 0, &rest_evicted, why, sizeof(why));
	ok(n == 0, "own domain: a box thrashing at its limit is not the machine thrashing (%zu: %s)",
	   n, why);
	ok(rest_evicted == 0,
	   "own domain: its stall is not the machine's pressure: nothing evicted outside it (%llu)",
	   (unsigned long long)rest_evicted);
	n = box_thrash_run(false, 0, 0, 0, &rest_evicted, why, sizeof(why));
	ok(n == 0, "own domain: nor with plenty free, where only the thrash rule could decide (%zu: %s)",
	   n, why);
	n = box_thrash_run(false, 2000, 1800, 20.0, &rest_evicted, why, sizeof(why));
	ok(n >= 1 && strstr(why, "thrashing"),
	   "own domain: the rest of the machine thrashing too (its own refaults and stall) is still seen (%zu: %s)", n, why);
	n = box_thrash_run(true, 0, 0, 10.0, &rest_evicted, why, sizeof(why));
	ok(rest_evicted > 0,
	   "own domain: a stall beyond the box's with free memory near the line is machine pressure"
	   " (%llu evicted outside the box)", (unsigned long long)rest_evicted);
}

static void test_dry_run_and_proactive(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct fake_mm *a;

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	no_pressure();
	cfg_init(0, 1000);
	cfg.daemon.dry_run = true;
	a = fake_add_mm(&f, 1, LRG_ROOT_MEMCG);
	fake_map(a, R(0), 0, 512, false);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	for (int t = 1; t <= 4; t++) {
		f.now = t * 1000;
		lrg_policy_tick(p, f.now, &tr);
	}
	global_pressure(100);
	lrg_policy_tick(p, f.now, &tr);
	ok(f.evict_calls == 0 && tr.pages_evicted == 0, "dry run: never evicts");
	lrg_policy_free(p);

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES);
	no_pressure();
	cfg_init(0, 1000);
	cfg.defaults.evict_min_age_ms = 2500;
	a = fake_add_mm(&f, 1, LRG_ROOT_MEMCG);
	fake_map(a, R(0), 0, 512, false);
	fake_map(a, R(1), 0, 512, false);
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	f.now = 1000;
	lrg_policy_tick(p, f.now, &tr);
	f.now = 2000;
	fake_touch(a, R(0), 0, 512);
	lrg_policy_refresh(p, f.now);
	lrg_policy_tick(p, f.now, &tr);
	ok(f.evicted[LRG_FILE] == 0, "proactive: nothing older than 2.5 s yet");
	for (int t = 3; t <= 5; t++) {
		f.now = t * 1000;
		fake_touch(a, R(0), 0, 512);
		lrg_policy_refresh(p, f.now);
		lrg_policy_tick(p, f.now, &tr);
	}
	ok(f.evicted[LRG_FILE] == 512 && all_present(a, R(0), 512),
	   "proactive, no pressure: the idle region went, the used one stayed (%llu)",
	   (unsigned long long)f.evicted[LRG_FILE]);
	lrg_policy_free(p);
}

static void test_kernel_gens(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct gens g;

	fake_init(&f, LRG_CAP_KERNEL_GENS | LRG_CAP_RECLAIM);
	no_pressure();
	cfg_init(0, 1000);
	/* the kernel holds 1000 file pages in its oldest generation */
	f.kgens.nr_pages[0][LRG_FILE] = 1000;
	f.kgens.nr_pages[3][LRG_FILE] = 50;
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	f.now = 1000;
	lrg_policy_tick(p, f.now, &tr);
	g = view(p);
	ok(f.age_calls == 1 && tr.gens_created == 1 && g.max_seq[0] == 4 && g.pages[0] == 1050,
	   "kernel generations: aging asks the kernel, the engine mirrors max_seq %llu, %llu pages",
	   (unsigned long long)g.max_seq[0], (unsigned long long)g.pages[0]);
	global_pressure(300);
	f.now = 1100;
	lrg_policy_tick(p, f.now, &tr);
	ok(f.evict_gen_calls > 0 && f.last_evict_gen_seq == 1 && f.last_evict_gen_swappiness == 0,
	   "pressure: evict_gen on the oldest generation (seq %llu), swappiness 0 without swap",
	   (unsigned long long)f.last_evict_gen_seq);
	ok(tr.pages_evicted >= 300 && f.evicted[LRG_FILE] == tr.pages_evicted,
	   "evicted counted from the mirrored generations (%llu)", (unsigned long long)tr.pages_evicted);
	lrg_policy_free(p);
}

/*
 * A memcg the kernel's generations file does not list (its lines could
 * not be parsed, or it is gone): the tick ages the others and succeeds.
 */
static void test_kernel_gens_unknown(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	int r;

	fake_init(&f, LRG_CAP_KERNEL_GENS | LRG_CAP_RECLAIM | LRG_CAP_MEMCG);
	no_pressure();
	cfg_init(0, 1000);
	fake_add_memcg(&f, 1001, "/user.slice/unlisted.scope");
	fake_add_memcg(&f, LRG_ROOT_MEMCG, "/");
	f.gens_unknown_memcg = 1001;
	f.kgens.nr_pages[0][LRG_FILE] = 1000;
	lrg_policy_new(&f.b, &cfg, &p);
	lrg_config_free(&cfg);
	lrg_policy_refresh(p, 0);
	f.now = 1000;
	memset(&tr, 0, sizeof(tr));
	r = lrg_policy_tick(p, f.now, &tr);
	ok(r == 0 && f.age_calls == 1 && tr.nr_aged == 1,
	   "a memcg missing from the kernel's generations: the tick goes on, the root aged (%d, %llu)",
	   r, (unsigned long long)f.age_calls);
	f.now = 3000;
	r = lrg_policy_tick(p, f.now, &tr);
	ok(r == 0 && f.age_calls == 2, "and at the next tick again (%d, %llu)", r,
	   (unsigned long long)f.age_calls);
	lrg_policy_free(p);
}

/* ---- the tick budget, on the fake clock ---- */

#define NB 200           /* memcgs aging by time */
#define NB_COST 5        /* fake ms per aging (one harvest) */
#define NB_BUDGET 50
#define NB_TIGHT 5000    /* the memcg at its limit */

struct seqs {
	uint64_t max_seq[NB];
};

static int on_seq(void *ctx, const struct lrg_gens_view *v)
{
	struct seqs *s = ctx;

	if (v->memcg_id >= 1000 && v->memcg_id < 1000 + NB)
		s->max_seq[v->memcg_id - 1000] = v->max_seq;
	return 0;
}

static struct seqs seqs(struct lrg_policy *p)
{
	struct seqs s;

	memset(&s, 0, sizeof(s));
	lrg_policy_foreach_gens(p, f.now, on_seq, &s);
	return s;
}

static void test_tick_budget(void)
{
	struct lrg_policy *p;
	struct lrg_tick_result tr;
	struct lrg_policy_stats st;
	struct seqs s0, s1;
	uint64_t t_start, aged[NB], cfg_poll_ms;
	int it, ticks, bad_oom = 0, twice = 0, first_aged;
	bool all_once = false;
	char path[32];

	fake_init(&f, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_MEMCG);
	no_pressure();
	/* min_ttl 1 h: the memcg at its limit can give nothing, so every tick
	 * that handles its pressure files an OOM request for it */
	cfg_init(3600000, 100000);
	cfg.daemon.tick_budget_ms = NB_BUDGET;
	cfg_poll_ms = cfg.daemon.poll_interval_ms;
	for (int i = 0; i < NB; i++) {
		struct fake_mm *m;

		snprintf(path, sizeof(path), "/m%d", i);
		fake_add_memcg(&f, 1000 + i, path);
		m = fake_add_mm(&f, 1 + i, 1000 + i);
		fake_map(m, R(0), 0, 64, false);
	}
	it = fake_add_memcg(&f, NB_TIGHT, "/tight");
	fake_map(fake_add_mm(&f, 900, NB_TIGHT), R(0), 0, 512, false);
	ok(lrg_policy_new(&f.b, &cfg, &p) == 0, "budget: %d memcgs, budget %d ms, aging %d fake ms each",
	   NB + 1, NB_BUDGET, NB_COST);
	lrg_config_free(&cfg);
	/* every aging walks its mm whole: one harvest, NB_COST ms, each time */
	lrg_policy_set_force_scan(p, true);
	lrg_policy_refresh(p, 0);

	/* a first round for free (the clock stands still): generations with pages */
	f.now = 100000;
	lrg_policy_tick(p, f.now, &tr);
	ok(tr.nr_aged == NB + 1 && !tr.more, "free aging: one tick ages all %zu", tr.nr_aged);

	/* now every aging costs, all are due again, and /tight is at its limit */
	f.harvest_cost_ms = NB_COST;
	f.pressure[it].limit = 2 * MiB;
	f.pressure[it].usage = 2 * MiB;
	f.now = 200000;
	s0 = seqs(p);
	t_start = f.now;
	lrg_policy_tick(p, f.now, &tr);
	s1 = seqs(p);
	first_aged = 0;
	for (int i = 0; i < NB; i++)
		first_aged += s1.max_seq[i] == s0.max_seq[i] + 1;
	ok(tr.nr_aged >= NB_BUDGET / NB_COST - 1 && tr.nr_aged <= NB_BUDGET / NB_COST + 1 &&
	   tr.more && tr.nr_deferred == NB + 1 - tr.nr_aged && tr.next_tick_ms <= f.now,
	   "one tick ages %zu of %d due memcgs (~budget / cost), defers %zu and asks to run again now",
	   tr.nr_aged, NB + 1, tr.nr_deferred);
	ok(tr.nr_oom == 1 && tr.oom[0].memcg_id == NB_TIGHT,
	   "the memcg at its limit is handled in that tick all the same (%zu OOM request)", tr.nr_oom);

	/* the next ticks, until all are aged: none twice before all once */
	f.measure_calls = 0;
	for (ticks = 1; tr.more && ticks < 100; ticks++) {
		lrg_policy_tick(p, f.now, &tr);
		bad_oom += !(tr.nr_oom == 1 && tr.oom[0].memcg_id == NB_TIGHT);
		s1 = seqs(p);
		for (int i = 0; i < NB; i++)
			twice += s1.max_seq[i] > s0.max_seq[i] + 1;
	}
	all_once = true;
	for (int i = 0; i < NB; i++)
		all_once &= s1.max_seq[i] == s0.max_seq[i] + 1;
	ok(all_once && twice == 0, "all %d aged exactly once, in %d ticks (none twice meanwhile: %d)",
	   NB, ticks, twice);
	ok(ticks >= (NB + 1) * NB_COST / NB_BUDGET - 1 && ticks <= (NB + 1) * NB_COST / NB_BUDGET + 2,
	   "%d ticks for %d agings of %d ms with a %d ms budget", ticks, NB + 1, NB_COST, NB_BUDGET);
	ok(bad_oom == 0, "the memcg at its limit: an OOM request in every tick (%d without)", bad_oom);
	ok(f.measure_calls <= (uint64_t)(NB + 1) * (1 + (f.now - t_start) / cfg_poll_ms),
	   "memcgs measured once per poll interval, not per continuing tick: %llu measurements "
	   "in %d ticks of %d memcgs (%llu fake ms)", (unsigned long long)f.measure_calls, ticks,
	   NB + 1, (unsigned long long)(f.now - t_start));
	ok(f.now - t_start <= (uint64_t)(NB + 1 + ticks) * NB_COST,
	   "fake time spent %llu ms: each memcg aged once, plus the pressure path",
	   (unsigned long long)(f.now - t_start));
	lrg_policy_get_stats(p, &st);
	ok(st.ticks_cut == (uint64_t)ticks - 1 && st.agings_deferred > 0,
	   "stats: %llu ticks cut short, %llu agings deferred", (unsigned long long)st.ticks_cut,
	   (unsigned long long)st.agings_deferred);

	/* always due (interval 100 ms, ticks back to back): round robin */
	{
		struct lrg_config c2;
		uint64_t lo = UINT64_MAX, hi = 0;

		cfg_init(3600000, 100);
		cfg.daemon.tick_budget_ms = NB_BUDGET;
		lrg_config_dup(&cfg, &c2);
		lrg_config_free(&cfg);
		lrg_policy_set_config(p, &c2);
		lrg_config_free(&c2);
		s0 = seqs(p);
		f.now += 1000;
		/* a busy machine (a fifth of memory available): not calm, every
		 * memcg at its own pace */
		f.global.mem_available = f.global.mem_free = f.global.mem_total / 5;
		for (int t = 0; t < 60; t++) {
			lrg_policy_tick(p, f.now, &tr);
			bad_oom += !(tr.nr_oom == 1 && tr.oom[0].memcg_id == NB_TIGHT);
		}
		s1 = seqs(p);
		for (int i = 0; i < NB; i++) {
			aged[i] = s1.max_seq[i] - s0.max_seq[i];
			if (aged[i] < lo)
				lo = aged[i];
			if (aged[i] > hi)
				hi = aged[i];
		}
		ok(lo >= 2 && hi - lo <= 1,
		   "always due: 60 ticks age each memcg %llu to %llu times (round robin, none ahead by two)",
		   (unsigned long long)lo, (unsigned long long)hi);
		ok(bad_oom == 0, "and the memcg at its limit was handled in every tick");
	}

	/* a budget larger than the work: one tick ages them all, as before */
	{
		struct lrg_config c2;

		cfg_init(3600000, 100000);
		cfg.daemon.tick_budget_ms = 60000;
		lrg_config_dup(&cfg, &c2);
		lrg_config_free(&cfg);
		lrg_policy_set_config(p, &c2);
		lrg_config_free(&c2);
		f.now += 200000;
		lrg_policy_tick(p, f.now, &tr);
		ok(tr.nr_aged == NB + 1 && !tr.more && tr.nr_deferred == 0,
		   "budget 60 s: one tick ages all %zu due memcgs", tr.nr_aged);
	}
	lrg_policy_free(p);
}

int main(void)
{
	test_global();
	test_ttl();
	test_exhaustion();
	test_thrash();
	test_thrash_names_slice();
	test_measure_due();
	test_calm();
	test_memcgs();
	test_grower();
	test_memcg_ttl_domain();
	test_own_domain_not_machine();
	test_dry_run_and_proactive();
	test_kernel_gens();
	test_kernel_gens_unknown();
	test_tick_budget();
	return tap_done();
}
