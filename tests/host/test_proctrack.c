// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_proctrack.c - the process tracker on this machine's real proc
 * connector and /proc: 100 children tracked and untracked, a CLONE_VM
 * sharer counted once, a stale start time replaced, an overrun (ENOBUFS)
 * repaired by reconciliation, and fd/RSS flat over 10,000 process
 * lifetimes. Other processes on the machine come and go meanwhile, so
 * checks are about our own children, never about global counts.
 *
 * Waiting for events uses poll() with a 10 s guard against hangs only;
 * no check depends on how long anything takes.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"
#include "proctrack.h"
#include "tap.h"

#define NCHILD 100
#define LIFETIMES 10000

static int nr_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;  /* the DIR's own fd */
}

static uint64_t rss(void)
{
	struct lrg_proc_status s;

	return lrg_procfs_read_status("/proc", getpid(), &s) == 0 ? s.vm_rss : 0;
}

/* Dispatch until pred holds (or the 10 s hang guard trips). */
static bool pump(struct lrg_proctrack *t, bool (*pred)(struct lrg_proctrack *, void *), void *arg)
{
	for (int rounds = 0; rounds < 100; rounds++) {
		struct pollfd pfd = { .fd = lrg_proctrack_fd(t), .events = POLLIN };

		if (lrg_proctrack_dispatch(t) < 0)
			return false;
		if (pred(t, arg))
			return true;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return false;
	}
	return pred(t, arg);
}

struct kids {
	pid_t pid[NCHILD];
	uint64_t start[NCHILD];
};

static bool all_tracked(struct lrg_proctrack *t, void *arg)
{
	struct kids *k = arg;
	struct lrg_proctrack_entry e;

	for (int i = 0; i < NCHILD; i++)
		if (lrg_proctrack_lookup(t, k->pid[i], &e) < 0)
			return false;
	return true;
}

static bool none_tracked(struct lrg_proctrack *t, void *arg)
{
	struct kids *k = arg;
	struct lrg_proctrack_entry e;

	for (int i = 0; i < NCHILD; i++)
		if (lrg_proctrack_lookup(t, k->pid[i], &e) == 0 && e.start_time == k->start[i])
			return false;
	return true;
}

static pid_t one_pid;

static bool one_gone(struct lrg_proctrack *t, void *arg)
{
	struct lrg_proctrack_entry e;

	return lrg_proctrack_lookup(t, one_pid, &e) < 0;
}

static bool one_there(struct lrg_proctrack *t, void *arg)
{
	struct lrg_proctrack_entry e;

	return lrg_proctrack_lookup(t, one_pid, &e) == 0;
}

static int sharer_pipe[2];
static char sharer_stack[64 * 1024] __attribute__((aligned(16)));

static int sharer_main(void *arg)
{
	char c;

	(void)arg;
	close(sharer_pipe[1]);
	while (read(sharer_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static int changes;

/* Counts entries that no longer match /proc (a few may exit meanwhile). */
static int check_fn(void *ctx, const struct lrg_proctrack_entry *e)
{
	struct lrg_proc_stat ps;
	int *bad = ctx;

	if (lrg_procfs_read_stat("/proc", e->pid, &ps) < 0 || ps.starttime != e->start_time)
		(*bad)++;
	return 0;
}

static void on_change(void *ctx, const struct lrg_proctrack_entry *e, enum lrg_proctrack_change c)
{
	(void)ctx;
	(void)e;
	(void)c;
	changes++;
}

int main(void)
{
	static struct kids k;
	struct lrg_proctrack *t = NULL;
	struct lrg_proctrack_stats st, st2;
	struct lrg_proctrack_entry e;
	struct lrg_proc_stat ps;
	int r, gate[2], fd0, fd1;
	uint64_t rss0, rss1;
	bool good;

	r = lrg_proctrack_open("/proc", 0, &t);
	if (r < 0) {
		printf("1..0 # SKIP proc connector unavailable here: %s\n", strerror(-r));
		return 0;
	}
	lrg_proctrack_get_stats(t, &st);
	ok(st.nr_procs > 1 && lrg_proctrack_lookup(t, getpid(), &e) == 0,
	   "first reconciliation: %zu processes, this one among them", st.nr_procs);
	ok(lrg_procfs_read_stat("/proc", getpid(), &ps) == 0 && e.start_time == ps.starttime,
	   "start time recorded");
	ok(lrg_proctrack_lookup(t, 2, &e) == -ENOENT, "kthreadd (a kernel thread) not tracked");
	lrg_proctrack_set_callback(t, on_change, NULL);

	/* 100 children, alive until the gate closes */
	if (pipe(gate) < 0)
		return 1;
	for (int i = 0; i < NCHILD; i++) {
		k.pid[i] = fork();
		if (k.pid[i] == 0) {
			char c;

			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (lrg_procfs_read_stat("/proc", k.pid[i], &ps) == 0)
			k.start[i] = ps.starttime;
	}
	close(gate[0]);
	ok(pump(t, all_tracked, &k), "all %d children tracked from fork events", NCHILD);
	good = true;
	for (int i = 0; i < NCHILD; i++)
		if (lrg_proctrack_lookup(t, k.pid[i], &e) < 0 || e.start_time != k.start[i] || e.mm_owner)
			good = false;
	ok(good, "children: right start times, own mms");
	ok(changes >= NCHILD, "callback saw the additions (%d)", changes);
	close(gate[1]);
	for (int i = 0; i < NCHILD; i++)
		waitpid(k.pid[i], NULL, 0);
	ok(pump(t, none_tracked, &k), "all children removed on their exit events");

	/* a CLONE_VM sharer is not another address space */
	lrg_proctrack_get_stats(t, &st);
	if (pipe(sharer_pipe) < 0)
		return 1;
	one_pid = clone(sharer_main, sharer_stack + sizeof(sharer_stack), CLONE_VM | SIGCHLD, NULL);
	close(sharer_pipe[0]);
	ok(one_pid > 0 && pump(t, one_there, NULL), "CLONE_VM child tracked");
	r = lrg_proctrack_lookup(t, one_pid, &e);
	ok(r == 0 && e.mm_owner == getpid(), "marked as sharing this process's mm (owner %d)",
	   (int)e.mm_owner);
	/* (global counts move with other processes: vfork children of make) */
	lrg_proctrack_get_stats(t, &st2);
	ok(lrg_proctrack_lookup(t, getpid(), &e) == 0 && e.mm_owner == 0 && st2.nr_sharers >= 1,
	   "this process owns the mm, the sharer points to it: one mm (sharers now %zu)",
	   st2.nr_sharers);
	close(sharer_pipe[1]);
	waitpid(one_pid, NULL, 0);
	ok(pump(t, one_gone, NULL), "sharer removed on exit");

	/* a pid whose start time changed under us is a new process */
	lrg_proctrack_get_stats(t, &st);
	lrg_procfs_read_stat("/proc", getpid(), &ps);
	lrg_proctrack_inject(t, getpid(), ps.starttime + 7);
	changes = 0;
	r = lrg_proctrack_reconcile(t);
	lrg_proctrack_get_stats(t, &st2);
	ok(r == 0 && lrg_proctrack_lookup(t, getpid(), &e) == 0 && e.start_time == ps.starttime &&
	   st2.reused == st.reused + 1 && changes >= 2,
	   "stale start time: replaced (removed + added), reused %llu",
	   (unsigned long long)st2.reused);

	/* overrun: a tiny buffer, many events unread */
	{
		struct lrg_proctrack *small = NULL;
		int bad = 0;

		r = lrg_proctrack_open("/proc", 4096, &small);
		ok(r == 0, "second tracker with a 4 KiB buffer (%d)", r);
		if (r == 0) {
			for (int i = 0; i < 2000; i++) {
				pid_t p = fork();

				if (p == 0)
					_exit(0);
				waitpid(p, NULL, 0);
			}
			/* one long-lived child whose fork event may be lost */
			one_pid = fork();
			if (one_pid == 0) {
				pause();
				_exit(0);
			}
			r = lrg_proctrack_dispatch(small);
			lrg_proctrack_get_stats(small, &st);
			ok(r >= 0 && st.overruns >= 1 && st.reconciles >= 2,
			   "ENOBUFS seen (%llu) and a full reconciliation run (%llu)",
			   (unsigned long long)st.overruns, (unsigned long long)st.reconciles);
			ok(lrg_proctrack_lookup(small, one_pid, &e) == 0, "child alive after the overrun tracked");
			/* nothing stale: every entry exists with its start time */
			lrg_proctrack_foreach(small, check_fn, &bad);
			ok(bad <= 2, "no stale entries after reconciliation (%d exited since)", bad);
			kill(one_pid, SIGKILL);
			waitpid(one_pid, NULL, 0);
			lrg_proctrack_free(small);
		}
	}

	/* 10,000 lifetimes: the tracker must not grow */
	for (int i = 0; i < 1000; i++) {  /* warm up: table at its size */
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
		if (i % 50 == 0)
			lrg_proctrack_dispatch(t);
	}
	lrg_proctrack_dispatch(t);
	fd0 = nr_fds();
	rss0 = rss();
	lrg_proctrack_get_stats(t, &st);
	for (int i = 0; i < LIFETIMES; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
		if (i % 50 == 0)
			lrg_proctrack_dispatch(t);
	}
	lrg_proctrack_dispatch(t);
	lrg_proctrack_get_stats(t, &st2);
	fd1 = nr_fds();
	rss1 = rss();
	ok(st2.forks - st.forks >= LIFETIMES && st2.exits - st.exits >= LIFETIMES,
	   "%d lifetimes seen: forks +%llu exits +%llu", LIFETIMES,
	   (unsigned long long)(st2.forks - st.forks), (unsigned long long)(st2.exits - st.exits));
	ok(fd1 == fd0, "fd count flat: %d -> %d", fd0, fd1);
	ok(rss1 <= rss0 + 256 * 1024, "RSS flat within 256 KiB: %llu -> %llu KiB",
	   (unsigned long long)rss0 / 1024, (unsigned long long)rss1 / 1024);
	diag("tracked %zu -> %zu processes, overruns %llu, reconciles %llu", st.nr_procs,
	     st2.nr_procs, (unsigned long long)st2.overruns, (unsigned long long)st2.reconciles);
	lrg_proctrack_free(t);
	return tap_done();
}
