#!/usr/bin/env python3
"""tests/layers.py BUILD: the rules of husk's dependency graph, as TAP.

A module is a .c and its .h in one folder (rootfs/mounts.c with
rootfs/mounts.h), or a header alone; a folder is a layer.  Two kinds of
dependency count: an #include "folder/file.h", and a call (an undefined
symbol of one object that another object defines, read with nm from
BUILD's objects).  The rules:
  1. no cycle between modules: each module can be read knowing only what
     it depends on;
  2. a folder depends only on folders below it (ARCHITECTURE.md draws
     them), or on itself.
A new include or call that breaks either fails `make check` naming it.
"""
import os
import re
import subprocess
import sys

# Lower number: lower layer.  A folder may use its own and lower ones, and
# nothing at its own rank but itself.
RANK = {
    "util": 0,
    "spec": 1,
    "seccomp": 2, "cgroups": 2, "namespaces": 2, "rootfs": 3,
    "init": 4, "state": 4,
    "runtime": 5,
    "criu": 6, "sandbox": 6,
    "cmd": 7,
}
# Same-rank or otherwise sideways uses that are part of the design.
ALLOWED = {
}
# The command line is thin: it sees the library's public headers only
# (runtime/husk.h, criu/criu.h, sandbox/sandbox.h), the config's types and
# util's, never the mechanisms.
CMD_MAY_USE = {"cmd", "runtime", "criu", "sandbox", "spec", "util"}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module_of(path):
    """'runtime/create.c' -> 'runtime/create'; headers alike.  A folder's
    private header (rootfs/rootfs-internal.h: declarations its files
    share) is a module of its own: what it declares belongs to the files
    that define it, which the calls find."""
    return os.path.splitext(path)[0]


def sources():
    for folder in RANK:
        d = os.path.join(ROOT, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield folder + "/" + name


INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_-]+/[a-z0-9_.-]+\.h)"', re.M)


def include_edges():
    edges = {}
    for src in sources():
        with open(os.path.join(ROOT, src), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            a, b = module_of(src), module_of(inc)
            if a != b:
                edges.setdefault((a, b), "#include \"%s\" in %s" % (inc, src))
    return edges


def nm(obj, *flags):
    out = subprocess.run(["nm", *flags, obj], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def call_edges(build):
    """The calls between modules, and the sources with no object in BUILD
    (the Makefile's $(BUILD)/obj): a check that skipped them would pass
    with half the graph."""
    defined, wanted, missing = {}, {}, []
    for src in sources():
        if not src.endswith(".c"):
            continue
        obj = os.path.join(build, "obj", src[:-2] + ".o")
        if not os.path.exists(obj):
            missing.append(obj)
            continue
        mod = module_of(src)
        for line in nm(obj, "--defined-only", "-g"):
            parts = line.split()
            if len(parts) == 3:
                defined[parts[2]] = mod
        wanted[mod] = [line.split()[-1] for line in nm(obj, "-u")]
    edges = {}
    for mod, syms in wanted.items():
        for sym in syms:
            other = defined.get(sym)
            if other is not None and other != mod:
                edges.setdefault((mod, other), "%s calls %s of %s" % (mod, sym, other))
    return edges, missing


def cycles(nodes, edges):
    """Tarjan's strongly connected components with more than one node."""
    succ = {n: [] for n in nodes}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(root):
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
            elif nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(succ[nxt])))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])

    for n in sorted(succ):
        if n not in index:
            visit(n)
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: tests/layers.py BUILD", file=sys.stderr)
        return 2
    build = sys.argv[1]
    edges = include_edges()
    calls, missing = call_edges(build)
    if missing:
        print("Bail out! no object for %d sources, such as %s (run make first)"
              % (len(missing), missing[0]))
        return 1
    for k, v in calls.items():
        edges.setdefault(k, v)
    nodes = {m for e in edges for m in e}
    failed = 0

    print("1..2")
    found = cycles(nodes, edges)
    if found:
        failed += 1
        print("not ok 1 - no dependency cycle between modules")
        for comp in found:
            inside = set(comp)
            print("# cycle: " + " ".join(comp))
            for (a, b), why in sorted(edges.items()):
                if a in inside and b in inside:
                    print("#   " + why)
    else:
        print("ok 1 - no dependency cycle between modules (%d modules, %d edges)"
              % (len(nodes), len(edges)))
    wrong = []
    for (a, b), why in sorted(edges.items()):
        fa, fb = a.split("/")[0], b.split("/")[0]
        if fa == fb or fa not in RANK or fb not in RANK:
            continue
        if fa == "cmd" and fb not in CMD_MAY_USE:
            wrong.append("# cmd -> %s: %s (cmd/ sees only %s)"
                         % (fb, why, ", ".join(sorted(CMD_MAY_USE))))
            continue
        if RANK[fb] < RANK[fa] or (fa, fb) in ALLOWED:
            continue
        wrong.append("# %s -> %s: %s" % (fa, fb, why))
    if wrong:
        failed += 1
        print("not ok 2 - every folder depends only on folders below it")
        print("\n".join(wrong))
    else:
        print("ok 2 - every folder depends only on folders below it")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
