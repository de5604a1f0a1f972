// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit tests of the per-device TTM page pool: paths and switching, caps,
 * watermarks, drain, shrinker, statistics, clearing and failure unwinding.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/shrinker.h>
#include <linux/suspend.h>
#include <linux/swiotlb.h>
#include <linux/vmstat.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "../ttm_pool_internal.h"

struct pool_test {
	struct ttm_test_devices *devs;
	struct ttm_pool_stats stats;
	unsigned long saved_global_max;
	int fresh_allowed;	/* fail_alloc_chunk(): order-0 chunks left */
	int maps_allowed;	/* fail_map_chunk(): mappings left */
	bool unwind_switch;	/* change_then_fail(): switch, not lower the cap */
};

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

static int pool_test_init(struct kunit *test)
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

/*
 * Another CPU may fold its delta into the node's counter while we add them
 * up, and a sum taken across the fold counts that delta twice or not at
 * all: read until two sums in a row agree.
 */
static long reclaimable_pages(void)
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

static struct ttm_pool *pool_new(struct kunit *test, bool dma_alloc, int nid)
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

/* A tt without a BO: only what ttm_pool_alloc() and ttm_pool_free() use. */
static struct ttm_tt *tt_new(struct kunit *test, unsigned long num_pages,
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

static struct ttm_tt *tt_alloc(struct kunit *test, struct ttm_pool *pool,
			       unsigned long num_pages, enum ttm_caching caching)
{
	struct ttm_tt *tt = tt_new(test, num_pages, caching, true);

	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

static struct ttm_pool_stats *stats(struct kunit *test, struct ttm_pool *pool)
{
	struct pool_test *priv = test->priv;

	ttm_pool_get_stats(pool, &priv->stats);
	return &priv->stats;
}

#define STAT(test, pool, name) (stats(test, pool)->counter[TTM_POOL_STAT_##name])
#define POOLED(test, pool) (stats(test, pool)->pooled_pages)
#define CLEAN(test, pool) (stats(test, pool)->clean_pages)
#define DIRTY(test, pool) dirty_pages(test, pool)

static unsigned long dirty_pages(struct kunit *test, struct ttm_pool *pool)
{
	struct ttm_pool_stats *s = stats(test, pool);

	return s->pooled_pages - s->clean_pages;
}

/* Free @n single cached pages into @pool, one tt each. */
static void free_singles(struct kunit *test, struct ttm_pool *pool,
			 unsigned int n)
{
	struct ttm_tt **tts = kunit_kcalloc(test, n, sizeof(*tts), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, tts);
	for (i = 0; i < n; i++)
		tts[i] = tt_alloc(test, pool, 1, ttm_cached);
	for (i = 0; i < n; i++)
		ttm_pool_free(pool, tts[i]);
}

static bool chunk_is_coherent(struct page *p)
{
	return p->private > MAX_PAGE_ORDER;
}

static bool pool_lists_empty(struct ttm_pool *pool, bool coherent)
{
	unsigned int i, j;

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];
			struct list_head *l = coherent ? &pt->pages :
				&ttm_pool_type_state(pt)->page_chunks;

			if (l->next && !list_empty(l))
				return false;
		}
	}
	return true;
}

static void pool_path_auto(struct kunit *test)
{
	struct pool_test *priv = test->priv;
	struct ttm_pool *dma, *page;

	if (is_swiotlb_force_bounce(priv->devs->dev))
		kunit_skip(test, "swiotlb force-bounces: auto picks coherent");

	dma = pool_new(test, true, NUMA_NO_NODE);
	page = pool_new(test, false, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_path(dma), TTM_POOL_PATH_AUTO);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(dma),
			TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(page), TTM_POOL_PATH_PAGE);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(page, 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_path(page), TTM_POOL_PATH_AUTO);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(page, TTM_POOL_PATH_COHERENT), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(page),
			TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, STAT(test, page, PATH_SWITCHES), 1);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(page, TTM_POOL_PATH_AUTO), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(page), TTM_POOL_PATH_PAGE);
	KUNIT_EXPECT_EQ(test, STAT(test, page, PATH_SWITCHES), 2);
	/*
	 * use_dma_alloc stays what the driver passed, whatever the path:
	 * ttm_tt_create() derives TTM_TT_FLAG_DECRYPTED from it, and
	 * upstream's suites check it.
	 */
	KUNIT_EXPECT_TRUE(test, dma->use_dma_alloc);
	KUNIT_EXPECT_FALSE(test, page->use_dma_alloc);
	ttm_pool_set_path(dma, TTM_POOL_PATH_PAGE);
	KUNIT_EXPECT_TRUE(test, dma->use_dma_alloc);
}

/* Switch with tts of the old path alive, then free them. */
static void pool_switch_live(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *old, *new;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	old = tt_alloc(test, pool, 5, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, chunk_is_coherent(old->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_PAGE), 5);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	new = tt_alloc(test, pool, 3, ttm_write_combined);
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(new->pages[0]));
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(new->pages[2]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_COHERENT), 3);
	KUNIT_EXPECT_EQ(test, stats(test, pool)->inuse_pages, 8);

	/* Old-path pages go back through the page path, never pooled. */
	ttm_pool_free(pool, old);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_SWITCH), 5);
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(pool, false));
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(pool, true));

	ttm_pool_free(pool, new);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 3);
	KUNIT_EXPECT_FALSE(test, pool_lists_empty(pool, true));
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(pool, false));
	KUNIT_EXPECT_EQ(test, stats(test, pool)->inuse_pages, 0);

	/* The reverse: coherent chunks in use across a switch to page. */
	new = tt_alloc(test, pool, 3, ttm_write_combined);
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(new->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 3);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	old = tt_alloc(test, pool, 2, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, chunk_is_coherent(old->pages[0]));
	ttm_pool_free(pool, new);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_SWITCH), 8);
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(pool, true));
	ttm_pool_free(pool, old);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 2);
	KUNIT_EXPECT_FALSE(test, pool_lists_empty(pool, false));
	KUNIT_EXPECT_EQ(test, stats(test, pool)->inuse_pages, 0);
}

struct churn {
	struct ttm_pool *pool;
	struct ttm_tt *tt[2];
	unsigned long rounds;
	int err;
};

/* End of a churn thread: kthread_stop() needs it until it is called. */
static int churn_park(void)
{
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int churn_fn(void *data)
{
	struct churn *c = data;
	unsigned int i;

	while (!kthread_should_stop()) {
		for (i = 0; i < ARRAY_SIZE(c->tt); i++) {
			memset(c->tt[i]->pages, 0, 3 * sizeof(struct page *));
			c->err = ttm_pool_alloc(c->pool, c->tt[i], &ctx);
			if (c->err)
				goto out;
		}
		for (i = 0; i < ARRAY_SIZE(c->tt); i++)
			ttm_pool_free(c->pool, c->tt[i]);
		WRITE_ONCE(c->rounds, c->rounds + 1);
		cond_resched();
	}
out:
	return churn_park();
}

/* Allocations and frees race with path switches: nothing is lost. */
static void pool_switch_concurrent(struct kunit *test)
{
	struct churn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *t;
	unsigned int i;
	bool coherent;
	u64 switches;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pool = pool_new(test, false, NUMA_NO_NODE);
	ttm_pool_set_path(c->pool, TTM_POOL_PATH_PAGE);	/* also under swiotlb */
	c->tt[0] = tt_new(test, 3, ttm_write_combined, true);
	c->tt[1] = tt_new(test, 3, ttm_cached, true);
	switches = STAT(test, c->pool, PATH_SWITCHES);
	kunit_info(test, "%u CPUs online\n", num_online_cpus());
	t = kthread_run(churn_fn, c, "ttm_pool_churn");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/*
	 * Every switch overlaps allocations: wait for the churn thread to
	 * finish a round (an alloc and a free of both tts) after each one.
	 */
	for (i = 0; i < 40 && !READ_ONCE(c->err); i++) {
		unsigned long seen = READ_ONCE(c->rounds);
		unsigned long timeout = jiffies + 10 * HZ;

		ttm_pool_set_path(c->pool, i % 2 ? TTM_POOL_PATH_PAGE :
				  TTM_POOL_PATH_COHERENT);
		while (READ_ONCE(c->rounds) == seen && !READ_ONCE(c->err) &&
		       time_before(jiffies, timeout))
			schedule_timeout_uninterruptible(1);
		if (READ_ONCE(c->rounds) == seen)
			break;
	}
	kthread_stop(t);
	KUNIT_EXPECT_EQ(test, c->err, 0);
	KUNIT_EXPECT_EQ(test, i, 40);
	KUNIT_EXPECT_GE(test, c->rounds, 40);
	KUNIT_EXPECT_EQ(test, STAT(test, c->pool, PATH_SWITCHES), switches + 40);
	KUNIT_EXPECT_EQ(test, stats(test, c->pool)->inuse_pages, 0);
	/* Only chunks of the current path are pooled. */
	coherent = ttm_pool_effective_path(c->pool) == TTM_POOL_PATH_COHERENT;
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(c->pool, !coherent));
	KUNIT_EXPECT_EQ(test, POOLED(test, c->pool),
			atomic_long_read(&ttm_pool_state(c->pool)->pooled));
}

static void pool_switch_releases_pooled(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	free_singles(test, pool, 4);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 4);

	ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_SWITCH), 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ttm_pool_state(pool)->pooled), 0);
}

static void pool_cap_per_pool(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 5), 0);
	free_singles(test, pool, 8);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 5);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_CAP), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, FREE_POOLED), 5);

	/* An order-3 chunk does not fit in the 0 pages left. */
	tt = tt_alloc(test, pool, 8, ttm_cached);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 5);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_max_pages(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	free_singles(test, pool, 2);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_max_pages(pool, totalram_pages() + 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, ttm_pool_max_pages(pool), 0);
}

/*
 * At the global cap a free evicts other pools' chunks: the pool that frees
 * keeps its pages and idle pools give way. Only when the others hold nothing
 * does the freed chunk go back.
 */
static void pool_cap_global(struct kunit *test)
{
	struct ttm_pool *a = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_new(test, false, NUMA_NO_NODE);

	ttm_pool_drain_all();
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(3), 0);
	free_singles(test, a, 2);
	free_singles(test, b, 3);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_TRIM), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_CAP), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_global_pooled_pages(), 3);

	/* 3 hits and a fresh page: nothing else to evict for the fourth. */
	free_singles(test, b, 4);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_CAP), 1);

	/* Lowering the global cap trims at once. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(1), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_global_pooled_pages(), 1);
	KUNIT_EXPECT_EQ(test, POOLED(test, a) + POOLED(test, b), 1);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_global_max_pages(totalram_pages() + 1),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, ttm_pool_global_max_pages(), 1);
}

/*
 * Global-cap eviction takes from the other pools only what the freed chunk
 * lacks, and nothing when they hold less than that: then the chunk goes back
 * to the system and the others keep theirs.
 */
static void pool_cap_global_evicts_only_enough(struct kunit *test)
{
	struct ttm_pool *a = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	ttm_pool_drain_all();
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 0);

	/* 10 pooled in b, a 16-page chunk freed into a, cap 20: 6 make way. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(20), 0);
	free_singles(test, b, 10);
	KUNIT_ASSERT_EQ(test, POOLED(test, b), 10);
	tt = tt_alloc(test, a, 16, ttm_cached);
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 10);
	ttm_pool_free(a, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 16);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_CAP), 0);

	/*
	 * 3 pooled in b, cap 10: the others cannot make room for 16 pages, so
	 * they keep what they hold and a's chunk is released.
	 */
	ttm_pool_drain_all();
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(10), 0);
	free_singles(test, b, 3);
	tt = tt_alloc(test, a, 16, ttm_cached);
	ttm_pool_free(a, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_CAP), 16);

	/* 3 in b, cap 17: 2 are missing, and b gives exactly those. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(17), 0);
	tt = tt_alloc(test, a, 16, ttm_cached);
	ttm_pool_free(a, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 16);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 1);
}

/*
 * A free may come from a dma-fence signalling section: releasing
 * write-combined chunks there (here: a pool capped at 0) must not allocate
 * with reclaim. dma-resv primes lockdep with reclaim waiting for fences, so
 * a GFP_KERNEL allocation in the section is a lockdep report, which fails
 * make check.
 */
static void pool_free_in_fence_signalling(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	unsigned long changed;
	struct ttm_tt *tt;
	bool cookie;

	tt = tt_alloc(test, pool, 4, ttm_write_combined);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 0), 0);
	changed = STAT(test, pool, CACHING_PAGES);
	cookie = dma_fence_begin_signalling();
	ttm_pool_free(pool, tt);
	dma_fence_end_signalling(cookie);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_CAP), 4);
	/* All four went back to write-back. */
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_PAGES) - changed, 4);
}

static void pool_lower_cap_trims(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 100), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_watermarks(pool, 90, 50), 0);
	free_singles(test, pool, 6);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 6);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 2), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_TRIM), 4);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 2);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 2);
}

static void pool_watermarks(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 100), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_watermarks(pool, 101, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_watermarks(pool, 4, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 100);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 100);

	/* Setting a high mark below what is pooled queues the worker. */
	free_singles(test, pool, 6);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_watermarks(pool, 4, 1), 0);
	flush_work(&ttm_pool_state(pool)->trim_work);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_TRIM), 5);

	/* The free that crosses the high mark queues it too (1 hit, 4 fresh). */
	free_singles(test, pool, 5);
	flush_work(&ttm_pool_state(pool)->trim_work);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_TRIM), 9);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, FREE_POOLED), 11);
}

/*
 * Watermarks never set follow the cap both ways: pooling comes back when
 * the cap is raised again. Set ones stay, lowered only as far as the cap.
 * Setting one mark moves the other, if never set, as far as it must.
 */
static void pool_watermarks_follow_cap(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *other = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *third;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 64), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 64);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 64);
	free_singles(test, pool, 3);
	flush_work(&ttm_pool_state(pool)->trim_work);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 3);

	/* high alone on a fresh pool: low follows it down. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_high_watermark(pool, 32), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 32);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 32);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 128), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 32);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 16), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 16);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 16);

	/* low alone: high (never set) stays at the cap. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(other, 64), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_low_watermark(other, 8), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(other), 64);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(other, 100), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(other), 100);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(other), 8);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_low_watermark(other, 101), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(other), 8);

	/* high set, low never: raising the cap leaves low at high, not above. */
	third = pool_new(test, false, NUMA_NO_NODE);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_high_watermark(third, 0), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(third, 1), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(third), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(third), 0);
	/* ...and low follows high up as well as down. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_high_watermark(third, 1), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(third), 1);
}

/*
 * Write-back comes back by range for a large chunk and by page array for the
 * small ones: one call each, two in all.
 */
static void pool_release_wb_per_large_chunk(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	u64 batches;

	tt = tt_alloc(test, pool, 35, ttm_uncached);	/* orders 5, 1, 0 */
	ttm_pool_free(pool, tt);
	KUNIT_ASSERT_EQ(test, stats(test, pool)->pooled[ttm_uncached][5], 32);
	KUNIT_ASSERT_EQ(test, stats(test, pool)->pooled[ttm_uncached][1], 2);
	KUNIT_ASSERT_EQ(test, stats(test, pool)->pooled[ttm_uncached][0], 1);
	batches = STAT(test, pool, CACHING_BATCHES);

	ttm_pool_drain(pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_BATCHES) - batches, 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_PAGES), 70);
}

static void pool_drain(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *other = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *wc, *uc;
	long before;

	/* Pages other pools still hold would leave with drain_all() below. */
	ttm_pool_drain_all();
	before = reclaimable_pages();

	wc = tt_alloc(test, pool, 3, ttm_write_combined);
	uc = tt_alloc(test, pool, 4, ttm_uncached);
	ttm_pool_free(pool, wc);
	ttm_pool_free(pool, uc);
	free_singles(test, pool, 2);
	free_singles(test, other, 1);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 9);
	KUNIT_EXPECT_EQ(test, stats(test, pool)->pooled[ttm_uncached][2], 4);
	KUNIT_EXPECT_EQ(test, stats(test, pool)->pooled[ttm_write_combined][1], 2);
	KUNIT_EXPECT_EQ(test, stats(test, pool)->pooled[ttm_write_combined][0], 1);
	KUNIT_EXPECT_EQ(test, stats(test, pool)->pooled[ttm_cached][0], 2);
	/* Pooled pages show as reclaimable kernel memory. */
	KUNIT_EXPECT_GE(test, reclaimable_pages(),
			before + 10);

	ttm_pool_drain(pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_DRAIN), 9);
	/* One write-back restore for the 7 WC/UC pages. */
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_BATCHES), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_PAGES), 14);
	KUNIT_EXPECT_EQ(test, POOLED(test, other), 1);

	ttm_pool_drain_all();
	KUNIT_EXPECT_EQ(test, POOLED(test, other), 0);
	KUNIT_EXPECT_EQ(test, reclaimable_pages(),
			before);
}

static void pool_shrinker(struct kunit *test)
{
	struct ttm_pool *a = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_new(test, false, NUMA_NO_NODE);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = NUMA_NO_NODE,
	};
	unsigned long freed;

	/* Pages other pools hold would count and be scanned too. */
	ttm_pool_drain_all();
	free_singles(test, a, 6);
	free_singles(test, b, 2);
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 8);
	KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_count(NULL, &sc), 8);

	sc.nr_to_scan = 4;
	freed = ttm_pool_shrinker_scan(NULL, &sc);
	KUNIT_EXPECT_EQ(test, freed, 4);
	/* In proportion to size: 6 of 8 and 2 of 8. */
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 3);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_SHRINKER), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_SHRINKER), 1);

	sc.nr_to_scan = 100;
	KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_scan(NULL, &sc), 4);
	KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_count(NULL, &sc), SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_scan(NULL, &sc), SHRINK_STOP);
}

/* Add @tt's pages to @on[], by the node they are on (0 or 1). */
/*
 * Scans that take less than every pool's share start at the pool that gave
 * least recently: two pools of the same size give up the same amount.
 */
static void pool_shrinker_takes_turns(struct kunit *test)
{
	struct ttm_pool *a = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_new(test, false, NUMA_NO_NODE);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = NUMA_NO_NODE, .nr_to_scan = 1,
	};
	int i;

	ttm_pool_drain_all();
	free_singles(test, a, 8);
	free_singles(test, b, 8);
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 16);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_scan(NULL, &sc), 1);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 4);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_SHRINKER), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_SHRINKER), 4);
}

static void count_nodes(struct kunit *test, struct ttm_tt *tt,
			unsigned long on[2])
{
	unsigned long i;
	int nid;

	for (i = 0; i < tt->num_pages; i++) {
		nid = page_to_nid(tt->pages[i]);
		KUNIT_ASSERT_LT(test, nid, 2);
		on[nid]++;
	}
}

/* The shrinker's count for @nid, SHRINK_EMPTY as 0. */
static unsigned long count_node(int nid)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };
	unsigned long n = ttm_pool_shrinker_count(NULL, &sc);

	return n == SHRINK_EMPTY ? 0 : n;
}

/* The shrinker's scan of @nid for up to 100 pages, SHRINK_STOP as 0. */
static unsigned long scan_node(int nid)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = nid, .nr_to_scan = 100,
	};
	unsigned long n = ttm_pool_shrinker_scan(NULL, &sc);

	return n == SHRINK_STOP ? 0 : n;
}

/*
 * Pools bound to nodes: the shrinker counts and scans by the node a page is
 * on. Expectations come from the pages' nodes (a node short of memory could
 * hand out the other's).
 */
static void pool_shrinker_numa(struct kunit *test)
{
	unsigned long on[2] = { };
	struct ttm_tt *tt, *singles[3];
	struct ttm_pool *n0, *n1;
	unsigned int i;

	if (num_online_nodes() < 2 || !node_online(1))
		kunit_skip(test, "needs two NUMA nodes (numa=fake=2)");

	ttm_pool_drain_all();
	n0 = pool_new(test, false, 0);
	n1 = pool_new(test, false, 1);
	/* Page-path pages come from the pool's node (also under swiotlb). */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n0, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n1, TTM_POOL_PATH_PAGE), 0);
	tt = tt_alloc(test, n1, 2, ttm_cached);
	KUNIT_EXPECT_EQ(test, page_to_nid(tt->pages[0]), 1);
	count_nodes(test, tt, on);
	for (i = 0; i < ARRAY_SIZE(singles); i++) {
		singles[i] = tt_alloc(test, n0, 1, ttm_cached);
		count_nodes(test, singles[i], on);
	}
	ttm_pool_free(n1, tt);
	for (i = 0; i < ARRAY_SIZE(singles); i++)
		ttm_pool_free(n0, singles[i]);
	KUNIT_ASSERT_EQ(test, on[0] + on[1], 5);

	KUNIT_EXPECT_EQ(test, count_node(0), on[0]);
	KUNIT_EXPECT_EQ(test, count_node(1), on[1]);
	KUNIT_EXPECT_EQ(test, scan_node(0), on[0]);
	/* What is left is all on node 1. */
	KUNIT_EXPECT_EQ(test, POOLED(test, n0) + POOLED(test, n1), on[1]);
	KUNIT_EXPECT_EQ(test, count_node(0), 0);
}

/*
 * A pool without a node holds pages of whichever node they came from: it is
 * counted and scanned for that node only, so a scan of another node takes
 * nothing from it (it was counted, and scanned, once per node before).
 */
static void pool_shrinker_numa_any(struct kunit *test)
{
	unsigned long on[2] = { };
	struct ttm_pool *any;
	struct ttm_tt *tt;
	int a, b;

	if (num_online_nodes() < 2 || !node_online(1))
		kunit_skip(test, "needs two NUMA nodes (numa=fake=2)");

	ttm_pool_drain_all();
	any = pool_new(test, false, NUMA_NO_NODE);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(any, TTM_POOL_PATH_PAGE), 0);
	/* On one CPU, so that the pages likely come from one node. */
	migrate_disable();
	tt = tt_alloc(test, any, 4, ttm_write_combined);
	migrate_enable();
	count_nodes(test, tt, on);
	ttm_pool_free(any, tt);
	KUNIT_ASSERT_EQ(test, POOLED(test, any), 4);

	/* a: the node with fewer of the pages (none, usually); b: the other. */
	a = on[0] < on[1] ? 0 : 1;
	b = 1 - a;
	KUNIT_EXPECT_EQ(test, count_node(a), on[a]);
	KUNIT_EXPECT_EQ(test, count_node(b), on[b]);
	KUNIT_EXPECT_EQ(test, scan_node(a), on[a]);
	KUNIT_EXPECT_EQ(test, POOLED(test, any), on[b]);
	KUNIT_EXPECT_EQ(test, scan_node(b), on[b]);
	KUNIT_EXPECT_EQ(test, POOLED(test, any), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, any, RELEASE_SHRINKER), 4);
}

static void pool_stats_sequence(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_stats *s;
	struct ttm_tt *a, *b;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);	/* also under swiotlb */
	a = tt_alloc(test, pool, 3, ttm_cached);	/* fresh: order 1 + 0 */
	KUNIT_EXPECT_EQ(test, stats(test, pool)->inuse_pages, 3);
	ttm_pool_free(pool, a);
	b = tt_alloc(test, pool, 3, ttm_cached);	/* both chunks pooled */
	ttm_pool_free(pool, b);
	a = tt_alloc(test, pool, 2, ttm_write_combined);	/* fresh, WC */
	ttm_pool_free(pool, a);

	s = stats(test, pool);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_HIT], 3);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_MISS], 5);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_PAGE], 5);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_COHERENT], 0);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_FREE_POOLED], 8);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_CACHING_BATCHES], 1);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_CACHING_PAGES], 2);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_FAILURES], 0);
	KUNIT_EXPECT_EQ(test, s->pooled_pages, 5);
	KUNIT_EXPECT_EQ(test, s->pooled[ttm_cached][1], 2);
	KUNIT_EXPECT_EQ(test, s->pooled[ttm_cached][0], 1);
	KUNIT_EXPECT_EQ(test, s->pooled[ttm_write_combined][1], 2);
	KUNIT_EXPECT_EQ(test, s->inuse_pages, 0);
}

/* A pooled chunk is cleared when a tt that wants zeroes takes it. */
static void pool_clears_for_zero_alloc(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u8 *va;

	tt = tt_alloc(test, pool, 1, ttm_cached);
	first = tt->pages[0];
	va = page_address(first);
	memset(va, 0xa5, PAGE_SIZE);
	ttm_pool_free(pool, tt);

	tt = tt_new(test, 1, ttm_cached, true);
	tt->page_flags = TTM_TT_FLAG_ZERO_ALLOC;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	KUNIT_ASSERT_PTR_EQ(test, tt->pages[0], first);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0, PAGE_SIZE));
	ttm_pool_free(pool, tt);
}

/*
 * A tt without TTM_TT_FLAG_ZERO_ALLOC gets a pooled chunk as its last user
 * left it, unless the system initialises every allocation (init_on_alloc)
 * or clears what is freed (init_on_free): then it must see only zeroes.
 * make check runs this suite in a boot with init_on_alloc=1 (Debian's
 * default) and in one with both off.
 */
static void pool_no_clear_without_zero_alloc(struct kunit *test)
{
	bool cleared = want_init_on_alloc(0) || want_init_on_free();
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u8 *va;

	kunit_info(test, "init_on_alloc=%d init_on_free=%d\n",
		   want_init_on_alloc(0), want_init_on_free());
	/* No background clearing: what the free left is what is pooled. */
	ttm_pool_set_prezero(pool, false);
	tt = tt_alloc(test, pool, 1, ttm_write_combined);
	first = tt->pages[0];
	va = page_address(first);
	memset(va, 0x5a, PAGE_SIZE);
	ttm_pool_free(pool, tt);

	tt = tt_alloc(test, pool, 1, ttm_write_combined);
	KUNIT_ASSERT_PTR_EQ(test, tt->pages[0], first);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, cleared ? 0 : 0x5a, PAGE_SIZE));
	ttm_pool_free(pool, tt);
}

/* Fill every page of @tt with @v. */
static void tt_fill(struct ttm_tt *tt, u8 v)
{
	pgoff_t i;

	for (i = 0; i < tt->num_pages; i++)
		memset(page_address(tt->pages[i]), v, PAGE_SIZE);
}

/* The number of pages of @tt with a non-zero byte. */
static unsigned long tt_dirty(struct ttm_tt *tt)
{
	unsigned long n = 0;
	pgoff_t i;

	for (i = 0; i < tt->num_pages; i++)
		n += !!memchr_inv(page_address(tt->pages[i]), 0, PAGE_SIZE);
	return n;
}

static struct ttm_tt *tt_alloc_zero(struct kunit *test, struct ttm_pool *pool,
				    unsigned long num_pages,
				    enum ttm_caching caching)
{
	struct ttm_tt *tt = tt_new(test, num_pages, caching, true);

	tt->page_flags = TTM_TT_FLAG_ZERO_ALLOC;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

/*
 * Freed chunks enter the pool dirty and the worker clears them; a tt that
 * needs zeroes then takes them without clearing, and sees only zeroes.
 */
static void pool_prezero_background(struct kunit *test)
{
	bool iof = want_init_on_free();	/* frees clear: nothing dirty */
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_EXPECT_TRUE(test, ttm_pool_prezero(pool));
	ttm_pool_set_prezero(pool, false);
	tt = tt_alloc(test, pool, 5, ttm_write_combined);	/* orders 2, 0 */
	tt_fill(tt, 0xa5);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), iof ? 5 : 0);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 5);

	ttm_pool_set_prezero(pool, true);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), iof ? 0 : 5);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 5);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);

	tt = tt_alloc_zero(test, pool, 5, ttm_write_combined);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 5);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), 0);
	KUNIT_EXPECT_EQ(test, tt_dirty(tt), 0);
	ttm_pool_free(pool, tt);
}

/*
 * init_on_free: a free clears its chunks before they are pooled, whatever
 * prezero says, so nothing of a freed tt stays in memory; they are pooled
 * clean. Without it they are pooled as left (dirty). make check runs this
 * suite in a boot with init_on_free=1 and in two without.
 */
static void pool_init_on_free_clears_at_free(struct kunit *test)
{
	bool iof = want_init_on_free();
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	enum ttm_caching c[] = { ttm_cached, ttm_write_combined };
	struct page *pages[5];
	unsigned int i, k, nonzero;
	struct ttm_tt *tt;

	kunit_info(test, "init_on_free=%d\n", iof);
	ttm_pool_set_prezero(pool, false);
	for (k = 0; k < ARRAY_SIZE(c); k++) {
		ttm_pool_drain(pool);
		tt = tt_alloc(test, pool, 5, c[k]);	/* orders 2, 0 */
		tt_fill(tt, 0xa5);
		memcpy(pages, tt->pages, sizeof(pages));
		ttm_pool_free(pool, tt);
		KUNIT_EXPECT_EQ(test, POOLED(test, pool), 5);
		KUNIT_EXPECT_EQ(test, CLEAN(test, pool), iof ? 5 : 0);
		KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 5);
		/* The pooled pages themselves, right after the free. */
		for (i = 0, nonzero = 0; i < ARRAY_SIZE(pages); i++)
			nonzero += !!memchr_inv(page_address(pages[i]), 0,
						PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, nonzero, iof ? 0 : 5);
	}
}

/*
 * With prezero off nothing is cleared in the background: a tt that needs
 * zeroes clears what it takes, and chunks already clean stay clean. A tt
 * that needs none prefers dirty chunks, one that does prefers clean ones.
 */
static void pool_prezero_off(struct kunit *test)
{
	bool sys_zero = want_init_on_alloc(0) || want_init_on_free();
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *a, *b;
	struct page *dirty;

	if (want_init_on_free()) {
		/*
		 * Frees clear (pool_init_on_free_clears_at_free): no chunk is
		 * ever dirty, there is nothing for the worker or for an
		 * allocation to clear, and every tt sees zeroes.
		 */
		ttm_pool_set_prezero(pool, false);
		a = tt_alloc(test, pool, 1, ttm_cached);
		b = tt_alloc(test, pool, 1, ttm_cached);
		tt_fill(a, 0x3c);
		tt_fill(b, 0x3c);
		ttm_pool_free(pool, a);
		ttm_pool_free(pool, b);
		ttm_pool_set_prezero(pool, true);
		ttm_pool_prezero_flush(pool);
		KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 2);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 0);
		a = tt_alloc(test, pool, 1, ttm_cached);
		b = tt_alloc_zero(test, pool, 1, ttm_cached);
		KUNIT_EXPECT_EQ(test, tt_dirty(a) + tt_dirty(b), 0);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 2);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), 0);
		ttm_pool_free(pool, a);
		ttm_pool_free(pool, b);
		return;
	}
	a = tt_alloc(test, pool, 1, ttm_cached);
	b = tt_alloc(test, pool, 1, ttm_cached);
	ttm_pool_free(pool, a);
	ttm_pool_prezero_flush(pool);
	KUNIT_ASSERT_EQ(test, CLEAN(test, pool), 1);

	ttm_pool_set_prezero(pool, false);
	tt_fill(b, 0x3c);
	dirty = b->pages[0];
	ttm_pool_free(pool, b);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 1);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 1);

	/* Without ZERO_ALLOC: the dirty page, as its last user left it. */
	b = tt_alloc(test, pool, 1, ttm_cached);
	if (sys_zero) {
		/* init_on_alloc/free: every tt needs zeroes, takes the clean */
		KUNIT_EXPECT_PTR_NE(test, b->pages[0], dirty);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), 0);
	} else {
		KUNIT_EXPECT_PTR_EQ(test, b->pages[0], dirty);
		KUNIT_EXPECT_EQ(test, tt_dirty(b), 1);
	}
	/* With ZERO_ALLOC: the other one, clean or cleared now. */
	a = tt_alloc_zero(test, pool, 1, ttm_cached);
	KUNIT_EXPECT_EQ(test, tt_dirty(a), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), sys_zero ? 1 : 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 2);
	tt_fill(a, 0x11);
	ttm_pool_free(pool, a);
	ttm_pool_free(pool, b);

	/* Both dirty now: a ZERO_ALLOC tt clears what it takes. */
	a = tt_alloc_zero(test, pool, 1, ttm_cached);
	KUNIT_EXPECT_EQ(test, tt_dirty(a), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), sys_zero ? 2 : 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 1);
	ttm_pool_free(pool, a);
}

/* Releases take dirty chunks first; clean ones that leave count as wasted. */
static void pool_prezero_release_dirty_first(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt[3];
	unsigned int i;

	for (i = 0; i < 3; i++)
		tt[i] = tt_alloc(test, pool, 1, ttm_cached);
	if (want_init_on_free()) {
		/* Frees clear: every chunk is clean, and a release wastes it. */
		for (i = 0; i < 3; i++)
			ttm_pool_free(pool, tt[i]);
		KUNIT_ASSERT_EQ(test, CLEAN(test, pool), 3);
		KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 1), 0);
		KUNIT_EXPECT_EQ(test, POOLED(test, pool), 1);
		KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 1);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_WASTED), 2);
		ttm_pool_drain(pool);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_WASTED), 3);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 0);
		return;
	}
	ttm_pool_free(pool, tt[0]);
	ttm_pool_prezero_flush(pool);
	KUNIT_ASSERT_EQ(test, CLEAN(test, pool), 1);
	ttm_pool_set_prezero(pool, false);
	ttm_pool_free(pool, tt[1]);
	ttm_pool_free(pool, tt[2]);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 3);
	KUNIT_ASSERT_EQ(test, CLEAN(test, pool), 1);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 1);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_WASTED), 0);

	ttm_pool_drain(pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_WASTED), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 1);
}

struct prezero_churn {
	struct ttm_pool *pool;
	struct ttm_tt *tt[4];
	unsigned long rounds, target, bad;
	int err;
};

static int prezero_churn_fn(void *data)
{
	static const u32 flags[] = { TTM_TT_FLAG_ZERO_ALLOC, 0 };
	bool sys_zero = want_init_on_alloc(0) || want_init_on_free();
	struct prezero_churn *c = data;
	unsigned int i;

	while (!kthread_should_stop() && c->rounds < c->target) {
		for (i = 0; i < ARRAY_SIZE(c->tt); i++) {
			struct ttm_tt *tt = c->tt[i];

			tt->page_flags = flags[(c->rounds + i) % 2];
			memset(tt->pages, 0, tt->num_pages * sizeof(*tt->pages));
			c->err = ttm_pool_alloc(c->pool, tt, &ctx);
			if (c->err)
				goto out;
			if (tt->page_flags || sys_zero)
				c->bad += tt_dirty(tt);
			tt_fill(tt, 0xa5 + i);
		}
		for (i = 0; i < ARRAY_SIZE(c->tt); i++)
			ttm_pool_free(c->pool, c->tt[i]);
		WRITE_ONCE(c->rounds, c->rounds + 1);
		cond_resched();
	}
out:
	return churn_park();
}

/*
 * No tt that needs zeroes ever sees a non-zero byte, while frees, the
 * worker, shrinker scans, drains, trims, path switches, prezero switches
 * and flushes race; every page freed is patterned. Nothing is lost.
 */
static void pool_prezero_concurrent(struct kunit *test)
{
	static const unsigned long sizes[] = { 1, 3, 17, 64 };
	struct prezero_churn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = NUMA_NO_NODE, .nr_to_scan = 8,
	};
	struct task_struct *t;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->pool = pool_new(test, true, NUMA_NO_NODE);
	c->target = 150;
	for (i = 0; i < ARRAY_SIZE(c->tt); i++)
		c->tt[i] = tt_new(test, sizes[i], i % 2 ? ttm_write_combined :
				  ttm_cached, true);
	t = kthread_run(prezero_churn_fn, c, "ttm_pool_prezero");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	for (i = 0; READ_ONCE(c->rounds) < c->target && !READ_ONCE(c->err);
	     i++) {
		switch (i % 6) {
		case 0:
			ttm_pool_shrinker_scan(NULL, &sc);
			break;
		case 1:
			ttm_pool_drain(c->pool);
			break;
		case 2:
			ttm_pool_set_path(c->pool, i % 4 ?
					  TTM_POOL_PATH_PAGE :
					  TTM_POOL_PATH_COHERENT);
			break;
		case 3:
			ttm_pool_set_prezero(c->pool, i % 4);
			break;
		case 4:
			ttm_pool_set_max_pages(c->pool, 20);
			ttm_pool_set_max_pages(c->pool, totalram_pages());
			break;
		default:
			/* returns although frees keep queueing the worker */
			ttm_pool_set_prezero(c->pool, true);
			ttm_pool_prezero_flush(c->pool);
			break;
		}
		schedule_timeout_uninterruptible(1);
	}
	kthread_stop(t);
	kunit_info(test, "%lu rounds, %u interventions, %llu cleared in the background, %llu on allocation\n",
		   c->rounds, i, STAT(test, c->pool, CLEARED_BACKGROUND),
		   STAT(test, c->pool, CLEARED_ALLOC));
	KUNIT_EXPECT_EQ(test, c->err, 0);
	KUNIT_EXPECT_EQ(test, c->rounds, c->target);
	KUNIT_EXPECT_EQ(test, c->bad, 0);
	KUNIT_EXPECT_EQ(test, stats(test, c->pool)->inuse_pages, 0);

	ttm_pool_set_prezero(c->pool, true);
	ttm_pool_prezero_flush(c->pool);
	KUNIT_EXPECT_EQ(test, DIRTY(test, c->pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, c->pool),
			POOLED(test, c->pool));
	ttm_pool_drain(c->pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, c->pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, c->pool), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ttm_pool_state(c->pool)->pooled),
			0);
}

/*
 * ttm_pool_fini() while the worker has work queued or running: it stops,
 * and every page goes back (kmemleak and the page counters check the rest).
 */
static void pool_prezero_fini_busy(struct kunit *test)
{
	struct pool_test *priv = test->priv;
	long before = reclaimable_pages();
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pool);
		ttm_pool_init(pool, priv->devs->dev, NUMA_NO_NODE, i % 2, false);
		tt = tt_alloc(test, pool, 2048, ttm_write_combined);
		ttm_pool_free(pool, tt);
		if (i >= 2)
			schedule_timeout_uninterruptible(1);
		ttm_pool_fini(pool);
	}
	KUNIT_EXPECT_EQ(test, reclaimable_pages(), before);
}

static void pool_per_device(struct kunit *test)
{
	struct ttm_pool *a = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	free_singles(test, a, 2);
	tt = tt_alloc(test, b, 1, ttm_cached);
	KUNIT_EXPECT_EQ(test, STAT(test, b, ALLOC_MISS), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, b, ALLOC_HIT), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 2);
	ttm_pool_free(b, tt);
}

static struct page *fail_alloc_chunk(struct ttm_pool *pool, bool coherent,
				     gfp_t gfp, unsigned int order)
{
	struct pool_test *priv = kunit_get_current_test()->priv;
	struct page *p;

	if (coherent || order || priv->fresh_allowed <= 0)
		return NULL;
	p = alloc_page(gfp | __GFP_ZERO);
	if (p) {
		p->private = 0;
		priv->fresh_allowed--;
	}
	return p;
}

static int fail_map_chunk(struct ttm_pool *pool, struct page *p,
			  unsigned int order, dma_addr_t *dma_addr)
{
	struct pool_test *priv = kunit_get_current_test()->priv;
	unsigned int i;

	dma_addr_t addr;

	if (priv->maps_allowed-- <= 0)
		return -EFAULT;
	/* The tests use page-path chunks: map them for real. */
	addr = dma_map_page(pool->dev, p, 0, PAGE_SIZE << order,
			    DMA_BIDIRECTIONAL);
	if (dma_mapping_error(pool->dev, addr))
		return -EFAULT;
	for (i = 0; i < (1U << order); i++)
		dma_addr[i] = addr + ((dma_addr_t)i << PAGE_SHIFT);
	return 0;
}

/*
 * An allocation failing part-way gives back what it took: the pooled chunk
 * returns to the pool, fresh chunks to the system; only the failure counter
 * moves.
 */
static void pool_alloc_fails_cleanly(struct kunit *test)
{
	struct pool_test *priv = test->priv;
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_stats *before;
	long reclaimable;
	struct ttm_tt *tt;
	unsigned int i;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	tt = tt_alloc(test, pool, 1, ttm_write_combined);
	ttm_pool_free(pool, tt);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 1);
	/* The clearing worker counts too: let it finish first. */
	ttm_pool_prezero_flush(pool);
	before = kunit_kmalloc(test, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	*before = *stats(test, pool);
	reclaimable = reclaimable_pages();

	/* 1 pooled chunk, then 2 fresh order-0 chunks, then -ENOMEM. */
	priv->fresh_allowed = 2;
	kunit_activate_static_stub(test, ttm_pool_alloc_chunk, fail_alloc_chunk);
	tt = tt_new(test, 5, ttm_write_combined, false);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
	KUNIT_EXPECT_EQ(test, priv->fresh_allowed, 0);
	kunit_deactivate_static_stub(test, ttm_pool_alloc_chunk);

	/* A fresh order-1 chunk maps, the pooled chunk's mapping fails. */
	priv->maps_allowed = 1;
	kunit_activate_static_stub(test, ttm_pool_map_chunk, fail_map_chunk);
	tt = tt_new(test, 3, ttm_write_combined, true);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -EFAULT);
	kunit_deactivate_static_stub(test, ttm_pool_map_chunk);

	stats(test, pool);
	for (i = 0; i < TTM_POOL_STAT_NR; i++) {
		u64 want = before->counter[i];

		if (i == TTM_POOL_STAT_ALLOC_FAILURES)
			want += 2;
		KUNIT_EXPECT_EQ_MSG(test, priv->stats.counter[i], want,
				    "counter %u", i);
	}
	KUNIT_EXPECT_EQ(test, priv->stats.pooled_pages, 1);
	KUNIT_EXPECT_EQ(test, priv->stats.pooled[ttm_write_combined][0], 1);
	KUNIT_EXPECT_EQ(test, priv->stats.inuse_pages, 0);
	KUNIT_EXPECT_EQ(test, reclaimable_pages(),
			reclaimable);
}

/*
 * Fail every fresh chunk; before failing the first order-0 one, take the
 * room a pooled chunk needs away: lower the pool's cap to 0 or switch its
 * path, as a concurrent writer of sysfs could.
 */
static struct page *change_then_fail(struct ttm_pool *pool, bool coherent,
				     gfp_t gfp, unsigned int order)
{
	struct pool_test *priv = kunit_get_current_test()->priv;

	if (!order && priv->fresh_allowed-- > 0) {
		if (priv->unwind_switch)
			ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT);
		else
			ttm_pool_set_max_pages(pool, 0);
	}
	return NULL;
}

/*
 * A failed allocation gives the chunks it took back to the pool; one the
 * pool refuses by then leaves it through the counter of the reason, so that
 * what went into the pool still equals what came out plus what it holds.
 */
static void pool_alloc_unwind_refused(struct kunit *test)
{
	struct pool_test *priv = test->priv;
	enum ttm_pool_stat reason;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	int round;

	for (round = 0; round < 2; round++) {
		priv->unwind_switch = round;
		reason = round ? TTM_POOL_STAT_RELEASE_SWITCH :
				 TTM_POOL_STAT_RELEASE_CAP;
		pool = pool_new(test, false, NUMA_NO_NODE);
		ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
		tt = tt_alloc(test, pool, 1, ttm_write_combined);
		ttm_pool_free(pool, tt);
		KUNIT_ASSERT_EQ(test, POOLED(test, pool), 1);
		KUNIT_ASSERT_EQ(test, STAT(test, pool, FREE_POOLED), 1);

		/* The pooled chunk is taken, then the next one fails. */
		priv->fresh_allowed = 1;
		kunit_activate_static_stub(test, ttm_pool_alloc_chunk,
					   change_then_fail);
		tt = tt_new(test, 2, ttm_write_combined, true);
		KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
		kunit_deactivate_static_stub(test, ttm_pool_alloc_chunk);

		stats(test, pool);
		KUNIT_EXPECT_EQ(test, priv->stats.pooled_pages, 0);
		KUNIT_EXPECT_EQ(test, priv->stats.inuse_pages, 0);
		KUNIT_EXPECT_EQ(test, priv->stats.counter[reason], 1);
		KUNIT_EXPECT_EQ(test, priv->stats.counter[TTM_POOL_STAT_ALLOC_HIT],
				0);
		KUNIT_EXPECT_EQ(test,
				priv->stats.counter[TTM_POOL_STAT_ALLOC_FAILURES],
				1);
	}
}

/*
 * How many of @pool's coherent lists are set up (valid, possibly empty)?
 * The last one found goes to @last, if given.
 */
static unsigned int coherent_lists_set_up(struct ttm_pool *pool,
					  struct list_head **last)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct list_head *l = &pool->caching[i].orders[j].pages;

			if (!l->next)
				continue;
			n++;
			if (last)
				*last = l;
		}
	}
	return n;
}

/*
 * pt->pages is set up where 6.12 set it up (coherent pools, pools bound to a
 * node); elsewhere it stays {NULL, NULL}, as in 6.12, until the type's first
 * coherent chunk, which leaves a valid list behind when it goes.
 */
static void pool_coherent_lists(struct kunit *test)
{
	const unsigned int all = TTM_NUM_CACHING_TYPES * NR_PAGE_ORDERS;
	struct ttm_pool *plain = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *dma = pool_new(test, true, NUMA_NO_NODE);
	struct ttm_pool *node = pool_new(test, false, 0);
	struct list_head *l = NULL;
	struct ttm_tt *tt;

	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(plain, NULL), 0);
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(dma, NULL), all);
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(node, NULL), all);
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(dma, true));

	KUNIT_ASSERT_EQ(test,
			ttm_pool_set_path(plain, TTM_POOL_PATH_COHERENT), 0);
	tt = tt_alloc(test, plain, 1, ttm_uncached);	/* one chunk */
	ttm_pool_free(plain, tt);
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(plain, &l), 1);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_EXPECT_TRUE(test, list_is_singular(l));
	ttm_pool_drain(plain);
	KUNIT_EXPECT_TRUE(test, list_empty(l));
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(plain, NULL), 1);
}

/*
 * A tt without DMA addresses belongs to a driver that maps tt->pages itself:
 * a pool on the coherent path serves it page-path chunks, which it pools
 * for such tts, unless the driver asked for coherent allocations (then, as
 * in 6.12, every tt gets coherent memory).
 */
static void pool_coherent_only_with_dma_addresses(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *dma = pool_new(test, true, NUMA_NO_NODE);
	struct ttm_tt *plain, *mapped;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	plain = tt_new(test, 2, ttm_write_combined, false);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, plain, &ctx), 0);
	mapped = tt_alloc(test, pool, 2, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, chunk_is_coherent(plain->pages[0]));
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(mapped->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_PAGE), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_COHERENT), 2);

	/* Both kinds are pooled, and each serves its own kind of tt. */
	ttm_pool_free(pool, plain);
	ttm_pool_free(pool, mapped);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 4);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, plain, &ctx), 0);
	KUNIT_EXPECT_FALSE(test, chunk_is_coherent(plain->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 2);
	ttm_pool_free(pool, plain);

	/* The driver asked for coherent allocations: every tt gets them. */
	plain = tt_new(test, 2, ttm_write_combined, false);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(dma, plain, &ctx), 0);
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(plain->pages[0]));
	ttm_pool_free(dma, plain);
}

static bool cc_guest_yes(void)
{
	return true;
}

/*
 * In a confidential guest a pool keeps its driver's path (the tts'
 * TTM_TT_FLAG_DECRYPTED follows it): another path is refused, and changes
 * nothing; "auto" and the driver's own path are fine. A DECRYPTED tt gets
 * coherent memory whatever the path.
 */
static void pool_cc_guest_keeps_driver_path(struct kunit *test)
{
	struct ttm_pool *dma, *page;
	struct ttm_tt *tt;

	kunit_activate_static_stub(test, ttm_pool_cc_guest, cc_guest_yes);
	dma = pool_new(test, true, NUMA_NO_NODE);
	page = pool_new(test, false, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(dma),
			TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(page), TTM_POOL_PATH_PAGE);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(dma, TTM_POOL_PATH_PAGE),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(page, TTM_POOL_PATH_COHERENT),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_path(dma), TTM_POOL_PATH_AUTO);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(dma),
			TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, STAT(test, dma, PATH_SWITCHES), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(dma, TTM_POOL_PATH_COHERENT), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_path(page, TTM_POOL_PATH_AUTO), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, page, PATH_SWITCHES), 0);

	tt = tt_new(test, 2, ttm_cached, true);
	tt->page_flags = TTM_TT_FLAG_DECRYPTED;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(page, tt, &ctx), 0);
	KUNIT_EXPECT_TRUE(test, chunk_is_coherent(tt->pages[0]));
	ttm_pool_free(page, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, page), 0);
	kunit_deactivate_static_stub(test, ttm_pool_cc_guest);
}

/*
 * The clearing worker stopped half-way through a coherent chunk (its batch
 * ran out) while page-path chunks of the same type are dirty too: its next
 * run finishes the coherent chunk and then clears the page-path ones (it
 * used to stop at the coherent list, leaving them dirty until a free).
 */
static void pool_clear_continues_other_list(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_type *pt = &pool->caching[ttm_cached].orders[2];
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	struct ttm_tt *c, *p;
	struct page *cp;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	ttm_pool_set_prezero(pool, false);
	c = tt_alloc(test, pool, 4, ttm_cached);	/* DMA addresses: coherent */
	p = tt_new(test, 4, ttm_cached, false);		/* none: page path */
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, p, &ctx), 0);
	KUNIT_ASSERT_TRUE(test, chunk_is_coherent(c->pages[0]));
	KUNIT_ASSERT_FALSE(test, chunk_is_coherent(p->pages[0]));
	tt_fill(c, 0xa5);
	tt_fill(p, 0xa5);
	ttm_pool_free(pool, c);
	ttm_pool_free(pool, p);
	if (want_init_on_free()) {
		/* Frees clear: nothing is left for the worker. */
		KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
		return;
	}
	KUNIT_ASSERT_EQ(test, DIRTY(test, pool), 8);

	/* Where a run that used up its batch on the coherent chunk stops. */
	spin_lock(&pt->lock);
	cp = list_entry(ts->clean_end[true]->next, struct page, lru);
	memset(page_address(cp), 0, PAGE_SIZE);
	ts->clearing = cp;
	ts->cleared = 1;
	spin_unlock(&pt->lock);

	ttm_pool_set_prezero(pool, true);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 8);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 7);
}

static void memory_short_restore(void *data)
{
	WRITE_ONCE(ttm_pool_test_memory_short, -1);
}

/*
 * The worker stands aside while memory is short, and comes back by itself
 * once it is not (it used to wait for the next free). Waits for that up to
 * 30 s; the worker is due after a second.
 */
static void pool_clear_comes_back_after_pressure(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = tt_alloc(test, pool, 4, ttm_cached);
	tt_fill(tt, 0xa5);
	WRITE_ONCE(ttm_pool_test_memory_short, 1);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, memory_short_restore,
						  NULL));
	ttm_pool_free(pool, tt);
	ttm_pool_prezero_flush(pool);
	if (want_init_on_free()) {
		KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
		return;
	}
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 0);

	WRITE_ONCE(ttm_pool_test_memory_short, 0);
	for (i = 0; i < 300 && DIRTY(test, pool); i++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 4);
}

static struct kthread_worker *no_clear_thread(void)
{
	return ERR_PTR(-ENOMEM);
}

static int count_pool(struct ttm_pool *pool, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * The clearing thread cannot be made when the first pool is set up: the
 * pool says prezero is off (it said on, and nothing cleared), and switching
 * it on makes the thread. The thread is not freezable: a pool finalised
 * while kernel threads are frozen must not wait for the thaw.
 */
static void pool_no_clear_thread(struct kunit *test)
{
	struct kthread_worker *w;
	struct ttm_pool *pool;
	unsigned int pools = 0;
	struct ttm_tt *tt;

	ttm_pool_for_each(count_pool, &pools);
	KUNIT_ASSERT_EQ_MSG(test, pools, 0,
			    "another pool keeps the clearing thread alive");
	kunit_activate_static_stub(test, ttm_pool_clear_create,
				   no_clear_thread);
	pool = pool_new(test, false, NUMA_NO_NODE);
	kunit_deactivate_static_stub(test, ttm_pool_clear_create);
	KUNIT_EXPECT_FALSE(test, ttm_pool_prezero(pool));

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = tt_alloc(test, pool, 2, ttm_cached);
	tt_fill(tt, 0xa5);
	ttm_pool_free(pool, tt);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), want_init_on_free() ? 0 : 2);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_prezero(pool, true), 0);
	KUNIT_EXPECT_TRUE(test, ttm_pool_prezero(pool));
	w = ttm_pool_state(pool)->clear_worker;
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_TRUE(test, w->task->flags & PF_NOFREEZE);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
}

static void post_hibernation(void *data)
{
	ttm_pool_pm_notify(NULL, PM_POST_HIBERNATION, NULL);
}

/*
 * Hibernation: a hibernation image holds every page in use. From
 * PM_HIBERNATION_PREPARE until the system is back, pools keep no chunk
 * that is not known to be zero: those they hold are released, and frees
 * clear what they pool.
 */
static void pool_hibernation_keeps_no_dirty(struct kunit *test)
{
	bool iof = want_init_on_free();
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_set_prezero(pool, false);
	tt = tt_alloc(test, pool, 5, ttm_write_combined);	/* orders 2, 0 */
	tt_fill(tt, 0xa5);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 5);

	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, post_hibernation,
						  NULL));
	ttm_pool_pm_notify(NULL, PM_HIBERNATION_PREPARE, NULL);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), iof ? 5 : 0);

	tt = tt_alloc(test, pool, 3, ttm_cached);		/* orders 1, 0 */
	tt_fill(tt, 0x5a);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), iof ? 8 : 3);

	ttm_pool_pm_notify(NULL, PM_POST_HIBERNATION, NULL);
	tt = tt_alloc(test, pool, 2, ttm_write_combined);
	tt_fill(tt, 0x5a);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 2);
}

/*
 * A drain holds a type's lock for at most TTM_POOL_LOCK_BATCH chunks at a
 * time (it used to hold it for the whole list), and still releases all.
 */
static void pool_drain_bounded(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH + 5, held;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	free_singles(test, pool, n);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), n);
	WRITE_ONCE(ttm_pool_lock_work_max, 0);
	ttm_pool_drain(pool);
	held = READ_ONCE(ttm_pool_lock_work_max);
	kunit_info(test, "%u chunks, at most %u per hold of the lock\n", n,
		   held);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_DRAIN), n);
	KUNIT_EXPECT_GT(test, held, 0);
	KUNIT_EXPECT_LE(test, held, TTM_POOL_LOCK_BATCH);
}

/*
 * A pool without a node holds a node-1 chunk behind three lock batches of
 * node-0 chunks (from its cold end). A scan of node 1 walks past at most
 * TTM_POOL_LOCK_BATCH chunks per hold of the lock (it used to walk them
 * all, for every chunk it took), so the first release finds nothing; the
 * chunks it passed move out of the way, and later releases reach it.
 */
static void pool_shrinker_numa_bounded(struct kunit *test)
{
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH, i, calls = 0, held;
	struct ttm_pool *any, *n0, *n1;
	struct ttm_tt **tts, *one;
	unsigned long got = 0;

	if (num_online_nodes() < 2 || !node_online(1))
		kunit_skip(test, "needs two NUMA nodes (numa=fake=2)");

	ttm_pool_drain_all();
	any = pool_new(test, false, NUMA_NO_NODE);
	n0 = pool_new(test, false, 0);
	n1 = pool_new(test, false, 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(any, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n0, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n1, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_set_prezero(any, false);
	tts = kunit_kcalloc(test, n, sizeof(*tts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tts);
	/* Chunks of the nodes' pools, freed into the pool without a node. */
	for (i = 0; i < n; i++) {
		tts[i] = tt_alloc(test, n0, 1, ttm_cached);
		KUNIT_ASSERT_EQ(test, page_to_nid(tts[i]->pages[0]), 0);
	}
	one = tt_alloc(test, n1, 1, ttm_cached);
	KUNIT_ASSERT_EQ(test, page_to_nid(one->pages[0]), 1);
	for (i = 0; i < n; i++)
		ttm_pool_free(any, tts[i]);
	ttm_pool_free(any, one);
	KUNIT_ASSERT_EQ(test, POOLED(test, any), n + 1);
	KUNIT_EXPECT_EQ(test, count_node(1), 1);

	WRITE_ONCE(ttm_pool_lock_work_max, 0);
	got = ttm_pool_release_pages(any, 1, 1, TTM_POOL_STAT_RELEASE_SHRINKER,
				     GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, got, 0);
	for (calls = 1; !got && calls < 8; calls++)
		got = ttm_pool_release_pages(any, 1, 1,
					     TTM_POOL_STAT_RELEASE_SHRINKER,
					     GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, got, 1);
	held = READ_ONCE(ttm_pool_lock_work_max);
	kunit_info(test, "found after %u releases, at most %u chunks walked per hold of the lock\n",
		   calls, held);
	KUNIT_EXPECT_EQ(test, count_node(1), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, any), n);
	KUNIT_EXPECT_LE(test, held, TTM_POOL_LOCK_BATCH);
	ttm_pool_drain(any);
}

/*
 * Reading a pool's statistics takes none of its locks: any user may read
 * them in a loop through sysfs. Read with a type's lock held here (a reader
 * that took it would deadlock, and lockdep would say so).
 */
static void pool_stats_take_no_lock(struct kunit *test)
{
	struct ttm_pool *pool = pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_type *pt = &pool->caching[ttm_cached].orders[2];
	struct pool_test *priv = test->priv;
	unsigned long pooled, clean, dirty;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_set_prezero(pool, false);
	ttm_pool_free(pool, tt_alloc(test, pool, 4, ttm_cached));
	spin_lock(&pt->lock);
	ttm_pool_get_stats(pool, &priv->stats);
	pooled = ttm_pool_pooled_pages(pool, ttm_cached);
	clean = ttm_pool_count_clean(pool, true);
	dirty = ttm_pool_count_clean(pool, false);
	spin_unlock(&pt->lock);
	KUNIT_EXPECT_EQ(test, priv->stats.pooled_pages, 4);
	KUNIT_EXPECT_EQ(test, priv->stats.pooled[ttm_cached][2], 4);
	KUNIT_EXPECT_EQ(test, pooled, 4);
	KUNIT_EXPECT_EQ(test, clean + dirty, 4);
}

static struct kunit_case pool_core_cases[] = {
	KUNIT_CASE(pool_path_auto),
	KUNIT_CASE(pool_switch_live),
	KUNIT_CASE(pool_switch_concurrent),
	KUNIT_CASE(pool_switch_releases_pooled),
	KUNIT_CASE(pool_cap_per_pool),
	KUNIT_CASE(pool_cap_global),
	KUNIT_CASE(pool_cap_global_evicts_only_enough),
	KUNIT_CASE(pool_free_in_fence_signalling),
	KUNIT_CASE(pool_lower_cap_trims),
	KUNIT_CASE(pool_watermarks),
	KUNIT_CASE(pool_watermarks_follow_cap),
	KUNIT_CASE(pool_drain),
	KUNIT_CASE(pool_release_wb_per_large_chunk),
	KUNIT_CASE(pool_shrinker),
	KUNIT_CASE(pool_shrinker_takes_turns),
	KUNIT_CASE(pool_shrinker_numa),
	KUNIT_CASE(pool_shrinker_numa_any),
	KUNIT_CASE(pool_stats_sequence),
	KUNIT_CASE(pool_clears_for_zero_alloc),
	KUNIT_CASE(pool_no_clear_without_zero_alloc),
	KUNIT_CASE(pool_prezero_background),
	KUNIT_CASE(pool_prezero_off),
	KUNIT_CASE(pool_init_on_free_clears_at_free),
	KUNIT_CASE(pool_prezero_release_dirty_first),
	KUNIT_CASE(pool_prezero_concurrent),
	KUNIT_CASE(pool_prezero_fini_busy),
	KUNIT_CASE(pool_per_device),
	KUNIT_CASE(pool_alloc_fails_cleanly),
	KUNIT_CASE(pool_alloc_unwind_refused),
	KUNIT_CASE(pool_coherent_lists),
	KUNIT_CASE(pool_coherent_only_with_dma_addresses),
	KUNIT_CASE(pool_cc_guest_keeps_driver_path),
	KUNIT_CASE(pool_clear_continues_other_list),
	KUNIT_CASE(pool_clear_comes_back_after_pressure),
	KUNIT_CASE(pool_no_clear_thread),
	KUNIT_CASE(pool_hibernation_keeps_no_dirty),
	KUNIT_CASE(pool_drain_bounded),
	KUNIT_CASE(pool_shrinker_numa_bounded),
	KUNIT_CASE(pool_stats_take_no_lock),
	{}
};

static struct kunit_suite pool_core_suite = {
	.name = "ttm_pool_core",
	.init = pool_test_init,
	.test_cases = pool_core_cases,
};

kunit_test_suites(&pool_core_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(TTM_POOL_TEST);
MODULE_DESCRIPTION("KUnit tests of the per-device TTM page pool");
MODULE_LICENSE("GPL and additional rights");
