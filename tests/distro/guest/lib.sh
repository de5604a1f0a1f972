# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Helpers of the distro-check guest tests (busybox sh). Sourced after tap.sh.
#   /root/ttm-variant   "ours" or "pristine": which ttm.ko the host put under updates/
#   /root/pool-files    the per-pool files Documentation/ABI documents (one a line,
#                       a trailing / for a directory)
T=/sys/kernel/ttm
VARIANT=$(cat /root/ttm-variant 2>/dev/null || echo ours)

# no_log_error: the kernel log has no sign of a module that did not link.
no_log_error() {
	! dmesg | grep -E 'disagrees about version of symbol|Unknown symbol'
}

# need_pools: skip the whole script for upstream's ttm.ko (no /sys/kernel/ttm).
need_pools() {
	if [ "$VARIANT" = pristine ]; then
		skip_all "upstream's ttm.ko has no /sys/kernel/ttm"
	fi
}

# the_pool: the one pool directory's name (the only GPU of the boot).
the_pool() {
	find $T/pools -mindepth 1 -maxdepth 1 2>/dev/null | sed 's|.*/||' | head -n 1
}

# unload_all [KEEP]: rmmod every module nothing uses, until none is left (or only
# KEEP and what it uses). Prints what is still loaded, sorted, on one line.
unload_all() {
	_i=0
	while [ $_i -lt 40 ]; do
		_m=$(awk -v k="${1:-}" '$3 == 0 && $1 != k { print $1 }' /proc/modules)
		[ -n "$_m" ] || break
		for _x in $_m; do rmmod "$_x" 2>/dev/null; done
		_i=$((_i + 1))
	done
	awk '{ print $1 }' /proc/modules | sort | tr '\n' ' ' | sed 's/ $//'
}
