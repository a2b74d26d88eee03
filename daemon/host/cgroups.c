// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroups.c - cgroup v2 discovery and memory files (see cgroups.h for why
 * this does not go through libcgroup).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "fileio.h"
#include "procfs.h"

/* Bound the walk: systemd trees are ~6 deep; a loop of bind mounts is not. */
#define CG_MAX_DEPTH 32

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int lrg_cgroup_find_v2_mount(const char *mountinfo_path, char *ret, size_t size)
{
	char *buf, *line, *save = NULL;
	int r = -ENOENT;

	r = lrg_read_file(mountinfo_path, &buf, NULL);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SRC SUPER */
		char *sep = strstr(line, " - ");
		char *f[5], *p = line, *fs;
		int i;

		if (!sep)
			continue;
		*sep = '\0';
		for (i = 0; i < 5; i++) {
			f[i] = strsep(&p, " ");
			if (!f[i])
				break;
		}
		if (i < 5)
			continue;
		fs = sep + 3;
		if (strncmp(fs, "cgroup2 ", 8))
			continue;
		unescape_octal(f[4]);
		if (strlen(f[4]) >= size) {
			r = -ENAMETOOLONG;
			break;
		}
		strcpy(ret, f[4]);
		r = 0;
		break;
	}
	free(buf);
	return r;
}

static int join(char *buf, size_t size, const char *root, const char *path, const char *file)
{
	int n;

	if (!strcmp(path, "/"))
		path = "";
	n = snprintf(buf, size, "%s%s%s%s", root, path, file ? "/" : "", file ? file : "");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Whether a space-separated controller list file names "memory". */
static int file_lists_memory(const char *path)
{
	char buf[1024], *tok, *save = NULL;
	int r;

	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, "memory"))
			return 1;
	return 0;
}

struct cg_vec {
	struct lrg_cgroup_entry *v;
	size_t n, cap;
};

static int vec_push(struct cg_vec *vec, const struct lrg_cgroup_entry *e)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;
		struct lrg_cgroup_entry *nv = realloc(vec->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		vec->v = nv;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *e;
	return 0;
}

/*
 * Memory-enabled cgroups below dirfd (which is `path`). A child has memory
 * files iff its parent's subtree_control enables memory, so the walk stops
 * where they end: nothing deeper can be a memcg.
 */
static int scan_dir(int dfd, const char *path, int depth, struct cg_vec *vec)
{
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > CG_MAX_DEPTH) {
		close(dfd);
		return 0;
	}
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		return r;
	}
	while ((de = readdir(d))) {
		struct lrg_cgroup_entry e = { 0 };
		char sub[PATH_MAX];
		struct stat st;
		int fd, n;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;  /* removed meanwhile, or not a directory */
		if (fstat(fd, &st) < 0 || faccessat(fd, "memory.current", F_OK, 0) < 0) {
			close(fd);
			continue;
		}
		n = snprintf(sub, sizeof(sub), "%s/%s", strcmp(path, "/") ? path : "", de->d_name);
		if (n < 0 || (size_t)n >= sizeof(e.path)) {
			/* lrg_memcg_info.path is 256 bytes: such a cgroup cannot be
			 * named to the policy; its pages count in its parent. */
			close(fd);
			continue;
		}
		e.id = st.st_ino;
		memcpy(e.path, sub, n + 1);
		{
			int m = -1;
			int sfd = openat(fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);

			if (sfd >= 0) {
				char buf[512];
				ssize_t len = read(sfd, buf, sizeof(buf) - 1);

				close(sfd);
				if (len >= 0) {
					buf[len] = '\0';
					m = strstr(buf, "memory") != NULL;
				}
			}
			e.memory_subtree = m > 0;
		}
		r = vec_push(vec, &e);
		if (r < 0) {
			close(fd);
			break;
		}
		if (e.memory_subtree) {
			r = scan_dir(fd, e.path, depth + 1, vec);
			if (r < 0)
				break;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return r;
}

static int cmp_id(const void *a, const void *b)
{
	const struct lrg_cgroup_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int scan(const struct lrg_cgroup_tree *t, struct cg_vec *vec)
{
	struct lrg_cgroup_entry rootent = { 0 };
	char p[PATH_MAX];
	struct stat st;
	int fd, r;

	if (t->global) {
		rootent.id = LRG_ROOT_MEMCG;
		strcpy(rootent.path, "/");
		return vec_push(vec, &rootent);
	}
	fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	rootent.id = st.st_ino;
	strcpy(rootent.path, "/");
	r = join(p, sizeof(p), t->root, "/", "cgroup.subtree_control");
	rootent.memory_subtree = r == 0 && file_lists_memory(p) > 0;
	r = vec_push(vec, &rootent);
	if (r < 0 || !rootent.memory_subtree) {
		close(fd);
		return r;
	}
	r = scan_dir(fd, "/", 1, vec);
	if (r < 0)
		return r;
	qsort(vec->v, vec->n, sizeof(vec->v[0]), cmp_id);
	return 0;
}

int lrg_cgroup_tree_open(const char *cgroup_root, struct lrg_cgroup_tree **ret)
{
	struct lrg_cgroup_tree *t;
	struct cg_vec vec = { 0 };
	char p[PATH_MAX];
	int r;

	if (strlen(cgroup_root) >= sizeof(t->root))
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	strcpy(t->root, cgroup_root);
	/* Strip a trailing slash so paths join as root + "/a/b". */
	if (strlen(t->root) > 1 && t->root[strlen(t->root) - 1] == '/')
		t->root[strlen(t->root) - 1] = '\0';

	r = join(p, sizeof(p), t->root, "/", "cgroup.controllers");
	if (r == 0)
		r = file_lists_memory(p);
	if (r == -ENOENT) {
		t->global = true;
		t->why = "not a cgroup2 mount (v1 or hybrid): one global memory domain";
	} else if (r == 0) {
		t->global = true;
		t->why = "the memory controller is not on this cgroup2 mount (v1 or hybrid): "
			 "one global memory domain";
	} else if (r < 0) {
		free(t);
		return r;
	}
	r = scan(t, &vec);
	if (r < 0) {
		free(vec.v);
		free(t);
		return r;
	}
	t->v = vec.v;
	t->n = vec.n;
	t->cap = vec.cap;
	*ret = t;
	return 0;
}

void lrg_cgroup_tree_free(struct lrg_cgroup_tree *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

int lrg_cgroup_tree_rescan(struct lrg_cgroup_tree *t, lrg_cgroup_change_fn fn, void *ctx)
{
	struct cg_vec vec = { 0 };
	size_t i = 0, j = 0;
	int r;

	r = scan(t, &vec);
	if (r < 0) {
		free(vec.v);
		return r;
	}
	/* Both sorted by id: one merge pass. A removed and recreated cgroup
	 * gets a new inode, hence shows as one removal and one addition. */
	while (fn && (i < t->n || j < vec.n)) {
		if (j == vec.n || (i < t->n && t->v[i].id < vec.v[j].id)) {
			r = fn(ctx, &t->v[i++], false);
		} else if (i == t->n || vec.v[j].id < t->v[i].id) {
			r = fn(ctx, &vec.v[j++], true);
		} else if (strcmp(t->v[i].path, vec.v[j].path)) {
			/* the same id under another name: a different cgroup
			 * (inode numbers may be reused off cgroupfs) */
			r = fn(ctx, &t->v[i++], false);
			if (r >= 0)
				r = fn(ctx, &vec.v[j++], true);
		} else {
			i++;
			j++;
		}
		if (r < 0)
			break;
	}
	free(t->v);
	t->v = vec.v;
	t->n = vec.n;
	t->cap = vec.cap;
	return r < 0 ? r : 0;
}

const struct lrg_cgroup_entry *lrg_cgroup_tree_find(const struct lrg_cgroup_tree *t, uint64_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].id == id)
			return &t->v[mid];
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct lrg_cgroup_entry *lrg_cgroup_tree_find_path(const struct lrg_cgroup_tree *t,
							 const char *path)
{
	if (!*path)
		path = "/";
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].path, path))
			return &t->v[i];
	return NULL;
}

uint64_t lrg_cgroup_tree_memcg_of(const struct lrg_cgroup_tree *t, const char *path)
{
	char p[256];
	size_t len;

	if (t->global)
		return LRG_ROOT_MEMCG;
	len = strlen(path);
	if (len >= sizeof(p))
		len = sizeof(p) - 1;
	memcpy(p, path, len);
	p[len] = '\0';
	for (;;) {
		const struct lrg_cgroup_entry *e = lrg_cgroup_tree_find_path(t, p);
		char *slash;

		if (e)
			return e->id;
		slash = strrchr(p, '/');
		if (!slash || slash == p) {
			e = lrg_cgroup_tree_find_path(t, "/");
			return e ? e->id : LRG_ROOT_MEMCG;
		}
		*slash = '\0';
	}
}

static int read_u64_file(const char *root, const char *path, const char *file, uint64_t *ret)
{
	char p[PATH_MAX], buf[64];
	int r;

	r = join(p, sizeof(p), root, path, file);
	if (r < 0)
		return r;
	r = lrg_read_file_buf(p, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	return lrg_parse_u64_max(buf, ret);
}

static int count_lines(const char *root, const char *path, const char *file)
{
	char p[PATH_MAX], *buf;
	int r, n = 0;

	r = join(p, sizeof(p), root, path, file);
	if (r < 0)
		return r;
	r = lrg_read_file(p, &buf, NULL);
	if (r < 0)
		return r;
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			n++;
	free(buf);
	return n;
}

int lrg_cgroup_read_info(const char *cgroup_root, const char *path, struct lrg_memcg_info *info)
{
	static const struct {
		const char *file;
		size_t off;
		uint64_t dflt;   /* when absent (the root cgroup, no swap) */
	} files[] = {
		{ "memory.current", offsetof(struct lrg_memcg_info, current), 0 },
		{ "memory.min", offsetof(struct lrg_memcg_info, min), 0 },
		{ "memory.low", offsetof(struct lrg_memcg_info, low), 0 },
		{ "memory.high", offsetof(struct lrg_memcg_info, high), UINT64_MAX },
		{ "memory.max", offsetof(struct lrg_memcg_info, max), UINT64_MAX },
		{ "memory.swap.current", offsetof(struct lrg_memcg_info, swap_current), 0 },
		{ "memory.swap.max", offsetof(struct lrg_memcg_info, swap_max), UINT64_MAX },
	};
	struct lrg_memcg_info mi = *info;
	struct lrg_vmstat vs;
	int r;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		uint64_t *f = (uint64_t *)((char *)&mi + files[i].off);

		r = read_u64_file(cgroup_root, path, files[i].file, f);
		if (r == -ENOENT && i > 0)
			*f = files[i].dflt;
		else if (r == -ENOENT && strcmp(path, "/"))
			return -ENOENT; /* gone, or not a memcg */
		else if (r == -ENOENT)
			*f = 0;
		else if (r < 0)
			return r;
	}
	r = lrg_cgroup_read_stat(cgroup_root, path, &vs);
	if (r < 0 && r != -ENOENT)
		return r;
	mi.anon = r < 0 ? 0 : vs.anon;
	mi.file = r < 0 ? 0 : vs.file;
	r = count_lines(cgroup_root, path, "cgroup.procs");
	mi.nr_procs = r < 0 ? 0 : r;
	*info = mi;
	return 0;
}

int lrg_cgroup_read_stat(const char *cgroup_root, const char *path, struct lrg_vmstat *ret)
{
	char p[PATH_MAX], *buf;
	struct lrg_vmstat vs;
	int r;

	r = join(p, sizeof(p), cgroup_root, path, "memory.stat");
	if (r < 0)
		return r;
	r = lrg_read_file(p, &buf, NULL);
	if (r < 0)
		return r;
	r = lrg_parse_vmstat(buf, &vs);
	free(buf);
	if (r < 0)
		return r;
	/* memory.stat has no oom_kill: it is in memory.events ("oom_kill N"). */
	r = join(p, sizeof(p), cgroup_root, path, "memory.events");
	if (r == 0 && lrg_read_file(p, &buf, NULL) == 0) {
		struct lrg_vmstat ev;

		if (lrg_parse_vmstat(buf, &ev) == 0)
			vs.oom_kill = ev.oom_kill;
		free(buf);
	}
	*ret = vs;
	return 0;
}

int lrg_cgroup_read_pressure(const char *cgroup_root, const char *path, struct lrg_psi *ret)
{
	char p[PATH_MAX];
	int r;

	r = join(p, sizeof(p), cgroup_root, path, "memory.pressure");
	if (r < 0)
		return r;
	return lrg_read_psi(p, ret);
}

static int pids_of(const char *dir, lrg_pid_fn fn, void *ctx)
{
	char p[PATH_MAX], *buf, *line, *save = NULL;
	int r;

	if (snprintf(p, sizeof(p), "%s/cgroup.procs", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	r = lrg_read_file(p, &buf, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e;
		long pid = strtol(line, &e, 10);

		if (pid <= 0 || *e)
			continue;
		r = fn(ctx, (pid_t)pid);
		if (r < 0)
			break;
	}
	free(buf);
	return r < 0 ? r : 0;
}

static int pids_rec(const char *dir, int depth, lrg_pid_fn fn, void *ctx)
{
	struct dirent *de;
	DIR *d;
	int r;

	r = pids_of(dir, fn, ctx);
	if (r < 0 || depth > CG_MAX_DEPTH)
		return r == -ENOENT ? 0 : r;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		r = pids_rec(sub, depth + 1, fn, ctx);
		if (r < 0 && r != -ENOENT && r != -ENOTDIR)
			break;
		r = 0;
	}
	closedir(d);
	return r;
}

int lrg_cgroup_for_each_pid(const char *cgroup_root, const char *path, bool recursive,
			    lrg_pid_fn fn, void *ctx)
{
	char dir[PATH_MAX];
	int r;

	r = join(dir, sizeof(dir), cgroup_root, path, NULL);
	if (r < 0)
		return r;
	return recursive ? pids_rec(dir, 0, fn, ctx) : pids_of(dir, fn, ctx);
}

int lrg_cgroup_reclaim(const char *cgroup_root, const char *path, uint64_t bytes)
{
	char p[PATH_MAX], cmd[32];
	int r;

	r = join(p, sizeof(p), cgroup_root, path, "memory.reclaim");
	if (r < 0)
		return r;
	snprintf(cmd, sizeof(cmd), "%" PRIu64, bytes);
	r = lrg_write_file(p, cmd);
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

int lrg_cgroup_kill(const char *cgroup_root, const char *path)
{
	char p[PATH_MAX];
	int r;

	r = join(p, sizeof(p), cgroup_root, path, "cgroup.kill");
	if (r < 0)
		return r;
	r = lrg_write_file(p, "1");
	return r == -ENOENT ? -EOPNOTSUPP : r;
}
