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

static unsigned int next_map;   /* the fixture's mappings, one range each */

/*
 * A maps line mapping path with perms on device dev (its real one when
 * NULL), suffix after the path; its map_files entry links to target
 * (path when NULL, none when "").
 */
static void map_line(FILE *f, const char *perms, const char *path, const char *dev,
		     const char *suffix, const char *target)
{
	unsigned long long start = 0x7f0000000000ULL + (unsigned long long)next_map++ * 0x1000;
	char link[PATH_MAX * 3], devs[32];
	struct stat st;

	if (stat(path, &st) < 0)
		return;
	snprintf(devs, sizeof(devs), "%02x:%02x", major(st.st_dev), minor(st.st_dev));
	fprintf(f, "%llx-%llx %s 00000000 %s %llu                    %s%s\n", start, start + 0x1000,
		perms, dev ? dev : devs, (unsigned long long)st.st_ino, path, suffix);
	snprintf(link, sizeof(link), "%s/4242/map_files/%llx-%llx", root, start, start + 0x1000);
	if (!target || *target)
		if (symlink(target ? target : path, link) < 0)
			fprintf(stderr, "symlink %s: %s\n", link, strerror(errno));
}

static int judge(void (*write_maps)(FILE *))
{
	char p[PATH_MAX * 3];
	FILE *f;

	snprintf(p, sizeof(p), "rm -rf '%s/4242/map_files' && mkdir '%s/4242/map_files'", root, root);
	if (system(p) != 0)
		return -EIO;
	next_map = 0;

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
	map_line(f, "r-xp", lib_ok, NULL, "", NULL);
	map_line(f, "r--p", lib_bad, NULL, "", NULL);   /* data, not code */
}

static void maps_user_code(FILE *f)
{
	common(f);
	map_line(f, "r-xp", lib_ok, NULL, "", NULL);
	map_line(f, "r-xp", lib_bad, NULL, "", NULL);
}

/* the path now names root's file, the mapping is of the user's */
static void maps_replaced(FILE *f)
{
	map_line(f, "r-xp", lib_ok, NULL, "", lib_bad);
}

/* a library of root's an upgrade deleted while it runs */
static void maps_deleted(FILE *f)
{
	map_line(f, "r-xp", lib_ok, NULL, " (deleted)", NULL);
}

static void maps_no_link(FILE *f)
{
	map_line(f, "r-xp", lib_ok, NULL, "", "");
}

/* root's file, as a FUSE server claims it (mountinfo: 0:99, maps: 00:63, is FUSE) */
static void maps_fuse(FILE *f)
{
	map_line(f, "r-xp", lib_ok, "00:63", "", NULL);
}

static void write_mountinfo(void)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/4242/mountinfo", root);
	f = fopen(p, "w");
	if (!f)
		return;
	fprintf(f, "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
	fprintf(f, "40 22 0:99 / /home/u/mnt rw,nosuid,nodev shared:30 - fuse.sshfs u@h:/ rw,user_id=1000\n");
	fclose(f);
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

	write_mountinfo();
	if (geteuid() == 0) {
		r = judge(maps_root_code);
		ok(r == 1, "root's 0644 code, a JIT, the vdso and someone's data: trusted (%d)", r);
		r = judge(maps_deleted);
		ok(r == 1, "root's library deleted by an upgrade while it runs: trusted (%d)", r);
	} else {
		skip("not root: a file made here is not root's, so no map of it can be trusted");
		skip("not root: a file made here is not root's, so no map of it can be trusted");
	}
	r = judge(maps_user_code);
	ok(r == 0, "code from a file others may write: not trusted (%d)", r);
	r = judge(maps_replaced);
	ok(r == 0, "the path names root's file, the mapping is of the user's: not trusted (%d)", r);
	r = judge(maps_no_link);
	ok(r == 0, "a mapping map_files cannot show: not trusted (%d)", r);
	r = judge(maps_fuse);
	ok(r == 0, "root's file as a FUSE mount claims it: not trusted (%d)", r);
	r = lrg_procfs_code_trusted(root, 4243);
	ok(r == -ESRCH, "a process that is gone: -ESRCH (%d)", r);

	snprintf(dir, sizeof(dir), "rm -rf '%s'", root);
	if (system(dir) != 0)
		diag("could not remove %s", root);
	return tap_done();
}
