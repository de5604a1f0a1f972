// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: the global cap, the shrinker and TTM's pool globals.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Both walk the list of pools (ttm_pool_list.c) with ttm_pool_list_rwsem
 * held for reading, so a pool cannot go away while they work on it.
 *
 * The shrinker is NUMA aware, by the node a page is on, not the pool's
 * node: every pool counts its pooled pages per node (a pool without a node,
 * NUMA_NO_NODE, holds pages of several), the count for a node is the sum of
 * the pools' counts for it, and a scan of a node releases only chunks on that
 * node. A scan takes from the pools in proportion to what they hold there,
 * so each pool gives up about the same share, and restores write-back in
 * batches.
 */

#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_module.h"
#include "ttm_pool_internal.h"

static struct shrinker *ttm_pool_shrinker;

/* When reclaim last scanned the pools; see ttm_pool_shrinker_scan(). */
unsigned long ttm_pool_reclaim_stamp = INITIAL_JIFFIES - HZ;

/* Pages @st holds on node @nid (NUMA_NO_NODE: on all nodes). */
static unsigned long ttm_pool_held(struct ttm_pool_state *st, int nid)
{
	long n;

	if (nid != NUMA_NO_NODE)
		return ttm_pool_node_pooled(st->pool, nid);
	n = atomic_long_read(&st->pooled);
	return n > 0 ? n : 0;
}

/* Pages on node @nid held by the pools other than @skip. */
static unsigned long ttm_pool_others_held(struct ttm_pool *skip, int nid)
{
	unsigned long total = 0;
	struct ttm_pool_state *st;

	lockdep_assert_held(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list)
		if (st->pool != skip)
			total += ttm_pool_held(st, nid);
	return total;
}

/* Numbers the reclaims a pool gave pages to (ttm_pool_state.reclaim_seq). */
static atomic_long_t ttm_pool_reclaim_seq = ATOMIC_LONG_INIT(0);

/*
 * The pool a reclaim starts at: of those other than @skip that hold pages on
 * @nid, the one that gave pages least recently. Shares are rounded up and
 * chunks go whole, so the first pools give more than their share; starting
 * at each in turn evens that out, as 6.12 rotated its list of pool types.
 */
static struct ttm_pool_state *ttm_pool_reclaim_first(struct ttm_pool *skip,
						     int nid)
{
	struct ttm_pool_state *st, *first = NULL;

	list_for_each_entry(st, &ttm_pool_list, list) {
		if (st->pool == skip || !ttm_pool_held(st, nid))
			continue;
		if (!first ||
		    READ_ONCE(st->reclaim_seq) < READ_ONCE(first->reclaim_seq))
			first = st;
	}
	return first;
}

/*
 * Release about @nr pages on node @nid (NUMA_NO_NODE: any node) from the
 * pools other than @skip (NULL: from all), each in proportion to what it
 * holds there; the coldest chunks of each go.
 */
static unsigned long ttm_pool_reclaim(unsigned long nr, int nid,
				      struct ttm_pool *skip,
				      enum ttm_pool_stat cause, gfp_t gfp)
{
	unsigned long total, freed = 0, held, share, got;
	struct ttm_pool_state *st, *first;

	lockdep_assert_held(&ttm_pool_list_rwsem);
	total = ttm_pool_others_held(skip, nid);
	first = ttm_pool_reclaim_first(skip, nid);
	if (!total || !first)
		return 0;

	st = first;
	do {
		held = st->pool == skip ? 0 : ttm_pool_held(st, nid);
		if (held) {
			share = DIV_ROUND_UP_ULL((u64)min(nr, total) * held,
						 total);
			share = min(share, nr - freed);
			got = ttm_pool_release_pages(st->pool, share, nid,
						     cause, gfp);
			if (got)
				WRITE_ONCE(st->reclaim_seq,
					   atomic_long_inc_return(&ttm_pool_reclaim_seq));
			freed += got;
		}
		st = list_next_entry_circular(st, &ttm_pool_list, list);
	} while (st != first && freed < nr);
	return freed;
}

/**
 * ttm_pool_set_global_max_pages() - set the cap on pages pooled by all pools
 * @max_pages: the new cap
 *
 * Pooled pages above the new cap are released, from every pool in
 * proportion to its size, before this returns.
 * Context: process context.
 *
 * Return: 0, or -ERANGE if @max_pages exceeds the RAM of the machine.
 */
int ttm_pool_set_global_max_pages(unsigned long max_pages)
{
	long pooled, done;

	if (max_pages > totalram_pages())
		return -ERANGE;

	down_read(&ttm_pool_list_rwsem);
	WRITE_ONCE(ttm_pool_total_max, max_pages);
	for (;;) {
		pooled = atomic_long_read(&ttm_pool_total_pooled);
		if (pooled <= 0 || (unsigned long)pooled <= max_pages)
			break;
		done = ttm_pool_reclaim(pooled - max_pages, NUMA_NO_NODE,
					NULL, TTM_POOL_STAT_RELEASE_TRIM,
					GFP_KERNEL);
		if (!done)
			break;
	}
	up_read(&ttm_pool_list_rwsem);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_set_global_max_pages);

/*
 * A free into @pool found the global cap reached: make room for a chunk of
 * @nr pages by releasing the coldest chunks of the other pools, in
 * proportion to what they hold (counted as trims there). A busy pool so
 * keeps what it frees, and idle pools give way, as 6.12's global pool
 * evicted its oldest pages. Only what is missing goes, and only if the
 * others hold that much: when even all of it would not make room (a chunk
 * larger than the cap, or pools that hold less than the shortfall), nothing
 * is released and the chunk goes back to the system instead. Returns true if
 * there is room now. Never waits for the list of pools: a pool being set up
 * or torn down meanwhile means no room this time.
 */
bool ttm_pool_evict_for(struct ttm_pool *pool, unsigned long nr)
{
	unsigned long max = READ_ONCE(ttm_pool_total_max);
	unsigned long need, freed = 0;
	long pooled;

	if (nr > max || !down_read_trylock(&ttm_pool_list_rwsem))
		return false;
	pooled = max_t(long, atomic_long_read(&ttm_pool_total_pooled), 0);
	need = pooled + nr > max ? pooled + nr - max : 0;
	/*
	 * A driver may free under its own locks, even from reclaim; and the
	 * caching changes' bookkeeping must not dip into the reserves that
	 * reclaim itself (PF_MEMALLOC) may use.
	 */
	if (need && ttm_pool_others_held(pool, NUMA_NO_NODE) >= need)
		freed = ttm_pool_reclaim(need, NUMA_NO_NODE, pool,
					 TTM_POOL_STAT_RELEASE_TRIM,
					 GFP_NOWAIT | __GFP_NOMEMALLOC);
	up_read(&ttm_pool_list_rwsem);
	return freed >= need;
}

/**
 * ttm_pool_global_max_pages() - the cap on pages pooled by all pools
 *
 * Return: the cap, in pages.
 */
unsigned long ttm_pool_global_max_pages(void)
{
	return READ_ONCE(ttm_pool_total_max);
}
EXPORT_SYMBOL(ttm_pool_global_max_pages);

/**
 * ttm_pool_global_pooled_pages() - pages pooled by all pools now
 *
 * Return: the number of pages.
 */
unsigned long ttm_pool_global_pooled_pages(void)
{
	long n = atomic_long_read(&ttm_pool_total_pooled);

	return n > 0 ? n : 0;
}
EXPORT_SYMBOL(ttm_pool_global_pooled_pages);

VISIBLE_IF_KUNIT unsigned long
ttm_pool_shrinker_count(struct shrinker *shrink, struct shrink_control *sc)
{
	unsigned long count = 0;
	struct ttm_pool_state *st;

	if (!down_read_trylock(&ttm_pool_list_rwsem))
		return 0;
	list_for_each_entry(st, &ttm_pool_list, list)
		count += ttm_pool_held(st, sc->nid);
	up_read(&ttm_pool_list_rwsem);
	return count ?: SHRINK_EMPTY;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_shrinker_count);

VISIBLE_IF_KUNIT unsigned long
ttm_pool_shrinker_scan(struct shrinker *shrink, struct shrink_control *sc)
{
	unsigned long freed;

	/*
	 * Under reclaim (kswapd, direct reclaim; not drop_caches), the
	 * clearing workers stand aside for a while: see "Clearing" in
	 * ttm_pool.c.
	 */
	if (current->flags & PF_MEMALLOC)
		WRITE_ONCE(ttm_pool_reclaim_stamp, jiffies);
	if (!down_read_trylock(&ttm_pool_list_rwsem))
		return SHRINK_STOP;
	freed = ttm_pool_reclaim(sc->nr_to_scan, sc->nid, NULL,
				 TTM_POOL_STAT_RELEASE_SHRINKER,
				 GFP_NOWAIT | __GFP_NOMEMALLOC);
	up_read(&ttm_pool_list_rwsem);
	sc->nr_scanned = freed;
	return freed ?: SHRINK_STOP;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_shrinker_scan);

#ifdef CONFIG_DEBUG_FS

/*
 * A table of pooled pages: a header of orders, then a row per caching type.
 * With @prefix, the rows are labelled as 6.12's ttm_pool_debugfs() did
 * ("<prefix>", "<prefix>wc", "<prefix>uc"); without, "cached", "wc", "uc".
 */
void ttm_pool_debugfs_table(struct seq_file *m,
			    unsigned long pooled[][NR_PAGE_ORDERS],
			    const char *prefix)
{
	static const char * const names[] = {
		[ttm_cached] = "cached", [ttm_write_combined] = "wc",
		[ttm_uncached] = "uc",
	};
	unsigned int i, j;

	seq_puts(m, "\t ");
	for (j = 0; j < NR_PAGE_ORDERS; j++)
		seq_printf(m, " ---%2u---", j);
	seq_puts(m, "\n");
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		if (prefix)
			seq_printf(m, "%s%s\t:", prefix,
				   i == ttm_cached ? "" : names[i]);
		else
			seq_printf(m, "%s\t:", names[i]);
		for (j = 0; j < NR_PAGE_ORDERS; j++)
			seq_printf(m, " %8lu", pooled[i][j]);
		seq_puts(m, "\n");
	}
}

/* /sys/kernel/debug/ttm/page_pool: pages of all pools, and the cap. */
static int ttm_pool_debugfs_globals_show(struct seq_file *m, void *data)
{
	struct ttm_pool_stats *stats, *sum;
	struct ttm_pool_state *st;
	unsigned int i, j;

	stats = kmalloc(sizeof(*stats), GFP_KERNEL);
	sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	if (!stats || !sum)
		goto out;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		ttm_pool_get_stats(st->pool, stats);
		for (i = 0; i < TTM_NUM_CACHING_TYPES; i++)
			for (j = 0; j < NR_PAGE_ORDERS; j++)
				sum->pooled[i][j] += stats->pooled[i][j];
	}
	up_read(&ttm_pool_list_rwsem);

	ttm_pool_debugfs_table(m, sum->pooled, NULL);
	seq_printf(m, "\ntotal\t: %8lu of %8lu\n",
		   ttm_pool_global_pooled_pages(), ttm_pool_global_max_pages());
out:
	kfree(stats);
	kfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_globals);

/* /sys/kernel/debug/ttm/page_pool_shrink: run the shrinker once. */
static int ttm_pool_debugfs_shrink_show(struct seq_file *m, void *data)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_NOFS,
		.nid = NUMA_NO_NODE,
		.nr_to_scan = 1,
	};
	unsigned long count, freed;

	fs_reclaim_acquire(GFP_KERNEL);
	count = ttm_pool_shrinker_count(ttm_pool_shrinker, &sc);
	freed = ttm_pool_shrinker_scan(ttm_pool_shrinker, &sc);
	fs_reclaim_release(GFP_KERNEL);
	/* Pages, not the shrinker's SHRINK_EMPTY and SHRINK_STOP codes. */
	if (count == SHRINK_EMPTY)
		count = 0;
	if (freed == SHRINK_STOP)
		freed = 0;
	seq_printf(m, "%lu/%lu\n", count, freed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_shrink);

#else

void ttm_pool_debugfs_table(struct seq_file *m,
			    unsigned long pooled[][NR_PAGE_ORDERS],
			    const char *prefix)
{
}

#endif

/**
 * ttm_pool_mgr_init() - Initialize globals
 * @num_pages: default number of pages
 *
 * Set the global cap if it is not set yet (ttm.page_pool_size, else
 * @num_pages), create the debugfs files (ttm/page_pool, page_pool_shrink
 * and pools/) and register the shrinker.
 *
 * Return: 0 or -ENOMEM.
 */
int ttm_pool_mgr_init(unsigned long num_pages)
{
	ttm_pool_default_total_max(num_pages);

#ifdef CONFIG_DEBUG_FS
	debugfs_create_file("page_pool", 0444, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_globals_fops);
	debugfs_create_file("page_pool_shrink", 0400, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_shrink_fops);
#endif
	ttm_pool_debugfs_init();

	/*
	 * 6.12's ttm_global_init() does not finalise us when it fails after
	 * this returned: the shrinker registered then is still there.
	 */
	shrinker_free(ttm_pool_shrinker);
	ttm_pool_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE, "drm-ttm_pool");
	if (!ttm_pool_shrinker)
		return -ENOMEM;
	ttm_pool_shrinker->count_objects = ttm_pool_shrinker_count;
	ttm_pool_shrinker->scan_objects = ttm_pool_shrinker_scan;
	ttm_pool_shrinker->seeks = 1;
	shrinker_register(ttm_pool_shrinker);
	return 0;
}

/**
 * ttm_pool_mgr_fini() - Finalize globals
 *
 * Remove debugfs pools/ and unregister the shrinker.
 */
void ttm_pool_mgr_fini(void)
{
	ttm_pool_debugfs_fini();
	shrinker_free(ttm_pool_shrinker);
	ttm_pool_shrinker = NULL;
}
