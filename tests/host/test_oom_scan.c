// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_oom_scan - the facts of an OOM decision (host/oom_scan.c), read
 * from a /proc tree the test writes and a scripted backend: growth is
 * measured as RSS + swap against the baseline, so a process whose swapped
 * pages come back has not grown while a runaway that spills into swap has;
 * each process's own cgroup is its v2 line of /proc/PID/cgroup, however
 * long.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oom_scan.h"
#include "tap.h"

#define MIB(x) ((uint64_t)(x) * 256) /* pages */

static char root[] = "/tmp/lrg-oom-scan-XXXXXX";
static struct lrg_mm_info mms[2];

static int nr_long_memcgs;   /* listed after the root, each with a long path */
static int long_len = 300;   /* bytes of it below the scope, in names of 200 */

static void long_path(int i, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/user.slice/m%d.scope/", i);

	memset(buf + n, 'x', long_len);
	for (int k = 200; k < long_len; k += 200)
		buf[n + k] = '/';
	buf[n + long_len] = '\0';
}

static int t_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_memcg_info mc = { .id = LRG_ROOT_MEMCG, .path = "/" };
	int r = fn(ctx, &mc);

	for (int i = 0; r >= 0 && i < nr_long_memcgs; i++) {
		mc.id = 1000 + (uint64_t)i;
		long_path(i, mc.path, sizeof(mc.path));
		r = fn(ctx, &mc);
	}
	return r;
}

static int t_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	if (memcg_id != LRG_ROOT_MEMCG)
		return 0;
	for (int i = 0; i < 2; i++)
		if (fn(ctx, &mms[i]) < 0)
			return -1;
	return 0;
}

static const struct lrg_backend_ops scripted_ops = { .name = "test", .list_memcgs = t_list_memcgs,
						     .list_mms = t_list_mms };

/* ROOT/PID/NAME, holding text. */
static int write_proc_file(pid_t pid, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/%s", root, (int)pid, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

/* ROOT/PID/{status,exe}: the status with its swap, exe a symlink. */
static int write_proc(pid_t pid, const char *exe, uint64_t swap_pages)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", root, (int)pid);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%d/status", root, (int)pid);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "Name:\tx\nTgid:\t%d\nVmRSS:\t1 kB\nVmSwap:\t%llu kB\n", (int)pid,
		(unsigned long long)swap_pages * 4);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%d/exe", root, (int)pid);
	unlink(path);
	return symlink(exe, path) < 0 ? -errno : 0;
}

static void set_mm(int i, pid_t pid, uint64_t rss_pages)
{
	mms[i] = (struct lrg_mm_info){ .mm_key = (uint64_t)pid, .pid = pid, .start_time = 7,
				       .memcg_id = LRG_ROOT_MEMCG, .nr_anon = rss_pages };
	snprintf(mms[i].comm, sizeof(mms[i].comm), "p%d", (int)pid);
}

static const struct lrg_oom_candidate *find(const struct lrg_oom_facts *f, pid_t pid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->c[i].pid == pid)
			return &f->c[i];
	return NULL;
}

static void test_growth_rss_and_swap(void)
{
	struct lrg_backend b = { .ops = &scripted_ops };
	const struct lrg_oom_candidate *by, *run;
	struct lrg_oom_scan *s;
	struct lrg_oom_facts f;

	/* the baseline: the bystander half swapped out, the runaway small */
	set_mm(0, 500, MIB(20));
	set_mm(1, 501, MIB(10));
	if (!ok(write_proc(500, "/usr/bin/bystander", MIB(76)) == 0 &&
		write_proc(501, "/usr/bin/runaway", 0) == 0, "a /proc tree at %s", root))
		return;
	ok(lrg_oom_scan_new(&b, root, NULL, &s) == 0, "scan: new");
	ok(lrg_oom_scan_baseline(s) == 0, "scan: baseline taken");

	/* then: the bystander's pages come back, the runaway spills into swap */
	set_mm(0, 500, MIB(96));
	set_mm(1, 501, MIB(300));
	write_proc(500, "/usr/bin/bystander", 0);
	write_proc(501, "/usr/bin/runaway", MIB(100));
	ok(lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 && f.complete && f.n == 2,
	   "scan: both processes read, complete");
	by = find(&f, 500);
	run = find(&f, 501);
	ok(by && by->rss_pages == MIB(96) && by->swap_pages == 0 && by->growth_pages == 0,
	   "growth: swapped pages that come back are not growth (%llu pages)",
	   by ? (unsigned long long)by->growth_pages : 0ULL);
	ok(run && run->swap_pages == MIB(100) && run->growth_pages == MIB(390),
	   "growth: RSS and swap both count for the runaway (%llu pages)",
	   run ? (unsigned long long)run->growth_pages : 0ULL);
	ok(by && by->exe && !strcmp(by->exe, "/usr/bin/bystander") && !strcmp(by->cgroup, "/") &&
	   !by->own_cgroup, "scan: exe read from /proc/PID/exe, cgroup from the memcg listing, no"
	   " own cgroup without a cgroup2 mount");

	/* the listing's oom_score_adj is the simulator's: a real process's
	 * is read when the scan runs, after any change since the listing */
	mms[0].oom_score_adj = 0;
	mms[1].oom_score_adj = 500;
	ok(write_proc_file(500, "oom_score_adj", "-1000\n") == 0 &&
	   write_proc_file(501, "oom_score_adj", "0\n") == 0, "oom_score_adj files written");
	ok(lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 && f.n == 2, "scan: again");
	by = find(&f, 500);
	run = find(&f, 501);
	ok(by && by->oom_score_adj == -1000 && run && run->oom_score_adj == 0,
	   "oom_score_adj as /proc says at the scan (-1000, 0), not as listed (0, 500)");
	lrg_oom_scan_free(s);
}

static void test_own_cgroup(void)
{
	struct lrg_backend b = { .ops = &scripted_ops };
	const struct lrg_oom_candidate *c0, *c1;
	char deep[400], line[420];
	struct lrg_oom_scan *s;
	struct lrg_oom_facts f;

	/* a path longer than the 256 bytes of a listed memcg's */
	snprintf(deep, sizeof(deep), "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		 "run-%0300d.scope", 7);
	snprintf(line, sizeof(line), "0::%s\n", deep);
	set_mm(0, 500, MIB(10));
	set_mm(1, 501, MIB(10));
	if (!ok(write_proc_file(500, "cgroup", line) == 0 &&
		write_proc_file(501, "cgroup", "12:memory:/user.slice\n1:name=systemd:/x\n0::/user.slice/tail.scope\n") == 0,
		"own cgroup: /proc/PID/cgroup written"))
		return;
	ok(lrg_oom_scan_new(&b, root, "/sys/fs/cgroup", &s) == 0, "scan: new, with a cgroup2 mount");
	ok(lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 && f.complete && f.n == 2,
	   "own cgroup: both processes read, complete");
	c0 = find(&f, 500);
	c1 = find(&f, 501);
	ok(c0 && c0->own_cgroup && !strcmp(c0->own_cgroup, deep),
	   "own cgroup: a %zu-byte path read whole", strlen(deep));
	ok(c1 && c1->own_cgroup && !strcmp(c1->own_cgroup, "/user.slice/tail.scope"),
	   "own cgroup: the v2 line of a hybrid machine's file (%s)",
	   c1 && c1->own_cgroup ? c1->own_cgroup : "-");
	lrg_oom_scan_free(s);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
}

/* Memcgs whose paths do not fit the room made at start: the collection
 * says it is incomplete, allocates nothing, and the room follows. */
static void test_many_memcgs(void)
{
	struct lrg_backend b = { .ops = &scripted_ops };
	struct lrg_oom_scan *s = NULL;
	struct lrg_oom_facts f;
	char want[512];
	const char *got;

	set_mm(0, 500, MIB(10));
	set_mm(1, 600, MIB(20));
	nr_long_memcgs = 200;
	if (!ok(lrg_oom_scan_new(&b, root, NULL, &s) == 0, "many memcgs: new"))
		return;
	ok(lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 && !f.complete,
	   "200 memcgs with 300-byte paths beyond the room made at start: incomplete, said so");
	ok(lrg_oom_scan_grow(s) == 0 && lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 &&
	   f.complete && f.n == 2, "after growing: complete (%zu candidates)", f.n);
	long_path(199, want, sizeof(want));
	got = lrg_oom_scan_memcg_path(s, 1199);
	ok(got && !strcmp(got, want), "the last memcg's path whole (%zu bytes)", got ? strlen(got) : 0);
	nr_long_memcgs = 600;
	long_len = 700;
	ok(lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 && !f.complete &&
	   lrg_oom_scan_grow(s) == 0 && lrg_oom_scan_collect(s, true, LRG_ROOT_MEMCG, &f) == 0 &&
	   f.complete,
	   "600 memcgs of 720-byte paths: incomplete once, then room for every path seen");
	long_len = 300;
	nr_long_memcgs = 1000;
	ok(lrg_oom_scan_baseline(s) == 0 && lrg_oom_scan_collect(s, false, 1999, &f) == 0 &&
	   f.complete && f.n == 0 && f.domain_path && !strncmp(f.domain_path, "/user.slice/m999.scope/", 23),
	   "1000 memcgs: the baseline makes room, a memcg domain is found by its id and path");
	lrg_oom_scan_free(s);
	nr_long_memcgs = 0;
}

int main(void)
{
	if (!mkdtemp(root)) {
		ok(0, "a temporary /proc tree: %s", strerror(errno));
		return tap_done();
	}
	test_growth_rss_and_swap();
	test_own_cgroup();
	test_many_memcgs();
	cleanup();
	return tap_done();
}
