// SPDX-License-Identifier: GPL-2.0
/*
 * dumbbuf: create, map, write, verify and destroy DRM dumb buffers on a real
 * driver, so its TTM buffers move between VRAM and pooled system pages.
 *
 *   dumbbuf [-d /dev/dri/card0] [-n ITERATIONS] [-k KEEP] [-w FILE]
 *
 * Keeps up to KEEP buffers alive at once (more than the VRAM holds, so TTM
 * evicts some to system memory), verifies every live buffer's pattern after
 * each step, prints "dumbbuf: N buffers, M checks, 0 errors" and exits 1 on
 * any error.
 *
 * With -w FILE, after the last step it creates FILE and waits (up to 10
 * minutes) until FILE is removed, holding its last KEEP buffers, written and
 * verified, then verifies them again and destroys them: a test can change the
 * pool underneath buffers that are certainly alive.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>

struct buf {
	uint32_t handle, seed;
	uint64_t size;
	uint32_t *map;
};

static int fd;
static unsigned long checks, errors;

static int create(struct buf *b, uint32_t w, uint32_t h, uint32_t seed)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	uint64_t i;

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return -errno;
	m.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		return -errno;
	b->map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (b->map == MAP_FAILED)
		return -errno;
	b->handle = c.handle;
	b->size = c.size;
	b->seed = seed;
	for (i = 0; i < b->size / 4; i += 1024)
		b->map[i] = seed ^ (uint32_t)i;
	return 0;
}

static void verify(const struct buf *b)
{
	uint64_t i;

	for (i = 0; i < b->size / 4; i += 1024) {
		if (b->map[i] != (b->seed ^ (uint32_t)i)) {
			if (errors++ < 5)
				fprintf(stderr, "dumbbuf: buffer %u word %llu: %08x != %08x\n",
					b->handle, (unsigned long long)i, b->map[i],
					b->seed ^ (uint32_t)i);
			break;
		}
	}
	checks++;
}

static void destroy(struct buf *b)
{
	struct drm_mode_destroy_dumb d = { .handle = b->handle };

	munmap(b->map, b->size);
	ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	b->map = NULL;
}

/* Create @path and wait until someone removes it; 0, or -1 on error or timeout. */
static int hold_until_removed(const char *path)
{
	struct stat st;
	int i, f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (f < 0) {
		fprintf(stderr, "dumbbuf: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(f);
	for (i = 0; i < 600 * 20; i++) {
		if (stat(path, &st) && errno == ENOENT)
			return 0;
		usleep(50000);
	}
	fprintf(stderr, "dumbbuf: %s was not removed within 10 minutes\n", path);
	return -1;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0", *hold = NULL;
	unsigned long n = 200, keep = 12, i, j, made = 0;
	struct buf *bufs;
	int c, err;

	while ((c = getopt(argc, argv, "d:n:k:w:")) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'k': keep = strtoul(optarg, NULL, 10); break;
		case 'w': hold = optarg; break;
		default:
			fprintf(stderr, "usage: dumbbuf [-d DEV] [-n N] [-k KEEP] [-w FILE]\n");
			return 2;
		}
	}
	if (!keep || keep > 1024)
		return 2;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dumbbuf: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	bufs = calloc(keep, sizeof(*bufs));
	if (!bufs)
		return 1;
	srand(1);
	for (i = 0; i < n; i++) {
		struct buf *b = &bufs[i % keep];
		uint32_t w = 64 + (rand() % 16) * 64, h = 64 + (rand() % 16) * 64;

		if (b->map)
			destroy(b);
		err = create(b, w, h, (uint32_t)rand());
		if (err) {
			fprintf(stderr, "dumbbuf: create %ux%u: %s\n", w, h, strerror(-err));
			errors++;
			continue;
		}
		made++;
		for (j = 0; j < keep; j++)
			if (bufs[j].map)
				verify(&bufs[j]);
	}
	if (hold && hold_until_removed(hold))
		errors++;
	for (j = 0; j < keep; j++)
		if (bufs[j].map) {
			verify(&bufs[j]);
			destroy(&bufs[j]);
		}
	printf("dumbbuf: %lu buffers, %lu checks, %lu errors\n", made, checks, errors);
	return errors ? 1 : 0;
}
