/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrg_backend.h - the one interface between lrugend's policy and a kernel.
 *
 * The policy (aging, eviction, min_ttl, OOM decision) never touches /proc,
 * sysfs or netlink itself: it asks a backend. Four backends implement this:
 *
 *   kmod   the lrugen.ko shim: page-table harvest per mm and memcg
 *   mglru  stock kernels with CONFIG_LRU_GEN: /sys/kernel/debug/lru_gen
 *          (the kernel keeps the generations; see LRG_CAP_KERNEL_GENS)
 *   proc   anything else: /proc/PID/clear_refs + smaps, cgroup v2 files
 *   sim    a simulated kernel in virtual time, for tests and benchmarks
 *
 * Conventions: functions return 0 or a negative errno; outputs are named
 * ret_* and are left untouched on failure. Addresses are user virtual
 * addresses; a "region" is one PMD-sized (2 MiB) aligned range, the unit in
 * which the seeds' Bloom filters and the kernel's PTE tables work.
 */
#ifndef LRG_BACKEND_H
#define LRG_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LRG_PAGE_SHIFT 12
#define LRG_PAGE_SIZE (1ULL << LRG_PAGE_SHIFT)
#define LRG_PMD_SHIFT 21
#define LRG_PMD_SIZE (1ULL << LRG_PMD_SHIFT)
#define LRG_PMD_MASK (~(LRG_PMD_SIZE - 1))
#define LRG_PTES_PER_PMD 512
#define LRG_REGION_WORDS (LRG_PTES_PER_PMD / 64)

/* The seeds' limits, kept with the same names and meanings. */
#define LRG_MIN_NR_GENS 2U
#define LRG_MAX_NR_GENS 4U
#define LRG_MIN_LRU_BATCH 64U

enum lrg_type {
	LRG_ANON = 0,
	LRG_FILE = 1,
	LRG_NR_TYPES = 2,
};

/* The memcg id used for "the whole machine" when there is no memory
 * controller (the seeds' global mm_list). */
#define LRG_ROOT_MEMCG 0ULL

/* What a backend can do; the policy adapts to it. */
enum lrg_backend_caps {
	LRG_CAP_HARVEST = 1u << 0,     /* harvest() returns per-page young bits */
	LRG_CAP_NONLEAF_YOUNG = 1u << 1, /* harvest honours LRG_HARVEST_NONLEAF */
	LRG_CAP_KERNEL_GENS = 1u << 2, /* the kernel keeps generations: read_gens/age/evict_gen */
	LRG_CAP_MEMCG = 1u << 3,       /* real memory cgroups (else one global list) */
	LRG_CAP_EVICT_PAGES = 1u << 4, /* evict() pages out exact page ranges */
	LRG_CAP_RECLAIM = 1u << 5,     /* reclaim() asks the kernel for N bytes */
	LRG_CAP_KILL = 1u << 6,        /* kill() works */
	LRG_CAP_VIRTUAL_TIME = 1u << 7, /* now_ms() is a simulated clock */
};

/*
 * The longest cgroup path a memcg can have: PATH_MAX, the longest path the
 * kernel opens by name, so every cgroup whose files can be read at all
 * fits. (A cgroup whose path is longer cannot be read by name; the host
 * code skips and counts it.)
 */
#define LRG_CGROUP_PATH_MAX 4096

/* One memory cgroup (or the whole machine). Sizes in bytes; UINT64_MAX
 * means "max" (no limit). */
struct lrg_memcg_info {
	uint64_t id;             /* cgroup id (cgroup2 inode), LRG_ROOT_MEMCG for global */
	char path[LRG_CGROUP_PATH_MAX]; /* below the cgroup2 root, "/" for the root */
	uint64_t current;        /* memory.current */
	uint64_t min, low, high, max;
	uint64_t swap_current, swap_max;
	uint64_t anon, file;     /* memory.stat anon / file */
	/* no process in it or below it and next to nothing charged: only
	 * current and min were read (limits reported as "max"), and it has
	 * no address space to list */
	bool idle;
};

/*
 * One address space. The policy keys everything by mm_key, never by pid
 * alone: a backend guarantees that a pid reused by a new process gets a new
 * mm_key (real backends mix in the owner's start time).
 */
struct lrg_mm_info {
	uint64_t mm_key;         /* stable identity of this address space */
	pid_t pid;               /* owner: the thread-group leader */
	uint64_t start_time;     /* owner's start time (clock ticks since boot) */
	uint64_t memcg_id;       /* memcg the owner is in now */
	uint64_t nr_anon;        /* resident anon + shmem pages */
	uint64_t nr_file;        /* resident file pages */
	uint64_t run_stamp;      /* advances whenever the owner has run: the "has run"
				  * hint (lrg_procfs_run_stamp); only its changes count */
	/* the simulator's; for a real process the OOM scan reads
	 * /proc/PID/oom_score_adj when it decides, not every listing */
	int oom_score_adj;
	char comm[16];
};

/*
 * The mm_key of every backend with real processes: the owner's start time
 * above its pid. pid_max cannot exceed 2^22 (PID_MAX_LIMIT), so the key is
 * exact, and a reused pid comes with a later start time, hence a new key.
 */
#define LRG_MM_KEY_PID_BITS 22

static inline uint64_t lrg_mm_key(pid_t pid, uint64_t start_time)
{
	return (start_time << LRG_MM_KEY_PID_BITS) | (uint64_t)pid;
}

/* A half-open range of user addresses, [start, end). */
struct lrg_range {
	uint64_t start;
	uint64_t end;
};

enum lrg_harvest_flags {
	/* Also walk PTE tables whose non-leaf PMD entry has the accessed bit
	 * set, even if they are not in ranges (x86 sets it on every walk). */
	LRG_HARVEST_NONLEAF = 1u << 0,
	/* Skip anonymous and shmem memory: swapping is off (seeds: can_swap). */
	LRG_HARVEST_NO_ANON = 1u << 1,
	/* Do not pass young bits on to the kernel's LRU (folio_mark_accessed).
	 * Only for tests and benchmarks: without the bump, clearing accessed
	 * bits makes the kernel see hot pages as cold. */
	LRG_HARVEST_NO_BUMP = 1u << 2,
};

struct lrg_harvest_req {
	const struct lrg_mm_info *mm;
	uint64_t memcg_id;             /* report only pages charged here */
	const struct lrg_range *ranges; /* NULL: the whole address space */
	size_t nr_ranges;
	unsigned int flags;            /* enum lrg_harvest_flags */
};

/* What a harvest saw in one PMD-sized region. Bit i of each bitmap stands
 * for the page at addr + i * LRG_PAGE_SIZE. Only regions with at least one
 * present page are reported. */
struct lrg_region {
	uint64_t addr;                           /* LRG_PMD_SIZE aligned */
	uint64_t present[LRG_REGION_WORDS];      /* mapped and charged to memcg_id */
	uint64_t young[LRG_REGION_WORDS];        /* accessed bit was set (now cleared) */
	uint64_t anon[LRG_REGION_WORDS];         /* anon or shmem (else file) */
	bool huge;                               /* one PMD-mapped THP */
};

enum lrg_harvest_status {
	LRG_HARVEST_COMPLETE = 0,
	LRG_HARVEST_CONTENDED = 1,  /* mmap lock busy: the walk stopped early */
	LRG_HARVEST_GONE = 2,       /* the address space exited */
	LRG_HARVEST_PARTIAL = 3,    /* the work bound was hit: resume later */
};

/* The seeds' walk counters ("toydfa"), plus how the walk ended. */
struct lrg_walk_stats {
	uint64_t pte_total;   /* t: leaf entries scanned */
	uint64_t pte_old;     /* o: leaf entries not young */
	uint64_t pte_young;   /* y: leaf entries young */
	uint64_t pmd_total;   /* d: non-leaf entries seen */
	uint64_t pmd_found;   /* f: non-leaf entries found in the Bloom filter */
	uint64_t pmd_added;   /* a: non-leaf entries added to the Bloom filter */
	uint64_t contended;   /* harvests stopped by a busy mmap lock */
	uint32_t status;      /* enum lrg_harvest_status of the last harvest */
};

/* Called once per region; a negative return stops the harvest. */
typedef int (*lrg_region_fn)(void *ctx, const struct lrg_region *region);
typedef int (*lrg_memcg_fn)(void *ctx, const struct lrg_memcg_info *memcg);
typedef int (*lrg_mm_fn)(void *ctx, const struct lrg_mm_info *mm);

/* Memory and pressure figures of one OOM domain (machine or memcg). */
struct lrg_pressure {
	uint64_t now_ms;
	uint64_t mem_total, mem_free, mem_available;   /* bytes */
	uint64_t watermark_low, watermark_high;        /* bytes, machine only */
	uint64_t swap_total, swap_free;
	uint64_t limit;          /* memcg: min(memory.high, memory.max); else mem_total */
	uint64_t usage;          /* memcg: memory.current; else total - available */
	double psi_some_avg10, psi_full_avg10;        /* percent */
	uint64_t psi_some_total_us, psi_full_total_us; /* cumulative */
	uint64_t pgscan, pgsteal;       /* cumulative pages */
	uint64_t refaults;              /* cumulative workingset refaults */
	uint64_t oom_kills;             /* cumulative kernel OOM kills */
	/* filled in by the policy, not the backend: how fast what the
	 * machine can give (MemAvailable) fell over the last second, in
	 * bytes per second; 0 when it did not fall or is not known */
	uint64_t avail_drop_bps;
	/* filled in by the policy: the same for available memory and free
	 * swap together, what the machine can give before its OOM killer acts */
	uint64_t reserve_drop_bps;
	/* filled in by the policy: page cache that memory.min holds for
	 * working sets, which MemAvailable counts but the kernel's reclaim
	 * may not take (lrg_machine_available leaves it out) */
	uint64_t protected_file;
};

/* Generations as the kernel keeps them (LRG_CAP_KERNEL_GENS backends). */
struct lrg_kernel_gens {
	uint64_t memcg_id;
	int node;
	uint64_t max_seq;
	uint64_t min_seq[LRG_NR_TYPES];
	int nr_gens;
	struct {
		uint64_t seq;
		uint64_t age_ms;                    /* now - birth */
		uint64_t nr_pages[LRG_NR_TYPES];
	} gens[LRG_MAX_NR_GENS];
};

struct lrg_kill_req {
	pid_t pid;
	uint64_t start_time;     /* must still match, else -ESRCH (pid reused) */
	uint64_t memcg_id;
	bool whole_cgroup;       /* cgroup.kill instead of one process */
	bool release;            /* process_mrelease after the signal */
};

struct lrg_backend;

struct lrg_backend_ops {
	const char *name;
	/* One line for the log and lrugenctl: what this backend costs in
	 * accuracy compared with the kmod backend. */
	const char *accuracy;

	int (*list_memcgs)(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx);
	/* Optional: the same memcgs with only their id and path filled in,
	 * none of their files read (the OOM decision's listing). */
	int (*list_memcg_paths)(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx);
	int (*list_mms)(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx);
	/* Test-and-clear the accessed bits; report regions through fn. */
	int (*harvest)(struct lrg_backend *b, const struct lrg_harvest_req *req,
		       lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats);
	/* Page out exactly these page ranges of mm; *ret_pages = pages freed. */
	int (*evict)(struct lrg_backend *b, const struct lrg_mm_info *mm,
		     const struct lrg_range *ranges, size_t nr_ranges, uint64_t *ret_pages);
	/* Ask the kernel to reclaim bytes from a memcg (memory.reclaim). */
	int (*reclaim)(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes,
		       uint64_t *ret_bytes);
	int (*measure)(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret);
	/* A memcg's charge, limit and reclaim counters as measure gives them,
	 * without its PSI and kernel OOM kills (0): half the files, and all
	 * the policy needs of a memcg whose limit does not bind. NULL: the
	 * policy uses measure. */
	int (*measure_charge)(struct lrg_backend *b, uint64_t memcg_id,
			      struct lrg_pressure *ret);
	/* The machine's memory and swap alone (/proc/meminfo), the rest of
	 * *ret 0: the cheapest look, for a calm machine's ticks between its
	 * full measurements. NULL: the policy uses measure. */
	int (*measure_meminfo)(struct lrg_backend *b, struct lrg_pressure *ret);
	/* Set a memcg's memory.min (bytes): the kernel's reclaim does not take
	 * memory within it. NULL: the backend cannot protect. */
	int (*protect)(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes);
	int (*kill)(struct lrg_backend *b, const struct lrg_kill_req *req);
	/* LRG_CAP_KERNEL_GENS only (NULL otherwise). */
	int (*read_gens)(struct lrg_backend *b, uint64_t memcg_id, int node,
			 struct lrg_kernel_gens *ret);
	int (*age)(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t max_seq,
		   bool can_swap, bool force_scan);
	int (*evict_gen)(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t min_seq,
			 int swappiness, uint64_t nr_pages);
	/* Milliseconds on the backend's clock (monotonic, or virtual). */
	uint64_t (*now_ms)(struct lrg_backend *b);
	void (*destroy)(struct lrg_backend *b);
};

/* Every backend embeds this first. */
struct lrg_backend {
	const struct lrg_backend_ops *ops;
	unsigned int caps;       /* enum lrg_backend_caps */
	/*
	 * Synchronous reclaim hook: a backend whose kernel runs out of memory
	 * (the simulator on a fault) calls it, as a real kernel's direct
	 * reclaim would run MGLRU eviction. The policy installs it.
	 */
	int (*direct_reclaim)(void *ctx, uint64_t memcg_id, uint64_t nr_pages,
			      uint64_t *ret_reclaimed);
	void *direct_reclaim_ctx;
};

static inline bool lrg_backend_has(const struct lrg_backend *b, unsigned int cap)
{
	return (b->caps & cap) == cap;
}

#endif /* LRG_BACKEND_H */
