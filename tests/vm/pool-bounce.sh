#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu none --append swiotlb=force --append kunit.filter_glob=ttm_pool_bounce
# The seeds' scenario: with swiotlb=force, a 32-bit device's pool on the
# coherent path (auto) gets direct DMA addresses the device reads correctly;
# forced to the page path it gets bounce slots holding stale data. Runs the
# ttm_pool_bounce KUnit module and reports its cases as TAP.
# Each case's KTAP result becomes one test point with its own status: "not ok"
# fails, "# SKIP" is passed on as a TAP skip (which make check does not accept
# unless allowed), and the number of cases must match the suite's own plan.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

ko=/lib/ttm-tests/ttm_pool_bounce_test.ko
need "ttm_pool_bounce_test.ko is in the initramfs" test -f $ko
ok "swiotlb=force is on" grep -qw swiotlb=force /proc/cmdline
ok "insmod ttm_pool_bounce_test.ko" insmod $ko
res=/sys/kernel/debug/kunit/ttm_pool_bounce/results
need "the suite left results" test -r $res
n=0
while IFS= read -r line; do
	case $line in
	"    ok "*"# SKIP"*)
		d=${line#    ok [0-9]* }
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N - case ${d%% # SKIP*} # SKIP ${d#* # SKIP }"
		;;
	"    ok "*) _tap_result 0 "case ${line#    ok [0-9]* }" ;;
	"    not ok "*) _tap_result 1 "case ${line#    not ok [0-9]* }" ;;
	*) continue ;;
	esac
	n=$((n + 1))
done <$res
plan=$(sed -n 's/^    1\.\.\([0-9]*\)$/\1/p' $res)
is "the suite ran the cases of its plan" "$n" "$plan"
is "...which are 4" "$n" 4
ok "the suite passed" grep -q '^ok 1 ttm_pool_bounce' $res
ok "rmmod" rmmod ttm_pool_bounce_test
done_testing
