/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef LRG_MEMLOCK_H
#define LRG_MEMLOCK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The daemon held in RAM for the moment memory is shortest, at the cost
 * of what it runs on, not of every library it links.
 *
 * Present and locked from the start: the daemon's own executable, the code
 * of the C library and the loader, and every private writable mapping
 * (heap, stacks, data; anonymous ones up to LRG_MEMLOCK_ANON_PRESENT_MAX):
 * the decision and the kill run on them alone. Locked when first touched:
 * the read-only data of the C library and the loader (what the kill reads
 * of it before its signal, the listings read first), and the other
 * libraries (libsystemd, libnl, inih and what they pull in: libgcrypt,
 * three compressors), which serve the event loop and the log. What of
 * them runs stays in RAM; the megabytes that never run are never read in
 * (mlockall(MCL_CURRENT) would read them all: 8 MiB of RSS, most of it
 * code the daemon never calls).
 */

/* An anonymous mapping larger than this is a reservation, not a buffer
 * (a sanitizer's shadow reserves terabytes): locked on fault. */
#define LRG_MEMLOCK_ANON_PRESENT_MAX (64ULL << 20)

enum lrg_memlock_kind {
	LRG_MEMLOCK_SKIP,      /* no access, or the kernel's own ([vdso], [vvar]) */
	LRG_MEMLOCK_ONFAULT,   /* locked as it is touched */
	LRG_MEMLOCK_PRESENT,   /* faulted in and locked now */
};

/*
 * How one line of /proc/self/maps is locked; exe is the daemon's own
 * executable (readlink of /proc/self/exe). *start and *end receive the
 * range. LRG_MEMLOCK_SKIP also for a line that does not parse.
 */
enum lrg_memlock_kind lrg_memlock_classify(const char *line, const char *exe, uintptr_t *start,
					   uintptr_t *end);

/*
 * Lock the daemon: every mapping, now and future, locked on fault, then
 * the LRG_MEMLOCK_PRESENT ones faulted in. A kernel without MCL_ONFAULT
 * gets everything present. *ret_present: the bytes made present (may be
 * NULL). 0, or the negative errno of mlockall.
 */
int lrg_memlock_self(size_t *ret_present);

#endif /* LRG_MEMLOCK_H */
