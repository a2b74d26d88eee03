// SPDX-License-Identifier: GPL-2.0-only
/*
 * status_memo.c - see status_memo.h.
 */
#include "status_memo.h"

static unsigned int slot_of(pid_t pid)
{
	return (unsigned int)pid % LRG_STATUS_MEMO_SLOTS;
}

bool lrg_status_memo_get(const struct lrg_status_memo *m, pid_t pid, uint64_t mm_key,
			 uint64_t rss, uint64_t now_ms, uint64_t *ret_anon, uint64_t *ret_file)
{
	const struct lrg_status_memo_slot *s = &m->slot[slot_of(pid)];

	if (!mm_key || s->mm_key != mm_key || s->rss != rss || now_ms < s->read_ms ||
	    now_ms - s->read_ms >= LRG_STATUS_MEMO_TTL_MS)
		return false;
	/* the total as stat says now, which the status read a moment after
	 * it may not have: only the split is remembered */
	*ret_file = s->nr_file < rss ? s->nr_file : rss;
	*ret_anon = rss - *ret_file;
	return true;
}

void lrg_status_memo_put(struct lrg_status_memo *m, pid_t pid, uint64_t mm_key, uint64_t rss,
			 uint64_t nr_anon, uint64_t nr_file, uint64_t now_ms)
{
	m->slot[slot_of(pid)] = (struct lrg_status_memo_slot){
		.mm_key = mm_key, .rss = rss, .nr_anon = nr_anon, .nr_file = nr_file,
		.read_ms = now_ms,
	};
}
