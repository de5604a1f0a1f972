#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The calls between the page pool's kernel files, and a check for cycles.

    scripts/callgraph.py [--graph] [DIR]

DIR (default drivers/gpu/drm/ttm) holds the files: every ttm_pool*.c. A file
depends on another when it names a function defined there: a call, or a
function given as a callback (INIT_WORK(), a notifier, an ops table).
Inline functions of headers are not files' functions and do not count.

Without --graph: exit 0 if the files form no cycle once the allowed upcalls
below are left out, else print each cycle with the functions on its edges
and exit 1. With --graph: print every edge, "caller.c -> callee.c: f, g",
allowed upcalls marked "(allowed)", and exit 0.

The allowed upcalls are exactly the ones docs/ARCHITECTURE.md lists.
"""
import re
import sys
from pathlib import Path

# (calling file, function called): the only calls against the direction
# interfaces -> configuration/global -> core -> leaves.
ALLOWED = {
    # The core registers a pool with the global side, which adds the
    # pool's interfaces; unregistering removes them.
    ("ttm_pool.c", "ttm_pool_register"),
    ("ttm_pool.c", "ttm_pool_unregister"),
    ("ttm_pool.c", "ttm_pool_listed"),
    # A free at the global cap evicts other pools' chunks.
    ("ttm_pool.c", "ttm_pool_evict_for"),
    # Registering adds the interfaces; TTM's globals add their directories.
    ("ttm_pool_global.c", "ttm_pool_sysfs_add"),
    ("ttm_pool_global.c", "ttm_pool_sysfs_remove"),
    ("ttm_pool_global.c", "ttm_pool_debugfs_add"),
    ("ttm_pool_global.c", "ttm_pool_debugfs_remove"),
    ("ttm_pool_global.c", "ttm_pool_debugfs_init"),
    ("ttm_pool_global.c", "ttm_pool_debugfs_fini"),
}

TOKEN = re.compile(r"[A-Za-z_]\w*|\S")


def strip(text):
    """Source without comments, strings, character literals and directives."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\\n])*'", "''", text)
    # Preprocessor lines, continuations included.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return text


def scan(path):
    """(functions defined, [(enclosing function, identifier)]) of a file."""
    toks = TOKEN.findall(strip(path.read_text()))
    defined, refs = set(), []
    depth, i, current = 0, 0, None
    while i < len(toks):
        t = toks[i]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                current = None
        elif depth == 0 and re.match(r"[A-Za-z_]", t) and i + 1 < len(toks) and toks[i + 1] == "(":
            # Skip to the matching ')': a definition if '{' follows.
            j, par = i + 1, 0
            while j < len(toks):
                if toks[j] == "(":
                    par += 1
                elif toks[j] == ")":
                    par -= 1
                    if par == 0:
                        break
                j += 1
            if j + 1 < len(toks) and toks[j + 1] == "{":
                defined.add(t)
                current = t
                i = j
                i += 1
                continue
            # A macro at file level (module_param_cb(), DEFINE_...()):
            # its arguments may name functions.
            for k in range(i + 2, j):
                if re.match(r"[A-Za-z_]", toks[k]):
                    refs.append((None, toks[k]))
            i = j
        elif re.match(r"[A-Za-z_]", t) and depth > 0:
            refs.append((current, t))
        i += 1
    return defined, refs


def graph(directory):
    files = sorted(p for p in Path(directory).glob("ttm_pool*.c"))
    if not files:
        sys.exit(f"callgraph: no ttm_pool*.c in {directory}")
    owner, refs = {}, {}
    for p in files:
        defined, r = scan(p)
        for f in defined:
            owner.setdefault(f, p.name)
        refs[p.name] = r
    edges = {}
    for caller, r in refs.items():
        for _, ident in r:
            callee = owner.get(ident)
            if callee and callee != caller:
                edges.setdefault((caller, callee), set()).add(ident)
    return [p.name for p in files], edges


def cycles(nodes, edges):
    """Strongly connected components of more than one file (Tarjan)."""
    succ = {n: [] for n in nodes}
    for (a, b) in edges:
        succ[a].append(b)
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for n in nodes:
        if n not in index:
            visit(n)
    return out


def main(argv):
    show = "--graph" in argv
    args = [a for a in argv if a != "--graph"]
    directory = args[0] if args else "drivers/gpu/drm/ttm"
    nodes, edges = graph(directory)
    if show:
        for (a, b), fns in sorted(edges.items()):
            mark = " (allowed)" if all((a, f) in ALLOWED for f in fns) else ""
            print(f"{a} -> {b}: {', '.join(sorted(fns))}{mark}")
        return 0
    kept = {}
    for (a, b), fns in edges.items():
        rest = {f for f in fns if (a, f) not in ALLOWED}
        if rest:
            kept[(a, b)] = rest
    bad = cycles(nodes, kept)
    for comp in bad:
        print("callgraph: cycle among " + ", ".join(comp))
        for (a, b), fns in sorted(kept.items()):
            if a in comp and b in comp:
                print(f"  {a} -> {b}: {', '.join(sorted(fns))}")
    if bad:
        return 1
    print(f"callgraph: {len(nodes)} files, {len(kept)} edges, no cycle "
          f"({sum(1 for e in edges if e not in kept)} allowed upcalls)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
