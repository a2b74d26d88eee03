// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom.c - one OOM request, served: look, read the candidates, look again,
 * decide, act. The reads come first and may take a while (every process's
 * files under /proc); from the decision to the signal nothing is read,
 * allocated or logged. The storage the reads fill is sized outside this
 * path (at each baseline, and after a decision that did not fit).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cgroups.h"
#include "lrg_log.h"
#include "match.h"
#include "oom.h"
#include "oom_decide.h"
#include "oom_scan.h"

/* Tries of lrugenctl explain to fit the domain before it shows part of it. */
#define RANK_TRIES 3

struct lrg_oom {
	struct lrg_backend *b;
	const struct lrg_config *cfg;
	struct lrg_oom_state st;
	struct lrg_oom_scan *scan;
	struct lrg_oom_actor act;
	/* the machine as the tick last measured it (lrg_oom_note_machine) */
	struct lrg_pressure machine;
	uint64_t machine_ms;
};

/* How old the tick's figures may be for lrg_oom_observe: a few ticks. */
#define OBSERVE_REUSE_MS 1000

int lrg_oom_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_oom **ret)
{
	char cgroup_root[PATH_MAX] = "";
	struct lrg_oom *o = calloc(1, sizeof(*o));
	int r;

	if (!o)
		return -ENOMEM;
	o->b = b;
	o->cfg = cfg;
	lrg_oom_state_init(&o->st);
	/* No cgroup2 mount: own cgroups are unknown, and oom = cgroup kills
	 * the process alone. */
	if (!lrg_backend_has(b, LRG_CAP_VIRTUAL_TIME) &&
	    lrg_cgroup_find_v2_mount("/proc/self/mountinfo", cgroup_root, sizeof(cgroup_root)) < 0)
		cgroup_root[0] = '\0';
	lrg_oom_actor_init(&o->act, b, cgroup_root);
	r = lrg_oom_scan_new(b, "/proc", cgroup_root, &o->scan);
	if (r < 0) {
		free(o);
		return r;
	}
	*ret = o;
	return 0;
}

void lrg_oom_set_config(struct lrg_oom *o, const struct lrg_config *cfg)
{
	o->cfg = cfg;
}

void lrg_oom_set_act_ops(struct lrg_oom *o, const struct lrg_oom_act_ops *ops, void *ctx)
{
	o->act.ops = ops;
	o->act.ctx = ctx;
}

void lrg_oom_free(struct lrg_oom *o)
{
	if (!o)
		return;
	lrg_oom_scan_free(o->scan);
	free(o);
}

void lrg_oom_get_stats(const struct lrg_oom *o, struct lrg_oom_stats *ret)
{
	*ret = o->st.stats;
}

static bool measure(struct lrg_oom *o, uint64_t memcg_id, struct lrg_pressure *ret)
{
	return o->b->ops->measure(o->b, memcg_id, ret) == 0;
}

void lrg_oom_observe(struct lrg_oom *o, uint64_t now_ms)
{
	struct lrg_pressure mp;
	bool measured;
	int r;

	if (o->machine_ms && now_ms >= o->machine_ms && now_ms - o->machine_ms < OBSERVE_REUSE_MS) {
		/* the tick followed the kernel's OOM count with these */
		mp = o->machine;
		measured = true;
	} else {
		measured = measure(o, LRG_ROOT_MEMCG, &mp);
		if (measured)
			lrg_oom_note_kernel(&o->st, &mp, o->cfg->daemon.kill_timeout_ms, now_ms);
	}
	if (!lrg_oom_baseline_due(&o->st, measured ? &mp : NULL, now_ms))
		return;
	r = lrg_oom_scan_baseline(o->scan);
	if (r == 0)
		lrg_oom_baseline_taken(&o->st, now_ms);
	else if (r == -ENOMEM)
		log_warning("no memory for the OOM growth baseline: the last one stays");
}

void lrg_oom_note_machine(struct lrg_oom *o, const struct lrg_pressure *machine, uint64_t now_ms)
{
	if (!machine->mem_total)
		return;
	lrg_oom_note_kernel(&o->st, machine, o->cfg->daemon.kill_timeout_ms, now_ms);
	o->machine = *machine;
	o->machine_ms = now_ms ? now_ms : 1;
}

void lrg_oom_prefault(struct lrg_oom *o)
{
	/* a copy, so that the real state learns nothing; off the stack (it
	 * holds the recent victims' paths, 64 KiB), which would otherwise be
	 * that much deeper for good */
	struct lrg_oom_state *st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct lrg_oom_request req = { .global = true };
	struct lrg_oom_facts none = { .complete = true, .domain_path = "/" };
	struct lrg_oom_verdict v;
	char line[256];

	if (st != MAP_FAILED) {
		*st = o->st;
		lrg_oom_decide(st, &req, &none, o->cfg, 0, &v);
		lrg_oom_act_summary(&v, 0, line, sizeof(line));
		munmap(st, sizeof(*st));
	}
	lrg_oom_act_prefault(&o->act);
}

/* Each candidate's slice, from the path of its memcg. Before the last
 * look: the matching allocates (lrg_config_match). */
static void match_slices(const struct lrg_oom *o, const struct lrg_oom_facts *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->c[i].slice = lrg_config_match(o->cfg, f->c[i].cgroup ? f->c[i].cgroup : "/");
}

/* Act on v, remember the outcome, and say it in one line. */
static int act(struct lrg_oom *o, const struct lrg_oom_verdict *v, uint64_t now_ms,
	       char *decision, size_t len)
{
	int r = lrg_oom_act(&o->act, v, o->cfg->daemon.notify_desktop);

	lrg_oom_record(&o->st, v, r, now_ms);
	lrg_oom_act_summary(v, r, decision, len);
	/* Room for what did not fit, so the next request decides on all of it. */
	if (v->kind == LRG_OOM_INCOMPLETE && lrg_oom_scan_grow(o->scan) < 0)
		log_warning("no memory to read every OOM candidate: the kernel's OOM killer decides");
	if (v->kind != LRG_OOM_KILL)
		return 0;
	if (r < 0)
		return r;
	return v->dry_run ? 0 : 1;
}

int lrg_oom_handle(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t now_ms,
		   char *decision, size_t len)
{
	struct lrg_pressure machine, domain, after;
	struct lrg_oom_look look = { 0 };
	struct lrg_oom_facts facts;
	struct lrg_oom_verdict v;
	int r;

	if (measure(o, LRG_ROOT_MEMCG, &machine))
		look.machine = &machine;
	if (!req->global) {
		if (measure(o, req->memcg_id, &domain))
			look.domain = &domain;
		look.domain_path = lrg_oom_scan_memcg_path(o->scan, req->memcg_id);
	}
	if (lrg_oom_decide_early(&o->st, req, &look, o->cfg, now_ms, &v))
		return act(o, &v, now_ms, decision, len);
	r = lrg_oom_scan_collect(o->scan, req->global, req->memcg_id, &facts);
	if (r < 0)
		return r;
	match_slices(o, &facts);
	/* The last look before the signal: the kernel's OOM killer may have
	 * acted while the candidates were read. */
	if (measure(o, LRG_ROOT_MEMCG, &after))
		facts.machine_after = &after;
	lrg_oom_decide(&o->st, req, &facts, o->cfg, now_ms, &v);
	return act(o, &v, now_ms, decision, len);
}

int lrg_oom_rank(struct lrg_oom *o, bool global, uint64_t memcg_id, uint64_t total_pages,
		 struct lrg_oom_candidate **ret_cands, size_t *ret_n, size_t *ret_victim,
		 bool *ret_has_victim)
{
	struct lrg_oom_facts f;
	size_t idx = 0;
	int r;

	/* Not the kill path: growing the storage to fit is fine here. */
	for (int tries = 1;; tries++) {
		r = lrg_oom_scan_collect(o->scan, global, memcg_id, &f);
		if (r < 0)
			return r;
		if (f.complete || tries == RANK_TRIES)
			break;
		r = lrg_oom_scan_grow(o->scan);
		if (r < 0)
			return r;
	}
	match_slices(o, &f);
	r = lrg_oom_rank_candidates(f.c, f.n, o->cfg, total_pages, &idx);
	*ret_cands = f.c;
	*ret_n = f.n;
	*ret_victim = idx;
	*ret_has_victim = r == 0;
	return 0;
}
