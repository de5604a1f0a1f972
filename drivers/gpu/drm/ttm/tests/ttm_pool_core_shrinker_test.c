// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_shrinker of the per-device TTM page pool: the
 * shrinker's count and scan across pools, in proportion and in turns, and by
 * NUMA node (numa=fake=2).
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/shrinker.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static void pool_shrinker(struct kunit *test)
{
	struct ttm_pool *a = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = NUMA_NO_NODE,
	};
	unsigned long freed;

	/* Pages other pools hold would count and be scanned too. */
	ttm_pool_drain_all();
	pool_test_free_singles(test, a, 6);
	pool_test_free_singles(test, b, 2);
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

/*
 * Scans that take less than every pool's share start at the pool that gave
 * least recently: two pools of the same size give up the same amount.
 */
static void pool_shrinker_takes_turns(struct kunit *test)
{
	struct ttm_pool *a = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = NUMA_NO_NODE, .nr_to_scan = 1,
	};
	int i;

	ttm_pool_drain_all();
	pool_test_free_singles(test, a, 8);
	pool_test_free_singles(test, b, 8);
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 16);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, ttm_pool_shrinker_scan(NULL, &sc), 1);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 4);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_SHRINKER), 4);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_SHRINKER), 4);
}

/* Add @tt's pages to @on[], by the node they are on (0 or 1). */
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
	n0 = pool_test_pool_new(test, false, 0);
	n1 = pool_test_pool_new(test, false, 1);
	/* Page-path pages come from the pool's node (also under swiotlb). */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n0, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(n1, TTM_POOL_PATH_PAGE), 0);
	tt = pool_test_tt_alloc(test, n1, 2, ttm_cached);
	KUNIT_EXPECT_EQ(test, page_to_nid(tt->pages[0]), 1);
	count_nodes(test, tt, on);
	for (i = 0; i < ARRAY_SIZE(singles); i++) {
		singles[i] = pool_test_tt_alloc(test, n0, 1, ttm_cached);
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
	any = pool_test_pool_new(test, false, NUMA_NO_NODE);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(any, TTM_POOL_PATH_PAGE), 0);
	/* On one CPU, so that the pages likely come from one node. */
	migrate_disable();
	tt = pool_test_tt_alloc(test, any, 4, ttm_write_combined);
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

/*
 * With every pool drained: a pool without a node and one on each node, all
 * on the page path. Skips the case without two nodes.
 */
static struct ttm_pool *numa_pools(struct kunit *test, struct ttm_pool **n0,
				   struct ttm_pool **n1)
{
	struct ttm_pool *any;

	if (num_online_nodes() < 2 || !node_online(1))
		kunit_skip(test, "needs two NUMA nodes (numa=fake=2)");
	ttm_pool_drain_all();
	any = pool_test_pool_new(test, false, NUMA_NO_NODE);
	*n0 = pool_test_pool_new(test, false, 0);
	*n1 = pool_test_pool_new(test, false, 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(any, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(*n0, TTM_POOL_PATH_PAGE), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(*n1, TTM_POOL_PATH_PAGE), 0);
	return any;
}

/*
 * Free into @to @n one-page chunks made by @from, a pool bound to node
 * @nid, one at a time (@from stays empty): the first freed is the coldest.
 */
static void free_from_node(struct kunit *test, struct ttm_pool *from,
			   int nid, struct ttm_pool *to, unsigned int n)
{
	struct ttm_tt *tt;
	int on;

	while (n--) {
		tt = pool_test_tt_alloc(test, from, 1, ttm_cached);
		on = page_to_nid(tt->pages[0]);
		ttm_pool_free(to, tt);
		KUNIT_ASSERT_EQ(test, on, nid);
	}
}

static void memory_short_restore(void *data)
{
	WRITE_ONCE(ttm_pool_test_memory_short, -1);
}

/*
 * As free_from_node(), the chunks cleared in the background (with memory
 * not short, so that the worker does not stand aside) before prezero is
 * switched off again.
 */
static void free_clean_from_node(struct kunit *test, struct ttm_pool *from,
				 int nid, struct ttm_pool *to, unsigned int n)
{
	WRITE_ONCE(ttm_pool_test_memory_short, 0);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, memory_short_restore,
						  NULL));
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(to, true), 0);
	free_from_node(test, from, nid, to, n);
	ttm_pool_prezero_flush(to);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(to, false), 0);
}

/*
 * Release @pool's one node-1 page as the shrinker does, one page per call,
 * in at most 8 calls, leaving @left pages pooled, none of a hold of a
 * type's lock walking past more than a batch of chunks; then drain @pool.
 * Return: the call that released it, 0 if none did.
 */
static unsigned int release_node1(struct kunit *test, struct ttm_pool *pool,
				  unsigned long left)
{
	unsigned int calls, held;

	KUNIT_EXPECT_EQ(test, count_node(1), 1);
	WRITE_ONCE(ttm_pool_lock_work_max, 0);
	for (calls = 1; calls <= 8; calls++)
		if (ttm_pool_release_pages(pool, 1, 1,
					   TTM_POOL_STAT_RELEASE_SHRINKER,
					   GFP_KERNEL))
			break;
	if (calls > 8)
		calls = 0;
	held = READ_ONCE(ttm_pool_lock_work_max);
	kunit_info(test, "released by call %u (0: none of 8), at most %u chunks walked per hold of the lock\n",
		   calls, held);
	KUNIT_EXPECT_EQ(test, count_node(1), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), left);
	KUNIT_EXPECT_LE(test, held, TTM_POOL_LOCK_BATCH);
	ttm_pool_drain(pool);
	return calls;
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
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH;
	struct ttm_pool *any, *n0, *n1;

	any = numa_pools(test, &n0, &n1);
	ttm_pool_set_prezero(any, false);
	/* Chunks of the nodes' pools, freed into the pool without a node. */
	free_from_node(test, n0, 0, any, n);
	free_from_node(test, n1, 1, any, 1);
	KUNIT_ASSERT_EQ(test, POOLED(test, any), n + 1);
	KUNIT_EXPECT_GE(test, release_node1(test, any, n), 2);
}

/*
 * A pool without a node holds a clean node-1 chunk behind three lock batches
 * of dirty node-0 chunks. A scan of node 1 looks at the dirty chunks first;
 * it used to spend its whole batch on them, every time, and never reach the
 * clean ones: the chunk counted for node 1 was never released. The dirty
 * pass leaves half of the batch to the clean one now, and the first scan
 * finds it. (With init_on_free every chunk is pooled clean and the node-1
 * chunk is the oldest.)
 */
static void pool_shrinker_numa_clean_behind_dirty(struct kunit *test)
{
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH;
	struct ttm_pool *any, *n0, *n1;

	any = numa_pools(test, &n0, &n1);
	free_clean_from_node(test, n1, 1, any, 1);
	KUNIT_ASSERT_EQ(test, pool_test_stats(test, any)->clean_pages, 1);
	free_from_node(test, n0, 0, any, n);
	KUNIT_ASSERT_EQ(test, POOLED(test, any), n + 1);
	if (!want_init_on_free())
		KUNIT_ASSERT_EQ(test, pool_test_stats(test, any)->clean_pages,
				1);
	KUNIT_EXPECT_EQ(test, release_node1(test, any, n), 1);
}

/*
 * The other way round: a dirty node-1 chunk, the newest, behind three lock
 * batches of dirty node-0 chunks, with a clean node-0 chunk in the pool. A
 * scan walks at most half of a batch of the dirty chunks then, and the
 * chunks it passed still move out of the way: later scans reach it, and no
 * hold of the lock walks past more than a batch.
 */
static void pool_shrinker_numa_dirty_beside_clean(struct kunit *test)
{
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH;
	struct ttm_pool *any, *n0, *n1;

	any = numa_pools(test, &n0, &n1);
	free_clean_from_node(test, n0, 0, any, 1);
	KUNIT_ASSERT_EQ(test, pool_test_stats(test, any)->clean_pages, 1);
	free_from_node(test, n0, 0, any, n);
	free_from_node(test, n1, 1, any, 1);
	KUNIT_ASSERT_EQ(test, POOLED(test, any), n + 2);
	KUNIT_EXPECT_GE(test, release_node1(test, any, n + 1), 2);
}

static struct kunit_case pool_shrinker_cases[] = {
	KUNIT_CASE(pool_shrinker),
	KUNIT_CASE(pool_shrinker_takes_turns),
	KUNIT_CASE(pool_shrinker_numa),
	KUNIT_CASE(pool_shrinker_numa_any),
	KUNIT_CASE(pool_shrinker_numa_bounded),
	KUNIT_CASE(pool_shrinker_numa_clean_behind_dirty),
	KUNIT_CASE(pool_shrinker_numa_dirty_beside_clean),
	{}
};

static struct kunit_suite pool_shrinker_suite = {
	.name = "ttm_pool_core_shrinker",
	.init = pool_test_init,
	.test_cases = pool_shrinker_cases,
};

kunit_test_suite(pool_shrinker_suite);
