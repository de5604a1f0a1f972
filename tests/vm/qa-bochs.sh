#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# The controls for drivers' QA on a real driver (debugfs ttm/qa/<pool>/):
#  1. inject: root only; bad settings refused, nothing armed; every=3 makes bochs's
#     dumb-buffer runs fail with ENOMEM where the driver allocates (evictions to
#     system memory), bochs survives and works once it is off; the injected
#     counter, alloc_failures and the ttm_pool_alloc_fail events (injected=1)
#     agree; times= stops after that many, pid= spares other processes; after a
#     drain nothing is pooled and nothing left in use (kmemleak at the boot's end).
#  2. verify_clean: a write after free (ttm_pool_hold scribble=, a test module
#     writing into a page it freed) is caught when the chunk is taken again:
#     counted once, reported naming the pool (the bytes only in the trace),
#     traced, and the page handed out as a dirty one; with verify_clean off the same
#     write goes unseen.
#  3. ttm-poolctl inject, set verify_clean= and trace on the real kernel: what they
#     write is what the kernel has, a refused setting is reported and changes
#     nothing, trace -c prints the pool's events and puts tracing back.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
QA=/sys/kernel/debug/ttm/qa/$DEV
TR=/sys/kernel/tracing
EV=$TR/events/ttm_pool
W=/tmp/qa-bochs
rm -rf $W
mkdir -p $W
[ -d $TR/events ] || mount -t tracefs nodev $TR 2>/dev/null
need "bochs ($DEV) has a pool" test -d $P
need "its QA controls are in debugfs" test -f $QA/inject -a -f $QA/verify_clean
need "dumbbuf is in the initramfs" command -v dumbbuf
need "ttm_pool_hold.ko is in the initramfs" test -f $HOLD
need "tracefs is mounted" test -d $EV

# --- 1. failure injection ----------------------------------------------------------
is "inject is off by default" "$(cat $QA/inject)" off
is "verify_clean is off by default" "$(cat $QA/verify_clean)" 0
is "both are root's only (0600)" "$(stat -c %a $QA/inject $QA/verify_clean | tr '\n' ' ')" "600 600 "
debugfs_open
ok "nobody cannot arm injection" sh -c "! as_nobody 'echo every=1 > $QA/inject' 2>/dev/null"
debugfs_close
# bad WRITE ERROR: refused with ERROR, the setting unchanged
bad() {
	_err=$(sh -c "echo '$1' > $QA/inject" 2>&1)
	ok "'$1' is refused ($2)" has "$_err" "$2"
	is "...and nothing is armed" "$(cat $QA/inject)" "$3"
}
bad "every=0" "Invalid argument" off
bad "sometimes" "Invalid argument" off
bad "probability=101" "Numerical result out of range" off
bad "every=2 pid=999999" "No such process" off
ok "arm every=5 times=4 order=1" sh -c "echo 'every=5 times=4 order=1' > $QA/inject"
is "...reads back" "$(cat $QA/inject)" "every=5 times=4 order=1"
bad "every=2 every=3" "Invalid argument" "every=5 times=4 order=1"
bad "every=2 order=11" "Numerical result out of range" "every=5 times=4 order=1"
ok "off" sh -c "echo off > $QA/inject"
is "...reads off" "$(cat $QA/inject)" off

on0=$(cat $TR/tracing_on)
snap() { for c in alloc_failures alloc_injected_failures; do echo "$c $(cat $S/$c)"; done; }
delta() { echo $(($(sed -n "s/^$1 //p" $W/after) - $(sed -n "s/^$1 //p" $W/before))); }
echo 0 >$TR/tracing_on
echo >$TR/trace
echo "pool == \"$DEV\"" >$EV/ttm_pool_alloc_fail/filter
echo 1 >$EV/ttm_pool_alloc_fail/enable
ok "drain" sh -c "echo 1 > $P/drain"
inuse0=$(cat $P/inuse_pages)
snap >$W/before
echo 1 >$TR/tracing_on
ok "arm every=3" sh -c "echo every=3 > $QA/inject"
# A failed eviction fails the ioctl (ENOMEM) or, in a mapping's fault, kills
# dumbbuf with SIGBUS (exit 135): several runs, each to its first failure.
for i in 1 2 3 4 5; do
	dumbbuf -n 20 -k 6 >$W/dumb$i.out 2>&1
	echo "dumbbuf $i: $?" >>$W/rcs
done
ok "off again" sh -c "echo off > $QA/inject"
echo 0 >$TR/tracing_on
snap >$W/after
cat $TR/trace >$W/trace
sed 's/^/# /' $W/rcs
grep -h "Cannot\|error" $W/dumb*.out | sort | uniq -c | sed 's/^/# /' | head -n 5
inj=$(delta alloc_injected_failures)
ok "failures were injected ($inj)" test "$inj" -gt 0
is "...every failure was injected (alloc_failures +$inj)" "$(delta alloc_failures)" "$inj"
is "...as many ttm_pool_alloc_fail events with injected=1" \
	"$(grep -c " ttm_pool_alloc_fail: pool=$DEV .* injected=1" $W/trace)" "$inj"
is "...and none with injected=0" "$(grep -c ' ttm_pool_alloc_fail: .* injected=0' $W/trace)" 0
ok "dumbbuf runs failed: ENOMEM or SIGBUS where bochs allocates" grep -q -v ': 0$' $W/rcs
is "...and no other way" "$(grep -v ': 0$' $W/rcs | grep -v ': 1$' | grep -v ': 135$')" ""
ok "bochs survives: dumb buffers work with injection off" sh -c "dumbbuf -n 30 -k 6 >$W/dumb-off.out 2>&1"

# times=: only that many; pid=: only that process (the module's insmod allocates)
hold() { insmod $HOLD pool=$DEV pages=1 caching=cached; }
snap >$W/before
ok "arm every=1 times=2" sh -c "echo 'every=1 times=2' > $QA/inject"
# bochs may allocate meanwhile, and take one of the two: up to 3 tries
tries=0
while [ $tries -lt 3 ] && ! hold 2>/dev/null; do tries=$((tries + 1)); done
ok "after at most two injected failures an allocation succeeds ($tries failed)" \
	test "$tries" -ge 1 -a "$tries" -le 2
is "...then it reads times=0" "$(cat $QA/inject)" "every=1 times=0"
ok "...give it back" rmmod ttm_pool_hold
snap >$W/after
is "times=2: two failures injected" "$(delta alloc_injected_failures)" 2
ok "arm every=1 for this shell's pid" sh -c "echo 'every=1 pid=$$' > $QA/inject"
ok "...another process allocates" hold
ok "...give it back" rmmod ttm_pool_hold
# a process that arms injection for its own pid, then becomes insmod
cat >$W/own.sh <<EOF
echo "every=1 pid=\$\$" > $QA/inject && exec insmod $HOLD pool=$DEV pages=1 caching=cached
EOF
_out=$(sh $W/own.sh 2>&1)
ok "...that process does not (insmod's status $?)" test $? -ne 0
ok "...with ENOMEM" has "$_out" "Cannot allocate memory"
ok "off" sh -c "echo off > $QA/inject"
ok "drain" sh -c "echo 1 > $P/drain"
is "nothing pooled after the drain" "$(cat $P/pooled_pages)" 0
is "nothing left in use by the failed allocations" "$(cat $P/inuse_pages)" "$inuse0"
is "the dump says inject: off" "$(dump_get $DEV inject)" off

# --- 2. verify_clean ---------------------------------------------------------------
echo >$TR/trace
echo "pool == \"$DEV\"" >$EV/ttm_pool_verify_dirty/filter
echo 1 >$EV/ttm_pool_verify_dirty/enable
echo 1 >$TR/tracing_on
dirty0=$(cat $S/verify_dirty_chunks)
for v in maybe 10 1junk "yes please"; do
	ok "'$v' is refused for verify_clean" sh -c "! echo '$v' > $QA/verify_clean 2>/dev/null"
done
is "...it stays off" "$(cat $QA/verify_clean)" 0
ok "verify_clean on" sh -c "echo on > $QA/verify_clean"
is "...reads 1" "$(cat $QA/verify_clean)" 1
is "...and so does the dump" "$(dump_get $DEV verify_clean)" 1
ok "hold a cached page" insmod $HOLD pool=$DEV pages=1 caching=cached scribble=100
clean0=$(cat $P/clean_pages)
ok "...free it and write into it after the free (scribble=100)" rmmod ttm_pool_hold
is "the free pooled it clean (verify_clean clears at the free)" "$(cat $P/clean_pages)" $((clean0 + 1))
dmesg -c >/dev/null
ok "take it again" insmod $HOLD pool=$DEV pages=1 caching=cached
ok "...and give it back" rmmod ttm_pool_hold
is "the write was caught: verify_dirty_chunks +1" "$(cat $S/verify_dirty_chunks)" $((dirty0 + 1))
dmesg >$W/dmesg
ok "...reported naming the pool, the page and offset" \
	grep -q "ttm: pool $DEV: verify_clean: a pooled cached page-path chunk of order 0 was written after it was freed: page 0, offset 100\$" $W/dmesg
echo 0 >$TR/tracing_on
cat $TR/trace >$W/trace2
ok "...and traced, with the bytes written" \
	grep -q " ttm_pool_verify_dirty: pool=$DEV order=0 caching=cached path=page page=0 offset=100 bytes=a5000000000000000000000000000000\$" $W/trace2

ok "verify_clean off" sh -c "echo 0 > $QA/verify_clean"
ok "hold a cached page" insmod $HOLD pool=$DEV pages=1 caching=cached scribble=200
ok "...free it and write into it after the free" rmmod ttm_pool_hold
ok "take it again" insmod $HOLD pool=$DEV pages=1 caching=cached
ok "...and give it back" rmmod ttm_pool_hold
is "off, the same bug goes unseen" "$(cat $S/verify_dirty_chunks)" $((dirty0 + 1))

echo 0 >$EV/ttm_pool_alloc_fail/enable
echo 0 >$EV/ttm_pool_verify_dirty/enable
echo 0 >$EV/ttm_pool_alloc_fail/filter
echo 0 >$EV/ttm_pool_verify_dirty/filter
echo >$TR/trace
echo "$on0" >$TR/tracing_on

# --- 3. the same through ttm-poolctl, on the real kernel ---------------------------
is "ttm-poolctl inject arms in one write" "$(ttm-poolctl inject $DEV every=2 times=1)" \
	"$DEV: off -> every=2 times=1"
is "...the kernel has it" "$(cat $QA/inject)" "every=2 times=1"
is "...inject POOL shows it" "$(ttm-poolctl inject $DEV)" "$DEV: every=2 times=1"
_out=$(ttm-poolctl inject $DEV every=0 2>&1)
is "a setting the kernel refuses: exit 1" "$?" 1
ok "...saying why ($_out)" has "$_out" "invalid setting 'every=0'"
is "...and nothing changed" "$(cat $QA/inject)" "every=2 times=1"
ok "ttm-poolctl inject off" ttm-poolctl inject $DEV off
is "...the kernel has it" "$(cat $QA/inject)" off
ok "ttm-poolctl set verify_clean=on" ttm-poolctl set $DEV verify_clean=on
is "...the kernel has it" "$(cat $QA/verify_clean)" 1
ok "ttm-poolctl set verify_clean=off" ttm-poolctl set $DEV verify_clean=off
is "...the kernel has it" "$(cat $QA/verify_clean)" 0
# trace: events of this pool while a module allocates, then tracing as it was
state() { for e in $EV/*/; do printf '%s %s %s\n' "$e" "$(cat $e/enable)" "$(cat $e/filter)"; done; cat $TR/tracing_on; }
state >$W/state0
ttm-poolctl trace $DEV -c 2 >$W/trace3 2>$W/trace3.err &
tpid=$!
ok "ttm-poolctl trace enabled the events" wait_until 30 grep -q 1 $EV/ttm_pool_alloc/enable
ok "hold a page while it traces" insmod $HOLD pool=$DEV pages=1 caching=cached
ok "...give it back" rmmod ttm_pool_hold
ok "trace -c 2 ended after two events" wait_until 60 sh -c "! kill -0 $tpid"
wait $tpid
is "...with status 0" "$?" 0
is "...two lines" "$(wc -l <$W/trace3)" 2
ok "...TIME EVENT POOL key=value" grep -q "^[0-9]*\.[0-9]* ttm_pool_[a-z_]* $DEV [a-z_]*=" $W/trace3
sed 's/^/# /' $W/trace3 $W/trace3.err
state >$W/state1
ok "...and every enable, filter and tracing_on are as they were" cmp -s $W/state0 $W/state1
ok "drain" sh -c "echo 1 > $P/drain"
done_testing
