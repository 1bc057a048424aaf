"""A fair race: every optimizer gets a sweep of learning rates and many starts, not one
hand-picked rate from one start (jettify/pytorch-optimizer #219 "Unfair comparison").

For each optimizer, all (η, start) pairs run at once in one ``torch.optim`` instance: a param
group per η, each holding the (S, 2) points of every start (the optimizers here update each
coordinate from its own history, as the basin map relies on). A start *succeeds* at the first
step where its loss is within ``tol`` of the surface's lowest minimum; the table gives, per
optimizer, the best η (the highest success rate, then the fewest median steps), its success
rate, the median steps to get there and their spread (interquartile range).

Beside it, each optimizer's learning-rate range test (:mod:`playground.lr_finder`, Smith 2017):
one short run from the surface's start with η growing from ``low`` to ``high``, and the share of
the same starts that succeed at the η it suggests — a heuristic from one run, against a sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from playground import lr_finder
from playground.i18n import UserError
from playground.optimizers import RunSpec

MAX_RATES, MAX_STARTS, MAX_STEPS = 40, 400, 2000


@dataclass(frozen=True)
class FairConfig:
    """The sweep: ``rates`` learning rates on a log grid from ``low`` to ``high``, ``starts``
    random starts in the window (seeded), ``steps`` steps, success within ``tol`` of the lowest
    minimum's value."""

    rates: int = 20
    low: float = 1e-5
    high: float = 10.0
    starts: int = 100
    steps: int = 300
    tol: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if not (2 <= self.rates <= MAX_RATES and 1 <= self.starts <= MAX_STARTS):
            raise UserError("err_fair_size", rates=MAX_RATES, starts=MAX_STARTS)
        if not (0 < self.low < self.high <= 100 and 1 <= self.steps <= MAX_STEPS and self.tol > 0):
            raise UserError("err_fair_range", steps=MAX_STEPS)

    @property
    def grid(self) -> np.ndarray:
        """The learning rates, (rates,)."""
        return np.geomspace(self.low, self.high, self.rates)


@dataclass(frozen=True, eq=False)
class FairRace:
    """Per optimizer (O), per η (L): the share of starts that succeeded (O, L) and the steps
    each start took (O, L, S), NaN where it never did."""

    names: list[str]
    rates: np.ndarray  # (L,)
    success: np.ndarray  # (O, L)
    steps_to: np.ndarray  # (O, L, S)
    suggested: np.ndarray  # (O,) the range test's η
    success_suggested: np.ndarray  # (O,) the share of starts that succeed at it
    # (O,) the range test's loss was lowest at the top of its range: its η is then a tenth of
    # the range's top, a ceiling of the test rather than a finding (three stars sat at η = 1)
    topped: np.ndarray | None = None

    def table(self) -> pd.DataFrame:
        """Per optimizer: the best η, its success rate, median steps and their spread (IQR); the
        range test's η and the success rate at it."""
        rows = []
        for o, name in enumerate(self.names):
            median = np.array(
                [np.nanmedian(s) if np.isfinite(s).any() else np.inf for s in self.steps_to[o]]
            )
            best = int(np.lexsort((median, -self.success[o]))[0])  # most successes, then fastest
            took = self.steps_to[o, best]
            done = took[np.isfinite(took)]
            q1, q3 = np.percentile(done, [25, 75]) if done.size else (np.nan, np.nan)
            rows.append(
                {
                    "optimizer": name,
                    "best lr": float(self.rates[best]),
                    "success": float(self.success[o, best]),
                    "median steps": float(np.median(done)) if done.size else np.nan,
                    "IQR steps": float(q3 - q1) if done.size else np.nan,
                    "range test lr": float(self.suggested[o]),
                    "success at range test lr": float(self.success_suggested[o]),
                }
            )
        return pd.DataFrame(rows)


def starts_in(window: tuple[float, float, float, float], n: int, seed: int) -> np.ndarray:
    """``n`` starts drawn uniformly in the window, (n, 2)."""
    x0, x1, y0, y1 = window
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)], axis=1)


def fair_race(landscape, contestants: list[RunSpec], config: FairConfig, names=None) -> FairRace:
    """Sweep every contestant over ``config.grid`` from the same starts (see the module)."""
    if landscape.lowest is None:
        raise UserError("err_fair_no_minimum")
    target = landscape.lowest.value + config.tol
    starts = starts_in(landscape.window, config.starts, config.seed)
    rates = config.grid
    success = np.zeros((len(contestants), len(rates)))
    steps_to = np.full((len(contestants), len(rates), len(starts)), np.nan)
    suggested, at_suggested = np.zeros(len(contestants)), np.zeros(len(contestants))
    topped = np.zeros(len(contestants), bool)
    for o, run in enumerate(contestants):
        if not run.spec.elementwise:
            raise UserError("err_basin_lbfgs")
        steps_to[o] = _sweep(landscape, run, rates, starts, config.steps, target)
        success[o] = np.isfinite(steps_to[o]).mean(axis=1)
        tested = range_test(landscape, run, config.low, config.high)
        suggested[o] = tested.suggestion
        topped[o] = tested.minimum >= config.high * (1 - 1e-9)  # (its last, largest η)
        took = _sweep(landscape, run, suggested[o : o + 1], starts, config.steps, target)
        at_suggested[o] = np.isfinite(took).mean()
    names = names or [r.optimizer for r in contestants]
    return FairRace(list(names), rates, success, steps_to, suggested, at_suggested, topped)


class _Point(nn.Module):
    """A point (x, y) of a surface as a model whose loss is the surface's height there."""

    def __init__(self, landscape, start: tuple[float, float]) -> None:
        super().__init__()
        self.fn = landscape.fn
        self.xy = nn.Parameter(torch.tensor(start, dtype=torch.float64))  # (2,)

    def forward(self, _x: None) -> torch.Tensor:
        return self.fn(self.xy[:1], self.xy[1:]).sum()


def range_test(landscape, run: RunSpec, low: float, high: float, steps: int = 100):
    """The learning-rate range test of ``run``'s optimizer (its settings, η swept from ``low`` to
    ``high`` in ``steps`` steps; its own schedule left out) from the surface's start."""
    settings = dict(run.values)
    return lr_finder.range_test(
        _Point(landscape, landscape.start),
        lambda params: run.spec.build(params, {**settings, "lr": low}),
        lambda height, _y: height,
        lambda _step: (None, None),
        low,
        high,
        steps,
    )


def _sweep(landscape, run: RunSpec, rates, starts, steps: int, target: float) -> np.ndarray:
    """Steps to the target for every (η, start) of one optimizer: (L, S), NaN where never."""
    n_rates, n_starts = len(rates), len(starts)
    points = [torch.tensor(starts, dtype=torch.float64, requires_grad=True) for _ in range(n_rates)]
    settings = dict(run.values)
    groups = [
        {"params": [p], **run.spec.kwargs({**settings, "lr": float(lr)})}
        for p, lr in zip(points, rates, strict=True)
    ]
    optimizer = run.spec.cls(groups)
    scheduler = run.schedule.build(optimizer, steps) if run.schedule is not None else None
    reached = np.full((n_rates, n_starts), np.nan)
    with np.errstate(invalid="ignore"):
        for step in range(steps + 1):
            optimizer.zero_grad()
            stacked = torch.cat(points)  # (L·S, 2)
            values = landscape.fn(stacked[:, 0], stacked[:, 1])  # (L·S,)
            loss = values.detach().numpy().reshape(n_rates, n_starts)
            newly = np.isnan(reached) & (loss <= target)  # (NaN and inf never count)
            reached[newly] = step
            if step == steps or not np.isnan(reached).any():
                break
            values.sum().backward()  # (each point's gradient is its own)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
    return reached
