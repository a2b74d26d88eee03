// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_scan.c - the facts of an OOM decision (see the header).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "code_trust.h"
#include "fileio.h"
#include "oom_scan.h"
#include "procfs.h"

/* Room made at start, before the first baseline (taken at the first tick)
 * says how much is needed. */
#define FIRST_MEMCGS 64
#define FIRST_CANDIDATES 128
/* Text room per candidate slot: an exe path and a cgroup path, on average
 * far shorter (a longer one costs one incomplete decision, then room). */
#define TEXT_PER_CANDIDATE 256
/* Path room per memcg slot, on average: the same bargain. */
#define PATH_PER_MEMCG 128
/* /proc/PID/status is ~1.5 KiB; /proc/PID/cgroup holds one v2 path
 * (PATH_MAX at most) and, on a hybrid machine, a dozen v1 lines. */
#define IO_BYTES (PATH_MAX + 8192)

struct baseline {
	uint64_t mm_key;
	uint64_t pages;           /* RSS + swap */
};

struct baseline_vec {
	struct baseline *v;
	size_t n, cap;
};

/* A listed memcg: its id and where its path is in the scan's paths. */
struct scan_memcg {
	uint64_t id;
	size_t path_at;
};

struct lrg_oom_scan {
	struct lrg_backend *b;
	bool virtual_time;
	bool own_cgroups;         /* a cgroup2 mount: a process's own cgroup can be read */
	pid_t self;
	char proc_root[PATH_MAX];
	/* the memcgs of the last listing, their paths one after another
	 * (a path is PATH_MAX at most, most are a few dozen bytes) */
	struct scan_memcg *memcgs;
	size_t nr_memcgs, cap_memcgs, seen_memcgs;
	char *paths;
	size_t paths_used, paths_cap;
	size_t paths_seen;        /* bytes the paths of every memcg seen take */
	bool paths_short;
	bool may_grow;            /* listing for the baseline: the storage may grow */
	/* the candidates of the last collection and their paths */
	struct lrg_oom_candidate *cands;
	size_t nr_cands, cap_cands, seen_cands;
	char *text;
	size_t text_used, text_cap;
	bool text_short;
	const char *domain_path;  /* the domain being collected */
	struct baseline_vec base, next_base;
	char io[IO_BYTES];        /* one /proc file at a time */
};

static int reserve(void **p, size_t *cap, size_t want, size_t size)
{
	void *n;

	if (want <= *cap)
		return 0;
	n = realloc(*p, want * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = want;
	return 0;
}

/* Room for memcgs, candidates and their text; on failure what fits stays. */
static int make_room(struct lrg_oom_scan *s, size_t memcgs, size_t cands)
{
	int r = reserve((void **)&s->memcgs, &s->cap_memcgs, memcgs, sizeof(*s->memcgs));

	if (r == 0)
		r = reserve((void **)&s->paths, &s->paths_cap, s->cap_memcgs * PATH_PER_MEMCG, 1);
	if (r == 0)
		r = reserve((void **)&s->cands, &s->cap_cands, cands, sizeof(*s->cands));
	if (r == 0)
		r = reserve((void **)&s->text, &s->text_cap, s->cap_cands * TEXT_PER_CANDIDATE, 1);
	return r;
}

int lrg_oom_scan_new(struct lrg_backend *b, const char *proc_root, const char *cgroup_root,
		     struct lrg_oom_scan **ret)
{
	struct lrg_oom_scan *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->b = b;
	s->virtual_time = lrg_backend_has(b, LRG_CAP_VIRTUAL_TIME);
	s->own_cgroups = cgroup_root && *cgroup_root;
	s->self = getpid();
	snprintf(s->proc_root, sizeof(s->proc_root), "%s", proc_root);
	if (make_room(s, FIRST_MEMCGS, FIRST_CANDIDATES) < 0) {
		lrg_oom_scan_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void lrg_oom_scan_free(struct lrg_oom_scan *s)
{
	if (!s)
		return;
	free(s->memcgs);
	free(s->paths);
	free(s->cands);
	free(s->text);
	free(s->base.v);
	free(s->next_base.v);
	free(s);
}

static const char *memcg_path_at(const struct lrg_oom_scan *s, size_t i)
{
	return s->paths + s->memcgs[i].path_at;
}

const char *lrg_oom_scan_memcg_path(const struct lrg_oom_scan *s, uint64_t memcg_id)
{
	for (size_t i = 0; i < s->nr_memcgs; i++)
		if (s->memcgs[i].id == memcg_id)
			return memcg_path_at(s, i);
	return NULL;
}

static int keep_memcg(void *ctx, const struct lrg_memcg_info *mc)
{
	struct lrg_oom_scan *s = ctx;
	size_t len = strlen(mc->path) + 1;

	s->seen_memcgs++;
	s->paths_seen += len;
	if (s->paths_cap - s->paths_used < len)
		s->paths_short = true;
	if (s->nr_memcgs == s->cap_memcgs || s->paths_short) {
		if (!s->may_grow)
			return 0;   /* counted, not kept: the collection is incomplete */
		if ((s->nr_memcgs == s->cap_memcgs &&
		     reserve((void **)&s->memcgs, &s->cap_memcgs, 2 * s->cap_memcgs + 16,
			     sizeof(*s->memcgs)) < 0) ||
		    (s->paths_short &&
		     reserve((void **)&s->paths, &s->paths_cap, 2 * s->paths_cap + 2 * len, 1) < 0))
			return -ENOMEM;
		s->paths_short = false;
	}
	memcpy(s->paths + s->paths_used, mc->path, len);
	s->memcgs[s->nr_memcgs++] = (struct scan_memcg){ .id = mc->id, .path_at = s->paths_used };
	s->paths_used += len;
	return 0;
}

static int list_memcgs(struct lrg_oom_scan *s, bool may_grow)
{
	s->nr_memcgs = 0;
	s->seen_memcgs = 0;
	s->paths_used = 0;
	s->paths_seen = 0;
	s->paths_short = false;
	s->may_grow = may_grow;
	/* ids and paths are all a decision needs of the memcgs: eight
	 * files of each fewer to read on the way to a kill */
	if (s->b->ops->list_memcg_paths)
		return s->b->ops->list_memcg_paths(s->b, keep_memcg, s);
	return s->b->ops->list_memcgs(s->b, keep_memcg, s);
}

/* Swapped-out pages of pid (VmSwap), 0 if unknown. */
static int read_status(struct lrg_oom_scan *s, pid_t pid, struct lrg_proc_status *ret)
{
	char path[PATH_MAX + 32];
	int r;

	snprintf(path, sizeof(path), "%s/%d/status", s->proc_root, (int)pid);
	r = lrg_read_file_buf(path, s->io, sizeof(s->io), NULL);
	return r < 0 ? r : lrg_parse_proc_status(s->io, ret);
}

static uint64_t read_swap_pages(struct lrg_oom_scan *s, pid_t pid)
{
	struct lrg_proc_status st;

	if (s->virtual_time || read_status(s, pid, &st) < 0)
		return 0;
	return st.vm_swap / LRG_PAGE_SIZE;
}

/* From /proc/PID/status: the pages swapped out and who the process is. */
static void read_swap_and_owner(struct lrg_oom_scan *s, struct lrg_oom_candidate *c)
{
	struct lrg_proc_status st;

	if (read_status(s, c->pid, &st) < 0)
		return;
	c->swap_pages = st.vm_swap / LRG_PAGE_SIZE;
	c->uid = st.uid;
	c->euid = st.euid;
}

/* Copy len bytes of str into the text room, NUL-terminated; NULL (and the
 * collection is incomplete) if they do not fit. */
static const char *text_put(struct lrg_oom_scan *s, const char *str, size_t len)
{
	char *d = s->text + s->text_used;

	if (s->text_cap - s->text_used < len + 1) {
		s->text_short = true;
		return NULL;
	}
	memcpy(d, str, len);
	d[len] = '\0';
	s->text_used += len + 1;
	return d;
}

/* The executable's path, and whether a rule may believe it (see match.h). */
static const char *read_exe(struct lrg_oom_scan *s, pid_t pid, bool *ret_trusted)
{
	size_t room = s->text_cap - s->text_used;
	char *d = s->text + s->text_used;
	int r;

	*ret_trusted = false;
	r = room ? lrg_procfs_read_exe(s->proc_root, pid, d, room, ret_trusted) : -ENAMETOOLONG;
	if (r == -ENAMETOOLONG) {
		s->text_short = true;   /* maybe cut: no room for all of it */
		return NULL;
	}
	if (r < 0)
		return NULL;   /* a kernel thread, or gone */
	s->text_used += strlen(d) + 1;
	return d;
}

/* The process's own cgroup: the v2 line "0::PATH" of /proc/PID/cgroup. */
static const char *read_own_cgroup(struct lrg_oom_scan *s, pid_t pid)
{
	char path[PATH_MAX + 32];
	const char *line;

	if (!s->own_cgroups)
		return NULL;
	snprintf(path, sizeof(path), "%s/%d/cgroup", s->proc_root, (int)pid);
	if (lrg_read_file_buf(path, s->io, sizeof(s->io), NULL) < 0)
		return NULL;
	line = !strncmp(s->io, "0::", 3) ? s->io : strstr(s->io, "\n0::");
	if (!line)
		return NULL;
	line += line == s->io ? 3 : 4;
	return text_put(s, line, strcspn(line, "\n"));
}

static uint64_t baseline_of(const struct lrg_oom_scan *s, uint64_t mm_key)
{
	size_t lo = 0, hi = s->base.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->base.v[mid].mm_key == mm_key)
			return s->base.v[mid].pages;
		if (s->base.v[mid].mm_key < mm_key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0; /* born during the episode: all of it is growth */
}

static int keep_candidate(void *ctx, const struct lrg_mm_info *mm)
{
	struct lrg_oom_scan *s = ctx;
	const char *path = lrg_oom_scan_memcg_path(s, mm->memcg_id);
	struct lrg_oom_candidate *c;
	uint64_t footprint, base;

	path = path ? path : "/";
	if (!lrg_oom_in_domain(s->domain_path, path))
		return 0;
	s->seen_cands++;
	if (s->nr_cands == s->cap_cands)
		return 0;
	c = &s->cands[s->nr_cands++];
	*c = (struct lrg_oom_candidate){ .pid = mm->pid, .start_time = mm->start_time,
					 .memcg_id = mm->memcg_id, .cgroup = path,
					 .rss_pages = mm->nr_anon + mm->nr_file,
					 .oom_score_adj = mm->oom_score_adj, .is_self = mm->pid == s->self,
					 .uid = (uid_t)-1, .euid = (uid_t)-1 };
	memcpy(c->comm, mm->comm, sizeof(c->comm));
	if (s->virtual_time) {
		c->own_cgroup = path;   /* a simulated process sits in its memcg */
	} else {
		/* as it is now: it may have changed since the listing */
		(void)lrg_procfs_read_oom_score_adj(s->proc_root, mm->pid, &c->oom_score_adj);
		c->exe = read_exe(s, mm->pid, &c->exe_trusted);
		read_swap_and_owner(s, c);
		c->own_cgroup = read_own_cgroup(s, mm->pid);
	}
	footprint = c->rss_pages + c->swap_pages;
	base = baseline_of(s, mm->mm_key);
	c->growth_pages = footprint > base ? footprint - base : 0;
	/* a program root installed, run and grown by a user: believed only
	 * if the code in it is root's too (code_trust.h); only growers are
	 * read, the few a decision turns on */
	if (c->exe_trusted && c->uid != 0 && c->growth_pages >= LRG_OOM_GROWTH_STEP_PAGES &&
	    !s->virtual_time)
		c->exe_trusted = lrg_procfs_code_trusted(s->proc_root, mm->pid) == 1;
	return 0;
}

int lrg_oom_scan_collect(struct lrg_oom_scan *s, bool global, uint64_t memcg_id,
			 struct lrg_oom_facts *ret)
{
	const char *domain;
	int r;

	s->nr_cands = 0;
	s->seen_cands = 0;
	s->text_used = 0;
	s->text_short = false;
	r = list_memcgs(s, false);
	if (r < 0)
		return r;
	domain = global ? "/" : lrg_oom_scan_memcg_path(s, memcg_id);
	if (!domain && s->seen_memcgs == s->nr_memcgs)
		return -ENOENT;
	s->domain_path = domain;
	for (size_t i = 0; domain && i < s->nr_memcgs; i++) {
		if (!lrg_oom_in_domain(domain, memcg_path_at(s, i)))
			continue;
		r = s->b->ops->list_mms(s->b, s->memcgs[i].id, keep_candidate, s);
		if (r < 0)
			return r;
	}
	*ret = (struct lrg_oom_facts){
		.c = s->cands, .n = s->nr_cands, .nr_seen = s->seen_cands, .domain_path = domain,
		.complete = domain && s->seen_memcgs == s->nr_memcgs &&
			    s->seen_cands == s->nr_cands && !s->text_short,
	};
	return 0;
}

int lrg_oom_scan_grow(struct lrg_oom_scan *s)
{
	size_t cands = s->seen_cands > s->base.n ? s->seen_cands : s->base.n;
	int r = make_room(s, s->seen_memcgs * 3 / 2 + 16, cands * 3 / 2 + 64);

	if (r == 0 && s->text_short)
		r = reserve((void **)&s->text, &s->text_cap, 2 * s->text_cap, 1);
	/* room for every path seen, however long users made them */
	if (r == 0 && s->paths_short)
		r = reserve((void **)&s->paths, &s->paths_cap, s->paths_seen * 3 / 2, 1);
	return r;
}

static int record_baseline(void *ctx, const struct lrg_mm_info *mm)
{
	struct lrg_oom_scan *s = ctx;
	struct baseline_vec *nb = &s->next_base;

	if (nb->n == nb->cap &&
	    reserve((void **)&nb->v, &nb->cap, 2 * nb->cap + 256, sizeof(*nb->v)) < 0)
		return -ENOMEM;
	nb->v[nb->n++] = (struct baseline){ mm->mm_key, mm->nr_anon + mm->nr_file +
							     read_swap_pages(s, mm->pid) };
	return 0;
}

static int cmp_baseline(const void *a, const void *b)
{
	const struct baseline *x = a, *y = b;

	return x->mm_key < y->mm_key ? -1 : x->mm_key > y->mm_key;
}

int lrg_oom_scan_baseline(struct lrg_oom_scan *s)
{
	struct baseline_vec t;
	int r = list_memcgs(s, true);

	if (r < 0)
		return r;
	s->next_base.n = 0;
	for (size_t i = 0; i < s->nr_memcgs; i++) {
		r = s->b->ops->list_mms(s->b, s->memcgs[i].id, record_baseline, s);
		if (r < 0)
			return r;
	}
	if (s->next_base.n)
		qsort(s->next_base.v, s->next_base.n, sizeof(*s->next_base.v), cmp_baseline);
	t = s->base;
	s->base = s->next_base;
	s->next_base = t;
	return make_room(s, s->nr_memcgs * 3 / 2 + 16, s->base.n * 3 / 2 + 64);
}
