#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The GPU memory summary in /sys/kernel/ttm/ (inuse_pages, pooled_pages,
# clean_pages, dirty_pages, nodes/node<N>/) on a real driver: pages held by a
# buffer are in use, globally and on their node, and once freed they are pooled,
# clean or dirty; the global files are the sums of the pools' own; the pooled
# pages are what the kernel counts as reclaimable (nr_kernel_misc_reclaimable,
# part of KReclaimable and MemAvailable), which README states.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
need "bochs ($DEV) has a pool" test -d $P
need "ttm_pool_hold.ko is in the initramfs" test -f $HOLD
for f in inuse_pages pooled_pages clean_pages dirty_pages; do
	ok "/sys/kernel/ttm/$f exists" test -f $T/$f
done
nodes=$(ls $T/nodes | tr '\n' ' ')
is "nodes/: one directory per online node" "$nodes" \
	"$(ls -d /sys/devices/system/node/node* | sed 's|.*/||' | tr '\n' ' ')"
is "node0 has inuse_pages and pooled_pages" "$(ls $T/nodes/node0 | tr '\n' ' ')" "inuse_pages pooled_pages "
# sum FILE: the pools' FILE added up
sum() { cat $T/pools/*/$1 | awk '{ s += $1 } END { print s + 0 }'; }
ro() { ok "$1 is read-only" sh -c "! echo 1 > $T/$1 2>/dev/null"; }

# prezero on: the worker clears every freed page (auto would leave 64 dirty)
ok "prezero on" sh -c "echo on > $P/prezero"
ok "drain" sh -c "echo 1 > $P/drain"
inuse0=$(cat $T/inuse_pages)
pooled0=$(cat $T/pooled_pages)
ok "hold 64 wc pages" insmod $HOLD pool=$DEV pages=64 caching=wc
is "inuse_pages +64" "$(cat $T/inuse_pages)" $((inuse0 + 64))
is "...the sum of the pools' inuse_pages" "$(cat $T/inuse_pages)" "$(sum inuse_pages)"
is "...node0's (one node here)" "$(cat $T/nodes/node0/inuse_pages)" "$(cat $T/inuse_pages)"
ok "give them back" rmmod ttm_pool_hold
is "inuse_pages back" "$(cat $T/inuse_pages)" "$inuse0"
is "pooled_pages +64" "$(cat $T/pooled_pages)" $((pooled0 + 64))
is "...node0's" "$(cat $T/nodes/node0/pooled_pages)" "$(cat $T/pooled_pages)"
ok "the clearing worker is done (dirty_pages 0)" \
	wait_until 20 sh -c "[ \$(cat $T/dirty_pages) = 0 ]"
is "clean_pages + dirty_pages = pooled_pages" \
	"$(($(cat $T/clean_pages) + $(cat $T/dirty_pages)))" "$(cat $T/pooled_pages)"
is "...the sums of the pools' own" "$(cat $T/clean_pages) $(cat $T/dirty_pages)" \
	"$(sum clean_pages) $(sum dirty_pages)"
# /proc/vmstat folds the CPUs' deltas in every second
ok "pooled pages are the kernel's nr_kernel_misc_reclaimable" \
	wait_until 10 sh -c "[ \$(awk '\$1 == \"nr_kernel_misc_reclaimable\" { print \$2 }' /proc/vmstat) = \$(cat $T/pooled_pages) ]"
ok "prezero off" sh -c "echo 0 > $P/prezero"
ok "hold 16 cached pages" insmod $HOLD pool=$DEV pages=16 caching=cached
ok "give them back" rmmod ttm_pool_hold
want=16
grep -qw init_on_free=1 /proc/cmdline && want=0
is "without prezero the freed pages are pooled dirty" "$(cat $T/dirty_pages)" $want
is "clean_pages + dirty_pages = pooled_pages" \
	"$(($(cat $T/clean_pages) + $(cat $T/dirty_pages)))" "$(cat $T/pooled_pages)"
ok "prezero on" sh -c "echo 1 > $P/prezero"
for f in inuse_pages clean_pages dirty_pages nodes/node0/inuse_pages nodes/node0/pooled_pages; do
	ro $f
done
ok "drain" sh -c "echo 1 > $P/drain"
is "nothing pooled after the drain" "$(cat $T/pooled_pages)" 0
ok "...nor reclaimable" \
	wait_until 10 sh -c "[ \$(awk '\$1 == \"nr_kernel_misc_reclaimable\" { print \$2 }' /proc/vmstat) = 0 ]"
# the scripts after this one in the boot expect the default
ok "prezero back to auto" sh -c "echo auto > $P/prezero"
done_testing
