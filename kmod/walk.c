// SPDX-License-Identifier: GPL-2.0-only
/*
 * walk.c - the page table walk of a harvest, after the seeds' aging walk
 * (walk_pmd_range, walk_pte_range, should_skip_vma), with the inline
 * pgd/p4d/pud/pmd/pte helpers because walk_page_range and
 * ptep_test_and_clear_young are not exported to modules.
 *
 * Locking: the mmap lock is only try-locked for read, and only for one
 * step (one buffer of regions); between PMD entries the walk lets go of it
 * when a writer waits for it (mmap_lock_is_contended()) or a reschedule is
 * due, and goes on if it can take it again at once (else the harvest is
 * CONTENDED, and resumable from NEXT_ADDR). PTE tables are walked under
 * their PTE lock, PMD-mapped THPs under the PMD lock (a batch of them under
 * one hold). Nothing here allocates; it sleeps only in cond_resched(),
 * without the mmap lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/memcontrol.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/pagemap.h>
#include <linux/page_idle.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/smp.h>
#ifdef CONFIG_X86
#include <asm/tlbflush.h>
#endif

#include "compat.h"
#include "lrugen.h"

/* The seeds' should_skip_vma(): VMAs whose pages aging must not touch. */
static bool lrugen_should_skip_vma(const struct lrugen_walk *walk, struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma_is_accessible(vma) || is_vm_hugetlb_page(vma) ||
	    (vma->vm_flags & (VM_LOCKED | VM_SPECIAL | VM_SEQ_READ | VM_RAND_READ)))
		return true;

	if (vma_is_anonymous(vma))
		return walk->flags & LRUGEN_F_NO_ANON;

	if (!vma->vm_file || !vma->vm_file->f_mapping)
		return true;

	mapping = vma->vm_file->f_mapping;
	if (mapping_unevictable(mapping))
		return true;

	/* shmem needs swap, as anon memory does */
	if (shmem_mapping(mapping))
		return walk->flags & LRUGEN_F_NO_ANON;

	/*
	 * Special mappings (DAX and the like) have no page cache to reclaim;
	 * MGLRU tells them by a missing ->read_folio. ->writepage is no sign:
	 * file systems that write back through ->writepages alone (9p on
	 * netfs in 6.12, for one) have none, and their folios are reclaimed
	 * all the same (dirty ones once the flusher threads wrote them).
	 */
	return !mapping->a_ops->read_folio;
}

/* Is this folio one the request is about? Called under the PTE or PMD lock. */
static bool lrugen_folio_wanted(const struct lrugen_walk *walk, struct folio *folio)
{
	/* zero pages and folios being truncated or freed have no mapping */
	if (!READ_ONCE(folio->mapping))
		return false;

	if ((walk->flags & LRUGEN_F_NO_ANON) && folio_test_swapbacked(folio))
		return false;

	return !walk->memcg || folio_memcg(folio) == walk->memcg;
}

static bool lrugen_folio_is_anon(struct folio *folio)
{
	/* anon, or shmem: both need swap to be evicted */
	return folio_test_anon(folio) || folio_test_swapbacked(folio);
}

/* The seeds carry the dirty bit to the folio so reclaim writes it back. */
static void lrugen_carry_dirty(struct folio *folio, bool dirty)
{
	if (dirty && !folio_test_dirty(folio) &&
	    !(folio_test_anon(folio) && folio_test_swapbacked(folio) &&
	      !folio_test_swapcache(folio)))
		folio_mark_dirty(folio);
}

/*
 * The region holding addr: the last one if it is the same, else a new one
 * (sparse for a THP: its bitmaps are not even cleared).
 */
static struct lrugen_region *lrugen_region_get(struct lrugen_walk *walk, unsigned long addr,
					       bool sparse)
{
	unsigned long raddr = addr & PMD_MASK;
	struct lrugen_region *reg;

	if (walk->nr_regions && walk->regions[walk->nr_regions - 1].addr == raddr &&
	    walk->regions[walk->nr_regions - 1].count == 1)
		return &walk->regions[walk->nr_regions - 1];

	/* lrugen_walk_pause() keeps a free slot for every new region */
	reg = &walk->regions[walk->nr_regions++];
	reg->addr = raddr;
	reg->huge = false;
	reg->sparse = sparse;
	reg->all = 0;
	reg->count = 1;
	if (!sparse) {
		bitmap_zero(reg->present, LRUGEN_REGION_PAGES);
		bitmap_zero(reg->young, LRUGEN_REGION_PAGES);
		bitmap_zero(reg->anon, LRUGEN_REGION_PAGES);
	}
	return reg;
}

/* Fill in the bitmaps of a sparse region (never seen: a THP and PTEs in one region). */
static void lrugen_region_expand(struct lrugen_region *reg)
{
	unsigned long *maps[] = { reg->present, reg->young, reg->anon };
	static const unsigned int bit[] = { LRUGEN_RA_PRESENT, LRUGEN_RA_YOUNG, LRUGEN_RA_ANON };
	unsigned int i;

	if (!reg->sparse)
		return;
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		if (reg->all & bit[i])
			bitmap_fill(maps[i], LRUGEN_REGION_PAGES);
		else
			bitmap_zero(maps[i], LRUGEN_REGION_PAGES);
	}
	reg->sparse = false;
	reg->all = 0;
}

/*
 * The generation bump of one young folio: folio_mark_accessed(), once per
 * folio (a second call would activate a large folio at once). A folio that
 * is already active and referenced is left alone: folio_mark_accessed()
 * would not change it (on the classic LRU it only activates a referenced
 * inactive folio; MGLRU's lists keep PG_active clear, so its folios are
 * always passed on, to folio_inc_refs()); with page idle tracking, an idle
 * folio is passed on too, to lose its idle flag.
 */
static void lrugen_bump(struct lrugen_walk *walk, struct folio *folio, struct folio **last)
{
	if (folio == *last)
		return;
	*last = folio;
	if (folio_test_active(folio) && folio_test_referenced(folio) && !folio_test_idle(folio))
		return;
	folio_mark_accessed(folio);
	walk->stats.bumped++;
}

/*
 * The entries [start, end) of the PTE table the PMD entry at pmdp (in the
 * page table, never a copy: see lrugen_pte_map_lock()) points to, if it
 * still points to one.
 */
static void lrugen_walk_pte_range(struct lrugen_walk *walk, pmd_t *pmdp,
				  unsigned long start, unsigned long end)
{
	struct lrugen_region *reg = NULL;
	struct folio *last = NULL, *seen = NULL;
	bool seen_wanted = false, seen_anon = false, other_young = false;
	unsigned long addr;
	spinlock_t *ptl;
	pte_t *base, *pte;
	pmd_t table;
	bool harvest = walk->mode == LRUGEN_WALK_HARVEST;
	bool bump = !harvest || !(walk->flags & LRUGEN_F_NO_BUMP);

	/*
	 * Every page an anonymous VMA maps is anon, and mapped (the zero page
	 * aside): without a memcg filter an old entry is reported without
	 * looking at its page at all, as MGLRU's aging does not either; with
	 * one, only the page's memcg is looked at.
	 */
	bool fast = harvest && walk->vma && vma_is_anonymous(walk->vma);
	/*
	 * A file VMA without an anon_vma has had no page COWed into it: every
	 * page it maps is a page cache folio of its one file, all alike in
	 * being swap backed (shmem) or not. Without a memcg filter or
	 * LRUGEN_F_NO_ANON, an old entry is then reported as the first folio
	 * of the table looked at says (rep_anon), without a look at its page
	 * (young ones still have theirs looked at, for the bump and the dirty
	 * bit). anon_vma is read under the PTE lock: a fault that COWs into
	 * this table sets it before it takes the lock.
	 */
	bool file_once = harvest && walk->vma && !fast && walk->vma->vm_file && !walk->memcg &&
			 !(walk->flags & LRUGEN_F_NO_ANON);
	bool rep = false, rep_anon = false;

	base = lrugen_pte_map_lock(walk->mm, pmdp, start, &ptl);
	if (!base)
		return;
	/* the PTE lock keeps the entry pointing to this table */
	table = lrugen_pmd_read(pmdp);
	if (file_once && READ_ONCE(walk->vma->anon_vma))
		file_once = false;

	rcu_read_lock();	/* for folio_memcg() */
	arch_enter_lazy_mmu_mode();
	for (addr = start, pte = base; addr != end; addr += PAGE_SIZE, pte++) {
		pte_t ent = lrugen_ptep_get(pte);
		unsigned long pfn = pte_pfn(ent);
		unsigned int bit;
		struct folio *folio;

		walk->stats.pte_total++;

		if (!pte_present(ent) || is_zero_pfn(pfn) || pte_special(ent) ||
		    pte_devmap(ent) || !pfn_valid(pfn))
			continue;

		if (fast) {
			folio = NULL;
			if (walk->memcg) {
				folio = page_folio(pfn_to_page(pfn));
				if (folio_memcg(folio) != walk->memcg) {
					/* young, but not this harvest's to clear */
					other_young |= pte_young(ent);
					continue;
				}
			}
			bit = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
			if (!reg) {
				reg = lrugen_region_get(walk, addr, false);
				lrugen_region_expand(reg);
			}
			__set_bit(bit, reg->present);
			__set_bit(bit, reg->anon);
			if (!pte_young(ent) || !lrugen_pte_test_and_clear_young(pte)) {
				walk->stats.pte_old++;
				continue;
			}
			__set_bit(bit, reg->young);
			walk->stats.pte_young++;
			if (bump || pte_dirty(ent)) {
				if (!folio)
					folio = page_folio(pfn_to_page(pfn));
				if (bump)
					lrugen_bump(walk, folio, &last);
				lrugen_carry_dirty(folio, pte_dirty(ent));
			}
			continue;
		}

		if (rep && !pte_young(ent)) {
			/* file_once: as the table's first page cache folio */
			bit = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
			__set_bit(bit, reg->present);
			if (rep_anon)
				__set_bit(bit, reg->anon);
			walk->stats.pte_old++;
			continue;
		}

		folio = page_folio(pfn_to_page(pfn));
		/* a PTE-mapped large folio: its memcg and kind checked once */
		if (folio != seen) {
			seen = folio;
			seen_wanted = lrugen_folio_wanted(walk, folio);
			seen_anon = seen_wanted && lrugen_folio_is_anon(folio);
			if (file_once && seen_wanted && !rep) {
				rep = true;
				rep_anon = seen_anon;
			}
		}
		if (!seen_wanted) {
			/* young, but not this harvest's to clear: see below */
			other_young |= pte_young(ent);
			continue;
		}

		if (!harvest) {
			lrugen_bump(walk, folio, &last);
			continue;
		}

		bit = (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
		if (!reg) {
			reg = lrugen_region_get(walk, addr, false);
			lrugen_region_expand(reg);
		}
		__set_bit(bit, reg->present);
		if (seen_anon)
			__set_bit(bit, reg->anon);

		if (pte_young(ent) && lrugen_pte_test_and_clear_young(pte)) {
			__set_bit(bit, reg->young);
			walk->stats.pte_young++;
			if (bump)
				lrugen_bump(walk, folio, &last);
			/* as the seeds: the dirty bit of young entries only */
			lrugen_carry_dirty(folio, pte_dirty(ent));
		} else {
			walk->stats.pte_old++;
		}
	}
	arch_leave_lazy_mmu_mode();
	rcu_read_unlock();
	lrugen_pte_unmap_unlock(base, ptl);

	/*
	 * This harvest cleared the table's non-leaf accessed bit, but left
	 * young entries of pages it is not about (another memcg, anon under
	 * NO_ANON): set the bit again, or a LRUGEN_F_YOUNG_TABLES harvest for
	 * them would skip the table; a table retracted meanwhile (file THP
	 * collapse, 6.6+) is left alone.
	 */
	if (other_young && walk->young_table == ((start & PMD_MASK) | 1)) {
		/* under the PMD lock, and only on the table just walked */
		ptl = pmd_lock(walk->mm, pmdp);
		if (pmd_present(*pmdp) && !pmd_trans_huge(*pmdp) && !pmd_bad(*pmdp) &&
		    pmd_pfn(*pmdp) == pmd_pfn(table))
			lrugen_pmd_set_young(pmdp);
		spin_unlock(ptl);
	}
}

/* Is reg a run of THPs (sparse: no bitmaps of its own) with these LRUGEN_RA_* bits? */
static bool lrugen_thp_run(const struct lrugen_region *reg, unsigned int all)
{
	return reg->sparse && reg->huge && reg->all == all;
}

/*
 * Report a PMD-mapped THP at addr with these LRUGEN_RA_* bits. A THP right
 * after a run of alike ones extends the run (compact replies only: runs
 * are LRUGEN_R_COUNT on the wire); else the THP gets a region, which may
 * start a run.
 */
static void lrugen_thp_region(struct lrugen_walk *walk, unsigned long addr, unsigned int all)
{
	struct lrugen_region *reg;

	if ((walk->flags & LRUGEN_F_COMPACT) && walk->nr_regions) {
		reg = &walk->regions[walk->nr_regions - 1];
		if (lrugen_thp_run(reg, all) &&
		    lrugen_region_last(reg) + LRUGEN_REGION_SIZE == (addr & PMD_MASK)) {
			reg->count++;
			return;
		}
	}

	reg = lrugen_region_get(walk, addr, true);
	reg->huge = true;
	if (!reg->sparse) {
		/* PTEs and a THP in one region: never seen, but kept right */
		bitmap_fill(reg->present, LRUGEN_REGION_PAGES);
		if (all & LRUGEN_RA_ANON)
			bitmap_fill(reg->anon, LRUGEN_REGION_PAGES);
		if (all & LRUGEN_RA_YOUNG)
			bitmap_fill(reg->young, LRUGEN_REGION_PAGES);
		return;
	}
	reg->all |= all;
}

/*
 * A PMD-mapped THP, not young, in an anonymous VMA, without a memcg filter:
 * all there is to report is that it is there, and that needs no lock (the
 * seeds do not lock old THPs either). A THP split or zapped since the
 * lockless read may be reported present once more: harmless. Returns
 * whether it was handled.
 */
static bool lrugen_walk_thp_old(struct lrugen_walk *walk, pmd_t val, unsigned long addr)
{
	unsigned long pfn = pmd_pfn(val);

	if (walk->mode != LRUGEN_WALK_HARVEST || pmd_young(val) || walk->memcg || !walk->vma ||
	    !vma_is_anonymous(walk->vma) || pmd_devmap(val))
		return false;
	/*
	 * The huge zero page has no mapping, and is never mapped writable: a
	 * writable entry needs no look at its page (under TCG a struct page
	 * of each THP is a TLB miss each, as good as a cache miss natively),
	 * nor at the memory section its pfn is in (pfn_valid()): a writable
	 * anonymous THP is RAM the page allocator gave out.
	 */
	if (!pmd_write(val)) {
		if (!pfn_valid(pfn))
			return false;
		if (!READ_ONCE(page_folio(pfn_to_page(pfn))->mapping))
			return true;
	}

	walk->stats.pte_total++;
	walk->stats.pte_old++;
	lrugen_thp_region(walk, addr, LRUGEN_RA_PRESENT | LRUGEN_RA_ANON);
	return true;
}

/*
 * After lrugen_walk_thp_old() reported the THP at addr as the last of a
 * run: take the old anonymous THPs right after it into the run, each with
 * no more than a look at its entry (MGLRU's aging skips old THPs just as
 * fast). Compact replies without ranges only (a run needs LRUGEN_F_COMPACT;
 * ranges are checked per entry by the caller). Stops at anything else, at
 * end, and at the work bound (which the caller's loop then meets). Returns
 * how many entries after pmdp it took.
 */
static unsigned int lrugen_walk_old_run(struct lrugen_walk *walk, pmd_t *pmdp, unsigned long addr,
					unsigned long end)
{
	struct lrugen_region *reg;
	unsigned int n = 0;

	if (!(walk->flags & LRUGEN_F_COMPACT) || walk->ranges || !walk->nr_regions)
		return 0;
	reg = &walk->regions[walk->nr_regions - 1];
	if (!lrugen_thp_run(reg, LRUGEN_RA_PRESENT | LRUGEN_RA_ANON) ||
	    lrugen_region_last(reg) != (addr & PMD_MASK))
		return 0;

	for (addr = pmd_addr_end(addr, end); addr != end; addr = pmd_addr_end(addr, end)) {
		pmd_t val = lrugen_pmd_read(++pmdp);

		if (walk->stats.pte_total >= walk->max_ptes || !pmd_present(val) ||
		    !pmd_trans_huge(val) || pmd_devmap(val) || pmd_young(val) || !pmd_write(val))
			break;
		walk->stats.pte_total++;
		walk->stats.pte_old++;
		reg->count++;
		n++;
	}
	return n;
}

/* A PMD-mapped THP: one leaf entry for the whole region. The caller holds the PMD lock. */
static void lrugen_walk_thp(struct lrugen_walk *walk, pmd_t *pmdp, unsigned long addr)
{
	struct folio *folio, *last = NULL;
	unsigned int all;
	unsigned long pfn;
	pmd_t val;

	val = *pmdp;
	/* split or zapped since the lockless read: leave it to the next harvest */
	if (!pmd_present(val) || !pmd_trans_huge(val) || pmd_devmap(val))
		return;

	pfn = pmd_pfn(val);
	if (!pfn_valid(pfn))
		return;

	walk->stats.pte_total++;

	rcu_read_lock();
	folio = page_folio(pfn_to_page(pfn));
	if (!lrugen_folio_wanted(walk, folio))
		goto unlock_rcu;

	if (walk->mode != LRUGEN_WALK_HARVEST) {
		lrugen_bump(walk, folio, &last);
		goto unlock_rcu;
	}

	all = LRUGEN_RA_PRESENT;
	if (lrugen_folio_is_anon(folio))
		all |= LRUGEN_RA_ANON;

	if (pmd_young(val) && lrugen_pmd_test_and_clear_young(pmdp)) {
		all |= LRUGEN_RA_YOUNG;
		walk->stats.pte_young++;
		if (!(walk->flags & LRUGEN_F_NO_BUMP))
			lrugen_bump(walk, folio, &last);
		/* as the seeds: the dirty bit of young entries only */
		lrugen_carry_dirty(folio, pmd_dirty(val));
	} else {
		walk->stats.pte_old++;
	}
	lrugen_thp_region(walk, addr, all);
unlock_rcu:
	rcu_read_unlock();
}

/* Skip the ranges that end at or below addr (addresses only ever grow). */
static void lrugen_advance_ranges(struct lrugen_walk *walk, unsigned long addr)
{
	while (walk->range_idx < walk->nr_ranges && walk->ranges[walk->range_idx].end <= addr)
		walk->range_idx++;
}

static bool lrugen_overlaps_ranges(const struct lrugen_walk *walk, unsigned long start,
				   unsigned long end)
{
	unsigned int i;

	if (!walk->ranges)
		return true;
	for (i = walk->range_idx; i < walk->nr_ranges && walk->ranges[i].start < end; i++)
		if (walk->ranges[i].end > start)
			return true;
	return false;
}

/* Walk the parts of [start, end) (within one PTE table) that are in ranges. */
static void lrugen_walk_pieces(struct lrugen_walk *walk, pmd_t *pmdp,
			       unsigned long start, unsigned long end)
{
	unsigned int i;

	if (!walk->ranges) {
		lrugen_walk_pte_range(walk, pmdp, start, end);
		return;
	}

	for (i = walk->range_idx; i < walk->nr_ranges && walk->ranges[i].start < end; i++) {
		unsigned long s = max_t(unsigned long, start, walk->ranges[i].start);
		unsigned long e = min_t(unsigned long, end, walk->ranges[i].end);

		if (s < e)
			lrugen_walk_pte_range(walk, pmdp, s, e);
	}
}

/*
 * Stop before the PMD entry at addr if the work bound is reached or the
 * region buffer has no slot left for a new region. Stopping only between
 * regions keeps each region reported once per harvest. A yield may stop
 * within a region: its buffer stays as it is, and the walk goes on filling
 * it.
 */
static int lrugen_walk_pause(struct lrugen_walk *walk, unsigned long addr)
{
	if (walk->stats.pte_total >= walk->max_ptes) {
		walk->next_addr = addr;
		return LRUGEN_WALK_BOUND;
	}

	/* as MGLRU's walk: a page fault must not wait behind a long walk */
	if (walk->held_pmds++ && (mmap_lock_is_contended(walk->mm) || need_resched())) {
		walk->next_addr = addr;
		return LRUGEN_WALK_YIELD;
	}

	if (walk->mode == LRUGEN_WALK_HARVEST && walk->nr_regions >= walk->max_regions &&
	    (!walk->nr_regions ||
	     lrugen_region_last(&walk->regions[walk->nr_regions - 1]) != (addr & PMD_MASK)) &&
	    (!walk->flush || walk->flush(walk))) {
		walk->next_addr = addr;
		return LRUGEN_WALK_FULL;
	}

	return LRUGEN_WALK_DONE;
}

/*
 * PMD-mapped THPs that need the PMD lock (young ones, or any with a memcg
 * filter) are taken in batches of at most this many under one hold of the
 * lock (the lock of the PMD table, the same for all its entries), as MGLRU's
 * walk_pmd_range_locked() does; the lock is let go between batches, for a
 * flush of the region buffer, and before a PTE table.
 */
#define LRUGEN_THP_BATCH 32

static void lrugen_thp_unlock(spinlock_t **ptl)
{
	if (*ptl) {
		spin_unlock(*ptl);
		*ptl = NULL;
	}
}

static int lrugen_walk_pmd_range(struct lrugen_walk *walk, pud_t *pud,
				 unsigned long addr, unsigned long end)
{
	bool harvest = walk->mode == LRUGEN_WALK_HARVEST;
	bool young_only = harvest && (walk->flags & LRUGEN_F_YOUNG_TABLES) && LRUGEN_HAS_NONLEAF_YOUNG;
	bool nonleaf = harvest && (walk->flags & (LRUGEN_F_NONLEAF | LRUGEN_F_YOUNG_TABLES)) &&
		       LRUGEN_HAS_NONLEAF_YOUNG;
	spinlock_t *ptl = NULL;		/* the PMD lock, held for a batch of THPs */
	unsigned int batch = 0;
	unsigned long next;
	pmd_t *pmdp;
	int ret;

	pmdp = pmd_offset(pud, addr);
	do {
		pmd_t val;
		bool young = false;

		next = pmd_addr_end(addr, end);

		/* the buffer's flush runs without the PMD lock */
		if (ptl && (batch >= LRUGEN_THP_BATCH || walk->nr_regions >= walk->max_regions ||
			    need_resched() || spin_needbreak(ptl))) {
			lrugen_thp_unlock(&ptl);
			batch = 0;
		}

		ret = lrugen_walk_pause(walk, addr);
		if (ret != LRUGEN_WALK_DONE) {
			lrugen_thp_unlock(&ptl);
			return ret;
		}

		lrugen_advance_ranges(walk, addr);

		val = lrugen_pmd_read(pmdp);
		if (pmd_none(val)) {
			walk->idle_pmd = (addr & PMD_MASK) | 1;
			continue;
		}
		if (!pmd_present(val))
			continue;

		if (pmd_trans_huge(val) || pmd_devmap(val)) {
			if (!lrugen_overlaps_ranges(walk, addr, next))
				continue;
			if (lrugen_walk_thp_old(walk, val, addr)) {
				/* and the old ones right after it, in one go */
				unsigned int n = lrugen_walk_old_run(walk, pmdp, addr, end);

				pmdp += n;
				addr += (unsigned long)n * PMD_SIZE;
				next = pmd_addr_end(addr, end);
				continue;
			}
			if (!ptl)
				ptl = pmd_lock(walk->mm, pmdp);
			lrugen_walk_thp(walk, pmdp, addr);
			batch++;
			continue;
		}

		/* a PTE table: its own lock, and a reschedule point */
		lrugen_thp_unlock(&ptl);
		batch = 0;

		if (pmd_bad(val))
			continue;

		walk->stats.pmd_total++;

		/*
		 * The MMU set this bit when it walked through the entry since it
		 * was last cleared: something in this PTE table was accessed. A
		 * table shared by several VMAs is met once per VMA: the bit
		 * cleared at the first stands for the others.
		 */
		if (nonleaf && walk->young_table == ((addr & PMD_MASK) | 1)) {
			young = true;
		} else if (nonleaf && pmd_young(val) && lrugen_pmd_test_and_clear_young(pmdp)) {
			walk->stats.pmd_young++;
			walk->young_table = (addr & PMD_MASK) | 1;
			young = true;
		}

		if (young)
			lrugen_walk_pte_range(walk, pmdp, addr, next);
		else if (!young_only)
			lrugen_walk_pieces(walk, pmdp, addr, next);
		else
			walk->idle_pmd = (addr & PMD_MASK) | 1;
	} while (pmdp++, addr = next, addr != end);

	lrugen_thp_unlock(&ptl);
	return LRUGEN_WALK_DONE;
}

static int lrugen_walk_pud_range(struct lrugen_walk *walk, p4d_t *p4d,
				 unsigned long addr, unsigned long end)
{
	unsigned long next;
	pud_t *pud;
	int ret;

	pud = pud_offset(p4d, addr);
	do {
		pud_t val = READ_ONCE(*pud);

		next = pud_addr_end(addr, end);
		if (pud_none(val) || !pud_present(val) || pud_leaf(val) || pud_bad(val))
			continue;
		ret = lrugen_walk_pmd_range(walk, pud, addr, next);
		if (ret != LRUGEN_WALK_DONE)
			return ret;
	} while (pud++, addr = next, addr != end);

	return LRUGEN_WALK_DONE;
}

static int lrugen_walk_p4d_range(struct lrugen_walk *walk, pgd_t *pgd,
				 unsigned long addr, unsigned long end)
{
	unsigned long next;
	p4d_t *p4d;
	int ret;

	p4d = p4d_offset(pgd, addr);
	do {
		p4d_t val = READ_ONCE(*p4d);

		next = p4d_addr_end(addr, end);
		if (p4d_none(val) || p4d_bad(val))
			continue;
		ret = lrugen_walk_pud_range(walk, p4d, addr, next);
		if (ret != LRUGEN_WALK_DONE)
			return ret;
	} while (p4d++, addr = next, addr != end);

	return LRUGEN_WALK_DONE;
}

static int lrugen_walk_pgd_range(struct lrugen_walk *walk, unsigned long addr, unsigned long end)
{
	unsigned long next;
	pgd_t *pgd;
	int ret;

	pgd = pgd_offset(walk->mm, addr);
	do {
		pgd_t val = READ_ONCE(*pgd);

		next = pgd_addr_end(addr, end);
		/* pgd_none_or_clear_bad() does not link: pgd_clear_bad is not exported */
		if (pgd_none(val) || pgd_bad(val))
			continue;
		ret = lrugen_walk_p4d_range(walk, pgd, addr, next);
		if (ret != LRUGEN_WALK_DONE)
			return ret;
	} while (pgd++, addr = next, addr != end);

	return LRUGEN_WALK_DONE;
}

/*
 * VMA by VMA from walk->next_addr. With ranges and without NONLEAF only the
 * ranges are visited; with NONLEAF (or no ranges) the whole address space,
 * and lrugen_walk_pmd_range() decides per PTE table.
 */
static int lrugen_walk_vmas(struct lrugen_walk *walk)
{
	bool whole = !walk->ranges ||
		     (walk->mode == LRUGEN_WALK_HARVEST &&
		      (walk->flags & (LRUGEN_F_NONLEAF | LRUGEN_F_YOUNG_TABLES)));
	bool young_only = walk->mode == LRUGEN_WALK_HARVEST &&
			  (walk->flags & LRUGEN_F_YOUNG_TABLES) && LRUGEN_HAS_NONLEAF_YOUNG;
	unsigned long addr = walk->next_addr;
	/*
	 * The maple tree is walked on from one VMA to the next, not searched
	 * from its root for each (find_vma()): the iterator is set again only
	 * when the walk jumps (to the next range, or on within a VMA).
	 */
	VMA_ITERATOR(vmi, walk->mm, addr);
	unsigned long iter_at = addr;	/* where vmi stands: vma_find() goes on from there */

	for (;;) {
		struct vm_area_struct *vma;
		unsigned long end;
		int ret;

		if (!whole) {
			lrugen_advance_ranges(walk, addr);
			if (walk->range_idx >= walk->nr_ranges)
				break;
			addr = max_t(unsigned long, addr, walk->ranges[walk->range_idx].start);
		}

		if (addr != iter_at)
			vma_iter_init(&vmi, walk->mm, addr);
		vma = vma_find(&vmi, ULONG_MAX);
		if (!vma)
			break;
		iter_at = vma->vm_end;

		if (!whole && vma->vm_start >= walk->ranges[walk->range_idx].end) {
			/* nothing mapped in this range: on to the next one */
			addr = walk->ranges[walk->range_idx].end;
			continue;
		}

		addr = max(addr, vma->vm_start);
		end = vma->vm_end;
		if (!whole)
			end = min_t(unsigned long, end, walk->ranges[walk->range_idx].end);

		/*
		 * Small VMAs share PMD entries (a library's text, data and
		 * relro): one within a PMD entry the walk just found empty or
		 * not young has nothing to walk either, nor is its bit cleared
		 * (a table the MMU marks young meanwhile is walked next time).
		 */
		if (young_only && walk->idle_pmd == ((addr & PMD_MASK) | 1) &&
		    ((end - 1) & PMD_MASK) == (addr & PMD_MASK)) {
			addr = end;
			continue;
		}

		if (!lrugen_should_skip_vma(walk, vma)) {
			walk->vma = vma;
			ret = lrugen_walk_pgd_range(walk, addr, end);
			if (ret != LRUGEN_WALK_DONE)
				return ret;
		}
		addr = end;
		if (!addr)	/* rounded-up boundaries can wrap to 0 */
			break;
	}

	walk->next_addr = 0;
	return LRUGEN_WALK_DONE;
}

#ifdef CONFIG_X86
static void lrugen_flush_this_tlb(void *unused)
{
	__flush_tlb_all();
}

/*
 * x86 clears an accessed bit without a TLB flush (as MGLRU's walks and the
 * kernel's reclaim do), and a CPU that still caches the translation does
 * not set the bit again when the page is used. With PCID a translation
 * outlives context switches, so a small hot set (a UI's) can stay cached
 * across harvests, read as idle each time, and lose its protection; so can
 * any set under an emulator's large software TLB. The CPUs that ran the mm
 * drop their translations after a step that cleared bits, and the next use
 * of each page marks it again: one round of IPIs per step, not per page.
 * __flush_tlb_all is the one flush exported on Debian's 6.1 and 6.12.
 *
 * Not covered: a CPU that switched away from the mm has left mm_cpumask
 * but, with PCID, may keep the mm's translations under its ASID, and
 * flushes them on its return only if the mm's tlb_gen moved
 * (choose_new_asid). Bumping it (inc_mm_tlb_gen, as flush_tlb_mm_range
 * does) is kept from modules by asm/tlbflush.h. Without PCID every switch
 * flushes, and any full flush that CPU takes meanwhile (this module's IPIs
 * for another mm included) drops those translations too.
 */
static void lrugen_flush_mm_tlbs(struct mm_struct *mm)
{
	on_each_cpu_mask(mm_cpumask(mm), lrugen_flush_this_tlb, NULL, true);
}
#else
/* Other architectures: no flush; a cached translation may hide a use. */
static void lrugen_flush_mm_tlbs(struct mm_struct *mm)
{
}
#endif

/**
 * lrugen_walk_step - walk on from walk->next_addr until done or stopped
 * @walk: the walk; walk->regions must have been drained (nr_regions reset)
 *
 * Return: enum lrugen_walk_end (never LRUGEN_WALK_YIELD). For FULL,
 * CONTENDED and BOUND, walk->next_addr is where the next step starts.
 */
int lrugen_walk_step(struct lrugen_walk *walk)
{
	u64 cleared_before = walk->stats.pte_young + walk->stats.pmd_young;
	int ret;

	walk->nr_regions = 0;

	/* the caller holds mm_count only: an exiting mm is not walked */
	if (!mmget_not_zero(walk->mm))
		return LRUGEN_WALK_GONE;

	/* never wait for the mmap lock: aging must not stall page faults */
	if (!mmap_read_trylock(walk->mm)) {
		mmput_async(walk->mm);
		return LRUGEN_WALK_CONTENDED;
	}

	for (;;) {
		walk->held_pmds = 0;
		ret = lrugen_walk_vmas(walk);
		walk->vma = NULL;	/* valid under the mmap lock only */
		mmap_read_unlock(walk->mm);
		if (ret != LRUGEN_WALK_YIELD)
			break;
		walk->stats.yielded++;
		cond_resched();
		/* the writer that waited may hold the lock now: stop, resumable */
		if (!mmap_read_trylock(walk->mm)) {
			ret = LRUGEN_WALK_CONTENDED;
			break;
		}
	}

	/* a non-leaf PMD bit too: a cached paging-structure entry hides a use */
	if (walk->stats.pte_young + walk->stats.pmd_young != cleared_before)
		lrugen_flush_mm_tlbs(walk->mm);
	/* the last user of the address space, if it exited meanwhile: not here */
	mmput_async(walk->mm);
	return ret;
}
