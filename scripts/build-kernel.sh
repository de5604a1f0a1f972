#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build one kernel flavour with this repo's files overlaid (upstream: without).
#   scripts/build-kernel.sh test|plain|rt|upstream|nostats
# The .config is tinyconfig + the fragments listed in scripts/kconfig/<flavour>.flavour
# (in that order: a later fragment's value of an option replaces an earlier one's);
# it is regenerated only when a fragment changes. Output: $CACHE/obj-<flavour>/.
# The full build log is $CACHE/logs/build-<flavour>.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
check_flavour "$flavour"
obj=$(obj_dir "$flavour")
log=$LOGDIR/build-$flavour.log
kdir=$TOP/scripts/kconfig
read -r -a frags <"$kdir/$flavour.flavour"

# TTM_SOURCE_READY=1: the caller overlaid the tree (make check's background builds)
[ "${TTM_SOURCE_READY:-}" = 1 ] || "$TOP/scripts/source.sh"

src=$(src_dir "$flavour")
read -r -a extra <<<"$(flavour_make_args "$flavour")"
mk() { make -C "$src" O="$obj" ARCH=x86_64 "${extra[@]}" "$@"; }
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"

fail() {
	echo "build-kernel: $1 failed; full log: $log" >&2
	echo "---- last relevant lines ----" >&2
	{ grep -E 'error|Error|warning: |undefined|\*\*\*' "$log" || tail -n 30 "$log"; } | tail -n 30 >&2
	exit 1
}

# --- configuration ---------------------------------------------------------
mkdir -p "$obj"
cfg_hash=$(cd "$kdir" && cat "$flavour.flavour" "${frags[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.ttm-config-hash" 2>/dev/null)" != "$cfg_hash" ]; then
	phase "configuring the $flavour kernel (tinyconfig + ${frags[*]})"
	: >"$log"
	mk tinyconfig >>"$log" 2>&1 || fail "make tinyconfig"
	(cd "$kdir" && KCONFIG_CONFIG="$obj/.config" "$src/scripts/kconfig/merge_config.sh" \
		-m -O "$obj" "$obj/.config" "${frags[@]}") >>"$log" 2>&1 || fail "merge_config"
	mk olddefconfig >>"$log" 2>&1 || fail "make olddefconfig"
	# Every option we ask for must survive olddefconfig (a missing dependency drops it).
	# A later fragment overrides an earlier one (merge_config does, with a note in the
	# log): the last line of each option is the one checked (lib.sh: fragment_options).
	bad=0
	while IFS=$'\t' read -r opt line f; do
		case $line in
		CONFIG_*=n)
			if grep -q "^$opt=" "$obj/.config"; then
				echo "build-kernel: $f: $opt should be unset" >&2
				bad=1
			fi
			;;
		*)
			if ! grep -qx "$line" "$obj/.config"; then
				echo "build-kernel: $f: '$line' did not stick (got: $(grep "^$opt=" "$obj/.config" || echo unset))" >&2
				bad=1
			fi
			;;
		esac
	done < <(fragment_options "$kdir" "${frags[@]}")
	[ $bad -eq 0 ] || die "kconfig fragments do not apply; see $log"
	echo "$cfg_hash" >"$obj/.ttm-config-hash"
fi

# --- build -----------------------------------------------------------------
# Progress: kbuild prints one line per step ("  CC      mm/slub.o"); count them against
# the number the last full build of this flavour needed.
total=$(cat "$obj/.ttm-steps" 2>/dev/null || echo 2600)
phase "building the $flavour kernel in $obj (-j$JOBS, log: $log)"
start=$(date +%s)
set +e
mk -j"$JOBS" CC="$cc" HOSTCC=gcc all >>"$log" 2>&1 &
pid=$!
set -e
steps=0
last_pct=-1
tty=0
[ -t 2 ] && tty=1
while kill -0 "$pid" 2>/dev/null; do
	sleep 2
	steps=$(grep -cE '^  [A-Z]' "$log" || true)
	pct=$((steps * 100 / total))
	[ $pct -gt 99 ] && pct=99
	if [ $tty -eq 1 ]; then
		printf '\r    %3d%%  %5d/~%d steps  %4ds' "$pct" "$steps" "$total" $(($(date +%s) - start)) >&2
	elif [ $((pct / 10)) -ne $((last_pct / 10)) ] || [ $last_pct -lt 0 ]; then
		printf '    %3d%%  %5d/~%d steps  %4ds\n' "$pct" "$steps" "$total" $(($(date +%s) - start)) >&2
	fi
	last_pct=$pct
done
rc=0
wait "$pid" || rc=$?
[ $tty -eq 1 ] && printf '\n' >&2
[ $rc -eq 0 ] || fail "kernel build"
steps=$(grep -cE '^  [A-Z]' "$log" || true)
# Remember the size of a (nearly) full build as the next progress total.
if [ "$steps" -gt $((total / 2)) ]; then
	echo "$steps" >"$obj/.ttm-steps"
fi
phase "$flavour kernel ready: $obj/arch/x86/boot/bzImage ($steps steps, $(($(date +%s) - start))s)"
