// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmod-bench.c - cost of one harvest of a 256 MiB process, next to MGLRU's
 * own aging (debugfs "+" command) and clear_refs + smaps, at 0/25/100%
 * young, THP off and on. Run in the VM by tests/vm/bench-harvest.sh; the
 * figures are TCG figures: compare the columns, not with native numbers.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "backend_kmod.h"

#define SIZE (256UL << 20)
#define PAGE 4096UL
#define NPAGES (SIZE / PAGE)

static int to_child[2], to_parent[2];
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

static double harvest_ns(struct lrg_kmod *k, pid_t pid, struct lrg_walk_stats *st)
{
	struct lrg_kmod_harvest_args a = { .pid = pid, .cgroup_fd = -1, .flags = LRUGEN_F_NO_BUMP };
	double t = now_ns();

	if (lrg_kmod_harvest(k, &a, NULL, NULL, st, NULL))
		return -1;
	return now_ns() - t;
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
	struct lrg_kmod *k;
	char err[256], buf[256];
	int thp, p;
	cpu_set_t one;

	if (lrg_kmod_open(&k, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	mkdir(cgdir, 0755);

	printf("# 256 MiB anon, %lu pages; ns per PTE scanned / per young PTE (TCG)\n", NPAGES);
	printf("# %-4s %5s | %10s %10s %10s | %12s | %12s %10s\n", "thp", "young", "kmod ns/pte",
	       "ns/young", "ptes", "mglru ns/pg", "clrefs ns/pg", "ref MiB");
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
		for (p = 0; p < 3; p++) {
			struct lrg_walk_stats st = { 0 };
			unsigned long id = 0, seq = 0, ref = 0;
			double tk, tm = -1, tc;

			printf("# thp %d young %u: harvest\n", thp, pcts[p]);
			harvest_ns(k, pid, &st);	/* clear */
			cmd(pcts[p]);
			tk = harvest_ns(k, pid, &st);

			/* MGLRU aging of the same memcg: one forced walk */
			printf("# thp %d young %u: mglru\n", thp, pcts[p]);
			cmd(pcts[p]);
			if (write_str("/sys/kernel/mm/lru_gen/enabled", "y") == 0 &&
			    mglru_ids(cgdir + strlen("/sys/fs/cgroup"), &id, &seq) == 0) {
				snprintf(buf, sizeof(buf), "+ %lu 0 %lu 1 1", id, seq);
				tm = now_ns();
				if (write_str("/sys/kernel/debug/lru_gen", buf))
					tm = -1;
				else
					tm = now_ns() - tm;
			}
			write_str("/sys/kernel/mm/lru_gen/enabled", "n");

			/* clear_refs + smaps: one read and one clear */
			printf("# thp %d young %u: clear_refs\n", thp, pcts[p]);
			clear_refs_ns(pid, &ref);
			cmd(pcts[p]);
			tc = clear_refs_ns(pid, &ref);

			printf("  %-4s %4u%% | %10.1f %10.1f %10" PRIu64 " | %12.1f | %12.1f %10lu\n",
			       thp ? "on" : "off", pcts[p], st.pte_total ? tk / st.pte_total : 0,
			       st.pte_young ? tk / st.pte_young : 0, st.pte_total,
			       tm > 0 ? tm / NPAGES : -1, tc / NPAGES, ref / 1024);
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
	rmdir(cgdir);
	lrg_kmod_close(k);
	return 0;
}
