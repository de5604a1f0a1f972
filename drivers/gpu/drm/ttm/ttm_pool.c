// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool core: per-device pools of pages for TTM buffer objects.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Per-device pools
 * ----------------
 * Every struct ttm_pool (one per ttm_device; drivers that partition a device
 * have more) owns the pages it keeps, for every caching type and order. No
 * page is shared between the pools of different devices; earlier kernels had
 * global write-combined and uncached pools for the page path, we do not:
 *
 *  - whether a page is usable depends on the device: its DMA mask, its NUMA
 *    node, GFP_DMA32, and for the coherent path the device whose
 *    dma_alloc_attrs() made it and must free it;
 *  - limits, drains and path switches are per device (sysfs); with shared
 *    lists, draining or switching one device would take another's pages;
 *  - pooled and in-use counts per device stay exact.
 *
 * The price is that pages pooled for one device do not serve another; the
 * global cap and the shrinker bound the total.
 *
 * Chunks and paths
 * ----------------
 * Pages are allocated in chunks of 1 << order contiguous pages. A chunk comes
 * from one of two paths and its head page records which, so it is always
 * given back by the path that made it, whatever the pool does now:
 *
 *  - page path: alloc_pages_node() (GFP_DMA32 for use_dma32 pools), mapped
 *    with dma_map_page() for each user that wants DMA addresses and unmapped
 *    when that user frees it. head->private holds the order (0..MAX_ORDER).
 *  - coherent path: dma_alloc_attrs() on the pool's device. head->private
 *    points to a struct ttm_pool_dma holding the CPU and DMA addresses and
 *    the order; a kernel pointer is never <= MAX_PAGE_ORDER, which is how the
 *    two are told apart.
 *
 * The pool's effective path (coherent or page) comes from its policy (auto,
 * coherent, page; default from the ttm.alloc_path module parameter). An
 * allocation reads the effective path once and uses it throughout. A switch
 * releases every chunk pooled by the old path. A chunk of the old path freed
 * after the switch is released too, never pooled: only chunks of the
 * effective path are pooled, and that check is made under the pool type's
 * lock, which a switch takes after publishing the new path.
 *
 * The coherent path serves only the tts that take their DMA addresses from
 * the pool (tt->dma_address), or every tt if the driver asked for coherent
 * allocations, as 6.12 did. Drivers whose tts have no DMA addresses map
 * tt->pages themselves, and streaming-mapping coherent memory is against
 * the DMA API (and bounces anyway): their tts get page-path chunks, which
 * a coherent pool keeps on its page-path lists for them.
 *
 * In a confidential guest (SEV, TDX) the path is the driver's, for good:
 * ttm_tt_create() marks the tts of coherent-path drivers as shared with the
 * host (TTM_TT_FLAG_DECRYPTED), and such a tt is always served coherent
 * memory.
 *
 * Limits
 * ------
 * A global cap bounds the pages pooled by all pools, and each pool has its
 * own; a freed chunk reserves its pages under both before it is listed (see
 * ttm_pool_config.c and ttm_pool_global.c).
 *
 * State
 * -----
 * struct ttm_pool and struct ttm_pool_type are 6.12's, member for member,
 * so that drivers built against 6.12 load against this TTM (module symbol
 * versions hash those types). What the pool needs beyond them, its policy,
 * caps, watermarks, counters, page-path lists and names, is in struct
 * ttm_pool_state (ttm_pool_internal.h), allocated by ttm_pool_init() and
 * reached from the pool in two loads through a member of 6.12's struct
 * that we have no other use for (see ttm_pool_state()).
 *
 * Files
 * -----
 * The pool is split by concern (docs/ARCHITECTURE.md has the call graph):
 *
 *  - ttm_pool.c: the core, alloc and free with the types' lists, init and
 *    fini, the five 6.12 exports and 6.12's debugfs table;
 *  - ttm_pool_chunk.c: chunks, the two paths, caching changes, batches;
 *  - ttm_pool_clear.c: clearing, the clean/dirty policy and the worker;
 *  - ttm_pool_release.c: releases, drains, trims, the shrinker's share;
 *  - ttm_pool_unplug.c: hot-unplug, the managed resource on the device;
 *  - ttm_pool_path.c: the paths and the auto policy;
 *  - ttm_pool_config.c: the path policy, caps and watermarks (setters,
 *    getters);
 *  - ttm_pool_global.c: the list of pools, the global cap, the shrinker,
 *    hibernation, TTM's pool globals;
 *  - ttm_pool_stats.c: per-CPU statistics;
 *  - ttm_pool_trace.c: the trace events;
 *  - ttm_pool_inject.c, ttm_pool_verify.c: drivers' QA, failure injection
 *    and the check of clean chunks (verify_clean);
 *  - ttm_pool_sysfs.c, ttm_pool_debugfs.c: the interfaces.
 *
 * Calls go from the interfaces to the configuration and the global side, from
 * those to the core and from the core to the leaves (chunk, clear, path,
 * stats, inject, verify), never back, but for two: registering a pool with the global side
 * (which adds its interfaces) and, at the global cap, a free evicting other
 * pools' chunks. scripts/callgraph.py checks this.
 *
 * Locking
 * -------
 * In the order they are taken (a lock is never taken while one after it in
 * this list is held):
 *
 *  - ttm_pool_list_mutex (ttm_pool_global.c): registering and unregistering
 *    pools as a whole, their names and interface entries included.
 *  - ttm_pool_sysfs_lock, ttm_pool_debugfs_lock: the interfaces' entries.
 *  - ttm_pool_list_rwsem (ttm_pool_global.c): the list of pools. Read by the
 *    shrinker, the global cap, hibernation and the dumps, so that no pool is
 *    finalised while they use it.
 *  - ttm_pool_devres_lock (ttm_pool_unplug.c): a pool's managed resource,
 *    a release against ttm_pool_fini().
 *  - ttm_pool_state.config_lock (mutex): a pool's policy, caps and
 *    watermarks (ttm_pool_config.c), prezero and its clearing worker
 *    pointer. Setters hold it; alloc and free read with READ_ONCE().
 *  - ttm_pool_clear_mutex (ttm_pool_clear.c): the shared clearing thread
 *    and the costs the clearing policy weighs.
 *  - ttm_pool_state.clear_lock (spinlock): the clearing work's protocol,
 *    clear_queued, clear_backoff, clear_running, clear_flushing, and the
 *    auto policy's demand estimate.
 *  - ttm_pool_inject_lock (ttm_pool_inject.c), ttm_pool_verify_lock
 *    (ttm_pool_verify.c): a pool's failure injection and its verify_clean,
 *    and the static keys that tell the alloc and free paths whether any
 *    pool uses them. Under them only static_branch_inc()/dec() locks: cpus_read_lock(),
 *    jump_label_mutex and text_mutex. No reclaim path takes them; the
 *    dump takes ttm_pool_inject_lock under ttm_pool_list_rwsem, which the
 *    shrinker and eviction only ever trylock.
 *  - ttm_pool_type.lock (spinlock): the type's coherent list (pages) and
 *    its private part: the page-path list, nr_pages, nr_clean, the lists'
 *    clean/dirty boundaries and the chunk being cleared with its progress.
 *    nr_pages and nr_clean are written with WRITE_ONCE() under the lock and
 *    peeked at without it (READ_ONCE()) to skip empty or clean types, and
 *    read without it by the statistics; a stale peek only turns a hit into
 *    a miss, delays a clear or costs a locked look at an empty list. Never
 *    held while allocating, freeing or changing caching; held while the
 *    clearing worker clears one page, and for at most TTM_POOL_LOCK_BATCH
 *    chunks walked past or moved. Never held with another type's lock.
 *
 * Without a lock:
 *
 *  - ttm_pool_state.effective_path: written with smp_store_release() under
 *    config_lock, read with smp_load_acquire(); see "Chunks and paths".
 *  - ttm_pool_state.prezero: written with smp_store_release() under
 *    config_lock, read with smp_load_acquire() by frees (to queue the
 *    worker), with READ_ONCE() by the worker and the getter.
 *  - ttm_pool_state.clear_pending (atomic): dirty pages pooled since the
 *    auto clearing policy last looked; frees add, the policy resets.
 *  - ttm_pool_state.pooled and ttm_pool_total_pooled (atomics): pages
 *    pooled per pool and in all pools. A chunk reserves its pages in both
 *    before it is listed, so the caps hold to the page even under
 *    concurrent frees.
 *  - ttm_pool_state.detached, dma_gone, dma_freeing: see "Hot-unplug" in
 *    ttm_pool_unplug.c.
 *  - Statistics are per-CPU (ttm_pool_stats.c) and need no lock.
 *  - ttm_pool_state.inject is read under RCU, verify_clean with
 *    READ_ONCE(), each behind its static key.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/wait_bit.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

/*
 * Must a chunk taken from the pool be zero? When the tt asks for zeroes,
 * and for every tt when the system initialises every allocation
 * (init_on_alloc, on by default in Debian's kernels) or clears what is
 * freed (init_on_free: a pooled chunk may still hold what its last user
 * left).
 */
static bool ttm_pool_need_zero(bool zero)
{
	return zero || want_init_on_alloc(0) || want_init_on_free();
}

/*
 * Take a chunk of the given path from @pt (whose state is @ts, its chunks of
 * order @order; @st: its pool's state) for an allocation, or NULL: the most
 * recently cleared clean chunk if @want_clean, else the most recently freed
 * dirty one, or one of the other kind if there is none of that kind (see
 * "Clearing" in ttm_pool_clear.c). *@zero is set to how many of the chunk's
 * pages, from its first, are zero.
 */
static struct page *ttm_pool_take(struct ttm_pool_state *st,
				  struct ttm_pool_type *pt,
				  struct ttm_pool_type_state *ts,
				  unsigned int order, bool coherent,
				  bool want_clean, unsigned int *zero)
{
	unsigned long nr = 1UL << order;
	struct list_head *list, *end;
	struct page *p = NULL;
	bool has_clean, has_dirty, clean = false, storing = false;

	/* Unlocked peek: a miss need not take the lock (a race is a miss). */
	if (!READ_ONCE(ts->nr_pages))
		return NULL;

	spin_lock(&pt->lock);
	if (ttm_pool_type_ready(pt, coherent)) {
		/* clean: list..end, dirty: end->next..list */
		list = ttm_pool_type_list(pt, ts, coherent);
		end = ts->clean_end[coherent];
		has_clean = end != list;
		has_dirty = end->next != list;
		clean = has_clean && (want_clean || !has_dirty);
		if (clean)
			p = list_entry(end, struct page, lru);
		else if (has_dirty)
			p = list_entry(end->next, struct page, lru);
		if (p) {
			/* Only the chunk being cleared can be stored into. */
			storing = ts->clearing == p;
			*zero = ttm_pool_unlink(pt, ts, p, coherent, clean);
			ttm_pool_account_locked(st, pt, ts, p, -nr);
		}
	}
	spin_unlock(&pt->lock);

	if (unlikely(storing))
		ttm_pool_settle(ts, p);
	if (p)
		ttm_pool_unreserve(pt->pool, nr);
	return p;
}

/*
 * Does @tt take coherent memory when its pool runs on the coherent path?
 * Only if the pool fills in its DMA addresses, or if its driver asked for
 * coherent allocations (6.12 then served every tt with dma_alloc_attrs()).
 * Other tts belong to drivers that map tt->pages themselves (i915, xe,
 * vmwgfx in its map modes, drm_gem_vram): they would stream-map coherent
 * memory, which the DMA API forbids and which bounces all the same. They
 * get page-path chunks whatever the pool's path.
 */
static bool ttm_pool_tt_takes_coherent(struct ttm_pool *pool,
				       struct ttm_tt *tt)
{
	return tt->dma_address || pool->use_dma_alloc;
}

/*
 * May a chunk of this path go into the pool? A coherent one only while the
 * pool's path is coherent; a page-path one while it is page, or, with
 * @page_ok (its tt does not take coherent memory), always.
 */
static bool ttm_pool_chunk_ours(struct ttm_pool_state *st, bool coherent,
				bool page_ok)
{
	/* Pairs with the release in ttm_pool_set_path(). */
	enum ttm_pool_path path = smp_load_acquire(&st->effective_path);

	if (coherent)
		return path == TTM_POOL_PATH_COHERENT;
	return path == TTM_POOL_PATH_PAGE || page_ok;
}

/*
 * Put chunk @p of @order and @caching into @pool. A coherent chunk is
 * pooled only while the pool's path is coherent; a page-path chunk while it
 * is page, or, with @page_ok (its tt does not take coherent memory), always.
 * Return 0 if it was pooled, else the counter of the reason it was not (cap,
 * or its path is not the pool's any more).
 */
static __always_inline enum ttm_pool_stat
ttm_pool_give(struct ttm_pool *pool, enum ttm_caching caching,
	      unsigned int order, struct page *p, bool page_ok, bool clean)
{
	struct ttm_pool_type *pt = &pool->caching[caching].orders[order];
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_type_state *ts = &st->types[caching][order];
	unsigned long nr = 1UL << order;
	bool coherent = ttm_pool_chunk_coherent(p);
	enum ttm_pool_room room;
	bool ours;

	room = ttm_pool_reserve(pool, nr);
	/*
	 * At the global cap, the other pools' coldest chunks make way, for a
	 * chunk of the pool's path (the check is repeated under the lock).
	 */
	if (room == TTM_POOL_ALL_FULL &&
	    ttm_pool_chunk_ours(st, coherent, page_ok) &&
	    ttm_pool_evict_for(pool, nr))
		room = ttm_pool_reserve(pool, nr);
	if (room != TTM_POOL_ROOM)
		return TTM_POOL_STAT_RELEASE_CAP;

	spin_lock(&pt->lock);
	ours = ttm_pool_chunk_ours(st, coherent, page_ok) &&
	       (clean || !READ_ONCE(ttm_pool_hibernating));
	if (ours) {
		/* See ttm_pool_type_ready(): set up by its first chunk. */
		if (!ttm_pool_type_ready(pt, coherent))
			ttm_pool_list_init(pt, ts, coherent);
		/*
		 * The first dirty chunk, or (cleared already) the most
		 * recently cleared clean one; see ttm_pool_clear.c.
		 */
		list_add(&p->lru, ts->clean_end[coherent]);
		if (clean) {
			ts->clean_end[coherent] = &p->lru;
			WRITE_ONCE(ts->nr_clean, ts->nr_clean + nr);
		}
		WRITE_ONCE(ts->nr_pages, ts->nr_pages + nr);
		/* Before a taker on another CPU can count it out. */
		ttm_pool_account_locked(st, pt, ts, p, nr);
	}
	spin_unlock(&pt->lock);

	if (!ours) {
		/* (A dirty chunk while hibernating counts as a switch.) */
		ttm_pool_unreserve(pool, nr);
		return TTM_POOL_STAT_RELEASE_SWITCH;
	}
	return 0;
}

/*
 * A chunk with @zeroed clean pages taken from @pool: under verify_clean,
 * check them (ttm_pool_verify.c). Return: how many of its pages are zero,
 * @zeroed, or 0 if they were written (the chunk is then dirty: cleared if
 * the tt needs zeroes, as any dirty chunk).
 */
static noinline unsigned int ttm_pool_taken_verify(struct ttm_pool *pool,
						   struct page *p,
						   unsigned int order,
						   unsigned int zeroed,
						   enum ttm_caching caching,
						   bool coherent)
{
	if (READ_ONCE(ttm_pool_state(pool)->verify_clean) &&
	    ttm_pool_verify_chunk(pool, p, order, zeroed, caching, coherent))
		return 0;
	return zeroed;
}

/* The reason of an injected failure (ttm_pool_alloc_fail events). */
static const char ttm_pool_fail_injected[] = "nomem";

/*
 * Release the chunks of a free that did not go into the pool, gathered in
 * @b, to the system, and count why: @cap pages for a cap, @sw for a path
 * switch. With @count (not an unwind), count the caching changes too.
 */
static noinline void ttm_pool_free_rest(struct ttm_pool *pool,
					struct ttm_pool_batch *b,
					unsigned long cap, unsigned long sw,
					bool count)
{
	unsigned long wb_pages = b->wb_pages, batches;

	/*
	 * Never reclaim here: 6.12's free path allocated nothing, and drivers
	 * free tts inside dma-fence signalling sections and under locks their
	 * own shrinkers take. Without memory the caching changes go in
	 * batches of the on-stack array.
	 */
	batches = ttm_pool_batch_release(pool, b, TTM_POOL_STAT_NR,
					 GFP_NOWAIT | __GFP_NOMEMALLOC);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_RELEASE_CAP, cap);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_RELEASE_SWITCH, sw);
	if (cap)
		trace_ttm_pool_release(pool, TTM_POOL_STAT_RELEASE_CAP, cap, 0);
	if (sw)
		trace_ttm_pool_release(pool, TTM_POOL_STAT_RELEASE_SWITCH, sw, 0);
	if (!count)
		return;
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_BATCHES, batches);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_PAGES, wb_pages);
}

/*
 * Free the chunks of tt->pages[start, end), which have caching @caching.
 * Chunks go into the pool when they may, else back to the system in one
 * batch.
 *
 * With @keep, this unwinds a failed allocation: keep[order] chunks of each
 * order came from the pool (chunks of one order and caching are alike, so
 * the first ones met stand for them) and go back to it, the others are
 * fresh and go back to the system. Only what changes the pool's balance is
 * counted: a chunk from the pool that cannot go back (a cap was reached or
 * the path switched meanwhile) leaves through the counter of that reason,
 * so that "pages in = pages out + pooled" holds. Fresh chunks never entered
 * the pool and count nothing.
 */
static __always_inline void __ttm_pool_free_range(struct ttm_pool *pool,
						  struct ttm_tt *tt,
						  enum ttm_caching caching,
						  pgoff_t start, pgoff_t end,
						  unsigned int *keep)
{
	unsigned long pooled = 0, cap = 0, sw = 0;
	bool page_ok = !ttm_pool_tt_takes_coherent(pool, tt);
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_batch b;
	enum ttm_pool_stat why;
	unsigned int order;
	struct page *p;
	bool clean = false;
	pgoff_t i;

	ttm_pool_batch_init(&b);
	for (i = start; i < end; i += 1UL << order) {
		p = tt->pages[i];
		order = ttm_pool_chunk_order(p);
		if (tt->dma_address)
			ttm_pool_unmap_chunk(pool, p, order,
					     tt->dma_address[i]);

		if (keep && !keep[order]) {
			/* Fresh: back to the system, uncounted. */
			ttm_pool_batch_add(&b, p, order, caching);
			continue;
		}
		if (keep)
			keep[order]--;
		/*
		 * init_on_free promises that freed memory holds nothing of
		 * its last user: clear a freed chunk now, as 6.12 did, rather
		 * than leave it to the worker (a chunk taken back by a failed
		 * allocation was never handed out). verify_clean needs it
		 * clean too (ttm_pool_verify.c).
		 */
		clean = !keep && (ttm_pool_clear_on_free() ||
				  ttm_pool_verifying(pool));
		if (clean)
			ttm_pool_clear_pages(p, 1UL << order, caching);
		why = ttm_pool_give(pool, caching, order, p, page_ok, clean);
		switch (why) {
		case 0:
			pooled += 1UL << order;
			continue;
		case TTM_POOL_STAT_RELEASE_SWITCH:
			sw += 1UL << order;
			break;
		default:
			cap += 1UL << order;
			break;
		}
		ttm_pool_batch_add(&b, p, order, caching);
	}

	/* Most frees pool everything: no call for an empty batch. */
	if (unlikely(b.pages))
		ttm_pool_free_rest(pool, &b, cap, sw, !keep);
	if (keep)
		return;
	trace_ttm_pool_free(pool, end - start, caching, pooled, cap + sw);
	ttm_pool_st_add(st, TTM_POOL_STAT_FREE_POOLED, pooled);
	ttm_pool_st_add(st, TTM_POOL_STAT_RETURNED, end - start);
	if (pooled) {
		ttm_pool_check_watermark(st);
		/* Chunks cleared for init_on_free or verify_clean: none dirty. */
		ttm_pool_kick_clear(st, clean ? 0 : pooled);
	}
}

/* __ttm_pool_free_range() out of line, for the unwinding of an allocation. */
static noinline void ttm_pool_free_range(struct ttm_pool *pool,
					 struct ttm_tt *tt,
					 enum ttm_caching caching,
					 pgoff_t start, pgoff_t end,
					 unsigned int *keep)
{
	__ttm_pool_free_range(pool, tt, caching, start, end, keep);
}

/*
 * Free a tt's pages when its pool is gone (misuse: see ttm_pool_live()):
 * unmap page-path chunks and release them to the system, touching nothing
 * of the pool but its device, as 6.12 unmapped with it. Coherent chunks
 * are leaked: the pool no longer knows whether its device's DMA setup is
 * still there (see ttm_pool_unplug.c), and dma_free_attrs() after
 * it is gone frees unrelated memory.
 */
static noinline void __cold ttm_pool_free_orphan(struct ttm_pool *pool,
						 struct ttm_tt *tt)
{
	unsigned long leaked = 0;
	struct ttm_pool_batch b;
	unsigned int order;
	struct page *p;
	pgoff_t i;

	ttm_pool_batch_init(&b);
	for (i = 0; i < tt->num_pages; i += 1UL << order) {
		p = tt->pages[i];
		order = ttm_pool_chunk_order(p);
		if (ttm_pool_chunk_coherent(p)) {
			kfree((struct ttm_pool_dma *)p->private);
			p->private = 0;
			leaked += 1UL << order;
			continue;
		}
		if (tt->dma_address)
			ttm_pool_unmap_chunk(pool, p, order,
					     tt->dma_address[i]);
		ttm_pool_batch_add(&b, p, order, tt->caching);
	}
	/* Page-path chunks only: nothing of the pool's state is used. */
	ttm_pool_batch_release(pool, &b, TTM_POOL_STAT_NR,
			       GFP_NOWAIT | __GFP_NOMEMALLOC);
	if (leaked)
		pr_warn_ratelimited("ttm: %lu pages of coherent DMA memory freed after their pool was finalised: leaked\n",
				    leaked);
}

/* The allocation flags of @tt's fresh chunks (not needed on a hit). */
static gfp_t ttm_pool_gfp(struct ttm_pool *pool, struct ttm_tt *tt,
			  struct ttm_operation_ctx *ctx)
{
	gfp_t gfp = GFP_USER;

	if (ctx->gfp_retry_mayfail)
		gfp |= __GFP_RETRY_MAYFAIL;
	if (tt->page_flags & TTM_TT_FLAG_ZERO_ALLOC)
		gfp |= __GFP_ZERO;
	return gfp | (pool->use_dma32 ? GFP_DMA32 : GFP_HIGHUSER);
}

/*
 * Give chunk @p of @order, taken from the pool by a failed allocation of @tt
 * and not in tt->pages, back to the pool; if it cannot, count why it left it.
 */
static noinline void ttm_pool_give_back(struct ttm_pool *pool,
					struct ttm_tt *tt, struct page *p,
					unsigned int order)
{
	struct ttm_pool_batch b;
	enum ttm_pool_stat why;

	why = ttm_pool_give(pool, tt->caching, order, p,
			    !ttm_pool_tt_takes_coherent(pool, tt), false);
	if (why) {
		ttm_pool_batch_init(&b);
		ttm_pool_batch_add(&b, p, order, tt->caching);
		ttm_pool_batch_release(pool, &b, why, GFP_KERNEL);
	}
}

/*
 * Give tt->pages[@start, @end), a run of fresh pages, the tt's caching in one
 * call (see "Caching" in ttm_pool_chunk.c); count the call in *@batches and
 * the pages in *@changed. Pooled chunks have their caching already.
 */
static int ttm_pool_caching_run(struct ttm_tt *tt, pgoff_t start, pgoff_t end,
				unsigned long *batches, unsigned long *changed)
{
	int r;

	/* (Nothing to do on a hit after a hit, the hit path's case.) */
	if (likely(end <= start) || tt->caching == ttm_cached)
		return 0;
	r = ttm_pool_set_caching(&tt->pages[start], end - start, tt->caching);
	if (r)
		return r;
	(*batches)++;
	*changed += end - start;
	return 0;
}

/**
 * ttm_pool_alloc() - Fill a ttm_tt object
 * @pool: ttm_pool to use
 * @tt: ttm_tt object to fill
 * @ctx: operation context
 *
 * Fill @tt with pages of @tt->caching, from the pool where it has chunks of
 * the effective path and freshly allocated otherwise, and fill
 * @tt->dma_address if the tt has one. The pages are zeroed if @tt has
 * TTM_TT_FLAG_ZERO_ALLOC, or the system has init_on_alloc or init_on_free;
 * otherwise their content is unspecified, as with the page allocator.
 * Such a tt takes chunks the pool has cleared in the background where it
 * has them, and clears the others itself. On failure everything taken so far is
 * given back: chunks taken from the pool return to it, fresh ones to the
 * system, and only the failure counters move.
 *
 * Return: 0 on success, -ENOMEM (also when failure injection fails it, see
 * ttm_pool_inject.c) or -EFAULT (DMA mapping) on failure,
 * -ENODEV for a tt that must have coherent memory (TTM_TT_FLAG_DECRYPTED)
 * once the pool's device's driver detached, or -EINVAL for a pool not
 * initialised or already finalised (a bug: warned once).
 */
int ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		   struct ttm_operation_ctx *ctx)
{
	/* Set as orders go down, see below: not zeroed in full on entry. */
	unsigned int taken[NR_PAGE_ORDERS] __uninitialized, top;
	pgoff_t remaining = tt->num_pages;
	unsigned long hits = 0, misses = 0, batches = 0, changed = 0;
	unsigned long cleared = 0, precleared = 0;
	const char *fail = "nomem";
	pgoff_t i = 0, run = 0;
	struct ttm_pool_state *st = ttm_pool_state(pool);
	unsigned int order, j;
	bool zero = tt->page_flags & TTM_TT_FLAG_ZERO_ALLOC;
	bool need_zero = ttm_pool_need_zero(zero);
	unsigned int zeroed;
	struct page *p, *from_pool;
	bool coherent, injected;
	int r;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	WARN_ON(!remaining || ttm_tt_is_populated(tt));
	WARN_ON(tt->dma_address && !pool->dev);

	/* Pairs with the release in ttm_pool_set_path(). */
	coherent = smp_load_acquire(&st->effective_path) ==
		   TTM_POOL_PATH_COHERENT &&
		   ttm_pool_tt_takes_coherent(pool, tt);
	/* Shared with the host (confidential guests): only coherent memory. */
	if ((tt->page_flags & TTM_TT_FLAG_DECRYPTED) && pool->dev) {
		/* None once the device's driver detached (ttm_pool_unplug.c). */
		if (READ_ONCE(st->detached))
			return -ENODEV;
		coherent = true;
	}

	order = min_t(unsigned int, MAX_PAGE_ORDER, __fls(remaining));
	/*
	 * Orders only go down from here: taken[top..] is set as they do, and
	 * what is above the first order is never read.
	 */
	top = order;
	taken[top] = 0;
	while (remaining) {
		struct ttm_pool_type *pt;

		order = min_t(unsigned int, order, __fls(remaining));
		if (unlikely(order < top)) {
			memset(&taken[order], 0, (top - order) * sizeof(*taken));
			top = order;
		}
		pt = &pool->caching[tt->caching].orders[order];
		p = ttm_pool_take(st, pt, &st->types[tt->caching][order],
				  order, coherent, need_zero, &zeroed);
		from_pool = p;
		if (p) {
			taken[order]++;
			/* Written while pooled (verify_clean)? Then dirty. */
			if (static_branch_unlikely(&ttm_pool_verify_armed) &&
			    zeroed)
				zeroed = ttm_pool_taken_verify(pool, p, order,
							       zeroed,
							       tt->caching,
							       coherent);
			/* A clean chunk if the pool had one; else clear it. */
			if (need_zero) {
				ttm_pool_clear_pages(p + zeroed,
						     (1U << order) - zeroed,
						     tt->caching);
				cleared += (1U << order) - zeroed;
				precleared += zeroed;
			}
			/* A pooled chunk ends the current run of fresh pages. */
			r = ttm_pool_caching_run(tt, run, i, &batches, &changed);
			if (r) {
				fail = "caching";
				goto err_chunk;
			}
			run = i + (1UL << order);
			hits += 1UL << order;
			trace_ttm_pool_alloc_chunk(pool, order, tt->caching,
						   coherent, true,
						   need_zero ? zeroed : 0,
						   need_zero ?
						   (1U << order) - zeroed : 0);
		} else {
			p = ttm_pool_alloc_chunk(pool, coherent,
						 ttm_pool_gfp(pool, tt, ctx),
						 order);
			if (!p) {
				if (order) {
					order--;
					continue;
				}
				r = -ENOMEM;
				goto err_unwind;
			}
			ttm_pool_count_made(pool, p, 1L << order);
			misses += 1UL << order;
			trace_ttm_pool_alloc_chunk(pool, order, tt->caching,
						   coherent, false, 0, 0);
		}

		if (tt->dma_address) {
			r = ttm_pool_map_chunk(pool, p, order,
					       &tt->dma_address[i]);
			if (r) {
				fail = "dma_map";
				goto err_chunk;
			}
		}
		for (j = 0; j < (1U << order); j++)
			tt->pages[i + j] = p + j;
		i += 1UL << order;
		remaining -= 1UL << order;
	}

	r = ttm_pool_caching_run(tt, run, i, &batches, &changed);
	if (r) {
		fail = "caching";
		goto err_unwind;
	}
	/* Fail on purpose (ttm_pool_inject.c): all of it goes back. */
	if (static_branch_unlikely(&ttm_pool_inject_armed) &&
	    ttm_pool_inject_fail(pool, tt->num_pages)) {
		run = i;	/* all of tt->pages has tt->caching now */
		r = -ENOMEM;
		fail = ttm_pool_fail_injected;
		goto err_unwind;
	}

	ttm_pool_st_add(st, TTM_POOL_STAT_ALLOC_HIT, hits);
	/* Only fresh pages change their caching. */
	if (misses) {
		ttm_pool_st_add(st, TTM_POOL_STAT_ALLOC_MISS, misses);
		ttm_pool_st_add(st, coherent ? TTM_POOL_STAT_ALLOC_COHERENT :
				TTM_POOL_STAT_ALLOC_PAGE, misses);
		ttm_pool_st_add(st, TTM_POOL_STAT_CACHING_BATCHES, batches);
		ttm_pool_st_add(st, TTM_POOL_STAT_CACHING_PAGES, changed);
	}
	ttm_pool_st_add(st, TTM_POOL_STAT_CLEARED_ALLOC, cleared);
	if (need_zero)
		ttm_pool_count_zero(st, tt->num_pages);
	trace_ttm_pool_alloc(pool, tt->num_pages, tt->caching, coherent,
			     need_zero, hits, misses, precleared, cleared, 0);
	return 0;

err_chunk:
	/*
	 * @p is not in tt->pages. A chunk from the pool has the pool's caching
	 * and goes back to it; a fresh one still has write-back.
	 */
	if (run > i)
		run = i;
	if (from_pool) {
		taken[order]--;
		ttm_pool_give_back(pool, tt, p, order);
	} else {
		ttm_pool_report_leak(pool, ttm_pool_free_chunk(pool, p));
	}
err_unwind:
	/* tt->pages[0, run) has tt->caching, [run, i) write-back. */
	ttm_pool_free_range(pool, tt, tt->caching, 0, run, taken);
	if (i > run) {
		unsigned int none[NR_PAGE_ORDERS] = { };

		ttm_pool_free_range(pool, tt, ttm_cached, run, i, none);
	}
	injected = fail == ttm_pool_fail_injected;
	ttm_pool_stat_add(pool, TTM_POOL_STAT_ALLOC_FAILURES, 1);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_ALLOC_INJECTED, injected);
	trace_ttm_pool_alloc_fail(pool, order, fail, injected);
	trace_ttm_pool_alloc(pool, tt->num_pages, tt->caching, coherent,
			     need_zero, hits, misses, precleared, cleared, r);
	return r;
}
EXPORT_SYMBOL(ttm_pool_alloc);

/**
 * ttm_pool_free() - Free the backing pages from a ttm_tt object
 * @pool: Pool to give pages back to.
 * @tt: ttm_tt object to unpopulate
 *
 * Unmap page-path chunks, then pool each chunk if its path is the pool's
 * effective one and both caps allow; otherwise release it to the system
 * (write-back restored for all of them in one call). May queue the
 * watermark worker. A tt freed after its pool was finalised (a bug: warned
 * once) goes back to the system.
 */
void ttm_pool_free(struct ttm_pool *pool, struct ttm_tt *tt)
{
	if (!ttm_pool_live(pool)) {
		ttm_pool_free_orphan(pool, tt);
		return;
	}
	__ttm_pool_free_range(pool, tt, tt->caching, 0, tt->num_pages, NULL);
}
EXPORT_SYMBOL(ttm_pool_free);

/**
 * ttm_pool_init() - Initialize a pool
 * @pool: the pool to initialize
 * @dev: device for DMA allocations and mappings
 * @nid: NUMA node to use for allocations
 * @use_dma_alloc: if coherent DMA allocations should be used
 * @use_dma32: true if GFP_DMA32 should be used
 *
 * Initialize the pool and its pool types, and put it on the list of pools
 * (which names it and gives it its sysfs and debugfs entries). The path
 * policy comes from the ttm.alloc_path module parameter; with "auto",
 * @use_dma_alloc selects the coherent path. The caps default to the global
 * cap.
 *
 * The pool's state beyond 6.12's struct ttm_pool is one allocation of about
 * 1.5 KiB, plus 8 bytes per possible NUMA node. This function cannot fail,
 * so that allocation is made with __GFP_NOFAIL: an allocation this small
 * does not fail for GFP_KERNEL callers anyway (the page allocator retries
 * it), and a pool that silently worked without its state would also lack its
 * caps and its place on the shrinker's list. The per-CPU statistics (with
 * several NUMA nodes, also a per-CPU count of pages in use per node) and the
 * sysfs and debugfs entries may fail; the pool works without them (shared
 * statistics, no per-node count, no directory).
 *
 * A pool with a device holds a reference to it until ttm_pool_fini(), and
 * learns from a managed resource on it when its driver detaches (see
 * ttm_pool_unplug.c): its pooled coherent chunks go back then, and
 * it has only the page path from then on. The pool may be finalised after
 * that, even after the device was deleted.
 *
 * Context: process context.
 */
void ttm_pool_init(struct ttm_pool *pool, struct device *dev,
		   int nid, bool use_dma_alloc, bool use_dma32)
{
	enum ttm_pool_path path = ttm_pool_default_path();
	struct ttm_pool_state *st;
	unsigned int i, j;

	WARN_ON(!dev && use_dma_alloc);
	/* A second init would leak the state the list still points to. */
	if (WARN_ONCE(ttm_pool_listed(pool),
		      "ttm: %s() of an initialised pool\n", __func__))
		return;

	pool->dev = dev;
	pool->nid = nid;
	pool->use_dma32 = use_dma32;
	pool->use_dma_alloc = use_dma_alloc;

	st = kzalloc(struct_size(st, node_pooled, nr_node_ids),
		     GFP_KERNEL | __GFP_NOFAIL);
	st->pool = pool;
	if (path == TTM_POOL_PATH_COHERENT && !dev)
		path = TTM_POOL_PATH_AUTO;
	st->path = path;

	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];

			pt->pool = pool;
			pt->caching = i;
			pt->order = j;
			INIT_LIST_HEAD(&pt->shrinker_list);
			spin_lock_init(&pt->lock);
			ttm_pool_list_init(pt, &st->types[i][j], false);
			/*
			 * The types 6.12 set up (its per-pool types served
			 * coherent pools and pools bound to a node) are set
			 * up; the ones it left zeroed stay so until their
			 * first coherent chunk (see ttm_pool_type_ready()).
			 */
			if (use_dma_alloc || nid != NUMA_NO_NODE)
				ttm_pool_list_init(pt, &st->types[i][j], true);
			else
				pt->pages = (struct list_head){ };
		}
	}
	/* From here on ttm_pool_state() finds the state. */
	list_add(&st->anchor, &pool->caching[0].orders[0].shrinker_list);
	st->effective_path = ttm_pool_resolve(pool, path, &st->auto_reason);

	atomic_long_set(&st->pooled, 0);
	mutex_init(&st->config_lock);
	INIT_WORK(&st->trim_work, ttm_pool_trim_work);
	INIT_DELAYED_WORK(&st->acct_work, ttm_pool_account_work);
	ttm_pool_clear_init(st);
	ttm_pool_verify_init(st);
	ttm_pool_stats_init(st);
	ttm_pool_register(pool);

	/* Last: the release may run from here on. */
	if (dev)
		ttm_pool_unplug_watch(pool);
}
EXPORT_SYMBOL(ttm_pool_init);

/**
 * ttm_pool_fini() - Cleanup a pool
 * @pool: the pool to clean up
 *
 * Take the pool off the list of pools (which removes its sysfs and debugfs
 * entries and waits for their readers and writers), stop the watermark
 * worker, release every pooled page, take back the managed resource on the
 * pool's device (see ttm_pool_init()), drop the reference to the device and
 * free the pool's state. Pages still in use must have been freed before. A
 * pool not initialised or already finalised is left alone (a bug: warned
 * once).
 *
 * Context: process context.
 */
void ttm_pool_fini(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	if (!ttm_pool_live(pool))
		return;
	ttm_pool_unregister(pool);
	/* No debugfs writer is left to set these again. */
	ttm_pool_inject_fini(st);
	ttm_pool_verify_fini(st);
	cancel_work_sync(&st->trim_work);
	ttm_pool_clear_fini(st);
	/* Nothing else takes chunks out of the pool now. */
	if (pool->dev)
		ttm_pool_unplug_unwatch(pool);
	ttm_pool_release_all(pool, true, true, TTM_POOL_STAT_RELEASE_FINI);
	/* The drain synced every type; nothing pends it again. */
	cancel_delayed_work_sync(&st->acct_work);
	ttm_pool_stats_fini(st);
	mutex_destroy(&st->config_lock);
	list_del_init(&st->anchor);
	kfree(st);
	if (pool->dev)
		put_device(pool->dev);
}
EXPORT_SYMBOL(ttm_pool_fini);

/**
 * ttm_pool_debugfs_table() - a table of pooled pages
 * @m: where to print it
 * @pooled: pages per caching type and order
 * @prefix: NULL for the rows "cached", "wc" and "uc"; else 6.12's labels,
 *	"<prefix>", "<prefix>wc" and "<prefix>uc"
 *
 * A header of orders, then a row per caching type: 6.12's layout, which
 * ttm_pool_debugfs() and debugfs' ttm/page_pool keep.
 */
void ttm_pool_debugfs_table(struct seq_file *m,
			    unsigned long pooled[][NR_PAGE_ORDERS],
			    const char *prefix)
{
	unsigned int i, j;

	/* 6.12 printed no table without debugfs. */
	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	seq_puts(m, "\t ");
	for (j = 0; j < NR_PAGE_ORDERS; j++)
		seq_printf(m, " ---%2u---", j);
	seq_puts(m, "\n");
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		if (prefix)
			seq_printf(m, "%s%s\t:", prefix,
				   i == ttm_cached ? "" : ttm_pool_caching_name(i));
		else
			seq_printf(m, "%s\t:", ttm_pool_caching_name(i));
		for (j = 0; j < NR_PAGE_ORDERS; j++)
			seq_printf(m, " %8lu", pooled[i][j]);
		seq_puts(m, "\n");
	}
}

/**
 * ttm_pool_debugfs() - Debugfs dump function for a pool
 * @pool: the pool to dump the information for
 * @m: seq_file to dump to
 *
 * Print the pool's pooled pages per caching type and order and the global
 * total and cap, in 6.12's table layout (drivers' ttm_page_pool files show
 * it): rows are labelled "DMA ..." while the pool runs on the coherent path.
 * The richer dump is /sys/kernel/debug/ttm/pools/<name>.
 *
 * Return: 0, -ENOMEM, or -EINVAL for a pool not initialised or finalised.
 */
int ttm_pool_debugfs(struct ttm_pool *pool, struct seq_file *m)
{
	struct ttm_pool_stats *stats;
	bool coherent;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	stats = kmalloc(sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	ttm_pool_get_stats(pool, stats);
	/* Pairs with the release in ttm_pool_set_path(). */
	coherent = smp_load_acquire(&ttm_pool_state(pool)->effective_path) ==
		   TTM_POOL_PATH_COHERENT;
	ttm_pool_debugfs_table(m, stats->pooled, coherent ? "DMA " : "");
	seq_printf(m, "\ntotal\t: %8lu of %8lu\n", ttm_pool_total_pages(),
		   READ_ONCE(ttm_pool_total_max));
	kfree(stats);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_debugfs);
