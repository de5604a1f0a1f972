#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make stress: a longer tests/vm/stress.sh than make check's, in one boot (bochs,
# 768M, 2 vCPUs). Builds the ttm_pool_stress module and tests/progs for the kernel;
# the kernel and ttm-poolctl must be built (make stress's prerequisites).
#   scripts/stress.sh [--rt] [--swiotlb] SECONDS
# SECONDS of workload; the guest is killed after SECONDS * 4 + 600 s.
# --rt: on the rt kernel (PREEMPT_RT), console log $LOGDIR/stress-rt.log (else
# stress.log); --swiotlb: with swiotlb=force.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: ${0##*/} [--rt] [--swiotlb] SECONDS" >&2; exit 2; }
kernel=test log=$LOGDIR/stress.log append=()
while [ $# -gt 0 ]; do
	case $1 in
	--rt) kernel=rt log=$LOGDIR/stress-rt.log ;;
	--swiotlb) append=(--append swiotlb=force) ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
{ [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]]; } || usage
duration=$1

"$TOP/scripts/build-module.sh" "$TOP/tests/modules/ttm_pool_stress" "$kernel" >/dev/null
"$TOP/scripts/build-progs.sh" "$kernel"
# tests/vm/stress.sh reads its duration from /root/stress-duration.
echo "$duration" >"$CACHE/stress-duration"
exec "$TOP/scripts/ttm-vm" --kernel "$kernel" --gpu bochs --mem 768M "${append[@]}" \
	--timeout $((duration * 4 + 600)) --log "$log" \
	--add "$CACHE/stress-duration:/root/stress-duration" -- sh /tests/vm/stress.sh
