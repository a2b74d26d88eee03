/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control_json.h - the daemon's state as JSON, for the control socket's
 * replies (control.h). Pure renderers of the agreed structs: they never
 * call into the policy engine, the config or the OOM code, so they link and
 * test on their own; the daemon fills the structs and calls these from its
 * struct lrg_control_ops handlers.
 *
 * Every lrg_cj_write_* function renders one complete document into out and
 * returns 0 or a negative errno (what a handler returns). The lrg_cj_*
 * renderers without "write" add one value to a document being written.
 *
 * Sizes are in pages (LRG_PAGE_SIZE bytes; "page_size" is in every
 * document that has page counts), times in milliseconds.
 */
#ifndef LRG_CONTROL_JSON_H
#define LRG_CONTROL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "json.h"
#include "lrg_backend.h"
#include "config_load.h"
#include "lrg_policy.h"
#include "oom_types.h"

/* ---- status / stats ---------------------------------------------------- */

struct lrg_cj_status {
	const char *version;            /* PACKAGE_VERSION */
	const char *backend;            /* backend->ops->name */
	const char *accuracy;           /* backend->ops->accuracy */
	const char *backend_why;        /* why this backend (chosen, fallen back to); NULL: omitted */
	unsigned int caps;              /* backend->caps, rendered as names */
	bool dry_run;                   /* effective (--dry-run or the config) */
	uint64_t uptime_ms;
	const struct lrg_config *cfg;   /* profile, slices, [slice *]; NULL: omitted */
	const char *config_fallback;    /* why the built-in profile stands in for the files; NULL */
	const struct lrg_policy_stats *policy; /* NULL: null */
	const struct lrg_oom_stats *oom;       /* NULL: null */
	const char *last_decision;      /* NULL or "": null */
	const struct lrg_pressure *pressure;   /* machine-wide; NULL: null */
	size_t nr_memcgs;               /* memcgs the engine tracks (0 if unknown) */
	bool calm;                      /* paced down: the machine is calm (tick.c) */
	bool stall_trigger;             /* a PSI trigger wakes the daemon */
	uint64_t stall_wakes;           /* ... ticks it brought forward */
};

/*
 * {"version":..,"backend":{"name":..,"accuracy":..,"why":..,"caps":[..]},
 *  "dry_run":b,"uptime_ms":N,"config_fallback":"why"|null,"profile":..,
 *  "slices":[SLICE...],"default_slice":SLICE,
 *  "policy":{aging_passes..oom_decisions},"oom":{decisions..kill_errors},
 *  "last_decision":"..."|null,"pressure":{...}|null,"calm":b,"nr_memcgs":N,
 *  "stall_wakes":N|null (null: no PSI trigger)}
 * SLICE = {"name","match","min_ttl_ms","swappiness"(-1: the kernel's),
 *  "aging_interval_ms","evict","evict_min_age_ms","refault_ceiling_pct",
 *  "oom":"process"|"cgroup"|"never","prefer":[..],"avoid":[..],"protect":[..]}
 */
void lrg_cj_status(struct lrg_json *j, const struct lrg_cj_status *s);
int lrg_cj_write_status(FILE *out, const struct lrg_cj_status *s);

/* {"policy":{..}|null,"oom":{..}|null} */
int lrg_cj_write_stats(FILE *out, const struct lrg_policy_stats *policy,
		       const struct lrg_oom_stats *oom);

void lrg_cj_slice(struct lrg_json *j, const struct lrg_slice_config *s);
void lrg_cj_policy_stats(struct lrg_json *j, const struct lrg_policy_stats *s);
void lrg_cj_oom_stats(struct lrg_json *j, const struct lrg_oom_stats *s);
void lrg_cj_pressure(struct lrg_json *j, const struct lrg_pressure *p);

/* true if slice names a slice of cfg (or its [slice *] defaults): what a
 * gens/wss handler checks before rendering, returning -ENOENT if not. */
bool lrg_cj_slice_known(const struct lrg_config *cfg, const char *slice);

/*
 * The reload reply: {"reloaded":b,"errors":N,"diagnostics":["file:line: ..."]}.
 * reloaded false means the new configuration was rejected and the old one
 * stays (lrugenctl then exits 1); diag may be NULL.
 */
int lrg_cj_write_reload(FILE *out, bool reloaded, const struct lrg_diag *diag);

/* ---- gens --------------------------------------------------------------- */

/*
 * {"now_ms":N,"slice":"..."|null,"page_size":4096,"memcgs":[
 *   {"id":N,"path":"..","slice":"..","nr_mms":N,"nodes":[
 *     {"node":0,"max_seq":N,"min_seq":{"anon":N,"file":N},"gens":[
 *       {"seq":N,"age_ms":N,"anon":N,"file":N}, ...]}]}]}
 *
 * struct lrg_gens_view has no node number: consecutive views of one memcg
 * are taken as its nodes 0, 1, ... in the order visited.
 *
 *	struct lrg_cj_gens g;
 *	lrg_cj_gens_begin(&g, out, slice, now_ms);
 *	r = lrg_policy_foreach_gens(policy, now_ms, lrg_cj_gens_fn, &g);
 *	return lrg_cj_gens_end(&g, r);
 */
struct lrg_cj_gens {
	struct lrg_json j;
	const char *slice;      /* only views of this slice; NULL: all */
	bool in_memcg;
	uint64_t memcg_id;
	int node;
};

void lrg_cj_gens_begin(struct lrg_cj_gens *g, FILE *out, const char *slice, uint64_t now_ms);
/* An lrg_gens_fn: ctx is the struct lrg_cj_gens. */
int lrg_cj_gens_fn(void *ctx, const struct lrg_gens_view *v);
/* Closes the document; returns r if it is negative (the foreach failed),
 * else the writer's verdict. */
int lrg_cj_gens_end(struct lrg_cj_gens *g, int r);

/* ---- wss ---------------------------------------------------------------- */

/*
 * Working set per slice: the pages of generations younger than 1 s, 10 s,
 * 60 s, and the rest, summed over the slice's memcgs and nodes. A
 * generation's age is the time since it was created; every page in it was
 * found accessed no earlier than that, so "younger than 10 s" is what the
 * slice touched in the last ~10 s.
 *
 * {"now_ms":N,"page_size":4096,"buckets":["1s","10s","60s","older"],
 *  "bucket_max_age_ms":[1000,10000,60000,null],
 *  "slices":[{"slice":"..","lruvecs":N,
 *    "anon":[b0,b1,b2,b3],"file":[b0,b1,b2,b3],
 *    "total":{"anon":N,"file":N}}]}
 *
 *	struct lrg_cj_wss w;
 *	lrg_cj_wss_init(&w, slice);
 *	for each configured slice (if no filter): lrg_cj_wss_add_slice(&w, name);
 *	r = lrg_policy_foreach_gens(policy, now_ms, lrg_cj_wss_fn, &w);
 *	if (r >= 0) r = lrg_cj_wss_write(out, &w, now_ms);
 *	lrg_cj_wss_free(&w);
 */
#define LRG_CJ_WSS_BUCKETS 4
extern const uint64_t lrg_cj_wss_bucket_ms[LRG_CJ_WSS_BUCKETS]; /* last: UINT64_MAX */
extern const char *const lrg_cj_wss_bucket_names[LRG_CJ_WSS_BUCKETS];

struct lrg_cj_wss_slice {
	char name[64];
	size_t nr_lruvecs;
	uint64_t pages[LRG_NR_TYPES][LRG_CJ_WSS_BUCKETS];
	uint64_t protected_bytes;   /* held by memory.min against the kernel's reclaim */
};

struct lrg_cj_wss {
	const char *filter;     /* only this slice; NULL: all */
	struct lrg_cj_wss_slice *slices;
	size_t n, cap;
};

void lrg_cj_wss_init(struct lrg_cj_wss *w, const char *slice);
/* Make a slice appear even with no memcgs (order of first add/visit). */
int lrg_cj_wss_add_slice(struct lrg_cj_wss *w, const char *name);
/* An lrg_gens_fn: ctx is the struct lrg_cj_wss. -ENOMEM possible. */
int lrg_cj_wss_fn(void *ctx, const struct lrg_gens_view *v);
/* The bucket index of a generation of this age. */
int lrg_cj_wss_bucket(uint64_t age_ms);
int lrg_cj_wss_write(FILE *out, const struct lrg_cj_wss *w, uint64_t now_ms);
void lrg_cj_wss_free(struct lrg_cj_wss *w);

/* ---- explain ------------------------------------------------------------ */

/* One OOM candidate as lrugenctl explain shows it. */
struct lrg_cj_candidate {
	pid_t pid;
	char comm[16];
	const char *cgroup;         /* may be NULL */
	const char *slice;          /* may be NULL */
	uint64_t rss_pages;
	uint64_t growth_pages;
	enum lrg_oom_tier tier;
	int64_t badness;
	int oom_score_adj;
	const char *reason;         /* may be NULL */
};

/* Fill one from a candidate lrg_oom_select() ranked (pointers are shared,
 * not copied: render before the candidates go away). */
static inline void lrg_cj_candidate_from_oom(struct lrg_cj_candidate *ret,
					     const struct lrg_oom_candidate *c)
{
	memset(ret, 0, sizeof(*ret));
	ret->pid = c->pid;
	memcpy(ret->comm, c->comm, sizeof(ret->comm));
	ret->comm[sizeof(ret->comm) - 1] = '\0';
	ret->cgroup = c->cgroup;
	ret->slice = c->slice ? c->slice->name : NULL;
	ret->rss_pages = c->rss_pages;
	ret->growth_pages = c->growth_pages;
	ret->tier = c->tier;
	ret->badness = c->badness;
	ret->oom_score_adj = c->oom_score_adj;
	ret->reason = c->reason;
}

/* "excluded", "avoid", "normal", "prefer"; "?" otherwise. */
const char *lrg_cj_tier_name(int tier);

struct lrg_cj_explain {
	const char *domain;         /* cgroup path of the OOM domain, "/" = machine */
	bool dry_run;
	const struct lrg_pressure *pressure;  /* NULL: null */
	/* in rank order, first = the next victim (sort with lrg_oom_compare) */
	const struct lrg_cj_candidate *c;
	size_t n;
	bool has_victim;            /* false: every candidate is excluded */
};

/*
 * {"domain":"/","dry_run":b,"page_size":4096,"pressure":{..}|null,
 *  "victim":0|null,"candidates":[{"rank":1,"pid":N,"comm":"..",
 *  "cgroup":".."|null,"slice":".."|null,"rss_pages":N,"growth_pages":N,
 *  "tier":"prefer","badness":N,"oom_score_adj":N,"reason":".."|null}]}
 */
int lrg_cj_write_explain(FILE *out, const struct lrg_cj_explain *e);

#endif /* LRG_CONTROL_JSON_H */
