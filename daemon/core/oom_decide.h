/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom_decide.h - the OOM decision, pure: from a request of the policy
 * engine, the facts read for it (the domain's pressure, its candidates),
 * the configuration, what the decision remembers (the guards) and the time,
 * a verdict: kill whom and how, or why not, with the numbers behind it and
 * what to log. It reads nothing, logs nothing and kills nobody; the daemon
 * reads the facts (host/oom_scan.h) and acts on the verdict (oom_act.h).
 *
 * The seeds' review worried about overkill: in-kernel MGLRU calls
 * out_of_memory() from kswapd and only a racy oom_reaping_in_progress()
 * check keeps a second victim alive while the first one's memory is still
 * being reaped. Here each OOM domain (the machine, or one memcg at its
 * limit) has a guard: after a kill, no new kill in that domain until the
 * victim is gone and its memory is back, or kill_timeout_ms has passed.
 */
#ifndef LRG_OOM_DECIDE_H
#define LRG_OOM_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lrg_backend.h"
#include "lrg_config.h"
#include "lrg_policy.h"
#include "oom_types.h"

#define LRG_OOM_MAX_DOMAINS 64
/* The candidates a decision lists in the log, best ranked first. */
#define LRG_OOM_TOP_LOGGED 5

/* One OOM domain's guard, and the record of its last victim. */
struct lrg_oom_guard {
	uint64_t memcg_id;
	bool active;
	uint64_t since_ms;
	pid_t pid;
	uint64_t start_time;
	uint64_t usage_at_kill;   /* domain usage when we killed */
	uint64_t victim_bytes;
	uint64_t gone_ms;         /* when the victim was first seen gone, 0 = not yet */
	uint64_t lifted_ms;       /* when the guard last lifted: its memory back */
	int recent;               /* its kill in recent[] (its own cgroup), -1 if none */
	uint64_t recent_ms;       /* that entry's time, so a reused entry is not it */
};

/*
 * The kills of the last while, by the victim's own cgroup: a runaway that
 * its shell or service manager restarts comes back in the same cgroup,
 * and killing each new incarnation never ends the loop (respawn_kills).
 * The path is kept whole, not a hash a user could collide with.
 */
#define LRG_OOM_RECENT_KILLS 16
struct lrg_oom_recent_kill {
	uint64_t ms;                          /* 0: free */
	char cgroup[LRG_CGROUP_PATH_MAX];
};

/* What the decision remembers from one request to the next. */
struct lrg_oom_state {
	struct lrg_oom_guard guards[LRG_OOM_MAX_DOMAINS];
	uint64_t base_ms;            /* when the growth baseline was taken */
	uint64_t last_request_ms;
	/* the kernel's own OOM kills (vmstat oom_kill) and when the count last moved */
	uint64_t kernel_kills, kernel_kill_ms;
	bool kernel_kills_known;
	bool kernel_kill_settling;   /* its victim's memory is not back yet */
	uint64_t kernel_settled_ms;  /* when it was last seen back */
	/* the last "no eligible victim" decision: one log per kill_timeout_ms
	 * and domain, since a request comes every tick while it lasts */
	uint64_t no_victim_domain, no_victim_ms;
	/* the last "thrash seen before" skip logged: a request comes every
	 * tick until a window after the floor ends (about 8 per incident);
	 * one notice per domain and floor, the rest at debug level */
	uint64_t stale_domain, stale_floor;
	bool stale_logged;
	struct lrg_oom_recent_kill recent[LRG_OOM_RECENT_KILLS];
	unsigned int recent_next;
	struct lrg_oom_stats stats;
};

/* The look that opens a decision, before any candidate is read. */
struct lrg_oom_look {
	const struct lrg_pressure *machine;  /* NULL: could not be read */
	const struct lrg_pressure *domain;   /* a memcg domain's own figures; NULL: not read */
	const char *domain_path;             /* the memcg's path as last listed; NULL: unknown */
};

/* The candidates read for a decision (their slices matched), and the look
 * after them. */
struct lrg_oom_facts {
	struct lrg_oom_candidate *c;         /* ranked in place */
	size_t n;
	/* false: a memcg, process or path did not fit the storage prepared
	 * for it, and c holds part of the domain only */
	bool complete;
	size_t nr_seen;                      /* processes of the domain seen, stored or not */
	const char *domain_path;             /* the domain's cgroup path, "/" = machine */
	/* the kernel's OOM kill count read after the candidates: the last
	 * look before the signal; NULL if it could not be read */
	const struct lrg_pressure *machine_after;
};

enum lrg_oom_verdict_kind {
	LRG_OOM_KERNEL_RECENT,    /* the kernel's OOM killer acted recently: waiting */
	LRG_OOM_PRESSURE_GONE,    /* the request no longer holds */
	LRG_OOM_INCOMPLETE,       /* not every candidate was read: left to the kernel */
	LRG_OOM_GUARDED,          /* our last victim's memory is not back yet */
	LRG_OOM_STALE_THRASH,     /* thrash seen before the last kill's memory came back */
	LRG_OOM_NO_VICTIM,        /* every candidate is excluded */
	LRG_OOM_STILL_EXITING,    /* our last victim again: signal it again, not a new kill */
	LRG_OOM_KERNEL_MEANWHILE, /* the kernel acted while the candidates were read */
	LRG_OOM_KILL,             /* kill the victim (in a dry run: would kill) */
};

/* How loud the one line of a decision that kills nobody is. */
enum lrg_oom_say {
	LRG_OOM_SAY_NOTHING = 0,
	LRG_OOM_SAY_DEBUG,
	LRG_OOM_SAY_NOTICE,
	LRG_OOM_SAY_WARNING,
};

struct lrg_oom_verdict {
	enum lrg_oom_verdict_kind kind;
	const struct lrg_oom_request *req;
	uint64_t domain;              /* memcg id; LRG_ROOT_MEMCG = the machine */
	const char *domain_name;      /* "machine", the memcg's path, else the request's slice */
	bool dry_run;
	/* the victim (STILL_EXITING, KERNEL_MEANWHILE, KILL) */
	const struct lrg_oom_candidate *victim;
	struct lrg_kill_req kill;     /* whole_cgroup: cgroup.kill of kill_cgroup */
	const char *kill_cgroup;      /* the victim's own cgroup */
	/* oom = cgroup, but the victim's own cgroup is unknown, the root, or
	 * not below the memcg it was listed in: the process alone is killed */
	bool cgroup_refused;
	/* the victim's own cgroup was killed this often in the slice's
	 * respawn_window_ms: this kill takes the whole cgroup (a loop) */
	unsigned int respawn_kills;
	bool respawn;                 /* the whole cgroup goes because of that loop */
	int guard;                    /* index of the domain's guard, -1: none free */
	/* the numbers behind it */
	uint64_t ago_ms;              /* KERNEL_RECENT: since the kernel's kill; STILL_EXITING: ours */
	pid_t waiting_for;            /* GUARDED: our last victim */
	size_t nr_cands, nr_seen;
	/* what to log, after the signal */
	enum lrg_oom_say say;         /* the one line of a decision that kills nobody */
	bool list;                    /* the decision's header and its top candidates */
	const struct lrg_oom_candidate *top[LRG_OOM_TOP_LOGGED];
	size_t nr_top;
	bool event;                   /* a journal event: the kill, or no eligible victim */
};

void lrg_oom_state_init(struct lrg_oom_state *st);

/*
 * Note the kernel's OOM kill count from a look at the machine. Returns true
 * while the kernel's last kill is recent: kill_timeout_ms since its count
 * moved, and until its victim's memory is back (at most ten timeouts).
 */
bool lrg_oom_note_kernel(struct lrg_oom_state *st, const struct lrg_pressure *machine,
			 uint32_t kill_timeout_ms, uint64_t now_ms);

/* Is the growth baseline due again? machine may be NULL (not read). */
bool lrg_oom_baseline_due(const struct lrg_oom_state *st, const struct lrg_pressure *machine,
			  uint64_t now_ms);
void lrg_oom_baseline_taken(struct lrg_oom_state *st, uint64_t now_ms);

/*
 * The first step of a decision, before the candidates are read: true when
 * it ends here (the kernel acted recently, or the pressure is gone) and
 * *ret says why; false when the candidates are needed.
 */
bool lrg_oom_decide_early(struct lrg_oom_state *st, const struct lrg_oom_request *req,
			  const struct lrg_oom_look *look, const struct lrg_config *cfg,
			  uint64_t now_ms, struct lrg_oom_verdict *ret);

/* The decision on the candidates: *ret points into facts->c and req. */
void lrg_oom_decide(struct lrg_oom_state *st, const struct lrg_oom_request *req,
		    const struct lrg_oom_facts *facts, const struct lrg_config *cfg,
		    uint64_t now_ms, struct lrg_oom_verdict *ret);

/* After the act: count the outcome and arm the domain's guard.
 * kill_result is the signal's 0 or -errno (0 when none was sent). */
void lrg_oom_record(struct lrg_oom_state *st, const struct lrg_oom_verdict *v, int kill_result,
		    uint64_t now_ms);

/* Is path (a cgroup path) the domain's cgroup or below it? "/" holds all.
 * Inline: the host's candidate reader needs it without the ranking. */
static inline bool lrg_oom_in_domain(const char *domain, const char *path)
{
	size_t n = strlen(domain);

	if (!strcmp(domain, "/"))
		return true;
	return !strncmp(domain, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* lrg_oom_select() with the config's global protect patterns; each
 * candidate's slice is a fact the caller matched. */
int lrg_oom_rank_candidates(struct lrg_oom_candidate *c, size_t n, const struct lrg_config *cfg,
			    uint64_t total_pages, size_t *ret_index);

#endif /* LRG_OOM_DECIDE_H */
