// SPDX-License-Identifier: GPL-2.0-only
/* Victim ranking (core/oom_select.c): who dies first, and who never dies. */
#include <errno.h>
#include <string.h>

#include "lrg_config.h"
#include "oom_select.h"
#include "tap.h"

#define MIB(x) ((uint64_t)(x) * 256) /* pages */
#define TOTAL MIB(8192)

static struct lrg_oom_candidate cand(pid_t pid, const char *comm, uint64_t rss, uint64_t growth)
{
	struct lrg_oom_candidate c = { .pid = pid, .rss_pages = rss, .growth_pages = growth,
				       .start_time = (uint64_t)pid, .cgroup = "/user.slice/app.scope" };

	strncpy(c.comm, comm, sizeof(c.comm) - 1);
	return c;
}

static struct lrg_patterns pats(char **p, size_t n)
{
	return (struct lrg_patterns){ .n = n, .pats = p };
}

int main(void)
{
	struct lrg_slice_config slice;
	struct lrg_patterns none = { 0 };
	struct lrg_oom_candidate c[6];
	size_t idx = 99;
	int r;

	memset(&slice, 0, sizeof(slice));
	slice.oom = LRG_OOM_PROCESS;
	slice.min_ttl_ms = 1000;

	/* The runaway (grew 1 GiB) dies before the larger steady editor. */
	c[0] = cand(100, "editor", MIB(3000), 0);
	c[1] = cand(101, "tail", MIB(1200), MIB(1024));
	c[2] = cand(102, "small", MIB(10), MIB(5));
	r = lrg_oom_select(c, 3, &none, TOTAL, &idx);
	ok(r == 0 && idx == 1, "the process that grew most dies first (idx %zu)", idx);
	ok(!strcmp(c[1].reason, "grew most during the episode"), "its reason says so: %s", c[1].reason);

	/* Growth within the same 64 MiB step: the larger one dies. */
	c[0] = cand(100, "a", MIB(500), MIB(10));
	c[1] = cand(101, "b", MIB(900), MIB(20));
	r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
	ok(r == 0 && idx == 1, "no runaway: the largest dies (idx %zu)", idx);

	/* Never: pid 1, ourselves, kernel threads, oom_score_adj -1000, no rss. */
	c[0] = cand(1, "systemd", MIB(9000), MIB(9000));
	c[1] = cand(200, "lrugend", MIB(9000), MIB(9000));
	c[1].is_self = true;
	c[2] = cand(201, "kworker", MIB(9000), MIB(9000));
	c[2].is_kthread = true;
	c[3] = cand(202, "sshd", MIB(9000), MIB(9000));
	c[3].oom_score_adj = -1000;
	c[4] = cand(203, "zombie", 0, 0);
	r = lrg_oom_select(c, 5, &none, TOTAL, &idx);
	ok(r == -ESRCH, "init, self, kthreads, adj -1000 and empty processes are never chosen");
	ok(c[0].tier == LRG_TIER_EXCLUDED && !strcmp(c[0].reason, "init"), "init excluded: %s",
	   c[0].reason);
	ok(c[3].tier == LRG_TIER_EXCLUDED && strstr(c[3].reason, "-1000"), "adj -1000: %s",
	   c[3].reason);

	/* The largest process protected by the slice: the next one dies. */
	{
		char *prot[] = { "comm:gnome-shell" };

		slice.protect = pats(prot, 1);
		c[0] = cand(300, "gnome-shell", MIB(4000), MIB(2000));
		c[0].slice = &slice;
		c[1] = cand(301, "firefox", MIB(1000), 0);
		c[1].slice = &slice;
		r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
		ok(r == 0 && idx == 1, "a protected process never dies; the next candidate does");
		ok(c[0].tier == LRG_TIER_EXCLUDED && strstr(c[0].reason, "protect"), "reason: %s",
		   c[0].reason);
		slice.protect = none;
	}

	/* Global protect patterns match exe and cgroup too. */
	{
		char *prot[] = { "exe:/usr/bin/Xwayland", "cgroup:/user.slice/user-*.slice/session-*.scope" };
		struct lrg_patterns gp = pats(prot, 2);

		c[0] = cand(400, "Xwayland", MIB(800), 0);
		c[0].exe = "/usr/bin/Xwayland";
		c[0].exe_trusted = true;
		c[1] = cand(401, "bash", MIB(700), 0);
		c[1].cgroup = "/user.slice/user-1000.slice/session-2.scope";
		c[2] = cand(402, "app", MIB(100), 0);
		r = lrg_oom_select(c, 3, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 2, "global protect by exe and by cgroup (idx %zu)", idx);
	}

	/* oom=never slice: nobody there dies. */
	slice.oom = LRG_OOM_NEVER;
	c[0] = cand(500, "db", MIB(4000), MIB(4000));
	c[0].slice = &slice;
	r = lrg_oom_select(c, 1, &none, TOTAL, &idx);
	ok(r == -ESRCH, "slice oom=never: no victim");
	slice.oom = LRG_OOM_PROCESS;

	/* min_ttl_ms = 0: lrugend kills nothing in that slice. */
	slice.min_ttl_ms = 0;
	c[0] = cand(550, "batch", MIB(4000), MIB(4000));
	c[0].slice = &slice;
	r = lrg_oom_select(c, 1, &none, TOTAL, &idx);
	ok(r == -ESRCH && strstr(c[0].reason, "min_ttl_ms=0"), "slice min_ttl_ms=0: no victim (%s)",
	   c[0].reason);
	slice.min_ttl_ms = 1000;

	/* prefer beats size and growth; avoid loses to everything else. */
	{
		char *pref[] = { "comm:chrom*" }, *avoid[] = { "comm:big" };

		slice.prefer = pats(pref, 1);
		slice.avoid = pats(avoid, 1);
		c[0] = cand(600, "big", MIB(6000), MIB(6000));
		c[1] = cand(601, "chromium", MIB(100), 0);
		c[2] = cand(602, "other", MIB(200), 0);
		for (int i = 0; i < 3; i++)
			c[i].slice = &slice;
		r = lrg_oom_select(c, 3, &none, TOTAL, &idx);
		ok(r == 0 && idx == 1, "prefer pattern first (idx %zu)", idx);
		ok(c[0].tier == LRG_TIER_AVOID && lrg_oom_compare(&c[2], &c[0]) > 0,
		   "avoid pattern ranks after a normal candidate, despite growth and size");
		slice.prefer = none;
		slice.avoid = none;
	}

	/* oom_score_adj shifts badness by adj/1000 of memory, as the kernel does. */
	c[0] = cand(700, "a", MIB(1000), 0);
	c[0].oom_score_adj = 500;
	c[1] = cand(701, "b", MIB(4000), 0);
	r = lrg_oom_select(c, 2, &none, TOTAL, &idx);
	ok(r == 0 && idx == 0, "oom_score_adj 500 (+4 GiB of 8) outranks 3 GiB more rss");
	ok(c[0].badness == (int64_t)(MIB(1000) + 500 * (TOTAL / 1000)), "badness = rss + adj*total/1000");

	/* A protected runaway's kill never passes to another user. */
	{
		char *prot[] = { "exe:/usr/lib/systemd/systemd" };
		struct lrg_patterns gp = pats(prot, 1);

		/* uid 1000's LD_PRELOADed systemd grows; uid 1001's app is larger */
		c[0] = cand(800, "systemd", MIB(600), MIB(600));
		c[0].exe = "/usr/lib/systemd/systemd";
		c[0].exe_trusted = true;
		c[0].uid = c[0].euid = 1000;
		c[1] = cand(801, "app", MIB(900), 0);
		c[1].uid = c[1].euid = 1001;
		r = lrg_oom_select(c, 2, &gp, TOTAL, &idx);
		ok(r == -ESRCH && c[1].tier == LRG_TIER_EXCLUDED && strstr(c[1].reason, "another user"),
		   "a protected runaway: another user's app is not chosen instead (%s)", c[1].reason);
		/* the runaway's user's own other process is */
		c[2] = cand(802, "editor", MIB(100), 0);
		c[2].uid = c[2].euid = 1000;
		r = lrg_oom_select(c, 3, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 2, "a protected runaway: its own user's process is chosen (idx %zu)", idx);
		/* a protected root process that grows passes nothing on: root's rules */
		c[0].uid = c[0].euid = 0;
		r = lrg_oom_select(c, 2, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 1, "a protected root process: the others stay candidates (idx %zu)", idx);
		/* a protected process that did not grow is no runaway */
		c[0].uid = c[0].euid = 1000;
		c[0].growth_pages = 0;
		r = lrg_oom_select(c, 2, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 1, "a protected steady process: the others stay candidates (idx %zu)", idx);
		/* another user's runaway that grew as much is a runaway too */
		c[0].growth_pages = MIB(600);
		c[1].growth_pages = MIB(600);
		r = lrg_oom_select(c, 2, &gp, TOTAL, &idx);
		ok(r == 0 && idx == 1, "two runaways, one protected: the other is chosen (idx %zu)", idx);
		/* an unknown uid is not the runaway's user */
		c[1].growth_pages = 0;
		c[1].uid = c[1].euid = (uid_t)-1;
		r = lrg_oom_select(c, 2, &gp, TOTAL, &idx);
		ok(r == -ESRCH, "a protected runaway: a process of unknown uid is not chosen instead");
	}

	/* A runaway split over many small processes is one runaway. */
	{
		for (int i = 0; i < 5; i++) {
			c[i] = cand(900 + i, "leak", MIB(40), MIB(40));
			c[i].cgroup = "/user.slice/user-1000.slice/split.scope";
		}
		c[2].growth_pages = MIB(44);
		c[2].rss_pages = MIB(50);
		c[5] = cand(905, "ui", MIB(96), 0);
		c[5].cgroup = "/user.slice/user-1001.slice/app-ui.scope";
		r = lrg_oom_select(c, 6, &none, TOTAL, &idx);
		ok(r == 0 && idx == 2 && c[2].group_growth_pages == MIB(204),
		   "five processes that grew 40 MiB each in one scope outrank a steady 96 MiB one: "
		   "the largest of them (idx %zu, its cgroup grew %llu MiB)", idx,
		   (unsigned long long)c[2].group_growth_pages / 256);
		ok(c[5].group_growth_pages == 0 && lrg_oom_compare(&c[0], &c[5]) > 0,
		   "the steady process's cgroup grew nothing");
		ok(strstr(c[2].reason, "cgroup grew most") != NULL, "reason: %s", c[2].reason);
		/* the same processes each in a cgroup of its own: no group */
		const char *own[] = { "/a.scope", "/b.scope", "/c.scope", "/d.scope", "/e.scope" };

		for (int i = 0; i < 5; i++)
			c[i].cgroup = own[i];
		r = lrg_oom_select(c, 6, &none, TOTAL, &idx);
		ok(r == 0 && idx == 5, "five small growers in five cgroups: the largest goes (idx %zu)", idx);
		/* an excluded process's growth does not count for its cgroup */
		for (int i = 0; i < 5; i++)
			c[i].cgroup = "/user.slice/user-1000.slice/split.scope";
		c[0].oom_score_adj = -1000;
		c[1].oom_score_adj = -1000;
		c[3].oom_score_adj = -1000;
		c[4].oom_score_adj = -1000;
		r = lrg_oom_select(c, 6, &none, TOTAL, &idx);
		ok(r == 0 && c[2].group_growth_pages == MIB(44) && idx == 5,
		   "growth of processes that may not be killed is not summed (%llu MiB: idx %zu)",
		   (unsigned long long)c[2].group_growth_pages / 256, idx);
	}

	return tap_done();
}
