// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_kthreads.c - the pids remembered as kernel threads: found once
 * settled, each once, forgotten whole after LRG_KTHREADS_TTL_MS.
 */
#include "kthreads.h"
#include "tap.h"

int main(void)
{
	struct lrg_kthreads k = { 0 };
	uint64_t t0 = 5000;
	bool all = true;

	lrg_kthreads_expire(&k, t0);
	ok(!lrg_kthreads_has(&k, 2), "empty: pid 2 unknown");
	for (pid_t pid = 400; pid > 0; pid -= 2)
		lrg_kthreads_add(&k, pid, t0);
	lrg_kthreads_add(&k, 2, t0);
	ok(!lrg_kthreads_has(&k, 2), "added but not settled: not searched");
	lrg_kthreads_settle(&k);
	for (pid_t pid = 2; pid <= 400; pid += 2)
		all = all && lrg_kthreads_has(&k, pid) && !lrg_kthreads_has(&k, pid + 1);
	ok(all && k.n == 200, "settled: the 200 even pids found, no odd one, pid 2 once (%zu)", k.n);
	lrg_kthreads_add(&k, 1001, t0 + 10);
	lrg_kthreads_settle(&k);
	ok(lrg_kthreads_has(&k, 1001) && lrg_kthreads_has(&k, 400) && k.n == 201,
	   "a later listing's pid joins the set (%zu)", k.n);
	lrg_kthreads_expire(&k, t0 + LRG_KTHREADS_TTL_MS - 1);
	ok(lrg_kthreads_has(&k, 1001), "kept until the set is LRG_KTHREADS_TTL_MS old");
	lrg_kthreads_expire(&k, t0 + LRG_KTHREADS_TTL_MS);
	ok(!lrg_kthreads_has(&k, 1001) && !lrg_kthreads_has(&k, 2) && k.n == 0,
	   "then forgotten whole: every pid is read again");
	lrg_kthreads_add(&k, 7, t0 + LRG_KTHREADS_TTL_MS + 5);
	lrg_kthreads_settle(&k);
	lrg_kthreads_expire(&k, t0 + 2 * LRG_KTHREADS_TTL_MS);
	ok(lrg_kthreads_has(&k, 7), "the new set's age counts from its first pid");
	lrg_kthreads_free(&k);
	return tap_done();
}
