#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the in-VM test programs (tests/progs/*.c) as static binaries against
# the test kernel's UAPI headers, into $CACHE/progs/ (the initramfs's /usr/bin).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

obj=$(obj_dir test)
[ -f "$obj/Makefile" ] || die "no test kernel build; run scripts/build-kernel.sh test"
make -s -C "$WORK" O="$obj" ARCH=x86_64 headers >"$LOGDIR/headers.log" 2>&1 ||
	die "make headers failed; see $LOGDIR/headers.log"
mkdir -p "$CACHE/progs"
for src in "$TOP"/tests/progs/*.c; do
	[ -e "$src" ] || continue
	out=$CACHE/progs/$(basename "$src" .c)
	gcc -static -O2 -Wall -Wextra -Werror -isystem "$obj/usr/include" -o "$out" "$src"
done
