/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pagemap.h - the per-page generation the kernel keeps in folio->flags,
 * kept in user space: per mm, a hash of PMD regions, each holding a uint16
 * seq per page (0 = not tracked) and an anon bitmap.
 *
 * Stored seqs are encoded modulo 65535 (+1, so 0 stays "not tracked") and
 * decoded relative to max_seq: a stored value stands for the seq at most
 * 65534 generations below max_seq. A page whose stored seq is below
 * min_seq[type] counts as in min_seq (the generation it was in was merged
 * forward by inc_min_seq; see lruvec.h). lrg_pagemap_renormalise() rewrites
 * such stale values to min_seq; the policy runs it at least every
 * LRG_PM_RENORM_GENS generations, far inside the 65534 window, so a stale
 * value is never read as a young one. Regions touched by a harvest are
 * renormalised in passing.
 *
 * Memory: sized to the pages actually tracked. A region is a 32-byte slot
 * in the per-mm array (hashed by address) plus, while it tracks pages, one
 * allocation holding an 8-byte header, the non-zero 64-bit words of its
 * tracked and anon bitmaps (a word absent is all zero), and a packed uint16
 * seq per tracked page, in address order (rank = tracked pages below):
 * ~1.2 KiB for a full 2 MiB region, ~80 bytes for one with 30 pages in one
 * run (a sleeping process's libc, stack or heap). The seq array keeps a
 * little slack (LRG_PM_SLACK slots) so that pages coming and going do not
 * reallocate at every harvest, and is shrunk when it is much too big.
 *
 * Regions are added only while harvesting (aging) and only when may_grow
 * is set: a region that empties goes on the free list (its page allocation
 * freed, the 32-byte slot kept) and is reused before the array grows, so a
 * process that maps and unmaps repeatedly does not grow the map. The
 * eviction path (collect/forget/sweep) never allocates: it only reads and
 * removes entries. An update of a region already tracked (look-around in
 * direct reclaim, may_grow clear) may enlarge that region's packed array by
 * a few slots when new pages appear in it; if that allocation fails, the
 * update changes nothing and returns -ENOSPC, as for an untracked region.
 */
#ifndef LRG_PAGEMAP_H
#define LRG_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lruvec.h"

#define LRG_PM_RENORM_GENS 16384U
#define LRG_PM_NIL UINT32_MAX
/* Packed seq slots are allocated in multiples of this (and freed back to it). */
#define LRG_PM_SLACK 8U

/*
 * The pages of one region: only allocated while it tracks some. words[]
 * holds the tracked words present in tmask (bit w: word w of the tracked
 * bitmap is stored), then the anon words present in amask (anon bits are
 * meaningful for tracked pages only), then the seqs as uint16_t.
 */
struct lrg_pm_pages {
	uint8_t tmask, amask;
	uint8_t ntw, naw;                  /* popcounts of tmask, amask */
	uint32_t pad;
	uint64_t words[];
};

struct lrg_pm_region {
	uint64_t addr;       /* PMD aligned; UINT64_MAX when on the free list */
	uint32_t next;       /* hash chain, or free list */
	uint32_t seen;       /* epoch of the last harvest that reported it */
	uint32_t want;       /* epoch of the last harvest that asked for it */
	uint16_t nr;         /* tracked pages */
	uint16_t bytes;      /* allocated at pages */
	struct lrg_pm_pages *pages;  /* NULL when bytes == 0 */
};

struct lrg_pagemap {
	struct lrg_pm_region *regions;
	uint32_t nr_used;    /* slots ever used (high water mark) */
	uint32_t cap;
	uint32_t nr_live;
	uint32_t free_head;
	uint32_t *buckets;
	uint32_t nr_buckets; /* power of two */
	uint64_t nr_pages[LRG_NR_TYPES]; /* tracked pages of this mm */
	uint64_t renorm_seq; /* max_seq at the last renormalisation */
};

/* Where a collect stopped (eviction works in preallocated batches). */
struct lrg_pm_cursor {
	uint32_t region;
	uint32_t page;
};

void lrg_pagemap_init(struct lrg_pagemap *pm);
/* Drop every page (subtracting them from lv) and free the memory. */
void lrg_pagemap_release(struct lrg_pagemap *pm, struct lrg_lruvec *lv);

/*
 * folio_update_gen for one harvested region: young present pages go to
 * max_seq, newly seen old ones to min_seq of their type, tracked pages no
 * longer present are dropped (only of types in types_mask, 1 << type: the
 * types the harvest looked at). Adjusts lv's counts. ret_young/ret_total
 * (present pages) feed suitable_to_scan. -ENOSPC if the region is not
 * tracked yet and !may_grow (nothing changed), -ENOMEM.
 */
int lrg_pagemap_update(struct lrg_pagemap *pm, struct lrg_lruvec *lv, const struct lrg_region *r,
		       uint32_t epoch, unsigned int types_mask, bool may_grow,
		       unsigned int *ret_young, unsigned int *ret_total);

/* Note that the harvest of epoch asked for the region at addr. */
void lrg_pagemap_mark_wanted(struct lrg_pagemap *pm, uint64_t addr, uint32_t epoch);
/*
 * After a complete harvest of epoch: regions it asked for (all regions if
 * whole) that it did not report have no present pages any more: drop their
 * pages of the types in types_mask.
 */
void lrg_pagemap_sweep(struct lrg_pagemap *pm, struct lrg_lruvec *lv, uint32_t epoch,
		       bool whole, unsigned int types_mask);

struct lrg_pm_region *lrg_pagemap_find(const struct lrg_pagemap *pm, uint64_t addr);
/* A page's type and effective seq; false if it is not tracked. */
bool lrg_pagemap_page(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv, uint64_t addr,
		      int *ret_type, uint64_t *ret_seq);

/*
 * Collect page ranges of type whose effective seq is seq into buf (at most
 * cap), starting at *cur, coalescing adjacent pages. Returns the number of
 * ranges; *ret_pages the pages in them. Done when *cur reaches the end
 * (lrg_pagemap_cursor_done). Never allocates.
 */
size_t lrg_pagemap_collect(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv, int type,
			   uint64_t seq, struct lrg_range *buf, size_t cap,
			   struct lrg_pm_cursor *cur, uint64_t *ret_pages);
bool lrg_pagemap_cursor_done(const struct lrg_pagemap *pm, const struct lrg_pm_cursor *cur);
/*
 * Stop tracking the pages of type in ranges (evicted); returns how many.
 * Emptied regions are freed unless keep_empty: a region the backend could
 * not fully evict stays known (empty), so the next aging, which walks only
 * known regions in the Bloom filter, finds the survivors again.
 */
uint64_t lrg_pagemap_forget(struct lrg_pagemap *pm, struct lrg_lruvec *lv, int type,
			    const struct lrg_range *ranges, size_t nr, bool keep_empty);

void lrg_pagemap_renormalise(struct lrg_pagemap *pm, const struct lrg_lruvec *lv);

/* Bytes this map has allocated (slots, buckets, page arrays): for tests. */
size_t lrg_pagemap_bytes(const struct lrg_pagemap *pm);

/* Add this map's pages per generation slot and type into counts (tests). */
void lrg_pagemap_count(const struct lrg_pagemap *pm, const struct lrg_lruvec *lv,
		       int64_t counts[LRG_MAX_NR_GENS][LRG_NR_TYPES]);

static inline bool lrg_pm_region_live(const struct lrg_pm_region *r)
{
	return r->addr != UINT64_MAX;
}

#endif /* LRG_PAGEMAP_H */
