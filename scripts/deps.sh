#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# Install what building and booting ttm-pool needs, and nothing already there.
# Idempotent: `apt-get update` runs only when a package is missing.
#   scripts/deps.sh          what make, make run and make check need, linux-source-6.12
#                            at the newest pinned version (packaging/upstream/versions), then Debian's
#                            6.12 kernel of the same version as linux-source-6.12
#                            (headers and image, for abi-check, deb, distro-check)
#   scripts/deps.sh bench    that and gnuplot, for make bench's chart
set -euo pipefail

pkgs=(
	gcc make bc flex bison libelf-dev libssl-dev cpio dwarves xz-utils
	qemu-system-x86 busybox-static libsmartcols-dev ccache pkg-config
	kmod util-linux perl python3 man-db
	dkms dh-dkms debhelper lintian build-essential
	linux-perf
)
if [ "${1:-}" = bench ]; then
	pkgs+=(gnuplot-nox)
fi

# install_missing PKG[=VERSION]...: apt-get install the ones not installed (at
# that version) yet.
install_missing() {
	local p st missing=() log
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null || true)
		if [[ $st != *"ok installed"* ]] || { [[ $p == *=* ]] && [[ $st != *" ${p#*=}" ]]; }; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "==> deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp /tmp/ttm-deps.XXXXXX.log)
	if ! { apt-get update && apt-get install -y --allow-downgrades --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
		echo "deps: apt-get failed; last lines of $log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	rm -f "$log"
}

install_missing "${pkgs[@]}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=upstream.sh
. "$(dirname "$0")/upstream.sh"
# linux-source-6.12 at the newest version we know (packaging/upstream/versions), not
# the archive's newest: a new Debian release changes nothing here until it is pinned.
install_missing "linux-source-6.12=$(up_newest)"
# Debian's kernel built from the same source as linux-source-6.12, pinned to its version.
# shellcheck source=debian-kernel.sh
. "$(dirname "$0")/debian-kernel.sh"
ver=$(deb_source_version)
kpkgs=()
for p in $(deb_kernel_pkgs); do kpkgs+=("$p=$ver"); done
install_missing "${kpkgs[@]}"
