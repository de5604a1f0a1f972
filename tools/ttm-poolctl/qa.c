// SPDX-License-Identifier: GPL-2.0
/*
 * The QA controls of a pool, debugfs ttm/qa/<pool>/ (root only): inject
 * (failure injection) and verify_clean; their paths and what their errors
 * mean, as Documentation/ABI/testing/debugfs-ttm-pool documents them.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static char qfile[PATH_MAX];

const char *qa_file(const char *name, const char *file)
{
	snprintf(qfile, sizeof(qfile), TTM_QA "/%s/%s", name, file);
	return qfile;
}

/* The word of @setting that starts with @key ("pid="), or @setting. */
static const char *word_of(const char *setting, const char *key, char *buf, size_t len)
{
	const char *p = setting;
	size_t klen = strlen(key);

	while (p && *p) {
		p += strspn(p, " \t");
		if (!strncmp(p, key, klen)) {
			snprintf(buf, len, "%.*s", (int)strcspn(p, " \t"), p);
			return buf;
		}
		p += strcspn(p, " \t");
	}
	snprintf(buf, len, "%s", setting);
	return buf;
}

/* What @err means for @name's QA control @file, read (@val NULL) or written with @val. */
static const char *qa_strerror(const char *name, const char *file, const char *val, int err)
{
	static char msg[PATH_MAX + 512];
	char w[256];

	if (err < 0)
		err = -err;
	if (err == ENOENT || err == ENOTDIR) {
		snprintf(msg, sizeof(msg), "no QA controls for %s (is debugfs mounted? "
			 "a kernel with ttm-pool's QA controls?)", name);
		return msg;
	}
	if (err == EACCES || err == EPERM)
		return "permission denied (root only)";
	if (!val || strcmp(file, "inject"))
		return strerror(err);
	switch (err) {
	case EINVAL:
		snprintf(msg, sizeof(msg), "invalid setting '%s' (expected %s)", val, INJECT_SYNTAX);
		break;
	case ERANGE:
		snprintf(msg, sizeof(msg), "value out of range in '%s' (%s)", val, INJECT_RANGES);
		break;
	case ESRCH:
		snprintf(msg, sizeof(msg), "no such process (%s; a thread's id is not a process's)",
			 word_of(val, "pid=", w, sizeof(w)));
		break;
	case E2BIG:
		snprintf(msg, sizeof(msg), "setting too long: %zu bytes, the kernel takes at most %d",
			 strlen(val), INJECT_MAX);
		break;
	default:
		return strerror(err);
	}
	return msg;
}

void pool_load_qa(struct pool *p)
{
	free(p->inject);
	p->inject = sys_read(qa_file(p->name, "inject"));
	if (sys_read_u64(qa_file(p->name, "verify_clean"), &p->verify_clean) ||
	    p->verify_clean > 1)
		p->verify_clean = UINT64_MAX;
}

bool qa_refused(int err)
{
	if (err < 0)
		err = -err;
	return err == EINVAL || err == ERANGE || err == ESRCH || err == E2BIG;
}

void qa_warn(const char *name, const char *file, const char *val, int err)
{
	if (err < 0)
		err = -err;
	if ((err == ENOENT || err == ENODEV) && !sys_exists(pool_file(name, "max_pages")))
		warnx("%s: the pool went away: its driver was unbound", name);
	else if (err == ENOENT || err == ENOTDIR)
		warnx("%s", qa_strerror(name, file, val, err));
	else if (val && !strcmp(file, "inject") && qa_refused(err))
		warnx("%s: %s", name, qa_strerror(name, file, val, err));
	else
		warnx("cannot %s %s: %s", val ? "write" : "read",
		      sys_path(qa_file(name, file)), qa_strerror(name, file, val, err));
}
