// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_limits of the per-device TTM page pool: a pool's
 * cap, the global cap and the eviction of other pools' chunks it makes, the
 * watermarks and the trim worker, drains and the release of write-back.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static void pool_cap_per_pool(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 5), 0);
	pool_test_free_singles(test, pool, 8);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 5);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_CAP), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, FREE_POOLED), 5);

	/* An order-3 chunk does not fit in the 0 pages left. */
	tt = pool_test_tt_alloc(test, pool, 8, ttm_cached);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 5);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_max_pages(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	pool_test_free_singles(test, pool, 2);
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
	struct ttm_pool *a = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_test_pool_new(test, false, NUMA_NO_NODE);

	ttm_pool_drain_all();
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(3), 0);
	pool_test_free_singles(test, a, 2);
	pool_test_free_singles(test, b, 3);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_EVICT), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_TRIM), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_CAP), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_global_pooled_pages(), 3);

	/* 3 hits and a fresh page: nothing else to evict for the fourth. */
	pool_test_free_singles(test, b, 4);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_CAP), 1);

	/* Lowering the global cap trims at once. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(1), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_global_pooled_pages(), 1);
	KUNIT_EXPECT_EQ(test, POOLED(test, a) + POOLED(test, b), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_TRIM), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, b, RELEASE_EVICT), 0);
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
	struct ttm_pool *a = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *b = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	ttm_pool_drain_all();
	KUNIT_ASSERT_EQ(test, ttm_pool_global_pooled_pages(), 0);

	/* 10 pooled in b, a 16-page chunk freed into a, cap 20: 6 make way. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(20), 0);
	pool_test_free_singles(test, b, 10);
	KUNIT_ASSERT_EQ(test, POOLED(test, b), 10);
	tt = pool_test_tt_alloc(test, a, 16, ttm_cached);
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
	pool_test_free_singles(test, b, 3);
	tt = pool_test_tt_alloc(test, a, 16, ttm_cached);
	ttm_pool_free(a, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, b), 3);
	KUNIT_EXPECT_EQ(test, POOLED(test, a), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, a, RELEASE_CAP), 16);

	/* 3 in b, cap 17: 2 are missing, and b gives exactly those. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_global_max_pages(17), 0);
	tt = pool_test_tt_alloc(test, a, 16, ttm_cached);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	unsigned long changed;
	struct ttm_tt *tt;
	bool cookie;

	tt = pool_test_tt_alloc(test, pool, 4, ttm_write_combined);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 100), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_watermarks(pool, 90, 50), 0);
	pool_test_free_singles(test, pool, 6);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 6);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 2), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_TRIM), 4);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 2);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 2);
}

static void pool_watermarks(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 100), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_watermarks(pool, 101, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_watermarks(pool, 4, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 100);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 100);

	/* Setting a high mark below what is pooled queues the worker. */
	pool_test_free_singles(test, pool, 6);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_watermarks(pool, 4, 1), 0);
	flush_work(&ttm_pool_state(pool)->trim_work);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 1);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_TRIM), 5);

	/* The free that crosses the high mark queues it too (1 hit, 4 fresh). */
	pool_test_free_singles(test, pool, 5);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *other = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *third;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 64), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), 64);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), 64);
	pool_test_free_singles(test, pool, 3);
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
	third = pool_test_pool_new(test, false, NUMA_NO_NODE);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	u64 batches;

	tt = pool_test_tt_alloc(test, pool, 35, ttm_uncached);	/* orders 5, 1, 0 */
	ttm_pool_free(pool, tt);
	KUNIT_ASSERT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_uncached][5], 32);
	KUNIT_ASSERT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_uncached][1], 2);
	KUNIT_ASSERT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_uncached][0], 1);
	batches = STAT(test, pool, CACHING_BATCHES);

	ttm_pool_drain(pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_BATCHES) - batches, 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CACHING_PAGES), 70);
}

static void pool_drain(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *other = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *wc, *uc;
	long before;

	/* Pages other pools still hold would leave with drain_all() below. */
	ttm_pool_drain_all();
	before = pool_test_reclaimable_pages();

	wc = pool_test_tt_alloc(test, pool, 3, ttm_write_combined);
	uc = pool_test_tt_alloc(test, pool, 4, ttm_uncached);
	ttm_pool_free(pool, wc);
	ttm_pool_free(pool, uc);
	pool_test_free_singles(test, pool, 2);
	pool_test_free_singles(test, other, 1);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 9);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_uncached][2], 4);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_write_combined][1], 2);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_write_combined][0], 1);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->pooled[ttm_cached][0], 2);
	/* Pooled pages show as reclaimable kernel memory. */
	KUNIT_EXPECT_GE(test, pool_test_reclaimable_pages(),
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
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(),
			before);
}

/*
 * Allocations that take pooled chunks leave NR_KERNEL_MISC_RECLAIMABLE
 * alone for up to TTM_POOL_ACCT_SLACK pages of a type (the frees that give
 * them back then do too) and for a second at most; frees beyond that are
 * counted at once, and a sync, a drain or a fini makes the counter exact
 * again.
 */
static void pool_reclaimable_slack(struct kunit *test)
{
	/* Its pages on one node: another would make the counter exact. */
	struct ttm_pool *pool = pool_test_pool_new(test, false,
						   first_online_node);
	unsigned int i, n = TTM_POOL_ACCT_SLACK + 10;
	struct ttm_tt **tts;
	long before, now;

	tts = kunit_kcalloc(test, n, sizeof(*tts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tts);
	ttm_pool_drain_all();
	before = pool_test_reclaimable_pages();

	/* Pooled: counted at once. */
	pool_test_free_singles(test, pool, n);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), n);
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before + n);

	/* Taken out: still counted, up to the slack. */
	for (i = 0; i < n; i++)
		tts[i] = pool_test_tt_alloc(test, pool, 1, ttm_cached);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 0);
	now = pool_test_reclaimable_pages();
	KUNIT_EXPECT_GE(test, now, before);
	KUNIT_EXPECT_LE(test, now, before + TTM_POOL_ACCT_SLACK);
	ttm_pool_account_sync(pool);
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before);

	/* Given back: counted at once again. */
	for (i = 0; i < n; i++)
		ttm_pool_free(pool, tts[i]);
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before + n);

	/*
	 * A few taken: brought in by the pool's acct_work a second later
	 * (wait for up to 10), unless a free gives them back first.
	 */
	for (i = 0; i < 8; i++)
		tts[i] = pool_test_tt_alloc(test, pool, 1, ttm_cached);
	for (i = 0; i < 100; i++) {
		now = pool_test_reclaimable_pages();
		if (now == before + n - 8)
			break;
		msleep(100);
	}
	KUNIT_EXPECT_EQ(test, now, before + n - 8);
	for (i = 0; i < 8; i++)
		ttm_pool_free(pool, tts[i]);
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before + n);

	/* A drain leaves none of it. */
	ttm_pool_drain(pool);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before);
}

/*
 * A drain holds a type's lock for at most TTM_POOL_LOCK_BATCH chunks at a
 * time (it used to hold it for the whole list), and still releases all.
 */
static void pool_drain_bounded(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	unsigned int n = 3 * TTM_POOL_LOCK_BATCH + 5, held;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	pool_test_free_singles(test, pool, n);
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

static struct kunit_case pool_limits_cases[] = {
	KUNIT_CASE(pool_cap_per_pool),
	KUNIT_CASE(pool_cap_global),
	KUNIT_CASE(pool_cap_global_evicts_only_enough),
	KUNIT_CASE(pool_free_in_fence_signalling),
	KUNIT_CASE(pool_lower_cap_trims),
	KUNIT_CASE(pool_watermarks),
	KUNIT_CASE(pool_watermarks_follow_cap),
	KUNIT_CASE(pool_drain),
	KUNIT_CASE(pool_reclaimable_slack),
	KUNIT_CASE(pool_release_wb_per_large_chunk),
	KUNIT_CASE(pool_drain_bounded),
	{}
};

static struct kunit_suite pool_limits_suite = {
	.name = "ttm_pool_core_limits",
	.init = pool_test_init,
	.test_cases = pool_limits_cases,
};

kunit_test_suite(pool_limits_suite);
