#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: Debian's own GPU drivers load against the ttm.ko under updates/:
# modprobe of every TTM user of modules.list, no "disagrees about version" or
# "Unknown symbol", and the ttm loaded is the one under updates/.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
K=/lib/modules/$(uname -r)

ok "modules.dep resolves ttm to updates/ttm.ko" grep -q '^updates/ttm\.ko:' "$K/modules.dep"
grep -v '^#' /tests/distro/modules.list >/tmp/modules.list
while read -r m; do
	ok "modprobe $m" modprobe "$m"
done </tmp/modules.list
ok "the ttm loaded is the updates/ one (out-of-tree taint)" grep -q O /sys/module/ttm/taint
ok "no 'disagrees about version' or 'Unknown symbol' in the kernel log" no_log_error
n=$(grep -c . /proc/modules)
echo "# $n modules loaded"
done_testing
