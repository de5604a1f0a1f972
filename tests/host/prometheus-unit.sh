#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# ttm-pool-prometheus.service and .timer, which write `ttm-poolctl stats --prometheus`
# into node_exporter's textfile-collector directory: make install puts them where
# systemd and debhelper look, `systemd-analyze verify` has nothing to say about them
# (on a temporary --root: the real /etc/systemd is only read by nothing here), their
# hardening and conditions are the ones the service's comment explains, the package's
# maintainer scripts (made by debian/rules' own dh_installsystemd calls in a scratch
# tree, and run against logging stand-ins of deb-systemd-helper, deb-systemd-invoke and
# systemctl) neither enable nor start them and remove the metrics file on removal, and
# the units' ExecStart and ExecStopPost, run against fake sysfs trees into a scratch
# directory, write a complete, valid file atomically and leave the last one and no
# temporary file when they fail.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=$top/tools/ttm-poolctl
mktree=$top/tests/host/poolctl/mktree.sh
svc=ttm-pool-prometheus.service
tmr=ttm-pool-prometheus.timer
dir=/var/lib/prometheus/node-exporter
prom=$dir/ttm_pool.prom
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- make install -----------------------------------------------------------------------
# WERROR=1: a program built here is the one poolctl.sh's -Werror build then finds
make -s -C "$tool" WERROR=1 install DESTDIR="$tmp/inst" prefix=/usr >"$tmp/make.log" 2>&1
is "make install DESTDIR= prefix=/usr" "$?" 0
sed 's/^/# /' "$tmp/make.log" | head -n 20
units=$tmp/inst/usr/lib/systemd/system
s=$units/$svc
t=$units/$tmr
is "it installs usr/lib/systemd/system/$svc and $tmr, mode 0644" \
	"$(stat -c %a "$s" "$t" 2>&1 | tr '\n' ' ')" "644 644 "
ok "...with ExecStart's @SBINDIR@ replaced" sh -c "! grep -q @SBINDIR@ '$s'"
ok "scripts/build-deb.sh copies both into the package's source" \
	sh -c "grep -q '$svc\\.in' '$top/scripts/build-deb.sh' && grep -q '$tmr' '$top/scripts/build-deb.sh'"
make -s -C "$tool" WERROR=1 install DESTDIR="$tmp/deb" prefix=/usr systemdunitdir=/lib/systemd/system \
	>/dev/null 2>&1
make -s -C "$tool" uninstall DESTDIR="$tmp/deb" prefix=/usr systemdunitdir=/lib/systemd/system \
	>/dev/null 2>&1
ok "make uninstall removes both" \
	test ! -e "$tmp/deb/lib/systemd/system/$svc" -a ! -e "$tmp/deb/lib/systemd/system/$tmr"

# --- what the units say -----------------------------------------------------------------
# key FILE SECTION KEY: the values of KEY in [SECTION] of FILE, one line each
key() {
	awk -v s="[$2]" -v k="$3" '/^\[/ { in_s = $0 == s }
		in_s && index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$1"
}
is "Type=oneshot, no RemainAfterExit: the timer starts it again every time" \
	"$(key "$s" Service Type) $(key "$s" Service RemainAfterExit)" "oneshot "
is "ExecStart writes with the tool's own atomic --file, into the textfile directory" \
	"$(key "$s" Service ExecStart)" "/usr/sbin/ttm-poolctl stats --prometheus --file $prom"
is "ConditionPathIsDirectory=$dir: the service is skipped without node_exporter's directory" \
	"$(key "$s" Unit ConditionPathIsDirectory)" "$dir"
is "...and so is the timer: no skipped run every 15 s" \
	"$(key "$t" Unit ConditionPathIsDirectory)" "$dir"
is "ProtectSystem=strict, with ReadWritePaths= just the textfile directory" \
	"$(key "$s" Service ProtectSystem) $(key "$s" Service ReadWritePaths)" "strict $dir"
is "NoNewPrivileges, PrivateTmp, PrivateDevices, PrivateNetwork, ProtectHome" \
	"$(key "$s" Service NoNewPrivileges) $(key "$s" Service PrivateTmp) $(key "$s" Service PrivateDevices) $(key "$s" Service PrivateNetwork) $(key "$s" Service ProtectHome)" \
	"yes yes yes yes yes"
ok "root without any capability (an empty CapabilityBoundingSet=)" \
	sh -c "grep -qx 'CapabilityBoundingSet=' '$s' && ! grep -Eq '^(User|DynamicUser|AmbientCapabilities)=' '$s'"
ok "...and the comment says why root (the directory is root:root 0755)" grep -q 'root:root 0755' "$s"
ok "nothing hides /sys from it (it reads /sys/kernel/ttm), no PrivateUsers=" \
	sh -c "! grep -Eq '^((InaccessiblePaths|TemporaryFileSystem)=.*/sys|PrivateUsers=(yes|true|1))' '$s'"
is "UMask=0022: node_exporter (user prometheus) can read the file" "$(key "$s" Service UMask)" 0022
is "no [Install] in the service: only the timer is enabled" "$(grep -c '^\[Install\]' "$s")" 0
is "the timer: OnBootSec=0, every 15 s, AccuracySec=1s" \
	"$(key "$t" Timer OnBootSec) $(key "$t" Timer OnUnitActiveSec) $(key "$t" Timer AccuracySec)" "0 15s 1s"
is "...starts the service of its name (no Unit=)" "$(key "$t" Timer Unit)" ""
is "...WantedBy=timers.target" "$(key "$t" Install WantedBy)" timers.target

# --- systemd-analyze --------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# the host's own units below --root, for the targets DefaultDependencies= names
	cp -an /usr/lib/systemd/system/. "$units/" 2>/dev/null
	verify() {
		MANPATH=$tmp/inst/usr/share/man systemd-analyze verify --root="$tmp/inst" "$@" \
			>"$tmp/verify" 2>&1
	}
	verify "$s" "$t"
	is "systemd-analyze verify --root exits 0" "$?" 0
	ok "...and has nothing to say (it warns of unknown keys and values, with 0)" test ! -s "$tmp/verify"
	sed 's/^/# /' "$tmp/verify" | head -n 20
	cp "$s" "$tmp/svc"
	echo 'ProtectSystm=strict' >>"$s"
	verify "$s"
	ok "...which would report a misspelt key" grep -q "Unknown key 'ProtectSystm'" "$tmp/verify"
	cp "$tmp/svc" "$s"
	systemd-analyze security --offline=yes --root="$tmp/inst" "$s" >"$tmp/security" 2>&1
	exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security")
	ok "systemd-analyze security --offline: exposure ${exposure:-?} (at most 2.0 of 10)" \
		awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
else
	for d in "systemd-analyze verify --root exits 0" "...and has nothing to say" \
		"...which would report a misspelt key" "systemd-analyze security --offline"; do
		_tap_result 0 "$d # SKIP systemd-analyze is not installed"
	done
fi

# --- the maintainer scripts -------------------------------------------------------------
# debian/rules' override_dh_installsystemd and dh_installdeb on a scratch copy of
# packaging/debian with the units installed as the package build installs them: the
# maintainer scripts of the .deb, without building it.
pkg=$tmp/pkg
mkdir -p "$pkg"
cp -a "$top/packaging/debian" "$pkg/debian"
make -s -C "$tool" WERROR=1 install DESTDIR="$pkg/debian/ttm-poolctl" prefix=/usr \
	udevrulesdir=/usr/lib/udev/rules.d systemdunitdir=/lib/systemd/system >/dev/null 2>&1
(cd "$pkg" && make -s -f debian/rules override_dh_installsystemd && dh_installdeb -pttm-poolctl) \
	>"$tmp/dh.log" 2>&1
is "debian/rules override_dh_installsystemd and dh_installdeb" "$?" 0
sed 's/^/# /' "$tmp/dh.log" | head -n 20
m=$pkg/debian/ttm-poolctl/DEBIAN
ok "the timer gets dh_installsystemd's --no-enable snippet (only an admin's enable is kept)" \
	grep -q "deb-systemd-helper debian-installed '$tmr'" "$m/postinst"
# snippets FILE: the debhelper snippets of FILE that name the units, one line each
snippets() {
	awk '/^# Automatically added by/ { b = "" } { b = b " " $0 }
		/^# End automatically added section/ && b ~ /ttm-pool-prometheus/ { print b }' "$1"
}
snippets "$m/postinst" >"$tmp/snippets"
is "the postinst has two snippets for them" "$(wc -l <"$tmp/snippets")" 2
ok "...not the one that enables on a first install (\"was-enabled defaults to true\")" \
	sh -c "! grep -q 'defaults to true' '$tmp/snippets'"
ok "...and neither starts them (only a try-restart on upgrade, of a running timer)" \
	sh -c "grep -q 'try-restart' '$tmp/snippets' && ! grep -Eq '_dh_action=start|invoke (start|restart) ' '$tmp/snippets'"
ok "...ttm-pool-apply.service is still enabled on install" \
	grep -q "deb-systemd-helper enable 'ttm-pool-apply.service'" "$m/postinst"
ok "the preinst does not stop them on upgrade (the postinst try-restarts a running timer)" \
	sh -c "! grep -q ttm-pool-prometheus '$m/preinst'"
# Stand-ins for the tools the scripts call by name; SHIM_INSTALLED is the exit status
# of "debian-installed", SHIM_ENABLED that of "was-enabled" (0 for a unit deb-systemd-helper
# has never seen: that is how a plain enable snippet enables on a first install).
mkdir -p "$tmp/shim"
for c in deb-systemd-helper deb-systemd-invoke systemctl; do
	cat >"$tmp/shim/$c" <<'EOF'
#!/bin/sh
echo "${0##*/} $*" >>"$SHIM_LOG"
case " $* " in
*" debian-installed "*) exit "${SHIM_INSTALLED:-1}" ;;
*" was-enabled "*) exit "${SHIM_ENABLED:-0}" ;;
esac
exit 0
EOF
	chmod +x "$tmp/shim/$c"
done
export SHIM_LOG=$tmp/shim.log
# mscript NAME ARGS...: run the package's maintainer script NAME with the stand-ins
mscript() { : >"$SHIM_LOG"; PATH=$tmp/shim:$PATH sh "$m/$1" "${@:2}" >/dev/null 2>&1; }
mscript postinst configure
is "postinst configure (a first install) exits 0" "$?" 0
ok "...enables ttm-pool-apply.service" grep -qx "deb-systemd-helper enable ttm-pool-apply.service" "$SHIM_LOG"
ok "...but not the timer, nor starts anything" \
	sh -c "! grep -Eq 'helper enable .*prometheus|(invoke|systemctl).* (start|restart) ' '$SHIM_LOG'"
SHIM_INSTALLED=0 SHIM_ENABLED=1 mscript postinst configure 0.1.0-1
ok "postinst on an upgrade: a timer the admin did not enable stays disabled" \
	sh -c "! grep -q 'helper enable .*prometheus' '$SHIM_LOG'"
SHIM_INSTALLED=0 SHIM_ENABLED=0 mscript postinst configure 0.1.0-1
ok "...one the admin enabled stays enabled" grep -qx "deb-systemd-helper enable $tmr" "$SHIM_LOG"
mscript prerm remove
is "prerm remove exits 0" "$?" 0
if [ -d /run/systemd/system ]; then
	ok "...and stops the timer and its service (systemd runs here)" \
		grep -q "deb-systemd-invoke stop $tmr $svc" "$SHIM_LOG"
else
	ok "...and calls nothing without a running systemd (no /run/systemd/system here)" \
		test ! -s "$SHIM_LOG"
fi
ok "prerm on removal stops them: the stop is in the package's prerm" \
	grep -q "deb-systemd-invoke stop $tmr $svc" "$m/prerm"
mscript prerm upgrade 0.3.0-1
ok "...but not on an upgrade" sh -c "! grep -q stop '$SHIM_LOG'"
# postrm with DPKG_ROOT: the metrics file below a scratch root
droot=$tmp/droot
mkdir -p "$droot$dir"
printf 'x 1\n' >"$droot$prom"
printf 'x 1\n' >"$droot$dir/.ttm_pool.prom.AbC123"
printf 'other 1\n' >"$droot$dir/other.prom"
DPKG_ROOT=$droot mscript postrm remove
is "postrm remove exits 0" "$?" 0
ok "...and removes ttm_pool.prom and a killed run's temporary file" \
	test ! -e "$droot$prom" -a ! -e "$droot$dir/.ttm_pool.prom.AbC123"
ok "...and nothing else in the directory" test -f "$droot$dir/other.prom"
DPKG_ROOT=$droot mscript postrm purge
is "postrm purge exits 0 when the file is gone already" "$?" 0
rm -rf "$droot"
DPKG_ROOT=$droot mscript postrm remove
is "postrm remove exits 0 without the directory (no node_exporter)" "$?" 0
# a chroot: neither systemctl nor deb-systemd-helper in PATH, only what rm needs
mkdir -p "$tmp/minpath" "$droot$dir"
ln -s "$(command -v rm)" "$tmp/minpath/rm"
printf 'x 1\n' >"$droot$prom"
for a in remove purge; do
	DPKG_ROOT=$droot PATH=$tmp/minpath /bin/sh "$m/postrm" "$a" >/dev/null 2>&1
	is "postrm $a exits 0 without systemctl and deb-systemd-helper (a chroot)" "$?" 0
done
ok "...and removed the file" test ! -e "$droot$prom"

# --- ExecStart and ExecStopPost against fake trees --------------------------------------
# The exact command lines of the unit, with the textfile directory replaced by a scratch
# one and the program by the one just built; the fake tree via TTM_POOLCTL_SYSROOT.
out=$tmp/textfile
mkdir -p "$out"
read -r -a cmd <<<"$(key "$s" Service ExecStart)"
cmd=("${cmd[@]//$dir/$out}")
cmd[0]=$tool/ttm-poolctl
# run SYSROOT: ExecStart below SYSROOT, with the unit's UMask=
run() { (umask 0022 && TTM_POOLCTL_SYSROOT=$1 "${cmd[@]}"); }
f=$out/ttm_pool.prom
# leftovers: the files in the directory other than ttm_pool.prom (a temporary file)
leftovers() { find "$out" -mindepth 1 ! -name ttm_pool.prom | sed "s|^$out/||"; }
# valid FILE: the lines of FILE that are not the text format (none: valid). A sample
# is NAME{LABEL="VALUE",...} VALUE with a "# TYPE NAME" before it; comments are HELP
# and TYPE lines; the last line ends in a newline.
valid() {
	awk '
	/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* / { next }
	/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter|untyped)$/ {
		if ($3 in typed) { print "TYPE twice: " $0 } typed[$3] = 1; next }
	/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? -?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ {
		name = $0; sub(/[{ ].*/, "", name)
		if (!(name in typed)) print "no TYPE before: " $0
		next }
	{ print "bad: " $0 }' "$1"
	[ -z "$(tail -c 1 "$1")" ] || echo "no newline at the end"
}
"$mktree" "$tmp/full" full
"$mktree" "$tmp/none" empty
"$mktree" "$tmp/bad" full
rm -rf "$tmp/bad/sys/kernel/ttm/pools"
echo x >"$tmp/bad/sys/kernel/ttm/pools"	# not a directory: the tool cannot list the pools

run "$tmp/full" >"$tmp/run.out" 2>&1
is "ExecStart exits 0 with four pools" "$?" 0
sed 's/^/# /' "$tmp/run.out" | head -n 5
ok "...and writes ttm_pool.prom" test -s "$f"
TTM_POOLCTL_SYSROOT=$tmp/full "$tool/ttm-poolctl" stats --prometheus >"$tmp/stdout.prom"
ok "...complete: what stats --prometheus prints" cmp "$f" "$tmp/stdout.prom"
valid "$f" >"$tmp/invalid"
ok "...valid Prometheus text ($(grep -vc '^#' "$f") samples)" test ! -s "$tmp/invalid"
sed 's/^/#   /' "$tmp/invalid" | head -n 10
ok "...with a sample per pool" test "$(grep -c '^ttm_pool_inuse_bytes{' "$f")" -eq 4
if command -v promtool >/dev/null; then
	ok "...which promtool check metrics accepts" sh -c "promtool check metrics <'$f'"
fi
is "...mode 0644 (UMask=0022): node_exporter reads it" "$(stat -c %a "$f")" 644
is "...and no temporary file is left" "$(leftovers)" ""

ino=$(stat -c %i "$f")
run "$tmp/none" >"$tmp/run.out" 2>&1
is "ExecStart exits 0 without a pool (no TTM driver bound)" "$?" 0
ok "...and the file is a new one renamed over the old (another inode)" test "$(stat -c %i "$f")" != "$ino"
valid "$f" >"$tmp/invalid"
ok "...valid: HELP and TYPE lines and the global gauges" test ! -s "$tmp/invalid"
sed 's/^/#   /' "$tmp/invalid" | head -n 10
ok "...ttm_pool_pools 0" grep -qx 'ttm_pool_pools 0' "$f"
is "...no temporary file" "$(leftovers)" ""

run "$tmp/full" >/dev/null 2>&1
cp -p "$f" "$tmp/last.prom"
ino=$(stat -c %i "$f")
run "$tmp/bad" >"$tmp/run.out" 2>&1
rc=$?
ok "ExecStart fails on a tree it cannot read (exit $rc): the unit fails, visibly" test "$rc" -ne 0
ok "...saying what" grep -q 'cannot read .*/sys/kernel/ttm/pools' "$tmp/run.out"
ok "...the last file untouched" sh -c "cmp -s '$f' '$tmp/last.prom' && [ \$(stat -c %i '$f') = $ino ]"
is "...no temporary file" "$(leftovers)" ""

# A write that fails half-way: a 1 KiB file size limit, SIGXFSZ ignored (write fails EFBIG).
(trap '' XFSZ && ulimit -f 1 && run "$tmp/full") >"$tmp/run.out" 2>&1
rc=$?
ok "ExecStart fails when writing fails half-way (exit $rc)" test "$rc" -ne 0
sed 's/^/# /' "$tmp/run.out" | head -n 3
ok "...the last file untouched" sh -c "cmp -s '$f' '$tmp/last.prom' && [ \$(stat -c %i '$f') = $ino ]"
is "...no temporary file" "$(leftovers)" ""

# Atomic for a reader: node_exporter reading the file while it is rewritten never sees
# half of it. 100 runs, reading all the while; every copy read is complete.
want=$(wc -l <"$f")
last=$(tail -n 1 "$f")
(for _ in $(seq 100); do run "$tmp/full" >/dev/null 2>&1; done) &
writer=$!
reads=0 torn=0
while kill -0 "$writer" 2>/dev/null; do
	cat "$f" >"$tmp/read" 2>/dev/null || continue
	reads=$((reads + 1))
	if [ "$(wc -l <"$tmp/read")" != "$want" ] || [ "$(tail -n 1 "$tmp/read")" != "$last" ]; then
		torn=$((torn + 1))
	fi
done
wait "$writer"
echo "# $reads reads while the file was rewritten 100 times"
ok "a reader never sees a partial file ($torn of $reads reads were; at least 20 reads)" \
	test "$torn" -eq 0 -a "$reads" -ge 20
is "...no temporary file left" "$(leftovers)" ""

if command -v strace >/dev/null; then
	(umask 0022 && TTM_POOLCTL_SYSROOT=$tmp/full strace -f -qq -e trace=openat,rename,renameat,renameat2 \
		-o "$tmp/strace" "${cmd[@]}") >/dev/null 2>&1
	tmpfile=$(sed -n 's|^[0-9]* *rename[at2]*(.*"\([^"]*\)", .*"'"$f"'") = 0$|\1|p' "$tmp/strace" | head -n 1)
	# shellcheck disable=SC2016 # expanded by the inner shell
	ok "the new file is made in the same directory, O_EXCL, and renamed over ttm_pool.prom" \
		sh -c '[ -n "$1" ] && [ "${1%/*}" = "$2" ] && grep -q "openat(.*\"$1\", .*O_CREAT|O_EXCL" "$3"' \
		sh "$tmpfile" "$out" "$tmp/strace"
	echo "# temporary file: ${tmpfile:-none seen}"
	# shellcheck disable=SC2016 # expanded by the inner shell
	ok "...named .ttm_pool.prom.XXXXXX: not *.prom, which node_exporter reads, and what ExecStopPost and the postrm remove" \
		sh -c 'case ${1##*/} in .ttm_pool.prom.??????) exit 0 ;; esac; exit 1' sh "$tmpfile"
else
	for d in "the new file is made in the same directory and renamed over ttm_pool.prom" \
		"...named .ttm_pool.prom.XXXXXX"; do
		_tap_result 0 "$d # SKIP strace is not installed"
	done
fi

# ExecStopPost: after a run killed half-way, its temporary file goes.
post=$(key "$s" Service ExecStopPost)
ok "ExecStopPost's failure is ignored ('-'): it never fails the unit" test "${post:0:1}" = -
post=${post#-}
post=${post//\$\$/\$}	# systemd's $$ is a $
post=${post//$dir/$out}
eval "set -- $post"
printf 'x 1\n' >"$out/.ttm_pool.prom.Zz09aB"
SERVICE_RESULT=success "$@"
ok "ExecStopPost after a run that exited 0 removes nothing" test -e "$out/.ttm_pool.prom.Zz09aB"
SERVICE_RESULT=signal "$@"
is "...after a killed one, the temporary file" "$(leftovers)" ""
ok "...and not ttm_pool.prom" cmp -s "$f" "$tmp/last.prom"
done_testing
