// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * The helpers the KUnit suites of the per-device TTM page pool share
 * (ttm_pool_core_helpers.h). They and the suites, one file per topic, make
 * one module, ttm_pool_core_test, with the module's information below.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/vmstat.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

/*
 * Cleanup runs as KUnit actions, last registered first: the pools a test
 * creates are finalised before the device they allocate with goes away.
 */
static void pool_test_cleanup(void *data)
{
	struct kunit *test = data;
	struct pool_test *priv = test->priv;

	ttm_pool_set_global_max_pages(priv->saved_global_max);
	ttm_test_devices_put(test, priv->devs);
}

/**
 * pool_test_init() - set up a case of the pool's suites (their .init)
 * @test: the case
 *
 * Makes the case's &struct pool_test, with basic test devices, and restores
 * the global cap and puts the devices when the case ends.
 *
 * Return: 0, or a negative error code.
 */
int pool_test_init(struct kunit *test)
{
	struct pool_test *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	priv->devs = ttm_test_devices_basic(test);
	priv->saved_global_max = ttm_pool_global_max_pages();
	test->priv = priv;
	return kunit_add_action_or_reset(test, pool_test_cleanup, test);
}

/* NR_KERNEL_MISC_RECLAIMABLE now, including per-CPU deltas not yet folded. */
static long reclaimable_pages_once(void)
{
	const enum node_stat_item item = NR_KERNEL_MISC_RECLAIMABLE;
	long pages = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		/*
		 * Not node_page_state(): it reads a negative counter as 0, and
		 * with pages pooled on one CPU and taken on another, the
		 * node's counter is negative while the CPUs' deltas make up
		 * the difference.
		 */
		pages += atomic_long_read(&pgdat->vm_stat[item]);
		for_each_online_cpu(cpu)
			pages += per_cpu_ptr(pgdat->per_cpu_nodestats, cpu)
				 ->vm_node_stat_diff[item];
	}
	return pages;
}

/**
 * pool_test_reclaimable_pages() - NR_KERNEL_MISC_RECLAIMABLE of every node
 *
 * Another CPU may fold its delta into the node's counter while we add them
 * up, and a sum taken across the fold counts that delta twice or not at
 * all: read until two sums in a row agree.
 *
 * Return: the pages counted as reclaimable kernel memory (pooled pages are).
 */
long pool_test_reclaimable_pages(void)
{
	long prev, now = reclaimable_pages_once();
	int i;

	for (i = 0; i < 100; i++) {
		prev = now;
		now = reclaimable_pages_once();
		if (now == prev)
			break;
		cond_resched();
	}
	return now;
}

static void pool_fini_action(void *pool)
{
	ttm_pool_fini(pool);
}

/**
 * pool_test_pool_new() - a pool of the test device, finalised after the case
 * @test: the case
 * @dma_alloc: the driver asks for coherent allocations
 * @nid: the pool's NUMA node, or NUMA_NO_NODE
 *
 * Return: the pool; the case fails if it cannot be made.
 */
struct ttm_pool *pool_test_pool_new(struct kunit *test, bool dma_alloc,
				    int nid)
{
	struct pool_test *priv = test->priv;
	struct ttm_pool *pool;

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	ttm_pool_init(pool, priv->devs->dev, nid, dma_alloc, false);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pool_fini_action, pool));
	return pool;
}

/**
 * pool_test_tt_new() - a tt without a BO, not allocated
 * @test: the case
 * @num_pages: its size in pages
 * @caching: its caching
 * @dma: with an array of DMA addresses (a driver that lets TTM map)
 *
 * Only what ttm_pool_alloc() and ttm_pool_free() use is set up.
 *
 * Return: the tt; the case fails if it cannot be made.
 */
struct ttm_tt *pool_test_tt_new(struct kunit *test, unsigned long num_pages,
				enum ttm_caching caching, bool dma)
{
	struct ttm_tt *tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tt);
	tt->num_pages = num_pages;
	tt->caching = caching;
	tt->pages = kunit_kcalloc(test, num_pages, sizeof(*tt->pages),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt->pages);
	if (dma) {
		tt->dma_address = kunit_kcalloc(test, num_pages,
						sizeof(*tt->dma_address),
						GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, tt->dma_address);
	}
	return tt;
}

/**
 * pool_test_tt_alloc() - a tt with DMA addresses, allocated from a pool
 * @test: the case
 * @pool: the pool
 * @num_pages: its size in pages
 * @caching: its caching
 *
 * Return: the tt; the case fails if the allocation does.
 */
struct ttm_tt *pool_test_tt_alloc(struct kunit *test, struct ttm_pool *pool,
				  unsigned long num_pages,
				  enum ttm_caching caching)
{
	struct ttm_tt *tt = pool_test_tt_new(test, num_pages, caching, true);

	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

/**
 * pool_test_stats() - a pool's statistics now
 * @test: the case
 * @pool: the pool
 *
 * Return: the snapshot, in the case's &struct pool_test (the next call
 * overwrites it).
 */
struct ttm_pool_stats *pool_test_stats(struct kunit *test,
				       struct ttm_pool *pool)
{
	struct pool_test *priv = test->priv;

	ttm_pool_get_stats(pool, &priv->stats);
	return &priv->stats;
}

/**
 * pool_test_free_singles() - free single cached pages into a pool
 * @test: the case
 * @pool: the pool
 * @n: how many, one tt each (all allocated before the first is freed)
 */
void pool_test_free_singles(struct kunit *test, struct ttm_pool *pool,
			    unsigned int n)
{
	struct ttm_tt **tts = kunit_kcalloc(test, n, sizeof(*tts), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, tts);
	for (i = 0; i < n; i++)
		tts[i] = pool_test_tt_alloc(test, pool, 1, ttm_cached);
	for (i = 0; i < n; i++)
		ttm_pool_free(pool, tts[i]);
}

/**
 * pool_test_chunk_is_coherent() - is a chunk one of the coherent path?
 * @p: the chunk's first page
 *
 * Return: true for a chunk of dma_alloc_coherent(), false for one of
 * alloc_pages().
 */
bool pool_test_chunk_is_coherent(struct page *p)
{
	return p->private > MAX_PAGE_ORDER;
}

/**
 * pool_test_churn_park() - the end of a test's kernel thread
 *
 * Waits until the thread is stopped: kthread_stop() needs it until it is
 * called.
 *
 * Return: 0, the thread's exit code.
 */
int pool_test_churn_park(void)
{
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(TTM_POOL_TEST);
MODULE_DESCRIPTION("KUnit tests of the per-device TTM page pool");
MODULE_LICENSE("GPL and additional rights");
