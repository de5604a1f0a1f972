#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: static gates, host tests, upstream's TTM of each pinned Debian version
# and the DKMS matrix, the test kernel's KUnit suites, the in-VM tests, the ABI tests
# (CRCs against Debian's 6.12, the documented sysfs/debugfs files), the VM runner's
# own tests, the Debian packages, Debian's own kernel on our ttm.ko, and the rt kernel
# (PREEMPT_RT) with the KUnit suites and a short stress run (last: its kernel builds in
# the background meanwhile). Every test is counted;
# the last line is "N passed, N failed" and the exit status is non-zero if anything
# failed.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

out=$LOGDIR/check
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: >"$results"
export TTM_CACHE=$CACHE

# record, count, tap_to_results, ktap_to_results, splat_result, the skip allowlist
# (tests/skips-allowed.txt) and the minimum result counts (tests/min-results.txt)
. "$TOP/tests/check-lib.sh"
section_start() { sec_pass=$(count pass) sec_fail=$(count fail) sec_skip=$(count skip); }
section_end() {
	local p=$(($(count pass) - sec_pass)) f=$(($(count fail) - sec_fail)) s=$(($(count skip) - sec_skip))
	printf '    %d passed, %d failed, %d skipped\n' "$p" "$f" "$s"
}

kernel_files() {
	(cd "$TOP" && for d in "${KERNEL_PATHS[@]}" tests/modules; do
		if [ -d "$d" ]; then find "$d" -type f; fi
	done) | LC_ALL=C sort
}

# kunit_boot NAME KERNEL ARGS ALL: one boot of KERNEL without a GPU (the KUnit suites
# run at boot) with --append ARGS; the results as "NAME: suite.case", "NAME suite S"
# for each suite of tests/kunit-suites.txt (all of them if ALL is 1, else only those
# of the per-device pool, ttm_pool_core_*) and "NAME boot: no kernel splat". Further
# arguments: guest scripts to run after the suites, framed as tests/lib/run-vm-tests.sh
# does (see vm_results).
kunit_boot() {
	local kname=$1 kernel=$2 kargs=$3 kall=$4 klog=$out/$1.log rc s st tmo=600
	shift 4
	[ "$kernel" = test ] || tmo=900	# PREEMPT_RT + lockdep + KASAN under TCG: slower
	local cmd=(true)
	[ $# -eq 0 ] || cmd=(sh /tests/lib/run-vm-tests.sh "$@")
	"$TOP/scripts/ttm-vm" --kernel "$kernel" --gpu none --append "$kargs" --timeout "$tmo" \
		--log "$klog" -- "${cmd[@]}" >"$out/$kname.out" 2>"$out/$kname.err"
	rc=$?
	[ $rc -eq 0 ] || { record fail "$kname boot: exit status $rc"; echo "    FAIL $kname boot (status $rc; log $klog)"; fail_detail <"$out/$kname.err"; }
	ktap_to_results "$kname" "$klog"
	while IFS= read -r s; do
		case $s in '' | '#'*) continue ;; esac
		[ "$kall" = 1 ] || [[ $s == ttm_pool_core_* ]] || continue
		st=$(awk -F'\t' -v s="$s" '$1 == "suite" && $2 == s { print $3 }' "$out/kunit.results")
		case $st in
		ok) record pass "$kname suite $s" ;;
		"") record fail "$kname suite $s: did not run"; echo "    FAIL $kname suite $s did not run" ;;
		*) record fail "$kname suite $s: $st"; echo "    FAIL $kname suite $s: $st" ;;
		esac
	done <"$TOP/tests/kunit-suites.txt"
	[ $# -eq 0 ] || vm_results "$kname " "$out/$kname.out" "$@"
	splat_result "$kname boot" "$klog" --kunit-boot --kmemleak
	echo "    $kname ($kernel kernel: $kargs): $(grep -c . "$out/kunit.results") KUnit results; log: $klog"
}

# vm_results PREFIX OUTPUT SCRIPT...: the TAP of each guest script that
# tests/lib/run-vm-tests.sh framed in OUTPUT, as "PREFIXvm/NAME: ..."
vm_results() {
	local prefix=$1 output=$2 t name trc
	shift 2
	for t in "$@"; do
		name=${t##*/}
		awk -v n="$name" '$0 == "### ttm-test begin " n { on = 1; next }
			on && index($0, "### ttm-test end " n " ") == 1 { print "rc " $NF; exit }
			on { print }' "$output" >"$out/$prefix$name.tap"
		trc=$(sed -n 's/^rc //p' "$out/$prefix$name.tap")
		[ -n "$trc" ] || trc=255
		tap_to_results "${prefix}vm/$name" "$out/$prefix$name.tap" "$trc"
	done
}

# dir_tests DIR: every tests/DIR/*.sh (TAP on stdout), as "DIR/NAME: ..."; its
# output in $out/DIR-NAME.tap. A script with the line "# needs: test kernel" boots
# the test kernel (scripts/ttm-vm) and runs only if it built ($test_kernel = 1).
dir_tests() {
	local dir=$1 t name
	for t in "$TOP/tests/$dir"/*.sh; do
		[ -e "$t" ] || continue
		name=${t##*/}
		if [ "$test_kernel" != 1 ] && grep -qx '# needs: test kernel' "$t"; then
			echo "    not run: $dir/$name (needs the test kernel)"
			continue
		fi
		bash "$t" >"$out/$dir-$name.tap" 2>&1
		tap_to_results "$dir/$name" "$out/$dir-$name.tap" $?
	done
}

start=$(date +%s)
test_kernel=0
check_skip_allowlist

# --- static gates --------------------------------------------------------
phase "static checks (checkpatch --strict, kernel-doc -Wall, get_abi.pl validate, callgraph)"
section_start
"$TOP/scripts/source.sh" || { record fail "kernel source" ; }
kernels_start
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
# The kernel files' calls: no cycle but the allowed upcalls (docs/ARCHITECTURE.md).
if python3 "$TOP/scripts/callgraph.py" "$TOP/drivers/gpu/drm/ttm" >"$out/callgraph.tmp" 2>&1; then
	record pass "callgraph: no cycle among the kernel files"
else
	record fail "callgraph: no cycle among the kernel files"
	echo "    FAIL scripts/callgraph.py:"
	fail_detail <"$out/callgraph.tmp"
fi
section_end

# --- host tests ----------------------------------------------------------
phase "host tests (tests/host)"
section_start
dir_tests host
section_end

# --- upstream's TTM of every pinned Debian version; the DKMS build matrix -------
phase "upstream TTM of each Debian 6.12 (make upstream-check) and the DKMS matrix (oldest and newest, amd64 and rt)"
section_start
"$TOP/scripts/upstream-check.sh" >"$out/upstream-check.tap" 2>&1
tap_to_results upstream-check "$out/upstream-check.tap" $?
"$TOP/scripts/matrix.sh" --quick >"$out/matrix.tap" 2>&1
tap_to_results matrix "$out/matrix.tap" $?
grep '^# ' "$out/matrix.tap" | sed -n '/VERSION  *FLAVOUR/,$p' | sed 's/^# /    /'
section_end

# --- kernel --------------------------------------------------------------
phase "the test kernel (built in the background: $out/build-test.out, kbuild log $LOGDIR/build-test.log)"
if ! kernel_wait test; then
	record fail "build: test kernel"
	echo "    FAIL the test kernel does not build"
else
	record pass "build: test kernel"
	test_kernel=1
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
	# Three boots: the plain one (numa=fake=2 for the NUMA shrinker case);
	# swiotlb=force with init_on_alloc=1 (Debian's default): upstream's six
	# suites must pass there too, and every pooled chunk a tt takes is
	# cleared; init_on_free=1 for our suites of the per-device pool
	# (ttm_pool_core_*): every tt must see zeroed pages (a pooled chunk may be
	# dirty). NAME<TAB>--append ARGS<TAB>all suites must run (1/0)
	while IFS=$'\t' read -r kname kargs kall; do
		kunit_boot "$kname" test "$kargs" "$kall"
	done <<-'BOOTS'
	kunit	numa=fake=2	1
	kunit-swiotlb	swiotlb=force init_on_alloc=1 numa=fake=2	1
	kunit-init-on-free	init_on_free=1 numa=fake=2 kunit.filter_glob=ttm_pool_core_*	0
	BOOTS
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
		# shellcheck disable=SC2086
		vm_results "" "$out/vm-$g.out" ${groups[$args]}
		splat_result "vm boot $g ($args)" "$log" --kmemleak
	done < <(printf '%s\n' "${!groups[@]}" | LC_ALL=C sort)
	section_end
fi

# --- ABI: ttm.ko built against Debian's linux-headers, CRCs vs its Module.symvers;
# the CRC comparison itself; every sysfs/debugfs file documented (test kernel) ---
phase "ABI tests (tests/abi: make abi-check against Debian's 6.12, ours and pristine; ttm-symvers-check; every sysfs/debugfs file documented)"
section_start
dir_tests abi
section_end

# --- the VM runner itself (scripts/ttm-vm: usage, verdict, real boots) -------------
phase "VM runner tests (tests/harness)"
section_start
dir_tests harness
section_end

# --- Debian packages: make deb, lintian, DKMS install and purge on this host ---
phase "Debian packages (make deb; ttm-pool-dkms installed, built by DKMS, kernels installed beside it, purged)"
section_start
for t in deb.sh dkms-install.sh kernel-upgrade.sh; do
	bash "$TOP/tests/distro/$t" >"$out/$t.tap" 2>&1
	tap_to_results "distro/$t" "$out/$t.tap" $?
done
section_end

# --- Debian's own kernel and GPU drivers on the ttm.ko DKMS built ---------------
phase "distro-check (Debian's kernels: amd64 with qxl and bochs, rt-amd64 with bochs)"
section_start
"$TOP/tests/distro/distro-check.sh" >"$out/distro-check.tap" 2>"$out/distro-check.err"
tap_to_results distro-check "$out/distro-check.tap" $?
section_end

# --- the rt kernel: the test kernel's debug options on PREEMPT_RT -----------------
# Two boots of it with 2 vCPUs: the KUnit suites (no GPU, as above: they assume no TTM
# driver is bound), then bochs with a short tests/vm/stress.sh (the control plane,
# the exerciser's threads, the shrinker, fault injection, unbind/rebind). On RT a
# spinlock_t sleeps: one held where the kernel may not sleep (under a raw spinlock,
# preemption or interrupts disabled) is a "sleeping function called from invalid
# context", lockdep's "Invalid wait context" and the rest fail the splat check, and
# tests/vm/rt/preempt-rt.sh asserts the kernel is PREEMPT_RT and lockdep still on.
RT_STRESS_SECONDS=60
phase "rt kernel (PREEMPT_RT, debug options): KUnit suites, ${RT_STRESS_SECONDS}s stress"
section_start
kernel_wait rt
rt_built=$?
kernels_end
if [ $rt_built != 0 ]; then
	record fail "build: rt kernel"
	echo "    FAIL the rt kernel does not build"
else
	record pass "build: rt kernel"
	rm -rf "$CACHE/modules/rt"
	rt_stress=1
	if "$TOP/scripts/build-module.sh" "$TOP/tests/modules/ttm_pool_stress" rt >"$out/module.tmp" 2>&1 &&
		"$TOP/scripts/build-progs.sh" rt >>"$out/module.tmp" 2>&1; then
		record pass "build: rt module ttm_pool_stress and tests/progs"
	else
		rt_stress=0
		record fail "build: rt module ttm_pool_stress and tests/progs"
		echo "    FAIL ttm_pool_stress or tests/progs do not build for the rt kernel"
		fail_detail <"$out/module.tmp"
	fi
	kunit_boot rt-kunit rt numa=fake=2 1 /tests/vm/rt/preempt-rt.sh
	if [ $rt_stress = 1 ]; then
		echo "$RT_STRESS_SECONDS" >"$out/rt-stress-duration"
		rlog=$out/rt-stress.log
		"$TOP/scripts/ttm-vm" --kernel rt --gpu bochs --mem 768M --smp 2 \
			--timeout $((RT_STRESS_SECONDS * 4 + 600)) --log "$rlog" \
			--add "$out/rt-stress-duration:/root/stress-duration" -- \
			sh /tests/lib/run-vm-tests.sh /tests/vm/stress.sh /tests/vm/rt/preempt-rt.sh \
			>"$out/rt-stress.out" 2>"$out/rt-stress.err"
		rc=$?
		[ $rc -eq 0 ] || { record fail "rt-stress boot: exit status $rc"; echo "    FAIL rt-stress boot (status $rc; log $rlog)"; fail_detail <"$out/rt-stress.err"; }
		vm_results "rt-stress " "$out/rt-stress.out" /tests/vm/stress.sh /tests/vm/rt/preempt-rt.sh
		splat_result "rt-stress boot" "$rlog" --kmemleak
		grep '^# ---- stress summary\|^# exerciser:' "$out/rt-stress stress.sh.tap" | sed 's/^# /    /'
	fi
fi
section_end

# --- the number of results ---------------------------------------------------
phase "result counts (tests/min-results.txt)"
check_min_results

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
