// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl list --per-node: the pools summed per NUMA node, like
 * numastat; node -1 holds the pools that allocate from any node.
 */
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

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

int cmd_per_node(const struct outopts *o)
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
