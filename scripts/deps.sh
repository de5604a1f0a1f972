#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and booting ttm-pool needs, and nothing already there.
# Idempotent: `apt-get update` runs only when a package is missing.
#   scripts/deps.sh          what make, make run and make check need
#   scripts/deps.sh bench    that and gnuplot, for make bench's chart
set -euo pipefail

pkgs=(
	linux-source-6.12
	gcc make bc flex bison libelf-dev libssl-dev cpio dwarves xz-utils
	qemu-system-x86 busybox-static libsmartcols-dev ccache pkg-config
	kmod util-linux perl python3 man-db
)
if [ "${1:-}" = bench ]; then
	pkgs+=(gnuplot-nox)
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "==> deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/ttm-deps.XXXXXX.log)
if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	echo "deps: apt-get failed; last lines of $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
rm -f "$log"
