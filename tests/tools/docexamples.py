#!/usr/bin/env python3
"""docexamples.py OUTDIR FILE... - the example commands of the docs, as scripts.

From a Markdown file: every fenced ```sh block is one example. From an mdoc
page: every ".Dl $ command" line is one example, and every .Bd -literal
block holding "$ " lines is one (the other lines of the block are output).
A leading "$ " is a prompt and is dropped.

An example that cannot run in a test (it needs the network, another
program, or installs software) is marked just before it, invisibly:
  Markdown:  <!-- doc-test: skip: why -->
  mdoc:      .\\" doc-test: skip: why

Writes OUTDIR/NNN.sh, one per example, and prints one line per example:
"NNN<TAB>FILE:LINE<TAB>why it is skipped, or nothing". Exit 0."""
import os
import re
import sys

SKIP = re.compile(r'doc-test: skip:?\s*(.*?)\s*(-->)?\s*$')


def unescape_mdoc(s):
    for a, b in (('\\(dq', '"'), ('\\(aq', "'"), ('\\(ae', 'æ'), ('\\-', '-'),
                 ('\\e', '\\'), ('\\&', ''), ('\\(em', '--')):
        s = s.replace(a, b)
    return s


def command(line):
    line = line.rstrip('\n')
    return line[2:] if line.startswith('$ ') else line


def from_markdown(path, lines):
    out, i, skip = [], 0, None
    while i < len(lines):
        m = SKIP.search(lines[i])
        if m and lines[i].lstrip().startswith('<!--'):
            skip = m.group(1) or 'marked'
        elif lines[i].rstrip() == '```sh':
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i].rstrip() != '```':
                body.append(command(lines[i]))
                i += 1
            out.append((f'{path}:{start}', '\n'.join(body) + '\n', skip))
            skip = None
        elif lines[i].strip():
            skip = None
        i += 1
    return out


def from_mdoc(path, lines):
    out, i, skip = [], 0, None
    while i < len(lines):
        line = lines[i]
        m = SKIP.search(line)
        if m and line.startswith('.\\"'):
            skip = m.group(1) or 'marked'
            i += 1
            continue
        if line.startswith('.Dl $ '):
            out.append((f'{path}:{i + 1}', unescape_mdoc(line[6:].rstrip()) + '\n', skip))
            skip = None
        elif line.startswith('.Bd -literal'):
            start, body = i + 1, []
            i += 1
            more = False
            while i < len(lines) and not lines[i].startswith('.Ed'):
                text = unescape_mdoc(lines[i].rstrip())
                if lines[i].startswith('$ ') or more:
                    body.append(text[2:] if lines[i].startswith('$ ') else text)
                more = text.endswith('\\')
                i += 1
            if body:
                out.append((f'{path}:{start}', '\n'.join(body) + '\n', skip))
            skip = None
        elif not line.startswith('.Pp'):
            skip = None
        i += 1
    return out


def main():
    outdir, n = sys.argv[1], 0
    os.makedirs(outdir, exist_ok=True)
    for path in sys.argv[2:]:
        with open(path, encoding='utf-8') as f:
            lines = f.readlines()
        name = os.path.basename(path)
        found = from_markdown(name, lines) if path.endswith('.md') else from_mdoc(name, lines)
        for where, script, skip in found:
            n += 1
            with open(os.path.join(outdir, f'{n:03d}.sh'), 'w', encoding='utf-8') as f:
                f.write(f'# {where}\n{script}')
            print(f'{n:03d}\t{where}\t{skip or ""}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
