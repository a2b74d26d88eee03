// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_decide.c - the OOM decision (see the header): what the daemon did
 * between the request and the signal, minus every read and every log line.
 */
#include <string.h>

#include "oom_decide.h"
#include "oom_select.h"
#include "ttl.h"

/* Growth is measured against a baseline refreshed this often while no OOM
 * request arrives; during an episode the baseline stays frozen. */
#define BASELINE_WINDOW_MS 30000
#define BASELINE_MAX_AGE_MS 600000 /* a baseline this old is retaken even under pressure */
#define EPISODE_PSI_SOME 1.0       /* % of time some task stalled on memory (avg10) */
/* after a kernel OOM kill, wait at most this many kill_timeout_ms for its
 * victim's memory to come back before deciding again */
#define KERNEL_KILL_MAX_WAIT 10
/*
 * The shortest wait after a kernel OOM kill: its count is read before the
 * figures, so the first look after it may predate the reaping.
 */
#define KERNEL_KILL_MIN_WAIT_MS 1000

void lrg_oom_state_init(struct lrg_oom_state *st)
{
	memset(st, 0, sizeof(*st));
}

/*
 * Did the kernel's OOM killer act recently? Its victim's memory is being
 * reaped, and the pressure figures the request carries predate that: a
 * kill now would be a second kill for one incident.
 */
bool lrg_oom_note_kernel(struct lrg_oom_state *st, const struct lrg_pressure *p,
			 uint32_t kill_timeout_ms, uint64_t now_ms)
{
	if (!st->kernel_kills_known) {
		st->kernel_kills = p->oom_kills;
		st->kernel_kills_known = true;
		return false;
	}
	if (p->oom_kills != st->kernel_kills) {
		st->kernel_kills = p->oom_kills;
		st->kernel_kill_ms = now_ms;
		st->kernel_kill_settling = true;
	}
	if (!st->kernel_kill_ms)
		return false;
	/*
	 * As for a victim of our own: no new kill until the kernel's
	 * victim's memory is back. Freeing hundreds of MiB (some of it in
	 * zram) can take longer than kill_timeout_ms under load, and a
	 * decision in between sees the machine still short and a runaway no
	 * longer among the candidates: the largest bystander would die (seen
	 * in the VM: the stand-in, 3 s after the kernel killed tail). Memory
	 * is back once the machine is no longer under pressure; at most
	 * KERNEL_KILL_MAX_WAIT kill timeouts are waited.
	 *
	 * Once it is back, a new pressure is a new incident, even within
	 * kill_timeout_ms: a runaway its shell restarts fills memory again in
	 * about 3 s, and waiting kill_timeout_ms after each of the kernel's
	 * kills left every copy to the kernel (S4 of bench/oom-bench.sh: 25
	 * of 29 runaways).
	 */
	if (st->kernel_kill_settling && !lrg_under_pressure(p, true) &&
	    now_ms - st->kernel_kill_ms >= KERNEL_KILL_MIN_WAIT_MS) {
		st->kernel_kill_settling = false;
		st->kernel_settled_ms = now_ms;
	}
	return st->kernel_kill_settling &&
	       now_ms - st->kernel_kill_ms < KERNEL_KILL_MAX_WAIT * (uint64_t)kill_timeout_ms;
}

/*
 * The last look before the signal. The kernel's OOM killer can act between
 * the look at its count that opens a decision and the kill: reading the
 * candidates takes a while (every process's status under /proc), and by
 * then its victim is gone, or shows no memory because the oom reaper has
 * already taken it, so the largest bystander leads the list. Seen in the
 * VM (S1 of bench/oom-bench.sh): the kernel killed tail, and lrugend the
 * stand-in as "largest" right after. The count read after the candidates
 * narrows that window to the decision and the signal's own system call.
 */
static bool kernel_acted_meanwhile(struct lrg_oom_state *st, const struct lrg_pressure *p,
				   uint32_t kill_timeout_ms, uint64_t now_ms)
{
	if (!st->kernel_kills_known || !p || p->oom_kills == st->kernel_kills)
		return false;
	lrg_oom_note_kernel(st, p, kill_timeout_ms, now_ms);   /* records it, and the wait that follows */
	return true;
}

bool lrg_oom_baseline_due(const struct lrg_oom_state *st, const struct lrg_pressure *machine,
			  uint64_t now_ms)
{
	/* Frozen while an episode goes on, so a runaway's growth stays visible. */
	if (st->base_ms && now_ms - st->base_ms < BASELINE_WINDOW_MS)
		return false;
	if (st->last_request_ms && now_ms - st->last_request_ms < BASELINE_WINDOW_MS)
		return false;
	/*
	 * Nor is it retaken while the machine stalls or is short of memory,
	 * even before any OOM request: a runaway fills memory in seconds and
	 * the thrash that follows can last longer than the window, and a
	 * baseline taken then would show the runaway as grown by nothing
	 * (seen in the VM: "grew 0 KiB", and the ranking fell back to size).
	 * The baseline is the last calm moment; on a machine that is never
	 * calm, at most BASELINE_MAX_AGE_MS old.
	 */
	return !(machine && st->base_ms && now_ms - st->base_ms < BASELINE_MAX_AGE_MS &&
		 (machine->psi_some_avg10 >= EPISODE_PSI_SOME || lrg_under_pressure(machine, true)));
}

void lrg_oom_baseline_taken(struct lrg_oom_state *st, uint64_t now_ms)
{
	st->base_ms = now_ms;
}

/* The domain's guard (or once lifted, the record of its last victim, which
 * the decision must know if it is chosen again); -1 if none is free. */
static int guard_for(struct lrg_oom_state *st, uint64_t memcg_id)
{
	int free_slot = -1, idle = -1;

	for (int i = 0; i < LRG_OOM_MAX_DOMAINS; i++) {
		const struct lrg_oom_guard *s = &st->guards[i];

		if (s->memcg_id == memcg_id && (s->active || s->pid))
			return i;
		if (!s->active && !s->pid && free_slot < 0)
			free_slot = i;
		if (!s->active && idle < 0)
			idle = i;
	}
	if (free_slot < 0)
		free_slot = idle;
	if (free_slot >= 0)
		st->guards[free_slot] = (struct lrg_oom_guard){ .memcg_id = memcg_id, .recent = -1 };
	return free_slot;
}

/* The domain's guard or record as guard_for finds it, without taking a
 * slot for it; -1 if it has none. */
static int guard_of(const struct lrg_oom_state *st, uint64_t memcg_id)
{
	for (int i = 0; i < LRG_OOM_MAX_DOMAINS; i++)
		if (st->guards[i].memcg_id == memcg_id && (st->guards[i].active || st->guards[i].pid))
			return i;
	return -1;
}

static bool victim_alive(const struct lrg_oom_facts *f, const struct lrg_oom_guard *g)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->c[i].pid == g->pid && f->c[i].start_time == g->start_time)
			return true;
	return false;
}

/* The victim's own cgroup, as remembered with its kill, or NULL. */
static const char *guard_cgroup(const struct lrg_oom_state *st, const struct lrg_oom_guard *g)
{
	const struct lrg_oom_recent_kill *k;

	if (g->recent < 0 || g->recent >= LRG_OOM_RECENT_KILLS)
		return NULL;
	k = &st->recent[g->recent];
	return k->ms && k->ms == g->recent_ms ? k->cgroup : NULL;
}

/*
 * Whether the victim's own cgroup goes on growing without it: its other
 * processes grew at least half of what the victim held. That is a runaway
 * split over several processes, whose next piece fills memory again
 * before the victim's share shows as returned; waiting for it would leave
 * the next choice to the kernel's OOM killer, which takes the largest
 * process, often a bystander.
 */
static bool group_grows_on(const struct lrg_oom_facts *f, const char *cgroup, uint64_t victim_bytes)
{
	uint64_t pages = 0;

	if (!cgroup)
		return false;
	for (size_t i = 0; i < f->n; i++)
		if (f->c[i].own_cgroup && !strcmp(f->c[i].own_cgroup, cgroup))
			pages += f->c[i].growth_pages;
	return pages * LRG_PAGE_SIZE >= victim_bytes / 2;
}

/*
 * The guard lifts when the victim is gone and the domain got at least half
 * of its memory back, or its own cgroup grows on without it, or when
 * kill_timeout_ms has passed both since the kill and since the victim
 * went: a victim that exits late (or, in a dry run, is ended by someone
 * else) frees its memory over seconds after it leaves the process list,
 * and until then the pressure figures still count it, so the next choice
 * would be a bystander.
 */
static bool guard_holds(struct lrg_oom_guard *g, const char *cgroup, const struct lrg_oom_facts *f,
			uint32_t timeout, uint64_t now_ms, const struct lrg_pressure *p)
{
	bool alive;

	if (!g->active)
		return false;
	alive = victim_alive(f, g);
	/* Requests come only under pressure, so "first seen gone" may be a
	 * while after it went; past twice the timeout from the kill, a guard
	 * no request came to for that long is stale and lifts. */
	if (!alive && !g->gone_ms)
		g->gone_ms = now_ms;
	if ((now_ms - g->since_ms >= timeout &&
	     (alive || now_ms - g->gone_ms >= timeout || now_ms - g->since_ms >= 2ULL * timeout)) ||
	    (!alive && p->usage + g->victim_bytes / 2 <= g->usage_at_kill) ||
	    (!alive && group_grows_on(f, cgroup, g->victim_bytes))) {
		g->active = false;
		g->lifted_ms = now_ms;
		return false;
	}
	return true;
}

/*
 * The oldest thrash evidence a decision may still rest on. Refaults and
 * stalls seen before a victim's memory came back (ours: the domain's guard
 * lifted; the kernel's: the machine out of pressure) were the victim's
 * doing; the survivors then read back what the thrash took. Only a window
 * that began after that says the working set is still being lost.
 */
static uint64_t evidence_floor(const struct lrg_oom_state *st, const struct lrg_oom_guard *g)
{
	uint64_t floor = g ? g->lifted_ms : 0;

	if (st->kernel_kill_ms > floor)
		floor = st->kernel_kill_ms;
	if (st->kernel_settled_ms > floor)
		floor = st->kernel_settled_ms;
	return floor;
}

/* How fast memory and swap fell from the request's figures to the look's:
 * over 100 ms apart, the fall between them (0 if none: it stopped);
 * closer, the request's own rate. */
static uint64_t reserve_fall(const struct lrg_pressure *then, const struct lrg_pressure *now)
{
	uint64_t a = lrg_kernel_available(then) + then->swap_free;
	uint64_t b = lrg_kernel_available(now) + now->swap_free;

	if (now->now_ms < then->now_ms + 100)
		return then->reserve_drop_bps;
	return a > b ? (a - b) * 1000 / (now->now_ms - then->now_ms) : 0;
}

/*
 * The look before the kill: is the request still right? One filed because
 * free memory ran out needs the domain still under pressure. One filed on
 * the thrash rule was filed with memory that looks available (the page
 * cache being thrashed counts as available, which is why that rule
 * exists), so low free memory is no test for it: it stands unless memory
 * was freed since (a process exited, a limit was raised), 1/32 of the
 * domain's size, more than reclaim frees between two looks of one tick.
 * Without this, every thrash decision of a machine with MemAvailable above
 * its 1/64 mark was dropped here and the thrash went on until nothing was
 * left to evict (the S3 slow leak of bench/oom-bench.sh: 20 to 38 s).
 */
static bool still_needed(const struct lrg_oom_request *req, const struct lrg_pressure *now)
{
	const struct lrg_pressure *then = &req->pressure;
	uint64_t size = req->global ? then->mem_total : then->limit;
	struct lrg_pressure look = *now;

	/* the rate memory fell at, and the page cache memory.min holds, are
	 * the policy's: as the request saw them */
	if (!look.avail_drop_bps)
		look.avail_drop_bps = then->avail_drop_bps;
	look.reserve_drop_bps = reserve_fall(then, now);
	if (!look.protected_file)
		look.protected_file = then->protected_file;
	if (lrg_under_pressure(&look, req->global) || (req->global && lrg_exhaustion_ahead(&look)))
		return true;
	if (!req->thrashing)
		return false;
	if (req->global)
		return now->mem_available < then->mem_available + size / 32;
	return now->usage + size / 32 > then->usage;
}

/*
 * What the journal and the log call the OOM domain: "machine", or the path
 * of the memory cgroup at its limit (the slice name, whose min_ttl is at
 * stake, names something else: the slice of the youngest refusing cgroup,
 * which for the machine can be any slice).
 */
static void verdict_init(struct lrg_oom_verdict *v, const struct lrg_oom_request *req,
			 const char *domain_path, const struct lrg_config *cfg)
{
	memset(v, 0, sizeof(*v));
	v->req = req;
	v->domain = req->global ? LRG_ROOT_MEMCG : req->memcg_id;
	v->domain_name = req->global ? "machine" : domain_path ? domain_path : req->slice;
	v->dry_run = cfg->daemon.dry_run;
	v->guard = -1;
}

static uint64_t evidence_floor(const struct lrg_oom_state *st, const struct lrg_oom_guard *g);
static void stale_thrash(struct lrg_oom_state *st, uint64_t floor, struct lrg_oom_verdict *v);

bool lrg_oom_decide_early(struct lrg_oom_state *st, const struct lrg_oom_request *req,
			  const struct lrg_oom_look *look, const struct lrg_config *cfg,
			  uint64_t now_ms, struct lrg_oom_verdict *ret)
{
	const struct lrg_pressure *domain = req->global ? look->machine : look->domain;

	verdict_init(ret, req, look->domain_path, cfg);
	st->stats.decisions++;
	st->last_request_ms = now_ms;
	/*
	 * The request was made from figures taken earlier in this tick (and
	 * PSI averages lag by design). Look again right before choosing: if
	 * the kernel's OOM killer acted meanwhile, or the domain is no longer
	 * under pressure, a kill now would hit a bystander.
	 */
	if (look->machine &&
	    lrg_oom_note_kernel(st, look->machine, cfg->daemon.kill_timeout_ms, now_ms)) {
		ret->kind = LRG_OOM_KERNEL_RECENT;
		ret->ago_ms = now_ms - st->kernel_kill_ms;
	} else if (domain && !still_needed(req, domain)) {
		ret->kind = LRG_OOM_PRESSURE_GONE;
	} else {
		/*
		 * Thrash evidence from before the last victim's memory came
		 * back, with that victim's guard lifted: lrg_oom_decide would
		 * skip it for the same reason, after reading every process.
		 * A request comes every tick while it lasts (30 in a second
		 * S4 incident), each read of /proc seconds of CPU in all.
		 */
		int gi = guard_of(st, ret->domain);
		const struct lrg_oom_guard *g = gi >= 0 ? &st->guards[gi] : NULL;
		uint64_t floor = evidence_floor(st, g);

		if (!req->thrashing || (g && g->active) || req->evidence_ms >= floor)
			return false;
		ret->guard = gi;
		stale_thrash(st, floor, ret);
		return true;
	}
	st->stats.guarded++;
	ret->say = LRG_OOM_SAY_NOTICE;
	return true;
}

/* Does the decision wait: for our last victim's memory, or for thrash
 * evidence from after it came back? */
static bool waits(struct lrg_oom_state *st, struct lrg_oom_guard *g, const struct lrg_oom_facts *f,
		  uint32_t timeout, uint64_t now_ms, struct lrg_oom_verdict *v)
{
	const struct lrg_oom_request *req = v->req;
	uint64_t floor;

	if (g && guard_holds(g, guard_cgroup(st, g), f, timeout, now_ms, &req->pressure)) {
		st->stats.guarded++;
		v->kind = LRG_OOM_GUARDED;
		v->waiting_for = g->pid;
		return true;
	}
	floor = evidence_floor(st, g);
	if (!req->thrashing || req->evidence_ms >= floor)
		return false;
	stale_thrash(st, floor, v);
	return true;
}

/* v skips thrash evidence older than floor: one notice per domain and
 * floor, the rest at debug level. */
static void stale_thrash(struct lrg_oom_state *st, uint64_t floor, struct lrg_oom_verdict *v)
{
	bool again = st->stale_logged && st->stale_domain == v->domain && st->stale_floor == floor;

	st->stats.guarded++;
	v->kind = LRG_OOM_STALE_THRASH;
	v->say = again ? LRG_OOM_SAY_DEBUG : LRG_OOM_SAY_NOTICE;
	st->stale_logged = true;
	st->stale_domain = v->domain;
	st->stale_floor = floor;
}

/* Insert c into the verdict's top list, best first. */
static void top_insert(struct lrg_oom_verdict *v, const struct lrg_oom_candidate *c)
{
	size_t n = v->nr_top, i = n < LRG_OOM_TOP_LOGGED ? n : LRG_OOM_TOP_LOGGED - 1;

	if (n == LRG_OOM_TOP_LOGGED && lrg_oom_compare(c, v->top[i]) <= 0)
		return;
	while (i > 0 && lrg_oom_compare(c, v->top[i - 1]) > 0) {
		v->top[i] = v->top[i - 1];
		i--;
	}
	v->top[i] = c;
	if (n < LRG_OOM_TOP_LOGGED)
		v->nr_top++;
}

/* How often own was a victim's cgroup within window_ms before now_ms. */
static unsigned int recent_kills(const struct lrg_oom_state *st, const char *own,
				 uint32_t window_ms, uint64_t now_ms)
{
	unsigned int n = 0;

	for (size_t i = 0; i < LRG_OOM_RECENT_KILLS; i++) {
		const struct lrg_oom_recent_kill *k = &st->recent[i];

		if (k->ms && k->ms <= now_ms && now_ms - k->ms < window_ms && !strcmp(k->cgroup, own))
			n++;
	}
	return n;
}

/* A cgroup that may go whole: the victim's own, below the domain and the
 * memcg it was listed in, and not a slice, which groups other units. */
static bool own_cgroup_killable(const struct lrg_oom_candidate *c, const char *domain_path)
{
	const char *own = c->own_cgroup;
	size_t n = own ? strlen(own) : 0;

	if (!own || !strcmp(own, "/") || (n >= 6 && !strcmp(own + n - 6, ".slice")))
		return false;
	return lrg_oom_in_domain(domain_path, own) && lrg_oom_in_domain(c->cgroup ? c->cgroup : "/", own);
}

/* The victim, and what of it dies: the process, or for oom = cgroup and
 * for a respawn loop its own cgroup, never the memcg it was listed in nor
 * an ancestor of it, which can hold other units. */
static void aim(const struct lrg_oom_state *st, struct lrg_oom_verdict *v,
		const struct lrg_oom_candidate *c, const char *domain_path, uint64_t now_ms)
{
	const struct lrg_slice_config *s = c->slice;
	bool killable = own_cgroup_killable(c, domain_path);
	bool loop = false;

	v->victim = c;
	v->kill = (struct lrg_kill_req){ .pid = c->pid, .start_time = c->start_time,
					 .memcg_id = c->memcg_id, .release = true };
	if (s && s->respawn_kills > 0 && killable) {
		v->respawn_kills = recent_kills(st, c->own_cgroup, s->respawn_window_ms, now_ms);
		loop = v->respawn_kills + 1 >= (unsigned int)s->respawn_kills;
	}
	if (!loop && (!s || s->oom != LRG_OOM_CGROUP))
		return;
	if (killable) {
		v->kill.whole_cgroup = true;
		v->kill_cgroup = c->own_cgroup;
		v->respawn = loop;
	} else {
		v->cgroup_refused = true;
	}
}

void lrg_oom_decide(struct lrg_oom_state *st, const struct lrg_oom_request *req,
		    const struct lrg_oom_facts *f, const struct lrg_config *cfg,
		    uint64_t now_ms, struct lrg_oom_verdict *v)
{
	uint32_t timeout = cfg->daemon.kill_timeout_ms;
	struct lrg_oom_guard *g;
	size_t idx = 0;
	int r;

	verdict_init(v, req, f->domain_path, cfg);
	v->nr_cands = f->n;
	v->nr_seen = f->nr_seen;
	/* A choice among part of the domain can spare the runaway that was
	 * not read: the kernel, which sees every process, decides instead. */
	if (!f->complete) {
		v->kind = LRG_OOM_INCOMPLETE;
		v->say = LRG_OOM_SAY_WARNING;
		return;
	}
	v->guard = guard_for(st, v->domain);
	g = v->guard >= 0 ? &st->guards[v->guard] : NULL;
	if (waits(st, g, f, timeout, now_ms, v))
		return;
	r = lrg_oom_rank_candidates(f->c, f->n, cfg, req->pressure.mem_total / LRG_PAGE_SIZE, &idx);
	v->kind = r < 0 ? LRG_OOM_NO_VICTIM : LRG_OOM_KILL;
	if (r < 0 && st->no_victim_ms && st->no_victim_domain == v->domain &&
	    now_ms - st->no_victim_ms < timeout) {
		/* said already, with the reasons; the kernel's OOM killer may act */
		st->stats.no_victim++;
		return;
	}
	/* With no victim, every candidate is excluded: list those instead, so
	 * the log says why the largest ones were passed over (protected,
	 * oom=never, min_ttl_ms=0). */
	v->list = true;
	for (size_t i = 0; i < f->n; i++)
		if (r < 0 || f->c[i].tier != LRG_TIER_EXCLUDED)
			top_insert(v, &f->c[i]);
	if (r < 0) {
		st->stats.no_victim++;
		st->no_victim_domain = v->domain;
		st->no_victim_ms = now_ms;
		v->event = true;
		return;
	}
	aim(st, v, &f->c[idx], f->domain_path, now_ms);
	/*
	 * Our last victim again: killed, but still exiting after
	 * kill_timeout_ms (freeing hundreds of MiB takes seconds on a loaded
	 * machine; cgroup.kill is asynchronous). Signalling it again is
	 * harmless, but it is the same kill, not a second event, count or
	 * notification; then wait once more.
	 */
	if (!v->dry_run && g && g->pid == v->victim->pid && g->start_time == v->victim->start_time) {
		v->kind = LRG_OOM_STILL_EXITING;
		v->ago_ms = now_ms - g->since_ms;
	} else if (kernel_acted_meanwhile(st, f->machine_after, timeout, now_ms)) {
		v->kind = LRG_OOM_KERNEL_MEANWHILE;
	} else {
		v->event = true;
		return;
	}
	st->stats.guarded++;
	v->say = LRG_OOM_SAY_NOTICE;
}

/* Returns the entry the kill went to, or -1 when its cgroup is not known. */
static int remember_kill(struct lrg_oom_state *st, const struct lrg_oom_verdict *v,
			 uint64_t now_ms)
{
	int at = st->recent_next;
	struct lrg_oom_recent_kill *k = &st->recent[at];
	const char *own = v->victim->own_cgroup;
	size_t n = own ? strlen(own) : sizeof(k->cgroup);

	if (n >= sizeof(k->cgroup))
		return -1;
	k->ms = now_ms ? now_ms : 1;
	memcpy(k->cgroup, own, n + 1);
	st->recent_next = (st->recent_next + 1) % LRG_OOM_RECENT_KILLS;
	return at;
}

void lrg_oom_record(struct lrg_oom_state *st, const struct lrg_oom_verdict *v, int kill_result,
		    uint64_t now_ms)
{
	struct lrg_oom_guard *g = v->guard >= 0 ? &st->guards[v->guard] : NULL;
	int recent;

	if (v->kind == LRG_OOM_STILL_EXITING && g) {
		g->active = true;
		g->since_ms = now_ms;
	}
	if (v->kind != LRG_OOM_KILL)
		return;
	if (kill_result < 0) {
		st->stats.kill_errors++;
		return;
	}
	if (v->dry_run)
		st->stats.dry_run_kills++;
	else
		st->stats.kills++;
	if (v->respawn)
		st->stats.respawn_escalations++;
	recent = remember_kill(st, v, now_ms);
	/* In a dry run the guard still holds, so one episode logs one decision. */
	if (g)
		*g = (struct lrg_oom_guard){ .memcg_id = g->memcg_id, .active = true, .since_ms = now_ms,
					     .pid = v->victim->pid, .start_time = v->victim->start_time,
					     .usage_at_kill = v->req->pressure.usage,
					     .victim_bytes = v->victim->rss_pages * LRG_PAGE_SIZE,
					     .recent = recent,
					     .recent_ms = recent >= 0 ? st->recent[recent].ms : 0 };
}

int lrg_oom_rank_candidates(struct lrg_oom_candidate *c, size_t n, const struct lrg_config *cfg,
			    uint64_t total_pages, size_t *ret_index)
{
	return lrg_oom_select(c, n, &cfg->daemon.protect, total_pages, ret_index);
}
