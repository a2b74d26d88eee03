// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_kthreads.c - the pids remembered as kernel threads: found once
 * settled, each once; not trusted once the kernel's pid cursor passed
 * them again; forgotten whole when the cursor wraps or after
 * LRG_KTHREADS_TTL_MS.
 */
#include "kthreads.h"
#include "procfs.h"
#include "tap.h"

int main(void)
{
	struct lrg_kthreads k = { 0 };
	uint64_t t0 = 5000;
	pid_t last = 0;
	bool all = true;

	lrg_kthreads_expire(&k, t0, 500);
	ok(!lrg_kthreads_has(&k, 2), "empty: pid 2 unknown");
	for (pid_t pid = 400; pid > 0; pid -= 2)
		lrg_kthreads_add(&k, pid);
	lrg_kthreads_add(&k, 2);
	ok(!lrg_kthreads_has(&k, 2), "added but not settled: not searched");
	lrg_kthreads_settle(&k);
	for (pid_t pid = 2; pid <= 400; pid += 2)
		all = all && lrg_kthreads_has(&k, pid) && !lrg_kthreads_has(&k, pid + 1);
	ok(all && k.n == 200, "settled: the 200 even pids found, no odd one, pid 2 once (%zu)", k.n);

	/* the cursor moves on from 500 to 700: pids up to 500 were not handed
	 * out again; 600, a kernel thread made since, is not trusted */
	lrg_kthreads_expire(&k, t0 + 10, 700);
	lrg_kthreads_add(&k, 600);
	lrg_kthreads_settle(&k);
	ok(lrg_kthreads_has(&k, 400) && !lrg_kthreads_has(&k, 600) && k.n == 201,
	   "cursor at 700: pid 400 trusted, 600 (handed out since the set began) read again");
	lrg_kthreads_expire(&k, t0 + LRG_KTHREADS_TTL_MS - 1, 800);
	ok(lrg_kthreads_has(&k, 2), "kept until the set is LRG_KTHREADS_TTL_MS old");
	lrg_kthreads_expire(&k, t0 + 20, 100);
	ok(!lrg_kthreads_has(&k, 2) && !lrg_kthreads_has(&k, 400) && k.n == 0,
	   "the cursor wrapped (800 -> 100): every pid is read again");
	lrg_kthreads_add(&k, 50);
	lrg_kthreads_settle(&k);
	lrg_kthreads_expire(&k, t0 + 30, 150);
	ok(lrg_kthreads_has(&k, 50), "a new set from the wrapped cursor: pid 50 trusted");
	lrg_kthreads_expire(&k, t0 + 20 + LRG_KTHREADS_TTL_MS, 160);
	ok(!lrg_kthreads_has(&k, 50) && k.n == 0, "then forgotten whole after LRG_KTHREADS_TTL_MS");
	lrg_kthreads_free(&k);

	ok(lrg_parse_loadavg_last_pid("0.12 0.30 0.25 2/183 45678\n", &last) == 0 && last == 45678,
	   "/proc/loadavg: the last pid handed out (%d)", (int)last);
	ok(lrg_parse_loadavg_last_pid("0.12 0.30 0.25 2/183 4x\n", &last) < 0 &&
	   lrg_parse_loadavg_last_pid("garbage", &last) < 0,
	   "/proc/loadavg malformed: an error, not a pid");
	ok(lrg_procfs_read_last_pid("/proc", &last) == 0 && last > 0,
	   "this machine's pid cursor read (%d)", (int)last);
	return tap_done();
}
