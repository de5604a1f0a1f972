#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs --append swiotlb=force --append ttm.alloc_path=page --append ttm.alloc_path=bogus --append ttm.page_pool_size=20000 --append ttm.page_pool_size=12abc
# The module parameters on the kernel command line: ttm.alloc_path is the policy
# of every new pool and wins over what auto would choose (under swiotlb=force,
# auto is coherent for a pool with a device: bochs's, and those of the
# ttm_pool_stress module made later); ttm.page_pool_size is the global cap and
# every pool's initial max_pages. A bad value after a good one is refused with
# the kernel's message and changes nothing.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

bochs_pool
STRESS=/lib/ttm-tests/ttm_pool_stress.ko
logged() { dmesg | grep -q "$1"; }
need "swiotlb=force is on" grep -qw swiotlb=force /proc/cmdline
need "bochs ($DEV) has a pool" test -d "$P"

# --- ttm.alloc_path=page (then =bogus) -----------------------------------------------------
is "ttm.alloc_path reads page" "$(cat /sys/module/ttm/parameters/alloc_path)" page
ok "'bogus' was refused at boot" logged "bogus' invalid for parameter .ttm.alloc_path'"
is "bochs's pool has the policy page" "$(cat $P/alloc_path)" "auto coherent [page]"
is "...and uses the page path" "$(cat $P/effective_path)" page
is "...because it was configured" "$(dump_get $DEV path_reason)" configured
is "...although swiotlb bounces for bochs" "$(dump_get $DEV swiotlb_force)" 1
need "ttm_pool_hold.ko is in the initramfs" test -f "$HOLD"
pg=$(cat $S/alloc_page_pages)
coh=$(cat $S/alloc_coherent_pages)
ok "hold 8 pages" insmod $HOLD pool=$DEV pages=8 caching=wc
ok "...give them back" rmmod ttm_pool_hold
is "they came from the page path" "$(cat $S/alloc_page_pages) $(cat $S/alloc_coherent_pages)" \
	"$((pg + 8)) $coh"
ok "switch bochs to auto" sh -c "echo auto > $P/alloc_path"
is "auto is coherent here: the parameter made the difference" \
	"$(cat $P/effective_path) / $(dump_get $DEV path_reason)" "coherent / swiotlb forces bouncing"
ok "back to page" sh -c "echo page > $P/alloc_path"
ok "ttm.alloc_path cannot be written at runtime" \
	sh -c "! echo auto > /sys/module/ttm/parameters/alloc_path"
need "ttm_pool_stress.ko is in the initramfs" test -f "$STRESS"
ok "load ttm_pool_stress, paused (two fake devices, pools made now)" \
	insmod $STRESS threads=1 pause=1
for p in ttm_pool_stress32 ttm_pool_stress64; do
	is "$p: a new pool takes the policy page" "$(cat $T/pools/$p/alloc_path) / $(cat $T/pools/$p/effective_path)" \
		"auto coherent [page] / page"
	is "$p: ...though swiotlb bounces for it" "$(dump_get $p swiotlb_force)" 1
done

# --- ttm.page_pool_size=20000 (then =12abc) ---------------------------------------------
is "ttm.page_pool_size is the global cap" "$(cat $T/pool_max_pages)" 20000
is "...and reads back" "$(cat /sys/module/ttm/parameters/page_pool_size)" 20000
ok "'12abc' was refused at boot" logged "12abc' invalid for parameter .ttm.page_pool_size'"
for p in $DEV ttm_pool_stress32 ttm_pool_stress64; do
	is "$p: max_pages starts at the cap" "$(cat $T/pools/$p/max_pages)" 20000
done
ok "unload ttm_pool_stress" rmmod ttm_pool_stress
done_testing
