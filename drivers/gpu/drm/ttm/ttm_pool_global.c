// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: the global side. The list of all pools and their names,
 * the global cap and its eviction, the shrinker, hibernation and TTM's pool
 * globals (ttm_pool_mgr_init()).
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Every initialised pool is on ttm_pool_list. Registering a pool is the one
 * place that gives it a name and its sysfs and debugfs entries, and
 * unregistering the one place that takes them away; ttm_pool_mgr_init()
 * adds TTM's debugfs files of the pools and ttm_pool_mgr_fini() removes
 * pools/ and qa/ (the others go with TTM's root). Those are this file's only calls
 * to the interface files, which call this one.
 *
 * The global cap and the shrinker walk the list with ttm_pool_list_rwsem
 * held for reading, so a pool cannot go away while they work on it.
 *
 * The shrinker is NUMA aware, by the node a page is on, not the pool's
 * node: every pool counts its pooled pages per node (a pool without a node,
 * NUMA_NO_NODE, holds pages of several), the count for a node is the sum of
 * the pools' counts for it, and a scan of a node releases only chunks on that
 * node. A scan takes from the pools in proportion to what they hold there,
 * so each pool gives up about the same share, and restores write-back in
 * batches.
 *
 * Locking:
 *  - ttm_pool_list_rwsem protects the list. Registering and unregistering
 *    take it for writing; the shrinker, the global cap, the iterators and
 *    the debugfs dumps for reading, so a pool (and its state, name
 *    included) cannot go away while one of them works on it. The free path
 *    (global-cap eviction) and the shrinker only try it.
 *  - ttm_pool_list_mutex serialises registering and unregistering as a
 *    whole, entries included: a name stays taken until the entries made
 *    under it are gone, so a new pool never collides with a dying one.
 *    Lock order: ttm_pool_list_mutex, then the interface files' own locks,
 *    then ttm_pool_list_rwsem.
 *  - The PM notifier (registered with the first pool, unregistered with the
 *    last, under ttm_pool_list_mutex) takes ttm_pool_list_rwsem for reading.
 *  - ttm_pool_total_max is written with WRITE_ONCE() (the module parameter
 *    and sysfs; the last writer wins) and read with READ_ONCE().
 */

#include <linux/device.h>
#include <linux/export.h>
#include <linux/kstrtox.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

DECLARE_RWSEM(ttm_pool_list_rwsem);
LIST_HEAD(ttm_pool_list);
static DEFINE_MUTEX(ttm_pool_list_mutex);
/* Pools on the list; the PM notifier is registered while there are any. */
static unsigned int ttm_pool_count;

atomic_long_t ttm_pool_total_pooled = ATOMIC_LONG_INIT(0);
/* ULONG_MAX until first set: by ttm_pool_mgr_init() or the first pool. */
unsigned long ttm_pool_total_max = ULONG_MAX;

static unsigned long page_pool_size;

/*
 * ttm.page_pool_size: the global cap at boot and, written later through
 * /sys/module/ttm/parameters/page_pool_size, the same as pool_max_pages in
 * sysfs (same checks, trims at once). Reads show the cap in force.
 */
static int ttm_pool_size_param_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long pages;
	int err;

	err = kstrtoul(val, 10, &pages);
	if (err)
		return err;
	if (READ_ONCE(ttm_pool_total_max) == ULONG_MAX) {
		/*
		 * The command line, or a load before the first pool: the cap
		 * the first pool sets up (RAM is not counted yet at boot).
		 */
		page_pool_size = pages;
		return 0;
	}
	err = ttm_pool_set_global_max_pages(pages);
	if (!err)
		page_pool_size = pages;
	return err;
}

static int ttm_pool_size_param_get(char *buf, const struct kernel_param *kp)
{
	unsigned long max = READ_ONCE(ttm_pool_total_max);

	return sysfs_emit(buf, "%lu\n", max == ULONG_MAX ? page_pool_size : max);
}

static const struct kernel_param_ops ttm_pool_size_param_ops = {
	.set = ttm_pool_size_param_set,
	.get = ttm_pool_size_param_get,
};

module_param_cb(page_pool_size, &ttm_pool_size_param_ops, NULL, 0644);
MODULE_PARM_DESC(page_pool_size,
		 "Global cap on pooled pages (default: half of RAM); writable");

/*
 * The global cap: ttm.page_pool_size if given, else @num_pages. Set once;
 * later calls (TTM's globals are set up again whenever a first device
 * appears) keep what is there, including an administrator's value.
 */
static void ttm_pool_default_total_max(unsigned long num_pages)
{
	if (!page_pool_size)
		page_pool_size = num_pages;
	cmpxchg(&ttm_pool_total_max, ULONG_MAX, page_pool_size);
}

/* Is @name taken by a listed pool? */
static bool ttm_pool_name_taken(const char *name)
{
	struct ttm_pool_state *st;

	lockdep_assert_held(&ttm_pool_list_mutex);
	list_for_each_entry(st, &ttm_pool_list, list)
		if (!strcmp(st->name, name))
			return true;
	return false;
}

/*
 * Name the pool after its device: "<dev_name>", else the first free
 * "<dev_name>.<N>" ("nodev" without a device). A device name too long for
 * the buffer is cut so that the suffix always fits, which keeps the names
 * unique.
 */
static void ttm_pool_pick_name(struct ttm_pool *pool, struct ttm_pool_state *st)
{
	const char *base = pool->dev ? dev_name(pool->dev) : "nodev";
	char suffix[sizeof(".4294967295")];
	unsigned int n = 0;
	int len;

	lockdep_assert_held(&ttm_pool_list_mutex);
	strscpy(st->name, base, sizeof(st->name));
	while (ttm_pool_name_taken(st->name)) {
		len = snprintf(suffix, sizeof(suffix), ".%u", ++n);
		snprintf(st->name, sizeof(st->name), "%.*s%s",
			 (int)sizeof(st->name) - 1 - len, base, suffix);
	}
}

/**
 * ttm_pool_name() - the name of a pool's sysfs and debugfs entries
 * @pool: an initialised pool
 *
 * Return: the name, unique among the pools; valid until ttm_pool_fini().
 */
const char *ttm_pool_name(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return "";
	return ttm_pool_state(pool)->name;
}
EXPORT_SYMBOL(ttm_pool_name);

/**
 * ttm_pool_pm_notify() - hibernation: pools keep no dirty chunk meanwhile
 * @nb: the notifier
 * @action: PM_HIBERNATION_PREPARE, or PM_POST_HIBERNATION or PM_POST_RESTORE
 *	once the system is back; other actions are ignored
 * @data: unused
 *
 * init_on_free promises that a freed page keeps nothing of its user; a
 * hibernation image holds every page in use, pooled ones included. Before
 * the image is made, every pool releases its chunks not known to be zero,
 * and until the system is back frees clear what they pool.
 *
 * Return: NOTIFY_DONE.
 */
VISIBLE_IF_KUNIT int ttm_pool_pm_notify(struct notifier_block *nb,
					unsigned long action, void *data)
{
	struct ttm_pool_state *st;

	switch (action) {
	case PM_HIBERNATION_PREPARE:
		ttm_pool_set_hibernating(true);
		down_read(&ttm_pool_list_rwsem);
		list_for_each_entry(st, &ttm_pool_list, list)
			ttm_pool_release_dirty(st->pool);
		up_read(&ttm_pool_list_rwsem);
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		ttm_pool_set_hibernating(false);
		break;
	}
	return NOTIFY_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_pm_notify);

static struct notifier_block ttm_pool_pm_nb = {
	.notifier_call = ttm_pool_pm_notify,
};

/*
 * Put an initialised pool on the list: give it the default caps and a name,
 * then its sysfs directory and debugfs file.
 */
void ttm_pool_register(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	/* A pool made before any ttm_device: upstream's default, half of RAM. */
	ttm_pool_default_total_max(totalram_pages() / 2);
	st->max_pages = READ_ONCE(ttm_pool_total_max);
	st->high_watermark = st->max_pages;
	st->low_watermark = st->max_pages;

	mutex_lock(&ttm_pool_list_mutex);
	ttm_pool_pick_name(pool, st);
	down_write(&ttm_pool_list_rwsem);
	list_add_tail(&st->list, &ttm_pool_list);
	up_write(&ttm_pool_list_rwsem);
	if (!ttm_pool_count++)
		register_pm_notifier(&ttm_pool_pm_nb);
	ttm_pool_sysfs_add(pool);
	ttm_pool_debugfs_add(pool);
	mutex_unlock(&ttm_pool_list_mutex);
}

/*
 * Take a pool off the list, then remove its entries (which waits for their
 * readers and writers). Once this returns, nothing outside the pool's user
 * can reach the pool.
 */
void ttm_pool_unregister(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	mutex_lock(&ttm_pool_list_mutex);
	down_write(&ttm_pool_list_rwsem);
	list_del(&st->list);
	up_write(&ttm_pool_list_rwsem);
	if (!--ttm_pool_count)
		unregister_pm_notifier(&ttm_pool_pm_nb);
	ttm_pool_debugfs_remove(pool);
	ttm_pool_sysfs_remove(pool);
	mutex_unlock(&ttm_pool_list_mutex);
}

/* Is @pool on the list of pools (initialised and not finalised)? */
bool ttm_pool_listed(const struct ttm_pool *pool)
{
	struct ttm_pool_state *st;
	bool found = false;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		if (st->pool == pool) {
			found = true;
			break;
		}
	}
	up_read(&ttm_pool_list_rwsem);
	return found;
}

/**
 * ttm_pool_for_each() - call a function for every pool
 * @fn: called with each pool; a non-zero return stops the walk
 * @data: passed to @fn
 *
 * Pools cannot be initialised or finalised while @fn runs.
 * Context: process context; @fn may sleep but must not init or fini a pool.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int ttm_pool_for_each(int (*fn)(struct ttm_pool *pool, void *data),
		      void *data)
{
	struct ttm_pool_state *st;
	int ret = 0;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		ret = fn(st->pool, data);
		if (ret)
			break;
	}
	up_read(&ttm_pool_list_rwsem);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_for_each, TTM_POOL_TEST);

/**
 * ttm_pool_drain_all() - release every pooled page of every pool
 *
 * Context: process context.
 */
void ttm_pool_drain_all(void)
{
	struct ttm_pool_state *st;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list)
		ttm_pool_release_all(st->pool, true, true,
				     TTM_POOL_STAT_RELEASE_DRAIN);
	up_read(&ttm_pool_list_rwsem);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_drain_all);

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

	lockdep_assert_held(&ttm_pool_list_rwsem);
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
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_global_max_pages);

/*
 * A free into @pool found the global cap reached: make room for a chunk of
 * @nr pages by releasing the coldest chunks of the other pools, in
 * proportion to what they hold (release_evict_pages there). A busy pool so
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
					 TTM_POOL_STAT_RELEASE_EVICT,
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
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_global_max_pages);

/**
 * ttm_pool_global_pooled_pages() - pages pooled by all pools now
 *
 * Return: the number of pages.
 */
unsigned long ttm_pool_global_pooled_pages(void)
{
	return ttm_pool_total_pages();
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_global_pooled_pages);

/**
 * ttm_pool_memory_summary() - what all pools hold and have handed out
 * @nid: a NUMA node, or NUMA_NO_NODE for all of them
 * @sum: filled in: pages in use by tts, pooled pages and, for
 *	NUMA_NO_NODE, of those the clean and the dirty ones (a node's
 *	clean pages are not counted: both 0)
 *
 * Sums over the pools on the list; pages a finalised pool handed out (a
 * driver's bug) are no longer counted. Counts read while pools are busy
 * may be a moment apart.
 *
 * Context: process context; takes ttm_pool_list_rwsem for reading.
 */
void ttm_pool_memory_summary(int nid, struct ttm_pool_memory *sum)
{
	struct ttm_pool_state *st;

	memset(sum, 0, sizeof(*sum));
	if (WARN_ON_ONCE(nid != NUMA_NO_NODE &&
			 (nid < 0 || nid >= nr_node_ids)))
		return;
	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		if (nid == NUMA_NO_NODE) {
			sum->inuse += ttm_pool_inuse_pages(st->pool);
			sum->clean += ttm_pool_count_clean(st->pool, true);
			sum->dirty += ttm_pool_count_clean(st->pool, false);
		} else {
			sum->inuse += ttm_pool_node_inuse_pages(st->pool, nid);
		}
		sum->pooled += ttm_pool_held(st, nid);
	}
	up_read(&ttm_pool_list_rwsem);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_memory_summary);

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
	 * ttm_pool_clear.c.
	 */
	if (current->flags & PF_MEMALLOC)
		WRITE_ONCE(ttm_pool_reclaim_stamp, jiffies);
	if (!down_read_trylock(&ttm_pool_list_rwsem))
		return SHRINK_STOP;
	freed = ttm_pool_reclaim(sc->nr_to_scan, sc->nid, NULL,
				 TTM_POOL_STAT_RELEASE_SHRINKER,
				 GFP_NOWAIT | __GFP_NOMEMALLOC);
	up_read(&ttm_pool_list_rwsem);
	trace_ttm_pool_shrink(sc->nid, sc->nr_to_scan, freed);
	sc->nr_scanned = freed;
	return freed ?: SHRINK_STOP;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_shrinker_scan);

/**
 * ttm_pool_shrink_once() - run the shrinker once, as reclaim would
 * @count: what the shrinker counted, in pages
 * @freed: what a scan of one page released, in pages
 *
 * For debugfs' page_pool_shrink, as 6.12's.
 * Context: process context.
 */
void ttm_pool_shrink_once(unsigned long *count, unsigned long *freed)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_NOFS,
		.nid = NUMA_NO_NODE,
		.nr_to_scan = 1,
	};

	fs_reclaim_acquire(GFP_KERNEL);
	*count = ttm_pool_shrinker_count(ttm_pool_shrinker, &sc);
	*freed = ttm_pool_shrinker_scan(ttm_pool_shrinker, &sc);
	fs_reclaim_release(GFP_KERNEL);
	/* Pages, not the shrinker's SHRINK_EMPTY and SHRINK_STOP codes. */
	if (*count == SHRINK_EMPTY)
		*count = 0;
	if (*freed == SHRINK_STOP)
		*freed = 0;
}

/**
 * ttm_pool_mgr_init() - Initialize globals
 * @num_pages: default number of pages
 *
 * Set the global cap if it is not set yet (ttm.page_pool_size, else
 * @num_pages), create the debugfs files (ttm_pool_debugfs_init()) and
 * register the shrinker.
 *
 * Return: 0 or -ENOMEM.
 */
int ttm_pool_mgr_init(unsigned long num_pages)
{
	ttm_pool_default_total_max(num_pages);

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
