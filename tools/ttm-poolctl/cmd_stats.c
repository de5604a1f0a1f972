// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl stats [POOL]: the counters of a pool or of every pool
 * (keyvalue.c); with --prometheus, every pool in the node_exporter
 * textfile-collector format: sizes are gauges in bytes, counters end in
 * _total.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static FILE *out;

static void label(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
}

/* Labels with an empty value are left out: Prometheus treats them as absent. */
static void labels(const struct pool *p, const char *extra_key, const char *extra, bool node)
{
	fputs("{pool=\"", out);
	label(p->name);
	fputc('"', out);
	if (p->device && *p->device) {
		fputs(",device=\"", out);
		label(p->device);
		fputc('"', out);
	}
	if (p->driver && *p->driver) {
		fputs(",driver=\"", out);
		label(p->driver);
		fputc('"', out);
	}
	if (extra_key) {
		fprintf(out, ",%s=\"", extra_key);
		label(extra);
		fputc('"', out);
	}
	if (node && p->numa_node != NUMA_UNKNOWN)
		fprintf(out, ",numa_node=\"%d\"", p->numa_node);
	if (node && p->dma32 >= 0)
		fprintf(out, ",dma32=\"%d\"", p->dma32);
	fputc('}', out);
}

static void head(const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * The metrics, with their names and labels; a counter not named here is
 * exported by its name (generic()), so that a new counter needs no new
 * ttm-poolctl.
 */
struct metric {
	const char *name, *type, *help;	/* name NULL: no metric of its own */
	const char *stat;	/* the counter in stats/, or NULL */
	size_t field;		/* offsetof in struct pool when !stat */
	bool bytes;
	const char *lkey, *lval;
};

#define F(f) offsetof(struct pool, f)

static const struct metric metrics[] = {
	{ "ttm_pool_pooled_bytes", "gauge", "Memory pooled, by caching type.", NULL, F(wc), true, "caching", "wc" },
	{ "ttm_pool_pooled_bytes", NULL, NULL, NULL, F(uc), true, "caching", "uc" },
	{ "ttm_pool_pooled_bytes", NULL, NULL, NULL, F(cached), true, "caching", "cached" },
	{ "ttm_pool_inuse_bytes", "gauge", "Memory handed out and not yet freed.", NULL, F(inuse), true, NULL, NULL },
	{ "ttm_pool_clean_bytes", "gauge", "Pooled memory known to be zero.", NULL, F(clean), true, NULL, NULL },
	{ "ttm_pool_dirty_bytes", "gauge", "Pooled memory not cleared yet.", NULL, F(dirty), true, NULL, NULL },
	{ "ttm_pool_max_bytes", "gauge", "Cap of the pool.", NULL, F(max), true, NULL, NULL },
	{ "ttm_pool_high_watermark_bytes", "gauge", "Above this the trim worker runs.", NULL, F(high), true, NULL, NULL },
	{ "ttm_pool_low_watermark_bytes", "gauge", "The trim worker trims down to this.", NULL, F(low), true, NULL, NULL },
	{ "ttm_pool_alloc_bytes_total", "counter", "Memory handed out, by source.", "alloc_hit_pages", 0, true, "source", "pool" },
	{ "ttm_pool_alloc_bytes_total", NULL, NULL, "alloc_coherent_pages", 0, true, "source", "coherent" },
	{ "ttm_pool_alloc_bytes_total", NULL, NULL, "alloc_page_pages", 0, true, "source", "page" },
	/* the sum of the two above */
	{ NULL, NULL, NULL, "alloc_miss_pages", 0, false, NULL, NULL },
	{ "ttm_pool_alloc_failures_total", "counter", "Allocations that failed.", "alloc_failures", 0, false, NULL, NULL },
	{ "ttm_pool_free_pooled_bytes_total", "counter", "Freed memory that went into the pool.", "free_pooled_pages", 0, true, NULL, NULL },
	{ "ttm_pool_release_bytes_total", "counter", "Memory given back to the system, by cause.", "release_cap_pages", 0, true, "cause", "cap" },
	{ "ttm_pool_release_bytes_total", NULL, NULL, "release_trim_pages", 0, true, "cause", "trim" },
	{ "ttm_pool_release_bytes_total", NULL, NULL, "release_shrinker_pages", 0, true, "cause", "shrinker" },
	{ "ttm_pool_release_bytes_total", NULL, NULL, "release_evict_pages", 0, true, "cause", "evict" },
	{ "ttm_pool_release_bytes_total", NULL, NULL, "release_drain_pages", 0, true, "cause", "drain" },
	{ "ttm_pool_release_bytes_total", NULL, NULL, "release_switch_pages", 0, true, "cause", "switch" },
	{ "ttm_pool_caching_changes_total", "counter", "Caching changes made (one TLB flush each).", "caching_change_batches", 0, false, NULL, NULL },
	{ "ttm_pool_caching_changed_bytes_total", "counter", "Memory whose caching was changed.", "caching_change_pages", 0, true, NULL, NULL },
	{ "ttm_pool_path_switches_total", "counter", "Changes of the effective allocation path.", "path_switches", 0, false, NULL, NULL },
	{ "ttm_pool_cleared_bytes_total", "counter", "Memory cleared, by the background worker or on allocation.", "cleared_background_pages", 0, true, "by", "background" },
	{ "ttm_pool_cleared_bytes_total", NULL, NULL, "cleared_alloc_pages", 0, true, "by", "alloc" },
	{ "ttm_pool_cleared_wasted_bytes_total", "counter", "Cleared memory that left the pool without being handed out.", "cleared_wasted_pages", 0, true, NULL, NULL },
};

static bool in_metrics(const char *stat)
{
	size_t i;

	for (i = 0; i < sizeof(metrics) / sizeof(*metrics); i++)
		if (metrics[i].stat && !strcmp(metrics[i].stat, stat))
			return true;
	return false;
}

static void generic_one(const struct pools *ps, const char *stat)
{
	size_t len = strlen(stat), i;
	bool pages = len > 6 && !strcmp(stat + len - 6, "_pages");
	char *name;
	uint64_t v;

	/* X_pages: ttm_pool_X_bytes_total in bytes; Y: ttm_pool_Y_total */
	name = xasprintf("ttm_pool_%.*s_%stotal", (int)(pages ? len - 6 : len), stat,
			 pages ? "bytes_" : "");
	if (!name)
		return;
	for (i = 9; name[i]; i++)	/* after "ttm_pool_": [a-zA-Z0-9_] */
		if (!isalnum((unsigned char)name[i]))
			name[i] = '_';
	fprintf(out, "# HELP %s The pool's counter stats/%s%s.\n# TYPE %s counter\n",
		name, stat, pages ? ", in bytes" : "", name);
	for (i = 0; i < ps->n; i++) {
		v = pool_stat(&ps->v[i], stat);
		if (v == UINT64_MAX)
			continue;
		fputs(name, out);
		labels(&ps->v[i], NULL, NULL, false);
		fprintf(out, " %llu\n", (unsigned long long)(pages ? v * pool_page_size() : v));
	}
	free(name);
}

/* The counters of stats/ that metrics[] does not name, in the order of their names. */
static void generic(const struct pools *ps)
{
	size_t n, i;
	const char **names = pools_counters(ps->v, ps->n, &n);

	for (i = 0; names && i < n; i++)
		if (!in_metrics(names[i]))
			generic_one(ps, names[i]);
	free(names);
}

/* The strings of a pool that info() labels its gauge with; NULL if unknown. */
static const char *alloc_path(const struct pool *p)
{
	return p->alloc_path;
}

static const char *effective_path(const struct pool *p)
{
	return p->effective_path;
}

static const char *prezero_mode(const struct pool *p)
{
	return prezero_word(p->prezero);
}

/* A gauge of 1 per pool labelled with one of its strings, @get's (and, for
 * ttm_pool_info, its NUMA node and dma32 when known). */
static void info(const struct pools *ps, const char *name, const char *help,
		 const char *key, const char *(*get)(const struct pool *p), bool node)
{
	size_t j;

	head(name, "gauge", help);
	for (j = 0; j < ps->n; j++) {
		const struct pool *p = &ps->v[j];
		const char *val = get(p);

		if (!val || !*val)
			continue;	/* unreadable: no sample rather than path="" */
		fputs(name, out);
		labels(p, key, val, node);
		fprintf(out, " 1\n");
	}
}

/*
 * ttm_pool_prezero: 1 if the pool may clear freed memory in the background
 * (prezero auto or on), 0 if not (off); no sample where prezero cannot be
 * read or the kernel has none. ttm_pool_prezero_mode says which.
 */
static void prezero_metrics(const struct pools *ps)
{
	size_t j;

	head("ttm_pool_prezero", "gauge",
	     "1 if freed memory may be cleared in the background (prezero auto or on).");
	for (j = 0; j < ps->n; j++) {
		const struct pool *p = &ps->v[j];

		if (p->prezero == PZ_UNKNOWN)
			continue;
		fputs("ttm_pool_prezero", out);
		labels(p, NULL, NULL, false);
		fprintf(out, " %d\n", p->prezero != PZ_OFF);
	}
	info(ps, "ttm_pool_prezero_mode",
	     "1 for the pool's prezero: auto (background clearing where it pays), on or off.",
	     "mode", prezero_mode, false);
}

/* A node's samples of @name: the value at @field of each node known. */
static void node_metric(const struct ttm_global *g, const char *name, const char *help,
			size_t field)
{
	size_t i;

	head(name, "gauge", help);
	for (i = 0; i < g->nnodes; i++) {
		uint64_t v = *(const uint64_t *)((const char *)&g->nodes[i] + field);

		if (v != UINT64_MAX)
			fprintf(out, "%s{node=\"%d\"} %llu\n", name, g->nodes[i].node,
				(unsigned long long)(v * pool_page_size()));
	}
}

/*
 * The GPU memory summary of all pools (global.c), each metric where the
 * kernel has its file: an older kernel has none of them, and gets none of
 * these metrics, as a pool gets none of a counter its kernel lacks.
 */
static void summary(const struct ttm_global *g)
{
	static const struct {
		const char *name, *help;
		size_t field;
	} gl[] = {
		{ "ttm_pool_global_inuse_bytes",
		  "Memory all pools handed out to buffers and did not get back yet.",
		  offsetof(struct ttm_global, inuse) },
		{ "ttm_pool_global_clean_bytes", "Memory pooled by all pools known to be zero.",
		  offsetof(struct ttm_global, clean) },
		{ "ttm_pool_global_dirty_bytes", "Memory pooled by all pools not cleared yet.",
		  offsetof(struct ttm_global, dirty) },
	};
	size_t i;

	for (i = 0; i < sizeof(gl) / sizeof(*gl); i++) {
		uint64_t v = *(const uint64_t *)((const char *)g + gl[i].field);

		if (v == UINT64_MAX)
			continue;
		head(gl[i].name, "gauge", gl[i].help);
		fprintf(out, "%s %llu\n", gl[i].name, (unsigned long long)(v * pool_page_size()));
	}
	if (!g->nnodes)
		return;
	node_metric(g, "ttm_pool_node_inuse_bytes",
		    "Memory all pools handed out to buffers, by NUMA node.",
		    offsetof(struct ttm_node, inuse));
	node_metric(g, "ttm_pool_node_pooled_bytes", "Memory pooled by all pools, by NUMA node.",
		    offsetof(struct ttm_node, pooled));
}

static int prometheus(const struct outopts *o)
{
	uint64_t ps_bytes = pool_page_size(), v;
	struct ttm_global g;
	char tmpname[4096];
	struct pools ps;
	size_t i, j;

	out = stdout;
	if (pools_load(&ps))
		return EXIT_FAILURE;
	if (global_load(&g)) {
		pools_free(&ps);
		return EXIT_FAILURE;
	}
	if (o->outfile) {
		/* for the textfile collector: the old file until the new one is complete */
		out = out_open(o->outfile, tmpname, sizeof(tmpname), 0666);
		if (!out) {
			global_free(&g);
			pools_free(&ps);
			return EXIT_FAILURE;
		}
	}
	for (i = 0; i < sizeof(metrics) / sizeof(*metrics); i++) {
		const struct metric *m = &metrics[i];

		if (!m->name)
			continue;
		if (m->type)
			head(m->name, m->type, m->help);
		for (j = 0; j < ps.n; j++) {
			const struct pool *p = &ps.v[j];

			if (m->stat)
				v = pool_stat(p, m->stat);
			else
				v = *(const uint64_t *)((const char *)p + m->field);
			if (v == UINT64_MAX)
				continue;
			fputs(m->name, out);
			labels(p, m->lkey, m->lval, false);
			fprintf(out, " %llu\n", (unsigned long long)(m->bytes ? v * ps_bytes : v));
		}
	}
	generic(&ps);
	info(&ps, "ttm_pool_info", "Pool configuration: alloc_path policy, NUMA node, dma32.",
	     "alloc_path", alloc_path, true);
	info(&ps, "ttm_pool_effective_path", "1 for the path the pool uses now.",
	     "path", effective_path, false);
	prezero_metrics(&ps);
	head("ttm_pool_pools", "gauge", "Number of TTM pools (0: no TTM driver is bound).");
	fprintf(out, "ttm_pool_pools %zu\n", ps.n);
	if (!sys_read_u64(TTM_SYSFS "/pool_max_pages", &v)) {
		head("ttm_pool_global_max_bytes", "gauge", "Cap on the memory of all pools.");
		fprintf(out, "ttm_pool_global_max_bytes %llu\n", (unsigned long long)(v * ps_bytes));
	}
	if (!sys_exists(TTM_SYSFS))
		v = 0;	/* the directory is gone with the last pool */
	if (!sys_exists(TTM_SYSFS) || !sys_read_u64(TTM_SYSFS "/pooled_pages", &v)) {
		head("ttm_pool_global_pooled_bytes", "gauge", "Memory pooled by all pools.");
		fprintf(out, "ttm_pool_global_pooled_bytes %llu\n", (unsigned long long)(v * ps_bytes));
	}
	summary(&g);
	global_free(&g);
	pools_free(&ps);
	if (out != stdout && out_close(out, tmpname, o->outfile))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

int cmd_stats(const struct outopts *o, int argc, char **argv)
{
	if (o->prometheus)
		return prometheus(o);
	return kv_print(o, argc ? argv[0] : NULL, true);
}
