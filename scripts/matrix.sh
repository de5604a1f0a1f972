#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make matrix: the package's DKMS tree (packaging/dkms/mktree.sh, dkms.conf of
# packaging/debian/ttm-pool-dkms.dkms, run by Debian's own dkms) built for every
# linux-headers-6.12.*+deb12-{amd64,rt-amd64} the archive offers, each unpacked with
# dpkg-deb -x (scripts/debian-kernel.sh: deb_headers), not installed. For each:
# the build must take that version's own upstream TTM (ttm_bo_util.c and every other
# upstream file compiled has the sha256 of packaging/upstream/sums/VERSION) and give
# N/N identical export CRCs. cloud-amd64 (no TTM) must be skipped by BUILD_EXCLUSIVE
# (dkms status 77), not fail. Prints TAP with a table (also $LOGDIR/matrix.txt) and
# keeps each ttm.ko as $CACHE/matrix/<abi>/ttm.ko.
#   scripts/matrix.sh [--quick] [--versions "V..."]
# --quick: the oldest and newest pinned versions only (make check). Default: every
# version the archive has; one that is not pinned (packaging/upstream/versions) is
# refused for want of sources, and fails here until it is pinned.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=debian-kernel.sh
. "$TOP/scripts/debian-kernel.sh"
# shellcheck source=upstream.sh
. "$TOP/scripts/upstream.sh"

versions=
case ${1:-} in
--quick) versions="$(up_pinned | head -n 1) $(up_newest)" ;;
--versions) versions=${2:?usage: ${0##*/} [--quick] [--versions \"V...\"]} ;;
"") versions=$(up_archive) ;;
*) echo "usage: ${0##*/} [--quick] [--versions \"V...\"]" >&2; exit 2 ;;
esac
[ -n "$versions" ] || die "no versions (apt-get update?)"
flavours="amd64 rt-amd64"
m=$CACHE/matrix
ver=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -SVersion)
upver=${ver%-*}
log=$LOGDIR/matrix.log
: >"$log"
command -v ccache >/dev/null && export DEBIAN_KERNEL_USE_CCACHE=1

echo "TAP version 13"
n=0 failed=0
tap() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# The package's tree, as dh_dkms installs it under /usr/src.
rm -rf "$m/src" "$m/dkms"
mkdir -p "$m/src" "$m/dkms"
tree=$m/src/ttm-pool-$upver
"$TOP/packaging/dkms/mktree.sh" "$tree" || die "mktree.sh failed"
sed "s/#MODULE_VERSION#/$upver/" "$TOP/packaging/debian/ttm-pool-dkms.dkms" >"$tree/dkms.conf"

table=$LOGDIR/matrix.txt
printf '%-20s %-11s %-28s %-7s %s\n' VERSION FLAVOUR SOURCES CRCS RESULT >"$table"
row() { printf '%-20s %-11s %-28s %-7s %s\n' "$@" >>"$table"; }

# dkms_build ABI HEADERS: Debian's dkms builds the tree for that kernel; status as dkms's.
dkms_build() {
	echo "+ dkms build -k $1 --kernelsourcedir $2" >>"$log"
	dkms build -m ttm-pool -v "$upver" -k "$1" --kernelsourcedir "$2" \
		--dkmstree "$m/dkms" --sourcetree "$m/src" >>"$log" 2>&1
}

for v in $versions; do
	for f in $flavours; do
		abi=$(debian_abi "$v" "$f")
		t0=$SECONDS
		hdr=$(deb_headers "$v" "$f" 2>>"$log") || {
			tap 1 "$abi ($v): headers unpacked"
			row "$v" "$f" "-" "-" "FAIL: no headers"
			continue
		}
		# A module of an earlier run must never stand in for this one's.
		rm -rf "${m:?}/$abi"
		rc=0
		dkms_build "$abi" "$hdr" || rc=$?
		b=$m/dkms/ttm-pool/$upver/build
		mlog=$m/dkms/ttm-pool/$upver/$abi/x86_64/log/make.log
		[ -f "$mlog" ] || mlog=$b/make.log
		cp "$mlog" "$LOGDIR/matrix-$abi.make.log" 2>/dev/null
		crc=$(grep -o '^[0-9]*/[0-9]* TTM export CRCs identical' "$mlog" 2>/dev/null | cut -d' ' -f1)
		srcs=$(sed -n "s/^ttm-pool: sources: upstream TTM of //p" "$mlog" 2>/dev/null | sed -e "s/, ours overlaid$//" -e "s/^ttm-pool-dkms.s copy of linux-source-6.12 /package: /")
		tap "$rc" "$abi ($v): DKMS build (dkms status $rc, $((SECONDS - t0))s)"
		if [ "$rc" -ne 0 ]; then
			grep -h '^ttm-pool: REFUSED' "$mlog" 2>/dev/null | sed 's/^/# /'
			row "$v" "$f" "${srcs:--}" "${crc:--}" "FAIL ($(grep -c '^ttm-pool: REFUSED' "$mlog" 2>/dev/null) refusal)"
			continue
		fi
		total=${crc#*/}
		tap "$([ -n "$crc" ] && [ "${crc%/*}" = "$total" ] && echo 0 || echo 1)" "$abi: ${crc:-no} CRCs identical"
		# The upstream files compiled are that version's: every "upstream" line of the
		# sources ttm-dkms-build lists in make.log (sha256 of the file in its kbuild
		# tree), against packaging/upstream/sums/V; ttm_bo_util.c by name.
		sed -n 's/^ttm-pool: \(upstream\|ours\) /\1 /p' "$mlog" >"$LOGDIR/matrix-$abi.sources"
		bad=$(awk '$1 == "upstream" { print $2 "  " $3 }' "$LOGDIR/matrix-$abi.sources" | grep -vxFf "$UP_DIR/sums/$v" || true)
		nup=$(grep -c '^upstream ' "$LOGDIR/matrix-$abi.sources")
		tap "$([ -z "$bad" ] && [ "$nup" -gt 0 ] && echo 0 || echo 1)" "$abi: its $nup upstream files are $v's (packaging/upstream/sums)"
		[ -z "$bad" ] || echo "$bad" | sed 's/^/#   not of this version: /'
		util=$(awk '$1 == "upstream" && $3 == "drivers/gpu/drm/ttm/ttm_bo_util.c" { print $2 }' "$LOGDIR/matrix-$abi.sources")
		want=$(awk '$2 == "drivers/gpu/drm/ttm/ttm_bo_util.c" { print $1 }' "$UP_DIR/sums/$v")
		tap "$([ -n "$util" ] && [ "$util" = "$want" ] && echo 0 || echo 1)" "$abi: ttm_bo_util.c compiled is $v's (${util:0:12})"
		mkdir -p "$m/$abi"
		ko=$(find "$m/dkms/ttm-pool/$upver/$abi" -name 'ttm.ko*' | head -n 1)
		case $ko in
		*.xz) xz -dc "$ko" >"$m/$abi/ttm.ko" ;;
		*) cp "$ko" "$m/$abi/ttm.ko" ;;
		esac
		cp "$LOGDIR/matrix-$abi.sources" "$m/$abi/SOURCES"
		row "$v" "$f" "${srcs:--}" "$crc" "ok ($((SECONDS - t0))s)"
	done
	# cloud-amd64 has no TTM: dkms skips it (BUILD_EXCLUSIVE, status 77), no error.
	abi=$(debian_abi "$v" cloud-amd64)
	if hdr=$(deb_headers "$v" cloud-amd64 2>>"$log"); then
		rc=0
		dkms_build "$abi" "$hdr" || rc=$?
		tap "$([ $rc -eq 77 ] && echo 0 || echo 1)" "$abi: skipped by BUILD_EXCLUSIVE (dkms status $rc, want 77)"
		row "$v" cloud-amd64 "-" "-" "$([ $rc -eq 77 ] && echo "skipped (BUILD_EXCLUSIVE)" || echo "FAIL (status $rc)")"
	else
		tap 1 "$abi: headers unpacked"
	fi
done
sed 's/^/# /' "$table"
echo "1..$n"
echo "matrix: $((n - failed))/$n passed; table $table; log $log" >&2
[ $failed -eq 0 ]
