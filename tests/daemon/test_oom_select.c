// SPDX-License-Identifier: GPL-2.0-only
/* Victim ranking: who dies first, and who never dies; then one kill acted
 * on (lrg_oom_handle) over a minimal scripted backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_load.h"
#include "lrg_log.h"
#include "oom.h"
#include "oom_select.h"
#include "tap.h"
#include "ttl.h"

#define MIB(x) ((uint64_t)(x) * 256) /* pages */
#define TOTAL MIB(8192)

static struct lrg_oom_candidate cand(pid_t pid, const char *comm, uint64_t rss, uint64_t growth)
{
	struct lrg_oom_candidate c = { .pid = pid, .rss_pages = rss, .growth_pages = growth,
				       .start_time = (uint64_t)pid, .cgroup = "/user.slice/app.scope" };

	strncpy(c.comm, comm, sizeof(c.comm) - 1);
	return c;
}

static struct lrg_patterns pats(char **p, size_t n)
{
	return (struct lrg_patterns){ .n = n, .pats = p };
}

/* ---- lrg_oom_handle over a scripted machine: one memcg, two processes ---- */

static struct lrg_mm_info mms[2];
static bool mm_gone[2];
static struct lrg_pressure machine;
static int nr_kills;

static int t_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_memcg_info root = { .id = LRG_ROOT_MEMCG, .path = "/" };

	(void)b;
	return fn(ctx, &root);
}

/* >= 0: the kernel's OOM killer takes that mm while the candidates are read */
static int kernel_kills_on_list = -1;

static int t_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	(void)b;
	(void)memcg_id;
	if (kernel_kills_on_list >= 0) {
		mm_gone[kernel_kills_on_list] = true;
		machine.oom_kills++;
		kernel_kills_on_list = -1;
	}
	for (int i = 0; i < 2; i++)
		if (!mm_gone[i] && fn(ctx, &mms[i]) < 0)
			return -1;
	return 0;
}

static int t_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	(void)b;
	(void)memcg_id;
	*ret = machine;
	return 0;
}

static int t_kill(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	(void)b;
	(void)req;
	nr_kills++;
	return 0;
}

static const struct lrg_backend_ops scripted_ops = { .name = "test", .list_memcgs = t_list_memcgs,
						     .list_mms = t_list_mms, .measure = t_measure,
						     .kill = t_kill };

/* The defaults, made to kill: min_ttl 1000 ms (0 would exclude everyone). */
static void scripted_config(struct lrg_config *cfg)
{
	lrg_config_defaults(cfg);
	cfg->defaults.min_ttl_ms = 1000;
	cfg->daemon.dry_run = false;
	cfg->daemon.notify_desktop = false;
}

/*
 * A fresh scripted machine: the defaults made to kill, nothing killed yet,
 * two processes (pids first and first + 1, anonymous sizes in pages). The
 * caller sets the machine's figures.
 */
static void scripted_setup(struct lrg_config *cfg, pid_t first, const char *comm0, uint64_t anon0,
			   const char *comm1, uint64_t anon1)
{
	const char *comm[2] = { comm0, comm1 };
	uint64_t anon[2] = { anon0, anon1 };

	scripted_config(cfg);
	memset(mm_gone, 0, sizeof(mm_gone));
	nr_kills = 0;
	for (int i = 0; i < 2; i++) {
		mms[i] = (struct lrg_mm_info){ .mm_key = (uint64_t)first + i, .pid = first + i,
					       .start_time = 7, .memcg_id = LRG_ROOT_MEMCG,
					       .nr_anon = anon[i] };
		snprintf(mms[i].comm, sizeof(mms[i].comm), "%s", comm[i]);
	}
}

/* The scripted machine short of memory (free below the low watermark),
 * with the kernel's OOM kill count so far. */
static void short_machine(uint64_t oom_kills)
{
	machine = (struct lrg_pressure){ .mem_total = 8192ULL << 20, .mem_free = 32ULL << 20,
					 .watermark_low = 64ULL << 20, .watermark_high = 96ULL << 20,
					 .oom_kills = oom_kills };
}

/* A request for the machine, made from the scripted machine's figures. */
static void machine_request(struct lrg_oom_request *req)
{
	memset(req, 0, sizeof(*req));
	req->memcg_id = LRG_ROOT_MEMCG;
	req->global = true;
	req->min_ttl_ms = 1000;
	req->pressure = machine;
	strcpy(req->slice, "*");
	strcpy(req->reason, "test");
}

/*
 * Freeing a victim's memory can outlast kill_timeout_ms (hundreds of MiB on
 * a loaded machine; cgroup.kill is asynchronous). Chosen again then, it is
 * signalled again but not counted, logged or notified as a second kill.
 */
static void test_still_exiting(void)
{
	/* virtual time: no /proc/PID/exe lookups of these made-up pids */
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	struct lrg_oom_stats st;
	char d[160];

	scripted_setup(&cfg, 100, "runaway", MIB(400), "other", MIB(100));
	cfg.daemon.kill_timeout_ms = 3000;
	/* free below the low watermark: under pressure */
	short_machine(0);
	machine_request(&req);

	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");
	ok(lrg_oom_handle(o, &req, 1000, d, sizeof(d)) == 1 && nr_kills == 1 && strstr(d, "pid 100"),
	   "oom: the largest is killed (%s)", d);
	ok(lrg_oom_handle(o, &req, 2000, d, sizeof(d)) == 0 && nr_kills == 1,
	   "oom: within kill_timeout_ms, waiting (%s)", d);
	ok(lrg_oom_handle(o, &req, 4500, d, sizeof(d)) == 0 && nr_kills == 2 && strstr(d, "pid 100") &&
	   strstr(d, "still exiting"),
	   "oom: still there after kill_timeout_ms: signalled again, not a new kill (%s)", d);
	lrg_oom_get_stats(o, &st);
	ok(st.kills == 1, "oom: one kill counted (%llu)", (unsigned long long)st.kills);
	ok(lrg_oom_handle(o, &req, 6000, d, sizeof(d)) == 0 && nr_kills == 2,
	   "oom: and the wait starts again (%s)", d);
	/* it exits, but its memory does not come back (usage stays): the
	 * wait runs kill_timeout_ms from its exit, not from the kill */
	mm_gone[0] = true;
	ok(lrg_oom_handle(o, &req, 7000, d, sizeof(d)) == 0 && strstr(d, "waiting for pid 100"),
	   "oom: gone, memory not back: waiting (%s)", d);
	ok(lrg_oom_handle(o, &req, 9500, d, sizeof(d)) == 0 && strstr(d, "waiting for pid 100"),
	   "oom: kill_timeout_ms after the last kill, 2.5 s after the exit: still waiting (%s)", d);
	ok(lrg_oom_handle(o, &req, 10100, d, sizeof(d)) == 1 && nr_kills == 3 && strstr(d, "pid 101"),
	   "oom: kill_timeout_ms after the exit, the next one is a new kill (%s)", d);
	lrg_oom_get_stats(o, &st);
	ok(st.kills == 2, "oom: two kills counted (%llu)", (unsigned long long)st.kills);
	/* seen gone first long after the kill (no request, so no pressure,
	 * came between): a stale guard, it does not wait again */
	mm_gone[1] = true;
	ok(lrg_oom_handle(o, &req, 16200, d, sizeof(d)) == 0 && !strstr(d, "waiting"),
	   "oom: first seen gone twice kill_timeout_ms after the kill: the guard lifts (%s)", d);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/*
 * The kernel's OOM killer was first: its victim (the runaway) is gone from
 * the candidates, but its memory takes longer than kill_timeout_ms to come
 * back. lrugend must not take the largest bystander meanwhile; once memory
 * is back and pressure returns, it decides again.
 */
static void test_kernel_kill_settles(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[160];

	scripted_setup(&cfg, 300, "standin", MIB(50), "sleep", MIB(1));
	cfg.daemon.kill_timeout_ms = 3000;
	short_machine(4);
	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");
	lrg_oom_observe(o, 1000);               /* the kernel's count so far: 4 */
	machine.oom_kills = 5;                  /* the kernel killed the runaway */
	lrg_oom_observe(o, 2000);
	machine_request(&req);
	ok(lrg_oom_handle(o, &req, 2500, d, sizeof(d)) == 0 && nr_kills == 0 && strstr(d, "kernel"),
	   "oom: right after the kernel's kill: waiting (%s)", d);
	ok(lrg_oom_handle(o, &req, 7000, d, sizeof(d)) == 0 && nr_kills == 0 && strstr(d, "kernel"),
	   "oom: kill_timeout_ms later, memory still short (the victim's not back): still waiting, the"
	   " stand-in lives (%s)", d);
	machine.mem_free = 4096ULL << 20;       /* its memory is back */
	lrg_oom_observe(o, 8000);
	machine.mem_free = 32ULL << 20;         /* and pressure returns */
	machine_request(&req);
	ok(lrg_oom_handle(o, &req, 9000, d, sizeof(d)) == 1 && nr_kills == 1,
	   "oom: memory came back, then pressure again: a decision of its own (%s)", d);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/*
 * The kernel's OOM killer takes the runaway while lrugend reads the
 * candidates (after its look at the kernel's count): the runaway is gone
 * from the list and the stand-in is the largest left. The look right
 * before the signal sees the kernel's kill: nobody dies by lrugend's hand
 * (the stand-in did, in S1 of bench/oom-bench.sh, before).
 */
static void test_kernel_kill_during_collect(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[200];

	scripted_setup(&cfg, 600, "tail", MIB(300), "standin", MIB(50));
	short_machine(4);
	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");
	lrg_oom_observe(o, 1000);
	machine_request(&req);
	kernel_kills_on_list = 0;
	ok(lrg_oom_handle(o, &req, 1500, d, sizeof(d)) == 0 && nr_kills == 0 && strstr(d, "kernel"),
	   "oom: the kernel killed the runaway while the candidates were read: the stand-in lives (%s)", d);
	machine_request(&req);
	ok(lrg_oom_handle(o, &req, 2000, d, sizeof(d)) == 0 && nr_kills == 0 && strstr(d, "kernel"),
	   "oom: and the next request waits for the kernel's victim like any (%s)", d);
	kernel_kills_on_list = -1;
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/*
 * A runaway fills memory, then the machine thrashes for longer than the
 * baseline window before lrugend's first request: the baseline must stay
 * at the last calm moment, so the runaway still shows its growth and dies
 * instead of a larger process that did not grow.
 */
static void test_baseline_frozen_under_pressure(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[160];

	scripted_setup(&cfg, 200, "steady", MIB(400), "runaway", MIB(10));
	/* calm: plenty free, no stall */
	machine = (struct lrg_pressure){ .mem_total = 8192ULL << 20, .mem_free = 4096ULL << 20,
					 .watermark_low = 64ULL << 20, .watermark_high = 96ULL << 20 };
	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");
	lrg_oom_observe(o, 1000);
	/* the runaway grows to 300 MiB; the machine stalls but stays above
	 * its watermarks (kswapd keeps it there) */
	mms[1].nr_anon = MIB(300);
	machine.mem_free = 128ULL << 20;
	machine.psi_some_avg10 = 40;
	machine.psi_full_avg10 = 12;
	lrg_oom_observe(o, 32000);
	lrg_oom_observe(o, 64000);
	/* then the first request */
	machine.mem_free = 32ULL << 20;
	machine_request(&req);
	ok(lrg_oom_handle(o, &req, 65000, d, sizeof(d)) == 1 && strstr(d, "pid 201"),
	   "oom: 64 s into a stall, the runaway's growth still counts and it dies, not the larger steady process (%s)",
	   d);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/* Hand the same request to o at `ticks` ticks from `from`, 200 ms apart,
 * with stderr caught; the "thrash seen before" lines logged. */
static int stale_skip_lines(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t from,
			    int ticks)
{
	char tmpl[] = "/tmp/test_oom_select.XXXXXX", line[512], d[160];
	int fd = mkstemp(tmpl), saved = dup(STDERR_FILENO), lines = 0;
	FILE *f;

	if (fd < 0 || saved < 0)
		return -1;
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	for (int i = 0; i < ticks; i++)
		lrg_oom_handle(o, req, from + 200 * (uint64_t)i, d, sizeof(d));
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	while (fgets(line, sizeof(line), f))
		lines += strstr(line, "thrash seen before") != NULL;
	fclose(f);
	unlink(tmpl);
	return lines;
}

/*
 * A request on the thrash rule comes with memory that looks available (the
 * page cache being thrashed counts in MemAvailable, the watermarks are
 * met). The look before the kill must not drop it for "no pressure" (the
 * bug: every such decision was dropped and the thrash went on); it drops
 * it only if memory was freed since the request.
 */
static void test_thrash_request(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[160];

	scripted_setup(&cfg, 400, "leak", MIB(300), "standin", MIB(40));
	/* free memory above the watermarks, 40% "available": no pressure by
	 * free memory, as in S3 of bench/oom-bench.sh when the readers thrash */
	machine = (struct lrg_pressure){ .mem_total = 8192ULL << 20, .mem_free = 128ULL << 20,
					 .mem_available = 3277ULL << 20, .watermark_low = 64ULL << 20,
					 .watermark_high = 96ULL << 20, .psi_full_avg10 = 20,
					 .usage = (8192ULL - 3277) << 20 };
	ok(!lrg_under_pressure(&machine, true), "oom: the scripted machine is not under pressure by its free memory");
	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");

	machine_request(&req);
	ok(lrg_oom_handle(o, &req, 1000, d, sizeof(d)) == 0 && nr_kills == 0 && strstr(d, "pressure gone"),
	   "oom: a request not on the thrash rule is dropped without pressure (%s)", d);

	machine_request(&req);
	req.thrashing = true;
	machine.mem_available += 64ULL << 20;   /* reclaim between the two looks */
	ok(lrg_oom_handle(o, &req, 1100, d, sizeof(d)) == 1 && nr_kills == 1 && strstr(d, "pid 400"),
	   "oom: a thrash request is acted on though memory looks available (%s)", d);

	/* the leak's memory comes back: the guard lifts at the next request;
	 * the survivors' refaults of the window before it are not a new thrash */
	mm_gone[0] = true;
	machine.mem_available = 3577ULL << 20;
	machine.usage = (8192ULL - 3577) << 20;
	machine_request(&req);
	req.thrashing = true;
	req.evidence_ms = 1500;                 /* a window begun before memory was back */
	ok(lrg_oom_handle(o, &req, 3000, d, sizeof(d)) == 0 && nr_kills == 1 && strstr(d, "thrash seen before"),
	   "oom: thrash evidence from before the victim's memory came back: no second kill (%s)", d);
	/* the same wait, a request each tick: said once, not every tick */
	if (lrg_log_to_journal()) {
		skip("log lines go to the journal here (JOURNAL_STREAM or INVOCATION_ID set), not stderr");
	} else {
		int lines = stale_skip_lines(o, &req, 3200, 4);

		ok(lines == 0, "oom: the same wait in 4 more ticks is not logged again (%d notices)", lines);
	}
	req.evidence_ms = 3500;                 /* a window begun after it */
	ok(lrg_oom_handle(o, &req, 5500, d, sizeof(d)) == 1 && nr_kills == 2 && strstr(d, "pid 401"),
	   "oom: a thrash still seen in a window after it: a decision of its own (%s)", d);
	lrg_oom_free(o);
	mm_gone[0] = false;

	/* memory freed since the request (a process exited): dropped */
	ok(lrg_oom_new(&b, &cfg, &o) == 0, "oom: new");
	machine.mem_available = 3277ULL << 20;
	machine_request(&req);
	req.thrashing = true;
	machine.mem_available += 512ULL << 20;
	ok(lrg_oom_handle(o, &req, 2000, d, sizeof(d)) == 0 && nr_kills == 2 && strstr(d, "pressure gone"),
	   "oom: a thrash request is dropped when 512 MiB were freed since (%s)", d);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

int main(void)
{
	struct lrg_slice_config slice;
	struct lrg_patterns none = { 0 };
	struct lrg_oom_candidate c[6];
	size_t idx = 99;
	int r;

	memset(&slice, 0, sizeof(slice));
	slice.oom = LRG_OOM_PROCESS;
	slice.min_ttl_ms = 1000;

	/* The runaway (grew 1 GiB) dies before the larger steady editor. */
	c[0] = cand(100, "editor", MIB(3000), 0);
	c[1] = cand(101, "tail", MIB(1200), MIB(1024));
	c[2] = cand(102, "small", MIB(10), MIB(5));
	r = lrg_oom_select(c, 3, &none, TOTAL, &idx);
	ok(r == 0 && idx == 1, "the process that grew most dies first (idx %zu)", idx);
	ok(!strcmp(c[1].reason, "grew most during the episode"), "its reason says so: %s", c[1].reason);

	/* Growth within the same 64 MiB step: the larger one dies. */
	c[0] = cand(100, "a", MIB(500), MIB(10));
	c[1] = cand(101, "b", MIB(900), MIB(20));
	r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
	ok(r == 0 && idx == 1, "no runaway: the largest dies (idx %zu)", idx);

	/* Never: pid 1, ourselves, kernel threads, oom_score_adj -1000, no rss. */
	c[0] = cand(1, "systemd", MIB(9000), MIB(9000));
	c[1] = cand(200, "lrugend", MIB(9000), MIB(9000));
	c[1].is_self = true;
	c[2] = cand(201, "kworker", MIB(9000), MIB(9000));
	c[2].is_kthread = true;
	c[3] = cand(202, "sshd", MIB(9000), MIB(9000));
	c[3].oom_score_adj = -1000;
	c[4] = cand(203, "zombie", 0, 0);
	r = lrg_oom_select(c, 5, &none, TOTAL, &idx);
	ok(r == -ESRCH, "init, self, kthreads, adj -1000 and empty processes are never chosen");
	ok(c[0].tier == LRG_TIER_EXCLUDED && !strcmp(c[0].reason, "init"), "init excluded: %s",
	   c[0].reason);
	ok(c[3].tier == LRG_TIER_EXCLUDED && strstr(c[3].reason, "-1000"), "adj -1000: %s",
	   c[3].reason);

	/* The largest process protected by the slice: the next one dies. */
	{
		char *prot[] = { "comm:gnome-shell" };

		slice.protect = pats(prot, 1);
		c[0] = cand(300, "gnome-shell", MIB(4000), MIB(2000));
		c[0].slice = &slice;
		c[1] = cand(301, "firefox", MIB(1000), 0);
		c[1].slice = &slice;
		r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
		ok(r == 0 && idx == 1, "a protected process never dies; the next candidate does");
		ok(c[0].tier == LRG_TIER_EXCLUDED && strstr(c[0].reason, "protect"), "reason: %s",
		   c[0].reason);
		slice.protect = none;
	}

	/* Global protect patterns match exe and cgroup too. */
	{
		char *prot[] = { "exe:/usr/bin/Xwayland", "cgroup:/user.slice/user-*.slice/session-*.scope" };
		struct lrg_patterns gp = pats(prot, 2);

		c[0] = cand(400, "Xwayland", MIB(800), 0);
		c[0].exe = "/usr/bin/Xwayland";
		c[0].exe_trusted = true;
		c[1] = cand(401, "bash", MIB(700), 0);
		c[1].cgroup = "/user.slice/user-1000.slice/session-2.scope";
		c[2] = cand(402, "app", MIB(100), 0);
		r = lrg_oom_select(c, 3, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 2, "global protect by exe and by cgroup (idx %zu)", idx);
	}

	/* oom=never slice: nobody there dies. */
	slice.oom = LRG_OOM_NEVER;
	c[0] = cand(500, "db", MIB(4000), MIB(4000));
	c[0].slice = &slice;
	r = lrg_oom_select(c, 1, &none, TOTAL, &idx);
	ok(r == -ESRCH, "slice oom=never: no victim");
	slice.oom = LRG_OOM_PROCESS;

	/* min_ttl_ms = 0: lrugend kills nothing in that slice. */
	slice.min_ttl_ms = 0;
	c[0] = cand(550, "batch", MIB(4000), MIB(4000));
	c[0].slice = &slice;
	r = lrg_oom_select(c, 1, &none, TOTAL, &idx);
	ok(r == -ESRCH && strstr(c[0].reason, "min_ttl_ms=0"), "slice min_ttl_ms=0: no victim (%s)",
	   c[0].reason);
	slice.min_ttl_ms = 1000;

	/* prefer beats size and growth; avoid loses to everything else. */
	{
		char *pref[] = { "comm:chrom*" }, *avoid[] = { "comm:big" };

		slice.prefer = pats(pref, 1);
		slice.avoid = pats(avoid, 1);
		c[0] = cand(600, "big", MIB(6000), MIB(6000));
		c[1] = cand(601, "chromium", MIB(100), 0);
		c[2] = cand(602, "other", MIB(200), 0);
		for (int i = 0; i < 3; i++)
			c[i].slice = &slice;
		r = lrg_oom_select(c, 3, &none, TOTAL, &idx);
		ok(r == 0 && idx == 1, "prefer pattern first (idx %zu)", idx);
		ok(c[0].tier == LRG_TIER_AVOID && lrg_oom_compare(&c[2], &c[0]) > 0,
		   "avoid pattern ranks after a normal candidate, despite growth and size");
		slice.prefer = none;
		slice.avoid = none;
	}

	/* oom_score_adj shifts badness by adj/1000 of memory, as the kernel does. */
	c[0] = cand(700, "a", MIB(1000), 0);
	c[0].oom_score_adj = 500;
	c[1] = cand(701, "b", MIB(4000), 0);
	r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
	ok(r == 0 && idx == 0, "oom_score_adj 500 (+4 GiB of 8) outranks 3 GiB more rss");
	ok(c[0].badness == (int64_t)(MIB(1000) + 500 * (TOTAL / 1000)), "badness = rss + adj*total/1000");

	test_still_exiting();
	test_baseline_frozen_under_pressure();
	test_thrash_request();
	test_kernel_kill_during_collect();
	test_kernel_kill_settles();
	return tap_done();
}
