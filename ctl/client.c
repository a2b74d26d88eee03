// SPDX-License-Identifier: GPL-2.0-only
/*
 * client.c - connect, request, and read a (possibly chunked) reply.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "control.h"
#include "json.h"

int lrg_ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* One datagram into buf (cap bytes). Returns its length or -errno. */
static ssize_t recv_one(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, cap, MSG_TRUNC);
	if (n < 0 && errno == ECONNRESET)
		/* The daemon closed with our request unread (a refusal): the
		 * kernel reports that first, once, but the refusal's reason
		 * is still queued behind it. */
		n = recv(fd, buf, cap, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? -ECONNRESET : -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > cap)
		return -EPROTO;  /* a datagram above the protocol's size cap */
	return n;
}

/* Is doc the chunk announcement {"chunked":{"bytes":N,"chunks":K}}? */
static bool parse_announcement(const char *doc, size_t len, uint64_t *bytes, uint64_t *chunks)
{
	static const char prefix[] = "{\"chunked\":";
	struct lrg_jval *v = NULL;
	const struct lrg_jval *c;
	bool ok = false;

	if (len < sizeof(prefix) - 1 || memcmp(doc, prefix, sizeof(prefix) - 1))
		return false;
	if (lrg_json_parse(doc, len, &v, NULL) < 0)
		return false;
	c = lrg_json_get(v, "chunked");
	if (v->n == 1 && c && c->type == LRG_JOBJECT) {
		*bytes = lrg_json_get_u64(c, "bytes", 0);
		*chunks = lrg_json_get_u64(c, "chunks", 0);
		ok = true;
	}
	lrg_json_free(v);
	return ok;
}

int lrg_ctl_read_reply(int fd, int timeout_ms, char **ret_doc, size_t *ret_len)
{
	uint64_t bytes, chunks, got = 0;
	char *buf, *doc;
	ssize_t n;

	buf = malloc(LRG_CONTROL_CHUNK_MAX + 1);
	if (!buf)
		return -ENOMEM;
	n = recv_one(fd, buf, LRG_CONTROL_CHUNK_MAX, timeout_ms);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	if (!parse_announcement(buf, (size_t)n, &bytes, &chunks)) {
		buf[n] = '\0';
		*ret_doc = buf;
		*ret_len = (size_t)n;
		return 0;
	}
	free(buf);
	if (bytes <= LRG_CONTROL_CHUNK_MAX || bytes > LRG_CONTROL_REPLY_MAX ||
	    chunks != (bytes + LRG_CONTROL_CHUNK_MAX - 1) / LRG_CONTROL_CHUNK_MAX)
		return -EPROTO;
	doc = malloc(bytes + 1);
	if (!doc)
		return -ENOMEM;
	for (uint64_t i = 0; i < chunks; i++) {
		size_t want = bytes - got < LRG_CONTROL_CHUNK_MAX ? bytes - got : LRG_CONTROL_CHUNK_MAX;

		n = recv_one(fd, doc + got, want, timeout_ms);
		if (n < 0 || (size_t)n != want) {
			free(doc);
			return n < 0 ? (int)n : -EPROTO;
		}
		got += (uint64_t)n;
	}
	doc[bytes] = '\0';
	*ret_doc = doc;
	*ret_len = bytes;
	return 0;
}

int lrg_ctl_request(int fd, const char *cmd, const char *arg, int timeout_ms, char **ret_doc,
		    size_t *ret_len)
{
	char req[LRG_CONTROL_REQUEST_MAX + 1];
	int n;

	n = snprintf(req, sizeof(req), LRG_CONTROL_VERSION " %s%s%s", cmd, arg ? " " : "",
		     arg ? arg : "");
	if (n < 0 || n > LRG_CONTROL_REQUEST_MAX)
		return -EMSGSIZE;
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) < 0) {
		int r = errno == EPIPE || errno == ECONNRESET ? -ECONNRESET : -errno;

		/* A daemon that refuses us (uid, too many clients) says why
		 * and closes at once, maybe before our request went out: the
		 * reason is still queued for us to read. */
		if (r == -ECONNRESET && lrg_ctl_read_reply(fd, 0, ret_doc, ret_len) == 0)
			return 0;
		return r;
	}
	return lrg_ctl_read_reply(fd, timeout_ms, ret_doc, ret_len);
}
