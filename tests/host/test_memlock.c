// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_memlock.c - which of the daemon's mappings are faulted in and
 * locked at start (lrg_memlock_classify on maps lines), and, in a child
 * that locks itself, that an untouched anonymous buffer is made present
 * while a file mapping no one reads is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memlock.h"
#include "tap.h"

#define EXE "/usr/sbin/lrugend"

static const struct {
	const char *line;
	enum lrg_memlock_kind want;
	const char *what;
} cases[] = {
	{ "55d0c0a00000-55d0c0a40000 r-xp 00002000 fe:01 1311 " EXE, LRG_MEMLOCK_PRESENT,
	  "the daemon's own code" },
	{ "55d0c0b00000-55d0c0b02000 r--p 00042000 fe:01 1311 " EXE, LRG_MEMLOCK_PRESENT,
	  "the daemon's read-only data (format strings of the kill's log)" },
	{ "7f00a0000000-7f00a0160000 r-xp 00028000 fe:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6",
	  LRG_MEMLOCK_PRESENT, "the C library's code" },
	{ "7f00a1000000-7f00a1020000 r-xp 00001000 fe:01 78 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	  LRG_MEMLOCK_PRESENT, "the loader" },
	{ "7f00a0160000-7f00a01b3000 r--p 0017c000 fe:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6",
	  LRG_MEMLOCK_ONFAULT, "the C library's read-only data: as it is read" },
	{ "7f00a1020000-7f00a102a000 r--p 00027000 fe:01 78 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	  LRG_MEMLOCK_ONFAULT, "the loader's read-only data: as it is read" },
	{ "55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0 [heap]", LRG_MEMLOCK_PRESENT, "the heap" },
	{ "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]", LRG_MEMLOCK_PRESENT,
	  "the main stack" },
	{ "7f00a2000000-7f00a2800000 rw-p 00000000 00:00 0 ", LRG_MEMLOCK_PRESENT,
	  "an anonymous buffer (a thread's stack, a scratch array)" },
	{ "600000000000-640000000000 rw-p 00000000 00:00 0 ", LRG_MEMLOCK_ONFAULT,
	  "a 64 TiB anonymous reservation (a sanitizer's shadow)" },
	{ "7f00a3000000-7f00a3004000 rw-p 00030000 fe:01 90 /usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0",
	  LRG_MEMLOCK_PRESENT, "a library's writable data" },
	{ "7f00a4000000-7f00a4090000 r-xp 00010000 fe:01 90 /usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0",
	  LRG_MEMLOCK_ONFAULT, "libsystemd's code: locked as it runs" },
	{ "7f00a5000000-7f00a5120000 r-xp 00010000 fe:01 91 /usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1",
	  LRG_MEMLOCK_ONFAULT, "libgcrypt's code (pulled in by libsystemd, never called)" },
	{ "7f00a6000000-7f00a6010000 r--p 00000000 fe:01 92 /usr/lib/locale/C.utf8/LC_CTYPE",
	  LRG_MEMLOCK_ONFAULT, "a locale file" },
	{ "7f00a7000000-7f00a7200000 ---p 00000000 00:00 0 ", LRG_MEMLOCK_SKIP,
	  "a guard gap (no access)" },
	{ "7ffc01000000-7ffc01002000 r-xp 00000000 00:00 0 [vdso]", LRG_MEMLOCK_SKIP, "[vdso]" },
	{ "7ffc01002000-7ffc01004000 r--p 00000000 00:00 0 [vvar]", LRG_MEMLOCK_SKIP, "[vvar]" },
	{ "garbage", LRG_MEMLOCK_SKIP, "a line that does not parse" },
	{ "7f00a8000000-7f00a7000000 rw-p 00000000 00:00 0 ", LRG_MEMLOCK_SKIP,
	  "an end before its start" },
	{ "55d0c0a00000-55d0c0a40000 r-xp 00002000 fe:01 1312 " EXE ".old", LRG_MEMLOCK_ONFAULT,
	  "a file whose name only begins with the daemon's" },
};

/* Lines read from a whole file run on into the next ones. */
static void test_in_file(void)
{
	static const char maps[] =
		"7f00a0000000-7f00a0100000 r--p 00000000 fe:01 80 /tmp/data\n"
		"7f00a0100000-7f00a0200000 r--p 00000000 00:00 0 \n"
		"7f00a0200000-7f00a0300000 r-xp 00028000 fe:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	const char *second = strchr(maps, '\n') + 1;
	uintptr_t s = 0, e = 0;

	ok(lrg_memlock_classify(maps, EXE, &s, &e) == LRG_MEMLOCK_ONFAULT && s == 0x7f00a0000000ULL &&
	   e == 0x7f00a0100000ULL,
	   "a file's line followed by libc's: the file's own name decides (on fault)");
	ok(lrg_memlock_classify(second, EXE, &s, &e) == LRG_MEMLOCK_PRESENT && s == 0x7f00a0100000ULL,
	   "an anonymous read-only line followed by libc's: anonymous (present)");
}

static void test_classify(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uintptr_t s = 0, e = 0;

		ok(lrg_memlock_classify(cases[i].line, EXE, &s, &e) == cases[i].want, "%s: %s",
		   cases[i].what, cases[i].want == LRG_MEMLOCK_PRESENT ? "present" :
		   cases[i].want == LRG_MEMLOCK_ONFAULT ? "on fault" : "skipped");
	}
}

/* Rss in KiB of the mapping that starts at addr, from /proc/self/smaps. */
static long rss_kib(const void *addr)
{
	char line[512];
	unsigned long start, end;
	long rss = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (unsigned long)addr;
		else if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
}

/*
 * In a child (the lock is for good): an anonymous MiB never touched is
 * present after lrg_memlock_self, a MiB of a file mapped and never read
 * is not. Exit status: 0 both hold, 1 the anonymous MiB absent, 2 the
 * file's MiB present, 3 setup, 77 locking not permitted here.
 */
static int child(const char *file)
{
	void *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(file, O_RDONLY);
	void *mapped = fd < 0 ? MAP_FAILED : mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE, fd, 0);
	size_t present = 0;

	if (anon == MAP_FAILED || mapped == MAP_FAILED)
		return 3;
	if (lrg_memlock_self(&present) < 0)
		return 77;
	printf("# locked: %zu KiB present; anonymous MiB rss %ld KiB, file MiB rss %ld KiB\n",
	       present >> 10, rss_kib(anon), rss_kib(mapped));
	fflush(stdout);
	if (rss_kib(anon) < 1024)
		return 1;
	if (rss_kib(mapped) != 0)
		return 2;
	return 0;
}

static void test_live(void)
{
	char file[] = "/tmp/test_memlock.XXXXXX";
	int fd, status = -1;
	pid_t pid;

#if defined(__SANITIZE_ADDRESS__)
	/* seen under ASan: an anonymous MiB that mlock() returned 0 for
	 * shows Rss 0 in smaps; the daemon is never run so */
	skip("the sanitizer build: its allocator and interceptors own the mappings (checked in the plain build)");
	skip("the sanitizer build: its allocator and interceptors own the mappings (checked in the plain build)");
	return;
#endif
	fd = mkstemp(file);

	if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
		ok(0, "a MiB file to map (%s)", strerror(errno));
		return;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(file));
	waitpid(pid, &status, 0);
	unlink(file);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skip("mlockall not permitted here (no CAP_IPC_LOCK, RLIMIT_MEMLOCK too low)");
		skip("mlockall not permitted here (no CAP_IPC_LOCK, RLIMIT_MEMLOCK too low)");
		return;
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) != 1 && WEXITSTATUS(status) != 3,
	   "an anonymous MiB never touched: faulted in and locked (status %d)", status);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a file's MiB mapped and never read: not read in (status %d)", status);
}

int main(void)
{
	test_classify();
	test_in_file();
	test_live();
	return tap_done();
}
