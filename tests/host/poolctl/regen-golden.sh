#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rewrite the golden outputs after an intended output change; review the diff.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../../../tools/ttm-poolctl/ttm-poolctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/mktree.sh" "$tmp/root" full
while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	"$tool" --sysroot "$tmp/root" $args 2>&1 | sed "s|$tmp/[a-z]*|SYSROOT|g" \
		>"$here/golden/$name.out"
done <"$here/golden/cases"
