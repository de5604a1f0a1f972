#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ttm-dkms-build (dkms.conf's MAKE) decides which upstream sources a kernel gets, or
# refuses it: run with --check (no compile) on trees from packaging/dkms/mktree.sh,
# against fake kernel "headers" that hold only include/generated/utsversion.h (the
# Debian version of a kernel whose headers are not a dpkg package). TAP.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=../../scripts/upstream.sh
. "$top/scripts/upstream.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

oldest=$(up_pinned | head -n 1)
newest=$(up_newest)
# headers DIR DEBIAN-VERSION: a fake headers dir of a Debian kernel of that version:
# its UTS_VERSION, and that version's upstream include/drm/ttm when we know it
headers() {
	local up
	mkdir -p "$1/include/generated" "$1/include/drm"
	printf '#define UTS_VERSION "#1 SMP PREEMPT_DYNAMIC Debian %s (2026-11-28)"\n' "$2" \
		>"$1/include/generated/utsversion.h"
	if up=$(up_sources "$2" 2>/dev/null); then cp -a "$up/include/drm/ttm" "$1/include/drm/"; fi
}
# build TREE KVER HEADERS: ttm-dkms-build --check; output in $tmp/out, status returned
build() {
	(cd "$1" && TTM_POOL_SOURCE_TARBALL=${tarball:-/nonexistent} ./ttm-dkms-build --check "$2" "$3") \
		>"$tmp/out" 2>&1
}
show() { sed 's/^/#   /' "$tmp/out"; }

"$top/packaging/dkms/mktree.sh" "$tmp/full" >/dev/null 2>&1
ok "mktree.sh: the package's tree" test -x "$tmp/full/ttm-dkms-build"
nver=$(up_pinned | wc -l)
is "it carries the sources of every pinned version" "$(ls "$tmp/full/upstream/versions" | wc -l)" "$nver"
# Each distinct upstream file once: fewer files than versions x files.
nfiles=$(ls "$tmp/full/upstream/files" | wc -l)
ok "each distinct upstream file stored once ($nfiles files for $nver versions)" test "$nfiles" -lt $((nver * 10))
ok "no upstream file ours replaces is carried" sh -c "! ls '$tmp/full/upstream/files' | grep -qx \
	$(awk '$2 == "drivers/gpu/drm/ttm/ttm_pool.c" { print $1 }' "$UP_DIR/sums/$newest")"

# Known versions: the package's copy of exactly that version.
for v in "$oldest" "$newest"; do
	headers "$tmp/h-$v" "$v"
	build "$tmp/full" "${v%%-*}+test-amd64" "$tmp/h-$v"
	rc=$?
	is "$v: accepted" "$rc" 0
	[ $rc -eq 0 ] || show
	ok "$v: the package's copy of $v's upstream TTM" \
		grep -qxF "ttm-pool: sources: upstream TTM of ttm-pool-dkms's copy of linux-source-6.12 $v, ours overlaid" "$tmp/out"
done

# Unknown version, no linux-source-6.12 of it: refused, saying what to install.
headers "$tmp/h-new" 6.12.999-1~deb12u1
build "$tmp/full" 6.12.999+deb12-amd64 "$tmp/h-new"
is "unknown 6.12.999-1~deb12u1: refused (status 1)" "$?" 1
show
ok "...naming the kernel and its version" grep -q '^ttm-pool: REFUSED 6.12.999+deb12-amd64: no upstream TTM sources of Debian 6.12.999-1~deb12u1' "$tmp/out"
ok "...the versions it has" grep -qF "this ttm-pool-dkms has those of: $(up_pinned | tr '\n' ' ' | sed 's/ $//')" "$tmp/out"
ok "...and what to install" grep -qF "apt install linux-source-6.12=6.12.999-1~deb12u1" "$tmp/out"
ok "...and prints no sources line" sh -c "! grep -q '^ttm-pool: sources:' '$tmp/out'"

# Not a Debian kernel at all.
mkdir -p "$tmp/h-custom/include/generated"
echo '#define UTS_VERSION "#1 SMP PREEMPT_DYNAMIC Tue Dec  1 10:00:00 UTC 2026"' >"$tmp/h-custom/include/generated/utsversion.h"
build "$tmp/full" 6.12.50-custom "$tmp/h-custom"
is "a kernel that is not Debian's: refused" "$?" 1
ok "...saying so" grep -q '^ttm-pool: REFUSED 6.12.50-custom: not a Debian kernel' "$tmp/out"

# A replaced upstream file whose content was not reconciled: refused, naming it.
cp -a "$tmp/full" "$tmp/unrec"
awk -F'\t' '$1 != "drivers/gpu/drm/ttm/ttm_pool.c"' "$UP_DIR/reconciled" >"$tmp/unrec/upstream/reconciled"
build "$tmp/unrec" "${newest%%-*}+test-amd64" "$tmp/h-$newest"
is "ttm_pool.c of $newest not reconciled: refused" "$?" 1
show
ok "...naming the file and the kernel" \
	grep -q "^ttm-pool: REFUSED ${newest%%-*}+test-amd64: Debian $newest changed upstream files that ttm-pool replaces: drivers/gpu/drm/ttm/ttm_pool.c (sha256 " "$tmp/out"

# Headers whose TTM headers are not the version's upstream ones: refused.
cp -a "$tmp/h-$newest" "$tmp/h-patched"
echo "/* patched */" >>"$tmp/h-patched/include/drm/ttm/ttm_bo.h"
build "$tmp/full" "${newest%%-*}+test-amd64" "$tmp/h-patched"
is "headers with another include/drm/ttm/ttm_bo.h than $newest's: refused" "$?" 1
show
ok "...naming the header" grep -q "^ttm-pool: REFUSED ${newest%%-*}+test-amd64: its headers' include/drm/ttm/ttm_bo.h are not those of Debian $newest's upstream TTM" "$tmp/out"

# A damaged carried file: refused rather than built from something else.
cp -a "$tmp/full" "$tmp/damaged"
util=$(awk '$2 == "drivers/gpu/drm/ttm/ttm_bo_util.c" { print $1 }' "$UP_DIR/sums/$newest")
echo "/* changed */" >>"$tmp/damaged/upstream/files/$util"
build "$tmp/damaged" "${newest%%-*}+test-amd64" "$tmp/h-$newest"
is "a damaged upstream file: refused" "$?" 1
ok "...naming it" grep -q 'incomplete or damaged: .*ttm_bo_util.c' "$tmp/out"

# A package that does not carry a version takes linux-source-6.12 of exactly that
# version (the installed one), never another.
have=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)
"$top/packaging/dkms/mktree.sh" --versions "$oldest" "$tmp/old" >/dev/null 2>&1
headers "$tmp/h-have" "$have"
tarball=$KSRC_TARBALL build "$tmp/old" "${have%%-*}+test-amd64" "$tmp/h-have"
is "a package without $have, linux-source-6.12 $have installed: accepted" "$?" 0
ok "...from linux-source-6.12 $have" grep -qF "ttm-pool: sources: upstream TTM of linux-source-6.12 $have ($KSRC_TARBALL), ours overlaid" "$tmp/out"
headers "$tmp/h-other" 6.12.998-1~deb12u1
tarball=$KSRC_TARBALL build "$tmp/old" 6.12.998+deb12-amd64 "$tmp/h-other"
is "...but not for 6.12.998-1~deb12u1 (another version)" "$?" 1
ok "...which names the installed linux-source-6.12" grep -qF "linux-source-6.12 is installed at $have" "$tmp/out"
done_testing
