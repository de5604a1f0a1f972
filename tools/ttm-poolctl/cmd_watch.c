// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl watch [-i SECONDS] [-c COUNT]: refreshing view with rates. */
#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ttm-poolctl.h"

static bool has_affixes(const char *s, const char *prefix, const char *suffix)
{
	size_t n = strlen(s), p = strlen(prefix), q = strlen(suffix);

	return n >= p + q && !strncmp(s, prefix, p) && !strcmp(s + n - q, suffix);
}

/* Pages given back to the system: stats/release_<cause>_pages, whatever the causes. */
static uint64_t releases(const struct pool *p)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < p->nstat; i++)
		if (has_affixes(p->stat[i].name, "release_", "_pages") &&
		    p->stat[i].val != UINT64_MAX)
			sum += p->stat[i].val;
	return sum;
}

static uint64_t hits(const struct pool *p)
{
	return pool_stat(p, "alloc_hit_pages");
}

static uint64_t misses(const struct pool *p)
{
	return pool_stat(p, "alloc_miss_pages");
}

static const struct pool *find_name(const struct pools *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].name, name))
			return &ps->v[i];
	return NULL;
}

static double rate(uint64_t now, uint64_t before, double secs)
{
	if (now == UINT64_MAX || before == UINT64_MAX || now < before)
		return 0;
	return (double)(now - before) / secs;
}

static void json_rate(const char *key, uint64_t now, uint64_t before, double secs, bool known)
{
	printf(",\"%s\":", key);
	if (known && now != UINT64_MAX && before != UINT64_MAX)
		printf("%.3f", rate(now, before, secs));
	else
		fputs("null", stdout);
}

static void json_size(const char *key, uint64_t pages)
{
	printf(",\"%s\":", key);
	if (pages == UINT64_MAX)
		fputs("null", stdout);
	else
		printf("%llu", (unsigned long long)(pages * pool_page_size()));
}

/* One JSON object per line (JSON Lines): sizes in bytes, rates per second. */
static void print_json(const struct pools *now, const struct pools *before, double secs)
{
	struct timespec rt;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &rt);
	printf("{\"time\":%lld.%03ld,\"elapsed\":", (long long)rt.tv_sec, rt.tv_nsec / 1000000);
	if (before)
		printf("%.6f", secs);
	else
		fputs("null", stdout);
	fputs(",\"pools\":[", stdout);
	for (i = 0; i < now->n; i++) {
		const struct pool *p = &now->v[i];
		const struct pool *b = before ? find_name(before, p->name) : NULL;

		fputs(i ? ",{\"name\":" : "{\"name\":", stdout);
		json_str(p->name);
		json_size("pooled", p->pooled);
		json_size("inuse", p->inuse);
		json_rate("hits_per_s", hits(p), b ? hits(b) : 0, secs, b);
		json_rate("misses_per_s", misses(p), b ? misses(b) : 0, secs, b);
		json_rate("releases_per_s", releases(p), b ? releases(b) : 0, secs, b);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static void print(const struct outopts *o, const struct pools *now,
		  const struct pools *before, double secs)
{
	static const char *const names[] = {
		"NAME", "POOLED", "INUSE", "HITS/s", "MISSES/s", "RELEASES/s"
	};
	struct libscols_table *tb = table_new(o, "pools");
	size_t i;

	if (!tb)
		return;
	for (i = 0; i < 6; i++)
		scols_table_new_column(tb, names[i], 0, i ? SCOLS_FL_RIGHT : 0);
	for (i = 0; i < now->n; i++) {
		const struct pool *p = &now->v[i];
		const struct pool *b = before ? find_name(before, p->name) : NULL;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char *v;

		scols_line_refer_data(ln, 0, strdup(p->name));
		v = fmt_size(o, p->pooled);
		scols_line_refer_data(ln, 1, v ? v : strdup("-"));
		v = fmt_size(o, p->inuse);
		scols_line_refer_data(ln, 2, v ? v : strdup("-"));
		if (!b) {
			for (int c = 3; c < 6; c++)
				scols_line_set_data(ln, c, "-");
			continue;
		}
		scols_line_refer_data(ln, 3, xasprintf("%.1f", rate(hits(p), hits(b), secs)));
		scols_line_refer_data(ln, 4, xasprintf("%.1f", rate(misses(p), misses(b), secs)));
		scols_line_refer_data(ln, 5, xasprintf("%.1f", rate(releases(p),
								   releases(b), secs)));
	}
	if (now->n > 1 && !o->raw && !o->noheadings) {
		/* the sum of the pools, for the eye (not with -r or -n) */
		uint64_t pooled = 0, inuse = 0, h = 0, m = 0, r = 0, bh = 0, bm = 0, br = 0;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		bool rates = before != NULL;

		for (i = 0; i < now->n; i++) {
			const struct pool *p = &now->v[i];
			const struct pool *b = before ? find_name(before, p->name) : NULL;

			pooled += p->pooled == UINT64_MAX ? 0 : p->pooled;
			inuse += p->inuse == UINT64_MAX ? 0 : p->inuse;
			if (!b || hits(p) == UINT64_MAX || hits(b) == UINT64_MAX ||
			    misses(p) == UINT64_MAX || misses(b) == UINT64_MAX)
				continue;
			h += hits(p);
			bh += hits(b);
			m += misses(p);
			bm += misses(b);
			r += releases(p);
			br += releases(b);
		}
		scols_line_set_data(ln, 0, "total");
		scols_line_refer_data(ln, 1, fmt_size(o, pooled));
		scols_line_refer_data(ln, 2, fmt_size(o, inuse));
		if (rates) {
			scols_line_refer_data(ln, 3, xasprintf("%.1f", rate(h, bh, secs)));
			scols_line_refer_data(ln, 4, xasprintf("%.1f", rate(m, bm, secs)));
			scols_line_refer_data(ln, 5, xasprintf("%.1f", rate(r, br, secs)));
		} else {
			for (int c = 3; c < 6; c++)
				scols_line_set_data(ln, c, "-");
		}
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}

static double ts_sec(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/*
 * The first frame at once (without rates), then one every interval on
 * CLOCK_MONOTONIC; rates are over the time that really passed between the
 * two reads, not the nominal interval.
 */
int cmd_watch(const struct outopts *o, int argc, char **argv)
{
	bool tty = isatty(STDOUT_FILENO), banner = !o->json && !o->raw && !o->noheadings;
	struct timespec start, next, t_before = { 0 }, t_now;
	struct pools before, now;
	double interval = o->interval < WATCH_MIN_INTERVAL ? WATCH_MIN_INTERVAL : o->interval;
	bool have_before = false;
	long i;

	(void)argc;
	(void)argv;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; o->count < 0 || i < o->count; i++) {
		if (i) {
			double at = ts_sec(&start) + interval * (double)i;

			next.tv_sec = (time_t)at;
			next.tv_nsec = (long)((at - (double)next.tv_sec) * 1e9);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &t_now);
		if (pools_load(&now)) {
			if (have_before)
				pools_free(&before);
			return EXIT_FAILURE;
		}
		if (o->json) {
			print_json(&now, have_before ? &before : NULL,
				   ts_sec(&t_now) - ts_sec(&t_before));
		} else {
			if (banner) {
				if (tty)
					fputs("\033[H\033[2J", stdout);
				printf("Every %gs, pages per second%s\n", interval,
				       tty ? " (Ctrl-C to stop)" : "");
			}
			print(o, &now, have_before ? &before : NULL,
			      ts_sec(&t_now) - ts_sec(&t_before));
			if (!tty)
				putchar('\n');
		}
		fflush(stdout);
		if (ferror(stdout)) {
			pools_free(&now);
			if (have_before)
				pools_free(&before);
			return EXIT_FAILURE;	/* close_stdout() says "write error" */
		}
		if (have_before)
			pools_free(&before);
		before = now;
		t_before = t_now;
		have_before = true;
	}
	if (have_before)
		pools_free(&before);
	return EXIT_SUCCESS;
}
