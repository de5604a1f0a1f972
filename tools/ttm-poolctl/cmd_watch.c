// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl watch [-i SECONDS] [-c COUNT]: refreshing view with rates. */
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ttm-poolctl.h"

static uint64_t releases(const struct pool *p)
{
	static const int st[] = {
		ST_RELEASE_CAP, ST_RELEASE_TRIM, ST_RELEASE_SHRINKER,
		ST_RELEASE_DRAIN, ST_RELEASE_SWITCH,
	};
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(*st); i++)
		if (p->stat[st[i]] != UINT64_MAX)
			sum += p->stat[st[i]];
	return sum;
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
		const struct pool *p = &now->v[i], *b = find_name(before, p->name);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		scols_line_refer_data(ln, 0, strdup(p->name));
		scols_line_refer_data(ln, 1, fmt_size(o, p->pooled));
		scols_line_refer_data(ln, 2, fmt_size(o, p->inuse));
		if (!b) {
			for (int c = 3; c < 6; c++)
				scols_line_set_data(ln, c, "-");
			continue;
		}
		scols_line_refer_data(ln, 3, xasprintf("%.1f", rate(p->stat[ST_ALLOC_HIT],
								   b->stat[ST_ALLOC_HIT], secs)));
		scols_line_refer_data(ln, 4, xasprintf("%.1f", rate(p->stat[ST_ALLOC_MISS],
								   b->stat[ST_ALLOC_MISS], secs)));
		scols_line_refer_data(ln, 5, xasprintf("%.1f", rate(releases(p),
								   releases(b), secs)));
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}

int cmd_watch(const struct outopts *o)
{
	struct pools before, now;
	struct timespec ts;
	bool tty = isatty(STDOUT_FILENO);
	long i;

	if (pools_load(&before))
		return EXIT_FAILURE;
	for (i = 0; o->count < 0 || i < o->count; i++) {
		ts.tv_sec = (time_t)o->interval;
		ts.tv_nsec = (long)((o->interval - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if (pools_load(&now)) {
			pools_free(&before);
			return EXIT_FAILURE;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout);
		printf("Every %gs, pages per second%s\n", o->interval,
		       tty ? " (Ctrl-C to stop)" : "");
		print(o, &now, &before, o->interval);
		if (!tty)
			putchar('\n');
		fflush(stdout);
		pools_free(&before);
		before = now;
	}
	pools_free(&before);
	return EXIT_SUCCESS;
}
