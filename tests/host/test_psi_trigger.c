// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_psi_trigger.c - PSI triggers (host/psi_trigger.h): the text the
 * kernel is given, the pairs it would refuse, and a trigger armed on this
 * machine's /proc/pressure/memory when it has one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "psi_trigger.h"
#include "tap.h"

static void test_text(void)
{
	char buf[48];

	ok(lrg_psi_trigger_text(10000, 1000000, buf, sizeof(buf)) == 0 &&
		   !strcmp(buf, "some 10000 1000000"),
	   "10 ms in 1 s: \"some 10000 1000000\" (got \"%s\")", buf);
	ok(lrg_psi_trigger_text(10000, 400000, buf, sizeof(buf)) == -EINVAL,
	   "a window under 500 ms is refused before the kernel refuses it");
	ok(lrg_psi_trigger_text(10000, 11000000, buf, sizeof(buf)) == -EINVAL,
	   "a window over 10 s is refused");
	ok(lrg_psi_trigger_text(0, 1000000, buf, sizeof(buf)) == -EINVAL, "a stall of 0 is refused");
	ok(lrg_psi_trigger_text(1000000, 1000000, buf, sizeof(buf)) == -EINVAL,
	   "a stall as long as the window is refused");
	ok(lrg_psi_trigger_text(10000, 1000000, buf, 8) == -ENOSPC, "a short buffer: -ENOSPC");
	ok(lrg_psi_trigger_open("/nonexistent/pressure/memory", 10000, 1000000) == -ENOENT,
	   "no pressure file (a kernel without PSI): -ENOENT");
}

static void test_machine(void)
{
	struct pollfd p;
	int fd;

	if (access("/proc/pressure/memory", R_OK) < 0) {
		skip("this machine has no /proc/pressure/memory (PSI off)");
		return;
	}
	fd = lrg_psi_trigger_open("/proc/pressure/memory", 10000, 1000000);
	if (fd == -EACCES || fd == -EPERM || fd == -EROFS) {
		skip("no right to arm a trigger here (not root)");
		return;
	}
	if (fd == -EINVAL || fd == -EOPNOTSUPP) {
		/* a container's kernel (gVisor, for one) shows the file but
		 * refuses triggers (the text itself is checked above); the VM
		 * tests arm one on Debian's kernels and see it fire */
		char why[128];

		snprintf(why, sizeof(why), "this kernel refuses a PSI trigger on /proc/pressure/memory (%s)",
			 strerror(-fd));
		skip(why);
		return;
	}
	ok(fd >= 0, "a trigger is armed on /proc/pressure/memory (%s)",
	   fd < 0 ? strerror(-fd) : "ok");
	if (fd < 0)
		return;
	ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "its fd is close-on-exec");
	p = (struct pollfd){ .fd = fd, .events = POLLPRI };
	ok(poll(&p, 1, 0) >= 0 && !(p.revents & (POLLERR | POLLNVAL)),
	   "it can be polled for POLLPRI without an error");
	close(fd);
}

int main(void)
{
	test_text();
	test_machine();
	return tap_done();
}
