// SPDX-License-Identifier: GPL-2.0-only
/*
 * manager_control.c - what lrugenctl sees: the control socket's handlers,
 * rendering the daemon's live state with control_json.h. They run inside
 * the event loop and only read state (explain ranks, never kills).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control_json.h"
#include "manager_int.h"
#include "oom_select.h"

static int count_lruvec(void *ctx, const struct lrg_gens_view *v)
{
	(*(size_t *)ctx)++;
	return 0;
}

static int ctl_status(void *ctx, FILE *out)
{
	struct manager *m = ctx;
	struct lrg_policy_stats ps;
	struct lrg_oom_stats os;
	struct lrg_pressure p;
	uint64_t now = m->backend->ops->now_ms(m->backend);
	bool have_p = m->backend->ops->measure(m->backend, LRG_ROOT_MEMCG, &p) == 0;

	size_t nr_lruvecs = 0;

	lrg_policy_foreach_gens(m->policy, now, count_lruvec, &nr_lruvecs);
	lrg_policy_get_stats(m->policy, &ps);
	lrg_oom_get_stats(m->oom, &os);
	return lrg_cj_write_status(out, &(struct lrg_cj_status){
		.version = PACKAGE_VERSION,
		.backend = m->backend->ops->name,
		.accuracy = m->backend->ops->accuracy,
		.backend_why = m->backend_why,
		.caps = m->backend->caps,
		.dry_run = m->cfg->daemon.dry_run,
		.uptime_ms = now - m->started_ms,
		.cfg = m->cfg,
		.policy = &ps,
		.oom = &os,
		.last_decision = m->last_decision,
		.pressure = have_p ? &p : NULL,
		.nr_memcgs = nr_lruvecs,
		.calm = m->calm,
		.stall_trigger = m->stall_source != NULL,
		.stall_wakes = m->stall_wakes,
		.config_fallback = m->config_fallback[0] ? m->config_fallback : NULL,
	});
}

static int ctl_stats(void *ctx, FILE *out)
{
	struct manager *m = ctx;
	struct lrg_policy_stats ps;
	struct lrg_oom_stats os;

	lrg_policy_get_stats(m->policy, &ps);
	lrg_oom_get_stats(m->oom, &os);
	return lrg_cj_write_stats(out, &ps, &os);
}

static int ctl_gens(void *ctx, const char *slice, FILE *out)
{
	struct manager *m = ctx;
	uint64_t now = m->backend->ops->now_ms(m->backend);
	struct lrg_cj_gens g;

	if (slice && !lrg_cj_slice_known(m->cfg, slice))
		return -ENOENT;
	lrg_cj_gens_begin(&g, out, slice, now);
	return lrg_cj_gens_end(&g, lrg_policy_foreach_gens(m->policy, now, lrg_cj_gens_fn, &g));
}

static int ctl_wss(void *ctx, const char *slice, FILE *out)
{
	struct manager *m = ctx;
	uint64_t now = m->backend->ops->now_ms(m->backend);
	struct lrg_cj_wss w;
	int r = 0;

	if (slice && !lrg_cj_slice_known(m->cfg, slice))
		return -ENOENT;
	lrg_cj_wss_init(&w, slice);
	for (size_t i = 0; !slice && i < m->cfg->nr_slices && r >= 0; i++)
		r = lrg_cj_wss_add_slice(&w, m->cfg->slices[i].name);
	if (r >= 0)
		r = lrg_policy_foreach_gens(m->policy, now, lrg_cj_wss_fn, &w);
	if (r >= 0)
		r = lrg_cj_wss_write(out, &w, now);
	lrg_cj_wss_free(&w);
	return r;
}

static int cmp_rank(const void *a, const void *b)
{
	return lrg_oom_compare(*(const struct lrg_oom_candidate *const *)b,
			       *(const struct lrg_oom_candidate *const *)a);
}

/* Who would die now in the machine-wide domain, and why (or why nobody). */
static int ctl_explain(void *ctx, FILE *out)
{
	struct manager *m = ctx;
	struct lrg_oom_candidate *c, **order;
	struct lrg_cj_candidate *cj;
	struct lrg_pressure p;
	size_t n, victim;
	bool has_victim, have_p;
	int r;

	have_p = m->backend->ops->measure(m->backend, LRG_ROOT_MEMCG, &p) == 0;
	r = lrg_oom_rank(m->oom, true, LRG_ROOT_MEMCG, have_p ? p.mem_total / LRG_PAGE_SIZE : 0, &c,
			 &n, &victim, &has_victim);
	if (r < 0)
		return r;
	/* Not the kill path: allocating here is fine. */
	order = calloc(n ? n : 1, sizeof(*order));
	cj = calloc(n ? n : 1, sizeof(*cj));
	if (!order || !cj) {
		free(order);
		free(cj);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &c[i];
	qsort(order, n, sizeof(*order), cmp_rank);
	for (size_t i = 0; i < n; i++)
		lrg_cj_candidate_from_oom(&cj[i], order[i]);
	r = lrg_cj_write_explain(out, &(struct lrg_cj_explain){
		.domain = "/",
		.dry_run = m->cfg->daemon.dry_run,
		.pressure = have_p ? &p : NULL,
		.c = cj,
		.n = n,
		.has_victim = has_victim,
	});
	free(order);
	free(cj);
	return r;
}

static int ctl_reload(void *ctx, FILE *out)
{
	struct manager *m = ctx;
	struct lrg_diag diag = { 0 };
	int r = manager_reload(m, &diag);

	r = lrg_cj_write_reload(out, r == 0, &diag);
	lrg_diag_free(&diag);
	return r;
}

const struct lrg_control_ops manager_control_ops = {
	.status = ctl_status,
	.stats = ctl_stats,
	.gens = ctl_gens,
	.wss = ctl_wss,
	.explain = ctl_explain,
	.reload = ctl_reload,
};
