#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# With ttm-pool-dkms installed, kernels and headers installed by apt on this host
# (root; changes the system, then restores it) never fail apt or dpkg, whatever
# ttm-pool makes of them, and each verdict is said once:
#   - Debian 12's own 6.1 kernel: skipped (not 6.12);
#   - a 6.12 cloud-amd64 kernel: skipped (no TTM module);
#   - a 6.12 kernel whose upstream TTM sources the package lacks (the package of
#     make deb without the oldest pinned version's, repacked): refused, naming what
#     to install; installing the package again says it again; installing
#     linux-source-6.12 of that version triggers the retry, which builds from it;
#   - the same kernel with a tree whose struct ttm_pool differs: refused by the CRC
#     check, the kernel keeps its own ttm.ko.
# Every kernel package ends configured ("install ok installed"), nothing goes to
# updates/dkms for a refused kernel. INITRD=No spares the initramfs generation. TAP.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=../../scripts/upstream.sh
. "$top/scripts/upstream.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (installs packages)"
ver=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -SVersion)
upver=${ver%-*}
deb=$CACHE/deb/ttm-pool-dkms_${ver}_all.deb
[ -f "$deb" ] || skip_all "no $deb: run make deb"
oldest=$(up_pinned | head -n 1)
newest=$(up_newest)
old=$(debian_abi "$oldest" amd64)
new=$(debian_abi "$newest" amd64)
cloud=$(debian_abi "$newest" cloud-amd64)
k61=$(apt-cache pkgnames linux-headers-6.1.0- | sed -n 's/^linux-headers-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | sort -V | tail -n 1)
log=$LOGDIR/kernel-upgrade.log
: >"$log"
tmp=$(mktemp -d)
export DEBIAN_FRONTEND=noninteractive INITRD=No
command -v ccache >/dev/null && export DEBIAN_KERNEL_USE_CCACHE=1

# run NAME CMD...: run it, its output in $tmp/NAME (and the log), "# Ns" on stdout
run() {
	local name=$1 t=$SECONDS rc=0
	shift
	echo "+ $*" >>"$log"
	"$@" >"$tmp/$name" 2>&1 || rc=$?
	cat "$tmp/$name" >>"$log"
	echo "# $((SECONDS - t))s: $* (status $rc)"
	return $rc
}
apt_get() { apt-get -y -q --no-install-recommends --allow-downgrades "$@"; }
configured() { # PKG...: all "install ok installed"
	local p
	for p in "$@"; do
		[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || return 1
	done
}
# What this test installs (the kernels and what they pull in) is purged whatever
# happens, and linux-source-6.12 put back at the version it had.
installed_pkgs() { dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 != "not-installed" { print $2 }' | sort; }
installed_pkgs >"$tmp/before"
src0=$(dpkg-query -W -f='${Version}' linux-source-6.12)
added() { installed_pkgs | comm -13 "$tmp/before" -; }
cleanup() {
	local p
	dpkg --purge ttm-pool-dkms >>"$log" 2>&1
	mapfile -t p < <(added)
	[ ${#p[@]} -eq 0 ] || apt-get -y -q purge "${p[@]}" >>"$log" 2>&1
	apt-get -y -q --allow-downgrades install "linux-source-6.12=$src0" >>"$log" 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
dpkg --purge ttm-pool-dkms >>"$log" 2>&1
[ -n "$k61" ] || echo "# no linux-headers-6.1.0-*-amd64 in the archive"

# The package without the oldest pinned version's sources (make deb's, repacked).
dpkg-deb -R "$deb" "$tmp/pkg"
rm "$tmp/pkg/usr/src/ttm-pool-$upver/upstream/versions/$oldest"
sed -i "\|usr/src/ttm-pool-$upver/upstream/versions/$oldest\$|d" "$tmp/pkg/DEBIAN/md5sums"
dpkg-deb -b "$tmp/pkg" "$tmp/ttm-pool-dkms-no-$oldest.deb" >/dev/null
ok "(test package: ttm-pool-dkms without $oldest's sources)" \
	sh -c "dpkg-deb -c '$tmp/ttm-pool-dkms-no-$oldest.deb' | grep -q 'upstream/versions/$newest' &&
		! dpkg-deb -c '$tmp/ttm-pool-dkms-no-$oldest.deb' | grep -q 'upstream/versions/$oldest'"
run inst dpkg -i "$tmp/ttm-pool-dkms-no-$oldest.deb"
is "it installs (builds for $new)" "$?" 0
ok "...installed for $new" sh -c "dkms status -m ttm-pool -k '$new' | grep -q ': installed'"

# count FILE PATTERN: the lines of FILE with the fixed string PATTERN
count() { grep -cF "$2" "$1"; }

# 1. Debian 12's 6.1 kernel: skipped once, apt succeeds.
if [ -n "$k61" ]; then
	run k61 apt_get install "linux-headers-$k61" "linux-image-$k61-unsigned"
	is "apt-get install linux-headers-$k61 (6.1): status 0" "$?" 0
	is "...skipped, said once" "$(count "$tmp/k61" "ttm-pool: $k61: skipped: not a Linux 6.12 kernel")" 1
	ok "...its packages configured" configured "linux-headers-$k61" "linux-image-$k61-unsigned"
	ok "...no dkms error" sh -c "! grep -qiE 'error|exited with return code' '$tmp/k61'"
	ok "...nothing in updates/dkms" test ! -e "/lib/modules/$k61/updates/dkms"
fi

# 2. A 6.12 cloud-amd64 kernel (no TTM): skipped once.
run cloud apt_get install "linux-headers-$cloud=$newest" "linux-image-$cloud-unsigned=$newest"
is "apt-get install linux-headers-$cloud: status 0" "$?" 0
is "...skipped (no TTM module), said once" "$(count "$tmp/cloud" "ttm-pool: $cloud: skipped: this kernel has no TTM module")" 1
ok "...its packages configured" configured "linux-headers-$cloud" "linux-image-$cloud-unsigned"
ok "...nothing in updates/dkms" test ! -e "/lib/modules/$cloud/updates/dkms"

# 3. A 6.12 kernel the package has no sources of: refused once, apt succeeds.
run old apt_get install "linux-headers-$old=$oldest" "linux-image-$old-unsigned=$oldest"
is "apt-get install linux-headers-$old: status 0" "$?" 0
is "...refused, said once" \
	"$(count "$tmp/old" "ttm-pool: REFUSED $old: no upstream TTM sources of Debian $oldest.")" 1
ok "...naming what to install" grep -qF "apt install linux-source-6.12=$oldest" "$tmp/old"
ok "...and that the kernel keeps its own ttm.ko" grep -qF "ttm-pool: $old: not installed; this kernel keeps its own ttm.ko" "$tmp/old"
ok "...its packages configured" configured "linux-headers-$old" "linux-image-$old-unsigned"
ok "...no dpkg error" sh -c "! grep -qE 'exited with return code|dpkg: error' '$tmp/old'"
ok "...nothing in updates/dkms" sh -c "! ls /lib/modules/$old/updates/dkms/ttm.ko* 2>/dev/null | grep -q ."
is "...modinfo finds the kernel's own ttm.ko" "$(modinfo -k "$old" -n ttm)" "/lib/modules/$old/kernel/drivers/gpu/drm/ttm/ttm.ko.xz"
ok "...ttm-pool-dkms-kernel status tells why" sh -c "/usr/lib/ttm-pool-dkms/ttm-pool-dkms-kernel status | grep -qF 'REFUSED $old: no upstream TTM sources'"
ok "...$new is still installed" sh -c "dkms status -m ttm-pool -k '$new' | grep -q ': installed'"

# 4. Installing the package again with that kernel there: status 0, said again once.
run reinst dpkg -i "$tmp/ttm-pool-dkms-no-$oldest.deb"
is "dpkg -i ttm-pool-dkms with $old refused: status 0" "$?" 0
is "...refused, said once" \
	"$(count "$tmp/reinst" "ttm-pool: REFUSED $old: no upstream TTM sources of Debian $oldest.")" 1

# 5. linux-source-6.12 of that version: the trigger builds it from that tarball.
run src apt_get install "linux-source-6.12=$oldest"
is "apt-get install linux-source-6.12=$oldest: status 0" "$?" 0
ok "...the trigger tried $old again" grep -qF "ttm-pool: $old: linux-source-6.12 changed: trying again" "$tmp/src"
ok "...and installed it" sh -c "dkms status -m ttm-pool -k '$old' | grep -q ': installed'"
mlog=/var/lib/dkms/ttm-pool/$upver/$old/x86_64/log/make.log
ok "...from linux-source-6.12 $oldest" \
	grep -qF "ttm-pool: sources: upstream TTM of linux-source-6.12 $oldest (/usr/src/linux-source-6.12.tar.xz), ours overlaid" "$mlog"
util=$(awk '$1 == "ttm-pool:" && $2 == "upstream" && $4 == "drivers/gpu/drm/ttm/ttm_bo_util.c" { print $3 }' "$mlog")
is "...its ttm_bo_util.c is $oldest's" "$util" \
	"$(awk '$2 == "drivers/gpu/drm/ttm/ttm_bo_util.c" { print $1 }' "$UP_DIR/sums/$oldest")"
ok "...N/N CRCs identical" grep -qE '^([0-9]+)/\1 TTM export CRCs identical$' "$mlog"
# 6. The kernel's headers change Debian version under the same name (as 6.12.115-1
# and -2 would; here its record says another version): its ttm.ko is built again.
built=/var/lib/ttm-pool-dkms/built/$old
is "the build recorded its headers' version" "$(cat "$built" 2>/dev/null)" "$upver $oldest"
echo "$upver 6.12.107-0~other" >"$built"
run again apt_get install --reinstall "linux-headers-$old=$oldest"
is "apt-get install --reinstall linux-headers-$old, built for another version: status 0" "$?" 0
is "...built again, said once" "$(count "$tmp/again" "ttm-pool: $old: its headers are now $oldest: building ttm.ko again")" 1
ok "...installed" sh -c "dkms status -m ttm-pool -k '$old' | grep -q ': installed'"
is "...recorded for $oldest" "$(cat "$built" 2>/dev/null)" "$upver $oldest"

# 7. The same, with a tree whose struct ttm_pool differs (linux-source-6.12 still at
# $oldest, so the sources are there): the CRC check refuses, the ttm.ko of ours the
# kernel had goes, apt succeeds.
sed -i 's/^struct ttm_pool {$/&\n\tint abi_test;/' "/usr/src/ttm-pool-$upver/ours/include/drm/ttm/ttm_pool.h"
ok "(it has ours now)" sh -c "ls /lib/modules/$old/updates/dkms/ttm.ko* | grep -q ."
echo "$upver 6.12.107-0~other" >"$built"
run crc apt_get install --reinstall "linux-headers-$old=$oldest"
is "apt-get install --reinstall linux-headers-$old, ABI-breaking tree: status 0" "$?" 0
is "...refused by the CRC check, said once" "$(count "$tmp/crc" "ttm-pool: ttm-symvers-check: FAILED:")" 1
ok "...naming the kernel" grep -qF "ttm-pool: $old: not installed; this kernel keeps its own ttm.ko" "$tmp/crc"
ok "...its packages configured" configured "linux-headers-$old" "linux-image-$old-unsigned"
ok "...the ttm.ko of ours it had is gone from updates/dkms" sh -c "! ls /lib/modules/$old/updates/dkms/ttm.ko* 2>/dev/null | grep -q ."
is "...modinfo finds the kernel's own ttm.ko" "$(modinfo -k "$old" -n ttm)" "/lib/modules/$old/kernel/drivers/gpu/drm/ttm/ttm.ko.xz"
ok "...the CRC lines are in the recorded log" grep -q '^CRC *ttm_pool_init: kernel' "/var/lib/ttm-pool-dkms/refused/$old.log"
is "...but not in apt's output" "$(grep -c '^CRC ' "$tmp/crc")" 0

# 8. retry says it again; purge: nothing of the package is left; the kernels go
# without error.
run retry /usr/lib/ttm-pool-dkms/ttm-pool-dkms-kernel retry "$old"
is "ttm-pool-dkms-kernel retry $old: status 0" "$?" 0
is "...refused again, said once" "$(count "$tmp/retry" "ttm-pool: ttm-symvers-check: FAILED:")" 1
run src2 apt_get install "linux-source-6.12=$src0"
is "linux-source-6.12 back at $src0: status 0" "$?" 0
run purge dpkg --purge ttm-pool-dkms
is "dpkg --purge ttm-pool-dkms: status 0" "$?" 0
ok ".../var/lib/ttm-pool-dkms is gone" test ! -e /var/lib/ttm-pool-dkms
ok "...updates/dkms of $new is empty" sh -c "! ls /lib/modules/$new/updates/dkms/ttm.ko* 2>/dev/null | grep -q ."
mapfile -t p < <(added | grep -vx linux-source-6.12)
run kpurge apt-get -y -q purge "${p[@]}"
is "purging the test kernels (${#p[@]} packages): status 0" "$?" 0
ok "linux-headers-$new is still installed" configured "linux-headers-$new" "linux-image-$new-unsigned"
is "linux-source-6.12 is at $src0 again" "$(dpkg-query -W -f='${Version}' linux-source-6.12)" "$src0"
done_testing
