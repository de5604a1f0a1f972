// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ttm_pool_bench: time the TTM page pool through the public 6.12 API only
 * (ttm_device_init, ttm_pool_init/fini, ttm_sg_tt_init, ttm_pool_alloc/free),
 * so the same source builds against pristine 6.12 and against ours. The cases
 * only our pool has (drain, shrinker scan) are built when the kernel has them
 * (TTM_BENCH_OURS, see the Makefile).
 *
 *   insmod ttm_pool_bench.ko [reps=21] [big_reps=5] [total_reps=40]
 *                            [ops=400] [only=hit,fini]
 *                            [prezero=0|1] [path=page|coherent]
 *                            [caching=cached|wc|uc] [kib=4] [zero=0|1]
 *                            [mix_rounds=600] [mix_warmup=30]
 *
 * Everything runs in insmod, which fails if a case failed; the module then
 * stays loaded doing nothing. One line per case goes to the kernel log:
 *
 *   ttm_pool_bench: csv,CASE,PATH,CACHING,KIB,ZERO,THREADS,N,MEDIAN,P10,P90,MIN,MAX
 *
 * times in ns, statistics over N samples. The cases:
 *
 *  hit      alloc+free of a tt whose pages the pool already holds, back to
 *           back: each alloc comes right after the previous free (a pool
 *           that clears freed chunks in the background has had no time to)
 *  hit-idle the same, but the pool's clearing worker has finished before
 *           each alloc (ttm_pool_prezero_flush() between the cycles, outside
 *           the timed region; upstream has no worker: the same loop without)
 *  hit-total
 *           alloc+free+ttm_pool_prezero_flush() timed together: the caller's
 *           and the worker's time per cycle (under qemu -icount the guest
 *           clock counts the instructions of every vCPU, so this is the CPU
 *           time of both; upstream: alloc+free). Besides the usual line, a
 *           "mean," line: a total is a sum, and where the clearing policy
 *           wakes the worker every other free, cycles alternate between
 *           two clears and none, of which a median shows one kind
 *  miss     alloc+free of a tt from an empty pool (a new pool per sample)
 *  raw      dma_alloc_attrs() + dma_free_attrs() of the same size, in chunks
 *           of at most 1 << MAX_PAGE_ORDER pages as the pool allocates them
 *  fini     ttm_pool_fini() of a NUMA-bound page pool holding KIB of
 *           write-combined pages (upstream keeps them in that pool), in the
 *           largest chunks (one tt of KIB)
 *  drain    ttm_pool_drain() of the same (ours)
 *  shrink   shrinker scans of SHRINK_BATCH pages until the same amount is
 *           released, as reclaim calls them (ours)
 *  fini-4k, drain-4k, shrink-4k
 *           the same with the pool holding single pages (KIB / 4 one-page
 *           tts allocated together, then freed), as a fragmented pool does
 *  contend  THREADS threads on different CPUs doing alloc+free hits on one
 *           pool; the time is per alloc+free of one thread
 *  mix      a compositor's traffic: bursts of frees, allocations of mixed
 *           sizes, idle gaps; total CPU per MiB and latency percentiles on
 *           lines of its own (below)
 *  wq       queue_work() of an empty work item on system_unbound_wq and
 *           flush_work() of it: the round trip hit-total pays for a worker
 *           (PATH unbound, CACHING none, KIB 0)
 *  wq-nice  the same, the work item lowering its priority to the lowest and
 *           restoring it, as our pool's clearing worker does
 *  clear    what clearing costs this kernel: PATH clear_page (16 pages, one
 *           call each: what 6.12's pool and the page allocator clear with,
 *           and ours for write-back and write-combined pages), memset64 (the
 *           same pages, 8-byte stores: ours for uncached pages) or memset
 *           (one call on a 2 MiB chunk: dma-direct's clearing of
 *           dma_alloc_attrs()); KIB is what a sample clears (CACHING cached:
 *           write-back pages; under TCG the caching changes nothing)
 *
 * ZERO is 1 for tts with TTM_TT_FLAG_ZERO_ALLOC (what device BOs get).
 *
 * On a kernel with pre-cleared chunks (TTM_POOL_HAS_PREZERO, ours) each hit
 * case also prints what the pool cleared over its N cycles, in pages:
 *
 *   ttm_pool_bench: clears,CASE,PATH,CACHING,KIB,ZERO,N,HIT,MISS,BACKGROUND,ALLOC,WASTED,REFLUSH
 *
 * (the ALLOC_HIT, ALLOC_MISS, CLEARED_BACKGROUND, CLEARED_ALLOC and
 * CLEARED_WASTED counters; zero on a kernel with the statistics compiled
 * out; REFLUSH: the ttm_pool_prezero_flush() calls the waits for the worker
 * needed beyond one each, see pool_reflush()). prezero=0|1 switches the
 * pools' background clearing off or on (default: the pool's default).
 *
 * path=, caching=, kib= and zero= narrow the hit, hit-idle, hit-total and
 * miss cases to the tts of that PATH, CACHING, KIB (4, 64, 2048 or 65536)
 * and ZERO (default: all of them), e.g. for tests/bench/profile, which
 * counts the instructions of one configuration; path= and caching= narrow
 * the mix case too.
 *
 * mix is a workload rather than a loop: a compositor's or driver's traffic,
 * deterministic (xorshift32, fixed seed: the same sequence on every kernel),
 * once per PATH and CACHING of page wc, page cached and coherent cached, each
 * on a new pool (node 0 for the page path, as miss). A working set of
 * MIX_SLOTS (64) tts of 4 KiB, 64 KiB, 2 MiB or 8 MiB (weights 8:4:3:1),
 * 3 in 4 of them with TTM_TT_FLAG_ZERO_ALLOC, goes through rounds: a burst
 * of 1 to MIX_BURST (6) frees of random tts of the set, then as many
 * allocations of new random sizes into the freed places, each followed,
 * 1 time in 4, by the free of a random tt of the set (at most as many as
 * the burst; its place is refilled in the same round), then an idle gap,
 * 1 round in 4 of 1 ms and 1 in 4 of 16 ms (a frame), otherwise none
 * (cond_resched()). The set is filled and mix_warmup rounds run untimed,
 * the pool's worker is flushed, then mix_rounds rounds are measured,
 * ending with the worker flushed, as alloc_free_settle() does. Each
 * ttm_pool_alloc() and ttm_pool_free() is timed alone (the caller's
 * latency, not the tt's creation), and the whole run by its busy time: the
 * guest time during which some CPU ran a task other than its idle task (a
 * probe on sched_switch tracks that), so that the idle gaps count only for
 * what ran in them (our pool's worker). Under icount this is the CPU time
 * of all vCPUs together: the clock counts the instructions of every vCPU,
 * and while all of them are idle, sleep=off jumps it to the next timer.
 * Under tcg, where the vCPUs run in parallel, BUSY_SUM (the sum over the
 * CPUs of their busy time) is the CPU time instead. That same clock puts
 * into a call's latency what another vCPU ran meanwhile (our worker,
 * clearing): the calls during which no other CPU was busy and the caller
 * was not switched out are counted apart (ALONE).
 *
 * The csv line's format has no room for a p99 nor for totals: mix prints
 * instead, per PATH and CACHING, one line per size class and one for all
 * classes (KIB 0) of the allocations (mixlat), the same of the frees
 * (mixfree), then one of totals (mixcpu):
 *
 *   ttm_pool_bench: mixlat,PATH,CACHING,KIB,N,ZEROED,P50,P90,P99,MAX,ALONE,P50_ALONE,P99_ALONE
 *   ttm_pool_bench: mixfree,PATH,CACHING,KIB,N,ZEROED,P50,P90,P99,MAX,ALONE,P50_ALONE,P99_ALONE
 *   ttm_pool_bench: mixcpu,PATH,CACHING,ROUNDS,ALLOCS,FREES,KIB,ELAPSED,BUSY,BUSY_SUM,ALLOC,FREE,SETTLE,HIT,MISS,BACKGROUND,CLEARED_ALLOC,WASTED
 *
 * mixlat, mixfree: latencies in ns of the N calls of size class KIB, of
 * which ZEROED were of tts with ZERO_ALLOC, nearest-rank percentiles, and
 * of the ALONE of them that ran alone (0 if none). mixcpu: the measured
 * rounds' totals, KIB allocated, times in ns (ELAPSED: the whole run with
 * the gaps; ALLOC, FREE: the callers' ttm_pool_alloc() and ttm_pool_free()
 * calls; SETTLE: the final flush) and the clearing counters in pages as on
 * the clears lines (0 upstream). Total CPU per MiB allocated: BUSY /
 * (KIB / 1024). (Neither line has the csv line's 12 fields, which
 * tests/bench/report.py's reader of those takes by their number.)
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>
#ifdef TTM_BENCH_OURS
/* ttm_pool_shrinker_scan(), exported for KUnit tests */
#include "ttm_pool_internal.h"
#endif

static unsigned int reps = 21;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "samples per case up to 2 MiB (3..1000)");

static unsigned int big_reps = 5;
module_param(big_reps, uint, 0444);
MODULE_PARM_DESC(big_reps, "samples per case of 64 MiB and more (3..1000)");

/*
 * hit-total's figure is a mean over its cycles, and the clearing policy
 * wakes the worker once per several frees (every other 2 MiB one, where a
 * wakeup costs more than 512 clears / 20): too few cycles and the mean
 * depends on where the first and last fall in that period (5 cycles of a
 * period of 2 gave 3 wakeups, 1.2 times the steady clears).
 */
static unsigned int total_reps = 40;
module_param(total_reps, uint, 0444);
MODULE_PARM_DESC(total_reps, "hit-total: at least this many samples per case up to 2 MiB (3..1000)");

static unsigned int ops = 400;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "alloc+free pairs per thread in a contention sample");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "comma-separated cases to run (default: all)");

static unsigned int clear_page_ns;
module_param(clear_page_ns, uint, 0444);
MODULE_PARM_DESC(clear_page_ns, "the clear cost our pools' clearing policy weighs, ns per 4 KiB page (the host's, tests/bench/clear-rate.c); 0: the guest's measurement (kernels with TTM_POOL_HAS_CLEAR_COSTS)");

static int prezero = -1;
module_param(prezero, int, 0444);
MODULE_PARM_DESC(prezero, "background clearing of the pools: 0 off, 1 on, -1 the pool's default (kernels with TTM_POOL_HAS_PREZERO)");

/* Narrow the alloc cases to one configuration (alloc_wanted()). */
static char *only_path;
module_param_named(path, only_path, charp, 0444);
MODULE_PARM_DESC(path, "hit, hit-idle, hit-total, miss: only this path, page or coherent (default: both)");

static char *only_caching;
module_param_named(caching, only_caching, charp, 0444);
MODULE_PARM_DESC(caching, "the same: only this caching, cached, wc or uc (default: all)");

static unsigned int only_kib;
module_param_named(kib, only_kib, uint, 0444);
MODULE_PARM_DESC(kib, "the same: only tts of this size in KiB (default 0: all)");

static int only_zero = -1;
module_param_named(zero, only_zero, int, 0444);
MODULE_PARM_DESC(zero, "the same: only tts with (1) or without (0) TTM_TT_FLAG_ZERO_ALLOC (default -1: both)");

static unsigned int mix_rounds = 600;
module_param(mix_rounds, uint, 0444);
MODULE_PARM_DESC(mix_rounds, "measured rounds of the mix case (1..10000)");

static unsigned int mix_warmup = 30;
module_param(mix_warmup, uint, 0444);
MODULE_PARM_DESC(mix_warmup, "untimed rounds of the mix case before them (0..10000)");

#define MAX_SAMPLES 1000
#define SZ_CHUNK (PAGE_SIZE << MAX_PAGE_ORDER)

static struct device *bench_dev;
static struct ttm_device bench_bdev;
static struct drm_vma_offset_manager bench_vma;
static const struct ttm_device_funcs bench_funcs;
/* The pool of the case running now (too big for the stack). */
static struct ttm_pool pool;
static u64 *samples;
static int failed;

static const char * const caching_names[] = {
	[ttm_cached] = "cached",
	[ttm_write_combined] = "wc",
	[ttm_uncached] = "uc",
};

/* A tt of @size bytes with a DMA address array, as drivers create them. */
struct bench_tt {
	struct ttm_buffer_object bo;
	struct ttm_tt tt;
};

static struct bench_tt *bench_tt_new(size_t size, enum ttm_caching caching,
				     bool zero)
{
	struct bench_tt *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->bo.base.size = size;
	if (ttm_sg_tt_init(&b->tt, &b->bo, zero ? TTM_TT_FLAG_ZERO_ALLOC : 0,
			   caching)) {
		kfree(b);
		return NULL;
	}
	return b;
}

static void bench_tt_free(struct bench_tt *b)
{
	if (!b)
		return;
	ttm_tt_fini(&b->tt);
	kfree(b);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, const char *path, const char *caching,
		   size_t size, bool zero, unsigned int threads, u64 *v,
		   unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	pr_info("ttm_pool_bench: csv,%s,%s,%s,%zu,%d,%u,%u,%llu,%llu,%llu,%llu,%llu\n",
		what, path, caching, size >> 10, zero, threads, n, v[n / 2],
		v[n / 10], v[n - 1 - n / 10], v[0], v[n - 1]);
}

static void bench_fail(const char *what, int err)
{
	pr_err("ttm_pool_bench: %s failed: %d\n", what, err);
	failed = err ?: -EIO;
}

static unsigned int reps_for(size_t size)
{
	return size >= SZ_64M ? big_reps : reps;
}

/* A 64 MiB free is always worth a wakeup: no period to span. */
static unsigned int total_reps_for(size_t size)
{
	return size >= SZ_64M ? big_reps : max(reps, total_reps);
}

static u64 pool_reflush(struct ttm_pool *pool);

/*
 * One alloc+free of @b from @pool, and with @settle the wait for the pool's
 * clearing worker after it; its duration in ns, 0 on failure.
 */
static u64 alloc_free_settle(struct ttm_pool *pool, struct bench_tt *b,
			     bool settle)
{
	struct ttm_operation_ctx ctx = { };
	u64 t0 = ktime_get_ns(), t1;
	int err;

	err = ttm_pool_alloc(pool, &b->tt, &ctx);
	if (err) {
		bench_fail("ttm_pool_alloc", err);
		return 0;
	}
	ttm_pool_free(pool, &b->tt);
	if (!settle)
		return ktime_get_ns() - t0 ?: 1;
#ifdef TTM_POOL_HAS_PREZERO
	ttm_pool_prezero_flush(pool);
#endif
	t1 = ktime_get_ns();
	/* The flushes it took beyond the first, timed without their checks. */
	return t1 - t0 + pool_reflush(pool);
}

static u64 alloc_free(struct ttm_pool *pool, struct bench_tt *b)
{
	return alloc_free_settle(pool, b, false);
}

enum alloc_how { HIT, HIT_IDLE, HIT_TOTAL, MISS };
static const char * const alloc_names[] = {
	[HIT] = "hit", [HIT_IDLE] = "hit-idle", [HIT_TOTAL] = "hit-total",
	[MISS] = "miss",
};

static void bench_pool_init(int nid, bool coherent)
{
	ttm_pool_init(&pool, bench_dev, nid, coherent, false);
#ifdef TTM_POOL_HAS_PREZERO
	if (prezero >= 0)
		ttm_pool_set_prezero(&pool, prezero);
#endif
}

#ifdef TTM_POOL_HAS_PREZERO
/* Flushes the waits took beyond one each, over a case (pool_reflush()). */
static unsigned int reflushes;

/* Pooled pages of @pool not known to be zero. */
static unsigned long pool_dirty(struct ttm_pool *pool)
{
	static struct ttm_pool_stats st;

	ttm_pool_get_stats(pool, &st);
	return st.pooled_pages - st.clean_pages;
}
#endif

/*
 * ttm_pool_prezero_flush() can return while the clearing worker still has
 * batches to run (it queues itself again after each one): flush again while
 * the pool has dirty pages and background clearing is on (at most 100
 * times: a worker that stands aside while memory is short leaves them).
 * Return the time of these flushes, without the checks between them.
 */
static u64 pool_reflush(struct ttm_pool *pool)
{
	u64 ns = 0;
#ifdef TTM_POOL_HAS_PREZERO
	unsigned int i;
	u64 t0;

	unsigned long dirty = pool_dirty(pool), now;

	/* The auto policy may leave dirty pages: stop when a flush clears none. */
	for (i = 0; i < 100 && ttm_pool_prezero(pool) && dirty; i++) {
		reflushes++;
		t0 = ktime_get_ns();
		ttm_pool_prezero_flush(pool);
		ns += ktime_get_ns() - t0;
		now = pool_dirty(pool);
		if (now == dirty)
			break;
		dirty = now;
	}
#endif
	return ns;
}

/* Wait until @pool's clearing worker is idle (upstream has none). */
static void pool_settle(struct ttm_pool *pool)
{
#ifdef TTM_POOL_HAS_PREZERO
	ttm_pool_prezero_flush(pool);
	pool_reflush(pool);
#endif
}

#ifdef TTM_POOL_HAS_PREZERO
static const enum ttm_pool_stat clear_stats[] = {
	TTM_POOL_STAT_ALLOC_HIT, TTM_POOL_STAT_ALLOC_MISS,
	TTM_POOL_STAT_CLEARED_BACKGROUND, TTM_POOL_STAT_CLEARED_ALLOC,
	TTM_POOL_STAT_CLEARED_WASTED,
};

static void clear_stats_read(u64 *v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(clear_stats); i++)
		v[i] = ttm_pool_stat_read(&pool, clear_stats[i]);
}
#endif

/*
 * hit, hit-idle, hit-total: alloc+free with a warm pool (see the top of the
 * file); miss: with a new pool per sample.
 */
static void bench_alloc(enum alloc_how how, bool coherent,
			enum ttm_caching caching, size_t size, bool zero)
{
	unsigned int i, n = how == HIT_TOTAL ? total_reps_for(size) :
			    reps_for(size);
	struct bench_tt *b;
	bool miss = how == MISS;
	/* A page pool bound to a node keeps its own WC/UC pages upstream too. */
	int nid = miss && !coherent ? 0 : NUMA_NO_NODE;
#ifdef TTM_POOL_HAS_PREZERO
	u64 before[ARRAY_SIZE(clear_stats)], after[ARRAY_SIZE(clear_stats)];
#endif

	b = bench_tt_new(size, caching, zero);
	if (!b)
		return bench_fail("ttm_sg_tt_init", -ENOMEM);

	if (!miss) {
		bench_pool_init(nid, coherent);
		if (!alloc_free(&pool, b))
			goto out;
		/* Every hit case starts with the pool settled. */
		pool_settle(&pool);
		/*
		 * Back to back, every timed alloc follows a free at once, the
		 * first one too (its free is not timed).
		 */
		if (how == HIT && !alloc_free(&pool, b))
			goto out;
#ifdef TTM_POOL_HAS_PREZERO
		/* The clears of the timed cycles only (see the clears line). */
		clear_stats_read(before);
		reflushes = 0;
#endif
	}
	for (i = 0; i < n; i++) {
		switch (how) {
		case MISS:
			bench_pool_init(nid, coherent);
			samples[i] = alloc_free(&pool, b);
			ttm_pool_fini(&pool);
			break;
		case HIT:
			samples[i] = alloc_free(&pool, b);
			break;
		case HIT_IDLE:
			pool_settle(&pool);
			samples[i] = alloc_free(&pool, b);
			break;
		case HIT_TOTAL:
			samples[i] = alloc_free_settle(&pool, b, true);
			break;
		}
		if (!samples[i])
			goto out;
		cond_resched();
	}
	if (how == HIT_TOTAL) {
		u64 sum = 0;

		for (i = 0; i < n; i++)
			sum += samples[i];
		pr_info("ttm_pool_bench: mean,%s,%s,%s,%zu,%d,%u,%u,%llu\n",
			alloc_names[how], coherent ? "coherent" : "page",
			caching_names[caching], size >> 10, zero, 1, n,
			div_u64(sum, n));
	}
	report(alloc_names[how], coherent ? "coherent" : "page",
	       caching_names[caching], size, zero, 1, samples, n);
#ifdef TTM_POOL_HAS_PREZERO
	if (!miss) {
		/*
		 * What the timed cycles cleared, by the caller and the worker
		 * (on the other vCPU, which the icount clock counts too); not
		 * the final settle's clearing of the last free, outside any
		 * timing.
		 */
		clear_stats_read(after);
		pool_settle(&pool);
		pr_info("ttm_pool_bench: clears,%s,%s,%s,%zu,%d,%u,%llu,%llu,%llu,%llu,%llu,%u\n",
			alloc_names[how], coherent ? "coherent" : "page",
			caching_names[caching], size >> 10, zero,
			n,
			after[0] - before[0], after[1] - before[1],
			after[2] - before[2], after[3] - before[3],
			after[4] - before[4], reflushes);
	}
#endif
out:
	/* A miss sample finished its pool; a hit pool lives for the case. */
	if (!miss)
		ttm_pool_fini(&pool);
	bench_tt_free(b);
}

/* raw: the coherent allocations the pool saves, in the pool's chunks. */
static void bench_raw(size_t size)
{
	unsigned int i, k, n = reps_for(size), chunks;
	size_t chunk = min_t(size_t, size, SZ_CHUNK);
	dma_addr_t *addr;
	void **vaddr;
	u64 t0;

	chunks = DIV_ROUND_UP(size, chunk);
	vaddr = kcalloc(chunks, sizeof(*vaddr), GFP_KERNEL);
	addr = kcalloc(chunks, sizeof(*addr), GFP_KERNEL);
	if (!vaddr || !addr) {
		bench_fail("raw: kcalloc", -ENOMEM);
		goto out;
	}
	for (i = 0; i < n; i++) {
		t0 = ktime_get_ns();
		for (k = 0; k < chunks; k++) {
			vaddr[k] = dma_alloc_attrs(bench_dev, chunk, &addr[k],
						   GFP_KERNEL, 0);
			if (!vaddr[k])
				break;
		}
		while (k--)
			dma_free_attrs(bench_dev, chunk, vaddr[k], addr[k], 0);
		samples[i] = ktime_get_ns() - t0;
		if (!vaddr[0]) {
			bench_fail("dma_alloc_attrs", -ENOMEM);
			goto out;
		}
		cond_resched();
	}
	report("raw", "coherent", "cached", size, true, 1, samples, n);
out:
	kfree(vaddr);
	kfree(addr);
}

/*
 * mix: a compositor's traffic (see the top of the file). The busy time of
 * the CPUs comes from a probe on sched_switch: the guest time during which
 * some CPU runs a task other than its idle task (BUSY), and the sum over
 * the CPUs of their busy time (BUSY_SUM). The probe also counts the times
 * the bench's thread is switched out, so that a timed call can tell whether
 * anything else ran while it did (mix_alone()).
 */
#define MIX_SLOTS 64
#define MIX_BURST 6
#define MIX_CLASSES 4
static const size_t mix_sizes[MIX_CLASSES] = { SZ_4K, SZ_64K, SZ_2M, SZ_8M };
/* Out of 16, weighted toward the small buffers. */
static const unsigned int mix_weights[MIX_CLASSES] = { 8, 4, 3, 1 };

static struct {
	raw_spinlock_t lock;
	bool busy[NR_CPUS];
	u64 since[NR_CPUS];	/* when busy[cpu] last changed */
	u64 idle_since;		/* when the last busy CPU went idle */
	unsigned int nbusy;
	u64 idle_all;		/* all CPUs idle, until the last change */
	u64 busy_sum;		/* busy CPUs, until their last change */
	struct task_struct *caller;	/* the bench's thread */
	unsigned long caller_out;	/* times it was switched out */
} mix_cpu = { .lock = __RAW_SPIN_LOCK_UNLOCKED(mix_cpu.lock) };

static struct tracepoint *mix_tp;

static void mix_sched_switch(void *data, bool preempt,
			     struct task_struct *prev, struct task_struct *next,
			     unsigned int prev_state)
{
	unsigned int cpu = smp_processor_id();
	bool busy = !is_idle_task(next);
	unsigned long flags;
	u64 now;

	/* Only ever on the CPU the caller leaves, one at a time. */
	if (prev == READ_ONCE(mix_cpu.caller))
		WRITE_ONCE(mix_cpu.caller_out, mix_cpu.caller_out + 1);
	if (READ_ONCE(mix_cpu.busy[cpu]) == busy)
		return;
	raw_spin_lock_irqsave(&mix_cpu.lock, flags);
	now = local_clock();
	if (busy) {
		if (!mix_cpu.nbusy++)
			mix_cpu.idle_all += now - mix_cpu.idle_since;
	} else {
		mix_cpu.busy_sum += now - mix_cpu.since[cpu];
		if (!--mix_cpu.nbusy)
			mix_cpu.idle_since = now;
	}
	mix_cpu.since[cpu] = now;
	WRITE_ONCE(mix_cpu.busy[cpu], busy);
	raw_spin_unlock_irqrestore(&mix_cpu.lock, flags);
}

static void mix_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		mix_tp = tp;
}

/*
 * Start tracking: every online CPU counts as busy until it first switches
 * (the warm-up rounds give each one time to).
 */
static int mix_cpu_start(void)
{
	unsigned int cpu;
	u64 now = local_clock();

	for_each_kernel_tracepoint(mix_find_tp, NULL);
	if (!mix_tp)
		return -ENOENT;
	raw_spin_lock_irq(&mix_cpu.lock);
	mix_cpu.nbusy = 0;
	for_each_online_cpu(cpu) {
		mix_cpu.busy[cpu] = true;
		mix_cpu.since[cpu] = now;
		mix_cpu.nbusy++;
	}
	mix_cpu.caller = current;
	raw_spin_unlock_irq(&mix_cpu.lock);
	return tracepoint_probe_register(mix_tp, mix_sched_switch, NULL);
}

static void mix_cpu_stop(void)
{
	tracepoint_probe_unregister(mix_tp, mix_sched_switch, NULL);
	tracepoint_synchronize_unregister();
	mix_cpu.caller = NULL;
}

/* A reading of the CPUs' time, up to now. */
struct mix_stamp {
	u64 now, idle_all, busy_sum;
	unsigned long caller_out;
};

static void mix_cpu_read(struct mix_stamp *st)
{
	unsigned int cpu;

	raw_spin_lock_irq(&mix_cpu.lock);
	st->now = local_clock();
	st->idle_all = mix_cpu.idle_all;
	if (!mix_cpu.nbusy)
		st->idle_all += st->now - mix_cpu.idle_since;
	st->busy_sum = mix_cpu.busy_sum;
	for_each_online_cpu(cpu)
		if (mix_cpu.busy[cpu])
			st->busy_sum += st->now - mix_cpu.since[cpu];
	st->caller_out = READ_ONCE(mix_cpu.caller_out);
	raw_spin_unlock_irq(&mix_cpu.lock);
}

/*
 * Whether the caller ran alone from @a to @b: not switched out, and no
 * other CPU busy (the CPUs' busy time grew by the caller's alone). Under
 * icount the clock counts every vCPU's instructions, so a call that
 * another CPU's task overlapped took longer by what that task ran.
 */
static bool mix_alone(const struct mix_stamp *a, const struct mix_stamp *b)
{
	return a->caller_out == b->caller_out &&
	       b->busy_sum - a->busy_sum <= b->now - a->now;
}

/* The timed calls of one kind: latency, class | zero << 2 | alone << 3. */
struct mix_ops {
	u64 *lat;
	u8 *kind;
	unsigned int n;
	u64 ns;
};

struct mix {
	enum ttm_caching caching;
	u32 rng;
	struct bench_tt *tt[MIX_SLOTS];
	u8 cls[MIX_SLOTS];
	unsigned int empty[MIX_SLOTS], nempty;
	bool record;
	struct mix_ops alloc, free;
	u64 *scratch;
	unsigned int max;
	u64 kib;
};

static u32 mix_rand(struct mix *m)
{
	u32 x = m->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return m->rng = x;
}

static unsigned int mix_class(struct mix *m)
{
	unsigned int r = mix_rand(m) % 16, c;

	for (c = 0; r >= mix_weights[c]; c++)
		r -= mix_weights[c];
	return c;
}

static void mix_record(struct mix *m, struct mix_ops *o, unsigned int c,
		       bool zero, u64 ns, const struct mix_stamp *a,
		       const struct mix_stamp *b)
{
	if (!m->record || o->n >= m->max)
		return;
	o->lat[o->n] = ns;
	o->kind[o->n++] = c | zero << 2 | mix_alone(a, b) << 3;
	o->ns += ns;
}

/* Allocate a tt of a random class into the free place @slot. */
static int mix_alloc(struct mix *m, unsigned int slot)
{
	struct ttm_operation_ctx ctx = { };
	unsigned int c = mix_class(m);
	bool zero = mix_rand(m) % 4 != 0;
	struct mix_stamp a, b;
	struct bench_tt *tt;
	u64 t0, ns;
	int err;

	tt = bench_tt_new(mix_sizes[c], m->caching, zero);
	if (!tt)
		return -ENOMEM;
	mix_cpu_read(&a);
	t0 = ktime_get_ns();
	err = ttm_pool_alloc(&pool, &tt->tt, &ctx);
	ns = ktime_get_ns() - t0;
	mix_cpu_read(&b);
	if (err) {
		bench_tt_free(tt);
		return err;
	}
	m->tt[slot] = tt;
	m->cls[slot] = c;
	mix_record(m, &m->alloc, c, zero, ns, &a, &b);
	if (m->record)
		m->kib += mix_sizes[c] >> 10;
	return 0;
}

static void mix_free_slot(struct mix *m, unsigned int slot)
{
	struct bench_tt *tt = m->tt[slot];
	struct mix_stamp a, b;
	u64 t0, ns;

	mix_cpu_read(&a);
	t0 = ktime_get_ns();
	ttm_pool_free(&pool, &tt->tt);
	ns = ktime_get_ns() - t0;
	mix_cpu_read(&b);
	mix_record(m, &m->free, m->cls[slot],
		   tt->tt.page_flags & TTM_TT_FLAG_ZERO_ALLOC, ns, &a, &b);
	bench_tt_free(tt);
	m->tt[slot] = NULL;
	m->empty[m->nempty++] = slot;
}

/* Free a random tt of the set (there are always some: see mix_round()). */
static void mix_free_random(struct mix *m)
{
	unsigned int slot = mix_rand(m) % MIX_SLOTS;

	while (!m->tt[slot])
		slot = (slot + 1) % MIX_SLOTS;
	mix_free_slot(m, slot);
}

/* One round: a burst of frees, then the allocations and a gap. */
static int mix_round(struct mix *m)
{
	unsigned int i, burst = 1 + mix_rand(m) % MIX_BURST, extra = 0;
	int err;

	/* At most 2 * MIX_BURST places are free at a time. */
	for (i = 0; i < burst; i++)
		mix_free_random(m);
	while (m->nempty) {
		err = mix_alloc(m, m->empty[m->nempty - 1]);
		if (err)
			return err;
		m->nempty--;
		if (extra < burst && mix_rand(m) % 4 == 0) {
			mix_free_random(m);
			extra++;
		}
	}
	switch (mix_rand(m) % 4) {
	case 2:
		usleep_range(1000, 1000);
		break;
	case 3:
		usleep_range(16000, 16000);
		break;
	default:
		cond_resched();
		break;
	}
	return 0;
}

/*
 * Nearest-rank percentile @p (of 100) of the sorted @v[0..n-1]: the
 * smallest value that at least p% of them do not exceed; 0 if n is 0.
 */
static u64 pct(const u64 *v, unsigned int n, unsigned int p)
{
	unsigned int i = DIV_ROUND_UP(n * p, 100);

	return n ? v[i ? i - 1 : 0] : 0;
}

/* Sort the latencies of @o of class @c (MIX_CLASSES: all) into @v. */
static unsigned int mix_pick(const struct mix_ops *o, unsigned int c,
			     bool alone, u64 *v, unsigned int *zeroed)
{
	unsigned int i, n = 0;

	for (i = 0; i < o->n; i++) {
		if (c < MIX_CLASSES && (o->kind[i] & 3) != c)
			continue;
		if (alone && !(o->kind[i] & 8))
			continue;
		v[n++] = o->lat[i];
		*zeroed += !!(o->kind[i] & 4);
	}
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return n;
}

/* The latencies per size class and of all calls: mixlat/mixfree lines. */
static void mix_report(struct mix *m, const char *what, struct mix_ops *o,
		       const char *path, const char *caching)
{
	unsigned int c, n, na, zeroed, unused;
	u64 *v = m->scratch, p50, p90, p99, max;

	for (c = 0; c <= MIX_CLASSES; c++) {
		zeroed = 0;
		n = mix_pick(o, c, false, v, &zeroed);
		if (!n)
			continue;
		p50 = pct(v, n, 50);
		p90 = pct(v, n, 90);
		p99 = pct(v, n, 99);
		max = v[n - 1];
		na = mix_pick(o, c, true, v, &unused);
		pr_info("ttm_pool_bench: %s,%s,%s,%zu,%u,%u,%llu,%llu,%llu,%llu,%u,%llu,%llu\n",
			what, path, caching,
			c < MIX_CLASSES ? mix_sizes[c] >> 10 : 0, n, zeroed,
			p50, p90, p99, max, na, pct(v, na, 50), pct(v, na, 99));
	}
}

static void bench_mix(bool coherent, enum ttm_caching caching)
{
	const char *path = coherent ? "coherent" : "page";
	struct mix_stamp t0, t1;
	unsigned int i;
	struct mix *m;
	u64 settle;
	int err = 0;
#ifdef TTM_POOL_HAS_PREZERO
	u64 before[ARRAY_SIZE(clear_stats)], after[ARRAY_SIZE(clear_stats)];
#else
	u64 before[5] = { }, after[5] = { };
#endif

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return bench_fail("mix: kzalloc", -ENOMEM);
	m->caching = caching;
	m->rng = 0x2545f491;
	/* At most 2 * MIX_BURST allocations and frees per round. */
	m->max = mix_rounds * 2 * MIX_BURST;
	m->alloc.lat = kvcalloc(m->max, sizeof(u64), GFP_KERNEL);
	m->free.lat = kvcalloc(m->max, sizeof(u64), GFP_KERNEL);
	m->scratch = kvcalloc(m->max, sizeof(u64), GFP_KERNEL);
	m->alloc.kind = kvcalloc(m->max, 1, GFP_KERNEL);
	m->free.kind = kvcalloc(m->max, 1, GFP_KERNEL);
	if (!m->alloc.lat || !m->free.lat || !m->scratch || !m->alloc.kind ||
	    !m->free.kind) {
		bench_fail("mix: kvcalloc", -ENOMEM);
		goto out_free;
	}
	/* A page pool bound to a node keeps its own WC/UC pages upstream too. */
	bench_pool_init(coherent ? NUMA_NO_NODE : 0, coherent);

	for (i = 0; i < MIX_SLOTS && !err; i++)
		err = mix_alloc(m, i);
	for (i = 0; i < mix_warmup && !err; i++)
		err = mix_round(m);
	if (err)
		goto out_fail;
	pool_settle(&pool);
#ifdef TTM_POOL_HAS_PREZERO
	clear_stats_read(before);
#endif
	m->record = true;
	mix_cpu_read(&t0);
	for (i = 0; i < mix_rounds && !err; i++)
		err = mix_round(m);
	if (err)
		goto out_fail;
	settle = ktime_get_ns();
	pool_settle(&pool);
	settle = ktime_get_ns() - settle;
	mix_cpu_read(&t1);
	m->record = false;
#ifdef TTM_POOL_HAS_PREZERO
	clear_stats_read(after);
#endif

	mix_report(m, "mixlat", &m->alloc, path, caching_names[caching]);
	mix_report(m, "mixfree", &m->free, path, caching_names[caching]);
	pr_info("ttm_pool_bench: mixcpu,%s,%s,%u,%u,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
		path, caching_names[caching], mix_rounds, m->alloc.n,
		m->free.n, m->kib, t1.now - t0.now,
		t1.now - t0.now - (t1.idle_all - t0.idle_all),
		t1.busy_sum - t0.busy_sum, m->alloc.ns, m->free.ns, settle,
		after[0] - before[0], after[1] - before[1],
		after[2] - before[2], after[3] - before[3],
		after[4] - before[4]);
	goto out_pool;

out_fail:
	bench_fail("mix: ttm_pool_alloc", err);
out_pool:
	m->record = false;
	for (i = 0; i < MIX_SLOTS; i++)
		if (m->tt[i])
			mix_free_slot(m, i);
	ttm_pool_fini(&pool);
out_free:
	kvfree(m->alloc.lat);
	kvfree(m->free.lat);
	kvfree(m->scratch);
	kvfree(m->alloc.kind);
	kvfree(m->free.kind);
	kfree(m);
}

enum release_how { RELEASE_FINI, RELEASE_DRAIN, RELEASE_SHRINK };
static const char * const release_names[] = { "fini", "drain", "shrink" };

#ifdef TTM_BENCH_OURS
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Scan in steps of SHRINK_BATCH (mm/shrinker.c), as do_shrink_slab() does. */
#define BENCH_SHRINK_BATCH 128
static void shrink_pages(unsigned long nr)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = 0 };
	unsigned long done = 0, freed;

	while (done < nr) {
		sc.nr_to_scan = BENCH_SHRINK_BATCH;
		freed = ttm_pool_shrinker_scan(NULL, &sc);
		if (freed == SHRINK_STOP || !freed)
			break;
		done += freed;
	}
}
#endif

/* Fill @pool with @size of single WC pages: one-page tts, all held at once. */
static int fill_singles(size_t size)
{
	unsigned long i, got = 0, n = size >> PAGE_SHIFT;
	struct ttm_operation_ctx ctx = { };
	struct bench_tt **tts;
	int err = 0;

	tts = kvcalloc(n, sizeof(*tts), GFP_KERNEL);
	if (!tts)
		return -ENOMEM;
	for (got = 0; got < n; got++) {
		tts[got] = bench_tt_new(PAGE_SIZE, ttm_write_combined, false);
		if (!tts[got]) {
			err = -ENOMEM;
			break;
		}
		err = ttm_pool_alloc(&pool, &tts[got]->tt, &ctx);
		if (err) {
			bench_tt_free(tts[got]);
			break;
		}
		cond_resched();
	}
	/*
	 * Our pool's clearing worker takes the type's lock for each page it
	 * clears while these frees take it for each page they pool: without
	 * cond_resched() a slow handover (vCPUs descheduled by a busy host)
	 * stalls RCU.
	 */
	for (i = 0; i < got; i++) {
		ttm_pool_free(&pool, &tts[i]->tt);
		bench_tt_free(tts[i]);
		cond_resched();
	}
	kvfree(tts);
	return err;
}

/*
 * release: give @size of pooled WC pages back to the system; the pool holds
 * them in its largest chunks, or in single pages if @singles.
 */
static void bench_release(enum release_how how, size_t size, bool singles)
{
	static const char * const singles_names[] = {
		"fini-4k", "drain-4k", "shrink-4k"
	};
	unsigned int i, n = big_reps;
	struct bench_tt *b;
	int err;
	u64 t0;

	b = bench_tt_new(size, ttm_write_combined, false);
	if (!b)
		return bench_fail("ttm_sg_tt_init", -ENOMEM);
	for (i = 0; i < n; i++) {
		bench_pool_init(0, false);
		if (singles) {
			err = fill_singles(size);
			if (err) {
				bench_fail("release: filling with single pages", err);
				ttm_pool_fini(&pool);
				goto out;
			}
		} else if (!alloc_free(&pool, b)) {
			ttm_pool_fini(&pool);
			goto out;
		}
		/* A pool released after a while: its worker has finished. */
		pool_settle(&pool);
		t0 = ktime_get_ns();
		switch (how) {
		case RELEASE_FINI:
			ttm_pool_fini(&pool);
			break;
#ifdef TTM_BENCH_OURS
		case RELEASE_DRAIN:
			ttm_pool_drain(&pool);
			break;
		case RELEASE_SHRINK:
			shrink_pages(size >> PAGE_SHIFT);
			break;
#endif
		default:
			break;
		}
		samples[i] = ktime_get_ns() - t0;
		if (how != RELEASE_FINI)
			ttm_pool_fini(&pool);
		cond_resched();
	}
	report(singles ? singles_names[how] : release_names[how], "page", "wc",
	       size, false, 1, samples, n);
out:
	bench_tt_free(b);
}

/* contend: threads bound to different CPUs, alloc+free hits on one pool. */
struct contender {
	struct ttm_pool *pool;
	struct bench_tt *b;
	struct completion *go;
	struct completion done;
	u64 ns;
	int err;
};

static int contend_thread(void *data)
{
	struct ttm_operation_ctx ctx = { };
	struct contender *c = data;
	unsigned int i;
	u64 t0;

	wait_for_completion(c->go);
	t0 = ktime_get_ns();
	for (i = 0; i < ops && !c->err; i++) {
		c->err = ttm_pool_alloc(c->pool, &c->b->tt, &ctx);
		if (!c->err)
			ttm_pool_free(c->pool, &c->b->tt);
	}
	c->ns = ktime_get_ns() - t0;
	complete(&c->done);
	return 0;
}

static void bench_contend(unsigned int threads, size_t size)
{
	struct contender c[2] = { };
	unsigned int i, t, n = reps;
	struct completion go;
	struct task_struct *task;
	u64 worst;

	if (threads > num_online_cpus()) {
		pr_info("ttm_pool_bench: contend: %u threads need %u CPUs\n",
			threads, threads);
		return;
	}
	bench_pool_init(NUMA_NO_NODE, false);
	for (t = 0; t < threads; t++) {
		c[t].pool = &pool;
		c[t].b = bench_tt_new(size, ttm_write_combined, true);
		if (!c[t].b) {
			bench_fail("ttm_sg_tt_init", -ENOMEM);
			goto out;
		}
		/* Warm: one chunk per thread in the pool. */
		if (!alloc_free(&pool, c[t].b))
			goto out;
	}
	for (i = 0; i < n; i++) {
		init_completion(&go);
		for (t = 0; t < threads; t++) {
			c[t].go = &go;
			c[t].err = 0;
			init_completion(&c[t].done);
			task = kthread_create(contend_thread, &c[t],
					      "ttm_pool_bench/%u", t);
			if (IS_ERR(task)) {
				bench_fail("kthread_create", PTR_ERR(task));
				threads = t;
				break;
			}
			kthread_bind(task, t);
			wake_up_process(task);
		}
		complete_all(&go);
		worst = 0;
		for (t = 0; t < threads; t++) {
			wait_for_completion(&c[t].done);
			if (c[t].err)
				bench_fail("contend: ttm_pool_alloc", c[t].err);
			worst = max(worst, c[t].ns);
		}
		if (failed)
			goto out;
		samples[i] = div_u64(worst, ops);
		cond_resched();
	}
	report("contend", "page", "wc", size, true, threads, samples, n);
out:
	ttm_pool_fini(&pool);
	for (t = 0; t < threads; t++)
		bench_tt_free(c[t].b);
}

static void bench_wq_fn(struct work_struct *work)
{
}

static void bench_wq_nice_fn(struct work_struct *work)
{
	long nice = task_nice(current);

	set_user_nice(current, MAX_NICE);
	set_user_nice(current, nice);
}

/* wq, wq-nice: a worker's round trip, queued and flushed. */
static void bench_wq(bool nice)
{
	unsigned int i, n = reps;
	struct work_struct w;
	u64 t0;

	INIT_WORK_ONSTACK(&w, nice ? bench_wq_nice_fn : bench_wq_fn);
	for (i = 0; i < n; i++) {
		t0 = ktime_get_ns();
		queue_work(system_unbound_wq, &w);
		flush_work(&w);
		samples[i] = ktime_get_ns() - t0;
		cond_resched();
	}
	destroy_work_on_stack(&w);
	report(nice ? "wq-nice" : "wq", "unbound", "none", 0, false, 1,
	       samples, n);
}

/*
 * clear: the price of a clear on this kernel under this clock, which
 * tests/bench/report.py uses to re-price the pools' clears (its cost model).
 */
static void bench_clear(void)
{
	static const char * const what[] = { "clear_page", "memset64", "memset" };
	unsigned int i, j, w, order, n = reps;
	struct page *p;
	void *va;
	u64 t0;

	for (w = 0; w < ARRAY_SIZE(what) && !failed; w++) {
		order = w == 2 ? get_order(SZ_2M) : 4;
		p = alloc_pages(GFP_KERNEL, order);
		if (!p)
			return bench_fail("clear: alloc_pages", -ENOMEM);
		va = page_address(p);
		for (i = 0; i < n; i++) {
			t0 = ktime_get_ns();
			if (w == 2)
				memset(va, 0, PAGE_SIZE << order);
			for (j = 0; w < 2 && j < (1U << order); j++) {
				if (w == 0)
					clear_page(va + j * PAGE_SIZE);
				else
					memset64(va + j * PAGE_SIZE, 0,
						 PAGE_SIZE / sizeof(u64));
			}
			samples[i] = ktime_get_ns() - t0;
			cond_resched();
		}
		__free_pages(p, order);
		report("clear", what[w], "cached", PAGE_SIZE << order, false, 1,
		       samples, n);
	}
}

/* The alloc configurations path=, caching=, kib= and zero= ask for. */
static bool alloc_wanted(bool coherent, enum ttm_caching caching, size_t size,
			 bool zero)
{
	return (!only_path || !strcmp(only_path, coherent ? "coherent" : "page")) &&
	       (!only_caching || !strcmp(only_caching, caching_names[caching])) &&
	       (!only_kib || size == (size_t)only_kib << 10) &&
	       (only_zero < 0 || only_zero == zero);
}

/* The mix runs path= and caching= ask for. */
static bool mix_wanted(bool coherent, enum ttm_caching caching)
{
	return (!only_path || !strcmp(only_path, coherent ? "coherent" : "page")) &&
	       (!only_caching || !strcmp(only_caching, caching_names[caching]));
}

static bool wanted(const char *what)
{
	size_t n = strlen(what);
	const char *s = only;

	if (!s || !*s)
		return true;
	while ((s = strstr(s, what))) {
		if ((s == only || s[-1] == ',') && (s[n] == ',' || !s[n]))
			return true;
		s += n;
	}
	return false;
}

static void bench_run(void)
{
	static const size_t sizes[] = { SZ_4K, SZ_64K, SZ_2M, SZ_64M };
	static const size_t big[] = { SZ_64M, SZ_256M };
	/* The mix's paths and cachings: the common ones (top of the file). */
	static const struct {
		bool coherent;
		enum ttm_caching caching;
	} mix_runs[] = {
		{ false, ttm_write_combined }, { false, ttm_cached },
		{ true, ttm_cached },
	};
	unsigned int s, c, z, how, coherent;

	/* Releases first, while memory is not fragmented yet. */
	for (how = RELEASE_FINI; how <= RELEASE_SHRINK && !failed; how++) {
#ifndef TTM_BENCH_OURS
		if (how != RELEASE_FINI)
			break;
#endif
		if (!wanted(release_names[how]))
			continue;
		for (s = 0; s < ARRAY_SIZE(big) && !failed; s++)
			bench_release(how, big[s], false);
		/* 64 MiB of single pages: 16384 one-page tts to fill the pool. */
		if (!failed)
			bench_release(how, SZ_64M, true);
	}

	for (how = HIT; how <= MISS && !failed; how++)
		for (coherent = 0; coherent < 2 && wanted(alloc_names[how]);
		     coherent++)
			for (c = 0; c < TTM_NUM_CACHING_TYPES; c++)
				for (z = 0; z < 2; z++)
					for (s = 0; s < ARRAY_SIZE(sizes) && !failed; s++)
						if (alloc_wanted(coherent, c, sizes[s], z))
							bench_alloc(how, coherent, c,
								    sizes[s], z);

	for (s = 0; s < ARRAY_SIZE(sizes) && !failed && wanted("raw"); s++)
		bench_raw(sizes[s]);

	for (s = 1; s <= 2 && !failed && wanted("contend"); s++)
		bench_contend(s, SZ_64K);

	/* Last of the pool cases: it leaves the memory fragmented. */
	if (!failed && wanted("mix")) {
		int err = mix_cpu_start();

		if (err) {
			bench_fail("mix: sched_switch probe", err);
		} else {
			for (s = 0; s < ARRAY_SIZE(mix_runs) && !failed; s++)
				if (mix_wanted(mix_runs[s].coherent,
					       mix_runs[s].caching))
					bench_mix(mix_runs[s].coherent,
						  mix_runs[s].caching);
			mix_cpu_stop();
		}
	}

	if (!failed && wanted("wq"))
		bench_wq(false);
	if (!failed && wanted("wq-nice"))
		bench_wq(true);
	if (!failed && wanted("clear"))
		bench_clear();
}

/*
 * Our pools' clearing policy weighs the cost of a page clear: price it as
 * the host does (@ns; 0: the guest's own measurement, which under TCG is an
 * emulator's), and say what the policy uses (the "costs," line).
 */
static void bench_costs_set(unsigned int ns)
{
#ifdef TTM_POOL_HAS_CLEAR_COSTS
	struct ttm_pool_clear_costs c;

	if (ttm_pool_set_clear_cost(false, ns))
		pr_warn("ttm_pool_bench: clear_page_ns=%u refused\n", ns);
	ttm_pool_get_clear_costs(&c);
	pr_info("ttm_pool_bench: costs,%u,%s,%u,%lu\n", c.clear_page_ns,
		c.clear_page_set ? "set" : "measured", c.wake_ns, c.wake_pages);
#endif
}

static const char *prezero_name(void)
{
#ifdef TTM_POOL_HAS_PREZERO
	return prezero < 0 ? "default" : prezero ? "on" : "off";
#else
	return "none";
#endif
}

static int __init ttm_pool_bench_init(void)
{
	int err;

	if (reps < 3 || reps > MAX_SAMPLES || big_reps < 3 ||
	    big_reps > MAX_SAMPLES || total_reps < 3 ||
	    total_reps > MAX_SAMPLES || !ops || only_zero > 1 ||
	    !mix_rounds || mix_rounds > 10000 || mix_warmup > 10000 ||
	    (only_path && strcmp(only_path, "page") &&
	     strcmp(only_path, "coherent")) ||
	    (only_caching && strcmp(only_caching, "cached") &&
	     strcmp(only_caching, "wc") && strcmp(only_caching, "uc")))
		return -EINVAL;
	samples = kcalloc(MAX_SAMPLES, sizeof(*samples), GFP_KERNEL);
	if (!samples)
		return -ENOMEM;

	bench_dev = root_device_register("ttm_pool_bench");
	if (IS_ERR(bench_dev)) {
		err = PTR_ERR(bench_dev);
		goto err_samples;
	}
	bench_dev->coherent_dma_mask = DMA_BIT_MASK(64);
	bench_dev->dma_mask = &bench_dev->coherent_dma_mask;

	/* A TTM device sets up TTM's globals (page_pool_size, global pools). */
	drm_vma_offset_manager_init(&bench_vma, 0, 16);
	err = ttm_device_init(&bench_bdev, &bench_funcs, bench_dev, NULL,
			      &bench_vma, false, false);
	if (err)
		goto err_dev;

	bench_costs_set(clear_page_ns);
	pr_info("ttm_pool_bench: start reps=%u big_reps=%u ops=%u cpus=%u init_on_alloc=%d prezero=%s\n",
		reps, big_reps, ops, num_online_cpus(),
		want_init_on_alloc(GFP_KERNEL), prezero_name());
	bench_run();
	pr_info("ttm_pool_bench: end %s\n", failed ? "FAILED" : "ok");
	bench_costs_set(0);

	ttm_device_fini(&bench_bdev);
	drm_vma_offset_manager_destroy(&bench_vma);
	root_device_unregister(bench_dev);
	kfree(samples);
	return failed;

err_dev:
	drm_vma_offset_manager_destroy(&bench_vma);
	root_device_unregister(bench_dev);
err_samples:
	kfree(samples);
	return err;
}

static void __exit ttm_pool_bench_exit(void)
{
}

module_init(ttm_pool_bench_init);
module_exit(ttm_pool_bench_exit);
MODULE_DESCRIPTION("Benchmark of the TTM page pool (public 6.12 API)");
MODULE_LICENSE("Dual MIT/GPL");
#ifdef TTM_POOL_HAS_PREZERO
MODULE_IMPORT_NS(TTM_POOL_TEST);
#endif
