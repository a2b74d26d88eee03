// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_util.c - the host helpers every host and backend file shares: the
 * scoped cleanups (util.h), the monotonic clock (clock.h) and the pidfd
 * calls (pidfd.h), on this machine's own processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "pidfd.h"
#include "tap.h"
#include "util.h"

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Opens an fd in a scope that ends; returns its number. */
static int scoped_fd(void)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return fd;
}

/* Hands its fd out with TAKE_FD: the scope's cleanup must leave it open. */
static int taken_fd(void)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return TAKE_FD(fd);
}

static char *taken_buf(void)
{
	_cleanup_free_ char *p = strdup("kept");

	return TAKE_PTR(p);
}

static int errno_after_cleanup(void)
{
	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		errno = EXDEV;
		(void)fd;
	}
	return errno;
}

static void test_cleanup(void)
{
	int fd;
	char *p;

	fd = scoped_fd();
	ok(fd >= 0 && !fd_is_open(fd), "_cleanup_close_ closes the fd at scope exit (%d)", fd);
	fd = taken_fd();
	ok(fd >= 0 && fd_is_open(fd), "TAKE_FD hands the fd out open (%d)", fd);
	close(fd);
	p = taken_buf();
	ok(p && !strcmp(p, "kept"), "TAKE_PTR hands the buffer out intact");
	free(p);
	ok(errno_after_cleanup() == EXDEV, "a cleanup keeps errno");
	{
		_cleanup_free_ char *none = NULL;
		_cleanup_close_ int nofd = -1;
		_cleanup_fclose_ FILE *f = fopen("/dev/null", "re");
		_cleanup_closedir_ DIR *d = opendir("/");

		ok(f && d && !none && nofd < 0, "empty and full cleanup variables side by side");
	}
}

static void test_clock(void)
{
	uint64_t ms0 = lrg_mono_ms(), us0 = lrg_mono_us(), ns0 = lrg_mono_ns();
	uint64_t ns1, ms1;

	usleep(20000);
	ns1 = lrg_mono_ns();
	ms1 = lrg_mono_ms();
	ok(ns1 - ns0 >= 20000000ULL, "20 ms of sleep: %llu ns", (unsigned long long)(ns1 - ns0));
	ok(ms1 - ms0 >= 20 && ms1 - ms0 < 10000, "the same in ms: %llu",
	   (unsigned long long)(ms1 - ms0));
	ok(us0 / 1000 >= ms0 && us0 / 1000 - ms0 <= 1 && ns0 / 1000 >= us0 && ns0 / 1000 - us0 < 1000000,
	   "ns, us and ms read one clock");
}

static void test_pidfd(void)
{
	int fd, r, status;
	pid_t child;

	fd = lrg_pidfd_open(getpid());
	if (fd == -ENOSYS) {
		skip("pidfd_open: the kernel has no such call (before 5.3)");
		return;
	}
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "pidfd of self, close-on-exec (%d)", fd);
	ok(lrg_pidfd_send_signal(fd, 0) == 0, "signal 0 through it: alive");
	close(fd);

	child = fork();
	if (child == 0)
		_exit(0);
	fd = lrg_pidfd_open(child);
	ok(fd >= 0, "pidfd of a child (%d)", fd);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	r = lrg_pidfd_send_signal(fd, 0);
	ok(r == -ESRCH, "a reaped child through its pidfd: -ESRCH (%d)", r);
	r = lrg_pidfd_send_signal(fd, SIGKILL);
	ok(r == -ESRCH, "SIGKILL through the pidfd of a reaped child: -ESRCH, whoever has the pid (%d)",
	   r);
	close(fd);
	ok(lrg_pidfd_open(child) == -ESRCH, "pidfd_open of a reaped pid: -ESRCH");
	ok(lrg_pidfd_open(-1) == -EINVAL, "pidfd_open(-1): -EINVAL, not -1");
}

int main(void)
{
	test_cleanup();
	test_clock();
	test_pidfd();
	return tap_done();
}
