#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# The packages' reportbug scripts (packaging/debian/<package>.bug-script and
# .bug-control): dh_bugfiles installs them as /usr/share/bug/<package>/script and
# control. Run as reportbug runs them (/usr/share/reportbug/handle_bugscript: LC_ALL=C,
# "$1 3>|$2", so file descriptor 3 is the text that goes into the report and standard
# output the user's terminal) against fake sysfs trees (tests/host/poolctl/mktree.sh),
# they write "ttm-poolctl bug-report --summary" to it, the dkms package's without a
# ttm-poolctl that has bug-report the same parts from the shell, nothing of the
# environment, and exit 0; run by hand (no descriptor 3), to standard output.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=$top/tools/ttm-poolctl
deb=$top/packaging/debian
mktree=$top/tests/host/poolctl/mktree.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$tool" WERROR=1 >"$tmp/make.log" 2>&1
is "ttm-poolctl builds" "$?" 0
sed 's/^/# /' "$tmp/make.log" | head -n 20

# --- dh_bugfiles ---------------------------------------------------------------------------
for p in ttm-poolctl ttm-pool-dkms; do
	ok "$p.bug-script is executable, a POSIX sh script" sh -c \
		"test -x '$deb/$p.bug-script' && head -n 1 '$deb/$p.bug-script' | grep -qx '#!/bin/sh' && sh -n '$deb/$p.bug-script'"
done
if command -v shellcheck >/dev/null; then
	ok "shellcheck has nothing to say about them" shellcheck -s sh "$deb/ttm-poolctl.bug-script" \
		"$deb/ttm-pool-dkms.bug-script"
else
	_tap_result 0 "shellcheck has nothing to say about them # SKIP shellcheck is not installed"
fi
ok "scripts/build-deb.sh copies packaging/debian, with them, into the package's source" \
	grep -q 'cp -a "$TOP/packaging/debian" "$src/debian"' "$top/scripts/build-deb.sh"
if command -v dh_bugfiles >/dev/null; then
	pkg=$tmp/pkg
	mkdir -p "$pkg"
	cp -a "$deb" "$pkg/debian"
	(cd "$pkg" && dh_bugfiles -pttm-poolctl -pttm-pool-dkms) >"$tmp/dh.log" 2>&1
	is "dh_bugfiles (the dh sequence's) exits 0" "$?" 0
	sed 's/^/# /' "$tmp/dh.log" | head -n 20
	for p in ttm-poolctl ttm-pool-dkms; do
		b=$pkg/debian/$p/usr/share/bug/$p
		is "it installs usr/share/bug/$p/script (0755) and control (0644)" \
			"$(stat -c %a "$b/script" "$b/control" 2>&1 | tr '\n' ' ')" "755 644 "
		ok "...the script is $p.bug-script" cmp "$b/script" "$deb/$p.bug-script"
	done
else
	_tap_result 0 "dh_bugfiles # SKIP debhelper is not installed"
fi
is "reportbug adds the other package's status to a report on either (Package-Status)" \
	"$(cat "$deb/ttm-poolctl.bug-control" "$deb/ttm-pool-dkms.bug-control" | tr '\n' '|')" \
	"Package-Status: ttm-pool-dkms|Package-Status: ttm-poolctl|"

# --- as reportbug runs them ----------------------------------------------------------------
# report SCRIPT: handle_bugscript's "$1 3>|$2", with LC_ALL=C; descriptor 3 to
# $tmp/fd3, standard output to $tmp/stdout, standard error to $tmp/stderr
report() {
	LC_ALL=C bash -c '"$1" 3>|"$2"' handle_bugscript "$1" "$tmp/fd3" >"$tmp/stdout" 2>"$tmp/stderr"
}
root=$tmp/root
"$mktree" "$root" full
printf '#!/bin/sh\necho "ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed"\n' >"$tmp/dkms"
printf '#!/bin/sh\necho "modinfo $* LC_ALL=$LC_ALL"\n' >"$tmp/modinfo"
chmod +x "$tmp/dkms" "$tmp/modinfo"
export TTM_POOLCTL=$tool/ttm-poolctl TTM_POOLCTL_SYSROOT=$root TTM_POOLCTL_DKMS=$tmp/dkms \
	TTM_POOLCTL_MODINFO=$tmp/modinfo BUGSCRIPT_SECRET=hunter2-$$
"$tool/ttm-poolctl" bug-report --summary >"$tmp/summary" 2>&1
report "$deb/ttm-poolctl.bug-script"
is "ttm-poolctl's script exits 0" "$?" 0
ok "...writes ttm-poolctl bug-report --summary to descriptor 3" cmp "$tmp/fd3" "$tmp/summary"
is "...which has the sections of the summary" "$(grep '^== ' "$tmp/fd3" | tr '\n' '|')" \
	"== ttm-poolctl|== kernel|== ttm.ko|== dkms status ttm-pool|== pools (ttm-poolctl list)|== global (ttm-poolctl show --global)|== notes|"
ok "...dkms status and modinfo among them" sh -c "grep -qx 'ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed' '$tmp/fd3' &&
	grep -qx 'modinfo -F srcversion ttm LC_ALL=C' '$tmp/fd3'"
is "...tells the user, on the terminal, how to get the full report" "$(cat "$tmp/stdout")" \
	"ttm-poolctl: for the pools' debugfs dumps, their trace events and the kernel log, run 'sudo ttm-poolctl bug-report' and attach ttm-pool-bug-report.txt.gz."
ok "...and nothing on standard error" test ! -s "$tmp/stderr"
ok "...nothing of the environment in the report" sh -c "! grep -q hunter2 '$tmp/fd3'"
cp "$tmp/fd3" "$tmp/poolctl.fd3"
report "$deb/ttm-pool-dkms.bug-script"
is "ttm-pool-dkms's script with ttm-poolctl installed exits 0" "$?" 0
ok "...writes the same" cmp "$tmp/fd3" "$tmp/poolctl.fd3"
ok "...and nothing on the terminal" test ! -s "$tmp/stdout" -a ! -s "$tmp/stderr"

# without ttm-poolctl, and with one that has no bug-report (exit 2, usage on stderr)
printf '#!/bin/sh\necho "ttm-poolctl: unknown command '"'"'bug-report'"'"'" >&2\nexit 2\n' >"$tmp/old-poolctl"
chmod +x "$tmp/old-poolctl"
for t in /nonexistent/ttm-poolctl "$tmp/old-poolctl"; do
	what="without ttm-poolctl"
	[ "$t" = /nonexistent/ttm-poolctl ] || what="with a ttm-poolctl without bug-report"
	TTM_POOLCTL=$t report "$deb/ttm-pool-dkms.bug-script"
	is "ttm-pool-dkms's script $what exits 0" "$?" 0
	is "...writes the parts from the shell" "$(grep -vE '^(uname|/proc/version):' "$tmp/fd3")" \
"ttm-pool-dkms bug script (no ttm-poolctl with bug-report installed)

== kernel
/proc/cmdline: console=ttyS0 swiotlb=force quiet

== ttm.ko
loaded: ttm-pool's ttm.ko (it has the parameter alloc_path)
/sys/module/ttm/initstate: live
/sys/module/ttm/version: (none)
/sys/module/ttm/srcversion: 5A1B2C3D4E5F60718293A4B
/sys/module/ttm/taint: OE
/sys/kernel/ttm: present (ttm-pool's)
\$ modinfo -F filename ttm
modinfo -F filename ttm LC_ALL=C
\$ modinfo -F version ttm
modinfo -F version ttm LC_ALL=C
\$ modinfo -F srcversion ttm
modinfo -F srcversion ttm LC_ALL=C

== dkms status ttm-pool
\$ dkms status ttm-pool
ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed"
	is "...uname -srvm (not the host name), /proc/version" "$(grep -E '^(uname|/proc/version):' "$tmp/fd3")" \
		"uname: $(uname -srvm)
/proc/version: $(cat "$root/proc/version")"
	ok "...and nothing on the terminal" test ! -s "$tmp/stdout" -a ! -s "$tmp/stderr"
done
ok "...nothing of the environment in the report" sh -c "! grep -q hunter2 '$tmp/fd3'"
export TTM_POOLCTL=/nonexistent/ttm-poolctl
rm "$root/sys/module/ttm/parameters/alloc_path"
rm -r "$root/sys/kernel/ttm"
report "$deb/ttm-pool-dkms.bug-script"
is "...the kernel's own ttm.ko, said so" "$(grep -E '^(loaded|/sys/kernel/ttm):' "$tmp/fd3")" \
	"loaded: the kernel's own ttm.ko (no parameter alloc_path, no /sys/kernel/ttm)
/sys/kernel/ttm: absent (the kernel's ttm.ko, or ttm-pool's with no pool: no TTM driver bound)"
"$mktree" "$root" empty
report "$deb/ttm-pool-dkms.bug-script"
is "...no ttm.ko loaded, said so" "$(grep -E '^loaded:|^/sys/module' "$tmp/fd3")" "loaded: none (no /sys/module/ttm)"
is "...\$TTM_POOLCTL_DKMS empty: dkms not run, said so" \
	"$(TTM_POOLCTL_DKMS='' report "$deb/ttm-pool-dkms.bug-script"; sed -n '/^== dkms/,$p' "$tmp/fd3" | tr '\n' '|')" \
	"== dkms status ttm-pool|(dkms: not run: \$TTM_POOLCTL_DKMS is empty)|"
is "...below a sysroot without \$TTM_POOLCTL_MODINFO: modinfo not run, said so" \
	"$(unset TTM_POOLCTL_MODINFO; report "$deb/ttm-pool-dkms.bug-script"; grep modinfo "$tmp/fd3")" \
	"(modinfo: not run below a sysroot (set \$TTM_POOLCTL_MODINFO to run one))"
# the running system: dkms and modinfo from PATH
mkdir -p "$tmp/bin"
cp "$tmp/dkms" "$tmp/modinfo" "$tmp/bin/"
(
	unset TTM_POOLCTL_SYSROOT TTM_POOLCTL_DKMS TTM_POOLCTL_MODINFO
	PATH=$tmp/bin:$PATH report "$deb/ttm-pool-dkms.bug-script"
)
is "...without a sysroot: dkms and modinfo of PATH, /proc of this system" \
	"$(grep -E '^(\$ dkms|ttm-pool/|modinfo -F version|/proc/cmdline)' "$tmp/fd3")" \
	"/proc/cmdline: $(cat /proc/cmdline)
modinfo -F version ttm LC_ALL=C
\$ dkms status ttm-pool
ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed"

# run by hand: no descriptor 3, standard output
"$mktree" "$root" full
export TTM_POOLCTL=$tool/ttm-poolctl
for p in ttm-poolctl ttm-pool-dkms; do
	"$deb/$p.bug-script" 3>&- >"$tmp/stdout" 2>"$tmp/stderr"
	is "$p's script run by hand (no descriptor 3) exits 0" "$?" 0
	ok "...printing the summary on standard output" sh -c \
		"head -n 1 '$tmp/stdout' | grep -qx 'ttm-poolctl bug-report v1 (summary)' && test ! -s '$tmp/stderr'"
done
done_testing
