// SPDX-License-Identifier: GPL-2.0
/*
 * The writes of set and apply: a pool's cap, watermarks and prezero, the
 * global cap; and set's verify_clean, a QA control in debugfs.
 *
 * A kernel with limits/ (ttm-pool since 2026-12) sets the sizes together: the
 * tool stages the values asked for and commits them, and the kernel applies
 * its rules to all of them at once, or changes nothing. The tool only adds a
 * convenience of its own: a high watermark asked for below the low one in
 * force lowers low with it (said on stderr).
 *
 * On an older kernel, which keeps low <= high <= max at every write, the
 * values are written in an order that never breaks it: a raised cap first, a
 * lowered cap last, and the watermark that makes room for the other first.
 * If the kernel rejects a write, the values written before are restored.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ttm-poolctl.h"

static const char *const key_files[K_NR] = {
	"max_pages", "high_watermark_pages", "low_watermark_pages"
};

static const char *const limit_files[K_NR] = {
	"limits/max_pages", "limits/high_watermark_pages",
	"limits/low_watermark_pages"
};

static bool has_commit(const char *name)
{
	return sys_exists(pool_file(name, "limits/commit"));
}

/* Stage @val for key @k in limits/; 0 or -errno after a message. */
static int stage(const char *name, int k, uint64_t val)
{
	char buf[32];
	int err;

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	err = sys_write(pool_file(name, limit_files[k]), buf);
	if (err)
		warnx("cannot set %s to %s: %s", sys_path(pool_file(name, limit_files[k])),
		      buf, sys_write_strerror(key_files[k], buf, err));
	return err;
}

/* "max=N high=N low=N", of the sizes asked for, for messages. */
static const char *asked(const uint64_t *want, const bool *set, char *buf, size_t len)
{
	static const char *const words[K_NR] = { "max", "high", "low" };
	size_t n = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < K_NR && n < len; k++)
		if (set[k])
			n += snprintf(buf + n, len - n, "%s%s=%llu", n ? " " : "",
				      words[k], (unsigned long long)want[k]);
	return buf;
}

/*
 * Stage the sizes of @set and commit them: 0, or -errno after a message,
 * nothing changed and nothing left staged. Values someone else left staged
 * are dropped first, so that only these are committed. If the kernel refuses
 * a high watermark below the low one in force (-EINVAL, low not asked for),
 * low is staged at that high watermark too and the commit tried once more.
 */
static int commit_sizes(const char *name, const uint64_t *cur,
			const uint64_t *want, const bool *set)
{
	char commit[PATH_MAX], what[96];
	int k, err = 0;

	/* pool_file() returns a buffer that its next call reuses. */
	snprintf(commit, sizeof(commit), "%s", pool_file(name, "limits/commit"));
	/* A failure here (not root) shows at the first staging write. */
	sys_write(commit, "0");
	for (k = 0; k < K_NR && !err; k++)
		if (set[k])
			err = stage(name, k, want[k]);
	if (!err) {
		err = sys_write(commit, "1");
		if (err == -EINVAL && set[K_HIGH] && !set[K_LOW] &&
		    cur[K_LOW] > want[K_HIGH]) {
			err = stage(name, K_LOW, want[K_HIGH]);
			if (!err)
				err = sys_write(commit, "1");
			if (!err)
				warnx("%s: lowering low_watermark_pages from %llu to %llu, the "
				      "new high watermark", name, (unsigned long long)cur[K_LOW],
				      (unsigned long long)want[K_HIGH]);
		}
		if (err == -EINVAL)
			warnx("%s: low <= high <= max would not hold with %s; nothing changed",
			      name, asked(want, set, what, sizeof(what)));
		else if (err)
			warnx("%s: cannot set %s: %s; nothing changed", name,
			      asked(want, set, what, sizeof(what)),
			      sys_write_strerror("max_pages", "", err));
	}
	/* Leave nothing staged for the next writer. */
	if (err)
		sys_write(pool_file(name, "limits/commit"), "0");
	return err;
}

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
			warnx("cannot read %s: %s", sys_path(pool_file(name, key_files[k])),
			      sys_strerror(err));
			return err;
		}
	}
	return 0;
}

/*
 * The watermark writes taking (@h, @l) to (@H, @L) so that low <= high holds
 * after each: high first if the current low is not above the new high, else
 * low first (one of the two always works when @L <= @H).
 */
static int plan_marks(uint64_t h, uint64_t l, uint64_t H, uint64_t L,
		      bool wh, bool wl, struct step *s)
{
	int n = 0;

	(void)h;
	if (!wl || (wh && l <= H)) {
		if (wh)
			s[n++] = (struct step){ K_HIGH, H };
		if (wl)
			s[n++] = (struct step){ K_LOW, L };
	} else {
		s[n++] = (struct step){ K_LOW, L };
		if (wh)
			s[n++] = (struct step){ K_HIGH, H };
	}
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

int set_global_max(uint64_t max)
{
	uint64_t before, after;
	char buf[32];
	int err;

	if (!sys_exists(TTM_SYSFS)) {
		warnx("%s does not exist (no TTM driver is bound, or the kernel has "
		      "no ttm-pool sysfs interface)", sys_path(TTM_SYSFS));
		return EXIT_FAILURE;
	}
	err = sys_read_u64(TTM_SYSFS "/pool_max_pages", &before);
	if (err) {
		warnx("cannot read %s: %s", sys_path(TTM_SYSFS "/pool_max_pages"),
		      sys_strerror(err));
		return EXIT_FAILURE;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)max);
	err = sys_write(TTM_SYSFS "/pool_max_pages", buf);
	if (err) {
		warnx("cannot set %s to %s: %s", sys_path(TTM_SYSFS "/pool_max_pages"),
		      buf, sys_write_strerror("pool_max_pages", buf, err));
		return EXIT_FAILURE;
	}
	if (sys_read_u64(TTM_SYSFS "/pool_max_pages", &after))
		after = max;
	report("global", "pool_max_pages", before, after);
	return EXIT_SUCCESS;
}

/*
 * Put back @cur after a failed or refused change: max first, then the marks.
 * With limits/, only the sizes of @set are committed back, so that the others
 * keep following as they did.
 */
static void restore(const char *name, const uint64_t *cur, const bool *set)
{
	uint64_t now[K_NR];
	struct step s[K_NR];
	int n = 0, failed;

	if (has_commit(name)) {
		if (commit_sizes(name, cur, cur, set))
			goto fail;
		warnx("%s: previous values restored", name);
		return;
	}
	if (read_state(name, now))
		goto fail;
	if (now[K_MAX] != cur[K_MAX]) {
		s[0] = (struct step){ K_MAX, cur[K_MAX] };
		if (apply(name, s, 1, &failed) || read_state(name, now))
			goto fail;
	}
	n = plan_marks(now[K_HIGH], now[K_LOW], cur[K_HIGH], cur[K_LOW],
		       now[K_HIGH] != cur[K_HIGH], now[K_LOW] != cur[K_LOW], s);
	if (apply(name, s, n, &failed))
		goto fail;
	warnx("%s: previous values restored", name);
	return;
fail:
	warnx("%s: could not restore the previous values", name);
}

static void refuse(const char *name, uint64_t l, uint64_t h, uint64_t m)
{
	warnx("%s: low (%llu) <= high (%llu) <= max (%llu) would not hold; "
	      "nothing changed", name, (unsigned long long)l,
	      (unsigned long long)h, (unsigned long long)m);
}

/* A pool's prezero mode now, PZ_UNKNOWN if unreadable (@numeric: prezero_read_mode()). */
static int prezero_now(const char *name, bool *numeric)
{
	char *s = sys_read(pool_file(name, "prezero"));
	int mode = prezero_read_mode(s, numeric);

	free(s);
	return mode;
}

/*
 * A pool's prezero mode, and whether it is an older kernel's 0 or 1
 * (@numeric: no auto); -errno after a message (older kernels have none).
 */
static int read_prezero(const char *name, int *mode, bool *numeric)
{
	const char *rel = pool_file(name, "prezero");
	int err = 0;
	char *s;

	if (!sys_exists(rel)) {
		if (!sys_exists(pool_file(name, "max_pages")))
			warnx("%s: the pool went away: its driver was unbound", name);
		else
			warnx("%s: the kernel has no pre-cleared chunks (no %s): cannot set prezero",
			      name, sys_path(pool_file(name, "prezero")));
		return -ENOENT;
	}
	s = sys_read(rel);
	if (!s) {
		err = -errno;
		warnx("cannot read %s: %s", sys_path(pool_file(name, "prezero")),
		      sys_strerror(err));
		return err;
	}
	*mode = prezero_read_mode(s, numeric);
	if (*mode == PZ_UNKNOWN) {
		warnx("%s reads '%s', not auto, on or off: cannot set prezero",
		      sys_path(pool_file(name, "prezero")), s);
		err = -EINVAL;
	}
	free(s);
	return err;
}

/* What prezero is written for @mode: its word, or on an older kernel 1 or 0. */
static const char *prezero_value(int mode, bool numeric)
{
	if (numeric)
		return mode == PZ_OFF ? "0" : "1";
	return prezero_word(mode);
}

/* A pool's verify_clean, 0 or 1; -errno after a message. */
static int read_verify_clean(const char *name, uint64_t *v)
{
	int err = sys_read_u64(qa_file(name, "verify_clean"), v);

	if (!err && *v > 1)
		err = -EINVAL;
	if (err)
		qa_warn(name, "verify_clean", NULL, err);
	return err;
}

/* "POOL: KEY on -> off", or "(unchanged)" */
static void report_switch(const char *name, const char *key, const char *before,
			  const char *after)
{
	if (!strcmp(before, after))
		printf("%s: %s %s (unchanged)\n", name, key, after);
	else
		printf("%s: %s %s -> %s\n", name, key, before, after);
}

/*
 * Sets the sizes, then prezero, then verify_clean (@prezero a mode,
 * @verify_clean 0 or 1; < 0: not asked): a request that cannot hold, a pool
 * without prezero (or without its auto, when asked for) or without QA
 * controls is refused before any write, and what was written is put back
 * if a later write is refused.
 */
int pool_set(const char *name, const uint64_t *want, const bool *set, int prezero,
	     int verify_clean)
{
	uint64_t cur[K_NR], now[K_NR], h, l, m, vc_before = 0, vc_after;
	bool sizes = set[K_MAX] || set[K_HIGH] || set[K_LOW], wrote = false, pz_changed;
	bool pz_numeric = false, numeric;
	int pz_before = PZ_UNKNOWN, pz_after;
	struct step s[K_NR];
	int n, failed = -1, k, ret = EXIT_FAILURE, err;

	if (sizes && read_state(name, cur))
		return EXIT_FAILURE;
	if (prezero >= 0 && read_prezero(name, &pz_before, &pz_numeric))
		return EXIT_FAILURE;
	if (prezero == PZ_AUTO && pz_numeric) {
		warnx("%s: the kernel has no prezero auto (its prezero is 1 or 0: on or off); "
		      "nothing changed", name);
		return EXIT_FAILURE;
	}
	if (verify_clean >= 0 && read_verify_clean(name, &vc_before))
		return EXIT_FAILURE;
	if (!sizes)
		goto write_switches;
	if (has_commit(name)) {
		if (commit_sizes(name, cur, want, set))
			goto out;
		goto write_switches;
	}
	/*
	 * What certainly cannot hold, refused before any write. A high mark
	 * never written equals max and follows it; one written is only lowered
	 * to a lower cap. If low alone is given, the high it must fit under is
	 * known only after the cap is written when high == max now.
	 */
	m = set[K_MAX] ? want[K_MAX] : cur[K_MAX];
	h = set[K_HIGH] ? want[K_HIGH] : (cur[K_HIGH] == cur[K_MAX] && m > cur[K_MAX] ?
					  m : (cur[K_HIGH] < m ? cur[K_HIGH] : m));
	l = set[K_LOW] ? want[K_LOW] : 0;
	if (l > h || h > m) {
		refuse(name, l, h, m);
		goto out;
	}

	/* 1. the cap: the kernel moves the watermarks to follow it */
	if (set[K_MAX]) {
		s[0] = (struct step){ K_MAX, want[K_MAX] };
		err = apply(name, s, 1, &failed);
		if (err)
			goto failed;
		wrote = true;
	}
	/* 2. the watermarks, from where the cap left them */
	if (read_state(name, now))
		goto out;
	h = set[K_HIGH] ? want[K_HIGH] : now[K_HIGH];
	l = set[K_LOW] ? want[K_LOW] : (now[K_LOW] > h ? h : now[K_LOW]);
	if (l > h || h > now[K_MAX]) {
		refuse(name, l, h, now[K_MAX]);
		if (wrote)
			restore(name, cur, set);
		goto out;
	}
	if (!set[K_LOW] && l < now[K_LOW])
		warnx("%s: lowering low_watermark_pages from %llu to %llu, the new high "
		      "watermark", name, (unsigned long long)now[K_LOW], (unsigned long long)l);
	n = plan_marks(now[K_HIGH], now[K_LOW], h, l, set[K_HIGH],
		       set[K_LOW] || l < now[K_LOW], s);
	err = apply(name, s, n, &failed);
	if (err)
		goto failed;
write_switches:
	/* 3. prezero (writing off returns once the clearing worker stopped) */
	if (prezero >= 0) {
		const char *val = prezero_value(prezero, pz_numeric);

		err = sys_write(pool_file(name, "prezero"), val);
		if (err) {
			warnx("cannot set %s to %s: %s", sys_path(pool_file(name, "prezero")),
			      val, sys_write_strerror("prezero", val, err));
			if (sizes)
				restore(name, cur, set);
			goto out;
		}
	}
	/* 4. verify_clean (debugfs, root only) */
	if (verify_clean >= 0) {
		const char *val = verify_clean ? "1" : "0";

		err = sys_write(qa_file(name, "verify_clean"), val);
		if (err) {
			qa_warn(name, "verify_clean", val, err);
			/* prezero first: restore() says when all is back */
			pz_changed = prezero >= 0 && pz_before != prezero;
			if (pz_changed && sys_write(pool_file(name, "prezero"),
						    prezero_value(pz_before, pz_numeric))) {
				warnx("%s: could not restore prezero %s", name,
				      prezero_word(pz_before));
				pz_changed = false;
			}
			if (sizes)
				restore(name, cur, set);
			else if (pz_changed)
				warnx("%s: previous values restored", name);
			goto out;
		}
	}
	if (sizes) {
		if (read_state(name, now))
			goto out;
		for (k = 0; k < K_NR; k++)
			report(name, key_files[k], cur[k], now[k]);
	}
	if (prezero >= 0) {
		/* read back: the kernel's "[auto] on off", or the value written */
		pz_after = prezero_now(name, &numeric);
		if (pz_after == PZ_UNKNOWN)
			pz_after = prezero;
		report_switch(name, "prezero", prezero_word(pz_before), prezero_word(pz_after));
	}
	if (verify_clean >= 0) {
		if (sys_read_u64(qa_file(name, "verify_clean"), &vc_after) || vc_after > 1)
			vc_after = (uint64_t)verify_clean;
		report_switch(name, "verify_clean", pool_onoff(vc_before), pool_onoff(vc_after));
	}
	ret = EXIT_SUCCESS;
	goto out;
failed:
	warnx("cannot set %s to %llu: %s", sys_path(pool_file(name,
	      key_files[s[failed].key])), (unsigned long long)s[failed].val,
	      sys_write_strerror(key_files[s[failed].key], "", err));
	if (wrote || failed > 0)
		restore(name, cur, set);
out:
	return ret;
}
