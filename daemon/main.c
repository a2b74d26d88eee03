// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrugend - Multi-Generational LRU aging and working-set protection.
 *
 * main.c only parses the command line and picks the mode: check the
 * config, run a simulation, or run the daemon (manager.c). A rejected
 * config ends the first two (exit 3); the daemon runs on the built-in
 * profile instead.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrg_log.h"
#include "manager.h"
#include "sim/sim.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lrugend [OPTIONS]\n"
		"Multi-Generational LRU aging and working-set protection.\n\n"
		"  -b, --backend=NAME     auto|kmod|mglru|proc|sim (default: from the config, auto)\n"
		"  -c, --config=FILE      main config file (default %s);\n"
		"                         drop-ins are read from FILE.d/*.conf\n"
		"      --check-config     print the effective config, or every error, and exit\n"
		"  -n, --dry-run          decide and log, but never kill\n"
		"      --sim=FILE         with --backend=sim: run this workload in virtual time\n"
		"                         and print a summary\n"
		"      --sim-policy=NAME  lrugend (default) or classic: the kernel's two-list LRU alone\n"
		"  -v, --verbose          log debug messages\n"
		"  -h, --help             show this help\n"
		"      --version          show the version\n",
		LRG_CONFIG_PATH);
}

enum { OPT_CHECK = 256, OPT_SIM, OPT_SIM_POLICY, OPT_VERSION };

static int run_sim(const char *workload, const char *policy, const struct lrg_config *cfg)
{
	struct lrg_sim_report report;
	enum lrg_sim_policy which;
	char err[512] = "";
	int r;

	if (!strcmp(policy, "lrugend")) {
		which = LRG_SIM_LRUGEND;
	} else if (!strcmp(policy, "classic")) {
		which = LRG_SIM_CLASSIC;
	} else {
		fprintf(stderr, "lrugend: --sim-policy=%s: expected lrugend or classic\n", policy);
		return LRG_EXIT_USAGE;
	}
	r = lrg_sim_run(workload, cfg, which, &report, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "lrugend: simulation failed: %s\n", err[0] ? err : strerror(-r));
		return r == -EINVAL ? LRG_EXIT_CONFIG : LRG_EXIT_FAILURE;
	}
	lrg_sim_report_print(&report, stdout);
	return LRG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sim", required_argument, NULL, OPT_SIM },
		{ "sim-policy", required_argument, NULL, OPT_SIM_POLICY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	struct lrg_manager_opts mo = { .config_path = LRG_CONFIG_PATH,
				       .dropin_dir = LRG_CONFIG_DROPIN_DIR };
	const char *sim = NULL, *sim_policy = "lrugend";
	static char dropin[4096], fallback[512];
	struct lrg_config cfg;
	bool check = false;
	int c, r;

	lrg_log_init("lrugend");
	while ((c = getopt_long(argc, argv, "b:c:nvh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			mo.backend = optarg;
			break;
		case 'c':
			mo.config_path = optarg;
			snprintf(dropin, sizeof(dropin), "%s.d", optarg);
			mo.dropin_dir = dropin;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case 'n':
			mo.dry_run = true;
			break;
		case OPT_SIM:
			sim = optarg;
			break;
		case OPT_SIM_POLICY:
			sim_policy = optarg;
			break;
		case 'v':
			lrg_log_max_level = LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return LRG_EXIT_OK;
		case OPT_VERSION:
			printf("lrugend %s\n", PACKAGE_VERSION);
			return LRG_EXIT_OK;
		default:
			usage(stderr);
			return LRG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lrugend: unexpected argument '%s'\n", argv[optind]);
		return LRG_EXIT_USAGE;
	}
	if (mo.backend && strcmp(mo.backend, "auto") && strcmp(mo.backend, "kmod") &&
	    strcmp(mo.backend, "mglru") && strcmp(mo.backend, "proc") && strcmp(mo.backend, "sim")) {
		fprintf(stderr, "lrugend: --backend=%s: expected auto, kmod, mglru, proc or sim\n",
			mo.backend);
		return LRG_EXIT_USAGE;
	}
	if (sim && (!mo.backend || strcmp(mo.backend, "sim"))) {
		fprintf(stderr, "lrugend: --sim=FILE needs --backend=sim\n");
		return LRG_EXIT_USAGE;
	}
	if (mo.backend && !strcmp(mo.backend, "sim") && !sim && !check) {
		fprintf(stderr, "lrugend: --backend=sim needs --sim=FILE (a workload)\n");
		return LRG_EXIT_USAGE;
	}

	if (check || sim) {
		r = lrg_manager_load_config(mo.config_path, mo.dropin_dir, &cfg);
		if (r < 0)
			return LRG_EXIT_CONFIG;
	} else {
		/* a machine left unguarded by a typo is worse than one running
		 * the defaults: the daemon starts on the built-in profile */
		lrg_manager_boot_config(mo.config_path, mo.dropin_dir, &cfg, fallback, sizeof(fallback));
		mo.config_fallback = fallback[0] ? fallback : NULL;
	}
	if (check) {
		lrg_config_print(&cfg, stdout);
		lrg_config_free(&cfg);
		return LRG_EXIT_OK;
	}
	if (mo.dry_run)
		cfg.daemon.dry_run = true;
	if (sim)
		r = run_sim(sim, sim_policy, &cfg);
	else
		r = lrg_manager_run(&mo, &cfg);
	lrg_config_free(&cfg);
	return r;
}
