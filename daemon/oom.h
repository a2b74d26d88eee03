/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oom.h - the policy engine's OOM requests, served: the facts are read
 * (host/oom_scan.h), the decision made on them (core/oom_decide.h) and
 * acted on (oom_act.h): the kill first, then the log, the journal event and
 * the desktop notification.
 */
#ifndef LRG_OOM_H
#define LRG_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrg_backend.h"
#include "lrg_config.h"
#include "lrg_policy.h"
#include "oom_act.h"
#include "oom_types.h"

struct lrg_oom;

/* Prepares the storage and the cgroup2 mount the decide-and-kill path needs. */
int lrg_oom_new(struct lrg_backend *b, const struct lrg_config *cfg, struct lrg_oom **ret);
void lrg_oom_set_config(struct lrg_oom *o, const struct lrg_config *cfg);
/* Replace what the act does and says (tests); ctx is handed to ops. */
void lrg_oom_set_act_ops(struct lrg_oom *o, const struct lrg_oom_act_ops *ops, void *ctx);

/* Called periodically: keeps the RSS + swap baseline that "growth during
 * the pressure episode" is measured against, and sizes the storage. Judges
 * the machine on the tick's last figures (lrg_oom_note_machine) when they
 * are under a second old, else measures it. */
void lrg_oom_observe(struct lrg_oom *o, uint64_t now_ms);

/* Every tick, with the machine's figures the tick read: whether the
 * kernel's OOM killer acted, and when its victim's memory came back. */
void lrg_oom_note_machine(struct lrg_oom *o, const struct lrg_pressure *machine, uint64_t now_ms);

/* Run the decide-and-kill path once, on nobody, so that under mlockall
 * everything it touches is present before it is needed. */
void lrg_oom_prefault(struct lrg_oom *o);

/* Decide and (unless dry run) kill for one request. Writes a one-line
 * summary of what was decided into decision. Returns 1 if a process or
 * cgroup was killed, 0 if not (guarded, dry run, no victim), or -errno. */
int lrg_oom_handle(struct lrg_oom *o, const struct lrg_oom_request *req, uint64_t now_ms,
		   char *decision, size_t len);

/*
 * Rank the candidates of an OOM domain without killing anyone (lrugenctl
 * explain). The array stays owned by o and valid until the next call.
 * *ret_has_victim is false when every candidate is excluded.
 */
int lrg_oom_rank(struct lrg_oom *o, bool global, uint64_t memcg_id, uint64_t total_pages,
		 struct lrg_oom_candidate **ret_cands, size_t *ret_n, size_t *ret_victim,
		 bool *ret_has_victim);

void lrg_oom_get_stats(const struct lrg_oom *o, struct lrg_oom_stats *ret);

void lrg_oom_free(struct lrg_oom *o);

#endif /* LRG_OOM_H */
