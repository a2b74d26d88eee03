// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_match - rules rest on facts only root controls: comm globs believed
 * of root's processes only, exe globs of root's files at their true path
 * only, cgroup globs anchored at the root of the tree and kept out of a
 * user manager's subtree. Each spoof the issue found, tried and refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "oom_select.h"
#include "tap.h"

#define USER_MGR "/user.slice/user-1000.slice/user@1000.service"

static struct lrg_patterns pats(char **p, size_t n)
{
	return (struct lrg_patterns){ .n = n, .pats = p };
}

static struct lrg_proc_facts proc(const char *comm, uid_t uid, const char *exe, bool trusted,
				  const char *cgroup)
{
	return (struct lrg_proc_facts){ .comm = comm, .uid = uid, .euid = uid, .exe = exe,
					.exe_trusted = trusted, .cgroup = cgroup };
}

/* What each kind looks at, and nothing else. */
static void test_fields(void)
{
	char *p[] = { "comm:bash", "exe:/opt/python3*", "cgroup:/system.slice/cron.service" };
	struct lrg_patterns comm = pats(p, 1), all = pats(p, 3), none = pats(NULL, 0);
	struct lrg_proc_facts f = proc(NULL, 0, "/usr/bin/bash", true, "/bash");

	ok(!lrg_patterns_match(&comm, &f), "comm: does not look at exe or cgroup");
	f = proc("python3", 0, "/usr/bin/perl", true, "/x.scope");
	ok(!lrg_patterns_match(&all, &f), "exe:/opt/python3* does not match comm python3");
	f = proc("x", 0, "/usr/bin/x", true, "/system.slice/cron2.service");
	ok(!lrg_patterns_match(&all, &f), "cgroup: a path glob is exact per component");
	f = proc(NULL, 0, NULL, false, NULL);
	ok(!lrg_patterns_match(&all, &f) && !lrg_patterns_match(&all, NULL), "nothing to match: false");
	f = proc("bash", 0, "/bin/bash", true, "/");
	ok(!lrg_patterns_match(&none, &f), "empty list: false");
}

static void test_comm(void)
{
	char *p[] = { "comm:sshd", "Xorg" };
	struct lrg_patterns l = pats(p, 2);
	struct lrg_proc_facts f = proc("sshd", 0, NULL, false, NULL);

	ok(lrg_patterns_match(&l, &f), "comm: a root process named sshd matches");
	f.uid = f.euid = 1000;
	ok(!lrg_patterns_match(&l, &f), "comm: a uid 1000 process named sshd does not");
	f.euid = 0;
	ok(!lrg_patterns_match(&l, &f), "comm: nor one run setuid root by uid 1000 (real uid 1000)");
	f.uid = 0;
	f.euid = 1000;
	ok(!lrg_patterns_match(&l, &f), "comm: nor one of effective uid 1000");
	f = proc("sshd", (uid_t)-1, NULL, false, NULL);
	ok(!lrg_patterns_match(&l, &f), "comm: nor one whose uid is unknown");
	f = proc("Xorg", 1000, NULL, false, "/user.slice");
	ok(!lrg_patterns_match(&l, &f), "no prefix: a uid 1000 process named Xorg does not match either");
	f.uid = f.euid = 0;
	ok(lrg_patterns_match(&l, &f), "no prefix: the root one does");
}

static void test_exe(void)
{
	char *p[] = { "exe:/usr/lib/xorg/Xorg", "exe:/opt/*" };
	char *bare[] = { "exe:Xorg", "exe:*Xorg" };
	struct lrg_patterns l = pats(p, 2), b = pats(bare, 2);
	struct lrg_proc_facts f = proc("x", 1000, "/usr/lib/xorg/Xorg", true, NULL);

	ok(lrg_patterns_match(&l, &f), "exe: root's binary at its path matches, whoever runs it");
	f.exe_trusted = false;
	ok(!lrg_patterns_match(&l, &f),
	   "exe: not when the file is not root's, is writable by others or the path names another file");
	f = proc("x", 1000, "/opt/app/bin/app", true, NULL);
	ok(lrg_patterns_match(&l, &f), "exe: '*' spans directories");
	f = proc("x", 0, "/usr/lib/xorg/Xorg", true, NULL);
	ok(!lrg_patterns_match(&b, &f), "exe: a glob that is not an absolute path never matches");
}

static void test_cgroup(void)
{
	char *init[] = { "cgroup:init.scope" }, *sys[] = { "cgroup:/system.slice" };
	char *wild[] = { "cgroup:/user.slice/*/*/init.scope", "/*/*/*/*" };
	char *mgr[] = { "cgroup:/user.slice/user-*.slice/user@*.service/init.scope" };
	struct lrg_patterns li = pats(init, 1), ls = pats(sys, 1), lw = pats(wild, 2), lm = pats(mgr, 1);
	struct lrg_proc_facts f = proc("x", 1000, NULL, false, "/init.scope");
	char deep[4096], *d = deep;

	ok(lrg_patterns_match(&li, &f), "cgroup: a name without '/' names the cgroup at the top");
	f.cgroup = USER_MGR "/init.scope";
	ok(!lrg_patterns_match(&li, &f), "cgroup: not a user manager's init.scope");
	f.cgroup = "/user.slice/user-1000.slice/session-2.scope/init.scope";
	ok(!lrg_patterns_match(&li, &f), "cgroup: nor an init.scope anywhere else below the top");
	f.cgroup = "/system.slice/cron.service";
	ok(lrg_patterns_match(&ls, &f), "cgroup: a path names its subtree");
	f.cgroup = USER_MGR "/system.slice/cron.service";
	ok(!lrg_patterns_match(&ls, &f), "cgroup: a user-made .../system.slice under user@ is not /system.slice");
	f.cgroup = USER_MGR "/init.scope";
	ok(!lrg_patterns_match(&lw, &f), "cgroup: no wildcard stands for a user@UID.service component");
	ok(lrg_patterns_match(&lm, &f), "cgroup: a glob spelling user@ there reaches into the user's subtree");

	d += sprintf(d, "/system.slice");
	for (int i = 0; i < 40; i++)
		d += sprintf(d, "/level-%02d-with-a-long-name-to-pass-256-bytes.slice", i);
	f.cgroup = deep;
	ok(lrg_patterns_match(&ls, &f), "cgroup: a %zu-byte path, 41 deep, still matches its ancestor",
	   strlen(deep));
}

static void test_slices(void)
{
	struct lrg_slice_config s[3] = {
		{ .name = "user.slice", .match = "user.slice" },
		{ .name = "system.slice", .match = "/system.slice" },
		{ .name = "init", .match = "init.scope", .oom = LRG_OOM_NEVER },
	};
	struct lrg_config c = { .defaults = { .name = "*" }, .slices = s, .nr_slices = 3 };

	ok(!strcmp(lrg_config_match(&c, "/init.scope")->name, "init"), "slice: /init.scope gets [slice init]");
	ok(!strcmp(lrg_config_match(&c, USER_MGR "/init.scope")->name, "user.slice"),
	   "slice: " USER_MGR "/init.scope gets user.slice, not [slice init]");
	ok(!strcmp(lrg_config_match(&c, USER_MGR "/system.slice/x.service")->name, "user.slice"),
	   "slice: a user-made .../system.slice/x.service under user@ gets user.slice");
	ok(!strcmp(lrg_config_match(&c, "/system.slice/x.service")->name, "system.slice"),
	   "slice: /system.slice/x.service gets system.slice");
	ok(lrg_config_match(&c, "/machine.slice/init.scope") == &c.defaults,
	   "slice: an init.scope below another slice gets [slice *]");
}

static struct lrg_oom_candidate cand(pid_t pid, const char *comm, uid_t uid, const char *cgroup,
				     const struct lrg_slice_config *s)
{
	struct lrg_oom_candidate c = { .pid = pid, .rss_pages = 1000 + (uint64_t)pid, .uid = uid,
				       .euid = uid, .start_time = (uint64_t)pid, .cgroup = cgroup,
				       .slice = s };

	snprintf(c.comm, sizeof(c.comm), "%s", comm);
	return c;
}

/* The ranking sees through the names: a user's sshd, Xorg or bash is a
 * normal candidate, so its size and growth decide. */
static void test_ranking(void)
{
	char *gp[] = { "comm:sshd", "comm:Xorg" }, *av[] = { "comm:bash" };
	struct lrg_patterns global = pats(gp, 2);
	struct lrg_slice_config user = { .name = "user.slice", .match = "/user.slice", .min_ttl_ms = 1000,
					 .avoid = pats(av, 1) };
	struct lrg_slice_config init = { .name = "init", .match = "/init.scope", .min_ttl_ms = 1000,
					 .oom = LRG_OOM_NEVER };
	struct lrg_oom_candidate c[4] = {
		cand(100, "sshd", 1000, "/user.slice/user-1000.slice/session-2.scope", &user),
		cand(101, "Xorg", 1000, "/user.slice/user-1000.slice/session-2.scope", &user),
		cand(102, "bash", 1000, "/user.slice/user-1000.slice/session-2.scope", &user),
		cand(103, "sshd", 0, "/system.slice/ssh.service", NULL),
	};
	struct lrg_slice_config slices[2];
	struct lrg_config cfg = { .slices = slices, .nr_slices = 2 };
	size_t idx = 0;
	int r;

	c[2].growth_pages = 10 * LRG_OOM_GROWTH_STEP_PAGES;
	r = lrg_oom_select(c, 4, &global, 1 << 21, &idx);
	ok(r == 0 && idx == 2, "rank: uid 1000's growing bash dies first (idx %zu: %s)", idx, c[idx].reason);
	ok(c[0].tier == LRG_TIER_NORMAL && c[1].tier == LRG_TIER_NORMAL && c[2].tier == LRG_TIER_NORMAL,
	   "rank: uid 1000's sshd and Xorg are not protected, its bash not avoided");
	ok(c[3].tier == LRG_TIER_EXCLUDED, "rank: root's sshd is protected (%s)", c[3].reason);
	slices[0] = user;
	slices[1] = init;
	c[0] = cand(100, "x", 1000, USER_MGR "/init.scope", lrg_config_match(&cfg, USER_MGR "/init.scope"));
	r = lrg_oom_select(c, 1, NULL, 1 << 21, &idx);
	ok(!strcmp(c[0].slice->name, "user.slice") && r == 0,
	   "rank: a runaway moved into its user@.service/init.scope is killable (%s)", c[0].reason);
}

int main(void)
{
	test_fields();
	test_comm();
	test_exe();
	test_cgroup();
	test_slices();
	test_ranking();
	return tap_done();
}
