#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: ttm-poolctl list, show, set, drain and path on Debian's kernel,
# checked against the sysfs files they read and write.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
need_pools
command -v ttm-poolctl >/dev/null || skip_all "ttm-poolctl not in the initramfs"
P=$(the_pool)
D=$T/pools/$P

out=$(ttm-poolctl list)
is "list exits 0" "$?" 0
ok "list shows pool $P" sh -c "echo '$out' | grep -q '^$P '"
ok "list -J names it" sh -c "ttm-poolctl list -J | grep -q '\"name\": \"$P\"'"
is "show reads the real inuse_pages" "$(ttm-poolctl show "$P" | awk '$1 == "inuse_pages" { print $2 }')" \
	"$(cat "$D/inuse_pages")"
ok "show -J" sh -c "ttm-poolctl show -J '$P' | grep -q '\"max_pages\"'"
ok "set max, high, low" ttm-poolctl set "$P" max=400M high=300M low=200M
is "...as the kernel now reports" "$(cat "$D/max_pages" "$D/high_watermark_pages" "$D/low_watermark_pages" | tr '\n' ' ')" \
	"102400 76800 51200 "
ok "set --global max" ttm-poolctl set --global max=512M
is "...as the kernel now reports" "$(cat $T/pool_max_pages)" 131072
ok "drain" ttm-poolctl drain "$P"
is "...leaves the pool empty" "$(cat "$D/pooled_pages")" 0
ok "drain --all" ttm-poolctl drain --all
is "path shows the path" "$(ttm-poolctl path "$P" | sed 's/,.*//')" "$P: alloc_path auto"
ok "path page" ttm-poolctl path "$P" page
is "...the kernel agrees" "$(cat "$D/alloc_path")" "auto coherent [page]"
if [ "$P" = nodev ]; then
	ok "path coherent fails without a device" sh -c "! ttm-poolctl path nodev coherent 2>/dev/null"
else
	ok "path coherent" ttm-poolctl path "$P" coherent
	is "...the kernel agrees" "$(cat "$D/effective_path")" coherent
fi
ok "path auto" ttm-poolctl path "$P" auto
ok "dump" ttm-poolctl dump -f /tmp/dump.txt
ok "...holds the pool" grep -q "^== pool $P (sysfs)" /tmp/dump.txt
done_testing
