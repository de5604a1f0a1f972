// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log lines of TTM, DRM, the GPU drivers, swiotlb and the DMA
 * API, as dump and bug-report give them: from /dev/kmsg below the sysroot,
 * the newest KLOG_KEEP, which matter most.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ttm-poolctl.h"

static bool log_relevant(const char *msg)
{
	static const char *const words[] = {
		"ttm", "drm", "swiotlb", "software io tlb", "qxl", "bochs",
		"vmwgfx", "amdgpu", "radeon", "nouveau", "dma-api",
	};
	size_t i, j, len = strlen(msg);

	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		for (j = 0; j + strlen(words[i]) <= len; j++)
			if (!strncasecmp(msg + j, words[i], strlen(words[i])))
				return true;
	return false;
}

#define KLOG_KEEP 2000	/* relevant lines kept: the newest */

struct klog {
	char *line[KLOG_KEEP];
	size_t next, n, dropped;
};

static void klog_record(struct klog *k, char *rec)
{
	unsigned long long usec = 0;
	char *msg = strchr(rec, ';');

	if (rec[0] == ' ' || !msg || !log_relevant(msg + 1))
		return;		/* continuation lines (" SUBSYSTEM=") and the rest */
	sscanf(rec, "%*u,%*u,%llu", &usec);
	if (k->n == KLOG_KEEP) {
		free(k->line[k->next]);
		k->dropped++;
	} else {
		k->n++;
	}
	k->line[k->next] = xasprintf("[%5llu.%06llu] %s", usec / 1000000, usec % 1000000,
				     msg + 1);
	k->next = (k->next + 1) % KLOG_KEEP;
}

/*
 * /dev/kmsg holds "prio,seq,usec,flags;message" records, one per read() from
 * the device (lines of a regular file in a copied tree).
 */
int klog_print(FILE *out)
{
	static char buf[1 << 16];
	static struct klog k;
	size_t len = 0, i;
	ssize_t n;
	char *nl, *start;
	int fd;

	fd = open(sys_path("/dev/kmsg"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten while reading */
		if (n <= 0)
			break;
		len += n;
		buf[len] = '\0';
		for (start = buf; (nl = strchr(start, '\n')); start = nl + 1) {
			*nl = '\0';
			klog_record(&k, start);
		}
		len -= start - buf;
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1)
			len = 0;	/* a line longer than the buffer: drop it */
	}
	close(fd);
	if (len) {
		buf[len] = '\0';
		klog_record(&k, buf);
	}
	if (k.dropped)
		fprintf(out, "(%zu older lines left out)\n", k.dropped);
	for (i = 0; i < k.n; i++) {
		size_t j = (k.next + KLOG_KEEP - k.n + i) % KLOG_KEEP;

		fprintf(out, "%s\n", k.line[j]);
		free(k.line[j]);
	}
	k.n = k.next = k.dropped = 0;
	return 0;
}
