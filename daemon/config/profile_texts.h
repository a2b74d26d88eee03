/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * profile_texts.h - the built-in profiles, embedded at build time.
 *
 * daemon/config/config.am generates profile_texts.c from conf/profiles/ *.conf,
 * so the files users read and the values the daemon uses cannot drift.
 */
#ifndef LRG_PROFILE_TEXTS_H
#define LRG_PROFILE_TEXTS_H

struct lrg_profile_text {
	const char *name;	/* file name without .conf */
	const char *text;	/* the whole file */
};

/* Terminated by { NULL, NULL }. */
extern const struct lrg_profile_text lrg_profile_texts[];

#endif /* LRG_PROFILE_TEXTS_H */
