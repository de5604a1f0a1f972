// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl show POOL: every attribute and counter of a pool (keyvalue.c);
 * show --global: every global file of /sys/kernel/ttm (global.c), the cap
 * and the GPU memory summary of all pools, as show gives a pool's.
 */
#include <libsmartcols.h>
#include <stdlib.h>

#include "ttm-poolctl.h"

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
 * The keys are the files' names below /sys/kernel/ttm, those of the summary
 * only where the kernel has them.
 */
static int show_global(const struct outopts *o)
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

int cmd_show(const struct outopts *o, int argc, char **argv)
{
	if (o->global)
		return show_global(o);
	(void)argc;
	return kv_print(o, argv[0], false);
}
