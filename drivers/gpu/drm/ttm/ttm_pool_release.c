// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: releases, chunks leaving a pool for the system: drains,
 * path switches, caps and the watermark trim, the shrinker's share of a pool,
 * and the dirty chunks before hibernation.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Releases take the coldest chunks: the oldest dirty chunk first (few clears
 * are wasted on pages that leave), then the oldest clean one (a reclaim of
 * one node may take a clean one first, see ttm_pool_find_cold()), cached types
 * before write-combined and uncached ones (which cost a caching change). They
 * collect the chunks in a batch and restore write-back for all of it at once
 * (ttm_pool_chunk.c). Every hold of a type's lock handles at most
 * TTM_POOL_LOCK_BATCH chunks.
 *
 * Callers: the core (fini), the configuration (path switches, caps,
 * drains), the global side (the shrinker, the global cap, hibernation) and
 * the hot-unplug release. This file calls only the chunk file.
 */

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

#if IS_ENABLED(CONFIG_KUNIT)
/* The most chunks one hold of a type's lock handled, for KUnit. */
unsigned int ttm_pool_lock_work_max;
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_lock_work_max);

static void ttm_pool_lock_work(unsigned int chunks)
{
	if (chunks > READ_ONCE(ttm_pool_lock_work_max))
		WRITE_ONCE(ttm_pool_lock_work_max, chunks);
}
#else
static inline void ttm_pool_lock_work(unsigned int chunks)
{
}
#endif

/*
 * One chunk a search of ttm_pool_find_cold() passes, counted in *@walked:
 * its first page if it is on node @nid (NUMA_NO_NODE: any node), else NULL.
 */
static struct page *ttm_pool_cold_visit(struct list_head *pos, int nid,
					unsigned int *walked)
{
	struct page *p = list_entry(pos, struct page, lru);

	(*walked)++;
	return (nid == NUMA_NO_NODE || page_to_nid(p) == nid) ? p : NULL;
}

/*
 * The chunk to release from @pt's list of @coherent chunks, on node @nid
 * (NUMA_NO_NODE: any node), or NULL: the oldest dirty chunk, else the
 * oldest clean one (*@clean says which), under the type's lock. A search
 * that walks past other nodes' dirty chunks may find a clean one first.
 *
 * A pool bound to a node finds one at once; in a pool without a node, on a
 * machine with several, chunks of other nodes may lie in the way of a
 * reclaim of one node. Such a search walks past at most TTM_POOL_LOCK_BATCH
 * chunks, at most half of them dirty if there are clean ones (other nodes'
 * dirty chunks must not keep every search from the clean part), and moves
 * each chunk it passes to the warm end of its part of the list (dirty ones
 * before the newest dirty chunk, clean ones after the newest clean), so that
 * the next search starts where this one stopped: every chunk the shrinker
 * counts for a node is reached within a bounded number of searches, each
 * with a bounded hold of the lock.
 */
static struct page *ttm_pool_find_cold(struct ttm_pool_type *pt,
				       struct ttm_pool_type_state *ts,
				       bool coherent, int nid, bool *clean)
{
	struct list_head *list = ttm_pool_type_list(pt, ts, coherent);
	struct list_head *end = ts->clean_end[coherent];
	unsigned int dirty_max = end == list ? TTM_POOL_LOCK_BATCH :
					       TTM_POOL_LOCK_BATCH / 2;
	struct list_head *pos, *last, *next;
	unsigned int walked = 0;
	struct page *found = NULL;

	lockdep_assert_held(&pt->lock);
	/* Dirty, the oldest first: from the tail back to the boundary. */
	*clean = false;
	last = end->next;
	for (pos = list->prev; pos != end && walked < dirty_max; pos = next) {
		found = ttm_pool_cold_visit(pos, nid, &walked);
		if (found)
			goto out;
		if (pos == last)
			break;
		next = pos->prev;
		list_move(pos, end);
	}
	/* Clean, the oldest first: from the head to the boundary. */
	*clean = true;
	if (end == list)
		goto out;
	last = end;
	for (pos = list->next; walked < TTM_POOL_LOCK_BATCH; pos = next) {
		found = ttm_pool_cold_visit(pos, nid, &walked);
		if (found || pos == last)
			break;
		next = pos->next;
		list_move(pos, ts->clean_end[coherent]);
		ts->clean_end[coherent] = pos;
	}
out:
	ttm_pool_lock_work(walked);
	return found;
}

/**
 * ttm_pool_account_sync_locked() - bring a pool type's pending count into
 *	NR_KERNEL_MISC_RECLAIMABLE
 * @pt: the pool type, its lock held
 * @ts: its state
 * @nid: the node whose pages it counts from now on
 * @nr: pages pooled (negative: taken) on @nid now, counted at once
 *
 * See ttm_pool_account_locked(). Under the type's lock: the lock keeps this
 * CPU (and __mod_node_page_state() does on PREEMPT_RT), and no interrupt
 * changes NR_KERNEL_MISC_RECLAIMABLE (only TTM does), so the node's counter
 * needs no this_cpu_cmpxchg() loop.
 */
void ttm_pool_account_sync_locked(struct ttm_pool_type *pt,
				  struct ttm_pool_type_state *ts, int nid,
				  long nr)
{
	const enum node_stat_item item = NR_KERNEL_MISC_RECLAIMABLE;

	lockdep_assert_held(&pt->lock);
	if (ts->acct_nid == nid)
		nr += ts->acct;
	else if (ts->acct)
		__mod_node_page_state(NODE_DATA(ts->acct_nid), item, ts->acct);
	if (nr)
		__mod_node_page_state(NODE_DATA(nid), item, nr);
	ts->acct = 0;
	ts->acct_nid = nid;
}

/**
 * ttm_pool_account_sync() - bring what allocations and frees of a pool left
 *	pending into NR_KERNEL_MISC_RECLAIMABLE
 * @pool: the pool
 *
 * The pool's acct_work does, and KUnit, which compares the counter with
 * what pools hold; draining and finalising a pool sync its types too.
 * Context: process context.
 */
void ttm_pool_account_sync(struct ttm_pool *pool)
{
	struct ttm_pool_type_state *ts;
	struct ttm_pool_type *pt;
	unsigned int i, j;

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			pt = &pool->caching[i].orders[j];
			ts = ttm_pool_type_state(pt);
			spin_lock(&pt->lock);
			ttm_pool_account_sync_locked(pt, ts, ts->acct_nid, 0);
			spin_unlock(&pt->lock);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_account_sync);

/* The pool's acct_work: see ttm_pool_account_locked(). */
void ttm_pool_account_work(struct work_struct *work)
{
	struct ttm_pool_state *st = container_of(to_delayed_work(work),
						 struct ttm_pool_state,
						 acct_work);

	ttm_pool_account_sync(st->pool);
}

/*
 * Take a chunk of the given path from @pt to release it, or NULL: the oldest
 * dirty chunk on node @nid (NUMA_NO_NODE: any node), else the oldest clean
 * one, as ttm_pool_find_cold() finds them. *@zero is set to how many of its
 * pages, from its first, are zero.
 */
static struct page *ttm_pool_take_cold(struct ttm_pool_type *pt,
				       bool coherent, int nid,
				       unsigned int *zero)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	unsigned long nr = 1UL << pt->order;
	struct page *p = NULL;
	bool clean = false;

	/* Unlocked peek, as in ttm_pool_take(). */
	if (!READ_ONCE(ts->nr_pages))
		return NULL;

	spin_lock(&pt->lock);
	if (ttm_pool_type_ready(pt, coherent)) {
		p = ttm_pool_find_cold(pt, ts, coherent, nid, &clean);
		if (p)
			*zero = ttm_pool_unlink(pt, ts, p, coherent, clean);
	}
	spin_unlock(&pt->lock);

	if (p) {
		ttm_pool_settle(ts, p);
		ttm_pool_unreserve(pt->pool, nr);
		ttm_pool_account(pt->pool, p, -nr);
	}
	return p;
}

/* Account for @chunks, taken off @pt, leaving the pool and add them to @b. */
static void ttm_pool_chunks_to_batch(struct ttm_pool_type *pt,
				     struct list_head *chunks,
				     struct ttm_pool_batch *b)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	struct page *p, *tmp;

	list_for_each_entry_safe(p, tmp, chunks, lru) {
		ttm_pool_settle(ts, p);
		list_del(&p->lru);
		ttm_pool_unreserve(pt->pool, 1UL << pt->order);
		ttm_pool_account(pt->pool, p, -(1L << pt->order));
		ttm_pool_batch_add(b, p, pt->order, pt->caching);
	}
}

/*
 * Move chunks of @pt's list of @coherent chunks to @chunks, the oldest
 * first, until *@moved reaches TTM_POOL_LOCK_BATCH; count them in *@moved
 * and return their pages that were cleared.
 */
static unsigned long ttm_pool_list_drain(struct ttm_pool_type *pt,
					 struct ttm_pool_type_state *ts,
					 bool coherent, struct list_head *chunks,
					 unsigned int *moved)
{
	struct list_head *list = ttm_pool_type_list(pt, ts, coherent);
	unsigned long zero = 0;
	bool clean;
	struct page *p;

	lockdep_assert_held(&pt->lock);
	while (!list_empty(list) && *moved < TTM_POOL_LOCK_BATCH) {
		p = list_first_entry(list, struct page, lru);
		/* The head is clean while clean_end is not the list head. */
		clean = ts->clean_end[coherent] != list;
		zero += ttm_pool_unlink(pt, ts, p, coherent, clean);
		list_add_tail(&p->lru, chunks);
		(*moved)++;
	}
	return zero;
}

/*
 * Move every chunk of the selected paths out of @pt into @b, at most
 * TTM_POOL_LOCK_BATCH per hold of the type's lock. The drained chunks'
 * cleared pages are counted as wasted. Chunks freed into the type while it
 * drains may stay: it stops after as many chunks as the type held.
 * Context: process context.
 */
static void ttm_pool_type_drain(struct ttm_pool_type *pt, bool coherent,
				bool page, struct ttm_pool_batch *b)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	unsigned long left = READ_ONCE(ts->nr_pages) >> pt->order;
	unsigned int moved;
	LIST_HEAD(chunks);

	/*
	 * Look under the lock at least once: a chunk given just before a path
	 * switch read the old path under the lock, and may not be counted in
	 * the peek at nr_pages yet.
	 */
	do {
		moved = 0;
		spin_lock(&pt->lock);
		if (coherent && ttm_pool_type_ready(pt, true))
			b->wasted += ttm_pool_list_drain(pt, ts, true, &chunks,
							 &moved);
		if (page)
			b->wasted += ttm_pool_list_drain(pt, ts, false, &chunks,
							 &moved);
		/* What allocations and frees left pending: counted now. */
		ttm_pool_account_sync_locked(pt, ts, ts->acct_nid, 0);
		spin_unlock(&pt->lock);
		ttm_pool_lock_work(moved);
		if (!moved)
			break;
		left -= min_t(unsigned long, left, moved);
		cond_resched();
	} while (left);
	ttm_pool_chunks_to_batch(pt, &chunks, b);
}

/* Release @pt's dirty chunks into @b, at most TTM_POOL_LOCK_BATCH per hold. */
static void ttm_pool_type_release_dirty(struct ttm_pool_type *pt,
					struct ttm_pool_batch *b)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	struct list_head *list;
	unsigned int moved;
	struct page *p;
	LIST_HEAD(chunks);
	int coherent;

	for (coherent = 0; coherent < 2; coherent++) {
		do {
			moved = 0;
			spin_lock(&pt->lock);
			list = ttm_pool_type_list(pt, ts, coherent);
			while (ttm_pool_type_ready(pt, coherent) &&
			       ts->clean_end[coherent]->next != list &&
			       moved < TTM_POOL_LOCK_BATCH) {
				p = list_last_entry(list, struct page, lru);
				b->wasted += ttm_pool_unlink(pt, ts, p, coherent,
							     false);
				list_add_tail(&p->lru, &chunks);
				moved++;
			}
			spin_unlock(&pt->lock);
			ttm_pool_lock_work(moved);
			cond_resched();
		} while (moved);
	}
	ttm_pool_chunks_to_batch(pt, &chunks, b);
}

/**
 * ttm_pool_release_dirty() - release the chunks a pool has not cleared
 * @pool: the pool
 *
 * Context: process context.
 */
void ttm_pool_release_dirty(struct ttm_pool *pool)
{
	struct ttm_pool_batch b;
	unsigned int i, j;

	ttm_pool_batch_init(&b);
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++)
		for (j = 0; j < NR_PAGE_ORDERS; j++)
			ttm_pool_type_release_dirty(&pool->caching[i].orders[j],
						    &b);
	ttm_pool_batch_release(pool, &b, TTM_POOL_STAT_RELEASE_DRAIN,
			       GFP_KERNEL);
}

void ttm_pool_release_all(struct ttm_pool *pool, bool coherent,
			  bool page, enum ttm_pool_stat cause)
{
	struct ttm_pool_batch b;
	unsigned int i, j;

	ttm_pool_batch_init(&b);
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++)
		for (j = 0; j < NR_PAGE_ORDERS; j++)
			ttm_pool_type_drain(&pool->caching[i].orders[j],
					    coherent, page, &b);
	ttm_pool_batch_release(pool, &b, cause, GFP_KERNEL);
}

/*
 * Take the coldest pooled chunk of @order (on node @nid unless NUMA_NO_NODE)
 * to release it, cached types first; *@zero: its pages already cleared.
 */
static struct page *ttm_pool_take_any(struct ttm_pool *pool,
				      unsigned int order, int nid,
				      enum ttm_caching *caching,
				      unsigned int *zero)
{
	static const enum ttm_caching order_of_types[] = {
		ttm_cached, ttm_write_combined, ttm_uncached
	};
	struct ttm_pool_type *pt;
	struct page *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order_of_types); i++) {
		pt = &pool->caching[order_of_types[i]].orders[order];
		if (!READ_ONCE(ttm_pool_type_state(pt)->nr_pages))
			continue;
		p = ttm_pool_take_cold(pt, true, nid, zero);
		if (!p)
			p = ttm_pool_take_cold(pt, false, nid, zero);
		if (p) {
			*caching = pt->caching;
			return p;
		}
	}
	return NULL;
}

/**
 * ttm_pool_release_pages() - release pooled pages of one pool
 * @pool: the pool
 * @nr: how many pages to release
 * @nid: only chunks on this node, or NUMA_NO_NODE for any
 * @cause: the counter to charge
 * @gfp: for the caching change's bookkeeping (GFP_NOWAIT from reclaim and
 *	from a free; a failed allocation only makes the change page by page)
 *
 * Releases whole chunks, the coldest first, as close to @nr pages as the
 * chunk sizes allow: the largest chunks that still fit in what is left
 * first, then, if pages remain to be released and no chunk fits, the
 * smallest chunk. Cached chunks go before write-combined and uncached ones,
 * which cost a caching change. Write-back is restored for the whole batch at
 * once.
 *
 * Return: the number of pages released (0 if the pool holds none there).
 */
unsigned long ttm_pool_release_pages(struct ttm_pool *pool, unsigned long nr,
				     int nid, enum ttm_pool_stat cause,
				     gfp_t gfp)
{
	enum ttm_caching caching;
	struct ttm_pool_batch b;
	unsigned long done = 0;
	unsigned int zero;
	struct page *p;
	int order;

	ttm_pool_batch_init(&b);
	for (order = NR_PAGE_ORDERS - 1; order >= 0 && done < nr; order--) {
		while (nr - done >= (1UL << order)) {
			p = ttm_pool_take_any(pool, order, nid, &caching,
					      &zero);
			if (!p)
				break;
			ttm_pool_batch_add(&b, p, order, caching);
			b.wasted += zero;
			done += 1UL << order;
			if (gfpflags_allow_blocking(gfp))
				cond_resched();
		}
	}
	for (order = 0; order < NR_PAGE_ORDERS && done < nr; order++) {
		p = ttm_pool_take_any(pool, order, nid, &caching, &zero);
		if (p) {
			ttm_pool_batch_add(&b, p, order, caching);
			b.wasted += zero;
			done += 1UL << order;
		}
	}
	ttm_pool_batch_release(pool, &b, cause, gfp);
	return done;
}

/**
 * ttm_pool_node_pooled() - pages a pool holds on one node
 * @pool: the pool
 * @nid: the node
 *
 * Return: the number of pages.
 */
unsigned long ttm_pool_node_pooled(struct ttm_pool *pool, int nid)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	long n;

	if (nr_node_ids > 1)
		n = atomic_long_read(&st->node_pooled[nid]);
	else
		n = atomic_long_read(&st->pooled);
	return n > 0 ? n : 0;
}

void ttm_pool_trim_to(struct ttm_pool *pool, unsigned long target,
		      enum ttm_pool_stat cause)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	long pooled = atomic_long_read(&st->pooled);

	while (pooled > 0 && (unsigned long)pooled > target) {
		if (!ttm_pool_release_pages(pool, pooled - target,
					    NUMA_NO_NODE, cause, GFP_KERNEL))
			break;
		pooled = atomic_long_read(&st->pooled);
	}
}

void ttm_pool_trim_work(struct work_struct *work)
{
	struct ttm_pool_state *st = container_of(work, struct ttm_pool_state,
						 trim_work);

	ttm_pool_trim_to(st->pool, READ_ONCE(st->low_watermark),
			 TTM_POOL_STAT_RELEASE_TRIM);
}
