// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroups.c - cgroup v2 discovery and memory files on fixture trees
 * (tests/fixtures/host/cgroup2 and friends), rescan diffs on a tree
 * built in $TMPDIR, trees of any depth and path length, and the cgroup2
 * mount of this machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup_watch.h"
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
	ok(mi.anon == 10000000 && mi.file == 9000000, "sshd.service: memory.stat anon/file");
	r = lrg_cgroup_read_info(t->root, "/user.slice/user-1000.slice/app-firefox-1.scope", &mi);
	ok(r == 0 && mi.min == 1048576 && mi.high == 8388608, "app scope: min, high");
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
	r = lrg_cgroup_for_each_pid(t->root, "/system.slice/sshd.service", false, count_fn, &n, NULL);
	ok(r == 0 && n == 2, "cgroup.procs of sshd.service: 2 (%d)", n);
	n = 0;
	r = lrg_cgroup_for_each_pid(t->root, "/system.slice/sshd.service", true, count_fn, &n, NULL);
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

/* ---- any depth, any name, long paths (built with *at calls: no path
 * of the tree needs to fit in PATH_MAX) ---- */

static void put_at(int dfd, const char *file, const char *text)
{
	int fd = openat(dfd, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0) {
			/* the check that reads it fails */
		}
		close(fd);
	}
}

/* Make the cgroup-like directory name in dfd; returns its fd (or -1). A
 * memcg has memory.current; subtree enables memory for its children. */
static int mkcg_at(int dfd, const char *name, bool memcg, bool subtree, const char *procs)
{
	int fd;

	if (mkdirat(dfd, name, 0755) < 0)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (memcg)
		put_at(fd, "memory.current", "4096\n");
	put_at(fd, "cgroup.procs", procs);
	put_at(fd, "cgroup.subtree_control", subtree ? "memory\n" : "\n");
	return fd;
}

/* rm -r of name in dfd, without building paths. */
static void rm_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		unlinkat(dfd, name, 0);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_at(dirfd(d), de->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* A chain of n memcgs below dfd named by name(i); returns the last fd. */
static int chain_at(int dfd, int n, bool long_names, const char *last_procs)
{
	char name[256];
	int fd = dup(dfd);

	for (int i = 0; i < n && fd >= 0; i++) {
		int next;

		if (long_names) {
			memset(name, 'a' + i % 26, 250);
			name[250] = '\0';
		} else {
			snprintf(name, sizeof(name), "d%d", i);
		}
		next = mkcg_at(fd, name, true, i + 1 < n, i + 1 < n ? "" : last_procs);
		close(fd);
		fd = next;
	}
	return fd;
}

static size_t max_path_len(const struct lrg_cgroup_tree *t)
{
	size_t m = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->v[i].path) > m)
			m = strlen(t->v[i].path);
	return m;
}

static void test_deep(void)
{
	const char *tmp = getenv("TMPDIR");
	struct lrg_cgroup_tree *t = NULL;
	const struct lrg_cgroup_entry *e;
	char root[PATH_MAX], leaf[512];
	const void *v0, *v1;
	size_t skipped = 0;
	int rfd, fd, n = 0, r;

	snprintf(root, sizeof(root), "%s/lrg-cgdeep-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a deep tree");
		return;
	}
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put_at(rfd, "cgroup.controllers", "memory pids\n");
	put_at(rfd, "cgroup.subtree_control", "memory\n");
	/* /deep: 40 levels below it (the walk once stopped at 32) */
	fd = mkcg_at(rfd, "deep", true, true, "");
	close(chain_at(fd, 40, false, "4242\n"));
	close(fd);
	/* /long: 17 levels of 250-character names below it, 4,272 bytes at
	 * the last: the 16 that fit in LRG_CGROUP_PATH_MAX are memcgs, the
	 * 17th is skipped and counted */
	fd = mkcg_at(rfd, "long", true, true, "");
	close(chain_at(fd, 17, true, ""));
	close(fd);
	/* a 230-character scope in a user's app.slice, 292 bytes of path (the
	 * walk once dropped anything of 256 or more), and a hidden name,
	 * which is a cgroup like any other */
	memset(leaf, 'x', 230);
	leaf[230] = '\0';
	strcat(leaf, ".scope");
	fd = mkcg_at(rfd, "user.slice", true, true, "");
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "user-1000.slice", "user@1000.service",
						      "app.slice" };
		int next = mkcg_at(fd, names[i], true, true, "");

		close(fd);
		fd = next;
	}
	close(mkcg_at(fd, leaf, true, false, "77\n"));
	close(mkcg_at(fd, ".hidden.scope", true, false, "78\n"));
	close(fd);

	r = lrg_cgroup_tree_open(root, &t);
	if (!ok(r == 0, "deep tree opened (%d)", r))
		goto out;
	/* root, /deep and its 40, /long and 16 of its 17, 4 slices and
	 * services, 2 scopes */
	ok(t->n == 1 + 41 + 17 + 6, "every memcg found: %zu of %d", t->n, 1 + 41 + 17 + 6);
	ok(t->nr_skipped == 1, "the one path too long to open is counted (%zu)", t->nr_skipped);
	ok(max_path_len(t) < LRG_CGROUP_PATH_MAX && max_path_len(t) > 4000,
	   "paths up to %zu bytes kept whole", max_path_len(t));
	{
		char path[600];

		snprintf(path, sizeof(path),
			 "/user.slice/user-1000.slice/user@1000.service/app.slice/%s", leaf);
		e = lrg_cgroup_tree_find_path(t, path);
		ok(e && strlen(e->path) == 292, "the 230-character scope is a memcg (%zu bytes)",
		   e ? strlen(e->path) : 0);
		ok(e && lrg_cgroup_tree_memcg_of(t, strcat(path, "/sub")) == e->id,
		   "a process below it is charged to it");
	}
	ok(lrg_cgroup_tree_find_path(
		   t, "/user.slice/user-1000.slice/user@1000.service/app.slice/.hidden.scope") != NULL,
	   "a hidden name is a memcg");
	e = lrg_cgroup_tree_find_path(t, "/deep/d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/"
					 "d15/d16/d17/d18/d19/d20/d21/d22/d23/d24/d25/d26/d27/d28/"
					 "d29/d30/d31/d32/d33/d34/d35/d36/d37/d38/d39");
	ok(e != NULL, "the memcg 41 levels down is found");
	r = lrg_cgroup_for_each_pid(t->root, "/deep", true, count_fn, &n, &skipped);
	ok(r == 0 && n == 1 && skipped == 0, "its pid listed from /deep, recursively (%d, %d pids)",
	   r, n);

	/* the storage of an unchanged tree is reused: two lists, in turn */
	v0 = t->v;
	r = lrg_cgroup_tree_rescan(t, NULL, NULL);
	v1 = t->v;
	r |= lrg_cgroup_tree_rescan(t, NULL, NULL);
	ok(r == 0 && t->v == v0, "a rescan of the same tree reuses the list of the scan before");
	r = lrg_cgroup_tree_rescan(t, NULL, NULL);
	ok(r == 0 && t->v == v1 && t->n == 1 + 41 + 17 + 6 && t->nr_skipped == 1,
	   "and again, with the same memcgs and the same skip count");
out:
	lrg_cgroup_tree_free(t);
	rm_at(rfd, "deep");
	rm_at(rfd, "long");
	rm_at(rfd, "user.slice");
	unlinkat(rfd, "cgroup.controllers", 0);
	unlinkat(rfd, "cgroup.subtree_control", 0);
	close(rfd);
	rmdir(root);
}

/* What cannot be read below a memcg is skipped and counted; the rest is
 * listed. */
static void test_pids_skip(void)
{
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX];
	size_t skipped = 0;
	int rfd, fd, sub, n = 0, r;

	snprintf(root, sizeof(root), "%s/lrg-cgpids-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a tree");
		return;
	}
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = mkcg_at(rfd, "app.scope", true, false, "10\n");
	/* children without memory files: charged to app.scope */
	close(mkcg_at(fd, "a", false, false, "11\n12\n"));
	sub = mkcg_at(fd, "b", false, false, "");
	/* b's cgroup.procs cannot be read (a directory here) */
	unlinkat(sub, "cgroup.procs", 0);
	mkdirat(sub, "cgroup.procs", 0755);
	close(mkcg_at(sub, "c", false, false, "13\n"));
	close(sub);
	close(fd);
	r = lrg_cgroup_for_each_pid(root, "/app.scope", true, count_fn, &n, &skipped);
	ok(r == 0 && n == 4 && skipped == 1,
	   "unreadable cgroup.procs below: skipped and counted (%zu), the other 4 pids listed (%d, %d)",
	   skipped, n, r);
	rm_at(rfd, "app.scope");
	close(rfd);
	rmdir(root);
}

/* An idle cgroup (unpopulated, under 1 MiB): its protection read, not
 * its limits or statistics; a populated one as before. */
static void test_idle_info(void)
{
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX], p[PATH_MAX * 2];
	struct lrg_memcg_info mi;
	int r;

	snprintf(root, sizeof(root), "%s/lrg-idle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a tree");
		return;
	}
	mkcg(root, "/idle.scope", false);
	snprintf(p, sizeof(p), "%s/idle.scope", root);
	put(p, "cgroup.events", "populated 0\nfrozen 0\n");
	put(p, "memory.min", "1048576\n");
	put(p, "memory.low", "0\n");
	put(p, "memory.max", "104857600\n");
	memset(&mi, 0, sizeof(mi));
	r = lrg_cgroup_read_info(root, "/idle.scope", &mi);
	ok(r == 0 && mi.min == 1048576 && mi.max == UINT64_MAX && mi.file == 4096,
	   "idle cgroup: memory.min read, limits and statistics not (max %llu)",
	   (unsigned long long)mi.max);
	put(p, "cgroup.events", "populated 1\nfrozen 0\n");
	r = lrg_cgroup_read_info(root, "/idle.scope", &mi);
	ok(r == -ENOENT || (r == 0 && mi.max == 104857600),
	   "populated: its limits read (%d, max %llu)", r, (unsigned long long)mi.max);
	put(p, "cgroup.events", "populated 0\nfrozen 0\n");
	put(p, "memory.current", "2097152\n");
	r = lrg_cgroup_read_info(root, "/idle.scope", &mi);
	ok(r == -ENOENT || (r == 0 && mi.max == 104857600),
	   "unpopulated with 2 MiB charged: read whole (%d, max %llu)", r, (unsigned long long)mi.max);
	for (size_t i = 0; i < 4; i++) {
		static const char *const extra[] = { "cgroup.events", "memory.min", "memory.low",
						     "memory.max" };
		char q[PATH_MAX * 3];

		snprintf(q, sizeof(q), "%s/%s", p, extra[i]);
		unlink(q);
	}
	rmcg(root, "/idle.scope");
	rmdir(root);
}

/*
 * A busy cgroup's limits, on a watched tree, are read once per
 * LRG_CGROUP_LIMITS_TTL_MS or when inotify says one was written; its
 * charge and memory.min at every read; a measurement's usage likewise.
 */
static void poke(const char *dir, const char *file, const char *text);

static void test_limits_memo(void)
{
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX], p[PATH_MAX * 2];
	const struct lrg_cgroup_entry *e;
	struct lrg_cgroup_tree *t = NULL;
	struct lrg_memcg_info mi;
	uint64_t cur = 0, lim = 0, t0 = 50000;
	size_t i;
	int r;

	snprintf(root, sizeof(root), "%s/lrg-limits-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a tree");
		return;
	}
	put(root, "cgroup.controllers", "memory\n");
	put(root, "cgroup.subtree_control", "memory\n");
	mkcg(root, "/busy.scope", false);
	snprintf(p, sizeof(p), "%s/busy.scope", root);
	put(p, "cgroup.events", "populated 1\nfrozen 0\n");
	put(p, "memory.current", "0067108864\n");
	put(p, "memory.min", "0000000000\n");
	put(p, "memory.high", "max\n");
	put(p, "memory.max", "0104857600\n");
	r = lrg_cgroup_tree_open(root, &t);
	e = r < 0 ? NULL : lrg_cgroup_tree_find_path(t, "/busy.scope");
	if (!e) {
		ok(0, "a tree with busy.scope (%d)", r);
		goto out;
	}
	if (!t->watched) {
		skip("inotify not available here: limits are read at every read, nothing remembered");
		goto out;
	}
	i = (size_t)(e - t->v);
	memset(&mi, 0, sizeof(mi));
	r = lrg_cgroup_tree_read_info(t, i, &mi, t0);
	ok(r == 0 && !mi.idle && mi.max == 104857600 && mi.high == UINT64_MAX,
	   "first read: memory.max 100 MiB, memory.high max (%d, %llu)", r,
	   (unsigned long long)mi.max);
	/* changed without write(2): no inotify event, as if it had not changed */
	poke(p, "memory.max", "0052428800\n");
	poke(p, "memory.current", "0073400320\n");
	poke(p, "memory.min", "0001048576\n");
	r = lrg_cgroup_tree_read_info(t, i, &mi, t0 + LRG_CGROUP_LIMITS_TTL_MS - 1);
	ok(r == 0 && mi.max == 104857600 && mi.current == 73400320 && mi.min == 1048576,
	   "no event, within the TTL: the limit remembered (%llu), charge and memory.min read "
	   "(%llu, %llu)", (unsigned long long)mi.max, (unsigned long long)mi.current,
	   (unsigned long long)mi.min);
	r = lrg_cgroup_tree_read_usage(t, e->id, t0 + 1, &cur, &lim);
	ok(r == 0 && cur == 73400320 && lim == 104857600,
	   "usage, no event, within the TTL: charge read, limit remembered (%llu, %llu)",
	   (unsigned long long)cur, (unsigned long long)lim);
	r = lrg_cgroup_tree_read_info(t, i, &mi, t0 + LRG_CGROUP_LIMITS_TTL_MS);
	ok(r == 0 && mi.max == 52428800, "after the TTL: memory.max read again, 50 MiB (%llu)",
	   (unsigned long long)mi.max);
	/* an admin's write (systemctl set-property): inotify says so */
	put(p, "memory.high", "41943040\n");
	r = lrg_cgroup_tree_read_usage(t, e->id, t0 + LRG_CGROUP_LIMITS_TTL_MS + 1, &cur, &lim);
	ok(r == 0 && lim == 41943040,
	   "usage just after memory.high was written: read at once, 40 MiB (%llu)",
	   (unsigned long long)lim);
	put(p, "memory.max", "31457280\n");
	r = lrg_cgroup_tree_rescan(t, NULL, NULL);
	e = lrg_cgroup_tree_find_path(t, "/busy.scope");
	r = r < 0 || !e ? -1 : lrg_cgroup_tree_read_info(t, (size_t)(e - t->v), &mi,
						       t0 + LRG_CGROUP_LIMITS_TTL_MS + 2);
	ok(r == 0 && mi.max == 31457280,
	   "a listing after memory.max was written: read at once, 30 MiB (%llu)",
	   (unsigned long long)mi.max);
	r = lrg_cgroup_tree_read_usage(t, 999999999, t0, &cur, &lim);
	ok(r == -ENOENT, "usage of a cgroup the tree does not know: -ENOENT (%d)", r);
out:
	lrg_cgroup_tree_free(t);
	for (size_t k = 0; k < 5; k++) {
		static const char *const extra[] = { "cgroup.events", "memory.min", "memory.high",
						     "memory.max", "cgroup.controllers" };
		char q[PATH_MAX * 3];

		snprintf(q, sizeof(q), "%s/%s", k < 4 ? p : root, extra[k]);
		unlink(q);
	}
	rmcg(root, "/busy.scope");
	rmcg(root, "");
	rmdir(root);
}

/* Write text over file's start through a shared mapping: a change that
 * raises no inotify event (write(2) does), to tell a read from a memory. */
static void poke(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX * 2];
	void *m;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	m = mmap(NULL, strlen(text), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		memcpy(m, text, strlen(text));
		munmap(m, strlen(text));
	}
	close(fd);
}

static bool read_idle_entry(struct lrg_cgroup_tree *t, const char *path, struct lrg_memcg_info *mi)
{
	const struct lrg_cgroup_entry *e = lrg_cgroup_tree_find_path(t, path);

	memset(mi, 0, sizeof(*mi));
	return e && lrg_cgroup_tree_read_info(t, (size_t)(e - t->v), mi, 1000) == 0;
}

/* A watched tree: idle cgroups are not read again, and the tree is not
 * walked again, until inotify says something changed. */
static void count_change(void *ctx, uint64_t id, const char *name)
{
	(void)id;
	(void)name;
	(*(int *)ctx)++;
}

/* make n files in dir, then take them out again */
static void churn(const char *dir, int n, bool remove)
{
	char p[PATH_MAX + 32];

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/c%05d", dir, i);
		if (remove)
			unlink(p);
		else
			close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	}
}

/*
 * A drain takes a bounded number of reads: a user who makes cgroups in a
 * loop faster than lrugend reads the events gets a full re-read, not a
 * daemon stuck in its drain.
 */
static void test_watch_bounded(void)
{
	char dir[] = "/tmp/test_cgroups_watch.XXXXXX";
	struct lrg_cgroup_watch *w = NULL;
	bool reshaped = false;
	int fd, changes = 0, r;

	if (!mkdtemp(dir) || lrg_cgroup_watch_new(&w) < 0) {
		ok(0, "an inotify watch on a temporary directory (%s)", strerror(errno));
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = lrg_cgroup_watch_add(w, fd, 77);
	lrg_cgroup_watch_end_walk(w);
	churn(dir, 100, false);
	r = r < 0 ? r : lrg_cgroup_watch_drain(w, count_change, &changes, &reshaped);
	ok(r == 0 && reshaped && changes == 100, "100 entries made: all taken (%d, %d changes)", r,
	   changes);
	churn(dir, 100, true);
	churn(dir, 12000, false);
	changes = 0;
	r = lrg_cgroup_watch_drain(w, count_change, &changes, &reshaped);
	ok(r == 1 && reshaped && changes < 12100,
	   "12,000 made after 100 removed: %d taken in %d reads, the rest counted as lost (%d)",
	   changes, LRG_CGROUP_WATCH_MAX_READS, r);
	churn(dir, 12000, true);
	lrg_cgroup_watch_free(w);
	close(fd);
	rmdir(dir);
}

static void test_watch(void)
{
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX], idle[PATH_MAX * 2], par[PATH_MAX * 2];
	struct lrg_cgroup_tree *t = NULL;
	struct lrg_memcg_info mi;
	struct diff d = { 0 };
	bool read_ok;
	int r;

	snprintf(root, sizeof(root), "%s/lrg-watch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a tree");
		return;
	}
	put(root, "cgroup.controllers", "memory\n");
	put(root, "cgroup.subtree_control", "memory\n");
	mkcg(root, "/idle.scope", false);
	snprintf(idle, sizeof(idle), "%s/idle.scope", root);
	put(idle, "memory.current", "0000004096\n");
	put(idle, "memory.min", "0\n");
	put(idle, "cgroup.events", "populated 0\n");
	mkcg(root, "/p.slice", false);
	snprintf(par, sizeof(par), "%s/p.slice", root);
	put(par, "cgroup.subtree_control", "      \n");
	mkcg(root, "/p.slice/c.scope", false);

	r = lrg_cgroup_tree_open(root, &t);
	if (r < 0 || !t->watched) {
		skip("inotify not available here: nothing to watch");
		goto out;
	}
	ok(t->n == 3, "watched tree: the root, idle.scope and p.slice (%zu)", t->n);
	ok(read_idle_entry(t, "/idle.scope", &mi) && mi.idle && mi.current == 4096,
	   "idle.scope read idle, 4 KiB");

	poke(idle, "memory.current", "0005242880\n");
	poke(par, "cgroup.subtree_control", "memory\n");
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	ok(r == 0 && !lrg_cgroup_tree_find_path(t, "/p.slice/c.scope"),
	   "no event: the tree is not walked (memory enabled below p.slice unseen)");
	read_ok = read_idle_entry(t, "/idle.scope", &mi);
	ok(read_ok && mi.idle && mi.current == 4096,
	   "no event: idle.scope as remembered, its files not read (%llu)",
	   (unsigned long long)mi.current);

	lrg_cgroup_tree_mark_stale(t, lrg_cgroup_tree_find_path(t, "/idle.scope")->id);
	read_ok = read_idle_entry(t, "/idle.scope", &mi);
	ok(read_ok && !mi.idle && mi.current == 5242880,
	   "marked stale (processes found there): read again at once, 5 MiB (%llu)",
	   (unsigned long long)mi.current);
	poke(idle, "memory.current", "0000004096\n");
	read_ok = read_idle_entry(t, "/idle.scope", &mi);
	poke(idle, "memory.current", "0005242880\n");
	ok(read_ok && mi.idle && mi.current == 4096, "idle again when read so");

	put(idle, "cgroup.events", "populated 0\n");
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	read_ok = read_idle_entry(t, "/idle.scope", &mi);
	ok(r == 0 && read_ok && !mi.idle && mi.current == 5242880,
	   "a write in idle.scope: read again, 5 MiB charged, no longer idle (%llu)",
	   (unsigned long long)mi.current);

	memset(&d, 0, sizeof(d));
	mkcg(root, "/new.scope", false);
	r = lrg_cgroup_tree_rescan(t, diff_fn, &d);
	ok(r == 0 && d.added == 2 && lrg_cgroup_tree_find_path(t, "/new.scope") &&
	   lrg_cgroup_tree_find_path(t, "/p.slice/c.scope"),
	   "a cgroup made: the tree walked, new.scope and p.slice/c.scope found (%d added)", d.added);
	rmcg(root, "/new.scope");
out:
	lrg_cgroup_tree_free(t);
	rmcg(root, "/p.slice/c.scope");
	rmcg(root, "/p.slice");
	for (size_t i = 0; i < 3; i++) {
		static const char *const extra[] = { "memory.min", "cgroup.events", "cgroup.controllers" };
		char q[PATH_MAX * 3];

		snprintf(q, sizeof(q), "%s/%s", i < 2 ? idle : root, extra[i]);
		unlink(q);
	}
	rmcg(root, "/idle.scope");
	rmcg(root, "");
	rmdir(root);
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(fx, sizeof(fx), "%s/tests/fixtures/host", src ? src : ".");
	test_mountinfo();
	test_tree();
	test_global();
	test_rescan();
	test_deep();
	test_pids_skip();
	test_idle_info();
	test_limits_memo();
	test_watch();
	test_watch_bounded();
	return tap_done();
}
