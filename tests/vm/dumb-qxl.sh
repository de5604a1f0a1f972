#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl
# qxl dumb buffers stay correct while the pool is drained, resized and its
# path switched underneath (qxl has no struct device: page path only).
. /tests/lib/tap.sh
command -v dumbbuf >/dev/null || skip_all "dumbbuf missing"
P=/sys/kernel/ttm/pools/nodev
inuse0=$(cat $P/inuse_pages)
(
	for i in 1 2 3 4 5 6; do
		ttm-poolctl drain nodev >/dev/null
		ttm-poolctl set nodev max=$((i * 256)) high=$((i * 128)) low=64 >/dev/null
		echo page >$P/alloc_path
		echo auto >$P/alloc_path
	done
) &
ok "dumb buffers verify under drain/resize/switch" dumbbuf -n 60 -k 8
wait
ok "a second run" dumbbuf -n 20 -k 4
is "qxl's pages in use are back to the start" "$(cat $P/inuse_pages)" "$inuse0"
done_testing
