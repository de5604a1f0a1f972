#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/ttm-vm: usage errors are caught before anything boots (exit 2, a message).
. "$(dirname "$0")/../lib/tap.sh"
vm=$(dirname "$0")/../../scripts/ttm-vm

out=$("$vm" --help 2>/dev/null)
is "--help exits 0" "$?" 0
ok "--help is on stdout and documents --gpu" grep -q -- '--gpu TYPE' <<<"$out"
ok "--help documents the kernels, the rt one among them" \
	grep -qz -- '--kernel NAME.*plain, rt (test.s debug.*PREEMPT_RT' <<<"$out"
ok "--help documents the splat status 123 and the timeout status 124" \
	grep -qz '123 if the.*124 if the guest was killed' <<<"$out"
for args in "--gpu voodoo -- true" "--kernel debug -- true" "--smp 0 -- true" \
	"--timeout soon -- true" "--mem lots -- true" "--frobnicate" "--add /nonexistent -- true" \
	"--device bad;device -- true"; do
	# shellcheck disable=SC2086
	err=$("$vm" $args 2>&1 >/dev/null)
	rc=$?
	is "rejects '$args' with exit 2" "$rc" 2
	ok "...and says why" test -n "$err"
done
err=$("$vm" --kernel debug -- true 2>&1 >/dev/null)
ok "an unknown --kernel names the kernels there are, rt among them" \
	grep -q "expected one of: .*\brt\b" <<<"$err"
done_testing
