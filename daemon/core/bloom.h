/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bloom.h - the seeds' double-buffered Bloom filters of "dense" PMD regions.
 *
 * k = 2. The seeds use m = 2^15 bits for every memcg (false positive rates
 * of ~1/5 at n = 10,000 and ~1/2 at n = 20,000): 8 KiB per memcg, most of
 * it idle on a machine with hundreds of small cgroups. Here each of the two
 * filters has its own size, m = 2^LRG_BLOOM_MIN_SHIFT .. 2^LRG_BLOOM_SHIFT
 * bits, chosen when the filter is cleared for a new generation from the
 * number of items expected (lrg_bloom_clear_sized): at least 16 bits per
 * expected item, which keeps the false positive rate under ~1.5% at that
 * many items, and the seeds' 2^15 from 2,048 expected items up. A filter
 * only shrinks when it is 4 times larger than needed. The smallest size
 * lives inside the struct (256 bytes for the two), so a filter always
 * exists: when a larger one cannot be allocated, the filter stays as it
 * was (more false positives: more regions walked, never fewer).
 *
 * The kernel hashes the address of the PMD entry; user space has no such
 * pointer, so the item is (mm_key, PMD-aligned address), which is just as
 * unique per PTE table.
 *
 * Walkers of generation max_seq test filters[max_seq % 2] and set
 * filters[(max_seq + 1) % 2]; the first walker of an iteration clears the
 * latter. set and test are safe against each other (atomic bit
 * operations) and never allocate; a sized clear may free and allocate the
 * filter it clears, so nothing may set or test that filter meanwhile (the
 * mm list clears it under its lock before any walker of the iteration gets
 * an mm; lrugend's evictions, which set the other filter, run on the same
 * thread).
 */
#ifndef LRG_BLOOM_H
#define LRG_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LRG_BLOOM_SHIFT 15
#define LRG_BLOOM_BITS (1U << LRG_BLOOM_SHIFT)
#define LRG_BLOOM_MIN_SHIFT 10
#define LRG_BLOOM_MIN_BITS (1U << LRG_BLOOM_MIN_SHIFT)
#define LRG_NR_BLOOM_FILTERS 2

struct lrg_bloom {
	/* heap filters, or NULL: the filter is small[] */
	uint64_t *bits[LRG_NR_BLOOM_FILTERS];
	uint8_t shift[LRG_NR_BLOOM_FILTERS];
	/* items added since the filter was cleared (sets that changed a bit) */
	uint32_t items[LRG_NR_BLOOM_FILTERS];
	uint64_t small[LRG_NR_BLOOM_FILTERS][LRG_BLOOM_MIN_BITS / 64];
};

/* Both filters empty, at the smallest size; allocates nothing. */
void lrg_bloom_init(struct lrg_bloom *b);
void lrg_bloom_destroy(struct lrg_bloom *b);
/* Empty the filter that generation seq uses, keeping its size. */
void lrg_bloom_clear(struct lrg_bloom *b, uint64_t seq);
/* Empty it and size it for nr_items (see above); 0 or -ENOMEM (then sized as before). */
int lrg_bloom_clear_sized(struct lrg_bloom *b, uint64_t seq, uint64_t nr_items);
/* Safe against concurrent set/test (atomic bit operations). */
void lrg_bloom_set(struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr);
bool lrg_bloom_test(const struct lrg_bloom *b, uint64_t seq, uint64_t mm_key, uint64_t addr);
/* Bits in the filter generation seq uses, and items added to it since its clear. */
unsigned int lrg_bloom_size(const struct lrg_bloom *b, uint64_t seq);
uint32_t lrg_bloom_items(const struct lrg_bloom *b, uint64_t seq);
/* log2 of the bits a filter for nr_items gets. */
unsigned int lrg_bloom_shift_for(uint64_t nr_items);
/* The two 15-bit keys of an item (exposed for tests); a filter of 2^s
 * bits uses their low s bits. */
void lrg_bloom_keys(uint64_t mm_key, uint64_t addr, unsigned int key[2]);

#endif /* LRG_BLOOM_H */
