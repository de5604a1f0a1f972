# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Upstream TTM of each Debian linux-source-6.12 version, as the package, make
# upstream-check and make matrix use it. Sourced after lib.sh, not run.
#
# packaging/upstream/ (hashes and decisions only, never upstream text):
#   versions        the Debian versions of linux-6.12 we know ("pinned"): make check
#                   uses these and no other, the package carries their TTM sources
#   sums/VERSION    sha256 of every upstream file of drivers/gpu/drm/ttm and
#                   include/drm/ttm in that version's linux-source-6.12
#   reconciled      for every upstream file our tree replaces, the sha256 of each
#                   upstream content we reconciled with, and what it was
#
#   up_pinned            the pinned versions, oldest first
#   up_newest            the newest pinned version (what scripts/deps.sh installs)
#   up_archive           the linux-source-6.12 versions apt knows, oldest first
#   up_replaced          the repo's kernel files that replace an upstream file (paths)
#   up_sources VERSION   a directory with that version's drivers/gpu/drm/ttm and
#                        include/drm/ttm (cached in $CACHE/upstream/VERSION; from the
#                        installed tarball when its version is VERSION, else from
#                        apt-get download); a pinned version is verified against
#                        its sums file
#   up_sums DIR          sha256sum lines of DIR's files (relative paths, sorted)

UP_DIR=${TTM_UPSTREAM_DIR:-$TOP/packaging/upstream}

up_pinned() { grep -v '^#' "$UP_DIR/versions" | grep -v '^$'; }
up_newest() { up_pinned | tail -n 1; }

up_archive() {
	apt-cache madison linux-source-6.12 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		sort -u -V
}

# The replaced files: repo files under the TTM paths that upstream also has. Any
# version's sums file lists upstream's paths; they are the same in every 6.12.y
# we know (make upstream-check reports a path that appears or goes).
up_replaced() {
	local sums
	sums=$UP_DIR/sums/$(up_newest)
	(cd "$TOP" && find drivers/gpu/drm/ttm include/drm/ttm -type f | LC_ALL=C sort) |
		while IFS= read -r f; do
			if awk -v p="$f" '$2 == p { found = 1 } END { exit !found }' "$sums"; then echo "$f"; fi
		done
}

up_sums() {
	(cd "$1" && find drivers/gpu/drm/ttm include/drm/ttm -type f | LC_ALL=C sort | xargs -d '\n' sha256sum)
}

up_sources() {
	local v=$1 dir=$CACHE/upstream/$1 tmp tarball have deb
	if [ ! -f "$dir/.done" ]; then
		tmp=$CACHE/upstream/.tmp.$$
		rm -rf "$tmp"
		mkdir -p "$tmp/x"
		have=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
		if [ "$have" = "$v" ] && [ -r "$KSRC_TARBALL" ]; then
			tarball=$KSRC_TARBALL
		else
			phase "upstream: apt-get download linux-source-6.12=$v"
			(cd "$tmp" && apt-get download -q "linux-source-6.12=$v" >"$tmp/apt.log" 2>&1) || {
				cat "$tmp/apt.log" >&2
				rm -rf "$tmp"
				echo "upstream: cannot download linux-source-6.12=$v" >&2
				return 1
			}
			deb=$(find "$tmp" -maxdepth 1 -name 'linux-source-6.12_*.deb')
			if ! dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$tmp" ./usr/src/linux-source-6.12.tar.xz; then
				rm -rf "$tmp"
				echo "upstream: cannot unpack linux-source-6.12=$v" >&2
				return 1
			fi
			rm -f "$deb"
			tarball=$tmp/usr/src/linux-source-6.12.tar.xz
		fi
		phase "upstream: TTM of linux-source-6.12 $v"
		if ! xz -dc "$tarball" | tar -xf - --strip-components=1 -C "$tmp/x" \
			linux-source-6.12/drivers/gpu/drm/ttm linux-source-6.12/include/drm/ttm; then
			rm -rf "$tmp"
			echo "upstream: cannot extract TTM from linux-source-6.12 $v" >&2
			return 1
		fi
		rm -rf "$dir"
		mv "$tmp/x" "$dir"
		rm -rf "$tmp"
		touch "$dir/.done"
	fi
	if [ -f "$UP_DIR/sums/$v" ] && ! diff -q <(up_sums "$dir") "$UP_DIR/sums/$v" >/dev/null; then
		echo "upstream: TTM of linux-source-6.12 $v differs from packaging/upstream/sums/$v:" >&2
		diff <(up_sums "$dir") "$UP_DIR/sums/$v" | head -n 10 >&2
		return 1
	fi
	echo "$dir"
}
