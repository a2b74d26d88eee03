// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cgroup_kept.c - kept cgroup files (host/cgroup_kept.h) on plain
 * files: a read keeps the file and sees what it holds now, a kept file
 * that fails is opened again by its path (which then says the file is
 * gone), and no more than LRG_CGROUP_KEPT_MAX stay open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_kept.h"
#include "tap.h"

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static char dir[] = "/tmp/lrg-kept-XXXXXX";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		bail(path);
}

static void test_keep(void)
{
	struct lrg_cgroup_kept k = { 0 };
	char path[256], buf[64];
	size_t before = lrg_cgroup_kept_in_use(), len = 0;

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	put(path, "4096\n");
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, sizeof(buf), &len) == 0 &&
		   !strcmp(buf, "4096\n") && len == 5,
	   "the first read opens the file and reads it whole");
	ok((k.open & (1U << LRG_KEPT_CURRENT)) && lrg_cgroup_kept_in_use() == before + 1,
	   "and keeps it open");
	put(path, "8192\n");
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, sizeof(buf), NULL) == 0 &&
		   !strcmp(buf, "8192\n"),
	   "a later read of the kept file reads it again from the start: [%s]", buf);
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, 4, NULL) == -EFBIG,
	   "a buffer too small: -EFBIG");
	ok(!(k.open & (1U << LRG_KEPT_CURRENT)) && lrg_cgroup_kept_in_use() == before,
	   "a failed read closes the kept file");
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, sizeof(buf), NULL) == 0 &&
		   (k.open & (1U << LRG_KEPT_CURRENT)),
	   "and the next read keeps it again");

	/* a kept file that fails (as a removed cgroup's reads ENODEV) */
	close(k.fd[LRG_KEPT_CURRENT]);
	k.fd[LRG_KEPT_CURRENT] = open("/dev/null", O_WRONLY | O_CLOEXEC);
	put(path, "12288\n");
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, sizeof(buf), NULL) == 0 &&
		   !strcmp(buf, "12288\n"),
	   "a kept file that fails is opened again by its path: [%s]", buf);
	close(k.fd[LRG_KEPT_CURRENT]);
	k.fd[LRG_KEPT_CURRENT] = open("/dev/null", O_WRONLY | O_CLOEXEC);
	unlink(path);
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_CURRENT, path, buf, sizeof(buf), NULL) == -ENOENT,
	   "and when the path is gone too, the read says -ENOENT");
	ok(!(k.open & (1U << LRG_KEPT_CURRENT)) && lrg_cgroup_kept_in_use() == before,
	   "and nothing stays open");
	ok(lrg_cgroup_kept_read(NULL, LRG_KEPT_CURRENT, path, buf, sizeof(buf), NULL) == -ENOENT,
	   "without kept files: a plain read by path");

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	put(path, "anon 1\nfile 2\n");
	ok(lrg_cgroup_kept_read(&k, LRG_KEPT_STAT, path, buf, sizeof(buf), NULL) == 0 &&
		   lrg_cgroup_kept_in_use() == before + 1,
	   "another file of the same cgroup is kept beside");
	lrg_cgroup_kept_close(&k);
	ok(k.open == 0 && lrg_cgroup_kept_in_use() == before, "closing gives every file back");
}

static void test_budget(void)
{
	size_t n = LRG_CGROUP_KEPT_MAX + 8, kept = 0;
	struct lrg_cgroup_kept *k = calloc(n, sizeof(*k));
	char path[256], buf[16];
	bool all_read = true;

	if (!k)
		bail("calloc");
	snprintf(path, sizeof(path), "%s/memory.min", dir);
	put(path, "0\n");
	for (size_t i = 0; i < n; i++) {
		all_read &= lrg_cgroup_kept_read(&k[i], LRG_KEPT_MIN, path, buf, sizeof(buf), NULL) == 0;
		kept += !!k[i].open;
	}
	ok(all_read, "every read succeeds, kept or not");
	ok(kept == LRG_CGROUP_KEPT_MAX && lrg_cgroup_kept_in_use() == LRG_CGROUP_KEPT_MAX,
	   "no more than %d files stay open (kept %zu of %zu)", LRG_CGROUP_KEPT_MAX, kept, n);
	for (size_t i = 0; i < n; i++)
		lrg_cgroup_kept_close(&k[i]);
	ok(lrg_cgroup_kept_in_use() == 0, "all given back");
	free(k);
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir))
		bail("mkdtemp");
	test_keep();
	test_budget();
	rmdir(dir);
	return tap_done();
}
