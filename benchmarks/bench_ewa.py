"""Benchmark of the EWA: a 10⁶-sample series, against a direct Python loop in the same run.

Run: make bench   (or .venv/bin/python benchmarks/bench_ewa.py)
"""

from __future__ import annotations

import sys

import numpy as np
from _util import best_of, machine, row

from playground import ewa


def loop(x: np.ndarray, beta: float) -> np.ndarray:
    out, v = np.empty(len(x)), 0.0
    for i, value in enumerate(x.tolist()):
        v = beta * v + (1 - beta) * value
        out[i] = v
    return out


def main() -> int:
    print(f"machine: {machine()}")
    x = np.random.default_rng(0).normal(size=1_000_000)
    ok = True
    naive = best_of(lambda: loop(x, 0.9), 2)
    for beta in (0.01, 0.5, 0.9, 0.98, 0.999):
        fast = best_of(lambda b=beta: ewa.ewa(x, b))
        row(
            f"EWA of 10⁶ samples, β = {beta:g}",
            f"{fast * 1e3:.1f} ms",
            "< 50 ms",
            fast < 0.05,
            f"Python loop: {naive * 1e3:.0f} ms ({naive / fast:.0f}× slower)",
        )
        ok &= fast < 0.05
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
