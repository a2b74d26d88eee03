// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup_watch.c - see cgroup_watch.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_watch.h"

struct wd_id {
	int wd;
	uint64_t id;
};

struct lrg_cgroup_watch {
	int fd;
	struct wd_id *map;      /* sorted by wd once the walk ended */
	size_t n, cap;
	bool overflowed;        /* events were lost since the last drain */
};

/* Watches held by every tree of this process (a backend may keep two). */
static size_t watches_in_use;

/*
 * inotify's watches are counted per user, and root's are shared with
 * systemd, which follows every unit's cgroup.events with them: a user who
 * makes cgroups by the thousand must not make lrugend take them all. So
 * lrugend takes at most a quarter of fs.inotify.max_user_watches (at least
 * 4096, at most half: 8192 is the kernel's smallest default) for all its
 * trees together, and walks a tree unwatched beyond that.
 */
static size_t watch_budget(void)
{
	unsigned long max = 8192;
	FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "re");

	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 8192;
		fclose(f);
	}
	if (max / 4 >= 4096)
		return max / 4;
	return max / 2 < 4096 ? max / 2 : 4096;
}

#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | \
		    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* events that may change the tree's shape */
#define RESHAPE_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
			IN_MOVE_SELF | IN_Q_OVERFLOW)

int lrg_cgroup_watch_new(struct lrg_cgroup_watch **ret)
{
	struct lrg_cgroup_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int r = -errno;

		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

void lrg_cgroup_watch_free(struct lrg_cgroup_watch *w)
{
	if (!w)
		return;
	watches_in_use -= w->n;
	close(w->fd);
	free(w->map);
	free(w);
}

void lrg_cgroup_watch_begin_walk(struct lrg_cgroup_watch *w)
{
	watches_in_use -= w->n;
	w->n = 0;
}

static int map_add(struct lrg_cgroup_watch *w, int wd, uint64_t id)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 128;
		struct wd_id *m = realloc(w->map, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		w->map = m;
		w->cap = cap;
	}
	w->map[w->n++] = (struct wd_id){ .wd = wd, .id = id };
	watches_in_use++;
	return 0;
}

/*
 * The directory only: a watch on one of its files would outlive the
 * cgroup (kernfs removes the file without telling inotify) and hold one of
 * root's watches for good. inotify names it by path: through its fd, so
 * that a cgroup path longer than PATH_MAX below the mount is watched too.
 */
int lrg_cgroup_watch_add(struct lrg_cgroup_watch *w, int dirfd, uint64_t id)
{
	static size_t budget;
	char p[64];
	int wd;

	if (!budget)
		budget = watch_budget();
	if (watches_in_use >= budget)
		return -ENOSPC;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", dirfd);
	wd = inotify_add_watch(w->fd, p, DIR_EVENTS);
	if (wd < 0)
		return errno == ENOENT ? 0 : -errno;   /* removed meanwhile */
	return map_add(w, wd, id);
}

static int cmp_wd(const void *a, const void *b)
{
	const struct wd_id *x = a, *y = b;

	return (x->wd > y->wd) - (x->wd < y->wd);
}

void lrg_cgroup_watch_end_walk(struct lrg_cgroup_watch *w)
{
	qsort(w->map, w->n, sizeof(*w->map), cmp_wd);
}

static const struct wd_id *find_wd(const struct lrg_cgroup_watch *w, int wd)
{
	struct wd_id key = { .wd = wd };

	return w->n ? bsearch(&key, w->map, w->n, sizeof(*w->map), cmp_wd) : NULL;
}

static void take(struct lrg_cgroup_watch *w, const struct inotify_event *ev,
		 lrg_cgroup_changed_fn fn, void *ctx, bool *reshaped)
{
	const struct wd_id *m;

	if (ev->mask & RESHAPE_EVENTS)
		*reshaped = true;
	if (ev->mask & IN_Q_OVERFLOW)
		w->overflowed = true;
	/* memory joining or leaving the controllers of the children */
	if ((ev->mask & IN_MODIFY) && ev->len && !strcmp(ev->name, "cgroup.subtree_control"))
		*reshaped = true;
	if (ev->mask & IN_IGNORED)
		return;   /* the watch went with its cgroup; the parent said so */
	m = find_wd(w, ev->wd);
	if (m)
		fn(ctx, m->id, (ev->mask & IN_MODIFY) && ev->len ? ev->name : NULL);
}

int lrg_cgroup_watch_drain(struct lrg_cgroup_watch *w, lrg_cgroup_changed_fn fn, void *ctx,
			   bool *ret_reshaped)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool reshaped = false;
	int reads = 0;
	ssize_t n;

	/* A user making and removing cgroups in a loop keeps the queue
	 * full: past LRG_CGROUP_WATCH_MAX_READS the rest counts as lost
	 * (a full re-read), and the daemon goes back to its event loop. */
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		if (++reads > LRG_CGROUP_WATCH_MAX_READS) {
			w->overflowed = true;
			break;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			take(w, ev, fn, ctx, &reshaped);
			p += sizeof(*ev) + ev->len;
		}
	}
	*ret_reshaped = reshaped;
	if (w->overflowed) {
		w->overflowed = false;
		return 1;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return -errno;
	return 0;
}
