// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_control_json.c - the renderers of daemon state (control_json.h)
 * on hand-made structs; every document is parsed back and checked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control_json.h"
#include "tap.h"

static char *buf;
static size_t len;

static FILE *open_buf(void)
{
	free(buf);
	buf = NULL;
	len = 0;
	return open_memstream(&buf, &len);
}

/* Close the stream and parse what was written. */
static struct lrg_jval *close_parse(FILE *f)
{
	struct lrg_jval *v = NULL;
	size_t pos = 0;

	fclose(f);
	if (lrg_json_parse(buf, len, &v, &pos) < 0) {
		diag("not JSON at %zu: %s", pos, buf);
		return NULL;
	}
	return v;
}

static void test_status(void)
{
	char *pats[] = { "comm:firefox", "exe:/usr/bin/\"q\"" };
	struct lrg_slice_config slices[2] = {
		{ .name = "app.slice", .match = "app.slice", .min_ttl_ms = 1000, .swappiness = 60,
		  .aging_interval_ms = 500, .evict = true, .oom = LRG_OOM_CGROUP,
		  .prefer = { 2, pats } },
		{ .name = "system.slice", .match = "system.slice", .min_ttl_ms = 0, .swappiness = -1,
		  .oom = LRG_OOM_NEVER },
	};
	struct lrg_config cfg = { .slices = slices, .nr_slices = 2 };
	struct lrg_policy_stats ps = { .gens_created = 42, .pages_evicted = 1000, .ttl_refusals = 3 };
	struct lrg_oom_stats os = { .decisions = 5, .kills = 2, .guarded = 1 };
	struct lrg_pressure pr = { .mem_total = 8ULL << 30, .mem_available = 1ULL << 30,
				   .psi_some_avg10 = 12.5 };
	struct lrg_cj_status s = {
		.version = "0.1.0", .backend = "kmod", .accuracy = "exact", .dry_run = true,
		.backend_why = "lrugen.ko answers again",
		.caps = LRG_CAP_HARVEST | LRG_CAP_KILL, .uptime_ms = 12345, .cfg = &cfg,
		.policy = &ps, .oom = &os, .last_decision = "killed 123 (\"x\")", .pressure = &pr,
	};
	const struct lrg_jval *b, *sl, *caps;
	struct lrg_jval *v;
	FILE *f;

	snprintf(cfg.daemon.profile, sizeof(cfg.daemon.profile), "desktop");
	snprintf(cfg.defaults.name, sizeof(cfg.defaults.name), "*");
	f = open_buf();
	ok(lrg_cj_write_status(f, &s) == 0, "status renders");
	v = close_parse(f);
	ok(v != NULL, "status is valid JSON");
	b = lrg_json_get(v, "backend");
	ok(!strcmp(lrg_json_get_str(b, "name", ""), "kmod") &&
	   !strcmp(lrg_json_get_str(b, "accuracy", ""), "exact"), "backend name and accuracy");
	ok(!strcmp(lrg_json_get_str(b, "why", ""), "lrugen.ko answers again"),
	   "why this backend (backend.why)");
	caps = lrg_json_get(b, "caps");
	ok(caps && caps->n == 2 && !strcmp(caps->items[0].str, "harvest") &&
	   !strcmp(caps->items[1].str, "kill"), "caps as names");
	ok(lrg_json_get_bool(v, "dry_run", false), "dry_run");
	ok(!strcmp(lrg_json_get_str(v, "profile", ""), "desktop") &&
	   lrg_json_get(v, "config_fallback")->type == LRG_JNULL,
	   "profile; config_fallback null while the files are in force");
	sl = lrg_json_get(v, "slices");
	ok(sl && sl->n == 2, "two slices");
	if (sl && sl->n == 2) {
		ok(lrg_json_get_u64(&sl->items[0], "min_ttl_ms", 0) == 1000 &&
		   lrg_json_get_i64(&sl->items[0], "swappiness", 0) == 60 &&
		   lrg_json_get_bool(&sl->items[0], "evict", false) &&
		   !strcmp(lrg_json_get_str(&sl->items[0], "oom", ""), "cgroup"),
		   "slice policy fields");
		ok(lrg_json_get(&sl->items[0], "prefer")->n == 2 &&
		   !strcmp(lrg_json_get(&sl->items[0], "prefer")->items[1].str, "exe:/usr/bin/\"q\""),
		   "patterns with quotes survive");
		ok(lrg_json_get_i64(&sl->items[1], "swappiness", 0) == -1 &&
		   !strcmp(lrg_json_get_str(&sl->items[1], "oom", ""), "never"),
		   "swappiness -1 and oom never");
	}
	ok(!strcmp(lrg_json_get_str(lrg_json_get(v, "default_slice"), "name", ""), "*"),
	   "default slice");
	ok(lrg_json_get_u64(lrg_json_get(v, "policy"), "gens_created", 0) == 42 &&
	   lrg_json_get_u64(lrg_json_get(v, "policy"), "ttl_refusals", 0) == 3, "policy stats");
	ok(lrg_json_get_u64(lrg_json_get(v, "oom"), "kills", 0) == 2, "oom stats");
	ok(!strcmp(lrg_json_get_str(v, "last_decision", ""), "killed 123 (\"x\")"), "last decision");
	ok(lrg_json_get_double(lrg_json_get(v, "pressure"), "psi_some_avg10", 0) == 12.5 &&
	   lrg_json_get_u64(lrg_json_get(v, "pressure"), "mem_total", 0) == 8ULL << 30, "pressure");
	ok(lrg_json_get(v, "stall_wakes") && lrg_json_get(v, "stall_wakes")->type == LRG_JNULL,
	   "stall_wakes null without a PSI trigger");
	lrg_json_free(v);

	s.stall_trigger = true;
	s.stall_wakes = 7;
	f = open_buf();
	ok(lrg_cj_write_status(f, &s) == 0, "status with a PSI trigger renders");
	v = close_parse(f);
	ok(v && lrg_json_get(v, "stall_wakes") && lrg_json_get(v, "stall_wakes")->type != LRG_JNULL &&
	   lrg_json_get_u64(v, "stall_wakes", 0) == 7, "stall_wakes counts the trigger's wake-ups");
	lrg_json_free(v);

	/* what is not known yet is null, not invented */
	memset(&s, 0, sizeof(s));
	s.backend = "proc";
	f = open_buf();
	ok(lrg_cj_write_status(f, &s) == 0, "minimal status renders");
	v = close_parse(f);
	ok(v && lrg_json_get(v, "policy")->type == LRG_JNULL &&
	   lrg_json_get(v, "oom")->type == LRG_JNULL &&
	   lrg_json_get(v, "last_decision")->type == LRG_JNULL &&
	   lrg_json_get(v, "pressure")->type == LRG_JNULL && !lrg_json_get(v, "slices"),
	   "missing parts are null or absent: %s", buf);
	lrg_json_free(v);

	s.config_fallback = "1 error(s) in the configuration, the first: a.conf:2: \"x\"";
	f = open_buf();
	ok(lrg_cj_write_status(f, &s) == 0, "status with a rejected config renders");
	v = close_parse(f);
	ok(v && !strcmp(lrg_json_get_str(v, "config_fallback", ""), s.config_fallback),
	   "config_fallback: the reason, quotes and all");
	lrg_json_free(v);

	f = open_buf();
	ok(lrg_cj_write_stats(f, &ps, &os) == 0, "stats renders");
	v = close_parse(f);
	ok(v && lrg_json_get_u64(lrg_json_get(v, "policy"), "pages_evicted", 0) == 1000 &&
	   lrg_json_get_u64(lrg_json_get(v, "oom"), "decisions", 0) == 5, "stats content");
	lrg_json_free(v);

	ok(lrg_cj_slice_known(&cfg, "app.slice") && lrg_cj_slice_known(&cfg, "*") &&
	   !lrg_cj_slice_known(&cfg, "nope") && !lrg_cj_slice_known(NULL, "app.slice"),
	   "lrg_cj_slice_known");
}

static void test_reload(void)
{
	struct lrg_diag_entry e[2] = {
		{ .level = LRG_DIAG_WARNING, .msg = "a.conf:1: [daemon] x: unknown key" },
		{ .level = LRG_DIAG_ERROR, .msg = "a.conf:2: [slice s] min_ttl: \"abc\" is not a time" },
	};
	struct lrg_diag d = { .n = 2, .nr_errors = 1, .entries = e };
	const struct lrg_jval *dg;
	struct lrg_jval *v;
	FILE *f;

	f = open_buf();
	ok(lrg_cj_write_reload(f, false, &d) == 0, "reload reply renders");
	v = close_parse(f);
	dg = lrg_json_get(v, "diagnostics");
	ok(v && !lrg_json_get_bool(v, "reloaded", true) && lrg_json_get_u64(v, "errors", 0) == 1 &&
	   dg && dg->n == 2 && strstr(dg->items[1].str, "\"abc\""),
	   "rejected reload: reloaded false, error count, every diagnostic");
	lrg_json_free(v);
	f = open_buf();
	ok(lrg_cj_write_reload(f, true, NULL) == 0, "clean reload renders");
	v = close_parse(f);
	ok(v && lrg_json_get_bool(v, "reloaded", false) && lrg_json_get(v, "diagnostics")->n == 0,
	   "clean reload: reloaded true, no diagnostics");
	lrg_json_free(v);
}

static struct lrg_gens_view view(uint64_t id, const char *path, const char *slice, uint64_t base_age)
{
	struct lrg_gens_view v = { .memcg_id = id, .path = path, .slice = slice, .max_seq = 7,
				   .min_seq = { 4, 5 }, .nr_gens = 4, .nr_mms = 3 };

	for (int i = 0; i < 4; i++) {
		v.gens[i].seq = 4 + (uint64_t)i;
		v.gens[i].age_ms = base_age * (uint64_t)(4 - i);
		v.gens[i].nr_pages[LRG_ANON] = 100 * (uint64_t)(i + 1);
		v.gens[i].nr_pages[LRG_FILE] = 10 * (uint64_t)(i + 1);
	}
	return v;
}

static void test_gens(void)
{
	struct lrg_gens_view v1 = view(1, "/", "*", 1000);
	struct lrg_gens_view v2 = view(1, "/", "*", 1000);
	struct lrg_gens_view v3 = view(42, "/app.slice/x.scope", "app.slice", 20000);
	const struct lrg_jval *m, *n, *g;
	struct lrg_cj_gens cg;
	struct lrg_jval *v;
	FILE *f;

	v3.nr_gens = 99;  /* a bad count must not overrun */
	f = open_buf();
	lrg_cj_gens_begin(&cg, f, NULL, 5000);
	lrg_cj_gens_fn(&cg, &v1);
	lrg_cj_gens_fn(&cg, &v2);
	lrg_cj_gens_fn(&cg, &v3);
	ok(lrg_cj_gens_end(&cg, 0) == 0, "gens renders");
	v = close_parse(f);
	m = lrg_json_get(v, "memcgs");
	ok(m && m->n == 2, "two memcgs");
	if (m && m->n == 2) {
		n = lrg_json_get(&m->items[0], "nodes");
		ok(n && n->n == 2 && lrg_json_get_i64(&n->items[1], "node", -1) == 1,
		   "consecutive views of one memcg are nodes 0 and 1");
		ok(lrg_json_get_u64(&n->items[0], "max_seq", 0) == 7 &&
		   lrg_json_get_u64(lrg_json_get(&n->items[0], "min_seq"), "file", 0) == 5,
		   "max_seq and min_seq");
		g = lrg_json_get(&n->items[0], "gens");
		ok(g && g->n == 4 && lrg_json_get_u64(&g->items[3], "seq", 0) == 7 &&
		   lrg_json_get_u64(&g->items[3], "anon", 0) == 400 &&
		   lrg_json_get_u64(&g->items[3], "file", 0) == 40 &&
		   lrg_json_get_u64(&g->items[0], "age_ms", 0) == 4000, "generations");
		ok(!strcmp(lrg_json_get_str(&m->items[1], "path", ""), "/app.slice/x.scope") &&
		   lrg_json_get_u64(&m->items[1], "id", 0) == 42 &&
		   lrg_json_get(lrg_json_get(&m->items[1], "nodes")->items, "gens")->n == 4,
		   "second memcg, nr_gens clamped to %u", LRG_MAX_NR_GENS);
	}
	lrg_json_free(v);

	f = open_buf();
	lrg_cj_gens_begin(&cg, f, "app.slice", 5000);
	lrg_cj_gens_fn(&cg, &v1);
	lrg_cj_gens_fn(&cg, &v3);
	ok(lrg_cj_gens_end(&cg, 0) == 0, "filtered gens renders");
	v = close_parse(f);
	m = lrg_json_get(v, "memcgs");
	ok(m && m->n == 1 && lrg_json_get_u64(&m->items[0], "id", 0) == 42 &&
	   !strcmp(lrg_json_get_str(v, "slice", ""), "app.slice"), "slice filter keeps one memcg");
	lrg_json_free(v);

	f = open_buf();
	lrg_cj_gens_begin(&cg, f, NULL, 0);
	ok(lrg_cj_gens_end(&cg, -EIO) == -EIO, "a failed foreach is passed on");
	fclose(f);
}

static void test_wss(void)
{
	struct lrg_gens_view v1 = view(1, "/a", "app.slice", 0);
	struct lrg_gens_view v2 = view(2, "/b", "app.slice", 0);
	struct lrg_gens_view v3 = view(3, "/c", "system.slice", 0);
	const struct lrg_jval *sl, *a;
	struct lrg_cj_wss w;
	struct lrg_jval *v;
	FILE *f;

	ok(lrg_cj_wss_bucket(0) == 0 && lrg_cj_wss_bucket(999) == 0 && lrg_cj_wss_bucket(1000) == 1 &&
	   lrg_cj_wss_bucket(9999) == 1 && lrg_cj_wss_bucket(10000) == 2 &&
	   lrg_cj_wss_bucket(59999) == 2 && lrg_cj_wss_bucket(60000) == 3 &&
	   lrg_cj_wss_bucket(UINT64_MAX) == 3, "bucket boundaries 1 s / 10 s / 60 s");
	/* ages: one generation in each bucket */
	v1.gens[0].age_ms = 120000;
	v1.gens[1].age_ms = 30000;
	v1.gens[2].age_ms = 5000;
	v1.gens[3].age_ms = 200;
	v2.gens[0].age_ms = v2.gens[1].age_ms = v2.gens[2].age_ms = v2.gens[3].age_ms = 500;
	v3.nr_gens = 1;
	v3.gens[0].age_ms = 70000;

	lrg_cj_wss_init(&w, NULL);
	lrg_cj_wss_add_slice(&w, "empty.slice");
	lrg_cj_wss_fn(&w, &v1);
	lrg_cj_wss_fn(&w, &v2);
	lrg_cj_wss_fn(&w, &v3);
	f = open_buf();
	ok(lrg_cj_wss_write(f, &w, 1) == 0, "wss renders");
	lrg_cj_wss_free(&w);
	v = close_parse(f);
	sl = lrg_json_get(v, "slices");
	ok(sl && sl->n == 3, "three slices, the empty one included");
	if (sl && sl->n == 3) {
		ok(!strcmp(lrg_json_get_str(&sl->items[0], "slice", ""), "empty.slice") &&
		   lrg_json_get_u64(lrg_json_get(&sl->items[0], "total"), "anon", 1) == 0,
		   "empty slice first, with zeros");
		a = lrg_json_get(&sl->items[1], "anon");
		/* v1: 400 (<1s), 300 (<10s), 200 (<60s), 100 (older); v2: all
		 * 100+200+300+400 younger than 1 s */
		ok(a && a->n == 4 && lrg_json_as_u64(&a->items[0]) == 400 + 1000 &&
		   lrg_json_as_u64(&a->items[1]) == 300 && lrg_json_as_u64(&a->items[2]) == 200 &&
		   lrg_json_as_u64(&a->items[3]) == 100, "anon pages bucketed by generation age");
		ok(lrg_json_as_u64(&lrg_json_get(&sl->items[1], "file")->items[0]) == 40 + 100,
		   "file pages bucketed too");
		ok(lrg_json_get_u64(&sl->items[1], "lruvecs", 0) == 2, "two lruvecs in app.slice");
		ok(lrg_json_as_u64(&lrg_json_get(&sl->items[2], "anon")->items[3]) == 100,
		   "system.slice: only its first generation counted");
	}
	ok(lrg_json_get(v, "bucket_max_age_ms") && lrg_json_get(v, "bucket_max_age_ms")->n == 4 &&
	   lrg_json_get(v, "bucket_max_age_ms")->items[3].type == LRG_JNULL, "bucket limits listed");
	lrg_json_free(v);

	lrg_cj_wss_init(&w, "system.slice");
	lrg_cj_wss_add_slice(&w, "empty.slice");
	lrg_cj_wss_fn(&w, &v1);
	lrg_cj_wss_fn(&w, &v3);
	f = open_buf();
	ok(lrg_cj_wss_write(f, &w, 1) == 0, "filtered wss renders");
	lrg_cj_wss_free(&w);
	v = close_parse(f);
	sl = lrg_json_get(v, "slices");
	ok(sl && sl->n == 1 && !strcmp(lrg_json_get_str(&sl->items[0], "slice", ""), "system.slice"),
	   "filter keeps one slice");
	lrg_json_free(v);
}

static void test_explain(void)
{
	struct lrg_cj_candidate c[2] = {
		{ .pid = 1234, .comm = "abcdefghijklmno", .cgroup = "/app.slice/x.scope",
		  .slice = "app.slice", .rss_pages = 5000, .growth_pages = 20000,
		  .oom_score_adj = 100, .tier = LRG_TIER_PREFER, .badness = 5100,
		  .reason = "matches prefer \"comm:abc*\"" },
		{ .pid = 1, .comm = "systemd", .tier = LRG_TIER_EXCLUDED, .reason = "init" },
	};
	struct lrg_cj_explain e = { .domain = "/", .dry_run = true, .c = c, .n = 2, .has_victim = true };
	const struct lrg_jval *cs;
	struct lrg_jval *v;
	FILE *f;

	f = open_buf();
	ok(lrg_cj_write_explain(f, &e) == 0, "explain renders");
	v = close_parse(f);
	cs = lrg_json_get(v, "candidates");
	ok(cs && cs->n == 2, "two candidates");
	if (cs && cs->n == 2) {
		ok(lrg_json_get_i64(&cs->items[0], "pid", 0) == 1234 &&
		   lrg_json_get_u64(&cs->items[0], "rank", 0) == 1 &&
		   !strcmp(lrg_json_get_str(&cs->items[0], "comm", ""), "abcdefghijklmno"),
		   "pid, rank, comm: %s", lrg_json_get_str(&cs->items[0], "comm", ""));
		ok(!strcmp(lrg_json_get_str(&cs->items[0], "tier", ""), "prefer") &&
		   lrg_json_get_i64(&cs->items[0], "badness", 0) == 5100 &&
		   lrg_json_get_u64(&cs->items[0], "growth_pages", 0) == 20000 &&
		   lrg_json_get_u64(&cs->items[0], "rss_pages", 0) == 5000 &&
		   !strcmp(lrg_json_get_str(&cs->items[0], "slice", ""), "app.slice") &&
		   !strcmp(lrg_json_get_str(&cs->items[0], "cgroup", ""), "/app.slice/x.scope"),
		   "tier, badness, growth, rss, slice, cgroup");
		ok(!strcmp(lrg_json_get_str(&cs->items[0], "reason", ""), "matches prefer \"comm:abc*\""),
		   "reason");
		ok(!strcmp(lrg_json_get_str(&cs->items[1], "tier", ""), "excluded") &&
		   lrg_json_get(&cs->items[1], "cgroup")->type == LRG_JNULL, "excluded, null cgroup");
	}
	ok(lrg_json_get_u64(v, "victim", 9) == 0, "victim is the first");
	lrg_json_free(v);

	/* comm filling all 16 bytes in the renderer's own struct */
	memcpy(c[1].comm, "0123456789abcdef", 16);
	e.has_victim = false;
	f = open_buf();
	ok(lrg_cj_write_explain(f, &e) == 0, "explain without victim renders");
	v = close_parse(f);
	cs = lrg_json_get(v, "candidates");
	ok(cs && cs->n == 2 && strlen(lrg_json_get_str(&cs->items[1], "comm", "")) == 16 &&
	   lrg_json_get(v, "victim")->type == LRG_JNULL, "unterminated comm bounded; victim null");
	lrg_json_free(v);
	ok(!strcmp(lrg_cj_tier_name(LRG_TIER_AVOID), "avoid") &&
	   !strcmp(lrg_cj_tier_name(LRG_TIER_NORMAL), "normal") &&
	   !strcmp(lrg_cj_tier_name(7), "?"), "tier names");
}

/* The OOM types are the core's own (oom_types.h): every tier has its name,
 * every counter is rendered, and a ranked candidate converts. */
static void test_oom_types(void)
{
	struct lrg_slice_config app = { .name = "app.slice" };
	struct lrg_oom_candidate oc = {
		.pid = 1234, .comm = "abcdefghijklmnop", /* 16 bytes, no NUL */
		.cgroup = "/app.slice/x.scope", .slice = &app, .rss_pages = 5000,
		.growth_pages = 20000, .oom_score_adj = 100, .tier = LRG_TIER_PREFER,
		.badness = 5100, .reason = "why",
	};
	struct lrg_oom_stats os = { .decisions = 1, .kills = 2, .dry_run_kills = 3, .guarded = 4,
				    .no_victim = 5, .kill_errors = 6 };
	const struct lrg_jval *o;
	struct lrg_cj_candidate c;
	struct lrg_jval *v;
	FILE *f;

	ok(!strcmp(lrg_cj_tier_name(LRG_TIER_EXCLUDED), "excluded") &&
	   !strcmp(lrg_cj_tier_name(LRG_TIER_AVOID), "avoid") &&
	   !strcmp(lrg_cj_tier_name(LRG_TIER_NORMAL), "normal") &&
	   !strcmp(lrg_cj_tier_name(LRG_TIER_PREFER), "prefer"), "every tier of oom_types.h has its name");
	f = open_buf();
	ok(lrg_cj_write_stats(f, NULL, &os) == 0, "OOM stats render");
	v = close_parse(f);
	o = lrg_json_get(v, "oom");
	ok(o && lrg_json_get_u64(o, "decisions", 0) == 1 && lrg_json_get_u64(o, "kills", 0) == 2 &&
	   lrg_json_get_u64(o, "dry_run_kills", 0) == 3 && lrg_json_get_u64(o, "guarded", 0) == 4 &&
	   lrg_json_get_u64(o, "no_victim", 0) == 5 && lrg_json_get_u64(o, "kill_errors", 0) == 6,
	   "every field of struct lrg_oom_stats is rendered");
	lrg_json_free(v);
	lrg_cj_candidate_from_oom(&c, &oc);
	ok(c.pid == 1234 && !strcmp(c.comm, "abcdefghijklmno") && !strcmp(c.slice, "app.slice") &&
	   c.cgroup == oc.cgroup && c.rss_pages == 5000 && c.growth_pages == 20000 &&
	   c.tier == LRG_TIER_PREFER && c.badness == 5100 && c.oom_score_adj == 100 &&
	   c.reason == oc.reason, "lrg_cj_candidate_from_oom copies, comm terminated");
}

int main(void)
{
	test_status();
	test_reload();
	test_gens();
	test_wss();
	test_explain();
	test_oom_types();
	free(buf);
	return tap_done();
}
