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
#include <unistd.h>

#include "code_trust.h"
#include "fileio.h"
#include "util.h"

#define MOUNTINFO_MAX (1U << 20)

/* Whether device maj:min is a FUSE mount in mountinfo: its server, which
 * a user may run, says what the file's owner is. */
static bool on_fuse(const char *mountinfo, unsigned int maj, unsigned int min)
{
	for (const char *line = mountinfo; line && *line;) {
		const char *eol = strchr(line, '\n'), *sep = strstr(line, " - ");
		unsigned int a, b;

		if (sscanf(line, "%*d %*d %u:%u", &a, &b) == 2 && a == maj && b == min && sep &&
		    (!eol || sep < eol) && !strncmp(sep + 3, "fuse", 4))
			return true;
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

/*
 * One line of /proc/PID/maps: false when it maps code from a file that is
 * not trusted. The file is the one mapped, through map_files (not the path
 * the line names, which may since hold another file, or none after a
 * package upgrade), and its attributes are the kernel's cached ones
 * (AT_STATX_DONT_SYNC): a decision never waits on a user's filesystem.
 */
static bool line_trusted(const char *proc_root, pid_t pid, const char *line,
			 const char *mountinfo)
{
	unsigned long long start, end, ino;
	unsigned int maj, min;
	char perms[8], link[PATH_MAX];
	int path_at = 0;
	struct statx stx;

	if (sscanf(line, "%llx-%llx %7s %*x %x:%x %llu %n", &start, &end, perms, &maj, &min, &ino,
		   &path_at) < 6)
		return true;   /* not a mapping line: nothing to judge */
	if (perms[2] != 'x')
		return true;   /* not code */
	if (!path_at || line[path_at] != '/')
		return ino == 0;   /* code with no file (a JIT, [vdso]) says nothing */
	if (on_fuse(mountinfo, maj, min))
		return false;
	snprintf(link, sizeof(link), "%s/%d/map_files/%llx-%llx", proc_root, (int)pid, start, end);
	if (statx(AT_FDCWD, link, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_MODE | STATX_UID, &stx) < 0)
		return false;
	return S_ISREG(stx.stx_mode) && stx.stx_uid == 0 && !(stx.stx_mode & (S_IWGRP | S_IWOTH));
}

/* pid's mountinfo, at most MOUNTINFO_MAX; NULL when it cannot be read */
static char *read_mountinfo(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	char *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%d/mountinfo", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || lrg_read_fd(fd, MOUNTINFO_MAX, &buf, &len) < 0)
		return NULL;
	return buf;
}

int lrg_procfs_code_trusted(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX], buf[4096];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *mountinfo = NULL;
	size_t have = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/maps", proc_root, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* which of its mounts are FUSE: unreadable, none of its code is trusted */
	mountinfo = read_mountinfo(proc_root, pid);
	if (!mountinfo)
		return 0;
	/* line by line through one buffer: a map may be thousands of lines */
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *line = buf, *eol;

		have += (size_t)n;
		buf[have] = '\0';
		while ((eol = strchr(line, '\n'))) {
			*eol = '\0';
			if (!line_trusted(proc_root, pid, line, mountinfo))
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
	return have && !line_trusted(proc_root, pid, buf, mountinfo) ? 0 : 1;
}
