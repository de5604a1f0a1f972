#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The global cap: its default (ttm.page_pool_size unset: half of RAM), the same
# cap read and written as /sys/kernel/ttm/pool_max_pages and as the module
# parameter /sys/module/ttm/parameters/page_pool_size (lowering trims at once,
# above RAM -ERANGE, not a number -EINVAL, a refused write changes nothing), a
# free above it, the read-only ttm.alloc_path, and debugfs ttm/page_pool_shrink.
# Pages come from bochs's pool (the ttm_pool_hold module); the cap is restored.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
PP=/sys/module/ttm/parameters/page_pool_size
SHRINK=/sys/kernel/debug/ttm/page_pool_shrink

need "bochs ($DEV) has a pool" test -d "$P"
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"
val() { cat "$1"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
cycle() {
	ok "hold $1 $2 pages" insmod $HOLD pool=$DEV pages="$1" caching="$2"
	ok "...and give them back" rmmod ttm_pool_hold
}
# pool NPAGES: drain, then pool exactly NPAGES cached pages (a power of two: one chunk)
pool() {
	ok "drain" sh -c "echo 1 > $P/drain"
	cycle "$1" cached
	is "$1 pages pooled" "$(val $T/pooled_pages)" "$1"
}
# bad WHAT FILE VALUE ERROR: the write fails with ERROR and changes nothing
bad() {
	_before=$(val $2)
	_snap=$(cat $T/pooled_pages $S/* | tr '\n' ' ')
	_out=$(sh -c "echo '$3' > $2" 2>&1)
	ok "$1 refuses '$3' ($4)" has "$_out" "$4"
	is "...and keeps its value" "$(val $2)" "$_before"
	is "...and nothing was released" "$(cat $T/pooled_pages $S/* | tr '\n' ' ')" "$_snap"
}

# --- the default: half of RAM ----------------------------------------------------
# TTM counts RAM when it sets its globals up (bochs's probe); the init memory freed
# after that ("Freeing ... memory: NK") is in MemTotal now but was not then.
gmax=$(val $T/pool_max_pages)
total=$(meminfo MemTotal)
freed=$(dmesg | sed -n 's/.*Freeing .* memory: \([0-9]*\)K$/\1/p' | awk '{ s += $1 } END { print s + 0 }')
hi=$((total / 4 / 2))
lo=$(((total - freed) / 4 / 2))
ok "pool_max_pages defaults to half of RAM ($lo <= $gmax <= $hi)" \
	test "$gmax" -ge $lo -a "$gmax" -le $hi
is "the parameter page_pool_size reads the cap in force" "$(val $PP)" "$gmax"
is "so does the pool dump" "$(dump_get $DEV global_max_pages)" "$gmax"

# --- pool_max_pages ----------------------------------------------------------------
pool 64
trim=$(val $S/release_trim_pages)
ok "lower pool_max_pages to 16" sh -c "echo 16 > $T/pool_max_pages"
# Whole chunks are released: at most 16 pages stay (here none: one chunk of 64).
left=$(val $T/pooled_pages)
ok "...trims the pools at once ($left left)" test "$left" -le 16
is "...counted in release_trim_pages" "$(val $S/release_trim_pages)" $((trim + 64 - left))
is "...and the parameter reads it" "$(val $PP)" 16
ok "drain" sh -c "echo 1 > $P/drain"
cap=$(val $S/release_cap_pages)
cycle 32 cached
is "a free above the global cap is released (release_cap_pages +32)" \
	"$(val $S/release_cap_pages)" $((cap + 32))
is "...and nothing is pooled" "$(val $T/pooled_pages)" 0
ram=$((total / 4))
ok "pool_max_pages takes all of RAM ($ram pages)" sh -c "echo $ram > $T/pool_max_pages"
bad pool_max_pages $T/pool_max_pages $((ram + 1)) "Numerical result out of range"
ok "pool_max_pages back to $gmax" sh -c "echo $gmax > $T/pool_max_pages"

# --- page_pool_size ----------------------------------------------------------------
pool 64
trim=$(val $S/release_trim_pages)
ok "write 8 to page_pool_size" sh -c "echo 8 > $PP"
is "...sets pool_max_pages" "$(val $T/pool_max_pages)" 8
is "...and reads back" "$(val $PP)" 8
left=$(val $T/pooled_pages)
ok "...trims the pools at once ($left left)" test "$left" -le 8
is "...counted in release_trim_pages" "$(val $S/release_trim_pages)" $((trim + 64 - left))
ok "page_pool_size takes all of RAM ($ram pages)" sh -c "echo $ram > $PP"
ok "...and 8 again" sh -c "echo 8 > $PP"
bad page_pool_size $PP $((ram + 1)) "Numerical result out of range"
bad page_pool_size $PP 18446744073709551616 "Numerical result out of range"
for v in abc -1 "" "1 2" 12abc; do
	bad page_pool_size $PP "$v" "Invalid argument"
done
ok "page_pool_size back to $gmax" sh -c "echo $gmax > $PP"
is "...which is pool_max_pages" "$(val $T/pool_max_pages)" "$gmax"

# --- ttm.alloc_path cannot be written at runtime ----------------------------------------
ap=$(val /sys/module/ttm/parameters/alloc_path)
ok "ttm.alloc_path is read-only (0444)" test "$(stat -c %a /sys/module/ttm/parameters/alloc_path)" = 444
ok "...a write fails even for root" sh -c "! echo page > /sys/module/ttm/parameters/alloc_path"
is "...and it keeps its value" "$(val /sys/module/ttm/parameters/alloc_path)" "$ap"

# --- debugfs ttm/page_pool_shrink: the shrinker once, "<could free>/<freed>" ------------
ok "drain" sh -c "echo 1 > $P/drain"
is "page_pool_shrink with nothing pooled: 0/0" "$(cat $SHRINK)" "0/0"
pool 16
shr=$(val $S/release_shrinker_pages)
out=$(cat $SHRINK)
is "page_pool_shrink counts the 16 pooled pages" "${out%/*}" 16
freed=${out#*/}
ok "...and frees at least one ($freed)" test "$freed" -ge 1 -a "$freed" -le 16
is "...taken from the pool" "$(val $T/pooled_pages)" $((16 - freed))
is "...counted in release_shrinker_pages" "$(val $S/release_shrinker_pages)" $((shr + freed))
ok "drain" sh -c "echo 1 > $P/drain"
is "the cap is what it was" "$(val $T/pool_max_pages)" "$gmax"
done_testing
