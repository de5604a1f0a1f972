#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build an out-of-tree module against a kernel's O= build dir:
#   scripts/build-module.sh tests/modules/NAME [test|plain|rt]
# The sources are copied to $CACHE/modules/<flavour>/NAME (6.12 kbuild writes objects
# next to the sources), built there, and the path of each .ko is printed. The
# initramfs of the next ttm-vm boot carries them in /lib/ttm-tests/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${1:?usage: build-module.sh DIR [test|plain|rt]}
flavour=${2:-test}
check_flavour "$flavour"
[ -f "$src/Makefile" ] || [ -f "$src/Kbuild" ] || die "$src: no Makefile or Kbuild"
obj=$(obj_dir "$flavour")
[ -f "$obj/Module.symvers" ] || die "no $flavour kernel build in $obj; run scripts/build-kernel.sh $flavour"

name=$(basename "$(cd "$src" && pwd)")
dest=$CACHE/modules/$flavour/$name
mkdir -p "$dest"
# Copy only changed files so kbuild's timestamps stay meaningful.
for f in "$src"/*; do
	[ -f "$f" ] || continue
	cmp -s "$f" "$dest/${f##*/}" || cp "$f" "$dest/"
done
log=$LOGDIR/module-$name-$flavour.log
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
if ! make -C "$obj" ARCH=x86_64 CC="$cc" M="$dest" W=1 modules >"$log" 2>&1; then
	echo "build-module: $name failed; log: $log" >&2
	tail -n 25 "$log" >&2
	exit 1
fi
if grep -q 'warning:' "$log"; then
	echo "build-module: $name has warnings; log: $log" >&2
	grep 'warning:' "$log" >&2
	exit 1
fi
find "$dest" -maxdepth 1 -name '*.ko'
