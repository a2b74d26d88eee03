// SPDX-License-Identifier: GPL-2.0-only
/*
 * control_json.c - render the daemon's state as JSON (control_json.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control_json.h"

/* Own copy of the spelling: lrg_oom_policy_name lives in liblrgconfig,
 * which these renderers must not need to link. */
static const char *oom_policy_name(enum lrg_oom_policy o)
{
	switch (o) {
	case LRG_OOM_PROCESS:
		return "process";
	case LRG_OOM_CGROUP:
		return "cgroup";
	case LRG_OOM_NEVER:
		return "never";
	}
	return "?";
}

const char *lrg_cj_tier_name(int tier)
{
	switch (tier) {
	case LRG_TIER_EXCLUDED:
		return "excluded";
	case LRG_TIER_AVOID:
		return "avoid";
	case LRG_TIER_NORMAL:
		return "normal";
	case LRG_TIER_PREFER:
		return "prefer";
	}
	return "?";
}

/* Where every lrg_cj_write_* document ends: the writer's verdict (misuse
 * or a FILE error) is what the handler returns. */
static int finish(struct lrg_json *j)
{
	return lrg_json_finish(j);
}

static void patterns(struct lrg_json *j, const char *key, const struct lrg_patterns *p)
{
	lrg_json_key(j, key);
	lrg_json_begin_array(j);
	for (size_t i = 0; p && i < p->n; i++)
		lrg_json_string(j, p->pats[i]);
	lrg_json_end_array(j);
}

void lrg_cj_slice(struct lrg_json *j, const struct lrg_slice_config *s)
{
	lrg_json_begin_object(j);
	lrg_json_kv_str(j, "name", s->name);
	lrg_json_kv_str(j, "match", s->match);
	lrg_json_kv_u64(j, "min_ttl_ms", s->min_ttl_ms);
	lrg_json_kv_i64(j, "swappiness", s->swappiness);
	lrg_json_kv_u64(j, "aging_interval_ms", s->aging_interval_ms);
	lrg_json_kv_bool(j, "evict", s->evict);
	lrg_json_kv_u64(j, "evict_min_age_ms", s->evict_min_age_ms);
	lrg_json_kv_u64(j, "refault_ceiling_pct", s->refault_ceiling_pct);
	lrg_json_kv_str(j, "oom", oom_policy_name(s->oom));
	patterns(j, "prefer", &s->prefer);
	patterns(j, "avoid", &s->avoid);
	patterns(j, "protect", &s->protect);
	lrg_json_end_object(j);
}

void lrg_cj_policy_stats(struct lrg_json *j, const struct lrg_policy_stats *s)
{
	if (!s) {
		lrg_json_null(j);
		return;
	}
	lrg_json_begin_object(j);
	lrg_json_kv_u64(j, "aging_passes", s->aging_passes);
	lrg_json_kv_u64(j, "gens_created", s->gens_created);
	lrg_json_kv_u64(j, "harvests", s->harvests);
	lrg_json_kv_u64(j, "harvests_contended", s->harvests_contended);
	lrg_json_kv_u64(j, "pte_total", s->pte_total);
	lrg_json_kv_u64(j, "pte_young", s->pte_young);
	lrg_json_kv_u64(j, "pmd_total", s->pmd_total);
	lrg_json_kv_u64(j, "pmd_found", s->pmd_found);
	lrg_json_kv_u64(j, "pmd_added", s->pmd_added);
	lrg_json_kv_u64(j, "pages_evicted", s->pages_evicted);
	lrg_json_kv_u64(j, "evict_calls", s->evict_calls);
	lrg_json_kv_u64(j, "direct_reclaims", s->direct_reclaims);
	lrg_json_kv_u64(j, "ttl_refusals", s->ttl_refusals);
	lrg_json_kv_u64(j, "oom_decisions", s->oom_decisions);
	lrg_json_kv_u64(j, "protected_bytes", s->protected_bytes);
	lrg_json_kv_u64(j, "protected_file_bytes", s->protected_file_bytes);
	lrg_json_kv_u64(j, "protect_writes", s->protect_writes);
	lrg_json_kv_u64(j, "protect_errors", s->protect_errors);
	lrg_json_kv_u64(j, "kernel_oom_kills_guarded", s->kernel_oom_kills_guarded);
	lrg_json_end_object(j);
}

void lrg_cj_oom_stats(struct lrg_json *j, const struct lrg_oom_stats *s)
{
	if (!s) {
		lrg_json_null(j);
		return;
	}
	lrg_json_begin_object(j);
	lrg_json_kv_u64(j, "decisions", s->decisions);
	lrg_json_kv_u64(j, "kills", s->kills);
	lrg_json_kv_u64(j, "dry_run_kills", s->dry_run_kills);
	lrg_json_kv_u64(j, "guarded", s->guarded);
	lrg_json_kv_u64(j, "no_victim", s->no_victim);
	lrg_json_kv_u64(j, "kill_errors", s->kill_errors);
	lrg_json_kv_u64(j, "respawn_escalations", s->respawn_escalations);
	lrg_json_end_object(j);
}

void lrg_cj_pressure(struct lrg_json *j, const struct lrg_pressure *p)
{
	if (!p) {
		lrg_json_null(j);
		return;
	}
	lrg_json_begin_object(j);
	lrg_json_kv_u64(j, "now_ms", p->now_ms);
	lrg_json_kv_u64(j, "mem_total", p->mem_total);
	lrg_json_kv_u64(j, "mem_free", p->mem_free);
	lrg_json_kv_u64(j, "mem_available", p->mem_available);
	lrg_json_kv_u64(j, "watermark_low", p->watermark_low);
	lrg_json_kv_u64(j, "watermark_high", p->watermark_high);
	lrg_json_kv_u64(j, "swap_total", p->swap_total);
	lrg_json_kv_u64(j, "swap_free", p->swap_free);
	lrg_json_kv_u64(j, "limit", p->limit);
	lrg_json_kv_u64(j, "usage", p->usage);
	lrg_json_kv_double(j, "psi_some_avg10", p->psi_some_avg10);
	lrg_json_kv_double(j, "psi_full_avg10", p->psi_full_avg10);
	lrg_json_kv_u64(j, "psi_some_total_us", p->psi_some_total_us);
	lrg_json_kv_u64(j, "psi_full_total_us", p->psi_full_total_us);
	lrg_json_kv_u64(j, "pgscan", p->pgscan);
	lrg_json_kv_u64(j, "pgsteal", p->pgsteal);
	lrg_json_kv_u64(j, "refaults", p->refaults);
	lrg_json_kv_u64(j, "oom_kills", p->oom_kills);
	lrg_json_end_object(j);
}

static void caps(struct lrg_json *j, unsigned int c)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ LRG_CAP_HARVEST, "harvest" },
		{ LRG_CAP_NONLEAF_YOUNG, "nonleaf_young" },
		{ LRG_CAP_KERNEL_GENS, "kernel_gens" },
		{ LRG_CAP_MEMCG, "memcg" },
		{ LRG_CAP_EVICT_PAGES, "evict_pages" },
		{ LRG_CAP_RECLAIM, "reclaim" },
		{ LRG_CAP_KILL, "kill" },
		{ LRG_CAP_VIRTUAL_TIME, "virtual_time" },
	};

	lrg_json_begin_array(j);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (c & names[i].bit)
			lrg_json_string(j, names[i].name);
	lrg_json_end_array(j);
}

void lrg_cj_status(struct lrg_json *j, const struct lrg_cj_status *s)
{
	lrg_json_begin_object(j);
	lrg_json_kv_str(j, "version", s->version);
	lrg_json_key(j, "backend");
	lrg_json_begin_object(j);
	lrg_json_kv_str(j, "name", s->backend);
	lrg_json_kv_str(j, "accuracy", s->accuracy);
	if (s->backend_why)
		lrg_json_kv_str(j, "why", s->backend_why);
	lrg_json_key(j, "caps");
	caps(j, s->caps);
	lrg_json_end_object(j);
	lrg_json_kv_bool(j, "dry_run", s->dry_run);
	lrg_json_kv_u64(j, "uptime_ms", s->uptime_ms);
	lrg_json_kv_u64(j, "nr_memcgs", s->nr_memcgs);
	lrg_json_kv_str(j, "config_fallback", s->config_fallback);
	if (s->cfg) {
		lrg_json_kv_str(j, "profile", s->cfg->daemon.profile);
		lrg_json_key(j, "slices");
		lrg_json_begin_array(j);
		for (size_t i = 0; i < s->cfg->nr_slices; i++)
			lrg_cj_slice(j, &s->cfg->slices[i]);
		lrg_json_end_array(j);
		lrg_json_key(j, "default_slice");
		lrg_cj_slice(j, &s->cfg->defaults);
	}
	lrg_json_key(j, "policy");
	lrg_cj_policy_stats(j, s->policy);
	lrg_json_key(j, "oom");
	lrg_cj_oom_stats(j, s->oom);
	lrg_json_kv_str(j, "last_decision",
			s->last_decision && *s->last_decision ? s->last_decision : NULL);
	lrg_json_key(j, "pressure");
	lrg_cj_pressure(j, s->pressure);
	lrg_json_kv_bool(j, "calm", s->calm);
	if (s->stall_trigger)
		lrg_json_kv_u64(j, "stall_wakes", s->stall_wakes);
	else
		lrg_json_key(j, "stall_wakes"), lrg_json_null(j);
	lrg_json_end_object(j);
}

int lrg_cj_write_status(FILE *out, const struct lrg_cj_status *s)
{
	struct lrg_json j;

	lrg_json_init(&j, out);
	lrg_cj_status(&j, s);
	return finish(&j);
}

int lrg_cj_write_stats(FILE *out, const struct lrg_policy_stats *policy,
		       const struct lrg_oom_stats *oom)
{
	struct lrg_json j;

	lrg_json_init(&j, out);
	lrg_json_begin_object(&j);
	lrg_json_key(&j, "policy");
	lrg_cj_policy_stats(&j, policy);
	lrg_json_key(&j, "oom");
	lrg_cj_oom_stats(&j, oom);
	lrg_json_end_object(&j);
	return finish(&j);
}

int lrg_cj_write_reload(FILE *out, bool reloaded, const struct lrg_diag *diag)
{
	struct lrg_json j;

	lrg_json_init(&j, out);
	lrg_json_begin_object(&j);
	lrg_json_kv_bool(&j, "reloaded", reloaded);
	lrg_json_kv_u64(&j, "errors", diag ? diag->nr_errors : 0);
	lrg_json_key(&j, "diagnostics");
	lrg_json_begin_array(&j);
	for (size_t i = 0; diag && i < diag->n; i++)
		lrg_json_string(&j, diag->entries[i].msg);
	lrg_json_end_array(&j);
	lrg_json_end_object(&j);
	return finish(&j);
}

bool lrg_cj_slice_known(const struct lrg_config *cfg, const char *slice)
{
	if (!cfg || !slice)
		return false;
	if (!strcmp(cfg->defaults.name, slice))
		return true;
	for (size_t i = 0; i < cfg->nr_slices; i++)
		if (!strcmp(cfg->slices[i].name, slice))
			return true;
	return false;
}

/* ---- gens --------------------------------------------------------------- */

void lrg_cj_gens_begin(struct lrg_cj_gens *g, FILE *out, const char *slice, uint64_t now_ms)
{
	memset(g, 0, sizeof(*g));
	g->slice = slice;
	lrg_json_init(&g->j, out);
	lrg_json_begin_object(&g->j);
	lrg_json_kv_u64(&g->j, "now_ms", now_ms);
	lrg_json_kv_str(&g->j, "slice", slice);
	lrg_json_kv_u64(&g->j, "page_size", LRG_PAGE_SIZE);
	lrg_json_key(&g->j, "memcgs");
	lrg_json_begin_array(&g->j);
}

static void close_memcg(struct lrg_cj_gens *g)
{
	if (!g->in_memcg)
		return;
	lrg_json_end_array(&g->j);  /* nodes */
	lrg_json_end_object(&g->j); /* memcg */
	g->in_memcg = false;
}

int lrg_cj_gens_fn(void *ctx, const struct lrg_gens_view *v)
{
	struct lrg_cj_gens *g = ctx;
	struct lrg_json *j = &g->j;
	int nr_gens;

	if (g->slice && (!v->slice || strcmp(v->slice, g->slice)))
		return 0;
	if (g->in_memcg && g->memcg_id == v->memcg_id) {
		g->node++;
	} else {
		close_memcg(g);
		lrg_json_begin_object(j);
		lrg_json_kv_u64(j, "id", v->memcg_id);
		lrg_json_kv_str(j, "path", v->path);
		lrg_json_kv_str(j, "slice", v->slice);
		lrg_json_kv_u64(j, "nr_mms", v->nr_mms);
		lrg_json_key(j, "nodes");
		lrg_json_begin_array(j);
		g->in_memcg = true;
		g->memcg_id = v->memcg_id;
		g->node = 0;
	}
	lrg_json_begin_object(j);
	lrg_json_kv_i64(j, "node", g->node);
	lrg_json_kv_u64(j, "max_seq", v->max_seq);
	lrg_json_key(j, "min_seq");
	lrg_json_begin_object(j);
	lrg_json_kv_u64(j, "anon", v->min_seq[LRG_ANON]);
	lrg_json_kv_u64(j, "file", v->min_seq[LRG_FILE]);
	lrg_json_end_object(j);
	lrg_json_key(j, "gens");
	lrg_json_begin_array(j);
	/* a bad count from the engine must not read past the array */
	nr_gens = v->nr_gens < 0 ? 0 : v->nr_gens > (int)LRG_MAX_NR_GENS ? (int)LRG_MAX_NR_GENS
									  : v->nr_gens;
	for (int i = 0; i < nr_gens; i++) {
		lrg_json_begin_object(j);
		lrg_json_kv_u64(j, "seq", v->gens[i].seq);
		lrg_json_kv_u64(j, "age_ms", v->gens[i].age_ms);
		lrg_json_kv_u64(j, "anon", v->gens[i].nr_pages[LRG_ANON]);
		lrg_json_kv_u64(j, "file", v->gens[i].nr_pages[LRG_FILE]);
		lrg_json_end_object(j);
	}
	lrg_json_end_array(j);
	lrg_json_end_object(j);
	return 0;
}

int lrg_cj_gens_end(struct lrg_cj_gens *g, int r)
{
	close_memcg(g);
	lrg_json_end_array(&g->j);
	lrg_json_end_object(&g->j);
	if (r < 0)
		return r;
	return finish(&g->j);
}

/* ---- wss ---------------------------------------------------------------- */

const uint64_t lrg_cj_wss_bucket_ms[LRG_CJ_WSS_BUCKETS] = { 1000, 10000, 60000, UINT64_MAX };
const char *const lrg_cj_wss_bucket_names[LRG_CJ_WSS_BUCKETS] = { "1s", "10s", "60s", "older" };

void lrg_cj_wss_init(struct lrg_cj_wss *w, const char *slice)
{
	memset(w, 0, sizeof(*w));
	w->filter = slice;
}

int lrg_cj_wss_bucket(uint64_t age_ms)
{
	int b = 0;

	while (b < LRG_CJ_WSS_BUCKETS - 1 && age_ms >= lrg_cj_wss_bucket_ms[b])
		b++;
	return b;
}

static struct lrg_cj_wss_slice *wss_slice(struct lrg_cj_wss *w, const char *name)
{
	struct lrg_cj_wss_slice *s;

	for (size_t i = 0; i < w->n; i++)
		if (!strncmp(w->slices[i].name, name, sizeof(w->slices[i].name) - 1))
			return &w->slices[i];
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;

		s = realloc(w->slices, cap * sizeof(*s));
		if (!s)
			return NULL;
		w->slices = s;
		w->cap = cap;
	}
	s = &w->slices[w->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

int lrg_cj_wss_add_slice(struct lrg_cj_wss *w, const char *name)
{
	if (w->filter && strcmp(w->filter, name))
		return 0;
	return wss_slice(w, name) ? 0 : -ENOMEM;
}

int lrg_cj_wss_fn(void *ctx, const struct lrg_gens_view *v)
{
	struct lrg_cj_wss *w = ctx;
	const char *name = v->slice ? v->slice : "";
	struct lrg_cj_wss_slice *s;
	int nr_gens;

	if (w->filter && strcmp(w->filter, name))
		return 0;
	s = wss_slice(w, name);
	if (!s)
		return -ENOMEM;
	s->nr_lruvecs++;
	s->protected_bytes += v->protected_bytes;
	nr_gens = v->nr_gens < 0 ? 0 : v->nr_gens > (int)LRG_MAX_NR_GENS ? (int)LRG_MAX_NR_GENS
									  : v->nr_gens;
	for (int i = 0; i < nr_gens; i++) {
		int b = lrg_cj_wss_bucket(v->gens[i].age_ms);

		for (int t = 0; t < LRG_NR_TYPES; t++)
			s->pages[t][b] += v->gens[i].nr_pages[t];
	}
	return 0;
}

static void bucket_array(struct lrg_json *j, const char *key, const uint64_t *pages)
{
	lrg_json_key(j, key);
	lrg_json_begin_array(j);
	for (int b = 0; b < LRG_CJ_WSS_BUCKETS; b++)
		lrg_json_u64(j, pages[b]);
	lrg_json_end_array(j);
}

int lrg_cj_wss_write(FILE *out, const struct lrg_cj_wss *w, uint64_t now_ms)
{
	struct lrg_json j;

	lrg_json_init(&j, out);
	lrg_json_begin_object(&j);
	lrg_json_kv_u64(&j, "now_ms", now_ms);
	lrg_json_kv_u64(&j, "page_size", LRG_PAGE_SIZE);
	lrg_json_key(&j, "buckets");
	lrg_json_begin_array(&j);
	for (int b = 0; b < LRG_CJ_WSS_BUCKETS; b++)
		lrg_json_string(&j, lrg_cj_wss_bucket_names[b]);
	lrg_json_end_array(&j);
	lrg_json_key(&j, "bucket_max_age_ms");
	lrg_json_begin_array(&j);
	for (int b = 0; b < LRG_CJ_WSS_BUCKETS; b++) {
		if (lrg_cj_wss_bucket_ms[b] == UINT64_MAX)
			lrg_json_null(&j);
		else
			lrg_json_u64(&j, lrg_cj_wss_bucket_ms[b]);
	}
	lrg_json_end_array(&j);
	lrg_json_key(&j, "slices");
	lrg_json_begin_array(&j);
	for (size_t i = 0; i < w->n; i++) {
		const struct lrg_cj_wss_slice *s = &w->slices[i];
		uint64_t tot[LRG_NR_TYPES] = { 0 };

		for (int t = 0; t < LRG_NR_TYPES; t++)
			for (int b = 0; b < LRG_CJ_WSS_BUCKETS; b++)
				tot[t] += s->pages[t][b];
		lrg_json_begin_object(&j);
		lrg_json_kv_str(&j, "slice", s->name);
		lrg_json_kv_u64(&j, "lruvecs", s->nr_lruvecs);
		bucket_array(&j, "anon", s->pages[LRG_ANON]);
		bucket_array(&j, "file", s->pages[LRG_FILE]);
		lrg_json_key(&j, "total");
		lrg_json_begin_object(&j);
		lrg_json_kv_u64(&j, "anon", tot[LRG_ANON]);
		lrg_json_kv_u64(&j, "file", tot[LRG_FILE]);
		lrg_json_end_object(&j);
		lrg_json_kv_u64(&j, "protected_bytes", s->protected_bytes);
		lrg_json_end_object(&j);
	}
	lrg_json_end_array(&j);
	lrg_json_end_object(&j);
	return finish(&j);
}

void lrg_cj_wss_free(struct lrg_cj_wss *w)
{
	free(w->slices);
	w->slices = NULL;
	w->n = w->cap = 0;
}

/* ---- explain ------------------------------------------------------------ */

int lrg_cj_write_explain(FILE *out, const struct lrg_cj_explain *e)
{
	struct lrg_json j;

	lrg_json_init(&j, out);
	lrg_json_begin_object(&j);
	lrg_json_kv_str(&j, "domain", e->domain ? e->domain : "/");
	lrg_json_kv_bool(&j, "dry_run", e->dry_run);
	lrg_json_kv_u64(&j, "page_size", LRG_PAGE_SIZE);
	lrg_json_key(&j, "pressure");
	lrg_cj_pressure(&j, e->pressure);
	lrg_json_key(&j, "victim");
	if (e->has_victim && e->n)
		lrg_json_u64(&j, 0);
	else
		lrg_json_null(&j);
	lrg_json_key(&j, "candidates");
	lrg_json_begin_array(&j);
	for (size_t i = 0; i < e->n; i++) {
		const struct lrg_cj_candidate *c = &e->c[i];
		char comm[sizeof(c->comm) + 1];

		/* comm may fill all 16 bytes without a NUL */
		memcpy(comm, c->comm, sizeof(c->comm));
		comm[sizeof(c->comm)] = '\0';
		lrg_json_begin_object(&j);
		lrg_json_kv_u64(&j, "rank", i + 1);
		lrg_json_kv_i64(&j, "pid", c->pid);
		lrg_json_kv_str(&j, "comm", comm);
		lrg_json_kv_str(&j, "cgroup", c->cgroup);
		lrg_json_kv_str(&j, "slice", c->slice);
		lrg_json_kv_u64(&j, "rss_pages", c->rss_pages);
		lrg_json_kv_u64(&j, "growth_pages", c->growth_pages);
		lrg_json_kv_str(&j, "tier", lrg_cj_tier_name(c->tier));
		lrg_json_kv_i64(&j, "badness", c->badness);
		lrg_json_kv_i64(&j, "oom_score_adj", c->oom_score_adj);
		lrg_json_kv_str(&j, "reason", c->reason);
		lrg_json_end_object(&j);
	}
	lrg_json_end_array(&j);
	lrg_json_end_object(&j);
	return finish(&j);
}
