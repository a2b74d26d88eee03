/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pidfd.h - the pidfd system calls, which older C libraries do not wrap.
 *
 * A pidfd names one process for as long as it is held: a signal or a
 * release through it can never reach a process that reused the pid. Each
 * wrapper returns a negative errno on failure (-ENOSYS on kernels without
 * the call).
 */
#ifndef LRG_PIDFD_H
#define LRG_PIDFD_H

#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* A pidfd (close-on-exec, as every pidfd) for pid, or -ESRCH & co. */
static inline int lrg_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

/* sig 0 only asks whether the process still lives (-ESRCH when not). */
static inline int lrg_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* Free a dying process's memory now (5.15+): -EINVAL when it is not dying. */
static inline int lrg_process_mrelease(int pidfd)
{
	return syscall(SYS_process_mrelease, pidfd, 0) < 0 ? -errno : 0;
}

/* Bytes advised, or a negative errno (5.10+). */
static inline ssize_t lrg_process_madvise(int pidfd, const struct iovec *iov, size_t n, int advice)
{
	long done = syscall(SYS_process_madvise, pidfd, iov, n, advice, 0);

	return done < 0 ? -errno : (ssize_t)done;
}

#endif /* LRG_PIDFD_H */
