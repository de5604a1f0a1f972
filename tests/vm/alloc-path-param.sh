#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl --append ttm.alloc_path=page
# The boot-time default of the path policy comes from ttm.alloc_path, and qxl
# works with its pool forced to the page path.
. /tests/lib/tap.sh

is "the parameter reads back" "$(cat /sys/module/ttm/parameters/alloc_path)" page
drv=$(basename "$(readlink /sys/class/drm/card0/device/driver 2>/dev/null)")
is "qxl binds" "$drv" qxl
ok "qxl's fbdev buffer was allocated" sh -c 'dmesg | grep -q "qxldrmfb frame buffer device"'
ko=/lib/ttm-tests/ttm_smoke.ko
if [ -f $ko ]; then
	ok "insmod ttm_smoke.ko" insmod $ko
	ok "a new pool takes the policy from the parameter" \
		sh -c 'dmesg | grep -q "ttm_smoke: pool policy page, effective path page"'
	rmmod ttm_smoke
fi
done_testing
