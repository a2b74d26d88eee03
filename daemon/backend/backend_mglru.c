// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend_mglru.c - stock kernels with CONFIG_LRU_GEN (6.1+).
 *
 * The kernel keeps the generations; lrugend reads them from debugfs and
 * drives aging and eviction through the same file
 * (Documentation/admin-guide/mm/multigen_lru.rst):
 *
 *   memcg  MEMCG_ID  MEMCG_PATH
 *    node  NODE_ID
 *       SEQ  AGE_MS  NR_ANON_PAGES  NR_FILE_PAGES      (one per generation)
 *
 *   + MEMCG_ID NODE_ID MAX_SEQ [CAN_SWAP [FORCE_SCAN]]   aging
 *   - MEMCG_ID NODE_ID MIN_SEQ [SWAPPINESS [NR_TO_RECLAIM]]   eviction
 *
 * MEMCG_ID there is the kernel's mem_cgroup id (16 bits, reused), not the
 * cgroup inode lrugend uses: the two are matched through MEMCG_PATH, which
 * is the cgroup's path on the cgroup2 mount.
 *
 * Listing, measuring, killing and page eviction are the proc backend's: an
 * inner proc backend serves them, so there is one implementation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "backends.h"
#include "cgroups.h"
#include "fileio.h"
#include "lrg_log.h"
#include "procfs.h"
#include "util.h"

/* ---- the parser ---------------------------------------------------------- */

/*
 * The file is read whatever any one line holds: a line that cannot be
 * parsed is counted and skipped, with the (memcg, node) it belongs to
 * (whose generations it leaves unknown), and the parse goes on at the next
 * node or memcg. Lines and paths are of any length.
 */
struct lg_parse {
	lrg_lru_gen_fn fn;
	void *ctx;
	bool full;
	bool in_memcg, in_node;
	bool skip_memcg;     /* its memcg line was bad: its nodes are left out */
	bool skip_node;      /* a line of this node was bad: left out */
	uint64_t kid;
	char *path;          /* of the current memcg */
	size_t path_cap;
	struct lrg_kernel_gens g;
	bool seen_type[LRG_NR_TYPES]; /* full: a gen without 'x' was seen */
	int line;
	struct lrg_lru_gen_stats st;
};

/* lg_line(): the line could not be parsed (counted, and skipped). */
#define LG_BAD 1

/* Count the current line as bad (the first one is described): LG_BAD. */
__attribute__((format(printf, 2, 3))) static int lg_error(struct lg_parse *p, const char *fmt, ...)
{
	char *msg = p->st.first_error;
	size_t size = sizeof(p->st.first_error);
	va_list ap;
	int n;

	if (!p->st.nr_bad_lines++) {
		n = snprintf(msg, size, "line %d: ", p->line);
		if (n >= 0 && (size_t)n < size) {
			va_start(ap, fmt);
			vsnprintf(msg + n, size - n, fmt, ap);
			va_end(ap);
		}
	}
	return LG_BAD;
}

/* A node's generations are complete: hand them over. */
static int lg_flush(struct lg_parse *p)
{
	int r;

	if (!p->in_node)
		return 0;
	p->in_node = false;
	if (!p->g.nr_gens) {
		p->st.nr_dropped++;
		lg_error(p, "node %d of memcg %" PRIu64 " has no generations", p->g.node, p->kid);
		return 0;
	}
	p->g.max_seq = p->g.gens[p->g.nr_gens - 1].seq;
	for (int t = 0; t < LRG_NR_TYPES; t++)
		if (!p->full || !p->seen_type[t])
			p->g.min_seq[t] = p->g.gens[0].seq;
	r = p->fn ? p->fn(p->ctx, p->kid, p->path, &p->g) : 0;
	p->st.nr_reported++;
	return r < 0 ? r : 0;
}

/* One number, with the full variant's one-character mark after it. */
static int lg_num(const char **s, uint64_t *v, char *mark)
{
	const char *q = *s;
	char *e;

	while (*q == ' ' || *q == '\t')
		q++;
	if (*q < '0' || *q > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(q, &e, 10);
	if (errno)
		return -EINVAL;
	*mark = ' ';
	if (*e && *e != ' ' && *e != '\t') {
		*mark = *e++;
		if (*e && *e != ' ' && *e != '\t')
			return -EINVAL;
	}
	*s = e;
	return 0;
}

static int lg_gen_line(struct lg_parse *p, const char *s)
{
	uint64_t seq, age, pages[LRG_NR_TYPES];
	char m0, m1, mark[LRG_NR_TYPES];
	int i;

	if (!p->in_node)
		return lg_error(p, "generation outside of a node");
	if (lg_num(&s, &seq, &m0) < 0 || m0 != ' ' || lg_num(&s, &age, &m1) < 0 || m1 != ' ')
		return lg_error(p, "expected SEQ AGE_MS NR_ANON_PAGES NR_FILE_PAGES");
	for (int t = 0; t < LRG_NR_TYPES; t++) {
		if (lg_num(&s, &pages[t], &mark[t]) < 0 || (mark[t] != ' ' && mark[t] != 'x') ||
		    (mark[t] == 'x' && !p->full))
			return lg_error(p, "expected SEQ AGE_MS NR_ANON_PAGES NR_FILE_PAGES");
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s)
		return lg_error(p, "trailing text after a generation: \"%.32s\"", s);
	if (p->full && mark[LRG_ANON] == 'x' && mark[LRG_FILE] == 'x')
		return 0;  /* below both min_seqs: not a live generation */
	if (p->g.nr_gens && seq != p->g.gens[p->g.nr_gens - 1].seq + 1)
		return lg_error(p, "generation %" PRIu64 " does not follow %" PRIu64, seq,
				p->g.gens[p->g.nr_gens - 1].seq);
	if (p->g.nr_gens == LRG_MAX_NR_GENS)
		return lg_error(p, "more than %u generations", LRG_MAX_NR_GENS);
	i = p->g.nr_gens++;
	p->g.gens[i].seq = seq;
	p->g.gens[i].age_ms = age;
	for (int t = 0; t < LRG_NR_TYPES; t++) {
		/* a type's generations below its min_seq hold no pages */
		p->g.gens[i].nr_pages[t] = mark[t] == 'x' ? 0 : pages[t];
		if (p->full && mark[t] != 'x' && !p->seen_type[t]) {
			p->seen_type[t] = true;
			p->g.min_seq[t] = seq;
		}
	}
	return 0;
}

/* Make room for n bytes in a growable buffer. */
static int lg_reserve(char **buf, size_t *cap, size_t n)
{
	char *nb;
	size_t c = *cap ? *cap : 256;

	if (n <= *cap)
		return 0;
	while (c < n)
		c *= 2;
	nb = realloc(*buf, c);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = c;
	return 0;
}

/* "memcg MEMCG_ID MEMCG_PATH": the path is the rest of the line (it may
 * hold spaces, and be of any length); empty when the kernel has no memcg:
 * the root. */
static int lg_memcg_line(struct lg_parse *p, const char *t)
{
	const char *q = t + 5;
	char *e = NULL;
	size_t len;
	int r;

	p->in_memcg = false;
	p->skip_memcg = p->skip_node = false;
	while (*q == ' ' || *q == '\t')
		q++;
	errno = 0;
	if (*q >= '0' && *q <= '9')
		p->kid = strtoull(q, &e, 10);
	if (!e || errno || (*e && *e != ' ' && *e != '\t')) {
		p->skip_memcg = true;
		return lg_error(p, "expected \"memcg MEMCG_ID MEMCG_PATH\"");
	}
	while (*e == ' ' || *e == '\t')
		e++;
	len = strlen(e);
	r = lg_reserve(&p->path, &p->path_cap, len + 2);
	if (r < 0)
		return r;
	strcpy(p->path, len ? e : "/");
	p->in_memcg = true;
	return 0;
}

/* "node NODE_ID" */
static int lg_node_line(struct lg_parse *p, const char *t)
{
	char *e;
	long nid;

	p->skip_node = false;
	if (p->skip_memcg) {
		p->st.nr_dropped++;
		return 0;
	}
	if (!p->in_memcg) {
		p->skip_node = true;
		p->st.nr_dropped++;
		return lg_error(p, "node outside of a memcg");
	}
	errno = 0;
	nid = strtol(t + 4, &e, 10);
	while (*e == ' ' || *e == '\t')
		e++;
	if (errno || e == t + 4 || *e || nid < 0 || nid > INT_MAX) {
		p->skip_node = true;
		p->st.nr_dropped++;
		return lg_error(p, "expected \"node NODE_ID\"");
	}
	memset(&p->g, 0, sizeof(p->g));
	memset(p->seen_type, 0, sizeof(p->seen_type));
	p->g.node = (int)nid;
	p->in_node = true;
	return 0;
}

static bool lg_is_header(const char *t, const char *word, size_t len)
{
	return !strncmp(t, word, len) && (t[len] == ' ' || t[len] == '\t');
}

/* One line: 0, LG_BAD when it could not be parsed, or a negative errno. */
static int lg_line(struct lg_parse *p, const char *s)
{
	const char *t = s;
	size_t lead;
	int r;

	while (*t == ' ' || *t == '\t')
		t++;
	lead = t - s;
	if (!*t)
		return 0;
	if (lg_is_header(t, "memcg", 5) || lg_is_header(t, "node", 4)) {
		r = lg_flush(p);
		if (r < 0)
			return r;
		return t[0] == 'm' ? lg_memcg_line(p, t) : lg_node_line(p, t);
	}
	if (p->skip_memcg || p->skip_node)
		return 0;  /* the rest of a block already left out */
	/* lru_gen_full: per-tier lines are indented 12+ columns, mm-walk
	 * lines 22+; a generation's SEQ ends by column 11. */
	if (p->full && lead >= 12)
		return p->in_node ? 0 : lg_error(p, "detail line outside of a node");
	if (*t >= '0' && *t <= '9')
		return lg_gen_line(p, s);
	return lg_error(p, "unexpected \"%.32s\"", t);
}

int lrg_lru_gen_parse(const char *text, bool full, lrg_lru_gen_fn fn, void *ctx,
		      struct lrg_lru_gen_stats *ret_stats)
{
	struct lg_parse p = { .fn = fn, .ctx = ctx, .full = full };
	_cleanup_free_ char *line = NULL;
	size_t line_cap = 0;
	const char *s = text;
	int r = 0;

	while (*s && r >= 0) {
		const char *eol = strchr(s, '\n');
		size_t len;

		if (!eol)
			eol = s + strlen(s);
		len = eol - s;
		p.line++;
		r = lg_reserve(&line, &line_cap, len + 1);
		if (r < 0)
			break;
		memcpy(line, s, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		r = lg_line(&p, line);
		if (r == LG_BAD) {
			/* what the node holds so far is incomplete: leave it out */
			if (p.in_node) {
				p.in_node = false;
				p.st.nr_dropped++;
			}
			p.skip_node = true;
			r = 0;
		}
		s = *eol ? eol + 1 : eol;
	}
	if (r >= 0) {
		p.line++;
		r = lg_flush(&p);
	}
	free(p.path);
	if (r >= 0 && ret_stats)
		*ret_stats = p.st;
	return r < 0 ? r : 0;
}

/* ---- the backend --------------------------------------------------------- */

struct memcg_map {
	uint64_t id;     /* cgroup id (inode) or LRG_ROOT_MEMCG */
	uint64_t kid;    /* the kernel's mem_cgroup id */
};

struct mglru_backend {
	struct lrg_backend b;
	struct lrg_backend *proc;       /* lists, measures, kills, evicts pages */
	struct lrg_cgroup_tree *cg;     /* to map MEMCG_PATH to cgroup ids */
	char lru_gen[1024];
	char proc_root[512];
	struct memcg_map *map;
	size_t nmap, capmap;
	unsigned int bad_lines_logged;  /* lru_gen's unparsable lines, as last logged */
};

static struct mglru_backend *to_mb(struct lrg_backend *b)
{
	return (struct mglru_backend *)b;
}

static bool map_id(struct mglru_backend *mb, const char *path, uint64_t *ret)
{
	const struct lrg_cgroup_entry *e;

	if (mb->cg->global) {
		/* One domain: the root memcg's lruvecs (on a v1 hierarchy the
		 * children's lruvecs are not aged by lrugend). */
		if (strcmp(path, "/"))
			return false;
		*ret = LRG_ROOT_MEMCG;
		return true;
	}
	e = lrg_cgroup_tree_find_path(mb->cg, path);
	if (!e)
		return false;
	*ret = e->id;
	return true;
}

struct read_ctx {
	struct mglru_backend *mb;
	struct memcg_map *map;
	size_t n, cap;
	uint64_t want_id;
	int want_node;
	struct lrg_kernel_gens *out;
	bool found;
};

static int read_cb(void *ctx, uint64_t kid, const char *path, const struct lrg_kernel_gens *g)
{
	struct read_ctx *c = ctx;
	uint64_t id;

	if (!map_id(c->mb, path, &id))
		return 0;  /* not ours (created since the last rescan, or v1) */
	if (!c->n || c->map[c->n - 1].kid != kid || c->map[c->n - 1].id != id) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 64;
			struct memcg_map *nm = realloc(c->map, cap * sizeof(*nm));

			if (!nm)
				return -ENOMEM;
			c->map = nm;
			c->cap = cap;
		}
		c->map[c->n].id = id;
		c->map[c->n].kid = kid;
		c->n++;
	}
	if (c->out && id == c->want_id && g->node == c->want_node) {
		*c->out = *g;
		c->out->memcg_id = id;
		c->found = true;
	}
	return 0;
}

/*
 * Say once that lines of lru_gen could not be parsed (every tick reads the
 * file, and the line that a user's cgroup makes stays there), and again
 * when their number changes.
 */
static void note_bad_lines(struct mglru_backend *mb, const struct lrg_lru_gen_stats *st)
{
	if (st->nr_bad_lines == mb->bad_lines_logged)
		return;
	if (st->nr_bad_lines)
		log_warning("%s: %u line(s) could not be parsed and are skipped, leaving out %u "
			    "memcg node(s) of %u (first: %s)", mb->lru_gen, st->nr_bad_lines,
			    st->nr_dropped, st->nr_dropped + st->nr_reported, st->first_error);
	else
		log_notice("%s: every line parses again", mb->lru_gen);
	mb->bad_lines_logged = st->nr_bad_lines;
}

/* Read and parse the whole file; refresh the id map; optionally pick one. */
static int mglru_read(struct mglru_backend *mb, uint64_t id, int node,
		      struct lrg_kernel_gens *out, bool *found)
{
	struct read_ctx c = { .mb = mb, .want_id = id, .want_node = node, .out = out };
	_cleanup_free_ char *text = NULL;
	struct lrg_lru_gen_stats st;
	int r;

	r = lrg_read_file(mb->lru_gen, &text, NULL);
	if (r < 0)
		return r;
	r = lrg_lru_gen_parse(text, false, read_cb, &c, &st);
	if (r < 0) {
		free(c.map);
		return r;
	}
	note_bad_lines(mb, &st);
	free(mb->map);
	mb->map = c.map;
	mb->nmap = c.n;
	mb->capmap = c.cap;
	if (found)
		*found = c.found;
	return 0;
}

static int kernel_id(struct mglru_backend *mb, uint64_t id, uint64_t *ret)
{
	int r;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < mb->nmap; i++) {
			if (mb->map[i].id == id) {
				*ret = mb->map[i].kid;
				return 0;
			}
		}
		if (pass == 0) {
			/* maybe a new cgroup: rescan the tree, re-read the file */
			if (!mb->cg->global)
				(void)lrg_cgroup_tree_rescan(mb->cg, NULL, NULL);
			r = mglru_read(mb, UINT64_MAX, -1, NULL, NULL);
			if (r < 0)
				return r;
		}
	}
	return -ENOENT;
}

static int mglru_read_gens(struct lrg_backend *b, uint64_t memcg_id, int node,
			   struct lrg_kernel_gens *ret)
{
	struct mglru_backend *mb = to_mb(b);
	struct lrg_kernel_gens g;
	bool found = false;
	int r;

	r = mglru_read(mb, memcg_id, node, &g, &found);
	if (r < 0)
		return r;
	if (!found && !mb->cg->global) {
		(void)lrg_cgroup_tree_rescan(mb->cg, NULL, NULL);
		r = mglru_read(mb, memcg_id, node, &g, &found);
		if (r < 0)
			return r;
	}
	if (!found)
		return -ENOENT;
	*ret = g;
	return 0;
}

static int mglru_cmd(struct mglru_backend *mb, const char *cmd)
{
	int r = lrg_write_file(mb->lru_gen, cmd);

	/* -EINVAL: a stale max_seq/min_seq, or a memcg gone offline; the
	 * caller re-reads the generations and tries again. */
	return r;
}

static int mglru_age(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t max_seq,
		     bool can_swap, bool force_scan)
{
	struct mglru_backend *mb = to_mb(b);
	char cmd[128];
	uint64_t kid;
	int r;

	r = kernel_id(mb, memcg_id, &kid);
	if (r < 0)
		return r;
	snprintf(cmd, sizeof(cmd), "+ %" PRIu64 " %d %" PRIu64 " %d %d\n", kid, node, max_seq,
		 can_swap ? 1 : 0, force_scan ? 1 : 0);
	r = mglru_cmd(mb, cmd);
	if (r == -ERANGE && !force_scan) {
		/*
		 * The kernel refuses plain aging while the lruvec already has
		 * MAX_NR_GENS generations (run_aging: -ERANGE), which is the
		 * normal state of an idle memcg right after MGLRU is switched
		 * on. The policy asks for a generation because its aging
		 * interval has passed; force_scan lets the kernel make room by
		 * folding the oldest generation into the next (inc_min_seq),
		 * as the debugfs interface does by default, at the price of a
		 * full page-table walk instead of a Bloom-filtered one.
		 */
		snprintf(cmd, sizeof(cmd), "+ %" PRIu64 " %d %" PRIu64 " %d 1\n", kid, node,
			 max_seq, can_swap ? 1 : 0);
		r = mglru_cmd(mb, cmd);
	}
	return r;
}

static int mglru_evict_gen(struct lrg_backend *b, uint64_t memcg_id, int node, uint64_t min_seq,
			   int swappiness, uint64_t nr_pages)
{
	struct mglru_backend *mb = to_mb(b);
	char cmd[160], path[PATH_MAX], buf[32];
	uint64_t kid;
	int r;

	r = kernel_id(mb, memcg_id, &kid);
	if (r < 0)
		return r;
	if (swappiness < 0) {
		uint64_t v;

		/* Positional: a page limit needs a swappiness before it. */
		swappiness = 60;
		snprintf(path, sizeof(path), "%s/sys/vm/swappiness", mb->proc_root);
		if (lrg_read_file_buf(path, buf, sizeof(buf), NULL) == 0 &&
		    lrg_parse_u64_max(buf, &v) == 0 && v <= 200)
			swappiness = (int)v;
	}
	if (swappiness > 200)
		return -EINVAL;
	if (nr_pages)
		snprintf(cmd, sizeof(cmd), "- %" PRIu64 " %d %" PRIu64 " %d %" PRIu64 "\n", kid,
			 node, min_seq, swappiness, nr_pages);
	else
		snprintf(cmd, sizeof(cmd), "- %" PRIu64 " %d %" PRIu64 " %d\n", kid, node, min_seq,
			 swappiness);
	return mglru_cmd(mb, cmd);
}

/* The shared operations: the inner proc backend's. */
static int mglru_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->list_memcgs(p, fn, ctx);
}

static int mglru_list_memcg_paths(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->list_memcg_paths(p, fn, ctx);
}

static int mglru_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->list_mms(p, memcg_id, fn, ctx);
}

static int mglru_evict(struct lrg_backend *b, const struct lrg_mm_info *mm,
		       const struct lrg_range *ranges, size_t nr_ranges, uint64_t *ret_pages)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->evict(p, mm, ranges, nr_ranges, ret_pages);
}

static int mglru_reclaim(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes,
			 uint64_t *ret_bytes)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->reclaim(p, memcg_id, bytes, ret_bytes);
}

static int mglru_protect(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->protect(p, memcg_id, bytes);
}

static int mglru_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->measure(p, memcg_id, ret);
}

static int mglru_measure_charge(struct lrg_backend *b, uint64_t memcg_id,
				struct lrg_pressure *ret)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->measure_charge(p, memcg_id, ret);
}

static int mglru_measure_meminfo(struct lrg_backend *b, struct lrg_pressure *ret)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->measure_meminfo(p, ret);
}

static int mglru_kill(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->kill(p, req);
}

static uint64_t mglru_now_ms(struct lrg_backend *b)
{
	struct lrg_backend *p = to_mb(b)->proc;

	return p->ops->now_ms(p);
}

static void mglru_destroy(struct lrg_backend *b)
{
	struct mglru_backend *mb = to_mb(b);

	mb->proc->ops->destroy(mb->proc);
	lrg_cgroup_tree_free(mb->cg);
	free(mb->map);
	free(mb);
}

static const struct lrg_backend_ops mglru_ops = {
	.name = "mglru",
	.accuracy = "mglru: the kernel's own generations (page-table walks and rmap); "
		    "aging and eviction per memcg and node, not per mm",
	.list_memcgs = mglru_list_memcgs,
	.list_memcg_paths = mglru_list_memcg_paths,
	.list_mms = mglru_list_mms,
	.harvest = NULL,
	.evict = mglru_evict,
	.reclaim = mglru_reclaim,
	.protect = mglru_protect,
	.measure = mglru_measure,
	.measure_charge = mglru_measure_charge,
	.measure_meminfo = mglru_measure_meminfo,
	.kill = mglru_kill,
	.read_gens = mglru_read_gens,
	.age = mglru_age,
	.evict_gen = mglru_evict_gen,
	.now_ms = mglru_now_ms,
	.destroy = mglru_destroy,
};

/* Is MGLRU on? Reads "0x0007"-style masks; bit 0 is the core switch. */
static int read_enabled(const char *path, unsigned long *ret)
{
	char buf[32], *e;
	unsigned long v;
	int r;

	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(buf, &e, 0);
	if (errno || e == buf)
		return -EINVAL;
	*ret = v;
	return 0;
}

int lrg_mglru_backend_open_at(const char *debugfs_lru_gen_path, const char *enabled_path,
			      const char *proc_root, const char *cgroup_root, bool enable,
			      bool mount_debugfs, struct lrg_backend **ret, char *why,
			      size_t whylen)
{
	struct mglru_backend *mb;
	unsigned long en;
	_cleanup_free_ char *text = NULL;
	struct lrg_lru_gen_stats st;
	char mnt[PATH_MAX];
	int r;

	r = read_enabled(enabled_path, &en);
	if (r == -ENOENT) {
		snprintf(why, whylen, "kernel without MGLRU (CONFIG_LRU_GEN): no %s", enabled_path);
		return -EOPNOTSUPP;
	}
	if (r < 0) {
		snprintf(why, whylen, "cannot read %s: %s", enabled_path, strerror(-r));
		return r;
	}
	if (!(en & 1)) {
		if (!enable) {
			snprintf(why, whylen,
				 "MGLRU is off (%s = %#06lx) and enable_mglru is not set",
				 enabled_path, en);
			return -EOPNOTSUPP;
		}
		r = lrg_write_file(enabled_path, "y");
		if (r == 0)
			r = read_enabled(enabled_path, &en);
		if (r < 0 || !(en & 1)) {
			snprintf(why, whylen, "could not switch MGLRU on through %s: %s",
				 enabled_path, r < 0 ? strerror(-r) : "still off");
			return r < 0 ? r : -EOPNOTSUPP;
		}
		log_notice("switched MGLRU on (%s = %#06lx)", enabled_path, en);
	}
	if (access(debugfs_lru_gen_path, R_OK | W_OK) < 0 && errno == ENOENT) {
		char dir[PATH_MAX], *slash;

		if (!mount_debugfs) {
			snprintf(why, whylen, "%s is missing: debugfs not mounted and mount_debugfs is not set",
				 debugfs_lru_gen_path);
			return -ENOENT;
		}
		snprintf(dir, sizeof(dir), "%s", debugfs_lru_gen_path);
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			snprintf(why, whylen, "cannot tell the debugfs mount point from %s",
				 debugfs_lru_gen_path);
			return -EINVAL;
		}
		*slash = '\0';
		if (mount("debugfs", dir, "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
			r = -errno;
			snprintf(why, whylen, "mounting debugfs on %s: %s", dir, strerror(-r));
			return r;
		}
		log_notice("mounted debugfs on %s", dir);
	}
	if (access(debugfs_lru_gen_path, R_OK | W_OK) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", debugfs_lru_gen_path, strerror(-r));
		return r;
	}
	r = lrg_read_file(debugfs_lru_gen_path, &text, NULL);
	if (r < 0) {
		snprintf(why, whylen, "reading %s: %s", debugfs_lru_gen_path, strerror(-r));
		return r;
	}
	r = lrg_lru_gen_parse(text, false, NULL, NULL, &st);
	if (r < 0) {
		snprintf(why, whylen, "parsing %s: %s", debugfs_lru_gen_path, strerror(-r));
		return r;
	}
	/* Lines it cannot parse beside ones it can are skipped at each read;
	 * a file of which nothing parses is a format this code does not know. */
	if (st.nr_bad_lines && !st.nr_reported) {
		snprintf(why, whylen, "%s: unknown format: %s", debugfs_lru_gen_path, st.first_error);
		return -EINVAL;
	}
	if (strlen(debugfs_lru_gen_path) >= sizeof(mb->lru_gen) || strlen(proc_root) >= sizeof(mb->proc_root))
		return -ENAMETOOLONG;
	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	strcpy(mb->lru_gen, debugfs_lru_gen_path);
	strcpy(mb->proc_root, proc_root);
	r = lrg_proc_backend_open(proc_root, cgroup_root, &mb->proc, why, whylen);
	if (r < 0) {
		free(mb);
		return r;
	}
	if (!cgroup_root) {
		char mi[PATH_MAX];

		/* as the proc backend does: no cgroup2 at all is global */
		snprintf(mi, sizeof(mi), "%s/self/mountinfo", proc_root);
		if (lrg_cgroup_find_v2_mount(mi, mnt, sizeof(mnt)) == 0)
			cgroup_root = mnt;
		else
			cgroup_root = "/nonexistent-cgroup2";
	}
	r = lrg_cgroup_tree_open(cgroup_root, &mb->cg);
	if (r < 0) {
		snprintf(why, whylen, "cannot read cgroups: %s", strerror(-r));
		mb->proc->ops->destroy(mb->proc);
		free(mb);
		return r;
	}
	mb->b.ops = &mglru_ops;
	mb->b.caps = LRG_CAP_KERNEL_GENS |
		     (mb->proc->caps & (LRG_CAP_MEMCG | LRG_CAP_EVICT_PAGES | LRG_CAP_RECLAIM |
					LRG_CAP_KILL));
	*ret = &mb->b;
	return 0;
}

int lrg_mglru_backend_open(const char *debugfs_lru_gen_path, const char *cgroup_root,
			   bool enable, bool mount_debugfs, struct lrg_backend **ret, char *why,
			   size_t whylen)
{
	if (!debugfs_lru_gen_path)
		debugfs_lru_gen_path = "/sys/kernel/debug/lru_gen";
	return lrg_mglru_backend_open_at(debugfs_lru_gen_path, "/sys/kernel/mm/lru_gen/enabled",
					 "/proc", cgroup_root, enable, mount_debugfs, ret, why,
					 whylen);
}
