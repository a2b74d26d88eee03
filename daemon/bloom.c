// SPDX-License-Identifier: GPL-2.0-only
/*
 * bloom.c - see bloom.h.
 */
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

void lrg_bloom_init(struct lrg_bloom *b)
{
	memset(b, 0, sizeof(*b));
}

void lrg_bloom_clear(struct lrg_bloom *b, uint64_t seq)
{
	uint64_t *f = b->bits[filter_gen_from_seq(seq)];

	for (unsigned int i = 0; i < LRG_BLOOM_BITS / 64; i++)
		__atomic_store_n(&f[i], 0, __ATOMIC_RELAXED);
}

void lrg_bloom_set(struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr)
{
	uint64_t *f = b->bits[filter_gen_from_seq(seq)];
	unsigned int key[2];

	lrg_bloom_keys(mm_key, addr, key);
	for (int i = 0; i < 2; i++) {
		uint64_t bit = 1ULL << (key[i] % 64);

		/* test first, like the seeds: avoid dirtying shared lines */
		if (!(__atomic_load_n(&f[key[i] / 64], __ATOMIC_RELAXED) & bit))
			__atomic_fetch_or(&f[key[i] / 64], bit, __ATOMIC_RELAXED);
	}
}

bool lrg_bloom_test(const struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr)
{
	const uint64_t *f = b->bits[filter_gen_from_seq(seq)];
	unsigned int key[2];

	lrg_bloom_keys(mm_key, addr, key);
	for (int i = 0; i < 2; i++) {
		if (!(__atomic_load_n(&f[key[i] / 64], __ATOMIC_RELAXED) & (1ULL << (key[i] % 64))))
			return false;
	}
	return true;
}
