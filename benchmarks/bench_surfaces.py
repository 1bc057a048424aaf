"""Benchmark of the loss-surface view: surfaces and the size of the animation.

Run: make bench   (or .venv/bin/python benchmarks/bench_surfaces.py)
Prints each figure, its budget, and its ratio to the naive way measured in the same run.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import plotly.graph_objects as go
import torch
from _util import best_of, machine, row

from playground import data, figures, runs, surfaces

torch.set_num_threads(1)


def naive_animation(grid, z, traj) -> go.Figure:
    """The naive way: every frame redraws the whole path so far, in float64."""
    fig = go.Figure([go.Contour(x=grid.w, y=grid.b, z=z), go.Scatter(x=traj.w[:1], y=traj.b[:1])])
    fig.frames = [
        go.Frame(
            data=[
                go.Contour(x=grid.w, y=grid.b, z=z),
                go.Scatter(x=traj.w[: k + 1], y=traj.b[: k + 1]),
            ],
            name=str(k),
        )
        for k in range(0, traj.steps + 1, 25)
    ]
    return fig


def main() -> int:
    print(f"machine: {machine()}")
    ds = data.noisy_line(0.1, 0.2, 0.01, 100_000, seed=0)
    x, y = ds.x, ds.y
    grid = surfaces.Grid(-1.0, 1.0, -1.0, 1.0, 401)
    ok = True

    fast = best_of(lambda: surfaces.mse_surface(x, y, grid))
    rows = 8  # the naive broadcast is timed on 8 of the 401 rows of b and scaled up
    part = surfaces.Grid(grid.w_min, grid.w_max, grid.b_min, grid.b_max, grid.n)
    naive_rows = best_of(
        lambda: [np.mean((part.w[:, None] * x + b - y) ** 2, axis=1) for b in part.b[:rows]],
        repeat=2,
    )
    naive = naive_rows * grid.n / rows
    row(
        "MSE surface 401×401, N=100,000",
        f"{fast * 1e3:.1f} ms",
        "< 50 ms",
        fast < 0.05,
        f"naive ≈ {naive:.1f} s ({naive / fast:,.0f}× slower)",
    )
    ok &= fast < 0.05

    fast = best_of(lambda: surfaces.mae_surface(x, y, grid), repeat=3)
    naive_rows = best_of(
        lambda: [np.mean(np.abs(part.w[:, None] * x + b - y), axis=1) for b in part.b[:rows]],
        repeat=2,
    )
    naive = naive_rows * grid.n / rows
    row(
        "MAE surface 401×401, N=100,000",
        f"{fast * 1e3:.0f} ms",
        "< 1 s",
        fast < 1.0,
        f"naive ≈ {naive:.1f} s ({naive / fast:,.0f}× slower)",
    )
    ok &= fast < 1.0

    exact = best_of(lambda: surfaces.least_absolute(x, y), repeat=3)
    lp = best_of(lambda: surfaces._lad_linprog(x - x.mean(), y - y.mean()), repeat=2)
    row(
        "MAE minimum (exact), N=100,000",
        f"{exact * 1e3:.0f} ms",
        "< 0.5 s",
        exact < 0.5,
        f"the LP solved by HiGHS ≈ {lp:.2f} s ({lp / exact:,.1f}× slower)",
    )
    ok &= exact < 0.5

    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, 500))
    z = surfaces.mse_surface(x, y, grid)
    fig = figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y)
    size = len(fig.to_json())
    naive = naive_animation(grid, z, traj)
    naive_size = len(naive.to_json()) * 25  # it holds every 25th frame: scale to 500
    row(
        "500-step animation, figure JSON",
        f"{size / 1e6:.2f} MB",
        "< 1 MB",
        size < 1e6,
        f"naive (whole path + surface per frame) ≈ {naive_size / 1e6:,.0f} MB "
        f"({naive_size / size:,.0f}× larger)",
    )
    ok &= size < 1e6
    print(json.dumps({"frames": len(fig.frames), "steps": traj.steps}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
