// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit tests of the pool's API used wrongly: a free after fini, fini twice,
 * init twice, setters of a finalised pool, a pool never initialised. No
 * in-tree driver does these; when one does, the pool must warn once and
 * touch neither the pool's memory nor the driver's around it (a finalised
 * pool's state link points at the pool itself), and give pages back.
 *
 * Each case announces the warning it provokes with a line
 * "ttm-expect-warning: FUNCTION" before provoking it; the log check of
 * make check (scripts/logcheck.py) accepts exactly one WARNING in FUNCTION
 * after each such line, in a KUnit thread, and fails on a line that is not
 * followed by its warning. Every case warns from its own call site: a
 * WARN_ONCE fires once per boot.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/mm.h>
#include <linux/string.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "../ttm_pool_internal.h"

/*
 * A pool as a driver embeds it: with driver memory after it, as large as
 * the pool's own state, that the pool must never write to.
 */
struct misuse_pool {
	struct ttm_pool pool;
	u8 driver[sizeof(struct ttm_pool_state) + 64];
};

struct misuse_test {
	struct ttm_test_devices *devs;
	struct misuse_pool *mp;
	struct misuse_pool *snap;
};

static struct ttm_operation_ctx ctx = { };

static void misuse_cleanup(void *data)
{
	struct kunit *test = data;
	struct misuse_test *priv = test->priv;

	ttm_test_devices_put(test, priv->devs);
}

static int misuse_test_init(struct kunit *test)
{
	struct misuse_test *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	priv->mp = kunit_kzalloc(test, sizeof(*priv->mp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv->mp);
	priv->snap = kunit_kzalloc(test, sizeof(*priv->snap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv->snap);
	memset(priv->mp->driver, 0x5a, sizeof(priv->mp->driver));
	priv->devs = ttm_test_devices_basic(test);
	test->priv = priv;
	return kunit_add_action_or_reset(test, misuse_cleanup, test);
}

static struct ttm_pool *misuse_pool(struct kunit *test)
{
	struct misuse_test *priv = test->priv;

	ttm_pool_init(&priv->mp->pool, priv->devs->dev, NUMA_NO_NODE, false,
		      false);
	return &priv->mp->pool;
}

/* Remember the pool and the driver's memory after it. */
static void snapshot(struct kunit *test)
{
	struct misuse_test *priv = test->priv;

	memcpy(priv->snap, priv->mp, sizeof(*priv->mp));
}

/* Nothing of the pool or the driver's memory changed since snapshot(). */
static bool untouched(struct kunit *test)
{
	struct misuse_test *priv = test->priv;

	return !memcmp(priv->snap, priv->mp, sizeof(*priv->mp));
}

static int is_pool(struct ttm_pool *pool, void *data)
{
	return pool == data;
}

/* Is @pool on the list of pools (the shrinker's, sysfs')? */
static bool pool_is_listed(struct ttm_pool *pool)
{
	return ttm_pool_for_each(is_pool, pool);
}

static void expect_warning(struct kunit *test, const char *func)
{
	kunit_info(test, "ttm-expect-warning: %s\n", func);
}

static struct ttm_tt *tt_alloc(struct kunit *test, struct ttm_pool *pool,
			       unsigned long num_pages,
			       enum ttm_caching caching)
{
	struct ttm_tt *tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tt);
	tt->num_pages = num_pages;
	tt->caching = caching;
	tt->pages = kunit_kcalloc(test, num_pages, sizeof(*tt->pages),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt->pages);
	tt->dma_address = kunit_kcalloc(test, num_pages,
					sizeof(*tt->dma_address), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt->dma_address);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

/*
 * A tt freed after its pool's fini: its page-path pages go back to the
 * system (the test holds a reference to see the pool drop its own), with
 * write-back restored, and nothing is written to the pool or after it.
 */
static void misuse_free_after_fini(struct kunit *test)
{
	struct ttm_pool *pool = misuse_pool(test);
	struct ttm_tt *tt;
	struct page *p;

	/* Page path also under swiotlb=force (a coherent chunk is leaked). */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = tt_alloc(test, pool, 1, ttm_write_combined);
	p = tt->pages[0];

	get_page(p);
	ttm_pool_fini(pool);
	snapshot(test);
	expect_warning(test, "ttm_pool_free");
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_TRUE(test, untouched(test));
	KUNIT_EXPECT_EQ(test, page_ref_count(p), 1);
	put_page(p);
}

/* A second fini does nothing. */
static void misuse_fini_twice(struct kunit *test)
{
	struct ttm_pool *pool = misuse_pool(test);
	struct ttm_tt *tt = tt_alloc(test, pool, 4, ttm_cached);

	ttm_pool_free(pool, tt);
	ttm_pool_fini(pool);
	KUNIT_EXPECT_FALSE(test, pool_is_listed(pool));
	snapshot(test);
	expect_warning(test, "ttm_pool_fini");
	ttm_pool_fini(pool);
	KUNIT_EXPECT_TRUE(test, untouched(test));
	KUNIT_EXPECT_FALSE(test, pool_is_listed(pool));
}

/*
 * A second init is refused: the pool keeps its state (a second one would
 * leak the first, which stays on the list of pools and outlives the pool),
 * works, and one fini takes it off the list.
 */
static void misuse_init_twice(struct kunit *test)
{
	struct misuse_test *priv = test->priv;
	struct ttm_pool *pool = misuse_pool(test);
	struct ttm_tt *tt;

	ttm_pool_set_max_pages(pool, 8);
	expect_warning(test, "ttm_pool_init");
	ttm_pool_init(pool, priv->devs->dev, NUMA_NO_NODE, false, false);
	KUNIT_EXPECT_EQ(test, ttm_pool_max_pages(pool), 8);
	tt = tt_alloc(test, pool, 2, ttm_cached);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_pooled_pages(pool, ttm_cached), 2);
	ttm_pool_fini(pool);
	KUNIT_EXPECT_FALSE(test, pool_is_listed(pool));
}

/* The setters of a finalised pool refuse and write nothing. */
static void misuse_set_after_fini(struct kunit *test)
{
	struct ttm_pool *pool = misuse_pool(test);

	ttm_pool_fini(pool);
	snapshot(test);
	expect_warning(test, "ttm_pool_set_max_pages");
	KUNIT_EXPECT_EQ(test, ttm_pool_set_max_pages(pool, 16), -EINVAL);
	KUNIT_EXPECT_TRUE(test, untouched(test));
}

/* A pool never initialised (zeroed memory): a drain does nothing. */
static void misuse_never_initialised(struct kunit *test)
{
	struct misuse_test *priv = test->priv;

	snapshot(test);
	expect_warning(test, "ttm_pool_drain");
	ttm_pool_drain(&priv->mp->pool);
	KUNIT_EXPECT_TRUE(test, untouched(test));
}

static struct kunit_case misuse_cases[] = {
	KUNIT_CASE(misuse_free_after_fini),
	KUNIT_CASE(misuse_fini_twice),
	KUNIT_CASE(misuse_init_twice),
	KUNIT_CASE(misuse_set_after_fini),
	KUNIT_CASE(misuse_never_initialised),
	{}
};

static struct kunit_suite misuse_suite = {
	.name = "ttm_pool_misuse",
	.init = misuse_test_init,
	.test_cases = misuse_cases,
};

kunit_test_suites(&misuse_suite);

MODULE_DESCRIPTION("KUnit tests of the TTM pool's API used wrongly");
MODULE_LICENSE("GPL and additional rights");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(TTM_POOL_TEST);
