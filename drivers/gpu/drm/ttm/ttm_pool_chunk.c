// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: chunks, the two paths that make and free them, their
 * caching, and batches of chunks going back to the system.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * A chunk is 1 << order contiguous pages from one of two paths; its head
 * page records which (see "Chunks and paths" in ttm_pool.c). This file
 * allocates and frees chunks by their path, maps them for a user, changes
 * their caching, and releases batches of them. It keeps no state and calls
 * nothing else of the pool's: the core, the releases and the clearing
 * worker call it.
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
 */

#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

/*
 * Write-combined and uncached chunks of at least this order get write-back
 * restored by range, smaller ones together by page array.
 */
#define TTM_POOL_WB_RANGE_ORDER 4

/*
 * Apply @caching to @n pages. The x86 helpers fail only when they cannot
 * allocate (a memtype entry, a split page table), but report -EINVAL for
 * every failure: tell the caller what it is, -ENOMEM.
 */
int ttm_pool_set_caching(struct page **pages, unsigned long n,
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
struct page *ttm_pool_alloc_chunk(struct ttm_pool *pool, bool coherent,
				  gfp_t gfp, unsigned int order)
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
 * driver detached (see ttm_pool_unplug.c). If so, ttm_pool_dma_end()
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
 * after its device's driver detached. Counted out of the pool's node
 * counts (ttm_pool_count_made()), unless the pool is gone (a tt freed
 * after its pool was finalised: nothing of the pool's state is used).
 */
unsigned long ttm_pool_free_chunk(struct ttm_pool *pool, struct page *p)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_dma *dma;
	unsigned long leaked = 0;

	if (ttm_pool_initialised(pool))
		ttm_pool_count_made(pool, p, -(1L << ttm_pool_chunk_order(p)));
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

/* Say that @leaked pages of coherent chunks were leaked (see ttm_pool_unplug.c). */
void ttm_pool_report_leak(struct ttm_pool *pool, unsigned long leaked)
{
	if (leaked)
		pr_warn_ratelimited("ttm_pool %s: %lu pages of coherent DMA memory freed after the device was detached: leaked (%ld in all)\n",
				    ttm_pool_state(pool)->name, leaked,
				    atomic_long_read(&ttm_pool_state(pool)->leaked));
}

/**
 * ttm_pool_map_page_chunk() - DMA addresses of a page-path chunk for a user
 * @pool: the pool
 * @p: the chunk's head page
 * @order: the chunk's order
 * @dma_addr: where to store one address per page
 *
 * Map the chunk with dma_map_page(); see ttm_pool_map_chunk().
 *
 * Return: 0 or -EFAULT if the mapping failed.
 */
int ttm_pool_map_page_chunk(struct ttm_pool *pool, struct page *p,
			    unsigned int order, dma_addr_t *dma_addr)
{
	dma_addr_t addr;

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_map_page_chunk, pool, p, order,
				   dma_addr);

	addr = dma_map_page(pool->dev, p, 0, PAGE_SIZE << order,
			    DMA_BIDIRECTIONAL);
	if (dma_mapping_error(pool->dev, addr))
		return -EFAULT;
	ttm_pool_fill_dma(dma_addr, addr, order);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_map_page_chunk);

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
unsigned long ttm_pool_batch_release(struct ttm_pool *pool,
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
		trace_ttm_pool_release(pool, cause, b->pages, b->wasted);
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
