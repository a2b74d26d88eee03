/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backends.h - how the host backends are opened.
 *
 * Each open function returns 0 and a backend (free it with
 * b->ops->destroy(b)), or a negative errno and a one-line reason in why
 * (for the log line "backend X not available: why"); *ret is untouched on
 * failure.
 *
 * The kmod backend (lrugen.ko over generic netlink) is opened by the
 * function declared with liblrgkmod.a's own header; backend selection
 * (backend_select.h) tries kmod, then mglru, then proc.
 */
#ifndef LRG_BACKENDS_H
#define LRG_BACKENDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lrg_backend.h"

/*
 * The fallback for any kernel: VMA-granular aging from smaps "Referenced:"
 * and clear_refs, page-granular eviction with process_madvise(MADV_PAGEOUT),
 * memory.reclaim, pidfd kills. proc_root is "/proc"; cgroup_root the
 * cgroup2 mount ("/sys/fs/cgroup"), or NULL to find it in
 * PROC_ROOT/self/mountinfo. A machine without a cgroup2 memory controller
 * is one global domain (LRG_ROOT_MEMCG); open logs that once.
 */
int lrg_proc_backend_open(const char *proc_root, const char *cgroup_root,
			  struct lrg_backend **ret, char *why, size_t whylen);

/*
 * Kernels with CONFIG_LRU_GEN: the kernel keeps the generations; lrugend
 * reads them from debugfs (debugfs_lru_gen_path, normally
 * "/sys/kernel/debug/lru_gen") and drives aging ("+") and eviction ("-")
 * there. enable: may write /sys/kernel/mm/lru_gen/enabled; mount_debugfs:
 * may mount debugfs on the directory of debugfs_lru_gen_path. Listing,
 * measuring and killing are the proc backend's.
 */
int lrg_mglru_backend_open(const char *debugfs_lru_gen_path, const char *cgroup_root,
			   bool enable, bool mount_debugfs, struct lrg_backend **ret,
			   char *why, size_t whylen);

/* The same with every path given, for tests on fixture trees. */
int lrg_mglru_backend_open_at(const char *debugfs_lru_gen_path, const char *enabled_path,
			      const char *proc_root, const char *cgroup_root, bool enable,
			      bool mount_debugfs, struct lrg_backend **ret, char *why,
			      size_t whylen);

/*
 * The lru_gen debugfs parser, exposed for unit tests. One callback per
 * (memcg, node) with the kernel's memcg id and the memcg's path as the
 * kernel prints it (of any length); g->memcg_id is left 0 for the caller
 * to map the path. full: the text is lru_gen_full (per-tier and mm-walk
 * lines after each generation, 'x' marking generations below a type's
 * min_seq).
 *
 * A line that cannot be parsed does not stop the parse: it is counted,
 * the (memcg, node) it belongs to is left out (counted too), and the parse
 * goes on at the next node or memcg. Returns 0, or the callback's negative
 * errno, or -ENOMEM; *ret_stats (may be NULL) is set on success.
 */
struct lrg_lru_gen_stats {
	unsigned int nr_reported;   /* (memcg, node) pairs handed to the callback */
	unsigned int nr_bad_lines;  /* lines that could not be parsed */
	unsigned int nr_dropped;    /* (memcg, node) pairs left out because of them */
	char first_error[160];      /* "line N: what was wrong", for one log line */
};

struct lrg_kernel_gens;
typedef int (*lrg_lru_gen_fn)(void *ctx, uint64_t kernel_memcg_id, const char *path,
			      const struct lrg_kernel_gens *g);
int lrg_lru_gen_parse(const char *text, bool full, lrg_lru_gen_fn fn, void *ctx,
		      struct lrg_lru_gen_stats *ret_stats);

#endif /* LRG_BACKENDS_H */
