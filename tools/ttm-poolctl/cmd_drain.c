// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl drain POOL...|--all: give the pooled pages back to the system. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

#define DRAIN_DENIED 3	/* drain_one(): not root, internal */

static int drain_one(const struct pool *p, uint64_t *released)
{
	uint64_t before, after;
	char buf[32];
	int err;

	err = sys_read_u64(pool_file(p->name, "stats/release_drain_pages"), &before);
	if (err)
		before = 0;
	err = sys_write(pool_file(p->name, "drain"), "1");
	if (err) {
		warnx("cannot drain %s: %s: %s", p->name,
		      sys_path(pool_file(p->name, "drain")), sys_write_strerror("drain", "1", err));
		return err == -EACCES || err == -EPERM ? DRAIN_DENIED : EXIT_FAILURE;
	}
	if (sys_read_u64(pool_file(p->name, "stats/release_drain_pages"), &after))
		after = before;
	*released = after - before;
	printf("%s: released %llu pages (%s)\n", p->name, (unsigned long long)*released,
	       size_human(*released * pool_page_size(), buf, sizeof(buf)));
	return EXIT_SUCCESS;
}

int cmd_drain(const struct outopts *o, int argc, char **argv)
{
	uint64_t released, total = 0;
	int ret = EXIT_SUCCESS, i;
	struct pools ps;
	size_t j;
	char buf[32];

	if (!o->all && !argc) {
		warnx("drain: name the pools, or --all");
		return EXIT_USAGE;
	}
	if (o->all && argc) {
		warnx("drain: --all or pool names, not both");
		return EXIT_USAGE;
	}
	if (pools_load(&ps))
		return EXIT_FAILURE;
	if (o->all) {
		pools_none_note(&ps);
		for (j = 0; j < ps.n; j++) {
			int r = drain_one(&ps.v[j], &released);

			if (r == DRAIN_DENIED) {
				/* not root: the other pools would fail the same way */
				ret = EXIT_FAILURE;
				break;
			}
			if (r)
				ret = EXIT_FAILURE;
			else
				total += released;
		}
		printf("all pools: released %llu pages (%s)\n", (unsigned long long)total,
		       size_human(total * pool_page_size(), buf, sizeof(buf)));
	}
	for (i = 0; i < argc; i++) {
		struct pool **v = calloc(ps.n + 1, sizeof(*v));
		size_t n = v ? pools_select(&ps, argv[i], v, false) : 0, k;

		if (!n)
			ret = EXIT_FAILURE;
		for (k = 0; k < n; k++)	/* a device or driver: each of its pools */
			if (drain_one(v[k], &released))
				ret = EXIT_FAILURE;
		free(v);
	}
	pools_free(&ps);
	return ret;
}
