# SPDX-License-Identifier: GPL-2.0
# Minimal TAP producer for the shell tests (host and guest; busybox sh compatible).
#   . tests/lib/tap.sh
#   ok "description" test -e /sys/...      run a command, ok if it exits 0
#   is "description" "$got" "$want"         compare two strings
#   skip_all "reason"                       the whole script is skipped (exit 4)
#   done_testing                            print the plan, exit 0 or 1
TAP_N=0
TAP_FAIL=0
echo "TAP version 13"
# Concurrency is only tested if the CPUs are there: say how many there were.
echo "# cpus online: $(nproc 2>/dev/null || echo '?')"

_tap_result() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAIL=$((TAP_FAIL + 1))
	fi
}

ok() {
	_d=$1
	shift
	"$@" >/tmp/tap-ok.$$ 2>&1
	_rc=$?
	_tap_result $_rc "$_d"
	if [ $_rc -ne 0 ]; then
		echo "# command: $*"
		echo "# exit status: $_rc"
		sed 's/^/#   /' /tmp/tap-ok.$$ | head -n 20
	fi
	rm -f /tmp/tap-ok.$$
	return $_rc
}

is() {
	if [ "$2" = "$3" ]; then
		_tap_result 0 "$1"
	else
		_tap_result 1 "$1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

done_testing() {
	echo "1..$TAP_N"
	[ $TAP_FAIL -eq 0 ]
	exit $?
}
