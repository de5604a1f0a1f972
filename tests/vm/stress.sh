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
# Every control command's failure is a test failure; nothing is waited for by a
# fixed sleep (the exerciser says when its threads have stopped).
. /tests/lib/tap.sh
. /tests/lib/pool.sh

B=0000:00:02.0
MOD=/lib/ttm-tests/ttm_pool_stress.ko
PARAM=/sys/module/ttm_pool_stress/parameters
THREADS=2
DUR=$(cat /root/stress-duration 2>/dev/null || echo 15)
SWIOTLB=0
grep -qw swiotlb=force /proc/cmdline && SWIOTLB=1
W=/tmp/stress
rm -rf $W
mkdir -p $W
need "ttm_pool_stress.ko is in the initramfs" test -f $MOD
need "ttm-poolctl is in the initramfs" command -v ttm-poolctl
need "dumbbuf and memhog are in the initramfs" sh -c "command -v dumbbuf && command -v memhog"
need "bochs ($B) has a pool" test -d $T/pools/$B

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
count() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# ctl NAME CMD...: a control-plane command: "NAME" to ctl.ops if it succeeded,
# "NAME: its error" to ctl.fail if not
ctl() {
	_n=$1
	shift
	if "$@" >/dev/null 2>$W/ctl.err1; then
		echo "$_n" >>$W/ctl.ops
	else
		echo "$_n: $(head -n 1 $W/ctl.err1)" >>$W/ctl.fail
	fi
}
ops() { cat $W/ctl.ops 2>/dev/null | awk -v k="$1" '$0 == k { n++ } END { print n + 0 }'; }
start_s=$(date +%s)
echo 3 >/proc/sys/vm/drop_caches
free0=$(meminfo MemFree)
gmax0=$(cat $T/pool_max_pages)
bochs_inuse0=$(inuse_signed $B)
is "bochs: the signed in-use count agrees with inuse_pages" "$bochs_inuse0" \
	"$(cat $T/pools/$B/inuse_pages)"

# --- workloads ------------------------------------------------------------------
ok "load the exerciser" insmod $MOD threads=$THREADS check_bounce=$SWIOTLB
S32=$T/pools/ttm_pool_stress32
S64=$T/pools/ttm_pool_stress64
need "its pools appear" test -d $S32 -a -d $S64

# What auto chose for the three pools with a device: swiotlb=force bounces every
# mapping of the page path, so the coherent one; else the page path.
if [ $SWIOTLB = 1 ]; then
	want="coherent|swiotlb forces bouncing|1"
else
	want="page|page path DMA is direct|0"
fi
for p in $B ttm_pool_stress32 ttm_pool_stress64; do
	is "$p: auto resolves to ${want%%|*} (effective_path, path_reason, swiotlb_force)" \
		"$(cat $T/pools/$p/effective_path)|$(dump_get $p path_reason)|$(dump_get $p swiotlb_force)" \
		"$want"
done

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
			ctl set ttm-poolctl set $p max=$((64 + i % 5 * 512)) high=$((32 + i % 3 * 8)) low=16
		done
		ctl global sh -c "echo $((100000 + i % 7 * 1000)) > $T/pool_max_pages"
		# direct shrinker scans (SHRINKER_DEBUG), before the drain empties the pools;
		# an unmatched glob is a failed write too
		for s in /sys/kernel/debug/shrinker/drm-ttm_pool*/scan; do
			ctl scan sh -c "echo '0 0 200' > $s"
		done
		ctl drain ttm-poolctl drain --all
		for p in $B ttm_pool_stress32 ttm_pool_stress64; do
			# auto, on, off, on; and the old words now and then
			ctl prezero sh -c "echo $(echo auto on off 1 auto on 0 on | cut -d' ' -f$((i % 8 + 1))) > $T/pools/$p/prezero"
		done
		if [ $SWIOTLB = 0 ]; then
			for p in $B ttm_pool_stress32 ttm_pool_stress64; do
				case $((i % 3)) in
				0) w=auto ;; 1) w=coherent ;; 2) w=page ;;
				esac
				ctl path sh -c "echo $w > $T/pools/$p/alloc_path"
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
(	# samples: a debugfs dump is one snapshot; its three caching rows add up to
	# its pooled_pages (a dump without them is a bad sample too)
	while [ ! -f $W/stop ]; do
		for f in $D/*; do
			[ "${f##*/}" = all ] && continue
			cat $f >$W/sample 2>/dev/null || continue
			if ! awk '/^pooled_pages: / { total = $2; nt++ }
			     /^(uc|wc|cached) / { rows++; for (i = 2; i <= NF; i++) sum += $i }
			     END { exit !(nt == 1 && rows == 3 && total == sum) }' $W/sample; then
				echo "$f" >>$W/sample.bad
				[ -f $W/sample.bad.txt ] || cp $W/sample $W/sample.bad.txt
			fi
			echo s >>$W/samples
		done
	done
) &
# 4. memory pressure: map and touch most of the free memory, again and again
memhog $(( $(meminfo MemAvailable) / 1024 * 80 / 100 )) $W/stop >$W/hog.log 2>&1 &

# 6. fault injection on the exerciser's threads (and nothing else: task-filter)
# for the middle third. `times` counts down once per injected failure.
F=/sys/kernel/debug/fail_page_alloc
TIMES=1000000000
third=$((DUR / 3 + 1))
sleep $third
ok "fail_page_alloc is in debugfs" test -d $F
times0=$(cat $F/times)
ok "set up fail_page_alloc (10%, every order, task-filter)" sh -c \
	"echo N >$F/ignore-gfp-wait && echo N >$F/ignore-gfp-highmem && echo Y >$F/task-filter &&
	 echo 0 >$F/verbose && echo $TIMES >$F/times && echo 1 >$F/interval &&
	 echo 0 >$F/min-order"
marked=0
for c in /proc/[0-9]*/comm; do
	case $(cat $c 2>/dev/null) in
	ttm_pool_stress*) echo 1 >${c%/comm}/make-it-fail && marked=$((marked + 1)) ;;
	esac
done
is "make-it-fail is set on every exerciser thread" "$marked" $((2 * THREADS))
enomem_a=$(cat $PARAM/enomem)
ok "fault injection on" sh -c "echo 10 > $F/probability"
sleep $third
# Most page allocations that fail have a smaller order to fall back on: a tt fails
# rarely. Keep injecting (bounded) until one did.
wait_until 60 sh -c "[ \$(cat $PARAM/enomem) -gt $enomem_a ]"
ok "fault injection off" sh -c "echo 0 > $F/probability"
enomem_b=$(cat $PARAM/enomem)
injected=$((TIMES - $(cat $F/times)))
echo "$times0" >$F/times
for c in /proc/[0-9]*/comm; do
	case $(cat $c 2>/dev/null) in
	ttm_pool_stress*) echo 0 >${c%/comm}/make-it-fail ;;
	esac
done
# Only the exerciser's threads could be failed: the count proves they were, and
# their -ENOMEMs in the window that their allocations did fail.
ok "fault injection failed page allocations of the exerciser's threads ($injected)" \
	test "$injected" -gt 0
ok "...and their tts failed with -ENOMEM ($((enomem_b - enomem_a)) in the window)" \
	test $((enomem_b - enomem_a)) -gt 0
sleep $third

# --- stop and check -------------------------------------------------------------
touch $W/stop
wait
ok "pause the exerciser" sh -c "echo 1 > $PARAM/pause"
ok "all its threads stopped between two tts" \
	wait_until 120 sh -c "[ \$(cat $PARAM/paused_threads) -eq $((2 * THREADS)) ]"
handed=0; failures=0
shrunk=$(cat $T/pools/*/stats/release_shrinker_pages | awk '{ s += $1 } END { print s + 0 }')
for p in $S32 $S64; do
	handed=$((handed + $(cat $p/stats/alloc_hit_pages) + $(cat $p/stats/alloc_miss_pages)))
	failures=$((failures + $(cat $p/stats/alloc_failures)))
	is "${p##*/}: nothing in use once the threads are idle" "$(cat $p/inuse_pages)" 0
	is "${p##*/}: ...hits + misses - returned is exactly 0" "$(inuse_signed ${p##*/})" 0
done
for p in $B ttm_pool_stress32 ttm_pool_stress64; do
	sw=$(cat $T/pools/$p/stats/path_switches)
	if [ $SWIOTLB = 0 ]; then
		ok "$p: the control plane switched its path ($sw switches)" test "$sw" -gt 0
	else
		is "$p: no path switch (the control plane leaves the path alone here)" "$sw" 0
	fi
done
# The pools are the only users of NR_KERNEL_MISC_RECLAIMABLE (KReclaimable minus the
# slab's share, which moves on its own): with the per-CPU deltas folded
# (vm.stat_refresh) it equals the pages pooled, exactly, when nothing moves.
# settled: pooled_pages the same before and after the fold; "MISC POOLED" to $W/misc
settled() {
	_p1=$(cat $T/pooled_pages)
	echo 1 >/proc/sys/vm/stat_refresh || return 1
	_m=$(vmstat nr_kernel_misc_reclaimable)
	[ "$_p1" = "$(cat $T/pooled_pages)" ] && echo "$_m $_p1" >$W/misc
}
rm -f $W/misc
wait_until 10 settled
pooled=$(cut -d' ' -f2 $W/misc)
ok "there are pooled pages to drain ($pooled)" test "${pooled:-0}" -gt 0
is "nr_kernel_misc_reclaimable = pages pooled, exactly" "$(cut -d' ' -f1 $W/misc)" "$pooled"
ok "drain --all" ttm-poolctl drain --all
is "after drain --all the global pooled_pages is 0" "$(cat $T/pooled_pages)" 0
ok "every pooled_* is 0" sh -c "cat $T/pools/*/pooled*_pages | awk '{ s += \$1 } END { exit s }'"
rm -f $W/misc
wait_until 10 settled
is "nr_kernel_misc_reclaimable is 0 after the drain, exactly" "$(cat $W/misc)" "0 0"
# What went into a pool came out again: free_pooled = hits + trim + evict +
# shrinker + drain + released-at-switch + still pooled, where released-at-switch is
# release_switch minus the freed old-path pages (returned - free_pooled - cap).
# A dump without one of the fields fails (no 0 = 0), and so does a pool nothing
# went into.
for p in ttm_pool_stress32 ttm_pool_stress64; do
	awk -F': ' '{ v[$1] = $2; n[$1]++ }
	     END {
		k = split("free_pooled_pages release_switch_pages returned_pages release_cap_pages alloc_hit_pages release_trim_pages release_evict_pages release_shrinker_pages release_drain_pages pooled_pages", f, " ")
		for (i = 1; i <= k; i++)
			if (n[f[i]] != 1) { print "no single field " f[i]; exit 2 }
		in_ = v["free_pooled_pages"]
		sw = v["release_switch_pages"] - (v["returned_pages"] - in_ - v["release_cap_pages"])
		out = v["alloc_hit_pages"] + v["release_trim_pages"] + v["release_evict_pages"] +
		      v["release_shrinker_pages"] +
		      v["release_drain_pages"] + sw + v["pooled_pages"]
		printf "%.0f %.0f\n", in_, out
		if (in_ == 0) exit 3
		exit in_ != out }' $D/$p >$W/flow.$p
	rc=$?
	ok "$p: pages into the pool = pages out + pooled ($(cat $W/flow.$p))" test $rc -eq 0
done
sum_stat() { cat $T/pools/*/stats/$1 | awk '{ s += $1 } END { print s + 0 }'; }
clearing="$(sum_stat cleared_background_pages) pages in the background, $(sum_stat cleared_alloc_pages) on allocation, $(sum_stat cleared_wasted_pages) wasted"
ok "unload the exerciser" rmmod ttm_pool_stress
done_line=$(dmesg | grep 'ttm_pool_stress: done:' | tail -n 1)
need "the exerciser logged its results" test -n "$done_line"
get() { echo "$done_line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
is "exerciser: no failed pattern, address or error" "$(get failures)" 0
is "exerciser: no page of a tt that needs zeroes had a non-zero byte ($(get zero_pages) checked)" \
	"$(get unclean)" 0
ok "exerciser: checked pages that must be zero" test "$(get zero_pages)" -gt 0
ok "exerciser: did work" test "$(get ops)" -gt 0
is "exerciser: hits + misses are the pages it got" "$handed" "$(get pages)"
is "exerciser: every -ENOMEM was counted by alloc_failures" "$failures" "$(get enomem)"
is "dumb buffers: every check passed" "$(count $W/dumbbuf.fail)" 0
ok "dumb buffers: ran" test "$(count $W/dumbbuf.runs)" -gt 0
ok "dumb buffers: bochs evicted to the pool" test "$(cat $T/pools/$B/stats/alloc_miss_pages)" -gt 0
is "bochs: in use back to where it started (signed, exactly)" "$(inuse_signed $B)" "$bochs_inuse0"
is "control plane: no command failed" "$(count $W/ctl.fail)" 0
sed 's/^/# /' $W/ctl.fail 2>/dev/null | head -n 5
for k in set global scan drain prezero; do
	ok "control plane: '$k' done ($(ops $k) times)" test "$(ops $k)" -gt 0
done
[ $SWIOTLB = 0 ] && ok "control plane: 'path' done ($(ops path) times)" test "$(ops path)" -gt 0
is "samples: caching types always added up" "$(count $W/sample.bad)" 0
sed 's/^/# /' $W/sample.bad.txt 2>/dev/null | head -n 30
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
	echo $B >/sys/bus/pci/drivers/bochs-drm/unbind || echo "unbind failed" >>$W/rebind.bad
	[ -e $T/pools/$B ] && echo "still there" >>$W/rebind.bad
	echo $B >/sys/bus/pci/drivers/bochs-drm/bind || echo "bind failed" >>$W/rebind.bad
	[ -d $T/pools/$B ] || echo "missing" >>$W/rebind.bad
done
cat <&3 >/dev/null 2>&1 && echo "stale read" >>$W/rebind.bad
exec 3<&-
touch $W/stop2
wait
is "unbind/rebind x3 under readers: directory gone and back" "$(count $W/rebind.bad)" 0
sed 's/^/# /' $W/rebind.bad 2>/dev/null | head -n 5

ok "the global cap back to $gmax0" sh -c "echo $gmax0 > $T/pool_max_pages"
ok "drain --all" ttm-poolctl drain --all
echo 3 >/proc/sys/vm/drop_caches
free1=$(meminfo MemFree)
# MemFree comes back to where it was, but for what the kernel keeps out of it for
# a while: KASAN's quarantine holds freed slab objects up to 1/32 of RAM
# (QUARANTINE_FRACTION) and the run fills it; 16 MiB more for the per-CPU page
# lists, slab growth and the logs in /tmp. A leak of pages beyond that fails.
slack=$(($(meminfo MemTotal) / 32 + 16384))
ok "MemFree back within $slack kB ($free0 -> $free1 kB)" test $((free0 - free1)) -le $slack

secs=$(($(date +%s) - start_s))
cat <<SUM
# ---- stress summary ($([ $SWIOTLB = 1 ] && echo "swiotlb=force, ")${secs}s, workload ${DUR}s, $(nproc) CPUs)
# exerciser: $(get ops) tts, $(get pages) pages, $(get enomem) -ENOMEM ($injected injected failures)
# dumb buffers: $(count $W/dumbbuf.runs) runs of 20 buffers
# control plane: $(count $W/ctl.ops) writes/drains/scans, readers: $(count $W/reads) rounds
# clearing (all pools, before the exerciser left): $clearing
# samples: $(count $W/samples), $(cat $W/hog.log)
# shrinker released: $shrunk pages
SUM
done_testing
