#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# bochs (std VGA) binds on our kernel and sets up its TTM-backed VRAM manager.
. /tests/lib/tap.sh

drv=$(basename "$(readlink /sys/class/drm/card0/device/driver 2>/dev/null)")
is "card0 is driven by bochs-drm" "$drv" "bochs-drm"
ok "bochs initialised its DRM device" sh -c 'dmesg | grep -q "Initialized bochs-drm"'
ok "the TTM VRAM manager dump exists" test -e /sys/kernel/debug/dri/0/vram-mm
ok "/sys/kernel/debug/ttm/page_pool is readable" test -r /sys/kernel/debug/ttm/page_pool
done_testing
