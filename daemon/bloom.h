/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bloom.h - the seeds' double-buffered Bloom filters of "dense" PMD regions.
 *
 * m = 2^15 bits, k = 2: false positive rates of ~1/5 at n = 10,000 and ~1/2
 * at n = 20,000. The kernel hashes the address of the PMD entry; user space
 * has no such pointer, so the item is (mm_key, PMD-aligned address), which is
 * just as unique per PTE table.
 *
 * Walkers of generation max_seq test filters[max_seq % 2] and set
 * filters[(max_seq + 1) % 2]; the first walker of an iteration clears the
 * latter. The filters are part of the struct (8 KiB): nothing is allocated
 * after lrg_bloom_init(), unlike the seeds' bitmap_zalloc(GFP_ATOMIC) in
 * clear_bloom_filter(), so aging and eviction never allocate for them.
 */
#ifndef LRG_BLOOM_H
#define LRG_BLOOM_H

#include <stdbool.h>
#include <stdint.h>

#define LRG_BLOOM_SHIFT 15
#define LRG_BLOOM_BITS (1U << LRG_BLOOM_SHIFT)
#define LRG_NR_BLOOM_FILTERS 2

struct lrg_bloom {
	uint64_t bits[LRG_NR_BLOOM_FILTERS][LRG_BLOOM_BITS / 64];
};

void lrg_bloom_init(struct lrg_bloom *b);
/* Empty the filter that generation seq uses. */
void lrg_bloom_clear(struct lrg_bloom *b, uint64_t seq);
/* Safe against concurrent set/test (atomic bit operations). */
void lrg_bloom_set(struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr);
bool lrg_bloom_test(const struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr);
/* The two 15-bit keys of an item (exposed for tests). */
void lrg_bloom_keys(uint64_t mm_key, uint64_t addr, unsigned int key[2]);

#endif /* LRG_BLOOM_H */
