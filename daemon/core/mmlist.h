/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmlist.h - the seeds' per-memcg mm_struct list and its iteration protocol
 * (lru_gen_add_mm, lru_gen_del_mm, lru_gen_migrate_mm, get_next_mm,
 * should_skip_mm, reset_mm_stats), in user space.
 *
 * An "iteration" is one traversal of a whole list; several walker threads
 * may iterate one list at once and each gets a different mm. The walker
 * that reaches the end advances state->seq (once per iteration); the last
 * walker to leave clears the historical stats of the next generation; the
 * first walker of an iteration clears the Bloom filter of max_seq + 1.
 *
 * With no memory controller the whole machine is one list
 * (LRG_ROOT_MEMCG). A list is per memcg; its mm_state is per lruvec, i.e.
 * per (memcg, node), hence state[LRG_NR_NODES].
 *
 * An mm moved to another memcg (lrg_mm_list_migrate) leaves its pages
 * charged to the old one (cgroup v2). As in the seeds, the walks of the new
 * memcg treat those pages as not present (harvest reports only pages charged
 * to the memcg being aged), and the old memcg no longer walks this mm: the
 * kernel catches such pages through rmap look-around on eviction; lrugend
 * has no rmap, so those pages are invisible to its eviction until the
 * owner maps them again from an mm in the old memcg. (TODO: fall back on
 * the backend's reclaim() for a memcg whose usage the page tracking does
 * not explain.)
 */
#ifndef LRG_MMLIST_H
#define LRG_MMLIST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bloom.h"
#include "lrg_backend.h"

#define LRG_NR_NODES 1
/* Bloom filter items expected per mm at least (see lrg_mm_list_bloom_items). */
#define LRG_MM_BLOOM_ITEMS 4
/* Keep history for every live generation (CONFIG_LRU_GEN_STATS). */
#define LRG_NR_HIST_GENS LRG_MAX_NR_GENS

enum {
	LRG_MM_PTE_TOTAL, /* total leaf entries */
	LRG_MM_PTE_OLD,   /* old leaf entries */
	LRG_MM_PTE_YOUNG, /* young leaf entries */
	LRG_MM_PMD_TOTAL, /* total non-leaf entries */
	LRG_MM_PMD_FOUND, /* non-leaf entries found in Bloom filters */
	LRG_MM_PMD_ADDED, /* non-leaf entries added to Bloom filters */
	LRG_NR_MM_STATS
};

/* mnemonic codes for the mm stats above */
#define LRG_MM_STAT_CODES "toydfa"

struct lrg_list_head {
	struct lrg_list_head *prev, *next;
};

struct lrg_mm_list;

struct lrg_mm {
	struct lrg_list_head link;   /* on list->fifo; self-linked when on none */
	struct lrg_mm_list *list;    /* the memcg's list, NULL if on none */
	struct lrg_mm_info info;     /* the last listing; info.mm_key is the key */
	/*
	 * The seeds' mm->lru_gen.nodes: set by the caller when the owner's CPU
	 * time advanced (it ran since the last look), cleared by the walker
	 * that takes this mm. Atomic: set by refresh, cleared by walkers.
	 */
	bool ran;
	bool oom_victim;             /* atomic: never walk an OOM victim */
	bool gone;                   /* atomic: harvest said the mm exited */
	int refs;                    /* walkers holding it (the seeds' mmget) */
	void *priv;                  /* the owner's per-mm data (pagemap) */
};

struct lrg_mm_state {
	/* set to max_seq after each iteration */
	uint64_t seq;
	/* where the current iteration starts (inclusive) */
	struct lrg_list_head *head;
	/* where the last iteration ends (exclusive) */
	struct lrg_list_head *tail;
	/*
	 * double-buffering Bloom filters; the first walker of an iteration
	 * sizes the one it clears by lrg_mm_list_bloom_items() (bloom.h)
	 */
	struct lrg_bloom bloom;
	/* the mm stats, per generation */
	uint64_t stats[LRG_NR_HIST_GENS][LRG_NR_MM_STATS];
	/* the number of concurrent walkers */
	int nr_walkers;
};

struct lrg_mm_list {
	pthread_mutex_t lock;        /* protects everything below */
	struct lrg_list_head fifo;
	uint64_t memcg_id;
	size_t nr_mms;
	struct lrg_mm_state state[LRG_NR_NODES];
};

/* One walker's view of an iteration (the seeds' lru_gen_mm_walk). */
struct lrg_mm_walk {
	uint64_t max_seq;    /* in: the generation being created is max_seq + 1 */
	bool can_swap;       /* in: anon pages count (swap on, swappiness > 0) */
	bool force_scan;     /* in: walk every mm whole, sleeping ones too */
	bool full_scan;      /* out: walk the mm just returned whole (new or forced) */
	uint64_t mm_stats[LRG_NR_MM_STATS]; /* in: batched stats, flushed by next() */
};

/* The list must not move in memory after init (the fifo is self-referenced). */
void lrg_mm_list_init(struct lrg_mm_list *l, uint64_t memcg_id);
/* The list must be empty. */
void lrg_mm_list_destroy(struct lrg_mm_list *l);

void lrg_mm_init(struct lrg_mm *mm, const struct lrg_mm_info *info);
void lrg_mm_list_add(struct lrg_mm_list *l, struct lrg_mm *mm);
/* Safe while a walker holds mm; only freeing it must wait for !lrg_mm_in_use(). */
void lrg_mm_list_del(struct lrg_mm *mm);
/* lru_gen_migrate_mm: del from the old memcg's list, add to the new one's. */
void lrg_mm_list_migrate(struct lrg_mm *mm, struct lrg_mm_list *to);
bool lrg_mm_in_use(struct lrg_mm *mm);

void lrg_mm_set_ran(struct lrg_mm *mm);
void lrg_mm_set_oom_victim(struct lrg_mm *mm);
void lrg_mm_set_gone(struct lrg_mm *mm);

/*
 * get_next_mm: put *iter (if any) and return the next mm of this iteration
 * in *iter, NULL when this walker is done. Returns true if this walker was
 * the last one of the iteration: it alone may then create the next
 * generation (inc_max_seq). A walker with a stale max_seq (the iteration
 * for it is over) gets NULL and false at once.
 */
bool lrg_mm_list_next(struct lrg_mm_list *l, int node, struct lrg_mm_walk *walk,
		      struct lrg_mm **iter);

uint64_t lrg_mm_list_seq(struct lrg_mm_list *l, int node);
/*
 * Items the next generation's Bloom filter is sized for: twice the most
 * either filter took in the last two iterations, and at least
 * LRG_MM_BLOOM_ITEMS per mm on the list. Call under the list's lock.
 */
uint64_t lrg_mm_list_bloom_items(const struct lrg_mm_list *l, int node);
/* Copy of the stats of generation seq (for lrugenctl and tests). */
void lrg_mm_list_stats(struct lrg_mm_list *l, int node, uint64_t seq,
		       uint64_t ret[LRG_NR_MM_STATS]);

#endif /* LRG_MMLIST_H */
