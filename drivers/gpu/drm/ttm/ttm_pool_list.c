// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: the list of all pools, their names and the global cap's
 * bookkeeping.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * Every initialised pool is on ttm_pool_list. Registering a pool is the one
 * place that gives it a name and its sysfs and debugfs entries, and
 * unregistering the one place that takes them away: the pool core calls
 * nothing of the interface files, which depend on the core and on this list.
 *
 * Locking:
 *  - ttm_pool_list_rwsem protects the list. Registering and unregistering
 *    take it for writing; the shrinker, the global cap, the iterators and
 *    the debugfs dumps for reading, so a pool (and its state, name
 *    included) cannot go away while one of them works on it.
 *  - ttm_pool_list_mutex serialises registering and unregistering as a
 *    whole, entries included: a name stays taken until the entries made
 *    under it are gone, so a new pool never collides with a dying one.
 *    Lock order: ttm_pool_list_mutex, then the interface files' own locks,
 *    then ttm_pool_list_rwsem.
 *  - The PM notifier (registered with the first pool, unregistered with the
 *    last, under ttm_pool_list_mutex) takes ttm_pool_list_rwsem for reading.
 */

#include <linux/device.h>
#include <linux/export.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

DECLARE_RWSEM(ttm_pool_list_rwsem);
LIST_HEAD(ttm_pool_list);
static DEFINE_MUTEX(ttm_pool_list_mutex);
/* Pools on the list; the PM notifier is registered while there are any. */
static unsigned int ttm_pool_count;

atomic_long_t ttm_pool_total_pooled = ATOMIC_LONG_INIT(0);
/* ULONG_MAX until first set: by ttm_pool_mgr_init() or the first pool. */
unsigned long ttm_pool_total_max = ULONG_MAX;

static unsigned long page_pool_size;

/*
 * ttm.page_pool_size: the global cap at boot and, written later through
 * /sys/module/ttm/parameters/page_pool_size, the same as pool_max_pages in
 * sysfs (same checks, trims at once). Reads show the cap in force.
 */
static int ttm_pool_size_param_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned long pages;
	int err;

	err = kstrtoul(val, 10, &pages);
	if (err)
		return err;
	if (READ_ONCE(ttm_pool_total_max) == ULONG_MAX) {
		/*
		 * The command line, or a load before the first pool: the cap
		 * the first pool sets up (RAM is not counted yet at boot).
		 */
		page_pool_size = pages;
		return 0;
	}
	err = ttm_pool_set_global_max_pages(pages);
	if (!err)
		page_pool_size = pages;
	return err;
}

static int ttm_pool_size_param_get(char *buf, const struct kernel_param *kp)
{
	unsigned long max = READ_ONCE(ttm_pool_total_max);

	return sysfs_emit(buf, "%lu\n", max == ULONG_MAX ? page_pool_size : max);
}

static const struct kernel_param_ops ttm_pool_size_param_ops = {
	.set = ttm_pool_size_param_set,
	.get = ttm_pool_size_param_get,
};

module_param_cb(page_pool_size, &ttm_pool_size_param_ops, NULL, 0644);
MODULE_PARM_DESC(page_pool_size,
		 "Global cap on pooled pages (default: half of RAM); writable");

/*
 * The global cap: ttm.page_pool_size if given, else @num_pages. Set once;
 * later calls (TTM's globals are set up again whenever a first device
 * appears) keep what is there, including an administrator's value.
 */
void ttm_pool_default_total_max(unsigned long num_pages)
{
	if (!page_pool_size)
		page_pool_size = num_pages;
	cmpxchg(&ttm_pool_total_max, ULONG_MAX, page_pool_size);
}

/* Is @name taken by a listed pool? ttm_pool_list_mutex held. */
static bool ttm_pool_name_taken(const char *name)
{
	struct ttm_pool_state *st;

	list_for_each_entry(st, &ttm_pool_list, list)
		if (!strcmp(st->name, name))
			return true;
	return false;
}

/*
 * Name the pool after its device: "<dev_name>", else the first free
 * "<dev_name>.<N>" ("nodev" without a device). A device name too long for
 * the buffer is cut so that the suffix always fits, which keeps the names
 * unique. ttm_pool_list_mutex held.
 */
static void ttm_pool_pick_name(struct ttm_pool *pool, struct ttm_pool_state *st)
{
	const char *base = pool->dev ? dev_name(pool->dev) : "nodev";
	char suffix[sizeof(".4294967295")];
	unsigned int n = 0;
	int len;

	strscpy(st->name, base, sizeof(st->name));
	while (ttm_pool_name_taken(st->name)) {
		len = snprintf(suffix, sizeof(suffix), ".%u", ++n);
		snprintf(st->name, sizeof(st->name), "%.*s%s",
			 (int)sizeof(st->name) - 1 - len, base, suffix);
	}
}

/**
 * ttm_pool_name() - the name of a pool's sysfs and debugfs entries
 * @pool: an initialised pool
 *
 * Return: the name, unique among the pools; valid until ttm_pool_fini().
 */
const char *ttm_pool_name(struct ttm_pool *pool)
{
	if (!ttm_pool_live(pool))
		return "";
	return ttm_pool_state(pool)->name;
}
EXPORT_SYMBOL(ttm_pool_name);

/**
 * ttm_pool_pm_notify() - hibernation: pools keep no dirty chunk meanwhile
 * @nb: the notifier
 * @action: PM_HIBERNATION_PREPARE, or PM_POST_HIBERNATION or PM_POST_RESTORE
 *	once the system is back; other actions are ignored
 * @data: unused
 *
 * init_on_free promises that a freed page keeps nothing of its user; a
 * hibernation image holds every page in use, pooled ones included. Before
 * the image is made, every pool releases its chunks not known to be zero,
 * and until the system is back frees clear what they pool.
 *
 * Return: NOTIFY_DONE.
 */
VISIBLE_IF_KUNIT int ttm_pool_pm_notify(struct notifier_block *nb,
					unsigned long action, void *data)
{
	struct ttm_pool_state *st;

	switch (action) {
	case PM_HIBERNATION_PREPARE:
		ttm_pool_set_hibernating(true);
		down_read(&ttm_pool_list_rwsem);
		list_for_each_entry(st, &ttm_pool_list, list)
			ttm_pool_release_dirty(st->pool);
		up_read(&ttm_pool_list_rwsem);
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		ttm_pool_set_hibernating(false);
		break;
	}
	return NOTIFY_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_pm_notify);

static struct notifier_block ttm_pool_pm_nb = {
	.notifier_call = ttm_pool_pm_notify,
};

/*
 * Put an initialised pool on the list: give it the default caps and a name,
 * then its sysfs directory and debugfs file.
 */
void ttm_pool_register(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	/* A pool made before any ttm_device: upstream's default, half of RAM. */
	ttm_pool_default_total_max(totalram_pages() / 2);
	st->max_pages = READ_ONCE(ttm_pool_total_max);
	st->high_watermark = st->max_pages;
	st->low_watermark = st->max_pages;

	mutex_lock(&ttm_pool_list_mutex);
	ttm_pool_pick_name(pool, st);
	down_write(&ttm_pool_list_rwsem);
	list_add_tail(&st->list, &ttm_pool_list);
	up_write(&ttm_pool_list_rwsem);
	if (!ttm_pool_count++)
		register_pm_notifier(&ttm_pool_pm_nb);
	ttm_pool_sysfs_add(pool);
	ttm_pool_debugfs_add(pool);
	mutex_unlock(&ttm_pool_list_mutex);
}

/*
 * Take a pool off the list, then remove its entries (which waits for their
 * readers and writers). Once this returns, nothing outside the pool's user
 * can reach the pool.
 */
void ttm_pool_unregister(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);

	mutex_lock(&ttm_pool_list_mutex);
	down_write(&ttm_pool_list_rwsem);
	list_del(&st->list);
	up_write(&ttm_pool_list_rwsem);
	if (!--ttm_pool_count)
		unregister_pm_notifier(&ttm_pool_pm_nb);
	ttm_pool_debugfs_remove(pool);
	ttm_pool_sysfs_remove(pool);
	mutex_unlock(&ttm_pool_list_mutex);
}

/* Is @pool on the list of pools (initialised and not finalised)? */
bool ttm_pool_listed(const struct ttm_pool *pool)
{
	struct ttm_pool_state *st;
	bool found = false;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		if (st->pool == pool) {
			found = true;
			break;
		}
	}
	up_read(&ttm_pool_list_rwsem);
	return found;
}

/**
 * ttm_pool_for_each() - call a function for every pool
 * @fn: called with each pool; a non-zero return stops the walk
 * @data: passed to @fn
 *
 * Pools cannot be initialised or finalised while @fn runs.
 * Context: process context; @fn may sleep but must not init or fini a pool.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int ttm_pool_for_each(int (*fn)(struct ttm_pool *pool, void *data),
		      void *data)
{
	struct ttm_pool_state *st;
	int ret = 0;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list) {
		ret = fn(st->pool, data);
		if (ret)
			break;
	}
	up_read(&ttm_pool_list_rwsem);
	return ret;
}
EXPORT_SYMBOL(ttm_pool_for_each);

/**
 * ttm_pool_drain_all() - release every pooled page of every pool
 *
 * Context: process context.
 */
void ttm_pool_drain_all(void)
{
	struct ttm_pool_state *st;

	down_read(&ttm_pool_list_rwsem);
	list_for_each_entry(st, &ttm_pool_list, list)
		ttm_pool_drain(st->pool);
	up_read(&ttm_pool_list_rwsem);
}
EXPORT_SYMBOL(ttm_pool_drain_all);
