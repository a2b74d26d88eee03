// SPDX-License-Identifier: GPL-2.0-only
/*
 * reclaim.c - eviction per OOM domain (policy_int.h): oldest generation
 * first across the domain's memcgs, min_ttl honoured where the tick asks,
 * and the OOM requests when the working set cannot be kept; proactive
 * eviction by age; the backend's direct reclaim hook.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy_int.h"

/* Eviction rounds per domain and tick: bounds a tick's work. */
#define MAX_ROUNDS 256

/* Birth of m's oldest evictable generation, or UINT64_MAX if none. */
static uint64_t oldest_birth(const struct pmemcg *m, int sw)
{
	int type = lrg_evict_type(&m->lv, sw);

	if (type < 0)
		return UINT64_MAX;
	return m->lv.timestamps[lrg_gen_from_seq(m->lv.min_seq[type])];
}

/*
 * Evidence that a domain lrugend can no longer evict from is thrashing,
 * not merely full: tasks completely stalled on memory (PSI full, over
 * 10 s) at LRG_EXHAUSTED_STALL_PCT; or at LRG_SWAPLESS_STALL_PCT once swap
 * can take nothing more (none, or full), since then only refaults of the
 * working set are left for the kernel to do; or free memory far below the
 * low watermark (direct reclaim failing right now).
 */
#define LRG_EXHAUSTED_STALL_PCT 10.0
#define LRG_SWAPLESS_STALL_PCT 1.0

static bool exhausted_stall(const struct lrg_pressure *dp, bool global)
{
	bool swap_gone = !dp->swap_total || dp->swap_free < dp->swap_total / 64;

	if (dp->psi_full_avg10 >= LRG_EXHAUSTED_STALL_PCT)
		return true;
	if (swap_gone && dp->psi_full_avg10 >= LRG_SWAPLESS_STALL_PCT)
		return true;
	return global && dp->watermark_low && dp->mem_free < dp->watermark_low / 2;
}

/*
 * One sample of a domain's thrash meter. lrugend's own evictions
 * (process_madvise) are not in the kernel's pgsteal but their refaults are
 * in its refaults: count them as reclaimed too (all domains': conservative).
 */
void policy_thrash_feed(struct lrg_policy *p, struct lrg_thrash *t, const struct lrg_pressure *dp,
			uint64_t now_ms)
{
	struct lrg_pressure sample = *dp;

	sample.pgsteal += p->stats.pages_evicted;
	lrg_thrash_sample(t, &sample, now_ms);
}

/* An OOM request for domain d, in the name of ws's slice (whose min_ttl
 * is at stake); false when the tick has no room for another. */
static bool file_oom_request(struct lrg_policy *p, const struct domain *d,
			     const struct lrg_pressure *dp, const struct pmemcg *ws,
			     uint64_t oldest_age_ms, const char *reason,
			     const struct lrg_thrash *thrashing, struct lrg_tick_result *tr)
{
	struct lrg_oom_request *o;

	if (tr->nr_oom >= LRG_MAX_OOM_REQUESTS)
		return false;
	o = &tr->oom[tr->nr_oom++];
	memset(o, 0, sizeof(*o));
	o->memcg_id = d->root ? d->root->id : LRG_ROOT_MEMCG;
	o->global = d->global;
	o->oldest_age_ms = oldest_age_ms;
	o->min_ttl_ms = ws->slice->min_ttl_ms;
	o->pressure = *dp;
	snprintf(o->slice, sizeof(o->slice), "%s", ws->slice->name);
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	o->thrashing = thrashing != NULL;
	o->evidence_ms = thrashing ? thrashing->verdict_ms : 0;
	p->stats.oom_decisions++;
	return true;
}

/*
 * The memcg of d whose oldest generation is the oldest, a memory.low scope
 * only when no other can give; *ret_sw is its swappiness. memory.min
 * scopes and slices that do not evict are never picked. A memcg with
 * nothing eligible is aged first (once a tick); one that still has
 * nothing, or cannot be aged, is marked exhausted. With apply_ttl, a
 * memcg whose oldest generation is younger than its slice's min_ttl is
 * passed over.
 */
static struct pmemcg *pick_oldest(struct lrg_policy *p, const struct domain *d,
				  const struct lrg_pressure *gp, uint64_t now_ms,
				  struct lrg_tick_result *tr, int *ret_sw)
{
	struct pmemcg *best = NULL;
	bool best_low = true;
	uint64_t best_birth = UINT64_MAX;
	int best_sw = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		int sw = policy_swappiness(p, m, gp);
		uint64_t birth;
		bool low;

		if (m->exhausted || !in_domain(m, d->root) || !m->slice->evict || below_min(m))
			continue;
		if (sw && d->apply_ttl && policy_grows(m, now_ms)) {
			/* its anon is the kernel's to reclaim: file pages only,
			 * and no aging for them (aging by time goes on), or
			 * each tick would walk it and fold its unevicted anon
			 * generations until they looked younger than min_ttl */
			m->anon_to_kernel = true;
			sw = 0;
			if (lrg_evict_type(&m->lv, 0) < 0) {
				m->exhausted = true;
				continue;
			}
		}
		if (lrg_evict_type(&m->lv, sw) < 0 && m->aged_tick != p->tick_no) {
			/* nothing eligible: age first (once a tick) */
			if (policy_age_memcg(p, m, gp, now_ms, d->may_grow, tr) < 0) {
				m->exhausted = true;
				continue;
			}
		}
		birth = oldest_birth(m, sw);
		if (birth == UINT64_MAX) {
			m->exhausted = true;
			continue;
		}
		if (d->apply_ttl && lrg_ttl_protected(&m->lv, sw > 0, now_ms, m->slice->min_ttl_ms))
			continue;
		low = below_low(m);
		if (!best || (best_low && !low) || (low == best_low && birth < best_birth)) {
			best = m;
			best_low = low;
			best_birth = birth;
			best_sw = sw;
		}
	}
	if (best)
		*ret_sw = best_sw;
	return best;
}

/*
 * Evict m's oldest generation, at most left pages (a batch at least): one
 * generation at a time, so the next round may pick another memcg. Returns
 * the pages freed.
 */
static uint64_t evict_oldest_gen(struct lrg_policy *p, struct pmemcg *m, int sw, uint64_t left,
				 uint64_t now_ms, struct lrg_tick_result *tr)
{
	int type = lrg_evict_type(&m->lv, sw);
	uint64_t budget = (uint64_t)m->lv.nr_pages[lrg_gen_from_seq(m->lv.min_seq[type])][type];
	uint64_t freed = 0, guarded;
	int r;

	if (budget > left)
		budget = left;
	if (budget < LRG_MIN_LRU_BATCH)
		budget = LRG_MIN_LRU_BATCH;
	/* The working set lrugend guards is not its own eviction's to take
	 * either: only the charge above it. A working set in one
	 * generation a little over its protection would otherwise go whole. */
	guarded = policy_protected_claim(m);
	if (guarded) {
		uint64_t above = m->info.current > guarded ?
			(m->info.current - guarded) >> LRG_PAGE_SHIFT : 0;

		if (budget > above)
			budget = above;
	}
	r = budget ? policy_evict_from(p, m, sw, budget, now_ms, &freed) : 0;
	/* Nothing freed (swap full, pages locked or gone, or all of it
	 * protected): asking again this tick would free nothing either. */
	if (r < 0 || !freed)
		m->exhausted = true;
	/* the charge as lrugend knows it until the next listing */
	m->info.current -= freed << LRG_PAGE_SHIFT < m->info.current ?
		freed << LRG_PAGE_SHIFT : m->info.current;
	m->evicted_since_read += freed;
	p->stats.pages_evicted += freed;
	if (tr)
		tr->pages_evicted += freed;
	return freed;
}

bool policy_grows(const struct pmemcg *m, uint64_t now_ms)
{
	return m->grew_ms && now_ms >= m->grew_ms && now_ms - m->grew_ms < LRG_GROWER_HOLD_MS;
}

/*
 * Reclaim target pages from d, oldest generation first across its memcgs
 * (the global order MGLRU's memcg LRU approximates), in MAX_ROUNDS rounds
 * at most. Returns the pages freed.
 */
static uint64_t evict_oldest_first(struct lrg_policy *p, const struct domain *d,
				   const struct lrg_pressure *gp, uint64_t target, uint64_t now_ms,
				   struct lrg_tick_result *tr)
{
	uint64_t done = 0;
	int rounds = 0;

	while (done < target && rounds++ < MAX_ROUNDS) {
		int sw = 0;
		struct pmemcg *m = pick_oldest(p, d, gp, now_ms, tr, &sw);

		if (!m)
			break;
		done += evict_oldest_gen(p, m, sw, target - done, now_ms, tr);
	}
	return done;
}

/* min_ttl's verdict on each memcg of a domain that reclaim left short. */
struct ttl_survey {
	size_t refused;                 /* memcgs refused for min_ttl */
	const struct pmemcg *youngest;  /* the refused one whose oldest gen is youngest */
	uint64_t youngest_age_ms;
	bool any_evict;                 /* one could still give: the round limit stopped us */
};

static void survey_ttl(struct lrg_policy *p, const struct domain *d,
		       const struct lrg_pressure *gp, uint64_t now_ms, struct ttl_survey *ret)
{
	struct ttl_survey s = { .youngest_age_ms = UINT64_MAX };

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		int sw = policy_swappiness(p, m, gp);
		struct lrg_ttl_scope scope;
		enum lrg_ttl_verdict v;
		uint64_t age;

		if (!in_domain(m, d->root))
			continue;
		scope.below_min = below_min(m) || !m->slice->evict;
		/* a grower lrugend leaves to the kernel can still give */
		scope.evictable = (!m->exhausted || m->anon_to_kernel) &&
				  oldest_birth(m, sw) != UINT64_MAX;
		scope.protected_ttl = lrg_ttl_protected(&m->lv, sw > 0, now_ms, m->slice->min_ttl_ms);
		v = lrg_ttl_decide(true, &scope, 1);
		if (v == LRG_TTL_EVICT)
			s.any_evict = true;
		if (v != LRG_TTL_OOM)
			continue;
		s.refused++;
		age = lrg_ttl_oldest_age(&m->lv, sw > 0, now_ms);
		if (!s.youngest || age < s.youngest_age_ms) {
			s.youngest = m;
			s.youngest_age_ms = age;
		}
	}
	*ret = s;
}

/* The exhausted memcg of d with a min_ttl whose oldest generation is
 * youngest (*ret_age_ms its age), or NULL. */
static const struct pmemcg *youngest_exhausted(struct lrg_policy *p, const struct domain *d,
					       const struct lrg_pressure *gp, uint64_t now_ms,
					       uint64_t *ret_age_ms)
{
	const struct pmemcg *youngest = NULL;
	uint64_t youngest_age = UINT64_MAX;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		uint64_t age;

		if (!in_domain(m, d->root) || !m->exhausted || !m->slice->min_ttl_ms)
			continue;
		age = lrg_ttl_oldest_age(&m->lv, policy_swappiness(p, m, gp) > 0, now_ms);
		if (!youngest || age < youngest_age) {
			youngest = m;
			youngest_age = age;
		}
	}
	if (youngest)
		*ret_age_ms = youngest_age;
	return youngest;
}

/*
 * Who is left in d, and why, when reclaim fell short of its target: the
 * min_ttl decision for the domain. True when an OOM request was filed.
 */
static bool decide_ttl(struct lrg_policy *p, const struct domain *d,
		       const struct lrg_pressure *dp, const struct lrg_pressure *gp,
		       uint64_t now_ms, struct lrg_tick_result *tr)
{
	struct ttl_survey s;
	const struct pmemcg *ws;
	uint64_t age;
	bool exhausted = false;

	survey_ttl(p, d, gp, now_ms, &s);
	ws = s.any_evict ? NULL : s.youngest;
	age = s.youngest_age_ms;
	p->stats.ttl_refusals += s.refused;
	/*
	 * Nothing refused for min_ttl, but nothing left to evict either
	 * (swap full, or no swap and the file cache gone) while the
	 * domain stalls: the working set is already being lost, and the
	 * kernel's own OOM killer would only come after a long thrash.
	 * The stall evidence keeps this from firing on memory lrugend
	 * cannot see but the kernel can still reclaim (unmapped cache).
	 */
	if (!ws && !s.any_evict && exhausted_stall(dp, d->global)) {
		ws = youngest_exhausted(p, d, gp, now_ms, &age);
		exhausted = ws != NULL;
	}
	if (!ws)
		return false;
	return file_oom_request(p, d, dp, ws, age,
				exhausted ? "nothing left to evict while the domain stalls"
					  : "working set younger than min_ttl under pressure",
				NULL, tr);
}

/* Refaults per second between m's last two reads (0 without two). Each
 * memcg is read at its own pace: per second, so that one read 100 ms ago
 * and one read 2 s ago compare. */
static uint64_t refault_rate(const struct pmemcg *m)
{
	if (!m->pr_ok || !m->prev_ok || m->pr_ms <= m->prev_pr_ms ||
	    m->pr.refaults <= m->prev_refaults)
		return 0;
	return (m->pr.refaults - m->prev_refaults) * 1000 / (m->pr_ms - m->prev_pr_ms);
}

/* The memcg of d with a min_ttl whose working set comes back fastest
 * (refault_rate), else the youngest; *ret_age_ms the age of its oldest
 * generation. NULL when d has no min_ttl. */
static const struct pmemcg *most_refaulted(struct lrg_policy *p, const struct domain *d,
					   const struct lrg_pressure *gp, uint64_t now_ms,
					   uint64_t *ret_age_ms)
{
	const struct pmemcg *ws = NULL;
	uint64_t youngest = UINT64_MAX, most_back = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		uint64_t age, back = 0;

		if (!in_domain(m, d->root) || !m->slice->min_ttl_ms)
			continue;
		back = refault_rate(m);
		age = lrg_ttl_oldest_age(&m->lv, policy_swappiness(p, m, gp) > 0, now_ms);
		if (!ws || back > most_back || (back == most_back && age < youngest)) {
			ws = m;
			youngest = age;
			most_back = back;
		}
	}
	if (ws)
		*ret_age_ms = youngest;
	return ws;
}

/*
 * Eviction may still "succeed" while the domain thrashes: what it
 * takes is the working set, read back at once (no swap, only page
 * cache left; a working set read slowly because it thrashes looks
 * old). When half of what was reclaimed came back over the last
 * window and tasks are stalled on memory, the working set cannot be
 * kept: decide now, in a slice that has min_ttl, not after the
 * kernel's long thrash. t is d's thrash meter, thrashing.
 */
static void decide_thrash(struct lrg_policy *p, const struct domain *d,
			  const struct lrg_pressure *dp, const struct lrg_pressure *gp,
			  const struct lrg_thrash *t, uint64_t now_ms, struct lrg_tick_result *tr)
{
	const struct pmemcg *ws;
	uint64_t age = UINT64_MAX;
	char why[64];

	ws = most_refaulted(p, d, gp, now_ms, &age);
	snprintf(why, sizeof(why), "working set thrashing: %u%% refaulted, %u%% stalled",
		 t->pct > 999 ? 999 : t->pct, t->stall_pct);
	if (ws)
		file_oom_request(p, d, dp, ws, age, why, t, tr);
}

/*
 * The machine runs out of memory and swap within LRG_ACT_AHEAD_MS
 * (lrg_exhaustion_ahead), and has for EXHAUSTION_HOLD_MS: a runaway takes
 * whatever eviction frees, and the kernel's OOM killer acts before
 * lrugend, after eviction and a decision, would. Decide now, in a slice
 * that has min_ttl, whose working set the kernel's reclaim takes next;
 * true when a request was filed. The hold keeps a burst that stops at
 * once from being taken for a runaway.
 */
#define EXHAUSTION_HOLD_MS 200
static bool decide_exhaustion(struct lrg_policy *p, const struct domain *d,
			      const struct lrg_pressure *dp, const struct lrg_pressure *gp,
			      uint64_t now_ms, struct lrg_tick_result *tr)
{
	const struct pmemcg *ws;
	uint64_t age = UINT64_MAX;
	char why[80];

	ws = most_refaulted(p, d, gp, now_ms, &age);
	if (!ws)
		return false;
	snprintf(why, sizeof(why), "memory and swap run out within %u ms at the rate they fall",
		 LRG_ACT_AHEAD_MS);
	return file_oom_request(p, d, dp, ws, age, why, NULL, tr);
}

/*
 * Reclaim target pages from a domain, oldest generation first across its
 * memcgs. memory.min scopes are never taken from, memory.low ones only
 * when nothing else can give. With apply_ttl, a scope whose oldest
 * generation is younger than its slice's min_ttl is refused; if the
 * domain then cannot meet the target, an OOM request is filed; so is one
 * when the domain's working set thrashes.
 */
uint64_t policy_reclaim_domain(struct lrg_policy *p, const struct domain *d,
			       const struct lrg_pressure *dp, const struct lrg_pressure *gp,
			       uint64_t target, uint64_t now_ms, struct lrg_tick_result *tr)
{
	const struct lrg_thrash *t = d->root ? &d->root->thrash : &p->thrash;
	bool filed = false;
	uint64_t done;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		p->memcgs[i]->exhausted = false;
		p->memcgs[i]->anon_to_kernel = false;
	}
	/* the machine's meter is fed by every tick; a memcg's when it is a domain */
	if (d->apply_ttl && tr && d->root)
		policy_thrash_feed(p, &d->root->thrash, dp, now_ms);

	/* evicting to swap that runs out would only feed the runaway; the
	 * tick judged dp (the machine's figures) for exhaustion_since_ms */
	if (d->global && d->apply_ttl && tr && p->exhaustion_since_ms &&
	    now_ms >= p->exhaustion_since_ms + EXHAUSTION_HOLD_MS &&
	    decide_exhaustion(p, d, dp, gp, now_ms, tr))
		return 0;
	done = evict_oldest_first(p, d, gp, target, now_ms, tr);
	if (done < target && d->apply_ttl && tr)
		filed = decide_ttl(p, d, dp, gp, now_ms, tr);
	if (!filed && tr && lrg_thrashing(t))
		decide_thrash(p, d, dp, gp, t, now_ms, tr);
	return done;
}

/* Proactive: generations older than evict_min_age_ms go, pressure or not. */
void policy_proactive(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		      uint64_t now_ms, struct lrg_tick_result *tr)
{
	const struct lrg_slice_config *s = m->slice;
	const struct lrg_pressure *pr = m->pr_ok ? &m->pr : gp;
	int sw = policy_swappiness(p, m, gp);
	uint64_t dr = pr->refaults - m->last_refaults, ds = pr->pgsteal - m->last_pgsteal;

	m->last_refaults = pr->refaults;
	m->last_pgsteal = pr->pgsteal;
	if (!s->evict || !s->evict_min_age_ms || below_min(m) || below_low(m))
		return;
	/* back off while what we evicted keeps coming back */
	if (s->refault_ceiling_pct && ds && dr * 100 > ds * s->refault_ceiling_pct)
		return;
	for (int round = 0; round < (int)LRG_MAX_NR_GENS; round++) {
		int type = lrg_evict_type(&m->lv, sw);
		uint64_t next_birth, freed = 0, budget;

		if (type < 0)
			return;
		/* every page of gen min_seq was last seen young before the
		 * next generation was born */
		next_birth = m->lv.timestamps[lrg_gen_from_seq(m->lv.min_seq[type] + 1)];
		if (now_ms < next_birth + s->evict_min_age_ms)
			return;
		if (lrg_ttl_protected(&m->lv, sw > 0, now_ms, s->min_ttl_ms))
			return;
		budget = (uint64_t)m->lv.nr_pages[lrg_gen_from_seq(m->lv.min_seq[type])][type];
		if (policy_evict_from(p, m, sw, budget ? budget : 1, now_ms, &freed) < 0)
			return;
		m->evicted_since_read += freed;
		p->stats.pages_evicted += freed;
		tr->pages_evicted += freed;
	}
}

/*
 * The backend's synchronous reclaim hook: like the kernel's direct reclaim
 * running MGLRU, evict now, oldest first, from the memcg at its limit or
 * (LRG_ROOT_MEMCG) from the machine. min_ttl is not applied here, as in
 * the seeds, where only kswapd's lru_gen_age_node checks it: direct
 * reclaim must make progress or the allocation fails, and the OOM decision
 * belongs to the next tick. No allocation happens on this path.
 */
int policy_direct_reclaim(void *ctx, uint64_t memcg_id, uint64_t nr_pages,
			  uint64_t *ret_reclaimed)
{
	struct lrg_policy *p = ctx;
	struct lrg_backend *b = p->b;
	struct lrg_pressure gp;
	struct domain d = { .global = memcg_id == LRG_ROOT_MEMCG, .apply_ttl = false,
			    .may_grow = false };
	uint64_t got;
	int r = policy_lock(p);

	if (r < 0)
		return r;
	p->stats.direct_reclaims++;
	if (!d.global) {
		d.root = policy_find_memcg(p, memcg_id);
		if (!d.root) {
			policy_unlock(p);
			return -ENOENT;
		}
	}
	memset(&gp, 0, sizeof(gp));
	if (!b->ops->measure || b->ops->measure(b, LRG_ROOT_MEMCG, &gp) < 0)
		memset(&gp, 0, sizeof(gp));
	/* a fresh tick number: the once-a-tick aging may run here once */
	p->tick_no++;
	got = policy_reclaim_domain(p, &d, &gp, &gp, nr_pages, b->ops->now_ms(b), NULL);
	policy_unlock(p);
	*ret_reclaimed = got;
	return 0;
}
