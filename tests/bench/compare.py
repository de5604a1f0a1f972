#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two runs of ttm_pool_bench case by case: the cost of a change.

Usage: compare.py [--tolerance PCT] [--title TEXT] BEFORE.csv AFTER.csv
                  [BEFORE2.csv AFTER2.csv ...]

Each file holds the module's "csv," lines with the prefix stripped (what
tests/bench/run.sh keeps of a boot: case,path,caching,kib,zero,threads,n,
median,p10,p90,min,max; "clears," lines are skipped). Files come in pairs,
e.g. one pair per init_on_alloc setting; each pair gets a section. For
every case both runs have, the ratio is AFTER / BEFORE of the median (above
1: the change made it slower). Prints markdown: per case kind, how many
cases stay within the tolerance (default 1%), the median, lowest and
highest ratio, and every case outside it; then the summed time.

Meant for icount runs (deterministic: a case's samples are all equal), run
the way tests/bench/run.sh boots the guest; see docs/bench/qa-hooks.md.
Exit status: 0, 1 if a case is outside the tolerance, 2 on bad input.
"""
import argparse
import csv
import statistics
import sys


def die(msg):
    print(f"compare.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    cases = {}
    try:
        with open(path, newline="") as f:
            for row in csv.reader(f):
                if not row or row[0] == "clears":
                    continue
                if len(row) != 12:
                    die(f"{path}: not a ttm_pool_bench line: {','.join(row)}")
                cases[tuple(row[:6])] = int(row[7])
    except OSError as e:
        die(str(e))
    if not cases:
        die(f"{path}: no cases")
    return cases


def name(k):
    case, path, caching, kib, zero, threads = k
    t = f" x{threads}" if threads != "1" else ""
    return f"{case} {path} {caching} {kib} KiB zero={zero}{t}"


def section(before_path, after_path, tol):
    a, b = load(before_path), load(after_path)
    keys = [k for k in a if k in b]
    if not keys:
        die(f"{before_path} and {after_path} have no case in common")
    print(f"### {before_path} -> {after_path}\n")
    print(f"{len(keys)} cases in both; ratio = after / before (above 1: slower).\n")
    print("| case | cases | within ±%g%% | median | lowest | highest |" % tol)
    print("|---|---|---|---|---|---|")
    by = {}
    for k in keys:
        by.setdefault(k[0], []).append((b[k] / a[k], k))
    out = []
    for case in sorted(by):
        rs = [r for r, _ in by[case]]
        bad = [(r, k) for r, k in by[case] if abs(r - 1) * 100 > tol]
        out += bad
        print(f"| {case} | {len(rs)} | {len(rs) - len(bad)} | {statistics.median(rs):.4f} | "
              f"{min(rs):.4f} | {max(rs):.4f} |")
    ta, tb = sum(a[k] for k in keys), sum(b[k] for k in keys)
    print(f"\nSummed: {ta} -> {tb} ns, x{tb / ta:.4f}.\n")
    if out:
        print("Outside the tolerance:\n")
        for r, k in sorted(out):
            print(f"- {name(k)}: {a[k]} -> {b[k]} ns, x{r:.4f}")
        print()
    return len(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tolerance", type=float, default=1.0, help="percent (default 1)")
    ap.add_argument("--title", help="a heading for the output")
    ap.add_argument("files", nargs="+", metavar="FILE")
    a = ap.parse_args()
    if len(a.files) % 2 or a.tolerance < 0:
        ap.print_usage(sys.stderr)
        sys.exit(2)
    if a.title:
        print(f"## {a.title}\n")
    bad = 0
    for i in range(0, len(a.files), 2):
        bad += section(a.files[i], a.files[i + 1], a.tolerance)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
