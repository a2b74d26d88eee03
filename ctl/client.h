/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * client.h - lrugenctl's side of the control socket protocol (control.h):
 * connect, send one request, read one reply (reassembling chunks).
 */
#ifndef LRG_CTL_CLIENT_H
#define LRG_CTL_CLIENT_H

#include <stddef.h>

/* Connect to the daemon's socket. Returns the fd or a negative errno
 * (-ENOENT / -ECONNREFUSED: not running, -EACCES: not root). */
int lrg_ctl_connect(const char *path);

/*
 * Send "lrugend/1 CMD [ARG]" and read the reply document, waiting at most
 * timeout_ms for each datagram. Returns 0 and a NUL-terminated *ret_doc
 * (free()) of *ret_len bytes; -ETIMEDOUT, -ECONNRESET (the daemon closed
 * the connection), -EPROTO (a reply that breaks the protocol) or another
 * negative errno. An error reply is a successful read: the caller looks
 * for "error" in the document.
 */
int lrg_ctl_request(int fd, const char *cmd, const char *arg, int timeout_ms, char **ret_doc,
		    size_t *ret_len);

/* Read one reply only (the request already sent); used by tests too. */
int lrg_ctl_read_reply(int fd, int timeout_ms, char **ret_doc, size_t *ret_len);

#endif /* LRG_CTL_CLIENT_H */
