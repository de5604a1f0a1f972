#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make deb: build ttm-pool-dkms_<ver>_all.deb and ttm-poolctl_<ver>_<arch>.deb with
# Debian's tools (dpkg-buildpackage, debhelper, dh-dkms), check them with lintian
# (an error fails), and put them into $CACHE/deb. The source tree is assembled in
# $CACHE/deb/build: packaging/debian as debian/, the ttm.ko sources
# (packaging/dkms/mktree.sh: upstream TTM from linux-source-6.12 with ours overlaid)
# as dkms/, tools/ttm-poolctl, packaging/examples.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
ver=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -SVersion)
upver=${ver%-*}
out=$CACHE/deb
b=$out/build
src=$b/ttm-pool-$upver
log=$LOGDIR/deb-build.log

rm -rf "$b" "$out"/ttm-pool-dkms_*.deb "$out"/ttm-poolctl_*.deb
mkdir -p "$src"
cp -a "$TOP/packaging/debian" "$src/debian"
"$TOP/packaging/dkms/mktree.sh" "$src/dkms"
mkdir -p "$src/ttm-poolctl/bash-completion"
(cd "$TOP/tools/ttm-poolctl" && cp -t "$src/ttm-poolctl" Makefile ./*.c ./*.h ttm-poolctl.8 \
	70-ttm-pool.rules.in ttm-pool-apply.service.in \
	ttm-pool-prometheus.service.in ttm-pool-prometheus.timer &&
	cp bash-completion/ttm-poolctl "$src/ttm-poolctl/bash-completion/")
cp -a "$TOP/packaging/examples" "$src/examples"

phase "deb: dpkg-buildpackage ttm-pool $ver"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j"$JOBS") >"$log" 2>&1; then
	echo "build-deb: dpkg-buildpackage failed; log: $log" >&2
	tail -n 25 "$log" >&2
	exit 1
fi

phase "deb: lintian"
changes=$(find "$b" -maxdepth 1 -name '*.changes')
lintian --display-info "$changes" 2>&1 | grep -v "running with root privileges" >"$LOGDIR/lintian.log" || true
sed 's/^/    /' "$LOGDIR/lintian.log"
summary=$(awk -F: '/^[EWIPX]:/ { n[$1]++ } END { printf "%d error(s), %d warning(s), %d info(s)", n["E"], n["W"], n["I"] }' "$LOGDIR/lintian.log")
echo "lintian: $summary (log: $LOGDIR/lintian.log)"
if grep -q '^E:' "$LOGDIR/lintian.log"; then
	echo "build-deb: lintian reports errors; the packages stay in $b" >&2
	exit 1
fi

debs=()
for p in ttm-pool-dkms ttm-poolctl; do
	f=$(find "$b" -maxdepth 1 -name "${p}_${ver}_*.deb")
	[ -n "$f" ] || die "no $p .deb in $b"
	cp "$f" "$out/"
	debs+=("$out/${f##*/}")
done
printf '%s\n' "${debs[@]}"
echo "deb: $(($(date +%s) - start))s"
