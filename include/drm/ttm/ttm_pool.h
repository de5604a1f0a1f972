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

#include <linux/mmzone.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
#include <drm/ttm/ttm_caching.h>

/*
 * struct ttm_pool and struct ttm_pool_type are exactly 6.12's: drivers embed
 * them (through struct ttm_device) and the symbol versions (CRCs) of most of
 * TTM's exports hash their text, so a prebuilt 6.12 driver loads against
 * this TTM only if they do not change. The includes above are 6.12's too:
 * one more header can make a type complete where it was opaque and change
 * those CRCs. Everything else a pool needs lives in a structure the pool
 * core owns (drivers/gpu/drm/ttm/ttm_pool_internal.h).
 */

struct device;
struct seq_file;
struct ttm_operation_ctx;
struct ttm_pool;
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

/*
 * enum ttm_pool_stat - the counters of a pool: TTM_POOL_STAT_<ITEM> for each
 * line of ttm_pool_stat_list.h (which says what each counts), then
 * TTM_POOL_STAT_NR, the number of counters.
 */
enum ttm_pool_stat {
#define TTM_POOL_STAT(item, ...) TTM_POOL_STAT_##item,
#include <drm/ttm/ttm_pool_stat_list.h>
#undef TTM_POOL_STAT
	TTM_POOL_STAT_NR
};

/**
 * struct ttm_pool_stats - a snapshot of a pool's statistics
 *
 * @counter: the counters of enum ttm_pool_stat, summed over all CPUs
 * @pooled: pooled pages per caching type and order
 * @pooled_pages: all pooled pages
 * @inuse_pages: pages handed out and not yet freed
 * @clean_pages: of the pooled pages, those known to be zero
 */
struct ttm_pool_stats {
	u64 counter[TTM_POOL_STAT_NR];
	unsigned long pooled[TTM_NUM_CACHING_TYPES][NR_PAGE_ORDERS];
	unsigned long pooled_pages;
	unsigned long inuse_pages;
	unsigned long clean_pages;
};

/**
 * struct ttm_pool_type - pooled chunks of one caching type and order
 *
 * @pool: the pool we belong to
 * @order: the allocation order of the chunks
 * @caching: the caching type of the chunks
 * @shrinker_list: links the first type of a pool (caching[0].orders[0]) with
 *	the pool's private state; unused in the other types
 * @lock: protects @pages and the type's private part (its page-path list
 *	and page count)
 * @pages: pooled chunks made by the coherent path, linked by the head
 *	page's lru. Set up by ttm_pool_init() for the pools 6.12 set it up
 *	for (coherent, or bound to a node), else by the type's first coherent
 *	chunk; until then both pointers are NULL, as in 6.12's unused
 *	per-pool types. Only the pool core uses it.
 */
struct ttm_pool_type {
	struct ttm_pool *pool;
	unsigned int order;
	enum ttm_caching caching;

	struct list_head shrinker_list;

	spinlock_t lock; /* protects pages and the private part */
	struct list_head pages;
};

/**
 * struct ttm_pool - pool for all caching types and orders of a device
 *
 * @dev: the device we allocate pages for and map them to
 * @nid: the NUMA node to allocate from
 * @use_dma_alloc: the driver asked for coherent DMA allocations; kept as
 *	the driver passed it (the path in use is ttm_pool_effective_path())
 * @use_dma32: allocate with GFP_DMA32
 * @caching: the pool types, per caching type and order
 */
struct ttm_pool {
	struct device *dev;
	int nid;

	bool use_dma_alloc;
	bool use_dma32;

	struct {
		struct ttm_pool_type orders[NR_PAGE_ORDERS];
	} caching[TTM_NUM_CACHING_TYPES];
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

/*
 * For drivers: a pool's path and cap, its name in sysfs and debugfs, and a
 * drain. Not in upstream 6.12; the administrator's interface is sysfs.
 */
int ttm_pool_set_path(struct ttm_pool *pool, enum ttm_pool_path path);
enum ttm_pool_path ttm_pool_get_path(struct ttm_pool *pool);
enum ttm_pool_path ttm_pool_effective_path(struct ttm_pool *pool);
const char *ttm_pool_path_reason(struct ttm_pool *pool);
int ttm_pool_set_max_pages(struct ttm_pool *pool, unsigned long max_pages);
unsigned long ttm_pool_max_pages(struct ttm_pool *pool);
void ttm_pool_drain(struct ttm_pool *pool);
const char *ttm_pool_name(struct ttm_pool *pool);

/*
 * For ttm-pool's own test and benchmark modules only, in the symbol namespace
 * TTM_POOL_TEST (MODULE_IMPORT_NS(TTM_POOL_TEST)); not an API for drivers.
 * Pre-cleared chunks (see ttm_pool_clear.c) are not in upstream 6.12.
 */
#define TTM_POOL_HAS_PREZERO 1

/**
 * enum ttm_pool_prezero_mode - when a pool clears freed chunks in the
 * background (sysfs "prezero"; see ttm_pool_clear.c)
 * @TTM_POOL_PREZERO_OFF: never: chunks are cleared when taken, if needed
 * @TTM_POOL_PREZERO_ON: every freed chunk, soon after the free
 * @TTM_POOL_PREZERO_AUTO: as much as recent demand for zeroed pages
 *	predicts, once enough is dirty to be worth waking the worker (the
 *	default)
 */
enum ttm_pool_prezero_mode {
	TTM_POOL_PREZERO_OFF,
	TTM_POOL_PREZERO_ON,
	TTM_POOL_PREZERO_AUTO,
};

int ttm_pool_set_prezero(struct ttm_pool *pool, bool on);
int ttm_pool_set_prezero_mode(struct ttm_pool *pool,
			      enum ttm_pool_prezero_mode mode);
enum ttm_pool_prezero_mode ttm_pool_get_prezero_mode(struct ttm_pool *pool);
bool ttm_pool_prezero(struct ttm_pool *pool);
void ttm_pool_prezero_flush(struct ttm_pool *pool);

/**
 * struct ttm_pool_clear_costs - the costs the auto clearing policy weighs
 * (ttm_pool_clear.c), measured when the clearing thread is made, or set
 * @clear_page_ns: clearing a write-back page of 4 KiB
 * @wake_ns: waking the clearing worker for a run, there and back
 * @clear_page_set: @clear_page_ns was set, not measured
 * @wake_set: @wake_ns was set, not measured
 * @wake_pages: dirty pages worth a wakeup, derived from the costs
 */
struct ttm_pool_clear_costs {
	u32 clear_page_ns;
	u32 wake_ns;
	bool clear_page_set;
	bool wake_set;
	unsigned long wake_pages;
};

/* The most a cost can be set to, in ns: 10 ms. */
#define TTM_POOL_COST_MAX_NS 10000000U

#define TTM_POOL_HAS_CLEAR_COSTS 1
void ttm_pool_get_clear_costs(struct ttm_pool_clear_costs *c);
int ttm_pool_set_clear_cost(bool wake, u32 ns);
void ttm_pool_get_stats(struct ttm_pool *pool, struct ttm_pool_stats *stats);
u64 ttm_pool_stat_read(struct ttm_pool *pool, enum ttm_pool_stat item);
int ttm_pool_for_each(int (*fn)(struct ttm_pool *pool, void *data),
		      void *data);
const char *ttm_pool_path_name(enum ttm_pool_path path);

#endif
