#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/logcheck.py: the splat detector and the KTAP reader that make check relies on.
. "$(dirname "$0")/../lib/tap.sh"
lc=$(dirname "$0")/../../scripts/logcheck.py
d=$(dirname "$0")/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '[    1.0] Linux version 6.12\n[    2.0] ttm-vm: exit status 0\n' >"$tmp/clean.log"
ok "a clean log passes" "$lc" splats "$tmp/clean.log"

for s in "BUG: KASAN: use-after-free in ttm_pool_free+0x1/0x2" \
	"WARNING: CPU: 1 PID: 9 at drivers/gpu/drm/ttm/ttm_pool.c:10 ttm_pool_alloc+0x1/0x2" \
	"WARNING: possible circular locking dependency detected" \
	"BUG: sleeping function called from invalid context at mm/page_alloc.c:1" \
	"Oops: general protection fault, probably for non-canonical address" \
	"Kernel panic - not syncing: Fatal exception" \
	"kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)" \
	"INFO: task kworker/0:1:12 blocked for more than 120 seconds." \
	"list_add corruption. prev->next should be next"; do
	printf '[    1.0] boot\n[    3.0] %s\n[    3.1] Call Trace:\n' "$s" >"$tmp/splat.log"
	"$lc" splats "$tmp/splat.log" >"$tmp/out" 2>&1
	is "detects: ${s:0:48}" "$?" 1
done
ok "the excerpt shows the offending line" grep -q 'list_add corruption' "$tmp/out"

"$lc" splats "$d/kunit-ok.log" >/dev/null
is "an upstream-expected KUnit WARN fails a normal boot" "$?" 1
ok "...but is allowed in the KUnit boot" "$lc" splats --kunit-boot "$d/kunit-ok.log"
sed 's/Comm: kunit_try_catch/Comm: modprobe/' "$d/kunit-ok.log" >"$tmp/notkunit.log"
"$lc" splats --kunit-boot "$tmp/notkunit.log" >/dev/null
is "the same WARN outside a KUnit thread fails" "$?" 1

leak() { # COMM FRAMES...
	printf '[ 9.0] kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n'
	printf '[ 9.1] ttm-vm: kmemleak report follows\n'
	printf '[ 9.2] kmemleak-report: unreferenced object 0xffff888005 (size 64):\n'
	printf '[ 9.2] kmemleak-report:   comm "%s", pid 5, jiffies 1\n' "$1"
	printf '[ 9.2] kmemleak-report:   backtrace (crc 1):\n'
	shift
	for f in "$@"; do printf '[ 9.3] kmemleak-report:     %s+0x10/0x20\n' "$f"; done
}
leak kunit_try_catch __kmalloc_node_noprof ttm_tt_init ttm_tt_init_basic kunit_try_run_case >"$tmp/l1.log"
ok "a leak made by an upstream TTM test case is allowed in the KUnit boot" "$lc" splats --kunit-boot "$tmp/l1.log"
"$lc" splats "$tmp/l1.log" >/dev/null
is "...and fails anywhere else" "$?" 1
leak kunit_try_catch __kmalloc_node_noprof ttm_pool_alloc_page our_new_test_case kunit_try_run_case >"$tmp/l2.log"
"$lc" splats --kunit-boot "$tmp/l2.log" >/dev/null
is "a leak from a test of ours fails even in the KUnit boot" "$?" 1
{ leak kunit_try_catch __kmalloc_node_noprof ttm_tt_init ttm_tt_init_basic kunit_try_run_case
  leak kworker kmalloc_trace ttm_pool_type_init; } >"$tmp/l3.log"
"$lc" splats --kunit-boot "$tmp/l3.log" >/dev/null
is "one foreign leak among allowed ones fails" "$?" 1

"$lc" ktap "$d/kunit-ok.log" >"$tmp/ktap"
is "ktap: leaf results" "$(grep -v ^suite "$tmp/ktap" | tr '\t' ' ' | tr '\n' '|')" \
	"ok suite_a.case_one|not ok suite_a.case_two|skip suite_a.case_three|ok suite_b.param_case.One page|ok suite_b.param_case.More than one page|"
is "ktap: suite results" "$(grep ^suite "$tmp/ktap" | cut -f2,3 | tr '\t\n' ' |')" "suite_a not ok|suite_b ok|"
printf '[ 1.0] no ktap here\n' >"$tmp/none.log"
is "ktap: a log without KUnit output has no results" "$("$lc" ktap "$tmp/none.log")" ""
done_testing
