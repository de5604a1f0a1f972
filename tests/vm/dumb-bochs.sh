#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs
# bochs dumb buffers (TTM buffers in system pages from bochs's pool, a pool with a
# device, so its path really switches) stay correct while the pool is drained,
# resized and switched between its paths underneath:
#  1. concurrently: a control loop runs for as long as dumbbuf does; every command
#     of it must succeed, and path_switches must count every switch;
#  2. with dumb buffers certainly alive (dumbbuf -w holds them) the pool switches
#     page -> coherent -> page: the buffers verify, what the switch releases and
#     what the free keeps are exact, nothing stays in use (signed count, exactly);
#  3. with tts that take DMA addresses held (ttm_pool_hold), chunks of each path
#     freed after a switch to the other go back through the path that made them.
# The pool's settings are restored at the end.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
W=/tmp/dumb-bochs
rm -rf $W
mkdir -p $W
need "dumbbuf is in the initramfs" command -v dumbbuf
need "bochs ($DEV) has a pool" test -d $P
need "its policy is auto" test "$(cat $P/alloc_path)" = "[auto] coherent page"
need "auto is the page path for bochs" test "$(cat $P/effective_path)" = page
max0=$(cat $P/max_pages)
inuse0=$(inuse_signed $DEV)
is "the signed in-use count agrees with inuse_pages at the start" "$inuse0" "$(cat $P/inuse_pages)"

# ctl NAME CMD...: a control command; a failure is recorded with its message
ctl() {
	_n=$1
	shift
	"$@" >/dev/null 2>$W/ctl.err1 || echo "$_n: $(cat $W/ctl.err1)" >>$W/ctl.fail
}
count() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# bg_dumbbuf NAME ARGS...: dumbbuf in the background; $W/NAME.rc appears when it ends
bg_dumbbuf() {
	_n=$1
	shift
	(dumbbuf "$@" >$W/$_n.out 2>&1; echo $? >$W/$_n.rc) &
}

# --- 1. control loop while dumbbuf runs -------------------------------------------
sw0=$(cat $S/path_switches)
bg_dumbbuf churn -n 200 -k 8
rounds=0
while [ ! -f $W/churn.rc ] && [ $rounds -lt 1000 ]; do
	rounds=$((rounds + 1))
	ctl drain ttm-poolctl drain $DEV
	ctl set ttm-poolctl set $DEV max=$((rounds % 6 * 256 + 256)) \
		high=$((rounds % 3 * 64 + 128)) low=64
	ctl "path coherent" sh -c "echo coherent > $P/alloc_path"
	ctl "path auto" sh -c "echo auto > $P/alloc_path"
done
wait_until 300 test -f $W/churn.rc
is "dumb buffers verify under drain/resize/switch" "$(cat $W/churn.rc 2>/dev/null)" 0
sed 's/^/# /' $W/churn.out
ok "the control loop ran while dumbbuf did ($rounds rounds)" test $rounds -gt 0
is "no control command failed" "$(count $W/ctl.fail)" 0
sed 's/^/# /' $W/ctl.fail 2>/dev/null | head -n 5
is "path_switches counted both switches of every round" \
	"$(($(cat $S/path_switches) - sw0))" $((rounds * 2))
ok "settings back (max, high, low $max0)" ttm-poolctl set $DEV max=$max0 high=$max0 low=$max0
is "the signed in-use count is back, exactly" "$(inuse_signed $DEV)" "$inuse0"

# --- 2. switches under held dumb buffers -------------------------------------------------
# bochs's tts take no DMA addresses from the pool (the driver maps tt->pages itself),
# so by design they get page-path chunks on either path; a coherent pool keeps such
# chunks on its page-path lists. A switch releases what the old path pooled: to
# coherent, every pooled (page-path) chunk; to page, the coherent ones (none here).
# held PHASE FROM TO WORD: dumbbuf holds buffers made while the pool was on FROM, the
# pool switches to TO (writing WORD), then the buffers are checked and freed.
held() {
	ok "$1: drain" sh -c "echo 1 > $P/drain"
	rm -f $W/held
	pg=$(cat $S/alloc_page_pages)
	coh=$(cat $S/alloc_coherent_pages)
	bg_dumbbuf $1 -n 16 -k 8 -w $W/held
	if ! wait_until 300 test -e $W/held; then
		ok "$1: dumbbuf holds its buffers" false
		sed 's/^/# /' $W/$1.out
		return
	fi
	live=$(($(inuse_signed $DEV) - inuse0))
	ok "$1: the live buffers hold $live pages of the pool" test $live -gt 0
	ok "$1: the pool is on the $2 path" test "$(cat $P/effective_path)" = $2
	is "$1: ...and gave bochs page-path chunks all the same (coherent +0)" \
		"$(cat $S/alloc_coherent_pages)" "$coh"
	ok "$1: (page-path pages +$(($(cat $S/alloc_page_pages) - pg)), at least the $live held)" \
		test $(($(cat $S/alloc_page_pages) - pg)) -ge $live
	pooled=$(cat $P/pooled_pages)
	sw=$(cat $S/path_switches)
	rel=$(cat $S/release_switch_pages)
	ok "$1: switch to $3 under live buffers" sh -c "echo $4 > $P/alloc_path"
	is "$1: effective_path is $3" "$(cat $P/effective_path)" $3
	is "$1: path_switches +1" "$(cat $S/path_switches)" $((sw + 1))
	released=0
	[ $3 = coherent ] && released=$pooled
	is "$1: the switch released the $2 pages pooled ($released)" \
		"$(($(cat $S/release_switch_pages) - rel))" $released
	rel=$(cat $S/release_switch_pages)
	rm -f $W/held
	wait_until 300 test -f $W/$1.rc
	is "$1: the buffers verify after the switch and are freed" "$(cat $W/$1.rc 2>/dev/null)" 0
	sed 's/^/# /' $W/$1.out
	is "$1: their page-path chunks are still the pool's to keep (nothing released)" \
		"$(cat $S/release_switch_pages)" "$rel"
	is "$1: nothing of them stays in use (signed, exactly)" "$(inuse_signed $DEV)" "$inuse0"
}
held page-to-coherent page coherent coherent
held coherent-to-page coherent page auto

# --- 3. switches under held tts that take DMA addresses (ttm_pool_hold) -------------------
# Their chunks come from the pool's path; freed after a switch, a chunk of the old
# path goes back to the system through the path that made it (release_switch_pages),
# never into the pool.
need "ttm_pool_hold.ko is in the initramfs" test -f $HOLD
# dma PHASE FROM-COUNTER TO WORD
dma() {
	ok "$1: drain" sh -c "echo 1 > $P/drain"
	made=$(cat $S/$2)
	ok "$1: hold 64 wc pages" insmod $HOLD pool=$DEV pages=64 caching=wc
	is "$1: they come from $2" "$(cat $S/$2)" $((made + 64))
	rel=$(cat $S/release_switch_pages)
	ok "$1: switch to $3 while they are held" sh -c "echo $4 > $P/alloc_path"
	is "$1: effective_path is $3" "$(cat $P/effective_path)" $3
	ok "$1: give them back" rmmod ttm_pool_hold
	is "$1: all 64 released at free (release_switch_pages +64)" \
		"$(($(cat $S/release_switch_pages) - rel))" 64
	is "$1: none of them pooled" "$(cat $P/pooled_pages)" 0
	is "$1: nothing in use (signed, exactly)" "$(inuse_signed $DEV)" "$inuse0"
}
dma page-chunks-freed-on-coherent alloc_page_pages coherent coherent
dma coherent-chunks-freed-on-page alloc_coherent_pages page auto

is "alloc_path is auto again" "$(cat $P/alloc_path)" "[auto] coherent page"
is "max_pages is back" "$(cat $P/max_pages)" "$max0"
done_testing
