/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fileio.h - whole-file reads and one-write updates of the small virtual
 * files lrugend lives on (/proc, cgroupfs, sysfs, debugfs).
 *
 * Every function returns 0 or a negative errno and leaves its ret_*
 * outputs untouched on failure.
 */
#ifndef LRG_FILEIO_H
#define LRG_FILEIO_H

#include <stddef.h>

/* Read a whole (small, virtual) file into a malloc'ed NUL-terminated
 * buffer. /proc files report size 0, hence the growing buffer; -EFBIG past
 * 64 MiB. ret_len may be NULL. */
int lrg_read_file(const char *path, char **ret_buf, size_t *ret_len);
/* Same for the file name in the directory open at dirfd. */
int lrg_read_file_at(int dirfd, const char *name, char **ret_buf, size_t *ret_len);
/* Read fd from where it stands to its end, the same way; -EFBIG when the
 * file holds more than max bytes. */
int lrg_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len);
/* Same, into a caller's buffer; -EFBIG when it does not fit. */
int lrg_read_file_buf(const char *path, char *buf, size_t size, size_t *ret_len);
/* The whole virtual file open at fd, read again from offset 0 (where the
 * kernel generates it anew), into buf, NUL-terminated; -EFBIG when it
 * does not fit. */
int lrg_pread_whole(int fd, char *buf, size_t size, size_t *ret_len);
/* Write a short string (a command or a value) with one write(2). */
int lrg_write_file(const char *path, const char *text);

/*
 * A virtual file read over and over through one descriptor (the
 * machine's /proc/meminfo at every tick): a read at offset 0 generates
 * it anew, and the open and close spared are most of a small read's
 * cost. fd is -1 until the first read, and again after a failed one (the
 * next read opens the file again).
 */
struct lrg_kept_file {
	int fd;
	char path[512];
};
/* -ENAMETOOLONG when path does not fit. */
int lrg_kept_file_init(struct lrg_kept_file *f, const char *path);
/* The whole file into buf, NUL-terminated; -EFBIG when it does not fit. */
int lrg_kept_file_read(struct lrg_kept_file *f, char *buf, size_t size, size_t *ret_len);
void lrg_kept_file_close(struct lrg_kept_file *f);

#endif /* LRG_FILEIO_H */
