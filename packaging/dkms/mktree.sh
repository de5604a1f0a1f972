#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the source tree of the external ttm.ko, as DKMS and make abi-check
# build it:
#   DEST/*.c *.h Makefile   upstream's drivers/gpu/drm/ttm (from linux-source-6.12,
#                           never from the repo), with ours overlaid on top
#   DEST/include/...        our headers (the repo's include/), found before the kernel's
#   DEST/Kbuild             packaging/dkms/Kbuild (header order, TTM as a module only)
#   DEST/ttm-symvers-check  the export CRC comparison
#   DEST/ttm-initramfs      regenerates an initramfs that holds ttm.ko (dkms.conf)
# With --pristine, upstream's files only (our include/ paths taken from upstream too),
# to prove the method: Debian's kernel was built from exactly those.
#   packaging/dkms/mktree.sh [--pristine] DEST
# (dkms.conf is packaging/debian/ttm-pool-dkms.dkms, installed by dh_dkms.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

pristine=0
if [ "${1:-}" = --pristine ]; then pristine=1; shift; fi
dest=${1:?usage: mktree.sh [--pristine] DEST}
[ ! -e "$dest" ] || [ -z "$(ls -A "$dest")" ] || { echo "mktree: $dest is not empty" >&2; exit 1; }
up=$("$top/scripts/ttm-upstream.sh")
mkdir -p "$dest/include"

# Upstream's TTM (top level only: tests/ is not part of ttm.ko).
find "$up/drivers/gpu/drm/ttm" -maxdepth 1 -type f \( -name '*.[ch]' -o -name Makefile \) \
	-exec cp -t "$dest" {} +
# Our headers, or upstream's versions of the same paths.
(cd "$top" && find include -type f -name '*.h') | while IFS= read -r h; do
	src=$top/$h
	if [ $pristine -eq 1 ]; then src=$up/$h; fi
	if [ -f "$src" ]; then install -D -m 0644 "$src" "$dest/$h"; fi
done
if [ $pristine -eq 0 ]; then
	find "$top/drivers/gpu/drm/ttm" -maxdepth 1 -type f \( -name '*.[ch]' -o -name Makefile \) \
		-exec cp -t "$dest" {} +
fi
install -m 0644 "$here/Kbuild" "$dest/Kbuild"
install -m 0755 "$here/ttm-symvers-check" "$dest/ttm-symvers-check"
install -m 0755 "$here/ttm-initramfs" "$dest/ttm-initramfs"
