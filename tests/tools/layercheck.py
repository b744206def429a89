#!/usr/bin/env python3
"""layercheck.py LAYERS SRCDIR OBJDIR - check lib/'s layering.

For each SRCDIR/<layer>/<file>.c, reads the symbols OBJDIR/<layer>/<file>.o
defines and uses (nm), and each #include "<layer>/<file>.h" of the sources
and headers. Fails (exit 1, one line per fault on stdout) when a file uses
a symbol, or includes a header, of a higher layer than its own, or when
files call each other round a loop. LAYERS lists the folders lowest first
(# starts a comment)."""
import os
import re
import subprocess
import sys


def layers(path):
    order = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                order.append(line)
    return {name: rank for rank, name in enumerate(order)}


def symbols(obj):
    out = subprocess.run(['nm', obj], check=True, capture_output=True, text=True).stdout
    defs, uses = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            uses.add(parts[1])
        elif len(parts) == 3 and parts[1] in 'TDBRCVW':
            defs.add(parts[2])
    return defs, uses


INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def includes(path):
    with open(path, encoding='utf-8') as f:
        return INCLUDE.findall(f.read())


def loops(graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
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
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: layercheck.py LAYERS SRCDIR OBJDIR')
    rank = layers(sys.argv[1])
    src, obj = sys.argv[2], sys.argv[3]
    owner, uses, faults = {}, {}, []
    for folder in sorted(os.listdir(src)):
        d = os.path.join(src, folder)
        if not os.path.isdir(d):
            continue
        if folder not in rank:
            faults.append('%s: folder is not in %s' % (folder, sys.argv[1]))
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.c', '.h')):
                continue
            for inc in includes(os.path.join(d, name)):
                if inc in rank and rank[inc] > rank[folder]:
                    faults.append('%s/%s includes a header of %s, which is above %s'
                                  % (folder, name, inc, folder))
            if not name.endswith('.c'):
                continue
            unit = folder + '/' + name[:-2]
            defs, used = symbols(os.path.join(obj, folder, name[:-2] + '.o'))
            for s in defs:
                owner[s] = unit
            uses[unit] = used
    graph = {}
    for unit, used in sorted(uses.items()):
        for s in sorted(used):
            dep = owner.get(s)
            if dep is None or dep == unit:
                continue
            graph.setdefault(unit, set()).add(dep)
            a, b = unit.split('/')[0], dep.split('/')[0]
            if rank[b] > rank[a]:
                faults.append('%s calls %s in %s: %s is above %s' % (unit, s, dep, b, a))
    for comp in loops(graph):
        faults.append('loop: ' + ' -> '.join(comp))
    for f in faults:
        print(f)
    print('%d files, %d edges, %d faults' % (len(uses), sum(len(v) for v in graph.values()), len(faults)))
    sys.exit(1 if faults else 0)


if __name__ == '__main__':
    main()
