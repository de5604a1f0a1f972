#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make abi-check: build ttm.ko as an external module against Debian's installed
# linux-headers-<abi> (the same 6.12 version as linux-source-6.12), from upstream's
# drivers/gpu/drm/ttm with our files overlaid (packaging/dkms/mktree.sh: the tree
# DKMS builds), and compare every TTM export's CRC with that package's
# Module.symvers. Prints "N/N TTM export CRCs identical"; fails naming each
# symbol that differs.
#   scripts/abi-check.sh [--pristine]
# --pristine builds upstream's files only (must give 67/67: proves the method).
# The build dir ($CACHE/abi/ours or pristine) is kept: kbuild rebuilds what changed.
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

# The tree, synced into the build dir file by file (unchanged files keep their times).
new=$(mktemp -d "$CACHE/abi-tree.XXXXXX")
trap 'rm -rf "$new"' EXIT
"$TOP/packaging/dkms/mktree.sh" "${mkargs[@]}" "$new"
mkdir -p "$dir"
(cd "$new" && find . -type f) | while IFS= read -r f; do
	cmp -s "$new/$f" "$dir/$f" || install -D -m "$(stat -c %a "$new/$f")" "$new/$f" "$dir/$f"
done
(cd "$dir" && find . -type f \( -name '*.[ch]' -o -name Makefile -o -name Kbuild \) ! -name '*.mod.c') |
	while IFS= read -r f; do
		if [ ! -e "$new/$f" ]; then rm -f "$dir/$f" "$dir/${f%.c}.o"; fi
	done

phase "abi-check ($variant): ttm.ko against linux-headers-$abi"
ccache=()
command -v ccache >/dev/null && ccache=(DEBIAN_KERNEL_USE_CCACHE=1)
if ! make -C "$hdr" M="$dir" -j"$JOBS" "${ccache[@]}" modules >"$log" 2>&1; then
	echo "abi-check: the external build failed; log: $log" >&2
	grep -E 'error|ERROR' "$log" | head -n 20 >&2 || tail -n 20 "$log" >&2
	exit 1
fi

# Which ttm_pool.h the objects were compiled with: ours (the tree's include/), never
# the headers package's.
used=$(cat "$dir"/.*.o.cmd | grep -o '[^ ]*/drm/ttm/ttm_pool\.h' | sort | uniq -c)
echo "header: $(echo "$used" | awk '{ printf "%s%s (%d objects)", sep, $2, $1; sep = ", " }')"
if [ -z "$used" ] || ! echo "$used" | awk -v want="$dir/include/drm/ttm/ttm_pool.h" '$2 != want { exit 1 }'; then
	echo "abi-check: FAILED: an object was compiled with another ttm_pool.h than $dir/include/drm/ttm/ttm_pool.h" >&2
	exit 1
fi

rc=0
"$TOP/packaging/dkms/ttm-symvers-check" "$hdr/Module.symvers" "$dir/Module.symvers" || rc=$?
echo "abi-check ($variant): $(($(date +%s) - start))s; module $dir/ttm.ko; log $log"
exit $rc
