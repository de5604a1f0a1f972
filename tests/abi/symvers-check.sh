#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# packaging/dkms/ttm-symvers-check, the export CRC comparison behind make abi-check
# and the DKMS build: crafted Module.symvers files with one CRC changed, an export
# missing or of another type must fail naming the symbol; identical ones pass.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
chk=$top/packaging/dkms/ttm-symvers-check
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The kernel's file: TTM's exports among others. The external build's: ttm.ko's only.
printf '%s\t%s\t%s\t%s\t%s\n' \
	0x11111111 drm_dev_alloc drivers/gpu/drm/drm EXPORT_SYMBOL "" \
	0x9c64ee91 ttm_tt_init drivers/gpu/drm/ttm/ttm EXPORT_SYMBOL "" \
	0x6fe624ef ttm_bo_vmap drivers/gpu/drm/ttm/ttm EXPORT_SYMBOL "" \
	0x61845441 ttm_pool_init drivers/gpu/drm/ttm/ttm EXPORT_SYMBOL_GPL "" \
	0x22222222 qxl_thing drivers/gpu/drm/qxl/qxl EXPORT_SYMBOL "" >"$tmp/kernel"
built() { grep ttm/ttm "$tmp/kernel" | sed 's|drivers/gpu/drm/ttm/ttm|/var/lib/dkms/ttm-pool/1/build/ttm|'; }

run() { "$chk" "$tmp/kernel" "$1" >"$tmp/out" 2>&1; }
built >"$tmp/same"
run "$tmp/same"
is "identical exports pass" "$?" 0
is "...and are counted" "$(tail -n 1 "$tmp/out")" "3/3 TTM export CRCs identical"

built | sed 's/^0x6fe624ef/0x6fe624e0/' >"$tmp/crc"
run "$tmp/crc"
is "one CRC changed fails" "$?" 1
ok "...naming the symbol with both CRCs" grep -q '^CRC *ttm_bo_vmap: kernel 0x6fe624ef, ttm.ko 0x6fe624e0$' "$tmp/out"
ok "...counting 2/3" grep -qx '2/3 TTM export CRCs identical' "$tmp/out"
ok "...and the failure line names it" grep -q 'FAILED: 1 of 3 TTM exports differ.*: ttm_bo_vmap$' "$tmp/out"
ok "...and no other symbol" test "$(grep -c '^CRC' "$tmp/out")" -eq 1

built | grep -v ttm_tt_init >"$tmp/missing"
run "$tmp/missing"
is "a missing export fails" "$?" 1
ok "...naming it" grep -q '^MISSING ttm_tt_init' "$tmp/out"

built | sed '/ttm_pool_init/s/EXPORT_SYMBOL_GPL/EXPORT_SYMBOL/' >"$tmp/type"
run "$tmp/type"
is "an export type change fails" "$?" 1
ok "...naming it" grep -q '^TYPE *ttm_pool_init' "$tmp/out"

{ built; printf '0x33333333\tttm_pool_drain\t/x/ttm\tEXPORT_SYMBOL\t\n'; } >"$tmp/extra"
run "$tmp/extra"
is "a new export is fine" "$?" 0
ok "...and is listed" grep -q 'new export.*ttm_pool_drain' "$tmp/out"

grep -v ttm/ttm "$tmp/kernel" >"$tmp/nottm"
"$chk" "$tmp/nottm" "$tmp/same" >/dev/null 2>&1
is "a kernel file without TTM exports is bad input" "$?" 2
"$chk" "$tmp/kernel" >/dev/null 2>&1
is "usage error" "$?" 2

# Debian's own Module.symvers: the headers scripts/deps.sh installs (make check
# runs it first), so their absence is a failure, not a skip.
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=../../scripts/debian-kernel.sh
. "$top/scripts/debian-kernel.sh"
real=$(deb_headers_dir)/Module.symvers
ok "Debian's Module.symvers is there ($real)" test -r "$real"
if [ -r "$real" ]; then
	n=$(grep -c $'\tdrivers/gpu/drm/ttm/ttm\t' "$real")
	grep $'\tdrivers/gpu/drm/ttm/ttm\t' "$real" | sed 's|\tdrivers/gpu/drm/ttm/ttm\t|\t/b/ttm\t|' >"$tmp/real"
	"$chk" "$real" "$tmp/real" >"$tmp/out" 2>&1
	is "Debian's Module.symvers against itself: $n/$n" "$?:$(tail -n 1 "$tmp/out")" "0:$n/$n TTM export CRCs identical"
	awk -F'\t' -v OFS='\t' '$2 == "ttm_bo_vmap" { $1 = "0xdeadbeef" } 1' "$tmp/real" >"$tmp/real1"
	"$chk" "$real" "$tmp/real1" >"$tmp/out" 2>&1
	is "...with ttm_bo_vmap's CRC changed it fails" "$?" 1
	ok "...naming ttm_bo_vmap only" test "$(grep -c '^CRC' "$tmp/out"):$(grep -c '^CRC *ttm_bo_vmap:' "$tmp/out")" = 1:1
	ok "...counting $((n - 1))/$n" grep -qx "$((n - 1))/$n TTM export CRCs identical" "$tmp/out"
fi
done_testing
