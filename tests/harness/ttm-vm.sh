#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/ttm-vm against the real test kernel: exit status, command line, --add, timeout.
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

start=$(date +%s)
"$vm" "${fast[@]}" --timeout 45 -- sleep 100000 2>"$tmp/err"
is "a hung guest is killed and reported as 124" "$?" 124
ok "...and the timeout is said" grep -q 'killed' "$tmp/err"
ok "...at the timeout, not later" test $(($(date +%s) - start)) -lt 90
done_testing
