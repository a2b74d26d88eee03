// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmod-test.c - tests of lrugen.ko run inside the QEMU guest (tests/vm).
 *
 *   lrg-kmod-test MODE [ARGS]
 *     correctness    anon, file (9p page cache), shmem and THP memory of a
 *                    child: harvest reports exactly the touched pages young
 *     memcg DIR      pages charged to another memory cgroup are never
 *                    reported (DIR: a writable cgroup2 directory)
 *     bump           young pages become referenced/active in /proc/kpageflags
 *     contention     an mprotect storm holds the mmap lock: CONTENDED, fast
 *     race           the target exits during harvests: clean errors only
 *     pidfd          harvest by pidfd (anon inode, or pidfs from 6.9); other
 *                    fds EBADF, exited process ESRCH
 *     compact        LRUGEN_F_COMPACT on the wire and decoded by the client
 *                    (same regions as full bitmaps, no false negatives),
 *                    LRUGEN_F_YOUNG_TABLES skips untouched PTE tables only
 *     memcg2 DIR     pidfd and cgroup fd looked up at send time even when the
 *                    dump's first step runs from recvmsg(); YOUNG_TABLES
 *                    for one memcg keeps another's young tables visible
 *     resume         a YOUNG_TABLES harvest resumed inside a PTE table (after
 *                    PARTIAL at a VMA boundary within a PMD) reports every
 *                    young page of the rest of that table
 *     pidreuse       the kmod backend never harvests a process that took
 *                    the pid of the one it was asked for (pidfd)
 *     pidfdfallback  (with a module that knows no pidfs: LRUGEN_TEST_NO_PIDFS)
 *                    the kmod backend falls back to pid and start time when
 *                    the module refuses its pidfd, and drops a harvest
 *                    during which the pid was reused
 *     harvestone     HARVEST_ONE (ABI 4): the same young pages as the dump,
 *                    one reply message; a reply that would not fit stops
 *                    with MORE and the dump from NEXT_ADDR does the rest
 *                    (each region once); bad requests refused with extack;
 *                    unread messages on the socket refused before the walk
 *     filekinds      the anon bit of every page of file VMAs, old and young:
 *                    clear for a read-only private mapping, set for shmem,
 *                    exactly the COWed pages of a private one written to
 *     badinput       malformed requests get the documented errno and extack
 *     ptrace PID     (as a non-root user with CAP_NET_ADMIN only) another
 *                    user's process PID and a non-dumpable one of ours are
 *                    EPERM, an ordinary one of ours is harvested
 *     yield          a writer waiting for the target's mmap lock: the walk
 *                    lets go (LRUGEN_C_YIELDED), stops CONTENDED with
 *                    NEXT_ADDR, and the resumed harvests report every page
 *                    once; the writer's longest wait
 *     reload SECS    for SECS seconds, HARVEST dumps through the library
 *                    (reopened when the family is gone) and harvests
 *                    through the kmod backend (never reopened) while the
 *                    guest script unloads and reloads lrugen.ko: only
 *                    ENOENT while it is gone, the backend works again after
 *     dumprmmod      rmmod while a HARVEST dump is open (its reader holds it
 *                    between two reads): EBUSY, the dump ends whole, then
 *                    rmmod works and the family is gone ($LRG_KO loaded
 *                    again afterwards)
 *     collapse       harvests racing MADV_COLLAPSE of the target's shmem
 *                    (file THP: PTE tables retracted without the mmap lock
 *                    from 6.6): no error, clean kernel log
 *     eperm          without CAP_NET_ADMIN every command fails with EPERM
 *     fuzz N         N random and mutated messages; INFO still works after
 *     absent         (on the host) open fails with -ENOENT and says why
 *
 * The toucher is a child process: x86 sets an accessed bit only when it
 * walks the page table, so a TLB entry cached since the harvest hides a
 * touch. Under TCG every context switch (CR3 write) empties the TLB, and the
 * child always sleeps on a pipe while the parent harvests.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include "backend_kmod.h"
#include "tap.h"

#define MIB (1UL << 20)
#define PAGE 4096UL

/* ---- the toucher child ---- */

enum area_kind { AREA_ANON, AREA_FILE, AREA_SHMEM, AREA_THP, NR_AREAS };
static const char *const area_name[NR_AREAS] = { "anon", "file", "shmem", "thp" };

struct ctl {
	uintptr_t base[NR_AREAS];
	size_t npages[NR_AREAS];
	unsigned int nr_touch;
	uint32_t touch[16384];		/* area << 24 | page index */
	uintptr_t split_addr;		/* 'd': madvise(MADV_DONTDUMP) here, a VMA of its own */
	size_t split_len;
	int split_err;			/* ... and its errno */
	volatile uint64_t sink;
};

static struct ctl *ctl;
static int to_child[2], to_parent[2];
static pid_t child;

static size_t area_size[NR_AREAS] = { 8 * MIB, 4 * MIB, 4 * MIB, 4 * MIB };
static const char *file_path;

static void *map_area(enum area_kind k)
{
	void *p = MAP_FAILED;
	int fd;

	switch (k) {
	case AREA_ANON:
		p = mmap(NULL, area_size[k], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			madvise(p, area_size[k], MADV_NOHUGEPAGE);
		break;
	case AREA_FILE:
		fd = open(file_path, O_RDONLY);
		if (fd < 0)
			return NULL;
		p = mmap(NULL, area_size[k], PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (p != MAP_FAILED)
			madvise(p, area_size[k], MADV_NORMAL);
		break;
	case AREA_SHMEM:
		fd = memfd_create("lrg-shmem", 0);
		if (fd < 0 || ftruncate(fd, (off_t)area_size[k]))
			return NULL;
		p = mmap(NULL, area_size[k], PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		break;
	case AREA_THP: {
		/* 2 MiB aligned so that a PMD can map it */
		char *q = mmap(NULL, area_size[k] + 2 * MIB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q == MAP_FAILED)
			return NULL;
		p = (void *)(((uintptr_t)q + 2 * MIB - 1) & ~(2 * MIB - 1));
		madvise(p, area_size[k], MADV_HUGEPAGE);
		break;
	}
	default:
		break;
	}
	return p == MAP_FAILED ? NULL : p;
}

static void touch_page(enum area_kind k, size_t i)
{
	volatile char *p = (volatile char *)(ctl->base[k] + i * PAGE);

	if (k == AREA_FILE)
		ctl->sink += *p;
	else
		*p = (char)(i + 1);
}

/* The child's loop: one byte per command, one byte back when done. */
static void child_main(void)
{
	char c;
	int k;

	for (k = 0; k < NR_AREAS; k++) {
		void *p = map_area((enum area_kind)k);

		ctl->base[k] = (uintptr_t)p;
		ctl->npages[k] = p ? area_size[k] / PAGE : 0;
	}
	while (read(to_child[0], &c, 1) == 1) {
		unsigned int i;

		if (c == 'q') {
			if (write(to_parent[1], &c, 1) != 1)
				break;
			break;
		}
		if (c == 'a') {		/* touch everything */
			for (k = 0; k < NR_AREAS; k++)
				for (i = 0; i < ctl->npages[k]; i++)
					touch_page((enum area_kind)k, i);
		} else if (c == 't') {	/* touch the list */
			for (i = 0; i < ctl->nr_touch; i++)
				touch_page((enum area_kind)(ctl->touch[i] >> 24), ctl->touch[i] & 0xffffff);
		} else if (c == 'd') {	/* split the anon area's VMA */
			ctl->split_err = madvise((void *)ctl->split_addr, ctl->split_len,
						 MADV_DONTDUMP) ? errno : 0;
		} else if (c == 'w') {	/* COW the listed pages of the file area */
			ctl->split_err = 0;
			if (mprotect((void *)ctl->base[AREA_FILE], ctl->npages[AREA_FILE] * PAGE,
				     PROT_READ | PROT_WRITE))
				ctl->split_err = errno;
			for (i = 0; !ctl->split_err && i < ctl->nr_touch; i++)
				if ((ctl->touch[i] >> 24) == AREA_FILE)
					*(volatile char *)(ctl->base[AREA_FILE] +
							   (ctl->touch[i] & 0xffffff) * PAGE) = 1;
		} else if (c == 'c') {	/* move to the cgroup whose procs file is in ctl */
			/* handled by the parent writing our pid: nothing to do */
		}
		if (write(to_parent[1], &c, 1) != 1)
			break;
	}
	_exit(0);
}

static int child_cmd(char c)
{
	char r;

	if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &r, 1) != 1)
		return -EIO;
	return 0;
}

static int child_start(void)
{
	cpu_set_t one;

	/*
	 * Parent and child on one CPU: every switch between them loads the
	 * other's CR3, which empties TCG's TLB. On two CPUs the child's CPU
	 * may idle lazily with its TLB intact, and a touch through a cached
	 * entry sets no accessed bit (MGLRU has the same blind spot).
	 */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED || pipe(to_child) || pipe(to_parent))
		return -errno;
	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		close(to_child[1]);
		close(to_parent[0]);
		child_main();
	}
	close(to_child[0]);
	close(to_parent[1]);
	return child_cmd('n');	/* areas mapped */
}

/* The toucher child with its anonymous area alone: no file, shmem or THP area. */
static int child_start_anon(void)
{
	area_size[AREA_FILE] = 0;
	area_size[AREA_SHMEM] = 0;
	area_size[AREA_THP] = 0;
	return child_start();
}

static void child_stop(void)
{
	if (child > 0) {
		child_cmd('q');
		waitpid(child, NULL, 0);
		child = 0;
	}
}

/* ---- collecting a harvest ---- */

struct seen {
	uint8_t *present[NR_AREAS];
	uint8_t *young[NR_AREAS];
	uint8_t *anon[NR_AREAS];
	bool huge_thp;
	unsigned int regions, outside_young;
};

static void seen_reset(struct seen *s)
{
	int k;

	for (k = 0; k < NR_AREAS; k++) {
		size_t n = ctl->npages[k] ? ctl->npages[k] : 1;

		free(s->present[k]);
		free(s->young[k]);
		free(s->anon[k]);
		s->present[k] = calloc(n, 1);
		s->young[k] = calloc(n, 1);
		s->anon[k] = calloc(n, 1);
	}
	s->huge_thp = false;
	s->regions = 0;
	s->outside_young = 0;
}

/* When set, on_region() also records each region's address and present pages, in order. */
static uint64_t rec_addr[8192];
static unsigned int rec_pres[8192];
static unsigned int rec_n;
static bool rec_on;

static int on_region(void *arg, const struct lrg_region *r)
{
	struct seen *s = arg;
	unsigned int i;
	int k;

	if (rec_on && rec_n < sizeof(rec_addr) / sizeof(rec_addr[0])) {
		rec_pres[rec_n] = 0;
		for (i = 0; i < LRG_REGION_WORDS; i++)
			rec_pres[rec_n] += (unsigned int)__builtin_popcountll(r->present[i]);
		rec_addr[rec_n++] = r->addr;
	}
	s->regions++;
	for (i = 0; i < LRG_PTES_PER_PMD; i++) {
		uint64_t addr = r->addr + i * PAGE;
		bool p = r->present[i / 64] >> (i % 64) & 1;
		bool y = r->young[i / 64] >> (i % 64) & 1;
		bool a = r->anon[i / 64] >> (i % 64) & 1;
		bool mine = false;

		for (k = 0; k < NR_AREAS; k++) {
			if (!ctl->base[k] || addr < ctl->base[k] ||
			    addr >= ctl->base[k] + ctl->npages[k] * PAGE)
				continue;
			mine = true;
			s->present[k][(addr - ctl->base[k]) / PAGE] = p;
			s->young[k][(addr - ctl->base[k]) / PAGE] = y;
			s->anon[k][(addr - ctl->base[k]) / PAGE] = a;
			if (k == AREA_THP && r->huge)
				s->huge_thp = true;
		}
		if (!mine && y)
			s->outside_young++;
	}
	return 0;
}

static struct lrg_kmod *kmod;

static int harvest(struct seen *s, uint64_t cgroup_id, unsigned int flags,
		   struct lrg_walk_stats *ret_stats)
{
	struct lrg_kmod_harvest_args a = {
		.pid = child, .cgroup_id = cgroup_id, .cgroup_fd = -1, .flags = flags,
	};
	struct lrg_walk_stats st;
	uint64_t next;
	int ret;

	seen_reset(s);
	ret = lrg_kmod_harvest(kmod, &a, on_region, s, &st, &next);
	if (!ret && ret_stats)
		*ret_stats = st;
	if (ret)
		diag("harvest: %s", lrg_kmod_errmsg(kmod));
	return ret;
}

static unsigned int count(const uint8_t *v, size_t n)
{
	unsigned int c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += v[i] != 0;
	return c;
}

/* Touch a random subset of the PTE-mapped areas; expect[k][i] says which. */
static void touch_random(uint8_t **expect, unsigned int percent)
{
	int k;
	size_t i;

	ctl->nr_touch = 0;
	for (k = 0; k < NR_AREAS; k++) {
		memset(expect[k], 0, ctl->npages[k]);
		if (k == AREA_THP)
			continue;
		for (i = 0; i < ctl->npages[k]; i++) {
			if ((unsigned int)(rand() % 100) >= percent)
				continue;
			if (ctl->nr_touch >= sizeof(ctl->touch) / sizeof(ctl->touch[0]))
				break;
			expect[k][i] = 1;
			ctl->touch[ctl->nr_touch++] = (uint32_t)k << 24 | (uint32_t)i;
		}
	}
	child_cmd('t');
}

/* Compare young bits with the expectation; print what differs. */
static bool young_matches(struct seen *s, uint8_t **expect, int k, unsigned int *ret_missed,
			  unsigned int *ret_extra)
{
	unsigned int missed = 0, extra = 0;
	size_t i;

	for (i = 0; i < ctl->npages[k]; i++) {
		if (expect[k][i] && !s->young[k][i])
			missed++;
		if (!expect[k][i] && s->young[k][i])
			extra++;
	}
	*ret_missed = missed;
	*ret_extra = extra;
	return !missed && !extra;
}

static int test_correctness(void)
{
	struct seen s = { 0 };
	struct lrg_walk_stats st;
	uint8_t *expect[NR_AREAS];
	unsigned int missed, extra, i;
	int k, round;

	if (child_start()) {
		ok(0, "start the toucher child");
		return 1;
	}
	for (k = 0; k < NR_AREAS; k++)
		expect[k] = calloc(ctl->npages[k] ? ctl->npages[k] : 1, 1);
	ok(ctl->base[AREA_ANON] && ctl->base[AREA_FILE] && ctl->base[AREA_SHMEM] && ctl->base[AREA_THP],
	   "child mapped anon, file (%s), shmem and THP areas", file_path);

	child_cmd('a');
	ok(harvest(&s, 0, LRUGEN_F_NO_BUMP, &st) == 0, "first harvest of the child succeeds");
	for (k = 0; k < NR_AREAS; k++) {
		ok(count(s.present[k], ctl->npages[k]) == ctl->npages[k],
		   "first harvest: all %zu %s pages present (got %u)", ctl->npages[k], area_name[k],
		   count(s.present[k], ctl->npages[k]));
		ok(count(s.young[k], ctl->npages[k]) == ctl->npages[k],
		   "first harvest: all %s pages young after touching all (got %u)", area_name[k],
		   count(s.young[k], ctl->npages[k]));
	}
	ok(count(s.anon[AREA_ANON], ctl->npages[AREA_ANON]) == ctl->npages[AREA_ANON] &&
	   count(s.anon[AREA_SHMEM], ctl->npages[AREA_SHMEM]) == ctl->npages[AREA_SHMEM] &&
	   count(s.anon[AREA_FILE], ctl->npages[AREA_FILE]) == 0,
	   "anon bits: anon and shmem set, file clear");
	ok(s.huge_thp, "THP area reported as a huge region");
	diag("stats: pte_total %" PRIu64 " young %" PRIu64 " old %" PRIu64 " pmd %" PRIu64,
	     st.pte_total, st.pte_young, st.pte_old, st.pmd_total);

	for (round = 0; round < 3; round++) {
		unsigned int pct = round == 0 ? 30 : round == 1 ? 5 : 70;

		touch_random(expect, pct);
		ok(harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL) == 0, "round %d: harvest after touching %u%%",
		   round, pct);
		for (k = 0; k < NR_AREAS; k++) {
			bool same;

			if (k == AREA_THP)
				continue;
			same = young_matches(&s, expect, k, &missed, &extra);
			ok(same,
			   "round %d: %s: exactly the %u touched pages young (missed %u, extra %u)",
			   round, area_name[k], count(expect[k], ctl->npages[k]), missed, extra);
		}
		ok(count(s.young[AREA_THP], ctl->npages[AREA_THP]) == 0,
		   "round %d: untouched THP not young", round);

		ok(harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL) == 0, "round %d: second harvest", round);
		for (k = 0; k < NR_AREAS; k++)
			ok(count(s.young[k], ctl->npages[k]) == 0,
			   "round %d: second harvest right after: no %s page young (got %u)", round,
			   area_name[k], count(s.young[k], ctl->npages[k]));
	}

	/* one byte of a THP makes the whole region young */
	ctl->nr_touch = 1;
	ctl->touch[0] = (uint32_t)AREA_THP << 24 | 7;
	child_cmd('t');
	harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
	ok(s.huge_thp ? count(s.young[AREA_THP], 512) == 512 : s.young[AREA_THP][7] == 1,
	   "touching one byte of the THP: its region is young (%s)",
	   s.huge_thp ? "huge" : "THP not PMD-mapped: page-wise");

	/* ranges: only the anon area, half of it */
	{
		struct lrugen_range r = { ctl->base[AREA_ANON], ctl->base[AREA_ANON] + 2 * MIB };
		struct lrg_kmod_harvest_args a = { .pid = child, .cgroup_fd = -1,
			.flags = LRUGEN_F_NO_BUMP, .ranges = &r, .nr_ranges = 1 };

		int ret;

		child_cmd('a');
		seen_reset(&s);
		ret = lrg_kmod_harvest(kmod, &a, on_region, &s, &st, NULL);
		ok(ret == 0 && count(s.young[AREA_ANON], 512) == 512 &&
		   count(s.young[AREA_ANON], ctl->npages[AREA_ANON]) == 512 &&
		   count(s.present[AREA_FILE], ctl->npages[AREA_FILE]) == 0,
		   "a 2 MiB range reports that range only (young %u)",
		   count(s.young[AREA_ANON], ctl->npages[AREA_ANON]));

		/*
		 * NONLEAF: clear every non-leaf accessed bit, touch pages outside
		 * the range only, and expect exactly those through the PMD bit.
		 */
		a.flags |= LRUGEN_F_NONLEAF;
		a.nr_ranges = 0;
		a.ranges = NULL;
		ret = lrg_kmod_harvest(kmod, &a, NULL, NULL, &st, NULL);
		ctl->nr_touch = 0;
		for (i = 600; i < 700; i++)
			ctl->touch[ctl->nr_touch++] = (uint32_t)AREA_ANON << 24 | (uint32_t)i;
		child_cmd('t');
		a.nr_ranges = 1;
		a.ranges = &r;
		seen_reset(&s);
		ret = ret ?: lrg_kmod_harvest(kmod, &a, on_region, &s, &st, NULL);
		missed = 0;
		for (i = 600; i < 700; i++)
			missed += !s.young[AREA_ANON][i];
		ok(ret == 0 && !missed && count(s.young[AREA_ANON], ctl->npages[AREA_ANON]) == 100 &&
		   st.pmd_found >= 1,
		   "NONLEAF: 100 pages touched outside the range found young through the PMD bit "
		   "(missed %u, young %u, pmd young %" PRIu64 ")", missed,
		   count(s.young[AREA_ANON], ctl->npages[AREA_ANON]), st.pmd_found);

		/* work bound: PARTIAL with a resume address, and resuming completes */
		a.flags = LRUGEN_F_NO_BUMP;
		a.nr_ranges = 0;
		a.ranges = NULL;
		a.max_ptes = 1024;
		{
			uint64_t next = 0;
			int n = 0, rr;

			do {
				a.resume = next;
				rr = lrg_kmod_harvest(kmod, &a, NULL, NULL, &st, &next);
				n++;
			} while (!rr && st.status == LRG_HARVEST_PARTIAL && next && n < 10000);
			ok(!rr && n > 1 && st.status == LRG_HARVEST_COMPLETE,
			   "work bound of 1024 entries: PARTIAL, resumed %d times to COMPLETE", n);
		}
	}

	child_stop();
	return 0;
}

/*
 * A harvest resumed inside a PTE table (c2017d3): PARTIAL (the work bound)
 * stops at a VMA boundary within a PMD, after the stopped walk cleared the
 * table's non-leaf accessed bit; the resumed YOUNG_TABLES harvest must still
 * walk the rest of the table and report every young page there.
 */
static int test_resume(void)
{
	struct seen s = { 0 };
	struct lrg_walk_stats st;
	struct lrg_kmod_harvest_args a = {
		.cgroup_fd = -1, .flags = LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES,
	};
	uintptr_t pmd, end;
	uint64_t next = 0;
	unsigned int first, rest, after, i;
	size_t at;
	int ret;

	if (!(lrg_kmod_get_info(kmod)->caps & LRUGEN_CAP_NONLEAF_YOUNG)) {
		skip("resume inside a PTE table: no accessed bit in non-leaf PMD entries here");
		return 0;
	}
	if (child_start()) {
		ok(0, "start the toucher child");
		return 1;
	}
	a.pid = child;
	/* a PTE table of the anon area (8 MiB, no THP) whose second half is a VMA of its own */
	pmd = (ctl->base[AREA_ANON] + 2 * MIB - 1) & ~(2 * MIB - 1);
	end = ctl->base[AREA_ANON] + ctl->npages[AREA_ANON] * PAGE;
	at = (pmd - ctl->base[AREA_ANON]) / PAGE;
	ctl->split_addr = pmd + MIB;
	ctl->split_len = MIB;
	if (!ok(ctl->base[AREA_ANON] && pmd + 4 * MIB <= end && child_cmd('d') == 0 &&
		!ctl->split_err,
		"anon area split at %#lx, 1 MiB into the PTE table at %#lx",
		(unsigned long)ctl->split_addr, (unsigned long)pmd)) {
		child_stop();
		return 1;
	}

	/* every accessed bit cleared (the tables' too), then every page touched */
	child_cmd('a');
	ret = lrg_kmod_harvest(kmod, &a, NULL, NULL, &st, NULL);
	child_cmd('a');

	/* from the table, 256 entries: the walk stops where the second VMA starts */
	seen_reset(&s);
	a.resume = pmd;
	a.max_ptes = 256;
	if (!ret)
		ret = lrg_kmod_harvest(kmod, &a, on_region, &s, &st, &next);
	for (first = 0, i = 0; i < 256; i++)
		first += s.young[AREA_ANON][at + i];
	ok(ret == 0 && st.status == LRG_HARVEST_PARTIAL && next == pmd + MIB && first == 256,
	   "work bound of 256 entries from %#lx: PARTIAL at %#" PRIx64 " (the VMA boundary "
	   "within the table), %u of its 256 young pages reported",
	   (unsigned long)pmd, next, first);

	/* resumed there: the table's bit is clear now, its second half young all the same */
	seen_reset(&s);
	a.resume = next;
	a.max_ptes = 0;
	ret = lrg_kmod_harvest(kmod, &a, on_region, &s, &st, &next);
	for (rest = 0, i = 256; i < 512; i++)
		rest += s.young[AREA_ANON][at + i];
	for (after = 0, i = 512; at + i < ctl->npages[AREA_ANON]; i++)
		after += s.young[AREA_ANON][at + i];
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && rest == 256,
	   "YOUNG_TABLES harvest resumed inside the table: %u of the 256 young pages of its "
	   "rest reported (no false negatives)", rest);
	ok(ret == 0 && after == ctl->npages[AREA_ANON] - at - 512,
	   "... and all %u young pages of the anon area after the table (got %u)",
	   (unsigned int)(ctl->npages[AREA_ANON] - at - 512), after);

	child_stop();
	return 0;
}

/* ---- memcg ---- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

static int test_memcg(const char *dir)
{
	char a[512], b[512], buf[64];
	struct seen s = { 0 };
	struct stat sa, sb;
	int fd, ret, k;

	snprintf(a, sizeof(a), "%s/lrg-a", dir);
	snprintf(b, sizeof(b), "%s/lrg-b", dir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	if (stat(a, &sa) || stat(b, &sb)) {
		ok(0, "create cgroups %s and %s", a, b);
		return 1;
	}

	/* the child faults its areas while in A, then touches anon again from B */
	area_size[AREA_THP] = 0;
	if (child_start()) {
		ok(0, "start child");
		return 1;
	}
	snprintf(buf, sizeof(buf), "%d", child);
	snprintf(a, sizeof(a), "%s/lrg-a/cgroup.procs", dir);
	ok(write_file(a, buf) == 0, "child moved to cgroup A (id %lu)", (unsigned long)sa.st_ino);
	child_cmd('a');		/* first touch: charged to A */
	snprintf(b, sizeof(b), "%s/lrg-b/cgroup.procs", dir);
	ok(write_file(b, buf) == 0, "child moved to cgroup B (id %lu)", (unsigned long)sb.st_ino);
	/* memory charged to A stays in A: new memory of the child goes to B */
	ctl->nr_touch = 0;

	ret = harvest(&s, sb.st_ino, LRUGEN_F_NO_BUMP, NULL);
	ok(ret == 0, "harvest with cgroup B");
	for (k = 0; k < NR_AREAS; k++)
		ok(count(s.present[k], ctl->npages[k]) == 0 && count(s.young[k], ctl->npages[k]) == 0,
		   "cgroup B: none of the %s pages charged to A reported (present %u)", area_name[k],
		   count(s.present[k], ctl->npages[k]));

	ret = harvest(&s, sa.st_ino, LRUGEN_F_NO_BUMP, NULL);
	ok(ret == 0 && count(s.present[AREA_ANON], ctl->npages[AREA_ANON]) == ctl->npages[AREA_ANON] &&
	   count(s.young[AREA_ANON], ctl->npages[AREA_ANON]) == ctl->npages[AREA_ANON],
	   "cgroup A: all anon pages present and young (%u)",
	   count(s.young[AREA_ANON], ctl->npages[AREA_ANON]));

	/* the same through a cgroup fd */
	snprintf(a, sizeof(a), "%s/lrg-a", dir);
	fd = open(a, O_RDONLY | O_DIRECTORY);
	{
		struct lrg_kmod_harvest_args args = { .pid = child, .cgroup_fd = fd,
						      .flags = LRUGEN_F_NO_BUMP };

		seen_reset(&s);
		child_cmd('a');
		ret = lrg_kmod_harvest(kmod, &args, on_region, &s, NULL, NULL);
		ok(ret == 0 && count(s.present[AREA_ANON], ctl->npages[AREA_ANON]) == ctl->npages[AREA_ANON],
		   "cgroup A by fd: anon pages present (%d, %u)", ret,
		   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]));
	}
	close(fd);

	child_stop();
	snprintf(a, sizeof(a), "%s/lrg-a", dir);
	snprintf(b, sizeof(b), "%s/lrg-b", dir);
	rmdir(a);
	rmdir(b);
	return 0;
}

/* ---- bump ---- */

#define KPF_REFERENCED 2
#define KPF_ACTIVE 6

static int page_flags(pid_t pid, uintptr_t addr, uint64_t *ret_flags)
{
	char path[64];
	uint64_t ent, fl;
	int fd, kfd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	kfd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0 || kfd < 0 ||
	    pread(fd, &ent, 8, (off_t)(addr / PAGE * 8)) != 8 || !(ent >> 63 & 1) ||
	    pread(kfd, &fl, 8, (off_t)((ent & ((1ULL << 55) - 1)) * 8)) != 8) {
		if (fd >= 0)
			close(fd);
		if (kfd >= 0)
			close(kfd);
		return -EIO;
	}
	close(fd);
	close(kfd);
	*ret_flags = fl;
	return 0;
}

/* Activation waits in per-CPU batches: compaction drains them (lru_add_drain_all). */
static void lru_drain(void)
{
	write_file("/proc/sys/vm/compact_memory", "1");
}

static int test_bump(void)
{
	struct seen s = { 0 };
	uint8_t *expect[NR_AREAS];
	unsigned int hot_ok = 0, cold_ok = 0, hot = 0, cold = 0, err = 0;
	struct lrg_walk_stats st;
	size_t i;
	int k;

	if (child_start_anon()) {
		ok(0, "start child");
		return 1;
	}
	for (k = 0; k < NR_AREAS; k++)
		expect[k] = calloc(ctl->npages[k] ? ctl->npages[k] : 1, 1);
	child_cmd('a');
	ok(harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL) == 0, "harvest without bump clears the fault's bits");
	touch_random(expect, 25);
	ok(harvest(&s, 0, 0, &st) == 0, "harvest with bump");
	lru_drain();
	for (i = 0; i < ctl->npages[AREA_ANON]; i++) {
		uint64_t fl;

		if (page_flags(child, ctl->base[AREA_ANON] + i * PAGE, &fl)) {
			err++;
			continue;
		}
		if (expect[AREA_ANON][i]) {
			hot++;
			hot_ok += (fl >> KPF_REFERENCED & 1) || (fl >> KPF_ACTIVE & 1);
		} else {
			cold++;
			cold_ok += !(fl >> KPF_REFERENCED & 1) && !(fl >> KPF_ACTIVE & 1);
		}
	}
	ok(!err, "kpageflags readable for every page (%u errors)", err);
	ok(hot && hot_ok == hot, "every young page referenced or active after the bump (%u of %u)",
	   hot_ok, hot);
	ok(cold && cold_ok == cold, "no untouched page referenced or active (%u of %u clean)",
	   cold_ok, cold);
	/* the child's stack and libc pages are young too */
	ok(st.pte_young >= hot, "stats: young %" PRIu64 " >= touched %u", st.pte_young, hot);

	/* BUMP command: mark the cold half accessed by range, the rest untouched */
	{
		struct lrugen_range r = { ctl->base[AREA_ANON], ctl->base[AREA_ANON] + 4 * MIB };
		struct lrg_walk_stats bst;
		unsigned int marked = 0, n = 0;
		int ret = lrg_kmod_bump(kmod, child, 0, 0, &r, 1, NULL, 0, &bst);

		ok(ret == 0, "BUMP of a 4 MiB range (%s)", ret ? lrg_kmod_errmsg(kmod) : "ok");
		lru_drain();
		for (i = 0; i < 1024; i++) {
			uint64_t fl;

			if (!page_flags(child, ctl->base[AREA_ANON] + i * PAGE, &fl)) {
				n++;
				marked += (fl >> KPF_REFERENCED & 1) || (fl >> KPF_ACTIVE & 1);
			}
		}
		ok(n == 1024 && marked == 1024, "BUMP: all 1024 pages of the range referenced or active (%u)",
		   marked);
	}
	child_stop();
	return 0;
}

/* ---- contention ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int test_contention(void)
{
	unsigned int contended = 0, complete = 0, tries;
	double worst = 0, start;
	pid_t storm;
	int ret = 0;

	if (pipe(to_parent))
		return 1;
	storm = fork();
	if (!storm) {
		/* holds mmap_lock for writing most of the time */
		size_t len = 64 * MIB;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			       -1, 0);
		char c = 'r';

		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, len, MADV_NOHUGEPAGE);
		memset(p, 1, len);
		mprotect(p, len, PROT_READ);
		mprotect(p, len, PROT_READ | PROT_WRITE);
		/* storming now: a loaded machine may take seconds to get here */
		if (write(to_parent[1], &c, 1) != 1)
			_exit(1);
		for (;;) {
			mprotect(p, len, PROT_READ);
			mprotect(p, len, PROT_READ | PROT_WRITE);
		}
	}
	close(to_parent[1]);
	{
		struct pollfd pfd = { .fd = to_parent[0], .events = POLLIN };
		char c;

		ok(poll(&pfd, 1, 60000) == 1 && read(to_parent[0], &c, 1) == 1,
		   "the mprotect storm runs");
		close(to_parent[0]);
	}
	child = storm;
	start = now_ms();
	for (tries = 0; tries < 5000 && contended < 5 && now_ms() - start < 30000; tries++) {
		struct lrg_kmod_harvest_args a = { .pid = storm, .cgroup_fd = -1, .flags = LRUGEN_F_NO_BUMP };
		struct lrg_walk_stats st;
		double t = now_ms();

		ret = lrg_kmod_harvest(kmod, &a, NULL, NULL, &st, NULL);
		t = now_ms() - t;
		if (t > worst)
			worst = t;
		if (ret)
			break;
		contended += st.status == LRG_HARVEST_CONTENDED;
		complete += st.status == LRG_HARVEST_COMPLETE;
	}
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
	child = 0;
	ok(ret == 0, "harvests during an mprotect storm succeed (%d)", ret);
	ok(contended > 0, "CONTENDED reported (%u contended, %u complete in %u tries)", contended,
	   complete, tries);
	ok(worst < 2000, "no harvest waited for the lock: slowest %.1f ms", worst);
	{
		struct lrg_kmod_info info = { 0 };

		ret = lrg_kmod_info(kmod, &info);
		ok(ret == 0 && info.counters[LRUGEN_C_CONTENDED] >= contended,
		   "INFO counts contended harvests (%" PRIu64 ")", info.counters[LRUGEN_C_CONTENDED]);
	}
	return 0;
}

/* ---- races ---- */

static int test_race(void)
{
	unsigned int i, okay = 0, gone = 0, bad = 0;

	for (i = 0; i < 40; i++) {
		pid_t p = fork();

		if (!p) {
			size_t len = 32 * MIB;
			char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			size_t j;

			for (j = 0; j < len; j += PAGE)
				m[j] = 1;
			if (i % 2)
				munmap(m, len);	/* unmap while harvests run */
			_exit(0);
		}
		for (;;) {
			struct lrg_kmod_harvest_args a = { .pid = p, .cgroup_fd = -1 };
			struct lrg_walk_stats st;
			int ret = lrg_kmod_harvest(kmod, &a, NULL, NULL, &st, NULL);

			if (ret == -ESRCH) {
				gone++;
				break;
			}
			if (ret) {
				bad++;
				diag("unexpected %d: %s", ret, lrg_kmod_errmsg(kmod));
				break;
			}
			okay++;
			if (st.status == LRG_HARVEST_GONE) {
				gone++;
				break;
			}
			if (waitpid(p, NULL, WNOHANG) == p) {
				p = 0;
				break;
			}
		}
		if (p)
			waitpid(p, NULL, 0);
	}
	ok(!bad, "target exits and unmaps during harvests: only 0/GONE/-ESRCH (%u harvests, %u gone)",
	   okay, gone);
	return 0;
}

/* ---- bad input ---- */

static int expect_err(const char *what, int want, struct lrg_kmod_harvest_args *a)
{
	int ret = lrg_kmod_harvest(kmod, a, NULL, NULL, NULL, NULL);

	ok(ret == want && (want == 0 || strchr(lrg_kmod_errmsg(kmod), ':')),
	   "%s: %s (want %s; \"%s\")", what, ret ? strerror(-ret) : "ok", strerror(-want),
	   ret ? lrg_kmod_errmsg(kmod) : "");
	return 0;
}

/* Raw send of one message; returns the errno in the ack (0 if none). */
static unsigned int raw_err_flags, raw_err_len;

static int raw_send(int fd, const void *buf, size_t len)
{
	char rb[65536];
	int err = 0, rounds = 0;

	if (send(fd, buf, len, 0) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t n;

		if (poll(&pfd, 1, rounds++ ? 200 : 2000) <= 0)
			return err ? err : -ETIMEDOUT;
		n = recv(fd, rb, sizeof(rb), 0);
		if (n <= 0)
			return -EIO;
		for (nlh = (struct nlmsghdr *)rb; NLMSG_OK(nlh, (unsigned int)n); nlh = NLMSG_NEXT(nlh, n)) {
			raw_err_flags = nlh->nlmsg_flags;
			raw_err_len = nlh->nlmsg_len;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (nlh->nlmsg_type == NLMSG_DONE)	/* the errno of a dump */
				return *(int *)NLMSG_DATA(nlh);
			if (!(nlh->nlmsg_flags & NLM_F_MULTI))
				return 0;	/* a doit reply (no ack requested) */
		}
	}
}

static int raw_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1;

	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

struct rawmsg {
	struct nlmsghdr nlh;
	struct genlmsghdr gh;
	char attrs[8192];
};

static size_t put_attr(char *p, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)p;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

static int test_badinput(void)
{
	struct lrugen_range r[LRUGEN_MAX_RANGES + 1];
	struct lrg_kmod_harvest_args a;
	unsigned int i;
	pid_t self = getpid();

	memset(&a, 0, sizeof(a));
	a.cgroup_fd = -1;

	a.pid = 0;
	expect_err("pid 0", -EINVAL, &a);
	a.pid = 2;	/* kthreadd */
	expect_err("kernel thread", -EINVAL, &a);
	a.pid = 4194303;
	expect_err("no such pid", -ESRCH, &a);
	a.pid = self;
	a.flags = 1u << 12;
	expect_err("unknown flag", -EOPNOTSUPP, &a);
	a.flags = 0;
	r[0] = (struct lrugen_range){ 0x10000 + 12, 0x20000 };
	a.ranges = r;
	a.nr_ranges = 1;
	expect_err("unaligned range", -EINVAL, &a);
	r[0] = (struct lrugen_range){ 0x20000, 0x20000 };
	expect_err("start >= end", -EINVAL, &a);
	r[0] = (struct lrugen_range){ 0xffff888000000000ULL, 0xffff888000100000ULL };
	expect_err("kernel address", -EINVAL, &a);
	r[0] = (struct lrugen_range){ 0x200000, 0x400000 };
	r[1] = (struct lrugen_range){ 0x100000, 0x300000 };
	a.nr_ranges = 2;
	expect_err("overlapping ranges", -EINVAL, &a);
	for (i = 0; i <= LRUGEN_MAX_RANGES; i++)
		r[i] = (struct lrugen_range){ (i + 1) * 0x200000ULL, (i + 1) * 0x200000ULL + PAGE };
	a.nr_ranges = LRUGEN_MAX_RANGES + 1;
	expect_err("too many ranges", -E2BIG, &a);
	a.nr_ranges = LRUGEN_MAX_RANGES;
	expect_err("the maximum number of ranges", 0, &a);
	a.nr_ranges = 0;
	a.ranges = NULL;
	a.cgroup_id = 0xdeadbeef;
	expect_err("unknown cgroup id", -ENOENT, &a);
	a.cgroup_id = 0;
	a.cgroup_fd = 0;	/* stdin is no cgroup */
	{
		int ret = lrg_kmod_harvest(kmod, &a, NULL, NULL, NULL, NULL);

		ok(ret == -EBADF || ret == -ENOTDIR || ret == -EINVAL,
		   "non-cgroup fd refused: %s (\"%s\")", strerror(-ret), lrg_kmod_errmsg(kmod));
	}
	a.cgroup_fd = -1;
	a.max_ptes = LRUGEN_MAX_PTES + 1;
	expect_err("work bound too large", -EINVAL, &a);
	a.max_ptes = 0;

	/* raw messages the client library would never build */
	{
		int fd = raw_socket();
		struct rawmsg m;
		size_t off;
		uint32_t v;
		uint64_t v64;
		int ret;

		memset(&m, 0, sizeof(m));
		m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		m.gh.cmd = LRUGEN_CMD_HARVEST;
		m.gh.version = LRUGEN_GENL_VERSION;
		v = (uint32_t)self;
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ret = raw_send(fd, &m, m.nlh.nlmsg_len);
		ok(ret == -EINVAL, "HARVEST without NLM_F_DUMP: EINVAL");
		ok(raw_err_flags & NLM_F_ACK_TLVS, "the error carries an extack message (flags %#x, len %u)",
		   raw_err_flags, raw_err_len);
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		v = 0;
		put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		ret = raw_send(fd, &m, m.nlh.nlmsg_len);
		ok(ret == -EINVAL && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST dump with pid 0: EINVAL with extack (flags %#x, len %u)", raw_err_flags, raw_err_len);
		v = (uint32_t)self;
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;

		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		v64 = self;
		off = put_attr(m.attrs, LRUGEN_A_PID, &v64, 8);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -ERANGE || raw_send(fd, &m, m.nlh.nlmsg_len) == -EINVAL,
		   "8-byte pid attribute refused (strict lengths)");

		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_STATUS, &v, 4);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -EINVAL, "reply-only attribute in a request: EINVAL");

		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_MAX + 5, &v, 4);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) < 0, "unknown attribute type refused");

		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_RANGES, r, 24);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -EINVAL, "ranges not a multiple of 16 bytes: EINVAL");

		v = 999999;
		off = put_attr(m.attrs, LRUGEN_A_PIDFD, &v, 4);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -EBADF, "pidfd that is no open fd: EBADF");
		v = (uint32_t)self;

		m.gh.cmd = LRUGEN_CMD_BUMP;
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -EINVAL, "BUMP without ranges: EINVAL");

		m.gh.cmd = 77;
		ok(raw_send(fd, &m, m.nlh.nlmsg_len) == -EOPNOTSUPP, "unknown command: EOPNOTSUPP");
		close(fd);
	}
	return 0;
}

/* ---- pidfd ---- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446
#endif

/* What a pidfd is on this kernel: pidfs from 6.9, an anon inode before. */
static const char *pidfd_kind(int pidfd)
{
	struct statfs sf;

	if (fstatfs(pidfd, &sf))
		return NULL;
	if (sf.f_type == PID_FS_MAGIC)
		return "pidfs";
	if (sf.f_type == ANON_INODE_FS_MAGIC)
		return "anon inode";
	return NULL;
}

/*
 * A HARVEST dump built by hand (the client library speaks pid only): each
 * region goes to on_region(); returns the errno of NLMSG_DONE, with the
 * extack message in raw_msg. *ret_status is the final LRUGEN_A_STATUS.
 */
static char raw_msg[256];

/* the longest run of alike regions (LRUGEN_R_COUNT) raw_harvest() saw */
static unsigned int raw_run_max;

static void raw_region(struct seen *s, const struct nlattr *nest)
{
	const char *p = (const char *)nest + NLA_HDRLEN;
	int rem = nest->nla_len - NLA_HDRLEN;
	bool sent[3] = { false, false, false }, compact = false;
	uint32_t all = 0, cnt = 1, i;
	struct lrg_region r;

	memset(&r, 0, sizeof(r));
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		const void *d = p + NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case LRUGEN_R_ADDR:
			memcpy(&r.addr, d, 8);
			break;
		case LRUGEN_R_PRESENT:
			memcpy(r.present, d, sizeof(r.present));
			sent[0] = true;
			break;
		case LRUGEN_R_YOUNG:
			memcpy(r.young, d, sizeof(r.young));
			sent[1] = true;
			break;
		case LRUGEN_R_ANON:
			memcpy(r.anon, d, sizeof(r.anon));
			sent[2] = true;
			break;
		case LRUGEN_R_HUGE:
			r.huge = true;
			break;
		case LRUGEN_R_ALL:
			memcpy(&all, d, 4);
			compact = true;
			break;
		case LRUGEN_R_COUNT:
			memcpy(&cnt, d, 4);
			break;
		}
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	/* LRUGEN_F_COMPACT: a bitmap not sent is all ones (its LRUGEN_RA_* bit) or all zeros */
	if (compact) {
		uint64_t *maps[3] = { r.present, r.young, r.anon };
		static const uint32_t bit[3] = { LRUGEN_RA_PRESENT, LRUGEN_RA_YOUNG, LRUGEN_RA_ANON };

		for (i = 0; i < 3; i++)
			if (!sent[i])
				memset(maps[i], all & bit[i] ? 0xff : 0, sizeof(r.present));
	}
	if (cnt > raw_run_max)
		raw_run_max = cnt;
	for (i = 0; i < cnt && i < 1024; i++, r.addr += LRUGEN_REGION_SIZE)
		on_region(s, &r);
}

static void raw_extack(const struct nlmsghdr *nlh, size_t skip)
{
	const char *p = (const char *)NLMSG_DATA(nlh) + skip;
	int rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)skip;

	raw_msg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(raw_msg, sizeof(raw_msg), "%.*s", a->nla_len - NLA_HDRLEN,
				 p + NLA_HDRLEN);
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
}

/* What raw_harvest_ex() saw of the replies. */
struct raw_info {
	unsigned int msgs;		/* messages with attributes (not DONE or ERROR) */
	unsigned int multi;		/* ... of them with NLM_F_MULTI */
	size_t max_len;			/* the largest recv() */
	uint64_t next;			/* LRUGEN_A_NEXT_ADDR, 0 if none */
	uint8_t cmd;			/* genl command of the last message */
};

/*
 * raw_harvest() with the command (HARVEST as a dump, HARVEST_ONE as a doit),
 * a resume address (0: none), and without resetting s if !reset.
 */
static int raw_harvest_ex(int fd, uint8_t cmd, int pid, int64_t pidfd, unsigned int flags,
			  uint64_t resume, struct seen *s, bool reset, uint32_t *ret_status,
			  struct raw_info *ri)
{
	static char rb[1 << 17];
	struct raw_info dummy;
	struct rawmsg m;
	size_t off = 0;
	uint32_t v;

	if (!ri)
		ri = &dummy;
	memset(ri, 0, sizeof(*ri));
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
	m.nlh.nlmsg_flags = NLM_F_REQUEST | (cmd == LRUGEN_CMD_HARVEST ? NLM_F_DUMP : 0);
	m.gh.cmd = cmd;
	m.gh.version = LRUGEN_GENL_VERSION;
	if (pid) {
		v = (uint32_t)pid;
		off += put_attr(m.attrs + off, LRUGEN_A_PID, &v, 4);
	}
	if (pidfd >= 0) {
		v = (uint32_t)pidfd;
		off += put_attr(m.attrs + off, LRUGEN_A_PIDFD, &v, 4);
	}
	off += put_attr(m.attrs + off, LRUGEN_A_FLAGS, &flags, 4);
	if (resume)
		off += put_attr(m.attrs + off, LRUGEN_A_RESUME_ADDR, &resume, 8);
	m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
	raw_msg[0] = 0;
	*ret_status = ~0u;
	if (s && reset)
		seen_reset(s);
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, rb, sizeof(rb), 0);
		if (n <= 0)
			return -EIO;
		if ((size_t)n > ri->max_len)
			ri->max_len = (size_t)n;
		for (nlh = (struct nlmsghdr *)rb; NLMSG_OK(nlh, (unsigned int)n); nlh = NLMSG_NEXT(nlh, n)) {
			const char *p;
			int rem;

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				raw_extack(nlh, sizeof(struct nlmsgerr));
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				raw_extack(nlh, sizeof(int));
				return *(int *)NLMSG_DATA(nlh);
			}
			ri->msgs++;
			if (nlh->nlmsg_flags & NLM_F_MULTI)
				ri->multi++;
			ri->cmd = ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
			p = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
			rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			while (rem >= NLA_HDRLEN) {
				const struct nlattr *a = (const struct nlattr *)p;

				if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
					break;
				if ((a->nla_type & NLA_TYPE_MASK) == LRUGEN_A_REGION && s)
					raw_region(s, a);
				else if (a->nla_type == LRUGEN_A_STATUS)
					memcpy(ret_status, p + NLA_HDRLEN, 4);
				else if (a->nla_type == LRUGEN_A_NEXT_ADDR)
					memcpy(&ri->next, p + NLA_HDRLEN, 8);
				rem -= NLA_ALIGN(a->nla_len);
				p += NLA_ALIGN(a->nla_len);
			}
			/* a doit's reply is the whole answer */
			if (!(nlh->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

static int raw_harvest(int fd, int pid, int64_t pidfd, unsigned int flags, struct seen *s,
		       uint32_t *ret_status)
{
	return raw_harvest_ex(fd, LRUGEN_CMD_HARVEST, pid, pidfd, flags, 0, s, true, ret_status,
			      NULL);
}

static int test_pidfd(void)
{
	struct lrg_kmod_info info = { 0 };
	struct seen s = { 0 };
	int fd = raw_socket(), pidfd, other, ret, k;
	unsigned int young, present;
	uint32_t status;

	ok(lrg_kmod_info(kmod, &info) == 0 && (info.caps & LRUGEN_CAP_PIDFD),
	   "INFO: LRUGEN_CAP_PIDFD set (caps %#x)", info.caps);

	if (child_start_anon()) {
		ok(0, "start the toucher child");
		return 1;
	}
	pidfd = pidfd_open_(child);
	if (!ok(pidfd >= 0, "pidfd_open(child %d): %s", child, pidfd >= 0 ? "ok" : strerror(errno)))
		return 1;
	ok(pidfd_kind(pidfd) != NULL, "this kernel's pidfds are %s files",
	   pidfd_kind(pidfd) ? pidfd_kind(pidfd) : "of an unknown kind");

	/* by pidfd: the child's pages, exactly as by pid */
	child_cmd('a');
	ret = raw_harvest(fd, 0, pidfd, LRUGEN_F_NO_BUMP, &s, &status);
	k = AREA_ANON;
	present = count(s.present[k], ctl->npages[k]);
	young = count(s.young[k], ctl->npages[k]);
	ok(ret == 0 && status == LRUGEN_STATUS_COMPLETE && present == ctl->npages[k] &&
	   young == ctl->npages[k],
	   "harvest by pidfd: COMPLETE, all %zu anon pages of the child present and young "
	   "(%d \"%s\", status %u, present %u, young %u)", ctl->npages[k], ret, raw_msg, status,
	   present, young);
	ret = lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .pid = child, .cgroup_fd = -1,
		.flags = LRUGEN_F_NO_BUMP }, on_region, &s, NULL, NULL);
	ok(ret == 0 && count(s.present[k], ctl->npages[k]) == ctl->npages[k] &&
	   !count(s.young[k], ctl->npages[k]),
	   "then by pid: the same process, its bits cleared by the pidfd harvest (young %u)",
	   count(s.young[k], ctl->npages[k]));

	/* pid and pidfd together: they must agree */
	child_cmd('a');
	ret = raw_harvest(fd, child, pidfd, LRUGEN_F_NO_BUMP, &s, &status);
	ok(ret == 0 && count(s.young[k], ctl->npages[k]) == ctl->npages[k],
	   "pid and pidfd of the same process: accepted (%d \"%s\")", ret, raw_msg);
	ret = raw_harvest(fd, getpid(), pidfd, LRUGEN_F_NO_BUMP, NULL, &status);
	ok(ret == -EINVAL && raw_msg[0], "pid and pidfd of different processes: EINVAL (\"%s\")",
	   raw_msg);

	/* anything else than a pidfd: EBADF */
	other = open(file_path, O_RDONLY);
	ret = raw_harvest(fd, 0, other, 0, NULL, &status);
	ok(other >= 0 && ret == -EBADF && raw_msg[0], "a regular file as pidfd: EBADF (\"%s\")",
	   raw_msg);
	close(other);
	other = eventfd(0, 0);
	ret = raw_harvest(fd, 0, other, 0, NULL, &status);
	ok(other >= 0 && ret == -EBADF && raw_msg[0],
	   "an eventfd (anon inode \"[eventfd]\") as pidfd: EBADF (\"%s\")", raw_msg);
	close(other);
	other = (int)syscall(SYS_memfd_create, "[pidfd]", 0);
	ret = raw_harvest(fd, 0, other, 0, NULL, &status);
	ok(other >= 0 && ret == -EBADF, "a memfd named \"[pidfd]\" as pidfd: EBADF (\"%s\")", raw_msg);
	close(other);
	ret = raw_harvest(fd, 0, fd, 0, NULL, &status);
	ok(ret == -EBADF, "the netlink socket as pidfd: EBADF (\"%s\")", raw_msg);
	ret = raw_harvest(fd, 0, 1000000, 0, NULL, &status);
	ok(ret == -EBADF && raw_msg[0], "a closed fd as pidfd: EBADF (\"%s\")", raw_msg);
	ret = raw_harvest(fd, 0, 0x80000000LL, 0, NULL, &status);
	ok(ret == -EBADF, "fd 2^31 as pidfd: EBADF (\"%s\")", raw_msg);

	/* kernel thread (kthreadd, pid 2) */
	other = pidfd_open_(2);
	if (other >= 0) {
		ret = raw_harvest(fd, 0, other, 0, NULL, &status);
		ok(ret == -EINVAL, "pidfd of a kernel thread: EINVAL (\"%s\")", raw_msg);
		close(other);
	}

	/* the child exits: first a zombie, then reaped */
	kill(child, SIGKILL);
	{
		siginfo_t si;

		waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT);
	}
	ret = raw_harvest(fd, 0, pidfd, 0, NULL, &status);
	ok(ret == -ESRCH && raw_msg[0], "pidfd of an exited (zombie) process: ESRCH (\"%s\")", raw_msg);
	waitpid(child, NULL, 0);
	child = 0;
	ret = raw_harvest(fd, 0, pidfd, 0, NULL, &status);
	ok(ret == -ESRCH && raw_msg[0], "pidfd of a reaped process: ESRCH (\"%s\")", raw_msg);
	close(pidfd);
	close(fd);
	return 0;
}

/* ---- compact regions, YOUNG_TABLES ---- */

static bool seen_equal(const struct seen *a, const struct seen *b, unsigned int *ret_diff)
{
	unsigned int diff = 0;
	size_t i;
	int k;

	for (k = 0; k < NR_AREAS; k++)
		for (i = 0; i < ctl->npages[k]; i++)
			diff += a->present[k][i] != b->present[k][i] ||
				a->young[k][i] != b->young[k][i] || a->anon[k][i] != b->anon[k][i];
	*ret_diff = diff;
	return !diff;
}

static int test_compact(void)
{
	struct seen s = { 0 }, full = { 0 };
	struct lrg_walk_stats st;
	uint8_t *expect[NR_AREAS];
	unsigned int missed, extra, diff, i;
	uint32_t status;
	int fd = raw_socket(), k, ret;

	if (child_start()) {
		ok(0, "start the toucher child");
		return 1;
	}
	for (k = 0; k < NR_AREAS; k++)
		expect[k] = calloc(ctl->npages[k] ? ctl->npages[k] : 1, 1);

	/* the wire format: everything touched, read with the test's own parser */
	harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
	child_cmd('a');
	raw_run_max = 0;
	ret = raw_harvest(fd, child, -1, LRUGEN_F_NO_BUMP | LRUGEN_F_COMPACT, &s, &status);
	for (k = 0; k < NR_AREAS; k++)
		ok(ret == 0 && status == LRUGEN_STATUS_COMPLETE &&
		   count(s.present[k], ctl->npages[k]) == ctl->npages[k] &&
		   count(s.young[k], ctl->npages[k]) == ctl->npages[k] &&
		   count(s.anon[k], ctl->npages[k]) == (k == AREA_FILE ? 0 : ctl->npages[k]),
		   "compact wire format, all touched: %s: %zu pages present, young, %s (got %u %u %u)",
		   area_name[k], ctl->npages[k], k == AREA_FILE ? "not anon" : "anon",
		   count(s.present[k], ctl->npages[k]), count(s.young[k], ctl->npages[k]),
		   count(s.anon[k], ctl->npages[k]));
	ok(!s.huge_thp || raw_run_max >= 2,
	   "compact: the 2 young THPs of the THP area come as one run (LRUGEN_R_COUNT %u, %s)",
	   raw_run_max, s.huge_thp ? "PMD-mapped" : "THP not PMD-mapped here");
	/* and once more right after: nothing young, all still present */
	ret = raw_harvest(fd, child, -1, LRUGEN_F_NO_BUMP | LRUGEN_F_COMPACT, &s, &status);
	for (k = 0, missed = 0, extra = 0; k < NR_AREAS; k++) {
		missed += (unsigned int)ctl->npages[k] - count(s.present[k], ctl->npages[k]);
		extra += count(s.young[k], ctl->npages[k]);
	}
	ok(ret == 0 && !missed && !extra,
	   "compact wire format right after: all present (missing %u), none young (%u)", missed, extra);

	/*
	 * The work bound inside a run of old THPs (lrugen_walk_old_run() takes
	 * the ones after the first in one go): from the THP area's start, a
	 * bound of 1 entry stops right after the first THP, one of 2 takes
	 * both (as one run) and stops where the area's VMA ends.
	 */
	{
		struct lrg_kmod_harvest_args a = { .pid = child, .cgroup_fd = -1,
						   .flags = LRUGEN_F_NO_BUMP,
						   .resume = (uint64_t)ctl->base[AREA_THP], .max_ptes = 1 };
		uint64_t next1 = 0, next2 = 0, base = (uint64_t)ctl->base[AREA_THP];
		bool huge = s.huge_thp;
		unsigned int p1, p2, y;
		uint32_t st1;
		int r1, r2;

		seen_reset(&s);
		r1 = lrg_kmod_harvest(kmod, &a, on_region, &s, &st, &next1);
		st1 = st.status;
		p1 = count(s.present[AREA_THP], ctl->npages[AREA_THP]) +
		     (s.present[AREA_THP][0] && s.present[AREA_THP][511] ? 0 : 10000);
		a.max_ptes = 2;
		seen_reset(&s);
		r2 = lrg_kmod_harvest(kmod, &a, on_region, &s, &st, &next2);
		p2 = count(s.present[AREA_THP], ctl->npages[AREA_THP]);
		y = count(s.young[AREA_THP], ctl->npages[AREA_THP]);
		if (huge)
			ok(!r1 && !r2 && st1 == LRG_HARVEST_PARTIAL && next1 == base + 2 * MIB &&
			   p1 == 512 && st.status == LRG_HARVEST_PARTIAL && next2 == base + 4 * MIB &&
			   p2 == 1024 && !y,
			   "work bound in a run of old THPs: 1 entry: the first THP (%u pages), next "
			   "+%#" PRIx64 "; 2 entries: both (%u pages, %u young), next +%#" PRIx64,
			   p1, next1 - base, p2, y, next2 - base);
		else
			skip("work bound in a run of old THPs: THP not PMD-mapped here");
	}

	/* the client library decodes both encodings to the same regions */
	for (i = 0; i < 3; i++) {
		unsigned int pct = i == 0 ? 25 : i == 1 ? 3 : 90;
		struct lrg_kmod_harvest_args a = { .pid = child, .cgroup_fd = -1,
						   .flags = LRUGEN_F_NO_BUMP, .full_bitmaps = true };
		bool same;

		touch_random(expect, pct);
		seen_reset(&full);
		ret = lrg_kmod_harvest(kmod, &a, on_region, &full, NULL, NULL);
		child_cmd('t');	/* the same pages again */
		ret = ret ?: harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
		for (k = 0, missed = 0, extra = 0; k < NR_AREAS; k++) {
			unsigned int m, e;

			if (k == AREA_THP)
				continue;
			young_matches(&s, expect, k, &m, &e);
			missed += m;
			extra += e;
		}
		same = seen_equal(&s, &full, &diff);
		ok(ret == 0 && same && !missed && !extra,
		   "%u%% touched: compact and full bitmaps decode alike (%u pages differ), "
		   "exactly the touched pages young (missed %u, extra %u)", pct, diff, missed, extra);
	}

	/*
	 * YOUNG_TABLES: clear every non-leaf bit, touch 100 pages of the anon
	 * area: those are young, and tables nobody touched are not even read.
	 */
	{
		struct lrg_kmod_info info;
		unsigned int present, far;

		lrg_kmod_info(kmod, &info);
		if (!(info.caps & LRUGEN_CAP_NONLEAF_YOUNG)) {
			ret = harvest(&s, 0, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
			ok(ret == -EOPNOTSUPP, "YOUNG_TABLES without LRUGEN_CAP_NONLEAF_YOUNG: EOPNOTSUPP");
		} else {
			harvest(&s, 0, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
			for (k = 0; k < NR_AREAS; k++)
				memset(expect[k], 0, ctl->npages[k]);
			ctl->nr_touch = 0;
			for (i = 1200; i < 1300; i++) {
				expect[AREA_ANON][i] = 1;
				ctl->touch[ctl->nr_touch++] = (uint32_t)AREA_ANON << 24 | i;
			}
			child_cmd('t');
			ret = harvest(&s, 0, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, &st);
			young_matches(&s, expect, AREA_ANON, &missed, &extra);
			present = count(s.present[AREA_ANON], ctl->npages[AREA_ANON]);
			ok(ret == 0 && !missed && !extra && st.pmd_found >= 1,
			   "YOUNG_TABLES: the 100 touched anon pages young, no other (missed %u, extra %u, "
			   "PMD young %" PRIu64 ")", missed, extra, st.pmd_found);
			/*
			 * Present pages may come from the tables of the touched
			 * pages, and from those at the area's two ends, which it
			 * may share with other memory the child used (the ctl
			 * page it reads): none from any other table.
			 */
			far = 0;
			for (i = 0; i < ctl->npages[AREA_ANON]; i++) {
				uintptr_t t = (ctl->base[AREA_ANON] + i * PAGE) >> 21;

				if (s.present[AREA_ANON][i] &&
				    t != (ctl->base[AREA_ANON] + 1200 * PAGE) >> 21 &&
				    t != (ctl->base[AREA_ANON] + 1299 * PAGE) >> 21 &&
				    t != ctl->base[AREA_ANON] >> 21 &&
				    t != (ctl->base[AREA_ANON] + (ctl->npages[AREA_ANON] - 1) * PAGE) >> 21)
					far++;
			}
			ok(present >= 100 && !far &&
			   count(s.present[AREA_SHMEM], ctl->npages[AREA_SHMEM]) == 0 &&
			   count(s.present[AREA_FILE], ctl->npages[AREA_FILE]) == 0,
			   "YOUNG_TABLES: untouched PTE tables skipped (anon present %u of %zu, %u of "
			   "them in other tables than the touched ones and the area's ends, "
			   "shmem %u, file %u)", present, ctl->npages[AREA_ANON], far,
			   count(s.present[AREA_SHMEM], ctl->npages[AREA_SHMEM]),
			   count(s.present[AREA_FILE], ctl->npages[AREA_FILE]));
			ret = harvest(&s, 0, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, &st);
			ok(ret == 0 && count(s.young[AREA_ANON], ctl->npages[AREA_ANON]) == 0 &&
			   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]) == 0,
			   "YOUNG_TABLES right after: no anon table young, none read (present %u)",
			   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]));
		}
	}
	close(fd);
	child_stop();
	return 0;
}

/* ---- the anon bit of file VMAs ---- */

/*
 * Pages of area k present (all) and anon exactly as want[] says (NULL: as
 * all_anon); *ret_bad: pages that differ.
 */
static bool kinds_match(const struct seen *s, int k, const uint8_t *want, bool all_anon,
			unsigned int *ret_bad)
{
	unsigned int bad = 0;
	size_t i;

	for (i = 0; i < ctl->npages[k]; i++)
		bad += !s->present[k][i] || s->anon[k][i] != (want ? want[i] : all_anon);
	*ret_bad = bad;
	return !bad;
}

static int test_filekinds(void)
{
	struct seen s = { 0 };
	uint8_t *cow;
	unsigned int round, bf = 0, bs = 0, i;
	bool fm, sm;
	int ret;

	if (child_start()) {
		ok(0, "start the toucher child");
		return 1;
	}
	cow = calloc(ctl->npages[AREA_FILE], 1);
	child_cmd('a');
	harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
	/*
	 * Round 0: everything just cleared (old); round 1: the COWed pages and
	 * the rest of the file area touched (young); round 2: old again; each
	 * harvest with and without YOUNG_TABLES (nothing young: nothing to walk)
	 */
	for (round = 0; round < 4; round++) {
		if (round == 1) {
			/* every third page of the file area COWed: an anon_vma, anon pages */
			ctl->nr_touch = 0;
			for (i = 0; i < ctl->npages[AREA_FILE]; i += 3) {
				cow[i] = 1;
				ctl->touch[ctl->nr_touch++] = (uint32_t)AREA_FILE << 24 | i;
			}
			if (!ok(child_cmd('w') == 0 && !ctl->split_err,
				"COWed %u pages of the private file mapping (%s)", ctl->nr_touch,
				strerror(ctl->split_err)))
				break;
		}
		if (round == 3)
			child_cmd('a');
		ret = harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
		fm = kinds_match(&s, AREA_FILE, round ? cow : NULL, false, &bf);
		sm = kinds_match(&s, AREA_SHMEM, NULL, true, &bs);
		ok(ret == 0 && fm && sm,
		   "%s: every page present; anon bits: %s file mapping %s (%u wrong), shmem all "
		   "(%u wrong)", round == 0 ? "old pages" : round == 1 ? "after the COW" :
		   round == 2 ? "old pages after the COW" : "all touched after the COW",
		   round ? "COWed" : "read-only", round ? "exactly its COWed pages" : "none", bf, bs);
	}
	free(cow);
	child_stop();
	return 0;
}

/* ---- HARVEST_ONE ---- */

static uint64_t harvests_count(void)
{
	struct lrg_kmod_info info;

	memset(&info, 0, sizeof(info));
	lrg_kmod_info(kmod, &info);
	return info.counters[LRUGEN_C_HARVESTS];
}

/* rec_addr[from..to) strictly ascending, every address 2 MiB aligned */
static bool rec_ascending(unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		if (rec_addr[i] % LRUGEN_REGION_SIZE || (i > from && rec_addr[i] <= rec_addr[i - 1]))
			return false;
	return true;
}

/* Every page of every area present and young, anon but for the file area. */
static bool all_young(const struct seen *s, unsigned int *ret_bad)
{
	unsigned int bad = 0;
	size_t i;
	int k;

	for (k = 0; k < NR_AREAS; k++)
		for (i = 0; i < ctl->npages[k]; i++)
			bad += !s->present[k][i] || !s->young[k][i] ||
			       s->anon[k][i] != (k != AREA_FILE);
	*ret_bad = bad;
	return !bad;
}

/* A raw HARVEST_ONE request built by the test: its errno and extack. */
static int raw_one(int fd, struct rawmsg *m, size_t off, uint16_t nlflags, uint8_t reserved)
{
	m->nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
	m->nlh.nlmsg_flags = NLM_F_REQUEST | nlflags;
	m->gh.cmd = LRUGEN_CMD_HARVEST_ONE;
	m->gh.version = LRUGEN_GENL_VERSION;
	m->gh.reserved = reserved;
	m->nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
	return raw_send(fd, m, m->nlh.nlmsg_len);
}

static int test_harvestone(void)
{
	const struct lrg_kmod_info *info = lrg_kmod_get_info(kmod);
	static uint64_t d_addr[8192];
	static unsigned int d_pres[8192];
	struct seen s = { 0 }, d = { 0 };
	uint8_t *expect[NR_AREAS];
	struct raw_info ri, ri2;
	unsigned int nd;
	bool same_regions;
	struct lrg_walk_stats st;
	uint64_t next;
	unsigned int i, diff, bad = 0, missed, extra, n1;
	uint32_t status, status2;
	uint64_t h0;
	int fd = raw_socket(), k, ret;

	if (!ok(info->abi_version >= 4, "module ABI %u has HARVEST_ONE (ABI 4)", info->abi_version))
		return 1;
	/* an anon area of 32 PTE tables: its full bitmaps do not fit one message */
	area_size[AREA_ANON] = 64 * MIB;
	if (child_start()) {
		ok(0, "start the toucher child");
		return 1;
	}
	for (k = 0; k < NR_AREAS; k++)
		expect[k] = calloc(ctl->npages[k] ? ctl->npages[k] : 1, 1);

	/*
	 * The same touches harvested by the dump and by the client's default
	 * (HARVEST_ONE, and the dump for the rest if its reply was full): the
	 * same pages present, young and anon, exactly the touched ones young.
	 * Full bitmaps of 32 tables need more than one message: the MORE path;
	 * compact ones of a few touches fit: the one-message path.
	 */
	for (i = 0; i < 10; i++) {
		unsigned int pct = (unsigned int[]){ 100, 25, 3, 90, 0 }[i % 5];
		bool full = i >= 5, same, match = true;
		struct lrg_kmod_harvest_args a = { .pid = child, .cgroup_fd = -1,
						   .flags = LRUGEN_F_NO_BUMP, .full_bitmaps = full };
		uint64_t requests;

		a.dump = true;
		lrg_kmod_harvest(kmod, &a, NULL, NULL, NULL, NULL);	/* clear */
		touch_random(expect, pct);
		seen_reset(&d);
		rec_on = true;
		rec_n = 0;
		ret = lrg_kmod_harvest(kmod, &a, on_region, &d, NULL, NULL);
		nd = rec_n;
		memcpy(d_addr, rec_addr, nd * sizeof(*d_addr));
		memcpy(d_pres, rec_pres, nd * sizeof(*d_pres));
		child_cmd('t');		/* the same pages again */
		a.dump = false;
		seen_reset(&s);
		rec_n = 0;
		h0 = harvests_count();
		next = ~0ULL;
		ret = ret ?: lrg_kmod_harvest(kmod, &a, on_region, &s, &st, &next);
		requests = harvests_count() - h0;
		rec_on = false;
		/* every region of the address space, not only the areas': the same, as present */
		same_regions = nd == rec_n && !memcmp(d_addr, rec_addr, nd * sizeof(*d_addr)) &&
			       !memcmp(d_pres, rec_pres, nd * sizeof(*d_pres));
		for (k = 0, missed = 0, extra = 0; k < NR_AREAS; k++) {
			unsigned int m, e;

			if (k == AREA_THP)
				continue;
			match &= young_matches(&s, expect, k, &m, &e);
			missed += m;
			extra += e;
		}
		same = seen_equal(&s, &d, &diff);
		ok(ret == 0 && same && match && same_regions && rec_ascending(0, rec_n) &&
		   st.status == LRG_HARVEST_COMPLETE && next == 0,
		   "%u%% touched, %s bitmaps: HARVEST_ONE%s reports what the dump does (%u pages "
		   "of the areas differ; regions of the whole address space %s: %u and %u, each "
		   "once, ascending), exactly the touched pages young (missed %u, extra %u), "
		   "COMPLETE (%u) with no next address (%#" PRIx64 ")", pct,
		   full ? "full" : "compact", requests > 1 ? " + dump of the rest" : " alone", diff,
		   same_regions ? "the same, as present" : "DIFFER", nd, rec_n, missed, extra,
		   st.status, next);
		if (pct == 100 || (pct == 0 && !full))
			ok(full ? requests == 2 : requests == 1,
			   "%s touched, %s bitmaps: %" PRIu64 " request(s) (%s)",
			   pct ? "everything" : "nothing", full ? "full" : "compact", requests,
			   full ? "the reply is full: HARVEST_ONE, then the dump" : "one reply");
	}

	/* the one reply on the wire: compact, everything touched */
	lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .pid = child, .cgroup_fd = -1,
		.flags = LRUGEN_F_NO_BUMP }, NULL, NULL, NULL, NULL);
	child_cmd('a');
	ret = raw_harvest_ex(fd, LRUGEN_CMD_HARVEST_ONE, child, -1,
			     LRUGEN_F_NO_BUMP | LRUGEN_F_COMPACT, 0, &s, true, &status, &ri);
	ok(ret == 0 && status == LRUGEN_STATUS_COMPLETE && ri.msgs == 1 && !ri.multi &&
	   ri.cmd == LRUGEN_CMD_HARVEST_ONE && ri.max_len <= info->dump_size && all_young(&s, &bad),
	   "raw HARVEST_ONE, compact: one message (%u, %u multi) of %zu bytes (LRUGEN_A_DUMP_SIZE "
	   "%u), COMPLETE (%u), every page present and young (%u wrong)", ri.msgs, ri.multi,
	   ri.max_len, info->dump_size, status, bad);

	/*
	 * Full bitmaps of everything touched: the reply fills up, stops with
	 * MORE before NEXT_ADDR; the dump resumed there reports the rest, and
	 * the two together every page once.
	 */
	lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .pid = child, .cgroup_fd = -1,
		.flags = LRUGEN_F_NO_BUMP }, NULL, NULL, NULL, NULL);
	child_cmd('a');
	rec_on = true;
	rec_n = 0;
	ret = raw_harvest_ex(fd, LRUGEN_CMD_HARVEST_ONE, child, -1, LRUGEN_F_NO_BUMP, 0, &s, true,
			     &status, &ri);
	n1 = rec_n;
	ok(ret == 0 && status == LRUGEN_STATUS_MORE && ri.msgs == 1 && !ri.multi && ri.next &&
	   ri.max_len <= info->dump_size && n1 >= 2 && rec_ascending(0, n1) &&
	   rec_addr[n1 - 1] < ri.next,
	   "raw HARVEST_ONE, full bitmaps of 32+ tables: one message of %zu bytes, MORE (%u) "
	   "with NEXT_ADDR %#" PRIx64 " above its %u regions", ri.max_len, status, ri.next, n1);
	ret = ret ?: raw_harvest_ex(fd, LRUGEN_CMD_HARVEST, child, -1, LRUGEN_F_NO_BUMP, ri.next,
				    &s, false, &status2, &ri2);
	rec_on = false;
	ok(ret == 0 && status2 == LRUGEN_STATUS_COMPLETE && rec_n > n1 && rec_addr[n1] >= ri.next &&
	   rec_ascending(0, rec_n) && all_young(&s, &bad),
	   "the dump from NEXT_ADDR does the rest: %u more regions, all at or above it, each "
	   "region once, every page present and young (%u wrong)", rec_n - n1, bad);

	/* bad requests: the documented errno, with an extack message */
	{
		struct rawmsg m;
		size_t off;
		uint32_t v = (uint32_t)child, z = 0, fl;
		struct lrugen_range r[2] = { { 0x10000 + 12, 0x20000 }, { 0, 0 } };

		memset(&m, 0, sizeof(m));
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		ret = raw_one(fd, &m, off, NLM_F_DUMP, 0);
		ok(ret == -EINVAL && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE with NLM_F_DUMP: EINVAL with extack (%d, flags %#x)", ret, raw_err_flags);
		ret = raw_one(fd, &m, off, 0, 1);
		ok(ret == -EINVAL, "HARVEST_ONE with the genl header's reserved byte set: EINVAL (%d)", ret);
		off = put_attr(m.attrs, LRUGEN_A_PID, &z, 4);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EINVAL && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE with pid 0: EINVAL with extack (%d)", ret);
		fl = 1u << 12;
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_FLAGS, &fl, 4);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EOPNOTSUPP && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE with an unknown flag: EOPNOTSUPP with extack (%d)", ret);
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_RANGES, r, sizeof(r[0]));
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EINVAL && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE with an unaligned range: EINVAL with extack (%d)", ret);
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_RANGES, r, 24);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EINVAL, "HARVEST_ONE with ranges not a multiple of 16 bytes: EINVAL (%d)", ret);
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_STATUS, &z, 4);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EINVAL, "HARVEST_ONE with a reply-only attribute: EINVAL (%d)", ret);
		z = 0;	/* stdin: no pidfd */
		off = put_attr(m.attrs, LRUGEN_A_PIDFD, &z, 4);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -EBADF && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE with a pidfd that is not one: EBADF with extack (%d)", ret);
		ret = raw_one(fd, &m, 0, 0, 0);
		ok(ret == -EINVAL && (raw_err_flags & NLM_F_ACK_TLVS),
		   "HARVEST_ONE without a target: EINVAL with extack (%d)", ret);
		v = 4194303;
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		ret = raw_one(fd, &m, off, 0, 0);
		ok(ret == -ESRCH, "HARVEST_ONE of no such process: ESRCH (%d)", ret);
	}
	/*
	 * Unread messages on the socket (one INFO reply; then an overrun
	 * queue): HARVEST_ONE is refused before it walks, so the pages
	 * touched before it are still young afterwards (a reply the socket
	 * could not take would have lost them).
	 */
	for (i = 0; i < 2; i++) {
		static char rb[1 << 16];
		int qfd = raw_socket(), small = 4096, n, err = 0;
		bool reply = false, enobufs = false, tlv = false;
		struct rawmsg m;
		uint32_t v = (uint32_t)child, fl = LRUGEN_F_NO_BUMP | LRUGEN_F_COMPACT;
		size_t off;

		lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .pid = child, .cgroup_fd = -1,
			.flags = LRUGEN_F_NO_BUMP }, NULL, NULL, NULL, NULL);
		child_cmd('a');
		if (i)
			setsockopt(qfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		/* INFO replies nobody reads: one, or enough to overrun the queue */
		memset(&m, 0, sizeof(m));
		m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
		m.nlh.nlmsg_flags = NLM_F_REQUEST;
		m.gh.cmd = LRUGEN_CMD_INFO;
		m.gh.version = LRUGEN_GENL_VERSION;
		m.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
		for (n = 0; n < (i ? 64 : 1); n++)
			send(qfd, &m, m.nlh.nlmsg_len, 0);
		off = put_attr(m.attrs, LRUGEN_A_PID, &v, 4);
		off += put_attr(m.attrs + off, LRUGEN_A_FLAGS, &fl, 4);
		m.gh.cmd = LRUGEN_CMD_HARVEST_ONE;
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		send(qfd, &m, m.nlh.nlmsg_len, 0);
		for (;;) {
			struct nlmsghdr *nlh;

			n = (int)recv(qfd, rb, sizeof(rb), MSG_DONTWAIT);
			if (n < 0 && errno == ENOBUFS) {
				enobufs = true;	/* the overrun */
				continue;
			}
			if (n <= 0)
				break;
			for (nlh = (struct nlmsghdr *)rb; NLMSG_OK(nlh, (unsigned int)n);
			     nlh = NLMSG_NEXT(nlh, n)) {
				if (nlh->nlmsg_type == NLMSG_ERROR) {
					err = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
					tlv = nlh->nlmsg_flags & NLM_F_ACK_TLVS;
				} else if (((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
					   LRUGEN_CMD_HARVEST_ONE) {
					reply = true;
				}
			}
		}
		close(qfd);
		ret = harvest(&s, 0, LRUGEN_F_NO_BUMP, NULL);
		all_young(&s, &bad);
		if (i)
			ok(ret == 0 && !reply && enobufs && !bad,
			   "HARVEST_ONE on an overrun queue: no reply (%s), the overrun's ENOBUFS (%s), "
			   "and every page touched before it still young after it (%u not)",
			   reply ? "one" : "none", enobufs ? "yes" : "no", bad);
		else
			ok(ret == 0 && !reply && err == -EBUSY && tlv && !bad,
			   "HARVEST_ONE with an unread reply on the socket: EBUSY with extack (%d), no "
			   "reply (%s), every page touched before it still young after it (%u not)",
			   err, reply ? "one" : "none", bad);
	}

	for (k = 0; k < NR_AREAS; k++)
		free(expect[k]);
	close(fd);
	child_stop();
	return 0;
}

/* ---- fds looked up in .start; YOUNG_TABLES across memcgs ---- */

/*
 * HARVEST by pidfd and cgroup fd while the socket's receive queue is full:
 * the dump's first step then runs from recvmsg(), after the test closed the
 * pidfd and put cgroup B's fd where A's was. Looked up in .start (at send
 * time) both still name the child and A; looked up in the first step they
 * would not.
 */
static void test_deferred_dump(const char *dir, uint64_t id_a)
{
	static char rb[1 << 16];
	char path[512];
	struct seen s = { 0 };
	struct rawmsg m;
	uint32_t v, status = ~0u;
	int fd = raw_socket(), pidfd = pidfd_open_(child), fd_a, fd_b, one = 1, tiny = 1;
	int err = 1, first = -1, n_msgs = 0;
	bool enobufs = false;
	size_t off = 0;

	snprintf(path, sizeof(path), "%s/lrg-a", dir);
	fd_a = open(path, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/lrg-b", dir);
	fd_b = open(path, O_RDONLY | O_DIRECTORY);
	if (!ok(fd >= 0 && pidfd >= 0 && fd_a >= 0 && fd_b >= 0, "deferred dump: fds open"))
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny));
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	/* an INFO reply left unread fills the tiny receive queue */
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	m.nlh.nlmsg_seq = 1;
	m.gh.cmd = LRUGEN_CMD_INFO;
	m.gh.version = LRUGEN_GENL_VERSION;
	m.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	send(fd, &m, m.nlh.nlmsg_len, 0);

	m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m.nlh.nlmsg_seq = 2;
	m.gh.cmd = LRUGEN_CMD_HARVEST;
	v = (uint32_t)pidfd;
	off += put_attr(m.attrs + off, LRUGEN_A_PIDFD, &v, 4);
	v = (uint32_t)fd_a;
	off += put_attr(m.attrs + off, LRUGEN_A_CGROUP_FD, &v, 4);
	v = LRUGEN_F_NO_BUMP;
	off += put_attr(m.attrs + off, LRUGEN_A_FLAGS, &v, 4);
	m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
	seen_reset(&s);
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0) {
		ok(0, "deferred dump: send HARVEST: %s", strerror(errno));
		return;
	}
	/* after the send, before any step: the fds name something else */
	close(pidfd);
	dup2(fd_b, fd_a);

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			break;
		n = recv(fd, rb, sizeof(rb), 0);
		if (n < 0 && errno == ENOBUFS)
			continue;
		if (n <= 0)
			break;
		for (nlh = (struct nlmsghdr *)rb; NLMSG_OK(nlh, (unsigned int)n); nlh = NLMSG_NEXT(nlh, n)) {
			const char *p;
			int rem;

			if (first < 0)
				first = (int)nlh->nlmsg_seq;
			if (nlh->nlmsg_seq != 2)
				continue;
			n_msgs++;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				raw_extack(nlh, sizeof(struct nlmsgerr));
				err = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				/* the dump could not start at send time: it goes on from recvmsg */
				if (err == -ENOBUFS) {
					enobufs = true;
					continue;
				}
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				raw_extack(nlh, sizeof(int));
				err = *(int *)NLMSG_DATA(nlh);
				goto out;
			}
			p = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
			rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			while (rem >= NLA_HDRLEN) {
				const struct nlattr *a = (const struct nlattr *)p;

				if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
					break;
				if ((a->nla_type & NLA_TYPE_MASK) == LRUGEN_A_REGION)
					raw_region(&s, a);
				else if (a->nla_type == LRUGEN_A_STATUS)
					memcpy(&status, p + NLA_HDRLEN, 4);
				rem -= NLA_ALIGN(a->nla_len);
				p += NLA_ALIGN(a->nla_len);
			}
		}
	}
out:
	ok(first == 1 && enobufs, "deferred dump: the INFO reply came first and the HARVEST's "
	   "start was answered ENOBUFS (the dump waited for recvmsg; first seq %d, %d messages)",
	   first, n_msgs);
	ok(err == 0 && status == LRUGEN_STATUS_COMPLETE &&
	   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]) == ctl->npages[AREA_ANON],
	   "deferred dump: pidfd and cgroup fd as they were at send time: the child's %zu anon "
	   "pages in cgroup A (id %" PRIu64 ") present (%d \"%s\", status %u, present %u)",
	   ctl->npages[AREA_ANON], id_a, err, raw_msg, status,
	   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]));
	close(fd_a);
	close(fd_b);
	close(fd);
}

static int test_memcg2(const char *dir)
{
	char a[512], b[512], buf[64];
	struct seen s = { 0 };
	struct stat sa, sb;
	struct lrg_kmod_info info;

	snprintf(a, sizeof(a), "%s/lrg-a", dir);
	snprintf(b, sizeof(b), "%s/lrg-b", dir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	if (stat(a, &sa) || stat(b, &sb)) {
		ok(0, "create cgroups %s and %s", a, b);
		return 1;
	}
	area_size[AREA_THP] = 0;
	if (child_start()) {
		ok(0, "start child");
		return 1;
	}
	snprintf(buf, sizeof(buf), "%d", child);
	snprintf(a, sizeof(a), "%s/lrg-a/cgroup.procs", dir);
	snprintf(b, sizeof(b), "%s/lrg-b/cgroup.procs", dir);
	ok(write_file(a, buf) == 0, "child in cgroup A");
	child_cmd('a');		/* charged to A */
	ok(write_file(b, buf) == 0, "child moved to cgroup B");

	test_deferred_dump(dir, sa.st_ino);

	/*
	 * YOUNG_TABLES across memcgs: a harvest for B clears the non-leaf
	 * bits of the tables it reads but must set them again for A's young
	 * pages, or A's next harvest would skip those tables.
	 */
	lrg_kmod_info(kmod, &info);
	if (info.caps & LRUGEN_CAP_NONLEAF_YOUNG) {
		unsigned int young;
		int ret;

		harvest(&s, sa.st_ino, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
		harvest(&s, sa.st_ino, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
		child_cmd('a');	/* A's pages young again */
		ret = harvest(&s, sb.st_ino, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
		ok(ret == 0 && count(s.present[AREA_ANON], ctl->npages[AREA_ANON]) == 0,
		   "YOUNG_TABLES for B: none of A's pages (present %u)",
		   count(s.present[AREA_ANON], ctl->npages[AREA_ANON]));
		ret = harvest(&s, sa.st_ino, LRUGEN_F_NO_BUMP | LRUGEN_F_YOUNG_TABLES, NULL);
		young = count(s.young[AREA_ANON], ctl->npages[AREA_ANON]);
		ok(ret == 0 && young == ctl->npages[AREA_ANON],
		   "YOUNG_TABLES for A after B's: all %zu anon pages of A young (got %u): B's "
		   "harvest left the PMD bits of tables with A's young pages set",
		   ctl->npages[AREA_ANON], young);
	}

	child_stop();
	snprintf(a, sizeof(a), "%s/lrg-a", dir);
	snprintf(b, sizeof(b), "%s/lrg-b", dir);
	rmdir(a);
	rmdir(b);
	return 0;
}

/* ---- the kmod backend never harvests a process that reused a pid ---- */

static uint64_t start_time_of(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long v = 0;
	const char *p;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 3; p && i <= 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p, " %llu", &v);
	return v;
}

static int count_regions(void *arg, const struct lrg_region *r)
{
	unsigned int *n = arg;

	(*n)++;
	return 0;
}

static int test_pidreuse(void)
{
	struct lrg_backend *b = NULL;
	struct lrg_mm_info mi_a, mi_b;
	struct lrg_harvest_req req;
	struct lrg_walk_stats st;
	char err[256], buf[32];
	pid_t a, want;
	uint64_t st_a;
	unsigned int n, tries;
	int ret, pidfd;

	ret = lrg_kmod_backend_new(&b, err, sizeof(err));
	if (!ok(ret == 0, "kmod backend: %s", ret ? err : "ok"))
		return 1;
	ok(lrg_kmod_get_info(kmod)->caps & LRUGEN_CAP_PIDFD, "module has LRUGEN_CAP_PIDFD");

	/* process A: harvested once through the backend, which keeps its pidfd */
	area_size[AREA_THP] = 0;
	if (child_start()) {
		ok(0, "start child A");
		return 1;
	}
	a = child;
	child_cmd('a');
	st_a = start_time_of(a);
	memset(&mi_a, 0, sizeof(mi_a));
	mi_a.pid = a;
	mi_a.start_time = st_a;
	memset(&req, 0, sizeof(req));
	req.mm = &mi_a;
	req.memcg_id = LRG_ROOT_MEMCG;
	req.flags = LRG_HARVEST_NO_BUMP;
	n = 0;
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && n > 0,
	   "backend harvest of A (pid %d, start %" PRIu64 "): %u regions (%d, status %u)", a, st_a,
	   n, ret, st.status);
	/* a pidfd of A kept by the test too, for the library-level check */
	pidfd = pidfd_open_(a);

	/* A exits; B is made to get A's pid (ns_last_pid) */
	child_stop();
	usleep(30000);	/* a later start time, in clock ticks */
	want = a;
	for (tries = 0; tries < 20; tries++) {
		snprintf(buf, sizeof(buf), "%d", want - 1);
		if (write_file("/proc/sys/kernel/ns_last_pid", buf))
			break;
		if (child_start())
			break;
		if (child == want)
			break;
		child_stop();
	}
	if (!ok(child == want, "process B got A's pid %d (ns_last_pid; got %d)", want, child)) {
		close(pidfd);
		b->ops->destroy(b);
		return 1;
	}
	child_cmd('a');
	memset(&mi_b, 0, sizeof(mi_b));
	mi_b.pid = child;
	mi_b.start_time = start_time_of(child);

	n = 0;
	memset(&st, 0, sizeof(st));
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_GONE && n == 0,
	   "backend harvest of A after B took its pid: GONE, nothing reported (status %u, %u regions)",
	   st.status, n);

	/* the library: the old pidfd names A (gone), the pid names B */
	{
		struct lrg_kmod_harvest_args args = { .cgroup_fd = -1, .flags = LRUGEN_F_NO_BUMP,
						      .use_pidfd = true, .pidfd = pidfd };

		n = 0;
		ret = lrg_kmod_harvest(kmod, &args, count_regions, &n, NULL, NULL);
		ok(ret == -ESRCH && n == 0, "HARVEST by A's pidfd after B took the pid: ESRCH (%d, %u regions)",
		   ret, n);
		args.use_pidfd = false;
		args.pid = child;
		n = 0;
		ret = lrg_kmod_harvest(kmod, &args, count_regions, &n, NULL, NULL);
		ok(ret == 0 && n > 0, "HARVEST by the same pid number: B's memory (%u regions)", n);
	}

	req.mm = &mi_b;
	n = 0;
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && n > 0 && mi_b.start_time != st_a,
	   "backend harvest of B (start %" PRIu64 "): COMPLETE, %u regions", mi_b.start_time, n);

	close(pidfd);
	child_stop();
	b->ops->destroy(b);
	return 0;
}

/* ---- the kmod backend with a module that refuses its pidfds ---- */

/* Take pid (the one just freed) for a new toucher child: ns_last_pid. */
static bool child_start_as(pid_t want)
{
	char buf[32];
	unsigned int tries;

	for (tries = 0; tries < 20; tries++) {
		snprintf(buf, sizeof(buf), "%d", want - 1);
		if (write_file("/proc/sys/kernel/ns_last_pid", buf) || child_start())
			return false;
		if (child == want)
			return true;
		child_stop();
	}
	return false;
}

/* A region callback that, at its first region, has the target's pid reused. */
static int reuse_on_region(void *arg, const struct lrg_region *r)
{
	bool *reused = arg;
	pid_t a = child;

	if (!*reused) {
		*reused = true;
		child_stop();
		usleep(30000);	/* a later start time, in clock ticks */
		child_start_as(a);
	}
	return 0;
}

static int test_pidfd_fallback(void)
{
	struct lrg_backend *b = NULL;
	struct lrg_mm_info mi = { 0 };
	struct lrg_harvest_req req = { .mm = &mi, .memcg_id = LRG_ROOT_MEMCG,
				       .flags = LRG_HARVEST_NO_BUMP };
	struct lrg_walk_stats st;
	const char *kind;
	bool reused = false;
	char err[256];
	unsigned int n;
	pid_t a;
	int ret, pidfd;

	if (child_start_anon()) {
		ok(0, "start the toucher child");
		return 1;
	}
	pidfd = pidfd_open_(child);
	kind = pidfd >= 0 ? pidfd_kind(pidfd) : NULL;
	if (!kind || strcmp(kind, "pidfs")) {
		/* the module's anon inode check is the one it always had */
		skip("this kernel's pidfds are no pidfs files: the module knows them");
		close(pidfd);
		return 0;
	}
	ok(lrg_kmod_get_info(kmod)->caps & LRUGEN_CAP_PIDFD,
	   "the module advertises LRUGEN_CAP_PIDFD (as one written before pidfs did)");
	ret = lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .cgroup_fd = -1,
		.flags = LRUGEN_F_NO_BUMP, .use_pidfd = true, .pidfd = pidfd }, NULL, NULL, NULL, NULL);
	ok(ret == -EBADF, "... and refuses a pidfs pidfd: EBADF (%d \"%s\")", ret,
	   lrg_kmod_errmsg(kmod));
	close(pidfd);

	ret = lrg_kmod_backend_new(&b, err, sizeof(err));
	if (!ok(ret == 0, "kmod backend: %s", ret ? err : "ok"))
		return 1;
	child_cmd('a');
	a = child;
	mi.pid = a;
	mi.start_time = start_time_of(a);
	n = 0;
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && n > 0 && st.pte_young > 0,
	   "backend harvest: refused pidfd, done again by pid and start time: COMPLETE "
	   "(%d, status %u, %u regions, %" PRIu64 " young)", ret, st.status, n, st.pte_young);
	child_cmd('a');
	n = 0;
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && n > 0,
	   "the next harvest: by pid straight away: COMPLETE (%d, status %u, %u regions)", ret,
	   st.status, n);

	/* the pid reused while the harvest's replies are read: GONE */
	ret = b->ops->harvest(b, &req, reuse_on_region, &reused, &st);
	ok(reused && child == a && start_time_of(a) != mi.start_time,
	   "process B took A's pid %d during the harvest (got %d)", a, child);
	ok(ret == 0 && st.status == LRG_HARVEST_GONE,
	   "start time checked again after the harvest: GONE (%d, status %u)", ret, st.status);
	mi.start_time = start_time_of(child);
	n = 0;
	ret = b->ops->harvest(b, &req, count_regions, &n, &st);
	ok(ret == 0 && st.status == LRG_HARVEST_COMPLETE && n > 0,
	   "B by its own start time: COMPLETE (%d, status %u, %u regions)", ret, st.status, n);
	child_stop();
	b->ops->destroy(b);
	return 0;
}

/* ---- ptrace read access to the target ---- */

static int harvest_pid(pid_t pid, bool dump, unsigned int *ret_regions)
{
	struct lrg_kmod_harvest_args a = { .pid = pid, .cgroup_fd = -1, .flags = LRUGEN_F_NO_BUMP,
					   .dump = dump };
	unsigned int n = 0;
	int ret = lrg_kmod_harvest(kmod, &a, count_regions, &n, NULL, NULL);

	if (ret_regions)
		*ret_regions = n;
	return ret;
}

/* Run as a user other than root, with CAP_NET_ADMIN alone (setpriv in the guest). */
static int test_ptrace(pid_t other)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	struct lrugen_range r = { 0, 1ULL << 30 };
	int ret, pidfd, to[2], from[2];
	unsigned int n;
	pid_t mine;
	char c;

	ret = (int)syscall(SYS_capget, &h, d);
	ok(ret == 0 && getuid() && geteuid() && (d[0].effective & (1u << CAP_NET_ADMIN)) &&
	   !(d[0].effective & (1u << CAP_SYS_PTRACE)),
	   "caller: uid %d, CAP_NET_ADMIN, no CAP_SYS_PTRACE (effective %#x)", (int)getuid(),
	   d[0].effective);
	ret = harvest_pid(other, false, &n);
	ok(ret == -EPERM && n == 0, "HARVEST_ONE of another user's process %d: EPERM (%d \"%s\")",
	   other, ret, lrg_kmod_errmsg(kmod));
	ret = harvest_pid(other, true, &n);
	ok(ret == -EPERM && n == 0, "HARVEST of it: EPERM (%d)", ret);
	ret = lrg_kmod_bump(kmod, other, 0, 0, &r, 1, NULL, 0, NULL);
	ok(ret == -EPERM, "BUMP of it: EPERM (%d)", ret);
	pidfd = pidfd_open_(other);
	ret = lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .cgroup_fd = -1,
		.use_pidfd = true, .pidfd = pidfd }, NULL, NULL, NULL, NULL);
	ok(pidfd >= 0 && ret == -EPERM, "by its pidfd: EPERM (%d)", ret);
	close(pidfd);

	/* a process of the caller's own: dumpable, then not */
	if (pipe(to) || pipe(from))
		return 1;
	mine = fork();
	if (!mine) {
		char *p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(p, 1, 4 * MIB);
		if (write(from[1], "r", 1) != 1 || read(to[0], &c, 1) != 1)
			_exit(1);
		prctl(PR_SET_DUMPABLE, 0);
		if (write(from[1], "n", 1) != 1 || read(to[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(from[0], &c, 1) == 1) {
		ret = harvest_pid(mine, false, &n);
		ok(ret == 0 && n > 0, "a process of the caller's user: harvested (%d, %u regions)", ret, n);
	}
	if (write(to[1], "x", 1) == 1 && read(from[0], &c, 1) == 1) {
		ret = harvest_pid(mine, false, &n);
		ok(ret == -EPERM, "... once it is not dumpable (PR_SET_DUMPABLE 0): EPERM (%d)", ret);
	}
	if (write(to[1], "q", 1) != 1)
		kill(mine, SIGKILL);
	waitpid(mine, NULL, 0);
	return 0;
}

/* ---- the walk lets go of the mmap lock for a waiting writer ---- */

#define YIELD_SIZE (64 * MIB)

struct yield_shared {
	volatile int stop;
	volatile uint64_t base;
	volatile double max_wait_ms;
	volatile unsigned long writes;
};

/* Takes the target's mmap lock for writing, back to back (mmap() and munmap()). */
static void *yield_writer(void *arg)
{
	struct yield_shared *sh = arg;
	cpu_set_t cpu1;

	/* beside the walk, on the other CPU: it queues for the lock while the walk holds it */
	CPU_ZERO(&cpu1);
	CPU_SET(1, &cpu1);
	sched_setaffinity(0, sizeof(cpu1), &cpu1);
	while (!sh->stop) {
		double t0 = now_ms(), dt;
		void *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q != MAP_FAILED)
			munmap(q, PAGE);
		dt = now_ms() - t0;
		if (dt > sh->max_wait_ms)
			sh->max_wait_ms = dt;
		sh->writes++;
	}
	return NULL;
}

static void pin_cpu0(void)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* The target: 64 MiB of 4 KiB pages, and a thread that takes the mmap lock for writing. */
static pid_t yield_target(struct yield_shared *sh)
{
	pid_t pid = fork();

	if (!pid) {
		pthread_t th;
		char *p = mmap(NULL, YIELD_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, YIELD_SIZE, MADV_NOHUGEPAGE);
		memset(p, 1, YIELD_SIZE);
		sh->base = (uintptr_t)p;
		if (pthread_create(&th, NULL, yield_writer, sh))
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

struct yield_seen {
	uint64_t base;
	uint8_t *present;
	unsigned int dup;
};

static int yield_region(void *arg, const struct lrg_region *r)
{
	struct yield_seen *ys = arg;
	unsigned int i;

	for (i = 0; i < LRG_PTES_PER_PMD; i++) {
		uint64_t addr = r->addr + i * PAGE;

		if (addr < ys->base || addr >= ys->base + YIELD_SIZE ||
		    !(r->present[i / 64] >> (i % 64) & 1))
			continue;
		if (ys->present[(addr - ys->base) / PAGE]++)
			ys->dup++;
	}
	return 0;
}

static int test_yield(void)
{
	struct yield_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct yield_seen ys = { 0 };
	struct lrg_kmod_info before = { 0 }, after = { 0 };
	unsigned int requests = 0, contended = 0, resumed = 0, round, h, bad = 0;
	uint64_t next = 0;
	pid_t target;
	size_t i, present = 0;
	double base_wait;

	if (sh == MAP_FAILED)
		return 1;
	memset((void *)sh, 0, sizeof(*sh));
	/* the walk on CPU 0, the writer on CPU 1 (yield_writer()) */
	pin_cpu0();
	target = yield_target(sh);
	for (i = 0; i < 600 && !sh->base; i++)
		usleep(100000);
	if (!ok(sh->base != 0, "target with %lu MiB of 4 KiB pages and a writer thread",
		YIELD_SIZE / MIB)) {
		kill(target, SIGKILL);
		return 1;
	}
	usleep(200000);
	base_wait = sh->max_wait_ms;
	sh->max_wait_ms = 0;
	ys.base = sh->base;
	ys.present = calloc(YIELD_SIZE / PAGE, 1);
	lrg_kmod_info(kmod, &before);

	/*
	 * Harvests of the whole address space, each resumed from NEXT_ADDR
	 * until COMPLETE, until one stopped CONTENDED after some progress
	 * (whether the writer holds the lock when the walk tries to take it
	 * back is a matter of timing): at most 10
	 */
	for (h = 0; h < 10 && !resumed; h++) {
		memset(ys.present, 0, YIELD_SIZE / PAGE);
		ys.dup = 0;
		next = 0;
		for (round = 0; round < 5000; round++) {
			struct lrg_kmod_harvest_args a = { .pid = target, .cgroup_fd = -1,
							   .flags = LRUGEN_F_NO_BUMP, .resume = next };
			struct lrg_walk_stats st;
			int ret = lrg_kmod_harvest(kmod, &a, yield_region, &ys, &st, &next);

			requests++;
			if (ret || st.status == LRUGEN_STATUS_COMPLETE)
				break;
			/* NEXT_ADDR 0: stopped before the first entry */
			if (st.status != LRUGEN_STATUS_CONTENDED) {
				ok(0, "status %u: COMPLETE or CONTENDED expected", st.status);
				break;
			}
			contended++;
			resumed += st.pte_total > 0;
		}
		for (i = 0, present = 0; i < YIELD_SIZE / PAGE; i++)
			present += ys.present[i] != 0;
		bad += present != YIELD_SIZE / PAGE || ys.dup;
	}
	lrg_kmod_info(kmod, &after);
	sh->stop = 1;
	usleep(100000);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);

	ok(after.counters[LRUGEN_C_YIELDED] > before.counters[LRUGEN_C_YIELDED],
	   "the walk let go of the mmap lock for the writer (LRUGEN_C_YIELDED +%" PRIu64 ")",
	   after.counters[LRUGEN_C_YIELDED] - before.counters[LRUGEN_C_YIELDED]);
	ok(resumed > 0,
	   "stopped CONTENDED after some progress %u times (%u CONTENDED in all), in %u requests "
	   "of %u harvests", resumed, contended, requests, h);
	ok(!bad, "each harvest, resumed from NEXT_ADDR until COMPLETE: every page present once "
	   "(%u harvests wrong; the last: %zu of %lu, %u twice)", bad, present, YIELD_SIZE / PAGE,
	   ys.dup);
	diag("the writer's longest mmap()+munmap(): %.1f ms during the harvests (%.1f ms before), "
	     "%lu of them", sh->max_wait_ms, base_wait, sh->writes);
	free(ys.present);
	munmap(sh, sizeof(*sh));
	return 0;
}

/* ---- a use through a cached translation ---- */

#define TLB_PAGES 16
#define TLB_ROUNDS 5
#define TLB_SWEEPS 1000		/* sweeps after each clear: each page read again */
#define TLB_WAIT_MS 30000	/* for those sweeps: a starved vCPU is not a stale TLB */

struct tlb_shared {
	uintptr_t base;
	volatile uint64_t sweeps;
};

static bool pin_to(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0;
}

/* Two CPUs this process may run on, lowest first; false if fewer. */
static bool two_cpus(int *ret_a, int *ret_b)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return false;
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (n++ == 0)
			*ret_a = cpu;
		else
			*ret_b = cpu;
	}
	return n == 2;
}

/* The sweeper: reads TLB_PAGES pages over and over, alone on its CPU. */
static pid_t tlb_sweeper(struct tlb_shared *sh, int cpu)
{
	pid_t parent = getpid(), pid = fork();

	if (!pid) {
		volatile char *p = mmap(NULL, TLB_PAGES * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t sink = 0;
		unsigned int i;

		/* never outlive the test: it spins on a CPU the next steps use */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		if (p == MAP_FAILED || !pin_to(cpu))
			_exit(1);
		for (i = 0; i < TLB_PAGES; i++)
			p[i * PAGE] = 1;
		sh->base = (uintptr_t)p;
		for (;;) {
			for (i = 0; i < TLB_PAGES; i++)
				sink += p[i * PAGE];
			sh->sweeps++;
		}
	}
	return pid;
}

struct tlb_seen {
	uint64_t base;
	uint32_t young;		/* bit i: page i read young */
};

static int tlb_region(void *arg, const struct lrg_region *r)
{
	struct tlb_seen *ts = arg;
	unsigned int i;

	for (i = 0; i < LRG_PTES_PER_PMD; i++) {
		uint64_t addr = r->addr + i * PAGE;

		if (addr >= ts->base && addr < ts->base + TLB_PAGES * PAGE &&
		    (r->young[i / 64] >> (i % 64) & 1))
			ts->young |= 1u << ((addr - ts->base) / PAGE);
	}
	return 0;
}

/* One harvest of the whole address space; how many sweeper pages read young. */
static int tlb_harvest(pid_t pid, uint64_t base, unsigned int *ret_young)
{
	struct tlb_seen ts = { .base = base };
	uint64_t next = 0;
	unsigned int round;

	for (round = 0; round < 100; round++) {
		struct lrg_kmod_harvest_args a = { .pid = pid, .cgroup_fd = -1,
						   .flags = LRUGEN_F_NO_BUMP, .resume = next };
		struct lrg_walk_stats st;
		int ret = lrg_kmod_harvest(kmod, &a, tlb_region, &ts, &st, &next);

		if (ret)
			return ret;
		if (st.status == LRUGEN_STATUS_COMPLETE) {
			*ret_young = (unsigned int)__builtin_popcount(ts.young);
			return 0;
		}
	}
	return -EAGAIN;
}

/* Wait until the sweeper has swept TLB_SWEEPS times more; false if it starved. */
static bool tlb_swept(const struct tlb_shared *sh)
{
	uint64_t from = sh->sweeps;
	double t0 = now_ms();

	while (sh->sweeps < from + TLB_SWEEPS) {
		if (now_ms() - t0 > TLB_WAIT_MS)
			return false;
		usleep(2000);
	}
	return true;
}

/*
 * The sweeper never leaves its CPU, so that CPU's TLB keeps the pages'
 * translations, and x86 sets an accessed bit only when it walks the page
 * tables. After a harvest cleared the bits, the next harvest reads the
 * pages young only if the module flushed the TLB of the CPUs that run
 * the mm (lrugen_flush_mm_tlbs): else a page in constant use reads idle.
 */
static int test_tlbcache(void)
{
	struct tlb_shared *sh;
	unsigned int round, young = 0, least = TLB_PAGES, errors = 0, starved = 0;
	int cpu_test, cpu_sweep, i;
	pid_t target;

	if (!two_cpus(&cpu_test, &cpu_sweep)) {
		printf("ok # SKIP tlbcache: fewer than two CPUs to run on; the sweeper needs "
		       "one of its own\n");
		return 0;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ok(sh != MAP_FAILED && pin_to(cpu_test), "tlbcache: the test on CPU %d", cpu_test))
		return 1;
	memset((void *)sh, 0, sizeof(*sh));
	target = tlb_sweeper(sh, cpu_sweep);
	for (i = 0; i < 600 && !sh->base; i++)
		usleep(10000);
	if (!ok(target > 0 && sh->base != 0, "a sweeper reading %d pages in a loop on CPU %d",
		TLB_PAGES, cpu_sweep)) {
		if (target > 0) {
			kill(target, SIGKILL);
			waitpid(target, NULL, 0);
		}
		munmap(sh, sizeof(*sh));
		return 1;
	}
	errors += tlb_harvest(target, sh->base, &young) != 0;
	for (round = 0; round < TLB_ROUNDS && !errors && !starved; round++) {
		if (!tlb_swept(sh)) {
			starved++;
			break;
		}
		errors += tlb_harvest(target, sh->base, &young) != 0;
		if (!errors && young < least)
			least = young;
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	munmap(sh, sizeof(*sh));
	ok(!starved, "the sweeper swept %d times between harvests, within %d s", TLB_SWEEPS,
	   TLB_WAIT_MS / 1000);
	ok(!errors, "%u harvests of the sweeper completed", TLB_ROUNDS + 1);
	ok(!errors && !starved && least == TLB_PAGES,
	   "each harvest after the first reads all %d pages in use young (the fewest: %u): "
	   "the module flushed the TLB that cached them", TLB_PAGES, least);
	return 0;
}

/* ---- harvests racing MADV_COLLAPSE of file (shmem) THPs ---- */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define COLLAPSE_SIZE (4 * MIB)

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &a, &b) == 2 &&
	       (a > major || (a == major && b >= minor));
}

/* A shared mapping of fd, PMD aligned (what a THP of the file needs). */
static char *map_aligned(int fd, size_t size)
{
	char *p = mmap(NULL, size + 2 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return NULL;
	q = (char *)(((uintptr_t)p + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1));
	q = mmap(q, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	return q == MAP_FAILED ? NULL : q;
}

static int test_collapse(unsigned int rounds)
{
	volatile int *stop = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	unsigned int collapsed = 0, r, pmd_mapped = 0;
	int fail_errno = 0;
	int fd = (int)syscall(SYS_memfd_create, "lrg-collapse", 0);
	int to_t[2], from_t[2];
	pid_t target, harvester;
	char *mine, c;
	int status = -1;

	if (!ok(fd >= 0 && ftruncate(fd, COLLAPSE_SIZE) == 0 && stop != MAP_FAILED &&
		!pipe(to_t) && !pipe(from_t), "a %lu MiB memfd (shmem)", COLLAPSE_SIZE / MIB))
		return 1;
	*stop = 0;
	mine = map_aligned(fd, COLLAPSE_SIZE);
	if (!ok(mine != NULL, "the memfd mapped PMD aligned"))
		return 1;
	/* never a THP at fault: the pages come small, and MADV_COLLAPSE makes THPs of them */
	write_file("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "never");
	memset(mine, 1, COLLAPSE_SIZE);
	if (madvise(mine, COLLAPSE_SIZE, MADV_COLLAPSE)) {
		if (errno == EINVAL) {
			skip("MADV_COLLAPSE of shmem not supported by this kernel");
			return 0;
		}
		ok(0, "MADV_COLLAPSE: %s", strerror(errno));
		return 1;
	}

	/* the target maps the file too: its PTE tables are the ones retracted */
	target = fork();
	if (!target) {
		char *p = map_aligned(fd, COLLAPSE_SIZE);

		while (read(to_t[0], &c, 1) == 1 && c == 't') {
			size_t i;

			for (i = 0; i < COLLAPSE_SIZE; i += PAGE)
				p[i]++;
			if (write(from_t[1], "d", 1) != 1)
				break;
		}
		_exit(0);
	}
	/* the harvester: whole-address-space harvests of the target, back to back */
	harvester = fork();
	if (!harvester) {
		struct lrg_kmod *k = NULL;
		char err[256];
		unsigned int h = 0, e = 0;

		if (lrg_kmod_open(&k, err, sizeof(err)))
			_exit(2);
		while (!*stop) {
			struct lrg_kmod_harvest_args a = { .pid = target, .cgroup_fd = -1 };
			struct lrg_walk_stats st;
			int ret = lrg_kmod_harvest(k, &a, NULL, NULL, &st, NULL);

			h++;
			if (ret && !e++)
				printf("# harvester: harvest %u: %s (%s)\n", h, strerror(-ret),
				       lrg_kmod_errmsg(k));
		}
		lrg_kmod_close(k);
		printf("# harvester: %u harvests, %u errors\n", h, e);
		_exit(e ? 3 : h ? 0 : 4);
	}

	for (r = 0; r < rounds; r++) {
		char line[256];
		FILE *f;

		/* the THPs go, the pages come back small, PTE-mapped in the target */
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, COLLAPSE_SIZE);
		memset(mine, 1, COLLAPSE_SIZE);
		if (write(to_t[1], "t", 1) != 1 || read(from_t[0], &c, 1) != 1)
			break;
		/* collapse_file(): the target's PTE tables retracted (6.6+: without its mmap lock) */
		if (madvise(mine, COLLAPSE_SIZE, MADV_COLLAPSE) == 0)
			collapsed++;
		else if (!fail_errno)
			fail_errno = errno;
		if (write(to_t[1], "t", 1) != 1 || read(from_t[0], &c, 1) != 1)
			break;
		snprintf(line, sizeof(line), "/proc/%d/smaps_rollup", target);
		f = fopen(line, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long kb;

			if (sscanf(line, "ShmemPmdMapped: %lu", &kb) == 1 && kb)
				pmd_mapped++;
		}
		if (f)
			fclose(f);
	}
	*stop = 1;
	if (write(to_t[1], "q", 1) != 1)
		kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	waitpid(harvester, &status, 0);
	/* a collapse may fail for a moment (EAGAIN: a folio not on the LRU yet) */
	ok(collapsed > rounds / 2, "MADV_COLLAPSE of the file's pages: %u of %u rounds (else %s)",
	   collapsed, rounds, fail_errno ? strerror(fail_errno) : "none failed");
	/*
	 * Until 6.6 khugepaged retracts another mm's PTE table only if it gets
	 * that mm's mmap lock for writing at once (which the harvests hold
	 * for reading); from 6.6 without it, the case the walk must survive
	 */
	if (kernel_at_least(6, 6))
		ok(pmd_mapped > 0, "the target's mapping PMD-mapped after a collapse (%u of %u "
		   "rounds): its PTE tables were retracted", pmd_mapped, rounds);
	else
		diag("the target's mapping PMD-mapped after %u of %u collapses (before 6.6)",
		     pmd_mapped, rounds);
	/* the harvester's exit: 2 no module, 3 a harvest failed, 4 none done */
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "harvests back to back meanwhile, none failed (harvester status %#x)", status);
	munmap(mine, COLLAPSE_SIZE);
	close(fd);
	return 0;
}

/* ---- harvests while lrugen.ko is unloaded and loaded again ---- */

static int test_reload(unsigned int secs)
{
	struct lrg_backend *b = NULL;
	struct lrg_mm_info mi = { 0 };
	struct lrg_harvest_req req = { .mm = &mi, .memcg_id = LRG_ROOT_MEMCG,
				       .flags = LRG_HARVEST_NO_BUMP };
	unsigned int dumps = 0, dumps_ok = 0, gone = 0, reopens = 0, other = 0;
	unsigned int bh = 0, bh_ok = 0, bh_enoent = 0, bh_other = 0;
	bool was_gone = false, back_ok = false;
	char err[256], first_other[300] = "";
	double end = now_ms() + secs * 1000.0;
	int ret;

	ret = lrg_kmod_backend_new(&b, err, sizeof(err));
	if (!ok(ret == 0, "kmod backend: %s", ret ? err : "ok"))
		return 1;
	area_size[AREA_THP] = 0;
	if (child_start()) {
		ok(0, "start child");
		return 1;
	}
	mi.pid = child;
	mi.start_time = start_time_of(child);
	while (now_ms() < end) {
		struct lrg_kmod_harvest_args a = { .pid = child, .cgroup_fd = -1,
						   .flags = LRUGEN_F_NO_BUMP, .dump = true };
		struct lrg_walk_stats st;
		unsigned int n = 0;

		/* the library: a HARVEST dump; the connection opened anew when the family is gone */
		if (kmod) {
			ret = lrg_kmod_harvest(kmod, &a, count_regions, &n, NULL, NULL);
			dumps++;
			if (!ret) {
				dumps_ok++;
			} else if (ret == -ENOENT) {
				gone++;
				lrg_kmod_close(kmod);
				kmod = NULL;
			} else if (!other++) {
				snprintf(first_other, sizeof(first_other), "dump: %s (%s)",
					 strerror(-ret), lrg_kmod_errmsg(kmod));
			}
		} else if (lrg_kmod_open(&kmod, err, sizeof(err)) == 0) {
			reopens++;
		} else {
			kmod = NULL;
		}
		/* the backend: never reopened, it finds the family again itself */
		ret = b->ops->harvest(b, &req, count_regions, &n, &st);
		bh++;
		if (!ret && st.status == LRG_HARVEST_COMPLETE) {
			bh_ok++;
			back_ok |= was_gone;
		} else if (ret == -ENOENT) {
			bh_enoent++;
			was_gone = true;
		} else if (!bh_other++ && !first_other[0]) {
			snprintf(first_other, sizeof(first_other), "backend: %s, status %u",
				 strerror(-ret), st.status);
		}
		usleep(5000);
	}
	child_stop();
	b->ops->destroy(b);
	ok(other == 0 && bh_other == 0, "only ENOENT while the module was away (%s)",
	   first_other[0] ? first_other : "no other error");
	ok(dumps_ok > 0 && gone > 0 && reopens > 0,
	   "library: %u HARVEST dumps, %u ok, %u ENOENT (family gone), %u reopened", dumps,
	   dumps_ok, gone, reopens);
	ok(bh_ok > 0 && bh_enoent > 0 && back_ok,
	   "backend: %u harvests, %u COMPLETE, %u ENOENT, COMPLETE again after a reload without "
	   "reopening", bh, bh_ok, bh_enoent);
	return 0;
}

/* ---- rmmod while a dump is open ---- */

/* Read one skb of a dump; regions counted, 1 at NLMSG_DONE (its errno in *ret_err). */
static int dump_read_one(int fd, unsigned int *regions, int *ret_err)
{
	static char rb[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;

	if (poll(&pfd, 1, 5000) <= 0)
		return -ETIMEDOUT;
	/*
	 * A page at most: the kernel sizes later dump skbs after the largest
	 * read, and a larger one would take the whole rest of the dump at once
	 */
	n = recv(fd, rb, 4096, 0);
	if (n <= 0)
		return -EIO;
	for (nlh = (struct nlmsghdr *)rb; NLMSG_OK(nlh, (unsigned int)n); nlh = NLMSG_NEXT(nlh, n)) {
		const char *p = (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN;
		int rem = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
			*ret_err = nlh->nlmsg_type == NLMSG_DONE ? *(int *)NLMSG_DATA(nlh) :
				   ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			return 1;
		}
		while (rem >= NLA_HDRLEN) {
			const struct nlattr *a = (const struct nlattr *)p;

			if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
				break;
			*regions += (a->nla_type & NLA_TYPE_MASK) == LRUGEN_A_REGION;
			rem -= NLA_ALIGN(a->nla_len);
			p += NLA_ALIGN(a->nla_len);
		}
	}
	return 0;
}

static int test_dumprmmod(void)
{
	const char *ko = getenv("LRG_KO");
	unsigned int regions = 0, reads = 0;
	int fd = raw_socket(), ret, err = 0, sync[2];
	struct rawmsg m;
	char cmd[512], c;
	size_t off = 0;
	uint32_t v;
	pid_t target;

	/* 128 regions of one page each: a dump of full bitmaps takes several skbs */
	if (!ko || pipe(sync))
		return ok(0, "LRG_KO set"), 1;
	target = fork();
	if (!target) {
		char *p = mmap(NULL, 256 * MIB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		size_t i;

		for (i = 0; p != MAP_FAILED && i < 256 * MIB; i += 2 * MIB)
			p[i] = 1;
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(sync[0], &c, 1) != 1)
		return ok(0, "target ready"), 1;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
	m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	m.gh.cmd = LRUGEN_CMD_HARVEST;
	m.gh.version = LRUGEN_GENL_VERSION;
	v = (uint32_t)target;
	off += put_attr(m.attrs + off, LRUGEN_A_PID, &v, 4);
	m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
	ret = send(fd, &m, m.nlh.nlmsg_len, 0) < 0 ? -errno : dump_read_one(fd, &regions, &err);
	reads++;
	ok(ret == 0, "a HARVEST dump open: its first skb read (%d, %u regions so far)", ret, regions);

	/* the dump holds the module: rmmod must wait for it, and fail now */
	ret = system("rmmod lrugen 2>/dev/null");
	ok(ret != 0 && access("/sys/module/lrugen", F_OK) == 0,
	   "rmmod while the dump is open: refused, the module stays (status %d)", ret);
	do {
		ret = dump_read_one(fd, &regions, &err);
		reads++;
	} while (ret == 0);
	ok(ret == 1 && err == 0 && regions >= 128,
	   "the dump ends whole after it: %u regions in %u reads, NLMSG_DONE %d", regions, reads,
	   err);

	ret = system("rmmod lrugen");
	ok(ret == 0 && access("/sys/module/lrugen", F_OK) != 0, "rmmod once the dump is done (%d)",
	   ret);
	ret = lrg_kmod_harvest(kmod, &(struct lrg_kmod_harvest_args){ .pid = target,
		.cgroup_fd = -1, .dump = true }, NULL, NULL, NULL, NULL);
	ok(ret == -ENOENT, "a HARVEST sent to the family now: ENOENT (%d \"%s\")", ret,
	   lrg_kmod_errmsg(kmod));
	snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
	ok(system(cmd) == 0, "insmod again");
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	close(fd);
	return 0;
}

/* ---- EPERM ---- */

static int test_eperm(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char err[256] = "";
	struct lrg_kmod *k = NULL;
	int ret;

	/* drop CAP_NET_ADMIN from every set, keep the rest of root's power */
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective &= ~(1u << CAP_NET_ADMIN);
		d[0].permitted &= ~(1u << CAP_NET_ADMIN);
		d[0].inheritable &= ~(1u << CAP_NET_ADMIN);
		ret = (int)syscall(SYS_capset, &h, d);
	} else {
		ret = -1;
	}
	ok(ret == 0, "dropped CAP_NET_ADMIN");
	ret = lrg_kmod_open(&k, err, sizeof(err));
	ok(ret == -EPERM, "open (INFO) without CAP_NET_ADMIN: %s (%s)", strerror(-ret), err);
	{
		struct rawmsg m;
		int fd = raw_socket();
		uint32_t v = (uint32_t)getpid();
		int fam;
		struct lrg_kmod *dummy = NULL;

		(void)dummy;
		/* the family id from the parent: passed in LRG_FAMILY */
		fam = getenv("LRG_FAMILY") ? atoi(getenv("LRG_FAMILY")) : 0;
		memset(&m, 0, sizeof(m));
		m.nlh.nlmsg_type = (uint16_t)fam;
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		m.gh.cmd = LRUGEN_CMD_HARVEST;
		m.gh.version = 1;
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + put_attr(m.attrs, LRUGEN_A_PID, &v, 4));
		ok(fam > 0 && raw_send(fd, &m, m.nlh.nlmsg_len) == -EPERM, "HARVEST without CAP_NET_ADMIN: EPERM");
		m.gh.cmd = LRUGEN_CMD_BUMP;
		m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		ok(fam > 0 && raw_send(fd, &m, m.nlh.nlmsg_len) == -EPERM, "BUMP without CAP_NET_ADMIN: EPERM");
		m.gh.cmd = LRUGEN_CMD_HARVEST_ONE;
		m.nlh.nlmsg_flags = NLM_F_REQUEST;
		ok(fam > 0 && raw_send(fd, &m, m.nlh.nlmsg_len) == -EPERM,
		   "HARVEST_ONE without CAP_NET_ADMIN: EPERM");
		close(fd);
	}
	return 0;
}

/* ---- fuzz ---- */

static uint32_t rnd(void)
{
	return (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

static int test_fuzz(unsigned int n)
{
	static const uint16_t lens[] = { 0, 1, 2, 4, 8, 12, 16, 32, 64, 65, 4096 };
	unsigned int i, errors = 0, accepted = 0, timeouts = 0;
	int fd = raw_socket();
	struct lrg_kmod_info info;
	pid_t target;
	struct rawmsg m;

	/* a live target, so that mutated valid requests reach the walk */
	target = fork();
	if (!target) {
		char *p = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		for (;;) {
			size_t j;

			for (j = 0; j < 8 * MIB; j += PAGE)
				p[j]++;
			usleep(1000);
		}
	}

	for (i = 0; i < n; i++) {
		size_t off = 0;
		unsigned int j, nattrs = rnd() % 6;
		int ret;

		memset(&m, 0, sizeof(m));
		m.nlh.nlmsg_type = (uint16_t)lrg_kmod_family(kmod);
		m.nlh.nlmsg_flags = NLM_F_REQUEST | (rnd() % 2 ? NLM_F_DUMP : NLM_F_ACK);
		m.gh.cmd = (uint8_t)(rnd() % 5);
		m.gh.version = (uint8_t)(rnd() % 4 ? 1 : rnd());
		if (i % 2) {
			/* a valid request, then mutated */
			uint32_t pid = rnd() % 8 ? (uint32_t)target : rnd() % 64;
			uint32_t flags = rnd() % 8;
			struct lrugen_range rr[4];
			unsigned int nr = rnd() % 5;

			for (j = 0; j < nr; j++) {
				uint64_t s = (uint64_t)(rnd() % 0x8000) << 21;

				rr[j].start = s;
				rr[j].end = s + ((uint64_t)(rnd() % 1024 + 1) << 12);
			}
			off += put_attr(m.attrs + off, LRUGEN_A_PID, &pid, 4);
			off += put_attr(m.attrs + off, LRUGEN_A_FLAGS, &flags, 4);
			if (nr)
				off += put_attr(m.attrs + off, LRUGEN_A_RANGES, rr, (uint16_t)(nr * 16));
			for (j = 0; j < 1 + rnd() % 4; j++)
				m.attrs[rnd() % (off + 1)] ^= (char)(1u << (rnd() % 8));
		} else {
			for (j = 0; j < nattrs; j++) {
				char data[4096];
				uint16_t len = lens[rnd() % (sizeof(lens) / sizeof(lens[0]))];
				uint16_t type = (uint16_t)(rnd() % (LRUGEN_A_MAX + 3));
				unsigned int b;

				for (b = 0; b < len; b++)
					data[b] = (char)rnd();
				if (type == LRUGEN_A_PID && len == 4)
					memcpy(data, &target, 4);
				if (rnd() % 4 == 0)
					type |= NLA_F_NESTED;
				if (off + NLA_HDRLEN + len > sizeof(m.attrs))
					break;
				off += put_attr(m.attrs + off, type, data, len);
			}
			if (off && rnd() % 8 == 0)	/* a lying length */
				((struct nlattr *)m.attrs)->nla_len = (uint16_t)rnd();
		}
		m.nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + off);
		ret = raw_send(fd, &m, m.nlh.nlmsg_len);
		if (ret == -ETIMEDOUT)
			timeouts++;
		else if (ret < 0)
			errors++;
		else
			accepted++;
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	close(fd);
	ok(errors + accepted + timeouts == n, "%u fuzz messages sent: %u refused, %u accepted, %u unanswered",
	   n, errors, accepted, timeouts);
	ok(timeouts == 0, "every fuzz message answered");
	memset(&info, 0, sizeof(info));
	i = (unsigned int)lrg_kmod_info(kmod, &info);
	ok(i == 0, "INFO works after fuzzing (%" PRIu64 " rejected so far)",
	   info.counters[LRUGEN_C_REJECTED]);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256] = "";
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned int seed = (unsigned int)time(NULL);
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("LRG_SEED"))
		seed = (unsigned int)strtoul(getenv("LRG_SEED"), NULL, 0);
	srand(seed);
	file_path = getenv("LRG_FILE") ? getenv("LRG_FILE") : "/proc/self/exe";

	if (!strcmp(mode, "eperm"))
		return test_eperm(), tap_done();
	if (!strcmp(mode, "absent")) {
		/* on a host without lrugen.ko: a clear -ENOENT, never a crash */
		ret = lrg_kmod_open(&kmod, err, sizeof(err));
		if (ret == 0) {
			lrg_kmod_close(kmod);
			printf("1..0 # SKIP lrugen.ko is loaded on this host\n");
			return 0;
		}
		ok(ret == -ENOENT && strstr(err, "lrugen.ko"), "open without the module: %s (%s)",
		   strerror(-ret), err);
		return tap_done();
	}

	ret = lrg_kmod_open(&kmod, err, sizeof(err));
	if (!ok(ret == 0, "%s: open lrugen.ko (%s)", mode, ret ? err : "ok"))
		return tap_done();
	diag("%s: seed %u (LRG_SEED=%u reproduces)", mode, seed, seed);

	if (!strcmp(mode, "info")) {
		struct lrg_kmod_info info;

		memset(&info, 0, sizeof(info));
		ret = lrg_kmod_info(kmod, &info);
		ok(ret == 0 && info.abi_version == LRUGEN_ABI_VERSION &&
		   (info.caps & LRUGEN_CAP_HW_YOUNG) && info.max_ranges == LRUGEN_MAX_RANGES,
		   "INFO: ABI %u, release %s, caps %#x, max ranges %u, max regions %u", info.abi_version,
		   info.release, info.caps, info.max_ranges, info.max_regions);
		printf("LRG_FAMILY=%d\n", lrg_kmod_family(kmod));
	} else if (!strcmp(mode, "correctness")) {
		test_correctness();
	} else if (!strcmp(mode, "resume")) {
		test_resume();
	} else if (!strcmp(mode, "memcg") && argc > 2) {
		test_memcg(argv[2]);
	} else if (!strcmp(mode, "bump")) {
		test_bump();
	} else if (!strcmp(mode, "contention")) {
		test_contention();
	} else if (!strcmp(mode, "race")) {
		test_race();
	} else if (!strcmp(mode, "pidfd")) {
		test_pidfd();
	} else if (!strcmp(mode, "compact")) {
		test_compact();
	} else if (!strcmp(mode, "memcg2") && argc > 2) {
		test_memcg2(argv[2]);
	} else if (!strcmp(mode, "pidreuse")) {
		test_pidreuse();
	} else if (!strcmp(mode, "pidfdfallback")) {
		test_pidfd_fallback();
	} else if (!strcmp(mode, "filekinds")) {
		test_filekinds();
	} else if (!strcmp(mode, "harvestone")) {
		test_harvestone();
	} else if (!strcmp(mode, "badinput")) {
		test_badinput();
	} else if (!strcmp(mode, "ptrace") && argc > 2) {
		test_ptrace((pid_t)atoi(argv[2]));
	} else if (!strcmp(mode, "yield")) {
		test_yield();
	} else if (!strcmp(mode, "tlbcache")) {
		test_tlbcache();
	} else if (!strcmp(mode, "dumprmmod")) {
		test_dumprmmod();
	} else if (!strcmp(mode, "reload")) {
		test_reload(argc > 2 ? (unsigned int)atoi(argv[2]) : 30);
	} else if (!strcmp(mode, "collapse")) {
		test_collapse(argc > 2 ? (unsigned int)atoi(argv[2]) : 20);
	} else if (!strcmp(mode, "fuzz")) {
		test_fuzz(argc > 2 ? (unsigned int)atoi(argv[2]) : 10000);
	} else {
		ok(0, "unknown mode '%s'", mode);
	}
	child_stop();
	lrg_kmod_close(kmod);
	return tap_done();
}
