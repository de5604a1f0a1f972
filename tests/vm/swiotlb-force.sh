#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl --append swiotlb=force
# The seeds' bounce-buffer setup: with swiotlb forced, qxl still binds (its pool
# has no device, so it stays on the page path: nothing to bounce for), and a pool
# with a device resolves auto to the coherent path because swiotlb bounces for
# it -- the two fake devices (32- and 64-bit DMA masks) of ttm_pool_stress,
# loaded paused -- and really allocates there.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

STRESS=/lib/ttm-tests/ttm_pool_stress.ko
ok "swiotlb=force reached the kernel" grep -qw swiotlb=force /proc/cmdline
ok "the software IO TLB is set up" test -d /sys/kernel/debug/swiotlb
drv=$(basename "$(readlink /sys/class/drm/card0/device/driver 2>/dev/null)")
is "qxl binds with forced bouncing" "$drv" "qxl"
ok "qxl's fbdev buffer was allocated" sh -c 'dmesg | grep -q "qxldrmfb frame buffer device"'
need "qxl's pool is there" test -d $T/pools/nodev
is "qxl (no device): auto is the page path (effective_path, path_reason, swiotlb_force)" \
	"$(cat $T/pools/nodev/effective_path)|$(dump_get nodev path_reason)|$(dump_get nodev swiotlb_force)" \
	"page|no device|0"

need "ttm_pool_stress.ko and ttm_pool_hold.ko are in the initramfs" test -f $STRESS -a -f $HOLD
ok "load ttm_pool_stress, paused" insmod $STRESS threads=1 pause=1
for p in ttm_pool_stress32 ttm_pool_stress64; do
	is "$p: auto resolves to coherent because swiotlb bounces (effective_path, path_reason)" \
		"$(cat $T/pools/$p/alloc_path) / $(cat $T/pools/$p/effective_path) / $(dump_get $p path_reason)" \
		"[auto] coherent page / coherent / swiotlb forces bouncing"
	is "$p: the dump says swiotlb forces and is active for it" \
		"$(dump_get $p swiotlb_force) $(dump_get $p swiotlb_active)" "1 1"
	coh=$(cat $T/pools/$p/stats/alloc_coherent_pages)
	pg=$(cat $T/pools/$p/stats/alloc_page_pages)
	ok "$p: hold 16 pages" insmod $HOLD pool=$p pages=16 caching=wc
	ok "$p: ...give them back" rmmod ttm_pool_hold
	is "$p: they came from the coherent path" \
		"$(cat $T/pools/$p/stats/alloc_coherent_pages) $(cat $T/pools/$p/stats/alloc_page_pages)" \
		"$((coh + 16)) $pg"
	is "$p: nothing in use (signed)" "$(inuse_signed $p)" 0
done
ok "unload ttm_pool_stress" rmmod ttm_pool_stress
done_testing
