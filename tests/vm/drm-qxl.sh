#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl
# qxl binds on our kernel, allocates its fbdev buffer through TTM, and the TTM pool
# debugfs dump is there.
. /tests/lib/tap.sh

drv=$(basename "$(readlink /sys/class/drm/card0/device/driver 2>/dev/null)")
is "card0 is driven by qxl" "$drv" "qxl"
ok "the fbdev emulation got a framebuffer (a TTM buffer)" sh -c 'dmesg | grep -q "qxldrmfb frame buffer device"'
ok "/sys/kernel/debug/ttm/page_pool is readable" test -r /sys/kernel/debug/ttm/page_pool
ok "page_pool dump has the write-combined row" grep -q '^wc' /sys/kernel/debug/ttm/page_pool
ok "the qxl device has a TTM memory-manager dump" test -e /sys/kernel/debug/dri/0/ttm_page_pool -o -e /sys/kernel/debug/dri/0/vram_mm -o -e /sys/kernel/debug/dri/0/qxl_mem_mm
done_testing
