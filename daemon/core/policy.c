// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - the engine behind lrg_policy.h: per memcg an mm list, an
 * lruvec (one node) and the slice config; refresh mirrors the backend's
 * memcgs and address spaces; tick ages where due, evicts where under
 * pressure (oldest generation first, across the OOM domain), evicts
 * proactively where configured, and turns min_ttl refusals into OOM
 * requests for the caller.
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
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aging.h"
#include "evict.h"
#include "lrg_policy.h"
#include "lruvec.h"
#include "mmlist.h"
#include "ttl.h"

#define POLICY_MAX_RANGES 512
/* vm.swappiness when the slice says "the kernel's" and we cannot ask. */
#define DEFAULT_SWAPPINESS 60
/* Eviction rounds per domain and tick: bounds a tick's work. */
#define MAX_ROUNDS 256

struct pmemcg {
	uint64_t id;
	struct lrg_memcg_info info;
	const struct lrg_slice_config *slice;
	struct lrg_mm_list list;
	struct lrg_lruvec lv;
	struct lrg_pressure pr;
	bool pr_ok;
	uint64_t pr_ms;           /* when pr was measured (0: never) */
	uint64_t pr_tick;         /* in which tick (measure_memcgs) */
	bool seen;
	bool marked;              /* events since the last listing: re-list it */
	uint64_t aged_tick;       /* tick number of the last aging */
	uint64_t aged_stamp;      /* p->age_stamp at the last aging by time: 0 never */
	uint64_t last_refaults, last_pgsteal;
	struct lrg_thrash thrash;  /* this memcg as an OOM domain */
	/* its counters when last taken out of the machine's (own_domain) */
	uint64_t out_refaults, out_pgsteal, out_full_us;
	bool out_valid;
	/* per-round scratch of reclaim_domain */
	bool exhausted;
};

struct pmm {
	struct lrg_mm mm;
	struct lrg_mm_priv priv;
	struct pmemcg *memcg;
	bool seen;
};

struct lrg_policy {
	struct lrg_backend *b;
	struct lrg_config cfg;
	struct pmemcg **memcgs;
	size_t nr_memcgs, cap_memcgs;
	struct pmm **mms;
	size_t nr_mms, cap_mms;
	struct pmemcg **due;      /* tick scratch: memcgs due for aging (cap_memcgs) */
	bool relist_all;          /* an event no memcg could take: full refresh */
	size_t nr_marked;
	uint64_t age_stamp;
	struct lrg_aging aging;
	struct lrg_evict evict;
	struct lrg_policy_stats stats;
	struct lrg_thrash thrash;  /* the machine as an OOM domain */
	/* what the memcgs that are OOM domains of their own reclaimed and
	 * got back since they became one (machine_figures) */
	uint64_t out_refaults, out_pgsteal;
	/* the machine's counters without those, never going back */
	uint64_t own_refaults, own_pgsteal, own_full_us;
	uint64_t last_full_us;     /* the machine's PSI full total at the last fold */
	uint64_t measured_ms;      /* the memcgs' figures were read then */
	bool continuing;           /* the last tick deferred aging to the next */
	bool force_scan;   /* benchmarks: walk every mm whole, no Bloom filters */
	pthread_mutex_t lock;
	pthread_t owner;
	bool held;
	bool started;
	uint64_t tick_no;
};

static int policy_lock(struct lrg_policy *p)
{
	if (__atomic_load_n(&p->held, __ATOMIC_ACQUIRE) && pthread_equal(p->owner, pthread_self()))
		return -EDEADLK;
	pthread_mutex_lock(&p->lock);
	p->owner = pthread_self();
	__atomic_store_n(&p->held, true, __ATOMIC_RELEASE);
	return 0;
}

static void policy_unlock(struct lrg_policy *p)
{
	__atomic_store_n(&p->held, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&p->lock);
}

static const struct lrg_slice_config *slice_of(struct lrg_policy *p, const struct pmemcg *m)
{
	const struct lrg_slice_config *s = lrg_config_match(&p->cfg, m->info.path);

	return s ? s : &p->cfg.defaults;
}

/* get_swappiness: 0 without swap, so anon is never aged or evicted then. */
static int swappiness_of(const struct lrg_policy *p, const struct pmemcg *m,
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

/*
 * memory.min / memory.low as the memcg's own values against its usage.
 * Michal Hocko's point on the seeds (mem_cgroup_below_min needs the
 * effective protection of the reclaimed hierarchy) applies: a child's
 * protection is capped by its parent's and shared among siblings. The
 * backend reports only the configured values; computing the effective
 * ones from the paths is a TODO, so a child claiming more than its parent
 * grants is over-protected here (never under-protected).
 */
static bool below_min(const struct pmemcg *m)
{
	return m->info.min && m->info.current <= m->info.min;
}

static bool below_low(const struct pmemcg *m)
{
	return m->info.low && m->info.current <= m->info.low;
}

static bool in_domain(const struct pmemcg *m, const struct pmemcg *root)
{
	size_t n;

	if (!root || m == root || !strcmp(root->info.path, "/"))
		return true;
	n = strlen(root->info.path);
	return !strncmp(m->info.path, root->info.path, n) && m->info.path[n] == '/';
}

/* ---- construction ---- */

static int direct_reclaim(void *ctx, uint64_t memcg_id, uint64_t nr_pages,
			  uint64_t *ret_reclaimed);

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
	b->direct_reclaim = direct_reclaim;
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

static void free_mm(struct pmm *e)
{
	lrg_pagemap_release(&e->priv.pm, &e->memcg->lv);
	lrg_mm_list_del(&e->mm);
	free(e);
}

void lrg_policy_free(struct lrg_policy *p)
{
	if (!p)
		return;
	if (p->b->direct_reclaim_ctx == p) {
		p->b->direct_reclaim = NULL;
		p->b->direct_reclaim_ctx = NULL;
	}
	for (size_t i = 0; i < p->nr_mms; i++)
		free_mm(p->mms[i]);
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		lrg_mm_list_destroy(&p->memcgs[i]->list);
		free(p->memcgs[i]);
	}
	free(p->mms);
	free(p->memcgs);
	free(p->due);
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
		p->memcgs[i]->slice = slice_of(p, p->memcgs[i]);
	policy_unlock(p);
	return 0;
}

/* ---- refresh ---- */

static struct pmemcg *find_memcg(struct lrg_policy *p, uint64_t id)
{
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		if (p->memcgs[i]->id == id)
			return p->memcgs[i];
	}
	return NULL;
}

static int on_memcg(void *ctx, const struct lrg_memcg_info *info)
{
	struct lrg_policy *p = ctx;
	struct pmemcg *m = find_memcg(p, info->id);

	if (!m) {
		if (p->nr_memcgs == p->cap_memcgs) {
			size_t cap = p->cap_memcgs ? p->cap_memcgs * 2 : 8;
			struct pmemcg **n = realloc(p->memcgs, cap * sizeof(*n));
			struct pmemcg **d;

			if (!n)
				return -ENOMEM;
			p->memcgs = n;
			d = realloc(p->due, cap * sizeof(*d));
			if (!d)
				return -ENOMEM;
			p->due = d;
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
	m->slice = slice_of(p, m);
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
	e->priv.last_cpu_time_ns = info->cpu_time_ns;
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
		if (info->cpu_time_ns != e->priv.last_cpu_time_ns)
			lrg_mm_set_ran(&e->mm);
		e->priv.last_cpu_time_ns = info->cpu_time_ns;
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
		c.m = p->memcgs[i];
		r = b->ops->list_mms(b, c.m->id, on_mm, &c);
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
		free_mm(p->mms[i]);
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
		free_mm(e);
		p->mms[i] = p->mms[--p->nr_mms];
		p->stats.mms_dropped_live++;
	}
	if (ev == LRG_POLICY_PROC_EXIT)
		goto out;
	if (!lrg_backend_has(p->b, LRG_CAP_MEMCG) || !p->b->ops->list_memcgs) {
		m = find_memcg(p, LRG_ROOT_MEMCG);
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

/* ---- aging ---- */

static bool kernel_gens(const struct lrg_policy *p)
{
	return lrg_backend_has(p->b, LRG_CAP_KERNEL_GENS) && p->b->ops->read_gens;
}

/* Mirror the kernel's generations into m->lv (LRG_CAP_KERNEL_GENS). */
static int mirror_gens(struct lrg_policy *p, struct pmemcg *m, uint64_t now_ms)
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

static int age_memcg(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		     uint64_t now_ms, bool may_grow, struct lrg_tick_result *tr)
{
	int sw = swappiness_of(p, m, gp);
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
		r = mirror_gens(p, m, now_ms);
		if (r < 0)
			return r;
		if (m->lv.max_seq > before) {
			p->stats.gens_created += m->lv.max_seq - before;
			if (tr)
				tr->gens_created += m->lv.max_seq - before;
		}
		return 0;
	}
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

/* ---- eviction ---- */

/* Evict up to budget pages from m's oldest generations; pages freed. */
static int evict_from(struct lrg_policy *p, struct pmemcg *m, int sw, uint64_t budget,
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
		r = mirror_gens(p, m, now_ms);
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

/* Birth of m's oldest evictable generation, or UINT64_MAX if none. */
static uint64_t oldest_birth(const struct pmemcg *m, int sw)
{
	int type = lrg_evict_type(&m->lv, sw);

	if (type < 0)
		return UINT64_MAX;
	return m->lv.timestamps[lrg_gen_from_seq(m->lv.min_seq[type])];
}

struct domain {
	struct pmemcg *root;   /* NULL: the machine */
	bool global;
	bool apply_ttl;        /* kswapd-like: honour min_ttl (tick); direct reclaim does not */
	bool may_grow;
};

/*
 * Reclaim target pages from a domain, oldest generation first across its
 * memcgs (the global order MGLRU's memcg LRU approximates). memory.min
 * scopes are never taken from, memory.low ones only when nothing else can
 * give. With apply_ttl, a scope whose oldest generation is younger than
 * its slice's min_ttl is refused; if the domain then cannot meet the
 * target, an OOM request is filed.
 */
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
static void thrash_feed(struct lrg_policy *p, struct lrg_thrash *t, const struct lrg_pressure *dp,
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

static uint64_t reclaim_domain(struct lrg_policy *p, const struct domain *d,
			       const struct lrg_pressure *dp, const struct lrg_pressure *gp,
			       uint64_t target, uint64_t now_ms, struct lrg_tick_result *tr)
{
	uint64_t done = 0;
	int rounds = 0;
	bool filed = false;
	const struct lrg_thrash *t = d->root ? &d->root->thrash : &p->thrash;

	for (size_t i = 0; i < p->nr_memcgs; i++)
		p->memcgs[i]->exhausted = false;
	/* the machine's meter is fed by every tick; a memcg's when it is a domain */
	if (d->apply_ttl && tr && d->root)
		thrash_feed(p, &d->root->thrash, dp, now_ms);

	while (done < target && rounds++ < MAX_ROUNDS) {
		struct pmemcg *best = NULL;
		bool best_low = true;
		uint64_t best_birth = UINT64_MAX, freed = 0, budget;
		int best_sw = 0, type, r;

		for (size_t i = 0; i < p->nr_memcgs; i++) {
			struct pmemcg *m = p->memcgs[i];
			int sw = swappiness_of(p, m, gp);
			uint64_t birth;
			bool low;

			if (m->exhausted || !in_domain(m, d->root) || !m->slice->evict || below_min(m))
				continue;
			if (lrg_evict_type(&m->lv, sw) < 0 && m->aged_tick != p->tick_no) {
				/* nothing eligible: age first (once a tick) */
				if (age_memcg(p, m, gp, now_ms, d->may_grow, tr) < 0) {
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
		if (!best)
			break;
		/* one generation at a time, so the next round may pick another memcg */
		type = lrg_evict_type(&best->lv, best_sw);
		budget = (uint64_t)best->lv.nr_pages[lrg_gen_from_seq(best->lv.min_seq[type])][type];
		if (budget > target - done)
			budget = target - done;
		if (budget < LRG_MIN_LRU_BATCH)
			budget = LRG_MIN_LRU_BATCH;
		r = evict_from(p, best, best_sw, budget, now_ms, &freed);
		/* Nothing freed (swap full, pages locked or gone): asking again
		 * this tick would free nothing either. */
		if (r < 0 || !freed)
			best->exhausted = true;
		done += freed;
		p->stats.pages_evicted += freed;
		if (tr)
			tr->pages_evicted += freed;
	}

	if (done < target && d->apply_ttl && tr) {
		/* who is left, and why: the min_ttl decision for the domain */
		const struct pmemcg *refuser = NULL;
		uint64_t youngest_refused_age = UINT64_MAX;
		bool exhausted = false;
		size_t refused = 0;
		bool any_evict = false;

		for (size_t i = 0; i < p->nr_memcgs; i++) {
			struct pmemcg *m = p->memcgs[i];
			int sw = swappiness_of(p, m, gp);
			struct lrg_ttl_scope s;
			enum lrg_ttl_verdict v;
			uint64_t age;

			if (!in_domain(m, d->root))
				continue;
			s.below_min = below_min(m) || !m->slice->evict;
			s.evictable = !m->exhausted && oldest_birth(m, sw) != UINT64_MAX;
			s.protected_ttl = lrg_ttl_protected(&m->lv, sw > 0, now_ms, m->slice->min_ttl_ms);
			v = lrg_ttl_decide(true, &s, 1);
			if (v == LRG_TTL_EVICT)
				any_evict = true;   /* the round limit stopped us, not min_ttl */
			if (v != LRG_TTL_OOM)
				continue;
			refused++;
			age = lrg_ttl_oldest_age(&m->lv, sw > 0, now_ms);
			if (!refuser || age < youngest_refused_age) {
				refuser = m;
				youngest_refused_age = age;
			}
		}
		if (any_evict)
			refuser = NULL;
		p->stats.ttl_refusals += refused;
		/*
		 * Nothing refused for min_ttl, but nothing left to evict either
		 * (swap full, or no swap and the file cache gone) while the
		 * domain stalls: the working set is already being lost, and the
		 * kernel's own OOM killer would only come after a long thrash.
		 * The stall evidence keeps this from firing on memory lrugend
		 * cannot see but the kernel can still reclaim (unmapped cache).
		 */
		if (!refuser && !any_evict && exhausted_stall(dp, d->global)) {
			for (size_t i = 0; i < p->nr_memcgs; i++) {
				struct pmemcg *m = p->memcgs[i];
				uint64_t age;

				if (!in_domain(m, d->root) || !m->exhausted || !m->slice->min_ttl_ms)
					continue;
				age = lrg_ttl_oldest_age(&m->lv, swappiness_of(p, m, gp) > 0, now_ms);
				if (!refuser || age < youngest_refused_age) {
					refuser = m;
					youngest_refused_age = age;
				}
			}
			exhausted = refuser != NULL;
		}
		if (refuser)
			filed = file_oom_request(p, d, dp, refuser, youngest_refused_age,
						 exhausted ? "nothing left to evict while the domain stalls"
							   : "working set younger than min_ttl under pressure",
						 NULL, tr);
	}

	/*
	 * Eviction may still "succeed" while the domain thrashes: what it
	 * takes is the working set, read back at once (no swap, only page
	 * cache left; a working set read slowly because it thrashes looks
	 * old). When half of what was reclaimed came back over the last
	 * window and tasks are stalled on memory, the working set cannot be
	 * kept: decide now, in a slice that has min_ttl, not after the
	 * kernel's long thrash.
	 */
	if (!filed && lrg_thrashing(t)) {
		/* in the name of the slice whose working set comes back most
		 * (refaults since the last tick), else the youngest */
		const struct pmemcg *slice_of_ws = NULL;
		uint64_t youngest = UINT64_MAX, most_back = 0;
		char why[64];

		for (size_t i = 0; i < p->nr_memcgs; i++) {
			struct pmemcg *m = p->memcgs[i];
			uint64_t age, back = 0;

			if (!in_domain(m, d->root) || !m->slice->min_ttl_ms)
				continue;
			if (m->pr_ok && m->pr.refaults > m->last_refaults)
				back = m->pr.refaults - m->last_refaults;
			age = lrg_ttl_oldest_age(&m->lv, swappiness_of(p, m, gp) > 0, now_ms);
			if (!slice_of_ws || back > most_back || (back == most_back && age < youngest)) {
				slice_of_ws = m;
				youngest = age;
				most_back = back;
			}
		}
		snprintf(why, sizeof(why), "working set thrashing: %u%% refaulted, %u%% stalled",
			 t->pct > 999 ? 999 : t->pct, t->stall_pct);
		if (slice_of_ws)
			filed = file_oom_request(p, d, dp, slice_of_ws, youngest, why, t, tr);
	}
	return done;
}

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

/* Proactive: generations older than evict_min_age_ms go, pressure or not. */
static void proactive(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		      uint64_t now_ms, struct lrg_tick_result *tr)
{
	const struct lrg_slice_config *s = m->slice;
	const struct lrg_pressure *pr = m->pr_ok ? &m->pr : gp;
	int sw = swappiness_of(p, m, gp);
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
		if (evict_from(p, m, sw, budget ? budget : 1, now_ms, &freed) < 0)
			return;
		p->stats.pages_evicted += freed;
		tr->pages_evicted += freed;
	}
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
 * figures), one whose slice evicts proactively (its refault ceiling), and
 * every memcg while the machine is under pressure (the thrash rule names
 * the slice whose memory refaulted most). The others are read every
 * LRG_MEMCG_REMEASURE_MS, or at once when a listing of the memcgs shows a
 * limit: that is how soon a limit newly set on one is seen.
 */
#define LRG_MEMCG_REMEASURE_MS 2000

static bool measure_due(const struct pmemcg *m, bool gpress, const struct lrg_pressure *gp,
			uint64_t now_ms)
{
	const struct lrg_slice_config *s = m->slice;

	if (!m->pr_ok || !m->pr_ms || gpress || now_ms < m->pr_ms ||
	    now_ms - m->pr_ms >= LRG_MEMCG_REMEASURE_MS)
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

static void measure_memcgs(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
			   uint64_t now_ms)
{
	struct lrg_backend *b = p->b;

	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];

		if (lrg_backend_has(b, LRG_CAP_MEMCG) && m->id != LRG_ROOT_MEMCG && b->ops->measure &&
		    m->pr_tick != p->tick_no && measure_due(m, gpress, gp, now_ms)) {
			m->pr_ok = b->ops->measure(b, m->id, &m->pr) == 0;
			m->pr_ms = now_ms ? now_ms : 1;
			m->pr_tick = p->tick_no;
		}
	}
}

int lrg_policy_tick(struct lrg_policy *p, uint64_t now_ms, struct lrg_tick_result *ret)
{
	struct lrg_backend *b = p->b;
	struct lrg_tick_result tr;
	struct lrg_pressure gp, mp;
	uint64_t poll = p->cfg.daemon.poll_interval_ms ? p->cfg.daemon.poll_interval_ms : 1000;
	uint64_t next = now_ms + poll;
	uint64_t budget = p->cfg.daemon.tick_budget_ms, t0;
	size_t nr_due;
	bool gpress, fresh;
	int r;

	r = policy_lock(p);
	if (r < 0)
		return r;
	t0 = b->ops->now_ms(b);
	memset(&tr, 0, sizeof(tr));
	p->tick_no++;

	memset(&gp, 0, sizeof(gp));
	if (!b->ops->measure || b->ops->measure(b, LRG_ROOT_MEMCG, &gp) < 0)
		memset(&gp, 0, sizeof(gp));
	/*
	 * Which memcgs to read (measure_due) on the machine's raw figures and
	 * the last thrash verdict; whether the machine is under pressure on
	 * its own figures (machine_figures), once they are read.
	 */
	gpress = lrg_under_pressure(&gp, true) || lrg_thrashing(&p->thrash);

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
	machine_figures(p, &gp, fresh, &mp);
	/*
	 * A machine whose working set thrashes is under pressure whatever its
	 * free memory says: kswapd keeps free memory at its watermarks, and
	 * the page cache being thrashed counts as available. Fed every tick
	 * that read the memcgs, so the window is whole when it matters
	 * (reclaim_domain reads the same meter).
	 */
	if (fresh)
		thrash_feed(p, &p->thrash, &mp, now_ms);
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
			mirror_gens(p, p->memcgs[i], now_ms);

	/*
	 * Aging by time, to keep generations a time scale: the due memcgs,
	 * least recently aged first, until the tick's budget is spent (one at
	 * least, so every tick makes progress); the others wait for the next
	 * tick, which comes at once. A memcg aged here goes to the back of
	 * the queue: none is aged twice while another waits.
	 */
	nr_due = 0;
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		int sw = swappiness_of(p, m, &gp);

		if (lrg_aging_due(&m->lv, sw > 0, false, aging_interval(m->slice), now_ms))
			p->due[nr_due++] = m;
	}
	if (nr_due > 1)
		qsort(p->due, nr_due, sizeof(*p->due), cmp_aged_stamp);
	for (size_t k = 0; k < nr_due; k++) {
		if (k && budget && b->ops->now_ms(b) - t0 >= budget) {
			tr.nr_deferred = nr_due - k;
			break;
		}
		p->due[k]->aged_stamp = ++p->age_stamp;
		r = age_memcg(p, p->due[k], &gp, now_ms, true, &tr);
		/* A memcg that is not in what the kernel lists now (gone, or
		 * left out of a generations file it could not all parse) waits
		 * for the next listing; the other memcgs are aged. */
		if (r == -ENOENT)
			continue;
		if (r < 0)
			goto out;
		tr.nr_aged++;
	}
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		uint32_t interval = aging_interval(m->slice);

		if (interval) {
			uint64_t due = m->lv.timestamps[lrg_gen_from_seq(m->lv.max_seq)] + interval;

			if (due > now_ms && due < next)
				next = due;
		}
	}
	if (tr.nr_deferred) {
		p->stats.ticks_cut++;
		p->stats.agings_deferred += tr.nr_deferred;
	}

	/* memcgs at their limit: each its own OOM domain */
	for (size_t i = 0; i < p->nr_memcgs; i++) {
		struct pmemcg *m = p->memcgs[i];
		struct domain d = { .root = m, .global = false, .apply_ttl = true, .may_grow = true };

		if (!m->pr_ok || !lrg_under_pressure(&m->pr, false))
			continue;
		reclaim_domain(p, &d, &m->pr, &gp, lrg_pressure_target_pages(&m->pr, false), now_ms, &tr);
	}

	/* the machine */
	if (gpress) {
		struct domain d = { .root = NULL, .global = true, .apply_ttl = true, .may_grow = true };

		reclaim_domain(p, &d, &mp, &gp, lrg_pressure_target_pages(&mp, true), now_ms, &tr);
	}

	for (size_t i = 0; i < p->nr_memcgs; i++)
		proactive(p, p->memcgs[i], &gp, now_ms, &tr);

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
	r = 0;
out:
	policy_unlock(p);
	if (!r)
		*ret = tr;
	return r;
}

/*
 * The backend's synchronous reclaim hook: like the kernel's direct reclaim
 * running MGLRU, evict now, oldest first, from the memcg at its limit or
 * (LRG_ROOT_MEMCG) from the machine. min_ttl is not applied here, as in
 * the seeds, where only kswapd's lru_gen_age_node checks it: direct
 * reclaim must make progress or the allocation fails, and the OOM decision
 * belongs to the next tick. No allocation happens on this path.
 */
static int direct_reclaim(void *ctx, uint64_t memcg_id, uint64_t nr_pages,
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
		d.root = find_memcg(p, memcg_id);
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
	got = reclaim_domain(p, &d, &gp, &gp, nr_pages, b->ops->now_ms(b), NULL);
	policy_unlock(p);
	*ret_reclaimed = got;
	return 0;
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
