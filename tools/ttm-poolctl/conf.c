// SPDX-License-Identifier: GPL-2.0
/*
 * The settings files of ttm-poolctl apply (/etc/ttm-pool.d/NAME.conf):
 *
 *   # comment
 *   [global]
 *   max = 4G
 *
 *   [driver amdgpu]          every pool of the driver
 *   [device 0000:03:00.0]    every pool of the device (03:00.0 works too)
 *   [pool nodev]             pools by name, shell wildcards allowed
 *   max = 1G
 *   high = 768M
 *   low = 512M
 *   path = page
 *   prezero = off            auto, on or off
 *
 * Sizes and prezero's words as for set; a later file or section overrides an
 * earlier one.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static const char *const kind_names[] = {
	[SEL_GLOBAL] = "global", [SEL_POOL] = "pool", [SEL_DEVICE] = "device",
	[SEL_DRIVER] = "driver",
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int __attribute__((format(printf, 3, 4)))
bad_line(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	warnx("%s:%d: %s", file, line, msg ? msg : fmt);
	free(msg);
	return -EINVAL;
}

static struct conf_section *new_section(struct conf *c)
{
	struct conf_section *v = realloc(c->v, (c->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	c->v = v;
	memset(&v[c->n], 0, sizeof(*v));
	return &v[c->n++];
}

/* "[kind arg]" */
static int section_head(struct conf *c, char *s, const char *file, int line)
{
	struct conf_section *sec;
	char *end = strchr(s, ']'), *arg;
	size_t k;

	if (!end || trim(end + 1)[0])
		return bad_line(file, line, "%s: expected [global], [pool NAME], "
				"[device ADDRESS] or [driver NAME]", s);
	*end = '\0';
	s = trim(s + 1);
	arg = s + strcspn(s, " \t");
	if (*arg)
		*arg++ = '\0';
	arg = trim(arg);
	for (k = 0; k < sizeof(kind_names) / sizeof(*kind_names); k++)
		if (!strcmp(s, kind_names[k]))
			break;
	if (k == sizeof(kind_names) / sizeof(*kind_names))
		return bad_line(file, line, "unknown section '%s' (global, pool, device or driver)",
				s);
	if (k == SEL_GLOBAL && *arg)
		return bad_line(file, line, "[global] takes no name (got '%s')", arg);
	if (k != SEL_GLOBAL && !*arg)
		return bad_line(file, line, "[%s] needs a name", s);
	sec = new_section(c);
	if (!sec)
		return -ENOMEM;
	sec->kind = k;
	sec->prezero = -1;
	sec->arg = strdup(arg);
	sec->file = strdup(file);
	sec->line = line;
	if (k == SEL_DEVICE && strlen(arg) == 7 && arg[2] == ':' && arg[5] == '.') {
		free(sec->arg);
		sec->arg = xasprintf("0000:%s", arg);	/* bb:dd.f */
	}
	return 0;
}

static int assignment(struct conf *c, char *s, const char *file, int line)
{
	static const char *const keys[K_NR] = { "max", "high", "low" };
	struct conf_section *sec = c->n ? &c->v[c->n - 1] : NULL;
	char *eq = strchr(s, '='), *key, *val;
	const char *why;
	int k;

	if (!eq)
		return bad_line(file, line, "'%s': expected [section] or key = value", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!sec)
		return bad_line(file, line, "'%s' outside a section ([global], [pool NAME], ...)", key);
	if (!*val)
		return bad_line(file, line, "%s: empty value", key);
	if (!strcmp(key, "path") && sec->kind != SEL_GLOBAL) {
		if (strcmp(val, "auto") && strcmp(val, "coherent") && strcmp(val, "page"))
			return bad_line(file, line, "path '%s': expected auto, coherent or page", val);
		free(sec->path);
		sec->path = strdup(val);
		return 0;
	}
	if (!strcmp(key, "prezero") && sec->kind != SEL_GLOBAL) {
		int mode = parse_prezero(val);

		if (mode < 0)
			return bad_line(file, line, "prezero '%s': expected auto, on or off", val);
		sec->prezero = mode;
		return 0;
	}
	for (k = 0; k < K_NR; k++)
		if (!strcmp(key, keys[k]))
			break;
	if (sec->kind == SEL_GLOBAL && k != K_MAX)
		return bad_line(file, line, "unknown key '%s' in [global] (only max)", key);
	if (k == K_NR)
		return bad_line(file, line, "unknown key '%s' (max, high, low, path or prezero)",
				key);
	if (size_parse_pages(val, pool_page_size(), &sec->want[k], &why))
		return bad_line(file, line, "invalid size '%s' for %s: %s", val, key, why);
	sec->set[k] = true;
	return 0;
}

int conf_load(struct conf *c, const char *file)
{
	char *buf = NULL, *s;
	size_t cap = 0;
	int line = 0, err = 0;
	bool skip = false;
	FILE *f = fopen(file, "re");

	if (!f) {
		err = -errno;
		warnx("cannot read %s: %s", file, sys_strerror(err));
		return err;
	}
	while (getline(&buf, &cap, f) > 0) {
		line++;
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			/* the keys of a broken section belong to no section */
			skip = section_head(c, s, file, line) != 0;
			if (skip)
				err = -EINVAL;
		} else if (!skip && assignment(c, s, file, line)) {
			err = -EINVAL;
		}
	}
	free(buf);
	fclose(f);
	return err;
}

void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].arg);
		free(c->v[i].file);
		free(c->v[i].path);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

bool conf_matches(const struct conf_section *sec, const struct pool *p)
{
	switch (sec->kind) {
	case SEL_GLOBAL:
		return false;
	case SEL_POOL:
		return !fnmatch(sec->arg, p->name, 0);
	case SEL_DEVICE:
		return p->device && *p->device && !fnmatch(sec->arg, p->device, 0);
	case SEL_DRIVER:
		return p->driver && !strcmp(sec->arg, p->driver);
	}
	return false;
}
