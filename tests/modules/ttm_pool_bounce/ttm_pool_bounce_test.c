// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_bounce: the seeds' scenario, on a kernel booted with swiotlb=force.
 *
 * A device with a 32-bit DMA mask gets bounce-buffer addresses from
 * dma_map_page() while the CPU writes the real page, so a GPU would read
 * stale data. The pool's coherent path (what "auto" picks here) hands out
 * pages whose DMA address is the page itself. Each case allocates
 * write-combined pages through a pool, writes a pattern with the CPU and
 * looks at what a device reading tt->dma_address[i] would see.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/swiotlb.h>
#include <linux/vmstat.h>
#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#define NPAGES 64
/* The next value device_sees_cpu_writes() writes; never 0 (zeroed slots). */
static u8 next_pattern = 0x5a;

struct bounce_test {
	struct device *dev;
	struct ttm_pool pool;
	struct ttm_pool_stats stats;
};

static struct ttm_operation_ctx ctx = { };

/*
 * Free pages, including those on the per-CPU free lists: NR_FREE_PAGES alone
 * drops when a CPU's list is refilled from the buddy allocator and does not
 * rise when pages are freed to a list, so it moves with whichever CPU
 * allocated and freed, and by more than a test's buffers.
 */
static unsigned long free_pages_all(void)
{
	unsigned long n = global_zone_page_state(NR_FREE_PAGES);
	int nid, cpu, i;

	for_each_online_node(nid) {
		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[i];

			if (!populated_zone(zone))
				continue;
			for_each_online_cpu(cpu)
				n += READ_ONCE(per_cpu_ptr(zone->per_cpu_pageset,
							   cpu)->count);
		}
	}
	return n;
}

static void pool_fini_action(void *pool)
{
	ttm_pool_fini(pool);
}

static int bounce_init(struct kunit *test)
{
	struct bounce_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = kunit_device_register(test, "ttm-pool-bounce");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	KUNIT_ASSERT_EQ(test, dma_get_mask(t->dev), DMA_BIT_MASK(32));
	if (!is_swiotlb_force_bounce(t->dev))
		KUNIT_FAIL(test, "boot with swiotlb=force: nothing bounces");
	ttm_pool_init(&t->pool, t->dev, NUMA_NO_NODE, false, true);
	test->priv = t;
	return kunit_add_action_or_reset(test, pool_fini_action, &t->pool);
}

static struct ttm_tt *tt_alloc(struct kunit *test, struct ttm_pool *pool)
{
	struct ttm_tt *tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tt);
	tt->num_pages = NPAGES;
	tt->caching = ttm_write_combined;
	tt->pages = kunit_kcalloc(test, NPAGES, sizeof(*tt->pages), GFP_KERNEL);
	tt->dma_address = kunit_kcalloc(test, NPAGES, sizeof(dma_addr_t),
					GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt->pages);
	KUNIT_ASSERT_NOT_NULL(test, tt->dma_address);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

/* Pages whose DMA address is the page itself (no bounce). */
static unsigned int direct_pages(struct device *dev, struct ttm_tt *tt)
{
	unsigned int i, n = 0;

	for (i = 0; i < tt->num_pages; i++)
		n += dma_to_phys(dev, tt->dma_address[i]) ==
		     page_to_phys(tt->pages[i]);
	return n;
}

/*
 * Pages where a device reading the DMA address sees what the CPU wrote. Each
 * call writes a value the pages did not hold before: a bounce slot holds the
 * page's content as of dma_map_page(), and a page without ZERO_ALLOC may come
 * back from the page allocator still holding an earlier call's value.
 */
static unsigned int device_sees_cpu_writes(struct device *dev,
					   struct ttm_tt *tt)
{
	u8 pattern = next_pattern++;
	unsigned int i, n = 0;

	if (!pattern)
		pattern = next_pattern++;
	for (i = 0; i < tt->num_pages; i++)
		memset(page_address(tt->pages[i]), pattern, PAGE_SIZE);
	for (i = 0; i < tt->num_pages; i++) {
		u8 *bus = phys_to_virt(dma_to_phys(dev, tt->dma_address[i]));

		n += !memchr_inv(bus, pattern, PAGE_SIZE);
	}
	return n;
}

static void check_direct(struct kunit *test, enum ttm_pool_path path)
{
	struct bounce_test *t = test->priv;
	struct ttm_tt *tt;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(&t->pool, path), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_effective_path(&t->pool), TTM_POOL_PATH_COHERENT);
	tt = tt_alloc(test, &t->pool);
	KUNIT_EXPECT_EQ(test, direct_pages(t->dev, tt), NPAGES);
	KUNIT_EXPECT_EQ(test, device_sees_cpu_writes(t->dev, tt), NPAGES);
	ttm_pool_free(&t->pool, tt);
}

static void bounce_auto_is_direct(struct kunit *test)
{
	struct bounce_test *t = test->priv;

	KUNIT_EXPECT_STREQ(test, ttm_pool_path_reason(&t->pool), "swiotlb forces bouncing");
	check_direct(test, TTM_POOL_PATH_AUTO);
}

static void bounce_coherent_is_direct(struct kunit *test)
{
	check_direct(test, TTM_POOL_PATH_COHERENT);
}

static void bounce_page_path_bounces(struct kunit *test)
{
	struct bounce_test *t = test->priv;
	struct ttm_tt *tt;
	unsigned int i, slots = 0;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(&t->pool, TTM_POOL_PATH_PAGE), 0);
	tt = tt_alloc(test, &t->pool);
	for (i = 0; i < NPAGES; i++)
		slots += !!swiotlb_find_pool(t->dev,
					     dma_to_phys(t->dev, tt->dma_address[i]));
	KUNIT_EXPECT_EQ(test, slots, NPAGES);
	KUNIT_EXPECT_EQ(test, direct_pages(t->dev, tt), 0);
	/* The device would read the stale bounce slots, not the pattern. */
	KUNIT_EXPECT_EQ(test, device_sees_cpu_writes(t->dev, tt), 0);
	ttm_pool_free(&t->pool, tt);
}

static void bounce_switch_with_live_buffers(struct kunit *test)
{
	struct bounce_test *t = test->priv;
	unsigned long free_before = free_pages_all();
	struct ttm_tt *a, *b, *c;

	a = tt_alloc(test, &t->pool);				/* coherent */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(&t->pool, TTM_POOL_PATH_PAGE), 0);
	b = tt_alloc(test, &t->pool);				/* page */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(&t->pool, TTM_POOL_PATH_COHERENT), 0);
	c = tt_alloc(test, &t->pool);				/* coherent */
	KUNIT_EXPECT_EQ(test, device_sees_cpu_writes(t->dev, a), NPAGES);
	KUNIT_EXPECT_EQ(test, device_sees_cpu_writes(t->dev, c), NPAGES);

	ttm_pool_get_stats(&t->pool, &t->stats);
	KUNIT_EXPECT_EQ(test, t->stats.inuse_pages, 3 * NPAGES);
	ttm_pool_free(&t->pool, a);
	ttm_pool_free(&t->pool, b);
	ttm_pool_free(&t->pool, c);
	ttm_pool_get_stats(&t->pool, &t->stats);
	KUNIT_EXPECT_EQ(test, t->stats.inuse_pages, 0);
	/* b's page-path pages were released, not pooled in the coherent lists. */
	KUNIT_EXPECT_EQ(test, t->stats.counter[TTM_POOL_STAT_RELEASE_SWITCH],
			NPAGES);
	KUNIT_EXPECT_EQ(test, t->stats.pooled_pages, 2 * NPAGES);
	KUNIT_EXPECT_EQ(test, t->stats.counter[TTM_POOL_STAT_PATH_SWITCHES], 2);

	ttm_pool_drain(&t->pool);
	ttm_pool_get_stats(&t->pool, &t->stats);
	KUNIT_EXPECT_EQ(test, t->stats.pooled_pages, 0);
	KUNIT_EXPECT_EQ(test, t->stats.counter[TTM_POOL_STAT_RELEASE_DRAIN],
			2 * NPAGES);
	/* Everything went back: free memory did not drop by the buffers. */
	KUNIT_EXPECT_GT(test, free_pages_all() + NPAGES, free_before);
}

static struct kunit_case bounce_cases[] = {
	KUNIT_CASE(bounce_auto_is_direct),
	KUNIT_CASE(bounce_coherent_is_direct),
	KUNIT_CASE(bounce_page_path_bounces),
	KUNIT_CASE(bounce_switch_with_live_buffers),
	{}
};

static struct kunit_suite bounce_suite = {
	.name = "ttm_pool_bounce",
	.init = bounce_init,
	.test_cases = bounce_cases,
};

kunit_test_suite(bounce_suite);

MODULE_DESCRIPTION("TTM pool under swiotlb=force: coherent path avoids bounce buffers");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(TTM_POOL_TEST);
