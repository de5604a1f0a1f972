#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw output of tests/bench/run.sh into docs/BENCHMARKS.md, a CSV of
every sample line and a gnuplot chart.

Raw input: RAW/<kernel>-<clock>-<round>.csv (boots with init_on_alloc=0) and
RAW/<kernel>-<clock>-ioa-<round>.csv (init_on_alloc=1), one line per case as
printed by ttm_pool_bench: case,path,caching,kib,zero,threads,n,median,p10,
p90,min,max; and, from kernels with pre-cleared chunks, one "clears," line
per hit case (what the pool cleared over the case's cycles, in pages); and
RAW/clear-rate.csv, the host's clear rate (tests/bench/clear-rate.c) for the
cost model (see cost_model_text()).
A setup is a clock and a command line: "icount", "tcg", "icount-ioa",
"tcg-ioa". For every case and setup, a kernel's figure is the median of its
per-boot medians; the spread is the widest p10..p90 range of its boots,
relative to that figure. Ratios are upstream / ours, so above 1 means ours
is faster.
"""
import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

import report_mix

KERNELS = {"upstream": "upstream", "plain": "ours", "nostats": "ours-nostats"}
FIELDS = ["case", "path", "caching", "kib", "zero", "threads", "n",
          "median_ns", "p10_ns", "p90_ns", "min_ns", "max_ns"]
CLEAR_FIELDS = ["case", "path", "caching", "kib", "zero", "cycles", "hit",
                "miss", "background", "alloc", "wasted", "reflush"]
CLOCK_TEXT = {
    "icount": "icount (guest time = executed instructions, 1 ns each)",
    "tcg": "tcg (host wall time under TCG)",
}
SETUPS = ["icount", "tcg", "icount-ioa", "tcg-ioa"]
HIT_CASES = ["hit-idle", "hit", "hit-total"]
HIT_TEXT = {"hit-idle": "idle", "hit": "back-to-back", "hit-total": "total CPU"}

# The cost model: the kinds of clear the kernels make, each priced per 4 KiB.
#   page     clear_page() ("rep stosb" of 4 KiB): 6.12's pool at free, the page
#            allocator (__GFP_ZERO, init_on_alloc), ours for WB and WC pages
#   page64   memset64() of 4 KiB (8-byte stores): ours for UC pages
#   seg64k   one "rep stosb" over a 64 KiB segment: ours for WB chunks of
#            16-64 KiB (ttm_pool_clear_pages(), the worker's segments)
#   seg256k  the same over 256 KiB: ours for WB chunks of 128 KiB and more
#   chunk    memset() of a whole chunk of 2 MiB or more: dma-direct's clearing
#            of dma_alloc_attrs(); chunk-small: the same below 2 MiB
# The icount price of each comes from the bench's "clear" case (PATH
# clear_page, memset64, memset; KIB cleared per sample; a segment's is
# clear_page's: TCG counts a string store once per byte, whatever its
# length), the host price from clear-rate (streaming, or cache-hot for the
# sensitivity figures).
KIND_CASE = {"page": "clear_page", "page64": "memset64", "seg64k": "clear_page",
             "seg256k": "clear_page", "chunk": "memset", "chunk-small": "memset"}
HOST_COLD = {"page": "4k-stream", "page64": "4k-stream", "seg64k": "64k-stream",
             "seg256k": "256k-stream", "chunk": "2m-stream",
             "chunk-small": "4k-stream"}
HOST_HOT = {k: "4k-hot" for k in HOST_COLD}
MAX_CHUNK_KIB = 4096


def setup_of(clock, ioa):
    return f"{clock}-ioa" if ioa else clock


def split_setup(setup):
    """(clock, init_on_alloc) of a setup."""
    return setup.split("-")[0], setup.endswith("-ioa")


def setup_text(setup):
    clock, ioa = split_setup(setup)
    return CLOCK_TEXT.get(clock, clock) + (", init_on_alloc=1" if ioa else
                                           ", init_on_alloc=0")


def load(raw):
    """The case rows and the clears rows of every boot in RAW."""
    rows, clears, means = [], [], {}
    for name in sorted(os.listdir(raw)):
        if not name.endswith(".csv"):
            continue
        parts = name[:-4].split("-")
        if len(parts) not in (3, 4) or (len(parts) == 4 and parts[2] != "ioa"):
            continue
        kernel, clock, rnd = parts[0], parts[1], parts[-1]
        ioa = len(parts) == 4
        meta = dict(kernel=KERNELS.get(kernel, kernel), clock=clock,
                    init_on_alloc=int(ioa), setup=setup_of(clock, ioa),
                    round=int(rnd))
        with open(os.path.join(raw, name)) as f:
            for line in f:
                parts = line.strip().split(",")
                if parts[0] == "mean" and len(parts) == 9:
                    # hit-total's mean per cycle (ttm_pool_bench.c)
                    means[(name,) + tuple(parts[1:8])] = int(parts[8])
                    continue
                if parts[0] == "clears":
                    if len(parts) != len(CLEAR_FIELDS) + 1:
                        continue
                    r = dict(zip(CLEAR_FIELDS, parts[1:]))
                    for k in CLEAR_FIELDS[3:]:
                        r[k] = int(r[k])
                    r.update(meta)
                    clears.append(r)
                    continue
                if len(parts) != len(FIELDS):
                    continue
                r = dict(zip(FIELDS, parts))
                # A total is a sum: hit-total's figure is the mean per
                # cycle where the boot printed it, not the median.
                mean = means.get((name,) + tuple(parts[:7]))
                for k in FIELDS[3:]:
                    r[k] = int(r[k])
                if mean is not None:
                    r["median_ns"] = mean
                r.update(meta)
                rows.append(r)
    return rows, clears


def clears_per_cycle(clears):
    """{(setup, case, path, caching, kib, zero): {counter: pages per cycle}}
    of our kernel (the statistics are compiled out of ours-nostats), the
    median over the boots."""
    by = defaultdict(list)
    for r in clears:
        if r["kernel"] != "ours" or not r["cycles"]:
            continue
        by[(r["setup"], r["case"], r["path"], r["caching"], r["kib"],
            r["zero"])].append(r)
    return {k: {c: statistics.median(r[c] / r["cycles"] for r in rs)
                for c in ("hit", "miss", "background", "alloc", "wasted", "reflush")}
            for k, rs in by.items()}


def region_clears_ours(clears):
    """{(setup, case, path, caching, kib, zero): pages} our kernel cleared per
    timed cycle inside the timed region of a hit case, the median over the
    boots (see cost_model_text() for which clears fall inside)."""
    by = defaultdict(list)
    for r in clears:
        if r["kernel"] != "ours" or not r["cycles"]:
            continue
        if r["case"] == "hit-idle":
            # The worker clears between the cycles, outside the timing.
            pages, n = r["alloc"], r["cycles"]
        elif r["case"] == "hit":
            # The bench counts the timed cycles only: the caller's clears
            # and the worker's during the loop (under icount the clock
            # counts both vCPUs), not the untimed first cycle nor the
            # final settle.
            pages, n = r["alloc"] + r["background"], r["cycles"]
        elif r["case"] == "hit-total":
            pages, n = r["alloc"] + r["background"], r["cycles"]
        else:
            continue
        if n > 0:
            by[(r["setup"], r["case"], r["path"], r["caching"], r["kib"],
                r["zero"])].append(pages / n)
    return {k: statistics.median(v) for k, v in by.items()}


def region_clears(k, kernel, ours):
    """{kind: pages} that KERNEL clears per timed cycle (per sample for
    "clear") inside the timed region of case key K, or None if unknown.
    Ours: the hit cases from its counters (region_clears_ours(); ours-nostats
    has none and is taken to clear as ours), the rest derived; upstream:
    derived from what 6.12 does."""
    setup, case, path, caching, kib, zero, threads = k
    ioa = split_setup(setup)[1]
    npages = kib // 4
    zeroes = bool(zero) or ioa
    # dma_alloc_attrs() memsets each chunk (at most MAX_CHUNK_KIB), and the
    # page allocator clears it first under init_on_alloc.
    chunk = "chunk" if min(kib, MAX_CHUNK_KIB) >= 2048 else "chunk-small"
    fresh = ({chunk: npages, "page": npages if ioa else 0} if path == "coherent"
             else {"page": npages if zeroes else 0})
    # 6.12 pools every coherent chunk and page-path WC/UC ones, clearing
    # them at free with clear_page(); page-path cached pages go back to the
    # page allocator.
    up_pools = path == "coherent" or caching in ("wc", "uc")
    # Ours clears write-back chunks of 16 KiB and more in string stores of
    # at most 256 KiB (the caller and the worker alike), the rest by page.
    ours_kind = ("page64" if caching == "uc" else
                 "page" if caching != "cached" or kib < 16 else
                 "seg64k" if kib <= 64 else "seg256k")
    if case == "clear":
        kind = {"clear_page": "page", "memset64": "page64"}.get(path, chunk)
        return {kind: npages}
    if case == "raw":
        return fresh
    if case.startswith(("fini", "drain", "shrink", "wq")):
        return {}
    if case == "contend":
        # Every alloc+free of a ZERO_ALLOC tt needs its pages cleared, by
        # 6.12's free or our caller (or worker). With more threads, how many
        # of the others' cycles fall in a thread's time is not known (icount
        # runs one vCPU at a time; the threads need not overlap throughout).
        return {"page": npages} if threads == 1 else None
    if case == "miss":
        out = dict(fresh)
        if kernel == "upstream" and up_pools:
            out["page"] = out.get("page", 0) + npages
        return out
    if case in HIT_CASES:
        if kernel == "upstream":
            if up_pools:
                return {"page": npages}
            return {"page": npages if zeroes else 0}
        c = ours.get((setup, case, path, caching, kib, zero))
        return None if c is None else {ours_kind: c}
    return None


def icount_prices(agg):
    """{(setup, kernel): {kind: ns per 4 KiB}} from the "clear" case."""
    out = defaultdict(dict)
    for k, v in agg.items():
        setup, case, path, _, kib, _, _ = k
        if case != "clear" or not kib:
            continue
        for kern, d in v.items():
            for kind, p in KIND_CASE.items():
                if p == path:
                    out[(setup, kern)][kind] = d["ns"] / (kib / 4)
    return out


def price_of(prices, setup, kernel):
    """The icount prices for SETUP and KERNEL: its own, else the same
    kernel's under the same clock (another init_on_alloc), else another
    kernel's under the same clock (the clearing code is the same arch code).
    (prices, where from) or (None, None)."""
    clock = split_setup(setup)[0]
    if (setup, kernel) in prices:
        return prices[(setup, kernel)], None
    for (s, kern), p in sorted(prices.items()):
        if kern == kernel and split_setup(s)[0] == clock:
            return p, f"{kern} ({s})"
    for (s, kern), p in sorted(prices.items()):
        if split_setup(s)[0] == clock and all(x in p for x in KIND_CASE):
            return p, f"{kern} ({s})"
    return None, None


def load_clear_rate(path):
    """({WHAT: ns per clear}, [comment lines]) of clear-rate's output."""
    rates, notes = {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                notes.append(line.lstrip("# "))
                continue
            parts = line.split(",")
            if len(parts) == 5 and parts[0] == "clear-rate":
                try:
                    rates[parts[1]] = (int(parts[2]), float(parts[3]))
                except ValueError:
                    continue
    return rates, notes


def host_prices(rates, which):
    """{kind: ns per 4 KiB} on the host, from clear-rate's figures."""
    out = {}
    for kind, what in which.items():
        if what in rates:
            size, ns = rates[what]
            out[kind] = ns / (size / 4096)
    return out


def weighted(agg, clears, rates, hot=False):
    """(agg re-priced, [csv rows]): every icount figure with its clears at
    the host's price instead of icount's (model in cost_model_text()); a
    kernel whose clears or prices are unknown has no figure there."""
    ours = region_clears_ours(clears)
    prices = icount_prices(agg)
    host = host_prices(rates, HOST_HOT if hot else HOST_COLD)
    out, rows = {}, []
    for k, v in agg.items():
        setup = k[0]
        if split_setup(setup)[0] != "icount":
            continue
        out[k] = {}
        for kern, d in v.items():
            c = region_clears(k, "ours" if kern == "ours-nostats" else kern, ours)
            ip, _ = price_of(prices, setup, kern)
            if c is None or ip is None or any(x not in ip or x not in host for x in c):
                continue
            ns = d["ns"] + sum(n * (host[x] - ip[x]) for x, n in c.items())
            if ns <= 0:
                print(f"report.py: weighted figure of {kern} {k} is {ns:.0f} ns; left out",
                      file=sys.stderr)
                continue
            out[k][kern] = dict(d, ns=ns)
            rows.append(list(k) + [kern, d["ns"]] +
                        [round(c.get(x, 0), 2) for x in KIND_CASE] + [round(ns)])
    return out, rows


KIND_TEXT = {
    "page": "`clear_page()` of a page (`rep stosb`): 6.12's pool at free, the page "
            "allocator (`__GFP_ZERO`, `init_on_alloc`), ours for WB and WC pages",
    "page64": "`memset64()` of a page (8-byte stores): ours for UC pages",
    "seg64k": "one `rep stosb` over a 64 KiB segment: ours for WB chunks of 16–64 KiB "
              "(`ttm_pool_clear_pages()` in the caller, the worker's segments)",
    "seg256k": "one `rep stosb` over a 256 KiB segment: ours for WB chunks of 128 KiB "
               "and more",
    "chunk": "`memset()` of a chunk of 2 MiB or more: dma-direct's clearing in "
             "`dma_alloc_attrs()`",
    "chunk-small": "the same, chunks below 2 MiB",
}
RATE_TEXT = {
    "4k-stream": "4 KiB clears, page after page through the buffer",
    "4k-hot": "4 KiB clears of one page, again and again (cache-hot)",
    "64k-stream": "64 KiB clears in one string store each, through the buffer "
                  "(ours' segments of 64 KiB chunks)",
    "256k-stream": "256 KiB clears in one string store each, through the buffer "
                   "(ours' segments of larger write-back chunks)",
    "2m-stream": "2 MiB clears in one string store each, through the buffer",
    "2m-as-4k": "2 MiB clears as 512 4 KiB clears each, through the buffer",
}


def cost_model_text(agg, rates, notes, setups):
    """The "Cost model" section: the model, this run's prices, its limits."""
    md = ["## Cost model: the hardware-weighted figure", ""]
    icount_setups = [s for s in setups if split_setup(s)[0] == "icount"]
    prices = icount_prices(agg)
    if not rates or not icount_setups or not prices:
        return md + ["No hardware-weighted figures in this run: " +
                     ("no host clear rate (RAW/clear-rate.csv, tests/bench/clear-rate.c)."
                      if not rates else "no icount boots." if not icount_setups else
                      "no icount boot ran the `clear` case (the icount price of a clear)."),
                     ""]
    cold, hot = host_prices(rates, HOST_COLD), host_prices(rates, HOST_HOT)
    p0 = price_of(prices, icount_setups[0], "upstream")[0] or \
        price_of(prices, icount_setups[0], "ours")[0] or {}
    page_ic = f"{p0['page'] / 1000:.1f} µs" if "page" in p0 else "several µs"
    md += [
        "Under icount every guest instruction takes 1 ns, and TCG counts each byte that a "
        f"`rep stosb` stores as an instruction: a 4 KiB `clear_page()` costs {page_ic} of "
        f"guest time, where this host clears a page in {fmt_ns(cold.get('page', 0))} "
        f"streaming and {fmt_ns(hot.get('page', 0))} cache-hot. Icount therefore weighs "
        "clearing far more heavily against everything else than hardware does. The "
        "hardware-weighted figure of a case and kernel re-prices its clears and leaves the "
        "rest at icount's 1 ns per instruction:",
        "",
        "    weighted = icount − Σ clears(kind) × icount price(kind) "
        "+ Σ clears(kind) × host price(kind)",
        "",
        "where clears(kind) are the pages of each kind of clear that the kernel makes per "
        "timed cycle inside the timed region. Targets are judged on icount and on the "
        "weighted figure: each icount targets table above has a weighted one after it, and "
        "the *All cases* tables have weighted columns. Per case and kernel: "
        "[bench/weighted.csv](bench/weighted.csv).",
        "",
        "**The host's clear rate** (tests/bench/clear-rate.c, built with `gcc -O2` and run "
        "natively on this host by run.sh before the guests boot" +
        (f"; {'; '.join(notes)}" if notes else "") + "):",
        "",
        "| clear | size | ns per clear | GB/s | ns per 4 KiB |",
        "|---|---|---|---|---|",
    ]
    for what, (size, ns) in rates.items():
        md.append(f"| {what}: {RATE_TEXT.get(what, what)} | {size // 1024} KiB | "
                  f"{ns:,.1f} | {size / ns:.2f} | {ns / (size / 4096):.1f} |")
    measured = sorted(prices)
    fallback = []
    for s in icount_setups:
        present = {kern for key_, v in agg.items() if key_[0] == s for kern in v}
        for k in sorted(present):
            p, src = price_of(prices, s, k)
            if p and src:
                fallback.append(f"{k} ({s}) from {src}")
    md += ["", "**The prices per 4 KiB.** Icount: the bench's `clear` case (path "
           "`clear_page`, `memset64`, `memset`; measured under " +
           ", ".join(f"{k} ({s})" for s, k in measured) + "" +
           (f"; without one: {', '.join(fallback)}, the clearing code being the same "
            "arch code in every kernel" if fallback else "") +
           "). Host: streaming (the model) and cache-hot (the sensitivity column).", "",
           "| kind | what | icount ns | host ns, streaming | host ns, cache-hot |",
           "|---|---|---|---|---|"]
    for kind in KIND_CASE:
        vals = [(s, k, prices[(s, k)][kind]) for s, k in measured if kind in prices[(s, k)]]
        if not vals:
            ic = "–"
        elif max(v for _, _, v in vals) <= 1.01 * min(v for _, _, v in vals):
            ic = f"{statistics.median(v for _, _, v in vals):.0f}"
        else:
            ic = "; ".join(f"{k} ({s}) {v:.0f}" for s, k, v in vals)
        md.append(f"| {kind} | {KIND_TEXT[kind]} | {ic} | {cold.get(kind, 0):.1f} | "
                  f"{hot.get(kind, 0):.1f} |")
    md += [
        "",
        "**The clears inside each timed region**, per cycle:",
        "",
        "- *ours, hit-idle*: the caller's clears (`cleared_alloc_pages`); the worker "
        "clears between the cycles, outside the timing.",
        "- *ours, hit* (back-to-back): the caller's clears and the worker's during the "
        "loop (the icount clock counts both vCPUs), counted over the timed cycles only "
        "(the bench reads the counters after the untimed first cycle and before the final "
        "settle).",
        "- *ours, hit-total*: the caller's and the worker's.",
        "- *ours-nostats*: as ours (its counters are compiled out).",
        "- *upstream, hit cases* (from 6.12's code, not counted): its free clears every "
        "page it pools with `clear_page()` (coherent pools, page-path WC and UC), whatever "
        "the tt needs; page-path cached pages are not pooled, and the page allocator "
        "clears them at allocation for ZERO_ALLOC tts and under `init_on_alloc`.",
        "- *miss* (both, derived): the page allocator clears a fresh page-path chunk "
        "(ZERO_ALLOC or `init_on_alloc`); dma-direct `memset()`s a fresh coherent chunk, "
        "after the page allocator under `init_on_alloc`. Upstream's free then clears what "
        "it pools; ours clears nothing at free.",
        "- *raw*: the `memset()` of each chunk, and the page allocator's clear under "
        "`init_on_alloc`. *contend*, one thread: 16 pages per cycle (each 64 KiB "
        "ZERO_ALLOC cycle clears its pages, at 6.12's free or in our caller); two threads: "
        "not weighted (icount runs one vCPU at a time, and how many of the other thread's "
        "cycles fall in one thread's time is not known). *fini, drain, shrink, wq*: "
        "none. *clear*: its own (so its weighted figure is the host's price).",
        "",
        "**Streaming price.** The pages a pool clears were last written by the device or "
        "through a WC or UC mapping, so they are not in the CPU's caches: the streaming "
        "price is the realistic one. On hardware the bench itself would clear one hot page "
        "over and over at 4 KiB; the weighted targets tables therefore say in their last "
        "column whether each target also holds with every clear at the cache-hot price, "
        "which makes clearing cheapest and the rest weigh most.",
        "",
        "**Limits.**",
        "",
        "- Our write-back clears of chunks of 16 KiB and more are priced as string stores "
        "of 64 or 256 KiB (the segment of the chunk's size), also where what is left of a "
        "chunk the worker had started on is shorter than a segment; their icount price is "
        "`clear_page()`'s (TCG counts a string store once per byte, whatever its length).",
        "- WC and UC clears are priced as WB clears: user space has no WC or UC mapping "
        "to time. WC stores combine and stream to memory, close to the streaming price. "
        "UC stores do not combine: 6.12's `rep stosb` on a UC page makes 4096 uncached "
        "1-byte stores, ours 512 8-byte ones, both far slower than priced here, so the "
        "model understates what ours saves on UC.",
        "- The host price is this host's, a virtual machine shared with other jobs (no "
        "KVM here to run the guest natively, no bare metal): not a GPU machine's memory "
        "bandwidth. It is measured once per run, as the fastest of its samples: a busy "
        "host only slows clears down (medians up to 2× the fastest were seen while other "
        "jobs ran; the medians above show this run's).",
        "- Everything else stays at 1 ns per instruction: locking, the page allocator, "
        "DMA mapping, and the worker's wakeup and round trip (a few thousand instructions "
        "under icount, see `wq`; a few µs on hardware, so about as priced). Cache misses, "
        "IPIs, and clearing's eviction of other data are not modelled.",
        "- dma-direct's `memset()` is priced as one `rep stosb` of the chunk; the guest "
        "kernel's `memset()` (without FSRS) is a loop of 8-byte stores, which the icount "
        "price measures.",
        "- Upstream's clears and all miss and raw clears are derived from the code, not "
        "counted; ours' back-to-back count can include a little of the worker's clearing "
        "of the first cycle's free and miss what it still clears of the last. "
        "tcg figures are not re-priced.",
        "",
    ]
    return md


def key(r):
    return (r["setup"], r["case"], r["path"], r["caching"], r["kib"],
            r["zero"], r["threads"])


def aggregate(rows):
    by = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[key(r)][r["kernel"]].append(r)
    out = {}
    for k, kernels in by.items():
        out[k] = {}
        for kern, rs in kernels.items():
            med = statistics.median(r["median_ns"] for r in rs)
            lo = min(r["p10_ns"] for r in rs)
            hi = max(r["p90_ns"] for r in rs)
            out[k][kern] = {
                "ns": med,
                "spread": (hi - lo) / 2 / med * 100 if med else 0,
                "boots": len(rs),
            }
    return out


# ns, µs or ms as fits (report_mix's: "–" for None).
fmt_ns = report_mix.fmt_ns


def fmt_size(kib):
    if not kib:
        return "–"
    return f"{kib // 1024} MiB" if kib >= 1024 else f"{kib} KiB"


def cell(d):
    if not d:
        return "–"
    return f"{fmt_ns(d['ns'])} ±{d['spread']:.0f}%"


def ratio(a, b):
    if not a or not b or not b["ns"]:
        return None
    return a["ns"] / b["ns"]


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        qemu = subprocess.run(["qemu-system-x86_64", "--version"],
                              capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        qemu = "qemu (unknown version)"
    return (f"{os.cpu_count()} × {model}, {mem} GiB RAM, host kernel "
            f"{platform.release()}, {qemu}")


CASE_ORDER = ["hit", "hit-idle", "hit-total", "miss", "raw", "fini", "drain",
              "shrink", "fini-4k", "drain-4k", "shrink-4k", "contend", "wq",
              "wq-nice", "clear"]


def sort_key(k):
    setup, case, path, caching, kib, zero, threads = k
    return (SETUPS.index(setup) if setup in SETUPS else 9,
            CASE_ORDER.index(case) if case in CASE_ORDER else 99, path,
            ["cached", "wc", "uc"].index(caching) if caching in
            ("cached", "wc", "uc") else 9, -zero, kib, threads)


def desc(d):
    return f"{d['path']} {d['caching']} {fmt_size(d['kib'])}, zero={d['zero']}"


def rows_of(agg, setup, case, **want):
    """(case as a dict, {kernel: figure}) of one setup and case, in order."""
    for k, v in sorted(agg.items(), key=lambda kv: sort_key(kv[0])):
        if k[0] != setup or k[1] != case:
            continue
        d = dict(zip(["setup", "case", "path", "caching", "kib", "zero",
                      "threads"], k))
        if all(d[a] == b for a, b in want.items()):
            yield d, v


def count_target(name, items, ok, unit="×"):
    """A target over [(case, ratio)]: met if ok(ratio) for all of them."""
    if not items:
        return None
    worst_d, worst = min(items, key=lambda t: t[1])
    n_ok = sum(1 for _, x in items if ok(x))
    text = (f"{n_ok}/{len(items)} cases; lowest {worst:.2f}{unit} ({desc(worst_d)}); "
            f"median {statistics.median(x for _, x in items):.2f}{unit}")
    return (name, text, n_ok == len(items))


def prezero_targets(agg, setup):
    """The targets of issue 15 (pre-cleared chunks) for one setup."""
    res = []
    clock, _ = split_setup(setup)

    def vs_upstream(case, **want):
        out = []
        for d, v in rows_of(agg, setup, case, **want):
            x = ratio(v.get("upstream"), v.get("ours"))
            if x:
                out.append((d, x))
        return out

    idle = vs_upstream("hit-idle", zero=1)
    res.append(count_target(
        "idle hit with ZERO_ALLOC ≥ 3× faster than upstream, 64 KiB and up",
        [(d, x) for d, x in idle if d["kib"] >= 64], lambda x: x >= 3))
    res.append(count_target(
        "idle hit with ZERO_ALLOC ≥ 1.5× faster than upstream at 4 KiB",
        [(d, x) for d, x in idle if d["kib"] == 4], lambda x: x >= 1.5))
    res.append(count_target(
        "idle hit with ZERO_ALLOC no worse than 0.95× upstream at 4 KiB (issue 23: "
        "a 4 KiB free is not worth a wakeup)",
        [(d, x) for d, x in idle if d["kib"] == 4], lambda x: x >= 0.95))
    for case, name, ok in (
            ("hit", "back-to-back hit no worse than 0.95× upstream (every hit case)",
             lambda x: x >= 0.95),
            ("hit-total", "total CPU (caller + worker) per alloc+free ≤ 1.05× "
             "upstream's (every hit case); shown as upstream / ours, met at ≥ 0.95×",
             lambda x: x >= 1 / 1.05)):
        items = vs_upstream(case)
        t = count_target(name, items, ok)
        if not t:
            continue
        parts = []
        for z in (1, 0):
            zi = [(d, x) for d, x in items if d["zero"] == z]
            if zi:
                wd, w = min(zi, key=lambda t: t[1])
                parts.append(f"zero={z}: {sum(1 for _, x in zi if ok(x))}/{len(zi)}, "
                             f"lowest {w:.2f}× ({wd['path']} {wd['caching']} "
                             f"{fmt_size(wd['kib'])})")
        text, met = t[1] + " — " + "; ".join(parts), t[2]
        if case == "hit-total" and clock != "icount":
            text = ("not a CPU time: under tcg each vCPU has its own host thread and "
                    "the clock is wall time, so the worker's clearing overlaps the "
                    "caller's (see icount). " + text)
            met = None
        res.append((t[0], text, met))
    # raw is a cached dma_alloc_attrs(): the target is the cached hit's;
    # the WC and UC hits are shown against it too.
    coh = []
    for d, v in rows_of(agg, setup, "raw"):
        if d["kib"] < 64:
            continue
        xs = {}
        for c in ("cached", "wc", "uc"):
            h = agg.get((setup, "hit-idle", "coherent", c, d["kib"], 1, 1), {})
            x = ratio(v.get("ours"), h.get("ours"))
            if x:
                xs[c] = x
        if "cached" in xs:
            coh.append((d["kib"], xs))
    if coh:
        res.append(("coherent idle hit with ZERO_ALLOC ≥ 10× faster than a raw "
                    "dma_alloc_attrs(), 64 KiB and up (cached, as the raw call; "
                    "WC and UC hits in brackets)",
                    "; ".join(f"{fmt_size(k)}: {xs['cached']:.1f}× (" +
                              ", ".join(f"{c} {x:.1f}×" for c, x in xs.items()
                                        if c != "cached") + ")"
                              for k, xs in coh),
                    all(xs["cached"] >= 10 for _, xs in coh)))
    return [t for t in res if t]


def targets(agg, setup):
    """[(target, result text, met)] for one setup; met None: not applicable."""
    res = prezero_targets(agg, setup)
    if split_setup(setup)[1]:
        return res
    rows = lambda case, **want: rows_of(agg, setup, case, **want)  # noqa: E731

    hit = [(d, ratio(v.get("upstream"), v.get("ours"))) for d, v in rows("hit")]
    hit = [(d, x) for d, x in hit if x]
    t = count_target("earlier: pool hit (back-to-back) alloc+free ≥ 1.2× faster, "
                     "every size and caching", hit, lambda x: x >= 1.2)
    if t:
        res.append(t)
    for case, what in (("fini", "in 4 MiB chunks"), ("fini-4k", "in 4 KiB pages")):
        for d, v in rows(case, kib=65536):
            x = ratio(v.get("upstream"), v.get("ours"))
            if x:
                res.append((f"earlier: release of 64 MiB pooled WC pages ≥ 3× faster ({what})",
                            f"{x:.2f}× (ttm_pool_fini: {fmt_ns(v['upstream']['ns'])}"
                            f" upstream, {fmt_ns(v['ours']['ns'])} ours)", x >= 3))
    # The statistics' cost on the hit path: the back-to-back hit, as the
    # target was first measured, and the idle hit (nothing cleared in the
    # caller, so the counters weigh more) for information.
    def stat_cost(case):
        over = []
        for d, v in rows(case):
            if v.get("ours") and v.get("ours-nostats"):
                over.append((d, v["ours"]["ns"] / v["ours-nostats"]["ns"] - 1))
        if not over:
            return None
        tot_ours = sum(agg[tuple(d.values())]["ours"]["ns"] for d, _ in over)
        tot_nost = sum(agg[tuple(d.values())]["ours-nostats"]["ns"] for d, _ in over)
        worst_d, worst = max(over, key=lambda t: t[1])
        med = statistics.median(x for _, x in over) * 100
        return med, (f"median {med:+.1f}% over {len(over)} {case} cases, "
                     f"{(tot_ours / tot_nost - 1) * 100:+.1f}% on their summed time; "
                     f"largest {worst * 100:+.1f}% ({desc(worst_d)})")
    b2b, idle = stat_cost("hit"), stat_cost("hit-idle")
    if b2b:
        res.append(("earlier: per-CPU statistics overhead ≤ 2% on the hit path "
                    "(back-to-back hits)",
                    b2b[1] + (f"; idle hits: {idle[1]}" if idle else ""), b2b[0] <= 2))
    coh = []
    for d, v in rows("raw"):
        for z in (1, 0):
            h = agg.get((setup, "hit", "coherent", "cached", d["kib"], z, 1), {})
            x = ratio(v.get("ours"), h.get("ours"))
            if x:
                coh.append((d["kib"], z, x))
    if coh:
        met = all(x >= 10 for _, _, x in coh)
        res.append(("earlier: coherent pool hit (back-to-back) ≥ 10× faster than raw "
                    "dma_alloc_attrs",
                    "; ".join(f"{fmt_size(k)} zero={z}: {x:.1f}×" for k, z, x in coh),
                    met))
    miss = [(d, ratio(v.get("upstream"), v.get("ours"))) for d, v in rows("miss")]
    miss = [(d, x) for d, x in miss if x]
    t = count_target("earlier: pool miss no more than 5% slower than upstream", miss,
                     lambda x: x >= 1 / 1.05)
    if t:
        res.append(t)
    return res


def load_before(spec):
    """{key: ns} of ours from CLOCK:FILE, the module's output of an earlier
    build (one run) or an earlier results.csv (ours, CLOCK, init_on_alloc=0;
    the median over its rounds)."""
    clock, path = spec.split(":", 1)
    by = defaultdict(list)
    with open(path) as f:
        first = f.readline()
        f.seek(0)
        if first.startswith("kernel,"):
            for r in csv.DictReader(f):
                if (r["kernel"] != "ours" or r["clock"] != clock or
                        int(r.get("init_on_alloc") or 0)):
                    continue
                for k in FIELDS[3:]:
                    r[k] = int(r[k])
                r["setup"] = clock
                by[key(r)].append(r["median_ns"])
        else:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) != len(FIELDS):
                    continue
                r = dict(zip(FIELDS, parts))
                for k in FIELDS[3:]:
                    r[k] = int(r[k])
                r["setup"] = clock
                by[key(r)].append(r["median_ns"])
    return {k: statistics.median(v) for k, v in by.items()}


def before_after(agg, before):
    """Table of ours before and after, for the (clock, file) pairs given. A
    "hit" before (no clearing worker: idle, back-to-back and total CPU were
    one loop) is set against each of the three hit loops now."""
    lines = ["| clock | case | path | caching | size | zero | thr | ours before | "
             "ours now | now vs before | upstream | ratio before | ratio now |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for spec in before:
        clock = spec.split(":", 1)[0]
        old = load_before(spec)
        for k in sorted(old, key=sort_key):
            for case in (HIT_CASES if k[1] == "hit" else [k[1]]):
                nk = (k[0], case) + k[2:]
                now = agg.get(nk, {}).get("ours")
                if not now:
                    continue
                _, _, p, caching, kib, zero, threads = nk
                up = agg[nk].get("upstream")
                if case.startswith(("drain", "shrink")):
                    fini = "fini-4k" if case.endswith("-4k") else "fini"
                    up = agg.get((clock, fini, p, caching, kib, zero, threads),
                                 {}).get("upstream")
                rb = f"{up['ns'] / old[k]:.2f}×" if up else "–"
                rn = f"{up['ns'] / now['ns']:.2f}×" if up else "–"
                lines.append(f"| {clock} | {case} | {p} | {caching} | {fmt_size(kib)} | "
                             f"{zero} | {threads} | {fmt_ns(old[k])} | {fmt_ns(now['ns'])} | "
                             f"{old[k] / now['ns']:.2f}× | {cell(up)} | {rb} | {rn} |")
    return "\n".join(lines)


def pct(x, kib):
    """Pages per cycle as a share of the tt's pages."""
    return f"{x / (kib // 4) * 100:.0f}%"


def prezero_table(agg, setup, clears):
    """Every hit case of one setup: idle, back-to-back and total CPU."""
    lines = ["| path | caching | size | zero | upstream | ours idle | ratio | "
             "ours back-to-back | ratio | ours total CPU | ratio | "
             "cleared by caller / worker, idle | … back-to-back |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d, v in rows_of(agg, setup, "hit"):
        k = lambda case: (setup, case) + tuple(d.values())[2:]  # noqa: E731
        cells = []
        for case in HIT_CASES:
            w = agg.get(k(case), {})
            x = ratio(w.get("upstream"), w.get("ours"))
            cells += [cell(w.get("ours")), f"**{x:.2f}×**" if x else "–"]
        cl = []
        for case in ("hit-idle", "hit"):
            c = clears.get((setup, case, d["path"], d["caching"], d["kib"], d["zero"]))
            txt = (f"{pct(c['alloc'], d['kib'])} / {pct(c['background'], d['kib'])}"
                   if c else "–")
            if c and c["reflush"]:
                txt += f" ({c['reflush']:.1f} more flushes)"
            cl.append(txt)
        lines.append(f"| {d['path']} | {d['caching']} | {fmt_size(d['kib'])} | "
                     f"{d['zero']} | {cell(v.get('upstream'))} | " + " | ".join(cells) +
                     " | " + " | ".join(cl) + " |")
    return "\n".join(lines)


def prezero_summary(agg, clock):
    """The ratios (upstream / ours) of the three hit loops, init_on_alloc=0
    and =1 side by side."""
    setups = [s for s in (clock, clock + "-ioa")
              if any(k[0] == s and k[1] == "hit-idle" for k in agg)]
    if not setups:
        return None
    head = "| path | caching | size | zero |"
    sep = "|---|---|---|---|"
    for s in setups:
        ioa = int(split_setup(s)[1])
        for case in HIT_CASES:
            head += f" {HIT_TEXT[case]}, ioa={ioa} |"
            sep += "---|"
    lines = [head, sep]
    for d, _ in rows_of(agg, clock, "hit"):
        row = (f"| {d['path']} | {d['caching']} | {fmt_size(d['kib'])} | {d['zero']} |")
        for s in setups:
            for case in HIT_CASES:
                w = agg.get((s, case) + tuple(d.values())[2:], {})
                x = ratio(w.get("upstream"), w.get("ours"))
                row += f" {x:.2f}× |" if x else " – |"
        lines.append(row)
    return "\n".join(lines)


def upstream_of(agg, k):
    """Upstream's figure for case key K: for drain and shrink (ours only),
    upstream's ttm_pool_fini of the same pages."""
    setup, case, path, caching, kib, zero, threads = k
    if case.startswith(("drain", "shrink")):
        fini = "fini-4k" if case.endswith("-4k") else "fini"
        return agg.get((setup, fini, path, caching, kib, zero, threads), {}).get("upstream")
    return agg.get(k, {}).get("upstream")


def table(agg, setup, wagg=None):
    """Every case of one setup; with WAGG (the hardware-weighted figures of
    an icount setup) their upstream, ours and ratio too."""
    w = wagg is not None and any(k[0] == setup for k in wagg)
    lines = ["| case | path | caching | size | zero | thr | upstream | ours | "
             "ratio | ours, no stats | stats cost |" +
             (" weighted: upstream | ours | ratio |" if w else ""),
             "|---|---|---|---|---|---|---|---|---|---|---|" + ("---|---|---|" if w else "")]
    for k in sorted(agg, key=sort_key):
        if k[0] != setup:
            continue
        v = agg[k]
        _, case, path, caching, kib, zero, threads = k
        up = upstream_of(agg, k)
        x = ratio(up, v.get("ours"))
        ns = v.get("ours-nostats")
        cost = ""
        if ns and v.get("ours"):
            cost = f"{(v['ours']['ns'] / ns['ns'] - 1) * 100:+.1f}%"
        drain = case.startswith(("drain", "shrink"))
        up_cell = cell(up) + (" (fini)" if drain and up else "")
        line = (f"| {case} | {path} | {caching} | {fmt_size(kib)} | {zero} | "
                f"{threads} | {up_cell} | {cell(v.get('ours'))} | "
                f"{f'{x:.2f}×' if x else '–'} | {cell(ns)} | {cost} |")
        if w:
            wup, wours = upstream_of(wagg, k), wagg.get(k, {}).get("ours")
            wx = ratio(wup, wours)
            line += (f" {fmt_ns(wup['ns']) if wup else '–'}{' (fini)' if drain and wup else ''}"
                     f" | {fmt_ns(wours['ns']) if wours else '–'} | "
                     f"{f'{wx:.2f}×' if wx else '–'} |")
        lines.append(line)
    return "\n".join(lines)


def chart(agg, setup, outdir):
    """docs/bench/chart.dat + chart.gp -> chart.png (needs gnuplot)."""
    hit_series = [("upstream", "hit", "upstream", "#8888cc"),
                  ("ours, idle", "hit-idle", "ours", "#339933"),
                  ("ours, back-to-back", "hit", "ours", "#cc6633"),
                  ("ours, total CPU", "hit-total", "ours", "#993399")]
    two = [("upstream", None, "upstream", "#8888cc"),
           ("ours", None, "ours", "#cc6633")]
    panels = [("hit", 1, "pool hit: alloc+free, tts with TTM_TT_FLAG_ZERO_ALLOC", hit_series),
              ("hit", 0, "pool hit: alloc+free, tts without TTM_TT_FLAG_ZERO_ALLOC",
               hit_series),
              ("miss", 1, "pool miss: alloc+free, tts with TTM_TT_FLAG_ZERO_ALLOC", two),
              ("release", None, "release of pooled WC pages (drain, shrink: ours only)"
               " / raw coherent allocation / contention", two)]
    dat = os.path.join(outdir, "chart.dat")
    with open(dat, "w") as f:
        for i, (panel, want_zero, _, series) in enumerate(panels):
            f.write(f"# panel {i}: {panel} zero={want_zero}\nlabel " +
                    " ".join(f'"{t}"' for t, _, _, _ in series) + "\n")
            for k in sorted(agg, key=sort_key):
                if k[0] != setup:
                    continue
                _, case, path, caching, kib, zero, threads = k
                if panel in ("hit", "miss"):
                    if case != panel or zero != want_zero:
                        continue
                    label = f"{path[:3]} {caching} {fmt_size(kib)}"
                else:
                    if case.startswith(("hit", "miss")) or case == "clear":
                        continue
                    label = f"{case} {fmt_size(kib)}" if kib else case
                    if case == "contend":
                        label = f"contend {threads}thr"
                vals = []
                for _, c, kern, _ in series:
                    v = agg.get((setup, c or case) + k[2:], {}).get(kern)
                    vals.append(str(v["ns"] / 1000) if v else "NaN")
                f.write(f"\"{label}\" " + " ".join(vals) + "\n")
            f.write("\n\n")
    gp = os.path.join(outdir, "chart.gp")
    with open(gp, "w") as f:
        f.write(f"""# Generated by tests/bench/report.py; gnuplot chart.gp -> chart.png
set terminal pngcairo size 1600,2000 font ",10" noenhanced
set output "chart.png"
set multiplot layout 4,1 title "TTM pool: upstream 6.12 vs ours ({setup_text(setup)}; lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.1:*]
set ylabel "µs (log scale)"
set grid ytics
set xtics rotate by -40 left
set key top left
""")
        for i, (_, _, title, series) in enumerate(panels):
            f.write(f'set title "{title}"\n')
            plots = []
            for j, (t, _, _, color) in enumerate(series):
                src = f'"chart.dat" index {i}' if j == 0 else f'"" index {i}'
                xt = ":xtic(1)" if j == 0 else ""
                plots.append(f'{src} using {j + 2}{xt} title "{t}" lc rgb "{color}"')
            f.write("plot " + ", ".join(plots) + "\n")
        f.write("unset multiplot\n")
    try:
        subprocess.run(["gnuplot", "chart.gp"], cwd=outdir, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: gnuplot failed: {e}", file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--started", default="")
    ap.add_argument("--finished", default="")
    ap.add_argument("--kernel-version", default="")
    ap.add_argument("--clear-rate", default="", metavar="FILE",
                    help="the output of tests/bench/clear-rate (default: RAW/clear-rate.csv)")
    ap.add_argument("--before", action="append", default=[], metavar="CLOCK:CSV",
                    help="ttm_pool_bench output of an earlier build of ours under CLOCK "
                         "(e.g. icount:docs/bench/ours-before-icount.csv), or an earlier "
                         "results.csv (its ours rows of CLOCK): adds a before/after table")
    a = ap.parse_args()

    rows, clears = load(a.raw)
    if not rows:
        sys.exit(f"report.py: no results in {a.raw}")
    benchdir = os.path.join(a.out, "bench")
    os.makedirs(benchdir, exist_ok=True)
    order = lambda r: (r["init_on_alloc"], r["clock"], r["round"], r["kernel"])  # noqa: E731
    with open(os.path.join(benchdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        cols = ["kernel", "clock", "init_on_alloc", "round"] + FIELDS
        w.writerow(cols)
        for r in sorted(rows, key=order):
            w.writerow([r[c] for c in cols])
    with open(os.path.join(benchdir, "clears.csv"), "w", newline="") as f:
        w = csv.writer(f)
        cols = ["kernel", "clock", "init_on_alloc", "round"] + CLEAR_FIELDS
        w.writerow(cols)
        for r in sorted(clears, key=order):
            w.writerow([r[c] for c in cols])

    agg = aggregate(rows)
    clr = clears_per_cycle(clears)
    rate_file = a.clear_rate or os.path.join(a.raw, "clear-rate.csv")
    rates, rate_notes = {}, []
    if os.path.exists(rate_file):
        rates, rate_notes = load_clear_rate(rate_file)
    elif a.clear_rate:
        sys.exit(f"report.py: no such file {a.clear_rate}")
    wagg, hagg, wrows = {}, {}, []
    if rates and icount_prices(agg):
        wagg, wrows = weighted(agg, clears, rates)
        hagg, _ = weighted(agg, clears, rates, hot=True)
        with open(os.path.join(benchdir, "weighted.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["setup", "case", "path", "caching", "kib", "zero", "threads",
                        "kernel", "icount_ns"] + [f"clears_{k}" for k in KIND_CASE] +
                       ["weighted_ns"])
            for r in sorted(wrows, key=lambda r: (sort_key(tuple(r[:7])), r[7])):
                w.writerow(r)
    elif os.path.exists(os.path.join(benchdir, "weighted.csv")):
        os.remove(os.path.join(benchdir, "weighted.csv"))
    setups = [s for s in SETUPS if any(k[0] == s for k in agg)]
    clocks = [s for s in setups if not split_setup(s)[1]]
    rounds = max(r["round"] for r in rows)
    ioa_kernels = [k for k in KERNELS.values()
                   if any(r["kernel"] == k and r["init_on_alloc"] for r in rows)]
    chart_ok = chart(agg, setups[0], benchdir)

    md = [
        "# Benchmarks: our TTM pool against upstream 6.12's",
        "",
        "Generated by `make bench` (tests/bench/run.sh, tests/bench/report.py); do not edit by hand.",
        "",
        f"- Command: `{a.command}`",
        f"- Run: {a.started} to {a.finished}",
        f"- Machine: {machine()}",
        f"- Guest: qemu TCG, 2 vCPUs, 1.5 GiB, no GPU; kernels from Debian linux-source-6.12 "
        f"{a.kernel_version}, all three with scripts/kconfig/base.config + bench.config: `upstream` (pristine tree), "
        f"`ours` (this repo), `ours-nostats` (this repo, `TTM_POOL_NO_STATS=y`)",
        f"- Boots alternate upstream, ours, ours-nostats, upstream, … ({rounds} round(s) per clock), "
        "all with `init_on_alloc=0`"
        + (f"; then {', '.join(ioa_kernels)} again with `init_on_alloc=1` (Debian's default: "
           "every tt needs zeroed pages) under "
           f"{', '.join(split_setup(s)[0] for s in setups if split_setup(s)[1])}, "
           "the cases IOA_ARGS names (by default hit, hit-idle, hit-total, raw, clear, mix)" if ioa_kernels else "")
        + ". Each figure is the median of the per-boot medians, ± half the widest p10–p90 "
        "range of the boots",
        "- Ratio = upstream / ours: above 1 means ours is faster. For drain and shrink (ours only) "
        "the ratio is against upstream's `ttm_pool_fini` of the same pages.",
        "- Raw: [bench/results.csv](bench/results.csv) (every case of every boot), "
        "[bench/clears.csv](bench/clears.csv) (what our pool cleared in each hit case)" +
        (", [bench/weighted.csv](bench/weighted.csv) (the hardware-weighted figures, see "
         "*Cost model*)" if rates else "") + ". "
        "Chart: [bench/chart.png](bench/chart.png)" + ("" if chart_ok else " (gnuplot failed)"),
        "",
        "## Cases",
        "",
        "All through the public 6.12 API (tests/bench/ttm_pool_bench): a TTM device sets up TTM's "
        "globals, each case uses its own `ttm_pool` on a 64-bit DMA device and tts made by "
        "`ttm_sg_tt_init` (so every page gets a DMA address). `zero=1`: the tt has "
        "`TTM_TT_FLAG_ZERO_ALLOC`, as device BOs do; `zero=0`: it does not, as kernel BOs.",
        "",
        "- **hit** (back-to-back): alloc+free of a tt whose pages the pool holds, each alloc "
        "right after the previous free: our pool's clearing worker has had no time to clear "
        "what was freed. Upstream does not pool cached pages of a page-path pool, so its "
        "`page cached` rows are page-allocator round trips.",
        "- **hit-idle**: the same, but our pool's worker has finished before each alloc "
        "(`ttm_pool_prezero_flush()` between the cycles, outside the timed region). Upstream "
        "has no worker: the same loop as hit.",
        "- **hit-total**: alloc+free+`ttm_pool_prezero_flush()` timed together: the caller's "
        "and the worker's time per cycle (upstream: alloc+free). Under icount the guest "
        "clock counts the instructions of both vCPUs, so this is CPU time; under tcg it is "
        "the wall time until the pool is clean again. Its figure is the **mean** per cycle, "
        "not the median: a total is a sum, and where the clearing policy wakes the worker "
        "every other free (a 2 MiB free is worth half a wakeup when the wakeup costs more "
        "than 512 clears / 20), cycles alternate between two clears and none, of which a "
        "median shows one kind. The mean is over at least 40 cycles (`total_reps`; 64 MiB: "
        "as the other cases), so that it spans such periods: over 5 cycles, a period of 2 "
        "gave 3 wakeups or 2 depending on where it started, 1.2 or 0.8 times the steady "
        "clears. The pages cleared per cycle (the weighted model) are means too.",
        "- **miss**: alloc+free from an empty pool (a new pool per sample; page-path pools are bound "
        "to node 0 so that upstream keeps their WC/UC pages in the pool, not in its global lists).",
        "- **raw**: `dma_alloc_attrs` + `dma_free_attrs` of the same size, in chunks of at most "
        "4 MiB (the pool's largest chunk); compare with the coherent `hit` rows.",
        "- **fini**: `ttm_pool_fini` of a node-bound page pool holding that much WC memory "
        "(our pool's worker has finished clearing it); "
        "**drain**: our `ttm_pool_drain` of the same; **shrink**: our shrinker's scan callback in "
        "steps of 128 pages (SHRINK_BATCH, as reclaim calls it) until the same amount is gone.",
        "- **contend**: 1 or 2 threads on different vCPUs doing 64 KiB WC hits on one pool; the "
        "time is per alloc+free of one thread.",
        "- **wq**: `queue_work()` of an empty work item on `system_unbound_wq` + `flush_work()`: "
        "the worker round trip that every hit-total cycle of ours contains besides the clearing; "
        "**wq-nice**: the same with the work item lowering its priority and restoring it "
        "(`set_user_nice()`), as our clearing worker does.",
        "- **clear**: what a clear costs the kernel (for the cost model): `clear_page()` of "
        "16 pages, `memset64()` of the same (path `memset64`), `memset()` of a 2 MiB chunk "
        "(path `memset`); the size is what one sample clears.",
        "",
        "## Targets",
        "",
        "The first rows of each table are issue 15's (pre-cleared chunks); those marked "
        "*earlier* are the targets of the pool itself, kept for comparison.",
        "",
    ]
    mark = lambda met: "n/a" if met is None else "yes" if met else "**no**"  # noqa: E731
    for setup in setups:
        md += [f"### {setup_text(setup)}", "",
               "| target | result | met |", "|---|---|---|"]
        for t, text, met in targets(agg, setup):
            md.append(f"| {t} | {text} | {mark(met)} |")
        md.append("")
        if any(k[0] == setup for k in wagg):
            hot = {t: met for t, _, met in targets(hagg, setup)}
            md += [f"#### {setup_text(setup)}: hardware-weighted", "",
                   "The same targets on the weighted figures (cost model below: clears at "
                   "this host's streaming price); the last column: met with every clear at "
                   "the cache-hot price.", "",
                   "| target | result, weighted | met | met, cache-hot price |",
                   "|---|---|---|---|"]
            for t, text, met in targets(wagg, setup):
                md.append(f"| {t} | {text} | {mark(met)} | {mark(hot.get(t))} |")
            md.append("")
    md += cost_model_text(agg, rates, rate_notes, setups)
    md += ["## Pre-cleared chunks: every hit case", "",
           "Upstream / ours for the three hit loops (idle, back-to-back, total CPU), "
           "with `init_on_alloc=0` and `=1`; above 1: ours is faster or cheaper.", ""]
    for clock in clocks:
        summ = prezero_summary(agg, clock)
        if summ:
            md += [f"### {CLOCK_TEXT.get(clock, clock)}", "", summ, ""]
        wsumm = prezero_summary(wagg, clock) if clock == "icount" else None
        if wsumm:
            md += [f"### {CLOCK_TEXT.get(clock, clock)}: hardware-weighted", "",
                   "The same on the weighted figures (see *Cost model*).", "", wsumm, ""]
    md += ["The figures behind them. *Cleared by caller / worker*: the pages our "
           "`ttm_pool_alloc()` cleared itself and those the worker cleared, per cycle, as a "
           "share of the tt's pages (from the pool's statistics counters); *more flushes*: "
           "the `ttm_pool_prezero_flush()` calls per cycle beyond one that it took until the "
           "pool was clean (the bench flushes again while it is not).", ""]
    for setup in setups:
        if any(k[0] == setup and k[1] == "hit-idle" for k in agg):
            md += [f"### {setup_text(setup)}", "", prezero_table(agg, setup, clr), ""]
    md += report_mix.section(a.raw, benchdir)
    findings = os.path.join(benchdir, "findings.md")
    if os.path.exists(findings):
        with open(findings) as f:
            md += [f.read().rstrip(), ""]
    if a.before:
        md += ["## Before and after", "",
               "`ours before`: " + ", ".join(f"`{b.split(':', 1)[1]}` ({b.split(':', 1)[0]})"
                                         for b in a.before) +
               ", ours on an earlier build (see the findings for which). Its `hit` row is set "
               "against each of the three hit loops now. `now vs before` above 1: faster now; "
               "the ratios are upstream / ours.",
               "", before_after(agg, a.before), ""]
    md += ["## All cases", ""]
    for setup in setups:
        md += [f"### {setup_text(setup)}", "", table(agg, setup, wagg), ""]
    with open(os.path.join(a.out, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
