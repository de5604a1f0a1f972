#!/bin/sh
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# distro-check: dumb buffers (tests/progs/dumbbuf: created, mapped, written,
# evicted, verified) on the GPU while the pool's path is switched between runs;
# make distro-check boots bochs with swiotlb=force for it.
# shellcheck source=../../lib/tap.sh
. /tests/lib/tap.sh
# shellcheck source=lib.sh
. /tests/distro/lib.sh
need_pools
command -v dumbbuf >/dev/null || skip_all "dumbbuf not in the initramfs (scripts/build-progs.sh)"
P=$(the_pool)
D=$T/pools/$P
grep -q swiotlb=force /proc/cmdline && echo "# swiotlb=force"

for path in auto page coherent auto; do
	[ "$path" = coherent ] && [ "$P" = nodev ] && continue
	echo $path >"$D/alloc_path"
	ok "dumb buffers on the $path path ($(cat "$D/effective_path"))" dumbbuf -n 30 -k 8
done
ok "the pool was used" test "$(cat "$D/stats/alloc_hit_pages")" -gt 0 -o "$(cat "$D/stats/alloc_miss_pages")" -gt 0
echo "# stats: $(cd "$D/stats" && for f in alloc_hit_pages alloc_miss_pages release_switch_pages path_switches; do printf '%s=%s ' $f "$(cat $f)"; done)"
ok "no 'disagrees about version' or 'Unknown symbol' in the kernel log" no_log_error
done_testing
