"""Benchmark of the optimizer race: the race, one changed run, the basin map, figures sent.

Run: make bench   (or .venv/bin/python benchmarks/bench_race.py)
Prints each figure, its budget, and its ratio to the naive way measured in the same run.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import torch
from _util import best_of, machine, row

from playground import landscapes, runs
from playground.figures import export
from playground.figures import race as rf
from playground.optimizers import RunSpec

torch.set_num_threads(1)


def naive_loop(land, run, start, steps):
    """One optimizer, one point, zero_grad / backward / step: what a user would write."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = run.spec.build([p], dict(run.values))
    out = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        land.fn(p[0], p[1]).backward()
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out)


def main() -> int:
    print(f"machine: {machine()}")
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(t) for t in land.race]
    config = runs.RaceConfig((-1.5, 2.0), 500)
    runs.race(land, contestants, config)  # torch's one-off warm-up (the app does it at start)
    ok = True

    fast = best_of(lambda: runs.race(land, contestants, config))
    naive = best_of(lambda: [naive_loop(land, r, (-1.5, 2.0), 500) for r in contestants], 3)
    row(
        "race: 5 runs × 500 steps (Rosenbrock)",
        f"{fast * 1e3:.0f} ms",
        "< 300 ms",
        fast < 0.3,
        f"one loop per run: {naive * 1e3:.0f} ms ({naive / fast:.1f}× slower)",
    )
    ok &= fast < 0.3

    one = best_of(lambda: runs.race(land, contestants[-1:], config))
    row(
        "one run changed: recompute that run only",
        f"{one * 1e3:.0f} ms",
        "-",
        True,
        f"whole race again: {fast * 1e3:.0f} ms ({fast / one:.1f}× more)",
    )

    himmel = landscapes.get("himmelblau")
    adam = RunSpec.parse("adam:lr=0.05")
    runs.basin_map(himmel, adam, 10, 10)
    fast = best_of(lambda: runs.basin_map(himmel, adam, 100, 300), 3)
    xs, ys = himmel.axes(100)
    sample = [
        (float(xs[i]), float(ys[j]))
        for i, j in zip(range(0, 100, 10), range(0, 100, 10), strict=True)
    ]
    per_start = best_of(lambda: [naive_loop(himmel, adam, s, 300) for s in sample], 2) / len(sample)
    naive = per_start * 10_000
    row(
        "basin map: 10,000 starts × 300 steps (Adam)",
        f"{fast:.2f} s",
        "< 2 s",
        fast < 2.0,
        f"one loop per start ≈ {naive:.0f} s ({naive / fast:,.0f}× slower; 10 starts timed)",
    )
    ok &= fast < 2.0

    paths = runs.race(land, contestants, config)
    xs, ys = land.axes(151)
    z = land.grid(151)
    labels = [r.label() for r in contestants]
    minima = np.array([[1.0, 1.0]])
    figs = [
        rf.race_animation(xs, ys, z, [p.xy for p in paths], labels, minima, np.zeros((0, 2)), True),
        rf.race_3d(xs, ys, z, [p.xy for p in paths], [p.loss for p in paths], labels),
        rf.curves([p.loss for p in paths], labels, "loss", "f"),
        rf.curves([np.linalg.norm(p.grad, axis=1) for p in paths], labels, "grad", "g"),
        rf.curves(
            [p.loss for p in paths],
            labels,
            "hessian",
            "λ",
            log=False,
            dashed=[p.loss for p in paths],
        ),
    ]
    size = sum(len(f.to_json()) for f in figs)
    # The naive way: every frame repeats every path so far, in full float64 JSON.
    naive = sum(len(json.dumps([p.xy[: k + 1].tolist() for p in paths])) for k in range(501))
    row(
        "race view figures (5 runs × 500 steps), JSON",
        f"{size / 1e6:.2f} MB",
        "< 2 MB",
        size < 2e6,
        f"naive frames alone (whole paths each frame) {naive / 1e6:.0f} MB ({naive / size:.0f}×)",
    )
    ok &= size < 2e6

    # What a chart needs from each figure on every rerun: its specification as JSON (to_dict,
    # then to_json). The naive way converts it again each time; export.sent keeps it.
    naive = best_of(lambda: [export.to_send(fig) for fig in figs], 10)
    ours = best_of(lambda: [export.sent(fig) for fig in figs], 10)
    row(
        "race view figures sent again on a rerun",
        f"{ours * 1e3:.1f} ms",
        "< 10 ms",
        ours < 0.01,
        f"converted on every rerun {naive * 1e3:.1f} ms ({naive / ours:.1f}×)",
    )
    ok &= ours < 0.01

    # The saddle panel's Hessians along a 300-step path on the MAE over 100,000 data points,
    # each in a fresh process (its peak memory is its own): in batches, and all points at once.
    ours_mb, ours_s = hessian_peak(batched=True)
    naive_mb, naive_s = hessian_peak(batched=False)
    row(
        "Hessians, MAE of 100,000 points × 300 steps, peak",
        f"{ours_mb:,.0f} MB",
        "< 1,000 MB",
        ours_mb < 1000,
        f"all at once {naive_mb:,.0f} MB ({naive_mb / ours_mb:.1f}×);"
        f" {ours_s:.1f} s against {naive_s:.1f} s",
    )
    ok &= ours_mb < 1000
    return 0 if ok else 1


def _hessians(batched: bool, out) -> None:
    import resource
    import time

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 100_000)
    land = landscapes.get("regression_mae", data=(x, 2 * x + rng.normal(0, 1, x.shape)))
    if not batched:
        landscapes.HESSIAN_BATCH = 10**12  # one batch: every point at once
    xy = np.column_stack([np.linspace(-1, 3, 301), np.linspace(-2, 2, 301)])
    start = time.perf_counter()
    land.hessian_eigenvalues(xy)
    seconds = time.perf_counter() - start
    out.put((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, seconds))


def hessian_peak(batched: bool) -> tuple[float, float]:
    """Peak resident memory (MB) and time (s) of the Hessians in a fresh process."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_hessians, args=(batched, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


if __name__ == "__main__":
    sys.exit(main())
