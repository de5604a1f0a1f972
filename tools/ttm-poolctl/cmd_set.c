// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl set POOL max=SIZE high=SIZE low=SIZE prezero=on|off,
 * set --global max=SIZE: the words, then the writes of settings.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static const char *const key_names[K_NR] = { "max", "high", "low" };

#define SETTINGS "max=SIZE, high=SIZE, low=SIZE or prezero=on|off"

static int parse_assignments(int argc, char **argv, bool global, uint64_t *want,
			     bool *set, int *prezero)
{
	const char *why;
	int i, k, err;

	if (!argc) {
		warnx("nothing to set: give %s", global ? "max=SIZE" : SETTINGS);
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!global && eq && !strncmp(argv[i], "prezero=", 8)) {
			*prezero = parse_onoff(eq + 1);
			if (*prezero < 0) {
				warnx("invalid value '%s' for prezero (expected on or off; "
				      "also 1/0, yes/no)", eq + 1);
				return -EINVAL;
			}
			continue;
		}
		for (k = 0; eq && k < K_NR; k++)
			if ((size_t)(eq - argv[i]) == strlen(key_names[k]) &&
			    !strncmp(argv[i], key_names[k], eq - argv[i]))
				break;
		if (!eq || k == K_NR || (global && k != K_MAX)) {
			warnx("invalid setting '%s' (expected %s)", argv[i],
			      global ? "max=SIZE" : SETTINGS);
			return -EINVAL;
		}
		err = size_parse_pages(eq + 1, pool_page_size(), &want[k], &why);
		if (err) {
			warnx("invalid size '%s' for %s: %s", eq + 1, key_names[k], why);
			return -EINVAL;
		}
		set[k] = true;
	}
	return 0;
}

static int set_global(int argc, char **argv)
{
	uint64_t want[K_NR];
	bool set[K_NR] = { false };
	int prezero = -1;

	if (parse_assignments(argc, argv, true, want, set, &prezero))
		return EXIT_USAGE;
	return set_global_max(want[K_MAX]);
}

int cmd_set(const struct outopts *o, int argc, char **argv)
{
	uint64_t want[K_NR];
	bool set[K_NR] = { false };
	struct pools ps;
	struct pool **v;
	int ret = EXIT_FAILURE, prezero = -1;
	size_t n, i;

	if (o->global)
		return set_global(argc, argv);
	if (argc < 1) {
		warnx("set: which pool? (ttm-poolctl set POOL max=SIZE ...)");
		return EXIT_USAGE;
	}
	if (parse_assignments(argc - 1, argv + 1, false, want, set, &prezero))
		return EXIT_USAGE;
	if (pools_load(&ps))
		return EXIT_FAILURE;
	/* a device or driver: each of its pools */
	v = calloc(ps.n + 1, sizeof(*v));
	n = v ? pools_select(&ps, argv[0], v, false) : 0;
	for (i = 0, ret = n ? EXIT_SUCCESS : EXIT_FAILURE; i < n; i++)
		if (pool_set(v[i]->name, want, set, prezero))
			ret = EXIT_FAILURE;
	free(v);
	pools_free(&ps);
	return ret;
}
