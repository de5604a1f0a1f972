#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/upstream-check.sh (make upstream-check) on the repo's packaging/upstream and
# on altered copies of it (TTM_UPSTREAM_DIR): it shows the 6.12.115 -> 6.12.117
# change of ttm_bo_util.c as an upstream change in a file ours does not replace,
# fails when a replaced file's content in a pinned version is not reconciled or a
# reconciled line is stale, and reports a version it does not know without failing.
# TAP.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # [UPSTREAM-DIR]: run it, output in $tmp/out, status returned
	TTM_UPSTREAM_DIR=${1:-} "$top/scripts/upstream-check.sh" >"$tmp/out" 2>&1
}
notok() { grep -c '^not ok' "$tmp/out"; }

check
is "the repo's records: passes" "$?" 0
[ "$(notok)" -eq 0 ] || grep '^not ok' "$tmp/out" | sed 's/^/#   /'
ok "...shows ttm_bo_util.c changing between 6.12.115-2 and 6.12.117-1 as upstream's, not replaced" \
	sh -c "sed -n '/^# 6.12.115-2~deb12u1 -> 6.12.117-1~deb12u1:/,/^# 6/p' '$tmp/out' |
		grep -qF 'changed drivers/gpu/drm/ttm/ttm_bo_util.c (upstream change in a file ours does not replace'"
ok "...lists ttm_pool.c as a file ours replaces" grep -q '^# files ours replaces: .*drivers/gpu/drm/ttm/ttm_pool.c' "$tmp/out"
ok "...checks ttm_pool.c in every pinned version" \
	test "$(grep -c '^ok .* drivers/gpu/drm/ttm/ttm_pool.c in .*: reconciled$' "$tmp/out")" -eq \
	"$(grep -vc '^#' "$top/packaging/upstream/versions" | tr -d ' ')"

# ttm_pool.c's upstream content not reconciled.
cp -a "$top/packaging/upstream" "$tmp/unrec"
awk -F'\t' '$1 != "drivers/gpu/drm/ttm/ttm_pool.c"' "$top/packaging/upstream/reconciled" >"$tmp/unrec/reconciled"
check "$tmp/unrec"
is "ttm_pool.c not reconciled: fails" "$?" 1
ok "...naming it in a pinned version" grep -q '^not ok .* drivers/gpu/drm/ttm/ttm_pool.c in 6.12.118-1~deb12u1 (.*): reconciled$' "$tmp/out"

# A reconciled line for a file ours does not replace.
cp -a "$top/packaging/upstream" "$tmp/stale"
printf 'drivers/gpu/drm/ttm/ttm_bo.c\t%064d\tnone\tstale\n' 0 >>"$tmp/stale/reconciled"
check "$tmp/stale"
is "a stale reconciled line: fails" "$?" 1
ok "...naming it" grep -q '^not ok .*/reconciled: drivers/gpu/drm/ttm/ttm_bo.c is a file ours replaces' "$tmp/out"

# A pinned version whose recorded sums are not what Debian's package has.
cp -a "$top/packaging/upstream" "$tmp/sums"
v=$(grep -v '^#' "$top/packaging/upstream/versions" | tail -n 1)
sed -i 's/^[0-9a-f]\{8\}/00000000/' "$tmp/sums/sums/$v"
check "$tmp/sums"
is "recorded sums that differ from the package: fails" "$?" 1
ok "...for $v" grep -q "^not ok .* $v: linux-source-6.12's TTM has the sha256" "$tmp/out"

# A version the archive has but the repo does not pin: reported, not a failure.
cp -a "$top/packaging/upstream" "$tmp/new"
grep -vxF "$v" "$top/packaging/upstream/versions" >"$tmp/new/versions"
rm "$tmp/new/sums/$v"
check "$tmp/new"
is "$v not pinned: still passes" "$?" 0
ok "...and reports it with what a build would do" \
	grep -qF "# NOT PINNED: $v: a DKMS build takes its TTM from linux-source-6.12=$v only, until it is pinned; scripts/upstream-check.sh --pin $v" "$tmp/out"
done_testing
