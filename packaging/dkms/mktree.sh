#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the DKMS source tree of ttm.ko (/usr/src/ttm-pool-<ver> of ttm-pool-dkms;
# make abi-check and make matrix build the same tree):
#   DEST/ours/...               our kernel files: drivers/gpu/drm/ttm/ (ttm.ko's, not
#                               tests/) and include/drm/ttm/
#   DEST/upstream/versions/V    for every Debian version V we know
#                               (packaging/upstream/versions), the sha256 and path
#                               of each upstream TTM file of V
#   DEST/upstream/files/SHA     the upstream files ttm.ko needs that ours does not
#                               replace, each distinct content once, taken from
#                               Debian's linux-source-6.12 of V now (never from the repo)
#   DEST/upstream/reconciled    packaging/upstream/reconciled
#   DEST/Kbuild                 packaging/dkms/Kbuild (header order, TTM as a module)
#   DEST/ttm-dkms-build         the build for one kernel (dkms.conf's MAKE)
#   DEST/ttm-symvers-check      the export CRC comparison
#   DEST/ttm-initramfs          regenerates an initramfs that holds ttm.ko
# (dkms.conf is packaging/debian/ttm-pool-dkms.dkms, installed by dh_dkms.)
#   packaging/dkms/mktree.sh [--pristine] [--versions "V1 V2 ..."] DEST
# --pristine: no files of ours, upstream's alone (proves the method: Debian's
# kernel was built from exactly those). --versions: only those versions' sources
# (tests: a package that does not know a kernel).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib.sh
. "$here/../../scripts/lib.sh"
# shellcheck source=../../scripts/upstream.sh
. "$TOP/scripts/upstream.sh"

pristine=0 versions=
while [ $# -gt 1 ]; do
	case $1 in
	--pristine) pristine=1; shift ;;
	--versions) versions=$2; shift 2 ;;
	*) break ;;
	esac
done
dest=${1:?usage: mktree.sh [--pristine] [--versions \"V...\"] DEST}
[ ! -e "$dest" ] || [ -z "$(ls -A "$dest")" ] || die "$dest is not empty"
[ -n "$versions" ] || versions=$(up_pinned)

mkdir -p "$dest/ours" "$dest/upstream/versions" "$dest/upstream/files"
if [ $pristine -eq 0 ]; then
	(cd "$TOP" && find drivers/gpu/drm/ttm include/drm/ttm -type f ! -path '*/tests/*' | LC_ALL=C sort) |
		while IFS= read -r f; do install -D -m 0644 "$TOP/$f" "$dest/ours/$f"; done
fi
for v in $versions; do
	[ -f "$UP_DIR/sums/$v" ] || die "no packaging/upstream/sums/$v: not a version we know"
	dir=$(up_sources "$v")
	cp "$UP_DIR/sums/$v" "$dest/upstream/versions/$v"
	while read -r sum path; do
		case $path in drivers/gpu/drm/ttm/*/*) continue ;; drivers/gpu/drm/ttm/*) ;; *) continue ;; esac
		[ ! -e "$dest/ours/$path" ] || continue
		[ -e "$dest/upstream/files/$sum" ] || install -m 0644 "$dir/$path" "$dest/upstream/files/$sum"
	done <"$UP_DIR/sums/$v"
done
install -m 0644 "$UP_DIR/reconciled" "$dest/upstream/reconciled"
install -m 0644 "$here/Kbuild" "$dest/Kbuild"
for s in ttm-dkms-build ttm-symvers-check ttm-initramfs; do
	install -m 0755 "$here/$s" "$dest/$s"
done
