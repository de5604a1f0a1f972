// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_smoke: the smallest out-of-tree module that links against the TTM pool API of
 * the test kernel. It proves the external-module build works and that the exported
 * pool symbols resolve: it initialises a pool without a device and tears it down.
 */
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <drm/ttm/ttm_pool.h>

static int __init ttm_smoke_init(void)
{
	struct ttm_pool *pool;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	ttm_pool_init(pool, NULL, NUMA_NO_NODE, false, false);
	pr_info("ttm_smoke: pool policy %s, effective path %s\n",
		ttm_pool_path_name(ttm_pool_get_path(pool)),
		ttm_pool_path_name(ttm_pool_effective_path(pool)));
	ttm_pool_fini(pool);
	kfree(pool);
	pr_info("ttm_smoke: pool init/fini ok\n");
	return 0;
}

static void __exit ttm_smoke_exit(void)
{
}

module_init(ttm_smoke_init);
module_exit(ttm_smoke_exit);
MODULE_DESCRIPTION("ttm-pool external module smoke test");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(TTM_POOL_TEST);
