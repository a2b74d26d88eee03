/* SPDX-License-Identifier: GPL-2.0-only */
/* manager_int.h - the event loop's state, shared by manager*.c only. */
#ifndef LRG_MANAGER_INT_H
#define LRG_MANAGER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "control.h"
#include "lrg_backend.h"
#include "lrg_config.h"
#include "lrg_policy.h"
#include "manager.h"
#include "oom.h"

struct manager {
	sd_event *event;
	sd_event_source *tick_source;
	struct lrg_backend *backend;
	struct lrg_policy *policy;
	struct lrg_oom *oom;
	struct lrg_control *control;
	struct lrg_config *cfg;
	const struct lrg_manager_opts *opts;
	uint64_t started_ms;
	uint64_t last_refresh_ms;
	uint64_t ticks;
	char last_decision[160];
};

/* Reload the config files; on success the new config is in force. diag
 * (may be NULL) receives the parser's diagnostics. Returns 0 or -EINVAL. */
int manager_reload(struct manager *m, struct lrg_diag *diag);

/* The control socket's handlers (manager_control.c). */
extern const struct lrg_control_ops manager_control_ops;

#endif /* LRG_MANAGER_INT_H */
