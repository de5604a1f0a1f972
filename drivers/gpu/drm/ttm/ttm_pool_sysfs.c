// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: sysfs interface, /sys/kernel/ttm/.
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * /sys/kernel/ttm/{pool_max_pages,pooled_pages,inuse_pages,clean_pages,
 * dirty_pages} and nodes/node<N>/ are global (the GPU memory summary of
 * all pools, ttm_pool_memory_summary()); pools/ is a kset
 * with one kobject per pool, named after its device (dev_name(), then
 * <dev_name>.<N> for further pools of the same device; "nodev" for pools
 * without one). A pool's directory links to its device ("device"), but
 * nothing is put into the device's own directory: a driver may finalise its
 * pool after its device was deleted (hot-unplug with a file still open), and
 * the device's directory is not ours to change. Instead each pool directory
 * sends "add" and "remove" uevents (SUBSYSTEM=ttm_pool) that carry the pool's,
 * the device's and the driver's names, which is what udev rules match.
 * Documentation/ABI/testing/sysfs-kernel-ttm describes every file.
 *
 * Lifetime: the directory of a pool exists from ttm_pool_init() to
 * ttm_pool_fini(). Removing it waits for every show() and store() running
 * on it (kernfs active references), and later reads of a file still open
 * fail with -ENODEV, so the pool is never touched after ttm_pool_fini().
 * The global directory exists while at least one pool does.
 *
 * Locking: ttm_pool_sysfs_lock serialises adding and removing directories.
 * Names come from the list of pools (ttm_pool_global.c), which calls the add
 * and remove functions here. Stores call the setters of ttm_pool_config.c
 * and ttm_pool_clear.c, which take the pool's config_lock; nothing here
 * holds ttm_pool_list_rwsem while sysfs waits for a reader, so removal
 * cannot deadlock against a store.
 */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <drm/ttm/ttm_pool.h>

#include "ttm_pool_internal.h"

/**
 * struct ttm_pool_sysfs - a pool's sysfs directory
 * @kobj: the directory, pools/<name>
 * @pool: the pool; valid while @kobj is in sysfs
 * @device: dev_name() of the pool's device when it was added, or NULL
 * @driver: its driver's name then, or NULL
 * @staged_lock: serialises writes to limits/ and its commit
 * @staged: the values written to limits/ since its last commit
 *
 * The uevents carry @device and @driver; they are copies, so that the
 * "remove" event says the same as the "add" event even when the device
 * has lost its driver (or its directory) by then.
 */
struct ttm_pool_sysfs {
	struct kobject kobj;
	struct ttm_pool *pool;
	const char *device;
	const char *driver;
	struct mutex staged_lock; /* @staged */
	struct ttm_pool_limits staged;
};

static DEFINE_MUTEX(ttm_pool_sysfs_lock);
static struct kobject *ttm_kobj;
static struct kset *ttm_pools_kset;
/* nodes/ and nodes/node<N>/, indexed by N; NULL where none was made. */
static struct kobject *ttm_nodes_kobj;
static struct kobject **ttm_node_kobjs;
static unsigned int ttm_pool_sysfs_users;

static struct ttm_pool_sysfs *kobj_to_ps(struct kobject *kobj)
{
	return container_of(kobj, struct ttm_pool_sysfs, kobj);
}

static struct ttm_pool *kobj_to_pool(struct kobject *kobj)
{
	return kobj_to_ps(kobj)->pool;
}

/* Parse a decimal page count: digits and an optional trailing newline. */
static int ttm_pool_parse_pages(const char *buf, unsigned long *pages)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return kstrtoul(buf, 10, pages);
}

/* --- per pool ------------------------------------------------------------ */

static ssize_t driver_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct device *dev = kobj_to_pool(kobj)->dev;
	struct device_driver *drv = dev ? READ_ONCE(dev->driver) : NULL;

	return sysfs_emit(buf, "%s\n", drv ? drv->name : "");
}

static ssize_t numa_node_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", kobj_to_pool(kobj)->nid);
}

static ssize_t dma32_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", kobj_to_pool(kobj)->use_dma32);
}

static ssize_t alloc_path_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	enum ttm_pool_path path = ttm_pool_get_path(kobj_to_pool(kobj));
	int len = 0;
	int i;

	for (i = TTM_POOL_PATH_AUTO; i <= TTM_POOL_PATH_PAGE; i++)
		len += sysfs_emit_at(buf, len, i == path ? "%s[%s]" : "%s%s",
				     i ? " " : "", ttm_pool_path_name(i));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t alloc_path_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	int path, err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	path = ttm_pool_path_parse(buf);
	if (path < 0)
		return path;
	err = ttm_pool_set_path(kobj_to_pool(kobj), path);
	return err ?: count;
}

static ssize_t effective_path_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	enum ttm_pool_path path = ttm_pool_effective_path(kobj_to_pool(kobj));

	return sysfs_emit(buf, "%s\n", ttm_pool_path_name(path));
}

static ssize_t max_pages_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", ttm_pool_max_pages(kobj_to_pool(kobj)));
}

/* Parse a page count and hand it to one of the core's setters. */
static ssize_t store_pages(struct kobject *kobj, const char *buf, size_t count,
			   int (*set)(struct ttm_pool *pool, unsigned long pages))
{
	unsigned long pages;
	int err;

	err = ttm_pool_parse_pages(buf, &pages);
	if (!err)
		err = set(kobj_to_pool(kobj), pages);
	return err ?: count;
}

static ssize_t max_pages_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	return store_pages(kobj, buf, count, ttm_pool_set_max_pages);
}

static ssize_t high_watermark_pages_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  ttm_pool_high_watermark(kobj_to_pool(kobj)));
}

static ssize_t high_watermark_pages_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	return store_pages(kobj, buf, count, ttm_pool_set_high_watermark);
}

static ssize_t low_watermark_pages_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  ttm_pool_low_watermark(kobj_to_pool(kobj)));
}

static ssize_t low_watermark_pages_store(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	return store_pages(kobj, buf, count, ttm_pool_set_low_watermark);
}

static ssize_t pooled_show(struct kobject *kobj, char *buf,
			   enum ttm_caching caching)
{
	return sysfs_emit(buf, "%lu\n",
			  ttm_pool_pooled_pages(kobj_to_pool(kobj), caching));
}

static ssize_t pooled_pages_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return pooled_show(kobj, buf, TTM_NUM_CACHING_TYPES);
}

static ssize_t pooled_wc_pages_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return pooled_show(kobj, buf, ttm_write_combined);
}

static ssize_t pooled_uc_pages_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return pooled_show(kobj, buf, ttm_uncached);
}

static ssize_t pooled_cached_pages_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return pooled_show(kobj, buf, ttm_cached);
}

static ssize_t inuse_pages_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", ttm_pool_inuse_pages(kobj_to_pool(kobj)));
}

static ssize_t clean_pages_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  ttm_pool_count_clean(kobj_to_pool(kobj), true));
}

static ssize_t dirty_pages_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  ttm_pool_count_clean(kobj_to_pool(kobj), false));
}

static ssize_t prezero_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	enum ttm_pool_prezero_mode mode =
		ttm_pool_get_prezero_mode(kobj_to_pool(kobj));
	static const enum ttm_pool_prezero_mode order[] = {
		TTM_POOL_PREZERO_AUTO, TTM_POOL_PREZERO_ON, TTM_POOL_PREZERO_OFF,
	};
	int len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		len += sysfs_emit_at(buf, len,
				     order[i] == mode ? "%s[%s]" : "%s%s",
				     i ? " " : "",
				     ttm_pool_prezero_name(order[i]));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t prezero_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	int mode, err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mode = ttm_pool_prezero_parse(buf);
	if (mode < 0)
		return mode;
	err = ttm_pool_set_prezero_mode(kobj_to_pool(kobj), mode);
	return err ?: count;
}

static ssize_t drain_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	ttm_pool_drain(kobj_to_pool(kobj));
	return count;
}

static struct kobj_attribute driver_attr = __ATTR_RO(driver);
static struct kobj_attribute numa_node_attr = __ATTR_RO(numa_node);
static struct kobj_attribute dma32_attr = __ATTR_RO(dma32);
static struct kobj_attribute alloc_path_attr = __ATTR_RW(alloc_path);
static struct kobj_attribute effective_path_attr = __ATTR_RO(effective_path);
static struct kobj_attribute max_pages_attr = __ATTR_RW(max_pages);
static struct kobj_attribute high_watermark_pages_attr =
	__ATTR_RW(high_watermark_pages);
static struct kobj_attribute low_watermark_pages_attr =
	__ATTR_RW(low_watermark_pages);
static struct kobj_attribute pooled_pages_attr = __ATTR_RO(pooled_pages);
static struct kobj_attribute pooled_wc_pages_attr = __ATTR_RO(pooled_wc_pages);
static struct kobj_attribute pooled_uc_pages_attr = __ATTR_RO(pooled_uc_pages);
static struct kobj_attribute pooled_cached_pages_attr =
	__ATTR_RO(pooled_cached_pages);
static struct kobj_attribute inuse_pages_attr = __ATTR_RO(inuse_pages);
static struct kobj_attribute clean_pages_attr = __ATTR_RO(clean_pages);
static struct kobj_attribute dirty_pages_attr = __ATTR_RO(dirty_pages);
static struct kobj_attribute prezero_attr = __ATTR_RW(prezero);
static struct kobj_attribute drain_attr = __ATTR_WO(drain);

static struct attribute *ttm_pool_attrs[] = {
	&driver_attr.attr,
	&numa_node_attr.attr,
	&dma32_attr.attr,
	&alloc_path_attr.attr,
	&effective_path_attr.attr,
	&max_pages_attr.attr,
	&high_watermark_pages_attr.attr,
	&low_watermark_pages_attr.attr,
	&pooled_pages_attr.attr,
	&pooled_wc_pages_attr.attr,
	&pooled_uc_pages_attr.attr,
	&pooled_cached_pages_attr.attr,
	&inuse_pages_attr.attr,
	&clean_pages_attr.attr,
	&dirty_pages_attr.attr,
	&prezero_attr.attr,
	&drain_attr.attr,
	NULL,
};

static const struct attribute_group ttm_pool_group = {
	.attrs = ttm_pool_attrs,
};

/* --- per pool: limits/, the cap and watermarks set together -------------- */

/*
 * A file of limits/ shows the value staged for the next commit, or, with
 * none staged, the value in force; a write stages it. Writing 1 to commit
 * sets every staged value at once under the kernel's rules
 * (ttm_pool_set_limits()): all of them, or, with an error, none (they stay
 * staged); 0 drops them.
 */
static ssize_t limits_show(struct kobject *kobj, char *buf, unsigned int bit,
			   unsigned long *staged,
			   unsigned long (*get)(struct ttm_pool *pool))
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);
	unsigned long v;

	mutex_lock(&ps->staged_lock);
	v = ps->staged.set & bit ? *staged : get(ps->pool);
	mutex_unlock(&ps->staged_lock);
	return sysfs_emit(buf, "%lu\n", v);
}

static ssize_t limits_store(struct kobject *kobj, const char *buf,
			    size_t count, unsigned int bit,
			    unsigned long *staged)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);
	unsigned long pages;
	int err;

	err = ttm_pool_parse_pages(buf, &pages);
	if (err)
		return err;
	mutex_lock(&ps->staged_lock);
	*staged = pages;
	ps->staged.set |= bit;
	mutex_unlock(&ps->staged_lock);
	return count;
}

static ssize_t limits_max_pages_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_show(kobj, buf, TTM_POOL_LIMIT_MAX, &ps->staged.max_pages,
			   ttm_pool_max_pages);
}

static ssize_t limits_max_pages_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_store(kobj, buf, count, TTM_POOL_LIMIT_MAX,
			    &ps->staged.max_pages);
}

static ssize_t limits_high_watermark_pages_show(struct kobject *kobj,
						struct kobj_attribute *attr,
						char *buf)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_show(kobj, buf, TTM_POOL_LIMIT_HIGH,
			   &ps->staged.high_watermark,
			   ttm_pool_high_watermark);
}

static ssize_t limits_high_watermark_pages_store(struct kobject *kobj,
						 struct kobj_attribute *attr,
						 const char *buf, size_t count)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_store(kobj, buf, count, TTM_POOL_LIMIT_HIGH,
			    &ps->staged.high_watermark);
}

static ssize_t limits_low_watermark_pages_show(struct kobject *kobj,
					       struct kobj_attribute *attr,
					       char *buf)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_show(kobj, buf, TTM_POOL_LIMIT_LOW,
			   &ps->staged.low_watermark, ttm_pool_low_watermark);
}

static ssize_t limits_low_watermark_pages_store(struct kobject *kobj,
						struct kobj_attribute *attr,
						const char *buf, size_t count)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);

	return limits_store(kobj, buf, count, TTM_POOL_LIMIT_LOW,
			    &ps->staged.low_watermark);
}

static ssize_t limits_commit_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct ttm_pool_sysfs *ps = kobj_to_ps(kobj);
	bool commit;
	int err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (sysfs_streq(buf, "1"))
		commit = true;
	else if (sysfs_streq(buf, "0"))
		commit = false;
	else
		return -EINVAL;

	mutex_lock(&ps->staged_lock);
	if (commit && ps->staged.set)
		err = ttm_pool_set_limits(ps->pool, &ps->staged);
	if (!err)
		ps->staged.set = 0;
	mutex_unlock(&ps->staged_lock);
	return err ?: count;
}

static struct kobj_attribute limits_max_pages_attr =
	__ATTR(max_pages, 0644, limits_max_pages_show, limits_max_pages_store);
static struct kobj_attribute limits_high_watermark_pages_attr =
	__ATTR(high_watermark_pages, 0644, limits_high_watermark_pages_show,
	       limits_high_watermark_pages_store);
static struct kobj_attribute limits_low_watermark_pages_attr =
	__ATTR(low_watermark_pages, 0644, limits_low_watermark_pages_show,
	       limits_low_watermark_pages_store);
static struct kobj_attribute limits_commit_attr =
	__ATTR(commit, 0200, NULL, limits_commit_store);

static struct attribute *ttm_pool_limits_attrs[] = {
	&limits_max_pages_attr.attr,
	&limits_high_watermark_pages_attr.attr,
	&limits_low_watermark_pages_attr.attr,
	&limits_commit_attr.attr,
	NULL,
};

static const struct attribute_group ttm_pool_limits_group = {
	.name = "limits",
	.attrs = ttm_pool_limits_attrs,
};

/* --- per pool: stats/ ---------------------------------------------------- */

/**
 * struct ttm_pool_stat_attr - a file of stats/
 * @attr: the sysfs attribute
 * @item: the counter it shows
 * @in_sysfs: the counter has a file (see ttm_pool_stat_list.h)
 */
struct ttm_pool_stat_attr {
	struct kobj_attribute attr;
	enum ttm_pool_stat item;
	bool in_sysfs;
};

static ssize_t ttm_pool_stat_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_stat_attr *sa =
		container_of(attr, struct ttm_pool_stat_attr, attr);

	return sysfs_emit(buf, "%llu\n",
			  ttm_pool_stat_read(kobj_to_pool(kobj), sa->item));
}

/* A file per counter of ttm_pool_stat_list.h, hidden if not in_sysfs. */
static struct ttm_pool_stat_attr ttm_pool_stat_attrs[TTM_POOL_STAT_NR] = {
#define TTM_POOL_STAT(id, name, sysfs)					\
	[TTM_POOL_STAT_##id] = {					\
		.attr = __ATTR(name, 0444, ttm_pool_stat_show, NULL),	\
		.item = TTM_POOL_STAT_##id,				\
		.in_sysfs = sysfs,					\
	},
#include <drm/ttm/ttm_pool_stat_list.h>
#undef TTM_POOL_STAT
};

static struct attribute *ttm_pool_stats_attrs[] = {
#define TTM_POOL_STAT(item, ...)					\
	(&ttm_pool_stat_attrs[TTM_POOL_STAT_##item].attr.attr),
#include <drm/ttm/ttm_pool_stat_list.h>
#undef TTM_POOL_STAT
	NULL,
};

static umode_t ttm_pool_stats_visible(struct kobject *kobj,
				      struct attribute *attr, int i)
{
	return ttm_pool_stat_attrs[i].in_sysfs ? attr->mode : 0;
}

static const struct attribute_group ttm_pool_stats_group = {
	.name = "stats",
	.attrs = ttm_pool_stats_attrs,
	.is_visible = ttm_pool_stats_visible,
};

static const struct attribute_group *ttm_pool_groups[] = {
	&ttm_pool_group,
	&ttm_pool_limits_group,
	&ttm_pool_stats_group,
	NULL,
};

static void ttm_pool_sysfs_release(struct kobject *kobj)
{
	struct ttm_pool_sysfs *ps = container_of(kobj, struct ttm_pool_sysfs,
						 kobj);

	kfree_const(ps->device);
	kfree_const(ps->driver);
	mutex_destroy(&ps->staged_lock);
	kfree(ps);
}

static const struct kobj_type ttm_pool_ktype = {
	.release = ttm_pool_sysfs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = ttm_pool_groups,
};

/* --- uevents of pools/<name> --------------------------------------------- */

static int ttm_pool_uevent_filter(const struct kobject *kobj)
{
	return get_ktype(kobj) == &ttm_pool_ktype;
}

static const char *ttm_pool_uevent_name(const struct kobject *kobj)
{
	return "ttm_pool";
}

static int ttm_pool_uevent(const struct kobject *kobj,
			   struct kobj_uevent_env *env)
{
	const struct ttm_pool_sysfs *ps =
		container_of(kobj, struct ttm_pool_sysfs, kobj);
	int err;

	err = add_uevent_var(env, "TTM_POOL=%s", kobject_name(kobj));
	if (!err && ps->device)
		err = add_uevent_var(env, "TTM_POOL_DEVICE=%s", ps->device);
	if (!err && ps->driver)
		err = add_uevent_var(env, "TTM_POOL_DRIVER=%s", ps->driver);
	return err;
}

static const struct kset_uevent_ops ttm_pool_uevent_ops = {
	.filter = ttm_pool_uevent_filter,
	.name = ttm_pool_uevent_name,
	.uevent = ttm_pool_uevent,
};

/* --- global -------------------------------------------------------------- */

static ssize_t pool_max_pages_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", ttm_pool_global_max_pages());
}

static ssize_t pool_max_pages_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	unsigned long pages;
	int err;

	err = ttm_pool_parse_pages(buf, &pages);
	if (!err)
		err = ttm_pool_set_global_max_pages(pages);
	return err ?: count;
}

static ssize_t global_pooled_pages_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", ttm_pool_global_pooled_pages());
}

static ssize_t global_inuse_pages_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_memory sum;

	ttm_pool_memory_summary(NUMA_NO_NODE, &sum);
	return sysfs_emit(buf, "%lu\n", sum.inuse);
}

static ssize_t global_clean_pages_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_memory sum;

	ttm_pool_memory_summary(NUMA_NO_NODE, &sum);
	return sysfs_emit(buf, "%lu\n", sum.clean);
}

static ssize_t global_dirty_pages_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_memory sum;

	ttm_pool_memory_summary(NUMA_NO_NODE, &sum);
	return sysfs_emit(buf, "%lu\n", sum.dirty);
}

static struct kobj_attribute pool_max_pages_attr = __ATTR_RW(pool_max_pages);
static struct kobj_attribute global_pooled_pages_attr =
	__ATTR(pooled_pages, 0444, global_pooled_pages_show, NULL);
static struct kobj_attribute global_inuse_pages_attr =
	__ATTR(inuse_pages, 0444, global_inuse_pages_show, NULL);
static struct kobj_attribute global_clean_pages_attr =
	__ATTR(clean_pages, 0444, global_clean_pages_show, NULL);
static struct kobj_attribute global_dirty_pages_attr =
	__ATTR(dirty_pages, 0444, global_dirty_pages_show, NULL);

static struct attribute *ttm_global_attrs[] = {
	&pool_max_pages_attr.attr,
	&global_pooled_pages_attr.attr,
	&global_inuse_pages_attr.attr,
	&global_clean_pages_attr.attr,
	&global_dirty_pages_attr.attr,
	NULL,
};

static const struct attribute_group ttm_global_group = {
	.attrs = ttm_global_attrs,
};

/* --- nodes/node<N>/ -------------------------------------------------------- */

/* The summary of the node of a nodes/node<N> directory. */
static int kobj_to_summary(struct kobject *kobj, struct ttm_pool_memory *sum)
{
	int nid;

	if (kstrtoint(kobject_name(kobj) + strlen("node"), 10, &nid) ||
	    nid < 0 || nid >= nr_node_ids)
		return -EINVAL;
	ttm_pool_memory_summary(nid, sum);
	return 0;
}

static ssize_t node_inuse_pages_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_memory sum;
	int err = kobj_to_summary(kobj, &sum);

	return err ?: sysfs_emit(buf, "%lu\n", sum.inuse);
}

static ssize_t node_pooled_pages_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct ttm_pool_memory sum;
	int err = kobj_to_summary(kobj, &sum);

	return err ?: sysfs_emit(buf, "%lu\n", sum.pooled);
}

static struct kobj_attribute node_inuse_pages_attr =
	__ATTR(inuse_pages, 0444, node_inuse_pages_show, NULL);
static struct kobj_attribute node_pooled_pages_attr =
	__ATTR(pooled_pages, 0444, node_pooled_pages_show, NULL);

static struct attribute *ttm_node_attrs[] = {
	&node_inuse_pages_attr.attr,
	&node_pooled_pages_attr.attr,
	NULL,
};

static const struct attribute_group ttm_node_group = {
	.attrs = ttm_node_attrs,
};

static void ttm_pool_sysfs_nodes_remove(void)
{
	int nid;

	if (ttm_node_kobjs) {
		for (nid = 0; nid < nr_node_ids; nid++)
			kobject_put(ttm_node_kobjs[nid]);
		kfree(ttm_node_kobjs);
		ttm_node_kobjs = NULL;
	}
	kobject_put(ttm_nodes_kobj);
	ttm_nodes_kobj = NULL;
}

/*
 * nodes/node<N>/ for every node online now (nodes onlined later have
 * none). A failure is logged; /sys/kernel/ttm works without them.
 */
static void ttm_pool_sysfs_nodes_add(void)
{
	struct kobject *k;
	char name[16];
	int nid;

	ttm_nodes_kobj = kobject_create_and_add("nodes", ttm_kobj);
	ttm_node_kobjs = kcalloc(nr_node_ids, sizeof(*ttm_node_kobjs),
				 GFP_KERNEL);
	if (!ttm_nodes_kobj || !ttm_node_kobjs)
		goto err;
	for_each_online_node(nid) {
		snprintf(name, sizeof(name), "node%d", nid);
		k = kobject_create_and_add(name, ttm_nodes_kobj);
		if (!k)
			goto err;
		ttm_node_kobjs[nid] = k;
		if (sysfs_create_group(k, &ttm_node_group))
			goto err;
	}
	return;
err:
	pr_warn("ttm: no sysfs directory nodes/\n");
	ttm_pool_sysfs_nodes_remove();
}

/* Take a reference to /sys/kernel/ttm, making it for the first user. */
static int ttm_pool_sysfs_get_root(void)
{
	int err;

	lockdep_assert_held(&ttm_pool_sysfs_lock);
	if (ttm_pool_sysfs_users++)
		return 0;

	ttm_kobj = kobject_create_and_add("ttm", kernel_kobj);
	if (!ttm_kobj)
		goto err_users;
	err = sysfs_create_group(ttm_kobj, &ttm_global_group);
	if (err)
		goto err_ttm;
	ttm_pools_kset = kset_create_and_add("pools", &ttm_pool_uevent_ops,
					     ttm_kobj);
	if (!ttm_pools_kset)
		goto err_group;
	ttm_pool_sysfs_nodes_add();
	return 0;

err_group:
	sysfs_remove_group(ttm_kobj, &ttm_global_group);
err_ttm:
	kobject_put(ttm_kobj);
	ttm_kobj = NULL;
err_users:
	ttm_pool_sysfs_users--;
	return -ENOMEM;
}

/* Drop a reference to /sys/kernel/ttm, removing it with the last. */
static void ttm_pool_sysfs_put_root(void)
{
	lockdep_assert_held(&ttm_pool_sysfs_lock);
	if (--ttm_pool_sysfs_users)
		return;
	ttm_pool_sysfs_nodes_remove();
	kset_unregister(ttm_pools_kset);
	ttm_pools_kset = NULL;
	sysfs_remove_group(ttm_kobj, &ttm_global_group);
	kobject_put(ttm_kobj);
	ttm_kobj = NULL;
}

/**
 * ttm_pool_sysfs_add() - create the sysfs directory of a pool
 * @pool: a pool on the list of pools, named
 *
 * A failure is logged; the pool works without its directory.
 */
void ttm_pool_sysfs_add(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	const char *name = ttm_pool_name(pool);
	struct device *dev = pool->dev;
	struct device_driver *drv = dev ? READ_ONCE(dev->driver) : NULL;
	struct ttm_pool_sysfs *ps;
	int err;

	ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return;
	ps->pool = pool;
	mutex_init(&ps->staged_lock);
	ps->device = dev ? kstrdup_const(dev_name(dev), GFP_KERNEL) : NULL;
	ps->driver = drv ? kstrdup_const(drv->name, GFP_KERNEL) : NULL;
	if ((dev && !ps->device) || (drv && !ps->driver)) {
		ttm_pool_sysfs_release(&ps->kobj);
		return;
	}

	mutex_lock(&ttm_pool_sysfs_lock);
	if (ttm_pool_sysfs_get_root()) {
		ttm_pool_sysfs_release(&ps->kobj);
		goto out;
	}
	ps->kobj.kset = ttm_pools_kset;
	err = kobject_init_and_add(&ps->kobj, &ttm_pool_ktype, NULL, "%s",
				   name);
	if (err) {
		pr_warn("ttm: no sysfs directory for pool %s: %d\n", name, err);
		kobject_put(&ps->kobj);
		ttm_pool_sysfs_put_root();
		goto out;
	}
	if (dev && dev->kobj.state_in_sysfs &&
	    sysfs_create_link(&ps->kobj, &dev->kobj, "device"))
		pr_warn("ttm: pool %s: no device link\n", name);
	st->sysfs = ps;
	kobject_uevent(&ps->kobj, KOBJ_ADD);
out:
	mutex_unlock(&ttm_pool_sysfs_lock);
}

/**
 * ttm_pool_sysfs_remove() - remove the sysfs directory of a pool
 * @pool: the pool
 *
 * Waits for readers and writers of the pool's files to finish.
 */
void ttm_pool_sysfs_remove(struct ttm_pool *pool)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_sysfs *ps = st->sysfs;

	if (!ps)
		return;
	mutex_lock(&ttm_pool_sysfs_lock);
	kobject_uevent(&ps->kobj, KOBJ_REMOVE);
	kobject_del(&ps->kobj);
	st->sysfs = NULL;
	kobject_put(&ps->kobj);
	ttm_pool_sysfs_put_root();
	mutex_unlock(&ttm_pool_sysfs_lock);
}
