// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom.c - the OOM decision, acted on.
 *
 * The seeds' review worried about overkill: in-kernel MGLRU calls
 * out_of_memory() from kswapd and only a racy oom_reaping_in_progress()
 * check keeps a second victim alive while the first one's memory is still
 * being reaped. Here each OOM domain (the machine, or one memcg at its
 * limit) has a guard: after a kill, no new kill in that domain until the
 * victim is gone and its memory is back, or kill_timeout_ms has passed.
 *
 * Everything the path needs is allocated in lrg_oom_new(), and the daemon
 * is mlock()ed, so deciding and killing never waits on reclaim.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrg_log.h"
#include "notify_desktop.h"
#include "oom.h"
#include "oom_select.h"
#include "ttl.h"

#define MAX_CANDIDATES 8192
#define MAX_MEMCGS 1024
#define MAX_DOMAINS 64
#define MAX_BASELINE 16384
#define PATH_LEN 256
#define TOP_LOGGED 5
/* RSS growth is measured against a baseline refreshed this often while no
 * OOM request arrives; during an episode the baseline stays frozen. */
#define BASELINE_WINDOW_MS 30000
#define BASELINE_MAX_AGE_MS 600000 /* a baseline this old is retaken even under pressure */
#define EPISODE_PSI_SOME 1.0       /* % of time some task stalled on memory (avg10) */
/* after a kernel OOM kill, wait at most this many kill_timeout_ms for its
 * victim's memory to come back before deciding again */
#define KERNEL_KILL_MAX_WAIT 10

struct guard {
	uint64_t memcg_id;
	bool active;
	uint64_t since_ms;
	pid_t pid;
	uint64_t start_time;
	uint64_t usage_at_kill;   /* domain usage when we killed */
	uint64_t victim_bytes;
	uint64_t gone_ms;         /* when the victim was first seen gone, 0 = not yet */
	uint64_t lifted_ms;       /* when the guard last lifted: its memory back */
};

struct baseline {
	uint64_t mm_key;
	uint64_t rss_pages;
};

struct lrg_oom {
	struct lrg_backend *b;
	const struct lrg_config *cfg;
	struct guard guards[MAX_DOMAINS];
	struct lrg_oom_candidate *cands;
	char (*exe)[PATH_LEN];
	size_t nr_cands;
	struct lrg_memcg_info *memcgs;
	size_t nr_memcgs;
	struct baseline *base, *next_base;
	size_t nr_base, nr_next_base;
	uint64_t base_ms, last_request_ms;
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
	/* the domain being served, for the list callbacks */
	const char *domain_path;
	struct lrg_oom_stats stats;
};

int lrg_oom_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_oom **ret)
{
	struct lrg_oom *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->b = b;
	o->cfg = cfg;
	o->cands = calloc(MAX_CANDIDATES, sizeof(*o->cands));
	o->exe = calloc(MAX_CANDIDATES, sizeof(*o->exe));
	o->memcgs = calloc(MAX_MEMCGS, sizeof(*o->memcgs));
	o->base = calloc(MAX_BASELINE, sizeof(*o->base));
	o->next_base = calloc(MAX_BASELINE, sizeof(*o->next_base));
	if (!o->cands || !o->exe || !o->memcgs || !o->base || !o->next_base) {
		lrg_oom_free(o);
		return -ENOMEM;
	}
	*ret = o;
	return 0;
}

/*
 * Did the kernel's OOM killer act recently? Its victim's memory is being
 * reaped, and the pressure figures the request carries predate that: a
 * kill now would be a second kill for one incident. Returns true while
 * kill_timeout_ms has not passed since the kernel's count last moved.
 */
static bool kernel_killed_recently(struct lrg_oom *o, const struct lrg_pressure *now_p,
				   uint64_t now_ms)
{
	if (!o->kernel_kills_known) {
		o->kernel_kills = now_p->oom_kills;
		o->kernel_kills_known = true;
		return false;
	}
	if (now_p->oom_kills != o->kernel_kills) {
		o->kernel_kills = now_p->oom_kills;
		o->kernel_kill_ms = now_ms;
		o->kernel_kill_settling = true;
	}
	if (!o->kernel_kill_ms)
		return false;
	if (now_ms - o->kernel_kill_ms < o->cfg->daemon.kill_timeout_ms)
		return true;
	/*
	 * As for a victim of our own: no new kill until the kernel's
	 * victim's memory is back. Freeing hundreds of MiB (some of it in
	 * zram) can take longer than kill_timeout_ms under load, and a
	 * decision in between sees the machine still short and a runaway no
	 * longer among the candidates: the largest bystander would die (seen
	 * in the VM: the stand-in, 3 s after the kernel killed tail). Memory
	 * is back once the machine is no longer under pressure; at most
	 * KERNEL_KILL_MAX_WAIT kill timeouts are waited.
	 */
	if (o->kernel_kill_settling && !lrg_under_pressure(now_p, true)) {
		o->kernel_kill_settling = false;
		o->kernel_settled_ms = now_ms;
	}
	return o->kernel_kill_settling &&
	       now_ms - o->kernel_kill_ms < KERNEL_KILL_MAX_WAIT * (uint64_t)o->cfg->daemon.kill_timeout_ms;
}

/*
 * The last look before the signal. The kernel's OOM killer can act between
 * the look at its count that opens a decision and the kill: reading the
 * candidates takes a while (every process's status under /proc), and by
 * then its victim is gone, or shows no memory because the oom reaper has
 * already taken it, so the largest bystander leads the list. Seen in the
 * VM (S1 of bench/oom-bench.sh): the kernel killed tail, and lrugend the
 * stand-in as "largest" right after. One more read of the count narrows
 * that window to the signal's own system call.
 */
static bool kernel_acted_meanwhile(struct lrg_oom *o, uint64_t now_ms)
{
	struct lrg_pressure p;

	if (!o->kernel_kills_known || o->b->ops->measure(o->b, LRG_ROOT_MEMCG, &p) < 0 ||
	    p.oom_kills == o->kernel_kills)
		return false;
	kernel_killed_recently(o, &p, now_ms);   /* records it, and the wait that follows */
	return true;
}

void lrg_oom_set_config(struct lrg_oom *o, const struct lrg_config *cfg)
{
	o->cfg = cfg;
}

void lrg_oom_free(struct lrg_oom *o)
{
	if (!o)
		return;
	free(o->cands);
	free(o->exe);
	free(o->memcgs);
	free(o->base);
	free(o->next_base);
	free(o);
}

void lrg_oom_get_stats(const struct lrg_oom *o, struct lrg_oom_stats *ret)
{
	*ret = o->stats;
}

static int collect_memcg(void *ctx, const struct lrg_memcg_info *mc)
{
	struct lrg_oom *o = ctx;

	if (o->nr_memcgs >= MAX_MEMCGS)
		return 0;
	o->memcgs[o->nr_memcgs++] = *mc;
	return 0;
}

static const char *memcg_path(const struct lrg_oom *o, uint64_t id)
{
	for (size_t i = 0; i < o->nr_memcgs; i++)
		if (o->memcgs[i].id == id)
			return o->memcgs[i].path;
	return "/";
}

/*
 * What the journal and the log call the OOM domain: "machine", or the
 * path of the memory cgroup at its limit (the slice name, whose min_ttl is
 * at stake, names something else: the slice of the youngest refusing
 * cgroup, which for the machine can be any slice).
 */
static const char *domain_name(const struct lrg_oom *o, const struct lrg_oom_request *req)
{
	if (req->global)
		return "machine";
	for (size_t i = 0; i < o->nr_memcgs; i++)
		if (o->memcgs[i].id == req->memcg_id)
			return o->memcgs[i].path;
	return req->slice;
}

static const char *domain_label(const struct lrg_oom *o, const struct lrg_oom_request *req)
{
	return req->global ? "the machine" : domain_name(o, req);
}

static int record_baseline(void *ctx, const struct lrg_mm_info *mm)
{
	struct lrg_oom *o = ctx;

	if (o->nr_next_base < MAX_BASELINE)
		o->next_base[o->nr_next_base++] = (struct baseline){ mm->mm_key, mm->nr_anon + mm->nr_file };
	return 0;
}

void lrg_oom_observe(struct lrg_oom *o, uint64_t now_ms)
{
	struct lrg_pressure mp;
	struct baseline *t;
	bool measured = o->b->ops->measure(o->b, LRG_ROOT_MEMCG, &mp) == 0;

	if (measured)
		kernel_killed_recently(o, &mp, now_ms);

	/* Frozen while an episode goes on, so a runaway's growth stays visible. */
	if (o->base_ms && now_ms - o->base_ms < BASELINE_WINDOW_MS)
		return;
	if (o->last_request_ms && now_ms - o->last_request_ms < BASELINE_WINDOW_MS)
		return;
	/*
	 * Nor is it retaken while the machine stalls or is short of memory,
	 * even before any OOM request: a runaway fills memory in seconds and
	 * the thrash that follows can last longer than the window, and a
	 * baseline taken then would show the runaway as grown by nothing
	 * (seen in the VM: "grew 0 KiB", and the ranking fell back to size).
	 * The baseline is the last calm moment; on a machine that is never
	 * calm, at most BASELINE_MAX_AGE_MS old.
	 */
	if (measured && o->base_ms && now_ms - o->base_ms < BASELINE_MAX_AGE_MS &&
	    (mp.psi_some_avg10 >= EPISODE_PSI_SOME || lrg_under_pressure(&mp, true)))
		return;
	o->nr_next_base = 0;
	o->nr_memcgs = 0;
	if (o->b->ops->list_memcgs(o->b, collect_memcg, o) < 0)
		return;
	for (size_t i = 0; i < o->nr_memcgs; i++)
		if (o->b->ops->list_mms(o->b, o->memcgs[i].id, record_baseline, o) < 0)
			return;
	t = o->base;
	o->base = o->next_base;
	o->next_base = t;
	o->nr_base = o->nr_next_base;
	o->base_ms = now_ms;
}

static uint64_t baseline_of(const struct lrg_oom *o, uint64_t mm_key)
{
	for (size_t i = 0; i < o->nr_base; i++)
		if (o->base[i].mm_key == mm_key)
			return o->base[i].rss_pages;
	return 0; /* born during the episode: all of it is growth */
}

/* Is path inside the domain (the domain's cgroup or below it)? */
static bool in_domain(const char *domain, const char *path)
{
	size_t n = strlen(domain);

	if (!strcmp(domain, "/"))
		return true;
	return !strncmp(domain, path, n) && (path[n] == '\0' || path[n] == '/');
}

static int collect_candidate(void *ctx, const struct lrg_mm_info *mm)
{
	struct lrg_oom *o = ctx;
	struct lrg_oom_candidate *c;
	const char *path = memcg_path(o, mm->memcg_id);
	uint64_t rss = mm->nr_anon + mm->nr_file, base;
	char link[64];
	ssize_t len;

	if (o->nr_cands >= MAX_CANDIDATES || !in_domain(o->domain_path, path))
		return 0;
	c = &o->cands[o->nr_cands];
	memset(c, 0, sizeof(*c));
	c->pid = mm->pid;
	c->start_time = mm->start_time;
	c->memcg_id = mm->memcg_id;
	memcpy(c->comm, mm->comm, sizeof(c->comm));
	c->cgroup = path;
	c->slice = lrg_config_match(o->cfg, path);
	c->rss_pages = rss;
	base = baseline_of(o, mm->mm_key);
	c->growth_pages = rss > base ? rss - base : 0;
	c->oom_score_adj = mm->oom_score_adj;
	c->is_self = mm->pid == getpid();
	o->exe[o->nr_cands][0] = '\0';
	if (!lrg_backend_has(o->b, LRG_CAP_VIRTUAL_TIME)) {
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)mm->pid);
		len = readlink(link, o->exe[o->nr_cands], PATH_LEN - 1);
		o->exe[o->nr_cands][len > 0 ? len : 0] = '\0';
	}
	c->exe = o->exe[o->nr_cands][0] ? o->exe[o->nr_cands] : NULL;
	o->nr_cands++;
	return 0;
}

/* Gather every process of the OOM domain into the preallocated array. */
static int collect(struct lrg_oom *o, bool global, uint64_t memcg_id)
{
	int r;

	o->nr_memcgs = 0;
	o->nr_cands = 0;
	r = o->b->ops->list_memcgs(o->b, collect_memcg, o);
	if (r < 0)
		return r;
	o->domain_path = global ? "/" : memcg_path(o, memcg_id);
	for (size_t i = 0; i < o->nr_memcgs; i++) {
		if (!in_domain(o->domain_path, o->memcgs[i].path))
			continue;
		r = o->b->ops->list_mms(o->b, o->memcgs[i].id, collect_candidate, o);
		if (r < 0)
			return r;
	}
	return 0;
}

int lrg_oom_rank(struct lrg_oom *o, bool global, uint64_t memcg_id, uint64_t total_pages,
		 struct lrg_oom_candidate **ret_cands, size_t *ret_n, size_t *ret_victim,
		 bool *ret_has_victim)
{
	size_t idx = 0;
	int r = collect(o, global, memcg_id);

	if (r < 0)
		return r;
	r = lrg_oom_select(o->cands, o->nr_cands, &o->cfg->daemon.protect, total_pages, &idx);
	*ret_cands = o->cands;
	*ret_n = o->nr_cands;
	*ret_victim = idx;
	*ret_has_victim = r == 0;
	return 0;
}

static struct guard *guard_for(struct lrg_oom *o, uint64_t memcg_id)
{
	struct guard *free_slot = NULL, *idle = NULL;

	for (size_t i = 0; i < MAX_DOMAINS; i++) {
		struct guard *s = &o->guards[i];

		/* its guard, or once lifted, the record of its last victim
		 * (lrg_oom_handle must know it if it is chosen again) */
		if (s->memcg_id == memcg_id && (s->active || s->pid))
			return s;
		if (!s->active && !s->pid && !free_slot)
			free_slot = s;
		if (!s->active && !idle)
			idle = s;
	}
	if (!free_slot)
		free_slot = idle;
	if (free_slot)
		*free_slot = (struct guard){ .memcg_id = memcg_id };
	return free_slot;
}

static bool victim_alive(const struct lrg_oom *o, const struct guard *g)
{
	for (size_t i = 0; i < o->nr_cands; i++)
		if (o->cands[i].pid == g->pid && o->cands[i].start_time == g->start_time)
			return true;
	return false;
}

/*
 * The guard lifts when the victim is gone and the domain got at least half
 * of its memory back, or when kill_timeout_ms has passed both since the
 * kill and since the victim went: a victim that exits late (or, in a dry
 * run, is ended by someone else) frees its memory over seconds after it
 * leaves the process list, and until then the pressure figures still
 * count it, so the next choice would be a bystander.
 */
static bool guard_holds(struct lrg_oom *o, struct guard *g, uint64_t now_ms,
			const struct lrg_pressure *p)
{
	uint64_t timeout = o->cfg->daemon.kill_timeout_ms;
	bool alive;

	if (!g->active)
		return false;
	alive = victim_alive(o, g);
	/* Requests come only under pressure, so "first seen gone" may be a
	 * while after it went; past twice the timeout from the kill, a guard
	 * no request came to for that long is stale and lifts. */
	if (!alive && !g->gone_ms)
		g->gone_ms = now_ms;
	if (now_ms - g->since_ms >= timeout &&
	    (alive || now_ms - g->gone_ms >= timeout || now_ms - g->since_ms >= 2 * timeout)) {
		g->active = false;
		g->lifted_ms = now_ms;
		return false;
	}
	if (!alive && p->usage + g->victim_bytes / 2 <= g->usage_at_kill) {
		g->active = false;
		g->lifted_ms = now_ms;
		return false;
	}
	return true;
}

static void log_candidates(const struct lrg_oom *o, const struct lrg_oom_candidate **top, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_info("  candidate %zu: pid %d (%s) cgroup %s rss %" PRIu64 " KiB grew %" PRIu64
			 " KiB adj %d badness %" PRId64 ": %s",
			 i + 1, (int)top[i]->pid, top[i]->comm, top[i]->cgroup ? top[i]->cgroup : "?",
			 top[i]->rss_pages * 4, top[i]->growth_pages * 4, top[i]->oom_score_adj,
			 top[i]->badness, top[i]->reason);
}

/* Insert c into the sorted top list (at most TOP_LOGGED entries). */
static size_t top_insert(const struct lrg_oom_candidate **top, size_t n,
			 const struct lrg_oom_candidate *c)
{
	size_t i = n < TOP_LOGGED ? n : TOP_LOGGED - 1;

	if (n == TOP_LOGGED && lrg_oom_compare(c, top[i]) <= 0)
		return n;
	while (i > 0 && lrg_oom_compare(c, top[i - 1]) > 0) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = c;
	return n < TOP_LOGGED ? n + 1 : n;
}

static void log_kill_event(const struct lrg_oom *o, const struct lrg_oom_request *req,
			   const struct lrg_oom_candidate *v, bool whole_cgroup, bool dry, int err)
{
	char f[18][288];
	/* the two cgroup paths, whole: up to LRG_CGROUP_PATH_MAX */
	char cg_field[LRG_CGROUP_PATH_MAX + 16], domain_field[LRG_CGROUP_PATH_MAX + 16];
	const char *fields[19] = { NULL };
	char msg[256];
	int n = 0;
	const struct lrg_pressure *p = &req->pressure;

	snprintf(f[n++], sizeof(f[0]), "VICTIM_PID=%d", (int)v->pid);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_COMM=%s", v->comm);
	snprintf(cg_field, sizeof(cg_field), "VICTIM_CGROUP=%s", v->cgroup ? v->cgroup : "/");
	fields[n++] = cg_field;
	snprintf(f[n++], sizeof(f[0]), "VICTIM_RSS_KB=%" PRIu64, v->rss_pages * 4);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_GROWTH_KB=%" PRIu64, v->growth_pages * 4);
	snprintf(f[n++], sizeof(f[0]), "VICTIM_OOM_SCORE_ADJ=%d", v->oom_score_adj);
	snprintf(f[n++], sizeof(f[0]), "REASON=%s", v->reason);
	snprintf(f[n++], sizeof(f[0]), "DECISION=%s", req->reason[0] ? req->reason : "working set at risk");
	snprintf(f[n++], sizeof(f[0]), "KILL_UNIT=%s", whole_cgroup ? "cgroup" : "process");
	snprintf(domain_field, sizeof(domain_field), "OOM_DOMAIN=%s", domain_name(o, req));
	fields[n++] = domain_field;
	snprintf(f[n++], sizeof(f[0]), "TTL_SLICE=%s", req->slice);
	snprintf(f[n++], sizeof(f[0]), "MIN_TTL_MS=%u", req->min_ttl_ms);
	snprintf(f[n++], sizeof(f[0]), "OLDEST_GEN_AGE_MS=%" PRIu64, req->oldest_age_ms);
	snprintf(f[n++], sizeof(f[0]), "MEM_AVAILABLE_KB=%" PRIu64, p->mem_available / 1024);
	snprintf(f[n++], sizeof(f[0]), "SWAP_FREE_KB=%" PRIu64, p->swap_free / 1024);
	snprintf(f[n++], sizeof(f[0]), "PSI_FULL_AVG10=%.2f", p->psi_full_avg10);
	snprintf(f[n++], sizeof(f[0]), "DRY_RUN=%d", dry);
	snprintf(f[n++], sizeof(f[0]), "ERRNO=%d", -err);
	for (int i = 0; i < n; i++)
		if (!fields[i])
			fields[i] = f[i];
	fields[n] = NULL;
	snprintf(msg, sizeof(msg), "%s %s %d (%s), %" PRIu64 " KiB: %s; %s (oldest generation %" PRIu64
		 " ms, min_ttl %u ms)%s",
		 dry ? "would kill" : err ? "failed to kill" : "killed",
		 whole_cgroup ? "cgroup of pid" : "pid", (int)v->pid, v->comm, v->rss_pages * 4,
		 v->reason, req->reason[0] ? req->reason : "working set at risk", req->oldest_age_ms,
		 req->min_ttl_ms, dry ? " (dry run)" : "");
	lrg_log_event(err ? LOG_ERR : LOG_WARNING, LRG_MESSAGE_ID_KILL, msg, fields);
}

/* After the kill: tell the victim's desktop session, if it has one. */
static void notify_session(const struct lrg_oom *o, const struct lrg_oom_request *req, const struct lrg_oom_candidate *v,
			   bool whole_cgroup)
{
	struct lrg_kill_note note = { .pid = v->pid, .rss_kb = v->rss_pages * (LRG_PAGE_SIZE / 1024),
				      .reason = v->reason, .whole_cgroup = whole_cgroup,
				      .domain = domain_name(o, req) };
	long uid = lrg_session_uid_of_cgroup(v->cgroup);
	int r;

	memcpy(note.comm, v->comm, sizeof(note.comm));
	note.comm[sizeof(note.comm) - 1] = '\0';
	r = lrg_notify_desktop_kill("/run/user", uid, &note);
	if (r < 0)
		log_debug("no desktop notification for pid %d (uid %ld): %s", (int)v->pid, uid,
			  strerror(-r));
}

/*
 * The oldest thrash evidence a decision may still rest on. Refaults and
 * stalls seen before a victim's memory came back (ours: the domain's guard
 * lifted; the kernel's: the machine out of pressure) were the victim's
 * doing; the survivors then read back what the thrash took. Only a window
 * that began after that says the working set is still being lost.
 */
static uint64_t evidence_floor(const struct lrg_oom *o, const struct guard *g)
{
	uint64_t floor = g ? g->lifted_ms : 0;

	if (o->kernel_kill_ms > floor)
		floor = o->kernel_kill_ms;
	if (o->kernel_settled_ms > floor)
		floor = o->kernel_settled_ms;
	return floor;
}

/*
 * The look just before the kill: is the request still right? One filed
 * because free memory ran out needs the domain still under pressure. One
 * filed on the thrash rule was filed with memory that looks available (the
 * page cache being thrashed counts as available, which is why that rule
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

	if (lrg_under_pressure(now, req->global))
		return true;
	if (!req->thrashing)
		return false;
	if (req->global)
		return now->mem_available < then->mem_available + size / 32;
	return now->usage + size / 32 > then->usage;
}

int lrg_oom_handle(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t now_ms,
		   char *decision, size_t len)
{
	const struct lrg_oom_candidate *top[TOP_LOGGED];
	struct lrg_oom_candidate *v;
	struct lrg_kill_req kr;
	struct guard *g;
	size_t idx, nr_top = 0;
	bool dry = o->cfg->daemon.dry_run, whole;
	uint64_t total_pages = req->pressure.mem_total / LRG_PAGE_SIZE;
	uint64_t domain = req->global ? LRG_ROOT_MEMCG : req->memcg_id;
	struct lrg_pressure mp;
	bool measured;
	int r;

	o->stats.decisions++;
	o->last_request_ms = now_ms;
	/*
	 * The request was made from figures taken earlier in this tick (and
	 * PSI averages lag by design). Look again right before choosing:
	 * if the kernel's OOM killer acted meanwhile, or the domain is no
	 * longer under pressure, a kill now would hit a bystander.
	 */
	measured = o->b->ops->measure(o->b, LRG_ROOT_MEMCG, &mp) == 0;
	if (measured && kernel_killed_recently(o, &mp, now_ms)) {
		o->stats.guarded++;
		snprintf(decision, len, "the kernel's OOM killer acted %" PRIu64 " ms ago: waiting",
			 now_ms - o->kernel_kill_ms);
		log_notice("OOM decision in %s skipped: %s", domain_label(o, req),
			   decision);
		return 0;
	}
	/* the machine's figures were just read; a memcg domain needs its own */
	if (!req->global)
		measured = o->b->ops->measure(o->b, domain, &mp) == 0;
	if (measured && !still_needed(req, &mp)) {
		o->stats.guarded++;
		snprintf(decision, len, "pressure gone before the kill (%s)",
			 domain_name(o, req));
		log_notice("OOM decision skipped: %s", decision);
		return 0;
	}
	r = collect(o, req->global, req->memcg_id);
	if (r < 0)
		return r;

	g = guard_for(o, domain);
	if (g && guard_holds(o, g, now_ms, &req->pressure)) {
		o->stats.guarded++;
		snprintf(decision, len, "waiting for pid %d's memory (%s)", (int)g->pid,
			 domain_name(o, req));
		return 0;
	}

	if (req->thrashing && req->evidence_ms < evidence_floor(o, g)) {
		uint64_t floor = evidence_floor(o, g);
		bool again = o->stale_logged && o->stale_domain == domain && o->stale_floor == floor;

		o->stats.guarded++;
		snprintf(decision, len, "thrash seen before the last kill's memory came back (%s):"
			 " waiting for a window after it", domain_name(o, req));
		lrg_log(again ? LOG_DEBUG : LOG_NOTICE, "OOM decision skipped: %s", decision);
		o->stale_logged = true;
		o->stale_domain = domain;
		o->stale_floor = floor;
		return 0;
	}

	r = lrg_oom_select(o->cands, o->nr_cands, &o->cfg->daemon.protect, total_pages, &idx);
	if (r < 0 && o->no_victim_ms && o->no_victim_domain == domain &&
	    now_ms - o->no_victim_ms < o->cfg->daemon.kill_timeout_ms) {
		/* said already, with the reasons; the kernel's OOM killer may act */
		o->stats.no_victim++;
		snprintf(decision, len, "no eligible victim");
		return 0;
	}
	/* With no victim, every candidate is excluded: list those instead, so
	 * the log says why the largest ones were passed over (protected,
	 * oom=never, min_ttl_ms=0). */
	for (size_t i = 0; i < o->nr_cands; i++)
		if (r < 0 || o->cands[i].tier != LRG_TIER_EXCLUDED)
			nr_top = top_insert(top, nr_top, &o->cands[i]);
	log_notice("OOM decision in %s (%s): oldest generation %" PRIu64 " ms, min_ttl %u ms"
		   " (available %" PRIu64 " KiB, PSI full avg10 %.2f); %zu candidate(s)",
		   domain_label(o, req), req->reason, req->oldest_age_ms, req->min_ttl_ms,
		   req->pressure.mem_available / 1024, req->pressure.psi_full_avg10, o->nr_cands);
	log_candidates(o, top, nr_top);
	if (r < 0) {
		o->stats.no_victim++;
		o->no_victim_domain = domain;
		o->no_victim_ms = now_ms;
		lrg_log_event(LOG_WARNING, LRG_MESSAGE_ID_NO_VICTIM,
			      "OOM decision: no eligible victim (all protected or excluded)", NULL);
		snprintf(decision, len, "no eligible victim");
		return 0;
	}

	v = &o->cands[idx];
	whole = v->slice && v->slice->oom == LRG_OOM_CGROUP;
	kr = (struct lrg_kill_req){ .pid = v->pid, .start_time = v->start_time,
				    .memcg_id = v->memcg_id, .whole_cgroup = whole, .release = true };
	if (!dry && g && g->pid == v->pid && g->start_time == v->start_time) {
		/*
		 * Our last victim again: killed, but still exiting after
		 * kill_timeout_ms (freeing hundreds of MiB takes seconds on a
		 * loaded machine; cgroup.kill is asynchronous). Signalling it
		 * again is harmless, but it is the same kill, not a second
		 * event, count or notification; then wait once more.
		 */
		uint64_t ago = now_ms - g->since_ms;

		r = o->b->ops->kill(o->b, &kr);
		g->active = true;
		g->since_ms = now_ms;
		o->stats.guarded++;
		snprintf(decision, len, "pid %d (%s), killed %" PRIu64 " ms ago, is still exiting%s",
			 (int)v->pid, v->comm, ago, r < 0 && r != -ESRCH ? " (signal failed)" : "");
		log_notice("OOM decision in %s: %s", domain_label(o, req), decision);
		return 0;
	}
	if (!dry && kernel_acted_meanwhile(o, now_ms)) {
		o->stats.guarded++;
		snprintf(decision, len, "the kernel's OOM killer acted while the candidates were read: waiting"
			 " (pid %d (%s) lives)", (int)v->pid, v->comm);
		log_notice("OOM decision in %s skipped: %s", domain_label(o, req), decision);
		return 0;
	}
	r = dry ? 0 : o->b->ops->kill(o->b, &kr);
	log_kill_event(o, req, v, whole, dry, r);
	if (!dry && r == 0 && o->cfg->daemon.notify_desktop)
		notify_session(o, req, v, whole);
	snprintf(decision, len, "%s pid %d (%s)", dry ? "would kill" : r ? "failed to kill" : "killed",
		 (int)v->pid, v->comm);
	if (r < 0) {
		o->stats.kill_errors++;
		return r;
	}
	if (dry)
		o->stats.dry_run_kills++;
	else
		o->stats.kills++;
	/* In a dry run the guard still holds, so one episode logs one decision. */
	if (g) {
		*g = (struct guard){ .memcg_id = g->memcg_id, .active = true, .since_ms = now_ms,
				     .pid = v->pid, .start_time = v->start_time,
				     .usage_at_kill = req->pressure.usage,
				     .victim_bytes = v->rss_pages * LRG_PAGE_SIZE };
	}
	return dry ? 0 : 1;
}
