#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the kernel source: extract Debian's linux-source-6.12 tarball once into a
# pristine tree, copy it to a work tree, and overlay this repo's kernel files onto the
# work tree. Only files whose content changed are rewritten, so kbuild rebuilds
# incrementally; a file removed from the repo falls back to the pristine copy (or is
# removed if upstream has no such file). The pristine tree is never written after
# extraction.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -r "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing; run scripts/deps.sh"

version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
stamp=$CACHE/src/.pristine-done
if [ ! -d "$PRISTINE" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
	phase "extracting linux-source-6.12 ($version) into $PRISTINE"
	rm -rf "$PRISTINE" "$WORK" "$stamp" "$CACHE"/obj-*
	mkdir -p "$CACHE/src/tmp"
	rm -rf "$CACHE/src/tmp"/*
	tar -xJf "$KSRC_TARBALL" -C "$CACHE/src/tmp"
	mv "$CACHE/src/tmp"/linux-source-6.12 "$PRISTINE"
	rmdir "$CACHE/src/tmp"
	echo "$version" >"$stamp"
fi

if [ ! -f "$WORK/.ttm-work-done" ]; then
	phase "copying the pristine tree to the work tree"
	rm -rf "$WORK"
	cp -a "$PRISTINE" "$WORK.tmp"
	mv "$WORK.tmp" "$WORK"
	: >"$WORK/.ttm-overlay-manifest"
	touch "$WORK/.ttm-work-done"
fi

# Overlay.
manifest=$WORK/.ttm-overlay-manifest
new=$(mktemp)
trap 'rm -f "$new"' EXIT
(cd "$TOP" && for d in "${KERNEL_PATHS[@]}"; do
	if [ -d "$d" ]; then
		find "$d" -type f ! -name '*~' ! -name '.*.swp'
	fi
done) | LC_ALL=C sort >"$new"

changed=0
while IFS= read -r f; do
	if ! cmp -s "$TOP/$f" "$WORK/$f"; then
		mkdir -p "$(dirname "$WORK/$f")"
		rm -f "$WORK/$f"
		cp "$TOP/$f" "$WORK/$f"
		changed=$((changed + 1))
	fi
done <"$new"

restored=0
while IFS= read -r f; do
	rm -f "$WORK/$f"
	if [ -f "$PRISTINE/$f" ]; then
		cp "$PRISTINE/$f" "$WORK/$f"
	fi
	restored=$((restored + 1))
done < <(LC_ALL=C comm -23 "$manifest" "$new")

cp "$new" "$manifest"
if [ $changed -gt 0 ] || [ $restored -gt 0 ]; then
	phase "overlay: $changed file(s) updated, $restored restored to pristine"
fi
