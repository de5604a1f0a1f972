// SPDX-License-Identifier: GPL-2.0
/* Output helpers shared by the commands: libsmartcols tables, sizes, errors. */
#include <libsmartcols.h>
#include <stdarg.h>
#include <stdlib.h>

#include "ttm-poolctl.h"

/* Where the tables go: standard output, or bug-report's file. */
static FILE *stream;

void table_set_stream(FILE *f)
{
	stream = f;
}

FILE *table_stream(void)
{
	return stream ? stream : stdout;
}

struct libscols_table *table_new(const struct outopts *o, const char *name)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_stream(tb, table_stream());
	scols_table_enable_json(tb, o->json);
	scols_table_set_name(tb, name);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_export(tb, o->pairs);
	scols_table_enable_noheadings(tb, o->noheadings);
	return tb;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

char *fmt_size(const struct outopts *o, uint64_t pages)
{
	char buf[32];

	if (pages == UINT64_MAX)
		return NULL;
	if (o->bytes)
		return xasprintf("%llu", (unsigned long long)(pages * pool_page_size()));
	return xasprintf("%s", size_human(pages * pool_page_size(), buf, sizeof(buf)));
}

void json_fstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void json_str(const char *s)
{
	json_fstr(stdout, s);
}

void pools_none_note(const struct pools *ps)
{
	if (!ps->n)
		warnx("no TTM pools: %s", ps->why ? ps->why : "none found");
}
