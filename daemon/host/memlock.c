// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlock.c - see memlock.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio.h"
#include "memlock.h"
#include "util.h"

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* The C library and the loader: every path through the daemon runs on
 * them, the kill's system calls included. */
static bool runtime_library(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5) ||
	       !strncmp(base, "ld-linux", 8) || !strncmp(base, "ld-musl", 7);
}

enum lrg_memlock_kind lrg_memlock_classify(const char *line, const char *exe, uintptr_t *start,
					   uintptr_t *end)
{
	unsigned long long s, e;
	char perms[8], path[PATH_MAX];
	int path_at = 0;
	size_t len;

	if (sscanf(line, "%llx-%llx %7s %*x %*x:%*x %*u%n", &s, &e, perms, &path_at) < 3 ||
	    !path_at || e <= s || strlen(perms) < 4)
		return LRG_MEMLOCK_SKIP;
	*start = (uintptr_t)s;
	*end = (uintptr_t)e;
	/* the line may run on into the rest of the file: no further than
	 * its end (a scanf space would cross it) */
	path_at += (int)strspn(line + path_at, " \t");
	len = strcspn(line + path_at, "\n");
	if (len >= sizeof(path))
		return LRG_MEMLOCK_ONFAULT;
	memcpy(path, line + path_at, len);
	path[len] = '\0';
	if (perms[0] != 'r' && perms[1] != 'w' && perms[2] != 'x')
		return LRG_MEMLOCK_SKIP;           /* guard gaps between segments */
	if (!len && e - s > LRG_MEMLOCK_ANON_PRESENT_MAX)
		return LRG_MEMLOCK_ONFAULT;        /* a reservation (a sanitizer's shadow) */
	if (!len || !strcmp(path, "[heap]") || !strncmp(path, "[stack", 6))
		return LRG_MEMLOCK_PRESENT;        /* anonymous: heap, stacks, buffers */
	if (path[0] == '[')
		return LRG_MEMLOCK_SKIP;           /* [vdso], [vvar], [vsyscall] */
	if (perms[1] == 'w' && perms[3] == 'p')
		return LRG_MEMLOCK_PRESENT;        /* a library's data: written anyway */
	if (exe && !strcmp(path, exe))
		return LRG_MEMLOCK_PRESENT;
	/*
	 * The C library's and the loader's code: any function may be the
	 * first one the kill calls. Their read-only data (some 500 KiB of
	 * symbol tables and tables a daemon mostly never reads) as it is
	 * read. The scan before the signal parses as the listings do
	 * (strtol, sscanf, snprintf, the ctype tables) and the prefault runs
	 * the kill once; a page it still reads first (a pattern's fnmatch
	 * class, a lazily bound call inside the C library) is shared page
	 * cache that every process's C library keeps hot: a minor fault.
	 */
	if (runtime_library(path) && perms[2] == 'x')
		return LRG_MEMLOCK_PRESENT;
	return LRG_MEMLOCK_ONFAULT;
}

/* Fault in and lock the mappings the kill runs on; the bytes made so. */
static size_t lock_present(const char *maps, const char *exe)
{
	size_t done = 0;

	for (const char *line = maps; *line;) {
		const char *eol = strchr(line, '\n');
		uintptr_t s = 0, e = 0;

		if (lrg_memlock_classify(line, exe, &s, &e) == LRG_MEMLOCK_PRESENT &&
		    mlock((void *)s, e - s) == 0)
			done += e - s;
		if (!eol)
			break;
		line = eol + 1;
	}
	return done;
}

int lrg_memlock_self(size_t *ret_present)
{
	char exe[PATH_MAX];
	_cleanup_free_ char *maps = NULL;
	size_t len = 0, present = 0;
	ssize_t n;

	if (ret_present)
		*ret_present = 0;
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
		/* before Linux 4.4: everything present, as it must be then */
		if (errno != EINVAL || mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
			return -errno;
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	/* read whole before locking: mlock splits the mappings it reads */
	if (lrg_read_file("/proc/self/maps", &maps, &len) == 0)
		present = lock_present(maps, n > 0 ? exe : NULL);
	if (ret_present)
		*ret_present = present;
	return 0;
}
