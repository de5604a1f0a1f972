#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/ttm-vm against the real test kernel: exit status, command line, --add, timeout,
# a failed kmemleak scan.
# needs: test kernel
. "$(dirname "$0")/../lib/tap.sh"
vm=$(dirname "$0")/../../scripts/ttm-vm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fast=(--gpu none --append kunit.enable=0 --no-kmemleak --log "$tmp/console.log")

out=$("$vm" "${fast[@]}" --append swiotlb=force -- cat /proc/cmdline)
is "cat /proc/cmdline exits 0" "$?" 0
ok "the guest saw --append swiotlb=force" grep -qw swiotlb=force <<<"$out"
ok "stdout is only the command's output" test "$(wc -l <<<"$out")" -eq 1

"$vm" "${fast[@]}" -- false
is "false in the guest: non-zero here" "$?" 1
"$vm" "${fast[@]}" -- 'echo out; echo err >&2; exit 7' >"$tmp/o" 2>&1
is "the guest's exit status comes back" "$?" 7
is "stdout and stderr of the command come out" "$(tr '\n' ' ' <"$tmp/o")" "out err "

printf 'hello from the host\n' >"$tmp/payload.txt"
out=$("$vm" "${fast[@]}" --add "$tmp/payload.txt" --add "$tmp/payload.txt:/etc/other" \
	-- sh -c 'cat /root/payload.txt /etc/other')
is "--add puts files at /root/NAME and at DEST" "$out" "hello from the host
hello from the host"

# The guest logs a status line, then hangs as if at power-off: still a failure.
start=$(date +%s)
"$vm" "${fast[@]}" --timeout 45 -- 'echo "ttm-vm: exit status 0" >/dev/kmsg; sleep 100000' 2>"$tmp/err"
is "a hung guest is killed and reported as 124, a status line before the hang or not" "$?" 124
ok "...and the timeout is said" grep -q 'killed' "$tmp/err"
ok "...at the timeout, not later" test $(($(date +%s) - start)) -lt 90

# kmemleak switched off in the guest: the scan fails, and so does the run.
"$vm" --gpu none --append kunit.enable=0 --log "$tmp/kmemleak.log" \
	-- 'echo off >/sys/kernel/debug/kmemleak' 2>"$tmp/err"
is "kmemleak off before the scan: 123" "$?" 123
ok "...the log says the scan failed" grep -q 'ttm-vm: kmemleak scan failed' "$tmp/kmemleak.log"
ok "...and the runner says why" grep -q 'leak detector disabled' "$tmp/err"
done_testing
