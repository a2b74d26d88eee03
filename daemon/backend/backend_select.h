/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backend_select.h - choose the best backend the machine offers.
 */
#ifndef LRG_BACKEND_SELECT_H
#define LRG_BACKEND_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lrg_backend.h"
#include "lrg_config.h"

/*
 * want: "auto" tries kmod, then mglru, then proc, and logs why each better
 * one was not available; a named backend is used or the call fails with
 * its reason. Returns 0 and *ret, or a negative errno (already logged).
 */
int lrg_backend_select(const char *want, const struct lrg_daemon_config *dc,
		       struct lrg_backend **ret);
/* The same, with one line for lrugenctl status in why: why this backend. */
int lrg_backend_select_why(const char *want, const struct lrg_daemon_config *dc,
			   struct lrg_backend **ret, char *why, size_t len);

/*
 * Recovery from a kmod backend that stopped working (lrugen.ko unloaded or
 * failing): after LRG_BACKEND_KMOD_FAILURES harvests failed in a row it is
 * failing (why: the last error); the daemon then runs on the next backend
 * (mglru, then proc: lrg_backend_select_fallback()) and asks every
 * LRG_BACKEND_KMOD_PROBE_MS whether the module answers again
 * (lrg_backend_kmod_probe(): 0 when /sys/module/lrugen is live and INFO
 * works; never loads the module itself), to come back to kmod.
 */
#define LRG_BACKEND_KMOD_FAILURES 8
#define LRG_BACKEND_KMOD_PROBE_MS 5000
bool lrg_backend_is_kmod(const struct lrg_backend *b);
bool lrg_backend_failing(const struct lrg_backend *b, char *why, size_t len);
int lrg_backend_select_fallback(const struct lrg_daemon_config *dc, struct lrg_backend **ret,
				char *why, size_t len);
int lrg_backend_kmod_probe(char *why, size_t len);

#endif /* LRG_BACKEND_SELECT_H */
