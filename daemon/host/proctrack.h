/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proctrack.h - follow processes as they come and go: the kernel's proc
 * connector (NETLINK_CONNECTOR, CN_IDX_PROC) for fork/exec/exit events,
 * reconciled against /proc when events were lost.
 *
 * One entry per thread group (threads are not tracked: they share the
 * leader's mm). An entry is identified by (pid, start time) so a reused pid
 * is a new entry. Processes sharing one mm without being threads
 * (clone(CLONE_VM), vfork before exec) are marked sharers, found with
 * kcmp(KCMP_VM) against the parent, so an address space counts once.
 *
 * Lost events: the socket overflows (ENOBUFS) when events come faster
 * than they are read; lrg_proctrack_dispatch() then flags and runs a full
 * reconciliation against /proc (at once, or at most once per interval:
 * lrg_proctrack_set_reconcile_interval). Without the connector (no
 * CONFIG_PROC_EVENTS, no CAP_NET_ADMIN, a non-initial network namespace)
 * open fails and the caller reconciles on a timer instead.
 */
#ifndef LRG_PROCTRACK_H
#define LRG_PROCTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lrg_proctrack;

struct lrg_proctrack_entry {
	pid_t pid;               /* thread-group leader */
	uint64_t start_time;     /* clock ticks since boot */
	pid_t mm_owner;          /* the process whose mm this one shares; 0 = own */
};

enum lrg_proctrack_change {
	LRG_PROC_ADDED,
	LRG_PROC_EXEC,           /* new program, new mm: no longer a sharer */
	LRG_PROC_REMOVED,
};

typedef void (*lrg_proctrack_fn)(void *ctx, const struct lrg_proctrack_entry *e,
				 enum lrg_proctrack_change change);

struct lrg_proctrack_stats {
	uint64_t events, forks, execs, exits;
	uint64_t overruns;       /* ENOBUFS: events were lost */
	uint64_t reconciles;     /* full passes over /proc */
	uint64_t reused;         /* pids found with another start time */
	uint64_t reconcile_ns;   /* time spent in full passes, total */
	uint64_t reconcile_max_ns; /* the longest one */
	size_t nr_procs;         /* tracked thread groups */
	size_t nr_sharers;       /* of which share another's mm */
};

/*
 * Subscribe to the proc connector and do a first reconciliation.
 * rcvbuf: socket receive buffer in bytes (0: 4 MiB; as root it may exceed
 * net.core.rmem_max). Returns -errno if the connector is unavailable.
 */
int lrg_proctrack_open(const char *proc_root, int rcvbuf, struct lrg_proctrack **ret);
void lrg_proctrack_free(struct lrg_proctrack *t);

/* Called for every change from now on (NULL to stop). */
void lrg_proctrack_set_callback(struct lrg_proctrack *t, lrg_proctrack_fn fn, void *ctx);

/* The socket, for poll(POLLIN). */
int lrg_proctrack_fd(const struct lrg_proctrack *t);

/* Read every pending event without blocking; after an overrun, reconcile.
 * Returns the number of events handled or -errno. */
int lrg_proctrack_dispatch(struct lrg_proctrack *t);

/* Walk /proc: add what is missing, drop what is gone or was reused. */
int lrg_proctrack_reconcile(struct lrg_proctrack *t);

/*
 * After an overrun, dispatch reconciles only if the last full pass is at
 * least interval_ms old (0, the default: always at once). Otherwise the
 * pass stays pending (lrg_proctrack_pending) until a later dispatch, or
 * the caller's timer calls lrg_proctrack_reconcile: a fork storm that
 * overruns the socket on every wake-up then costs one /proc walk per
 * interval, not one per wake-up. UINT64_MAX: never from dispatch.
 */
void lrg_proctrack_set_reconcile_interval(struct lrg_proctrack *t, uint64_t interval_ms);

/* True when events were lost and no full pass has run since: until one
 * does, the table may lack live processes and keep dead ones. */
bool lrg_proctrack_pending(const struct lrg_proctrack *t);

/* 0 and *ret if pid is tracked, else -ENOENT. */
int lrg_proctrack_lookup(const struct lrg_proctrack *t, pid_t pid, struct lrg_proctrack_entry *ret);

typedef int (*lrg_proctrack_iter_fn)(void *ctx, const struct lrg_proctrack_entry *e);
int lrg_proctrack_foreach(const struct lrg_proctrack *t, lrg_proctrack_iter_fn fn, void *ctx);

void lrg_proctrack_get_stats(const struct lrg_proctrack *t, struct lrg_proctrack_stats *ret);

/* Tests only: put an entry as if an event said so (e.g. a stale start
 * time, to check that reconciliation replaces it). */
int lrg_proctrack_inject(struct lrg_proctrack *t, pid_t pid, uint64_t start_time);

#endif /* LRG_PROCTRACK_H */
