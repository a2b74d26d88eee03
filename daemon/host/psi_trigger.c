// SPDX-License-Identifier: GPL-2.0-only
/* psi_trigger.c - arm PSI triggers (psi_trigger.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "psi_trigger.h"

int lrg_psi_trigger_text(uint32_t stall_us, uint32_t window_us, char *buf, size_t len)
{
	int n;

	if (window_us < LRG_PSI_WINDOW_MIN_US || window_us > LRG_PSI_WINDOW_MAX_US ||
	    !stall_us || stall_us >= window_us)
		return -EINVAL;
	n = snprintf(buf, len, "some %u %u", stall_us, window_us);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

int lrg_psi_trigger_open(const char *path, uint32_t stall_us, uint32_t window_us)
{
	char text[48];
	int fd, r;

	r = lrg_psi_trigger_text(stall_us, window_us, text, sizeof(text));
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the kernel takes the text with its NUL; EINVAL: a window it
	 * refuses (from 6.5, one under 2 s without CAP_SYS_RESOURCE) or a
	 * kernel without triggers */
	if (write(fd, text, strlen(text) + 1) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
