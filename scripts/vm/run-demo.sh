#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, not a test: the main job on a device's pool, shown in the
# VM (make run puts this file into the initramfs with scripts/ttm-vm --add and runs
# /root/run-demo.sh). A workload (dumbbuf: DRM dumb buffers, more than bochs' VRAM
# holds, so TTM moves them to pooled system pages) allocates and frees buffers;
# ttm-poolctl shows the pool filling and its hits; then it resizes the pool,
# switches its path coherent <-> page under live buffers and drains it, showing
# the effect of each step; last, an excerpt of the dump a bug reporter attaches.
# Runs with any GPU; the steps need a pool of a device (bochs, the default).
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "TTM devices"
for c in /sys/class/drm/card[0-9]; do
	[ -e "$c/device" ] || continue
	dev=$(basename "$(readlink -f "$c/device")")
	drv=$(basename "$(readlink "$c/device/driver" 2>/dev/null)")
	printf '%s  %s  driver %s\n' "${c##*/}" "$dev" "${drv:-none}"
done
pool=
for p in /sys/kernel/ttm/pools/*; do
	[ -L "$p/device" ] && { pool=${p##*/}; break; }
done
if [ -z "$pool" ] || ! command -v ttm-poolctl >/dev/null 2>&1; then
	step "ttm-poolctl list"
	command -v ttm-poolctl >/dev/null 2>&1 && ttm-poolctl list
	echo "(no pool of a device here: make run GPU=bochs shows the pool at work)"
	exit 0
fi

step "A fresh pool: nothing pooled yet"
run ttm-poolctl list

step "A workload: 200 dumb buffers, up to 12 alive (more than the VRAM holds)"
run dumbbuf -n 200 -k 12
run ttm-poolctl list -o NAME,PATH,POOLED,INUSE,HIT%
echo "(frees went into the pool; later allocations were hits instead of fresh pages)"

step "Resize: cap the pool at 256 pages (1 MiB); what is above goes back at once"
run ttm-poolctl set "$pool" max=256
run ttm-poolctl show "$pool"

step "Switch the path under live buffers: coherent, then page"
dumbbuf -n 40 -k 8 -w /tmp/hold >/dev/null &
while [ ! -e /tmp/hold ]; do sleep 0.2; done
run ttm-poolctl path "$pool" coherent
run ttm-poolctl list -o NAME,PATH,FORCED,POOLED,INUSE
echo "(the pages pooled for the page path went back at the switch; FORCED: set by alloc_path."
echo " bochs's buffers take no DMA addresses from the pool, so they keep page-path pages:"
echo " coherent memory goes only to drivers that use the pool's DMA addresses)"
run ttm-poolctl path "$pool" page
run ttm-poolctl path "$pool" auto
rm -f /tmp/hold
wait
echo "(the held buffers were verified after the switches: dumbbuf exits 1 on a bad byte)"

step "Drain: every pooled page back to the system"
run ttm-poolctl drain "$pool"
run ttm-poolctl list -o NAME,PATH,FORCED,POOLED,INUSE

step "What a bug report attaches: ttm-poolctl dump (excerpt)"
ttm-poolctl dump "$pool" | head -n 40
