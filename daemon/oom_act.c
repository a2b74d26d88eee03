// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_act.c - acting on an OOM verdict (see the header).
 *
 * The order is the point: the signal leaves before a single line is
 * formatted. The journal is a blocking socket whose reader may be stalled
 * by the very pressure the kill relieves, and the desktop notification
 * forks; both come after the victim is on its way out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroups.h"
#include "lrg_log.h"
#include "oom_act.h"
#include "pidfd.h"

/* The stack a kill and its log lines reach, touched once at start with
 * room to spare: the largest frame on that path is the kill event's
 * (19 KiB, its fields); the event loop, the decision, the code check of
 * the scan and sd_journal_sendv add a few KiB each. The deepest the
 * daemon's stack went through three kills of a respawn loop was 47 KiB.
 * memlock.c faults in the main stack's whole mapping (the kernel's first
 * 128 KiB and more); this makes sure of the depth wherever it runs. */
#define PREFAULT_STACK_BYTES (64 * 1024)

static int default_kill(void *ctx, const struct lrg_oom_verdict *v)
{
	const struct lrg_oom_actor *a = ctx;

	/* A simulated kernel kills its memcg by id: its processes sit in it. */
	if (!v->kill.whole_cgroup || lrg_backend_has(a->b, LRG_CAP_VIRTUAL_TIME))
		return a->b->ops->kill(a->b, &v->kill);
	if (!a->cgroup_root[0] || !v->kill_cgroup)
		return -EOPNOTSUPP;
	return lrg_cgroup_kill(a->cgroup_root, v->kill_cgroup);
}

static void default_log(void *ctx, int priority, const char *line)
{
	lrg_log(priority, "%s", line);
}

static void default_event(void *ctx, int priority, const char *message_id, const char *message,
			  const char *const *fields)
{
	lrg_log_event(priority, message_id, message, fields);
}

static int default_notify(void *ctx, long uid, const struct lrg_kill_note *n)
{
	return lrg_notify_desktop_kill("/run/user", uid, n);
}

static const struct lrg_oom_act_ops default_ops = {
	.kill = default_kill,
	.log = default_log,
	.event = default_event,
	.notify = default_notify,
};

void lrg_oom_actor_init(struct lrg_oom_actor *a, struct lrg_backend *b, const char *cgroup_root)
{
	memset(a, 0, sizeof(*a));
	a->ops = &default_ops;
	a->ctx = a;
	a->b = b;
	snprintf(a->cgroup_root, sizeof(a->cgroup_root), "%s", cgroup_root ? cgroup_root : "");
}

static void say(const struct lrg_oom_actor *a, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(const struct lrg_oom_actor *a, int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->ops->log(a->ctx, priority, line);
}

static const char *domain_label(const struct lrg_oom_verdict *v)
{
	return v->req->global ? "the machine" : v->domain_name;
}

void lrg_oom_act_summary(const struct lrg_oom_verdict *v, int r, char *buf, size_t len)
{
	const struct lrg_oom_candidate *c = v->victim;

	switch (v->kind) {
	case LRG_OOM_KERNEL_RECENT:
		snprintf(buf, len, "the kernel's OOM killer acted %" PRIu64 " ms ago: waiting", v->ago_ms);
		break;
	case LRG_OOM_PRESSURE_GONE:
		snprintf(buf, len, "pressure gone before the kill (%s)", v->domain_name);
		break;
	case LRG_OOM_INCOMPLETE:
		snprintf(buf, len, "candidates incomplete (%zu of %zu processes read): left to the kernel",
			 v->nr_cands, v->nr_seen);
		break;
	case LRG_OOM_GUARDED:
		snprintf(buf, len, "waiting for pid %d's memory (%s)", (int)v->waiting_for,
			 v->domain_name);
		break;
	case LRG_OOM_STALE_THRASH:
		snprintf(buf, len, "thrash seen before the last kill's memory came back (%s):"
			 " waiting for a window after it", v->domain_name);
		break;
	case LRG_OOM_NO_VICTIM:
		snprintf(buf, len, "no eligible victim");
		break;
	case LRG_OOM_STILL_EXITING:
		snprintf(buf, len, "pid %d (%s), killed %" PRIu64 " ms ago, is still exiting%s",
			 (int)c->pid, c->comm, v->ago_ms, r < 0 && r != -ESRCH ? " (signal failed)" : "");
		break;
	case LRG_OOM_KERNEL_MEANWHILE:
		snprintf(buf, len, "the kernel's OOM killer acted while the candidates were read: waiting"
			 " (pid %d (%s) lives)", (int)c->pid, c->comm);
		break;
	case LRG_OOM_KILL:
		snprintf(buf, len, "%s pid %d (%s)",
			 v->dry_run ? "would kill" : r ? "failed to kill" : "killed", (int)c->pid, c->comm);
		break;
	}
}

/* The decision's header and its best ranked candidates. */
static void log_candidates(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v)
{
	const struct lrg_oom_request *req = v->req;

	say(a, LOG_NOTICE, "OOM decision in %s (%s): oldest generation %" PRIu64 " ms, min_ttl %u ms"
	    " (available %" PRIu64 " KiB, PSI full avg10 %.2f); %zu candidate(s)",
	    domain_label(v), req->reason, req->oldest_age_ms, req->min_ttl_ms,
	    req->pressure.mem_available / 1024, req->pressure.psi_full_avg10, v->nr_cands);
	for (size_t i = 0; i < v->nr_top; i++) {
		const struct lrg_oom_candidate *c = v->top[i];

		say(a, LOG_INFO, "  candidate %zu: pid %d (%s) cgroup %s rss %" PRIu64 " KiB grew %" PRIu64
		    " KiB adj %d badness %" PRId64 ": %s",
		    i + 1, (int)c->pid, c->comm, c->cgroup ? c->cgroup : "?", c->rss_pages * 4,
		    c->growth_pages * 4, c->oom_score_adj, c->badness, c->reason);
	}
}

static void log_kill_event(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v, int err)
{
	const struct lrg_oom_request *req = v->req;
	const struct lrg_oom_candidate *c = v->victim;
	const struct lrg_pressure *p = &req->pressure;
	const char *why = req->reason[0] ? req->reason : "working set at risk";
	bool dry = v->dry_run, whole = v->kill.whole_cgroup;
	char f[21][288];
	/* the cgroup paths, whole: up to LRG_CGROUP_PATH_MAX */
	char cg_field[LRG_CGROUP_PATH_MAX + 16], domain_field[LRG_CGROUP_PATH_MAX + 16];
	char kill_cgroup[LRG_CGROUP_PATH_MAX + 16], msg[512];
	const char *fields[22] = { NULL };
	char respawn[96];
	int n = 0, i;

	snprintf(respawn, sizeof(respawn), "; respawn loop: its cgroup's %u kills within %u ms",
		 v->respawn_kills + 1, c->slice ? c->slice->respawn_window_ms : 0);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_PID=%d", (int)c->pid);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_COMM=%s", c->comm);
	snprintf(cg_field, sizeof(cg_field), "VICTIM_CGROUP=%s", c->cgroup ? c->cgroup : "/");
	fields[n++] = cg_field;
	snprintf(f[n++], sizeof(f[0]), "VICTIM_RSS_KB=%" PRIu64, c->rss_pages * 4);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_SWAP_KB=%" PRIu64, c->swap_pages * 4);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_GROWTH_KB=%" PRIu64, c->growth_pages * 4);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_OOM_SCORE_ADJ=%d", c->oom_score_adj);
	snprintf(f[n++], sizeof(f[0]), "REASON=%s", c->reason);
	snprintf(f[n++], sizeof(f[0]), "DECISION=%s", why);
	snprintf(f[n++], sizeof(f[0]), "KILL_UNIT=%s", whole ? "cgroup" : "process");
	snprintf(f[n++], sizeof(f[0]), "RESPAWN_KILLS=%u", v->respawn_kills);
	snprintf(domain_field, sizeof(domain_field), "OOM_DOMAIN=%s", v->domain_name);
	fields[n++] = domain_field;
	snprintf(f[n++], sizeof(f[0]), "TTL_SLICE=%s", req->slice);
	snprintf(f[n++], sizeof(f[0]), "MIN_TTL_MS=%u", req->min_ttl_ms);
	snprintf(f[n++], sizeof(f[0]), "OLDEST_GEN_AGE_MS=%" PRIu64, req->oldest_age_ms);
	snprintf(f[n++], sizeof(f[0]), "MEM_AVAILABLE_KB=%" PRIu64, p->mem_available / 1024);
	snprintf(f[n++], sizeof(f[0]), "SWAP_FREE_KB=%" PRIu64, p->swap_free / 1024);
	snprintf(f[n++], sizeof(f[0]), "PSI_FULL_AVG10=%.2f", p->psi_full_avg10);
	snprintf(f[n++], sizeof(f[0]), "DRY_RUN=%d", dry);
	snprintf(f[n++], sizeof(f[0]), "ERRNO=%d", -err);
	for (i = 0; i < n; i++)
		if (!fields[i])
			fields[i] = f[i];
	if (whole) {
		/* the cgroup that went, which can be longer than a field row */
		snprintf(kill_cgroup, sizeof(kill_cgroup), "KILL_CGROUP=%s", v->kill_cgroup);
		fields[i++] = kill_cgroup;
	}
	fields[i] = NULL;
	snprintf(msg, sizeof(msg), "%s %s %d (%s), %" PRIu64 " KiB: %s; %s (oldest generation %" PRIu64
		 " ms, min_ttl %u ms)%s%s",
		 dry ? "would kill" : err ? "failed to kill" : "killed", whole ? "cgroup of pid" : "pid",
		 (int)c->pid, c->comm, c->rss_pages * 4, c->reason, why, req->oldest_age_ms,
		 req->min_ttl_ms, v->respawn ? respawn : "", dry ? " (dry run)" : "");
	a->ops->event(a->ctx, err ? LOG_ERR : LOG_WARNING, LRG_MESSAGE_ID_KILL, msg, fields);
}

/* After the kill: tell the victim's desktop session, if it has one. */
static void notify_session(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v)
{
	const struct lrg_oom_candidate *c = v->victim;
	struct lrg_kill_note note = { .pid = c->pid, .rss_kb = c->rss_pages * (LRG_PAGE_SIZE / 1024),
				      .reason = c->reason, .whole_cgroup = v->kill.whole_cgroup,
				      .domain = v->domain_name };
	long uid = lrg_session_uid_of_cgroup(c->cgroup);
	int r;

	memcpy(note.comm, c->comm, sizeof(note.comm));
	note.comm[sizeof(note.comm) - 1] = '\0';
	r = a->ops->notify(a->ctx, uid, &note);
	if (r < 0)
		say(a, LOG_DEBUG, "no desktop notification for pid %d (uid %ld): %s", (int)c->pid, uid,
		    strerror(-r));
}

/* The one line of a decision that killed nobody, at the verdict's level. */
static void say_skip(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v, int r)
{
	static const int level[] = { [LRG_OOM_SAY_DEBUG] = LOG_DEBUG,
				     [LRG_OOM_SAY_NOTICE] = LOG_NOTICE,
				     [LRG_OOM_SAY_WARNING] = LOG_WARNING };
	char what[512];

	if (v->say == LRG_OOM_SAY_NOTHING)
		return;
	lrg_oom_act_summary(v, r, what, sizeof(what));
	if (v->kind == LRG_OOM_PRESSURE_GONE || v->kind == LRG_OOM_STALE_THRASH)
		say(a, level[v->say], "OOM decision skipped: %s", what);
	else
		say(a, level[v->say], "OOM decision in %s%s: %s", domain_label(v),
		    v->kind == LRG_OOM_STILL_EXITING ? "" : " skipped", what);
}

int lrg_oom_act(const struct lrg_oom_actor *a, const struct lrg_oom_verdict *v,
		bool notify_desktop)
{
	bool kill = v->kind == LRG_OOM_KILL && !v->dry_run;
	int r = 0;

	if (kill || v->kind == LRG_OOM_STILL_EXITING)
		r = a->ops->kill(a->ctx, v);
	/* From here on the victim is on its way out: say what happened. */
	if (v->list)
		log_candidates(a, v);
	if (v->cgroup_refused && v->kind == LRG_OOM_KILL)
		say(a, LOG_NOTICE, "oom = cgroup: the own cgroup of pid %d (%s) is unknown, the root,"
		    " or not below %s: the process alone is killed", (int)v->victim->pid,
		    v->victim->comm, v->victim->cgroup ? v->victim->cgroup : "/");
	if (v->kind == LRG_OOM_KILL)
		log_kill_event(a, v, r);
	else if (v->kind == LRG_OOM_NO_VICTIM && v->event)
		a->ops->event(a->ctx, LOG_WARNING, LRG_MESSAGE_ID_NO_VICTIM,
			      "OOM decision: no eligible victim (all protected or excluded)", NULL);
	else
		say_skip(a, v, r);
	if (kill && r == 0 && notify_desktop)
		notify_session(a, v);
	return r;
}

static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[PREFAULT_STACK_BYTES];

	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
}

void lrg_oom_act_prefault(const struct lrg_oom_actor *a)
{
	struct lrg_kill_req self = { .pid = getpid(), .start_time = UINT64_MAX, .release = true };
	char num[32];
	int fd;

	touch_stack();
	/* the kill's log lines are the first to format a fraction: the
	 * C library's tables for it read now, not after the first signal */
	snprintf(num, sizeof(num), "%.2f", (double)self.pid / 3);
	fd = lrg_pidfd_open(getpid());
	if (fd >= 0) {
		(void)lrg_pidfd_send_signal(fd, 0);
		close(fd);
	}
	/* No process started at UINT64_MAX ticks: the backend's start-time
	 * check refuses, after pidfd_open and the read of /proc/PID/stat. */
	if (!lrg_backend_has(a->b, LRG_CAP_VIRTUAL_TIME) && a->b->ops->kill)
		(void)a->b->ops->kill(a->b, &self);
}
