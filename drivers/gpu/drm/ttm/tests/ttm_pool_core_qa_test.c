// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_qa of the per-device TTM page pool: the controls
 * for drivers' QA: failure injection (ttm_pool_inject.c: every N-th, a
 * probability, a count limit, the pid and order filters, the unwind, bad
 * settings refused without a change) and verify_clean (ttm_pool_verify.c: a
 * write to a freed chunk is found, counted and cleared).
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <kunit/test.h>
#ifdef CONFIG_X86
#include <asm/pgtable.h>
#endif

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

#define INJECTED(test, pool) STAT(test, pool, ALLOC_INJECTED)

static void inject_expect(struct kunit *test, struct ttm_pool *pool,
			  const char *want)
{
	char buf[TTM_POOL_INJECT_SPEC_MAX + 64];

	ttm_pool_inject_get(pool, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

/*
 * Is @p's kernel mapping write-back? On x86 a write-combined or uncached
 * page has PWT or PCD in its direct-map entry (Linux's PAT layout); a page
 * given back to the system must have neither. Elsewhere: not checked.
 */
static bool page_is_wb(struct page *p)
{
#ifdef CONFIG_X86
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)page_address(p), &level);

	return pte && !(pte_flags(*pte) & (_PAGE_PWT | _PAGE_PCD));
#else
	return true;
#endif
}

/* Allocate a tt of @n pages and free it again; return the allocation's result. */
static int alloc_free(struct kunit *test, struct ttm_pool *pool,
		      unsigned long n)
{
	struct ttm_tt *tt = pool_test_tt_new(test, n, ttm_cached, true);
	int r = ttm_pool_alloc(pool, tt, &ctx);

	if (!r)
		ttm_pool_free(pool, tt);
	return r;
}

/* every=N fails every N-th allocation, and only those; off stops it. */
static void qa_inject_every(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	int i;

	inject_expect(test, pool, "off\n");
	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "every=3\n"), 0);
	inject_expect(test, pool, "every=3\n");
	KUNIT_EXPECT_TRUE(test, static_key_enabled(&ttm_pool_inject_armed));
	for (i = 1; i <= 9; i++)
		KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 1),
				i % 3 ? 0 : -ENOMEM);
	KUNIT_EXPECT_EQ(test, INJECTED(test, pool), 3);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_FAILURES), 3);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->inuse_pages, 0);

	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "  off "), 0);
	inject_expect(test, pool, "off\n");
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&ttm_pool_inject_armed));
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 1), 0);
	KUNIT_EXPECT_EQ(test, INJECTED(test, pool), 3);
}

/*
 * An injected failure comes after the last chunk was placed: the chunks
 * taken from the pool go back to it, the fresh ones to the system, and only
 * the failure counters move. times=T stops after T failures.
 */
static void qa_inject_unwinds(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_pool_stats *s;
	struct ttm_tt *tt;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, alloc_free(test, pool, 4), 0);
	KUNIT_ASSERT_EQ(test, POOLED(test, pool), 4);

	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "every=1 times=2"), 0);
	/* Fresh write-combined pages: back to the system as write-back. */
	tt = pool_test_tt_new(test, 12, ttm_write_combined, true);
	KUNIT_EXPECT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), -ENOMEM);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_TRUE_MSG(test, page_is_wb(tt->pages[i]),
				      "page %u of the failed tt", i);
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 4), -ENOMEM);
	inject_expect(test, pool, "every=1 times=0\n");
	s = pool_test_stats(test, pool);
	KUNIT_EXPECT_EQ(test, s->pooled_pages, 4);
	KUNIT_EXPECT_EQ(test, s->inuse_pages, 0);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_HIT], 0);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_MISS], 4);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_FAILURES], 2);
	KUNIT_EXPECT_EQ(test, s->counter[TTM_POOL_STAT_ALLOC_INJECTED], 2);

	/* Armed, but spent. */
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 4), 0);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_HIT), 4);
	KUNIT_EXPECT_EQ(test, INJECTED(test, pool), 2);
}

/* order=K spares allocations under 2^K pages; pid= other processes. */
static void qa_inject_filters(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	char spec[64];
	int i;

	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "order=2 every=1"), 0);
	inject_expect(test, pool, "every=1 order=2\n");
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 3), 0);
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 4), -ENOMEM);
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 9), -ENOMEM);

	/* pid 1 is not this test's thread. */
	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "every=1 pid=1"), 0);
	inject_expect(test, pool, "every=1 pid=1\n");
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 1), 0);
	snprintf(spec, sizeof(spec), "every=1 pid=%d", task_tgid_vnr(current));
	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, spec), 0);
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 1), -ENOMEM);
	KUNIT_EXPECT_EQ(test, INJECTED(test, pool), 3);
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, "off"), 0);
}

/*
 * probability=P fails about P percent: 400 calls at 50 % fail 200 on
 * average, with a standard deviation of 10; outside 100..300 is 10 of
 * them away (never, in practice). With times=T, only T fail.
 */
static void qa_inject_probability(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	int i, failed = 0;

	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "probability=50"), 0);
	for (i = 0; i < 400; i++)
		failed += alloc_free(test, pool, 1) == -ENOMEM;
	kunit_info(test, "probability=50: %d of 400 failed\n", failed);
	KUNIT_EXPECT_GE(test, failed, 100);
	KUNIT_EXPECT_LE(test, failed, 300);
	KUNIT_EXPECT_EQ(test, INJECTED(test, pool), failed);

	KUNIT_ASSERT_EQ(test,
			ttm_pool_inject_set(pool, "probability=100 times=3"), 0);
	inject_expect(test, pool, "probability=100 times=3\n");
	failed = 0;
	for (i = 0; i < 10; i++)
		failed += alloc_free(test, pool, 1) == -ENOMEM;
	KUNIT_EXPECT_EQ(test, failed, 3);
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, "off"), 0);
}

/* Bad settings are refused with their error, and change nothing. */
static void qa_inject_rejects(struct kunit *test)
{
	static const struct {
		const char *spec;
		int err;
	} bad[] = {
		{ "", -EINVAL }, { "on", -EINVAL }, { "every", -EINVAL },
		{ "every=", -EINVAL }, { "every=0", -EINVAL },
		{ "every=-1", -EINVAL }, { "every=2x", -EINVAL },
		{ "every=2 every=3", -EINVAL },
		{ "every=2 probability=5", -EINVAL },
		{ "times=3", -EINVAL }, { "probability=0", -ERANGE },
		{ "probability=101", -ERANGE }, { "every=1 times=0", -ERANGE },
		{ "every=1 pid=0", -ERANGE }, { "every=1 order=11", -ERANGE },
		{ "every=1 pid=2147483647", -ESRCH },
		{ "every=1 pid=1 pid=1", -EINVAL },
		{ "every=1 colour=red", -EINVAL },
		{ "every=99999999999999999999", -ERANGE },
		{ "every=1 off", -EINVAL },
	};
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	char *longspec;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ttm_pool_inject_set(pool, "every=7 times=5"), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, ttm_pool_inject_set(pool, bad[i].spec),
				    bad[i].err, "spec \"%s\"", bad[i].spec);
		inject_expect(test, pool, "every=7 times=5\n");
	}
	longspec = kunit_kzalloc(test, TTM_POOL_INJECT_SPEC_MAX + 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, longspec);
	memset(longspec, ' ', TTM_POOL_INJECT_SPEC_MAX + 1);
	memcpy(longspec, "every=1", 7);
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, longspec), -E2BIG);
	inject_expect(test, pool, "every=7 times=5\n");
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, "off"), 0);
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&ttm_pool_inject_armed));
}

/* A tt of @num_pages that needs zeroes (a device BO), allocated. */
static struct ttm_tt *qa_zeroed_tt_alloc(struct kunit *test,
					 struct ttm_pool *pool,
					 unsigned long num_pages,
					 enum ttm_caching caching)
{
	struct ttm_tt *tt = pool_test_tt_new(test, num_pages, caching, true);

	tt->page_flags |= TTM_TT_FLAG_ZERO_ALLOC;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

/*
 * verify_clean: a freed chunk is pooled clean; a write to it is caught, and
 * the chunk is then taken as a dirty one (cleared for a tt that needs
 * zeroes, by the allocation).
 */
static void qa_verify_catches_write(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u64 cleared;
	u8 *va;

	ttm_pool_set_prezero(pool, false);
	ttm_pool_set_verify_clean(pool, true);
	KUNIT_EXPECT_TRUE(test, ttm_pool_get_verify_clean(pool));
	KUNIT_EXPECT_TRUE(test, static_key_enabled(&ttm_pool_verify_armed));

	tt = pool_test_tt_alloc(test, pool, 4, ttm_cached);
	first = tt->pages[0];
	va = page_address(first + 2);
	memset(va, 0x5a, PAGE_SIZE);
	ttm_pool_free(pool, tt);
	/* Cleared at the free, for verify_clean, whatever the policy. */
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->clean_pages, 4);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0, PAGE_SIZE));

	/* A write after the free, through the pointer the "driver" kept. */
	va[100] = 0xa5;
	cleared = STAT(test, pool, CLEARED_ALLOC);
	tt = qa_zeroed_tt_alloc(test, pool, 4, ttm_cached);
	KUNIT_ASSERT_PTR_EQ(test, tt->pages[0], first);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, VERIFY_DIRTY), 1);
	/* Taken as dirty: the allocation cleared all of it, and says so. */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_ALLOC), cleared + 4);
	ttm_pool_free(pool, tt);

	/* An untouched chunk passes. */
	tt = pool_test_tt_alloc(test, pool, 4, ttm_cached);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, VERIFY_DIRTY), 1);
	ttm_pool_free(pool, tt);

	ttm_pool_set_verify_clean(pool, false);
	KUNIT_EXPECT_FALSE(test, ttm_pool_get_verify_clean(pool));
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&ttm_pool_verify_armed));
}

/*
 * verify_clean on a coherent pool's write-combined chunks: the check reads
 * them through the kernel's (write-combined) mapping, and a write to a page
 * past the first is found too.
 */
static void qa_verify_coherent_wc(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, true, NUMA_NO_NODE);
	struct ttm_tt *tt;
	struct page *first;
	u8 *va;

	ttm_pool_set_prezero(pool, false);
	ttm_pool_set_verify_clean(pool, true);
	tt = pool_test_tt_alloc(test, pool, 8, ttm_write_combined);
	first = tt->pages[0];
	KUNIT_EXPECT_TRUE(test, pool_test_chunk_is_coherent(first));
	ttm_pool_free(pool, tt);
	KUNIT_EXPECT_EQ(test, pool_test_stats(test, pool)->clean_pages, 8);
	va = page_address(first + 7);
	va[PAGE_SIZE - 1] = 0x01;

	tt = qa_zeroed_tt_alloc(test, pool, 8, ttm_write_combined);
	KUNIT_ASSERT_PTR_EQ(test, tt->pages[0], first);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, VERIFY_DIRTY), 1);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0, PAGE_SIZE));
	ttm_pool_free(pool, tt);
	ttm_pool_set_verify_clean(pool, false);
}

/* Finalising a pool disarms both, with their static keys. */
static void qa_fini_disarms(struct kunit *test)
{
	struct pool_test *priv = test->priv;
	struct ttm_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	ttm_pool_init(pool, priv->devs->dev, NUMA_NO_NODE, false, false);
	KUNIT_EXPECT_EQ(test, ttm_pool_inject_set(pool, "every=1"), 0);
	ttm_pool_set_verify_clean(pool, true);
	KUNIT_EXPECT_EQ(test, alloc_free(test, pool, 1), -ENOMEM);
	ttm_pool_fini(pool);
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&ttm_pool_inject_armed));
	KUNIT_EXPECT_FALSE(test, static_key_enabled(&ttm_pool_verify_armed));
}

static struct kunit_case pool_qa_cases[] = {
	KUNIT_CASE(qa_inject_every),
	KUNIT_CASE(qa_inject_unwinds),
	KUNIT_CASE(qa_inject_filters),
	KUNIT_CASE(qa_inject_probability),
	KUNIT_CASE(qa_inject_rejects),
	KUNIT_CASE(qa_verify_catches_write),
	KUNIT_CASE(qa_verify_coherent_wc),
	KUNIT_CASE(qa_fini_disarms),
	{}
};

static struct kunit_suite pool_qa_suite = {
	.name = "ttm_pool_core_qa",
	.init = pool_test_init,
	.test_cases = pool_qa_cases,
};

kunit_test_suite(pool_qa_suite);
