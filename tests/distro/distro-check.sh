#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make distro-check: Debian's unmodified 6.12 kernels and their own GPU drivers on
# a ttm.ko of ours (scripts/distro-vm, qemu TCG). This is the host half; the guest
# half, the TAP scripts each boot runs (as /tests/distro/), is tests/distro/guest/.
# Three boots:
#   qxl (-device qxl-vga): modprobe of every TTM user (tests/distro/guest/modules.list),
#       qxl binds, its pool and every documented file, ttm-poolctl
#   bochs (-device VGA, swiotlb=force): bochs binds, its pool, ttm-poolctl, dumb
#       buffers with path switches, the pool's trace events read by Debian's perf
#       and by hist triggers, failure injection, the DRM stack unloaded and loaded
#       again twice
#   rt: the same as bochs, after the modprobe of every TTM user, on Debian's
#       PREEMPT_RT kernel (linux-image-<ver>+deb12-rt-amd64-unsigned of the newest
#       pinned version, scripts/upstream.sh; not installed but unpacked in $CACHE/debian
#       by deb_image, scripts/debian-kernel.sh) with its own modules and the ttm.ko
#       built for it
# plus, per boot, the console log: no "disagrees about version of symbol", no
# "Unknown symbol", no kernel splat. Prints TAP (for tests/check.sh) with each
# boot's time; the exit status is 1 if anything failed.
#   tests/distro/distro-check.sh [--pristine | --ttm TTM_KO] [--rt-ttm RT_TTM_KO]
# Default: the ttm.ko DKMS built ($CACHE/deb/dkms/ttm.ko, kept by
# tests/distro/dkms-install.sh) and, for the rt boot, the one make matrix built for
# the rt kernel ($CACHE/matrix/<ver>+deb12-rt-amd64/ttm.ko, scripts/matrix.sh):
# without it the rt boot fails. --pristine: upstream's, built by
# scripts/abi-check.sh --pristine (the pool checks are skipped: it has no pools);
# the rt boot is skipped unless --rt-ttm gives upstream's ttm.ko for the rt kernel.
set -euo pipefail
# shellcheck source=../../scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
# shellcheck source=../../scripts/upstream.sh
. "$TOP/scripts/upstream.sh"

usage() { echo "usage: ${0##*/} [--pristine | --ttm TTM_KO] [--rt-ttm RT_TTM_KO]" >&2; exit 2; }
variant=ours ttm=$CACHE/deb/dkms/ttm.ko rt_ttm=''
while [ $# -gt 0 ]; do
	case $1 in
	--pristine) variant=pristine ttm=$CACHE/abi/pristine/kbuild/ttm.ko ;;
	--ttm) ttm=${2:-}; [ -n "$ttm" ] || usage; shift ;;
	--rt-ttm) rt_ttm=${2:-}; [ -n "$rt_ttm" ] || usage; shift ;;
	*) usage ;;
	esac
	shift
done
if [ "$variant" = pristine ] && [ ! -f "$ttm" ]; then
	"$TOP/scripts/abi-check.sh" --pristine >&2
fi
[ -f "$ttm" ] || die "no $ttm: make deb, then tests/distro/dkms-install.sh (or --pristine, --ttm FILE)"
# The rt kernel: Debian's of the newest pinned version, with the ttm.ko that
# scripts/matrix.sh builds for it.
rt_version=$(up_newest)
rt_abi=$(debian_abi "$rt_version" rt-amd64)
[ -n "$rt_ttm" ] || [ "$variant" = pristine ] || rt_ttm=$CACHE/matrix/$rt_abi/ttm.ko
if [ -n "$rt_ttm" ] && [ ! -f "$rt_ttm" ]; then
	echo "${0##*/}: no $rt_ttm, the ttm.ko for Debian's $rt_abi: make matrix builds it (or --rt-ttm FILE); the rt boot fails" >&2
fi
# The guest needs ttm-poolctl (scripts/mkinitramfs.sh takes it when built).
make -s -C "$TOP/tools/ttm-poolctl" WERROR=1 >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$variant" >"$tmp/ttm-variant"
# The per-pool files the ABI document promises: What: /sys/kernel/ttm/pools/<name>/X
sed -n 's|^What:[[:space:]]*/sys/kernel/ttm/pools/<name>/\(.\+\)$|\1|p' \
	"$TOP/Documentation/ABI/testing/sysfs-kernel-ttm" >"$tmp/pool-files"

# TAP out, whatever fails on the way.
n=0 failed=0
tap() { # STATUS(0 = ok) DESCRIPTION [SKIP-REASON]
	n=$((n + 1))
	if [ -n "${3:-}" ]; then
		echo "ok $n - $2 # SKIP $3"
	elif [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
echo "TAP version 13"
echo "# ttm.ko ($variant): $ttm"
echo "# rt ttm.ko ($variant, $rt_abi): ${rt_ttm:-none}"

# boot NAME GPU TTM_KO [distro-vm args...] -- TESTS...: one boot, its tests' TAP
# renumbered.
boot() {
	local name=$1 gpu=$2 ko=$3 args=() tests=() rc t0 secs t line d st trc pat log=$LOGDIR/distro-$1.log
	shift 3
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	for t in "$@"; do tests+=("/tests/distro/$t"); done
	echo "$gpu" >"$tmp/gpu"
	rm -f "$log" # a boot that does not start leaves none
	phase "distro-check: boot $name (Debian's kernel, --gpu $gpu ${args[*]})"
	t0=$(date +%s)
	rc=0
	"$TOP/scripts/distro-vm" --gpu "$gpu" --ttm "$ko" "${args[@]}" --timeout 600 --log "$log" \
		--add "$tmp/ttm-variant:/root/ttm-variant" --add "$tmp/pool-files:/root/pool-files" \
		--add "$tmp/gpu:/root/gpu" -- sh /tests/lib/run-vm-tests.sh "${tests[@]}" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	secs=$(($(date +%s) - t0))
	cp "$tmp/$name.out" "$LOGDIR/distro-$name.out"
	tap "$rc" "$name: the boot ran every test and its log has no splat"
	echo "# boot $name: status $rc, ${secs}s, console log $log"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/$name.err" | tail -n 20
	for t in "$@"; do
		awk -v n="$t" '$0 == "### ttm-test begin " n { on = 1; next }
			on && index($0, "### ttm-test end " n " ") == 1 { print "rc " $NF; exit }
			on { print }' "$tmp/$name.out" >"$tmp/$name.$t.tap"
		trc=$(sed -n 's/^rc //p' "$tmp/$name.$t.tap")
		st=0
		while IFS= read -r line; do
			d=${line#*ok }
			d=${d#[0-9]* - }
			case $line in
			"1..0 # SKIP"*) tap 0 "$name/$t" "${line#1..0 # SKIP }" ;;
			"not ok "*) st=1; tap 1 "$name/$t: $d" ;;
			"ok "*"# SKIP"*) tap 0 "$name/$t: ${d% # SKIP*}" "${line##*# SKIP }" ;;
			"ok "*) tap 0 "$name/$t: $d" ;;
			"#"*) echo "$line" ;;
			esac
		done <"$tmp/$name.$t.tap"
		if [ -z "$trc" ]; then
			tap 1 "$name/$t: did not finish"
		elif [ "$trc" -ne 0 ] && [ "$trc" -ne 4 ] && [ $st -eq 0 ]; then
			tap 1 "$name/$t: exited with status $trc"
		fi
	done
	for pat in 'disagrees about version of symbol' 'Unknown symbol'; do
		st=0
		grep -q "$pat" "$log" && st=1
		tap $st "$name: no '$pat' in the console log"
		grep "$pat" "$log" | head -n 5 | sed 's/^/#   /' || true
	done
}

# Debian's perf (linux-perf, scripts/deps.sh) reads the pool's events in events.sh.
perf=()
if command -v perf >/dev/null; then
	perf=(--add-program "$(command -v perf)")
fi
start=$(date +%s)
boot qxl qxl "$ttm" -- load-all.sh bind.sh pools.sh poolctl.sh
boot bochs bochs "$ttm" --append swiotlb=force "${perf[@]}" -- \
	bind.sh pools.sh poolctl.sh workload.sh events.sh reload.sh
# Debian's PREEMPT_RT kernel: boot 1's modprobes and boot 2's checks in one boot
# (std VGA: qxl loads, with no device to bind).
if [ -z "$rt_ttm" ]; then
	tap 0 "rt: Debian's $rt_abi" "--pristine: no upstream ttm.ko for it (--rt-ttm FILE)"
elif [ ! -f "$rt_ttm" ]; then
	tap 1 "rt: the ttm.ko for $rt_abi is there ($rt_ttm)"
	echo "# make matrix (scripts/matrix.sh) builds it; or give one: --rt-ttm FILE"
else
	boot rt bochs "$rt_ttm" --flavour rt-amd64 --version "$rt_version" --append swiotlb=force \
		"${perf[@]}" -- load-all.sh bind.sh pools.sh poolctl.sh workload.sh events.sh reload.sh
	st=0
	grep -q "Linux version $rt_abi .* PREEMPT_RT Debian $rt_version " "$LOGDIR/distro-rt.log" || st=1
	tap $st "rt: the kernel booted is Debian's PREEMPT_RT $rt_abi ($rt_version)"
fi
echo "# distro-check ($variant): $(($(date +%s) - start))s"
echo "1..$n"
[ $failed -eq 0 ]
