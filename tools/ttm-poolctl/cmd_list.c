// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl list: one row per pool, lsblk style, or one per NUMA node (list.c). */
#include "ttm-poolctl.h"

int cmd_list(const struct outopts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return list_print(o);
}
