// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_notify - lrugend's sd_notify protocol against a real notify socket.
 *
 * Plays systemd's part: binds an AF_UNIX datagram socket, starts the built
 * daemon ($top_builddir/lrugend --backend=proc --dry-run with a temporary
 * config) with NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID set, and checks
 * what arrives and from whom (SCM_CREDENTIALS, as NotifyAccess=main does):
 *
 *   start      READY=1 and a STATUS= naming the backend; SIGPIPE ignored
 *   watchdog   WATCHDOG=1 at least every WATCHDOG_USEC/2
 *   SIGHUP     RELOADING=1 with MONOTONIC_USEC=, then READY=1
 *   bad config RELOADING=1, READY=1, still running and still pinging the
 *              watchdog, and an error naming file:line on stderr
 *   SIGTERM    STOPPING=1 and exit status 0
 *
 * Skips (with the reason) when the binary cannot run as a daemon yet or
 * the proc backend is not available on this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define WATCHDOG_USEC 400000ULL
#define MAX_LINES 4096

static char tmpdir[256], cfg_path[320], sock_path[320], err_path[320];
static int sock_fd = -1;
static pid_t daemon_pid;
static char *lines[MAX_LINES];
static int nr_lines, foreign_pid;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Receive one datagram (waiting at most timeout_ms) and record its lines.
 * Returns the number of lines added, 0 on timeout. */
static int receive(int timeout_ms)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct pollfd pfd = { .fd = sock_fd, .events = POLLIN };
	pid_t from = 0;
	ssize_t len;
	int added = 0;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	len = recvmsg(sock_fd, &mh, MSG_DONTWAIT);
	if (len < 0)
		return 0;
	buf[len] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			from = ((struct ucred *)CMSG_DATA(c))->pid;
	if (from != daemon_pid)
		foreign_pid = from ? from : -1;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (nr_lines >= MAX_LINES)
			break;
		lines[nr_lines++] = strdup(l);
		added++;
	}
	return added;
}

/* Read until a line starting with prefix arrives at index >= *from; return
 * its index (and set *from past it), or -1 after timeout_ms. */
static int wait_for(const char *prefix, int *from, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		for (int i = *from; i < nr_lines; i++) {
			if (!strncmp(lines[i], prefix, strlen(prefix))) {
				*from = i + 1;
				return i;
			}
		}
		uint64_t now = now_ms();
		if (now >= deadline)
			return -1;
		receive((int)(deadline - now));
	}
}

/* Keep reading for ms milliseconds. */
static void drain(int ms)
{
	uint64_t deadline = now_ms() + (uint64_t)ms;
	uint64_t now;

	while ((now = now_ms()) < deadline)
		receive((int)(deadline - now));
}

static int count_since(const char *line, int from)
{
	int n = 0;

	for (int i = from; i < nr_lines; i++)
		n += !strcmp(lines[i], line);
	return n;
}

static bool still_running(void)
{
	int st;

	return waitpid(daemon_pid, &st, WNOHANG) == 0;
}

/* Wait up to ms for the daemon to exit; its wait status, or -1. */
static int wait_exit(int ms)
{
	uint64_t deadline = now_ms() + (uint64_t)ms;
	int st;

	do {
		pid_t r = waitpid(daemon_pid, &st, WNOHANG);
		if (r == daemon_pid)
			return st;
		if (r < 0)
			return -1;
		usleep(20000);
	} while (now_ms() < deadline);
	return -1;
}

/* The event loop is not answering: say what the daemon is doing (its
 * state and the files it has open, e.g. which process's pagemap a walk
 * is stuck in), so the failure points at the slow path. */
static void show_blocked(void)
{
	char path[64], target[512], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)daemon_pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			diag("the event loop is blocked; /proc/%d/stat: %.80s", (int)daemon_pid, buf);
		fclose(f);
	}
	for (int fd = 3; fd < 64; fd++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)daemon_pid, fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			diag("  fd %d -> %s", fd, target);
		}
	}
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Is sig in the SigIgn mask of pid's /proc/PID/status? */
static bool sig_ignored(pid_t pid, int sig)
{
	char path[64];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	line = strstr(read_file(path), "\nSigIgn:");
	return line && (strtoull(line + 8, NULL, 16) >> (sig - 1)) & 1;
}

/* Does the text contain "PATH:N:" for a line number N in [lo, hi]? */
static bool names_file_line(const char *text, const char *path, int lo, int hi)
{
	size_t plen = strlen(path);

	for (const char *p = strstr(text, path); p; p = strstr(p + 1, path)) {
		char *end;
		long line;

		if (p[plen] != ':')
			continue;
		line = strtol(p + plen + 1, &end, 10);
		if (end != p + plen + 1 && *end == ':' && line >= lo && line <= hi)
			return true;
	}
	return false;
}

/* Run the binary with args; stdout into buf. Returns the wait status. */
static int run_capture(const char *bin, char *const argv[], char *buf, size_t len)
{
	int pipefd[2], st = -1;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(bin, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (n + 1 < len && (r = read(pipefd[0], buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	return st;
}

static void cleanup(void)
{
	if (daemon_pid > 0 && still_running()) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	if (sock_fd >= 0)
		close(sock_fd);
	if (tmpdir[0]) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
}

static int skip_all(const char *why)
{
	skip(why);
	cleanup();
	return tap_done();
}

int main(void)
{
	const char *top = getenv("top_builddir");
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char bin[4096], help[8192], msg[256];
	int one = 1, pos = 0, i, st, errfd;

	snprintf(bin, sizeof(bin), "%s/lrugend", top ? top : ".");
	if (access(bin, X_OK) < 0) {
		snprintf(msg, sizeof(msg), "%.200s not built", bin);
		return skip_all(msg);
	}
	/* The daemon is being integrated: a binary without the option this
	 * test drives it with cannot run as a daemon yet. */
	st = run_capture(bin, (char *[]){ bin, "--help", NULL }, help, sizeof(help));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !strstr(help, "--backend") ||
	    !strstr(help, "--config") || !strstr(help, "--dry-run"))
		return skip_all("lrugend does not take --backend/--config/--dry-run yet: "
				"the daemon is not integrated (daemon/main.c is the skeleton)");

	snprintf(tmpdir, sizeof(tmpdir), "%s/lrg-notify-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return skip_all("mkdtemp failed");
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/lrugend.conf", tmpdir);
	snprintf(sock_path, sizeof(sock_path), "%s/notify", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
	if (write_file(cfg_path, "[daemon]\nprofile = desktop\ndry_run = yes\n") < 0)
		return skip_all("cannot write the temporary config");

	sock_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return skip_all("TMPDIR too long for a socket path");
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (sock_fd < 0 || bind(sock_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(sock_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		ok(0, "notify socket %s set up: %s", sock_path, strerror(errno));
		cleanup();
		return tap_done();
	}

	daemon_pid = fork();
	if (daemon_pid == 0) {
		char wd_pid[32], wd_usec[32];

		/* Never outlive the test (killed by a timeout, or SIGPIPE). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		snprintf(wd_pid, sizeof(wd_pid), "%d", (int)getpid());
		snprintf(wd_usec, sizeof(wd_usec), "%llu", WATCHDOG_USEC);
		/* As systemd would: but log to stderr, not the journal, and keep
		 * the control socket out of /run/lrugend. */
		unsetenv("JOURNAL_STREAM");
		unsetenv("INVOCATION_ID");
		unsetenv("LISTEN_FDS");
		setenv("NOTIFY_SOCKET", sock_path, 1);
		setenv("WATCHDOG_USEC", wd_usec, 1);
		setenv("WATCHDOG_PID", wd_pid, 1);
		setenv("RUNTIME_DIRECTORY", tmpdir, 1);
		errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (errfd >= 0)
			dup2(errfd, 2);
		execl(bin, bin, "--backend=proc", "--dry-run", "--config", cfg_path, (char *)NULL);
		_exit(127);
	}
	if (daemon_pid < 0) {
		ok(0, "fork: %s", strerror(errno));
		cleanup();
		return tap_done();
	}

	/* 1. READY=1 once the loop runs. */
	i = wait_for("READY=1", &pos, 15000);
	if (i < 0 && !still_running()) {
		st = wait_exit(1000);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 4) {
			diag("%s", read_file(err_path));
			daemon_pid = 0;
			return skip_all("the proc backend is not available here (lrugend exit 4)");
		}
		ok(0, "lrugend started and sent READY=1 (it exited, status 0x%x)", st);
		diag("stderr: %s", read_file(err_path));
		daemon_pid = 0;
		cleanup();
		return tap_done();
	}
	ok(i >= 0, "READY=1 on start");

	/* 2. STATUS= naming the backend. */
	{
		int p = 0, s = wait_for("STATUS=", &p, 3000);

		ok(s >= 0 && strstr(lines[s], "proc"), "STATUS= names the backend: %s",
		   s >= 0 ? lines[s] : "(none)");
	}
	/* A control client gone mid-reply must cost a write, not the daemon. */
	ok(sig_ignored(daemon_pid, SIGPIPE), "SIGPIPE is ignored by the daemon");

	/*
	 * 3. The watchdog: WATCHDOG_USEC=400ms, so a ping every <= 200 ms,
	 * about 15 in 3 s. At least 5: a loop that forgot the watchdog sends
	 * none, and 3 s leave room for a host at load 7 (where 4 in 1.5 s
	 * failed once while the VM suites ran beside it).
	 */
	{
		int before = nr_lines;

		drain(3000);
		if (!ok(count_since("WATCHDOG=1", before) >= 5,
			"WATCHDOG=1 kept by the event loop: %d ping(s) in 3 s with WATCHDOG_USEC=%llu",
			count_since("WATCHDOG=1", before), WATCHDOG_USEC))
			show_blocked();
	}

	/* 4-5. SIGHUP: RELOADING=1 (with MONOTONIC_USEC=), then READY=1. */
	pos = nr_lines;
	kill(daemon_pid, SIGHUP);
	i = wait_for("RELOADING=1", &pos, 5000);
	ok(i >= 0, "SIGHUP: RELOADING=1");
	{
		int p = i >= 0 ? i : nr_lines;

		ok(i >= 0 && wait_for("MONOTONIC_USEC=", &p, 1000) == i + 1,
		   "RELOADING=1 carries MONOTONIC_USEC= in the same message");
	}
	ok(i >= 0 && wait_for("READY=1", &pos, 5000) >= 0, "READY=1 after the reload");

	/* 6-9. Garbage config, SIGHUP: refused, still running, file:line logged. */
	if (write_file(cfg_path, "this is not an ini file\n[daemon\npoll_interval_ms = banana\n") < 0)
		diag("could not write the bad config");
	pos = nr_lines;
	kill(daemon_pid, SIGHUP);
	i = wait_for("RELOADING=1", &pos, 5000);
	ok(i >= 0 && wait_for("READY=1", &pos, 5000) >= 0,
	   "bad config: RELOADING=1 then READY=1 (the old config stays in force)");
	{
		int before = nr_lines;

		drain(1000);
		ok(still_running() && count_since("WATCHDOG=1", before) >= 2,
		   "bad config: the daemon keeps running and pinging the watchdog");
	}
	ok(names_file_line(read_file(err_path), cfg_path, 1, 3),
	   "bad config: the error names %s:LINE", cfg_path);
	if (!names_file_line(read_file(err_path), cfg_path, 1, 3))
		diag("stderr: %s", read_file(err_path));

	/* Every message came from the main process (NotifyAccess=main). */
	ok(!foreign_pid, "every notification came from the daemon's own pid %d%s", (int)daemon_pid,
	   foreign_pid ? " (not all did)" : "");

	/* 10-11. SIGTERM: STOPPING=1 and exit 0. */
	pos = nr_lines;
	kill(daemon_pid, SIGTERM);
	ok(wait_for("STOPPING=1", &pos, 5000) >= 0, "SIGTERM: STOPPING=1");
	st = wait_exit(10000);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGTERM: exit status 0 (wait status 0x%x)",
	   st);
	if (st != -1)
		daemon_pid = 0;
	cleanup();
	return tap_done();
}
