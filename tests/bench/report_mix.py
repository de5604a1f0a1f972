# SPDX-License-Identifier: GPL-2.0
"""The mix case of tests/bench/ttm_pool_bench in docs/BENCHMARKS.md: a
compositor's traffic, total CPU per MiB allocated and the callers' latency
per size class, ours against upstream (issue 23 item 5).

tests/bench/report.py calls section(RAW, BENCHDIR). The raw input is the
same RAW/<kernel>-<clock>[-ioa]-<round>.csv files as report.py reads; this
module reads their "mixlat,", "mixfree," and "mixcpu," lines (see the top
comment of ttm_pool_bench.c), which report.py's reader skips (they do not
have the csv lines' 12 fields), writes them all to BENCHDIR/mix.csv and
returns the markdown lines of the section (tables(): from the parsed rows).
A kernel's figure is the median over its boots. Ratios are upstream / ours,
as in report.py: above 1 means ours is faster or cheaper.
"""
import csv
import os
import statistics
from collections import defaultdict

KERNELS = {"upstream": "upstream", "plain": "ours", "nostats": "ours-nostats"}
LAT_FIELDS = ["path", "caching", "kib", "n", "zeroed", "p50", "p90", "p99",
              "max", "alone", "p50_alone", "p99_alone"]
CPU_FIELDS = ["path", "caching", "rounds", "allocs", "frees", "kib_alloc",
              "elapsed", "busy", "busy_sum", "alloc", "free", "settle", "hit",
              "miss", "background", "cleared_alloc", "wasted"]
KINDS = {"mixlat": LAT_FIELDS, "mixfree": LAT_FIELDS, "mixcpu": CPU_FIELDS}
SETUPS = ["icount", "icount-ioa", "tcg", "tcg-ioa"]
CLASSES = [4, 64, 2048, 8192, 0]  # KiB; 0: every call
ORDER = [("page", "wc"), ("page", "cached"), ("page", "uc"),
         ("coherent", "cached"), ("coherent", "wc"), ("coherent", "uc")]


def load(raw):
    """[row] of the mix lines of every boot in RAW: dicts with kind (mixlat,
    mixfree, mixcpu), kernel, clock, init_on_alloc, setup, round and the
    line's fields (numbers as int)."""
    rows = []
    for name in sorted(os.listdir(raw)):
        if not name.endswith(".csv"):
            continue
        parts = name[:-4].split("-")
        if len(parts) not in (3, 4) or (len(parts) == 4 and parts[2] != "ioa"):
            continue
        ioa = len(parts) == 4
        meta = dict(kernel=KERNELS.get(parts[0], parts[0]), clock=parts[1],
                    init_on_alloc=int(ioa),
                    setup=parts[1] + ("-ioa" if ioa else ""),
                    round=int(parts[-1]))
        with open(os.path.join(raw, name)) as f:
            for line in f:
                p = line.strip().split(",")
                fields = KINDS.get(p[0])
                if not fields or len(p) != len(fields) + 1:
                    continue
                r = dict(zip(fields, p[1:]))
                for k in fields[2:]:
                    r[k] = int(r[k])
                r.update(meta, kind=p[0])
                rows.append(r)
    return rows


def write_csv(rows, path):
    """Every mix row: the columns of every kind of line, empty where a kind
    has no such field (kib: the size class of a mixlat or mixfree line)."""
    cols = ["kind", "kernel", "clock", "init_on_alloc", "round"]
    cols += CPU_FIELDS + [f for f in LAT_FIELDS if f not in CPU_FIELDS]
    order = lambda r: (r["kind"], r["init_on_alloc"], r["clock"], r["round"],  # noqa: E731
                       r["kernel"], r["path"], r["caching"], r.get("kib", 0))
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in sorted(rows, key=order):
            w.writerow([r.get(c, "") for c in cols])


def median_by(rows, kind, keyf, value):
    """{key: {kernel: median of value(row) over the boots}}."""
    by = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["kind"] == kind:
            by[keyf(r)][r["kernel"]].append(value(r))
    return {k: {kern: statistics.median(v) for kern, v in ks.items()}
            for k, ks in by.items()}


def fmt_ns(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_class(kib):
    if not kib:
        return "all"
    return f"{kib // 1024} MiB" if kib >= 1024 else f"{kib} KiB"


def ratio(up, ours):
    if up is None or not ours:
        return None
    return up / ours


def fmt_ratio(x):
    return f"{x:.2f}×" if x else "–"


def setup_text(setup):
    clock, ioa = setup.split("-")[0], setup.endswith("-ioa")
    return f"{clock}, init_on_alloc={int(ioa)}"


def paths_of(rows, setup):
    have = {(r["path"], r["caching"]) for r in rows if r["setup"] == setup}
    return [pc for pc in ORDER if pc in have] + sorted(have - set(ORDER))


def cpu_table(rows, setup):
    """Total CPU per MiB allocated per path and caching (markdown lines),
    and [(path caching, ratio)] for the targets."""
    # icount: the clock counts every vCPU, so the time some CPU was busy is
    # the CPU time of all; tcg: the vCPUs run in parallel, sum them.
    busy = "busy" if setup.startswith("icount") else "busy_sum"
    keyf = lambda r: (r["setup"], r["path"], r["caching"])  # noqa: E731
    per_mib = median_by(rows, "mixcpu", keyf, lambda r: r[busy] / (r["kib_alloc"] / 1024))
    caller = median_by(rows, "mixcpu", keyf,
                       lambda r: (r["alloc"] + r["free"]) / (r["kib_alloc"] / 1024))
    mib = median_by(rows, "mixcpu", keyf, lambda r: r["kib_alloc"] / 1024)
    clr = {f: median_by(rows, "mixcpu", keyf, lambda r, f=f: r[f])
           for f in ("cleared_alloc", "background", "hit", "miss")}
    lines = ["| path | caching | MiB allocated | upstream | ours | ratio | "
             "callers' share, upstream / ours | ours: pages cleared by callers / worker "
             "(pool hits / misses) |",
             "|---|---|---|---|---|---|---|---|"]
    res = []
    for path, caching in paths_of(rows, setup):
        k = (setup, path, caching)
        v, c = per_mib.get(k, {}), caller.get(k, {})
        if not v:
            continue
        up, ours = v.get("upstream"), v.get("ours")
        x = ratio(up, ours)
        if x:
            res.append((f"{path} {caching}", x))
        share = " / ".join(f"{c[kern] / v[kern] * 100:.0f}%" if v.get(kern) and kern in c
                           else "–" for kern in ("upstream", "ours"))
        if "ours" in clr["hit"].get(k, {}):
            cl = (f"{clr['cleared_alloc'][k]['ours']:.0f} / {clr['background'][k]['ours']:.0f}"
                  f" ({clr['hit'][k]['ours']:.0f} / {clr['miss'][k]['ours']:.0f})")
        else:
            cl = "–"
        m = max(mib.get(k, {0: 0}).values())
        lines.append(f"| {path} | {caching} | {m:.0f} | "
                     f"{fmt_ns(up) + '/MiB' if up else '–'} | "
                     f"{fmt_ns(ours) + '/MiB' if ours else '–'} | {fmt_ratio(x)} | "
                     f"{share} | {cl} |")
    return lines, res


def lat_table(rows, setup, kind):
    """p50 and p99 per size class, per path and caching (markdown lines); and
    [(what, p50 ratio, p99 ratio, p99 ratio of ours' calls that ran alone)]
    at 64 KiB and above."""
    keyf = lambda r: (r["setup"], r["path"], r["caching"], r["kib"])  # noqa: E731
    fig = {f: median_by(rows, kind, keyf, lambda r, f=f: r[f])
           for f in ("p50", "p99", "n", "zeroed", "alone", "p99_alone")}
    lines = ["| path | caching | size | calls (ZERO_ALLOC) | p50 upstream | p50 ours | ratio | "
             "p99 upstream | p99 ours | ratio | ours alone: calls, p99 | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    res = []
    for path, caching in paths_of(rows, setup):
        for kib in CLASSES:
            k = (setup, path, caching, kib)
            a, b = fig["p50"].get(k, {}), fig["p99"].get(k, {})
            if not a:
                continue
            x50 = ratio(a.get("upstream"), a.get("ours"))
            x99 = ratio(b.get("upstream"), b.get("ours"))
            al = fig["alone"][k].get("ours")
            pa = fig["p99_alone"][k].get("ours") if al else None
            xa = ratio(b.get("upstream"), pa)
            kern = "ours" if "ours" in fig["n"][k] else "upstream"
            n, z = fig["n"][k][kern], fig["zeroed"][k][kern]
            if kib >= 64 and x50 and x99:
                res.append((f"{path} {caching} {fmt_class(kib)}", x50, x99, xa))
            size = "**all**" if not kib else fmt_class(kib)
            alone = f"{al / n * 100:.0f}%, {fmt_ns(pa)}" if al is not None else "–"
            lines.append(f"| {path} | {caching} | {size} | {n:.0f} ({z:.0f}) | "
                         f"{fmt_ns(a.get('upstream'))} | {fmt_ns(a.get('ours'))} | "
                         f"{fmt_ratio(x50)} | {fmt_ns(b.get('upstream'))} | "
                         f"{fmt_ns(b.get('ours'))} | {fmt_ratio(x99)} | {alone} | "
                         f"{fmt_ratio(xa)} |")
    return lines, res


def count(items, name):
    """A target over [(what, ratio)]: met if every ratio is above 1."""
    items = [(w, x) for w, x in items if x]
    if not items:
        return None
    low = min(items, key=lambda t: t[1])
    n_ok = sum(1 for _, x in items if x > 1)
    return (name, f"{n_ok}/{len(items)}; lowest {low[1]:.2f}× ({low[0]}); "
            f"median {statistics.median(x for _, x in items):.2f}×", n_ok == len(items))


def targets(cpu, lat):
    """Issue 23's targets for the mix: [(target, result, met)]; met None:
    for information."""
    out = []
    if cpu:
        out.append(("total CPU ≤ upstream's (upstream / ours ≥ 1)",
                    "; ".join(f"{w}: {x:.2f}×" for w, x in cpu),
                    all(x >= 1 for _, x in cpu)))
    for t in (count([(w, a) for w, a, _, _ in lat],
                    "allocation latency p50 better than upstream's, 64 KiB and up"),
              count([(w, b) for w, _, b, _ in lat],
                    "allocation latency p99 better than upstream's, 64 KiB and up")):
        if t:
            out.append(t)
    t = count([(w, c) for w, _, _, c in lat],
              "(for information) the same p99, ours counting only the allocations that "
              "ran alone (no other vCPU's instructions in their time)")
    if t:
        out.append((t[0], t[1], None))
    return out


def tables(rows):
    """The markdown lines of the section from the parsed mix rows."""
    setups = [s for s in SETUPS if any(r["setup"] == s for r in rows)]
    setups += sorted({r["setup"] for r in rows} - set(setups))
    if not setups:
        return []
    md = ["## Realistic mix: a compositor's traffic", "",
          "The `mix` case of ttm_pool_bench (see the top of ttm_pool_bench.c): per path "
          "and caching, a new pool serves a working set of 64 tts of 4 KiB, 64 KiB, "
          "2 MiB and 8 MiB (weights 8:4:3:1), 3 in 4 allocations with "
          "`TTM_TT_FLAG_ZERO_ALLOC`, in rounds: a burst of 1–6 frees of random tts, then "
          "as many allocations of random sizes, each followed 1 time in 4 by the free of "
          "another tt (refilled in the same round), then an idle gap of 1 ms (1 round in "
          "4) or 16 ms (1 in 4) or none. A fixed pseudo-random sequence, the same on every "
          "kernel; 30 untimed rounds, then the measured ones, ending when our pool's "
          "clearing worker is done.",
          "",
          "- *Total CPU per MiB*: the guest time during which some CPU was busy (not in "
          "its idle task), over the measured rounds and the final flush of our worker, "
          "per MiB allocated: the callers, the tts' creation and destruction, and "
          "whatever ran meanwhile, our worker included, in the idle gaps too (under "
          "icount the clock counts every vCPU's instructions, and time with every vCPU "
          "idle is skipped). Under tcg: the sum of the CPUs' busy time. *Callers' "
          "share*: the part of it spent in `ttm_pool_alloc()` and `ttm_pool_free()`.",
          "- *Latency*: each `ttm_pool_alloc()` (and `ttm_pool_free()`) timed alone, per "
          "size class; nearest-rank percentiles, so the p99 of a class of fewer than 100 "
          "calls is its largest. Under icount a call's time also holds what the other "
          "vCPU ran meanwhile (single-threaded TCG runs the vCPUs in turn, for up to a "
          "few ms each): our worker's clearing lands in the callers' tail. *Ours alone*: "
          "the share of our calls during which no other CPU was busy and the caller was "
          "not switched out, and their p99 (its ratio is against upstream's p99 of all "
          "calls, which nearly all ran alone).",
          "- Ratios: upstream / ours; above 1, ours is cheaper or faster.",
          ""]
    summary = ["| setup | target | result | met |", "|---|---|---|---|"]
    body = []
    for setup in setups:
        cl, cpu = cpu_table(rows, setup)
        ll, lat = lat_table(rows, setup, "mixlat")
        fl, _ = lat_table(rows, setup, "mixfree")
        if setup.startswith("icount"):
            for t, text, met in targets(cpu, lat):
                mark = "n/a" if met is None else "yes" if met else "**no**"
                summary.append(f"| {setup_text(setup)} | {t} | {text} | {mark} |")
        body += [f"### {setup_text(setup)}", "", "Total CPU per MiB allocated:", ""]
        body += cl + ["", "Latency of `ttm_pool_alloc()`:", ""] + ll + [""]
        if len(fl) > 2:
            body += ["Latency of `ttm_pool_free()` (upstream clears pooled pages there):",
                     ""] + fl + [""]
    if len(summary) > 2:
        md += ["Issue 23's targets for the mix (icount):", ""] + summary + [""]
    return md + body


def section(raw, benchdir=None):
    """The markdown lines of the mix section for report.py ([] if no boot ran
    the mix case); writes BENCHDIR/mix.csv."""
    rows = load(raw)
    if not rows:
        return []
    md = tables(rows)
    if benchdir:
        write_csv(rows, os.path.join(benchdir, "mix.csv"))
        md[2:2] = ["Raw: [bench/mix.csv](bench/mix.csv) (every mix line of every boot).", ""]
    return md


if __name__ == "__main__":
    import sys
    print("\n".join(section(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)))
