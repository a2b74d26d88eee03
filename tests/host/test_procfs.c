// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_procfs.c - the /proc readers on fixture trees
 * (tests/fixtures/host/proc) and on strings for the corner cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "procfs.h"
#include "tap.h"

static char root[PATH_MAX];

static void test_stat(void)
{
	struct lrg_proc_stat st = { 0 };
	int r;

	r = lrg_procfs_read_stat(root, 1234, &st);
	ok(r == 0, "read_stat 1234: %d", r);
	ok(!strcmp(st.comm, "my (weird) prog"), "comm with spaces and parens: '%s'", st.comm);
	ok(st.state == 'S', "state S: %c", st.state);
	ok(st.ppid == 1, "ppid 1: %d", (int)st.ppid);
	ok(st.utime == 250 && st.stime == 75, "utime 250 stime 75: %llu %llu",
	   (unsigned long long)st.utime, (unsigned long long)st.stime);
	ok(st.num_threads == 3, "num_threads 3: %lld", (long long)st.num_threads);
	ok(st.starttime == 987654, "starttime 987654: %llu", (unsigned long long)st.starttime);
	ok(st.rss == 2048, "rss 2048 pages: %llu", (unsigned long long)st.rss);
	ok(!lrg_proc_stat_is_kthread(&st), "1234 is not a kernel thread (flags %#x)", st.flags);

	r = lrg_procfs_read_stat(root, 2, &st);
	ok(r == 0 && lrg_proc_stat_is_kthread(&st) && !strcmp(st.comm, "kthreadd"),
	   "kthreadd: PF_KTHREAD set (flags %#x)", st.flags);

	r = lrg_procfs_read_stat(root, 99999, &st);
	ok(r == -ESRCH, "missing pid: -ESRCH (%d)", r);

	/* comm ending in ") " must not end the field early */
	r = lrg_parse_proc_stat("77 (a) b) R 5 0 0 0 0 64 0 0 0 0 1 2 0 0 0 0 1 0 55 0 0", &st);
	ok(r == 0 && !strcmp(st.comm, "a) b") && st.state == 'R' && st.starttime == 55,
	   "comm 'a) b' parsed up to the last paren: r=%d comm='%s' start=%llu", r, st.comm,
	   (unsigned long long)st.starttime);
	/* a 15-character comm at the limit, then a longer kthread name */
	r = lrg_parse_proc_stat("8 (kworker/u8:1-events_unbound) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0",
				&st);
	ok(r == 0 && strlen(st.comm) == 15 && st.state == 'I' && st.starttime == 9,
	   "long comm truncated to 15: '%s'", st.comm);
	ok(lrg_parse_proc_stat("12 (x R 1 2 3", &st) == -EINVAL, "unclosed comm rejected");
	ok(lrg_parse_proc_stat("12 (x) R 1 2 3", &st) == -EINVAL, "truncated line rejected");
	ok(lrg_parse_proc_stat("", &st) == -EINVAL, "empty stat rejected");
}

static void test_start_time(void)
{
	uint64_t t = 42;
	int r;

	r = lrg_procfs_read_start_time(root, 1234, &t);
	ok(r == 0 && t == 987654, "start time of 1234: %llu (%d)", (unsigned long long)t, r);
	t = 42;
	r = lrg_procfs_read_start_time(root, 99999, &t);
	ok(r == -ESRCH && t == 42, "start time of a missing pid: -ESRCH, output untouched (%d)", r);
}

/* 1234's status as the LRU splits it: its shared memory is anonymous. */
static void test_status_split(const struct lrg_proc_status *s)
{
	uint64_t anon = 0, file = 0;

	lrg_proc_status_split(s, 4096, &anon, &file);
	ok(anon == (5120 + 1024) / 4 && file == 2048 / 4,
	   "split in 4 KiB pages: anon with shmem %llu, file %llu", (unsigned long long)anon,
	   (unsigned long long)file);
}

static void test_status(void)
{
	struct lrg_proc_status s = { 0 };
	int r;

	r = lrg_procfs_read_status(root, 1234, &s);
	ok(r == 0 && s.tgid == 1234 && s.has_mm, "status 1234: tgid and mm (%d)", r);
	ok(s.rss_anon == 5120 * 1024ULL, "RssAnon in bytes: %llu", (unsigned long long)s.rss_anon);
	ok(s.rss_file == 2048 * 1024ULL && s.rss_shmem == 1024 * 1024ULL,
	   "RssFile and RssShmem: %llu %llu", (unsigned long long)s.rss_file,
	   (unsigned long long)s.rss_shmem);
	ok(s.vm_swap == 256 * 1024ULL && s.vm_size == 120563 * 1024ULL &&
	   s.vm_rss == 8192 * 1024ULL, "VmSwap, VmSize, VmRSS");
	test_status_split(&s);
	r = lrg_procfs_read_status(root, 2, &s);
	ok(r == 0 && !s.has_mm && s.tgid == 2, "kernel thread: no mm");
	ok(lrg_parse_proc_status("Name:\tx\nPid:\t4\n", &s) == -EINVAL, "status without Tgid rejected");
	r = lrg_procfs_read_status(root, 1234, &s);
	ok(r == 0 && s.uid == 1000 && s.euid == 1000, "Uid: real and effective uid 1000");
	r = lrg_parse_proc_status("Name:\tx\nTgid:\t9\nUid:\t1000\t0\t0\t0\n", &s);
	ok(r == 0 && s.uid == 1000 && s.euid == 0, "Uid: setuid root run by 1000: real 1000, effective 0");
	r = lrg_parse_proc_status("Name:\tx\nTgid:\t9\n", &s);
	ok(r == 0 && s.uid == (uid_t)-1 && s.euid == (uid_t)-1, "no Uid line: both unknown, not root");
}

/* Run path (argv "sleep 5"), read its /proc/PID/exe, kill it. */
static int exe_of(const char *path, char *buf, size_t size, bool *trusted)
{
	pid_t pid = fork();
	int r;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(path, "sleep", "5", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {	/* until the exec is done */
		r = lrg_procfs_read_exe("/proc", pid, buf, size, trusted);
		if (r < 0 || !strcmp(buf, path))
			break;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return r;
}

/* Which executables a rule may believe (lrg_procfs_read_exe). */
static void test_exe(void)
{
	char tmpl[] = "/tmp/test_procfs.XXXXXX", copy[64], buf[PATH_MAX], cmd[256];
	const char *sleep_bin = access("/usr/bin/sleep", X_OK) ? "/bin/sleep" : "/usr/bin/sleep";
	struct stat st;
	bool trusted = false;
	int r;

	r = exe_of(sleep_bin, buf, sizeof(buf), &trusted);
	if (r || stat(sleep_bin, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		diag("%s: %d", sleep_bin, r);
		skip("sleep is not a root-owned file only root may write here");
	} else {
		ok(!strcmp(buf, sleep_bin) && trusted, "exe of %s: its path, trusted", sleep_bin);
	}
	if (!mkdtemp(tmpl)) {
		skip("no temp dir");
		return;
	}
	snprintf(copy, sizeof(copy), "%s/sleep", tmpl);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0775 %s", sleep_bin, copy, copy);
	if (system(cmd)) {
		skip("cannot copy sleep to the temp dir");
	} else {
		trusted = true;
		r = exe_of(copy, buf, sizeof(buf), &trusted);
		ok(r == 0 && !strcmp(buf, copy) && !trusted,
		   "a group-writable copy: its path, not trusted (%d)", r);
		unlink(copy);
	}
	rmdir(tmpl);
	ok(lrg_procfs_read_exe("/proc", 999999999, buf, sizeof(buf), &trusted) == -ESRCH,
	   "exe of a pid that does not exist: -ESRCH");
	ok(lrg_procfs_read_exe("/proc", getpid(), buf, 4, &trusted) == -ENAMETOOLONG,
	   "exe path longer than the buffer: -ENAMETOOLONG");
}

static void test_cgroup(void)
{
	struct lrg_proc_cgroup cg = { 0 };
	int r, adj = 0;

	r = lrg_procfs_read_cgroup(root, 1234, &cg);
	ok(r == 0 && cg.has_v2 && !cg.has_memory_v1, "v2-only cgroup file (%d)", r);
	ok(!strcmp(cg.v2, "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1:2.scope"),
	   "v2 path with ':' kept whole: %s", cg.v2);
	r = lrg_procfs_read_cgroup(root, 4321, &cg);
	ok(r == 0 && cg.has_v2 && cg.has_memory_v1, "hybrid: both lines (%d)", r);
	ok(!strcmp(cg.memory_v1, "/user.slice/user-1000.slice/session-2.scope"),
	   "v1 memory path: %s", cg.memory_v1);
	ok(!strcmp(cg.v2, "/user.slice/user-1000.slice/session-2.scope"), "hybrid v2 path: %s", cg.v2);
	r = lrg_procfs_read_cgroup(root, 2, &cg);
	ok(r == 0 && !cg.has_v2 && cg.has_memory_v1 && !strcmp(cg.memory_v1, "/"),
	   "v1-only: memory line, no v2 line");
	ok(lrg_parse_proc_cgroup("3:cpu:/x\n", &cg) == -ENODATA, "neither v2 nor memory: -ENODATA");
	ok(lrg_parse_proc_cgroup("garbage\n", &cg) == -EINVAL, "garbage rejected");
	{
		/* a user's scope with a 230-character name, and a path the
		 * kernel itself would not print (PATH_MAX) */
		static char line[PATH_MAX + 64];
		char name[231];
		int n;

		memset(name, 'x', 230);
		name[230] = '\0';
		n = snprintf(line, sizeof(line),
			     "0::/user.slice/user-1000.slice/user@1000.service/app.slice/%s.scope\n", name);
		r = lrg_parse_proc_cgroup(line, &cg);
		ok(r == 0 && cg.has_v2 && strlen(cg.v2) == (size_t)n - 4 && strstr(cg.v2, name),
		   "a %d-byte v2 path is kept whole (%d)", n - 4, r);
		memset(line, 'y', sizeof(line) - 1);
		memcpy(line, "0::/", 4);
		line[4 + PATH_MAX] = '\0';
		ok(lrg_parse_proc_cgroup(line, &cg) == -ENAMETOOLONG,
		   "a v2 path longer than PATH_MAX: -ENAMETOOLONG");
	}

	r = lrg_procfs_read_oom_score_adj(root, 1234, &adj);
	ok(r == 0 && adj == 200, "oom_score_adj 200: %d", adj);
}

static void test_meminfo(void)
{
	struct lrg_meminfo mi = { 0 };
	char p[PATH_MAX + 32];
	int r;

	r = lrg_procfs_read_meminfo(root, &mi);
	ok(r == 0, "meminfo: %d", r);
	ok(mi.mem_total == 16318480ULL * 1024 && mi.mem_free == 1203452ULL * 1024 &&
	   mi.mem_available == 9876543ULL * 1024, "MemTotal/MemFree/MemAvailable in bytes");
	ok(mi.swap_total == 8388604ULL * 1024 && mi.swap_free == 8000000ULL * 1024, "swap");
	ok(mi.active_anon == 3000000ULL * 1024 && mi.inactive_file == 4000000ULL * 1024,
	   "Active(anon), Inactive(file): keys with parentheses");
	snprintf(p, sizeof(p), "%s/old", root);
	r = lrg_procfs_read_meminfo(p, &mi);
	ok(r == 0 && mi.mem_available == (100000ULL + 20000 + 300000) * 1024,
	   "no MemAvailable (pre-3.14): free + buffers + cached: %llu",
	   (unsigned long long)mi.mem_available);
	ok(lrg_parse_meminfo("Foo: 1 kB\n", &mi) == -EINVAL, "meminfo without MemTotal rejected");
}

static void test_psi(void)
{
	struct lrg_psi psi = { 0 };
	char p[PATH_MAX + 32];
	int r;

	snprintf(p, sizeof(p), "%s/pressure/memory", root);
	r = lrg_read_psi(p, &psi);
	ok(r == 0 && psi.has_full, "PSI some+full: %d", r);
	ok(psi.some_avg10 > 1.52 && psi.some_avg10 < 1.54 && psi.full_avg10 > 0.41 &&
	   psi.full_avg10 < 0.43, "avg10: %.2f %.2f", psi.some_avg10, psi.full_avg10);
	ok(psi.some_total_us == 123456789 && psi.full_total_us == 98765, "totals");
	snprintf(p, sizeof(p), "%s/old/pressure-some-only", root);
	r = lrg_read_psi(p, &psi);
	ok(r == 0 && !psi.has_full && psi.some_total_us == 4242 && psi.full_avg10 == 0,
	   "some-only PSI: has_full false");
	ok(lrg_parse_psi("some avg10=x avg60=0 avg300=0 total=0\n", &psi) == -EINVAL,
	   "bad PSI number rejected");
	ok(lrg_parse_psi("full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n", &psi) == -EINVAL,
	   "PSI without a some line rejected");
}

static void test_vmstat(void)
{
	struct lrg_vmstat vs = { 0 };
	char p[PATH_MAX + 32];
	int r;

	r = lrg_procfs_read_vmstat(root, &vs);
	ok(r == 0, "vmstat: %d", r);
	ok(vs.pgscan == 5000 + 600 + 7 + 80, "pgscan sums contexts, not anon/file or throttle: %llu",
	   (unsigned long long)vs.pgscan);
	ok(vs.pgsteal == 1000 + 200 + 3 + 40, "pgsteal: %llu", (unsigned long long)vs.pgsteal);
	ok(vs.refaults == 1500 + 275342, "refaults anon+file: %llu", (unsigned long long)vs.refaults);
	ok(vs.oom_kill == 4, "oom_kill: %llu", (unsigned long long)vs.oom_kill);
	snprintf(p, sizeof(p), "%s/old", root);
	r = lrg_procfs_read_vmstat(p, &vs);
	ok(r == 0 && vs.refaults == 321 && vs.pgscan == 150 && vs.pgsteal == 15,
	   "pre-5.9 vmstat: workingset_refault: %llu", (unsigned long long)vs.refaults);
	r = lrg_parse_vmstat("anon 4096\nfile 8192\nshmem 0\npgscan 9\npgsteal 9\npgsteal_direct 7\n"
			     "workingset_refault_file 3\n", &vs);
	ok(r == 0 && vs.anon == 4096 && vs.file == 8192 && vs.pgsteal == 7 && vs.refaults == 3,
	   "memory.stat: bytes, pgsteal from contexts");
}

static void test_zoneinfo(void)
{
	struct lrg_watermarks wm = { 0 };
	int r;

	r = lrg_procfs_read_zoneinfo(root, &wm);
	ok(r == 0 && wm.nr_zones == 4, "zoneinfo: 4 zones (%d, %d)", r, wm.nr_zones);
	ok(wm.min_pages == 47 + 9555 + 16000, "min summed: %llu", (unsigned long long)wm.min_pages);
	ok(wm.low_pages == 58 + 11943 + 20000, "low summed: %llu", (unsigned long long)wm.low_pages);
	ok(wm.high_pages == 69 + 14331 + 24000, "high summed, pageset high: ignored: %llu",
	   (unsigned long long)wm.high_pages);
	ok(lrg_parse_zoneinfo("nothing\n", &wm) == -EINVAL, "no zones rejected");
}

static void test_files(void)
{
	char buf[8], path[PATH_MAX + 32];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/meminfo", root);
	ok(lrg_read_file_buf(path, buf, sizeof(buf), NULL) == -EFBIG, "small buffer: -EFBIG");
	{
		char *text = NULL, *none = (char *)"untouched";
		size_t len = 0, len_none = 7;
		int r;

		r = lrg_read_file(path, &text, &len);
		ok(r == 0 && text && len == strlen(text) && !strncmp(text, "MemTotal:", 9),
		   "read_file: whole meminfo, %zu bytes (%d)", len, r);
		free(text);
		snprintf(path, sizeof(path), "%s/no-such-file", root);
		r = lrg_read_file(path, &none, &len_none);
		ok(r == -ENOENT && !strcmp(none, "untouched") && len_none == 7,
		   "read_file of a missing file: -ENOENT, outputs untouched (%d)", r);
	}
	ok(lrg_parse_u64_max("max\n", &v) == 0 && v == UINT64_MAX, "\"max\" is UINT64_MAX");
	ok(lrg_parse_u64_max("123\n", &v) == 0 && v == 123, "123");
	ok(lrg_parse_u64_max("12x", &v) == -EINVAL, "trailing garbage rejected");
}

static int put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/*
 * A kept file: read twice through one descriptor, each read the whole
 * file as it is then; a buffer too small is -EFBIG; a file that cannot be
 * read is opened again at the next read.
 */
static void test_kept_file(void)
{
	struct lrg_kept_file f;
	char tmpl[] = "/tmp/test_kept.XXXXXX", path[64], buf[64];
	size_t len = 0;
	int fd1, r;

	if (!mkdtemp(tmpl)) {
		ok(0, "kept file: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/f", tmpl);
	ok(lrg_kept_file_init(&f, path) == 0 && f.fd == -1, "kept file: nothing open before a read");
	ok(lrg_kept_file_read(&f, buf, sizeof(buf), NULL) == -ENOENT && f.fd == -1,
	   "kept file: a missing file is -ENOENT");
	r = put(path, "first\n");
	ok(r == 0 && lrg_kept_file_read(&f, buf, sizeof(buf), &len) == 0 && !strcmp(buf, "first\n") &&
	   len == 6, "kept file: created since, opened at the next read (%s)", buf);
	fd1 = f.fd;
	r = put(path, "second, longer\n");
	ok(r == 0 && lrg_kept_file_read(&f, buf, sizeof(buf), NULL) == 0 &&
	   !strcmp(buf, "second, longer\n") && f.fd == fd1,
	   "kept file: read again whole from the start through the same descriptor");
	ok(lrg_kept_file_read(&f, buf, 8, NULL) == -EFBIG, "kept file: a buffer too small is -EFBIG");
	lrg_kept_file_close(&f);
	ok(f.fd == -1 && fcntl(fd1, F_GETFD) < 0, "kept file: closed");
	ok(lrg_kept_file_init(&f, tmpl) == 0 && lrg_kept_file_read(&f, buf, sizeof(buf), NULL) == -EISDIR &&
	   f.fd == -1, "kept file: a read that fails closes it");
	unlink(path);
	rmdir(tmpl);
}

static void test_live(void)
{
	struct lrg_proc_stat st;
	struct lrg_proc_status s;
	struct lrg_meminfo mi;
	struct lrg_vmstat vs;
	struct lrg_watermarks wm;
	int r;

	/* The parsers also hold on this machine's own files. */
	r = lrg_procfs_read_stat("/proc", getpid(), &st);
	ok(r == 0 && st.pid == getpid() && !lrg_proc_stat_is_kthread(&st), "live stat of self");
	r = lrg_procfs_read_status("/proc", getpid(), &s);
	ok(r == 0 && s.has_mm && s.tgid == getpid() && s.vm_rss > 0, "live status of self");
	r = lrg_procfs_read_meminfo("/proc", &mi);
	ok(r == 0 && mi.mem_total > 0 && mi.mem_available <= mi.mem_total, "live meminfo");
	ok(lrg_procfs_read_vmstat("/proc", &vs) == 0, "live vmstat");
	{
		/* the backend's way: one descriptor each, read again from 0,
		 * into 16 KiB */
		static char big[16384];
		struct lrg_kept_file km, kv;
		struct lrg_meminfo m2;
		bool again = true;

		lrg_kept_file_init(&km, "/proc/meminfo");
		lrg_kept_file_init(&kv, "/proc/vmstat");
		for (int i = 0; i < 3; i++) {
			again = again && lrg_kept_file_read(&km, big, sizeof(big), NULL) == 0 &&
				lrg_parse_meminfo(big, &m2) == 0 && m2.mem_total == mi.mem_total &&
				lrg_kept_file_read(&kv, big, sizeof(big), NULL) == 0 &&
				lrg_parse_vmstat(big, &vs) == 0;
		}
		ok(again, "live meminfo and vmstat read three times through kept descriptors (16 KiB)");
		lrg_kept_file_close(&km);
		lrg_kept_file_close(&kv);
	}
	r = lrg_procfs_read_zoneinfo("/proc", &wm);
	ok(r == 0 && wm.nr_zones > 0 && wm.high_pages >= wm.low_pages && wm.low_pages >= wm.min_pages,
	   "live zoneinfo: %d zones, high %llu >= low %llu", wm.nr_zones,
	   (unsigned long long)wm.high_pages, (unsigned long long)wm.low_pages);
}

int main(void)
{
	const char *src = getenv("top_srcdir");

	snprintf(root, sizeof(root), "%s/tests/fixtures/host/proc", src ? src : ".");
	test_stat();
	test_start_time();
	test_status();
	test_exe();
	test_cgroup();
	test_meminfo();
	test_psi();
	test_vmstat();
	test_zoneinfo();
	test_files();
	test_kept_file();
	test_live();
	return tap_done();
}
