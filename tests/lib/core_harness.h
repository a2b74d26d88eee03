/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_harness.h - one memcg's mm list, lruvec and aging over the fake
 * backend, shared by the aging and eviction unit tests.
 */
#ifndef LRG_CORE_HARNESS_H
#define LRG_CORE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "aging.h"
#include "fake_backend.h"

#define A 0x7f0000000000ULL
#define R(k) (A + ((uint64_t)(k) << LRG_PMD_SHIFT))

struct harness {
	struct fake_backend f;
	struct lrg_mm_list list;
	struct lrg_lruvec lv;
	struct lrg_aging aging;
	struct lrg_mm mm[4];
	struct lrg_mm_priv priv[4];
	struct fake_mm *fm[4];
	int nr;
};

static inline void h_init(struct harness *h, unsigned int caps)
{
	memset(h, 0, sizeof(*h));
	fake_init(&h->f, caps);
	lrg_mm_list_init(&h->list, LRG_ROOT_MEMCG);
	lrg_lruvec_init(&h->lv, LRG_ROOT_MEMCG, 0, 0);
	lrg_aging_init(&h->aging, &h->f.b, 4);
}

static inline int h_add(struct harness *h, uint64_t key)
{
	int i = h->nr++;

	h->fm[i] = fake_add_mm(&h->f, key, LRG_ROOT_MEMCG);
	return i;
}

/* after the fake's mms are mapped: mirror them into the list */
static inline void h_attach(struct harness *h, int i)
{
	fake_recount(h->fm[i]);
	lrg_mm_init(&h->mm[i], &h->fm[i]->info);
	lrg_pagemap_init(&h->priv[i].pm);
	h->mm[i].priv = &h->priv[i];
	lrg_mm_list_add(&h->list, &h->mm[i]);
}

static inline void h_sync(struct harness *h)
{
	for (int i = 0; i < h->nr; i++) {
		fake_recount(h->fm[i]);
		h->mm[i].info = h->fm[i]->info;
		lrg_mm_set_ran(&h->mm[i]);
	}
}

static inline struct lrg_aging_result h_age(struct harness *h, bool can_swap)
{
	struct lrg_aging_args args = {
		.lv = &h->lv, .list = &h->list, .node = 0, .can_swap = can_swap,
		.may_grow = true, .now_ms = h->f.now,
	};
	struct lrg_aging_result res;

	memset(&res, 0, sizeof(res));
	if (lrg_try_to_inc_max_seq(&h->aging, &args, h->lv.max_seq, &res) < 0)
		diag("aging failed");
	return res;
}

static inline bool consistent(struct harness *h)
{
	int64_t c[LRG_MAX_NR_GENS][LRG_NR_TYPES];
	char why[128];

	memset(c, 0, sizeof(c));
	for (int i = 0; i < h->nr; i++)
		lrg_pagemap_count(&h->priv[i].pm, &h->lv, c);
	return !memcmp(c, h->lv.nr_pages, sizeof(c)) && !lrg_lruvec_check(&h->lv, why, sizeof(why));
}

static inline uint64_t seq_of(struct harness *h, int i, uint64_t addr)
{
	int t;
	uint64_t s = 0;

	if (!lrg_pagemap_page(&h->priv[i].pm, &h->lv, addr, &t, &s))
		return 0;
	return s;
}

static inline void h_free(struct harness *h)
{
	for (int i = 0; i < h->nr; i++) {
		lrg_pagemap_release(&h->priv[i].pm, &h->lv);
		lrg_mm_list_del(&h->mm[i]);
	}
	lrg_mm_list_destroy(&h->list);
	lrg_aging_destroy(&h->aging);
}

#endif /* LRG_CORE_HARNESS_H */
