// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: verify_clean, a detector of writes to freed pages, per
 * pool, for drivers' QA (debugfs ttm/qa/<pool>/verify_clean,
 * ttm_pool_debugfs.c). Off by default.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * A clean chunk is known to be zero (see "Clearing" in ttm_pool_clear.c).
 * While verify_clean is on, every chunk freed into the pool is cleared at
 * the free, whatever the clearing policy, so that it is pooled clean; and
 * every clean page an allocation takes is checked, whole, to still be zero
 * (also the pages the background worker cleared). A page that is not was
 * written while the pool held it: by the CPU through a mapping its last
 * user kept (a vmap, a kmap, a user mapping not torn down), or by a device
 * through a DMA address of the chunk it still used (on the coherent path a
 * pooled chunk stays mapped for the device; on the page path a device
 * writing after the unmap writes the page without an IOMMU, may still do so
 * with a lazy one until its flush, and with swiotlb writes the bounce
 * buffer instead). The chunk is counted once in verify_dirty_chunks, a
 * ttm_pool_verify_dirty event names the first written page and byte and
 * shows the bytes, the kernel log reports it (at most one report per pool
 * every 5 s; without the bytes), and the allocation takes it as a dirty
 * chunk: it clears it if the tt needs zeroes, as any dirty chunk, and hands
 * it out all the same.
 *
 * What it cannot see: a write after the chunk was taken again (it belongs
 * to its new user then), a write of zeroes, a write to a chunk released to
 * the system instead of pooled (a cap, a drain, the shrinker), a dirty
 * chunk taken back by a failed allocation (never handed out, not cleared),
 * and a write that lands before the clear at the free (the free clears
 * what the freeing tt left; a write racing with the free is seen only if it
 * comes after the clear). On an architecture whose devices do not snoop
 * the CPU caches (not x86), a stale device write may also be missed: the
 * clear's zeroes can sit in the cache over it.
 *
 * Locking: ttm_pool_verify_lock serialises switching it on and off: the
 * flag ttm_pool_state.verify_clean and the count of the static key
 * ttm_pool_verify_armed (on while any pool has it on). The allocation and
 * free paths read the flag with READ_ONCE(); a chunk freed while it was
 * switched on may be taken after it was switched off, unchecked, and the
 * other way round a dirty chunk is never checked (only clean ones are).
 */

#include <linux/highmem.h>
#include <linux/jump_label.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/ratelimit.h>
#include <linux/string.h>

#include <kunit/visibility.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

/* On while a pool verifies; exported for KUnit to see it go off. */
struct static_key_false ttm_pool_verify_armed = STATIC_KEY_FALSE_INIT;
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_verify_armed);
static DEFINE_MUTEX(ttm_pool_verify_lock);

/**
 * ttm_pool_set_verify_clean() - switch verify_clean on or off for a pool
 * @pool: the pool
 * @on: check clean chunks when taken (and clear chunks when freed)
 *
 * Context: process context.
 */
void ttm_pool_set_verify_clean(struct ttm_pool *pool, bool on)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	mutex_lock(&ttm_pool_verify_lock);
	if (on != st->verify_clean) {
		if (on)
			static_branch_inc(&ttm_pool_verify_armed);
		WRITE_ONCE(st->verify_clean, on);
		if (!on)
			static_branch_dec(&ttm_pool_verify_armed);
	}
	mutex_unlock(&ttm_pool_verify_lock);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_verify_clean);

/**
 * ttm_pool_get_verify_clean() - is verify_clean on for a pool?
 * @pool: the pool
 *
 * Return: true if it is on.
 */
bool ttm_pool_get_verify_clean(struct ttm_pool *pool)
{
	return READ_ONCE(ttm_pool_state(pool)->verify_clean);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_get_verify_clean);

/* Set up @st's reporting: at most one report per 5 s. */
void ttm_pool_verify_init(struct ttm_pool_state *st)
{
	ratelimit_state_init(&st->verify_rs, 5 * HZ, 1);
}

/* Where is the first non-zero byte of page @p? PAGE_SIZE if none. */
static unsigned int ttm_pool_verify_page(struct page *p)
{
	void *va = kmap_local_page(p);
	u8 *bad = memchr_inv(va, 0, PAGE_SIZE);
	unsigned int off = bad ? bad - (u8 *)va : PAGE_SIZE;

	kunmap_local(va);
	return off;
}

/*
 * Report a written chunk in the kernel log, without its bytes: the log may
 * be readable by every user (dmesg_restrict=0), and the bytes are another
 * buffer's data. The ttm_pool_verify_dirty event, in root's tracefs, has
 * them.
 */
static void ttm_pool_verify_report(struct ttm_pool *pool, unsigned int order,
				   enum ttm_caching caching, bool coherent,
				   unsigned int page, unsigned int off)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	if (!__ratelimit(&st->verify_rs))
		return;
	pr_err("ttm: pool %s: verify_clean: a pooled %s %s chunk of order %u was written after it was freed: page %u, offset %u\n",
	       st->name, ttm_pool_caching_name(caching),
	       coherent ? "coherent" : "page-path", order, page, off);
}

/* Trace the written chunk with its first written bytes. */
static void ttm_pool_verify_trace(struct ttm_pool *pool, struct page *p,
				  unsigned int order, enum ttm_caching caching,
				  bool coherent, unsigned int page,
				  unsigned int off)
{
	u8 bytes[TTM_POOL_VERIFY_BYTES] = { };
	u8 *va;

	if (!trace_ttm_pool_verify_dirty_enabled())
		return;
	va = kmap_local_page(p + page);
	memcpy(bytes, va + off, min_t(unsigned int, sizeof(bytes),
				      PAGE_SIZE - off));
	kunmap_local(va);
	trace_ttm_pool_verify_dirty(pool, order, caching, coherent, page, off,
				    bytes);
}

/**
 * ttm_pool_verify_chunk() - check that the clean pages of a chunk are zero
 * @pool: the pool it was taken from
 * @p: the chunk's first page
 * @order: its order
 * @zero: how many of its pages, from the first, the pool knew to be zero
 * @caching: its caching
 * @coherent: whether it is a coherent-path chunk
 *
 * A chunk found written is counted and reported (see above); the caller
 * takes it as a dirty chunk. May sleep between pages (cond_resched()).
 *
 * Return: true if a page of the first @zero is not zero.
 */
bool ttm_pool_verify_chunk(struct ttm_pool *pool, struct page *p,
			   unsigned int order, unsigned int zero,
			   enum ttm_caching caching, bool coherent)
{
	unsigned int j, off;

	for (j = 0; j < zero; j++) {
		off = ttm_pool_verify_page(p + j);
		if (off != PAGE_SIZE) {
			ttm_pool_stat_add(pool, TTM_POOL_STAT_VERIFY_DIRTY, 1);
			ttm_pool_verify_trace(pool, p, order, caching, coherent,
					      j, off);
			ttm_pool_verify_report(pool, order, caching, coherent,
					       j, off);
			return true;
		}
		/*
		 * Reading uncached memory is slow: an order-10 chunk takes
		 * tens of milliseconds. Let others run every 16 pages.
		 */
		if (j % 16 == 15)
			cond_resched();
	}
	return false;
}

/* Switch verify_clean off: @st's pool is being finalised. */
void ttm_pool_verify_fini(struct ttm_pool_state *st)
{
	ttm_pool_set_verify_clean(st->pool, false);
}
