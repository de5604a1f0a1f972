// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl show POOL: every attribute and counter of a pool (keyvalue.c);
 * show --global: every global file of /sys/kernel/ttm, the cap and the GPU
 * memory summary of all pools, as show gives a pool's (global.c).
 */
#include "ttm-poolctl.h"

int cmd_show(const struct outopts *o, int argc, char **argv)
{
	if (o->global)
		return global_show(o);
	(void)argc;
	return kv_print(o, argv[0], false);
}
