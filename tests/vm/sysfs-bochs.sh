#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The sysfs and debugfs interface of a device's pool (bochs: a pool with a
# device): modes, values, the effect of every writable file on the counters,
# the bad-input table, permissions, and unbind/rebind under a reader.
# Every hold/unhold of pages (the ttm_pool_hold module) is a test point, and what
# a check needs in the pool (pages pooled, pages in use) is asserted before it, so no
# check passes on an empty pool. "Nothing in use" is checked on the signed count
# (hits + misses - returned, from the dump): sysfs inuse_pages is clamped at 0.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool

need "bochs ($DEV) has a pool directory" test -d "$P"
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"

mode() { stat -c %a "$1"; }
val() { cat "$1"; }
hold() { insmod $HOLD pool=$DEV pages="$1" caching="$2"; }
unhold() { rmmod ttm_pool_hold; }
# cycle N CACHING: hold N pages and give them back, both asserted
cycle() {
	ok "hold $1 $2 pages" hold "$1" "$2"
	ok "...and give them back" unhold
}

# --- layout and modes -------------------------------------------------------
is "pool_max_pages is 0644" "$(mode $T/pool_max_pages)" 644
is "global pooled_pages is 0444" "$(mode $T/pooled_pages)" 444
for f in driver numa_node dma32 effective_path pooled_pages pooled_wc_pages \
	pooled_uc_pages pooled_cached_pages inuse_pages clean_pages dirty_pages; do
	is "$f is 0444" "$(mode $P/$f)" 444
done
for f in alloc_path max_pages high_watermark_pages low_watermark_pages prezero; do
	is "$f is 0644" "$(mode $P/$f)" 644
done
is "drain is 0200" "$(mode $P/drain)" 200
for f in alloc_hit_pages alloc_miss_pages alloc_coherent_pages alloc_page_pages \
	alloc_failures free_pooled_pages release_cap_pages release_trim_pages \
	release_shrinker_pages release_drain_pages release_switch_pages \
	caching_change_batches caching_change_pages path_switches \
	cleared_background_pages cleared_alloc_pages cleared_wasted_pages; do
	ok "stats/$f is a 0444 number" sh -c \
		"[ \$(stat -c %a $S/$f) = 444 ] && grep -qxE '[0-9]+' $S/$f"
done
is "device links to the PCI device" "$(readlink -f $P/device)" \
	"$(readlink -f /sys/bus/pci/devices/$DEV)"
is "nothing of ours in the device's directory" \
	"$(ls /sys/bus/pci/devices/$DEV | grep -c '^ttm')" 0
is "driver" "$(val $P/driver)" bochs-drm
is "numa_node" "$(val $P/numa_node)" -1
ok "dma32 is 0 or 1" grep -qxE '[01]' $P/dma32
is "alloc_path shows the choice in brackets" "$(val $P/alloc_path)" \
	"[auto] coherent page"
is "effective_path" "$(val $P/effective_path)" page
is "debugfs dump is root-only (0400)" "$(mode $D/$DEV)" 400
is "debugfs all is root-only (0400)" "$(mode $D/all)" 400
is "...both owned by root" "$(stat -c %u $D/$DEV $D/all | tr '\n' ' ')" "0 0 "
is "debugfs dump starts with its version" "$(head -n 1 $D/$DEV)" \
	"ttm_pool dump v2"
ok "debugfs dump names the pool" grep -qx "name: $DEV" $D/$DEV
ok "debugfs all holds the pool" grep -qx "name: $DEV" $D/all
ok "the dump shows no addresses" sh -c "! grep -qiE '0x[0-9a-f]{8}' $D/all"

# --- counters move -----------------------------------------------------------
ok "drain before counting" sh -c "echo 1 > $P/drain"
inuse=$(val $P/inuse_pages)
inuse_s=$(inuse_signed $DEV)
is "the signed in-use count of the dump agrees with inuse_pages" "$inuse_s" "$inuse"
miss=$(val $S/alloc_miss_pages)
ok "hold 16 write-combined pages" hold 16 wc
is "inuse_pages +16" "$(val $P/inuse_pages)" $((inuse + 16))
is "...and the signed count +16" "$(inuse_signed $DEV)" $((inuse_s + 16))
is "alloc_miss_pages +16" "$(val $S/alloc_miss_pages)" $((miss + 16))
ok "give them back" unhold
is "inuse_pages back" "$(val $P/inuse_pages)" "$inuse"
is "signed in-use count back, exactly (no double free)" "$(inuse_signed $DEV)" "$inuse_s"
is "pooled_wc_pages 16" "$(val $P/pooled_wc_pages)" 16
is "caching types add up" "$(val $P/pooled_pages)" \
	$(($(val $P/pooled_wc_pages) + $(val $P/pooled_uc_pages) + $(val $P/pooled_cached_pages)))
ok "global pooled_pages counts them" test "$(val $T/pooled_pages)" -ge 16
hit=$(val $S/alloc_hit_pages)
cycle 16 wc
is "a second hold is served from the pool" "$(val $S/alloc_hit_pages)" $((hit + 16))
is "signed in-use count still back where it was" "$(inuse_signed $DEV)" "$inuse_s"

# --- drain --------------------------------------------------------------------
drained=$(val $S/release_drain_pages)
pooled=$(val $P/pooled_pages)
ok "there is something to drain ($pooled)" test "$pooled" -gt 0
ok "write 1 to drain" sh -c "echo 1 > $P/drain"
is "drain empties the pool" "$(val $P/pooled_pages)" 0
is "release_drain_pages counts them" "$(val $S/release_drain_pages)" \
	$((drained + pooled))

# --- max_pages and watermarks --------------------------------------------------
max0=$(val $P/max_pages)
cycle 16 cached
trim=$(val $S/release_trim_pages)
pooled=$(val $P/pooled_pages)
ok "more than 4 pages are pooled ($pooled)" test "$pooled" -gt 4
ok "lower max_pages to 4" sh -c "echo 4 > $P/max_pages"
# Whole chunks are released: at most 4 pages stay.
ok "lowering max_pages trims at once" test "$(val $P/pooled_pages)" -le 4
is "release_trim_pages counts what went" "$(val $S/release_trim_pages)" \
	$((trim + pooled - $(val $P/pooled_pages)))
is "the watermarks follow max_pages down" \
	"$(val $P/high_watermark_pages) $(val $P/low_watermark_pages)" "4 4"
cap=$(val $S/release_cap_pages)
cycle 8 cached
is "a free above max_pages releases the rest (cap)" \
	"$(val $S/release_cap_pages)" $((cap + 8))
ok "max_pages 0 disables pooling" sh -c "echo 0 > $P/max_pages"
is "...and empties the pool" "$(val $P/pooled_pages)" 0
echo 100 >$P/max_pages
ok "set high_watermark_pages 6" sh -c "echo 6 > $P/high_watermark_pages"
ok "set low_watermark_pages 2" sh -c "echo 2 > $P/low_watermark_pages"
trim=$(val $S/release_trim_pages)
cycle 10 cached	# chunks of 8 and 2 pages
# The worker runs after the free: wait for it (bounded), then check the result.
wait_until 10 sh -c "[ \$(cat $P/pooled_pages) -le 2 ]"
is "above high, the worker trims down to low" "$(val $P/pooled_pages)" 2
is "...counted in release_trim_pages" "$(val $S/release_trim_pages)" $((trim + 8))
ok "max_pages back to $max0" sh -c "echo $max0 > $P/max_pages"
ok "the watermarks back to $max0" sh -c \
	"echo $max0 > $P/high_watermark_pages && echo $max0 > $P/low_watermark_pages"

# --- alloc_path ----------------------------------------------------------------
cycle 4 wc
pooled=$(val $P/pooled_pages)
ok "pages are pooled before the switch ($pooled)" test "$pooled" -gt 0
sw=$(val $S/path_switches)
rel=$(val $S/release_switch_pages)
ok "switch to coherent" sh -c "echo coherent > $P/alloc_path"
is "alloc_path shows it" "$(val $P/alloc_path)" "auto [coherent] page"
is "effective_path follows" "$(val $P/effective_path)" coherent
is "path_switches +1" "$(val $S/path_switches)" $((sw + 1))
is "pages pooled by the old path are released" "$(val $P/pooled_pages)" 0
is "release_switch_pages counts them" "$(val $S/release_switch_pages)" \
	$((rel + pooled))
coh=$(val $S/alloc_coherent_pages)
cycle 4 wc
is "new pages come from the coherent path" "$(val $S/alloc_coherent_pages)" \
	$((coh + 4))
ok "a trailing newline is fine" sh -c "printf 'auto\n' > $P/alloc_path"
is "back to auto" "$(val $P/alloc_path)" "[auto] coherent page"
is "auto resolves to page here" "$(val $P/effective_path)" page

# --- bad input changes nothing ---------------------------------------------------
big=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 4 * 2 + 1000000 ))
long=$(head -c 4096 /dev/zero | tr '\0' '7')
bad_write() { # FILE VALUE: the write must fail and the file keep its value
	before=$(cat "$1" 2>/dev/null)
	snap=$(cat $P/pooled_pages $S/* | tr '\n' ' ')
	if printf '%s' "$2" >"$1" 2>/dev/null; then
		echo "# write of '$(printf '%s' "$2" | head -c 40)' to $1 succeeded"
		return 1
	fi
	[ "$(cat "$1" 2>/dev/null)" = "$before" ] || return 1
	[ "$(cat $P/pooled_pages $S/* | tr '\n' ' ')" = "$snap" ] || return 1
}
is "prezero is auto by default" "$(val $P/prezero)" "[auto] on off"
# on: the worker clears every freed page (auto leaves 4 pages dirty)
ok "prezero: write on" sh -c "echo on > $P/prezero"
cycle 4 cached
ok "pages are pooled for the bad-input table" test "$(val $P/pooled_pages)" -gt 0
# the clearing worker changes a counter: let it finish first
ok "the clearing worker cleared them (dirty_pages 0)" \
	wait_until 10 sh -c "[ \$(cat $P/dirty_pages) = 0 ]"
for f in $P/max_pages $P/high_watermark_pages $P/low_watermark_pages \
	$T/pool_max_pages $P/drain $P/alloc_path $P/prezero; do
	name=${f#$T/}
	for v in "
" "   " "-1" "0x10" "0xzz" "12abc" "1 2" "18446744073709551616" "bogus" \
		"$long" "$big"; do
		[ "$v" = "$big" ] && case $name in */alloc_path | */drain | */prezero) continue ;; esac
		label=$(printf '%s' "$v" | head -c 12 | tr '\n' 'n')
		ok "$name rejects '$label'" bad_write "$f" "$v"
	done
done
ok "drain rejects 0" bad_write $P/drain 0
ok "drain rejects 2" bad_write $P/drain 2
ok "high above max_pages is rejected" bad_write $P/high_watermark_pages \
	$(($(val $P/max_pages) + 1))
ok "low above high is rejected" bad_write $P/low_watermark_pages \
	$(($(val $P/high_watermark_pages) + 1))

# --- prezero: background clearing ------------------------------------------------
is "prezero reads on, in brackets" "$(val $P/prezero)" "auto [on] off"
ok "prezero: write 0" sh -c "echo 0 > $P/prezero"
is "...reads off" "$(val $P/prezero)" "auto on [off]"
bg0=$(val $S/cleared_background_pages)
cycle 8 wc
is "prezero 0: freed pages stay dirty (8 wc)" "$(val $P/dirty_pages)" 8
is "...nothing cleared in the background" "$(val $S/cleared_background_pages)" "$bg0"
is "clean + dirty = pooled" "$(($(val $P/clean_pages) + $(val $P/dirty_pages)))" \
	"$(val $P/pooled_pages)"
for w in auto on off yes no y n true false auto 1; do
	ok "prezero accepts '$w'" sh -c "echo $w > $P/prezero"
done
is "...and reads on after the last (1)" "$(val $P/prezero)" "auto [on] off"
ok "prezero 1: the worker clears the 8 (dirty_pages 0)" \
	wait_until 10 sh -c "[ \$(cat $P/dirty_pages) = 0 ]"
is "...cleared_background_pages counted them" \
	"$(($(val $S/cleared_background_pages) - bg0))" 8
is "...all pooled pages are clean" "$(val $P/clean_pages)" "$(val $P/pooled_pages)"
wasted0=$(val $S/cleared_wasted_pages)
pooled=$(val $P/pooled_pages)
ok "drain" sh -c "echo 1 > $P/drain"
is "a drain of clean pages counts them in cleared_wasted_pages" \
	"$(($(val $S/cleared_wasted_pages) - wasted0))" "$pooled"

# --- prezero auto and the policy's costs (debugfs pool_policy/) -------------------
POL=/sys/kernel/debug/ttm/pool_policy
dumpv() { awk -v k="$1" 'index($0, k ": ") == 1 { print substr($0, length(k) + 3) }' \
	/sys/kernel/debug/ttm/pools/$DEV; }
is "pool_policy/clear_page_ns is 0600" "$(mode $POL/clear_page_ns)" 600
is "pool_policy/wake_ns is 0600" "$(mode $POL/wake_ns)" 600
c0=$(val $POL/clear_page_ns)
w0=$(val $POL/wake_ns)
ok "the measured costs are positive numbers" sh -c "[ '$c0' -gt 0 ] && [ '$w0' -gt 0 ]"
for v in "-1" "0xzz" "12abc" "1 2" "10000001" "4294967296" "bogus"; do
	ok "clear_page_ns rejects '$v'" sh -c "! printf '%s' '$v' > $POL/clear_page_ns 2>/dev/null"
	ok "wake_ns rejects '$v'" sh -c "! printf '%s' '$v' > $POL/wake_ns 2>/dev/null"
done
is "...both unchanged" "$(val $POL/clear_page_ns) $(val $POL/wake_ns)" "$c0 $w0"
ok "set the costs: a clear 500 ns, a wakeup 5000 ns" \
	sh -c "echo 500 > $POL/clear_page_ns && echo 5000 > $POL/wake_ns"
is "the dump shows them, set" \
	"$(dumpv clear_page_ns) $(dumpv clear_page_ns_source) $(dumpv wake_ns) $(dumpv wake_ns_source)" \
	"500 set 5000 set"
is "...and 200 dirty pages worth a wakeup" "$(dumpv wake_min_pages)" 200
ok "prezero auto" sh -c "echo auto > $P/prezero"
is "...reads auto" "$(val $P/prezero)" "[auto] on off"
ok "drain" sh -c "echo 1 > $P/drain"
bg0=$(val $S/cleared_background_pages)
cycle 8 wc
want=8
grep -qw init_on_free=1 /proc/cmdline && want=0
is "auto: the 8 freed pages wait, below a wakeup's worth (pending_pages)" \
	"$(dumpv pending_pages)" $want
is "...dirty" "$(val $P/dirty_pages)" $want
ok "unset the costs (0: measured again)" \
	sh -c "echo 0 > $POL/clear_page_ns && echo 0 > $POL/wake_ns"
is "...the dump says measured" "$(dumpv clear_page_ns_source) $(dumpv wake_ns_source)" \
	"measured measured"
is "...nothing was cleared in the background meanwhile" \
	"$(val $S/cleared_background_pages)" "$bg0"
ok "drain" sh -c "echo 1 > $P/drain"

# --- permissions ------------------------------------------------------------------
nobody() { su -s /bin/sh nobody -c "$1"; }
not_nobody() { ! su -s /bin/sh nobody -c "$1" >/dev/null 2>&1; }
is "...uid 65534" "$(nobody 'id -u')" 65534
before=$(val $P/max_pages)
ok "nobody cannot write max_pages" not_nobody "echo 1 > $P/max_pages"
is "...and it is unchanged" "$(val $P/max_pages)" "$before"
ok "nobody cannot drain" not_nobody "echo 1 > $P/drain"
ok "nobody cannot write pool_max_pages" not_nobody "echo 1 > $T/pool_max_pages"
ok "nobody can read the counters" nobody "cat $P/pooled_pages $S/path_switches"
# With only the file mode in the way, the kernel's own CAP_SYS_ADMIN check must
# refuse: make the files world-writable for a moment (as a udev rule could).
for f in $P/alloc_path $P/high_watermark_pages $P/low_watermark_pages $P/max_pages \
	$P/drain $T/pool_max_pages $P/prezero; do
	name=${f#$T/}
	case $name in
	*alloc_path) v=coherent ;; *drain) v=1 ;; *prezero) v=0 ;; *) v=3 ;;
	esac
	before=$(cat $f 2>/dev/null)
	snap=$(cat $P/pooled_pages $S/* | tr '\n' ' ')
	m=$(mode $f)
	chmod 0666 $f
	out=$(nobody "echo $v > $f" 2>&1)
	chmod "$m" $f
	ok "nobody writing $v to a world-writable $name gets EPERM" has "$out" "Operation not permitted"
	is "...and $name is unchanged" "$(cat $f 2>/dev/null)" "$before"
	is "...and so are the pool's counters" "$(cat $P/pooled_pages $S/* | tr '\n' ' ')" "$snap"
done
# debugfs's root is 0700: open it to nobody, so that the files' own modes decide.
debugfs_open
ok "nobody can read a 0444 debugfs file of TTM (page_pool)" nobody "cat /sys/kernel/debug/ttm/page_pool"
for f in $D/all $D/$DEV /sys/kernel/debug/ttm/page_pool_shrink; do
	out=$(nobody "cat $f" 2>&1)
	ok "nobody cannot read ${f#/sys/kernel/debug/}: Permission denied" has "$out" "Permission denied"
done
debugfs_close
is "debugfs's root is back to 0700" "$(mode /sys/kernel/debug)" 700

# --- unbind and rebind under a reader ---------------------------------------------
(
	while :; do
		cat $P/* $S/* $T/pools/*/pooled_pages >/dev/null 2>&1
		cat $D/all $D/$DEV >/dev/null 2>&1
	done
) &
reader=$!
exec 3<$P/pooled_pages
ok "unbind bochs-drm" sh -c "echo $DEV > /sys/bus/pci/drivers/bochs-drm/unbind"
ok "the pool directory is gone" test ! -e $P
ok "so is the debugfs dump" test ! -e $D/$DEV
ok "a file held open across unbind fails to read" sh -c "! cat <&3 >/dev/null 2>&1"
exec 3<&-
ok "bind it again" sh -c "echo $DEV > /sys/bus/pci/drivers/bochs-drm/bind"
ok "the pool directory is back" test -d $P
is "with fresh counters" "$(cat $S/* | awk '{ s += $1 } END { print s }')" 0
is "...and nothing in use (signed)" "$(inuse_signed $DEV)" 0
kill $reader
wait $reader 2>/dev/null
done_testing
