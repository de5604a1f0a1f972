// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl show POOL: every attribute and counter of a pool (keyvalue.c). */
#include "ttm-poolctl.h"

int cmd_show(const struct outopts *o, int argc, char **argv)
{
	(void)argc;
	return kv_print(o, argv[0], false);
}
