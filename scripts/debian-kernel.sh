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

# 6.12.117-1~deb12u1 -> 6.12.117+deb12-amd64 (lib.sh: debian_abi)
deb_kernel_abi() {
	local v
	v=$(deb_source_version) || return 1
	[ -n "$v" ] || return 1
	debian_abi "$v" "$DEB_KERNEL_FLAVOUR"
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

# Debian kernels that are not installed, unpacked with dpkg-deb -x under
# $CACHE/debian/<abi>/root (make matrix, the rt boot of make distro-check):
#   deb_unpack ROOT PKG=VERSION...   apt-get download each package and unpack it into ROOT
#   deb_headers VERSION FLAVOUR      linux-headers-<abi> with the common and kbuild
#                                    packages it depends on; prints its headers dir
#   deb_image VERSION FLAVOUR        linux-image-<abi>-unsigned; prints ROOT
#                                    (ROOT/boot/vmlinuz-<abi>, ROOT/lib/modules/<abi>)
# VERSION is Debian's (6.12.118-1~deb12u1), FLAVOUR amd64, rt-amd64 or cloud-amd64.

deb_unpack() {
	local root=$1 p tmp deb
	shift
	tmp=$(mktemp -d "$CACHE/debian/.dl.XXXXXX")
	for p in "$@"; do
		if ! (cd "$tmp" && apt-get download -q "$p" >"$tmp/apt.log" 2>&1); then
			cat "$tmp/apt.log" >&2
			rm -rf "$tmp"
			echo "deb_unpack: cannot download $p" >&2
			return 1
		fi
		deb=$(find "$tmp" -maxdepth 1 -name '*.deb')
		dpkg-deb -x "$deb" "$root"
		rm -f "$deb"
	done
	rm -rf "$tmp"
}

deb_headers() {
	local v=$1 abi root hdr deps
	abi=$(debian_abi "$1" "$2")
	root=$CACHE/debian/$abi/root
	hdr=$root/usr/src/linux-headers-$abi
	mkdir -p "$CACHE/debian"
	if [ ! -f "$CACHE/debian/$abi/.headers-$v" ]; then
		phase "unpacking linux-headers-$abi ($v)"
		rm -rf "${root:?}/usr/src" "${root:?}/usr/lib/linux-kbuild-"*
		mkdir -p "$root"
		# The headers package, and the common and kbuild packages it depends on.
		deps=$(apt-cache depends "linux-headers-$abi=$v" 2>/dev/null |
			sed -n 's/^ *|\{0,1\}Depends: \(linux-\(headers\|kbuild\)-[^ <>]*\)$/\1/p' | sort -u)
		# shellcheck disable=SC2046 # one word per package
		deb_unpack "$root" "linux-headers-$abi=$v" $(for p in $deps; do echo "$p=$v"; done) || return 1
		# Its Makefile includes the common one by absolute path: the unpacked one.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$hdr/Makefile"
		if [ ! -f "$hdr/Module.symvers" ] || [ ! -e "$hdr/scripts/Makefile.build" ]; then
			echo "deb_headers: $hdr is incomplete (deps: $deps)" >&2
			return 1
		fi
		touch "$CACHE/debian/$abi/.headers-$v"
	fi
	echo "$hdr"
}

deb_image() {
	local v=$1 abi root
	abi=$(debian_abi "$1" "$2")
	root=$CACHE/debian/$abi/root
	mkdir -p "$root"
	if [ ! -f "$CACHE/debian/$abi/.image-$v" ]; then
		phase "unpacking linux-image-$abi-unsigned ($v)"
		rm -rf "${root:?}/boot" "${root:?}/lib/modules" "${root:?}/usr/lib/modules"
		deb_unpack "$root" "linux-image-$abi-unsigned=$v" || return 1
		# Debian 13 ships modules under /usr/lib: one place for the callers.
		if [ ! -d "$root/lib/modules/$abi" ] && [ -d "$root/usr/lib/modules/$abi" ]; then
			mkdir -p "$root/lib/modules"
			ln -s "../../usr/lib/modules/$abi" "$root/lib/modules/$abi"
		fi
		touch "$CACHE/debian/$abi/.image-$v"
	fi
	echo "$root"
}
