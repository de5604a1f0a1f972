// SPDX-License-Identifier: GPL-2.0
/* The pool model: one struct pool per /sys/kernel/ttm/pools/<name>. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ttm-poolctl.h"

static char pfile[PATH_MAX];

const char *pool_file(const char *name, const char *file)
{
	snprintf(pfile, sizeof(pfile), TTM_SYSFS "/pools/%s/%s", name, file);
	return pfile;
}

static int cmp_counter(const void *key, const void *c)
{
	return strcmp(key, ((const struct counter *)c)->name);
}

uint64_t pool_stat(const struct pool *p, const char *name)
{
	const struct counter *c = p->nstat ?
		bsearch(name, p->stat, p->nstat, sizeof(*p->stat), cmp_counter) : NULL;

	return c ? c->val : UINT64_MAX;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **pools_counters(const struct pool *v, size_t nv, size_t *n)
{
	const char **names;
	size_t i, j, all = 0;

	for (j = 0; j < nv; j++)
		all += v[j].nstat;
	*n = 0;
	names = calloc(all + 1, sizeof(*names));
	if (!names)
		return NULL;
	for (j = 0; j < nv; j++)
		for (i = 0; i < v[j].nstat; i++)
			names[(*n)++] = v[j].stat[i].name;
	qsort(names, *n, sizeof(*names), cmp_name);
	for (i = all = 0; i < *n; i++)
		if (!all || strcmp(names[all - 1], names[i]))
			names[all++] = names[i];
	*n = all;
	return names;
}

double pool_hit_percent(const struct pool *p)
{
	uint64_t h = pool_stat(p, "alloc_hit_pages"), m = pool_stat(p, "alloc_miss_pages");

	if (h == UINT64_MAX || m == UINT64_MAX || h + m == 0)
		return -1;
	return 100.0 * (double)h / (double)(h + m);
}

const char *pool_onoff(uint64_t v)
{
	return v == 1 ? "on" : v == 0 ? "off" : NULL;
}

const char *prezero_word(int mode)
{
	switch (mode) {
	case PZ_AUTO: return "auto";
	case PZ_ON: return "on";
	case PZ_OFF: return "off";
	}
	return NULL;
}

int prezero_read_mode(const char *s, bool *numeric)
{
	const char *w = s, *a = s ? strchr(s, '[') : NULL, *b = a ? strchr(a, ']') : NULL;
	size_t len;
	int m;

	*numeric = false;
	if (!s || (a && !b))
		return PZ_UNKNOWN;
	if (a) {
		w = a + 1;
		len = b - w;
	} else {
		len = strlen(s);
		if (len == 1 && (*s == '0' || *s == '1')) {
			*numeric = true;
			return *s == '1' ? PZ_ON : PZ_OFF;
		}
	}
	for (m = PZ_OFF; m <= PZ_AUTO; m++)
		if (strlen(prezero_word(m)) == len && !strncmp(w, prezero_word(m), len))
			return m;
	return PZ_UNKNOWN;
}

int parse_prezero(const char *s)
{
	return strcasecmp(s, "auto") ? parse_onoff(s) : PZ_AUTO;
}

int parse_onoff(const char *s)
{
	static const char *const on[] = { "on", "yes", "y", "true", "1" };
	static const char *const off[] = { "off", "no", "n", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(on) / sizeof(*on); i++) {
		if (!strcasecmp(s, on[i]))
			return 1;
		if (!strcasecmp(s, off[i]))
			return 0;
	}
	return -1;
}

static uint64_t read_num(const char *name, const char *file)
{
	uint64_t v;

	return sys_read_u64(pool_file(name, file), &v) ? UINT64_MAX : v;
}

static char *read_str(const char *name, const char *file)
{
	return sys_read(pool_file(name, file));
}

/* "[auto] coherent page" -> "auto" */
static char *bracketed(const char *s)
{
	const char *a = s ? strchr(s, '[') : NULL, *b = a ? strchr(a, ']') : NULL;

	return b ? strndup(a + 1, b - a - 1) : NULL;
}

/* Every file of stats/, whatever the kernel has; 0 or -ENOMEM. */
static int load_counters(struct pool *p)
{
	char **names, rel[NAME_MAX + 8];
	size_t n, i;

	names = sys_list(pool_file(p->name, "stats"), &n);
	if (!names)
		return errno == ENOMEM ? -ENOMEM : 0;	/* none: an unreadable stats/ */
	p->stat = calloc(n ? n : 1, sizeof(*p->stat));
	if (!p->stat) {
		sys_list_free(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "stats/%s", names[i]);
		p->stat[i].name = names[i];	/* sorted by sys_list() */
		p->stat[i].val = read_num(p->name, rel);
	}
	p->nstat = n;
	free(names);
	return 0;
}

int pool_load(struct pool *p, const char *name)
{
	char link[PATH_MAX], *s, *slash;
	ssize_t n;
	int err;

	memset(p, 0, sizeof(*p));
	/*
	 * A pool that went away (unbind) between readdir() and here: its
	 * directory is gone (ENOENT) or its files fail with ENODEV.
	 */
	err = sys_read_u64(pool_file(name, "max_pages"), &p->max);
	if (err == -ENOENT || err == -ENODEV)
		return -ENOENT;
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;
	n = readlink(sys_path(pool_file(name, "device")), link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		slash = strrchr(link, '/');
		p->device = strdup(slash ? slash + 1 : link);
	} else {
		p->device = strdup("");
	}
	p->driver = read_str(name, "driver");
	s = read_str(name, "alloc_path");
	p->alloc_path = bracketed(s);
	free(s);
	p->effective_path = read_str(name, "effective_path");
	s = read_str(name, "numa_node");
	p->numa_node = s && *s ? atoi(s) : NUMA_UNKNOWN;
	free(s);
	s = read_str(name, "dma32");
	p->dma32 = s ? atoi(s) : -1;
	free(s);
	p->max = read_num(name, "max_pages");
	p->high = read_num(name, "high_watermark_pages");
	p->low = read_num(name, "low_watermark_pages");
	p->pooled = read_num(name, "pooled_pages");
	p->wc = read_num(name, "pooled_wc_pages");
	p->uc = read_num(name, "pooled_uc_pages");
	p->cached = read_num(name, "pooled_cached_pages");
	p->inuse = read_num(name, "inuse_pages");
	p->has_prezero = sys_exists(pool_file(name, "prezero"));
	s = read_str(name, "prezero");
	p->prezero = prezero_read_mode(s, &p->prezero_numeric);
	free(s);
	p->clean = read_num(name, "clean_pages");
	p->dirty = read_num(name, "dirty_pages");
	p->verify_clean = UINT64_MAX;	/* pool_load_qa() */
	return load_counters(p);
}

void pool_free(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->nstat; i++)
		free(p->stat[i].name);
	free(p->stat);
	free(p->name);
	free(p->device);
	free(p->driver);
	free(p->alloc_path);
	free(p->effective_path);
	free(p->inject);
	memset(p, 0, sizeof(*p));
}

int pools_load(struct pools *ps)
{
	char **names;
	size_t n, i;
	int err = 0;

	ps->v = NULL;
	ps->n = 0;
	ps->why = NULL;
	if (!sys_exists(TTM_SYSFS)) {
		/* the directory exists while a pool does */
		ps->why = "no TTM driver is bound, or the kernel has no ttm-pool sysfs interface";
		return 0;
	}
	names = sys_list(TTM_SYSFS "/pools", &n);
	if (!names) {
		err = errno;
		if (err == ENOENT) {
			ps->why = "no TTM driver is bound";
			return 0;
		}
		warnx("cannot read %s: %s", sys_path(TTM_SYSFS "/pools"),
		      sys_strerror(err));
		return -err;
	}
	if (!n) {
		sys_list_free(names, n);
		ps->why = "no TTM driver is bound";
		return 0;
	}
	ps->v = calloc(n, sizeof(*ps->v));
	for (i = 0; ps->v && i < n && err != -ENOMEM; i++) {
		err = pool_load(&ps->v[ps->n], names[i]);
		if (err == -ENOENT)
			continue;	/* vanished: not a pool any more */
		ps->n++;
	}
	sys_list_free(names, n);
	if (!ps->v || err == -ENOMEM) {
		warnx("cannot read the pools: %s", strerror(ENOMEM));
		pools_free(ps);
		return -ENOMEM;
	}
	return 0;
}

void pools_free(struct pools *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		pool_free(&ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static bool is_short_pci(const char *s)
{
	/* bb:dd.f */
	return strlen(s) == 7 && isxdigit((unsigned char)s[0]) &&
	       isxdigit((unsigned char)s[1]) && s[2] == ':' &&
	       isxdigit((unsigned char)s[3]) && isxdigit((unsigned char)s[4]) &&
	       s[5] == '.' && s[6] >= '0' && s[6] <= '7';
}

/*
 * The DRM device a /dev/dri path (card1, /dev/dri/card1, by-path/..., ../)
 * belongs to, as the basename of its device (e.g. 0000:00:02.0): stat() the
 * node and follow /sys/dev/char/MAJ:MIN; in a copied tree, where the nodes
 * are plain files, resolve the path and use /sys/class/drm/<name>/device.
 */
static int drm_device(const char *spec, char *dev, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], rel[PATH_MAX + 64], link[PATH_MAX], *p;
	struct stat st;
	ssize_t n;

	if (spec[0] == '/')
		snprintf(path, sizeof(path), "%s", sys_path(spec));
	else
		snprintf(path, sizeof(path), "%s/dev/dri/%s", sys_root(), spec);
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
		snprintf(rel, sizeof(rel), "/sys/dev/char/%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		n = readlink(sys_path(rel), link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			p = strstr(link, "/drm/");	/* .../0000:00:02.0/drm/card0 */
			if (p) {
				*p = '\0';
				p = strrchr(link, '/');
				snprintf(dev, len, "%s", p ? p + 1 : link);
				return 0;
			}
		}
	}
	/* a copied tree: the name of the node the path leads to */
	p = realpath(path, real) ? real : path;
	p = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	snprintf(rel, sizeof(rel), "/sys/class/drm/%s/device", p);
	n = readlink(sys_path(rel), link, sizeof(link) - 1);
	if (n <= 0)
		return -ENODEV;
	link[n] = '\0';
	p = strrchr(link, '/');
	snprintf(dev, len, "%s", p ? p + 1 : link);
	return 0;
}

static bool is_drm_node(const char *spec)
{
	return !strncmp(spec, "/dev/", 5) || !strncmp(spec, "by-path/", 8) ||
	       !strncmp(spec, "card", 4) || !strncmp(spec, "renderD", 7) ||
	       !strncmp(spec, "../", 3) || !strncmp(spec, "./", 2);
}

size_t pools_select(struct pools *ps, const char *spec, struct pool **out, bool quiet)
{
	char dev[PATH_MAX];
	size_t i, n = 0;

	if (!*spec) {
		warnx("empty POOL");
		return 0;
	}
	if (!ps->n) {
		warnx("no pool '%s': there are no TTM pools (%s)", spec,
		      ps->why ? ps->why : "none found");
		return 0;
	}
	for (i = 0; i < ps->n; i++) {
		if (!strcmp(ps->v[i].name, spec)) {
			out[0] = &ps->v[i];
			return 1;
		}
	}
	if (is_drm_node(spec)) {
		if (drm_device(spec, dev, sizeof(dev))) {
			warnx("%s: no such DRM device", spec);
			return 0;
		}
	} else if (is_short_pci(spec)) {
		snprintf(dev, sizeof(dev), "0000:%s", spec);
	} else {
		snprintf(dev, sizeof(dev), "%s", spec);
	}
	for (i = 0; i < ps->n; i++)
		if (ps->v[i].device[0] && !strcmp(ps->v[i].device, dev))
			out[n++] = &ps->v[i];
	if (!n)
		for (i = 0; i < ps->n; i++)
			if (ps->v[i].driver && !strcmp(ps->v[i].driver, spec))
				out[n++] = &ps->v[i];
	if (!n && !quiet)
		warnx("no pool '%s' (see 'ttm-poolctl list')", spec);
	return n;
}

struct pool *pools_find(struct pools *ps, const char *spec)
{
	struct pool **v = calloc(ps->n + 1, sizeof(*v)), *p = NULL;
	size_t n;

	if (!v)
		return NULL;
	n = pools_select(ps, spec, v, false);
	if (n == 1) {
		p = v[0];
	} else if (n > 1 && v[0]->driver && !strcmp(v[0]->driver, spec) &&
		   strcmp(v[0]->device, spec)) {
		warnx("driver '%s' has %zu pools; name one (see 'ttm-poolctl list')",
		      spec, n);
	} else if (n > 1) {
		/* a device: its first pool, and say so */
		p = v[0];
		warnx("%s has %zu pools; showing the first, %s", spec, n, p->name);
	}
	free(v);
	return p;
}
