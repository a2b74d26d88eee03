/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * schema.h - the keys of lrugend.conf: where each lands in struct
 * lrg_config, what it accepts, and the values under every profile.
 */
#ifndef LRG_CONFIG_SCHEMA_H
#define LRG_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "config_load.h"

#define LRG_DEFAULT_PROFILE "desktop"

enum lrg_key_kind {
	LRG_K_BOOL,	/* bool */
	LRG_K_DURATION,	/* uint32_t ms, suffix ms/s/min allowed */
	LRG_K_INT,	/* int */
	LRG_K_PCT,	/* uint32_t */
	LRG_K_OOM,	/* enum lrg_oom_policy */
	LRG_K_PATTERNS,	/* struct lrg_patterns */
	LRG_K_MATCH,	/* char[256] glob */
	LRG_K_BACKEND,	/* char[16] from the backend names */
	LRG_K_PROFILE,	/* char[32] naming an embedded profile */
};

struct lrg_key {
	const char *name;
	enum lrg_key_kind kind;
	size_t off;		/* in struct lrg_daemon_config or lrg_slice_config */
	long long min, max;	/* numbers: the allowed range */
};

/* [daemon] keys, then [slice NAME] keys; a slice key's index in its table
 * is its bit in the loader's "set by some layer" mask. */
extern const struct lrg_key lrg_daemon_keys[];
extern const size_t lrg_nr_daemon_keys;
extern const struct lrg_key lrg_slice_keys[];
extern const size_t lrg_nr_slice_keys;

/* The safety net under every profile; each profile sets all of these. */
extern const struct lrg_daemon_config lrg_base_daemon;
extern const struct lrg_slice_config lrg_base_slice;

/* Where a value's problems go; the receiver adds file, line and section. */
struct lrg_report {
	void (*fn)(void *ctx, enum lrg_diag_level level, const char *key, const char *msg);
	void *ctx;
};

/* The key called name in keys[0..n), or NULL. */
const struct lrg_key *lrg_key_find(const struct lrg_key *keys, size_t n, const char *name);

/* Parse value into the field of k in base (a daemon or slice config).
 * Returns 0; -EINVAL after reporting why; -ENOMEM. On failure the field
 * keeps its value. A pattern list replaces the old one; "" clears it. */
int lrg_key_set(const struct lrg_key *k, void *base, const char *value,
		const struct lrg_report *rep);

/* Copy the field of k from one config to another (patterns deep); 0 or -ENOMEM. */
int lrg_key_copy(const struct lrg_key *k, void *to, const void *from);

/* Print "name = value" as the file spells it. */
void lrg_key_print(const struct lrg_key *k, const void *base, FILE *f);

#endif /* LRG_CONFIG_SCHEMA_H */
