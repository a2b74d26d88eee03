// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmlist.c - see mmlist.h. The code follows the seeds' vmscan.c closely so
 * the two can be read side by side; a pthread mutex stands in for the
 * list's spinlock.
 */
#include <string.h>

#include "mmlist.h"

static void list_init(struct lrg_list_head *h)
{
	h->prev = h->next = h;
}

static void list_add_tail(struct lrg_list_head *n, struct lrg_list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static void list_del_init(struct lrg_list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

static struct lrg_mm *mm_from_link(struct lrg_list_head *h)
{
	return (struct lrg_mm *)((char *)h - offsetof(struct lrg_mm, link));
}

static unsigned int hist_from_seq(uint64_t seq)
{
	return seq % LRG_NR_HIST_GENS;
}

void lrg_mm_list_init(struct lrg_mm_list *l, uint64_t memcg_id)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	list_init(&l->fifo);
	l->memcg_id = memcg_id;
	for (int nid = 0; nid < LRG_NR_NODES; nid++) {
		struct lrg_mm_state *s = &l->state[nid];

		/* lru_gen_init_state: seq = MIN_NR_GENS, max_seq = MIN_NR_GENS + 1 */
		s->seq = LRG_MIN_NR_GENS;
		s->head = &l->fifo;
		s->tail = &l->fifo;
		lrg_bloom_init(&s->bloom);
	}
}

void lrg_mm_list_destroy(struct lrg_mm_list *l)
{
	for (int nid = 0; nid < LRG_NR_NODES; nid++)
		lrg_bloom_destroy(&l->state[nid].bloom);
	pthread_mutex_destroy(&l->lock);
}

uint64_t lrg_mm_list_bloom_items(const struct lrg_mm_list *l, int node)
{
	const struct lrg_bloom *b = &l->state[node].bloom;
	uint64_t n = 0;

	/* what the last two iterations added, twice over, ... */
	for (uint64_t f = 0; f < LRG_NR_BLOOM_FILTERS; f++)
		if (lrg_bloom_items(b, f) > n)
			n = lrg_bloom_items(b, f);
	n *= 2;
	/* ... and room for the dense regions of mms walked whole */
	if (n < LRG_MM_BLOOM_ITEMS * l->nr_mms)
		n = LRG_MM_BLOOM_ITEMS * l->nr_mms;
	return n;
}

void lrg_mm_init(struct lrg_mm *mm, const struct lrg_mm_info *info)
{
	memset(mm, 0, sizeof(*mm));
	list_init(&mm->link);
	mm->info = *info;
}

static void add_locked(struct lrg_mm_list *l, struct lrg_mm *mm)
{
	list_add_tail(&mm->link, &l->fifo);
	mm->list = l;
	l->nr_mms++;

	for (int nid = 0; nid < LRG_NR_NODES; nid++) {
		struct lrg_mm_state *s = &l->state[nid];

		/* the last iteration ended at the end: this one is new */
		if (s->tail == &l->fifo)
			s->tail = s->tail->prev;
	}
}

void lrg_mm_list_add(struct lrg_mm_list *l, struct lrg_mm *mm)
{
	pthread_mutex_lock(&l->lock);
	add_locked(l, mm);
	pthread_mutex_unlock(&l->lock);
}

void lrg_mm_list_del(struct lrg_mm *mm)
{
	struct lrg_mm_list *l = mm->list;

	if (!l)
		return;

	pthread_mutex_lock(&l->lock);
	for (int nid = 0; nid < LRG_NR_NODES; nid++) {
		struct lrg_mm_state *s = &l->state[nid];

		if (s->tail == &mm->link)
			s->tail = s->tail->next;

		if (s->head != &mm->link)
			continue;

		s->head = s->head->next;
		/* it was the last one of this iteration: the iteration is done */
		if (s->head == &l->fifo)
			__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	}
	list_del_init(&mm->link);
	l->nr_mms--;
	mm->list = NULL;
	pthread_mutex_unlock(&l->lock);
}

void lrg_mm_list_migrate(struct lrg_mm *mm, struct lrg_mm_list *to)
{
	if (mm->list == to)
		return;
	lrg_mm_list_del(mm);
	lrg_mm_list_add(to, mm);
}

bool lrg_mm_in_use(struct lrg_mm *mm)
{
	return __atomic_load_n(&mm->refs, __ATOMIC_ACQUIRE) > 0;
}

void lrg_mm_set_ran(struct lrg_mm *mm)
{
	__atomic_store_n(&mm->ran, true, __ATOMIC_RELAXED);
}

void lrg_mm_set_oom_victim(struct lrg_mm *mm)
{
	__atomic_store_n(&mm->oom_victim, true, __ATOMIC_RELAXED);
}

void lrg_mm_set_gone(struct lrg_mm *mm)
{
	__atomic_store_n(&mm->gone, true, __ATOMIC_RELAXED);
}

static void reset_mm_stats(struct lrg_mm_state *s, struct lrg_mm_walk *walk, bool last)
{
	unsigned int hist = hist_from_seq(walk->max_seq);

	for (int i = 0; i < LRG_NR_MM_STATS; i++) {
		s->stats[hist][i] += walk->mm_stats[i];
		walk->mm_stats[i] = 0;
	}

	if (LRG_NR_HIST_GENS == 1 || !last)
		return;

	hist = hist_from_seq(walk->max_seq + 1);
	for (int i = 0; i < LRG_NR_MM_STATS; i++)
		s->stats[hist][i] = 0;
}

static bool should_skip_mm(struct lrg_mm *mm, struct lrg_mm_walk *walk)
{
	uint64_t size = mm->info.nr_file;

	/* sleeping since the last iteration: its accessed bits are unchanged */
	if (!walk->full_scan && !__atomic_load_n(&mm->ran, __ATOMIC_RELAXED))
		return true;

	if (walk->can_swap)
		size += mm->info.nr_anon;
	if (size < LRG_MIN_LRU_BATCH)
		return true;

	if (__atomic_load_n(&mm->oom_victim, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&mm->gone, __ATOMIC_RELAXED))
		return true;

	__atomic_store_n(&mm->ran, false, __ATOMIC_RELAXED);
	return false;
}

bool lrg_mm_list_next(struct lrg_mm_list *l, int node, struct lrg_mm_walk *walk,
		      struct lrg_mm **iter)
{
	bool first = false;
	bool last = true;
	struct lrg_mm *mm = NULL;
	struct lrg_mm_state *s = &l->state[node];

	/*
	 * The seeds' four cases:
	 * 1) a walker tries to start a new iteration with a stale max_seq:
	 *    there is nothing to be done;
	 * 2) the first walker of the current generation prepares the Bloom
	 *    filter for the next generation;
	 * 3) the walker that reaches the end increments seq: the iteration
	 *    is done;
	 * 4) the last walker of the current generation clears the historical
	 *    stats of the next generation.
	 */
	if (*iter)
		__atomic_fetch_sub(&(*iter)->refs, 1, __ATOMIC_RELEASE);
	else if (walk->max_seq <= __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE))
		return false;

	pthread_mutex_lock(&l->lock);

	if (walk->max_seq <= s->seq) {
		if (!*iter)
			last = false;
		goto done;
	}

	if (s->head == &l->fifo) {
		s->head = s->head->next;
		first = true;
	}

	while (!mm && s->head != &l->fifo) {
		mm = mm_from_link(s->head);
		s->head = s->head->next;

		walk->full_scan = walk->force_scan;
		/* full scan for those added after the last iteration */
		if (s->tail == &mm->link) {
			s->tail = s->tail->next;
			walk->full_scan = true;
		}

		if (should_skip_mm(mm, walk))
			mm = NULL;
	}

	if (s->head == &l->fifo)
		__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
done:
	if (*iter && !mm)
		s->nr_walkers--;
	if (!*iter && mm)
		s->nr_walkers++;

	if (s->nr_walkers)
		last = false;

	if (mm && first)
		lrg_bloom_clear_sized(&s->bloom, walk->max_seq + 1, lrg_mm_list_bloom_items(l, node));

	if (*iter || last)
		reset_mm_stats(s, walk, last);

	if (mm)
		__atomic_fetch_add(&mm->refs, 1, __ATOMIC_ACQUIRE);

	pthread_mutex_unlock(&l->lock);

	*iter = mm;
	return last;
}

uint64_t lrg_mm_list_seq(struct lrg_mm_list *l, int node)
{
	return __atomic_load_n(&l->state[node].seq, __ATOMIC_ACQUIRE);
}

void lrg_mm_list_stats(struct lrg_mm_list *l, int node, uint64_t seq,
		       uint64_t ret[LRG_NR_MM_STATS])
{
	pthread_mutex_lock(&l->lock);
	memcpy(ret, l->state[node].stats[hist_from_seq(seq)], sizeof(uint64_t) * LRG_NR_MM_STATS);
	pthread_mutex_unlock(&l->lock);
}
