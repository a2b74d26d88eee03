/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config_load.h - reading lrugend.conf into a struct lrg_config.
 *
 * Sources, in order, later wins: the built-in desktop profile, the profile
 * named by `profile =` in [daemon], /etc/lrugend/lrugend.conf, then
 * /etc/lrugend/lrugend.conf.d/ *.conf in lexical order.
 *
 * The parser never logs: every problem becomes a struct lrg_diag entry
 * naming file:line, the key and what was expected; the caller prints them.
 */
#ifndef LRG_CONFIG_LOAD_H
#define LRG_CONFIG_LOAD_H

#include <stdio.h>

#include "lrg_config.h"

#define LRG_CONFIG_PATH SYSCONFDIR "/lrugend/lrugend.conf"
#define LRG_CONFIG_DROPIN_DIR SYSCONFDIR "/lrugend/lrugend.conf.d"

enum lrg_diag_level { LRG_DIAG_WARNING, LRG_DIAG_ERROR };

struct lrg_diag_entry {
	enum lrg_diag_level level;
	char msg[512];   /* "file:line: [section] key: what was wrong (expected ...)" */
};

struct lrg_diag {
	size_t n, nr_errors;
	struct lrg_diag_entry *entries;
};

/* Fill c with the built-in defaults (the desktop profile). Cannot fail: if
 * memory runs out, c gets the base values with no slices or patterns.
 * Free with lrg_config_free. */
void lrg_config_defaults(struct lrg_config *c);

/*
 * Load main_path then every *.conf in dropin_dir (either may be NULL or
 * missing). On success (no errors; warnings allowed) returns 0 and fills
 * *ret. On any error returns -EINVAL, leaves *ret untouched, and diag says
 * why. diag is always filled; free it with lrg_diag_free.
 *
 * *ret is overwritten, not freed: on SIGHUP load into a fresh struct and,
 * on success, lrg_config_free() the old one and take the new. An unreadable
 * file is a config error (-EINVAL with a diag entry); -ENOMEM if memory ran
 * out (diag may then be incomplete).
 */
int lrg_config_load(const char *main_path, const char *dropin_dir,
		    struct lrg_config *ret, struct lrg_diag *diag);

/* Print the effective config in the file format it was read from. */
void lrg_config_print(const struct lrg_config *c, FILE *f);

void lrg_diag_free(struct lrg_diag *d);

/* For --check-config and tools: one line per entry, "warning: MSG" or
 * "error: MSG". The daemon logs entries itself, with their level. */
void lrg_diag_print(const struct lrg_diag *d, FILE *f);

/* The embedded text of a built-in profile ("desktop", "laptop-hdd",
 * "server"), exactly as conf/profiles/NAME.conf; NULL if there is none. */
const char *lrg_config_profile_text(const char *name);

#endif /* LRG_CONFIG_LOAD_H */
