#!/usr/bin/python3
"""tests/bpf/stackcheck.py OBJ... -- the combined BPF stack of every
program against Linux 6.1's limit (TAP).

Before 6.13 (private stacks) the verifier adds up the stack of every
frame of a call chain, each rounded up to 32 bytes, and refuses a
program whose deepest chain exceeds 512 bytes ("combined stack size of N
calls is M. Too large").  This reads the objects with llvm-objdump: a
function's stack is its deepest r10 offset, its calls are the BPF-to-BPF
calls with a relocation to a function symbol; one TAP line per object
names its deepest chain.
"""
import functools
import re
import subprocess
import sys

LIMIT = 512
HEAD = re.compile(r'^[0-9a-f]+ <([\w.]+)>:')
R10 = re.compile(r'r10 - (0x[0-9a-f]+|[0-9]+)\)')
CALL = re.compile(r'\bcall -?(0x[0-9a-f]+|[0-9]+)$')
RELO = re.compile(r'R_BPF_64_32\s+([\w.]+)')


def frames(obj):
    out = subprocess.run(['llvm-objdump', '-dr', '--no-show-raw-insn', obj],
                         capture_output=True, text=True, check=True).stdout
    stack, calls, progs = {}, {}, set()
    cur, section, call = None, None, False
    for line in out.splitlines():
        if line.startswith('Disassembly of section '):
            section = line[len('Disassembly of section '):].rstrip(':')
            continue
        m = HEAD.match(line)
        if m:
            if not m.group(1).startswith(('LBB', '.L')):
                cur = m.group(1)
                stack[cur], calls[cur] = 0, set()
                if section != '.text':
                    progs.add(cur)
            continue
        if cur is None:
            continue
        for m in R10.finditer(line):
            stack[cur] = max(stack[cur], int(m.group(1), 0))
        if CALL.search(line.strip()):
            call = True
            continue
        m = RELO.search(line)
        if m and call:
            calls[cur].add(m.group(1))
        call = False
    return stack, calls, progs


def main():
    n = fails = 0
    for obj in sys.argv[1:]:
        stack, calls, progs = frames(obj)

        @functools.lru_cache(None)
        def depth(f):
            best = (0, ())
            for c in calls.get(f, ()):
                if c in stack:
                    best = max(best, depth(c))
            return ((stack[f] + 31) // 32 * 32 + best[0], (f,) + best[1])

        worst = max((depth(p) for p in progs), default=(0, ()))
        n += 1
        ok = worst[0] <= LIMIT
        fails += not ok
        print('%s %d - %s: combined stack %d <= %d (%s)' % (
            'ok' if ok else 'not ok', n, obj, worst[0], LIMIT,
            ' > '.join(worst[1])))
    print('1..%d' % n)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
