"""Benchmark of PNG exports: ten at once, as a class pressing Export together.

Run: .venv/bin/python benchmarks/bench_png.py
Prints the wall time and the most browser processes seen, for the shared renderer
(export.to_png) and the naive way (plotly's to_image, a browser per picture), in the same run.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import numpy as np
from _util import machine, row, tree

from playground import figures
from playground.figures import export

PNG = bytes([0x89, 0x50, 0x4E, 0x47])


def browsers() -> int:
    """Chromium processes under this one."""
    count = 0
    for pid in tree(os.getpid()):
        try:
            with open(f"/proc/{pid}/comm") as fh:
                count += "chrom" in fh.read()
        except OSError:
            pass
    return count


def burst(render, n: int = 10) -> tuple[float, int, bool]:
    """``n`` pictures at once: seconds, peak browser processes, all of them PNGs."""
    fig = figures.data_figure(np.arange(10.0), np.arange(10.0) ** 2)
    peak, done, out = [0], [False], []

    def watch() -> None:
        while not done[0]:
            peak[0] = max(peak[0], browsers())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    threads = [threading.Thread(target=lambda: out.append(render(fig))) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    done[0] = True
    watcher.join()
    return seconds, peak[0], len(out) == n and all(b[:4] == PNG for b in out)


def main() -> int:
    print(f"machine: {machine()}")
    naive_s, naive_p, naive_ok = burst(lambda f: f.to_image(format="png", width=640, height=360))
    ours_s, ours_p, ours_ok = burst(export.to_png)
    ok = ours_ok and naive_ok and ours_p <= 12
    row(
        "10 PNG exports at once",
        f"{ours_s:.1f} s",
        "≤ 12 procs",
        ok,
        f"{ours_p} browser processes; a browser each: {naive_s:.1f} s, {naive_p} processes"
        f" ({naive_s / ours_s:.1f}× slower)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
