/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * psi_trigger.h - PSI triggers (Documentation/accounting/psi.rst): a
 * pressure file opened for writing, told "some STALL WINDOW", wakes its
 * poller (POLLPRI) when tasks stalled on memory for STALL us within any
 * WINDOW us. The daemon sleeps on them instead of polling the files.
 *
 * The kernel bounds the window to 500 ms..10 s and wants the stall below
 * it. An fd's trigger dies with the cgroup it watches (POLLERR).
 */
#ifndef LRG_PSI_TRIGGER_H
#define LRG_PSI_TRIGGER_H

#include <stdint.h>

#define LRG_PSI_WINDOW_MIN_US 500000u
#define LRG_PSI_WINDOW_MAX_US 10000000u

/* Format the trigger's text into buf ("some 50000 1000000"). -EINVAL
 * when the kernel would refuse the pair (window out of bounds, stall 0
 * or not below the window), -ENOSPC when buf is short. */
int lrg_psi_trigger_text(uint32_t stall_us, uint32_t window_us, char *buf, size_t len);

/* Open path (a /proc/pressure/memory or a cgroup's memory.pressure) and
 * arm the trigger. Returns the fd (O_NONBLOCK, O_CLOEXEC) or -errno:
 * -ENOENT without PSI, -EPERM without CAP_SYS_RESOURCE before 6.5,
 * -EINVAL (the write's) when the kernel refuses the trigger: no triggers,
 * or from 6.5 a window under 2 s without CAP_SYS_RESOURCE. */
int lrg_psi_trigger_open(const char *path, uint32_t stall_us, uint32_t window_us);

#endif /* LRG_PSI_TRIGGER_H */
