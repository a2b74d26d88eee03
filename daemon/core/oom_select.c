// SPDX-License-Identifier: GPL-2.0-only
/*
 * oom_select.c - rank OOM candidates.
 *
 * The order answers the complaints users have about other killers: the
 * process that caused the pressure (the one that grew most during the
 * episode) dies before a large but steady one (the user's editor or
 * browser), nothing a pattern protects ever dies, and oom_score_adj is
 * honoured as the kernel honours it. A protect rule spares a process, never
 * hands its kill to another user.
 */
#include <errno.h>
#include <string.h>

#include "match.h"
#include "oom_select.h"

static uint64_t growth_steps(const struct lrg_oom_candidate *c)
{
	return c->growth_pages / LRG_OOM_GROWTH_STEP_PAGES;
}

static void rank(struct lrg_oom_candidate *c, const struct lrg_patterns *global_protect,
		 uint64_t total_pages)
{
	const struct lrg_slice_config *s = c->slice;
	const struct lrg_proc_facts f = { .comm = c->comm, .exe = c->exe, .exe_trusted = c->exe_trusted,
					  .cgroup = c->own_cgroup ? c->own_cgroup : c->cgroup,
					  .uid = c->uid, .euid = c->euid };

	c->badness = (int64_t)c->rss_pages + (int64_t)c->oom_score_adj * (int64_t)(total_pages / 1000);
	c->tier = LRG_TIER_NORMAL;
	c->reason = "largest";
	c->by_protect_rule = false;

	if (c->pid <= 1) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "init";
	} else if (c->is_self) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "lrugend itself";
	} else if (c->is_kthread) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "kernel thread";
	} else if (c->oom_score_adj <= -1000) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "oom_score_adj -1000";
	} else if (global_protect && lrg_patterns_match(global_protect, &f)) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "protected ([daemon] protect)";
		c->by_protect_rule = true;
	} else if (s && s->oom == LRG_OOM_NEVER) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "slice oom=never";
	} else if (s && !s->min_ttl_ms) {
		/* min_ttl_ms = 0 turns lrugend's protection, and its kills, off */
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "slice min_ttl_ms=0";
	} else if (s && lrg_patterns_match(&s->protect, &f)) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "protected (slice protect)";
		c->by_protect_rule = true;
	} else if (s && lrg_patterns_match(&s->prefer, &f)) {
		c->tier = LRG_TIER_PREFER;
		c->reason = "prefer pattern";
	} else if (s && lrg_patterns_match(&s->avoid, &f)) {
		c->tier = LRG_TIER_AVOID;
		c->reason = "avoid pattern";
	} else if (c->growth_pages >= LRG_OOM_GROWTH_STEP_PAGES) {
		c->reason = "grew most during the episode";
	}
	/* A rss of 0 frees nothing: killing it cannot relieve the pressure. */
	if (c->tier != LRG_TIER_EXCLUDED && c->rss_pages == 0) {
		c->tier = LRG_TIER_EXCLUDED;
		c->reason = "no resident memory";
	}
}

static const char *group_of(const struct lrg_oom_candidate *c)
{
	return c->own_cgroup ? c->own_cgroup : c->cgroup;
}

static bool same_group(const struct lrg_oom_candidate *a, const struct lrg_oom_candidate *b)
{
	const char *ga = group_of(a), *gb = group_of(b);

	return ga && gb && (ga == gb || !strcmp(ga, gb));
}

/*
 * Growth counts per cgroup (a scope, a service) before it counts per
 * process: eight processes that grew 40 MiB each are a runaway of 320 MiB,
 * not eight small ones to pass over for the largest steady process of
 * another cgroup. Only processes that grew LRG_OOM_GROUP_MIN_PAGES are
 * summed, at most LRG_OOM_GROUP_GROWERS of them (the sum costs growers x
 * candidates comparisons, and the decision must stay short): past that,
 * the groups of the later growers are the ones left short, and those are
 * the growing processes' own.
 */
static void sum_group_growth(struct lrg_oom_candidate *c, size_t n)
{
	size_t growers = 0;

	for (size_t i = 0; i < n; i++)
		c[i].group_growth_pages = 0;
	for (size_t i = 0; i < n && growers < LRG_OOM_GROUP_GROWERS; i++) {
		if (c[i].tier == LRG_TIER_EXCLUDED || c[i].growth_pages < LRG_OOM_GROUP_MIN_PAGES)
			continue;
		growers++;
		for (size_t j = 0; j < n; j++)
			if (c[j].tier != LRG_TIER_EXCLUDED && (j == i || same_group(&c[i], &c[j])))
				c[j].group_growth_pages += c[i].growth_pages;
	}
}

static uint64_t group_steps(const struct lrg_oom_candidate *c)
{
	return c->group_growth_pages / LRG_OOM_GROWTH_STEP_PAGES;
}

int lrg_oom_compare(const struct lrg_oom_candidate *a, const struct lrg_oom_candidate *b)
{
	uint64_t ga = growth_steps(a);
	uint64_t gb = growth_steps(b);

	if (a->tier != b->tier)
		return a->tier > b->tier ? 1 : -1;
	if (group_steps(a) != group_steps(b))
		return group_steps(a) > group_steps(b) ? 1 : -1;
	if (ga != gb)
		return ga > gb ? 1 : -1;
	if (a->badness != b->badness)
		return a->badness > b->badness ? 1 : -1;
	/* Deterministic: the younger process (higher start time) first. */
	if (a->start_time != b->start_time)
		return a->start_time > b->start_time ? 1 : -1;
	return 0;
}

/*
 * The runaway, when a protect rule spares it: the unprivileged process a
 * rule protects that grew most, by at least one step and by more steps
 * than any process that may be killed and belongs to another user. NULL
 * when there is none.
 */
static const struct lrg_oom_candidate *protected_runaway(const struct lrg_oom_candidate *c, size_t n)
{
	const struct lrg_oom_candidate *run = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].by_protect_rule || c[i].uid == 0 || c[i].uid == (uid_t)-1 ||
		    !growth_steps(&c[i]))
			continue;
		if (!run || c[i].growth_pages > run->growth_pages)
			run = &c[i];
	}
	for (size_t i = 0; run && i < n; i++)
		if (c[i].tier != LRG_TIER_EXCLUDED && c[i].uid != run->uid &&
		    growth_steps(&c[i]) >= growth_steps(run))
			return NULL;
	return run;
}

/*
 * A protected runaway's kill never passes to another user. A protect
 * rule trusts what root controls (a cgroup outside user subtrees, a
 * program root installed), but what a user's copy of that program does
 * is the user's: LD_PRELOAD, a script in a protected interpreter, an
 * extension. The rule keeps it alive; the penalty stays with its user,
 * whose other processes remain candidates. With none, nobody is chosen
 * and the kernel's OOM killer, which knows no protect rules, decides.
 */
static void keep_penalty_with_runaway_user(struct lrg_oom_candidate *c, size_t n)
{
	const struct lrg_oom_candidate *run = protected_runaway(c, n);

	for (size_t i = 0; run && i < n; i++) {
		if (c[i].tier == LRG_TIER_EXCLUDED || c[i].uid == run->uid)
			continue;
		c[i].tier = LRG_TIER_EXCLUDED;
		c[i].reason = "another user's: the runaway is protected";
	}
}

int lrg_oom_select(struct lrg_oom_candidate *c, size_t n, const struct lrg_patterns *global_protect,
		   uint64_t total_pages, size_t *ret_index)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		rank(&c[i], global_protect, total_pages);
	keep_penalty_with_runaway_user(c, n);
	sum_group_growth(c, n);
	for (size_t i = 0; i < n; i++) {
		if (c[i].tier == LRG_TIER_EXCLUDED)
			continue;
		if (c[i].tier == LRG_TIER_NORMAL && !growth_steps(&c[i]) && group_steps(&c[i]))
			c[i].reason = "its cgroup grew most during the episode";
		if (best == n || lrg_oom_compare(&c[i], &c[best]) > 0)
			best = i;
	}
	if (best == n)
		return -ESRCH;
	*ret_index = best;
	return 0;
}
