"""The budget's estimates against measured CPU time (playground.budget), in one run.

Each costly request is estimated from its settings before it starts and refused over the
budget; an estimate far below the truth would let a request run to the workers' hard cap
(1.5 × the budget), one far above would refuse what fits. This prints, for settings of every
kind, the estimate, the CPU seconds measured here (one torch thread, as in a worker) and their
ratio. The "naive way" beside it is no estimate at all: the issue's largest lab run (about 69 h)
would have started.

Run: .venv/bin/python benchmarks/bench_budget.py
"""

from __future__ import annotations

import sys
import time

import numpy as np
import torch
from _util import machine

from playground import budget, convnet, data, digits, landscapes, runs, training
from playground.convnet import NetConfig
from playground.digits import DigitsConfig
from playground.optimizers import RunSpec
from playground.training import TrainConfig

torch.set_num_threads(1)


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def lab_cases():
    for n, config in (
        (200, TrainConfig(epochs=300)),
        (200, TrainConfig(epochs=30, batch_size=1)),
        (2000, TrainConfig(epochs=20, depth=6, width=256, batch_size=32)),
        (2000, TrainConfig(epochs=10, depth=4, width=128)),
    ):
        split = data.make_task(data.TaskConfig(n=n))
        held = len(split.val) + len(split.test)
        est = budget.lab(len(split.train), held, 1, 1, config)
        name = f"lab n={n} {config.depth}×{config.width} batch {config.batch_size or 'full'}"
        yield name, est.seconds, cpu(lambda s=split, c=config: training.run(s, c))


def net_cases():
    for scale, config in ((2, NetConfig(epochs=2)), (1, NetConfig(epochs=1, batch_size=4))):
        d = digits.load(DigitsConfig(scale=scale))
        est = budget.convnet(d.size, len(d.train), len(d.val) + len(d.test), config)
        name = f"ConvNet {d.size}×{d.size} batch {config.batch_size}"
        yield (
            name,
            est.seconds,
            cpu(lambda d=d, c=config: training.run(d, c, trainer=convnet.train)),
        )


def landscape_cases():
    from playground import landscape_runs as lr

    lenet_params, lenet_macs = budget.lenet_costs(lr.DEFAULT_DIGITS.size, lr.LENET)
    for source, config in (
        (lr.DEFAULT_TASK, lr.LandscapeConfig(epochs=100)),
        (
            lr.DEFAULT_TASK,
            lr.LandscapeConfig(epochs=30, runs=(lr.Run.parse("sgd:lr=0.1;batch=1"),)),
        ),
        (lr.DEFAULT_DIGITS, lr.LandscapeConfig(model="lenet", epochs=10)),
    ):
        p = lr.problem(source, config.loss)
        if config.model == "lenet":
            work = lenet_params + lenet_macs
        else:
            work = sum(q.numel() for q in lr.build(config, source).parameters())
        est = budget.landscape(len(p.x), len(p.x_val), work, config)
        name = f"landscape {config.model}, {len(config.runs)} runs × {config.epochs} epochs"
        yield name, est.seconds, cpu(lambda s=source, c=config: list(lr.train(s, c)))


def surface_cases():
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(r) for r in land.race]
    yield (
        f"race on Rosenbrock, {len(contestants)} runs × 1,000 steps",
        budget.race(1000, len(contestants), land.terms).seconds,
        cpu(lambda: runs.race(land, contestants, runs.RaceConfig(land.start, 1000))),
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=100_000)
    land = landscapes.get("regression_mae", None, (x, 2 * x + 1 + rng.normal(size=x.size)))
    run = RunSpec.parse("sgd:lr=0.01")
    yield (
        "race on MAE N=100,000, 3 runs × 100 steps",
        budget.race(100, 3, land.terms).seconds,
        cpu(lambda: runs.race(land, [run] * 3, runs.RaceConfig(land.start, 100))),
    )
    xy = rng.normal(size=(300, 2))
    yield (
        "Hessians on MAE N=100,000, 300 points",
        budget.hessians(300, land.terms).seconds,
        cpu(lambda: land.hessian_eigenvalues(xy)),
    )
    yield (
        "basin map on MAE N=100,000, 6×6 × 20 steps",
        budget.basin(6, 20, land.terms).seconds,
        cpu(lambda: runs.basin_map(land, run, 6, 20)),
    )


def main() -> int:
    print(f"# {machine()}")
    print(f"# budget {budget.BUDGET_SECONDS:g} CPU s a request; workers end one at {budget.CAP}×")
    training.warm_worker()  # torch's one-off costs, paid before a worker takes requests
    print(f"{'request':<48} {'estimate s':>10} {'measured s':>10} {'estimate/measured':>18}")
    ratios = []
    for name, est, took in (*lab_cases(), *net_cases(), *landscape_cases(), *surface_cases()):
        ratios.append(est / took)
        print(f"{name:<48} {est:>10.2f} {took:>10.2f} {est / took:>18.2f}")
    low, high = min(ratios), max(ratios)
    ok = low >= 1 / budget.CAP and high <= 4
    print(f"estimate/measured from {low:.2f} to {high:.2f}: never below 1/{budget.CAP}", end=" ")
    print("(a run the budget admits ends before the cap), at most 4× (what fits is not refused):")
    print("OK" if ok else "MISS")
    big = TrainConfig(depth=6, width=256, epochs=5000, batch_size=1)
    est = budget.lab(3750, 1250, 2, 2, big)
    hours = est.seconds / 3600
    print(f"the naive way, no estimate: the issue's lab run would have started ({hours:.0f} h)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
