// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the "lrugen" generic netlink family: request validation,
 * INFO, the HARVEST dump and BUMP. The ABI is documented in
 * include/uapi/lrugen.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/sched/coredump.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/utsname.h>
#include <linux/mm.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "lrugen.h"
#include "lrugen_trace.h"

static struct genl_family lrugen_family;

static const struct nla_policy lrugen_region_policy[LRUGEN_R_MAX + 1] = {
	[LRUGEN_R_ADDR] = { .type = NLA_U64 },
	[LRUGEN_R_PRESENT] = NLA_POLICY_EXACT_LEN(LRUGEN_BITMAP_BYTES),
	[LRUGEN_R_YOUNG] = NLA_POLICY_EXACT_LEN(LRUGEN_BITMAP_BYTES),
	[LRUGEN_R_ANON] = NLA_POLICY_EXACT_LEN(LRUGEN_BITMAP_BYTES),
	[LRUGEN_R_HUGE] = { .type = NLA_FLAG },
	[LRUGEN_R_PAD] = { .type = NLA_REJECT },
	/* reply only (LRUGEN_F_COMPACT): BUMP's regions take none */
	[LRUGEN_R_ALL] = { .type = NLA_REJECT },
	[LRUGEN_R_COUNT] = { .type = NLA_REJECT },
};

/* Reply-only attributes are NLA_REJECT: a request carrying one is malformed. */
static const struct nla_policy lrugen_policy[LRUGEN_A_MAX + 1] = {
	[LRUGEN_A_ABI_VERSION] = { .type = NLA_REJECT },
	[LRUGEN_A_RELEASE] = { .type = NLA_REJECT },
	[LRUGEN_A_CAPS] = { .type = NLA_REJECT },
	[LRUGEN_A_MAX_RANGES] = { .type = NLA_REJECT },
	[LRUGEN_A_MAX_REGIONS] = { .type = NLA_REJECT },
	[LRUGEN_A_PID] = { .type = NLA_U32 },
	[LRUGEN_A_PIDFD] = { .type = NLA_U32 },
	[LRUGEN_A_CGROUP_ID] = { .type = NLA_U64 },
	[LRUGEN_A_CGROUP_FD] = { .type = NLA_U32 },
	[LRUGEN_A_FLAGS] = { .type = NLA_U32 },
	/* a multiple of 16 bytes, checked with a clearer errno in lrugen_parse_ranges() */
	[LRUGEN_A_RANGES] = { .type = NLA_BINARY,
			      .len = (LRUGEN_MAX_RANGES + 1) * sizeof(struct lrugen_range) },
	[LRUGEN_A_REGION] = NLA_POLICY_NESTED(lrugen_region_policy),
	[LRUGEN_A_STATUS] = { .type = NLA_REJECT },
	[LRUGEN_A_STATS] = { .type = NLA_REJECT },
	[LRUGEN_A_NEXT_ADDR] = { .type = NLA_REJECT },
	[LRUGEN_A_MAX_PTES] = { .type = NLA_U64 },
	[LRUGEN_A_RESUME_ADDR] = { .type = NLA_U64 },
	[LRUGEN_A_COUNTERS] = { .type = NLA_REJECT },
	[LRUGEN_A_PAD] = { .type = NLA_REJECT },
	[LRUGEN_A_DUMP_SIZE] = { .type = NLA_REJECT },
};

/* A parsed request: everything the walk needs, pinned. */
struct lrugen_req {
	struct mm_struct *mm;		/* mmgrab()ed */
	struct mem_cgroup *memcg;	/* css reference held, or NULL */
	unsigned int flags;
	struct lrugen_range *ranges;	/* kmalloc()ed, sorted, or NULL */
	unsigned int nr_ranges;
	u64 max_ptes;
	u64 resume;
	pid_t pid;			/* thread group id of the target, for tracing */
	u64 cgroup_id;			/* of req->memcg, 0 without; for tracing */
};

static void lrugen_req_release(struct lrugen_req *req)
{
	if (req->mm)
		mmdrop(req->mm);
	if (req->memcg)
		css_put(&req->memcg->css);
	kfree(req->ranges);
	memset(req, 0, sizeof(*req));
}

/*
 * The struct pid behind a pidfd, referenced. pidfd_get_pid() is not
 * exported: lrugen_pidfd_file_pid() (compat.h) tells a pidfd from any other
 * file, which is -EBADF.
 */
static struct pid *lrugen_pidfd_get_pid(struct nlattr *nla, struct netlink_ext_ack *extack)
{
	u32 fd = nla_get_u32(nla);
	struct file *file;
	struct pid *pid;

	if (fd > INT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "bad pidfd");
		return ERR_PTR(-EBADF);
	}
	/* the request is parsed in the sender's context: its file table */
	file = fget(fd);
	if (!file) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "pidfd is not an open file descriptor");
		return ERR_PTR(-EBADF);
	}
	pid = lrugen_pidfd_file_pid(file);
	if (!pid) {
		fput(file);
		NL_SET_ERR_MSG_ATTR(extack, nla, "fd is not a pidfd");
		return ERR_PTR(-EBADF);
	}
	/* the file holds a reference to pid: take ours before letting it go */
	pid = get_pid(pid);
	fput(file);
	return pid;
}

/*
 * What ptrace_may_access(task, PTRACE_MODE_READ_FSCREDS) decides (the rule
 * of /proc/PID/maps and pagemap), which is not exported: the caller is the
 * task itself; or its fsuid and fsgid are the task's real, effective and
 * saved ids and the task is dumpable; or it has CAP_SYS_PTRACE in the
 * task's user namespace (and in its mm's, for a task that is not
 * dumpable). The LSM hook (security_ptrace_access_check()) is not exported
 * either: Yama, SELinux and AppArmor are not asked.
 */
static bool lrugen_may_read_mm(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	struct mm_struct *mm;
	bool allowed;

	if (same_thread_group(task, current))
		return true;

	task_lock(task);
	rcu_read_lock();
	tcred = __task_cred(task);
	allowed = (uid_eq(cred->fsuid, tcred->euid) && uid_eq(cred->fsuid, tcred->suid) &&
		   uid_eq(cred->fsuid, tcred->uid) && gid_eq(cred->fsgid, tcred->egid) &&
		   gid_eq(cred->fsgid, tcred->sgid) && gid_eq(cred->fsgid, tcred->gid)) ||
		  ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (allowed) {
		/* the dumpable flag after the credentials, as commit_creds() writes them */
		smp_rmb();
		mm = task->mm;
		if (mm && get_dumpable(mm) != SUID_DUMP_USER &&
		    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
			allowed = false;
	}
	task_unlock(task);
	return allowed;
}

/*
 * The target process: LRUGEN_A_PIDFD, LRUGEN_A_PID, or both. With both, the
 * pidfd decides and the pid must name the same process (-EINVAL otherwise);
 * a pidfd whose process is gone is -ESRCH whatever the pid says.
 */
static int lrugen_get_mm(struct nlattr **attrs, struct netlink_ext_ack *extack,
			 struct pid *pidfd_pid, struct mm_struct **ret_mm, pid_t *ret_pid)
{
	struct nlattr *nla = attrs[LRUGEN_A_PIDFD] ?: attrs[LRUGEN_A_PID];
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid = NULL;
	u32 nr = 0;

	if (!nla) {
		NL_SET_ERR_MSG(extack, "missing LRUGEN_A_PID or LRUGEN_A_PIDFD");
		return -EINVAL;
	}

	if (attrs[LRUGEN_A_PID]) {
		nr = nla_get_u32(attrs[LRUGEN_A_PID]);
		if (!nr || nr > PID_MAX_LIMIT) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_PID], "pid out of range");
			return -EINVAL;
		}
	}

	if (attrs[LRUGEN_A_PIDFD] && !LRUGEN_HAS_PIDFD) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_PIDFD],
				    "pidfds of this kernel are not known to the module (no LRUGEN_CAP_PIDFD)");
		return -EOPNOTSUPP;
	}

	if (attrs[LRUGEN_A_PIDFD]) {
		/* HARVEST resolves the pidfd in .start, in the sender's context */
		pid = pidfd_pid ? get_pid(pidfd_pid) :
				  lrugen_pidfd_get_pid(attrs[LRUGEN_A_PIDFD], extack);
		if (IS_ERR(pid))
			return PTR_ERR(pid);
		/* what pidfd_get_task() does: the thread group leader */
		task = get_pid_task(pid, PIDTYPE_TGID);
		if (task && nr) {
			struct pid *by_nr = find_get_pid(nr);
			bool same = by_nr == pid;

			put_pid(by_nr);
			if (!same) {
				put_pid(pid);
				put_task_struct(task);
				NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_PID],
						    "LRUGEN_A_PID and LRUGEN_A_PIDFD name different processes");
				return -EINVAL;
			}
		}
	} else {
		pid = find_get_pid(nr);
		task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	}
	put_pid(pid);
	if (!task) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such process");
		return -ESRCH;
	}
	if (task->flags & PF_KTHREAD) {
		put_task_struct(task);
		NL_SET_ERR_MSG_ATTR(extack, nla, "kernel threads have no user memory");
		return -EINVAL;
	}
	/* CAP_NET_ADMIN is not enough: reading another user's access pattern is ptrace's */
	if (!lrugen_may_read_mm(task)) {
		put_task_struct(task);
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "no read access to this process (as ptrace's, PTRACE_MODE_READ_FSCREDS)");
		return -EPERM;
	}

	*ret_pid = task_tgid_nr(task);
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "process has no address space (exiting)");
		return -ESRCH;
	}

	/*
	 * Keep the mm_struct, not the address space: an exit is seen as GONE.
	 * If the process exited meanwhile, exit_mmap() runs in a worker, not
	 * in this request.
	 */
	mmgrab(mm);
	mmput_async(mm);
	*ret_mm = mm;
	return 0;
}

/*
 * The memcg filter: LRUGEN_A_CGROUP_ID or LRUGEN_A_CGROUP_FD. fd_cgrp is
 * what HARVEST's .start made of the fd, in the sender's context (a cgroup or
 * an ERR_PTR), NULL to look the fd up here (BUMP, a doit: the sender's
 * context too).
 */
static int lrugen_get_memcg(struct nlattr **attrs, struct netlink_ext_ack *extack,
			    struct cgroup *fd_cgrp, struct mem_cgroup **ret_memcg,
			    u64 *ret_cgroup_id)
{
	struct cgroup_subsys_state *css;
	struct nlattr *nla;
	struct cgroup *cgrp;

	if (attrs[LRUGEN_A_CGROUP_ID] && attrs[LRUGEN_A_CGROUP_FD]) {
		NL_SET_ERR_MSG(extack, "give LRUGEN_A_CGROUP_ID or LRUGEN_A_CGROUP_FD, not both");
		return -EINVAL;
	}

	if (attrs[LRUGEN_A_CGROUP_ID]) {
		u64 id = nla_get_u64(attrs[LRUGEN_A_CGROUP_ID]);

		nla = attrs[LRUGEN_A_CGROUP_ID];
		if (!id) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "cgroup id 0 is invalid");
			return -EINVAL;
		}
		cgrp = cgroup_get_from_id(id);
	} else if (attrs[LRUGEN_A_CGROUP_FD]) {
		u32 fd = nla_get_u32(attrs[LRUGEN_A_CGROUP_FD]);

		nla = attrs[LRUGEN_A_CGROUP_FD];
		if (fd > INT_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "bad cgroup fd");
			return -EBADF;
		}
		if (!fd_cgrp)
			cgrp = cgroup_get_from_fd(fd);
		else if (IS_ERR(fd_cgrp))
			cgrp = fd_cgrp;
		else
			cgroup_get(cgrp = fd_cgrp);
	} else {
		*ret_memcg = NULL;
		return 0;
	}

	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such cgroup (cgroup2 only)");
		return PTR_ERR(cgrp);
	}

	if (mem_cgroup_disabled()) {
		cgroup_put(cgrp);
		NL_SET_ERR_MSG_ATTR(extack, nla, "memory cgroups are disabled");
		return -EOPNOTSUPP;
	}

	css = cgroup_get_e_css(cgrp, &memory_cgrp_subsys);
	/* the effective css of a cgroup without the controller is an ancestor's */
	if (!css || css->cgroup != cgrp) {
		if (css)
			css_put(css);
		cgroup_put(cgrp);
		NL_SET_ERR_MSG_ATTR(extack, nla, "memory controller not enabled in this cgroup");
		return -EINVAL;
	}
	*ret_cgroup_id = cgroup_id(cgrp);
	cgroup_put(cgrp);

	*ret_memcg = mem_cgroup_from_css(css);
	return 0;
}

static int lrugen_range_cmp(const void *a, const void *b)
{
	const struct lrugen_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Check ranges one by one, then that they are sorted and do not overlap. */
static int lrugen_check_ranges(const struct lrugen_range *ranges, unsigned int nr,
			       const struct nlattr *nla, struct netlink_ext_ack *extack)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct lrugen_range *r = &ranges[i];

		if ((r->start | r->end) & ~PAGE_MASK) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "range not page aligned");
			return -EINVAL;
		}
		if (r->start >= r->end) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "range start >= end");
			return -EINVAL;
		}
		if (r->end > TASK_SIZE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "range beyond user address space");
			return -EINVAL;
		}
		if (i && r->start < ranges[i - 1].end) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "ranges not sorted or overlapping");
			return -EINVAL;
		}
	}
	return 0;
}

/* Turn the set bits of BUMP's regions into ranges appended to req->ranges. */
static int lrugen_regions_to_ranges(struct genl_info *info, struct lrugen_req *req)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[LRUGEN_R_MAX + 1];
	struct nlattr *nla;
	int rem, ret;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		DECLARE_BITMAP(bits, LRUGEN_REGION_PAGES);
		unsigned int first, last;
		u64 addr;

		if (nla_type(nla) != LRUGEN_A_REGION)
			continue;
		ret = nla_parse_nested(tb, LRUGEN_R_MAX, nla, lrugen_region_policy, extack);
		if (ret)
			return ret;
		if (!tb[LRUGEN_R_ADDR] || !tb[LRUGEN_R_YOUNG]) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "BUMP region needs LRUGEN_R_ADDR and LRUGEN_R_YOUNG");
			return -EINVAL;
		}
		addr = nla_get_u64(tb[LRUGEN_R_ADDR]);
		if (addr & (LRUGEN_REGION_SIZE - 1) || addr >= TASK_SIZE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[LRUGEN_R_ADDR], "region address not 2 MiB aligned user address");
			return -EINVAL;
		}
		bitmap_from_arr32(bits, nla_data(tb[LRUGEN_R_YOUNG]), LRUGEN_REGION_PAGES);
		for_each_set_bitrange(first, last, bits, LRUGEN_REGION_PAGES) {
			u64 end = min_t(u64, addr + (u64)last * PAGE_SIZE, TASK_SIZE_MAX);

			if (req->nr_ranges >= LRUGEN_MAX_RANGES) {
				NL_SET_ERR_MSG_ATTR(extack, nla, "too many ranges (ranges plus bitmap runs)");
				return -E2BIG;
			}
			req->ranges[req->nr_ranges].start = addr + (u64)first * PAGE_SIZE;
			req->ranges[req->nr_ranges].end = end;
			req->nr_ranges++;
		}
	}
	return 0;
}

static int lrugen_parse_ranges(struct nlattr **attrs, struct netlink_ext_ack *extack,
			       struct lrugen_req *req, bool bump)
{
	struct nlattr *nla = attrs[LRUGEN_A_RANGES];
	unsigned int nr = 0;

	if (nla) {
		if (!nla_len(nla) || nla_len(nla) % sizeof(struct lrugen_range)) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "LRUGEN_A_RANGES must be a non-empty array of 16-byte ranges");
			return -EINVAL;
		}
		nr = nla_len(nla) / sizeof(struct lrugen_range);
		if (nr > LRUGEN_MAX_RANGES) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "too many ranges");
			return -E2BIG;
		}
	}

	/*
	 * Allocated before any lock is taken: for BUMP with room for its
	 * bitmap runs too; for HARVEST just what was sent (heap memory is
	 * zeroed on allocation on many kernels: every byte costs).
	 */
	if (bump)
		req->ranges = kcalloc(LRUGEN_MAX_RANGES, sizeof(*req->ranges), GFP_KERNEL);
	else if (nr)
		req->ranges = kmalloc_array(nr, sizeof(*req->ranges), GFP_KERNEL);
	if ((bump || nr) && !req->ranges)
		return -ENOMEM;
	if (!nla)
		return 0;

	memcpy(req->ranges, nla_data(nla), nr * sizeof(struct lrugen_range));
	req->nr_ranges = nr;
	return lrugen_check_ranges(req->ranges, nr, nla, extack);
}

static int lrugen_req_parse(struct nlattr **attrs, struct genl_info *bump_info,
			    struct netlink_ext_ack *extack, struct pid *pidfd_pid,
			    struct cgroup *fd_cgrp, struct lrugen_req *req)
{
	int ret;

	memset(req, 0, sizeof(*req));
	req->max_ptes = LRUGEN_MAX_PTES;

	if (attrs[LRUGEN_A_FLAGS]) {
		req->flags = nla_get_u32(attrs[LRUGEN_A_FLAGS]);
		if (req->flags & ~__LRUGEN_F_ALL) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_FLAGS], "unknown flags");
			ret = -EOPNOTSUPP;
			goto err;
		}
		if ((req->flags & LRUGEN_F_YOUNG_TABLES) && !LRUGEN_HAS_NONLEAF_YOUNG) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_FLAGS],
					    "LRUGEN_F_YOUNG_TABLES: no accessed bit in non-leaf PMD entries here");
			ret = -EOPNOTSUPP;
			goto err;
		}
	}

	if (attrs[LRUGEN_A_MAX_PTES]) {
		req->max_ptes = nla_get_u64(attrs[LRUGEN_A_MAX_PTES]);
		if (!req->max_ptes || req->max_ptes > LRUGEN_MAX_PTES) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_MAX_PTES], "work bound out of range");
			ret = -EINVAL;
			goto err;
		}
	}

	if (attrs[LRUGEN_A_RESUME_ADDR]) {
		req->resume = nla_get_u64(attrs[LRUGEN_A_RESUME_ADDR]);
		if (req->resume & ~PAGE_MASK || req->resume >= TASK_SIZE_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LRUGEN_A_RESUME_ADDR],
					    "resume address not a page aligned user address");
			ret = -EINVAL;
			goto err;
		}
	}

	ret = lrugen_parse_ranges(attrs, extack, req, bump_info != NULL);
	if (ret)
		goto err;

	if (bump_info) {
		unsigned int nr = req->nr_ranges;

		ret = lrugen_regions_to_ranges(bump_info, req);
		if (ret)
			goto err;
		if (!req->nr_ranges) {
			NL_SET_ERR_MSG(extack, "BUMP needs LRUGEN_A_RANGES or LRUGEN_A_REGION");
			ret = -EINVAL;
			goto err;
		}
		if (req->nr_ranges != nr) {
			sort(req->ranges, req->nr_ranges, sizeof(*req->ranges), lrugen_range_cmp, NULL);
			ret = lrugen_check_ranges(req->ranges, req->nr_ranges, NULL, extack);
			if (ret)
				goto err;
		}
	}

	ret = lrugen_get_mm(attrs, extack, pidfd_pid, &req->mm, &req->pid);
	if (ret)
		goto err;

	ret = lrugen_get_memcg(attrs, extack, fd_cgrp, &req->memcg, &req->cgroup_id);
	if (ret)
		goto err;

	return 0;
err:
	atomic64_inc(&lrugen_counters.rejected);
	lrugen_req_release(req);
	return ret;
}

static void lrugen_walk_init(struct lrugen_walk *walk, struct lrugen_req *req,
			     enum lrugen_walk_mode mode)
{
	memset(walk, 0, sizeof(*walk));
	walk->mm = req->mm;
	walk->memcg = req->memcg;
	walk->mode = mode;
	walk->flags = req->flags;
	walk->ranges = req->nr_ranges ? req->ranges : NULL;
	walk->nr_ranges = req->nr_ranges;
	walk->max_ptes = req->max_ptes;
	walk->next_addr = req->resume;
	/*
	 * A walk resumed inside a PTE table (a request sent again after
	 * CONTENDED or PARTIAL that stopped at a VMA boundary within a PMD)
	 * may find the table's non-leaf accessed bit already cleared by the
	 * walk that stopped: treat the table as young, or YOUNG_TABLES would
	 * skip the rest of it and miss young entries there.
	 */
	if (req->resume & ~PMD_MASK)
		walk->young_table = (req->resume & PMD_MASK) | 1;
}

static int lrugen_put_stats(struct sk_buff *skb, const struct lrugen_walk_stats *stats)
{
	struct nlattr *nest = nla_nest_start(skb, LRUGEN_A_STATS);

	if (!nest ||
	    nla_put_u64_64bit(skb, LRUGEN_S_PTE_TOTAL, stats->pte_total, LRUGEN_S_PAD) ||
	    nla_put_u64_64bit(skb, LRUGEN_S_PTE_OLD, stats->pte_old, LRUGEN_S_PAD) ||
	    nla_put_u64_64bit(skb, LRUGEN_S_PTE_YOUNG, stats->pte_young, LRUGEN_S_PAD) ||
	    nla_put_u64_64bit(skb, LRUGEN_S_PMD_TOTAL, stats->pmd_total, LRUGEN_S_PAD) ||
	    nla_put_u64_64bit(skb, LRUGEN_S_PMD_YOUNG, stats->pmd_young, LRUGEN_S_PAD) ||
	    nla_put_u64_64bit(skb, LRUGEN_S_BUMPED, stats->bumped, LRUGEN_S_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Module counters and tracepoints of one finished HARVEST or BUMP. */
static void lrugen_account(const struct lrugen_req *req, const struct lrugen_walk *walk,
			   u32 status, bool bump, u64 walk_ns)
{
	const struct lrugen_walk_stats *stats = &walk->stats;

	atomic64_add(stats->pte_total, &lrugen_counters.pte_scanned);
	atomic64_add(stats->pte_young, &lrugen_counters.pte_young);
	atomic64_add(stats->bumped, &lrugen_counters.bumped);
	atomic64_add(stats->yielded, &lrugen_counters.yielded);
	if (status == LRUGEN_STATUS_CONTENDED) {
		atomic64_inc(&lrugen_counters.contended);
		trace_harvest_contended(req->pid, req->cgroup_id, bump, stats->pte_total,
					walk->next_addr);
		/* reclaim ages on stale data while this happens: say so */
		pr_info_ratelimited("mmap lock contended: harvest stopped early\n");
	} else if (status == LRUGEN_STATUS_GONE) {
		atomic64_inc(&lrugen_counters.gone);
	} else if (status == LRUGEN_STATUS_PARTIAL) {
		atomic64_inc(&lrugen_counters.partial);
	}
	if (bump)
		trace_bump_done(req->pid, req->cgroup_id, status, stats->pte_total,
				stats->pte_young, stats->bumped, walk->next_addr, walk_ns);
	else
		trace_harvest_done(req->pid, req->cgroup_id, status, stats->pte_total,
				   stats->pte_young, stats->bumped, walk->next_addr, walk_ns);
}

static u32 lrugen_walk_status(int end)
{
	switch (end) {
	case LRUGEN_WALK_CONTENDED:
		return LRUGEN_STATUS_CONTENDED;
	case LRUGEN_WALK_GONE:
		return LRUGEN_STATUS_GONE;
	case LRUGEN_WALK_BOUND:
		return LRUGEN_STATUS_PARTIAL;
	default:
		return LRUGEN_STATUS_COMPLETE;
	}
}

/* ---- INFO ---- */

static u32 lrugen_caps(void)
{
	u32 caps = LRUGEN_CAP_HW_YOUNG;

	if (LRUGEN_HAS_NONLEAF_YOUNG)
		caps |= LRUGEN_CAP_NONLEAF_YOUNG;
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		caps |= LRUGEN_CAP_THP;
	if (!mem_cgroup_disabled())
		caps |= LRUGEN_CAP_MEMCG;
	if (LRUGEN_HAS_PIDFD)
		caps |= LRUGEN_CAP_PIDFD;
	return caps;
}

static int lrugen_put_counters(struct sk_buff *skb)
{
	const struct {
		int type;
		atomic64_t *v;
	} c[] = {
		{ LRUGEN_C_HARVESTS, &lrugen_counters.harvests },
		{ LRUGEN_C_CONTENDED, &lrugen_counters.contended },
		{ LRUGEN_C_GONE, &lrugen_counters.gone },
		{ LRUGEN_C_PARTIAL, &lrugen_counters.partial },
		{ LRUGEN_C_PTE_SCANNED, &lrugen_counters.pte_scanned },
		{ LRUGEN_C_PTE_YOUNG, &lrugen_counters.pte_young },
		{ LRUGEN_C_BUMPED, &lrugen_counters.bumped },
		{ LRUGEN_C_REJECTED, &lrugen_counters.rejected },
		{ LRUGEN_C_YIELDED, &lrugen_counters.yielded },
	};
	struct nlattr *nest = nla_nest_start(skb, LRUGEN_A_COUNTERS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (nla_put_u64_64bit(skb, c[i].type, atomic64_read(c[i].v), LRUGEN_C_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int lrugen_nl_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &lrugen_family, 0, LRUGEN_CMD_INFO);
	if (!hdr)
		goto nospace;

	if (nla_put_u32(msg, LRUGEN_A_ABI_VERSION, LRUGEN_ABI_VERSION) ||
	    nla_put_string(msg, LRUGEN_A_RELEASE, init_utsname()->release) ||
	    nla_put_u32(msg, LRUGEN_A_CAPS, lrugen_caps()) ||
	    nla_put_u32(msg, LRUGEN_A_MAX_RANGES, LRUGEN_MAX_RANGES) ||
	    nla_put_u32(msg, LRUGEN_A_MAX_REGIONS, LRUGEN_MAX_REGIONS) ||
	    nla_put_u64_64bit(msg, LRUGEN_A_MAX_PTES, LRUGEN_MAX_PTES, LRUGEN_A_PAD) ||
	    lrugen_put_counters(msg) ||
	    /* netlink_dump() sizes a dump skb so unless the reader's buffers were larger */
	    nla_put_u32(msg, LRUGEN_A_DUMP_SIZE, NLMSG_GOODSIZE))
		goto nospace;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- HARVEST (dump) ---- */

/*
 * Regions buffered between the walk and the skb. The walk hands them over
 * (lrugen_dump_flush) whenever the buffer is full, without leaving the mmap
 * lock, so the buffer only needs to be big enough to batch; small keeps the
 * per-harvest allocation small (heap memory is zeroed on allocation on many
 * kernels, init_on_alloc).
 */
#define LRUGEN_DUMP_REGIONS 4

struct lrugen_dump {
	struct lrugen_req req;
	struct lrugen_walk walk;
	unsigned int emitted;		/* regions of walk.regions already sent */
	int end;			/* enum lrugen_walk_end of the last step */
	bool walking;			/* the walk has more steps to take */
	bool finished;			/* the final message is out */
	bool parsed;			/* the request was validated */
	bool compact;			/* LRUGEN_F_COMPACT */
	u64 walk_ns;			/* time in lrugen_walk_step(), for tracing */
	struct pid *pidfd_pid;		/* LRUGEN_A_PIDFD resolved by .start */
	int pidfd_err;			/* ... or why it could not be */
	const char *pidfd_msg;
	struct cgroup *fd_cgrp;		/* LRUGEN_A_CGROUP_FD resolved by .start, or ERR_PTR */
	/* the skb being filled, during one dumpit call only */
	struct sk_buff *skb;
	struct netlink_callback *cb;
	void *hdr;
	unsigned int put;		/* regions in the message at hdr */
	struct lrugen_region regions[LRUGEN_DUMP_REGIONS];
};

/*
 * Allocates, and looks up the pidfd and the cgroup fd: until 6.2 the extack
 * of .start is not sent back, so the request is validated by the first
 * dumpit call, whose error and extack message reach user space in
 * NLMSG_DONE.
 */
static int lrugen_nl_harvest_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = lrugen_dump_attrs(cb);
	struct lrugen_dump *dump;

	/*
	 * Allocated before the walk takes any lock; the walk never allocates.
	 * Small: heap memory is zeroed on allocation on many kernels
	 * (init_on_alloc), the whole slab object, and under emulation zeroing
	 * is slow.
	 */
	BUILD_BUG_ON(sizeof(*dump) > 2048);
	dump = kzalloc(sizeof(*dump), GFP_KERNEL);
	if (!dump)
		return -ENOMEM;
	cb->args[0] = (long)dump;

	/*
	 * File descriptors are looked up in the sender's file table, and only
	 * .start surely runs in the sender's context (a dump whose first step
	 * finds the receive queue full goes on from whoever calls recvmsg()).
	 * Errors are reported by the first step, with the extack message.
	 */
	if (LRUGEN_HAS_PIDFD && attrs[LRUGEN_A_PIDFD]) {
		struct netlink_ext_ack ea = {};
		struct pid *pid = lrugen_pidfd_get_pid(attrs[LRUGEN_A_PIDFD], &ea);

		if (IS_ERR(pid)) {
			dump->pidfd_err = PTR_ERR(pid);
			dump->pidfd_msg = ea._msg;
		} else {
			dump->pidfd_pid = pid;
		}
	}
	if (attrs[LRUGEN_A_CGROUP_FD]) {
		u32 fd = nla_get_u32(attrs[LRUGEN_A_CGROUP_FD]);

		/* a bad fd number is refused by lrugen_get_memcg() */
		if (fd <= INT_MAX)
			dump->fd_cgrp = cgroup_get_from_fd(fd);
	}
	return 0;
}

/* Regions of walk.regions not sent yet into the skb: -EMSGSIZE when it is full. */
static int lrugen_dump_emit(struct lrugen_dump *dump);

/*
 * Whether a flush keeps the last buffered region: a run of alike THPs
 * (LRUGEN_F_COMPACT) that the next PMD entries may still extend; handed
 * over, it would end the run there.
 */
static unsigned int lrugen_region_keep(const struct lrugen_walk *walk)
{
	const struct lrugen_region *last = &walk->regions[walk->nr_regions - 1];

	return (walk->flags & LRUGEN_F_COMPACT) && walk->nr_regions >= 2 && last->sparse &&
	       last->huge;
}

/* After a flush: the kept region (if any) first in the buffer, nothing else. */
static void lrugen_region_rebuffer(struct lrugen_walk *walk, unsigned int n, unsigned int keep)
{
	if (keep)
		walk->regions[0] = walk->regions[n - 1];
	walk->nr_regions = keep;
}

/* walk.flush: hand the full region buffer over to the skb. */
static int lrugen_dump_flush(struct lrugen_walk *walk)
{
	struct lrugen_dump *dump = container_of(walk, struct lrugen_dump, walk);
	unsigned int n = walk->nr_regions, keep = lrugen_region_keep(walk);
	int ret;

	walk->nr_regions = n - keep;
	ret = lrugen_dump_emit(dump);
	walk->nr_regions = n;
	if (ret)
		return ret;
	lrugen_region_rebuffer(walk, n, keep);
	dump->emitted = 0;
	return 0;
}

static int lrugen_nl_harvest_parse(struct lrugen_dump *dump, struct netlink_callback *cb)
{
	struct nlattr **attrs = lrugen_dump_attrs(cb);
	int ret;

	if (dump->pidfd_err) {
		if (cb->extack) {
			cb->extack->_msg = dump->pidfd_msg;
			cb->extack->bad_attr = attrs[LRUGEN_A_PIDFD];
		}
		atomic64_inc(&lrugen_counters.rejected);
		return dump->pidfd_err;
	}

	ret = lrugen_req_parse(attrs, NULL, cb->extack, dump->pidfd_pid, dump->fd_cgrp,
			       &dump->req);
	if (ret)
		return ret;

	lrugen_walk_init(&dump->walk, &dump->req, LRUGEN_WALK_HARVEST);
	dump->walk.regions = dump->regions;
	dump->walk.max_regions = LRUGEN_DUMP_REGIONS;
	dump->walk.flush = lrugen_dump_flush;
	dump->compact = dump->req.flags & LRUGEN_F_COMPACT;
	dump->walking = true;
	dump->parsed = true;
	atomic64_inc(&lrugen_counters.harvests);
	return 0;
}

static const unsigned long lrugen_ones[LRUGEN_REGION_LONGS] = {
	[0 ... LRUGEN_REGION_LONGS - 1] = ~0UL
};
static const unsigned long lrugen_zeros[LRUGEN_REGION_LONGS];

static int lrugen_put_bitmap(struct sk_buff *skb, int type, const unsigned long *bits)
{
#if defined(__LITTLE_ENDIAN) && BITS_PER_LONG == 64
	/* already the documented layout: bit i is bit i % 8 of byte i / 8 */
	return nla_put(skb, type, LRUGEN_BITMAP_BYTES, bits);
#else
	u32 buf[LRUGEN_BITMAP_BYTES / sizeof(u32)];

	bitmap_to_arr32(buf, bits, LRUGEN_REGION_PAGES);
	return nla_put(skb, type, sizeof(buf), buf);
#endif
}

static int lrugen_put_region(struct sk_buff *skb, const struct lrugen_region *reg, bool compact)
{
	const unsigned long *maps[] = { reg->present, reg->young, reg->anon };
	static const int type[] = { LRUGEN_R_PRESENT, LRUGEN_R_YOUNG, LRUGEN_R_ANON };
	static const unsigned int bit[] = { LRUGEN_RA_PRESENT, LRUGEN_RA_YOUNG, LRUGEN_RA_ANON };
	struct nlattr *nest = nla_nest_start(skb, LRUGEN_A_REGION);
	unsigned int i, all = 0, empty = 0;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, LRUGEN_R_ADDR, reg->addr, LRUGEN_R_PAD))
		goto cancel;

	/* which bitmaps are all ones or all zeros */
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		if (reg->sparse) {
			if (reg->all & bit[i])
				all |= bit[i];
			else
				empty |= bit[i];
		} else if (compact) {
			if (bitmap_full(maps[i], LRUGEN_REGION_PAGES))
				all |= bit[i];
			else if (bitmap_empty(maps[i], LRUGEN_REGION_PAGES))
				empty |= bit[i];
		}
	}

	if (compact && nla_put_u32(skb, LRUGEN_R_ALL, all))
		goto cancel;
	/* runs are made in compact harvests only (lrugen_thp_region()) */
	if (reg->count > 1 && nla_put_u32(skb, LRUGEN_R_COUNT, reg->count))
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		const unsigned long *m = maps[i];

		if (compact && ((all | empty) & bit[i]))
			continue;
		if (all & bit[i])
			m = lrugen_ones;
		else if (empty & bit[i])
			m = lrugen_zeros;
		if (lrugen_put_bitmap(skb, type[i], m))
			goto cancel;
	}
	if (reg->huge && nla_put_flag(skb, LRUGEN_R_HUGE))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int lrugen_dump_emit(struct lrugen_dump *dump)
{
	struct lrugen_walk *walk = &dump->walk;
	struct netlink_callback *cb = dump->cb;

	while (dump->emitted < walk->nr_regions) {
		if (!dump->hdr) {
			dump->hdr = genlmsg_put(dump->skb, NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq, &lrugen_family, NLM_F_MULTI,
						LRUGEN_CMD_HARVEST);
			if (!dump->hdr)
				return -EMSGSIZE;
		}
		if (lrugen_put_region(dump->skb, &walk->regions[dump->emitted], dump->compact))
			return -EMSGSIZE;
		dump->emitted++;
		dump->put++;
	}
	return 0;
}

/* What ends a harvest's reply: status, stats, where to resume. */
static int lrugen_put_final_attrs(struct sk_buff *skb, const struct lrugen_walk *walk, u32 status)
{
	if (nla_put_u32(skb, LRUGEN_A_STATUS, status) ||
	    lrugen_put_stats(skb, &walk->stats) ||
	    ((status == LRUGEN_STATUS_CONTENDED || status == LRUGEN_STATUS_PARTIAL ||
	      status == LRUGEN_STATUS_MORE) &&
	     nla_put_u64_64bit(skb, LRUGEN_A_NEXT_ADDR, walk->next_addr, LRUGEN_A_PAD)))
		return -EMSGSIZE;
	return 0;
}

/* The last message of a harvest: status, stats, where to resume. */
static int lrugen_put_final(struct sk_buff *skb, struct netlink_callback *cb,
			    struct lrugen_dump *dump)
{
	struct lrugen_walk *walk = &dump->walk;
	u32 status = lrugen_walk_status(dump->end);
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &lrugen_family, NLM_F_MULTI, LRUGEN_CMD_HARVEST);
	if (!hdr)
		return -EMSGSIZE;
	if (lrugen_put_final_attrs(skb, walk, status)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	lrugen_account(&dump->req, walk, status, false, dump->walk_ns);
	dump->finished = true;
	return 0;
}

/*
 * Fill the skb: the walk goes on (under one mmap lock hold) handing regions
 * over as it finds them until the skb is full or the walk is done, then the
 * final message and, if there is room, NLMSG_DONE, all in as few skbs as
 * possible (a round trip to user space costs more than the walk of a few
 * THPs).
 */
static int lrugen_nl_harvest_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lrugen_dump *dump = (struct lrugen_dump *)cb->args[0];
	struct lrugen_walk *walk = &dump->walk;
	int ret;

	if (dump->finished)
		return 0;

	if (!dump->parsed) {
		ret = lrugen_nl_harvest_parse(dump, cb);
		if (ret)
			return ret;
	}

	dump->skb = skb;
	dump->cb = cb;
	dump->hdr = NULL;
	dump->put = 0;
	for (;;) {
		u64 t0;

		/* what the last step left in the buffer (the skb was full) */
		if (lrugen_dump_emit(dump))
			break;
		if (!dump->walking)
			break;
		if (dump->put)
			cond_resched();
		t0 = ktime_get_ns();
		dump->emitted = 0;
		dump->end = lrugen_walk_step(walk);
		dump->walk_ns += ktime_get_ns() - t0;
		dump->walking = dump->end == LRUGEN_WALK_FULL;
	}
	if (dump->hdr) {
		if (dump->put)
			genlmsg_end(skb, dump->hdr);
		else
			genlmsg_cancel(skb, dump->hdr);
	}
	dump->skb = NULL;
	dump->hdr = NULL;

	if (dump->walking || dump->emitted < walk->nr_regions) {
		/* not even one region fits an empty skb: cannot happen */
		if (!skb->len)
			return -EMSGSIZE;
		return skb->len;
	}

	/* everything is out: the final message, in this skb if it fits */
	if (lrugen_put_final(skb, cb, dump))
		return skb->len ? skb->len : -EMSGSIZE;

	/* 0 ends the dump: netlink appends NLMSG_DONE to this skb if it has room */
	if (skb_tailroom(skb) >= nlmsg_total_size(sizeof(int)))
		return 0;
	return skb->len;
}

static int lrugen_nl_harvest_done(struct netlink_callback *cb)
{
	struct lrugen_dump *dump = (struct lrugen_dump *)cb->args[0];

	if (dump) {
		lrugen_req_release(&dump->req);
		put_pid(dump->pidfd_pid);
		if (!IS_ERR_OR_NULL(dump->fd_cgrp))
			cgroup_put(dump->fd_cgrp);
		kfree(dump);
	}
	return 0;
}

/* HARVEST without NLM_F_DUMP: say what is wrong instead of -EOPNOTSUPP. */
static int lrugen_nl_harvest_doit(struct sk_buff *skb, struct genl_info *info)
{
	atomic64_inc(&lrugen_counters.rejected);
	NL_SET_ERR_MSG(info->extack, "HARVEST is a dump request: set NLM_F_DUMP");
	return -EINVAL;
}

/* ---- HARVEST_ONE (doit, ABI 4): a harvest answered in one message ---- */

/*
 * The most one region can take in a message (lrugen_put_region()): the nest,
 * LRUGEN_R_ADDR (u64, maybe padded), LRUGEN_R_ALL, LRUGEN_R_COUNT, the three
 * bitmaps and LRUGEN_R_HUGE.
 */
#define LRUGEN_REGION_MAX_BYTES						\
	(nla_total_size(0) + nla_total_size_64bit(sizeof(u64)) +	\
	 2 * nla_total_size(sizeof(u32)) +				\
	 3 * nla_total_size(LRUGEN_BITMAP_BYTES) + nla_total_size(0))
/* ... and the final attributes (lrugen_put_final_attrs()) */
#define LRUGEN_FINAL_MAX_BYTES						\
	(nla_total_size(sizeof(u32)) + nla_total_size(0) +		\
	 6 * nla_total_size_64bit(sizeof(u64)) +			\
	 nla_total_size_64bit(sizeof(u64)))

/* Regions the walk buffers between two hand-overs to the reply (on the stack). */
#define LRUGEN_ONE_REGIONS 2

/*
 * The reply is one skb of NLMSG_GOODSIZE (LRUGEN_A_DUMP_SIZE: what a HARVEST
 * reader's buffer holds), allocated before the walk. The walk hands its
 * regions over whenever its buffer is full, and goes on only while the skb
 * keeps room for a full buffer of regions of the largest kind and the final
 * attributes: so whatever the walk found is always sent, and a walk stops
 * only between regions, with nothing buffered (LRUGEN_STATUS_MORE).
 */
#define LRUGEN_ONE_RESERVE						\
	(LRUGEN_ONE_REGIONS * LRUGEN_REGION_MAX_BYTES + LRUGEN_FINAL_MAX_BYTES)

struct lrugen_one {
	struct lrugen_walk walk;
	struct sk_buff *msg;
	bool compact;
	bool lost;		/* a region did not fit: cannot happen, see LRUGEN_ONE_RESERVE */
	struct lrugen_region regions[LRUGEN_ONE_REGIONS];
};

/*
 * Room left in the reply: never more than NLMSG_GOODSIZE in all, whatever
 * the allocator gave, so that a reader's buffer of LRUGEN_A_DUMP_SIZE holds it.
 */
static int lrugen_one_room(const struct sk_buff *msg)
{
	return min_t(int, skb_tailroom(msg), (int)NLMSG_GOODSIZE - (int)msg->len);
}

/* Put the first n buffered regions into the reply. */
static void lrugen_one_emit(struct lrugen_one *one, unsigned int n)
{
	struct lrugen_walk *walk = &one->walk;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (lrugen_put_region(one->msg, &walk->regions[i], one->compact))
			one->lost = true;
}

/*
 * walk.flush: hand the regions over (but a THP run that may grow); stop,
 * with every region in the reply, if the next buffer might not fit.
 */
static int lrugen_one_flush(struct lrugen_walk *walk)
{
	struct lrugen_one *one = container_of(walk, struct lrugen_one, walk);
	unsigned int n = walk->nr_regions, keep = lrugen_region_keep(walk);

	lrugen_one_emit(one, n - keep);
	lrugen_region_rebuffer(walk, n, keep);
	if (lrugen_one_room(one->msg) >= LRUGEN_ONE_RESERVE)
		return 0;
	lrugen_one_emit(one, walk->nr_regions);
	walk->nr_regions = 0;
	return 1;
}

static int lrugen_nl_harvest_one(struct sk_buff *skb, struct genl_info *info)
{
	struct lrugen_one one;
	struct lrugen_req req;
	u64 walk_ns;
	void *hdr;
	u32 status;
	int ret, end;

	BUILD_BUG_ON(LRUGEN_ONE_RESERVE > NLMSG_GOODSIZE / 2);

	/* the pidfd and the cgroup fd: a doit runs in the sender's context */
	ret = lrugen_req_parse(info->attrs, NULL, info->extack, NULL, NULL, &req);
	if (ret)
		return ret;

	/*
	 * Allocated before the walk, which must not allocate: one skb of
	 * NLMSG_GOODSIZE, so at most LRUGEN_A_DUMP_SIZE bytes for the reader
	 */
	one.msg = nlmsg_new(NLMSG_GOODSIZE - NLMSG_HDRLEN, GFP_KERNEL);
	if (!one.msg) {
		ret = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(one.msg, info, &lrugen_family, 0, LRUGEN_CMD_HARVEST_ONE);
	if (!hdr || lrugen_one_room(one.msg) < LRUGEN_ONE_RESERVE) {
		ret = -EMSGSIZE;
		goto free;
	}

	/*
	 * The reply goes to the sender's socket, and a reply the socket cannot
	 * take is dropped: after the walk cleared the accessed bits it reports.
	 * A socket with nothing queued takes it (its limit is checked before
	 * an skb is added, and an overrun's congestion ends when its queue is
	 * read empty); one with unread messages may be full or congested: it
	 * is refused before anything is walked (a dump would wait for the
	 * reader instead).
	 */
	if (NETLINK_CB(skb).sk && !skb_queue_empty_lockless(&NETLINK_CB(skb).sk->sk_receive_queue)) {
		NL_SET_ERR_MSG(info->extack, "unread messages on the socket: read them first");
		ret = -EBUSY;
		goto free;
	}

	lrugen_walk_init(&one.walk, &req, LRUGEN_WALK_HARVEST);
	one.walk.regions = one.regions;
	one.walk.max_regions = LRUGEN_ONE_REGIONS;
	one.walk.flush = lrugen_one_flush;
	one.compact = req.flags & LRUGEN_F_COMPACT;
	one.lost = false;
	atomic64_inc(&lrugen_counters.harvests);

	walk_ns = ktime_get_ns();
	end = lrugen_walk_step(&one.walk);
	walk_ns = ktime_get_ns() - walk_ns;
	/* what the last stretch found (FULL: the flush emptied the buffer) */
	lrugen_one_emit(&one, one.walk.nr_regions);
	one.walk.nr_regions = 0;
	status = end == LRUGEN_WALK_FULL ? LRUGEN_STATUS_MORE : lrugen_walk_status(end);

	lrugen_account(&req, &one.walk, status, false, walk_ns);
	if (one.lost || lrugen_put_final_attrs(one.msg, &one.walk, status)) {
		/* the reserve above makes this impossible; never send half */
		NL_SET_ERR_MSG(info->extack, "reply overflow (module bug)");
		ret = -EMSGSIZE;
		goto free;
	}
	genlmsg_end(one.msg, hdr);
	ret = genlmsg_reply(one.msg, info);
	goto out;
free:
	nlmsg_free(one.msg);
out:
	lrugen_req_release(&req);
	return ret;
}

/* HARVEST_ONE with NLM_F_DUMP: say what is wrong instead of -EOPNOTSUPP. */
static int lrugen_nl_harvest_one_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	atomic64_inc(&lrugen_counters.rejected);
	NL_SET_ERR_MSG(cb->extack, "HARVEST_ONE is not a dump request: clear NLM_F_DUMP");
	return -EINVAL;
}

/* ---- BUMP ---- */

static int lrugen_nl_bump(struct sk_buff *skb, struct genl_info *info)
{
	struct lrugen_walk walk;
	struct lrugen_req req;
	struct sk_buff *msg;
	u64 walk_ns;
	void *hdr;
	u32 status;
	int ret;

	ret = lrugen_req_parse(info->attrs, info, info->extack, NULL, NULL, &req);
	if (ret)
		return ret;

	if (req.flags & ~LRUGEN_F_NO_ANON) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LRUGEN_A_FLAGS],
				    "BUMP takes LRUGEN_F_NO_ANON only");
		atomic64_inc(&lrugen_counters.rejected);
		ret = -EOPNOTSUPP;
		goto out;
	}

	/* the reply is allocated before the walk, which must not allocate */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}

	lrugen_walk_init(&walk, &req, LRUGEN_WALK_BUMP);
	walk_ns = ktime_get_ns();
	status = lrugen_walk_status(lrugen_walk_step(&walk));
	walk_ns = ktime_get_ns() - walk_ns;
	lrugen_account(&req, &walk, status, true, walk_ns);

	hdr = genlmsg_put_reply(msg, info, &lrugen_family, 0, LRUGEN_CMD_BUMP);
	if (!hdr || nla_put_u32(msg, LRUGEN_A_STATUS, status) ||
	    lrugen_put_stats(msg, &walk.stats) ||
	    (status != LRUGEN_STATUS_COMPLETE && status != LRUGEN_STATUS_GONE &&
	     nla_put_u64_64bit(msg, LRUGEN_A_NEXT_ADDR, walk.next_addr, LRUGEN_A_PAD))) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	lrugen_req_release(&req);
	return ret;
}

/* Every command is for the administrator only: GENL_ADMIN_PERM. */
static const struct genl_ops lrugen_ops[] = {
	{
		.cmd = LRUGEN_CMD_INFO,
		.doit = lrugen_nl_info,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LRUGEN_CMD_HARVEST,
		.start = lrugen_nl_harvest_start,
		.dumpit = lrugen_nl_harvest_dump,
		.done = lrugen_nl_harvest_done,
		.doit = lrugen_nl_harvest_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LRUGEN_CMD_BUMP,
		.doit = lrugen_nl_bump,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LRUGEN_CMD_HARVEST_ONE,
		.doit = lrugen_nl_harvest_one,
		.dumpit = lrugen_nl_harvest_one_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family lrugen_family __ro_after_init = {
	.name = LRUGEN_GENL_NAME,
	.version = LRUGEN_GENL_VERSION,
	.maxattr = LRUGEN_A_MAX,
	.policy = lrugen_policy,
	/* page tables of any process: only from the initial namespace */
	.netnsok = false,
	/*
	 * No genl_mutex around the commands: they share nothing but atomic
	 * counters, and a harvest need not wait for another one's dump step
	 * (nor take and drop the mutex three times per request)
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = lrugen_ops,
	.n_ops = ARRAY_SIZE(lrugen_ops),
#if LRUGEN_GENL_HAS_RESV_START_OP
	/* HARVEST_ONE and later commands: the genl header is checked strictly */
	.resv_start_op = LRUGEN_CMD_BUMP + 1,
#endif
};

int __init lrugen_netlink_init(void)
{
	return genl_register_family(&lrugen_family);
}

void lrugen_netlink_exit(void)
{
	genl_unregister_family(&lrugen_family);
}
