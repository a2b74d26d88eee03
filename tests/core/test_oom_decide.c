// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OOM decision alone (core/oom_decide.c): verdicts from hand-made
 * requests, pressure figures and candidates. Nothing is read, killed or
 * logged; what would be logged is part of the verdict and checked here.
 */
#include <stdio.h>
#include <string.h>

#include "match.h"
#include "oom_decide.h"
#include "tap.h"
#include "ttl.h"

#define MIB(x) ((uint64_t)(x) * 256) /* pages */
#define TIMEOUT 3000

static struct lrg_config cfg;
static struct lrg_oom_candidate cands[4];

/* No profile, no patterns: one [slice *] that may kill. */
static void config_init(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.daemon.kill_timeout_ms = TIMEOUT;
	snprintf(cfg.defaults.name, sizeof(cfg.defaults.name), "*");
	cfg.defaults.min_ttl_ms = 1000;
	cfg.defaults.oom = LRG_OOM_PROCESS;
}

static struct lrg_oom_candidate cand(pid_t pid, const char *comm, uint64_t rss, const char *cgroup)
{
	struct lrg_oom_candidate c = { .pid = pid, .start_time = 7, .rss_pages = rss,
				       .cgroup = cgroup, .own_cgroup = cgroup };

	snprintf(c.comm, sizeof(c.comm), "%s", comm);
	return c;
}

/* The machine short of memory: free below the low watermark. */
static struct lrg_pressure short_machine(uint64_t oom_kills)
{
	return (struct lrg_pressure){ .mem_total = 8192ULL << 20, .mem_free = 32ULL << 20,
				      .mem_available = 64ULL << 20, .watermark_low = 64ULL << 20,
				      .watermark_high = 96ULL << 20, .usage = 8000ULL << 20,
				      .oom_kills = oom_kills };
}

static struct lrg_oom_request machine_request(const struct lrg_pressure *p)
{
	struct lrg_oom_request req = { .memcg_id = LRG_ROOT_MEMCG, .global = true,
				       .min_ttl_ms = 1000, .pressure = *p };

	snprintf(req.slice, sizeof(req.slice), "*");
	snprintf(req.reason, sizeof(req.reason), "test");
	return req;
}

static struct lrg_oom_facts facts(size_t n, const struct lrg_pressure *after)
{
	return (struct lrg_oom_facts){ .c = cands, .n = n, .complete = true, .nr_seen = n,
				       .domain_path = "/", .machine_after = after };
}

static void test_early(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(4), calm = p;
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_look look = { .machine = &p };
	struct lrg_oom_verdict v;

	lrg_oom_state_init(&st);
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1000, &v),
	   "early: the first look only learns the kernel's kill count; the candidates are needed");
	p.oom_kills = 5;
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 2000, &v) && v.kind == LRG_OOM_KERNEL_RECENT &&
	   v.ago_ms == 0 && v.say == LRG_OOM_SAY_NOTICE && !v.list && !v.event,
	   "early: the kernel's count moved: waiting, said at notice level, nothing else logged");
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 2000 + TIMEOUT - 1, &v) &&
	   v.kind == LRG_OOM_KERNEL_RECENT && v.ago_ms == TIMEOUT - 1,
	   "early: still within kill_timeout_ms of it (%llu ms)", (unsigned long long)v.ago_ms);
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 2000 + 4 * TIMEOUT, &v) &&
	   v.kind == LRG_OOM_KERNEL_RECENT,
	   "early: its victim's memory not back: waiting past kill_timeout_ms");

	/* a runaway that comes back: the kernel's kill, memory back, a new
	 * pressure within kill_timeout_ms is a new incident */
	lrg_oom_state_init(&st);
	p.oom_kills = 5;
	look.machine = &p;
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1000, &v), "respawn: first look");
	p.oom_kills = 6;
	calm = p;
	calm.mem_free = calm.mem_available = 4096ULL << 20;
	look.machine = &calm;
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 2000, &v) && v.kind == LRG_OOM_KERNEL_RECENT,
	   "respawn: the kernel killed; the first look after it waits");
	ok(lrg_oom_note_kernel(&st, &calm, TIMEOUT, 2500),
	   "respawn: memory back after 0.5 s: still waiting (the look may predate the reaping)");
	ok(!lrg_oom_note_kernel(&st, &calm, TIMEOUT, 3100), "respawn: memory back after 1.1 s: settled");
	look.machine = &p;
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 3600, &v),
	   "respawn: the next copy's pressure 1.6 s after the kernel's kill: decided, not waited");

	lrg_oom_state_init(&st);
	calm.mem_free = 4096ULL << 20;
	calm.mem_available = 4096ULL << 20;
	look.machine = &calm;
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 1000, &v) && v.kind == LRG_OOM_PRESSURE_GONE &&
	   !strcmp(v.domain_name, "machine"), "early: the pressure is gone: no decision");
	req.thrashing = true;
	req.pressure.mem_available = calm.mem_available;
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1100, &v),
	   "early: a thrash request stands though memory looks available");
	ok(st.stats.decisions == 2 && st.stats.guarded == 1, "early: every decision counted, one guarded");
}

/* A request filed as memory and swap ran out: the look before the kill
 * measures the fall again, from the request's figures to its own. */
static void test_exhaustion_look(void)
{
	struct lrg_pressure then = { .mem_total = 512ULL << 20, .mem_free = 40ULL << 20,
				     .mem_available = 40ULL << 20, .watermark_low = 3ULL << 20,
				     .watermark_high = 5ULL << 20, .swap_total = 128ULL << 20,
				     .swap_free = 50ULL << 20, .reserve_drop_bps = 60ULL << 20,
				     .now_ms = 1000 };
	struct lrg_pressure now = then;
	struct lrg_oom_request req = machine_request(&then);
	struct lrg_oom_look look = { .machine = &now };
	struct lrg_oom_state st;
	struct lrg_oom_verdict v;

	lrg_oom_state_init(&st);
	ok(!lrg_under_pressure(&then, true) && lrg_exhaustion_ahead(&then),
	   "exhaustion: 90 MiB left falling 60 MiB/s, no other pressure");
	now.now_ms = 1300;
	now.swap_free -= 18ULL << 20;
	now.reserve_drop_bps = 0;   /* the OOM path's own look has no rate */
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1300, &v),
	   "exhaustion: 300 ms later 18 MiB less: still falling, the decision goes on");
	now.swap_free = then.swap_free;
	ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 1300, &v) && v.kind == LRG_OOM_PRESSURE_GONE,
	   "exhaustion: 300 ms later nothing less: the fall stopped, no decision");
	now.now_ms = 1050;
	ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1050, &v),
	   "exhaustion: 50 ms later, too soon to tell: the request's rate stands");
}

static void test_kill_and_guard(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;

	lrg_oom_state_init(&st);
	cands[0] = cand(100, "steady", MIB(300), "/");
	cands[1] = cand(101, "runaway", MIB(400), "/");
	cands[2] = cand(1, "init", MIB(900), "/");
	f = facts(3, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	ok(v.kind == LRG_OOM_KILL && v.victim == &cands[1] && v.kill.pid == 101 &&
	   v.kill.start_time == 7 && v.kill.release && !v.kill.whole_cgroup && v.event && v.list,
	   "kill: the largest dies, by its pid and start time, with an event and the candidates");
	ok(v.nr_top == 2 && v.top[0] == &cands[1] && v.top[1] == &cands[0],
	   "kill: the log lists the eligible candidates, best first (%zu)", v.nr_top);
	lrg_oom_record(&st, &v, 0, 1000);
	ok(st.stats.kills == 1, "kill: counted once acted on");

	lrg_oom_decide(&st, &req, &f, &cfg, 2000, &v);
	ok(v.kind == LRG_OOM_GUARDED && v.waiting_for == 101 && v.say == LRG_OOM_SAY_NOTHING && !v.list,
	   "guard: within kill_timeout_ms no second kill, and nothing logged");
	lrg_oom_decide(&st, &req, &f, &cfg, 1000 + TIMEOUT + 500, &v);
	ok(v.kind == LRG_OOM_STILL_EXITING && v.victim == &cands[1] && v.ago_ms == TIMEOUT + 500 &&
	   !v.event, "guard: still there after kill_timeout_ms: signalled again, no second event");
	lrg_oom_record(&st, &v, 0, 1000 + TIMEOUT + 500);
	ok(st.stats.kills == 1 && st.stats.guarded == 2, "guard: still one kill counted");

	/* gone, and its memory back: the guard lifts and the next one dies */
	f = facts(1, &p);
	req.pressure.usage -= MIB(400) * LRG_PAGE_SIZE;
	lrg_oom_decide(&st, &req, &f, &cfg, 1000 + TIMEOUT + 600, &v);
	ok(v.kind == LRG_OOM_KILL && v.kill.pid == 100, "guard: victim gone, memory back: a new decision");
}

/* A runaway split over processes of one cgroup: once a piece is gone and
 * the others grow on, the guard does not wait for memory they refill. */
static void test_split_runaway(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;
	const char *split = "/user.slice/user-1000.slice/split.scope";

	lrg_oom_state_init(&st);
	cands[0] = cand(300, "leak", MIB(40), split);
	cands[0].growth_pages = MIB(40);
	cands[1] = cand(301, "leak", MIB(40), split);
	cands[1].growth_pages = MIB(40);
	cands[2] = cand(302, "ui", MIB(96), "/user.slice/user-1001.slice/ui.scope");
	f = facts(3, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	ok(v.kind == LRG_OOM_KILL && v.victim->own_cgroup == split,
	   "split runaway: a piece of it is chosen, not the larger steady process (pid %d)",
	   v.victim ? (int)v.victim->pid : -1);
	lrg_oom_record(&st, &v, 0, 1000);
	/* the piece is gone, the others grew on: usage is back where it was */
	cands[0] = cands[v.victim == &cands[0] ? 1 : 0];
	cands[0].growth_pages = MIB(80);
	cands[1] = cands[2];
	f = facts(2, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1500, &v);
	ok(v.kind == LRG_OOM_KILL && v.victim == &cands[0],
	   "split runaway: the piece gone and its cgroup growing on, the next piece at once (%d)",
	   (int)v.kind);
	/* a runaway alone in its cgroup: the guard waits for its memory */
	lrg_oom_state_init(&st);
	cands[0] = cand(310, "leak", MIB(300), "/a.scope");
	cands[0].growth_pages = MIB(300);
	cands[1] = cand(311, "helper", MIB(10), "/a.scope");
	cands[1].growth_pages = MIB(2);
	cands[2] = cand(312, "ui", MIB(96), "/b.scope");
	f = facts(3, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	lrg_oom_record(&st, &v, 0, 1000);
	cands[0] = cands[1];
	cands[1] = cands[2];
	f = facts(2, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1500, &v);
	ok(v.kind == LRG_OOM_GUARDED, "one runaway gone, its cgroup's helper grew 2 MiB: the guard holds");
}

static void test_incomplete(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;

	lrg_oom_state_init(&st);
	cands[0] = cand(100, "small", MIB(10), "/");
	f = facts(1, &p);
	f.complete = false;
	f.nr_seen = 1100;
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	ok(v.kind == LRG_OOM_INCOMPLETE && v.say == LRG_OOM_SAY_WARNING && v.nr_seen == 1100 &&
	   !v.victim && !v.event, "incomplete: no choice among part of the domain, said as a warning");
	lrg_oom_record(&st, &v, 0, 1000);
	ok(st.stats.kills == 0 && !st.guards[0].active, "incomplete: nothing killed, no guard armed");
}

static void test_stale_thrash_said_once(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;
	int notices = 0;

	lrg_oom_state_init(&st);
	cands[0] = cand(400, "leak", MIB(300), "/");
	cands[1] = cand(401, "standin", MIB(40), "/");
	f = facts(2, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	lrg_oom_record(&st, &v, 0, 1000);
	/* the leak is gone and its memory back: the guard lifts at 3000 */
	cands[0] = cands[1];
	f = facts(1, &p);
	req.pressure.usage -= MIB(300) * LRG_PAGE_SIZE;
	req.thrashing = true;
	req.evidence_ms = 1500;
	for (int i = 0; i < 5; i++) {
		lrg_oom_decide(&st, &req, &f, &cfg, 3000 + 200 * (uint64_t)i, &v);
		notices += v.kind == LRG_OOM_STALE_THRASH && v.say >= LRG_OOM_SAY_NOTICE;
	}
	ok(v.kind == LRG_OOM_STALE_THRASH && v.say == LRG_OOM_SAY_DEBUG && notices == 1,
	   "stale thrash: the same wait in 5 ticks is one notice, then debug lines (%d notices)", notices);
	{
		/* the guard lifted: the early look skips it, no process read */
		struct lrg_pressure now = req.pressure;
		struct lrg_oom_look look = { .machine = &now };
		uint64_t guarded = st.stats.guarded;

		ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 4200, &v) &&
		   v.kind == LRG_OOM_STALE_THRASH && v.say == LRG_OOM_SAY_DEBUG &&
		   st.stats.guarded == guarded + 1,
		   "stale thrash: known before the candidates are read, once the guard lifted");
		req.evidence_ms = 3500;
		ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 4400, &v),
		   "stale thrash: evidence from after the floor goes on to the candidates");
	}
	req.evidence_ms = 3500;
	lrg_oom_decide(&st, &req, &f, &cfg, 5500, &v);
	ok(v.kind == LRG_OOM_KILL && v.kill.pid == 401, "stale thrash: a window after it decides anew");
}

static void test_no_victim(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;

	lrg_oom_state_init(&st);
	cands[0] = cand(1, "init", MIB(900), "/");
	cands[1] = cand(200, "shielded", MIB(800), "/");
	cands[1].oom_score_adj = -1000;
	f = facts(2, &p);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	ok(v.kind == LRG_OOM_NO_VICTIM && v.event && v.list && v.nr_top == 2,
	   "no victim: the event, and every excluded candidate listed with its reason");
	lrg_oom_decide(&st, &req, &f, &cfg, 2000, &v);
	ok(v.kind == LRG_OOM_NO_VICTIM && !v.event && !v.list,
	   "no victim: said once per kill_timeout_ms");
	ok(st.stats.no_victim == 2, "no victim: both counted");
}

static void test_kernel_meanwhile(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(4), after = short_machine(5);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_look look = { .machine = &p };
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;

	cands[0] = cand(600, "standin", MIB(50), "/");
	f = facts(1, &after);
	for (int dry = 1; dry >= 0; dry--) {
		cfg.daemon.dry_run = dry;
		lrg_oom_state_init(&st);
		look.machine = &p;
		ok(!lrg_oom_decide_early(&st, &req, &look, &cfg, 1000, &v),
		   "meanwhile%s: the look before is calm", dry ? " (dry run)" : "");
		lrg_oom_decide(&st, &req, &f, &cfg, 1500, &v);
		/* a dry run's "would kill" is what a real run would do */
		ok(v.kind == LRG_OOM_KERNEL_MEANWHILE && v.victim == &cands[0] &&
		   v.say == LRG_OOM_SAY_NOTICE && !v.event,
		   "meanwhile%s: the kernel's count moved while the candidates were read: the stand-in lives",
		   dry ? " (dry run)" : "");
		look.machine = &after;
		ok(lrg_oom_decide_early(&st, &req, &look, &cfg, 2000, &v) &&
		   v.kind == LRG_OOM_KERNEL_RECENT,
		   "meanwhile%s: and the next request waits for the kernel's victim", dry ? " (dry run)" : "");
	}
	cfg.daemon.dry_run = false;
}

/* oom = cgroup kills the victim's own cgroup, never its memcg's ancestors. */
static void test_own_cgroup(void)
{
	struct lrg_slice_config app = { .name = "app", .match = "/user.slice/app.scope", .min_ttl_ms = 1000,
					.oom = LRG_OOM_CGROUP };
	struct lrg_oom_state st;
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;
	const char *refused[] = { "/user.slice", "/", NULL, "/user.slice/app.scopeX" };

	cfg.slices = &app;
	cfg.nr_slices = 1;
	cands[0] = cand(700, "tail", MIB(400), "/user.slice/app.scope");
	cands[0].own_cgroup = "/user.slice/app.scope/worker";
	cands[0].slice = lrg_config_match(&cfg, cands[0].cgroup);
	f = facts(1, &p);
	lrg_oom_state_init(&st);
	lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
	ok(v.kind == LRG_OOM_KILL && v.kill.whole_cgroup && !strcmp(v.kill_cgroup, cands[0].own_cgroup) &&
	   !v.cgroup_refused, "own cgroup: cgroup.kill of the victim's own cgroup (%s)",
	   v.kill_cgroup ? v.kill_cgroup : "-");
	ok(cands[0].slice == &app, "own cgroup: the candidate is in the oom = cgroup slice");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cands[0].own_cgroup = refused[i];
		lrg_oom_state_init(&st);
		lrg_oom_decide(&st, &req, &f, &cfg, 1000, &v);
		ok(v.kind == LRG_OOM_KILL && !v.kill.whole_cgroup && !v.kill_cgroup && v.cgroup_refused &&
		   v.kill.pid == 700, "own cgroup %s: not below its memcg: the process alone",
		   refused[i] ? refused[i] : "unknown");
	}
	cfg.slices = NULL;
	cfg.nr_slices = 0;
}

/* One kill of a runaway with this pid in own at now_ms; the verdict. */
static struct lrg_oom_verdict kill_once(struct lrg_oom_state *st, pid_t pid, const char *memcg,
					const char *own, uint64_t now_ms)
{
	struct lrg_pressure p = short_machine(0);
	struct lrg_oom_request req = machine_request(&p);
	struct lrg_oom_facts f;
	struct lrg_oom_verdict v;

	cands[0] = cand(pid, "tail", MIB(400), memcg);
	cands[0].own_cgroup = own;
	cands[0].slice = &cfg.defaults;
	cands[1] = cand(50, "ui", MIB(100), "/user.slice/ui.scope");
	cands[1].slice = &cfg.defaults;
	f = facts(2, &p);
	lrg_oom_decide(st, &req, &f, &cfg, now_ms, &v);
	lrg_oom_record(st, &v, 0, now_ms);
	return v;
}

/*
 * A runaway its shell restarts (each kill 7 s apart: past the guard of the
 * one before): the third kill within respawn_window_ms
 * in the same own cgroup takes the cgroup; never a slice, never one
 * outside the window, never because of kills elsewhere.
 */
static void test_respawn(void)
{
	static const char *scope = "/user.slice/user-1000.slice/session-2.scope";
	struct lrg_oom_state st;
	struct lrg_oom_verdict v;

	cfg.defaults.respawn_kills = 3;
	cfg.defaults.respawn_window_ms = 60000;
	lrg_oom_state_init(&st);
	v = kill_once(&st, 200, scope, scope, 1000);
	ok(v.kind == LRG_OOM_KILL && !v.kill.whole_cgroup && v.respawn_kills == 0,
	   "respawn: the first kill takes the process");
	v = kill_once(&st, 201, scope, scope, 8000);
	ok(v.kind == LRG_OOM_KILL && !v.kill.whole_cgroup && v.respawn_kills == 1,
	   "respawn: the second too (1 earlier kill there)");
	v = kill_once(&st, 202, scope, scope, 15000);
	ok(v.kind == LRG_OOM_KILL && v.kill.whole_cgroup && v.respawn && v.respawn_kills == 2 &&
	   v.kill_cgroup && !strcmp(v.kill_cgroup, scope) && v.kill.pid == 202,
	   "respawn: the third within 60 s kills its own cgroup whole (%s)",
	   v.kill_cgroup ? v.kill_cgroup : "-");
	ok(st.stats.respawn_escalations == 1 && st.stats.kills == 3, "respawn: one escalation counted");

	/* the same loop in a slice (no scope of its own): never the slice */
	lrg_oom_state_init(&st);
	for (int i = 0; i < 3; i++)
		v = kill_once(&st, 300 + i, "/user.slice/user-1000.slice", "/user.slice/user-1000.slice",
			      1000 + 7000 * (uint64_t)i);
	ok(v.kind == LRG_OOM_KILL && !v.kill.whole_cgroup && !v.respawn && v.kill.pid == 302,
	   "respawn: a process right in a slice: the process alone, the slice never");

	/* kills further apart than the window are no loop */
	lrg_oom_state_init(&st);
	for (int i = 0; i < 3; i++)
		v = kill_once(&st, 400 + i, scope, scope, 1000 + 61000 * (uint64_t)i);
	ok(!v.kill.whole_cgroup && v.respawn_kills == 0, "respawn: one kill a minute is no loop");

	/* kills in other cgroups do not count towards this one */
	lrg_oom_state_init(&st);
	kill_once(&st, 500, "/user.slice/a.scope", "/user.slice/a.scope", 1000);
	kill_once(&st, 501, "/user.slice/b.scope", "/user.slice/b.scope", 8000);
	v = kill_once(&st, 502, scope, scope, 15000);
	ok(!v.kill.whole_cgroup && v.respawn_kills == 0, "respawn: other cgroups' kills do not count");

	/* off */
	cfg.defaults.respawn_kills = 0;
	lrg_oom_state_init(&st);
	for (int i = 0; i < 4; i++)
		v = kill_once(&st, 600 + i, scope, scope, 1000 + 7000 * (uint64_t)i);
	ok(!v.kill.whole_cgroup, "respawn_kills = 0: never escalated");
}

static void test_baseline_due(void)
{
	struct lrg_oom_state st;
	struct lrg_pressure calm = { .mem_total = 8192ULL << 20, .mem_free = 4096ULL << 20,
				     .mem_available = 4096ULL << 20, .watermark_low = 64ULL << 20,
				     .watermark_high = 96ULL << 20 };
	struct lrg_pressure stall = calm;

	stall.psi_some_avg10 = 40;
	lrg_oom_state_init(&st);
	ok(lrg_oom_baseline_due(&st, &calm, 1000), "baseline: due at start");
	lrg_oom_baseline_taken(&st, 1000);
	ok(!lrg_oom_baseline_due(&st, &calm, 20000), "baseline: not within its window");
	ok(lrg_oom_baseline_due(&st, &calm, 32000), "baseline: due again after the window, when calm");
	ok(!lrg_oom_baseline_due(&st, &stall, 64000), "baseline: frozen while the machine stalls");
	ok(lrg_oom_baseline_due(&st, &stall, 1000 + 600000), "baseline: retaken when ten minutes old");
}

int main(void)
{
	config_init();
	test_early();
	test_exhaustion_look();
	test_kill_and_guard();
	test_split_runaway();
	test_incomplete();
	test_stale_thrash_said_once();
	test_no_victim();
	test_kernel_meanwhile();
	test_own_cgroup();
	test_respawn();
	test_baseline_due();
	return tap_done();
}
