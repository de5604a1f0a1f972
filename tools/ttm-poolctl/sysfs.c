// SPDX-License-Identifier: GPL-2.0
/* Reading and writing sysfs/debugfs files below an optional sysroot. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttm-poolctl.h"

static const char *root = "";
static char pathbuf[PATH_MAX];

void sys_set_root(const char *r)
{
	size_t n = strlen(r);

	while (n > 1 && r[n - 1] == '/')
		n--;
	root = strndup(r, n);
	if (!root || !strcmp(root, "/"))
		root = "";
}

const char *sys_root(void)
{
	return root;
}

const char *sys_path(const char *rel)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s%s", root, rel);
	return pathbuf;
}

char *sys_read(const char *rel)
{
	char buf[8192];
	ssize_t n, len = 0;
	int fd, err;

	fd = open(sys_path(rel), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += n;
		if (len == (ssize_t)sizeof(buf) - 1)
			break;
	}
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return strdup(buf);
}

int sys_read_u64(const char *rel, uint64_t *val)
{
	char *s = sys_read(rel), *end;
	int ret = 0;

	if (!s)
		return -errno;
	errno = 0;
	*val = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		ret = -EINVAL;
	free(s);
	return ret;
}

int sys_write(const char *rel, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(sys_path(rel), O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **sys_list(const char *rel, size_t *n)
{
	char **names = NULL, **nn;
	struct dirent *de;
	int err = 0;
	DIR *d;

	*n = 0;
	d = opendir(sys_path(rel));
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		nn = realloc(names, (*n + 2) * sizeof(*names));
		if (!nn || !(nn[*n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			err = ENOMEM;
			break;
		}
		names = nn;
		names[++*n] = NULL;
	}
	closedir(d);
	if (!err && !names)
		names = calloc(1, sizeof(*names));
	if (err || !names) {
		sys_list_free(names, *n);
		*n = 0;
		errno = err ? err : ENOMEM;
		return NULL;
	}
	qsort(names, *n, sizeof(*names), cmpstr);
	return names;
}

void sys_list_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

bool sys_exists(const char *rel)
{
	struct stat st;

	return lstat(sys_path(rel), &st) == 0;
}

/*
 * What a rejected write means, as Documentation/ABI/testing/sysfs-kernel-ttm
 * documents it for the file written.
 */
const char *sys_write_strerror(const char *rel, const char *val, int err)
{
	const char *file = strrchr(rel, '/');

	file = file ? file + 1 : rel;
	if (err < 0)
		err = -err;
	if (err == ERANGE && strstr(file, "max_pages"))
		return "more than the machine's RAM (Numerical result out of range)";
	if (err == EINVAL && !strcmp(file, "alloc_path") && !strcmp(val, "coherent"))
		return "a pool without a device (nodev) cannot use the coherent path, "
		       "or the kernel does not know the word (Invalid argument)";
	if (err == EOPNOTSUPP && !strcmp(file, "alloc_path"))
		return "in a confidential guest (AMD SEV, Intel TDX) a pool keeps the path "
		       "its driver asked for (Operation not supported)";
	if (err == EINVAL && strstr(file, "watermark_pages"))
		return "low <= high <= max would not hold (Invalid argument)";
	if (err == ENOMEM && !strcmp(file, "prezero"))
		return "the kernel could not make the clearing worker's thread "
		       "(Cannot allocate memory)";
	if (err == ENODEV || err == ENOENT)
		return "the pool went away: its driver was unbound";
	return sys_strerror(err);
}

const char *sys_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == EACCES || err == EPERM)
		return "needs root";
	return strerror(err);
}
