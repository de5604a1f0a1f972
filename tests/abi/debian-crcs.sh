#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make abi-check (scripts/abi-check.sh) on our tree (every TTM export's CRC as in
# Debian's Module.symvers) and on the pristine sources (the method itself: must be
# N/N too). TAP.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for v in pristine ours; do
	args=()
	[ $v = pristine ] && args=(--pristine)
	t=$SECONDS
	"$top/scripts/abi-check.sh" "${args[@]}" >"$tmp/$v.out" 2>&1
	rc=$?
	line=$(grep 'TTM export CRCs identical' "$tmp/$v.out" | tail -n 1)
	is "$v: ${line:-no result line}" "$rc" 0
	echo "# abi-check $v: $((SECONDS - t))s"
	grep -E '^(CRC|MISSING|TYPE) |FAILED|header:|error' "$tmp/$v.out" | head -n 60 | sed 's/^/# /'
done
done_testing
