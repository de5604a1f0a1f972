#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# Print a directory that holds upstream's (linux-source-6.12's) drivers/gpu/drm/ttm
# and include/drm/ttm: the pristine tree when scripts/source.sh has extracted it,
# otherwise just those two directories taken from the tarball once (cached under
# $CACHE/src/ttm-upstream, keyed by the linux-source-6.12 version).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -r "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing; run scripts/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
if [ -d "$PRISTINE/drivers/gpu/drm/ttm" ] &&
	[ "$(cat "$CACHE/src/.pristine-done" 2>/dev/null)" = "$version" ]; then
	echo "$PRISTINE"
	exit 0
fi
dir=$CACHE/src/ttm-upstream
if [ "$(cat "$dir/.version" 2>/dev/null)" != "$version" ]; then
	phase "extracting TTM from linux-source-6.12 ($version)"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xJf "$KSRC_TARBALL" -C "$dir.tmp" --strip-components=1 \
		linux-source-6.12/drivers/gpu/drm/ttm linux-source-6.12/include/drm/ttm
	echo "$version" >"$dir.tmp/.version"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
