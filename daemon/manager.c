// SPDX-License-Identifier: GPL-2.0-only
/*
 * manager.c - lrugend's event loop.
 *
 * One sd-event loop drives everything: a tick timer that runs the policy
 * engine (aging, eviction, min_ttl) when it asks to, in slices of at most
 * tick_budget_ms so the control socket and the proc connector are served
 * between them; the periodic full re-list of cgroups and address spaces;
 * the proc connector's socket, whose fork, exec and exit events keep the
 * engine's lists live between re-lists (struct manager_live); SIGHUP for
 * reload, SIGTERM/SIGINT for exit, and the systemd watchdog. The engine
 * never logs; this file logs what it decided.
 */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "backend_select.h"
#include "clock.h"
#include "lrg_log.h"
#include "manager_int.h"
#include "memlock.h"
#include "procfs.h"

/*
 * How often the address-space lists are re-read from the backend in full.
 * With the proc connector the lists follow processes between re-lists,
 * but the full one stays this frequent: it also brings each memcg's
 * figures and each process's CPU time (the "has it run" hint the next
 * aging relies on), and catches what lost events hid.
 */
#define REFRESH_INTERVAL_MS 2000
/* A tick cut short by its budget runs again this soon, once the loop has
 * served whatever else was waiting. */
#define TICK_CONTINUE_US 5000

/* ---- live lists: the proc connector feeding the engine ---- */

/*
 * A new address space as the backend's listing reports it: its key is
 * lrg_mm_key(), as in every backend with real processes; were the two
 * ever to differ, the next listing finds the entry by its owner and keeps
 * the backend's key. -ESRCH: gone, reused, a zombie or no mm of its own.
 */
static int describe_mm(struct manager_live *l, pid_t pid, uint64_t start_time,
		       struct lrg_mm_info *ret)
{
	struct lrg_proc_status status;
	struct lrg_proc_stat st;
	int r;

	r = lrg_procfs_read_stat(l->proc_root, pid, &st);
	if (r < 0)
		return r;
	if (st.starttime != start_time || lrg_proc_stat_is_kthread(&st) || st.state == 'Z' ||
	    st.state == 'X')
		return -ESRCH;
	r = lrg_procfs_read_status(l->proc_root, pid, &status);
	if (r < 0)
		return r;
	if (!status.has_mm || status.tgid != pid)
		return -ESRCH;
	memset(ret, 0, sizeof(*ret));
	ret->mm_key = lrg_mm_key(pid, st.starttime);
	ret->pid = pid;
	ret->start_time = st.starttime;
	lrg_proc_status_split(&status, LRG_PAGE_SIZE, &ret->nr_anon, &ret->nr_file);
	ret->run_stamp = lrg_procfs_run_stamp(l->proc_root, pid, &st, l->clk_tck);
	memcpy(ret->comm, st.comm, sizeof(ret->comm));
	return 0;
}

static void on_proc_change(void *ctx, const struct lrg_proctrack_entry *e,
			   enum lrg_proctrack_change c)
{
	struct manager_live *l = ctx;
	enum lrg_policy_proc_event ev;
	struct lrg_proc_cgroup cg;
	struct lrg_mm_info mm;
	const char *path = NULL;
	int r;

	if (l->full_due)
		return;   /* a full re-list is coming: it sees this too */
	switch (c) {
	case LRG_PROC_ADDED:
		/* a vfork child or clone(CLONE_VM) sharer: its address space
		 * is its parent's, listed already; its exec comes as an event */
		if (e->mm_owner)
			return;
		ev = LRG_POLICY_PROC_NEW;
		break;
	case LRG_PROC_EXEC:
		ev = LRG_POLICY_PROC_EXEC;
		break;
	case LRG_PROC_REMOVED:
	default:
		ev = LRG_POLICY_PROC_EXIT;
		break;
	}
	if (ev == LRG_POLICY_PROC_EXIT) {
		lrg_policy_proc_event(l->policy, ev, e->pid, e->start_time, NULL, NULL);
		return;
	}
	r = describe_mm(l, e->pid, e->start_time, &mm);
	if (r == -ESRCH || r == -ENOENT) {
		/* gone already (its exit event follows) or not ours to list;
		 * after an exec the old address space must still go */
		if (ev == LRG_POLICY_PROC_EXEC)
			lrg_policy_proc_event(l->policy, LRG_POLICY_PROC_EXIT, e->pid, e->start_time,
					      NULL, NULL);
		return;
	}
	if (lrg_backend_has(l->backend, LRG_CAP_MEMCG) &&
	    lrg_procfs_read_cgroup(l->proc_root, e->pid, &cg) == 0 && cg.has_v2)
		path = cg.v2;
	/* not described (r < 0): the engine marks its memcg for a re-list */
	lrg_policy_proc_event(l->policy, ev, e->pid, e->start_time, path, r < 0 ? NULL : &mm);
	l->events++;
}

int manager_live_open(struct manager_live *l, struct lrg_backend *b, struct lrg_policy *p,
		      const char *proc_root, int rcvbuf)
{
	int r;

	memset(l, 0, sizeof(*l));
	if (!proc_root)
		proc_root = "/proc";
	if (strlen(proc_root) >= sizeof(l->proc_root))
		return -ENAMETOOLONG;
	strcpy(l->proc_root, proc_root);
	l->backend = b;
	l->policy = p;
	l->clk_tck = sysconf(_SC_CLK_TCK);
	if (l->clk_tck <= 0)
		l->clk_tck = 100;
	r = lrg_proctrack_open(proc_root, rcvbuf, &l->t);
	if (r < 0) {
		l->t = NULL;
		return r;
	}
	/* we decide when to reconcile (manager_live_run), not dispatch */
	lrg_proctrack_set_reconcile_interval(l->t, UINT64_MAX);
	lrg_proctrack_set_callback(l->t, on_proc_change, l);
	return 0;
}

void manager_live_close(struct manager_live *l)
{
	lrg_proctrack_free(l->t);
	l->t = NULL;
}

int manager_live_dispatch(struct manager_live *l)
{
	int r;

	if (!l->t)
		return 0;
	r = lrg_proctrack_dispatch(l->t);
	if (lrg_proctrack_pending(l->t))
		l->full_due = true;
	return r;
}

uint64_t manager_live_due_ms(const struct manager_live *l)
{
	if (!l->t)
		return UINT64_MAX;
	if (l->full_due)
		return l->last_full_ms + LIVE_FULL_MIN_MS;
	if (lrg_policy_relist_pending(l->policy))
		return l->last_relist_ms + LIVE_RELIST_MIN_MS;
	return UINT64_MAX;
}

int manager_live_run(struct manager_live *l, uint64_t now_ms)
{
	struct lrg_proctrack_stats st;
	int r;

	if (!l->t || now_ms < manager_live_due_ms(l))
		return 0;
	if (l->full_due) {
		/* the tracker's table first, so later exits find their start
		 * times, then the engine's lists against the backend's */
		r = lrg_proctrack_reconcile(l->t);
		if (r >= 0)
			r = lrg_policy_refresh(l->policy, now_ms);
		if (r < 0) {
			/* try again in LIVE_FULL_MIN_MS */
			l->last_full_ms = now_ms;
			return r;
		}
		l->full_due = false;
		lrg_proctrack_get_stats(l->t, &st);
		l->overruns_seen = st.overruns;
		l->fulls++;
		l->last_full_ms = l->last_relist_ms = now_ms;
		return 1;
	}
	r = lrg_policy_refresh_marked(l->policy, now_ms);
	l->relists++;
	l->last_relist_ms = now_ms;
	return r < 0 ? r : 0;
}

void manager_live_refreshed(struct manager_live *l, uint64_t now_ms)
{
	l->last_full_ms = l->last_relist_ms = now_ms;
}


static int load_config(const char *path, const char *dropin_dir, struct lrg_config *ret,
		       struct lrg_diag *diag)
{
	int r = lrg_config_load(path, dropin_dir, ret, diag);

	for (size_t i = 0; i < diag->n; i++)
		lrg_log(diag->entries[i].level == LRG_DIAG_ERROR ? LOG_ERR : LOG_WARNING, "%s",
			diag->entries[i].msg);
	if (r < 0)
		log_error("configuration rejected: %zu error(s)", diag->nr_errors);
	return r;
}

int lrg_manager_load_config(const char *path, const char *dropin_dir, struct lrg_config *ret)
{
	struct lrg_diag diag = { 0 };
	int r = load_config(path, dropin_dir, ret, &diag);

	lrg_diag_free(&diag);
	return r;
}

void lrg_manager_boot_config(const char *path, const char *dropin_dir, struct lrg_config *ret,
			     char *why, size_t why_len)
{
	struct lrg_diag diag = { 0 };
	const char *first = "out of memory";
	char msg[768], errors[48], first_f[560], profile[64];
	const char *const fields[] = { errors, first_f, profile, NULL };

	why[0] = '\0';
	if (!load_config(path, dropin_dir, ret, &diag)) {
		lrg_diag_free(&diag);
		return;
	}
	for (size_t i = 0; i < diag.n; i++) {
		if (diag.entries[i].level == LRG_DIAG_ERROR) {
			first = diag.entries[i].msg;
			break;
		}
	}
	lrg_config_defaults(ret);
	snprintf(why, why_len, "%zu error(s) in the configuration, the first: %s", diag.nr_errors, first);
	snprintf(msg, sizeof(msg),
		 "configuration rejected: the built-in %s profile is in force until a reload succeeds (%s)",
		 ret->daemon.profile, why);
	snprintf(errors, sizeof(errors), "CONFIG_ERRORS=%zu", diag.nr_errors);
	snprintf(first_f, sizeof(first_f), "CONFIG_FIRST_ERROR=%s", first);
	snprintf(profile, sizeof(profile), "PROFILE=%s", ret->daemon.profile);
	lrg_log_event(LOG_CRIT, LRG_MESSAGE_ID_CONFIG_FALLBACK, msg, fields);
	lrg_diag_free(&diag);
}

static void notify_status(struct manager *m)
{
	sd_notifyf(0, "STATUS=%s%s%sbackend %s; %zu slice(s); %s",
		   m->config_fallback[0] ? "CONFIGURATION REJECTED, built-in profile in force (" : "",
		   m->config_fallback, m->config_fallback[0] ? "); " : "", m->backend->ops->name,
		   m->cfg->nr_slices, m->last_decision[0] ? m->last_decision : "no decision yet");
}

static void log_tick(struct manager *m, const struct lrg_tick_result *res)
{
	if (res->gens_created || res->pages_evicted)
		log_debug("tick: %llu generation(s) created, %llu page(s) evicted",
			  (unsigned long long)res->gens_created,
			  (unsigned long long)res->pages_evicted);
}

/* Arm the one-shot re-list timer for whatever the live lists have due. */
static void arm_relist(struct manager *m)
{
	uint64_t due = manager_live_due_ms(&m->live), now, at;

	if (!m->relist_source || due == UINT64_MAX)
		return;
	now = m->backend->ops->now_ms(m->backend);
	at = lrg_mono_us() + (due > now ? (due - now) * 1000ULL : 0);
	sd_event_source_set_time(m->relist_source, at);
	sd_event_source_set_enabled(m->relist_source, SD_EVENT_ONESHOT);
}

static int on_relist(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t now = m->backend->ops->now_ms(m->backend);
	uint64_t overruns = m->live.overruns_seen;
	int r = manager_live_run(&m->live, now);

	if (r < 0) {
		lrg_log_errno(LOG_WARNING, r, "re-listing address spaces after process events");
	} else if (r > 0) {
		/* a full re-list: what the periodic one would have done */
		lrg_oom_observe(m->oom, now);
		m->last_refresh_ms = now;
		log_debug("proc connector: %llu overrun(s), events lost; reconciled",
			  (unsigned long long)(m->live.overruns_seen - overruns));
	}
	arm_relist(m);
	return 0;
}

static int on_proc_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r = manager_live_dispatch(&m->live);

	if (r < 0) {
		lrg_log_errno(LOG_WARNING, r,
			      "proc connector failed: address spaces re-listed every %d s only",
			      REFRESH_INTERVAL_MS / 1000);
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		sd_event_source_set_enabled(m->relist_source, SD_EVENT_OFF);
		manager_live_close(&m->live);
		return 0;
	}
	arm_relist(m);
	return 0;
}

/* The policy engine and the OOM killer over backend b: both, or neither. */
static int engines_new(struct lrg_backend *b, const struct lrg_config *cfg,
		       struct lrg_policy **ret_policy, struct lrg_oom **ret_oom)
{
	int r = lrg_policy_new(b, cfg, ret_policy);

	if (r < 0)
		return lrg_log_errno(LOG_ERR, r, "creating the policy engine on backend %s",
				     b->ops->name);
	r = lrg_oom_new(b, cfg, ret_oom);
	if (r < 0) {
		lrg_policy_free(*ret_policy);
		*ret_policy = NULL;
		return lrg_log_errno(LOG_ERR, r, "preparing the OOM killer on backend %s",
				     b->ops->name);
	}
	return 0;
}

/*
 * Whether min_ttl binds the kernel's reclaim too (memory.min, written by
 * the policy) or only lrugend's own eviction: said once per backend, as
 * its accuracy is, since it decides what min_ttl_ms means on this machine.
 */
static void log_protection(const struct lrg_backend *b, const struct lrg_config *cfg)
{
	if (!cfg->daemon.protect_cap_pct)
		log_notice("working-set protection from the kernel's reclaim: off (protect_cap_pct = 0);"
			   " min_ttl_ms restrains lrugend's own eviction only");
	else if (!b->ops->protect || !lrg_backend_has(b, LRG_CAP_MEMCG))
		log_warning("working-set protection from the kernel's reclaim: unavailable, backend %s"
			    " has no cgroup v2 memory controller; min_ttl_ms restrains lrugend's own"
			    " eviction only", b->ops->name);
	else
		log_notice("working-set protection from the kernel's reclaim: memory.min of the"
			   " cgroups of slices with min_ttl_ms, at most %u%% of memory together",
			   cfg->daemon.protect_cap_pct);
}

/*
 * Run on backend nb from now on: a new policy engine and OOM killer over it
 * (what the old ones knew, generations included, is the old backend's), the
 * live lists pointed at them, and everything listed anew at the next tick.
 * On failure nb is destroyed and nothing changes.
 */
static int manager_use_backend(struct manager *m, struct lrg_backend *nb)
{
	struct lrg_policy *np;
	struct lrg_oom *no;
	int r;

	r = engines_new(nb, m->cfg, &np, &no);
	if (r < 0) {
		nb->ops->destroy(nb);
		return r;
	}
	lrg_oom_free(m->oom);
	lrg_policy_free(m->policy);
	m->backend->ops->destroy(m->backend);
	m->backend = nb;
	m->policy = np;
	m->oom = no;
	m->live.policy = np;
	m->live.backend = nb;
	m->ticks = 0;	/* the next tick lists cgroups and address spaces */
	lrg_policy_set_stall_wakes(np, m->stall_source != NULL);
	log_notice("backend %s: %s", nb->ops->name, nb->ops->accuracy);
	log_protection(nb, m->cfg);
	return 0;
}

/*
 * The kmod backend failing (lrugen.ko unloaded, or its harvests failing
 * for LRG_BACKEND_KMOD_FAILURES in a row): on to the next backend. Off
 * kmod while it is wanted: back to it once lrugen.ko answers again.
 */
static void manager_check_backend(struct manager *m)
{
	uint64_t now = m->backend->ops->now_ms(m->backend);
	struct lrg_backend *nb;
	char reason[256], why[512];

	if (lrg_backend_failing(m->backend, reason, sizeof(reason))) {
		log_warning("backend kmod: %d harvests failed in a row (%s): falling back",
			    LRG_BACKEND_KMOD_FAILURES, reason);
		m->kmod_probe_ms = now;
		if (lrg_backend_select_fallback(&m->cfg->daemon, &nb, why, sizeof(why)) < 0 ||
		    manager_use_backend(m, nb) < 0)
			return;
		snprintf(m->backend_why, sizeof(m->backend_why),
			 "lrugen.ko failed (%.200s): on %s until it answers again", reason,
			 m->backend->ops->name);
		notify_status(m);
		return;
	}
	if (!m->kmod_wanted || lrg_backend_is_kmod(m->backend) ||
	    now - m->kmod_probe_ms < LRG_BACKEND_KMOD_PROBE_MS)
		return;
	m->kmod_probe_ms = now;
	if (lrg_backend_kmod_probe(reason, sizeof(reason)) < 0)
		return;
	if (lrg_backend_select_why("kmod", &m->cfg->daemon, &nb, why, sizeof(why)) < 0 ||
	    manager_use_backend(m, nb) < 0)
		return;
	log_notice("lrugen.ko answers again: back on the kmod backend");
	snprintf(m->backend_why, sizeof(m->backend_why), "lrugen.ko answers again");
	notify_status(m);
}

/*
 * The full re-list of memcgs and processes: every REFRESH_INTERVAL_MS, or
 * at the engine's calm pace while it says the machine is calm and the proc
 * connector follows processes (its aging by time then runs at that pace
 * too, so each aging still has the run stamps of a listing before it).
 */
static uint64_t refresh_interval(const struct manager *m)
{
	return m->calm && m->live.t ? LRG_CALM_PACE_MS : REFRESH_INTERVAL_MS;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	struct lrg_tick_result res;
	uint64_t now, delay_ms = m->cfg->daemon.poll_interval_ms;
	int r;

	manager_check_backend(m);
	now = m->backend->ops->now_ms(m->backend);

	if (now - m->last_refresh_ms >= refresh_interval(m) || !m->ticks) {
		r = lrg_policy_refresh(m->policy, now);
		if (r < 0)
			lrg_log_errno(LOG_WARNING, r, "refreshing cgroups and address spaces");
		lrg_oom_observe(m->oom, now);
		m->last_refresh_ms = now;
		manager_live_refreshed(&m->live, now);
	}
	m->ticks++;

	memset(&res, 0, sizeof(res));
	r = lrg_policy_tick(m->policy, now, &res);
	if (r < 0) {
		lrg_log_errno(LOG_WARNING, r, "policy tick");
	} else {
		log_tick(m, &res);
		m->calm = res.calm;
		if (!res.machine_carried)
			lrg_oom_note_machine(m->oom, &res.machine, now);
		for (size_t i = 0; i < res.nr_oom; i++) {
			lrg_oom_handle(m->oom, &res.oom[i], now, m->last_decision,
				       sizeof(m->last_decision));
			notify_status(m);
		}
		/* sooner under pressure, later on a calm machine a stall
		 * would wake (manager_stall.c) */
		if (res.next_tick_ms > now)
			delay_ms = res.next_tick_ms - now;
	}
	if (r >= 0 && res.more) {
		/*
		 * The budget ran out with aging left: the rest in the next
		 * slice, after the loop has served the control socket and the
		 * proc connector (their events are pending by now; sd-event
		 * dispatches what waited longest first).
		 */
		sd_event_source_set_time(s, lrg_mono_us() + TICK_CONTINUE_US);
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
		return 0;
	}
	if (delay_ms < 10)
		delay_ms = 10;
	/* Time sources are one-shot: re-arm, or the engine never ticks again. */
	sd_event_source_set_time(s, usec + delay_ms * 1000ULL);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

int manager_reload(struct manager *m, struct lrg_diag *diag)
{
	struct lrg_diag local = { 0 };
	struct lrg_config fresh;
	char buf[64];
	int r;

	snprintf(buf, sizeof(buf), "MONOTONIC_USEC=%llu", (unsigned long long)lrg_mono_us());
	sd_notifyf(0, "RELOADING=1\n%s", buf);
	log_info("reloading configuration from %s", m->opts->config_path);
	r = load_config(m->opts->config_path, m->opts->dropin_dir, &fresh, diag ? diag : &local);
	if (r < 0) {
		/* Keep running on the last good config; nothing is lost. */
		log_error("reload refused: keeping the configuration in force");
	} else {
		if (m->opts->dry_run)
			fresh.daemon.dry_run = true;
		r = lrg_policy_set_config(m->policy, &fresh);
		if (r < 0) {
			log_error("reload refused by the policy engine: keeping the old configuration");
			lrg_config_free(&fresh);
		} else {
			lrg_config_free(m->cfg);
			*m->cfg = fresh;
			lrg_oom_set_config(m->oom, m->cfg);
			log_info("configuration reloaded: %zu slice(s)", m->cfg->nr_slices);
			if (m->config_fallback[0])
				log_notice("the configuration files are in force again, not the built-in profile");
			m->config_fallback[0] = '\0';
		}
	}
	lrg_diag_free(&local);
	sd_notify(0, "READY=1");
	notify_status(m);
	return r < 0 ? -EINVAL : 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	if (si->ssi_signo == SIGHUP) {
		manager_reload(m, NULL);
		return 0;
	}
	log_info("signal %u: exiting", si->ssi_signo);
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/*
 * The daemon must keep working when the machine is out of memory: it locks
 * itself in RAM and asks the kernel's OOM killer to spare it. Failures are
 * logged, not fatal (an unprivileged test run cannot do either).
 *
 * What the decision and the kill run on (the daemon's code, the C
 * library's code, heap and stacks) is faulted in and locked now, not on first
 * touch: a page of the kill path never run before would otherwise be
 * read in, or allocated, at the moment memory is shortest. The other
 * libraries are locked as they run (host/memlock.c). The OOM path is
 * then run once on nobody so that the stack and library code it needs
 * are there too.
 */
static void protect_self(struct manager *m)
{
	size_t present = 0;
	FILE *f;
	int r;

	r = lrg_memlock_self(&present);
	if (r < 0)
		lrg_log_errno(LOG_WARNING, r, "mlockall (the daemon may be paged out under pressure)");
	else
		log_debug("memory locked: %zu KiB present, the rest on first touch", present >> 10);
	lrg_oom_prefault(m->oom);
	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fputs("-1000", f) < 0 || fclose(f) != 0)
		log_warning("could not set oom_score_adj to -1000");
}

int lrg_manager_run(const struct lrg_manager_opts *o, struct lrg_config *cfg)
{
	struct manager m = { .cfg = cfg, .opts = o };
	const char *want = o->backend ? o->backend : cfg->daemon.backend;
	sigset_t mask;
	int r, ret = LRG_EXIT_FAILURE;

	if (o->config_fallback)
		snprintf(m.config_fallback, sizeof(m.config_fallback), "%s", o->config_fallback);

	if (o->dry_run)
		cfg->daemon.dry_run = true;
	/* A reader of the control socket that goes away mid-reply costs that
	 * write an EPIPE, not the daemon its life. */
	signal(SIGPIPE, SIG_IGN);

	r = lrg_backend_select_why(want, &cfg->daemon, &m.backend, m.backend_why,
				   sizeof(m.backend_why));
	if (r < 0)
		return LRG_EXIT_NO_BACKEND;
	m.kmod_wanted = !strcmp(want, "auto") || !strcmp(want, "kmod");
	m.kmod_probe_ms = m.backend->ops->now_ms(m.backend);
	log_notice("backend %s: %s", m.backend->ops->name, m.backend->ops->accuracy);
	log_protection(m.backend, cfg);

	r = engines_new(m.backend, cfg, &m.policy, &m.oom);
	if (r < 0)
		goto out_backend;

	r = sd_event_default(&m.event);
	if (r < 0)
		goto out_oom;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_add_signal(m.event, NULL, SIGHUP, on_signal, &m)) < 0 ||
	    (r = sd_event_add_signal(m.event, NULL, SIGTERM, on_signal, &m)) < 0 ||
	    (r = sd_event_add_signal(m.event, NULL, SIGINT, on_signal, &m)) < 0 ||
	    (r = sd_event_add_time(m.event, &m.tick_source, CLOCK_MONOTONIC, lrg_mono_us(), 1000,
				   on_tick, &m)) < 0 ||
	    (r = sd_event_set_watchdog(m.event, true)) < 0) {
		lrg_log_errno(LOG_ERR, r, "setting up the event loop");
		goto out_event;
	}

	r = lrg_control_start(m.event, NULL, &manager_control_ops, &m, &m.control);
	if (r < 0)
		lrg_log_errno(LOG_WARNING, r, "control socket unavailable (lrugenctl will not connect)");

	/* Real processes only: a simulated kernel's come from its script. */
	if (!lrg_backend_has(m.backend, LRG_CAP_VIRTUAL_TIME)) {
		r = manager_live_open(&m.live, m.backend, m.policy, "/proc", 0);
		if (r >= 0 &&
		    ((r = sd_event_add_io(m.event, &m.proc_source, lrg_proctrack_fd(m.live.t), EPOLLIN,
					  on_proc_io, &m)) < 0 ||
		     (r = sd_event_add_time(m.event, &m.relist_source, CLOCK_MONOTONIC, lrg_mono_us(),
					    1000, on_relist, &m)) < 0 ||
		     (r = sd_event_source_set_enabled(m.relist_source, SD_EVENT_OFF)) < 0)) {
			m.proc_source = sd_event_source_unref(m.proc_source);
			manager_live_close(&m.live);
		}
		if (r < 0)
			log_notice("proc connector unavailable (%s): address spaces re-listed every %d s only",
				   strerror(-r), REFRESH_INTERVAL_MS / 1000);
		else
			log_info("proc connector: address spaces follow fork, exec and exit events");
	}

	if (!lrg_backend_has(m.backend, LRG_CAP_VIRTUAL_TIME))
		(void)manager_stall_start(&m);

	m.started_ms = m.backend->ops->now_ms(m.backend);
	protect_self(&m);
	log_notice("lrugend %s running: %zu slice(s) configured%s", PACKAGE_VERSION,
		   cfg->nr_slices, cfg->daemon.dry_run ? ", dry run (nothing is killed)" : "");
	sd_notify(0, "READY=1");
	notify_status(&m);

	r = sd_event_loop(m.event);
	ret = r < 0 ? LRG_EXIT_FAILURE : LRG_EXIT_OK;
	lrg_control_stop(m.control);
out_event:
	manager_stall_stop(&m);
	sd_event_source_unref(m.relist_source);
	sd_event_source_unref(m.proc_source);
	manager_live_close(&m.live);
	sd_event_source_unref(m.tick_source);
	sd_event_unref(m.event);
out_oom:
	lrg_oom_free(m.oom);
	lrg_policy_free(m.policy);
out_backend:
	m.backend->ops->destroy(m.backend);
	return ret;
}
