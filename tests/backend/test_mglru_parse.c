// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mglru_parse.c - the /sys/kernel/debug/lru_gen parser on fixture text
 * (tests/fixtures/host/lru_gen): several memcgs, nodes and
 * generations; the lru_gen_full variant; paths of any length; lines that
 * cannot be parsed are skipped and counted, with their (memcg, node), and
 * the first is named by its line.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "fileio.h"
#include "procfs.h"
#include "tap.h"

static char fx[PATH_MAX];

struct got {
	int n;
	uint64_t kid[16];
	char path[16][4096];
	struct lrg_kernel_gens g[16];
};

static int collect(void *ctx, uint64_t kid, const char *path, const struct lrg_kernel_gens *g)
{
	struct got *c = ctx;

	if (c->n == 16)
		return -ENOSPC;
	c->kid[c->n] = kid;
	snprintf(c->path[c->n], sizeof(c->path[0]), "%s", path);
	c->g[c->n] = *g;
	c->n++;
	return 0;
}

static int parse_file(const char *name, bool full, struct got *c, struct lrg_lru_gen_stats *st)
{
	char p[PATH_MAX * 2], *text;
	int r;

	memset(st, 0, sizeof(*st));
	snprintf(p, sizeof(p), "%s/%s", fx, name);
	r = lrg_read_file(p, &text, NULL);
	if (r < 0) {
		snprintf(st->first_error, sizeof(st->first_error), "cannot read %s: %d", name, r);
		return r;
	}
	memset(c, 0, sizeof(*c));
	r = lrg_lru_gen_parse(text, full, collect, c, st);
	free(text);
	return r;
}

static struct got c;

static void test_basic(void)
{
	struct lrg_lru_gen_stats st;
	int r;

	r = parse_file("basic", false, &c, &st);
	ok(r == 0 && !st.nr_bad_lines && st.nr_reported == 5, "basic parses (%d %s)", r,
	   st.first_error);
	ok(c.n == 5, "5 (memcg, node) pairs: %d", c.n);
	if (c.n != 5)
		return;
	ok(c.kid[0] == 1 && !strcmp(c.path[0], "/") && c.g[0].node == 0, "root memcg node 0");
	ok(c.g[0].nr_gens == 4 && c.g[0].max_seq == 13 && c.g[0].min_seq[LRG_ANON] == 10 &&
	   c.g[0].min_seq[LRG_FILE] == 10, "4 gens, max_seq 13, min_seq 10");
	ok(c.g[0].gens[0].seq == 10 && c.g[0].gens[0].age_ms == 30000 &&
	   c.g[0].gens[0].nr_pages[LRG_ANON] == 100 && c.g[0].gens[0].nr_pages[LRG_FILE] == 2000,
	   "oldest gen: seq 10 age 30000 anon 100 file 2000");
	ok(c.g[0].gens[3].seq == 13 && c.g[0].gens[3].age_ms == 500 &&
	   c.g[0].gens[3].nr_pages[LRG_FILE] == 5000, "youngest gen");
	ok(c.kid[1] == 1 && c.g[1].node == 1 && c.g[1].nr_gens == 2 && c.g[1].max_seq == 5,
	   "root memcg node 1: its own seqs");
	ok(c.kid[2] == 2 && !strcmp(c.path[2], "/system.slice") && c.g[2].nr_gens == 3 &&
	   c.g[2].max_seq == 9, "system.slice node 0");
	ok(c.g[3].node == 1 && c.g[3].gens[0].nr_pages[LRG_ANON] == 0, "system.slice node 1, empty gen");
	ok(c.kid[4] == 5 && !strcmp(c.path[4], "/user.slice/user-1000.slice/app-firefox-1.scope") &&
	   c.g[4].gens[0].nr_pages[LRG_ANON] == 70000, "app scope: kernel id 5, path kept");
	ok(c.g[0].memcg_id == 0, "memcg_id left for the caller to map");
}

static void test_full(void)
{
	struct lrg_lru_gen_stats st;
	int r;

	r = parse_file("full", true, &c, &st);
	ok(r == 0 && c.n == 1 && !st.nr_bad_lines,
	   "lru_gen_full parses, tier and mm-walk lines skipped (%d %s)", r, st.first_error);
	if (c.n != 1)
		return;
	ok(c.g[0].nr_gens == 3 && c.g[0].gens[0].seq == 11 && c.g[0].max_seq == 13,
	   "gen below both min_seqs dropped: %d gens from %llu", c.g[0].nr_gens,
	   (unsigned long long)c.g[0].gens[0].seq);
	ok(c.g[0].min_seq[LRG_ANON] == 12 && c.g[0].min_seq[LRG_FILE] == 11,
	   "per-type min_seq from the x marks: anon %llu file %llu",
	   (unsigned long long)c.g[0].min_seq[LRG_ANON], (unsigned long long)c.g[0].min_seq[LRG_FILE]);
	ok(c.g[0].gens[0].nr_pages[LRG_ANON] == 0 && c.g[0].gens[0].nr_pages[LRG_FILE] == 3000,
	   "x-marked type counts 0 pages");
	r = parse_file("full", false, &c, &st);
	ok(r == 0 && st.nr_bad_lines && !strncmp(st.first_error, "line 3:", 7) && !c.n &&
	   st.nr_dropped == 1, "full text read as plain: bad from line 3 on, its node left out: %s",
	   st.first_error);
}

/*
 * Each malformed file: the parse succeeds, the bad line is counted and
 * named, and the (memcg, node) it is in is left out; what else the file
 * holds is reported.
 */
static void test_bad(void)
{
	static const struct {
		const char *file;
		const char *want;
		int reported;
	} cases[] = {
		{ "bad-gen", "line 4:", 0 },
		{ "bad-order", "line 4:", 0 },
		{ "bad-orphan", "line 1:", 0 },
		{ "bad-empty-node", "line 3:", 1 },
		{ "bad-toomany", "line 7:", 0 },
	};
	struct lrg_lru_gen_stats st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		r = parse_file(cases[i].file, false, &c, &st);
		ok(r == 0 && st.nr_bad_lines == 1 && st.nr_dropped == 1 &&
		   !strncmp(st.first_error, cases[i].want, strlen(cases[i].want)) &&
		   c.n == cases[i].reported && (int)st.nr_reported == cases[i].reported,
		   "%s: skipped and counted, naming %s, %d reported (%d: %s)", cases[i].file,
		   cases[i].want, c.n, r, st.first_error);
	}
	ok(lrg_lru_gen_parse("memcg x /\n node 0\n 1 1 1 1\n", false, NULL, NULL, &st) == 0 &&
	   st.nr_bad_lines == 1 && st.nr_dropped == 1 && strstr(st.first_error, "line 1:"),
	   "non-numeric memcg id: its nodes left out: %s", st.first_error);
	ok(lrg_lru_gen_parse("", false, NULL, NULL, &st) == 0 && !st.nr_reported, "empty file: no memcgs");
	memset(&c, 0, sizeof(c));
	ok(lrg_lru_gen_parse("memcg     0 \n node     0\n          1        10          0          0 \n",
			     false, collect, &c, &st) == 0 &&
	   !strcmp(c.path[c.n - 1], "/"), "no memcg (empty path): the root");
}

/* A user's scope with a 230-character name (the kernel printed it; the
 * parser once stopped there, "memcg path too long", for the whole file). */
static void test_long_path(void)
{
	struct lrg_lru_gen_stats st;
	static char text[8192];
	char name[3001];
	int r;

	r = parse_file("long-path", false, &c, &st);
	ok(r == 0 && c.n == 3 && !st.nr_bad_lines, "long-path parses whole (%d, %d %s)", r, c.n,
	   st.first_error);
	ok(c.n == 3 && c.kid[1] == 67 && strlen(c.path[1]) == 292 && strstr(c.path[1], "xxx.scope") &&
	   c.g[1].max_seq == 4, "the 292-byte path, kernel id 67 (%zu bytes)", strlen(c.path[1]));
	ok(c.n == 3 && c.kid[2] == 68 && c.g[2].max_seq == 5, "the memcg after it is read too");
	/* a 3,000-character name: a line far longer than any buffer the
	 * parser once had */
	memset(name, 'y', 3000);
	name[3000] = '\0';
	snprintf(text, sizeof(text), "memcg 9 /%s\n node 0\n 7 1 2 3\n", name);
	memset(&c, 0, sizeof(c));
	r = lrg_lru_gen_parse(text, false, collect, &c, &st);
	ok(r == 0 && c.n == 1 && strlen(c.path[0]) == 3001 && c.g[0].max_seq == 7,
	   "a 3,001-byte path in a 3,010-byte line (%d, %zu)", r, c.n ? strlen(c.path[0]) : 0);
}

/* Good and bad memcgs in one file: every good one is reported. */
static void test_mixed(void)
{
	struct lrg_lru_gen_stats st;
	int r;

	r = parse_file("mixed", false, &c, &st);
	ok(r == 0 && st.nr_reported == 5 && c.n == 5, "mixed: the 5 good (memcg, node) reported (%d, %d)",
	   r, c.n);
	ok(st.nr_bad_lines == 2 && st.nr_dropped == 2,
	   "mixed: 2 bad lines, 2 nodes left out (%u, %u)", st.nr_bad_lines, st.nr_dropped);
	ok(!strncmp(st.first_error, "line 13: expected \"memcg", 24), "mixed: the first named: %s",
	   st.first_error);
	ok(c.n == 5 && c.kid[2] == 67 && c.kid[3] == 2 && c.g[3].node == 1 && c.kid[4] == 5,
	   "mixed: root (2 nodes), the long scope, system.slice node 1 (node 0 had the bad line), "
	   "firefox");
}

static void test_open(void)
{
	struct lrg_backend *b = NULL;
	char why[256] = "", p[PATH_MAX * 2], en[PATH_MAX * 2];
	int r;

	/* This machine has no MGLRU: the open must say so, not pretend. */
	r = lrg_mglru_backend_open("/sys/kernel/debug/lru_gen", NULL, false, false, &b, why, sizeof(why));
	if (r == 0) {
		diag("this kernel has MGLRU on: %s", b->ops->accuracy);
		ok(lrg_backend_has(b, LRG_CAP_KERNEL_GENS), "live mglru backend has KERNEL_GENS");
		b->ops->destroy(b);
	} else {
		ok(r < 0 && why[0] && !b, "no MGLRU here: %d, why: %s", r, why);
	}
	/* A fixture: MGLRU off and not allowed to switch it on. */
	snprintf(p, sizeof(p), "%s/basic", fx);
	snprintf(en, sizeof(en), "%s/enabled-off", fx);
	why[0] = '\0';
	r = lrg_mglru_backend_open_at(p, en, "/proc", NULL, false, false, &b, why, sizeof(why));
	ok(r == -EOPNOTSUPP && strstr(why, "enable_mglru"), "off and enable=false: %s", why);
	snprintf(en, sizeof(en), "%s/enabled-on", fx);
	snprintf(p, sizeof(p), "%s/missing/lru_gen", fx);
	why[0] = '\0';
	r = lrg_mglru_backend_open_at(p, en, "/proc", NULL, false, false, &b, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "mount_debugfs"), "no debugfs, mount=false: %s", why);
	snprintf(p, sizeof(p), "%s/bad-gen", fx);
	why[0] = '\0';
	r = lrg_mglru_backend_open_at(p, en, "/proc", NULL, false, false, &b, why, sizeof(why));
	ok(r == -EINVAL && strstr(why, "line 4"), "lru_gen of which nothing parses refused: %s", why);
	snprintf(p, sizeof(p), "%s/mixed", fx);
	why[0] = '\0';
	r = lrg_mglru_backend_open_at(p, en, "/proc", NULL, false, false, &b, why, sizeof(why));
	ok(r == 0, "lru_gen with some bad lines opens (%d %s)", r, why);
	if (r == 0)
		b->ops->destroy(b);
	snprintf(p, sizeof(p), "%s/basic", fx);
	r = lrg_mglru_backend_open_at(p, en, "/proc", NULL, false, false, &b, why, sizeof(why));
	ok(r == 0 && lrg_backend_has(b, LRG_CAP_KERNEL_GENS) && !b->ops->harvest,
	   "fixture lru_gen opens: KERNEL_GENS, no harvest (%d %s)", r, r ? why : "");
	if (r == 0) {
		struct lrg_kernel_gens g;

		/* On this machine's cgroups (hybrid: global) root maps to 0. */
		r = b->ops->read_gens(b, LRG_ROOT_MEMCG, 1, &g);
		if (b->caps & LRG_CAP_MEMCG)
			skip("this machine has a cgroup2 memory controller: root is not memcg 0");
		else
			ok(r == 0 && g.memcg_id == LRG_ROOT_MEMCG && g.node == 1 && g.max_seq == 5,
			   "read_gens(root, node 1) through the path map: %d max_seq %llu", r,
			   (unsigned long long)g.max_seq);
		b->ops->destroy(b);
	}
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(fx, sizeof(fx), "%s/tests/fixtures/host/lru_gen", src ? src : ".");
	test_basic();
	test_full();
	test_bad();
	test_long_path();
	test_mixed();
	test_open();
	return tap_done();
}
