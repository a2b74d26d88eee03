// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_backend_fixtures.c - the proc and mglru backends on the cgroup v2
 * paths this build machine (hybrid, no MGLRU) cannot exercise for real:
 * a fixture /proc and a fixture cgroup2 tree
 * (tests/fixtures/host/{proc,cgroup2}), and a copy of a fixture
 * lru_gen file that the aging and eviction commands are written into.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends.h"
#include "fileio.h"
#include "procfs.h"
#include "tap.h"

static char fx[PATH_MAX];

static uint64_t ino_of(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;

	snprintf(p, sizeof(p), "%s/cgroup2%s", fx, rel);
	return stat(p, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

struct memcgs {
	int n;
	struct lrg_memcg_info sshd, root;
};

static int memcg_fn(void *ctx, const struct lrg_memcg_info *mi)
{
	struct memcgs *m = ctx;

	m->n++;
	if (!strcmp(mi->path, "/system.slice/sshd.service"))
		m->sshd = *mi;
	if (!strcmp(mi->path, "/"))
		m->root = *mi;
	return 0;
}

struct mms {
	int n;
	struct lrg_mm_info v[8];
};

static int mm_fn(void *ctx, const struct lrg_mm_info *mm)
{
	struct mms *m = ctx;

	if (m->n < 8)
		m->v[m->n] = *mm;
	m->n++;
	return 0;
}

static void test_proc(void)
{
	char proc[PATH_MAX * 2], cg[PATH_MAX * 2], why[256] = "";
	struct lrg_backend *b = NULL;
	struct memcgs m = { 0 };
	struct mms mm = { 0 };
	struct lrg_pressure p;
	uint64_t bytes = 0;
	int r;

	snprintf(proc, sizeof(proc), "%s/proc", fx);
	snprintf(cg, sizeof(cg), "%s/cgroup2", fx);
	r = lrg_proc_backend_open(proc, cg, &b, why, sizeof(why));
	ok(r == 0, "proc backend on fixtures (%d %s)", r, why);
	if (r < 0)
		return;
	ok(lrg_backend_has(b, LRG_CAP_MEMCG) && !lrg_backend_has(b, LRG_CAP_RECLAIM),
	   "v2 tree: MEMCG; no memory.reclaim: no RECLAIM (caps %#x)", b->caps);
	r = b->ops->list_memcgs(b, memcg_fn, &m);
	ok(r == 0 && m.n == 7, "list_memcgs: 7 (%d)", m.n);
	ok(m.sshd.id == ino_of("/system.slice/sshd.service") && m.sshd.current == 20971520,
	   "sshd.service: inode id, memory.current");
	ok(m.root.id == ino_of("") && m.root.current > 0,
	   "root: current from the fixture meminfo (%" PRIu64 ")", m.root.current);
	{
		struct memcgs q = { 0 };

		r = b->ops->list_memcg_paths(b, memcg_fn, &q);
		ok(r == 0 && q.n == 7 && q.sshd.id == m.sshd.id && q.root.id == m.root.id &&
		   !q.sshd.current && !q.sshd.min,
		   "list_memcg_paths: the same 7 by id and path, no file of theirs read (%d)", q.n);
	}

	r = b->ops->list_mms(b, m.sshd.id, mm_fn, &mm);
	ok(r == 0 && mm.n == 3, "list_mms(sshd.service): 500, 501 and 502 of its payload child (%d)",
	   mm.n);
	if (mm.n == 3) {
		ok(mm.v[0].pid == 500 && mm.v[1].pid == 501 && mm.v[2].pid == 502, "in pid order");
		ok(mm.v[0].start_time == 1001 && mm.v[0].mm_key == ((uint64_t)1001 << 22 | 500),
		   "mm_key = start_time << 22 | pid");
		ok(mm.v[0].mm_key == lrg_mm_key(500, 1001) &&
		   lrg_mm_key(500, 1002) != lrg_mm_key(500, 1001) &&
		   lrg_mm_key(501, 1001) != lrg_mm_key(500, 1001),
		   "the listing's key is lrg_mm_key(), new for a reused pid or another pid");
		ok(mm.v[1].nr_anon == (800 + 4) * 1024 / 4096 && mm.v[1].nr_file == 1024 * 1024 / 4096,
		   "501: anon+shmem and file pages from status");
		ok(mm.v[2].oom_score_adj == 0 && !strcmp(mm.v[0].comm, "sshd1") &&
		   mm.v[1].memcg_id == m.sshd.id,
		   "comm and memcg id; oom_score_adj (10 in the tree) left to the OOM scan");
		ok(mm.v[1].run_stamp ==
			   (uint64_t)(200 + 10) * (1000000000ULL / sysconf(_SC_CLK_TCK)) + 7000000,
		   "run stamp: utime+stime in ns plus the main thread's run time from schedstat");
		ok(mm.v[0].run_stamp == (uint64_t)(100 + 10) * (1000000000ULL / sysconf(_SC_CLK_TCK)),
		   "run stamp without schedstat: utime+stime alone");
	}
	mm.n = 0;
	r = b->ops->list_mms(b, ino_of("/user.slice/user-1000.slice/app-firefox-1.scope"), mm_fn, &mm);
	ok(r == 0 && mm.n == 0, "app scope: its pids are not in the fixture /proc: none listed");
	ok(b->ops->list_mms(b, 12345678, mm_fn, &mm) == -ENOENT, "unknown memcg: -ENOENT");

	r = b->ops->measure(b, m.sshd.id, &p);
	ok(r == 0 && p.usage == 20971520 && p.limit == 1073741824 && p.mem_total == 16318480ULL * 1024,
	   "measure(sshd): usage, limit = memory.max, machine total");
	ok(p.psi_full_total_us == 50 && p.pgscan == 30 && p.pgsteal == 12 && p.refaults == 3 &&
	   p.oom_kills == 1, "measure(sshd): the memcg's PSI and counters");
	r = b->ops->measure_charge(b, m.sshd.id, &p);
	ok(r == 0 && p.usage == 20971520 && p.limit == 1073741824 && p.pgsteal == 12 &&
	   p.refaults == 3 && p.psi_full_total_us == 0 && p.oom_kills == 0,
	   "measure_charge(sshd): usage, limit and memory.stat; no PSI, no memory.events");
	r = b->ops->measure(b, ino_of(""), &p);
	ok(r == 0 && p.limit == p.mem_total && p.watermark_high == (69 + 14331 + 24000) * 4096ULL &&
	   p.pgscan == 5687 && p.psi_some_total_us == 123456789,
	   "measure(root): the machine's figures from the fixture /proc");
	ok(b->ops->reclaim(b, m.sshd.id, 4096, &bytes) == -EOPNOTSUPP, "reclaim without memory.reclaim");
	{
		struct lrg_kill_req kr = { .memcg_id = ino_of(""), .whole_cgroup = true };

		ok(b->ops->kill(b, &kr) == -EPERM, "cgroup.kill of the root refused");
	}
	b->ops->destroy(b);
}

struct cmdfile {
	char path[PATH_MAX];
};

static int copy_file(const char *from, const char *to)
{
	char *text;
	FILE *f;
	int r;

	r = lrg_read_file(from, &text, NULL);
	if (r < 0)
		return r;
	f = fopen(to, "w");
	if (!f) {
		free(text);
		return -errno;
	}
	fputs(text, f);
	fclose(f);
	free(text);
	return 0;
}

/* The start of a file (what a command overwrote). */
static int read_head(const char *path, char *buf, size_t size)
{
	char *text;
	int r = lrg_read_file(path, &text, NULL);

	if (r < 0)
		return r;
	snprintf(buf, size, "%s", text);
	free(text);
	return 0;
}

static void test_mglru(void)
{
	char proc[PATH_MAX * 2], cg[PATH_MAX * 2], lg[PATH_MAX * 2], en[PATH_MAX * 2], why[256] = "";
	char tmp[PATH_MAX], buf[256];
	const char *td = getenv("TMPDIR");
	struct lrg_backend *b = NULL;
	struct lrg_kernel_gens g;
	uint64_t sys = ino_of("/system.slice");
	int r, fd;

	snprintf(proc, sizeof(proc), "%s/proc", fx);
	snprintf(cg, sizeof(cg), "%s/cgroup2", fx);
	snprintf(lg, sizeof(lg), "%s/lru_gen/basic", fx);
	snprintf(en, sizeof(en), "%s/lru_gen/enabled-on", fx);
	snprintf(tmp, sizeof(tmp), "%s/lrg-lru_gen-XXXXXX", td && *td ? td : "/tmp");
	fd = mkstemp(tmp);
	if (fd < 0 || copy_file(lg, tmp) < 0) {
		skip("cannot make a scratch lru_gen copy");
		return;
	}
	close(fd);
	r = lrg_mglru_backend_open_at(tmp, en, proc, cg, false, false, &b, why, sizeof(why));
	ok(r == 0 && lrg_backend_has(b, LRG_CAP_KERNEL_GENS | LRG_CAP_MEMCG),
	   "mglru backend on fixtures: KERNEL_GENS|MEMCG (%d %s)", r, why);
	if (r < 0)
		goto out;
	r = b->ops->read_gens(b, sys, 1, &g);
	ok(r == 0 && g.memcg_id == sys && g.node == 1 && g.max_seq == 4 && g.nr_gens == 2,
	   "read_gens(system.slice, node 1): mapped by path (max_seq %" PRIu64 ")", g.max_seq);
	r = b->ops->read_gens(b, ino_of("/user.slice/user-1000.slice/app-firefox-1.scope"), 0, &g);
	ok(r == 0 && g.max_seq == 101 && g.gens[0].nr_pages[LRG_ANON] == 70000, "read_gens(app scope)");
	ok(b->ops->read_gens(b, ino_of("/user.slice"), 0, &g) == -ENOENT,
	   "memcg absent from lru_gen: -ENOENT");

	r = b->ops->age(b, sys, 0, 9, true, false);
	ok(r == 0 && read_head(tmp, buf, sizeof(buf)) == 0 &&
	   !strncmp(buf, "+ 2 0 9 1 0\n", 12), "age writes \"+ KERNEL_ID NODE MAX_SEQ CAN_SWAP FORCE\": %.12s",
	   buf);
	copy_file(lg, tmp);
	r = b->ops->evict_gen(b, sys, 0, 7, 0, 128);
	ok(r == 0 && read_head(tmp, buf, sizeof(buf)) == 0 &&
	   !strncmp(buf, "- 2 0 7 0 128\n", 14), "evict_gen writes \"- 2 0 7 0 128\": %.14s", buf);
	copy_file(lg, tmp);
	r = b->ops->evict_gen(b, ino_of(""), 1, 4, 200, 0);
	ok(r == 0 && read_head(tmp, buf, sizeof(buf)) == 0 &&
	   !strncmp(buf, "- 1 1 4 200\n", 12), "no page limit: \"- 1 1 4 200\": %.12s", buf);
	ok(b->ops->evict_gen(b, sys, 0, 7, 201, 0) == -EINVAL, "swappiness > 200 refused");
	{
		struct memcgs m = { 0 };

		ok(b->ops->list_memcgs(b, memcg_fn, &m) == 0 && m.n == 7, "list_memcgs shared with proc");
		m.n = 0;
		ok(b->ops->list_memcg_paths(b, memcg_fn, &m) == 0 && m.n == 7,
		   "list_memcg_paths shared with proc");
	}
	b->ops->destroy(b);
out:
	unlink(tmp);
}

/*
 * An lru_gen with lines that cannot be parsed (a memcg line with no id, a
 * malformed generation) beside a 292-byte path: the mglru backend reads
 * every other (memcg, node) as before, so the tick goes on for the rest of
 * the machine; only the node with the bad line is unknown (-ENOENT, as a
 * memcg absent from the file).
 */
static void test_mglru_mixed(void)
{
	char proc[PATH_MAX * 2], cg[PATH_MAX * 2], lg[PATH_MAX * 2], en[PATH_MAX * 2], why[256] = "";
	char tmp[PATH_MAX];
	const char *td = getenv("TMPDIR");
	struct lrg_backend *b = NULL;
	struct lrg_kernel_gens g;
	uint64_t sys = ino_of("/system.slice");
	int r, fd;

	snprintf(proc, sizeof(proc), "%s/proc", fx);
	snprintf(cg, sizeof(cg), "%s/cgroup2", fx);
	snprintf(lg, sizeof(lg), "%s/lru_gen/mixed", fx);
	snprintf(en, sizeof(en), "%s/lru_gen/enabled-on", fx);
	snprintf(tmp, sizeof(tmp), "%s/lrg-lru_gen-XXXXXX", td && *td ? td : "/tmp");
	fd = mkstemp(tmp);
	if (fd < 0 || copy_file(lg, tmp) < 0) {
		skip("cannot make a scratch lru_gen copy");
		return;
	}
	close(fd);
	r = lrg_mglru_backend_open_at(tmp, en, proc, cg, false, false, &b, why, sizeof(why));
	ok(r == 0, "mglru backend on an lru_gen with bad lines (%d %s)", r, why);
	if (r < 0)
		goto out;
	r = b->ops->read_gens(b, sys, 1, &g);
	ok(r == 0 && g.max_seq == 4, "read_gens(system.slice, node 1) beside the bad lines (%d)", r);
	r = b->ops->read_gens(b, ino_of("/user.slice/user-1000.slice/app-firefox-1.scope"), 0, &g);
	ok(r == 0 && g.max_seq == 101, "read_gens(app scope) after them (%d)", r);
	r = b->ops->read_gens(b, sys, 0, &g);
	ok(r == -ENOENT, "the node with the bad line is unknown, not an error of the file (%d)", r);
	r = b->ops->age(b, ino_of(""), 0, 13, true, false);
	ok(r == 0, "aging the root goes on (%d)", r);
	b->ops->destroy(b);
out:
	unlink(tmp);
}

/*
 * A user's scope with a 230-character name (292 bytes of path, in a temp
 * cgroup2 tree over the fixture /proc): the policy sees it whole as a
 * memcg and its process as a candidate.
 */
struct long_memcg {
	int n;
	uint64_t id;
	size_t path_len;
};

static int long_memcg_fn(void *ctx, const struct lrg_memcg_info *mi)
{
	struct long_memcg *m = ctx;

	m->n++;
	if (strlen(mi->path) > 255) {
		m->id = mi->id;
		m->path_len = strlen(mi->path);
	}
	return 0;
}

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

static void test_long_path(void)
{
	static const char *const levels[] = { "user.slice", "user-1000.slice", "user@1000.service",
					      "app.slice", NULL };
	const char *tmp = getenv("TMPDIR");
	char root[PATH_MAX], dir[PATH_MAX], proc[PATH_MAX * 2], why[256] = "", cmd[PATH_MAX + 16];
	struct lrg_backend *b = NULL;
	struct long_memcg m = { 0 };
	struct mms mm = { 0 };
	size_t len;
	int r;

	snprintf(root, sizeof(root), "%s/lrg-longcg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: cannot build a cgroup tree");
		return;
	}
	put(root, "cgroup.controllers", "memory\n");
	put(root, "cgroup.subtree_control", "memory\n");
	snprintf(dir, sizeof(dir), "%s", root);
	for (int i = 0; i <= 4; i++) {
		len = strlen(dir);
		if (levels[i]) {
			snprintf(dir + len, sizeof(dir) - len, "/%s", levels[i]);
		} else {
			dir[len++] = '/';
			memset(dir + len, 'x', 230);
			strcpy(dir + len + 230, ".scope");
		}
		mkdir(dir, 0755);
		put(dir, "memory.current", "8192\n");
		put(dir, "cgroup.procs", levels[i] ? "" : "500\n");
		put(dir, "cgroup.subtree_control", levels[i] ? "memory\n" : "\n");
	}
	snprintf(proc, sizeof(proc), "%s/proc", fx);
	r = lrg_proc_backend_open(proc, root, &b, why, sizeof(why));
	if (ok(r == 0, "proc backend on a tree with a 292-byte cgroup path (%d %s)", r, why)) {
		r = b->ops->list_memcgs(b, long_memcg_fn, &m);
		ok(r == 0 && m.n == 6 && m.path_len == 292,
		   "list_memcgs: 6 memcgs, the scope's path whole (%zu bytes)", m.path_len);
		r = b->ops->list_mms(b, m.id, mm_fn, &mm);
		ok(r == 0 && mm.n == 1 && mm.v[0].pid == 500,
		   "list_mms of the scope: its process is a candidate (%d, %d)", r, mm.n);
		b->ops->destroy(b);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(fx, sizeof(fx), "%s/tests/fixtures/host", src ? src : ".");
	test_proc();
	test_mglru();
	test_mglru_mixed();
	test_long_path();
	return tap_done();
}
