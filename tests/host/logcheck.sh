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
	"list_add corruption. prev->next should be next" \
	"INFO: trying to register non-static key." \
	"** 12 printk messages dropped **" \
	"printk: console [ttyS0]: 3 printk messages dropped" \
	"memhog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0" \
	"Out of memory: Killed process 91 (memhog) total-vm:613452kB, anon-rss:598016kB" \
	"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=memhog,pid=91,uid=0" \
	"kmemleak: Cannot allocate a kmemleak_object structure" \
	"sysfs: cannot create duplicate filename '/devices/kunit/dev/ttm_pool'" \
	"kernfs: can not remove 'ttm_pool', no directory" \
	"kobject: kobject_add_internal failed for card0 with -EEXIST, don't try to register things with the same name in the same directory." \
	"kobject: kobject_add_internal failed for 0000:00:02.0 (error: -2 parent: pools)" \
	"kmemleak: Kernel memory leak detector disabled" \
	"kmemleak: Kmemleak disabled without freeing internal data." \
	"BUG: scheduling while atomic: ttm_pool_stress/93/0x00000002" \
	"BUG: Invalid wait context" \
	"BUG: using smp_processor_id() in preemptible [00000000] code: kworker/u8:2/51" \
	"BUG: using __this_cpu_add() in preemptible [00000000] code: ttm_pool_stress/93" \
	"BUG: sleeping function called from invalid context at kernel/locking/spinlock_rt.c:48" \
	"WARNING: inconsistent lock state" \
	"WARNING: possible irq lock inversion dependency detected" \
	"WARNING: possible recursive locking detected" \
	"WARNING: bad unlock balance detected!" \
	"WARNING: suspicious RCU usage" \
	"WARNING: CPU: 0 PID: 93 at kernel/locking/lockdep.c:4431 lockdep_hardirqs_on_prepare+0x1/0x2" \
	"note: ttm_pool_stress[93] exited with preempt_count 1" \
	"note: kworker/u8:2[51] exited with irqs disabled" \
	"sched: RT throttling activated" \
	"ttm-vm: kmemleak scan failed: second scan: sh: write error: Operation not permitted"; do
	printf '[    1.0] boot\n[    3.0] %s\n[    3.1] Call Trace:\n' "$s" >"$tmp/splat.log"
	"$lc" splats "$tmp/splat.log" >"$tmp/out" 2>&1
	is "detects: ${s:0:48}" "$?" 1
done
ok "the excerpt shows the offending line" grep -q 'kmemleak scan failed: second scan' "$tmp/out"
printf '[    1.0] boot\n[    3.0] kobject: kobject_add_internal failed for nodev (error: -12 parent: pools)\n' >"$tmp/enomem.log"
"$lc" splats "$tmp/enomem.log" >/dev/null
is "a kobject not added for want of memory (fault injection) is no splat" "$?" 0

printf '[    1.0] boot\n[    3.0] note: ttm_pool_stress[93] exited with irqs enabled\n[    3.1] sched: RT throttling disabled\n' >"$tmp/notes.log"
"$lc" splats "$tmp/notes.log" >/dev/null
is "a task that exited cleanly, RT throttling not activated: no splat" "$?" 0

"$lc" splats "$d/kunit-ok.log" >/dev/null
is "an upstream-expected KUnit WARN fails a normal boot" "$?" 1
ok "...but is allowed in the KUnit boot" "$lc" splats --kunit-boot "$d/kunit-ok.log"
sed 's/Comm: kunit_try_catch/Comm: modprobe/' "$d/kunit-ok.log" >"$tmp/notkunit.log"
"$lc" splats --kunit-boot "$tmp/notkunit.log" >/dev/null
is "the same WARN outside a KUnit thread fails" "$?" 1

# A hermetic stand-in for upstream's drivers/gpu/drm/ttm/tests/ (TTM_PRISTINE):
# test cases and helpers with upstream's names.
mkdir -p "$tmp/pristine/drivers/gpu/drm/ttm/tests"
cat >"$tmp/pristine/drivers/gpu/drm/ttm/tests/ttm_pool_test.c" <<'EOF'
static void ttm_pool_alloc_basic(struct kunit *test)
{
}
EOF
cat >"$tmp/pristine/drivers/gpu/drm/ttm/tests/ttm_kunit_helpers.c" <<'EOF'
struct ttm_test_devices *ttm_test_devices_basic(struct kunit *test)
{
}
int ttm_bo_kunit_init(struct kunit *test)
{
}
EOF
cat >"$tmp/pristine/drivers/gpu/drm/ttm/tests/ttm_tt_test.c" <<'EOF'
static void ttm_tt_init_basic(struct kunit *test)
{
}
static void ttm_tt_fini_basic(struct kunit *test)
{
}
EOF
export TTM_PRISTINE=$tmp/pristine

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

# Item 1 of issue 13: a frame of ours between the allocator and the test case
# makes the leak ours, whatever upstream function is on the way.
leak kunit_try_catch __kmalloc_noprof ttm_pool_init ttm_pool_alloc_basic kunit_try_run_case >"$tmp/l4.log"
"$lc" splats --kunit-boot "$tmp/l4.log" >/dev/null
is "a leak by our pool under upstream's ttm_pool test case fails the KUnit boot" "$?" 1
leak kunit_try_catch __kmalloc_noprof ttm_pool_type_init ttm_pool_init ttm_test_devices_basic \
	kunit_try_run_case >"$tmp/l5.log"
"$lc" splats --kunit-boot "$tmp/l5.log" >/dev/null
is "a leak by our pool under upstream's helper fails" "$?" 1
ourfn=$(sed -n 's/^static [a-z ]*\b\([a-z_0-9]*\)(.*/\1/p' \
	"$d/../../../drivers/gpu/drm/ttm/tests/ttm_pool_core_helpers.c" | grep -v '^ttm_pool' | head -n 1)
[ -n "$ourfn" ] || ourfn=ttm_pool_core_test_init   # a ttm_pool* name is ours too
leak kunit_try_catch __kmalloc_noprof ttm_device_init ttm_test_devices_basic "$ourfn" \
	kunit_try_run_case >"$tmp/l6.log"
"$lc" splats --kunit-boot "$tmp/l6.log" >/dev/null
is "a leak of our test suite ($ourfn) through upstream's helper fails" "$?" 1
leak kunit_try_catch kmalloc_trace_noprof ttm_bo_kunit_init ttm_tt_fini_basic kunit_try_run_case \
	kunit_generic_run_threadfn_adapter kthread ret_from_fork >"$tmp/l7.log"
ok "a leak of upstream's helper (no frame of ours) is still forgiven" "$lc" splats --kunit-boot "$tmp/l7.log"
sed 's/\(kmemleak-report:     \)/\1[<ffffffff81234567>] /' "$tmp/l4.log" >"$tmp/l8.log"
"$lc" splats --kunit-boot "$tmp/l8.log" >/dev/null
is "...frames written as [<address>] func+off are read too" "$?" 1

# Item 3: the proof that kmemleak scanned
done_line='[ 9.9] ttm-vm: kmemleak scan done (first scan 2100 ms, done 6.0 s after the command)'
printf '[ 1.0] Linux version 6.12\n[ 9.9] ttm-vm: exit status 0\n' >"$tmp/noscan.log"
"$lc" splats --kmemleak "$tmp/noscan.log" >"$tmp/out"
is "--kmemleak: a log without 'kmemleak scan done' fails" "$?" 1
ok "...and says why" grep -q 'nothing proves that kmemleak scanned' "$tmp/out"
ok "...without --kmemleak it passes" "$lc" splats "$tmp/noscan.log"
{ cat "$tmp/noscan.log"; echo "$done_line"; } >"$tmp/scan.log"
ok "--kmemleak: with the line it passes" "$lc" splats --kmemleak "$tmp/scan.log"
{ cat "$tmp/scan.log"; echo '[ 5.0] kmemleak: Kernel memory leak detector disabled'; } >"$tmp/dis.log"
"$lc" splats --kmemleak "$tmp/dis.log" >/dev/null
is "--kmemleak: kmemleak disabled itself before the scan: fails" "$?" 1
cat "$tmp/l1.log" - >"$tmp/l1dis.log" <<<'[ 5.0] kmemleak: Kernel memory leak detector disabled'
"$lc" splats --kunit-boot "$tmp/l1dis.log" >/dev/null
is "...in the KUnit boot too" "$?" 1

# Announced warnings: "ttm-expect-warning: FUNC", then exactly that warning.
mark='[ 3.0]     # misuse_fini_twice: ttm-expect-warning: ttm_pool_fini'
msg='[ 3.1] ttm: ttm_pool_fini() of a pool not initialised or finalised'
warn() { printf '[ 3.2] WARNING: CPU: 1 PID: 95 at drivers/gpu/drm/ttm/ttm_pool.c:2001 %s+0x2a/0x1c0\n[ 3.2] CPU: 1 UID: 0 PID: 95 Comm: %s Not tainted 6.12.118\n' "$1" "${2:-kunit_try_catch}"; }
res='[ 3.3]     ok 2 misuse_fini_twice'
{ echo "$mark"; echo "$msg"; warn ttm_pool_fini; echo "$res"; } >"$tmp/ann.log"
ok "an announced warning is allowed" "$lc" splats "$tmp/ann.log"
ok "...in the KUnit boot too" "$lc" splats --kunit-boot "$tmp/ann.log"
{ warn ttm_pool_fini; echo "$res"; } >"$tmp/unann.log"
"$lc" splats --kunit-boot "$tmp/unann.log" >/dev/null
is "the same warning unannounced fails" "$?" 1
{ echo "$mark"; echo "$res"; } >"$tmp/nowarn.log"
"$lc" splats "$tmp/nowarn.log" >"$tmp/out"
is "an announced warning that does not come fails" "$?" 1
ok "...and says so" grep -q 'announced warning did not come (the case ended' "$tmp/out"
{ echo "$mark"; warn ttm_pool_free; echo "$res"; } >"$tmp/other.log"
"$lc" splats "$tmp/other.log" >/dev/null
is "another function's warning after a marker fails" "$?" 1
{ echo "$mark"; warn ttm_pool_fini modprobe; echo "$res"; } >"$tmp/notkthread.log"
"$lc" splats "$tmp/notkthread.log" >/dev/null
is "the announced warning outside a KUnit thread fails" "$?" 1
{ echo "$mark"; warn ttm_pool_fini; warn ttm_pool_fini; echo "$res"; } >"$tmp/twice.log"
"$lc" splats "$tmp/twice.log" >/dev/null
is "a second warning after one marker fails" "$?" 1
{ echo "$mark"; echo '[ 3.1] BUG: KASAN: slab-out-of-bounds in ttm_pool_fini+0x1/0x2'; warn ttm_pool_fini; echo "$res"; } >"$tmp/kasan.log"
"$lc" splats "$tmp/kasan.log" >/dev/null
is "a KASAN report before the announced warning fails" "$?" 1

"$lc" ktap "$d/kunit-ok.log" >"$tmp/ktap"
is "ktap: leaf results" "$(grep -v ^suite "$tmp/ktap" | tr '\t' ' ' | tr '\n' '|')" \
	"ok suite_a.case_one|not ok suite_a.case_two|skip suite_a.case_three no hardware|ok suite_b.param_case.One page|ok suite_b.param_case.More than one page|"
is "ktap: suite results" "$(grep ^suite "$tmp/ktap" | cut -f2,3 | tr '\t\n' ' |')" "suite_a not ok|suite_b ok|"
printf '[ 1.0] no ktap here\n' >"$tmp/none.log"
is "ktap: a log without KUnit output has no results" "$("$lc" ktap "$tmp/none.log")" ""
done_testing
