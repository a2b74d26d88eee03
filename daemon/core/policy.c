// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - the engine behind lrg_policy.h: per memcg an mm list, an
 * lruvec (one node) and the slice config; refresh mirrors the backend's
 * memcgs and address spaces; tick ages where due, evicts where under
 * pressure (oldest generation first, across the OOM domain), evicts
 * proactively where configured, and turns min_ttl refusals into OOM
 * requests for the caller. policy_int.h says which file does which part;
 * this one holds the engine's life: construction, config, the lock and
 * the readers.
 *
 * Allocation: refresh and the aging of new regions allocate; nothing on
 * the eviction path does. The scratch buffers of aging and eviction are
 * allocated in lrg_policy_new, and the direct reclaim hook ages (when it
 * must) without growing any pagemap: in a (simulated) kernel out of
 * memory, the reclaimer asks for no memory itself.
 *
 * Locking: one mutex serialises refresh, tick, direct reclaim and the
 * readers. The direct reclaim hook called from inside one of our own
 * backend calls (the backend faulted while we were evicting) gets -EDEADLK
 * instead of a deadlock: the backend then falls back on its own reclaim,
 * as the seeds' reclaim does not recurse (PF_MEMALLOC).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define POLICY_MAX_RANGES 512

int policy_lock(struct lrg_policy *p)
{
	if (__atomic_load_n(&p->held, __ATOMIC_ACQUIRE) && pthread_equal(p->owner, pthread_self()))
		return -EDEADLK;
	pthread_mutex_lock(&p->lock);
	p->owner = pthread_self();
	__atomic_store_n(&p->held, true, __ATOMIC_RELEASE);
	return 0;
}

void policy_unlock(struct lrg_policy *p)
{
	__atomic_store_n(&p->held, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&p->lock);
}

/* ---- construction ---- */

int lrg_policy_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_policy **ret)
{
	struct lrg_policy *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	r = lrg_config_dup(cfg, &p->cfg);
	if (r < 0) {
		free(p);
		return r;
	}
	p->b = b;
	r = lrg_aging_init(&p->aging, b, POLICY_MAX_RANGES);
	if (r < 0)
		goto fail_cfg;
	r = lrg_evict_init(&p->evict, b, &p->aging, POLICY_MAX_RANGES);
	if (r < 0)
		goto fail_aging;
	pthread_mutex_init(&p->lock, NULL);
	b->direct_reclaim = policy_direct_reclaim;
	b->direct_reclaim_ctx = p;
	*ret = p;
	return 0;
fail_aging:
	lrg_aging_destroy(&p->aging);
fail_cfg:
	lrg_config_free(&p->cfg);
	free(p);
	return r;
}

void lrg_policy_free(struct lrg_policy *p)
{
	if (!p)
		return;
	if (p->b->direct_reclaim_ctx == p) {
		p->b->direct_reclaim = NULL;
		p->b->direct_reclaim_ctx = NULL;
	}
	policy_release_protection(p);
	for (size_t i = 0; i < p->nr_mms; i++)
		policy_free_mm(p->mms[i]);
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		lrg_mm_list_destroy(&p->memcgs[i]->list);
		free(p->memcgs[i]);
	}
	free(p->mms);
	free(p->memcgs);
	free(p->due);
	free(p->prot_want);
	lrg_evict_destroy(&p->evict);
	lrg_aging_destroy(&p->aging);
	lrg_config_free(&p->cfg);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int lrg_policy_set_config(struct lrg_policy *p, const struct lrg_config *cfg)
{
	struct lrg_config fresh;
	int r = lrg_config_dup(cfg, &fresh);

	if (r < 0)
		return r;
	r = policy_lock(p);
	if (r < 0) {
		lrg_config_free(&fresh);
		return r;
	}
	lrg_config_free(&p->cfg);
	p->cfg = fresh;
	/* the old slice pointers died with the old config */
	for (size_t i = 0; i < p->nr_memcgs; i++)
		p->memcgs[i]->slice = policy_slice_of(p, p->memcgs[i]);
	policy_unlock(p);
	return 0;
}

void lrg_policy_set_stall_wakes(struct lrg_policy *p, bool on)
{
	p->stall_wakes = on;
}

void lrg_policy_note_stall(struct lrg_policy *p)
{
	p->stall_noted = true;
	/* the next tick reads the machine's counters and PSI, not its
	 * memory alone */
	p->machine_full_ms = 0;
}

void lrg_policy_set_force_scan(struct lrg_policy *p, bool on)
{
	p->force_scan = on;
}

void lrg_policy_get_stats(const struct lrg_policy *p, struct lrg_policy_stats *ret)
{
	struct lrg_policy *q = (struct lrg_policy *)p;

	if (policy_lock(q) < 0) {
		*ret = p->stats;
		return;
	}
	*ret = p->stats;
	policy_unlock(q);
}

int lrg_policy_foreach_gens(const struct lrg_policy *p, uint64_t now_ms, lrg_gens_fn fn, void *ctx)
{
	struct lrg_policy *q = (struct lrg_policy *)p;
	int r = policy_lock(q);

	if (r < 0)
		return r;
	for (size_t i = 0; i < p->nr_memcgs && r >= 0; i++) {
		const struct pmemcg *m = p->memcgs[i];
		const struct lrg_lruvec *lv = &m->lv;
		uint64_t lo = lv->min_seq[0] < lv->min_seq[1] ? lv->min_seq[0] : lv->min_seq[1];
		struct lrg_gens_view v;

		memset(&v, 0, sizeof(v));
		v.memcg_id = m->id;
		v.path = m->info.path;
		v.slice = m->slice->name;
		v.max_seq = lv->max_seq;
		v.min_seq[0] = lv->min_seq[0];
		v.min_seq[1] = lv->min_seq[1];
		v.nr_mms = m->list.nr_mms;
		v.protected_bytes = policy_protected_bytes(p, m);
		for (uint64_t seq = lo; seq <= lv->max_seq && v.nr_gens < (int)LRG_MAX_NR_GENS; seq++) {
			unsigned int g = lrg_gen_from_seq(seq);

			v.gens[v.nr_gens].seq = seq;
			v.gens[v.nr_gens].age_ms = now_ms > lv->timestamps[g] ? now_ms - lv->timestamps[g] : 0;
			for (int t = 0; t < LRG_NR_TYPES; t++)
				v.gens[v.nr_gens].nr_pages[t] =
					seq >= lv->min_seq[t] && lv->nr_pages[g][t] > 0 ?
					(uint64_t)lv->nr_pages[g][t] : 0;
			v.nr_gens++;
		}
		r = fn(ctx, &v);
	}
	policy_unlock(q);
	return r < 0 ? r : 0;
}
