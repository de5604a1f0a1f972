// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: clearing, the clean/dirty policy and the background worker
 * that clears freed chunks.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * The lists and the counts this file works on belong to the pool types
 * (ttm_pool.c); it changes them only under the type's lock, through the
 * helpers of ttm_pool_internal.h, and calls no other file of the pool but
 * the statistics' reader (the demand the auto policy serves).
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
 * The worker clears a chunk in place: the chunk stays listed, so
 * allocations, releases, drains and path switches take it at any time;
 * whoever takes it learns how many of its pages are zero. (6.12's KUnit
 * cases check that a freed chunk is on pt->pages and that an allocation
 * takes it from there: a chunk must never be off its list while pooled.)
 * Write-back pages are cleared in string stores over up to a segment
 * (TTM_POOL_SEG_PAGES, 256 KiB) of the linear map (ttm_pool_clear_pages()):
 * as fast per byte as a whole 2 MiB store and nearly twice as fast as page
 * clears on the host we measured (4 KiB 168 ns, 64 KiB 91 ns, 256 KiB
 * 87 ns, 2 MiB 94-99 ns per 4 KiB). The worker clears uncached chunks
 * (8-byte uncached stores: a segment would take milliseconds), and chunks
 * below TTM_POOL_SEG_MIN_ORDER, a page per hold of the type's lock; larger
 * write-back and write-combined ones a segment at a time without the lock
 * (write-combined ones a page per store, through their WC mapping, and
 * their WC buffers drained before the segment counts as stored: a page's
 * lock round trip and barrier was most of what the worker spent beside the
 * stores). Under the lock it marks the segment's pages as cleared
 * and the chunk as being stored into (ttm_pool_type_state.storing), then
 * stores with preemption off; a taker of that chunk unlinks it as any
 * other, drops the lock and waits for the store (ttm_pool_settle()): for
 * at most the worker's CPU time for one segment (interrupts on its CPU
 * aside), since it cannot be preempted meanwhile, and only the taker of
 * that chunk waits, never anyone on the type's lock. Under PREEMPT_RT,
 * where a segment's preemption-off time is not acceptable, and with
 * highmem, the worker clears every chunk a page per hold. The
 * worker is one thread for all pools, unbound, not freezable, at the
 * lowest priority (a kthread_worker: no per-run cost to lower its
 * priority, and cheaper to wake than a workqueue). A free queues the
 * pool's work after TTM_POOL_CLEAR_DELAY, so that frees close together
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
 * Policy
 * ------
 * Clearing in the background saves no CPU time: a clear costs the same
 * wherever it runs, and waking the worker comes on top. What it buys is
 * latency, a tt that needs zeroes taking a clean chunk instead of clearing
 * a dirty one. "prezero" (sysfs) says when that is worth it:
 *  - off: never; chunks are cleared when taken, if the tt needs zeroes.
 *  - on: every freed chunk, TTM_POOL_CLEAR_DELAY after its free.
 *  - auto (the default): background clearing has to pay for itself.
 *     * A free adds the pages it pooled to clear_pending, without a lock,
 *       and goes no further until they are worth a wakeup: until clearing
 *       them costs TTM_POOL_WAKE_SHARE times what the wakeup costs (the
 *       costs' wake_pages), so that wakeups add at most a twentieth to the
 *       clearing. Small frees batch; a pool that frees little never arms
 *       the worker's timer.
 *     * Then the policy looks at the demand: the pages handed out to tts
 *       that need zeroes (ALLOC_ZERO) since it last looked, or three
 *       quarters of its last estimate, halved for every
 *       TTM_POOL_DEMAND_PERIOD since, whichever is larger (make run's
 *       workload: 44% of the demand met by background clears, 2.3% of
 *       them wasted; without the quarter 66% and 5.8%, with a half 19%
 *       and 0.5%). With none (kernel BOs on page-path cached pools, without
 *       init_on_alloc) the worker is not woken. clear_pending starts again
 *       from 0 either way, so the demand is read (a sum over the CPUs) at
 *       most once per wake_pages pooled pages.
 *     * The worker clears until the pool holds as many clean pages as that
 *       demand, no more: a clear of a page nobody takes clean is wasted
 *       when the page leaves the pool.
 * The costs are measured once, when the clearing thread is made: a clear of
 * TTM_POOL_COST_PAGES write-back pages, and the best of TTM_POOL_COST_WAKES
 * round trips of an empty work through the thread. Both can be set in debugfs
 * (ttm/pool_policy/), so that a benchmark prices clearing as hardware would
 * (an emulator's clear costs 8 to 60 times more than a CPU's) and tests pin
 * the policy instead of depending on timing. The dump shows the costs, the
 * demand and what is pending.
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
 * Locking
 * -------
 *  - ttm_pool_type.lock: the clean/dirty boundary of each list, nr_clean,
 *    and the chunk being cleared with its progress (clearing, cleared); the
 *    worker clears one page per hold, or a segment without it. storing is
 *    set under it and cleared with release, without it, when the segment
 *    is stored; takers read it with acquire once the lock is dropped.
 *  - ttm_pool_state.clear_lock (spinlock): the work's protocol, clear_queued,
 *    clear_backoff, clear_running and clear_flushing, and the auto policy's
 *    demand, demand_seen and demand_stamp. A free pools its chunk, then
 *    peeks at clear_queued without the lock (full barriers on both sides,
 *    see ttm_pool_kick_clear() and ttm_pool_clear_work()).
 *  - ttm_pool_state.clear_pending: an atomic; frees add, the policy resets.
 *  - ttm_pool_state.config_lock: prezero and clear_worker are written under
 *    it (ttm_pool_set_prezero()), read with acquire by frees.
 *  - ttm_pool_clear_mutex: the shared thread, its count of users and the
 *    costs (written under it, read with READ_ONCE()). Taken under
 *    config_lock (ttm_pool_set_prezero()), never the other way.
 */

#include <linux/device.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"
#include "ttm_pool_trace.h"

/* Pages the clearing worker clears per run before it queues itself again. */
#define TTM_POOL_CLEAR_BATCH 1024

/*
 * Write-back chunks cleared in segments (see "Clearing" above): from this
 * order on, this many pages per string store. 256 KiB: larger stores clear
 * no faster, and the store runs with preemption off.
 */
#define TTM_POOL_SEG_MIN_ORDER 2
#define TTM_POOL_SEG_PAGES ((unsigned long)SZ_256K >> PAGE_SHIFT)

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
 * The auto policy (see "Policy" above): the clearing a wakeup must be worth,
 * in wakeups' costs; how fast its estimate of the demand decays (it halves
 * per period); how many pages the clear cost is measured on, and the round
 * trips the wakeup's is the best of (4 gave 4.0 to 7.3 us across boots of
 * one emulated machine).
 */
#define TTM_POOL_WAKE_SHARE 20
#define TTM_POOL_DEMAND_PERIOD HZ
#define TTM_POOL_COST_PAGES 64
#define TTM_POOL_COST_WAKES 16

/* Costs if they cannot be measured: a CPU's, roughly. */
#define TTM_POOL_CLEAR_PAGE_NS_DEFAULT 500
#define TTM_POOL_WAKE_NS_DEFAULT 5000

/*
 * Hibernation writes every page in use to the image: what a pool holds
 * that is not known to be zero would go there, freed buffers' contents
 * included. From PM_HIBERNATION_PREPARE (ttm_pool_pm_notify()) until the
 * system is back, pools keep no dirty chunk: those they hold are released
 * and frees clear what they pool (as under init_on_free). Checked under the
 * type's lock in ttm_pool_give(), so that no free slips a dirty chunk in
 * behind ttm_pool_release_dirty().
 */
bool ttm_pool_hibernating;

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

/* Clear one page of caching @caching; see "Clearing" above. */
void ttm_pool_clear_page(struct page *p, enum ttm_caching caching)
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
 * Are pages of @caching cleared in string stores over several pages? Write-
 * back ones in the linear map; see "Clearing" above.
 */
static bool ttm_pool_clear_in_stores(enum ttm_caching caching)
{
	return caching == ttm_cached && !IS_ENABLED(CONFIG_HIGHMEM);
}

/* ttm_pool_clear_pages() out of line: what is not a single page. */
void __ttm_pool_clear_pages(struct page *p, unsigned long nr,
			    enum ttm_caching caching)
{
	unsigned long n;

	if (!ttm_pool_clear_in_stores(caching)) {
		for (; nr; nr--, p++)
			ttm_pool_clear_page(p, caching);
		return;
	}
	for (; nr; nr -= n, p += n) {
		n = min(nr, TTM_POOL_SEG_PAGES);
		ttm_pool_clear_range(page_address(p), n << PAGE_SHIFT);
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * KUnit: called by the worker between marking a segment and storing it,
 * with preemption off, so that a test can take the chunk meanwhile. The
 * worker is another thread than the test's, which a static stub does not
 * reach.
 */
ttm_pool_store_hook_t ttm_pool_test_store_hook;
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_test_store_hook);

static void ttm_pool_store_hook(struct page *p)
{
	ttm_pool_store_hook_t hook = READ_ONCE(ttm_pool_test_store_hook);

	if (hook)
		hook(p);
}
#else
static inline void ttm_pool_store_hook(struct page *p)
{
}
#endif

/*
 * Store zeroes into the next segment of @p, the dirty chunk of @pt being
 * cleared, at most @max pages, without the type's lock, and return how many
 * pages it cleared (see "Clearing" above). Called with the lock held; it is held again on
 * return. Whether @p is still pooled and being cleared then is for the
 * caller to check: a taker may have unlinked it meanwhile (and waited).
 */
static unsigned int ttm_pool_clear_segment(struct ttm_pool_type *pt,
					   struct ttm_pool_type_state *ts,
					   struct page *p, unsigned long max)
	__must_hold(&pt->lock)
{
	unsigned int first = ts->cleared, n;

	lockdep_assert_held(&pt->lock);
	n = min3((unsigned long)(1U << pt->order) - first, TTM_POOL_SEG_PAGES,
		 max);
	ts->cleared += n;
	WRITE_ONCE(ts->storing, p);
	/* A taker waits for the store: it must not be preempted. */
	preempt_disable();
	spin_unlock(&pt->lock);
	ttm_pool_store_hook(p);
	ttm_pool_clear_pages(p + first, n, pt->caching);
	if (pt->caching == ttm_write_combined) {
		/* Drains the WC buffers first: see ttm_pool_clear_step(). */
		wmb();
	}
	/* The zeroes before the end of the wait; see ttm_pool_settle(). */
	smp_store_release(&ts->storing, NULL);
	preempt_enable();
	spin_lock(&pt->lock);
	return n;
}

/*
 * Clear a page or a segment (at most @max pages, at least one) of a dirty
 * chunk of @pt, in place (see "Clearing" above): continue the chunk being
 * cleared, or start on the most recently freed one of the page-path list,
 * else of the coherent list. A chunk cleared to its end becomes its list's
 * last clean chunk. Return how many pages were cleared, 0 if @pt has no
 * dirty chunk. One page per hold of the type's lock, or a segment without
 * it.
 */
static unsigned int ttm_pool_clear_step(struct ttm_pool_type *pt,
					unsigned long max)
{
	struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);
	unsigned int nr = 1U << pt->order;
	struct list_head *list, *end;
	unsigned int cleared = 0;
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
	if (!IS_ENABLED(CONFIG_PREEMPT_RT) && !IS_ENABLED(CONFIG_HIGHMEM) &&
	    pt->order >= TTM_POOL_SEG_MIN_ORDER &&
	    pt->caching != ttm_uncached) {
		cleared = ttm_pool_clear_segment(pt, ts, p, max);
		/* Taken meanwhile (and the taker waited for the store)? */
		if (ts->clearing != p)
			goto out;
		/* Newer dirty chunks may have been freed meanwhile. */
		end = ts->clean_end[coherent];
		goto progress;
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
	cleared = 1;
	ts->cleared++;
progress:
	if (ts->cleared == nr) {
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
/*
 * How many pages the worker may clear in this run: a batch, or under the
 * auto policy no more than the demand lacks in clean pages.
 */
static unsigned long ttm_pool_clear_budget(struct ttm_pool_state *st)
{
	unsigned long clean, want;

	if (READ_ONCE(st->prezero) != TTM_POOL_PREZERO_AUTO)
		return TTM_POOL_CLEAR_BATCH;
	want = READ_ONCE(st->demand);
	clean = ttm_pool_count_clean(st->pool, true);
	if (clean >= want)
		return 0;
	return min(want - clean, (unsigned long)TTM_POOL_CLEAR_BATCH);
}

static void ttm_pool_clear_work(struct kthread_work *work)
{
	struct ttm_pool_state *st =
		container_of(work, struct ttm_pool_state, clear_work.work);
	struct ttm_pool *pool = st->pool;
	unsigned long budget, done = 0, look = 0;
	unsigned int i, j, n;
	bool backoff = false;

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
	budget = ttm_pool_clear_budget(st);
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		for (j = 0; j < NR_PAGE_ORDERS; j++) {
			struct ttm_pool_type *pt = &pool->caching[i].orders[j];
			struct ttm_pool_type_state *ts = ttm_pool_type_state(pt);

			while (done < budget &&
			       READ_ONCE(ts->nr_pages) !=
			       READ_ONCE(ts->nr_clean)) {
				if (!READ_ONCE(st->prezero))
					goto out;
				if (done >= look) {
					if (ttm_pool_memory_short()) {
						backoff = true;
						goto out;
					}
					look = done + 128;
				}
				n = ttm_pool_clear_step(pt, budget - done);
				if (!n)
					break;
				done += n;
				cond_resched();
			}
		}
	}
out:
	ttm_pool_stat_add(pool, TTM_POOL_STAT_CLEARED_BACKGROUND, done);
	if (done || backoff)
		trace_ttm_pool_clear(pool, done, backoff);
	spin_lock(&st->clear_lock);
	st->clear_running = false;
	if ((done >= TTM_POOL_CLEAR_BATCH || backoff) && !st->clear_queued) {
		st->clear_queued = true;
		st->clear_backoff = backoff;
		kthread_queue_delayed_work(st->clear_worker, &st->clear_work,
					   backoff ? TTM_POOL_CLEAR_BACKOFF : 0);
	}
	spin_unlock(&st->clear_lock);
}

/*
 * The costs the auto policy weighs, under ttm_pool_clear_mutex; its
 * wake_pages is read by frees with READ_ONCE().
 */
struct ttm_pool_clear_costs ttm_pool_costs = {
	.clear_page_ns = TTM_POOL_CLEAR_PAGE_NS_DEFAULT,
	.wake_ns = TTM_POOL_WAKE_NS_DEFAULT,
};

static u32 ttm_pool_measured_clear_ns = TTM_POOL_CLEAR_PAGE_NS_DEFAULT;
static u32 ttm_pool_measured_wake_ns = TTM_POOL_WAKE_NS_DEFAULT;

static DEFINE_MUTEX(ttm_pool_clear_mutex);

/* Derive wake_pages from the costs in effect. */
static void ttm_pool_costs_update(void)
{
	struct ttm_pool_clear_costs *c = &ttm_pool_costs;
	u64 pages;

	lockdep_assert_held(&ttm_pool_clear_mutex);
	if (!c->clear_page_set)
		c->clear_page_ns = ttm_pool_measured_clear_ns;
	if (!c->wake_set)
		c->wake_ns = ttm_pool_measured_wake_ns;
	pages = DIV_ROUND_UP((u64)TTM_POOL_WAKE_SHARE * c->wake_ns,
			     max(c->clear_page_ns, 1U));
	WRITE_ONCE(c->wake_pages, clamp_t(u64, pages, 1, 1UL << 20));
}

/**
 * ttm_pool_get_clear_costs() - the costs the auto clearing policy weighs
 * @c: filled with them
 *
 * Context: process context.
 */
void ttm_pool_get_clear_costs(struct ttm_pool_clear_costs *c)
{
	mutex_lock(&ttm_pool_clear_mutex);
	*c = ttm_pool_costs;
	mutex_unlock(&ttm_pool_clear_mutex);
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_get_clear_costs, TTM_POOL_TEST);

/**
 * ttm_pool_set_clear_cost() - set a cost the auto clearing policy weighs
 * @wake: set the wakeup's cost, else a page clear's
 * @ns: the cost in ns, or 0 to use the measured one again
 *
 * For benchmarks and tests (debugfs ttm/pool_policy/).
 * Context: process context.
 * Return: 0, or -EINVAL if @ns is above TTM_POOL_COST_MAX_NS (nothing
 * changed).
 */
int ttm_pool_set_clear_cost(bool wake, u32 ns)
{
	struct ttm_pool_clear_costs *c = &ttm_pool_costs;

	if (ns > TTM_POOL_COST_MAX_NS)
		return -EINVAL;
	mutex_lock(&ttm_pool_clear_mutex);
	if (wake) {
		c->wake_set = ns;
		c->wake_ns = ns;
	} else {
		c->clear_page_set = ns;
		c->clear_page_ns = ns;
	}
	ttm_pool_costs_update();
	mutex_unlock(&ttm_pool_clear_mutex);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_set_clear_cost, TTM_POOL_TEST);

static void ttm_pool_nop_work(struct kthread_work *work)
{
}

/*
 * Measure the costs on the clearing thread @w just made (see "Policy"
 * above); keep the defaults for what cannot be measured.
 */
static void ttm_pool_measure_costs(struct kthread_worker *w)
{
	u64 t, best = U64_MAX;
	struct kthread_work nop;
	struct page *p;
	unsigned int i;

	lockdep_assert_held(&ttm_pool_clear_mutex);
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
			ilog2(TTM_POOL_COST_PAGES));
	if (p) {
		t = ktime_get_ns();
		for (i = 0; i < TTM_POOL_COST_PAGES; i++)
			clear_highpage(p + i);
		t = ktime_get_ns() - t;
		__free_pages(p, ilog2(TTM_POOL_COST_PAGES));
		ttm_pool_measured_clear_ns =
			clamp_t(u64, div_u64(t, TTM_POOL_COST_PAGES), 1,
				TTM_POOL_COST_MAX_NS);
	}
	for (i = 0; i < TTM_POOL_COST_WAKES; i++) {
		kthread_init_work(&nop, ttm_pool_nop_work);
		t = ktime_get_ns();
		kthread_queue_work(w, &nop);
		kthread_flush_work(&nop);
		best = min(best, ktime_get_ns() - t);
	}
	ttm_pool_measured_wake_ns = clamp_t(u64, best, 1, TTM_POOL_COST_MAX_NS);
	ttm_pool_costs_update();
}

/*
 * The auto policy, on a free that made clear_pending worth a wakeup: look
 * at the demand (see "Policy" above) and start counting again. Return
 * whether the pool holds fewer clean pages than that: the worker has
 * something to do.
 */
static noinline bool ttm_pool_clear_wanted(struct ttm_pool_state *st)
{
	u64 seen = ttm_pool_stat_read(st->pool, TTM_POOL_STAT_ALLOC_ZERO);
	unsigned long periods, demand, now = jiffies;

	spin_lock(&st->clear_lock);
	atomic_long_set(&st->clear_pending, 0);
	periods = (now - st->demand_stamp) / TTM_POOL_DEMAND_PERIOD;
	demand = periods < BITS_PER_LONG ? st->demand >> periods : 0;
	demand -= demand / 4;
	st->demand_stamp += periods * TTM_POOL_DEMAND_PERIOD;
	demand = max_t(u64, demand, seen - st->demand_seen);
	st->demand_seen = seen;
	WRITE_ONCE(st->demand, demand);
	spin_unlock(&st->clear_lock);
	return demand > ttm_pool_count_clean(st->pool, true);
}

/**
 * ttm_pool_get_clear_demand() - the auto clearing policy's view of a pool
 * @pool: the pool
 * @demand: set to the pages it expects tts that need zeroes to take
 * @pending: set to the dirty pages pooled since it last looked, or since
 *	prezero was last set
 *
 * Context: any.
 */
void ttm_pool_get_clear_demand(struct ttm_pool *pool, unsigned long *demand,
			       unsigned long *pending)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	*demand = READ_ONCE(st->demand);
	*pending = max(atomic_long_read(&st->clear_pending), 0L);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_get_clear_demand);

/*
 * ttm_pool_kick_clear() past its checks (see there): with prezero @mode,
 * queue the clearing worker @w if the policy wants it and it is not queued
 * yet.
 */
void __ttm_pool_kick_clear(struct ttm_pool_state *st, struct kthread_worker *w,
			   u8 mode)
{
	if (mode == TTM_POOL_PREZERO_AUTO && !ttm_pool_clear_wanted(st))
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
		if (!IS_ERR(w))
			ttm_pool_measure_costs(w);
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

static const char *const ttm_pool_prezero_names[] = {
	[TTM_POOL_PREZERO_OFF] = "off",
	[TTM_POOL_PREZERO_ON] = "on",
	[TTM_POOL_PREZERO_AUTO] = "auto",
};

/**
 * ttm_pool_prezero_name() - the word for a prezero mode
 * @mode: the mode
 *
 * Return: "off", "on" or "auto"; "?" for anything else.
 */
const char *ttm_pool_prezero_name(enum ttm_pool_prezero_mode mode)
{
	if ((unsigned int)mode >= ARRAY_SIZE(ttm_pool_prezero_names))
		return "?";
	return ttm_pool_prezero_names[mode];
}

/**
 * ttm_pool_prezero_parse() - a prezero mode from what was written to sysfs
 * @buf: "auto", "on" or "off", or another word of ttm_pool_parse_bool()
 *	("1", "0", "yes", ...), as the file took before it had a choice; a
 *	trailing newline is ignored
 *
 * Return: the mode, or -EINVAL.
 */
int ttm_pool_prezero_parse(const char *buf)
{
	bool on;
	int i;

	i = sysfs_match_string(ttm_pool_prezero_names, buf);
	if (i >= 0)
		return i;
	if (ttm_pool_parse_bool(buf, &on))
		return -EINVAL;
	return on ? TTM_POOL_PREZERO_ON : TTM_POOL_PREZERO_OFF;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_prezero_parse);

/**
 * ttm_pool_set_prezero_mode() - choose when freed chunks are cleared in the
 * background
 * @pool: the pool
 * @mode: off, on, or auto (the default; see "Policy" in ttm_pool_clear.c)
 *
 * On or auto, a worker clears the pool's dirty chunks off the callers'
 * paths; off, chunks are cleared only when taken by a tt that needs zeroes.
 * Chunks already clean stay clean either way. Switching off waits for a
 * running worker to stop. Switching on or to auto makes the clearing
 * thread if the pool has none (its making failed when the pool was set
 * up).
 * Context: process context; takes the pool's config_lock.
 *
 * Return: 0, -ENOMEM if the clearing thread cannot be made (prezero is then
 * off), or -EINVAL for a pool not initialised or finalised, or a mode out
 * of range (nothing changed).
 */
int ttm_pool_set_prezero_mode(struct ttm_pool *pool,
			      enum ttm_pool_prezero_mode mode)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	int ret = 0;

	if (!ttm_pool_live(pool) ||
	    (unsigned int)mode >= ARRAY_SIZE(ttm_pool_prezero_names))
		return -EINVAL;
	mutex_lock(&st->config_lock);
	if (mode != TTM_POOL_PREZERO_OFF && !st->clear_worker) {
		WRITE_ONCE(st->clear_worker, ttm_pool_clear_get(false));
		if (!st->clear_worker) {
			ret = -ENOMEM;
			mode = TTM_POOL_PREZERO_OFF;
		}
	}
	/* What auto counts starts with it. */
	atomic_long_set(&st->clear_pending, 0);
	/* The worker before prezero; pairs with ttm_pool_kick_clear(). */
	smp_store_release(&st->prezero, mode);
	if (mode == TTM_POOL_PREZERO_ON) {
		ttm_pool_kick_clear(st, 0);
	} else if (mode == TTM_POOL_PREZERO_OFF && st->clear_worker) {
		kthread_cancel_delayed_work_sync(&st->clear_work);
		spin_lock(&st->clear_lock);
		st->clear_queued = false;
		st->clear_backoff = false;
		spin_unlock(&st->clear_lock);
	}
	mutex_unlock(&st->config_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_set_prezero_mode, TTM_POOL_TEST);

/**
 * ttm_pool_set_prezero() - switch background clearing on or off
 * @pool: the pool
 * @on: clear every freed chunk in the background, or none
 *
 * ttm_pool_set_prezero_mode() with TTM_POOL_PREZERO_ON or _OFF.
 * Context: process context; takes the pool's config_lock.
 *
 * Return: as ttm_pool_set_prezero_mode().
 */
int ttm_pool_set_prezero(struct ttm_pool *pool, bool on)
{
	return ttm_pool_set_prezero_mode(pool, on ? TTM_POOL_PREZERO_ON :
					 TTM_POOL_PREZERO_OFF);
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_set_prezero, TTM_POOL_TEST);

/**
 * ttm_pool_get_prezero_mode() - when a pool clears in the background
 * @pool: the pool
 *
 * Return: its mode; off for a pool not initialised or finalised.
 */
enum ttm_pool_prezero_mode ttm_pool_get_prezero_mode(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return TTM_POOL_PREZERO_OFF;
	return READ_ONCE(ttm_pool_state(pool)->prezero);
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_get_prezero_mode, TTM_POOL_TEST);

/**
 * ttm_pool_prezero() - is background clearing on?
 * @pool: the pool
 *
 * Return: true if the pool clears freed chunks in the background (on or
 * auto).
 */
bool ttm_pool_prezero(struct ttm_pool *pool)
{
	return ttm_pool_get_prezero_mode(pool) != TTM_POOL_PREZERO_OFF;
}
EXPORT_SYMBOL_NS_GPL(ttm_pool_prezero, TTM_POOL_TEST);

/**
 * ttm_pool_prezero_flush() - wait for the clearing worker to be idle
 * @pool: the pool
 *
 * Return once the pool's clearing worker is neither queued nor running.
 * The pool is then clean unless prezero is off, the auto policy found the
 * rest not worth clearing yet or not in demand, reclaim made the worker
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
	 * frees queue it without delay. The wait is kthread_flush_worker(),
	 * not kthread_flush_work(): a run seen running here may have ended
	 * and queued itself with a timer (it backed off for memory) by the
	 * time we wait, and kthread_flush_work() of a work whose timer is
	 * pending files its flush behind it on the worker's delayed list,
	 * where nothing ever runs it: the flush waited for ever.
	 */
	spin_lock(&st->clear_lock);
	/* Neither queued nor running: nothing to wait for (the bench's case). */
	if (!st->clear_queued && !st->clear_running) {
		spin_unlock(&st->clear_lock);
		return;
	}
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
			kthread_flush_worker(st->clear_worker);
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
EXPORT_SYMBOL_NS_GPL(ttm_pool_prezero_flush, TTM_POOL_TEST);

/**
 * ttm_pool_clear_init() - set up a pool's background clearing
 * @st: the state of the pool being initialised
 *
 * Counts the pool among the clearing thread's users and makes the thread if
 * there is none. Without it nothing clears in the background, and prezero
 * says so (off) until ttm_pool_set_prezero() makes it.
 * Context: process context.
 */
void ttm_pool_clear_init(struct ttm_pool_state *st)
{
	spin_lock_init(&st->clear_lock);
	st->clear_worker = ttm_pool_clear_get(true);
	st->prezero = st->clear_worker ? TTM_POOL_PREZERO_AUTO :
					 TTM_POOL_PREZERO_OFF;
	st->demand_stamp = jiffies;
	kthread_init_delayed_work(&st->clear_work, ttm_pool_clear_work);
}

/**
 * ttm_pool_clear_fini() - stop a pool's background clearing for good
 * @st: the state of the pool being finalised
 *
 * Cancels the pool's work, waiting for a run under way, and lets go of the
 * clearing thread, which goes with its last user.
 * Context: process context.
 */
void ttm_pool_clear_fini(struct ttm_pool_state *st)
{
	if (st->clear_worker)
		kthread_cancel_delayed_work_sync(&st->clear_work);
	ttm_pool_clear_put();
}
