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
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/magic.h>
#include <linux/pid.h>
#include <linux/string.h>
#include <net/genetlink.h>

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
 * Map and lock the PTE table the PMD entry at pmdp points to, as
 * pte_offset_map_lock() does; unmap and unlock it with
 * lrugen_pte_unmap_unlock(). NULL: no PTE table there (any more).
 *
 * Until 6.5, pte_offset_map_lock() is inline, reads *pmdp once and cannot
 * fail: a PTE table is freed only under the mmap write lock, which the
 * walk's read lock excludes.
 *
 * 6.5 made it an out-of-line function, __pte_offset_map_lock(), that is not
 * exported, and allowed it to fail; from 6.6 khugepaged's file THP collapse
 * retracts PTE tables without the mmap lock and frees them after an RCU
 * grace period (pte_free_defer()). What it does is done here with inline
 * helpers: under rcu_read_lock() (the table is not freed meanwhile), read
 * the entry, map the table if it is one, take its lock, and check that the
 * entry still points to it (pmd_same() against *pmdp: pmdp must be the
 * entry in the page table, never a copy); else try again.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pte_t *lrugen_pte_map_lock(struct mm_struct *mm, pmd_t *pmdp,
					 unsigned long addr, spinlock_t **ret_ptl)
{
	pmd_t val = pmd_read_atomic(pmdp);

	barrier();
	/* a table stays one under the mmap lock here; checked all the same */
	if (pmd_none(val) || !pmd_present(val) || pmd_trans_huge(val) || pmd_devmap(val) ||
	    pmd_bad(val))
		return NULL;
	return pte_offset_map_lock(mm, pmdp, addr, ret_ptl);
}

static inline void lrugen_pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	pte_unmap_unlock(pte, ptl);
}
#else
#ifdef CONFIG_HIGHPTE
#error "lrugen.ko maps PTE tables from the direct map: no CONFIG_HIGHPTE"
#endif
static inline pte_t *lrugen_pte_map_lock(struct mm_struct *mm, pmd_t *pmdp,
					 unsigned long addr, spinlock_t **ret_ptl)
{
	spinlock_t *ptl;
	pmd_t val;

	for (;;) {
		rcu_read_lock();
		val = pmdp_get_lockless(pmdp);
		/* none, migration entry, THP or bad: no table to map */
		if (pmd_none(val) || !pmd_present(val) || pmd_trans_huge(val) ||
		    pmd_devmap(val) || pmd_bad(val)) {
			rcu_read_unlock();
			return NULL;
		}
		ptl = pte_lockptr(mm, &val);
		spin_lock(ptl);
		if (likely(pmd_same(val, pmdp_get_lockless(pmdp)))) {
			*ret_ptl = ptl;
			return pte_offset_kernel(&val, addr);
		}
		spin_unlock(ptl);
		rcu_read_unlock();
	}
}

static inline void lrugen_pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	spin_unlock(ptl);
	rcu_read_unlock();	/* pte_unmap() without CONFIG_HIGHPTE */
}
#endif

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

/*
 * The parsed attributes of a dump request. 6.6 gave dumps a struct
 * genl_info (genl_info_dump()) and took the attrs member out of struct
 * genl_dumpit_info.
 */
static inline struct nlattr **lrugen_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	return genl_dumpit_info(cb)->attrs;
#else
	return genl_info_dump(cb)->attrs;
#endif
}

/*
 * The struct pid a pidfd stands for (not referenced, as long as the file is
 * held), or NULL if the file is no pidfd. pidfd_pid() is not exported, so a pidfd is recognised by what
 * the kernel makes of it:
 * - until 6.9 (and where pidfs is configured out): an anon inode file
 *   named "[pidfd]" whose private_data is the struct pid;
 * - from 6.9 a file of pidfs, the pseudo file system of magic PID_FS_MAGIC
 *   that only the kernel mounts: every inode there but its root is a
 *   process's, its i_private the struct pid, and its files have the
 *   inode's file operations.
 * LRUGEN_HAS_PIDFD says whether both kinds are known here (LRUGEN_CAP_PIDFD).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define LRUGEN_HAS_PIDFD 1
#define LRUGEN_HAS_PIDFS 0
#elif defined(PID_FS_MAGIC)
#define LRUGEN_HAS_PIDFD 1
#define LRUGEN_HAS_PIDFS 1
#else
#define LRUGEN_HAS_PIDFD 0
#define LRUGEN_HAS_PIDFS 0
#endif
/*
 * Tests only (tests/vm/vm-run.sh --kmod-variant): a module that advertises
 * LRUGEN_CAP_PIDFD but knows no pidfs, as one written before 6.9 does, so
 * that lrugend's fallback to pid and start time can be tested.
 */
#ifdef LRUGEN_TEST_NO_PIDFS
#undef LRUGEN_HAS_PIDFS
#define LRUGEN_HAS_PIDFS 0
#endif

static inline struct pid *lrugen_pidfd_file_pid(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (inode->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	    !strcmp((const char *)file->f_path.dentry->d_name.name, "[pidfd]"))
		return file->private_data;
#if LRUGEN_HAS_PIDFS
	if (inode->i_sb->s_magic == PID_FS_MAGIC && file->f_path.dentry != inode->i_sb->s_root &&
	    file->f_op == inode->i_fop)
		return inode->i_private;
#endif
	return NULL;
}

/* genl_family.resv_start_op appeared in 6.1 and is required for new families. */
#define LRUGEN_GENL_HAS_RESV_START_OP 1

#endif /* LRUGEN_COMPAT_H */
