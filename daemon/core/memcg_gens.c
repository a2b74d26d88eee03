// SPDX-License-Identifier: GPL-2.0-only
/*
 * memcg_gens.c - one memcg's generations (policy_int.h): age them (a walk
 * of its address spaces, or the kernel's own aging mirrored back), evict
 * from the oldest (through the kernel's generations, lrugend's own, or
 * the backend's plain reclaim), and the swappiness that decides whether
 * anon takes part.
 */
#include <errno.h>
#include <string.h>

#include "policy_int.h"

/* vm.swappiness when the slice says "the kernel's" and we cannot ask. */
#define DEFAULT_SWAPPINESS 60

/* get_swappiness: 0 without swap, so anon is never aged or evicted then. */
int policy_swappiness(const struct lrg_policy *p, const struct pmemcg *m,
		      const struct lrg_pressure *gp)
{
	int sw = m->slice->swappiness < 0 ? DEFAULT_SWAPPINESS : m->slice->swappiness;
	uint64_t swap_free = gp->swap_free;

	if (m->info.swap_max != UINT64_MAX && m->info.swap_max) {
		uint64_t left = m->info.swap_max > m->info.swap_current ?
				m->info.swap_max - m->info.swap_current : 0;

		if (left < swap_free)
			swap_free = left;
	} else if (m->info.swap_max == 0 && m->id != LRG_ROOT_MEMCG &&
		   lrg_backend_has(p->b, LRG_CAP_MEMCG)) {
		swap_free = 0;
	}
	if (swap_free >> LRG_PAGE_SHIFT < LRG_MIN_LRU_BATCH)
		return 0;
	return sw > 200 ? 200 : sw;
}

/* Mirror the kernel's generations into m->lv (LRG_CAP_KERNEL_GENS). */
int policy_mirror_gens(struct lrg_policy *p, struct pmemcg *m, uint64_t now_ms)
{
	struct lrg_kernel_gens kg;
	int r = p->b->ops->read_gens(p->b, m->id, 0, &kg);

	if (r < 0)
		return r;
	memset(m->lv.nr_pages, 0, sizeof(m->lv.nr_pages));
	m->lv.max_seq = kg.max_seq;
	m->lv.min_seq[0] = kg.min_seq[0];
	m->lv.min_seq[1] = kg.min_seq[1];
	for (int i = 0; i < kg.nr_gens && i < (int)LRG_MAX_NR_GENS; i++) {
		unsigned int g = lrg_gen_from_seq(kg.gens[i].seq);

		m->lv.timestamps[g] = now_ms > kg.gens[i].age_ms ? now_ms - kg.gens[i].age_ms : 0;
		m->lv.nr_pages[g][0] = (int64_t)kg.gens[i].nr_pages[0];
		m->lv.nr_pages[g][1] = (int64_t)kg.gens[i].nr_pages[1];
	}
	return 0;
}

int policy_age_memcg(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		     uint64_t now_ms, bool may_grow, struct lrg_tick_result *tr)
{
	int sw = policy_swappiness(p, m, gp);
	struct lrg_aging_args args = {
		.lv = &m->lv, .list = &m->list, .node = 0,
		.can_swap = sw > 0, .may_grow = may_grow, .now_ms = now_ms,
		.force_scan = p->force_scan,
	};
	struct lrg_aging_result res;
	uint64_t before = m->lv.max_seq;
	int r;

	m->aged_tick = p->tick_no;
	p->stats.aging_passes++;
	if (kernel_gens(p)) {
		r = p->b->ops->age(p->b, m->id, 0, m->lv.max_seq, sw > 0, false);
		if (r < 0)
			return r;
		r = policy_mirror_gens(p, m, now_ms);
		if (r < 0)
			return r;
		if (m->lv.max_seq > before) {
			p->stats.gens_created += m->lv.max_seq - before;
			if (tr)
				tr->gens_created += m->lv.max_seq - before;
		}
		return 0;
	}
	/* no listing since the last aging: which address spaces ran is not
	 * known, and this walk takes none that did not run by the last one */
	m->aged_blind = m->list.nr_mms && !m->listed_since_aging;
	m->listed_since_aging = false;
	r = lrg_try_to_inc_max_seq(&p->aging, &args, m->lv.max_seq, &res);
	if (r < 0)
		return r;
	p->stats.harvests += res.harvests;
	p->stats.harvests_contended += res.contended;
	p->stats.pte_total += res.stats[LRG_MM_PTE_TOTAL];
	p->stats.pte_young += res.stats[LRG_MM_PTE_YOUNG];
	p->stats.pmd_total += res.stats[LRG_MM_PMD_TOTAL];
	p->stats.pmd_found += res.stats[LRG_MM_PMD_FOUND];
	p->stats.pmd_added += res.stats[LRG_MM_PMD_ADDED];
	if (res.created) {
		p->stats.gens_created++;
		if (tr)
			tr->gens_created++;
	}
	return 0;
}

/* Evict up to budget pages from m's oldest generations; pages freed. */
int policy_evict_from(struct lrg_policy *p, struct pmemcg *m, int sw, uint64_t budget,
		      uint64_t now_ms, uint64_t *ret_freed)
{
	struct lrg_backend *b = p->b;
	int r;

	*ret_freed = 0;
	if (p->cfg.daemon.dry_run)
		return -EAGAIN;
	if (kernel_gens(p)) {
		int type = lrg_evict_type(&m->lv, sw);
		uint64_t before = lrg_lruvec_total(&m->lv, 0) + lrg_lruvec_total(&m->lv, 1);
		uint64_t after;

		if (type < 0)
			return -EAGAIN;
		r = b->ops->evict_gen(b, m->id, 0, m->lv.min_seq[type], sw, budget);
		p->stats.evict_calls++;
		if (r < 0)
			return r;
		r = policy_mirror_gens(p, m, now_ms);
		if (r < 0)
			return r;
		after = lrg_lruvec_total(&m->lv, 0) + lrg_lruvec_total(&m->lv, 1);
		*ret_freed = before > after ? before - after : 0;
		return 0;
	}
	if (!b->ops->evict || !lrg_backend_has(b, LRG_CAP_EVICT_PAGES)) {
		uint64_t bytes = 0;

		if (!b->ops->reclaim || !lrg_backend_has(b, LRG_CAP_RECLAIM))
			return -EOPNOTSUPP;
		r = b->ops->reclaim(b, m->id, budget << LRG_PAGE_SHIFT, &bytes);
		p->stats.evict_calls++;
		if (r < 0)
			return r;
		*ret_freed = bytes >> LRG_PAGE_SHIFT;
		return 0;
	}
	{
		struct lrg_evict_args args = {
			.lv = &m->lv, .list = &m->list, .node = 0, .swappiness = sw, .now_ms = now_ms,
		};
		struct lrg_evict_result res;

		r = lrg_evict_pages(&p->evict, &args, budget, &res);
		p->stats.evict_calls += res.calls;
		p->stats.harvests += res.look.harvests;
		p->stats.pte_total += res.look.stats[LRG_MM_PTE_TOTAL];
		p->stats.pte_young += res.look.stats[LRG_MM_PTE_YOUNG];
		if (r < 0 && r != -EAGAIN)
			return r;
		*ret_freed = res.evicted;
		/* progress is pages leaving the generations, freed or not */
		return res.forgotten || res.promoted ? 0 : -EAGAIN;
	}
}
