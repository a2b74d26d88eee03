/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lruvec.h - the generations of one (memcg, node): the seeds'
 * lru_gen_struct with page counts instead of page lists. Which page is in
 * which generation is kept by the pagemap (the kernel's folio flags).
 *
 * Generation seq lives in slot seq % LRG_MAX_NR_GENS. For each type,
 * min_seq[type] <= seq <= max_seq are the live generations; the slots of
 * the others hold no pages. The youngest two (max_seq, max_seq - 1) are the
 * "active" ones and are never evicted.
 *
 * Not locked: the policy serialises aging and eviction of one lruvec (the
 * kernel's lru_lock). The mm list protocol has its own lock.
 */
#ifndef LRG_LRUVEC_H
#define LRG_LRUVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"

struct lrg_lruvec {
	uint64_t memcg_id;
	int node;
	/* the aging increments the youngest generation number */
	uint64_t max_seq;
	/* the eviction increments the oldest generation numbers */
	uint64_t min_seq[LRG_NR_TYPES];
	/* the birth time of each generation, ms on the policy's clock */
	uint64_t timestamps[LRG_MAX_NR_GENS];
	/* pages per generation and type; signed so a bug shows as < 0 */
	int64_t nr_pages[LRG_MAX_NR_GENS][LRG_NR_TYPES];
};

static inline unsigned int lrg_gen_from_seq(uint64_t seq)
{
	return seq % LRG_MAX_NR_GENS;
}

/* lru_gen_init_state: max_seq = MIN_NR_GENS + 1, min_seq = 0, all born at birth_ms. */
void lrg_lruvec_init(struct lrg_lruvec *lv, uint64_t memcg_id, int node, uint64_t birth_ms);

int lrg_lruvec_nr_gens(const struct lrg_lruvec *lv, int type);

/* Effective seq of a page whose stored seq is seq: older ones count in min_seq. */
static inline uint64_t lrg_lruvec_clamp(const struct lrg_lruvec *lv, int type, uint64_t seq)
{
	return seq < lv->min_seq[type] ? lv->min_seq[type] : seq;
}

static inline int64_t *lrg_lruvec_count(struct lrg_lruvec *lv, uint64_t seq, int type)
{
	return &lv->nr_pages[lrg_gen_from_seq(seq)][type];
}

/*
 * inc_max_seq: create generation max_seq + 1, born now_ms. A type that
 * already has MAX_NR_GENS generations first drops its oldest one; its pages
 * move into the next oldest (the pagemap clamps their stored seq on read).
 * Returns false if max_seq is stale (someone else created it).
 */
bool lrg_lruvec_inc_max_seq(struct lrg_lruvec *lv, uint64_t max_seq, uint64_t now_ms);

/* try_to_inc_min_seq: drop empty oldest generations. true if any moved. */
bool lrg_lruvec_try_inc_min_seq(struct lrg_lruvec *lv, bool can_swap);

/*
 * get_nr_evictable: all pages of the eligible types (the upper bound of
 * what eviction may take) and, in *ret_need_aging, whether the aging is due:
 * few generations and few aged file pages.
 */
uint64_t lrg_lruvec_nr_evictable(const struct lrg_lruvec *lv, bool can_swap, bool *ret_need_aging);

/* Pages in generation seq of type, that eviction may take now (seq is
 * min_seq[type] and not one of the two youngest). */
bool lrg_lruvec_evictable_gen(const struct lrg_lruvec *lv, int type);

uint64_t lrg_lruvec_total(const struct lrg_lruvec *lv, int type);

/*
 * The invariants, for tests and debug builds: MIN_NR_GENS <= file gens <=
 * anon gens <= MAX_NR_GENS (the seeds' seq_is_valid), counts >= 0, no pages
 * outside the live generations. 0, or -EUCLEAN with why filled in.
 */
int lrg_lruvec_check(const struct lrg_lruvec *lv, char *why, size_t len);

#endif /* LRG_LRUVEC_H */
