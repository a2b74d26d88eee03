// SPDX-License-Identifier: GPL-2.0-only
/*
 * ttl.c - see ttl.h.
 */
#include "ttl.h"

/*
 * Headroom below a memcg limit that still counts as "at the limit": the
 * kernel's memcg reclaim starts when a charge does not fit, so usage never
 * sits exactly on the limit; 1/64 of the limit (at least 1 MiB) catches
 * it before the charge path stalls in reclaim, not long after.
 */
static uint64_t memcg_margin(uint64_t limit)
{
	uint64_t m = limit / 64;

	return m < (1ULL << 20) ? 1ULL << 20 : m;
}

/*
 * What the machine can still give without swapping: the kernel's
 * MemAvailable less the page cache memory.min holds for working sets
 * (counted there, but the kernel's reclaim may not take it), or free
 * memory where that reads lower than free (an estimate that is not
 * filled in reads 0, and free memory is available).
 */
uint64_t lrg_machine_available(const struct lrg_pressure *p)
{
	uint64_t avail = p->mem_available > p->protected_file ?
		p->mem_available - p->protected_file : 0;

	return avail > p->mem_free ? avail : p->mem_free;
}

uint64_t lrg_kernel_available(const struct lrg_pressure *p)
{
	return p->mem_available > p->mem_free ? p->mem_available : p->mem_free;
}

/*
 * What a runaway takes of the machine before lrugend can act on it: its
 * rate over LRG_ACT_AHEAD_MS. At most 1/8 of memory (earlyoom's fixed
 * line is 1/10), so that a burst of allocation on a machine with room is
 * early reclaim, not an emergency; the kill itself still needs a working
 * set that cannot be kept.
 */
static uint64_t act_ahead_bytes(const struct lrg_pressure *p)
{
	uint64_t need = p->avail_drop_bps / 1000 * LRG_ACT_AHEAD_MS;
	uint64_t cap = p->mem_total / 8;

	return need < cap ? need : cap;
}

/*
 * The machine's OOM killer is due within LRG_ACT_AHEAD_MS: available
 * memory is below a tenth of the machine's (earlyoom's line; what is left
 * is the kernel's reserves and swap), and available memory with free swap,
 * falling at the rate of the last second, runs out within
 * LRG_ACT_AHEAD_MS. No eviction keeps a working set then: what it frees,
 * the runaway takes, and with swap it only moves the runaway's own pages
 * into the swap that is running out.
 */
bool lrg_exhaustion_ahead(const struct lrg_pressure *p)
{
	uint64_t avail = lrg_machine_available(p), ahead;

	if (!p->mem_total || !p->reserve_drop_bps || avail > p->mem_total / 10)
		return false;
	/* and no more than a quarter of memory's worth left: with a large
	 * swap a fast fall is still seconds of swapping away from the
	 * kernel's OOM killer, time in which it may stop */
	ahead = p->reserve_drop_bps / 1000 * LRG_ACT_AHEAD_MS;
	if (ahead > p->mem_total / 4)
		ahead = p->mem_total / 4;
	return avail + p->swap_free < ahead;
}

/*
 * A memcg is its own OOM domain only under a limit that binds before the
 * machine runs out: a memory.max/high at or above the machine's memory
 * (the backends report "max" as MemTotal) never does, and the root memcg
 * is the machine. Treating those as domains labelled a machine-wide
 * incident with whichever slice filled the memory.
 */
bool lrg_limit_binds(uint64_t limit, uint64_t mem_total)
{
	if (!limit || limit == UINT64_MAX)
		return false;
	return !mem_total || limit < mem_total;
}

/*
 * The verdict rests on the quantity the kernel itself reclaims for:
 *  - machine: free memory below the low watermark is exactly when kswapd
 *    wakes up (and the seeds run lru_gen_age_node with min_ttl); kswapd
 *    then holds free memory between its watermarks, so free memory alone
 *    shows pressure only in flashes. What stays visible is MemAvailable,
 *    the kernel's estimate of what it can still give without swapping
 *    (free memory above the reserves plus reclaimable cache): within
 *    1/64 of the machine's memory of zero is the same "at the limit" line
 *    a memcg has, with the machine as the memcg; and so is what runs out
 *    within LRG_ACT_AHEAD_MS at the rate it falls (act_ahead_bytes);
 *  - memcg: usage at its limit (memory.max, or memory.high which throttles)
 *    is when the charge path reclaims within the memcg.
 * PSI and refaults are supporting evidence only: a stall can come from
 * plain I/O on a machine with plenty of free memory, and evicting there
 * would make it worse. So PSI full stall (>= 1% over 10 s: tasks were
 * completely stopped on memory) counts only when memory is also close to
 * the line (free below the high watermark, available or the memcg's
 * headroom within four margins), where it shows the kernel is already
 * reclaiming hard. Refaults need a rate (history across samples); the
 * policy uses them for the proactive refault ceiling, not for this verdict.
 */
bool lrg_under_pressure(const struct lrg_pressure *p, bool global)
{
	bool stalled = p->psi_full_avg10 >= 1.0;

	if (global) {
		uint64_t avail = lrg_machine_available(p), m;

		if (p->watermark_low && p->mem_free < p->watermark_low)
			return true;
		if (stalled && p->watermark_high && p->mem_free < p->watermark_high)
			return true;
		if (!p->mem_total)
			return false;
		m = memcg_margin(p->mem_total);
		return avail <= m || avail < act_ahead_bytes(p) || (stalled && avail <= 4 * m);
	}
	if (!lrg_limit_binds(p->limit, p->mem_total))
		return false;
	if (p->usage + memcg_margin(p->limit) >= p->limit)
		return true;
	return stalled && p->usage + 4 * memcg_margin(p->limit) >= p->limit;
}

/* What a quiet machine keeps available: a quarter of its memory. */
static uint64_t quiet_floor(const struct lrg_pressure *p)
{
	return p->mem_total / 4;
}

bool lrg_quiet(const struct lrg_pressure *p, double stall_pct)
{
	uint64_t avail = lrg_machine_available(p);
	uint64_t fall = p->avail_drop_bps / 1000 * LRG_CALM_HORIZON_MS;

	if (!p->mem_total || lrg_under_pressure(p, true) || stall_pct >= LRG_CALM_PSI_SOME)
		return false;
	return avail > fall && avail - fall >= quiet_floor(p);
}

uint64_t lrg_calm_look_ms(const struct lrg_pressure *p, uint64_t poll_ms)
{
	uint64_t avail = lrg_machine_available(p), kept = quiet_floor(p), ms;

	if (!p->mem_total || avail <= kept)
		return poll_ms;
	ms = (avail - kept) / (LRG_FILL_BPS / 1000);
	if (ms > LRG_CALM_LOOK_MAX_MS)
		ms = LRG_CALM_LOOK_MAX_MS;
	return ms > poll_ms ? ms : poll_ms;
}

uint64_t lrg_alloc_rate_bps(uint64_t usage_before, uint64_t usage_now, uint64_t evicted_bytes,
			    uint64_t refaulted_bytes, uint64_t interval_ms)
{
	uint64_t charged = usage_now + evicted_bytes;
	uint64_t base = usage_before + refaulted_bytes;

	if (!interval_ms || charged <= base)
		return 0;
	return (charged - base) * 1000 / interval_ms;
}

uint64_t lrg_pressure_target_pages(const struct lrg_pressure *p, bool global)
{
	uint64_t want;

	if (!lrg_under_pressure(p, global))
		return 0;
	if (global) {
		/* back above the high watermark and two margins available */
		uint64_t avail = lrg_machine_available(p);
		uint64_t goal = p->mem_total ? 2 * memcg_margin(p->mem_total) : 0;

		if (act_ahead_bytes(p) > goal)
			goal = act_ahead_bytes(p);

		want = p->watermark_high > p->mem_free ? p->watermark_high - p->mem_free : 0;
		if (goal > avail && goal - avail > want)
			want = goal - avail;
	} else {
		uint64_t goal = p->limit - 2 * memcg_margin(p->limit);

		if (2 * memcg_margin(p->limit) > p->limit)
			goal = 0;
		want = p->usage > goal ? p->usage - goal : 0;
	}
	want = (want + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT;
	/* at least one batch: pressure was seen, make it count */
	return want < LRG_MIN_LRU_BATCH ? LRG_MIN_LRU_BATCH : want;
}

uint64_t lrg_ttl_oldest_age(const struct lrg_lruvec *lv, bool can_swap, uint64_t now_ms)
{
	uint64_t birth = lv->timestamps[lrg_gen_from_seq(lv->min_seq[LRG_FILE])];

	if (can_swap) {
		uint64_t b = lv->timestamps[lrg_gen_from_seq(lv->min_seq[LRG_ANON])];

		if (b < birth)
			birth = b;
	}
	return now_ms > birth ? now_ms - birth : 0;
}

bool lrg_ttl_protected(const struct lrg_lruvec *lv, bool can_swap, uint64_t now_ms,
		       uint32_t min_ttl_ms)
{
	/* the seeds: time_is_after_jiffies(birth + min_ttl) */
	return min_ttl_ms && lrg_ttl_oldest_age(lv, can_swap, now_ms) < min_ttl_ms;
}

enum lrg_ttl_verdict lrg_ttl_decide(bool under_pressure, const struct lrg_ttl_scope *scopes,
				    size_t n)
{
	bool refused = false;

	if (!under_pressure)
		return LRG_TTL_NO_PRESSURE;
	for (size_t i = 0; i < n; i++) {
		if (scopes[i].below_min || !scopes[i].evictable)
			continue;
		if (scopes[i].protected_ttl) {
			refused = true;
			continue;
		}
		return LRG_TTL_EVICT;
	}
	return refused ? LRG_TTL_OOM : LRG_TTL_EXHAUSTED;
}

static void thrash_restart(struct lrg_thrash *t, const struct lrg_pressure *p, uint64_t now_ms)
{
	t->start_ms = now_ms;
	t->refaults = p->refaults;
	t->pgsteal = p->pgsteal;
	t->full_us = p->psi_full_total_us;
}

int lrg_thrash_sample(struct lrg_thrash *t, const struct lrg_pressure *p, uint64_t now_ms)
{
	uint64_t steal, back;

	if (!t->last_ms || now_ms < t->last_ms || now_ms - t->last_ms > LRG_THRASH_STALE_MS ||
	    p->refaults < t->refaults || p->pgsteal < t->pgsteal || p->psi_full_total_us < t->full_us) {
		/* first sample, a gap, or counters that went back (a new memcg
		 * under the same id): no verdict until a whole window is seen */
		thrash_restart(t, p, now_ms);
		t->last_ms = now_ms ? now_ms : 1;
		t->valid = false;
		return -1;
	}
	t->last_ms = now_ms;
	if (now_ms - t->start_ms >= LRG_THRASH_WINDOW_MS) {
		uint64_t stalled = (p->psi_full_total_us - t->full_us) / 1000;

		steal = p->pgsteal - t->pgsteal;
		back = p->refaults - t->refaults;
		t->stall_pct = (uint32_t)(stalled >= now_ms - t->start_ms ? 100
					  : stalled * 100 / (now_ms - t->start_ms));
		/* a few pages either way is noise, not a working set */
		if (back < LRG_MIN_LRU_BATCH)
			t->pct = 0;
		else if (!steal || back >= steal * 10)
			t->pct = 1000;
		else
			t->pct = (uint32_t)(back * 100 / steal);
		t->valid = true;
		t->verdict_ms = t->start_ms;
		thrash_restart(t, p, now_ms);
	}
	return t->valid ? (int)t->pct : -1;
}

bool lrg_thrashing(const struct lrg_thrash *t)
{
	return t->valid && t->pct >= LRG_THRASH_PCT && t->pct <= LRG_THRASH_MAX_PCT &&
	       t->stall_pct >= LRG_THRASH_STALL_PCT;
}
