/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kthreads.h - the pids last seen as kernel threads, so that a listing of
 * the root cgroup (where every kernel thread is) does not read each one's
 * /proc/PID/stat again at every listing.
 *
 * A pid a kernel thread left can be taken by a process only once the
 * kernel's pid cursor (/proc/loadavg) has passed it again: the set is
 * trusted for pids the cursor has not passed since it began, and forgotten
 * whole when the cursor wrapped, or every LRG_KTHREADS_TTL_MS. (A cursor
 * that wraps and climbs back past where the set began between two
 * listings, pid_max forks within seconds, is not seen.)
 */
#ifndef LRG_KTHREADS_H
#define LRG_KTHREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LRG_KTHREADS_TTL_MS 60000

struct lrg_kthreads {
	pid_t *v;
	size_t n, sorted, cap;   /* v[0, sorted) in order; the rest added since */
	uint64_t since_ms;       /* when the set began (0: empty) */
	pid_t first_pid;         /* the pid cursor when the set began */
	pid_t last_pid;          /* ... and at the last lrg_kthreads_expire */
};

/* In the set, and not handed out again since? (what was added since the
 * last lrg_kthreads_settle is not searched: a listing meets each pid once) */
bool lrg_kthreads_has(const struct lrg_kthreads *k, pid_t pid);
/* Remember pid; without memory it is simply read again next time. */
void lrg_kthreads_add(struct lrg_kthreads *k, pid_t pid);
/* After a listing: order what was added, for lrg_kthreads_has. */
void lrg_kthreads_settle(struct lrg_kthreads *k);
/* Before a listing, with the kernel's pid cursor (last_pid): forget the set
 * when it is LRG_KTHREADS_TTL_MS old or the cursor wrapped. */
void lrg_kthreads_expire(struct lrg_kthreads *k, uint64_t now_ms, pid_t last_pid);
void lrg_kthreads_free(struct lrg_kthreads *k);

#endif /* LRG_KTHREADS_H */
