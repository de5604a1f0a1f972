#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: unloading the whole DRM stack leaves nothing pooled (the pool's
# pages go back: KReclaimable, where the pool accounts them, falls by as much, and
# the last pool takes /sys/kernel/ttm with it while ttm.ko is still loaded), every
# module unloads (no reference leaked), and loading the GPU driver again brings back
# a working pool. Twice. Debian's kernels have no kmemleak: "nothing leaked" is
# the pool's counters (inuse_pages back after the workload; what the pool accounts
# in nr_kernel_misc_reclaimable, which nothing else of the kernel uses, equal to
# its pooled_pages, and 0 once ttm is gone), KReclaimable, and MemFree (with the
# per-CPU page lists) with the whole stack unloaded the same after the second round
# as after the first. Memory the unload frees late (deferred work, RCU: some 3 MiB
# came back a few ms after a read on Debian's rt kernel with the host busy) only
# lowers a read: a round's figure is the most read over 2 s, and the second
# round reads on for up to 10 s while below the first's. A leak stays below.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
GPU=$(cat /root/gpu)
kreclaimable() { awk '$1 == "KReclaimable:" { print $2 }' /proc/meminfo; }
# freemem: free memory in kB, MemFree and the pages the per-CPU page lists hold
# (/proc/zoneinfo's "count:"), which MemFree leaves out and which drain for
# seconds after a big free: the sum stays within a few hundred kB meanwhile.
freemem() {
	echo $(($(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo) +
		$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)))
}
# settled MIN: the most free memory (freemem, the page cache dropped and the
# per-CPU counters folded before each read) read every 0.5 s for 2 s, and on for
# up to 10 s while below MIN. Prints "MOST FIRST SECONDS".
settled() {
	_most=0 _first='' _k=0
	while :; do
		echo 3 >/proc/sys/vm/drop_caches
		misc >/dev/null
		_f=$(freemem)
		[ -n "$_first" ] || _first=$_f
		[ "$_f" -gt "$_most" ] && _most=$_f
		if [ $_k -ge 4 ] && { [ "$_most" -ge "$1" ] || [ $_k -ge 20 ]; }; then
			break
		fi
		_k=$((_k + 1))
		usleep 500000
	done
	echo "$_most $_first $((_k / 2)).$((_k % 2 * 5))"
}
# misc: nr_kernel_misc_reclaimable, the per-CPU deltas folded first
misc() {
	echo 1 >/proc/sys/vm/stat_refresh
	awk '$1 == "nr_kernel_misc_reclaimable" { print $2 }' /proc/vmstat
}
# accounted: the pages the pools account equal $T/pooled_pages, which reads the
# same before and after (nothing moved meanwhile); "MISC POOLED" to /tmp/acct
accounted() {
	_p=$(cat "$T/pooled_pages")
	_m=$(misc)
	echo "$_m $_p" >/tmp/acct
	[ "$_m" = "$_p" ] && [ "$_p" = "$(cat "$T/pooled_pages")" ]
}
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
		P=$(the_pool)
		inuse0=$(cat "$T/pools/$P/inuse_pages")
		ok "round $round: a dumb-buffer workload ran" sh -c 'dumbbuf -n 10 -k 8 >/dev/null'
		is "round $round: the pool's inuse_pages is back to $inuse0 after the workload" \
			"$(cat "$T/pools/$P/inuse_pages")" "$inuse0"
		pooled=$(cat $T/pooled_pages)
		echo "# round $round: $pooled pages pooled before the unload"
		_n=20
		until accounted || [ $_n -eq 0 ]; do
			_n=$((_n - 1))
			usleep 100000
		done
		is "round $round: nr_kernel_misc_reclaimable = pooled_pages ($(cut -d' ' -f2 /tmp/acct))" \
			"$(cut -d' ' -f1 /tmp/acct)" "$(cut -d' ' -f2 /tmp/acct)"
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
	is "round $round: nothing is accounted as pooled (nr_kernel_misc_reclaimable)" "$(misc)" 0
	# The whole stack unloaded: free memory, the page cache dropped, the per-CPU
	# counters folded. A round pools some 10 MiB (above): a leak of it would show.
	slack=2048
	settled $((round == 1 ? 0 : free1 - slack)) >/tmp/settled
	read -r free first secs </tmp/settled
	echo "# round $round: $free kB free (MemFree + per-CPU lists) with the stack unloaded (first read $first kB, read for $secs s)"
	if [ $round -eq 1 ]; then
		free1=$free
	else
		ok "MemFree (with the per-CPU lists) is back after a load, workload and unload ($free1 -> $free kB, slack $slack kB)" \
			test $((free1 - free)) -le $slack
	fi
	ok "round $round: $GPU loads again" modprobe "$GPU"
	ok "round $round: it is bound" test -e /sys/class/drm/card0
	if [ "$VARIANT" = ours ]; then
		ok "round $round: its pool is back" test -n "$(the_pool)"
		[ -n "${listener:-}" ] && ok "round $round: ...with its add uevent" events "$round" add
	fi
	ok "round $round: dumb buffers work" dumbbuf -n 10 -k 4
done
ok "no 'disagrees about version' or 'Unknown symbol' in the kernel log" no_log_error
[ -n "${listener:-}" ] && kill "$listener"
done_testing
