#!/usr/bin/python3
"""tests/sinks/dnsq.py -- one DNS query over UDP, stdlib only.

    dnsq.py NAME SERVER PORT [TYPE]     (TYPE: A, the default, or AAAA/TXT)
    dnsq.py --free-port                 print a port free for UDP and TCP

Prints "rcode=N" and one "A x.x.x.x" line per address; exit 0 on an
answer (any rcode), 1 on timeout.
"""
import random
import socket
import struct
import sys

TYPES = {"A": 1, "AAAA": 28, "TXT": 16}


def free_port():
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            t.close()
        u.close()
        return port
    raise SystemExit("no free port")


def skip_name(buf, off):
    while True:
        n = buf[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def query(name, server, port, qtype):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    q += b"\0" + struct.pack(">HH", TYPES[qtype], 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    s.sendto(q, (server, port))
    try:
        buf, _ = s.recvfrom(4096)
    except socket.timeout:
        print("timeout")
        return 1
    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", buf[:12])
    print("rcode=%d" % (flags & 0xF))
    off = 12
    for _ in range(qd):
        off = skip_name(buf, off) + 4
    for _ in range(an):
        off = skip_name(buf, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", buf[off:off + 10])
        off += 10
        rdata = buf[off:off + rdlen]
        off += rdlen
        if rtype == 1:
            print("A " + socket.inet_ntop(socket.AF_INET, rdata))
        elif rtype == 28:
            print("AAAA " + socket.inet_ntop(socket.AF_INET6, rdata))
    return 0


def main():
    if sys.argv[1:] == ["--free-port"]:
        print(free_port())
        return 0
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    qtype = sys.argv[4] if len(sys.argv) == 5 else "A"
    return query(sys.argv[1], sys.argv[2], int(sys.argv[3]), qtype)


if __name__ == "__main__":
    sys.exit(main())
