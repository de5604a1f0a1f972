# SPDX-License-Identifier: GPL-2.0
# ttm-pool: top-level targets. See README.md.
#   make            build the test and plain kernels and tools/ttm-poolctl
#   make run        boot the test kernel with a bochs GPU and show the pool at work
#   make shell      interactive shell in the VM (Ctrl-A x quits qemu)
#   make check      every test; the last line is "N passed, N failed"
#   make stress DURATION=SECONDS [SWIOTLB=1] [RT=1]   a long stress run in the VM
#                   (RT=1: on the rt kernel, PREEMPT_RT with the test kernel's
#                   debug options; make check boots it too, make and make run do not)
#   make module M=tests/modules/NAME   build an external module against the test kernel
#   make bench [ROUNDS=2] [CLOCKS="icount tcg"]   our pool against upstream 6.12's;
#                   writes docs/BENCHMARKS.md, docs/bench/ (not part of make check)
#   make abi-check [PRISTINE=1]   ttm.ko built against Debian's linux-headers-6.12.*:
#                   every TTM export's CRC as in its Module.symvers ("N/N identical")
#   make upstream-check   upstream TTM of every Debian linux-source-6.12 version against
#                   packaging/upstream (pinned versions, replaced files reconciled)
#   make matrix     the DKMS tree built for every linux-headers-6.12.*+deb12-{amd64,rt-amd64}
#                   of the archive (unpacked, not installed): sources, CRCs, cloud skipped
#   make deb        ttm-pool-dkms and ttm-poolctl .debs (lintian-clean) in build/deb
#   make distro-check [PRISTINE=1]   Debian's own 6.12 kernels (amd64, rt-amd64) and
#                   GPU drivers on the ttm.ko DKMS builds from make deb (installed on
#                   this host, then purged) and make matrix, or on upstream's (PRISTINE=1)
#   make clean      drop the build cache (pristine source, O= dirs, ccache, logs)
# Environment: TTM_CACHE=DIR keeps all of that outside the clone; GPU=bochs|vmware|qxl.

GPU ?= bochs
SHELL := /bin/bash

.PHONY: all deps kernels kernel-test kernel-plain kernel-rt tool run shell check stress module bench clean \
	abi-check upstream-check matrix deb distro-check

all: kernels tool

deps:
	@scripts/deps.sh

kernels: kernel-test kernel-plain

# kernel-rt: built by make check and make stress RT=1 only, not by make (all)
kernel-test kernel-plain kernel-rt: deps
	@scripts/build-kernel.sh $(@:kernel-%=%)

tool: deps
	@$(MAKE) -s -C tools/ttm-poolctl WERROR=1

run: deps kernel-test tool
	@scripts/build-progs.sh
	@scripts/ttm-vm --gpu $(GPU) --add scripts/vm/run-demo.sh -- sh /root/run-demo.sh

shell: deps kernel-test tool
	@scripts/ttm-vm --gpu $(GPU) --timeout 0 --shell

check: deps
	@tests/check.sh

# A longer stress run than make check's (scripts/stress.sh): make stress DURATION=600 [SWIOTLB=1] [RT=1]
# RT=1: on the rt kernel (PREEMPT_RT); log build/logs/stress-rt.log
DURATION ?= 300
STRESS_KERNEL := $(if $(RT),rt,test)
stress: deps kernel-$(STRESS_KERNEL) tool
	@scripts/stress.sh $(if $(RT),--rt) $(if $(SWIOTLB),--swiotlb) $(DURATION)

bench: deps
	@tests/bench/run.sh

abi-check: deps
	@scripts/abi-check.sh $(if $(PRISTINE),--pristine)

upstream-check: deps
	@scripts/upstream-check.sh

matrix: deps
	@scripts/matrix.sh

deb: deps
	@scripts/build-deb.sh

distro-check: deps
ifdef PRISTINE
	@tests/distro/distro-check.sh --pristine
else
	@scripts/build-deb.sh && bash tests/distro/dkms-install.sh && \
		scripts/matrix.sh --quick >/dev/null && tests/distro/distro-check.sh
endif

module: deps kernel-test
	@test -n "$(M)" || { echo "usage: make module M=tests/modules/NAME" >&2; exit 2; }
	@scripts/build-module.sh $(M) test

clean:
	rm -rf $${TTM_CACHE:-build}
	@$(MAKE) -s -C tools/ttm-poolctl clean
