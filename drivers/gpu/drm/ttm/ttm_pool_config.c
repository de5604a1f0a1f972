// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: configuration, a pool's path policy, cap and watermarks,
 * with the setters and getters the interfaces (sysfs, debugfs) and drivers
 * use. None of them is a 6.12 export.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Limits
 * ------
 * A global cap bounds the pages pooled by all pools (ttm.page_pool_size, by
 * default half of RAM) and each pool has its own cap, max_pages (default:
 * the global cap). A freed chunk that would exceed the pool's cap goes back
 * to the system in that call. At the global cap, the other pools' coldest
 * chunks are released to make room for it (a busy pool keeps what it frees
 * while idle pools give way, as 6.12's one global pool evicted its oldest
 * pages); only if they hold too little does the chunk go back. Releases
 * (caps, trims, the shrinker) take the coldest chunks, allocations the most
 * recently pooled. Lowering a cap trims before the setter returns. Above
 * high_watermark a worker trims the pool down to low_watermark; by default
 * both equal max_pages, so the worker only runs once an administrator lowers
 * them.
 *
 * Locking
 * -------
 * ttm_pool_state.config_lock (a mutex) serialises the setters of one pool:
 * its policy, cap and watermarks, and whether each watermark was set. Setters
 * write with WRITE_ONCE() under it; alloc and free read with READ_ONCE()
 * without it. The effective path is written with smp_store_release() under
 * it and read with smp_load_acquire(). The releases of a path switch and
 * of a lowered cap run under it (drains, the trim worker, the shrinker and
 * the global cap release without it); it is taken before any type's lock
 * and before ttm_pool_clear_mutex.
 */

#include <linux/device.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/mutex.h>

#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

/**
 * ttm_pool_set_path() - configure a pool's allocation path
 * @pool: the pool
 * @path: auto, coherent or page
 *
 * Takes effect for the next allocation. If the effective path changes, the
 * chunks pooled by the old one are released before this returns; chunks in
 * use stay valid and are released by their own path when freed.
 * Context: process context; takes the pool's config_lock.
 *
 * In a confidential guest (SEV, TDX) a pool keeps the path its driver asked
 * for: the tts' TTM_TT_FLAG_DECRYPTED follows it (see ttm_pool_cc_guest()).
 *
 * Once the pool's device's driver detached (hot-unplug), the pool has only
 * the page path: "auto" resolves to it and coherent is refused.
 *
 * Return: 0, -EINVAL for an unknown path or coherent without a device,
 * -ENODEV for coherent once the device's driver detached, or -EOPNOTSUPP
 * for another path than the driver's in a confidential guest (nothing
 * changed then).
 */
int ttm_pool_set_path(struct ttm_pool *pool, enum ttm_pool_path path)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	enum ttm_pool_path effective;
	const char *why;

	if (!ttm_pool_live(pool) || path > TTM_POOL_PATH_PAGE)
		return -EINVAL;
	if (path == TTM_POOL_PATH_COHERENT && !pool->dev)
		return -EINVAL;

	mutex_lock(&st->config_lock);
	if (path == TTM_POOL_PATH_COHERENT && st->detached) {
		mutex_unlock(&st->config_lock);
		return -ENODEV;
	}
	effective = ttm_pool_resolve(pool, path, &why);
	if (path != TTM_POOL_PATH_AUTO && path != effective) {
		/* Only a confidential guest overrides a configured path. */
		mutex_unlock(&st->config_lock);
		return -EOPNOTSUPP;
	}
	st->path = path;
	st->auto_reason = why;
	if (effective != st->effective_path) {
		bool old_coherent = effective == TTM_POOL_PATH_PAGE;

		/* Pairs with the acquire in ttm_pool_alloc() and _give(). */
		smp_store_release(&st->effective_path, effective);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_PATH_SWITCHES, 1);
		ttm_pool_release_all(pool, old_coherent, !old_coherent,
				     TTM_POOL_STAT_RELEASE_SWITCH);
	}
	mutex_unlock(&st->config_lock);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_set_path);

/**
 * ttm_pool_set_max_pages() - set a pool's cap
 * @pool: the pool
 * @max_pages: the most pages the pool may keep; 0 disables pooling
 *
 * Watermarks never set follow the cap, up and down; watermarks set (by
 * ttm_pool_set_watermarks() or the single setters) above the new cap are
 * lowered to it. Pooled pages above it are released before this returns.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, or -ERANGE if @max_pages exceeds the RAM of the machine.
 */
int ttm_pool_set_max_pages(struct ttm_pool *pool, unsigned long max_pages)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	unsigned long high, low;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	if (max_pages > totalram_pages())
		return -ERANGE;

	mutex_lock(&st->config_lock);
	/*
	 * A mark never set follows the cap, but low never passes high: with
	 * high set and low not, low follows high.
	 */
	high = st->high_set ? min(st->high_watermark, max_pages) : max_pages;
	low = st->low_set ? min(st->low_watermark, high) : high;
	WRITE_ONCE(st->max_pages, max_pages);
	WRITE_ONCE(st->high_watermark, high);
	WRITE_ONCE(st->low_watermark, low);
	ttm_pool_trim_to(pool, max_pages, TTM_POOL_STAT_RELEASE_TRIM);
	mutex_unlock(&st->config_lock);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_set_max_pages);

/* Set both watermarks, if @low <= @high <= max_pages. */
static int ttm_pool_apply_watermarks(struct ttm_pool *pool, unsigned long high,
				     unsigned long low)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	lockdep_assert_held(&st->config_lock);
	if (low > high || high > st->max_pages)
		return -EINVAL;
	WRITE_ONCE(st->high_watermark, high);
	WRITE_ONCE(st->low_watermark, low);
	st->high_set = true;
	st->low_set = true;
	ttm_pool_check_watermark(pool);
	return 0;
}

/**
 * ttm_pool_set_watermarks() - set a pool's background trim thresholds
 * @pool: the pool
 * @high: above this many pooled pages the trim worker runs
 * @low: the worker trims down to this many
 *
 * If the pool is already above @high, the worker is queued.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, or -EINVAL unless @low <= @high <= max_pages (nothing changed
 * then).
 */
int ttm_pool_set_watermarks(struct ttm_pool *pool, unsigned long high,
			    unsigned long low)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	int ret;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	ret = ttm_pool_apply_watermarks(pool, high, low);
	mutex_unlock(&st->config_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_watermarks);

/* Set one watermark, keeping the other. */
static int ttm_pool_set_one_watermark(struct ttm_pool *pool, bool high,
				      unsigned long pages)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	bool low_set, high_set;
	int ret;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	low_set = st->low_set;
	high_set = st->high_set;
	/*
	 * The other mark, if never set, follows: low is high, high is the
	 * cap (and fails like a set one if @pages is above it).
	 */
	if (high)
		ret = ttm_pool_apply_watermarks(pool, pages, low_set ?
						st->low_watermark : pages);
	else
		ret = ttm_pool_apply_watermarks(pool, high_set ?
						st->high_watermark :
						max(st->high_watermark, pages),
						pages);
	if (!ret) {
		st->low_set = low_set || !high;
		st->high_set = high_set || high;
	}
	mutex_unlock(&st->config_lock);
	return ret;
}

/**
 * ttm_pool_set_high_watermark() - set a pool's high watermark
 * @pool: the pool
 * @high: above this many pooled pages the trim worker runs
 *
 * Context: process context; takes the pool's config_lock.
 * A low watermark never set follows @high.
 * Return: 0, or -EINVAL unless @high <= max_pages and, if the low watermark
 * was set, low_watermark <= @high.
 */
int ttm_pool_set_high_watermark(struct ttm_pool *pool, unsigned long high)
{
	return ttm_pool_set_one_watermark(pool, true, high);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_high_watermark);

/**
 * ttm_pool_set_low_watermark() - set a pool's low watermark
 * @pool: the pool
 * @low: the trim worker trims down to this many pooled pages
 *
 * Context: process context; takes the pool's config_lock.
 * A high watermark never set stays at max_pages.
 * Return: 0, or -EINVAL unless @low <= max_pages and, if the high watermark
 * was set, @low <= high_watermark.
 */
int ttm_pool_set_low_watermark(struct ttm_pool *pool, unsigned long low)
{
	return ttm_pool_set_one_watermark(pool, false, low);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_low_watermark);

/**
 * ttm_pool_get_path() - a pool's path policy
 * @pool: the pool
 *
 * Return: auto, coherent or page, as last configured.
 */
enum ttm_pool_path ttm_pool_get_path(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return TTM_POOL_PATH_AUTO;
	return READ_ONCE(ttm_pool_state(pool)->path);
}
EXPORT_SYMBOL(ttm_pool_get_path);

/**
 * ttm_pool_effective_path() - the path a pool's fresh pages come from now
 * @pool: the pool
 *
 * Return: TTM_POOL_PATH_COHERENT or TTM_POOL_PATH_PAGE.
 */
enum ttm_pool_path ttm_pool_effective_path(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return TTM_POOL_PATH_PAGE;
	/* Pairs with the release in ttm_pool_set_path(). */
	return smp_load_acquire(&ttm_pool_state(pool)->effective_path);
}
EXPORT_SYMBOL(ttm_pool_effective_path);

/**
 * ttm_pool_path_reason() - why a pool's policy resolved to its path
 * @pool: the pool
 *
 * Return: a constant string, such as "swiotlb forces bouncing".
 */
const char *ttm_pool_path_reason(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return "";
	return READ_ONCE(ttm_pool_state(pool)->auto_reason);
}
EXPORT_SYMBOL(ttm_pool_path_reason);

/**
 * ttm_pool_max_pages() - a pool's cap
 * @pool: the pool
 *
 * Return: the most pages the pool keeps.
 */
unsigned long ttm_pool_max_pages(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->max_pages);
}
EXPORT_SYMBOL(ttm_pool_max_pages);

/**
 * ttm_pool_high_watermark() - a pool's high watermark
 * @pool: the pool
 *
 * Return: above this many pooled pages the trim worker runs.
 */
unsigned long ttm_pool_high_watermark(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->high_watermark);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_high_watermark);

/**
 * ttm_pool_low_watermark() - a pool's low watermark
 * @pool: the pool
 *
 * Return: the trim worker trims down to this many pooled pages.
 */
unsigned long ttm_pool_low_watermark(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->low_watermark);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_low_watermark);

/**
 * ttm_pool_drain() - release every pooled page of a pool
 * @pool: the pool
 *
 * Context: process context.
 */
void ttm_pool_drain(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return;
	ttm_pool_release_all(pool, true, true, TTM_POOL_STAT_RELEASE_DRAIN);
}
EXPORT_SYMBOL(ttm_pool_drain);
