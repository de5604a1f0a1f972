#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: /sys/kernel/ttm shows the GPU's pool with every file that
# Documentation/ABI/testing/sysfs-kernel-ttm documents (a "nodev" pool, qxl's,
# has no device link), and the debugfs dumps exist.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
need_pools
GPU=$(cat /root/gpu)

ok "$T exists" test -d $T
for f in pool_max_pages pooled_pages; do
	ok "$T/$f is readable" cat $T/$f
done
P=$(the_pool)
ok "a pool is listed in $T/pools" test -n "$P"
case $GPU in
qxl) is "qxl's pool is nodev" "$P" nodev ;;
*) is "$GPU's pool is named after its device" "$P" 0000:00:02.0 ;;
esac
missing=
while IFS= read -r f; do
	[ -n "$f" ] || continue
	[ "$f" = device ] && [ "${P%%.*}" = nodev ] && continue
	case $f in
	*/) [ -d "$T/pools/$P/$f" ] || missing="$missing $f" ;;
	*) [ -e "$T/pools/$P/$f" ] || missing="$missing $f" ;;
	esac
done </root/pool-files
is "pool $P has every documented file ($(grep -c . /root/pool-files) documented)" "${missing# }" ""
if [ "${P%%.*}" != nodev ]; then
	is "nothing of ours in the device's directory" \
		"$(ls /sys/bus/pci/devices/0000:00:02.0 | grep -c '^ttm')" 0
fi
# qxl's buffers live in system pages; bochs keeps its framebuffer in VRAM.
if [ "$GPU" = qxl ]; then
	ok "its buffers are in use" test "$(cat "$T/pools/$P/inuse_pages")" -gt 0
fi
ok "debugfs dump of the pool" test -r "/sys/kernel/debug/ttm/pools/$P"
ok "debugfs dump of all pools" sh -c "cat /sys/kernel/debug/ttm/pools/all | grep -q ."
done_testing
