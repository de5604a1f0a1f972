#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl
# qxl dumb buffers stay correct while qxl's pool is drained and resized
# underneath; every control command must succeed. (qxl's pool has no device: it
# can only use the page path, so path switches are tested on bochs, dumb-bochs.sh.)
. /tests/lib/tap.sh
. /tests/lib/pool.sh
P=/sys/kernel/ttm/pools/nodev
W=/tmp/dumb-qxl
rm -rf $W
mkdir -p $W
need "dumbbuf is in the initramfs" command -v dumbbuf
need "qxl has its pool" test -d $P
max0=$(cat $P/max_pages)
inuse0=$(inuse_signed nodev)
is "the signed in-use count agrees with inuse_pages at the start" "$inuse0" "$(cat $P/inuse_pages)"

(dumbbuf -n 60 -k 8 >$W/db.out 2>&1; echo $? >$W/db.rc) &
rounds=0
while [ ! -f $W/db.rc ] && [ $rounds -lt 1000 ]; do
	rounds=$((rounds + 1))
	ttm-poolctl drain nodev >/dev/null 2>>$W/ctl.err || echo drain >>$W/ctl.fail
	ttm-poolctl set nodev max=$((rounds % 6 * 256 + 256)) high=$((rounds % 3 * 64 + 128)) \
		low=64 >/dev/null 2>>$W/ctl.err || echo set >>$W/ctl.fail
done
wait_until 300 test -f $W/db.rc
is "dumb buffers verify under drain/resize" "$(cat $W/db.rc 2>/dev/null)" 0
sed 's/^/# /' $W/db.out
ok "the control loop ran while dumbbuf did ($rounds rounds)" test $rounds -gt 0
ok "no control command failed" test ! -e $W/ctl.fail
sed 's/^/# /' $W/ctl.err 2>/dev/null | head -n 5
ok "settings back" ttm-poolctl set nodev max=$max0 high=$max0 low=$max0
ok "a second run" dumbbuf -n 20 -k 4
is "qxl's pages in use are back to the start (signed, exactly)" "$(inuse_signed nodev)" "$inuse0"
done_testing
