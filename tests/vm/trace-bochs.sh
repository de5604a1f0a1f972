#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The pool's tracepoints (ttm_pool:*, drivers/gpu/drm/ttm/ttm_pool_trace.h) on a
# real driver: all nine exist in tracefs with their documented fields, and during
# a workload on bochs's pool that makes every kind of event (dumb buffers, a cap,
# a trim, a drain, a path switch and back, the shrinker through drop_caches, the
# clearing worker) the events add up to the pool's counters, kind by kind: the
# hits, misses and pages cleared of successful allocations, the pooled and returned
# pages of frees, each release reason, the cleared pages released unused, the path
# switches and the worker's clearing. Every kind must have happened (a delta of 0
# proves nothing), and no event may be lost (the ring buffer's overrun count stays
# 0). Failures are only compared (nothing fails here: that needs injection).
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
TR=/sys/kernel/tracing
EV=$TR/events/ttm_pool
W=/tmp/trace-bochs
rm -rf $W
mkdir -p $W
[ -d $TR/events ] || mount -t tracefs nodev $TR 2>/dev/null
need "tracefs is mounted" test -d $TR/events
need "bochs ($DEV) has a pool" test -d $P
need "dumbbuf is in the initramfs" command -v dumbbuf

events="ttm_pool_alloc ttm_pool_alloc_chunk ttm_pool_alloc_fail ttm_pool_free ttm_pool_release ttm_pool_shrink ttm_pool_path_switch ttm_pool_clear ttm_pool_verify_dirty"
for e in $events; do
	ok "event ttm_pool:$e exists" test -f $EV/$e/enable
done
# fields FORMAT-FILE: the event's own field names, one per line
fields() { sed -n 's/^[[:space:]]*field:[^;]*[ *]\([a-z_]*\)\(\[[0-9]*\]\)\{0,1\};.*/\1/p' "$1" | grep -v '^common_'; }
is "ttm_pool_alloc's fields" "$(fields $EV/ttm_pool_alloc/format | tr '\n' ' ')" \
	"pool pages caching path zero hit miss precleared cleared ret "
is "ttm_pool_alloc_chunk's fields" "$(fields $EV/ttm_pool_alloc_chunk/format | tr '\n' ' ')" \
	"pool order caching path hit precleared cleared "
is "ttm_pool_release's fields" "$(fields $EV/ttm_pool_release/format | tr '\n' ' ')" \
	"pool reason pages wasted "
is "ttm_pool_alloc_fail's fields" "$(fields $EV/ttm_pool_alloc_fail/format | tr '\n' ' ')" \
	"pool order reason injected "

counters="cleared_wasted_pages alloc_hit_pages alloc_miss_pages alloc_failures alloc_injected_failures free_pooled_pages release_cap_pages release_trim_pages release_evict_pages release_shrinker_pages release_drain_pages release_switch_pages path_switches cleared_background_pages cleared_alloc_pages verify_dirty_chunks"
snap() {
	for c in $counters; do echo "$c $(cat $S/$c)"; done
	echo "returned_pages $(dump_get $DEV returned_pages)"
}
max0=$(cat $P/max_pages)
high0=$(cat $P/high_watermark_pages)
low0=$(cat $P/low_watermark_pages)
prezero0=$(sed 's/.*\[\(.*\)\].*/\1/' $P/prezero)	# the word in brackets

# --- the workload, traced --------------------------------------------------------
# "7 (expanded: 1408)" until a tracer first needs the buffer: its real size
bufkb0=$(sed 's/.*expanded: \([0-9]*\).*/\1/' $TR/buffer_size_kb)
on0=$(cat $TR/tracing_on)
echo 0 >$TR/tracing_on
echo >$TR/trace
echo 16384 >$TR/buffer_size_kb
for e in $events; do
	[ $e = ttm_pool_shrink ] || echo "pool == \"$DEV\"" >$EV/$e/filter
done
echo 1 >$EV/enable
debugfs_open
# No clearing worker runs between a snapshot and the switch of tracing_on (its
# events and its counter would disagree): prezero 0 stops it before it returns.
echo 0 >$P/prezero
snap >$W/before
echo 1 >$TR/tracing_on

echo 1 >$P/prezero
dumbbuf -n 60 -k 6 >$W/dumb1.out 2>&1
echo "dumbbuf 1: $?" >>$W/rcs
# the worker clears what the frees pooled
bg0=$(sed -n 's/^cleared_background_pages //p' $W/before)
ok "the clearing worker cleared pages" \
	wait_until 60 sh -c "test \$(cat $S/cleared_background_pages) -gt $bg0"
dumbbuf -n 30 -k 4 >$W/dumb2.out 2>&1
echo "dumbbuf 2: $?" >>$W/rcs
# a trim (a cap below what the pool holds), then frees beyond that small cap
echo "pooled before the trim: $(cat $P/pooled_pages)" >$W/pooled
ttm-poolctl set $DEV max=16 high=16 low=16 >/dev/null 2>>$W/ctl.err
dumbbuf -n 20 -k 4 >$W/dumb3.out 2>&1
echo "dumbbuf 3: $?" >>$W/rcs
ttm-poolctl set $DEV max=$max0 high=$high0 low=$low0 >/dev/null 2>>$W/ctl.err
dumbbuf -n 20 -k 4 >$W/dumb4.out 2>&1
echo "dumbbuf 4: $?" >>$W/rcs
# a switch to coherent and back releases what each path pooled
echo coherent >$P/alloc_path
dumbbuf -n 20 -k 4 >$W/dumb5.out 2>&1
echo "dumbbuf 5: $?" >>$W/rcs
echo auto >$P/alloc_path
dumbbuf -n 20 -k 4 >$W/dumb6.out 2>&1
echo "dumbbuf 6: $?" >>$W/rcs
# the shrinker, as reclaim runs it
sync
echo 2 >/proc/sys/vm/drop_caches
dumbbuf -n 20 -k 4 >$W/dumb7.out 2>&1
echo "dumbbuf 7: $?" >>$W/rcs
ttm-poolctl drain $DEV >/dev/null 2>>$W/ctl.err

echo 0 >$P/prezero
echo 0 >$TR/tracing_on
snap >$W/after
echo 0 >$EV/enable
for e in $events; do echo 0 >$EV/$e/filter; done
cat $TR/per_cpu/cpu*/stats >$W/stats
cat $TR/trace >$W/trace
echo >$TR/trace
echo "$bufkb0" >$TR/buffer_size_kb
echo "$on0" >$TR/tracing_on
echo "$prezero0" >$P/prezero
debugfs_close

is "every dumbbuf run verified" "$(grep -vc ': 0$' $W/rcs)" 0
is "every control command succeeded" "$(cat $W/ctl.err)" ""
is "prezero is back to what it was ($prezero0)" \
	"$(sed 's/.*\[\(.*\)\].*/\1/' $P/prezero)" "$prezero0"
is "no event was lost (overrun 0 on every CPU)" \
	"$(awk '$1 == "overrun:" && $2 != 0' $W/stats)" ""
ok "the trace holds ttm_pool events" grep -q ' ttm_pool_alloc: ' $W/trace
sed 's/^/# /' $W/dumb1.out $W/pooled

# --- sums of the events against the counters ---------------------------------------
# delta NAME: the counter's change over the workload
delta() {
	echo $(($(sed -n "s/^$1 //p" $W/after) - $(sed -n "s/^$1 //p" $W/before)))
}
# sum EVENT FIELD [COND-FIELD COND-VALUE]: the sum of FIELD over the events
sum() {
	awk -v ev=" $1: " -v f="$2" -v cf="${3:-}" -v cv="${4:-}" '
		index($0, ev) {
			delete kv
			n = split(substr($0, index($0, ev) + length(ev)), w, " ")
			for (i = 1; i <= n; i++) {
				if (split(w[i], a, "=") == 2)
					kv[a[1]] = a[2]
				else
					kv[w[i]] = w[i]
			}
			if (cf == "" || kv[cf] == cv)
				s += kv[f]
		}
		END { printf "%d\n", s }' $W/trace
}
# count EVENT [COND-FIELD COND-VALUE]
count() {
	awk -v ev=" $1: " -v cf="${2:-}" -v cv="${3:-}" '
		index($0, ev) {
			if (cf == "") { c++; next }
			n = split(substr($0, index($0, ev) + length(ev)), w, " ")
			for (i = 1; i <= n; i++)
				if (w[i] == cf "=" cv)
					c++
		}
		END { printf "%d\n", c }' $W/trace
}
# agree WHAT EVENT-SUM COUNTER: equal, and the counter moved
agree() {
	_dl=$(delta $3)
	ok "$1 happened ($3 +$_dl)" test "$_dl" -gt 0
	is "$1: the events add up to $3" "$2" "$_dl"
}

agree "hits" "$(sum ttm_pool_alloc hit ret 0)" alloc_hit_pages
agree "misses" "$(sum ttm_pool_alloc miss ret 0)" alloc_miss_pages
agree "pages cleared by allocations" "$(sum ttm_pool_alloc cleared ret 0)" cleared_alloc_pages
agree "frees into the pool" "$(sum ttm_pool_free pooled)" free_pooled_pages
agree "pages freed" "$(sum ttm_pool_free pages)" returned_pages
for r in cap trim shrinker drain switch; do
	agree "release ($r)" "$(sum ttm_pool_release pages reason release_${r}_pages)" release_${r}_pages
done
# a single pool here: no other pool's free evicts from it (0 = 0, but both sides)
is "release (evict): the events add up to release_evict_pages" \
	"$(sum ttm_pool_release pages reason release_evict_pages)" "$(delta release_evict_pages)"
is "injected failures: none, in the events and alloc_injected_failures" \
	"$(count ttm_pool_alloc_fail injected 1) $(delta alloc_injected_failures)" "0 0"
is "verify_clean: none, in the events and verify_dirty_chunks" \
	"$(count ttm_pool_verify_dirty) $(delta verify_dirty_chunks)" "0 0"
agree "cleared pages released unused" "$(sum ttm_pool_release wasted)" cleared_wasted_pages
agree "path switches" "$(count ttm_pool_path_switch)" path_switches
agree "background clearing" "$(sum ttm_pool_clear pages)" cleared_background_pages
is "failed allocations: as many events as alloc_failures" "$(count ttm_pool_alloc_fail)" "$(delta alloc_failures)"
is "failed allocations: as many ttm_pool_alloc with ret < 0" \
	"$(awk '/ ttm_pool_alloc: / && / ret=-/' $W/trace | wc -l)" "$(delta alloc_failures)"
# the chunks of the successful allocations add up to their totals
is "chunk events: hit pages add up to the allocations' hits" \
	"$(sum ttm_pool_alloc_chunk pages hit hit)" "$(sum ttm_pool_alloc hit)"
is "chunk events: miss pages add up to the allocations' misses" \
	"$(sum ttm_pool_alloc_chunk pages miss miss)" "$(sum ttm_pool_alloc miss)"
ok "the shrinker's scans were traced" test "$(count ttm_pool_shrink)" -gt 0
ok "the scans freed at least what bochs's pool gave the shrinker" \
	test "$(sum ttm_pool_shrink freed)" -ge "$(delta release_shrinker_pages)"
ok "the switch events name both paths" grep -q ' ttm_pool_path_switch: pool=[^ ]* from=page to=coherent ' $W/trace
is "tracing is on or off as it was, the events off" "$(cat $TR/tracing_on) $(cat $EV/enable)" "$on0 0"
bufkb=$(cat $TR/buffer_size_kb)
ok "the trace buffer is back to its size ($bufkb0 kB, rounded up to pages: $bufkb)" \
	test "$bufkb" -ge "$bufkb0" -a "$bufkb" -le $((bufkb0 + 4))
ok "the events name the pool and its caching" grep -q " ttm_pool_alloc: pool=$DEV pages=[0-9]* caching=cached path=" $W/trace

is "the pool's limits are back" "$(cat $P/max_pages) $(cat $P/high_watermark_pages) $(cat $P/low_watermark_pages)" "$max0 $high0 $low0"
done_testing
