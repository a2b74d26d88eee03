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
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "cgroup_kept.h"
#include "cgroup_watch.h"
#include "cgroups.h"
#include "clock.h"
#include "fileio.h"
#include "procfs.h"
#include "util.h"

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

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* A cgroup that vanished between readdir and open is gone, not skipped. */
static bool is_gone(int r)
{
	return r == -ENOENT || r == -ENOTDIR;
}

/* Whether a space-separated controller list names "memory". */
static bool lists_memory(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t len;

		p += strspn(p, " \n");
		len = strcspn(p, " \n");
		if (len == 6 && !memcmp(p, "memory", 6))
			return true;
		p += len;
	}
	return false;
}

/* 1 when the controller list file name (in the directory open at dirfd)
 * names memory, 0 when not, or a negative errno. */
static int file_lists_memory_at(int dirfd, const char *name)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = lrg_read_file_at(dirfd, name, &text, NULL);
	if (r < 0)
		return r;
	return lists_memory(text);
}

/*
 * One scan: the entries and their paths, back to back in names. While the
 * walk appends, names may move, so an entry knows its path by offset; the
 * pointers are set when the scan is complete. Kept for the scan after the
 * next, so a rescan allocates only when the tree has grown.
 */
struct cg_list {
	struct lrg_cgroup_entry *v;
	size_t *off;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	size_t nr_skipped;
};

struct cg_tree {
	struct lrg_cgroup_tree pub;     /* first: what callers see */
	struct cg_list list[2];         /* the current scan and the spare */
	unsigned int cur;
	char *dents;                    /* getdents64 buffer */
	struct lrg_cgroup_watch *watch; /* NULL: not watched, every rescan walks */
	uint64_t walked_ms;             /* the last walk (CLOCK_MONOTONIC) */
	uint64_t unwatched_ms;          /* when the watch was given up (0: never) */
	/* what a drain outside a rescan found, for the next rescan */
	bool reshape_due, lost_due;
	bool keeps_files;               /* on cgroupfs: busy files are kept open */
};

/* Large enough for a few hundred names per call; any directory is read in
 * as many calls as it takes. */
#define DENTS_SIZE (32U << 10)

static struct cg_tree *to_ct(struct lrg_cgroup_tree *t)
{
	return (struct cg_tree *)t;
}

static int list_reserve(struct cg_list *l, size_t name_bytes)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct lrg_cgroup_entry *v = realloc(l->v, cap * sizeof(*v));
		size_t *off;

		if (!v)
			return -ENOMEM;
		l->v = v;
		off = realloc(l->off, cap * sizeof(*off));
		if (!off)
			return -ENOMEM;
		l->off = off;
		l->cap = cap;
	}
	if (l->names_cap - l->names_len < name_bytes) {
		size_t cap = l->names_cap ? l->names_cap : 4096;
		char *names;

		while (cap - l->names_len < name_bytes)
			cap *= 2;
		names = realloc(l->names, cap);
		if (!names)
			return -ENOMEM;
		l->names = names;
		l->names_cap = cap;
	}
	return 0;
}

/*
 * Append the cgroup name below the entry at index parent (the root itself
 * when name is NULL). -ENAMETOOLONG when its path would not fit in
 * LRG_CGROUP_PATH_MAX: the kernel could not open its files by name.
 */
static int list_add(struct cg_list *l, uint64_t id, size_t parent, const char *name,
		    bool memory_subtree)
{
	size_t plen = 0, nlen = 0, need;
	char *dst;
	int r;

	if (name) {
		plen = parent ? strlen(l->names + l->off[parent]) : 0;
		nlen = strlen(name);
	}
	need = name ? plen + 1 + nlen + 1 : 2;
	if (need > LRG_CGROUP_PATH_MAX)
		return -ENAMETOOLONG;
	r = list_reserve(l, need);
	if (r < 0)
		return r;
	dst = l->names + l->names_len;
	if (name) {
		memcpy(dst, l->names + l->off[parent], plen);
		dst[plen] = '/';
		memcpy(dst + plen + 1, name, nlen + 1);
	} else {
		strcpy(dst, "/");
	}
	l->off[l->n] = l->names_len;
	l->v[l->n] = (struct lrg_cgroup_entry){ .id = id, .memory_subtree = memory_subtree };
	l->names_len += need;
	l->n++;
	return 0;
}

/* Watches run out (fs.inotify.max_user_watches) or their events cannot be
 * read: the tree is walked on every rescan from now on, as unwatched. */
static void unwatch(struct cg_tree *ct)
{
	lrg_cgroup_watch_free(ct->watch);
	ct->watch = NULL;
	ct->pub.watched = false;
	ct->unwatched_ms = lrg_mono_ms();
}

/* Follow the tree with inotify from the next walk on; false without it
 * (the tree is then walked each time). */
static bool start_watch(struct cg_tree *ct)
{
	if (ct->pub.global || lrg_cgroup_watch_new(&ct->watch) < 0)
		return false;
	ct->pub.watched = true;
	return true;
}

/* A watch given up is tried again on the walk's period: the thousands of
 * cgroups that spent the watches may be gone. */
static bool rewatch(struct cg_tree *ct, uint64_t now)
{
	if (ct->watch || !ct->unwatched_ms || now < ct->unwatched_ms ||
	    now - ct->unwatched_ms < LRG_CGROUP_REWALK_MS)
		return false;
	ct->unwatched_ms = now;
	return start_watch(ct);   /* nothing is watched until the next walk */
}

static void watch_cgroup(struct cg_tree *ct, int fd, uint64_t id)
{
	if (ct->watch && lrg_cgroup_watch_add(ct->watch, fd, id) < 0)
		unwatch(ct);
}

/*
 * The subdirectory name of the cgroup at index parent (open at dfd): a
 * memcg when it has memory files. What cannot be read is counted.
 */
static int add_child(struct cg_tree *ct, struct cg_list *l, int dfd, size_t parent,
		     const char *name)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		l->nr_skipped += !is_gone(-errno);
		return 0;
	}
	/* A child has memory files iff its parent's subtree_control enables
	 * memory; without them nothing below it can be a memcg either. */
	if (faccessat(fd, "memory.current", F_OK, 0) < 0) {
		l->nr_skipped += !is_gone(-errno);
		return 0;
	}
	r = file_lists_memory_at(fd, "cgroup.subtree_control");
	r = list_add(l, st.st_ino, parent, name, r > 0);
	if (r == -ENAMETOOLONG) {
		l->nr_skipped++;
		return 0;
	}
	if (r == 0)
		watch_cgroup(ct, fd, st.st_ino);
	return r;
}

/* The children of the memcg at index i, appended to l. rfd: the root. */
static int scan_children(struct cg_tree *ct, struct cg_list *l, int rfd, size_t i)
{
	_cleanup_close_ int dfd = -1;
	ssize_t n;
	int r;

	/* Opened by its path below the root: no fd is held per level. */
	dfd = openat(rfd, i ? l->names + l->off[i] + 1 : ".",
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		l->nr_skipped += !is_gone(-errno);
		return 0;
	}
	while ((n = getdents64(dfd, ct->dents, DENTS_SIZE)) > 0) {
		for (ssize_t pos = 0; pos < n;) {
			struct dirent64 *de = (struct dirent64 *)(ct->dents + pos);

			pos += de->d_reclen;
			/* Any other name, hidden ones included, is a cgroup. */
			if (is_dot_or_dotdot(de->d_name) ||
			    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
				continue;
			r = add_child(ct, l, dfd, i, de->d_name);
			if (r < 0)
				return r;
		}
	}
	if (n < 0)
		l->nr_skipped += !is_gone(-errno);
	return 0;
}

static void sift_down(struct lrg_cgroup_entry *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct lrg_cgroup_entry tmp;

		if (c >= n)
			return;
		if (c + 1 < n && v[c + 1].id > v[c].id)
			c++;
		if (v[i].id >= v[c].id)
			return;
		tmp = v[i];
		v[i] = v[c];
		v[c] = tmp;
		i = c;
	}
}

/* Heapsort by id: in place, for glibc's qsort may allocate. */
static void sort_by_id(struct lrg_cgroup_entry *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		struct lrg_cgroup_entry tmp = v[0];

		v[0] = v[end];
		v[end] = tmp;
		sift_down(v, 0, end);
	}
}

/* Scan the memory cgroups into l, from scratch. */
static int scan(struct cg_tree *ct, struct cg_list *l)
{
	const struct lrg_cgroup_tree *t = &ct->pub;
	_cleanup_close_ int rfd = -1;
	struct stat st;
	int r;

	l->n = l->names_len = l->nr_skipped = 0;
	if (t->global) {
		r = list_add(l, LRG_ROOT_MEMCG, 0, NULL, false);
	} else {
		rfd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rfd < 0 || fstat(rfd, &st) < 0)
			return -errno;
		if (ct->watch)
			lrg_cgroup_watch_begin_walk(ct->watch);
		r = list_add(l, st.st_ino, 0, NULL,
			     file_lists_memory_at(rfd, "cgroup.subtree_control") > 0);
		if (r == 0)
			watch_cgroup(ct, rfd, st.st_ino);
	}
	/* Breadth first: the list is its own queue, so no tree is too deep. */
	for (size_t i = 0; r == 0 && i < l->n; i++)
		if (l->v[i].memory_subtree)
			r = scan_children(ct, l, rfd, i);
	if (r < 0) {
		/* what was watched so far stays findable until the next walk */
		if (ct->watch)
			lrg_cgroup_watch_end_walk(ct->watch);
		return r;
	}
	for (size_t i = 0; i < l->n; i++) {
		l->v[i].path = l->names + l->off[i];
		l->v[i].memo.stale = true;
	}
	sort_by_id(l->v, l->n);
	if (ct->watch)
		lrg_cgroup_watch_end_walk(ct->watch);
	return 0;
}

/* What the last walk knew of each cgroup that is still there under the
 * same name, for a walk that only followed a change of shape. Both lists
 * are sorted by id. */
static void carry_over(struct cg_list *old, struct cg_list *new)
{
	size_t i = 0;

	for (size_t j = 0; j < new->n; j++) {
		struct lrg_cgroup_entry *e = &new->v[j];

		while (i < old->n && old->v[i].id < e->id)
			i++;
		if (i < old->n && old->v[i].id == e->id && !strcmp(old->v[i].path, e->path)) {
			e->memo = old->v[i].memo;
			/* its open files go with it */
			old->v[i].memo.kept.open = 0;
		}
	}
}

/* The files still kept by a list about to be left: of cgroups gone, or
 * of every cgroup when a periodic walk starts afresh. */
static void close_kept(struct cg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		lrg_cgroup_kept_close(&l->v[i].memo.kept);
}

static void publish(struct cg_tree *ct)
{
	const struct cg_list *l = &ct->list[ct->cur];

	ct->pub.v = l->v;
	ct->pub.n = l->n;
	ct->pub.nr_skipped = l->nr_skipped;
}

static void tree_freep(struct cg_tree **ctp)
{
	struct cg_tree *ct = *ctp;

	if (!ct)
		return;
	lrg_cgroup_watch_free(ct->watch);
	for (int i = 0; i < 2; i++) {
		close_kept(&ct->list[i]);
		free(ct->list[i].v);
		free(ct->list[i].off);
		free(ct->list[i].names);
	}
	free(ct->dents);
	free(ct->pub.root);
	free(ct);
}

/* 1 when the cgroup2 mount at root has the memory controller, 0 when not,
 * -ENOENT when root is no cgroup2 mount, or another negative errno. */
static int root_has_memory(const char *root)
{
	_cleanup_close_ int rfd = -1;

	rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	return file_lists_memory_at(rfd, "cgroup.controllers");
}

/* cgroupfs itself, where a removed cgroup's open file reads ENODEV (not a
 * fixture tree, whose unlinked files still read) */
static bool on_cgroupfs(const char *root)
{
	struct statfs sf;

	return statfs(root, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int lrg_cgroup_tree_open(const char *cgroup_root, struct lrg_cgroup_tree **ret)
{
	_cleanup_(tree_freep) struct cg_tree *ct = NULL;
	size_t len;
	int r;

	ct = calloc(1, sizeof(*ct));
	if (!ct)
		return -ENOMEM;
	ct->pub.root = strdup(cgroup_root);
	ct->dents = malloc(DENTS_SIZE);
	if (!ct->pub.root || !ct->dents)
		return -ENOMEM;
	/* Strip a trailing slash so paths join as root + "/a/b". */
	len = strlen(ct->pub.root);
	if (len > 1 && ct->pub.root[len - 1] == '/')
		ct->pub.root[len - 1] = '\0';

	r = root_has_memory(ct->pub.root);
	if (r == -ENOENT) {
		ct->pub.global = true;
		ct->pub.why = "not a cgroup2 mount (v1 or hybrid): one global memory domain";
	} else if (r == 0) {
		ct->pub.global = true;
		ct->pub.why = "the memory controller is not on this cgroup2 mount (v1 or hybrid): "
			      "one global memory domain";
	} else if (r < 0) {
		return r;
	}
	ct->keeps_files = on_cgroupfs(ct->pub.root);
	/* without inotify (or watches to spare) the tree is walked each time */
	start_watch(ct);
	r = scan(ct, &ct->list[0]);
	if (r < 0)
		return r;
	ct->walked_ms = lrg_mono_ms();
	publish(ct);
	*ret = &TAKE_PTR(ct)->pub;
	return 0;
}

void lrg_cgroup_tree_free(struct lrg_cgroup_tree *t)
{
	struct cg_tree *ct = t ? to_ct(t) : NULL;

	tree_freep(&ct);
}

/* Both lists sorted by id: one merge pass. A removed and recreated cgroup
 * gets a new inode, hence shows as one removal and one addition. */
static int report_changes(const struct cg_list *old, const struct cg_list *new,
			  lrg_cgroup_change_fn fn, void *ctx)
{
	size_t i = 0, j = 0;
	int r = 0;

	while (r >= 0 && (i < old->n || j < new->n)) {
		if (j == new->n || (i < old->n && old->v[i].id < new->v[j].id)) {
			r = fn(ctx, &old->v[i++], false);
		} else if (i == old->n || new->v[j].id < old->v[i].id) {
			r = fn(ctx, &new->v[j++], true);
		} else if (strcmp(old->v[i].path, new->v[j].path)) {
			/* the same id under another name: a different cgroup
			 * (inode numbers may be reused off cgroupfs) */
			r = fn(ctx, &old->v[i++], false);
			if (r >= 0)
				r = fn(ctx, &new->v[j++], true);
		} else {
			i++;
			j++;
		}
	}
	return r < 0 ? r : 0;
}

static struct lrg_cgroup_entry *find_entry(struct lrg_cgroup_tree *t, uint64_t id)
{
	return (struct lrg_cgroup_entry *)lrg_cgroup_tree_find(t, id);
}

/* The kept files of the tree's cgroup e, or NULL: opened per read. */
static struct lrg_cgroup_kept *kept_of(struct lrg_cgroup_tree *t, struct lrg_cgroup_entry *e)
{
	return to_ct(t)->keeps_files && !e->memo.idle ? &e->memo.kept : NULL;
}

void lrg_cgroup_tree_mark_stale(struct lrg_cgroup_tree *t, uint64_t id)
{
	struct lrg_cgroup_entry *e = find_entry(t, id);

	if (e)
		e->memo.stale = true;
}

/* A cgroup's file written: one of the limits the tree remembers. */
static bool is_limit_file(const char *name)
{
	return name && (!strcmp(name, "memory.low") || !strcmp(name, "memory.high") ||
			!strcmp(name, "memory.max") || !strcmp(name, "memory.swap.max"));
}

static void mark_changed(void *ctx, uint64_t id, const char *name)
{
	struct lrg_cgroup_entry *e = find_entry(ctx, id);

	if (!e)
		return;
	e->memo.stale = true;
	if (is_limit_file(name))
		e->memo.limits_ms = 0;   /* read again at the next read */
}

/*
 * Take the watch's pending events: the cgroups they name are read again,
 * their limits too when one was written; a change of shape or lost events
 * are kept for the next rescan. A failed watch is given up.
 */
static void drain_watch(struct cg_tree *ct)
{
	bool reshaped = false;
	int r;

	if (!ct->watch)
		return;
	r = lrg_cgroup_watch_drain(ct->watch, mark_changed, &ct->pub, &reshaped);
	if (r < 0) {
		unwatch(ct);
		return;
	}
	ct->reshape_due = ct->reshape_due || reshaped;
	ct->lost_due = ct->lost_due || r > 0;
}

int lrg_cgroup_tree_rescan(struct lrg_cgroup_tree *t, lrg_cgroup_change_fn fn, void *ctx)
{
	struct cg_tree *ct = to_ct(t);
	unsigned int next = !ct->cur;
	uint64_t now = lrg_mono_ms();
	bool reshaped, lost, periodic;
	int r;

	drain_watch(ct);
	reshaped = ct->reshape_due;
	lost = ct->lost_due;
	ct->reshape_due = ct->lost_due = false;
	periodic = rewatch(ct, now) || lost || !ct->watch || now < ct->walked_ms ||
		   now - ct->walked_ms >= LRG_CGROUP_REWALK_MS;
	if (!reshaped && !periodic)
		return 0;
	r = scan(ct, &ct->list[next]);
	if (r < 0) {
		/* the walk is owed still */
		ct->reshape_due = reshaped;
		ct->lost_due = lost;
		return r;
	}
	/* a walk on its period re-reads every cgroup: it is the net under
	 * whatever the events missed */
	if (!periodic)
		carry_over(&ct->list[ct->cur], &ct->list[next]);
	else
		ct->walked_ms = now;   /* a walk for a change of shape does not put it off */
	r = fn ? report_changes(&ct->list[ct->cur], &ct->list[next], fn, ctx) : 0;
	close_kept(&ct->list[ct->cur]);
	ct->cur = next;
	publish(ct);
	return r;
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

/* The entry whose path is the first len bytes of path. */
static const struct lrg_cgroup_entry *find_path_n(const struct lrg_cgroup_tree *t,
						  const char *path, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strncmp(t->v[i].path, path, len) && t->v[i].path[len] == '\0')
			return &t->v[i];
	return NULL;
}

const struct lrg_cgroup_entry *lrg_cgroup_tree_find_path(const struct lrg_cgroup_tree *t,
							 const char *path)
{
	if (!*path)
		path = "/";
	return find_path_n(t, path, strlen(path));
}

uint64_t lrg_cgroup_tree_memcg_of(const struct lrg_cgroup_tree *t, const char *path)
{
	const struct lrg_cgroup_entry *e;
	size_t len = strlen(path);

	if (t->global)
		return LRG_ROOT_MEMCG;
	/* path, then each ancestor: cut at the last '/' each time */
	while (len > 1) {
		e = find_path_n(t, path, len);
		if (e)
			return e->id;
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len > 0)
			len--;
	}
	e = lrg_cgroup_tree_find_path(t, "/");
	return e ? e->id : LRG_ROOT_MEMCG;
}

/* k, when not NULL: the cgroup's kept files, file being its which */
static int read_u64_kept(const char *root, const char *path, const char *file, uint64_t *ret,
			 struct lrg_cgroup_kept *k, int which)
{
	char p[PATH_MAX], buf[64];
	int r;

	r = join(p, sizeof(p), root, path, file);
	if (r < 0)
		return r;
	if (k && which >= 0)
		r = lrg_cgroup_kept_read(k, (enum lrg_cgroup_kept_file)which, p, buf, sizeof(buf), NULL);
	else
		r = lrg_read_file_buf(p, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	return lrg_parse_u64_max(buf, ret);
}

static int read_u64_file(const char *root, const char *path, const char *file, uint64_t *ret)
{
	return read_u64_kept(root, path, file, ret, NULL, -1);
}

/* Below this much charged, a cgroup without processes is idle. */
#define IDLE_BYTES (1ULL << 20)

/* No process in the cgroup or below it (cgroup.events "populated 0");
 * false when that cannot be read. */
static bool unpopulated(const char *root, const char *path)
{
	char p[PATH_MAX], buf[256];

	if (join(p, sizeof(p), root, path, "cgroup.events") < 0 ||
	    lrg_read_file_buf(p, buf, sizeof(buf), NULL) < 0)
		return false;
	return !strncmp(buf, "populated 0", 11) || strstr(buf, "\npopulated 0");
}

/* An idle cgroup's info: its charge and memory.min, limits as max, no
 * process (see read_idle_info). */
static void fill_idle(struct lrg_memcg_info *mi, uint64_t current, uint64_t min)
{
	mi->current = current;
	mi->min = min;
	mi->idle = true;
	mi->low = 0;
	mi->high = mi->max = mi->swap_max = UINT64_MAX;
	mi->swap_current = 0;
	mi->anon = 0;
	mi->file = mi->current;
}

/*
 * An idle cgroup (no process in its subtree, next to nothing charged):
 * only its memory.min, which lrugend must give back as it found it, is
 * read; no limit binds what nothing charges to, and no process is there
 * to list. A user's thousand empty cgroups then cost three reads each
 * when read instead of eleven, and none between changes on a watched
 * tree (lrg_cgroup_tree_read_info).
 */
static bool read_idle_info(const char *root, const char *path, struct lrg_memcg_info *mi)
{
	uint64_t min;

	if (mi->current >= IDLE_BYTES || !strcmp(path, "/") || !unpopulated(root, path))
		return false;
	if (read_u64_file(root, path, "memory.min", &min) < 0)
		return false;
	fill_idle(mi, mi->current, min);
	return true;
}

/* A file of "key value" lines (memory.stat, memory.events). */
static int read_vmstat_file(const char *root, const char *path, const char *file,
			    struct lrg_vmstat *ret)
{
	char p[PATH_MAX], *buf;
	int r;

	r = join(p, sizeof(p), root, path, file);
	if (r < 0)
		return r;
	r = lrg_read_file(p, &buf, NULL);
	if (r < 0)
		return r;
	r = lrg_parse_vmstat(buf, ret);
	free(buf);
	return r;
}

/* memory.stat is about 2 KiB on 6.12 */
#define STAT_BYTES 8192

/* A file of "key value" lines through k's kept file (which); one larger
 * than STAT_BYTES is read as read_vmstat_file does. */
static int read_vmstat_kept(const char *root, const char *path, const char *file,
			    struct lrg_vmstat *ret, struct lrg_cgroup_kept *k,
			    enum lrg_cgroup_kept_file which)
{
	char p[PATH_MAX], buf[STAT_BYTES];
	int r;

	if (!k)
		return read_vmstat_file(root, path, file, ret);
	r = join(p, sizeof(p), root, path, file);
	if (r < 0)
		return r;
	r = lrg_cgroup_kept_read(k, which, p, buf, sizeof(buf), NULL);
	if (r == -EFBIG)
		return read_vmstat_file(root, path, file, ret);
	return r < 0 ? r : lrg_parse_vmstat(buf, ret);
}

static int read_stat_kept(const char *root, const char *path, struct lrg_vmstat *ret,
			  struct lrg_cgroup_kept *k)
{
	return read_vmstat_kept(root, path, "memory.stat", ret, k, LRG_KEPT_STAT);
}

static const struct info_file {
	const char *file;
	size_t off;
	uint64_t dflt;   /* when absent (the root cgroup, no swap) */
	bool limit;      /* one of the limits a tree remembers */
	int kept;        /* its enum lrg_cgroup_kept_file, or -1: opened per read */
} info_files[] = {
	{ "memory.current", offsetof(struct lrg_memcg_info, current), 0, false, LRG_KEPT_CURRENT },
	{ "memory.min", offsetof(struct lrg_memcg_info, min), 0, false, LRG_KEPT_MIN },
	{ "memory.low", offsetof(struct lrg_memcg_info, low), 0, true, -1 },
	{ "memory.high", offsetof(struct lrg_memcg_info, high), UINT64_MAX, true, -1 },
	{ "memory.max", offsetof(struct lrg_memcg_info, max), UINT64_MAX, true, -1 },
	{ "memory.swap.current", offsetof(struct lrg_memcg_info, swap_current), 0, false,
	  LRG_KEPT_SWAP_CURRENT },
	{ "memory.swap.max", offsetof(struct lrg_memcg_info, swap_max), UINT64_MAX, true, -1 },
};

static void limits_from_memo(struct lrg_memcg_info *mi, const struct lrg_cgroup_memo *m)
{
	mi->low = m->low;
	mi->high = m->high;
	mi->max = m->max;
	mi->swap_max = m->swap_max;
}

static void limits_to_memo(struct lrg_cgroup_memo *m, const struct lrg_memcg_info *mi,
			   uint64_t now_ms)
{
	m->low = mi->low;
	m->high = mi->high;
	m->max = mi->max;
	m->swap_max = mi->swap_max;
	m->limits_ms = now_ms ? now_ms : 1;
}

/* read_info with the limits read only when known is NULL, else taken
 * from it (see lrg_cgroup_tree_read_info), the busy files through k when
 * not NULL. */
static int read_info(const char *cgroup_root, const char *path, struct lrg_memcg_info *info,
		     const struct lrg_cgroup_memo *known, struct lrg_cgroup_kept *k)
{
	struct lrg_memcg_info mi = *info;
	struct lrg_vmstat vs;
	int r;

	mi.idle = false;
	for (size_t i = 0; i < sizeof(info_files) / sizeof(info_files[0]); i++) {
		const struct info_file *f = &info_files[i];
		uint64_t *v = (uint64_t *)((char *)&mi + f->off);

		if (f->limit && known)
			continue;
		r = read_u64_kept(cgroup_root, path, f->file, v, k, f->kept);
		if (r == -ENOENT && i > 0)
			*v = f->dflt;
		else if (r == -ENOENT && strcmp(path, "/"))
			return -ENOENT; /* gone, or not a memcg */
		else if (r == -ENOENT)
			*v = 0;
		else if (r < 0)
			return r;
		if (i == 0 && read_idle_info(cgroup_root, path, &mi)) {
			*info = mi;
			return 0;
		}
	}
	if (known)
		limits_from_memo(&mi, known);
	/* memory.stat alone: the oom_kill of memory.events is not part of
	 * the info */
	r = read_stat_kept(cgroup_root, path, &vs, k);
	if (r < 0 && r != -ENOENT)
		return r;
	mi.anon = r < 0 ? 0 : vs.anon;
	mi.file = r < 0 ? 0 : vs.file;
	*info = mi;
	return 0;
}

int lrg_cgroup_read_info(const char *cgroup_root, const char *path, struct lrg_memcg_info *info)
{
	return read_info(cgroup_root, path, info, NULL, NULL);
}

/* Limits remembered are good only while inotify would say they changed. */
static bool limits_fresh(const struct lrg_cgroup_tree *t, const struct lrg_cgroup_memo *m,
			 uint64_t now_ms)
{
	return t->watched && m->limits_ms && now_ms >= m->limits_ms &&
	       now_ms - m->limits_ms < LRG_CGROUP_LIMITS_TTL_MS;
}

int lrg_cgroup_tree_read_info(struct lrg_cgroup_tree *t, size_t i, struct lrg_memcg_info *info,
			      uint64_t now_ms)
{
	struct lrg_cgroup_memo *m = &t->v[i].memo;
	/* the listing's rescan took the watch's events just before */
	bool fresh = limits_fresh(t, m, now_ms);
	int r;

	if (t->watched && m->idle && !m->stale) {
		fill_idle(info, m->idle_current, m->idle_min);
		return 0;
	}
	r = read_info(t->root, t->v[i].path, info, fresh ? m : NULL,
		      to_ct(t)->keeps_files ? &m->kept : NULL);
	/* a cgroup gone or idle keeps nothing open */
	if (r < 0 || info->idle)
		lrg_cgroup_kept_close(&m->kept);
	if (r < 0)
		return r;
	m->stale = false;
	m->idle = info->idle;
	m->idle_current = info->current;
	m->idle_min = info->min;
	/* an idle cgroup's limits were not read (fill_idle) */
	if (!info->idle && !fresh)
		limits_to_memo(m, info, now_ms);
	return 0;
}

int lrg_cgroup_tree_read_usage(struct lrg_cgroup_tree *t, uint64_t id, uint64_t now_ms,
			       uint64_t *ret_current, uint64_t *ret_limit)
{
	struct lrg_cgroup_entry *e;
	struct lrg_memcg_info mi;
	int r;

	/* a limit written since the last listing is read now */
	drain_watch(to_ct(t));
	e = find_entry(t, id);
	if (!e)
		return -ENOENT;
	if (!limits_fresh(t, &e->memo, now_ms)) {
		memset(&mi, 0, sizeof(mi));
		r = read_info(t->root, e->path, &mi, NULL, NULL);
		if (r < 0)
			return r;
		if (mi.idle) {
			/* no limit was read: idle, nothing binds */
			mi.high = mi.max = UINT64_MAX;
		} else {
			limits_to_memo(&e->memo, &mi, now_ms);
		}
		*ret_current = mi.current;
		*ret_limit = mi.high < mi.max ? mi.high : mi.max;
		return 0;
	}
	r = read_u64_kept(t->root, e->path, "memory.current", ret_current, kept_of(t, e),
			  LRG_KEPT_CURRENT);
	if (r < 0)
		return r;
	*ret_limit = e->memo.high < e->memo.max ? e->memo.high : e->memo.max;
	return 0;
}

/* lrg_cgroup_read_stat, through k's kept files when not NULL */
static int read_stat_events(const char *cgroup_root, const char *path, bool with_events,
			    struct lrg_vmstat *ret, struct lrg_cgroup_kept *k)
{
	struct lrg_vmstat vs, ev;
	int r;

	r = read_stat_kept(cgroup_root, path, &vs, k);
	if (r < 0)
		return r;
	/* memory.stat has no oom_kill: it is in memory.events ("oom_kill N"). */
	if (with_events &&
	    read_vmstat_kept(cgroup_root, path, "memory.events", &ev, k, LRG_KEPT_EVENTS) == 0)
		vs.oom_kill = ev.oom_kill;
	*ret = vs;
	return 0;
}

int lrg_cgroup_read_stat(const char *cgroup_root, const char *path, struct lrg_vmstat *ret)
{
	return read_stat_events(cgroup_root, path, true, ret, NULL);
}

int lrg_cgroup_tree_read_stat(struct lrg_cgroup_tree *t, uint64_t id, bool with_events,
			      struct lrg_vmstat *ret)
{
	struct lrg_cgroup_entry *e = find_entry(t, id);

	if (!e)
		return -ENOENT;
	return read_stat_events(t->root, e->path, with_events, ret, kept_of(t, e));
}

int lrg_cgroup_tree_read_pressure(struct lrg_cgroup_tree *t, uint64_t id, struct lrg_psi *ret)
{
	struct lrg_cgroup_entry *e = find_entry(t, id);
	char p[PATH_MAX], buf[512];
	int r;

	if (!e)
		return -ENOENT;
	r = join(p, sizeof(p), t->root, e->path, "memory.pressure");
	if (r < 0)
		return r;
	r = lrg_cgroup_kept_read(kept_of(t, e), LRG_KEPT_PRESSURE, p, buf, sizeof(buf), NULL);
	return r < 0 ? r : lrg_parse_psi(buf, ret);
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

/* Hand every pid of a cgroup.procs text to fn. */
static int emit_pids(char *text, lrg_pid_fn fn, void *ctx)
{
	char *line, *save = NULL;
	int r;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e;
		long pid = strtol(line, &e, 10);

		if (pid <= 0 || *e)
			continue;
		r = fn(ctx, (pid_t)pid);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The pids of every cgroup below the one open at dfd, depth first, each
 * child opened relative to its parent: no path is built, so no depth or
 * length is too much. What cannot be read is counted in *skipped; only
 * fn's own error stops the walk.
 */
static int pids_below(int dfd, lrg_pid_fn fn, void *ctx, size_t *skipped)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		*skipped += !is_gone(-errno);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int cfd = -1;
		_cleanup_free_ char *text = NULL;

		if (is_dot_or_dotdot(de->d_name) || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0) {
			*skipped += !is_gone(-errno);
			continue;
		}
		r = lrg_read_file_at(cfd, "cgroup.procs", &text, NULL);
		if (r < 0)
			*skipped += !is_gone(r);
		else if ((r = emit_pids(text, fn, ctx)) < 0)
			return r;
		r = pids_below(cfd, fn, ctx, skipped);
		if (r < 0)
			return r;
	}
	return 0;
}

int lrg_cgroup_for_each_pid(const char *cgroup_root, const char *path, bool recursive,
			    lrg_pid_fn fn, void *ctx, size_t *ret_skipped)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	char dir[PATH_MAX];
	size_t skipped = 0;
	int r;

	r = join(dir, sizeof(dir), cgroup_root, path, NULL);
	if (r < 0)
		return r;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? -errno : lrg_read_file_at(dfd, "cgroup.procs", &text, NULL);
	/* A subtree that is gone has no pids left. */
	if (r < 0)
		return recursive && r == -ENOENT ? 0 : r;
	r = emit_pids(text, fn, ctx);
	if (r == 0 && recursive)
		r = pids_below(dfd, fn, ctx, &skipped);
	if (ret_skipped)
		*ret_skipped += skipped;
	return r;
}

/* Write value to the file name of the cgroup at path. */
static int write_cgroup_file(const char *cgroup_root, const char *path, const char *name,
			     const char *value)
{
	char p[PATH_MAX];
	int r;

	r = join(p, sizeof(p), cgroup_root, path, name);
	if (r < 0)
		return r;
	return lrg_write_file(p, value);
}

int lrg_cgroup_reclaim(const char *cgroup_root, const char *path, uint64_t bytes)
{
	char cmd[32];
	int r;

	snprintf(cmd, sizeof(cmd), "%" PRIu64, bytes);
	r = write_cgroup_file(cgroup_root, path, "memory.reclaim", cmd);
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

int lrg_cgroup_set_min(const char *cgroup_root, const char *path, uint64_t bytes)
{
	char v[32];

	if (bytes == UINT64_MAX)
		snprintf(v, sizeof(v), "max");
	else
		snprintf(v, sizeof(v), "%" PRIu64, bytes);
	return write_cgroup_file(cgroup_root, path, "memory.min", v);
}

int lrg_cgroup_kill(const char *cgroup_root, const char *path)
{
	int r = write_cgroup_file(cgroup_root, path, "cgroup.kill", "1");

	return r == -ENOENT ? -EOPNOTSUPP : r;
}
