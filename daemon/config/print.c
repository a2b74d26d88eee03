// SPDX-License-Identifier: GPL-2.0-only
/*
 * print.c - the effective configuration in the file format it is read
 * from (config_load.h).
 */
#include <stdio.h>

#include "config_load.h"
#include "schema.h"

static void print_slice(FILE *f, const struct lrg_slice_config *s, bool defaults)
{
	fprintf(f, "\n[slice %s]\n", s->name);
	if (s->line > 0)
		fprintf(f, "# last set at %s:%d\n", s->file, s->line);
	for (size_t i = 0; i < lrg_nr_slice_keys; i++)
		if (!defaults || lrg_slice_keys[i].kind != LRG_K_MATCH)
			lrg_key_print(&lrg_slice_keys[i], s, f);
}

/*
 * Every key, explicitly, so the output loaded as a main file gives back the
 * same config: its profile line applies the same profile first, whose
 * slices then come first, in the same order, as they do here.
 */
void lrg_config_print(const struct lrg_config *c, FILE *f)
{
	fprintf(f, "# lrugend effective configuration\n[daemon]\n");
	for (size_t i = 0; i < lrg_nr_daemon_keys; i++)
		lrg_key_print(&lrg_daemon_keys[i], &c->daemon, f);
	print_slice(f, &c->defaults, true);
	for (size_t i = 0; i < c->nr_slices; i++)
		print_slice(f, &c->slices[i], false);
}
