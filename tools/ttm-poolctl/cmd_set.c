// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl set POOL max=SIZE high=SIZE low=SIZE, set --global max=SIZE.
 *
 * The kernel keeps low <= high <= max at every write, so the values are
 * written in an order that never breaks it: a raised cap first, a lowered
 * cap last, and the watermark that makes room for the other first. If the
 * kernel rejects a write, the values written before are restored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

enum { K_MAX, K_HIGH, K_LOW, K_NR };

static const char *const key_names[K_NR] = { "max", "high", "low" };
static const char *const key_files[K_NR] = {
	"max_pages", "high_watermark_pages", "low_watermark_pages"
};

struct step {
	int key;
	uint64_t val;
};

static int read_state(const char *name, uint64_t *v)
{
	int k, err;

	for (k = 0; k < K_NR; k++) {
		err = sys_read_u64(pool_file(name, key_files[k]), &v[k]);
		if (err) {
			warnx_("cannot read %s: %s", sys_path(pool_file(name, key_files[k])),
			       sys_strerror(err));
			return err;
		}
	}
	return 0;
}

/* Writes taking @cur to @want (only keys with set[k]) keeping low <= high <= max. */
static int plan(const uint64_t *cur, const uint64_t *want, const bool *set,
		struct step *s)
{
	uint64_t h = set[K_HIGH] ? want[K_HIGH] : cur[K_HIGH];
	int n = 0;

	if (set[K_MAX] && want[K_MAX] > cur[K_MAX])
		s[n++] = (struct step){ K_MAX, want[K_MAX] };
	if (set[K_LOW] && cur[K_LOW] > h) {
		/* the low mark must come down before high can */
		s[n++] = (struct step){ K_LOW, want[K_LOW] };
		if (set[K_HIGH])
			s[n++] = (struct step){ K_HIGH, want[K_HIGH] };
	} else {
		if (set[K_HIGH])
			s[n++] = (struct step){ K_HIGH, want[K_HIGH] };
		if (set[K_LOW])
			s[n++] = (struct step){ K_LOW, want[K_LOW] };
	}
	if (set[K_MAX] && want[K_MAX] <= cur[K_MAX])
		s[n++] = (struct step){ K_MAX, want[K_MAX] };
	return n;
}

static int apply(const char *name, const struct step *s, int n, int *failed_at)
{
	char buf[32];
	int i, err;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s[i].val);
		err = sys_write(pool_file(name, key_files[s[i].key]), buf);
		if (err) {
			*failed_at = i;
			return err;
		}
	}
	return 0;
}

static void report(const char *name, const char *file, uint64_t before, uint64_t after)
{
	char a[32], b[32];
	uint64_t ps = pool_page_size();

	if (before == after)
		printf("%s: %s %llu (unchanged)\n", name, file, (unsigned long long)after);
	else
		printf("%s: %s %llu -> %llu (%s -> %s)\n", name, file,
		       (unsigned long long)before, (unsigned long long)after,
		       size_human(before * ps, a, sizeof(a)),
		       size_human(after * ps, b, sizeof(b)));
}

static int parse_assignments(int argc, char **argv, bool global, uint64_t *want,
			     bool *set)
{
	int i, k, err;

	if (!argc) {
		warnx_("nothing to set: give max=SIZE%s", global ? "" : ", high=SIZE or low=SIZE");
		return -EINVAL;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		for (k = 0; eq && k < K_NR; k++)
			if ((size_t)(eq - argv[i]) == strlen(key_names[k]) &&
			    !strncmp(argv[i], key_names[k], eq - argv[i]))
				break;
		if (!eq || k == K_NR || (global && k != K_MAX)) {
			warnx_("invalid setting '%s' (expected %s)", argv[i],
			       global ? "max=SIZE" : "max=SIZE, high=SIZE or low=SIZE");
			return -EINVAL;
		}
		err = size_parse_pages(eq + 1, pool_page_size(), &want[k]);
		if (err) {
			warnx_("invalid size '%s': %s", eq + 1, err == -ERANGE ?
			       "too large" : "expected pages (512, 512p) or bytes (64M, 1.5GiB)");
			return -EINVAL;
		}
		set[k] = true;
	}
	return 0;
}

static int set_global(int argc, char **argv)
{
	uint64_t want[K_NR], before, after;
	bool set[K_NR] = { false };
	char buf[32];
	int err;

	if (parse_assignments(argc, argv, true, want, set))
		return EXIT_USAGE;
	if (!sys_exists(TTM_SYSFS)) {
		warnx_("%s does not exist (no TTM driver is bound, or the kernel has "
		       "no ttm-pool sysfs interface)", sys_path(TTM_SYSFS));
		return EXIT_FAILURE;
	}
	err = sys_read_u64(TTM_SYSFS "/pool_max_pages", &before);
	if (err) {
		warnx_("cannot read %s: %s", sys_path(TTM_SYSFS "/pool_max_pages"),
		       sys_strerror(err));
		return EXIT_FAILURE;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)want[K_MAX]);
	err = sys_write(TTM_SYSFS "/pool_max_pages", buf);
	if (err) {
		warnx_("cannot set %s to %s: %s", sys_path(TTM_SYSFS "/pool_max_pages"),
		       buf, sys_strerror(err));
		return EXIT_FAILURE;
	}
	if (sys_read_u64(TTM_SYSFS "/pool_max_pages", &after))
		after = want[K_MAX];
	report("global", "pool_max_pages", before, after);
	return EXIT_SUCCESS;
}

int cmd_set(const struct outopts *o, int argc, char **argv, bool global)
{
	uint64_t cur[K_NR], want[K_NR], now[K_NR], h, l, m;
	bool set[K_NR] = { false }, differs[K_NR];
	struct step s[2 * K_NR];
	struct pools ps;
	struct pool *p;
	int n, failed = -1, k, ret = EXIT_FAILURE, err;

	(void)o;
	if (global)
		return set_global(argc, argv);
	if (argc < 1) {
		warnx_("set: which pool? (ttm-poolctl set POOL max=SIZE ...)");
		return EXIT_USAGE;
	}
	if (parse_assignments(argc - 1, argv + 1, false, want, set))
		return EXIT_USAGE;
	if (pools_load(&ps))
		return EXIT_FAILURE;
	p = pools_find(&ps, argv[0]);
	if (!p || read_state(p->name, cur))
		goto out;

	m = set[K_MAX] ? want[K_MAX] : cur[K_MAX];
	h = set[K_HIGH] ? want[K_HIGH] : (cur[K_HIGH] > m ? m : cur[K_HIGH]);
	l = set[K_LOW] ? want[K_LOW] : (cur[K_LOW] > h ? h : cur[K_LOW]);
	if (l > h || h > m) {
		warnx_("%s: low (%llu) <= high (%llu) <= max (%llu) would not hold; "
		       "nothing changed", p->name, (unsigned long long)l,
		       (unsigned long long)h, (unsigned long long)m);
		goto out;
	}

	n = plan(cur, want, set, s);
	err = apply(p->name, s, n, &failed);
	if (err) {
		warnx_("cannot set %s to %llu: %s", sys_path(pool_file(p->name,
		       key_files[s[failed].key])), (unsigned long long)s[failed].val,
		       sys_strerror(err));
		/* Put back what was written before the failure. */
		if (failed > 0 && !read_state(p->name, now)) {
			for (k = 0; k < K_NR; k++)
				differs[k] = now[k] != cur[k];
			n = plan(now, cur, differs, s);
			if (apply(p->name, s, n, &failed))
				warnx_("%s: could not restore the previous values", p->name);
			else
				fprintf(stderr, "ttm-poolctl: %s: previous values restored\n",
					p->name);
		}
		goto out;
	}
	if (read_state(p->name, now))
		goto out;
	for (k = 0; k < K_NR; k++)
		report(p->name, key_files[k], cur[k], now[k]);
	ret = EXIT_SUCCESS;
out:
	pools_free(&ps);
	return ret;
}
