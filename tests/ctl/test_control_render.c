// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_control_render.c - lrugenctl's text views (ctl/render.h) of canned
 * daemon JSON: the gens bars, the wss table, explain, status, top.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "tap.h"

static char *out;
static size_t outlen;

/* Render doc with fn into `out`; returns fn's result. */
static int render(int (*fn)(FILE *, const struct lrg_jval *, const struct lrg_render_opts *),
		  const char *doc, const struct lrg_render_opts *o)
{
	struct lrg_jval *v = NULL;
	FILE *f;
	int r;

	if (lrg_json_parse(doc, strlen(doc), &v, NULL) < 0) {
		diag("canned JSON does not parse");
		return -999;
	}
	free(out);
	out = NULL;
	f = open_memstream(&out, &outlen);
	r = fn(f, v, o);
	fclose(f);
	lrg_json_free(v);
	return r;
}

/* The line of out that starts with prefix (static copy), or NULL. */
static const char *line_starting(const char *prefix)
{
	static char line[512];
	const char *p = out;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix)) && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			return line;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == c;
	return n;
}

static size_t count_str(const char *s, const char *needle)
{
	size_t n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static const char gens_doc[] =
	"{\"now_ms\":5000,\"slice\":null,\"page_size\":4096,\"memcgs\":["
	" {\"id\":1,\"path\":\"/\",\"slice\":\"*\",\"nr_mms\":3,\"nodes\":["
	"  {\"node\":0,\"max_seq\":7,\"min_seq\":{\"anon\":4,\"file\":4},\"gens\":["
	"   {\"seq\":4,\"age_ms\":90000,\"anon\":800,\"file\":0},"
	"   {\"seq\":5,\"age_ms\":30000,\"anon\":400,\"file\":400},"
	"   {\"seq\":6,\"age_ms\":5000,\"anon\":0,\"file\":200},"
	"   {\"seq\":7,\"age_ms\":100,\"anon\":1,\"file\":0}]}]},"
	" {\"id\":42,\"path\":\"/app.slice/x.scope\",\"slice\":\"app.slice\",\"nr_mms\":1,\"nodes\":["
	"  {\"node\":0,\"max_seq\":3,\"min_seq\":{\"anon\":2,\"file\":2},\"gens\":["
	"   {\"seq\":2,\"age_ms\":1000,\"anon\":0,\"file\":0}]},"
	"  {\"node\":1,\"max_seq\":3,\"min_seq\":{\"anon\":3,\"file\":3},\"gens\":[]}]}]}";

static void test_gens(void)
{
	struct lrg_render_opts ascii = { .ascii = true, .bar_width = 32 };
	struct lrg_render_opts utf8 = { .ascii = false, .bar_width = 32 };
	const char *l;

	ok(render(lrg_ctl_render_gens, gens_doc, &ascii) == 0, "gens renders (ascii)");
	ok(line_starting("memcg     1 /") != NULL, "memcg line in lru_gen layout");
	ok(line_starting("memcg    42 /app.slice/x.scope  [app.slice]") != NULL,
	   "memcg line with path and slice");
	ok(count_str(out, " node    0\n") == 2 && count_str(out, " node    1\n") == 1, "node lines");
	l = line_starting("         4      90000          800            0  ");
	ok(l && count_char(l, '#') == 32 && count_char(l, '=') == 0,
	   "largest generation: full %d-column anon bar: %s", 32, l ? l : "(missing)");
	l = line_starting("         5      30000          400          400  ");
	ok(l && count_char(l, '#') == 16 && count_char(l, '=') == 16 && strstr(l, "################="),
	   "half anon half file: 16 '#' then 16 '=': %s", l ? l : "(missing)");
	l = line_starting("         6       5000            0          200  ");
	ok(l && count_char(l, '#') == 0 && count_char(l, '=') == 8, "file only: 8 '=': %s",
	   l ? l : "(missing)");
	l = line_starting("         7        100            1            0  ");
	ok(l && count_char(l, '#') == 1, "a tiny generation still shows one cell: %s",
	   l ? l : "(missing)");
	l = line_starting("         2       1000            0            0");
	ok(l && !strchr(l, '#') && !strchr(l, '='), "an empty generation has no bar");
	ok(strstr(out, "longest bar: 800 pages") != NULL, "legend states the scale");

	ok(render(lrg_ctl_render_gens, gens_doc, &utf8) == 0, "gens renders (UTF-8)");
	l = line_starting("         5      30000          400          400  ");
	ok(l && count_str(l, "▇") == 16 && count_str(l, "░") == 16, "UTF-8 bars: 16 ▇ and 16 ░");
	ok(!strchr(out, '#'), "no ASCII bar in UTF-8 mode");

	ok(render(lrg_ctl_render_gens, "{\"memcgs\":[],\"slice\":\"x.slice\"}", &ascii) == 0 &&
	   strstr(out, "no memcgs in slice x.slice"), "empty gens says so");
	ok(render(lrg_ctl_render_gens, "{\"foo\":1}", &ascii) == -EINVAL,
	   "a document without memcgs is refused, not guessed");
}

static const char wss_doc[] =
	"{\"now_ms\":1,\"page_size\":4096,\"buckets\":[\"1s\",\"10s\",\"60s\",\"older\"],"
	"\"bucket_max_age_ms\":[1000,10000,60000,null],\"slices\":["
	" {\"slice\":\"app.slice\",\"lruvecs\":2,\"anon\":[256,512,0,262144],\"file\":[0,0,256,0],"
	"  \"total\":{\"anon\":262912,\"file\":256},\"protected_bytes\":3145728},"
	" {\"slice\":\"empty.slice\",\"lruvecs\":0,\"anon\":[0,0,0,0],\"file\":[0,0,0,0],"
	"  \"total\":{\"anon\":0,\"file\":0}}]}";

static void test_wss(void)
{
	struct lrg_render_opts o = { .ascii = true };
	const char *l;

	ok(render(lrg_ctl_render_wss, wss_doc, &o) == 0, "wss renders");
	l = line_starting("SLICE");
	ok(l && strstr(l, "<1s") && strstr(l, "<10s") && strstr(l, "<60s") && strstr(l, "older") &&
	   strstr(l, "TOTAL") && strstr(l, "PROTECTED"), "header names the buckets: %s", l ? l : "(missing)");
	l = line_starting("app.slice ");
	/* 256 pages = 1 MiB, 512 = 2 MiB, 256 file = 1 MiB, 262144 = 1 GiB */
	ok(l && !strcmp(l, "app.slice                    1.0M     2.0M     1.0M     1.0G     1.0G"
			   "     1.0M     1.0G      3.0M"),
	   "app.slice row: sizes per bucket, anon, file, total, protected: [%s]", l ? l : "(missing)");
	l = line_starting("empty.slice ");
	ok(l && count_str(l, " 0") == 8, "empty slice row of zeros: [%s]", l ? l : "(missing)");
	ok(render(lrg_ctl_render_wss, "{\"slices\":[]}", &o) == -EINVAL,
	   "a document without buckets is refused");
}

static const char explain_doc[] =
	"{\"domain\":\"/\",\"dry_run\":true,\"page_size\":4096,\"pressure\":null,\"victim\":0,"
	"\"candidates\":["
	" {\"rank\":1,\"pid\":4242,\"comm\":\"chrome\",\"cgroup\":\"/app.slice/c.scope\","
	"  \"slice\":\"app.slice\",\"rss_pages\":262144,\"growth_pages\":131072,\"tier\":\"prefer\","
	"  \"badness\":262144,\"oom_score_adj\":300,\"reason\":\"matches prefer comm:chrome\"},"
	" {\"rank\":2,\"pid\":1,\"comm\":\"systemd\",\"cgroup\":null,\"slice\":null,"
	"  \"rss_pages\":2560,\"growth_pages\":0,\"tier\":\"excluded\",\"badness\":0,"
	"  \"oom_score_adj\":0,\"reason\":\"init\"}]}";

static void test_explain(void)
{
	struct lrg_render_opts o = { .ascii = true };
	const char *l;

	ok(render(lrg_ctl_render_explain, explain_doc, &o) == 0, "explain renders");
	ok(strstr(out, "OOM domain / (dry run): the next kill would be chrome (pid 4242)") != NULL,
	   "summary names the victim");
	l = line_starting("  1*");
	ok(l && strstr(l, "4242") && strstr(l, "chrome") && strstr(l, "1.0G") && strstr(l, "512M") &&
	   strstr(l, "prefer") && strstr(l, "matches prefer comm:chrome"),
	   "rank 1 marked as victim with size, growth, tier, reason: [%s]", l ? l : "(missing)");
	l = line_starting("  2 ");
	ok(l && strstr(l, "systemd") && strstr(l, "excluded") && strstr(l, " - ") && strstr(l, "init"),
	   "rank 2 excluded, no cgroup shown as '-': [%s]", l ? l : "(missing)");
	ok(render(lrg_ctl_render_explain,
		  "{\"domain\":\"/x\",\"victim\":null,\"candidates\":[]}", &o) == 0 &&
	   strstr(out, "no eligible victim"), "no victim said plainly");
}

/* a macro, not an array: it is a printf format (the counters vary) */
#define STATUS_DOC \
	"{\"version\":\"0.1.0\",\"backend\":{\"name\":\"mglru\",\"accuracy\":\"kernel generations\"," \
	"\"why\":\"lrugen.ko failed (gone): on mglru until it answers again\"," \
	"\"caps\":[\"kernel_gens\",\"memcg\"]},\"dry_run\":true,\"uptime_ms\":3723000,\"nr_memcgs\":12," \
	"\"profile\":\"desktop\",\"slices\":[{\"name\":\"app.slice\",\"match\":\"app.slice\"," \
	"\"min_ttl_ms\":1000,\"swappiness\":-1,\"aging_interval_ms\":500,\"evict\":true," \
	"\"evict_min_age_ms\":0,\"refault_ceiling_pct\":0,\"oom\":\"cgroup\",\"prefer\":[]," \
	"\"avoid\":[],\"protect\":[]}],\"default_slice\":{\"name\":\"*\",\"match\":\"*\"," \
	"\"min_ttl_ms\":0,\"swappiness\":60,\"evict\":false,\"oom\":\"process\"}," \
	"\"policy\":{\"gens_created\":%d,\"pages_evicted\":%d,\"ttl_refusals\":0,\"oom_decisions\":1}," \
	"\"oom\":{\"decisions\":1,\"kills\":0,\"dry_run_kills\":1}," \
	"\"last_decision\":\"would kill 4242 (chrome)\"," \
	"\"pressure\":{\"mem_total\":8589934592,\"mem_available\":1073741824,\"swap_total\":0," \
	"\"psi_some_avg10\":12.5,\"psi_full_avg10\":0.25}}"

/* The watch: line of a status whose stall_wakes is the JSON value given;
 * NULL when it does not render or has none. */
static const char *watch_line(const char *stall_wakes, const struct lrg_render_opts *o)
{
	char doc[160];

	snprintf(doc, sizeof(doc),
		 "{\"backend\":{\"name\":\"kmod\"},\"pressure\":{\"mem_total\":1},\"stall_wakes\":%s}",
		 stall_wakes);
	return render(lrg_ctl_render_status, doc, o) == 0 ? line_starting("watch:") : NULL;
}

static void test_status(void)
{
	struct lrg_render_opts o = { .ascii = true };
	char doc[sizeof(STATUS_DOC) + 32];
	const char *l;
	int r;

	snprintf(doc, sizeof(doc), STATUS_DOC, 10, 1000);
	ok(render(lrg_ctl_render_status, doc, &o) == 0, "status renders");
	ok(strstr(out, "lrugend 0.1.0, up 1h 2m (DRY RUN") != NULL, "version, uptime, dry run");
	ok(strstr(out, "backend:   mglru: kernel generations") != NULL, "backend and accuracy");
	ok(strstr(out, "(lrugen.ko failed (gone): on mglru until it answers again)") != NULL,
	   "why this backend");
	ok(strstr(out, "1.0G available of 8.0G, no swap") != NULL, "memory line");
	ok(strstr(out, "PSI some 12.50% full 0.25%") != NULL, "PSI");
	ok(strstr(out, "last:      would kill 4242 (chrome)") != NULL, "last decision");
	l = line_starting("  app.slice");
	ok(l && strstr(l, "1000ms") && strstr(l, "kernel") && strstr(l, "yes") && strstr(l, "cgroup"),
	   "slice row: min_ttl, swappiness from kernel, evict, oom: [%s]", l ? l : "(missing)");
	l = line_starting("  *");
	ok(l && strstr(l, "off") && strstr(l, "60") && strstr(l, "no") && strstr(l, "process"),
	   "default slice row: [%s]", l ? l : "(missing)");
	ok(!line_starting("config:"), "no config line while the files are in force");
	ok(!line_starting("watch:"), "no watch line from a daemon that does not say");
	l = watch_line("12", &o);
	ok(l && strstr(l, "PSI trigger on /proc/pressure/memory, 12 wake-up(s)"),
	   "an armed trigger and its wake-ups: [%s]", l ? l : "(missing)");
	l = watch_line("null", &o);
	ok(l && strstr(l, "no PSI trigger: memory polled"),
	   "no trigger: memory polled: [%s]", l ? l : "(missing)");
	r = render(lrg_ctl_render_status,
		   "{\"backend\":{\"name\":\"proc\"},\"config_fallback\":\"1 error(s) in the configuration, the first: a.conf:2: x\"}",
		   &o);
	l = line_starting("config:");
	ok(r == 0 && l &&
	   strstr(l, "REJECTED, the built-in profile is in force: 1 error(s) in the configuration, the first: a.conf:2: x"),
	   "a rejected config is said on its own line: [%s]", l ? l : "(missing)");
	ok(render(lrg_ctl_render_status, "{\"x\":1}", &o) == -EINVAL, "status without backend refused");
}

static void test_top(void)
{
	struct lrg_render_opts o = { .ascii = true };
	char d1[sizeof(STATUS_DOC) + 32], d2[sizeof(STATUS_DOC) + 32];
	struct lrg_jval *s1 = NULL, *s2 = NULL, *w = NULL, *e = NULL;
	FILE *f;
	int r;

	snprintf(d1, sizeof(d1), STATUS_DOC, 10, 1000);
	snprintf(d2, sizeof(d2), STATUS_DOC, 12, 3000);
	lrg_json_parse(d1, strlen(d1), &s1, NULL);
	lrg_json_parse(d2, strlen(d2), &s2, NULL);
	lrg_json_parse(wss_doc, strlen(wss_doc), &w, NULL);
	lrg_json_parse(explain_doc, strlen(explain_doc), &e, NULL);
	free(out);
	out = NULL;
	f = open_memstream(&out, &outlen);
	r = lrg_ctl_render_top(f, s2, s1, 2000, w, e, &o);
	fclose(f);
	ok(r == 0, "top frame renders");
	ok(strstr(out, "rates:     1.0 gens/s, 1000 pages evicted/s") != NULL,
	   "rates from two statuses 2 s apart");
	ok(line_starting("app.slice ") && line_starting("  1*"), "wss table and candidates in the frame");
	ok(!strchr(out, '\033'), "no escape codes in the frame itself");
	lrg_json_free(s1);
	lrg_json_free(s2);
	lrg_json_free(w);
	lrg_json_free(e);
}

static void test_human(void)
{
	char b[16];

	ok(!strcmp(lrg_ctl_human(0, b, sizeof(b)), "0") && !strcmp(lrg_ctl_human(1023, b, sizeof(b)), "1023") &&
	   !strcmp(lrg_ctl_human(1536, b, sizeof(b)), "1.5K") &&
	   !strcmp(lrg_ctl_human(100ULL << 20, b, sizeof(b)), "100M") &&
	   !strcmp(lrg_ctl_human(UINT64_MAX, b, sizeof(b)), "16E"), "human sizes");
}

int main(void)
{
	test_gens();
	test_wss();
	test_explain();
	test_status();
	test_top();
	test_human();
	free(out);
	return tap_done();
}
