// SPDX-License-Identifier: GPL-2.0-only
/*
 * code_trust.c - see code_trust.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "code_trust.h"
#include "util.h"

/* One line of /proc/PID/maps: false when it maps an executable file that
 * is not trusted. */
static bool line_trusted(const char *line)
{
	char perms[8], path[PATH_MAX];
	unsigned int maj, min;
	unsigned long long ino;
	int path_at = 0;
	struct stat st;
	size_t len;

	if (sscanf(line, "%*x-%*x %7s %*x %x:%x %llu %n", perms, &maj, &min, &ino, &path_at) < 4)
		return true;   /* not a mapping line: nothing to judge */
	if (perms[2] != 'x' || ino == 0)
		return true;   /* not code, or code with no file (a JIT, [vdso]) */
	if (!path_at || line[path_at] != '/')
		return false;
	len = strcspn(line + path_at, "\n");
	if (len >= sizeof(path))
		return false;
	memcpy(path, line + path_at, len);
	path[len] = '\0';
	if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
		return false;
	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_ino == ino &&
	       major(st.st_dev) == maj && minor(st.st_dev) == min && st.st_uid == 0 &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

int lrg_procfs_code_trusted(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX], buf[4096];
	_cleanup_close_ int fd = -1;
	size_t have = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/maps", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* line by line through one buffer: a map may be thousands of lines */
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *eol;

		have += (size_t)n;
		buf[have] = '\0';
		while ((eol = strchr(line, '\n'))) {
			*eol = '\0';
			if (!line_trusted(line))
				return 0;
			line = eol + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			return 0;   /* a line longer than a path can be */
	}
	if (n < 0)
		return -errno;
	buf[have] = '\0';
	return have && !line_trusted(buf) ? 0 : 1;
}
