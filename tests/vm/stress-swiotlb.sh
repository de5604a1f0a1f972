#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu bochs --mem 768M --append swiotlb=force
# The stress mix under swiotlb=force: the exerciser fails if a page the pool
# hands out on the (auto-chosen) coherent path has a bounce address.
. /tests/vm/stress.sh
