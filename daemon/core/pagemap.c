// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagemap.c - see pagemap.h.
 *
 * A region's tracked pages are the set bits of its tracked bitmap (of which
 * only the non-zero words are stored); the seq of the page at index i is
 * seqs[rank(i)], rank(i) being the number of tracked pages below i. Every
 * operation that visits many pages walks the set bits in order with a
 * running rank, so none costs more than one pass over the region (8 words
 * and r->nr seqs).
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

static inline void set_bit64(uint64_t *map, unsigned int i)
{
	map[i / 64] |= 1ULL << (i % 64);
}

static inline uint32_t bucket_of(const struct lrg_pagemap *pm, uint64_t addr)
{
	return (uint32_t)(((addr >> LRG_PMD_SHIFT) * 0x61C8864680B583EBULL) >> 32) &
	       (pm->nr_buckets - 1);
}

/* Word w of the tracked (anon) bitmap; words not stored are zero. */
static inline unsigned int word_index(uint8_t mask, unsigned int w)
{
	return (unsigned int)__builtin_popcount(mask & ((1U << w) - 1));
}

static inline uint64_t tword(const struct lrg_pm_pages *p, unsigned int w)
{
	return p->tmask >> w & 1 ? p->words[word_index(p->tmask, w)] : 0;
}

static inline uint64_t aword(const struct lrg_pm_pages *p, unsigned int w)
{
	return p->amask >> w & 1 ? p->words[p->ntw + word_index(p->amask, w)] : 0;
}

static inline uint16_t *seqs_of(struct lrg_pm_pages *p)
{
	return (uint16_t *)(p->words + p->ntw + p->naw);
}

static inline const uint16_t *cseqs_of(const struct lrg_pm_pages *p)
{
	return (const uint16_t *)(p->words + p->ntw + p->naw);
}

static inline bool is_tracked(const struct lrg_pm_pages *p, unsigned int i)
{
	return tword(p, i / 64) >> (i % 64) & 1;
}

static inline int type_of(const struct lrg_pm_pages *p, unsigned int i)
{
	return aword(p, i / 64) >> (i % 64) & 1 ? LRG_ANON : LRG_FILE;
}

static inline uint64_t seq_of(const struct lrg_lruvec *lv, int type, uint16_t e)
{
	return lrg_lruvec_clamp(lv, type, dec_seq(e, lv->max_seq));
}

/* Tracked pages below page i. */
static unsigned int rank_of(const struct lrg_pm_pages *p, unsigned int i)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < i / 64; w++)
		n += (unsigned int)__builtin_popcountll(tword(p, w));
	if (i % 64)
		n += (unsigned int)__builtin_popcountll(tword(p, i / 64) & ((1ULL << (i % 64)) - 1));
	return n;
}

static unsigned int round_cap(unsigned int n)
{
	return (n + LRG_PM_SLACK - 1) / LRG_PM_SLACK * LRG_PM_SLACK;
}

/* Bytes for nw stored words and n seqs (with slack). */
static size_t layout_bytes(unsigned int nw, unsigned int n)
{
	return sizeof(struct lrg_pm_pages) + sizeof(uint64_t) * nw + sizeof(uint16_t) * round_cap(n);
}

/*
 * Shrink a region's allocation that lost many pages (never below the
 * rounded need; failure to shrink keeps the bigger one; the seqs come last,
 * so nothing moves). Frees it when empty.
 */
static void trim_pages(struct lrg_pm_region *r)
{
	size_t want;
	struct lrg_pm_pages *n;

	if (!r->nr) {
		free(r->pages);
		r->pages = NULL;
		r->bytes = 0;
		return;
	}
	want = layout_bytes(r->pages->ntw + r->pages->naw, r->nr);
	if (r->bytes <= want + 4 * LRG_PM_SLACK * sizeof(uint16_t) && r->bytes <= 2 * want)
		return;
	n = realloc(r->pages, want);
	if (n) {
		r->pages = n;
		r->bytes = (uint16_t)want;
	}
}

void lrg_pagemap_init(struct lrg_pagemap *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->free_head = LRG_PM_NIL;
}

void lrg_pagemap_release(struct lrg_pagemap *pm, struct lrg_lruvec *lv)
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		struct lrg_pm_region *r = &pm->regions[k];
		const struct lrg_pm_pages *p = r->pages;
		unsigned int rank = 0;

		if (lrg_pm_region_live(r) && lv && r->nr) {
			for (unsigned int w = 0; w < LRG_REGION_WORDS; w++) {
				for (uint64_t bits = tword(p, w); bits; bits &= bits - 1) {
					unsigned int i = w * 64 + (unsigned int)__builtin_ctzll(bits);
					int type = type_of(p, i);

					(*lrg_lruvec_count(lv, seq_of(lv, type, cseqs_of(p)[rank++]), type))--;
					pm->nr_pages[type]--;
				}
			}
		}
		free(r->pages);
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

/* A new live region with bytes allocated for its pages, or NULL (nothing changed). */
static struct lrg_pm_region *add_region(struct lrg_pagemap *pm, uint64_t addr, size_t bytes)
{
	struct lrg_pm_pages *pages = malloc(bytes);
	struct lrg_pm_region *r;
	uint32_t k, h;

	if (!pages)
		return NULL;
	/* reuse a freed region before growing */
	if (pm->free_head != LRG_PM_NIL) {
		k = pm->free_head;
		pm->free_head = pm->regions[k].next;
	} else {
		if (pm->nr_used == pm->cap) {
			/* most mms have a handful of regions: start small */
			uint32_t ncap = pm->cap ? pm->cap * 2 : 4;
			struct lrg_pm_region *n = realloc(pm->regions, sizeof(*n) * ncap);

			if (!n) {
				free(pages);
				return NULL;
			}
			pm->regions = n;
			pm->cap = ncap;
		}
		k = pm->nr_used++;
	}
	/* not live until linked below: rehash must skip it */
	pm->regions[k].addr = UINT64_MAX;
	pm->regions[k].pages = NULL;
	if (pm->nr_live + 1 > pm->nr_buckets &&
	    rehash(pm, pm->nr_buckets ? pm->nr_buckets * 2 : 8) < 0) {
		/* give the slot back */
		pm->regions[k].next = pm->free_head;
		pm->free_head = k;
		free(pages);
		return NULL;
	}
	r = &pm->regions[k];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->pages = pages;
	r->bytes = (uint16_t)bytes;
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
	free(r->pages);
	r->pages = NULL;
	r->bytes = 0;
	r->nr = 0;
	r->addr = UINT64_MAX;
	r->next = pm->free_head;
	pm->free_head = k;
	pm->nr_live--;
}

/*
 * Drop the tracked pages of r that are in drop (a page bitmap) and of a
 * type in types_mask, subtracting them from lv; one pass, in place (never
 * allocates). Returns how many were dropped.
 */
static unsigned int drop_pages(struct lrg_pagemap *pm, struct lrg_pm_region *r,
			       struct lrg_lruvec *lv, const uint64_t *drop, unsigned int types_mask)
{
	struct lrg_pm_pages *p = r->pages;
	uint16_t *seq;
	unsigned int rd = 0, wr = 0, n = 0;

	if (!r->nr)
		return 0;
	seq = seqs_of(p);
	for (unsigned int w = 0; w < LRG_REGION_WORDS; w++) {
		uint64_t *tw;

		if (!(p->tmask >> w & 1))
			continue;
		/* a word emptied here stays stored (zero) until the next update */
		tw = &p->words[word_index(p->tmask, w)];
		for (uint64_t bits = *tw; bits; bits &= bits - 1) {
			unsigned int b = (unsigned int)__builtin_ctzll(bits);
			unsigned int i = w * 64 + b;
			int type = type_of(p, i);
			uint16_t e = seq[rd++];

			if ((!drop || test_bit64(drop, i)) && (types_mask & (1U << type))) {
				(*lrg_lruvec_count(lv, seq_of(lv, type, e), type))--;
				pm->nr_pages[type]--;
				*tw &= ~(1ULL << b);
				n++;
				continue;
			}
			seq[wr++] = e;
		}
	}
	r->nr = (uint16_t)wr;
	return n;
}

/*
 * A region's pages after one harvest report, computed before anything is
 * stored: the tracked and anon bitmaps, the encoded seqs in page order,
 * and what the update changes in the lruvec's and the pagemap's counts.
 */
struct pm_update {
	/* input */
	const struct lrg_pm_pages *old;   /* the region's pages, NULL if none */
	const struct lrg_lruvec *lv;
	const struct lrg_region *rep;
	unsigned int types_mask;
	unsigned int rank;                /* running rank in old */
	/* result */
	uint64_t tracked[LRG_REGION_WORDS], anon[LRG_REGION_WORDS];
	uint8_t tmask, amask;             /* their non-zero words */
	uint16_t seqs[LRG_PTES_PER_PMD];
	unsigned int n;                   /* pages in seqs */
	int64_t delta[LRG_MAX_NR_GENS][LRG_NR_TYPES];
	int64_t dpages[LRG_NR_TYPES];
	unsigned int young, total;
};

/* Page i stays tracked, of type type, with the stored seq e. */
static void keep_page(struct pm_update *u, unsigned int i, int type, uint16_t e)
{
	set_bit64(u->tracked, i);
	if (type == LRG_ANON)
		set_bit64(u->anon, i);
	u->seqs[u->n++] = e;
}

/* folio_update_gen for page i of the report, into u. */
static void update_page(struct pm_update *u, unsigned int i)
{
	const struct lrg_lruvec *lv = u->lv;
	bool present = test_bit64(u->rep->present, i);
	int type = test_bit64(u->rep->anon, i) ? LRG_ANON : LRG_FILE;
	bool was = u->old && is_tracked(u->old, i);
	int old_type = type;
	uint64_t oseq = 0, seq;
	uint16_t e = 0;

	if (was) {
		e = cseqs_of(u->old)[u->rank++];
		old_type = type_of(u->old, i);
		oseq = seq_of(lv, old_type, e);
	}
	if (!present) {
		if (!was)
			return;
		if (u->types_mask & (1U << old_type)) {
			u->delta[lrg_gen_from_seq(oseq)][old_type]--;
			u->dpages[old_type]--;
			return;
		}
		/* a type this harvest did not look at: kept as stored */
		keep_page(u, i, old_type, e);
		return;
	}
	u->total++;
	if (was && old_type != type) {
		/* the address was reused for the other type */
		u->delta[lrg_gen_from_seq(oseq)][old_type]--;
		u->dpages[old_type]--;
		was = false;
	}
	if (test_bit64(u->rep->young, i)) {
		u->young++;
		seq = lv->max_seq;
	} else {
		seq = was ? oseq : lv->min_seq[type];
	}
	if (was) {
		if (seq != oseq) {
			u->delta[lrg_gen_from_seq(oseq)][type]--;
			u->delta[lrg_gen_from_seq(seq)][type]++;
		}
	} else {
		u->delta[lrg_gen_from_seq(seq)][type]++;
		u->dpages[type]++;
	}
	/* also renormalises a stale stored value */
	keep_page(u, i, type, enc_seq(seq));
}

/* Bytes the result of u needs: only the non-zero words of both bitmaps. */
static size_t update_layout(struct pm_update *u)
{
	unsigned int nw;

	for (unsigned int w = 0; w < LRG_REGION_WORDS; w++) {
		if (u->tracked[w])
			u->tmask |= (uint8_t)(1U << w);
		if (u->anon[w])
			u->amask |= (uint8_t)(1U << w);
	}
	nw = (unsigned int)(__builtin_popcount(u->tmask) + __builtin_popcount(u->amask));
	return layout_bytes(nw, u->n);
}

/*
 * Room for need bytes in *r, a new region at addr when *r is NULL.
 * Nothing changes on failure: -ENOMEM, or -ENOSPC when a tracked
 * region cannot grow and may_grow is false.
 */
static int make_room(struct lrg_pagemap *pm, struct lrg_pm_region **r, uint64_t addr,
		     size_t need, bool may_grow)
{
	struct lrg_pm_pages *np;

	if (!*r) {
		*r = add_region(pm, addr & LRG_PMD_MASK, need);
		return *r ? 0 : -ENOMEM;
	}
	if (need <= (*r)->bytes)
		return 0;
	np = realloc((*r)->pages, need);
	if (!np)
		return may_grow ? -ENOMEM : -ENOSPC;
	(*r)->pages = np;
	(*r)->bytes = (uint16_t)need;
	return 0;
}

/* Store u's pages in r, which has room for them. */
static void store_pages(struct lrg_pm_region *r, const struct pm_update *u)
{
	struct lrg_pm_pages *p = r->pages;
	unsigned int k = 0;

	p->tmask = u->tmask;
	p->amask = u->amask;
	p->ntw = (uint8_t)__builtin_popcount(u->tmask);
	p->naw = (uint8_t)__builtin_popcount(u->amask);
	p->pad = 0;
	for (unsigned int w = 0; w < LRG_REGION_WORDS; w++)
		if (u->tracked[w])
			p->words[k++] = u->tracked[w];
	for (unsigned int w = 0; w < LRG_REGION_WORDS; w++)
		if (u->anon[w])
			p->words[k++] = u->anon[w];
	memcpy(seqs_of(p), u->seqs, sizeof(u->seqs[0]) * u->n);
	trim_pages(r);
}

int lrg_pagemap_update(struct lrg_pagemap *pm, struct lrg_lruvec *lv, const struct lrg_region *rep,
		       uint32_t epoch, unsigned int types_mask, bool may_grow,
		       unsigned int *ret_young, unsigned int *ret_total)
{
	struct lrg_pm_region *r = lrg_pagemap_find(pm, rep->addr);
	struct pm_update u;
	size_t need;
	int ret;

	if (!r && !may_grow)
		return -ENOSPC;

	/*
	 * folio_update_gen page by page, into scratch: nothing changes until
	 * the region has room for the result (so a failed allocation leaves
	 * the map and lv as they were).
	 */
	u.old = r && r->nr ? r->pages : NULL;
	u.lv = lv;
	u.rep = rep;
	u.types_mask = types_mask;
	u.rank = 0;
	memset(u.tracked, 0, sizeof(u.tracked));
	memset(u.anon, 0, sizeof(u.anon));
	u.tmask = u.amask = 0;
	u.n = 0;
	memset(u.delta, 0, sizeof(u.delta));
	memset(u.dpages, 0, sizeof(u.dpages));
	u.young = u.total = 0;
	for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++)
		update_page(&u, i);

	need = update_layout(&u);
	/* no page of ours (u.n == 0): no region to add, none to grow */
	if (u.n) {
		ret = make_room(pm, &r, rep->addr, need, may_grow);
		if (ret < 0)
			return ret;
	}

	for (unsigned int g = 0; g < LRG_MAX_NR_GENS; g++)
		for (int t = 0; t < LRG_NR_TYPES; t++)
			lv->nr_pages[g][t] += u.delta[g][t];
	for (int t = 0; t < LRG_NR_TYPES; t++)
		pm->nr_pages[t] += u.dpages[t];

	if (r) {
		r->seen = epoch;
		r->nr = (uint16_t)u.n;
		if (u.n)
			store_pages(r, &u);
		else
			free_region(pm, r);
	}
	if (ret_young)
		*ret_young = u.young;
	if (ret_total)
		*ret_total = u.total;
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
		if (drop_pages(pm, r, lv, NULL, types_mask))
			trim_pages(r);
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

	if (!r || !r->nr || !is_tracked(r->pages, i))
		return false;
	type = type_of(r->pages, i);
	*ret_type = type;
	*ret_seq = seq_of(lv, type, cseqs_of(r->pages)[rank_of(r->pages, i)]);
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
		const struct lrg_pm_pages *p = r->pages;
		unsigned int rank;

		if (!lrg_pm_region_live(r) || !r->nr || cur->page >= LRG_PTES_PER_PMD)
			continue;
		rank = rank_of(p, cur->page);
		for (; cur->page < LRG_PTES_PER_PMD; cur->page++) {
			unsigned int i = cur->page;
			uint64_t addr = r->addr + (uint64_t)i * LRG_PAGE_SIZE;
			int t;
			uint16_t e;

			if (!is_tracked(p, i))
				continue;
			/* the page stays tracked: read its seq, advance past it
			 * only when it is consumed (a full buf stops before) */
			e = cseqs_of(p)[rank];
			t = type_of(p, i);
			if (t != type || seq_of(lv, t, e) != seq) {
				rank++;
				continue;
			}
			if (n && buf[n - 1].end == addr) {
				buf[n - 1].end += LRG_PAGE_SIZE;
			} else {
				if (n == cap)
					goto out;
				buf[n].start = addr;
				buf[n].end = addr + LRG_PAGE_SIZE;
				n++;
			}
			rank++;
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
			uint64_t drop[LRG_REGION_WORDS];

			if (end > ranges[k].end)
				end = ranges[k].end;
			if (r && r->nr) {
				memset(drop, 0, sizeof(drop));
				for (; addr < end; addr += LRG_PAGE_SIZE)
					set_bit64(drop, (addr & ~LRG_PMD_MASK) >> LRG_PAGE_SHIFT);
				/* in place: the eviction path never allocates */
				n += drop_pages(pm, r, lv, drop, 1U << type);
			}
			addr = end;
			/* an emptied region goes back to the free list */
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
		struct lrg_pm_pages *p = r->pages;
		unsigned int rank = 0;
		uint16_t *seq;

		if (!lrg_pm_region_live(r) || !r->nr)
			continue;
		seq = seqs_of(p);
		for (unsigned int w = 0; w < LRG_REGION_WORDS; w++) {
			for (uint64_t bits = tword(p, w); bits; bits &= bits - 1) {
				unsigned int i = w * 64 + (unsigned int)__builtin_ctzll(bits);

				seq[rank] = enc_seq(seq_of(lv, type_of(p, i), seq[rank]));
				rank++;
			}
		}
	}
	pm->renorm_seq = lv->max_seq;
}

void lrg_pagemap_count(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv,
		       int64_t counts[LRG_MAX_NR_GENS][LRG_NR_TYPES])
{
	for (uint32_t k = 0; k < pm->nr_used; k++) {
		const struct lrg_pm_region *r = &pm->regions[k];
		const struct lrg_pm_pages *p = r->pages;
		unsigned int rank = 0;

		if (!lrg_pm_region_live(r) || !r->nr)
			continue;
		for (unsigned int w = 0; w < LRG_REGION_WORDS; w++) {
			for (uint64_t bits = tword(p, w); bits; bits &= bits - 1) {
				unsigned int i = w * 64 + (unsigned int)__builtin_ctzll(bits);
				int type = type_of(p, i);

				counts[lrg_gen_from_seq(seq_of(lv, type, cseqs_of(p)[rank++]))][type]++;
			}
		}
	}
}

size_t lrg_pagemap_bytes(const struct lrg_pagemap *pm)
{
	size_t n = sizeof(pm->regions[0]) * pm->cap + sizeof(pm->buckets[0]) * pm->nr_buckets;

	for (uint32_t k = 0; k < pm->nr_used; k++)
		n += pm->regions[k].bytes;
	return n;
}
