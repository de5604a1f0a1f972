// SPDX-License-Identifier: GPL-2.0
/* Sizes: parsing "512", "512pages", "64M", "1.5GiB"; lsblk-style human output. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ttm-poolctl.h"

/*
 * A size is either a whole decimal number of pages ("512", "512pages") or a
 * decimal number of bytes with a unit ("4096B", "64K", "64M", "1.5GiB",
 * "2T"; K, M, G, T are 1024-based, optionally followed by "iB"). Nothing
 * else: no hex, no exponent, no fraction without a unit, no "P" (peta or
 * pages?), no "KB" (1000 or 1024?).
 */
static int unit_shift(const char *u, unsigned int *shift, const char **why)
{
	static const char units[] = "KMGT";
	const char *p;

	if (!strcmp(u, "B") || !strcmp(u, "b")) {
		*shift = 0;
		return 0;
	}
	p = *u ? strchr(units, toupper((unsigned char)u[0])) : NULL;
	if (!p) {
		*why = "unknown unit (pages: 512 or 512pages; bytes: 4096B, 64K, 64M, 1.5G, "
		       "2T, optionally KiB, MiB, ...)";
		return -EINVAL;
	}
	*shift = 10 * (unsigned int)(p - units + 1);
	if (!u[1] || !strcmp(u + 1, "iB") || !strcmp(u + 1, "ib"))
		return 0;
	if (!strcasecmp(u + 1, "B")) {
		*why = "ambiguous unit: KB, MB, ... could be 1000-based; write K or KiB, M or MiB, ...";
		return -EINVAL;
	}
	*why = "unknown unit (pages: 512 or 512pages; bytes: 4096B, 64K, 64M, 1.5G, "
	       "2T, optionally KiB, MiB, ...)";
	return -EINVAL;
}

int size_parse_pages(const char *s, uint64_t page_size, uint64_t *pages, const char **why)
{
	unsigned __int128 whole = 0, frac = 0, scale = 1, bytes;
	unsigned int shift;
	const char *p = s, *dot = NULL;

	*why = "expected pages (512, 512pages) or bytes with a unit (64M, 1.5GiB)";
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > UINT64_MAX) {
			*why = "too large";
			return -ERANGE;
		}
	}
	if (!*p || !strcmp(p, "pages")) {
		*pages = (uint64_t)whole;
		return 0;
	}
	if (*p == '.') {
		dot = p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale < 1000000000000000000ULL) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			} else if (*p != '0') {
				*why = "too many decimals";
				return -EINVAL;
			}
		}
		if (!*p || !strcmp(p, "pages")) {
			*why = "a number of pages must be whole; give bytes a unit (1.5M)";
			return -EINVAL;
		}
	}
	if (!strcmp(p, "p") || !strcmp(p, "P")) {
		*why = "ambiguous unit 'P': write pages as 512 or 512pages";
		return -EINVAL;
	}
	if (unit_shift(p, &shift, why))
		return -EINVAL;
	(void)dot;
	/* bytes = (whole + frac / scale) << shift, which must be whole */
	if (whole > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -ERANGE;
	}
	bytes = whole << shift;
	if ((frac << shift) % scale) {
		*why = "not a whole number of bytes";
		return -EINVAL;
	}
	bytes += (frac << shift) / scale;
	if (bytes > UINT64_MAX) {
		*why = "too large";
		return -ERANGE;
	}
	if (bytes % page_size) {
		*why = "not a whole number of pages";
		return -EINVAL;
	}
	*pages = (uint64_t)(bytes / page_size);
	return 0;
}

uint64_t pool_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

char *size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "BKMGTPE";
	unsigned int exp = 0;
	uint64_t div = 1;
	double v;

	while (exp < 6 && bytes >= div * 1024) {
		div *= 1024;
		exp++;
	}
	if (!exp) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return buf;
	}
	v = (double)bytes / (double)div;
	if (bytes % div == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / div), suffix[exp]);
	else
		snprintf(buf, len, "%.1f%c", v, suffix[exp]);
	/* "10.0M" reads better as "10M" */
	{
		char *dot = strstr(buf, ".0");

		if (dot && !isdigit((unsigned char)dot[2]))
			memmove(dot, dot + 2, strlen(dot + 2) + 1);
	}
	return buf;
}
