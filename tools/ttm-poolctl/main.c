// SPDX-License-Identifier: GPL-2.0
/* ttm-poolctl: command line, help and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttm-poolctl.h"

enum cmd { C_LIST, C_SHOW, C_STATS, C_SET, C_DRAIN, C_PATH, C_DUMP, C_WATCH, C_APPLY, C_NR };

static const char *const cmd_names[C_NR] = {
	"list", "show", "stats", "set", "drain", "path", "dump", "watch", "apply"
};

/* Options and the commands that take them. */
enum {
	OPT_SYSROOT = 0x100, OPT_OUTPUT_ALL, OPT_PROMETHEUS, OPT_ALL, OPT_GLOBAL,
	OPT_DRY_RUN, OPT_POOL, OPT_FILE, OPT_SORT, OPT_PER_NODE,
};
#define ON(c) (1u << (c))
#define TABLES (ON(C_LIST) | ON(C_SHOW) | ON(C_STATS) | ON(C_WATCH))

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " ttm-poolctl [options] [list]\n"
	      " ttm-poolctl [options] show POOL\n"
	      " ttm-poolctl [options] stats [POOL] [--prometheus]\n"
	      " ttm-poolctl [options] set POOL max=SIZE high=SIZE low=SIZE prezero=on|off\n"
	      " ttm-poolctl [options] set --global max=SIZE\n"
	      " ttm-poolctl [options] drain POOL...|--all\n"
	      " ttm-poolctl [options] path POOL [auto|coherent|page]\n"
	      " ttm-poolctl [options] dump [POOL] [-f FILE]\n"
	      " ttm-poolctl [options] watch [-i SECONDS] [-c COUNT]\n"
	      " ttm-poolctl [options] apply [--dry-run] [--pool NAME] [FILE...]\n"
	      "\nInspect and tune the TTM page pools of GPU drivers (/sys/kernel/ttm).\n"
	      "\nPOOL is a pool name, or all pools of a device (03:00.0, /dev/dri/card1,\n"
	      "by-path/...) or of a driver; set, drain and path act on each.\n"
	      "SIZE is a whole number of pages (512, 512pages) or bytes with a unit:\n"
	      "B, K, M, G, T, 1024-based, optionally KiB, MiB, ... (4096B, 64M, 1.5GiB).\n"
	      "\nOptions:\n"
	      " -J, --json             use JSON output format\n"
	      " -o, --output <list>    output columns (+COL appends to the default)\n"
	      "     --output-all       output all columns\n"
	      " -r, --raw              use raw output format\n"
	      " -P, --pairs            use key=\"value\" output format\n"
	      "     --sort <column>    list: sort by the column\n"
	      "     --per-node         list: the pools summed per NUMA node\n"
	      " -n, --noheadings       don't print headings\n"
	      " -b, --bytes            print sizes in bytes rather than in human form\n"
	      "     --prometheus       stats in the node_exporter textfile format\n"
	      "     --all              drain every pool\n"
	      "     --global           set the cap on all pools together\n"
	      " -i, --interval <secs>  watch: seconds between updates (default 1, min 0.1)\n"
	      " -c, --count <n>        watch: stop after n updates\n"
	      " -f, --file <file>      dump, stats --prometheus: write to this file\n"
	      "                        (a new file renamed over it when complete)\n"
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

static int __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fputs("Try 'ttm-poolctl --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
		{ "raw", no_argument, NULL, 'r' },
		{ "pairs", no_argument, NULL, 'P' },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "per-node", no_argument, NULL, OPT_PER_NODE },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "global", no_argument, NULL, OPT_GLOBAL },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "file", required_argument, NULL, 'f' },
		{ "pool", required_argument, NULL, OPT_POOL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct outopts o = { .interval = 1, .count = -1 };
	unsigned int used = 0, allowed;
	bool all = false, global = false;
	const char *oarg = NULL, *env;
	enum cmd cmd = C_LIST;
	int c, i, nargs;
	char **args, *end;

	/*
	 * warnx() names the program as program_invocation_short_name: the
	 * tool's name, whatever the binary is called (ttm-poolctl-asan too).
	 */
	program_invocation_short_name = (char *)"ttm-poolctl";
	atexit(close_stdout);
	env = getenv("TTM_POOLCTL_SYSROOT");
	if (env && *env)
		sys_set_root(env);

	while ((c = getopt_long(argc, argv, "Jo:rPnbi:c:f:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'J': o.json = true; used |= 1u << 0; break;
		case 'o': oarg = optarg; used |= 1u << 1; break;
		case OPT_OUTPUT_ALL: o.output_all = true; used |= 1u << 2; break;
		case 'r': o.raw = true; used |= 1u << 3; break;
		case 'n': o.noheadings = true; used |= 1u << 4; break;
		case 'b': o.bytes = true; used |= 1u << 5; break;
		case OPT_PROMETHEUS: o.prometheus = true; used |= 1u << 6; break;
		case OPT_ALL: all = true; used |= 1u << 7; break;
		case OPT_GLOBAL: global = true; used |= 1u << 8; break;
		case 'i':
			errno = 0;
			o.interval = strtod(optarg, &end);
			if (errno || *end || !(o.interval > 0) || o.interval > 86400)
				return bad("invalid interval '%s' (seconds, > 0)", optarg);
			used |= 1u << 9;
			break;
		case 'c':
			errno = 0;
			o.count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.count < 1)
				return bad("invalid count '%s' (a number >= 1)", optarg);
			used |= 1u << 10;
			break;
		case OPT_SYSROOT: sys_set_root(optarg); break;
		case 'f':
			if (!*optarg)
				return bad("%s", "--file: empty FILE");
			o.outfile = optarg;
			used |= 1u << 13;
			break;
		case 'P': o.pairs = true; used |= 1u << 14; break;
		case OPT_SORT: o.sort = optarg; used |= 1u << 15; break;
		case OPT_PER_NODE: o.per_node = true; used |= 1u << 16; break;
		case OPT_DRY_RUN: o.dry_run = true; used |= 1u << 11; break;
		case OPT_POOL:
			if (!*optarg)
				return bad("%s", "--pool: empty POOL (is a variable unset?)");
			o.pool = optarg;
			used |= 1u << 12;
			break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("ttm-poolctl %s\n", TTM_POOLCTL_VERSION); return EXIT_SUCCESS;
		default:
			fputs("Try 'ttm-poolctl --help' for more information.\n", stderr);
			return EXIT_USAGE;
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	if (nargs) {
		for (i = 0; i < C_NR; i++)
			if (!strcmp(args[0], cmd_names[i]))
				break;
		if (i == C_NR)
			return bad("unknown command '%s'", args[0]);
		cmd = i;
		args++;
		nargs--;
	}

	/* Which options each command takes (bits as set above). */
	{
		static const struct { unsigned int bit; unsigned int cmds; const char *name; } rules[] = {
			{ 0, TABLES, "--json" },
			{ 1, ON(C_LIST), "--output" },
			{ 2, ON(C_LIST), "--output-all" },
			{ 3, TABLES, "--raw" },
			{ 4, TABLES, "--noheadings" },
			{ 5, ON(C_LIST) | ON(C_WATCH) | ON(C_SHOW) | ON(C_STATS), "--bytes" },
			{ 6, ON(C_STATS), "--prometheus" },
			{ 7, ON(C_DRAIN), "--all" },
			{ 8, ON(C_SET), "--global" },
			{ 9, ON(C_WATCH), "--interval" },
			{ 10, ON(C_WATCH), "--count" },
			{ 11, ON(C_APPLY), "--dry-run" },
			{ 12, ON(C_APPLY), "--pool" },
			{ 13, ON(C_DUMP) | ON(C_STATS), "--file" },
			{ 14, TABLES & ~ON(C_SHOW) & ~ON(C_STATS), "--pairs" },
			{ 15, ON(C_LIST), "--sort" },
			{ 16, ON(C_LIST), "--per-node" },
		};
		size_t r;

		for (r = 0; r < sizeof(rules) / sizeof(*rules); r++) {
			allowed = rules[r].cmds & ON(cmd);
			if ((used & (1u << rules[r].bit)) && !allowed)
				return bad("%s does not apply to '%s'", rules[r].name,
					   cmd_names[cmd]);
		}
	}
	/* "set $POOL max=0" with POOL unset must not pick a pool */
	for (i = 0; cmd != C_APPLY && i < nargs; i++)
		if (!*args[i])
			return bad("%s: empty %s (is a variable unset?)", cmd_names[cmd],
				   cmd == C_SET && i > 0 ? "setting" :
				   cmd == C_PATH && i > 0 ? "path" : "POOL");
	o.columns = oarg;
	if (cmd == C_STATS && o.outfile && !o.prometheus)
		return bad("%s", "stats --file needs --prometheus");
	if (o.json + o.raw + o.pairs > 1)
		return bad("%s", "-J, -r and -P are mutually exclusive");
	if (o.prometheus && (o.json || o.raw || o.noheadings || o.pairs))
		return bad("%s", "--prometheus cannot be combined with -J, -r or -n");

	switch (cmd) {
	case C_LIST:
		if (nargs)
			return bad("list takes no arguments (got '%s')", args[0]);
		if (o.per_node && (o.columns || o.output_all || o.sort))
			return bad("%s", "--per-node has its own columns (no -o, --output-all, --sort)");
		return cmd_list(&o);
	case C_SHOW:
		if (nargs != 1)
			return bad("%s", "show takes one POOL");
		return cmd_show(&o, args[0]);
	case C_STATS:
		if (nargs > 1 || (o.prometheus && nargs))
			return bad("%s", "stats takes at most one POOL, none with --prometheus");
		return cmd_stats(&o, nargs ? args[0] : NULL);
	case C_SET:
		return cmd_set(&o, nargs, args, global);
	case C_DRAIN:
		return cmd_drain(&o, nargs, args, all);
	case C_PATH:
		if (nargs < 1 || nargs > 2)
			return bad("%s", "path takes POOL and optionally auto, coherent or page");
		return cmd_path(&o, args[0], nargs == 2 ? args[1] : NULL);
	case C_DUMP:
		if (nargs > 1)
			return bad("%s", "dump takes at most one POOL");
		return cmd_dump(&o, nargs ? args[0] : NULL);
	case C_WATCH:
		if (nargs)
			return bad("watch takes no arguments (got '%s')", args[0]);
		return cmd_watch(&o);
	case C_APPLY:
		for (i = 0; i < nargs; i++)
			if (!*args[i])
				return bad("%s", "apply: empty FILE");
		return cmd_apply(&o, nargs, args);
	case C_NR:
		break;
	}
	return EXIT_USAGE;
}
