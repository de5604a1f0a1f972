#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl --mem 512M
# qxl makes its TTM device without a struct device: its pool is "nodev". It
# has no device link and cannot use the coherent path. Unbinding qxl under a
# reader removes the directory cleanly. (Binding qxl again is not tested:
# 6.12's qxl never frees its IRQ on unbind, so the stale handler runs on the
# freed device at the next bind and KASAN reports it; bochs covers rebind.)
# Since qxl is gone for good afterwards, this script has a boot of its own: its
# header differs from the other qxl scripts' (--mem 512M, which is all that
# differs; qxl needs far less), so no other script depends on running before it.
. /tests/lib/tap.sh

T=/sys/kernel/ttm
P=$T/pools/nodev
DEV=0000:00:02.0

ok "qxl's pool is nodev" test -d $P
ok "it has no device link" test ! -e $P/device
is "nor a driver" "$(cat $P/driver)" ""
is "it runs on the page path" "$(cat $P/effective_path)" page
ok "coherent is refused without a device" sh -c "! echo coherent > $P/alloc_path 2>/dev/null"
is "...and alloc_path is unchanged" "$(cat $P/alloc_path)" "[auto] coherent page"
ok "qxl's buffers are in use" test "$(cat $P/inuse_pages)" -gt 0

(
	while :; do
		cat $P/* $P/stats/* $T/pooled_pages >/dev/null 2>&1
		cat /sys/kernel/debug/ttm/pools/all >/dev/null 2>&1
	done
) &
reader=$!
ok "unbind qxl" sh -c "echo $DEV > /sys/bus/pci/drivers/qxl/unbind"
ok "the pool directory is gone" test ! -e $P
ok "the global directory went with the last pool" test ! -e $T
kill $reader
wait $reader 2>/dev/null
done_testing
