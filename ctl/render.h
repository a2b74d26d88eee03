/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * render.h - lrugenctl's text views of the daemon's JSON replies (the
 * documents control_json.h describes). Pure: a parsed document in, text
 * out, so tests render canned JSON without a daemon.
 *
 * Each returns 0, or -EINVAL when the document lacks what the view needs
 * (an older or newer daemon); nothing is guessed.
 */
#ifndef LRG_CTL_RENDER_H
#define LRG_CTL_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct lrg_render_opts {
	bool ascii;        /* '#' bars instead of Unicode blocks */
	int bar_width;     /* columns of the longest bar; 0: 32 */
};

/* "12.0M"-style size of n bytes into buf (at least 8 bytes). */
const char *lrg_ctl_human(uint64_t bytes, char *buf, size_t len);

int lrg_ctl_render_status(FILE *f, const struct lrg_jval *status, const struct lrg_render_opts *o);
int lrg_ctl_render_stats(FILE *f, const struct lrg_jval *stats, const struct lrg_render_opts *o);
int lrg_ctl_render_gens(FILE *f, const struct lrg_jval *gens, const struct lrg_render_opts *o);
int lrg_ctl_render_wss(FILE *f, const struct lrg_jval *wss, const struct lrg_render_opts *o);
int lrg_ctl_render_explain(FILE *f, const struct lrg_jval *explain, const struct lrg_render_opts *o);
/*
 * One frame of `lrugenctl top`: a status header with rates against prev
 * (the status of the previous frame, NULL on the first), the wss table and
 * the first candidates of explain (NULL: left out). No screen control
 * codes: the caller clears the screen.
 */
int lrg_ctl_render_top(FILE *f, const struct lrg_jval *status, const struct lrg_jval *prev,
		       uint64_t interval_ms, const struct lrg_jval *wss,
		       const struct lrg_jval *explain, const struct lrg_render_opts *o);

#endif /* LRG_CTL_RENDER_H */
