// SPDX-License-Identifier: GPL-2.0-only
/*
 * protect.c - see protect.h.
 */
#include "protect.h"

uint64_t lrg_protect_wss(const struct lrg_lruvec *lv, uint64_t now_ms, uint32_t window_ms)
{
	uint64_t pages = 0;

	if (!window_ms)
		return 0;
	for (int t = 0; t < LRG_NR_TYPES; t++) {
		bool full = lrg_lruvec_nr_gens(lv, t) >= (int)LRG_MAX_NR_GENS;

		for (uint64_t seq = lv->min_seq[t]; seq <= lv->max_seq; seq++) {
			int64_t nr = lv->nr_pages[lrg_gen_from_seq(seq)][t];
			uint64_t next;

			if (nr <= 0 || (full && seq == lv->min_seq[t]))
				continue;
			if (seq + 1 >= lv->max_seq) {
				pages += (uint64_t)nr;
				continue;
			}
			next = lv->timestamps[lrg_gen_from_seq(seq + 1)];
			if (next >= now_ms || now_ms - next < window_ms)
				pages += (uint64_t)nr;
		}
	}
	return pages << LRG_PAGE_SHIFT;
}

static uint64_t established(const struct lrg_protect_state *s)
{
	uint64_t m = UINT64_MAX;

	for (unsigned int i = 0; i < s->nr_slots; i++) {
		unsigned int k = (s->slot + LRG_PROTECT_SLOTS - i) % LRG_PROTECT_SLOTS;

		if (s->slot_min[k] < m)
			m = s->slot_min[k];
	}
	return m == UINT64_MAX ? 0 : m;
}

/* Record wss in the slot of now_ms, opening new slots as time passes; a
 * gap longer than the window starts the window again. */
static void sample(struct lrg_protect_state *s, uint64_t wss, uint64_t now_ms)
{
	uint64_t window = (uint64_t)LRG_PROTECT_SLOTS * LRG_PROTECT_SLOT_MS;

	if (!s->slot_start_ms || now_ms < s->slot_start_ms ||
	    now_ms - s->slot_start_ms >= window) {
		s->slot = 0;
		s->nr_slots = 1;
		s->slot_min[0] = wss;
		s->slot_start_ms = now_ms ? now_ms : 1;
		return;
	}
	while (now_ms - s->slot_start_ms >= LRG_PROTECT_SLOT_MS) {
		s->slot = (s->slot + 1) % LRG_PROTECT_SLOTS;
		s->slot_min[s->slot] = UINT64_MAX;
		s->slot_start_ms += LRG_PROTECT_SLOT_MS;
		if (s->nr_slots < LRG_PROTECT_SLOTS)
			s->nr_slots++;
	}
	if (wss < s->slot_min[s->slot])
		s->slot_min[s->slot] = wss;
}

uint64_t lrg_protect_step(struct lrg_protect_state *s, uint64_t wss, bool pressure,
			  uint64_t now_ms)
{
	uint64_t est;

	sample(s, wss, now_ms);
	/* a working set is established once it held for a whole slot: at
	 * start an aging walk finds every page used since long ago young */
	est = s->nr_slots < 2 ? 0 : established(s);
	if (pressure)
		s->pressure_ms = now_ms ? now_ms : 1;
	if (est >= s->want || !s->pressure_ms || now_ms < s->pressure_ms ||
	    now_ms - s->pressure_ms >= LRG_PROTECT_HOLD_MS) {
		s->want = est;
		s->fall_since_ms = 0;
		return s->want;
	}
	if (!s->fall_since_ms)
		s->fall_since_ms = now_ms ? now_ms : 1;
	else if (now_ms - s->fall_since_ms >= LRG_PROTECT_HOLD_MS)
		s->want = est;
	return s->want;
}

uint64_t lrg_protect_cap_bytes(uint64_t mem_total, uint32_t pct)
{
	if (pct > 100)
		pct = 100;
	return mem_total / 100 * pct;
}

uint64_t lrg_protect_cap(uint64_t *want, size_t n, uint64_t cap)
{
	uint64_t sum = 0, out = 0;

	for (size_t i = 0; i < n; i++)
		sum += want[i];
	if (sum <= cap)
		return sum;
	for (size_t i = 0; i < n; i++) {
		/* want * cap / sum without overflow: both below 2^64 bytes,
		 * so scale in pages */
		uint64_t w = want[i] >> LRG_PAGE_SHIFT, c = cap >> LRG_PAGE_SHIFT;
		uint64_t s = sum >> LRG_PAGE_SHIFT;

		want[i] = s ? (uint64_t)((__uint128_t)w * c / s) << LRG_PAGE_SHIFT : 0;
		out += want[i];
	}
	return out;
}

bool lrg_protect_changed(uint64_t written, uint64_t target, uint64_t orig)
{
	uint64_t d = written > target ? written - target : target - written;
	uint64_t step = written / 16 > LRG_PROTECT_STEP_BYTES ? written / 16 : LRG_PROTECT_STEP_BYTES;

	if (d == 0)
		return false;
	return target == orig || d >= step;
}
