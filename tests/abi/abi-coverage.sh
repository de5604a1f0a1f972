#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every file the guest has under /sys/kernel/ttm and /sys/kernel/debug/ttm
# matches a What: entry of our ABI files, and nothing of ours is in a device's
# directory.
# Checked with bochs (a pool with a device) and qxl (a "nodev" pool), with
# tests/abi/abi_match.py.
# needs: test kernel
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
abi=("$top"/Documentation/ABI/testing/sysfs-kernel-ttm
	"$top"/Documentation/ABI/testing/debugfs-ttm-pool)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

list='find /sys/kernel/ttm /sys/kernel/debug/ttm;
	for l in /sys/bus/pci/devices/*/ttm*; do
		[ -e "$l" ] && echo "$(readlink -f "${l%/*}")/${l##*/}"
	done; true'
for gpu in bochs qxl; do
	"$top/scripts/ttm-vm" --gpu $gpu --no-kmemleak --log "$tmp/$gpu.log" -- "$list" \
		>"$tmp/$gpu.paths"
	is "$gpu: listed the guest's TTM files" "$?" 0
	ok "$gpu: more than the global files" test "$(grep -c /sys/kernel/ttm/pools/ "$tmp/$gpu.paths")" -gt 20
	"$top/tests/abi/abi_match.py" "${abi[@]}" <"$tmp/$gpu.paths" >"$tmp/$gpu.missing"
	is "$gpu: every file is documented" "$?" 0
	sed 's/^/# undocumented: /' "$tmp/$gpu.missing"
done
is "bochs: nothing of ours in a device's directory" \
	"$(grep -c '^/sys/devices/' "$tmp/bochs.paths")" 0
printf '/sys/kernel/ttm/pools/x/not_a_file\n' |
	"$top/tests/abi/abi_match.py" "${abi[@]}" >/dev/null
is "an undocumented file is caught" "$?" 1
done_testing
