// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend_proc.c - the fallback backend for any kernel: /proc and cgroup v2.
 *
 * What it costs in accuracy (say so, do not hide it):
 *
 *  - Aging is VMA-granular. The only per-mm access information /proc gives
 *    without a module is smaps' "Referenced:" (bytes of a VMA whose pages
 *    had their accessed bit or PG_referenced set) and clear_refs to reset
 *    it. A VMA with Referenced > 0 has all its present pages reported
 *    young: this overestimates the working set, never underestimates it,
 *    which is the safe side for min_ttl.
 *  - Writing 1 to clear_refs clears the accessed bits and PG_referenced of
 *    the whole mm, not only of the ranges asked: it also erases what the
 *    kernel's own reclaim would have seen, and there is no way to pass the
 *    bits back (LRG_HARVEST_NO_BUMP is in effect whatever the flags say).
 *  - Pages are attributed to the memcg the owner is in now; pages charged
 *    to another memcg (after a migration) cannot be told apart.
 *  - Presence comes from /proc/PID/pagemap, so it is exact per page; anon
 *    means "not a page of a file" there (private anon, COW copies), plus
 *    shared anonymous memory (memfd, SysV, /dev/zero) by the VMA's name.
 *
 * Eviction is exact per page (process_madvise(MADV_PAGEOUT)); the pages
 * freed are counted as present before minus present after in pagemap, so
 * anon memory without swap (which MADV_PAGEOUT cannot free) counts 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"
#include "cgroups.h"
#include "clock.h"
#include "fileio.h"
#include "kthreads.h"
#include "status_memo.h"
#include "lrg_log.h"
#include "pidfd.h"
#include "procfs.h"
#include "util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef KCMP_VM
#define KCMP_VM 1
#endif
#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_FILE (1ULL << 61)

struct proc_backend {
	struct lrg_backend b;
	char proc_root[512];
	struct lrg_cgroup_tree *cg;
	long clk_tck;
	uint64_t kpage_pages;    /* LRG_PAGE_SIZE pages in one of the kernel's */
	bool has_reclaim;
	/* scratch mappings kept between calls while small (see scratch_keep) */
	void *scratch[2];
	size_t scratch_bytes[2];
	/* the watermarks, read again every WATERMARKS_TTL_MS (see measure_machine) */
	struct lrg_watermarks wm;
	uint64_t wm_ms;
	bool wm_ok;
	/*
	 * The kernel keeps no pressure figures (CONFIG_PSI=n, or psi=0 on
	 * the command line, as Debian's kernels boot): /proc/pressure is
	 * not there, nor any memcg's memory.pressure, for the whole boot.
	 * Not looked for again once missed.
	 */
	bool no_psi;
	/* kernel threads, not read again at each listing (kthreads.h) */
	struct lrg_kthreads kthreads;
	/* processes' resident split, not read again while their size stays */
	struct lrg_status_memo status_memo;
	/* the machine's memory and swap as last measured (measure_meminfo_recent) */
	struct lrg_pressure meminfo;
	uint64_t meminfo_ms;
	/* the machine's files of every tick, kept open, and the buffer they
	 * are read into */
	struct lrg_kept_file meminfo_file, vmstat_file, psi_file;
	char machine_buf[16384];
	/* the memcgs the last listing could not read, as last logged */
	size_t memcgs_skipped;
	/* the tree stopped being watched, as logged (once) */
	bool unwatched_noted;
	/* cgroups below a memcg whose processes could not be listed, in all;
	 * logged at most once per SKIP_LOG_MS */
	uint64_t pids_skipped, pids_skipped_log_ms;
};

#define SKIP_LOG_MS 60000

enum { SCRATCH_MMS, SCRATCH_VMAS };

static struct proc_backend *to_pb(struct lrg_backend *b)
{
	return (struct proc_backend *)b;
}

/*
 * Say once when the listing of memcgs starts or stops leaving out what it
 * could not read (n now): the policy then works on part of the machine,
 * and the admin must know, but not at every tick.
 */
static void note_memcgs_skipped(struct proc_backend *pb, size_t n)
{
	if (n == pb->memcgs_skipped)
		return;
	if (n)
		log_warning("proc backend: %zu memory cgroups could not be read and are left out", n);
	else
		log_notice("proc backend: every memory cgroup is readable again");
	pb->memcgs_skipped = n;
}

/* A tree inotify no longer follows is walked at every listing: once. */
static void note_unwatched(struct proc_backend *pb)
{
	if (pb->cg->watched || pb->cg->global || pb->unwatched_noted)
		return;
	log_notice("proc backend: inotify does not follow the cgroup tree (unavailable, or "
		   "fs.inotify.max_user_watches reached): it is walked and every memcg read at "
		   "each listing");
	pb->unwatched_noted = true;
}

/* The same for the processes below one memcg, counted in all. */
static void note_pids_skipped(struct proc_backend *pb, const char *memcg, size_t n)
{
	uint64_t now = lrg_mono_ms();

	if (!n)
		return;
	pb->pids_skipped += n;
	if (pb->pids_skipped_log_ms && now - pb->pids_skipped_log_ms < SKIP_LOG_MS)
		return;
	pb->pids_skipped_log_ms = now;
	log_warning("proc backend: %zu cgroups below %s could not be read: their processes are "
		    "left out (%" PRIu64 " so far)", n, memcg, pb->pids_skipped);
}

/*
 * Scratch arrays that live for one call (the mm candidates of a listing,
 * the VMAs of a harvest) are page-granular anonymous mappings, not malloc:
 * at 2,000 processes the candidates of one listing are 240 KiB, and glibc
 * raises its mmap threshold to the size of each large block freed, so the
 * next listing's array would come from the heap and stay there (locked
 * by mlockall) after it is freed, under the mm lists' allocations.
 */
static void *scratch_grow(void *p, size_t *cap_bytes, size_t need)
{
	size_t cap = *cap_bytes, ps = 4096;
	void *n;

	if (need <= cap)
		return p;
	if (cap < 16 * ps)
		cap = 16 * ps;
	while (cap < need)
		cap *= 2;
	cap = (cap + ps - 1) / ps * ps;
	n = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (n == MAP_FAILED)
		return NULL;
	if (p) {
		memcpy(n, p, *cap_bytes);
		munmap(p, *cap_bytes);
	}
	*cap_bytes = cap;
	return n;
}

static void scratch_free(void *p, size_t cap_bytes)
{
	if (p)
		munmap(p, cap_bytes);
}

/*
 * Hand a scratch mapping back to pb for the next call, or unmap it if it
 * grew past its first size: a harvest or listing of a usual process or
 * memcg then costs no mmap, munmap and page fault, and a big one does not
 * keep its pages.
 */
#define SCRATCH_KEEP_BYTES (16 * 4096)

static void scratch_keep(void **slot, size_t *slot_bytes, void *p, size_t bytes)
{
	if (p && bytes <= SCRATCH_KEEP_BYTES) {
		*slot = p;
		*slot_bytes = bytes;
	} else {
		scratch_free(p, bytes);
		*slot = NULL;
		*slot_bytes = 0;
	}
}

/* ---- memcgs -------------------------------------------------------------- */

static int global_info(struct proc_backend *pb, struct lrg_memcg_info *mi)
{
	struct lrg_meminfo m;
	int r;

	r = lrg_procfs_read_meminfo(pb->proc_root, &m);
	if (r < 0)
		return r;
	memset(mi, 0, sizeof(*mi));
	mi->id = LRG_ROOT_MEMCG;
	strcpy(mi->path, "/");
	mi->current = m.mem_total - m.mem_available;
	mi->high = mi->max = UINT64_MAX;
	mi->swap_current = m.swap_total - m.swap_free;
	mi->swap_max = m.swap_total;
	mi->anon = (m.active_anon + m.inactive_anon);
	mi->file = (m.active_file + m.inactive_file);
	return 0;
}

static int proc_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_memcg_info mi;
	size_t skipped;
	int r;

	if (pb->cg->global) {
		r = global_info(pb, &mi);
		return r < 0 ? r : fn(ctx, &mi);
	}
	/* Follow creations and removals on every listing. */
	r = lrg_cgroup_tree_rescan(pb->cg, NULL, NULL);
	if (r < 0)
		return r;
	skipped = pb->cg->nr_skipped;
	for (size_t i = 0; i < pb->cg->n; i++) {
		const struct lrg_cgroup_entry *e = &pb->cg->v[i];

		memset(&mi, 0, sizeof(mi));
		mi.id = e->id;
		/* the tree holds paths shorter than mi.path only */
		strcpy(mi.path, e->path);
		r = lrg_cgroup_tree_read_info(pb->cg, i, &mi, lrg_mono_ms());
		if (r == -ENOENT)
			continue;  /* removed since the scan */
		if (r < 0) {
			skipped++;
			continue;
		}
		if (!strcmp(e->path, "/") && !mi.current) {
			struct lrg_memcg_info g;

			/* The root cgroup has no memory.current: the machine's. */
			if (global_info(pb, &g) == 0)
				mi.current = g.current;
		}
		r = fn(ctx, &mi);
		if (r < 0)
			return r;
	}
	note_memcgs_skipped(pb, skipped);
	note_unwatched(pb);
	return 0;
}

/* Ids and paths from the tree's walk: no memcg's file is read. */
static int proc_list_memcg_paths(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_memcg_info mi;
	int r;

	if (pb->cg->global)
		return proc_list_memcgs(b, fn, ctx);
	r = lrg_cgroup_tree_rescan(pb->cg, NULL, NULL);
	if (r < 0)
		return r;
	memset(&mi, 0, sizeof(mi));
	for (size_t i = 0; i < pb->cg->n; i++) {
		mi.id = pb->cg->v[i].id;
		/* the tree holds paths shorter than mi.path only */
		strcpy(mi.path, pb->cg->v[i].path);
		r = fn(ctx, &mi);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- address spaces ------------------------------------------------------ */

struct mm_cand {
	struct lrg_mm_info mm;
	/* equal for every sharer of one mm: a cheap filter before kcmp */
	uint64_t sig[4];
	/* the task kcmp compares: the owner, or the live thread of a leader
	 * gone by pthread_exit (whose own task has no mm) */
	pid_t probe;
	bool dup;
};

struct mm_collect {
	struct proc_backend *pb;
	uint64_t memcg_id;
	struct mm_cand *v;
	size_t n;
	size_t bytes;        /* of the scratch mapping v */
	uint64_t now_ms;
	/* the kernel threads remembered, when listing where they are (the
	 * root cgroup, or every process); NULL: every pid is read */
	struct lrg_kthreads *kthreads;
};

/* What a listing says of one address space: its owner's identity, and the
 * thread whose view of it was read (the owner, or one of its threads). */
struct mm_view {
	struct lrg_proc_stat st;     /* the owner's: identity, times */
	struct lrg_proc_stat mm_st;  /* the reading thread's: size, layout */
	pid_t probe;
	uint64_t nr_anon, nr_file;
};

/* The resident split of pid's mm from its status, unless remembered
 * (status_memo.h); false if pid has no mm of its own. */
static bool own_split(struct mm_collect *c, pid_t pid, struct mm_view *v)
{
	struct lrg_proc_status status;
	uint64_t key = lrg_mm_key(pid, v->st.starttime), rss = v->st.rss * c->pb->kpage_pages;

	/* a thread-group leader with an mm when its status was read: it
	 * stays one until it is a zombie */
	if (lrg_status_memo_get(&c->pb->status_memo, pid, key, rss, c->now_ms, &v->nr_anon,
				&v->nr_file))
		return true;
	if (lrg_procfs_read_status(c->pb->proc_root, pid, &status) < 0 || !status.has_mm ||
	    status.tgid != pid)
		return false;
	lrg_proc_status_split(&status, LRG_PAGE_SIZE, &v->nr_anon, &v->nr_file);
	lrg_status_memo_put(&c->pb->status_memo, pid, key, rss, v->nr_anon, v->nr_file, c->now_ms);
	return true;
}

/*
 * pid's address space, if it is a process that has one: seen by pid
 * itself, or, for a leader that left by pthread_exit (a zombie while its
 * threads run on, with their mm), by a live thread. Such a process is
 * listed like any other: left out, it would be out of the OOM scan's
 * sight, and a user could hide a runaway so.
 */
static bool view_mm(struct mm_collect *c, pid_t pid, struct mm_view *v)
{
	struct lrg_proc_status status;

	v->mm_st = v->st;
	v->probe = pid;
	if (v->st.state == 'X')
		return false;
	if (v->st.state != 'Z')
		return own_split(c, pid, v);
	if (v->st.num_threads < 2 ||
	    lrg_procfs_read_live_thread(c->pb->proc_root, pid, &v->probe, &v->mm_st, &status) < 0)
		return false;
	lrg_proc_status_split(&status, LRG_PAGE_SIZE, &v->nr_anon, &v->nr_file);
	return true;
}

static int collect_pid(void *ctx, pid_t pid)
{
	struct mm_collect *c = ctx;
	struct mm_view v;
	struct mm_cand *m;

	if (c->kthreads && lrg_kthreads_has(c->kthreads, pid))
		return 0;
	if (lrg_procfs_read_stat(c->pb->proc_root, pid, &v.st) < 0)
		return 0;  /* exited meanwhile */
	if (lrg_proc_stat_is_kthread(&v.st)) {
		if (c->kthreads)
			lrg_kthreads_add(c->kthreads, pid);
		return 0;
	}
	if (!view_mm(c, pid, &v))
		return 0;
	if ((c->n + 1) * sizeof(*c->v) > c->bytes) {
		struct mm_cand *nv = scratch_grow(c->v, &c->bytes, (c->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		c->v = nv;
	}
	m = &c->v[c->n++];
	memset(m, 0, sizeof(*m));
	m->mm.mm_key = lrg_mm_key(pid, v.st.starttime);
	m->mm.pid = pid;
	m->mm.start_time = v.st.starttime;
	m->mm.memcg_id = c->memcg_id;
	m->mm.nr_anon = v.nr_anon;
	m->mm.nr_file = v.nr_file;
	m->mm.run_stamp = lrg_procfs_run_stamp(c->pb->proc_root, v.probe, &v.st, c->pb->clk_tck);
	memcpy(m->mm.comm, v.st.comm, sizeof(m->mm.comm));
	m->probe = v.probe;
	m->sig[0] = v.mm_st.start_code;
	m->sig[1] = v.mm_st.end_code;
	m->sig[2] = v.mm_st.start_stack;
	m->sig[3] = v.mm_st.start_brk;
	return 0;
}

static int cmp_sig(const void *a, const void *b)
{
	const struct mm_cand *x = a, *y = b;
	int r = memcmp(x->sig, y->sig, sizeof(x->sig));

	if (r)
		return r;
	return x->mm.start_time < y->mm.start_time ? -1 : x->mm.start_time > y->mm.start_time;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct mm_cand *x = a, *y = b;

	return x->mm.pid - y->mm.pid;
}

/* kcmp(KCMP_VM) orders mms consistently (0 same, 1 less, 2 greater). */
static int cmp_kcmp(const void *a, const void *b)
{
	const struct mm_cand *x = a, *y = b;
	long r = syscall(SYS_kcmp, x->probe, y->probe, KCMP_VM, 0, 0);

	if (r == 0)
		return x->mm.start_time < y->mm.start_time ? -1 : x->mm.start_time > y->mm.start_time;
	if (r == 1 || r == 2)
		return r == 1 ? -1 : 1;
	/* gone meanwhile, or no ordering: any consistent order will do */
	return x->mm.pid - y->mm.pid;
}

/*
 * Processes created with clone(CLONE_VM) but not CLONE_THREAD (vfork
 * children until exec, some runtimes) share one mm: report it once, under
 * the oldest sharer. Sharers have the same layout in stat (start_code,
 * end_code, start_stack, start_brk: randomized per exec), so only processes
 * with equal layouts (sharers, or fork children that did not exec) are
 * compared, by sorting each such group with kcmp(KCMP_VM) as the order:
 * O(k log k) syscalls for a group of k, then sharers are neighbours.
 */
static void dedup_sharers(struct mm_collect *c)
{
	size_t i, j;

	if (!c->n)
		return;  /* c->v may be NULL: qsort must not see it */
	qsort(c->v, c->n, sizeof(c->v[0]), cmp_sig);
	for (i = 0; i < c->n; i = j) {
		for (j = i + 1; j < c->n && !memcmp(c->v[i].sig, c->v[j].sig, sizeof(c->v[i].sig)); j++)
			;
		if (j - i < 2)
			continue;
		qsort(c->v + i, j - i, sizeof(c->v[0]), cmp_kcmp);
		for (size_t k = i + 1; k < j; k++)
			if (syscall(SYS_kcmp, c->v[k - 1].probe, c->v[k].probe, KCMP_VM, 0, 0) == 0)
				c->v[k].dup = true;
	}
	qsort(c->v, c->n, sizeof(c->v[0]), cmp_pid);
}

/* The kernel threads remembered, brought up to the kernel's pid cursor;
 * NULL (every pid read) when the cursor cannot be read. */
static struct lrg_kthreads *kthreads_for_listing(struct proc_backend *pb, uint64_t now_ms)
{
	pid_t last;

	if (lrg_procfs_read_last_pid(pb->proc_root, &last) < 0)
		return NULL;
	lrg_kthreads_expire(&pb->kthreads, now_ms, last);
	return &pb->kthreads;
}

static int proc_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	struct proc_backend *pb = to_pb(b);
	struct mm_collect c = { .pb = pb, .memcg_id = memcg_id, .v = pb->scratch[SCRATCH_MMS],
				.bytes = pb->scratch_bytes[SCRATCH_MMS], .now_ms = lrg_mono_ms() };
	int r = 0;

	if (pb->cg->global) {
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *de;

		if (memcg_id != LRG_ROOT_MEMCG)
			return -ENOENT;
		d = opendir(pb->proc_root);
		if (!d)
			return -errno;
		c.kthreads = kthreads_for_listing(pb, c.now_ms);
		/* readdir of /proc lists thread-group leaders only */
		while ((de = readdir(d))) {
			char *e;
			long pid = strtol(de->d_name, &e, 10);

			if (pid <= 0 || *e)
				continue;
			r = collect_pid(&c, (pid_t)pid);
			if (r < 0)
				break;
		}
	} else {
		const struct lrg_cgroup_entry *e = lrg_cgroup_tree_find(pb->cg, memcg_id);

		if (!e) {
			scratch_keep(&pb->scratch[SCRATCH_MMS], &pb->scratch_bytes[SCRATCH_MMS], c.v, c.bytes);
			return -ENOENT;
		}
		/* Below a memcg that does not enable memory for its children,
		 * every descendant is charged to it. */
		size_t skipped = 0;

		if (!strcmp(e->path, "/"))
			c.kthreads = kthreads_for_listing(pb, c.now_ms);

		r = lrg_cgroup_for_each_pid(pb->cg->root, e->path, !e->memory_subtree,
					    collect_pid, &c, &skipped);
		if (r == -ENOENT)
			r = 0;  /* removed meanwhile: no processes */
		if (r == 0)
			note_pids_skipped(pb, e->path, skipped);
		/* processes where the tree remembers none: its files are read
		 * again at the next listing, so that it is not kept idle */
		if (r == 0 && c.n && e->memo.idle)
			lrg_cgroup_tree_mark_stale(pb->cg, memcg_id);
	}
	if (r < 0) {
		scratch_keep(&pb->scratch[SCRATCH_MMS], &pb->scratch_bytes[SCRATCH_MMS], c.v, c.bytes);
		return r;
	}
	if (c.kthreads)
		lrg_kthreads_settle(c.kthreads);
	dedup_sharers(&c);
	for (size_t i = 0; i < c.n && r >= 0; i++)
		if (!c.v[i].dup)
			r = fn(ctx, &c.v[i].mm);
	scratch_keep(&pb->scratch[SCRATCH_MMS], &pb->scratch_bytes[SCRATCH_MMS], c.v, c.bytes);
	return r < 0 ? r : 0;
}

/* Same process as when listed? (-ESRCH when it exited or the pid was reused) */
static int check_owner(struct proc_backend *pb, pid_t pid, uint64_t start_time)
{
	uint64_t now_start;
	int r;

	r = lrg_procfs_read_start_time(pb->proc_root, pid, &now_start);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return now_start == start_time ? 0 : -ESRCH;
}

/* ---- harvest ------------------------------------------------------------- */

struct vma {
	uint64_t start, end;
	bool shared;
	bool shmem;          /* shared anonymous memory, by name */
	bool special;        /* VM_IO / VM_PFNMAP: no struct pages to age */
	uint64_t rss, referenced;
};

/*
 * The daemon's event loop waits while a harvest runs, so a harvest must be
 * bounded. pagemap costs one entry per virtual page whether or not it is
 * resident, and real programs reserve sparse terabytes (ASan shadow, V8 and
 * Go heaps, JVM reservations): such VMAs are skipped (their few resident
 * pages are not aged by this backend), and a harvest stops after
 * PROC_MAX_PTES entries with LRG_HARVEST_PARTIAL, as the module does.
 */
#define PROC_MAX_PTES (1ULL << 22)                /* 16 GiB of address space */
#define PROC_SPARSE_MIN_BYTES (1ULL << 30)        /* VMAs larger than 1 GiB ... */
#define PROC_SPARSE_RATIO 32                      /* ... less than 1/32 resident */
#define PROC_BUDGET_SPENT (-EOVERFLOW)            /* internal: the bound was hit */

struct region_acc {
	lrg_region_fn fn;
	void *ctx;
	struct lrg_region reg;
	bool any;
	struct lrg_walk_stats *stats;
	uint64_t budget;      /* pagemap entries this harvest may still read */
};

static int region_flush(struct region_acc *acc)
{
	int r = 0;

	if (acc->any)
		r = acc->fn(acc->ctx, &acc->reg);
	acc->any = false;
	return r;
}

static int region_page(struct region_acc *acc, uint64_t addr, bool anon, bool young)
{
	uint64_t base = addr & LRG_PMD_MASK;
	unsigned int i = (addr - base) >> LRG_PAGE_SHIFT;
	int r;

	if (!acc->any || acc->reg.addr != base) {
		r = region_flush(acc);
		if (r < 0)
			return r;
		memset(&acc->reg, 0, sizeof(acc->reg));
		acc->reg.addr = base;
		acc->any = true;
	}
	acc->reg.present[i / 64] |= 1ULL << (i % 64);
	if (anon)
		acc->reg.anon[i / 64] |= 1ULL << (i % 64);
	if (young)
		acc->reg.young[i / 64] |= 1ULL << (i % 64);
	acc->stats->pte_total++;
	if (young)
		acc->stats->pte_young++;
	else
		acc->stats->pte_old++;
	return 0;
}

/* Walk pagemap over [start, end) of one VMA, reporting present pages. */
static int walk_range(int pm_fd, const struct vma *v, uint64_t start, uint64_t end,
		      unsigned int flags, struct region_acc *acc)
{
	uint64_t ent[LRG_PTES_PER_PMD];
	bool young = v->referenced > 0;

	while (start < end) {
		uint64_t n = (end - start) >> LRG_PAGE_SHIFT;
		ssize_t got;

		if (n > LRG_PTES_PER_PMD)
			n = LRG_PTES_PER_PMD;
		if (acc->budget < n)
			return PROC_BUDGET_SPENT;
		acc->budget -= n;
		got = pread(pm_fd, ent, n * 8, (off_t)((start >> LRG_PAGE_SHIFT) * 8));
		if (got < 0)
			return errno == ESRCH ? -ESRCH : -errno;
		if (got == 0)
			return -ESRCH;  /* the mm went away */
		n = (uint64_t)got / 8;
		for (uint64_t i = 0; i < n; i++) {
			bool anon;
			int r;

			if (!(ent[i] & PM_PRESENT))
				continue;
			anon = !(ent[i] & PM_FILE) || v->shmem;
			if (anon && (flags & LRG_HARVEST_NO_ANON))
				continue;
			r = region_page(acc, start + (i << LRG_PAGE_SHIFT), anon, young);
			if (r < 0)
				return r;
		}
		start += n << LRG_PAGE_SHIFT;
	}
	return 0;
}

static int harvest_vma(int pm_fd, const struct vma *v, const struct lrg_harvest_req *req,
		       struct region_acc *acc)
{
	if (v->special || !v->rss)
		return 0;
	if (v->end - v->start > PROC_SPARSE_MIN_BYTES &&
	    v->rss * PROC_SPARSE_RATIO < v->end - v->start)
		return 0;
	if (!req->ranges)
		return walk_range(pm_fd, v, v->start, v->end, req->flags, acc);
	/* Ranges are not required to be sorted; regions must come out in
	 * address order per VMA only, which holds for sorted ranges. */
	for (size_t i = 0; i < req->nr_ranges; i++) {
		uint64_t s = req->ranges[i].start & ~(LRG_PAGE_SIZE - 1);
		uint64_t e = (req->ranges[i].end + LRG_PAGE_SIZE - 1) & ~(LRG_PAGE_SIZE - 1);
		int r;

		if (s < v->start)
			s = v->start;
		if (e > v->end)
			e = v->end;
		if (s >= e)
			continue;
		r = walk_range(pm_fd, v, s, e, req->flags, acc);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "start-end perms offset dev inode [path]" */
static bool parse_vma_header(const char *line, const char *eol, struct vma *v)
{
	unsigned long long s, e;
	char perms[5];
	int path_off = 0;

	if (sscanf(line, "%llx-%llx %4s %*x %*x:%*x %*u %n", &s, &e, perms, &path_off) < 3)
		return false;
	memset(v, 0, sizeof(*v));
	v->start = s;
	v->end = e;
	v->shared = perms[3] == 's';
	if (path_off > 0 && line + path_off < eol) {
		const char *p = line + path_off;
		size_t len = eol - p;

		v->shmem = v->shared && ((len >= 9 && !memcmp(p, "/dev/zero", 9)) ||
					 (len >= 5 && !memcmp(p, "/SYSV", 5)) ||
					 (len >= 7 && !memcmp(p, "/memfd:", 7)) ||
					 (len >= 12 && !memcmp(p, "[anon_shmem]", 12)));
	}
	return true;
}

static bool vmflags_special(const char *p, const char *eol)
{
	while (p < eol) {
		while (p < eol && *p == ' ')
			p++;
		if (eol - p >= 2 && (p + 2 == eol || p[2] == ' ') &&
		    (!memcmp(p, "io", 2) || !memcmp(p, "pf", 2)))
			return true;
		while (p < eol && *p != ' ')
			p++;
	}
	return false;
}

/* The VMAs of one smaps text worth walking, in order (scratch mapping). */
struct vma_list {
	struct vma *v;
	size_t n;
	size_t bytes;
};

static int vma_push(struct vma_list *l, const struct vma *v)
{
	/* what harvest_vma would skip need not be kept */
	if (v->special || !v->rss)
		return 0;
	if ((l->n + 1) * sizeof(*l->v) > l->bytes) {
		struct vma *n = scratch_grow(l->v, &l->bytes, (l->n + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->v = n;
	}
	l->v[l->n++] = *v;
	return 0;
}

/* One line of smaps (NUL-terminated at eol). */
static int smaps_line(char *line, char *eol, struct vma *v, bool *have, struct vma_list *l)
{
	unsigned long long val;
	struct vma nv;

	if (parse_vma_header(line, eol, &nv)) {
		if (*have) {
			int r = vma_push(l, v);

			if (r < 0)
				return r;
		}
		*v = nv;
		*have = true;
	} else if (*have && sscanf(line, "Rss: %llu kB", &val) == 1) {
		v->rss = val * 1024;
	} else if (*have && sscanf(line, "Referenced: %llu kB", &val) == 1) {
		v->referenced = val * 1024;
	} else if (*have && !strncmp(line, "VmFlags:", 8)) {
		v->special = vmflags_special(line + 8, eol);
	}
	return 0;
}

/*
 * Read smaps into a list of VMAs, a buffer at a time: the text is about
 * 1 KiB per VMA (megabytes for a browser), the list 48 bytes per VMA with
 * resident pages. Lines are at most a path (PATH_MAX) and a few dozen
 * bytes, so SMAPS_BUF holds any of them whole.
 */
#define SMAPS_BUF (PATH_MAX + 4096)

static int read_smaps(const char *path, struct vma_list *l)
{
	char buf[SMAPS_BUF];
	size_t len = 0;
	struct vma v;
	bool have = false, eof = false;
	_cleanup_close_ int fd = -1;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&v, 0, sizeof(v));
	while (!eof) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *line = buf, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			eof = true;
		len += (size_t)n;
		buf[len] = '\0';
		/* Terminate each line: sscanf on a string takes its length
		 * first (see the history of this loop: on a whole multi-MiB
		 * smaps text that was half the daemon's CPU). */
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
			*nl = '\0';
			r = smaps_line(line, nl, &v, &have, l);
			if (r < 0)
				return r;
			line = nl + 1;
		}
		len -= (size_t)(line - buf);
		if (eof && len) {
			/* a last line without a newline */
			r = smaps_line(line, line + len, &v, &have, l);
			if (r < 0)
				return r;
			len = 0;
		} else if (len == sizeof(buf) - 1) {
			len = 0;   /* no line is that long: drop the piece */
		} else {
			memmove(buf, line, len);
		}
	}
	return have ? vma_push(l, &v) : 0;
}

static bool is_gone(int r)
{
	return r == -ENOENT || r == -ESRCH;
}

/*
 * Harvest the mm of req into acc, its VMAs read into vl. Returns the
 * harvest's status (LRG_HARVEST_COMPLETE, _PARTIAL or _GONE, all >= 0) or
 * a negative errno.
 */
static int harvest_mm(struct proc_backend *pb, const struct lrg_harvest_req *req,
		      struct vma_list *vl, struct region_acc *acc)
{
	pid_t pid = req->mm->pid;
	_cleanup_close_ int pm_fd = -1;
	char path[PATH_MAX];
	int r;

	r = check_owner(pb, pid, req->mm->start_time);
	if (r < 0)
		return r == -ESRCH ? LRG_HARVEST_GONE : r;
	snprintf(path, sizeof(path), "%s/%d/pagemap", pb->proc_root, (int)pid);
	pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm_fd < 0)
		return is_gone(-errno) ? LRG_HARVEST_GONE : -errno;
	snprintf(path, sizeof(path), "%s/%d/smaps", pb->proc_root, (int)pid);
	r = read_smaps(path, vl);
	if (r < 0)
		return is_gone(r) ? LRG_HARVEST_GONE : r;
	/* Reset right after reading, so the window where accesses are lost
	 * is one smaps read wide. This clears the whole mm (see the top). */
	snprintf(path, sizeof(path), "%s/%d/clear_refs", pb->proc_root, (int)pid);
	r = lrg_write_file(path, "1");
	if (r < 0)
		return is_gone(r) ? LRG_HARVEST_GONE : r;
	/* The pid may have been reused while we read: smaps then belongs to
	 * someone else, and reporting it would poison the policy. */
	if (check_owner(pb, pid, req->mm->start_time) < 0)
		return LRG_HARVEST_GONE;

	for (size_t i = 0; i < vl->n; i++) {
		r = harvest_vma(pm_fd, &vl->v[i], req, acc);
		if (r == PROC_BUDGET_SPENT) {
			r = region_flush(acc);
			return r < 0 ? r : LRG_HARVEST_PARTIAL;
		}
		if (r == -ESRCH)
			return LRG_HARVEST_GONE;
		if (r < 0)
			return r;
	}
	r = region_flush(acc);
	return r < 0 ? r : LRG_HARVEST_COMPLETE;
}

static int proc_harvest(struct lrg_backend *b, const struct lrg_harvest_req *req,
			lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_walk_stats stats = { 0 };
	struct region_acc acc = { .fn = fn, .ctx = ctx, .stats = &stats, .budget = PROC_MAX_PTES };
	struct vma_list vl = { pb->scratch[SCRATCH_VMAS], 0, pb->scratch_bytes[SCRATCH_VMAS] };
	int r;

	r = harvest_mm(pb, req, &vl, &acc);
	scratch_keep(&pb->scratch[SCRATCH_VMAS], &pb->scratch_bytes[SCRATCH_VMAS], vl.v, vl.bytes);
	if (r < 0)
		return r;
	stats.status = r;
	if (ret_stats)
		*ret_stats = stats;
	return 0;
}

/* ---- evict --------------------------------------------------------------- */

/* Present pages of pid in the ranges, from pagemap. */
static int count_present(int pm_fd, const struct lrg_range *ranges, size_t n, uint64_t *ret)
{
	uint64_t ent[LRG_PTES_PER_PMD], total = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t a = ranges[i].start & ~(LRG_PAGE_SIZE - 1);
		uint64_t end = ranges[i].end;

		while (a < end) {
			uint64_t cnt = (end - a + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT;
			ssize_t got;

			if (cnt > LRG_PTES_PER_PMD)
				cnt = LRG_PTES_PER_PMD;
			got = pread(pm_fd, ent, cnt * 8, (off_t)((a >> LRG_PAGE_SHIFT) * 8));
			if (got < 0)
				return -errno;
			if (got == 0)
				return -ESRCH;
			cnt = (uint64_t)got / 8;
			for (uint64_t k = 0; k < cnt; k++)
				total += !!(ent[k] & PM_PRESENT);
			a += cnt << LRG_PAGE_SHIFT;
		}
	}
	*ret = total;
	return 0;
}

static int proc_evict(struct lrg_backend *b, const struct lrg_mm_info *mm,
		      const struct lrg_range *ranges, size_t nr_ranges, uint64_t *ret_pages)
{
	struct proc_backend *pb = to_pb(b);
	struct iovec iov[IOV_MAX];
	uint64_t before = 0, after = 0;
	char path[PATH_MAX];
	_cleanup_close_ int pidfd = -1, pm_fd = -1;
	size_t i = 0;
	int r;

	pidfd = lrg_pidfd_open(mm->pid);
	if (pidfd < 0)
		return pidfd;
	/* With the pidfd held, a start time that still matches proves the
	 * pidfd is the process the policy meant. */
	r = check_owner(pb, mm->pid, mm->start_time);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%d/pagemap", pb->proc_root, (int)mm->pid);
	pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = count_present(pm_fd, ranges, nr_ranges, &before);
	if (r < 0)
		return r;
	while (i < nr_ranges) {
		size_t n = 0, want = 0;
		ssize_t done;

		for (; i + n < nr_ranges && n < IOV_MAX; n++) {
			uint64_t s = ranges[i + n].start & ~(LRG_PAGE_SIZE - 1);
			uint64_t e = (ranges[i + n].end + LRG_PAGE_SIZE - 1) & ~(LRG_PAGE_SIZE - 1);

			iov[n].iov_base = (void *)(uintptr_t)s;
			iov[n].iov_len = e > s ? e - s : 0;
			want += iov[n].iov_len;
		}
		done = lrg_process_madvise(pidfd, iov, n, MADV_PAGEOUT);
		if (done < 0) {
			/* ENOMEM: an unmapped hole in the first range; skip it. */
			if (done != -ENOMEM)
				return (int)done;
			i++;
			continue;
		}
		if ((size_t)done < want) {
			/* Stopped inside a range (a hole): resume after it. */
			size_t k = 0, acc = 0;

			while (k < n && acc + iov[k].iov_len <= (size_t)done)
				acc += iov[k++].iov_len;
			i += k + 1;
		} else {
			i += n;
		}
	}
	r = count_present(pm_fd, ranges, nr_ranges, &after);
	if (r < 0)
		return r;
	*ret_pages = before > after ? before - after : 0;
	return 0;
}

/* ---- reclaim, measure, kill ---------------------------------------------- */

static int memcg_path(struct proc_backend *pb, uint64_t memcg_id, const char **ret)
{
	const struct lrg_cgroup_entry *e;

	if (pb->cg->global)
		return memcg_id == LRG_ROOT_MEMCG ? -EOPNOTSUPP : -ENOENT;
	e = lrg_cgroup_tree_find(pb->cg, memcg_id);
	if (!e)
		return -ENOENT;
	*ret = e->path;
	return 0;
}

static int proc_reclaim(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes,
			uint64_t *ret_bytes)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_vmstat s0, s1;
	const char *path;
	int r;

	r = memcg_path(pb, memcg_id, &path);
	if (r < 0)
		return r;
	r = lrg_cgroup_read_stat(pb->cg->root, path, &s0);
	if (r < 0)
		return r;
	r = lrg_cgroup_reclaim(pb->cg->root, path, bytes);
	if (r < 0 && r != -EAGAIN)
		return r;
	/* -EAGAIN: less than asked was reclaimed; report what was. The
	 * pgsteal delta also counts concurrent reclaim in the memcg. */
	r = lrg_cgroup_read_stat(pb->cg->root, path, &s1);
	if (r < 0)
		return r;
	*ret_bytes = (s1.pgsteal > s0.pgsteal ? s1.pgsteal - s0.pgsteal : 0) * LRG_PAGE_SIZE;
	return 0;
}

/*
 * The zone watermarks change only with the vm.min_free_kbytes and
 * vm.watermark_scale_factor sysctls or memory hotplug, and
 * /proc/zoneinfo is the costliest file of a measurement (every zone's
 * counters and per-CPU lists: in the VM it was the first of the daemon's
 * own kernel symbols, 4.5% of its CPU, read once per memcg and tick).
 * A setting changed by the admin shows within this long.
 */
#define WATERMARKS_TTL_MS 10000

/* How old the machine's memory figures may be for a memcg's measurement. */
#define MEMINFO_REUSE_MS 50

/* What every measurement needs of the machine: memory and swap. */
static int measure_meminfo(struct proc_backend *pb, struct lrg_pressure *p)
{
	struct lrg_meminfo mi;
	int r;

	r = lrg_kept_file_read(&pb->meminfo_file, pb->machine_buf, sizeof(pb->machine_buf), NULL);
	if (r == 0)
		r = lrg_parse_meminfo(pb->machine_buf, &mi);
	if (r < 0)
		return r;
	p->mem_total = mi.mem_total;
	p->mem_free = mi.mem_free;
	p->mem_available = mi.mem_available;
	p->swap_total = mi.swap_total;
	p->swap_free = mi.swap_free;
	p->limit = mi.mem_total;
	p->usage = mi.mem_total - mi.mem_available;
	return 0;
}

/*
 * The machine's memory and swap for a memcg's measurement: as the tick's
 * measurement of the machine read them, when that was within
 * MEMINFO_REUSE_MS (the tick measures the machine first, then its memcgs).
 */
static int measure_meminfo_recent(struct proc_backend *pb, struct lrg_pressure *p)
{
	uint64_t now = p->now_ms;

	if (pb->meminfo_ms && now >= pb->meminfo_ms && now - pb->meminfo_ms < MEMINFO_REUSE_MS) {
		*p = pb->meminfo;
		p->now_ms = now;
		return 0;
	}
	return measure_meminfo(pb, p);
}

static int measure_machine(struct proc_backend *pb, struct lrg_pressure *p)
{
	struct lrg_vmstat vs;
	struct lrg_psi psi;
	uint64_t now = lrg_mono_ms();
	int r;

	r = measure_meminfo(pb, p);
	if (r < 0)
		return r;
	pb->meminfo = *p;
	pb->meminfo_ms = p->now_ms ? p->now_ms : 1;
	if (!pb->wm_ms || now - pb->wm_ms >= WATERMARKS_TTL_MS) {
		pb->wm_ok = lrg_procfs_read_zoneinfo(pb->proc_root, &pb->wm) == 0;
		pb->wm_ms = now ? now : 1;
	}
	if (pb->wm_ok) {
		p->watermark_low = pb->wm.low_pages * LRG_PAGE_SIZE;
		p->watermark_high = pb->wm.high_pages * LRG_PAGE_SIZE;
	}
	/* No PSI (CONFIG_PSI=n or psi=0): the figures stay 0. */
	r = pb->no_psi ? -ENOENT :
			 lrg_kept_file_read(&pb->psi_file, pb->machine_buf, sizeof(pb->machine_buf), NULL);
	if (r == 0)
		r = lrg_parse_psi(pb->machine_buf, &psi);
	pb->no_psi = r == -ENOENT;
	if (r == 0) {
		p->psi_some_avg10 = psi.some_avg10;
		p->psi_full_avg10 = psi.full_avg10;
		p->psi_some_total_us = psi.some_total_us;
		p->psi_full_total_us = psi.full_total_us;
	}
	r = lrg_kept_file_read(&pb->vmstat_file, pb->machine_buf, sizeof(pb->machine_buf), NULL);
	if (r == 0)
		r = lrg_parse_vmstat(pb->machine_buf, &vs);
	if (r < 0)
		return r;
	p->pgscan = vs.pgscan;
	p->pgsteal = vs.pgsteal;
	p->refaults = vs.refaults;
	p->oom_kills = vs.oom_kill;
	return 0;
}

static int proc_protect(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes)
{
	struct proc_backend *pb = to_pb(b);
	const char *path;
	int r;

	r = memcg_path(pb, memcg_id, &path);
	if (r < 0)
		return r;
	return lrg_cgroup_set_min(pb->cg->root, path, bytes);
}

static int measure(struct lrg_backend *b, uint64_t memcg_id, bool charge_only,
		   struct lrg_pressure *ret)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_pressure p = { 0 };
	struct lrg_vmstat vs;
	struct lrg_psi psi;
	const char *path;
	int r;

	p.now_ms = lrg_mono_ms();
	/* LRG_ROOT_MEMCG is the machine on every host (the policy's global
	 * OOM domain), with or without a cgroup2 memory controller. */
	if (memcg_id == LRG_ROOT_MEMCG)
		goto machine;
	r = memcg_path(pb, memcg_id, &path);
	if (r < 0)
		return r;
	if (!strcmp(path, "/"))
		goto machine;  /* the root memcg is the machine */
	/* a memcg's own figures replace the machine's watermarks, PSI and
	 * reclaim counters: of the machine only memory and swap are read */
	r = measure_meminfo_recent(pb, &p);
	if (r < 0)
		return r;
	r = lrg_cgroup_tree_read_usage(pb->cg, memcg_id, p.now_ms, &p.usage, &p.limit);
	if (r < 0)
		return r;
	if (p.limit > p.mem_total)
		p.limit = p.mem_total;
	p.watermark_low = p.watermark_high = 0;
	/* The memcg's own figures replace the machine's; a file that is
	 * missing (no PSI) leaves 0 rather than the machine's numbers. */
	memset(&psi, 0, sizeof(psi));
	if (!pb->no_psi && !charge_only)
		(void)lrg_cgroup_tree_read_pressure(pb->cg, memcg_id, &psi);
	p.psi_some_avg10 = psi.some_avg10;
	p.psi_full_avg10 = psi.full_avg10;
	p.psi_some_total_us = psi.some_total_us;
	p.psi_full_total_us = psi.full_total_us;
	/* counters of 0 would read as a memcg whose history began now */
	r = lrg_cgroup_tree_read_stat(pb->cg, memcg_id, !charge_only, &vs);
	if (r < 0)
		return r;
	p.pgscan = vs.pgscan;
	p.pgsteal = vs.pgsteal;
	p.refaults = vs.refaults;
	p.oom_kills = vs.oom_kill;
	*ret = p;
	return 0;
machine:
	r = measure_machine(pb, &p);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

static int proc_measure_meminfo(struct lrg_backend *b, struct lrg_pressure *ret)
{
	struct proc_backend *pb = to_pb(b);
	struct lrg_pressure p = { .now_ms = lrg_mono_ms() };
	int r = measure_meminfo(pb, &p);

	if (r < 0)
		return r;
	/* the memcgs measured next reuse it (measure_meminfo_recent) */
	pb->meminfo = p;
	pb->meminfo_ms = p.now_ms ? p.now_ms : 1;
	*ret = p;
	return 0;
}

static int proc_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	return measure(b, memcg_id, false, ret);
}

static int proc_measure_charge(struct lrg_backend *b, uint64_t memcg_id,
			       struct lrg_pressure *ret)
{
	return measure(b, memcg_id, true, ret);
}

static int proc_kill(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	struct proc_backend *pb = to_pb(b);
	_cleanup_close_ int pidfd = -1;
	int r;

	if (req->whole_cgroup) {
		const char *path;

		r = memcg_path(pb, req->memcg_id, &path);
		if (r < 0)
			return r;
		if (!strcmp(path, "/"))
			return -EPERM;  /* never the whole machine */
		return lrg_cgroup_kill(pb->cg->root, path);
	}
	pidfd = lrg_pidfd_open(req->pid);
	if (pidfd < 0)
		return pidfd;
	/* The pid number can be reused once the process is reaped, even with
	 * our pidfd held: read the start time, then check the pidfd's process
	 * is still alive, so the stat we read was its own. */
	r = check_owner(pb, req->pid, req->start_time);
	if (r == 0)
		r = lrg_pidfd_send_signal(pidfd, 0);
	if (r == 0)
		r = lrg_pidfd_send_signal(pidfd, SIGKILL);
	if (r == 0 && req->release) {
		/* Reap its memory now rather than when the exit path gets to it.
		 * ESRCH/EINVAL: already gone or not dying yet; the kill stands. */
		int rr = lrg_process_mrelease(pidfd);

		if (rr < 0 && rr != -ESRCH && rr != -EINVAL && rr != -ENOSYS)
			log_debug("process_mrelease(%d): %s", (int)req->pid, strerror(-rr));
	}
	return r;
}

static uint64_t proc_now_ms(struct lrg_backend *b)
{
	return lrg_mono_ms();
}

static void proc_destroy(struct lrg_backend *b)
{
	struct proc_backend *pb = to_pb(b);

	for (int i = 0; i < 2; i++)
		scratch_free(pb->scratch[i], pb->scratch_bytes[i]);
	lrg_kept_file_close(&pb->meminfo_file);
	lrg_kept_file_close(&pb->vmstat_file);
	lrg_kept_file_close(&pb->psi_file);
	lrg_cgroup_tree_free(pb->cg);
	lrg_kthreads_free(&pb->kthreads);
	free(pb);
}

static const struct lrg_backend_ops proc_ops = {
	.name = "proc",
	.accuracy = "proc: VMA-granular aging from smaps Referenced (overestimates the working set); "
		    "clear_refs also resets the kernel's own reference info",
	.list_memcgs = proc_list_memcgs,
	.list_memcg_paths = proc_list_memcg_paths,
	.list_mms = proc_list_mms,
	.harvest = proc_harvest,
	.evict = proc_evict,
	.reclaim = proc_reclaim,
	.protect = proc_protect,
	.measure = proc_measure,
	.measure_charge = proc_measure_charge,
	.measure_meminfo = proc_measure_meminfo,
	.kill = proc_kill,
	.now_ms = proc_now_ms,
	.destroy = proc_destroy,
};

int lrg_proc_backend_open(const char *proc_root, const char *cgroup_root,
			  struct lrg_backend **ret, char *why, size_t whylen)
{
	struct proc_backend *pb;
	char path[PATH_MAX], mnt[PATH_MAX];
	struct stat st;
	int r;

	if (!proc_root)
		proc_root = "/proc";
	if (strlen(proc_root) >= sizeof(pb->proc_root))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/self/stat", proc_root);
	if (stat(path, &st) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s is not a mounted procfs: %s", proc_root, strerror(-r));
		return r;
	}
	if (!cgroup_root) {
		snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
		r = lrg_cgroup_find_v2_mount(path, mnt, sizeof(mnt));
		/* No cgroup2 at all: the tree below comes out global. */
		cgroup_root = r == 0 ? mnt : "/nonexistent-cgroup2";
	}
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	strcpy(pb->proc_root, proc_root);
	snprintf(path, sizeof(path), "%s/meminfo", proc_root);
	r = lrg_kept_file_init(&pb->meminfo_file, path);
	snprintf(path, sizeof(path), "%s/vmstat", proc_root);
	r = r < 0 ? r : lrg_kept_file_init(&pb->vmstat_file, path);
	snprintf(path, sizeof(path), "%s/pressure/memory", proc_root);
	r = r < 0 ? r : lrg_kept_file_init(&pb->psi_file, path);
	if (r < 0) {
		snprintf(why, whylen, "proc root %s: path too long", proc_root);
		free(pb);
		return r;
	}
	pb->clk_tck = sysconf(_SC_CLK_TCK);
	pb->kpage_pages = sysconf(_SC_PAGESIZE) > (long)LRG_PAGE_SIZE ?
		(uint64_t)sysconf(_SC_PAGESIZE) / LRG_PAGE_SIZE : 1;
	if (pb->clk_tck <= 0)
		pb->clk_tck = 100;
	r = lrg_cgroup_tree_open(cgroup_root, &pb->cg);
	if (r < 0) {
		snprintf(why, whylen, "cannot read cgroups at %s: %s", cgroup_root, strerror(-r));
		free(pb);
		return r;
	}
	if (pb->cg->global) {
		log_notice("proc backend: %s: %s", pb->cg->root, pb->cg->why);
	} else {
		snprintf(path, sizeof(path), "%s/memory.reclaim", pb->cg->root);
		pb->has_reclaim = access(path, W_OK) == 0;
		/* The root may lack it where children have it: check one child. */
		for (size_t i = 0; !pb->has_reclaim && i < pb->cg->n; i++) {
			if (!strcmp(pb->cg->v[i].path, "/"))
				continue;
			snprintf(path, sizeof(path), "%s%s/memory.reclaim", pb->cg->root,
				 pb->cg->v[i].path);
			pb->has_reclaim = access(path, W_OK) == 0;
			break;
		}
	}
	pb->b.ops = &proc_ops;
	pb->b.caps = LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_KILL |
		     (pb->cg->global ? 0 : LRG_CAP_MEMCG) |
		     (pb->has_reclaim ? LRG_CAP_RECLAIM : 0);
	*ret = &pb->b;
	return 0;
}
