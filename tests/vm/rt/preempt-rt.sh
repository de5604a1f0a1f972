#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The rt boot of make check (tests/check.sh), after the KUnit suites and
# tests/vm/stress.sh: the kernel that ran them is the PREEMPT_RT one, and lockdep
# is still on at the end. Lockdep turns itself off after its first report, and when
# it runs out of room: a report the console check missed, or a validator that gave
# up, leaves it off, and then the run proves nothing about locking. Not one of the
# tests/vm/*.sh scripts (those boot the test kernel).
. /tests/lib/tap.sh

ok "the kernel is PREEMPT_RT: $(uname -v)" sh -c 'uname -v | grep -qw PREEMPT_RT'
ok "lockdep is there (/proc/lockdep_stats)" test -r /proc/lockdep_stats
is "lockdep is still on at the end (debug_locks)" \
	"$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)" 1
done_testing
