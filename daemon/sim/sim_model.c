// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim_model.c - the simulated machine: frames, page tables, memory cgroups,
 * the classic two-list LRU (pre-MGLRU Linux), faults, direct reclaim, the
 * OOM killer, and struct lrg_backend_ops over all of it. Virtual time only:
 * nothing here reads a real clock, so a seed fixes the whole run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "sim_math.h"

#define DEF_PRIORITY 12
#define SWAP_CLUSTER_MAX 32

/* ---- PRNG: xoshiro256**, seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static double rng_double(uint64_t *s)
{
	return (rng_next(s) >> 11) * 0x1.0p-53;
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* ---- small helpers ---- */

static uint64_t tick_us(const struct lrg_sim *s)
{
	return s->w.m.tick_ms * 1000;
}

static uint64_t now_ms(const struct lrg_sim *s)
{
	return s->now_us / 1000;
}

static struct sim_memcg *frame_memcg(struct lrg_sim *s, const struct sim_frame *f)
{
	return &s->memcgs[f->memcg];
}

static struct sim_pte *frame_pte(struct lrg_sim *s, const struct sim_frame *f)
{
	struct sim_vma *v = &s->procs[f->proc].vmas[f->vma];

	return &v->tables[f->pgoff / LRG_PTES_PER_PMD]->pte[f->pgoff % LRG_PTES_PER_PMD];
}

static struct sim_memcg *memcg_by_id(struct lrg_sim *s, uint64_t id)
{
	int i;

	for (i = 0; i < s->nr_memcgs; i++)
		if (s->memcgs[i].id == id)
			return &s->memcgs[i];
	return NULL;
}

static struct sim_proc *proc_by_key(struct lrg_sim *s, uint64_t mm_key)
{
	int i;

	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].mm_key == mm_key && s->procs[i].state == PROC_RUNNING)
			return &s->procs[i];
	return NULL;
}

static uint64_t proc_rss(const struct sim_proc *p)
{
	return p->nr_anon + p->nr_file;
}

/* ---- LRU lists (doubly linked through frame indices) ---- */

static void lru_del(struct lrg_sim *s, uint32_t fi)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_list *l = &frame_memcg(s, f)->lru[f->lru];

	if (f->prev != SIM_NONE)
		s->frames[f->prev].next = f->next;
	else
		l->head = f->next;
	if (f->next != SIM_NONE)
		s->frames[f->next].prev = f->prev;
	else
		l->tail = f->prev;
	l->n--;
	f->prev = f->next = SIM_NONE;
}

static void lru_add_head(struct lrg_sim *s, uint32_t fi, int lru)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_list *l = &frame_memcg(s, f)->lru[lru];

	f->lru = lru;
	f->prev = SIM_NONE;
	f->next = l->head;
	if (l->head != SIM_NONE)
		s->frames[l->head].prev = fi;
	else
		l->tail = fi;
	l->head = fi;
	l->n++;
}

static void lru_move_head(struct lrg_sim *s, uint32_t fi, int lru)
{
	lru_del(s, fi);
	lru_add_head(s, fi, lru);
}

static int lru_base(bool anon)
{
	return anon ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
}

static bool lru_active(int lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/* ---- frames ---- */

static uint32_t frame_get(struct lrg_sim *s)
{
	uint32_t fi = s->free_head;

	if (fi == SIM_NONE)
		return SIM_NONE;
	s->free_head = s->frames[fi].next;
	s->nr_free--;
	return fi;
}

/* Unlink, uncharge and free a mapped frame; the caller fixes the PTE. */
static void frame_put(struct lrg_sim *s, uint32_t fi)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_memcg *mc = frame_memcg(s, f);
	struct sim_proc *p = &s->procs[f->proc];
	struct sim_vma *v = &p->vmas[f->vma];

	lru_del(s, fi);
	v->tables[f->pgoff / LRG_PTES_PER_PMD]->nr_present--;
	mc->charged--;
	if (f->flags & FR_ANON) {
		mc->nr_anon--;
		p->nr_anon--;
	} else {
		mc->nr_file--;
		p->nr_file--;
	}
	f->lru = LRU_FREE;
	f->flags = 0;
	f->next = s->free_head;
	s->free_head = fi;
	s->nr_free++;
}

/* ---- page table helpers ---- */

static struct sim_table *table_get(struct sim_vma *v, uint64_t pgoff, bool create)
{
	uint32_t r = pgoff / LRG_PTES_PER_PMD;

	if (!v->tables[r] && create)
		v->tables[r] = calloc(1, sizeof(struct sim_table));
	return v->tables[r];
}

/* The classic LRU works on base pages: reclaim splits a THP first and
 * hands its single accessed bit to every PTE. */
static void split_huge(struct sim_vma *v, uint32_t r)
{
	struct sim_table *t = v->tables[r];
	int i;

	if (!(v->pmd[r] & PMD_HUGE))
		return;
	for (i = 0; i < LRG_PTES_PER_PMD; i++)
		if ((t->pte[i].flags & PTE_PRESENT) && (v->pmd[r] & PMD_YOUNG))
			t->pte[i].flags |= PTE_YOUNG;
	v->pmd[r] &= ~PMD_HUGE;
}

static bool frame_test_clear_young(struct lrg_sim *s, uint32_t fi)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_vma *v = &s->procs[f->proc].vmas[f->vma];
	struct sim_pte *pte;

	split_huge(v, f->pgoff / LRG_PTES_PER_PMD);
	pte = frame_pte(s, f);
	if (!(pte->flags & PTE_YOUNG))
		return false;
	pte->flags &= ~PTE_YOUNG;
	return true;
}

/* folio_mark_accessed(): the second access promotes. */
static void mark_accessed(struct lrg_sim *s, uint32_t fi)
{
	struct sim_frame *f = &s->frames[fi];

	if (!lru_active(f->lru) && (f->flags & FR_REFERENCED)) {
		f->flags &= ~FR_REFERENCED;
		lru_move_head(s, fi, f->lru + 1);
		frame_memcg(s, f)->nonresident_age++;
	} else if (!(f->flags & FR_REFERENCED)) {
		f->flags |= FR_REFERENCED;
	}
}

static void charge_stall(struct lrg_sim *s, uint64_t us)
{
	if (s->cur)
		s->cur_stall_us += us;
	else
		s->st.writeback_us += us;
}

/*
 * Page out one frame. Anon needs a swap slot (-ENOSPC without); dirty file
 * pages are written back first. Leaves a shadow so the next fault is
 * counted as a refault.
 */
static int evict_frame(struct lrg_sim *s, uint32_t fi)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_memcg *mc = frame_memcg(s, f);
	struct sim_proc *p = &s->procs[f->proc];
	struct sim_vma *v = &p->vmas[f->vma];
	struct sim_pte *pte;
	bool anon = f->flags & FR_ANON;

	split_huge(v, f->pgoff / LRG_PTES_PER_PMD);
	pte = frame_pte(s, f);
	if (anon) {
		if (s->swap_used >= s->w.m.swap_pages)
			return -ENOSPC;
		s->swap_used++;
		if (s->swap_used > s->st.swap_peak)
			s->st.swap_peak = s->swap_used;
		p->swap++;
		mc->swap++;
		charge_stall(s, s->w.m.swapout_us);
	} else if (pte->flags & PTE_DIRTY) {
		charge_stall(s, s->w.m.disk_write_us);
	}
	pte->flags = PTE_SHADOW | (anon ? PTE_SWAP : 0);
	pte->val = mc->nonresident_age++;
	frame_put(s, fi);
	mc->pgsteal++;
	s->st.pgsteal++;
	return 0;
}

/* ---- the classic LRU's reclaim ---- */

static void shrink_active(struct lrg_sim *s, struct sim_memcg *mc, bool anon, uint64_t n)
{
	int lru = lru_base(anon) + 1;

	while (n-- && mc->lru[lru].tail != SIM_NONE) {
		uint32_t fi = mc->lru[lru].tail;

		/* page_referenced() clears the bit; only mapped executable
		 * file pages would stay active, and the sim has none. */
		frame_test_clear_young(s, fi);
		lru_move_head(s, fi, lru - 1);
	}
}

/* Scan up to n pages, stop once want are freed: the sim reclaims what it
 * is asked for, not a whole SWAP_CLUSTER_MAX batch more. */
static uint64_t shrink_inactive(struct lrg_sim *s, struct sim_memcg *mc, bool anon, uint64_t n,
				uint64_t want)
{
	int lru = lru_base(anon);
	uint64_t freed = 0;

	while (n-- && freed < want && mc->lru[lru].tail != SIM_NONE) {
		uint32_t fi = mc->lru[lru].tail;
		struct sim_frame *f = &s->frames[fi];
		bool young = frame_test_clear_young(s, fi);
		bool ref = f->flags & FR_REFERENCED;

		mc->pgscan++;
		s->st.pgscan++;
		f->flags &= ~FR_REFERENCED;
		if (young) {
			/* page_check_references(): once keeps, twice activates */
			f->flags |= FR_REFERENCED;
			if (ref) {
				lru_move_head(s, fi, lru + 1);
				mc->nonresident_age++;
			} else {
				lru_move_head(s, fi, lru);
			}
			continue;
		}
		if (evict_frame(s, fi)) {
			lru_move_head(s, fi, lru + 1);   /* swap full: activate */
			continue;
		}
		freed++;
	}
	return freed;
}

static uint64_t shrink_memcg(struct lrg_sim *s, struct sim_memcg *mc, uint64_t nr, int prio)
{
	bool can_swap = s->swap_used < s->w.m.swap_pages;
	int swp = s->w.m.swappiness;
	uint64_t scan[2], freed = 0;
	int t;

	for (t = 0; t < 2; t++) {
		bool anon = t == 0;
		uint64_t size = mc->lru[lru_base(anon)].n + mc->lru[lru_base(anon) + 1].n;
		uint64_t x = size >> prio;

		if (!x && prio < DEF_PRIORITY - 2)
			x = size < SWAP_CLUSTER_MAX ? size : SWAP_CLUSTER_MAX;
		/* get_scan_count() in short: swappiness weighs anon against file */
		x = x * (anon ? swp : 200 - swp) / 100;
		if (x > size)
			x = size;
		scan[t] = x;
	}
	if (!can_swap || !swp)
		scan[0] = 0;
	while ((scan[0] || scan[1]) && freed < nr) {
		for (t = 0; t < 2; t++) {
			bool anon = t == 0;
			uint64_t n = scan[t] < SWAP_CLUSTER_MAX ? scan[t] : SWAP_CLUSTER_MAX;
			int lru = lru_base(anon);

			if (!n)
				continue;
			scan[t] -= n;
			/* inactive_is_low() with ratio 1: small machines */
			if (mc->lru[lru].n < mc->lru[lru + 1].n)
				shrink_active(s, mc, anon, n);
			freed += shrink_inactive(s, mc, anon, n, nr - freed);
		}
	}
	return freed;
}

uint64_t lrg_sim_classic_reclaim_mc(struct lrg_sim *s, struct sim_memcg *only, uint64_t nr);

/* only == NULL: global reclaim, honouring memory.min and (first) memory.low */
uint64_t lrg_sim_classic_reclaim_mc(struct lrg_sim *s, struct sim_memcg *only, uint64_t nr)
{
	uint64_t freed = 0;
	int prio, i, pass;

	for (prio = DEF_PRIORITY; prio >= 0 && freed < nr; prio--) {
		if (only) {
			freed += shrink_memcg(s, only, nr - freed, prio);
			continue;
		}
		for (pass = 0; pass < 2 && freed < nr; pass++) {
			for (i = 0; i < s->nr_memcgs && freed < nr; i++) {
				struct sim_memcg *mc = &s->memcgs[i];

				if (mc->charged <= mc->spec->min)
					continue;
				if (!pass && mc->charged <= mc->spec->low)
					continue;
				freed += shrink_memcg(s, mc, nr - freed, prio);
			}
			/* memory.low is best effort: break it only if needed */
			if (freed)
				break;
		}
	}
	s->st.reclaimed_classic += freed;
	return freed;
}

uint64_t lrg_sim_classic_reclaim(struct lrg_sim *s, uint64_t memcg_id, uint64_t nr_pages)
{
	struct sim_memcg *mc = memcg_id == LRG_ROOT_MEMCG ? NULL : memcg_by_id(s, memcg_id);

	if (memcg_id != LRG_ROOT_MEMCG && !mc)
		return 0;
	return lrg_sim_classic_reclaim_mc(s, mc, nr_pages);
}

/* ---- processes ---- */

static void record_kill(struct lrg_sim *s, struct sim_proc *p, const char *by)
{
	struct lrg_sim_kill *k;

	if (s->nr_kills >= LRG_SIM_MAX_KILLS)
		return;
	k = &s->kills[s->nr_kills++];
	k->t_ms = now_ms(s);
	k->pid = p->pid;
	snprintf(k->name, sizeof(k->name), "%s", p->name);
	snprintf(k->by, sizeof(k->by), "%s", by);
	k->rss_pages = proc_rss(p);
}

/* Tear the address space down at once (exit, or kill + process_mrelease). */
static void proc_end(struct lrg_sim *s, struct sim_proc *p, int state)
{
	int i;
	uint32_t r, j;

	for (i = 0; i < p->nr_vmas; i++) {
		struct sim_vma *v = &p->vmas[i];

		for (r = 0; r < v->nr_regions; r++) {
			struct sim_table *t = v->tables[r];

			if (!t)
				continue;
			for (j = 0; j < LRG_PTES_PER_PMD; j++) {
				if (t->pte[j].flags & PTE_PRESENT) {
					frame_put(s, t->pte[j].val);
				} else if (t->pte[j].flags & PTE_SWAP) {
					s->swap_used--;
					p->swap--;
					s->memcgs[p->memcg].swap--;
				}
			}
			free(t);
		}
		free(v->tables);
		free(v->pmd);
	}
	free(p->vmas);
	p->vmas = NULL;
	p->nr_vmas = 0;
	for (i = 0; i < p->spec->nr_pats; i++)
		free(p->ps[i].cdf);
	free(p->ps);
	p->ps = NULL;
	s->memcgs[p->memcg].nr_procs--;
	p->state = state;
	s->generation++;
}

static void oom_kill(struct lrg_sim *s, struct sim_memcg *domain)
{
	struct sim_proc *victim = NULL;
	int64_t best = INT64_MIN;
	int i;

	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];
		int64_t score;

		if (p->state != PROC_RUNNING || p->spec->oom_score_adj == -1000)
			continue;
		if (domain && &s->memcgs[p->memcg] != domain)
			continue;
		/* oom_badness(): rss + swap, shifted by oom_score_adj */
		score = proc_rss(p) + p->swap +
			(int64_t)p->spec->oom_score_adj * (int64_t)s->w.m.ram_pages / 1000;
		if (score > best) {
			best = score;
			victim = p;
		}
	}
	if (!victim)
		return;
	record_kill(s, victim, "kernel");
	s->st.oom_kills_kernel++;
	if (domain)
		domain->oom_kills++;
	proc_end(s, victim, PROC_KILLED);
}

/* Measured, not trusted: what actually left the machine or the memcg. */
static uint64_t freed_since(struct lrg_sim *s, struct sim_memcg *mc, uint64_t before)
{
	uint64_t now = mc ? mc->charged : s->nr_free;

	if (mc)
		return before > now ? before - now : 0;
	return now > before ? now - before : 0;
}

/* The policy's hook first, then the sim's own LRU for whatever is missing. */
static uint64_t direct_reclaim(struct lrg_sim *s, struct sim_memcg *mc, uint64_t nr, bool fallback)
{
	uint64_t before = mc ? mc->charged : s->nr_free, got = 0;
	uint64_t scan0 = s->st.pgscan;

	if (s->b.direct_reclaim && !s->in_reclaim && s->policy == LRG_SIM_LRUGEND) {
		uint64_t r = 0;

		s->in_reclaim = true;
		s->b.direct_reclaim(s->b.direct_reclaim_ctx, mc ? mc->id : LRG_ROOT_MEMCG, nr, &r);
		s->in_reclaim = false;
		got = freed_since(s, mc, before);
		s->st.hook_pages += got;
	}
	if (got < nr && fallback)
		lrg_sim_classic_reclaim_mc(s, mc, nr - got);
	/* scanning costs the reclaimer too: ~100 ns a page */
	charge_stall(s, (s->st.pgscan - scan0) / 10);
	return freed_since(s, mc, before);
}

static bool memcg_full(const struct sim_memcg *mc, uint64_t n)
{
	return mc->spec->max != SIM_NO_LIMIT && mc->charged + n > mc->spec->max;
}

/*
 * Make room for n pages for p: direct reclaim below the min watermark or at
 * memory.max, then the OOM killer when reclaim makes no progress.
 * -ESRCH: p itself was killed. -ENOMEM: no room and nobody to kill.
 */
static int make_room(struct lrg_sim *s, struct sim_proc *p, uint64_t n)
{
	struct sim_memcg *mc = &s->memcgs[p->memcg];
	int tries;

	for (tries = 0; tries < 16; tries++) {
		bool full = memcg_full(mc, n);
		uint64_t got;

		if (!full && s->nr_free >= n + s->wmark_min)
			return 0;
		if (s->in_reclaim)
			break;  /* nested: the hook itself faulted; use reserves */
		s->st.direct_reclaims++;
		got = direct_reclaim(s, full ? mc : NULL, s->w.m.direct_batch, true);
		if (!memcg_full(mc, n) && s->nr_free >= n + s->wmark_min)
			return 0;
		if (!got) {
			oom_kill(s, full ? mc : NULL);
			if (p->state != PROC_RUNNING)
				return -ESRCH;
			if (!got && !memcg_full(mc, n) && s->nr_free >= n)
				return 0;
		}
	}
	if (p->state != PROC_RUNNING)
		return -ESRCH;
	return memcg_full(mc, n) || s->nr_free < n ? -ENOMEM : 0;
}

static uint64_t workingset_size(const struct sim_memcg *mc, bool anon)
{
	/* workingset_test_recent(): the active lists plus the other
	 * type's inactive list */
	return mc->lru[LRU_ACTIVE_ANON].n + mc->lru[LRU_ACTIVE_FILE].n +
	       mc->lru[anon ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON].n;
}

static void map_frame(struct lrg_sim *s, struct sim_proc *p, int vi, uint64_t pgoff,
		      uint32_t fi, bool anon, bool active)
{
	struct sim_frame *f = &s->frames[fi];
	struct sim_memcg *mc = &s->memcgs[p->memcg];
	struct sim_table *t = p->vmas[vi].tables[pgoff / LRG_PTES_PER_PMD];
	struct sim_pte *pte = &t->pte[pgoff % LRG_PTES_PER_PMD];

	f->proc = p - s->procs;
	f->vma = vi;
	f->pgoff = pgoff;
	f->memcg = p->memcg;
	f->flags = anon ? FR_ANON : 0;
	lru_add_head(s, fi, lru_base(anon) + active);
	pte->val = fi;
	pte->flags = PTE_PRESENT | PTE_YOUNG;
	t->nr_present++;
	mc->charged++;
	if (anon) {
		mc->nr_anon++;
		p->nr_anon++;
	} else {
		mc->nr_file++;
		p->nr_file++;
	}
}

/* A whole 2 MiB region at once, if it is fresh and there is room to spare. */
static bool try_thp(struct lrg_sim *s, struct sim_proc *p, int vi, uint64_t pgoff)
{
	struct sim_vma *v = &p->vmas[vi];
	uint32_t r = pgoff / LRG_PTES_PER_PMD;
	uint64_t base = (uint64_t)r * LRG_PTES_PER_PMD;
	struct sim_table *t = v->tables[r];
	int i;

	if (!v->spec->huge || base + LRG_PTES_PER_PMD > v->nr_pages)
		return false;
	for (i = 0; i < LRG_PTES_PER_PMD; i++)
		if (t->pte[i].flags)
			return false;
	if (memcg_full(&s->memcgs[p->memcg], LRG_PTES_PER_PMD) ||
	    s->nr_free < LRG_PTES_PER_PMD + s->wmark_high)
		return false;
	for (i = 0; i < LRG_PTES_PER_PMD; i++)
		map_frame(s, p, vi, base + i, frame_get(s), true, false);
	for (i = 0; i < LRG_PTES_PER_PMD; i++)
		t->pte[i].flags &= ~PTE_YOUNG;  /* the PMD holds the bit */
	v->pmd[r] |= PMD_HUGE | PMD_YOUNG;
	return true;
}

/*
 * One access by p. Adds what the task waits for (swap-in, disk read,
 * direct reclaim) to *stall. -ESRCH if p died on the way.
 */
static int touch(struct lrg_sim *s, struct sim_proc *p, int vi, uint64_t pgoff, bool write,
		 uint64_t *stall)
{
	struct sim_vma *v = &p->vmas[vi];
	uint32_t r = pgoff / LRG_PTES_PER_PMD;
	struct sim_memcg *mc = &s->memcgs[p->memcg];
	struct sim_table *t;
	struct sim_pte *pte;
	bool anon = v->spec->anon, active = false;
	uint32_t fi;
	uint8_t old;
	int err;

	t = table_get(v, pgoff, true);
	if (!t)
		return -ENOMEM;
	pte = &t->pte[pgoff % LRG_PTES_PER_PMD];
	if (pte->flags & PTE_PRESENT) {
		if (!(v->pmd[r] & PMD_HUGE))
			pte->flags |= PTE_YOUNG;
		pte->flags |= write ? PTE_DIRTY : 0;
		v->pmd[r] |= PMD_YOUNG;
		return 0;
	}
	s->st.faults++;
	if (try_thp(s, p, vi, pgoff)) {
		t->pte[pgoff % LRG_PTES_PER_PMD].flags |= write ? PTE_DIRTY : 0;
		return 0;
	}
	s->cur = p;
	s->cur_stall_us = 0;
	err = make_room(s, p, 1);
	*stall += s->cur_stall_us;
	p->mem_debt_us += s->cur_stall_us;
	s->cur = NULL;
	if (err)
		return err;
	/* reclaim may have freed or moved nothing of ours, but re-read */
	pte = &v->tables[r]->pte[pgoff % LRG_PTES_PER_PMD];
	old = pte->flags;
	if (old & PTE_SHADOW) {
		uint32_t dist = mc->nonresident_age - pte->val;

		s->st.refaults[anon ? LRG_ANON : LRG_FILE]++;
		mc->refaults[anon ? LRG_ANON : LRG_FILE]++;
		p->refaults++;
		if (dist <= workingset_size(mc, anon)) {
			active = true;
			mc->nonresident_age++;
		}
	}
	/* Only refaults are memory stalls (PSI); a first read is plain IO. */
	if (old & PTE_SWAP) {
		s->swap_used--;
		p->swap--;
		mc->swap--;
		*stall += s->w.m.swapin_us;
		p->mem_debt_us += s->w.m.swapin_us;
	} else if (!anon) {
		*stall += s->w.m.disk_read_us;
		if (old & PTE_SHADOW)
			p->mem_debt_us += s->w.m.disk_read_us;
	}
	fi = frame_get(s);
	if (fi == SIM_NONE)
		return -ENOMEM;
	map_frame(s, p, vi, pgoff, fi, anon, active);
	if (write || (old & PTE_SWAP))
		pte->flags |= PTE_DIRTY;
	v->pmd[r] |= PMD_YOUNG;
	return 0;
}

static int pid_in_use(const struct lrg_sim *s, pid_t pid)
{
	int i;

	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].state == PROC_RUNNING && s->procs[i].pid == pid)
			return 1;
	return 0;
}

#define FIRST_PID 1000

static pid_t alloc_pid(struct lrg_sim *s)
{
	int n = s->w.m.pid_max - FIRST_PID, i;

	for (i = 0; i < n; i++) {
		pid_t pid = s->next_pid++;

		if (s->next_pid >= s->w.m.pid_max)
			s->next_pid = FIRST_PID;
		if (!pid_in_use(s, pid))
			return pid;
	}
	return -1;
}

static int build_zipf(struct sim_pat_state *ps, const struct sim_pattern_spec *ts)
{
	double sum = 0;
	uint64_t i;

	ps->cdf = malloc(ts->len * sizeof(double));
	if (!ps->cdf)
		return -ENOMEM;
	for (i = 0; i < ts->len; i++) {
		sum += 1.0 / lrg_sim_pow((double)(i + 1), ts->zipf_s);
		ps->cdf[i] = sum;
	}
	for (i = 0; i < ts->len; i++)
		ps->cdf[i] /= sum;
	return 0;
}

static int proc_start(struct lrg_sim *s, struct sim_proc *p)
{
	const struct sim_proc_spec *sp = p->spec;
	uint64_t addr = 0x10000000ULL, seed;
	int i;

	p->pid = alloc_pid(s);
	if (p->pid < 0) {
		p->state = PROC_EXITED;  /* fork() failed: out of pids */
		return -EAGAIN;
	}
	p->vmas = calloc(sp->nr_areas, sizeof(*p->vmas));
	p->ps = calloc(sp->nr_pats ? sp->nr_pats : 1, sizeof(*p->ps));
	if (!p->vmas || !p->ps)
		return -ENOMEM;
	p->nr_vmas = sp->nr_areas;
	for (i = 0; i < sp->nr_areas; i++) {
		struct sim_vma *v = &p->vmas[i];

		v->spec = &sp->areas[i];
		v->nr_pages = sp->areas[i].pages;
		v->start = addr;
		v->end = addr + (v->nr_pages << LRG_PAGE_SHIFT);
		v->nr_regions = (v->nr_pages + LRG_PTES_PER_PMD - 1) / LRG_PTES_PER_PMD;
		v->tables = calloc(v->nr_regions, sizeof(*v->tables));
		v->pmd = calloc(v->nr_regions, 1);
		if (!v->tables || !v->pmd)
			return -ENOMEM;
		/* PMD aligned, with a guard region between areas */
		addr = ((v->end + LRG_PMD_SIZE - 1) & LRG_PMD_MASK) + LRG_PMD_SIZE;
	}
	for (i = 0; i < sp->nr_pats; i++)
		if (sp->pats[i].kind == PAT_ZIPF && build_zipf(&p->ps[i], &sp->pats[i]))
			return -ENOMEM;
	seed = s->w.m.seed * 0x100000001b3ULL + (uint64_t)(p - s->procs);
	for (i = 0; i < 4; i++)
		p->rng[i] = splitmix64(&seed);
	p->mm_key = s->next_mm_key++;
	p->start_time = s->now_us / 10000;   /* USER_HZ ticks, like /proc */
	p->started_ms = now_ms(s);
	p->state = PROC_RUNNING;
	s->memcgs[p->memcg].nr_procs++;
	s->generation++;
	return 0;
}

static bool asleep(const struct sim_proc *p, uint64_t rel_ms)
{
	int i;

	for (i = 0; i < p->spec->nr_sleeps; i++) {
		const struct sim_sleep_spec *sl = &p->spec->sleeps[i];
		uint64_t t;

		if (rel_ms < sl->at_ms)
			continue;
		t = rel_ms - sl->at_ms;
		if (sl->every_ms)
			t %= sl->every_ms;
		if (t < sl->for_ms)
			return true;
	}
	return false;
}

static uint64_t zipf_pick(struct sim_proc *p, const struct sim_pat_state *ps, uint64_t n)
{
	double u = rng_double(p->rng);
	uint64_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (ps->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void record_sweep(struct lrg_sim *s, uint64_t lat_us)
{
	if (s->nr_sweep == s->cap_sweep) {
		size_t cap = s->cap_sweep ? s->cap_sweep * 2 : 1024;
		uint64_t *n = realloc(s->sweep_lat, cap * sizeof(*n));

		if (!n)
			return;
		s->sweep_lat = n;
		s->cap_sweep = cap;
	}
	s->sweep_lat[s->nr_sweep++] = lat_us;
}

/* Run one pattern for the part of the tick p was not stalled. */
static int run_pattern(struct lrg_sim *s, struct sim_proc *p, int i, double frac, uint64_t rel_ms)
{
	const struct sim_pattern_spec *ts = &p->spec->pats[i];
	struct sim_pat_state *ps = &p->ps[i];
	double want;
	uint64_t n, k, stall = 0;
	int err = 0;

	if (ps->done || rel_ms < ts->from_ms || (ts->until_ms && rel_ms >= ts->until_ms))
		return 0;
	if (ts->kind == PAT_SWEEP) {
		uint64_t t = now_ms(s), base;

		if (t < ps->next_sweep_ms)
			return 0;
		ps->next_sweep_ms = t + ts->period_ms;
		for (k = 0; k < ts->len && !err; k++)
			err = touch(s, p, ts->area, ts->off + k,
				    rng_below(p->rng, 100) < (uint64_t)ts->write_pct, &stall);
		/* ~50 ns a page, plus what it waited for, plus what it was
		 * still owing from earlier stalls when the sweep was due */
		base = ts->len / 20;
		record_sweep(s, base + stall + (uint64_t)p->debt_us);
		s->st.sweeps++;
		s->st.sweep_stall_us += stall + (uint64_t)p->debt_us;
		p->debt_us += stall;
		return err;
	}
	want = ps->acc + ts->rate * (double)s->w.m.tick_ms / 1000.0 * frac;
	n = (uint64_t)want;
	ps->acc = want - (double)n;
	for (k = 0; k < n && !err; k++) {
		uint64_t pg;
		bool write = ts->write_pct && rng_below(p->rng, 100) < (uint64_t)ts->write_pct;

		switch (ts->kind) {
		case PAT_UNIFORM:
			pg = rng_below(p->rng, ts->len);
			break;
		case PAT_ZIPF:
			pg = zipf_pick(p, ps, ts->len);
			break;
		case PAT_SEQ:
			pg = ps->pos++;
			if (ps->pos >= ts->len) {
				ps->pos = 0;
				ps->done = !ts->loop;
			}
			break;
		default: /* PAT_GROW */
			if (ps->pos >= ts->len) {
				ps->done = true;
				goto out;
			}
			pg = ps->pos++;
			write = true;
			break;
		}
		err = touch(s, p, ts->area, ts->off + pg, write, &stall);
		/* p may have been OOM-killed: its pattern state is gone */
		if (err || ps->done)
			break;
	}
out:
	p->debt_us += stall;
	return err;
}

static void run_proc(struct lrg_sim *s, struct sim_proc *p)
{
	uint64_t tus = tick_us(s), rel = now_ms(s) - p->started_ms, avail;
	int i;

	p->tick_stall_us = 0;
	p->ran = !asleep(p, rel);
	if (!p->ran)
		return;
	if ((uint64_t)p->debt_us >= tus) {
		p->debt_us -= tus;
		p->tick_stall_us = p->mem_debt_us < (int64_t)tus ? p->mem_debt_us : (int64_t)tus;
		p->mem_debt_us -= p->tick_stall_us;
		p->stall_us += p->tick_stall_us;
		return;
	}
	avail = tus - p->debt_us;
	p->tick_stall_us = p->mem_debt_us < p->debt_us ? p->mem_debt_us : p->debt_us;
	p->mem_debt_us -= p->tick_stall_us;
	p->stall_us += p->tick_stall_us;
	p->debt_us = 0;
	p->cpu_ns += avail * 1000;
	for (i = 0; i < p->spec->nr_pats && p->state == PROC_RUNNING; i++)
		if (run_pattern(s, p, i, (double)avail / tus, rel) == -ESRCH)
			break;
}

static void kswapd(struct lrg_sim *s)
{
	uint64_t need;
	int mode = s->policy == LRG_SIM_CLASSIC ? SIM_KSWAPD_CLASSIC : s->w.m.kswapd;

	if (s->nr_free >= s->wmark_low || mode == SIM_KSWAPD_OFF)
		return;
	s->st.kswapd_wakeups++;
	need = s->wmark_high - s->nr_free;
	if (mode == SIM_KSWAPD_HOOK && s->b.direct_reclaim)
		direct_reclaim(s, NULL, need, false);
	else
		lrg_sim_classic_reclaim_mc(s, NULL, need);
}

static void psi_update(struct lrg_sim *s)
{
	uint64_t tus = tick_us(s);
	double e = lrg_sim_exp(-(double)s->w.m.tick_ms / 10000.0);
	int i, m;

	for (m = -1; m < s->nr_memcgs; m++) {
		uint64_t some = 0, full = UINT64_MAX;
		double *as, *af;
		int n = 0;

		for (i = 0; i < s->nr_procs; i++) {
			struct sim_proc *p = &s->procs[i];

			if (p->state != PROC_RUNNING || !p->ran || (m >= 0 && p->memcg != m))
				continue;
			n++;
			if (p->tick_stall_us > some)
				some = p->tick_stall_us;
			if (p->tick_stall_us < full)
				full = p->tick_stall_us;
		}
		if (!n)
			full = 0;
		if (m < 0) {
			s->st.psi_some_us += some;
			s->st.psi_full_us += full;
			as = &s->st.psi_some_avg10;
			af = &s->st.psi_full_avg10;
		} else {
			s->memcgs[m].psi_some_us += some;
			s->memcgs[m].psi_full_us += full;
			as = &s->memcgs[m].psi_some_avg10;
			af = &s->memcgs[m].psi_full_avg10;
		}
		*as = *as * e + 100.0 * some / tus * (1 - e);
		*af = *af * e + 100.0 * full / tus * (1 - e);
	}
	if (s->st.psi_some_avg10 > s->st.psi_some_avg10_max)
		s->st.psi_some_avg10_max = s->st.psi_some_avg10;
	if (s->st.psi_full_avg10 > s->st.psi_full_avg10_max)
		s->st.psi_full_avg10_max = s->st.psi_full_avg10;
}

static void rss_sample(struct lrg_sim *s)
{
	int i;

	if ((s->now_us / 1000) % 1000 >= s->w.m.tick_ms)
		return;  /* once a virtual second */
	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];
		uint64_t rss = proc_rss(p) + p->swap;

		if (p->state != PROC_RUNNING)
			continue;
		memmove(&p->rss_hist[1], &p->rss_hist[0], sizeof(p->rss_hist) - sizeof(p->rss_hist[0]));
		p->rss_hist[0] = rss;
		p->rss_growth = rss > p->rss_hist[9] ? rss - p->rss_hist[9] : 0;
	}
}

int lrg_sim_step(struct lrg_sim *s)
{
	uint64_t t;
	int i;

	if (s->now_us >= s->w.m.duration_ms * 1000)
		return 0;
	t = now_ms(s);
	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];

		if (p->state == PROC_PENDING && t >= p->spec->start_ms)
			proc_start(s, p);
		else if (p->state == PROC_RUNNING && p->spec->stop_ms && t >= p->spec->stop_ms)
			proc_end(s, p, PROC_EXITED);
	}
	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].state == PROC_RUNNING)
			run_proc(s, &s->procs[i]);
	kswapd(s);
	psi_update(s);
	rss_sample(s);
	s->now_us += tick_us(s);
	s->ticks++;
	return s->now_us < s->w.m.duration_ms * 1000;
}

/* ---- the backend ---- */

static void fill_mm(const struct lrg_sim *s, const struct sim_proc *p, struct lrg_mm_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->mm_key = p->mm_key;
	mi->pid = p->pid;
	mi->start_time = p->start_time;
	mi->memcg_id = s->memcgs[p->memcg].id;
	mi->nr_anon = p->nr_anon;
	mi->nr_file = p->nr_file;
	mi->run_stamp = p->cpu_ns;
	mi->oom_score_adj = p->spec->oom_score_adj;
	snprintf(mi->comm, sizeof(mi->comm), "%s", p->spec->comm);
}

static int sim_list_memcgs(struct lrg_backend *b, lrg_memcg_fn fn, void *ctx)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	int i, r;

	for (i = 0; i < s->nr_memcgs; i++) {
		struct sim_memcg *mc = &s->memcgs[i];
		struct lrg_memcg_info mi = { 0 };

		mi.id = mc->id;
		snprintf(mi.path, sizeof(mi.path), "%s", mc->spec->path);
		mi.current = mc->charged << LRG_PAGE_SHIFT;
		mi.min = mc->spec->min << LRG_PAGE_SHIFT;
		mi.low = mc->spec->low << LRG_PAGE_SHIFT;
		mi.high = mc->spec->high == SIM_NO_LIMIT ? UINT64_MAX : mc->spec->high << LRG_PAGE_SHIFT;
		mi.max = mc->spec->max == SIM_NO_LIMIT ? UINT64_MAX : mc->spec->max << LRG_PAGE_SHIFT;
		mi.swap_current = mc->swap << LRG_PAGE_SHIFT;
		mi.swap_max = UINT64_MAX;
		mi.anon = mc->nr_anon << LRG_PAGE_SHIFT;
		mi.file = mc->nr_file << LRG_PAGE_SHIFT;
		r = fn(ctx, &mi);
		if (r < 0)
			return r;
	}
	return 0;
}

static int sim_list_mms(struct lrg_backend *b, uint64_t memcg_id, lrg_mm_fn fn, void *ctx)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	int i, r;

	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];
		struct lrg_mm_info mi;

		if (p->state != PROC_RUNNING)
			continue;
		if (memcg_id != LRG_ROOT_MEMCG && s->memcgs[p->memcg].id != memcg_id)
			continue;
		fill_mm(s, p, &mi);
		r = fn(ctx, &mi);
		if (r < 0)
			return r;
	}
	return 0;
}

static void mask_set(uint64_t *m, unsigned int a, unsigned int b)
{
	for (; a < b; a++)
		m[a / 64] |= 1ULL << (a % 64);
}

static bool mask_empty(const uint64_t *m)
{
	int i;

	for (i = 0; i < LRG_REGION_WORDS; i++)
		if (m[i])
			return false;
	return true;
}

/* Walk one region's PTEs under mask; report it if anything was present. */
static int walk_region(struct lrg_sim *s, struct sim_vma *v, uint32_t r, const uint64_t *mask,
		       int only, unsigned int flags, lrg_region_fn fn, void *ctx,
		       struct lrg_walk_stats *st)
{
	struct sim_table *t = v->tables[r];
	struct lrg_region reg;
	bool any = false, huge = v->pmd[r] & PMD_HUGE;
	unsigned int i, nslots;

	memset(&reg, 0, sizeof(reg));
	reg.addr = v->start + ((uint64_t)r << LRG_PMD_SHIFT);
	reg.huge = huge;
	nslots = v->nr_pages - (uint64_t)r * LRG_PTES_PER_PMD;
	if (nslots > LRG_PTES_PER_PMD)
		nslots = LRG_PTES_PER_PMD;
	if (huge) {
		/* one leaf PMD: one accessed bit for all 512 pages */
		uint32_t f0 = t->pte[0].val;
		bool young;

		if (only >= 0 && s->frames[f0].memcg != only)
			return 0;
		young = v->pmd[r] & PMD_YOUNG;
		v->pmd[r] &= ~PMD_YOUNG;
		mask_set(reg.present, 0, LRG_PTES_PER_PMD);
		mask_set(reg.anon, 0, LRG_PTES_PER_PMD);
		if (young) {
			mask_set(reg.young, 0, LRG_PTES_PER_PMD);
			if (!(flags & LRG_HARVEST_NO_BUMP))
				for (i = 0; i < LRG_PTES_PER_PMD; i++)
					mark_accessed(s, t->pte[i].val);
		}
		return fn(ctx, &reg);
	}
	for (i = 0; i < nslots; i++) {
		struct sim_pte *pte = &t->pte[i];

		if (!(mask[i / 64] & (1ULL << (i % 64))))
			continue;
		st->pte_total++;
		if (!(pte->flags & PTE_PRESENT))
			continue;
		/* another memcg's page: not ours to see or clear */
		if (only >= 0 && s->frames[pte->val].memcg != only)
			continue;
		any = true;
		reg.present[i / 64] |= 1ULL << (i % 64);
		if (v->spec->anon)
			reg.anon[i / 64] |= 1ULL << (i % 64);
		if (pte->flags & PTE_YOUNG) {
			pte->flags &= ~PTE_YOUNG;
			reg.young[i / 64] |= 1ULL << (i % 64);
			st->pte_young++;
			if (!(flags & LRG_HARVEST_NO_BUMP))
				mark_accessed(s, pte->val);
		} else {
			st->pte_old++;
		}
	}
	return any ? fn(ctx, &reg) : 0;
}

static int sim_harvest(struct lrg_backend *b, const struct lrg_harvest_req *req,
		       lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	struct lrg_walk_stats st = { 0 };
	struct sim_proc *p;
	int only = -1, vi, err = 0;
	uint64_t (*masks)[LRG_REGION_WORDS] = NULL;

	if (!req || !req->mm || !fn)
		return -EINVAL;
	p = proc_by_key(s, req->mm->mm_key);
	if (!p) {
		st.status = LRG_HARVEST_GONE;
		*ret_stats = st;
		return 0;
	}
	if (req->memcg_id != LRG_ROOT_MEMCG) {
		struct sim_memcg *mc = memcg_by_id(s, req->memcg_id);

		if (!mc)
			return -ENOENT;
		only = mc - s->memcgs;
	}
	s->st.harvests++;
	if (!req->ranges)
		s->st.harvest_full++;
	for (vi = 0; vi < p->nr_vmas && !err; vi++) {
		struct sim_vma *v = &p->vmas[vi];
		uint32_t r;
		size_t k;

		if ((req->flags & LRG_HARVEST_NO_ANON) && v->spec->anon)
			continue;
		masks = calloc(v->nr_regions, sizeof(*masks));
		if (!masks)
			return -ENOMEM;
		if (!req->ranges) {
			for (r = 0; r < v->nr_regions; r++)
				mask_set(masks[r], 0, LRG_PTES_PER_PMD);
		}
		for (k = 0; req->ranges && k < req->nr_ranges; k++) {
			uint64_t a = req->ranges[k].start, e = req->ranges[k].end;

			if (a < v->start)
				a = v->start;
			if (e > v->end)
				e = v->end;
			for (; a < e; ) {
				uint64_t pg = (a - v->start) >> LRG_PAGE_SHIFT;
				uint64_t rend = (a & LRG_PMD_MASK) + LRG_PMD_SIZE;
				uint64_t stop = e < rend ? e : rend;
				uint64_t pe = (stop - v->start + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT;

				mask_set(masks[pg / LRG_PTES_PER_PMD], pg % LRG_PTES_PER_PMD,
					 pe - (pg / LRG_PTES_PER_PMD) * LRG_PTES_PER_PMD);
				a = stop;
			}
		}
		for (r = 0; r < v->nr_regions && !err; r++) {
			unsigned int nslots = v->nr_pages - (uint64_t)r * LRG_PTES_PER_PMD;
			uint64_t full[LRG_REGION_WORDS] = { 0 };

			if (!v->tables[r])
				continue;
			if (nslots > LRG_PTES_PER_PMD)
				nslots = LRG_PTES_PER_PMD;
			mask_set(full, 0, nslots);
			st.pmd_total++;
			if (mask_empty(masks[r])) {
				if (!(req->flags & LRG_HARVEST_NONLEAF) || !(v->pmd[r] & PMD_YOUNG))
					continue;
				memcpy(masks[r], full, sizeof(full));
				if (!(v->pmd[r] & PMD_HUGE))
					s->st.harvest_pte_nonleaf += nslots;
			}
			/* every PTE under it is walked: the hint is spent */
			if (!(v->pmd[r] & PMD_HUGE) && !memcmp(masks[r], full, sizeof(full)))
				v->pmd[r] &= ~PMD_YOUNG;
			err = walk_region(s, v, r, masks[r], only, req->flags, fn, ctx, &st);
		}
		free(masks);
	}
	if (err < 0)
		return err;
	s->st.harvest_pte += st.pte_total;
	s->st.harvest_pmd += st.pmd_total;
	st.status = LRG_HARVEST_COMPLETE;
	*ret_stats = st;
	return 0;
}

static int sim_evict(struct lrg_backend *b, const struct lrg_mm_info *mm,
		     const struct lrg_range *ranges, size_t nr_ranges, uint64_t *ret_pages)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	struct sim_proc *p = proc_by_key(s, mm->mm_key);
	uint64_t freed = 0;
	size_t k;
	int vi;

	if (!p)
		return -ESRCH;
	for (k = 0; k < nr_ranges; k++) {
		for (vi = 0; vi < p->nr_vmas; vi++) {
			struct sim_vma *v = &p->vmas[vi];
			uint64_t a = ranges[k].start > v->start ? ranges[k].start : v->start;
			uint64_t e = ranges[k].end < v->end ? ranges[k].end : v->end;
			uint64_t pg;

			if (a >= e)
				continue;
			for (pg = (a - v->start) >> LRG_PAGE_SHIFT;
			     pg < (e - v->start + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT; pg++) {
				struct sim_table *t = v->tables[pg / LRG_PTES_PER_PMD];

				if (!t || !(t->pte[pg % LRG_PTES_PER_PMD].flags & PTE_PRESENT))
					continue;
				if (!evict_frame(s, t->pte[pg % LRG_PTES_PER_PMD].val))
					freed++;
			}
		}
	}
	s->st.evicted_policy += freed;
	*ret_pages = freed;
	return 0;
}

static int sim_reclaim(struct lrg_backend *b, uint64_t memcg_id, uint64_t bytes,
		       uint64_t *ret_bytes)
{
	struct lrg_sim *s = (struct lrg_sim *)b;

	if (memcg_id != LRG_ROOT_MEMCG && !memcg_by_id(s, memcg_id))
		return -ENOENT;
	*ret_bytes = lrg_sim_classic_reclaim(s, memcg_id, (bytes + LRG_PAGE_SIZE - 1) >> LRG_PAGE_SHIFT)
		     << LRG_PAGE_SHIFT;
	return 0;
}

static uint64_t file_pages(const struct lrg_sim *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < s->nr_memcgs; i++)
		n += s->memcgs[i].nr_file;
	return n;
}

static int sim_measure(struct lrg_backend *b, uint64_t memcg_id, struct lrg_pressure *ret)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	struct lrg_pressure pr = { 0 };
	uint64_t avail;

	pr.now_ms = now_ms(s);
	pr.mem_total = s->w.m.ram_pages << LRG_PAGE_SHIFT;
	pr.mem_free = s->nr_free << LRG_PAGE_SHIFT;
	/* si_mem_available(): free above low, plus the page cache */
	avail = s->nr_free + file_pages(s);
	avail = avail > s->wmark_low ? avail - s->wmark_low : 0;
	pr.mem_available = avail << LRG_PAGE_SHIFT;
	pr.watermark_low = s->wmark_low << LRG_PAGE_SHIFT;
	pr.watermark_high = s->wmark_high << LRG_PAGE_SHIFT;
	pr.swap_total = s->w.m.swap_pages << LRG_PAGE_SHIFT;
	pr.swap_free = (s->w.m.swap_pages - s->swap_used) << LRG_PAGE_SHIFT;
	if (memcg_id == LRG_ROOT_MEMCG) {
		pr.limit = pr.mem_total;
		pr.usage = pr.mem_total - pr.mem_available;
		pr.psi_some_avg10 = s->st.psi_some_avg10;
		pr.psi_full_avg10 = s->st.psi_full_avg10;
		pr.psi_some_total_us = s->st.psi_some_us;
		pr.psi_full_total_us = s->st.psi_full_us;
		pr.pgscan = s->st.pgscan;
		pr.pgsteal = s->st.pgsteal;
		pr.refaults = s->st.refaults[0] + s->st.refaults[1];
		pr.oom_kills = s->st.oom_kills_kernel;
	} else {
		struct sim_memcg *mc = memcg_by_id(s, memcg_id);
		uint64_t lim;

		if (!mc)
			return -ENOENT;
		lim = mc->spec->max < mc->spec->high ? mc->spec->max : mc->spec->high;
		pr.limit = lim == SIM_NO_LIMIT ? UINT64_MAX : lim << LRG_PAGE_SHIFT;
		pr.usage = mc->charged << LRG_PAGE_SHIFT;
		pr.psi_some_avg10 = mc->psi_some_avg10;
		pr.psi_full_avg10 = mc->psi_full_avg10;
		pr.psi_some_total_us = mc->psi_some_us;
		pr.psi_full_total_us = mc->psi_full_us;
		pr.pgscan = mc->pgscan;
		pr.pgsteal = mc->pgsteal;
		pr.refaults = mc->refaults[0] + mc->refaults[1];
		pr.oom_kills = mc->oom_kills;
	}
	*ret = pr;
	return 0;
}

static int sim_kill(struct lrg_backend *b, const struct lrg_kill_req *req)
{
	struct lrg_sim *s = (struct lrg_sim *)b;
	int i, n = 0;

	if (req->whole_cgroup) {
		struct sim_memcg *mc = memcg_by_id(s, req->memcg_id);

		if (!mc)
			return -ENOENT;
		for (i = 0; i < s->nr_procs; i++) {
			struct sim_proc *p = &s->procs[i];

			if (p->state == PROC_RUNNING && &s->memcgs[p->memcg] == mc) {
				record_kill(s, p, "policy");
				s->st.oom_kills_policy++;
				proc_end(s, p, PROC_KILLED);
				n++;
			}
		}
		return n ? 0 : -ESRCH;
	}
	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];

		if (p->state != PROC_RUNNING || p->pid != req->pid)
			continue;
		if (p->start_time != req->start_time)
			return -ESRCH;   /* the pid was reused */
		record_kill(s, p, "policy");
		s->st.oom_kills_policy++;
		/* the sim always releases at once, as process_mrelease() */
		proc_end(s, p, PROC_KILLED);
		return 0;
	}
	return -ESRCH;
}

static uint64_t sim_now_ms(struct lrg_backend *b)
{
	return now_ms((struct lrg_sim *)b);
}

static void sim_destroy(struct lrg_backend *b)
{
	lrg_sim_free((struct lrg_sim *)b);
}

static const struct lrg_backend_ops sim_ops = {
	.name = "sim",
	.accuracy = "simulated kernel in virtual time: exact bits of a model, not of a machine",
	.list_memcgs = sim_list_memcgs,
	.list_mms = sim_list_mms,
	.harvest = sim_harvest,
	.evict = sim_evict,
	.reclaim = sim_reclaim,
	.measure = sim_measure,
	.kill = sim_kill,
	.now_ms = sim_now_ms,
	.destroy = sim_destroy,
};

/* ---- life cycle ---- */

static int sim_init(struct lrg_sim *s)
{
	const struct sim_machine_spec *m = &s->w.m;
	uint64_t i, gap;
	int j, k, n = 0;

	s->b.ops = &sim_ops;
	s->b.caps = LRG_CAP_HARVEST | LRG_CAP_EVICT_PAGES | LRG_CAP_RECLAIM | LRG_CAP_KILL |
		    LRG_CAP_VIRTUAL_TIME;
	if (m->nonleaf)
		s->b.caps |= LRG_CAP_NONLEAF_YOUNG;
	if (s->w.nr_cgroups > 1)
		s->b.caps |= LRG_CAP_MEMCG;
	if (m->ram_pages >= SIM_NONE)
		return -E2BIG;
	s->frames = calloc(m->ram_pages, sizeof(*s->frames));
	if (!s->frames)
		return -ENOMEM;
	for (i = 0; i < m->ram_pages; i++) {
		s->frames[i].lru = LRU_FREE;
		s->frames[i].next = i + 1 < m->ram_pages ? i + 1 : SIM_NONE;
	}
	s->free_head = 0;
	s->nr_free = m->ram_pages;
	/* __setup_per_zone_wmarks() with watermark_scale_factor = 10 */
	s->wmark_min = m->min_free_pages ? m->min_free_pages : m->ram_pages / 100;
	gap = s->wmark_min / 4 > m->ram_pages / 1000 ? s->wmark_min / 4 : m->ram_pages / 1000;
	s->wmark_low = s->wmark_min + gap;
	s->wmark_high = s->wmark_min + 2 * gap;
	s->nr_memcgs = s->w.nr_cgroups;
	s->memcgs = calloc(s->nr_memcgs, sizeof(*s->memcgs));
	if (!s->memcgs)
		return -ENOMEM;
	for (j = 0; j < s->nr_memcgs; j++) {
		struct sim_memcg *mc = &s->memcgs[j];

		mc->spec = &s->w.cgroups[j];
		/* cgroup2's root is id 1; 0 stands for "no memory controller" */
		mc->id = j ? 100 + (uint64_t)j : (s->nr_memcgs > 1 ? 1 : LRG_ROOT_MEMCG);
		for (k = 0; k < NR_LRU; k++)
			mc->lru[k].head = mc->lru[k].tail = SIM_NONE;
	}
	for (j = 0; j < s->w.nr_procs; j++)
		n += s->w.procs[j].count;
	s->procs = calloc(n ? n : 1, sizeof(*s->procs));
	if (!s->procs)
		return -ENOMEM;
	for (j = 0; j < s->w.nr_procs; j++) {
		const struct sim_proc_spec *sp = &s->w.procs[j];

		for (k = 0; k < sp->count; k++) {
			struct sim_proc *p = &s->procs[s->nr_procs++];

			p->spec = sp;
			p->memcg = sp->cgroup;
			if (sp->count > 1)
				snprintf(p->name, sizeof(p->name), "%.20s.%d", sp->name, k % 1000);
			else
				snprintf(p->name, sizeof(p->name), "%s", sp->name);
		}
	}
	s->next_pid = FIRST_PID;
	s->next_mm_key = 1;
	s->policy = LRG_SIM_CLASSIC;
	return 0;
}

int lrg_sim_load(const char *workload_path, const char *const *overrides, size_t nr_overrides,
		 struct lrg_sim **ret, char *err, size_t errlen)
{
	struct lrg_sim *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	r = sim_workload_load(workload_path, overrides, nr_overrides, &s->w, err, errlen);
	if (r) {
		free(s);
		return r;
	}
	r = sim_init(s);
	if (r) {
		snprintf(err, errlen, "%s: cannot build the machine: %s", workload_path, strerror(-r));
		lrg_sim_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void lrg_sim_free(struct lrg_sim *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].state == PROC_RUNNING)
			proc_end(s, &s->procs[i], PROC_EXITED);
	free(s->procs);
	free(s->memcgs);
	free(s->frames);
	free(s->sweep_lat);
	sim_workload_free(&s->w);
	free(s);
}

struct lrg_backend *lrg_sim_backend(struct lrg_sim *s)
{
	return &s->b;
}

void lrg_sim_set_policy(struct lrg_sim *s, enum lrg_sim_policy which)
{
	s->policy = which;
}

uint64_t lrg_sim_generation(const struct lrg_sim *s)
{
	return s->generation;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void lrg_sim_fill_report(const struct lrg_sim *s, struct lrg_sim_report *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->policy = s->policy;
	r->duration_ms = s->now_us / 1000;
	r->ticks = s->ticks;
	r->faults = s->st.faults;
	r->refaults_anon = s->st.refaults[LRG_ANON];
	r->refaults_file = s->st.refaults[LRG_FILE];
	r->pages_evicted_policy = s->st.evicted_policy;
	r->pages_reclaimed_classic = s->st.reclaimed_classic;
	r->pages_evicted = s->st.pgsteal;
	r->pgscan = s->st.pgscan;
	r->pgsteal = s->st.pgsteal;
	r->direct_reclaims = s->st.direct_reclaims;
	r->direct_reclaim_hook_pages = s->st.hook_pages;
	r->kswapd_wakeups = s->st.kswapd_wakeups;
	r->swap_used_peak_pages = s->st.swap_peak;
	r->harvests = s->st.harvests;
	r->harvest_pte_total = s->st.harvest_pte;
	r->harvest_pmd_total = s->st.harvest_pmd;
	r->harvest_full_walks = s->st.harvest_full;
	r->harvest_pte_nonleaf = s->st.harvest_pte_nonleaf;
	r->oom_kills_policy = s->st.oom_kills_policy;
	r->oom_kills_kernel = s->st.oom_kills_kernel;
	r->nr_kills = s->nr_kills;
	memcpy(r->kills, s->kills, sizeof(r->kills));
	r->interactive_sweeps = s->st.sweeps;
	r->interactive_stall_us = s->st.sweep_stall_us;
	if (s->nr_sweep) {
		uint64_t *v = malloc(s->nr_sweep * sizeof(*v));

		if (v) {
			memcpy(v, s->sweep_lat, s->nr_sweep * sizeof(*v));
			qsort(v, s->nr_sweep, sizeof(*v), cmp_u64);
			r->interactive_p99_us = v[(s->nr_sweep * 99 + 99) / 100 - 1];
			r->interactive_max_us = v[s->nr_sweep - 1];
			free(v);
		}
	}
	for (i = 0; i < s->nr_procs && i < LRG_SIM_MAX_PROCS; i++) {
		const struct sim_proc *p = &s->procs[i];
		struct lrg_sim_proc_report *pr = &r->procs[r->nr_procs++];
		static const char *const states[] = { "pending", "running", "exited", "killed" };

		snprintf(pr->name, sizeof(pr->name), "%s", p->name);
		snprintf(pr->state, sizeof(pr->state), "%s", states[p->state]);
		pr->pid = p->pid;
		pr->refaults = p->refaults;
		pr->stall_us = p->stall_us;
		pr->rss_pages = proc_rss(p);
		pr->swap_pages = p->swap;
	}
	r->psi_some_us = s->st.psi_some_us;
	r->psi_full_us = s->st.psi_full_us;
	r->psi_some_avg10_max = s->st.psi_some_avg10_max;
	r->psi_full_avg10_max = s->st.psi_full_avg10_max;
}

/*
 * The runner's OOM decision until the real victim selection lands: the
 * process whose footprint (rss + swap) grew most over the last 10 virtual
 * seconds, then the largest; never one marked protect = yes.
 */
int lrg_sim_pick_victim(struct lrg_sim *s, uint64_t memcg_id, bool global,
			struct lrg_kill_req *ret_req)
{
	struct sim_proc *v = NULL;
	int i;

	for (i = 0; i < s->nr_procs; i++) {
		struct sim_proc *p = &s->procs[i];

		if (p->state != PROC_RUNNING || p->spec->protect)
			continue;
		if (!global && memcg_id != LRG_ROOT_MEMCG && s->memcgs[p->memcg].id != memcg_id)
			continue;
		if (!v || p->rss_growth > v->rss_growth ||
		    (p->rss_growth == v->rss_growth && proc_rss(p) + p->swap > proc_rss(v) + v->swap))
			v = p;
	}
	if (!v)
		return -ESRCH;
	memset(ret_req, 0, sizeof(*ret_req));
	ret_req->pid = v->pid;
	ret_req->start_time = v->start_time;
	ret_req->memcg_id = s->memcgs[v->memcg].id;
	ret_req->release = true;
	return 0;
}

/* ---- test hooks ---- */

int lrg_sim_find_mm(struct lrg_sim *s, const char *name, struct lrg_mm_info *ret)
{
	int i;

	for (i = 0; i < s->nr_procs; i++)
		if (s->procs[i].state == PROC_RUNNING && !strcmp(s->procs[i].name, name)) {
			fill_mm(s, &s->procs[i], ret);
			return 0;
		}
	return -ESRCH;
}

int lrg_sim_area_addr(struct lrg_sim *s, uint64_t mm_key, const char *area, uint64_t *ret)
{
	struct sim_proc *p = proc_by_key(s, mm_key);
	int i;

	if (!p)
		return -ESRCH;
	for (i = 0; i < p->nr_vmas; i++)
		if (!strcmp(p->vmas[i].spec->name, area)) {
			*ret = p->vmas[i].start;
			return 0;
		}
	return -ENOENT;
}

static int locate(struct lrg_sim *s, uint64_t mm_key, uint64_t addr, struct sim_proc **rp,
		  int *rvi, uint64_t *rpg)
{
	struct sim_proc *p = proc_by_key(s, mm_key);
	int i;

	if (!p)
		return -ESRCH;
	for (i = 0; i < p->nr_vmas; i++)
		if (addr >= p->vmas[i].start && addr < p->vmas[i].end) {
			*rp = p;
			*rvi = i;
			*rpg = (addr - p->vmas[i].start) >> LRG_PAGE_SHIFT;
			return 0;
		}
	return -EFAULT;
}

int lrg_sim_touch(struct lrg_sim *s, uint64_t mm_key, uint64_t addr, bool write)
{
	struct sim_proc *p;
	uint64_t pg, stall = 0;
	int vi, r;

	r = locate(s, mm_key, addr, &p, &vi, &pg);
	if (r)
		return r;
	r = touch(s, p, vi, pg, write, &stall);
	if (p->state == PROC_RUNNING)
		p->debt_us += stall;
	return r;
}

int lrg_sim_page_state(struct lrg_sim *s, uint64_t mm_key, uint64_t addr,
		       struct lrg_sim_page_state *ret)
{
	struct lrg_sim_page_state ps = { 0 };
	struct sim_proc *p;
	struct sim_vma *v;
	struct sim_table *t;
	uint64_t pg;
	int vi, r;

	r = locate(s, mm_key, addr, &p, &vi, &pg);
	if (r)
		return r;
	v = &p->vmas[vi];
	t = v->tables[pg / LRG_PTES_PER_PMD];
	if (t) {
		struct sim_pte *pte = &t->pte[pg % LRG_PTES_PER_PMD];

		ps.huge = v->pmd[pg / LRG_PTES_PER_PMD] & PMD_HUGE;
		ps.present = pte->flags & PTE_PRESENT;
		ps.young = ps.huge ? v->pmd[pg / LRG_PTES_PER_PMD] & PMD_YOUNG : pte->flags & PTE_YOUNG;
		ps.dirty = pte->flags & PTE_DIRTY;
		ps.swapped = pte->flags & PTE_SWAP;
		if (ps.present) {
			ps.active = lru_active(s->frames[pte->val].lru);
			ps.referenced = s->frames[pte->val].flags & FR_REFERENCED;
		}
	}
	*ret = ps;
	return 0;
}

int lrg_sim_exit(struct lrg_sim *s, uint64_t mm_key)
{
	struct sim_proc *p = proc_by_key(s, mm_key);

	if (!p)
		return -ESRCH;
	proc_end(s, p, PROC_EXITED);
	return 0;
}
