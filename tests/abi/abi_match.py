#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""abi_match.py ABI_FILE... < paths: print every path (one per line on stdin)
that no "What:" entry of the ABI files documents; exit 1 if there is one.

In a What: line, <word> stands for one path component and "..." for any
path; a What ending in "/" documents a directory."""
import re
import sys


def patterns(files):
    pats = []
    for f in files:
        with open(f) as fh:
            for line in fh:
                m = re.match(r'^What:\s+(\S+)', line)
                if not m:
                    continue
                what = m.group(1).rstrip('/')
                rx = ''
                for part in re.split(r'(<[^>]+>|\.\.\.)', what):
                    if part == '...':
                        rx += '.*'
                    elif part.startswith('<'):
                        rx += '[^/]+'
                    else:
                        rx += re.escape(part)
                pats.append((what, re.compile(rx + '/?$')))
    return pats


def main():
    pats = patterns(sys.argv[1:])
    if not pats:
        print('abi_match: no What: entries', file=sys.stderr)
        return 2
    missing = [p.strip() for p in sys.stdin
               if p.strip() and not any(rx.match(p.strip()) for _, rx in pats)]
    for p in missing:
        print(p)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
