#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# Debian's own modules of the GPU stack, for booting Debian's kernel in make
# distro-check: the TTM users (qxl, bochs, amdgpu, radeon, nouveau, vmwgfx, i915,
# xe, drm_vram_helper, drm_ttm_helper: tests/distro/guest/modules.list) and all
# they depend on (modprobe --show-depends on the kernel's modules.dep),
# decompressed (busybox modprobe loads plain .ko files), under
# lib/modules/<abi>/kernel/ of a tree built once per kernel and kept in
# $CACHE/distro/<abi>/modules.
# Only Debian's own modules (kernel/): for a module installed over one (a DKMS
# ttm.ko under updates/ on this host), Debian's of the same name; an error of
# modprobe (a modules.dep naming a file that is gone) fails.
# Prints the tree's path. Add a ttm.ko under updates/ and run depmod on a copy.
#   scripts/distro-modules.sh [--root DIR --abi ABI]
# Default: the installed linux-image-<abi>-unsigned of linux-source-6.12's version
# (/lib/modules/<abi>). --root DIR --abi ABI: the modules of DIR/lib/modules/ABI, a
# kernel package unpacked but not installed (deb_image of scripts/debian-kernel.sh:
# the rt boot of make distro-check); without a modules.dep there (dpkg-deb -x
# leaves none: the package's postinst runs depmod), depmod runs on a hard-linked
# copy, DIR is left as it is.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=debian-kernel.sh
. "$(dirname "$0")/debian-kernel.sh"

usage() { echo "usage: ${0##*/} [--root DIR --abi ABI]" >&2; exit 2; }
root='' abi=''
while [ $# -gt 0 ]; do
	case $1 in
	--root) root=${2:-}; [ -n "$root" ] || usage; shift ;;
	--abi) abi=${2:-}; [ -n "$abi" ] || usage; shift ;;
	*) usage ;;
	esac
	shift
done
{ [ -n "$root" ] && [ -n "$abi" ]; } || { [ -z "$root" ] && [ -z "$abi" ]; } || usage

# The modules make distro-check loads (tests/distro/guest/modules.list).
DISTRO_MODULES=$(grep -v '^#' "$TOP/tests/distro/guest/modules.list" | tr '\n' ' ')

if [ -z "$root" ]; then
	abi=$(deb_kernel_abi) || die "linux-source-6.12 is not installed (scripts/deps.sh)"
	src=/lib/modules/$abi
	[ -f "$src/modules.dep" ] || die "no $src/modules.dep: linux-image-$abi-unsigned is not installed (scripts/deps.sh)"
	imgver=$(dpkg-query -W -f='${Version}' "linux-image-$abi-unsigned")
	stamp="$imgver $DISTRO_MODULES"
	modprobe_root=()
else
	[ -d "$root" ] || die "--root: no directory '$root'"
	root=$(cd "$root" && pwd)
	src=$root/lib/modules/$abi
	[ -f "$src/modules.order" ] || die "no $src/modules.order: not the modules of a kernel $abi"
	# The unpacked package's files (dpkg-deb -x keeps their times): another
	# version unpacked there has other times.
	stamp="$root $(cd "$src" && stat -L -c '%n %s %Y' modules.order modules.builtin.modinfo | tr '\n' ' ')$DISTRO_MODULES"
	modprobe_root=(-d "$root")
fi
tree=$CACHE/distro/$abi/modules
if [ "$(cat "$tree/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$tree"
	exit 0
fi

phase "distro: Debian's GPU modules of $abi (decompressed, with dependencies)"
rm -rf "$tree" "$tree.tmp" "$tree.depmod"
dst=$tree.tmp/lib/modules/$abi
mkdir -p "$dst"
if [ -n "$root" ] && [ ! -f "$src/modules.dep" ]; then
	mkdir -p "$tree.depmod/lib/modules"
	cp -al "$src" "$tree.depmod/lib/modules/$abi" 2>/dev/null ||
		cp -a "$src" "$tree.depmod/lib/modules/$abi"
	depmod -b "$tree.depmod" "$abi" || die "depmod of $src failed"
	src=$tree.depmod/lib/modules/$abi
	modprobe_root=(-d "$tree.depmod")
fi
# What modprobe loads for each. It can print errors and still succeed, with
# dependencies missing (a modules.dep naming a file that is gone: a DKMS
# install or removal running meanwhile): none is tolerated.
for m in $DISTRO_MODULES; do
	modprobe "${modprobe_root[@]}" -S "$abi" --show-depends "$m" 2>"$tree.tmp/err" ||
		die "modprobe --show-depends $m failed for $abi${root:+ (in $root)}: $(cat "$tree.tmp/err")"
	[ ! -s "$tree.tmp/err" ] ||
		die "modprobe --show-depends $m for $abi${root:+ (in $root)}: $(head -n 3 "$tree.tmp/err")"
done | awk '$1 == "insmod" { print $2 }' | sort -u >"$tree.tmp/insmod"
rm -f "$tree.tmp/err"
while IFS= read -r ko; do
	rel=${ko#"$src"/}
	[ "$rel" != "$ko" ] || die "$ko is not under $src"
	# Debian's own modules only: for one installed over it (DKMS's updates/,
	# a ttm.ko of ours on this host), the kernel/ one of the same name.
	case $rel in
	kernel/*) ;;
	*)
		k=$(grep -m 1 "/$(basename "${rel%%.ko*}")\.ko\$" "$src/modules.order") ||
			die "$ko: no module of that name in $src/modules.order"
		ko=$(compgen -G "$src/$k*" | head -n 1) || die "no $src/$k (of $ko)"
		rel=${ko#"$src"/}
		;;
	esac
	mkdir -p "$dst/$(dirname "$rel")"
	case $ko in
	*.xz) xz -dc "$ko" >"$dst/${rel%.xz}" ;;
	*) cp "$ko" "$dst/$rel" ;;
	esac
done <"$tree.tmp/insmod"
rm -f "$tree.tmp/insmod"
for m in $DISTRO_MODULES; do
	[ -n "$(find "$dst/kernel" -name "$m.ko")" ] || die "$m is not in the tree"
done
cp "$src"/modules.builtin "$src"/modules.builtin.modinfo "$src"/modules.order "$dst/"
rm -rf "$tree.depmod"
echo "$stamp" >"$tree.tmp/.stamp"
mv "$tree.tmp" "$tree"
echo "$tree"
