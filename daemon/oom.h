/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom.h - acting on the policy engine's OOM requests: pick the victim
 * (oom_select.c), kill it once, release its memory fast, log one
 * structured journal event, and guard each OOM domain against overkill.
 */
#ifndef LRG_OOM_H
#define LRG_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lrg_config.h"
#include "lrg_policy.h"

/* The journal MESSAGE_ID of every kill (and every dry-run "would kill"). */
#define LRG_MESSAGE_ID_KILL "4c1e2f8a9b7d4e06a3c5d2b1e0f9a8c7"
/* The MESSAGE_ID of an OOM decision that found no eligible victim. */
#define LRG_MESSAGE_ID_NO_VICTIM "9d3b7a1c5e2f40b8a6c4e2d0f1b3a5c7"

struct lrg_oom;

/* Preallocates everything the decide-and-kill path needs. */
int lrg_oom_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_oom **ret);
void lrg_oom_set_config(struct lrg_oom *o, const struct lrg_config *cfg);

/* Called periodically: keeps the RSS baseline that "growth during the
 * pressure episode" is measured against. */
void lrg_oom_observe(struct lrg_oom *o, uint64_t now_ms);

/* Decide and (unless dry run) kill for one request. Writes a one-line
 * summary of what was decided into decision. Returns 1 if a process or
 * cgroup was killed, 0 if not (guarded, dry run, no victim), or -errno. */
int lrg_oom_handle(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t now_ms,
		   char *decision, size_t len);

struct lrg_oom_candidate;

/*
 * Rank the candidates of an OOM domain without killing anyone (lrugenctl
 * explain). The array stays owned by o and valid until the next call.
 * *ret_has_victim is false when every candidate is excluded.
 */
int lrg_oom_rank(struct lrg_oom *o, bool global, uint64_t memcg_id, uint64_t total_pages,
		 struct lrg_oom_candidate **ret_cands, size_t *ret_n, size_t *ret_victim,
		 bool *ret_has_victim);

struct lrg_oom_stats {
	uint64_t decisions, kills, dry_run_kills, guarded, no_victim, kill_errors;
};
void lrg_oom_get_stats(const struct lrg_oom *o, struct lrg_oom_stats *ret);

void lrg_oom_free(struct lrg_oom *o);

#endif /* LRG_OOM_H */
