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
 * and that root or a user without a bus gets no notification.
 *
 * The bus part skips (with the reason) when not root or dbus-daemon is
 * not installed.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
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

static int report_fd = -1;

static int on_notify(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *app, *icon, *summary, *body;
	sd_bus_creds *creds = NULL;
	uint32_t id;
	uid_t uid = (uid_t)-1;
	int r;

	(void)userdata;
	(void)e;
	r = sd_bus_message_read(m, "susss", &app, &id, &icon, &summary, &body);
	if (r < 0)
		return r;
	if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_AUGMENT, &creds) >= 0)
		sd_bus_creds_get_uid(creds, &uid);
	sd_bus_creds_unref(creds);
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
static void run_server(const char *addr, int fd)
{
	sd_bus *bus = NULL;
	sd_bus_slot *slot = NULL;
	time_t end = time(NULL) + 30;

	report_fd = fd;
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
	int pipefd[2], r;
	struct stat st;

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
	server_pid = fork();
	if (server_pid == 0) {
		close(pipefd[0]);
		run_server(addr, pipefd[1]);
	}
	close(pipefd[1]);
	read_all(pipefd[0], buf, sizeof(buf), 10000);
	if (!ok(strcmp(buf, "ready\n") == 0, "a notification server owns org.freedesktop.Notifications"))
		goto out_server;

	r = lrg_notify_desktop_kill(dir, TEST_UID, &note);
	ok(r == 0, "lrg_notify_desktop_kill returns at once (%d)", r);
	read_all(pipefd[0], buf, sizeof(buf), 15000);
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
