// SPDX-License-Identifier: GPL-2.0
/*
 * The pools' trace events as trace and bug-report read them: the events of
 * tracefs' system ttm_pool are enabled, with a filter on their pool field
 * when pools are named, tracing_on is switched on, and trace_pipe is read
 * line by line (traceline.c) until a count of events, a time, SIGINT,
 * SIGTERM, SIGHUP or its end; then every file written gets its previous
 * value back, in the reverse order.
 *
 * With pools named, the events without a pool field (ttm_pool_shrink, of
 * all pools together) are left as they are: the pools' share of a shrink is
 * their ttm_pool_release events. Which events there are, which have a pool
 * field and which fields are strings (for JSON) is read from tracefs, so
 * that an event of a newer kernel needs no new ttm-poolctl.
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
#include <time.h>
#include <unistd.h>

#include "ttm-poolctl.h"

#define SYSTEM "/events/ttm_pool"

/* A file written, and what it held. */
struct change {
	char *rel;
	char *old;
};

struct tracer {
	struct trace_run *run;	/* what was asked, and where messages go */
	const char *dir;	/* TRACEFS or TRACEFS_DEBUGFS */
	char **events;		/* the system's events, sorted */
	size_t nevents;
	bool *chosen;		/* those traced */
	char **strings;		/* their string fields, " pool caching " */
	char **pools;		/* the pools named, none: every event */
	size_t npools;
	struct change *ch;
	size_t nch;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* A message: to the caller's note(), or "ttm-poolctl: ..." on stderr. */
static void __attribute__((format(printf, 2, 3))) say(const struct tracer *tr,
							const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tr->run->note)
		tr->run->note(tr->run->ctx, msg);
	else
		warnx("%s", msg);
}

static const char *root_only(int err)
{
	if (err < 0)
		err = -err;
	return err == EACCES || err == EPERM ? "permission denied (root only)" : strerror(err);
}

/* "/sys/kernel/tracing/events/ttm_pool/EVENT/FILE" (EVENT NULL: the system's) */
static char *event_file(const struct tracer *tr, const char *event, const char *file)
{
	if (!event)
		return xasprintf("%s" SYSTEM "/%s", tr->dir, file);
	return xasprintf("%s" SYSTEM "/%s/%s", tr->dir, event, file);
}

/* Where tracefs has the system ttm_pool: 0, or -1 after a message. */
static int find_tracefs(struct tracer *tr)
{
	static const char *const dirs[] = { TRACEFS, TRACEFS_DEBUGFS };
	char rel[PATH_MAX];
	struct stat st;
	bool mounted = false;
	int denied = 0;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(rel, sizeof(rel), "%s" SYSTEM, dirs[i]);
		if (stat(sys_path(rel), &st) == 0 && S_ISDIR(st.st_mode)) {
			tr->dir = dirs[i];
			return 0;
		}
		if (errno == EACCES || errno == EPERM)
			denied = errno;
		snprintf(rel, sizeof(rel), "%s/tracing_on", dirs[i]);
		mounted |= stat(sys_path(rel), &st) == 0;
	}
	if (denied)
		say(tr, "cannot read %s: %s", sys_path(TRACEFS), root_only(denied));
	else if (mounted)
		say(tr, "no ttm_pool trace events in %s (is ttm loaded? a kernel with "
		    "ttm-pool's trace events?)", sys_path(TRACEFS));
	else
		say(tr, "tracefs is not mounted at %s (mount -t tracefs tracefs %s)",
		    sys_path(TRACEFS), TRACEFS);
	return -1;
}

/* The string fields of @event, from its format (" " if unreadable). */
static char *string_fields(const struct tracer *tr, const char *event)
{
	char *rel = event_file(tr, event, "format"), *fmt = rel ? sys_read(rel) : NULL;
	char *s = trace_string_fields(fmt ? fmt : "");

	free(fmt);
	free(rel);
	return s;
}

/* The events to trace: all of them, or with pools those with a pool field. */
static int choose_events(struct tracer *tr)
{
	char *rel;
	size_t i, n = 0;

	rel = event_file(tr, NULL, "");
	tr->events = rel ? sys_list(rel, &tr->nevents) : NULL;
	free(rel);
	if (!tr->events) {
		say(tr, "cannot read %s%s: %s", sys_path(tr->dir), SYSTEM, root_only(errno));
		return -1;
	}
	tr->chosen = calloc(tr->nevents + 1, sizeof(*tr->chosen));
	tr->strings = calloc(tr->nevents + 1, sizeof(*tr->strings));
	if (!tr->chosen || !tr->strings)
		return -1;
	for (i = 0; i < tr->nevents; i++) {
		rel = event_file(tr, tr->events[i], "enable");
		if (rel && sys_exists(rel)) {
			tr->strings[i] = string_fields(tr, tr->events[i]);
			if (!tr->strings[i]) {
				free(rel);
				return -1;
			}
			tr->chosen[i] = (!tr->npools || strstr(tr->strings[i], " pool ")) &&
					(!tr->run->skip || strcmp(tr->events[i], tr->run->skip));
		}
		n += tr->chosen[i];
		free(rel);
	}
	if (!n)
		say(tr, "no ttm_pool trace event%s in %s%s", tr->npools ? " has a pool field" : "",
		    sys_path(tr->dir), SYSTEM);
	return n ? 0 : -1;
}

/* The pools POOL... select, each once; 0, or -1 after a message. */
static int select_pools(struct tracer *tr, int argc, char **argv)
{
	struct pools ps;
	struct pool **v;
	size_t n, i, j;
	int a, ret = 0;

	if (!argc)
		return 0;
	if (pools_load(&ps))
		return -1;
	v = calloc(ps.n + 1, sizeof(*v));
	tr->pools = calloc(ps.n + 1, sizeof(*tr->pools));
	for (a = 0; v && tr->pools && a < argc; a++) {
		n = pools_select(&ps, argv[a], v, false);
		if (!n)
			ret = -1;
		for (i = 0; i < n; i++) {
			for (j = 0; j < tr->npools; j++)
				if (!strcmp(tr->pools[j], v[i]->name))
					break;
			if (j == tr->npools)
				tr->pools[tr->npools++] = strdup(v[i]->name);
		}
	}
	for (j = 0; tr->pools && j < tr->npools; j++)
		if (!tr->pools[j])
			ret = -1;
	if (!v || !tr->pools)
		ret = -1;
	free(v);
	pools_free(&ps);
	return ret;
}

/* pool == "A" || pool == "B" */
static char *pool_filter(const struct tracer *tr)
{
	size_t len = 1, i, n = 0;
	char *s;

	for (i = 0; i < tr->npools; i++)
		len += strlen(tr->pools[i]) + 16;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < tr->npools; i++)
		n += snprintf(s + n, len - n, "%spool == \"%s\"", i ? " || " : "", tr->pools[i]);
	return s;
}

/*
 * Give @rel the value @val unless it has it already ("1" for an enable that
 * reads "1", "0" for a filter that reads "none"), noting the value it had
 * to put back; 0, or -1 after a message.
 */
static int change(struct tracer *tr, char *rel, const char *val, bool filter)
{
	struct change *ch;
	char *cur, *old;
	bool same;
	int err;

	if (!rel)
		return -1;
	cur = sys_read(rel);
	if (!cur) {
		say(tr, "cannot read %s: %s", sys_path(rel), root_only(errno));
		free(rel);
		return -1;
	}
	/* a filter the kernel refused reads with the error on the next lines */
	cur[strcspn(cur, "\n")] = '\0';
	if (filter) {
		same = !strcmp(cur, val) || (!strcmp(val, "0") && !strcmp(cur, "none"));
		old = strdup(strcmp(cur, "none") ? cur : "0");
	} else {
		/* an enable may read "0*" or "1*" (soft-disabled) */
		same = cur[0] == val[0];
		old = strdup(cur[0] == '1' ? "1" : "0");
	}
	free(cur);
	ch = same || !old ? NULL : realloc(tr->ch, (tr->nch + 1) * sizeof(*tr->ch));
	if (!ch) {
		free(old);
		free(rel);
		return same ? 0 : -1;
	}
	tr->ch = ch;
	err = sys_write(rel, val);
	if (err) {
		say(tr, "cannot set %s to '%s': %s", sys_path(rel), val,
		    err == -EINVAL && filter ? "the kernel refused the filter (Invalid argument)" :
		    root_only(err));
		free(old);
		free(rel);
		return -1;
	}
	tr->ch[tr->nch].rel = rel;
	tr->ch[tr->nch].old = old;
	tr->nch++;
	return 0;
}

/* Put back what change() changed, the last first; 0, or -1 after messages. */
static int restore(struct tracer *tr)
{
	int ret = 0, err;

	while (tr->nch) {
		struct change *ch = &tr->ch[--tr->nch];

		err = sys_write(ch->rel, ch->old);
		if (err) {
			say(tr, "could not restore %s to '%s': %s", sys_path(ch->rel), ch->old,
			    root_only(err));
			ret = -1;
		}
		free(ch->rel);
		free(ch->old);
	}
	return ret;
}

/* The chosen events' filters, then their enables, then tracing_on. */
static int start(struct tracer *tr)
{
	char *filter = tr->npools ? pool_filter(tr) : strdup("0");
	size_t i;
	int ret = filter ? 0 : -1;

	for (i = 0; !ret && i < tr->nevents; i++) {
		if (!tr->chosen[i])
			continue;
		ret = change(tr, event_file(tr, tr->events[i], "filter"), filter, true);
		if (!ret)
			ret = change(tr, event_file(tr, tr->events[i], "enable"), "1", false);
	}
	if (!ret)
		ret = change(tr, xasprintf("%s/tracing_on", tr->dir), "1", false);
	free(filter);
	return ret;
}

/* The index of the event of @t if it is to be printed, else -1. */
static ssize_t wanted(const struct tracer *tr, const struct trace_line *t)
{
	size_t i, j;

	for (i = 0; i < tr->nevents; i++)
		if (tr->chosen[i] && !strcmp(tr->events[i], t->event))
			break;
	if (i == tr->nevents)
		return -1;	/* another system's, one left as it was */
	if (!tr->npools)
		return i;
	for (j = 0; t->pool && j < tr->npools; j++)
		if (!strcmp(tr->pools[j], t->pool))
			return i;
	return -1;
}

/*
 * One line of trace_pipe: 1 if it was an event printed, else 0. To the raw
 * stream the line is written as it is (a notice of lost events too).
 */
static int line(const struct tracer *tr, char *s)
{
	const struct trace_run *run = tr->run;
	struct trace_line t;
	unsigned long lost;
	char *copy = NULL;
	ssize_t ev;
	int cpu;

	if (trace_lost(s, &cpu, &lost)) {
		if (run->raw)
			fprintf(run->raw, "%s\n", s);
		else
			say(tr, "CPU %d: %lu events lost (the trace buffer was full)", cpu, lost);
		return 0;
	}
	if (run->raw) {
		copy = strdup(s);
		if (!copy)
			return 0;
	}
	ev = trace_parse(copy ? copy : s, &t) ? -1 : wanted(tr, &t);
	if (ev >= 0 && run->raw)
		fprintf(run->raw, "%s\n", s);
	else if (ev >= 0)
		trace_print(&t, run->json, tr->strings[ev]);
	free(copy);
	return ev >= 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Read @fd until the count, the time, a signal (unblocked only in ppoll(),
 * with the mask @wait) or its end; an exit status.
 */
static int pipe_loop(const struct tracer *tr, int fd, const sigset_t *wait)
{
	static char buf[1 << 16];
	struct trace_run *run = tr->run;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	FILE *out = run->raw ? run->raw : stdout;
	double end = run->seconds > 0 ? now() + run->seconds : 0, left;
	struct timespec ts, *timeout = NULL;
	size_t len = 0;
	char *start, *nl;
	ssize_t n;
	bool eof = false;
	int r;

	while (!eof && !stop_signal && (run->count < 0 || run->events < run->count)) {
		if (end) {
			left = end - now();
			if (left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			timeout = &ts;
		}
		r = ppoll(&pfd, 1, timeout, wait);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			say(tr, "poll %s/trace_pipe: %s", sys_path(tr->dir), strerror(errno));
			return EXIT_FAILURE;
		}
		if (r == 0)
			continue;	/* the time is up */
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			say(tr, "read %s/trace_pipe: %s", sys_path(tr->dir), strerror(errno));
			return EXIT_FAILURE;
		}
		eof = n == 0;
		len += n;
		buf[len] = '\0';
		for (start = buf; run->count < 0 || run->events < run->count; start = nl + 1) {
			nl = strchr(start, '\n');
			if (!nl && eof && *start) {
				/* the last line, without a newline */
				run->events += line(tr, start);
				start += strlen(start);
			}
			if (!nl)
				break;
			*nl = '\0';
			run->events += line(tr, start);
		}
		len -= start - buf;
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1)
			len = 0;	/* a line longer than the buffer: drop it */
		if (fflush(out) || ferror(out)) {
			if (errno != EPIPE || run->raw)
				return EXIT_FAILURE;	/* close_stdout() says "write error" */
			clearerr(stdout);	/* the reader is gone: an end like any */
			break;
		}
	}
	return EXIT_SUCCESS;
}

static void tracer_free(struct tracer *tr)
{
	size_t i;

	for (i = 0; i < tr->npools; i++)
		free(tr->pools[i]);
	free(tr->pools);
	for (i = 0; tr->strings && i < tr->nevents; i++)
		free(tr->strings[i]);
	free(tr->strings);
	sys_list_free(tr->events, tr->nevents);
	free(tr->chosen);
	free(tr->ch);
}

int trace_run(struct trace_run *run)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal }, old_sa[3];
	struct tracer tr = { .run = run };
	sigset_t block, old, wait;
	char *pipe_rel = NULL;
	int ret = EXIT_FAILURE, fd = -1;
	size_t i;

	run->events = 0;
	run->signal = 0;
	stop_signal = 0;
	if (find_tracefs(&tr) || select_pools(&tr, run->nspecs, run->specs) ||
	    choose_events(&tr))
		goto out;
	/* before anything is changed: not root fails here */
	pipe_rel = xasprintf("%s/trace_pipe", tr.dir);
	fd = pipe_rel ? open(sys_path(pipe_rel), O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0) {
		say(&tr, "cannot open %s/trace_pipe: %s", sys_path(tr.dir), root_only(errno));
		goto out;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* the signals that end it wait for ppoll(), so that nothing is left changed */
	sigemptyset(&block);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, &old_sa[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &old);
	wait = old;
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigdelset(&wait, sigs[i]);
	/* a reader gone: restore, then end (and it stays ignored: EPIPE instead) */
	signal(SIGPIPE, SIG_IGN);

	if (!start(&tr))
		ret = pipe_loop(&tr, fd, &wait);
	if (restore(&tr))
		ret = EXIT_FAILURE;
	/*
	 * as they were, a signal that came meanwhile caught first: a signal
	 * after these ends the program again (bug-report goes on after it)
	 */
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	run->signal = stop_signal;
out:
	if (fd >= 0)
		close(fd);
	free(pipe_rel);
	tracer_free(&tr);
	return ret;
}
