#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make check`: run the given in-VM test scripts one after another,
# framing each one's TAP output so the host can tell them apart:
#   ### ttm-test begin NAME
#   ...TAP...
#   ### ttm-test end NAME EXIT_STATUS
for t in "$@"; do
	name=${t##*/}
	echo "### ttm-test begin $name"
	sh "$t" 2>&1
	echo "### ttm-test end $name $?"
done
