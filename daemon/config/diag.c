// SPDX-License-Identifier: GPL-2.0-only
/*
 * diag.c - the list of warnings and errors a load leaves for its caller
 * (config_load.h): the parser never logs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config_int.h"

void lrg_diag_add(struct lrg_diag *d, enum lrg_diag_level level, const char *fmt, ...)
{
	struct lrg_diag_entry *e;
	va_list ap;

	if (level == LRG_DIAG_ERROR)
		d->nr_errors++;
	e = realloc(d->entries, (d->n + 1) * sizeof(*e));
	if (!e)
		return;
	d->entries = e;
	e += d->n++;
	e->level = level;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void lrg_diag_free(struct lrg_diag *d)
{
	free(d->entries);
	d->entries = NULL;
	d->n = d->nr_errors = 0;
}

void lrg_diag_print(const struct lrg_diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s: %s\n", d->entries[i].level == LRG_DIAG_ERROR ? "error" : "warning",
			d->entries[i].msg);
}
