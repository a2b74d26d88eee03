/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backend_select.h - choose the best backend the machine offers.
 */
#ifndef LRG_BACKEND_SELECT_H
#define LRG_BACKEND_SELECT_H

#include "lrg_backend.h"
#include "lrg_config.h"

/*
 * want: "auto" tries kmod, then mglru, then proc, and logs why each better
 * one was not available; a named backend is used or the call fails with
 * its reason. Returns 0 and *ret, or a negative errno (already logged).
 */
int lrg_backend_select(const char *want, const struct lrg_daemon_config *dc,
		       struct lrg_backend **ret);

#endif /* LRG_BACKEND_SELECT_H */
