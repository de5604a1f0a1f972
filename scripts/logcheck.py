#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read qemu console logs of ttm-pool kernels.

  logcheck.py splats [--kunit-boot] [--kmemleak] LOG...
                        exit 1 and print excerpts if a log holds a kernel splat;
                        0 when clean
  logcheck.py ktap LOG  print one line per KUnit leaf test:
                        "ok|not ok|skip<TAB>suite.case[.param][<TAB>skip reason]"
                        and "suite<TAB>NAME<TAB>ok|not ok" per suite; a plan
                        ("1..N") or a "# NAME: pass:P fail:F skip:S total:T" line
                        that disagrees with the results found, or output that
                        ends inside a suite, gives a "not ok<TAB>NAME: why" line

A splat is a BUG: (KASAN, sleeping in atomic, scheduling while atomic, lockdep's
"Invalid wait context", a per-CPU access in preemptible code, ...), a WARNING:
(WARN_ON, every other lockdep report: circular locking, inconsistent lock state,
irq lock inversion, bad unlock balance, suspicious RCU usage, DEBUG_LOCKS_WARN_ON),
lockdep's "INFO: trying to register non-static key", an Oops, a panic, a general
protection fault, a kmemleak report, kmemleak disabling itself (it then finds
nothing) or a failed kmemleak scan, a hung task, an RCU stall, list corruption,
a task that exited with interrupts or preemption disabled, PREEMPT_RT's real-time
throttling, dropped printk messages (a splat may be among them), the OOM killer,
and sysfs name clashes or removals of missing entries (they dump a stack without
WARNING:).

No boot of make check expects the OOM killer: tests/vm/stress.sh's memhog maps 80%
of MemAvailable to push the kernel into reclaim (the pools' shrinker must give
pages back), not into OOM. An OOM kill there means the pools did not give memory
back, or the stress mix is mis-sized; either way the run fails.

--kmemleak: the log must also prove that a kmemleak scan ran to completion: the
"ttm-vm: kmemleak scan done" line scripts/vm/init logs after its scans (scripts/ttm-vm
asks for it on every boot of a kernel with kmemleak, unless --no-kmemleak).

--kunit-boot allows the splats upstream's 6.12 TTM KUnit suites cause on purpose or by
their own leaks (they were written for UML, without kmemleak):
  * the WARNINGs two test cases provoke and expect (listed in EXPECTED_WARNINGS), only in
    a KUnit test thread (Comm: kunit_try_catch);
  * kmemleak objects whose allocation backtrace runs from a KUnit test case
    (kunit_try_run_case) through a function defined in upstream's
    drivers/gpu/drm/ttm/tests/*.c (the suites never put their BOs, so the tt, the GEM
    shmem file and its cred stay allocated) -- unless a frame between the allocator
    and kunit_try_run_case is ours: a ttm_pool* function (other than upstream's
    ttm_pool_test.c cases) or any function of our drivers/gpu/drm/ttm/ and
    tests/modules/ sources. Upstream's ttm_pool suite calls our pool directly, and
    our own suite uses upstream's helpers: what such a trace leaks is our leak;
  * the creds of kunit test threads those leaked files pin.
Everything else, including anything leaked or warned by our own code, fails.

Announced warnings (every boot): a test that provokes a warning on purpose first logs
"ttm-expect-warning: FUNC" (tests of misuse of the pool's API: ttm_pool_misuse). The
first splat line after it must then be "WARNING: ... at FILE:LINE FUNC+0x..." from a
KUnit test thread (Comm: kunit_try_catch), before the next KTAP result line: that one
warning is allowed. A marker whose warning does not come (none, another function's, a
different splat first, or the case ended) fails, and so does every other warning.
"""
import os
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\] ?')
SPLAT = re.compile(
    r'BUG: |kernel BUG at|WARNING: |Oops|Kernel panic|general protection fault|'
    r'UBSAN: |INFO: task .* blocked for more than|rcu: INFO: |INFO: rcu_|'
    r'INFO: trying to register non-static key|'
    r'list_(add|del) corruption|ODEBUG: |kmemleak: \d+ new suspected memory leak|'
    # a task (a kthread: ours, a worker) that ended inside an atomic section: a
    # preempt_disable(), local_irq_disable() or raw spinlock left behind
    r'note: .*\[\d+\] exited with (?:irqs disabled|preempt_count)|'
    # PREEMPT_RT: a real-time task (an interrupt thread, ktimers, an RT user)
    # took 95% of a CPU for a second: a livelock there starves the CPU
    r'sched: RT throttling activated|'
    r'unreferenced object 0x|'
    # kmemleak gave up: it finds nothing from then on
    r'kmemleak: .*disabled|Kernel memory leak detector disabled|'
    r'kmemleak: Cannot allocate|ttm-vm: kmemleak scan failed|'
    # lost console output may have held a splat
    r'printk messages dropped|'
    r'Out of memory|invoked oom-killer|oom-kill:|'
    # sysfs/kobject misuse: a duplicate name dumps a stack without WARNING:. A
    # kobject that could not be added for want of memory (-12: allocation fault
    # injection, tests/vm/setup-faults.sh) is not misuse; any other error is.
    r'sysfs: cannot create duplicate filename|'
    r'kobject_add_internal failed for \S+ with -EEXIST|'
    r'kobject_add_internal failed for .* \(error: -(?!12\b)\d+|'
    r'kernfs: can not remove')
SCAN_DONE = re.compile(r'ttm-vm: kmemleak scan done')
EXPECTED_WARNINGS = [
    # ttm_device_init_no_vma_man: ttm_device_init() must WARN without a vma manager
    re.compile(r'WARNING: .* at drivers/gpu/drm/ttm/ttm_device\.c:\d+ ttm_device_init\+'),
    # ttm_bo_reserve_no_wait_ticket: ttm_bo_reserve() must WARN for no_wait + ticket
    re.compile(r'WARNING: .* at include/drm/ttm/ttm_bo\.h:\d+ ttm_bo_reserve_no_wait_ticket\+'),
]
EXPECT_MARK = re.compile(r'ttm-expect-warning: (\w+)')
KTAP_RESULT = re.compile(r'^\s*(?:not )?ok \d+ ')
KMEMLEAK_LINE = re.compile(r'kmemleak-report: ?(.*)$')
FRAME = re.compile(r'\s+(?:\[<[0-9a-f]+>\]\s+)?(\w[\w.]*)\+0x')
FUNC_DEF = re.compile(r'^\w[\w\s\*]*?\b(\w+)\(', re.M)
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strip(line):
    return TS.sub('', line.rstrip('\r\n'))


def functions_in(directory, recursive=False):
    """Names of the functions the .c files under DIRECTORY define."""
    names = set()
    if not os.path.isdir(directory):
        return names
    for root, dirs, files in os.walk(directory):
        for f in files:
            if f.endswith('.c'):
                with open(os.path.join(root, f), errors='replace') as fh:
                    names.update(FUNC_DEF.findall(fh.read()))
        if not recursive:
            break
    return names


def upstream_test_functions():
    """Names of the functions upstream's TTM KUnit suites define."""
    src = os.environ.get('TTM_PRISTINE')
    if not src:
        src = os.path.join(os.environ.get('TTM_CACHE', os.path.join(TOP, 'build')),
                           'src', 'pristine')
    return functions_in(os.path.join(src, 'drivers/gpu/drm/ttm/tests'))


def our_functions():
    """Names of the functions our kernel sources define (the pool, its tests, the
    test modules)."""
    return (functions_in(os.path.join(TOP, 'drivers/gpu/drm/ttm'), recursive=True) |
            functions_in(os.path.join(TOP, 'tests/modules'), recursive=True))


def is_ours(func, upstream, ours):
    """A frame of our code: any function of our sources, or a ttm_pool* function
    that upstream's tests do not define (the pool's API is ours)."""
    return func in ours or (func.startswith('ttm_pool') and func not in upstream)


def forgiven_test_leak(funcs, upstream, ours):
    """An object leaked by upstream's TTM KUnit suites: allocated in a KUnit test
    case through a function of upstream's tests, and through none of ours."""
    if 'kunit_try_run_case' not in funcs:
        return False
    frames = funcs[:funcs.index('kunit_try_run_case')]
    return (any(f in upstream for f in frames) and
            not any(is_ours(f, upstream, ours) for f in frames))


def kmemleak_objects(lines):
    """Yield (first_line_index, comm, [functions]) per reported object."""
    objs = []
    cur = None
    for i, line in enumerate(lines):
        m = KMEMLEAK_LINE.search(line)
        if not m:
            continue
        body = m.group(1)
        if body.startswith('unreferenced object'):
            cur = [i, '', []]
            objs.append(cur)
        elif cur is not None:
            c = re.search(r'comm "([^"]*)"', body)
            if c:
                cur[1] = c.group(1)
            f = FRAME.match(body)
            if f:
                cur[2].append(f.group(1).split('.')[0])
    return objs


def announced(lines, allowed):
    """Allow the warning each "ttm-expect-warning: FUNC" line announces; return the
    markers whose warning did not come, as (line index, why)."""
    missing = []
    for i, line in enumerate(lines):
        m = EXPECT_MARK.search(line)
        if not m:
            continue
        func = m.group(1)
        want = re.compile(r'WARNING: .* at \S+ ' + re.escape(func) + r'\+0x')
        why = 'no warning followed'
        for j in range(i + 1, len(lines)):
            if EXPECT_MARK.search(lines[j]) or KTAP_RESULT.match(lines[j]):
                why = 'the case ended without it'
                break
            if j in allowed or not SPLAT.search(lines[j]):
                continue
            if want.search(lines[j]) and any('Comm: kunit_try_catch' in w
                                             for w in lines[j:j + 6]):
                allowed.add(j)
                why = None
            else:
                why = f'line {j + 1} came first: {lines[j][:100]}'
            break
        if why:
            missing.append((i, why))
    return missing


def splats(paths, kunit_boot, kmemleak):
    found = 0
    upstream = upstream_test_functions() if kunit_boot else set()
    ours = our_functions() if kunit_boot else set()
    for path in paths:
        try:
            with open(path, errors='replace') as fh:
                lines = [strip(l) for l in fh]
        except OSError as e:
            print(f'logcheck: {e}', file=sys.stderr)
            return 2
        allowed = set()  # line indexes explained by the rules above
        for i, why in announced(lines, allowed):
            found = 1
            print(f'---- {path}:{i + 1}: an announced warning did not come ({why}) ----')
            print('    ' + lines[i])
        if kunit_boot:
            for i, line in enumerate(lines):
                if any(p.search(line) for p in EXPECTED_WARNINGS):
                    window = lines[i:i + 6]
                    if any('Comm: kunit_try_catch' in w for w in window):
                        allowed.add(i)
            objs = kmemleak_objects(lines)
            noise = 0
            for idx, comm, funcs in objs:
                test_leak = forgiven_test_leak(funcs, upstream, ours)
                kthread_cred = comm == 'kthreadd' and funcs[:3] == [
                    'kmem_cache_alloc_noprof', 'prepare_creds', 'copy_creds']
                if test_leak or kthread_cred:
                    allowed.add(idx)
                    noise += 1
            if objs and noise == len(objs):
                # the summary lines only restate the objects judged above
                for i, line in enumerate(lines):
                    if re.search(r'kmemleak: \d+ new suspected|ttm-vm: kmemleak report follows',
                                 line):
                        allowed.add(i)
        # kmemleak objects are reported once per object header; the summary lines too.
        hits = [i for i, l in enumerate(lines)
                if SPLAT.search(l) and i not in allowed and 'kmemleak-report:   ' not in l]
        if kunit_boot:
            hits = [i for i in hits if not ('unreferenced object' in lines[i] and i in allowed)]
        if kmemleak and not any(SCAN_DONE.search(l) for l in lines):
            found = 1
            print(f'---- {path}: no "ttm-vm: kmemleak scan done" line: nothing proves '
                  'that kmemleak scanned (see scripts/vm/init) ----')
            for l in lines[-15:]:
                print('    ' + l)
        if not hits:
            continue
        found = 1
        shown, nxt = 0, -1
        for i in hits:
            if i < nxt:
                continue
            if shown == 3:
                print(f'    ... {len(hits)} splat line(s) in all in {path}')
                break
            print(f'---- {path}:{i + 1} ----')
            for l in lines[max(0, i - 2):i + 40]:
                print('    ' + l)
            nxt = i + 41
            shown += 1
    return found


RESULT = re.compile(r'^( *)(not ok|ok) (\d+)(?: -)? ?(.*?)(?: # (SKIP|TODO)\b ?(.*))?$')
SUBTEST = re.compile(r'^( *)# Subtest: (\S+)')
VERSION = re.compile(r'^( *)(?:KTAP|TAP) version \d+\s*$')
PLAN = re.compile(r'^( *)1\.\.(\d+)\s*$')
STATS = re.compile(r'^( *)# (\S+): pass:(\d+) fail:(\d+) skip:(\d+) total:(\d+)\s*$')
STATUSES = ('ok', 'not ok', 'skip')


class Block:
    """The results at one indentation: a test plan, or a suite, or a case's params."""

    def __init__(self):
        self.name = None
        self.plan = None
        self.stats = None     # (pass, fail, skip, total) of the direct results
        self.totals = None    # the same over the leaves ("# Totals:")
        self.counts = dict.fromkeys(STATUSES, 0)
        self.leaves = dict.fromkeys(STATUSES, 0)

    def used(self):
        return self.plan is not None or sum(self.counts.values()) > 0


def ktap(path):
    with open(path, errors='replace') as fh:
        lines = [strip(l) for l in fh]
    blocks = {}   # indent -> Block open at that indent
    out = []
    started = False

    def label(ind):
        names = [blocks[d].name or '?' for d in range(4, ind + 1, 4) if d in blocks]
        return '.'.join(names) if names else 'ktap'

    def close(ind, ended=False):
        """Check the block at IND against its plan and statistics lines."""
        b = blocks[ind]
        name = label(ind)
        n = sum(b.counts.values())
        if ended and ind > 0:
            out.append(f'not ok\t{name}: the output ends inside it (no result line)')
        if b.plan is not None and b.plan != n:
            out.append(f'not ok\t{name}: plan 1..{b.plan} but {n} results')
        elif b.plan is None and ind <= 4 and n > 0:
            out.append(f'not ok\t{name}: no plan (1..N) for its {n} results')
        for what, want, got in (('statistics', b.stats, b.counts),
                                ('totals', b.totals, b.leaves)):
            if want is None:
                continue
            have = (got['ok'], got['not ok'], got['skip'], sum(got.values()))
            if tuple(want) != have:
                out.append(f'not ok\t{name}: {what} say pass:%d fail:%d skip:%d total:%d' % want +
                           ' but the results are pass:%d fail:%d skip:%d total:%d' % have)

    def close_from(ind, ended=False):
        for d in sorted((d for d in blocks if d >= ind), reverse=True):
            close(d, ended)
            del blocks[d]

    for line in lines:
        m = VERSION.match(line)
        if m:
            started = True
            ind = len(m.group(1))
            if ind in blocks and blocks[ind].used():
                close_from(ind, ended=ind > 0)
            blocks[ind] = Block()
            continue
        if not started:
            continue
        m = SUBTEST.match(line)
        if m:
            ind = len(m.group(1))
            if ind not in blocks or blocks[ind].used():
                if ind in blocks:
                    close_from(ind, ended=True)
                blocks[ind] = Block()
            blocks[ind].name = m.group(2)
            continue
        m = PLAN.match(line)
        if m:
            ind = len(m.group(1))
            if ind in blocks and blocks[ind].plan is None:
                blocks[ind].plan = int(m.group(2))
            continue
        m = STATS.match(line)
        if m:
            target = blocks.get(len(m.group(1)) + 4)
            if target is not None:
                vals = tuple(int(v) for v in m.group(3, 4, 5, 6))
                if m.group(2) == 'Totals':
                    target.totals = vals
                else:
                    target.stats = vals
            continue
        m = RESULT.match(line)
        if not m:
            continue
        ind, status, desc, directive = len(m.group(1)), m.group(2), m.group(4), m.group(5)
        if directive == 'SKIP':
            status = 'skip'
        child = blocks.get(ind + 4)
        leaves = dict.fromkeys(STATUSES, 0)
        if child is not None:
            if child.name is None:
                child.name = desc
            for k in STATUSES:
                leaves[k] = child.leaves[k]
            close_from(ind + 4)
        else:
            close_from(ind + 8)   # a stray deeper block
            leaves[status] = 1
        if ind not in blocks:
            blocks[ind] = Block()
        parent = blocks[ind]
        parent.counts[status] += 1
        for k in STATUSES:
            parent.leaves[k] += leaves[k]
        if ind == 0:
            out.append(f'suite\t{desc}\t{status}')
            continue
        if child is not None:
            continue
        path_names = [blocks[d].name or '?' for d in range(4, ind + 1, 4) if d in blocks]
        reason = f'\t{m.group(6)}' if status == 'skip' and m.group(6) else ''
        out.append(f'{status}\t{".".join(path_names + [desc])}{reason}')
    close_from(0, ended=True)
    print('\n'.join(out))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == 'splats':
        opts = {'--kunit-boot', '--kmemleak'}
        paths = [a for a in argv[1:] if a not in opts]
        if not paths:
            print(__doc__, file=sys.stderr)
            return 2
        return splats(paths, '--kunit-boot' in argv[1:], '--kmemleak' in argv[1:])
    if len(argv) == 2 and argv[0] == 'ktap':
        return ktap(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
