// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: every debugfs file of the pools, under
 * /sys/kernel/debug/ttm/: 6.12's page_pool (the pages of all pools in 6.12's
 * table) and page_pool_shrink (runs the shrinker once), and pools/.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * pools/<name> dumps one pool for bug reports, pools/all every pool. The
 * format is versioned and documented in
 * Documentation/ABI/testing/debugfs-ttm-pool; it holds no physical or DMA
 * addresses of pages. qa/<name>/ holds a pool's controls for drivers' QA,
 * root only: inject (failure injection, ttm_pool_inject.c) and verify_clean
 * (writes to freed pages, ttm_pool_verify.c). pool_policy/ holds the costs
 * the clearing policy weighs (ttm_pool_clear.c), root only, for benchmarks
 * and tests: clear_page_ns and wake_ns.
 *
 * They live under TTM's debugfs root, which exists while a ttm_device does:
 * ttm_pool_mgr_init() makes them (pools/ with a file for every pool there
 * is, qa/ and pool_policy/), ttm_pool_mgr_fini() removes them, and
 * page_pool and page_pool_shrink go with the root, as in 6.12. ttm_pool_debugfs_lock
 * protects the directory pointers and adding and removing files. Removing a
 * file waits for its readers and writers; reads and writes of a file still
 * open then fail.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_module.h"
#include "ttm_pool_internal.h"

static DEFINE_MUTEX(ttm_pool_debugfs_lock);
static struct dentry *ttm_pool_debugfs_dir;
static struct dentry *ttm_pool_debugfs_qa;
static struct dentry *ttm_pool_debugfs_policy;

/* The clearing policy's costs and its view of @pool (ttm_pool_clear.c). */
static void ttm_pool_dump_policy(struct seq_file *m, struct ttm_pool *pool)
{
	unsigned long demand, pending;
	struct ttm_pool_clear_costs c;

	ttm_pool_get_clear_costs(&c);
	ttm_pool_get_clear_demand(pool, &demand, &pending);
	seq_printf(m, "clear_page_ns: %u\n", c.clear_page_ns);
	seq_printf(m, "clear_page_ns_source: %s\n",
		   c.clear_page_set ? "set" : "measured");
	seq_printf(m, "wake_ns: %u\n", c.wake_ns);
	seq_printf(m, "wake_ns_source: %s\n", c.wake_set ? "set" : "measured");
	seq_printf(m, "wake_min_pages: %lu\n", c.wake_pages);
	seq_printf(m, "demand_pages: %lu\n", demand);
	seq_printf(m, "pending_pages: %lu\n", pending);
}

static void ttm_pool_dump_swiotlb(struct seq_file *m, struct device *dev)
{
	bool force = false, active = false;

#ifdef CONFIG_SWIOTLB
	if (dev && dev->dma_io_tlb_mem) {
		force = dev->dma_io_tlb_mem->force_bounce;
		active = dev->dma_io_tlb_mem->nslabs;
	}
#endif
	seq_printf(m, "swiotlb_force: %d\n", force);
	seq_printf(m, "swiotlb_active: %d\n", active);
}

static void ttm_pool_dump(struct seq_file *m, struct ttm_pool *pool,
			  struct ttm_pool_stats *s)
{
	struct device *dev = pool->dev;
	struct device_driver *drv = dev ? READ_ONCE(dev->driver) : NULL;
	char buf[TTM_POOL_INJECT_SPEC_MAX + 64];
	unsigned int i, j;

	ttm_pool_get_stats(pool, s);
	seq_puts(m, "ttm_pool dump v2\n");
	seq_printf(m, "name: %s\n", ttm_pool_name(pool));
	seq_printf(m, "device: %s\n", dev ? dev_name(dev) : "");
	seq_printf(m, "driver: %s\n", drv ? drv->name : "");
	seq_printf(m, "numa_node: %d\n", pool->nid);
	seq_printf(m, "dma32: %d\n", pool->use_dma32);
	seq_printf(m, "dma_mask_bits: %d\n", dev ? fls64(dma_get_mask(dev)) : 0);
	seq_printf(m, "alloc_path: %s\n",
		   ttm_pool_path_name(ttm_pool_get_path(pool)));
	seq_printf(m, "effective_path: %s\n",
		   ttm_pool_path_name(ttm_pool_effective_path(pool)));
	seq_printf(m, "path_reason: %s\n", ttm_pool_path_reason(pool));
	ttm_pool_dump_swiotlb(m, dev);
	seq_printf(m, "max_pages: %lu\n", ttm_pool_max_pages(pool));
	seq_printf(m, "high_watermark_pages: %lu\n",
		   ttm_pool_high_watermark(pool));
	seq_printf(m, "low_watermark_pages: %lu\n",
		   ttm_pool_low_watermark(pool));
	seq_printf(m, "global_max_pages: %lu\n", ttm_pool_global_max_pages());
	seq_printf(m, "global_pooled_pages: %lu\n",
		   ttm_pool_global_pooled_pages());
	seq_printf(m, "pooled_pages: %lu\n", s->pooled_pages);
	seq_printf(m, "inuse_pages: %lu\n", s->inuse_pages);
	seq_printf(m, "prezero: %s\n",
		   ttm_pool_prezero_name(ttm_pool_get_prezero_mode(pool)));
	ttm_pool_dump_policy(m, pool);
	seq_printf(m, "clean_pages: %lu\n", s->clean_pages);
	seq_printf(m, "dirty_pages: %lu\n", s->pooled_pages - s->clean_pages);
	ttm_pool_inject_get(pool, buf, sizeof(buf));
	seq_printf(m, "inject: %s", buf);
	seq_printf(m, "verify_clean: %d\n", ttm_pool_get_verify_clean(pool));

	seq_puts(m, "pooled_pages_by_order:\ncaching");
	for (j = 0; j < NR_PAGE_ORDERS; j++)
		seq_printf(m, " %u", j);
	seq_puts(m, "\n");
	for (i = 0; i < TTM_NUM_CACHING_TYPES; i++) {
		seq_puts(m, ttm_pool_caching_name(i));
		for (j = 0; j < NR_PAGE_ORDERS; j++)
			seq_printf(m, " %lu", s->pooled[i][j]);
		seq_puts(m, "\n");
	}

	seq_puts(m, "stats:\n");
	for (i = 0; i < TTM_POOL_STAT_NR; i++)
		seq_printf(m, "%s: %llu\n", ttm_pool_stat_name(i), s->counter[i]);
}

static int ttm_pool_dump_show(struct seq_file *m, void *data)
{
	struct ttm_pool_stats *s = kmalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	ttm_pool_dump(m, m->private, s);
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_dump);

struct ttm_pool_dump_all {
	struct seq_file *m;
	struct ttm_pool_stats *s;
	bool first;
};

static int ttm_pool_dump_one(struct ttm_pool *pool, void *data)
{
	struct ttm_pool_dump_all *all = data;

	if (!all->first)
		seq_puts(all->m, "\n");
	all->first = false;
	ttm_pool_dump(all->m, pool, all->s);
	return 0;
}

static int ttm_pool_dump_all_show(struct seq_file *m, void *data)
{
	struct ttm_pool_dump_all all = { .m = m, .first = true };

	all.s = kmalloc(sizeof(*all.s), GFP_KERNEL);
	if (!all.s)
		return -ENOMEM;
	ttm_pool_for_each(ttm_pool_dump_one, &all);
	kfree(all.s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_dump_all);

/* qa/<pool>/inject: "off", or the armed setting (ttm_pool_inject.c). */
static int ttm_pool_inject_show(struct seq_file *m, void *data)
{
	char buf[TTM_POOL_INJECT_SPEC_MAX + 64];

	ttm_pool_inject_get(m->private, buf, sizeof(buf));
	seq_puts(m, buf);
	return 0;
}

static int ttm_pool_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, ttm_pool_inject_show, inode->i_private);
}

static ssize_t ttm_pool_inject_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct ttm_pool *pool = file_inode(file)->i_private;
	char *buf;
	int err;

	if (*ppos)
		return -EINVAL;
	if (count > TTM_POOL_INJECT_SPEC_MAX)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	/* A NUL inside would hide the rest from the parser. */
	err = strlen(buf) == count ? ttm_pool_inject_set(pool, buf) : -EINVAL;
	kfree(buf);
	return err ?: count;
}

static const struct file_operations ttm_pool_inject_fops = {
	.owner = THIS_MODULE,
	.open = ttm_pool_inject_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = ttm_pool_inject_write,
	.release = single_release,
};

/*
 * qa/<pool>/verify_clean: 0 or 1 (ttm_pool_verify.c); writes take the words
 * of ttm_pool_parse_bool().
 */
static int ttm_pool_verify_show(struct seq_file *m, void *data)
{
	seq_printf(m, "%d\n", ttm_pool_get_verify_clean(m->private));
	return 0;
}

static int ttm_pool_verify_open(struct inode *inode, struct file *file)
{
	return single_open(file, ttm_pool_verify_show, inode->i_private);
}

static ssize_t ttm_pool_verify_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct ttm_pool *pool = file_inode(file)->i_private;
	char buf[8];
	bool on;
	int err;

	if (*ppos || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	err = ttm_pool_parse_bool(buf, &on);
	if (err)
		return err;
	ttm_pool_set_verify_clean(pool, on);
	return count;
}

static const struct file_operations ttm_pool_verify_fops = {
	.owner = THIS_MODULE,
	.open = ttm_pool_verify_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = ttm_pool_verify_write,
	.release = single_release,
};

static void ttm_pool_debugfs_create_qa(struct ttm_pool *pool, const char *name)
{
	struct dentry *dir;

	lockdep_assert_held(&ttm_pool_debugfs_lock);
	if (!ttm_pool_debugfs_qa)
		return;
	dir = debugfs_create_dir(name, ttm_pool_debugfs_qa);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("inject", 0600, dir, pool, &ttm_pool_inject_fops);
	debugfs_create_file("verify_clean", 0600, dir, pool,
			    &ttm_pool_verify_fops);
}

static void ttm_pool_debugfs_create(struct ttm_pool *pool)
{
	const char *name = ttm_pool_name(pool);
	struct dentry *d;

	lockdep_assert_held(&ttm_pool_debugfs_lock);
	if (!ttm_pool_debugfs_dir)
		return;
	d = debugfs_lookup(name, ttm_pool_debugfs_dir);
	if (d) {
		dput(d);
		return;
	}
	debugfs_create_file(name, 0400, ttm_pool_debugfs_dir, pool,
			    &ttm_pool_dump_fops);
	ttm_pool_debugfs_create_qa(pool, name);
}

static int ttm_pool_debugfs_create_one(struct ttm_pool *pool, void *data)
{
	ttm_pool_debugfs_create(pool);
	return 0;
}

/*
 * ttm/pool_policy/clear_page_ns and wake_ns: the costs the auto clearing
 * policy weighs (ttm_pool_clear.c); writing N sets one, 0 goes back to the
 * measured one.
 */
static int ttm_pool_cost_show(struct seq_file *m, void *data)
{
	struct ttm_pool_clear_costs c;

	ttm_pool_get_clear_costs(&c);
	seq_printf(m, "%u\n", m->private ? c.wake_ns : c.clear_page_ns);
	return 0;
}

static int ttm_pool_cost_open(struct inode *inode, struct file *file)
{
	return single_open(file, ttm_pool_cost_show, inode->i_private);
}

static ssize_t ttm_pool_cost_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	bool wake = file_inode(file)->i_private;
	u32 ns;
	int err;

	if (*ppos)
		return -EINVAL;
	err = kstrtou32_from_user(ubuf, count, 0, &ns);
	if (!err)
		err = ttm_pool_set_clear_cost(wake, ns);
	return err ?: count;
}

static const struct file_operations ttm_pool_cost_fops = {
	.owner = THIS_MODULE,
	.open = ttm_pool_cost_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = ttm_pool_cost_write,
	.release = single_release,
};

/* ttm/page_pool: pages of all pools, and the cap, in 6.12's layout. */
static int ttm_pool_debugfs_globals_show(struct seq_file *m, void *data)
{
	struct ttm_pool_stats *stats, *sum;
	struct ttm_pool_state *st;
	unsigned int i, j;

	stats = kmalloc(sizeof(*stats), GFP_KERNEL);
	sum = kzalloc(sizeof(*sum), GFP_KERNEL);
	if (!stats || !sum)
		goto out;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		ttm_pool_get_stats(st->pool, stats);
		for (i = 0; i < TTM_NUM_CACHING_TYPES; i++)
			for (j = 0; j < NR_PAGE_ORDERS; j++)
				sum->pooled[i][j] += stats->pooled[i][j];
	}
	up_read(&ttm_pool_list_rwsem);

	ttm_pool_debugfs_table(m, sum->pooled, NULL);
	seq_printf(m, "\ntotal\t: %8lu of %8lu\n",
		   ttm_pool_global_pooled_pages(), ttm_pool_global_max_pages());
out:
	kfree(stats);
	kfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_globals);

/* ttm/page_pool_shrink: run the shrinker once; "<counted>/<freed>". */
static int ttm_pool_debugfs_shrink_show(struct seq_file *m, void *data)
{
	unsigned long count, freed;

	ttm_pool_shrink_once(&count, &freed);
	seq_printf(m, "%lu/%lu\n", count, freed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_shrink);

/**
 * ttm_pool_debugfs_init() - create the pools' files under TTM's debugfs root
 *
 * 6.12's page_pool and page_pool_shrink, pools/ and qa/, with entries for
 * every pool that exists and the file "all". TTM's root
 * was just created: a pools/ made before is gone with the root that held
 * it, even when ttm_pool_mgr_fini() never ran (6.12's ttm_global_init()
 * removes the root when it fails, without finalising us), so the old
 * dentry is forgotten, never used.
 */
void ttm_pool_debugfs_init(void)
{
	mutex_lock(&ttm_pool_debugfs_lock);
	ttm_pool_debugfs_dir = NULL;
	ttm_pool_debugfs_qa = NULL;
	ttm_pool_debugfs_policy = NULL;
	/* Where 6.12 made them, even without TTM's root. */
	debugfs_create_file("page_pool", 0444, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_globals_fops);
	debugfs_create_file("page_pool_shrink", 0400, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_shrink_fops);
	if (ttm_debugfs_root) {
		ttm_pool_debugfs_dir = debugfs_create_dir("pools",
							  ttm_debugfs_root);
		debugfs_create_file("all", 0400, ttm_pool_debugfs_dir, NULL,
				    &ttm_pool_dump_all_fops);
		ttm_pool_debugfs_policy = debugfs_create_dir("pool_policy",
							     ttm_debugfs_root);
		/* i_private: NULL for the clear's cost, non-NULL the wakeup's. */
		debugfs_create_file("clear_page_ns", 0600,
				    ttm_pool_debugfs_policy, NULL,
				    &ttm_pool_cost_fops);
		debugfs_create_file("wake_ns", 0600, ttm_pool_debugfs_policy,
				    (void *)1, &ttm_pool_cost_fops);
		ttm_pool_debugfs_qa = debugfs_create_dir("qa",
							 ttm_debugfs_root);
		if (IS_ERR(ttm_pool_debugfs_qa))
			ttm_pool_debugfs_qa = NULL;
		ttm_pool_for_each(ttm_pool_debugfs_create_one, NULL);
	}
	mutex_unlock(&ttm_pool_debugfs_lock);
}

/**
 * ttm_pool_debugfs_fini() - remove pools/ and qa/ and everything in them
 *
 * page_pool and page_pool_shrink go with TTM's root, as in 6.12.
 */
void ttm_pool_debugfs_fini(void)
{
	mutex_lock(&ttm_pool_debugfs_lock);
	debugfs_remove(ttm_pool_debugfs_qa);
	ttm_pool_debugfs_qa = NULL;
	debugfs_remove(ttm_pool_debugfs_policy);
	ttm_pool_debugfs_policy = NULL;
	debugfs_remove(ttm_pool_debugfs_dir);
	ttm_pool_debugfs_dir = NULL;
	mutex_unlock(&ttm_pool_debugfs_lock);
}

/**
 * ttm_pool_debugfs_add() - create the dump file and QA controls of a pool
 * @pool: a pool on the list of pools, named
 */
void ttm_pool_debugfs_add(struct ttm_pool *pool)
{
	mutex_lock(&ttm_pool_debugfs_lock);
	ttm_pool_debugfs_create(pool);
	mutex_unlock(&ttm_pool_debugfs_lock);
}

/**
 * ttm_pool_debugfs_remove() - remove the dump file and QA controls of a pool
 * @pool: the pool
 *
 * Waits for its readers.
 */
void ttm_pool_debugfs_remove(struct ttm_pool *pool)
{
	const char *name = ttm_pool_name(pool);

	mutex_lock(&ttm_pool_debugfs_lock);
	if (ttm_pool_debugfs_dir)
		debugfs_lookup_and_remove(name, ttm_pool_debugfs_dir);
	if (ttm_pool_debugfs_qa)
		debugfs_lookup_and_remove(name, ttm_pool_debugfs_qa);
	mutex_unlock(&ttm_pool_debugfs_lock);
}
