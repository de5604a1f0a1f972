#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mktree.sh DIR [full|nodebugfs|empty|old|legacy|numa]: a fake sysroot for ttm-poolctl
# tests (old: full, but every pool as an older kernel's, without pre-cleared chunks, and
# without the global memory summary; legacy: full, but every pool's prezero as a kernel's
# from before prezero auto, 1 or 0 (auto and on: 1), without stats/alloc_zero_pages
# and with a debugfs dump of version 1; numa: full, on two NUMA nodes).
#   0000:00:02.0    bochs-drm, page path, some pages pooled
#   0000:03:00.0    amdgpu, coherent path forced, busy
#   0000:03:00.0.1  amdgpu's second pool, mid-switch: alloc_path says coherent,
#                   effective_path still page
#   nodev           qxl (no device: no link, no driver name), nothing pooled;
#                   an older kernel's pool: no pre-cleared chunks (no prezero,
#                   clean_pages, dirty_pages, stats/cleared_*)
# The other pools have pre-cleared chunks: prezero "[auto] on off" (0000:00:02.0),
# "auto on [off]" (0000:03:00.0) and "auto [on] off" (0000:03:00.0.1), and
# stats/alloc_zero_pages; and QA controls (debugfs qa/<pool>/inject, verify_clean:
# off, 0).
# The global memory summary (inuse_pages, clean_pages, dirty_pages: the pools' sums)
# and nodes/node<N>/ (inuse_pages, pooled_pages): node0 alone, or in numa trees
# node0 (0000:00:02.0, and nodev's pages in use) and node1 (amdgpu's pools), the
# pools' numa_node 0, 1 and -1 (nodev) there.
# /proc and /lib/modules of the running kernel (its modules.dep); /sys/module/ttm of
# ttm-pool's ttm.ko (not in empty trees); debugfs pools/all, every pool's dump.
# tracefs (/sys/kernel/tracing, not in nodebugfs trees): the events of the system
# ttm_pool, disabled and without filters, tracing_on 1, and trace_pipe a plain
# file of event lines.
set -euo pipefail
root=${1:?usage: mktree.sh DIR [full|nodebugfs|empty|old|legacy|numa]}
kind=${2:-full}
rm -rf "$root"
mkdir -p "$root/proc/sys/kernel" "$root/dev" "$root/sys/class/drm/card0" \
	"$root/sys/class/drm/card1"
echo "6.12.117-ttm-pool" >"$root/proc/sys/kernel/osrelease"
echo Linux >"$root/proc/sys/kernel/ostype"
echo "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1 (2026-11-20)" >"$root/proc/sys/kernel/version"
echo x86_64 >"$root/proc/sys/kernel/arch"
echo "Linux version 6.12.117-ttm-pool (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1 (2026-11-20)" \
	>"$root/proc/version"
# depmod's choice: ttm-pool's ttm.ko (DKMS, updates/) ahead of the kernel's
mkdir -p "$root/lib/modules/6.12.117-ttm-pool"
cat >"$root/lib/modules/6.12.117-ttm-pool/modules.dep" <<'DEP'
kernel/drivers/gpu/drm/drm.ko.xz:
kernel/drivers/gpu/drm/drm_kms_helper.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz
kernel/drivers/gpu/drm/tiny/bochs.ko.xz: kernel/drivers/gpu/drm/drm_vram_helper.ko.xz kernel/drivers/gpu/drm/drm_ttm_helper.ko.xz updates/dkms/ttm.ko.xz kernel/drivers/gpu/drm/drm_kms_helper.ko.xz kernel/drivers/gpu/drm/drm.ko.xz
updates/dkms/ttm.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz
kernel/drivers/gpu/drm/ttm/tests/ttm_device_test.ko.xz: updates/dkms/ttm.ko.xz
DEP
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
#      [PREZERO CLEAN]   (none: a kernel without pre-cleared chunks; PREZERO auto, on
#                        or off)
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
	if [ "$kind" = legacy ]; then
		[ "${15}" = off ] && echo 0 || echo 1
	else
		# the kernel's order, the mode in brackets
		echo "auto on off" | sed "s/\b${15}\b/[${15}]/"
	fi >"$d/prezero"
	echo "${16}" >"$d/clean_pages"
	echo $(($9 + ${10} + ${11} - ${16})) >"$d/dirty_pages"
	for s in cleared_background_pages cleared_alloc_pages cleared_wasted_pages alloc_zero_pages; do
		i=$((i + 1))
		[ $s = alloc_zero_pages ] && [ "$kind" = legacy ] && continue
		echo $((i * 10)) >"$d/stats/$s"
	done
}
pool 0000:00:02.0 0000:00:02.0 bochs-drm auto page 131072 131072 131072 1024 0 3072 256 300 100 auto 3072
pool 0000:03:00.0 0000:03:00.0 amdgpu coherent coherent 262144 200000 100000 512 512 0 40960 999 1 off 0
pool 0000:03:00.0.1 0000:03:00.0 amdgpu coherent page 131072 131072 131072 32 0 0 0 0 0 on 32
pool nodev "" "" auto page 131072 131072 131072 0 0 0 768 0 0
# the loaded ttm.ko: ttm-pool's (the parameter alloc_path), from DKMS (taint OE)
M=$root/sys/module/ttm
mkdir -p "$M/parameters"
echo 0 >"$M/parameters/page_pool_size"
echo auto >"$M/parameters/alloc_path"
echo live >"$M/initstate"
echo 5A1B2C3D4E5F60718293A4B >"$M/srcversion"
echo OE >"$M/taint"
if [ "$kind" != old ]; then
	sum() { cat "$T"/pools/*/"$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
	for f in inuse_pages clean_pages dirty_pages; do sum $f >"$T/$f"; done
	# node N INUSE POOLED
	node() {
		mkdir -p "$T/nodes/node$1"
		echo "$2" >"$T/nodes/node$1/inuse_pages"
		echo "$3" >"$T/nodes/node$1/pooled_pages"
	}
	if [ "$kind" = numa ]; then
		node 0 1024 4096
		node 1 40960 1056
		echo 0 >"$T/pools/0000:00:02.0/numa_node"
		echo 1 >"$T/pools/0000:03:00.0/numa_node"
		echo 1 >"$T/pools/0000:03:00.0.1/numa_node"
	else
		node 0 41984 5152
	fi
fi
[ "$kind" = nodebugfs ] && exit 0

D=$root/sys/kernel/debug/ttm
mkdir -p "$D/pools"
for n in 0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev; do
	# swiotlb=force on the command line: the kernel says it bounces
	reason="swiotlb forces bouncing"
	[ $n = 0000:03:00.0 ] && reason="alloc_path set to coherent"
	# version 2: prezero's word and the clearing policy's lines (prezero auto)
	P=$T/pools/$n
	v=1
	[ -e "$P/stats/alloc_zero_pages" ] && v=2
	printf 'ttm_pool dump v%d\nname: %s\npath_reason: %s\nswiotlb_force: 1\nswiotlb_active: 1\n' \
		$v "$n" "$reason" >"$D/pools/$n"
	# a kernel with pre-cleared chunks: their lines after inuse_pages and in stats
	[ -e "$P/prezero" ] || continue
	# and QA controls, root only
	mkdir -p "$D/qa/$n"
	echo off >"$D/qa/$n/inject"
	echo 0 >"$D/qa/$n/verify_clean"
	chmod 0600 "$D/qa/$n/inject" "$D/qa/$n/verify_clean"
	{
		echo "inuse_pages: $(cat "$P/inuse_pages")"
		if [ $v = 2 ]; then
			echo "prezero: $(sed 's/.*\[\(.*\)\].*/\1/' "$P/prezero")"
			printf 'clear_page_ns: 519\nclear_page_ns_source: measured\nwake_ns: 9800\n'
			printf 'wake_ns_source: set\nwake_min_pages: 378\ndemand_pages: 1234\npending_pages: 12\n'
		else
			echo "prezero: $(cat "$P/prezero")"
		fi
		for f in clean_pages dirty_pages; do echo "$f: $(cat "$P/$f")"; done
		echo "inject: off"
		echo "verify_clean: 0"
		echo "stats:"
		[ $v = 1 ] || echo "alloc_zero_pages: $(cat "$P/stats/alloc_zero_pages")"
		echo "returned_pages: 0"
		for f in cleared_background_pages cleared_alloc_pages cleared_wasted_pages; do
			echo "$f: $(cat "$P/stats/$f")"
		done
	} >>"$D/pools/$n"
done
# all: every pool's dump, separated by an empty line, root only
for n in 0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev; do
	[ $n = 0000:00:02.0 ] || echo
	cat "$D/pools/$n"
done >"$D/pools/all"
chmod 0400 "$D/pools/all"
mkdir -p "$root/sys/kernel/debug/swiotlb"
echo 32768 >"$root/sys/kernel/debug/swiotlb/io_tlb_nslabs"
echo 0 >"$root/sys/kernel/debug/swiotlb/io_tlb_used"
printf '\t  --- 0---\nwc\t:        1\n' >"$D/page_pool"

# tracefs: the kernel's events (drivers/gpu/drm/ttm/ttm_pool_trace.h), each with
# enable, filter, id and format; its fields TYPE:NAME (s a string, u unsigned int,
# l unsigned long, i int, b bool, x16 u8[16])
TR=$root/sys/kernel/tracing
E=$TR/events/ttm_pool
mkdir -p "$E"
echo 1 >"$TR/tracing_on"
echo 0 >"$E/enable"
echo none >"$E/filter"
id=1500
while read -r ev fields; do
	id=$((id + 1))
	mkdir "$E/$ev"
	echo 0 >"$E/$ev/enable"
	echo none >"$E/$ev/filter"
	echo $id >"$E/$ev/id"
	{
		printf 'name: %s\nID: %d\nformat:\n' "$ev" $id
		printf '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n'
		printf '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n'
		printf '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n'
		printf '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n'
		off=8
		for f in $fields; do
			case ${f%%:*} in
			s) decl="__data_loc char[] ${f#*:}" size=4 sign=0 ;;
			u) decl="unsigned int ${f#*:}" size=4 sign=0 ;;
			l) decl="unsigned long ${f#*:}" size=8 sign=0 ;;
			i) decl="int ${f#*:}" size=4 sign=1 ;;
			b) decl="bool ${f#*:}" size=1 sign=0 ;;
			x16) decl="u8 ${f#*:}[16]" size=16 sign=0 ;;
			esac
			printf '\tfield:%s;\toffset:%d;\tsize:%d;\tsigned:%d;\n' "$decl" $off $size $sign
			off=$((off + size))
		done
	} >"$E/$ev/format"
done <<'EVENTS'
ttm_pool_alloc_chunk s:pool u:order s:caching s:path b:hit u:precleared u:cleared
ttm_pool_alloc s:pool l:pages s:caching s:path b:zero l:hit l:miss l:precleared l:cleared i:ret
ttm_pool_alloc_fail s:pool u:order s:reason b:injected
ttm_pool_free s:pool l:pages s:caching l:pooled l:released
ttm_pool_release s:pool s:reason l:pages l:wasted
ttm_pool_shrink i:nid l:asked l:freed
ttm_pool_path_switch s:pool s:from s:to s:why
ttm_pool_clear s:pool l:pages b:backoff
ttm_pool_verify_dirty s:pool u:order s:caching s:path u:page u:offset x16:bytes
EVENTS
# 10 events of the pools (5 of 0000:00:02.0, 3 of device 0000:03:00.0, 1 of nodev,
# a shrink), another system's event and a lost-events notice
cat >"$TR/trace_pipe" <<'PIPE'
          <idle>-0       [000] d.h2.    10.000001: sched_wakeup: comm=kworker/0:1 pid=12 prio=120 target_cpu=000
         dumbbuf-123     [001] .....    12.345678: ttm_pool_alloc_chunk: pool=0000:00:02.0 order=2 caching=cached path=page hit pages=4 precleared=4 cleared=0
         dumbbuf-123     [001] .....    12.345680: ttm_pool_alloc: pool=0000:00:02.0 pages=4 caching=cached path=page zero=1 hit=4 miss=0 precleared=4 cleared=0 ret=0
    kworker/u8:2-45      [000] .....    12.400000: ttm_pool_clear: pool=0000:03:00.0 pages=512 backoff=0
         kswapd0-80      [002] .....    13.000000: ttm_pool_shrink: nid=0 asked=128 freed=64
         kswapd0-80      [002] .....    13.000001: ttm_pool_release: pool=0000:03:00.0.1 reason=release_shrinker_pages pages=64 wasted=0
CPU:2 [LOST 7 EVENTS]
     gnome-shell-1234    [003] .....    14.000000: ttm_pool_path_switch: pool=nodev from=page to=coherent why=swiotlb forces bouncing
         dumbbuf-124     [003] .....    15.000000: ttm_pool_alloc_fail: pool=0000:00:02.0 order=0 reason=nomem injected=1
         dumbbuf-124     [003] .....    15.000001: ttm_pool_alloc: pool=0000:00:02.0 pages=1 caching=wc path=page zero=0 hit=0 miss=0 precleared=0 cleared=0 ret=-12
     Web Content-777     [001] .....    16.000000: ttm_pool_free: pool=0000:03:00.0 pages=16 caching=wc pooled=16 released=0
         dumbbuf-125     (    125) [000] .....    17.000000: ttm_pool_verify_dirty: pool=0000:00:02.0 order=3 caching=cached path=coherent page=2 offset=128 bytes=12345678000000000000000000000000
PIPE
