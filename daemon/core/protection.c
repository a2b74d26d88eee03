// SPDX-License-Identifier: GPL-2.0-only
/*
 * protection.c - the engine's kernel-enforced working-set protection
 * (protect.h has the figures): each memcg of a slice with min_ttl_ms and
 * protect_memory wants its established working set; the wants are capped
 * to daemon.protect_cap_pct of the machine; each memcg's memory.min is
 * then its own want plus its descendants' (cgroup v2 grants a child no
 * more than its ancestors hold, so the whole ancestry carries the sum),
 * never below what it had before lrugend wrote it. Released (the value
 * before restored) when nothing below wants protection any more, and on
 * exit.
 */
#include <errno.h>
#include <string.h>

#include "policy_int.h"
#include "protect.h"

/* How often the wants are recomputed and written: the working set moves
 * on the aging's time scale (a second or more), not every 100 ms tick. */
#define LRG_PROTECT_PERIOD_MS 1000

static bool can_protect(const struct lrg_policy *p)
{
	return p->b->ops->protect && lrg_backend_has(p->b, LRG_CAP_MEMCG) &&
	       p->cfg.daemon.protect_cap_pct > 0;
}

static bool writable(const struct pmemcg *m)
{
	return m->id != LRG_ROOT_MEMCG && strcmp(m->info.path, "/");
}

/*
 * The bytes of m in use within its slice's min_ttl (at least
 * LRG_PROTECT_MIN_WINDOW_MS): its young generations, and without swap its
 * anonymous memory as a whole, which the aging then leaves out
 * (LRG_HARVEST_NO_ANON) and the kernel cannot reclaim either, but which
 * counts in the usage memory.min is weighed against.
 */
static uint64_t working_set(const struct lrg_policy *p, const struct pmemcg *m,
			    const struct lrg_pressure *gp, uint64_t now_ms)
{
	uint32_t window = m->slice->min_ttl_ms;
	uint64_t wss;

	if (window < LRG_PROTECT_MIN_WINDOW_MS)
		window = LRG_PROTECT_MIN_WINDOW_MS;
	wss = lrg_protect_wss(&m->lv, now_ms, window);
	if (policy_swappiness(p, m, gp) == 0)
		wss += m->info.anon;
	return wss;
}

/* Each memcg's want for now, capped, into p->prot_want (same order). */
static void compute_wants(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
			  uint64_t now_ms)
{
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		const struct lrg_slice_config *s = m->slice;
		uint64_t wss;

		if (!s || !s->min_ttl_ms || !s->protect_memory || !writable(m)) {
			memset(&m->prot, 0, sizeof(m->prot));
			m->prot_sampled_ms = 0;
			p->prot_want[i] = 0;
			continue;
		}
		if (m->aged_blind && m->list.nr_mms && m->prot_sampled_ms && now_ms >= m->prot_sampled_ms &&
		    now_ms - m->prot_sampled_ms < 2 * LRG_PROTECT_SLOT_MS) {
			/*
			 * Its last aging walked nothing that ran since the one
			 * before (no listing came between): pages in steady
			 * use are a generation further behind than they are
			 * old, two such agings put them in the oldest one,
			 * which is not counted, and a sample of 0 would hold
			 * as the smallest working set for 30 s. The want
			 * stands until an aging that knows, 10 s at most (a
			 * memcg whose listing keeps failing is sampled anyway).
			 */
			p->prot_want[i] = m->prot.want;
			/* the pressure still counts for the hold of a later fall */
			if (gpress)
				m->prot.pressure_ms = now_ms ? now_ms : 1;
		} else {
			wss = working_set(p, m, gp, now_ms);
			p->prot_want[i] = lrg_protect_step(&m->prot, wss, gpress, now_ms);
			m->prot_sampled_ms = now_ms ? now_ms : 1;
		}
		if (p->prot_want[i] < LRG_PROTECT_MIN_BYTES)
			p->prot_want[i] = 0;
	}
	lrg_protect_cap(p->prot_want, p->nr_memcgs,
			lrg_protect_cap_bytes(gp->mem_total, p->cfg.daemon.protect_cap_pct));
}

/* m's own want plus every descendant's. */
static uint64_t claim_of(const struct lrg_policy *p, const struct pmemcg *m)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++)
		if (p->prot_want[i] && in_domain(p->memcgs[i], m))
			sum += p->prot_want[i];
	return sum;
}

/* Write target as m's memory.min; 0 or a negative errno. */
static int write_min(struct lrg_policy *p, struct pmemcg *m, uint64_t target)
{
	int r = p->b->ops->protect(p->b, m->id, target);

	if (r < 0) {
		p->stats.protect_errors++;
		return r;
	}
	p->stats.protect_writes++;
	m->prot_written = target;
	m->info.min = target;
	return 0;
}

/* Give m back the memory.min it had before lrugend wrote it. */
static void release(struct lrg_policy *p, struct pmemcg *m)
{
	if (m->prot_ours && write_min(p, m, m->prot_orig) == 0)
		m->prot_ours = false;
}

static void apply(struct lrg_policy *p, struct pmemcg *m, uint64_t claim)
{
	uint64_t target;

	if (!claim) {
		release(p, m);
		return;
	}
	/* Not lrugend's yet, or someone else (systemd applying a unit's
	 * MemoryMin=) wrote it since: that is the value to come back to. */
	if (!m->prot_ours || m->info.min != m->prot_written) {
		m->prot_orig = m->info.min;
		m->prot_written = m->info.min;
		m->prot_ours = true;
	}
	target = claim > m->prot_orig ? claim : m->prot_orig;
	if (lrg_protect_changed(m->prot_written, target, m->prot_orig))
		write_min(p, m, target);
}

/* A kernel OOM kill while lrugend guards a working set is one lrugend did
 * not prevent: counted, to be driven to zero. */
static void count_kernel_kills(struct lrg_policy *p, const struct lrg_pressure *gp, bool guarding)
{
	if (guarding && p->prot_oom_known && gp->oom_kills > p->prot_oom_kills)
		p->stats.kernel_oom_kills_guarded += gp->oom_kills - p->prot_oom_kills;
	p->prot_oom_kills = gp->oom_kills;
	p->prot_oom_known = true;
}

/*
 * What lrugend's own eviction leaves in m: the working sets lrugend
 * guards there, not memory.min as found. A user may write any
 * memory.min in a subtree delegated to them; the kernel bounds it by
 * the parent's, lrugend must not take it on trust either.
 */
uint64_t policy_protected_claim(const struct pmemcg *m)
{
	return m->prot_ours ? m->prot_claim : 0;
}

/*
 * The page cache the protected working sets keep from the kernel's
 * reclaim, at least: of each memcg's file memory, what remains if the
 * charge above lrugend's guard were all page cache. MemAvailable counts
 * it, a runaway cannot have it. What a user wrote as memory.min is not
 * counted: the kernel bounds it by the parent's, and lrugend's view of
 * the machine's headroom must not rest on it.
 */
static uint64_t protected_file(const struct lrg_policy *p)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		const struct pmemcg *m = p->memcgs[i];
		uint64_t guard = policy_protected_claim(m), above, held;

		if (!guard || !p->prot_want[i])
			continue;
		above = m->info.current > guard ? m->info.current - guard : 0;
		held = m->info.file > above ? m->info.file - above : 0;
		sum += held < p->prot_want[i] ? held : p->prot_want[i];
	}
	return sum;
}

void policy_protect(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
		    uint64_t now_ms)
{
	uint64_t total = 0;

	if (!can_protect(p)) {
		/* protect_cap_pct = 0 (a reload) takes back what was written */
		if (p->prot_ms)
			policy_release_protection(p);
		p->prot_ms = 0;
		return;
	}
	if (!gp->mem_total)
		return;
	if (p->prot_ms && now_ms >= p->prot_ms && now_ms - p->prot_ms < LRG_PROTECT_PERIOD_MS)
		return;
	p->prot_ms = now_ms ? now_ms : 1;
	compute_wants(p, gpress, gp, now_ms);
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];

		total += p->prot_want[i];
		m->prot_own = p->prot_want[i];
		m->prot_claim = writable(m) ? claim_of(p, m) : 0;
		if (writable(m))
			apply(p, m, m->prot_claim);
	}
	p->stats.protected_bytes = total;
	p->prot_file = protected_file(p);
	p->stats.protected_file_bytes = p->prot_file;
	count_kernel_kills(p, gp, total > 0);
}

uint64_t policy_protected_bytes(const struct lrg_policy *p, const struct pmemcg *m)
{
	return m->prot_ours ? m->prot_own : 0;
}

void policy_release_protection(struct lrg_policy *p)
{
	for (size_t i = 0; i < p->nr_memcgs; i++)
		release(p, p->memcgs[i]);
	p->stats.protected_bytes = 0;
	p->stats.protected_file_bytes = 0;
	p->prot_file = 0;
}
