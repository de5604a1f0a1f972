#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# ttm-pool-apply.service, which applies /etc/ttm-pool.d at boot to the pools made
# before udevd ran (early KMS): make install puts it where systemd and debhelper look,
# `systemd-analyze verify` has nothing to say about it (run on the installed tree with
# --root, so that its ExecStart exists, and MANPATH for its Documentation=), its
# ordering and conditions are the ones ttm-poolctl(8) documents, and its ExecStart,
# run against fake trees, exits 0 without pools and applies every pool it can when
# one fails.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=$top/tools/ttm-poolctl
mktree=$top/tests/host/poolctl/mktree.sh
unit=ttm-pool-apply.service
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- make install -----------------------------------------------------------------------
# WERROR=1: a program built here is the one poolctl.sh's -Werror build then finds
make -s -C "$tool" WERROR=1 install DESTDIR="$tmp/inst" prefix=/usr >"$tmp/make.log" 2>&1
is "make install DESTDIR= prefix=/usr" "$?" 0
sed 's/^/# /' "$tmp/make.log" | head -n 20
u=$tmp/inst/usr/lib/systemd/system/$unit
is "it installs usr/lib/systemd/system/$unit, mode 0644" "$(stat -c %a "$u" 2>&1)" 644
make -s -C "$tool" WERROR=1 install DESTDIR="$tmp/deb" prefix=/usr systemdunitdir=/lib/systemd/system \
	>/dev/null 2>&1
ok "...or into systemdunitdir= (packaging/debian/rules: /lib/systemd/system)" \
	test -f "$tmp/deb/lib/systemd/system/$unit"
ok "packaging/debian/rules installs it there, where dh_installsystemd looks" \
	grep -q 'systemdunitdir=/lib/systemd/system' "$top/packaging/debian/rules"
ok "scripts/build-deb.sh copies its template into the package's source" \
	grep -q "$unit\.in" "$top/scripts/build-deb.sh"
make -s -C "$tool" uninstall DESTDIR="$tmp/deb" prefix=/usr systemdunitdir=/lib/systemd/system \
	>/dev/null 2>&1
ok "make uninstall removes it" test ! -e "$tmp/deb/lib/systemd/system/$unit"

# --- systemd-analyze verify -------------------------------------------------------------
# verify: systemd-analyze verify on the installed tree; exit status in $?, output in $tmp/verify
verify() {
	MANPATH=$tmp/inst/usr/share/man systemd-analyze verify --root="$tmp/inst" "$u" \
		>"$tmp/verify" 2>&1
}
ok "systemd-analyze is installed (the systemd package)" command -v systemd-analyze
verify
is "systemd-analyze verify exits 0" "$?" 0
ok "...and has nothing to say (it warns of unknown keys and values, with 0)" test ! -s "$tmp/verify"
sed 's/^/# /' "$tmp/verify" | head -n 20
mv "$tmp/inst/usr/sbin/ttm-poolctl" "$tmp/ttm-poolctl"
verify
ok "...which looks for ExecStart's program below --root" \
	grep -q "Command /usr/sbin/ttm-poolctl is not executable" "$tmp/verify"
mv "$tmp/ttm-poolctl" "$tmp/inst/usr/sbin/ttm-poolctl"

# --- what the unit says -----------------------------------------------------------------
# key SECTION KEY: the values of KEY in [SECTION], one line each
key() {
	awk -v s="[$1]" -v k="$2" '/^\[/ { in_s = $0 == s }
		in_s && index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$u"
}
# has SECTION KEY WORD: one of KEY's space-separated values is WORD (run by ok)
# shellcheck disable=SC2317
has() { key "$1" "$2" | tr ' ' '\n' | grep -qx "$3"; }
is "Type=oneshot, RemainAfterExit=yes: once per boot" \
	"$(key Service Type) $(key Service RemainAfterExit)" "oneshot yes"
is "ExecStart applies to every pool and does not hide a failure (no '-')" \
	"$(key Service ExecStart)" "/usr/sbin/ttm-poolctl apply"
is "DefaultDependencies=no: it runs in early boot" "$(key Unit DefaultDependencies)" no
ok "After=systemd-udevd.service: a pool made later has its uevent for the rule" \
	has Unit After systemd-udevd.service
ok "After=systemd-modules-load.service: the drivers of modules-load.d have their pools" \
	has Unit After systemd-modules-load.service
ok "Before=sysinit.target: the settings are in place before services start" \
	has Unit Before sysinit.target
ok "Conflicts=shutdown.target, which DefaultDependencies=no drops" \
	has Unit Conflicts shutdown.target
ok "...and Before=shutdown.target" has Unit Before shutdown.target
is "WantedBy=sysinit.target: wanted, so a failure does not stop the boot" \
	"$(key Install WantedBy)" sysinit.target
is "...and nothing requires it" "$(key Install RequiredBy)" ""
is "ConditionPathIsDirectory=/sys/kernel/ttm/pools: skipped without a pool or our ttm.ko" \
	"$(key Unit ConditionPathIsDirectory)" /sys/kernel/ttm/pools
is "ConditionDirectoryNotEmpty=/etc/ttm-pool.d: skipped without settings" \
	"$(key Unit ConditionDirectoryNotEmpty)" /etc/ttm-pool.d
ok "the man page names the unit in CONFIGURATION and FILES" \
	test "$(grep -cF 'ttm\-pool\-apply.service' "$tool/ttm-poolctl.8")" -ge 2

# --- its condition and command against fake trees --------------------------------------
"$mktree" "$tmp/none" empty
"$mktree" "$tmp/root" full
# cond SYSROOT: the unit's ConditionPathIsDirectory= below SYSROOT holds
cond() {
	systemd-analyze condition "ConditionPathIsDirectory=$1$(key Unit ConditionPathIsDirectory)" \
		>/dev/null 2>&1
}
cond "$tmp/none"
is "the condition fails on a tree without pools: the unit is skipped" "$?" 1
ok "...and holds on one with pools" cond "$tmp/root"
# run SYSROOT: ExecStart below SYSROOT, with the program just built
read -r -a cmd <<<"$(key Service ExecStart)"
run() { TTM_POOLCTL_SYSROOT=$1 "$tool/ttm-poolctl" "${cmd[@]:1}"; }
for r in "$tmp/none" "$tmp/root"; do
	mkdir -p "$r/etc/ttm-pool.d"
	printf '[pool %s]\nmax = %s\n' 0000:00:02.0 1M 0000:03:00.0 2M 0000:03:00.0.1 3M nodev 4M \
		>"$r/etc/ttm-pool.d/50-test.conf"
done
run "$tmp/none" >"$tmp/out" 2>&1
is "ExecStart exits 0 without pools" "$?" 0
sed 's/^/# /' "$tmp/out"
cc -shared -fPIC -O1 -Wall -Wextra -Werror -o "$tmp/fakesys.so" \
	"$top/tests/host/poolctl/fakesys.c" -ldl
is "the write-failing shim builds" "$?" 0
mp() { cat "$tmp/root/sys/kernel/ttm/pools/$1/max_pages"; }
was=$(mp 0000:03:00.0)
FAKESYS_KERNEL=1000000 FAKESYS_FAIL=0000:03:00.0/max_pages:22 LD_PRELOAD=$tmp/fakesys.so \
	run "$tmp/root" >"$tmp/out" 2>"$tmp/err"
is "ExecStart fails (1) when a pool's setting fails: the unit fails, visibly" "$?" 1
ok "...naming the pool" grep -q "0000:03:00.0/max_pages" "$tmp/err"
sed 's/^/# /' "$tmp/err"
is "...and sets every other pool, the ones before and after it" \
	"$(mp 0000:00:02.0) $(mp 0000:03:00.0.1) $(mp nodev)" "256 768 1024"
is "...leaving the failed one as it was" "$(mp 0000:03:00.0)" "$was"
done_testing
