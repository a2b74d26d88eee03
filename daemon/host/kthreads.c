// SPDX-License-Identifier: GPL-2.0-only
/* kthreads.c - the pids last seen as kernel threads (see kthreads.h). */
#include <stdlib.h>
#include <string.h>

#include "kthreads.h"

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

bool lrg_kthreads_has(const struct lrg_kthreads *k, pid_t pid)
{
	/* handed out since the set began: maybe to someone else */
	if (pid > k->first_pid && pid <= k->last_pid)
		return false;
	return k->sorted && bsearch(&pid, k->v, k->sorted, sizeof(*k->v), cmp_pid);
}

void lrg_kthreads_add(struct lrg_kthreads *k, pid_t pid)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 128;
		pid_t *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = pid;
}

void lrg_kthreads_settle(struct lrg_kthreads *k)
{
	size_t w = 0;

	if (k->sorted == k->n)
		return;
	qsort(k->v, k->n, sizeof(*k->v), cmp_pid);
	for (size_t i = 0; i < k->n; i++)
		if (!w || k->v[i] != k->v[w - 1])
			k->v[w++] = k->v[i];
	k->n = k->sorted = w;
}

void lrg_kthreads_expire(struct lrg_kthreads *k, uint64_t now_ms, pid_t last_pid)
{
	if (!k->since_ms || now_ms < k->since_ms || now_ms - k->since_ms >= LRG_KTHREADS_TTL_MS ||
	    last_pid < k->first_pid) {
		k->n = k->sorted = 0;
		k->since_ms = now_ms ? now_ms : 1;
		k->first_pid = last_pid;
	}
	k->last_pid = last_pid;
}

void lrg_kthreads_free(struct lrg_kthreads *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}
