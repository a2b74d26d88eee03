/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrugen.h - internal interfaces of lrugen.ko (netlink front end, page
 * table walk, module-wide counters). The ABI is in include/uapi/lrugen.h.
 */
#ifndef LRUGEN_H
#define LRUGEN_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <uapi/lrugen.h>

struct mm_struct;
struct mem_cgroup;

#define LRUGEN_REGION_LONGS BITS_TO_LONGS(LRUGEN_REGION_PAGES)

/*
 * One 2 MiB region as the walk fills it; the netlink side copies it out.
 * A PMD-mapped THP is "sparse": its bitmaps are not filled in (a THP is all
 * or nothing), and all (LRUGEN_RA_*) says which of them are all ones; the
 * others are all zeros.
 */
struct lrugen_region {
	unsigned long addr;
	bool huge;
	bool sparse;
	unsigned int all;		/* LRUGEN_RA_*, when sparse */
	unsigned int count;		/* sparse: this many alike regions from addr (a THP run) */
	unsigned long present[LRUGEN_REGION_LONGS];
	unsigned long young[LRUGEN_REGION_LONGS];
	unsigned long anon[LRUGEN_REGION_LONGS];
};

struct lrugen_walk_stats {
	u64 pte_total;
	u64 pte_old;
	u64 pte_young;
	u64 pmd_total;
	u64 pmd_young;
	u64 bumped;
	u64 yielded;		/* times the walk let go of the mmap lock */
};

enum lrugen_walk_mode {
	LRUGEN_WALK_HARVEST,	/* test and clear accessed bits, record regions */
	LRUGEN_WALK_BUMP,	/* folio_mark_accessed() what is in the ranges */
};

/* Why lrugen_walk_step() returned. */
enum lrugen_walk_end {
	LRUGEN_WALK_DONE,	/* every range walked */
	LRUGEN_WALK_FULL,	/* the region buffer is full: drain it, call again */
	LRUGEN_WALK_CONTENDED,	/* mmap lock busy */
	LRUGEN_WALK_GONE,	/* the mm exited */
	LRUGEN_WALK_BOUND,	/* max_ptes reached */
	/*
	 * (within lrugen_walk_step() only) a writer waits for the mmap lock,
	 * or a reschedule is due: let go of the lock, go on from next_addr
	 */
	LRUGEN_WALK_YIELD,
};

/*
 * A walk in progress. Everything it writes to is allocated by the caller
 * before the walk takes the mmap lock: the walk itself never allocates.
 */
struct lrugen_walk {
	/* set by the caller */
	struct mm_struct *mm;		/* pinned with mmgrab() */
	struct mem_cgroup *memcg;	/* NULL: no cgroup filter */
	enum lrugen_walk_mode mode;
	unsigned int flags;		/* LRUGEN_F_* */
	const struct lrugen_range *ranges;	/* sorted, NULL: everything */
	unsigned int nr_ranges;
	u64 max_ptes;
	struct vm_area_struct *vma;	/* the VMA being walked */
	struct lrugen_region *regions;	/* LRUGEN_WALK_HARVEST only */
	unsigned int max_regions;
	/*
	 * Called between PMD entries, under the mmap lock (no PTE or PMD lock)
	 * when the region buffer is full: drain it and set nr_regions to 0
	 * (return 0), or return nonzero to stop the walk with
	 * LRUGEN_WALK_FULL. Must not sleep. NULL: always stop.
	 */
	int (*flush)(struct lrugen_walk *walk);

	/* progress: where the next step starts, and what it found */
	unsigned long next_addr;
	unsigned int nr_regions;
	unsigned int range_idx;		/* first range that may still matter */
	/* the PTE table whose non-leaf accessed bit this walk cleared last: its address | 1 */
	unsigned long young_table;
	/*
	 * LRUGEN_F_YOUNG_TABLES: the last PMD entry (its address | 1) found
	 * with nothing to walk (none, or a PTE table not young): the next VMAs
	 * that lie within it are skipped at once
	 */
	unsigned long idle_pmd;
	/* PMD entries visited since the mmap lock was taken: a yield needs one */
	unsigned long held_pmds;
	struct lrugen_walk_stats stats;
};

int lrugen_walk_step(struct lrugen_walk *walk);

/* Address of the last 2 MiB region a buffered region stands for. */
static inline unsigned long lrugen_region_last(const struct lrugen_region *reg)
{
	return reg->addr + (unsigned long)(reg->count - 1) * LRUGEN_REGION_SIZE;
}

/* Module-wide counters, reported by INFO (LRUGEN_C_*). */
struct lrugen_counters {
	atomic64_t harvests;
	atomic64_t contended;
	atomic64_t gone;
	atomic64_t partial;
	atomic64_t pte_scanned;
	atomic64_t pte_young;
	atomic64_t bumped;
	atomic64_t rejected;
	atomic64_t yielded;
};

extern struct lrugen_counters lrugen_counters;

int lrugen_netlink_init(void);
void lrugen_netlink_exit(void);

#endif /* LRUGEN_H */
