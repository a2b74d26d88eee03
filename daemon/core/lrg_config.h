/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrg_config.h - lrugend's effective configuration: the policy's input.
 *
 * The types, and copying and freeing them, are the core's; reading them
 * from lrugend.conf is daemon/config/ (config_load.h), matching a cgroup or
 * a process against them is match.h.
 */
#ifndef LRG_CONFIG_H
#define LRG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lrg_oom_policy {
	LRG_OOM_PROCESS = 0,  /* kill one process */
	LRG_OOM_CGROUP,       /* kill the whole cgroup (cgroup.kill) */
	LRG_OOM_NEVER,        /* never kill in this slice */
};

/* fnmatch(3) globs, matched against a process's comm, exe path and cgroup
 * path; a prefix "comm:", "exe:" or "cgroup:" restricts one to that field. */
struct lrg_patterns {
	size_t n;
	char **pats;
};

struct lrg_slice_config {
	char name[64];            /* the section's name: [slice NAME] */
	char match[256];          /* glob on cgroup path or unit name; default NAME */
	uint32_t min_ttl_ms;      /* protect the working set of the last N ms; 0 = off */
	int swappiness;           /* 0..200; -1 = the kernel's vm.swappiness */
	uint32_t aging_interval_ms; /* how often aging may create a generation */
	bool evict;               /* may lrugend evict here at all */
	uint32_t evict_min_age_ms; /* proactive: evict generations older than this; 0 = only under pressure */
	uint32_t refault_ceiling_pct; /* proactive reclaim backs off above this refault rate; 0 = no ceiling */
	enum lrg_oom_policy oom;
	struct lrg_patterns prefer;  /* kill these first */
	struct lrg_patterns avoid;   /* kill these last */
	struct lrg_patterns protect; /* never kill these */
	bool protect_memory;      /* min_ttl's working set held by memory.min against the kernel */
	int respawn_kills;        /* this many kills in one cgroup within respawn_window_ms */
	uint32_t respawn_window_ms; /* ... kill that whole cgroup (0 kills: never) */
	/* where it was last set, for messages */
	char file[256];
	int line;
};

struct lrg_daemon_config {
	char backend[16];          /* auto|kmod|mglru|proc|sim */
	char profile[32];          /* desktop|laptop-hdd|server */
	bool dry_run;              /* decide and log, never kill or evict */
	uint32_t poll_interval_ms; /* pressure sampling period */
	uint32_t tick_budget_ms;   /* work per policy tick before the loop is served again */
	uint32_t kill_timeout_ms;  /* overkill guard: wait for the victim's memory this long */
	bool enable_mglru;         /* may switch /sys/kernel/mm/lru_gen/enabled on */
	bool mount_debugfs;        /* may mount debugfs to reach lru_gen */
	bool notify_desktop;       /* D-Bus notification to the victim's session */
	uint32_t protect_cap_pct;  /* all protection together: at most this % of RAM; 0 = off */
	struct lrg_patterns protect; /* global: never killed, whatever the slice says */
};

struct lrg_config {
	struct lrg_daemon_config daemon;
	struct lrg_slice_config defaults;  /* for cgroups no slice matches: [slice *] */
	struct lrg_slice_config *slices;   /* in order of first appearance */
	size_t nr_slices;
};

/* Free every list and slice of c (c itself is the caller's); NULL is fine. */
void lrg_config_free(struct lrg_config *c);

/* Deep copy (the engine keeps its own); 0 or -ENOMEM, *ret untouched on failure. */
int lrg_config_dup(const struct lrg_config *src, struct lrg_config *ret);

/* The lists of a slice, freed; the slice itself is the caller's. */
void lrg_slice_config_free(struct lrg_slice_config *s);

/* Deep copy of a slice; 0 or -ENOMEM, *ret untouched on failure. */
int lrg_slice_config_dup(const struct lrg_slice_config *src, struct lrg_slice_config *ret);

void lrg_patterns_free(struct lrg_patterns *p);

/* Deep copy of a list; 0 or -ENOMEM, *ret untouched on failure. */
int lrg_patterns_dup(const struct lrg_patterns *src, struct lrg_patterns *ret);

/* "process", "cgroup" or "never" (the file's spelling), "?" if out of range. */
const char *lrg_oom_policy_name(enum lrg_oom_policy o);

#endif /* LRG_CONFIG_H */
