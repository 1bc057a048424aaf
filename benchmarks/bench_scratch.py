"""The from-scratch view's fits: each way's time a step, and what a change of η waits for.

A change of gradient descent's learning rate computes the four ways afresh (2,000 steps by
default): the first three ways (``scratch.fit_plain``) and torch.optim's (``scratch.fit_optim``).
The naive way runs them one after the other in one worker; the app's way (pages/ui.py) hands
them to two niced workers at once, so the change waits for the longer part only. Workers are
started the app's way (``jobs.start_pool``) and warmed up before timing.

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

    def change(pool, lr: float, together: bool) -> float:
        start = time.perf_counter()
        optim = pool.submit(scratch.fit_optim, "sine", lr, STEPS, "sgd")
        if not together:
            optim.result()
        pool.submit(scratch.fit_plain, "sine", lr, STEPS).result()
        optim.result()
        return time.perf_counter() - start

    times = {}
    for name, workers, together in (("one worker, in turn", 1, False), ("two at once", 2, True)):
        with jobs.start_pool(workers, jobs.init_background, jobs.warm) as pool:
            for _ in range(workers):  # wait until every worker is up and warm
                pool.submit(jobs.warm).result()
            times[name] = min(change(pool, 1e-6 + k * 1e-8, together) for k in range(3))
    naive, fast = times["one worker, in turn"], times["two at once"]
    row(
        f"η change, {STEPS:,} steps, four ways",
        f"{fast:.2f} s",
        f"< {BUDGET:g} s",
        fast < BUDGET,
        f"in turn in one worker: {naive:.2f} s ({naive / fast:.1f}× longer)",
    )
    return 0 if fast < BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
