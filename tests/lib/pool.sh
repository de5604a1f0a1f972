# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-VM pool tests (busybox sh); source after tests/lib/tap.sh.
#   need "what" COMMAND...       a precondition: a failed test point (never a skip), and
#                                the script ends there with its plan if it fails
#   dump_get POOL KEY            a "key: value" field of the pool's debugfs dump
#   inuse_signed POOL            alloc_hit + alloc_miss - returned_pages of one dump,
#                                signed (sysfs inuse_pages is clamped at 0, so only this
#                                can show a double free); "missing" if a field is absent
#   as_nobody CMD                run CMD as uid 65534
#   debugfs_open / debugfs_close let nobody traverse /sys/kernel/debug (0700), so
#                                that a file's own mode decides what nobody can read
#   wait_until SECS CMD...       poll CMD every 0.1 s until it succeeds; false after SECS
#   has TEXT PATTERN             TEXT has a line matching PATTERN (grep)
#   bochs_pool                   sets DEV, P and S: bochs's PCI address, its pool's
#                                directory and the pool's stats directory
# and the paths every test uses: T (sysfs root), D (debugfs pools), HOLD (the
# ttm_pool_hold test module).
POOL_DEBUGFS=/sys/kernel/debug/ttm/pools
T=/sys/kernel/ttm
D=$POOL_DEBUGFS
HOLD=/lib/ttm-tests/ttm_pool_hold.ko

bochs_pool() {
	DEV=0000:00:02.0
	P=$T/pools/$DEV
	S=$P/stats
}

need() {
	_nd=$1
	shift
	ok "$_nd" "$@" && return 0
	echo "# a precondition failed: the remaining tests cannot run"
	done_testing
}

dump_get() {
	awk -v k="$2" 'index($0, k ": ") == 1 { print substr($0, length(k) + 3); n++ }
		END { exit n != 1 }' "$POOL_DEBUGFS/$1"
}

inuse_signed() {
	awk -F': ' '$1 == "alloc_hit_pages" { h = $2; nh++ }
		$1 == "alloc_miss_pages" { m = $2; nm++ }
		$1 == "returned_pages" { r = $2; nr++ }
		END { if (nh != 1 || nm != 1 || nr != 1) { print "missing"; exit 1 }
		      printf "%.0f\n", h + m - r }' "$POOL_DEBUGFS/$1"
}

has() { printf '%s\n' "$1" | grep -q "$2"; }

as_nobody() { su -s /bin/sh nobody -c "$1"; }

debugfs_open() {
	_dfs_mode=$(stat -c %a /sys/kernel/debug)
	chmod 0755 /sys/kernel/debug
}
debugfs_close() { chmod "${_dfs_mode:-700}" /sys/kernel/debug; }

wait_until() {
	_wu=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $_wu -le 0 ] && return 1
		_wu=$((_wu - 1))
		usleep 100000
	done
}
