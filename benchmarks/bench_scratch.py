"""The from-scratch view's fits: each way's time a step, and what a change of η waits for.

A change of gradient descent's learning rate computes the four ways afresh (2,000 steps by
default). The naive way runs them one after the other in one worker, and the student sees
nothing until all are done. The app's way (pages/background.py ``scratch_fits``) shows numpy's
way as soon as a quick worker has it (``scratch.fit_ways(..., ("hand",))``) and trains the torch
ways in two niced workers at once, the two autograd ways (``fit_ways``) beside torch.optim's
(``fit_optim``). Workers are started the app's way (``jobs.start_pool``) and warmed up before
timing.

Run: make bench   (or .venv/bin/python benchmarks/bench_scratch.py)
"""

from __future__ import annotations

import sys
import time

import torch
from _util import best_of, machine, row

from playground import jobs, scratch

STEPS = 2_000
BUDGET = 2.0  # seconds: the load test's 95th percentile, for one student on an idle server


def main() -> int:
    print(f"machine: {machine()}")
    torch.set_num_threads(1)
    x, y = scratch.PROBLEMS["sine"].data()
    for key, way in scratch.WAYS.items():
        t = best_of(lambda w=way: w(x, y, 3, 1e-6, 500), 3) / 500
        print(f"{'one step, ' + key:<44} {t * 1e3:>9.3f} ms")

    def in_turn(pool, lr: float) -> float:
        start = time.perf_counter()
        pool.submit(scratch.fit_ways, "sine", lr, STEPS).result()
        pool.submit(scratch.fit_optim, "sine", lr, STEPS, "sgd").result()
        return time.perf_counter() - start

    def in_parts(quick, long, lr: float) -> tuple[float, float]:
        start = time.perf_counter()
        optim = long.submit(scratch.fit_optim, "sine", lr, STEPS, "sgd")
        autograd = long.submit(scratch.fit_ways, "sine", lr, STEPS, ("autograd", "module"))
        quick.submit(scratch.fit_ways, "sine", lr, STEPS, ("hand",)).result()
        first = time.perf_counter() - start
        optim.result()
        autograd.result()
        return first, time.perf_counter() - start

    def warm(pool, workers: int):
        for _ in range(workers):  # wait until every worker is up and warm
            pool.submit(jobs.warm).result()
        return pool

    with warm(jobs.start_pool(1, jobs.init_background, jobs.warm), 1) as pool:
        naive = min(in_turn(pool, 1e-6 + k * 1e-8) for k in range(3))
    with (
        warm(jobs.start_pool(2, jobs.init, jobs.warm), 2) as quick,
        warm(jobs.start_pool(2, jobs.init_background, jobs.warm), 2) as long,
    ):
        timed = [in_parts(quick, long, 1e-6 + k * 1e-8) for k in range(3)]
    first, fast = min(t[0] for t in timed), min(t[1] for t in timed)
    row(
        f"η change, {STEPS:,} steps: numpy's way shown",
        f"{first * 1e3:.0f} ms",
        "—",
        True,
        f"nothing until all four in turn in one worker: {naive:.2f} s ({naive / first:.0f}×)",
    )
    row(
        f"η change, {STEPS:,} steps: all four ways",
        f"{fast:.2f} s",
        f"< {BUDGET:g} s",
        fast < BUDGET,
        f"in turn in one worker: {naive:.2f} s ({naive / fast:.1f}× longer)",
    )
    return 0 if fast < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
