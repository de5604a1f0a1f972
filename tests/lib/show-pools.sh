#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make run` shows inside the VM: the TTM devices and their pools.
echo "== TTM devices"
for c in /sys/class/drm/card[0-9]; do
	[ -e "$c/device" ] || continue
	dev=$(basename "$(readlink -f "$c/device")")
	drv=$(basename "$(readlink "$c/device/driver" 2>/dev/null)")
	printf '%s  %s  vendor %s device %s  driver %s\n' "${c##*/}" "$dev" \
		"$(cat "$c/device/vendor")" "$(cat "$c/device/device")" "${drv:-none}"
done
if command -v ttm-poolctl >/dev/null 2>&1; then
	echo
	echo "== ttm-poolctl list"
	ttm-poolctl list
fi
echo
echo "== /sys/kernel/debug/ttm/page_pool"
cat /sys/kernel/debug/ttm/page_pool
for f in /sys/kernel/debug/dri/*/ttm_page_pool; do
	[ -e "$f" ] || continue
	echo
	echo "== $f"
	cat "$f"
done
