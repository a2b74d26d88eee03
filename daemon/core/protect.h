/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protect.h - the working set the kernel itself must not reclaim, as pure
 * functions: how much of one memcg was used within its slice's min_ttl,
 * what of that is established (not a runaway's growth), how a fall is held
 * while the machine is under pressure, and the cap that keeps the
 * machine's last headroom for everything else.
 *
 * min_ttl alone only restrains lrugend's own eviction: kswapd and direct
 * reclaim still take a UI's pages from the kernel's LRU while a runaway
 * grows. cgroup v2's memory.min binds the kernel's reclaim: a memcg whose
 * usage is within its effective memory.min is not reclaimed from, so the
 * runaway meets the OOM line before the UI loses a page. The engine
 * (protection.c) turns these figures into memory.min values along each
 * protected memcg's ancestry and writes them through the backend.
 */
#ifndef LRG_PROTECT_H
#define LRG_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lruvec.h"

/*
 * The established working set is the smallest one seen over the last
 * LRG_PROTECT_SLOTS * LRG_PROTECT_SLOT_MS (30 s): a working set that holds
 * that long is established, and a runaway (or each new incarnation of a
 * respawning one) is always larger now than it was, so its growth is
 * never protected. A real working set that shrinks is followed at once.
 */
#define LRG_PROTECT_SLOTS 6
#define LRG_PROTECT_SLOT_MS 5000
/*
 * Under pressure a working set can look smaller than it is: its owner is
 * stalled and does not touch its pages, so they age. A fall of the
 * protection then waits this long before it is taken, which covers a
 * stall long enough for lrugend to end the runaway; and as long after the
 * last pressure: between the copies of a respawning runaway the machine
 * is calm for a second or two, while the UI still reads back what it
 * lost, and a fall taken then left it unprotected for the next copy.
 */
#define LRG_PROTECT_HOLD_MS 30000
/*
 * The shortest window a working set is measured over. Aging walks an
 * address space only once it has run since the last walk, which lrugend
 * learns at each listing (every 2 s), and creates a generation by time
 * every aging interval (1 s) whether it walked or not: pages in steady
 * use sit one or two generations behind the youngest, their successor
 * born up to about 2 s ago. A min_ttl below this window measures
 * over the window instead.
 */
#define LRG_PROTECT_MIN_WINDOW_MS 5000
/*
 * A working set smaller than this is not protected: it is not worth a
 * cgroupfs write, and each protected memcg costs the claims of its
 * ancestors a pass (a user who makes thousands of cgroups with a page in
 * use each would otherwise make every protection round quadratic).
 */
#define LRG_PROTECT_MIN_BYTES (1ULL << 20)
/* Changes smaller than this (or 1/16 of the value) are not written: each
 * write is a cgroupfs write and the working set moves a little all the time. */
#define LRG_PROTECT_STEP_BYTES (4ULL << 20)

struct lrg_protect_state {
	uint64_t slot_min[LRG_PROTECT_SLOTS]; /* smallest working set in each slot, bytes */
	uint64_t slot_start_ms;   /* when the current slot began (0: no sample yet) */
	unsigned int slot;        /* index of the current slot */
	unsigned int nr_slots;    /* slots holding a sample (1..LRG_PROTECT_SLOTS) */
	uint64_t want;            /* bytes to protect now, before the cap */
	uint64_t fall_since_ms;   /* a fall held since then (0: none held) */
	uint64_t pressure_ms;     /* pressure last seen then (0: never) */
};

/*
 * Bytes of lv used within the last window_ms. An aging walk moves the
 * pages it finds young into max_seq and then creates max_seq + 1, so the
 * pages of generation s were last seen used between its birth and its
 * successor's: s counts when its successor was born within window_ms.
 * The two youngest always count: they hold what the last walk found used
 * and what was faulted in since, whatever the aging's pace. The oldest
 * generation of a
 * type that has MAX_NR_GENS generations is left out: inc_min_seq folds
 * older pages into it, so its dates say nothing about them.
 */
uint64_t lrg_protect_wss(const struct lrg_lruvec *lv, uint64_t now_ms, uint32_t window_ms);

/* Feed one working-set sample (bytes); returns the bytes to protect now.
 * pressure: the machine is under memory pressure (a fall is held while
 * pressure was seen within LRG_PROTECT_HOLD_MS). */
uint64_t lrg_protect_step(struct lrg_protect_state *s, uint64_t wss, bool pressure,
			  uint64_t now_ms);

/* The most all protections together may hold: pct percent of mem_total. */
uint64_t lrg_protect_cap_bytes(uint64_t mem_total, uint32_t pct);

/* Scale want[0..n) down in proportion so that their sum is at most cap;
 * returns the sum after scaling. */
uint64_t lrg_protect_cap(uint64_t *want, size_t n, uint64_t cap);

/* Is target different enough from what was written to write it? A release
 * (target == orig) is always written. */
bool lrg_protect_changed(uint64_t written, uint64_t target, uint64_t orig);

#endif /* LRG_PROTECT_H */
