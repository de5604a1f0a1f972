/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TTM page pool: per-device pools of pages for TTM buffer objects, with a
 * runtime-switchable allocation path (coherent DMA or page allocator plus
 * streaming mapping), caps, watermarks, a shrinker and per-CPU statistics.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */

#ifndef _TTM_PAGE_POOL_H_
#define _TTM_PAGE_POOL_H_

#include <linux/llist.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <drm/ttm/ttm_caching.h>

struct device;
struct seq_file;
struct ttm_operation_ctx;
struct ttm_pool;
struct ttm_pool_stats_pcpu;
struct ttm_pool_sysfs;
struct ttm_tt;

/**
 * enum ttm_pool_path - how a pool gets fresh pages
 *
 * @TTM_POOL_PATH_AUTO: coherent if the driver asked for coherent DMA
 *	allocations or if page-path DMA to the device would bounce or not
 *	reach it, page otherwise. Only valid as a policy.
 * @TTM_POOL_PATH_COHERENT: dma_alloc_attrs() on the pool's device.
 * @TTM_POOL_PATH_PAGE: alloc_pages_node() and dma_map_page() per user.
 */
enum ttm_pool_path {
	TTM_POOL_PATH_AUTO,
	TTM_POOL_PATH_COHERENT,
	TTM_POOL_PATH_PAGE,
};

/**
 * enum ttm_pool_stat - statistics counters of a pool, in pages or events
 *
 * @TTM_POOL_STAT_ALLOC_HIT: pages handed out from the pool
 * @TTM_POOL_STAT_ALLOC_MISS: pages handed out freshly allocated
 * @TTM_POOL_STAT_ALLOC_COHERENT: fresh pages from the coherent path
 * @TTM_POOL_STAT_ALLOC_PAGE: fresh pages from the page path
 * @TTM_POOL_STAT_ALLOC_FAILURES: ttm_pool_alloc() calls that failed
 * @TTM_POOL_STAT_FREE_POOLED: freed pages that went into the pool
 * @TTM_POOL_STAT_RELEASE_CAP: freed pages released because of a cap
 * @TTM_POOL_STAT_RELEASE_TRIM: pooled pages released by lowering a cap or
 *	by the watermark worker
 * @TTM_POOL_STAT_RELEASE_SHRINKER: pooled pages released to the shrinker
 * @TTM_POOL_STAT_RELEASE_DRAIN: pooled pages released by a drain
 * @TTM_POOL_STAT_RELEASE_SWITCH: pages released because their path is no
 *	longer the pool's (pooled at a switch, or freed after it)
 * @TTM_POOL_STAT_RELEASE_FINI: pooled pages released by ttm_pool_fini()
 * @TTM_POOL_STAT_CACHING_BATCHES: caching changes applied (one call each)
 * @TTM_POOL_STAT_CACHING_PAGES: pages whose caching was changed
 * @TTM_POOL_STAT_PATH_SWITCHES: changes of the effective path
 * @TTM_POOL_STAT_RETURNED: pages given back by ttm_pool_free()
 * @TTM_POOL_STAT_NR: number of counters
 */
enum ttm_pool_stat {
	TTM_POOL_STAT_ALLOC_HIT,
	TTM_POOL_STAT_ALLOC_MISS,
	TTM_POOL_STAT_ALLOC_COHERENT,
	TTM_POOL_STAT_ALLOC_PAGE,
	TTM_POOL_STAT_ALLOC_FAILURES,
	TTM_POOL_STAT_FREE_POOLED,
	TTM_POOL_STAT_RELEASE_CAP,
	TTM_POOL_STAT_RELEASE_TRIM,
	TTM_POOL_STAT_RELEASE_SHRINKER,
	TTM_POOL_STAT_RELEASE_DRAIN,
	TTM_POOL_STAT_RELEASE_SWITCH,
	TTM_POOL_STAT_RELEASE_FINI,
	TTM_POOL_STAT_CACHING_BATCHES,
	TTM_POOL_STAT_CACHING_PAGES,
	TTM_POOL_STAT_PATH_SWITCHES,
	TTM_POOL_STAT_RETURNED,
	TTM_POOL_STAT_NR,
};

/**
 * struct ttm_pool_stats - a snapshot of a pool's statistics
 *
 * @counter: the counters of enum ttm_pool_stat, summed over all CPUs
 * @pooled: pooled pages per caching type and order
 * @pooled_pages: all pooled pages
 * @inuse_pages: pages handed out and not yet freed
 */
struct ttm_pool_stats {
	u64 counter[TTM_POOL_STAT_NR];
	unsigned long pooled[TTM_NUM_CACHING_TYPES][NR_PAGE_ORDERS];
	unsigned long pooled_pages;
	unsigned long inuse_pages;
};

/**
 * struct ttm_pool_type - Pool for a certain memory type
 *
 * @pool: the pool we belong to
 * @order: the allocation order our pages have
 * @caching: the caching type our pages have
 * @lock: protects @pages, @page_chunks and @nr_pages
 * @pages: pooled chunks made by the coherent path, linked by the head
 *	page's lru. Set up when the pool first runs on the coherent path;
 *	until then both pointers are NULL, like the never-initialised
 *	per-device types of non-DMA pools in earlier kernels (upstream's
 *	KUnit suite inspects this list).
 * @page_chunks: pooled chunks made by the page path
 * @nr_pages: pages pooled in this type, both lists together
 */
struct ttm_pool_type {
	struct ttm_pool *pool;
	unsigned int order;
	enum ttm_caching caching;

	spinlock_t lock; /* protects the lists and nr_pages */
	struct list_head pages;
	struct list_head page_chunks;
	unsigned long nr_pages;
};

/**
 * struct ttm_pool - Pool for all caching and orders
 *
 * @dev: the device we allocate pages for
 * @nid: which numa node to use
 * @use_dma_alloc: the effective path is the coherent one (kept in sync with
 *	@effective_path for drivers that read it)
 * @use_dma32: if GFP_DMA32 should be used
 * @caching: pools for each caching/order
 * @requested_dma_alloc: the driver asked for coherent allocations at init
 * @path: the configured path policy
 * @effective_path: the path fresh pages come from now
 * @auto_reason: why the policy resolved to @effective_path
 * @max_pages: cap on the pages this pool keeps
 * @high_watermark: above this many pooled pages the trim worker runs
 * @low_watermark: the worker trims down to this many pooled pages
 * @pooled: pages pooled now, all types
 * @config_lock: serialises path, cap and watermark changes
 * @trim_work: the watermark worker
 * @list: our place on the list of all pools
 * @stats: per-CPU counters of enum ttm_pool_stat
 * @sysfs: the pool's sysfs directory and name (NULL if it has none)
 */
struct ttm_pool {
	struct device *dev;
	int nid;

	bool use_dma_alloc;
	bool use_dma32;

	struct {
		struct ttm_pool_type orders[NR_PAGE_ORDERS];
	} caching[TTM_NUM_CACHING_TYPES];

	bool requested_dma_alloc;
	enum ttm_pool_path path;
	enum ttm_pool_path effective_path;
	const char *auto_reason;
	unsigned long max_pages;
	unsigned long high_watermark;
	unsigned long low_watermark;
	atomic_long_t pooled;
	struct mutex config_lock; /* serialises configuration changes */
	struct work_struct trim_work;
	struct list_head list;
	struct ttm_pool_stats_pcpu __percpu *stats;
	struct ttm_pool_sysfs *sysfs;
};

int ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		   struct ttm_operation_ctx *ctx);
void ttm_pool_free(struct ttm_pool *pool, struct ttm_tt *tt);

void ttm_pool_init(struct ttm_pool *pool, struct device *dev,
		   int nid, bool use_dma_alloc, bool use_dma32);
void ttm_pool_fini(struct ttm_pool *pool);

int ttm_pool_debugfs(struct ttm_pool *pool, struct seq_file *m);

int ttm_pool_mgr_init(unsigned long num_pages);
void ttm_pool_mgr_fini(void);

int ttm_pool_set_path(struct ttm_pool *pool, enum ttm_pool_path path);
int ttm_pool_set_max_pages(struct ttm_pool *pool, unsigned long max_pages);
int ttm_pool_set_watermarks(struct ttm_pool *pool, unsigned long high,
			    unsigned long low);
int ttm_pool_set_high_watermark(struct ttm_pool *pool, unsigned long high);
int ttm_pool_set_low_watermark(struct ttm_pool *pool, unsigned long low);
void ttm_pool_drain(struct ttm_pool *pool);
void ttm_pool_drain_all(void);
void ttm_pool_get_stats(struct ttm_pool *pool, struct ttm_pool_stats *stats);
u64 ttm_pool_stat_read(struct ttm_pool *pool, enum ttm_pool_stat item);
unsigned long ttm_pool_pooled_pages(struct ttm_pool *pool,
				    enum ttm_caching caching);
unsigned long ttm_pool_inuse_pages(struct ttm_pool *pool);
const char *ttm_pool_name(struct ttm_pool *pool);
int ttm_pool_for_each(int (*fn)(struct ttm_pool *pool, void *data),
		      void *data);

int ttm_pool_set_global_max_pages(unsigned long max_pages);
unsigned long ttm_pool_global_max_pages(void);
unsigned long ttm_pool_global_pooled_pages(void);

const char *ttm_pool_path_name(enum ttm_pool_path path);
int ttm_pool_path_parse(const char *word);

#endif
