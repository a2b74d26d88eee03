// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagemap.c - see pagemap.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pagemap.h"

#define SEQ_MOD 65535U

static inline uint16_t enc_seq(uint64_t seq)
{
	return (uint16_t)(seq % SEQ_MOD + 1);
}

static inline uint64_t dec_seq(uint16_t e, uint64_t max_seq)
{
	uint32_t delta = (enc_seq(max_seq) + SEQ_MOD - e) % SEQ_MOD;

	return max_seq - delta;
}

static inline bool test_bit64(const uint64_t *map, unsigned int i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static inline void assign_bit64(uint64_t *map, unsigned int i, bool v)
{
	if (v)
		map[i / 64] |= 1ULL << (i % 64);
	else
		map[i / 64] &= ~(1ULL << (i % 64));
}

static inline uint32_t bucket_of(const struct lrg_pagemap *pm, uint64_t addr)
{
	return (uint32_t)(((addr >> LRG_PMD_SHIFT) * 0x61C8864680B583EBULL) >> 32) &
	       (pm->nr_buckets - 1);
}

void lrg_pagemap_init(struct lrg_pagemap *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->free_head = LRG_PM_NIL;
}

static uint64_t page_seq(const struct lrg_pm_region *r, const struct lrg_lruvec *lv,
			 unsigned int i, int *ret_type)
{
	int type = test_bit64(r->anon, i) ? LRG_ANON : LRG_FILE;

	*ret_type = type;
	return lrg_lruvec_clamp(lv, type, dec_seq(r->seq[i], lv->max_seq));
}

static void drop_page(struct lrg_pagemap *pm, struct lrg_pm_region *r, struct lrg_lruvec *lv,
		      unsigned int i)
{
	int type;
	uint64_t seq = page_seq(r, lv, i, &type);

	(*lrg_lruvec_count(lv, seq, type))--;
	pm->nr_pages[type]--;
	r->seq[i] = 0;
	r->nr--;
}

void lrg_pagemap_release(struct lrg_pagemap *pm, struct lrg_lruvec *lv)
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		struct lrg_pm_region *r = &pm->regions[k];

		if (!lrg_pm_region_live(r) || !lv)
			continue;
		for (unsigned int i = 0; i < LRG_PTES_PER_PMD && r->nr; i++) {
			if (r->seq[i])
				drop_page(pm, r, lv, i);
		}
	}
	free(pm->regions);
	free(pm->buckets);
	lrg_pagemap_init(pm);
}

struct lrg_pm_region *lrg_pagemap_find(const struct lrg_pagemap *pm, uint64_t addr)
{
	addr &= LRG_PMD_MASK;
	if (!pm->nr_buckets)
		return NULL;
	for (uint32_t k = pm->buckets[bucket_of(pm, addr)]; k != LRG_PM_NIL;
	     k = pm->regions[k].next) {
		if (pm->regions[k].addr == addr)
			return &pm->regions[k];
	}
	return NULL;
}

static int rehash(struct lrg_pagemap *pm, uint32_t nr_buckets)
{
	uint32_t *b = malloc(sizeof(*b) * nr_buckets);

	if (!b)
		return -ENOMEM;
	free(pm->buckets);
	pm->buckets = b;
	pm->nr_buckets = nr_buckets;
	for (uint32_t i = 0; i < nr_buckets; i++)
		b[i] = LRG_PM_NIL;
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		struct lrg_pm_region *r = &pm->regions[k];
		uint32_t h;

		if (!lrg_pm_region_live(r))
			continue;
		h = bucket_of(pm, r->addr);
		r->next = b[h];
		b[h] = k;
	}
	return 0;
}

static struct lrg_pm_region *add_region(struct lrg_pagemap *pm, uint64_t addr)
{
	struct lrg_pm_region *r;
	uint32_t k, h;

	/* reuse a freed region before growing */
	if (pm->free_head != LRG_PM_NIL) {
		k = pm->free_head;
		pm->free_head = pm->regions[k].next;
	} else {
		if (pm->nr_used == pm->cap) {
			uint32_t cap = pm->cap ? pm->cap * 2 : 16;
			struct lrg_pm_region *n = realloc(pm->regions, sizeof(*n) * cap);

			if (!n)
				return NULL;
			pm->regions = n;
			pm->cap = cap;
		}
		k = pm->nr_used++;
	}
	/* not live until linked below: rehash must skip it */
	pm->regions[k].addr = UINT64_MAX;
	if (pm->nr_live + 1 > pm->nr_buckets &&
	    rehash(pm, pm->nr_buckets ? pm->nr_buckets * 2 : 16) < 0) {
		/* give the slot back */
		pm->regions[k].addr = UINT64_MAX;
		pm->regions[k].next = pm->free_head;
		pm->free_head = k;
		return NULL;
	}
	r = &pm->regions[k];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	h = bucket_of(pm, addr);
	r->next = pm->buckets[h];
	pm->buckets[h] = k;
	pm->nr_live++;
	return r;
}

static void free_region(struct lrg_pagemap *pm, struct lrg_pm_region *r)
{
	uint32_t k = (uint32_t)(r - pm->regions);
	uint32_t *p = &pm->buckets[bucket_of(pm, r->addr)];

	while (*p != k)
		p = &pm->regions[*p].next;
	*p = r->next;
	r->addr = UINT64_MAX;
	r->next = pm->free_head;
	pm->free_head = k;
	pm->nr_live--;
}

int lrg_pagemap_update(struct lrg_pagemap *pm, struct lrg_lruvec *lv, const struct lrg_region *rep,
		       uint32_t epoch, unsigned int types_mask, bool may_grow,
		       unsigned int *ret_young, unsigned int *ret_total)
{
	struct lrg_pm_region *r = lrg_pagemap_find(pm, rep->addr);
	unsigned int young = 0, total = 0;

	if (!r) {
		if (!may_grow)
			return -ENOSPC;
		r = add_region(pm, rep->addr & LRG_PMD_MASK);
		if (!r)
			return -ENOMEM;
	}
	r->seen = epoch;

	for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
		bool present = test_bit64(rep->present, i);
		int type = test_bit64(rep->anon, i) ? LRG_ANON : LRG_FILE;
		uint64_t old = 0, seq;
		int old_type = type;

		if (r->seq[i])
			old = page_seq(r, lv, i, &old_type);

		if (!present) {
			if (r->seq[i] && (types_mask & (1U << old_type)))
				drop_page(pm, r, lv, i);
			continue;
		}
		total++;
		if (r->seq[i] && old_type != type) {
			/* the address was reused for the other type */
			drop_page(pm, r, lv, i);
		}
		if (test_bit64(rep->young, i)) {
			young++;
			seq = lv->max_seq;
		} else {
			seq = r->seq[i] ? old : lv->min_seq[type];
		}
		if (r->seq[i]) {
			if (seq != old) {
				(*lrg_lruvec_count(lv, old, type))--;
				(*lrg_lruvec_count(lv, seq, type))++;
			}
		} else {
			(*lrg_lruvec_count(lv, seq, type))++;
			pm->nr_pages[type]++;
			r->nr++;
			assign_bit64(r->anon, i, type == LRG_ANON);
		}
		/* also renormalises a stale stored value */
		r->seq[i] = enc_seq(seq);
	}
	if (!r->nr)
		free_region(pm, r);
	if (ret_young)
		*ret_young = young;
	if (ret_total)
		*ret_total = total;
	return 0;
}

void lrg_pagemap_mark_wanted(struct lrg_pagemap *pm, uint64_t addr, uint32_t epoch)
{
	struct lrg_pm_region *r = lrg_pagemap_find(pm, addr);

	if (r)
		r->want = epoch;
}

void lrg_pagemap_sweep(struct lrg_pagemap *pm, struct lrg_lruvec *lv, uint32_t epoch,
		       bool whole, unsigned int types_mask)
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		struct lrg_pm_region *r = &pm->regions[k];

		if (!lrg_pm_region_live(r) || r->seen == epoch)
			continue;
		if (!whole && r->want != epoch)
			continue;
		for (unsigned int i = 0; i < LRG_PTES_PER_PMD && r->nr; i++) {
			int type = test_bit64(r->anon, i) ? LRG_ANON : LRG_FILE;

			if (r->seq[i] && (types_mask & (1U << type)))
				drop_page(pm, r, lv, i);
		}
		if (!r->nr)
			free_region(pm, r);
	}
}

bool lrg_pagemap_page(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv, uint64_t addr,
		      int *ret_type, uint64_t *ret_seq)
{
	const struct lrg_pm_region *r = lrg_pagemap_find(pm, addr);
	unsigned int i = (addr & ~LRG_PMD_MASK) >> LRG_PAGE_SHIFT;
	int type;
	uint64_t seq;

	if (!r || !r->seq[i])
		return false;
	seq = page_seq(r, lv, i, &type);
	*ret_type = type;
	*ret_seq = seq;
	return true;
}

bool lrg_pagemap_cursor_done(const struct lrg_pagemap *pm, const struct lrg_pm_cursor *cur)
{
	return cur->region >= pm->nr_used;
}

size_t lrg_pagemap_collect(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv, int type,
			   uint64_t seq, struct lrg_range *buf, size_t cap,
			   struct lrg_pm_cursor *cur, uint64_t *ret_pages)
{
	size_t n = 0;
	uint64_t pages = 0;

	for (; cur->region < pm->nr_used; cur->region++, cur->page = 0) {
		const struct lrg_pm_region *r = &pm->regions[cur->region];

		if (!lrg_pm_region_live(r) || !r->nr)
			continue;
		for (; cur->page < LRG_PTES_PER_PMD; cur->page++) {
			unsigned int i = cur->page;
			uint64_t addr = r->addr + (uint64_t)i * LRG_PAGE_SIZE;
			int t;

			if (!r->seq[i] || page_seq(r, lv, i, &t) != seq || t != type)
				continue;
			if (n && buf[n - 1].end == addr) {
				buf[n - 1].end += LRG_PAGE_SIZE;
			} else {
				if (n == cap)
					goto out;
				buf[n].start = addr;
				buf[n].end = addr + LRG_PAGE_SIZE;
				n++;
			}
			pages++;
		}
	}
out:
	*ret_pages = pages;
	return n;
}

uint64_t lrg_pagemap_forget(struct lrg_pagemap *pm, struct lrg_lruvec *lv, int type,
			    const struct lrg_range *ranges, size_t nr, bool keep_empty)
{
	uint64_t n = 0;

	for (size_t k = 0; k < nr; k++) {
		uint64_t addr = ranges[k].start & ~(LRG_PAGE_SIZE - 1);

		while (addr < ranges[k].end) {
			struct lrg_pm_region *r = lrg_pagemap_find(pm, addr);
			uint64_t end = (addr & LRG_PMD_MASK) + LRG_PMD_SIZE;

			if (end > ranges[k].end)
				end = ranges[k].end;
			for (; r && addr < end; addr += LRG_PAGE_SIZE) {
				unsigned int i = (addr & ~LRG_PMD_MASK) >> LRG_PAGE_SHIFT;
				int t = test_bit64(r->anon, i) ? LRG_ANON : LRG_FILE;

				if (r->seq[i] && t == type) {
					drop_page(pm, r, lv, i);
					n++;
				}
			}
			addr = end;
			/* an emptied region goes back to the free list; no allocation */
			if (r && !r->nr && !keep_empty)
				free_region(pm, r);
		}
	}
	return n;
}

void lrg_pagemap_renormalise(struct lrg_pagemap *pm, const struct lrg_lruvec *lv)
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		struct lrg_pm_region *r = &pm->regions[k];

		if (!lrg_pm_region_live(r))
			continue;
		for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
			int type;

			if (r->seq[i])
				r->seq[i] = enc_seq(page_seq(r, lv, i, &type));
		}
	}
	pm->renorm_seq = lv->max_seq;
}

void lrg_pagemap_count(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv,
		       int64_t counts[LRG_MAX_NR_GENS][LRG_NR_TYPES])
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		const struct lrg_pm_region *r = &pm->regions[k];

		if (!lrg_pm_region_live(r))
			continue;
		for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
			int type;
			uint64_t seq;

			if (!r->seq[i])
				continue;
			seq = page_seq(r, lv, i, &type);
			counts[lrg_gen_from_seq(seq)][type]++;
		}
	}
}
