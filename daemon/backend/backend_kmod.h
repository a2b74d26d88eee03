/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backend_kmod.h - client of lrugen.ko's generic netlink family (libnl-genl-3),
 * and the "kmod" backend built on it. The ABI is include/uapi/lrugen.h.
 */
#ifndef LRG_BACKEND_KMOD_H
#define LRG_BACKEND_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uapi/lrugen.h>

#include "lrg_backend.h"

struct lrg_kmod;

struct lrg_kmod_info {
	uint32_t abi_version;
	uint32_t caps;			/* LRUGEN_CAP_* */
	uint32_t max_ranges;
	uint32_t max_regions;
	uint64_t max_ptes;
	uint32_t dump_size;		/* LRUGEN_A_DUMP_SIZE (ABI 3), else 0 */
	char release[65];
	uint64_t counters[LRUGEN_C_MAX + 1];	/* indexed by LRUGEN_C_* */
};

struct lrg_kmod_harvest_args {
	pid_t pid;
	uint64_t cgroup_id;		/* 0: every page, whatever its memcg */
	int cgroup_fd;			/* >= 0: use this instead of cgroup_id */
	unsigned int flags;		/* LRUGEN_F_* */
	const struct lrugen_range *ranges;	/* NULL: whole address space */
	size_t nr_ranges;
	uint64_t max_ptes;		/* 0: the module's default */
	uint64_t resume;		/* start address, 0 from the beginning */
	/*
	 * With use_pidfd, pidfd (from pidfd_open) names the process instead of
	 * pid (LRUGEN_A_PIDFD; needs LRUGEN_CAP_PIDFD); pid, if not 0, must
	 * name the same process.
	 */
	bool use_pidfd;
	int pidfd;
	/*
	 * Ask for every bitmap in full (the ABI 1 encoding). By default the
	 * client asks a module of ABI 2 or later for LRUGEN_F_COMPACT regions;
	 * fn sees the same regions either way. For tests.
	 */
	bool full_bitmaps;
	/*
	 * Use the HARVEST dump even with a module that has HARVEST_ONE (ABI 4),
	 * which the client otherwise asks first. For tests and benchmarks.
	 */
	bool dump;
};

/*
 * Connect and check the module. Returns 0, -ENOENT (lrugen.ko not loaded),
 * -EPROTO (module ABI older than LRG_KMOD_MIN_ABI), -EPERM (no
 * CAP_NET_ADMIN) or another negative errno; errbuf gets one line saying why.
 * What a newer ABI adds is used only when the module has it.
 */
#define LRG_KMOD_MIN_ABI 1
int lrg_kmod_open(struct lrg_kmod **ret_kmod, char *errbuf, size_t errlen);
void lrg_kmod_close(struct lrg_kmod *kmod);

/* The extack message (or a local explanation) of the last failed request. */
const char *lrg_kmod_errmsg(const struct lrg_kmod *kmod);
/* The generic netlink family id, for tests that craft raw messages. */
int lrg_kmod_family(const struct lrg_kmod *kmod);

int lrg_kmod_info(struct lrg_kmod *kmod, struct lrg_kmod_info *ret_info);

/*
 * One harvest: a HARVEST_ONE request (ABI 4; one reply message) and, only
 * if its reply was full, a HARVEST dump of the rest; from older modules (or
 * with args->dump) the HARVEST dump alone. Replies are read straight from
 * the socket into a buffer kept for the connection (no allocation per
 * harvest or message), each region checked against a policy. fn is called per region; when it
 * returns a negative errno the rest of the dump is drained and that errno
 * returned.
 * ret_stats->status is LRG_HARVEST_*; *ret_next is where a CONTENDED or
 * PARTIAL harvest stopped. Returns 0 or a negative errno from the kernel.
 */
int lrg_kmod_harvest(struct lrg_kmod *kmod, const struct lrg_kmod_harvest_args *args,
		     lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats,
		     uint64_t *ret_next);

/* BUMP: folio_mark_accessed() the pages in ranges and the young bits of regions. */
int lrg_kmod_bump(struct lrg_kmod *kmod, pid_t pid, uint64_t cgroup_id, unsigned int flags,
		  const struct lrugen_range *ranges, size_t nr_ranges,
		  const struct lrg_region *regions, size_t nr_regions,
		  struct lrg_walk_stats *ret_stats);

/* The module's INFO as read when the connection was opened. */
const struct lrg_kmod_info *lrg_kmod_get_info(const struct lrg_kmod *kmod);

/*
 * The kmod backend: harvest() over lrugen.ko (other operations NULL). A
 * harvest target is named by a pidfd when the module has LRUGEN_CAP_PIDFD
 * (kept open per process, so the pid cannot be reused under it), after a
 * check that the pid's start time is still the one lrugend knows; without
 * the capability by that check and the pid.
 */
int lrg_kmod_backend_new(struct lrg_backend **ret_backend, char *errbuf, size_t errlen);

/*
 * Recovery: a harvest that gets -ENOENT looks the family up again (after an
 * rmmod it is gone; after a reload it is back, maybe under another id, and
 * INFO is read again) and, if it is there, is tried once more. Harvests
 * that fail for the module's sake (not their target's exit, not a memory
 * cgroup gone) are logged (the first of a run as a warning) and counted:
 * this returns how many failed in a row (0 after one that worked), and the
 * last one's message in why (may be NULL).
 */
unsigned int lrg_kmod_backend_failures(const struct lrg_backend *b, char *why, size_t len);

#endif /* LRG_BACKEND_KMOD_H */
