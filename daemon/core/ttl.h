/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ttl.h - the seeds' min_ttl rule (lru_gen_min_ttl, age_lruvec,
 * lru_gen_age_node) as pure functions.
 *
 * "Protect the working set of the last min_ttl ms": under memory pressure,
 * a scope (lruvec) whose oldest eligible generation was born less than
 * min_ttl ago must not be evicted from. When no scope of an OOM domain can
 * give memory any more, and at least one refused for min_ttl, an OOM
 * decision is needed in that domain, rather than thrashing the working set.
 *
 * The machine (global pressure) and a memcg at its limit are different OOM
 * domains, as Michal Hocko insisted in the review: memory freed in one does
 * not relieve the other, so one domain's state never decides for another.
 * Overkill (the seeds' oom_reaping_in_progress) is the caller's concern,
 * per domain: lrugend's OOM handler waits kill_timeout_ms for a victim of
 * the same domain to release its memory before killing again.
 */
#ifndef LRG_TTL_H
#define LRG_TTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lruvec.h"

/*
 * A memcg is its own OOM domain only under a limit (memory.max or .high)
 * that binds before the machine runs out: not one at or above the
 * machine's memory (mem_total; 0: unknown, any limit binds), nor none
 * (0 or UINT64_MAX).
 */
bool lrg_limit_binds(uint64_t limit, uint64_t mem_total);

/*
 * How far ahead the machine's pressure verdict looks: the time lrugend
 * needs to see a runaway, fall short in reclaim, decide and kill (two
 * polls, the decision's read of /proc, the victim's exit). A machine
 * whose available memory, falling at its current rate, runs out within
 * this is under pressure now, so that lrugend acts before the kernel's
 * OOM killer does.
 */
#define LRG_ACT_AHEAD_MS 3000

/* What the machine can still give without swapping: MemAvailable, or
 * free memory where that reads higher. */
uint64_t lrg_machine_available(const struct lrg_pressure *p);

/*
 * What the kernel says the machine can still give without swapping:
 * MemAvailable, or free memory where that reads higher. Rates of fall are
 * measured on it, not on lrg_machine_available: a protection round that
 * holds 100 MiB more page cache is not memory falling.
 */
uint64_t lrg_kernel_available(const struct lrg_pressure *p);
/*
 * The machine runs out of memory and swap within LRG_ACT_AHEAD_MS at the
 * rate they fall (reserve_drop_bps), with available memory already below a
 * tenth of it: its OOM killer is about to act, whatever is evicted.
 */
bool lrg_exhaustion_ahead(const struct lrg_pressure *p);
/*
 * Pressure verdict of one domain. global: machine figures (free memory vs
 * the watermarks); else a memcg's (usage vs its limit).
 */
bool lrg_under_pressure(const struct lrg_pressure *p, bool global);

/*
 * The machine is quiet: no pressure, tasks stalled on memory less than 1%
 * of the time lately (stall_pct: PSI some over the last second or so; a
 * page read back now and then is not a stall worth watching closely),
 * and a quarter of its memory or more available that stays so for
 * LRG_CALM_HORIZON_MS even at the rate it falls now. One tick's verdict;
 * lrugend paces down only once it held LRG_CALM_AFTER_MS (tick.c).
 */
#define LRG_CALM_HORIZON_MS 10000
#define LRG_CALM_PSI_SOME 1.0
bool lrg_quiet(const struct lrg_pressure *p, double stall_pct);

/*
 * How long a quiet machine may go unlooked at while a PSI trigger wakes
 * the daemon on the first stall: the time the fastest allocator takes to
 * use what keeps it quiet (earlyoom's figure, 6000 MiB/s, seen with four
 * `stress -m` workers), between poll_ms and LRG_CALM_LOOK_MAX_MS. A
 * runaway faster than that makes the kernel reclaim, and its stall wakes
 * the daemon before the look is due.
 */
#define LRG_FILL_BPS (6000ULL << 20)
#define LRG_CALM_LOOK_MAX_MS 1000
uint64_t lrg_calm_look_ms(const struct lrg_pressure *p, uint64_t poll_ms);

/* Pages to reclaim to end the pressure (0 if none): back above the high
 * watermark, or below the limit with a margin. */
uint64_t lrg_pressure_target_pages(const struct lrg_pressure *p, bool global);

/*
 * A memcg that allocates while the machine is pressed: lrugend's own
 * eviction of its anon pages only feeds it (each page paged out is one
 * more it can allocate) and, with swap on zram, costs lrugend the
 * compression. Its anon is then left to the kernel's reclaim, which
 * memory.min keeps off the working sets lrugend guards. What it allocated
 * between two reads is its charge's change, plus what lrugend evicted
 * from it meanwhile, less what came back as refaults (a working set
 * reading back what it lost is not growth). A grower stays one for
 * LRG_GROWER_HOLD_MS after it was last seen at LRG_GROWER_BPS, so that
 * the kernel's reclaim of it (which hides its growth) does not hand it
 * back to lrugend's eviction at the next read.
 */
#define LRG_GROWER_BPS (8ULL << 20)
#define LRG_GROWER_HOLD_MS 10000
uint64_t lrg_alloc_rate_bps(uint64_t usage_before, uint64_t usage_now, uint64_t evicted_bytes,
			    uint64_t refaulted_bytes, uint64_t interval_ms);

/*
 * The age (now - birth) of the oldest eligible generation of lv: min_seq of
 * file, and of anon when can_swap, whichever was born first (the seeds look
 * at min_seq[file]; anon's min_seq is never younger when swapping).
 */
uint64_t lrg_ttl_oldest_age(const struct lrg_lruvec *lv, bool can_swap, uint64_t now_ms);

/* true: lv's oldest eligible generation is younger than min_ttl_ms, so it
 * may not be evicted from under pressure (min_ttl_ms 0: never). */
bool lrg_ttl_protected(const struct lrg_lruvec *lv, bool can_swap, uint64_t now_ms,
		       uint32_t min_ttl_ms);

/* One scope of an OOM domain, as the domain decision sees it. */
struct lrg_ttl_scope {
	bool evictable;       /* has pages eviction could take (after aging) */
	bool below_min;       /* memory.min protects it: never a source */
	bool protected_ttl;   /* lrg_ttl_protected() */
};

enum lrg_ttl_verdict {
	LRG_TTL_NO_PRESSURE = 0,  /* nothing to do */
	LRG_TTL_EVICT,            /* some scope can give memory: evict there */
	LRG_TTL_OOM,              /* only working sets of the last min_ttl are left */
	LRG_TTL_EXHAUSTED,        /* nothing evictable and no min_ttl involved:
				   * the kernel's own OOM killer decides */
};

/* The domain decision: no OOM while older memory can be reclaimed
 * anywhere in it. */
enum lrg_ttl_verdict lrg_ttl_decide(bool under_pressure, const struct lrg_ttl_scope *scopes,
				    size_t n);

/*
 * Is a domain's working set being lost? The kernel counts what its reclaim
 * takes (pgsteal) and which evicted pages come back while their shadow
 * entries still say they were recently used (workingset_refault). When,
 * over a window of LRG_THRASH_WINDOW_MS, the refaults reach
 * LRG_THRASH_PCT percent of what was reclaimed, while tasks are stalled
 * on memory, reclaim is taking the working set and getting it back:
 * memory is churned, not freed (the desktop livelock without swap, where
 * page cache is the only thing left to take). That is the seeds' "the
 * working set cannot be kept" observed after the fact, for memory whose
 * age lrugend cannot know (a working set read slowly because it thrashes
 * looks old).
 *
 * Why 15%, not a majority: when the working set is read back from a disk,
 * the refaults of a short window are bounded by the disk's bandwidth while
 * reclaim takes pages much faster (the readers wait on I/O before they
 * fault again): in the VM, a 10 MB/s disk gave refaults of 11-29% of
 * pgsteal per second through a 20 s thrash of the kernel alone, and 16-18%
 * per 2 s window under lrugend (whose own evictions count as reclaimed).
 * A stream read once (a backup, a copy) is reclaimed and never comes back:
 * near 0%. The stall condition keeps a cache that merely cycles (refaults
 * without tasks stalled) from counting.
 */
#define LRG_THRASH_WINDOW_MS 2000
/* a window not fed for this long is stale: start again */
#define LRG_THRASH_STALE_MS 5000
#define LRG_THRASH_PCT 15
/* ... while tasks were completely stalled on memory (PSI full) this
 * share of the same window: refaults alone are normal page cache life.
 * The window's own stall, not PSI's avg10, which takes 5-10 s to climb
 * and would hold the decision back that long. */
#define LRG_THRASH_STALL_PCT 10
/*
 * ... and no more came back than was reclaimed in the same window. More
 * means the working set is returning, not being lost: right after a kill
 * freed memory, the survivors read back what the thrash took while
 * reclaim has stopped (seen in S3 of bench/oom-bench.sh: "999% refaulted"
 * windows after the runaway died, each then taken for a new thrash and a
 * reader killed).
 */
#define LRG_THRASH_MAX_PCT 100

struct lrg_thrash {
	uint64_t start_ms, last_ms;    /* window start, last sample (0: none) */
	uint64_t verdict_ms;           /* start of the window pct and stall_pct are of */
	uint64_t refaults, pgsteal;    /* counters at the window start */
	uint64_t full_us;              /* PSI full total at the window start */
	uint32_t pct;                  /* refaults per 100 pages reclaimed, last window */
	uint32_t stall_pct;            /* PSI full, percent of the last window */
	bool valid;                    /* pct is from a complete, recent window */
};

/* Feed one sample of a domain's counters; returns the refault percentage
 * of the last complete window (capped at 1000), or -1 while there is none. */
int lrg_thrash_sample(struct lrg_thrash *t, const struct lrg_pressure *p, uint64_t now_ms);

/* The verdict of the last complete window: refaults and stall both say
 * the working set is being lost (and reclaim is still taking it). */
bool lrg_thrashing(const struct lrg_thrash *t);

#endif /* LRG_TTL_H */
