// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_notify_desktop - the kill notification reaches a real session bus.
 *
 * Plays the user's desktop: a real dbus-daemon (Debian's, --session) run
 * as an unprivileged user with its socket at DIR/UID/bus, and a
 * notification server owning org.freedesktop.Notifications on it. Then
 * lrg_notify_desktop_kill() is called as root and the test checks what
 * arrived: the summary names the victim, the body its pid, size and
 * reason, and the caller was that user (the sender dropped root, which
 * the session bus requires). Also: which cgroups belong to a session,
 * and that root or a user without a bus gets no notification. While the
 * sender waits for the server's reply, the test looks at its open fds: an
 * fd the caller held (the daemon's sockets and files) must not be there.
 *
 * The bus part skips (with the reason) when not root or dbus-daemon is
 * not installed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "notify_desktop.h"
#include "tap.h"

#define TEST_UID 65534 /* nobody: not root, present on every Debian */
#define DBUS_DAEMON "/usr/bin/dbus-daemon"

static int report_fd = -1, go_fd = -1;

static int on_notify(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *app, *icon, *summary, *body;
	struct pollfd go = { .fd = go_fd, .events = POLLIN };
	sd_bus_creds *creds = NULL;
	uint32_t id;
	uid_t uid = (uid_t)-1;
	pid_t pid = 0;
	int r;

	(void)userdata;
	(void)e;
	r = sd_bus_message_read(m, "susss", &app, &id, &icon, &summary, &body);
	if (r < 0)
		return r;
	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_PID | SD_BUS_CREDS_AUGMENT,
				      &creds) >= 0) {
		sd_bus_creds_get_uid(creds, &uid);
		sd_bus_creds_get_pid(creds, &pid);
	}
	sd_bus_creds_unref(creds);
	/* The sender waits for the reply: the test looks at its fds now. */
	dprintf(report_fd, "sender=%d\n", (int)pid);
	poll(&go, 1, 5000);
	dprintf(report_fd, "app=%s\nsummary=%s\nbody=%s\nuid=%d\n", app, summary, body, (int)uid);
	close(report_fd);
	report_fd = -1;
	return sd_bus_reply_method_return(m, "u", 7);
}

static const sd_bus_vtable notifications_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", on_notify, 0),
	SD_BUS_VTABLE_END
};

static int drop_to(uid_t uid)
{
	return setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ? -1 : 0;
}

/* The notification server: owns the name, reports "ready", then one call. */
static void run_server(const char *addr, int fd, int go)
{
	sd_bus *bus = NULL;
	sd_bus_slot *slot = NULL;
	time_t end = time(NULL) + 30;

	report_fd = fd;
	go_fd = go;
	if (drop_to(TEST_UID) || sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, addr) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0 ||
	    sd_bus_add_object_vtable(bus, &slot, "/org/freedesktop/Notifications",
				     "org.freedesktop.Notifications", notifications_vtable, NULL) < 0 ||
	    sd_bus_request_name(bus, "org.freedesktop.Notifications", 0) < 0)
		_exit(1);
	if (write(fd, "ready\n", 6) != 6)
		_exit(1);
	while (report_fd >= 0 && time(NULL) < end) {
		if (sd_bus_process(bus, NULL) > 0)
			continue;
		sd_bus_wait(bus, 1000000);
	}
	sd_bus_flush_close_unref(bus);
	_exit(0);
}

/* Read from fd until it closes or timeout_ms passes. */
static size_t read_all(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (n + 1 < len && poll(&p, 1, timeout_ms) > 0) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		if (strcmp(buf, "ready\n") == 0 && n == 6)
			break;
	}
	buf[n] = '\0';
	return n;
}

/* Read from fd, appending to buf, until it holds needle or timeout_ms passes. */
static bool read_until(int fd, char *buf, size_t len, const char *needle, int timeout_ms)
{
	size_t n = strlen(buf);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (!strstr(buf, needle) && n + 1 < len && poll(&p, 1, timeout_ms) > 0) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
	return strstr(buf, needle) != NULL;
}

/* How many of pid's fds lead to path; *ret_nr_fds: how many it has. */
static int fds_to(pid_t pid, const char *path, int *ret_nr_fds)
{
	char dir[64], link[PATH_MAX + 64], target[PATH_MAX];
	struct dirent *de;
	int hits = 0, n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			hits += !strcmp(target, path);
		}
	}
	closedir(d);
	*ret_nr_fds = n;
	return hits;
}

static void test_session_uid(void)
{
	ok(lrg_session_uid_of_cgroup("/user.slice/user-1000.slice/app-firefox.scope") == 1000,
	   "an app scope belongs to its user's session");
	ok(lrg_session_uid_of_cgroup("/user.slice/user-42.slice/session-3.scope") == 42,
	   "a login session scope belongs to its user");
	ok(lrg_session_uid_of_cgroup("user.slice/user-7.slice") == 7, "a path without leading /");
	ok(lrg_session_uid_of_cgroup("/system.slice/cron.service") == -1, "a system service has no session");
	ok(lrg_session_uid_of_cgroup("/") == -1 && lrg_session_uid_of_cgroup(NULL) == -1,
	   "the root cgroup and no cgroup have no session");
	ok(lrg_session_uid_of_cgroup("/user.slice/user-1000x.slice") == -1 &&
	   lrg_session_uid_of_cgroup("/user.slice/user-.slice") == -1 &&
	   lrg_session_uid_of_cgroup("/user.slice/user-99999999999999999999.slice") == -1,
	   "malformed user-UID.slice components are not sessions");
	ok(lrg_session_uid_of_cgroup(
		   "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-123.scope") == 1000,
	   "an app below the user's service manager belongs to the user");
	ok(lrg_session_uid_of_cgroup("/user.slice") == -1, "user.slice itself is no one's session");
	ok(lrg_session_uid_of_cgroup("/system.slice/nginx.service/worker") == -1,
	   "a service's sub-cgroup has no session");
	ok(lrg_session_uid_of_cgroup("/machine.slice") == -1, "machine.slice has no session");
}

static void test_no_bus(void)
{
	struct lrg_kill_note n = { .pid = 1, .comm = "x", .rss_kb = 1024, .reason = "r" };

	ok(lrg_notify_desktop_kill("/nonexistent-run-user", 1000, &n) == -ENOENT,
	   "a user without a session bus gets no notification (-ENOENT)");
	ok(lrg_notify_desktop_kill("/run/user", 0, &n) == -EPERM, "root's processes are never notified");
	ok(lrg_notify_desktop_kill("/run/user", -1, &n) == -ENOENT, "no session, no notification");
}

static void test_real_bus(void)
{
	char dir[] = "/tmp/lrg-notify-XXXXXX", udir[64], bus[96], addr[128], buf[2048];
	struct lrg_kill_note note = { .pid = 4242, .comm = "tail", .rss_kb = 373408,
				      .reason = "grew most during the episode", .domain = "user.slice" };
	pid_t daemon_pid, server_pid;
	int pipefd[2], gofd[2], marker, r, nr_fds = 0, held;
	struct stat st;
	const char *sender;

	if (getuid() != 0) {
		skip("the session-bus test needs root (to run a bus as another user)");
		return;
	}
	if (access(DBUS_DAEMON, X_OK) != 0) {
		skip("dbus-daemon is not installed (Debian package dbus)");
		return;
	}
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		ok(0, "temporary run-user directory: %s", strerror(errno));
		return;
	}
	snprintf(udir, sizeof(udir), "%s/%d", dir, TEST_UID);
	snprintf(bus, sizeof(bus), "%s/bus", udir);
	snprintf(addr, sizeof(addr), "unix:path=%s", bus);
	if (mkdir(udir, 0700) < 0 || chown(udir, TEST_UID, TEST_UID) < 0) {
		ok(0, "user runtime directory: %s", strerror(errno));
		return;
	}

	daemon_pid = fork();
	if (daemon_pid == 0) {
		char a[160];

		snprintf(a, sizeof(a), "--address=%s", addr);
		if (drop_to(TEST_UID))
			_exit(127);
		setenv("HOME", "/", 1);
		execl(DBUS_DAEMON, DBUS_DAEMON, "--session", "--nofork", "--nopidfile", a, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && stat(bus, &st) != 0; i++)
		usleep(50000);
	if (!ok(stat(bus, &st) == 0 && S_ISSOCK(st.st_mode), "dbus-daemon --session listens at %s", bus))
		goto out_daemon;

	if (pipe(pipefd) < 0)
		goto out_daemon;
	if (pipe(gofd) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		goto out_daemon;
	}
	server_pid = fork();
	if (server_pid == 0) {
		close(pipefd[0]);
		close(gofd[1]);
		run_server(addr, pipefd[1], gofd[0]);
	}
	close(pipefd[1]);
	close(gofd[0]);
	read_all(pipefd[0], buf, sizeof(buf), 10000);
	if (!ok(strcmp(buf, "ready\n") == 0, "a notification server owns org.freedesktop.Notifications"))
		goto out_server;

	/* an fd of the caller's, as the daemon holds many: no CLOEXEC */
	marker = open(dir, O_RDONLY | O_DIRECTORY);
	r = lrg_notify_desktop_kill(dir, TEST_UID, &note);
	ok(r == 0, "lrg_notify_desktop_kill returns at once (%d)", r);
	buf[0] = '\0';
	if (read_until(pipefd[0], buf, sizeof(buf), "\n", 15000) &&
	    (sender = strstr(buf, "sender=")) && atoi(sender + 7) > 0) {
		held = fds_to(atoi(sender + 7), dir, &nr_fds);
		ok(marker >= 0 && held == 0,
		   "the sender holds none of the caller's fds (%d of its %d fds lead to the caller's)",
		   held, nr_fds);
	} else {
		ok(0, "the notification server saw the sender's pid (%s)", buf);
	}
	if (write(gofd[1], "g", 1) != 1)
		diag("could not let the server reply: %s", strerror(errno));
	if (marker >= 0)
		close(marker);
	read_all(pipefd[0], buf + strlen(buf), sizeof(buf) - strlen(buf), 15000);
	for (const char *line = buf, *end; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		diag("received %.*s", (int)(end - line), line);
	}
	ok(strstr(buf, "app=lrugend\n") != NULL, "the notification comes from lrugend");
	ok(strstr(buf, "summary=tail was stopped") != NULL, "the summary names the victim");
	ok(strstr(buf, "pid 4242") && strstr(buf, "364 MiB") && strstr(buf, "grew most during the episode"),
	   "the body gives the victim's pid, size and the reason");
	ok(strstr(buf, "uid=65534\n") != NULL, "the sender was the session's user, not root");
out_server:
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	close(pipefd[0]);
	close(gofd[1]);
out_daemon:
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	unlink(bus);
	rmdir(udir);
	rmdir(dir);
}

int main(void)
{
	test_session_uid();
	test_no_bus();
	test_real_bus();
	return tap_done();
}
