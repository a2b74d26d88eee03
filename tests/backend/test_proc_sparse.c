// SPDX-License-Identifier: GPL-2.0-only
/*
 * The proc backend's harvest is bounded: the daemon's event loop waits on
 * it, so a sparse multi-GiB reservation (ASan shadow, V8 and Go heaps) must
 * not make it read pagemap entry by entry for minutes, and a dense huge
 * address space stops at the work bound with PARTIAL. Checked by what the
 * harvest reports, not by timing it.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends.h"
#include "tap.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

struct find {
	pid_t pid;
	struct lrg_mm_info mm;
	int found;
};

static int find_fn(void *ctx, const struct lrg_mm_info *mm)
{
	struct find *f = ctx;

	if (mm->pid == f->pid) {
		f->mm = *mm;
		f->found = 1;
	}
	return 0;
}

struct seen {
	uint64_t lo, hi;     /* the range of interest */
	uint64_t present;    /* pages reported present in it */
};

static int region_fn(void *ctx, const struct lrg_region *r)
{
	struct seen *s = ctx;

	if (r->addr < s->lo || r->addr >= s->hi)
		return 0;
	for (int i = 0; i < LRG_REGION_WORDS; i++)
		s->present += (uint64_t)__builtin_popcountll(r->present[i]);
	return 0;
}

/* A child that maps size bytes, touches every stride-th byte, reports the
 * base address through the pipe and waits to be killed. */
static pid_t child_with(uint64_t size, uint64_t stride, uint64_t *ret_base)
{
	int p[2];
	pid_t pid;
	uint64_t base = 0;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m != MAP_FAILED)
			for (uint64_t off = 0; off < size; off += stride)
				m[off] = 1;
		base = m == MAP_FAILED ? 0 : (uint64_t)(uintptr_t)m;
		if (write(p[1], &base, sizeof(base)) != sizeof(base))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &base, sizeof(base)) != sizeof(base))
		base = 0;
	close(p[0]);
	*ret_base = base;
	return pid;
}

static int harvest(struct lrg_backend *b, pid_t pid, uint64_t base, uint64_t size,
		   struct lrg_walk_stats *ws, struct seen *s)
{
	struct find f = { .pid = pid };
	int r = b->ops->list_mms(b, LRG_ROOT_MEMCG, find_fn, &f);

	if (r < 0 || !f.found)
		return r < 0 ? r : -ESRCH;
	*s = (struct seen){ .lo = base & LRG_PMD_MASK, .hi = base + size };
	return b->ops->harvest(b, &(struct lrg_harvest_req){ .mm = &f.mm }, region_fn, s, ws);
}

int main(void)
{
	struct lrg_backend *b = NULL;
	struct lrg_walk_stats ws;
	struct seen s;
	char why[256] = "";
	uint64_t base;
	pid_t pid;
	int r;

	if (geteuid() != 0) {
		skip("not root: pagemap and clear_refs of another process need it");
		return tap_done();
	}
	r = lrg_proc_backend_open("/proc", NULL, &b, why, sizeof(why));
	if (!ok(r == 0, "proc backend opens (%s)", why))
		return tap_done();

	/* 64 GiB reserved, 64 pages resident: 16M pagemap entries if walked. */
	pid = child_with(64 * GiB, GiB, &base);
	ok(pid > 0 && base, "child with a sparse 64 GiB reservation");
	r = harvest(b, pid, base, 64 * GiB, &ws, &s);
	ok(r == 0 && ws.status == LRG_HARVEST_COMPLETE,
	   "sparse reservation: harvest completes instead of walking 16M entries (r %d status %u)",
	   r, ws.status);
	ok(s.present == 0, "its few resident pages are not aged by this backend (%llu reported)",
	   (unsigned long long)s.present);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* 17 GiB, 1/16 resident (not sparse): more than the 16 GiB bound. */
	pid = child_with(17 * GiB, 16 * 4096, &base);
	ok(pid > 0 && base, "child with a dense-enough 17 GiB mapping (%llu MiB resident)",
	   (unsigned long long)(17 * GiB / 16 / MiB));
	r = harvest(b, pid, base, 17 * GiB, &ws, &s);
	ok(r == 0 && ws.status == LRG_HARVEST_PARTIAL,
	   "dense 17 GiB: the harvest stops at its work bound with PARTIAL (r %d status %u)", r,
	   ws.status);
	ok(s.present > 0 && s.present < 17 * GiB / 4096 / 16,
	   "what was walked before the bound is reported (%llu pages)",
	   (unsigned long long)s.present);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	b->ops->destroy(b);
	return tap_done();
}
