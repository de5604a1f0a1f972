# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Debian's own 6.12 kernel that matches linux-source-6.12 (the same upstream and
# Debian version): its ABI name and where its packages put things. Sourced after
# lib.sh, not run. Used by make abi-check, make deb and make distro-check.
#
#   deb_source_version   6.12.117-1~deb12u1 (the installed linux-source-6.12)
#   deb_kernel_abi       6.12.117+deb12-amd64
#   deb_kernel_pkgs      linux-headers-<abi> linux-image-<abi>-unsigned
#   deb_headers_dir      /usr/src/linux-headers-<abi> (has Module.symvers)
#   deb_check_kernel     dies unless both packages are installed at that version

DEB_KERNEL_FLAVOUR=amd64

deb_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# 6.12.117-1~deb12u1 -> 6.12.117+deb12-amd64: Debian's ABI name is the upstream
# version plus "+deb<release>" (the release from a ~debNN backport suffix, or
# the release this system runs).
deb_kernel_abi() {
	local v upstream rel
	v=$(deb_source_version) || return 1
	[ -n "$v" ] || return 1
	upstream=${v%%-*}
	if [[ $v =~ ~deb([0-9]+) ]]; then
		rel=${BASH_REMATCH[1]}
	else
		rel=$(cut -d. -f1 /etc/debian_version)
	fi
	echo "$upstream+deb$rel-$DEB_KERNEL_FLAVOUR"
}

deb_kernel_pkgs() {
	local abi
	abi=$(deb_kernel_abi) || return 1
	echo "linux-headers-$abi linux-image-$abi-unsigned"
}

deb_headers_dir() { echo "/usr/src/linux-headers-$(deb_kernel_abi)"; }

deb_check_kernel() {
	local want p have
	want=$(deb_source_version) || die "linux-source-6.12 is not installed (scripts/deps.sh)"
	for p in $(deb_kernel_pkgs); do
		have=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
		[ "$have" = "$want" ] ||
			die "$p ${have:-not installed}, want $want like linux-source-6.12 (scripts/deps.sh)"
	done
	[ -f "$(deb_headers_dir)/Module.symvers" ] || die "no $(deb_headers_dir)/Module.symvers"
}
