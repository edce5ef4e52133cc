#!/usr/bin/env python3
# tests/lib/sdlisten.py SOCKET LOG [ON_READY]: the service manager's end of
# the sd_notify protocol for the tests.  Binds a datagram socket at SOCKET
# ("@name": abstract) and appends one line per datagram to LOG:
#   SEQ <tab> ALIVE <tab> MESSAGE (newlines as '|')
# ALIVE is '-' until a datagram X-TEST-WATCH=PID arrives (the test sends it
# itself), then 1 or 0: whether process PID still existed (not a zombie)
# when the datagram was received.  On the first READY=1, ON_READY (a shell
# script) runs to completion before the next datagram is read, so what it
# records is the state at the moment READY=1 arrived.
import os
import socket
import subprocess
import sys


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def main():
    path, log = sys.argv[1], sys.argv[2]
    on_ready = sys.argv[3] if len(sys.argv) > 3 else None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + path[1:] if path.startswith("@") else path)
    watch, seq, ready = None, 0, False
    with open(log, "a", buffering=1) as out:
        while True:
            msg = s.recv(65536).decode("utf-8", "replace")
            seq += 1
            if msg.startswith("X-TEST-WATCH="):
                watch = int(msg.split("=", 1)[1])
            state = "-" if watch is None else str(int(alive(watch)))
            out.write("%d\t%s\t%s\n" % (seq, state, msg.replace("\n", "|")))
            if on_ready and not ready and "READY=1" in msg.split("\n"):
                ready = True
                subprocess.run(["sh", on_ready], check=False)


main()
