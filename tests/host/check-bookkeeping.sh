#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/check-lib.sh, make check's bookkeeping, fed crafted TAP streams, KUnit logs
# and result files: a skip fails unless tests/skips-allowed.txt allows it with a
# reason, a TAP or KTAP plan that disagrees with the results fails, and so do
# fewer results than tests/min-results.txt asks for.
. "$(dirname "$0")/../lib/tap.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$tmp.kernels.pid"' EXIT
# shellcheck disable=SC2034 # $out is check-lib.sh's scratch directory
out=$tmp
results=$tmp/results
SKIPS_ALLOWED=$tmp/skips-allowed.txt
MIN_RESULTS=$tmp/min-results.txt
. "$TOP/tests/check-lib.sh"

# statuses: the recorded statuses, space-separated; fresh: start a new results file
statuses() { cut -f1 "$results" | tr '\n' ' ' | sed 's/ $//'; }
fresh() { : >"$results"; : >"$SKIPS_ALLOWED"; }
# tap FILE LINE...: a TAP stream like tests/lib/tap.sh's
tap() {
	local f=$tmp/$1
	shift
	printf '%s\n' 'TAP version 13' "$@" >"$f"
}
quiet() { "$@" >/dev/null 2>&1; }

# --- the checked-in files are well-formed ------------------------------------------
ok "tests/skips-allowed.txt: every entry has a pattern and a reason" \
	env SKIPS_ALLOWED="$TOP/tests/skips-allowed.txt" bash -c \
	"TOP='$TOP' out='$tmp' results='$tmp/r0'; . '$TOP/tests/check-lib.sh'; check_skip_allowlist"
# shellcheck disable=SC2016 # an awk program
ok "tests/min-results.txt: PREFIX<TAB>MINIMUM lines" \
	awk -F'\t' '/^(#|$)/ { next } NF != 2 || $2 !~ /^[0-9]+$/ { bad = 1 } END { exit bad }' \
	"$TOP/tests/min-results.txt"

# --- skips ---------------------------------------------------------------------------
fresh
tap skip-all.tap '1..0 # SKIP no pool directory for 0000:00:02.0'
quiet tap_to_results vm/sysfs-bochs.sh "$tmp/skip-all.tap" 4
is "a script that skips itself fails without an allowlist entry" "$(statuses)" fail
ok "...the failure names the script and the allowlist" \
	grep -q $'^fail\tvm/sysfs-bochs.sh: skipped, not allowed by .*skips-allowed.txt\tno pool directory' "$results"

fresh
printf 'vm/sysfs-bochs.sh\tbochs on this qemu has no pool (an example)\n' >"$SKIPS_ALLOWED"
quiet tap_to_results vm/sysfs-bochs.sh "$tmp/skip-all.tap" 4
is "...and is a skip with one" "$(statuses)" skip

fresh
printf 'vm/sysfs-bochs.sh\n' >"$SKIPS_ALLOWED"
quiet tap_to_results vm/sysfs-bochs.sh "$tmp/skip-all.tap" 4
is "an allowlist entry without a reason allows nothing" "$(statuses)" fail
: >"$results"
quiet check_skip_allowlist
is "...and is itself a failure" "$(statuses)" fail
printf 'vm/sysfs-bochs.sh\t  \n' >"$SKIPS_ALLOWED"
: >"$results"
quiet check_skip_allowlist
is "...so is a blank reason" "$(statuses)" fail

fresh
tap one-skip.tap 'ok 1 - first' 'ok 2 - numa nodes # SKIP numa=fake=2 did not take' '1..2'
quiet tap_to_results vm/x.sh "$tmp/one-skip.tap" 0
is "one skipped test point fails" "$(statuses)" "pass fail"
fresh
printf 'vm/x.sh: * - numa nodes\tneeds NUMA (an example)\n' >"$SKIPS_ALLOWED"
quiet tap_to_results vm/x.sh "$tmp/one-skip.tap" 0
is "...allowed by a glob" "$(statuses)" "pass skip"
ok "...its name without the directive, the reason as detail" \
	grep -q $'^skip\tvm/x.sh: 2 - numa nodes\tnuma=fake=2 did not take$' "$results"

fresh
quiet ktap_to_results kunit "$TOP/tests/host/data/kunit-ok.log"
ok "a skipped KUnit case fails" grep -q $'^fail\tkunit: suite_a.case_three: skipped, not allowed' "$results"
fresh
printf 'kunit: suite_a.case_three\tno hardware (an example)\n' >"$SKIPS_ALLOWED"
quiet ktap_to_results kunit "$TOP/tests/host/data/kunit-ok.log"
ok "...unless allowed" grep -q $'^skip\tkunit: suite_a.case_three\tno hardware$' "$results"
is "...the other results" "$(statuses)" "pass fail skip pass pass"

# --- TAP plans -----------------------------------------------------------------------
fresh
tap good.tap 'ok 1 - a' 'ok 2 - b' '1..2'
quiet tap_to_results host/good.sh "$tmp/good.tap" 0
is "a TAP stream that matches its plan passes" "$(statuses)" "pass pass"
fresh
tap short.tap 'ok 1 - a' 'ok 2 - b' '1..3'
quiet tap_to_results vm/short.sh "$tmp/short.tap" 0
is "plan 1..3 but 2 results: fails" "$(statuses)" "pass pass fail"
ok "...said as such" grep -q $'^fail\tvm/short.sh: plan 1..3 but 2 results' "$results"
fresh
tap noplan.tap 'ok 1 - a' 'ok 2 - b'
quiet tap_to_results vm/noplan.sh "$tmp/noplan.tap" 0
is "results but no plan (the stream was cut): fails" "$(statuses)" "pass pass fail"
fresh
tap none.tap '# nothing'
quiet tap_to_results vm/none.sh "$tmp/none.tap" 0
is "no results at all: fails" "$(statuses)" fail
fresh
tap died.tap 'ok 1 - a'
quiet tap_to_results vm/died.sh "$tmp/died.tap" 2
is "a script that died: its exit status and the missing plan fail" "$(statuses)" "pass fail fail"

# --- KTAP plans and statistics (scripts/logcheck.py ktap) ------------------------------
# kunitlog FILE: the good KUnit log with sed EXPRESSION applied
kunitlog() { sed "$2" "$TOP/tests/host/data/kunit-ok.log" >"$tmp/$1"; }
kfails() { # LOG: the "not ok" lines ktap_to_results records that are not test failures
	fresh
	printf 'kunit: suite_a.case_three\tan example\n' >"$SKIPS_ALLOWED"
	quiet ktap_to_results kunit "$tmp/$1"
	awk -F'\t' '$1 == "fail" && $2 != "kunit: suite_a.case_two" { print $2 }' "$results"
}
kunitlog k-good.log ''
is "the good KUnit log: no plan or statistics failure" "$(kfails k-good.log)" ""
kunitlog k-lost.log '/ok 1 case_one/d'
ok "a lost KUnit result line: suite plan 1..3 fails" grep -q 'suite_a: plan 1..3 but 2 results' <<<"$(kfails k-lost.log)"
ok "...and the suite's statistics line" grep -q 'suite_a: statistics say pass:1 fail:1 skip:1 total:3 but the results are pass:0' <<<"$(kfails k-lost.log)"
kunitlog k-suite.log '/^\[ *[0-9.]*\] 1\.\.2$/s/1\.\.2/1..3/'
ok "a top-level plan 1..3 with 2 suites fails" grep -q 'ktap: plan 1..3 but 2 results' <<<"$(kfails k-suite.log)"
kunitlog k-param.log '/More than one page/d'
ok "a lost parameter result: the case's statistics fail" \
	grep -q 'suite_b.param_case: statistics say pass:2 fail:0 skip:0 total:2 but the results are pass:1' <<<"$(kfails k-param.log)"
head -n 13 "$TOP/tests/host/data/kunit-ok.log" >"$tmp/k-cut.log"
ok "a log that ends inside a suite fails" grep -q 'suite_a: the output ends inside it' <<<"$(kfails k-cut.log)"
ok "...and the top-level plan with it" grep -q 'ktap: plan 1..2 but 0 results' <<<"$(kfails k-cut.log)"
kunitlog k-noplan.log '/^\[ *[0-9.]*\]     1\.\.3$/d'
ok "a suite without a plan fails" grep -q 'suite_a: no plan' <<<"$(kfails k-noplan.log)"

# --- minimum counts ----------------------------------------------------------------------
fresh
printf 'pass\thost/a.sh: 1 - x\t\npass\thost/a.sh: 2 - y\t\nfail\thost/b.sh: 1 - z\t\n' >"$results"
printf '# comment\n\nhost/a.sh:\t2\nhost/b.sh:\t1\n' >"$MIN_RESULTS"
quiet check_min_results
is "every minimum met: nothing recorded" "$(statuses)" "pass pass fail"
printf 'host/a.sh:\t3\nhost/c.sh\t1\n' >"$MIN_RESULTS"
quiet check_min_results
is "fewer results than the minimum, a missing script: both fail" "$(statuses)" "pass pass fail fail fail"
ok "...the failure says how many" grep -q $'^fail\tresult counts: .host/a.sh:.: 2 results, at least 3 expected' "$results"
ok "...and the counts are kept" grep -q $'^host/c.sh\t0\t1$' "$tmp/min-results.counts"
fresh
printf 'host/a.sh:\tmany\n' >"$MIN_RESULTS"
quiet check_min_results
is "a malformed manifest line fails" "$(statuses)" fail
rm -f "$MIN_RESULTS"
fresh
quiet check_min_results
is "no manifest at all fails" "$(statuses)" fail
# --- the kernels built in the background (kernels_start, kernel_wait) ------------------
# A fake build: FLAVOUR "good" prints a ready line, "bad" fails, "slow" sleeps until
# killed (its pid in $tmp/slow.pid).
cat >"$tmp/build" <<'EOF2'
#!/bin/sh
case $1 in
good) sleep 1; echo "==> good kernel ready: bzImage (3 steps, 1s)" >&2
	echo "source ready: ${TTM_SOURCE_READY:-}; stdin: $(cat)" >"$KB_TMP/good.env" ;;
bad) echo "build-kernel: kernel build failed; error: it broke" >&2; exit 1 ;;
slow) echo $$ >"$KB_TMP/slow.pid"; sleep 300 ;;
esac
EOF2
chmod +x "$tmp/build"
export KB_TMP=$tmp
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
# kb FLAVOURS FUNCTION: kernels_start with the fake, then FUNCTION, in a subshell
# (its exit is the run's: the EXIT trap fires there)
kb() { (KERNEL_BUILD=$tmp/build KERNELS=$1 kernels_start; "$2"); }
slow_started() { while [ ! -s "$tmp/slow.pid" ]; do sleep 0.1; done; }
good_bad() { kernel_wait good && echo GOOD; kernel_wait bad || echo BAD; }
slow_dies() { slow_started; kill -9 -- -"$kernels_pid"; kernel_wait slow || echo FALSE; }
rm -f "$tmp"/build-*
w=$(kb "good bad" good_bad 2>&1)
ok "a kernel that built: kernel_wait is true and prints its ready line" \
	has "$w" '^    good kernel ready: bzImage (3 steps, 1s) (built in the background; waited [0-9]*s)$'
ok "...then the next flavour builds: a failed one is false" has "$w" '^BAD$'
ok "...and kernel_wait shows the build's output" has "$w" '^      build-kernel: kernel build failed; error: it broke$'
ok "...the first one was true" has "$w" '^GOOD$'
is "...the build was told the tree is overlaid, and reads no terminal" "$(cat "$tmp/good.env")" "source ready: 1; stdin: "
rm -f "$tmp"/build-* "$tmp/slow.pid"
# gone PID: the process ended within 10 s (a zombie has: its reaping may wait for init)
gone() {
	local _
	for _ in $(seq 100); do
		proc_alive "$1" || return 0
		sleep 0.1
	done
	return 1
}
kb slow slow_started
ok "the run's exit stops a build still running" gone "$(cat "$tmp/slow.pid")"
rm -f "$tmp"/build-* "$tmp/slow.pid"
# a run killed without its traps left its builds running: the next run stops them
(KERNEL_BUILD=$tmp/build KERNELS=slow kernels_start; slow_started; trap - EXIT)
stale=$(cat "$tmp/slow.pid")
ok "(a builder left running)" proc_alive "$stale"
rm -f "$tmp"/build-* "$tmp/slow.pid"
w=$(kb good true 2>&1)
ok "the next run stops the builds an earlier run left" gone "$stale"
ok "...and says so" has "$w" 'stopping the kernel builds of an earlier run'
rm -f "$tmp"/build-* "$tmp/slow.pid"
w=$(kb slow slow_dies 2>&1)
ok "builds that died without a status: kernel_wait is false, does not hang" has "$w" '^FALSE$'
ok "...and says so" has "$w" 'the background kernel builds ended before the slow kernel'
reaped() { kernel_wait good >/dev/null; kernels_end; trap -p EXIT; test -e "$out.kernels.pid" && echo PIDFILE; }
rm -f "$tmp"/build-*
is "kernels_end: the builder reaped, no trap or pidfile left" "$(kb good reaped 2>&1)" ""
done_testing
