#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/lib.sh fragment_options: what scripts/build-kernel.sh checks after
# olddefconfig. A later fragment's line for an option replaces an earlier one's
# (merge_config's rule: the rt kernel unsets debug.config's CONFIG_PREEMPT), and every
# flavour's fragments exist and ask for each option once.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TTM_CACHE=$tmp/cache
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"

printf '# a comment\nCONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D=8\n' >"$tmp/one.config"
printf 'CONFIG_B=n\nCONFIG_E=y\nCONFIG_D=16\n' >"$tmp/two.config"
got=$(fragment_options "$tmp" one.config two.config)
want=$(printf 'CONFIG_A\tCONFIG_A=y\tone.config\nCONFIG_B\tCONFIG_B=n\ttwo.config\nCONFIG_D\tCONFIG_D=16\ttwo.config\nCONFIG_E\tCONFIG_E=y\ttwo.config')
is "each option once, first-seen order, the later fragment's line and file" "$got" "$want"
is "...and in the other order the other one wins" \
	"$(fragment_options "$tmp" two.config one.config | grep -E '^CONFIG_(B|D)')" \
	"$(printf 'CONFIG_B\tCONFIG_B=y\tone.config\nCONFIG_D\tCONFIG_D=8\tone.config')"
is "comments and '# ... is not set' lines ask for nothing" \
	"$(fragment_options "$tmp" one.config | cut -f1 | tr '\n' ' ')" "CONFIG_A CONFIG_B CONFIG_D "

kdir=$top/scripts/kconfig
for fl in $FLAVOURS; do
	ok "kernel '$fl' has scripts/kconfig/$fl.flavour" test -f "$kdir/$fl.flavour"
done
# opt FLAVOUR OPTION: "LINE FRAGMENT" that flavour's fragments end up asking for
opt() {
	local -a frags
	read -r -a frags <"$kdir/$1.flavour"
	fragment_options "$kdir" "${frags[@]}" | awk -F'\t' -v o="$2" '$1 == o { print $2, $3 }'
}
is "rt: PREEMPT_RT" "$(opt rt CONFIG_PREEMPT_RT)" "CONFIG_PREEMPT_RT=y rt.config"
is "rt: debug.config's CONFIG_PREEMPT=y overridden by rt.config" "$(opt rt CONFIG_PREEMPT)" \
	"CONFIG_PREEMPT=n rt.config"
for o in CONFIG_KASAN CONFIG_PROVE_LOCKING CONFIG_DEBUG_ATOMIC_SLEEP CONFIG_DEBUG_KMEMLEAK; do
	is "rt: keeps debug.config's $o" "$(opt rt $o)" "$o=y debug.config"
done
is "test: CONFIG_PREEMPT=y (debug.config), not RT" "$(opt test CONFIG_PREEMPT) / $(opt test CONFIG_PREEMPT_RT)" \
	"CONFIG_PREEMPT=y debug.config / "
done_testing
