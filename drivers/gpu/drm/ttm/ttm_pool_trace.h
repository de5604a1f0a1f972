/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The TTM page pool's tracepoints: the system ttm_pool in tracefs
 * (events/ttm_pool/), for perf, bpftrace and trace-cmd; the events and their
 * fields are documented in Documentation/trace/ttm_pool.rst.
 *
 * Their page fields add up to the pool's counters (stats/ in sysfs), event
 * kind by event kind. Names (pool, caching, path, reason) are strings, from
 * the same functions as sysfs and debugfs. Only the files that fire events
 * include this header, and ttm_pool_trace.c makes them.
 *
 * All of it is out of genksyms' sight: the tracing headers define structures
 * that the exports' types only name, and would change the CRCs of the
 * exports of every file that includes this (5 of 6.12's 67 for ttm_pool.c,
 * which make abi-check compares with Debian's kernel).
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#ifndef __GENKSYMS__
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ttm_pool

#if !defined(_TTM_POOL_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _TTM_POOL_TRACE_H_

#include <linux/tracepoint.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

/* The path a fresh chunk of the allocation comes from. */
#define ttm_pool_trace_path(coherent)					\
	ttm_pool_path_name((coherent) ? TTM_POOL_PATH_COHERENT :	\
			   TTM_POOL_PATH_PAGE)

/*
 * One chunk of an allocation, once it is placed: taken from the pool (hit)
 * or fresh (miss). Of a hit's pages, @precleared were clean already and
 * @cleared the allocation cleared (both 0 if the tt needs no zeroes). A
 * clean chunk verify_clean found written is taken as a dirty one.
 */
TRACE_EVENT(ttm_pool_alloc_chunk,
	    TP_PROTO(struct ttm_pool *pool, unsigned int order,
		     enum ttm_caching caching, bool coherent, bool hit,
		     unsigned int precleared, unsigned int cleared),
	    TP_ARGS(pool, order, caching, coherent, hit, precleared, cleared),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned int, order)
			     __string(caching, ttm_pool_caching_name(caching))
			     __string(path, ttm_pool_trace_path(coherent))
			     __field(bool, hit)
			     __field(unsigned int, precleared)
			     __field(unsigned int, cleared)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->order = order;
			   __assign_str(caching);
			   __assign_str(path);
			   __entry->hit = hit;
			   __entry->precleared = precleared;
			   __entry->cleared = cleared;),
	    TP_printk("pool=%s order=%u caching=%s path=%s %s pages=%lu precleared=%u cleared=%u",
		      __get_str(pool), __entry->order, __get_str(caching),
		      __get_str(path), __entry->hit ? "hit" : "miss",
		      1UL << __entry->order, __entry->precleared,
		      __entry->cleared)
);

/*
 * A ttm_pool_alloc() call, after its chunks, in pages: @hit from the pool,
 * @miss fresh, @precleared and @cleared as in ttm_pool_alloc_chunk. On
 * failure (@ret < 0) the pages were given back: none counts as a hit or a
 * miss, and what could not go back into the pool made ttm_pool_release
 * events.
 */
TRACE_EVENT(ttm_pool_alloc,
	    TP_PROTO(struct ttm_pool *pool, unsigned long pages,
		     enum ttm_caching caching, bool coherent, bool zero,
		     unsigned long hit, unsigned long miss,
		     unsigned long precleared, unsigned long cleared, int ret),
	    TP_ARGS(pool, pages, caching, coherent, zero, hit, miss,
		    precleared, cleared, ret),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned long, pages)
			     __string(caching, ttm_pool_caching_name(caching))
			     __string(path, ttm_pool_trace_path(coherent))
			     __field(bool, zero)
			     __field(unsigned long, hit)
			     __field(unsigned long, miss)
			     __field(unsigned long, precleared)
			     __field(unsigned long, cleared)
			     __field(int, ret)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->pages = pages;
			   __assign_str(caching);
			   __assign_str(path);
			   __entry->zero = zero;
			   __entry->hit = hit;
			   __entry->miss = miss;
			   __entry->precleared = precleared;
			   __entry->cleared = cleared;
			   __entry->ret = ret;),
	    TP_printk("pool=%s pages=%lu caching=%s path=%s zero=%d hit=%lu miss=%lu precleared=%lu cleared=%lu ret=%d",
		      __get_str(pool), __entry->pages, __get_str(caching),
		      __get_str(path), __entry->zero, __entry->hit,
		      __entry->miss, __entry->precleared, __entry->cleared,
		      __entry->ret)
);

/*
 * Why an allocation failed, at the chunk where it did (@order; for the
 * caching change of the last run of fresh pages, the last chunk's):
 * "nomem" (order 0, after every larger order failed), "dma_map" or
 * "caching". @injected: failed on purpose by failure injection (debugfs
 * ttm/qa/<pool>/inject; reason "nomem", after the last chunk was placed).
 */
TRACE_EVENT(ttm_pool_alloc_fail,
	    TP_PROTO(struct ttm_pool *pool, unsigned int order,
		     const char *reason, bool injected),
	    TP_ARGS(pool, order, reason, injected),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned int, order)
			     __string(reason, reason)
			     __field(bool, injected)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->order = order;
			   __assign_str(reason);
			   __entry->injected = injected;),
	    TP_printk("pool=%s order=%u reason=%s injected=%d",
		      __get_str(pool), __entry->order, __get_str(reason),
		      __entry->injected)
);

/*
 * A ttm_pool_free() call: the pages that went into the pool, and those
 * that could not (a cap, a path switch: a ttm_pool_release event per
 * reason).
 */
TRACE_EVENT(ttm_pool_free,
	    TP_PROTO(struct ttm_pool *pool, unsigned long pages,
		     enum ttm_caching caching, unsigned long pooled,
		     unsigned long released),
	    TP_ARGS(pool, pages, caching, pooled, released),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned long, pages)
			     __string(caching, ttm_pool_caching_name(caching))
			     __field(unsigned long, pooled)
			     __field(unsigned long, released)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->pages = pages;
			   __assign_str(caching);
			   __entry->pooled = pooled;
			   __entry->released = released;),
	    TP_printk("pool=%s pages=%lu caching=%s pooled=%lu released=%lu",
		      __get_str(pool), __entry->pages, __get_str(caching),
		      __entry->pooled, __entry->released)
);

/*
 * Pages that left the pool, or could not enter it at a free, and why:
 * @reason is the counter they are charged to (release_cap_pages, ...).
 * @wasted: how many of them had been cleared in advance.
 */
TRACE_EVENT(ttm_pool_release,
	    TP_PROTO(struct ttm_pool *pool, enum ttm_pool_stat reason,
		     unsigned long pages, unsigned long wasted),
	    TP_ARGS(pool, reason, pages, wasted),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __string(reason, ttm_pool_stat_name(reason))
			     __field(unsigned long, pages)
			     __field(unsigned long, wasted)),
	    TP_fast_assign(__assign_str(pool);
			   __assign_str(reason);
			   __entry->pages = pages;
			   __entry->wasted = wasted;),
	    TP_printk("pool=%s reason=%s pages=%lu wasted=%lu",
		      __get_str(pool), __get_str(reason), __entry->pages,
		      __entry->wasted)
);

/*
 * One scan of the pools' shrinker on NUMA node @nid (-1: debugfs'
 * page_pool_shrink, any node): it was asked for @asked pages and released
 * @freed (ttm_pool_release events with reason release_shrinker_pages, pool
 * by pool). A scan that found the list of pools busy makes no event.
 */
TRACE_EVENT(ttm_pool_shrink,
	    TP_PROTO(int nid, unsigned long asked, unsigned long freed),
	    TP_ARGS(nid, asked, freed),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned long, asked)
			     __field(unsigned long, freed)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->asked = asked;
			   __entry->freed = freed;),
	    TP_printk("nid=%d asked=%lu freed=%lu", __entry->nid,
		      __entry->asked, __entry->freed)
);

/*
 * The pool's effective path changes, and @why (the auto policy's reason);
 * the chunks of the old path it held follow as ttm_pool_release events
 * with reason release_switch_pages.
 */
TRACE_EVENT(ttm_pool_path_switch,
	    TP_PROTO(struct ttm_pool *pool, enum ttm_pool_path from,
		     enum ttm_pool_path to, const char *why),
	    TP_ARGS(pool, from, to, why),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __string(from, ttm_pool_path_name(from))
			     __string(to, ttm_pool_path_name(to))
			     __string(why, why)),
	    TP_fast_assign(__assign_str(pool);
			   __assign_str(from);
			   __assign_str(to);
			   __assign_str(why);),
	    TP_printk("pool=%s from=%s to=%s why=%s", __get_str(pool),
		      __get_str(from), __get_str(to), __get_str(why))
);

/*
 * A run of the clearing worker: the pooled pages it cleared; @backoff: it
 * stopped for memory pressure and runs again later.
 */
TRACE_EVENT(ttm_pool_clear,
	    TP_PROTO(struct ttm_pool *pool, unsigned long pages, bool backoff),
	    TP_ARGS(pool, pages, backoff),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned long, pages)
			     __field(bool, backoff)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->pages = pages;
			   __entry->backoff = backoff;),
	    TP_printk("pool=%s pages=%lu backoff=%d", __get_str(pool),
		      __entry->pages, __entry->backoff)
);

/*
 * verify_clean found a clean chunk written while it was pooled: its first
 * written byte is @offset bytes into page @page of the chunk (order
 * @order), and @bytes are the TTM_POOL_VERIFY_BYTES from there (zeroes
 * past the page's end). The allocation takes it as a dirty chunk: cleared
 * if the tt needs zeroes, and handed out all the same.
 * The bytes are only here, in root's tracefs, not in the kernel log.
 */
TRACE_EVENT(ttm_pool_verify_dirty,
	    TP_PROTO(struct ttm_pool *pool, unsigned int order,
		     enum ttm_caching caching, bool coherent, unsigned int page,
		     unsigned int offset, const u8 *bytes),
	    TP_ARGS(pool, order, caching, coherent, page, offset, bytes),
	    TP_STRUCT__entry(__string(pool, ttm_pool_state(pool)->name)
			     __field(unsigned int, order)
			     __string(caching, ttm_pool_caching_name(caching))
			     __string(path, ttm_pool_trace_path(coherent))
			     __field(unsigned int, page)
			     __field(unsigned int, offset)
			     __array(u8, bytes, TTM_POOL_VERIFY_BYTES)),
	    TP_fast_assign(__assign_str(pool);
			   __entry->order = order;
			   __assign_str(caching);
			   __assign_str(path);
			   __entry->page = page;
			   __entry->offset = offset;
			   memcpy(__entry->bytes, bytes,
				  TTM_POOL_VERIFY_BYTES);),
	    TP_printk("pool=%s order=%u caching=%s path=%s page=%u offset=%u bytes=%s",
		      __get_str(pool), __entry->order, __get_str(caching),
		      __get_str(path), __entry->page, __entry->offset,
		      __print_hex_str(__entry->bytes, TTM_POOL_VERIFY_BYTES))
);

#endif /* _TTM_POOL_TRACE_H_ */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ttm_pool_trace
#include <trace/define_trace.h>
#endif /* __GENKSYMS__ */
