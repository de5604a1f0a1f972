#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# The .debs of make deb on this host (root; changes the system, then restores it):
# installing ttm-pool-dkms makes DKMS build ttm.ko for Debian's 6.12 kernel (not the
# running one) into /lib/modules/<abi>/updates/dkms, its export CRC check passing;
# a tree whose struct ttm_pool differs fails the DKMS build naming the symbols;
# purging removes everything. The installed ttm.ko is kept as $CACHE/deb/dkms/ttm.ko
# for make distro-check. ttm-poolctl's .deb installs and purges cleanly. TAP.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
# shellcheck source=../../scripts/debian-kernel.sh
. "$top/scripts/debian-kernel.sh"

# make distro-check boots the ttm.ko this test keeps: never a stale one.
rm -f "$CACHE/deb/dkms/ttm.ko"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (installs packages)"
abi=$(deb_kernel_abi) || skip_all "linux-source-6.12 is not installed"
[ -f "/usr/src/linux-headers-$abi/Module.symvers" ] || skip_all "linux-headers-$abi is not installed"
ver=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -SVersion)
upver=${ver%-*}
deb=$CACHE/deb/ttm-pool-dkms_${ver}_all.deb
tooldeb=$(find "$CACHE/deb" -maxdepth 1 -name "ttm-poolctl_${ver}_*.deb" | head -n 1)
if [ ! -f "$deb" ] || [ -z "$tooldeb" ]; then skip_all "no .debs of $ver in $CACHE/deb: run make deb"; fi
log=$LOGDIR/dkms-install.log
: >"$log"
# The DKMS builds compile through ccache (Debian's kernel headers know how).
if command -v ccache >/dev/null; then export DEBIAN_KERNEL_USE_CCACHE=1; fi
# run CMD...: log it, its output and its time ("# Ns: CMD" on stdout).
run() {
	local t=$SECONDS rc=0
	echo "+ $*" >>"$log"
	"$@" >>"$log" 2>&1 || rc=$?
	echo "# $((SECONDS - t))s: $*"
	return $rc
}
for p in ttm-pool-dkms ttm-poolctl; do
	if dpkg-query -W "$p" >/dev/null 2>&1; then run dpkg --purge "$p"; fi
done

mods=/lib/modules/$abi
own=$(modinfo -k "$abi" -n ttm)
echo "# the kernel's own: $own"

run dpkg -i "$deb"
is "dpkg -i ttm-pool-dkms (DKMS builds ttm.ko)" "$?" 0
is "dkms status: installed for $abi" "$(dkms status ttm-pool 2>/dev/null)" "ttm-pool/$upver, $abi, x86_64: installed"
ok "the running kernel was not a target" sh -c "! dkms status ttm-pool 2>/dev/null | grep -qF '$(uname -r)'"
echo "# running kernel: $(uname -r)"
mod=$(find "$mods/updates/dkms" -name 'ttm.ko*' 2>/dev/null | head -n 1)
ok "ttm.ko is in $mods/updates/dkms" test -n "$mod"
is "depmod prefers it to the kernel's" "$(modinfo -k "$abi" -n ttm)" "$mod"
makelog=/var/lib/dkms/ttm-pool/$upver/$abi/x86_64/log/make.log
crc=$(grep 'TTM export CRCs identical' "$makelog" 2>/dev/null)
echo "# DKMS build: ${crc:-no CRC line in $makelog}"
ok "the build's CRC check passed (N/N)" sh -c "echo '$crc' | grep -qE '^([0-9]+)/\\1 TTM export CRCs identical$'"
srcver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
ok "the build took the package's upstream TTM of $srcver" \
	grep -qF "ttm-pool: sources: upstream TTM of ttm-pool-dkms's copy of linux-source-6.12 $srcver, ours overlaid" "$makelog"
for h in postinst header_postinst postrm; do
	ok "the kernel hook /etc/kernel/$h.d/dkms-ttm-pool is installed" test -x "/etc/kernel/$h.d/dkms-ttm-pool"
done
ok "not autoinstalled by dkms (its own hooks never fail a kernel's package)" \
	sh -c "! grep -q '^AUTOINSTALL' /usr/src/ttm-pool-$upver/dkms.conf"
echo "# signer: $(modinfo -F signer "$mod" 2>/dev/null || true)"
mkdir -p "$CACHE/deb/dkms"
case $mod in
*.xz) xz -dc "$mod" >"$CACHE/deb/dkms/ttm.ko" ;;
*) cp "$mod" "$CACHE/deb/dkms/ttm.ko" ;;
esac
is "kept for make distro-check" "$(modinfo -F srcversion "$CACHE/deb/dkms/ttm.ko")" "$(modinfo -F srcversion "$mod")"

# The same sources with a member added to struct ttm_pool: the DKMS build must fail.
# (A fixed place under $CACHE, so that ccache knows the objects from the last run.)
at=$CACHE/deb/abitest
rm -rf "$at"
src=$at/src/ttm-pool-abitest-$upver
mkdir -p "$at/src" "$at/dkms"
cp -a "/usr/src/ttm-pool-$upver" "$src"
sed -i 's/^PACKAGE_NAME=.*/PACKAGE_NAME="ttm-pool-abitest"/' "$src/dkms.conf"
sed -i 's/^struct ttm_pool {$/&\n\tint abi_test;/' "$src/ours/include/drm/ttm/ttm_pool.h"
ok "(test tree: struct ttm_pool has an extra member)" grep -q 'abi_test;' "$src/ours/include/drm/ttm/ttm_pool.h"
run dkms build -m ttm-pool-abitest -v "$upver" -k "$abi" --dkmstree "$at/dkms" --sourcetree "$at/src"
rc=$?
ok "an ABI-breaking tree fails the DKMS build (status $rc)" test "$rc" -ne 0
badlog=$at/dkms/ttm-pool-abitest/$upver/build/make.log
cp "$badlog" "$LOGDIR/dkms-abitest-make.log" 2>/dev/null
ok "...with the CRC check's verdict in make.log" grep -q 'FAILED: [0-9]* of [0-9]* TTM exports differ' "$badlog"
ok "...naming ttm_pool_init" grep -q '^CRC *ttm_pool_init: kernel' "$badlog"
grep 'TTM export CRCs identical' "$badlog" | sed 's/^/# abitest: /'
ok "...and it is not marked built" test ! -d "$at/dkms/ttm-pool-abitest/$upver/$abi"

run dpkg --purge ttm-pool-dkms
is "dpkg --purge ttm-pool-dkms" "$?" 0
ok "ttm.ko is gone from updates/dkms" test ! -e "$mod"
is "dkms status is empty" "$(dkms status ttm-pool 2>/dev/null)" ""
ok "/usr/src/ttm-pool-$upver is gone" test ! -e "/usr/src/ttm-pool-$upver"
ok "/var/lib/dkms/ttm-pool is gone" test ! -e /var/lib/dkms/ttm-pool
ok "the kernel hooks are gone" sh -c '! ls /etc/kernel/*.d/dkms-ttm-pool 2>/dev/null | grep -q .'
ok "/var/lib/ttm-pool-dkms is gone" test ! -e /var/lib/ttm-pool-dkms
is "modinfo finds the kernel's own ttm.ko again" "$(modinfo -k "$abi" -n ttm)" "$own"

# node_exporter's textfile directory, for the Prometheus units (made here only if
# this host has none, and removed again)
prom=/var/lib/prometheus/node-exporter
made_prom=0
[ -d $prom ] || { mkdir -p $prom && made_prom=1; }
run dpkg -i "$tooldeb"
is "dpkg -i ttm-poolctl" "$?" 0
ok "the Prometheus service and timer are installed" \
	test -f /usr/lib/systemd/system/ttm-pool-prometheus.service -a -f /usr/lib/systemd/system/ttm-pool-prometheus.timer
ok "...the timer is not enabled" sh -c '! ls /etc/systemd/system/*.wants/ttm-pool-prometheus.* 2>/dev/null | grep -q .'
cmd=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/ttm-pool-prometheus.service)
ok "...its ExecStart writes the metrics file (no pool here: the global lines)" \
	sh -c "$cmd && grep -q '^ttm_pool_pools ' $prom/ttm_pool.prom"
ok "ttm-poolctl runs" ttm-poolctl --help
ok "its man page is found" man -w ttm-poolctl
ok "its bash completion is installed" test -f /usr/share/bash-completion/completions/ttm-poolctl
ok "the settings example is under /usr/share/doc/ttm-poolctl" test -f /usr/share/doc/ttm-poolctl/examples/50-ttm-pool.conf
ok "the udev rule that runs apply is installed" grep -q 'RUN+="/usr/sbin/ttm-poolctl apply --pool $env{TTM_POOL}"' /usr/lib/udev/rules.d/70-ttm-pool.rules
run dpkg --purge ttm-poolctl
is "dpkg --purge ttm-poolctl" "$?" 0
ok "nothing of it is left" test ! -e /usr/sbin/ttm-poolctl -a ! -e /usr/share/doc/ttm-poolctl
ok "...not even the metrics file" test ! -e $prom/ttm_pool.prom
[ $made_prom -eq 0 ] || rmdir -p $prom 2>/dev/null || true
done_testing
