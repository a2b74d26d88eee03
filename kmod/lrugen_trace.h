/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrugen_trace.h - tracepoints of lrugen.ko (trace system "lrugen"), so that
 * an administrator can see, without lrugend's help, when reclaim works on
 * stale access data because harvests find the mmap lock busy:
 *
 *   mount -t tracefs nodev /sys/kernel/tracing   (if it is not mounted)
 *   echo 1 > /sys/kernel/tracing/events/lrugen/enable
 *   cat /sys/kernel/tracing/trace_pipe
 *
 * lrugen:harvest_done       every HARVEST that ran: target, cgroup, counts,
 *                           status (complete, contended, gone, partial),
 *                           walk_ns (time spent walking page tables)
 * lrugen:harvest_contended  a HARVEST or BUMP stopped by a busy mmap lock,
 *                           and where it stopped
 * lrugen:bump_done          every BUMP that ran
 *
 * pid is the target's thread group id in the initial pid namespace; cgroup
 * the cgroup2 id of the memcg filter (0: none). These events are a debugging
 * interface, not ABI: fields may change (the netlink ABI is
 * include/uapi/lrugen.h, whose LRUGEN_C_CONTENDED counts the same thing).
 *
 * Built out of tree: TRACE_INCLUDE_PATH is "." and Kbuild adds -I$(src).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM lrugen

#if !defined(LRUGEN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define LRUGEN_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/lrugen.h>

TRACE_DEFINE_ENUM(LRUGEN_STATUS_COMPLETE);
TRACE_DEFINE_ENUM(LRUGEN_STATUS_CONTENDED);
TRACE_DEFINE_ENUM(LRUGEN_STATUS_GONE);
TRACE_DEFINE_ENUM(LRUGEN_STATUS_PARTIAL);
TRACE_DEFINE_ENUM(LRUGEN_STATUS_MORE);

#define lrugen_show_status(status)					\
	__print_symbolic(status,					\
			 { LRUGEN_STATUS_COMPLETE, "complete" },	\
			 { LRUGEN_STATUS_CONTENDED, "contended" },	\
			 { LRUGEN_STATUS_GONE, "gone" },		\
			 { LRUGEN_STATUS_PARTIAL, "partial" },		\
			 { LRUGEN_STATUS_MORE, "more" })

DECLARE_EVENT_CLASS(lrugen_walk_done,

	TP_PROTO(pid_t pid, u64 cgroup, u32 status, u64 scanned, u64 young, u64 bumped,
		 u64 next_addr, u64 walk_ns),

	TP_ARGS(pid, cgroup, status, scanned, young, bumped, next_addr, walk_ns),

	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u32, status)
		__field(u64, cgroup)
		__field(u64, scanned)
		__field(u64, young)
		__field(u64, bumped)
		__field(u64, next_addr)
		__field(u64, walk_ns)
	),

	TP_fast_assign(
		__entry->pid = pid;
		__entry->status = status;
		__entry->cgroup = cgroup;
		__entry->scanned = scanned;
		__entry->young = young;
		__entry->bumped = bumped;
		__entry->next_addr = next_addr;
		__entry->walk_ns = walk_ns;
	),

	TP_printk("pid=%d cgroup=%llu status=%s scanned=%llu young=%llu bumped=%llu next_addr=0x%llx walk_ns=%llu",
		  __entry->pid, __entry->cgroup, lrugen_show_status(__entry->status),
		  __entry->scanned, __entry->young, __entry->bumped, __entry->next_addr,
		  __entry->walk_ns)
);

DEFINE_EVENT(lrugen_walk_done, harvest_done,
	TP_PROTO(pid_t pid, u64 cgroup, u32 status, u64 scanned, u64 young, u64 bumped,
		 u64 next_addr, u64 walk_ns),
	TP_ARGS(pid, cgroup, status, scanned, young, bumped, next_addr, walk_ns)
);

DEFINE_EVENT(lrugen_walk_done, bump_done,
	TP_PROTO(pid_t pid, u64 cgroup, u32 status, u64 scanned, u64 young, u64 bumped,
		 u64 next_addr, u64 walk_ns),
	TP_ARGS(pid, cgroup, status, scanned, young, bumped, next_addr, walk_ns)
);

TRACE_EVENT(harvest_contended,

	TP_PROTO(pid_t pid, u64 cgroup, bool bump, u64 scanned, u64 next_addr),

	TP_ARGS(pid, cgroup, bump, scanned, next_addr),

	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(bool, bump)
		__field(u64, cgroup)
		__field(u64, scanned)
		__field(u64, next_addr)
	),

	TP_fast_assign(
		__entry->pid = pid;
		__entry->bump = bump;
		__entry->cgroup = cgroup;
		__entry->scanned = scanned;
		__entry->next_addr = next_addr;
	),

	TP_printk("pid=%d cgroup=%llu cmd=%s scanned=%llu next_addr=0x%llx",
		  __entry->pid, __entry->cgroup, __entry->bump ? "bump" : "harvest",
		  __entry->scanned, __entry->next_addr)
);

#endif /* LRUGEN_TRACE_H */

/* out of tree: this directory, which Kbuild puts on the include path */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE lrugen_trace
#include <trace/define_trace.h>
