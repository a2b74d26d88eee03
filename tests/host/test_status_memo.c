// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_status_memo.c - a process's resident split is remembered while its
 * total stays the same, for its own mm_key only, and not for long.
 */
#include <stdbool.h>
#include <string.h>

#include "status_memo.h"
#include "tap.h"

static struct lrg_status_memo memo;

int main(void)
{
	uint64_t anon = 0, file = 0;
	bool hit;

	memset(&memo, 0, sizeof(memo));
	ok(!lrg_status_memo_get(&memo, 100, 0, 0, 1000, &anon, &file),
	   "an empty memo knows nothing, not even of mm_key 0 with rss 0");
	lrg_status_memo_put(&memo, 100, 0xabc, 300, 200, 100, 1000);
	hit = lrg_status_memo_get(&memo, 100, 0xabc, 300, 2000, &anon, &file);
	ok(hit && anon == 200 && file == 100, "same mm_key, same rss: the split as read (%llu anon, %llu file)",
	   (unsigned long long)anon, (unsigned long long)file);
	ok(!lrg_status_memo_get(&memo, 100, 0xabc, 301, 2000, &anon, &file),
	   "one page more or less: read again");
	ok(!lrg_status_memo_get(&memo, 100, 0xdef, 300, 2000, &anon, &file),
	   "the pid reused (another mm_key): read again");
	ok(!lrg_status_memo_get(&memo, 100, 0xabc, 300, 1000 + LRG_STATUS_MEMO_TTL_MS, &anon,
				&file), "after LRG_STATUS_MEMO_TTL_MS: read again");
	ok(!lrg_status_memo_get(&memo, 100, 0xabc, 300, 999, &anon, &file),
	   "a clock before the read: read again");

	lrg_status_memo_put(&memo, 100 + LRG_STATUS_MEMO_SLOTS, 0x123, 50, 50, 0, 1500);
	ok(!lrg_status_memo_get(&memo, 100, 0xabc, 300, 2000, &anon, &file) &&
	   lrg_status_memo_get(&memo, 100 + LRG_STATUS_MEMO_SLOTS, 0x123, 50, 2000, &anon, &file) &&
	   anon == 50, "a pid of the same slot takes it over");
	/* the status read after stat saw 2 pages more: the total is stat's */
	lrg_status_memo_put(&memo, 102, 0x789, 10, 6, 6, 1500);
	hit = lrg_status_memo_get(&memo, 102, 0x789, 10, 2000, &anon, &file);
	ok(hit && anon + file == 10 && file == 6,
	   "a status that disagreed with stat's total: stat's total, the status's file pages "
	   "(%llu anon, %llu file)", (unsigned long long)anon, (unsigned long long)file);
	lrg_status_memo_put(&memo, 101, 0x456, 10, 4, 6, 1500);
	ok(lrg_status_memo_get(&memo, 101, 0x456, 10, 2000, &anon, &file) && anon == 4 &&
	   file == 6 && lrg_status_memo_get(&memo, 100 + LRG_STATUS_MEMO_SLOTS, 0x123, 50, 2000,
					    &anon, &file), "neighbouring pids keep their own slots");
	return tap_done();
}
