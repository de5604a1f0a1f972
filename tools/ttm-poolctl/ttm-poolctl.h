/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttm-poolctl: inspect and tune the TTM page pools of the running kernel
 * through /sys/kernel/ttm and /sys/kernel/debug/ttm.
 */
#ifndef TTM_POOLCTL_H
#define TTM_POOLCTL_H

#include <err.h>		/* warnx(), warn(): "ttm-poolctl: message" on stderr */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TTM_POOLCTL_VERSION "0.2.0"

#define EXIT_USAGE 2

/* watch: like watch(1), no faster than this */
#define WATCH_MIN_INTERVAL 0.1

/* Paths below the sysroot. */
#define TTM_SYSFS "/sys/kernel/ttm"
#define TTM_DEBUGFS "/sys/kernel/debug/ttm"
/* a pool's QA controls: TTM_QA/<pool>/inject, verify_clean (root only) */
#define TTM_QA TTM_DEBUGFS "/qa"
/* tracefs, and where older systems have it */
#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_DEBUGFS "/sys/kernel/debug/tracing"
/* apply's settings files, *.conf */
#define TTM_CONF_DIR "/etc/ttm-pool.d"

/* ---- sysfs.c: files below the sysroot --------------------------------- */

void sys_set_root(const char *root);
const char *sys_root(void);
/* The full path of @rel (which starts with '/'); valid until the next call. */
const char *sys_path(const char *rel);
/* Read a whole small file, trailing newline removed; NULL and errno set on error. */
char *sys_read(const char *rel);
int sys_read_u64(const char *rel, uint64_t *val);
/* Write @val (O_TRUNC: a copied tree keeps one value per file); 0 or -errno. */
int sys_write(const char *rel, const char *val);
bool sys_exists(const char *rel);
/*
 * The names in directory @rel but "." files, sorted (strcmp), NULL-terminated;
 * NULL and errno set on error. Free with sys_list_free(names, *n).
 */
char **sys_list(const char *rel, size_t *n);
void sys_list_free(char **names, size_t n);
/* "needs root" for EACCES/EPERM, strerror() otherwise. */
const char *sys_strerror(int err);
/* The meaning the ABI gives to a write of @val to @rel failing with @err. */
const char *sys_write_strerror(const char *rel, const char *val, int err);

/* ---- pool.c: the pool model ------------------------------------------- */

#define NUMA_UNKNOWN (-1000)

/* A file of the pool's stats/ directory. */
struct counter {
	char *name;
	uint64_t val;		/* UINT64_MAX if unreadable */
};

struct pool {
	char *name;
	char *device;		/* basename of the device link, or "" */
	char *driver;
	char *alloc_path;	/* the configured word: auto, coherent, page */
	char *effective_path;
	int numa_node;		/* NUMA_UNKNOWN if unreadable */
	int dma32;
	uint64_t max, high, low;
	uint64_t pooled, wc, uc, cached, inuse;
	/*
	 * Pre-cleared chunks: prezero's mode (PZ_AUTO, PZ_ON, PZ_OFF;
	 * PZ_UNKNOWN if unreadable), the pooled pages known to be zero and
	 * those not cleared yet. A kernel without them (Debian's, our earlier
	 * builds) has no prezero file (!has_prezero, the values PZ_UNKNOWN and
	 * UINT64_MAX like any unreadable value) and no stats/cleared_*. One
	 * from before prezero auto has prezero 1 or 0 (prezero_numeric: it
	 * takes on and off, 1 and 0, and has no auto).
	 */
	int prezero;
	bool has_prezero, prezero_numeric;
	uint64_t clean, dirty;
	/*
	 * The QA controls (debugfs, root only), read by pool_load_qa() only:
	 * inject's setting ("off", "every=3 times=2") and verify_clean 1 or 0;
	 * NULL and UINT64_MAX if unreadable (not root, no debugfs, an older
	 * kernel).
	 */
	char *inject;
	uint64_t verify_clean;
	/*
	 * The counters: whatever files stats/ holds, sorted by name, so that
	 * a counter of a newer kernel needs no new ttm-poolctl.
	 */
	struct counter *stat;
	size_t nstat;
};

struct pools {
	struct pool *v;
	size_t n;
	const char *why;	/* why there are none */
};

/* 0 (maybe with no pools, ->why says why), or -errno after a message. */
int pools_load(struct pools *ps);
void pools_free(struct pools *ps);
/* 0, or -ENOENT if the pool is gone (unbound), -ENOMEM. */
int pool_load(struct pool *p, const char *name);
void pool_free(struct pool *p);
/*
 * The pools POOL selects into @out (room for ps->n): the pool of that name,
 * or every pool of a device (its name, a PCI address, a /dev/dri node in any
 * form) or of a driver; 0 after a message unless @quiet.
 */
size_t pools_select(struct pools *ps, const char *spec, struct pool **out, bool quiet);
/* One pool: as pools_select(), a device's first pool (saying so); prints errors. */
struct pool *pools_find(struct pools *ps, const char *spec);
/* The value of counter stats/@name, UINT64_MAX if it has none or it is unreadable. */
uint64_t pool_stat(const struct pool *p, const char *name);
/*
 * The names of the counters of the pools @v[0..@nv), sorted, each once (the
 * pools' strings: free the array only); NULL if out of memory.
 */
const char **pools_counters(const struct pool *v, size_t nv, size_t *n);
/* "/sys/kernel/ttm/pools/NAME/FILE" */
const char *pool_file(const char *name, const char *file);
double pool_hit_percent(const struct pool *p);
/* "on"/"off" for a switch's 1/0 (verify_clean), NULL if unknown. */
const char *pool_onoff(uint64_t v);
/*
 * A switch's word: 1 for on, yes, y, true, 1; 0 for off, no, n, false, 0
 * (any case); -1 for anything else.
 */
int parse_onoff(const char *s);
/*
 * prezero's modes: when freed memory is cleared in the background. auto:
 * where the kernel finds it pays; on: always; off: never (then as it is
 * taken). Kernels before auto have 1 (on) and 0 (off).
 */
enum prezero_mode { PZ_UNKNOWN = -1, PZ_OFF = 0, PZ_ON = 1, PZ_AUTO = 2 };
/* "auto", "on", "off"; NULL for PZ_UNKNOWN. */
const char *prezero_word(int mode);
/*
 * The mode a prezero file reads: "[auto] on off" (the word in brackets),
 * an older kernel's 0 or 1 (*numeric set), or a bare word, as a write
 * leaves a copied tree's file; PZ_UNKNOWN for anything else.
 */
int prezero_read_mode(const char *s, bool *numeric);
/* A mode given to set or apply: auto, or a switch's word; -1 if neither. */
int parse_prezero(const char *s);

/* ---- global.c: the global files, the GPU memory summary ------------------- */

/* nodes/node<N>/: all pools' pages on node N */
struct ttm_node {
	int node;
	uint64_t inuse, pooled;		/* UINT64_MAX if unreadable */
};

struct ttm_global {
	bool exists;			/* /sys/kernel/ttm: while at least one pool does */
	uint64_t max, pooled;		/* pool_max_pages, pooled_pages */
	/*
	 * The summary, UINT64_MAX where unreadable; an older kernel has none
	 * of its files (!has_summary, nodes NULL).
	 */
	bool has_summary;		/* inuse_pages, clean_pages, dirty_pages */
	uint64_t inuse, clean, dirty;
	struct ttm_node *nodes;		/* in the order of N; NULL without nodes/ */
	size_t nnodes;
};

/* 0, or -ENOMEM after a message. */
int global_load(struct ttm_global *g);
void global_free(struct ttm_global *g);
struct outopts;
/* show --global: the global files as show gives a pool's; an exit status. */
int global_show(const struct outopts *o);

/* ---- qa.c: the QA controls, debugfs ttm/qa/<pool>/ ------------------------ */

/* inject's words, and what the kernel takes (ttm_pool_inject.c) */
#define INJECT_SYNTAX "every=N|probability=P [times=T] [pid=PID] [order=K], or off"
#define INJECT_RANGES "N and T at least 1, P 1-100, PID 1-2147483647, K at most 10"
#define INJECT_MAX 128

/* "/sys/kernel/debug/ttm/qa/NAME/FILE"; valid until the next call. */
const char *qa_file(const char *name, const char *file);
/* Read the pool's QA controls into ->inject and ->verify_clean, if it can. */
void pool_load_qa(struct pool *p);
/*
 * Say what @err (errno or -errno) means for pool @name's QA control @file,
 * read (@val NULL) or written with @val: "no QA controls for NAME (...)"
 * for ENOENT, "permission denied (root only)", for inject the kernel's
 * refusals of the setting (EINVAL, ERANGE, ESRCH, E2BIG), strerror()
 * otherwise.
 */
void qa_warn(const char *name, const char *file, const char *val, int err);
/* Whether @err is the kernel refusing a setting (the same for every pool). */
bool qa_refused(int err);

/* ---- size.c --------------------------------------------------------------- */

/*
 * Pages ("512", "512pages") or bytes with a unit ("4096B", "64M", "1.5GiB");
 * 0, or -EINVAL/-ERANGE with *why saying what is wrong.
 */
int size_parse_pages(const char *s, uint64_t page_size, uint64_t *pages, const char **why);
/* The size of a page in bytes (sysconf; 4096 if it fails). */
uint64_t pool_page_size(void);
/* lsblk-style: "12.5M"; buf of at least 32 bytes. */
char *size_human(uint64_t bytes, char *buf, size_t len);

/* ---- the options (main.c), output helpers (table.c) ---------------------- */

struct outopts {
	bool json, raw, pairs, noheadings, bytes, output_all, prometheus;
	const char *columns;	/* -o */
	const char *sort;	/* list --sort */
	const char *outfile;	/* dump -f, stats --prometheus -f, bug-report -f */
	bool dry_run;		/* apply --dry-run */
	bool per_node;		/* list --per-node */
	bool all;		/* drain --all */
	bool global;		/* set --global */
	const char *pool;	/* apply --pool */
	double interval;	/* watch -i */
	long count;		/* watch -c, trace -c; < 0: forever */
	double trace_seconds;	/* bug-report --trace-seconds */
	bool summary;		/* bug-report --summary */
};

struct libscols_table;
/* A table printed to table_stream(). */
struct libscols_table *table_new(const struct outopts *o, const char *name);
/* Where tables and the text around them go: @f, or standard output (NULL). */
void table_set_stream(FILE *f);
FILE *table_stream(void);
/* A size cell: bytes with -b (and JSON numbers), human otherwise. */
char *fmt_size(const struct outopts *o, uint64_t pages);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* @s as a JSON string, quoted and escaped, on stdout; on @f. */
void json_str(const char *s);
void json_fstr(FILE *f, const char *s);

/* ---- settings.c: the writes of set and apply ------------------------------ */

enum set_key { K_MAX, K_HIGH, K_LOW, K_NR };
/*
 * Set the keys with set[k] of pool @name, its prezero unless @prezero < 0
 * (a mode, PZ_OFF, PZ_ON or PZ_AUTO) and its verify_clean unless
 * @verify_clean < 0 (0 off, 1 on), all or nothing, reporting on stdout; an
 * exit status.
 */
int pool_set(const char *name, const uint64_t *want, const bool *set, int prezero,
	     int verify_clean);
int set_global_max(uint64_t max);

/* ---- conf.c: apply's settings files ----------------------------------- */

enum conf_kind { SEL_GLOBAL, SEL_POOL, SEL_DEVICE, SEL_DRIVER };

struct conf_section {
	enum conf_kind kind;
	char *arg;		/* pool glob, device name, driver name */
	uint64_t want[K_NR];
	bool set[K_NR];
	char *path;		/* auto, coherent, page or NULL */
	int prezero;		/* PZ_AUTO, PZ_ON, PZ_OFF; -1 not set */
	char *file;
	int line;
};

struct conf {
	struct conf_section *v;
	size_t n;
};

/* Append the sections of @file; 0, or -errno after "FILE:LINE: ..." messages. */
int conf_load(struct conf *c, const char *file);
void conf_free(struct conf *c);
bool conf_matches(const struct conf_section *sec, const struct pool *p);

/* ---- keyvalue.c: the tables of show and stats ---------------------------- */

/*
 * Every attribute and counter of the pool(s) POOL selects (as pools_find())
 * or, with @counters_only, their counters; every pool's without @spec.
 */
int kv_print(const struct outopts *o, const char *spec, bool counters_only);

/* ---- traceline.c: the lines of tracefs' trace_pipe ------------------------- */

#define TRACE_FIELDS 32

/* key=value, or a bare word (key NULL, the word in val) */
struct trace_field {
	const char *key, *val;
};

/* One event's line, pointing into the line it was parsed from. */
struct trace_line {
	const char *comm;	/* the task's name, NULL if the line has none */
	long pid;
	int cpu;		/* -1 if the line has none */
	const char *time;	/* as printed: "12.345678" */
	const char *event;	/* "ttm_pool_alloc" */
	const char *pool;	/* the value of pool=, NULL if it has none */
	struct trace_field f[TRACE_FIELDS];	/* the other fields, in order */
	size_t nf;
};

/* Parse @line (changing it) into @t; 0, or -1 if it is no event's line. */
int trace_parse(char *line, struct trace_line *t);
/* Whether @line says events were lost: "CPU:1 [LOST 12 EVENTS]". */
bool trace_lost(const char *line, int *cpu, unsigned long *n);
/*
 * "TIME EVENT POOL FIELD...", POOL - for an event without one; or with
 * @json one JSON object: time, event, pool (null), the fields, comm, pid,
 * cpu. A field named in @strings (" a b ": the event's strings and arrays,
 * from its format) is a JSON string, any other one a number if it looks
 * like one.
 */
void trace_print(const struct trace_line *t, bool json, const char *strings);
/*
 * The names of the fields of an event's format file @format that are
 * strings or arrays, " a b " (" " for none); NULL if out of memory.
 */
char *trace_string_fields(const char *format);

/* ---- tracer.c: the pools' trace events, for trace and bug-report ---------- */

struct trace_run {
	/* the pools to trace, each as POOL selects them; none: every event */
	char **specs;
	int nspecs;
	bool json;		/* trace -J */
	long count;		/* stop after COUNT events; < 0: no limit */
	double seconds;		/* stop after SECONDS; <= 0: no limit */
	/*
	 * NULL: each event printed on stdout (trace_print()); else each line of
	 * trace_pipe of an event traced written to @raw as it is, and a notice
	 * of lost events too (bug-report).
	 */
	FILE *raw;
	/* an event not to trace (bug-report: ttm_pool_verify_dirty), or NULL */
	const char *skip;
	/* where messages go: @note(@ctx, MESSAGE), or warnx() if NULL */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
	/* out: the events written, the signal that ended it (0: none) */
	long events;
	int signal;
};

/*
 * Enable the system ttm_pool's events (filtered to the pools), read
 * trace_pipe until the count, the time, SIGINT, SIGTERM, SIGHUP (caught
 * only meanwhile) or its end, and give every file changed its value back;
 * an exit status. SIGPIPE is ignored from then on.
 */
int trace_run(struct trace_run *run);

/* ---- klog.c: the kernel log ----------------------------------------------- */

/*
 * The newest 2000 lines of /dev/kmsg that name TTM, DRM, a GPU driver,
 * swiotlb or the DMA API, "[   12.345678] message", to @out (with a line
 * saying how many older ones were left out); 0, or -errno if /dev/kmsg
 * cannot be opened.
 */
int klog_print(FILE *out);

/* ---- outfile.c ----------------------------------------------------------- */

/*
 * A new file next to @file (O_EXCL, never through a symlink); @tmp (of @len
 * bytes) receives its name. out_close() renames it over @file when all was
 * written, removes it otherwise; 0 or -1 after a message.
 */
FILE *out_open(const char *file, char *tmp, size_t len, mode_t mode);
int out_close(FILE *f, const char *tmp, const char *file);

/* ---- commands ---------------------------------------------------------- */

/*
 * cmd_VERB.c: the commands, called by main() with the options and the
 * arguments after the command's name, in the numbers its entry in the
 * command table allows; an exit status.
 */
int cmd_list(const struct outopts *o, int argc, char **argv);
int cmd_show(const struct outopts *o, int argc, char **argv);
int cmd_stats(const struct outopts *o, int argc, char **argv);
int cmd_set(const struct outopts *o, int argc, char **argv);
int cmd_drain(const struct outopts *o, int argc, char **argv);
int cmd_path(const struct outopts *o, int argc, char **argv);
int cmd_dump(const struct outopts *o, int argc, char **argv);
int cmd_watch(const struct outopts *o, int argc, char **argv);
int cmd_apply(const struct outopts *o, int argc, char **argv);
int cmd_inject(const struct outopts *o, int argc, char **argv);
int cmd_trace(const struct outopts *o, int argc, char **argv);
int cmd_bug_report(const struct outopts *o, int argc, char **argv);
/* list.c: the table of list (to table_stream()), an exit status; its columns */
int list_print(const struct outopts *o);
void list_columns_help(FILE *out);
/* Tell, on stderr, that there are no pools (for the human formats). */
void pools_none_note(const struct pools *ps);

#endif
