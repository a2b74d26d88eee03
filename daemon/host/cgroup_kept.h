/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup_kept.h - the memory files of a busy cgroup, kept open.
 *
 * Opening /sys/fs/cgroup/user.slice/user-1000.slice/.../memory.stat walks
 * every level of the path, and each measure of a busy memcg opens six
 * such files: kept open, each read is one pread from offset 0 (the
 * kernel starts a cgroup file's text again there). Only on cgroupfs,
 * where a removed cgroup's open file reads ENODEV: a kept file that fails
 * is closed and opened again by its path, which then says whether the
 * cgroup is gone, exactly as before. At most LRG_CGROUP_KEPT_MAX files
 * stay open in the whole process (a service's soft limit is 1024
 * descriptors by default); beyond that a file is opened per read.
 */
#ifndef LRG_CGROUP_KEPT_H
#define LRG_CGROUP_KEPT_H

#include <stddef.h>
#include <stdint.h>

enum lrg_cgroup_kept_file {
	LRG_KEPT_CURRENT,        /* memory.current */
	LRG_KEPT_MIN,            /* memory.min */
	LRG_KEPT_SWAP_CURRENT,   /* memory.swap.current */
	LRG_KEPT_STAT,           /* memory.stat */
	LRG_KEPT_EVENTS,         /* memory.events */
	LRG_KEPT_PRESSURE,       /* memory.pressure */
	LRG_NR_KEPT
};

/* A cgroup's kept files; all zero: none open. */
struct lrg_cgroup_kept {
	int fd[LRG_NR_KEPT];
	uint8_t open;            /* bit i: fd[i] is open */
};

#define LRG_CGROUP_KEPT_MAX 384

/*
 * Read the file at path (one of k's, which) into buf, NUL-terminated, as
 * lrg_read_file_buf: from k's open file, or opened by path and then kept
 * when k is not NULL and the budget allows. -EFBIG when buf is too small.
 */
int lrg_cgroup_kept_read(struct lrg_cgroup_kept *k, enum lrg_cgroup_kept_file which, const char *path,
			 char *buf, size_t size, size_t *ret_len);

/* Close what k holds. */
void lrg_cgroup_kept_close(struct lrg_cgroup_kept *k);

/* The files kept open now, in the whole process. */
size_t lrg_cgroup_kept_in_use(void);

#endif /* LRG_CGROUP_KEPT_H */
