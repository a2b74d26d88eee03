/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lrg_config.h - lrugend's effective configuration.
 *
 * Sources, in order, later wins: the built-in desktop profile, the profile
 * named by `profile =` in [daemon], /etc/lrugend/lrugend.conf, then
 * /etc/lrugend/lrugend.conf.d/ *.conf in lexical order.
 *
 * The parser never logs: every problem becomes a struct lrg_diag entry
 * naming file:line, the key and what was expected; the caller prints them.
 */
#ifndef LRG_CONFIG_H
#define LRG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LRG_CONFIG_PATH SYSCONFDIR "/lrugend/lrugend.conf"
#define LRG_CONFIG_DROPIN_DIR SYSCONFDIR "/lrugend/lrugend.conf.d"

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
	struct lrg_patterns protect; /* global: never killed, whatever the slice says */
};

struct lrg_config {
	struct lrg_daemon_config daemon;
	struct lrg_slice_config defaults;  /* for cgroups no slice matches: [slice *] */
	struct lrg_slice_config *slices;   /* in order of first appearance */
	size_t nr_slices;
};

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

/* The slice config for a cgroup path like "/user.slice/user-1000.slice/app-x.scope":
 * the most specific matching slice (longest match), else defaults.
 * A match glob without '/' names any cgroup whose own name (one path
 * component: a unit name like "app-*.scope") matches; one with '/' names
 * the cgroups whose full path matches, '*' not crossing '/'. A slice
 * covers what it names and everything below. Most specific: the slice
 * naming the deepest cgroup on the path, then the glob with the most
 * literal characters, then the later section. Never NULL. */
const struct lrg_slice_config *lrg_config_match(const struct lrg_config *c,
						const char *cgroup_path);

/* true if any pattern matches comm, exe or cgroup (any may be NULL). */
bool lrg_patterns_match(const struct lrg_patterns *p, const char *comm,
			const char *exe, const char *cgroup);

/* Print the effective config in the file format it was read from. */
void lrg_config_print(const struct lrg_config *c, FILE *f);

void lrg_config_free(struct lrg_config *c);
void lrg_diag_free(struct lrg_diag *d);

/* For --check-config and tools: one line per entry, "warning: MSG" or
 * "error: MSG". The daemon logs entries itself, with their level. */
void lrg_diag_print(const struct lrg_diag *d, FILE *f);

/* Deep copy (the engine keeps its own); 0 or -ENOMEM, *ret untouched on failure. */
int lrg_config_dup(const struct lrg_config *src, struct lrg_config *ret);

/* The embedded text of a built-in profile ("desktop", "laptop-hdd",
 * "server"), exactly as conf/profiles/NAME.conf; NULL if there is none. */
const char *lrg_config_profile_text(const char *name);

/* "process", "cgroup" or "never" (the file's spelling), "?" if out of range. */
const char *lrg_oom_policy_name(enum lrg_oom_policy o);

#endif /* LRG_CONFIG_H */
