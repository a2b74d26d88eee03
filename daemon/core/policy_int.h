// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy_int.h - what the files of the engine behind lrg_policy.h share,
 * and nothing outside them sees: the engine, its memcgs and address
 * spaces, and the functions one file offers the others.
 *
 *   policy.c      the engine's life: construction, config, lock, readers
 *   registry.c    the memcgs and address spaces, mirrored from the backend
 *                 and followed by process events
 *   memcg_gens.c  one memcg's generations: age them, evict the oldest,
 *                 mirror the kernel's
 *   reclaim.c     eviction per domain (oldest first, min_ttl, the OOM
 *                 requests), proactive eviction, the direct reclaim hook
 *   tick.c        the tick: measuring, aging by time, pressure handling
 */
#ifndef LRG_POLICY_INT_H
#define LRG_POLICY_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "aging.h"
#include "evict.h"
#include "lrg_policy.h"
#include "lruvec.h"
#include "match.h"
#include "mmlist.h"
#include "protect.h"
#include "ttl.h"

struct pmemcg {
	uint64_t id;
	struct lrg_memcg_info info;
	const struct lrg_slice_config *slice;
	struct lrg_mm_list list;
	struct lrg_lruvec lv;
	struct lrg_pressure pr;
	bool pr_ok;
	uint64_t pr_ms;           /* when pr was measured (0: never) */
	uint64_t pr_tick;         /* in which tick (measure_memcgs) */
	bool seen;
	bool marked;              /* events since the last listing: re-list it */
	uint64_t aged_tick;       /* tick number of the last aging */
	uint64_t aged_stamp;      /* p->age_stamp at the last aging by time: 0 never */
	bool listed_since_aging;  /* its address spaces listed (run stamps read) since */
	bool aged_blind;          /* its last aging came with no listing before it */
	uint64_t last_refaults, last_pgsteal;
	bool prev_ok;             /* the read before pr, for most_refaulted: */
	uint64_t prev_refaults, prev_pr_ms;
	/* allocating under pressure (lrg_alloc_rate_bps): pages lrugend
	 * evicted from it since its last read, when it last grew that fast */
	uint64_t evicted_since_read;
	uint64_t grew_ms;
	struct lrg_thrash thrash;  /* this memcg as an OOM domain */
	/* its counters when last taken out of the machine's (own_domain) */
	uint64_t out_refaults, out_pgsteal, out_full_us;
	bool out_valid;
	/* per-round scratch of policy_reclaim_domain */
	bool exhausted;
	bool anon_to_kernel;      /* a grower: lrugend evicted only its file pages */
	/* kernel-enforced protection (protection.c) */
	struct lrg_protect_state prot;
	uint64_t prot_sampled_ms; /* its working set last sampled then */
	bool prot_ours;           /* memory.min is lrugend's now */
	uint64_t prot_orig;       /* memory.min before lrugend wrote it */
	uint64_t prot_written;    /* what lrugend last wrote */
	uint64_t prot_own;        /* of it, m's own working set (the rest: its descendants') */
	uint64_t prot_claim;      /* the working sets lrugend guards in m's subtree */
};

struct pmm {
	struct lrg_mm mm;
	struct lrg_mm_priv priv;
	struct pmemcg *memcg;
	bool seen;
};

/* A quantity at two past instants, older first, and the last rate it fell
 * at in bytes per second (tick.c drop_rate). */
struct drop_meter {
	uint64_t value[2], ms[2];
	uint64_t bps;
};

struct lrg_policy {
	struct lrg_backend *b;
	struct lrg_config cfg;
	struct pmemcg **memcgs;
	size_t nr_memcgs, cap_memcgs;
	struct pmm **mms;
	size_t nr_mms, cap_mms;
	struct pmemcg **due;      /* tick scratch: memcgs due for aging (cap_memcgs) */
	uint64_t *prot_want;      /* tick scratch: protection per memcg (cap_memcgs) */
	uint64_t prot_ms;         /* protection last computed then */
	uint64_t prot_oom_kills;  /* the kernel's OOM kill count then */
	bool prot_oom_known;
	uint64_t prot_file;       /* page cache held by memory.min (lrg_pressure.protected_file) */
	bool relist_all;          /* an event no memcg could take: full refresh */
	size_t nr_marked;
	uint64_t age_stamp;
	struct lrg_aging aging;
	struct lrg_evict evict;
	struct lrg_policy_stats stats;
	struct lrg_thrash thrash;  /* the machine as an OOM domain */
	/* what the memcgs that are OOM domains of their own reclaimed and
	 * got back since they became one (machine_figures) */
	uint64_t out_refaults, out_pgsteal;
	/* the machine's counters without those, never going back */
	uint64_t own_refaults, own_pgsteal, own_full_us;
	uint64_t last_full_us;     /* the machine's PSI full total at the last fold */
	/* how fast available memory falls, and available memory with free
	 * swap (drop_rate) */
	struct drop_meter avail_drop, reserve_drop;
	uint64_t exhaustion_since_ms; /* lrg_exhaustion_ahead held since (0: not now) */
	size_t list_hint;          /* where a listing's next memcg likely is */
	uint64_t measured_ms;      /* the memcgs' figures were read then */
	bool continuing;           /* the last tick deferred aging to the next */
	uint64_t quiet_since_ms;   /* lrg_quiet held since (0: not now) */
	uint64_t calm_pgsteal, calm_pgsteal_ms; /* the kernel's reclaim at the last tick */
	bool calm_reclaims;        /* ... and whether it reclaimed fast since the one before */
	uint64_t calm_some_us, calm_some_ms; /* PSI some's total then (kernel_stall_pct) */
	double calm_some_pct;      /* ... and the stall share since the sample before */
	struct lrg_pressure machine_full; /* the machine's last full measurement */
	uint64_t machine_full_ms;  /* ... taken then (0: never) */
	bool calm;                 /* ... for LRG_CALM_AFTER_MS: paced down (tick.c) */
	bool stall_wakes;          /* a PSI trigger wakes the caller (lrg_calm_look_ms) */
	bool stall_noted;          /* ... and fired since the last tick */
	bool force_scan;   /* benchmarks: walk every mm whole, no Bloom filters */
	pthread_mutex_t lock;
	pthread_t owner;
	bool held;
	bool started;
	uint64_t tick_no;
};

/* An OOM domain: the machine, or a memcg at its limit and its children. */
struct domain {
	struct pmemcg *root;   /* NULL: the machine */
	bool global;
	bool apply_ttl;        /* kswapd-like: honour min_ttl (tick); direct reclaim does not */
	bool may_grow;
};

/* policy.c: one mutex serialises refresh, tick, direct reclaim and the
 * readers; -EDEADLK when the calling thread holds it already. */
int policy_lock(struct lrg_policy *p);
void policy_unlock(struct lrg_policy *p);

/* registry.c */
/* The slice config of m's cgroup, the defaults when no slice matches. */
const struct lrg_slice_config *policy_slice_of(struct lrg_policy *p, const struct pmemcg *m);
/* The memcg listed under id, or NULL. */
struct pmemcg *policy_find_memcg(struct lrg_policy *p, uint64_t id);
/* Take e off its memcg's list and lruvec, and free it. */
void policy_free_mm(struct pmm *e);

/* memcg_gens.c */
/* m's swappiness, 0 without swap (anon is then never aged or evicted). */
int policy_swappiness(const struct lrg_policy *p, const struct pmemcg *m,
		      const struct lrg_pressure *gp);
/* Mirror the kernel's generations into m->lv; 0 or a negative errno. */
int policy_mirror_gens(struct lrg_policy *p, struct pmemcg *m, uint64_t now_ms);
/* One aging pass over m (tr may be NULL); 0 or a negative errno. */
int policy_age_memcg(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		     uint64_t now_ms, bool may_grow, struct lrg_tick_result *tr);
/* Whether m allocated at LRG_GROWER_BPS within LRG_GROWER_HOLD_MS: its
 * anon pages are the kernel's to reclaim, not lrugend's. */
bool policy_grows(const struct pmemcg *m, uint64_t now_ms);
/* Evict up to budget pages from m's oldest generations, *ret_freed the
 * pages freed; -EAGAIN when no page left them, or a negative errno. */
int policy_evict_from(struct lrg_policy *p, struct pmemcg *m, int sw, uint64_t budget,
		      uint64_t now_ms, uint64_t *ret_freed);

/* reclaim.c */
/* Reclaim up to target pages from d and decide for it when the working
 * set cannot be kept; returns the pages freed (tr: NULL from direct
 * reclaim). */
uint64_t policy_reclaim_domain(struct lrg_policy *p, const struct domain *d,
			       const struct lrg_pressure *dp, const struct lrg_pressure *gp,
			       uint64_t target, uint64_t now_ms, struct lrg_tick_result *tr);
/* One sample of t, a domain's thrash meter, from its figures dp. */
void policy_thrash_feed(struct lrg_policy *p, struct lrg_thrash *t, const struct lrg_pressure *dp,
			uint64_t now_ms);
/* Evict m's generations older than its slice's evict_min_age_ms. */
void policy_proactive(struct lrg_policy *p, struct pmemcg *m, const struct lrg_pressure *gp,
		      uint64_t now_ms, struct lrg_tick_result *tr);
/* The backend's direct_reclaim hook (lrg_backend.h); ctx is the engine. */
int policy_direct_reclaim(void *ctx, uint64_t memcg_id, uint64_t nr_pages,
			  uint64_t *ret_reclaimed);

/* protection.c */
/* Compute and write the memcgs' protection (at most once a second). */
void policy_protect(struct lrg_policy *p, bool gpress, const struct lrg_pressure *gp,
		    uint64_t now_ms);
/* Bytes of m's own working set lrugend protects now (not its descendants'). */
uint64_t policy_protected_bytes(const struct lrg_policy *p, const struct pmemcg *m);
uint64_t policy_protected_claim(const struct pmemcg *m);
/* Give every memcg back the memory.min it had before lrugend. */
void policy_release_protection(struct lrg_policy *p);

/*
 * memory.min / memory.low as the memcg's own values against its usage.
 * Michal Hocko's point on the seeds (mem_cgroup_below_min needs the
 * effective protection of the reclaimed hierarchy) applies: a child's
 * protection is capped by its parent's and shared among siblings. The
 * backend reports only the configured values; computing the effective
 * ones from the paths is a TODO, so a child claiming more than its parent
 * grants is over-protected here (never under-protected).
 */
static inline bool below_min(const struct pmemcg *m)
{
	return m->info.min && m->info.current <= m->info.min;
}

static inline bool below_low(const struct pmemcg *m)
{
	return m->info.low && m->info.current <= m->info.low;
}

static inline bool in_domain(const struct pmemcg *m, const struct pmemcg *root)
{
	size_t n;

	if (!root || m == root || !strcmp(root->info.path, "/"))
		return true;
	n = strlen(root->info.path);
	return !strncmp(m->info.path, root->info.path, n) && m->info.path[n] == '/';
}

/* The backend ages and keeps the generations (LRG_CAP_KERNEL_GENS);
 * m->lv mirrors them. */
static inline bool kernel_gens(const struct lrg_policy *p)
{
	return lrg_backend_has(p->b, LRG_CAP_KERNEL_GENS) && p->b->ops->read_gens;
}

#endif /* LRG_POLICY_INT_H */
