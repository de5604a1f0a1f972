/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Declarations shared by the files of the TTM page pool (ttm_pool.c,
 * ttm_pool_shrinker.c, ttm_pool_stats.c). Not for drivers.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */

#ifndef _TTM_POOL_INTERNAL_H_
#define _TTM_POOL_INTERNAL_H_

#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <drm/ttm/ttm_pool.h>

/**
 * struct ttm_pool_stats_pcpu - one CPU's share of a pool's counters
 * @counter: indexed by enum ttm_pool_stat
 */
struct ttm_pool_stats_pcpu {
	u64 counter[TTM_POOL_STAT_NR];
};

/*
 * Add @n to counter @item of @pool on this CPU; no shared cache line.
 *
 * Building with "make TTM_POOL_NO_STATS=y" compiles the counting out. That
 * exists only to measure what counting costs (make bench): the counters, and
 * the in-use count derived from them, then stay 0.
 */
#ifdef TTM_POOL_NO_STATS
static inline void ttm_pool_stat_add(struct ttm_pool *pool,
				     enum ttm_pool_stat item, u64 n)
{
}
#else
static inline void ttm_pool_stat_add(struct ttm_pool *pool,
				     enum ttm_pool_stat item, u64 n)
{
	if (n)
		this_cpu_add(pool->stats->counter[item], n);
}
#endif

void ttm_pool_stats_init(struct ttm_pool *pool);
void ttm_pool_stats_fini(struct ttm_pool *pool);

/* The list of all pools and the global cap (ttm_pool_shrinker.c). */
extern struct rw_semaphore ttm_pool_list_rwsem;
extern struct list_head ttm_pool_list;
extern atomic_long_t ttm_pool_total_pooled;
extern unsigned long ttm_pool_total_max;

void ttm_pool_register(struct ttm_pool *pool);
void ttm_pool_unregister(struct ttm_pool *pool);

/* sysfs (ttm_pool_sysfs.c) and debugfs (ttm_pool_debugfs.c) layers. */
void ttm_pool_sysfs_add(struct ttm_pool *pool);
void ttm_pool_sysfs_remove(struct ttm_pool *pool);
void ttm_pool_debugfs_init(void);
void ttm_pool_debugfs_fini(void);
void ttm_pool_debugfs_add(struct ttm_pool *pool);
void ttm_pool_debugfs_remove(struct ttm_pool *pool);

/* Core services for the shrinker and the global cap (ttm_pool.c). */
unsigned long ttm_pool_release_pages(struct ttm_pool *pool, unsigned long nr,
				     enum ttm_pool_stat cause);
void ttm_pool_debugfs_table(struct seq_file *m,
			    unsigned long pooled[][NR_PAGE_ORDERS]);

#if IS_ENABLED(CONFIG_KUNIT)
/* Replaceable with KUnit static stubs to inject failures. */
struct page *ttm_pool_alloc_chunk(struct ttm_pool *pool, bool coherent,
				  gfp_t gfp, unsigned int order);
int ttm_pool_map_chunk(struct ttm_pool *pool, struct page *p,
		       unsigned int order, dma_addr_t *dma_addr);
struct shrinker;
struct shrink_control;
unsigned long ttm_pool_shrinker_count(struct shrinker *shrink,
				      struct shrink_control *sc);
unsigned long ttm_pool_shrinker_scan(struct shrinker *shrink,
				     struct shrink_control *sc);
#endif

#endif
