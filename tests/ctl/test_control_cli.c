// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_control_cli.c - the built lrugenctl end to end against a stand-in
 * daemon: a child process serving liblrgcontrol with handlers that render
 * hand-made state through control_json.h, exactly as lrugend's handlers
 * will. Checks every command's text, --json, the exit codes and the
 * refusal of a uid that is not allowed.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "control_json.h"
#include "tap.h"

/* ---- the stand-in daemon -------------------------------------------------- */

static uint64_t ticks;

static int h_status(void *ctx, FILE *out)
{
	static struct lrg_slice_config slices[1] = {
		{ .name = "app.slice", .match = "app.slice", .min_ttl_ms = 1000, .swappiness = -1,
		  .evict = true, .oom = LRG_OOM_CGROUP },
	};
	struct lrg_config cfg = { .slices = slices, .nr_slices = 1 };
	struct lrg_policy_stats ps = { .gens_created = ticks * 2, .pages_evicted = ticks * 100 };
	struct lrg_oom_stats os = { .decisions = 1 };
	struct lrg_pressure pr = { .mem_total = 4ULL << 30, .mem_available = 1ULL << 30,
				   .psi_some_avg10 = 3.5 };
	struct lrg_cj_status s = {
		.version = "9.9", .backend = "sim", .accuracy = "simulated kernel", .dry_run = true,
		.uptime_ms = 61000, .cfg = &cfg, .policy = &ps, .oom = &os,
		.last_decision = "would kill 77 (hog)", .pressure = &pr, .nr_memcgs = 2,
	};

	ticks++;
	snprintf(cfg.daemon.profile, sizeof(cfg.daemon.profile), "desktop");
	snprintf(cfg.defaults.name, sizeof(cfg.defaults.name), "*");
	return lrg_cj_write_status(out, &s);
}

static int h_stats(void *ctx, FILE *out)
{
	struct lrg_policy_stats ps = { .gens_created = 5 };

	return lrg_cj_write_stats(out, &ps, NULL);
}

/* Two memcgs, the views lrg_policy_foreach_gens would give. */
static int foreach_gens(lrg_gens_fn fn, void *ctx)
{
	struct lrg_gens_view v[2] = {
		{ .memcg_id = 1, .path = "/", .slice = "*", .max_seq = 5, .min_seq = { 3, 3 },
		  .nr_gens = 3, .nr_mms = 4 },
		{ .memcg_id = 7, .path = "/app.slice", .slice = "app.slice", .max_seq = 9,
		  .min_seq = { 8, 8 }, .nr_gens = 2, .nr_mms = 1 },
	};
	int r;

	for (int i = 0; i < 3; i++) {
		v[0].gens[i].seq = 3 + (uint64_t)i;
		v[0].gens[i].age_ms = 70000 / (uint64_t)(i + 1);
		v[0].gens[i].nr_pages[LRG_ANON] = 1000 * (uint64_t)(i + 1);
		v[0].gens[i].nr_pages[LRG_FILE] = 500;
	}
	for (int i = 0; i < 2; i++) {
		v[1].gens[i].seq = 8 + (uint64_t)i;
		v[1].gens[i].age_ms = 500 * (uint64_t)(2 - i);
		v[1].gens[i].nr_pages[LRG_ANON] = 256;
	}
	for (int i = 0; i < 2; i++)
		if ((r = fn(ctx, &v[i])) < 0)
			return r;
	return 0;
}

static int h_gens(void *ctx, const char *slice, FILE *out)
{
	struct lrg_cj_gens g;

	if (slice && strcmp(slice, "app.slice") && strcmp(slice, "*"))
		return -ENOENT;
	lrg_cj_gens_begin(&g, out, slice, 123456);
	return lrg_cj_gens_end(&g, foreach_gens(lrg_cj_gens_fn, &g));
}

static int h_wss(void *ctx, const char *slice, FILE *out)
{
	struct lrg_cj_wss w;
	int r;

	lrg_cj_wss_init(&w, slice);
	r = lrg_cj_wss_add_slice(&w, "app.slice");
	if (r >= 0)
		r = foreach_gens(lrg_cj_wss_fn, &w);
	if (r >= 0)
		r = lrg_cj_wss_write(out, &w, 123456);
	lrg_cj_wss_free(&w);
	return r;
}

static int h_explain(void *ctx, FILE *out)
{
	struct lrg_cj_candidate c[2] = {
		{ .pid = 77, .comm = "hog", .cgroup = "/app.slice", .slice = "app.slice",
		  .rss_pages = 262144, .growth_pages = 200000, .tier = LRG_TIER_NORMAL,
		  .badness = 262144, .reason = "grew most during this pressure episode" },
		{ .pid = 1, .comm = "systemd", .tier = LRG_TIER_EXCLUDED, .reason = "init" },
	};
	struct lrg_cj_explain e = { .domain = "/", .dry_run = true, .c = c, .n = 2,
				    .has_victim = true };

	return lrg_cj_write_explain(out, &e);
}

/* Accepts the first reload, rejects the second, and so on. */
static int h_reload(void *ctx, FILE *out)
{
	static int calls;
	struct lrg_diag_entry e = { .level = LRG_DIAG_WARNING,
				    .msg = "/etc/lrugend/lrugend.conf:3: [daemon] foo: unknown key" };
	struct lrg_diag d = { .n = 1, .nr_errors = calls % 2, .entries = &e };

	return lrg_cj_write_reload(out, calls++ % 2 == 0, &d);
}

static const struct lrg_control_ops ops = {
	.status = h_status, .stats = h_stats, .gens = h_gens, .wss = h_wss,
	.explain = h_explain, .reload = h_reload,
};

/* Serve path (our uid allowed) and refuse_path (another uid allowed). */
static pid_t start_daemon(const char *path, const char *refuse_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct lrg_control *a, *b;
		sd_event *e;

		alarm(60);  /* never outlive a broken test */
		if (sd_event_new(&e) < 0 || lrg_control_start(e, path, &ops, NULL, &a) < 0 ||
		    lrg_control_start(e, refuse_path, &ops, NULL, &b) < 0)
			_exit(1);
		lrg_control_set_allowed_uid(a, getuid());
		lrg_control_set_allowed_uid(b, getuid() + 1);
		sd_event_loop(e);
		_exit(0);
	}
	for (int i = 0; i < 300 && (access(path, F_OK) || access(refuse_path, F_OK)); i++)
		usleep(10000);
	return pid;
}

/* ---- running lrugenctl ------------------------------------------------------ */

static char ctl[512], dir[64], sock[128], refuse_sock[128];
static char out[1 << 16], err[1 << 14];

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* Run lrugenctl with args (NULL-terminated) under locale lc (NULL: as is);
 * returns its exit status, output in out / err. */
static int run(const char *lc, const char *const *args)
{
	char op[128], ep[128];
	const char *argv[16];
	int st, n = 0;
	pid_t pid;

	snprintf(op, sizeof(op), "%s/out", dir);
	snprintf(ep, sizeof(ep), "%s/err", dir);
	argv[n++] = ctl;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int o = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(o, 1);
		dup2(e, 2);
		unsetenv("LRUGEND_SOCKET");
		if (lc)
			setenv("LC_ALL", lc, 1);
		execv(ctl, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	slurp(op, out, sizeof(out));
	slurp(ep, err, sizeof(err));
	return WEXITSTATUS(st);
}

#define RUN(lc, ...) run(lc, (const char *const[]){ __VA_ARGS__, NULL })

static int count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * lrugenctl top on a terminal: run it on a pty, wait for a drawn frame,
 * press key; returns its exit status (-1: still running after 3 s, then
 * killed). *ret_restored: the terminal is back in canonical echo mode.
 */
static int top_on_pty(char key, bool *ret_frame, bool *ret_restored)
{
	static char screen[1 << 16];
	size_t got = 0;
	struct termios t;
	int master, slave, st;
	uint64_t end;
	pid_t pid;

	*ret_frame = *ret_restored = false;
	screen[0] = '\0';
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
		return -2;
	pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		execl(ctl, ctl, "--socket", sock, "top", "--delay", "100", (char *)NULL);
		_exit(127);
	}
	end = mono_ms() + 5000;
	while (mono_ms() < end && !strstr(screen, "(q to quit)")) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(master, screen + got, sizeof(screen) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		screen[got] = '\0';
	}
	*ret_frame = strstr(screen, "\033[H\033[2J") && strstr(screen, "(q to quit)");
	if (write(master, &key, 1) != 1)
		diag("cannot type on the pty");
	end = mono_ms() + 3000;
	st = -1;
	while (mono_ms() < end) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		char drain[4096];

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		st = -1;
		/* keep reading: a full pty would block its writes */
		if (poll(&p, 1, 20) > 0 && read(master, drain, sizeof(drain)) < 0)
			usleep(20000);
	}
	if (st == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	*ret_restored = tcgetattr(slave, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO);
	close(master);
	close(slave);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void show(void)
{
	diag("stdout: %.600s", out);
	diag("stderr: %.300s", err);
}

static void check(bool cond, const char *what)
{
	if (!ok(cond, "%s", what))
		show();
}

int main(void)
{
	const char *top = getenv("top_builddir");
	struct lrg_jval *v = NULL;
	pid_t pid;
	int r;

	signal(SIGPIPE, SIG_IGN);
	snprintf(ctl, sizeof(ctl), "%s/lrugenctl", top ? top : ".");
	if (access(ctl, X_OK)) {
		skip("lrugenctl not built next to the test (top_builddir unset?)");
		return tap_done();
	}
	snprintf(dir, sizeof(dir), "/tmp/lrg-cli-XXXXXX");
	if (!mkdtemp(dir)) {
		skip("cannot create a temp dir");
		return tap_done();
	}
	snprintf(sock, sizeof(sock), "%s/control", dir);
	snprintf(refuse_sock, sizeof(refuse_sock), "%s/refuse", dir);
	pid = start_daemon(sock, refuse_sock);

	r = RUN(NULL, "--socket", sock, "status");
	check(r == 0 && strstr(out, "backend:   sim: simulated kernel") &&
	      strstr(out, "DRY RUN") && strstr(out, "would kill 77 (hog)") &&
	      strstr(out, "  app.slice"), "status: readable summary, exit 0");

	r = RUN(NULL, "--socket", sock, "--json", "status");
	check(r == 0 && lrg_json_parse(out, strlen(out), &v, NULL) == 0 &&
	      !strcmp(lrg_json_get_str(lrg_json_get(v, "backend"), "name", ""), "sim"),
	      "status --json: the daemon's JSON");
	lrg_json_free(v);

	r = RUN(NULL, "--socket", sock, "--ascii", "gens");
	check(r == 0 && strstr(out, "memcg     1 /  [*]\n node    0\n") &&
	      strstr(out, "memcg     7 /app.slice  [app.slice]") &&
	      strstr(out, "\n         5      23333         3000          500  ###########################=====\n"),
	      "gens --ascii: lru_gen layout, bar of the largest generation 32 wide (27 anon, 5 file)");

	r = RUN("C", "--socket", sock, "gens");
	check(r == 0 && !strstr(out, "▇") && strchr(out, '#'), "gens in the C locale: ASCII bars");
	if (setlocale(LC_CTYPE, "C.UTF-8")) {
		r = RUN("C.UTF-8", "--socket", sock, "gens", "app.slice");
		check(r == 0 && strstr(out, "▇") && !strstr(out, "memcg     1 "),
		      "gens SLICE in a UTF-8 locale: block bars, one slice");
	} else {
		skip("no C.UTF-8 locale here");
	}
	setlocale(LC_CTYPE, "C");

	r = RUN(NULL, "--socket", sock, "gens", "nope.slice");
	check(r == 1 && strstr(err, "no such slice \"nope.slice\""),
	      "gens of an unknown slice: exit 1 with the daemon's message");

	r = RUN(NULL, "--socket", sock, "wss");
	check(r == 0 && strstr(out, "SLICE") && strstr(out, "<10s") &&
	      strstr(out, "\napp.slice                    1.0M     1.0M        0        0     2.0M        0     2.0M"
			  "         0\n"),
	      "wss: table per slice");

	r = RUN(NULL, "--socket", sock, "--json", "wss", "app.slice");
	check(r == 0 && lrg_json_parse(out, strlen(out), &v, NULL) == 0 &&
	      lrg_json_get(v, "slices") && lrg_json_get(v, "slices")->n == 1, "wss --json SLICE");
	lrg_json_free(v);

	r = RUN(NULL, "--socket", sock, "explain");
	check(r == 0 && strstr(out, "the next kill would be hog (pid 77)") &&
	      strstr(out, "grew most during this pressure episode") && strstr(out, "  1*"),
	      "explain: ranked table with the reason");

	r = RUN(NULL, "--socket", sock, "stats");
	check(r == 0 && strstr(out, "policy.gens_created 5\n"), "stats: one counter per line");

	r = RUN(NULL, "--socket", sock, "reload");
	check(r == 0 && strstr(out, "configuration reloaded") && strstr(err, "unknown key"),
	      "reload: done, diagnostics shown");
	r = RUN(NULL, "--socket", sock, "reload");
	check(r == 1 && strstr(out, "configuration rejected"), "rejected reload: exit 1");
	r = RUN(NULL, "--socket", sock, "reload");
	r = RUN(NULL, "--socket", sock, "--json", "reload");
	check(r == 1 && strstr(out, "\"reloaded\":false"), "rejected reload with --json: JSON, exit 1");

	r = RUN(NULL, "--socket", sock, "top", "--iterations", "3", "--delay", "100");
	check(r == 0 && count(out, "\nrates:") == 3 && !strchr(out, '\033') &&
	      count(out, "rates:     0.0 gens/s") == 1,
	      "top --iterations 3: three frames, rates after the first, no escapes off a tty");

	{
		bool frame, restored;

		r = top_on_pty('q', &frame, &restored);
		if (r == -2) {
			skip("no pty here: top on a terminal not tested");
		} else {
			ok(frame, "top on a terminal: clear-screen redraw with the quit hint");
			ok(r == 0 && restored, "top quits on q with status 0, terminal restored (%d)", r);
			r = top_on_pty('\003', &frame, &restored);
			ok(r == 0 && restored, "top quits on Ctrl-C with status 0, terminal restored (%d)",
			   r);
		}
	}

	r = RUN(NULL, "--socket", refuse_sock, "status");
	check(r == 3 && strstr(err, "permission denied"), "a uid the daemon does not allow: exit 3");
	r = RUN(NULL, "--socket", "/nonexistent/lrugend/control", "status");
	check(r == 3 && strstr(err, "not running"), "no daemon: exit 3, says not running");

	r = RUN(NULL, "--socket", sock);
	check(r == 2 && strstr(err, "missing command"), "no command: exit 2");
	r = RUN(NULL, "--socket", sock, "frobnicate");
	check(r == 2 && strstr(err, "unknown command"), "unknown command: exit 2");
	r = RUN(NULL, "--socket", sock, "status", "extra");
	check(r == 2, "argument to status: exit 2");
	r = RUN(NULL, "--socket", sock, "top", "--iterations", "0");
	check(r == 2, "--iterations 0: exit 2");
	r = RUN(NULL, "--help");
	check(r == 0 && strstr(out, "Exit status: 0 ok, 1 ") && strstr(out, "3 cannot connect"),
	      "--help documents the exit codes");

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	r = RUN(NULL, "--socket", sock, "status");
	check(r == 3, "daemon gone: exit 3");

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return tap_done();
}
