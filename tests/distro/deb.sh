#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# make check's package stage, first half: make deb (scripts/build-deb.sh) builds
# both .debs with Debian's tools and lintian finds no error. TAP. The second half,
# installing them on this host, is tests/distro/dkms-install.sh.
# shellcheck source=../lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t=$SECONDS
"$top/scripts/build-deb.sh" >"$tmp/out" 2>&1
rc=$?
for p in ttm-pool-dkms ttm-poolctl; do
	ok "$p .deb built" grep -q "/${p}_.*\.deb$" "$tmp/out"
done
lint=$(grep '^lintian:' "$tmp/out")
is "make deb, ${lint:-lintian did not run}" "$rc" 0
echo "# make deb: $((SECONDS - t))s"
[ $rc -eq 0 ] || tail -n 30 "$tmp/out" | sed 's/^/# /'
done_testing
