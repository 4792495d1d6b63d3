#!/usr/bin/env python3
"""Import benchmark: practices per second and peak memory of `zesummen import`.

It builds the release binary, imports the real corpus, exports its practices as JSON, and
generates files of 10,000 and 100,000 practices from them (each copy with its own id and
title, so every record is a new practice). Each file is imported into a fresh store by a
separate process, whose peak resident memory is read from the kernel (wait4).

The baseline, measured in the same run, is the 10,000-practice import: the 100,000 run is
printed as ratios against it (time per practice and peak memory), which is how growth shows.

Usage: python3 bench/import.py [--sizes 10000,100000] [--keep]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from corpus import BIN, build, copies, corpus_practices, write_practices


def measure(args):
    """Runs a command; returns (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    build()
    work = tempfile.mkdtemp(prefix="zesummen-bench-")
    try:
        practices = corpus_practices(work)

        results = []
        for n in sizes:
            path = os.path.join(work, f"practices-{n}.json")
            write_practices(path, copies(practices, n))
            store = os.path.join(work, f"store-{n}")
            seconds, rss = measure([BIN, "--data-dir", store, "import", "--json", path])
            # Re-import: every record unchanged, nothing written.
            again, rss_again = measure([BIN, "--data-dir", store, "import", "--json", path])
            size_mib = os.path.getsize(path) / 2**20
            results.append((n, size_mib, seconds, rss, again, rss_again))

        print()
        print(f"{'practices':>10} {'file MiB':>9} {'import s':>9} {'per s':>9} {'peak MiB':>9}"
              f" {'re-import s':>12} {'peak MiB':>9}")
        for n, size, s, rss, again, rss_again in results:
            print(f"{n:>10} {size:>9.1f} {s:>9.2f} {n / s:>9.0f} {rss:>9.1f} {again:>12.2f}"
                  f" {rss_again:>9.1f}")
        if len(results) >= 2:
            base, last = results[0], results[-1]
            scale = last[0] / base[0]
            print()
            print(f"growth {base[0]} -> {last[0]} ({scale:.0f}x the practices):")
            print(f"  time            {last[2] / base[2]:6.2f}x  (linear would be {scale:.0f}x;"
                  f" time per practice {(last[2] / last[0]) / (base[2] / base[0]):.2f}x)")
            print(f"  peak memory     {last[3] / base[3]:6.2f}x")
            print(f"  re-import time  {last[4] / base[4]:6.2f}x")
    finally:
        if args.keep:
            print(f"files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
