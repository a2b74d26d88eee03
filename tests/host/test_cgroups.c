// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroups.c - cgroup v2 discovery and memory files on fixture trees
 * (tests/fixtures/host/cgroup2 and friends), rescan diffs on a tree
 * built in $TMPDIR, and the cgroup2 mount of this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroups.h"
#include "fileio.h"
#include "tap.h"

static char fx[PATH_MAX];

static uint64_t ino_of(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;

	snprintf(p, sizeof(p), "%s/cgroup2%s", fx, rel);
	return stat(p, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/*
 * This machine's own mountinfo: the answer is checked against what the
 * kernel says, independently of the parser. With a cgroup2 mount listed,
 * the path found must be a cgroup2 filesystem (statfs); with none listed,
 * -ENOENT.
 */
static void test_live_mount(void)
{
	char mnt[PATH_MAX], *text = NULL;
	struct statfs sfs;
	bool listed;
	int r;

	r = lrg_read_file("/proc/self/mountinfo", &text, NULL);
	if (!ok(r == 0, "live mountinfo readable (%d)", r))
		return;
	listed = strstr(text, " - cgroup2 ") != NULL;
	free(text);
	r = lrg_cgroup_find_v2_mount("/proc/self/mountinfo", mnt, sizeof(mnt));
	if (listed)
		ok(r == 0 && statfs(mnt, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC,
		   "live: the cgroup2 mount found is a cgroup2 filesystem (%d %s)", r,
		   r == 0 ? mnt : "");
	else
		ok(r == -ENOENT, "live: no cgroup2 mounted here, -ENOENT (%d)", r);
}

static void test_mountinfo(void)
{
	char p[PATH_MAX * 2], mnt[PATH_MAX];
	int r;

	snprintf(p, sizeof(p), "%s/mountinfo-hybrid", fx);
	r = lrg_cgroup_find_v2_mount(p, mnt, sizeof(mnt));
	ok(r == 0 && !strcmp(mnt, "/sys/fs/cgroup/unified"), "hybrid: cgroup2 at unified (%d %s)", r,
	   r == 0 ? mnt : "");
	snprintf(p, sizeof(p), "%s/mountinfo-unified", fx);
	r = lrg_cgroup_find_v2_mount(p, mnt, sizeof(mnt));
	ok(r == 0 && !strcmp(mnt, "/my cgroup\\root"), "octal escapes undone: '%s'", r == 0 ? mnt : "");
	snprintf(p, sizeof(p), "%s/mountinfo-v1", fx);
	ok(lrg_cgroup_find_v2_mount(p, mnt, sizeof(mnt)) == -ENOENT, "v1 only: -ENOENT");
	test_live_mount();
}

static int count_fn(void *ctx, pid_t pid)
{
	int *n = ctx;

	(*n)++;
	(void)pid;
	return 0;
}

static void test_tree(void)
{
	struct lrg_cgroup_tree *t = NULL;
	const struct lrg_cgroup_entry *e;
	struct lrg_memcg_info mi;
	struct lrg_vmstat vs;
	struct lrg_psi psi;
	char p[PATH_MAX * 2];
	int r, n;

	snprintf(p, sizeof(p), "%s/cgroup2", fx);
	r = lrg_cgroup_tree_open(p, &t);
	ok(r == 0 && t && !t->global, "fixture tree opens as v2 with memory (%d)", r);
	if (r < 0)
		return;
	ok(t->n == 7, "7 memcgs (root, 2 slices, user-1000, sshd, session, app): %zu", t->n);
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i - 1].id >= t->v[i].id)
			ok(0, "entries sorted by id");
	e = lrg_cgroup_tree_find_path(t, "/system.slice/sshd.service");
	ok(e && e->id == ino_of("/system.slice/sshd.service") && !e->memory_subtree,
	   "sshd.service: id is the directory's inode, no memory subtree");
	ok(e && lrg_cgroup_tree_find(t, e->id) == e, "find by id");
	ok(!lrg_cgroup_tree_find_path(t, "/init.scope"), "init.scope without memory files: not a memcg");
	ok(!lrg_cgroup_tree_find_path(t, "/system.slice/sshd.service/payload"),
	   "below a memcg without memory in subtree_control: not a memcg");
	e = lrg_cgroup_tree_find_path(t, "/");
	ok(e && e->id == ino_of("") && e->memory_subtree, "root entry: id and memory subtree");

	ok(lrg_cgroup_tree_memcg_of(t, "/system.slice/sshd.service/payload") ==
		   ino_of("/system.slice/sshd.service"),
	   "payload is charged to sshd.service");
	ok(lrg_cgroup_tree_memcg_of(t, "/init.scope") == ino_of(""), "init.scope charged to the root");
	ok(lrg_cgroup_tree_memcg_of(t, "/user.slice/user-1000.slice/session-2.scope") ==
		   ino_of("/user.slice/user-1000.slice/session-2.scope"),
	   "a memcg is its own memcg");

	memset(&mi, 0, sizeof(mi));
	r = lrg_cgroup_read_info(t->root, "/system.slice/sshd.service", &mi);
	ok(r == 0 && mi.current == 20971520 && mi.low == 10485760 && mi.max == 1073741824 &&
	   mi.high == UINT64_MAX && mi.swap_max == UINT64_MAX,
	   "sshd.service: current, low, max, high=max, swap.max=max");
	ok(mi.anon == 10000000 && mi.file == 9000000 && mi.nr_procs == 2,
	   "sshd.service: memory.stat anon/file, 2 procs (%d)", mi.nr_procs);
	r = lrg_cgroup_read_info(t->root, "/user.slice/user-1000.slice/app-firefox-1.scope", &mi);
	ok(r == 0 && mi.min == 1048576 && mi.high == 8388608 && mi.nr_procs == 3, "app scope: min, high, 3 procs");
	memset(&mi, 0, sizeof(mi));
	r = lrg_cgroup_read_info(t->root, "/", &mi);
	ok(r == 0 && mi.current == 0 && mi.max == UINT64_MAX && mi.anon == 1000 && mi.file == 2000,
	   "root: no memory.current (0), limits max, memory.stat read");
	ok(lrg_cgroup_read_info(t->root, "/init.scope", &mi) == -ENOENT, "non-memcg: -ENOENT");

	r = lrg_cgroup_read_stat(t->root, "/system.slice", &vs);
	ok(r == 0 && vs.pgscan == 30 && vs.pgsteal == 12 && vs.refaults == 3 && vs.oom_kill == 1,
	   "memory.stat + memory.events: pgscan %llu pgsteal %llu refaults %llu oom_kill %llu",
	   (unsigned long long)vs.pgscan, (unsigned long long)vs.pgsteal,
	   (unsigned long long)vs.refaults, (unsigned long long)vs.oom_kill);
	r = lrg_cgroup_read_pressure(t->root, "/system.slice", &psi);
	ok(r == 0 && psi.full_total_us == 50 && psi.some_avg10 > 0.49, "memory.pressure");

	n = 0;
	r = lrg_cgroup_for_each_pid(t->root, "/system.slice/sshd.service", false, count_fn, &n);
	ok(r == 0 && n == 2, "cgroup.procs of sshd.service: 2 (%d)", n);
	n = 0;
	r = lrg_cgroup_for_each_pid(t->root, "/system.slice/sshd.service", true, count_fn, &n);
	ok(r == 0 && n == 3, "recursive: 3 with payload (%d)", n);

	ok(lrg_cgroup_reclaim(t->root, "/system.slice", 4096) == -EOPNOTSUPP,
	   "no memory.reclaim: -EOPNOTSUPP");
	ok(lrg_cgroup_kill(t->root, "/system.slice") == -EOPNOTSUPP, "no cgroup.kill: -EOPNOTSUPP");
	lrg_cgroup_tree_free(t);
}

static void test_global(void)
{
	struct lrg_cgroup_tree *t = NULL;
	char p[PATH_MAX * 2];
	int r;

	snprintf(p, sizeof(p), "%s/cgroup-v1", fx);
	r = lrg_cgroup_tree_open(p, &t);
	ok(r == 0 && t->global && t->n == 1 && t->v[0].id == LRG_ROOT_MEMCG && strstr(t->why, "not a cgroup2"),
	   "v1 tree: global, one domain, why: %s", r == 0 ? t->why : "");
	if (r == 0)
		ok(lrg_cgroup_tree_memcg_of(t, "/a/b") == LRG_ROOT_MEMCG, "global: every path is root");
	lrg_cgroup_tree_free(t);
	t = NULL;
	snprintf(p, sizeof(p), "%s/cgroup-nomem", fx);
	r = lrg_cgroup_tree_open(p, &t);
	ok(r == 0 && t->global && strstr(t->why, "memory controller"),
	   "cgroup2 without memory: global, why: %s", r == 0 ? t->why : "");
	lrg_cgroup_tree_free(t);
}

/* ---- rescan on a tree we change ---- */

static void put(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mkcg(const char *root, const char *rel, bool subtree)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	mkdir(p, 0755);
	put(p, "memory.current", "4096\n");
	put(p, "cgroup.procs", "");
	put(p, "cgroup.subtree_control", subtree ? "memory\n" : "\n");
}

static void rmcg(const char *root, const char *rel)
{
	static const char *const files[] = { "memory.current", "cgroup.procs",
					     "cgroup.subtree_control", "cgroup.controllers" };
	char p[PATH_MAX * 2], f[PATH_MAX * 3];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(f, sizeof(f), "%s/%s", p, files[i]);
		unlink(f);
	}
	rmdir(p);
}

struct diff {
	int added, removed;
	char last_added[256], last_removed[256];
};

static int diff_fn(void *ctx, const struct lrg_cgroup_entry *e, bool added)
{
	struct diff *d = ctx;

	if (added) {
		d->added++;
		snprintf(d->last_added, sizeof(d->last_added), "%s", e->path);
	} else {
		d->removed++;
		snprintf(d->last_removed, sizeof(d->last_removed), "%s", e->path);
	}
	return 0;
}

static void test_rescan(void)
{
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX];
	struct lrg_cgroup_tree *t = NULL;
	struct diff d = { 0 };
	int r;

	snprintf(root, sizeof(root), "%s/lrg-cg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a tree to change");
		return;
	}
	put(root, "cgroup.controllers", "memory pids\n");
	put(root, "cgroup.subtree_control", "memory\n");
	mkcg(root, "/a.slice", true);
	mkcg(root, "/a.slice/x.service", false);
	mkcg(root, "/b.slice", false);
	r = lrg_cgroup_tree_open(root, &t);
	ok(r == 0 && t->n == 4, "temp tree: 4 memcgs (%d, %zu)", r, r == 0 ? t->n : 0);
	if (r < 0)
		goto out;
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	ok(r == 0 && d.added == 0 && d.removed == 0, "no change: empty diff");

	mkcg(root, "/a.slice/y.scope", false);
	rmcg(root, "/b.slice");
	memset(&d, 0, sizeof(d));
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	ok(r == 0 && d.added == 1 && !strcmp(d.last_added, "/a.slice/y.scope"),
	   "created cgroup reported added: %d %s", d.added, d.last_added);
	ok(d.removed == 1 && !strcmp(d.last_removed, "/b.slice"), "removed cgroup reported: %d %s",
	   d.removed, d.last_removed);
	ok(t->n == 4 && lrg_cgroup_tree_find_path(t, "/a.slice/y.scope"), "tree updated");

	/* the same name again is a new cgroup (new inode): remove + add */
	rmcg(root, "/a.slice/x.service");
	mkcg(root, "/keep", false);  /* hold on to x's inode number a while */
	mkcg(root, "/a.slice/x.service", false);
	memset(&d, 0, sizeof(d));
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	ok(r == 0 && d.added >= 2 && d.removed >= 1, "recreated cgroup: removal and addition (%d/%d)",
	   d.added, d.removed);
	rmcg(root, "/keep");
	rmcg(root, "/a.slice/x.service");
	rmcg(root, "/a.slice/y.scope");
	rmcg(root, "/a.slice");
out:
	lrg_cgroup_tree_free(t);
	rmcg(root, "");
	{
		char f[PATH_MAX * 2];

		snprintf(f, sizeof(f), "%s/cgroup.controllers", root);
		unlink(f);
		rmdir(root);
	}
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(fx, sizeof(fx), "%s/tests/fixtures/host", src ? src : ".");
	test_mountinfo();
	test_tree();
	test_global();
	test_rescan();
	return tap_done();
}
