/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * status_memo.h - what a process's /proc/PID/status said of its resident
 * pages (anon + shmem, file), kept while the total that /proc/PID/stat
 * gives (its rss field) stays the same, so that a listing (every process,
 * every 2 s under pressure) need not read the status of a process whose
 * size has not changed: of the files a listing reads per process, the
 * status is the largest and the costliest for the kernel to write.
 *
 * The split is as of the last status read, at most LRG_STATUS_MEMO_TTL_MS
 * ago: the same total with pages moved between anon and file (a process
 * that drops file pages and maps as many anon) is seen that much later.
 * One slot per pid modulo LRG_STATUS_MEMO_SLOTS, held by the mm_key last
 * put there: on a machine with more processes some are read every time.
 */
#ifndef LRG_STATUS_MEMO_H
#define LRG_STATUS_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define LRG_STATUS_MEMO_SLOTS 512
#define LRG_STATUS_MEMO_TTL_MS 30000

struct lrg_status_memo_slot {
	uint64_t mm_key;          /* 0: empty */
	uint64_t rss;             /* stat's rss (pages) when the status was read */
	uint64_t nr_anon, nr_file;
	uint64_t read_ms;
};

struct lrg_status_memo {
	struct lrg_status_memo_slot slot[LRG_STATUS_MEMO_SLOTS];
};

/* The split remembered for mm_key (pid's), if its total is still rss and
 * it is fresh at now_ms: file pages as remembered (rss at most), anon the
 * rest of rss, so the total is always stat's. */
bool lrg_status_memo_get(const struct lrg_status_memo *m, pid_t pid, uint64_t mm_key,
			 uint64_t rss, uint64_t now_ms, uint64_t *ret_anon, uint64_t *ret_file);

void lrg_status_memo_put(struct lrg_status_memo *m, pid_t pid, uint64_t mm_key, uint64_t rss,
			 uint64_t nr_anon, uint64_t nr_file, uint64_t now_ms);

#endif /* LRG_STATUS_MEMO_H */
