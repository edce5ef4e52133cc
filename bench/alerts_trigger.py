#!/usr/bin/python3
"""bench/alerts_trigger.py -- policy hits for run_alerts_bench.sh.

    alerts_trigger.py DIR PREFIX N RATE OUT

N times symlinkat("/etc/passwd", dirfd(DIR), PREFIX<i>) (i = 0..N-1), at
RATE calls per second (0: as fast as possible), each file removed again
right after.  CLOCK_REALTIME is read just before each symlinkat and written
to OUT as "i ns" lines, so a sink's arrival time minus it is the latency
from the system call to the sink.
"""
import os
import sys
import time


def main():
    d, prefix, n, rate, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        float(sys.argv[4]), sys.argv[5]
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    ts = []
    start = time.monotonic()
    for i in range(n):
        if rate > 0:
            due = start + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
        name = "%s%d" % (prefix, i)
        t = time.time_ns()
        os.symlink("/etc/passwd", name, dir_fd=dfd)
        ts.append(t)
        os.unlink(name, dir_fd=dfd)
    with open(out, "w") as f:
        for i, t in enumerate(ts):
            f.write("%d %d\n" % (i, t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
