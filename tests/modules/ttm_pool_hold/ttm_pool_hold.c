// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_hold: allocate pages from a device's TTM pool at insmod and give
 * them back at rmmod, so tests in the VM can watch the pool's counters move.
 *
 *   insmod ttm_pool_hold.ko pool=0000:00:02.0 pages=16 caching=wc
 *
 * pool is a name from /sys/kernel/ttm/pools/. The module keeps a pointer
 * to the pool: unload it before the pool's driver unbinds.
 *
 * With scribble=OFFSET, rmmod writes 0xa5 to byte OFFSET of the first page
 * after it gave the pages back: a driver's write after free, for the tests
 * of verify_clean (debugfs ttm/qa/<pool>/verify_clean), which must find it
 * when the chunk is taken again. Only for a pool that keeps what is freed
 * (its caps not reached): the page must still be the pool's.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

static char *pool_name;
module_param_named(pool, pool_name, charp, 0444);
MODULE_PARM_DESC(pool, "name of the pool (see /sys/kernel/ttm/pools)");

static unsigned long pages = 1;
module_param(pages, ulong, 0444);
MODULE_PARM_DESC(pages, "pages to allocate");

static char *caching = "wc";
module_param(caching, charp, 0444);
MODULE_PARM_DESC(caching, "wc, uc or cached");

static int scribble = -1;
module_param(scribble, int, 0444);
MODULE_PARM_DESC(scribble,
		 "byte of the first page to write after the free at rmmod, or -1");

static struct ttm_pool *held_pool;
static struct ttm_tt held_tt;

static int hold_alloc(struct ttm_pool *pool, void *data)
{
	struct ttm_operation_ctx ctx = { };
	const char *name = ttm_pool_name(pool);
	int *ret = data;

	if (strcmp(name, pool_name))
		return 0;

	held_tt.pages = kvcalloc(pages, sizeof(*held_tt.pages), GFP_KERNEL);
	if (pool->dev)
		held_tt.dma_address = kvcalloc(pages, sizeof(dma_addr_t),
					       GFP_KERNEL);
	if (!held_tt.pages || (pool->dev && !held_tt.dma_address)) {
		*ret = -ENOMEM;
		return 1;
	}
	held_tt.num_pages = pages;
	*ret = ttm_pool_alloc(pool, &held_tt, &ctx);
	if (!*ret)
		held_pool = pool;
	return 1;
}

static int __init ttm_pool_hold_init(void)
{
	int ret = -ENODEV;

	if (!pool_name || !pages || scribble >= (int)PAGE_SIZE)
		return -EINVAL;
	if (!strcmp(caching, "wc"))
		held_tt.caching = ttm_write_combined;
	else if (!strcmp(caching, "uc"))
		held_tt.caching = ttm_uncached;
	else if (!strcmp(caching, "cached"))
		held_tt.caching = ttm_cached;
	else
		return -EINVAL;

	ttm_pool_for_each(hold_alloc, &ret);
	if (ret) {
		kvfree(held_tt.pages);
		kvfree(held_tt.dma_address);
		return ret;
	}
	pr_info("ttm_pool_hold: %lu %s pages from %s\n", pages, caching,
		pool_name);
	return 0;
}

static void __exit ttm_pool_hold_exit(void)
{
	struct page *first = held_tt.pages[0];
	u8 *va;

	ttm_pool_free(held_pool, &held_tt);
	if (scribble >= 0) {
		/* The bug verify_clean is there to catch. */
		va = kmap_local_page(first);
		va[scribble] = 0xa5;
		kunmap_local(va);
		pr_info("ttm_pool_hold: wrote byte %d of a freed page of %s\n",
			scribble, pool_name);
	}
	kvfree(held_tt.pages);
	kvfree(held_tt.dma_address);
}

module_init(ttm_pool_hold_init);
module_exit(ttm_pool_hold_exit);
MODULE_DESCRIPTION("Hold pages of a TTM pool for tests");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(TTM_POOL_TEST);
