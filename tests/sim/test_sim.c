// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the simulated kernel: page-table bits, the classic LRU,
 * refaults, the OOM killer, pid reuse, and workload file errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "tap.h"

static char path[64];

static const char *workload(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_sim.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static struct lrg_sim *load(const char *text)
{
	struct lrg_sim *s = NULL;
	char err[512];
	int r = lrg_sim_load(workload(text), NULL, 0, &s, err, sizeof(err));

	unlink(path);
	if (r) {
		diag("load failed: %s", err);
		return NULL;
	}
	lrg_sim_step(s);   /* start the processes due at 0 */
	return s;
}

struct seen {
	int nr;
	uint64_t addr[64];
	uint64_t young_pages, present_pages, anon_pages;
	bool huge;
};

static int count_bits(const uint64_t *m)
{
	int i, n = 0;

	for (i = 0; i < LRG_REGION_WORDS; i++)
		n += __builtin_popcountll(m[i]);
	return n;
}

static int on_region(void *ctx, const struct lrg_region *r)
{
	struct seen *s = ctx;

	if (s->nr < 64)
		s->addr[s->nr] = r->addr;
	s->nr++;
	s->young_pages += count_bits(r->young);
	s->present_pages += count_bits(r->present);
	s->anon_pages += count_bits(r->anon);
	s->huge |= r->huge;
	return 0;
}

static int harvest(struct lrg_sim *s, const struct lrg_mm_info *mm, const struct lrg_range *rg,
		   size_t n, unsigned int flags, struct seen *seen, struct lrg_walk_stats *st)
{
	struct lrg_backend *b = lrg_sim_backend(s);
	struct lrg_harvest_req req = { .mm = mm, .memcg_id = LRG_ROOT_MEMCG, .ranges = rg,
				       .nr_ranges = n, .flags = flags };

	memset(seen, 0, sizeof(*seen));
	return b->ops->harvest(b, &req, on_region, seen, st);
}

static const char *basic =
	"[machine]\nram_mib = 32\nswap_mib = 16\nduration_s = 5\n"
	"[process a]\narea = heap anon 8M\narea = data file 4M\n";

static void test_harvest(void)
{
	struct lrg_sim *s = load(basic);
	struct lrg_mm_info mm;
	struct lrg_walk_stats st;
	struct lrg_sim_page_state ps;
	struct seen seen;
	uint64_t heap, data;
	struct lrg_range r0;

	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "heap", &heap) ||
	    lrg_sim_area_addr(s, mm.mm_key, "data", &data)) {
		ok(0, "harvest: workload loads and process a runs");
		return;
	}
	ok(!(heap & ~LRG_PMD_MASK) && !(data & ~LRG_PMD_MASK), "areas are PMD aligned");
	ok(!lrg_sim_touch(s, mm.mm_key, heap, true), "touch faults in an anon page");
	ok(!harvest(s, &mm, NULL, 0, 0, &seen, &st), "harvest the whole mm");
	ok(seen.nr == 1 && seen.addr[0] == heap && seen.present_pages == 1 && seen.young_pages == 1 &&
	   seen.anon_pages == 1, "touched page is reported present, young and anon (%d regions)", seen.nr);
	ok(st.pte_total == 512 && st.pte_young == 1 && st.pte_old == 0 && st.pmd_total == 1,
	   "walk stats count the whole PTE table (t=%llu y=%llu o=%llu d=%llu)",
	   (unsigned long long)st.pte_total, (unsigned long long)st.pte_young,
	   (unsigned long long)st.pte_old, (unsigned long long)st.pmd_total);
	harvest(s, &mm, NULL, 0, 0, &seen, &st);
	ok(seen.present_pages == 1 && seen.young_pages == 0 && st.pte_old == 1,
	   "the second harvest finds it old");

	/* the non-leaf PMD accessed bit */
	lrg_sim_touch(s, mm.mm_key, heap + 2 * LRG_PMD_SIZE + 5 * LRG_PAGE_SIZE, false);
	r0.start = heap;
	r0.end = heap + LRG_PMD_SIZE;
	harvest(s, &mm, &r0, 1, 0, &seen, &st);
	ok(seen.nr == 1 && seen.young_pages == 0 && st.pte_total == 512,
	   "without NONLEAF only the given range is walked");
	lrg_sim_page_state(s, mm.mm_key, heap + 2 * LRG_PMD_SIZE + 5 * LRG_PAGE_SIZE, &ps);
	ok(ps.present && ps.young, "a page outside the range keeps its accessed bit");
	harvest(s, &mm, &r0, 1, LRG_HARVEST_NONLEAF, &seen, &st);
	ok(seen.nr == 2 && seen.young_pages == 1 && st.pte_total == 1024 && st.pmd_total == 2,
	   "NONLEAF walks the region whose PMD was accessed (regions %d, t=%llu)", seen.nr,
	   (unsigned long long)st.pte_total);
	harvest(s, &mm, &r0, 1, LRG_HARVEST_NONLEAF, &seen, &st);
	ok(seen.nr == 1 && st.pte_total == 512, "and the non-leaf bit was cleared by that walk");

	/* NO_ANON and the file side */
	lrg_sim_touch(s, mm.mm_key, data, false);
	harvest(s, &mm, NULL, 0, LRG_HARVEST_NO_ANON, &seen, &st);
	ok(seen.nr == 1 && seen.addr[0] == data && seen.anon_pages == 0 && seen.young_pages == 1,
	   "NO_ANON reports only file memory");

	/* the bump to the classic LRU */
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(ps.referenced && !ps.active, "a young page found by harvest is marked accessed once");
	lrg_sim_touch(s, mm.mm_key, data, false);
	harvest(s, &mm, NULL, 0, LRG_HARVEST_NO_BUMP, &seen, &st);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(ps.referenced && !ps.active, "NO_BUMP leaves the LRU alone");
	lrg_sim_touch(s, mm.mm_key, data, false);
	harvest(s, &mm, NULL, 0, 0, &seen, &st);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(ps.active, "a second bump activates it");
	lrg_sim_free(s);
}

static void test_thp(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 32\n[process a]\narea = big anon 4M huge\n");
	struct lrg_mm_info mm;
	struct lrg_walk_stats st;
	struct lrg_sim_page_state ps;
	struct seen seen;
	uint64_t big;

	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "big", &big)) {
		ok(0, "thp: workload loads");
		return;
	}
	lrg_sim_touch(s, mm.mm_key, big + 7 * LRG_PAGE_SIZE, true);
	lrg_sim_page_state(s, mm.mm_key, big, &ps);
	ok(ps.present && ps.huge, "a fault in a huge area maps the whole 2 MiB");
	harvest(s, &mm, NULL, 0, 0, &seen, &st);
	ok(seen.nr == 1 && seen.huge && seen.present_pages == 512 && seen.young_pages == 512,
	   "harvest reports one huge region, young as a whole");
	harvest(s, &mm, NULL, 0, 0, &seen, &st);
	ok(seen.young_pages == 0, "and old the next time");
	lrg_sim_free(s);
}

static uint64_t refaults(struct lrg_sim *s)
{
	struct lrg_backend *b = lrg_sim_backend(s);
	struct lrg_pressure pr;

	b->ops->measure(b, LRG_ROOT_MEMCG, &pr);
	return pr.refaults;
}

static void test_refault_and_evict(void)
{
	struct lrg_sim *s = load(basic);
	struct lrg_backend *b;
	struct lrg_mm_info mm;
	struct lrg_sim_page_state ps;
	struct lrg_pressure pr0, pr1;
	struct lrg_range rg;
	uint64_t heap, data, n = 0;

	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "heap", &heap) ||
	    lrg_sim_area_addr(s, mm.mm_key, "data", &data)) {
		ok(0, "refault: workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	lrg_sim_touch(s, mm.mm_key, data, true);
	lrg_sim_touch(s, mm.mm_key, heap, true);
	ok(refaults(s) == 0, "first faults are not refaults");
	b->ops->measure(b, LRG_ROOT_MEMCG, &pr0);
	rg.start = data;
	rg.end = data + LRG_PAGE_SIZE;
	ok(!b->ops->evict(b, &mm, &rg, 1, &n) && n == 1, "evict pages out exactly the range");
	b->ops->measure(b, LRG_ROOT_MEMCG, &pr1);
	ok(pr1.mem_free == pr0.mem_free + LRG_PAGE_SIZE, "and frees the page");
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(!ps.present, "the PTE is gone");
	lrg_sim_touch(s, mm.mm_key, data, false);
	ok(refaults(s) == 1, "touching it again is a refault");
	rg.start = heap;
	rg.end = heap + 2 * LRG_PAGE_SIZE;  /* the second page was never touched */
	ok(!b->ops->evict(b, &mm, &rg, 1, &n) && n == 1, "anon goes to swap");
	b->ops->measure(b, LRG_ROOT_MEMCG, &pr1);
	ok(pr1.swap_free == pr1.swap_total - LRG_PAGE_SIZE, "one swap slot used");
	lrg_sim_page_state(s, mm.mm_key, heap, &ps);
	ok(ps.swapped && !ps.present, "the PTE holds a swap entry");
	lrg_sim_touch(s, mm.mm_key, heap, false);
	b->ops->measure(b, LRG_ROOT_MEMCG, &pr1);
	ok(refaults(s) == 2 && pr1.swap_free == pr1.swap_total, "swap-in is a refault and frees the slot");
	lrg_sim_free(s);

	s = load("[machine]\nram_mib = 32\n[process a]\narea = heap anon 8M\n");
	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "heap", &heap)) {
		ok(0, "refault: no-swap workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	lrg_sim_touch(s, mm.mm_key, heap, true);
	rg.start = heap;
	rg.end = heap + LRG_PAGE_SIZE;
	ok(!b->ops->evict(b, &mm, &rg, 1, &n) && n == 0, "without swap anon is refused");
	lrg_sim_free(s);
}

static void test_classic_lru(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 32\n[process a]\narea = data file 4M\n");
	struct lrg_sim_page_state ps;
	struct lrg_mm_info mm;
	struct lrg_walk_stats st;
	struct seen seen;
	uint64_t data, got;
	int i;

	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "data", &data)) {
		ok(0, "classic: workload loads");
		return;
	}
	/* data at the inactive tail, then five cold pages */
	for (i = 0; i < 6; i++)
		lrg_sim_touch(s, mm.mm_key, data + i * LRG_PAGE_SIZE, false);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(ps.present && !ps.active && !ps.referenced, "a new page starts on the inactive list");
	harvest(s, &mm, NULL, 0, LRG_HARVEST_NO_BUMP, &seen, &st);   /* all old now */
	lrg_sim_touch(s, mm.mm_key, data, false);
	got = lrg_sim_classic_reclaim(s, LRG_ROOT_MEMCG, 1);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(got == 1 && ps.present && !ps.active && ps.referenced,
	   "one access: the scan keeps the page on the inactive list and marks it");
	lrg_sim_page_state(s, mm.mm_key, data + LRG_PAGE_SIZE, &ps);
	ok(!ps.present, "an unreferenced page behind it is reclaimed instead");
	lrg_sim_touch(s, mm.mm_key, data, false);
	for (i = 6; i < 12; i++)   /* fresh pages behind data to absorb the next scan */
		lrg_sim_touch(s, mm.mm_key, data + i * LRG_PAGE_SIZE, false);
	got = lrg_sim_classic_reclaim(s, LRG_ROOT_MEMCG, 5);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(got == 5 && ps.present && ps.active, "the second access promotes to active");
	for (i = 0; i < 8; i++)
		lrg_sim_classic_reclaim(s, LRG_ROOT_MEMCG, 2);
	lrg_sim_page_state(s, mm.mm_key, data, &ps);
	ok(!ps.present, "an unused active page is deactivated and reclaimed in the end");
	lrg_sim_free(s);
}

static void test_oom(void)
{
	struct lrg_sim_report rep;
	struct lrg_sim *s = load("[machine]\nram_mib = 16\nduration_s = 3\n"
				 "[process keep]\narea = heap anon 2M\naccess = uniform heap rate=1000\n"
				 "[process hog]\narea = leak anon 1G\naccess = grow leak mibps=64\n");

	if (!s) {
		ok(0, "oom: workload loads");
		return;
	}
	while (lrg_sim_step(s))
		;
	lrg_sim_fill_report(s, &rep);
	ok(rep.oom_kills_kernel == 1 && rep.nr_kills == 1 && !strcmp(rep.kills[0].name, "hog") &&
	   !strcmp(rep.kills[0].by, "kernel"),
	   "with nothing reclaimable the kernel OOM-kills the largest (%llu kills, first %s)",
	   (unsigned long long)rep.oom_kills_kernel, rep.nr_kills ? rep.kills[0].name : "-");
	lrg_sim_free(s);

	s = load("[machine]\nram_mib = 64\nduration_s = 3\n"
		 "[cgroup box]\npath = /box.slice\nmax_mib = 8\n"
		 "[process hog]\ncgroup = box\narea = leak anon 1G\naccess = grow leak mibps=64\n"
		 "[process other]\narea = heap anon 16M\naccess = seq heap rate=10000\n");
	if (!s) {
		ok(0, "oom: memcg workload loads");
		return;
	}
	while (lrg_sim_step(s))
		;
	lrg_sim_fill_report(s, &rep);
	ok(rep.oom_kills_kernel == 1 && !strcmp(rep.kills[0].name, "hog"),
	   "a memcg at memory.max OOM-kills inside it");
	lrg_sim_free(s);
}

static int count_mm(void *ctx, const struct lrg_mm_info *mm)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_pid_reuse_and_kill(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 32\npid_max = 1001\nduration_s = 5\n"
				 "[process a]\nstop_s = 0.5\narea = heap anon 4M\naccess = seq heap rate=1000\n"
				 "[process b]\nstart_s = 1\narea = heap anon 4M\naccess = seq heap rate=1000\n");
	struct lrg_mm_info ma, mb;
	struct lrg_backend *b;
	struct lrg_kill_req kr = { 0 };
	struct lrg_pressure pr;
	int n = 0;

	if (!s || lrg_sim_find_mm(s, "a", &ma)) {
		ok(0, "pid reuse: workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	while (lrg_sim_find_mm(s, "b", &mb) && lrg_sim_step(s))
		;
	ok(!lrg_sim_find_mm(s, "b", &mb) && mb.pid == ma.pid && mb.mm_key != ma.mm_key &&
	   mb.start_time != ma.start_time,
	   "a reused pid gets a new mm_key (pid %d, keys %llu/%llu)", (int)mb.pid,
	   (unsigned long long)ma.mm_key, (unsigned long long)mb.mm_key);
	b->ops->list_mms(b, LRG_ROOT_MEMCG, count_mm, &n);
	ok(n == 1, "list_mms lists only live processes");
	ok(mb.run_stamp > 0 && mb.nr_anon > 0, "the process ran and has memory");
	kr.pid = mb.pid;
	kr.start_time = ma.start_time;
	ok(b->ops->kill(b, &kr) == -ESRCH, "kill with the old owner's start time is refused");
	kr.start_time = mb.start_time;
	ok(b->ops->kill(b, &kr) == 0, "kill with the right start time works");
	b->ops->measure(b, LRG_ROOT_MEMCG, &pr);
	ok(pr.mem_free == pr.mem_total, "its memory is released at once");
	ok(b->ops->kill(b, &kr) == -ESRCH, "a second kill finds nobody");
	lrg_sim_free(s);
}

static void test_memcg_limit(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 64\nduration_s = 2\n"
				 "[cgroup app]\npath = /user.slice/app-x.scope\nmax_mib = 4\n"
				 "[process a]\ncgroup = app\narea = data file 8M\naccess = seq data rate=20000\n");
	struct lrg_backend *b;
	struct lrg_pressure pr;
	struct lrg_sim_report rep;
	bool within = true;

	if (!s) {
		ok(0, "memcg: workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	ok(lrg_backend_has(b, LRG_CAP_MEMCG | LRG_CAP_HARVEST | LRG_CAP_NONLEAF_YOUNG |
			   LRG_CAP_VIRTUAL_TIME), "caps include MEMCG when cgroups are declared");
	while (lrg_sim_step(s)) {
		b->ops->measure(b, 101, &pr);
		if (pr.usage > pr.limit)
			within = false;
	}
	lrg_sim_fill_report(s, &rep);
	ok(within && pr.limit == 4ULL << 20, "memory.current never exceeds memory.max");
	ok(rep.refaults_file > 0,
	   "a looping scan larger than the limit refaults (%llu)", (unsigned long long)rep.refaults_file);
	ok(rep.oom_kills_kernel == 0, "file pages are always reclaimable: no OOM");
	lrg_sim_free(s);
}

static void expect_error(const char *text, const char *want1, const char *want2, const char *what)
{
	struct lrg_sim *s = NULL;
	char err[512] = "", w1[128];
	int r = lrg_sim_load(workload(text), NULL, 0, &s, err, sizeof(err));

	snprintf(w1, sizeof(w1), "%s:%s", path, want1);
	unlink(path);
	ok(r == -EINVAL && strstr(err, w1) && strstr(err, want2), "%s: %s", what, err);
	if (!r)
		lrg_sim_free(s);
}

static void test_parse_errors(void)
{
	struct lrg_sim *s = NULL;
	char err[512];
	const char *ov[] = { "machine.ram_mib=banana" };

	expect_error("[machine]\nseed = 3\n\nram_mib = lots\n", "4:", "ram_mib", "bad value names file:line and key");
	expect_error("[machine]\nram_mib = 64\n[process x]\narea = heap anon 4M\naccess = uniform hep rate=5\n",
		     "5:", "access", "undefined area");
	expect_error("[process x]\narea = heap anon 4M\naccess = zipf heap s=1.2\n", "3:", "rate=",
		     "missing rate");
	expect_error("[process x]\ncgroup = nosuch\narea = heap anon 4M\n", "2:", "cgroup",
		     "undeclared cgroup is reported where it was used");
	expect_error("[machine]\n; comment\nfrobnicate = 1\n", "3:", "frobnicate", "unknown key");
	expect_error("[machine]\nthis line is not ini\n", "2:", "syntax", "syntax error");
	ok(lrg_sim_load(workload("[machine]\nram_mib = 64\n"), ov, 1, &s, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "--set") && strstr(err, "ram_mib"), "--set errors name the override: %s", err);
	unlink(path);
}


static void test_sleep_and_determinism(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 32\nduration_s = 4\n"
				 "[process a]\narea = heap anon 4M\naccess = uniform heap rate=1000\n"
				 "sleep = 1+2\n");
	struct lrg_sim_report r1, r2;
	struct lrg_mm_info m0, m1, m2;
	char err[512];
	const char *w;
	int r;

	if (!s) {
		ok(0, "sleep: workload loads");
		return;
	}
	while (lrg_sim_backend(s)->ops->now_ms(lrg_sim_backend(s)) < 1500)
		lrg_sim_step(s);
	lrg_sim_find_mm(s, "a", &m0);
	while (lrg_sim_backend(s)->ops->now_ms(lrg_sim_backend(s)) < 2500)
		lrg_sim_step(s);
	lrg_sim_find_mm(s, "a", &m1);
	while (lrg_sim_step(s))
		;
	lrg_sim_find_mm(s, "a", &m2);
	ok(m0.run_stamp > 0 && m1.run_stamp == m0.run_stamp && m2.run_stamp > m1.run_stamp,
	   "cpu time stands still while the process sleeps");
	lrg_sim_free(s);

	w = workload("[machine]\nram_mib = 32\nswap_mib = 8\nduration_s = 3\nseed = 7\n"
		     "[process z]\narea = heap anon 48M\naccess = zipf heap s=0.9 rate=20000 write=50\n");
	r = lrg_sim_run(w, NULL, LRG_SIM_CLASSIC, &r1, err, sizeof(err));
	r |= lrg_sim_run(w, NULL, LRG_SIM_CLASSIC, &r2, err, sizeof(err));
	unlink(w);
	ok(!r && r1.refaults_anon > 0 && r1.refaults_anon == r2.refaults_anon &&
	   r1.pgscan == r2.pgscan && r1.oom_kills_kernel == r2.oom_kills_kernel &&
	   r1.psi_some_us == r2.psi_some_us,
	   "the same seed gives the same run (%llu refaults)", (unsigned long long)r1.refaults_anon);
}

static void test_memcg_harvest(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 32\n[cgroup x]\n[cgroup y]\n"
				 "[process a]\ncgroup = x\narea = heap anon 4M\n");
	struct lrg_backend *b;
	struct lrg_mm_info mm;
	struct lrg_walk_stats st;
	struct lrg_harvest_req req = { 0 };
	struct seen seen = { 0 };
	uint64_t heap, got = 0;

	if (!s || lrg_sim_find_mm(s, "a", &mm) || lrg_sim_area_addr(s, mm.mm_key, "heap", &heap)) {
		ok(0, "memcg harvest: workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	lrg_sim_touch(s, mm.mm_key, heap, false);
	req.mm = &mm;
	req.memcg_id = 102;
	b->ops->harvest(b, &req, on_region, &seen, &st);
	ok(seen.nr == 0 && st.pte_total == 512, "another memcg's pages are walked but not reported");
	req.memcg_id = mm.memcg_id;
	b->ops->harvest(b, &req, on_region, &seen, &st);
	ok(mm.memcg_id == 101 && seen.nr == 1 && seen.young_pages == 1,
	   "the owner's memcg sees them, still young");
	ok(b->ops->reclaim(b, 101, 1 << 20, &got) == 0 && got == 0,
	   "reclaim() in a memcg without swap cannot take anon");
	ok(b->ops->reclaim(b, 555, 4096, &got) == -ENOENT, "reclaim() of an unknown memcg fails");
	lrg_sim_free(s);
}

static void test_cgroup_kill_and_thp_evict(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 64\nswap_mib = 16\n"
				 "[cgroup box]\npath = /user.slice/box.scope\n"
				 "[process a]\ncgroup = box\ncount = 3\narea = big anon 4M huge\n"
				 "access = seq big rate=1000\n"
				 "[process out]\narea = heap anon 1M\n");
	struct lrg_kill_req kr = { .memcg_id = 101, .whole_cgroup = true };
	struct lrg_sim_page_state ps;
	struct lrg_sim_report rep;
	struct lrg_backend *b;
	struct lrg_mm_info mm;
	struct lrg_range rg;
	uint64_t big, n = 0;
	int cnt = 0;

	if (!s || lrg_sim_find_mm(s, "a.0", &mm) || lrg_sim_area_addr(s, mm.mm_key, "big", &big)) {
		ok(0, "cgroup kill: workload loads");
		return;
	}
	b = lrg_sim_backend(s);
	lrg_sim_page_state(s, mm.mm_key, big, &ps);
	ok(ps.present && ps.huge, "the first touch of a huge area mapped a THP");
	rg.start = big + LRG_PAGE_SIZE;
	rg.end = big + 3 * LRG_PAGE_SIZE;
	ok(!b->ops->evict(b, &mm, &rg, 1, &n) && n == 2, "evict two pages out of a THP");
	lrg_sim_page_state(s, mm.mm_key, big, &ps);
	ok(ps.present && !ps.huge, "which splits it; the rest stays");
	ok(b->ops->kill(b, &kr) == 0, "kill the whole cgroup");
	b->ops->list_mms(b, LRG_ROOT_MEMCG, count_mm, &cnt);
	lrg_sim_fill_report(s, &rep);
	ok(cnt == 1 && rep.oom_kills_policy == 3 && !lrg_sim_find_mm(s, "out", &mm),
	   "all three of its processes are gone, the one outside stays");
	ok(b->ops->kill(b, &kr) == -ESRCH, "killing the empty cgroup again finds nobody");
	lrg_sim_free(s);
}

static void test_pick_victim(void)
{
	struct lrg_sim *s = load("[machine]\nram_mib = 256\nduration_s = 30\n"
				 "[cgroup box]\n"
				 "[process big]\nprotect = yes\narea = heap anon 64M\naccess = grow heap mibps=8\n"
				 "[process fat]\narea = heap anon 48M\naccess = seq heap loop=no rate=100000\n"
				 "[process grower]\narea = heap anon 64M\naccess = grow heap mibps=2\n"
				 "[process boxed]\ncgroup = box\narea = heap anon 16M\naccess = grow heap mibps=1\n");
	struct lrg_kill_req kr;
	struct lrg_mm_info g, b;
	int i;

	if (!s) {
		ok(0, "pick victim: workload loads");
		return;
	}
	for (i = 0; i < 1200; i++)   /* 12 s: the fat one stopped growing long ago */
		lrg_sim_step(s);
	lrg_sim_find_mm(s, "grower", &g);
	lrg_sim_find_mm(s, "boxed", &b);
	ok(!lrg_sim_pick_victim(s, LRG_ROOT_MEMCG, true, &kr) && kr.pid == g.pid &&
	   kr.start_time == g.start_time,
	   "the OOM decision picks the fastest grower that is not protected (pid %d)", (int)kr.pid);
	ok(!lrg_sim_pick_victim(s, 101, false, &kr) && kr.pid == b.pid && kr.memcg_id == 101,
	   "a memcg OOM picks inside the memcg");
	lrg_sim_free(s);
}

int main(void)
{
	test_harvest();
	test_thp();
	test_refault_and_evict();
	test_classic_lru();
	test_oom();
	test_pid_reuse_and_kill();
	test_memcg_limit();
	test_parse_errors();
	test_sleep_and_determinism();
	test_memcg_harvest();
	test_cgroup_kill_and_thp_evict();
	test_pick_victim();
	return tap_done();
}
