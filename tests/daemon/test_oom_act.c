// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OOM path served end to end (lrg_oom_handle) over a minimal scripted
 * backend, with the act's ops recorded: what is killed, what is said, in
 * which order, and that nothing between the decision and the signal
 * allocates. The ranking and the decision alone are tested in tests/core.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config_load.h"
#include "oom.h"
#include "tap.h"
#include "ttl.h"

#define MIB(x) ((uint64_t)(x) * 256) /* pages */

/* ---- allocations counted while `counting` is set ---- */

static volatile bool counting;
static volatile size_t nr_allocs;

#if defined(__SANITIZE_ADDRESS__)
/*
 * ASan owns malloc: it calls a hook on every allocation instead. Declared
 * here as libasan exports it: GCC ships no sanitizer/allocator_interface.h.
 */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					       void (*free_hook)(const volatile void *));

static void count_alloc(const volatile void *p, size_t size)
{
	if (counting)
		nr_allocs++;
}

static void count_free(const volatile void *p)
{
}

static void alloc_hook_install(void)
{
	__sanitizer_install_malloc_and_free_hooks(count_alloc, count_free);
}
#else
/* The test binary's own malloc family, in front of glibc's. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

void *malloc(size_t size)
{
	if (counting)
		nr_allocs++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (counting)
		nr_allocs++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (counting)
		nr_allocs++;
	return __libc_realloc(p, size);
}

static void alloc_hook_install(void)
{
}
#endif

/* ---- the act, recorded ---- */

#define MAX_STEPS 64

static struct {
	char what[MAX_STEPS][16];     /* "kill", "log", "event", "notify" */
	int n;
	size_t allocs_at_signal;      /* counted from the last look to the kill */
	int stale_notices;            /* "thrash seen before" lines at notice level or louder */
	int incomplete_warnings;      /* "candidates incomplete" lines at warning level */
} act;

static void step(const char *what)
{
	if (act.n < MAX_STEPS)
		snprintf(act.what[act.n++], sizeof(act.what[0]), "%s", what);
}

static int rec_kill(void *ctx, const struct lrg_oom_verdict *v)
{
	struct lrg_backend *b = ctx;

	act.allocs_at_signal = nr_allocs;
	counting = false;
	step("kill");
	return b->ops->kill(b, &v->kill);
}

static void rec_log(void *ctx, int priority, const char *line)
{
	counting = false;
	step("log");
	if (strstr(line, "thrash seen before") && priority <= LOG_NOTICE)
		act.stale_notices++;
	if (strstr(line, "candidates incomplete") && priority == LOG_WARNING)
		act.incomplete_warnings++;
}

static void rec_event(void *ctx, int priority, const char *message_id, const char *message,
		      const char *const *fields)
{
	counting = false;
	step("event");
}

static int rec_notify(void *ctx, long uid, const struct lrg_kill_note *n)
{
	step("notify");
	return 0;
}

static const struct lrg_oom_act_ops rec_ops = { .kill = rec_kill, .log = rec_log,
						.event = rec_event, .notify = rec_notify };

static void act_reset(void)
{
	memset(&act, 0, sizeof(act));
}

/* The index of the first step named what, or -1. */
static int step_at(const char *what)
{
	for (int i = 0; i < act.n; i++)
		if (!strcmp(act.what[i], what))
			return i;
	return -1;
}

/* ---- lrg_oom_handle over a scripted machine: one memcg, two processes ---- */

static struct lrg_mm_info mms[2];
static bool mm_gone[2];
static struct lrg_pressure machine;
static int nr_kills;

static int t_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_memcg_info root = { .id = LRG_ROOT_MEMCG, .path = "/" };

	counting = false;   /* the candidates are read: they may allocate */
	(void)b;
	return fn(ctx, &root);
}

/* >= 0: the kernel's OOM killer takes that mm while the candidates are read */
static int kernel_kills_on_list = -1;
/* small processes listed after the two: a crowded machine */
static int extra_mms;

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
	for (int i = 0; i < extra_mms; i++) {
		struct lrg_mm_info m = { .mm_key = 10000 + (uint64_t)i, .pid = 10000 + i,
					 .start_time = 7, .memcg_id = LRG_ROOT_MEMCG, .nr_anon = 1 };

		if (fn(ctx, &m) < 0)
			return -1;
	}
	return 0;
}

static int t_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	(void)b;
	(void)memcg_id;
	*ret = machine;
	/* a look is the last read before the decision (or the candidates) */
	counting = true;
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

/* lrg_oom_new, with the act recorded (rec_ops) and killing through b. */
static int oom_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_oom **ret)
{
	int r = lrg_oom_new(b, cfg, ret);

	if (r == 0)
		lrg_oom_set_act_ops(*ret, &rec_ops, b);
	return r;
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

	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
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
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
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
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
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
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
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

/* Hand the same request to o at `ticks` ticks from `from`, 200 ms apart;
 * the "thrash seen before" lines logged at notice level or louder. */
static int stale_skip_lines(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t from,
			    int ticks)
{
	char d[160];

	act_reset();
	for (int i = 0; i < ticks; i++)
		lrg_oom_handle(o, req, from + 200 * (uint64_t)i, d, sizeof(d));
	return act.stale_notices;
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
	int lines;

	scripted_setup(&cfg, 400, "leak", MIB(300), "standin", MIB(40));
	/* free memory above the watermarks, 40% "available": no pressure by
	 * free memory, as in S3 of bench/oom-bench.sh when the readers thrash */
	machine = (struct lrg_pressure){ .mem_total = 8192ULL << 20, .mem_free = 128ULL << 20,
					 .mem_available = 3277ULL << 20, .watermark_low = 64ULL << 20,
					 .watermark_high = 96ULL << 20, .psi_full_avg10 = 20,
					 .usage = (8192ULL - 3277) << 20 };
	ok(!lrg_under_pressure(&machine, true), "oom: the scripted machine is not under pressure by its free memory");
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");

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
	lines = stale_skip_lines(o, &req, 3200, 4);
	ok(lines == 0, "oom: the same wait in 4 more ticks is not logged again (%d notices)", lines);
	req.evidence_ms = 3500;                 /* a window begun after it */
	ok(lrg_oom_handle(o, &req, 5500, d, sizeof(d)) == 1 && nr_kills == 2 && strstr(d, "pid 401"),
	   "oom: a thrash still seen in a window after it: a decision of its own (%s)", d);
	lrg_oom_free(o);
	mm_gone[0] = false;

	/* memory freed since the request (a process exited): dropped */
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
	machine.mem_available = 3277ULL << 20;
	machine_request(&req);
	req.thrashing = true;
	machine.mem_available += 512ULL << 20;
	ok(lrg_oom_handle(o, &req, 2000, d, sizeof(d)) == 0 && nr_kills == 2 && strstr(d, "pressure gone"),
	   "oom: a thrash request is dropped when 512 MiB were freed since (%s)", d);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/*
 * From the decision to the signal nothing allocates (an allocation under
 * pressure can wait on reclaim, the very thing the kill is to end), and
 * the signal leaves before any line is logged (the journal may be stalled).
 */
static void test_kill_path(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	void *(*volatile alloc)(size_t) = malloc;
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[160];
	void *p;

	nr_allocs = 0;
	counting = true;
	p = alloc(64);
	counting = false;
	free(p);
	ok(nr_allocs == 1, "kill path: the allocation counter counts (%zu)", (size_t)nr_allocs);

	scripted_setup(&cfg, 800, "runaway", MIB(400), "other", MIB(100));
	cfg.daemon.kill_timeout_ms = 3000;
	cfg.daemon.notify_desktop = true;
	short_machine(0);
	machine_request(&req);
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
	act_reset();
	nr_allocs = 0;
	ok(lrg_oom_handle(o, &req, 1000, d, sizeof(d)) == 1 && nr_kills == 1 && strstr(d, "pid 800"),
	   "kill path: the runaway is killed (%s)", d);
	ok(act.n > 0 && !strcmp(act.what[0], "kill"),
	   "kill path: the signal is the first thing the act does (first: %s)", act.n ? act.what[0] : "-");
	ok(step_at("log") > 0 && step_at("event") > step_at("log") && step_at("notify") > step_at("event"),
	   "kill path: then the candidates are logged, the journal event written, the desktop told");
	ok(act.allocs_at_signal == 0, "kill path: no allocation from the last look to the signal (%zu)",
	   act.allocs_at_signal);

	/* still exiting after kill_timeout_ms: signalled again, then said */
	act_reset();
	nr_allocs = 0;
	ok(lrg_oom_handle(o, &req, 4500, d, sizeof(d)) == 0 && nr_kills == 2 && strstr(d, "still exiting"),
	   "kill path: the last victim, still exiting, is signalled again (%s)", d);
	ok(act.n > 1 && !strcmp(act.what[0], "kill") && step_at("event") < 0 && act.allocs_at_signal == 0,
	   "kill path: again the signal first, no allocation before it (%zu), no second event",
	   act.allocs_at_signal);
	lrg_oom_free(o);
	lrg_config_free(&cfg);
}

/*
 * More processes than the storage prepared for them: lrugend decides
 * nothing on part of the machine (the runaway may be in the part not
 * read), says so, and makes room after the act; the next request decides
 * on all of them. A baseline sizes the storage beforehand.
 */
static void test_incomplete(void)
{
	struct lrg_backend b = { .ops = &scripted_ops, .caps = LRG_CAP_VIRTUAL_TIME };
	struct lrg_config cfg;
	struct lrg_oom *o;
	struct lrg_oom_request req;
	char d[160];

	scripted_setup(&cfg, 900, "other", MIB(100), "runaway", MIB(400));
	extra_mms = 2000;
	short_machine(0);
	machine_request(&req);
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
	act_reset();
	ok(lrg_oom_handle(o, &req, 1000, d, sizeof(d)) == 0 && nr_kills == 0 &&
	   strstr(d, "incomplete") && strstr(d, "of 2002 processes"),
	   "incomplete: 2,002 processes in room for fewer: nobody chosen from part of them (%s)", d);
	ok(act.incomplete_warnings == 1, "incomplete: said once, as a warning (%d)", act.incomplete_warnings);
	ok(lrg_oom_handle(o, &req, 1100, d, sizeof(d)) == 1 && nr_kills == 1 && strstr(d, "pid 901"),
	   "incomplete: room made after it; the next request decides on all of them (%s)", d);
	lrg_oom_free(o);

	/* a baseline first: the room is there before the first request */
	ok(oom_new(&b, &cfg, &o) == 0, "oom: new");
	extra_mms = 3000;
	lrg_oom_observe(o, 500);
	ok(lrg_oom_handle(o, &req, 1000, d, sizeof(d)) == 1 && nr_kills == 2 && strstr(d, "pid 901"),
	   "incomplete: after a baseline of 3,002 processes the first request decides (%s)", d);
	lrg_oom_free(o);
	extra_mms = 0;
	lrg_config_free(&cfg);
}

int main(void)
{
	alloc_hook_install();
	test_still_exiting();
	test_baseline_frozen_under_pressure();
	test_thrash_request();
	test_kernel_kill_during_collect();
	test_kernel_kill_settles();
	test_kill_path();
	test_incomplete();
	return tap_done();
}
