"""Gradient-descent runs driven by torch: they return data and never draw.

A run stops at the first non-finite value (or a blow-up, see :data:`DIVERGE_FACTOR`) and
reports the step, so a learning rate that is too large is a lesson, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch
from torch import nn

from playground import surfaces
from playground.i18n import UserError

MAX_STEPS = 2000
MAX_LR = 100.0
DIVERGE_FACTOR = 1e8  # a loss above this multiple of the starting loss counts as diverged

LossName = Literal["mse", "mae"]
LOSSES: dict[str, type[nn.Module]] = {"mse": nn.MSELoss, "mae": nn.L1Loss}


@dataclass(frozen=True)
class DescentConfig:
    """Settings of one gradient-descent run on y' = w·x + b.

    Attributes
    ----------
    loss : {"mse", "mae"}
    lr : float
        Learning rate of torch.optim.SGD.
    steps : int
        Number of optimizer steps (1 … MAX_STEPS).
    w0, b0 : float
        Start point.
    batch_size : int
        0 for full batch; k for mini-batches of k samples (k = 1 is stochastic), drawn by
        shuffling the data once per epoch with ``seed``.
    seed : int
    """

    loss: LossName = "mse"
    lr: float = 0.05
    steps: int = 100
    w0: float = 0.0
    b0: float = 0.0
    batch_size: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise UserError("err_unknown_loss", name=self.loss)
        if not (np.isfinite(self.lr) and 0 < self.lr <= MAX_LR):
            raise UserError("err_lr_range", high=MAX_LR)
        if not 1 <= self.steps <= MAX_STEPS:
            raise UserError("err_steps_range", high=MAX_STEPS)
        if not (np.isfinite(self.w0) and np.isfinite(self.b0)):
            raise UserError("err_start_finite")
        if self.batch_size < 0:
            raise UserError("err_batch_size")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Iterates of a run: index t holds the parameters after t steps (t = 0 is the start).

    Attributes
    ----------
    w, b, loss : np.ndarray
        Shape (T + 1,); ``loss`` is the full-data loss at each iterate.
    diverged_at : int or None
        First step whose iterate was non-finite or blew up; the arrays stop before it.
    """

    w: np.ndarray  # (T+1,)
    b: np.ndarray  # (T+1,)
    loss: np.ndarray  # (T+1,)
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        return int(self.w.shape[0] - 1)

    def to_frame(self) -> pd.DataFrame:
        """The trajectory as columns step, w, b, loss."""
        return pd.DataFrame(
            {"step": np.arange(self.w.shape[0]), "w": self.w, "b": self.b, "loss": self.loss}
        )


def batch_indices(n: int, batch_size: int, steps: int, seed: int) -> list[np.ndarray] | None:
    """Sample indices for each step: None for full batch, else one shuffle per epoch.

    Like ``DataLoader(shuffle=True)``: each epoch visits every sample once in a random
    order, in consecutive slices of ``batch_size`` (the last slice may be shorter).
    """
    if batch_size == 0 or batch_size >= n:
        return None
    gen = torch.Generator().manual_seed(seed)
    out: list[np.ndarray] = []
    while len(out) < steps:
        perm = torch.randperm(n, generator=gen).numpy()
        out.extend(perm[s : s + batch_size] for s in range(0, n, batch_size))
    return out[:steps]


def full_loss(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray, loss: str) -> np.ndarray:
    """The full-data loss at paired iterates (w, b) of shape (T,)."""
    return surfaces.mse_at(x, y, w, b) if loss == "mse" else surfaces.mae_at(x, y, w, b)


def gradient_descent(x: np.ndarray, y: np.ndarray, config: DescentConfig) -> Trajectory:
    """Fit y' = w·x + b with nn.Linear(1, 1), nn.MSELoss or nn.L1Loss and torch.optim.SGD.

    Parameters
    ----------
    x, y : np.ndarray
        Shape (N,).
    config : DescentConfig

    Returns
    -------
    Trajectory
        Up to the last finite iterate; ``diverged_at`` says where it stopped early.
    """
    model = nn.Linear(1, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.fill_(config.w0)
        model.bias.fill_(config.b0)
    criterion = LOSSES[config.loss]()
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    features = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64)).unsqueeze(1)  # (N, 1)
    targets = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float64)).unsqueeze(1)  # (N, 1)
    batches = batch_indices(x.shape[0], config.batch_size, config.steps, config.seed)

    params = np.empty((config.steps + 1, 2))  # (T+1, 2): w, b
    params[0] = config.w0, config.b0
    last = config.steps
    for step in range(1, config.steps + 1):
        if batches is None:
            xb, yb = features, targets
        else:
            idx = torch.from_numpy(batches[step - 1])
            xb, yb = features[idx], targets[idx]
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()
        params[step] = model.weight.item(), model.bias.item()
        if not np.isfinite(params[step]).all():
            last = step
            break
    return _truncate(x, y, params[: last + 1], config.loss)


def _truncate(x: np.ndarray, y: np.ndarray, params: np.ndarray, loss: str) -> Trajectory:
    """Cut the iterates at the first non-finite or blown-up loss."""
    values = full_loss(x, y, params[:, 0], params[:, 1], loss)
    limit = DIVERGE_FACTOR * max(float(values[0]), 1e-12)
    bad = ~np.isfinite(values) | (values > limit) | ~np.isfinite(params).all(axis=1)
    if bad.any():
        k = int(np.argmax(bad))
        return Trajectory(params[:k, 0], params[:k, 1], values[:k], diverged_at=k)
    return Trajectory(params[:, 0].copy(), params[:, 1].copy(), values)
