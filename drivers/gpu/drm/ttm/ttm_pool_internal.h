/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Declarations shared by the files of the TTM page pool (ttm_pool*.c).
 * Not for drivers.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */

#ifndef _TTM_POOL_INTERNAL_H_
#define _TTM_POOL_INTERNAL_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/container_of.h>
#include <linux/dma-mapping.h>
#include <linux/instrumented.h>
#include <linux/jump_label.h>
#include <linux/kmsan-checks.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ratelimit_types.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <drm/ttm/ttm_pool.h>

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#endif

struct ttm_pool_devres;
struct ttm_pool_inject;
struct ttm_pool_sysfs;

/**
 * struct ttm_pool_stats_pcpu - one CPU's share of a pool's counters
 * @counter: indexed by enum ttm_pool_stat
 */
struct ttm_pool_stats_pcpu {
	u64 counter[TTM_POOL_STAT_NR];
};

/**
 * struct ttm_pool_type_state - the part of a pool type 6.12's struct lacks
 * @page_chunks: pooled chunks made by the page path (the coherent ones are
 *	on the type's pages list)
 * @nr_pages: pages pooled in the type, both lists; written under the
 *	type's lock with WRITE_ONCE(), peeked at with READ_ONCE()
 * @nr_clean: of those, pages known to be zero (same rules)
 * @clean_end: per list ([0] page path, [1] coherent), its last clean chunk's
 *	lru, or the list head if it has none: each list holds its clean chunks
 *	first, then its dirty ones (see ttm_pool_clear.c)
 * @clearing: the dirty chunk the clearing worker is clearing, or NULL
 * @cleared: how many pages of @clearing, from its first, are zero, or will
 *	be once the worker's store into it is done
 * @storing: the chunk the worker is storing zeroes into without the type's
 *	lock, or NULL: set under the lock, cleared with release when the store
 *	is done (see "Clearing" in ttm_pool_clear.c and ttm_pool_settle())
 * @acct: minus the pages allocations took out of the type (on node
 *	@acct_nid) that its NR_KERNEL_MISC_RECLAIMABLE still counts, 0 to
 *	-TTM_POOL_ACCT_SLACK; under the type's lock (see
 *	ttm_pool_account_locked())
 * @acct_nid: the node of @acct
 */
struct ttm_pool_type_state {
	struct list_head page_chunks;
	unsigned long nr_pages;
	unsigned long nr_clean;
	struct list_head *clean_end[2];
	struct page *clearing;
	unsigned int cleared;
	struct page *storing;
	long acct;
	int acct_nid;
};

/**
 * struct ttm_pool_state - everything a pool needs beyond 6.12's struct
 * @anchor: linked with the pool's caching[0].orders[0].shrinker_list, which
 *	is how ttm_pool_state() finds this from the pool
 * @pool: the pool
 * @types: our part of each pool type, [caching][order]
 * @path: the configured path policy
 * @effective_path: the path fresh pages come from now
 * @auto_reason: why the policy resolved to @effective_path
 * @max_pages: cap on the pages this pool keeps
 * @high_watermark: above this many pooled pages the trim worker runs
 * @low_watermark: the worker trims down to this many pooled pages
 * @high_set: @high_watermark was set; until then it follows @max_pages
 * @low_set: @low_watermark was set; until then it follows @max_pages
 * @pooled: pages pooled now, all types
 * @config_lock: serialises path, cap and watermark changes
 * @trim_work: the watermark worker
 * @acct_work: brings what its types' takes left pending into
 *	NR_KERNEL_MISC_RECLAIMABLE, a second after (see
 *	ttm_pool_account_locked())
 * @prezero: when dirty chunks are cleared in the background, an enum
 *	ttm_pool_prezero_mode (sysfs "prezero")
 * @clear_worker: the thread that clears in the background (shared by all
 *	pools), or NULL if it could not be made: then nothing is cleared in the
 *	background and @prezero is off until ttm_pool_set_prezero() makes it;
 *	set under @config_lock before @prezero (release/acquire)
 * @clear_pending: pages pooled dirty since the auto policy last looked at
 *	the demand, or since prezero was set; frees add to it without a lock
 *	(ttm_pool_clear.c)
 * @demand: pages the auto policy expects tts that need zeroes to take,
 *	which is as many as the worker keeps clean; written under @clear_lock
 * @demand_seen: ALLOC_ZERO's sum when the policy last looked, under
 *	@clear_lock
 * @demand_stamp: jiffies when @demand last decayed, under @clear_lock
 * @clear_work: the pool's clearing work on @clear_worker
 * @clear_lock: protects @clear_queued, @clear_backoff, @clear_running and
 *	@clear_flushing
 * @clear_queued: @clear_work is queued (its timer or the worker's list) and
 *	has not started; peeked at without the lock by frees
 * @clear_backoff: the worker stopped because memory was short and queued
 *	itself for later (with @clear_queued): flushes do not bring it forward
 * @clear_running: @clear_work is running
 * @clear_flushing: ttm_pool_prezero_flush() calls under way: queue without
 *	delay meanwhile (a flush must not meet a pending timer)
 * @list: our place on the list of all pools (ttm_pool_global.c)
 * @stats: per-CPU counters of enum ttm_pool_stat
 * @node_made: per-CPU counts, nr_node_ids entries, of the pages of the
 *	chunks the chunk allocator made for the pool's allocations on each
 *	node, less those given back to the system from it: with @node_pooled,
 *	its pages in use there (ttm_pool_stats.c); NULL with a single node,
 *	where the pool's in-use count says it, or if it could not be
 *	allocated (logged)
 * @name: the pool's name in sysfs and debugfs, unique among the pools;
 *	set by ttm_pool_register() and constant until the state is freed
 * @sysfs: the pool's sysfs directory, NULL if it has none (ttm_pool_sysfs.c)
 * @reclaim_seq: when the pool last gave pages to a global reclaim (shrinker,
 *	global cap), in ttm_pool_reclaim()'s sequence: the next reclaim starts
 *	at the pool that gave least recently (ttm_pool_global.c)
 * @devres: the pool's managed resource on its device, whose release tells
 *	that the device's driver detached (see ttm_pool_unplug.c);
 *	NULL without a device, and once released or taken back; protected by
 *	ttm_pool_devres_lock
 * @detached: the device's driver detached: no coherent path any more;
 *	written under @config_lock, read with READ_ONCE()
 * @dma_gone: from here on a coherent chunk is not given to the DMA API but
 *	leaked (@leaked); written once, with a full barrier against
 *	@dma_freeing
 * @dma_freeing: coherent chunks being freed through the DMA API now
 * @leaked: pages of coherent chunks freed after @dma_gone, leaked
 * @inject: the armed failure injection, or NULL (ttm_pool_inject.c);
 *	written under ttm_pool_inject_lock, read under RCU
 * @verify_clean: clean chunks are checked to be zero when taken, and freed
 *	chunks are cleared for it (ttm_pool_verify.c); written under
 *	ttm_pool_verify_lock, read with READ_ONCE()
 * @verify_rs: the rate limit of its reports of written clean chunks
 * @node_pooled: pages pooled now by the node they are on, nr_node_ids
 *	entries: what the NUMA-aware shrinker counts and scans for a node;
 *	not kept with a single node, where it would equal @pooled
 */
struct ttm_pool_state {
	struct list_head anchor;
	struct ttm_pool *pool;
	struct ttm_pool_type_state types[TTM_NUM_CACHING_TYPES][NR_PAGE_ORDERS];
	enum ttm_pool_path path;
	enum ttm_pool_path effective_path;
	const char *auto_reason;
	unsigned long max_pages;
	unsigned long high_watermark;
	unsigned long low_watermark;
	bool high_set;
	bool low_set;
	atomic_long_t pooled;
	struct mutex config_lock; /* serialises configuration changes */
	struct work_struct trim_work;
	struct delayed_work acct_work;
	u8 prezero;
	struct kthread_worker *clear_worker;
	atomic_long_t clear_pending;
	unsigned long demand;
	u64 demand_seen;
	unsigned long demand_stamp;
	struct kthread_delayed_work clear_work;
	spinlock_t clear_lock; /* the clearing work's state */
	bool clear_queued;
	bool clear_backoff;
	bool clear_running;
	unsigned int clear_flushing;
	struct list_head list;
	unsigned long reclaim_seq;
	struct ttm_pool_stats_pcpu __percpu *stats;
	long __percpu *node_made;
	char name[64];
	struct ttm_pool_sysfs *sysfs;
	struct ttm_pool_devres *devres;
	bool detached;
	bool dma_gone;
	atomic_t dma_freeing;
	atomic_long_t leaked;
	struct ttm_pool_inject __rcu *inject;
	bool verify_clean;
	struct ratelimit_state verify_rs;
	atomic_long_t node_pooled[];
};

/*
 * The state of an initialised pool. 6.12 linked every pool type into a
 * global shrinker list through shrinker_list; we keep no such list, and use
 * the first type's member to reach the state instead: ttm_pool_init() links
 * it with state->anchor, a two-entry circular list. Two loads, no lock, no
 * lookup structure: as cheap on the hit path as a member of the pool.
 */
static inline struct ttm_pool_state *ttm_pool_state(const struct ttm_pool *pool)
{
	return container_of(pool->caching[0].orders[0].shrinker_list.next,
			    struct ttm_pool_state, anchor);
}

/*
 * The most chunks one hold of a type's lock walks past or moves: a drain
 * lets go of the lock after this many, a search for a node's coldest chunk
 * gives up after this many (see ttm_pool_find_cold()). The clearing worker
 * clears one page per hold. Bounded in chunks, not time: with cached pages
 * pooled up to half of RAM a type can hold millions of chunks.
 */
#define TTM_POOL_LOCK_BATCH 64

/*
 * Is @pool initialised? ttm_pool_init() links the state in; a pool never
 * initialised (zeroed memory) has no link, a finalised one a link to
 * itself. Through such a link ttm_pool_state() would point into the
 * pool and the driver's structure around it, and a late free, a second
 * fini or a setter would write there (6.12 faulted on list poison
 * instead). Every exported function but ttm_pool_init() checks with
 * ttm_pool_live(), which warns once per call site, and does nothing, or
 * only what needs no state (a late free releases the pages).
 */
static inline bool ttm_pool_initialised(const struct ttm_pool *pool)
{
	const struct list_head *l = &pool->caching[0].orders[0].shrinker_list;

	return l->next && l->next != l;
}

#define ttm_pool_live(pool)						\
	(!WARN_ONCE(!ttm_pool_initialised(pool),			\
		    "ttm: %s() of a pool not initialised or finalised\n", \
		    __func__))

static inline struct ttm_pool_type_state *
ttm_pool_type_state(const struct ttm_pool_type *pt)
{
	return &ttm_pool_state(pt->pool)->types[pt->caching][pt->order];
}

/*
 * Count @n pages handed out to a tt that needs zeroes: the demand the
 * clearing policy serves (ttm_pool_clear.c), so counted even without the
 * statistics.
 */
static inline void ttm_pool_count_zero(struct ttm_pool_state *st, u64 n)
{
	this_cpu_add(st->stats->counter[TTM_POOL_STAT_ALLOC_ZERO], n);
}

/*
 * Add @n to counter @item of the pool of state @st (ttm_pool_st_add()) or
 * of @pool (ttm_pool_stat_add()) on this CPU; no shared cache line.
 *
 * Building with "make TTM_POOL_NO_STATS=y" compiles the counting out. That
 * exists only to measure what counting costs (make bench): the counters, and
 * the in-use count derived from them, then stay 0.
 */
#ifdef TTM_POOL_NO_STATS
static inline void ttm_pool_st_add(struct ttm_pool_state *st,
				   enum ttm_pool_stat item, u64 n)
{
}

static inline void ttm_pool_stat_add(struct ttm_pool *pool,
				     enum ttm_pool_stat item, u64 n)
{
}

static inline void ttm_pool_count_made(struct ttm_pool *pool, struct page *p,
				       long nr)
{
}
#else
static inline void ttm_pool_st_add(struct ttm_pool_state *st,
				   enum ttm_pool_stat item, u64 n)
{
	if (n)
		this_cpu_add(st->stats->counter[item], n);
}

static inline void ttm_pool_stat_add(struct ttm_pool *pool,
				     enum ttm_pool_stat item, u64 n)
{
	ttm_pool_st_add(ttm_pool_state(pool), item, n);
}

/*
 * Count a chunk of @nr pages on @p's node as made for an allocation by
 * the chunk allocator, or (negative) given back to the system: only with
 * several nodes, on the miss and release paths, never on a hit (see
 * ttm_pool_node_inuse_pages()).
 */
static inline void ttm_pool_count_made(struct ttm_pool *pool, struct page *p,
				       long nr)
{
	long __percpu *c = ttm_pool_state(pool)->node_made;

	if (c)
		this_cpu_add(c[page_to_nid(p)], nr);
}
#endif

/*
 * Parse a switch (sysfs and debugfs): one of the words below, with an
 * optional trailing newline. Stricter than kstrtobool(), which reads only
 * the first characters ("0x10" would be "off", "12abc" "on").
 */
static inline int ttm_pool_parse_bool(const char *buf, bool *on)
{
	static const char * const words[] = {
		"0", "1", "n", "y", "no", "yes", "off", "on", "false", "true",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (sysfs_streq(buf, words[i])) {
			*on = i % 2;
			return 0;
		}
	}
	return -EINVAL;
}

/* Names of the caching types in dumps: "cached", "wc", "uc". */
static inline const char *ttm_pool_caching_name(enum ttm_caching caching)
{
	static const char * const names[TTM_NUM_CACHING_TYPES] = {
		[ttm_cached] = "cached",
		[ttm_write_combined] = "wc",
		[ttm_uncached] = "uc",
	};

	return names[caching];
}

/*
 * For the interfaces and KUnit: the rest of the configuration and the
 * statistics (exported only to KUnit tests, EXPORT_SYMBOL_IF_KUNIT).
 */
#define TTM_POOL_LIMIT_MAX	BIT(0)
#define TTM_POOL_LIMIT_HIGH	BIT(1)
#define TTM_POOL_LIMIT_LOW	BIT(2)
#define TTM_POOL_LIMIT_ALL	(TTM_POOL_LIMIT_MAX | TTM_POOL_LIMIT_HIGH | \
				 TTM_POOL_LIMIT_LOW)

/**
 * struct ttm_pool_limits - a cap and watermarks to set together
 * @max_pages: the cap (TTM_POOL_LIMIT_MAX)
 * @high_watermark: the high watermark (TTM_POOL_LIMIT_HIGH)
 * @low_watermark: the low watermark (TTM_POOL_LIMIT_LOW)
 * @set: which of them to set, TTM_POOL_LIMIT_* bits
 */
struct ttm_pool_limits {
	unsigned long max_pages;
	unsigned long high_watermark;
	unsigned long low_watermark;
	unsigned int set;
};

int ttm_pool_set_limits(struct ttm_pool *pool, const struct ttm_pool_limits *l);
int ttm_pool_set_watermarks(struct ttm_pool *pool, unsigned long high,
			    unsigned long low);
int ttm_pool_set_high_watermark(struct ttm_pool *pool, unsigned long high);
int ttm_pool_set_low_watermark(struct ttm_pool *pool, unsigned long low);
unsigned long ttm_pool_high_watermark(struct ttm_pool *pool);
unsigned long ttm_pool_low_watermark(struct ttm_pool *pool);
void ttm_pool_drain_all(void);
int ttm_pool_set_global_max_pages(unsigned long max_pages);
unsigned long ttm_pool_global_max_pages(void);
unsigned long ttm_pool_global_pooled_pages(void);
unsigned long ttm_pool_pooled_pages(struct ttm_pool *pool,
				    enum ttm_caching caching);
unsigned long ttm_pool_inuse_pages(struct ttm_pool *pool);
int ttm_pool_path_parse(const char *word);

/* Statistics (ttm_pool_stats.c): a leaf, called from anywhere. */
void ttm_pool_stats_init(struct ttm_pool_state *st);
const char *ttm_pool_stat_name(enum ttm_pool_stat item);
unsigned long ttm_pool_count_clean(struct ttm_pool *pool, bool clean);
unsigned long ttm_pool_node_inuse_pages(struct ttm_pool *pool, int nid);
void ttm_pool_stats_fini(struct ttm_pool_state *st);

/*
 * The global side (ttm_pool_global.c): the list of all pools, the global cap
 * and the shrinker. Registering names the pool and adds its sysfs and
 * debugfs entries; unregistering removes them first. The core calls only
 * register, unregister, listed and evict_for.
 */
extern struct rw_semaphore ttm_pool_list_rwsem;
extern struct list_head ttm_pool_list;
extern atomic_long_t ttm_pool_total_pooled;
extern unsigned long ttm_pool_total_max;
/* When reclaim last asked the pools to shrink, in jiffies (the shrinker). */
extern unsigned long ttm_pool_reclaim_stamp;

/**
 * struct ttm_pool_memory - pages of all pools, see ttm_pool_memory_summary()
 * @inuse: handed out to tts and not given back
 * @pooled: held by the pools
 * @clean: of @pooled, those known to be zero
 * @dirty: of @pooled, the others
 */
struct ttm_pool_memory {
	unsigned long inuse;
	unsigned long pooled;
	unsigned long clean;
	unsigned long dirty;
};

void ttm_pool_memory_summary(int nid, struct ttm_pool_memory *sum);
void ttm_pool_register(struct ttm_pool *pool);
bool ttm_pool_listed(const struct ttm_pool *pool);
void ttm_pool_unregister(struct ttm_pool *pool);
bool ttm_pool_evict_for(struct ttm_pool *pool, unsigned long nr);
void ttm_pool_shrink_once(unsigned long *count, unsigned long *freed);

/* Pages pooled by all pools now. */
static inline unsigned long ttm_pool_total_pages(void)
{
	long n = atomic_long_read(&ttm_pool_total_pooled);

	return n > 0 ? n : 0;
}

/*
 * sysfs (ttm_pool_sysfs.c) and debugfs (ttm_pool_debugfs.c): called only by
 * the global side, registering a pool (named and listed) or TTM's globals.
 */
void ttm_pool_sysfs_add(struct ttm_pool *pool);
void ttm_pool_sysfs_remove(struct ttm_pool *pool);
void ttm_pool_debugfs_init(void);
void ttm_pool_debugfs_fini(void);
void ttm_pool_debugfs_add(struct ttm_pool *pool);
void ttm_pool_debugfs_remove(struct ttm_pool *pool);

/* Paths and the auto policy (ttm_pool_path.c). */
enum ttm_pool_path ttm_pool_default_path(void);
enum ttm_pool_path ttm_pool_resolve(struct ttm_pool *pool,
				    enum ttm_pool_path path, const char **why);

/* The core (ttm_pool.c): 6.12's table layout, for debugfs. */
void ttm_pool_debugfs_table(struct seq_file *m,
			    unsigned long pooled[][NR_PAGE_ORDERS],
			    const char *prefix);

/* Chunks (ttm_pool_chunk.c). */
struct ttm_pool_batch;
struct page *ttm_pool_alloc_chunk(struct ttm_pool *pool, bool coherent,
				  gfp_t gfp, unsigned int order);
unsigned long ttm_pool_free_chunk(struct ttm_pool *pool, struct page *p);
void ttm_pool_report_leak(struct ttm_pool *pool, unsigned long leaked);
int ttm_pool_map_page_chunk(struct ttm_pool *pool, struct page *p,
			    unsigned int order, dma_addr_t *dma_addr);
int ttm_pool_set_caching(struct page **pages, unsigned long n,
			 enum ttm_caching caching);
unsigned long ttm_pool_batch_release(struct ttm_pool *pool,
				     struct ttm_pool_batch *b,
				     enum ttm_pool_stat cause, gfp_t gfp);

/* Clearing (ttm_pool_clear.c). */
extern bool ttm_pool_hibernating;
void ttm_pool_clear_init(struct ttm_pool_state *st);
void ttm_pool_clear_fini(struct ttm_pool_state *st);
void ttm_pool_clear_page(struct page *p, enum ttm_caching caching);
void __ttm_pool_clear_pages(struct page *p, unsigned long nr,
			    enum ttm_caching caching);
extern struct ttm_pool_clear_costs ttm_pool_costs;
void __ttm_pool_kick_clear(struct ttm_pool_state *st, struct kthread_worker *w,
			   u8 mode);

const char *ttm_pool_prezero_name(enum ttm_pool_prezero_mode mode);
int ttm_pool_prezero_parse(const char *buf);
void ttm_pool_get_clear_demand(struct ttm_pool *pool, unsigned long *demand,
			       unsigned long *pending);
void ttm_pool_set_hibernating(bool on);

/* Releases (ttm_pool_release.c). */
void ttm_pool_release_all(struct ttm_pool *pool, bool coherent, bool page,
			  enum ttm_pool_stat cause);
unsigned long ttm_pool_release_pages(struct ttm_pool *pool, unsigned long nr,
				     int nid, enum ttm_pool_stat cause,
				     gfp_t gfp);
unsigned long ttm_pool_node_pooled(struct ttm_pool *pool, int nid);
void ttm_pool_release_dirty(struct ttm_pool *pool);
void ttm_pool_trim_to(struct ttm_pool *pool, unsigned long target,
		      enum ttm_pool_stat cause);
void ttm_pool_trim_work(struct work_struct *work);

/*
 * Driver QA (ttm_pool_inject.c, ttm_pool_verify.c): failure injection and
 * the check of clean chunks, per pool, set in debugfs. Each has a static
 * key, on while a pool uses it, so that the allocation and free paths meet
 * a no-op when none does: ttm_pool_verify_armed per chunk taken and per
 * chunk freed, ttm_pool_inject_armed once per allocation. What they guard
 * is out of line (register pressure in ttm_pool_alloc() cost more than
 * the no-ops: docs/bench/qa-hooks.md).
 */
DECLARE_STATIC_KEY_FALSE(ttm_pool_inject_armed);
DECLARE_STATIC_KEY_FALSE(ttm_pool_verify_armed);

#define TTM_POOL_INJECT_SPEC_MAX 128
/* The written bytes a ttm_pool_verify_dirty event shows. */
#define TTM_POOL_VERIFY_BYTES 16
int ttm_pool_inject_set(struct ttm_pool *pool, const char *spec);
int ttm_pool_inject_get(struct ttm_pool *pool, char *buf, size_t size);
bool ttm_pool_inject_fail(struct ttm_pool *pool, pgoff_t num_pages);
void ttm_pool_inject_fini(struct ttm_pool_state *st);

void ttm_pool_set_verify_clean(struct ttm_pool *pool, bool on);
bool ttm_pool_get_verify_clean(struct ttm_pool *pool);
void ttm_pool_verify_init(struct ttm_pool_state *st);
bool ttm_pool_verify_chunk(struct ttm_pool *pool, struct page *p,
			   unsigned int order, unsigned int zero,
			   enum ttm_caching caching, bool coherent);
void ttm_pool_verify_fini(struct ttm_pool_state *st);

/* Does @pool check its clean chunks (and clear what is freed for that)? */
static inline bool ttm_pool_verifying(struct ttm_pool *pool)
{
	return static_branch_unlikely(&ttm_pool_verify_armed) &&
	       READ_ONCE(ttm_pool_state(pool)->verify_clean);
}

/* Hot-unplug (ttm_pool_unplug.c). */
void ttm_pool_unplug_watch(struct ttm_pool *pool);
void ttm_pool_unplug_unwatch(struct ttm_pool *pool);

#if IS_ENABLED(CONFIG_KUNIT)
/* Replaceable with KUnit static stubs to inject failures. */
bool ttm_pool_cc_guest(void);
extern int ttm_pool_test_memory_short;
typedef void (*ttm_pool_store_hook_t)(struct page *p);
extern ttm_pool_store_hook_t ttm_pool_test_store_hook;
struct kthread_worker *ttm_pool_clear_create(void);
struct notifier_block;
int ttm_pool_pm_notify(struct notifier_block *nb, unsigned long action,
		       void *data);
extern unsigned int ttm_pool_lock_work_max;
struct shrinker;
struct shrink_control;
unsigned long ttm_pool_shrinker_count(struct shrinker *shrink,
				      struct shrink_control *sc);
unsigned long ttm_pool_shrinker_scan(struct shrinker *shrink,
				     struct shrink_control *sc);
#endif

/*
 * The helpers below work on the types' lists for the core, the releases and
 * the clearing worker: inline, as the allocation and free paths were.
 */

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

static inline bool ttm_pool_chunk_coherent(struct page *p)
{
	return p->private > MAX_PAGE_ORDER;
}

static inline unsigned int ttm_pool_chunk_order(struct page *p)
{
	if (ttm_pool_chunk_coherent(p))
		return ((struct ttm_pool_dma *)p->private)->order;
	return p->private;
}

/*
 * Count @nr pages of chunk @p in (or, negative, out of) @pool. With a single
 * node (most machines), the per-node count is the pool's count: not kept.
 */
static inline void ttm_pool_account(struct ttm_pool *pool, struct page *p,
				    long nr)
{
	int nid = page_to_nid(p);

	if (nr_node_ids > 1)
		atomic_long_add(nr, &ttm_pool_state(pool)->node_pooled[nid]);
	mod_node_page_state(NODE_DATA(nid), NR_KERNEL_MISC_RECLAIMABLE, nr);
}

/*
 * How many pages taken out of a pool type its share of
 * NR_KERNEL_MISC_RECLAIMABLE may still count (256 KiB; the counter's own
 * per-CPU deltas lag as far on a machine of a few CPUs): allocations that
 * take chunks of up to that size, and the frees that give them back, then
 * leave the node's counter alone. Frees beyond that are counted at once.
 */
#define TTM_POOL_ACCT_SLACK	64

void ttm_pool_account_sync_locked(struct ttm_pool_type *pt,
				  struct ttm_pool_type_state *ts, int nid,
				  long nr);
void ttm_pool_account_sync(struct ttm_pool *pool);
void ttm_pool_account_work(struct work_struct *work);

/*
 * ttm_pool_account() for an allocation or a free, under @pt's lock (@ts is
 * its state, @st its pool's), for the chunk @p being taken (@nr < 0) or
 * pooled. A take is
 * left pending in @ts->acct, and a free makes up for pending takes, as long
 * as @ts->acct stays within -TTM_POOL_ACCT_SLACK..0 and on one node; else
 * the node's counter moves now, by all of it. What is left pending is
 * brought in a second later (the pool's acct_work, as vmstat folds its
 * per-CPU deltas), or when the type is drained.
 */
static inline void ttm_pool_account_locked(struct ttm_pool_state *st,
					   struct ttm_pool_type *pt,
					   struct ttm_pool_type_state *ts,
					   struct page *p, long nr)
{
	long old = ts->acct, acct = old + nr;
	int nid;

	lockdep_assert_held(&pt->lock);
	/* With a single node (most machines), every page is on node 0. */
	if (nr_node_ids > 1) {
		nid = page_to_nid(p);
		atomic_long_add(nr, &st->node_pooled[nid]);
		if (nid != ts->acct_nid) {
			ttm_pool_account_sync_locked(pt, ts, nid, nr);
			return;
		}
	}
	/* Is -SLACK <= acct <= 0? */
	if (unlikely((unsigned long)(acct + TTM_POOL_ACCT_SLACK) >
		     TTM_POOL_ACCT_SLACK)) {
		ttm_pool_account_sync_locked(pt, ts, ts->acct_nid, nr);
		return;
	}
	/* Pending now: brought in within a second. */
	if (!old && acct && !delayed_work_pending(&st->acct_work))
		queue_delayed_work(system_unbound_wq, &st->acct_work, HZ);
	ts->acct = acct;
}

enum ttm_pool_room {
	TTM_POOL_ROOM,
	TTM_POOL_FULL,		/* the pool's own cap */
	TTM_POOL_ALL_FULL,	/* the global cap */
};

/* Reserve room for @nr pooled pages under both caps. */
static inline enum ttm_pool_room ttm_pool_reserve(struct ttm_pool *pool,
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

static inline void ttm_pool_unreserve(struct ttm_pool *pool, unsigned long nr)
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
static inline bool ttm_pool_type_ready(struct ttm_pool_type *pt, bool coherent)
{
	return !coherent || pt->pages.next;
}

/* @pt's list of @coherent chunks; see ttm_pool_type_ready(). */
static inline struct list_head *ttm_pool_type_list(struct ttm_pool_type *pt,
						   struct ttm_pool_type_state *ts,
						   bool coherent)
{
	return coherent ? &pt->pages : &ts->page_chunks;
}

/* Set up an empty list of @pt; see ttm_pool_type_ready(). */
static inline void ttm_pool_list_init(struct ttm_pool_type *pt,
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
static inline unsigned int ttm_pool_unlink(struct ttm_pool_type *pt,
					   struct ttm_pool_type_state *ts,
					   struct page *p, bool coherent, bool clean)
{
	unsigned int nr = 1U << pt->order, zero = clean ? nr : 0;

	lockdep_assert_held(&pt->lock);
	if (ts->clearing == p) {
		zero = ts->cleared;
		ts->clearing = NULL;
	}
	if (ts->clean_end[coherent] == &p->lru)
		ts->clean_end[coherent] = p->lru.prev;
	list_del(&p->lru);
	WRITE_ONCE(ts->nr_pages, ts->nr_pages - nr);
	if (clean)
		WRITE_ONCE(ts->nr_clean, ts->nr_clean - nr);
	return zero;
}

/*
 * Wait until the clearing worker's store into @p, taken off @ts's lists
 * with ttm_pool_unlink(), is done, before anything else touches its pages:
 * with the type's lock dropped, for at most the worker's CPU time for one
 * segment, which it stores with preemption off (see "Clearing" in
 * ttm_pool_clear.c). Process context: in an interrupt on the worker's CPU,
 * it would wait for ever.
 */
static inline void ttm_pool_settle(struct ttm_pool_type_state *ts,
				   struct page *p)
{
	/* On the worker's CPU, it would wait for ever. */
	WARN_ON_ONCE(in_interrupt());
	/* Pairs with the release in ttm_pool_clear_segment(). */
	while (unlikely(smp_load_acquire(&ts->storing) == p))
		cpu_relax();
}

static inline void ttm_pool_batch_init(struct ttm_pool_batch *b)
{
	INIT_LIST_HEAD(&b->wb);
	INIT_LIST_HEAD(&b->cached);
	b->wb_pages = 0;
	b->pages = 0;
	b->wasted = 0;
}

static inline void ttm_pool_batch_add(struct ttm_pool_batch *b, struct page *p,
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

/* Must a chunk pooled now be zero? Under init_on_free, or hibernating. */
static inline bool ttm_pool_clear_on_free(void)
{
	return want_init_on_free() || READ_ONCE(ttm_pool_hibernating);
}

/*
 * The hit path's helpers, inline: a 4 KiB alloc+free of 6.12 is about 370
 * instructions besides its clear, and a call costs a few percent of them.
 */

/*
 * Queue the clearing worker of the pool of state @st after a free pooled
 * @pooled dirty pages, if prezero says so (see "Policy" in ttm_pool_clear.c)
 * and it is not queued yet.
 */
static inline void ttm_pool_kick_clear(struct ttm_pool_state *st,
				       unsigned long pooled)
{
	struct kthread_worker *w;
	u8 mode;

	/* Pairs with the release in ttm_pool_set_prezero_mode(). */
	mode = smp_load_acquire(&st->prezero);
	if (mode == TTM_POOL_PREZERO_OFF)
		return;
	w = READ_ONCE(st->clear_worker);
	if (!w)
		return;
	/* Not worth a wakeup yet (auto): no call. */
	if (mode == TTM_POOL_PREZERO_AUTO &&
	    atomic_long_add_return(pooled, &st->clear_pending) <
	    READ_ONCE(ttm_pool_costs.wake_pages))
		return;
	__ttm_pool_kick_clear(st, w, mode);
}

/* Queue the trimming worker if @st's pool is above its high watermark. */
static inline void ttm_pool_check_watermark(struct ttm_pool_state *st)
{
	if (atomic_long_read(&st->pooled) > READ_ONCE(st->high_watermark))
		queue_work(system_unbound_wq, &st->trim_work);
}

/* The DMA addresses of the 2^@order pages from @addr on, into @dma_addr. */
static inline void ttm_pool_fill_dma(dma_addr_t *dma_addr, dma_addr_t addr,
				     unsigned int order)
{
	dma_addr_t *end = dma_addr + (1U << order);

	/* (A page: the hit path's most common chunk, without a loop.) */
	if (!order) {
		*dma_addr = addr;
		return;
	}
	do {
		*dma_addr = addr;
		addr += PAGE_SIZE;
	} while (++dma_addr < end);
}

/**
 * ttm_pool_map_chunk() - DMA addresses of a chunk for a user
 * @pool: the pool
 * @p: the chunk's head page
 * @order: the chunk's order
 * @dma_addr: where to store one address per page
 *
 * Coherent chunks already have their address; page-path chunks are mapped
 * with dma_map_page() (ttm_pool_map_page_chunk()).
 *
 * Return: 0 or -EFAULT if the mapping failed.
 */
static inline int ttm_pool_map_chunk(struct ttm_pool *pool, struct page *p,
				     unsigned int order, dma_addr_t *dma_addr)
{
	if (!ttm_pool_chunk_coherent(p))
		return ttm_pool_map_page_chunk(pool, p, order, dma_addr);
	ttm_pool_fill_dma(dma_addr, ((struct ttm_pool_dma *)p->private)->addr,
			  order);
	return 0;
}

/* Undo ttm_pool_map_chunk(): coherent chunks keep their address. */
static inline void ttm_pool_unmap_chunk(struct ttm_pool *pool, struct page *p,
					unsigned int order, dma_addr_t addr)
{
	if (!ttm_pool_chunk_coherent(p))
		dma_unmap_page(pool->dev, addr, PAGE_SIZE << order,
			       DMA_BIDIRECTIONAL);
}

/*
 * Zero @len bytes of the linear map at @va: one string store where the CPU
 * has fast ones, as clear_page() does for a page.
 */
static __always_inline void ttm_pool_clear_range(void *va, size_t len)
{
#ifdef CONFIG_X86_64
	if (static_cpu_has(X86_FEATURE_ERMS)) {
		/* What memset() would tell KASAN, KCSAN and KMSAN. */
		instrument_write(va, len);
		kmsan_unpoison_memory(va, len);
		asm volatile("rep stosb"
			     : "+D" (va), "+c" (len)
			     : "a" (0)
			     : "memory");
		return;
	}
#endif
	memset(va, 0, len);
}

/**
 * ttm_pool_clear_pages() - clear pages of a chunk
 * @p: the first page
 * @nr: how many, all of one chunk of caching @caching
 * @caching: the chunk's caching
 *
 * Write-back pages in segments (one string store each), the others a page
 * at a time; see "Clearing" in ttm_pool_clear.c. A single page that is not
 * uncached, the hit path's, as clear_page() would, without a call.
 */
static __always_inline void
ttm_pool_clear_pages(struct page *p, unsigned long nr, enum ttm_caching caching)
{
	if (nr == 1 && caching != ttm_uncached && !IS_ENABLED(CONFIG_HIGHMEM))
		ttm_pool_clear_range(page_address(p), PAGE_SIZE);
	else if (nr)
		__ttm_pool_clear_pages(p, nr, caching);
}

#endif
