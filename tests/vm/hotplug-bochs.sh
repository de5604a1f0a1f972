#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs --smp 2
# (--smp 2, the default, gives it a boot of its own: it removes the PCI device.)
# A pool's uevents, and hot-unplug with the card held open. A pool puts nothing
# into its device's directory; its directory under /sys/kernel/ttm/pools sends
# "add" and "remove" uevents (SUBSYSTEM=ttm_pool) naming the pool, the device and
# the driver, which is what a udev rule matches. With /dev/dri/card0 held open, the
# PCI device is removed before the driver finalises its pool (on the last close):
# that must not touch the deleted device's directory (a kernfs WARN before), the
# pool goes with the close, and after a rescan it comes back under the same name.
# Last, settings in /etc/ttm-pool.d come back after a rebind through ttm-poolctl apply,
# run from the uevent as the package's udev rule runs it.
# The uevent helper is called for each event; it appends them to a file.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
EV=/tmp/uevents

need "bochs ($DEV) has a pool directory" test -d $P
need "the kernel has a uevent helper (CONFIG_UEVENT_HELPER)" test -w /sys/kernel/uevent_helper

: >$EV
ok "install a uevent helper that logs the pools' events" sh -c 'echo /tests/lib/ttm-uevent-log >/sys/kernel/uevent_helper'

# events EXPECTED: the log holds exactly these lines (the helper runs asynchronously)
events() { [ "$(cat $EV)" = "$1" ]; }
ADD="add /kernel/ttm/pools/$DEV pool=$DEV device=$DEV driver=bochs-drm"
REMOVE="remove /kernel/ttm/pools/$DEV pool=$DEV device=$DEV driver=bochs-drm"

# --- nothing of ours in the device's directory --------------------------------
ok "the device's directory holds nothing named ttm*" \
	sh -c "! ls -d /sys/bus/pci/devices/$DEV/ttm* 2>/dev/null"
is "the pool links to its device" "$(readlink -f $P/device)" \
	"$(readlink -f /sys/bus/pci/devices/$DEV)"

# --- unbind and bind: one event each ---------------------------------------------
ok "unbind bochs-drm" sh -c "echo $DEV >/sys/bus/pci/drivers/bochs-drm/unbind"
ok "the pool is gone" test ! -e $P
ok "...with one remove event naming pool, device and driver" wait_until 10 events "$REMOVE"
: >$EV
ok "bind it again" sh -c "echo $DEV >/sys/bus/pci/drivers/bochs-drm/bind"
ok "the pool is back" test -d $P
ok "...with one add event naming pool, device and driver" wait_until 10 events "$ADD"

# --- readers of every pool against 20 unbind/bind cycles (KASAN watches) ----------
# debugfs's all and the pool's dump copy the pool's name; sysfs reads its values.
: >$EV
read_all() { while :; do cat $D/all $D/$DEV $P/* $P/stats/* >/dev/null 2>&1; done; }
read_all &
reader1=$!
read_all &
reader2=$!
cycles=0
i=0
while [ $i -lt 20 ]; do
	echo $DEV >/sys/bus/pci/drivers/bochs-drm/unbind &&
		echo $DEV >/sys/bus/pci/drivers/bochs-drm/bind && cycles=$((cycles + 1))
	i=$((i + 1))
done
kill "$reader1" "$reader2"
wait "$reader1" "$reader2" 2>/dev/null
is "20 unbind/bind cycles under two readers" $cycles 20
ok "the pool is there after them" test -d $P
ok "...with 20 remove and 20 add events, in pairs" wait_until 10 sh -c \
	"[ \$(grep -c '^remove ' $EV) = 20 ] && [ \$(grep -c '^add ' $EV) = 20 ]"

# --- hot-unplug with /dev/dri/card0 held open -------------------------------------
: >$EV
sh -c 'exec sleep 600' </dev/dri/card0 &
holder=$!
ok "a process holds /dev/dri/card0 open" wait_until 5 sh -c "ls -l /proc/$holder/fd/0 | grep -q dri/card0"
ok "remove the PCI device" sh -c "echo 1 >/sys/bus/pci/devices/$DEV/remove"
ok "the PCI device is gone" test ! -e /sys/bus/pci/devices/$DEV
ok "the pool stays while the card is open (the driver has not finalised it)" test -d $P
is "...and says so: no remove event yet" "$(cat $EV)" ""
ok "its files still read" grep -qxE '[0-9]+' $P/pooled_pages
kill $holder
wait $holder 2>/dev/null
ok "after the last close the pool is gone" wait_until 10 test ! -e $P
ok "...with one remove event naming the device and driver it had" wait_until 10 events "$REMOVE"
ok "no pool of that device is left in debugfs" test ! -e /sys/kernel/debug/ttm/pools/$DEV
: >$EV
ok "rescan the PCI bus" sh -c "echo 1 >/sys/bus/pci/rescan"
ok "the device is back and bochs-drm binds it" wait_until 20 test -e /sys/bus/pci/drivers/bochs-drm/$DEV
ok "its pool is back under the same name" wait_until 10 test -d $P
ok "...with one add event" wait_until 10 events "$ADD"
is "no other pool of the device appeared" "$(echo $T/pools/$DEV*)" "$P"
ok "the new pool works (hold and give back 64 pages)" sh -c \
	"insmod /lib/ttm-tests/ttm_pool_hold.ko pool=$DEV pages=64 caching=wc && rmmod ttm_pool_hold"
is "...and is empty of users again (signed)" "$(inuse_signed $DEV)" 0

# --- persistent settings: the uevent runs ttm-poolctl apply, as the udev rule does -----
# The package's rule is RUN+="ttm-poolctl apply --pool $env{TTM_POOL}" on "add"; here
# the uevent helper plays udev. A rebind makes a fresh pool (defaults): the setting
# of /etc/ttm-pool.d comes back by itself.
mkdir -p /etc/ttm-pool.d
printf '[device %s]\nmax = 1M\nhigh = 512K\n' $DEV >/etc/ttm-pool.d/50-test.conf
cat >/tmp/uevent-apply <<'EOF'
#!/bin/sh
[ "$SUBSYSTEM" = ttm_pool ] && [ "$ACTION" = add ] || exit 0
ttm-poolctl apply --pool "$TTM_POOL" >>/tmp/apply.log 2>&1
echo "rc $?" >>/tmp/apply.log
EOF
chmod 0755 /tmp/uevent-apply
ok "ttm-poolctl apply --dry-run changes nothing" sh -c \
	"ttm-poolctl apply --dry-run >/dev/null && [ \$(cat $P/max_pages) != 256 ]"
ok "the uevent helper runs ttm-poolctl apply for each new pool" \
	sh -c 'echo /tmp/uevent-apply >/sys/kernel/uevent_helper'
: >/tmp/apply.log
ok "unbind and bind bochs-drm" sh -c \
	"echo $DEV >/sys/bus/pci/drivers/bochs-drm/unbind && echo $DEV >/sys/bus/pci/drivers/bochs-drm/bind"
ok "apply ran for the new pool and succeeded" wait_until 20 grep -qx "rc 0" /tmp/apply.log
is "the new pool has the configured max_pages" "$(cat $P/max_pages)" 256
is "...and high_watermark_pages" "$(cat $P/high_watermark_pages)" 128
is "...and low follows high" "$(cat $P/low_watermark_pages)" 128
sed 's/^/# apply: /' /tmp/apply.log
rm -f /etc/ttm-pool.d/50-test.conf
echo >/sys/kernel/uevent_helper
done_testing
