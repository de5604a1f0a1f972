// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_faults: pool setup when its allocations fail.
 *
 * ttm_pool_init() cannot fail, so every allocation it makes beyond its state
 * (per-CPU counters, the name, the sysfs directory and its uevent, the
 * debugfs dump) must either succeed or leave a pool that works without it.
 * At module load this initialises a pool of a device over and over, with
 * the N-th allocation of ttm_pool_init() failed (the task's fail-nth, for
 * slab and page allocations alike), N = 1, 2, ... until ttm_pool_init() makes
 * fewer than N allocations. Each pool must then allocate and free a tt, give
 * consistent counters, and be finalised; kmemleak, KASAN and the boot's
 * splat check see the rest.
 *
 * Needs CONFIG_FAULT_INJECTION with failslab and fail_page_alloc, and
 * ignore-gfp-wait set to N in both (tests/vm/setup-faults.sh does that):
 * by default GFP_KERNEL allocations are never failed.
 *
 * Results, read-only parameters: runs (pools set up), injected (runs whose
 * N-th allocation was failed), broken (runs whose pool did not work).
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#define MAX_RUNS 1000

static unsigned int runs, injected, broken;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "pools set up");
module_param(injected, uint, 0444);
MODULE_PARM_DESC(injected, "setups with one allocation failed");
module_param(broken, uint, 0444);
MODULE_PARM_DESC(broken, "pools that did not work after their setup");

/*
 * Does @pool allocate and free a tt of 3 pages, with counters that agree?
 * Deltas: a pool whose per-CPU counters could not be allocated shares the
 * fallback counters with other such pools.
 */
static bool pool_works(struct ttm_pool *pool)
{
	static struct ttm_operation_ctx ctx;
	struct ttm_pool_stats *before, *st;
	struct ttm_tt *tt;
	bool good = false;

	before = kzalloc(sizeof(*before), GFP_KERNEL);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	tt = kzalloc(sizeof(*tt), GFP_KERNEL);
	if (!before || !st || !tt)
		goto out;
	tt->num_pages = 3;
	tt->caching = ttm_cached;
	tt->pages = kcalloc(tt->num_pages, sizeof(*tt->pages), GFP_KERNEL);
	if (!tt->pages)
		goto out;
	ttm_pool_get_stats(pool, before);
	if (ttm_pool_alloc(pool, tt, &ctx))
		goto out_pages;
	ttm_pool_get_stats(pool, st);
	good = st->inuse_pages == before->inuse_pages + 3;
	ttm_pool_free(pool, tt);
	ttm_pool_get_stats(pool, st);
	good = good && st->inuse_pages == before->inuse_pages &&
	       st->counter[TTM_POOL_STAT_ALLOC_MISS] +
	       st->counter[TTM_POOL_STAT_ALLOC_HIT] ==
	       before->counter[TTM_POOL_STAT_ALLOC_MISS] +
	       before->counter[TTM_POOL_STAT_ALLOC_HIT] + 3;
out_pages:
	kfree(tt->pages);
out:
	kfree(tt);
	kfree(st);
	kfree(before);
	return good;
}

static int __init ttm_pool_faults_init(void)
{
	struct ttm_pool *pool;
	struct device *dev;
	unsigned int n, left;
	int ret = 0;

	dev = root_device_register("ttm_pool_faults");
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool) {
		ret = -ENOMEM;
		goto out_dev;
	}

	for (n = 1; n <= MAX_RUNS; n++) {
		memset(pool, 0, sizeof(*pool));
		WRITE_ONCE(current->fail_nth, n);
		ttm_pool_init(pool, dev, NUMA_NO_NODE, false, false);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		runs++;
		if (!left)
			injected++;
		if (!pool_works(pool))
			broken++;
		ttm_pool_fini(pool);
		if (left)
			break;	/* ttm_pool_init() made fewer than n allocations */
	}
	pr_info("%u setups, %u with a failed allocation, %u broken\n",
		runs, injected, broken);

	kfree(pool);
out_dev:
	root_device_unregister(dev);
	return ret;
}

static void __exit ttm_pool_faults_exit(void)
{
}

module_init(ttm_pool_faults_init);
module_exit(ttm_pool_faults_exit);
MODULE_DESCRIPTION("TTM pool setup under failed allocations");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(TTM_POOL_TEST);
