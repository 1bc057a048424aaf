"""Benchmark of the fair race and of schedules, each against the naive way in the same run:

* the fair race for 5 optimizers × 20 learning rates × 100 starts × 300 steps on Rosenbrock
  (budget 3 s): one torch.optim instance per optimizer, all (η, start) pairs at once, against
  one loop per (η, start) (a race of one run), timed on a sample of pairs and scaled;
* a race of 5 runs × 500 steps with a cosine schedule on every run against the same race
  without (budget: under 20 % more).

Run: make bench   (or .venv/bin/python benchmarks/bench_fair.py)
"""

from __future__ import annotations

import sys
import time

import torch
from _util import best_of, machine, row

from playground import fair, landscapes, runs
from playground.optimizers import RunSpec

torch.set_num_threads(1)
NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adam")


def main() -> int:
    print(f"machine: {machine()}")
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(n) for n in NAMES]
    config = fair.FairConfig(rates=20, starts=100, steps=300)
    fair.fair_race(land, contestants[:1], fair.FairConfig(rates=2, starts=2, steps=2))  # warm-up
    start = time.perf_counter()
    fair.fair_race(land, contestants, config)
    fast = time.perf_counter() - start
    starts = fair.starts_in(land.window, config.starts, config.seed)
    sample = [(o, k, s) for o in range(5) for k in (0, 10, 19) for s in (0, 50)]  # 30 pairs
    start = time.perf_counter()
    for o, k, s in sample:
        run = RunSpec(NAMES[o], (("lr", float(config.grid[k])),))
        runs.race(land, [run], runs.RaceConfig(tuple(starts[s]), config.steps))
    pairs = 5 * config.rates * config.starts
    slow = (time.perf_counter() - start) / len(sample) * pairs
    ok = fast < 3
    row("fair race 5 × 20 η × 100 starts × 300 steps", f"{fast:.2f} s", "< 3 s", ok,
        f"a loop per pair {slow:.0f} s, ×{slow / fast:.0f}")  # fmt: skip
    plain = [RunSpec.parse(f"{n}:lr=0.001") for n in NAMES]
    scheduled = [RunSpec.parse(f"{n}:lr=0.001@cosine") for n in NAMES]
    race = runs.RaceConfig(land.start, 500)
    base = best_of(lambda: runs.race(land, plain, race), 5)
    with_schedule = best_of(lambda: runs.race(land, scheduled, race), 5)
    extra = with_schedule / base - 1
    ok2 = extra < 0.2
    row("race 5 × 500 steps, a cosine schedule each", f"{with_schedule * 1000:.0f} ms",
        "< +20 %", ok2, f"without {base * 1000:.0f} ms, {extra:+.0%}")  # fmt: skip
    return 0 if ok and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
