"""Benchmark of the landscape library (playground.landscape) and the view's runs, each against
the naive way in the same run:

* a 41 × 41 slice of a 2 × 64 MLP's loss on 200 points (budget 0.3 s): batched (functional_call
  under vmap, 256 grid points per call) against a Python loop that sets the weights and runs the
  model once per grid point;
* the sharpness of that MLP, 20 power iterations (budget 20 ms): Hessian–vector products against
  the full Hessian (torch.autograd.functional.hessian) and its top eigenvalue;
* a 31 × 31 slice of the default LeNet (6 and 16 filters, 64 hidden, 16 × 16 digits) on its
  validation split (budget 3 s), against the loop with torch's own max-pooling timed on a
  sample and scaled (the slice reuses the first convolution's output across the plane);
* 4 runs × 300 epochs of the MLP with snapshots and sharpness every epoch (budget 5 s), with
  warm-started power iteration against cold-started 20-product measures.

Run: make bench   (or .venv/bin/python benchmarks/bench_landscape.py)
"""

from __future__ import annotations

import copy
import sys
import time

import numpy as np
import torch
from _util import best_of, machine, row
from torch import nn
from torch.nn.utils import vector_to_parameters

from playground import digits, landscape, landscape_runs
from playground.convnet import LeNet, NetConfig
from playground.optimizers import RunSpec

torch.set_num_threads(1)


def looped_slice(model, loss_fn, x, y, d1, d2, alphas, betas) -> np.ndarray:
    """The naive way: set the weights to θ + α·d₁ + β·d₂ and run the model, point by point."""
    theta = [p.detach().clone() for p in model.parameters()]
    z = np.empty((len(betas), len(alphas)))
    with torch.no_grad():
        for i, b in enumerate(betas):
            for j, a in enumerate(alphas):
                for p, t0, u, v in zip(model.parameters(), theta, d1, d2, strict=True):
                    p.copy_(t0 + a * u + b * v)
                z[i, j] = float(loss_fn(model(x), y))
        for p, t0 in zip(model.parameters(), theta, strict=True):
            p.copy_(t0)
    return z


def mlp_problem():
    p = landscape_runs.problem(landscape_runs.DEFAULT_TASK, "mse")
    config = landscape_runs.LandscapeConfig()
    return landscape_runs.build(config, landscape_runs.DEFAULT_TASK).eval(), p


def slice_rows(
    model, loss_fn, x, y, n: int, name: str, budget: float, sample: int, naive=None
) -> bool:
    """``naive``: the model the loop runs (default ``model``; same weights, plainer layers)."""
    gen = torch.Generator().manual_seed(0)
    d1, d2 = landscape.random_direction(model, gen), landscape.random_direction(model, gen)
    axis = np.linspace(-1, 1, n)
    fast = best_of(lambda: landscape.surface(model, loss_fn, x, y, d1, d2, axis, axis), 3)
    rows = max(1, sample // n)  # the loop on a few rows of the grid, scaled to all of it
    start = time.perf_counter()
    looped = looped_slice(naive or model, loss_fn, x, y, d1, d2, axis, axis[:rows])
    slow = (time.perf_counter() - start) * n / rows
    batched = landscape.surface(model, loss_fn, x, y, d1, d2, axis, axis[:rows])
    assert np.allclose(batched, looped, rtol=1e-4, atol=1e-6)
    ok = fast < budget
    row(name, f"{fast:.3f} s", f"< {budget:g} s", ok, f"loop {slow:.2f} s, ×{slow / fast:.1f}")
    return ok


def sharpness_row(model, loss_fn, x, y) -> bool:
    landscape.sharpness(model, loss_fn, x, y)  # (first double backward: one-off costs)
    fast = best_of(lambda: landscape.sharpness(model, loss_fn, x, y, iters=20), 5)
    params = {n: p.detach() for n, p in model.named_parameters()}
    names, shapes = list(params), [p.shape for p in params.values()]
    sizes = [p.numel() for p in params.values()]

    def f(theta):
        pieces = [t.reshape(s) for t, s in zip(torch.split(theta, sizes), shapes, strict=True)]
        out = torch.func.functional_call(model, dict(zip(names, pieces, strict=True)), (x,))
        return loss_fn(out, y)

    theta = landscape.flat(model)
    start = time.perf_counter()
    top = np.linalg.eigvalsh(torch.autograd.functional.hessian(f, theta).numpy())[-1]
    slow = time.perf_counter() - start
    lam = landscape.sharpness(model, loss_fn, x, y, iters=20)
    ms = 1000 * fast
    ok = ms < 20
    ratio = f"full Hessian {slow:.2f} s, ×{slow / fast:.0f}; λ {lam:.4f} vs {top:.4f}"
    row("sharpness, 2 × 64 MLP, 20 iterations", f"{ms:.1f} ms", "< 20 ms", ok, ratio)
    return ok


def training_row() -> bool:
    runs = tuple(
        landscape_runs.Run(RunSpec(o, (("lr", lr),))) for o, lr in
        (("sgd", 0.25), ("sgd", 0.025), ("momentum", 0.025), ("adam", 0.005))
    )  # fmt: skip
    config = landscape_runs.LandscapeConfig(runs=runs, epochs=300)
    list(
        landscape_runs.train(landscape_runs.DEFAULT_TASK, landscape_runs.LandscapeConfig(epochs=2))
    )
    start = time.perf_counter()
    *_, summary = landscape_runs.train(landscape_runs.DEFAULT_TASK, config)
    fast = time.perf_counter() - start
    cold = landscape_runs.LandscapeConfig(runs=runs, epochs=30)  # cold starts, timed on 30
    start = time.perf_counter()
    _cold_sharpness(cold)
    slow = (time.perf_counter() - start) * 10
    ok = fast < 5
    ratio = f"cold-started 20-product measures {slow:.1f} s, ×{slow / fast:.1f}"
    row("4 runs × 300 epochs, snapshots + sharpness", f"{fast:.2f} s", "< 5 s", ok, ratio)
    assert summary.snapshots.shape[:2] == (4, 101)
    return ok


def _cold_sharpness(config) -> None:
    """The runs of ``config`` with a cold 20-iteration sharpness every epoch."""
    p = landscape_runs.problem(landscape_runs.DEFAULT_TASK, config.loss)
    loss_fn = landscape_runs.loss_function(config, p.classes)
    for run in config.runs:
        model = landscape_runs.build(config, landscape_runs.DEFAULT_TASK)
        opt = run.spec.spec.build(model.parameters(), run.spec.settings)
        for _ in range(config.epochs):
            opt.zero_grad()
            loss_fn(model(p.x), p.y).backward()
            opt.step()
            landscape.sharpness(model, loss_fn, p.x, p.y, iters=20)


def lenet_row() -> bool:
    d = digits.load(digits.DigitsConfig())  # 16 × 16, the ConvNet view's default
    torch.manual_seed(0)
    model = LeNet(d.size, NetConfig()).eval()
    x, y = torch.tensor(d.images[d.val]), torch.tensor(d.labels[d.val])
    vector_to_parameters(landscape.flat(model), model.parameters())
    naive = copy.deepcopy(model)
    naive.pool = nn.MaxPool2d(2)  # torch's own pooling (the model's is 9× faster without grad)
    return slice_rows(
        model, nn.functional.cross_entropy, x, y, 31, "31 × 31 slice, default LeNet, val split",
        3.0, 62, naive,
    )  # fmt: skip


def main() -> int:
    print(f"machine: {machine()}")
    model, p = mlp_problem()
    x, y = p.x[:200], p.y[:200]
    ok = slice_rows(
        model, nn.functional.mse_loss, x, y, 41, "41 × 41 slice, 2 × 64 MLP, 200 points", 0.3,
        41 * 8,
    )  # fmt: skip
    ok &= sharpness_row(model, nn.functional.mse_loss, x, y)
    ok &= lenet_row()
    ok &= training_row()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
