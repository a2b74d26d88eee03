// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrg-standin: the interactive stand-in of the OOM tests and benchmarks.
 * It keeps a working set of MiB megabytes and sweeps it every 100 ms, as a
 * desktop application redrawing would, and measures each sweep. A sweep
 * over 100 ms is a stall the user would see. On SIGTERM/SIGINT, or after
 * SECONDS, it prints one line:
 *   standin sweeps=N stall_ms=S p99_ms=P max_ms=M
 * stall_ms is the sum of the sweeps that took over 100 ms.
 * With LRG_STANDIN_SWEEPS=1 in the environment it also prints, after each
 * sweep and flushed at once (so a killed stand-in leaves its record):
 *   sweep end_ms=T ms=D
 * T being CLOCK_MONOTONIC in ms at the end of the sweep (bench/oom-bench.sh
 * cuts these into incidents).
 * LRG_STANDIN_PERIOD_MS sets the period (default 100: a UI; 1000: an
 * application in the background). LRG_STANDIN_FILE names a file whose
 * first MiB megabytes are the working set instead, mapped shared and read
 * one byte per page (a file-backed working set, which the kernel can
 * reclaim without swap).
 *
 *   lrg-standin MiB [SECONDS]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_MS 100
#define MAX_SWEEPS 100000

static volatile sig_atomic_t stop;
static uint32_t dur_ms[MAX_SWEEPS];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t size, n = 0;
	uint64_t stall = 0, end, t0;
	volatile char *mem;
	long page = sysconf(_SC_PAGESIZE);
	int each = getenv("LRG_STANDIN_SWEEPS") && strcmp(getenv("LRG_STANDIN_SWEEPS"), "1") == 0;
	const char *file = getenv("LRG_STANDIN_FILE");
	uint64_t period = getenv("LRG_STANDIN_PERIOD_MS") ?
		strtoull(getenv("LRG_STANDIN_PERIOD_MS"), NULL, 10) : PERIOD_MS;
	volatile char sink = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: lrg-standin MiB [SECONDS]\n");
		return 2;
	}
	prctl(PR_SET_NAME, "standin");
	size = strtoull(argv[1], NULL, 10) << 20;
	end = argc > 2 ? now_ms() + strtoull(argv[2], NULL, 10) * 1000 : UINT64_MAX;
	if (file) {
		int fd = open(file, O_RDONLY | O_CLOEXEC);

		mem = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (fd >= 0)
			close(fd);
	} else {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (mem == MAP_FAILED) {
		perror(file ? file : "mmap");
		return 1;
	}
	/* Different bytes per page, so zram cannot store them as same-filled. */
	for (size_t off = 0; !file && off < size; off += (size_t)page)
		for (size_t i = 0; i < 64; i++)
			mem[off + i * 64] = (char)(off / (size_t)page + i);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("standin ready pid=%d\n", (int)getpid());
	fflush(stdout);
	while (!stop && now_ms() < end) {
		uint64_t d;

		t0 = now_ms();
		for (size_t off = 0; off < size; off += (size_t)page) {
			if (file)
				sink = (char)(sink + mem[off]);
			else
				mem[off] = (char)(mem[off] + 1);
		}
		d = now_ms() - t0;
		if (n < MAX_SWEEPS)
			dur_ms[n++] = (uint32_t)d;
		if (each) {
			printf("sweep end_ms=%llu ms=%llu\n", (unsigned long long)(t0 + d),
			       (unsigned long long)d);
			fflush(stdout);
		}
		if (d > PERIOD_MS)
			stall += d;
		if (d < period)
			usleep((useconds_t)(period - d) * 1000);
	}
	qsort(dur_ms, n, sizeof(dur_ms[0]), cmp_u32);
	printf("standin sweeps=%zu stall_ms=%llu p99_ms=%u max_ms=%u\n", n, (unsigned long long)stall,
	       n ? dur_ms[(n * 99) / 100] : 0, n ? dur_ms[n - 1] : 0);
	return 0;
}
