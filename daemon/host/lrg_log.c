// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "lrg_log.h"

int lrg_log_max_level = LOG_INFO;
static const char *log_ident = "lrugend";
static bool use_journal;

void lrg_log_init(const char *ident)
{
	const char *lvl = getenv("LRUGEND_LOG_LEVEL");

	log_ident = ident;
	/* systemd sets these for services; a terminal run keeps stderr. */
	use_journal = getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID");
	if (lvl && !strcmp(lvl, "debug"))
		lrg_log_max_level = LOG_DEBUG;
}

bool lrg_log_to_journal(void)
{
	return use_journal;
}

void lrg_log_to_stderr(void)
{
	use_journal = false;
}

static void log_v(int priority, const char *fmt, va_list ap)
{
	if (priority > lrg_log_max_level)
		return;
	if (use_journal) {
		sd_journal_printv(priority, fmt, ap);
		return;
	}
	fprintf(stderr, "%s: ", log_ident);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lrg_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(priority, fmt, ap);
	va_end(ap);
}

int lrg_log_errno(int priority, int err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lrg_log(priority, "%s: %s", buf, strerror(err < 0 ? -err : err));
	return err;
}

int lrg_log_event(int priority, const char *message_id, const char *message,
		  const char *const *fields)
{
	size_t n = 0;

	while (fields && fields[n])
		n++;
	if (use_journal) {
		/* MESSAGE, MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER + fields */
		struct iovec iov[n + 4];
		char msg[1024], id[64], prio[32], ident[64];
		size_t i;

		snprintf(msg, sizeof(msg), "MESSAGE=%s", message);
		snprintf(id, sizeof(id), "MESSAGE_ID=%s", message_id);
		snprintf(prio, sizeof(prio), "PRIORITY=%d", priority);
		snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%s", log_ident);
		iov[0] = (struct iovec){ msg, strlen(msg) };
		iov[1] = (struct iovec){ id, strlen(id) };
		iov[2] = (struct iovec){ prio, strlen(prio) };
		iov[3] = (struct iovec){ ident, strlen(ident) };
		for (i = 0; i < n; i++)
			iov[i + 4] = (struct iovec){ (void *)fields[i], strlen(fields[i]) };
		return sd_journal_sendv(iov, (int)(n + 4));
	}
	if (priority > lrg_log_max_level)
		return 0;
	fprintf(stderr, "%s: %s [MESSAGE_ID=%s", log_ident, message, message_id);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", fields[i]);
	fputs("]\n", stderr);
	return 0;
}
