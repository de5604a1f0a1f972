#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# ttm-poolctl against the real kernel on a pool with a device (bochs): plain
# `stats` shows every pool's counters as sysfs has them, `set --global` sets
# (and refuses) the global cap, `path <dev> coherent` switches the pool for real
# and new pages then come from the coherent path. Settings are restored.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
W=/tmp/poolctl-bochs
rm -rf $W
mkdir -p $W
need "ttm-poolctl is in the initramfs" command -v ttm-poolctl
need "bochs ($DEV) has a pool" test -d "$P"
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"
cycle() {
	ok "hold $1 $2 pages" insmod $HOLD pool=$DEV pages="$1" caching="$2"
	ok "...and give them back" rmmod ttm_pool_hold
}

# --- stats ------------------------------------------------------------------------------
cycle 8 cached
ttm-poolctl stats >$W/stats 2>$W/err
is "stats exits 0" "$?" 0
is "stats -J names every pool" \
	"$(ttm-poolctl stats -J | sed -n 's/.*"name": "\([^"]*\)".*/\1/p' | sort | tr '\n' ' ')" \
	"$(ls $T/pools | sort | tr '\n' ' ')"
# -r: the bare counts, "key value"
ttm-poolctl stats -r $DEV | awk 'NF == 2 && $1 != "name" { print $1, $2 }' >$W/bochs
is "...with all $(ls $S | wc -l) counters of bochs's pool" "$(wc -l <$W/bochs)" "$(ls $S | wc -l)"
bad=0
while read -r k v; do
	[ "$v" = "$(cat $S/$k 2>/dev/null)" ] || { echo "# $k: stats $v, sysfs $(cat $S/$k 2>/dev/null)"; bad=1; }
done <$W/bochs
is "...each as sysfs has it" "$bad" 0
ok "...which saw the 8 pages" test "$(awk '$1 == "alloc_miss_pages" { print $2 }' $W/bochs)" -ge 8

# --- set --global ---------------------------------------------------------------------
gmax=$(cat $T/pool_max_pages)
out=$(ttm-poolctl set --global max=64M 2>&1)
is "set --global max=64M exits 0" "$?" 0
is "pool_max_pages is 16384" "$(cat $T/pool_max_pages)" 16384
ok "it reports the change" sh -c "echo '$out' | grep -q 'pool_max_pages $gmax -> 16384'"
ttm-poolctl set --global max=100T >/dev/null 2>$W/err
is "set --global above RAM fails (1)" "$?" 1
ok "...with the kernel's error in the ABI's words" grep -q "more than the machine's RAM" $W/err
is "...and the cap is unchanged" "$(cat $T/pool_max_pages)" 16384
ok "set --global max=${gmax}pages restores it" ttm-poolctl set --global max=${gmax}pages
is "pool_max_pages is back" "$(cat $T/pool_max_pages)" "$gmax"

# --- path <dev> coherent ----------------------------------------------------------------
ok "bochs starts on auto" test "$(cat $P/alloc_path)" = "[auto] coherent page"
sw=$(cat $S/path_switches)
out=$(ttm-poolctl path $DEV coherent 2>&1)
is "path $DEV coherent exits 0" "$?" 0
is "...and says what it did" "$out" "$DEV: alloc_path coherent, effective path coherent"
is "the kernel agrees" "$(cat $P/alloc_path) / $(cat $P/effective_path)" "auto [coherent] page / coherent"
is "path_switches +1" "$(cat $S/path_switches)" $((sw + 1))
ok "drain" ttm-poolctl drain $DEV
coh=$(cat $S/alloc_coherent_pages)
cycle 8 wc
is "new pages come from the coherent path" "$(cat $S/alloc_coherent_pages)" $((coh + 8))
is "path /dev/dri/card0 shows the same pool" "$(ttm-poolctl path /dev/dri/card0)" \
	"$DEV: alloc_path coherent, effective path coherent"
out=$(ttm-poolctl path $DEV auto 2>&1)
is "path $DEV auto exits 0" "$?" 0
is "...back on the page path" "$out" "$DEV: alloc_path auto, effective path page"
is "path_switches +2" "$(cat $S/path_switches)" $((sw + 2))
ok "drain" ttm-poolctl drain $DEV

# --- set <dev> prezero=off|on -------------------------------------------------------------
ok "set $DEV prezero=off" ttm-poolctl set $DEV prezero=off
is "the kernel agrees" "$(cat $P/prezero)" "auto on [off]"
is "list -o PREZERO says off" "$(ttm-poolctl -n -r -o NAME,PREZERO | awk -v d=$DEV '$1 == d { print $2 }')" off
cycle 4 wc
is "freed pages stay dirty" "$(cat $P/dirty_pages)" 4
out=$(ttm-poolctl set $DEV prezero=maybe 2>&1)
is "set prezero=maybe exits 2" "$?" 2
ok "...and says what was wrong" has "$out" "prezero"
is "...and prezero is unchanged" "$(cat $P/prezero)" "auto on [off]"
ok "set $DEV prezero=on" ttm-poolctl set $DEV prezero=on
is "the kernel agrees" "$(cat $P/prezero)" "auto [on] off"
ok "the worker clears the 4 pages" wait_until 10 sh -c "[ \$(cat $P/dirty_pages) = 0 ]"
is "list -b -o CLEAN shows them in bytes" \
	"$(ttm-poolctl -n -r -b -o NAME,CLEAN | awk -v d=$DEV '$1 == d { print $2 }')" \
	$(($(cat $P/clean_pages) * 4096))
ok "drain" ttm-poolctl drain $DEV
# the scripts after this one in the boot expect the default
ok "set $DEV prezero=auto" ttm-poolctl set $DEV prezero=auto
is "the kernel agrees" "$(cat $P/prezero)" "[auto] on off"
done_testing
