// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_stats of the per-device TTM page pool: the
 * statistics, pools kept apart per device, and an allocation that fails
 * part-way: it gives back what it took, and the counters say so.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

static void pool_stats_sequence(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_stats *s;
	struct ttm_tt *a, *b;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);	/* also under swiotlb */
	a = pool_test_tt_alloc(test, pool, 3, ttm_cached);	/* fresh: order 1 + 0 */
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->inuse_pages, 3);
	ttm_pool_free(pool, a);
	b = pool_test_tt_alloc(test, pool, 3, ttm_cached);	/* both chunks pooled */
	ttm_pool_free(pool, b);
	a = pool_test_tt_alloc(test, pool, 2, ttm_write_combined);	/* fresh, WC */
	ttm_pool_free(pool, a);

	s = pool_test_stats(test, pool);
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

static void pool_per_device(struct kunit *test)
{
	struct ttm_pool *a = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	pool_test_free_singles(test, a, 2);
	tt = pool_test_tt_alloc(test, b, 1, ttm_cached);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_stats *before;
	long reclaimable;
	struct ttm_tt *tt;
	unsigned int i;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	tt = pool_test_tt_alloc(test, pool, 1, ttm_write_combined);
	ttm_pool_free(pool, tt);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 1);
	/* The clearing worker counts too: let it finish first. */
	ttm_pool_prezero_flush(pool);
	before = kunit_kmalloc(test, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	*before = *pool_test_stats(test, pool);
	reclaimable = pool_test_reclaimable_pages();

	/* 1 pooled chunk, then 2 fresh order-0 chunks, then -ENOMEM. */
	priv->fresh_allowed = 2;
	kunit_activate_static_stub(test, ttm_pool_alloc_chunk, fail_alloc_chunk);
	tt = pool_test_tt_new(test, 5, ttm_write_combined, false);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
	KUNIT_EXPECT_EQ(test, priv->fresh_allowed, 0);
	kunit_deactivate_static_stub(test, ttm_pool_alloc_chunk);

	/* A fresh order-1 chunk maps, the pooled chunk's mapping fails. */
	priv->maps_allowed = 1;
	kunit_activate_static_stub(test, ttm_pool_map_page_chunk, fail_map_chunk);
	tt = pool_test_tt_new(test, 3, ttm_write_combined, true);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -EFAULT);
	kunit_deactivate_static_stub(test, ttm_pool_map_page_chunk);

	pool_test_stats(test, pool);
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
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(),
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
		pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
		ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
		tt = pool_test_tt_alloc(test, pool, 1, ttm_write_combined);
		ttm_pool_free(pool, tt);
		KUNIT_ASSERT_EQ(test, POOLED(test, pool), 1);
		KUNIT_ASSERT_EQ(test, STAT(test, pool, FREE_POOLED), 1);

		/* The pooled chunk is taken, then the next one fails. */
		priv->fresh_allowed = 1;
		kunit_activate_static_stub(test, ttm_pool_alloc_chunk,
					   change_then_fail);
		tt = pool_test_tt_new(test, 2, ttm_write_combined, true);
		KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
		kunit_deactivate_static_stub(test, ttm_pool_alloc_chunk);

		pool_test_stats(test, pool);
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
 * Reading a pool's statistics takes none of its locks: any user may read
 * them in a loop through sysfs. Read with a type's lock held here (a reader
 * that took it would deadlock, and lockdep would say so).
 */
static void pool_stats_take_no_lock(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_type *pt = &pool->caching[ttm_cached].orders[2];
	struct pool_test *priv = test->priv;
	unsigned long pooled, clean, dirty;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_set_prezero(pool, false);
	ttm_pool_free(pool, pool_test_tt_alloc(test, pool, 4, ttm_cached));
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

/*
 * The GPU memory summary (sysfs /sys/kernel/ttm/ and nodes/node<N>/): the
 * pages a tt holds are in use, on the nodes they are on, and once freed
 * they are pooled there, clean or dirty; a failed allocation leaves the
 * counts as they were. make check runs this with numa=fake=2, where the
 * pool is bound to node 1 and the per-node counts are kept; with a single
 * node, node 0's counts are the global ones.
 */
static void pool_memory_summary(struct kunit *test)
{
	int nodes = min_t(int, nr_node_ids, 2), bound = nodes - 1;
	struct ttm_pool *pool = pool_test_pool_new(test, false, bound);
	unsigned long on[2] = { }, inuse0[2], pooled0[2];
	struct ttm_pool_memory all0, all, node;
	struct ttm_tt *tt;
	unsigned int i;
	int nid;

	kunit_info(test, "nr_node_ids=%u, pool on node %d\n", nr_node_ids,
		   bound);
	/* Coherent memory comes from the device's node: the page path. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_drain_all();
	ttm_pool_memory_summary(NUMA_NO_NODE, &all0);
	for (nid = 0; nid < nodes; nid++) {
		ttm_pool_memory_summary(nid, &node);
		inuse0[nid] = node.inuse;
		pooled0[nid] = node.pooled;
	}

	tt = pool_test_tt_alloc(test, pool, 24, ttm_write_combined);
	for (i = 0; i < tt->num_pages; i++) {
		nid = page_to_nid(tt->pages[i]);
		KUNIT_ASSERT_LT(test, nid, nodes);
		on[nid]++;
	}
	KUNIT_EXPECT_GT(test, on[bound], 0);
	ttm_pool_memory_summary(NUMA_NO_NODE, &all);
	KUNIT_EXPECT_EQ(test, all.inuse, all0.inuse + 24);
	KUNIT_EXPECT_EQ(test, all.pooled, all0.pooled);
	for (nid = 0; nid < nodes; nid++) {
		ttm_pool_memory_summary(nid, &node);
		KUNIT_EXPECT_EQ(test, node.inuse, inuse0[nid] + on[nid]);
		KUNIT_EXPECT_EQ(test, node.pooled, pooled0[nid]);
	}

	ttm_pool_free(pool, tt);
	ttm_pool_memory_summary(NUMA_NO_NODE, &all);
	KUNIT_EXPECT_EQ(test, all.inuse, all0.inuse);
	KUNIT_EXPECT_EQ(test, all.pooled, all0.pooled + 24);
	KUNIT_EXPECT_EQ(test, all.clean + all.dirty, all.pooled);
	for (nid = 0; nid < nodes; nid++) {
		ttm_pool_memory_summary(nid, &node);
		KUNIT_EXPECT_EQ(test, node.inuse, inuse0[nid]);
		KUNIT_EXPECT_EQ(test, node.pooled, pooled0[nid] + on[nid]);
	}

	/* A failed allocation (injected: after every chunk was placed). */
	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "every=1"), 0);
	tt = pool_test_tt_new(test, 40, ttm_write_combined, true);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, "off"), 0);
	for (nid = 0; nid < nodes; nid++) {
		ttm_pool_memory_summary(nid, &node);
		KUNIT_EXPECT_EQ(test, node.inuse, inuse0[nid]);
	}
	ttm_pool_drain(pool);
	ttm_pool_memory_summary(NUMA_NO_NODE, &all);
	KUNIT_EXPECT_EQ(test, all.pooled, all0.pooled);
	KUNIT_EXPECT_EQ(test, all.inuse, all0.inuse);
	/* Released to the system: counted out of the nodes too. */
	for (nid = 0; nid < nodes; nid++) {
		ttm_pool_memory_summary(nid, &node);
		KUNIT_EXPECT_EQ(test, node.inuse, inuse0[nid]);
		KUNIT_EXPECT_EQ(test, node.pooled, pooled0[nid]);
	}
}

static struct kunit_case pool_stats_cases[] = {
	KUNIT_CASE(pool_stats_sequence),
	KUNIT_CASE(pool_stats_take_no_lock),
	KUNIT_CASE(pool_per_device),
	KUNIT_CASE(pool_alloc_fails_cleanly),
	KUNIT_CASE(pool_alloc_unwind_refused),
	KUNIT_CASE(pool_memory_summary),
	{}
};

static struct kunit_suite pool_stats_suite = {
	.name = "ttm_pool_core_stats",
	.init = pool_test_init,
	.test_cases = pool_stats_cases,
};

kunit_test_suite(pool_stats_suite);
