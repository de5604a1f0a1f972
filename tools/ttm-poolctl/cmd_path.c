// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl path POOL [auto|coherent|page]: show or set the allocation path. */
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static int path_one(struct pool *p, const char *word)
{
	char *eff, *name;
	int err;

	if (word) {
		err = sys_write(pool_file(p->name, "alloc_path"), word);
		if (err) {
			warnx("cannot set %s to %s: %s", sys_path(pool_file(p->name, "alloc_path")),
			      word, sys_write_strerror("alloc_path", word, err));
			return EXIT_FAILURE;
		}
		name = strdup(p->name);
		pool_free(p);
		if (!name || pool_load(p, name)) {
			warnx("%s: the pool went away", name ? name : "?");
			free(name);
			return EXIT_FAILURE;
		}
		free(name);
	}
	eff = p->effective_path;
	printf("%s: alloc_path %s, effective path %s\n", p->name,
	       p->alloc_path ? p->alloc_path : "-", eff ? eff : "-");
	return EXIT_SUCCESS;
}

int cmd_path(const struct outopts *o, int argc, char **argv)
{
	const char *spec = argv[0], *word = argc == 2 ? argv[1] : NULL;
	struct pools ps;
	struct pool **v;
	int ret = EXIT_FAILURE;
	size_t n, i;

	(void)o;
	if (word && strcmp(word, "auto") && strcmp(word, "coherent") && strcmp(word, "page")) {
		warnx("invalid path '%s' (expected auto, coherent or page)", word);
		return EXIT_USAGE;
	}
	if (pools_load(&ps))
		return EXIT_FAILURE;
	/* a device or driver: each of its pools */
	v = calloc(ps.n + 1, sizeof(*v));
	n = v ? pools_select(&ps, spec, v, false) : 0;
	for (i = 0, ret = n ? EXIT_SUCCESS : EXIT_FAILURE; i < n; i++)
		if (path_one(v[i], word))
			ret = EXIT_FAILURE;
	free(v);
	pools_free(&ps);
	return ret;
}
