// SPDX-License-Identifier: GPL-2.0-only
/*
 * control.c - the daemon side of the control socket (see control.h for
 * the protocol).
 *
 * Everything runs in the daemon's sd-event loop and nothing may block it:
 * the listening socket and every connection are nonblocking, a connection
 * holds at most one request's reply, and a per-connection timer drops
 * clients that stop reading or go idle. A request is read only when the
 * previous reply is fully sent, so one connection's memory is bounded by
 * LRG_CONTROL_REPLY_MAX and the server's by LRG_CONTROL_MAX_CONNS of those.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "control.h"
#include "json.h"

/*
 * The same priority as the policy tick: sd-event then serves equal-priority
 * sources that are both pending in the order they became pending, so a
 * client waits at most one tick. Below the tick (as this was), a tick that
 * is always due (a long pass under TCG: 200 memcgs, or a budget larger
 * than the aging interval) kept lrugenctl from ever being answered; a
 * reply is short work under the policy lock.
 */
#define CONTROL_PRIORITY SD_EVENT_PRIORITY_NORMAL

struct conn {
	struct lrg_control *srv;
	struct conn *prev, *next;
	int fd;
	sd_event_source *io;
	sd_event_source *timer;
	/* the reply being sent: optional chunk announcement, then the doc */
	char header[64];
	size_t header_len;      /* 0: none, or already sent */
	char *out;
	size_t out_len, out_off;
};

struct lrg_control {
	sd_event *event;
	sd_event_source *listen_io;
	sd_event_source *accept_retry;  /* re-enables accepting after EMFILE */
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	const struct lrg_control_ops *ops;
	void *ctx;
	uid_t allowed_uid;
	uint64_t send_ms, idle_ms;
	struct conn *conns;
	size_t nr_conns;
	size_t out_bytes;       /* replies held by all connections */
};

static const char *const cmd_names[LRG_CMD_NR] = {
	[LRG_CMD_STATUS] = "status",
	[LRG_CMD_GENS] = "gens",
	[LRG_CMD_WSS] = "wss",
	[LRG_CMD_EXPLAIN] = "explain",
	[LRG_CMD_RELOAD] = "reload",
	[LRG_CMD_STATS] = "stats",
};

const char *lrg_control_cmd_name(enum lrg_control_cmd cmd)
{
	return (unsigned int)cmd < LRG_CMD_NR ? cmd_names[cmd] : NULL;
}

static bool cmd_takes_arg(enum lrg_control_cmd cmd)
{
	return cmd == LRG_CMD_GENS || cmd == LRG_CMD_WSS;
}

static int perr(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

int lrg_control_parse_request(const char *buf, size_t len, struct lrg_control_request *ret,
			      char *err, size_t errlen)
{
	const char *words[4];
	size_t wlen[4], nw = 0, i, start;
	struct lrg_control_request req = { 0 };
	int cmd;

	if (len > LRG_CONTROL_REQUEST_MAX)
		return perr(err, errlen, -EMSGSIZE, "request is %zu bytes, the limit is %d", len,
			    LRG_CONTROL_REQUEST_MAX);
	if (memchr(buf, '\0', len))
		return perr(err, errlen, -EINVAL, "request contains a NUL byte at offset %zu",
			    (size_t)((const char *)memchr(buf, '\0', len) - buf));
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len)
		return perr(err, errlen, -EPROTO,
			    "empty request: expected \"" LRG_CONTROL_VERSION " CMD [ARG]\"");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c >= 0x7f)
			return perr(err, errlen, -EINVAL,
				    "request contains a non-printable byte 0x%02x at offset %zu", c, i);
	}
	/* split on single spaces; an empty word is malformed */
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && buf[i] != ' ')
			continue;
		if (i == start)
			return perr(err, errlen, -EINVAL,
				    "malformed request: words must be separated by one space");
		if (nw == 4)
			break;
		words[nw] = buf + start;
		wlen[nw++] = i - start;
		start = i + 1;
	}
	if (wlen[0] != strlen(LRG_CONTROL_VERSION) || memcmp(words[0], LRG_CONTROL_VERSION, wlen[0])) {
		if (wlen[0] > 8 && !memcmp(words[0], "lrugend/", 8))
			return perr(err, errlen, -EPROTO,
				    "unsupported protocol version \"%.*s\" (this daemon speaks "
				    LRG_CONTROL_VERSION ")", (int)(wlen[0] < 32 ? wlen[0] : 32), words[0]);
		return perr(err, errlen, -EPROTO,
			    "unversioned request: expected \"" LRG_CONTROL_VERSION " CMD [ARG]\"");
	}
	if (nw < 2)
		return perr(err, errlen, -EINVAL, "missing command after " LRG_CONTROL_VERSION);
	for (cmd = 0; cmd < LRG_CMD_NR; cmd++)
		if (wlen[1] == strlen(cmd_names[cmd]) && !memcmp(words[1], cmd_names[cmd], wlen[1]))
			break;
	if (cmd == LRG_CMD_NR)
		return perr(err, errlen, -EOPNOTSUPP, "unknown command \"%.*s\"",
			    (int)(wlen[1] < 32 ? wlen[1] : 32), words[1]);
	req.cmd = (enum lrg_control_cmd)cmd;
	if (nw > 3)
		return perr(err, errlen, -EINVAL, "too many arguments for %s", cmd_names[cmd]);
	if (nw == 3) {
		if (!cmd_takes_arg(req.cmd))
			return perr(err, errlen, -EINVAL, "%s takes no argument", cmd_names[cmd]);
		if (wlen[2] > LRG_CONTROL_ARG_MAX)
			return perr(err, errlen, -EINVAL, "argument is %zu bytes, the limit is %d",
				    wlen[2], LRG_CONTROL_ARG_MAX);
		memcpy(req.arg, words[2], wlen[2]);
		req.arg[wlen[2]] = '\0';
		req.has_arg = true;
	}
	*ret = req;
	return 0;
}

/* ---- connections ------------------------------------------------------ */

static uint64_t now_us(struct lrg_control *c)
{
	uint64_t t = 0;

	sd_event_now(c->event, CLOCK_MONOTONIC, &t);
	return t;
}

static void conn_free(struct conn *k)
{
	struct lrg_control *c = k->srv;

	c->out_bytes -= k->out_len;
	if (k->prev)
		k->prev->next = k->next;
	else
		c->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	c->nr_conns--;
	sd_event_source_disable_unref(k->io);
	sd_event_source_disable_unref(k->timer);
	if (k->fd >= 0)
		close(k->fd);
	free(k->out);
	free(k);
}

static void conn_deadline(struct conn *k, uint64_t ms)
{
	sd_event_source_set_time(k->timer, now_us(k->srv) + ms * 1000);
	sd_event_source_set_enabled(k->timer, SD_EVENT_ONESHOT);
}

/* Send what fits. 1: reply fully sent, 0: the socket is full, <0: error. */
static int conn_flush(struct conn *k)
{
	ssize_t n;

	if (k->header_len) {
		n = send(k->fd, k->header, k->header_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		k->header_len = 0;
	}
	while (k->out && k->out_off < k->out_len) {
		size_t len = k->out_len - k->out_off;

		if (len > LRG_CONTROL_CHUNK_MAX)
			len = LRG_CONTROL_CHUNK_MAX;
		n = send(k->fd, k->out + k->out_off, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* SEQPACKET sends a record whole or not at all */
		k->out_off += len;
	}
	free(k->out);
	k->srv->out_bytes -= k->out_len;
	k->out = NULL;
	k->out_len = k->out_off = 0;
	return 1;
}

/* Push out the pending reply and set what the connection waits for next.
 * Returns false if the connection was closed. */
static bool conn_progress(struct conn *k)
{
	int r = conn_flush(k);

	if (r < 0) {
		conn_free(k);
		return false;
	}
	if (r > 0) {
		sd_event_source_set_io_events(k->io, EPOLLIN);
		conn_deadline(k, k->srv->idle_ms);
	} else {
		sd_event_source_set_io_events(k->io, EPOLLOUT);
	}
	return true;
}

/* Queue doc (taken over) as the reply, announcing chunks if it is large. */
static void conn_set_reply(struct conn *k, char *doc, size_t len)
{
	free(k->out);
	k->srv->out_bytes -= k->out_len;
	k->out = doc;
	k->out_len = doc ? len : 0;
	k->srv->out_bytes += k->out_len;
	k->out_off = 0;
	k->header_len = 0;
	if (len > LRG_CONTROL_CHUNK_MAX) {
		size_t chunks = (len + LRG_CONTROL_CHUNK_MAX - 1) / LRG_CONTROL_CHUNK_MAX;

		k->header_len = (size_t)snprintf(k->header, sizeof(k->header),
						 "{\"chunked\":{\"bytes\":%zu,\"chunks\":%zu}}",
						 len, chunks);
	}
	/* the whole reply must be read within the send timeout */
	conn_deadline(k, k->srv->send_ms);
}

/* Render {"error": msg, "code": code} into a fresh buffer. */
static int error_doc(int code, const char *msg, char **ret, size_t *ret_len)
{
	struct lrg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -errno;
	lrg_json_init(&j, f);
	lrg_json_begin_object(&j);
	lrg_json_kv_str(&j, "error", msg);
	lrg_json_kv_i64(&j, "code", code);
	lrg_json_end_object(&j);
	r = lrg_json_finish(&j);
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static void conn_error(struct conn *k, int err, const char *msg)
{
	char *doc;
	size_t len;

	if (error_doc(-err, msg, &doc, &len) < 0) {
		/* out of memory: a fixed reply still tells the client */
		static const char oom[] = "{\"error\":\"out of memory\",\"code\":12}";

		doc = strdup(oom);
		len = doc ? strlen(oom) : 0;
	}
	conn_set_reply(k, doc, len);
}

static int run_handler(struct lrg_control *c, const struct lrg_control_request *req, FILE *f)
{
	const struct lrg_control_ops *o = c->ops;
	const char *slice = req->has_arg ? req->arg : NULL;

	switch (req->cmd) {
	case LRG_CMD_STATUS:
		return o->status ? o->status(c->ctx, f) : -EOPNOTSUPP;
	case LRG_CMD_STATS:
		return o->stats ? o->stats(c->ctx, f) : -EOPNOTSUPP;
	case LRG_CMD_GENS:
		return o->gens ? o->gens(c->ctx, slice, f) : -EOPNOTSUPP;
	case LRG_CMD_WSS:
		return o->wss ? o->wss(c->ctx, slice, f) : -EOPNOTSUPP;
	case LRG_CMD_EXPLAIN:
		return o->explain ? o->explain(c->ctx, f) : -EOPNOTSUPP;
	case LRG_CMD_RELOAD:
		return o->reload ? o->reload(c->ctx, f) : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

static void conn_request(struct conn *k, const char *buf, size_t len)
{
	struct lrg_control_request req;
	char msg[256];
	char *doc = NULL;
	size_t doc_len = 0;
	FILE *f;
	int r;

	r = lrg_control_parse_request(buf, len, &req, msg, sizeof(msg));
	if (r < 0) {
		conn_error(k, r, msg);
		return;
	}
	f = open_memstream(&doc, &doc_len);
	if (!f) {
		conn_error(k, -ENOMEM, "out of memory");
		return;
	}
	r = run_handler(k->srv, &req, f);
	if (fclose(f) && r >= 0)
		r = -EIO;
	if (r >= 0 && doc_len == 0)
		r = -ENODATA;
	if (r >= 0 && doc_len > LRG_CONTROL_REPLY_MAX)
		r = -EFBIG;
	/* the daemon runs when memory is short: all connections together
	 * hold at most LRG_CONTROL_OUT_BUDGET of replies */
	if (r >= 0 && k->srv->out_bytes + doc_len > LRG_CONTROL_OUT_BUDGET)
		r = -EBUSY;
	if (r < 0) {
		free(doc);
		if (r == -ENOENT && req.has_arg)
			snprintf(msg, sizeof(msg), "%s: no such slice \"%s\"",
				 lrg_control_cmd_name(req.cmd), req.arg);
		else if (r == -EOPNOTSUPP)
			snprintf(msg, sizeof(msg), "%s: not supported by this daemon",
				 lrg_control_cmd_name(req.cmd));
		else if (r == -EFBIG)
			snprintf(msg, sizeof(msg), "%s: reply is larger than %d bytes",
				 lrg_control_cmd_name(req.cmd), LRG_CONTROL_REPLY_MAX);
		else if (r == -EBUSY)
			snprintf(msg, sizeof(msg),
				 "%s: other clients' replies are still unread, try again",
				 lrg_control_cmd_name(req.cmd));
		else
			snprintf(msg, sizeof(msg), "%s: %s", lrg_control_cmd_name(req.cmd),
				 strerror(-r));
		conn_error(k, r, msg);
		return;
	}
	conn_set_reply(k, doc, doc_len);
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *k = userdata;
	char buf[LRG_CONTROL_REQUEST_MAX + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (k->out) {
		/* waiting for room to send the rest of a reply */
		if (revents & (EPOLLERR | EPOLLHUP)) {
			conn_free(k);
			return 0;
		}
		conn_progress(k);
		return 0;
	}
	if (revents & EPOLLIN) {
		/* MSG_TRUNC: the real length of an oversized request, which is
		 * then reported instead of silently cut */
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			conn_free(k);
			return 0;
		}
		if (n == 0) {
			/* end of file (SEQPACKET cannot tell it from an empty record) */
			conn_free(k);
			return 0;
		}
		/* the parser checks the length before it reads any byte, so a
		 * truncated buffer with its real length is safe to pass */
		conn_request(k, buf, (size_t)n);
		conn_progress(k);
		return 0;
	}
	if (revents & (EPOLLERR | EPOLLHUP))
		conn_free(k);
	return 0;
}

static int on_conn_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	/* a reply not read in time, or an idle client: drop it */
	conn_free(userdata);
	return 0;
}

/* Tell a refused client why, if its socket takes it right now, and close. */
static void refuse(int fd, int err, const char *msg)
{
	char *doc;
	size_t len;

	if (error_doc(-err, msg, &doc, &len) == 0) {
		(void)!send(fd, doc, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		free(doc);
	}
	close(fd);
}

static int conn_new(struct lrg_control *c, int fd)
{
	struct conn *k = calloc(1, sizeof(*k));
	int r;

	if (!k)
		return -ENOMEM;
	k->srv = c;
	k->fd = fd;
	r = sd_event_add_io(c->event, &k->io, fd, EPOLLIN, on_conn_io, k);
	if (r < 0)
		goto fail;
	r = sd_event_add_time(c->event, &k->timer, CLOCK_MONOTONIC,
			      now_us(c) + c->idle_ms * 1000, 0, on_conn_timer, k);
	if (r < 0)
		goto fail;
	sd_event_source_set_priority(k->io, CONTROL_PRIORITY);
	sd_event_source_set_priority(k->timer, CONTROL_PRIORITY);
	sd_event_source_set_description(k->io, "control-conn");
	sd_event_source_set_description(k->timer, "control-conn-timer");
	k->next = c->conns;
	if (c->conns)
		c->conns->prev = k;
	c->conns = k;
	c->nr_conns++;
	return 0;
fail:
	sd_event_source_disable_unref(k->io);
	sd_event_source_disable_unref(k->timer);
	free(k);
	return r;
}

static int on_accept_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct lrg_control *c = userdata;

	sd_event_source_set_enabled(c->listen_io, SD_EVENT_ON);
	return 0;
}

/* accept() failed for want of resources (EMFILE, ENOBUFS...): the pending
 * connection keeps the socket readable, so stop listening for a second
 * rather than spin the daemon's loop. */
static void accept_backoff(struct lrg_control *c)
{
	uint64_t when = now_us(c) + 1000 * 1000;

	sd_event_source_set_enabled(c->listen_io, SD_EVENT_OFF);
	if (c->accept_retry) {
		sd_event_source_set_time(c->accept_retry, when);
		sd_event_source_set_enabled(c->accept_retry, SD_EVENT_ONESHOT);
	} else if (sd_event_add_time(c->event, &c->accept_retry, CLOCK_MONOTONIC, when, 0,
				     on_accept_retry, c) < 0) {
		/* no timer either: keep listening, busy as that may be */
		sd_event_source_set_enabled(c->listen_io, SD_EVENT_ON);
	} else {
		sd_event_source_set_priority(c->accept_retry, CONTROL_PRIORITY);
	}
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct lrg_control *c = userdata;

	/* bounded per wakeup so a connect flood cannot starve the loop */
	for (int i = 0; i < 32; i++) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		char msg[96];
		int cfd;

		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ECONNABORTED || errno == EPROTO)
				continue;  /* that client gave up: next */
			accept_backoff(c);
			return 0;
		}
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
			close(cfd);
			continue;
		}
		if (cred.uid != c->allowed_uid) {
			snprintf(msg, sizeof(msg), "permission denied: uid %u may not use lrugend's control socket",
				 (unsigned int)cred.uid);
			refuse(cfd, -EACCES, msg);
			continue;
		}
		if (c->nr_conns >= LRG_CONTROL_MAX_CONNS) {
			refuse(cfd, -EBUSY, "too many connections, try again");
			continue;
		}
		if (conn_new(c, cfd) < 0)
			refuse(cfd, -ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- the server ------------------------------------------------------- */

int lrg_control_default_path(char *buf, size_t len)
{
	const char *rt = getenv("RUNTIME_DIRECTORY");
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int n;

	if (rt && *rt == '/') {
		/* systemd lists several directories separated by ':' */
		size_t l = strcspn(rt, ":");

		n = snprintf(path, sizeof(path), "%.*s/control", (int)(l < 4096 ? l : 4096), rt);
	} else {
		n = snprintf(path, sizeof(path), "%s", LRG_CONTROL_DEFAULT_PATH);
	}
	/* a path a socket cannot be bound to is too long as well */
	if (n < 0 || (size_t)n >= sizeof(path) || (size_t)n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, path, (size_t)n + 1);
	return 0;
}

/* Is someone answering on the socket at path? */
static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strcpy(sa.sun_path, path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	/* EAGAIN: the backlog is full, which only a live listener has */
	r = r == 0 || errno == EAGAIN;
	close(fd);
	return r;
}

static int bind_socket(struct lrg_control *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r;

	strcpy(sa.sun_path, c->path);
	/* the socket must never exist with looser permissions, not even
	 * between bind and chmod */
	old = umask(0177);
	r = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 && errno == EADDRINUSE) {
		if (lstat(c->path, &st) < 0 || !S_ISSOCK(st.st_mode) || socket_alive(c->path))
			return -EADDRINUSE;
		/* stale: a previous daemon died without removing it */
		if (unlink(c->path) < 0 && errno != ENOENT)
			return -errno;
		old = umask(0177);
		r = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
		umask(old);
	}
	if (r < 0)
		return -errno;
	if (chmod(c->path, 0600) < 0 || stat(c->path, &st) < 0) {
		r = -errno;
		unlink(c->path);
		return r;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return 0;
}

int lrg_control_start(sd_event *e, const char *path, const struct lrg_control_ops *ops,
		      void *ctx, struct lrg_control **ret)
{
	struct lrg_control *c;
	char *slash;
	int r;

	if (!e || !ops || !ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	c->ops = ops;
	c->ctx = ctx;
	c->allowed_uid = 0;
	c->send_ms = LRG_CONTROL_SEND_TIMEOUT_MS;
	c->idle_ms = LRG_CONTROL_IDLE_TIMEOUT_MS;
	if (path) {
		if (strlen(path) >= sizeof(c->path)) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		strcpy(c->path, path);
	} else if ((r = lrg_control_default_path(c->path, sizeof(c->path))) < 0) {
		goto fail;
	}
	/* the directory: only root may even reach the socket */
	slash = strrchr(c->path, '/');
	if (slash && slash != c->path) {
		*slash = '\0';
		r = mkdir(c->path, 0700);
		if (r < 0 && errno != EEXIST) {
			r = -errno;
			*slash = '/';
			goto fail;
		}
		/* our own runtime directory (systemd creates it 0755 unless
		 * RuntimeDirectoryMode= says otherwise): tighten it. A path
		 * given explicitly may be a shared directory: leave it. */
		if (!path && chmod(c->path, 0700) < 0) {
			r = -errno;
			*slash = '/';
			goto fail;
		}
		*slash = '/';
	}
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = bind_socket(c);
	if (r < 0)
		goto fail;
	if (listen(c->fd, LRG_CONTROL_MAX_CONNS) < 0) {
		r = -errno;
		goto fail_unlink;
	}
	c->event = sd_event_ref(e);
	r = sd_event_add_io(e, &c->listen_io, c->fd, EPOLLIN, on_accept, c);
	if (r < 0)
		goto fail_unlink;
	sd_event_source_set_priority(c->listen_io, CONTROL_PRIORITY);
	sd_event_source_set_description(c->listen_io, "control-listen");
	*ret = c;
	return 0;
fail_unlink:
	unlink(c->path);
fail:
	if (c->fd >= 0)
		close(c->fd);
	sd_event_unref(c->event);
	free(c);
	return r;
}

void lrg_control_stop(struct lrg_control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->conns)
		conn_free(c->conns);
	sd_event_source_disable_unref(c->listen_io);
	sd_event_source_disable_unref(c->accept_retry);
	close(c->fd);
	/* only our own socket: a newer daemon may have replaced it */
	if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	sd_event_unref(c->event);
	free(c);
}

void lrg_control_set_allowed_uid(struct lrg_control *c, uid_t uid)
{
	c->allowed_uid = uid;
}

void lrg_control_set_timeouts(struct lrg_control *c, uint64_t send_ms, uint64_t idle_ms)
{
	if (send_ms)
		c->send_ms = send_ms;
	if (idle_ms)
		c->idle_ms = idle_ms;
	/* apply to waiting connections too, so a test need not reconnect */
	for (struct conn *k = c->conns; k; k = k->next)
		conn_deadline(k, k->out ? c->send_ms : c->idle_ms);
}

size_t lrg_control_nr_connections(const struct lrg_control *c)
{
	return c->nr_conns;
}

const char *lrg_control_path(const struct lrg_control *c)
{
	return c->path;
}
