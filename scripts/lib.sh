# SPDX-License-Identifier: GPL-2.0
# Common settings for the ttm-pool scripts. Sourced, not run.
#
# TTM_CACHE   where the pristine source, the work tree, the O= build dirs,
#             ccache and logs live (default: <repo>/build, git-ignored).
#             Point it outside the clone to share builds between clones.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TTM_CACHE:-$TOP/build}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

KSRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
PRISTINE=$CACHE/src/pristine
WORK=$CACHE/src/work
LOGDIR=$CACHE/logs
# The repo paths that are overlaid onto the kernel tree.
KERNEL_PATHS=(drivers include Documentation)

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
mkdir -p "$LOGDIR"

JOBS=${JOBS:-$(($(nproc) + 1))}

# obj_dir FLAVOUR -> the O= directory of that kernel
obj_dir() { echo "$CACHE/obj-$1"; }

phase() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# The kernels: test (debug options), plain, rt (test's debug options on PREEMPT_RT:
# make check and make stress RT=1), and two for make bench only: upstream (plain's
# config built from the pristine tree, without our files) and nostats (ours with
# the pool's per-CPU statistics compiled out).
FLAVOURS="test plain rt upstream nostats"

# is_flavour NAME: true for the kernels that have a kconfig fragment
is_flavour() { [[ " $FLAVOURS " == *" $1 "* ]]; }

# check_flavour NAME: die unless NAME is one of them
check_flavour() {
	is_flavour "$1" || die "unknown kernel '$1' (expected one of: $FLAVOURS)"
}

# is_debug_flavour NAME: true for the kernels with debug.config (KASAN, lockdep,
# kmemleak; ACPI only for the CPUs, which scripts/ttm-vm boots with acpi=ht)
is_debug_flavour() { [ "$1" = test ] || [ "$1" = rt ]; }

# fragment_options DIR FRAGMENT...: what the kconfig fragments (files in DIR) ask
# for, one line per option, "OPTION<TAB>LINE<TAB>FRAGMENT", in the order the options
# first appear. A later fragment overrides an earlier one (as merge_config does):
# LINE is the option's last line (CONFIG_X=y, CONFIG_X=n, ...), FRAGMENT its file.
fragment_options() {
	local dir=$1 f line opt
	shift
	local -A want=() from=()
	local order=()
	for f in "$@"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*)
				opt=${line%%=*}
				[ -n "${want[$opt]+x}" ] || order+=("$opt")
				want[$opt]=$line
				from[$opt]=$f
				;;
			esac
		done <"$dir/$f"
	done
	for opt in "${order[@]}"; do
		printf '%s\t%s\t%s\n' "$opt" "${want[$opt]}" "${from[$opt]}"
	done
}

# src_dir FLAVOUR -> the source tree a kernel is built from
src_dir() {
	if [ "$1" = upstream ]; then echo "$PRISTINE"; else echo "$WORK"; fi
}

# flavour_make_args FLAVOUR -> extra kbuild variables of that kernel
flavour_make_args() {
	if [ "$1" = nostats ]; then echo "TTM_POOL_NO_STATS=y"; fi
}

# debian_abi VERSION FLAVOUR: 6.12.118-1~deb12u1 amd64 -> 6.12.118+deb12-amd64.
# Debian's ABI name is the upstream version plus "+deb<release>" (the release from
# a ~debNN backport suffix, or the release this system runs) and the flavour.
debian_abi() {
	local rel
	if [[ $1 =~ ~deb([0-9]+) ]]; then
		rel=${BASH_REMATCH[1]}
	else
		rel=$(cut -d. -f1 /etc/debian_version)
	fi
	echo "${1%%-*}+deb$rel-$2"
}
