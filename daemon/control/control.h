/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control.h - lrugend's control socket (daemon side) and its protocol,
 * shared with lrugenctl.
 *
 * Socket: AF_UNIX SOCK_SEQPACKET at $RUNTIME_DIRECTORY/control (systemd's
 * RuntimeDirectory=lrugend), else /run/lrugend/control. The directory is
 * created 0700 if missing, the socket is 0600, and every connection's
 * SO_PEERCRED uid must be the allowed uid (root unless a test changes it).
 *
 * Request: one datagram of at most LRG_CONTROL_REQUEST_MAX bytes,
 *
 *	lrugend/1 CMD [ARG]
 *
 * ASCII words separated by single spaces, an optional trailing "\n", no NUL
 * bytes. "lrugend/1" is the protocol version: a new incompatible format
 * gets a new number and the daemon refuses what it does not speak. CMD:
 *
 *	status          backend, dry run, slices and their policy, stats,
 *	                OOM stats, the last decision, pressure
 *	stats           policy and OOM counters only
 *	gens [SLICE]    generations per memcg and node (all slices, or one)
 *	wss [SLICE]     working set per slice by age bucket
 *	explain         OOM candidates ranked as the next decision would
 *	reload          reload the configuration (as SIGHUP)
 *
 * ARG (SLICE) is 1..63 bytes of printable ASCII without spaces.
 *
 * Reply: exactly one JSON document per request. If it fits in one
 * datagram (at most LRG_CONTROL_CHUNK_MAX bytes) it is sent as that
 * datagram. A larger one (at most LRG_CONTROL_REPLY_MAX bytes) is
 * announced by a first datagram that is itself a JSON document,
 *
 *	{"chunked":{"bytes":N,"chunks":K}}
 *
 * followed by K datagrams whose concatenation is the N-byte document
 * (every datagram but the last is exactly LRG_CONTROL_CHUNK_MAX bytes). No
 * reply document has "chunked" as its only key, so the announcement is
 * unambiguous. A client reads one request's reply completely before it
 * sends the next request on the same connection.
 *
 * Errors: {"error":"what was wrong","code":N} with N a positive errno:
 *	EPROTO      not "lrugend/1 ...": unversioned or another version
 *	EOPNOTSUPP  unknown command, or the daemon does not implement it
 *	EMSGSIZE    request longer than LRG_CONTROL_REQUEST_MAX
 *	EINVAL      malformed (NUL byte, bad argument, argument not allowed)
 *	EACCES      peer uid not allowed (the connection is then closed)
 *	EBUSY       too many connections (then closed)
 *	ENOENT      no such slice
 *	EFBIG       the reply would exceed LRG_CONTROL_REPLY_MAX
 *	EBUSY       also: other clients hold LRG_CONTROL_OUT_BUDGET of unread
 *	            replies (the daemon runs short of memory; try again)
 *	other       what the daemon's handler returned
 * A bad request never closes the connection: the next request is served.
 *
 * Wiring (the daemon's event loop, e.g. manager.c):
 *
 *	static const struct lrg_control_ops ctl_ops = {
 *		.status = ctl_status, .stats = ctl_stats, .gens = ctl_gens,
 *		.wss = ctl_wss, .explain = ctl_explain, .reload = ctl_reload,
 *	};
 *	// after sd_event_default(), before sd_event_loop():
 *	r = lrg_control_start(m->event, NULL, &ctl_ops, m, &m->control);
 *	if (r < 0)
 *		log a warning and run without it (lrugenctl then exits 3)
 *	// after the loop, before sd_event_unref():
 *	lrg_control_stop(m->control);
 *
 * Each handler renders with control_json.h, e.g.
 *
 *	static int ctl_gens(void *ctx, const char *slice, FILE *out)
 *	{
 *		struct manager *m = ctx;
 *		uint64_t now = m->backend->ops->now_ms(m->backend);
 *		struct lrg_cj_gens g;
 *
 *		if (slice && !lrg_cj_slice_known(m->cfg, slice))
 *			return -ENOENT;
 *		lrg_cj_gens_begin(&g, out, slice, now);
 *		return lrg_cj_gens_end(&g, lrg_policy_foreach_gens(m->policy, now,
 *								   lrg_cj_gens_fn, &g));
 *	}
 *
 * Bounds: at most LRG_CONTROL_MAX_CONNS connections; each holds at most
 * one reply, all together at most LRG_CONTROL_OUT_BUDGET bytes of them. A client that does not read its reply within the send
 * timeout, or sends nothing for the idle timeout, is dropped. Everything is
 * nonblocking; nothing a client does can stall the daemon's loop.
 */
#ifndef LRG_CONTROL_H
#define LRG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define LRG_CONTROL_VERSION "lrugend/1"
#define LRG_CONTROL_DEFAULT_PATH "/run/lrugend/control"
#define LRG_CONTROL_REQUEST_MAX 512
#define LRG_CONTROL_ARG_MAX 63
#define LRG_CONTROL_CHUNK_MAX (64 * 1024)
#define LRG_CONTROL_REPLY_MAX (8 * 1024 * 1024)
#define LRG_CONTROL_OUT_BUDGET (16 * 1024 * 1024) /* replies held, all connections */
#define LRG_CONTROL_MAX_CONNS 16
#define LRG_CONTROL_SEND_TIMEOUT_MS 5000
#define LRG_CONTROL_IDLE_TIMEOUT_MS 60000

enum lrg_control_cmd {
	LRG_CMD_STATUS = 0,
	LRG_CMD_GENS,
	LRG_CMD_WSS,
	LRG_CMD_EXPLAIN,
	LRG_CMD_RELOAD,
	LRG_CMD_STATS,
	LRG_CMD_NR,
};

struct lrg_control_request {
	enum lrg_control_cmd cmd;
	bool has_arg;
	char arg[LRG_CONTROL_ARG_MAX + 1];
};

/* "status", "gens", ...; NULL if out of range. */
const char *lrg_control_cmd_name(enum lrg_control_cmd cmd);

/*
 * Parse one request datagram (len bytes, not NUL-terminated). Returns 0 and
 * fills *ret, or a negative errno from the list above and, if err is not
 * NULL, a message naming what was wrong (for the error reply).
 */
int lrg_control_parse_request(const char *buf, size_t len, struct lrg_control_request *ret,
			      char *err, size_t errlen);

/*
 * The daemon's handlers. Each writes exactly one JSON document to out (an
 * open_memstream FILE the server owns; use control_json.h) and returns 0,
 * or returns a negative errno (what was written is then discarded and an
 * error reply sent; -ENOENT for an unknown slice). slice is NULL when the
 * request had no argument. A NULL handler answers EOPNOTSUPP. Handlers run
 * synchronously in the event loop: they must not block.
 */
struct lrg_control_ops {
	int (*status)(void *ctx, FILE *out);
	int (*stats)(void *ctx, FILE *out);
	int (*gens)(void *ctx, const char *slice, FILE *out);
	int (*wss)(void *ctx, const char *slice, FILE *out);
	int (*explain)(void *ctx, FILE *out);
	int (*reload)(void *ctx, FILE *out);
};

struct lrg_control;
typedef struct sd_event sd_event;

/*
 * The socket path the daemon uses when not told otherwise:
 * $RUNTIME_DIRECTORY/control (first entry) or LRG_CONTROL_DEFAULT_PATH.
 * Returns 0 and the path in buf, or -ENAMETOOLONG (buf untouched) if it
 * does not fit in len or in a socket address.
 */
int lrg_control_default_path(char *buf, size_t len);

/*
 * Create the socket at path (NULL: lrg_control_default_path) and serve it
 * on e. A stale socket file is replaced; one a live daemon answers on is
 * -EADDRINUSE. ops and ctx must outlive the server. Returns 0 and *ret, or
 * a negative errno (nothing left behind).
 */
int lrg_control_start(sd_event *e, const char *path, const struct lrg_control_ops *ops,
		      void *ctx, struct lrg_control **ret);

/* Close every connection, remove the socket file, free. NULL is a no-op. */
void lrg_control_stop(struct lrg_control *c);

/* Tests: accept peers with this uid instead of 0. */
void lrg_control_set_allowed_uid(struct lrg_control *c, uid_t uid);
/* Tests: shorter timeouts (milliseconds; 0 keeps the current value). */
void lrg_control_set_timeouts(struct lrg_control *c, uint64_t send_ms, uint64_t idle_ms);
/* Open connections now (tests, and the status reply if wanted). */
size_t lrg_control_nr_connections(const struct lrg_control *c);
/* The path being served. */
const char *lrg_control_path(const struct lrg_control *c);

#endif /* LRG_CONTROL_H */
