// SPDX-License-Identifier: GPL-2.0-only
/*
 * tick.c - lrg_policy_tick (lrg_policy.h): measure the machine and its
 * memcgs, age by time within the tick's budget, reclaim where under
 * pressure (each memcg at its limit, then the machine), evict proactively,
 * and say when to run again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/*
 * How often to create a generation by time. With only MAX_NR_GENS = 4
 * generations, the oldest one absorbs everything older (inc_min_seq), so
 * "idle for at least X" can only be told apart while two generations span
 * X: every page of generation min_seq was last seen young before
 * min_seq + 1 was born, at most two intervals ago in steady state. A slice
 * with proactive eviction therefore ages no faster than evict_min_age / 2.
 */
static uint32_t aging_interval(const struct lrg_slice_config *s)
{
	uint32_t half = s->evict && s->evict_min_age_ms ? s->evict_min_age_ms / 2 : 0;

	return half > s->aging_interval_ms ? half : s->aging_interval_ms;
}

/*
 * A calm machine (lrg_quiet for LRG_CALM_AFTER_MS) evicts nothing and has
 * no working set at risk: aging by time, the memcgs' figures and the
 * listings then run every LRG_CALM_PACE_MS. A generation per 5 s still
 * tells what the last min_ttl used (protection's window is 5 s or more,
 * and the two youngest generations always count). Not a memcg under a
 * limit that binds (its own OOM domain), nor a slice that evicts
 * proactively (its idle age is counted in generations). The first tick
 * that is not quiet ends it, and what is then overdue runs at once.
 */
#define LRG_CALM_AFTER_MS 10000

static bool calm_for(const struct lrg_policy *p, const struct pmemcg *m, uint64_t mem_total)
{
	const struct lrg_slice_config *s = m->slice;

	return p->calm && !(s->evict && s->evict_min_age_ms) &&
	       !(m->pr_ok && lrg_limit_binds(m->pr.limit, mem_total)) &&
	       !lrg_limit_binds(m->info.high, mem_total) && !lrg_limit_binds(m->info.max, mem_total);
}

/* The aging interval of m now: its slice's, or the calm pace. */
static uint32_t aging_interval_now(const struct lrg_policy *p, const struct pmemcg *m,
				   uint64_t mem_total)
{
	uint32_t interval = aging_interval(m->slice);

	if (interval && interval < LRG_CALM_PACE_MS && calm_for(p, m, mem_total))
		interval = LRG_CALM_PACE_MS;
	return interval;
}

/*
 * The kernel reclaims (pgsteal) at 1 MiB/s or more since the last tick:
 * memory is full of page cache it keeps taking from, a stream through
 * the cache, say, whatever MemAvailable says. Not calm: which pages it
 * takes is what aging decides.
 */
#define LRG_CALM_RECLAIM_BPS (1ULL << 20)

#define LRG_CALM_RECLAIM_WINDOW_MS 100

static bool kernel_reclaims(struct lrg_policy *p, const struct lrg_pressure *gp, uint64_t now_ms)
{
	/* judged already in this tick, or in one too recent to tell a rate
	 * (a tick that goes on with deferred aging 5 ms later) */
	if (p->calm_pgsteal_ms && now_ms >= p->calm_pgsteal_ms &&
	    now_ms - p->calm_pgsteal_ms < LRG_CALM_RECLAIM_WINDOW_MS)
		return p->calm_reclaims;
	p->calm_reclaims = p->calm_pgsteal_ms && now_ms > p->calm_pgsteal_ms &&
			   gp->pgsteal > p->calm_pgsteal &&
			   (gp->pgsteal - p->calm_pgsteal) * LRG_PAGE_SIZE * 1000 /
					   (now_ms - p->calm_pgsteal_ms) >= LRG_CALM_RECLAIM_BPS;
	p->calm_pgsteal = gp->pgsteal;
	p->calm_pgsteal_ms = now_ms;
	return p->calm_reclaims;
}

/*
 * The share of time some task stalled on memory, in percent, over the
 * last LRG_CALM_STALL_WINDOW_MS or a little more, from PSI's cumulative
 * time: PSI's avg10 decays over tens of seconds by design, and after a
 * runaway is gone it held a machine with nothing left to do at the full
 * pace for 30 s. Without two samples yet, avg10.
 */
#define LRG_CALM_STALL_WINDOW_MS 1000

static double kernel_stall_pct(struct lrg_policy *p, const struct lrg_pressure *gp, uint64_t now_ms)
{
	uint64_t dt;

	if (p->calm_some_ms && now_ms >= p->calm_some_ms &&
	    now_ms - p->calm_some_ms < LRG_CALM_STALL_WINDOW_MS)
		return p->calm_some_pct;
	dt = p->calm_some_ms && now_ms > p->calm_some_ms ? now_ms - p->calm_some_ms : 0;
	if (dt && gp->psi_some_total_us >= p->calm_some_us)
		p->calm_some_pct = (double)(gp->psi_some_total_us - p->calm_some_us) / (double)dt / 10.0;
	else
		p->calm_some_pct = gp->psi_some_avg10;
	p->calm_some_us = gp->psi_some_total_us;
	p->calm_some_ms = now_ms ? now_ms : 1;
	return p->calm_some_pct;
}

/*
 * Calm when quiet for LRG_CALM_AFTER_MS. When calm ends, every address
 * space counts as having run: the run stamps may be a calm listing old,
 * and the aging that is then due at once must not leave pages in use in
 * the old generations that reclaim takes first.
 */
static void calm_end(struct lrg_policy *p)
{
	if (p->calm) {
		for (size_t i = 0; i < p->nr_mms; i++)
			lrg_mm_set_ran(&p->mms[i]->mm);
		/* as good as a listing: the next aging walks them all */
		for (size_t i = 0; i < p->nr_memcgs; i++)
			p->memcgs[i]->listed_since_aging = true;
	}
	p->quiet_since_ms = 0;
	p->calm = false;
}

static void calm_step(struct lrg_policy *p, bool gpress, bool carried,
		      const struct lrg_pressure *gp, uint64_t now_ms)
{
	/* counters carried from an earlier read tell no new rate */
	bool reclaims = carried ? p->calm_reclaims : kernel_reclaims(p, gp, now_ms);
	double stall = carried ? p->calm_some_pct : kernel_stall_pct(p, gp, now_ms);
	/* the trigger saw the kernel's stall itself, past the calm limit,
	 * sooner than the 1 s rate kernel_stall_pct keeps */
	bool stalled = p->stall_noted;

	p->stall_noted = false;
	if (gpress || reclaims || stalled || !lrg_quiet(gp, stall)) {
		calm_end(p);
		return;
	}
	if (!p->quiet_since_ms)
		p->quiet_since_ms = now_ms ? now_ms : 1;
	p->calm = now_ms >= p->quiet_since_ms && now_ms - p->quiet_since_ms >= LRG_CALM_AFTER_MS;
}

/* Calm for every memcg with address spaces: the listings may slow down
 * too, or one that keeps its own pace would age without run stamps. */
static bool calm_everywhere(const struct lrg_policy *p, uint64_t mem_total)
{
	if (!p->calm)
		return false;
	for (size_t i = 0; i < p->nr_memcgs; i++)
		if (p->memcgs[i]->list.nr_mms && !calm_for(p, p->memcgs[i], mem_total))
			return false;
	return true;
}

/* Least recently aged by time first; never aged first of all. */
static int cmp_aged_stamp(const void *x, const void *y)
{
	uint64_t a = (*(struct pmemcg *const *)x)->aged_stamp;
	uint64_t b = (*(struct pmemcg *const *)y)->aged_stamp;

	return a < b ? -1 : a > b;
}

/*
 * Whether a memcg's figures are read in this tick. Each read is five files
 * the kernel formats on the spot (memory.stat alone is 40 lines); at five
 * ticks a second and a hundred memcgs (a desktop's services and scopes)
 * that was a large share of lrugend's CPU while nothing happened (about a
 * quarter of it in the VM with only four memcgs). Read each tick
 * only what can decide something now: a memcg whose limit is below the
 * machine's memory (an OOM domain of its own, whose pressure is its own
 * figures) and one whose slice evicts proactively (its refault ceiling).
 * While the machine is under pressure every memcg is read every
 * LRG_MEMCG_PRESSED_REMEASURE_MS (the thrash rule names the slice whose
 * memory refaulted most, over the last read: ten memcgs of four files at
 * every 100 ms tick were most of lrugend's CPU in an incident), but one that is empty (no
 * address space, next to nothing charged: it can refault nothing) only
 * on the common schedule: a user's thousand empty cgroups would otherwise
 * make every tick of an incident slow, and lrugend late for it. The
 * others are read every LRG_MEMCG_REMEASURE_MS, or at once when a listing
 * of the memcgs shows a limit: that is how soon a limit newly set on one
 * is seen.
 */
#define LRG_MEMCG_REMEASURE_MS 2000
#define LRG_MEMCG_PRESSED_REMEASURE_MS 500
#define LRG_MEMCG_EMPTY_BYTES (1ULL << 20)
/* An empty memcg's figures change only when something moves in, which
 * the listing every 2 s shows (its charge, its processes); one the
 * listing calls idle is not measured again while it stays so. */
#define LRG_MEMCG_EMPTY_REMEASURE_MS 30000

static bool empty_memcg(const struct pmemcg *m)
{
	return !m->list.nr_mms && m->pr_ok && m->pr.usage < LRG_MEMCG_EMPTY_BYTES &&
	       m->info.current < LRG_MEMCG_EMPTY_BYTES;
}

static bool measure_due(const struct lrg_policy *p, const struct pmemcg *m, bool gpress,
			const struct lrg_pressure *gp, uint64_t now_ms)
{
	const struct lrg_slice_config *s = m->slice;
	uint64_t every = calm_for(p, m, gp->mem_total) ? LRG_CALM_PACE_MS : LRG_MEMCG_REMEASURE_MS;

	if (!m->pr_ok || !m->pr_ms || now_ms < m->pr_ms)
		return true;
	/* idle as listed (nothing in it changed since it was last read idle)
	 * and measured empty since: its figures stand until it changes */
	if (m->info.idle && empty_memcg(m))
		return false;
	if (empty_memcg(m))
		return now_ms - m->pr_ms >= LRG_MEMCG_EMPTY_REMEASURE_MS;
	if (now_ms - m->pr_ms >= (gpress ? LRG_MEMCG_PRESSED_REMEASURE_MS : every))
		return true;
	if (s->evict && s->evict_min_age_ms)
		return true;
	/* the limit as last measured, or as listed (a refresh sees new ones) */
	return !gp->mem_total || lrg_limit_binds(m->pr.limit, gp->mem_total) ||
	       lrg_limit_binds(m->info.high, gp->mem_total) ||
	       lrg_limit_binds(m->info.max, gp->mem_total);
}

/*
 * A memcg whose limit binds is an OOM domain of its own: its reclaim, its
 * refaults and its tasks' stalls at that limit are its business, and its
 * own meter judges them. The kernel counts them in the machine's figures
 * too (/proc/vmstat sums every memcg's pgsteal and workingset_refault;
 * /proc/pressure/memory stalls every task, also one waiting in its memcg's
 * reclaim). Taken as the machine's, a box thrashing at its limit makes
 * the machine look as if it thrashed, with plenty available, and lrugend
 * decided in the machine's name (CI's oom-memcg run, once). Only the
 * outermost such memcg counts: memory.stat is hierarchical.
 */
static bool own_domain(const struct lrg_policy *p, const struct pmemcg *m, uint64_t mem_total)
{
	if (!m->pr_ok || m->id == LRG_ROOT_MEMCG || !lrg_limit_binds(m->pr.limit, mem_total))
		return false;
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		const struct pmemcg *n = p->memcgs[i];

		if (n != m && n->pr_ok && n->id != LRG_ROOT_MEMCG && in_domain(m, n) &&
		    lrg_limit_binds(n->pr.limit, mem_total))
			return false;
	}
	return true;
}

static uint64_t grown(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* the machine's counter less what the own domains did, never going back
 * (a memcg's statistics may be flushed a little later than the machine's) */
static uint64_t own_counter(uint64_t *own, uint64_t machine, uint64_t out)
{
	if (machine > out && machine - out > *own)
		*own = machine - out;
	return *own;
}

/*
 * The machine's figures as an OOM domain: gp less what the memcgs that are
 * domains of their own account for. Refaults and reclaim: their growth
 * since each became a domain (so one may come and go), from the machine's
 * totals, which contain them. Full stall: the machine's time with every
 * task stalled, a memcg's tasks among them, is at most that memcg's own
 * full time, and need not contain it (its tasks stall while others run),
 * so per fold the machine's growth less theirs, if any, is added: a lower
 * bound, never more pressure than the machine has, and no debt that would
 * hide a later stall. avg10 likewise. fold: take the memcgs' counters in
 * (a tick that measured them); otherwise the last ones stand.
 */
static void machine_figures(struct lrg_policy *p, const struct lrg_pressure *gp, bool fold,
			    struct lrg_pressure *ret)
{
	double full_out = 0;
	uint64_t full_us_out = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];

		if (!own_domain(p, m, gp->mem_total)) {
			if (fold)
				m->out_valid = false;
			continue;
		}
		full_out += m->pr.psi_full_avg10;
		if (!fold)
			continue;
		if (m->out_valid) {
			p->out_refaults += grown(m->pr.refaults, m->out_refaults);
			p->out_pgsteal += grown(m->pr.pgsteal, m->out_pgsteal);
			full_us_out += grown(m->pr.psi_full_total_us, m->out_full_us);
		}
		m->out_refaults = m->pr.refaults;
		m->out_pgsteal = m->pr.pgsteal;
		m->out_full_us = m->pr.psi_full_total_us;
		m->out_valid = true;
	}
	if (fold) {
		p->own_full_us += grown(grown(gp->psi_full_total_us, p->last_full_us), full_us_out);
		p->last_full_us = gp->psi_full_total_us;
	}
	*ret = *gp;
	ret->psi_full_avg10 = gp->psi_full_avg10 > full_out ? gp->psi_full_avg10 - full_out : 0;
	ret->refaults = own_counter(&p->own_refaults, gp->refaults, p->out_refaults);
	ret->pgsteal = own_counter(&p->own_pgsteal, gp->pgsteal, p->out_pgsteal);
	ret->psi_full_total_us = p->own_full_us;
}

/* Whether m allocated fast since its last read (lrg_alloc_rate_bps);
 * only a pressed machine's growth counts. */
static void note_growth(struct pmemcg *m, bool gpress, uint64_t usage_before)
{
	uint64_t back, rate;

	if (gpress && m->pr_ok && m->prev_ok && m->pr.refaults >= m->prev_refaults &&
	    m->pr_ms > m->prev_pr_ms) {
		back = (m->pr.refaults - m->prev_refaults) << LRG_PAGE_SHIFT;
		rate = lrg_alloc_rate_bps(usage_before, m->pr.usage,
					  m->evicted_since_read << LRG_PAGE_SHIFT, back,
					  m->pr_ms - m->prev_pr_ms);
		if (rate >= LRG_GROWER_BPS)
			m->grew_ms = m->pr_ms;
	}
	m->evicted_since_read = 0;
}

/*
 * m's figures. Its PSI and kernel OOM kills count only while its limit
 * binds (an OOM domain of its own): otherwise its charge and counters
 * are read, half the files. A limit found binding is read in full at once.
 */
static int measure_memcg(struct lrg_backend *b, struct pmemcg *m, uint64_t mem_total)
{
	int r;

	if (b->ops->measure_charge && m->pr_ok && !lrg_limit_binds(m->pr.limit, mem_total)) {
		r = b->ops->measure_charge(b, m->id, &m->pr);
		if (r < 0 || !lrg_limit_binds(m->pr.limit, mem_total))
			return r;
	}
	return b->ops->measure(b, m->id, &m->pr);
}

static void measure_memcgs(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
			   uint64_t now_ms)
{
	struct lrg_backend *b = p->b;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];

		if (lrg_backend_has(b, LRG_CAP_MEMCG) && m->id != LRG_ROOT_MEMCG && b->ops->measure &&
		    m->pr_tick != p->tick_no && measure_due(p, m, gpress, gp, now_ms)) {
			uint64_t usage_before = m->pr.usage;

			/* the read before, for most_refaulted's rate */
			m->prev_ok = m->pr_ok;
			m->prev_refaults = m->pr.refaults;
			m->prev_pr_ms = m->pr_ms;
			m->pr_ok = measure_memcg(b, m, gp->mem_total) == 0;
			m->pr_ms = now_ms ? now_ms : 1;
			m->pr_tick = p->tick_no;
			note_growth(m, gpress, usage_before);
		}
	}
}

/* A rate window: at least this long, and the older reference at most
 * twice as old, so that a poll's jitter is not read as a rate. */
#define DROP_WINDOW_MS 500

/* One sample of m: the rate of its fall against a sample 0.5 to 1 s old. */
static void drop_meter_feed(struct drop_meter *m, uint64_t value, uint64_t now_ms)
{
	if (m->ms[0] && now_ms >= m->ms[0] + DROP_WINDOW_MS)
		m->bps = m->value[0] > value ?
			(m->value[0] - value) * 1000 / (now_ms - m->ms[0]) : 0;
	if (!m->ms[1] || now_ms >= m->ms[1] + DROP_WINDOW_MS) {
		m->value[0] = m->ms[1] ? m->value[1] : value;
		m->ms[0] = m->ms[1] ? m->ms[1] : now_ms;
		m->value[1] = value;
		m->ms[1] = now_ms;
	}
}

/*
 * How fast the machine's available memory falls (gp->avail_drop_bps), and
 * what it can still give with swap (gp->reserve_drop_bps), on the kernel's
 * figures (lrg_kernel_available).
 */
static void drop_rate(struct lrg_policy *p, struct lrg_pressure *gp, uint64_t now_ms)
{
	uint64_t avail = lrg_kernel_available(gp);

	if (!gp->mem_total || !now_ms)
		return;
	drop_meter_feed(&p->avail_drop, avail, now_ms);
	drop_meter_feed(&p->reserve_drop, avail + gp->swap_free, now_ms);
	gp->avail_drop_bps = p->avail_drop.bps;
	gp->reserve_drop_bps = p->reserve_drop.bps;
}

/*
 * A calm machine is looked at every tick for its memory (a runaway from a
 * calm machine is seen within poll_interval_ms), but its counters, PSI and
 * watermarks are read every LRG_CALM_COUNTERS_MS: /proc/vmstat is the
 * costliest file of a tick, and what it tells (the kernel reclaiming,
 * tasks stalling) ends calm a second later at most. Between full reads
 * the tick carries the last full one's counters (true when it did); none
 * of them feeds a rate, a meter or the kernel's OOM kill count.
 */
#define LRG_CALM_COUNTERS_MS 1000

static bool measure_machine(struct lrg_policy *p, uint64_t now_ms, bool full,
			    struct lrg_pressure *gp)
{
	struct lrg_backend *b = p->b;
	struct lrg_pressure mem;

	if (!full && p->calm && b->ops->measure_meminfo && p->machine_full_ms &&
	    now_ms >= p->machine_full_ms && now_ms - p->machine_full_ms < LRG_CALM_COUNTERS_MS &&
	    b->ops->measure_meminfo(b, &mem) == 0) {
		*gp = p->machine_full;
		gp->now_ms = mem.now_ms;
		gp->mem_total = mem.mem_total;
		gp->mem_free = mem.mem_free;
		gp->mem_available = mem.mem_available;
		gp->swap_total = mem.swap_total;
		gp->swap_free = mem.swap_free;
		gp->limit = mem.limit;
		gp->usage = mem.usage;
		return true;
	}
	memset(gp, 0, sizeof(*gp));
	if (!b->ops->measure || b->ops->measure(b, LRG_ROOT_MEMCG, gp) < 0) {
		memset(gp, 0, sizeof(*gp));
		return false;
	}
	p->machine_full = *gp;
	p->machine_full_ms = now_ms ? now_ms : 1;
	return false;
}

/*
 * The tick's figures: the machine's as measured (*ret_gp) and as an OOM
 * domain (*ret_mp, machine_figures), and the memcgs' that are due. True
 * when the machine is under pressure.
 */
static bool measure_tick(struct lrg_policy *p, uint64_t now_ms, uint64_t poll,
			 struct lrg_pressure *ret_gp, struct lrg_pressure *ret_mp, bool *ret_carried)
{
	struct lrg_pressure gp, mp;
	bool gpress, fresh, carried;

	carried = measure_machine(p, now_ms, false, &gp);
	/* what memory.min holds is not there to be had: as of the last
	 * protection round */
	gp.protected_file = p->prot_file;
	drop_rate(p, &gp, now_ms);
	/* memory that is no longer quiet (at the rate it falls now): the
	 * whole machine, now */
	if (carried && !lrg_quiet(&gp, p->calm_some_pct)) {
		carried = measure_machine(p, now_ms, true, &gp);
		gp.protected_file = p->prot_file;
		drop_rate(p, &gp, now_ms);
	}
	/*
	 * Which memcgs to read (measure_due) on the machine's raw figures and
	 * the last thrash verdict; whether the machine is under pressure on
	 * its own figures (machine_figures), once they are read.
	 */
	gpress = lrg_under_pressure(&gp, true) || lrg_thrashing(&p->thrash);
	/* before the memcgs are read: a tick that is not quiet reads them
	 * at the usual pace */
	calm_step(p, gpress, carried, &gp, now_ms);

	/*
	 * Each memcg's figures once per poll interval: a tick that only goes
	 * on with aging the previous one deferred (5 ms later) reuses them,
	 * or with 200 memcgs under TCG every tick spent its budget measuring
	 * and aged one memcg (the scale benchmark).
	 */
	fresh = !(p->continuing && p->measured_ms && now_ms >= p->measured_ms &&
		  now_ms - p->measured_ms < poll);
	if (fresh) {
		p->measured_ms = now_ms;
		measure_memcgs(p, gpress, &gp, now_ms);
	}
	machine_figures(p, &gp, fresh && !carried, &mp);
	/*
	 * A machine whose working set thrashes is under pressure whatever its
	 * free memory says: kswapd keeps free memory at its watermarks, and
	 * the page cache being thrashed counts as available. Fed every tick
	 * that read the memcgs, so the window is whole when it matters
	 * (policy_reclaim_domain reads the same meter).
	 */
	if (fresh && !carried)
		policy_thrash_feed(p, &p->thrash, &mp, now_ms);
	if (lrg_under_pressure(&mp, true) || lrg_thrashing(&p->thrash)) {
		/* the thrash rule names the slice whose memory refaulted most:
		 * every memcg's figures of this tick */
		if (fresh && !gpress)
			measure_memcgs(p, true, &gp, now_ms);
		gpress = true;
	} else {
		gpress = false;
	}
	if (fresh && kernel_gens(p))
		for (size_t i = 0; i < p->nr_memcgs; i++)
			policy_mirror_gens(p, p->memcgs[i], now_ms);
	*ret_gp = gp;
	*ret_mp = mp;
	*ret_carried = carried;
	return gpress;
}

/*
 * Aging by time, to keep generations a time scale: the due memcgs,
 * least recently aged first, until the tick's budget (counted from t0)
 * is spent (one at least, so every tick makes progress); the others wait
 * for the next tick, which comes at once. A memcg aged here goes to the
 * back of the queue: none is aged twice while another waits.
 */
static int age_due(struct lrg_policy *p, const struct lrg_pressure *gp, uint64_t now_ms,
		   uint64_t t0, struct lrg_tick_result *tr)
{
	struct lrg_backend *b = p->b;
	uint64_t budget = p->cfg.daemon.tick_budget_ms;
	size_t nr_due = 0;
	int r;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		int sw;

		/* an idle memcg has no page to age: a user's thousand empty
		 * cgroups would each take a turn of every tick */
		if (m->info.idle && !m->list.nr_mms)
			continue;
		sw = policy_swappiness(p, m, gp);
		if (lrg_aging_due(&m->lv, sw > 0, false, aging_interval_now(p, m, gp->mem_total),
				  now_ms))
			p->due[nr_due++] = m;
	}
	if (nr_due > 1)
		qsort(p->due, nr_due, sizeof(*p->due), cmp_aged_stamp);
	for (size_t k = 0; k < nr_due; k++) {
		if (k && budget && b->ops->now_ms(b) - t0 >= budget) {
			tr->nr_deferred = nr_due - k;
			break;
		}
		p->due[k]->aged_stamp = ++p->age_stamp;
		r = policy_age_memcg(p, p->due[k], gp, now_ms, true, tr);
		/* A memcg that is not in what the kernel lists now (gone, or
		 * left out of a generations file it could not all parse) waits
		 * for the next listing; the other memcgs are aged. */
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		tr->nr_aged++;
	}
	if (tr->nr_deferred) {
		p->stats.ticks_cut++;
		p->stats.agings_deferred += tr->nr_deferred;
	}
	return 0;
}

/* The earlier of next and the first time after now_ms a memcg is due
 * for aging by time. */
static uint64_t next_aging_ms(const struct lrg_policy *p, uint64_t mem_total, uint64_t now_ms,
			      uint64_t next)
{
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		const struct pmemcg *m = p->memcgs[i];
		uint32_t interval = aging_interval_now(p, m, mem_total);

		if (interval) {
			uint64_t due = m->lv.timestamps[lrg_gen_from_seq(m->lv.max_seq)] + interval;

			if (due > now_ms && due < next)
				next = due;
		}
	}
	return next;
}

/*
 * Reclaim where under pressure: first each memcg at its limit, its own
 * OOM domain (its own figures), then the machine (gpress; its figures as
 * an OOM domain, mp).
 */
static void reclaim_pressured(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
			      const struct lrg_pressure *mp, uint64_t now_ms,
			      struct lrg_tick_result *tr)
{
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		struct domain d = { .root = m, .global = false, .apply_ttl = true, .may_grow = true };

		if (!m->pr_ok || !lrg_under_pressure(&m->pr, false))
			continue;
		policy_reclaim_domain(p, &d, &m->pr, gp, lrg_pressure_target_pages(&m->pr, false),
				      now_ms, tr);
	}
	if (gpress) {
		struct domain d = { .root = NULL, .global = true, .apply_ttl = true, .may_grow = true };

		policy_reclaim_domain(p, &d, mp, gp, lrg_pressure_target_pages(mp, true), now_ms, tr);
	}
}

int lrg_policy_tick(struct lrg_policy *p, uint64_t now_ms, struct lrg_tick_result *ret)
{
	struct lrg_backend *b = p->b;
	struct lrg_tick_result tr;
	struct lrg_pressure gp, mp;
	uint64_t poll = p->cfg.daemon.poll_interval_ms ? p->cfg.daemon.poll_interval_ms : 1000;
	uint64_t next, t0;
	bool gpress, carried;
	int r;

	r = policy_lock(p);
	if (r < 0)
		return r;
	t0 = b->ops->now_ms(b);
	memset(&tr, 0, sizeof(tr));
	p->tick_no++;

	gpress = measure_tick(p, now_ms, poll, &gp, &mp, &carried);
	/* pressure seen on the machine's own figures (or a thrash) */
	if (gpress)
		calm_end(p);
	else if (p->stall_wakes && calm_everywhere(p, gp.mem_total))
		/* not while a memcg keeps its own pace (a limit that binds,
		 * proactive eviction): it is looked at every poll */
		poll = lrg_calm_look_ms(&gp, poll);
	/* since when the machine's OOM killer has been due (reclaim.c) */
	if (!lrg_exhaustion_ahead(&mp))
		p->exhaustion_since_ms = 0;
	else if (!p->exhaustion_since_ms)
		p->exhaustion_since_ms = now_ms ? now_ms : 1;
	r = age_due(p, &gp, now_ms, t0, &tr);
	if (r < 0)
		goto out;
	policy_protect(p, gpress, &gp, now_ms);
	next = next_aging_ms(p, gp.mem_total, now_ms, now_ms + poll);
	reclaim_pressured(p, gpress, &gp, &mp, now_ms, &tr);
	for (size_t i = 0; i < p->nr_memcgs; i++)
		policy_proactive(p, p->memcgs[i], &gp, now_ms, &tr);

	if (gpress || tr.nr_oom) {
		/* under pressure, look again soon */
		uint64_t soon = now_ms + (poll > 100 ? 100 : poll);

		if (soon < next)
			next = soon;
	}
	if (tr.nr_deferred) {
		tr.more = true;
		next = now_ms;
	}
	p->continuing = tr.nr_deferred > 0;
	tr.next_tick_ms = next;
	tr.machine = gp;
	tr.machine_carried = carried;
	tr.calm = calm_everywhere(p, gp.mem_total);
out:
	policy_unlock(p);
	if (!r)
		*ret = tr;
	return r;
}
