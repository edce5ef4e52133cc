#!/usr/bin/python3
"""Check BPF objects against the CFG rule of Linux 6.1's verifier.

Before 6.3, check_cfg() accepts a back edge only from a jump: an ordinary
instruction (or a call) that falls through into an instruction still on
the DFS stack is "back-edge from insn X to Y" and the load fails, though
newer kernels load the same object.  clang emits that shape when a loop's
last instruction is a load and the loop head is laid out after it.  This
walks every function of each object in llvm-objdump's disassembly the way
check_cfg() does and prints TAP: one line per object.

usage: cfgcheck.py OBJ...
"""
import re
import subprocess
import sys


def functions(obj):
    out = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", obj],
                         capture_output=True, text=True, check=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(\S+)>:", line)
        if m:
            if not m.group(1).startswith("LBB"):
                cur = m.group(1)
                funcs[cur] = []
            continue
        m = re.match(r"^\s*(\d+):\s+(.*)$", line)
        if m and cur is not None:
            funcs[cur].append((int(m.group(1)), m.group(2).strip()))
    return funcs


def bad_edges(ins):
    index = {pc: i for i, (pc, _) in enumerate(ins)}

    def succ(i):
        pc, text = ins[i]
        nxt = i + 1 if i + 1 < len(ins) else None
        if text.startswith("exit"):
            return []
        m = re.match(r"^if .* goto ([+-]\d+)", text)
        if m:
            return [(nxt, True), (index.get(pc + 1 + int(m.group(1))), True)]
        m = re.match(r"^goto ([+-]\d+)", text)
        if m:
            return [(index.get(pc + 1 + int(m.group(1))), True)]
        return [(nxt, False)]   # ALU, load, store, call: no back edge

    found = []
    state = [0] * len(ins)
    if not ins:
        return found
    state[0] = 1
    stack = [(0, iter(succ(0)))]
    while stack:
        i, it = stack[-1]
        try:
            w, loop_ok = next(it)
        except StopIteration:
            state[i] = 2
            stack.pop()
            continue
        if w is None:
            continue
        if state[w] == 0:
            state[w] = 1
            stack.append((w, iter(succ(w))))
        elif state[w] == 1 and not loop_ok:
            found.append((ins[i][0], ins[w][0], ins[i][1]))
    return found


def main():
    objs = sys.argv[1:]
    print("1..%d" % len(objs))
    fail = 0
    for n, obj in enumerate(objs, 1):
        bad = []
        for name, ins in functions(obj).items():
            bad += [(name,) + b for b in bad_edges(ins)]
        if bad:
            fail += 1
            print("not ok %d - %s: 6.1 verifier would refuse" % (n, obj))
            for name, a, b, text in bad:
                print("# %s: fallthrough back edge %d -> %d (%s)"
                      % (name, a, b, text))
        else:
            print("ok %d - %s: no fallthrough back edge (6.1 CFG rule)"
                  % (n, obj))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
