#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: the boot's GPU (qxl or bochs, /root/gpu) is bound by Debian's
# driver running on the ttm.ko under updates/.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
GPU=$(cat /root/gpu)
DEV=0000:00:02.0
case $GPU in
qxl) drv=qxl ;;
bochs) drv=bochs-drm ;;
*) skip_all "no GPU" ;;
esac
[ -e "/sys/module/$GPU" ] || modprobe "$GPU"
ok "$GPU is bound to $DEV" test -e /sys/bus/pci/drivers/$drv/$DEV
is "card0 is driven by $drv" "$(basename "$(readlink /sys/class/drm/card0/device/driver)")" $drv
ok "$drv initialised its DRM device" sh -c "dmesg | grep -q 'Initialized $drv '"
ok "no 'disagrees about version' or 'Unknown symbol' in the kernel log" no_log_error
done_testing
