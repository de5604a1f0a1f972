#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Where the hit path's instructions go, per function, upstream against ours.
# See tests/bench/profile/README. Boots each kernel once under -icount with
# the tbcount.so plugin. In the guest, after a warm-up insmod, each round
# runs ttm_pool_bench's hit case for each configuration twice (reps=LO, then
# reps=HI), each insmod followed by a "sync" that makes the plugin take a
# snapshot of its counts. (count of the HI run - count of the LO run) /
# (HI - LO) is what one more alloc+free cycle executes; the tables take the
# median of the rounds, per function (one-off work in the guest, e.g. a
# deferred vfree() of an earlier module, lands in one round only).
#
#   tests/bench/profile/run.sh
#
# Environment: KERNELS (default "upstream plain": the base, then ours),
# CONFIGS (default "page:cached:4:0 page:cached:4:1 coherent:cached:4:0
# coherent:cached:4:1": PATH:CACHING:KIB:ZERO), REPS (default "100 1000",
# LO and HI, at most 1000), ROUNDS (default 3), IOA (init_on_alloc, default
# 0), ANNOTATE (functions to show the code of, default 10), ANNOTATE_CONFIG
# (of this configuration, default coherent:cached:4:0: the one where upstream
# pools too), OUT (default
# docs/bench/profile-hit-4k.md; empty: print), BENCH_SRC (the module's
# source, default tests/bench/ttm_pool_bench).
# The counts, System.maps, vmlinuxes and console logs stay in
# $CACHE/profile/TIMESTAMP; tests/bench/profile/profile.py report DIR
# makes the tables again.
set -euo pipefail
# shellcheck source=../../../scripts/lib.sh
. "$(dirname "$0")/../../../scripts/lib.sh"

read -r -a kernels <<<"${KERNELS:-upstream plain}"
read -r -a configs <<<"${CONFIGS:-page:cached:4:0 page:cached:4:1 coherent:cached:4:0 coherent:cached:4:1}"
read -r lo hi <<<"${REPS:-100 1000}"
rounds=${ROUNDS:-3}
ioa=${IOA:-0}
annotate=${ANNOTATE:-10}
annotate_config=${ANNOTATE_CONFIG:-coherent:cached:4:0}
out=${OUT-$TOP/docs/bench/profile-hit-4k.md}
bench_src=${BENCH_SRC:-$TOP/tests/bench/ttm_pool_bench}
[ ${#kernels[@]} -eq 2 ] || die "KERNELS: two kernels, the base first"
[[ $rounds =~ ^[1-9][0-9]?$ ]] || die "ROUNDS: 1..99"
if ! [[ $lo =~ ^[0-9]+$ && $hi =~ ^[0-9]+$ ]] || [ "$lo" -lt 3 ] || [ "$hi" -le "$lo" ] ||
	[ "$hi" -gt 1000 ]; then
	die "REPS: LO HI with 3 <= LO < HI <= 1000"
fi
for c in "${configs[@]}"; do
	[[ $c =~ ^(page|coherent):(cached|wc|uc):[0-9]+:[01]$ ]] || die "CONFIGS: bad '$c'"
done

# The plugin, built for this host's qemu.
dir=$CACHE/profile
mkdir -p "$dir"
so=$dir/tbcount.so
gcc -O2 -Wall -Wextra -shared -fPIC -o "$so" "$TOP/tests/bench/profile/tbcount.c"

# (what the build of ours had: the repo's kernel files when it ran)
rev=$(git -C "$TOP" rev-parse --short HEAD)
dirty=$(git -C "$TOP" status --porcelain -- "${KERNEL_PATHS[@]}" | wc -l)
[ "$dirty" -eq 0 ] || rev+=" + $dirty changed file(s) in the work tree"
for k in "${kernels[@]}"; do
	"$TOP/scripts/build-kernel.sh" "$k"
	"$TOP/scripts/build-module.sh" "$bench_src" "$k" >/dev/null
done

run=$dir/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"
printf 'kernel\tconfig\tround\treps\tsnapshot\tinsmod\n' >"$run/manifest.tsv"
# The guest: a snapshot after boot, then one after each insmod (the first
# one a warm-up, not measured: it pays the first load's one-off costs).
guest='sync'
snap=1 insmods=0
rows=()
add_insmod() { # CONFIG REPS
	local path caching kib zero
	IFS=: read -r path caching kib zero <<<"$1"
	guest+="
insmod /lib/ttm-tests/ttm_pool_bench.ko only=hit path=$path caching=$caching kib=$kib zero=$zero reps=$2 || exit 1
for s in .text .init.text; do echo \"module,ttm_pool_bench,\$s,\$(cat /sys/module/ttm_pool_bench/sections/\$s 2>/dev/null)\"; done
rmmod ttm_pool_bench
sync"
	snap=$((snap + 1)) insmods=$((insmods + 1))
}
add_insmod "${configs[0]}" "$lo"
for round in $(seq 1 "$rounds"); do
	for c in "${configs[@]}"; do
		for r in "$lo" "$hi"; do
			add_insmod "$c" "$r"
			rows+=("${c//:/ }	$round	$r	$snap	$((insmods - 1))")
		done
	done
done
guest+="
dmesg | sed -n 's/.*ttm_pool_bench: csv,//p'"

# Each kernel's TTM objects compiled again with -g into $run/KERNEL.debug/ (the same
# code plus line tables: profile.py's source lines), from the commands
# kbuild saved, without their objtool pass and dependency file.
debug_objs() {
	local obj dest cmdf o cmd
	obj=$(obj_dir "$1") dest=$run/$1.debug
	mkdir -p "$dest"
	for cmdf in "$obj"/drivers/gpu/drm/ttm/.*.o.cmd; do
		o=${cmdf##*/.} && o=${o%.cmd}
		cmd=$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdf")
		cmd=${cmd%%;*}
		[[ $cmd == *" -c -o drivers/gpu/drm/ttm/$o "* ]] || continue
		cmd=$(sed -E 's/ -Wp,-MMD,[^ ]+//; s# -c -o [^ ]+# -g -c -o '"$dest/$o"'#' <<<"$cmd")
		(cd "$obj" && eval "$cmd") || die "profile: compiling $o with -g failed"
	done
}
for k in "${kernels[@]}"; do debug_objs "$k"; done

for k in "${kernels[@]}"; do
	obj=$(obj_dir "$k")
	cp "$obj/System.map" "$run/$k.System.map"
	cp "$obj/vmlinux" "$run/$k.vmlinux"
	cp "$CACHE/modules/$k/ttm_pool_bench/ttm_pool_bench.ko" "$run/$k.ttm_pool_bench.ko"
	addr=$(awk '$3 == "__x64_sys_sync" { print $1 }' "$obj/System.map")
	[ -n "$addr" ] || die "no __x64_sys_sync in $obj/System.map"
	for r in "${rows[@]}"; do printf '%s\t%s\n' "$k" "$r" >>"$run/manifest.tsv"; done
	phase "profile: $k kernel (${#configs[@]} configurations, reps=$lo and $hi, $rounds round(s); log: $run/$k.log)"
	t0=$(date +%s)
	"$TOP/scripts/ttm-vm" --kernel "$k" --gpu none --smp 2 --mem 1536M \
		--append "kunit.enable=0 tsc=reliable nokaslr init_on_alloc=$ioa" --no-kmemleak --icount \
		--timeout 3600 --log "$run/$k.log" \
		--qemu-arg -plugin --qemu-arg "file=$so,out=$run/$k.tbc,snap=$addr" \
		-- "$guest" >"$run/$k.csv" || die "profile: the $k boot failed; see $run/$k.log"
	n=$(grep -c '^E ' "$run/$k.tbc" || true)
	# (the guest's power-off syncs too: more snapshots follow ours)
	[ "$n" -gt "$snap" ] || die "profile: $k: $n snapshots, expected more than $snap; see $run/$k.log"
	grep -q "Marking TSC unstable\|Marking clocksource 'tsc" "$run/$k.log" &&
		echo "    $k: the guest's TSC was not used: its bench figures are off (the counts are not)" >&2
	echo "    $k: $(($(date +%s) - t0))s" >&2
done

head=$run/head.md
cat >"$head" <<EOF
# Where the hit path's instructions go, per function (4 KiB)

Made by \`tests/bench/profile/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (ours: $rev).
Each kernel (${kernels[0]}: pristine linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null);
${kernels[1]}: ours, the same config) was booted once under qemu TCG with
\`-icount shift=0,sleep=off\`, init_on_alloc=$ioa, 2 vCPUs, and the plugin
tests/bench/profile/tbcount.c counting every executed kernel instruction. In
the guest, after a warm-up run, $rounds round(s) of: for each configuration,
\`insmod ttm_pool_bench.ko only=hit path=PATH caching=CACHING kib=KIB
zero=ZERO reps=N\` with N=$lo, then N=$hi, each followed by \`rmmod\` and a
\`sync\` (the plugin snapshots its counts when \`__x64_sys_sync\` runs). A
run's count is what ran between its two snapshots; (count at N=$hi - count
at N=$lo) / $((hi - lo)) is what one more back-to-back alloc+free cycle
costs, the median of the rounds per function. That is every vCPU's (the
pool's clearing worker included), with the bench's loop around the cycle
(the \`[ttm_pool_bench]\` rows, two \`ktime_get_ns()\`, \`cond_resched()\`)
and one more sample for \`sort()\` to sort after it (\`sort_r\`, \`do_swap\`,
\`cmp_u64\`: n log n). The totals take those out in turn; the last row
is the bench's own figure (its median in ns = instructions under icount),
which times alloc+free and about one \`ktime_get()\`. Functions are mapped
with each build's System.map (the module's with its .ko and the addresses
it was loaded at); inlined code counts in its caller. Instructions are
TCG's: a \`rep stos\` counts once per iteration (a 4 KiB \`clear_page_erms\`
is about 4100), as in the bench's icount figures.

Regenerate (builds what is missing, two boots of about 20 s each):

    tests/bench/profile/run.sh

Raw data of this run: \`$run\`
(\`tests/bench/profile/profile.py report DIR\` prints the tables again;
\`profile.py funcs\` and \`profile.py annotate\` look at other functions,
other windows).

EOF
# A hand-written "## Reading" section of the old OUT (up to "## Tables") is
# kept, before the new tables: check it against them.
if [ -n "$out" ] && [ -f "$out" ] && grep -q '^## Reading' "$out"; then
	sed -n '/^## Reading/,/^## Tables/p' "$out" | sed '/^## Tables/d' >>"$head"
	echo "    kept the '## Reading' section of $out: check it against the new tables" >&2
fi
printf '## Tables\n\n' >>"$head"
args=(report "$run" --annotate "$annotate" --annotate-config "${annotate_config//:/ }" --head "$head")
[ -z "$out" ] || args+=(--out "$out")
python3 "$TOP/tests/bench/profile/profile.py" "${args[@]}"
[ -z "$out" ] || phase "profile: wrote $out (raw: $run)"
