// SPDX-License-Identifier: GPL-2.0-only
/*
 * proctrack.c - proc connector events and /proc reconciliation
 * (see proctrack.h).
 *
 * The table is an open-addressing hash keyed by pid with backward-shift
 * deletion: no tombstones, so 10,000s of short-lived processes leave it
 * the size the peak population needed and no bigger.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "clock.h"
#include "procfs.h"
#include "proctrack.h"
#include "util.h"

#ifndef KCMP_VM
#define KCMP_VM 1
#endif

struct slot {
	pid_t pid;               /* 0: empty */
	pid_t mm_owner;
	uint64_t start_time;
	uint32_t mark;           /* reconciliation epoch last seen in */
	uint32_t nr_sharers;     /* entries whose mm_owner is this pid */
};

struct lrg_proctrack {
	int fd;
	char proc_root[512];
	struct slot *tab;
	size_t cap, n, nsharers;
	uint32_t epoch;
	bool need_full;
	uint64_t interval_ms;    /* least time between overrun-driven passes */
	uint64_t last_full_ns;   /* CLOCK_MONOTONIC end of the last full pass */
	lrg_proctrack_fn fn;
	void *ctx;
	struct lrg_proctrack_stats st;
};

static size_t hash_pid(const struct lrg_proctrack *t, pid_t pid)
{
	return ((uint32_t)pid * 2654435761U) & (t->cap - 1);
}

static ssize_t find(const struct lrg_proctrack *t, pid_t pid)
{
	size_t i;

	if (!t->cap || pid <= 0)
		return -1;
	for (i = hash_pid(t, pid); t->tab[i].pid; i = (i + 1) & (t->cap - 1))
		if (t->tab[i].pid == pid)
			return (ssize_t)i;
	return -1;
}

static void place(struct lrg_proctrack *t, const struct slot *s)
{
	size_t i = hash_pid(t, s->pid);

	while (t->tab[i].pid)
		i = (i + 1) & (t->cap - 1);
	t->tab[i] = *s;
}

static int grow(struct lrg_proctrack *t)
{
	size_t old_cap = t->cap, cap = old_cap ? old_cap * 2 : 1024;
	struct slot *old = t->tab, *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	t->tab = tab;
	t->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].pid)
			place(t, &old[i]);
	free(old);
	return 0;
}

static void notify(struct lrg_proctrack *t, const struct slot *s, enum lrg_proctrack_change c)
{
	struct lrg_proctrack_entry e = { .pid = s->pid, .start_time = s->start_time,
					 .mm_owner = s->mm_owner };

	if (t->fn)
		t->fn(t->ctx, &e, c);
}

static void set_owner(struct lrg_proctrack *t, struct slot *s, pid_t owner)
{
	ssize_t o;

	if (s->mm_owner) {
		o = find(t, s->mm_owner);
		if (o >= 0 && t->tab[o].nr_sharers)
			t->tab[o].nr_sharers--;
		t->nsharers--;
	}
	s->mm_owner = owner;
	if (owner) {
		o = find(t, owner);
		if (o >= 0)
			t->tab[o].nr_sharers++;
		t->nsharers++;
	}
}

static void remove_at(struct lrg_proctrack *t, size_t i)
{
	struct slot gone = t->tab[i];
	size_t j, mask = t->cap - 1;

	if (gone.mm_owner)
		set_owner(t, &t->tab[i], 0);
	gone = t->tab[i];
	/* backward shift: pull later members of the probe run forward */
	t->tab[i].pid = 0;
	j = i;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (!t->tab[j].pid)
			break;
		k = hash_pid(t, t->tab[j].pid);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->tab[i] = t->tab[j];
		t->tab[j].pid = 0;
		i = j;
	}
	t->n--;
	/* its sharers still share the mm: the first becomes the owner */
	if (gone.nr_sharers) {
		pid_t heir = 0;

		for (size_t s = 0; s < t->cap; s++) {
			if (!t->tab[s].pid || t->tab[s].mm_owner != gone.pid)
				continue;
			t->tab[s].mm_owner = 0;
			t->nsharers--;
			if (!heir)
				heir = t->tab[s].pid;
			else
				set_owner(t, &t->tab[s], heir);
		}
	}
	notify(t, &gone, LRG_PROC_REMOVED);
}

/* The mm owner of a new child: its parent's (if it shares it), else 0. */
static pid_t sharer_of(struct lrg_proctrack *t, pid_t parent, pid_t child)
{
	ssize_t p = find(t, parent);
	pid_t owner;

	if (p < 0)
		return 0;
	owner = t->tab[p].mm_owner ? t->tab[p].mm_owner : parent;
	return syscall(SYS_kcmp, owner, child, KCMP_VM, 0, 0) == 0 ? owner : 0;
}

static int add(struct lrg_proctrack *t, pid_t pid, uint64_t start_time, pid_t parent)
{
	struct slot s = { .pid = pid, .start_time = start_time, .mark = t->epoch };
	ssize_t i = find(t, pid);
	pid_t owner;
	int r;

	if (i >= 0) {
		if (t->tab[i].start_time == start_time) {
			t->tab[i].mark = t->epoch;
			return 0;
		}
		/* an exit we never saw, and the pid came back */
		t->st.reused++;
		remove_at(t, (size_t)i);
	}
	if ((t->n + 1) * 2 > t->cap) {
		r = grow(t);
		if (r < 0)
			return r;
	}
	place(t, &s);
	t->n++;
	owner = parent > 0 ? sharer_of(t, parent, pid) : 0;
	if (owner) {
		i = find(t, pid);
		set_owner(t, &t->tab[i], owner);
	}
	i = find(t, pid);
	notify(t, &t->tab[i], LRG_PROC_ADDED);
	return 0;
}

/* A user process's start time and parent, or -errno (gone, kernel thread). */
static int probe(struct lrg_proctrack *t, pid_t pid, uint64_t *start, pid_t *ppid)
{
	struct lrg_proc_stat st;
	int r;

	r = lrg_procfs_read_stat(t->proc_root, pid, &st);
	if (r < 0)
		return r;
	if (lrg_proc_stat_is_kthread(&st) || st.state == 'Z' || st.state == 'X')
		return -ESRCH;
	*start = st.starttime;
	*ppid = st.ppid;
	return 0;
}

int lrg_proctrack_reconcile(struct lrg_proctrack *t)
{
	struct dirent *de;
	pid_t *gone = NULL;
	size_t ngone = 0;
	uint64_t t0 = lrg_mono_ns(), dt;
	DIR *d;
	int r = 0;

	t->epoch++;
	d = opendir(t->proc_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint64_t start;
		pid_t ppid;
		char *e;
		long pid = strtol(de->d_name, &e, 10);

		if (pid <= 0 || *e)
			continue;
		if (probe(t, (pid_t)pid, &start, &ppid) < 0)
			continue;
		r = add(t, (pid_t)pid, start, ppid);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0)
		return r;
	/* collect first: removal shifts entries around */
	for (size_t i = 0; i < t->cap; i++) {
		if (t->tab[i].pid && t->tab[i].mark != t->epoch) {
			pid_t *ng = realloc(gone, (ngone + 1) * sizeof(*ng));

			if (!ng) {
				free(gone);
				return -ENOMEM;
			}
			gone = ng;
			gone[ngone++] = t->tab[i].pid;
		}
	}
	for (size_t i = 0; i < ngone; i++) {
		ssize_t k = find(t, gone[i]);

		if (k >= 0)
			remove_at(t, (size_t)k);
	}
	free(gone);
	/* A sharer whose exec event was lost (vfork, posix_spawn) still
	 * points to its parent's mm: ask the kernel again. */
	for (size_t i = 0; t->nsharers && i < t->cap; i++) {
		struct slot *e = &t->tab[i];

		if (!e->pid || !e->mm_owner ||
		    syscall(SYS_kcmp, e->mm_owner, e->pid, KCMP_VM, 0, 0) == 0)
			continue;
		set_owner(t, e, 0);
		notify(t, e, LRG_PROC_EXEC);
	}
	t->st.reconciles++;
	t->need_full = false;
	t->last_full_ns = lrg_mono_ns();
	dt = t->last_full_ns - t0;
	t->st.reconcile_ns += dt;
	if (dt > t->st.reconcile_max_ns)
		t->st.reconcile_max_ns = dt;
	return 0;
}

static void handle_event(struct lrg_proctrack *t, const struct proc_event *ev)
{
	ssize_t i;

	t->st.events++;
	switch (ev->what) {
	case PROC_EVENT_FORK: {
		pid_t child = ev->event_data.fork.child_pid;
		uint64_t start;
		pid_t ppid;

		/* a new thread is not a new address space */
		if (child != ev->event_data.fork.child_tgid)
			return;
		t->st.forks++;
		if (probe(t, child, &start, &ppid) < 0)
			return;  /* gone already (its exit follows) or a kthread */
		if (add(t, child, start, ev->event_data.fork.parent_tgid) < 0)
			t->need_full = true;
		return;
	}
	case PROC_EVENT_EXEC:
		t->st.execs++;
		i = find(t, ev->event_data.exec.process_tgid);
		if (i >= 0) {
			/* exec replaced the mm: it shares nothing any more */
			if (t->tab[i].mm_owner)
				set_owner(t, &t->tab[i], 0);
			notify(t, &t->tab[i], LRG_PROC_EXEC);
		}
		return;
	case PROC_EVENT_EXIT:
		/* Only the leader's exit ends a tracked entry. (A leader that
		 * exits before its threads leaves a live group behind;
		 * reconciliation puts it back.) */
		if (ev->event_data.exit.process_pid != ev->event_data.exit.process_tgid)
			return;
		t->st.exits++;
		i = find(t, ev->event_data.exit.process_pid);
		if (i >= 0)
			remove_at(t, (size_t)i);
		return;
	default:
		return;
	}
}

int lrg_proctrack_dispatch(struct lrg_proctrack *t)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int handled = 0;

	for (;;) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(t->fd, buf, sizeof(buf), MSG_DONTWAIT,
				       (struct sockaddr *)&from, &flen);
		struct nlmsghdr *nlh;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* events were dropped: the table can no longer
				 * be trusted until a full pass */
				t->st.overruns++;
				t->need_full = true;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if (from.nl_pid != 0)
			continue;  /* only the kernel speaks here */
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct cn_msg *cn;

			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_ERROR)
				continue;
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*cn) + sizeof(struct proc_event)))
				continue;
			cn = NLMSG_DATA(nlh);
			if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
				continue;
			{
				struct proc_event ev;

				/* cn->data sits at offset 36: copy out rather
				 * than read an 8-byte-aligned struct in place */
				memcpy(&ev, cn->data, sizeof(ev));
				handle_event(t, &ev);
			}
			handled++;
		}
	}
	if (t->need_full && (!t->interval_ms ||
			     (t->interval_ms != UINT64_MAX &&
			      (lrg_mono_ns() - t->last_full_ns) / 1000000ULL >= t->interval_ms))) {
		int r = lrg_proctrack_reconcile(t);

		if (r < 0)
			return r;
	}
	return handled;
}

static int subscribe(int fd, enum proc_cn_mcast_op op)
{
	char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(op))] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct cn_msg *cn;

	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + sizeof(op));
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_pid = 0;
	cn = NLMSG_DATA(nlh);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	if (send(fd, buf, nlh->nlmsg_len, 0) < 0)
		return -errno;
	return 0;
}

/* A tracker that never made it out of lrg_proctrack_open(): not subscribed
 * to anything the kernel counts, so only closed and freed. */
static void proctrack_discardp(struct lrg_proctrack **tp)
{
	struct lrg_proctrack *t = *tp;

	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->tab);
	free(t);
}

int lrg_proctrack_open(const char *proc_root, int rcvbuf, struct lrg_proctrack **ret)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	_cleanup_(proctrack_discardp) struct lrg_proctrack *t = NULL;
	int r;

	if (!proc_root)
		proc_root = "/proc";
	if (strlen(proc_root) >= sizeof(t->proc_root))
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	strcpy(t->proc_root, proc_root);
	t->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (t->fd < 0)
		return -errno;
	if (rcvbuf <= 0)
		rcvbuf = 4 << 20;
	/* FORCE ignores rmem_max (needs CAP_NET_ADMIN); the plain one is
	 * the fallback, clamped by the kernel. */
	if (setsockopt(t->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(t->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	r = subscribe(t->fd, PROC_CN_MCAST_LISTEN);
	if (r < 0)
		return r;
	/* events from now on are queued; the pass below covers the past */
	r = lrg_proctrack_reconcile(t);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(t);
	return 0;
}

void lrg_proctrack_free(struct lrg_proctrack *t)
{
	if (!t)
		return;
	(void)subscribe(t->fd, PROC_CN_MCAST_IGNORE);
	close(t->fd);
	free(t->tab);
	free(t);
}

void lrg_proctrack_set_reconcile_interval(struct lrg_proctrack *t, uint64_t interval_ms)
{
	t->interval_ms = interval_ms;
}

bool lrg_proctrack_pending(const struct lrg_proctrack *t)
{
	return t->need_full;
}

void lrg_proctrack_set_callback(struct lrg_proctrack *t, lrg_proctrack_fn fn, void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
}

int lrg_proctrack_fd(const struct lrg_proctrack *t)
{
	return t->fd;
}

int lrg_proctrack_lookup(const struct lrg_proctrack *t, pid_t pid, struct lrg_proctrack_entry *ret)
{
	ssize_t i = find(t, pid);

	if (i < 0)
		return -ENOENT;
	ret->pid = t->tab[i].pid;
	ret->start_time = t->tab[i].start_time;
	ret->mm_owner = t->tab[i].mm_owner;
	return 0;
}

int lrg_proctrack_foreach(const struct lrg_proctrack *t, lrg_proctrack_iter_fn fn, void *ctx)
{
	for (size_t i = 0; i < t->cap; i++) {
		struct lrg_proctrack_entry e;
		int r;

		if (!t->tab[i].pid)
			continue;
		e.pid = t->tab[i].pid;
		e.start_time = t->tab[i].start_time;
		e.mm_owner = t->tab[i].mm_owner;
		r = fn(ctx, &e);
		if (r < 0)
			return r;
	}
	return 0;
}

void lrg_proctrack_get_stats(const struct lrg_proctrack *t, struct lrg_proctrack_stats *ret)
{
	*ret = t->st;
	ret->nr_procs = t->n;
	ret->nr_sharers = t->nsharers;
}

int lrg_proctrack_inject(struct lrg_proctrack *t, pid_t pid, uint64_t start_time)
{
	ssize_t i = find(t, pid);

	if (i >= 0) {
		t->tab[i].start_time = start_time;
		return 0;
	}
	return add(t, pid, start_time, 0);
}
