#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu none --iommu --device pci-testdev --append intel_iommu=on --append iommu.passthrough=0 --append kunit.enable=0
# Hot-unplug of a device whose pool runs on the coherent path, behind an IOMMU that
# translates (issue 20, review item A1). After device_del() the IOMMU core drops the
# device's IOMMU state (dev->dma_iommu), and a dma_free_attrs() on it takes the
# dma-direct branch with an IOVA for a physical address: it frees whatever page
# that number names. The ttm_pool_unplug module binds qemu's pci-testdev, makes a
# use_dma_alloc pool with three coherent tts, frees two into the pool and the third
# in its remove callback (as amdgpu's ttm_device_clear_dma_mappings() does), and
# keeps the pool until rmmod (the last close). Every coherent chunk must go back
# through the DMA API while the device is still there: when its driver detaches.
# dma-debug (CONFIG_DMA_API_DEBUG) sees every allocation and free: its dump lists
# what is still allocated, error_count counts what it found wrong, num_free_entries
# grows by one per allocation freed.
# Second part: a tt still alive at the removal (a buffer userspace holds) cannot be
# freed through the DMA API afterwards; the pool leaks it and says so.
. /tests/lib/tap.sh
. /tests/lib/pool.sh

KO=/lib/ttm-tests/ttm_pool_unplug.ko
DRV=/sys/bus/pci/drivers/ttm_pool_unplug
API=/sys/kernel/debug/dma-api
NPAGES=64

# outstanding: the coherent allocations dma-debug holds for $DEV
outstanding() { grep -c " $DEV coherent " $API/dump; }
errors() { cat $API/error_count; }

need "ttm_pool_unplug.ko is in the initramfs" test -f $KO
need "an IOMMU translates (DMAR unit registered)" test -e /sys/class/iommu/dmar0
need "dma-debug is on" test -r $API/dump
need "insmod ttm_pool_unplug.ko" insmod $KO
need "it bound the pci-testdev" wait_until 10 sh -c "ls -d $DRV/0000:* >/dev/null"
DEV=$(basename "$(ls -d $DRV/0000:* | head -n 1)")
P=$T/pools/$DEV
S=$P/stats
echo "# device $DEV"
ok "the device is in an IOMMU group with a DMA domain" \
	grep -qE '^DMA(-FQ)?$' /sys/bus/pci/devices/$DEV/iommu_group/type
is "its pool runs on the coherent path" "$(cat $P/effective_path)" coherent
is "the pool holds the two freed tts" "$(cat $P/pooled_pages)" $((2 * NPAGES))
is "one tt is in use" "$(cat $P/inuse_pages)" $NPAGES
is "dma-debug: three coherent allocations of the device" "$(outstanding)" 3
E0=$(errors)
is "dma-debug has found nothing wrong so far" "$E0" 0

# --- the device goes; the pool stays -------------------------------------------------
ok "remove the PCI device" sh -c "echo 1 >/sys/bus/pci/devices/$DEV/remove"
ok "the device is gone" test ! -e /sys/bus/pci/devices/$DEV
ok "the pool stays (the driver finalises it at the last close)" test -d $P
is "the coherent chunks went back when the driver detached: none pooled" \
	"$(cat $P/pooled_pages)" 0
is "...through the DMA API, before the device's IOMMU state went: none allocated" \
	"$(outstanding)" 0
is "...and dma-debug found no allocation left at the unbind" "$(errors)" "$E0"
is "the pool's path is page now" "$(cat $P/effective_path)" page
is "...one path switch" "$(cat $S/path_switches)" 1
ok "alloc_path coherent is refused" sh -c "! echo coherent >$P/alloc_path 2>/dev/null"
is "...and changes nothing" "$(cat $P/effective_path)" page
ok "alloc_path auto is accepted" sh -c "echo auto >$P/alloc_path"
is "...and resolves to page" "$(cat $P/effective_path)" page
ok "drain" sh -c "echo 1 >$P/drain"
is "nothing pooled" "$(cat $P/pooled_pages)" 0
is "nothing in use" "$(cat $P/inuse_pages)" 0
is "the chunks left through the path switch" "$(cat $S/release_switch_pages)" $((3 * NPAGES))
dmesg -c >/dev/null
ok "rmmod (the last close: ttm_pool_fini)" rmmod ttm_pool_unplug
ok "...which found the pool on the page path because the device was detached" \
	has "$(dmesg)" "ttm_pool_unplug: finalising the pool: page path, device detached"
ok "the pool is gone" test ! -e $P
is "dma-debug: no allocation of the device left" "$(outstanding)" 0
is "...and no error" "$(errors)" "$E0"

# --- a tt alive across the removal -------------------------------------------------
ok "rescan: the device is back" sh -c "echo 1 >/sys/bus/pci/rescan && test -e /sys/bus/pci/devices/$DEV"
need "insmod ttm_pool_unplug.ko keep=$NPAGES" insmod $KO keep=$NPAGES
need "it bound the device again" wait_until 10 test -e $DRV/$DEV
is "dma-debug: four coherent allocations" "$(outstanding)" 4
# Keeping a coherent buffer past the unbind is the (modelled) driver's own breach of
# the DMA API, which dma-debug reports with a WARNING at the unbind. Any driver
# filter silences that report (it cannot match a device without a driver); the
# error is still counted.
echo ttm_pool_unplug >$API/driver_filter
ok "remove the PCI device with the tt alive" sh -c "echo 1 >/sys/bus/pci/devices/$DEV/remove"
echo >$API/driver_filter
is "the pooled chunks went back at the detach: only the live tt is allocated" "$(outstanding)" 1
is "dma-debug counted the one breach (the live allocation at the unbind)" "$(errors)" $((E0 + 1))
is "the live tt's pages are in use" "$(cat $P/inuse_pages)" $NPAGES
dmesg -c >/dev/null
# dma-debug's dump names each entry's device: not read once the device is freed.
F0=$(cat $API/num_free_entries)
ok "rmmod: the live tt is freed, then the pool" rmmod ttm_pool_unplug
log=$(dmesg)
printf '%s\n' "$log" | grep -i 'ttm' | sed 's/^/# dmesg: /'
ok "the pool reports the chunk it could not free" \
	has "$log" "ttm_pool $DEV: $NPAGES pages of coherent DMA memory freed after the device was detached: leaked"
is "dma-debug: no allocation was freed (leaked, not freed wrong)" "$(cat $API/num_free_entries)" "$F0"
is "...and no further error" "$(errors)" $((E0 + 1))
done_testing
