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

#include "oom_scan.h"

#define MAX_CANDIDATES 8192
#define MAX_MEMCGS 1024
#define MAX_BASELINE 16384
#define PATH_LEN 256

struct baseline {
	uint64_t mm_key;
	uint64_t pages;           /* RSS */
};

struct lrg_oom_scan {
	struct lrg_backend *b;
	bool virtual_time;
	pid_t self;
	char proc_root[PATH_MAX];
	/* the memcgs of the last listing */
	struct lrg_memcg_info *memcgs;
	size_t nr_memcgs;
	/* the candidates of the last collection and their executables */
	struct lrg_oom_candidate *cands;
	char (*exe)[PATH_LEN];
	size_t nr_cands;
	const char *domain_path;  /* the domain being collected */
	struct baseline *base, *next_base;
	size_t nr_base, nr_next_base;
};

int lrg_oom_scan_new(struct lrg_backend *b, const char *proc_root, struct lrg_oom_scan **ret)
{
	struct lrg_oom_scan *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->b = b;
	s->virtual_time = lrg_backend_has(b, LRG_CAP_VIRTUAL_TIME);
	s->self = getpid();
	snprintf(s->proc_root, sizeof(s->proc_root), "%s", proc_root);
	s->cands = calloc(MAX_CANDIDATES, sizeof(*s->cands));
	s->exe = calloc(MAX_CANDIDATES, sizeof(*s->exe));
	s->memcgs = calloc(MAX_MEMCGS, sizeof(*s->memcgs));
	s->base = calloc(MAX_BASELINE, sizeof(*s->base));
	s->next_base = calloc(MAX_BASELINE, sizeof(*s->next_base));
	if (!s->cands || !s->exe || !s->memcgs || !s->base || !s->next_base) {
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
	free(s->cands);
	free(s->exe);
	free(s->base);
	free(s->next_base);
	free(s);
}

const char *lrg_oom_scan_memcg_path(const struct lrg_oom_scan *s, uint64_t memcg_id)
{
	for (size_t i = 0; i < s->nr_memcgs; i++)
		if (s->memcgs[i].id == memcg_id)
			return s->memcgs[i].path;
	return NULL;
}

static int keep_memcg(void *ctx, const struct lrg_memcg_info *mc)
{
	struct lrg_oom_scan *s = ctx;

	if (s->nr_memcgs < MAX_MEMCGS)
		s->memcgs[s->nr_memcgs++] = *mc;
	return 0;
}

static int list_memcgs(struct lrg_oom_scan *s)
{
	s->nr_memcgs = 0;
	return s->b->ops->list_memcgs(s->b, keep_memcg, s);
}

static const char *read_exe(struct lrg_oom_scan *s, pid_t pid, char *d)
{
	char link[PATH_MAX + 32];
	ssize_t len;

	snprintf(link, sizeof(link), "%s/%d/exe", s->proc_root, (int)pid);
	len = readlink(link, d, PATH_LEN - 1);
	if (len <= 0)
		return NULL;   /* a kernel thread, or gone */
	d[len] = '\0';
	return d;
}

static uint64_t baseline_of(const struct lrg_oom_scan *s, uint64_t mm_key)
{
	size_t lo = 0, hi = s->nr_base;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->base[mid].mm_key == mm_key)
			return s->base[mid].pages;
		if (s->base[mid].mm_key < mm_key)
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
	uint64_t base;

	path = path ? path : "/";
	if (s->nr_cands >= MAX_CANDIDATES || !lrg_oom_in_domain(s->domain_path, path))
		return 0;
	c = &s->cands[s->nr_cands];
	*c = (struct lrg_oom_candidate){ .pid = mm->pid, .start_time = mm->start_time,
					 .memcg_id = mm->memcg_id, .cgroup = path,
					 .rss_pages = mm->nr_anon + mm->nr_file,
					 .oom_score_adj = mm->oom_score_adj, .is_self = mm->pid == s->self };
	memcpy(c->comm, mm->comm, sizeof(c->comm));
	if (!s->virtual_time)
		c->exe = read_exe(s, mm->pid, s->exe[s->nr_cands]);
	base = baseline_of(s, mm->mm_key);
	c->growth_pages = c->rss_pages > base ? c->rss_pages - base : 0;
	s->nr_cands++;
	return 0;
}

int lrg_oom_scan_collect(struct lrg_oom_scan *s, bool global, uint64_t memcg_id,
			 struct lrg_oom_facts *ret)
{
	const char *domain;
	int r;

	s->nr_cands = 0;
	r = list_memcgs(s);
	if (r < 0)
		return r;
	domain = global ? "/" : lrg_oom_scan_memcg_path(s, memcg_id);
	if (!domain)
		return -ENOENT;
	s->domain_path = domain;
	for (size_t i = 0; i < s->nr_memcgs; i++) {
		if (!lrg_oom_in_domain(domain, s->memcgs[i].path))
			continue;
		r = s->b->ops->list_mms(s->b, s->memcgs[i].id, keep_candidate, s);
		if (r < 0)
			return r;
	}
	*ret = (struct lrg_oom_facts){ .c = s->cands, .n = s->nr_cands, .domain_path = domain };
	return 0;
}

static int record_baseline(void *ctx, const struct lrg_mm_info *mm)
{
	struct lrg_oom_scan *s = ctx;

	if (s->nr_next_base < MAX_BASELINE)
		s->next_base[s->nr_next_base++] =
			(struct baseline){ mm->mm_key, mm->nr_anon + mm->nr_file };
	return 0;
}

static int cmp_baseline(const void *a, const void *b)
{
	const struct baseline *x = a, *y = b;

	return x->mm_key < y->mm_key ? -1 : x->mm_key > y->mm_key;
}

int lrg_oom_scan_baseline(struct lrg_oom_scan *s)
{
	struct baseline *t;
	int r = list_memcgs(s);

	if (r < 0)
		return r;
	s->nr_next_base = 0;
	for (size_t i = 0; i < s->nr_memcgs; i++) {
		r = s->b->ops->list_mms(s->b, s->memcgs[i].id, record_baseline, s);
		if (r < 0)
			return r;
	}
	qsort(s->next_base, s->nr_next_base, sizeof(*s->next_base), cmp_baseline);
	t = s->base;
	s->base = s->next_base;
	s->next_base = t;
	s->nr_base = s->nr_next_base;
	return 0;
}
