// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_control.c - the control socket: request parsing, and the server on
 * a real socket in a temp dir, driven by sd-event in this process (and,
 * for lrugenctl's client code, in a forked child).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "control.h"
#include "json.h"
#include "tap.h"

/* ---- parsing ------------------------------------------------------------- */

static int parse(const char *s, size_t len, struct lrg_control_request *req, char *err)
{
	return lrg_control_parse_request(s, len, req, err, 256);
}

#define P(s) parse(s, strlen(s), &req, err)

static void test_parse(void)
{
	struct lrg_control_request req;
	char err[256], big[LRG_CONTROL_REQUEST_MAX + 2];
	int r;

	r = P("lrugend/1 status");
	ok(r == 0 && req.cmd == LRG_CMD_STATUS && !req.has_arg, "status parses");
	r = P("lrugend/1 gens app.slice\n");
	ok(r == 0 && req.cmd == LRG_CMD_GENS && req.has_arg && !strcmp(req.arg, "app.slice"),
	   "gens SLICE with trailing newline parses");
	r = P("lrugend/1 wss");
	ok(r == 0 && req.cmd == LRG_CMD_WSS && !req.has_arg, "wss without slice parses");
	r = P("lrugend/1 explain");
	ok(r == 0 && req.cmd == LRG_CMD_EXPLAIN, "explain parses");
	r = P("lrugend/1 reload");
	ok(r == 0 && req.cmd == LRG_CMD_RELOAD, "reload parses");
	r = P("lrugend/1 stats");
	ok(r == 0 && req.cmd == LRG_CMD_STATS, "stats parses");

	req.cmd = LRG_CMD_NR;
	r = P("status");
	ok(r == -EPROTO && strstr(err, "unversioned"), "unversioned request: EPROTO, says so (%s)", err);
	ok(req.cmd == LRG_CMD_NR, "*ret untouched on failure");
	r = P("lrugend/2 status");
	ok(r == -EPROTO && strstr(err, "lrugend/2"), "other version: EPROTO naming it (%s)", err);
	r = P("lrugend/1 frobnicate");
	ok(r == -EOPNOTSUPP && strstr(err, "frobnicate"), "unknown command named (%s)", err);
	r = P("lrugend/1");
	ok(r == -EINVAL && strstr(err, "missing command"), "missing command (%s)", err);
	r = P("");
	ok(r == -EPROTO, "empty request");
	r = P("lrugend/1  status");
	ok(r == -EINVAL, "double space is malformed (%s)", err);
	r = P(" lrugend/1 status");
	ok(r == -EINVAL, "leading space is malformed");
	r = P("lrugend/1 status extra");
	ok(r == -EINVAL && strstr(err, "no argument"), "argument to status refused (%s)", err);
	r = P("lrugend/1 gens a b");
	ok(r == -EINVAL && strstr(err, "too many"), "too many arguments (%s)", err);
	memset(big, 'a', sizeof(big));
	memcpy(big, "lrugend/1 gens ", 15);
	r = parse(big, 15 + LRG_CONTROL_ARG_MAX + 1, &req, err);
	ok(r == -EINVAL && strstr(err, "argument"), "argument over %d bytes refused (%s)",
	   LRG_CONTROL_ARG_MAX, err);
	r = parse(big, 15 + LRG_CONTROL_ARG_MAX, &req, err);
	ok(r == 0 && strlen(req.arg) == LRG_CONTROL_ARG_MAX, "argument of exactly %d bytes ok",
	   LRG_CONTROL_ARG_MAX);
	r = parse(big, LRG_CONTROL_REQUEST_MAX + 1, &req, err);
	ok(r == -EMSGSIZE && strstr(err, "limit"), "oversized request: EMSGSIZE (%s)", err);
	r = parse("lrugend/1 status\0x", 18, &req, err);
	ok(r == -EINVAL && strstr(err, "NUL"), "embedded NUL refused (%s)", err);
	r = parse("\x89PNG\r\n\x1a\n", 8, &req, err);
	ok(r == -EINVAL && strstr(err, "non-printable"), "binary garbage refused (%s)", err);
	r = P("lrugend/1 gens caf\xc3\xa9");
	ok(r == -EINVAL, "non-ASCII argument refused");
	r = P("GET / HTTP/1.1");
	ok(r == -EPROTO, "HTTP is unversioned garbage");
	ok(lrg_control_cmd_name(LRG_CMD_GENS) && !strcmp(lrg_control_cmd_name(LRG_CMD_GENS), "gens") &&
	   !lrg_control_cmd_name(LRG_CMD_NR), "command names");
}

/* ---- the server ------------------------------------------------------------ */

static sd_event *ev;
static size_t wss_bytes = 100;
static int status_calls;

static int h_status(void *ctx, FILE *out)
{
	status_calls++;
	fprintf(out, "{\"ok\":%d}", status_calls);
	return 0;
}

static int h_gens(void *ctx, const char *slice, FILE *out)
{
	if (slice && !strcmp(slice, "nope"))
		return -ENOENT;
	fprintf(out, "{\"slice\":\"%s\"}", slice ? slice : "");
	return 0;
}

/* A document of exactly wss_bytes: {"x":"aaaa..."} (8 bytes of frame) */
static int h_wss(void *ctx, const char *slice, FILE *out)
{
	static char pattern[4096];
	size_t left = wss_bytes - 8;

	/* whole blocks, not a byte at a time: fast even in a sanitizer build */
	if (!pattern[0])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = 'a' + (char)(i % 26);
	fputs("{\"x\":\"", out);
	while (left) {
		size_t n = left < sizeof(pattern) ? left : sizeof(pattern);

		fwrite(pattern, 1, n, out);
		left -= n;
	}
	fputs("\"}", out);
	return 0;
}

static int h_explain(void *ctx, FILE *out)
{
	fputs("{\"partial\":", out);  /* then fails: must be discarded */
	return -EIO;
}

static int h_stats(void *ctx, FILE *out)
{
	return 0;  /* writes nothing: a handler bug, answered as an error */
}

static const struct lrg_control_ops ops = {
	.status = h_status,
	.gens = h_gens,
	.wss = h_wss,
	.explain = h_explain,
	.stats = h_stats,
	/* .reload NULL: "not supported" */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until fd is readable (or ms pass). */
static bool pump_readable(int fd, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	while (mono_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0)
			return true;
		sd_event_run(ev, 10000);
	}
	return false;
}

static void pump(int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	while (mono_ms() < end)
		sd_event_run(ev, 10000);
}

/* Run the loop until the server has n connections (or ms pass): checks
 * wait for an outcome, not for a guessed time, so a slow build passes. */
static size_t pump_conns(struct lrg_control *srv, size_t n, int ms)
{
	uint64_t end = mono_ms() + (uint64_t)ms;

	while (lrg_control_nr_connections(srv) != n && mono_ms() < end)
		sd_event_run(ev, 10000);
	return lrg_control_nr_connections(srv);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Receive one datagram while pumping the server. Returns length, 0 on EOF
 * or -1 if nothing came. */
static ssize_t recv_pumped(int fd, char *buf, size_t cap)
{
	ssize_t n;

	if (!pump_readable(fd, 5000))
		return -1;
	n = recv(fd, buf, cap - 1, MSG_DONTWAIT);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Send raw bytes, return the reply parsed (NULL if none / not JSON). */
static struct lrg_jval *ask_raw(int fd, const char *req, size_t len)
{
	static char buf[LRG_CONTROL_CHUNK_MAX + 1];
	struct lrg_jval *v = NULL;
	ssize_t n;

	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return NULL;
	n = recv_pumped(fd, buf, sizeof(buf));
	if (n <= 0 || lrg_json_parse(buf, (size_t)n, &v, NULL) < 0)
		return NULL;
	return v;
}

static struct lrg_jval *ask(int fd, const char *req)
{
	return ask_raw(fd, req, strlen(req));
}

/* Error reply with this code? Shows the message. */
static bool is_error(struct lrg_jval *v, int code, const char *needle)
{
	const char *msg = lrg_json_get_str(v, "error", NULL);
	bool r = msg && lrg_json_get_i64(v, "code", 0) == code && (!needle || strstr(msg, needle));

	if (msg)
		diag("error reply: %s (code %lld)", msg, (long long)lrg_json_get_i64(v, "code", 0));
	lrg_json_free(v);
	return r;
}

static bool is_status(struct lrg_jval *v)
{
	bool r = v && lrg_json_get_u64(v, "ok", 0) > 0;

	lrg_json_free(v);
	return r;
}

static void test_errors_keep_serving(int fd)
{
	char big[4096], nul[] = "lrugend/1 status\0junk";

	memset(big, 'x', sizeof(big));
	ok(is_status(ask(fd, "lrugend/1 status")), "status served");
	ok(is_error(ask(fd, "status"), EPROTO, "unversioned"), "unversioned request: EPROTO error");
	ok(is_status(ask(fd, "lrugend/1 status")), "next good request still served");
	ok(is_error(ask(fd, "lrugend/1 frobnicate"), EOPNOTSUPP, "frobnicate"),
	   "unknown command: EOPNOTSUPP naming it");
	ok(is_error(ask_raw(fd, big, sizeof(big)), EMSGSIZE, "4096 bytes"),
	   "oversized request: EMSGSIZE with its real size");
	ok(is_error(ask_raw(fd, nul, sizeof(nul) - 1), EINVAL, "NUL"), "embedded NUL: EINVAL");
	ok(is_error(ask_raw(fd, "\x01\x02\xff", 3), EINVAL, NULL), "garbage: EINVAL");
	ok(is_error(ask(fd, "lrugend/1 gens nope"), ENOENT, "no such slice \"nope\""),
	   "unknown slice: ENOENT naming it");
	ok(is_error(ask(fd, "lrugend/1 reload"), EOPNOTSUPP, "not supported"),
	   "missing handler: EOPNOTSUPP");
	ok(is_error(ask(fd, "lrugend/1 explain"), EIO, "explain"),
	   "failing handler: its errno, partial output discarded");
	ok(is_error(ask(fd, "lrugend/1 stats"), ENODATA, NULL), "handler that wrote nothing: error");
	ok(is_status(ask(fd, "lrugend/1 status")), "after all that, status still served");

	struct lrg_jval *v = ask(fd, "lrugend/1 gens app.slice");
	ok(v && !strcmp(lrg_json_get_str(v, "slice", ""), "app.slice"), "slice argument passed on");
	lrg_json_free(v);
}

static void test_chunked(int fd)
{
	char *buf = malloc(LRG_CONTROL_CHUNK_MAX + 1), *doc;
	struct lrg_jval *v = NULL;
	const struct lrg_jval *c;
	uint64_t bytes, chunks, got = 0;
	ssize_t n;
	bool intact = true;

	wss_bytes = 3 * LRG_CONTROL_CHUNK_MAX + 1234;
	send(fd, "lrugend/1 wss", 13, MSG_NOSIGNAL);
	n = recv_pumped(fd, buf, LRG_CONTROL_CHUNK_MAX + 1);
	ok(n > 0 && lrg_json_parse(buf, (size_t)n, &v, NULL) == 0, "chunk announcement is JSON: %s",
	   n > 0 ? buf : "(nothing)");
	c = lrg_json_get(v, "chunked");
	bytes = lrg_json_get_u64(c, "bytes", 0);
	chunks = lrg_json_get_u64(c, "chunks", 0);
	ok(bytes == wss_bytes && chunks == 4, "announces %llu bytes in %llu chunks",
	   (unsigned long long)bytes, (unsigned long long)chunks);
	lrg_json_free(v);
	doc = malloc(wss_bytes + 1);
	for (uint64_t i = 0; i < chunks && got <= wss_bytes; i++) {
		n = recv_pumped(fd, buf, LRG_CONTROL_CHUNK_MAX + 1);
		if (n <= 0 || got + (uint64_t)n > wss_bytes) {
			intact = false;
			break;
		}
		if (i + 1 < chunks && n != LRG_CONTROL_CHUNK_MAX)
			intact = false;
		memcpy(doc + got, buf, (size_t)n);
		got += (uint64_t)n;
	}
	v = NULL;
	ok(intact && got == wss_bytes && lrg_json_parse(doc, got, &v, NULL) == 0 &&
	   lrg_json_get_str(v, "x", NULL) && strlen(lrg_json_get_str(v, "x", "")) == wss_bytes - 8,
	   "chunks reassemble into the document (%llu bytes)", (unsigned long long)got);
	lrg_json_free(v);
	free(doc);
	free(buf);
	ok(is_status(ask(fd, "lrugend/1 status")), "status served after a chunked reply");

	wss_bytes = LRG_CONTROL_REPLY_MAX + 10;
	ok(is_error(ask(fd, "lrugend/1 wss"), EFBIG, "larger than"), "reply over the cap: EFBIG");
	wss_bytes = 100;
}

static void test_uid(struct lrg_control *srv, const char *path)
{
	size_t before;
	char buf[512];
	struct lrg_jval *v = NULL;
	ssize_t n;
	int fd, r;

	/* let the server see earlier clients go */
	before = pump_conns(srv, 0, 2000);

	lrg_control_set_allowed_uid(srv, getuid() + 1);
	fd = connect_to(path);
	n = recv_pumped(fd, buf, sizeof(buf));
	ok(n > 0 && lrg_json_parse(buf, (size_t)n, &v, NULL) == 0 &&
	   is_error(v, EACCES, "permission denied"), "uid %u refused when uid %u is allowed",
	   (unsigned int)getuid(), (unsigned int)getuid() + 1);
	n = recv_pumped(fd, buf, sizeof(buf));
	ok(n == 0, "refused connection is closed");
	ok(lrg_control_nr_connections(srv) == before, "refused connection holds no state");
	close(fd);

	/* lrugenctl's side of a refusal, in both orders the race allows */
	{
		char *doc = NULL;
		size_t len = 0;

		/* its request went out, then the daemon refused and closed
		 * with it unread: the kernel reports ECONNRESET first */
		fd = connect_to(path);
		send(fd, "lrugend/1 status", 16, MSG_NOSIGNAL);
		/* the refusal is sent and the socket closed in one go */
		pump_readable(fd, 5000);
		r = lrg_ctl_read_reply(fd, 1000, &doc, &len);
		ok(r == 0 && doc && strstr(doc, "\"code\":13"),
		   "client reads the refusal behind ECONNRESET (%s)", r ? strerror(-r) : doc);
		free(doc);
		doc = NULL;
		close(fd);
		/* refused and closed before the request could go out: EPIPE */
		fd = connect_to(path);
		pump_readable(fd, 5000);
		r = lrg_ctl_request(fd, "status", NULL, 1000, &doc, &len);
		ok(r == 0 && doc && strstr(doc, "\"code\":13"),
		   "client reads the refusal after EPIPE (%s)", r ? strerror(-r) : doc);
		free(doc);
		close(fd);
	}

	lrg_control_set_allowed_uid(srv, getuid());
	fd = connect_to(path);
	ok(is_status(ask(fd, "lrugend/1 status")), "uid %u served when allowed", (unsigned int)getuid());
	close(fd);
	pump(50);
}

static void test_bounds(struct lrg_control *srv, const char *path)
{
	int fds[LRG_CONTROL_MAX_CONNS + 1], fd, slow, idle;
	uint64_t t0;
	size_t left;
	size_t base;
	char buf[512];
	struct lrg_jval *v = NULL;
	ssize_t n;

	pump(50);
	base = lrg_control_nr_connections(srv);
	for (int i = 0; i < LRG_CONTROL_MAX_CONNS; i++)
		fds[i] = connect_to(path);
	ok(pump_conns(srv, LRG_CONTROL_MAX_CONNS, 2000) == LRG_CONTROL_MAX_CONNS,
	   "%d connections accepted (had %zu)", LRG_CONTROL_MAX_CONNS, base);
	fd = connect_to(path);
	n = recv_pumped(fd, buf, sizeof(buf));
	ok(n > 0 && lrg_json_parse(buf, (size_t)n, &v, NULL) == 0 && is_error(v, EBUSY, NULL),
	   "one more gets EBUSY");
	close(fd);
	for (int i = 0; i < LRG_CONTROL_MAX_CONNS; i++)
		close(fds[i]);
	ok(pump_conns(srv, 0, 2000) == 0, "closed clients are forgotten");

	/* a client that asks for a big reply and never reads it */
	lrg_control_set_timeouts(srv, 300, 0);
	wss_bytes = 4 * 1024 * 1024;
	slow = connect_to(path);
	send(slow, "lrugend/1 wss", 13, MSG_NOSIGNAL);
	pump(50);
	fd = connect_to(path);
	ok(is_status(ask(fd, "lrugend/1 status")), "others are served while a client does not read");
	ok(pump_conns(srv, 1, 3000) == 1, "the client that never read is dropped");
	close(slow);
	close(fd);
	wss_bytes = 100;
	pump(50);

	lrg_control_set_timeouts(srv, 0, 200);
	t0 = mono_ms();
	idle = connect_to(path);
	ok(pump_conns(srv, 1, 2000) == 1, "idle client connected");
	left = pump_conns(srv, 0, 3000);
	t0 = mono_ms() - t0;
	ok(left == 0 && t0 >= 190, "idle client dropped after the 200 ms idle timeout (%llu ms)",
	   (unsigned long long)t0);
	n = recv(idle, buf, sizeof(buf), MSG_DONTWAIT);
	ok(n == 0, "dropped client sees end of file");
	close(idle);
	lrg_control_set_timeouts(srv, LRG_CONTROL_SEND_TIMEOUT_MS, LRG_CONTROL_IDLE_TIMEOUT_MS);
}

/* Unread replies of all clients together stay within the budget. */
static void test_budget(struct lrg_control *srv, const char *path)
{
	size_t per = LRG_CONTROL_OUT_BUDGET / 4;
	int slow[4], fd;

	/* long enough for a slow (sanitizer) build to render all four */
	lrg_control_set_timeouts(srv, 20000, 0);
	wss_bytes = per;
	for (int i = 0; i < 4; i++) {
		slow[i] = connect_to(path);
		send(slow[i], "lrugend/1 wss", 13, MSG_NOSIGNAL);
	}
	/* each holds its reply once the first datagram of it arrived */
	for (int i = 0; i < 4; i++)
		pump_readable(slow[i], 5000);
	fd = connect_to(path);
	ok(is_error(ask(fd, "lrugend/1 wss"), EBUSY, "still unread"),
	   "budget of %d bytes held by 4 unread replies: the next reply is EBUSY",
	   LRG_CONTROL_OUT_BUDGET);
	/* re-arms the waiting clients' deadlines from now */
	lrg_control_set_timeouts(srv, 100, 0);
	ok(pump_conns(srv, 1, 3000) == 1, "the 4 clients that never read are dropped");
	wss_bytes = 100;
	ok(is_status(ask(fd, "lrugend/1 status")) , "with the budget free again, served");
	for (int i = 0; i < 4; i++)
		close(slow[i]);
	close(fd);
	pump(50);
	lrg_control_set_timeouts(srv, LRG_CONTROL_SEND_TIMEOUT_MS, LRG_CONTROL_IDLE_TIMEOUT_MS);
}

/* Out of file descriptors: accept() fails, and the pending connection
 * keeps the socket readable. The server must back off, not spin. */
static void test_emfile(struct lrg_control *srv, const char *path)
{
	struct rlimit old, low;
	int fd, lowest, dispatched = 0;
	uint64_t end;

	fd = connect_to(path);
	lowest = dup(0);
	if (fd < 0 || lowest < 0 || getrlimit(RLIMIT_NOFILE, &old) < 0) {
		skip("cannot set up the descriptor limit test");
		return;
	}
	close(lowest);
	low = old;
	low.rlim_cur = (rlim_t)lowest;  /* the next descriptor is one too many */
	if (setrlimit(RLIMIT_NOFILE, &low) < 0) {
		skip("cannot lower RLIMIT_NOFILE");
		close(fd);
		return;
	}
	end = mono_ms() + 300;
	while (mono_ms() < end)
		dispatched += sd_event_run(ev, 10000) > 0;
	setrlimit(RLIMIT_NOFILE, &old);
	ok(dispatched <= 3, "EMFILE: accept backs off (%d dispatches in 300 ms, not a spin)",
	   dispatched);
	ok(lrg_control_nr_connections(srv) == 0, "EMFILE: the client waits in the backlog");
	ok(pump_conns(srv, 1, 3000) == 1, "descriptors back: the client is accepted after the backoff");
	ok(is_status(ask(fd, "lrugend/1 status")), "and served");
	close(fd);
	pump_conns(srv, 0, 2000);
}

/* lrugenctl's client code against a server in a child process. */
static void test_client(const char *dir)
{
	char path[256];
	struct lrg_control *srv;
	char *doc = NULL;
	size_t len = 0;
	pid_t pid;
	int fd, r, st;

	snprintf(path, sizeof(path), "%s/child.sock", dir);
	wss_bytes = 2 * LRG_CONTROL_CHUNK_MAX + 7;
	pid = fork();
	if (pid == 0) {
		sd_event *e = NULL;

		if (sd_event_new(&e) < 0 || lrg_control_start(e, path, &ops, NULL, &srv) < 0)
			_exit(1);
		lrg_control_set_allowed_uid(srv, getuid());
		/* runs until the parent kills it (bounded by alarm) */
		alarm(20);
		sd_event_loop(e);
		_exit(0);
	}
	/* The file appears at bind(), before listen(): refused until then. */
	fd = -ENOENT;
	for (int i = 0; i < 200 && (fd == -ENOENT || fd == -ECONNREFUSED); i++) {
		fd = lrg_ctl_connect(path);
		if (fd == -ENOENT || fd == -ECONNREFUSED)
			usleep(10000);
	}
	ok(fd >= 0, "lrg_ctl_connect (%s)", fd < 0 ? strerror(-fd) : "ok");
	if (fd >= 0) {
		r = lrg_ctl_request(fd, "status", NULL, 2000, &doc, &len);
		ok(r == 0 && doc && !strncmp(doc, "{\"ok\":", 6), "lrg_ctl_request status: %s",
		   doc ? doc : strerror(-r));
		free(doc);
		doc = NULL;
		r = lrg_ctl_request(fd, "wss", NULL, 2000, &doc, &len);
		ok(r == 0 && len == wss_bytes && doc[len - 1] == '}' && strlen(doc) == len,
		   "lrg_ctl_request reassembles a chunked reply (%zu bytes)", len);
		free(doc);
		doc = NULL;
		r = lrg_ctl_request(fd, "frob", NULL, 2000, &doc, &len);
		ok(r == 0 && strstr(doc, "\"code\":95"), "error reply read as a document: %s", doc);
		free(doc);
		close(fd);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	r = lrg_ctl_connect(path);
	ok(r == -ECONNREFUSED, "no daemon: connect says ECONNREFUSED (%d)", r);
	if (r >= 0)
		close(r);
	snprintf(path, sizeof(path), "%s/none.sock", dir);
	r = lrg_ctl_connect(path);
	ok(r == -ENOENT, "no socket: ENOENT");
	wss_bytes = 100;
}

static void test_server(void)
{
	char tmpl[] = "/tmp/lrg-control-XXXXXX", path[256], sub[200];
	struct lrg_control *srv = NULL, *other = NULL;
	struct stat st;
	int r, fd;

	if (!mkdtemp(tmpl)) {
		skip("cannot create a temp dir");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/run", tmpl);
	snprintf(path, sizeof(path), "%s/control", sub);
	r = sd_event_new(&ev);
	if (r < 0) {
		skip("sd_event_new failed");
		return;
	}
	r = lrg_control_start(ev, path, &ops, NULL, &srv);
	ok(r == 0, "server starts at %s (%s)", path, r < 0 ? strerror(-r) : "ok");
	if (r < 0)
		return;
	r = stat(sub, &st);
	ok(r == 0 && (st.st_mode & 07777) == 0700, "directory created 0700 (%o)",
	   (unsigned int)(st.st_mode & 07777));
	r = stat(path, &st);
	ok(r == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600, "socket is 0600 (%o)",
	   (unsigned int)(st.st_mode & 07777));
	r = lrg_control_start(ev, path, &ops, NULL, &other);
	ok(r == -EADDRINUSE, "a second server on a live socket: EADDRINUSE (%d)", r);

	/* the test may run as any user: allow ours, refusal is tested below */
	lrg_control_set_allowed_uid(srv, getuid());
	fd = connect_to(path);
	ok(fd >= 0, "client connects");
	test_errors_keep_serving(fd);
	test_chunked(fd);
	close(fd);
	test_uid(srv, path);
	test_bounds(srv, path);
	test_budget(srv, path);
	test_emfile(srv, path);

	lrg_control_stop(srv);
	ok(access(path, F_OK) != 0, "stop removes the socket");

	/* a stale socket file (a daemon that died) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		strcpy(sa.sun_path, path);
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
		close(s);
	}
	r = lrg_control_start(ev, path, &ops, NULL, &srv);
	ok(r == 0, "stale socket replaced (%d)", r);
	if (r == 0) {
		lrg_control_set_allowed_uid(srv, getuid());
		fd = connect_to(path);
		ok(is_status(ask(fd, "lrugend/1 status")), "served on the replaced socket");
		close(fd);
		lrg_control_stop(srv);
	}
	r = lrg_control_start(ev, "/nonexistent-dir-lrg/x/control", &ops, NULL, &srv);
	ok(r == -ENOENT, "missing grandparent directory: ENOENT, nothing created (%d)", r);
	memset(sub, 'a', sizeof(sub) - 1);
	sub[0] = '/';
	sub[sizeof(sub) - 1] = '\0';
	r = lrg_control_start(ev, sub, &ops, NULL, &srv);
	ok(r == -ENAMETOOLONG, "path longer than sun_path: ENAMETOOLONG");

	test_client(tmpl);

	sd_event_unref(ev);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
	if (system(path) != 0)
		diag("could not remove %s", tmpl);
}

static void test_default_path(void)
{
	char buf[128];

	unsetenv("RUNTIME_DIRECTORY");
	ok(lrg_control_default_path(buf, sizeof(buf)) == 0 && !strcmp(buf, "/run/lrugend/control"),
	   "default path %s", buf);
	setenv("RUNTIME_DIRECTORY", "/run/lrugend:/run/other", 1);
	ok(lrg_control_default_path(buf, sizeof(buf)) == 0 && !strcmp(buf, "/run/lrugend/control"),
	   "first of RUNTIME_DIRECTORY");
	setenv("RUNTIME_DIRECTORY", "/tmp/rt", 1);
	ok(lrg_control_default_path(buf, sizeof(buf)) == 0 && !strcmp(buf, "/tmp/rt/control"),
	   "RUNTIME_DIRECTORY honoured: %s", buf);
	strcpy(buf, "untouched");
	ok(lrg_control_default_path(buf, 8) == -ENAMETOOLONG && !strcmp(buf, "untouched"),
	   "too small a buffer: ENAMETOOLONG, buffer untouched");
	{
		char longdir[200], big[512];

		memset(longdir, 'd', sizeof(longdir) - 1);
		longdir[0] = '/';
		longdir[sizeof(longdir) - 1] = '\0';
		setenv("RUNTIME_DIRECTORY", longdir, 1);
		ok(lrg_control_default_path(big, sizeof(big)) == -ENAMETOOLONG,
		   "RUNTIME_DIRECTORY too long for a socket address: ENAMETOOLONG");
	}
	unsetenv("RUNTIME_DIRECTORY");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_parse();
	test_default_path();
	test_server();
	return tap_done();
}
