#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make abi-check: build ttm.ko as an external module against Debian's installed
# linux-headers-<abi> (the newest pinned version, as linux-source-6.12), with the
# package's own DKMS tree and build (packaging/dkms/mktree.sh, ttm-dkms-build: that
# version's upstream drivers/gpu/drm/ttm with our files overlaid), and compare every TTM export's CRC with that package's
# Module.symvers. Prints "N/N TTM export CRCs identical"; fails naming each
# symbol that differs.
#   scripts/abi-check.sh [--pristine]
# --pristine builds upstream's files only (must give 67/67: proves the method).
# The tree is assembled afresh in $CACHE/abi/ours or pristine (ccache makes the
# rebuild cheap); the module is kbuild/ttm.ko there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=debian-kernel.sh
. "$(dirname "$0")/debian-kernel.sh"

variant=ours mkargs=()
case ${1:-} in
--pristine) variant=pristine mkargs=(--pristine) ;;
"") ;;
*) echo "usage: ${0##*/} [--pristine]" >&2; exit 2 ;;
esac
start=$(date +%s)
deb_check_kernel
abi=$(deb_kernel_abi)
hdr=$(deb_headers_dir)
dir=$CACHE/abi/$variant
log=$LOGDIR/abi-check-$variant.log

# The package's DKMS tree (packaging/dkms/mktree.sh), built by its own ttm-dkms-build
# for this kernel: the upstream sources of its Debian version, ours overlaid, the
# CRC check.
rm -rf "$dir"
mkdir -p "$dir"
"$TOP/packaging/dkms/mktree.sh" "${mkargs[@]}" "$dir"

phase "abi-check ($variant): ttm.ko against linux-headers-$abi"
rc=0
(cd "$dir" && DEBIAN_KERNEL_USE_CCACHE=1 TTM_POOL_JOBS=$JOBS ./ttm-dkms-build "$abi" "$hdr") >"$log" 2>&1 || rc=$?
grep -E '^(ttm-pool: (REFUSED|sources)|CRC |MISSING |TYPE |[0-9]+/[0-9]+ TTM export)' "$log" || true
if [ $rc -ne 0 ] && ! grep -q 'TTM export CRCs identical' "$log"; then
	echo "abi-check: the build failed; log: $log" >&2
	grep -E 'error|ERROR|REFUSED' "$log" | head -n 20 >&2 || tail -n 20 "$log" >&2
	exit 1
fi
dir=$dir/kbuild

# Which ttm_pool.h the objects were compiled with: ours (the tree's include/), never
# the headers package's.
used=$(cat "$dir"/.*.o.cmd | grep -o '[^ ]*/drm/ttm/ttm_pool\.h' | sort | uniq -c)
echo "header: $(echo "$used" | awk '{ printf "%s%s (%d objects)", sep, $2, $1; sep = ", " }')"
if [ "$variant" = pristine ]; then
	if [ -z "$used" ] || echo "$used" | grep -qF "$dir/include/"; then
		echo "abi-check: FAILED: the pristine build did not use the headers' ttm_pool.h alone" >&2
		exit 1
	fi
elif [ -z "$used" ] || ! echo "$used" | awk -v want="$dir/include/drm/ttm/ttm_pool.h" '$2 != want { exit 1 }'; then
	echo "abi-check: FAILED: an object was compiled with another ttm_pool.h than $dir/include/drm/ttm/ttm_pool.h" >&2
	exit 1
fi

echo "abi-check ($variant): $(($(date +%s) - start))s; module $dir/ttm.ko; log $log"
exit $rc
