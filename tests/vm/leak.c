// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrg-leak: the runaway of the OOM attack test (tests/vm/oom-attacks.sh).
 * It allocates and touches RATE MiB every second, forever, as a leaking
 * application does, and can wear another name the way an attacker would:
 *
 *   lrg-leak RATE [COMM]       COMM set with prctl(PR_SET_NAME)
 *   LRG_LEAK_LEADERLESS=1 lrg-leak RATE
 *                              the leak in a thread, the main thread gone
 *                              by pthread_exit: a zombie leader whose
 *                              process runs on
 *   LRG_LEAK_RATE=RATE LD_PRELOAD=lrg-leak.so PROGRAM...
 *                              the same leak inside PROGRAM (a binary root
 *                              installed), started before PROGRAM's main
 *
 * The preload build (-DLRG_LEAK_PRELOAD) is how a user makes a process
 * whose executable is a trusted file do what the user wants.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MiB (1UL << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Never returns: RATE MiB a second, each page written so it is resident. */
static void leak(unsigned long rate)
{
	double t0 = now_s();
	unsigned long n = 0;

	for (;;) {
		char *p = malloc(MiB);

		if (p) {
			memset(p, 0x5a, MiB);
			n++;
		}
		double ahead = (double)n / (double)rate - (now_s() - t0);

		if (ahead > 0)
			usleep((useconds_t)(ahead * 1e6));
	}
}

#ifdef LRG_LEAK_PRELOAD
__attribute__((constructor)) static void leak_in_host_program(void)
{
	const char *r = getenv("LRG_LEAK_RATE");

	leak(r && atol(r) > 0 ? (unsigned long)atol(r) : 24);
}
#else
static unsigned long rate_of_thread;

static void *leak_thread(void *arg)
{
	leak(rate_of_thread);
	return arg;
}

int main(int argc, char **argv)
{
	if (argc < 2 || atol(argv[1]) <= 0)
		return 2;
	if (argc > 2)
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
	if (getenv("LRG_LEAK_LEADERLESS")) {
		pthread_t t;

		rate_of_thread = (unsigned long)atol(argv[1]);
		if (pthread_create(&t, NULL, leak_thread, NULL) != 0)
			return 3;
		pthread_exit(NULL);
	}
	leak((unsigned long)atol(argv[1]));
}
#endif
