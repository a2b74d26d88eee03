// SPDX-License-Identifier: GPL-2.0-only
/*
 * fileio.c - whole-file reads and one-write updates (see fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

/* Virtual files are a few KiB; 64 MiB is surely a bug. */
#define READ_FILE_MAX (64U << 20)

int lrg_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 4096, len = 0;
	ssize_t n;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (size - len < 2) {
			char *nbuf;

			nbuf = realloc(buf, size * 2);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			size *= 2;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int lrg_read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return lrg_read_fd(fd, READ_FILE_MAX, ret_buf, ret_len);
}

int lrg_read_file_at(int dirfd, const char *name, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return lrg_read_fd(fd, READ_FILE_MAX, ret_buf, ret_len);
}

int lrg_read_file_buf(const char *path, char *buf, size_t size, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == size - 1) {
			char c;

			/* Full: only fine if the file ends exactly here. */
			n = read(fd, &c, 1);
			if (n != 0)
				return n < 0 ? -errno : -EFBIG;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	return 0;
}

int lrg_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Control files act on the whole write; never split a command. */
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	/* A control file may report the command's failure at close. */
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

int lrg_kept_file_init(struct lrg_kept_file *f, const char *path)
{
	f->fd = -1;
	if (strlen(path) >= sizeof(f->path))
		return -ENAMETOOLONG;
	strcpy(f->path, path);
	return 0;
}

int lrg_pread_whole(int fd, char *buf, size_t size, size_t *ret_len)
{
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	/* a virtual file hands over all it has to a buffer large enough */
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return -EFBIG;
	buf[n] = '\0';
	if (ret_len)
		*ret_len = (size_t)n;
	return 0;
}

int lrg_kept_file_read(struct lrg_kept_file *f, char *buf, size_t size, size_t *ret_len)
{
	int r;

	if (size < 2)
		return -EINVAL;
	if (f->fd < 0) {
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0)
			return -errno;
	}
	r = lrg_pread_whole(f->fd, buf, size, ret_len);
	if (r < 0 && r != -EFBIG)
		lrg_kept_file_close(f);
	return r;
}

void lrg_kept_file_close(struct lrg_kept_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
