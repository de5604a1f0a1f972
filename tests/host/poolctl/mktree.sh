#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mktree.sh DIR [full|nodebugfs|empty|old]: a fake sysroot for ttm-poolctl tests
# (old: full, but every pool as an older kernel's, without pre-cleared chunks).
#   0000:00:02.0    bochs-drm, page path, some pages pooled
#   0000:03:00.0    amdgpu, coherent path forced, busy
#   0000:03:00.0.1  amdgpu's second pool, mid-switch: alloc_path says coherent,
#                   effective_path still page
#   nodev           qxl (no device: no link, no driver name), nothing pooled;
#                   an older kernel's pool: no pre-cleared chunks (no prezero,
#                   clean_pages, dirty_pages, stats/cleared_*)
# The other pools have pre-cleared chunks: prezero on, except 0000:03:00.0.
set -euo pipefail
root=${1:?usage: mktree.sh DIR [full|nodebugfs|empty|old]}
kind=${2:-full}
rm -rf "$root"
mkdir -p "$root/proc/sys/kernel" "$root/dev" "$root/sys/class/drm/card0" \
	"$root/sys/class/drm/card1"
echo "6.12.117-ttm-pool" >"$root/proc/sys/kernel/osrelease"
echo "console=ttyS0 swiotlb=force quiet" >"$root/proc/cmdline"
cat >"$root/proc/meminfo" <<'MEM'
MemTotal:        1000000 kB
MemFree:          500000 kB
MemAvailable:     700000 kB
Buffers:               0 kB
KReclaimable:      12345 kB
SReclaimable:      10000 kB
MEM
cat >"$root/dev/kmsg" <<'KMSG'
6,100,1234567,-;[drm] Initialized bochs-drm 1.0.0 for 0000:00:02.0 on minor 0
6,101,1234999,-;random: crng init done
4,102,2000001,-;software IO TLB: area num 1.
 SUBSYSTEM=pci
6,103,3500000,-;amdgpu 0000:03:00.0: [drm] ttm pool ready
KMSG
ln -s ../../../devices/pci0000:00/0000:00:02.0 "$root/sys/class/drm/card0/device"
ln -s ../../../devices/pci0000:00/0000:03:00.0 "$root/sys/class/drm/card1/device"
[ "$kind" = empty ] && exit 0

T=$root/sys/kernel/ttm
mkdir -p "$T/pools"
echo 131072 >"$T/pool_max_pages"
echo 5152 >"$T/pooled_pages"

# pool NAME DEVICE DRIVER POLICY EFFECTIVE MAX HIGH LOW WC UC CACHED INUSE HIT MISS \
#      [PREZERO CLEAN]   (none: a kernel without pre-cleared chunks)
pool() {
	local d=$T/pools/$1 i=0
	mkdir -p "$d/stats"
	[ -n "$2" ] && ln -s "../../../../../devices/pci0000:00/$2" "$d/device"
	echo "$3" >"$d/driver"
	echo -1 >"$d/numa_node"
	echo 0 >"$d/dma32"
	case $4 in
	auto) echo "[auto] coherent page" ;;
	coherent) echo "auto [coherent] page" ;;
	page) echo "auto coherent [page]" ;;
	esac >"$d/alloc_path"
	echo "$5" >"$d/effective_path"
	echo "$6" >"$d/max_pages"
	echo "$7" >"$d/high_watermark_pages"
	echo "$8" >"$d/low_watermark_pages"
	echo "$9" >"$d/pooled_wc_pages"
	echo "${10}" >"$d/pooled_uc_pages"
	echo "${11}" >"$d/pooled_cached_pages"
	echo $(($9 + ${10} + ${11})) >"$d/pooled_pages"
	echo "${12}" >"$d/inuse_pages"
	# for the shim's kernel rules (FAKESYS_KERNEL): max high low high_set low_set
	echo "$6 $7 $8 $(($7 != $6)) $(($8 != $6))" >"$d/.kstate"
	: >"$d/drain"
	chmod 0200 "$d/drain"
	for s in alloc_hit_pages alloc_miss_pages alloc_coherent_pages alloc_page_pages \
		alloc_failures free_pooled_pages release_cap_pages release_trim_pages \
		release_shrinker_pages release_drain_pages release_switch_pages \
		caching_change_batches caching_change_pages path_switches; do
		i=$((i + 1))
		echo $((i * 10)) >"$d/stats/$s"
	done
	echo "${13}" >"$d/stats/alloc_hit_pages"
	echo "${14}" >"$d/stats/alloc_miss_pages"
	[ -n "${15:-}" ] && [ "$kind" != old ] || return 0
	echo "${15}" >"$d/prezero"
	echo "${16}" >"$d/clean_pages"
	echo $(($9 + ${10} + ${11} - ${16})) >"$d/dirty_pages"
	for s in cleared_background_pages cleared_alloc_pages cleared_wasted_pages; do
		i=$((i + 1))
		echo $((i * 10)) >"$d/stats/$s"
	done
}
pool 0000:00:02.0 0000:00:02.0 bochs-drm auto page 131072 131072 131072 1024 0 3072 256 300 100 1 3072
pool 0000:03:00.0 0000:03:00.0 amdgpu coherent coherent 262144 200000 100000 512 512 0 40960 999 1 0 0
pool 0000:03:00.0.1 0000:03:00.0 amdgpu coherent page 131072 131072 131072 32 0 0 0 0 0 1 32
pool nodev "" "" auto page 131072 131072 131072 0 0 0 768 0 0
[ "$kind" = nodebugfs ] && exit 0

D=$root/sys/kernel/debug/ttm
mkdir -p "$D/pools"
for n in 0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev; do
	# swiotlb=force on the command line: the kernel says it bounces
	reason="swiotlb forces bouncing"
	[ $n = 0000:03:00.0 ] && reason="alloc_path set to coherent"
	printf 'ttm_pool dump v1\nname: %s\npath_reason: %s\nswiotlb_force: 1\nswiotlb_active: 1\n' \
		"$n" "$reason" >"$D/pools/$n"
	# a kernel with pre-cleared chunks: their lines after inuse_pages and in stats
	P=$T/pools/$n
	[ -e "$P/prezero" ] || continue
	{
		echo "inuse_pages: $(cat "$P/inuse_pages")"
		for f in prezero clean_pages dirty_pages; do echo "$f: $(cat "$P/$f")"; done
		echo "stats:"
		echo "returned_pages: 0"
		for f in cleared_background_pages cleared_alloc_pages cleared_wasted_pages; do
			echo "$f: $(cat "$P/stats/$f")"
		done
	} >>"$D/pools/$n"
done
mkdir -p "$root/sys/kernel/debug/swiotlb" "$root/sys/module/ttm/parameters"
echo 32768 >"$root/sys/kernel/debug/swiotlb/io_tlb_nslabs"
echo 0 >"$root/sys/kernel/debug/swiotlb/io_tlb_used"
echo 0 >"$root/sys/module/ttm/parameters/page_pool_size"
echo auto >"$root/sys/module/ttm/parameters/alloc_path"
printf '\t  --- 0---\nwc\t:        1\n' >"$D/page_pool"
