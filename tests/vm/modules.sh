#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ttm-vm: --gpu qxl
# Out-of-tree test modules built by scripts/build-module.sh load in the guest.
. /tests/lib/tap.sh

ko=/lib/ttm-tests/ttm_smoke.ko
[ -f $ko ] || skip_all "ttm_smoke.ko not built (scripts/build-module.sh tests/modules/ttm_smoke)"
ok "insmod ttm_smoke.ko" insmod $ko
ok "it initialised and finalised a TTM pool" sh -c 'dmesg | grep -q "ttm_smoke: pool init/fini ok"'
ok "a pool without a device resolves auto to the page path" sh -c 'dmesg | grep -q "ttm_smoke: pool policy auto, effective path page"'
ok "rmmod ttm_smoke" rmmod ttm_smoke
done_testing
