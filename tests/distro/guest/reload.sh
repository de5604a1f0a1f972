#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: unloading the whole DRM stack leaves nothing pooled (the pool's
# pages go back: KReclaimable, where the pool accounts them, falls by as much, and
# the last pool takes /sys/kernel/ttm with it while ttm.ko is still loaded), every
# module unloads (no reference leaked), and loading the GPU driver again brings back
# a working pool. Twice.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
GPU=$(cat /root/gpu)
kreclaimable() { awk '$1 == "KReclaimable:" { print $2 }' /proc/meminfo; }
# The pools' uevents, from the kernel's netlink socket (busybox uevent runs the
# logger with each event's variables): "remove" at the unload, "add" at the load.
EV=/tmp/uevents
# events N ACTION: the log has N lines "ACTION" for bochs's pool, within 10 s
events() {
	_want="$2 /kernel/ttm/pools/0000:00:02.0 pool=0000:00:02.0 device=0000:00:02.0 driver=bochs-drm"
	_t=100
	while [ "$(grep -cx "$_want" $EV)" != "$1" ]; do
		[ $_t -gt 0 ] || return 1
		_t=$((_t - 1))
		usleep 100000
	done
}
if [ "$VARIANT" = ours ] && [ "$GPU" = bochs ]; then
	: >$EV
	uevent /tests/lib/ttm-uevent-log &
	listener=$!
fi

for round in 1 2; do
	pooled=0
	if [ "$VARIANT" = ours ]; then
		command -v dumbbuf >/dev/null && dumbbuf -n 10 -k 8 >/dev/null
		pooled=$(cat $T/pooled_pages)
		echo "# round $round: $pooled pages pooled before the unload"
		kr0=$(kreclaimable)
	fi
	left=$(unload_all ttm)
	is "round $round: everything but ttm (and drm, which it uses) unloads" "$left" "drm ttm"
	if [ "$VARIANT" = ours ]; then
		ok "round $round: no pool is left (no $T)" test ! -e $T
		[ -n "${listener:-}" ] && ok "round $round: the pool sent its remove uevent" events "$round" remove
		drop=$((kr0 - $(kreclaimable)))
		if [ "$pooled" -gt 0 ]; then
			ok "round $round: the $((pooled * 4)) kB pooled went back (KReclaimable -$drop kB)" \
				test $drop -ge $((pooled * 4 - 2048))
		fi
	fi
	is "round $round: then ttm unloads too" "$(unload_all)" ""
	ok "round $round: $GPU loads again" modprobe "$GPU"
	ok "round $round: it is bound" test -e /sys/class/drm/card0
	if [ "$VARIANT" = ours ]; then
		ok "round $round: its pool is back" test -n "$(the_pool)"
		[ -n "${listener:-}" ] && ok "round $round: ...with its add uevent" events "$round" add
	fi
	if command -v dumbbuf >/dev/null; then
		ok "round $round: dumb buffers work" dumbbuf -n 10 -k 4
	fi
done
ok "no 'disagrees about version' or 'Unknown symbol' in the kernel log" no_log_error
[ -n "${listener:-}" ] && kill "$listener"
done_testing
