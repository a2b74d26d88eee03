/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * manager.h - the daemon's event loop: owns the backend, the policy engine
 * and the config; turns timers and signals into policy ticks and reloads.
 */
#ifndef LRG_MANAGER_H
#define LRG_MANAGER_H

#include <stdbool.h>

#include "lrg_backend.h"
#include "config_load.h"

struct lrg_manager_opts {
	const char *config_path;   /* main config file */
	const char *dropin_dir;    /* its drop-in directory */
	const char *backend;       /* NULL: from the config */
	bool dry_run;              /* --dry-run: overrides the config */
	const char *config_fallback; /* why the built-in profile stands in for the files; NULL: it does not */
};

/* Journal event: the configuration was rejected at start, the built-in
 * profile runs instead (lrugend(8), JOURNAL EVENTS). */
#define LRG_MESSAGE_ID_CONFIG_FALLBACK "333c06955f3c47f1aecf937b7497c8d2"

/* Exit codes, listed in lrugend(8) EXIT STATUS. */
enum lrg_exit {
	LRG_EXIT_OK = 0,
	LRG_EXIT_FAILURE = 1,      /* runtime failure */
	LRG_EXIT_USAGE = 2,        /* bad command line */
	LRG_EXIT_CONFIG = 3,       /* the configuration is invalid (--check-config, --sim) */
	LRG_EXIT_NO_BACKEND = 4,   /* no usable backend */
};

/* Load the config files; print every diagnostic with its file:line.
 * Returns 0, or -EINVAL when the config has errors (*ret untouched). */
int lrg_manager_load_config(const char *path, const char *dropin_dir, struct lrg_config *ret);

/*
 * The config at start: the files, or when they have errors the built-in
 * desktop profile, so that a typo does not leave the machine unguarded.
 * Then why (why_len bytes) says so, and the journal hears it as a
 * critical CONFIG_FALLBACK event; else why is "".
 */
void lrg_manager_boot_config(const char *path, const char *dropin_dir, struct lrg_config *ret,
			     char *why, size_t why_len);

/* Run until SIGTERM/SIGINT; returns an enum lrg_exit. */
int lrg_manager_run(const struct lrg_manager_opts *o, struct lrg_config *cfg);

#endif /* LRG_MANAGER_H */
