/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrg_log.h - logging for the daemon's outer layers (never for policy files).
 *
 * Under systemd (JOURNAL_STREAM or INVOCATION_ID set) messages go to the
 * journal with structured fields; otherwise to stderr as "lrugend: ...".
 */
#ifndef LRG_LOG_H
#define LRG_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/* Messages above this priority (numerically greater) are dropped. */
extern int lrg_log_max_level;

void lrg_log_init(const char *ident);
/* true when logging to the journal */
bool lrg_log_to_journal(void);
/* From here on, log to stderr: for a forked child that closed the fds it
 * inherited, the journal client's cached socket among them (its number
 * may be reused by the next socket the child opens). */
void lrg_log_to_stderr(void);

void lrg_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs "msg: strerror(-err)" and returns err (a negative errno). */
int lrg_log_errno(int priority, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * One structured event: a MESSAGE_ID (32 hex digits), a human message and
 * a NULL-terminated list of "KEY=value" fields. To the journal as one
 * entry; on stderr as one line "message [KEY=value ...]".
 */
int lrg_log_event(int priority, const char *message_id, const char *message,
		  const char *const *fields);

#define log_debug(...) lrg_log(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) lrg_log(LOG_INFO, __VA_ARGS__)
#define log_notice(...) lrg_log(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) lrg_log(LOG_WARNING, __VA_ARGS__)
#define log_error(...) lrg_log(LOG_ERR, __VA_ARGS__)

#endif /* LRG_LOG_H */
