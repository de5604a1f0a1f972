// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_stress: kernel threads hammering TTM pools of two fake devices
 * (32-bit and 64-bit DMA masks). Each thread allocates ttm_tts of mixed sizes
 * (1 page to 2 MiB and more) and caching types, half of them with
 * TTM_TT_FLAG_ZERO_ALLOC, writes a pattern into every page, checks it, and
 * frees the tt. A tt that must get zeroed pages (ZERO_ALLOC, or every tt
 * under init_on_alloc or init_on_free) is checked for a non-zero byte first:
 * one is counted in "unclean" and is a failure. -ENOMEM (fault injection,
 * pressure) is counted, any other error or a wrong pattern is a failure.
 *
 *   insmod ttm_pool_stress.ko threads=4
 *   ... (the threads run until the module is removed)
 *   rmmod ttm_pool_stress     -> "ttm_pool_stress: done: ..." in the log
 *
 * Writing 1 to the parameter pause stops the threads between two tts; the
 * read-only parameter paused_threads says how many have stopped (all of them:
 * nothing is allocated or in use any more), enomem how many allocations failed
 * with -ENOMEM so far.
 *
 * The devices are /sys/devices/ttm_pool_stress32 and ttm_pool_stress64, so
 * their pools appear under /sys/kernel/ttm/pools/ with those names.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/sysfs.h>

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

static unsigned int threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "threads per device (1..16)");

static bool pause;
module_param(pause, bool, 0644);
MODULE_PARM_DESC(pause, "1: threads stop allocating (so counters can be read)");

static bool check_bounce;
module_param(check_bounce, bool, 0444);
MODULE_PARM_DESC(check_bounce, "fail if a coherent-path page has a swiotlb address");

static unsigned int max_pages = 600;
module_param(max_pages, uint, 0444);
MODULE_PARM_DESC(max_pages, "largest tt in pages (above 512 = 2 MiB)");

struct stress_dev {
	struct device *dev;
	struct ttm_pool pool;
	struct task_struct *task[16];
	u64 mask;
};

static struct stress_dev devs[2] = {
	{ .mask = DMA_BIT_MASK(32) }, { .mask = DMA_BIT_MASK(64) },
};

static atomic64_t ops, pages_moved, enomem, failures, unclean, zero_pages;
static atomic_t paused_threads = ATOMIC_INIT(0);

static int ro_param_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static int ro_atomic_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static int ro_atomic64_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read((atomic64_t *)kp->arg));
}

static const struct kernel_param_ops ro_atomic_ops = {
	.set = ro_param_set,
	.get = ro_atomic_get,
};

static const struct kernel_param_ops ro_atomic64_ops = {
	.set = ro_param_set,
	.get = ro_atomic64_get,
};

module_param_cb(paused_threads, &ro_atomic_ops, &paused_threads, 0444);
MODULE_PARM_DESC(paused_threads, "threads stopped by pause, between two tts (read-only)");
module_param_cb(enomem, &ro_atomic64_ops, &enomem, 0444);
MODULE_PARM_DESC(enomem, "allocations that failed with -ENOMEM so far (read-only)");

static int stress_one(struct stress_dev *sd, struct ttm_tt *tt, u32 seed)
{
	static const enum ttm_caching cachings[] = {
		ttm_cached, ttm_write_combined, ttm_uncached
	};
	struct ttm_operation_ctx ctx = { .gfp_retry_mayfail = true };
	unsigned long n = 1 + get_random_u32_below(max_pages), i;
	int err;

	tt->num_pages = n;
	tt->caching = cachings[seed % 3];
	tt->page_flags = seed & 8 ? TTM_TT_FLAG_ZERO_ALLOC : 0;
	memset(tt->pages, 0, n * sizeof(*tt->pages));
	err = ttm_pool_alloc(&sd->pool, tt, &ctx);
	if (err == -ENOMEM) {
		atomic64_inc(&enomem);
		return 0;
	}
	if (err)
		return err;
	if (tt->page_flags || want_init_on_alloc(0) || want_init_on_free()) {
		for (i = 0; i < n; i++) {
			if (memchr_inv(page_address(tt->pages[i]), 0, PAGE_SIZE)) {
				atomic64_inc(&unclean);
				err = -ENODATA;
			}
		}
		atomic64_add(n, &zero_pages);
	}
	for (i = 0; i < n; i++) {
		u32 *va = page_address(tt->pages[i]), v = seed + i;

		if (!tt->dma_address[i] || (tt->dma_address[i] & ~PAGE_MASK))
			err = -EFAULT;
		if (check_bounce &&
		    swiotlb_find_pool(sd->dev, dma_to_phys(sd->dev, tt->dma_address[i])))
			err = -EXDEV;
		va[0] = v;
		va[PAGE_SIZE / 4 - 1] = ~v;
	}
	for (i = 0; i < n; i++) {
		u32 *va = page_address(tt->pages[i]), v = seed + i;

		if (va[0] != v || va[PAGE_SIZE / 4 - 1] != ~v)
			err = -EILSEQ;
	}
	ttm_pool_free(&sd->pool, tt);
	atomic64_inc(&ops);
	atomic64_add(n, &pages_moved);
	return err;
}

static int stress_thread(void *data)
{
	struct stress_dev *sd = data;
	bool parked = false;
	struct ttm_tt *tt;
	int err;

	tt = kzalloc(sizeof(*tt), GFP_KERNEL);
	if (tt) {
		tt->pages = kvcalloc(max_pages, sizeof(*tt->pages), GFP_KERNEL);
		tt->dma_address = kvcalloc(max_pages, sizeof(dma_addr_t), GFP_KERNEL);
	}
	while (!kthread_should_stop()) {
		if (!tt || !tt->pages || !tt->dma_address) {
			atomic64_inc(&failures);
			schedule_timeout_interruptible(HZ);
			continue;
		}
		if (READ_ONCE(pause)) {
			if (!parked) {
				parked = true;
				/* everything of the last tt happens before */
				smp_mb__before_atomic();
				atomic_inc(&paused_threads);
			}
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		if (parked) {
			parked = false;
			atomic_dec(&paused_threads);
		}
		err = stress_one(sd, tt, get_random_u32());
		if (err) {
			atomic64_inc(&failures);
			pr_err("ttm_pool_stress: %s: error %d\n", dev_name(sd->dev), err);
		}
		cond_resched();
	}
	if (parked)
		atomic_dec(&paused_threads);
	if (tt) {
		kvfree(tt->pages);
		kvfree(tt->dma_address);
		kfree(tt);
	}
	return 0;
}

static void stress_stop(void)
{
	unsigned int i, t;

	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		for (t = 0; t < ARRAY_SIZE(devs[i].task); t++)
			if (!IS_ERR_OR_NULL(devs[i].task[t]))
				kthread_stop(devs[i].task[t]);
		if (devs[i].dev) {
			ttm_pool_fini(&devs[i].pool);
			root_device_unregister(devs[i].dev);
			devs[i].dev = NULL;
		}
	}
}

static int __init ttm_pool_stress_init(void)
{
	unsigned int i, t;

	if (!threads || threads > 16 || !max_pages || max_pages > 4096)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct stress_dev *sd = &devs[i];

		sd->dev = root_device_register(i ? "ttm_pool_stress64" : "ttm_pool_stress32");
		if (IS_ERR(sd->dev)) {
			sd->dev = NULL;
			goto err;
		}
		sd->dev->coherent_dma_mask = sd->mask;
		sd->dev->dma_mask = &sd->dev->coherent_dma_mask;
		ttm_pool_init(&sd->pool, sd->dev, NUMA_NO_NODE, false, i == 0);
	}
	for (i = 0; i < ARRAY_SIZE(devs); i++)
		for (t = 0; t < threads; t++)
			devs[i].task[t] = kthread_run(stress_thread, &devs[i],
						      "ttm_pool_stress/%u", i * 16 + t);
	pr_info("ttm_pool_stress: %u threads per device started\n", threads);
	return 0;
err:
	stress_stop();
	return -ENOMEM;
}

static void __exit ttm_pool_stress_exit(void)
{
	stress_stop();
	pr_info("ttm_pool_stress: done: ops=%lld pages=%lld enomem=%lld failures=%lld zero_pages=%lld unclean=%lld\n",
		atomic64_read(&ops), atomic64_read(&pages_moved),
		atomic64_read(&enomem), atomic64_read(&failures),
		atomic64_read(&zero_pages), atomic64_read(&unclean));
}

module_init(ttm_pool_stress_init);
module_exit(ttm_pool_stress_exit);
MODULE_DESCRIPTION("Stress the TTM page pool from kernel threads");
MODULE_LICENSE("Dual MIT/GPL");
