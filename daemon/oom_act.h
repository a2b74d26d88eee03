/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom_act.h - acting on an OOM verdict (core/oom_decide.h): the signal
 * first, then everything said about it: the log lines, one structured
 * journal event, the desktop notification. Between the verdict and the
 * signal nothing allocates and nothing is written to the journal, whose
 * socket may be as stalled as the rest of the machine.
 */
#ifndef LRG_OOM_ACT_H
#define LRG_OOM_ACT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lrg_backend.h"
#include "notify_desktop.h"
#include "oom_decide.h"

/* The journal MESSAGE_ID of every kill (and every dry-run "would kill"). */
#define LRG_MESSAGE_ID_KILL "4c1e2f8a9b7d4e06a3c5d2b1e0f9a8c7"
/* The MESSAGE_ID of an OOM decision that found no eligible victim. */
#define LRG_MESSAGE_ID_NO_VICTIM "9d3b7a1c5e2f40b8a6c4e2d0f1b3a5c7"

/* What the act does to the machine and says about it (tests inject their own). */
struct lrg_oom_act_ops {
	/* The signal: SIGKILL by pidfd (then process_mrelease), or, when
	 * v->kill.whole_cgroup, cgroup.kill of v->kill_cgroup. 0 or -errno. */
	int (*kill)(void *ctx, const struct lrg_oom_verdict *v);
	/* One line of the log. */
	void (*log)(void *ctx, int priority, const char *line);
	/* One structured event: fields is NULL-terminated, may be NULL. */
	void (*event)(void *ctx, int priority, const char *message_id, const char *message,
		      const char *const *fields);
	/* Tell uid's desktop session about a kill: 0 or -errno. */
	int (*notify)(void *ctx, long uid, const struct lrg_kill_note *n);
};

struct lrg_oom_actor {
	const struct lrg_oom_act_ops *ops;
	void *ctx;                  /* ops' context; the actor itself for the default ops */
	struct lrg_backend *b;      /* kills processes (and, in virtual time, cgroups) */
	char cgroup_root[PATH_MAX]; /* the cgroup2 mount cgroup.kill is written under; "" none */
};

/* The default ops: the backend's kill or cgroup.kill, lrg_log, lrg_log_event,
 * lrg_notify_desktop_kill. cgroup_root may be NULL. */
void lrg_oom_actor_init(struct lrg_oom_actor *a, struct lrg_backend *b, const char *cgroup_root);

/*
 * Act on v: the signal (a kill that is not a dry run, or the last victim
 * still exiting), then the log lines and the event the verdict asks for,
 * then, after a kill and with notify_desktop, the notification. Returns
 * the signal's 0 or -errno, 0 when none was sent.
 */
int lrg_oom_act(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v,
		bool notify_desktop);

/* One line of what v decided, once acted on (lrugenctl status). */
void lrg_oom_act_summary(const struct lrg_oom_verdict *v, int kill_result, char *buf, size_t len);

/*
 * Run the act's kill path once, on nobody: a pidfd of the daemon itself
 * is opened and sent signal 0, the backend's kill is asked for the daemon
 * with a start time no process has (so it stops at its check), and the
 * stack a kill and its log need is touched. Under mlockall every page
 * this reaches is then present before pressure needs it.
 */
void lrg_oom_act_prefault(const struct lrg_oom_actor *a);

#endif /* LRG_OOM_ACT_H */
