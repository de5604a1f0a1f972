#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# Pool setup when its allocations fail: the ttm_pool_faults module initialises a
# pool with the 1st, 2nd, ... allocation of ttm_pool_init() failed (the task's
# fail-nth) until setup makes no more, and checks that every such pool works
# (alloc and free a tt, counters) and is finalised. Leaks, KASAN reports and WARNs
# of those paths fail the boot (the kmemleak scan at its end). GFP_KERNEL
# allocations are failed only with ignore-gfp-wait off in failslab and
# fail_page_alloc, which this sets for the module's load and restores after.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

KO=/lib/ttm-tests/ttm_pool_faults.ko
PAR=/sys/module/ttm_pool_faults/parameters
need "ttm_pool_faults.ko is in the initramfs" test -f $KO
need "failslab and fail_page_alloc are in debugfs" \
	test -d /sys/kernel/debug/failslab -a -d /sys/kernel/debug/fail_page_alloc

for f in failslab fail_page_alloc; do
	F=/sys/kernel/debug/$f
	eval "saved_$f=\"\$(cat $F/ignore-gfp-wait) \$(cat $F/verbose)\""
	ok "$f: fail GFP_KERNEL allocations too, quietly" sh -c \
		"echo N >$F/ignore-gfp-wait && echo 0 >$F/verbose"
done
ok "insmod ttm_pool_faults.ko" insmod $KO
for f in failslab fail_page_alloc; do
	F=/sys/kernel/debug/$f
	eval "set -- \$saved_$f"
	ok "$f: settings restored" sh -c "echo $1 >$F/ignore-gfp-wait && echo $2 >$F/verbose"
done
runs=$(cat $PAR/runs)
injected=$(cat $PAR/injected)
echo "# $runs setups, $injected with a failed allocation"
ok "some setups had an allocation failed ($injected)" test "$injected" -gt 5
is "...every one but the last" "$injected" $((runs - 1))
is "every pool worked after its setup" "$(cat $PAR/broken)" 0
ok "no pool of the module is left" sh -c "! ls -d $T/pools/ttm_pool_faults* 2>/dev/null"
ok "rmmod" rmmod ttm_pool_faults
done_testing
