// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl inject POOL [SETTING...]: show or set a pool's failure
 * injection, debugfs ttm/qa/<pool>/inject (root only). The kernel checks a
 * setting: the words are joined by single spaces and written in one write(),
 * and a refusal is said in the words of qa.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

/* @argv[0..@argc) joined by single spaces; NULL if out of memory. */
static char *join(int argc, char **argv)
{
	size_t len = 1, n = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++)
		n += snprintf(s + n, len - n, "%s%s", i ? " " : "", argv[i]);
	return s;
}

/*
 * Show @p's setting ("NAME: off"), or write @setting and show it with the
 * one it replaced ("NAME: off -> every=3 times=2"); 0 or -errno after a
 * message.
 */
static int inject_one(const struct pool *p, const char *setting)
{
	char rel[PATH_MAX], *before = NULL, *after;
	int err;

	/* qa_file() returns a buffer that its next call reuses. */
	snprintf(rel, sizeof(rel), "%s", qa_file(p->name, "inject"));
	if (setting) {
		before = sys_read(rel);
		err = sys_write(rel, setting);
		if (err) {
			qa_warn(p->name, "inject", setting, err);
			free(before);
			return err;
		}
	}
	after = sys_read(rel);
	if (!after && !setting) {
		err = -errno;
		qa_warn(p->name, "inject", NULL, err);
		return err;
	}
	if (setting)
		printf("%s: %s -> %s\n", p->name, before ? before : "?", after ? after : "?");
	else
		printf("%s: %s\n", p->name, after);
	free(before);
	free(after);
	return 0;
}

int cmd_inject(const struct outopts *o, int argc, char **argv)
{
	char *setting = NULL;
	struct pools ps;
	struct pool **v;
	int ret = EXIT_FAILURE, err;
	size_t n, i;

	(void)o;
	if (argc > 1) {
		setting = join(argc - 1, argv + 1);
		if (!setting) {
			warnx("%s", strerror(ENOMEM));
			return EXIT_FAILURE;
		}
	}
	if (pools_load(&ps)) {
		free(setting);
		return EXIT_FAILURE;
	}
	/* a device or driver: each of its pools */
	v = calloc(ps.n + 1, sizeof(*v));
	n = v ? pools_select(&ps, argv[0], v, false) : 0;
	for (i = 0, ret = n ? EXIT_SUCCESS : EXIT_FAILURE; i < n; i++) {
		err = inject_one(v[i], setting);
		if (!err)
			continue;
		ret = EXIT_FAILURE;
		/* refused, or not root: the other pools would fail the same way */
		if (qa_refused(err) || err == -EACCES || err == -EPERM)
			break;
	}
	free(v);
	pools_free(&ps);
	free(setting);
	return ret;
}
