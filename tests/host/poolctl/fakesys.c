// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for ttm-poolctl tests against fake trees: plain files
 * accept any write, the kernel does not. Environment:
 *   FAKESYS_LOG=FILE          append "write PATH VALUE" for every write
 *   FAKESYS_FAIL=SUB:ERR,...  writes to paths containing SUB fail with errno ERR
 *   FAKESYS_FAIL_READ=SUB:ERR opens for reading such paths fail with ERR
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *paths[1024];

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
	return track(real(path, flags, mode), path, flags);
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
	}
	return real(fd);
}
