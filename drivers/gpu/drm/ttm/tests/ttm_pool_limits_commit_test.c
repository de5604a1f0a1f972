// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit tests of ttm_pool_set_limits(): a pool's cap and watermarks set
 * together (sysfs' limits/commit), all of them or, on an error, none, under
 * the same rules as the single setters, which use it.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/mm.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_kunit_helpers.h"
#include "../ttm_pool_internal.h"

struct limits_test {
	struct ttm_test_devices *devs;
	struct ttm_pool pool;
};

static void limits_cleanup(void *data)
{
	struct kunit *test = data;
	struct limits_test *priv = test->priv;

	ttm_pool_fini(&priv->pool);
	ttm_test_devices_put(test, priv->devs);
}

/* A pool with a cap of 100 pages and watermarks never set. */
static int limits_test_init(struct kunit *test)
{
	struct limits_test *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	priv->devs = ttm_test_devices_basic(test);
	ttm_pool_init(&priv->pool, priv->devs->dev, NUMA_NO_NODE, false, false);
	test->priv = priv;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, limits_cleanup,
							test), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(&priv->pool, 100), 0);
	return 0;
}

static struct ttm_pool *test_pool(struct kunit *test)
{
	return &((struct limits_test *)test->priv)->pool;
}

static int set_limits(struct ttm_pool *pool, unsigned int set,
		      unsigned long max, unsigned long high, unsigned long low)
{
	struct ttm_pool_limits l = {
		.max_pages = max,
		.high_watermark = high,
		.low_watermark = low,
		.set = set,
	};

	return ttm_pool_set_limits(pool, &l);
}

static void expect_limits(struct kunit *test, unsigned long max,
			  unsigned long high, unsigned long low)
{
	struct ttm_pool *pool = test_pool(test);

	KUNIT_EXPECT_EQ(test, ttm_pool_max_pages(pool), max);
	KUNIT_EXPECT_EQ(test, ttm_pool_high_watermark(pool), high);
	KUNIT_EXPECT_EQ(test, ttm_pool_low_watermark(pool), low);
}

/* All three at once, in any direction, whatever single writes could do. */
static void limits_together(struct kunit *test)
{
	struct ttm_pool *pool = test_pool(test);

	/* Raising all above the cap in force: one single write at a time fails. */
	KUNIT_EXPECT_EQ(test, ttm_pool_set_high_watermark(pool, 150), -EINVAL);
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL, 200, 150, 120),
			0);
	expect_limits(test, 200, 150, 120);
	/* Lowering all below the low watermark in force. */
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL, 10, 8, 4), 0);
	expect_limits(test, 10, 8, 4);
	/* Both watermarks count as set: a higher cap leaves them. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 50), 0);
	expect_limits(test, 50, 8, 4);
}

/* An invalid combination changes nothing, not even the "set" flags. */
static void limits_all_or_nothing(struct kunit *test)
{
	struct ttm_pool *pool = test_pool(test);

	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL, 50, 60, 10),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL, 50, 20, 30),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_HIGH |
					 TTM_POOL_LIMIT_LOW, 0, 101, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL,
					 totalram_pages() + 1, 1, 1), -ERANGE);
	expect_limits(test, 100, 100, 100);
	/* Still never set: they follow the cap. */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_max_pages(pool, 40), 0);
	expect_limits(test, 40, 40, 40);
}

/* Nothing to set, or bits it does not know: -EINVAL. */
static void limits_bad_set(struct kunit *test)
{
	struct ttm_pool *pool = test_pool(test);

	KUNIT_EXPECT_EQ(test, set_limits(pool, 0, 1, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL + 1, 1, 1, 1),
			-EINVAL);
	expect_limits(test, 100, 100, 100);
}

/* What is not given follows, or keeps its value, as with single writes. */
static void limits_rules(struct kunit *test)
{
	struct ttm_pool *pool = test_pool(test);

	/* A high watermark alone: low, never set, follows it. */
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_HIGH, 0, 60, 0),
			0);
	expect_limits(test, 100, 60, 60);
	/* A low watermark set, then a cap below both: both lowered to it. */
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_LOW, 0, 0, 30),
			0);
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_MAX, 20, 0, 0),
			0);
	expect_limits(test, 20, 20, 20);
	/* A low watermark given above a high one set before: refused. */
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_MAX |
					 TTM_POOL_LIMIT_LOW, 100, 0, 30), -EINVAL);
	expect_limits(test, 20, 20, 20);
	/* With a high watermark given too, it goes. */
	KUNIT_ASSERT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_ALL, 100, 50, 30),
			0);
	expect_limits(test, 100, 50, 30);
	/* A high watermark given below the low one set: refused. */
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_HIGH, 0, 25, 0),
			-EINVAL);
	expect_limits(test, 100, 50, 30);
}

/* The single setters give what ttm_pool_set_limits() gives. */
static void limits_single_setters(struct kunit *test)
{
	struct ttm_pool *pool = test_pool(test);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_low_watermark(pool, 30), 0);
	expect_limits(test, 100, 100, 30);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_high_watermark(pool, 20), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_limits(pool, TTM_POOL_LIMIT_HIGH, 0, 20, 0),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_high_watermark(pool, 40), 0);
	expect_limits(test, 100, 40, 30);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_low_watermark(pool, 41), -EINVAL);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_watermarks(pool, 90, 10), 0);
	expect_limits(test, 100, 90, 10);
}

static struct kunit_case ttm_pool_limits_commit_cases[] = {
	KUNIT_CASE(limits_together),
	KUNIT_CASE(limits_all_or_nothing),
	KUNIT_CASE(limits_bad_set),
	KUNIT_CASE(limits_rules),
	KUNIT_CASE(limits_single_setters),
	{}
};

static struct kunit_suite ttm_pool_limits_commit_suite = {
	.name = "ttm_pool_limits_commit",
	.init = limits_test_init,
	.test_cases = ttm_pool_limits_commit_cases,
};

kunit_test_suites(&ttm_pool_limits_commit_suite);

MODULE_DESCRIPTION("KUnit tests of a TTM pool's cap and watermarks set together");
MODULE_LICENSE("GPL and additional rights");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
