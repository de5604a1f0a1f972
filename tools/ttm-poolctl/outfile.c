// SPDX-License-Identifier: GPL-2.0
/* Output files (dump -f, stats --prometheus -f): complete or not at all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttm-poolctl.h"

/*
 * The output file is written as a new temporary file next to it (mkostemp:
 * O_CREAT|O_EXCL, so never through a symlink an attacker planted in /tmp)
 * and renamed over FILE when complete, which replaces a symlink rather than
 * following it. Its mode is @mode less the umask.
 */
FILE *out_open(const char *file, char *tmp, size_t len, mode_t mode)
{
	const char *slash = strrchr(file, '/');
	mode_t mask;
	FILE *f;
	int fd;

	if (slash)
		snprintf(tmp, len, "%.*s/.%s.XXXXXX", (int)(slash - file), file, slash + 1);
	else
		snprintf(tmp, len, ".%s.XXXXXX", file);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		warnx("cannot create a file next to %s: %s", file, sys_strerror(errno));
		return NULL;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, mode & ~mask) || !(f = fdopen(fd, "w"))) {
		warnx("cannot write %s: %s", tmp, sys_strerror(errno));
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return f;
}

int out_close(FILE *f, const char *tmp, const char *file)
{
	bool failed = ferror(f) != 0;

	if (fclose(f) || failed) {
		warnx("cannot write %s: %s", file, failed ? "write error" : sys_strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, file)) {
		warnx("cannot rename %s to %s: %s", tmp, file, sys_strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
