#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs --smp 2
# (the boot of hotplug-bochs.sh, which unbinds bochs too)
# ttm-pool-apply.service, the boot-time apply of /etc/ttm-pool.d. bochs's pool is made
# before anything of userspace runs, as an early-KMS driver's is before the system's
# udevd, and no uevent helper plays udev here: nothing applies the settings when a pool
# appears. The unit's ExecStart, taken from the unit file in the initramfs (as make
# install writes it), applies them to bochs's pool and to the two pools ttm_pool_stress
# makes; it carries on past a pool it cannot set and fails (exit 1); with no pool left
# the unit's condition fails (systemd skips it) and the command still exits 0. After a
# rebind the pool has its defaults until the command runs again, as after a reboot.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
UNIT=/lib/systemd/system/ttm-pool-apply.service
STRESS=/lib/ttm-tests/ttm_pool_stress.ko
CONF=/etc/ttm-pool.d/50-boot.conf
need "the unit is in the initramfs" test -f $UNIT
need "ttm-poolctl is in the initramfs" command -v ttm-poolctl
need "bochs ($DEV) has its pool since boot" test -d $P
need "ttm_pool_stress.ko is in the initramfs" test -f $STRESS
is "no uevent helper: nothing applied settings to the pools made so far" \
	"$(cat /sys/kernel/uevent_helper 2>/dev/null)" ""

# key KEY: the value of KEY= in the unit
key() { sed -n "s/^$1=//p" $UNIT; }
CMD=$(key ExecStart)
COND=$(key ConditionPathIsDirectory)
is "ExecStart is ttm-poolctl apply" "$CMD" "/usr/sbin/ttm-poolctl apply"
is "ConditionPathIsDirectory is the pools' directory" "$COND" $T/pools
# unit: run ExecStart as systemd would (no shell), output in /tmp/unit.out and .err
unit() {
	# shellcheck disable=SC2086
	$CMD >/tmp/unit.out 2>/tmp/unit.err
	_rc=$?
	sed 's/^/# unit: /' /tmp/unit.out /tmp/unit.err
	return $_rc
}
max0=$(cat $P/max_pages)
high0=$(cat $P/high_watermark_pages)
ok "bochs's pool has its defaults (max_pages $max0, high $high0)" \
	test "$max0" != 256 -a "$high0" != 128

# --- the pool made before udevd: bochs --------------------------------------------
mkdir -p /etc/ttm-pool.d
printf '[device %s]\nmax = 1M\nhigh = 512K\n' $DEV >$CONF
ok "ConditionDirectoryNotEmpty=$(key ConditionDirectoryNotEmpty) holds" \
	test -n "$(ls -A "$(key ConditionDirectoryNotEmpty)")"
ok "the condition holds: $COND is a directory" test -d "$COND"
unit
is "ExecStart exits 0" "$?" 0
is "bochs's pool has the configured max_pages" "$(cat $P/max_pages)" 256
is "...and high_watermark_pages" "$(cat $P/high_watermark_pages)" 128
is "...and low follows high" "$(cat $P/low_watermark_pages)" 128
unit
is "run again (the udev rule may have run too): exits 0" "$?" 0
is "...the same values" "$(cat $P/max_pages) $(cat $P/high_watermark_pages)" "256 128"

# --- three pools, one of which refuses its setting --------------------------------
ok "load ttm_pool_stress, paused (two more pools, their uevents unseen)" \
	insmod $STRESS threads=1 pause=1
S32=$T/pools/ttm_pool_stress32
S64=$T/pools/ttm_pool_stress64
max32=$(cat $S32/max_pages)
printf '[pool ttm_pool_stress32]\nmax = 100T\n[pool ttm_pool_stress64]\nmax = 2M\n' >>$CONF
is "the pools in apply's order" "$(ttm-poolctl -n -r -o NAME | tr '\n' ' ')" \
	"$DEV ttm_pool_stress32 ttm_pool_stress64 "
unit
is "ExecStart fails (1): ttm_pool_stress32's max is more than the RAM" "$?" 1
ok "...saying so" grep -q "ttm_pool_stress32.*more than the machine's RAM" /tmp/unit.err
is "...ttm_pool_stress32 keeps its max_pages" "$(cat $S32/max_pages)" "$max32"
is "...ttm_pool_stress64, the next pool, has its own" "$(cat $S64/max_pages)" 512
is "...and bochs's pool its" "$(cat $P/max_pages) $(cat $P/high_watermark_pages)" "256 128"
ok "unload ttm_pool_stress" rmmod ttm_pool_stress

# --- no pool ----------------------------------------------------------------------
ok "unbind bochs-drm: no pool left" sh -c "echo $DEV >/sys/bus/pci/drivers/bochs-drm/unbind"
ok "the condition fails: $COND is gone (systemd skips the unit)" test ! -e "$COND"
unit
is "ExecStart exits 0 all the same" "$?" 0

# --- a rebind: a fresh pool, as after a reboot -------------------------------------
ok "bind bochs-drm again" sh -c "echo $DEV >/sys/bus/pci/drivers/bochs-drm/bind"
ok "the pool is back" wait_until 10 test -d $P
is "...with its defaults: nothing applied the settings" \
	"$(cat $P/max_pages) $(cat $P/high_watermark_pages)" "$max0 $high0"
unit
is "ExecStart exits 0" "$?" 0
is "...and the pool has the configured values" \
	"$(cat $P/max_pages) $(cat $P/high_watermark_pages) $(cat $P/low_watermark_pages)" "256 128 128"

# --- back to the defaults for the other tests of this boot --------------------------
rm -f $CONF
ok "rebind bochs-drm without the settings" sh -c \
	"echo $DEV >/sys/bus/pci/drivers/bochs-drm/unbind && echo $DEV >/sys/bus/pci/drivers/bochs-drm/bind"
ok "the pool is back with its defaults" wait_until 10 sh -c \
	"[ \"\$(cat $P/max_pages) \$(cat $P/high_watermark_pages)\" = '$max0 $high0' ]"
done_testing
