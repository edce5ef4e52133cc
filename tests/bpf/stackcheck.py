#!/usr/bin/python3
"""tests/bpf/stackcheck.py OBJ... -- the combined BPF stack of every
program against Linux 6.1's limit (TAP).

Before 6.13 (private stacks) the verifier adds up the stack of every
frame of a call chain, each rounded up to 32 bytes, and refuses a
program whose deepest chain exceeds 512 bytes ("combined stack size of N
calls is M. Too large").  This reads the objects with llvm-objdump: a
function's stack is its deepest r10 offset, its calls are the BPF-to-BPF
calls with a relocation to a function symbol; one TAP line per object
names its deepest chain.  A second line per object checks the longest
chain of frames against the verifier's limit of 8 (MAX_CALL_FRAMES: the
program and 7 nested calls), which a frame of any size counts toward.
A callback handed to a helper (bpf_loop: `rN = OFFSET ll` with a
relocation to .text) is a frame of its caller's chain as well.
"""
import functools
import re
import subprocess
import sys

LIMIT = 512
FRAMES = 8
HEAD = re.compile(r'^[0-9a-f]+ <([\w.]+)>:')
R10 = re.compile(r'r10 - (0x[0-9a-f]+|[0-9]+)\)')
CALL = re.compile(r'\bcall -?(0x[0-9a-f]+|[0-9]+)$')
RELO = re.compile(r'R_BPF_64_32\s+([\w.]+)')
FUNC = re.compile(r'R_BPF_64_64\s+\.text$')
LDIMM = re.compile(r'\br\d+ = (0x[0-9a-f]+|[0-9]+) ll$')


def frames(obj):
    out = subprocess.run(['llvm-objdump', '-dr', '--no-show-raw-insn', obj],
                         capture_output=True, text=True, check=True).stdout
    stack, calls, progs = {}, {}, set()
    text, refs = {}, []
    cur, section, call, imm = None, None, False, None
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
                else:
                    text[int(line.split()[0], 16)] = cur
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
        if FUNC.search(line) and imm is not None:
            refs.append((cur, imm))
        m = LDIMM.search(line.strip())
        imm = int(m.group(1), 0) if m else None
        call = False
    for f, off in refs:
        if off in text:
            calls[f].add(text[off])
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

        @functools.lru_cache(None)
        def chain(f):
            best = ()
            for c in calls.get(f, ()):
                if c in stack and len(chain(c)) > len(best):
                    best = chain(c)
            return (f,) + best

        worst = max((depth(p) for p in progs), default=(0, ()))
        n += 1
        ok = worst[0] <= LIMIT
        fails += not ok
        print('%s %d - %s: combined stack %d <= %d (%s)' % (
            'ok' if ok else 'not ok', n, obj, worst[0], LIMIT,
            ' > '.join(worst[1])))
        longest = max((chain(p) for p in progs), key=len, default=())
        n += 1
        ok = len(longest) <= FRAMES
        fails += not ok
        print('%s %d - %s: call chain of %d frames <= %d (%s)' % (
            'ok' if ok else 'not ok', n, obj, len(longest), FRAMES,
            ' > '.join(longest)))
    print('1..%d' % n)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
