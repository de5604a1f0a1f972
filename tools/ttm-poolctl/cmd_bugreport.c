// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl bug-report [-o FILE] [--trace-seconds N]: one file for a bug
 * report, ./ttm-pool-bug-report.txt.gz by default (gzip(1) through a pipe:
 * no library but libsmartcols), in sections: the tool's version, the
 * kernel's, its command line, which ttm.ko is loaded and which one is on
 * disk, dkms status, the pools (list, show --global, the debugfs dump of
 * all pools or without it the sysfs view), N seconds of the pools' trace
 * events and the kernel log's TTM and DRM lines. What it cannot read (not
 * root, no debugfs, no tracefs) is said where it would be and under
 * "notes", and the rest is still written.
 *
 * bug-report --summary: the short form for reportbug, on standard output:
 * the versions, the command line, ttm.ko, dkms status and the pools, no
 * debugfs, no trace, no kernel log.
 *
 * dkms and modinfo are the programs of PATH, or those $TTM_POOLCTL_DKMS and
 * $TTM_POOLCTL_MODINFO name (empty: not run); below a --sysroot only those.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ttm-poolctl.h"

#define REPORT_FILE "ttm-pool-bug-report.txt.gz"
#define CMD_TIMEOUT 30		/* seconds a command (dkms, modinfo) may take */
#define CMD_MAX (64 << 10)	/* bytes of its output kept */

struct report {
	FILE *out;
	bool summary;
	/* what could not be read and why, a line each */
	char notes[8192];
	size_t notes_len;
	unsigned int nnotes;
	bool root;		/* a note says a part needs root */
	char *trace_why;	/* the trace's first message */
};

static void __attribute__((format(printf, 2, 3))) note(struct report *r, const char *fmt, ...)
{
	char *start = r->notes + r->notes_len;
	size_t room = sizeof(r->notes) - r->notes_len;
	va_list ap;
	int n;

	if (room < 2)
		return;
	/* leaving room for the newline */
	va_start(ap, fmt);
	n = vsnprintf(start, room - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	r->root |= strstr(start, "needs root") || strstr(start, "(root only)");
	r->notes_len += (size_t)n < room - 2 ? (size_t)n : room - 2;
	r->notes[r->notes_len++] = '\n';
	r->notes[r->notes_len] = '\0';
	r->nnotes++;
}

static void section(struct report *r, const char *title)
{
	fprintf(r->out, "\n== %s\n", title);
}

/* Why @rel cannot be read: "needs root", with a hint for what is not there. */
static const char *why(const char *rel, int err)
{
	if (err < 0)
		err = -err;
	if (err == ENOENT && !strncmp(rel, "/sys/kernel/debug/", 18))
		return "No such file or directory (is debugfs mounted on /sys/kernel/debug?)";
	return sys_strerror(err);
}

/* "KEY: value" of a small file; "(none)" if it is not there, if @optional. */
static void value(struct report *r, const char *key, const char *rel, bool optional)
{
	char *s = sys_read(rel);

	if (s) {
		fprintf(r->out, "%s: %s\n", key, s);
		free(s);
	} else if (optional && errno == ENOENT) {
		fprintf(r->out, "%s: (none)\n", key);
	} else {
		int err = errno;

		fprintf(r->out, "%s: (not available: %s)\n", key, why(rel, err));
		note(r, "could not read %s: %s", sys_path(rel), why(rel, err));
	}
}

/* The whole of a file, however long; 0 or -errno. */
static int copy_file(struct report *r, const char *rel)
{
	char buf[1 << 14];
	bool nl = true;
	ssize_t n;
	int fd, err = 0;

	fd = open(sys_path(rel), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		fwrite(buf, 1, n, r->out);
		nl = buf[n - 1] == '\n';
	}
	close(fd);
	if (!nl)
		fputc('\n', r->out);
	return err;
}

/* ---- commands: dkms, modinfo -------------------------------------------- */

/* Where commands are looked for when PATH is unset or empty. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The program to run as @name: the one $@env names (set but empty: none),
 * else @name from PATH, but none below a sysroot; NULL with @why (of @len
 * bytes) saying why not.
 */
static const char *program(const char *name, const char *env, char *why_not, size_t len)
{
	static char found[PATH_MAX];
	const char *e = getenv(env), *path = getenv("PATH"), *end;

	if (e && *e)
		return e;
	if (e) {
		snprintf(why_not, len, "not run: $%s is empty", env);
		return NULL;
	}
	if (*sys_root()) {
		snprintf(why_not, len, "not run below --sysroot (set $%s to run one)", env);
		return NULL;
	}
	for (path = path && *path ? path : DEFAULT_PATH; *path; path = *end ? end + 1 : end) {
		end = strchrnul(path, ':');
		if (end == path)
			continue;
		snprintf(found, sizeof(found), "%.*s/%s", (int)(end - path), path, name);
		if (access(found, X_OK) == 0)
			return found;
	}
	snprintf(why_not, len, "%s is not installed (not in PATH)", name);
	return NULL;
}

/*
 * "$ ARGS" and what the program printed (standard output and error), at
 * most CMD_MAX bytes and CMD_TIMEOUT seconds, then its exit status if not
 * 0; 0, or -1 if it could not be run.
 */
static int run(struct report *r, const char *prog, char *const argv[])
{
	char buf[4096];
	struct pollfd pfd;
	size_t kept = 0, i;
	ssize_t n;
	time_t end;
	pid_t pid;
	int p[2], status, left;
	bool nl = true, killed = false;

	fputs("$", r->out);
	for (i = 0; argv[i]; i++)
		fprintf(r->out, " %s", argv[i]);
	fputc('\n', r->out);
	fflush(r->out);
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(r->out, "(not run: %s)\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(r->out, "(not run: %s)\n", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		setenv("LC_ALL", "C", 1);
		signal(SIGPIPE, SIG_DFL);	/* ignored here: not in its pipelines */
		execv(prog, argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	end = time(NULL) + CMD_TIMEOUT;
	for (;;) {
		left = (int)(end - time(NULL));
		n = left > 0 ? poll(&pfd, 1, left * 1000) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (kept < CMD_MAX) {
			size_t k = (size_t)n < CMD_MAX - kept ? (size_t)n : CMD_MAX - kept;

			fwrite(buf, 1, k, r->out);
			nl = buf[k - 1] == '\n';
		}
		kept += n;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!nl)
		fputc('\n', r->out);
	if (!kept)
		fputs("(no output)\n", r->out);
	if (kept > CMD_MAX)
		fprintf(r->out, "(%zu more bytes left out)\n", kept - CMD_MAX);
	if (killed) {
		fprintf(r->out, "(killed after %d s)\n", CMD_TIMEOUT);
		note(r, "%s did not end within %d s", argv[0], CMD_TIMEOUT);
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		fprintf(r->out, "(exit status %d)\n", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		fprintf(r->out, "(killed by signal %d)\n", WTERMSIG(status));
	}
	return 0;
}

/* ---- the sections --------------------------------------------------------- */

/* uname -srvm (not the host name), /proc/version, /proc/cmdline */
static void kernel(struct report *r)
{
	struct utsname u;

	section(r, "kernel");
	if (!*sys_root() && uname(&u) == 0) {
		fprintf(r->out, "uname: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
	} else {
		char *s[4] = {
			sys_read("/proc/sys/kernel/ostype"), sys_read("/proc/sys/kernel/osrelease"),
			sys_read("/proc/sys/kernel/version"), sys_read("/proc/sys/kernel/arch"),
		};
		int i;

		fprintf(r->out, "uname: %s %s %s %s\n", s[0] ? s[0] : "?", s[1] ? s[1] : "?",
			s[2] ? s[2] : "?", s[3] ? s[3] : "?");
		for (i = 0; i < 4; i++)
			free(s[i]);
	}
	value(r, "/proc/version", "/proc/version", false);
	value(r, "/proc/cmdline", "/proc/cmdline", false);
}

/*
 * The path of ttm.ko that modinfo -n ttm gives: its line in modules.dep of
 * the running kernel (depmod writes the one it chose); NULL if none.
 */
static char *modules_dep_ttm(struct report *r)
{
	char *rel, *release = sys_read("/proc/sys/kernel/osrelease"), *line = NULL, *found = NULL;
	size_t cap = 0;
	FILE *f;
	int err;

	if (!release) {
		err = errno;
		fprintf(r->out, "modules.dep: (not available: %s)\n", sys_strerror(err));
		note(r, "could not read %s: %s", sys_path("/proc/sys/kernel/osrelease"),
		     sys_strerror(err));
		return NULL;
	}
	rel = xasprintf("/lib/modules/%s/modules.dep", release);
	f = rel ? fopen(sys_path(rel), "re") : NULL;
	if (!f) {
		err = errno;
		fprintf(r->out, "modules.dep: (not available: %s)\n", sys_strerror(err));
		note(r, "could not read %s: %s", rel ? sys_path(rel) : "modules.dep",
		     sys_strerror(err));
		goto out;
	}
	while (!found && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!strcmp(base, "ttm.ko") || !strncmp(base, "ttm.ko.", 7))
			found = line[0] == '/' ? strdup(line) :
				xasprintf("/lib/modules/%s/%s", release, line);
	}
	fclose(f);
	fprintf(r->out, "modules.dep: %s\n", found ? found : "(no ttm.ko)");
out:
	free(line);
	free(rel);
	free(release);
	return found;
}

static void run_modinfo(struct report *r)
{
	static const char *const fields[] = { "filename", "version", "srcversion" };
	char why_not[128];
	const char *prog = program("modinfo", "TTM_POOLCTL_MODINFO", why_not, sizeof(why_not));
	size_t i;

	if (!prog) {
		fprintf(r->out, "modinfo: (%s)\n", why_not);
		note(r, "modinfo: %s", why_not);
		return;
	}
	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		char *argv[] = { "modinfo", "-F", (char *)fields[i], "ttm", NULL };

		run(r, prog, argv);
	}
}

/*
 * Which ttm.ko is loaded: ttm-pool's has the parameter alloc_path (and
 * /sys/kernel/ttm while a pool exists), the kernel's neither; and which one
 * modprobe would load.
 */
static void module(struct report *r)
{
	bool loaded = sys_exists("/sys/module/ttm");
	bool ours = sys_exists("/sys/module/ttm/parameters/alloc_path");
	bool sysfs = sys_exists(TTM_SYSFS);
	char *path;

	section(r, "ttm.ko");
	if (!loaded)
		fputs("loaded: none (no /sys/module/ttm)\n", r->out);
	else if (ours || sysfs)
		fprintf(r->out, "loaded: ttm-pool's ttm.ko (%s)\n", ours ?
			"it has the parameter alloc_path" : "it has /sys/kernel/ttm");
	else
		fputs("loaded: the kernel's own ttm.ko (no parameter alloc_path, no "
		      "/sys/kernel/ttm)\n", r->out);
	if (loaded) {
		if (!sys_exists("/sys/module/ttm/initstate"))
			fputs("built into the kernel (no /sys/module/ttm/initstate)\n", r->out);
		value(r, "/sys/module/ttm/initstate", "/sys/module/ttm/initstate", true);
		value(r, "/sys/module/ttm/version", "/sys/module/ttm/version", true);
		value(r, "/sys/module/ttm/srcversion", "/sys/module/ttm/srcversion", true);
		value(r, "/sys/module/ttm/taint", "/sys/module/ttm/taint", true);
	}
	fprintf(r->out, "/sys/kernel/ttm: %s\n", sysfs ? "present (ttm-pool's)" :
		"absent (the kernel's ttm.ko, or ttm-pool's with no pool: no TTM driver bound)");
	path = modules_dep_ttm(r);
	if (path)
		fprintf(r->out, "on disk: %s\n", strstr(path, "/updates/") ?
			"below updates/, ahead of the kernel's: DKMS's, ttm-pool's" :
			"the kernel's own (not below updates/)");
	free(path);
	run_modinfo(r);
}

static void dkms(struct report *r)
{
	char *argv[] = { "dkms", "status", "ttm-pool", NULL };
	char why_not[128];
	const char *prog = program("dkms", "TTM_POOLCTL_DKMS", why_not, sizeof(why_not));

	section(r, "dkms status ttm-pool");
	if (!prog) {
		fprintf(r->out, "(%s)\n", why_not);
		note(r, "dkms: %s", why_not);
		return;
	}
	run(r, prog, argv);
}

/* list, show --global, and in the full report the pools' dumps */
static void pools(struct report *r)
{
	static const struct outopts plain;
	struct pools ps;
	size_t i;
	int err;

	section(r, "pools (ttm-poolctl list)");
	if (pools_load(&ps)) {
		fputs("(not available: see the notes)\n", r->out);
		note(r, "could not read the pools of %s", sys_path(TTM_SYSFS "/pools"));
		return;
	}
	if (!ps.n) {
		fprintf(r->out, "(no TTM pools: %s)\n", ps.why ? ps.why : "none found");
		pools_free(&ps);
		return;
	}
	list_print(&plain);	/* to r->out, the tables' stream */
	section(r, "global (ttm-poolctl show --global)");
	global_show(&plain);
	if (r->summary) {
		pools_free(&ps);
		return;
	}
	section(r, "pools: debugfs dump (" TTM_DEBUGFS "/pools/all)");
	err = copy_file(r, TTM_DEBUGFS "/pools/all");
	if (!err) {
		pools_free(&ps);
		return;
	}
	fprintf(r->out, "(not available: %s)\n", why(TTM_DEBUGFS "/pools/all", err));
	note(r, "could not read %s: %s (the pools' sysfs view instead)",
	     sys_path(TTM_DEBUGFS "/pools/all"), why(TTM_DEBUGFS "/pools/all", err));
	section(r, "pools: sysfs (ttm-poolctl show, every pool)");
	for (i = 0; i < ps.n; i++) {
		fprintf(r->out, "%s-- %s\n", i ? "\n" : "", ps.v[i].name);
		kv_print(&plain, ps.v[i].name, false);
	}
	pools_free(&ps);
}

static void trace_note(void *ctx, const char *msg)
{
	struct report *r = ctx;

	if (!r->trace_why)
		r->trace_why = strdup(msg);
	note(r, "trace: %s", msg);
}

static void trace(struct report *r, double seconds)
{
	/*
	 * Not ttm_pool_verify_dirty: its bytes are another buffer's data, and
	 * the report is for a public bug tracker.
	 */
	struct trace_run t = {
		.count = -1, .seconds = seconds, .raw = r->out, .note = trace_note, .ctx = r,
		.skip = "ttm_pool_verify_dirty",
	};
	char title[64];

	if (seconds <= 0) {
		section(r, "trace");
		fputs("(none: --trace-seconds 0)\n", r->out);
		return;
	}
	snprintf(title, sizeof(title), "trace (the ttm_pool events, %g s)", seconds);
	section(r, title);
	fflush(r->out);
	if (trace_run(&t) && !t.events && r->trace_why)
		fprintf(r->out, "(not available: %s)\n", r->trace_why);
	else
		fprintf(r->out, "(%ld events%s)\n", t.events,
			t.signal ? ", stopped early by a signal" : "");
}

static void kernel_log(struct report *r)
{
	int err;

	section(r, "kernel log (TTM, DRM, GPU drivers, swiotlb)");
	err = klog_print(r->out);
	if (err) {
		fprintf(r->out, "(not available: %s)\n", sys_strerror(err));
		note(r, "could not read %s: %s", sys_path("/dev/kmsg"), sys_strerror(err));
	}
}

static void write_report(struct report *r, double seconds)
{
	fprintf(r->out, "ttm-poolctl bug-report v1%s\n", r->summary ? " (summary)" : "");
	section(r, "ttm-poolctl");
	fprintf(r->out, "ttm-poolctl %s\n", TTM_POOLCTL_VERSION);
	kernel(r);
	module(r);
	dkms(r);
	pools(r);
	if (!r->summary) {
		trace(r, seconds);
		kernel_log(r);
	}
	section(r, "notes");
	fputs(r->nnotes ? r->notes : "(none)\n", r->out);
}

/* ---- the file -------------------------------------------------------------- */

/* the temporary file, removed if a signal ends the program before it is complete */
static const char *cleanup;

static void on_fatal(int sig)
{
	if (cleanup)
		unlink(cleanup);
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool gzipped(const char *file)
{
	size_t n = strlen(file);

	return n > 3 && !strcmp(file + n - 3, ".gz");
}

/* gzip -c -n from a pipe (the returned stream) into @fd; NULL after a message. */
static FILE *gzip_into(int fd, pid_t *pid)
{
	int p[2];
	FILE *f;

	if (pipe2(p, O_CLOEXEC)) {
		warn("pipe");
		return NULL;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		warn("fork");
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (*pid == 0) {
		dup2(p[0], STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execlp("gzip", "gzip", "-c", "-n", (char *)NULL);
		dprintf(STDERR_FILENO, "ttm-poolctl: cannot run gzip: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[0]);
	f = fdopen(p[1], "w");
	if (!f) {
		warn("fdopen");
		close(p[1]);
	}
	return f;
}

int cmd_bug_report(const struct outopts *o, int argc, char **argv)
{
	struct report r = { .summary = o->summary };
	const char *file = o->columns ? o->columns : o->outfile ? o->outfile : REPORT_FILE;
	char tmp[PATH_MAX], size[32], *abs, *line, *save;
	FILE *tmpf, *gz = NULL;
	pid_t pid = -1;
	struct stat st;
	bool failed;
	int status = 0;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);	/* gzip gone: EPIPE, a write error */
	if (r.summary) {
		r.out = stdout;
		write_report(&r, 0);
		return EXIT_SUCCESS;
	}
	if (!*file) {
		warnx("bug-report: empty FILE");
		return EXIT_USAGE;
	}
	/* The dump and the kernel log are root's: so is the report. */
	tmpf = out_open(file, tmp, sizeof(tmp), 0600);
	if (!tmpf)
		return EXIT_FAILURE;
	r.out = tmpf;
	cleanup = tmp;
	signal(SIGINT, on_fatal);
	signal(SIGTERM, on_fatal);
	signal(SIGHUP, on_fatal);
	if (gzipped(file)) {
		gz = gzip_into(fileno(tmpf), &pid);
		if (!gz) {
			fclose(tmpf);
			unlink(tmp);
			cleanup = NULL;
			return EXIT_FAILURE;
		}
		r.out = gz;
	}
	table_set_stream(r.out);
	write_report(&r, o->trace_seconds);
	table_set_stream(NULL);
	free(r.trace_why);
	if (gz) {
		failed = ferror(gz) != 0;
		failed |= fclose(gz) != 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (failed || !WIFEXITED(status) || WEXITSTATUS(status)) {
			warnx("cannot write %s: %s", file, WIFEXITED(status) &&
			      WEXITSTATUS(status) == 127 ? "gzip could not be run" :
			      "gzip failed");
			fclose(tmpf);
			unlink(tmp);
			cleanup = NULL;
			return EXIT_FAILURE;
		}
	}
	failed = out_close(tmpf, tmp, file) != 0;
	cleanup = NULL;
	if (failed)
		return EXIT_FAILURE;
	/* what is missing, and where the file is */
	for (line = strtok_r(r.notes, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		warnx("%s", line);
	if (r.root && geteuid())
		warnx("as root the report has these parts too");
	abs = realpath(file, NULL);
	if (stat(file, &st))
		st.st_size = 0;
	printf("Wrote %s (%s).\n", abs ? abs : file,
	       size_human(st.st_size, size, sizeof(size)));
	free(abs);
	return EXIT_SUCCESS;
}
