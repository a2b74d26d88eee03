// SPDX-License-Identifier: GPL-2.0-only
/*
 * notify_desktop.c - the desktop notification after a kill (see the header).
 *
 * Why a detached grandchild and not the daemon's own sd-bus connection:
 * the daemon runs as root, and a session bus accepts only its own user
 * (dbus-daemon and dbus-broker both authenticate the peer's uid), so the
 * sender must become that user, which a daemon cannot do and come back.
 * Forking also keeps the daemon's promise that the decide-and-kill path
 * does not allocate or block: the parent only stats the bus socket and
 * forks; the child double-forks so nobody has to reap it, and closes
 * every fd it inherited before it becomes the user.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "lrg_log.h"
#include "notify_desktop.h"
#include "util.h"

#define SEND_TIMEOUT_USEC (5 * 1000 * 1000ULL)
#define HARD_LIMIT_S 10 /* the sender dies after this, whatever it waits for */

long lrg_session_uid_of_cgroup(const char *path)
{
	const char *p = path;

	while (p && *p) {
		const char *end;
		char *num_end;
		unsigned long uid;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		if (strncmp(p, "user-", 5) == 0 && p[5] >= '0' && p[5] <= '9') {
			errno = 0;
			uid = strtoul(p + 5, &num_end, 10);
			if (!errno && uid < (unsigned long)INT32_MAX && end - num_end == 6 &&
			    strncmp(num_end, ".slice", 6) == 0)
				return (long)uid;
		}
		p = end;
	}
	return -1;
}

/*
 * Close every fd above stderr: the sender runs as the victim's user, and
 * nothing the daemon holds (the control socket, netlink, cgroup and /proc
 * files, the journal's socket) may reach that user's process. Under
 * systemd stderr is the journal's stream, so the sender's few lines still
 * land there.
 */
static void close_inherited_fds(void)
{
	long max;

	lrg_log_to_stderr();
	if (close_range(3, ~0U, 0) == 0)
		return;
	/* a kernel before 5.9: one close per possible fd */
	max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
}

/* Become uid (and its primary group), unprivileged and killable. */
static int become_user(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t gid = (gid_t)uid; /* the bus authenticates the uid only */
	int fd;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		gid = pw.pw_gid;
	/* The daemon shields itself from the OOM killer and runs at raised
	 * priority; a notification sender must not inherit either. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) {
			/* still a sender; only its OOM shield is wrong */
		}
		close(fd);
	}
	setpriority(PRIO_PROCESS, 0, 10);
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	return getuid() == uid && geteuid() == uid ? 0 : -EPERM;
}

static void format_note(const struct lrg_kill_note *n, char *summary, size_t slen, char *body,
			size_t blen)
{
	snprintf(summary, slen, "%s was stopped: memory ran out", n->comm);
	snprintf(body, blen,
		 "lrugend ended %s%s (pid %d), which used %" PRIu64 " MiB: %s. "
		 "Its memory is free again, so the rest of the session keeps working (domain: %s).",
		 n->whole_cgroup ? "the application group of " : "", n->comm, (int)n->pid,
		 n->rss_kb / 1024, n->reason ? n->reason : "chosen by policy",
		 n->domain ? n->domain : "machine");
}

/* In the grandchild: connect to the session bus and call Notify. */
static int send_note(const char *bus_path, const struct lrg_kill_note *n)
{
	char addr[PATH_MAX + 16], summary[128], body[512];
	_cleanup_(sd_bus_error_free) sd_bus_error err = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	int r;

	snprintf(addr, sizeof(addr), "unix:path=%s", bus_path);
	format_note(n, summary, sizeof(summary), body, sizeof(body));
	r = sd_bus_new(&bus);
	if (r < 0)
		return r;
	if ((r = sd_bus_set_address(bus, addr)) < 0 || (r = sd_bus_set_bus_client(bus, 1)) < 0 ||
	    (r = sd_bus_set_method_call_timeout(bus, SEND_TIMEOUT_USEC)) < 0 ||
	    (r = sd_bus_start(bus)) < 0)
		return r;
	/* Notify(app_name, replaces_id, app_icon, summary, body, actions, hints,
	 * expire_timeout): critical urgency, because a killed application is
	 * something the user must see even in do-not-disturb mode. */
	r = sd_bus_call_method(bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
			       "org.freedesktop.Notifications", "Notify", &err, &reply,
			       "susssasa{sv}i", "lrugend", 0, "dialog-warning", summary, body, 0, 1,
			       "urgency", "y", 2, -1);
	if (r < 0)
		lrg_log(LOG_INFO, "desktop notification for pid %d: %s", (int)n->pid,
			err.message ? err.message : strerror(-r));
	return r;
}

int lrg_notify_desktop_kill(const char *run_user_dir, long uid, const struct lrg_kill_note *n)
{
	char bus_path[PATH_MAX];
	struct stat st;
	pid_t child;
	int status;

	if (uid <= 0)
		return uid == 0 ? -EPERM : -ENOENT;
	snprintf(bus_path, sizeof(bus_path), "%s/%ld/bus", run_user_dir, uid);
	if (stat(bus_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -ENOENT;
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		sigset_t all;
		int r;

		/* The grandchild is adopted by init (or the service's subreaper),
		 * so the daemon never waits for the notification. */
		if (fork() != 0)
			_exit(0);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		alarm(HARD_LIMIT_S);
		close_inherited_fds();
		if ((r = become_user((uid_t)uid)) < 0) {
			/* a sandbox without CAP_SETUID/CAP_SETGID: say so, each time */
			lrg_log(LOG_WARNING, "desktop notification for pid %d: cannot become uid %ld (%s; "
				"the unit needs CAP_SETUID and CAP_SETGID)", (int)n->pid, uid, strerror(-r));
			_exit(1);
		}
		_exit(send_note(bus_path, n) < 0 ? 1 : 0);
	}
	/* The child exits at once after its fork: reap it so no zombie stays. */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
