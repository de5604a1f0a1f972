// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: the allocation paths, their names, the ttm.alloc_path
 * module parameter and how the "auto" policy picks a path for a pool.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * This is a file of its own for a reason beyond tidiness: <linux/swiotlb.h>
 * completes struct io_tlb_mem, which struct device points to, and a type
 * made complete changes the symbol versions (CRCs) of the exports of the
 * file that includes it. ttm_pool.c exports 6.12's ttm_pool_* functions and
 * must hash them as 6.12 did, so it must not include that header.
 */

#include <linux/cc_platform.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/sysfs.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <xen/xen.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

static enum ttm_pool_path ttm_pool_default_policy = TTM_POOL_PATH_AUTO;

static const char * const ttm_pool_path_names[] = {
	[TTM_POOL_PATH_AUTO] = "auto",
	[TTM_POOL_PATH_COHERENT] = "coherent",
	[TTM_POOL_PATH_PAGE] = "page",
};

/**
 * ttm_pool_path_name() - the name of an allocation path
 * @path: the path
 *
 * Return: "auto", "coherent" or "page".
 */
const char *ttm_pool_path_name(enum ttm_pool_path path)
{
	if (path > TTM_POOL_PATH_PAGE)
		return "?";
	return ttm_pool_path_names[path];
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_path_name, TTM_POOL_TEST);

/**
 * ttm_pool_path_parse() - the allocation path a word names
 * @word: "auto", "coherent" or "page"; a trailing newline is fine
 *
 * Return: the path, or -EINVAL for any other word.
 */
int ttm_pool_path_parse(const char *word)
{
	return sysfs_match_string(ttm_pool_path_names, word);
}

static int ttm_pool_path_param_set(const char *val,
				   const struct kernel_param *kp)
{
	int i = ttm_pool_path_parse(val);

	if (i < 0)
		return -EINVAL;
	*(enum ttm_pool_path *)kp->arg = i;
	return 0;
}

static int ttm_pool_path_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  ttm_pool_path_name(*(enum ttm_pool_path *)kp->arg));
}

static const struct kernel_param_ops ttm_pool_path_param_ops = {
	.set = ttm_pool_path_param_set,
	.get = ttm_pool_path_param_get,
};

module_param_cb(alloc_path, &ttm_pool_path_param_ops, &ttm_pool_default_policy,
		0444);
MODULE_PARM_DESC(alloc_path,
		 "Allocation path of new TTM pools: auto, coherent or page");

/* The path policy of new pools (ttm.alloc_path). */
enum ttm_pool_path ttm_pool_default_path(void)
{
	return READ_ONCE(ttm_pool_default_policy);
}

static bool ttm_pool_page_path_reachable(struct ttm_pool *pool)
{
	u64 need = dma_get_required_mask(pool->dev);

	if (pool->use_dma32)
		need = min_t(u64, need, DMA_BIT_MASK(32));
	return dma_get_mask(pool->dev) >= need;
}

/**
 * ttm_pool_cc_guest() - is this a confidential guest (SEV, TDX)?
 *
 * There, ttm_tt_create() marks every tt of a pool whose driver asked for
 * coherent allocations TTM_TT_FLAG_DECRYPTED, and TTM maps its pages as
 * shared with the host; other tts' pages are private. The path that serves
 * a tt must match: a pool keeps the driver's path and cannot be switched.
 *
 * Return: true in a guest with encrypted memory.
 */
VISIBLE_IF_KUNIT bool ttm_pool_cc_guest(void)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_cc_guest);
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_cc_guest);

/*
 * The path @path resolves to for @pool now, and why (a constant string).
 * A pool whose device's driver detached has only the page path.
 * Context: any; called with the pool's config_lock held or at init (with
 * the pool's state reachable).
 */
enum ttm_pool_path ttm_pool_resolve(struct ttm_pool *pool,
				    enum ttm_pool_path path, const char **why)
{
	/* Coherent chunks must go back before the device: see ttm_pool_unplug.c. */
	if (pool->dev && READ_ONCE(ttm_pool_state(pool)->detached)) {
		*why = "device detached";
		return TTM_POOL_PATH_PAGE;
	}
	if (ttm_pool_cc_guest()) {
		*why = "confidential guest: the driver's path";
		return pool->use_dma_alloc ? TTM_POOL_PATH_COHERENT :
					     TTM_POOL_PATH_PAGE;
	}
	if (path != TTM_POOL_PATH_AUTO) {
		*why = "configured";
		return path;
	}
	if (!pool->dev) {
		*why = "no device";
		return TTM_POOL_PATH_PAGE;
	}
	if (pool->use_dma_alloc) {
		*why = "driver requested coherent allocations";
		return TTM_POOL_PATH_COHERENT;
	}
	if (is_swiotlb_force_bounce(pool->dev)) {
		*why = "swiotlb forces bouncing";
		return TTM_POOL_PATH_COHERENT;
	}
	if (xen_pv_domain()) {
		*why = "Xen PV: page frames are not machine frames";
		return TTM_POOL_PATH_COHERENT;
	}
	if (!ttm_pool_page_path_reachable(pool)) {
		*why = "DMA mask below the memory the page path returns";
		return TTM_POOL_PATH_COHERENT;
	}
	*why = "page path DMA is direct";
	return TTM_POOL_PATH_PAGE;
}
