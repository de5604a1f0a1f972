// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for ttm-poolctl tests against fake trees: plain files
 * accept any write, the kernel does not. Environment:
 *   FAKESYS_LOG=FILE          append "write PATH VALUE" for every write
 *   FAKESYS_FAIL=SUB:ERR,...  writes to paths containing SUB fail with errno ERR
 *   FAKESYS_FAIL_READ=SUB:ERR opens for reading such paths fail with ERR
 * Like sysfs, a write replaces the value and a rejected write changes
 * nothing: O_TRUNC on files below /sys/ is applied at the first accepted
 * write rather than at open.
 *   FAKESYS_KERNEL=RAMPAGES   writes to a pool's max_pages and watermarks
 *                             follow the kernel's rules (ttm_pool.c), with the
 *                             "written" flags kept in the pool's .kstate
 *                             ("max high low high_set low_set"); max_pages
 *                             above RAMPAGES fails with ERANGE. An unwritten
 *                             low follows max only up to high (the ABI's
 *                             low <= high <= max after every write).
 *                             A pool's prezero too: one that reads
 *                             "[auto] on off" takes auto, on, off and the
 *                             other words of on and off (1, y, yes, true;
 *                             0, n, no, false) and reads the mode in
 *                             brackets after; one of a kernel before auto,
 *                             1 or 0, takes the words of on and off and
 *                             reads 1 or 0; anything else fails with EINVAL,
 *                             nothing changed.
 * Like tracefs, an event's filter cleared with "0" reads "none" after it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *paths[1024];
static bool trunc_at_write[1024];

static int rule(const char *env, const char *path)
{
	const char *r = getenv(env);
	char buf[4096], *tok, *save, *colon;

	if (!r || !path)
		return 0;
	snprintf(buf, sizeof(buf), "%s", r);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		colon = strrchr(tok, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (strstr(path, tok))
			return atoi(colon + 1);
	}
	return 0;
}

static int track(int fd, const char *path, int flags)
{
	int err;

	if (fd < 0)
		return fd;
	err = (flags & O_ACCMODE) == O_RDONLY ? rule("FAKESYS_FAIL_READ", path) : 0;
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	if (fd < 1024) {
		free(paths[fd]);
		paths[fd] = strdup(path);
	}
	return fd;
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && strstr(path, "/sys/")) {
		int fd = track(real(path, flags & ~O_TRUNC, mode), path, flags);

		if (fd >= 0 && fd < 1024)
			trunc_at_write[fd] = true;
		return fd;
	}
	return track(real(path, flags, mode), path, flags);
}

/* The kernel's rules for single writes (ttm_pool_set_limits() with one value). */
static int kernel_write(const char *path, const char *buf, size_t len)
{
	static const char *const files[3] = {
		"max_pages", "high_watermark_pages", "low_watermark_pages"
	};
	unsigned long st[5], v, ram = strtoul(getenv("FAKESYS_KERNEL"), NULL, 10);
	const char *slash = strrchr(path, '/');
	char dir[4096], f[4200], val[64], *end;
	int which, i, err = 0;
	FILE *fp;

	for (which = 0; which < 3; which++)
		if (!strcmp(slash + 1, files[which]))
			break;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	snprintf(f, sizeof(f), "%s/.kstate", dir);
	fp = fopen(f, "r");
	if (!fp)
		return -ENOENT;
	i = fscanf(fp, "%lu %lu %lu %lu %lu", &st[0], &st[1], &st[2], &st[3], &st[4]);
	fclose(fp);
	if (i != 5)
		return -EIO;
	snprintf(val, sizeof(val), "%.*s", (int)(len < 63 ? len : 63), buf);
	v = strtoul(val, &end, 10);
	if (end == val || (*end && strcmp(end, "\n")))
		err = -EINVAL;
	else if (which == 0 && v > ram)
		err = -ERANGE;
	else if (which == 0) {
		st[0] = v;
		if (!st[3] || st[1] > v)
			st[1] = v;
		if (!st[4] || st[2] > v)
			st[2] = st[1] < v ? st[1] : v;
	} else {
		unsigned long high = which == 1 ? v : (st[3] ? st[1] : (st[1] > v ? st[1] : v));
		unsigned long low = which == 2 ? v : (st[4] ? st[2] : (st[2] < v ? st[2] : v));

		if (low > high || high > st[0]) {
			err = -EINVAL;
		} else {
			st[1] = high;
			st[2] = low;
			st[3] |= which == 1;
			st[4] |= which == 2;
		}
	}
	/* Rewritten even after a rejected write: an O_TRUNC open emptied one. */
	fp = fopen(f, "w");
	if (!fp)
		return -EIO;
	fprintf(fp, "%lu %lu %lu %lu %lu\n", st[0], st[1], st[2], st[3], st[4]);
	fclose(fp);
	for (i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s/%s", dir, files[i]);
		fp = fopen(f, "w");
		if (!fp)
			return -EIO;
		fprintf(fp, "%lu\n", st[i]);
		fclose(fp);
	}
	return err;
}

/* prezero's rules (ttm_pool_sysfs.c): its new value written, or -EINVAL. */
static int prezero_write(const char *path, const char *buf, size_t len)
{
	static const char *const words[][5] = {
		{ "off", "0", "n", "no", "false" }, { "on", "1", "y", "yes", "true" },
		{ "auto" },
	};
	char cur[64] = "", val[64];
	bool numeric;
	int mode = -1, i, j;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return -ENOENT;
	if (!fgets(cur, sizeof(cur), fp))
		cur[0] = '\0';
	fclose(fp);
	numeric = cur[0] == '0' || cur[0] == '1';
	snprintf(val, sizeof(val), "%.*s", (int)(len < 63 ? len : 63), buf);
	if (len && val[len - 1] == '\n')
		val[len - 1] = '\0';
	for (i = 0; i < 3 && mode < 0; i++)
		for (j = 0; j < 5 && mode < 0; j++)
			if (words[i][j] && !strcmp(val, words[i][j]))
				mode = i;
	if (mode < 0 || (mode == 2 && numeric))
		return -EINVAL;
	fp = fopen(path, "w");
	if (!fp)
		return -EIO;
	if (numeric)
		fprintf(fp, "%d\n", mode);
	else
		fprintf(fp, "%s %s %s\n", mode == 2 ? "[auto]" : "auto", mode == 1 ? "[on]" : "on",
			mode == 0 ? "[off]" : "off");
	fclose(fp);
	return 0;
}

static bool kernel_file(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash && getenv("FAKESYS_KERNEL") && strstr(path, "/sys/kernel/ttm/pools/") &&
	       (!strcmp(slash, "/max_pages") || !strcmp(slash, "/high_watermark_pages") ||
		!strcmp(slash, "/low_watermark_pages") || !strcmp(slash, "/prezero"));
}

/* "0" written to tracefs' events/SYSTEM/EVENT/filter: no filter */
static bool cleared_filter(const char *path, const void *buf, size_t len)
{
	size_t n = path ? strlen(path) : 0;

	return n > 7 && !strcmp(path + n - 7, "/filter") && strstr(path, "/tracing/events/") &&
	       (len == 1 || (len == 2 && ((const char *)buf)[1] == '\n')) &&
	       ((const char *)buf)[0] == '0';
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);
	const char *path = fd >= 0 && fd < 1024 ? paths[fd] : NULL;
	const char *log = getenv("FAKESYS_LOG");
	int err;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (path && log) {
		FILE *f = fopen(log, "a");

		if (f) {
			fprintf(f, "write %s %.*s\n", path, (int)len, (const char *)buf);
			fclose(f);
		}
	}
	err = rule("FAKESYS_FAIL", path);
	if (err) {
		errno = err;
		return -1;
	}
	if (kernel_file(path)) {
		err = strcmp(strrchr(path, '/'), "/prezero") ? kernel_write(path, buf, len) :
							       prezero_write(path, buf, len);
		if (err) {
			errno = -err;
			return -1;
		}
		return len;
	}
	if (fd >= 0 && fd < 1024 && trunc_at_write[fd]) {
		trunc_at_write[fd] = false;
		if (ftruncate(fd, 0))
			return -1;
	}
	if (cleared_filter(path, buf, len))
		return real(fd, "none\n", 5) == 5 ? (ssize_t)len : -1;
	return real(fd, buf, len);
}

int close(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < 1024) {
		free(paths[fd]);
		paths[fd] = NULL;
		trunc_at_write[fd] = false;
	}
	return real(fd);
}
