// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_global_retry: TTM's global setup failing, then a device probing again.
 *
 * The first ttm_device_init() of a system runs 6.12's ttm_global_init(),
 * which calls ttm_pool_mgr_init() (debugfs ttm/pools/, the shrinker) before
 * it allocates its dummy page. If that allocation fails, ttm_global_init()
 * removes TTM's debugfs root but never calls ttm_pool_mgr_fini(). The next
 * device's probe must then find a working pools/ directory (not the freed
 * dentry of the old one) and exactly one pool shrinker.
 *
 * At module load, with the device count at zero (a boot without GPUs): the
 * first ttm_device_init() runs with this task's make_it_fail set, so that
 * fail_page_alloc (task-filter, ignore-gfp-wait: set up by the test script)
 * fails the non-sleeping dummy-page allocations; it must return -ENOMEM.
 * The second, without injection, must succeed. The device then lives until
 * the module is removed, so that the script can look at debugfs.
 *
 * Results, read-only parameters: first (status of the failed setup),
 * second (status of the retry).
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/sched.h>

#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_device.h>

static int first = 1, second = 1;
module_param(first, int, 0444);
MODULE_PARM_DESC(first, "ttm_device_init() with page allocations failed");
module_param(second, int, 0444);
MODULE_PARM_DESC(second, "ttm_device_init() again, without injection");

static struct device *root;
static struct drm_vma_offset_manager vma;
static struct ttm_device bdev;
static const struct ttm_device_funcs funcs;

static int __init ttm_global_retry_init(void)
{
	root = root_device_register(KBUILD_MODNAME);
	if (IS_ERR(root))
		return PTR_ERR(root);
	drm_vma_offset_manager_init(&vma, 0, 16);

	current->make_it_fail = 1;
	first = ttm_device_init(&bdev, &funcs, root, NULL, &vma, false, false);
	current->make_it_fail = 0;
	if (!first) {
		/* Nothing was injected: the test script says so. */
		ttm_device_fini(&bdev);
	}
	second = ttm_device_init(&bdev, &funcs, root, NULL, &vma, false, false);
	pr_info("first setup: %d, second: %d\n", first, second);
	if (second) {
		drm_vma_offset_manager_destroy(&vma);
		root_device_unregister(root);
		return second;
	}
	return 0;
}

static void __exit ttm_global_retry_exit(void)
{
	ttm_device_fini(&bdev);
	drm_vma_offset_manager_destroy(&vma);
	root_device_unregister(root);
}

module_init(ttm_global_retry_init);
module_exit(ttm_global_retry_exit);
MODULE_DESCRIPTION("TTM's global setup failing, then a retry");
MODULE_LICENSE("Dual MIT/GPL");
