"""The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
2017): one short run whose learning rate grows exponentially, step by step, from ``low`` to
``high`` (``torch.optim.lr_scheduler.ExponentialLR``); the loss against η on a log axis falls,
then rises when η gets too large. The suggestion is a
heuristic, not a proof: it says where to start looking. The suggestion is a tenth of the η
where the smoothed loss is lowest; the steepest point is marked too.

:func:`range_test` works on any model; :func:`lab` and :func:`convnet` run it on the overfitting
lab's MLP and the ConvNet view's LeNet with their own data and optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.i18n import UserError

Batches = Callable[[int], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True, eq=False)
class RangeTest:
    """The rate of each step (T,), its loss (T,), the loss smoothed (an exponential average
    with bias correction), and the two marks: where the smoothed loss falls fastest against
    log η (the suggestion), and where it is lowest."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steepest: float
    minimum: float

    @property
    def suggestion(self) -> float:
        """A tenth of the η of the lowest loss: the usual rule of thumb (the steepest point
        was often already too large: with Adam, the ConvNet stayed at chance there)."""
        return self.minimum / 10


def range_test(
    model: nn.Module,
    make_optimizer: Callable[[object], torch.optim.Optimizer],
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    batches: Batches,
    low: float = 1e-6,
    high: float = 1.0,
    steps: int = 100,
    beta: float = 0.9,
    diverge: float = 4.0,
) -> RangeTest:
    """Train ``model`` for up to ``steps`` steps on ``batches(t)``, η growing from ``low`` to
    ``high`` by a constant factor a step; stop once the smoothed loss exceeds ``diverge`` times
    its lowest (the rest would only blow up)."""
    if not (0 < low < high and 3 <= steps <= 2000):
        raise UserError("err_range_test")
    optimizer = make_optimizer(model.parameters())
    for group in optimizer.param_groups:
        group["lr"] = low
    factor = (high / low) ** (1 / (steps - 1))
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, factor)
    lrs, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    model.train()
    for step in range(steps):
        x, y = batches(step)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        value = float(loss.detach())
        lrs.append(optimizer.param_groups[0]["lr"])
        losses.append(value)
        average = beta * average + (1 - beta) * value
        smooth = average / (1 - beta ** (step + 1))
        smoothed.append(smooth)
        if not math.isfinite(value) or (step > 5 and smooth > diverge * best):
            break
        best = min(best, smooth)
        loss.backward()
        optimizer.step()
        scheduler.step()
    lr, sm = np.array(lrs), np.array(smoothed)
    return RangeTest(lr, np.array(losses), sm, *marks(lr, sm))


def marks(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """(steepest, minimum): the η where the smoothed loss falls fastest against log η (before
    its minimum), and the η of its minimum."""
    finite = np.isfinite(smoothed)
    if finite.sum() < 3:
        return float(lrs[0]), float(lrs[0])
    low = int(np.nanargmin(np.where(finite, smoothed, np.inf)))
    slope = np.gradient(smoothed[finite], np.log(lrs[finite]))
    indices = np.nonzero(finite)[0]
    before = indices <= low
    steep = indices[before][int(np.argmin(slope[before]))] if before.any() else low
    return float(lrs[steep]), float(lrs[low])


def _cycle(x: torch.Tensor, y: torch.Tensor, batch: int, seed: int) -> Batches:
    """Mini-batches of ``batch`` (0: all) cycling through shuffled epochs."""
    n = len(x)
    size = batch or n
    gen = torch.Generator().manual_seed(seed)
    order: list[torch.Tensor] = []

    def batches(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        per_epoch = math.ceil(n / size)
        if step % per_epoch == 0:
            order[:] = [torch.randperm(n, generator=gen)]
        k = step % per_epoch
        idx = order[0][k * size : (k + 1) * size]
        return x[idx], y[idx]

    return batches


def lab(split, config, low: float = 1e-5, high: float = 10.0, steps: int = 100) -> RangeTest:
    """The range test on the overfitting lab's model (its baseline, no cure) and training data."""
    from playground.optimizers import OPTIMIZERS
    from playground.training import mlp

    torch.manual_seed(config.seed)
    classes = split.classes
    model = mlp(split.x.shape[1], classes or 1, config)
    x = torch.from_numpy(split.x[split.train]).float()
    y = torch.from_numpy(split.y[split.train])
    if classes:
        loss_fn = nn.functional.cross_entropy
        y = y.long()
    else:
        y = y.float()

        def loss_fn(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            return nn.functional.mse_loss(out[:, 0], target)

    spec = OPTIMIZERS[config.optimizer]
    batches = _cycle(x, y, config.batch_size, config.seed)
    return range_test(
        model, lambda p: spec.build(p, {"lr": low}), loss_fn, batches, low, high, steps
    )


def convnet(digits, config, low: float = 1e-5, high: float = 10.0, steps: int = 100) -> RangeTest:
    """The range test on the ConvNet view's LeNet (no dropout) and its training images."""
    from playground.convnet import LeNet
    from playground.optimizers import OPTIMIZERS

    torch.manual_seed(config.seed)
    model = LeNet(digits.size, config)
    x = torch.tensor(digits.images[digits.train])
    y = torch.tensor(digits.labels[digits.train])
    spec = OPTIMIZERS[config.optimizer]
    batches = _cycle(x, y, config.batch_size, config.seed)
    return range_test(
        model,
        lambda p: spec.build(p, {"lr": low}),
        nn.functional.cross_entropy,
        batches,
        low,
        high,
        steps,
    )
