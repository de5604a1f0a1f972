#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu none --append kunit.enable=0
# TTM's global setup fails, then a device probes again (review item A2). 6.12's
# ttm_global_init() runs ttm_pool_mgr_init() (debugfs ttm/pools/, the pool
# shrinker) before it allocates its dummy page; when that allocation fails it
# removes TTM's debugfs root but never finalises the pool manager. The
# ttm_global_retry module makes the first ttm_device_init() of this GPU-less
# boot fail that way (fail_page_alloc, this task only, non-sleeping
# allocations only), then sets up its device again: the retry must find a
# working pools/ directory with the device's dump in it, not the freed dentry
# of the first (a use-after-free KASAN reports), and one pool shrinker, not
# two; removing the device removes both.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

KO=/lib/ttm-tests/ttm_global_retry.ko
PAR=/sys/module/ttm_global_retry/parameters
F=/sys/kernel/debug/fail_page_alloc
need "ttm_global_retry.ko is in the initramfs" test -f $KO
need "fail_page_alloc is in debugfs" test -d $F
need "no TTM device yet: TTM's global setup runs at the module's probe" \
	test ! -e /sys/kernel/debug/ttm

# The shrinkers named drm-ttm_pool (CONFIG_SHRINKER_DEBUG lists them).
shrinkers() { ls /sys/kernel/debug/shrinker | grep -c '^drm-ttm_pool'; }
need "the shrinkers are listed in debugfs" test -d /sys/kernel/debug/shrinker
is "no pool shrinker before the first device" "$(shrinkers)" 0

KNOBS="probability interval times task-filter ignore-gfp-wait min-order verbose"
saved=
for k in $KNOBS; do saved="$saved $(cat $F/$k)"; done
# Every page allocation that cannot sleep, by a task that asks for it (the
# module, around its first setup): the dummy page's two tries.
ok "fail_page_alloc: this task's non-sleeping allocations, every one" sh -c "
	echo 100 >$F/probability && echo 1 >$F/interval && echo -1 >$F/times &&
	echo Y >$F/task-filter && echo Y >$F/ignore-gfp-wait &&
	echo 0 >$F/min-order && echo 0 >$F/verbose"
ok "insmod ttm_global_retry.ko" insmod $KO
set -- $saved
for k in $KNOBS; do
	ok "fail_page_alloc: $k restored" sh -c "echo $1 >$F/$k"
	shift
done

is "the first setup failed for want of its dummy page" "$(cat $PAR/first)" -12
is "the second setup worked" "$(cat $PAR/second)" 0
ok "debugfs ttm/pools/ is there again" test -d $D
ok "...with the device's dump" test -f $D/ttm_global_retry
ok "...which reads" sh -c "grep -q . $D/ttm_global_retry"
ok "...and the dump of every pool" sh -c "grep -q ttm_global_retry $D/all"
is "one pool shrinker, not one per setup" "$(shrinkers)" 1
ok "rmmod ttm_global_retry" rmmod ttm_global_retry
is "no pool shrinker after the last device" "$(shrinkers)" 0
ok "TTM's debugfs root is gone with it" test ! -e /sys/kernel/debug/ttm
done_testing
