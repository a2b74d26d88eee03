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
 * Per PTE as the marginal cost: a 64 MiB process (a memcg of its own, the
 * same 256 MiB mapping of which it populates and touches only the first
 * 64 MiB, so that both have the same address-space layout) is timed by the
 * same methods (but "whole") in the same reps, each step right after the
 * 256 MiB one's, and a last table gives per method the slope
 * (T_256 - T_64) / (65536 - 16384 pages), ns per page, and the fixed part
 * T_64 - slope * 16384, us per request (system call, netlink round trip or
 * debugfs open/write/close, the target's other VMAs), with the slope ratios
 * to MGLRU. The 256 MiB table is as before. With THP on, where 64 to 256 MiB
 * is only 96 THPs (100-300 us between two times that move by tens of us), a
 * 768 MiB process (its own memcg, the same program) can be timed in the same
 * reps too (LRG_BENCH_BIG=1), and a last table gives the slope over 64 to
 * 768 MiB (352 THPs).
 * "dump" is kmod with the HARVEST dump alone, as the client did before
 * HARVEST_ONE (ABI 4), which kmod and the others ask first.
 * "kmodP" and "mglruP" (primed) are kmod and MGLRU with each one's request
 * path warmed by a request of its own that walks nothing, right before the
 * timed one, so that what is left is mostly the walk: a table of their own
 * gives them per page, their slopes, and the median of per-rep ratios.
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
#define SMALL (64UL << 20)	/* the second size, for the slope */
/*
 * THP on only: a third size, for a slope over 64 to 768 MiB, whose
 * difference is 3.7 times that of 64 to 256 MiB (with LRG_BENCH_BIG=1 only)
 */
#define BIG (768UL << 20)
#define NTGT 3
#define MAX_REPS 64	/* per-rep figures kept of the primed pair */

/*
 * One target process: the 256 MiB one (the main table) or the 64 MiB one
 * (only for the slope and fixed part), each in a memcg of its own so that
 * MGLRU's aging of one memcg walks one process.
 */
struct target {
	pid_t pid;
	int to_child[2], to_parent[2];
	unsigned long size, npages;
	char cgdir[128];
	int cg_fd;	/* harvests with LRG_BENCH_CG filter by this memcg */
	unsigned long memcg_id;
};

static unsigned char pcts_now;	/* what the children touch, for bump_ns() */
static unsigned int mglru_primed_bad;	/* primed agings whose max_seq did not go one up */
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

/*
 * The child touches pct% of its pages on each command byte. Both sizes map
 * the same SIZE (the same layout); the small one uses its first t->size.
 */
static void child_main(const struct target *t, int thp)
{
	unsigned char pct;
	size_t i;

	size_t len = t->size > SIZE ? t->size : SIZE;

	area = mmap(NULL, len + (2UL << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	area = (char *)(((uintptr_t)area + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	madvise(area, t->size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	while (read(t->to_child[0], &pct, 1) == 1) {
		if (pct == 255)
			break;
		for (i = 0; i < t->npages; i++)
			if (pct == 100 || (pct && (i * 2654435761UL >> 7) % 100 < pct))
				area[i * PAGE] = (char)i;	/* a write: a read would map the huge zero page, whose COW splits */
		if (write(t->to_parent[1], &pct, 1) != 1)
			break;
	}
	_exit(0);
}

static void cmd(const struct target *t, unsigned char pct)
{
	unsigned char r;

	if (write(t->to_child[1], &pct, 1) != 1 || read(t->to_parent[0], &r, 1) != 1)
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

/* The walk time lrugen.ko traced for the harvest of pid since trace_clear() (lrugen:harvest_done). */
static const char *trace_dir = "/sys/kernel/tracing";
static int tracing;

static void trace_clear(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/trace", trace_dir);
	if (tracing) {
		/* only an open with O_TRUNC empties the trace buffer */
		int fd = open(path, O_WRONLY | O_TRUNC);

		if (fd >= 0)
			close(fd);
	}
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
	/*
	 * Every harvest_done of the harvest: HARVEST_ONE whose reply was full
	 * (status=more) and the dump that did the rest are two
	 */
	while (fgets(line, sizeof(line), f)) {
		const char *w = strstr(line, "walk_ns=");

		if (strstr(line, "harvest_done:") && strstr(line, want) && w)
			ns = (ns < 0 ? 0 : ns) + strtod(w + 8, NULL);
	}
	fclose(f);
	return ns;
}

#define LRG_BENCH_CG (1U << 31)	/* filter by the target's memcg */
/* with the generation bump (what lrugend asks for), else LRUGEN_F_NO_BUMP */
#define LRG_BENCH_BUMP (1U << 30)
/* the HARVEST dump alone (the client's way before ABI 4), not HARVEST_ONE first */
#define LRG_BENCH_DUMP (1U << 29)
#define LRG_BENCH_OWN (LRG_BENCH_CG | LRG_BENCH_BUMP | LRG_BENCH_DUMP)

static double harvest_ns(struct lrg_kmod *k, const struct target *tg, const struct lrugen_range *r,
			 unsigned int flags, struct lrg_walk_stats *st, double *ret_walk_ns)
{
	pid_t pid = tg->pid;
	struct lrg_kmod_harvest_args a = { .pid = pid,
					   .cgroup_fd = (flags & LRG_BENCH_CG) ? tg->cg_fd : -1,
					   .flags = ((flags & LRG_BENCH_BUMP) ? 0 : LRUGEN_F_NO_BUMP) |
						    (flags & ~LRG_BENCH_OWN),
					   .ranges = r, .nr_ranges = r ? 1 : 0,
					   .dump = (flags & LRG_BENCH_DUMP) != 0 };
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

/*
 * The timed step of most columns: a harvest that clears the accessed bits
 * (same request), the child's touches of pct% of its pages, then the timed
 * harvest right after them. Returns its ns (and the walk's, if asked).
 */
static double touched_harvest_ns(struct lrg_kmod *k, const struct target *tg,
				 const struct lrugen_range *r, unsigned int flags, unsigned char pct,
				 struct lrg_walk_stats *st, double *ret_walk_ns)
{
	harvest_ns(k, tg, r, flags, st, NULL);	/* clear */
	cmd(tg, pct);
	return harvest_ns(k, tg, r, flags, st, ret_walk_ns);
}

/*
 * As touched_harvest_ns(), with the request path primed: between the
 * touches and the timed harvest, a harvest of nothing (one page where
 * nothing is mapped) of the same target, so that the timed one finds the
 * system call, netlink and module path, the pid and the mm warm, and what
 * it costs beyond a warm request is the walk of the target's tables. Under
 * TCG the first request after a context switch pays a refill of the
 * emulated TLB for every page it touches, more after larger touches (the
 * "null" slope): mglru_primed_ns() primes MGLRU's own path the same way.
 */
static double primed_harvest_ns(struct lrg_kmod *k, const struct target *tg, unsigned int flags,
				unsigned char pct)
{
	static const struct lrugen_range none = { 4096, 8192 };
	struct lrg_walk_stats st;

	harvest_ns(k, tg, NULL, flags, &st, NULL);	/* clear */
	cmd(tg, pct);
	harvest_ns(k, tg, &none, 0, &st, NULL);		/* prime */
	return harvest_ns(k, tg, NULL, flags, &st, NULL);
}

/* cmd(), then a timed harvest with the bump; *ret_bumped: folios it passed on */
static double bump_ns(struct lrg_kmod *k, const struct target *tg, unsigned int flags,
		      uint64_t *ret_bumped)
{
	struct lrg_kmod_info i0, i1;
	struct lrg_walk_stats st;
	int ok = lrg_kmod_info(k, &i0) == 0;
	double t;

	cmd(tg, pcts_now);
	t = harvest_ns(k, tg, NULL, flags | LRG_BENCH_BUMP, &st, NULL);
	if (ok && lrg_kmod_info(k, &i1) == 0)
		*ret_bumped = i1.counters[LRUGEN_C_BUMPED] - i0.counters[LRUGEN_C_BUMPED];
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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

/*
 * One forced aging of the memcg id at max_seq seq (open, write, close of
 * the debugfs file), in ns; primed: right after a request for seq - 1,
 * which MGLRU's run_aging() answers at once ("seq < max_seq": nothing to
 * do) after the same open, parse, memcg and lruvec lookup and walk
 * allocation, so that the timed one finds MGLRU's request path warm (as
 * primed_harvest_ns() does for the module's). -1 on failure.
 */
static double mglru_age_ns(unsigned long id, unsigned long seq, int primed)
{
	char buf[96];
	double x;

	if (primed) {
		snprintf(buf, sizeof(buf), "+ %lu 0 %lu 1 1", id, seq - 1);
		if (write_str("/sys/kernel/debug/lru_gen", buf))
			return -1;
	}
	snprintf(buf, sizeof(buf), "+ %lu 0 %lu 1 1", id, seq);
	x = now_ns();
	if (write_str("/sys/kernel/debug/lru_gen", buf))
		return -1;
	return now_ns() - x;
}

/* Fork the target process of t (size and cgroup set) and put it in its memcg. */
static int start_target(struct target *t, int thp)
{
	char path[192], pid[32];

	if (pipe(t->to_child) || pipe(t->to_parent))
		return -1;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (!t->pid)
		child_main(t, thp);
	snprintf(path, sizeof(path), "%s/cgroup.procs", t->cgdir);
	snprintf(pid, sizeof(pid), "%d", t->pid);
	return write_str(path, pid);
}

static void stop_target(struct target *t)
{
	unsigned char q = 255;

	/* the child exits without answering */
	if (write(t->to_child[1], &q, 1) == 1)
		waitpid(t->pid, NULL, 0);
	close(t->to_child[0]);
	close(t->to_child[1]);
	close(t->to_parent[0]);
	close(t->to_parent[1]);
}

/* The best times (ns) of one cell and one target, -1 for none. */
enum { M_KMOD, M_WALK, M_BUMP, M_HOT, M_WHOLE, M_MEMCG, M_MGLRU, M_CLREF, M_NULL, M_DUMP, M_KMODP,
       M_MGLRUP, NR_M };

int main(int argc, char **argv)
{
	static const unsigned char pcts[] = { 0, 25, 100 };
	static const char *const mname[NR_M] = { "kmod", "walk", "bump", "hot", "whole", "memcg",
						 "mglru", "clref", "null", "dump", "kmodP", "mglruP" };
	/* the methods of the slope table, in its order */
	static const int smeth[] = { M_KMOD, M_WALK, M_BUMP, M_HOT, M_MEMCG, M_MGLRU, M_CLREF, M_NULL,
				     M_DUMP };
	const char *cgdir = argc > 1 ? argv[1] : "/sys/fs/cgroup/lrg-bench";
	int first = getenv("LRG_BENCH_THP_ONLY") ? 1 : 0;
	int reps = getenv("LRG_BENCH_REPS") ? atoi(getenv("LRG_BENCH_REPS")) : 5;
	double best[2][3][NTGT][NR_M];	/* [thp][pct][target][method] */
	double rep_median[2][3] = { { -1, -1, -1 }, { -1, -1, -1 } };	/* kmodP/mglruP per rep */
	/* [0]: 256 MiB (the main table), [1]: 64 MiB, [2]: 768 MiB (THP on only) */
	struct target tgt[NTGT];
	int big = getenv("LRG_BENCH_BIG") && atoi(getenv("LRG_BENCH_BIG")) != 0;
	int nt = 2;		/* targets of this THP setting */
	struct lrg_kmod *k;
	char err[256], buf[256];
	unsigned int young_tables = 0;
	int thp, p, r, i, j, m;
	cpu_set_t one;

	if (lrg_kmod_open(&k, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (i = 0; i < NTGT; i++) {
		memset(&tgt[i], 0, sizeof(tgt[i]));
		tgt[i].size = i == 2 ? BIG : i ? SMALL : SIZE;
		tgt[i].npages = tgt[i].size / PAGE;
		snprintf(tgt[i].cgdir, sizeof(tgt[i].cgdir), "%s%s", cgdir,
			 i == 2 ? "-768" : i ? "-64" : "");
		mkdir(tgt[i].cgdir, 0755);
		tgt[i].cg_fd = open(tgt[i].cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	for (thp = 0; thp < 2; thp++)
		for (p = 0; p < 3; p++)
			for (i = 0; i < NTGT; i++)
				for (m = 0; m < NR_M; m++)
					best[thp][p][i][m] = -1;
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
	       "#   + clear_refs; kmod, bump, hot, memcg, walk and null ask HARVEST_ONE (one reply\n"
	       "#   message, ABI 4) first, the dump only for what did not fit; dump/pg: as\n"
	       "#   kmod/pg with the HARVEST dump alone (the client before ABI 4), dump/mglru\n",
	       young_tables ? ", LRUGEN_F_YOUNG_TABLES" : ", no YOUNG_TABLES: module too old");
	printf("# The same methods (but whole) also time a 64 MiB process (%lu pages, a memcg of\n"
	       "#   its own, the same mapping and address-space layout as the 256 MiB one, of\n"
	       "#   which it populates and touches the first 64 MiB) in the same reps, each\n"
	       "#   step right after the 256 MiB one's; null: a harvest of one page where\n"
	       "#   nothing is mapped, right after the touches; the '# ... 64 MiB' lines give\n"
	       "#   its best times (us per request), the slope table at the end the rest\n",
	       SMALL / PAGE);
	printf("# %-4s %5s | %7s %5s %7s %7s %6s %7s %6s %8s %8s | %8s | %10s %10s %9s %11s | %8s %7s"
	       " | %7s %10s\n",
	       "thp", "young", "kmod/pg", "ptes", "walk/pg", "bump/pg", "bumped", "hot/pg", "bumped",
	       "whole/pg", "memcg/pg", "mglru/pg", "kmod/mglru", "bump/mglru", "hot/mglru",
	       "memcg/mglru", "clref/pg", "ref MiB", "dump/pg", "dump/mglru");
	for (thp = first; thp < 2; thp++) {
		write_str("/sys/kernel/mm/transparent_hugepage/enabled", thp ? "always" : "never");
		nt = thp && big ? 3 : 2;
		for (i = 0; i < nt; i++)
			if (start_target(&tgt[i], thp))
				return 1;
		printf("# thp %d: populate\n", thp);
		for (i = 0; i < nt; i++)
			cmd(&tgt[i], 100);
		printf("# thp %d: %lu MiB mapped by THP (64 MiB process: %lu MiB", thp,
		       thp_mib(tgt[0].pid), thp_mib(tgt[1].pid));
		if (nt > 2)
			printf(", 768 MiB process: %lu MiB", thp_mib(tgt[2].pid));
		printf(")\n");
		{
			/* the fixed cost: a harvest of one page where nothing is mapped */
			struct lrugen_range none = { 4096, 8192 };
			struct lrg_walk_stats st;
			double t = -1, w = -1, y = -1;

			for (r = 0; r < reps; r++) {
				t = min_pos(t, harvest_ns(k, &tgt[0], &none, 0, &st, NULL));
				harvest_ns(k, &tgt[0], &none, 0, &st, &y);
				w = min_pos(w, y);
			}
			printf("# thp %d: a harvest of nothing costs %.1f us (walk %.1f us)\n", thp,
			       t / 1e3, w / 1e3);
		}
		for (p = 0; p < 3; p++) {
			struct lrg_walk_stats sts[NTGT] = { { 0 } }, st2;
			unsigned long refs[NTGT] = { 0 };
			double x, y = -1, *b0 = best[thp][p][0];
			double rep_kmodp[MAX_REPS], rep_mglrup[MAX_REPS];
			uint64_t bumped[NTGT] = { 0 }, hot_bumped[NTGT] = { 0 };

			pcts_now = pcts[p];
			for (r = 0; r < MAX_REPS; r++)
				rep_kmodp[r] = rep_mglrup[r] = -1;	/* -1: none (MGLRU off, a failure) */

			/*
			 * The methods take turns, rep by rep, so that each one's
			 * best comes from the same stretch of time (other VMs
			 * share the host). Each starts from cleared bits. Each
			 * step runs for the 256 MiB target, then for the 64 MiB
			 * one, so that each sees the same sequence of operations
			 * (and of MGLRU switched on and off) as the other.
			 */
			printf("# thp %d young %u: kmod, whole, mglru, clear_refs, null x %d, 256 and 64 MiB\n",
			       thp, pcts[p], reps);
			for (r = 0; r < reps; r++) {
				/*
				 * kmod; kmodP, the same with the request path primed;
				 * dump, kmod as the client did before ABI 4 (the
				 * HARVEST dump alone: kmod asks HARVEST_ONE first).
				 * The three take turns at being the rep's first step:
				 * with kmod always first, kmod/dump (nearly the same
				 * request) was 0.67-1.49 over 102 THP-on cells, above
				 * 1.25 in 5 and below 0.8 in 3 (THP off: 0.93-1.09)
				 */
				for (j = 0; j < 3; j++) {
					int step = (j + r) % 3;

					for (i = 0; i < nt; i++) {
						double *b = best[thp][p][i];

						if (step == 0) {
							x = touched_harvest_ns(k, &tgt[i], NULL, young_tables, pcts[p],
									       &sts[i], NULL);
							b[M_KMOD] = min_pos(b[M_KMOD], x);
						} else if (step == 1) {
							x = primed_harvest_ns(k, &tgt[i], young_tables, pcts[p]);
							b[M_KMODP] = min_pos(b[M_KMODP], x);
							if (!i && r < MAX_REPS)
								rep_kmodp[r] = x;
						} else {
							x = touched_harvest_ns(k, &tgt[i], NULL,
									       young_tables | LRG_BENCH_DUMP,
									       pcts[p], &st2, NULL);
							b[M_DUMP] = min_pos(b[M_DUMP], x);
						}
					}
				}

				/* the same again, traced: the walk's own time */
				for (i = 0; i < nt; i++) {
					double *b = best[thp][p][i];

					touched_harvest_ns(k, &tgt[i], NULL, young_tables, pcts[p], &st2, &y);
					b[M_WALK] = min_pos(b[M_WALK], y);
				}

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
				for (i = 0; i < nt; i++) {
					double *b = best[thp][p][i];

					harvest_ns(k, &tgt[i], NULL, young_tables | LRG_BENCH_BUMP, &st2, NULL);
					b[M_BUMP] = min_pos(b[M_BUMP], bump_ns(k, &tgt[i], young_tables, &bumped[i]));
				}
				for (i = 0; i < nt; i++) {
					double *b = best[thp][p][i];

					harvest_ns(k, &tgt[i], NULL, young_tables | LRG_BENCH_BUMP, &st2, NULL);
					b[M_HOT] = min_pos(b[M_HOT], bump_ns(k, &tgt[i], young_tables, &hot_bumped[i]));
				}

				/* every PTE table: the 256 MiB target only */
				b0[M_WHOLE] = min_pos(b0[M_WHOLE],
						      touched_harvest_ns(k, &tgt[0], NULL, 0, pcts[p], &st2, NULL));

				/* as lrugend asks: only the pages of the target's memcg */
				for (i = 0; i < nt; i++) {
					double *b = best[thp][p][i];

					b[M_MEMCG] = min_pos(b[M_MEMCG],
							     touched_harvest_ns(k, &tgt[i], NULL,
										young_tables | LRG_BENCH_CG,
										pcts[p], &st2, NULL));
				}

				/*
				 * MGLRU aging of the same memcg: one forced walk. Like
				 * every method, timed right after the child's touches:
				 * MGLRU is switched on and its debugfs file read before
				 * them, not between them and the timing (that warmed
				 * MGLRU's path up, and only MGLRU's). Both targets age
				 * in the same round of MGLRU switched on.
				 */
				if (write_str("/sys/kernel/mm/lru_gen/enabled", "y") == 0) {
					unsigned long seq[NTGT] = { 0 }, id2, seq2;
					int ok[NTGT], primed;

					/* cold, then primed (max_seq read again: it moved on) */
					for (primed = 0; primed < 2; primed++) {
						for (i = 0; i < nt; i++)
							ok[i] = mglru_ids(tgt[i].cgdir + strlen("/sys/fs/cgroup"),
									  &tgt[i].memcg_id, &seq[i]) == 0;
						for (i = 0; i < nt; i++) {
							double *b = best[thp][p][i];

							if (!ok[i])
								continue;
							cmd(&tgt[i], pcts[p]);
							x = mglru_age_ns(tgt[i].memcg_id, seq[i], primed);
							if (!primed) {
								b[M_MGLRU] = min_pos(b[M_MGLRU], x);
								continue;
							}
							/*
							 * the priming request must not have aged,
							 * and the timed one must have: max_seq one up
							 */
							seq2 = 0;
							if (mglru_ids(tgt[i].cgdir + strlen("/sys/fs/cgroup"), &id2,
								      &seq2) || seq2 != seq[i] + 1) {
								mglru_primed_bad++;
								x = -1;
							}
							b[M_MGLRUP] = min_pos(b[M_MGLRUP], x);
							if (!i && r < MAX_REPS)
								rep_mglrup[r] = x;
						}
					}
				}
				write_str("/sys/kernel/mm/lru_gen/enabled", "n");

				/* clear_refs + smaps: one read and one clear */
				for (i = 0; i < nt; i++) {
					double *b = best[thp][p][i];
					unsigned long *rf = &refs[i];

					clear_refs_ns(tgt[i].pid, rf);
					cmd(&tgt[i], pcts[p]);
					b[M_CLREF] = min_pos(b[M_CLREF], clear_refs_ns(tgt[i].pid, rf));
				}

				/*
				 * A harvest of nothing (one page where nothing is
				 * mapped) right after the touches: the fixed cost as
				 * the timed requests pay it; its slope is how much of
				 * that cost grows with what the child touched.
				 */
				for (i = 0; i < nt; i++) {
					struct lrugen_range none = { 4096, 8192 };
					double *b = best[thp][p][i];

					b[M_NULL] = min_pos(b[M_NULL], touched_harvest_ns(k, &tgt[i], &none, 0, pcts[p],
											 &st2, NULL));
				}
			}

			/*
			 * Each rep's primed pair of the 256 MiB process, taken a
			 * few ms apart: a ratio per rep and their median, which a
			 * stretch of host noise over one method's best cannot move
			 */
			{
				double ratio[MAX_REPS];
				int n = 0;

				printf("# thp %d young %u%%, primed, 256 MiB, per rep (us): kmodP", thp, pcts[p]);
				for (r = 0; r < reps && r < MAX_REPS; r++)
					printf(" %.0f", rep_kmodp[r] / 1e3);
				printf(" | mglruP");
				for (r = 0; r < reps && r < MAX_REPS; r++) {
					printf(" %.0f", rep_mglrup[r] / 1e3);
					if (rep_kmodp[r] > 0 && rep_mglrup[r] > 0)
						ratio[n++] = rep_kmodp[r] / rep_mglrup[r];
				}
				qsort(ratio, n, sizeof(ratio[0]), cmp_double);
				rep_median[thp][p] = n ? (n % 2 ? ratio[n / 2] : (ratio[n / 2 - 1] + ratio[n / 2]) / 2) : -1;
				printf(" | ratio median %.2f (min %.2f, max %.2f)\n", rep_median[thp][p],
				       n ? ratio[0] : -1, n ? ratio[n - 1] : -1);
			}
			{
				double tk = b0[M_KMOD], tw = b0[M_WALK], tb = b0[M_BUMP], tt = b0[M_HOT];
				double th = b0[M_WHOLE], tg = b0[M_MEMCG], tm = b0[M_MGLRU], tc = b0[M_CLREF];
				double td = b0[M_DUMP];

				printf("  %-4s %4u%% | %7.1f %5" PRIu64 " %7.1f %7.1f %6" PRIu64 " %7.1f %6" PRIu64
				       " %8.1f %8.1f | %8.1f | %10.2f %10.2f %9.2f %11.2f | %8.1f %7lu"
				       " | %7.1f %10.2f\n",
				       thp ? "on" : "off", pcts[p], tk / NPAGES, sts[0].pte_total,
				       tw > 0 ? tw / NPAGES : -1, tb / NPAGES, bumped[0], tt / NPAGES, hot_bumped[0],
				       th / NPAGES, tg / NPAGES, tm > 0 ? tm / NPAGES : -1,
				       tm > 0 ? tk / tm : -1, tm > 0 ? tb / tm : -1, tm > 0 ? tt / tm : -1,
				       tm > 0 ? tg / tm : -1, tc / NPAGES, refs[0] / 1024, td / NPAGES,
				       tm > 0 ? td / tm : -1);
			}
			for (i = 1; i < nt; i++) {
				printf("# thp %d young %u%%, %lu MiB:", thp, pcts[p], tgt[i].size >> 20);
				for (m = 0; m < NR_M; m++)
					if (m != M_WHOLE)
						printf(" %s %.1f", mname[m], best[thp][p][i][m] / 1e3);
				printf(" us; bumped %" PRIu64 ", hot %" PRIu64 "; ptes %" PRIu64
				       "; ref %lu MiB\n", bumped[i], hot_bumped[i], sts[i].pte_total,
				       refs[i] / 1024);
			}
		}
		for (i = 0; i < nt; i++)
			stop_target(&tgt[i]);
	}

	/* the slope table: what one more page costs, and the fixed part */
	{
		double d = (double)(NPAGES - SMALL / PAGE);

		printf("# Per page as the marginal cost, from the two sizes of the same run (best of %d each):\n"
		       "#   <m>/sl: slope, ns per 4 KiB page = (T_256 - T_64) / (%lu - %lu pages);\n"
		       "#   <m>/fx: fixed part, us per request = T_64 - slope * %lu: what a request\n"
		       "#   costs whatever the size of the area (system call, netlink round trip or\n"
		       "#   debugfs open/write/close, the target's other VMAs, the cold start after\n"
		       "#   the touches); <m> as above (walk: the walk alone, its fixed part the\n"
		       "#   other VMAs); null: a harvest of one page where nothing is mapped, right\n"
		       "#   after the same touches (no walk: its slope is the part of the request's\n"
		       "#   cost outside the walk that grows with what the child touched, e.g. TCG's\n"
		       "#   TLB); kmod/mg, bump/mg, hot/mg, memcg/mg: slope ratios to mglru\n",
		       reps, NPAGES, SMALL / PAGE, SMALL / PAGE);
		printf("# %-4s %5s |", "thp", "young");
		for (i = 0; i < (int)(sizeof(smeth) / sizeof(smeth[0])); i++) {
			char h1[16], h2[16];

			snprintf(h1, sizeof(h1), "%s/sl", mname[smeth[i]]);
			snprintf(h2, sizeof(h2), "%s/fx", mname[smeth[i]]);
			printf(" %8s %8s |", h1, h2);
		}
		printf(" %7s %7s %7s %8s %7s\n", "kmod/mg", "bump/mg", "hot/mg", "memcg/mg", "dump/mg");
		for (thp = first; thp < 2; thp++)
			for (p = 0; p < 3; p++) {
				double sl[NR_M], fx[NR_M];

				for (m = 0; m < NR_M; m++) {
					double t256 = best[thp][p][0][m], t64 = best[thp][p][1][m];

					if (t256 < 0 || t64 < 0) {
						sl[m] = fx[m] = -1;
						continue;
					}
					sl[m] = (t256 - t64) / d;
					fx[m] = (t64 - sl[m] * (double)(SMALL / PAGE)) / 1e3;
				}
				printf("  %-4s %4u%% |", thp ? "on" : "off", pcts[p]);
				for (i = 0; i < (int)(sizeof(smeth) / sizeof(smeth[0])); i++)
					printf(" %8.2f %8.1f |", sl[smeth[i]], fx[smeth[i]]);
				printf(" %7.2f %7.2f %7.2f %8.2f %7.2f\n", sl[M_KMOD] / sl[M_MGLRU],
				       sl[M_BUMP] / sl[M_MGLRU], sl[M_HOT] / sl[M_MGLRU],
				       sl[M_MEMCG] / sl[M_MGLRU], sl[M_DUMP] / sl[M_MGLRU]);
			}
	}
	/*
	 * Primed: each method's request path warmed by a request of its own
	 * that does no walk, right before the timed one (kmodP: a harvest of
	 * nothing; mglruP: an aging request for max_seq - 1). What is left is
	 * mostly the walk of the target's tables and struct pages, cold for
	 * both; the TCG refills that a first request after the target's
	 * touches pays, and that grow with what it touched, are taken out of
	 * both. Per page of the 256 MiB area, the slope over 64 to 256 MiB
	 * (and 768, with LRG_BENCH_BIG=1) and the ratios to MGLRU.
	 */
	{
		double d = (double)(NPAGES - SMALL / PAGE);

		printf("# Primed: the request path warmed by a request of the same method that walks\n"
		       "#   nothing, right before the timed one (kmodP: a harvest of one page where\n"
		       "#   nothing is mapped; mglruP: '+' for max_seq - 1, answered without aging);\n"
		       "#   /pg per 4 KiB page of the 256 MiB area (best of %d), sl: slope over 64 to\n"
		       "#   256 MiB, sl768: over 64 to 768 MiB (LRG_BENCH_BIG=1), ns per page; rep-med:\n"
		       "#   the median over the reps of each rep's kmodP/mglruP (256 MiB)\n", reps);
		if (mglru_primed_bad)
			printf("# mglruP: %u primed agings did not move max_seq by exactly one (not counted)\n",
			       mglru_primed_bad);
		printf("# %-4s %5s | %8s %9s %7s %7s | %8s %9s %7s | %9s %10s %7s\n", "thp", "young",
		       "kmodP/pg", "mglruP/pg", "ratio", "rep-med", "kmodP/sl", "mglruP/sl", "ratio",
		       "kmodP/768", "mglruP/768", "ratio");
		for (thp = first; thp < 2; thp++)
			for (p = 0; p < 3; p++) {
				const double *b256 = best[thp][p][0], *b64 = best[thp][p][1];
				const double *b768 = best[thp][p][2];
				double ks = (b256[M_KMODP] - b64[M_KMODP]) / d;
				double ms = (b256[M_MGLRUP] - b64[M_MGLRUP]) / d;
				double kb = -1, mb = -1;

				if (thp && big) {
					kb = (b768[M_KMODP] - b64[M_KMODP]) / (double)((BIG - SMALL) / PAGE);
					mb = (b768[M_MGLRUP] - b64[M_MGLRUP]) / (double)((BIG - SMALL) / PAGE);
				}
				printf("  %-4s %4u%% | %8.2f %9.2f %7.2f %7.2f | %8.2f %9.2f %7.2f | %9.2f %10.2f %7.2f\n",
				       thp ? "on" : "off", pcts[p], b256[M_KMODP] / NPAGES,
				       b256[M_MGLRUP] / NPAGES, b256[M_KMODP] / b256[M_MGLRUP],
				       rep_median[thp][p], ks, ms, ks / ms,
				       kb, mb, thp && big ? kb / mb : -1);
			}
	}
	/*
	 * THP on, 64 to 768 MiB: the same slope over 3.7 times the difference
	 * of pages, so 3.7 times less sensitive to the noise of the two times
	 */
	if (big && first <= 1) {
		double d = (double)((BIG - SMALL) / PAGE);
		static const int bmeth[] = { M_KMOD, M_DUMP, M_WALK, M_BUMP, M_HOT, M_MEMCG, M_MGLRU,
					     M_NULL };

		printf("# THP on, per page as the marginal cost over 64 to 768 MiB (%lu pages more):\n"
		       "#   <m>/sl768 = (T_768 - T_64) / %lu pages, ns per 4 KiB page; the ratios to\n"
		       "#   mglru's; the 768 MiB process is timed in the same reps, right after the\n"
		       "#   64 MiB one\n", (BIG - SMALL) / PAGE, (BIG - SMALL) / PAGE);
		printf("# %-4s %5s |", "thp", "young");
		for (i = 0; i < (int)(sizeof(bmeth) / sizeof(bmeth[0])); i++) {
			char h[24];

			snprintf(h, sizeof(h), "%s/sl768", mname[bmeth[i]]);
			printf(" %11s", h);
		}
		printf(" | %7s %7s %7s %7s %8s\n", "kmod/mg", "dump/mg", "bump/mg", "hot/mg", "memcg/mg");
		for (p = 0; p < 3; p++) {
			double sl[NR_M];

			for (m = 0; m < NR_M; m++) {
				double t768 = best[1][p][2][m], t64 = best[1][p][1][m];

				sl[m] = t768 < 0 || t64 < 0 ? -1 : (t768 - t64) / d;
			}
			printf("  %-4s %4u%% |", "on", pcts[p]);
			for (i = 0; i < (int)(sizeof(bmeth) / sizeof(bmeth[0])); i++)
				printf(" %11.2f", sl[bmeth[i]]);
			printf(" | %7.2f %7.2f %7.2f %7.2f %8.2f\n", sl[M_KMOD] / sl[M_MGLRU],
			       sl[M_DUMP] / sl[M_MGLRU], sl[M_BUMP] / sl[M_MGLRU], sl[M_HOT] / sl[M_MGLRU],
			       sl[M_MEMCG] / sl[M_MGLRU]);
		}
	}
	for (i = 0; i < NTGT; i++) {
		if (tgt[i].cg_fd >= 0)
			close(tgt[i].cg_fd);
		rmdir(tgt[i].cgdir);
	}
	lrg_kmod_close(k);
	return 0;
}
