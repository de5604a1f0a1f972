#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw output of tests/bench/run.sh into docs/BENCHMARKS.md, a CSV of
every sample line and a gnuplot chart.

Raw input: RAW/<kernel>-<clock>-<round>.csv, one line per case as printed by
ttm_pool_bench: case,path,caching,kib,zero,threads,n,median,p10,p90,min,max.
For every case and clock, a kernel's figure is the median of its per-boot
medians; the spread is the widest p10..p90 range of its boots, relative to
that figure. Ratios are upstream / ours, so above 1 means ours is faster.
"""
import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

KERNELS = {"upstream": "upstream", "plain": "ours", "nostats": "ours-nostats"}
FIELDS = ["case", "path", "caching", "kib", "zero", "threads", "n",
          "median_ns", "p10_ns", "p90_ns", "min_ns", "max_ns"]
CLOCK_TEXT = {
    "icount": "icount (guest time = executed instructions, 1 ns each)",
    "tcg": "tcg (host wall time under TCG)",
}


def load(raw):
    rows = []
    for name in sorted(os.listdir(raw)):
        if not name.endswith(".csv"):
            continue
        kernel, clock, rnd = name[:-4].rsplit("-", 2)
        with open(os.path.join(raw, name)) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) != len(FIELDS):
                    continue
                r = dict(zip(FIELDS, parts))
                for k in FIELDS[3:]:
                    r[k] = int(r[k])
                r.update(kernel=KERNELS.get(kernel, kernel), clock=clock,
                         round=int(rnd))
                rows.append(r)
    return rows


def key(r):
    return (r["clock"], r["case"], r["path"], r["caching"], r["kib"],
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


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_size(kib):
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


CASE_ORDER = ["hit", "miss", "raw", "fini", "drain", "shrink", "fini-4k",
              "drain-4k", "shrink-4k", "contend"]


def sort_key(k):
    clock, case, path, caching, kib, zero, threads = k
    return (clock, CASE_ORDER.index(case) if case in CASE_ORDER else 99, path,
            ["cached", "wc", "uc"].index(caching) if caching in
            ("cached", "wc", "uc") else 9, -zero, kib, threads)


def targets(agg, clock):
    """[(target, result text, met)] for one clock."""
    res = []

    def rows(case, **want):
        for k, v in sorted(agg.items(), key=lambda kv: sort_key(kv[0])):
            if k[0] != clock or k[1] != case:
                continue
            d = dict(zip(["clock", "case", "path", "caching", "kib", "zero",
                          "threads"], k))
            if all(d[a] == b for a, b in want.items()):
                yield d, v

    hit = [(d, ratio(v.get("upstream"), v.get("ours"))) for d, v in rows("hit")]
    hit = [(d, x) for d, x in hit if x]
    if hit:
        worst_d, worst = min(hit, key=lambda t: t[1])
        n_ok = sum(1 for _, x in hit if x >= 1.2)
        res.append(("pool hit alloc+free ≥ 1.2× faster, every size and caching",
                    f"{n_ok}/{len(hit)} cases; lowest {worst:.2f}× "
                    f"({worst_d['path']} {worst_d['caching']} "
                    f"{fmt_size(worst_d['kib'])}, zero={worst_d['zero']}); "
                    f"median {statistics.median(x for _, x in hit):.2f}×",
                    n_ok == len(hit)))
    for case, what in (("fini", "in 4 MiB chunks"), ("fini-4k", "in 4 KiB pages")):
        for d, v in rows(case, kib=65536):
            x = ratio(v.get("upstream"), v.get("ours"))
            if x:
                res.append((f"release of 64 MiB pooled WC pages ≥ 3× faster ({what})",
                            f"{x:.2f}× (ttm_pool_fini: {fmt_ns(v['upstream']['ns'])}"
                            f" upstream, {fmt_ns(v['ours']['ns'])} ours)", x >= 3))
    over = []
    for d, v in rows("hit"):
        if v.get("ours") and v.get("ours-nostats"):
            over.append((d, v["ours"]["ns"] / v["ours-nostats"]["ns"] - 1))
    if over:
        tot_ours = sum(agg[tuple(d.values())]["ours"]["ns"] for d, _ in over)
        tot_nost = sum(agg[tuple(d.values())]["ours-nostats"]["ns"] for d, _ in over)
        total = (tot_ours / tot_nost - 1) * 100
        med = statistics.median(x for _, x in over) * 100
        worst_d, worst = max(over, key=lambda t: t[1])
        res.append(("per-CPU statistics overhead ≤ 2% on the hit path",
                    f"median {med:+.1f}% over {len(over)} hit cases, "
                    f"{total:+.1f}% on their summed time; largest {worst * 100:+.1f}% "
                    f"({worst_d['path']} {worst_d['caching']} {fmt_size(worst_d['kib'])},"
                    f" zero={worst_d['zero']})", med <= 2))
    coh = []
    for d, v in rows("raw"):
        for z in (1, 0):
            h = agg.get((clock, "hit", "coherent", "cached", d["kib"], z, 1), {})
            x = ratio(v.get("ours"), h.get("ours"))
            if x:
                coh.append((d["kib"], z, x))
    if coh:
        met = all(x >= 10 for _, _, x in coh)
        res.append(("coherent pool hit ≥ 10× faster than raw dma_alloc_attrs",
                    "; ".join(f"{fmt_size(k)} zero={z}: {x:.1f}×" for k, z, x in coh),
                    met))
    miss = [(d, ratio(v.get("upstream"), v.get("ours"))) for d, v in rows("miss")]
    miss = [(d, x) for d, x in miss if x]
    if miss:
        worst_d, worst = min(miss, key=lambda t: t[1])
        n_ok = sum(1 for _, x in miss if x >= 1 / 1.05)
        res.append(("pool miss no more than 5% slower than upstream",
                    f"{n_ok}/{len(miss)} cases; lowest {worst:.2f}× "
                    f"({worst_d['path']} {worst_d['caching']} "
                    f"{fmt_size(worst_d['kib'])}, zero={worst_d['zero']})",
                    n_ok == len(miss)))
    return res


def before_after(agg, before):
    """Table of ours before and after, for the (clock, file) pairs given."""
    lines = ["| clock | case | path | caching | size | zero | thr | ours before | "
             "ours now | now vs before | upstream | ratio before | ratio now |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for spec in before:
        clock, path = spec.split(":", 1)
        old = {}
        with open(path) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) != len(FIELDS):
                    continue
                r = dict(zip(FIELDS, parts))
                for k in FIELDS[3:]:
                    r[k] = int(r[k])
                r["clock"] = clock
                old[key(r)] = r["median_ns"]
        for k in sorted(old, key=sort_key):
            now = agg.get(k, {}).get("ours")
            if not now:
                continue
            _, case, p, caching, kib, zero, threads = k
            up = agg[k].get("upstream")
            if case.startswith(("drain", "shrink")):
                fini = "fini-4k" if case.endswith("-4k") else "fini"
                up = agg.get((clock, fini, p, caching, kib, zero, threads),
                             {}).get("upstream")
            rb = f"{up['ns'] / old[k]:.2f}×" if up else "–"
            rn = f"{up['ns'] / now['ns']:.2f}×" if up else "–"
            lines.append(f"| {clock} | {case} | {p} | {caching} | {fmt_size(kib)} | {zero} | "
                         f"{threads} | {fmt_ns(old[k])} | {fmt_ns(now['ns'])} | "
                         f"{old[k] / now['ns']:.2f}× | {cell(up)} | {rb} | {rn} |")
    return "\n".join(lines)


def table(agg, clock):
    lines = ["| case | path | caching | size | zero | thr | upstream | ours | "
             "ratio | ours, no stats | stats cost |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k in sorted(agg, key=sort_key):
        if k[0] != clock:
            continue
        v = agg[k]
        _, case, path, caching, kib, zero, threads = k
        up = v.get("upstream")
        if case.startswith(("drain", "shrink")):
            fini = "fini-4k" if case.endswith("-4k") else "fini"
            up = agg.get((clock, fini, path, caching, kib, zero, threads),
                         {}).get("upstream")
        x = ratio(up, v.get("ours"))
        ns = v.get("ours-nostats")
        cost = ""
        if ns and v.get("ours"):
            cost = f"{(v['ours']['ns'] / ns['ns'] - 1) * 100:+.1f}%"
        up_cell = cell(up) + (" (fini)" if case.startswith(("drain", "shrink")) and up else "")
        lines.append(f"| {case} | {path} | {caching} | {fmt_size(kib)} | {zero} | "
                     f"{threads} | {up_cell} | {cell(v.get('ours'))} | "
                     f"{f'{x:.2f}×' if x else '–'} | {cell(ns)} | {cost} |")
    return "\n".join(lines)


def chart(agg, clock, outdir):
    """docs/bench/chart.dat + chart.gp -> chart.png (needs gnuplot)."""
    panels = [("hit", 1, "pool hit: alloc+free, tts with TTM_TT_FLAG_ZERO_ALLOC"),
              ("hit", 0, "pool hit: alloc+free, tts without TTM_TT_FLAG_ZERO_ALLOC"),
              ("miss", 1, "pool miss: alloc+free, tts with TTM_TT_FLAG_ZERO_ALLOC"),
              ("release", None, "release of pooled WC pages (drain, shrink: ours only)"
               " / raw coherent allocation / contention")]
    dat = os.path.join(outdir, "chart.dat")
    with open(dat, "w") as f:
        for i, (panel, want_zero, _) in enumerate(panels):
            f.write(f"# panel {i}: {panel} zero={want_zero}\nlabel upstream ours\n")
            for k in sorted(agg, key=sort_key):
                if k[0] != clock:
                    continue
                _, case, path, caching, kib, zero, threads = k
                v = agg[k]
                if panel in ("hit", "miss"):
                    if case != panel or zero != want_zero:
                        continue
                    label = f"{path[:3]} {caching} {fmt_size(kib)}"
                else:
                    if case in ("hit", "miss"):
                        continue
                    label = f"{case} {fmt_size(kib)}"
                    if case == "contend":
                        label = f"contend {threads}thr"
                up = v.get("upstream", {}).get("ns", "NaN")
                ours = v.get("ours", {}).get("ns", "NaN")
                up = up / 1000 if up != "NaN" else up
                ours = ours / 1000 if ours != "NaN" else ours
                f.write(f"\"{label}\" {up} {ours}\n")
            f.write("\n\n")
    gp = os.path.join(outdir, "chart.gp")
    with open(gp, "w") as f:
        f.write(f"""# Generated by tests/bench/report.py; gnuplot chart.gp -> chart.png
set terminal pngcairo size 1600,2000 font ",10" noenhanced
set output "chart.png"
set multiplot layout 4,1 title "TTM pool: upstream 6.12 vs ours ({clock} clock; lower is better)"
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
        for i, (_, _, title) in enumerate(panels):
            f.write(f'set title "{title}"\n')
            f.write(f'plot "chart.dat" index {i} using 2:xtic(1) title "upstream" lc rgb "#8888cc", '
                    f'"" index {i} using 3 title "ours" lc rgb "#cc6633"\n')
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
    ap.add_argument("--before", action="append", default=[], metavar="CLOCK:CSV",
                    help="ttm_pool_bench output of an earlier build of ours under CLOCK "
                         "(e.g. icount:docs/bench/ours-before-icount.csv): adds a "
                         "before/after table")
    a = ap.parse_args()

    rows = load(a.raw)
    if not rows:
        sys.exit(f"report.py: no results in {a.raw}")
    benchdir = os.path.join(a.out, "bench")
    os.makedirs(benchdir, exist_ok=True)
    with open(os.path.join(benchdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        cols = ["kernel", "clock", "round"] + FIELDS
        w.writerow(cols)
        for r in sorted(rows, key=lambda r: (r["clock"], r["round"], r["kernel"])):
            w.writerow([r[c] for c in cols])

    agg = aggregate(rows)
    clocks = [c for c in ("icount", "tcg") if any(k[0] == c for k in agg)]
    rounds = max(r["round"] for r in rows)
    chart_ok = chart(agg, clocks[0], benchdir)

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
        f"- Boots alternate upstream, ours, ours-nostats, upstream, … ({rounds} round(s) per clock); "
        "each figure is the median of the per-boot medians, ± half the widest p10–p90 range of the boots",
        "- Ratio = upstream / ours: above 1 means ours is faster. For drain and shrink (ours only) "
        "the ratio is against upstream's `ttm_pool_fini` of the same pages.",
        "- Raw: [bench/results.csv](bench/results.csv) (every case of every boot). "
        "Chart: [bench/chart.png](bench/chart.png)" + ("" if chart_ok else " (gnuplot failed)"),
        "",
        "## Cases",
        "",
        "All through the public 6.12 API (tests/bench/ttm_pool_bench): a TTM device sets up TTM's "
        "globals, each case uses its own `ttm_pool` on a 64-bit DMA device and tts made by "
        "`ttm_sg_tt_init` (so every page gets a DMA address). `zero=1`: the tt has "
        "`TTM_TT_FLAG_ZERO_ALLOC`, as device BOs do; `zero=0`: it does not, as kernel BOs.",
        "",
        "- **hit**: alloc+free of a tt whose pages the pool holds. Upstream does not pool cached "
        "pages of a page-path pool, so its `page cached` rows are page-allocator round trips.",
        "- **miss**: alloc+free from an empty pool (a new pool per sample; page-path pools are bound "
        "to node 0 so that upstream keeps their WC/UC pages in the pool, not in its global lists).",
        "- **raw**: `dma_alloc_attrs` + `dma_free_attrs` of the same size, in chunks of at most "
        "4 MiB (the pool's largest chunk); compare with the coherent `hit` rows.",
        "- **fini**: `ttm_pool_fini` of a node-bound page pool holding that much WC memory; "
        "**drain**: our `ttm_pool_drain` of the same; **shrink**: our shrinker's scan callback in "
        "steps of 128 pages (SHRINK_BATCH, as reclaim calls it) until the same amount is gone.",
        "- **contend**: 1 or 2 threads on different vCPUs doing 64 KiB WC hits on one pool; the "
        "time is per alloc+free of one thread.",
        "",
        "## Targets",
        "",
    ]
    for clock in clocks:
        md += [f"### {CLOCK_TEXT.get(clock, clock)}", "",
               "| target | result | met |", "|---|---|---|"]
        for t, text, met in targets(agg, clock):
            md.append(f"| {t} | {text} | {'yes' if met else '**no**'} |")
        md.append("")
    findings = os.path.join(benchdir, "findings.md")
    if os.path.exists(findings):
        with open(findings) as f:
            md += [f.read().rstrip(), ""]
    if a.before:
        md += ["## Before and after", "",
               "`ours before`: " + ", ".join(f"`{b.split(':', 1)[1]}` ({b.split(':', 1)[0]})"
                                         for b in a.before) +
               ", the module's output on an earlier build of ours (see the findings for "
               "which). `now vs before` above 1: faster now; the ratios are upstream / ours.",
               "", before_after(agg, a.before), ""]
    md += ["## All cases", ""]
    for clock in clocks:
        md += [f"### {CLOCK_TEXT.get(clock, clock)}", "", table(agg, clock), ""]
    with open(os.path.join(a.out, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
