// SPDX-License-Identifier: GPL-2.0
/*
 * ttm-poolctl trace [POOL...] [-c COUNT] [-J]: the pools' trace events as
 * they happen, each printed as it comes (tracer.c), until COUNT events,
 * SIGINT, SIGTERM, SIGHUP or the end of trace_pipe; every tracefs file it
 * changed gets its value back.
 */
#include <stdlib.h>

#include "ttm-poolctl.h"

int cmd_trace(const struct outopts *o, int argc, char **argv)
{
	struct trace_run t = {
		.specs = argv, .nspecs = argc, .json = o->json, .count = o->count,
	};

	return trace_run(&t);
}
