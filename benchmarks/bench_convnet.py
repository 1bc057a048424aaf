"""Benchmark of the ConvNet view: one epoch over the training split (1,079 digits of 16 × 16),
for the default LeNet with one variant and with the four default variants, against the naive
way in the same run (one image per optimizer step), and the page's responsiveness budget.

Run: make bench   (or .venv/bin/python benchmarks/bench_convnet.py)
"""

from __future__ import annotations

import sys

import torch
from _util import best_of, machine, row

from playground import convnet, digits, training
from playground.convnet import NetConfig
from playground.training import Variant

torch.set_num_threads(1)  # as in the server's worker processes


def epoch(data: digits.Digits, config: NetConfig) -> None:
    training.run(data, config, trainer=convnet.train)


def main() -> int:
    print(f"machine: {machine()}")
    data = digits.load(digits.DigitsConfig())
    one = NetConfig(epochs=1, variants=(Variant("baseline"),))
    four = NetConfig(epochs=1)  # baseline, dropout, early stopping, weight decay
    epoch(data, one)  # torch's one-off warm-up
    t_one = best_of(lambda: epoch(data, one), 3)
    t_four = best_of(lambda: epoch(data, four), 3)
    naive = best_of(
        lambda: epoch(data, NetConfig(epochs=1, batch_size=1, variants=one.variants)), 1
    )
    n = len(data.train)
    row(
        f"convnet: 1 epoch, {n} images, 1 variant",
        f"{t_one * 1000:.0f} ms",
        "< 1 s",
        t_one < 1.0,
        f"one image per step: {naive:.2f} s ({naive / t_one:.0f}× slower)",
    )
    row(
        f"convnet: 1 epoch, {n} images, 4 variants",
        f"{t_four * 1000:.0f} ms",
        "< 1 s",
        t_four < 1.0,
        f"{t_four / t_one:.1f}× one variant (each variant is its own model)",
    )
    return 0 if t_one < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
