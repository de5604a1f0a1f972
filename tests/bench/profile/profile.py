#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per function from the counts of tbcount.so (see README).

  profile.py funcs DUMP MAP [--snap K] [--minus J] [--cycles N]
                   [--only REGEX] [--range LO:HI] [--top N]
      instructions per function executed between snapshot K-1 and K of DUMP
      (default: the last snapshot, i.e. everything), minus those between J-1
      and J, divided by N; functions from MAP (a System.map); --only keeps
      the functions whose name matches REGEX, --range the addresses in
      [LO, HI) (hex or symbol names)
  profile.py annotate DUMP MAP VMLINUX FUNC... [--snap K] [--minus J]
                   [--cycles N] [--debug-obj OBJ.o]...
      objdump -d of FUNC with the same count before each instruction; with
      the object file of FUNC compiled again with -g (same code), the source
      line of each instruction and the counts per source line
  profile.py lines RUNDIR KERNEL "PATH CACHING KIB ZERO" FUNC...
      one TSV line per executed instruction of FUNC in that configuration of
      a run.sh run: function, offset, executions per cycle, source line,
      instruction (for sums by hand, e.g. per purpose of the code)
  profile.py report RUNDIR [--out FILE] [--annotate N] [--annotate-config C]
      the tables of a tests/bench/profile/run.sh run (RUNDIR/manifest.tsv) as
      markdown: per configuration, per function, instructions per alloc+free
      cycle on each kernel and their difference; then the annotated code of
      the N functions that add the most on the second kernel in one
      configuration (source lines from RUNDIR/KERNEL.debug/*.o, if run.sh
      made them)

Addresses above the last System.map symbol (module space) count as
"[module]", or in report as "FUNCTION [MODULE]" where the guest said where
the bench module was; counts are of instructions (a block's executions
times each of its instructions).
"""
import argparse
import bisect
import collections
import csv
import glob
import os
import re
import statistics
import subprocess
import sys

MODULE = '[module]'
# sort() of the samples, after the timed loop (n log n: its share of one
# more cycle is not the cycle's)
SORT = re.compile(r'(sort_r|sort|do_swap|swap_words_\w+|generic_swap|cmp_u64 \[.*)$')
# the bench's loop around the cycle: its own code, two ktime_get_ns(),
# cond_resched()
HARNESS = re.compile(r'(.* \[ttm_pool_bench\]|\[module\]|ktime_get|read_tsc|__cond_resched|rcu_all_qs)$')


class Dump:
    """A tbcount.so output file: its blocks and its cumulative snapshots."""

    def __init__(self, path):
        self.blocks = {}
        self.snaps = []
        cur = None
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w:
                    continue
                if w[0] == 'B':
                    self.blocks[int(w[1])] = [int(a, 16) for a in w[4:]]
                elif w[0] == 'S':
                    cur = {}
                elif w[0] == 'C':
                    cur[int(w[1])] = int(w[2])
                elif w[0] == 'E':
                    self.snaps.append(cur)
                    cur = None
        if not self.snaps:
            sys.exit(f'{path}: no complete snapshot')

    def interval(self, k):
        """Block executions between snapshot k-1 and k (1-based; 0: none)."""
        if not 1 <= k <= len(self.snaps):
            sys.exit(f'no snapshot {k} (there are {len(self.snaps)})')
        prev = self.snaps[k - 2] if k > 1 else {}
        return {b: c - prev.get(b, 0) for b, c in self.snaps[k - 1].items()
                if c != prev.get(b, 0)}

    def insns(self, k, minus=None, cycles=1):
        """Executions per instruction address over interval k (minus
        interval minus), divided by cycles."""
        per = collections.Counter()
        for sign, kk in ((1, k), (-1, minus)):
            if kk is None:
                continue
            for b, c in self.interval(kk).items():
                for a in self.blocks[b]:
                    per[a] += sign * c
        return {a: c / cycles for a, c in per.items() if c}


class SymMap:
    """Text symbols of a System.map, for address -> function."""

    def __init__(self, path):
        syms = []
        top = 0
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) < 3:
                    continue
                a = int(w[0], 16)
                top = max(top, a)
                if w[1] in 'tTwW':
                    syms.append((a, w[2]))
        syms.sort()
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]
        self.byname = {n: a for a, n in syms}
        self.top = top

        self.mods = []  # (start, end, name) of module functions, sorted

    def add_module(self, ko, sections):
        """The functions of the module file ko, loaded with its sections at
        the addresses of the dict sections (e.g. {'.text': 0xffff...})."""
        out = subprocess.run(['objdump', '-t', ko], check=True,
                             capture_output=True, text=True).stdout
        mod = os.path.basename(ko).removesuffix('.ko').split('.')[-1]
        for line in out.splitlines():
            w = line.split()
            # VALUE FLAGS... SECTION SIZE NAME
            if len(w) >= 6 and w[-3] in sections and 'F' in w[1:-3]:
                start = sections[w[-3]] + int(w[0], 16)
                self.mods.append((start, start + int(w[-2], 16), f'{w[-1]} [{mod}]'))
        self.mods.sort()

    def func(self, a):
        if a > self.top:
            i = bisect.bisect_right(self.mods, (a, float('inf'))) - 1
            if i >= 0 and a < self.mods[i][1]:
                return self.mods[i][2]
            return MODULE
        i = bisect.bisect_right(self.addrs, a) - 1
        if i < 0:
            return MODULE
        return self.names[i]

    def bounds(self, name):
        """[start, end) of the function name."""
        start = self.byname.get(name)
        if start is None:
            sys.exit(f'no function {name} in the System.map')
        i = bisect.bisect_right(self.addrs, start)
        while i < len(self.addrs) and self.addrs[i] == start:
            i += 1
        return start, self.addrs[i] if i < len(self.addrs) else start + 4096

    def addr(self, s):
        try:
            return int(s, 16)
        except ValueError:
            return self.bounds(s)[0]


def per_function(insns, syms, only=None, lo=None, hi=None):
    out = collections.Counter()
    for a, c in insns.items():
        if lo is not None and not lo <= a < hi:
            continue
        f = syms.func(a)
        if only and not re.search(only, f):
            continue
        out[f] += c
    return out


def fmt(x):
    return f'{x:.1f}' if abs(x) >= 0.05 else '0'


def cmd_funcs(a):
    d, syms = Dump(a.dump), SymMap(a.map)
    lo = hi = None
    if a.range:
        lo, hi = (syms.addr(s) for s in a.range.split(':'))
    k = a.snap or len(d.snaps)
    f = per_function(d.insns(k, a.minus, a.cycles), syms, a.only, lo, hi)
    rows = sorted(f.items(), key=lambda kv: -kv[1])
    for name, c in rows[:a.top] if a.top else rows:
        print(f'{fmt(c):>14}  {name}')
    print(f'{fmt(sum(f.values())):>14}  total')


def objdump(vmlinux, start, end):
    """(address, text) of the instructions in [start, end)."""
    out = subprocess.run(
        ['objdump', '-d', '--no-show-raw-insn', f'--start-address={start:#x}',
         f'--stop-address={end:#x}', vmlinux],
        check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s*(.*)', line)
        if m and int(m.group(1), 16) >= start:
            rows.append((int(m.group(1), 16), m.group(2).strip()))
    return rows


_files = {}
# This repository: profile.py is tests/bench/profile/profile.py in it.
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def ours(path):
    """Is path one of this repository's kernel files, unchanged? Only their
    lines are quoted: upstream's code stays out of the reports."""
    for d in ('drivers/gpu/drm/ttm', 'drivers/gpu/drm/ttm/tests', 'include/drm/ttm'):
        q = os.path.join(REPO, d, os.path.basename(path))
        try:
            with open(q, 'rb') as a, open(path, 'rb') as b:
                if a.read() == b.read():
                    return True
        except OSError:
            continue
    return False


def source_text(path, n):
    """Line n of the file path, stripped and shortened, or '' (also for a
    file that is not this repository's: see ours())."""
    if path not in _files:
        try:
            if not ours(path):
                raise OSError
            with open(path, errors='replace') as f:
                _files[path] = f.read().splitlines()
        except OSError:
            _files[path] = []
    lines = _files[path]
    t = ' '.join(lines[n - 1].split()) if 0 < n <= len(lines) else ''
    return t if len(t) <= 70 else t[:67] + '...'


def source_lines(debug_objs, name, size):
    """{offset in name: "file:line (inlined function)"} from objdump -dl of
    the object file among debug_objs (built with -g) that defines name, or
    {} if none does or its copy of name has another size (size: the bytes
    up to the next symbol in the vmlinux)."""
    for obj in debug_objs:
        nm = subprocess.run(['nm', '-S', '--defined-only', obj], check=True,
                            capture_output=True, text=True).stdout
        m = re.search(r'^[0-9a-f]+ ([0-9a-f]+) [tT] ' + re.escape(name) + '$', nm, re.M)
        if not m:
            continue
        # (size: up to the next symbol, alignment padding included)
        if not 0 <= size - int(m.group(1), 16) < 64:
            print(f'warning: {name} has {int(m.group(1), 16)} bytes in {obj}, '
                  f'{size} in the vmlinux: no source lines', file=sys.stderr)
            return {}
        out = subprocess.run(['objdump', '-dl', '--no-show-raw-insn',
                              f'--disassemble={name}', obj],
                             check=True, capture_output=True, text=True).stdout
        where, fn, base, rows = '?', name, None, {}
        for line in out.splitlines():
            m = re.match(r'([0-9a-f]+) <(.+)>:$', line)
            if m:
                base = int(m.group(1), 16)
                continue
            m = re.match(r'(\S+)\(\):$', line)
            if m:
                fn = m.group(1)
                continue
            m = re.match(r'(/\S+|\S+\.[ch]):(\d+)', line)
            if m:
                where = f'{os.path.basename(m.group(1))}:{m.group(2)}'
                text = source_text(m.group(1), int(m.group(2)))
                if text:
                    where += f'  {text}'
                continue
            m = re.match(r'\s*([0-9a-f]+):\s', line)
            if m and base is not None:
                rows[int(m.group(1), 16) - base] = (
                    where if fn == name else f'{where} ({fn})')
        return rows
    return {}


def annotate(insns, syms, vmlinux, name, debug_objs=(), code=True):
    """Lines of objdump -d of name with the counts; runs of instructions
    that did not run are folded into one line. With a debug_objs copy of
    name, each source line (file:line, and the inlined function it is in)
    heads its instructions, and a summary per source line follows."""
    start, end = syms.bounds(name)
    src = source_lines(debug_objs, name, end - start) if debug_objs else {}
    lines, idle, here = [], 0, None
    per_line = collections.Counter()
    for addr, text in objdump(vmlinux, start, end):
        c = insns.get(addr, 0)
        where = src.get(addr - start)
        if abs(c) < 0.005:
            idle += 1
            continue
        if idle:
            lines.append(f'{"":>8}  ... {idle} instruction(s) not run')
            idle = 0
        if where:
            per_line[where] += c
            if where != here:
                lines.append(f'{"":>8}  ; {where}')
                here = where
        lines.append(f'{c:8.2f}  {addr - start:#6x}  {text}')
    if idle:
        lines.append(f'{"":>8}  ... {idle} instruction(s) not run')
    total = sum(c for a, c in insns.items() if start <= a < end)
    head = [f'{name} ({total:.1f} instructions per cycle)']
    if per_line:
        head.append('  per source line (executions per cycle, most first):')
        for where, c in sorted(per_line.items(), key=lambda kv: -kv[1]):
            head.append(f'{c:8.2f}  {where}')
        if code:
            head.append('  the code:')
    return head + lines if code else head


def cmd_annotate(a):
    d, syms = Dump(a.dump), SymMap(a.map)
    insns = d.insns(a.snap or len(d.snaps), a.minus, a.cycles)
    for name in a.func:
        print('\n'.join(annotate(insns, syms, a.vmlinux, name, a.debug_obj or ())))
        print()


def bench_median(csvfile, label, reps):
    """The median over the runs of the bench's own median ns of the hit case
    of a configuration (ttm_pool_bench's csv lines), or None."""
    if not os.path.exists(csvfile):
        return None
    path, caching, kib, zero = label.split()
    v = [int(row[7]) for row in csv.reader(open(csvfile))
         if len(row) >= 9 and row[0] == 'hit' and row[1:5] == [path, caching, kib, zero]
         and row[6] == str(reps)]
    return statistics.median(v) if v else None


def median_of(dicts):
    """Per key, the median of its values in dicts (0 where a key is
    missing)."""
    keys = set().union(*dicts)
    return {f: statistics.median(d.get(f, 0) for d in dicts) for f in keys}


def cmd_report(a):
    rundir = a.rundir
    rows = list(csv.DictReader(open(os.path.join(rundir, 'manifest.tsv')), delimiter='\t'))
    kernels = list(dict.fromkeys(r['kernel'] for r in rows))
    labels = list(dict.fromkeys(r['config'] for r in rows))
    if len(kernels) != 2:
        sys.exit('report: the run must have two kernels (the base first)')
    dumps = {k: Dump(os.path.join(rundir, f'{k}.tbc')) for k in kernels}
    syms = {k: SymMap(os.path.join(rundir, f'{k}.System.map')) for k in kernels}
    # Where the bench module's sections were in each insmod: the guest's
    # "module,NAME,SECTION,ADDRESS" lines, one group per insmod.
    loads = {}
    for k in kernels:
        loads[k] = []
        for row in csv.reader(open(os.path.join(rundir, f'{k}.csv'))):
            if len(row) == 4 and row[0] == 'module':
                if not loads[k] or row[2] in loads[k][-1][1]:
                    loads[k].append((row[1], {}))
                if row[3]:
                    loads[k][-1][1][row[2]] = int(row[3], 16)

    def funcs(k, row):
        """Per function, the instructions of the insmod of the manifest row
        of kernel k (between its snapshot and the one before), its module's
        functions named."""
        syms[k].mods = []
        i = int(row['insmod'])
        if i < len(loads[k]):
            ko = os.path.join(rundir, f'{k}.{loads[k][i][0]}.ko')
            if os.path.exists(ko):
                syms[k].add_module(ko, loads[k][i][1])
        f = per_function(dumps[k].insns(int(row['snapshot'])), syms[k])
        syms[k].mods = []
        return f

    out = []
    p = out.append
    base, ours = kernels
    code = None
    for label in labels:
        per_k, insns_k, cyc, totals = {}, {}, {}, {}
        for k in kernels:
            mine = [r for r in rows if r['kernel'] == k and r['config'] == label]
            rounds = sorted(set(r['round'] for r in mine), key=int)
            fs, ins = [], []
            for rd in rounds:
                rs = sorted((r for r in mine if r['round'] == rd), key=lambda r: int(r['reps']))
                lo, hi = rs[0], rs[-1]
                n = int(hi['reps']) - int(lo['reps'])
                cyc[k] = (int(lo['reps']), int(hi['reps']), len(rounds))
                ins.append(dumps[k].insns(int(hi['snapshot']), int(lo['snapshot']), n))
                fh, fl = funcs(k, hi), funcs(k, lo)
                fs.append({f: (fh.get(f, 0) - fl.get(f, 0)) / n for f in set(fh) | set(fl)})
            per_k[k] = median_of(fs)
            insns_k[k] = median_of(ins)
            totals[k] = [sum(f.values()) for f in fs]
        names = set(per_k[base]) | set(per_k[ours])
        diff = {f: per_k[ours].get(f, 0) - per_k[base].get(f, 0) for f in names}
        shown = [f for f in names if max(abs(per_k[base].get(f, 0)),
                                         abs(per_k[ours].get(f, 0))) >= a.min]
        shown.sort(key=lambda f: (-diff[f], -per_k[ours].get(f, 0), f))
        path, caching, kib, zero = label.split()
        p(f'### hit, {path} path, {caching}, {kib} KiB, zero={zero}\n')
        lo, hi, nr = cyc[ours]
        p(f'Instructions per alloc+free cycle: (count at reps={hi} - count at '
          f'reps={lo}) / {hi - lo}, all vCPUs, the median of {nr} round(s) per '
          f'function. Functions under {a.min} instruction per cycle on both '
          f'kernels are left out of the rows (not of the totals).\n')
        p(f'| function | {base} | {ours} | difference |')
        p('|---|---:|---:|---:|')
        for f in shown:
            p(f'| `{f}` | {fmt(per_k[base].get(f, 0))} | {fmt(per_k[ours].get(f, 0))} '
              f'| {fmt(diff[f])} |')
        tb, to = sum(per_k[base].values()), sum(per_k[ours].values())
        p(f'| **total** | **{fmt(tb)}** | **{fmt(to)}** | **{fmt(to - tb)}** |')
        sb, so = (sum(c for f, c in per_k[k].items() if SORT.match(f)) for k in kernels)
        p(f'| total without `sort()` (the bench\'s report, after the loop) '
          f'| {fmt(tb - sb)} | {fmt(to - so)} | {fmt(to - so - tb + sb)} |')
        hb, ho = (sum(c for f, c in per_k[k].items() if SORT.match(f) or HARNESS.match(f))
                  for k in kernels)
        p(f'| total without `sort()` and the bench\'s loop (`[ttm_pool_bench]`, '
          f'`ktime_get`, `read_tsc`, `__cond_resched`, `rcu_all_qs`): the pool '
          f'and what it calls | {fmt(tb - hb)} | {fmt(to - ho)} | {fmt(to - ho - tb + hb)} |')
        p(f'| (each round\'s total, all functions) | '
          f'{", ".join(fmt(t) for t in totals[base])} | '
          f'{", ".join(fmt(t) for t in totals[ours])} | |')
        meds = [bench_median(os.path.join(rundir, f'{k}.csv'), label, cyc[k][1])
                for k in kernels]
        if None not in meds:
            p(f'| bench median (ns = instructions under icount: the timed '
              f'region only), reps={hi} | {fmt(meds[0])} | {fmt(meds[1])} '
              f'| {fmt(meds[1] - meds[0])} |')
        p('')
        if a.annotate and label == (a.annotate_config or labels[0]):
            top = [f for f in sorted(names, key=lambda f: -diff[f])
                   if diff[f] >= a.min and f in syms[ours].byname][:a.annotate]
            # the base kernel's pool functions, for comparison
            btop = [f for f in sorted(per_k[base], key=lambda f: -per_k[base][f])
                    if re.match(r'ttm_', f) and f in syms[base].byname
                    and per_k[base][f] >= a.min]
            code = (label, top, insns_k[ours], btop, insns_k[base])
    if a.annotate and code:
        label, top, insns, btop, binsns = code
        path, caching, kib, zero = label.split()
        vml = os.path.join(rundir, f'{ours}.vmlinux')
        dbg = sorted(glob.glob(os.path.join(rundir, f'{ours}.debug', '*.o')))
        p(f'## Code: hit, {path} path, {caching}, {kib} KiB, zero={zero}\n')
        p(f'The {len(top)} functions that add the most on {ours}, with each '
          f'instruction\'s executions per cycle (the same medians; objdump -d '
          f'of the vmlinux, instructions that did not run folded). The source '
          f'lines come from the TTM objects compiled again with -g (same code); '
          f'a function name in brackets is the inlined function the line is in. '
          f'Each function\'s executions per source line come first.\n')
        for f in top:
            p('```')
            p('\n'.join(annotate(insns, syms[ours], vml, f, dbg)))
            p('```\n')
        bvml = os.path.join(rundir, f'{base}.vmlinux')
        bdbg = sorted(glob.glob(os.path.join(rundir, f'{base}.debug', '*.o')))
        p(f'For comparison, {base}\'s TTM functions in the same configuration, '
          f'per source line only:\n')
        p('```')
        for f in btop:
            p('\n'.join(annotate(binsns, syms[base], bvml, f, bdbg, code=False)))
            p('')
        p('```\n')
    text = '\n'.join(out)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(a.head.read() if a.head else '')
            f.write(text)
    else:
        print(text)


def cmd_lines(a):
    """One TSV line per executed instruction of FUNCs in a run.sh run:
    function, offset, executions per cycle (median of the rounds), source
    line, instruction."""
    rows = [r for r in csv.DictReader(open(os.path.join(a.rundir, 'manifest.tsv')),
                                      delimiter='\t')
            if r['kernel'] == a.kernel and r['config'] == a.config]
    if not rows:
        sys.exit(f'no runs of kernel {a.kernel}, configuration "{a.config}"')
    d = Dump(os.path.join(a.rundir, f'{a.kernel}.tbc'))
    syms = SymMap(os.path.join(a.rundir, f'{a.kernel}.System.map'))
    ins = []
    for rd in sorted(set(r['round'] for r in rows), key=int):
        lo, hi = sorted((r for r in rows if r['round'] == rd), key=lambda r: int(r['reps']))
        ins.append(d.insns(int(hi['snapshot']), int(lo['snapshot']),
                           int(hi['reps']) - int(lo['reps'])))
    med = median_of(ins)
    vml = os.path.join(a.rundir, f'{a.kernel}.vmlinux')
    dbg = sorted(glob.glob(os.path.join(a.rundir, f'{a.kernel}.debug', '*.o')))
    for f in a.func:
        start, end = syms.bounds(f)
        src = source_lines(dbg, f, end - start)
        for addr, text in objdump(vml, start, end):
            c = med.get(addr, 0)
            if abs(c) >= 0.005:
                print(f'{f}\t{addr - start:#x}\t{c:.2f}\t{src.get(addr - start, "?")}\t{text}')


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)

    def window(s):
        s.add_argument('--snap', type=int, help='snapshot K (default: the last)')
        s.add_argument('--minus', type=int, help='minus the interval of snapshot J')
        s.add_argument('--cycles', type=float, default=1, help='divide by N')

    s = sub.add_parser('funcs')
    s.add_argument('dump')
    s.add_argument('map')
    window(s)
    s.add_argument('--only', help='function names matching REGEX')
    s.add_argument('--range', help='LO:HI, addresses or function names')
    s.add_argument('--top', type=int)
    s.set_defaults(fn=cmd_funcs)

    s = sub.add_parser('annotate')
    s.add_argument('dump')
    s.add_argument('map')
    s.add_argument('vmlinux')
    s.add_argument('func', nargs='+')
    s.add_argument('--debug-obj', action='append',
                   help='an object file built with -g holding FUNC: source lines (repeatable)')
    window(s)
    s.set_defaults(fn=cmd_annotate)

    s = sub.add_parser('lines')
    s.add_argument('rundir')
    s.add_argument('kernel')
    s.add_argument('config', help='"PATH CACHING KIB ZERO"')
    s.add_argument('func', nargs='+')
    s.set_defaults(fn=cmd_lines)

    s = sub.add_parser('report')
    s.add_argument('rundir')
    s.add_argument('--out')
    s.add_argument('--head', type=argparse.FileType('r'),
                   help='text to put before the tables in --out')
    s.add_argument('--min', type=float, default=0.5)
    s.add_argument('--annotate', type=int, default=0,
                   help='show the code of the N functions that add the most')
    s.add_argument('--annotate-config',
                   help='of this configuration ("PATH CACHING KIB ZERO"; default: the first)')
    s.set_defaults(fn=cmd_report)
    a = ap.parse_args()
    a.fn(a)


if __name__ == '__main__':
    main()
