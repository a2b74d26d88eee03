// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bloom - the double-buffered Bloom filters: no false negatives, the
 * false positive rates the seeds quote for m = 2^15, k = 2 (~1/5 at
 * n = 10,000, ~1/2 at n = 20,000), and the double buffering; sizing: a
 * filter sized for n items stays under ~1.5% false positives at n, grows
 * at once, shrinks only when 4 times too big, never exceeds 2^15 bits, and
 * keeps no false negatives across resizes; its items count.
 */
#include <math.h>
#include <stdlib.h>

#include "bloom.h"
#include "lrg_backend.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* n items as a machine would have them: a few dozen mms, dense address runs */
static void item(unsigned int i, uint64_t *mm, uint64_t *addr)
{
	*mm = 1000 + i % 37;
	*addr = 0x7f0000000000ULL + (uint64_t)(i / 37) * LRG_PMD_SIZE;
}

static double fp_rate(struct lrg_bloom *b, unsigned int n)
{
	unsigned int fp = 0, trials = 200000, fn = 0;

	lrg_bloom_clear(b, 0);   /* keeps the size the caller chose */
	for (unsigned int i = 0; i < n; i++) {
		uint64_t mm, addr;

		item(i, &mm, &addr);
		lrg_bloom_set(b, 0, mm, addr);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t mm, addr;

		item(i, &mm, &addr);
		if (!lrg_bloom_test(b, 0, mm, addr))
			fn++;
	}
	ok(fn == 0, "n=%u: every inserted item tests positive (%u false negatives)", n, fn);
	for (unsigned int i = 0; i < trials; i++) {
		/* half other mms at the same addresses, half random addresses */
		uint64_t mm, addr;

		if (i & 1) {
			item(xorshift() % n, &mm, &addr);
			mm += 100;
		} else {
			mm = 1000 + xorshift() % 37;
			addr = (0x100000000000ULL + (xorshift() % (1ULL << 30)) * LRG_PMD_SIZE);
		}
		if (lrg_bloom_test(b, 0, mm, addr))
			fp++;
	}
	return (double)fp / trials;
}

int main(void)
{
	static struct lrg_bloom b;
	unsigned int key[2];
	double theory, r;
	int bad = 0;

	lrg_bloom_init(&b);
	ok(lrg_bloom_size(&b, 0) == LRG_BLOOM_MIN_BITS && lrg_bloom_size(&b, 1) == LRG_BLOOM_MIN_BITS &&
	   !b.bits[0] && !b.bits[1], "init: both filters at the smallest size, nothing allocated");
	ok(lrg_bloom_clear_sized(&b, 0, 20000) == 0 && lrg_bloom_size(&b, 0) == LRG_BLOOM_BITS &&
	   lrg_bloom_size(&b, 1) == LRG_BLOOM_MIN_BITS,
	   "sized for 20,000 items: the seeds' 2^15 bits (the cap), the other filter untouched");

	for (unsigned int i = 0; i < 100000; i++) {
		lrg_bloom_keys(xorshift(), xorshift() & LRG_PMD_MASK, key);
		if (key[0] >= LRG_BLOOM_BITS || key[1] >= LRG_BLOOM_BITS)
			bad++;
	}
	ok(!bad, "both keys are 15-bit");

	/* (1 - e^(-kn/m))^k */
	theory = pow(1 - exp(-2.0 * 10000 / LRG_BLOOM_BITS), 2);
	r = fp_rate(&b, 10000);
	diag("n=10000: measured FP rate %.4f, theory %.4f, seeds ~1/5", r, theory);
	ok(r > 0.17 && r < 0.25, "n=10000: FP rate %.4f within [0.17, 0.25]", r);

	theory = pow(1 - exp(-2.0 * 20000 / LRG_BLOOM_BITS), 2);
	r = fp_rate(&b, 20000);
	diag("n=20000: measured FP rate %.4f, theory %.4f, seeds ~1/2", r, theory);
	ok(r > 0.44 && r < 0.55, "n=20000: FP rate %.4f within [0.44, 0.55]", r);

	r = fp_rate(&b, 1000);
	diag("n=1000: measured FP rate %.4f", r);
	ok(r < 0.01, "n=1000: FP rate %.4f below 1%%", r);

	/* double buffering: seq and seq + 1 use different filters */
	lrg_bloom_destroy(&b);
	lrg_bloom_set(&b, 7, 42, 0x400000);
	ok(lrg_bloom_test(&b, 7, 42, 0x400000), "set in gen 7 tests positive in gen 7");
	ok(lrg_bloom_test(&b, 9, 42, 0x400000), "gen 9 shares gen 7's filter");
	ok(!lrg_bloom_test(&b, 8, 42, 0x400000), "gen 8 uses the other filter");
	ok(!lrg_bloom_test(&b, 7, 43, 0x400000), "another mm at the same address is not found");
	lrg_bloom_set(&b, 8, 42, 0x600000);
	lrg_bloom_clear(&b, 9);
	ok(!lrg_bloom_test(&b, 7, 42, 0x400000), "clearing gen 9 empties gen 7's filter");
	ok(lrg_bloom_test(&b, 8, 42, 0x600000), "and leaves gen 8's alone");

	/* sizing */
	for (unsigned int n = 1; n <= 2048; n *= 4) {
		unsigned int fn = 0, fp = 0;

		lrg_bloom_clear_sized(&b, 1, n);
		for (unsigned int i = 0; i < n; i++)
			lrg_bloom_set(&b, 1, 5000 + i % 7, 0x7f0000000000ULL + (uint64_t)i * LRG_PMD_SIZE);
		for (unsigned int i = 0; i < n; i++)
			if (!lrg_bloom_test(&b, 1, 5000 + i % 7, 0x7f0000000000ULL + (uint64_t)i * LRG_PMD_SIZE))
				fn++;
		for (unsigned int i = 0; i < 100000; i++)
			if (lrg_bloom_test(&b, 1, 9000 + xorshift() % 1000,
					   (xorshift() % (1ULL << 30)) * LRG_PMD_SIZE))
				fp++;
		ok(!fn && fp < 2000 && lrg_bloom_size(&b, 1) >= 16 * n &&
		   lrg_bloom_size(&b, 1) <= (n * 32 > LRG_BLOOM_MIN_BITS ? n * 32 : LRG_BLOOM_MIN_BITS),
		   "sized for n=%u: %u bits, %u false negatives, FP rate %.4f at n", n,
		   lrg_bloom_size(&b, 1), fn, fp / 100000.0);
		ok(lrg_bloom_items(&b, 1) <= n && lrg_bloom_items(&b, 1) >= n * 9 / 10,
		   "n=%u: %u items counted", n, lrg_bloom_items(&b, 1));
	}
	lrg_bloom_clear_sized(&b, 0, 1000);
	ok(lrg_bloom_size(&b, 0) == 1U << 14, "1,000 items: 2^14 bits (%u)", lrg_bloom_size(&b, 0));
	lrg_bloom_clear_sized(&b, 0, 300);
	ok(lrg_bloom_size(&b, 0) == 1U << 14, "300 items (wants 2^13): no shrink under 4x");
	lrg_bloom_clear_sized(&b, 0, 200);
	ok(lrg_bloom_size(&b, 0) == 1U << 12, "200 items (wants 2^12, 4x smaller): shrinks");
	lrg_bloom_set(&b, 0, 1, 0);
	lrg_bloom_clear_sized(&b, 0, 1);
	ok(lrg_bloom_size(&b, 0) == LRG_BLOOM_MIN_BITS && !b.bits[0] && !lrg_bloom_items(&b, 0) &&
	   !lrg_bloom_test(&b, 0, 1, 0), "1 item: back to the built-in smallest filter, empty");
	ok(lrg_bloom_shift_for(1ULL << 40) == LRG_BLOOM_SHIFT && lrg_bloom_shift_for(0) == LRG_BLOOM_MIN_SHIFT,
	   "sizes stay within 2^10..2^15 bits");
	lrg_bloom_destroy(&b);
	return tap_done();
}
