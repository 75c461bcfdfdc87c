"""How fast arrays cross between the grader and a sandboxed student process (grading.wire).

    python benchmarks/wire_speed.py [--entries 1000000] [--trips 10]

A forked echo process stands in for the student's: each round trip sends a message with two
float64 arrays of `--entries` entries and reads the same message back, as a hidden check sends
the inputs of a large case and reads the gradients back. It prints the throughput (bytes carried
each way, per second) over Linux's default 64 KiB pipes and over the 1 MiB pipes the grader asks
for (`wire.widen_pipe`), best of three runs each.
"""
import argparse
import fcntl
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grading import wire  # noqa: E402


def throughput(arrays, trips, widen):
    """Bytes per second carried each way, best of three runs of `trips` round trips."""
    to_echo, from_grader = os.pipe()
    from_echo, to_grader = os.pipe()
    if widen:
        wire.widen_pipe(from_grader)
        wire.widen_pipe(to_grader)
    pipe_bytes = fcntl.fcntl(from_grader, fcntl.F_GETPIPE_SZ)
    child = os.fork()
    if child == 0:  # the echo: every message straight back, until the grader closes its end
        os.close(from_grader)
        os.close(from_echo)
        while True:
            try:
                header, received = wire.recv(to_echo)
            except wire.WireError:
                os._exit(0)
            wire.send(to_grader, header, received)
    os.close(to_echo)
    os.close(to_grader)
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(trips):
            wire.send(from_grader, {"op": "call"}, arrays, deadline=time.monotonic() + 60)
            wire.recv(from_echo, deadline=time.monotonic() + 60)
        best = max(best, trips * sum(a.nbytes for a in arrays) / (time.perf_counter() - started))
    os.close(from_grader)
    os.close(from_echo)
    os.waitpid(child, 0)
    return pipe_bytes, best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--trips", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(args.entries), rng.standard_normal(args.entries)]
    print(f"{args.trips} round trips of 2 arrays of {args.entries:,} float64 entries "
          f"({sum(a.nbytes for a in arrays) / 2**20:.0f} MiB each way)")
    rates = {}
    for widen in (False, True):
        pipe_bytes, rate = throughput(arrays, args.trips, widen)
        rates[widen] = rate
        print(f"pipes of {pipe_bytes // 1024:5d} KiB: {rate / 2**20:7.0f} MiB/s each way")
    print(f"widened pipes carry arrays {rates[True] / rates[False]:.1f}x as fast")


if __name__ == "__main__":
    main()
