#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check, on Debian's own kernel with our ttm.ko: the pool's trace events
# and its QA controls work there, read by consumers nobody here wrote:
#  - the nine ttm_pool events exist in tracefs;
#  - Debian's perf (linux-perf, put into the initramfs by distro-check) records
#    every ttm_pool event during a dumb-buffer run, and its own decoding of the
#    events (perf script) adds up, for the pool, to the pool's counters: hits,
#    misses, pages freed into the pool, path switches;
#  - the kernel's hist triggers sum the same fields per pool;
#  - failure injection (debugfs ttm/qa/<pool>/inject) fails the driver's
#    allocations there too, counted as injected, and the driver works after it.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
need_pools
command -v dumbbuf >/dev/null || skip_all "dumbbuf not in the initramfs (scripts/build-progs.sh)"
P=$(the_pool)
D=$T/pools/$P
S=$D/stats
TR=/sys/kernel/tracing
EV=$TR/events/ttm_pool
QA=/sys/kernel/debug/ttm/qa/$P
W=/tmp/events
rm -rf $W
mkdir -p $W
[ -d $TR/events ] || mount -t tracefs nodev $TR 2>/dev/null

n=$(find $EV -mindepth 1 -maxdepth 1 -type d -name 'ttm_pool_*' | wc -l)
is "the nine ttm_pool events are in tracefs" "$n" 9

counters="alloc_hit_pages alloc_miss_pages free_pooled_pages path_switches alloc_failures alloc_injected_failures"
snap() { for c in $counters; do echo "$c $(cat $S/$c)"; done; }
delta() { echo $(($(sed -n "s/^$1 //p" $W/after) - $(sed -n "s/^$1 //p" $W/before))); }
# the workload: dumb buffers on both paths (a switch each way and back)
cat >$W/work.sh <<EOF
echo page >$D/alloc_path
dumbbuf -n 20 -k 8 && echo coherent >$D/alloc_path && dumbbuf -n 20 -k 8
rc=\$?
echo auto >$D/alloc_path
exit \$rc
EOF

# --- Debian's perf -------------------------------------------------------------------
PERF=$(command -v perf)
if [ -z "$PERF" ]; then
	ok "Debian's perf is in the initramfs (linux-perf)" false
else
	echo "# $($PERF version 2>&1)"
	snap >$W/before
	$PERF record -q -a -m 1024 -e 'ttm_pool:*' -o $W/perf.data -- sh $W/work.sh >$W/record.out 2>&1
	is "perf record ran the workload (dumbbuf verified)" "$?" 0
	snap >$W/after
	sed 's/^/# /' $W/record.out | tail -n 3
	$PERF script -i $W/perf.data -F event,trace >$W/script 2>$W/script.err
	is "perf script decoded the events" "$?" 0
	ok "...no lost events" sh -c "! grep -qi lost $W/record.out $W/script.err"
	# psum EVENT FIELD: the sum of FIELD over EVENT's lines of this pool (ret 0 only
	# for ttm_pool_alloc)
	psum() {
		awk -v ev="ttm_pool:$1:" -v f="$2" -v pool="$P" '
			index($0, ev) {
				delete kv
				n = split($0, w, " ")
				for (i = 1; i <= n; i++)
					if (split(w[i], a, "=") == 2)
						kv[a[1]] = a[2]
				if (kv["pool"] != pool) next
				if (ev == "ttm_pool:ttm_pool_alloc:" && kv["ret"] != 0) next
				s += kv[f]
			}
			END { printf "%d\n", s }' $W/script
	}
	pcount() { grep -c "ttm_pool:$1: pool=$P " $W/script; }
	for kv in "ttm_pool_alloc hit alloc_hit_pages" "ttm_pool_alloc miss alloc_miss_pages" \
		"ttm_pool_free pooled free_pooled_pages"; do
		set -- $kv
		d=$(delta $3)
		ok "perf: $3 moved (+$d)" test "$d" -gt 0
		is "perf: the sum of $1's $2 is $3's change" "$(psum $1 $2)" "$d"
	done
	is "perf: ttm_pool_path_switch events are path_switches' change" \
		"$(pcount ttm_pool_path_switch)" "$(delta path_switches)"
	is "perf: ttm_pool_alloc_fail events are alloc_failures' change" \
		"$(pcount ttm_pool_alloc_fail)" "$(delta alloc_failures)"
fi

# --- the kernel's hist triggers ------------------------------------------------------
TRIG="hist:keys=pool:vals=hit,miss if ret == 0"
on0=$(cat $TR/tracing_on)
echo 1 >$TR/tracing_on
ok "a hist trigger on ttm_pool_alloc" sh -c "echo '$TRIG' > $EV/ttm_pool_alloc/trigger"
snap >$W/before
dumbbuf -n 30 -k 8 >$W/dumb-hist.out 2>&1
is "dumbbuf under the trigger" "$?" 0
snap >$W/after
sed -n "/pool: *$P/p" $EV/ttm_pool_alloc/hist >$W/hist
sed 's/^/# /' $W/hist
hsum() { sed -n "s/.* $1: *\([0-9]*\).*/\1/p" $W/hist | head -n 1; }
is "hist: the pool's hits are alloc_hit_pages' change" "$(hsum hit)" "$(delta alloc_hit_pages)"
is "hist: the pool's misses are alloc_miss_pages' change" "$(hsum miss)" "$(delta alloc_miss_pages)"
ok "the trigger removed" sh -c "echo '!$TRIG' > $EV/ttm_pool_alloc/trigger"
echo "$on0" >$TR/tracing_on

# --- failure injection -----------------------------------------------------------------
ok "the pool's QA controls are in debugfs" test -f $QA/inject
snap >$W/before
ok "arm every=3" sh -c "echo every=3 > $QA/inject"
# Each run ends at its first failure (ENOMEM from the ioctl, or SIGBUS in a fault).
for run in 1 2 3; do dumbbuf -n 20 -k 6 >/dev/null 2>&1; echo "run $run: $?" >>$W/inj.rc; done
ok "off" sh -c "echo off > $QA/inject"
snap >$W/after
inj=$(delta alloc_injected_failures)
ok "failures were injected ($inj)" test "$inj" -gt 0
is "...all of the failures ($(delta alloc_failures))" "$(delta alloc_failures)" "$inj"
ok "...and dumbbuf saw them" grep -qv ': 0$' $W/inj.rc
ok "the driver works after it" dumbbuf -n 20 -k 6
done_testing
