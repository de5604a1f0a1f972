// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Statistics of the TTM page pool.
 *
 * Each pool has per-CPU counters (struct ttm_pool_stats_pcpu). The alloc and
 * free paths add to this CPU's copy only, so counting costs no shared cache
 * line; readers sum the copies of all possible CPUs. A snapshot is therefore
 * not atomic across counters while the pool is busy, but every counter is
 * exact once the pool is quiet.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */

#include <linux/export.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "ttm_pool_internal.h"

/* Used by pools whose per-CPU counters could not be allocated. */
static DEFINE_PER_CPU(struct ttm_pool_stats_pcpu, ttm_pool_stats_fallback);

void ttm_pool_stats_init(struct ttm_pool_state *st)
{
	st->stats = alloc_percpu(struct ttm_pool_stats_pcpu);
	if (!st->stats) {
		pr_warn("ttm: no memory for pool statistics; sharing them\n");
		st->stats = &ttm_pool_stats_fallback;
	}
	if (nr_node_ids > 1) {
		st->node_made = __alloc_percpu(nr_node_ids * sizeof(long),
					       __alignof__(long));
		if (!st->node_made)
			pr_warn("ttm: no memory for the pool's per-node counts; its pages in use are not counted by node\n");
	}
}

void ttm_pool_stats_fini(struct ttm_pool_state *st)
{
	if (st->stats != &ttm_pool_stats_fallback)
		free_percpu(st->stats);
	st->stats = NULL;
	free_percpu(st->node_made);
	st->node_made = NULL;
}

/**
 * ttm_pool_node_inuse_pages() - pages of a pool in use on one node
 * @pool: the pool
 * @nid: the node
 *
 * Counted off the hit path: the chunks the pool made on @nid for its
 * allocations less those it gave back to the system from there
 * (ttm_pool_count_made(), on misses and releases) are those in use or
 * pooled, and the pooled ones are counted by node anyway. Read while the
 * pool is busy, the two counts may be a moment apart.
 *
 * Context: any.
 * Return: the pages the pool handed out on @nid and did not get back yet
 * (with a single node, its pages in use; 0 if the pool could not count
 * them by node).
 */
unsigned long ttm_pool_node_inuse_pages(struct ttm_pool *pool, int nid)
{
	long __percpu *c = ttm_pool_state(pool)->node_made;
	long sum = 0;
	int cpu;

	if (nr_node_ids == 1)
		return ttm_pool_inuse_pages(pool);
	if (!c)
		return 0;
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(c, cpu)[nid];
	sum -= ttm_pool_node_pooled(pool, nid);
	return sum > 0 ? sum : 0;
}

/*
 * The name of a counter: its debugfs line, its sysfs file, the reason of a
 * ttm_pool_release event (release_<reason>_pages).
 */
const char *ttm_pool_stat_name(enum ttm_pool_stat item)
{
	static const char * const names[TTM_POOL_STAT_NR] = {
#define TTM_POOL_STAT(item, name, ...)					\
	[TTM_POOL_STAT_##item] = #name,
#include <drm/ttm/ttm_pool_stat_list.h>
#undef TTM_POOL_STAT
	};

	return item < TTM_POOL_STAT_NR ? names[item] : "?";
}

/**
 * ttm_pool_stat_read() - read one statistics counter of a pool
 * @pool: the pool
 * @item: the counter
 *
 * Context: any.
 * Return: the counter summed over all CPUs.
 */
u64 ttm_pool_stat_read(struct ttm_pool *pool, enum ttm_pool_stat item)
{
	struct ttm_pool_stats_pcpu __percpu *stats;
	u64 sum = 0;
	int cpu;

	if (!ttm_pool_live(pool))
		return 0;
	stats = ttm_pool_state(pool)->stats;
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(stats, cpu)->counter[item];
	return sum;
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_stat_read, TTM_POOL_TEST);

/**
 * ttm_pool_inuse_pages() - pages a pool handed out and not yet got back
 * @pool: the pool
 *
 * Context: any.
 * Return: the number of pages.
 */
unsigned long ttm_pool_inuse_pages(struct ttm_pool *pool)
{
	u64 handed = ttm_pool_stat_read(pool, TTM_POOL_STAT_ALLOC_HIT) +
		     ttm_pool_stat_read(pool, TTM_POOL_STAT_ALLOC_MISS);
	u64 returned = ttm_pool_stat_read(pool, TTM_POOL_STAT_RETURNED);

	return handed > returned ? handed - returned : 0;
}

/**
 * ttm_pool_pooled_pages() - pages a pool holds now
 * @pool: the pool
 * @caching: count only this caching type; TTM_NUM_CACHING_TYPES for all
 *
 * Context: any; takes no lock (a count read while a type changes may be a
 * moment old).
 * Return: the number of pages.
 */
unsigned long ttm_pool_pooled_pages(struct ttm_pool *pool,
				    enum ttm_caching caching)
{
	unsigned long n = 0;
	unsigned int i, j;

	if (!ttm_pool_live(pool))
		return 0;
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		if (caching != TTM_NUM_CACHING_TYPES && caching != i)
			continue;
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];

			n += READ_ONCE(ttm_pool_type_state(pt)->nr_pages);
		}
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_pooled_pages);

/*
 * The pages a pool holds now that are known to be zero (@clean), or that
 * are not. Context: any; takes no lock. The clean count reads only the
 * types' clean counts (the auto clearing policy reads it at every look):
 * while chunks are taken, it may exceed what the pool holds for a moment;
 * the dirty one never goes below zero.
 */
unsigned long ttm_pool_count_clean(struct ttm_pool *pool, bool clean)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	unsigned long n = 0;
	unsigned int i, j;

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type_state *ts = &st->types[i][j];
			unsigned long c = READ_ONCE(ts->nr_clean);
			unsigned long all;

			if (clean) {
				n += c;
				continue;
			}
			/* Read apart, they may disagree for a moment. */
			all = READ_ONCE(ts->nr_pages);
			n += all - min(c, all);
		}
	}
	return n;
}

/**
 * ttm_pool_get_stats() - take a snapshot of a pool's statistics
 * @pool: the pool
 * @stats: filled with the counters, the pooled pages per caching type and
 *	order, the clean ones among them, and the pages in use
 *
 * Counters are summed over all CPUs; pooled counts are read from each pool
 * type without its lock (a reader never holds up the pool: any user may
 * read the sysfs files that call this). Context: any.
 */
void ttm_pool_get_stats(struct ttm_pool *pool, struct ttm_pool_stats *stats)
{
	unsigned int i, j;

	memset(stats, 0, sizeof(*stats));
	if (!ttm_pool_live(pool))
		return;
	for (i = 0; i < TTM_POOL_STAT_NR; i++)
		stats->counter[i] = ttm_pool_stat_read(pool, i);

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];
			struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
			unsigned long c = READ_ONCE(ts->nr_clean);

			stats->pooled[i][j] = READ_ONCE(ts->nr_pages);
			stats->clean_pages += min(c, stats->pooled[i][j]);
			stats->pooled_pages += stats->pooled[i][j];
		}
	}

	stats->inuse_pages = ttm_pool_inuse_pages(pool);
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_get_stats, TTM_POOL_TEST);
