// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrugenctl - ask a running lrugend what it sees and does.
 *
 * For the lrugenctl(8) man page:
 *
 * SYNOPSIS
 *	lrugenctl [--socket PATH] [--json] [--ascii] COMMAND [ARG]
 *
 * COMMANDS
 *	status          backend (and what it costs in accuracy), dry run or
 *	                not, pressure, policy and OOM counters, the last OOM
 *	                decision, every slice with its min_ttl, swappiness,
 *	                eviction and OOM policy
 *	stats           the policy and OOM counters, one "group.name value"
 *	                per line
 *	gens [SLICE]    the generations of every memcg (or one slice's) in
 *	                the layout of /sys/kernel/debug/lru_gen: "memcg ID
 *	                PATH", " node N", then "SEQ AGE_MS ANON FILE" per
 *	                generation with a bar of its size (anon, then file)
 *	wss [SLICE]     working set per slice: memory in generations younger
 *	                than 1 s, 10 s, 60 s, and older
 *	explain         the OOM candidates ranked as the next decision would
 *	                rank them, the victim marked '*', with the reason
 *	top             status, wss and the first candidates, redrawn every
 *	                second until q or Ctrl-C
 *	reload          make the daemon reload its configuration (as SIGHUP)
 *	                and print its diagnostics
 *
 * OPTIONS
 *	-s, --socket PATH   the control socket (default /run/lrugend/control,
 *	                    or $LRUGEND_SOCKET)
 *	-j, --json          print the daemon's JSON reply unchanged
 *	-a, --ascii         ASCII bars (the default when the locale is not UTF-8)
 *	-n, --iterations N  top: stop after N frames
 *	-d, --delay MS      top: milliseconds between frames (default 1000)
 *	-t, --timeout MS    wait at most this long for a reply (default 5000)
 *
 * EXIT STATUS
 *	0   success
 *	1   the daemon answered with an error (or an unreadable reply), or a
 *	    reload was rejected
 *	2   usage error
 *	3   cannot reach the daemon: not running, or permission denied (the
 *	    socket is root only)
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "control.h"
#include "json.h"
#include "render.h"

enum {
	EXIT_OK = 0,
	EXIT_DAEMON = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
};

struct opts {
	const char *socket;
	bool json;
	struct lrg_render_opts render;
	long iterations;        /* top: 0 = until q */
	long delay_ms;
	int timeout_ms;
};

static volatile sig_atomic_t interrupted;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lrugenctl [OPTIONS] COMMAND [ARG]\n"
		"\n"
		"Ask the running lrugend what it sees and does.\n"
		"\n"
		"Commands:\n"
		"  status          backend, mode, pressure, counters, slices and their policy\n"
		"  stats           policy and OOM counters\n"
		"  gens [SLICE]    generations per memcg and node, with size bars\n"
		"  wss [SLICE]     working set per slice: younger than 1s, 10s, 60s, older\n"
		"  explain         OOM candidates ranked, with the reason for each\n"
		"  top             live view, refreshed every second (q or Ctrl-C quits)\n"
		"  reload          reload the daemon's configuration\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default %s, or $LRUGEND_SOCKET)\n"
		"  -j, --json          print the daemon's JSON reply unchanged\n"
		"  -a, --ascii         ASCII bars (default when the locale is not UTF-8)\n"
		"  -n, --iterations N  top: stop after N frames\n"
		"  -d, --delay MS      top: milliseconds between frames (default 1000)\n"
		"  -t, --timeout MS    wait at most MS for a reply (default 5000)\n"
		"  -h, --help          this help\n"
		"  -V, --version       version\n"
		"\n"
		"Exit status: 0 ok, 1 the daemon replied with an error, 2 usage error,\n"
		"3 cannot connect (daemon not running, or permission denied: root only).\n",
		LRG_CONTROL_DEFAULT_PATH);
}

static int connect_or_explain(const struct opts *o)
{
	int fd = lrg_ctl_connect(o->socket);

	if (fd >= 0)
		return fd;
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		fprintf(stderr, "lrugenctl: lrugend is not running (nothing listens on %s)\n",
			o->socket);
	else if (fd == -EACCES || fd == -EPERM)
		fprintf(stderr, "lrugenctl: %s: permission denied (the control socket is root only)\n",
			o->socket);
	else
		fprintf(stderr, "lrugenctl: cannot connect to %s: %s\n", o->socket, strerror(-fd));
	return -1;
}

/*
 * One request. Returns an exit code; on EXIT_OK *ret_doc and *ret_v hold the
 * reply (ret_v parsed, NULL if not wanted).
 */
static int ask(int fd, const struct opts *o, const char *cmd, const char *arg, char **ret_doc,
	       struct lrg_jval **ret_v)
{
	struct lrg_jval *v = NULL;
	const struct lrg_jval *err;
	char *doc = NULL;
	size_t len = 0;
	int r;

	r = lrg_ctl_request(fd, cmd, arg, o->timeout_ms, &doc, &len);
	if (r == -ECONNRESET) {
		fprintf(stderr, "lrugenctl: lrugend closed the connection\n");
		return EXIT_CONNECT;
	}
	if (r < 0) {
		fprintf(stderr, "lrugenctl: %s: %s\n", cmd,
			r == -ETIMEDOUT ? "no reply from lrugend" :
			r == -EPROTO ? "reply breaks the control protocol" : strerror(-r));
		return EXIT_DAEMON;
	}
	r = lrg_json_parse(doc, len, &v, NULL);
	if (r < 0) {
		fprintf(stderr, "lrugenctl: %s: the daemon's reply is not valid JSON\n", cmd);
		free(doc);
		return EXIT_DAEMON;
	}
	err = lrg_json_get(v, "error");
	if (err) {
		int64_t code = lrg_json_get_i64(v, "code", 0);

		if (o->json)
			printf("%s\n", doc);
		fprintf(stderr, "lrugenctl: lrugend: %s\n",
			err->type == LRG_JSTRING ? err->str : "error");
		free(doc);
		lrg_json_free(v);
		/* the server refuses uids other than root after accepting */
		return code == EACCES ? EXIT_CONNECT : EXIT_DAEMON;
	}
	*ret_doc = doc;
	if (ret_v)
		*ret_v = v;
	else
		lrg_json_free(v);
	return EXIT_OK;
}

static int cmd_simple(const struct opts *o, const char *cmd, const char *arg)
{
	struct lrg_jval *v = NULL;
	char *doc = NULL;
	int fd, r;

	fd = connect_or_explain(o);
	if (fd < 0)
		return EXIT_CONNECT;
	r = ask(fd, o, cmd, arg, &doc, &v);
	close(fd);
	if (r != EXIT_OK)
		return r;
	if (o->json) {
		fputs(doc, stdout);
		if (!*doc || doc[strlen(doc) - 1] != '\n')
			putchar('\n');
		/* the exit status must not depend on the output format */
		if (!strcmp(cmd, "reload") && !lrg_json_get_bool(v, "reloaded", true))
			r = EXIT_DAEMON;
	} else if (!strcmp(cmd, "status")) {
		r = lrg_ctl_render_status(stdout, v, &o->render);
	} else if (!strcmp(cmd, "stats")) {
		r = lrg_ctl_render_stats(stdout, v, &o->render);
	} else if (!strcmp(cmd, "gens")) {
		r = lrg_ctl_render_gens(stdout, v, &o->render);
	} else if (!strcmp(cmd, "wss")) {
		r = lrg_ctl_render_wss(stdout, v, &o->render);
	} else if (!strcmp(cmd, "explain")) {
		r = lrg_ctl_render_explain(stdout, v, &o->render);
	} else if (!strcmp(cmd, "reload")) {
		const struct lrg_jval *d = lrg_json_get(v, "diagnostics");
		bool done = lrg_json_get_bool(v, "reloaded", true);

		for (size_t i = 0; d && d->type == LRG_JARRAY && i < d->n; i++)
			if (d->items[i].type == LRG_JSTRING)
				fprintf(stderr, "%s\n", d->items[i].str);
		printf("%s\n", done ? "configuration reloaded" :
		       "configuration rejected; the daemon keeps the previous one");
		r = done ? 0 : 1;
	}
	if (r < 0) {
		fprintf(stderr, "lrugenctl: %s: the reply lacks what this view needs (version mismatch?)\n",
			cmd);
		r = EXIT_DAEMON;
	}
	free(doc);
	lrg_json_free(v);
	return r;
}

static void on_signal(int sig)
{
	interrupted = 1;
}

/* Wait ms; false if the user asked to quit (q, Ctrl-C). */
static bool top_wait(long ms, bool keys)
{
	uint64_t end = lrg_mono_ms() + (uint64_t)ms;

	while (!interrupted) {
		uint64_t now = lrg_mono_ms();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		int r;

		if (now >= end)
			return true;
		r = poll(&p, keys ? 1 : 0, (int)(end - now));
		if (r > 0) {
			char c;

			if (read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q' || c == 3))
				return false;
			if (r > 0 && !(p.revents & POLLIN))
				keys = false;  /* stdin closed: stop watching it */
		}
	}
	return false;
}

static int cmd_top(const struct opts *o)
{
	struct lrg_jval *prev = NULL;
	struct termios saved, raw;
	bool tty_in = isatty(STDIN_FILENO), tty_out = isatty(STDOUT_FILENO);
	bool restore = false;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t last_ms = 0;
	int fd, r = EXIT_OK;

	/* no SA_RESTART: Ctrl-C must break the poll */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (tty_in && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	for (long it = 0; !interrupted && (!o->iterations || it < o->iterations); it++) {
		struct lrg_jval *st = NULL, *wss = NULL, *ex = NULL;
		char *d1 = NULL, *d2 = NULL, *d3 = NULL, *frame = NULL;
		size_t frame_len = 0;
		uint64_t now;
		FILE *f;

		/* a connection per frame: the daemon drops clients idle for
		 * longer than its idle timeout, and --delay may be longer */
		fd = connect_or_explain(o);
		if (fd < 0) {
			r = EXIT_CONNECT;
			break;
		}
		r = ask(fd, o, "status", NULL, &d1, &st);
		if (r != EXIT_OK) {
			close(fd);
			break;
		}
		now = lrg_mono_ms();
		/* wss and explain are optional: an older daemon still gets a view */
		if (ask(fd, o, "wss", NULL, &d2, &wss) != EXIT_OK)
			wss = NULL;
		if (ask(fd, o, "explain", NULL, &d3, &ex) != EXIT_OK)
			ex = NULL;
		close(fd);
		f = open_memstream(&frame, &frame_len);
		if (!f) {
			r = EXIT_DAEMON;
			break;
		}
		if (lrg_ctl_render_top(f, st, prev, prev ? now - last_ms : 0, wss, ex, &o->render) < 0)
			fprintf(f, "(the daemon's status lacks what this view needs)\n");
		fclose(f);
		/* one write per frame: no flicker */
		if (tty_out)
			fputs("\033[H\033[2J", stdout);
		else if (it)
			putchar('\n');
		fwrite(frame, 1, frame_len, stdout);
		if (tty_out)
			fputs("\n(q to quit)", stdout);
		fflush(stdout);
		free(frame);
		free(d1);
		free(d2);
		free(d3);
		lrg_json_free(wss);
		lrg_json_free(ex);
		lrg_json_free(prev);
		prev = st;
		last_ms = now;
		if (o->iterations && it + 1 >= o->iterations)
			break;
		if (!top_wait(o->delay_ms, tty_in))
			break;
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (tty_out)
		putchar('\n');
	lrg_json_free(prev);
	return r;
}

static bool parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.socket = getenv("LRUGEND_SOCKET"),
		.delay_ms = 1000,
		.timeout_ms = 5000,
	};
	const char *cmd, *arg;
	long v;
	int c;

	setlocale(LC_CTYPE, "");
	o.render.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	if (!o.socket || !*o.socket)
		o.socket = LRG_CONTROL_DEFAULT_PATH;
	while ((c = getopt_long(argc, argv, "s:jan:d:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'a':
			o.render.ascii = true;
			break;
		case 'n':
			if (!parse_long(optarg, 1, 1000000000, &o.iterations)) {
				fprintf(stderr, "lrugenctl: --iterations: expected a positive number, got \"%s\"\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (!parse_long(optarg, 10, 3600000, &o.delay_ms)) {
				fprintf(stderr, "lrugenctl: --delay: expected 10..3600000 ms, got \"%s\"\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (!parse_long(optarg, 1, 3600000, &v)) {
				fprintf(stderr, "lrugenctl: --timeout: expected 1..3600000 ms, got \"%s\"\n",
					optarg);
				return EXIT_USAGE;
			}
			o.timeout_ms = (int)v;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("lrugenctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "lrugenctl: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	arg = optind < argc ? argv[optind++] : NULL;
	if (optind < argc) {
		fprintf(stderr, "lrugenctl: %s: too many arguments\n", cmd);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "gens") || !strcmp(cmd, "wss")) {
		if (arg && (!*arg || strlen(arg) > LRG_CONTROL_ARG_MAX || strpbrk(arg, " \t\n"))) {
			fprintf(stderr, "lrugenctl: %s: \"%s\" is not a slice name\n", cmd, arg);
			return EXIT_USAGE;
		}
		return cmd_simple(&o, cmd, arg);
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "stats") || !strcmp(cmd, "explain") ||
	    !strcmp(cmd, "reload") || !strcmp(cmd, "top")) {
		if (arg) {
			fprintf(stderr, "lrugenctl: %s takes no argument\n", cmd);
			return EXIT_USAGE;
		}
		if (!strcmp(cmd, "top")) {
			if (o.json) {
				fprintf(stderr, "lrugenctl: top has no --json form; use status --json\n");
				return EXIT_USAGE;
			}
			return cmd_top(&o);
		}
		return cmd_simple(&o, cmd, NULL);
	}
	fprintf(stderr, "lrugenctl: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
