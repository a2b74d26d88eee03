/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config_profiles.h - the built-in profiles, embedded at build time.
 *
 * daemon/config.am generates config_profiles.c from conf/profiles/ *.conf,
 * so the files users read and the values the daemon uses cannot drift.
 */
#ifndef LRG_CONFIG_PROFILES_H
#define LRG_CONFIG_PROFILES_H

struct lrg_profile_text {
	const char *name;	/* file name without .conf */
	const char *text;	/* the whole file */
};

/* Terminated by { NULL, NULL }. */
extern const struct lrg_profile_text lrg_profile_texts[];

#endif /* LRG_CONFIG_PROFILES_H */
