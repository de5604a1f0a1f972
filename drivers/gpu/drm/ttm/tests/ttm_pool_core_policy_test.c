// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit suite ttm_pool_core_clear_policy of the per-device TTM page pool:
 * prezero's modes and the auto clearing policy ("Policy" in
 * ttm_pool_clear.c): small frees batch until they are worth a wakeup, a pool
 * without demand for zeroes never wakes the worker, and the worker clears
 * only as much as the demand. The costs are pinned (as debugfs
 * ttm/pool_policy/ sets them), so nothing depends on timing. make check
 * runs the suite with init_on_alloc=1 (every tt needs zeroes), with
 * init_on_free=1 (frees pool clean chunks: nothing to clear) and with
 * neither.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/mm.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_pool_core_helpers.h"
#include "../ttm_pool_internal.h"

static struct ttm_operation_ctx ctx = { };

/* Pinned costs: 20 wakeups' worth (TTM_POOL_WAKE_SHARE) is 200 pages. */
#define CLEAR_NS 500
#define WAKE_NS 5000
#define WAKE_PAGES 200

#define CLEAN(test, pool) (pool_test_stats(test, pool)->clean_pages)

static void costs_restore(void *data)
{
	struct ttm_pool_clear_costs *c = data;

	ttm_pool_set_clear_cost(false, c->clear_page_set ? c->clear_page_ns : 0);
	ttm_pool_set_clear_cost(true, c->wake_set ? c->wake_ns : 0);
}

/* Pin the costs for the case; they are put back after it. */
static void costs_pin(struct kunit *test)
{
	struct ttm_pool_clear_costs *saved;

	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	ttm_pool_get_clear_costs(saved);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, costs_restore, saved));
	KUNIT_ASSERT_EQ(test, ttm_pool_set_clear_cost(false, CLEAR_NS), 0);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_clear_cost(true, WAKE_NS), 0);
}

/* Does every tt need zeroes (init_on_alloc, init_on_free)? */
static bool all_need_zero(void)
{
	return want_init_on_alloc(0) || want_init_on_free();
}

static struct ttm_tt *tt_alloc(struct kunit *test, struct ttm_pool *pool,
			       unsigned long num_pages, bool zero)
{
	struct ttm_tt *tt = pool_test_tt_new(test, num_pages, ttm_cached, true);

	if (zero)
		tt->page_flags = TTM_TT_FLAG_ZERO_ALLOC;
	KUNIT_ASSERT_EQ(test, ttm_pool_alloc(pool, tt, &ctx), 0);
	return tt;
}

struct parse_case {
	const char *in;
	int mode;
};

/* auto is the default; the words and the old 1/0 words are taken. */
static void policy_modes(struct kunit *test)
{
	static const struct parse_case cases[] = {
		{ "auto", TTM_POOL_PREZERO_AUTO },
		{ "auto\n", TTM_POOL_PREZERO_AUTO },
		{ "on", TTM_POOL_PREZERO_ON },
		{ "off\n", TTM_POOL_PREZERO_OFF },
		{ "1", TTM_POOL_PREZERO_ON },
		{ "0\n", TTM_POOL_PREZERO_OFF },
		{ "", -EINVAL },
		{ "2", -EINVAL },
		{ "yes", TTM_POOL_PREZERO_ON },
		{ "n", TTM_POOL_PREZERO_OFF },
		{ "maybe", -EINVAL },
		{ "AUTO", -EINVAL },
		{ "auto on", -EINVAL },
		{ "[auto]", -EINVAL },
	};
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ttm_pool_get_prezero_mode(pool),
			TTM_POOL_PREZERO_AUTO);
	KUNIT_EXPECT_TRUE(test, ttm_pool_prezero(pool));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, ttm_pool_prezero_parse(cases[i].in),
				    cases[i].mode, "\"%s\"", cases[i].in);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_prezero(pool, true), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_prezero_mode(pool),
			TTM_POOL_PREZERO_ON);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_prezero_mode(pool, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_prezero_mode(pool),
			TTM_POOL_PREZERO_ON);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_prezero(pool, false), 0);
	KUNIT_EXPECT_FALSE(test, ttm_pool_prezero(pool));
	KUNIT_EXPECT_EQ(test,
			ttm_pool_set_prezero_mode(pool, TTM_POOL_PREZERO_AUTO),
			0);
	KUNIT_EXPECT_EQ(test, ttm_pool_get_prezero_mode(pool),
			TTM_POOL_PREZERO_AUTO);
	KUNIT_EXPECT_STREQ(test, ttm_pool_prezero_name(TTM_POOL_PREZERO_AUTO),
			   "auto");
	KUNIT_EXPECT_STREQ(test, ttm_pool_prezero_name(3), "?");
}

/* Costs: set, refused above the limit (nothing changed), and unset. */
static void policy_costs(struct kunit *test)
{
	struct ttm_pool_clear_costs c;

	costs_pin(test);
	ttm_pool_get_clear_costs(&c);
	KUNIT_EXPECT_EQ(test, c.clear_page_ns, CLEAR_NS);
	KUNIT_EXPECT_EQ(test, c.wake_ns, WAKE_NS);
	KUNIT_EXPECT_TRUE(test, c.clear_page_set && c.wake_set);
	KUNIT_EXPECT_EQ(test, c.wake_pages, WAKE_PAGES);

	KUNIT_EXPECT_EQ(test, ttm_pool_set_clear_cost(true,
						      TTM_POOL_COST_MAX_NS + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_clear_cost(false, U32_MAX), -EINVAL);
	ttm_pool_get_clear_costs(&c);
	KUNIT_EXPECT_EQ(test, c.clear_page_ns, CLEAR_NS);
	KUNIT_EXPECT_EQ(test, c.wake_ns, WAKE_NS);

	/* Cheaper clears: more pages to a wakeup, rounded up. */
	KUNIT_EXPECT_EQ(test, ttm_pool_set_clear_cost(false, 300), 0);
	ttm_pool_get_clear_costs(&c);
	KUNIT_EXPECT_EQ(test, c.wake_pages, DIV_ROUND_UP(20 * WAKE_NS, 300));

	/* 0: the measured cost again. */
	KUNIT_EXPECT_EQ(test, ttm_pool_set_clear_cost(false, 0), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_set_clear_cost(true, 0), 0);
	ttm_pool_get_clear_costs(&c);
	KUNIT_EXPECT_FALSE(test, c.clear_page_set || c.wake_set);
	KUNIT_EXPECT_GT(test, c.clear_page_ns, 0);
	KUNIT_EXPECT_GT(test, c.wake_ns, 0);
	KUNIT_EXPECT_GE(test, c.wake_pages, 1);
}

/*
 * A pool whose tts need no zeroes: a free worth a wakeup looks at the
 * demand, finds none, and wakes nothing; what it freed stays dirty.
 */
static void policy_no_demand_no_wakeup(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	bool nz = all_need_zero(), iof = want_init_on_free();
	unsigned long demand, pending;
	struct ttm_tt *tt;

	costs_pin(test);
	tt = tt_alloc(test, pool, 2 * WAKE_PAGES, false);
	ttm_pool_free(pool, tt);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	/* Frees under init_on_free pool clean chunks: nothing pending. */
	KUNIT_EXPECT_EQ(test, pending, 0);
	KUNIT_EXPECT_EQ(test, demand, iof || !nz ? 0 : 2 * WAKE_PAGES);
	if (!nz)
		KUNIT_EXPECT_FALSE(test, ttm_pool_state(pool)->clear_queued);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND),
			nz && !iof ? 2 * WAKE_PAGES : 0);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), nz ? 2 * WAKE_PAGES : 0);
}

/*
 * Small frees batch: 16-page frees wake nothing until 200 pages are
 * pending; the free that reaches them wakes the worker, which clears them.
 */
static void policy_batches_small_frees(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	unsigned int n = DIV_ROUND_UP(WAKE_PAGES, 16), i;
	bool iof = want_init_on_free();
	unsigned long demand, pending;
	struct ttm_tt **tts;

	costs_pin(test);
	tts = kunit_kcalloc(test, n, sizeof(*tts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tts);
	for (i = 0; i < n; i++)
		tts[i] = tt_alloc(test, pool, 16, true);
	for (i = 0; i + 1 < n; i++) {
		ttm_pool_free(pool, tts[i]);
		ttm_pool_prezero_flush(pool);
		ttm_pool_get_clear_demand(pool, &demand, &pending);
		KUNIT_EXPECT_EQ(test, pending, iof ? 0 : 16 * (i + 1));
		KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), 0);
		KUNIT_EXPECT_EQ(test, CLEAN(test, pool), iof ? 16 * (i + 1) : 0);
	}
	ttm_pool_free(pool, tts[n - 1]);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	KUNIT_EXPECT_EQ(test, pending, 0);
	KUNIT_EXPECT_EQ(test, demand, iof ? 0 : 16 * n);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND),
			iof ? 0 : 16 * n);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 16 * n);
}

/*
 * The worker clears as much as the demand, no more: 64 pages taken by tts
 * that need zeroes, 336 by tts that do not; of the 400 freed, 64 are
 * cleared (all of them when every tt needs zeroes). One look at the
 * demand only: the frees after it stay below a wakeup's worth.
 */
static void policy_clears_only_demand(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	bool nz = all_need_zero(), iof = want_init_on_free();
	struct ttm_tt *zero[4], *other[21];
	unsigned long demand, pending;
	unsigned int i;

	costs_pin(test);
	for (i = 0; i < ARRAY_SIZE(zero); i++)
		zero[i] = tt_alloc(test, pool, 16, true);
	for (i = 0; i < ARRAY_SIZE(other); i++)
		other[i] = tt_alloc(test, pool, 16, false);
	for (i = 0; i < ARRAY_SIZE(zero); i++)
		ttm_pool_free(pool, zero[i]);
	for (i = 0; i < ARRAY_SIZE(other); i++)
		ttm_pool_free(pool, other[i]);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	/* Looked at 64 + 9 * 16 = 208 pages; 12 * 16 = 192 pending since. */
	KUNIT_EXPECT_EQ(test, pending, iof ? 0 : 192);
	KUNIT_EXPECT_EQ(test, demand, iof ? 0 : nz ? 400 : 64);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), nz ? 400 : 64);
	KUNIT_EXPECT_EQ(test, POOLED(test, pool), 400);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, ALLOC_ZERO), nz ? 400 : 64);

	/* Setting prezero starts the count again. */
	other[0] = tt_alloc(test, pool, 4, false);
	ttm_pool_free(pool, other[0]);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	KUNIT_EXPECT_EQ(test, pending, iof ? 0 : 192 + 4);
	KUNIT_ASSERT_EQ(test,
			ttm_pool_set_prezero_mode(pool, TTM_POOL_PREZERO_AUTO), 0);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	KUNIT_EXPECT_EQ(test, pending, 0);
}

/* on: every free wakes the worker, which clears everything. */
static void policy_on_clears_all(struct kunit *test)
{
	struct ttm_pool *pool = pool_test_pool_new(test, false, NUMA_NO_NODE);
	bool iof = want_init_on_free();
	struct ttm_tt *tt;

	costs_pin(test);
	KUNIT_ASSERT_EQ(test, ttm_pool_set_prezero(pool, true), 0);
	tt = tt_alloc(test, pool, 1, false);
	ttm_pool_free(pool, tt);
	ttm_pool_prezero_flush(pool);
	KUNIT_EXPECT_EQ(test, STAT(test, pool, CLEARED_BACKGROUND), iof ? 0 : 1);
	KUNIT_EXPECT_EQ(test, CLEAN(test, pool), 1);
}

static struct kunit_case pool_policy_cases[] = {
	KUNIT_CASE(policy_modes),
	KUNIT_CASE(policy_costs),
	KUNIT_CASE(policy_no_demand_no_wakeup),
	KUNIT_CASE(policy_batches_small_frees),
	KUNIT_CASE(policy_clears_only_demand),
	KUNIT_CASE(policy_on_clears_all),
	{}
};

static struct kunit_suite pool_policy_suite = {
	.name = "ttm_pool_core_clear_policy",
	.init = pool_test_init,
	.test_cases = pool_policy_cases,
};

kunit_test_suite(pool_policy_suite);
