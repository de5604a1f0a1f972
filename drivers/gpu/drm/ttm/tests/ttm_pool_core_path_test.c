// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_path of the per-device TTM page pool: the paths a
 * pool allocates through (coherent, page, auto), switching between them with
 * tts of the old path alive and while other threads allocate, the coherent
 * lists, tts without DMA addresses and confidential guests.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/swiotlb.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

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

	dma = pool_test_pool_new(test, true, NUMA_NO_NODE);
	page = pool_test_pool_new(test, false, NUMA_NO_NODE);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *old, *new;

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	old = pool_test_tt_alloc(test, pool, 5, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, pool_test_chunk_is_coherent(old->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_PAGE), 5);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	new = pool_test_tt_alloc(test, pool, 3, ttm_write_combined);
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(new->pages[0]));
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(new->pages[2]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_COHERENT), 3);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->inuse_pages, 8);

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
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->inuse_pages, 0);

	/* The reverse: coherent chunks in use across a switch to page. */
	new = pool_test_tt_alloc(test, pool, 3, ttm_write_combined);
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(new->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 3);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	old = pool_test_tt_alloc(test, pool, 2, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, pool_test_chunk_is_coherent(old->pages[0]));
	ttm_pool_free(pool, new);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_SWITCH), 8);
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(pool, true));
	ttm_pool_free(pool, old);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 2);
	KUNIT_EXPECT_FALSE(test, pool_lists_empty(pool, false));
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->inuse_pages, 0);
}

struct churn {
	struct ttm_pool *pool;
	struct ttm_tt *tt[2];
	unsigned long rounds;
	int err;
};

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
	return pool_test_churn_park();
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
	c->pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	ttm_pool_set_path(c->pool, TTM_POOL_PATH_PAGE);	/* also under swiotlb */
	c->tt[0] = pool_test_tt_new(test, 3, ttm_write_combined, true);
	c->tt[1] = pool_test_tt_new(test, 3, ttm_cached, true);
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
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, c->pool)->inuse_pages, 0);
	/* Only chunks of the current path are pooled. */
	coherent = ttm_pool_effective_path(c->pool) == TTM_POOL_PATH_COHERENT;
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(c->pool, !coherent));
	KUNIT_EXPECT_EQ(test, POOLED(test, c->pool),
			atomic_long_read(&ttm_pool_state(c->pool)->pooled));
}

static void pool_switch_releases_pooled(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);

	ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE);
	pool_test_free_singles(test, pool, 4);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 4);

	ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, RELEASE_SWITCH), 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ttm_pool_state(pool)->pooled), 0);
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
	struct ttm_pool *plain = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *dma = pool_test_pool_new(test, true, NUMA_NO_NODE);
	struct ttm_pool *node = pool_test_pool_new(test, false, 0);
	struct list_head *l = NULL;
	struct ttm_tt *tt;

	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(plain, NULL), 0);
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(dma, NULL), all);
	KUNIT_EXPECT_EQ(test, coherent_lists_set_up(node, NULL), all);
	KUNIT_EXPECT_TRUE(test, pool_lists_empty(dma, true));

	KUNIT_ASSERT_EQ(test,
			ttm_pool_set_path(plain, TTM_POOL_PATH_COHERENT), 0);
	tt = pool_test_tt_alloc(test, plain, 1, ttm_uncached);	/* one chunk */
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool *dma = pool_test_pool_new(test, true, NUMA_NO_NODE);
	struct ttm_tt *plain, *mapped;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	plain = pool_test_tt_new(test, 2, ttm_write_combined, false);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, plain, &ctx), 0);
	mapped = pool_test_tt_alloc(test, pool, 2, ttm_write_combined);
	KUNIT_EXPECT_FALSE(test, pool_test_chunk_is_coherent(plain->pages[0]));
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(mapped->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_PAGE), 2);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_COHERENT), 2);

	/* Both kinds are pooled, and each serves its own kind of tt. */
	ttm_pool_free(pool, plain);
	ttm_pool_free(pool, mapped);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 4);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, plain, &ctx), 0);
	KUNIT_EXPECT_FALSE(test, pool_test_chunk_is_coherent(plain->pages[0]));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 2);
	ttm_pool_free(pool, plain);

	/* The driver asked for coherent allocations: every tt gets them. */
	plain = pool_test_tt_new(test, 2, ttm_write_combined, false);
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(dma, plain, &ctx), 0);
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(plain->pages[0]));
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
	dma = pool_test_pool_new(test, true, NUMA_NO_NODE);
	page = pool_test_pool_new(test, false, NUMA_NO_NODE);
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

	tt = pool_test_tt_new(test, 2, ttm_cached, true);
	tt->page_flags = TTM_TT_FLAG_DECRYPTED;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(page, tt, &ctx), 0);
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(tt->pages[0]));
	ttm_pool_free(page, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, page), 0);
	kunit_deactivate_static_stub(test, ttm_pool_cc_guest);
}

static struct kunit_case pool_path_cases[] = {
	KUNIT_CASE(pool_path_auto),
	KUNIT_CASE(pool_switch_live),
	KUNIT_CASE(pool_switch_concurrent),
	KUNIT_CASE(pool_switch_releases_pooled),
	KUNIT_CASE(pool_coherent_lists),
	KUNIT_CASE(pool_coherent_only_with_dma_addresses),
	KUNIT_CASE(pool_cc_guest_keeps_driver_path),
	{}
};

static struct kunit_suite pool_path_suite = {
	.name = "ttm_pool_core_path",
	.init = pool_test_init,
	.test_cases = pool_path_cases,
};

kunit_test_suite(pool_path_suite);
