#!/usr/bin/env python3
"""helpman.py HELP-FILE MAN-PAGE - does --help agree with the man page?

As git's t0450 checks each command's -h against its documentation:
  - the options the usage lines of --help name are exactly those the
    SYNOPSIS of the man page names;
  - the options of the --help table are exactly those the man page
    describes in a list item (.It Fl ...), with the same short letter.
Prints one line per difference and exits 1 when there is any; else prints
"ok: N options" and exits 0."""
import re
import sys

FLAG = re.compile(r'(?<![\w-])(--?[A-Za-z0-9][\w-]*)')


def help_parts(text):
    usage, table = set(), {}
    for line in text.splitlines():
        if line.startswith('usage:') or line.startswith('   or:'):
            usage.update(FLAG.findall(line))
            continue
        m = re.match(r'^ {4}(?:-(\w), )?\s*--([\w-]+)', line)
        if m:
            table['--' + m.group(2)] = m.group(1)
    return usage, table


def mdoc_flags(line):
    """The flags of one mdoc line: Fl x -> -x, Fl \\-name -> --name;
    'Fl \\-a | \\-b' names both."""
    words, out, i = line.lstrip('.').split(), [], 0
    while i < len(words):
        if words[i] == 'Fl':
            i += 1
            while i < len(words):
                w = words[i].replace('\\-', '-')
                if re.fullmatch(r'-[\w-]+|[A-Za-z0-9]', w):
                    out.append('--' + w[1:] if w.startswith('-') else '-' + w)
                elif w != '|':
                    break
                i += 1
            continue
        i += 1
    return out


def man_parts(text):
    synopsis, items, section = set(), {}, None
    for line in text.splitlines():
        if line.startswith('.Sh '):
            section = line[4:].strip()
            continue
        if not line.startswith('.'):
            continue
        flags = mdoc_flags(line)
        if section == 'SYNOPSIS':
            synopsis.update(flags)
        elif line.startswith('.It '):
            longs = [f for f in flags if f.startswith('--')]
            shorts = [f[1:] for f in flags if not f.startswith('--')]
            for f in longs:
                items[f] = shorts[0] if len(shorts) == 1 and len(longs) == 1 else items.get(f)
    return synopsis, items


def main():
    with open(sys.argv[1]) as f:
        usage, table = help_parts(f.read())
    with open(sys.argv[2]) as f:
        synopsis, items = man_parts(f.read())
    faults = []
    for o in sorted(usage - synopsis):
        faults.append(f'{o}: in the usage of --help, not in the SYNOPSIS')
    for o in sorted(synopsis - usage):
        faults.append(f'{o}: in the SYNOPSIS, not in the usage of --help')
    for o in sorted(set(table) - set(items)):
        faults.append(f'{o}: in --help, not described in the man page')
    for o in sorted(set(items) - set(table)):
        faults.append(f'{o}: described in the man page, not in --help')
    for o in sorted(set(table) & set(items)):
        if table[o] != items[o]:
            faults.append(f'{o}: short option -{table[o]} in --help, -{items[o]} in the man page')
    for line in faults:
        print(line)
    if not faults:
        print(f'ok: {len(table)} options')
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
