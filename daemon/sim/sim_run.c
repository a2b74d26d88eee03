// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim_run.c - the virtual-time runner: ticks the simulated machine, drives
 * the policy engine when it is due, acts on its OOM requests, and sums it
 * all up in a report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lrg_policy.h"
#include "sim.h"
#include "sim_int.h"

static void oom_decision(struct lrg_sim *s, const struct lrg_oom_request *req)
{
	struct lrg_backend *b = lrg_sim_backend(s);
	struct lrg_kill_req kr;

	if (lrg_sim_pick_victim(s, req->memcg_id, req->global, &kr))
		return;  /* nobody we may kill: the kernel's OOM killer will act */
	b->ops->kill(b, &kr);
}

static int run_lrugend(struct lrg_sim *s, const struct lrg_config *cfg,
		       struct lrg_sim_report *rep, char *err, size_t errlen)
{
	struct lrg_backend *b = lrg_sim_backend(s);
	struct lrg_config defcfg;
	struct lrg_policy *pol;
	struct lrg_policy_stats ps;
	uint64_t gen = UINT64_MAX, next_refresh = 0, next_tick = 0, oom_decisions = 0;
	int more = 1, r;

	if (!cfg) {
		lrg_config_defaults(&defcfg);
		cfg = &defcfg;
	}
	r = lrg_policy_new(b, cfg, &pol);
	if (cfg == &defcfg)
		lrg_config_free(&defcfg);
	if (r) {
		snprintf(err, errlen, "cannot start the policy engine: %s", strerror(-r));
		return r;
	}
	lrg_policy_set_force_scan(pol, s->w.m.aging_full_scan);
	while (more) {
		uint64_t now;

		more = lrg_sim_step(s);
		now = b->ops->now_ms(b);
		if (lrg_sim_generation(s) != gen || now >= next_refresh) {
			gen = lrg_sim_generation(s);
			next_refresh = now + s->w.m.refresh_ms;
			r = lrg_policy_refresh(pol, now);
			if (r)
				goto fail;
		}
		if (now >= next_tick) {
			struct lrg_tick_result tr;
			size_t i;

			memset(&tr, 0, sizeof(tr));
			r = lrg_policy_tick(pol, now, &tr);
			if (r)
				goto fail;
			for (i = 0; i < tr.nr_oom && i < LRG_MAX_OOM_REQUESTS; i++) {
				oom_decisions++;
				oom_decision(s, &tr.oom[i]);
			}
			/* never stall the clock on a bad answer */
			next_tick = tr.next_tick_ms > now ? tr.next_tick_ms : now + 1;
		}
	}
	lrg_sim_fill_report(s, rep);
	lrg_policy_get_stats(pol, &ps);
	rep->aging_passes = ps.aging_passes;
	rep->gens_created = ps.gens_created;
	rep->pte_scanned = ps.pte_total;
	rep->bloom_hits = ps.pmd_found;
	rep->policy_direct_reclaims = ps.direct_reclaims;
	rep->ttl_refusals = ps.ttl_refusals;
	rep->oom_decisions = oom_decisions;
	lrg_policy_free(pol);
	return 0;
fail:
	snprintf(err, errlen, "policy engine failed at %" PRIu64 " ms: %s",
		 b->ops->now_ms(b), strerror(-r));
	lrg_policy_free(pol);
	return r;
}

int lrg_sim_run_ex(const char *workload_path, const char *const *overrides, size_t nr_overrides,
		   const struct lrg_config *cfg, enum lrg_sim_policy which,
		   struct lrg_sim_report *ret, char *err, size_t errlen)
{
	struct lrg_sim_report rep;
	struct lrg_sim *s;
	int r;

	r = lrg_sim_load(workload_path, overrides, nr_overrides, &s, err, errlen);
	if (r)
		return r;
	lrg_sim_set_policy(s, which);
	if (which == LRG_SIM_LRUGEND) {
		r = run_lrugend(s, cfg, &rep, err, errlen);
	} else {
		while (lrg_sim_step(s))
			;
		lrg_sim_fill_report(s, &rep);
	}
	lrg_sim_free(s);
	if (!r)
		*ret = rep;
	return r;
}

int lrg_sim_run(const char *workload_path, const struct lrg_config *cfg,
		enum lrg_sim_policy which, struct lrg_sim_report *ret, char *err, size_t errlen)
{
	return lrg_sim_run_ex(workload_path, NULL, 0, cfg, which, ret, err, errlen);
}

void lrg_sim_report_print(const struct lrg_sim_report *r, FILE *f)
{
	size_t i;

#define P(key, val) fprintf(f, "%s: %" PRIu64 "\n", key, (uint64_t)(val))
	fprintf(f, "policy: %s\n", r->policy == LRG_SIM_CLASSIC ? "classic" : "lrugend");
	P("duration_ms", r->duration_ms);
	P("ticks", r->ticks);
	P("faults", r->faults);
	P("refaults", r->refaults_anon + r->refaults_file);
	P("refaults_anon", r->refaults_anon);
	P("refaults_file", r->refaults_file);
	P("pages_evicted", r->pages_evicted);
	P("pages_evicted_policy", r->pages_evicted_policy);
	P("pages_reclaimed_classic", r->pages_reclaimed_classic);
	P("pgscan", r->pgscan);
	P("pgsteal", r->pgsteal);
	P("direct_reclaims", r->direct_reclaims);
	P("direct_reclaim_hook_pages", r->direct_reclaim_hook_pages);
	P("kswapd_wakeups", r->kswapd_wakeups);
	P("swap_used_peak_pages", r->swap_used_peak_pages);
	P("harvests", r->harvests);
	P("harvest_pte_total", r->harvest_pte_total);
	P("harvest_pmd_total", r->harvest_pmd_total);
	P("harvest_full_walks", r->harvest_full_walks);
	P("harvest_pte_nonleaf", r->harvest_pte_nonleaf);
	P("aging_passes", r->aging_passes);
	P("gens_created", r->gens_created);
	P("pte_scanned", r->pte_scanned);
	P("bloom_hits", r->bloom_hits);
	P("policy_direct_reclaims", r->policy_direct_reclaims);
	P("ttl_refusals", r->ttl_refusals);
	P("oom_decisions", r->oom_decisions);
	P("oom_kills", r->oom_kills_policy + r->oom_kills_kernel);
	P("oom_kills_policy", r->oom_kills_policy);
	P("oom_kills_kernel", r->oom_kills_kernel);
	fprintf(f, "oom_victims: ");
	for (i = 0; i < r->nr_kills && i < LRG_SIM_MAX_KILLS; i++)
		fprintf(f, "%s%s", i ? "," : "", r->kills[i].name);
	fprintf(f, "%s\n", r->nr_kills ? "" : "-");
	for (i = 0; i < r->nr_kills && i < LRG_SIM_MAX_KILLS; i++)
		fprintf(f, "kill.%zu: t_ms=%" PRIu64 " pid=%d name=%s by=%s rss_kib=%" PRIu64 "\n", i,
			r->kills[i].t_ms, (int)r->kills[i].pid, r->kills[i].name, r->kills[i].by,
			r->kills[i].rss_pages << (LRG_PAGE_SHIFT - 10));
	P("interactive_sweeps", r->interactive_sweeps);
	P("interactive_stall_us", r->interactive_stall_us);
	P("interactive_p99_us", r->interactive_p99_us);
	P("interactive_max_us", r->interactive_max_us);
	P("psi_some_us", r->psi_some_us);
	P("psi_full_us", r->psi_full_us);
	fprintf(f, "psi_some_avg10_max: %.2f\n", r->psi_some_avg10_max);
	fprintf(f, "psi_full_avg10_max: %.2f\n", r->psi_full_avg10_max);
	for (i = 0; i < r->nr_procs && i < LRG_SIM_MAX_PROCS; i++) {
		const struct lrg_sim_proc_report *p = &r->procs[i];

		fprintf(f, "proc.%s.state: %s\n", p->name, p->state);
		fprintf(f, "proc.%s.refaults: %" PRIu64 "\n", p->name, p->refaults);
		fprintf(f, "proc.%s.stall_us: %" PRIu64 "\n", p->name, p->stall_us);
		fprintf(f, "proc.%s.rss_kib: %" PRIu64 "\n", p->name,
			p->rss_pages << (LRG_PAGE_SHIFT - 10));
		fprintf(f, "proc.%s.swap_kib: %" PRIu64 "\n", p->name,
			p->swap_pages << (LRG_PAGE_SHIFT - 10));
	}
#undef P
}
