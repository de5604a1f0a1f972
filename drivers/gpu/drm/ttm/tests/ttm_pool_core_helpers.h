/* SPDX-License-Identifier: GPL-2.0 AND MIT */
/*
 * What the KUnit suites of the per-device TTM page pool share (the
 * ttm_pool_core_*_test.c files, one module with ttm_pool_core_helpers.c):
 * each case's private data, its pools and tts, the pool's statistics.
 * Built in, these are symbols of the kernel: every name starts with
 * pool_test_.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#ifndef TTM_POOL_CORE_HELPERS_H
#define TTM_POOL_CORE_HELPERS_H

#include <linux/types.h>
#include <drm/ttm/ttm_pool.h>

struct kunit;
struct page;
struct ttm_test_devices;
struct ttm_tt;

/* A case's test->priv, made by pool_test_init(). */
struct pool_test {
	struct ttm_test_devices *devs;
	struct ttm_pool_stats stats;
	unsigned long saved_global_max;
	int fresh_allowed;	/* fail_alloc_chunk(): order-0 chunks left */
	int maps_allowed;	/* fail_map_chunk(): mappings left */
	bool unwind_switch;	/* change_then_fail(): switch, not lower the cap */
};

int pool_test_init(struct kunit *test);
long pool_test_reclaimable_pages(void);
struct ttm_pool *pool_test_pool_new(struct kunit *test, bool dma_alloc,
				    int nid);
struct ttm_tt *pool_test_tt_new(struct kunit *test, unsigned long num_pages,
				enum ttm_caching caching, bool dma);
struct ttm_tt *pool_test_tt_alloc(struct kunit *test, struct ttm_pool *pool,
				  unsigned long num_pages,
				  enum ttm_caching caching);
struct ttm_pool_stats *pool_test_stats(struct kunit *test,
				       struct ttm_pool *pool);
void pool_test_free_singles(struct kunit *test, struct ttm_pool *pool,
			    unsigned int n);
bool pool_test_chunk_is_coherent(struct page *p);
int pool_test_churn_park(void);

#define STAT(test, pool, name) \
	(pool_test_stats(test, pool)->counter[TTM_POOL_STAT_##name])
#define POOLED(test, pool) (pool_test_stats(test, pool)->pooled_pages)

#endif
