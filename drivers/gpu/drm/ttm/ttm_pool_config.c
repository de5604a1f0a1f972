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
#include "ttm_pool_trace.h"

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

		trace_ttm_pool_path_switch(pool, st->effective_path, effective,
					   why);
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
 * ttm_pool_set_limits() - set a pool's cap and watermarks together
 * @pool: the pool
 * @l: the values to set; @l->set says which (TTM_POOL_LIMIT_*)
 *
 * The one place of the rules between the cap and the watermarks, which the
 * single setters below and sysfs' limits/commit use:
 *
 *  - a watermark never set follows: high the cap, low the high watermark;
 *  - a watermark set but not given now keeps its value, lowered to the
 *    cap (high) or to the high watermark (low) when the cap is given and
 *    they are above it; but a low watermark set before must not be above
 *    a high watermark given now;
 *  - then low <= high <= max_pages must hold, else nothing changes.
 *
 * Watermarks given now count as set from then on. A new cap trims the pool
 * to it before this returns; new watermarks queue the trim worker if the
 * pool is above the high one.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0; -ERANGE if the cap exceeds the RAM of the machine; -EINVAL if
 * the values break low <= high <= max_pages, @l->set is empty or has
 * unknown bits, or the pool is not initialised (nothing changed then).
 */
int ttm_pool_set_limits(struct ttm_pool *pool, const struct ttm_pool_limits *l)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	unsigned long max, high, low;
	unsigned int set = l->set;

	if (!ttm_pool_live(pool) || !set || set & ~TTM_POOL_LIMIT_ALL)
		return -EINVAL;
	if ((set & TTM_POOL_LIMIT_MAX) && l->max_pages > totalram_pages())
		return -ERANGE;

	mutex_lock(&st->config_lock);
	max = set & TTM_POOL_LIMIT_MAX ? l->max_pages : st->max_pages;
	if (set & TTM_POOL_LIMIT_HIGH)
		high = l->high_watermark;
	else
		high = st->high_set ? min(st->high_watermark, max) : max;
	if (set & TTM_POOL_LIMIT_LOW)
		low = l->low_watermark;
	else if (!st->low_set)
		low = high;
	else if (set & TTM_POOL_LIMIT_HIGH)
		low = st->low_watermark;
	else
		low = min(st->low_watermark, high);
	if (low > high || high > max) {
		mutex_unlock(&st->config_lock);
		return -EINVAL;
	}

	WRITE_ONCE(st->max_pages, max);
	WRITE_ONCE(st->high_watermark, high);
	WRITE_ONCE(st->low_watermark, low);
	st->high_set |= !!(set & TTM_POOL_LIMIT_HIGH);
	st->low_set |= !!(set & TTM_POOL_LIMIT_LOW);
	if (set & TTM_POOL_LIMIT_MAX)
		ttm_pool_trim_to(pool, max, TTM_POOL_STAT_RELEASE_TRIM);
	if (set & (TTM_POOL_LIMIT_HIGH | TTM_POOL_LIMIT_LOW))
		ttm_pool_check_watermark(ttm_pool_state(pool));
	mutex_unlock(&st->config_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_limits);

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
	struct ttm_pool_limits l = {
		.max_pages = max_pages,
		.set = TTM_POOL_LIMIT_MAX,
	};

	/* Warned at this call site: see ttm_pool_live(). */
	if (!ttm_pool_live(pool))
		return -EINVAL;
	return ttm_pool_set_limits(pool, &l);
}
EXPORT_SYMBOL(ttm_pool_set_max_pages);

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
	struct ttm_pool_limits l = {
		.high_watermark = high,
		.low_watermark = low,
		.set = TTM_POOL_LIMIT_HIGH | TTM_POOL_LIMIT_LOW,
	};

	/* Warned at this call site: see ttm_pool_live(). */
	if (!ttm_pool_live(pool))
		return -EINVAL;
	return ttm_pool_set_limits(pool, &l);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_watermarks);

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
	struct ttm_pool_limits l = {
		.high_watermark = high,
		.set = TTM_POOL_LIMIT_HIGH,
	};

	/* Warned at this call site: see ttm_pool_live(). */
	if (!ttm_pool_live(pool))
		return -EINVAL;
	return ttm_pool_set_limits(pool, &l);
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
	struct ttm_pool_limits l = {
		.low_watermark = low,
		.set = TTM_POOL_LIMIT_LOW,
	};

	/* Warned at this call site: see ttm_pool_live(). */
	if (!ttm_pool_live(pool))
		return -EINVAL;
	return ttm_pool_set_limits(pool, &l);
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
