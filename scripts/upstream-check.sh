#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make upstream-check: the upstream TTM of every Debian linux-source-6.12 version,
# against what the repo records (packaging/upstream/, see scripts/upstream.sh):
#   - each pinned version's sources (from Debian's package) have exactly the sha256
#     of its sums file;
#   - which upstream TTM files differ between consecutive versions, and whether ours
#     replaces them;
#   - every upstream file ours replaces has, in every pinned version, a content
#     recorded in packaging/upstream/reconciled (else: FAIL, the change must be
#     reconciled: our code checked against it, a line saying what it was);
#   - versions the archive has that are not pinned yet: reported, with what a DKMS
#     build for them would do; never a failure (make check must not turn red by
#     itself when Debian publishes a kernel).
# Prints TAP; exit status 1 if anything failed.
#   scripts/upstream-check.sh [--pin VERSION]
# --pin: record VERSION (its sums file, a line in versions), then check.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=upstream.sh
. "$TOP/scripts/upstream.sh"

if [ "${1:-}" = --pin ]; then
	v=${2:?usage: ${0##*/} [--pin VERSION]}
	up_pinned | grep -qxF "$v" && die "$v is pinned already"
	dir=$(up_sources "$v") || die "no sources of $v"
	up_sums "$dir" >"$UP_DIR/sums/$v"
	{ grep '^#' "$UP_DIR/versions"; { up_pinned; echo "$v"; } | sort -V; } >"$UP_DIR/versions.new"
	mv "$UP_DIR/versions.new" "$UP_DIR/versions"
	echo "pinned $v: packaging/upstream/sums/$v; now reconcile what the check reports" >&2
elif [ $# -gt 0 ]; then
	echo "usage: ${0##*/} [--pin VERSION]" >&2
	exit 2
fi

echo "TAP version 13"
n=0 failed=0
tap() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
st() { if "$@"; then echo 0; else echo 1; fi; }

replaced=$(up_replaced)
is_replaced() { grep -qxF "$1" <<<"$replaced"; }
reconciled() { awk -F'\t' -v p="$1" -v s="$2" '$1 == p && $2 == s { f = 1 } END { exit !f }' "$UP_DIR/reconciled"; }
echo "# files ours replaces: $(tr '\n' ' ' <<<"$replaced")"

# 1. The pinned versions' sources are what the repo recorded.
pinned=$(up_pinned)
for v in $pinned; do
	dir=$(up_sources "$v" 2>"$LOGDIR/upstream-$v.err")
	tap $? "$v: linux-source-6.12's TTM has the sha256 of packaging/upstream/sums/$v"
	[ -n "$dir" ] || sed 's/^/# /' "$LOGDIR/upstream-$v.err"
done

# 2. What changed between versions (the sums files: hashes only).
# changes A B: "path<TAB>what" for every file that differs between sums A and B
changes() {
	awk 'FNR == NR { a[$2] = $1; next } { b[$2] = $1 }
		END {
			for (p in a) if (!(p in b)) print p "\tremoved"; else if (a[p] != b[p]) print p "\tchanged"
			for (p in b) if (!(p in a)) print p "\tadded"
		}' "$1" "$2" | LC_ALL=C sort
}
prev=
for v in $pinned; do
	if [ -n "$prev" ]; then
		c=$(changes "$UP_DIR/sums/$prev" "$UP_DIR/sums/$v")
		if [ -z "$c" ]; then
			echo "# $prev -> $v: no upstream TTM file differs"
		else
			echo "# $prev -> $v:"
			while IFS=$'\t' read -r p what; do
				if is_replaced "$p"; then
					echo "#   $what $p (REPLACED by ours: must be reconciled)"
				else
					echo "#   $what $p (upstream change in a file ours does not replace: the package carries it for $v)"
				fi
			done <<<"$c"
		fi
	fi
	prev=$v
done

# 3. Every replaced file, in every pinned version, reconciled.
for p in $replaced; do
	nrec=$(awk -F'\t' -v p="$p" '$1 == p' "$UP_DIR/reconciled" | wc -l)
	tap "$([ "$nrec" -gt 0 ] && echo 0 || echo 1)" "$p: $nrec reconciled upstream content(s) recorded"
	for v in $pinned; do
		s=$(awk -v p="$p" '$2 == p { print $1 }' "$UP_DIR/sums/$v")
		if [ -z "$s" ]; then
			tap 1 "$p: upstream has it in $v"
		else
			tap "$(st reconciled "$p" "$s")" "$p in $v (${s:0:12}): reconciled"
		fi
	done
done
# A reconciled line for a file ours no longer replaces is stale.
while IFS=$'\t' read -r p _; do
	case $p in '#'* | '') continue ;; esac
	tap "$(st is_replaced "$p")" "packaging/upstream/reconciled: $p is a file ours replaces"
done <"$UP_DIR/reconciled"

# 4. Versions the archive has that are not pinned: reported only.
new=0
for v in $(up_archive); do
	grep -qxF "$v" <<<"$pinned" && continue
	new=$((new + 1))
	if ! dir=$(up_sources "$v" 2>/dev/null); then
		echo "# NOT PINNED: $v (its sources could not be fetched)"
		continue
	fi
	verdict="a DKMS build takes its TTM from linux-source-6.12=$v only, until it is pinned"
	for p in $replaced; do
		s=$(sha256sum "$dir/$p" 2>/dev/null | cut -d' ' -f1)
		reconciled "$p" "$s" || verdict="a DKMS build is REFUSED: $p changed (${s:0:12}), not reconciled"
	done
	echo "# NOT PINNED: $v: $verdict; scripts/upstream-check.sh --pin $v"
	c=$(changes "$UP_DIR/sums/$(up_newest)" <(up_sums "$dir"))
	[ -z "$c" ] || sed "s/^/#   since $(up_newest): /; s/\t/ /" <<<"$c"
done
echo "# pinned: $(wc -l <<<"$pinned") versions; the archive has $new more"
echo "1..$n"
[ $failed -eq 0 ]
