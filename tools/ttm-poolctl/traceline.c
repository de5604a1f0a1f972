// SPDX-License-Identifier: GPL-2.0
/*
 * The lines of tracefs' trace_pipe in its default format,
 *
 *   TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS
 *
 * (the FLAGS column, and a "(TGID)" column after TASK-PID, come and go with
 * trace_options), parsed in place into the event's time, name, pool and
 * fields, and printed as a line of text or as one JSON object.
 *
 * FIELDS is the event's TP_printk(): key=value words, and for
 * ttm_pool_alloc_chunk the bare word hit or miss. A value has no spaces
 * but the last one's, which runs to the end of the line (ttm_pool_path_switch's
 * why= is a sentence).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The length of the "key=" that starts @s (a C identifier and '='), or 0. */
static size_t key_len(const char *s)
{
	size_t n = 0;

	if (isdigit((unsigned char)*s))
		return 0;
	while (ident_char(s[n]))
		n++;
	return n && s[n] == '=' ? n + 1 : 0;
}

/*
 * The ": " between TIMESTAMP and "EVENT: ": the first ": " after a word of
 * digits and dots and before a C identifier and ':'. NULL if there is none.
 */
static char *find_event(char *line, char **time)
{
	char *p, *t, *e;

	for (p = strstr(line, ": "); p; p = strstr(p + 1, ": ")) {
		for (t = p; t > line && (isdigit((unsigned char)t[-1]) || t[-1] == '.'); t--)
			;
		if (t == p || !isdigit((unsigned char)*t) || (t > line && t[-1] != ' '))
			continue;
		for (e = p + 2; ident_char(*e); e++)
			;
		if (e == p + 2 || *e != ':' || (e[1] != ' ' && e[1] != '\0'))
			continue;
		*time = t;
		return p;
	}
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "TASK-PID (TGID) [CPU] FLAGS": what of it there is. */
static void parse_task(char *head, struct trace_line *t)
{
	char *br = strrchr(head, '['), *end, *dash;
	long v;

	if (!br)
		return;
	v = strtol(br + 1, &end, 10);
	if (end > br + 1 && *end == ']')
		t->cpu = (int)v;
	*br = '\0';
	head = trim(head);
	end = head + strlen(head);
	if (end > head && end[-1] == ')' && strrchr(head, '(')) {
		*strrchr(head, '(') = '\0';
		head = trim(head);
	}
	dash = strrchr(head, '-');
	if (!dash || !dash[1])
		return;
	v = strtol(dash + 1, &end, 10);
	if (*end)
		return;
	*dash = '\0';
	t->comm = head;
	t->pid = v;
}

static void add_field(struct trace_line *t, const char *key, const char *val)
{
	if (key && !strcmp(key, "pool") && !t->pool) {
		t->pool = val;
		return;
	}
	if (t->nf < TRACE_FIELDS) {
		t->f[t->nf].key = key;
		t->f[t->nf].val = val;
		t->nf++;
	}
}

static void parse_fields(char *s, struct trace_line *t)
{
	char *p, *last = NULL, *word;
	size_t n;

	s = trim(s);
	/* the last key=: its value runs to the end of the line */
	for (p = s; *p; p += strcspn(p, " "), p += strspn(p, " "))
		if (key_len(p))
			last = p;
	while (*s && s != last) {
		word = s;
		s += strcspn(s, " ");
		if (*s)
			*s++ = '\0';
		s += strspn(s, " ");
		n = key_len(word);
		if (n) {
			word[n - 1] = '\0';
			add_field(t, word, word + n);
		} else {
			add_field(t, NULL, word);
		}
	}
	if (last) {
		n = key_len(last);
		last[n - 1] = '\0';
		add_field(t, last, last + n);
	}
}

int trace_parse(char *line, struct trace_line *t)
{
	char *colon, *time, *event, *e;

	memset(t, 0, sizeof(*t));
	t->pid = -1;
	t->cpu = -1;
	colon = find_event(line, &time);
	if (!colon)
		return -1;
	*colon = '\0';
	event = colon + 2;
	for (e = event; ident_char(*e); e++)
		;
	if (*e) {
		*e++ = '\0';	/* the ':' */
		parse_fields(e, t);
	}
	t->time = time;
	t->event = event;
	if (time > line) {
		time[-1] = '\0';
		parse_task(line, t);
	}
	return 0;
}

bool trace_lost(const char *line, int *cpu, unsigned long *n)
{
	return sscanf(line, "CPU:%d [LOST %lu EVENTS]", cpu, n) == 2;
}

/* Whether @s is a JSON number as the kernel prints them: -12, 0, 3.25. */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0' && isdigit((unsigned char)s[1]))
		return false;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return !*s;
}

static void json_value(const char *v)
{
	if (json_number(v))
		fputs(v, stdout);
	else
		json_str(v);
}

/* Whether @key is one of @strings, " a b ". */
static bool listed(const char *strings, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = strings; p && (p = strstr(p, key)); p += n)
		if (p > strings && p[-1] == ' ' && p[n] == ' ')
			return true;
	return false;
}

char *trace_string_fields(const char *format)
{
	const char *p, *end, *name;
	size_t len = 2, n = 1;
	char *s;

	len += strlen(format);
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = ' ';
	s[1] = '\0';
	/* "\tfield:__data_loc char[] pool;\toffset:8;..." and "u8 bytes[16];" */
	for (p = strstr(format, "field:"); p; p = strstr(end, "field:")) {
		p += 6;
		end = strchr(p, ';');
		if (!end)
			break;
		for (name = end; name > p && name[-1] != ' '; name--)
			;
		if (!strncmp(name, "common_", 7) || !memchr(p, '[', end - p))
			continue;
		n += snprintf(s + n, len - n, "%.*s ", (int)strcspn(name, "[;"), name);
	}
	return s;
}

static void print_json(const struct trace_line *t, const char *strings)
{
	size_t i;

	fputs("{\"time\":", stdout);
	json_value(t->time);
	fputs(",\"event\":", stdout);
	json_str(t->event);
	fputs(",\"pool\":", stdout);
	if (t->pool)
		json_str(t->pool);
	else
		fputs("null", stdout);
	for (i = 0; i < t->nf; i++) {
		const struct trace_field *f = &t->f[i];

		putchar(',');
		if (f->key) {
			json_str(f->key);
			putchar(':');
			if (listed(strings, f->key))
				json_str(f->val);
			else
				json_value(f->val);
		} else if (!strcmp(t->event, "ttm_pool_alloc_chunk") &&
			   (!strcmp(f->val, "hit") || !strcmp(f->val, "miss"))) {
			/* the event's field hit, printed as a word */
			printf("\"hit\":%d", !strcmp(f->val, "hit"));
		} else {
			json_str(f->val);
			fputs(":true", stdout);
		}
	}
	if (t->comm) {
		fputs(",\"comm\":", stdout);
		json_str(t->comm);
		printf(",\"pid\":%ld", t->pid);
	}
	if (t->cpu >= 0)
		printf(",\"cpu\":%d", t->cpu);
	fputs("}\n", stdout);
}

void trace_print(const struct trace_line *t, bool json, const char *strings)
{
	size_t i;

	if (json) {
		print_json(t, strings);
		return;
	}
	printf("%s %s %s", t->time, t->event, t->pool ? t->pool : "-");
	for (i = 0; i < t->nf; i++) {
		if (t->f[i].key)
			printf(" %s=%s", t->f[i].key, t->f[i].val);
		else
			printf(" %s", t->f[i].val);
	}
	putchar('\n');
}
