// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend-mem: the workload of the backend VM tests. It maps a hot and a
 * cold part of anonymous memory as two separate VMAs (a PROT_NONE guard
 * page between them, so the kernel cannot merge them: the proc backend
 * ages per VMA), writes every page of both once, then keeps touching the
 * hot part every 50 ms and never the cold part again.
 *
 *   backend-mem HOT_MIB COLD_MIB [GROW_MIB]
 *
 * SIGUSR1: map GROW_MIB more (a third VMA), write it, and keep it hot
 *          too: memory allocated after a cgroup move is charged to the new
 *          cgroup, which is what a per-memcg harvest can see there.
 * SIGUSR2: print the residency of each part (mincore: a page paged out to
 *          swap is not resident), as
 *            resident hot=N/T cold=N/T grow=N/T
 * It prints "ready pid=N" once everything is written, "grown" after a
 * SIGUSR1, and runs until SIGTERM.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile sig_atomic_t want_grow, want_report, stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_grow = 1;
	else if (sig == SIGUSR2)
		want_report = 1;
	else
		stop = 1;
}

/* Different bytes per page, so zram cannot store them as same-filled. */
static void fill(volatile char *p, size_t size, size_t page)
{
	for (size_t off = 0; off < size; off += page)
		for (size_t i = 0; i < 64; i++)
			p[off + i * 64] = (char)(off / page + i + 1);
}

static size_t resident(void *p, size_t size, size_t page)
{
	size_t n = size / page, in = 0;
	unsigned char *vec;

	if (!p || !size)
		return 0;
	vec = malloc(n);
	if (!vec || mincore(p, size, vec) < 0) {
		free(vec);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	free(vec);
	return in;
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t hot, cold, grow, growing = 0;
	char *base, *hotp, *coldp, *growp = NULL;
	struct sigaction sa;

	if (argc < 3) {
		fprintf(stderr, "usage: backend-mem HOT_MIB COLD_MIB [GROW_MIB]\n");
		return 2;
	}
	prctl(PR_SET_NAME, "backend-mem");
	hot = strtoull(argv[1], NULL, 10) << 20;
	cold = strtoull(argv[2], NULL, 10) << 20;
	grow = argc > 3 ? strtoull(argv[3], NULL, 10) << 20 : 0;
	if (!hot || !cold) {
		fprintf(stderr, "backend-mem: HOT_MIB and COLD_MIB must be > 0\n");
		return 2;
	}
	base = mmap(NULL, hot + page + cold, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	hotp = base;
	coldp = base + hot + page;
	/* The guard page splits the mapping into two VMAs for good; small
	 * pages only, so a page's fate is its own (no THP in the way). */
	if (mprotect(base + hot, page, PROT_NONE) < 0 ||
	    madvise(base, hot + page + cold, MADV_NOHUGEPAGE) < 0) {
		perror("mprotect/madvise");
		return 1;
	}
	fill(hotp, hot, page);
	fill(coldp, cold, page);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready pid=%d hot=%p cold=%p\n", (int)getpid(), (void *)hotp, (void *)coldp);
	fflush(stdout);

	while (!stop) {
		if (want_grow && grow && !growp) {
			growp = mmap(NULL, grow, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (growp == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			madvise(growp, grow, MADV_NOHUGEPAGE);
			fill(growp, grow, page);
			growing = grow;
			printf("grown %zu MiB at %p\n", grow >> 20, (void *)growp);
			fflush(stdout);
		}
		want_grow = 0;
		if (want_report) {
			want_report = 0;
			printf("resident hot=%zu/%zu cold=%zu/%zu grow=%zu/%zu\n",
			       resident(hotp, hot, page), hot / page, resident(coldp, cold, page),
			       cold / page, resident(growp, growing, page), growing / page);
			fflush(stdout);
		}
		for (size_t off = 0; off < hot; off += page)
			((volatile char *)hotp)[off]++;
		for (size_t off = 0; off < growing; off += page)
			((volatile char *)growp)[off]++;
		usleep(50000);
	}
	return 0;
}
