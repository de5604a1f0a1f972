#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generate the base initramfs (newc cpio) for the VM:
#   /bin/busybox (static) + /init, /etc/{passwd,group,profile}
#   /usr/sbin/ttm-poolctl and the shared libraries it links (ldd), when built
#   /lib/systemd/system/ttm-pool-apply.service as make install writes it (no systemd:
#   tests/vm/apply-unit-bochs.sh runs its ExecStart)
#   /tests/{vm,lib}/ from the repo, /lib/ttm-tests/*.ko (built test modules)
#   /usr/bin/* the static test programs of scripts/build-progs.sh
#   the programs of $TTM_INITRAMFS_PROGRAMS (absolute paths) with their libraries
# Usage: scripts/mkinitramfs.sh OUT.cpio [FLAVOUR]
# It is cheap (well under a second), so scripts/ttm-vm regenerates it on every boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: mkinitramfs.sh OUT.cpio [FLAVOUR]}
flavour=${2:-test}
bb=$(command -v busybox || true)
[ -n "$bb" ] || bb=/bin/busybox
file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$bb" 2>&1 | grep -q 'not a dynamic' ||
	die "$bb is not static; install busybox-static (scripts/deps.sh)"

stage=$(mktemp -d "$CACHE/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/ttm-tests,tests}
install -m 0755 "$bb" "$stage/bin/busybox"
install -m 0755 "$TOP/scripts/vm/init" "$stage/init"
install -m 0644 "$TOP/scripts/vm/passwd" "$stage/etc/passwd"
install -m 0644 "$TOP/scripts/vm/group" "$stage/etc/group"
install -m 0644 "$TOP/scripts/vm/profile" "$stage/etc/profile"

# copy_with_libs BIN DEST: a dynamically linked program and what ldd says it needs.
copy_with_libs() {
	install -D -m 0755 "$1" "$stage/$2"
	ldd "$1" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
		[ -e "$stage$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
	done
}
tool=$TOP/tools/ttm-poolctl/ttm-poolctl
[ -x "$tool" ] && copy_with_libs "$tool" /usr/sbin/ttm-poolctl
# TTM_INITRAMFS_PROGRAMS: more programs, at the same path (e.g. Debian's perf for
# make distro-check, scripts/distro-vm --add-program)
for prog in ${TTM_INITRAMFS_PROGRAMS:-}; do
	[ -x "$prog" ] || die "TTM_INITRAMFS_PROGRAMS: no program $prog"
	copy_with_libs "$prog" "$prog"
done
mkdir -p "$stage/lib/systemd/system"
sed 's|@SBINDIR@|/usr/sbin|' "$TOP/tools/ttm-poolctl/ttm-pool-apply.service.in" \
	>"$stage/lib/systemd/system/ttm-pool-apply.service"

for d in vm lib; do
	[ -d "$TOP/tests/$d" ] && cp -a "$TOP/tests/$d" "$stage/tests/"
done
if [ -d "$CACHE/progs" ]; then
	find "$CACHE/progs" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/usr/bin/" \;
fi
if [ -d "$CACHE/modules/$flavour" ]; then
	find "$CACHE/modules/$flavour" -name '*.ko' -exec cp {} "$stage/lib/ttm-tests/" \;
fi

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
