// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_backend_proc.c - the proc backend end to end on this machine's real
 * /proc, with real processes (needs root for clear_refs, pagemap PFNs are
 * not needed; process_madvise needs CAP_SYS_NICE).
 *
 * A child maps a 32 MiB "hot" and a 32 MiB "cold" anonymous VMA (kept
 * apart so they cannot merge) and a 16 MiB MAP_SHARED file on disk. Steps
 * are driven by a pipe handshake, never by timing:
 *   1. the child touches everything; a first harvest clears the bits;
 *   2. the child touches the hot VMA only; the second harvest must report
 *      the hot pages young and the cold ones present but old;
 *   3. evict() on the cold anon range frees nothing without swap (and
 *      must say 0); on the file range the pages leave the page cache
 *      (checked with the child's own mincore()).
 * Plus: list_mms (no kernel threads, no duplicates, a CLONE_VM sharer
 * counted once), start-time checks (pid reuse), measure, kill.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends.h"
#include "procfs.h"
#include "tap.h"

#define MiB ((uint64_t)1 << 20)
#define ANON_SIZE (32 * MiB)
#define FILE_SIZE (16 * MiB)
#define GROW_SIZE (8 * MiB)
#define PAGE ((uint64_t)4096)

struct layout {
	uint64_t hot, cold, file;
};

static int cmd_w = -1, ack_r = -1;

static void xwrite(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		_exit(3);
}

static int xread(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

static void touch(volatile char *p, uint64_t size)
{
	for (uint64_t i = 0; i < size; i += PAGE)
		p[i]++;
}

static uint64_t read_all(volatile const char *p, uint64_t size)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < size; i += PAGE)
		s += p[i];
	return s;
}

static void child_main(int cmd, int ack, const char *file)
{
	struct layout l;
	char *area, *hot, *cold, *fmap, c;
	unsigned char vec[FILE_SIZE / PAGE];
	int fd;

	/* One reservation; the PROT_NONE page between hot and cold keeps
	 * them two VMAs. */
	area = mmap(NULL, 2 * ANON_SIZE + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		_exit(2);
	hot = mmap(area, ANON_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	cold = mmap(area + ANON_SIZE + PAGE, ANON_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	fd = open(file, O_RDONLY);
	fmap = fd < 0 ? MAP_FAILED : mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (hot == MAP_FAILED || cold == MAP_FAILED || fmap == MAP_FAILED)
		_exit(2);
	touch(hot, ANON_SIZE);
	touch(cold, ANON_SIZE);
	(void)read_all(fmap, FILE_SIZE);
	l.hot = (uintptr_t)hot;
	l.cold = (uintptr_t)cold;
	l.file = (uintptr_t)fmap;
	xwrite(ack, &l, sizeof(l));
	while (xread(cmd, &c, 1) == 0) {
		if (c == 'h') {
			touch(hot, ANON_SIZE);
			xwrite(ack, "k", 1);
		} else if (c == 'g') {
			char *more = mmap(NULL, GROW_SIZE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (more != MAP_FAILED)
				touch(more, GROW_SIZE);
			xwrite(ack, "k", 1);
		} else if (c == 'm') {
			uint64_t n = 0;

			if (mincore(fmap, FILE_SIZE, vec) == 0)
				for (size_t i = 0; i < sizeof(vec); i++)
					n += vec[i] & 1;
			xwrite(ack, &n, sizeof(n));
		} else {
			break;
		}
	}
	_exit(0);
}

static int ask(char c)
{
	char k;

	xwrite(cmd_w, &c, 1);
	return xread(ack_r, &k, 1);
}

static uint64_t child_mincore(void)
{
	uint64_t n = UINT64_MAX;
	char c = 'm';

	xwrite(cmd_w, &c, 1);
	if (xread(ack_r, &n, sizeof(n)) < 0)
		return UINT64_MAX;
	return n;
}

/* ---- harvest accounting ---- */

struct tally {
	struct layout l;
	uint64_t present[3], young[3], anon[3];
	uint64_t other;
	uint64_t last_addr;
	bool ordered;
	bool aligned;
};

static int region_fn(void *ctx, const struct lrg_region *reg)
{
	struct tally *t = ctx;
	const uint64_t base[3] = { t->l.hot, t->l.cold, t->l.file };
	const uint64_t size[3] = { ANON_SIZE, ANON_SIZE, FILE_SIZE };

	if (reg->addr & (LRG_PMD_SIZE - 1))
		t->aligned = false;
	if (t->last_addr && reg->addr <= t->last_addr)
		t->ordered = false;
	t->last_addr = reg->addr;
	for (unsigned int i = 0; i < LRG_PTES_PER_PMD; i++) {
		uint64_t a = reg->addr + i * PAGE, bit = 1ULL << (i % 64);
		int w = -1;

		if (!(reg->present[i / 64] & bit))
			continue;
		for (int k = 0; k < 3; k++)
			if (a >= base[k] && a < base[k] + size[k])
				w = k;
		if (w < 0) {
			t->other++;
			continue;
		}
		t->present[w]++;
		t->young[w] += !!(reg->young[i / 64] & bit);
		t->anon[w] += !!(reg->anon[i / 64] & bit);
	}
	return 0;
}

static int do_harvest(struct lrg_backend *b, const struct lrg_mm_info *mm,
		      const struct lrg_range *ranges, size_t n, unsigned int flags,
		      struct tally *t, struct lrg_walk_stats *st)
{
	struct lrg_harvest_req req = {
		.mm = mm, .memcg_id = mm->memcg_id, .ranges = ranges, .nr_ranges = n, .flags = flags,
	};
	struct layout l = t->l;

	memset(t, 0, sizeof(*t));
	t->l = l;
	t->ordered = t->aligned = true;
	memset(st, 0, sizeof(*st));
	return b->ops->harvest(b, &req, region_fn, t, st);
}

/* ---- list_mms ---- */

struct mms {
	pid_t want;
	struct lrg_mm_info found;
	int nfound;
	int n;
	int kthreads;
	int dup_keys;
	uint64_t keys[65536];
	pid_t self, sharer;
	int self_or_sharer;
};

static int mm_fn(void *ctx, const struct lrg_mm_info *mm)
{
	struct mms *m = ctx;
	struct lrg_proc_stat st;

	if (mm->pid == m->want) {
		m->found = *mm;
		m->nfound++;
	}
	if (mm->pid == m->self || mm->pid == m->sharer)
		m->self_or_sharer++;
	if (lrg_procfs_read_stat("/proc", mm->pid, &st) == 0 && lrg_proc_stat_is_kthread(&st))
		m->kthreads++;
	for (int i = 0; i < m->n && i < 65536; i++)
		if (m->keys[i] == mm->mm_key)
			m->dup_keys++;
	if (m->n < 65536)
		m->keys[m->n] = mm->mm_key;
	m->n++;
	return 0;
}

static int memcg_fn(void *ctx, const struct lrg_memcg_info *mi)
{
	int *n = ctx;

	(*n)++;
	return 0;
}

/* A process whose leader left by pthread_exit: its other thread maps and
 * touches GROW_SIZE, says so on ack, and waits for cmd to close. */
static int leaderless_cmd, leaderless_ack;

static void *leaderless_thread(void *arg)
{
	char *p = mmap(NULL, GROW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	if (p != MAP_FAILED)
		touch(p, GROW_SIZE);
	xwrite(leaderless_ack, "k", 1);
	(void)xread(leaderless_cmd, &c, 1);
	_exit(0);
	return arg;
}

/* Listed like any process, with the thread's memory: left out, it would
 * be out of the OOM scan's sight. */
static void list_leaderless(struct lrg_backend *b)
{
	static struct mms lm;
	int cmd[2], ack[2], r;
	pthread_t t;
	pid_t pid;
	char k;

	if (pipe(cmd) < 0 || pipe(ack) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		leaderless_cmd = cmd[0];
		leaderless_ack = ack[1];
		if (pthread_create(&t, NULL, leaderless_thread, NULL) != 0)
			_exit(2);
		pthread_exit(NULL);
	}
	close(cmd[0]);
	close(ack[1]);
	if (pid < 0 || read(ack[0], &k, 1) != 1) {
		ok(0, "a process whose leader left by pthread_exit started");
		return;
	}
	usleep(100000);   /* the leader's exit, after the thread's ack */
	lm.want = pid;
	r = b->ops->list_mms(b, LRG_ROOT_MEMCG, mm_fn, &lm);
	ok(r == 0 && lm.nfound == 1 && lm.found.nr_anon >= GROW_SIZE / PAGE * 3 / 4,
	   "a process whose leader left by pthread_exit is listed, with its thread's %" PRIu64
	   " anon pages (%d)", lm.found.nr_anon, lm.nfound);
	close(cmd[1]);
	close(ack[0]);
	waitpid(pid, NULL, 0);
}

/* A listing that follows the child's growth: its status is read again
 * once its size in stat changed (status_memo.h). */
static void list_again_grown(struct lrg_backend *b, struct mms *m)
{
	uint64_t before = m->found.nr_anon;
	int r;

	if (ask('g') < 0) {
		ok(0, "child grew by %d MiB", (int)(GROW_SIZE / MiB));
		return;
	}
	m->nfound = 0;
	m->n = 0;
	r = b->ops->list_mms(b, LRG_ROOT_MEMCG, mm_fn, m);
	ok(r == 0 && m->nfound == 1 && m->found.nr_anon >= before + GROW_SIZE / PAGE * 3 / 4,
	   "listed again after it grew: %" PRIu64 " anon pages, %" PRIu64 " before", m->found.nr_anon,
	   before);
}

static char sharer_stack[64 * 1024] __attribute__((aligned(16)));
static int sharer_pipe[2];

static int sharer_main(void *arg)
{
	char c;

	/* shares our mm (CLONE_VM without CLONE_THREAD): wait, then leave */
	(void)arg;
	/* no CLONE_FILES: our copy of the write end must go, or no EOF */
	close(sharer_pipe[1]);
	while (read(sharer_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static int make_file(char *path, size_t size)
{
	const char *dirs[] = { getenv("TMPDIR"), getenv("top_builddir"), "/var/tmp", "." };
	char buf[65536];
	struct statfs sfs;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd;

		/* tmpfs pages are shmem: MADV_PAGEOUT would need swap */
		if (!dirs[i] || statfs(dirs[i], &sfs) < 0 || sfs.f_type == 0x01021994)
			continue;
		snprintf(path, size, "%s/lrg-host-XXXXXX", dirs[i]);
		fd = mkstemp(path);
		if (fd < 0)
			continue;
		for (size_t off = 0; off < FILE_SIZE; off += sizeof(buf)) {
			memset(buf, (int)(off >> 16) | 1, sizeof(buf));
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
				close(fd);
				unlink(path);
				return -1;
			}
		}
		/* clean pages: reclaim can drop them without writeback */
		fsync(fd);
		close(fd);
		return 0;
	}
	return -1;
}

int main(void)
{
	struct lrg_backend *b = NULL;
	struct lrg_walk_stats ws;
	struct lrg_pressure pr, pr2;
	struct lrg_meminfo mi;
	struct lrg_mm_info mm, wrong;
	struct tally t;
	static struct mms m;
	struct layout l;
	char why[256] = "", file[4096];
	int cmd[2], ack[2], status, r, nmemcg = 0;
	uint64_t pages, before, after, reclaimed;
	pid_t child, sharer;

	if (geteuid() != 0) {
		skip("not root: clear_refs, pagemap and process_madvise of another process need it");
		return tap_done();
	}
	r = lrg_proc_backend_open("/proc", NULL, &b, why, sizeof(why));
	ok(r == 0 && b, "proc backend opens (%d %s)", r, why);
	if (r < 0)
		return tap_done();
	diag("caps %#x: %s", b->caps, b->ops->accuracy);
	ok(lrg_backend_has(b, LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_KILL) &&
	   !lrg_backend_has(b, LRG_CAP_KERNEL_GENS) && !b->ops->read_gens,
	   "caps: harvest, evict, kill; no kernel gens");
	r = b->ops->list_memcgs(b, memcg_fn, &nmemcg);
	ok(r == 0 && nmemcg >= 1, "list_memcgs: %d domain(s)", nmemcg);

	r = b->ops->measure(b, LRG_ROOT_MEMCG, &pr);
	ok(r == 0 && lrg_procfs_read_meminfo("/proc", &mi) == 0 && pr.mem_total == mi.mem_total &&
	   pr.usage <= pr.mem_total && pr.limit == pr.mem_total,
	   "measure(machine): total %" PRIu64 " MiB, usage %" PRIu64 " MiB", pr.mem_total / MiB,
	   pr.usage / MiB);
	ok(pr.watermark_high >= pr.watermark_low && pr.watermark_low > 0,
	   "watermarks from zoneinfo: low %" PRIu64 " KiB high %" PRIu64 " KiB",
	   pr.watermark_low / 1024, pr.watermark_high / 1024);
	r = b->ops->measure(b, LRG_ROOT_MEMCG, &pr2);
	ok(r == 0 && pr2.now_ms >= pr.now_ms,
	   "now_ms monotonic: %" PRIu64 " -> %" PRIu64, pr.now_ms, pr2.now_ms);

	if (make_file(file, sizeof(file)) < 0) {
		skip("no disk-backed directory for the file mapping");
		b->ops->destroy(b);
		return tap_done();
	}
	if (pipe(cmd) < 0 || pipe(ack) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		close(cmd[1]);
		close(ack[0]);
		child_main(cmd[0], ack[1], file);
	}
	close(cmd[0]);
	close(ack[1]);
	cmd_w = cmd[1];
	ack_r = ack[0];
	if (xread(ack_r, &l, sizeof(l)) < 0) {
		ok(0, "child set up its mappings");
		goto out;
	}
	unlink(file);
	memset(&t, 0, sizeof(t));
	t.l = l;

	/* a CLONE_VM sharer of this process */
	if (pipe(sharer_pipe) < 0)
		return 1;
	sharer = clone(sharer_main, sharer_stack + sizeof(sharer_stack), CLONE_VM | SIGCHLD, NULL);
	ok(sharer > 0, "CLONE_VM sharer started (%d)", (int)sharer);

	m.want = child;
	m.self = getpid();
	m.sharer = sharer;
	r = b->ops->list_mms(b, LRG_ROOT_MEMCG, mm_fn, &m);
	if (b->caps & LRG_CAP_MEMCG) {
		skip("cgroup2 memory controller: the child is listed under its own memcg");
	} else {
		ok(r == 0 && m.nfound == 1, "list_mms finds the child once (%d, %d)", r, m.nfound);
		ok(m.kthreads == 0 && m.n > 2, "no kernel threads among %d mms", m.n);
		ok(m.dup_keys == 0, "mm_keys unique");
		ok(m.self_or_sharer == 1, "this process and its CLONE_VM sharer: one mm (%d)",
		   m.self_or_sharer);
		ok(m.found.nr_anon >= 2 * ANON_SIZE / PAGE && m.found.nr_file >= FILE_SIZE / PAGE,
		   "child: %" PRIu64 " anon, %" PRIu64 " file pages", m.found.nr_anon, m.found.nr_file);
		list_again_grown(b, &m);
		list_leaderless(b);
	}
	if (sharer > 0) {
		close(sharer_pipe[1]);
		waitpid(sharer, NULL, 0);
	}
	if (m.nfound != 1) {
		struct lrg_proc_stat st;

		/* build it by hand so the rest still runs */
		memset(&m.found, 0, sizeof(m.found));
		m.found.pid = child;
		if (lrg_procfs_read_stat("/proc", child, &st) == 0)
			m.found.start_time = st.starttime;
	}
	mm = m.found;

	/* 1. everything was touched: all young, then cleared */
	r = do_harvest(b, &mm, NULL, 0, 0, &t, &ws);
	ok(r == 0 && ws.status == LRG_HARVEST_COMPLETE, "harvest 1 complete (%d, %u)", r, ws.status);
	ok(t.present[0] == ANON_SIZE / PAGE && t.present[1] == ANON_SIZE / PAGE &&
	   t.present[2] == FILE_SIZE / PAGE, "all pages present: %" PRIu64 "/%" PRIu64 "/%" PRIu64,
	   t.present[0], t.present[1], t.present[2]);
	ok(t.present[0] && t.young[0] == t.present[0] && t.young[1] == t.present[1],
	   "harvest 1: both anon VMAs young");
	ok(t.present[2] && t.anon[0] == t.present[0] && t.anon[2] == 0,
	   "anon bits: anon VMA anon, shared file not");
	ok(t.ordered && t.aligned, "regions PMD-aligned, ascending");
	ok(ws.pte_total == ws.pte_young + ws.pte_old && ws.pte_total >= t.present[0] + t.present[1],
	   "walk stats add up: t=%" PRIu64 " y=%" PRIu64 " o=%" PRIu64, ws.pte_total, ws.pte_young,
	   ws.pte_old);

	/* 2. only the hot VMA is touched */
	ok(ask('h') == 0, "child touched the hot VMA");
	r = do_harvest(b, &mm, NULL, 0, 0, &t, &ws);
	ok(r == 0 && t.young[0] == ANON_SIZE / PAGE,
	   "harvest 2: hot VMA young (%" PRIu64 " pages)", t.young[0]);
	ok(t.young[1] == 0 && t.present[1] == ANON_SIZE / PAGE,
	   "harvest 2: cold VMA present and not young (%" PRIu64 " young)", t.young[1]);
	ok(t.young[2] == 0, "harvest 2: file VMA not young");
	{
		struct lrg_range cold = { l.cold, l.cold + ANON_SIZE };

		r = do_harvest(b, &mm, &cold, 1, 0, &t, &ws);
		ok(r == 0 && t.present[0] == 0 && t.present[1] == ANON_SIZE / PAGE && t.other == 0,
		   "ranges limit the harvest to the cold VMA");
		r = do_harvest(b, &mm, NULL, 0, LRG_HARVEST_NO_ANON, &t, &ws);
		ok(r == 0 && t.present[0] == 0 && t.present[1] == 0 && t.present[2] == FILE_SIZE / PAGE,
		   "NO_ANON: only file pages reported");
	}

	/* pid reuse: a wrong start time is another process */
	wrong = mm;
	wrong.start_time++;
	r = do_harvest(b, &wrong, NULL, 0, 0, &t, &ws);
	ok(r == 0 && ws.status == LRG_HARVEST_GONE && t.present[0] == 0,
	   "harvest with a stale start time: GONE, nothing reported");
	{
		struct lrg_range fr = { l.file, l.file + FILE_SIZE };

		pages = 12345;
		r = b->ops->evict(b, &wrong, &fr, 1, &pages);
		ok(r == -ESRCH && pages == 12345, "evict with a stale start time: -ESRCH, output untouched");
	}
	{
		struct lrg_kill_req kr = { .pid = child, .start_time = mm.start_time + 1 };

		r = b->ops->kill(b, &kr);
		ok(r == -ESRCH && kill(child, 0) == 0, "kill with a stale start time: -ESRCH, child alive");
	}

	/* 3. eviction */
	{
		struct lrg_range cold = { l.cold, l.cold + ANON_SIZE };

		r = lrg_procfs_read_meminfo("/proc", &mi);
		pages = UINT64_MAX;
		r = b->ops->evict(b, &mm, &cold, 1, &pages);
		if (mi.swap_total == 0)
			ok(r == 0 && pages == 0,
			   "no swap: MADV_PAGEOUT cannot free anon, evict reports 0 (%d, %" PRIu64 ")", r,
			   pages);
		else
			ok(r == 0 && pages <= ANON_SIZE / PAGE, "with swap: %" PRIu64 " anon pages out",
			   pages);
	}
	{
		struct lrg_range fr[2] = {
			{ l.file, l.file + FILE_SIZE / 2 },
			{ l.file + FILE_SIZE / 2, l.file + FILE_SIZE },
		};

		before = child_mincore();
		pages = 0;
		r = b->ops->evict(b, &mm, fr, 2, &pages);
		after = child_mincore();
		ok(before == FILE_SIZE / PAGE, "file resident before: %" PRIu64 " pages", before);
		ok(r == 0 && pages >= FILE_SIZE / PAGE * 9 / 10,
		   "evict(file range): %" PRIu64 " pages reported freed (%d)", pages, r);
		ok(after <= FILE_SIZE / PAGE / 10,
		   "child's mincore: %" PRIu64 " of %" PRIu64 " pages still resident", after,
		   FILE_SIZE / PAGE);
	}
	reclaimed = 0;
	r = b->ops->reclaim(b, LRG_ROOT_MEMCG, 4096, &reclaimed);
	if (b->caps & LRG_CAP_RECLAIM)
		ok(r == 0, "reclaim on the root memcg (%d): %" PRIu64 " bytes", r, reclaimed);
	else
		ok(r == -EOPNOTSUPP || r == -ENOENT, "no memory.reclaim here: %d", r);

	/* kill: the real one */
	{
		struct lrg_kill_req kr = { .pid = child, .start_time = mm.start_time, .release = true };

		r = b->ops->kill(b, &kr);
		ok(r == 0, "kill with the right start time (%d)", r);
		ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status) &&
		   WTERMSIG(status) == SIGKILL, "child died of SIGKILL");
		child = 0;
		r = do_harvest(b, &mm, NULL, 0, 0, &t, &ws);
		ok(r == 0 && ws.status == LRG_HARVEST_GONE, "harvest after exit: GONE");
	}
out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	unlink(file);
	b->ops->destroy(b);
	return tap_done();
}
