// SPDX-License-Identifier: GPL-2.0-only
/*
 * bloom.c - see bloom.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bloom.h"
#include "lrg_backend.h"

/* The kernel's hash_64(): Knuth's multiplicative hashing. */
#define LRG_GOLDEN_RATIO_64 0x61C8864680B583EBULL

static inline unsigned int filter_gen_from_seq(uint64_t seq)
{
	return seq % LRG_NR_BLOOM_FILTERS;
}

static inline uint32_t hash_64(uint64_t val, unsigned int bits)
{
	return (uint32_t)((val * LRG_GOLDEN_RATIO_64) >> (64 - bits));
}

void lrg_bloom_keys(uint64_t mm_key, uint64_t addr, unsigned int key[2])
{
	/*
	 * The kernel hashes a PMD entry's address: one pointer, unique per PTE
	 * table. Our item is two numbers, (mm, PMD index), and the sets we
	 * insert are highly structured (a few mms x runs of consecutive
	 * indexes). hash_64 of a plain XOR/sum of the two measured ~15% more
	 * false positives than the m/n/k formula (0.58 instead of 0.50 at
	 * n = 20,000) because the multiplicative hash keeps the low-order
	 * structure of such inputs in its high bits. So first fold the pair into
	 * one well-mixed 64-bit word (the first half of the murmur3 finalizer),
	 * then take the 30-bit multiplicative hash as the seeds do.
	 */
	uint64_t item = (addr >> LRG_PMD_SHIFT) ^ (mm_key * 0x9E3779B97F4A7C15ULL);
	uint32_t hash;

	item ^= item >> 32;
	item *= 0xff51afd7ed558ccdULL;
	item ^= item >> 33;
	hash = hash_64(item, LRG_BLOOM_SHIFT * 2);

	key[0] = hash & (LRG_BLOOM_BITS - 1);
	key[1] = hash >> LRG_BLOOM_SHIFT;
}

static inline uint64_t *filter(struct lrg_bloom *b, unsigned int f)
{
	return b->bits[f] ? b->bits[f] : b->small[f];
}

static inline const uint64_t *cfilter(const struct lrg_bloom *b, unsigned int f)
{
	return b->bits[f] ? b->bits[f] : b->small[f];
}

void lrg_bloom_init(struct lrg_bloom *b)
{
	memset(b, 0, sizeof(*b));
	for (unsigned int f = 0; f < LRG_NR_BLOOM_FILTERS; f++)
		b->shift[f] = LRG_BLOOM_MIN_SHIFT;
}

void lrg_bloom_destroy(struct lrg_bloom *b)
{
	for (unsigned int f = 0; f < LRG_NR_BLOOM_FILTERS; f++)
		free(b->bits[f]);
	lrg_bloom_init(b);
}

unsigned int lrg_bloom_shift_for(uint64_t nr_items)
{
	unsigned int s = LRG_BLOOM_MIN_SHIFT;

	/* at least 16 bits per item: FP (1 - e^(-2/16))^2 ~ 1.4% when full */
	while (s < LRG_BLOOM_SHIFT && (1ULL << s) < nr_items * 16)
		s++;
	return s;
}

void lrg_bloom_clear(struct lrg_bloom *b, uint64_t seq)
{
	unsigned int f = filter_gen_from_seq(seq);
	uint64_t *w = filter(b, f);

	for (unsigned int i = 0; i < (1U << b->shift[f]) / 64; i++)
		__atomic_store_n(&w[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&b->items[f], 0, __ATOMIC_RELAXED);
}

int lrg_bloom_clear_sized(struct lrg_bloom *b, uint64_t seq, uint64_t nr_items)
{
	unsigned int f = filter_gen_from_seq(seq);
	unsigned int want = lrg_bloom_shift_for(nr_items);
	int r = 0;

	/* grow at once; shrink only when 4 times too big (no churn) */
	if (want > b->shift[f] || want + 2 <= b->shift[f]) {
		uint64_t *n = NULL;

		if (want > LRG_BLOOM_MIN_SHIFT) {
			n = malloc((1U << want) / 8);
			if (!n)
				r = -ENOMEM;
		}
		if (!r) {
			free(b->bits[f]);
			b->bits[f] = n;
			b->shift[f] = (uint8_t)want;
		}
	}
	lrg_bloom_clear(b, seq);
	return r;
}

void lrg_bloom_set(struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr)
{
	unsigned int f = filter_gen_from_seq(seq);
	uint64_t *w = filter(b, f);
	unsigned int mask = (1U << b->shift[f]) - 1;
	unsigned int key[2];
	bool added = false;

	lrg_bloom_keys(mm_key, addr, key);
	for (int i = 0; i < 2; i++) {
		unsigned int k = key[i] & mask;
		uint64_t bit = 1ULL << (k % 64);

		/* test first, like the seeds: avoid dirtying shared lines */
		if (!(__atomic_load_n(&w[k / 64], __ATOMIC_RELAXED) & bit)) {
			__atomic_fetch_or(&w[k / 64], bit, __ATOMIC_RELAXED);
			added = true;
		}
	}
	if (added)
		__atomic_fetch_add(&b->items[f], 1, __ATOMIC_RELAXED);
}

bool lrg_bloom_test(const struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr)
{
	unsigned int f = filter_gen_from_seq(seq);
	const uint64_t *w = cfilter(b, f);
	unsigned int mask = (1U << b->shift[f]) - 1;
	unsigned int key[2];

	lrg_bloom_keys(mm_key, addr, key);
	for (int i = 0; i < 2; i++) {
		unsigned int k = key[i] & mask;

		if (!(__atomic_load_n(&w[k / 64], __ATOMIC_RELAXED) & (1ULL << (k % 64))))
			return false;
	}
	return true;
}

unsigned int lrg_bloom_size(const struct lrg_bloom *b, uint64_t seq)
{
	return 1U << b->shift[filter_gen_from_seq(seq)];
}

uint32_t lrg_bloom_items(const struct lrg_bloom *b, uint64_t seq)
{
	return __atomic_load_n(&b->items[filter_gen_from_seq(seq)], __ATOMIC_RELAXED);
}
