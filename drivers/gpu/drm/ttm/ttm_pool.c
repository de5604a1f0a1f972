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
 * Caching
 * -------
 * Write-combined, uncached and cached pages are pooled apart. Fresh pages get
 * their caching in one set_pages_array_wc/uc() call per contiguous run of
 * fresh pages in the tt. When pages go back to the system (cap, trim, drain,
 * shrinker, switch, fini) they are collected first and write-back is restored
 * per batch: every chunk of TTM_POOL_WB_RANGE_ORDER or more gets one
 * set_pages_wb() call (one range walk, one memtype update), and the smaller
 * chunks share one set_pages_array_wb() call (one TLB flush for all of them,
 * but one memtype update per page, which is why large chunks do not go that
 * way). Merging physically adjacent large chunks into one call was measured
 * and gained nothing: the per-PTE work of the caching change dominates.
 *
 * Clearing
 * --------
 * The contract is the page allocator's: a tt gets zeroed pages if it asks
 * for them with TTM_TT_FLAG_ZERO_ALLOC (as every device BO does), and so
 * does every tt when the system initialises all allocations (init_on_alloc,
 * on by default in Debian's kernels) or clears what is freed (init_on_free);
 * otherwise the content is unspecified (kernel BOs, BOs about to be filled
 * by a move). Fresh page-path chunks get __GFP_ZERO for ZERO_ALLOC tts (the
 * page allocator clears them itself under init_on_alloc and init_on_free),
 * and dma_alloc_attrs() always returns zeroed memory.
 *
 * Pooled chunks are clean (known to be zero) or dirty. A free does not
 * clear: freed chunks enter the pool dirty, and with "prezero" on (the
 * default; sysfs) a worker clears them in the background, off every caller's
 * path. The exception is init_on_free, whose promise is that freed memory
 * keeps nothing of its last user (in memory, or in a hibernation image):
 * then a free clears its chunks before they are pooled, clean, as 6.12 did.
 * A tt that needs zeroes takes a clean chunk, or else clears a dirty one
 * itself; one that does not prefers a dirty chunk, leaving the clean ones
 * to those that need them. Releases (caps, trims, the shrinker) take dirty
 * chunks first, so that few clears are wasted on pages that leave; under
 * init_on_free the page allocator clears those as they go back. With
 * prezero off, every chunk stays dirty: it is cleared when taken, if
 * needed, as before.
 *
 * Each list (a type's coherent list, pt->pages, and its page-path list)
 * holds its clean chunks first and its dirty ones after them, with
 * ttm_pool_type_state.clean_end marking the boundary. Frees insert after the
 * boundary (the first dirty chunk is the most recently freed); the worker
 * clears that chunk, then moves it to the boundary (the last clean chunk is
 * the most recently cleared); allocations take next to the boundary, on
 * either side; releases take the oldest dirty chunk (the tail), then the
 * oldest clean one (the head).
 *
 * The worker clears a chunk in place, a page at a time under the type's
 * lock: the chunk stays listed, so allocations, releases, drains and path
 * switches take it at any time, without waiting for the worker; whoever
 * takes it learns how many of its pages are already zero. (6.12's KUnit
 * cases check that a freed chunk is on pt->pages and that an allocation
 * takes it from there: a chunk must never be off its list while pooled.)
 * Clearing outside the lock would need a handshake with a taker of the
 * chunk being cleared: the taker would wait for the lowest-priority thread
 * in the world, or the chunk would leave its list; one page per hold is the
 * bound instead. The worker is one thread for all pools, unbound, not
 * freezable, at the lowest priority (a kthread_worker: no per-run cost to
 * lower its priority, and cheaper to wake than a workqueue). A free queues
 * the pool's work after TTM_POOL_CLEAR_DELAY, so that frees close together
 * share one wakeup and a tt allocated right after a free clears the chunk
 * itself instead of racing the worker for it. A run clears at most
 * TTM_POOL_CLEAR_BATCH pages, and the worker stands aside for
 * TTM_POOL_CLEAR_BACKOFF while memory is short: reclaim asked the pools to
 * shrink in the last second and less than an eighth of RAM is available
 * (clearing pages about to be released wastes the clear; kswapd alone,
 * which also runs to assemble high-order pages, is not enough). Without
 * the thread (it could not be made) a pool's prezero is off until setting
 * it makes the thread.
 *
 * Write-combined chunks are cleared through their kernel mapping, which is
 * write-combined (set_pages_array_wc() changes it), so the stores combine.
 * Uncached chunks have no fast mapping on x86: a write-combined alias of an
 * uncached page is a memory-type conflict that PAT forbids. clear_page()'s
 * "rep stosb" degrades to one uncached store per byte on uncached memory
 * (fast strings work only on write-back memory), so uncached chunks are
 * cleared with 8-byte stores, 8x fewer uncached writes, and only ever by
 * the worker or by an allocation that needs zeroes.
 *
 * Cached pages of the page path are pooled like the others: the pool keeps
 * high-order chunks that are costly to reassemble once memory is fragmented,
 * and the caps and the shrinker bound what that costs. (Earlier kernels
 * returned them to the page allocator at once.)
 *
 * Limits
 * ------
 * A global cap bounds the pages pooled by all pools (ttm.page_pool_size, by
 * default half of RAM) and each pool has its own cap, max_pages (default:
 * the global cap). A freed chunk that would exceed the pool's cap goes back
 * to the system in that call. At the global cap, the other pools' coldest
 * chunks are released to make room for it (a busy pool keeps what it frees
 * while idle pools give way, as 6.12's one global pool evicted its oldest
 * pages); only if they hold too little does the chunk go back. Releases
 * (caps, trims, the shrinker) take the coldest chunks, allocations the most
 * recently pooled. Lowering a cap trims before the setter returns. Above
 * high_watermark a worker trims the pool down to low_watermark; by default
 * both equal max_pages, so the worker only runs once an administrator lowers
 * them.
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
 * Hot-unplug
 * ----------
 * A coherent chunk must go back through dma_free_attrs() on the device that
 * made it, with the device's DMA setup as it was at the allocation. A
 * device's driver detaches before the device is deleted, and what happens
 * then changes that setup: device_unbind_cleanup() tears down the arch's
 * DMA ops and frees the device's DMA range map, and device_del() then makes
 * the IOMMU core release the device (6.12's iommu_deinit_device() clears
 * dev->dma_iommu). From then on dma_free_attrs() takes the dma-direct
 * branch, which reads the IOVA of a chunk as a physical address and frees
 * whatever pages that names. A driver may keep its ttm_device, and so its
 * pool, past the unplug until the last close (drm_dev_unplug()), and the
 * shrinker, another pool's global-cap eviction, sysfs and the final
 * ttm_pool_fini() release pooled chunks at any time.
 *
 * So ttm_pool_init() adds a managed resource (devres) to the pool's device
 * and holds a reference to the device until ttm_pool_fini(). Its release
 * runs when the driver detaches (devres_release_all() from
 * device_unbind_cleanup(), after the driver's remove callback and before
 * the DMA teardown), or, for a device without a driver, in device_del()
 * before the IOMMU core lets go of it; ttm_pool_fini() takes it back if it
 * has not run. The release ("detach") switches the pool to the page path
 * for good (the policy still shows, alloc_path coherent is refused with
 * -ENODEV, "auto" resolves to page: "device detached"), which releases
 * every pooled coherent chunk through the DMA API while the device is still
 * whole; drivers that unpopulate their tts in their remove callback
 * (amdgpu's ttm_device_clear_dma_mappings()) have thus given back all of
 * it. A coherent chunk freed afterwards belonged to a tt still alive at the
 * detach, a breach of the DMA API by its driver that dma-debug reports at
 * the unbind. No DMA API call can free it correctly any more, and giving
 * its pages to the page allocator could hand them out while the device, if
 * still present, may write to them: the pool leaks the chunk, counts it and
 * says so in the kernel log. The detach marks that point (dma_gone) and
 * waits for the coherent frees already under way (dma_freeing), so that
 * none of them reaches the DMA API after it returns.
 *
 * Locking
 * -------
 *  - ttm_pool_type.lock (spinlock): the type's coherent list (pages) and
 *    its private part: the page-path list, nr_pages, nr_clean, the lists'
 *    clean/dirty boundaries and the chunk being cleared with its progress.
 *    nr_pages and nr_clean are written with WRITE_ONCE() under the lock and
 *    peeked at without it (READ_ONCE()) to skip empty or clean types, and
 *    read without it by the statistics (ttm_pool_stats.c); a stale peek
 *    only turns a hit into a miss, delays a clear or costs a locked look at
 *    an empty list. Never held while allocating, freeing or changing
 *    caching; held while the clearing worker clears one page, and for at
 *    most TTM_POOL_LOCK_BATCH chunks walked past or moved.
 *  - ttm_pool_state.prezero: written under config_lock, read with
 *    READ_ONCE() by frees (to queue the worker) and by the worker.
 *  - ttm_pool_state.config_lock (mutex): the pool's policy, caps and
 *    watermarks; held by setters, not by alloc/free, which read them with
 *    READ_ONCE().
 *  - ttm_pool_state.effective_path: written with smp_store_release() under
 *    config_lock, read with smp_load_acquire(); see "Chunks and paths".
 *  - ttm_pool_state.pooled and ttm_pool_total_pooled (atomics): pages
 *    pooled per pool and in all pools. A chunk reserves its pages in both
 *    before it is listed, so the caps hold to the page even under
 *    concurrent frees.
 *  - The list of pools and their names: ttm_pool_list.c, whose register
 *    and unregister are the only callers of the sysfs and debugfs files;
 *    this file calls neither.
 *  - Statistics are per-CPU (ttm_pool_stats.c) and need no lock.
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

/*
 * Write-combined and uncached chunks of at least this order get write-back
 * restored by range, smaller ones together by page array.
 */
#define TTM_POOL_WB_RANGE_ORDER 4

/* Pages the clearing worker clears per run before it queues itself again. */
#define TTM_POOL_CLEAR_BATCH 1024

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
 * How long freed chunks wait for the clearing worker: frees within that time
 * share one run of it, and a tt allocated right after a free takes the dirty
 * chunk and clears it itself, as fast as a clear-on-free pool, instead of
 * racing the worker for it.
 */
#define TTM_POOL_CLEAR_DELAY msecs_to_jiffies(10)

/* How long the clearing worker stands aside while memory is short. */
#define TTM_POOL_CLEAR_BACKOFF HZ

/*
 * Hibernation writes every page in use to the image: what a pool holds
 * that is not known to be zero would go there, freed buffers' contents
 * included. From PM_HIBERNATION_PREPARE (ttm_pool_pm_notify()) until the
 * system is back, pools keep no dirty chunk: those they hold are released
 * and frees clear what they pool (as under init_on_free). Checked under the
 * type's lock in ttm_pool_give(), so that no free slips a dirty chunk in
 * behind ttm_pool_release_dirty().
 */
static bool ttm_pool_hibernating;

/**
 * struct ttm_pool_dma - head-page data of a coherent-path chunk
 * @addr: DMA address of the chunk
 * @vaddr: CPU address dma_alloc_attrs() returned
 * @order: the chunk's order
 */
struct ttm_pool_dma {
	dma_addr_t addr;
	void *vaddr;
	unsigned int order;
};

/*
 * struct ttm_pool_batch - chunks on their way back to the system. Chunks are
 * linked by their head page's lru; @wb holds the write-combined and uncached
 * ones, whose write-back caching is restored in one call.
 */
struct ttm_pool_batch {
	struct list_head wb;
	struct list_head cached;
	unsigned long wb_pages;
	unsigned long pages;
	unsigned long wasted;	/* of @pages, those the pool had cleared */
};

static bool ttm_pool_chunk_coherent(struct page *p)
{
	return p->private > MAX_PAGE_ORDER;
}

static unsigned int ttm_pool_chunk_order(struct page *p)
{
	if (ttm_pool_chunk_coherent(p))
		return ((struct ttm_pool_dma *)p->private)->order;
	return p->private;
}

/*
 * Apply @caching to @n pages. The x86 helpers fail only when they cannot
 * allocate (a memtype entry, a split page table), but report -EINVAL for
 * every failure: tell the caller what it is, -ENOMEM.
 */
static int ttm_pool_set_caching(struct page **pages, unsigned long n,
				enum ttm_caching caching)
{
	int r = 0;

#ifdef CONFIG_X86
	switch (caching) {
	case ttm_write_combined:
		r = set_pages_array_wc(pages, n);
		break;
	case ttm_uncached:
		r = set_pages_array_uc(pages, n);
		break;
	case ttm_cached:
		break;
	}
#endif
	return r ? -ENOMEM : 0;
}

static void ttm_pool_restore_wb(struct page **pages, unsigned long n)
{
#ifdef CONFIG_X86
	set_pages_array_wb(pages, n);
#endif
}

/* Restore write-back on @n physically contiguous pages from @p. */
static void ttm_pool_restore_wb_range(struct page *p, unsigned long n)
{
#ifdef CONFIG_X86
	set_pages_wb(p, n);
#endif
}

/**
 * ttm_pool_alloc_chunk() - allocate a fresh chunk
 * @pool: the pool
 * @coherent: use the coherent path (else the page path)
 * @gfp: allocation flags
 * @order: the chunk's order
 *
 * Return: the chunk's head page with ->private set up, or NULL.
 */
VISIBLE_IF_KUNIT struct page *ttm_pool_alloc_chunk(struct ttm_pool *pool,
						   bool coherent, gfp_t gfp,
						   unsigned int order)
{
	unsigned long attrs = DMA_ATTR_FORCE_CONTIGUOUS;
	struct ttm_pool_dma *dma;
	struct page *p;
	void *vaddr;

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_alloc_chunk, pool, coherent, gfp,
				   order);

	if (order)
		gfp |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN;

	if (!coherent) {
		if (order && pool->nid != NUMA_NO_NODE)
			gfp |= __GFP_THISNODE;
		p = alloc_pages_node(pool->nid, gfp, order);
		if (p)
			p->private = order;
		return p;
	}

	dma = kmalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return NULL;
	if (order)
		attrs |= DMA_ATTR_NO_WARN;
	vaddr = dma_alloc_attrs(pool->dev, PAGE_SIZE << order, &dma->addr, gfp,
				attrs);
	if (!vaddr) {
		kfree(dma);
		return NULL;
	}
	p = is_vmalloc_addr(vaddr) ? vmalloc_to_page(vaddr) : virt_to_page(vaddr);
	dma->vaddr = vaddr;
	dma->order = order;
	p->private = (unsigned long)dma;
	return p;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_alloc_chunk);

static void ttm_pool_dma_end(struct ttm_pool_state *st)
{
	if (atomic_dec_and_test(&st->dma_freeing))
		wake_up_var(&st->dma_freeing);
}

/*
 * May a coherent chunk go back through the DMA API? Not once the device's
 * driver detached (see "Hot-unplug" above). If so, ttm_pool_dma_end()
 * must follow the dma_free_attrs() call: the detach waits for it.
 */
static bool ttm_pool_dma_begin(struct ttm_pool_state *st)
{
	atomic_inc(&st->dma_freeing);
	/* Pairs with the barrier in ttm_pool_detach(). */
	smp_mb__after_atomic();
	if (!READ_ONCE(st->dma_gone))
		return true;
	ttm_pool_dma_end(st);
	return false;
}

/*
 * Give a chunk back to the system through the path that made it. Return
 * the number of its pages leaked instead: those of a coherent chunk freed
 * after its device's driver detached.
 */
static unsigned long ttm_pool_free_chunk(struct ttm_pool *pool, struct page *p)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_dma *dma;
	unsigned long leaked = 0;

	if (!ttm_pool_chunk_coherent(p)) {
		unsigned int order = p->private;

		p->private = 0;
		__free_pages(p, order);
		return 0;
	}

	dma = (struct ttm_pool_dma *)p->private;
	p->private = 0;
	if (ttm_pool_dma_begin(st)) {
		dma_free_attrs(pool->dev, PAGE_SIZE << dma->order, dma->vaddr,
			       dma->addr, DMA_ATTR_FORCE_CONTIGUOUS);
		ttm_pool_dma_end(st);
	} else {
		leaked = 1UL << dma->order;
		atomic_long_add(leaked, &st->leaked);
	}
	kfree(dma);
	return leaked;
}

/* Say that @leaked pages of coherent chunks were leaked (see above). */
static void ttm_pool_report_leak(struct ttm_pool *pool, unsigned long leaked)
{
	if (leaked)
		pr_warn_ratelimited("ttm_pool %s: %lu pages of coherent DMA memory freed after the device was detached: leaked (%ld in all)\n",
				    ttm_pool_state(pool)->name, leaked,
				    atomic_long_read(&ttm_pool_state(pool)->leaked));
}

/**
 * ttm_pool_map_chunk() - DMA addresses of a chunk for a user
 * @pool: the pool
 * @p: the chunk's head page
 * @order: the chunk's order
 * @dma_addr: where to store one address per page
 *
 * Page-path chunks are mapped with dma_map_page(); coherent chunks already
 * have their address.
 *
 * Return: 0 or -EFAULT if the mapping failed.
 */
VISIBLE_IF_KUNIT int ttm_pool_map_chunk(struct ttm_pool *pool, struct page *p,
					unsigned int order, dma_addr_t *dma_addr)
{
	dma_addr_t addr;
	unsigned int i;

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_map_chunk, pool, p, order,
				   dma_addr);

	if (ttm_pool_chunk_coherent(p)) {
		addr = ((struct ttm_pool_dma *)p->private)->addr;
	} else {
		addr = dma_map_page(pool->dev, p, 0, PAGE_SIZE << order,
				    DMA_BIDIRECTIONAL);
		if (dma_mapping_error(pool->dev, addr))
			return -EFAULT;
	}
	for (i = 0; i < (1U << order); i++)
		dma_addr[i] = addr + ((dma_addr_t)i << PAGE_SHIFT);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_map_chunk);

static void ttm_pool_unmap_chunk(struct ttm_pool *pool, struct page *p,
				 unsigned int order, dma_addr_t addr)
{
	if (!ttm_pool_chunk_coherent(p))
		dma_unmap_page(pool->dev, addr, PAGE_SIZE << order,
			       DMA_BIDIRECTIONAL);
}

/* Clear one page of caching @caching; see "Clearing" above. */
static void ttm_pool_clear_page(struct page *p, enum ttm_caching caching)
{
	void *va;

	if (caching != ttm_uncached) {
		clear_highpage(p);
		return;
	}
	va = kmap_local_page(p);
	memset64(va, 0, PAGE_SIZE / sizeof(u64));
	kunmap_local(va);
}

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
 * Count @nr pages of chunk @p in (or, negative, out of) @pool. With a single
 * node (most machines), the per-node count is the pool's count: not kept.
 */
static void ttm_pool_account(struct ttm_pool *pool, struct page *p, long nr)
{
	int nid = page_to_nid(p);

	if (nr_node_ids > 1)
		atomic_long_add(nr, &ttm_pool_state(pool)->node_pooled[nid]);
	mod_node_page_state(NODE_DATA(nid), NR_KERNEL_MISC_RECLAIMABLE, nr);
}

enum ttm_pool_room {
	TTM_POOL_ROOM,
	TTM_POOL_FULL,		/* the pool's own cap */
	TTM_POOL_ALL_FULL,	/* the global cap */
};

/* Reserve room for @nr pooled pages under both caps. */
static enum ttm_pool_room ttm_pool_reserve(struct ttm_pool *pool,
					   unsigned long nr)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	if (atomic_long_add_return(nr, &st->pooled) >
	    READ_ONCE(st->max_pages))
		goto undo_pool;
	if (atomic_long_add_return(nr, &ttm_pool_total_pooled) >
	    READ_ONCE(ttm_pool_total_max))
		goto undo_total;
	return TTM_POOL_ROOM;

undo_total:
	atomic_long_sub(nr, &ttm_pool_total_pooled);
	atomic_long_sub(nr, &st->pooled);
	return TTM_POOL_ALL_FULL;
undo_pool:
	atomic_long_sub(nr, &st->pooled);
	return TTM_POOL_FULL;
}

static void ttm_pool_unreserve(struct ttm_pool *pool, unsigned long nr)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	atomic_long_sub(nr, &ttm_pool_total_pooled);
	atomic_long_sub(nr, &st->pooled);
}

/*
 * Can @pt's list of @coherent chunks be used? The page-path list always can;
 * pt->pages only once set up: ttm_pool_init() leaves it {NULL, NULL} where
 * 6.12 did (a pool neither coherent nor bound to a node), because upstream's
 * KUnit case ttm_pool_free_no_dma_alloc asserts list_is_singular() on it,
 * true only of that state, and ttm_pool_give() sets it up with the type's
 * first coherent chunk. Every use of pt->pages is behind this check, under
 * the type's lock.
 */
static bool ttm_pool_type_ready(struct ttm_pool_type *pt, bool coherent)
{
	return !coherent || pt->pages.next;
}

/* @pt's list of @coherent chunks; see ttm_pool_type_ready(). */
static struct list_head *ttm_pool_type_list(struct ttm_pool_type *pt,
					    struct ttm_pool_type_state *ts,
					    bool coherent)
{
	return coherent ? &pt->pages : &ts->page_chunks;
}

/* Set up an empty list of @pt; see ttm_pool_type_ready(). */
static void ttm_pool_list_init(struct ttm_pool_type *pt,
			       struct ttm_pool_type_state *ts, bool coherent)
{
	struct list_head *list = ttm_pool_type_list(pt, ts, coherent);

	INIT_LIST_HEAD(list);
	ts->clean_end[coherent] = list;
}

/*
 * Take @p, clean or not (@clean), off @pt's list of @coherent chunks and out
 * of its counts, with the type's lock held. Return how many of its pages,
 * from the first, are zero: all of a clean chunk, those the worker cleared
 * of the chunk it is clearing (which it then leaves alone), none otherwise.
 */
static unsigned int ttm_pool_unlink(struct ttm_pool_type *pt,
				    struct ttm_pool_type_state *ts,
				    struct page *p, bool coherent, bool clean)
{
	unsigned int nr = 1U << pt->order, zero = clean ? nr : 0;

	lockdep_assert_held(&pt->lock);
	if (ts->clean_end[coherent] == &p->lru)
		ts->clean_end[coherent] = p->lru.prev;
	list_del(&p->lru);
	WRITE_ONCE(ts->nr_pages, ts->nr_pages - nr);
	if (clean)
		WRITE_ONCE(ts->nr_clean, ts->nr_clean - nr);
	if (ts->clearing == p) {
		zero = ts->cleared;
		ts->clearing = NULL;
	}
	return zero;
}

/* Is @p on node @nid (NUMA_NO_NODE: any node)? */
static bool ttm_pool_on_node(struct page *p, int nid)
{
	return nid == NUMA_NO_NODE || page_to_nid(p) == nid;
}

/*
 * The chunk to release from @pt's list of @coherent chunks, on node @nid
 * (NUMA_NO_NODE: any node), or NULL: the oldest dirty chunk, else the
 * oldest clean one (*@clean says which). Called with the type's lock held.
 *
 * A pool bound to a node finds one at once; in a pool without a node, on a
 * machine with several, chunks of other nodes may lie in the way of a
 * reclaim of one node. Such a search walks past at most TTM_POOL_LOCK_BATCH
 * chunks and moves each chunk it passes to the warm end of its part of the
 * list (dirty ones before the newest dirty chunk, clean ones after the
 * newest clean), so that the next search starts where this one stopped:
 * every chunk the shrinker counts for a node is reached within a bounded
 * number of searches, each with a bounded hold of the lock.
 */
static struct page *ttm_pool_find_cold(struct ttm_pool_type *pt,
				       struct ttm_pool_type_state *ts,
				       bool coherent, int nid, bool *clean)
{
	struct list_head *list = ttm_pool_type_list(pt, ts, coherent);
	struct list_head *end = ts->clean_end[coherent];
	struct list_head *pos, *last, *next;
	unsigned int walked = 0;
	struct page *found = NULL;

	/* Dirty, the oldest first: from the tail back to the boundary. */
	last = end->next;
	for (pos = list->prev; pos != end && walked < TTM_POOL_LOCK_BATCH;
	     pos = next) {
		walked++;
		if (ttm_pool_on_node(list_entry(pos, struct page, lru), nid)) {
			found = list_entry(pos, struct page, lru);
			*clean = false;
			goto out;
		}
		if (pos == last)
			break;
		next = pos->prev;
		list_move(pos, end);
	}
	/* Clean, the oldest first: from the head to the boundary. */
	if (end == list)
		goto out;
	last = end;
	for (pos = list->next; walked < TTM_POOL_LOCK_BATCH; pos = next) {
		walked++;
		if (ttm_pool_on_node(list_entry(pos, struct page, lru), nid)) {
			found = list_entry(pos, struct page, lru);
			*clean = true;
			goto out;
		}
		if (pos == last)
			break;
		next = pos->next;
		list_move(pos, ts->clean_end[coherent]);
		ts->clean_end[coherent] = pos;
	}
out:
	ttm_pool_lock_work(walked);
	return found;
}

/*
 * Take a chunk of the given path from @pt, or NULL. For an allocation (@cold
 * false) the most recently cleared clean chunk if @want_clean, else the most
 * recently freed dirty one, or one of the other kind if there is none of
 * that kind; to release (@cold true) the oldest dirty chunk on node @nid
 * (NUMA_NO_NODE: any node), else the oldest clean one. *@zero is set to how
 * many of the chunk's pages, from its first, are zero.
 */
static struct page *ttm_pool_take(struct ttm_pool_type *pt, bool coherent,
				  bool cold, int nid, bool want_clean,
				  unsigned int *zero)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	unsigned long nr = 1UL << pt->order;
	struct list_head *list, *end;
	struct page *p = NULL;
	bool clean = false;

	/* Unlocked peek: a miss need not take the lock (a race is a miss). */
	if (!READ_ONCE(ts->nr_pages))
		return NULL;

	spin_lock(&pt->lock);
	if (ttm_pool_type_ready(pt, coherent)) {
		list = ttm_pool_type_list(pt, ts, coherent);
		end = ts->clean_end[coherent];
		if (cold) {
			p = ttm_pool_find_cold(pt, ts, coherent, nid, &clean);
		} else {
			/* clean: list..end, dirty: end->next..list */
			bool has_clean = end != list;
			bool has_dirty = end->next != list;

			clean = has_clean && (want_clean || !has_dirty);
			if (clean)
				p = list_entry(end, struct page, lru);
			else if (has_dirty)
				p = list_entry(end->next, struct page, lru);
		}
		if (p)
			*zero = ttm_pool_unlink(pt, ts, p, coherent, clean);
	}
	spin_unlock(&pt->lock);

	if (p) {
		ttm_pool_unreserve(pt->pool, nr);
		ttm_pool_account(pt->pool, p, -nr);
	}
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
 * Put a chunk into @pt. A coherent chunk is pooled only while the pool's
 * path is coherent; a page-path chunk while it is page, or, with @page_ok
 * (its tt does not take coherent memory), always. Return 0 if it was
 * pooled, else the counter of the reason it was not (cap, or its path is
 * not the pool's any more).
 */
static enum ttm_pool_stat ttm_pool_give(struct ttm_pool_type *pt,
					struct page *p, bool page_ok,
					bool clean)
{
	struct ttm_pool *pool = pt->pool;
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_type_state *ts = &st->types[pt->caching][pt->order];
	unsigned long nr = 1UL << pt->order;
	bool coherent = ttm_pool_chunk_coherent(p);
	enum ttm_pool_room room;
	bool ours;

	room = ttm_pool_reserve(pool, nr);
	/*
	 * At the global cap, the other pools' coldest chunks make way, for a
	 * chunk of the pool's path (the check is repeated under the lock).
	 */
	ours = ttm_pool_chunk_ours(st, coherent, page_ok);
	if (room == TTM_POOL_ALL_FULL && ours && ttm_pool_evict_for(pool, nr))
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
		 * recently cleared clean one; see "Clearing" above.
		 */
		list_add(&p->lru, ts->clean_end[coherent]);
		if (clean) {
			ts->clean_end[coherent] = &p->lru;
			WRITE_ONCE(ts->nr_clean, ts->nr_clean + nr);
		}
		WRITE_ONCE(ts->nr_pages, ts->nr_pages + nr);
		/* Before a taker on another CPU can count it out. */
		ttm_pool_account(pool, p, nr);
	}
	spin_unlock(&pt->lock);

	if (!ours) {
		/* (A dirty chunk while hibernating counts as a switch.) */
		ttm_pool_unreserve(pool, nr);
		return TTM_POOL_STAT_RELEASE_SWITCH;
	}
	return 0;
}

static void ttm_pool_batch_init(struct ttm_pool_batch *b)
{
	INIT_LIST_HEAD(&b->wb);
	INIT_LIST_HEAD(&b->cached);
	b->wb_pages = 0;
	b->pages = 0;
	b->wasted = 0;
}

static void ttm_pool_batch_add(struct ttm_pool_batch *b, struct page *p,
			       unsigned int order, enum ttm_caching caching)
{
	if (caching == ttm_cached) {
		list_add_tail(&p->lru, &b->cached);
	} else {
		list_add_tail(&p->lru, &b->wb);
		b->wb_pages += 1UL << order;
	}
	b->pages += 1UL << order;
}

static bool ttm_pool_wb_by_range(struct page *p, unsigned int order)
{
	return order >= TTM_POOL_WB_RANGE_ORDER && !PageHighMem(p);
}

/*
 * Restore write-back on the pages of @chunks: one range call per chunk of
 * TTM_POOL_WB_RANGE_ORDER or more, one array call for the pages of all
 * smaller chunks (more if no array that large can be allocated). Returns the
 * number of calls made.
 */
static unsigned long ttm_pool_restore_wb_chunks(struct list_head *chunks,
						gfp_t gfp)
{
	struct page *fallback[16], **pages, *p;
	unsigned long cap = 0, n = 0, calls = 0, i;
	unsigned int order;

	list_for_each_entry(p, chunks, lru) {
		order = ttm_pool_chunk_order(p);
		if (ttm_pool_wb_by_range(p, order)) {
			ttm_pool_restore_wb_range(p, 1UL << order);
			calls++;
		} else {
			cap += 1UL << order;
		}
	}
	if (!cap)
		return calls;

	pages = kvmalloc_array(cap, sizeof(*pages), gfp | __GFP_NOWARN);
	if (!pages) {
		pages = fallback;
		cap = ARRAY_SIZE(fallback);
	}
	list_for_each_entry(p, chunks, lru) {
		order = ttm_pool_chunk_order(p);
		if (ttm_pool_wb_by_range(p, order))
			continue;
		for (i = 0; i < (1UL << order); i++) {
			pages[n++] = p + i;
			if (n == cap) {
				ttm_pool_restore_wb(pages, n);
				calls++;
				n = 0;
			}
		}
	}
	if (n) {
		ttm_pool_restore_wb(pages, n);
		calls++;
	}
	if (pages != fallback)
		kvfree(pages);
	return calls;
}

/*
 * Restore write-back on the batch's pages (see "Caching" above), then free
 * every chunk. @cause is the counter to charge with the pages and the
 * caching change, or TTM_POOL_STAT_NR to count nothing here. Returns the
 * number of write-back calls made. Reschedules between chunks if @gfp may
 * sleep (never on the free path: 6.12 freed cached pages without sleeping).
 */
static unsigned long ttm_pool_batch_release(struct ttm_pool *pool,
					    struct ttm_pool_batch *b,
					    enum ttm_pool_stat cause, gfp_t gfp)
{
	bool may_sleep = gfpflags_allow_blocking(gfp);
	unsigned long batches = 0, leaked = 0;
	struct page *p, *tmp;

	if (!b->pages)
		return 0;
	if (b->wb_pages)
		batches = ttm_pool_restore_wb_chunks(&b->wb, gfp);

	list_splice_tail_init(&b->cached, &b->wb);
	list_for_each_entry_safe(p, tmp, &b->wb, lru) {
		list_del(&p->lru);
		leaked += ttm_pool_free_chunk(pool, p);
		/* A drain or a trim may release millions of chunks. */
		if (may_sleep)
			cond_resched();
	}
	ttm_pool_report_leak(pool, leaked);

	if (cause != TTM_POOL_STAT_NR) {
		ttm_pool_stat_add(pool, cause, b->pages);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_BATCHES, batches);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_PAGES,
				  b->wb_pages);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_CLEARED_WASTED,
				  b->wasted);
	}
	ttm_pool_batch_init(b);
	return batches;
}

/* Account for @chunks, taken off @pt, leaving the pool and add them to @b. */
static void ttm_pool_chunks_to_batch(struct ttm_pool_type *pt,
				     struct list_head *chunks,
				     struct ttm_pool_batch *b)
{
	struct page *p, *tmp;

	list_for_each_entry_safe(p, tmp, chunks, lru) {
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

/**
 * ttm_pool_set_hibernating() - keep no dirty chunk in any pool, or again
 * @on: from PM_HIBERNATION_PREPARE until the system is back
 *
 * On, frees clear the chunks they pool; the caller then releases each
 * pool's dirty chunks with ttm_pool_release_dirty().
 */
void ttm_pool_set_hibernating(bool on)
{
	WRITE_ONCE(ttm_pool_hibernating, on);
}

/* Must a chunk pooled now be zero? Under init_on_free, or hibernating. */
static bool ttm_pool_clear_on_free(void)
{
	return want_init_on_free() || READ_ONCE(ttm_pool_hibernating);
}

static void ttm_pool_release_all(struct ttm_pool *pool, bool coherent,
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
		p = ttm_pool_take(pt, true, true, nid, false, zero);
		if (!p)
			p = ttm_pool_take(pt, false, true, nid, false, zero);
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

static void ttm_pool_trim_to(struct ttm_pool *pool, unsigned long target,
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

static void ttm_pool_trim_work(struct work_struct *work)
{
	struct ttm_pool_state *st = container_of(work, struct ttm_pool_state,
						 trim_work);

	ttm_pool_trim_to(st->pool, READ_ONCE(st->low_watermark),
			 TTM_POOL_STAT_RELEASE_TRIM);
}

static void ttm_pool_check_watermark(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	if (atomic_long_read(&st->pooled) > READ_ONCE(st->high_watermark))
		queue_work(system_unbound_wq, &st->trim_work);
}

/*
 * Clear one page of a dirty chunk of @pt, in place (see "Clearing" above):
 * continue the chunk being cleared, or start on the most recently freed one
 * of the page-path list, else of the coherent list. A chunk cleared to its
 * end becomes its list's last clean chunk. Return false if @pt has no dirty
 * chunk. One page per hold of the type's lock.
 */
static bool ttm_pool_clear_step(struct ttm_pool_type *pt)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	unsigned int nr = 1U << pt->order;
	struct list_head *list, *end;
	bool cleared = false;
	struct page *p;
	int coherent;

	spin_lock(&pt->lock);
	p = ts->clearing;
	if (p) {
		coherent = ttm_pool_chunk_coherent(p);
		end = ts->clean_end[coherent];
	} else {
		for (coherent = 0; coherent < 2; coherent++) {
			if (!ttm_pool_type_ready(pt, coherent))
				continue;
			list = ttm_pool_type_list(pt, ts, coherent);
			end = ts->clean_end[coherent];
			if (end->next != list)
				break;
		}
		if (coherent == 2)
			goto out;
		p = list_entry(end->next, struct page, lru);
		ts->clearing = p;
		ts->cleared = 0;
	}
	ttm_pool_clear_page(p + ts->cleared, pt->caching);
	/*
	 * Zeroes written through a write-combined mapping may still sit in
	 * this CPU's WC buffers, and on x86 they can pass the write-back
	 * stores below and spin_unlock()'s plain store: another CPU could
	 * then take the page as cleared and its next user read the old
	 * contents. Drain them before the progress is published (6.12
	 * cleared before a spin_lock(), whose LOCKed instruction did that).
	 * Uncached stores are not buffered. No test can see this: TCG does
	 * not model WC buffers.
	 */
	if (pt->caching == ttm_write_combined) {
		/* Orders the WC zeroes before the stores publishing them. */
		wmb();
	}
	cleared = true;
	if (++ts->cleared == nr) {
		/* Newer dirty chunks may have been freed in between. */
		list_move(&p->lru, end);
		ts->clean_end[coherent] = &p->lru;
		WRITE_ONCE(ts->nr_clean, ts->nr_clean + nr);
		ts->clearing = NULL;
	}
out:
	spin_unlock(&pt->lock);
	return cleared;
}

/*
 * Is the system short of memory? Reclaim asked the pools to shrink in the
 * last second, and less than an eighth of RAM is available. (kswapd also
 * scans the shrinkers to assemble high-order pages when memory is
 * plentiful: reclaim alone is not pressure.)
 */
#if IS_ENABLED(CONFIG_KUNIT)
/*
 * KUnit: -1 asks the system, 0 or 1 is the answer. The worker is another
 * thread than the test's, which a static stub does not reach.
 */
int ttm_pool_test_memory_short = -1;
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_test_memory_short);
#endif

static bool ttm_pool_memory_short(void)
{
#if IS_ENABLED(CONFIG_KUNIT)
	int answer = READ_ONCE(ttm_pool_test_memory_short);

	if (answer >= 0)
		return answer;
#endif
	if (!time_before(jiffies, READ_ONCE(ttm_pool_reclaim_stamp) + HZ))
		return false;
	return si_mem_available() < (long)(totalram_pages() / 8);
}

/*
 * The clearing worker: clear the pool's dirty chunks, at most
 * TTM_POOL_CLEAR_BATCH pages per run, then queue itself again if it used up
 * its batch. It stops when prezero is switched off; when memory is short it
 * stops too and comes back after TTM_POOL_CLEAR_BACKOFF (a free does not
 * bring it back sooner), so that dirty chunks do not stay dirty until the
 * next free once the pressure is over. It runs on ttm_pool_clear_worker, a
 * thread at the lowest priority.
 */
static void ttm_pool_clear_work(struct kthread_work *work)
{
	struct ttm_pool_state *st =
		container_of(work, struct ttm_pool_state, clear_work.work);
	struct ttm_pool *pool = st->pool;
	unsigned long budget = TTM_POOL_CLEAR_BATCH, done = 0;
	bool backoff = false;
	unsigned int i, j;

	spin_lock(&st->clear_lock);
	st->clear_queued = false;
	st->clear_backoff = false;
	st->clear_running = true;
	spin_unlock(&st->clear_lock);
	/*
	 * A free from now on queues the work again: clear_queued is false
	 * before this run looks at the lists (a free pools its chunk, then
	 * peeks at clear_queued; see ttm_pool_kick_clear()).
	 */
	smp_mb();
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];
			struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);

			while (done < budget &&
			       READ_ONCE(ts->nr_pages) !=
			       READ_ONCE(ts->nr_clean)) {
				if (!READ_ONCE(st->prezero))
					goto out;
				if (done % 128 == 0 && ttm_pool_memory_short()) {
					backoff = true;
					goto out;
				}
				if (!ttm_pool_clear_step(pt))
					break;
				done++;
				cond_resched();
			}
		}
	}
out:
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CLEARED_BACKGROUND, done);
	spin_lock(&st->clear_lock);
	st->clear_running = false;
	if ((done >= budget || backoff) && !st->clear_queued) {
		st->clear_queued = true;
		st->clear_backoff = backoff;
		kthread_queue_delayed_work(st->clear_worker, &st->clear_work,
					   backoff ? TTM_POOL_CLEAR_BACKOFF : 0);
	}
	spin_unlock(&st->clear_lock);
}

/* Queue the clearing worker, if prezero is on and it is not queued yet. */
static void ttm_pool_kick_clear(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct kthread_worker *w;

	/* Pairs with the release in ttm_pool_set_prezero(). */
	if (!smp_load_acquire(&st->prezero))
		return;
	w = READ_ONCE(st->clear_worker);
	if (!w)
		return;
	/* The chunk is pooled before the peek; pairs with the worker's. */
	smp_mb();
	if (READ_ONCE(st->clear_queued))
		return;
	spin_lock(&st->clear_lock);
	if (!st->clear_queued) {
		st->clear_queued = true;
		kthread_queue_delayed_work(w, &st->clear_work,
					   st->clear_flushing ? 0 :
					   TTM_POOL_CLEAR_DELAY);
	}
	spin_unlock(&st->clear_lock);
}

/*
 * The clearing thread, shared by every pool: made with the first pool, gone
 * with the last (pools made without a TTM device, by tests and tools, need
 * it too), at the lowest priority. Serialised by ttm_pool_clear_mutex.
 */
static DEFINE_MUTEX(ttm_pool_clear_mutex);
static struct kthread_worker *ttm_pool_clear_worker;
static unsigned int ttm_pool_clear_users;

/*
 * Make the clearing thread. Not freezable: its runs are short, it only
 * writes pages the pools own, and a freezable one would make the last
 * pool's fini wait for the thaw while kernel threads are frozen
 * (kthread_destroy_worker() flushes it).
 */
VISIBLE_IF_KUNIT struct kthread_worker *ttm_pool_clear_create(void)
{
	struct kthread_worker *w;

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_clear_create);

	w = kthread_create_worker(0, "ttm_pool_clear");
	if (IS_ERR(w))
		return w;
	sched_set_normal(w->task, MAX_NICE);
	return w;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_clear_create);

/*
 * The clearing thread, made now if there is none (@user: count a pool
 * more among its users). NULL if it cannot be made: pools then clear on
 * allocation only, and say so (prezero 0) until it can.
 */
static struct kthread_worker *ttm_pool_clear_get(bool user)
{
	struct kthread_worker *w;

	mutex_lock(&ttm_pool_clear_mutex);
	if (!ttm_pool_clear_worker) {
		w = ttm_pool_clear_create();
		if (IS_ERR(w))
			pr_warn("ttm: no clearing thread (%pe); pools clear on allocation only\n",
				w);
		else
			ttm_pool_clear_worker = w;
	}
	ttm_pool_clear_users += user;
	w = ttm_pool_clear_worker;
	mutex_unlock(&ttm_pool_clear_mutex);
	return w;
}

static void ttm_pool_clear_put(void)
{
	struct kthread_worker *w = NULL;

	mutex_lock(&ttm_pool_clear_mutex);
	if (!--ttm_pool_clear_users) {
		w = ttm_pool_clear_worker;
		ttm_pool_clear_worker = NULL;
	}
	mutex_unlock(&ttm_pool_clear_mutex);
	if (w)
		kthread_destroy_worker(w);
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
static void ttm_pool_free_range(struct ttm_pool *pool, struct ttm_tt *tt,
				enum ttm_caching caching, pgoff_t start,
				pgoff_t end, unsigned int *keep)
{
	unsigned long pooled = 0, cap = 0, sw = 0, wb_pages, batches;
	bool page_ok = !ttm_pool_tt_takes_coherent(pool, tt);
	struct ttm_pool_batch b;
	enum ttm_pool_stat why;
	unsigned int order, j;
	struct page *p;
	bool clean;
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
		 * allocation was never handed out).
		 */
		clean = !keep && ttm_pool_clear_on_free();
		if (clean)
			for (j = 0; j < (1U << order); j++)
				ttm_pool_clear_page(p + j, caching);
		why = ttm_pool_give(&pool->caching[caching].orders[order], p,
				    page_ok, clean);
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

	wb_pages = b.wb_pages;
	/*
	 * Never reclaim here: 6.12's free path allocated nothing, and drivers
	 * free tts inside dma-fence signalling sections and under locks their
	 * own shrinkers take. Without memory the caching changes go in
	 * batches of the on-stack array.
	 */
	batches = ttm_pool_batch_release(pool, &b, TTM_POOL_STAT_NR,
					 GFP_NOWAIT | __GFP_NOMEMALLOC);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_RELEASE_CAP, cap);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_RELEASE_SWITCH, sw);
	if (keep)
		return;
	ttm_pool_stat_add(pool, TTM_POOL_STAT_FREE_POOLED, pooled);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_RETURNED, end - start);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_BATCHES, batches);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_PAGES, wb_pages);
	if (pooled) {
		ttm_pool_check_watermark(pool);
		ttm_pool_kick_clear(pool);
	}
}

/*
 * Free a tt's pages when its pool is gone (misuse: see ttm_pool_live()):
 * unmap page-path chunks and release them to the system, touching nothing
 * of the pool but its device, as 6.12 unmapped with it. Coherent chunks
 * are leaked: the pool no longer knows whether its device's DMA setup is
 * still there (see ttm_pool_devres_release()), and dma_free_attrs() after
 * it is gone frees unrelated memory.
 */
static void ttm_pool_free_orphan(struct ttm_pool *pool, struct ttm_tt *tt)
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
 * system, and only the failure counter moves.
 *
 * Return: 0 on success, -ENOMEM or -EFAULT (DMA mapping) on failure,
 * -ENODEV for a tt that must have coherent memory (TTM_TT_FLAG_DECRYPTED)
 * once the pool's device's driver detached, or -EINVAL for a pool not
 * initialised or already finalised (a bug: warned once).
 */
int ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		   struct ttm_operation_ctx *ctx)
{
	unsigned int taken[NR_PAGE_ORDERS] = { };
	pgoff_t remaining = tt->num_pages;
	unsigned long hits = 0, misses = 0, batches = 0, changed = 0;
	unsigned long cleared = 0;
	pgoff_t i = 0, run = 0;
	struct ttm_pool_state *st = ttm_pool_state(pool);
	gfp_t gfp = GFP_USER;
	unsigned int order, j;
	bool zero = tt->page_flags & TTM_TT_FLAG_ZERO_ALLOC;
	bool need_zero = ttm_pool_need_zero(zero);
	unsigned int zeroed;
	struct page *p, *from_pool;
	bool coherent;
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
		/* None once the device's driver detached (see Hot-unplug). */
		if (READ_ONCE(st->detached))
			return -ENODEV;
		coherent = true;
	}
	if (ctx->gfp_retry_mayfail)
		gfp |= __GFP_RETRY_MAYFAIL;
	if (zero)
		gfp |= __GFP_ZERO;
	gfp |= pool->use_dma32 ? GFP_DMA32 : GFP_HIGHUSER;

	order = min_t(unsigned int, MAX_PAGE_ORDER, __fls(remaining));
	while (remaining) {
		struct ttm_pool_type *pt;

		order = min_t(unsigned int, order, __fls(remaining));
		pt = &pool->caching[tt->caching].orders[order];
		p = ttm_pool_take(pt, coherent, false, NUMA_NO_NODE, need_zero,
				  &zeroed);
		from_pool = p;
		if (p) {
			taken[order]++;
			/* A clean chunk if the pool had one; else clear it. */
			for (j = zeroed; need_zero && j < (1U << order); j++)
				ttm_pool_clear_page(p + j, tt->caching);
			if (need_zero)
				cleared += (1U << order) - zeroed;
			/* A pooled chunk ends the current run of fresh pages. */
			if (i > run) {
				r = ttm_pool_set_caching(&tt->pages[run],
							 i - run, tt->caching);
				if (r)
					goto err_chunk;
				batches += tt->caching != ttm_cached;
				changed += tt->caching != ttm_cached ? i - run : 0;
			}
			run = i + (1UL << order);
			hits += 1UL << order;
		} else {
			p = ttm_pool_alloc_chunk(pool, coherent, gfp, order);
			if (!p) {
				if (order) {
					order--;
					continue;
				}
				r = -ENOMEM;
				goto err_unwind;
			}
			misses += 1UL << order;
		}

		if (tt->dma_address) {
			r = ttm_pool_map_chunk(pool, p, order,
					       &tt->dma_address[i]);
			if (r)
				goto err_chunk;
		}
		for (j = 0; j < (1U << order); j++)
			tt->pages[i + j] = p + j;
		i += 1UL << order;
		remaining -= 1UL << order;
	}

	if (i > run) {
		r = ttm_pool_set_caching(&tt->pages[run], i - run, tt->caching);
		if (r)
			goto err_unwind;
		batches += tt->caching != ttm_cached;
		changed += tt->caching != ttm_cached ? i - run : 0;
	}

	ttm_pool_stat_add(pool, TTM_POOL_STAT_ALLOC_HIT, hits);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_ALLOC_MISS, misses);
	ttm_pool_stat_add(pool, coherent ? TTM_POOL_STAT_ALLOC_COHERENT :
				TTM_POOL_STAT_ALLOC_PAGE, misses);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_BATCHES, batches);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CACHING_PAGES, changed);
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CLEARED_ALLOC, cleared);
	return 0;

err_chunk:
	/*
	 * @p is not in tt->pages. A chunk from the pool has the pool's caching
	 * and goes back to it; a fresh one still has write-back.
	 */
	if (run > i)
		run = i;
	if (from_pool) {
		struct ttm_pool_batch b;
		enum ttm_pool_stat why;

		/* Back to the pool; if it cannot, count why it left it. */
		taken[order]--;
		why = ttm_pool_give(&pool->caching[tt->caching].orders[order], p,
				    !ttm_pool_tt_takes_coherent(pool, tt),
				    false);
		if (why) {
			ttm_pool_batch_init(&b);
			ttm_pool_batch_add(&b, p, order, tt->caching);
			ttm_pool_batch_release(pool, &b, why, GFP_KERNEL);
		}
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
	ttm_pool_stat_add(pool, TTM_POOL_STAT_ALLOC_FAILURES, 1);
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
	ttm_pool_free_range(pool, tt, tt->caching, 0, tt->num_pages, NULL);
}
EXPORT_SYMBOL(ttm_pool_free);

/**
 * ttm_pool_set_path() - configure a pool's allocation path
 * @pool: the pool
 * @path: auto, coherent or page
 *
 * Takes effect for the next allocation. If the effective path changes, the
 * chunks pooled by the old one are released before this returns; chunks in
 * use stay valid and are released by their own path when freed.
 * Context: process context; takes the pool's config_lock.
 *
 * In a confidential guest (SEV, TDX) a pool keeps the path its driver asked
 * for: the tts' TTM_TT_FLAG_DECRYPTED follows it (see ttm_pool_cc_guest()).
 *
 * Once the pool's device's driver detached (hot-unplug), the pool has only
 * the page path: "auto" resolves to it and coherent is refused.
 *
 * Return: 0, -EINVAL for an unknown path or coherent without a device,
 * -ENODEV for coherent once the device's driver detached, or -EOPNOTSUPP
 * for another path than the driver's in a confidential guest (nothing
 * changed then).
 */
int ttm_pool_set_path(struct ttm_pool *pool, enum ttm_pool_path path)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	enum ttm_pool_path effective;
	const char *why;

	if (!ttm_pool_live(pool) || path > TTM_POOL_PATH_PAGE)
		return -EINVAL;
	if (path == TTM_POOL_PATH_COHERENT && !pool->dev)
		return -EINVAL;

	mutex_lock(&st->config_lock);
	if (path == TTM_POOL_PATH_COHERENT && st->detached) {
		mutex_unlock(&st->config_lock);
		return -ENODEV;
	}
	effective = ttm_pool_resolve(pool, path, &why);
	if (path != TTM_POOL_PATH_AUTO && path != effective) {
		/* Only a confidential guest overrides a configured path. */
		mutex_unlock(&st->config_lock);
		return -EOPNOTSUPP;
	}
	st->path = path;
	st->auto_reason = why;
	if (effective != st->effective_path) {
		bool old_coherent = effective == TTM_POOL_PATH_PAGE;

		/* Pairs with the acquire in ttm_pool_alloc() and _give(). */
		smp_store_release(&st->effective_path, effective);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_PATH_SWITCHES, 1);
		ttm_pool_release_all(pool, old_coherent, !old_coherent,
				     TTM_POOL_STAT_RELEASE_SWITCH);
	}
	mutex_unlock(&st->config_lock);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_set_path);

/**
 * ttm_pool_set_max_pages() - set a pool's cap
 * @pool: the pool
 * @max_pages: the most pages the pool may keep; 0 disables pooling
 *
 * Watermarks never set follow the cap, up and down; watermarks set (by
 * ttm_pool_set_watermarks() or the single setters) above the new cap are
 * lowered to it. Pooled pages above it are released before this returns.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, or -ERANGE if @max_pages exceeds the RAM of the machine.
 */
int ttm_pool_set_max_pages(struct ttm_pool *pool, unsigned long max_pages)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	unsigned long high, low;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	if (max_pages > totalram_pages())
		return -ERANGE;

	mutex_lock(&st->config_lock);
	/*
	 * A mark never set follows the cap, but low never passes high: with
	 * high set and low not, low follows high.
	 */
	high = st->high_set ? min(st->high_watermark, max_pages) : max_pages;
	low = st->low_set ? min(st->low_watermark, high) : high;
	WRITE_ONCE(st->max_pages, max_pages);
	WRITE_ONCE(st->high_watermark, high);
	WRITE_ONCE(st->low_watermark, low);
	ttm_pool_trim_to(pool, max_pages, TTM_POOL_STAT_RELEASE_TRIM);
	mutex_unlock(&st->config_lock);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_set_max_pages);

/* Called with config_lock held. */
static int ttm_pool_apply_watermarks(struct ttm_pool *pool, unsigned long high,
				     unsigned long low)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	if (low > high || high > st->max_pages)
		return -EINVAL;
	WRITE_ONCE(st->high_watermark, high);
	WRITE_ONCE(st->low_watermark, low);
	st->high_set = true;
	st->low_set = true;
	ttm_pool_check_watermark(pool);
	return 0;
}

/**
 * ttm_pool_set_watermarks() - set a pool's background trim thresholds
 * @pool: the pool
 * @high: above this many pooled pages the trim worker runs
 * @low: the worker trims down to this many
 *
 * If the pool is already above @high, the worker is queued.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, or -EINVAL unless @low <= @high <= max_pages (nothing changed
 * then).
 */
int ttm_pool_set_watermarks(struct ttm_pool *pool, unsigned long high,
			    unsigned long low)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	int ret;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	ret = ttm_pool_apply_watermarks(pool, high, low);
	mutex_unlock(&st->config_lock);
	return ret;
}
EXPORT_SYMBOL(ttm_pool_set_watermarks);

/* Set one watermark, keeping the other. */
static int ttm_pool_set_one_watermark(struct ttm_pool *pool, bool high,
				      unsigned long pages)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	bool low_set, high_set;
	int ret;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	low_set = st->low_set;
	high_set = st->high_set;
	/*
	 * The other mark, if never set, follows: low is high, high is the
	 * cap (and fails like a set one if @pages is above it).
	 */
	if (high)
		ret = ttm_pool_apply_watermarks(pool, pages, low_set ?
						st->low_watermark : pages);
	else
		ret = ttm_pool_apply_watermarks(pool, high_set ?
						st->high_watermark :
						max(st->high_watermark, pages),
						pages);
	if (!ret) {
		st->low_set = low_set || !high;
		st->high_set = high_set || high;
	}
	mutex_unlock(&st->config_lock);
	return ret;
}

/**
 * ttm_pool_set_high_watermark() - set a pool's high watermark
 * @pool: the pool
 * @high: above this many pooled pages the trim worker runs
 *
 * Context: process context; takes the pool's config_lock.
 * A low watermark never set follows @high.
 * Return: 0, or -EINVAL unless @high <= max_pages and, if the low watermark
 * was set, low_watermark <= @high.
 */
int ttm_pool_set_high_watermark(struct ttm_pool *pool, unsigned long high)
{
	return ttm_pool_set_one_watermark(pool, true, high);
}
EXPORT_SYMBOL(ttm_pool_set_high_watermark);

/**
 * ttm_pool_set_low_watermark() - set a pool's low watermark
 * @pool: the pool
 * @low: the trim worker trims down to this many pooled pages
 *
 * Context: process context; takes the pool's config_lock.
 * A high watermark never set stays at max_pages.
 * Return: 0, or -EINVAL unless @low <= max_pages and, if the high watermark
 * was set, @low <= high_watermark.
 */
int ttm_pool_set_low_watermark(struct ttm_pool *pool, unsigned long low)
{
	return ttm_pool_set_one_watermark(pool, false, low);
}
EXPORT_SYMBOL(ttm_pool_set_low_watermark);

/**
 * ttm_pool_get_path() - a pool's path policy
 * @pool: the pool
 *
 * Return: auto, coherent or page, as last configured.
 */
enum ttm_pool_path ttm_pool_get_path(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return TTM_POOL_PATH_AUTO;
	return READ_ONCE(ttm_pool_state(pool)->path);
}
EXPORT_SYMBOL(ttm_pool_get_path);

/**
 * ttm_pool_effective_path() - the path a pool's fresh pages come from now
 * @pool: the pool
 *
 * Return: TTM_POOL_PATH_COHERENT or TTM_POOL_PATH_PAGE.
 */
enum ttm_pool_path ttm_pool_effective_path(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return TTM_POOL_PATH_PAGE;
	/* Pairs with the release in ttm_pool_set_path(). */
	return smp_load_acquire(&ttm_pool_state(pool)->effective_path);
}
EXPORT_SYMBOL(ttm_pool_effective_path);

/**
 * ttm_pool_path_reason() - why a pool's policy resolved to its path
 * @pool: the pool
 *
 * Return: a constant string, such as "swiotlb forces bouncing".
 */
const char *ttm_pool_path_reason(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return "";
	return READ_ONCE(ttm_pool_state(pool)->auto_reason);
}
EXPORT_SYMBOL(ttm_pool_path_reason);

/**
 * ttm_pool_max_pages() - a pool's cap
 * @pool: the pool
 *
 * Return: the most pages the pool keeps.
 */
unsigned long ttm_pool_max_pages(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->max_pages);
}
EXPORT_SYMBOL(ttm_pool_max_pages);

/**
 * ttm_pool_high_watermark() - a pool's high watermark
 * @pool: the pool
 *
 * Return: above this many pooled pages the trim worker runs.
 */
unsigned long ttm_pool_high_watermark(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->high_watermark);
}
EXPORT_SYMBOL(ttm_pool_high_watermark);

/**
 * ttm_pool_low_watermark() - a pool's low watermark
 * @pool: the pool
 *
 * Return: the trim worker trims down to this many pooled pages.
 */
unsigned long ttm_pool_low_watermark(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return 0;
	return READ_ONCE(ttm_pool_state(pool)->low_watermark);
}
EXPORT_SYMBOL(ttm_pool_low_watermark);

/**
 * ttm_pool_drain() - release every pooled page of a pool
 * @pool: the pool
 *
 * Context: process context.
 */
void ttm_pool_drain(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return;
	ttm_pool_release_all(pool, true, true, TTM_POOL_STAT_RELEASE_DRAIN);
}
EXPORT_SYMBOL(ttm_pool_drain);

/**
 * ttm_pool_set_prezero() - switch background clearing on or off
 * @pool: the pool
 * @on: clear freed chunks in the background (the default)
 *
 * On, a worker clears the pool's dirty chunks off the callers' paths; off,
 * chunks are cleared only when taken by a tt that needs zeroes. Chunks
 * already clean stay clean either way. Switching off waits for a running
 * worker to stop. Switching on makes the clearing thread if the pool has
 * none (its making failed when the pool was set up).
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, -ENOMEM if the clearing thread cannot be made (prezero stays
 * off), or -EINVAL for a pool not initialised or finalised.
 */
int ttm_pool_set_prezero(struct ttm_pool *pool, bool on)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	int ret = 0;

	if (!ttm_pool_live(pool))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	if (on && !st->clear_worker) {
		WRITE_ONCE(st->clear_worker, ttm_pool_clear_get(false));
		if (!st->clear_worker) {
			ret = -ENOMEM;
			on = false;
		}
	}
	/* The worker before prezero; pairs with ttm_pool_kick_clear(). */
	smp_store_release(&st->prezero, on);
	if (on) {
		ttm_pool_kick_clear(pool);
	} else if (st->clear_worker) {
		kthread_cancel_delayed_work_sync(&st->clear_work);
		spin_lock(&st->clear_lock);
		st->clear_queued = false;
		st->clear_backoff = false;
		spin_unlock(&st->clear_lock);
	}
	mutex_unlock(&st->config_lock);
	return ret;
}
EXPORT_SYMBOL(ttm_pool_set_prezero);

/**
 * ttm_pool_prezero() - is background clearing on?
 * @pool: the pool
 *
 * Return: true if the pool clears freed chunks in the background.
 */
bool ttm_pool_prezero(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return false;
	return READ_ONCE(ttm_pool_state(pool)->prezero);
}
EXPORT_SYMBOL(ttm_pool_prezero);

/**
 * ttm_pool_prezero_flush() - wait for the clearing worker to be idle
 * @pool: the pool
 *
 * Return once the pool's clearing worker is neither queued nor running.
 * The pool is then clean unless prezero is off, reclaim made the worker
 * stand aside, or chunks were freed meanwhile. For tests and benchmarks.
 * Context: process context; may sleep.
 */
void ttm_pool_prezero_flush(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	bool busy, queued;

	if (!ttm_pool_live(pool) || !st->clear_worker)
		return;
	/*
	 * Run it now, not after its delay, until it neither runs nor is
	 * queued (it queues itself again after a full batch). While we flush,
	 * frees queue it without delay: kthread_flush_work() of a work whose
	 * timer is pending would wait for ever.
	 */
	spin_lock(&st->clear_lock);
	st->clear_flushing++;
	spin_unlock(&st->clear_lock);
	do {
		spin_lock(&st->clear_lock);
		/* Standing aside for memory: not brought forward. */
		queued = st->clear_queued && !st->clear_backoff;
		busy = queued || st->clear_running;
		if (queued)
			kthread_mod_delayed_work(st->clear_worker,
						 &st->clear_work, 0);
		spin_unlock(&st->clear_lock);
		if (busy) {
			kthread_flush_work(&st->clear_work.work);
			/*
			 * While ttm_pool_set_prezero(false) cancels the work,
			 * it is neither queued again nor flushed, and
			 * clear_queued stays set until that caller runs
			 * again: let it, rather than spin (on one CPU, or
			 * without preemption, it never would).
			 */
			cond_resched();
		}
	} while (busy);
	spin_lock(&st->clear_lock);
	st->clear_flushing--;
	spin_unlock(&st->clear_lock);
}
EXPORT_SYMBOL(ttm_pool_prezero_flush);

/**
 * struct ttm_pool_devres - a pool's managed resource on its device
 * @pool: the pool, or NULL once ttm_pool_fini() disarmed the release
 *
 * See "Hot-unplug" above.
 */
struct ttm_pool_devres {
	struct ttm_pool *pool;
};

/*
 * Serialises a release against ttm_pool_fini() taking the resource back,
 * which may run concurrently (a last close during the unplug): fini either
 * removes the resource from the device, or, if devres_release_all() has
 * taken it off already, disarms it before its release runs (the resource
 * is freed only after that).
 */
static DEFINE_MUTEX(ttm_pool_devres_lock);

/*
 * The device's driver detached (or the device without one is being
 * deleted), and its DMA setup goes next: release every pooled coherent
 * chunk through the DMA API now and never pool, allocate or free one
 * through it again. See "Hot-unplug" above.
 */
static void ttm_pool_detach(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	enum ttm_pool_path effective;
	const char *why;

	mutex_lock(&st->config_lock);
	WRITE_ONCE(st->detached, true);
	effective = ttm_pool_resolve(pool, st->path, &why);
	st->auto_reason = why;
	if (effective != st->effective_path) {
		/* Pairs with the acquire in ttm_pool_alloc() and _give(). */
		smp_store_release(&st->effective_path, effective);
		ttm_pool_stat_add(pool, TTM_POOL_STAT_PATH_SWITCHES, 1);
	}
	/*
	 * Coherent chunks are pooled only on the coherent path, checked under
	 * the type's lock: one pooled before the switch is released here.
	 */
	ttm_pool_release_all(pool, true, false, TTM_POOL_STAT_RELEASE_SWITCH);
	mutex_unlock(&st->config_lock);

	WRITE_ONCE(st->dma_gone, true);
	/* Pairs with the barrier in ttm_pool_dma_begin(). */
	smp_mb();
	wait_var_event(&st->dma_freeing, !atomic_read(&st->dma_freeing));
}

static void ttm_pool_devres_release(struct device *dev, void *res)
{
	struct ttm_pool_devres *dr = res;

	mutex_lock(&ttm_pool_devres_lock);
	if (dr->pool) {
		ttm_pool_state(dr->pool)->devres = NULL;
		ttm_pool_detach(dr->pool);
	}
	mutex_unlock(&ttm_pool_devres_lock);
}

static int ttm_pool_devres_match(struct device *dev, void *res, void *data)
{
	return res == data;
}

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
 * caps and its place on the shrinker's list. The per-CPU statistics and the
 * sysfs and debugfs entries may fail; the pool works without them (shared
 * statistics, no directory).
 *
 * A pool with a device holds a reference to it until ttm_pool_fini(), and
 * learns from a managed resource on it when its driver detaches (see
 * "Hot-unplug" in ttm_pool.c): its pooled coherent chunks go back then, and
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
	spin_lock_init(&st->clear_lock);
	st->clear_worker = ttm_pool_clear_get(true);
	/* Without the thread nothing clears in the background: say so. */
	st->prezero = !!st->clear_worker;
	kthread_init_delayed_work(&st->clear_work, ttm_pool_clear_work);
	ttm_pool_stats_init(st);
	ttm_pool_register(pool);

	/* Last: the release may run from here on. */
	if (dev) {
		struct ttm_pool_devres *dr;

		get_device(dev);
		dr = devres_alloc(ttm_pool_devres_release, sizeof(*dr),
				  GFP_KERNEL | __GFP_NOFAIL);
		dr->pool = pool;
		st->devres = dr;
		devres_add(dev, dr);
	}
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
	struct ttm_pool_devres *dr;

	if (!ttm_pool_live(pool))
		return;
	ttm_pool_unregister(pool);
	cancel_work_sync(&st->trim_work);
	if (st->clear_worker)
		kthread_cancel_delayed_work_sync(&st->clear_work);
	ttm_pool_clear_put();
	/*
	 * Nothing else takes chunks out of the pool now. If the device's
	 * driver has not detached, its coherent chunks go back while it
	 * cannot: a release under way waits for the lock, before the
	 * device's DMA teardown. Then take the resource back, or disarm the
	 * release under way.
	 */
	mutex_lock(&ttm_pool_devres_lock);
	dr = st->devres;
	if (dr) {
		ttm_pool_release_all(pool, true, false,
				     TTM_POOL_STAT_RELEASE_FINI);
		if (devres_remove(pool->dev, ttm_pool_devres_release,
				  ttm_pool_devres_match, dr))
			devres_free(dr);
		else
			dr->pool = NULL;
		st->devres = NULL;
	}
	mutex_unlock(&ttm_pool_devres_lock);
	ttm_pool_release_all(pool, true, true, TTM_POOL_STAT_RELEASE_FINI);
	ttm_pool_stats_fini(st);
	mutex_destroy(&st->config_lock);
	list_del_init(&st->anchor);
	kfree(st);
	if (pool->dev)
		put_device(pool->dev);
}
EXPORT_SYMBOL(ttm_pool_fini);

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

	if (!ttm_pool_live(pool))
		return -EINVAL;
	stats = kmalloc(sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	ttm_pool_get_stats(pool, stats);
	ttm_pool_debugfs_table(m, stats->pooled,
			       ttm_pool_effective_path(pool) ==
			       TTM_POOL_PATH_COHERENT ? "DMA " : "");
	seq_printf(m, "\ntotal\t: %8lu of %8lu\n",
		   ttm_pool_global_pooled_pages(), ttm_pool_global_max_pages());
	kfree(stats);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_debugfs);
