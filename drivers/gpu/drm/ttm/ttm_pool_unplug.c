// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: hot-unplug, a pool whose device's driver detaches.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Hot-unplug
 * ----------
 * A coherent chunk must go back through dma_free_attrs() on the device that
 * made it, with the device's DMA setup as it was at the allocation. A
 * device's driver detaches before the device is deleted, and what happens
 * then changes that setup: device_unbind_cleanup() tears down the arch's
 * DMA ops and frees the device's DMA range map, and device_del() then makes
 * the IOMMU core release the device (6.12's iommu_deinit_device() clears
 * dev->dma_iommu). From then on dma_free_attrs() takes the dma-direct
 * branch, which reads the IOVA of a chunk as a physical address and frees
 * whatever pages that names. A driver may keep its ttm_device, and so its
 * pool, past the unplug until the last close (drm_dev_unplug()), and the
 * shrinker, another pool's global-cap eviction, sysfs and the final
 * ttm_pool_fini() release pooled chunks at any time.
 *
 * So ttm_pool_init() adds a managed resource (devres) to the pool's device
 * and holds a reference to the device until ttm_pool_fini(). Its release
 * runs when the driver detaches (devres_release_all() from
 * device_unbind_cleanup(), after the driver's remove callback and before
 * the DMA teardown), or, for a device without a driver, in device_del()
 * before the IOMMU core lets go of it; ttm_pool_fini() takes it back if it
 * has not run. The release ("detach") switches the pool to the page path
 * for good (the policy still shows, alloc_path coherent is refused with
 * -ENODEV, "auto" resolves to page: "device detached"), which releases
 * every pooled coherent chunk through the DMA API while the device is still
 * whole; drivers that unpopulate their tts in their remove callback
 * (amdgpu's ttm_device_clear_dma_mappings()) have thus given back all of
 * it. A coherent chunk freed afterwards belonged to a tt still alive at the
 * detach, a breach of the DMA API by its driver that dma-debug reports at
 * the unbind. No DMA API call can free it correctly any more, and giving
 * its pages to the page allocator could hand them out while the device, if
 * still present, may write to them: the pool leaks the chunk, counts it and
 * says so in the kernel log. The detach marks that point (dma_gone) and
 * waits for the coherent frees already under way (dma_freeing), so that
 * none of them reaches the DMA API after it returns.
 *
 * Locking
 * -------
 * ttm_pool_devres_lock (a mutex) protects ttm_pool_state.devres and orders
 * a release against ttm_pool_fini() taking the resource back. It is taken
 * before the pool's config_lock (the detach switches the path under it).
 */

#include <linux/device.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/wait_bit.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

/**
 * struct ttm_pool_devres - a pool's managed resource on its device
 * @pool: the pool, or NULL once ttm_pool_fini() disarmed the release
 *
 * See "Hot-unplug" above.
 */
struct ttm_pool_devres {
	struct ttm_pool *pool;
};

/*
 * Serialises a release against ttm_pool_fini() taking the resource back,
 * which may run concurrently (a last close during the unplug): fini either
 * removes the resource from the device, or, if devres_release_all() has
 * taken it off already, disarms it before its release runs (the resource
 * is freed only after that).
 */
static DEFINE_MUTEX(ttm_pool_devres_lock);

/*
 * The device's driver detached (or the device without one is being
 * deleted), and its DMA setup goes next: release every pooled coherent
 * chunk through the DMA API now and never pool, allocate or free one
 * through it again. See "Hot-unplug" above.
 */
static void ttm_pool_detach(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	enum ttm_pool_path effective;
	const char *why;

	lockdep_assert_held(&ttm_pool_devres_lock);
	mutex_lock(&st->config_lock);
	WRITE_ONCE(st->detached, true);
	effective = ttm_pool_resolve(pool, st->path, &why);
	st->auto_reason = why;
	if (effective != st->effective_path) {
		trace_ttm_pool_path_switch(pool, st->effective_path, effective,
					   why);
		/* Pairs with the acquire in ttm_pool_alloc() and _give(). */
		smp_store_release(&st->effective_path, effective);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_PATH_SWITCHES, 1);
	}
	/*
	 * Coherent chunks are pooled only on the coherent path, checked under
	 * the type's lock: one pooled before the switch is released here.
	 */
	ttm_pool_release_all(pool, true, false, TTM_POOL_STAT_RELEASE_SWITCH);
	mutex_unlock(&st->config_lock);

	WRITE_ONCE(st->dma_gone, true);
	/* Pairs with the barrier in ttm_pool_dma_begin(). */
	smp_mb();
	wait_var_event(&st->dma_freeing, !atomic_read(&st->dma_freeing));
}

static void ttm_pool_devres_release(struct device *dev, void *res)
{
	struct ttm_pool_devres *dr = res;

	mutex_lock(&ttm_pool_devres_lock);
	if (dr->pool) {
		ttm_pool_state(dr->pool)->devres = NULL;
		ttm_pool_detach(dr->pool);
	}
	mutex_unlock(&ttm_pool_devres_lock);
}

static int ttm_pool_devres_match(struct device *dev, void *res, void *data)
{
	return res == data;
}

/**
 * ttm_pool_unplug_watch() - learn when a pool's device's driver detaches
 * @pool: a pool with a device, being initialised
 *
 * Takes a reference to the device and adds the managed resource whose
 * release detaches the pool. The release may run as soon as this returns.
 * Context: process context.
 */
void ttm_pool_unplug_watch(struct ttm_pool *pool)
{
	struct ttm_pool_devres *dr;

	get_device(pool->dev);
	dr = devres_alloc(ttm_pool_devres_release, sizeof(*dr),
			  GFP_KERNEL | __GFP_NOFAIL);
	dr->pool = pool;
	ttm_pool_state(pool)->devres = dr;
	devres_add(pool->dev, dr);
}

/**
 * ttm_pool_unplug_unwatch() - take the managed resource back
 * @pool: a pool with a device, being finalised
 *
 * If the device's driver has not detached, the pool's coherent chunks go
 * back now, while it cannot (a release under way waits for the lock, before
 * the device's DMA teardown); then the resource is taken back, or the
 * release under way is disarmed. ttm_pool_fini() drops the reference to
 * the device after the last release of the pool.
 * Context: process context.
 */
void ttm_pool_unplug_unwatch(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_devres *dr;

	mutex_lock(&ttm_pool_devres_lock);
	dr = st->devres;
	if (dr) {
		ttm_pool_release_all(pool, true, false,
				     TTM_POOL_STAT_RELEASE_FINI);
		if (devres_remove(pool->dev, ttm_pool_devres_release,
				  ttm_pool_devres_match, dr))
			devres_free(dr);
		else
			dr->pool = NULL;
		st->devres = NULL;
	}
	mutex_unlock(&ttm_pool_devres_lock);
}
