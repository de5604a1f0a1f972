// SPDX-License-Identifier: GPL-2.0
/*
 * The global files of /sys/kernel/ttm: the cap on all pools and the GPU
 * memory summary, pooled_pages, inuse_pages, clean_pages and dirty_pages,
 * and per NUMA node nodes/node<N>/inuse_pages and pooled_pages. An older
 * kernel has pool_max_pages and pooled_pages only: the others are
 * UINT64_MAX there, ->has_summary false and ->nodes NULL, and every output
 * leaves them out without a message.
 */
#include <errno.h>
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
