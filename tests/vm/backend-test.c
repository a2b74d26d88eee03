// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend-test: the host backends' own operations against the real kernel
 * (tests/vm/guest/backend-cases.sh runs it inside the VM). TAP lines.
 *
 *   backend-test mglru CGROUP_DIR
 *     The mglru backend (liblrghost.a) on the real /sys/kernel/debug/lru_gen:
 *     its parse agrees with the file, read_gens sees CGROUP_DIR's anon
 *     memory, age (the '+' command) creates a generation that reads back,
 *     and evict_gen (the '-' command) retires the oldest one.
 *
 *   backend-test kmod-evict CGROUP_DIR MIB
 *     The kmod backend as the daemon selects it (lrugen.ko harvest, page
 *     eviction by process_madvise): a child in CGROUP_DIR maps MIB of anon
 *     memory and keeps touching the first half. Two harvests tell hot from
 *     cold; the backend's evict op pages out the cold pages; pagemap then
 *     shows the cold half mostly swapped out and the hot half resident.
 *     Needs swap (zram) and lrugen.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend_select.h"
#include "backends.h"
#include "fileio.h"
#include "lrg_backend.h"
#include "config_load.h"
#include "procfs.h"

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)

static int failures;

__attribute__((format(printf, 2, 3))) static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		failures++;
}

static uint64_t cgroup_id_of(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* "anon N" from DIR/memory.stat, in bytes. */
static uint64_t memcg_stat(const char *dir, const char *key)
{
	char path[512], line[256];
	unsigned long long v = 0;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			v = strtoull(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

/* ---- mglru ---------------------------------------------------------------- */

/*
 * An independent reading of lru_gen, with sscanf, for the block of the
 * memcg at path: its max_seq (last generation line of node 0) and its
 * number of generation lines. Tells a parser that misreads the real format
 * apart from one that reads it.
 */
static int raw_block(const char *path, uint64_t *ret_max_seq, int *ret_nr)
{
	char *text, *line, *save = NULL;
	bool in = false;
	int nr = 0, r;
	uint64_t max_seq = 0;

	r = lrg_read_file("/sys/kernel/debug/lru_gen", &text, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned id;
		char p[256];
		unsigned long long seq, age, a, f;

		if (sscanf(line, "memcg %u %255s", &id, p) == 2 ||
		    (sscanf(line, "memcg %u", &id) == 1 && strcpy(p, "/"))) {
			in = !strcmp(p, path);
			continue;
		}
		if (in && sscanf(line, " %llu %llu %llu %llu", &seq, &age, &a, &f) == 4) {
			max_seq = seq;
			nr++;
		}
	}
	free(text);
	if (!nr)
		return -ENOENT;
	*ret_max_seq = max_seq;
	*ret_nr = nr;
	return 0;
}

static void print_gens(const char *what, const struct lrg_kernel_gens *g)
{
	printf("# %s: max_seq=%" PRIu64 " min_seq=anon %" PRIu64 " file %" PRIu64 ", gens:", what,
	       g->max_seq, g->min_seq[LRG_ANON], g->min_seq[LRG_FILE]);
	for (int i = 0; i < g->nr_gens; i++)
		printf(" [%" PRIu64 " %" PRIu64 "ms a=%" PRIu64 " f=%" PRIu64 "]", g->gens[i].seq,
		       g->gens[i].age_ms, g->gens[i].nr_pages[LRG_ANON], g->gens[i].nr_pages[LRG_FILE]);
	printf("\n");
}

static int test_mglru(const char *cgdir)
{
	struct lrg_backend *b;
	struct lrg_kernel_gens g0, g1, g2, g3;
	char why[512] = "";
	const char *rel = cgdir + strlen("/sys/fs/cgroup");
	uint64_t id = cgroup_id_of(cgdir), raw_max = 0, anon_pages = 0, anon_stat;
	int raw_nr = 0, r;

	if (strncmp(cgdir, "/sys/fs/cgroup/", 15) || !id) {
		ok(false, "mglru: %s is a cgroup below /sys/fs/cgroup", cgdir);
		return 1;
	}
	r = lrg_mglru_backend_open("/sys/kernel/debug/lru_gen", "/sys/fs/cgroup", true, false, &b,
				   why, sizeof(why));
	ok(r == 0, "mglru: backend opens on the real kernel (%s)", r == 0 ? b->ops->accuracy : why);
	if (r < 0)
		return 1;
	ok(lrg_backend_has(b, LRG_CAP_KERNEL_GENS | LRG_CAP_MEMCG),
	   "mglru: caps kernel_gens and memcg (caps %#x)", b->caps);

	r = b->ops->read_gens(b, id, 0, &g0);
	ok(r == 0, "mglru: read_gens finds %s on node 0 (%s)", rel, r < 0 ? strerror(-r) : "ok");
	if (r < 0)
		goto out;
	print_gens("read", &g0);
	ok(g0.memcg_id == id && g0.node == 0, "mglru: read_gens reports cgroup id %" PRIu64
	   " node 0 (got %" PRIu64 " node %d)", id, g0.memcg_id, g0.node);
	ok(g0.nr_gens >= (int)LRG_MIN_NR_GENS && g0.nr_gens <= (int)LRG_MAX_NR_GENS &&
	   g0.gens[g0.nr_gens - 1].seq == g0.max_seq,
	   "mglru: %d generations, the youngest is max_seq %" PRIu64, g0.nr_gens, g0.max_seq);
	r = raw_block(rel, &raw_max, &raw_nr);
	ok(r == 0 && raw_max == g0.max_seq && raw_nr == g0.nr_gens,
	   "mglru: parse agrees with the file: max_seq %" PRIu64 " vs %" PRIu64 ", %d vs %d gens",
	   g0.max_seq, raw_max, g0.nr_gens, raw_nr);
	for (int i = 0; i < g0.nr_gens; i++)
		anon_pages += g0.gens[i].nr_pages[LRG_ANON];
	anon_stat = memcg_stat(cgdir, "anon") / LRG_PAGE_SIZE;
	/* The workload in the cgroup is anonymous: the anon column, not the
	 * file one, must hold it (the kernel's counters are per-cpu batched,
	 * hence the slack). */
	ok(anon_stat > 0 && anon_pages * 4 >= anon_stat * 3 && anon_pages * 4 <= anon_stat * 5,
	   "mglru: anon pages over the generations %" PRIu64 " ~ memory.stat anon %" PRIu64,
	   anon_pages, anon_stat);

	/* '+' with the current max_seq, as the policy asks (no force_scan):
	 * one generation more. With MAX_NR_GENS generations already there
	 * (an idle memcg), the kernel refuses plain aging (-ERANGE) and the
	 * backend must make room. */
	printf("# %d generations before aging%s\n", g0.nr_gens,
	       g0.nr_gens == (int)LRG_MAX_NR_GENS ? ": full, the kernel refuses plain aging" : "");
	r = b->ops->age(b, id, 0, g0.max_seq, true, false);
	ok(r == 0, "mglru: age (+ %" PRIu64 ", no force_scan, %d gens) accepted (%s)", g0.max_seq,
	   g0.nr_gens, r < 0 ? strerror(-r) : "ok");
	r = b->ops->read_gens(b, id, 0, &g1);
	if (r == 0)
		print_gens("after +", &g1);
	ok(r == 0 && g1.max_seq == g0.max_seq + 1 && g1.gens[g1.nr_gens - 1].age_ms < 60000,
	   "mglru: max_seq %" PRIu64 " -> %" PRIu64 ", a new youngest generation reads back",
	   g0.max_seq, r == 0 ? g1.max_seq : 0);
	printf("# mglru max_seq before=%" PRIu64 " after=%" PRIu64 "\n", g0.max_seq, g1.max_seq);

	/* A stale max_seq is a no-op for the kernel, not a new generation. */
	r = b->ops->age(b, id, 0, g0.max_seq, true, true);
	if (r == 0)
		r = b->ops->read_gens(b, id, 0, &g2);
	ok(r == 0 && g2.max_seq == g1.max_seq,
	   "mglru: age with a stale max_seq creates nothing (max_seq %" PRIu64 ")", g2.max_seq);
	r = b->ops->age(b, id, 0, g1.max_seq + 5, true, true);
	ok(r == -EINVAL, "mglru: age with a future max_seq is refused (-EINVAL, got %d)", r);

	/* '-' on the oldest anon generation: it goes (min_seq moves up). */
	r = b->ops->evict_gen(b, id, 0, g2.min_seq[LRG_ANON], 200, 0);
	ok(r == 0, "mglru: evict_gen (- min_seq %" PRIu64 ", swappiness 200) accepted (%s)",
	   g2.min_seq[LRG_ANON], r < 0 ? strerror(-r) : "ok");
	r = b->ops->read_gens(b, id, 0, &g3);
	if (r == 0)
		print_gens("after -", &g3);
	ok(r == 0 && g3.min_seq[LRG_ANON] > g2.min_seq[LRG_ANON],
	   "mglru: the oldest anon generation is gone (min_seq anon %" PRIu64 " -> %" PRIu64 ")",
	   g2.min_seq[LRG_ANON], r == 0 ? g3.min_seq[LRG_ANON] : 0);
out:
	b->ops->destroy(b);
	return failures ? 1 : 0;
}

/* ---- kmod eviction --------------------------------------------------------- */

struct young_map {
	uint64_t start;      /* the child's mapping */
	size_t pages;
	unsigned char *present, *young;
};

static int on_region(void *ctx, const struct lrg_region *reg)
{
	struct young_map *m = ctx;

	for (unsigned i = 0; i < LRG_PTES_PER_PMD; i++) {
		uint64_t a = reg->addr + (uint64_t)i * LRG_PAGE_SIZE;
		size_t k;

		if (a < m->start || a >= m->start + m->pages * LRG_PAGE_SIZE)
			continue;
		k = (a - m->start) / LRG_PAGE_SIZE;
		if (reg->present[i / 64] & (1ULL << (i % 64)))
			m->present[k] = 1;
		if (reg->young[i / 64] & (1ULL << (i % 64)))
			m->young[k] = 1;
	}
	return 0;
}

struct find_mm {
	pid_t pid;
	struct lrg_mm_info mm;
	bool found;
};

static int on_mm(void *ctx, const struct lrg_mm_info *mm)
{
	struct find_mm *f = ctx;

	if (mm->pid == f->pid) {
		f->mm = *mm;
		f->found = true;
	}
	return 0;
}

static void child_run(const char *cgdir, size_t size, int wfd)
{
	char path[512], buf[32];
	size_t page = LRG_PAGE_SIZE;
	volatile char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	fd = open(path, O_WRONLY);
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		_exit(3);
	close(fd);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(4);
	madvise((void *)p, size, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < size; off += page)
		for (size_t i = 0; i < 64; i++)
			p[off + i * 64] = (char)(off / page + i + 1);
	if (write(wfd, &p, sizeof(p)) != sizeof(p))
		_exit(5);
	close(wfd);
	/* the first half is the working set; the second is never used again */
	for (;;) {
		for (size_t off = 0; off < size / 2; off += page)
			p[off]++;
		usleep(20000);
	}
}

static int harvest(struct lrg_backend *b, const struct lrg_mm_info *mm, uint64_t memcg,
		   struct young_map *m, struct lrg_walk_stats *st)
{
	struct lrg_range rg = { m->start, m->start + m->pages * LRG_PAGE_SIZE };
	struct lrg_harvest_req req = { .mm = mm, .memcg_id = memcg, .ranges = &rg, .nr_ranges = 1 };

	memset(m->present, 0, m->pages);
	memset(m->young, 0, m->pages);
	return b->ops->harvest(b, &req, on_region, m, st);
}

static void count_halves(const struct young_map *m, const unsigned char *v, size_t *hot,
			 size_t *cold)
{
	*hot = *cold = 0;
	for (size_t k = 0; k < m->pages; k++) {
		if (k < m->pages / 2)
			*hot += v[k];
		else
			*cold += v[k];
	}
}

static int test_kmod_evict(const char *cgdir, size_t mib)
{
	struct lrg_config cfg;
	struct lrg_backend *b = NULL;
	struct young_map m = { 0 };
	struct find_mm f = { 0 };
	struct lrg_walk_stats st;
	struct lrg_range *ranges = NULL;
	size_t nr = 0, half, y_hot, y_cold, p_hot, p_cold, in_hot = 0, in_cold = 0, sw_hot = 0,
	       sw_cold = 0, cold_pages = 0;
	uint64_t memcg = cgroup_id_of(cgdir), evicted = 0, *ent = NULL;
	int pfd[2], pm = -1, r, status;
	char path[64];
	pid_t pid;
	void *addr = NULL;

	if (!memcg || pipe(pfd) < 0) {
		ok(false, "kmod-evict: %s is a cgroup", cgdir);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child_run(cgdir, mib << 20, pfd[1]);
	}
	close(pfd[1]);
	r = read(pfd[0], &addr, sizeof(addr)) == sizeof(addr) ? 0 : -EIO;
	close(pfd[0]);
	ok(r == 0, "kmod-evict: child %d maps and writes %zu MiB in %s", (int)pid, mib, cgdir);
	if (r < 0)
		goto out;
	m.start = (uint64_t)(uintptr_t)addr;
	m.pages = (mib << 20) / LRG_PAGE_SIZE;
	half = m.pages / 2;
	m.present = calloc(m.pages, 1);
	m.young = calloc(m.pages, 1);
	ent = calloc(m.pages, sizeof(*ent));
	ranges = calloc(m.pages, sizeof(*ranges));
	if (!m.present || !m.young || !ent || !ranges)
		goto out;

	lrg_config_defaults(&cfg);
	r = lrg_backend_select("kmod", &cfg.daemon, &b);
	lrg_config_free(&cfg);
	ok(r == 0, "kmod-evict: the daemon's kmod backend opens (%s)", r < 0 ? strerror(-r) : "ok");
	if (r < 0)
		goto out;
	f.pid = pid;
	r = b->ops->list_mms(b, memcg, on_mm, &f);
	ok(r == 0 && f.found && f.mm.memcg_id == memcg,
	   "kmod-evict: list_mms lists the child under its cgroup %" PRIu64 " (r=%d)", memcg, r);
	if (!f.found)
		goto out;

	/* Harvest 1 clears the accessed bits of the fill; 1.5 s of the child
	 * touching its first half; harvest 2 sees what was used since. */
	r = harvest(b, &f.mm, memcg, &m, &st);
	ok(r == 0 && st.status == LRG_HARVEST_COMPLETE, "kmod-evict: first harvest (status %u)",
	   st.status);
	usleep(1500000);
	r = harvest(b, &f.mm, memcg, &m, &st);
	count_halves(&m, m.young, &y_hot, &y_cold);
	count_halves(&m, m.present, &p_hot, &p_cold);
	printf("# harvest 2: present hot %zu/%zu cold %zu/%zu, young hot %zu cold %zu\n", p_hot,
	       half, p_cold, m.pages - half, y_hot, y_cold);
	ok(r == 0 && st.status == LRG_HARVEST_COMPLETE && p_hot + p_cold == m.pages,
	   "kmod-evict: second harvest sees every page of the mapping present (%zu/%zu)",
	   p_hot + p_cold, m.pages);
	ok(y_hot * 10 >= half * 9 && y_cold * 10 <= (m.pages - half),
	   "kmod-evict: young pages are the hot half (%zu/%zu) and not the cold one (%zu/%zu)",
	   y_hot, half, y_cold, m.pages - half);

	/* Stop the child, so nothing it touches can fault a page back in
	 * and hide an eviction of the hot half. */
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	for (size_t k = 0; k < m.pages; k++) {
		uint64_t a = m.start + k * LRG_PAGE_SIZE;

		if (!m.present[k] || m.young[k])
			continue;
		cold_pages++;
		if (nr && ranges[nr - 1].end == a)
			ranges[nr - 1].end = a + LRG_PAGE_SIZE;
		else
			ranges[nr++] = (struct lrg_range){ a, a + LRG_PAGE_SIZE };
	}
	r = b->ops->evict(b, &f.mm, ranges, nr, &evicted);
	printf("# evict: %zu cold pages in %zu ranges, backend reports %" PRIu64 " paged out\n",
	       cold_pages, nr, evicted);
	ok(r == 0 && evicted * 10 >= cold_pages * 9,
	   "kmod-evict: the backend's evict pages out the cold pages (%" PRIu64 " of %zu, r=%d)",
	   evicted, cold_pages, r);

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY);
	if (pm < 0 || pread(pm, ent, m.pages * 8, (off_t)(m.start / LRG_PAGE_SIZE * 8)) !=
			      (ssize_t)(m.pages * 8)) {
		ok(false, "kmod-evict: read %s", path);
		goto out;
	}
	for (size_t k = 0; k < m.pages; k++) {
		bool in = ent[k] & PM_PRESENT, sw = ent[k] & PM_SWAP;

		if (k < half) {
			in_hot += in;
			sw_hot += sw;
		} else {
			in_cold += in;
			sw_cold += sw;
		}
	}
	printf("# pagemap after eviction: hot half resident %zu/%zu swapped %zu; "
	       "cold half resident %zu/%zu swapped %zu\n",
	       in_hot, half, sw_hot, in_cold, m.pages - half, sw_cold);
	printf("# kmod-evict residency hot=%zu%% cold=%zu%%\n", in_hot * 100 / half,
	       in_cold * 100 / (m.pages - half));
	ok(sw_cold * 10 >= (m.pages - half) * 9 && in_cold * 10 <= (m.pages - half),
	   "kmod-evict: the cold half is out (%zu/%zu swapped, %zu resident)", sw_cold,
	   m.pages - half, in_cold);
	ok(in_hot * 10 >= half * 9 && sw_hot * 10 <= half,
	   "kmod-evict: the hot half is in (%zu/%zu resident, %zu swapped)", in_hot, half, sw_hot);
out:
	if (pm >= 0)
		close(pm);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (b)
		b->ops->destroy(b);
	free(m.present);
	free(m.young);
	free(ent);
	free(ranges);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "mglru"))
		return test_mglru(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "kmod-evict"))
		return test_kmod_evict(argv[2], strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: backend-test mglru CGROUP_DIR\n"
			"       backend-test kmod-evict CGROUP_DIR MIB\n");
	return 2;
}
