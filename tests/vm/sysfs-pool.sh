#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The sysfs and debugfs interface of a device's pool (bochs: a pool with a
# device): modes, values, the effect of every writable file on the counters,
# the bad-input table, permissions, and unbind/rebind under a reader.
. /tests/lib/tap.sh

T=/sys/kernel/ttm
DEV=0000:00:02.0
P=$T/pools/$DEV
S=$P/stats
D=/sys/kernel/debug/ttm/pools
HOLD=/lib/ttm-tests/ttm_pool_hold.ko

[ -d "$P" ] || skip_all "no pool directory for $DEV"
[ -f "$HOLD" ] || skip_all "ttm_pool_hold.ko not built"

mode() { stat -c %a "$1"; }
val() { cat "$1"; }
hold() { insmod $HOLD pool=$DEV pages="$1" caching="$2"; }
unhold() { rmmod ttm_pool_hold; }

# --- layout and modes -------------------------------------------------------
is "pool_max_pages is 0644" "$(mode $T/pool_max_pages)" 644
is "global pooled_pages is 0444" "$(mode $T/pooled_pages)" 444
for f in driver numa_node dma32 effective_path pooled_pages pooled_wc_pages \
	pooled_uc_pages pooled_cached_pages inuse_pages; do
	is "$f is 0444" "$(mode $P/$f)" 444
done
for f in alloc_path max_pages high_watermark_pages low_watermark_pages; do
	is "$f is 0644" "$(mode $P/$f)" 644
done
is "drain is 0200" "$(mode $P/drain)" 200
for f in alloc_hit_pages alloc_miss_pages alloc_coherent_pages alloc_page_pages \
	alloc_failures free_pooled_pages release_cap_pages release_trim_pages \
	release_shrinker_pages release_drain_pages release_switch_pages \
	caching_change_batches caching_change_pages path_switches; do
	ok "stats/$f is a 0444 number" sh -c \
		"[ \$(stat -c %a $S/$f) = 444 ] && grep -qxE '[0-9]+' $S/$f"
done
is "device links to the PCI device" "$(readlink -f $P/device)" \
	"$(readlink -f /sys/bus/pci/devices/$DEV)"
is "the device links back to its pool" \
	"$(readlink -f /sys/bus/pci/devices/$DEV/ttm_pool)" "$(readlink -f $P)"
is "driver" "$(val $P/driver)" bochs-drm
is "numa_node" "$(val $P/numa_node)" -1
ok "dma32 is 0 or 1" grep -qxE '[01]' $P/dma32
is "alloc_path shows the choice in brackets" "$(val $P/alloc_path)" \
	"[auto] coherent page"
is "effective_path" "$(val $P/effective_path)" page
is "debugfs dump is root-only (0400)" "$(mode $D/$DEV)" 400
is "debugfs dump starts with its version" "$(head -n 1 $D/$DEV)" \
	"ttm_pool dump v1"
ok "debugfs dump names the pool" grep -qx "name: $DEV" $D/$DEV
ok "debugfs all holds the pool" grep -qx "name: $DEV" $D/all
ok "the dump shows no addresses" sh -c "! grep -qiE '0x[0-9a-f]{8}' $D/all"

# --- counters move -----------------------------------------------------------
echo 1 >$P/drain
inuse=$(val $P/inuse_pages)
miss=$(val $S/alloc_miss_pages)
ok "hold 16 write-combined pages" hold 16 wc
is "inuse_pages +16" "$(val $P/inuse_pages)" $((inuse + 16))
is "alloc_miss_pages +16" "$(val $S/alloc_miss_pages)" $((miss + 16))
ok "give them back" unhold
is "inuse_pages back" "$(val $P/inuse_pages)" "$inuse"
is "pooled_wc_pages 16" "$(val $P/pooled_wc_pages)" 16
is "caching types add up" "$(val $P/pooled_pages)" \
	$(($(val $P/pooled_wc_pages) + $(val $P/pooled_uc_pages) + $(val $P/pooled_cached_pages)))
ok "global pooled_pages counts them" test "$(val $T/pooled_pages)" -ge 16
hit=$(val $S/alloc_hit_pages)
hold 16 wc && unhold
is "a second hold is served from the pool" "$(val $S/alloc_hit_pages)" $((hit + 16))

# --- drain --------------------------------------------------------------------
drained=$(val $S/release_drain_pages)
pooled=$(val $P/pooled_pages)
ok "write 1 to drain" sh -c "echo 1 > $P/drain"
is "drain empties the pool" "$(val $P/pooled_pages)" 0
is "release_drain_pages counts them" "$(val $S/release_drain_pages)" \
	$((drained + pooled))

# --- max_pages and watermarks --------------------------------------------------
max0=$(val $P/max_pages)
hold 16 cached && unhold
trim=$(val $S/release_trim_pages)
pooled=$(val $P/pooled_pages)
ok "lower max_pages to 4" sh -c "echo 4 > $P/max_pages"
# Whole chunks are released: at most 4 pages stay.
ok "lowering max_pages trims at once" test "$(val $P/pooled_pages)" -le 4
is "release_trim_pages counts what went" "$(val $S/release_trim_pages)" \
	$((trim + pooled - $(val $P/pooled_pages)))
is "the watermarks follow max_pages down" \
	"$(val $P/high_watermark_pages) $(val $P/low_watermark_pages)" "4 4"
cap=$(val $S/release_cap_pages)
hold 8 cached && unhold
is "a free above max_pages releases the rest (cap)" \
	"$(val $S/release_cap_pages)" $((cap + 8))
ok "max_pages 0 disables pooling" sh -c "echo 0 > $P/max_pages"
is "...and empties the pool" "$(val $P/pooled_pages)" 0
echo 100 >$P/max_pages
ok "set high_watermark_pages 6" sh -c "echo 6 > $P/high_watermark_pages"
ok "set low_watermark_pages 2" sh -c "echo 2 > $P/low_watermark_pages"
hold 10 cached && unhold	# chunks of 8 and 2 pages
n=0
while [ "$(val $P/pooled_pages)" -gt 2 ] && [ $n -lt 100 ]; do
	usleep 100000
	n=$((n + 1))
done
is "above high, the worker trims down to low" "$(val $P/pooled_pages)" 2
echo "$max0" >$P/max_pages

# --- alloc_path ----------------------------------------------------------------
hold 4 wc && unhold
pooled=$(val $P/pooled_pages)
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
hold 4 wc && unhold
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
hold 4 cached && unhold
for f in $P/max_pages $P/high_watermark_pages $P/low_watermark_pages \
	$T/pool_max_pages $P/drain $P/alloc_path; do
	name=${f#$T/}
	for v in "
" "   " "-1" "0x10" "0xzz" "12abc" "1 2" "18446744073709551616" "bogus" \
		"$long" "$big"; do
		[ "$v" = "$big" ] && case $name in */alloc_path | */drain) continue ;; esac
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
ok "nobody cannot read the debugfs dump" not_nobody "cat $D/all"

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
ok "so is the device's link" test ! -e /sys/bus/pci/devices/$DEV/ttm_pool
ok "so is the debugfs dump" test ! -e $D/$DEV
ok "a file held open across unbind fails to read" sh -c "! cat <&3 >/dev/null 2>&1"
exec 3<&-
ok "bind it again" sh -c "echo $DEV > /sys/bus/pci/drivers/bochs-drm/bind"
ok "the pool directory is back" test -d $P
is "with fresh counters" "$(val $S/path_switches)" 0
kill $reader
wait $reader 2>/dev/null
done_testing
