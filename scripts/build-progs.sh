#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the in-VM test programs (tests/progs/*.c) as static binaries against
# a kernel's UAPI headers (every flavour has the same), into $CACHE/progs/ (the
# initramfs's /usr/bin).
#   scripts/build-progs.sh [FLAVOUR]     default: test
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
check_flavour "$flavour"
obj=$(obj_dir "$flavour")
[ -f "$obj/Makefile" ] || die "no $flavour kernel build; run scripts/build-kernel.sh $flavour"
make -s -C "$WORK" O="$obj" ARCH=x86_64 headers >"$LOGDIR/headers.log" 2>&1 ||
	die "make headers failed; see $LOGDIR/headers.log"
mkdir -p "$CACHE/progs"
for src in "$TOP"/tests/progs/*.c; do
	[ -e "$src" ] || continue
	out=$CACHE/progs/$(basename "$src" .c)
	gcc -static -O2 -Wall -Wextra -Werror -isystem "$obj/usr/include" -o "$out" "$src"
done
