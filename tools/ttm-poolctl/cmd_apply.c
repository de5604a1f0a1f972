// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl apply [--dry-run] [--pool NAME] [FILE...]: the settings of
 * /etc/ttm-pool.d/NAME.conf (conf.c), for every pool or, from the udev rule
 * when a pool appears, for one.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static void show_plan(const char *name, const uint64_t *want, const bool *set,
		      const char *path, int prezero, const char *from)
{
	static const char *const keys[K_NR] = { "max", "high", "low" };
	int k;

	printf("%s:", name);
	for (k = 0; k < K_NR; k++)
		if (set[k])
			printf(" %s=%llu", keys[k], (unsigned long long)want[k]);
	if (path)
		printf(" path=%s", path);
	if (prezero >= 0)
		printf(" prezero=%s", prezero_word(prezero));
	printf(" (%s)\n", from);
}

/* The sections that select @p, later ones overriding earlier ones. */
static bool merge(const struct conf *c, const struct pool *p, uint64_t *want, bool *set,
		  const char **path, int *prezero, char *from, size_t fromlen)
{
	size_t i, len = 0;
	bool any = false;
	int k;

	from[0] = '\0';
	for (i = 0; i < c->n; i++) {
		const struct conf_section *sec = &c->v[i];

		if (!conf_matches(sec, p))
			continue;
		for (k = 0; k < K_NR; k++) {
			if (sec->set[k]) {
				want[k] = sec->want[k];
				set[k] = any = true;
			}
		}
		if (sec->path) {
			*path = sec->path;
			any = true;
		}
		if (sec->prezero >= 0) {
			*prezero = sec->prezero;
			any = true;
		}
		if (len < fromlen)
			len += snprintf(from + len, fromlen - len, "%s%s:%d", len ? ", " : "",
					sec->file, sec->line);
	}
	return any;
}

static int set_path(const char *name, const char *word)
{
	int err = sys_write(pool_file(name, "alloc_path"), word);

	if (err) {
		warnx("cannot set %s to %s: %s", sys_path(pool_file(name, "alloc_path")),
		      word, sys_write_strerror("alloc_path", word, err));
		return EXIT_FAILURE;
	}
	printf("%s: alloc_path %s\n", name, word);
	return EXIT_SUCCESS;
}

int cmd_apply(const struct outopts *o, int argc, char **argv)
{
	struct conf c = { 0 };
	struct pools ps = { 0 };
	glob_t g = { 0 };
	char from[512], pattern[4096];
	uint64_t gmax = 0;
	bool gset = false, found = false;
	int ret = EXIT_SUCCESS, i;
	size_t j;

	if (!argc) {
		snprintf(pattern, sizeof(pattern), "%s" TTM_CONF_DIR "/*.conf", sys_root());
		if (glob(pattern, 0, NULL, &g) == 0) {
			argc = (int)g.gl_pathc;
			argv = g.gl_pathv;	/* sorted: 10-a.conf before 50-b.conf */
		}
	}
	for (i = 0; i < argc; i++)
		if (conf_load(&c, argv[i]))
			ret = EXIT_FAILURE;
	if (ret)
		goto out;	/* a broken file changes nothing */
	for (j = 0; j < c.n; j++) {
		if (c.v[j].kind == SEL_GLOBAL && c.v[j].set[K_MAX]) {
			gmax = c.v[j].want[K_MAX];
			gset = true;
			snprintf(from, sizeof(from), "%s:%d", c.v[j].file, c.v[j].line);
		}
	}
	if (gset) {
		if (o->dry_run)
			printf("global: max=%llu (%s)\n", (unsigned long long)gmax, from);
		else if (set_global_max(gmax))
			ret = EXIT_FAILURE;
	}
	if (pools_load(&ps)) {
		ret = EXIT_FAILURE;
		goto out;
	}
	for (j = 0; j < ps.n; j++) {
		const struct pool *p = &ps.v[j];
		uint64_t want[K_NR] = { 0 };
		bool set[K_NR] = { false };
		const char *path = NULL;
		int prezero = -1;
		bool sizes;

		if (o->pool && strcmp(o->pool, p->name))
			continue;
		found = true;
		if (!merge(&c, p, want, set, &path, &prezero, from, sizeof(from)))
			continue;
		if (o->dry_run) {
			show_plan(p->name, want, set, path, prezero, from);
			continue;
		}
		sizes = set[K_MAX] || set[K_HIGH] || set[K_LOW];
		if (prezero >= 0 && (!p->has_prezero ||
				     (prezero == PZ_AUTO && p->prezero_numeric))) {
			/*
			 * An older kernel, without prezero or without its
			 * auto: the sizes still, then prezero's error
			 * (pool_set() would refuse both together).
			 */
			if (sizes && pool_set(p->name, want, set, -1, -1))
				ret = EXIT_FAILURE;
			sizes = false;
			memset(set, 0, sizeof(set));
		}
		if ((sizes || prezero >= 0) && pool_set(p->name, want, set, prezero, -1))
			ret = EXIT_FAILURE;
		if (path && set_path(p->name, path))
			ret = EXIT_FAILURE;
	}
	if (o->pool && !found) {
		warnx("no pool '%s' (see 'ttm-poolctl list')", o->pool);
		ret = EXIT_FAILURE;
	}
out:
	conf_free(&c);
	pools_free(&ps);
	globfree(&g);
	return ret;
}
