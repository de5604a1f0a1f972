// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_clear of the per-device TTM page pool: clearing:
 * tts that need zeroes (TTM_TT_FLAG_ZERO_ALLOC, init_on_alloc, init_on_free),
 * the background worker (prezero) racing everything else, memory pressure, the
 * worker's thread and hibernation.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/suspend.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

#define CLEAN(test, pool) (pool_test_stats(test, pool)->clean_pages)
#define DIRTY(test, pool) dirty_pages(test, pool)

static unsigned long dirty_pages(struct kunit *test, struct ttm_pool *pool)
{
	struct ttm_pool_stats *s = pool_test_stats(test, pool);

	return s->pooled_pages - s->clean_pages;
}

/* A pooled chunk is cleared when a tt that wants zeroes takes it. */
static void pool_clears_for_zero_alloc(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u8 *va;

	tt = pool_test_tt_alloc(test, pool, 1, ttm_cached);
	first = tt->pages[0];
	va = page_address(first);
	memset(va, 0xa5, PAGE_SIZE);
	ttm_pool_free(pool, tt);

	tt = pool_test_tt_new(test, 1, ttm_cached, true);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u8 *va;

	kunit_info(test, "init_on_alloc=%d init_on_free=%d\n",
		   want_init_on_alloc(0), want_init_on_free());
	/* No background clearing: what the free left is what is pooled. */
	ttm_pool_set_prezero(pool, false);
	tt = pool_test_tt_alloc(test, pool, 1, ttm_write_combined);
	first = tt->pages[0];
	va = page_address(first);
	memset(va, 0x5a, PAGE_SIZE);
	ttm_pool_free(pool, tt);

	tt = pool_test_tt_alloc(test, pool, 1, ttm_write_combined);
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

/* Does every page of @tt hold @v in every byte? */
static bool tt_holds(struct ttm_tt *tt, u8 v)
{
	pgoff_t i;

	for (i = 0; i < tt->num_pages; i++)
		if (memchr_inv(page_address(tt->pages[i]), v, PAGE_SIZE))
			return false;
	return true;
}

static struct ttm_tt *tt_alloc_zero(struct kunit *test, struct ttm_pool *pool,
				    unsigned long num_pages,
				    enum ttm_caching caching)
{
	struct ttm_tt *tt = pool_test_tt_new(test, num_pages, caching, true);

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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_EXPECT_TRUE(test, ttm_pool_prezero(pool));
	ttm_pool_set_prezero(pool, false);
	tt = pool_test_tt_alloc(test, pool, 5, ttm_write_combined);	/* orders 2, 0 */
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	enum ttm_caching c[] = { ttm_cached, ttm_write_combined };
	struct page *pages[5];
	unsigned int i, k, nonzero;
	struct ttm_tt *tt;

	kunit_info(test, "init_on_free=%d\n", iof);
	ttm_pool_set_prezero(pool, false);
	for (k = 0; k < ARRAY_SIZE(c); k++) {
		ttm_pool_drain(pool);
		tt = pool_test_tt_alloc(test, pool, 5, c[k]);	/* orders 2, 0 */
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *a, *b;
	struct page *dirty;

	/* on: every freed chunk is cleared (auto leaves a few pages dirty) */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(pool, true), 0);

	if (want_init_on_free()) {
		/*
		 * Frees clear (pool_init_on_free_clears_at_free): no chunk is
		 * ever dirty, there is nothing for the worker or for an
		 * allocation to clear, and every tt sees zeroes.
		 */
		ttm_pool_set_prezero(pool, false);
		a = pool_test_tt_alloc(test, pool, 1, ttm_cached);
		b = pool_test_tt_alloc(test, pool, 1, ttm_cached);
		tt_fill(a, 0x3c);
		tt_fill(b, 0x3c);
		ttm_pool_free(pool, a);
		ttm_pool_free(pool, b);
		ttm_pool_set_prezero(pool, true);
		ttm_pool_prezero_flush(pool);
		KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 2);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 0);
		a = pool_test_tt_alloc(test, pool, 1, ttm_cached);
		b = tt_alloc_zero(test, pool, 1, ttm_cached);
		KUNIT_EXPECT_EQ(test, tt_dirty(a) + tt_dirty(b), 0);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 2);
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), 0);
		ttm_pool_free(pool, a);
		ttm_pool_free(pool, b);
		return;
	}
	a = pool_test_tt_alloc(test, pool, 1, ttm_cached);
	b = pool_test_tt_alloc(test, pool, 1, ttm_cached);
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
	b = pool_test_tt_alloc(test, pool, 1, ttm_cached);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt[3];
	unsigned int i;

	/* on: every freed chunk is cleared (auto leaves a few pages dirty) */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(pool, true), 0);

	for (i = 0; i < 3; i++)
		tt[i] = pool_test_tt_alloc(test, pool, 1, ttm_cached);
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
		for (i = 0; i < ARRAY_SIZE(c->tt); i++) {
			/* Nothing wrote into it while it was handed out. */
			c->bad += !tt_holds(c->tt[i], 0xa5 + i);
			ttm_pool_free(c->pool, c->tt[i]);
		}
		WRITE_ONCE(c->rounds, c->rounds + 1);
		cond_resched();
	}
out:
	return pool_test_churn_park();
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
	c->pool = pool_test_pool_new(test, true, NUMA_NO_NODE);
	c->target = 150;
	for (i = 0; i < ARRAY_SIZE(c->tt); i++)
		c->tt[i] = pool_test_tt_new(test, sizes[i], i % 2 ? ttm_write_combined :
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
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, c->pool)->inuse_pages, 0);

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
	long before = pool_test_reclaimable_pages();
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pool);
		ttm_pool_init(pool, priv->devs->dev, NUMA_NO_NODE, i % 2, false);
		tt = pool_test_tt_alloc(test, pool, 2048, ttm_write_combined);
		ttm_pool_free(pool, tt);
		if (i >= 2)
			schedule_timeout_uninterruptible(1);
		ttm_pool_fini(pool);
	}
	KUNIT_EXPECT_EQ(test, pool_test_reclaimable_pages(), before);
}

/*
 * The clearing worker stopped half-way through a coherent chunk (its batch
 * ran out) while page-path chunks of the same type are dirty too: its next
 * run finishes the coherent chunk and then clears the page-path ones (it
 * used to stop at the coherent list, leaving them dirty until a free).
 */
static void pool_clear_continues_other_list(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_type *pt = &pool->caching[ttm_cached].orders[2];
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	struct ttm_tt *c, *p;
	struct page *cp;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_COHERENT), 0);
	ttm_pool_set_prezero(pool, false);
	c = pool_test_tt_alloc(test, pool, 4, ttm_cached);	/* DMA addresses: coherent */
	p = pool_test_tt_new(test, 4, ttm_cached, false);		/* none: page path */
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, p, &ctx), 0);
	KUNIT_ASSERT_TRUE(test, pool_test_chunk_is_coherent(c->pages[0]));
	KUNIT_ASSERT_FALSE(test, pool_test_chunk_is_coherent(p->pages[0]));
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	unsigned int i;

	/* on: every freed chunk is cleared (auto leaves a few pages dirty) */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(pool, true), 0);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = pool_test_tt_alloc(test, pool, 4, ttm_cached);
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

struct backoff_flush {
	struct ttm_pool *pool;
	struct completion done;
};

static int backoff_flush_thread(void *data)
{
	struct backoff_flush *f = data;

	ttm_pool_prezero_flush(f->pool);
	complete(&f->done);
	return 0;
}

/*
 * A flush that saw the worker running while that run ended by backing off
 * for memory (queued again behind a timer): it must still return. It used
 * to wait in kthread_flush_work(), whose flush was filed behind the timed
 * work on the worker's delayed list and never ran: make check's KUnit boot
 * hung there once, under load. The window is set up by hand: the worker
 * backed off, and the flush is made to see it running.
 */
static void pool_prezero_flush_meets_backoff(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct backoff_flush f = { .pool = pool };
	struct task_struct *t;
	struct ttm_tt *tt;
	bool backoff = false;
	unsigned int i;

	/* on: every freed chunk is cleared (auto leaves a few pages dirty) */
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(pool, true), 0);

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = pool_test_tt_alloc(test, pool, 4, ttm_cached);
	tt_fill(tt, 0xa5);
	WRITE_ONCE(ttm_pool_test_memory_short, 1);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, memory_short_restore,
						  NULL));
	ttm_pool_free(pool, tt);
	if (want_init_on_free()) {
		/* Frees clear: the worker has nothing to back off from. */
		KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
		return;
	}
	for (i = 0; i < 300 && !backoff; i++) {
		spin_lock(&st->clear_lock);
		backoff = st->clear_queued && st->clear_backoff &&
			  !st->clear_running;
		if (backoff)
			st->clear_running = true;	/* as the flush saw it */
		spin_unlock(&st->clear_lock);
		if (!backoff)
			msleep(20);
	}
	KUNIT_ASSERT_TRUE(test, backoff);

	init_completion(&f.done);
	t = kthread_run(backoff_flush_thread, &f, "ttm-pool-flush-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* It flushes (and waits) while it sees the run. */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&f.done, HZ / 5));
	spin_lock(&st->clear_lock);
	st->clear_running = false;
	spin_unlock(&st->clear_lock);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&f.done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 4);
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
	pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	kunit_deactivate_static_stub(test, ttm_pool_clear_create);
	KUNIT_EXPECT_FALSE(test, ttm_pool_prezero(pool));

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	tt = pool_test_tt_alloc(test, pool, 2, ttm_cached);
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

/* The worker's store into the test's chunk, held open (see below). */
static struct page *store_chunk;
static bool store_open;

static void store_hook(struct page *p)
{
	/* Another pool's store is not held. */
	if (p != READ_ONCE(store_chunk))
		return;
	WRITE_ONCE(store_open, true);
	/* Preemption is off: the taker runs on another CPU meanwhile. */
	mdelay(200);
	WRITE_ONCE(store_open, false);
}

static void store_hook_restore(void *data)
{
	WRITE_ONCE(ttm_pool_test_store_hook, NULL);
}

/*
 * The worker stores zeroes into a write-back or write-combined chunk
 * without the type's lock, a segment at a time. A tt that takes that chunk
 * meanwhile gets it only once the store is done: it sees the zeroes, and no
 * zero lands on what its user writes afterwards.
 */
static void take_waits_for_store(struct kunit *test, enum ttm_caching caching)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	unsigned long timeout;
	struct ttm_tt *tt;
	bool open;

	ttm_pool_set_prezero(pool, false);
	tt = pool_test_tt_alloc(test, pool, 16, caching);	/* one order 4 */
	tt_fill(tt, 0xa5);
	WRITE_ONCE(store_open, false);
	WRITE_ONCE(store_chunk, tt->pages[0]);
	ttm_pool_free(pool, tt);
	if (want_init_on_free()) {
		/* Frees clear: nothing is left for the worker. */
		KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
		return;
	}
	KUNIT_ASSERT_EQ(test, DIRTY(test, pool), 16);

	ttm_pool_set_prezero(pool, true);
	timeout = jiffies + 30 * HZ;
	while (!READ_ONCE(store_open) && time_before(jiffies, timeout))
		usleep_range(50, 100);
	open = READ_ONCE(store_open);
	KUNIT_ASSERT_TRUE_MSG(test, open, "the worker never stored");

	/* Not a ZERO_ALLOC tt: it takes the dirty chunk being stored into. */
	tt->page_flags = 0;
	memset(tt->pages, 0, tt->num_pages * sizeof(*tt->pages));
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	KUNIT_EXPECT_PTR_EQ(test, tt->pages[0], READ_ONCE(store_chunk));
	open = READ_ONCE(store_open);
	KUNIT_EXPECT_FALSE_MSG(test, open, "taken while the store was held");
	KUNIT_EXPECT_EQ(test, tt_dirty(tt), 0);
	tt_fill(tt, 0x5a);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_TRUE(test, tt_holds(tt, 0x5a));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 16);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 16);
}

static void pool_take_waits_for_store(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT) || IS_ENABLED(CONFIG_HIGHMEM))
		kunit_skip(test, "the worker clears a page per hold of the lock here");
	KUNIT_ASSERT_GE_MSG(test, num_online_cpus(), 2,
			    "the taker must run beside the worker's store");
	WRITE_ONCE(ttm_pool_test_store_hook, store_hook);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, store_hook_restore,
						  NULL));
	take_waits_for_store(test, ttm_cached);
	take_waits_for_store(test, ttm_write_combined);
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
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;

	KUNIT_ASSERT_EQ(test, ttm_pool_set_path(pool, TTM_POOL_PATH_PAGE), 0);
	ttm_pool_set_prezero(pool, false);
	tt = pool_test_tt_alloc(test, pool, 5, ttm_write_combined);	/* orders 2, 0 */
	tt_fill(tt, 0xa5);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 5);

	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, post_hibernation,
						  NULL));
	ttm_pool_pm_notify(NULL, PM_HIBERNATION_PREPARE, NULL);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), iof ? 5 : 0);

	tt = pool_test_tt_alloc(test, pool, 3, ttm_cached);		/* orders 1, 0 */
	tt_fill(tt, 0x5a);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), iof ? 8 : 3);

	ttm_pool_pm_notify(NULL, PM_POST_HIBERNATION, NULL);
	tt = pool_test_tt_alloc(test, pool, 2, ttm_write_combined);
	tt_fill(tt, 0x5a);
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, DIRTY(test, pool), iof ? 0 : 2);
}

static struct kunit_case pool_clear_cases[] = {
	KUNIT_CASE(pool_clears_for_zero_alloc),
	KUNIT_CASE(pool_no_clear_without_zero_alloc),
	KUNIT_CASE(pool_prezero_background),
	KUNIT_CASE(pool_prezero_off),
	KUNIT_CASE(pool_init_on_free_clears_at_free),
	KUNIT_CASE(pool_prezero_release_dirty_first),
	KUNIT_CASE(pool_prezero_concurrent),
	KUNIT_CASE(pool_prezero_fini_busy),
	KUNIT_CASE(pool_clear_continues_other_list),
	KUNIT_CASE(pool_clear_comes_back_after_pressure),
	KUNIT_CASE(pool_prezero_flush_meets_backoff),
	KUNIT_CASE(pool_no_clear_thread),
	KUNIT_CASE(pool_hibernation_keeps_no_dirty),
	KUNIT_CASE(pool_take_waits_for_store),
	{}
};

static struct kunit_suite pool_clear_suite = {
	.name = "ttm_pool_core_clear",
	.init = pool_test_init,
	.test_cases = pool_clear_cases,
};

kunit_test_suite(pool_clear_suite);
