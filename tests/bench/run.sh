#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: our pool against upstream 6.12's, measured in one run.
#
# Builds three kernels with the same config (scripts/kconfig/base.config and
# bench.config):
#   upstream  the pristine linux-source-6.12 tree, none of our files
#   plain     ours
#   nostats   ours built with TTM_POOL_NO_STATS=y (statistics compiled out)
# builds tests/bench/ttm_pool_bench against each, and boots them in qemu one
# after the other (upstream, ours, nostats, upstream, ...) ROUNDS times under
# each clock: icount (-icount shift=0,sleep=off: guest time follows executed
# instructions, repeatable on a noisy host) and tcg (host wall time).
# Then tests/bench/report.py writes docs/BENCHMARKS.md, docs/bench/results.csv
# (every sample line of every boot) and docs/bench/chart.png.
#
# Before the boots, tests/bench/clear-rate.c (built here with gcc -O2 into
# the cache, not installed) times "rep stosb" clears natively on this host:
# report.py's cost model re-prices the guests' clears with it (the
# hardware-weighted figures; RAW/clear-rate.csv), and our kernels' clearing
# policy weighs that price too (ttm_pool_bench's clear_page_ns), so that it
# decides as it would on this host's CPU; the wakeup's cost stays the
# guest's own measurement (ordinary instructions, priced as icount).
#
# Under icount every sample of a case takes the same time (the spread is 0),
# so those boots take fewer samples (reps=5 big_reps=3 ops=200), which keeps
# an icount boot as short as a tcg one (icount runs the guest more slowly).
#
# Every boot above runs with init_on_alloc=0 (the bench config's default).
# Debian boots with init_on_alloc=1, which makes every tt need zeroed pages;
# a second set of boots measures that: upstream and ours only, under the
# clocks in IOA_CLOCKS, with the module parameters IOA_ARGS (by default the
# hit cases and raw, the cases the pre-cleared chunks change, clear, and mix,
# the realistic workload).
#
# Environment: ROUNDS (default 2), CLOCKS (default "icount tcg"),
# BENCH_ARGS (module parameters for every boot, after the defaults, e.g.
# "reps=11 only=hit,fini"), IOA_CLOCKS (clocks of the init_on_alloc=1 boots,
# default "icount"; empty: none), IOA_ARGS (their module parameters, after
# BENCH_ARGS; default "only=hit,hit-idle,hit-total,raw,clear,mix"), BENCH_OUT (default
# docs), BENCH_BEFORE (space-separated CLOCK:FILE, ttm_pool_bench output of
# an earlier build of ours, or an earlier docs/bench/results.csv: adds a
# before/after table).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

rounds=${ROUNDS:-2}
clocks=${CLOCKS:-icount tcg}
out=${BENCH_OUT:-$TOP/docs}
ioa_clocks=${IOA_CLOCKS-icount}
ioa_args=${IOA_ARGS-only=hit,hit-idle,hit-total,raw,clear,mix}
kernels=(upstream plain nostats)
ioa_kernels=(upstream plain)
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
for c in $clocks $ioa_clocks; do
	case $c in icount | tcg) ;; *) die "unknown clock '$c' in CLOCKS or IOA_CLOCKS (expected icount, tcg)" ;; esac
done
# The sets of boots: CLOCK:ENV, ENV "default" (init_on_alloc=0) or "ioa"
# (init_on_alloc=1). A boot's results go to RAW/KERNEL-CLOCK-ROUND.csv, or
# RAW/KERNEL-CLOCK-ioa-ROUND.csv.
sets=()
for c in $clocks; do sets+=("$c:default"); done
for c in $ioa_clocks; do sets+=("$c:ioa"); done

before=()
for b in ${BENCH_BEFORE:-}; do
	[ -f "${b#*:}" ] || die "BENCH_BEFORE: no such file '${b#*:}'"
	before+=(--before "$b")
done

"$TOP/scripts/deps.sh" bench
for k in "${kernels[@]}"; do
	"$TOP/scripts/build-kernel.sh" "$k"
	"$TOP/scripts/build-module.sh" "$TOP/tests/bench/ttm_pool_bench" "$k" >/dev/null
done

raw=$CACHE/bench/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$raw"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
phase "bench: the host's clear rate (tests/bench/clear-rate.c)"
gcc -O2 -Wall -o "$CACHE/bench/clear-rate" "$TOP/tests/bench/clear-rate.c" ||
	die "bench: cannot build tests/bench/clear-rate.c"
"$CACHE/bench/clear-rate" >"$raw/clear-rate.csv" || die "bench: clear-rate failed"
sed 's/^/    /' "$raw/clear-rate.csv" >&2
# Our pools' clearing policy prices a page clear as this host does (4 KiB,
# streaming), not as the emulator does: ttm_pool_bench's clear_page_ns.
host_clear_ns=$(awk -F, '$1 == "clear-rate" && $2 == "4k-stream" { printf "%d", $4 + 0.5 }' "$raw/clear-rate.csv")
[[ $host_clear_ns =~ ^[1-9][0-9]*$ ]] || die "bench: no 4k-stream price in $raw/clear-rate.csv"
for set in "${sets[@]}"; do
	clock=${set%%:*} env=${set#*:}
	opt=() args='' ks=("${kernels[@]}") ioa=0 tag=''
	if [ "$clock" = icount ]; then
		opt=(--icount)
		args="reps=5 big_reps=3 ops=200"
	fi
	args="$args clear_page_ns=$host_clear_ns ${BENCH_ARGS:-}"
	if [ "$env" = ioa ]; then
		ioa=1 tag=-ioa ks=("${ioa_kernels[@]}")
		args="$args $ioa_args"
	fi
	guest="insmod /lib/ttm-tests/ttm_pool_bench.ko $args || exit 1
dmesg | sed -n 's/.*ttm_pool_bench: csv,//p; s/.*ttm_pool_bench: clears,/clears,/p; s/.*ttm_pool_bench: mixlat,/mixlat,/p; s/.*ttm_pool_bench: mixfree,/mixfree,/p; s/.*ttm_pool_bench: mixcpu,/mixcpu,/p; s/.*ttm_pool_bench: costs,/costs,/p; s/.*ttm_pool_bench: mean,/mean,/p'"
	for round in $(seq 1 "$rounds"); do
		for k in "${ks[@]}"; do
			name=$k-$clock$tag-$round
			phase "bench: $k kernel, $clock clock, init_on_alloc=$ioa, round $round/$rounds"
			t0=$(date +%s)
			# The guest must time with the TSC: if its calibration failed
			# (it can under TCG), the clock is jiffies (4 ms steps); boot again.
			for try in 1 2 3; do
				if ! "$TOP/scripts/ttm-vm" --kernel "$k" --gpu none --smp 2 --mem 1536M \
					--append "kunit.enable=0 tsc=reliable init_on_alloc=$ioa" --no-kmemleak "${opt[@]}" \
					--timeout 3600 --log "$raw/$name.log" -- "$guest" >"$raw/$name.csv"; then
					die "bench: the $name boot failed; console log: $raw/$name.log"
				fi
				if ! grep -q "Marking TSC unstable\|Marking clocksource 'tsc" "$raw/$name.log" &&
					grep -q "smpboot: Total of 2 processors" "$raw/$name.log"; then
					break
				fi
				[ "$try" -lt 3 ] || die "bench: $name: no TSC clock or not 2 CPUs in 3 boots; see $raw/$name.log"
				echo "    $name: TSC unusable or CPUs missing in the guest; booting again" >&2
			done
			want=off
			[ $ioa -eq 0 ] || want=on
			grep -q "mem auto-init: .*heap alloc:$want" "$raw/$name.log" ||
				die "bench: $name: the guest did not run with init_on_alloc=$ioa; see $raw/$name.log"
			[ -s "$raw/$name.csv" ] || die "bench: no results from $name; console log: $raw/$name.log"
			echo "    $(grep -Evc '^(clears|mixlat|mixfree|mixcpu|costs|mean),' "$raw/$name.csv") cases, $(grep -c '^mixcpu,' "$raw/$name.csv") mix runs in $(($(date +%s) - t0))s" >&2
		done
	done
done

cmd="make bench${ROUNDS:+ ROUNDS=$ROUNDS}${CLOCKS:+ CLOCKS=\"$CLOCKS\"}${BENCH_ARGS:+ BENCH_ARGS=\"$BENCH_ARGS\"}"
cmd+="${IOA_CLOCKS+ IOA_CLOCKS=\"$IOA_CLOCKS\"}${IOA_ARGS+ IOA_ARGS=\"$IOA_ARGS\"}${BENCH_BEFORE:+ BENCH_BEFORE=\"$BENCH_BEFORE\"}"
python3 "$TOP/tests/bench/report.py" --raw "$raw" --out "$out" --command "$cmd" "${before[@]}" \
	--started "$started" --finished "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	--kernel-version "$(dpkg-query -W -f='${Version}' linux-source-6.12)"
phase "bench: wrote $out/BENCHMARKS.md, $out/bench/results.csv, $out/bench/chart.png (raw: $raw)"
