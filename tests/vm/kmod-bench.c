// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmod-bench.c - cost of one harvest of a 256 MiB process, next to MGLRU's
 * own aging (debugfs "+" command) and clear_refs + smaps, at 0/25/100%
 * young, THP off and on, best of LRG_BENCH_REPS (5) runs each. With the
 * lrugen:harvest_done tracepoint (tracefs at /sys/kernel/tracing) it also
 * shows the page table walk alone (walk_ns), without the netlink round trip,
 * from harvests of their own (the end-to-end ones run untraced).
 *
 * Like for like: MGLRU's aging on a CPU that sets accessed bits in non-leaf
 * PMD entries (x86, lru_gen enabled 0x0007) skips every PTE table whose
 * PMD entry is not young, even with force_scan. The kmod column does the
 * same (LRUGEN_F_YOUNG_TABLES, what lrugend asks for when its Bloom filter
 * holds nothing); "whole" walks every table (no ranges, no flag). Both are
 * end to end through the client library (compact regions, ABI 2). They
 * leave the kernel's LRU alone (LRUGEN_F_NO_BUMP), while MGLRU's aging
 * moves each young folio to the youngest generation: the "bump" column is
 * the kmod harvest with the generation bump (folio_mark_accessed() of the
 * young folios), as lrugend harvests by default, so that its cost shows.
 * Run in the VM by tests/vm/bench-harvest.sh; the figures are TCG figures:
 * compare the columns, not with native numbers.
 *
 *   lrg-kmod-bench CGROUP_DIR   (a cgroup2 directory the target is put in)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "backend_kmod.h"

#define SIZE (256UL << 20)
#define PAGE 4096UL
#define NPAGES (SIZE / PAGE)

static int to_child[2], to_parent[2];
static unsigned char pcts_now;	/* what the child touches, for bump_ns() */
static char *area;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

/* The child touches pct% of its pages on each command byte. */
static void child_main(int thp)
{
	unsigned char pct;
	size_t i;

	area = mmap(NULL, SIZE + (2UL << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	area = (char *)(((uintptr_t)area + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	madvise(area, SIZE, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	while (read(to_child[0], &pct, 1) == 1) {
		if (pct == 255)
			break;
		for (i = 0; i < NPAGES; i++)
			if (pct == 100 || (pct && (i * 2654435761UL >> 7) % 100 < pct))
				area[i * PAGE] = (char)i;	/* a write: a read would map the huge zero page, whose COW splits */
		if (write(to_parent[1], &pct, 1) != 1)
			break;
	}
	_exit(0);
}

static void cmd(unsigned char pct)
{
	unsigned char r;

	if (write(to_child[1], &pct, 1) != 1 || read(to_parent[0], &r, 1) != 1)
		exit(1);
}

/* memcg id and max_seq of node 0 for the cgroup at path (from debugfs). */
static int mglru_ids(const char *cgpath, unsigned long *ret_id, unsigned long *ret_max_seq)
{
	FILE *f = fopen("/sys/kernel/debug/lru_gen", "r");
	char line[512], path[256];
	unsigned long id = 0, seq, max_seq = 0;
	int mine = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "memcg %lu %255s", &id, path) == 2) {
			mine = !strcmp(path, cgpath);
			if (mine)
				*ret_id = id;
		} else if (mine && sscanf(line, " %lu %*u %*d %*d", &seq) == 1 && seq > max_seq) {
			max_seq = seq;
		}
	}
	fclose(f);
	*ret_max_seq = max_seq;
	return max_seq ? 0 : -ENOENT;
}

/* AnonHugePages of pid, in MiB: whether THP really maps the area. */
static unsigned long thp_mib(pid_t pid)
{
	char path[64], line[256];
	unsigned long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb / 1024;
}

/* The walk time lrugen.ko traced for the last harvest of pid (lrugen:harvest_done). */
static const char *trace_dir = "/sys/kernel/tracing";
static int tracing;

static void trace_clear(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/trace", trace_dir);
	if (tracing)
		write_str(path, "\n");
}

static double trace_walk_ns(pid_t pid)
{
	char path[256], line[512], want[32];
	double ns = -1;
	FILE *f;

	if (!tracing)
		return -1;
	snprintf(path, sizeof(path), "%s/trace", trace_dir);
	snprintf(want, sizeof(want), " pid=%d ", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *w = strstr(line, "walk_ns=");

		if (strstr(line, "harvest_done:") && strstr(line, want) && w)
			ns = strtod(w + 8, NULL);
	}
	fclose(f);
	return ns;
}

#define LRG_BENCH_CG (1U << 31)
static int cg_fd = -1;	/* >= 0: harvests filter by the bench's cgroup (flag LRG_BENCH_CG) */
/* with the generation bump (what lrugend asks for), else LRUGEN_F_NO_BUMP */
#define LRG_BENCH_BUMP (1U << 30)

static double harvest_ns(struct lrg_kmod *k, pid_t pid, const struct lrugen_range *r,
			 unsigned int flags, struct lrg_walk_stats *st, double *ret_walk_ns)
{
	struct lrg_kmod_harvest_args a = { .pid = pid,
					   .cgroup_fd = (flags & LRG_BENCH_CG) ? cg_fd : -1,
					   .flags = ((flags & LRG_BENCH_BUMP) ? 0 : LRUGEN_F_NO_BUMP) |
						    (flags & ~(LRG_BENCH_CG | LRG_BENCH_BUMP)),
					   .ranges = r, .nr_ranges = r ? 1 : 0 };
	char path[256];
	double t;

	/*
	 * The tracepoint only for the walk's own time: an event written costs
	 * the harvest itself (MGLRU has none), so end to end runs without it.
	 */
	snprintf(path, sizeof(path), "%s/events/lrugen/harvest_done/enable", trace_dir);
	if (ret_walk_ns && tracing) {
		write_str(path, "1");
		trace_clear();
	}
	t = now_ns();
	if (lrg_kmod_harvest(k, &a, NULL, NULL, st, NULL))
		t = -1;
	else
		t = now_ns() - t;
	if (ret_walk_ns && tracing) {
		write_str(path, "0");
		*ret_walk_ns = trace_walk_ns(pid);
	} else if (ret_walk_ns) {
		*ret_walk_ns = -1;
	}
	return t;
}

static void cmd(unsigned char pct);

/* cmd(), then a timed harvest with the bump; *ret_bumped: folios it passed on */
static double bump_ns(struct lrg_kmod *k, pid_t pid, unsigned int flags, uint64_t *ret_bumped)
{
	struct lrg_kmod_info i0, i1;
	struct lrg_walk_stats st;
	int ok = lrg_kmod_info(k, &i0) == 0;
	double t;

	cmd(pcts_now);
	t = harvest_ns(k, pid, NULL, flags | LRG_BENCH_BUMP, &st, NULL);
	if (ok && lrg_kmod_info(k, &i1) == 0)
		*ret_bumped = i1.counters[LRUGEN_C_BUMPED] - i0.counters[LRUGEN_C_BUMPED];
	return t;
}

static double min_pos(double a, double b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static double clear_refs_ns(pid_t pid, unsigned long *ret_ref_kb)
{
	char path[64], line[256];
	unsigned long kb, sum = 0;
	double t = now_ns();
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Referenced: %lu kB", &kb) == 1)
			sum += kb;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	write_str(path, "1");
	*ret_ref_kb = sum;
	return now_ns() - t;
}

int main(int argc, char **argv)
{
	static const unsigned char pcts[] = { 0, 25, 100 };
	const char *cgdir = argc > 1 ? argv[1] : "/sys/fs/cgroup/lrg-bench";
	int first = getenv("LRG_BENCH_THP_ONLY") ? 1 : 0;
	int reps = getenv("LRG_BENCH_REPS") ? atoi(getenv("LRG_BENCH_REPS")) : 5;
	struct lrg_kmod *k;
	char err[256], buf[256];
	unsigned int young_tables = 0;
	int thp, p, r;
	cpu_set_t one;

	if (lrg_kmod_open(&k, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	mkdir(cgdir, 0755);
	cg_fd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lrg_kmod_get_info(k)->abi_version >= 2 &&
	    (lrg_kmod_get_info(k)->caps & LRUGEN_CAP_NONLEAF_YOUNG))
		young_tables = LRUGEN_F_YOUNG_TABLES;
	snprintf(buf, sizeof(buf), "%s/events/lrugen/harvest_done/enable", trace_dir);
	tracing = write_str(buf, "0") == 0;

	printf("# 256 MiB anon, %lu pages, best of %d; TCG figures: compare columns\n", NPAGES, reps);
	printf("# kmod/pg: ns per 4 KiB page of the area of a harvest as user space sees it\n"
	       "#   (client library, compact regions%s), ptes: leaf entries it\n"
	       "#   scanned (a PMD-mapped THP is one); walk/pg: the page table walk alone\n"
	       "#   (walk_ns of lrugen:harvest_done); whole/pg: end to end, every PTE table\n"
	       "#   walked; memcg/pg: as kmod/pg, with the memcg filter lrugend uses\n"
	       "#   (a page's memcg is checked, old pages too); kmod, walk, whole and\n"
	       "#   memcg with LRUGEN_F_NO_BUMP; bump/pg: as kmod/pg with the generation\n"
	       "#   bump (folio_mark_accessed() of young folios: lrugend's default),\n"
	       "#   here with the first sightings of the young folios (MGLRU's round\n"
	       "#   before left them unreferenced: referenced, then activated), hot/pg\n"
	       "#   the same a harvest later (active and referenced: passed on no more);\n"
	       "#   bumped: folios passed to folio_mark_accessed() (module counter, last\n"
	       "#   run; folios already active and referenced are not); mglru/pg: a forced aging\n"
	       "#   (debugfs +) of the same memcg, which moves young folios to the\n"
	       "#   youngest generation;\n"
	       "#   kmod/mglru, bump/mglru, hot/mglru, memcg/mglru: the ratios; clref/pg: smaps read\n"
	       "#   + clear_refs\n",
	       young_tables ? ", LRUGEN_F_YOUNG_TABLES" : ", no YOUNG_TABLES: module too old");
	printf("# %-4s %5s | %7s %5s %7s %7s %6s %7s %6s %8s %8s | %8s | %10s %10s %9s %11s | %8s %7s\n",
	       "thp", "young", "kmod/pg", "ptes", "walk/pg", "bump/pg", "bumped", "hot/pg", "bumped",
	       "whole/pg", "memcg/pg", "mglru/pg", "kmod/mglru", "bump/mglru", "hot/mglru",
	       "memcg/mglru", "clref/pg", "ref MiB");
	for (thp = first; thp < 2; thp++) {
		pid_t pid;

		write_str("/sys/kernel/mm/transparent_hugepage/enabled", thp ? "always" : "never");
		if (pipe(to_child) || pipe(to_parent))
			return 1;
		pid = fork();
		if (!pid)
			child_main(thp);
		snprintf(buf, sizeof(buf), "%s/cgroup.procs", cgdir);
		snprintf(err, sizeof(err), "%d", pid);
		write_str(buf, err);
		printf("# thp %d: populate\n", thp);
		cmd(100);
		printf("# thp %d: %lu MiB mapped by THP\n", thp, thp_mib(pid));
		{
			/* the fixed cost: a harvest of one page where nothing is mapped */
			struct lrugen_range none = { 4096, 8192 };
			struct lrg_walk_stats st;
			double t = -1, w = -1, y = -1;

			for (r = 0; r < reps; r++) {
				t = min_pos(t, harvest_ns(k, pid, &none, 0, &st, NULL));
				harvest_ns(k, pid, &none, 0, &st, &y);
				w = min_pos(w, y);
			}
			printf("# thp %d: a harvest of nothing costs %.1f us (walk %.1f us)\n", thp,
			       t / 1e3, w / 1e3);
		}
		for (p = 0; p < 3; p++) {
			struct lrg_walk_stats st = { 0 }, st2;
			unsigned long id = 0, seq = 0, ref = 0;
			double tk = -1, tw = -1, tb = -1, tt = -1, th = -1, tg = -1, tm = -1, tc = -1;
			double x, y = -1;
			uint64_t bumped = 0, hot_bumped = 0;

			pcts_now = pcts[p];

			/*
			 * The methods take turns, rep by rep, so that each one's
			 * best comes from the same stretch of time (other VMs
			 * share the host). Each starts from cleared bits.
			 */
			printf("# thp %d young %u: kmod, whole, mglru, clear_refs x %d\n", thp, pcts[p], reps);
			for (r = 0; r < reps; r++) {
				harvest_ns(k, pid, NULL, young_tables, &st, NULL);	/* clear */
				cmd(pcts[p]);
				tk = min_pos(tk, harvest_ns(k, pid, NULL, young_tables, &st, NULL));

				/* the same again, traced: the walk's own time */
				harvest_ns(k, pid, NULL, young_tables, &st2, NULL);
				cmd(pcts[p]);
				harvest_ns(k, pid, NULL, young_tables, &st2, &y);
				tw = min_pos(tw, y);

				/*
				 * With the bump, as lrugend harvests (the clearing one
				 * too): "bump" right after MGLRU's round of the rep
				 * before left the young folios on the classic LRU
				 * unreferenced, so the clearing harvest marks them
				 * referenced and the timed one activates them (list
				 * moves: the first sightings of a hot page); "hot" a
				 * harvest later, in the steady state of a hot page
				 * (active and referenced: nothing to pass on). The
				 * module's counters are read before the touches, not
				 * right before the timing: an INFO round trip there
				 * warms the netlink path up.
				 */
				harvest_ns(k, pid, NULL, young_tables | LRG_BENCH_BUMP, &st2, NULL);
				tb = min_pos(tb, bump_ns(k, pid, young_tables, &bumped));
				harvest_ns(k, pid, NULL, young_tables | LRG_BENCH_BUMP, &st2, NULL);
				tt = min_pos(tt, bump_ns(k, pid, young_tables, &hot_bumped));

				harvest_ns(k, pid, NULL, 0, &st2, NULL);
				cmd(pcts[p]);
				th = min_pos(th, harvest_ns(k, pid, NULL, 0, &st2, NULL));

				/* as lrugend asks: only the pages of the target's memcg */
				harvest_ns(k, pid, NULL, young_tables | LRG_BENCH_CG, &st2, NULL);
				cmd(pcts[p]);
				tg = min_pos(tg, harvest_ns(k, pid, NULL, young_tables | LRG_BENCH_CG, &st2, NULL));

				/*
				 * MGLRU aging of the same memcg: one forced walk. Like
				 * every method, timed right after the child's touches:
				 * MGLRU is switched on and its debugfs file read before
				 * them, not between them and the timing (that warmed
				 * MGLRU's path up, and only MGLRU's).
				 */
				if (write_str("/sys/kernel/mm/lru_gen/enabled", "y") == 0 &&
				    mglru_ids(cgdir + strlen("/sys/fs/cgroup"), &id, &seq) == 0) {
					snprintf(buf, sizeof(buf), "+ %lu 0 %lu 1 1", id, seq);
					cmd(pcts[p]);
					x = now_ns();
					if (write_str("/sys/kernel/debug/lru_gen", buf))
						x = -1;
					else
						x = now_ns() - x;
					tm = min_pos(tm, x);
				}
				write_str("/sys/kernel/mm/lru_gen/enabled", "n");

				/* clear_refs + smaps: one read and one clear */
				clear_refs_ns(pid, &ref);
				cmd(pcts[p]);
				tc = min_pos(tc, clear_refs_ns(pid, &ref));
			}

			printf("  %-4s %4u%% | %7.1f %5" PRIu64 " %7.1f %7.1f %6" PRIu64 " %7.1f %6" PRIu64
			       " %8.1f %8.1f | %8.1f | %10.2f %10.2f %9.2f %11.2f | %8.1f %7lu\n",
			       thp ? "on" : "off", pcts[p], tk / NPAGES, st.pte_total,
			       tw > 0 ? tw / NPAGES : -1, tb / NPAGES, bumped, tt / NPAGES, hot_bumped,
			       th / NPAGES, tg / NPAGES, tm > 0 ? tm / NPAGES : -1,
			       tm > 0 ? tk / tm : -1, tm > 0 ? tb / tm : -1, tm > 0 ? tt / tm : -1,
			       tm > 0 ? tg / tm : -1, tc / NPAGES, ref / 1024);
		}
		{
			unsigned char q = 255;

			/* the child exits without answering */
			if (write(to_child[1], &q, 1) != 1)
				return 1;
		}
		waitpid(pid, NULL, 0);
		close(to_child[0]);
		close(to_child[1]);
		close(to_parent[0]);
		close(to_parent[1]);
	}
	if (cg_fd >= 0)
		close(cg_fd);
	rmdir(cgdir);
	lrg_kmod_close(k);
	return 0;
}
