#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl
# ttm-poolctl against the real kernel: it lists qxl's pool, and set, drain and
# path change the real values as the tool reports; dump works as non-root.
# qxl gives TTM no struct device, so its pool is "nodev" with no driver name.
. /tests/lib/tap.sh

command -v ttm-poolctl >/dev/null || skip_all "ttm-poolctl not in the initramfs"
P=/sys/kernel/ttm/pools/nodev
HOLD=/lib/ttm-tests/ttm_pool_hold.ko

out=$(ttm-poolctl)
is "list exits 0" "$?" 0
ok "list shows qxl's pool" sh -c "echo '$out' | grep -qE '^nodev +- +page'"
ok "list has no 'All pools' footer in a pipe" sh -c "! echo '$out' | grep -q '^All pools:'"
ok "list -J names the pool" sh -c "ttm-poolctl list -J | grep -q '\"name\": \"nodev\"'"
is "show reads the real inuse_pages" "$(ttm-poolctl show nodev | awk '$1 == "inuse_pages" { print $2 }')" \
	"$(cat $P/inuse_pages)"

out=$(ttm-poolctl set nodev max=200 high=100 low=50)
is "set exits 0" "$?" 0
is "max_pages is what set said" "$(cat $P/max_pages)" 200
is "high_watermark_pages too" "$(cat $P/high_watermark_pages)" 100
is "low_watermark_pages too" "$(cat $P/low_watermark_pages)" 50
ok "set reports the change" sh -c "echo '$out' | grep -q 'max_pages .* -> 200'"
ok "raising everything again" ttm-poolctl set nodev max=400M high=300M low=200M
is "...in an order the kernel accepts" "$(cat $P/max_pages $P/high_watermark_pages $P/low_watermark_pages | tr '\n' ' ')" \
	"102400 76800 51200 "
ttm-poolctl set nodev high=999999999 >/dev/null 2>/tmp/err
is "a value above max fails" "$?" 1
is "...and nothing changed" "$(cat $P/high_watermark_pages)" 76800
# issue 14, bug 1: the write order against the real kernel's rules
ttm-poolctl set nodev high=20M >/dev/null 2>/tmp/err
is "set high below the current low succeeds" "$?" 0
is "...lowering low with it" "$(cat $P/high_watermark_pages $P/low_watermark_pages | tr '\n' ' ')" "5120 5120 "
ok "...and saying so" grep -q "lowering low_watermark_pages from 51200 to 5120" /tmp/err
ok "set max=10M high=8M (a lower cap, then the marks)" ttm-poolctl set nodev max=10M high=8M
is "...all three as asked" "$(cat $P/max_pages $P/high_watermark_pages $P/low_watermark_pages | tr '\n' ' ')" "2560 2048 2048 "
ok "set max=400M high=300M low=200M again" ttm-poolctl set nodev max=400M high=300M low=200M
is "...all three as asked" "$(cat $P/max_pages $P/high_watermark_pages $P/low_watermark_pages | tr '\n' ' ')" "102400 76800 51200 "
ttm-poolctl set nodev max=99999999999 >/dev/null 2>/tmp/err
is "a cap above RAM fails" "$?" 1
ok "...said in the ABI's words" grep -q "more than the machine's RAM" /tmp/err

ok "hold 64 pages of qxl's pool" insmod $HOLD pool=nodev pages=64 caching=wc
ok "...and give them back" rmmod ttm_pool_hold
pooled=$(cat $P/pooled_pages)
ok "there is something to drain" test "$pooled" -gt 0
out=$(ttm-poolctl drain nodev)
is "drain exits 0" "$?" 0
is "drain reports what went back" "$out" "nodev: released $pooled pages ($((pooled * 4))K)"
is "the pool is empty" "$(cat $P/pooled_pages)" 0

is "path shows the path" "$(ttm-poolctl path nodev)" "nodev: alloc_path auto, effective path page"
is "path page forces it" "$(ttm-poolctl path nodev page)" "nodev: alloc_path page, effective path page"
is "the kernel agrees" "$(cat $P/alloc_path)" "auto coherent [page]"
ttm-poolctl path nodev coherent >/dev/null 2>/tmp/err
is "coherent without a device fails" "$?" 1
ok "...with the kernel's error" grep -q "Invalid argument" /tmp/err
ttm-poolctl path nodev auto >/dev/null

ok "dump as root" sh -c 'ttm-poolctl dump -f /tmp/dump.txt'
ok "it holds the pool's sysfs values" grep -q "^== pool nodev (sysfs)" /tmp/dump.txt
ok "...and its debugfs dump" grep -q "^ttm_pool dump v2" /tmp/dump.txt
ok "...and the qxl lines of the kernel log" grep -q "qxl" /tmp/dump.txt
chmod 1777 /tmp
ok "dump as nobody still works" su -s /bin/sh nobody -c 'ttm-poolctl dump -f /tmp/dump-nobody.txt'
ok "...with the sysfs values" grep -q "^max_pages: " /tmp/dump-nobody.txt
ok "...and a note on what needs root" grep -q "debug/ttm/pools/nodev: needs root" /tmp/dump-nobody.txt
ok "stats --prometheus (no empty labels)" sh -c "ttm-poolctl stats --prometheus | grep -q '^ttm_pool_inuse_bytes{pool=\"nodev\"} '"
ok "watch -c 2" sh -c "ttm-poolctl watch -i 0.2 -c 2 | grep -c '^Every' | grep -qx 2"
done_testing
