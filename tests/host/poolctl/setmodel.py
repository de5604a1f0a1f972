#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""setmodel.py TOOL SHIM ROOT [STRIDE]: `ttm-poolctl set nodev ...` against a
model of the kernel's rules, for every start state the kernel can reach with
values 0..3 (RAM of 4 pages) and every request of max, high and low from
{unset, 0..3} (max also 5, above RAM).

The shim (FAKESYS_KERNEL) makes the fake pool behave like the kernel and
records the writes; this script replays the recorded writes through its own
model of the kernel's single writes (ttm_pool_set_limits() with one value;
the path of kernels without limits/) and checks:
  - a request that can hold (low <= high <= max <= RAM, a low not given lowered
    to a lower new high, marks never written following max) succeeds, every
    write is accepted, and the pool ends exactly as asked;
  - the lowered low is announced on stderr;
  - any other request fails (exit 1) and leaves the values as they were,
    without a write unless it could not be known before writing max.
STRIDE > 1 checks every STRIDE-th combination (for the slow ASan build).
"""
import itertools
import os
import subprocess
import sys

RAM = 4
VALS = range(4)
FILES = {"max_pages": 0, "high_watermark_pages": 1, "low_watermark_pages": 2}


def kwrite(st, key, v):
    """The kernel's answer to writing v to key: (new state, 0) or (st, errno)."""
    m, h, l, hs, ls = st
    if key == 0:
        if v > RAM:
            return st, 34
        # marks never written follow the cap (an unwritten low only up to high)
        high = v if not hs or h > v else h
        return (v, high, min(v, high) if not ls or l > v else l, hs, ls), 0
    if key == 1:
        high, low = v, (l if ls else min(l, v))
    else:
        high, low = (h if hs else max(h, v)), v
    if low > high or high > m:
        return st, 22
    return (m, high, low, hs or key == 1, ls or key == 2), 0


def start_states():
    seen = set()
    todo = [(m, m, m, False, False) for m in VALS]
    while todo:
        st = todo.pop()
        if st in seen:
            continue
        seen.add(st)
        for key in range(3):
            for v in VALS:
                nst, err = kwrite(st, key, v)
                if not err:
                    todo.append(nst)
    return sorted(seen)


def expect(st, req):
    """(valid, final (max, high, low), low lowered implicitly, ambiguous)"""
    m, h, l, hs, ls = st
    M, H, L = req
    Mn = m if M is None else M
    if M is not None and M <= RAM:
        _, h1, l1, _, _ = kwrite(st, 0, M)[0]
    else:
        h1, l1 = h, l
    Hn = h1 if H is None else H
    Ln = min(l1, Hn) if L is None else L
    valid = Ln <= Hn <= Mn <= RAM
    lowered = L is None and l1 > Hn
    ambiguous = L is not None and H is None and M is not None and M > m and h == m
    return valid, (Mn, Hn, Ln), lowered, ambiguous or (M is not None and M > RAM)


def main():
    tool, shim, root = sys.argv[1:4]
    stride = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    pool = os.path.join(root, "sys/kernel/ttm/pools/nodev")
    log = os.path.join(root, "writes.log")
    env = dict(os.environ, LD_PRELOAD=shim, FAKESYS_KERNEL=str(RAM), FAKESYS_LOG=log)
    reqs = [r for r in itertools.product([None, 0, 1, 2, 3, 5], [None, *VALS], [None, *VALS])
            if r != (None, None, None)]
    states = start_states()
    n = bad = 0
    for i, (st, req) in enumerate(itertools.product(states, reqs)):
        if i % stride:
            continue
        n += 1
        for f, k in FILES.items():
            with open(os.path.join(pool, f), "w") as fp:
                fp.write("%d\n" % st[k])
        with open(os.path.join(pool, ".kstate"), "w") as fp:
            fp.write("%d %d %d %d %d\n" % tuple(int(x) for x in st))
        open(log, "w").close()
        args = ["%s=%d" % (k, v) for k, v in zip(("max", "high", "low"), req) if v is not None]
        r = subprocess.run([tool, "--sysroot", root, "set", "nodev", *args], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        valid, final, lowered, ambiguous = expect(st, req)
        # replay the recorded writes through the model
        cur, rejected, writes = st, 0, 0
        with open(log) as fp:
            for line in fp:
                _, path, val = line.split(" ", 2)
                key = FILES.get(os.path.basename(path))
                if key is None:
                    continue
                writes += 1
                cur, err = kwrite(cur, key, int(val))
                rejected += err != 0
        got = cur[:3]
        with open(os.path.join(pool, "max_pages")) as fp:
            onfile = int(fp.read())
        problems = []
        if onfile != got[0]:
            problems.append("the shim and the model disagree")
        if valid:
            if r.returncode != 0:
                problems.append("exit %d" % r.returncode)
            if rejected:
                problems.append("%d writes rejected" % rejected)
            if got != final:
                problems.append("ends at %s, want %s" % (got, final))
            if lowered != ("lowering low_watermark_pages" in r.stderr):
                problems.append("lowered low %s announced" % ("not" if lowered else "wrongly"))
        else:
            if r.returncode != 1:
                problems.append("exit %d, want 1" % r.returncode)
            if got != st[:3]:
                problems.append("ends at %s, want it unchanged" % (got,))
            if writes and not ambiguous:
                problems.append("%d writes for a request refused up front" % writes)
        if problems:
            bad += 1
            if bad <= 20:
                print("start %s set %s: %s\n  %s" % (st, " ".join(args), "; ".join(problems),
                                                     r.stderr.strip().replace("\n", "\n  ")))
    print("%d start states x %d requests: %d checked, %d wrong" % (len(states), len(reqs), n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
