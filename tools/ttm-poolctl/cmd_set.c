// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl set POOL max=SIZE high=SIZE low=SIZE prezero=auto|on|off
 * verify_clean=on|off, set --global max=SIZE: the words, then the writes of
 * settings.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static const char *const key_names[K_NR] = { "max", "high", "low" };

#define SETTINGS "max=SIZE, high=SIZE, low=SIZE, prezero=auto|on|off or verify_clean=on|off"

/*
 * A pool's switches: prezero a mode (PZ_AUTO, PZ_ON, PZ_OFF), verify_clean
 * on or off (1 or 0); -1 if not given.
 */
enum { SW_PREZERO, SW_VERIFY_CLEAN, NR_SWITCHES };
static const char *const switch_names[NR_SWITCHES] = { "prezero", "verify_clean" };

/* 1 if @arg is a switch (its value into @sw), 0 if not, -EINVAL if bad. */
static int parse_switch(const char *arg, int *sw)
{
	const char *eq = strchr(arg, '=');
	int i;

	for (i = 0; eq && i < NR_SWITCHES; i++) {
		if ((size_t)(eq - arg) != strlen(switch_names[i]) ||
		    strncmp(arg, switch_names[i], eq - arg))
			continue;
		sw[i] = i == SW_PREZERO ? parse_prezero(eq + 1) : parse_onoff(eq + 1);
		if (sw[i] < 0) {
			warnx("invalid value '%s' for %s (expected %son or off; also 1/0, yes/no)",
			      eq + 1, switch_names[i], i == SW_PREZERO ? "auto, " : "");
			return -EINVAL;
		}
		return 1;
	}
	return 0;
}

static int parse_assignments(int argc, char **argv, bool global, uint64_t *want,
			     bool *set, int *sw)
{
	const char *why;
	int i, k, err;

	if (!argc) {
		warnx("nothing to set: give %s", global ? "max=SIZE" : SETTINGS);
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		err = global ? 0 : parse_switch(argv[i], sw);
		if (err < 0)
			return err;
		if (err)
			continue;
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
	int sw[NR_SWITCHES] = { -1, -1 };

	if (parse_assignments(argc, argv, true, want, set, sw))
		return EXIT_USAGE;
	return set_global_max(want[K_MAX]);
}

int cmd_set(const struct outopts *o, int argc, char **argv)
{
	uint64_t want[K_NR];
	bool set[K_NR] = { false };
	struct pools ps;
	struct pool **v;
	int ret = EXIT_FAILURE, sw[NR_SWITCHES] = { -1, -1 };
	size_t n, i;

	if (o->global)
		return set_global(argc, argv);
	if (argc < 1) {
		warnx("set: which pool? (ttm-poolctl set POOL max=SIZE ...)");
		return EXIT_USAGE;
	}
	if (parse_assignments(argc - 1, argv + 1, false, want, set, sw))
		return EXIT_USAGE;
	if (pools_load(&ps))
		return EXIT_FAILURE;
	/* a device or driver: each of its pools */
	v = calloc(ps.n + 1, sizeof(*v));
	n = v ? pools_select(&ps, argv[0], v, false) : 0;
	for (i = 0, ret = n ? EXIT_SUCCESS : EXIT_FAILURE; i < n; i++)
		if (pool_set(v[i]->name, want, set, sw[SW_PREZERO], sw[SW_VERIFY_CLEAN]))
			ret = EXIT_FAILURE;
	free(v);
	pools_free(&ps);
	return ret;
}
