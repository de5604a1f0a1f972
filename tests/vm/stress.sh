#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs --mem 768M
# Bounded stress of the pool on the debug kernel: bochs dumb buffers evicted
# to pooled pages, the ttm_pool_stress exerciser threads (32/64-bit devices,
# mixed sizes and caching), a concurrent control plane (caps, watermarks,
# drain, path switches) and readers of every file, memory pressure and
# direct shrinker scans, fault injection, then driver unbind/rebind under
# readers. Invariants are checked at the end; a summary is printed.
# The same script runs under swiotlb=force (tests/vm/stress-swiotlb.sh).
# Duration: /root/stress-duration (seconds, `make stress DURATION=...`), else 15.
. /tests/lib/tap.sh

T=/sys/kernel/ttm
D=/sys/kernel/debug/ttm/pools
B=0000:00:02.0
MOD=/lib/ttm-tests/ttm_pool_stress.ko
DUR=$(cat /root/stress-duration 2>/dev/null || echo 15)
SWIOTLB=0
grep -qw swiotlb=force /proc/cmdline && SWIOTLB=1
W=/tmp/stress
mkdir -p $W
[ -f $MOD ] || skip_all "ttm_pool_stress.ko not built"
command -v ttm-poolctl >/dev/null || skip_all "ttm-poolctl missing"
command -v dumbbuf >/dev/null || skip_all "dumbbuf missing"

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
count() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
start_s=$(date +%s)
free0=$(meminfo MemFree)
bochs_inuse0=$(cat $T/pools/$B/inuse_pages)

# --- workloads ------------------------------------------------------------------
ok "load the exerciser" insmod $MOD threads=2 check_bounce=$SWIOTLB
S32=$T/pools/ttm_pool_stress32
S64=$T/pools/ttm_pool_stress64
ok "its pools appear" test -d $S32 -a -d $S64

(	# 1. real driver: bochs dumb buffers, more than the VRAM holds
	while [ ! -f $W/stop ]; do
		if dumbbuf -n 20 -k 12 >>$W/dumbbuf.log 2>&1; then
			echo ok >>$W/dumbbuf.runs
		else
			echo fail >>$W/dumbbuf.fail
		fi
	done
) &
(	# 3. control plane
	i=0
	while [ ! -f $W/stop ]; do
		i=$((i + 1))
		for p in $B ttm_pool_stress32 ttm_pool_stress64; do
			ttm-poolctl set $p max=$((64 + i % 5 * 512)) high=$((32 + i % 3 * 8)) low=16 >/dev/null 2>>$W/ctl.err ||
				echo "set $p" >>$W/ctl.fail
			echo "set" >>$W/ctl.ops
		done
		echo $((100000 + i % 7 * 1000)) >$T/pool_max_pages && echo global >>$W/ctl.ops
		# direct shrinker scans (SHRINKER_DEBUG), before the drain empties the pools
		for s in /sys/kernel/debug/shrinker/drm-ttm_pool*/scan; do
			echo "0 0 200" >$s 2>/dev/null && echo scan >>$W/ctl.ops
		done
		ttm-poolctl drain --all >/dev/null && echo drain >>$W/ctl.ops
		if [ $SWIOTLB = 0 ]; then
			for p in $B ttm_pool_stress32 ttm_pool_stress64; do
				case $((i % 3)) in
				0) w=auto ;; 1) w=coherent ;; 2) w=page ;;
				esac
				echo $w >$T/pools/$p/alloc_path && echo path >>$W/ctl.ops
			done
		fi
	done
) &
(	# readers of every file
	while [ ! -f $W/stop ]; do
		cat $T/* $T/pools/*/* $T/pools/*/stats/* >/dev/null 2>&1
		cat $D/* /sys/kernel/debug/ttm/page_pool >/dev/null 2>&1
		ttm-poolctl -J >/dev/null 2>&1
		echo r >>$W/reads
	done
) &
(	# samples: a debugfs dump is one snapshot; its caching rows add up
	while [ ! -f $W/stop ]; do
		for f in $D/*; do
			[ "${f##*/}" = all ] && continue
			awk '/^pooled_pages:/ { total = $2 }
			     /^(uc|wc|cached) / { for (i = 2; i <= NF; i++) sum += $i }
			     END { if (total != "" && total != sum) exit 1 }' $f 2>/dev/null ||
				{ [ -e "$f" ] && echo "$f" >>$W/sample.bad; }
			echo s >>$W/samples
		done
	done
) &
# 4. memory pressure: map and touch most of the free memory, again and again
memhog $(( $(meminfo MemAvailable) / 1024 * 80 / 100 )) $W/stop >$W/hog.log 2>&1 &

# 6. fault injection on the exerciser's threads for the middle third
F=/sys/kernel/debug/fail_page_alloc
third=$((DUR / 3 + 1))
sleep $third
if [ -d $F ]; then
	echo N >$F/ignore-gfp-wait
	echo N >$F/ignore-gfp-highmem
	echo Y >$F/task-filter
	echo 0 >$F/verbose
	echo -1 >$F/times
	echo 1 >$F/interval
	echo 0 >$F/min-order
	echo 10 >$F/probability
	for c in /proc/[0-9]*/comm; do
		case $(cat $c 2>/dev/null) in
		ttm_pool_stress*) echo 1 >${c%/comm}/make-it-fail ;;
		esac
	done
	sleep $third
	echo 0 >$F/probability
fi
sleep $third

# --- stop and check -------------------------------------------------------------
touch $W/stop
wait
echo 1 >/sys/module/ttm_pool_stress/parameters/pause
sleep 1
handed=0; failures=0
shrunk=$(cat $T/pools/*/stats/release_shrinker_pages | awk '{ s += $1 } END { print s + 0 }')
for p in $S32 $S64; do
	handed=$((handed + $(cat $p/stats/alloc_hit_pages) + $(cat $p/stats/alloc_miss_pages)))
	failures=$((failures + $(cat $p/stats/alloc_failures)))
	is "${p##*/}: nothing in use once the threads are idle" "$(cat $p/inuse_pages)" 0
done
kre0=$(meminfo KReclaimable)
pooled=$(cat $T/pooled_pages)
ttm-poolctl drain --all >/dev/null
is "after drain --all the global pooled_pages is 0" "$(cat $T/pooled_pages)" 0
ok "every pooled_* is 0" sh -c "cat $T/pools/*/pooled*_pages | awk '{ s += \$1 } END { exit s }'"
kre1=$(meminfo KReclaimable)
# KReclaimable drops by what the pools held; slab and per-CPU vmstat deltas
# not yet folded may move it by a little: 2 MiB.
ok "KReclaimable dropped by the $((pooled * 4)) kB drained (-2 MiB)" \
	test $((kre0 - kre1)) -ge $((pooled * 4 - 2048))
# What went into a pool came out again: free_pooled = hits + trim + shrinker
# + drain + released-at-switch + still pooled, where released-at-switch is
# release_switch minus the freed old-path pages (returned - free_pooled - cap).
for p in ttm_pool_stress32 ttm_pool_stress64; do
	awk -F': ' '{ v[$1] = $2 }
	     END {
		in_ = v["free_pooled_pages"]
		sw = v["release_switch_pages"] - (v["returned_pages"] - in_ - v["release_cap_pages"])
		out = v["alloc_hit_pages"] + v["release_trim_pages"] + v["release_shrinker_pages"] +
		      v["release_drain_pages"] + sw + v["pooled_pages"]
		print in_, out
		exit in_ != out }' $D/$p >$W/flow.$p
	ok "$p: pages into the pool = pages out + pooled ($(cat $W/flow.$p))" test $? -eq 0
done
ok "unload the exerciser" rmmod ttm_pool_stress
done_line=$(dmesg | grep 'ttm_pool_stress: done:' | tail -n 1)
get() { echo "$done_line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
is "exerciser: no failed pattern, address or error" "$(get failures)" 0
ok "exerciser: did work" test "$(get ops)" -gt 0
is "exerciser: hits + misses are the pages it got" "$handed" "$(get pages)"
is "exerciser: every injected -ENOMEM was counted by alloc_failures" "$failures" "$(get enomem)"
if [ -d $F ]; then
	ok "fault injection made allocations fail" test "$(get enomem)" -gt 0
fi
is "dumb buffers: every check passed" "$(count $W/dumbbuf.fail)" 0
ok "dumb buffers: ran" test "$(count $W/dumbbuf.runs)" -gt 0
ok "dumb buffers: bochs evicted to the pool" test "$(cat $T/pools/$B/stats/alloc_miss_pages)" -gt 0
is "bochs: in use back to where it started" "$(cat $T/pools/$B/inuse_pages)" "$bochs_inuse0"
is "control plane: no ttm-poolctl set failed" "$(count $W/ctl.fail)" 0
sed 's/^/# /' $W/ctl.err 2>/dev/null | head -n 5
is "samples: caching types always added up" "$(count $W/sample.bad)" 0
ok "samples: taken" test "$(count $W/samples)" -gt 0
ok "the shrinker released pages ($shrunk)" test "$shrunk" -gt 0

# 5. driver lifetime: unbind and rebind bochs under readers
(
	while [ ! -f $W/stop2 ]; do
		cat $T/pools/*/* $D/* >/dev/null 2>&1
	done
) &
exec 3<$T/pools/$B/pooled_pages
for i in 1 2 3; do
	echo $B >/sys/bus/pci/drivers/bochs-drm/unbind
	[ -e $T/pools/$B ] && echo "still there" >>$W/rebind.bad
	echo $B >/sys/bus/pci/drivers/bochs-drm/bind
	[ -d $T/pools/$B ] || echo "missing" >>$W/rebind.bad
done
cat <&3 >/dev/null 2>&1 && echo "stale read" >>$W/rebind.bad
exec 3<&-
touch $W/stop2
wait
is "unbind/rebind x3 under readers: directory gone and back" "$(count $W/rebind.bad)" 0

ttm-poolctl drain --all >/dev/null
free1=$(meminfo MemFree)
# MemFree comes back within 16 MiB of the start (kernel caches, logs).
ok "MemFree back within 16 MiB ($free0 -> $free1 kB)" test $((free0 - free1)) -le 16384

secs=$(($(date +%s) - start_s))
cat <<SUM
# ---- stress summary ($([ $SWIOTLB = 1 ] && echo "swiotlb=force, ")${secs}s, workload ${DUR}s)
# exerciser: $(get ops) tts, $(get pages) pages, $(get enomem) injected -ENOMEM
# dumb buffers: $(count $W/dumbbuf.runs) runs of 20 buffers
# control plane: $(count $W/ctl.ops) writes/drains/scans, readers: $(count $W/reads) rounds
# samples: $(count $W/samples), $(cat $W/hog.log)
# shrinker released: $shrunk pages; fault injection: $(get enomem) failed allocations
SUM
done_testing
