#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu none --append swiotlb=force --append kunit.filter_glob=ttm_pool_bounce
# The seeds' scenario: with swiotlb=force, a 32-bit device's pool on the
# coherent path (auto) gets direct DMA addresses the device reads correctly;
# forced to the page path it gets bounce slots holding stale data. Runs the
# ttm_pool_bounce KUnit module and reports its cases as TAP.
. /tests/lib/tap.sh

ko=/lib/ttm-tests/ttm_pool_bounce_test.ko
[ -f $ko ] || skip_all "ttm_pool_bounce_test.ko not built"
ok "swiotlb=force is on" grep -qw swiotlb=force /proc/cmdline
ok "insmod ttm_pool_bounce_test.ko" insmod $ko
res=/sys/kernel/debug/kunit/ttm_pool_bounce/results
ok "the suite left results" test -r $res
n=0
while IFS= read -r line; do
	case $line in
	"    ok "*) is "${line#    ok [0-9]* }" ok ok ;;
	"    not ok "*) is "${line#    not ok [0-9]* }" "not ok" ok ;;
	*) continue ;;
	esac
	n=$((n + 1))
done <$res
is "the suite ran its 4 cases" "$n" 4
ok "the suite passed" grep -q '^ok 1 ttm_pool_bounce' $res
ok "rmmod" rmmod ttm_pool_bounce_test
done_testing
