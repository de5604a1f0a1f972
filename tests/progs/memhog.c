// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: push the kernel into reclaim so shrinkers run.
 *   memhog MIB STOPFILE   map and touch MIB MiB, let go, repeat until
 *                          STOPFILE exists; prints the rounds done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long mib, rounds = 0, off;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: memhog MIB STOPFILE\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	while (access(argv[2], F_OK)) {
		p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (off = 0; off < mib << 20; off += 4096) {
			p[off] = 1;
			/* stop soon after being asked, not at the end of a round */
			if (!(off & ((16 << 20) - 1)) && !access(argv[2], F_OK))
				break;
		}
		munmap(p, mib << 20);
		rounds++;
	}
	printf("memhog: %lu rounds of %lu MiB\n", rounds, mib);
	return 0;
}
