/* SPDX-License-Identifier: GPL-2.0-only */
/* manager_int.h - the event loop's state, shared by manager*.c only. */
#ifndef LRG_MANAGER_INT_H
#define LRG_MANAGER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "control.h"
#include "lrg_backend.h"
#include "config_load.h"
#include "lrg_policy.h"
#include "manager.h"
#include "oom.h"
#include "proctrack.h"

/*
 * The engine's lists kept live by the proc connector (manager.c): exits
 * and execs drop address spaces at once, forks and execs add the new ones
 * at once (read from /proc/PID as the backend would list them; when that
 * fails, their memcg is marked for a targeted re-list, at most every
 * LIVE_RELIST_MIN_MS), and lost events (ENOBUFS) bring a reconciliation
 * of the tracker against /proc and a full re-list of the engine (at most
 * every LIVE_FULL_MIN_MS). Without the
 * connector (t == NULL) the periodic full re-list is all there is. No
 * sd-event here: the loop's sources call these, and so can tests.
 */
#define LIVE_RELIST_MIN_MS 200
#define LIVE_FULL_MIN_MS 1000

struct manager_live {
	struct lrg_proctrack *t;
	struct lrg_policy *policy;
	struct lrg_backend *backend;
	char proc_root[256];
	long clk_tck;
	bool full_due;            /* events were lost: reconcile, full re-list */
	uint64_t last_relist_ms;  /* last targeted or full re-list */
	uint64_t last_full_ms;    /* last full re-list (ours or the caller's) */
	uint64_t events;          /* fork/exec events handed to the engine */
	uint64_t relists, fulls, overruns_seen;
};

/* Open the connector (rcvbuf 0: the tracker's default). -errno if it is
 * not available; l is then unusable (l->t NULL). */
int manager_live_open(struct manager_live *l, struct lrg_backend *b, struct lrg_policy *p,
		      const char *proc_root, int rcvbuf);
void manager_live_close(struct manager_live *l);
/* Read the pending events (the socket is readable). Returns the number of
 * events or -errno. */
int manager_live_dispatch(struct manager_live *l);
/* When manager_live_run has work: a time on the backend's clock, or
 * UINT64_MAX for nothing pending. */
uint64_t manager_live_due_ms(const struct manager_live *l);
/* Do what is due at now_ms. Returns 1 after a full re-list (the caller's
 * periodic one may wait), 0 otherwise, or -errno. */
int manager_live_run(struct manager_live *l, uint64_t now_ms);
/* The caller ran a full re-list itself (lrg_policy_refresh). */
void manager_live_refreshed(struct manager_live *l, uint64_t now_ms);

struct manager {
	sd_event *event;
	sd_event_source *tick_source;
	sd_event_source *proc_source;    /* the proc connector's socket */
	sd_event_source *relist_source;  /* one-shot: manager_live_run */
	sd_event_source *stall_source;   /* the machine's PSI trigger */
	uint64_t stall_wakes;            /* ticks it brought forward */
	struct manager_live live;
	struct lrg_backend *backend;
	struct lrg_policy *policy;
	struct lrg_oom *oom;
	struct lrg_control *control;
	struct lrg_config *cfg;
	const struct lrg_manager_opts *opts;
	uint64_t started_ms;
	uint64_t last_refresh_ms;
	uint64_t ticks;
	bool calm;                 /* the last tick's lrg_tick_result.calm */
	char last_decision[160];
	char config_fallback[512];	/* why the built-in profile is in force; "" if the files are */
	/* why the daemon runs on this backend (lrugenctl status) */
	char backend_why[384];
	/* kmod was asked for (auto or kmod): come back to it when it works */
	bool kmod_wanted;
	uint64_t kmod_probe_ms;          /* last look for lrugen.ko, off kmod */
};

/*
 * The machine's PSI trigger (manager_stall.c): tasks stalled on memory
 * for LRG_STALL_WAKE_US within a second wake the tick at once, and the
 * engine may look at a calm machine less often. Logs and returns -errno
 * when the kernel has no PSI or no triggers; the tick then polls.
 */
#define LRG_STALL_WAKE_US 10000u
#define LRG_STALL_WINDOW_US 1000000u
int manager_stall_start(struct manager *m);
void manager_stall_stop(struct manager *m);

/* Reload the config files; on success the new config is in force. diag
 * (may be NULL) receives the parser's diagnostics. Returns 0 or -EINVAL. */
int manager_reload(struct manager *m, struct lrg_diag *diag);

/* The control socket's handlers (manager_control.c). */
extern const struct lrg_control_ops manager_control_ops;

#endif /* LRG_MANAGER_INT_H */
