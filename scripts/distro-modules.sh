#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# Debian's own modules of the GPU stack, for booting Debian's kernel in make
# distro-check: the TTM users (qxl, bochs, amdgpu, radeon, nouveau, vmwgfx, i915,
# xe, drm_vram_helper, drm_ttm_helper: tests/distro/guest/modules.list) and all
# they depend on (modprobe --show-depends on linux-image-<abi>'s modules.dep),
# decompressed (busybox modprobe loads plain .ko files), under
# lib/modules/<abi>/kernel/ of a tree built once per linux-image version and kept
# in $CACHE/distro/<abi>/modules.
# Prints the tree's path. Add a ttm.ko under updates/ and run depmod on a copy.
#   scripts/distro-modules.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=debian-kernel.sh
. "$(dirname "$0")/debian-kernel.sh"

# The modules make distro-check loads (tests/distro/guest/modules.list).
DISTRO_MODULES=$(grep -v '^#' "$TOP/tests/distro/guest/modules.list" | tr '\n' ' ')

abi=$(deb_kernel_abi) || die "linux-source-6.12 is not installed (scripts/deps.sh)"
src=/lib/modules/$abi
[ -f "$src/modules.dep" ] || die "no $src/modules.dep: linux-image-$abi-unsigned is not installed (scripts/deps.sh)"
imgver=$(dpkg-query -W -f='${Version}' "linux-image-$abi-unsigned")
tree=$CACHE/distro/$abi/modules
stamp="$imgver $DISTRO_MODULES"
if [ "$(cat "$tree/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$tree"
	exit 0
fi

phase "distro: Debian's GPU modules of $abi (decompressed, with dependencies)"
rm -rf "$tree" "$tree.tmp"
dst=$tree.tmp/lib/modules/$abi
mkdir -p "$dst"
# shellcheck disable=SC2086 # a list of module names
for m in $DISTRO_MODULES; do
	modprobe -S "$abi" --show-depends $m || die "modprobe --show-depends $m failed for $abi"
done | awk '$1 == "insmod" { print $2 }' | sort -u | while IFS= read -r ko; do
	rel=${ko#"$src"/}
	mkdir -p "$dst/$(dirname "$rel")"
	case $ko in
	*.xz) xz -dc "$ko" >"$dst/${rel%.xz}" ;;
	*) cp "$ko" "$dst/$rel" ;;
	esac
done
cp "$src"/modules.builtin "$src"/modules.builtin.modinfo "$src"/modules.order "$dst/"
echo "$stamp" >"$tree.tmp/.stamp"
mv "$tree.tmp" "$tree"
echo "$tree"
