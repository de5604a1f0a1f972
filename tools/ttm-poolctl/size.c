// SPDX-License-Identifier: GPL-2.0
/* Sizes: parsing "512", "512p", "64M", "1.5GiB"; lsblk-style human output. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ttm-poolctl.h"

static int unit_shift(const char *u, unsigned int *shift)
{
	static const char units[] = "BKMGTPE";
	const char *p;

	if (!*u) {
		*shift = 0;
		return 0;
	}
	p = strchr(units, toupper((unsigned char)u[0]));
	if (!p)
		return -EINVAL;
	*shift = 10 * (unsigned int)(p - units);
	u++;
	if (p != units && (!strcasecmp(u, "iB") || !strcasecmp(u, "B") || !*u))
		return 0;
	return *u ? -EINVAL : 0;
}

int size_parse_pages(const char *s, uint64_t page_size, uint64_t *pages)
{
	unsigned int shift;
	char *end;
	double bytes, whole;
	uint64_t v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (!*end || ((*end == 'p' || *end == 'P') && !end[1] && end != s)) {
		if (*end && end[-1] == '.')
			return -EINVAL;
		*pages = v;
		return 0;
	}
	/* A number of bytes, maybe with a fraction, and a unit. */
	bytes = strtod(s, &end);
	if (end == s || unit_shift(end, &shift))
		return -EINVAL;
	bytes = ldexp(bytes, (int)shift);
	if (bytes >= 18446744073709551616.0)
		return -ERANGE;
	if (modf(bytes / (double)page_size, &whole) != 0.0)
		return -EINVAL;
	*pages = (uint64_t)whole;
	return 0;
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
