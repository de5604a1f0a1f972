// SPDX-License-Identifier: GPL-2.0
/*
 * Pools as keys and values, the tables of show (every attribute and counter)
 * and stats (the counters): a KEY VALUE table for one pool, a row per key
 * and a column per pool for several, an object per pool in JSON.
 */
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

struct kv {
	const char *key;
	char *val;
	bool number;
};

static void add(struct kv *kv, size_t *n, const char *key, char *val, bool number)
{
	kv[*n].key = key;
	kv[*n].val = val;
	kv[*n].number = number;
	(*n)++;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static char *num(uint64_t v)
{
	return v == UINT64_MAX ? NULL : xasprintf("%llu", (unsigned long long)v);
}

/* room for the attributes, name to verify_clean (20), before the counters */
#define KV_ATTRS 32

/* The keys of the counters: the files of stats/ of any of the pools. */
struct counter_names {
	const char **v;
	size_t n;
};

/*
 * The keys and values of a pool: its attributes unless @counters_only, those
 * of pre-cleared chunks (prezero, clean_pages, dirty_pages) only
 * @with_prezero, the QA controls (inject, verify_clean) only @with_qa, then
 * the counters @cn (- or null where it has none).
 */
static size_t pool_fields(const struct pool *p, struct kv *kv, bool counters_only,
			  bool with_prezero, bool with_qa, const struct counter_names *cn)
{
	size_t n = 0, i;

	add(kv, &n, "name", strdup(p->name), false);
	if (!counters_only) {
		add(kv, &n, "device", strdup(p->device), false);
		add(kv, &n, "driver", p->driver ? strdup(p->driver) : NULL, false);
		add(kv, &n, "numa_node", p->numa_node == NUMA_UNKNOWN ? NULL :
		    xasprintf("%d", p->numa_node), true);
		add(kv, &n, "dma32", p->dma32 < 0 ? NULL : xasprintf("%d", p->dma32), true);
		add(kv, &n, "alloc_path", p->alloc_path ? strdup(p->alloc_path) : NULL, false);
		add(kv, &n, "effective_path",
		    p->effective_path ? strdup(p->effective_path) : NULL, false);
		add(kv, &n, "max_pages", num(p->max), true);
		add(kv, &n, "high_watermark_pages", num(p->high), true);
		add(kv, &n, "low_watermark_pages", num(p->low), true);
		add(kv, &n, "pooled_pages", num(p->pooled), true);
		add(kv, &n, "pooled_wc_pages", num(p->wc), true);
		add(kv, &n, "pooled_uc_pages", num(p->uc), true);
		add(kv, &n, "pooled_cached_pages", num(p->cached), true);
		add(kv, &n, "inuse_pages", num(p->inuse), true);
		if (with_prezero) {
			add(kv, &n, "prezero", prezero_word(p->prezero) ?
			    strdup(prezero_word(p->prezero)) : NULL, false);
			add(kv, &n, "clean_pages", num(p->clean), true);
			add(kv, &n, "dirty_pages", num(p->dirty), true);
		}
		if (with_qa) {
			add(kv, &n, "inject", p->inject ? strdup(p->inject) : NULL, false);
			add(kv, &n, "verify_clean", num(p->verify_clean), true);
		}
	}
	for (i = 0; i < cn->n; i++)
		add(kv, &n, cn->v[i], num(pool_stat(p, cn->v[i])), true);
	return n;
}

/* Several pools as text: a row per key, a column per pool. */
static void print_columns(struct libscols_table *tb, struct pool **v, size_t nv,
			  bool counters_only, bool with_prezero, bool with_qa,
			  const struct counter_names *cn, struct kv *kv)
{
	struct libscols_line **ln = calloc(KV_ATTRS + cn->n, sizeof(*ln));
	size_t n, i, j;

	if (!ln)
		return;
	scols_table_new_column(tb, "KEY", 0, 0);
	for (j = 0; j < nv; j++) {
		scols_table_new_column(tb, v[j]->name, 0, SCOLS_FL_RIGHT);
		n = pool_fields(v[j], kv, counters_only, with_prezero, with_qa, cn);
		for (i = 1; i < n; i++) {	/* 0: the name, in the heading */
			if (j == 0) {
				ln[i] = scols_table_new_line(tb, NULL);
				scols_line_set_data(ln[i], 0, kv[i].key);
			}
			scols_line_refer_data(ln[i], j + 1, kv[i].val ? kv[i].val : strdup("-"));
		}
		free(kv[0].val);
	}
	scols_print_table(tb);
	free(ln);
}

/*
 * The keys of the counters: in text those of the pools shown, in JSON those
 * of every pool of @all, so that every object has the same keys (null where
 * a pool has no such file). A kernel without pre-cleared chunks has none of
 * their files: their keys are left out. The QA controls are shown where
 * they can be read (root, debugfs, a kernel with them), and left out silently
 * where none can be.
 */
static int print_pools(const struct outopts *o, struct pool **v, size_t nv,
		       const struct pools *all, bool counters_only)
{
	struct counter_names cn = { 0 };
	struct libscols_table *tb;
	struct kv *kv;
	size_t n = 0, i, j;
	bool with_prezero = o->json, with_qa = false;

	for (j = 0; j < nv; j++) {
		with_prezero |= v[j]->has_prezero;
		with_qa |= v[j]->inject || v[j]->verify_clean != UINT64_MAX;
	}
	if (o->json && !nv) {
		/* libsmartcols prints nothing for a table without columns */
		fputs("{\n   \"pools\": []\n}\n", stdout);
		return EXIT_SUCCESS;
	}
	/* @v: one pool of @all, or all of them */
	if (nv == 1 && !o->json)
		cn.v = pools_counters(v[0], 1, &cn.n);
	else
		cn.v = pools_counters(all->v, all->n, &cn.n);
	if (!cn.v)
		return EXIT_FAILURE;
	kv = calloc(KV_ATTRS + cn.n, sizeof(*kv));
	tb = kv ? table_new(o, "pools") : NULL;
	if (!tb) {
		free(kv);
		free(cn.v);
		return EXIT_FAILURE;
	}
	if (!o->json && nv > 1) {
		print_columns(tb, v, nv, counters_only, with_prezero, with_qa, &cn, kv);
		goto out;
	}
	if (!o->json) {
		scols_table_new_column(tb, "KEY", 0.3, 0);
		scols_table_new_column(tb, "VALUE", 0.7, 0);
		scols_table_enable_noheadings(tb, 1);
	}
	for (j = 0; j < nv; j++) {
		struct libscols_line *ln = NULL;

		n = pool_fields(v[j], kv, counters_only, with_prezero, with_qa, &cn);
		if (o->json && j == 0) {
			for (i = 0; i < n; i++) {
				struct libscols_column *cl =
					scols_table_new_column(tb, kv[i].key, 0, 0);

				if (kv[i].number)
					scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
			}
		}
		if (o->json)
			ln = scols_table_new_line(tb, NULL);
		for (i = 0; i < n; i++) {
			char *val = kv[i].val;

			if (o->json) {
				if (val)
					scols_line_refer_data(ln, i, val);
				continue;
			}
			ln = scols_table_new_line(tb, NULL);
			scols_line_set_data(ln, 0, kv[i].key);
			if (val && !strcmp(kv[i].key, "verify_clean") && !o->raw) {
				/* "1 (on)" */
				const char *w = pool_onoff(strtoull(val, NULL, 10));
				char *both = xasprintf("%s (%s)", val, w ? w : "?");

				if (both) {
					free(val);
					val = both;
				}
			} else if (val && has_suffix(kv[i].key, "_pages") && !o->raw) {
				/* "131072 (512M)": pages, and what they are in bytes */
				char *size = fmt_size(o, strtoull(val, NULL, 10)), *both;

				both = xasprintf("%s (%s)", val, size ? size : "?");
				free(size);
				if (both) {
					free(val);
					val = both;
				}
			}
			scols_line_refer_data(ln, 1, val ? val : strdup("-"));
		}
	}
	scols_print_table(tb);
out:
	scols_unref_table(tb);
	free(kv);
	free(cn.v);
	return EXIT_SUCCESS;
}

int kv_print(const struct outopts *o, const char *spec, bool counters_only)
{
	struct pool **v;
	struct pools ps;
	size_t i, n = 0;
	int ret;

	if (pools_load(&ps))
		return EXIT_FAILURE;
	if (!spec && !o->json)
		pools_none_note(&ps);
	v = calloc(ps.n + 1, sizeof(*v));
	if (!v) {
		pools_free(&ps);
		return EXIT_FAILURE;
	}
	if (spec) {
		v[0] = pools_find(&ps, spec);
		n = v[0] ? 1 : 0;
		if (n && !counters_only)
			pool_load_qa(v[0]);
		if (n && v[0]->max == UINT64_MAX) {
			/* nothing of it can be read: say why rather than show "-" */
			int err = sys_read_u64(pool_file(v[0]->name, "max_pages"), &v[0]->max);

			warnx("cannot read %s: %s", sys_path(pool_file(v[0]->name, "max_pages")),
			      sys_strerror(err));
			n = 0;
		}
	} else {
		for (i = 0; i < ps.n; i++)
			v[n++] = &ps.v[i];
	}
	ret = n || !spec ? print_pools(o, v, n, &ps, counters_only) : EXIT_FAILURE;
	free(v);
	pools_free(&ps);
	return ret;
}
