// SPDX-License-Identifier: GPL-2.0
/*
 * The global files of /sys/kernel/ttm: the cap on all pools and the GPU
 * memory summary, pooled_pages, inuse_pages, clean_pages and dirty_pages,
 * and per NUMA node nodes/node<N>/inuse_pages and pooled_pages. An older
 * kernel has pool_max_pages and pooled_pages only: the others are
 * UINT64_MAX there, ->has_summary false and ->nodes NULL, and every output
 * leaves them out without a message. show --global prints them.
 */
#include <errno.h>
#include <libsmartcols.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static uint64_t read_num(const char *rel)
{
	uint64_t v;

	return sys_read_u64(rel, &v) ? UINT64_MAX : v;
}

static int cmp_node(const void *a, const void *b)
{
	const struct ttm_node *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

/* nodes/node<N>/, in the order of N; 0 (no nodes/: ->nodes NULL) or -ENOMEM. */
static int load_nodes(struct ttm_global *g)
{
	char **names, rel[PATH_MAX];
	size_t n, i;
	int node, len;

	names = sys_list(TTM_SYSFS "/nodes", &n);
	if (!names)
		return errno == ENOMEM ? -ENOMEM : 0;
	g->nodes = calloc(n + 1, sizeof(*g->nodes));
	if (!g->nodes) {
		sys_list_free(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		/* node<N> as in /sys/devices/system/node/; anything else is not a node */
		if (sscanf(names[i], "node%d%n", &node, &len) != 1 || names[i][len] || node < 0)
			continue;
		g->nodes[g->nnodes].node = node;
		snprintf(rel, sizeof(rel), TTM_SYSFS "/nodes/%s/inuse_pages", names[i]);
		g->nodes[g->nnodes].inuse = read_num(rel);
		snprintf(rel, sizeof(rel), TTM_SYSFS "/nodes/%s/pooled_pages", names[i]);
		g->nodes[g->nnodes].pooled = read_num(rel);
		g->nnodes++;
	}
	sys_list_free(names, n);
	qsort(g->nodes, g->nnodes, sizeof(*g->nodes), cmp_node);
	return 0;
}

int global_load(struct ttm_global *g)
{
	memset(g, 0, sizeof(*g));
	g->exists = sys_exists(TTM_SYSFS);
	g->max = read_num(TTM_SYSFS "/pool_max_pages");
	g->pooled = read_num(TTM_SYSFS "/pooled_pages");
	g->inuse = read_num(TTM_SYSFS "/inuse_pages");
	g->clean = read_num(TTM_SYSFS "/clean_pages");
	g->dirty = read_num(TTM_SYSFS "/dirty_pages");
	g->has_summary = sys_exists(TTM_SYSFS "/inuse_pages") ||
			 sys_exists(TTM_SYSFS "/clean_pages") ||
			 sys_exists(TTM_SYSFS "/dirty_pages");
	if (load_nodes(g)) {
		warnx("out of memory");
		return -ENOMEM;
	}
	return 0;
}

void global_free(struct ttm_global *g)
{
	free(g->nodes);
	g->nodes = NULL;
	g->nnodes = 0;
}

/* A row "KEY 131072 (512M)" ("131072" with -r, "-" if unreadable). */
static void kv_row(struct libscols_table *tb, const struct outopts *o, const char *key,
		   uint64_t pages)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	char *size, *val;

	if (!ln)
		return;
	scols_line_set_data(ln, 0, key);
	if (pages == UINT64_MAX) {
		scols_line_set_data(ln, 1, "-");
		return;
	}
	size = o->raw ? NULL : fmt_size(o, pages);
	if (size)
		val = xasprintf("%llu (%s)", (unsigned long long)pages, size);
	else
		val = xasprintf("%llu", (unsigned long long)pages);
	free(size);
	scols_line_refer_data(ln, 1, val);
}

static void json_num(FILE *f, int indent, const char *key, uint64_t v, bool last)
{
	fprintf(f, "%*s\"%s\": ", indent, "", key);
	if (v == UINT64_MAX)
		fputs("null", f);
	else
		fprintf(f, "%llu", (unsigned long long)v);
	fputs(last ? "\n" : ",\n", f);
}

/*
 * {"global": {...}}: the files in pages, null where unknown (an older
 * kernel's summary), nodes an object per NUMA node or null.
 */
static void global_json(const struct ttm_global *g)
{
	FILE *f = table_stream();
	size_t i;

	fputs("{\n   \"global\": {\n", f);
	json_num(f, 6, "pool_max_pages", g->max, false);
	json_num(f, 6, "pooled_pages", g->pooled, false);
	json_num(f, 6, "inuse_pages", g->inuse, false);
	json_num(f, 6, "clean_pages", g->clean, false);
	json_num(f, 6, "dirty_pages", g->dirty, false);
	if (!g->nodes) {
		fputs("      \"nodes\": null\n   }\n}\n", f);
		return;
	}
	fputs("      \"nodes\": [", f);
	for (i = 0; i < g->nnodes; i++) {
		/* "},{" between them, as libsmartcols writes the pools */
		fprintf(f, "%s            \"node\": %d,\n", i ? "},{\n" : "\n         {\n",
			g->nodes[i].node);
		json_num(f, 12, "inuse_pages", g->nodes[i].inuse, false);
		json_num(f, 12, "pooled_pages", g->nodes[i].pooled, true);
		fputs("         ", f);
	}
	fputs(g->nnodes ? "}\n      ]\n   }\n}\n" : "]\n   }\n}\n", f);
}

/*
 * show --global: the keys are the files' names below /sys/kernel/ttm, those
 * of the summary only where the kernel has them.
 */
int global_show(const struct outopts *o)
{
	struct libscols_table *tb;
	struct ttm_global g;
	char key[64];
	size_t i;
	int ret = EXIT_FAILURE;

	if (!sys_exists(TTM_SYSFS)) {
		warnx("no TTM pools: no TTM driver is bound, or the kernel has no ttm-pool "
		      "sysfs interface");
		return EXIT_FAILURE;
	}
	if (global_load(&g))
		return EXIT_FAILURE;
	if (g.max == UINT64_MAX && g.pooled == UINT64_MAX) {
		int err = sys_read_u64(TTM_SYSFS "/pool_max_pages", &g.max);

		warnx("cannot read %s: %s", sys_path(TTM_SYSFS "/pool_max_pages"),
		      sys_strerror(err));
		goto out;
	}
	if (o->json) {
		global_json(&g);
		ret = EXIT_SUCCESS;
		goto out;
	}
	tb = table_new(o, "global");
	if (!tb)
		goto out;
	scols_table_new_column(tb, "KEY", 0.3, 0);
	scols_table_new_column(tb, "VALUE", 0.7, 0);
	scols_table_enable_noheadings(tb, 1);
	kv_row(tb, o, "pool_max_pages", g.max);
	kv_row(tb, o, "pooled_pages", g.pooled);
	if (g.has_summary) {
		kv_row(tb, o, "inuse_pages", g.inuse);
		kv_row(tb, o, "clean_pages", g.clean);
		kv_row(tb, o, "dirty_pages", g.dirty);
	}
	for (i = 0; i < g.nnodes; i++) {
		snprintf(key, sizeof(key), "nodes/node%d/inuse_pages", g.nodes[i].node);
		kv_row(tb, o, key, g.nodes[i].inuse);
		snprintf(key, sizeof(key), "nodes/node%d/pooled_pages", g.nodes[i].node);
		kv_row(tb, o, key, g.nodes[i].pooled);
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	ret = EXIT_SUCCESS;
out:
	global_free(&g);
	return ret;
}
