/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config_int.h - what the files of daemon/config/ share: the diagnostics
 * list, the loader that layers sources into a config, the profiles.
 */
#ifndef LRG_CONFIG_INT_H
#define LRG_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config_load.h"

/* Append an entry; an error is counted even if memory for it ran out, so
 * that a load with errors still fails. */
__attribute__((format(printf, 3, 4)))
void lrg_diag_add(struct lrg_diag *d, enum lrg_diag_level level, const char *fmt, ...);

struct lrg_work_slice {
	struct lrg_slice_config c;
	unsigned int set;	/* bit i: lrg_slice_keys[i] set by some layer */
};

enum lrg_section { LRG_SEC_NONE, LRG_SEC_DAEMON, LRG_SEC_DEFAULTS, LRG_SEC_SLICE, LRG_SEC_IGNORED };

/* Sources applied one after the other, later wins key by key. */
struct lrg_loader {
	struct lrg_daemon_config daemon;
	struct lrg_slice_config defaults;
	struct lrg_work_slice *ws;
	size_t nr_ws;
	struct lrg_diag *diag;
	bool nomem;
	bool in_profile;	/* applying an embedded profile */

	/* the source being applied */
	const char *file;
	int lineno;
	enum lrg_section sec;
	char sec_text[80];	/* "daemon", "slice NAME": for messages */
	size_t cur;		/* index in ws when sec == LRG_SEC_SLICE */
};

/* The base values, no slices; every problem goes to diag. */
void lrg_loader_init(struct lrg_loader *l, struct lrg_diag *diag);
void lrg_loader_free(struct lrg_loader *l);

/* Apply one source (file names it in messages); errors go to the diag,
 * running out of memory sets l->nomem. */
void lrg_loader_apply(struct lrg_loader *l, const char *file, const char *text, size_t len);

/* The config the layers make: slices take the keys they never set from
 * the final [slice *]. 0 or -ENOMEM; *ret untouched on failure. */
int lrg_loader_finish(struct lrg_loader *l, struct lrg_config *ret);

/* Apply the embedded profile called name (a name without a profile
 * applies nothing); the loader's profile is name afterwards. */
void lrg_loader_apply_profile(struct lrg_loader *l, const char *name);

#endif /* LRG_CONFIG_INT_H */
