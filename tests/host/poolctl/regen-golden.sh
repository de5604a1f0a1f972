#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rewrite the golden outputs after an intended output change; review the diff.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../../../tools/ttm-poolctl/ttm-poolctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# cases: NAME|EXIT-STATUS|ARGS; each runs on a fresh tree (set writes to it)
while IFS='|' read -r name want args; do
	[ -n "$name" ] || continue
	"$here/mktree.sh" "$tmp/root" full
	rc=0
	# shellcheck disable=SC2086
	"$tool" --sysroot "$tmp/root" $args >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || echo "warning: ttm-poolctl $args exits $rc, the case says $want" >&2
	sed -e "s|$tmp/[a-z]*|SYSROOT|g" -e "s|^[^ :]*/ttm-poolctl[-a-z]*: |ttm-poolctl: |" \
		<"$tmp/out" >"$here/golden/$name.out"
done <"$here/golden/cases"
