/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * util.h - scoped cleanup for host and backend code, after systemd's
 * _cleanup_ attributes.
 *
 * A variable declared _cleanup_free_ is freed, an fd declared
 * _cleanup_close_ closed, a FILE or DIR closed, when it goes out of scope,
 * so every early return releases what was taken without a goto chain.
 * TAKE_PTR() and TAKE_FD() hand ownership out of such a variable (to a
 * ret_* output) and leave it empty, so the cleanup does nothing.
 *
 * The cleanups keep errno: `return -errno;` after a failed call stays
 * right whatever a close() at scope exit does to it.
 */
#ifndef LRG_UTIL_H
#define LRG_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void lrg_freep(void *p)
{
	free(*(void **)p);
}

static inline void lrg_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void lrg_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;

		fclose(*f);
		errno = saved;
	}
}

static inline void lrg_closedirp(DIR **d)
{
	if (*d) {
		int saved = errno;

		closedir(*d);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(lrg_freep)
#define _cleanup_close_ _cleanup_(lrg_closep)
#define _cleanup_fclose_ _cleanup_(lrg_fclosep)
#define _cleanup_closedir_ _cleanup_(lrg_closedirp)

/* The value of p, leaving NULL behind. */
#define TAKE_PTR(p)                                  \
	({                                           \
		__typeof__(p) lrg_take_ptr_ = (p);   \
		(p) = NULL;                          \
		lrg_take_ptr_;                       \
	})

/* The fd, leaving -1 behind. */
#define TAKE_FD(fd)                                  \
	({                                           \
		int lrg_take_fd_ = (fd);             \
		(fd) = -1;                           \
		lrg_take_fd_;                        \
	})

#endif /* LRG_UTIL_H */
