"""Benchmark of the overfitting lab: 4 variants of a 2 × 64 MLP on 200 points, 2,000 epochs,
trained together (batched) against one after another (plain nn.Sequential), in one run.

Run: make bench   (or .venv/bin/python benchmarks/bench_training.py)
"""

from __future__ import annotations

import sys
import time

import torch
from _util import machine, row
from torch import nn

from playground import data, training

torch.set_num_threads(1)


def one_after_another(split: data.Split, config: training.TrainConfig) -> None:
    """The naive way: each variant its own nn.Sequential and optimizer, trained in turn."""
    x = torch.from_numpy(split.x)
    y = torch.from_numpy(split.y).unsqueeze(1)
    xt, yt, xv, yv = x[split.train], y[split.train], x[split.val], y[split.val]
    for variant in config.variants:
        torch.manual_seed(config.seed)
        model = training.mlp(1, 1, config, dropout=variant.dropout)
        opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=variant.weight_decay)
        for _ in range(config.epochs):
            model.train()
            opt.zero_grad()
            nn.MSELoss()(model(xt), yt).backward()
            opt.step()
            model.eval()
            with torch.no_grad():
                nn.MSELoss()(model(xv), yv)


def main() -> int:
    print(f"machine: {machine()}")
    split = data.make_task(data.TaskConfig(n=200))
    config = training.TrainConfig()  # 2 × 64, 2,000 epochs, the 4 default variants
    training.run(split, training.TrainConfig(epochs=3))  # torch's one-off warm-up
    times = []
    for _ in range(3):  # best of three: a shared machine's noise only ever adds time
        start = time.perf_counter()
        training.run(split, config)
        times.append(time.perf_counter() - start)
    fast = min(times)
    start = time.perf_counter()
    one_after_another(split, config)
    naive = time.perf_counter() - start
    row(
        "lab: 4 variants, 2×64 MLP, 200 points, 2,000 epochs",
        f"{fast:.2f} s",
        "< 5 s",
        fast < 5.0,
        f"one after another: {naive:.2f} s ({naive / fast:.1f}× slower)",
    )
    return 0 if fast < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
