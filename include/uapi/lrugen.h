/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * lrugen.h - the generic netlink ABI of lrugen.ko, shared by the kernel
 * module (kmod/) and user space (daemon/backend/backend_kmod.c, tests).
 *
 * The module harvests and clears the accessed bits of one process's page
 * tables for the pages charged to one memory cgroup, as the aging of
 * Multi-Generational LRU does, so that lrugend can keep generations in user
 * space. Only what this header documents is the ABI; it is append-only:
 * new commands, attributes, flags and status values are added at the end of
 * their enums, nothing is renumbered or removed. LRUGEN_ABI_VERSION grows
 * whenever something is appended, so user space can ask INFO what it may use.
 *
 * Family "lrugen" (LRUGEN_GENL_NAME), version LRUGEN_GENL_VERSION. Every
 * command needs CAP_NET_ADMIN (GENL_ADMIN_PERM) and works only in the
 * initial network namespace; HARVEST, HARVEST_ONE and BUMP also need read
 * access to the target process as ptrace grants it (PTRACE_MODE_READ_FSCREDS,
 * the rule of /proc/PID/pagemap: same user and dumpable, or CAP_SYS_PTRACE;
 * ABI 5), else -EPERM. Attributes are validated strictly: unknown
 * attributes, wrong lengths and unknown flags are errors, and every error
 * carries an extended ack message saying what was wrong.
 *
 * Commands
 * --------
 * LRUGEN_CMD_INFO (doit)
 *   Request: no attributes.
 *   Reply:   LRUGEN_A_ABI_VERSION, LRUGEN_A_RELEASE, LRUGEN_A_CAPS,
 *            LRUGEN_A_MAX_RANGES, LRUGEN_A_MAX_REGIONS, LRUGEN_A_MAX_PTES,
 *            LRUGEN_A_COUNTERS (module-wide counters, LRUGEN_C_*),
 *            LRUGEN_A_DUMP_SIZE (ABI 3).
 *
 * LRUGEN_CMD_HARVEST (dump: NLM_F_DUMP is required)
 *   Request: LRUGEN_A_PID and/or LRUGEN_A_PIDFD (the process whose address
 *              space is walked; see "Target process" below);
 *            LRUGEN_A_CGROUP_ID or LRUGEN_A_CGROUP_FD (at most one; only
 *              pages charged to that cgroup's memory controller are
 *              reported and cleared; without either, every page is);
 *            LRUGEN_A_FLAGS (optional, LRUGEN_F_*);
 *            LRUGEN_A_RANGES (optional; without it, the whole address space);
 *            LRUGEN_A_MAX_PTES (optional work bound, default and maximum
 *              LRUGEN_MAX_PTES);
 *            LRUGEN_A_RESUME_ADDR (optional: skip everything below this
 *              address; pass back LRUGEN_A_NEXT_ADDR of a PARTIAL or
 *              CONTENDED harvest to continue it).
 *   Reply:   a stream of messages, each with one or more LRUGEN_A_REGION
 *            (in ascending address order, each region address once per
 *            harvest; with LRUGEN_F_COMPACT in compact form), then one
 *            last message with LRUGEN_A_STATUS, LRUGEN_A_STATS and, unless
 *            the status is COMPLETE or GONE, LRUGEN_A_NEXT_ADDR. A region
 *            is reported only if at least one of its pages is present and
 *            charged to the cgroup. A message holds as many regions as fit
 *            in the kernel's dump skb, whose size follows the receiver's
 *            largest recvmsg() buffer (at most 32 KiB): as long as that
 *            was never larger than LRUGEN_A_DUMP_SIZE of INFO (ABI 3), no
 *            skb of the dump is larger, so a reader that receives with a
 *            buffer of exactly that size reads each one whole with one
 *            recv(), and keeps the kernel's dump skbs at their smallest.
 *   LRUGEN_A_PIDFD and LRUGEN_A_CGROUP_FD are looked up when the request
 *   is sent (the dump's .start), in the sender's file table, even when the
 *   first step of the dump runs later from recvmsg() (a full receive queue
 *   answers the request ENOBUFS and starts the dump on the next read).
 *   Unless LRUGEN_F_NO_BUMP is given, every young page is also passed on to
 *   the kernel's LRU with folio_mark_accessed() (the "generation bump"), so
 *   clearing the accessed bit never makes a hot page look cold to reclaim:
 *   once per folio, and not if the folio is already active and referenced
 *   (folio_mark_accessed() would leave it as it is).
 *   The mmap lock is only ever try-locked: if it is busy the harvest stops
 *   at once with LRUGEN_STATUS_CONTENDED; it never waits. Between PMD
 *   entries the walk lets go of it when a writer waits for it or a
 *   reschedule is due, and goes on only if it can take it again at once:
 *   else the harvest is CONTENDED too, with what it found so far and
 *   LRUGEN_A_NEXT_ADDR to resume from (ABI 5; LRUGEN_C_YIELDED counts).
 *
 * LRUGEN_CMD_HARVEST_ONE (doit, ABI 4; NLM_F_DUMP is refused: -EINVAL)
 *   Request: as for HARVEST.
 *   Reply:   one message (at most LRUGEN_A_DUMP_SIZE bytes, so a HARVEST
 *            reader's buffer holds it): the LRUGEN_A_REGION attributes of
 *            HARVEST, then LRUGEN_A_STATUS, LRUGEN_A_STATS and, unless the
 *            status is COMPLETE or GONE, LRUGEN_A_NEXT_ADDR. Errors are
 *            answered with NLMSG_ERROR (and extack) as for BUMP.
 *   The same harvest as HARVEST (the same walk, flags, ranges, work bound
 *   and bump) without the netlink dump machinery: for the many harvests
 *   whose regions fit one message (a process mostly of THPs, or whose
 *   young PTE tables are few). When the reply has no room for more, the
 *   walk stops between two regions, every region it found is in the reply,
 *   and the status is LRUGEN_STATUS_MORE with LRUGEN_A_NEXT_ADDR: the rest
 *   is a HARVEST (or another HARVEST_ONE) of the same request with
 *   LRUGEN_A_RESUME_ADDR set to it (and LRUGEN_A_MAX_PTES lowered by the
 *   entries already scanned); the two replies together report each region
 *   once, as one HARVEST would. LRUGEN_C_HARVESTS counts each request.
 *   If the sender's socket has unread messages when the request arrives
 *   (its receive queue may be full), it is refused with -EBUSY before
 *   anything is walked: a reply the socket could not take would lose what
 *   the walk cleared. Read every reply before the next HARVEST_ONE.
 *
 * LRUGEN_CMD_BUMP (doit)
 *   Request: LRUGEN_A_PID or LRUGEN_A_PIDFD, LRUGEN_A_CGROUP_ID or
 *            LRUGEN_A_CGROUP_FD as for HARVEST; LRUGEN_A_FLAGS (only
 *            LRUGEN_F_NO_ANON has a meaning here); the pages to bump as
 *            LRUGEN_A_RANGES and/or LRUGEN_A_REGION nests (LRUGEN_R_ADDR and
 *            LRUGEN_R_YOUNG: the pages whose bit is set), at least one.
 *   Action:  folio_mark_accessed() on every present page of those ranges
 *            charged to the cgroup; accessed bits are left alone.
 *   Reply:   LRUGEN_A_STATUS and LRUGEN_A_STATS (LRUGEN_S_BUMPED counts).
 *
 * Target process
 * --------------
 * LRUGEN_A_PID is a pid in the sender's pid namespace. LRUGEN_A_PIDFD is a
 * file descriptor of the sender from pidfd_open(2) or clone(CLONE_PIDFD)
 * (LRUGEN_CAP_PIDFD): it names the process without the pid-reuse race.
 * Both kinds of pidfd are taken: anon inode files (before 6.9) and pidfs
 * files (from 6.9); LRUGEN_CAP_PIDFD is set only by a module that knows
 * its kernel's kind.
 * Any other fd (a regular file, an eventfd, a socket, a closed fd) is
 * -EBADF; the pidfd of a process that has exited is -ESRCH. With both
 * attributes the pidfd decides, and the pid must name the same process
 * (-EINVAL otherwise; -ESRCH first if the pidfd's process is gone).
 *
 * Addresses
 * ---------
 * Ranges are half-open [start, end), page aligned, start < end, below the
 * user address space limit (TASK_SIZE_MAX), sorted and not overlapping.
 * Anything else is -EINVAL. A region is LRUGEN_REGION_SIZE (2 MiB) aligned;
 * bit i of a bitmap stands for the page at addr + i * 4096 (bit i is bit
 * (i % 8) of byte i / 8, i.e. a little-endian array of u64 on x86).
 *
 * Errors (negative errno with an extack message when NETLINK_EXT_ACK is on)
 * ------
 * INFO, BUMP and HARVEST_ONE answer errors with NLMSG_ERROR. HARVEST validates its
 * request in the first dump step, so its errors arrive as the errno in
 * NLMSG_DONE (kernels before 6.2 drop the extack of a dump's start).
 *   -EPERM       no CAP_NET_ADMIN (or not in the initial network namespace),
 *                or no ptrace read access to the target (ABI 5)
 *   -EINVAL      malformed request: missing pid, pid and pidfd naming
 *                different processes, pid 0, bad
 *                range, bad cgroup attribute, cgroup without memory
 *                controller, NLM_F_DUMP missing for HARVEST or given
 *                for HARVEST_ONE
 *   -E2BIG       more than LRUGEN_MAX_RANGES ranges
 *   -EOPNOTSUPP  unknown flag, or an attribute this kernel cannot serve
 *                (LRUGEN_A_PIDFD from a module without LRUGEN_CAP_PIDFD)
 *   -ESRCH       no such process, or it has no address space left
 *   -EBADF       bad cgroup fd, or LRUGEN_A_PIDFD not an open pidfd;
 *   -ENOENT      no cgroup with that id
 *   -EINVAL      kernel thread as target
 *   -EBUSY       HARVEST_ONE: unread messages on the sender's socket
 *
 * Tracing (not ABI)
 * -----------------
 * How an administrator learns that reclaim is degraded by contention,
 * without lrugend: besides LRUGEN_C_CONTENDED, the module has tracepoints
 * in trace system "lrugen" (echo 1 > /sys/kernel/tracing/events/lrugen/enable):
 * lrugen:harvest_done and lrugen:bump_done for every HARVEST (HARVEST_ONE
 * too) and BUMP that
 * ran (pid, cgroup id, status complete/contended/gone/partial/more, entries
 * scanned and young, folios bumped, next_addr, walk_ns) and
 * lrugen:harvest_contended for each one a busy mmap lock stopped. Their
 * fields may change between releases; see kmod/lrugen_trace.h, lrugen(4)
 * and lrugend(8), "Degraded reclaim".
 */
#ifndef _UAPI_LINUX_LRUGEN_H
#define _UAPI_LINUX_LRUGEN_H

#include <linux/types.h>

#define LRUGEN_GENL_NAME "lrugen"
#define LRUGEN_GENL_VERSION 1

/*
 * Grows by one whenever anything is appended to this header.
 *   1  the first release
 *   2  LRUGEN_F_COMPACT (LRUGEN_R_ALL), LRUGEN_F_YOUNG_TABLES
 *   3  LRUGEN_A_DUMP_SIZE
 *   4  LRUGEN_CMD_HARVEST_ONE, LRUGEN_STATUS_MORE
 *   5  LRUGEN_C_YIELDED; the access check on the target (-EPERM)
 */
#define LRUGEN_ABI_VERSION 5

/* Geometry: a region is what one PTE table maps. */
#define LRUGEN_PAGE_SIZE 4096ULL
#define LRUGEN_REGION_SIZE (2ULL << 20)
#define LRUGEN_REGION_PAGES 512
#define LRUGEN_BITMAP_BYTES (LRUGEN_REGION_PAGES / 8)	/* 64 */

/* Limits (also reported by INFO, which is authoritative). */
#define LRUGEN_MAX_RANGES 256		/* ranges per request */
#define LRUGEN_MAX_REGIONS 64		/* regions the walk buffers at most (not per message) */
#define LRUGEN_MAX_PTES (1ULL << 24)	/* work bound: entries per harvest (64 GiB) */

enum lrugen_cmd {
	LRUGEN_CMD_UNSPEC,
	LRUGEN_CMD_INFO,
	LRUGEN_CMD_HARVEST,
	LRUGEN_CMD_BUMP,
	LRUGEN_CMD_HARVEST_ONE,	/* (ABI 4) a HARVEST answered in one message */
	__LRUGEN_CMD_LAST
};
#define LRUGEN_CMD_MAX (__LRUGEN_CMD_LAST - 1)

/* One range of LRUGEN_A_RANGES, in host byte order. */
struct lrugen_range {
	__u64 start;
	__u64 end;
};

/* Top-level attributes. */
enum lrugen_attr {
	LRUGEN_A_UNSPEC,
	LRUGEN_A_ABI_VERSION,	/* u32: LRUGEN_ABI_VERSION of the module */
	LRUGEN_A_RELEASE,	/* string: kernel release (uname -r) */
	LRUGEN_A_CAPS,		/* u32: LRUGEN_CAP_* */
	LRUGEN_A_MAX_RANGES,	/* u32: ranges accepted per request */
	LRUGEN_A_MAX_REGIONS,	/* u32: regions the walk buffers at most (informative) */
	LRUGEN_A_PID,		/* u32: process id (in the caller's pid namespace), > 0 */
	LRUGEN_A_PIDFD,		/* u32: pidfd of the process */
	LRUGEN_A_CGROUP_ID,	/* u64: cgroup2 id (inode number of its directory) */
	LRUGEN_A_CGROUP_FD,	/* u32: fd of an open cgroup2 directory */
	LRUGEN_A_FLAGS,		/* u32: LRUGEN_F_* */
	LRUGEN_A_RANGES,	/* binary: struct lrugen_range[1..LRUGEN_MAX_RANGES] */
	LRUGEN_A_REGION,	/* nested: LRUGEN_R_* (one 2 MiB region) */
	LRUGEN_A_STATUS,	/* u32: enum lrugen_status */
	LRUGEN_A_STATS,		/* nested: LRUGEN_S_* (walk counters of this request) */
	LRUGEN_A_NEXT_ADDR,	/* u64: where a stopped harvest would continue */
	LRUGEN_A_MAX_PTES,	/* u64: work bound, entries scanned per harvest */
	LRUGEN_A_RESUME_ADDR,	/* u64: start the walk at this address */
	LRUGEN_A_COUNTERS,	/* nested: LRUGEN_C_* (module-wide, since load) */
	LRUGEN_A_PAD,		/* padding for 64-bit attributes */
	/*
	 * (ABI 3) u32, INFO: the default size of the kernel's dump skbs
	 * (NLMSG_GOODSIZE, a page less the skb's overhead), the receive
	 * buffer for HARVEST replies: see LRUGEN_CMD_HARVEST.
	 */
	LRUGEN_A_DUMP_SIZE,
	__LRUGEN_A_LAST
};
#define LRUGEN_A_MAX (__LRUGEN_A_LAST - 1)

/* Attributes nested in LRUGEN_A_REGION. */
enum lrugen_region_attr {
	LRUGEN_R_UNSPEC,
	LRUGEN_R_ADDR,		/* u64: LRUGEN_REGION_SIZE aligned */
	LRUGEN_R_PRESENT,	/* binary[64]: mapped and charged to the cgroup */
	LRUGEN_R_YOUNG,		/* binary[64]: accessed bit was set (now cleared) */
	LRUGEN_R_ANON,		/* binary[64]: anon or shmem page (else file) */
	LRUGEN_R_HUGE,		/* flag: one PMD-mapped THP covers the region */
	LRUGEN_R_PAD,
	LRUGEN_R_ALL,		/* u32: LRUGEN_RA_*, LRUGEN_F_COMPACT only (ABI 2) */
	LRUGEN_R_COUNT,		/* u32: consecutive regions alike, LRUGEN_F_COMPACT only (ABI 2) */
	__LRUGEN_R_LAST
};
#define LRUGEN_R_MAX (__LRUGEN_R_LAST - 1)

/* Attributes nested in LRUGEN_A_STATS (all u64), per request. */
enum lrugen_stats_attr {
	LRUGEN_S_UNSPEC,
	LRUGEN_S_PTE_TOTAL,	/* leaf entries scanned (a PMD-mapped THP counts 1) */
	LRUGEN_S_PTE_OLD,	/* leaf entries present but not young */
	LRUGEN_S_PTE_YOUNG,	/* leaf entries young (accessed bit cleared) */
	LRUGEN_S_PMD_TOTAL,	/* non-leaf PMD entries seen */
	LRUGEN_S_PMD_YOUNG,	/* non-leaf PMD entries with the accessed bit set */
	LRUGEN_S_BUMPED,	/* folios passed to folio_mark_accessed() (not those
				 * already active and referenced: no change) */
	LRUGEN_S_PAD,
	__LRUGEN_S_LAST
};
#define LRUGEN_S_MAX (__LRUGEN_S_LAST - 1)

/* Attributes nested in LRUGEN_A_COUNTERS (all u64), since module load. */
enum lrugen_counter_attr {
	LRUGEN_C_UNSPEC,
	LRUGEN_C_HARVESTS,	/* harvests started */
	LRUGEN_C_CONTENDED,	/* harvests stopped by a busy mmap lock: if this
				 * grows, reclaim works on stale access data */
	LRUGEN_C_GONE,		/* harvests whose process exited */
	LRUGEN_C_PARTIAL,	/* harvests stopped by the work bound */
	LRUGEN_C_PTE_SCANNED,	/* leaf entries scanned */
	LRUGEN_C_PTE_YOUNG,	/* leaf entries found young */
	LRUGEN_C_BUMPED,	/* folios bumped */
	LRUGEN_C_REJECTED,	/* requests refused as invalid */
	LRUGEN_C_PAD,
	/*
	 * (ABI 5) times a walk let go of the mmap lock for a waiting writer
	 * or a due reschedule (and went on, or stopped CONTENDED)
	 */
	LRUGEN_C_YIELDED,
	__LRUGEN_C_LAST
};
#define LRUGEN_C_MAX (__LRUGEN_C_LAST - 1)

/* LRUGEN_A_FLAGS. */
enum lrugen_flags {
	/*
	 * Also walk the PTE tables whose non-leaf PMD entry has its accessed
	 * bit set, anywhere in the address space, even outside
	 * LRUGEN_A_RANGES, and clear that bit (x86 sets it whenever the MMU
	 * walks through the entry). Needs LRUGEN_CAP_NONLEAF_YOUNG.
	 */
	LRUGEN_F_NONLEAF = 1U << 0,
	/* Skip anonymous and shmem memory (swap is off: it cannot be evicted). */
	LRUGEN_F_NO_ANON = 1U << 1,
	/* Do not folio_mark_accessed() young pages. Tests and benchmarks only. */
	LRUGEN_F_NO_BUMP = 1U << 2,
	/*
	 * (ABI 2) Compact regions: in each LRUGEN_A_REGION, a bitmap whose 512
	 * bits are all set is not sent; its LRUGEN_RA_* bit in LRUGEN_R_ALL
	 * says so instead. A bitmap whose bits are all clear is not sent either
	 * (and its LRUGEN_RA_* bit is clear). So a region is: LRUGEN_R_ADDR,
	 * LRUGEN_R_ALL (always present, maybe 0), then each of
	 * LRUGEN_R_PRESENT, LRUGEN_R_YOUNG and LRUGEN_R_ANON only if it has
	 * both set and clear bits, and LRUGEN_R_HUGE as before. A run of
	 * consecutive regions that are each one PMD-mapped THP with the same
	 * LRUGEN_R_ALL comes as one LRUGEN_A_REGION with LRUGEN_R_COUNT (u32,
	 * at least 2; absent means 1): it stands for the regions at
	 * LRUGEN_R_ADDR + i * LRUGEN_REGION_SIZE, i < COUNT, all alike. So
	 * 256 MiB of THPs of one age is one 36-byte attribute instead of 128
	 * of 224 bytes. HARVEST only.
	 */
	LRUGEN_F_COMPACT = 1U << 3,
	/*
	 * (ABI 2) Walk a PTE table only if its non-leaf PMD entry has the
	 * accessed bit set: the bit is cleared and the whole table is walked,
	 * as with LRUGEN_F_NONLEAF (which this flag implies); a table whose bit
	 * is clear is skipped without reading its entries, and its pages are
	 * not reported, not even as present. This is the rule of MGLRU's aging
	 * on CPUs that set the bit (LRU_GEN_NONLEAF_YOUNG), even under
	 * force_scan: the MMU sets the bit whenever it walks through the entry
	 * and a new PTE table starts with it set, so a table whose bit is clear
	 * has no PTE made young since a harvest last cleared it. If a walked
	 * table has young entries this harvest does not clear (pages of
	 * another memory cgroup, or anon pages under LRUGEN_F_NO_ANON), the
	 * bit is set again, so that a later harvest for them does not skip the
	 * table. LRUGEN_A_RANGES then only limits the PMD-mapped THPs visited.
	 * Caveat (as for MGLRU): a CPU that caches non-leaf entries may set a
	 * PTE's accessed bit without setting the PMD's again until that cache
	 * entry is flushed. Needs LRUGEN_CAP_NONLEAF_YOUNG (else -EOPNOTSUPP).
	 * HARVEST and HARVEST_ONE only.
	 */
	LRUGEN_F_YOUNG_TABLES = 1U << 4,
	__LRUGEN_F_ALL = (1U << 5) - 1
};

/* LRUGEN_R_ALL (LRUGEN_F_COMPACT): which bitmaps are all ones (not sent). */
enum lrugen_region_all {
	LRUGEN_RA_PRESENT = 1U << 0,
	LRUGEN_RA_YOUNG = 1U << 1,
	LRUGEN_RA_ANON = 1U << 2,
};

/* LRUGEN_A_CAPS. */
enum lrugen_caps {
	LRUGEN_CAP_HW_YOUNG = 1U << 0,		/* the MMU sets accessed bits itself */
	LRUGEN_CAP_NONLEAF_YOUNG = 1U << 1,	/* ... in non-leaf PMD entries too */
	LRUGEN_CAP_THP = 1U << 2,		/* PMD-mapped THPs exist */
	LRUGEN_CAP_MEMCG = 1U << 3,		/* memory cgroups: cgroup filter works */
	LRUGEN_CAP_PIDFD = 1U << 4,		/* LRUGEN_A_PIDFD accepted */
};

/* LRUGEN_A_STATUS. */
enum lrugen_status {
	LRUGEN_STATUS_COMPLETE = 0,	/* every requested range was walked */
	LRUGEN_STATUS_CONTENDED = 1,	/* the mmap lock was busy: stopped at NEXT_ADDR */
	LRUGEN_STATUS_GONE = 2,		/* the address space exited during the walk */
	LRUGEN_STATUS_PARTIAL = 3,	/* the work bound was hit: stopped at NEXT_ADDR */
	/*
	 * (ABI 4) HARVEST_ONE only: the reply is full; every region below
	 * NEXT_ADDR is in it, the rest is still to be harvested from NEXT_ADDR
	 */
	LRUGEN_STATUS_MORE = 4,
};

#endif /* _UAPI_LINUX_LRUGEN_H */
