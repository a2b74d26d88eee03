// SPDX-License-Identifier: GPL-2.0-only
/*
 * registry.c - the engine's memcgs and address spaces (policy_int.h):
 * a full refresh mirrors the backend's listing (new ones added, migrated
 * ones moved, exited and vanished ones dropped); process events add and
 * drop address spaces between refreshes, and mark the memcgs a partial
 * re-list must look at.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

const struct lrg_slice_config *policy_slice_of(struct lrg_policy *p, const struct pmemcg *m)
{
	const struct lrg_slice_config *s = lrg_config_match(&p->cfg, m->info.path);

	return s ? s : &p->cfg.defaults;
}

void policy_free_mm(struct pmm *e)
{
	lrg_pagemap_release(&e->priv.pm, &e->memcg->lv);
	lrg_mm_list_del(&e->mm);
	free(e);
}

/* ---- refresh ---- */

struct pmemcg *policy_find_memcg(struct lrg_policy *p, uint64_t id)
{
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		if (p->memcgs[i]->id == id)
			return p->memcgs[i];
	}
	return NULL;
}

/*
 * policy_find_memcg from where the last listed memcg was found: a listing
 * comes in the order of the last one, which is the array's, so each
 * lookup is one step instead of a scan of thousands.
 */
static struct pmemcg *find_listed_memcg(struct lrg_policy *p, uint64_t id)
{
	size_t n = p->nr_memcgs;

	for (size_t k = 0; k < n; k++) {
		size_t i = (p->list_hint + k) % n;

		if (p->memcgs[i]->id == id) {
			p->list_hint = i + 1;
			return p->memcgs[i];
		}
	}
	return NULL;
}

static int on_memcg(void *ctx, const struct lrg_memcg_info *info)
{
	struct lrg_policy *p = ctx;
	struct pmemcg *m = find_listed_memcg(p, info->id);

	if (!m) {
		if (p->nr_memcgs == p->cap_memcgs) {
			size_t cap = p->cap_memcgs ? p->cap_memcgs * 2 : 8;
			struct pmemcg **n = realloc(p->memcgs, cap * sizeof(*n));
			struct pmemcg **d;
			uint64_t *w;

			if (!n)
				return -ENOMEM;
			p->memcgs = n;
			d = realloc(p->due, cap * sizeof(*d));
			if (!d)
				return -ENOMEM;
			p->due = d;
			w = realloc(p->prot_want, cap * sizeof(*w));
			if (!w)
				return -ENOMEM;
			p->prot_want = w;
			p->cap_memcgs = cap;
		}
		m = calloc(1, sizeof(*m));
		if (!m)
			return -ENOMEM;
		m->id = info->id;
		lrg_mm_list_init(&m->list, info->id);
		/*
		 * What a memcg holds when we first see it at start-up is of
		 * unknown age: born at 0, old, as the kernel's zeroed
		 * timestamps make it. A memcg created later is born now.
		 */
		lrg_lruvec_init(&m->lv, info->id, 0,
				p->started ? p->b->ops->now_ms(p->b) : 0);
		m->aged_tick = UINT64_MAX;
		p->memcgs[p->nr_memcgs++] = m;
	}
	m->info = *info;
	m->slice = policy_slice_of(p, m);
	m->seen = true;
	return 0;
}

struct mm_ctx {
	struct lrg_policy *p;
	struct pmemcg *m;
	struct pmm **index;   /* existing entries sorted by key */
	struct pmm **by_pid;  /* the same sorted by (pid, start time) */
	size_t nr_index;
	size_t first_new;     /* p->mms[first_new..] were added this refresh */
};

static int cmp_pmm(const void *x, const void *y)
{
	uint64_t a = (*(struct pmm *const *)x)->mm.info.mm_key;
	uint64_t b = (*(struct pmm *const *)y)->mm.info.mm_key;

	return a < b ? -1 : a > b;
}

static int cmp_pmm_pid(const void *x, const void *y)
{
	const struct lrg_mm_info *a = &(*(struct pmm *const *)x)->mm.info;
	const struct lrg_mm_info *b = &(*(struct pmm *const *)y)->mm.info;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->start_time < b->start_time ? -1 : a->start_time > b->start_time;
}

/*
 * An entry added from a process event carries the key its describer
 * computed; should that ever differ from the backend's, the listing finds
 * the entry by its owner (pid and start time, which never repeat) and the
 * backend's key replaces it.
 */
static struct pmm *lookup_mm_owner(struct mm_ctx *c, const struct lrg_mm_info *info)
{
	size_t lo = 0, hi = c->nr_index;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct lrg_mm_info *k = &c->by_pid[mid]->mm.info;

		if (k->pid == info->pid && k->start_time == info->start_time)
			return c->by_pid[mid];
		if (k->pid < info->pid || (k->pid == info->pid && k->start_time < info->start_time))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct pmm *lookup_mm(struct mm_ctx *c, uint64_t key)
{
	size_t lo = 0, hi = c->nr_index;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t k = c->index[mid]->mm.info.mm_key;

		if (k == key)
			return c->index[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = c->first_new; i < c->p->nr_mms; i++) {
		if (c->p->mms[i]->mm.info.mm_key == key)
			return c->p->mms[i];
	}
	return NULL;
}

/* A new address space on m's list: walked whole by its first aging. */
static int add_mm(struct lrg_policy *p, struct pmemcg *m, const struct lrg_mm_info *info)
{
	struct pmm *e;

	if (p->nr_mms == p->cap_mms) {
		size_t cap = p->cap_mms ? p->cap_mms * 2 : 64;
		struct pmm **n = realloc(p->mms, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->mms = n;
		p->cap_mms = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	lrg_mm_init(&e->mm, info);
	e->mm.info.memcg_id = m->id;
	lrg_pagemap_init(&e->priv.pm);
	e->priv.last_run_stamp = info->run_stamp;
	e->mm.priv = &e->priv;
	e->memcg = m;
	e->seen = true;
	lrg_mm_set_ran(&e->mm);
	lrg_mm_list_add(&m->list, &e->mm);
	p->mms[p->nr_mms++] = e;
	return 0;
}

static int on_mm(void *ctx, const struct lrg_mm_info *info)
{
	struct mm_ctx *c = ctx;
	struct lrg_policy *p = c->p;
	struct pmm *e = lookup_mm(c, info->mm_key);

	if (!e && c->nr_index)
		e = lookup_mm_owner(c, info);
	if (e) {
		if (e->seen && e->memcg != c->m)
			return 0;   /* listed twice in one refresh: keep the first */
		if (info->run_stamp != e->priv.last_run_stamp)
			lrg_mm_set_ran(&e->mm);
		e->priv.last_run_stamp = info->run_stamp;
		e->mm.info = *info;
		if (e->memcg != c->m) {
			/*
			 * lru_gen_migrate_mm: its pages stay charged to the
			 * old memcg, which stops tracking them here; the new
			 * memcg walks it whole as a new mm and sees only
			 * what gets charged there.
			 */
			lrg_pagemap_release(&e->priv.pm, &e->memcg->lv);
			lrg_mm_list_migrate(&e->mm, &c->m->list);
			e->memcg = c->m;
		}
		e->seen = true;
		return 0;
	}
	return add_mm(p, c->m, info);
}

/*
 * List the address spaces of the memcgs seen by the last memcg listing
 * (only the marked ones if only_marked), adding and updating entries and
 * setting their seen flags.
 */
static int list_mms_locked(struct lrg_policy *p, bool only_marked)
{
	struct lrg_backend *b = p->b;
	struct mm_ctx c = { .p = p };
	int r = 0;

	for (size_t i = 0; i < p->nr_mms; i++)
		p->mms[i]->seen = false;
	c.nr_index = p->nr_mms;
	c.first_new = p->nr_mms;
	if (p->nr_mms) {
		c.index = malloc(p->nr_mms * sizeof(*c.index));
		if (!c.index)
			return -ENOMEM;
		memcpy(c.index, p->mms, p->nr_mms * sizeof(*c.index));
		qsort(c.index, c.nr_index, sizeof(*c.index), cmp_pmm);
		c.by_pid = malloc(p->nr_mms * sizeof(*c.by_pid));
		if (!c.by_pid) {
			free(c.index);
			return -ENOMEM;
		}
		memcpy(c.by_pid, p->mms, p->nr_mms * sizeof(*c.by_pid));
		qsort(c.by_pid, c.nr_index, sizeof(*c.by_pid), cmp_pmm_pid);
	}
	for (size_t i = 0; i < p->nr_memcgs && r >= 0; i++) {
		if (!p->memcgs[i]->seen || (only_marked && !p->memcgs[i]->marked))
			continue;
		if (p->memcgs[i]->info.idle && !only_marked)
			continue;   /* nothing lives there: no address space */
		c.m = p->memcgs[i];
		r = b->ops->list_mms(b, c.m->id, on_mm, &c);
		if (r >= 0)
			c.m->listed_since_aging = true;
		if (r == -ENOENT && only_marked) {
			/* the memcg went since the last full listing */
			p->relist_all = true;
			r = 0;
		}
	}
	free(c.index);
	free(c.by_pid);
	return r;
}

static void clear_marks(struct lrg_policy *p)
{
	for (size_t i = 0; i < p->nr_memcgs; i++)
		p->memcgs[i]->marked = false;
	p->nr_marked = 0;
	p->relist_all = false;
}

static int refresh_locked(struct lrg_policy *p)
{
	struct lrg_backend *b = p->b;
	int r = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++)
		p->memcgs[i]->seen = false;
	p->list_hint = 0;

	if (lrg_backend_has(b, LRG_CAP_MEMCG) && b->ops->list_memcgs) {
		r = b->ops->list_memcgs(b, on_memcg, p);
	} else {
		struct lrg_memcg_info root;

		memset(&root, 0, sizeof(root));
		root.id = LRG_ROOT_MEMCG;
		strcpy(root.path, "/");
		root.high = root.max = root.swap_max = UINT64_MAX;
		r = on_memcg(p, &root);
	}
	if (r < 0)
		goto out;

	r = list_mms_locked(p, false);
	if (r < 0)
		goto out;

	/* exited address spaces, then vanished memcgs (now without mms) */
	for (size_t i = 0; i < p->nr_mms;) {
		if (p->mms[i]->seen) {
			i++;
			continue;
		}
		policy_free_mm(p->mms[i]);
		p->mms[i] = p->mms[--p->nr_mms];
	}
	for (size_t i = 0; i < p->nr_memcgs;) {
		struct pmemcg *m = p->memcgs[i];

		if (m->seen || m->list.nr_mms) {
			i++;
			continue;
		}
		lrg_mm_list_destroy(&m->list);
		free(m);
		p->memcgs[i] = p->memcgs[--p->nr_memcgs];
	}
	clear_marks(p);
	p->started = true;
	p->stats.refreshes++;
out:
	return r;
}

int lrg_policy_refresh(struct lrg_policy *p, uint64_t now_ms)
{
	int r = policy_lock(p);

	if (r < 0)
		return r;
	r = refresh_locked(p);
	policy_unlock(p);
	return r;
}

/* ---- live updates (process events) ---- */

static struct pmm *find_mm_pid(struct lrg_policy *p, pid_t pid, uint64_t start_time, size_t *ret_i)
{
	for (size_t i = 0; i < p->nr_mms; i++) {
		struct pmm *e = p->mms[i];

		if (e->mm.info.pid == pid && e->mm.info.start_time == start_time) {
			*ret_i = i;
			return e;
		}
	}
	return NULL;
}

/* The deepest listed memcg whose path is cgroup or one of its ancestors. */
static struct pmemcg *memcg_of_path(struct lrg_policy *p, const char *cgroup)
{
	struct pmemcg *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		size_t n = strcmp(m->info.path, "/") ? strlen(m->info.path) : 0;

		if (!m->seen)
			continue;
		if (n && (strncmp(cgroup, m->info.path, n) || (cgroup[n] && cgroup[n] != '/')))
			continue;
		if (!best || n > best_len) {
			best = m;
			best_len = n;
		}
	}
	return best;
}

static void mark(struct lrg_policy *p, struct pmemcg *m)
{
	if (!m) {
		p->relist_all = true;
		return;
	}
	if (!m->marked) {
		m->marked = true;
		p->nr_marked++;
	}
}

void lrg_policy_proc_event(struct lrg_policy *p, enum lrg_policy_proc_event ev, pid_t pid,
			   uint64_t start_time, const char *cgroup, const struct lrg_mm_info *mm)
{
	struct pmemcg *m = NULL;
	struct pmm *e;
	size_t i;

	if (policy_lock(p) < 0)
		return;
	if (!p->started)
		goto out;   /* the first full listing is still to come */
	e = find_mm_pid(p, pid, start_time, &i);
	if (ev == LRG_POLICY_PROC_NEW && e)
		goto out;   /* listed already */
	if (e) {
		/* exit, or exec: the address space is gone */
		m = e->memcg;
		policy_free_mm(e);
		p->mms[i] = p->mms[--p->nr_mms];
		p->stats.mms_dropped_live++;
	}
	if (ev == LRG_POLICY_PROC_EXIT)
		goto out;
	if (!lrg_backend_has(p->b, LRG_CAP_MEMCG) || !p->b->ops->list_memcgs) {
		m = policy_find_memcg(p, LRG_ROOT_MEMCG);
	} else if (cgroup) {
		struct pmemcg *c = memcg_of_path(p, cgroup);

		m = c;   /* NULL: a memcg we do not know yet: a full re-list */
	}
	if (m && mm && mm->pid == pid && mm->start_time == start_time) {
		if (add_mm(p, m, mm) == 0) {
			p->stats.mms_added_live++;
			goto out;
		}
	}
	mark(p, m);
out:
	policy_unlock(p);
}

bool lrg_policy_relist_pending(const struct lrg_policy *p)
{
	struct lrg_policy *q = (struct lrg_policy *)p;
	bool r;

	if (policy_lock(q) < 0)
		return p->relist_all || p->nr_marked;
	r = p->relist_all || p->nr_marked;
	policy_unlock(q);
	return r;
}

int lrg_policy_refresh_marked(struct lrg_policy *p, uint64_t now_ms)
{
	int r = policy_lock(p);

	if (r < 0)
		return r;
	if (!p->started || p->relist_all) {
		r = refresh_locked(p);
	} else if (p->nr_marked) {
		r = list_mms_locked(p, true);
		if (r >= 0 && p->relist_all)
			r = refresh_locked(p);
		else if (r >= 0) {
			clear_marks(p);
			p->stats.relists++;
		}
	}
	policy_unlock(p);
	return r < 0 ? r : 0;
}

int lrg_policy_foreach_mm(const struct lrg_policy *p, lrg_policy_mm_fn fn, void *ctx)
{
	struct lrg_policy *q = (struct lrg_policy *)p;
	int r = policy_lock(q);

	if (r < 0)
		return r;
	for (size_t i = 0; i < p->nr_mms && r >= 0; i++)
		r = fn(ctx, p->mms[i]->memcg->id, &p->mms[i]->mm.info);
	policy_unlock(q);
	return r < 0 ? r : 0;
}
