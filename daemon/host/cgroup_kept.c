// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup_kept.c - a busy cgroup's memory files kept open (see the header).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup_kept.h"
#include "fileio.h"

static size_t kept_in_use;

static void close_one(struct lrg_cgroup_kept *k, enum lrg_cgroup_kept_file which)
{
	close(k->fd[which]);
	k->open &= (uint8_t)~(1U << which);
	kept_in_use--;
}

int lrg_cgroup_kept_read(struct lrg_cgroup_kept *k, enum lrg_cgroup_kept_file which, const char *path,
			 char *buf, size_t size, size_t *ret_len)
{
	int fd, r;

	if (k && (k->open & (1U << which))) {
		r = lrg_pread_whole(k->fd[which], buf, size, ret_len);
		if (r == 0)
			return 0;
		/* removed (ENODEV), or any other failure: the path tells */
		close_one(k, which);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = lrg_pread_whole(fd, buf, size, ret_len);
	if (r == 0 && k && kept_in_use < LRG_CGROUP_KEPT_MAX) {
		k->fd[which] = fd;
		k->open |= (uint8_t)(1U << which);
		kept_in_use++;
		return 0;
	}
	close(fd);
	return r;
}

void lrg_cgroup_kept_close(struct lrg_cgroup_kept *k)
{
	for (unsigned int i = 0; i < LRG_NR_KEPT; i++)
		if (k->open & (1U << i))
			close_one(k, (enum lrg_cgroup_kept_file)i);
}

size_t lrg_cgroup_kept_in_use(void)
{
	return kept_in_use;
}
