// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl: the command line. The command table says which options and
 * how many arguments each command takes, the rule tables which options do
 * not go together; main() checks a command line against them and calls the
 * command's function (cmd_VERB.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttm-poolctl.h"

/* The options a command may refuse, one bit each (--sysroot, -h, -V: all take them). */
enum {
	OPT_JSON, OPT_OUTPUT, OPT_OUTPUT_ALL, OPT_RAW, OPT_NOHEADINGS, OPT_BYTES,
	OPT_PROMETHEUS, OPT_ALL, OPT_GLOBAL, OPT_INTERVAL, OPT_COUNT, OPT_DRY_RUN,
	OPT_POOL, OPT_FILE, OPT_PAIRS, OPT_SORT, OPT_PER_NODE, OPT_TRACE_SECONDS, OPT_SUMMARY,
	OPT_NR
};
#define O(opt) (1u << OPT_##opt)
/* what every table takes */
#define O_TABLE (O(JSON) | O(RAW) | O(NOHEADINGS) | O(BYTES))

/* getopt_long()'s values of the options without a short form */
enum { LONG_ONLY = 0x100, LONG_SYSROOT = LONG_ONLY + OPT_NR };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "output", required_argument, NULL, 'o' },
	{ "output-all", no_argument, NULL, LONG_ONLY + OPT_OUTPUT_ALL },
	{ "raw", no_argument, NULL, 'r' },
	{ "pairs", no_argument, NULL, 'P' },
	{ "sort", required_argument, NULL, LONG_ONLY + OPT_SORT },
	{ "per-node", no_argument, NULL, LONG_ONLY + OPT_PER_NODE },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "bytes", no_argument, NULL, 'b' },
	{ "prometheus", no_argument, NULL, LONG_ONLY + OPT_PROMETHEUS },
	{ "all", no_argument, NULL, LONG_ONLY + OPT_ALL },
	{ "global", no_argument, NULL, LONG_ONLY + OPT_GLOBAL },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "sysroot", required_argument, NULL, LONG_SYSROOT },
	{ "dry-run", no_argument, NULL, LONG_ONLY + OPT_DRY_RUN },
	{ "file", required_argument, NULL, 'f' },
	{ "pool", required_argument, NULL, LONG_ONLY + OPT_POOL },
	{ "trace-seconds", required_argument, NULL, LONG_ONLY + OPT_TRACE_SECONDS },
	{ "summary", no_argument, NULL, LONG_ONLY + OPT_SUMMARY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The short forms; every other option's value is LONG_ONLY + its OPT_. */
static const char short_opt[OPT_NR] = {
	[OPT_JSON] = 'J', [OPT_OUTPUT] = 'o', [OPT_RAW] = 'r', [OPT_NOHEADINGS] = 'n',
	[OPT_BYTES] = 'b', [OPT_INTERVAL] = 'i', [OPT_COUNT] = 'c', [OPT_FILE] = 'f',
	[OPT_PAIRS] = 'P',
};

struct command {
	const char *name;
	int (*run)(const struct outopts *o, int argc, char **argv);
	unsigned int opts;	/* the options it takes */
	int min_args, max_args;	/* max_args < 0: any number */
	unsigned int no_args;	/* options with which it takes no argument */
	const char *args_err;	/* what it takes, when the count is wrong */
	/* the name of the first argument and of those after it, for "empty POOL" */
	const char *arg_name[2];
	const char *help;	/* its line(s) of the usage */
};

static const struct command commands[] = {
	/* the first is the default */
	{ "list", cmd_list, O_TABLE | O(OUTPUT) | O(OUTPUT_ALL) | O(PAIRS) | O(SORT) | O(PER_NODE),
	  0, 0, 0, NULL, { NULL, NULL }, "[list]" },
	{ "show", cmd_show, O_TABLE | O(GLOBAL), 1, 1, O(GLOBAL), "show takes one POOL, or --global",
	  { "POOL", NULL }, "show POOL|--global" },
	{ "stats", cmd_stats, O_TABLE | O(PROMETHEUS) | O(FILE), 0, 1, O(PROMETHEUS),
	  "stats takes at most one POOL, none with --prometheus",
	  { "POOL", NULL }, "stats [POOL] [--prometheus]" },
	{ "set", cmd_set, O(GLOBAL), 0, -1, 0, NULL, { "POOL", "setting" },
	  "set POOL max=SIZE high=SIZE low=SIZE prezero=auto|on|off verify_clean=on|off\n"
	  "set --global max=SIZE" },
	{ "drain", cmd_drain, O(ALL), 0, -1, 0, NULL, { "POOL", "POOL" }, "drain POOL...|--all" },
	{ "path", cmd_path, 0, 1, 2, 0, "path takes POOL and optionally auto, coherent or page",
	  { "POOL", "path" }, "path POOL [auto|coherent|page]" },
	{ "dump", cmd_dump, O(FILE), 0, 1, 0, "dump takes at most one POOL",
	  { "POOL", NULL }, "dump [POOL] [-f FILE]" },
	{ "watch", cmd_watch, O_TABLE | O(PAIRS) | O(INTERVAL) | O(COUNT), 0, 0, 0, NULL,
	  { NULL, NULL }, "watch [-i SECONDS] [-c COUNT]" },
	{ "apply", cmd_apply, O(DRY_RUN) | O(POOL), 0, -1, 0, NULL, { "FILE", "FILE" },
	  "apply [--dry-run] [--pool NAME] [FILE...]" },
	{ "inject", cmd_inject, 0, 1, -1, 0, "inject takes POOL and optionally a setting",
	  { "POOL", "setting" },
	  "inject POOL [every=N|probability=P [times=T] [pid=PID] [order=K] | off]" },
	{ "trace", cmd_trace, O(JSON) | O(COUNT), 0, -1, 0, NULL, { "POOL", "POOL" },
	  "trace [POOL...] [-c COUNT] [-J]" },
	/* -o FILE as nvidia-bug-report.sh users know it, -f FILE as dump's */
	{ "bug-report", cmd_bug_report, O(OUTPUT) | O(FILE) | O(TRACE_SECONDS) | O(SUMMARY),
	  0, 0, 0, NULL, { NULL, NULL },
	  "bug-report [-o FILE] [--trace-seconds N]\n"
	  "bug-report --summary" },
};
#define NR_COMMANDS (sizeof(commands) / sizeof(*commands))

/*
 * Options that do not go together, like util-linux's ul_excl_t: an error if
 * two different options of @a | @b are given, one of them from @a and one
 * from @b.
 */
static const struct excl {
	unsigned int a, b;
	const char *msg;
} excls[] = {
	{ O(JSON) | O(RAW) | O(PAIRS), O(JSON) | O(RAW) | O(PAIRS),
	  "-J, -r and -P are mutually exclusive" },
	{ O(PROMETHEUS), O(JSON) | O(RAW) | O(NOHEADINGS) | O(PAIRS),
	  "--prometheus cannot be combined with -J, -r or -n" },
	{ O(PER_NODE), O(OUTPUT) | O(OUTPUT_ALL) | O(SORT),
	  "--per-node has its own columns (no -o, --output-all, --sort)" },
	{ O(OUTPUT), O(FILE), "-o and -f both name the file: give one" },
	{ O(SUMMARY), O(OUTPUT) | O(FILE) | O(TRACE_SECONDS),
	  "--summary prints to standard output, without a trace (no -o, -f, --trace-seconds)" },
};

/* Options that need another one in a command. */
static const struct need {
	const char *cmd;
	unsigned int opt, needs;
	const char *msg;
} needs[] = {
	{ "stats", O(FILE), O(PROMETHEUS), "stats --file needs --prometheus" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage:\n", out);
	for (i = 0; i < NR_COMMANDS; i++) {
		const char *line = commands[i].help, *nl;

		for (; line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			fprintf(out, " ttm-poolctl [options] %.*s\n",
				nl ? (int)(nl - line) : (int)strlen(line), line);
		}
	}
	fputs("\nInspect and tune the TTM page pools of GPU drivers (/sys/kernel/ttm).\n"
	      "\nPOOL is a pool name, or all pools of a device (03:00.0, /dev/dri/card1,\n"
	      "by-path/...) or of a driver; set, drain, path, inject and trace act on each.\n"
	      "SIZE is a whole number of pages (512, 512pages) or bytes with a unit:\n"
	      "B, K, M, G, T, 1024-based, optionally KiB, MiB, ... (4096B, 64M, 1.5GiB).\n"
	      "\nOptions:\n"
	      " -J, --json             use JSON output format\n"
	      " -o, --output <list>    output columns (+COL appends to the default);\n"
	      "                        bug-report: the file to write\n"
	      "     --output-all       output all columns\n"
	      " -r, --raw              use raw output format\n"
	      " -P, --pairs            use key=\"value\" output format\n"
	      "     --sort <column>    list: sort by the column\n"
	      "     --per-node         list: the pools summed per NUMA node\n"
	      " -n, --noheadings       don't print headings\n"
	      " -b, --bytes            print sizes in bytes rather than in human form\n"
	      "     --prometheus       stats in the node_exporter textfile format\n"
	      "     --all              drain every pool\n"
	      "     --global           set: the cap on all pools together;\n"
	      "                        show: the global values, the memory of all pools\n"
	      " -i, --interval <secs>  watch: seconds between updates (default 1, min 0.1)\n"
	      " -c, --count <n>        watch: stop after n updates; trace: after n events\n"
	      " -f, --file <file>      dump, stats --prometheus, bug-report: write to this\n"
	      "                        file (a new file renamed over it when complete)\n"
	      "     --trace-seconds <n>\n"
	      "                        bug-report: seconds of trace events (default 5, 0: none)\n"
	      "     --summary          bug-report: the short form (no debugfs, trace, log)\n"
	      "                        on standard output, as reportbug takes it\n"
	      "     --dry-run          apply: show what would be set\n"
	      "     --pool <name>      apply: only to this pool\n"
	      "     --sysroot <dir>    use the sysfs/debugfs tree below dir\n"
	      "                        (also $TTM_POOLCTL_SYSROOT)\n"
	      " -h, --help             display this help\n"
	      " -V, --version          display version\n", out);
	list_columns_help(out);
	fputs("\nSee ttm-poolctl(8) for more.\n", out);
}

/*
 * util-linux's close_stdout(): output that could not be written (a full disk,
 * >/dev/full) fails the command, so "ttm-poolctl ... > f.tmp && mv" never
 * installs a truncated file.
 */
static int close_stream(FILE *f)
{
	bool prev_fail = ferror(f) != 0;
	bool fclose_fail = fclose(f) != 0;

	if (prev_fail || fclose_fail) {
		if (!fclose_fail)
			errno = 0;
		return EOF;
	}
	return 0;
}

static void close_stdout(void)
{
	if (close_stream(stdout) != 0 && errno != EPIPE) {
		if (errno)
			warn("write error");
		else
			warnx("write error");
		_exit(EXIT_FAILURE);
	}
	if (close_stream(stderr) != 0)
		_exit(EXIT_FAILURE);
}

/* A usage error: the message, where to read more, and exit status 2. */
static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fputs("Try 'ttm-poolctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* "--json" */
static const char *opt_name(int opt)
{
	static char buf[32];
	int val = short_opt[opt] ? short_opt[opt] : LONG_ONLY + opt;
	const struct option *lo;

	for (lo = longopts; lo->name; lo++)
		if (lo->val == val)
			break;
	snprintf(buf, sizeof(buf), "--%s", lo->name ? lo->name : "?");
	return buf;
}

/* The option (OPT_) of getopt_long()'s value, -1 for one every command takes. */
static int opt_of(int c)
{
	int i;

	if (c >= LONG_ONLY && c < LONG_ONLY + OPT_NR)
		return c - LONG_ONLY;
	for (i = 0; i < OPT_NR; i++)
		if (short_opt[i] == c)
			return i;
	return -1;
}

/* The options' values into @o; an exit status if the line ends here, else -1. */
static int parse_options(int argc, char **argv, struct outopts *o, unsigned int *used)
{
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "Jo:rPnbi:c:f:hV", longopts, NULL)) != -1) {
		if (opt_of(c) >= 0)
			*used |= 1u << opt_of(c);
		switch (c) {
		case 'J': o->json = true; break;
		case 'o': o->columns = optarg; break;
		case LONG_ONLY + OPT_OUTPUT_ALL: o->output_all = true; break;
		case 'r': o->raw = true; break;
		case 'P': o->pairs = true; break;
		case LONG_ONLY + OPT_SORT: o->sort = optarg; break;
		case LONG_ONLY + OPT_PER_NODE: o->per_node = true; break;
		case 'n': o->noheadings = true; break;
		case 'b': o->bytes = true; break;
		case LONG_ONLY + OPT_PROMETHEUS: o->prometheus = true; break;
		case LONG_ONLY + OPT_ALL: o->all = true; break;
		case LONG_ONLY + OPT_GLOBAL: o->global = true; break;
		case 'i':
			errno = 0;
			o->interval = strtod(optarg, &end);
			if (errno || *end || !(o->interval > 0) || o->interval > 86400)
				return bad("invalid interval '%s' (seconds, > 0)", optarg);
			break;
		case 'c':
			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->count < 1)
				return bad("invalid count '%s' (a number >= 1)", optarg);
			break;
		case LONG_SYSROOT: sys_set_root(optarg); break;
		case 'f':
			if (!*optarg)
				return bad("%s", "--file: empty FILE");
			o->outfile = optarg;
			break;
		case LONG_ONLY + OPT_DRY_RUN: o->dry_run = true; break;
		case LONG_ONLY + OPT_TRACE_SECONDS:
			errno = 0;
			o->trace_seconds = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->trace_seconds >= 0) ||
			    o->trace_seconds > 3600)
				return bad("invalid --trace-seconds '%s' (seconds, 0 to 3600)", optarg);
			break;
		case LONG_ONLY + OPT_SUMMARY: o->summary = true; break;
		case LONG_ONLY + OPT_POOL:
			if (!*optarg)
				return bad("%s", "--pool: empty POOL (is a variable unset?)");
			o->pool = optarg;
			break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("ttm-poolctl %s\n", TTM_POOLCTL_VERSION); return EXIT_SUCCESS;
		default:
			fputs("Try 'ttm-poolctl --help' for more information.\n", stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Whether @cmd takes the options @used and @argc arguments; 0 or EXIT_USAGE. */
static int check(const struct command *cmd, unsigned int used, int argc, char **argv)
{
	size_t i;
	int opt;

	for (opt = 0; opt < OPT_NR; opt++)
		if ((used & (1u << opt)) && !(cmd->opts & (1u << opt)))
			return bad("%s does not apply to '%s'", opt_name(opt), cmd->name);
	/* "set $POOL max=0" with POOL unset must not pick a pool */
	for (i = 0; cmd->arg_name[0] && i < (size_t)argc; i++)
		if (!*argv[i])
			return bad("%s: empty %s (is a variable unset?)", cmd->name,
				   cmd->arg_name[i && cmd->arg_name[1] ? 1 : 0]);
	for (i = 0; i < sizeof(needs) / sizeof(*needs); i++)
		if (!strcmp(needs[i].cmd, cmd->name) && (used & needs[i].opt) &&
		    !(used & needs[i].needs))
			return bad("%s", needs[i].msg);
	for (i = 0; i < sizeof(excls) / sizeof(*excls); i++)
		if ((used & excls[i].a) && (used & excls[i].b) &&
		    __builtin_popcount(used & (excls[i].a | excls[i].b)) > 1)
			return bad("%s", excls[i].msg);
	/* an option with which it takes no argument needs none either (show --global) */
	if (argc < (used & cmd->no_args ? 0 : cmd->min_args) ||
	    (cmd->max_args >= 0 && argc > cmd->max_args) || (argc && (used & cmd->no_args))) {
		if (!cmd->args_err)
			return bad("%s takes no arguments (got '%s')", cmd->name, argv[0]);
		return bad("%s", cmd->args_err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct outopts o = { .interval = 1, .count = -1, .trace_seconds = 5 };
	const struct command *cmd = &commands[0];
	unsigned int used = 0;
	const char *env;
	size_t i;
	int ret;

	/*
	 * warnx() names the program as program_invocation_short_name: the
	 * tool's name, whatever the binary is called (ttm-poolctl-asan too).
	 */
	program_invocation_short_name = (char *)"ttm-poolctl";
	atexit(close_stdout);
	env = getenv("TTM_POOLCTL_SYSROOT");
	if (env && *env)
		sys_set_root(env);

	ret = parse_options(argc, argv, &o, &used);
	if (ret >= 0)
		return ret;
	argv += optind;
	argc -= optind;
	if (argc) {
		for (i = 0; i < NR_COMMANDS; i++)
			if (!strcmp(argv[0], commands[i].name))
				break;
		if (i == NR_COMMANDS)
			return bad("unknown command '%s'", argv[0]);
		cmd = &commands[i];
		argv++;
		argc--;
	}
	ret = check(cmd, used, argc, argv);
	if (ret)
		return ret;
	return cmd->run(&o, argc, argv);
}
