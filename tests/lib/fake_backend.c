// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_backend.c - see fake_backend.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_backend.h"

static struct fake_backend *fb(struct lrg_backend *b)
{
	return (struct fake_backend *)b;
}

static int bit(const uint64_t *m, unsigned int i)
{
	return m[i / 64] >> (i % 64) & 1;
}

static int pop(const uint64_t *m)
{
	int n = 0;

	for (int i = 0; i < LRG_REGION_WORDS; i++)
		n += __builtin_popcountll(m[i]);
	return n;
}

struct fake_region *fake_region(struct fake_mm *m, uint64_t addr)
{
	addr &= LRG_PMD_MASK;
	for (int i = 0; i < m->nr_regions; i++) {
		if (m->regions[i].addr == addr)
			return &m->regions[i];
	}
	if (m->nr_regions == FAKE_MAX_REGIONS)
		return NULL;
	memset(&m->regions[m->nr_regions], 0, sizeof(m->regions[0]));
	m->regions[m->nr_regions].addr = addr;
	return &m->regions[m->nr_regions++];
}

void fake_recount(struct fake_mm *m)
{
	m->info.nr_anon = m->info.nr_file = 0;
	for (int i = 0; i < m->nr_regions; i++) {
		struct fake_region *r = &m->regions[i];

		for (unsigned int p = 0; p < LRG_PTES_PER_PMD; p++) {
			if (!bit(r->present, p))
				continue;
			if (bit(r->anon, p))
				m->info.nr_anon++;
			else
				m->info.nr_file++;
		}
	}
}

static void set_bits(uint64_t *m, unsigned int first, unsigned int nr, bool v)
{
	for (unsigned int i = first; i < first + nr && i < LRG_PTES_PER_PMD; i++) {
		if (v)
			m[i / 64] |= 1ULL << (i % 64);
		else
			m[i / 64] &= ~(1ULL << (i % 64));
	}
}

void fake_map(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr, bool anon)
{
	struct fake_region *r = fake_region(m, addr);

	set_bits(r->present, first, nr, true);
	set_bits(r->anon, first, nr, anon);
	fake_recount(m);
}

void fake_unmap(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr)
{
	struct fake_region *r = fake_region(m, addr);

	set_bits(r->present, first, nr, false);
	set_bits(r->young, first, nr, false);
	fake_recount(m);
}

void fake_touch(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr)
{
	struct fake_region *r = fake_region(m, addr);

	set_bits(r->young, first, nr, true);
	for (int i = 0; i < LRG_REGION_WORDS; i++)
		r->young[i] &= r->present[i];
	r->nonleaf_young = true;
	m->info.run_stamp += 1000;
}

void fake_lock(struct fake_mm *m, uint64_t addr, unsigned int first, unsigned int nr)
{
	set_bits(fake_region(m, addr)->locked, first, nr, true);
}

bool fake_present(struct fake_mm *m, uint64_t addr)
{
	struct fake_region *r = fake_region(m, addr);

	return bit(r->present, (addr & ~LRG_PMD_MASK) >> LRG_PAGE_SHIFT);
}

static struct fake_mm *find_mm(struct fake_backend *f, uint64_t key)
{
	for (int i = 0; i < f->nr_mms; i++) {
		if (f->mms[i].info.mm_key == key)
			return &f->mms[i];
	}
	return NULL;
}

static int memcg_index(struct fake_backend *f, uint64_t id)
{
	for (int i = 0; i < f->nr_memcgs; i++) {
		if (f->memcgs[i].id == id)
			return i;
	}
	return -1;
}

static int list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	for (int i = 0; i < fb(b)->nr_memcgs; i++) {
		int r = fn(ctx, &fb(b)->memcgs[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

static int list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	struct fake_backend *f = fb(b);
	bool memcg = lrg_backend_has(b, LRG_CAP_MEMCG);

	for (int i = 0; i < f->nr_mms; i++) {
		int r;

		if (f->mms[i].gone || (memcg && f->mms[i].info.memcg_id != memcg_id))
			continue;
		r = fn(ctx, &f->mms[i].info);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool in_ranges(const struct lrg_harvest_req *req, uint64_t addr)
{
	if (!req->ranges)
		return true;
	for (size_t i = 0; i < req->nr_ranges; i++) {
		if (addr >= req->ranges[i].start && addr < req->ranges[i].end)
			return true;
	}
	return false;
}

static int harvest(struct lrg_backend *b, const struct lrg_harvest_req *req, lrg_region_fn fn,
		   void *ctx, struct lrg_walk_stats *st)
{
	struct fake_backend *f = fb(b);
	struct fake_mm *m = find_mm(f, req->mm->mm_key);

	f->harvest_calls++;
	f->now += f->harvest_cost_ms;
	if (!m || m->gone) {
		st->status = LRG_HARVEST_GONE;
		return 0;
	}
	m->harvests++;
	m->last_nr_ranges = req->ranges ? req->nr_ranges : UINT64_MAX;
	if (m->contended) {
		m->contended = false;
		st->contended++;
		st->status = LRG_HARVEST_CONTENDED;
		return 0;
	}
	for (int i = 0; i < m->nr_regions; i++) {
		struct fake_region *r = &m->regions[i];
		struct lrg_region rep;
		bool want;
		int ret;

		st->pmd_total++;
		want = in_ranges(req, r->addr) ||
		       ((req->flags & LRG_HARVEST_NONLEAF) && r->nonleaf_young);
		if (req->flags & LRG_HARVEST_NONLEAF)
			r->nonleaf_young = false;
		if (!want)
			continue;
		memset(&rep, 0, sizeof(rep));
		rep.addr = r->addr;
		for (int w = 0; w < LRG_REGION_WORDS; w++) {
			uint64_t mask = r->present[w];

			if (req->flags & LRG_HARVEST_NO_ANON)
				mask &= ~r->anon[w];
			rep.present[w] = mask;
			rep.young[w] = r->young[w] & mask;
			rep.anon[w] = r->anon[w] & mask;
			r->young[w] &= ~mask;   /* test and clear */
		}
		if (!pop(rep.present))
			continue;
		st->pte_total += pop(rep.present);
		st->pte_young += pop(rep.young);
		st->pte_old += pop(rep.present) - pop(rep.young);
		ret = fn(ctx, &rep);
		if (ret < 0)
			return ret;
	}
	st->status = LRG_HARVEST_COMPLETE;
	return 0;
}

static int evict(struct lrg_backend *b, const struct lrg_mm_info *mi,
		 const struct lrg_range *ranges, size_t nr, uint64_t *ret_pages)
{
	struct fake_backend *f = fb(b);
	struct fake_mm *m = find_mm(f, mi->mm_key);
	uint64_t n = 0;
	int idx;

	f->evict_calls++;
	if (!m || m->gone)
		return -ESRCH;
	idx = memcg_index(f, m->info.memcg_id);
	for (size_t i = 0; i < nr; i++) {
		for (uint64_t a = ranges[i].start; a < ranges[i].end; a += LRG_PAGE_SIZE) {
			struct fake_region *r = fake_region(m, a);
			unsigned int p = (a & ~LRG_PMD_MASK) >> LRG_PAGE_SHIFT;

			if (!bit(r->present, p) || bit(r->locked, p))
				continue;
			f->evicted[bit(r->anon, p) ? LRG_ANON : LRG_FILE]++;
			set_bits(r->present, p, 1, false);
			set_bits(r->young, p, 1, false);
			n++;
		}
	}
	if (idx >= 0) {
		uint64_t bytes = n * LRG_PAGE_SIZE;

		f->evicted_by_memcg[idx] += n;
		/* the charge goes with the pages, as the kernel's does */
		f->memcgs[idx].current -= bytes < f->memcgs[idx].current ? bytes : f->memcgs[idx].current;
	}
	fake_recount(m);
	*ret_pages = n;
	return 0;
}

static int reclaim(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes, uint64_t *ret)
{
	fb(b)->reclaim_calls++;
	*ret = 0;
	return 0;
}

static int protect(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes)
{
	struct fake_backend *f = fb(b);
	int i = memcg_index(f, memcg_id);

	f->protect_calls++;
	if (i < 0)
		return -ENOENT;
	if (f->protect_errno)
		return -f->protect_errno;
	f->memcgs[i].min = bytes;
	return 0;
}

static int measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	struct fake_backend *f = fb(b);
	int i = memcg_index(f, memcg_id);

	if (memcg_id != LRG_ROOT_MEMCG)
		f->measure_calls++;
	else
		f->machine_calls++;
	if (memcg_id != LRG_ROOT_MEMCG && i >= 0)
		f->measure_calls_by_memcg[i]++;
	if (memcg_id == LRG_ROOT_MEMCG && (i < 0 || !lrg_backend_has(b, LRG_CAP_MEMCG)))
		*ret = f->global;
	else if (i >= 0)
		*ret = f->pressure[i];
	else
		return -ENOENT;
	ret->now_ms = f->now;
	return 0;
}

/* measure without PSI and OOM kills; counted in both tallies */
static int measure_charge(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	struct fake_backend *f = fb(b);
	int i = memcg_index(f, memcg_id);
	int r = measure(b, memcg_id, ret);

	if (r < 0)
		return r;
	if (memcg_id != LRG_ROOT_MEMCG && i >= 0)
		f->charge_calls_by_memcg[i]++;
	ret->psi_some_avg10 = ret->psi_full_avg10 = 0;
	ret->psi_some_total_us = ret->psi_full_total_us = 0;
	ret->oom_kills = 0;
	return 0;
}

static int measure_meminfo(struct lrg_backend *b, struct lrg_pressure *ret)
{
	struct fake_backend *f = fb(b);

	f->meminfo_calls++;
	memset(ret, 0, sizeof(*ret));
	ret->now_ms = f->now;
	ret->mem_total = f->global.mem_total;
	ret->mem_free = f->global.mem_free;
	ret->mem_available = f->global.mem_available;
	ret->swap_total = f->global.swap_total;
	ret->swap_free = f->global.swap_free;
	ret->limit = f->global.mem_total;
	ret->usage = f->global.mem_total - f->global.mem_available;
	return 0;
}

static int kill_(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	return -EPERM;
}

static int read_gens(struct lrg_backend *b, uint64_t memcg_id, int node, struct lrg_kernel_gens *ret)
{
	struct fake_backend *f = fb(b);
	const struct lrg_lruvec *lv = &f->kgens;
	uint64_t lo = lv->min_seq[0] < lv->min_seq[1] ? lv->min_seq[0] : lv->min_seq[1];

	if (f->gens_unknown_memcg && memcg_id == f->gens_unknown_memcg)
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->memcg_id = memcg_id;
	ret->node = node;
	ret->max_seq = lv->max_seq;
	ret->min_seq[0] = lv->min_seq[0];
	ret->min_seq[1] = lv->min_seq[1];
	for (uint64_t seq = lo; seq <= lv->max_seq; seq++) {
		unsigned int g = lrg_gen_from_seq(seq);

		ret->gens[ret->nr_gens].seq = seq;
		ret->gens[ret->nr_gens].age_ms = f->now - lv->timestamps[g];
		for (int t = 0; t < LRG_NR_TYPES; t++)
			ret->gens[ret->nr_gens].nr_pages[t] =
				seq >= lv->min_seq[t] ? (uint64_t)lv->nr_pages[g][t] : 0;
		ret->nr_gens++;
	}
	return 0;
}

static int age(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t max_seq,
	       bool can_swap, bool force_scan)
{
	struct fake_backend *f = fb(b);

	if (f->gens_unknown_memcg && memcg_id == f->gens_unknown_memcg)
		return -ENOENT;
	f->age_calls++;
	f->now += f->harvest_cost_ms;
	lrg_lruvec_inc_max_seq(&f->kgens, max_seq, f->now);
	return 0;
}

static int evict_gen(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t min_seq,
		     int swappiness, uint64_t nr_pages)
{
	struct fake_backend *f = fb(b);
	int type = swappiness > 0 ? LRG_ANON : LRG_FILE;
	int64_t *n = lrg_lruvec_count(&f->kgens, min_seq, type);
	uint64_t take = (uint64_t)*n < nr_pages ? (uint64_t)*n : nr_pages;

	f->evict_gen_calls++;
	f->last_evict_gen_seq = min_seq;
	f->last_evict_gen_swappiness = swappiness;
	*n -= (int64_t)take;
	f->evicted[type] += take;
	lrg_lruvec_try_inc_min_seq(&f->kgens, swappiness > 0);
	return 0;
}

static uint64_t now_ms(struct lrg_backend *b)
{
	return fb(b)->now;
}

void fake_init(struct fake_backend *f, unsigned int caps)
{
	memset(f, 0, sizeof(*f));
	f->ops.name = "fake";
	f->ops.accuracy = "scripted";
	f->ops.list_memcgs = list_memcgs;
	f->ops.list_mms = list_mms;
	f->ops.harvest = harvest;
	f->ops.evict = evict;
	f->ops.reclaim = reclaim;
	f->ops.protect = protect;
	f->ops.measure = measure;
	f->ops.measure_charge = measure_charge;
	f->ops.measure_meminfo = measure_meminfo;
	f->ops.kill = kill_;
	f->ops.now_ms = now_ms;
	if (caps & LRG_CAP_KERNEL_GENS) {
		f->ops.read_gens = read_gens;
		f->ops.age = age;
		f->ops.evict_gen = evict_gen;
		lrg_lruvec_init(&f->kgens, LRG_ROOT_MEMCG, 0, 0);
	}
	f->b.ops = &f->ops;
	f->b.caps = caps;
}

int fake_add_memcg(struct fake_backend *f, uint64_t id, const char *path)
{
	struct lrg_memcg_info *m = &f->memcgs[f->nr_memcgs];
	struct lrg_pressure *p = &f->pressure[f->nr_memcgs];

	memset(m, 0, sizeof(*m));
	m->id = id;
	snprintf(m->path, sizeof(m->path), "%s", path);
	m->high = m->max = m->swap_max = UINT64_MAX;
	memset(p, 0, sizeof(*p));
	p->limit = UINT64_MAX;
	p->swap_total = p->swap_free = 1ULL << 30;
	return f->nr_memcgs++;
}

struct fake_mm *fake_add_mm(struct fake_backend *f, uint64_t key, uint64_t memcg_id)
{
	struct fake_mm *m = &f->mms[f->nr_mms++];

	memset(m, 0, sizeof(*m));
	m->info.mm_key = key;
	m->info.pid = (pid_t)key;
	m->info.start_time = key * 10;
	m->info.memcg_id = memcg_id;
	m->info.run_stamp = 1;
	snprintf(m->info.comm, sizeof(m->info.comm), "fake%llu", (unsigned long long)key);
	return m;
}
