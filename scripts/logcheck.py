#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read qemu console logs of ttm-pool kernels.

  logcheck.py splats [--kunit-boot] LOG...   exit 1 and print excerpts if a log holds
                                             a kernel splat; 0 when clean
  logcheck.py ktap LOG                       print one line per KUnit leaf test:
                                             "ok|not ok|skip<TAB>suite.case[.param]"
                                             and "suite<TAB>NAME<TAB>ok|not ok" per suite

A splat is a BUG: (KASAN, sleeping in atomic, ...), a WARNING: (WARN_ON, lockdep),
an Oops, a panic, a general protection fault, a kmemleak report, a hung task, an RCU
stall or list corruption.

--kunit-boot allows the splats upstream's 6.12 TTM KUnit suites cause on purpose or by
their own leaks (they were written for UML, without kmemleak):
  * the WARNINGs two test cases provoke and expect (listed in EXPECTED_WARNINGS), only in
    a KUnit test thread (Comm: kunit_try_catch);
  * kmemleak objects whose allocation backtrace runs through a function defined in
    upstream's drivers/gpu/drm/ttm/tests/*.c (the suites never put their BOs, so the tt,
    the GEM shmem file and its cred stay allocated), and the creds of kunit test threads
    those leaked files pin.
Everything else, including anything leaked or warned by our own test suites, fails.
"""
import os
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\] ?')
SPLAT = re.compile(
    r'BUG: |kernel BUG at|WARNING: |Oops|Kernel panic|general protection fault|'
    r'UBSAN: |INFO: task .* blocked for more than|rcu: INFO: |INFO: rcu_|'
    r'list_(add|del) corruption|ODEBUG: |kmemleak: \d+ new suspected memory leak|'
    r'unreferenced object 0x')
EXPECTED_WARNINGS = [
    # ttm_device_init_no_vma_man: ttm_device_init() must WARN without a vma manager
    re.compile(r'WARNING: .* at drivers/gpu/drm/ttm/ttm_device\.c:\d+ ttm_device_init\+'),
    # ttm_bo_reserve_no_wait_ticket: ttm_bo_reserve() must WARN for no_wait + ticket
    re.compile(r'WARNING: .* at include/drm/ttm/ttm_bo\.h:\d+ ttm_bo_reserve_no_wait_ticket\+'),
]
KMEMLEAK_LINE = re.compile(r'kmemleak-report: ?(.*)$')


def strip(line):
    return TS.sub('', line.rstrip('\r\n'))


def upstream_test_functions():
    """Names of the functions upstream's TTM KUnit suites define."""
    src = os.environ.get('TTM_PRISTINE')
    if not src:
        top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        src = os.path.join(os.environ.get('TTM_CACHE', os.path.join(top, 'build')),
                           'src', 'pristine')
    tests = os.path.join(src, 'drivers/gpu/drm/ttm/tests')
    names = set()
    if os.path.isdir(tests):
        for f in os.listdir(tests):
            if f.endswith('.c'):
                with open(os.path.join(tests, f), errors='replace') as fh:
                    names.update(re.findall(r'^\w[\w\s\*]*?\b(\w+)\(', fh.read(), re.M))
    return names


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
            f = re.match(r'\s+(\w[\w.]*)\+0x', body)
            if f:
                cur[2].append(f.group(1).split('.')[0])
    return objs


def splats(paths, kunit_boot):
    found = 0
    upstream = upstream_test_functions() if kunit_boot else set()
    for path in paths:
        try:
            with open(path, errors='replace') as fh:
                lines = [strip(l) for l in fh]
        except OSError as e:
            print(f'logcheck: {e}', file=sys.stderr)
            return 2
        allowed = set()  # line indexes explained by the rules above
        if kunit_boot:
            for i, line in enumerate(lines):
                if any(p.search(line) for p in EXPECTED_WARNINGS):
                    window = lines[i:i + 6]
                    if any('Comm: kunit_try_catch' in w for w in window):
                        allowed.add(i)
            objs = kmemleak_objects(lines)
            noise = 0
            for idx, comm, funcs in objs:
                test_leak = 'kunit_try_run_case' in funcs and any(f in upstream for f in funcs)
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


RESULT = re.compile(r'^( *)(not ok|ok) (\d+)(?: -)? ?(.*?)(?: # (SKIP|TODO)\b.*)?$')
SUBTEST = re.compile(r'^( *)# Subtest: (\S+)')


def ktap(path):
    with open(path, errors='replace') as fh:
        lines = [strip(l) for l in fh]
    # results nested one level deeper than a line are its children
    names = {}        # indent -> name of the subtest opened at that indent
    children = {}     # indent -> whether results were seen at indent + 4 since
    out = []
    started = False
    for line in lines:
        if line.strip() == 'KTAP version 1' or line.strip().startswith('TAP version'):
            started = True
        if not started:
            continue
        m = SUBTEST.match(line)
        if m:
            names[len(m.group(1))] = m.group(2)
            children[len(m.group(1))] = False
            continue
        m = RESULT.match(line)
        if not m:
            continue
        ind, status, desc, directive = len(m.group(1)), m.group(2), m.group(4), m.group(5)
        had_children = children.get(ind + 4, False)
        children[ind + 4] = False
        children[ind] = True
        if directive == 'SKIP':
            status = 'skip'
        if ind == 0:
            out.append(f'suite\t{desc}\t{status}')
            continue
        if had_children:
            continue
        path_names = [names.get(d, '?') for d in range(4, ind + 1, 4)]
        out.append(f'{status}\t{".".join(path_names + [desc])}')
    print('\n'.join(out))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == 'splats':
        kunit = '--kunit-boot' in argv
        paths = [a for a in argv[1:] if a != '--kunit-boot']
        return splats(paths, kunit)
    if len(argv) == 2 and argv[0] == 'ktap':
        return ktap(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
