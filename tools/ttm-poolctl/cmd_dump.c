// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl dump [POOL] [-f FILE]: one text file for a bug report. What it
 * cannot read (no root, no debugfs) is listed under "notes" instead of
 * failing the dump.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttm-poolctl.h"

struct dump {
	FILE *out;
	char notes[4096];
	size_t notes_len;
};

static void note(struct dump *d, const char *what, int err)
{
	d->notes_len += snprintf(d->notes + d->notes_len,
				 sizeof(d->notes) - d->notes_len,
				 "could not read %s: %s\n", what, sys_strerror(err));
	if (d->notes_len >= sizeof(d->notes))
		d->notes_len = sizeof(d->notes) - 1;
}

static void line_from(struct dump *d, const char *key, const char *rel)
{
	char *s = sys_read(rel);

	if (!s) {
		note(d, sys_path(rel), errno);
		fprintf(d->out, "%s: ?\n", key);
		return;
	}
	fprintf(d->out, "%s: %s\n", key, s);
	free(s);
}

/* Every readable file of a sysfs directory as "prefix/name: value". */
static void dir_values(struct dump *d, const char *rel, const char *prefix)
{
	char **names, sub[PATH_MAX], link[PATH_MAX];
	size_t n, i;
	ssize_t ln;

	names = sys_list(rel, &n);
	if (!names) {
		note(d, sys_path(rel), errno);
		return;
	}
	for (i = 0; i < n; i++) {
		char *v;

		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		ln = readlink(sys_path(sub), link, sizeof(link) - 1);
		if (ln > 0) {
			link[ln] = '\0';
			fprintf(d->out, "%s%s -> %s\n", prefix, names[i], link);
		} else if (!strcmp(names[i], "drain")) {
			/* write-only */
		} else if ((v = sys_read(sub))) {
			fprintf(d->out, "%s%s: %s\n", prefix, names[i], v);
			free(v);
		} else if (errno == EISDIR) {
			char p2[256];

			snprintf(p2, sizeof(p2), "%s%s/", prefix, names[i]);
			dir_values(d, sub, p2);
		} else {
			note(d, sys_path(sub), errno);
		}
	}
	sys_list_free(names, n);
}

static void file_section(struct dump *d, const char *title, const char *rel)
{
	char *s = sys_read(rel);

	fprintf(d->out, "\n== %s\n", title);
	if (!s) {
		int err = errno;

		fprintf(d->out, "(not available: %s)\n", sys_strerror(err));
		note(d, sys_path(rel), err);
		return;
	}
	fprintf(d->out, "%s\n", s);
	free(s);
}

/* The swiotlb= options of the command line, verbatim. */
static void swiotlb_cmdline(struct dump *d, const char *cmdline)
{
	const char *p = cmdline;
	bool any = false;
	size_t n;

	fputs("swiotlb_cmdline:", d->out);
	while (p && (p = strstr(p, "swiotlb="))) {
		if (p == cmdline || p[-1] == ' ') {
			n = strcspn(p, " \n");
			fprintf(d->out, " %.*s", (int)n, p);
			any = true;
		}
		p += 8;
	}
	fputs(any ? "\n" : " (none)\n", d->out);
}

/* "key: value" of a debugfs pool dump; NULL if absent. */
static char *dump_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == ' ')
			return strndup(p + klen + 2, strcspn(p + klen + 2, "\n"));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * Whether swiotlb bounces, as the kernel says it in each pool's debugfs
 * dump (swiotlb_force, path_reason): forced bouncing has other causes than
 * the command line (swiotlb=N,force, AMD SEV, Intel TDX, Xen).
 */
static void swiotlb_force(struct dump *d, const struct pools *ps)
{
	char rel[PATH_MAX], *text, *force, *reason;
	const char *yes = NULL;
	char *yes_reason = NULL;
	size_t i, known = 0;

	for (i = 0; i < ps->n; i++) {
		snprintf(rel, sizeof(rel), TTM_DEBUGFS "/pools/%s", ps->v[i].name);
		text = sys_read(rel);
		force = dump_field(text, "swiotlb_force");
		reason = dump_field(text, "path_reason");
		if (force) {
			known++;
			if (!yes && strcmp(force, "0")) {
				yes = ps->v[i].name;
				yes_reason = reason;
				reason = NULL;
			}
		}
		free(force);
		free(reason);
		free(text);
	}
	if (yes)
		fprintf(d->out, "swiotlb_force: yes (the kernel, pool %s: %s)\n", yes,
			yes_reason ? yes_reason : "no path_reason");
	else if (known)
		fprintf(d->out, "swiotlb_force: no (the kernel, %zu of %zu pools)\n", known, ps->n);
	else
		fprintf(d->out, "swiotlb_force: unknown (%s)\n", ps->n ?
			"the pools' debugfs dumps are not readable" : "no pools");
	free(yes_reason);
}

static void kernel_log(struct dump *d)
{
	int err;

	fprintf(d->out, "\n== kernel log (TTM, DRM, swiotlb)\n");
	err = klog_print(d->out);
	if (err) {
		fprintf(d->out, "(not available: %s)\n", sys_strerror(err));
		note(d, sys_path("/dev/kmsg"), err);
	}
}

static void meminfo(struct dump *d)
{
	static const char *const keys[] = {
		"MemTotal:", "MemFree:", "MemAvailable:", "KReclaimable:",
		"SReclaimable:", "Shmem:", "DirectMap4k:", "DirectMap2M:",
	};
	char *s = sys_read("/proc/meminfo"), *line, *save;
	size_t i;

	fprintf(d->out, "\n== /proc/meminfo\n");
	if (!s) {
		note(d, sys_path("/proc/meminfo"), errno);
		return;
	}
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				fprintf(d->out, "%s\n", line);
	free(s);
}

int cmd_dump(const struct outopts *o, int argc, char **argv)
{
	static const char *const summary[] = { "inuse_pages", "clean_pages", "dirty_pages" };
	struct dump d = { .out = stdout };
	char rel[PATH_MAX], tmpname[PATH_MAX], *cmdline;
	struct pools ps = { 0 };
	struct pool *only = NULL;
	const char *spec = argc ? argv[0] : NULL;
	size_t i;

	if (sys_exists(TTM_SYSFS) && pools_load(&ps) == 0 && spec) {
		only = pools_find(&ps, spec);
		if (!only) {
			pools_free(&ps);
			return EXIT_FAILURE;
		}
	} else if (spec) {
		warnx("no pool '%s': there are no TTM pools", spec);
		return EXIT_FAILURE;
	}
	if (o->outfile) {
		d.out = out_open(o->outfile, tmpname, sizeof(tmpname), 0666);
		if (!d.out) {
			pools_free(&ps);
			return EXIT_FAILURE;
		}
	}

	fprintf(d.out, "ttm-poolctl dump v1\n");
	fprintf(d.out, "tool: ttm-poolctl %s\n", TTM_POOLCTL_VERSION);
	line_from(&d, "kernel", "/proc/sys/kernel/osrelease");
	line_from(&d, "cmdline", "/proc/cmdline");
	cmdline = sys_read("/proc/cmdline");
	swiotlb_cmdline(&d, cmdline);
	free(cmdline);
	swiotlb_force(&d, &ps);
	fprintf(d.out, "page_size: %llu\n", (unsigned long long)pool_page_size());

	fprintf(d.out, "\n== global (%s)\n", TTM_SYSFS);
	if (!sys_exists(TTM_SYSFS))
		fprintf(d.out, "(none: no TTM driver is bound, or no ttm-pool sysfs interface)\n");
	else {
		line_from(&d, "pool_max_pages", TTM_SYSFS "/pool_max_pages");
		line_from(&d, "pooled_pages", TTM_SYSFS "/pooled_pages");
		/* the memory summary, where the kernel has it */
		for (i = 0; i < sizeof(summary) / sizeof(*summary); i++) {
			snprintf(rel, sizeof(rel), TTM_SYSFS "/%s", summary[i]);
			if (sys_exists(rel))
				line_from(&d, summary[i], rel);
		}
		if (sys_exists(TTM_SYSFS "/nodes"))
			dir_values(&d, TTM_SYSFS "/nodes", "nodes/");
	}
	for (i = 0; i < ps.n; i++) {
		if (only && only != &ps.v[i])
			continue;
		fprintf(d.out, "\n== pool %s (sysfs)\n", ps.v[i].name);
		snprintf(rel, sizeof(rel), TTM_SYSFS "/pools/%s", ps.v[i].name);
		dir_values(&d, rel, "");
		snprintf(rel, sizeof(rel), TTM_DEBUGFS "/pools/%s", ps.v[i].name);
		file_section(&d, "debugfs dump", rel);
	}
	if (!only)
		file_section(&d, "debugfs page_pool", TTM_DEBUGFS "/page_pool");
	fprintf(d.out, "\n== swiotlb (/sys/kernel/debug/swiotlb)\n");
	dir_values(&d, "/sys/kernel/debug/swiotlb", "");
	fprintf(d.out, "\n== ttm module parameters (/sys/module/ttm/parameters)\n");
	dir_values(&d, "/sys/module/ttm/parameters", "");
	kernel_log(&d);
	meminfo(&d);
	fprintf(d.out, "\n== notes\n%s", d.notes_len ? d.notes : "(none)\n");

	if (d.out != stdout && out_close(d.out, tmpname, o->outfile)) {
		pools_free(&ps);
		return EXIT_FAILURE;
	}
	pools_free(&ps);
	return EXIT_SUCCESS;
}
