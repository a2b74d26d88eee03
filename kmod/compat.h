/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version dependency of lrugen.ko in one place.
 *
 * The module walks page tables with the inline helpers only (walk_page_range
 * and ptep_test_and_clear_young are not exported), and those helpers change
 * between releases. Keep every #if on LINUX_VERSION_CODE here.
 */
#ifndef LRUGEN_COMPAT_H
#define LRUGEN_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "lrugen.ko needs Linux 6.1 or later"
#endif

/* A lockless read of a PMD entry, stable enough to decide what it is. */
static inline pmd_t lrugen_pmd_read(pmd_t *pmdp)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	pmd_t val = pmd_read_atomic(pmdp);

	/* pmd_read_atomic() wants a barrier before the value is used */
	barrier();
	return val;
#else
	return pmdp_get_lockless(pmdp);
#endif
}

/*
 * Map and lock the PTE table a non-leaf PMD value points to. Until 6.5 this
 * cannot fail as long as the mmap lock keeps the table from being freed;
 * later kernels may return NULL when the table went away.
 */
static inline pte_t *lrugen_pte_map_lock(struct mm_struct *mm, pmd_t *pmdval,
					 unsigned long addr, spinlock_t **ret_ptl)
{
	return pte_offset_map_lock(mm, pmdval, addr, ret_ptl);
}

static inline pte_t lrugen_ptep_get(pte_t *ptep)
{
	return ptep_get(ptep);
}

/*
 * x86 clears accessed bits with a locked bit operation and without a TLB
 * flush (ptep_test_and_clear_young does the same, but is not exported): a
 * stale TLB entry only means the bit is set again a little later.
 */
#ifdef CONFIG_X86
static inline bool lrugen_pte_test_and_clear_young(pte_t *ptep)
{
	return test_and_clear_bit(_PAGE_BIT_ACCESSED, (unsigned long *)&ptep->pte);
}

static inline bool lrugen_pmd_test_and_clear_young(pmd_t *pmdp)
{
	return test_and_clear_bit(_PAGE_BIT_ACCESSED, (unsigned long *)pmdp);
}

/* Give a non-leaf PMD entry its accessed bit back (what the MMU would do). */
static inline void lrugen_pmd_set_young(pmd_t *pmdp)
{
	set_bit(_PAGE_BIT_ACCESSED, (unsigned long *)pmdp);
}
#else
#error "lrugen.ko supports x86 only (accessed bits set by the MMU)"
#endif

/* Whether non-leaf PMD entries carry an accessed bit (seeds: NONLEAF_PMD_YOUNG). */
#define LRUGEN_HAS_NONLEAF_YOUNG IS_ENABLED(CONFIG_ARCH_HAS_NONLEAF_PMD_YOUNG)

/* genl_family.resv_start_op appeared in 6.1 and is required for new families. */
#define LRUGEN_GENL_HAS_RESV_START_OP 1

#endif /* LRUGEN_COMPAT_H */
