"""A full garbage collection in a process that holds what the server holds, before and after
``playground.heap.settle``.

The server imports Streamlit, torch, pandas and plotly and keeps the figures it has built in its
caches; every few seconds of a class's reruns, Python's cycle collector walks all of it with the
GIL held, and every session waits. The naive way is Python's default (every object walked); the
settled way freezes what was loaded once (``gc.freeze`` after a collection), as the server does
after each view's first run and a worker after its warm-up.

Run: .venv/bin/python benchmarks/bench_gc.py
"""

from __future__ import annotations

import gc
import sys
import time

import numpy as np
import pandas  # noqa: F401  (the server's imports)
import plotly.graph_objects  # noqa: F401
import streamlit  # noqa: F401
import torch  # noqa: F401
from _util import machine, row

from playground import heap, landscapes, runs
from playground.figures import race as rf
from playground.optimizers import RunSpec

MIN_SPEEDUP = 3.0  # a settled collection must take at most a third of the naive one


def full_collection(repeat: int = 5) -> float:
    """Best of ``repeat`` full collections, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        gc.collect()
        best = min(best, time.perf_counter() - start)
    return best


def race_figures(n: int) -> list:
    """``n`` race figures of 5 runs × 1,000 steps, as the server's caches hold them."""
    land = landscapes.get("saddle")
    xs, ys = land.axes(151)
    z = land.grid(151)
    specs = [RunSpec.parse(r) for r in land.race]
    figures = []
    for k in range(n):
        config = runs.RaceConfig((1.0, 0.001 * (k + 1)), 1000)
        paths = runs.race(land, specs, config)
        labels = [f"{i + 1}. {s.label('en')}" for i, s in enumerate(specs)]
        empty = np.zeros((0, 2))
        figures.append(
            rf.race_animation(xs, ys, z, [p.xy for p in paths], labels, empty, empty, False, "en")
        )
    return figures


def main() -> int:
    print(f"# {machine()}")
    kept = race_figures(8)  # the caches' entries at the end of the warm-up
    later = race_figures(8)  # and those a class adds afterwards: both measures hold all 16
    naive_objects, naive = heap.walked(), full_collection()
    del later
    gc.collect()
    heap.settle()  # as the server does once its views have run
    later = race_figures(8)
    settled_objects, settled = heap.walked(), full_collection()
    ratio = naive / max(settled, 1e-9)
    row("objects a full collection walks", f"{naive_objects:,} → {settled_objects:,}", "", True)
    row(
        "one full collection (the GIL held)",
        f"{1000 * naive:.0f} ms → {1000 * settled:.0f} ms",
        f"≥ {MIN_SPEEDUP:g}× less",
        ratio >= MIN_SPEEDUP,
        f"×{ratio:.0f}",
    )
    del kept, later
    return 0 if ratio >= MIN_SPEEDUP else 1


if __name__ == "__main__":
    sys.exit(main())
