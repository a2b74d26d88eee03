// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim_workload.c - the workload file (docs/sim-workload.md) to a
 * struct sim_workload. Debian's libinih is built without line numbers in
 * the handler, so a counting reader tracks them for the messages.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_int.h"

struct parse_ctx {
	struct sim_workload *w;
	FILE *f;
	const char *file;     /* for messages */
	int line;             /* line of the text last handed to inih */
	bool at_bol;
	char *err;
	size_t errlen;
	int rc;               /* first error */
	char **cg_refs;       /* process -> cgroup name, resolved at the end */
	int *cg_ref_lines;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct parse_ctx *c, const char *section, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->rc)
		return 0;      /* keep the first error: later ones often follow from it */
	c->rc = -EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%d: [%s] %s: ", c->file, c->line, section, key);
	if (n < 0 || (size_t)n >= c->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return 0;
}

static void note_section(struct parse_ctx *c, const char *line);

static char *count_reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	char *r;

	r = fgets(str, num, c->f);
	if (!r)
		return NULL;
	if (c->at_bol) {
		c->line++;
		note_section(c, str);
	}
	/* A line longer than inih's buffer comes in pieces: count it once. */
	c->at_bol = strchr(str, '\n') != NULL;
	return r;
}

static int parse_u64(const char *v, uint64_t *ret)
{
	char *end;
	unsigned long long x;

	if (!*v || *v == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*ret = x;
	return 0;
}

static int parse_double(const char *v, double *ret)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || x < 0)
		return -EINVAL;
	*ret = x;
	return 0;
}

/* Seconds (fractions allowed) to ms. */
static int parse_secs(const char *v, uint64_t *ret)
{
	double x;

	if (parse_double(v, &x))
		return -EINVAL;
	*ret = (uint64_t)(x * 1000.0 + 0.5);
	return 0;
}

/* "64M", "2G", "512K", "4096" (bytes): to pages, rounded up. */
static int parse_size_pages(const char *v, uint64_t *ret)
{
	char *end;
	double x;
	uint64_t mul = 1;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || x < 0)
		return -EINVAL;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		default: return -EINVAL;
		}
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -EINVAL;
	}
	*ret = ((uint64_t)(x * mul) + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on")) {
		*ret = true;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static uint64_t mib_pages(uint64_t mib)
{
	return mib << (20 - LRG_PAGE_SHIFT);
}

static int machine_key(struct parse_ctx *c, const char *sec, const char *k, const char *v)
{
	struct sim_machine_spec *m = &c->w->m;
	uint64_t x;
	double d;

#define U64(name) (!strcmp(k, name) && !parse_u64(v, &x))
	if (!strcmp(k, "ram_mib")) {
		if (parse_u64(v, &x) || x < 4 || x > 65536)
			return fail(c, sec, k, "'%s' (expected MiB, 4..65536)", v);
		m->ram_pages = mib_pages(x);
	} else if (!strcmp(k, "swap_mib")) {
		if (parse_u64(v, &x) || x > 1 << 20)
			return fail(c, sec, k, "'%s' (expected MiB, 0 = no swap)", v);
		m->swap_pages = mib_pages(x);
	} else if (!strcmp(k, "seed")) {
		if (parse_u64(v, &x))
			return fail(c, sec, k, "'%s' (expected an unsigned integer)", v);
		m->seed = x;
	} else if (!strcmp(k, "duration_s")) {
		if (parse_secs(v, &x) || !x)
			return fail(c, sec, k, "'%s' (expected seconds > 0)", v);
		m->duration_ms = x;
	} else if (!strcmp(k, "tick_ms")) {
		if (parse_u64(v, &x) || x < 1 || x > 1000)
			return fail(c, sec, k, "'%s' (expected 1..1000)", v);
		m->tick_ms = x;
	} else if (!strcmp(k, "swapin_us") || !strcmp(k, "swapout_us") ||
		   !strcmp(k, "disk_read_us") || !strcmp(k, "disk_write_us")) {
		if (parse_u64(v, &x) || x > 10000000)
			return fail(c, sec, k, "'%s' (expected µs, 0..10000000)", v);
		if (!strcmp(k, "swapin_us"))
			m->swapin_us = x;
		else if (!strcmp(k, "swapout_us"))
			m->swapout_us = x;
		else if (!strcmp(k, "disk_read_us"))
			m->disk_read_us = x;
		else
			m->disk_write_us = x;
	} else if (!strcmp(k, "min_free_kib")) {
		if (parse_u64(v, &x))
			return fail(c, sec, k, "'%s' (expected KiB)", v);
		m->min_free_pages = x >> (LRG_PAGE_SHIFT - 10);
	} else if (!strcmp(k, "pid_max")) {
		if (parse_u64(v, &x) || x < 1000 || x > 4194304)
			return fail(c, sec, k, "'%s' (expected 1000..4194304)", v);
		m->pid_max = x;
	} else if (!strcmp(k, "swappiness")) {
		if (parse_u64(v, &x) || x > 200)
			return fail(c, sec, k, "'%s' (expected 0..200)", v);
		m->swappiness = x;
	} else if (!strcmp(k, "direct_batch")) {
		if (parse_u64(v, &x) || x < 1 || x > 65536)
			return fail(c, sec, k, "'%s' (expected pages, 1..65536)", v);
		m->direct_batch = x;
	} else if (!strcmp(k, "refresh_ms")) {
		if (parse_u64(v, &x) || x < 1)
			return fail(c, sec, k, "'%s' (expected ms > 0)", v);
		m->refresh_ms = x;
	} else if (!strcmp(k, "kswapd")) {
		if (!strcmp(v, "hook"))
			m->kswapd = SIM_KSWAPD_HOOK;
		else if (!strcmp(v, "classic"))
			m->kswapd = SIM_KSWAPD_CLASSIC;
		else if (!strcmp(v, "off"))
			m->kswapd = SIM_KSWAPD_OFF;
		else
			return fail(c, sec, k, "'%s' (expected hook, classic or off)", v);
	} else if (!strcmp(k, "nonleaf")) {
		if (parse_bool(v, &m->nonleaf))
			return fail(c, sec, k, "'%s' (expected yes or no)", v);
	} else if (!strcmp(k, "aging_full_scan")) {
		if (parse_bool(v, &m->aging_full_scan))
			return fail(c, sec, k, "'%s' (expected yes or no)", v);
	} else {
		(void)d;
		return fail(c, sec, k, "unknown key (expected ram_mib, swap_mib, seed, duration_s, tick_ms, swapin_us, swapout_us, disk_read_us, disk_write_us, min_free_kib, pid_max, swappiness, direct_batch, refresh_ms, kswapd, nonleaf, aging_full_scan)");
	}
#undef U64
	return 1;
}

static struct sim_cgroup_spec *get_cgroup(struct parse_ctx *c, const char *name)
{
	struct sim_workload *w = c->w;
	struct sim_cgroup_spec *g;
	int i;

	for (i = 1; i < w->nr_cgroups; i++)
		if (!strcmp(w->cgroups[i].name, name))
			return &w->cgroups[i];
	g = realloc(w->cgroups, (w->nr_cgroups + 1) * sizeof(*g));
	if (!g)
		return NULL;
	w->cgroups = g;
	g = &w->cgroups[w->nr_cgroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->path, sizeof(g->path), "/%s", name);
	g->max = g->high = SIM_NO_LIMIT;
	return g;
}

/* inih calls nobody for a section without keys, yet "[cgroup x]" alone
 * declares a cgroup: spot the headers as the lines go by. */
static void note_section(struct parse_ctx *c, const char *line)
{
	char name[64];
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, "[cgroup ", 8))
		return;
	line += 8;
	n = strcspn(line, "]");
	if (line[n] != ']' || !n || n >= sizeof(name))
		return;
	memcpy(name, line, n);
	name[n] = 0;
	if (!get_cgroup(c, name) && !c->rc) {
		c->rc = -ENOMEM;
		snprintf(c->err, c->errlen, "out of memory");
	}
}

static int cgroup_key(struct parse_ctx *c, const char *sec, const char *name,
		      const char *k, const char *v)
{
	struct sim_cgroup_spec *g = get_cgroup(c, name);
	uint64_t x;

	if (!g) {
		c->rc = -ENOMEM;
		snprintf(c->err, c->errlen, "out of memory");
		return 0;
	}
	if (!strcmp(k, "path")) {
		if (v[0] != '/' || strlen(v) >= sizeof(g->path))
			return fail(c, sec, k, "'%s' (expected an absolute cgroup path like /user.slice/app-x.scope)", v);
		snprintf(g->path, sizeof(g->path), "%s", v);
		return 1;
	}
	if (!strcmp(k, "max_mib") || !strcmp(k, "min_mib") || !strcmp(k, "low_mib") ||
	    !strcmp(k, "high_mib")) {
		if (!strcmp(v, "max"))
			x = SIM_NO_LIMIT;
		else if (!parse_u64(v, &x))
			x = mib_pages(x);
		else
			return fail(c, sec, k, "'%s' (expected MiB or max)", v);
		if (k[0] == 'm' && k[1] == 'a')
			g->max = x;
		else if (k[1] == 'i')
			g->min = x == SIM_NO_LIMIT ? 0 : x;
		else if (k[0] == 'l')
			g->low = x == SIM_NO_LIMIT ? 0 : x;
		else
			g->high = x;
		return 1;
	}
	return fail(c, sec, k, "unknown key (expected path, max_mib, high_mib, min_mib, low_mib)");
}

static struct sim_proc_spec *get_proc(struct parse_ctx *c, const char *name)
{
	struct sim_workload *w = c->w;
	struct sim_proc_spec *p;
	char **r;
	int *rl;
	int i;

	for (i = 0; i < w->nr_procs; i++)
		if (!strcmp(w->procs[i].name, name))
			return &w->procs[i];
	p = realloc(w->procs, (w->nr_procs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	w->procs = p;
	r = realloc(c->cg_refs, (w->nr_procs + 1) * sizeof(*r));
	if (!r)
		return NULL;
	c->cg_refs = r;
	rl = realloc(c->cg_ref_lines, (w->nr_procs + 1) * sizeof(*rl));
	if (!rl)
		return NULL;
	c->cg_ref_lines = rl;
	c->cg_refs[w->nr_procs] = NULL;
	p = &w->procs[w->nr_procs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->comm, sizeof(p->comm), "%s", name);
	p->count = 1;
	return p;
}

static int find_area(const struct sim_proc_spec *p, const char *name, size_t len)
{
	int i;

	for (i = 0; i < p->nr_areas; i++)
		if (strlen(p->areas[i].name) == len && !strncmp(p->areas[i].name, name, len))
			return i;
	return -1;
}

/* area = NAME anon|file SIZE [huge] */
static int area_key(struct parse_ctx *c, const char *sec, struct sim_proc_spec *p, const char *v)
{
	char name[32], kind[16], size[32], flag[16];
	struct sim_area_spec a = { 0 }, *na;
	int n;

	n = sscanf(v, "%31s %15s %31s %15s", name, kind, size, flag);
	if (n < 3)
		return fail(c, sec, "area", "'%s' (expected NAME anon|file SIZE [huge])", v);
	if (find_area(p, name, strlen(name)) >= 0)
		return fail(c, sec, "area", "'%s' defined twice", name);
	snprintf(a.name, sizeof(a.name), "%s", name);
	if (!strcmp(kind, "anon"))
		a.anon = true;
	else if (strcmp(kind, "file"))
		return fail(c, sec, "area", "kind '%s' (expected anon or file)", kind);
	if (parse_size_pages(size, &a.pages) || !a.pages || a.pages > (16ULL << 30) >> LRG_PAGE_SHIFT)
		return fail(c, sec, "area", "size '%s' (expected 4K..16G, e.g. 64M)", size);
	if (n == 4) {
		if (strcmp(flag, "huge"))
			return fail(c, sec, "area", "'%s' (expected huge or nothing after the size)", flag);
		if (!a.anon)
			return fail(c, sec, "area", "huge needs an anon area (no file THP in the sim)");
		a.huge = true;
	}
	na = realloc(p->areas, (p->nr_areas + 1) * sizeof(*na));
	if (!na) {
		c->rc = -ENOMEM;
		return 0;
	}
	p->areas = na;
	p->areas[p->nr_areas++] = a;
	return 1;
}

/* access = KIND AREA[:OFF+LEN] [key=value ...] */
static int access_key(struct parse_ctx *c, const char *sec, struct sim_proc_spec *p, const char *v)
{
	struct sim_pattern_spec t = { .zipf_s = 1.0, .loop = true, .period_ms = 100 };
	struct sim_pattern_spec *np;
	char buf[256], *tok, *save, *colon, *plus;
	const struct sim_area_spec *a;
	bool have_rate = false;
	uint64_t x;

	t.line = c->line;
	snprintf(buf, sizeof(buf), "%s", v);
	tok = strtok_r(buf, " \t", &save);
	if (!tok)
		return fail(c, sec, "access", "empty (expected KIND AREA[:OFF+LEN] key=value...)");
	if (!strcmp(tok, "uniform"))
		t.kind = PAT_UNIFORM;
	else if (!strcmp(tok, "zipf"))
		t.kind = PAT_ZIPF;
	else if (!strcmp(tok, "seq"))
		t.kind = PAT_SEQ;
	else if (!strcmp(tok, "grow"))
		t.kind = PAT_GROW;
	else if (!strcmp(tok, "sweep"))
		t.kind = PAT_SWEEP;
	else
		return fail(c, sec, "access", "kind '%s' (expected uniform, zipf, seq, grow or sweep)", tok);
	tok = strtok_r(NULL, " \t", &save);
	if (!tok)
		return fail(c, sec, "access", "no area (expected KIND AREA[:OFF+LEN])");
	colon = strchr(tok, ':');
	t.area = find_area(p, tok, colon ? (size_t)(colon - tok) : strlen(tok));
	if (t.area < 0)
		return fail(c, sec, "access", "area '%.*s' not defined (define it with area = before access =)",
			    colon ? (int)(colon - tok) : (int)strlen(tok), tok);
	a = &p->areas[t.area];
	t.len = a->pages;
	if (colon) {
		plus = strchr(colon + 1, '+');
		if (!plus)
			return fail(c, sec, "access", "'%s' (expected AREA:OFF+LEN, e.g. heap:0+16M)", tok);
		*plus = 0;
		if (parse_size_pages(colon + 1, &t.off) || parse_size_pages(plus + 1, &t.len) || !t.len ||
		    t.off + t.len > a->pages)
			return fail(c, sec, "access", "range %s+%s outside area '%s' of %llu KiB",
				    colon + 1, plus + 1, a->name,
				    (unsigned long long)a->pages << (LRG_PAGE_SHIFT - 10));
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');
		const char *val;

		if (!eq)
			return fail(c, sec, "access", "'%s' (expected key=value)", tok);
		*eq = 0;
		val = eq + 1;
		if (!strcmp(tok, "rate") && t.kind != PAT_GROW && t.kind != PAT_SWEEP) {
			if (parse_double(val, &t.rate))
				return fail(c, sec, "access", "rate '%s' (expected touches per second)", val);
			have_rate = true;
		} else if (!strcmp(tok, "mibps") && t.kind == PAT_GROW) {
			double d;

			if (parse_double(val, &d))
				return fail(c, sec, "access", "mibps '%s' (expected MiB per second)", val);
			t.rate = d * (1 << (20 - LRG_PAGE_SHIFT));
			have_rate = true;
		} else if (!strcmp(tok, "s") && t.kind == PAT_ZIPF) {
			if (parse_double(val, &t.zipf_s) || t.zipf_s > 10)
				return fail(c, sec, "access", "s '%s' (expected a zipf exponent 0..10)", val);
		} else if (!strcmp(tok, "loop") && t.kind == PAT_SEQ) {
			if (parse_bool(val, &t.loop))
				return fail(c, sec, "access", "loop '%s' (expected yes or no)", val);
		} else if (!strcmp(tok, "write")) {
			if (parse_u64(val, &x) || x > 100)
				return fail(c, sec, "access", "write '%s' (expected a percentage 0..100)", val);
			t.write_pct = x;
		} else if (!strcmp(tok, "from")) {
			if (parse_secs(val, &t.from_ms))
				return fail(c, sec, "access", "from '%s' (expected seconds)", val);
		} else if (!strcmp(tok, "until")) {
			if (parse_secs(val, &t.until_ms))
				return fail(c, sec, "access", "until '%s' (expected seconds)", val);
		} else if (!strcmp(tok, "period_ms") && t.kind == PAT_SWEEP) {
			if (parse_u64(val, &x) || x < 1)
				return fail(c, sec, "access", "period_ms '%s' (expected ms > 0)", val);
			t.period_ms = x;
		} else {
			return fail(c, sec, "access", "option '%s' not valid here (uniform/zipf/seq: rate=, write=, from=, until=; zipf: s=; seq: loop=; grow: mibps=; sweep: period_ms=)", tok);
		}
	}
	if (!have_rate && t.kind != PAT_SWEEP)
		return fail(c, sec, "access", "missing %s", t.kind == PAT_GROW ? "mibps=" : "rate=");
	np = realloc(p->pats, (p->nr_pats + 1) * sizeof(*np));
	if (!np) {
		c->rc = -ENOMEM;
		return 0;
	}
	p->pats = np;
	p->pats[p->nr_pats++] = t;
	return 1;
}

/* sleep = AT+FOR[/EVERY], seconds from the process start */
static int sleep_key(struct parse_ctx *c, const char *sec, struct sim_proc_spec *p, const char *v)
{
	struct sim_sleep_spec s = { 0 }, *ns;
	char buf[64], *plus, *slash;

	snprintf(buf, sizeof(buf), "%s", v);
	plus = strchr(buf, '+');
	if (!plus)
		return fail(c, sec, "sleep", "'%s' (expected AT+FOR[/EVERY] in seconds, e.g. 10+5/20)", v);
	*plus = 0;
	slash = strchr(plus + 1, '/');
	if (slash)
		*slash = 0;
	if (parse_secs(buf, &s.at_ms) || parse_secs(plus + 1, &s.for_ms) || !s.for_ms ||
	    (slash && (parse_secs(slash + 1, &s.every_ms) || s.every_ms <= s.for_ms)))
		return fail(c, sec, "sleep", "'%s' (expected AT+FOR[/EVERY] in seconds, FOR > 0, EVERY > FOR)", v);
	ns = realloc(p->sleeps, (p->nr_sleeps + 1) * sizeof(*ns));
	if (!ns) {
		c->rc = -ENOMEM;
		return 0;
	}
	p->sleeps = ns;
	p->sleeps[p->nr_sleeps++] = s;
	return 1;
}

static int process_key(struct parse_ctx *c, const char *sec, const char *name,
		       const char *k, const char *v)
{
	struct sim_proc_spec *p = get_proc(c, name);
	uint64_t x;

	if (!p) {
		c->rc = -ENOMEM;
		snprintf(c->err, c->errlen, "out of memory");
		return 0;
	}
	if (!strcmp(k, "cgroup")) {
		int i = p - c->w->procs;

		free(c->cg_refs[i]);
		c->cg_refs[i] = strdup(v);
		c->cg_ref_lines[i] = c->line;
	} else if (!strcmp(k, "comm")) {
		snprintf(p->comm, sizeof(p->comm), "%s", v);
	} else if (!strcmp(k, "start_s")) {
		if (parse_secs(v, &p->start_ms))
			return fail(c, sec, k, "'%s' (expected seconds)", v);
	} else if (!strcmp(k, "stop_s")) {
		if (parse_secs(v, &p->stop_ms))
			return fail(c, sec, k, "'%s' (expected seconds, 0 = never)", v);
	} else if (!strcmp(k, "count")) {
		if (parse_u64(v, &x) || x < 1 || x > 1000)
			return fail(c, sec, k, "'%s' (expected 1..1000)", v);
		p->count = x;
	} else if (!strcmp(k, "protect")) {
		if (parse_bool(v, &p->protect))
			return fail(c, sec, k, "'%s' (expected yes or no)", v);
	} else if (!strcmp(k, "oom_score_adj")) {
		long l;
		char *end;

		l = strtol(v, &end, 10);
		if (!*v || *end || l < -1000 || l > 1000)
			return fail(c, sec, k, "'%s' (expected -1000..1000)", v);
		p->oom_score_adj = l;
	} else if (!strcmp(k, "area")) {
		return area_key(c, sec, p, v);
	} else if (!strcmp(k, "access")) {
		return access_key(c, sec, p, v);
	} else if (!strcmp(k, "sleep")) {
		return sleep_key(c, sec, p, v);
	} else {
		return fail(c, sec, k, "unknown key (expected cgroup, comm, start_s, stop_s, count, protect, oom_score_adj, area, access, sleep)");
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;

	if (c->rc)
		return 1;
	if (!strcmp(section, "machine"))
		return machine_key(c, section, name, value);
	if (!strncmp(section, "cgroup ", 7) && section[7])
		return cgroup_key(c, section, section + 7, name, value);
	if (!strncmp(section, "process ", 8) && section[8])
		return process_key(c, section, section + 8, name, value);
	return fail(c, section, name, "unknown section (expected [machine], [cgroup NAME] or [process NAME])");
}

static void defaults(struct sim_workload *w)
{
	struct sim_machine_spec *m = &w->m;

	m->ram_pages = mib_pages(128);
	m->swap_pages = 0;
	m->seed = 1;
	m->duration_ms = 10000;
	m->tick_ms = 10;
	m->swapin_us = 100;
	m->swapout_us = 50;
	m->disk_read_us = 200;
	m->disk_write_us = 200;
	m->pid_max = 32768;
	m->swappiness = 60;
	m->direct_batch = 32;
	m->refresh_ms = 1000;
	m->kswapd = SIM_KSWAPD_HOOK;
	m->nonleaf = true;
}

static int parse_file(struct parse_ctx *c, const char *path)
{
	int r;

	c->file = path;
	c->line = 0;
	c->at_bol = true;
	c->f = fopen(path, "re");
	if (!c->f) {
		r = -errno;
		snprintf(c->err, c->errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	r = ini_parse_stream(count_reader, c, handler, c);
	fclose(c->f);
	if (c->rc)
		return c->rc;
	if (r > 0) {
		snprintf(c->err, c->errlen, "%s:%d: syntax error (expected [section] or key = value)",
			 path, r);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(c->err, c->errlen, "%s: cannot parse (%d)", path, r);
		return -EIO;
	}
	return 0;
}

/* "section.key=value": the last '.' before '=' ends the section. */
static int apply_override(struct parse_ctx *c, const char *o)
{
	char buf[512], *eq, *dot;

	snprintf(buf, sizeof(buf), "%s", o);
	eq = strchr(buf, '=');
	if (eq) {
		*eq = 0;
		dot = strrchr(buf, '.');
	}
	if (!eq || !dot || dot == buf || !dot[1]) {
		snprintf(c->err, c->errlen, "--set %s: expected section.key=value (e.g. machine.ram_mib=128)", o);
		return -EINVAL;
	}
	*dot = 0;
	c->file = "--set";
	c->line = 0;
	handler(c, buf, dot + 1, eq + 1);
	return c->rc;
}

static int check(struct parse_ctx *c)
{
	struct sim_workload *w = c->w;
	int i, j;

	c->file = w->path;
	for (i = 0; i < w->nr_procs; i++) {
		struct sim_proc_spec *p = &w->procs[i];
		char sec[64];

		snprintf(sec, sizeof(sec), "process %s", p->name);
		if (c->cg_refs[i]) {
			for (j = 1; j < w->nr_cgroups; j++)
				if (!strcmp(w->cgroups[j].name, c->cg_refs[i]))
					break;
			if (j == w->nr_cgroups) {
				c->line = c->cg_ref_lines[i];
				return fail(c, sec, "cgroup", "'%s' is not declared (expected the NAME of a [cgroup NAME] section)", c->cg_refs[i]), c->rc;
			}
			p->cgroup = j;
		}
		if (p->stop_ms && p->stop_ms <= p->start_ms) {
			c->line = 0;
			return fail(c, sec, "stop_s", "not after start_s"), c->rc;
		}
	}
	if (w->m.tick_ms > w->m.duration_ms) {
		snprintf(c->err, c->errlen, "%s: [machine] tick_ms longer than duration_s", w->path);
		return -EINVAL;
	}
	return 0;
}

int sim_workload_load(const char *path, const char *const *overrides, size_t nr_overrides,
		      struct sim_workload *ret, char *err, size_t errlen)
{
	struct sim_workload w = { 0 };
	struct parse_ctx c = { .w = &w, .err = err, .errlen = errlen };
	size_t i;
	int r;

	if (errlen)
		err[0] = 0;
	snprintf(w.path, sizeof(w.path), "%s", path);
	defaults(&w);
	w.cgroups = calloc(1, sizeof(*w.cgroups));
	if (!w.cgroups)
		return -ENOMEM;
	w.nr_cgroups = 1;
	snprintf(w.cgroups[0].name, sizeof(w.cgroups[0].name), "root");
	snprintf(w.cgroups[0].path, sizeof(w.cgroups[0].path), "/");
	w.cgroups[0].max = w.cgroups[0].high = SIM_NO_LIMIT;
	r = parse_file(&c, path);
	for (i = 0; !r && i < nr_overrides; i++)
		r = apply_override(&c, overrides[i]);
	if (!r)
		r = check(&c);
	for (i = 0; i < (size_t)w.nr_procs; i++)
		free(c.cg_refs[i]);
	free(c.cg_refs);
	free(c.cg_ref_lines);
	if (r) {
		sim_workload_free(&w);
		return r;
	}
	*ret = w;
	return 0;
}

void sim_workload_free(struct sim_workload *w)
{
	int i;

	for (i = 0; i < w->nr_procs; i++) {
		free(w->procs[i].areas);
		free(w->procs[i].pats);
		free(w->procs[i].sleeps);
	}
	free(w->procs);
	free(w->cgroups);
	memset(w, 0, sizeof(*w));
}
