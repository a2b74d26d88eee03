// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrg-simrun - run one workload in the simulator and print the report.
 *   lrg-simrun [--classic] [--config FILE] [--set section.key=value]... WORKLOAD
 *
 * --config loads an lrugend.conf for the policy (default: the built-in
 * desktop profile); drop-in directories are not read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define MAX_SETS 64

static int usage(FILE *f)
{
	fprintf(f, "usage: lrg-simrun [--classic] [--config FILE] [--set section.key=value]... WORKLOAD\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *sets[MAX_SETS], *path = NULL, *conf = NULL;
	struct lrg_config cfg;
	enum lrg_sim_policy which = LRG_SIM_LRUGEND;
	struct lrg_sim_report rep;
	char err[512];
	size_t nr_sets = 0;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--classic")) {
			which = LRG_SIM_CLASSIC;
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			if (nr_sets == MAX_SETS) {
				fprintf(stderr, "lrg-simrun: too many --set\n");
				return 2;
			}
			sets[nr_sets++] = argv[++i];
		} else if (!strncmp(argv[i], "--set=", 6)) {
			if (nr_sets == MAX_SETS) {
				fprintf(stderr, "lrg-simrun: too many --set\n");
				return 2;
			}
			sets[nr_sets++] = argv[i] + 6;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			conf = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			return usage(stdout);
		} else if (argv[i][0] == '-' || path) {
			return usage(stderr);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage(stderr);
	if (conf) {
		struct lrg_diag d = { 0 };

		r = lrg_config_load(conf, NULL, &cfg, &d);
		lrg_diag_print(&d, stderr);
		lrg_diag_free(&d);
		if (r)
			return 1;
	}
	r = lrg_sim_run_ex(path, sets, nr_sets, conf ? &cfg : NULL, which, &rep, err, sizeof(err));
	if (conf)
		lrg_config_free(&cfg);
	if (r) {
		fprintf(stderr, "lrg-simrun: %s\n", err[0] ? err : strerror(-r));
		return 1;
	}
	lrg_sim_report_print(&rep, stdout);
	return 0;
}
