#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# Every field of the debugfs dump /sys/kernel/debug/ttm/pools/<name> against
# Documentation/ABI/testing/debugfs-ttm-pool (format version 2): the lines in
# the documented order and nothing else, and each value against what sysfs says
# of the same pool, taken while the pool holds pages in use and pooled pages of
# two caching types. pools/all holds the same dump.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
W=/tmp/dump-fields
rm -rf $W
mkdir -p $W
need "bochs ($DEV) has a pool" test -d "$P"
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"
hold() { insmod $HOLD pool=$DEV pages="$1" caching="$2"; }

# a quiet pool with something in every column: 16 cached and 8 wc pooled, 4 uc in use;
# prezero on, so that the worker clears all of them (auto would leave a few pages dirty)
ok "prezero on" sh -c "echo on > $P/prezero"
ok "drain" sh -c "echo 1 > $P/drain"
inuse0=$(cat $P/inuse_pages)
ok "hold 16 cached pages" hold 16 cached
ok "...give them back (pooled)" rmmod ttm_pool_hold
ok "hold 8 wc pages" hold 8 wc
ok "...give them back (pooled)" rmmod ttm_pool_hold
ok "hold 4 uc pages, kept" hold 4 uc
# the clearing worker changes counters: let it finish before the snapshot
ok "the clearing worker is done (dirty_pages 0)" \
	wait_until 10 sh -c "[ \$(cat $P/dirty_pages) = 0 ]"
cat $D/$DEV >$W/dump
cat $D/all >$W/all

# --- the lines, in order -------------------------------------------------------------
# The documented keys of format v2, then the table, then every counter of stats/
# in sysfs (in the kernel's order, checked below as a set) plus release_fini_pages
# and returned_pages.
{
	echo "ttm_pool dump v2"
	for k in name device driver numa_node dma32 dma_mask_bits alloc_path \
		effective_path path_reason swiotlb_force swiotlb_active max_pages \
		high_watermark_pages low_watermark_pages global_max_pages \
		global_pooled_pages pooled_pages inuse_pages prezero clear_page_ns \
		clear_page_ns_source wake_ns wake_ns_source wake_min_pages \
		demand_pages pending_pages clean_pages dirty_pages inject verify_clean; do
		echo "$k:"
	done
	echo "pooled_pages_by_order:"
	echo "caching"
	echo "uc"
	echo "wc"
	echo "cached"
	echo "stats:"
} >$W/want-head
# the dump's line keys: "key:" for "key: value", else the first word
awk 'NR == 1 { print; next } { print $1 }' $W/dump >$W/keys
n=$(wc -l <$W/want-head)
head -n "$n" $W/keys >$W/got-head
ok "the dump's lines up to stats: are the documented ones, in order" cmp -s $W/want-head $W/got-head
diff $W/want-head $W/got-head | sed 's/^/# /' | head -n 20
(ls $S; echo release_fini_pages; echo returned_pages) | sed 's/$/:/' | sort >$W/want-stats
tail -n +$((n + 1)) $W/keys | sort >$W/got-stats
ok "after stats: one line per counter of stats/, release_fini_pages, returned_pages" \
	cmp -s $W/want-stats $W/got-stats
diff $W/want-stats $W/got-stats | sed 's/^/# /' | head -n 20
ok "the first line is exactly the version" test "$(head -n 1 $W/dump)" = "ttm_pool dump v2"
ok "every key line is 'key: value' with a value" \
	sh -c "! grep -E '^[a-z_0-9]+:' $W/dump | grep -vE '^[a-z_0-9]+: [^ ]' | grep -v '^pooled_pages_by_order:$' | grep -v '^stats:$' | grep -q ."

# --- the values ----------------------------------------------------------------------
g() { awk -v k="$1" 'index($0, k ": ") == 1 { print substr($0, length(k) + 3) }' $W/dump; }
is "name" "$(g name)" "$DEV"
is "device: its dev_name" "$(g device)" "$(basename "$(readlink -f $P/device)")"
is "driver" "$(g driver)" "$(cat $P/driver)"
is "numa_node" "$(g numa_node)" "$(cat $P/numa_node)"
is "dma32" "$(g dma32)" "$(cat $P/dma32)"
is "dma_mask_bits: the device's DMA mask" "$(g dma_mask_bits)" \
	"$(cat /sys/bus/pci/devices/$DEV/dma_mask_bits)"
is "alloc_path: the word sysfs shows in brackets" "$(g alloc_path)" \
	"$(sed 's/.*\[\(.*\)\].*/\1/' $P/alloc_path)"
is "effective_path" "$(g effective_path)" "$(cat $P/effective_path)"
is "path_reason: why auto chose page here" "$(g path_reason)" "page path DMA is direct"
force=0
grep -qw swiotlb=force /proc/cmdline && force=1
is "swiotlb_force: 0 without swiotlb=force" "$(g swiotlb_force)" $force
ok "swiotlb_active is 0 or 1" sh -c "[ '$(g swiotlb_active)' = 0 ] || [ '$(g swiotlb_active)' = 1 ]"
for k in max_pages high_watermark_pages low_watermark_pages pooled_pages inuse_pages \
	clean_pages dirty_pages; do
	is "$k" "$(g $k)" "$(cat $P/$k)"
done
is "prezero: the word sysfs shows in brackets" "$(g prezero)" \
	"$(sed 's/.*\[\(.*\)\].*/\1/' $P/prezero)"
POL=/sys/kernel/debug/ttm/pool_policy
is "clear_page_ns: as pool_policy/clear_page_ns says" "$(g clear_page_ns)" "$(cat $POL/clear_page_ns)"
is "wake_ns: as pool_policy/wake_ns says" "$(g wake_ns)" "$(cat $POL/wake_ns)"
is "the costs are measured (nobody set them)" \
	"$(g clear_page_ns_source) $(g wake_ns_source)" "measured measured"
is "wake_min_pages: 20 wakeups' worth of clears, rounded up" "$(g wake_min_pages)" \
	$(( (20 * $(g wake_ns) + $(g clear_page_ns) - 1) / $(g clear_page_ns) ))
ok "demand_pages and pending_pages are numbers" \
	sh -c "echo '$(g demand_pages) $(g pending_pages)' | grep -qxE '[0-9]+ [0-9]+'"
is "clean_pages: all 24 pooled pages, cleared by the worker" "$(g clean_pages)" 24
QA=/sys/kernel/debug/ttm/qa/$DEV
is "inject: as qa/<pool>/inject says (off)" "$(g inject)" "$(cat $QA/inject)"
is "verify_clean: as qa/<pool>/verify_clean says (0)" "$(g verify_clean)" "$(cat $QA/verify_clean)"
is "global_max_pages is pool_max_pages" "$(g global_max_pages)" "$(cat $T/pool_max_pages)"
is "global_pooled_pages is the global pooled_pages" "$(g global_pooled_pages)" \
	"$(cat $T/pooled_pages)"
is "pooled_pages: 24 (16 cached, 8 wc)" "$(g pooled_pages)" 24
is "inuse_pages: the 4 held" "$(g inuse_pages)" $((inuse0 + 4))
is "the table's header: caching and the orders 0..10" "$(grep '^caching ' $W/dump)" \
	"caching 0 1 2 3 4 5 6 7 8 9 10"
for c in uc wc cached; do
	row=$(grep "^$c " $W/dump)
	is "row $c has 11 page counts" "$(echo "$row" | awk '{ print NF - 1 }')" 11
	is "row $c adds up to pooled_${c}_pages" "$(echo "$row" | awk '{ for (i = 2; i <= NF; i++) s += $i; print s }')" \
		"$(cat $P/pooled_${c}_pages)"
done
is "row cached: the 16-page chunk at order 4" "$(grep '^cached ' $W/dump | awk '{ print $6 }')" 16
is "row wc: the 8-page chunk at order 3" "$(grep '^wc ' $W/dump | awk '{ print $5 }')" 8
for c in $S/*; do
	is "stats: ${c##*/} is stats/${c##*/}" "$(g ${c##*/})" "$(cat $c)"
done
is "stats: release_fini_pages is 0 (the pool is alive)" "$(g release_fini_pages)" 0
is "stats: returned_pages = hits + misses - inuse" "$(g returned_pages)" \
	$(($(cat $S/alloc_hit_pages) + $(cat $S/alloc_miss_pages) - $(cat $P/inuse_pages)))
ok "no line holds a hex address" sh -c "! grep -qiE '0x[0-9a-f]' $W/dump"
# pools/all: the same dump, blank-line separated
awk -v n="name: $DEV" '/^$/ { if (hit) { printf "%s", b; hit = 0; exit } b = ""; next }
	{ b = b $0 "\n"; if ($0 == n) hit = 1 }
	END { if (hit) printf "%s", b }' $W/all >$W/all-one
ok "pools/all holds this dump, the same" cmp -s $W/dump $W/all-one
diff $W/dump $W/all-one | sed 's/^/# /' | head -n 10
ok "give back the 4 uc pages" rmmod ttm_pool_hold
is "in use back where it was (signed)" "$(inuse_signed $DEV)" "$inuse0"
ok "drain" sh -c "echo 1 > $P/drain"
# the scripts after this one in the boot expect the default
ok "prezero back to auto" sh -c "echo auto > $P/prezero"
done_testing
