#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: static gates, host tests, the test kernel's KUnit suites, the in-VM tests
# and the VM runner's own tests. Every test is counted; the last line is
# "N passed, N failed" and the exit status is non-zero if anything failed.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

out=$LOGDIR/check
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
export TTM_CACHE=$CACHE

# record STATUS NAME [DETAIL]: STATUS is pass, fail or skip
record() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$results"; }
count() { awk -F'\t' -v s="$1" '$1 == s' "$results" | wc -l; }
section_start() { sec_pass=$(count pass) sec_fail=$(count fail) sec_skip=$(count skip); }
section_end() {
	local p=$(($(count pass) - sec_pass)) f=$(($(count fail) - sec_fail)) s=$(($(count skip) - sec_skip))
	printf '    %d passed, %d failed, %d skipped\n' "$p" "$f" "$s"
}
fail_detail() { sed 's/^/      /' | head -n "${2:-40}"; }

# tap_to_results PREFIX FILE RC: count a TAP stream; a script that exited non-zero
# (other than skip = 4) without a failing test point still fails.
tap_to_results() {
	local prefix=$1 file=$2 rc=$3 n=0 failed=0
	if [ "$rc" -eq 4 ] && grep -q '^1\.\.0 # SKIP' "$file"; then
		record skip "$prefix" "$(sed -n 's/^1\.\.0 # SKIP //p' "$file")"
		echo "    skip $prefix: $(sed -n 's/^1\.\.0 # SKIP //p' "$file")"
		return
	fi
	while IFS= read -r line; do
		case $line in
		"not ok "*)
			n=$((n + 1)) failed=$((failed + 1))
			record fail "$prefix: ${line#not ok }"
			echo "    FAIL $prefix: ${line#not ok }"
			;;
		"ok "*"# SKIP"*)
			n=$((n + 1))
			record skip "$prefix: ${line#ok }"
			;;
		"ok "*)
			n=$((n + 1))
			record pass "$prefix: ${line#ok }"
			;;
		"#"*)
			[ $failed -gt 0 ] && echo "      $line"
			;;
		esac
	done < <(grep -E '^(not ok|ok) [0-9]|^#' "$file")
	if [ "$rc" -ne 0 ] && [ $failed -eq 0 ]; then
		record fail "$prefix: exited with status $rc"
		echo "    FAIL $prefix: exited with status $rc"
		tail -n 20 "$file" | fail_detail
	elif [ $n -eq 0 ] && [ "$rc" -eq 0 ]; then
		record fail "$prefix: no test results"
		echo "    FAIL $prefix: produced no test results"
	fi
}

# splat_result NAME LOG [--kunit-boot]
splat_result() {
	if "$TOP/scripts/logcheck.py" splats "${@:3}" "$2" >"$out/splat.tmp" 2>&1; then
		record pass "$1: no kernel splat"
	else
		record fail "$1: kernel splat" "$2"
		echo "    FAIL $1: kernel splat in $2"
		fail_detail <"$out/splat.tmp" 60
	fi
}

kernel_files() {
	(cd "$TOP" && for d in "${KERNEL_PATHS[@]}" tests/modules; do
		if [ -d "$d" ]; then find "$d" -type f; fi
	done) | LC_ALL=C sort
}

start=$(date +%s)

# --- static gates --------------------------------------------------------
phase "static checks (checkpatch --strict, kernel-doc -Wall, get_abi.pl validate)"
section_start
"$TOP/scripts/source.sh" || { record fail "kernel source" ; }
nfiles=0
while IFS= read -r f; do
	case $f in
	*.c | *.h)
		nfiles=$((nfiles + 1))
		if (cd "$WORK" && perl scripts/checkpatch.pl --strict --no-tree --quiet -f "$TOP/$f") \
			>"$out/cp.tmp" 2>&1 && ! grep -qE '^(ERROR|WARNING|CHECK):' "$out/cp.tmp"; then
			record pass "checkpatch: $f"
		else
			record fail "checkpatch: $f"
			echo "    FAIL checkpatch --strict: $f"
			fail_detail <"$out/cp.tmp"
		fi
		if (cd "$WORK" && perl scripts/kernel-doc -Wall -none "$TOP/$f") >"$out/kd.tmp" 2>&1 &&
			! [ -s "$out/kd.tmp" ]; then
			record pass "kernel-doc: $f"
		else
			record fail "kernel-doc: $f"
			echo "    FAIL kernel-doc -Wall: $f"
			fail_detail <"$out/kd.tmp"
		fi
		;;
	esac
done < <(kernel_files)
[ $nfiles -gt 0 ] || echo "    (no kernel C files in the repo yet)"
# The ABI documentation of our sysfs/debugfs files (get_abi.pl exits 0 on
# warnings: any output is one).
if compgen -G "$TOP/Documentation/ABI/*/*" >/dev/null; then
	(cd "$WORK" && perl scripts/get_abi.pl validate) >"$out/abi.tmp" 2>&1
	if [ -s "$out/abi.tmp" ]; then
		record fail "get_abi.pl validate"
		echo "    FAIL get_abi.pl validate:"
		fail_detail <"$out/abi.tmp"
	else
		record pass "get_abi.pl validate"
	fi
fi
section_end

# --- host tests ----------------------------------------------------------
phase "host tests (tests/host)"
section_start
for t in "$TOP"/tests/host/*.sh; do
	[ -e "$t" ] || continue
	name=host/${t##*/}
	bash "$t" >"$out/${t##*/}.tap" 2>&1
	tap_to_results "$name" "$out/${t##*/}.tap" $?
done
section_end

# --- kernel --------------------------------------------------------------
if ! "$TOP/scripts/build-kernel.sh" test; then
	record fail "build: test kernel"
	echo "    FAIL the test kernel does not build"
else
	record pass "build: test kernel"
	if "$TOP/scripts/build-progs.sh" >"$out/progs.tmp" 2>&1; then
		record pass "build: tests/progs"
	else
		record fail "build: tests/progs"
		echo "    FAIL tests/progs do not build"
		fail_detail <"$out/progs.tmp"
	fi
	rm -rf "$CACHE/modules/test"
	for m in "$TOP"/tests/modules/*/; do
		[ -d "$m" ] || continue
		if "$TOP/scripts/build-module.sh" "$m" test >"$out/module.tmp" 2>&1; then
			record pass "build: module $(basename "$m")"
		else
			record fail "build: module $(basename "$m")"
			echo "    FAIL module $(basename "$m") does not build"
			fail_detail <"$out/module.tmp"
		fi
	done

	# --- KUnit: no GPU, so upstream's suites find no real TTM device ---------
	phase "KUnit suites (debug kernel, no GPU)"
	section_start
	klog=$out/kunit.log
	"$TOP/scripts/ttm-vm" --gpu none --append numa=fake=2 --timeout 600 --log "$klog" -- true >/dev/null 2>"$out/kunit.err"
	rc=$?
	[ $rc -eq 0 ] || { record fail "kunit boot: exit status $rc"; echo "    FAIL kunit boot (status $rc; log $klog)"; fail_detail <"$out/kunit.err"; }
	"$TOP/scripts/logcheck.py" ktap "$klog" >"$out/kunit.results"
	while IFS=$'\t' read -r st name rest; do
		case $st in
		ok) record pass "kunit: $name" ;;
		skip) record skip "kunit: $name" ;;
		"not ok") record fail "kunit: $name"; echo "    FAIL kunit: $name" ;;
		esac
	done <"$out/kunit.results"
	while IFS= read -r s; do
		case $s in '' | '#'*) continue ;; esac
		st=$(awk -F'\t' -v s="$s" '$1 == "suite" && $2 == s { print $3 }' "$out/kunit.results")
		case $st in
		ok) record pass "kunit suite $s" ;;
		"") record fail "kunit suite $s: did not run"; echo "    FAIL kunit suite $s did not run" ;;
		*) record fail "kunit suite $s: $st"; echo "    FAIL kunit suite $s: $st" ;;
		esac
	done <"$TOP/tests/kunit-suites.txt"
	splat_result "kunit boot" "$klog" --kunit-boot
	echo "    $(grep -c . "$out/kunit.results") results; log: $klog"
	section_end

	# --- in-VM tests, one boot per distinct "# ttm-vm:" line ------------------
	phase "in-VM tests (tests/vm)"
	section_start
	declare -A groups=()
	for t in "$TOP"/tests/vm/*.sh; do
		[ -e "$t" ] || continue
		args=$(sed -n 's/^# ttm-vm: //p' "$t" | head -n 1)
		[ -n "$args" ] || args="--gpu qxl"
		groups[$args]+=" /tests/vm/${t##*/}"
	done
	g=0
	while IFS= read -r args; do
		g=$((g + 1))
		log=$out/vm-$g.log
		echo "    boot $g: ttm-vm $args ->${groups[$args]}"
		# shellcheck disable=SC2086
		"$TOP/scripts/ttm-vm" $args --timeout 600 --log "$log" -- \
			sh /tests/lib/run-vm-tests.sh ${groups[$args]} >"$out/vm-$g.out" 2>"$out/vm-$g.err"
		rc=$?
		[ $rc -eq 0 ] || { record fail "vm boot $g ($args): exit status $rc"; echo "    FAIL boot $g exit status $rc (log $log)"; fail_detail <"$out/vm-$g.err"; }
		for t in ${groups[$args]}; do
			name=${t##*/}
			awk -v n="$name" '$0 == "### ttm-test begin " n { on = 1; next }
				on && index($0, "### ttm-test end " n " ") == 1 { print "rc " $NF; exit }
				on { print }' "$out/vm-$g.out" >"$out/$name.tap"
			trc=$(sed -n 's/^rc //p' "$out/$name.tap")
			[ -n "$trc" ] || trc=255
			tap_to_results "vm/$name" "$out/$name.tap" "$trc"
		done
		splat_result "vm boot $g ($args)" "$log"
	done < <(printf '%s\n' "${!groups[@]}" | LC_ALL=C sort)
	section_end

	# --- the VM runner itself ------------------------------------------------
	phase "VM runner tests (tests/harness)"
	section_start
	for t in "$TOP"/tests/harness/*.sh; do
		[ -e "$t" ] || continue
		bash "$t" >"$out/${t##*/}.tap" 2>&1
		tap_to_results "harness/${t##*/}" "$out/${t##*/}.tap" $?
	done
	section_end
fi

secs=$(($(date +%s) - start))
passed=$(count pass) failed=$(count fail) skipped=$(count skip)
echo
if [ "$failed" -gt 0 ]; then
	echo "Failed:"
	awk -F'\t' '$1 == "fail" { print "  " $2 }' "$results"
fi
echo "make check: ${secs}s, $skipped skipped, logs in $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
