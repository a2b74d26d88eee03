// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_code_trust.c - lrg_procfs_code_trusted on maps written here, naming
 * files made here: root's and others' code, a deleted file, a stale inode.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "code_trust.h"
#include "tap.h"

static char root[PATH_MAX], lib_ok[PATH_MAX * 2], lib_bad[PATH_MAX * 2];

static void make_file(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs("\x7f" "ELF", f);
		fclose(f);
	}
	chmod(path, mode);
}

/* a maps line mapping path with perms (its real device and inode, plus
 * ino_delta), suffix after the path */
static void map_line(FILE *f, const char *perms, const char *path, long ino_delta,
		     const char *suffix)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return;
	fprintf(f, "7f0000000000-7f0000001000 %s 00000000 %02x:%02x %llu                    %s%s\n",
		perms, major(st.st_dev), minor(st.st_dev),
		(unsigned long long)st.st_ino + ino_delta, path, suffix);
}

static int judge(void (*write_maps)(FILE *))
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/4242/maps", root);
	f = fopen(p, "w");
	if (!f)
		return -EIO;
	write_maps(f);
	fclose(f);
	return lrg_procfs_code_trusted(root, 4242);
}

static void common(FILE *f)
{
	fprintf(f, "55d000000000-55d000021000 rw-p 00000000 00:00 0                          [heap]\n");
	fprintf(f, "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n");
	fprintf(f, "7f1000000000-7f1000100000 rwxp 00000000 00:00 0 \n");   /* a JIT */
}

static void maps_root_code(FILE *f)
{
	common(f);
	map_line(f, "r-xp", lib_ok, 0, "");
	map_line(f, "r--p", lib_bad, 0, "");   /* data, not code */
}

static void maps_user_code(FILE *f)
{
	common(f);
	map_line(f, "r-xp", lib_ok, 0, "");
	map_line(f, "r-xp", lib_bad, 0, "");
}

static void maps_stale_inode(FILE *f)
{
	map_line(f, "r-xp", lib_ok, 1, "");
}

static void maps_deleted(FILE *f)
{
	map_line(f, "r-xp", lib_ok, 0, " (deleted)");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX * 2];
	int r;

	snprintf(root, sizeof(root), "%s/lrg-code-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		skip("mkdtemp failed: nothing to judge");
		return tap_done();
	}
	snprintf(dir, sizeof(dir), "%s/4242", root);
	mkdir(dir, 0755);
	snprintf(lib_ok, sizeof(lib_ok), "%s/libok.so", root);
	snprintf(lib_bad, sizeof(lib_bad), "%s/libuser.so", root);
	make_file(lib_ok, 0644);
	make_file(lib_bad, 0666);   /* anyone may write it: not root's alone */

	if (geteuid() == 0) {
		r = judge(maps_root_code);
		ok(r == 1, "root's 0644 code, a JIT, the vdso and someone's data: trusted (%d)", r);
	} else {
		skip("not root: a file made here is not root's, so no map of it can be trusted");
	}
	r = judge(maps_user_code);
	ok(r == 0, "code from a file others may write: not trusted (%d)", r);
	r = judge(maps_stale_inode);
	ok(r == 0, "a mapping whose inode is not the named file's: not trusted (%d)", r);
	r = judge(maps_deleted);
	ok(r == 0, "code from a deleted file: not trusted (%d)", r);
	r = lrg_procfs_code_trusted(root, 4243);
	ok(r == -ESRCH, "a process that is gone: -ESRCH (%d)", r);

	snprintf(dir, sizeof(dir), "%s/4242/maps", root);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/4242", root);
	rmdir(dir);
	unlink(lib_ok);
	unlink(lib_bad);
	rmdir(root);
	return tap_done();
}
