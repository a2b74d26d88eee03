// SPDX-License-Identifier: GPL-2.0-only
/*
 * render.c - text views of the daemon's JSON (render.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "render.h"

#define DEFAULT_BAR 32

const char *lrg_ctl_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

static const char *str_or(const struct lrg_jval *v, const char *key, const char *def)
{
	return lrg_json_get_str(v, key, def);
}

static const struct lrg_jval *get_type(const struct lrg_jval *v, const char *key,
				       enum lrg_jtype t)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	return x && x->type == t ? x : NULL;
}

static uint64_t page_size(const struct lrg_jval *doc)
{
	return lrg_json_get_u64(doc, "page_size", 4096);
}

/* A bar of value / max * width cells, at least one cell when value is not
 * zero so a small generation still shows. */
static void bar(FILE *f, uint64_t value, uint64_t max, int width, const char *cell_u,
		char cell_a, bool ascii)
{
	uint64_t cells;

	if (!max || !value)
		return;
	cells = (uint64_t)((double)value * width / (double)max + 0.5);
	if (!cells)
		cells = 1;
	for (uint64_t i = 0; i < cells; i++) {
		if (ascii)
			fputc(cell_a, f);
		else
			fputs(cell_u, f);
	}
}

/* ---- status ------------------------------------------------------------- */

static void duration(FILE *f, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s >= 86400)
		fprintf(f, "%" PRIu64 "d %" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		fprintf(f, "%" PRIu64 "h %" PRIu64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		fprintf(f, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else
		fprintf(f, "%" PRIu64 "s", s);
}

/* The machine's memory and pressure, and how the daemon watches them
 * (st: the status reply). */
static void pressure_line(FILE *f, const struct lrg_jval *st)
{
	const struct lrg_jval *p = lrg_json_get(st, "pressure"), *w = lrg_json_get(st, "stall_wakes");
	bool calm = lrg_json_get_bool(st, "calm", false);
	char a[16], b[16], c[16], d[16];

	if (!p || p->type != LRG_JOBJECT) {
		fprintf(f, "pressure:  not measured yet\n");
		return;
	}
	fprintf(f, "memory:    %s available of %s",
		lrg_ctl_human(lrg_json_get_u64(p, "mem_available", 0), a, sizeof(a)),
		lrg_ctl_human(lrg_json_get_u64(p, "mem_total", 0), b, sizeof(b)));
	if (lrg_json_get_u64(p, "swap_total", 0))
		fprintf(f, ", swap %s free of %s",
			lrg_ctl_human(lrg_json_get_u64(p, "swap_free", 0), c, sizeof(c)),
			lrg_ctl_human(lrg_json_get_u64(p, "swap_total", 0), d, sizeof(d)));
	else
		fprintf(f, ", no swap");
	fprintf(f, "\npressure:  PSI some %.2f%% full %.2f%% (avg10), %" PRIu64 " refaults, %" PRIu64
		" kernel OOM kills%s\n",
		lrg_json_get_double(p, "psi_some_avg10", 0), lrg_json_get_double(p, "psi_full_avg10", 0),
		lrg_json_get_u64(p, "refaults", 0), lrg_json_get_u64(p, "oom_kills", 0),
		calm ? "; calm: aging and figures every 5 s" : "");
	if (w && w->type != LRG_JNULL)
		fprintf(f, "watch:     PSI trigger on /proc/pressure/memory, %" PRIu64 " wake-up(s)\n",
			lrg_json_get_u64(st, "stall_wakes", 0));
	else if (w)
		fprintf(f, "watch:     no PSI trigger: memory polled\n");
}

static void policy_line(FILE *f, const struct lrg_jval *p)
{
	char b[32], fb[32];

	if (!p || p->type != LRG_JOBJECT) {
		fprintf(f, "policy:    no statistics\n");
		return;
	}
	fprintf(f, "policy:    %" PRIu64 " generations created, %" PRIu64 " pages evicted, %" PRIu64
		" min_ttl refusals, %" PRIu64 " OOM requests\n",
		lrg_json_get_u64(p, "gens_created", 0), lrg_json_get_u64(p, "pages_evicted", 0),
		lrg_json_get_u64(p, "ttl_refusals", 0), lrg_json_get_u64(p, "oom_decisions", 0));
	fprintf(f, "walks:     %" PRIu64 " harvests (%" PRIu64 " contended), %" PRIu64
		" of %" PRIu64 " PTEs young, %" PRIu64 " PMD Bloom hits\n",
		lrg_json_get_u64(p, "harvests", 0), lrg_json_get_u64(p, "harvests_contended", 0),
		lrg_json_get_u64(p, "pte_young", 0), lrg_json_get_u64(p, "pte_total", 0),
		lrg_json_get_u64(p, "pmd_found", 0));
	lrg_ctl_human(lrg_json_get_u64(p, "protected_bytes", 0), b, sizeof(b));
	lrg_ctl_human(lrg_json_get_u64(p, "protected_file_bytes", 0), fb, sizeof(fb));
	fprintf(f, "protected: %s of working sets held by memory.min (%s page cache), %" PRIu64
		" kernel OOM kills while protecting\n", b, fb,
		lrg_json_get_u64(p, "kernel_oom_kills_guarded", 0));
}

static void oom_line(FILE *f, const struct lrg_jval *o)
{
	if (!o || o->type != LRG_JOBJECT) {
		fprintf(f, "oom:       no statistics\n");
		return;
	}
	fprintf(f, "oom:       %" PRIu64 " decisions, %" PRIu64 " kills, %" PRIu64
		" dry-run kills, %" PRIu64 " guarded, %" PRIu64 " without victim, %" PRIu64
		" kill errors\n",
		lrg_json_get_u64(o, "decisions", 0), lrg_json_get_u64(o, "kills", 0),
		lrg_json_get_u64(o, "dry_run_kills", 0), lrg_json_get_u64(o, "guarded", 0),
		lrg_json_get_u64(o, "no_victim", 0), lrg_json_get_u64(o, "kill_errors", 0));
}

static void slice_row(FILE *f, const struct lrg_jval *s)
{
	char ttl[24], swp[24];
	int64_t sw = lrg_json_get_i64(s, "swappiness", -1);
	uint64_t t = lrg_json_get_u64(s, "min_ttl_ms", 0);

	if (t)
		snprintf(ttl, sizeof(ttl), "%" PRIu64 "ms", t);
	else
		snprintf(ttl, sizeof(ttl), "off");
	if (sw < 0)
		snprintf(swp, sizeof(swp), "kernel");
	else
		snprintf(swp, sizeof(swp), "%" PRId64, sw);
	fprintf(f, "  %-24s %9s %10s %5s %-7s %s\n", str_or(s, "name", "?"), ttl, swp,
		lrg_json_get_bool(s, "evict", false) ? "yes" : "no", str_or(s, "oom", "?"),
		str_or(s, "match", ""));
}

int lrg_ctl_render_status(FILE *f, const struct lrg_jval *st, const struct lrg_render_opts *o)
{
	const struct lrg_jval *b = get_type(st, "backend", LRG_JOBJECT);
	const struct lrg_jval *slices = get_type(st, "slices", LRG_JARRAY);
	const struct lrg_jval *def = get_type(st, "default_slice", LRG_JOBJECT);
	const struct lrg_jval *caps;

	if (!b)
		return -EINVAL;
	fprintf(f, "lrugend %s, up ", str_or(st, "version", "?"));
	duration(f, lrg_json_get_u64(st, "uptime_ms", 0));
	fprintf(f, "%s\n", lrg_json_get_bool(st, "dry_run", false) ? " (DRY RUN: decides, never acts)" : "");
	fprintf(f, "backend:   %s: %s\n", str_or(b, "name", "?"), str_or(b, "accuracy", ""));
	if (lrg_json_get(b, "why"))
		fprintf(f, "           (%s)\n", str_or(b, "why", ""));
	caps = get_type(b, "caps", LRG_JARRAY);
	if (caps && caps->n) {
		fprintf(f, "caps:     ");
		for (size_t i = 0; i < caps->n; i++)
			if (caps->items[i].type == LRG_JSTRING)
				fprintf(f, " %s", caps->items[i].str);
		fputc('\n', f);
	}
	if (lrg_json_get(st, "profile"))
		fprintf(f, "profile:   %s, %" PRIu64 " memcgs tracked\n", str_or(st, "profile", "?"),
			lrg_json_get_u64(st, "nr_memcgs", 0));
	if (get_type(st, "config_fallback", LRG_JSTRING))
		fprintf(f, "config:    REJECTED, the built-in profile is in force: %s\n",
			str_or(st, "config_fallback", "?"));
	pressure_line(f, st);
	policy_line(f, lrg_json_get(st, "policy"));
	oom_line(f, lrg_json_get(st, "oom"));
	fprintf(f, "last:      %s\n", str_or(st, "last_decision", "no OOM decision yet"));
	if (slices || def) {
		fprintf(f, "\n  %-24s %9s %10s %5s %-7s %s\n", "SLICE", "MIN_TTL", "SWAPPINESS",
			"EVICT", "OOM", "MATCH");
		for (size_t i = 0; slices && i < slices->n; i++)
			slice_row(f, &slices->items[i]);
		if (def)
			slice_row(f, def);
	}
	return 0;
}

int lrg_ctl_render_stats(FILE *f, const struct lrg_jval *st, const struct lrg_render_opts *o)
{
	static const char *const groups[] = { "policy", "oom" };

	if (!st || st->type != LRG_JOBJECT)
		return -EINVAL;
	for (size_t g = 0; g < 2; g++) {
		const struct lrg_jval *x = get_type(st, groups[g], LRG_JOBJECT);

		for (size_t i = 0; x && i < x->n; i++)
			if (x->items[i].type == LRG_JNUMBER)
				fprintf(f, "%s.%s %" PRIu64 "\n", groups[g], x->keys[i],
					lrg_json_as_u64(&x->items[i]));
	}
	return 0;
}

/* ---- gens --------------------------------------------------------------- */

static uint64_t gen_pages(const struct lrg_jval *g)
{
	return lrg_json_get_u64(g, "anon", 0) + lrg_json_get_u64(g, "file", 0);
}

int lrg_ctl_render_gens(FILE *f, const struct lrg_jval *doc, const struct lrg_render_opts *o)
{
	const struct lrg_jval *memcgs = get_type(doc, "memcgs", LRG_JARRAY);
	int width = o && o->bar_width > 0 ? o->bar_width : DEFAULT_BAR;
	bool ascii = o && o->ascii;
	uint64_t max = 0;

	if (!memcgs)
		return -EINVAL;
	/* one scale for the whole screen, so bars compare across memcgs */
	for (size_t m = 0; m < memcgs->n; m++) {
		const struct lrg_jval *nodes = get_type(&memcgs->items[m], "nodes", LRG_JARRAY);

		for (size_t n = 0; nodes && n < nodes->n; n++) {
			const struct lrg_jval *gens = get_type(&nodes->items[n], "gens", LRG_JARRAY);

			for (size_t g = 0; gens && g < gens->n; g++)
				if (gen_pages(&gens->items[g]) > max)
					max = gen_pages(&gens->items[g]);
		}
	}
	if (!memcgs->n)
		fprintf(f, "no memcgs%s%s\n", lrg_json_get_str(doc, "slice", NULL) ? " in slice " : "",
			lrg_json_get_str(doc, "slice", ""));
	if (memcgs->n)
		fprintf(f, "%10s %10s %12s %12s\n", "SEQ", "AGE_MS", "ANON", "FILE");
	for (size_t m = 0; m < memcgs->n; m++) {
		const struct lrg_jval *mc = &memcgs->items[m];
		const struct lrg_jval *nodes = get_type(mc, "nodes", LRG_JARRAY);

		/* the layout of /sys/kernel/debug/lru_gen, plus the slice */
		fprintf(f, "memcg %5" PRIu64 " %s", lrg_json_get_u64(mc, "id", 0),
			str_or(mc, "path", "?"));
		if (lrg_json_get_str(mc, "slice", NULL))
			fprintf(f, "  [%s]", str_or(mc, "slice", ""));
		fputc('\n', f);
		for (size_t n = 0; nodes && n < nodes->n; n++) {
			const struct lrg_jval *nd = &nodes->items[n];
			const struct lrg_jval *gens = get_type(nd, "gens", LRG_JARRAY);

			fprintf(f, " node %4" PRId64 "\n", lrg_json_get_i64(nd, "node", 0));
			for (size_t g = 0; gens && g < gens->n; g++) {
				const struct lrg_jval *gv = &gens->items[g];
				uint64_t anon = lrg_json_get_u64(gv, "anon", 0);
				uint64_t file = lrg_json_get_u64(gv, "file", 0);

				fprintf(f, "%10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64 "%s",
					lrg_json_get_u64(gv, "seq", 0), lrg_json_get_u64(gv, "age_ms", 0),
					anon, file, anon || file ? "  " : "");
				/* anon then file, in one scale: the bar's length is
				 * the generation's size, its texture the mix */
				bar(f, anon, max, width, "▇", '#', ascii);
				bar(f, file, max, width, "░", '=', ascii);
				fputc('\n', f);
			}
		}
	}
	if (max)
		fprintf(f, "%s anon  %s file  (longest bar: %" PRIu64 " pages)\n", ascii ? "#" : "▇",
			ascii ? "=" : "░", max);
	return 0;
}

/* ---- wss ---------------------------------------------------------------- */

int lrg_ctl_render_wss(FILE *f, const struct lrg_jval *doc, const struct lrg_render_opts *o)
{
	const struct lrg_jval *slices = get_type(doc, "slices", LRG_JARRAY);
	const struct lrg_jval *names = get_type(doc, "buckets", LRG_JARRAY);
	uint64_t ps = page_size(doc);
	char h[16];

	if (!slices || !names)
		return -EINVAL;
	fprintf(f, "%-24s", "SLICE");
	for (size_t b = 0; b < names->n; b++) {
		char col[24];
		const char *nm = names->items[b].type == LRG_JSTRING ? names->items[b].str : "?";

		/* "1s" reads "younger than 1 s"; "older" stays as is */
		snprintf(col, sizeof(col), "%s%s", strcmp(nm, "older") ? "<" : "", nm);
		fprintf(f, " %8s", col);
	}
	fprintf(f, " %8s %8s %8s %9s\n", "ANON", "FILE", "TOTAL", "PROTECTED");
	for (size_t i = 0; i < slices->n; i++) {
		const struct lrg_jval *s = &slices->items[i];
		const struct lrg_jval *anon = get_type(s, "anon", LRG_JARRAY);
		const struct lrg_jval *file = get_type(s, "file", LRG_JARRAY);
		uint64_t ta = 0, tf = 0;

		if (!anon || !file)
			return -EINVAL;
		fprintf(f, "%-24s", str_or(s, "slice", "?"));
		for (size_t b = 0; b < names->n; b++) {
			uint64_t a = b < anon->n ? lrg_json_as_u64(&anon->items[b]) : 0;
			uint64_t fl = b < file->n ? lrg_json_as_u64(&file->items[b]) : 0;

			ta += a;
			tf += fl;
			fprintf(f, " %8s", lrg_ctl_human((a + fl) * ps, h, sizeof(h)));
		}
		fprintf(f, " %8s", lrg_ctl_human(ta * ps, h, sizeof(h)));
		fprintf(f, " %8s", lrg_ctl_human(tf * ps, h, sizeof(h)));
		fprintf(f, " %8s", lrg_ctl_human((ta + tf) * ps, h, sizeof(h)));
		fprintf(f, " %9s\n", lrg_ctl_human(lrg_json_get_u64(s, "protected_bytes", 0), h,
						     sizeof(h)));
	}
	if (!slices->n)
		fprintf(f, "(no slices)\n");
	return 0;
}

/* ---- explain ------------------------------------------------------------ */

static int render_candidates(FILE *f, const struct lrg_jval *doc, size_t limit)
{
	const struct lrg_jval *cands = get_type(doc, "candidates", LRG_JARRAY);
	const struct lrg_jval *victim = lrg_json_get(doc, "victim");
	uint64_t ps = page_size(doc);
	char r[16], g[16];

	if (!cands)
		return -EINVAL;
	fprintf(f, "%4s %8s %-16s %7s %7s %-8s %10s %5s %-28s %s\n", "RANK", "PID", "COMM", "RSS",
		"GROWTH", "TIER", "BADNESS", "ADJ", "CGROUP", "REASON");
	for (size_t i = 0; i < cands->n && i < limit; i++) {
		const struct lrg_jval *c = &cands->items[i];
		bool is_victim = victim && victim->type == LRG_JNUMBER && lrg_json_as_u64(victim) == i;

		fprintf(f, "%3" PRIu64 "%c %8" PRId64 " %-16s %7s %7s %-8s %10" PRId64 " %5" PRId64
			" %-28s %s\n",
			lrg_json_get_u64(c, "rank", i + 1), is_victim ? '*' : ' ',
			lrg_json_get_i64(c, "pid", 0), str_or(c, "comm", "?"),
			lrg_ctl_human(lrg_json_get_u64(c, "rss_pages", 0) * ps, r, sizeof(r)),
			lrg_ctl_human(lrg_json_get_u64(c, "growth_pages", 0) * ps, g, sizeof(g)),
			str_or(c, "tier", "?"), lrg_json_get_i64(c, "badness", 0),
			lrg_json_get_i64(c, "oom_score_adj", 0), str_or(c, "cgroup", "-"),
			str_or(c, "reason", ""));
	}
	if (cands->n > limit)
		fprintf(f, "     ... %zu more\n", cands->n - limit);
	return 0;
}

int lrg_ctl_render_explain(FILE *f, const struct lrg_jval *doc, const struct lrg_render_opts *o)
{
	const struct lrg_jval *victim = lrg_json_get(doc, "victim");
	const struct lrg_jval *cands = get_type(doc, "candidates", LRG_JARRAY);

	if (!cands)
		return -EINVAL;
	fprintf(f, "OOM domain %s%s: ", str_or(doc, "domain", "/"),
		lrg_json_get_bool(doc, "dry_run", false) ? " (dry run)" : "");
	if (victim && victim->type == LRG_JNUMBER && lrg_json_as_u64(victim) < cands->n) {
		const struct lrg_jval *c = &cands->items[lrg_json_as_u64(victim)];

		fprintf(f, "the next kill would be %s (pid %" PRId64 ")\n", str_or(c, "comm", "?"),
			lrg_json_get_i64(c, "pid", 0));
	} else {
		fprintf(f, "no eligible victim\n");
	}
	return render_candidates(f, doc, SIZE_MAX);
}

/* ---- top ---------------------------------------------------------------- */

static double rate(const struct lrg_jval *cur, const struct lrg_jval *prev, const char *group,
		   const char *key, uint64_t interval_ms)
{
	uint64_t a = lrg_json_get_u64(get_type(cur, group, LRG_JOBJECT), key, 0);
	uint64_t b = lrg_json_get_u64(get_type(prev, group, LRG_JOBJECT), key, 0);

	if (!prev || !interval_ms || a < b)
		return 0;
	return (double)(a - b) * 1000.0 / (double)interval_ms;
}

int lrg_ctl_render_top(FILE *f, const struct lrg_jval *st, const struct lrg_jval *prev,
		       uint64_t interval_ms, const struct lrg_jval *wss,
		       const struct lrg_jval *explain, const struct lrg_render_opts *o)
{
	const struct lrg_jval *b = get_type(st, "backend", LRG_JOBJECT);
	int r;

	if (!b)
		return -EINVAL;
	fprintf(f, "lrugend %s  backend %s%s  up ", str_or(st, "version", "?"), str_or(b, "name", "?"),
		lrg_json_get_bool(st, "dry_run", false) ? "  DRY RUN" : "");
	duration(f, lrg_json_get_u64(st, "uptime_ms", 0));
	fputc('\n', f);
	pressure_line(f, st);
	fprintf(f, "rates:     %.1f gens/s, %.0f pages evicted/s, %.1f min_ttl refusals/s, %.1f OOM decisions/s\n",
		rate(st, prev, "policy", "gens_created", interval_ms),
		rate(st, prev, "policy", "pages_evicted", interval_ms),
		rate(st, prev, "policy", "ttl_refusals", interval_ms),
		rate(st, prev, "oom", "decisions", interval_ms));
	fprintf(f, "last:      %s\n\n", str_or(st, "last_decision", "no OOM decision yet"));
	if (wss) {
		r = lrg_ctl_render_wss(f, wss, o);
		if (r < 0)
			return r;
		fputc('\n', f);
	}
	if (explain) {
		r = render_candidates(f, explain, 5);
		if (r < 0)
			return r;
	}
	return 0;
}
