# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154 # $TOP, $out and $results: set by the sourcing script
# The bookkeeping of tests/check.sh, sourced by it and by its host test
# tests/host/check-bookkeeping.sh. Every result is a line
# "pass|fail|skip<TAB>NAME<TAB>DETAIL" of $results; $out is a scratch directory,
# $TOP the repo.
#
#   SKIPS_ALLOWED  (default tests/skips-allowed.txt) the skips that do not fail the run:
#                  "NAME-PATTERN<TAB>REASON" per line, the pattern a shell glob matched
#                  against the whole result name, the reason required
#   MIN_RESULTS    (default tests/min-results.txt) "NAME-PREFIX<TAB>MINIMUM" per line:
#                  the run fails if fewer results have a name starting with the prefix
#   KERNEL_BUILD   (default scripts/build-kernel.sh) and KERNELS (default "test rt"):
#                  what kernels_start builds in the background, FLAVOUR by FLAVOUR
: "${SKIPS_ALLOWED:=$TOP/tests/skips-allowed.txt}"
: "${MIN_RESULTS:=$TOP/tests/min-results.txt}"

fail_detail() { sed 's/^/      /' | head -n "${2:-40}"; }

# skip_allowed NAME: true if a line of $SKIPS_ALLOWED with a reason matches NAME
skip_allowed() {
	local pat reason
	[ -f "$SKIPS_ALLOWED" ] || return 1
	while IFS=$'\t' read -r pat reason; do
		case $pat in '' | '#'*) continue ;; esac
		[ -n "$reason" ] || continue
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		[[ $1 == $pat ]] && return 0
	done <"$SKIPS_ALLOWED"
	return 1
}

# record STATUS NAME [DETAIL]: STATUS is pass, fail or skip; a skip that
# $SKIPS_ALLOWED does not allow is recorded as a failure.
record() {
	local st=$1 name=$2 detail=${3:-}
	if [ "$st" = skip ]; then
		if skip_allowed "$name"; then
			echo "    skip $name${detail:+: $detail} (allowed)"
		else
			st=fail
			name="$name: skipped, not allowed by ${SKIPS_ALLOWED#"$TOP"/}"
			echo "    FAIL $name${detail:+ (reason: $detail)}"
		fi
	fi
	printf '%s\t%s\t%s\n' "$st" "$name" "$detail" >>"$results"
}

count() { awk -F'\t' -v s="$1" '$1 == s' "$results" | wc -l; }

# check_skip_allowlist: every entry of $SKIPS_ALLOWED has a pattern and a reason
check_skip_allowlist() {
	local pat reason n=0 bad=0
	[ -f "$SKIPS_ALLOWED" ] || return 0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in '' | '#'*) continue ;; esac
		pat=${line%%$'\t'*} reason=
		[ "$pat" != "$line" ] && reason=${line#*$'\t'}
		if [ -z "$pat" ] || [ -z "${reason//[[:space:]]/}" ]; then
			bad=1
			record fail "${SKIPS_ALLOWED#"$TOP"/}:$n: not PATTERN<TAB>REASON" "$line"
			echo "    FAIL ${SKIPS_ALLOWED#"$TOP"/}:$n: an allowed skip needs PATTERN<TAB>REASON: $line"
		fi
	done <"$SKIPS_ALLOWED"
	return $bad
}

# tap_to_results PREFIX FILE RC: count a TAP stream; a script that exited non-zero
# (other than skip = 4) without a failing test point still fails, and so does a
# stream whose plan (1..N) is missing or disagrees with the results.
tap_to_results() {
	local prefix=$1 file=$2 rc=$3 n=0 failed=0 plan d why
	if [ "$rc" -eq 4 ] && grep -q '^1\.\.0 # SKIP' "$file"; then
		record skip "$prefix" "$(sed -n 's/^1\.\.0 # SKIP //p' "$file")"
		return
	fi
	while IFS= read -r line; do
		case $line in
		"not ok "*)
			n=$((n + 1)) failed=$((failed + 1))
			record fail "$prefix: ${line#not ok }"
			echo "    FAIL $prefix: ${line#not ok }"
			;;
		"ok "*" # SKIP"*)
			n=$((n + 1)) d=${line#ok } why=${line#* # SKIP}
			record skip "$prefix: ${d%% # SKIP*}" "${why# }"
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
	[ $n -gt 0 ] || return 0
	plan=$(sed -n 's/^1\.\.\([0-9]\+\)\( *#.*\)\?$/\1/p' "$file" | tail -n 1)
	if [ -z "$plan" ]; then
		record fail "$prefix: no plan (1..N) after $n results: ended early?"
		echo "    FAIL $prefix: no TAP plan (1..N) after $n results"
	elif [ "$plan" -ne $n ]; then
		record fail "$prefix: plan 1..$plan but $n results"
		echo "    FAIL $prefix: plan 1..$plan but $n results"
	fi
}

# ktap_to_results PREFIX LOG: the KUnit results of a console log
# (scripts/logcheck.py ktap, which also turns plan and statistics mismatches into
# "not ok" lines); leaves $out/kunit.results
ktap_to_results() {
	local st name rest
	"$TOP/scripts/logcheck.py" ktap "$2" >"$out/kunit.results"
	while IFS=$'\t' read -r st name rest; do
		case $st in
		ok) record pass "$1: $name" ;;
		skip) record skip "$1: $name" "$rest" ;;
		"not ok") record fail "$1: $name"; echo "    FAIL $1: $name" ;;
		esac
	done <"$out/kunit.results"
}

# splat_result NAME LOG [logcheck options: --kunit-boot, --kmemleak]
splat_result() {
	if "$TOP/scripts/logcheck.py" splats "${@:3}" "$2" >"$out/splat.tmp" 2>&1; then
		record pass "$1: no kernel splat"
	else
		record fail "$1: kernel splat" "$2"
		echo "    FAIL $1: kernel splat in $2"
		fail_detail <"$out/splat.tmp" 60
	fi
}

# check_min_results: every "PREFIX<TAB>MINIMUM" of $MIN_RESULTS needs that many results
# whose name starts with PREFIX (a lost line, a removed case or script fails the
# run). The counts go to $out/min-results.counts (PREFIX, found, minimum).
check_min_results() {
	local prefix min got n=0 met=0 bad=0
	if [ ! -f "$MIN_RESULTS" ]; then
		record fail "result counts: no ${MIN_RESULTS#"$TOP"/}"
		echo "    FAIL no ${MIN_RESULTS#"$TOP"/}"
		return 1
	fi
	: >"$out/min-results.counts"
	while IFS=$'\t' read -r prefix min; do
		n=$((n + 1))
		case $prefix in '' | '#'*) continue ;; esac
		if ! [[ $min =~ ^[0-9]+$ ]]; then
			bad=1
			record fail "result counts: ${MIN_RESULTS#"$TOP"/}:$n: not PREFIX<TAB>MINIMUM"
			echo "    FAIL ${MIN_RESULTS#"$TOP"/}:$n: not PREFIX<TAB>MINIMUM: $prefix"
			continue
		fi
		got=$(awk -F'\t' -v p="$prefix" 'index($2, p) == 1' "$results" | wc -l)
		printf '%s\t%s\t%s\n' "$prefix" "$got" "$min" >>"$out/min-results.counts"
		if [ "$got" -lt "$min" ]; then
			bad=1
			record fail "result counts: '$prefix': $got results, at least $min expected"
			echo "    FAIL '$prefix': $got results, at least $min expected (${MIN_RESULTS#"$TOP"/})"
		else
			met=$((met + 1))
		fi
	done <"$MIN_RESULTS"
	echo "    $met minimum counts met (${MIN_RESULTS#"$TOP"/}; counts in $out/min-results.counts)"
	return $bad
}

# The two debug kernels take most of a cold run's CPU time, and most stages keep
# only one of the two cores busy (a TCG guest, a shell script). So both kernels are
# built in the background, one after the other (test, then rt) at nice 19, as soon
# as the source tree is ready: they use what the stages leave idle. A stage that
# needs a kernel waits for it (kernel_wait); kernels_end reaps the builder. The
# caller overlays the tree first; the builds do not (TTM_SOURCE_READY=1: a later
# overlay could mix sources, and a linux-source-6.12 swapped by a Debian test
# would make source.sh remove the object trees in use).

# proc_alive PID: the process exists and is not a zombie (/proc, no procps needed)
proc_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# kernels_start: the builder runs in its own session, its group's id in $kernels_pid
# and in $out.kernels.pid (a run killed without its traps leaves it behind: the next
# run stops that group first); the run's exit (or INT, TERM, HUP) stops the group.
kernels_start() {
	local old pidfile=$out.kernels.pid
	old=$(cat "$pidfile" 2>/dev/null)
	if [ -n "$old" ] && proc_alive "$old" && grep -q KERNEL_BUILD "/proc/$old/cmdline" 2>/dev/null; then
		echo "    stopping the kernel builds of an earlier run (process group $old)"
		kill -- -"$old" 2>/dev/null
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	KERNEL_BUILD=${KERNEL_BUILD:-$TOP/scripts/build-kernel.sh} out=$out TTM_SOURCE_READY=1 \
		setsid bash -c '
		for k in '"${KERNELS:-test rt}"'; do
			nice -n 19 "$KERNEL_BUILD" "$k" >"$out/build-$k.out" 2>&1
			echo $? >"$out/build-$k.rc.tmp"
			mv "$out/build-$k.rc.tmp" "$out/build-$k.rc"
		done' </dev/null >/dev/null 2>&1 &
	kernels_pid=$!
	echo "$kernels_pid" >"$pidfile"
	trap 'kill -- -"$kernels_pid" 2>/dev/null' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# kernel_wait FLAVOUR: wait for its background build; true if it built. Prints the
# build's last line and how long this stage waited for it, or the end of its output.
kernel_wait() {
	local k=$1 t0 rc
	t0=$(date +%s)
	while [ ! -f "$out/build-$k.rc" ]; do
		if ! proc_alive "$kernels_pid" && [ ! -f "$out/build-$k.rc" ]; then
			echo 1 >"$out/build-$k.rc"
			echo "check: the background kernel builds ended before the $k kernel" >>"$out/build-$k.out"
			break
		fi
		sleep 2
	done
	rc=$(cat "$out/build-$k.rc")
	if [ "$rc" = 0 ]; then
		echo "    $(grep '^==> .* kernel ready' "$out/build-$k.out" | tail -n 1 | sed 's/^==> //') (built in the background; waited $(($(date +%s) - t0))s)"
	else
		tail -n 40 "$out/build-$k.out" | fail_detail
	fi
	[ "$rc" = 0 ]
}

# kernels_end: after the last kernel_wait: reap the builder, drop its traps and pidfile
kernels_end() {
	wait "$kernels_pid" 2>/dev/null
	trap - EXIT INT TERM HUP
	rm -f "$out.kernels.pid"
}
