// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The TTM page pool's tracepoints, declared in ttm_pool_trace.h, are made
 * here. A leaf: it calls nothing of the pool.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#define CREATE_TRACE_POINTS
#include "ttm_pool_trace.h"
