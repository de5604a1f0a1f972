// SPDX-License-Identifier: GPL-2.0
/*
 * The pools as a table, one row per pool, lsblk style, or one per NUMA node
 * (--per-node): list, and the pools of bug-report.
 */
#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ttm-poolctl.h"

enum col_type { CT_STR, CT_SIZE, CT_NUM, CT_PCT };

struct colinfo {
	const char *name;
	double whint;
	int flags;
	enum col_type type;
	const char *help;
};

enum {
	COL_NAME, COL_DEVICE, COL_DRIVER, COL_PATH, COL_POLICY, COL_POOLED,
	COL_INUSE, COL_MAX, COL_HIGH, COL_LOW, COL_WC, COL_UC, COL_CACHED,
	COL_CLEAN, COL_DIRTY, COL_HIT, COL_NUMA, COL_DMA32, COL_FORCED, COL_PREZERO,
	COL_NR
};

static const struct colinfo cols[COL_NR] = {
	[COL_NAME] = { "NAME", 12, 0, CT_STR, "pool name (device, or device.N)" },
	[COL_DEVICE] = { "DEVICE", 12, 0, CT_STR, "device the pool allocates for" },
	[COL_DRIVER] = { "DRIVER", 8, 0, CT_STR, "driver bound to the device" },
	[COL_PATH] = { "PATH", 8, 0, CT_STR, "effective path: coherent or page" },
	[COL_POLICY] = { "POLICY", 8, 0, CT_STR, "configured path: auto, coherent, page" },
	[COL_POOLED] = { "POOLED", 6, SCOLS_FL_RIGHT, CT_SIZE, "memory pooled" },
	[COL_INUSE] = { "INUSE", 6, SCOLS_FL_RIGHT, CT_SIZE, "memory handed out, not yet freed" },
	[COL_MAX] = { "MAX", 6, SCOLS_FL_RIGHT, CT_SIZE, "cap of the pool (max_pages)" },
	[COL_HIGH] = { "HIGH", 6, SCOLS_FL_RIGHT, CT_SIZE, "high watermark" },
	[COL_LOW] = { "LOW", 6, SCOLS_FL_RIGHT, CT_SIZE, "low watermark" },
	[COL_WC] = { "WC", 6, SCOLS_FL_RIGHT, CT_SIZE, "pooled write-combined memory" },
	[COL_UC] = { "UC", 6, SCOLS_FL_RIGHT, CT_SIZE, "pooled uncached memory" },
	[COL_CACHED] = { "CACHED", 6, SCOLS_FL_RIGHT, CT_SIZE, "pooled cached memory" },
	[COL_CLEAN] = { "CLEAN", 6, SCOLS_FL_RIGHT, CT_SIZE, "pooled memory known to be zero" },
	[COL_DIRTY] = { "DIRTY", 6, SCOLS_FL_RIGHT, CT_SIZE, "pooled memory not cleared yet" },
	[COL_HIT] = { "HIT%", 5, SCOLS_FL_RIGHT, CT_PCT, "hits / (hits + misses)" },
	[COL_NUMA] = { "NUMA", 4, SCOLS_FL_RIGHT, CT_NUM, "NUMA node, -1 for any" },
	[COL_DMA32] = { "DMA32", 5, SCOLS_FL_RIGHT, CT_NUM, "1 if it allocates below 4 GiB" },
	[COL_FORCED] = { "FORCED", 6, 0, CT_STR, "yes if alloc_path forces the path (not auto)" },
	[COL_PREZERO] = { "PREZERO", 7, 0, CT_STR, "background clearing of freed memory: auto, on or off" },
};

static const int default_cols[] = {
	COL_NAME, COL_DRIVER, COL_PATH, COL_FORCED, COL_POOLED, COL_INUSE, COL_MAX,
	COL_WC, COL_UC, COL_CACHED, COL_HIT,
};

void list_columns_help(FILE *out)
{
	int i;

	fputs("\nAvailable output columns:\n", out);
	for (i = 0; i < COL_NR; i++)
		fprintf(out, " %8s  %s\n", cols[i].name, cols[i].help);
}

static int col_by_name(const char *s, size_t len)
{
	int i;

	for (i = 0; i < COL_NR; i++)
		if (strlen(cols[i].name) == len && !strncasecmp(cols[i].name, s, len))
			return i;
	return -1;
}

/* Fill @sel from -o; returns the count or -1 after a message. */
static int parse_columns(const struct outopts *o, int *sel)
{
	const char *s = o->columns, *comma;
	int n = 0, i, c;

	if (o->output_all) {
		for (i = 0; i < COL_NR; i++)
			sel[n++] = i;
		return n;
	}
	if (s && (!*s || !strcmp(s, "+"))) {
		warnx("empty column list for --output (see --help)");
		return -1;
	}
	if (!s || *s == '+') {
		for (i = 0; i < (int)(sizeof(default_cols) / sizeof(*default_cols)); i++)
			sel[n++] = default_cols[i];
		if (s)
			s++;
	}
	while (s && *s) {
		comma = strchr(s, ',');
		c = col_by_name(s, comma ? (size_t)(comma - s) : strlen(s));
		if (c < 0) {
			warnx("unknown column: %.*s (see --help)",
			      (int)(comma ? comma - s : (long)strlen(s)), s);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (sel[i] == c) {
				warnx("column %s given twice%s", cols[c].name,
				      *o->columns == '+' ? " (it is a default column)" : "");
				return -1;
			}
		}
		sel[n++] = c;
		s = comma ? comma + 1 : NULL;
	}
	return n;
}

static char *cell(const struct outopts *o, const struct pool *p, int c)
{
	double hit;

	switch (c) {
	case COL_NAME: return strdup(p->name);
	case COL_DEVICE: return p->device[0] ? strdup(p->device) : NULL;
	case COL_DRIVER: return p->driver && p->driver[0] ? strdup(p->driver) : NULL;
	case COL_PATH:
		if (!p->effective_path)
			return NULL;
		return strdup(p->effective_path);
	case COL_FORCED:
		return p->alloc_path ? strdup(strcmp(p->alloc_path, "auto") ? "yes" : "no") : NULL;
	case COL_POLICY: return p->alloc_path ? strdup(p->alloc_path) : NULL;
	case COL_POOLED: return fmt_size(o, p->pooled);
	case COL_INUSE: return fmt_size(o, p->inuse);
	case COL_MAX: return fmt_size(o, p->max);
	case COL_HIGH: return fmt_size(o, p->high);
	case COL_LOW: return fmt_size(o, p->low);
	case COL_WC: return fmt_size(o, p->wc);
	case COL_UC: return fmt_size(o, p->uc);
	case COL_CACHED: return fmt_size(o, p->cached);
	case COL_CLEAN: return fmt_size(o, p->clean);
	case COL_DIRTY: return fmt_size(o, p->dirty);
	case COL_PREZERO:
		return prezero_word(p->prezero) ? strdup(prezero_word(p->prezero)) : NULL;
	case COL_HIT:
		hit = pool_hit_percent(p);
		return hit < 0 ? NULL : xasprintf("%.1f", hit);
	case COL_NUMA:
		return p->numa_node == NUMA_UNKNOWN ? NULL : xasprintf("%d", p->numa_node);
	case COL_DMA32: return p->dma32 < 0 ? NULL : xasprintf("%d", p->dma32);
	}
	return NULL;
}

/* The value a numeric column sorts by; UINT64_MAX (unknown) last. */
static uint64_t sort_value(const struct pool *p, int c)
{
	double hit;

	switch (c) {
	case COL_POOLED: return p->pooled;
	case COL_INUSE: return p->inuse;
	case COL_MAX: return p->max;
	case COL_HIGH: return p->high;
	case COL_LOW: return p->low;
	case COL_WC: return p->wc;
	case COL_UC: return p->uc;
	case COL_CACHED: return p->cached;
	case COL_CLEAN: return p->clean;
	case COL_DIRTY: return p->dirty;
	case COL_HIT:
		hit = pool_hit_percent(p);
		return hit < 0 ? UINT64_MAX : (uint64_t)(hit * 1000);
	case COL_NUMA:
		return p->numa_node == NUMA_UNKNOWN ? UINT64_MAX : (uint64_t)(p->numa_node + 1);
	case COL_DMA32: return p->dma32 < 0 ? UINT64_MAX : (uint64_t)p->dma32;
	}
	return 0;
}

static int sort_col;

static int cmp_pools(const void *a, const void *b)
{
	static const struct outopts plain;
	const struct pool *pa = a, *pb = b;
	char *sa, *sb;
	int r;

	if (cols[sort_col].type != CT_STR) {
		uint64_t va = sort_value(pa, sort_col), vb = sort_value(pb, sort_col);

		return va < vb ? -1 : va > vb;
	}
	sa = cell(&plain, pa, sort_col);
	sb = cell(&plain, pb, sort_col);
	r = !sa || !sb ? !sa - !sb : strcmp(sa, sb);
	free(sa);
	free(sb);
	return r ? r : strcmp(pa->name, pb->name);
}

/*
 * list --per-node: the pools summed per NUMA node, like numastat; node -1
 * holds the pools that allocate from any node.
 */
struct node_sum {
	int node;
	size_t pools;
	uint64_t pooled, inuse, max;
};

static int cmp_node(const void *a, const void *b)
{
	const struct node_sum *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

static void add(uint64_t *sum, uint64_t v)
{
	if (v != UINT64_MAX)
		*sum += v;
}

static int per_node(const struct outopts *o)
{
	static const char *const names[] = { "NODE", "POOLS", "POOLED", "INUSE", "MAX" };
	struct libscols_table *tb;
	struct node_sum *s;
	struct pools ps;
	size_t i, j, n = 0;

	if (pools_load(&ps))
		return EXIT_FAILURE;
	if (!o->json)
		pools_none_note(&ps);
	s = calloc(ps.n + 1, sizeof(*s));
	tb = table_new(o, "nodes");
	if (!s || !tb) {
		free(s);
		scols_unref_table(tb);
		pools_free(&ps);
		return EXIT_FAILURE;
	}
	for (i = 0; i < ps.n; i++) {
		const struct pool *p = &ps.v[i];

		if (p->numa_node == NUMA_UNKNOWN)
			continue;	/* unreadable: no node to count it on */
		for (j = 0; j < n && s[j].node != p->numa_node; j++)
			;
		if (j == n)
			s[n++].node = p->numa_node;
		s[j].pools++;
		add(&s[j].pooled, p->pooled);
		add(&s[j].inuse, p->inuse);
		add(&s[j].max, p->max);
	}
	qsort(s, n, sizeof(*s), cmp_node);
	for (i = 0; i < 5; i++) {
		struct libscols_column *cl = scols_table_new_column(tb, names[i], 0,
								     SCOLS_FL_RIGHT);

		if (cl && o->json && (i < 2 || o->bytes))
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	for (j = 0; j < n; j++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		scols_line_refer_data(ln, 0, xasprintf("%d", s[j].node));
		scols_line_refer_data(ln, 1, xasprintf("%zu", s[j].pools));
		scols_line_refer_data(ln, 2, fmt_size(o, s[j].pooled));
		scols_line_refer_data(ln, 3, fmt_size(o, s[j].inuse));
		scols_line_refer_data(ln, 4, fmt_size(o, s[j].max));
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	free(s);
	pools_free(&ps);
	return EXIT_SUCCESS;
}

/* A size, or "?" if unknown; for the summary line. */
static void put_size(FILE *f, const struct outopts *o, uint64_t pages)
{
	char *s = fmt_size(o, pages);

	fputs(s ? s : "?", f);
	free(s);
}

/*
 * The summary of all pools (global.c), for the eye: "All pools: 20.1M pooled
 * (12.1M clean, 8M dirty), 164M in use, global cap 512M", each part the
 * kernel has, and with several NUMA nodes a line per node (with one they
 * are the same).
 */
static void summary_lines(const struct outopts *o, const struct ttm_global *g)
{
	FILE *f = table_stream();
	size_t i;

	if (g->pooled == UINT64_MAX)
		return;
	fputs("All pools: ", f);
	put_size(f, o, g->pooled);
	fputs(" pooled", f);
	if (g->clean != UINT64_MAX && g->dirty != UINT64_MAX) {
		fputs(" (", f);
		put_size(f, o, g->clean);
		fputs(" clean, ", f);
		put_size(f, o, g->dirty);
		fputs(" dirty)", f);
	}
	if (g->inuse != UINT64_MAX) {
		fputs(", ", f);
		put_size(f, o, g->inuse);
		fputs(" in use", f);
	}
	if (g->max != UINT64_MAX) {
		fputs(", global cap ", f);
		put_size(f, o, g->max);
	}
	fputc('\n', f);
	for (i = 0; g->nnodes > 1 && i < g->nnodes; i++) {
		fprintf(f, "  node %d: ", g->nodes[i].node);
		put_size(f, o, g->nodes[i].pooled);
		fputs(" pooled, ", f);
		put_size(f, o, g->nodes[i].inuse);
		fputs(" in use\n", f);
	}
}

/* "KEY": a size as list -J gives it (a string, a number with -b, null). */
static void json_size(FILE *f, const struct outopts *o, int indent, const char *key,
		      uint64_t pages, bool last)
{
	char *s = fmt_size(o, pages);

	fprintf(f, "%*s\"%s\": ", indent, "", key);
	if (!s)
		fputs("null", f);
	else if (o->bytes)
		fputs(s, f);
	else
		json_fstr(f, s);
	fputs(last ? "\n" : ",\n", f);
	free(s);
}

/*
 * list -J: the table's JSON with the summary as a member "summary" after
 * "pools" (when the kernel has the global files): max, pooled, inuse,
 * clean, dirty, null where unknown, and nodes, an object per NUMA node
 * (null without nodes/).
 */
static int print_json(const struct outopts *o, struct libscols_table *tb,
		      const struct ttm_global *g)
{
	FILE *f = table_stream();
	char *s = NULL;
	size_t len, i;

	if (!g->exists || g->pooled == UINT64_MAX)
		return scols_print_table(tb);
	if (scols_print_table_to_string(tb, &s) || !s)
		return -1;
	/* {...}: the closing brace goes after the summary */
	len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (!len || s[len - 1] != '}') {
		fputs(s, f);
		free(s);
		return 0;
	}
	len--;
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	fprintf(f, "%.*s,\n   \"summary\": {\n", (int)len, s);
	free(s);
	json_size(f, o, 6, "max", g->max, false);
	json_size(f, o, 6, "pooled", g->pooled, false);
	json_size(f, o, 6, "inuse", g->inuse, false);
	json_size(f, o, 6, "clean", g->clean, false);
	json_size(f, o, 6, "dirty", g->dirty, false);
	if (!g->nodes) {
		fputs("      \"nodes\": null\n   }\n}\n", f);
		return 0;
	}
	fputs("      \"nodes\": [", f);
	for (i = 0; i < g->nnodes; i++) {
		/* "},{" between them, as libsmartcols writes the pools */
		fprintf(f, "%s            \"node\": %d,\n", i ? "},{\n" : "\n         {\n",
			g->nodes[i].node);
		json_size(f, o, 12, "pooled", g->nodes[i].pooled, false);
		json_size(f, o, 12, "inuse", g->nodes[i].inuse, true);
		fputs("         ", f);
	}
	fputs(g->nnodes ? "}\n      ]\n   }\n}\n" : "]\n   }\n}\n", f);
	return 0;
}

int list_print(const struct outopts *o)
{
	int sel[COL_NR * 2], nsel, i, ret = EXIT_FAILURE;
	struct libscols_table *tb = NULL;
	struct ttm_global g = { 0 };
	struct pools ps;
	size_t j;

	if (o->per_node)
		return per_node(o);
	nsel = parse_columns(o, sel);
	if (nsel < 0)
		return EXIT_USAGE;
	if (o->sort) {
		sort_col = col_by_name(o->sort, strlen(o->sort));
		if (sort_col < 0) {
			warnx("unknown column for --sort: %s (see --help)", o->sort);
			return EXIT_USAGE;
		}
	}
	if (pools_load(&ps))
		return EXIT_FAILURE;
	if (global_load(&g))
		goto out;
	if (!o->json)
		pools_none_note(&ps);
	if (o->sort)
		qsort(ps.v, ps.n, sizeof(*ps.v), cmp_pools);
	tb = table_new(o, "pools");
	if (!tb)
		goto out;
	for (i = 0; i < nsel; i++) {
		const struct colinfo *ci = &cols[sel[i]];
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, ci->name, ci->whint, ci->flags);
		if (!cl)
			goto out;
		if (o->json && (ci->type == CT_NUM || ci->type == CT_PCT ||
				(ci->type == CT_SIZE && o->bytes)))
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	for (j = 0; j < ps.n; j++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto out;
		for (i = 0; i < nsel; i++) {
			char *data = cell(o, &ps.v[j], sel[i]);

			if (!data && !o->json)
				data = strdup("-");
			if (data)
				scols_line_refer_data(ln, i, data);
		}
	}
	if (o->json) {
		if (print_json(o, tb, &g))
			goto out;
	} else {
		scols_print_table(tb);
	}
	/* the summary for the eye, not for scripts reading a pipe */
	if (!o->json && !o->raw && !o->noheadings && !o->pairs &&
	    isatty(fileno(table_stream())))
		summary_lines(o, &g);
	ret = EXIT_SUCCESS;
out:
	scols_unref_table(tb);
	global_free(&g);
	pools_free(&ps);
	return ret;
}
