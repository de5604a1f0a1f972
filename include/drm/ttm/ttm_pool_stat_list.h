/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The counters of a TTM page pool, in pages or events: one
 * TTM_POOL_STAT(ITEM, name, sysfs) each, in the order of enum ttm_pool_stat.
 *
 * No include guard: a file defines TTM_POOL_STAT(), includes this and
 * undefines it, to make from the one list enum ttm_pool_stat
 * (TTM_POOL_STAT_<ITEM>, ttm_pool.h), the lines "name: N" of the debugfs dump
 * and, with @sysfs 1, the files stats/<name> of a pool's sysfs directory
 * (ttm-poolctl lists what that directory holds). A new counter is a line here,
 * its ttm_pool_stat_add() calls, and its description in
 * Documentation/ABI/testing/sysfs-kernel-ttm and debugfs-ttm-pool.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */

/* Pages handed out from the pool. */
TTM_POOL_STAT(ALLOC_HIT, alloc_hit_pages, 1)
/* Pages handed out freshly allocated. */
TTM_POOL_STAT(ALLOC_MISS, alloc_miss_pages, 1)
/* Fresh pages from the coherent path. */
TTM_POOL_STAT(ALLOC_COHERENT, alloc_coherent_pages, 1)
/* Fresh pages from the page path. */
TTM_POOL_STAT(ALLOC_PAGE, alloc_page_pages, 1)
/* ttm_pool_alloc() calls that failed. */
TTM_POOL_STAT(ALLOC_FAILURES, alloc_failures, 1)
/*
 * Of those, failures injected (debugfs ttm/qa/<pool>/inject), not real.
 */
TTM_POOL_STAT(ALLOC_INJECTED, alloc_injected_failures, 1)
/*
 * Pages handed out to tts that need zeroes (TTM_TT_FLAG_ZERO_ALLOC,
 * init_on_alloc, init_on_free): the demand that background clearing
 * serves. Counted even when the statistics are compiled out.
 */
TTM_POOL_STAT(ALLOC_ZERO, alloc_zero_pages, 1)
/* Freed pages that went into the pool. */
TTM_POOL_STAT(FREE_POOLED, free_pooled_pages, 1)
/* Freed pages released because of a cap. */
TTM_POOL_STAT(RELEASE_CAP, release_cap_pages, 1)
/* Pooled pages released by lowering a cap or by the watermark worker. */
TTM_POOL_STAT(RELEASE_TRIM, release_trim_pages, 1)
/* Pooled pages released to the shrinker. */
TTM_POOL_STAT(RELEASE_SHRINKER, release_shrinker_pages, 1)
/*
 * Pooled pages released for another pool's free at the global cap (the
 * other pool keeps its chunk, this one's coldest make room).
 */
TTM_POOL_STAT(RELEASE_EVICT, release_evict_pages, 1)
/* Pooled pages released by a drain. */
TTM_POOL_STAT(RELEASE_DRAIN, release_drain_pages, 1)
/*
 * Pages released because their path is no longer the pool's (pooled at a
 * switch, or freed after it).
 */
TTM_POOL_STAT(RELEASE_SWITCH, release_switch_pages, 1)
/* Pooled pages released by ttm_pool_fini(); not in sysfs, gone by then. */
TTM_POOL_STAT(RELEASE_FINI, release_fini_pages, 0)
/* Caching changes applied (one call each). */
TTM_POOL_STAT(CACHING_BATCHES, caching_change_batches, 1)
/* Pages whose caching was changed. */
TTM_POOL_STAT(CACHING_PAGES, caching_change_pages, 1)
/* Changes of the effective path. */
TTM_POOL_STAT(PATH_SWITCHES, path_switches, 1)
/* Pages given back by ttm_pool_free(); sysfs shows inuse_pages instead. */
TTM_POOL_STAT(RETURNED, returned_pages, 0)
/* Pooled pages the clearing worker cleared. */
TTM_POOL_STAT(CLEARED_BACKGROUND, cleared_background_pages, 1)
/*
 * Pages ttm_pool_alloc() cleared itself: a tt needing zeroes found none
 * clean (a clean chunk verify_clean found written counts as dirty).
 */
TTM_POOL_STAT(CLEARED_ALLOC, cleared_alloc_pages, 1)
/*
 * Cleared pooled pages that left the pool without being handed out
 * (released by a cap, trim, drain, switch, the shrinker or ttm_pool_fini()).
 */
TTM_POOL_STAT(CLEARED_WASTED, cleared_wasted_pages, 1)
/*
 * Clean chunks found written when taken, while verify_clean was on (debugfs
 * ttm/qa/<pool>/verify_clean): a write after free.
 */
TTM_POOL_STAT(VERIFY_DIRTY, verify_dirty_chunks, 1)
