#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl --append swiotlb=force
# The seeds' bounce-buffer setup boots: swiotlb forced, qxl still binds.
. /tests/lib/tap.sh

ok "swiotlb=force reached the kernel" grep -qw swiotlb=force /proc/cmdline
ok "the software IO TLB is set up" test -d /sys/kernel/debug/swiotlb
drv=$(basename "$(readlink /sys/class/drm/card0/device/driver 2>/dev/null)")
is "qxl binds with forced bouncing" "$drv" "qxl"
done_testing
