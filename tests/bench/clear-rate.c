// SPDX-License-Identifier: GPL-2.0
/*
 * clear-rate: how fast this host clears memory the way the kernel's
 * clear_page_erms() does, with one "rep stosb" per clear. make bench
 * (tests/bench/run.sh) builds and runs it once per run; tests/bench/report.py
 * prices the guest's page clears with it (the hardware-weighted figure, see
 * "Cost model" in docs/BENCHMARKS.md).
 *
 *   clear-rate [-m MIB] [-r REPS]
 *
 * -m: the buffer cleared by the streaming measurements (default: 64 MiB, or
 * twice the L3 cache if that is larger, at most 512 MiB), so that they
 * stream from memory, not from a cache; -r: the repetitions (default 21).
 * The buffer is touched before anything is timed (no page faults in the
 * timings) and asked for transparent huge pages, as the kernel's direct
 * mapping uses large pages. Each repetition takes one sample of every
 * measurement in turn, so that a noisy neighbour disturbs them alike; the
 * figure is the fastest sample: other jobs on a shared host only ever slow
 * a clear down (the medians, up to 2x slower on a busy host, are in a
 * comment line). One CSV line per measurement:
 *
 *   clear-rate,WHAT,BYTES,NS_PER_CLEAR,GB_PER_S
 *
 *   4k-stream  a 4 KiB clear, page after page through the buffer (each
 *              sample times a whole pass)
 *   4k-hot     a 4 KiB clear of one page, again and again (in L1/L2)
 *   64k-stream, 256k-stream
 *              a 64 KiB or 256 KiB clear in one string store, one after the
 *              other through the buffer: the kernel's segments (write-back
 *              chunks of 16 KiB and more are cleared in stores of at most
 *              256 KiB, ttm_pool_clear.c)
 *   2m-stream  a 2 MiB clear in one string store, chunk after chunk through
 *              the buffer
 *   2m-as-4k   a 2 MiB clear as 512 4 KiB clears, chunk after chunk through
 *              the buffer
 *
 * BYTES is the size of one clear, GB/s = BYTES / NS_PER_CLEAR. Lines
 * starting with '#' describe the run (the buffer, and the medians: far above
 * the figures, the host was busy). Exit status 1 on any failure.
 *
 * Copyright (c) 2026 The ttm-pool authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SZ_4K (4UL << 10)
#define SZ_64K (64UL << 10)
#define SZ_256K (256UL << 10)
#define SZ_2M (2UL << 20)
#define SZ_1M (1UL << 20)
#define HOT_CLEARS 1024
#define MAX_REPS 1001

enum { M_4K_STREAM, M_4K_HOT, M_64K_STREAM, M_256K_STREAM, M_2M_STREAM,
	M_2M_AS_4K, NR_M };

static const char * const names[NR_M] = {
	[M_4K_STREAM] = "4k-stream",
	[M_4K_HOT] = "4k-hot",
	[M_64K_STREAM] = "64k-stream",
	[M_256K_STREAM] = "256k-stream",
	[M_2M_STREAM] = "2m-stream",
	[M_2M_AS_4K] = "2m-as-4k",
};

static const unsigned long sizes[NR_M] = {
	[M_4K_STREAM] = SZ_4K,
	[M_4K_HOT] = SZ_4K,
	[M_64K_STREAM] = SZ_64K,
	[M_256K_STREAM] = SZ_256K,
	[M_2M_STREAM] = SZ_2M,
	[M_2M_AS_4K] = SZ_2M,
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clear-rate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* clear_page_erms(): one string store of @n bytes. */
static inline void clear_erms(void *p, unsigned long n)
{
	asm volatile("rep stosb"
		     : "+D" (p), "+c" (n)
		     : "a" (0)
		     : "memory");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One sample of @m: the ns per clear. */
static double sample(int m, char *buf, unsigned long len)
{
	unsigned long off, i;
	uint64_t t0, t;
	unsigned long n;

	t0 = now_ns();
	switch (m) {
	case M_4K_STREAM:
		for (off = 0; off < len; off += SZ_4K)
			clear_erms(buf + off, SZ_4K);
		n = len / SZ_4K;
		break;
	case M_4K_HOT:
		for (i = 0; i < HOT_CLEARS; i++)
			clear_erms(buf, SZ_4K);
		n = HOT_CLEARS;
		break;
	case M_64K_STREAM:
	case M_256K_STREAM:
	case M_2M_STREAM:
		for (off = 0; off < len; off += sizes[m])
			clear_erms(buf + off, sizes[m]);
		n = len / sizes[m];
		break;
	default:
		for (off = 0; off < len; off += SZ_2M)
			for (i = 0; i < SZ_2M; i += SZ_4K)
				clear_erms(buf + off + i, SZ_4K);
		n = len / SZ_2M;
		break;
	}
	t = now_ns() - t0;
	return (double)t / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static unsigned long parse(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > max)
		die("bad %s", what);
	return v;
}

/* The L3 cache's size in bytes, 0 if unknown. */
static unsigned long l3_size(void)
{
	long v = -1;

#ifdef _SC_LEVEL3_CACHE_SIZE
	v = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
	return v > 0 ? (unsigned long)v : 0;
}

int main(int argc, char **argv)
{
	unsigned long mib = 0, reps = 21, len, l3 = l3_size();
	static double v[NR_M][MAX_REPS];
	const char *thp = "no";
	unsigned long r;
	void *buf;
	int m, c;

	while ((c = getopt(argc, argv, "m:r:")) != -1) {
		switch (c) {
		case 'm':
			mib = parse(optarg, "-m (MiB, 2..65536, even)", 65536);
			break;
		case 'r':
			reps = parse(optarg, "-r (1..1001)", MAX_REPS);
			break;
		default:
			fprintf(stderr, "usage: clear-rate [-m MIB] [-r REPS]\n");
			return 1;
		}
	}
	if (optind != argc)
		die("unexpected argument '%s'", argv[optind]);
	if (!mib) {
		mib = 64;
		if (2 * l3 / SZ_1M > mib)
			mib = 2 * l3 / SZ_1M;
		if (mib > 512)
			mib = 512;
		mib &= ~1UL;
	}
	if (mib & 1)
		die("bad -m (MiB, 2..65536, even)");
	len = mib * SZ_1M;

	if (posix_memalign(&buf, SZ_2M, len))
		die("cannot allocate a buffer of %lu MiB", mib);
#ifdef MADV_HUGEPAGE
	if (!madvise(buf, len, MADV_HUGEPAGE))
		thp = "asked";
#endif
	/* Fault everything in before timing. */
	memset(buf, 1, len);

	printf("# clear-rate: rep stosb, buffer %lu MiB (L3 %lu MiB; huge pages %s), "
	       "%lu repetitions, the fastest\n", mib, l3 / SZ_1M, thp, reps);
	for (r = 0; r < reps; r++)
		for (m = 0; m < NR_M; m++)
			v[m][r] = sample(m, buf, len);
	for (m = 0; m < NR_M; m++)
		qsort(v[m], reps, sizeof(v[m][0]), cmp_double);
	/* A busy host slows the medians: they show by how much. */
	printf("# medians (ns per clear):");
	for (m = 0; m < NR_M; m++)
		printf(" %s %.1f", names[m], v[m][reps / 2]);
	printf("\n");
	for (m = 0; m < NR_M; m++) {
		double best = v[m][0];

		if (best <= 0)
			die("%s: the clock did not advance", names[m]);
		printf("clear-rate,%s,%lu,%.1f,%.2f\n", names[m], sizes[m], best,
		       sizes[m] / best);
	}
	free(buf);
	if (fflush(stdout) || ferror(stdout))
		die("writing the results: %s", strerror(errno));
	return 0;
}
