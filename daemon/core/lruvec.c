// SPDX-License-Identifier: GPL-2.0-only
/*
 * lruvec.c - see lruvec.h; follows the seeds' inc_min_seq,
 * try_to_inc_min_seq, inc_max_seq and get_nr_evictable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lruvec.h"

void lrg_lruvec_init(struct lrg_lruvec *lv, uint64_t memcg_id, int node, uint64_t birth_ms)
{
	memset(lv, 0, sizeof(*lv));
	lv->memcg_id = memcg_id;
	lv->node = node;
	lv->max_seq = LRG_MIN_NR_GENS + 1;
	for (unsigned int g = 0; g < LRG_MAX_NR_GENS; g++)
		lv->timestamps[g] = birth_ms;
}

int lrg_lruvec_nr_gens(const struct lrg_lruvec *lv, int type)
{
	return (int)(lv->max_seq - lv->min_seq[type] + 1);
}

static void inc_min_seq(struct lrg_lruvec *lv)
{
	for (int type = 0; type < LRG_NR_TYPES; type++) {
		uint64_t old = lv->min_seq[type];

		if (lrg_lruvec_nr_gens(lv, type) != (int)LRG_MAX_NR_GENS)
			continue;

		/*
		 * The oldest slot is about to become max_seq + 1: its pages
		 * join the next oldest generation, as they would after the
		 * kernel's folio_inc_gen(). Their stored seq is now below
		 * min_seq, which the pagemap reads as min_seq.
		 */
		*lrg_lruvec_count(lv, old + 1, type) += *lrg_lruvec_count(lv, old, type);
		*lrg_lruvec_count(lv, old, type) = 0;
		lv->min_seq[type] = old + 1;
	}
}

bool lrg_lruvec_try_inc_min_seq(struct lrg_lruvec *lv, bool can_swap)
{
	uint64_t min_seq[LRG_NR_TYPES] = { lv->min_seq[0], lv->min_seq[1] };
	bool success = false;

	for (int type = !can_swap; type < LRG_NR_TYPES; type++) {
		while (lv->max_seq >= min_seq[type] + LRG_MIN_NR_GENS) {
			if (*lrg_lruvec_count(lv, min_seq[type], type) > 0)
				break;
			min_seq[type]++;
		}
	}

	/*
	 * The seeds' seq_is_valid() rule: anon may not have fewer
	 * generations than file, so when swapping, anon's oldest generation
	 * can only advance up to file's, and file's never goes back.
	 */
	if (can_swap) {
		if (min_seq[1] < min_seq[0])
			min_seq[0] = min_seq[1];
		min_seq[1] = min_seq[0] > lv->min_seq[1] ? min_seq[0] : lv->min_seq[1];
	}

	for (int type = !can_swap; type < LRG_NR_TYPES; type++) {
		if (min_seq[type] == lv->min_seq[type])
			continue;
		lv->min_seq[type] = min_seq[type];
		success = true;
	}
	return success;
}

bool lrg_lruvec_inc_max_seq(struct lrg_lruvec *lv, uint64_t max_seq, uint64_t now_ms)
{
	if (max_seq != lv->max_seq)
		return false;

	inc_min_seq(lv);
	lv->timestamps[lrg_gen_from_seq(lv->max_seq + 1)] = now_ms;
	lv->max_seq++;
	return true;
}

uint64_t lrg_lruvec_nr_evictable(const struct lrg_lruvec *lv, bool can_swap, bool *ret_need_aging)
{
	int64_t max = 0, min = 0;

	/*
	 * The upper bound of evictable pages is all eligible pages; the lower
	 * bound is aged eligible file pages. The aging is due if the number
	 * of aged generations and the number of aged eligible file pages are
	 * both low.
	 */
	for (int type = !can_swap; type < LRG_NR_TYPES; type++) {
		for (uint64_t seq = lv->min_seq[type]; seq <= lv->max_seq; seq++) {
			int64_t size = lv->nr_pages[lrg_gen_from_seq(seq)][type];

			max += size;
			if (type && lv->max_seq >= seq + LRG_MIN_NR_GENS)
				min += size;
		}
	}

	if (ret_need_aging)
		*ret_need_aging = lv->max_seq <= lv->min_seq[LRG_FILE] + LRG_MIN_NR_GENS &&
				  min < (int64_t)LRG_MIN_LRU_BATCH;
	return max > 0 ? (uint64_t)max : 0;
}

bool lrg_lruvec_evictable_gen(const struct lrg_lruvec *lv, int type)
{
	return lv->max_seq >= lv->min_seq[type] + LRG_MIN_NR_GENS &&
	       lv->nr_pages[lrg_gen_from_seq(lv->min_seq[type])][type] > 0;
}

uint64_t lrg_lruvec_total(const struct lrg_lruvec *lv, int type)
{
	int64_t n = 0;

	for (unsigned int g = 0; g < LRG_MAX_NR_GENS; g++)
		n += lv->nr_pages[g][type];
	return n > 0 ? (uint64_t)n : 0;
}

int lrg_lruvec_check(const struct lrg_lruvec *lv, char *why, size_t len)
{
	int anon = lrg_lruvec_nr_gens(lv, LRG_ANON);
	int file = lrg_lruvec_nr_gens(lv, LRG_FILE);

	if (!(file >= (int)LRG_MIN_NR_GENS && file <= anon && anon <= (int)LRG_MAX_NR_GENS)) {
		snprintf(why, len, "seq_is_valid: max_seq %llu min_seq anon %llu file %llu",
			 (unsigned long long)lv->max_seq, (unsigned long long)lv->min_seq[0],
			 (unsigned long long)lv->min_seq[1]);
		return -EUCLEAN;
	}
	for (int type = 0; type < LRG_NR_TYPES; type++) {
		for (unsigned int g = 0; g < LRG_MAX_NR_GENS; g++) {
			/* the seq this slot holds if it is live */
			uint64_t seq = lv->max_seq - ((lv->max_seq - g) % LRG_MAX_NR_GENS);
			bool live = seq >= lv->min_seq[type];

			if (lv->nr_pages[g][type] < 0) {
				snprintf(why, len, "nr_pages[%u][%d] = %lld < 0", g, type,
					 (long long)lv->nr_pages[g][type]);
				return -EUCLEAN;
			}
			if (!live && lv->nr_pages[g][type]) {
				snprintf(why, len, "dead slot %u type %d holds %lld pages", g, type,
					 (long long)lv->nr_pages[g][type]);
				return -EUCLEAN;
			}
		}
	}
	return 0;
}
