"""Side-by-side flow-log aggregation benchmark (BENCHMARKS.md): servicemesh
flows against DuckDB's GROUP BY over the same files, alternating, each run
timed (wall clock) and its peak RSS read from the kernel (wait4 ru_maxrss).

usage: bench.py RUNS SERVICEMESH DUCKDB_PYTHON FILE...
"""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    runs, ours, python, files = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    commands = {
        "servicemesh flows": [ours, "flows"] + files,
        "duckdb 2.0.0": [python, os.path.join(HERE, "duckdb_aggregate.py"), "count"] + files,
    }
    results = {name: [] for name in commands}
    for i in range(runs):
        for name, argv in commands.items():
            before = os.times()
            start = time.monotonic()
            pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/tmp/bench-out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)])
            _, status, usage = os.wait4(pid, 0)
            wall = time.monotonic() - start
            if status != 0:
                sys.exit(f"{name} failed: status {status}")
            out = open("/tmp/bench-out").read().strip()
            results[name].append((wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime))
            print(f"run {i + 1} {name}: {wall:.2f} s wall, {usage.ru_utime + usage.ru_stime:.2f} s CPU, {usage.ru_maxrss / 1024:.0f} MB peak RSS; {out}", flush=True)
    print()
    print("| program | median wall | median CPU | median peak RSS |")
    print("|---|---:|---:|---:|")
    for name, rs in results.items():
        print(f"| {name} | {statistics.median(r[0] for r in rs):.2f} s | {statistics.median(r[2] for r in rs):.2f} s | {statistics.median(r[1] for r in rs):.0f} MB |")


main()
