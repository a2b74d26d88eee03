// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - lrugen.ko: page table accessed-bit harvest for lrugend, the
 * user-space Multi-Generational LRU. Module init and exit only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <net/genetlink.h>

#include "lrugen.h"

/* the one place the tracepoints of lrugen_trace.h are defined */
#define CREATE_TRACE_POINTS
#include "lrugen_trace.h"

#define LRUGEN_MODULE_VERSION "0.1.0"

struct lrugen_counters lrugen_counters;

static int __init lrugen_init(void)
{
	int ret;

	ret = lrugen_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("loaded, ABI %u, generic netlink family \"%s\"\n",
		LRUGEN_ABI_VERSION, LRUGEN_GENL_NAME);
	return 0;

err_netlink:
	pr_err("cannot register generic netlink family: %d\n", ret);
	return ret;
}

static void __exit lrugen_exit(void)
{
	lrugen_netlink_exit();
}

module_init(lrugen_init);
module_exit(lrugen_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("lrugend developers");
MODULE_DESCRIPTION("Page table accessed-bit harvest for the lrugend user-space MGLRU");
MODULE_VERSION(LRUGEN_MODULE_VERSION);
MODULE_ALIAS_GENL_FAMILY(LRUGEN_GENL_NAME);
