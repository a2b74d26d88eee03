// SPDX-License-Identifier: GPL-2.0-only
/*
 * manager.c - lrugend's event loop.
 *
 * One sd-event loop drives everything: a tick timer that runs the policy
 * engine (aging, eviction, min_ttl) when it asks to, a refresh timer that
 * re-lists cgroups and address spaces, SIGHUP for reload, SIGTERM/SIGINT
 * for exit, and the systemd watchdog. The engine never logs; this file logs
 * what it decided.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "backend_select.h"
#include "lrg_log.h"
#include "manager_int.h"

/* How often the address-space lists are re-read from the backend when no
 * event source keeps them live. */
#define REFRESH_INTERVAL_MS 2000


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

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void notify_status(struct manager *m)
{
	sd_notifyf(0, "STATUS=backend %s; %zu slice(s); %s", m->backend->ops->name,
		   m->cfg->nr_slices, m->last_decision[0] ? m->last_decision : "no decision yet");
}

static void log_tick(struct manager *m, const struct lrg_tick_result *res)
{
	if (res->gens_created || res->pages_evicted)
		log_debug("tick: %llu generation(s) created, %llu page(s) evicted",
			  (unsigned long long)res->gens_created,
			  (unsigned long long)res->pages_evicted);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	struct lrg_tick_result res;
	uint64_t now = m->backend->ops->now_ms(m->backend);
	uint64_t delay_ms = m->cfg->daemon.poll_interval_ms;
	int r;

	if (now - m->last_refresh_ms >= REFRESH_INTERVAL_MS || !m->ticks) {
		r = lrg_policy_refresh(m->policy, now);
		if (r < 0)
			lrg_log_errno(LOG_WARNING, r, "refreshing cgroups and address spaces");
		lrg_oom_observe(m->oom, now);
		m->last_refresh_ms = now;
	}
	m->ticks++;

	memset(&res, 0, sizeof(res));
	r = lrg_policy_tick(m->policy, now, &res);
	if (r < 0) {
		lrg_log_errno(LOG_WARNING, r, "policy tick");
	} else {
		log_tick(m, &res);
		for (size_t i = 0; i < res.nr_oom; i++) {
			lrg_oom_handle(m->oom, &res.oom[i], now, m->last_decision,
				       sizeof(m->last_decision));
			notify_status(m);
		}
		if (res.next_tick_ms > now && res.next_tick_ms - now < delay_ms)
			delay_ms = res.next_tick_ms - now;
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

	snprintf(buf, sizeof(buf), "MONOTONIC_USEC=%llu", (unsigned long long)now_usec());
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
 */
static void protect_self(void)
{
	FILE *f;

	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		lrg_log_errno(LOG_WARNING, -errno, "mlockall (the daemon may be paged out under pressure)");
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

	if (o->dry_run)
		cfg->daemon.dry_run = true;

	r = lrg_backend_select(want, &cfg->daemon, &m.backend);
	if (r < 0)
		return LRG_EXIT_NO_BACKEND;
	log_notice("backend %s: %s", m.backend->ops->name, m.backend->ops->accuracy);

	r = lrg_policy_new(m.backend, cfg, &m.policy);
	if (r < 0) {
		lrg_log_errno(LOG_ERR, r, "creating the policy engine");
		goto out_backend;
	}
	r = lrg_oom_new(m.backend, cfg, &m.oom);
	if (r < 0) {
		lrg_log_errno(LOG_ERR, r, "preparing the OOM killer");
		goto out_policy;
	}

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
	    (r = sd_event_add_time(m.event, &m.tick_source, CLOCK_MONOTONIC, now_usec(), 1000,
				   on_tick, &m)) < 0 ||
	    (r = sd_event_set_watchdog(m.event, true)) < 0) {
		lrg_log_errno(LOG_ERR, r, "setting up the event loop");
		goto out_event;
	}

	r = lrg_control_start(m.event, NULL, &manager_control_ops, &m, &m.control);
	if (r < 0)
		lrg_log_errno(LOG_WARNING, r, "control socket unavailable (lrugenctl will not connect)");

	m.started_ms = m.backend->ops->now_ms(m.backend);
	protect_self();
	log_notice("lrugend %s running: %zu slice(s) configured%s", PACKAGE_VERSION,
		   cfg->nr_slices, cfg->daemon.dry_run ? ", dry run (nothing is killed)" : "");
	sd_notify(0, "READY=1");
	notify_status(&m);

	r = sd_event_loop(m.event);
	ret = r < 0 ? LRG_EXIT_FAILURE : LRG_EXIT_OK;
	lrg_control_stop(m.control);
out_event:
	sd_event_source_unref(m.tick_source);
	sd_event_unref(m.event);
out_oom:
	lrg_oom_free(m.oom);
out_policy:
	lrg_policy_free(m.policy);
out_backend:
	m.backend->ops->destroy(m.backend);
	return ret;
}
