// SPDX-License-Identifier: GPL-2.0-only
/* lrugend: entry point (skeleton; the event loop lands with the policy). */
#include <stdio.h>
#include <string.h>

#include "lrg_log.h"

int main(int argc, char **argv)
{
	lrg_log_init("lrugend");
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lrugend %s\n", PACKAGE_VERSION);
		return 0;
	}
	log_info("lrugend %s", PACKAGE_VERSION);
	return 0;
}
