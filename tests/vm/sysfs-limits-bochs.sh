#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# A pool's limits/ directory: the cap and the watermarks staged, then set together by
# limits/commit, all of them or none. Changes in any direction that single writes
# cannot make in one order; an invalid combination, a bad value and a user without
# CAP_SYS_ADMIN change nothing in force; a commit of a cap alone trims and lowers
# the watermarks as max_pages does; 0 drops what is staged. Ends with a rebind: a new
# pool with its defaults.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
L=$P/limits

need "bochs ($DEV) has limits/" test -d "$L"
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"

val() { cat "$1"; }
mode() { stat -c %a "$1"; }
limits() { echo "$(val $P/max_pages) $(val $P/high_watermark_pages) $(val $P/low_watermark_pages)"; }
# stage MAX HIGH LOW ("-": not staged)
stage() {
	[ "$1" = - ] || echo "$1" >$L/max_pages || return 1
	[ "$2" = - ] || echo "$2" >$L/high_watermark_pages || return 1
	[ "$3" = - ] || echo "$3" >$L/low_watermark_pages || return 1
}
commit() { echo "${1:-1}" >$L/commit; }

max0=$(val $P/max_pages)
high0=$(val $P/high_watermark_pages)
low0=$(val $P/low_watermark_pages)

# --- layout -------------------------------------------------------------------
for f in max_pages high_watermark_pages low_watermark_pages; do
	is "limits/$f is 0644" "$(mode $L/$f)" 644
	is "...and shows the value in force with nothing staged" "$(val $L/$f)" "$(val $P/$f)"
done
is "limits/commit is 0200" "$(mode $L/commit)" 200
ok "a commit of nothing staged does nothing" commit
is "...the values stay" "$(limits)" "$max0 $high0 $low0"

# --- together -------------------------------------------------------------------
ok "max_pages 100, watermarks never set" sh -c "echo 100 > $P/max_pages"
is "...they follow it" "$(limits)" "100 100 100"
ok "stage max 200, high 150, low 120" stage 200 150 120
is "limits/ shows what is staged" \
	"$(val $L/max_pages) $(val $L/high_watermark_pages) $(val $L/low_watermark_pages)" \
	"200 150 120"
is "...nothing changed yet" "$(limits)" "100 100 100"
ok "commit" commit
is "all three are in force, though high 150 alone is above the cap then" \
	"$(limits)" "200 150 120"
is "...and limits/ shows them again" "$(val $L/high_watermark_pages)" 150
ok "stage 10 8 4, below the low watermark in force, and commit" sh -c "$(
	printf 'echo 10 > %s/max_pages && echo 8 > %s/high_watermark_pages && ' "$L" "$L"
	printf 'echo 4 > %s/low_watermark_pages && echo 1 > %s/commit' "$L" "$L")"
is "...in force" "$(limits)" "10 8 4"

# --- trims, like max_pages ------------------------------------------------------
ok "max 100, high 100, low 100 again" sh -c "$(
	printf 'echo 100 > %s/max_pages && echo 100 > %s/high_watermark_pages && ' "$L" "$L"
	printf 'echo 100 > %s/low_watermark_pages && echo 1 > %s/commit' "$L" "$L")"
ok "hold 16 cached pages" insmod $HOLD pool=$DEV pages=16 caching=cached
ok "...and give them back" rmmod ttm_pool_hold
pooled=$(val $P/pooled_pages)
ok "more than 4 pages are pooled ($pooled)" test "$pooled" -gt 4
trim=$(val $S/release_trim_pages)
ok "a commit of max 4 alone" sh -c "echo 4 > $L/max_pages && echo 1 > $L/commit"
ok "...trims at once" test "$(val $P/pooled_pages)" -le 4
is "...counted in release_trim_pages" "$(val $S/release_trim_pages)" \
	$((trim + pooled - $(val $P/pooled_pages)))
is "...and lowers the watermarks set before to it" "$(limits)" "4 4 4"

# --- all or nothing ---------------------------------------------------------------
ok "max_pages 100 (watermarks stay 4)" sh -c "echo 100 > $P/max_pages"
is "...in force" "$(limits)" "100 4 4"
ok "stage high 60 above max 50" stage 50 60 10
commit_fails() { ! commit; }
ok "commit fails" commit_fails
is "...nothing changed" "$(limits)" "100 4 4"
is "...the values stay staged, to be corrected" "$(val $L/high_watermark_pages)" 60
ok "correct high to 40 and commit" sh -c "echo 40 > $L/high_watermark_pages && echo 1 > $L/commit"
is "...in force" "$(limits)" "50 40 10"
ok "stage low 45 above high 40 in force" stage - - 45
ok "commit fails" commit_fails
is "...nothing changed" "$(limits)" "50 40 10"
ok "commit 0 drops what is staged" commit 0
is "...limits/ shows the value in force again" "$(val $L/low_watermark_pages)" 10
big=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 4 * 2 + 1000000 ))
ok "stage a cap above RAM" stage "$big" - -
ok "commit fails (-ERANGE: KUnit checks the code)" commit_fails
is "...nothing changed" "$(limits)" "50 40 10"
ok "commit 0" commit 0

# --- bad input --------------------------------------------------------------------
bad() { ! printf '%s' "$2" >"$1" 2>/dev/null; }
for v in "-1" "0x10" "12abc" "bogus" "1 2" " "; do
	ok "limits/max_pages rejects '$v'" bad $L/max_pages "$v"
done
for v in 2 "yes" "on" " " "bogus"; do
	ok "limits/commit rejects '$v'" bad $L/commit "$v"
done
is "nothing was staged by bad writes" "$(val $L/max_pages)" 50
ok "a user without CAP_SYS_ADMIN cannot stage" \
	sh -c "! su -s /bin/sh nobody -c 'echo 7 > $L/max_pages' 2>/dev/null"
ok "...nor commit" sh -c "! su -s /bin/sh nobody -c 'echo 1 > $L/commit' 2>/dev/null"
is "...nothing staged, nothing changed" "$(val $L/max_pages) $(limits)" "50 50 40 10"

# --- put back ---------------------------------------------------------------------
ok "stage the values of the start and commit" stage "$max0" "$high0" "$low0"
ok "...commit" commit
is "max_pages, high and low are as at the start" "$(limits)" "$max0 $high0 $low0"
# The watermarks now count as set; a new pool has them never set.
ok "unbind and bind bochs: a new pool" sh -c \
	"echo $DEV > /sys/bus/pci/drivers/bochs-drm/unbind && echo $DEV > /sys/bus/pci/drivers/bochs-drm/bind"
ok "...its directory is back" wait_until 10 test -d "$L"
d=$(val $T/pool_max_pages)
is "...with the default limits, nothing staged" \
	"$(limits) $(val $L/max_pages)" "$d $d $d $d"

done_testing
