// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend_select.c - choose the most accurate backend this machine offers,
 * and say why the better ones were not available.
 *
 *   kmod   per-page accessed bits from page tables, per memcg (lrugen.ko)
 *   mglru  the kernel's own generations through debugfs lru_gen
 *   proc   VMA-granular aging from /proc, eviction by process_madvise
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "backend_kmod.h"
#include "backend_select.h"
#include "backends.h"
#include "fileio.h"
#include "lrg_log.h"

#define PROC_ROOT "/proc"
#define LRU_GEN_DEBUGFS "/sys/kernel/debug/lru_gen"

/*
 * The kmod backend is a composite: lrugen.ko harvests accessed bits (the
 * one thing that must run in the kernel); listing, eviction, measuring and
 * killing are the proc backend's, which already does them through
 * process_madvise, memory.reclaim and pidfds.
 */
struct kmod_combo {
	struct lrg_backend base;
	struct lrg_backend *kmod;
	struct lrg_backend *proc;
};

#define PROC(b) (((struct kmod_combo *)(b))->proc)

static int combo_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	return PROC(b)->ops->list_memcgs(PROC(b), fn, ctx);
}

static int combo_list_memcg_paths(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	return PROC(b)->ops->list_memcg_paths(PROC(b), fn, ctx);
}

static int combo_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	return PROC(b)->ops->list_mms(PROC(b), memcg_id, fn, ctx);
}

static int combo_harvest(struct lrg_backend *b, const struct lrg_harvest_req *req, lrg_region_fn fn,
			 void *ctx, struct lrg_walk_stats *ret_stats)
{
	struct lrg_backend *k = ((struct kmod_combo *)b)->kmod;

	return k->ops->harvest(k, req, fn, ctx, ret_stats);
}

static int combo_evict(struct lrg_backend *b, const struct lrg_mm_info *mm,
		       const struct lrg_range *ranges, size_t nr_ranges, uint64_t *ret_pages)
{
	return PROC(b)->ops->evict(PROC(b), mm, ranges, nr_ranges, ret_pages);
}

static int combo_reclaim(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes,
			 uint64_t *ret_bytes)
{
	if (!PROC(b)->ops->reclaim)
		return -EOPNOTSUPP;
	return PROC(b)->ops->reclaim(PROC(b), memcg_id, bytes, ret_bytes);
}

static int combo_protect(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes)
{
	return PROC(b)->ops->protect(PROC(b), memcg_id, bytes);
}

static int combo_measure_charge(struct lrg_backend *b, uint64_t memcg_id,
				struct lrg_pressure *ret)
{
	return PROC(b)->ops->measure_charge(PROC(b), memcg_id, ret);
}

static int combo_measure_meminfo(struct lrg_backend *b, struct lrg_pressure *ret)
{
	return PROC(b)->ops->measure_meminfo(PROC(b), ret);
}

static int combo_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	return PROC(b)->ops->measure(PROC(b), memcg_id, ret);
}

static int combo_kill(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	return PROC(b)->ops->kill(PROC(b), req);
}

static uint64_t combo_now_ms(struct lrg_backend *b)
{
	return PROC(b)->ops->now_ms(PROC(b));
}

static void combo_destroy(struct lrg_backend *b)
{
	struct kmod_combo *c = (struct kmod_combo *)b;

	c->kmod->ops->destroy(c->kmod);
	c->proc->ops->destroy(c->proc);
	free(c);
}

static const struct lrg_backend_ops kmod_combo_ops = {
	.name = "kmod",
	.accuracy = "kmod: per-page accessed bits from page tables, per memory cgroup (lrugen.ko); "
		    "exact, the reference the other backends are measured against",
	.list_memcgs = combo_list_memcgs,
	.list_memcg_paths = combo_list_memcg_paths,
	.list_mms = combo_list_mms,
	.harvest = combo_harvest,
	.evict = combo_evict,
	.reclaim = combo_reclaim,
	.protect = combo_protect,
	.measure = combo_measure,
	.measure_charge = combo_measure_charge,
	.measure_meminfo = combo_measure_meminfo,
	.kill = combo_kill,
	.now_ms = combo_now_ms,
	.destroy = combo_destroy,
};

static int kmod_open(struct lrg_backend **ret, char *why, size_t len)
{
	struct kmod_combo *c;
	struct lrg_backend *k, *p;
	int r;

	r = lrg_kmod_backend_new(&k, why, len);
	if (r < 0)
		return r;
	r = lrg_proc_backend_open(PROC_ROOT, NULL, &p, why, len);
	if (r < 0) {
		k->ops->destroy(k);
		return r;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		k->ops->destroy(k);
		p->ops->destroy(p);
		return -ENOMEM;
	}
	c->base.ops = &kmod_combo_ops;
	c->base.caps = (p->caps & ~LRG_CAP_KERNEL_GENS) | (k->caps & (LRG_CAP_HARVEST | LRG_CAP_NONLEAF_YOUNG));
	c->kmod = k;
	c->proc = p;
	*ret = &c->base;
	return 0;
}

static int try_one(const char *name, const struct lrg_daemon_config *dc, struct lrg_backend **ret,
		   char *why, size_t len)
{
	if (!strcmp(name, "kmod"))
		return kmod_open(ret, why, len);
	if (!strcmp(name, "mglru"))
		return lrg_mglru_backend_open(LRU_GEN_DEBUGFS, NULL, dc->enable_mglru,
					      dc->mount_debugfs, ret, why, len);
	if (!strcmp(name, "proc"))
		return lrg_proc_backend_open(PROC_ROOT, NULL, ret, why, len);
	snprintf(why, len, "unknown backend '%s' (expected auto, kmod, mglru or proc)", name);
	return -EINVAL;
}

/* Try the backends of order from the first, as "auto" does; why: what was chosen and why. */
static int select_first(const char *const *order, size_t n, const struct lrg_daemon_config *dc,
			struct lrg_backend **ret, char *why, size_t len)
{
	char skipped[512] = "";
	char reason[512];
	int r;

	for (size_t i = 0; i < n; i++) {
		reason[0] = '\0';
		r = try_one(order[i], dc, ret, reason, sizeof(reason));
		if (r == 0) {
			if (skipped[0])
				log_notice("using backend %s: better backends were not available (see above)",
					   order[i]);
			snprintf(why, len, "%s%s", skipped[0] ? "" : "the best backend available",
				 skipped);
			return 0;
		}
		log_notice("backend %s not available: %s", order[i], reason[0] ? reason : strerror(-r));
		if (!skipped[0])
			snprintf(skipped, sizeof(skipped), "%s not available: %.400s", order[i],
				 reason[0] ? reason : strerror(-r));
	}
	log_error("no backend is available on this machine");
	snprintf(why, len, "no backend is available");
	return -ENODEV;
}

int lrg_backend_select_why(const char *want, const struct lrg_daemon_config *dc,
			   struct lrg_backend **ret, char *why, size_t len)
{
	static const char *const order[] = { "kmod", "mglru", "proc" };
	char reason[512];
	int r;

	if (!strcmp(want, "auto"))
		return select_first(order, sizeof(order) / sizeof(order[0]), dc, ret, why, len);
	reason[0] = '\0';
	r = try_one(want, dc, ret, reason, sizeof(reason));
	if (r < 0)
		log_error("backend %s is not available: %s", want, reason[0] ? reason : strerror(-r));
	snprintf(why, len, r < 0 ? "not available" : "configured (backend = %s)", want);
	return r;
}

int lrg_backend_select(const char *want, const struct lrg_daemon_config *dc,
		       struct lrg_backend **ret)
{
	char why[256];

	return lrg_backend_select_why(want, dc, ret, why, sizeof(why));
}

int lrg_backend_select_fallback(const struct lrg_daemon_config *dc, struct lrg_backend **ret,
				char *why, size_t len)
{
	static const char *const order[] = { "mglru", "proc" };

	return select_first(order, sizeof(order) / sizeof(order[0]), dc, ret, why, len);
}

bool lrg_backend_is_kmod(const struct lrg_backend *b)
{
	return b->ops == &kmod_combo_ops;
}

bool lrg_backend_failing(const struct lrg_backend *b, char *why, size_t len)
{
	if (!lrg_backend_is_kmod(b))
		return false;
	return lrg_kmod_backend_failures(((const struct kmod_combo *)b)->kmod, why, len) >=
	       LRG_BACKEND_KMOD_FAILURES;
}

int lrg_backend_kmod_probe(char *why, size_t len)
{
	struct lrg_kmod *k;
	char state[32];
	int r;

	/* not the family by name: that would have the kernel run modprobe each time */
	if (lrg_read_file_buf("/sys/module/lrugen/initstate", state, sizeof(state), NULL) < 0 ||
	    strncmp(state, "live", 4)) {
		snprintf(why, len, "lrugen.ko is not loaded");
		return -ENOENT;
	}
	r = lrg_kmod_open(&k, why, len);
	if (r == 0)
		lrg_kmod_close(k);
	return r;
}
