#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/ttm-vm's verdict on a boot, with a fake qemu (TTM_VM_QEMU) that writes a
# crafted console log: a splat or a missing kmemleak scan fails the run with 123
# whatever the command's status, a guest killed at the timeout is 124 even when it
# had printed its status (a hang at power-off), no status at all is 125.
. "$(dirname "$0")/../lib/tap.sh"
vm=$(cd "$(dirname "$0")/../../scripts" && pwd)/ttm-vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A build cache with "test" and "rt" kernels that have kmemleak and a "plain" one without.
export TTM_CACHE=$tmp/cache
for k in test plain rt; do
	mkdir -p "$TTM_CACHE/obj-$k/arch/x86/boot"
	: >"$TTM_CACHE/obj-$k/arch/x86/boot/bzImage"
done
printf 'CONFIG_KASAN=y\nCONFIG_DEBUG_KMEMLEAK=y\n' >"$TTM_CACHE/obj-test/.config"
printf 'CONFIG_KASAN=n\n# CONFIG_DEBUG_KMEMLEAK is not set\n' >"$TTM_CACHE/obj-plain/.config"
printf 'CONFIG_PREEMPT_RT=y\nCONFIG_KASAN=y\nCONFIG_DEBUG_KMEMLEAK=y\n' >"$TTM_CACHE/obj-rt/.config"

# The fake qemu copies $FAKE_LOG to the console log (-chardev file,id=con,path=...),
# writes its arguments, one a line, to $tmp/qemu.args, prints "out" on stdout, then
# exits 0 or, with FAKE_HANG=1, never ends.
cat >"$tmp/qemu" <<'FAKE'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$(dirname "$0")/qemu.args"
prev=
for a in "$@"; do
	if [ "$prev" = -chardev ]; then
		case $a in file,id=con,path=*) cp "$FAKE_LOG" "${a#file,id=con,path=}" ;; esac
	fi
	prev=$a
done
echo out
[ "${FAKE_HANG:-0}" = 1 ] && exec sleep 600
exit 0
FAKE
chmod +x "$tmp/qemu"
export TTM_VM_QEMU=$tmp/qemu

# mklog FILE LINE...: a console log with those lines after a boot banner
mklog() {
	local f=$1
	shift
	{
		echo '[    0.000000] Linux version 6.12.117 (fake)'
		for l in "$@"; do printf '[    9.000000] %s\n' "$l"; done
	} >"$tmp/$f"
}
done_ok='ttm-vm: kmemleak scan done (first scan 2100 ms, done 6.0 s after the command)'
mklog clean.log 'ttm-vm: running command' "$done_ok" 'ttm-vm: exit status 0'
mklog status7.log "$done_ok" 'ttm-vm: exit status 7'
mklog warn.log 'WARNING: CPU: 1 PID: 77 at drivers/gpu/drm/ttm/ttm_pool.c:300 ttm_pool_free+0x1/0x2' \
	"$done_ok" 'ttm-vm: exit status 0'
mklog warnfail.log 'WARNING: CPU: 1 PID: 77 at drivers/gpu/drm/ttm/ttm_pool.c:300 ttm_pool_free+0x1/0x2' \
	"$done_ok" 'ttm-vm: exit status 1'
mklog noscan.log 'ttm-vm: running command' 'ttm-vm: exit status 0'
mklog disabled.log 'kmemleak: Cannot allocate a kmemleak_object structure' \
	'kmemleak: Kernel memory leak detector disabled' "$done_ok" 'ttm-vm: exit status 0'
mklog scanfail.log 'ttm-vm: kmemleak scan failed: second scan: sh: write error: Operation not permitted' \
	'ttm-vm: exit status 0'
mklog oom.log 'memhog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0' \
	'Out of memory: Killed process 123 (memhog) total-vm:600000kB, anon-rss:500000kB' \
	"$done_ok" 'ttm-vm: exit status 0'
mklog nostatus.log 'Kernel panic - not syncing: Attempted to kill init!'
mklog nostatus-clean.log 'ttm-vm: running command'

# run NAME LOG [ttm-vm options]: the exit status; stdout and stderr in $tmp/NAME.{out,err}
run() {
	local name=$1 log=$2
	shift 2
	FAKE_LOG=$tmp/$log "$vm" --gpu qxl --log "$tmp/$name.console" "$@" -- true \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $?
}

is "a clean boot: the command's status (0)" "$(run clean clean.log)" 0
is "...and its stdout comes through" "$(cat "$tmp/clean.out")" out
is "a clean boot: the command's status (7)" "$(run status7 status7.log)" 7

is "a WARNING in the console log: 123" "$(run warn warn.log)" 123
ok "...the excerpt is on stderr" grep -q 'WARNING: CPU: 1 PID: 77' "$tmp/warn.err"
ok "...and the command's own status is said" grep -q 'the command exited 0' "$tmp/warn.err"
is "a WARNING fails --no-kmemleak boots too" "$(run warn2 warn.log --no-kmemleak)" 123
is "a WARNING with the command failing (1): still 123" "$(run warnfail warnfail.log)" 123
ok "...and the command's status is said" grep -q 'the command exited 1' "$tmp/warnfail.err"

is "kmemleak kernel, no 'kmemleak scan done' line: 123" "$(run noscan noscan.log)" 123
ok "...said as such" grep -q 'nothing proves that kmemleak scanned' "$tmp/noscan.err"
is "...unless --no-kmemleak was asked for" "$(run noscan2 noscan.log --no-kmemleak)" 0
is "...and not asked of a kernel without kmemleak" "$(run noscan3 noscan.log --kernel plain)" 0
is "the rt kernel: the command's status" "$(run rt clean.log --kernel rt --gpu bochs)" 0
ok "...booted from the rt kernel's build" grep -qx "$TTM_CACHE/obj-rt/arch/x86/boot/bzImage" "$tmp/qemu.args"
ok "...with acpi=ht (ACPI only for the CPUs, as the test kernel) and 2 CPUs" \
	grep -q ' acpi=ht ttm_vm.cpus=2' "$tmp/qemu.args"
is "the rt kernel has kmemleak: no 'kmemleak scan done' line is 123" "$(run rt2 noscan.log --kernel rt)" 123
is "kmemleak disabled itself: 123" "$(run disabled disabled.log)" 123
is "a failed kmemleak scan: 123" "$(run scanfail scanfail.log)" 123
ok "...the reason is shown" grep -q 'Operation not permitted' "$tmp/scanfail.err"
is "the OOM killer ran: 123" "$(run oom oom.log)" 123

start=$(date +%s)
is "status printed, then a hang at power-off: killed at the timeout, 124" \
	"$(FAKE_HANG=1 run hang clean.log --timeout 2)" 124
ok "...said as a hang after the status" grep -q 'reported exit status 0 but was still running' "$tmp/hang.err"
ok "...at the timeout, not later" test $(($(date +%s) - start)) -lt 20
is "no status and a hang: 124" "$(FAKE_HANG=1 run hang2 nostatus-clean.log --timeout 2)" 124
is "no status (panic): 125" "$(run panic nostatus.log)" 125
ok "...the splat is shown too" grep -q 'Kernel panic' "$tmp/panic.err"
is "no status, clean log: 125" "$(run nostatus nostatus-clean.log)" 125
done_testing
