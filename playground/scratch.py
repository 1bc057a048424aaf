"""From scratch to torch.optim: one least-squares fit written four ways.

The fit is a polynomial ``y ≈ c₀ + c₁x + … + c_d x^d`` trained by gradient descent on the
sum of squared errors, as in PyTorch's "Learning PyTorch with Examples": d = 3 for
y = sin(x) on [−π, π], d = 1 (y = w·x + b) for the classic three points. Each way is a short
function whose source the view shows as it is; all four return the same kind of :class:`Fit`.
The first three and torch.optim.SGD perform the same arithmetic, so they agree to rounding;
RMSprop takes other steps and is compared with the least-squares solution instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from playground.i18n import UserError

MAX_STEPS = 5_000  # about 5 s of compute for the four ways on one core: one change, one student
# Runs are computed to one of these lengths and cut (see ``prefix``): a change of steps within a
# bucket costs nothing, and no run does more than twice the work asked for.
STEP_BUCKETS = (250, 500, 1_000, 2_000, 3_000, 4_000, MAX_STEPS)


@dataclass(frozen=True)
class Problem:
    """The data and the degree of one fitting problem."""

    key: str
    degree: int
    lr: float  # a learning rate that converges for the sum-of-squares loss
    steps: int
    rmsprop_lr: float

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y, float64 arrays of equal length."""
        if self.key == "sine":
            x = np.linspace(-np.pi, np.pi, 2000)
            return x, np.sin(x)
        return np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])


PROBLEMS: dict[str, Problem] = {
    "sine": Problem("sine", 3, 1e-6, 2000, 1e-3),
    "line": Problem("line", 1, 0.05, 1000, 0.01),
}


@dataclass(frozen=True)
class ScratchConfig:
    """Settings of the four fits: the problem, gradient descent's η and steps, and the
    optimizer of the fourth way ("sgd", the same steps as the others, or "rmsprop")."""

    problem: str = "sine"
    lr: float = 1e-6
    steps: int = 2000
    optimizer: str = "sgd"
    optimizer_lr: float = 1e-6

    def __post_init__(self) -> None:
        if self.problem not in PROBLEMS:
            raise UserError("err_unknown_problem", name=str(self.problem)[:30])
        if not (np.isfinite(self.lr) and 0 < self.lr <= 1 and 0 < self.optimizer_lr <= 1):
            raise UserError("err_lr_range", high=1)
        if not 1 <= self.steps <= MAX_STEPS:
            raise UserError("err_steps_range", high=MAX_STEPS)
        if self.optimizer not in ("sgd", "rmsprop"):
            raise UserError("err_model_choice")


@dataclass(frozen=True)
class Fit:
    """Coefficients after every step, shape (steps + 1, degree + 1) (c₀ first), and the loss
    before every step, shape (steps,). Stops early at a non-finite loss."""

    coefs: np.ndarray
    loss: np.ndarray

    @property
    def final(self) -> np.ndarray:
        return self.coefs[-1]


def _fit(coefs: list[np.ndarray], losses: list[float]) -> Fit:
    return Fit(np.array(coefs), np.array(losses))


# ---------------------------------------------------------------- the four ways
# Each function is shown in the view as it is written here: keep them short and plain.


def by_hand(x: np.ndarray, y: np.ndarray, degree: int, lr: float, steps: int) -> Fit:
    """1. Gradients written by hand (numpy only)."""
    c = np.zeros(degree + 1)
    powers = np.stack([x**k for k in range(degree + 1)])  # (degree + 1, N)
    coefs, losses = [c.copy()], []
    for _ in range(steps):
        y_pred = c @ powers
        loss = np.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)  # dloss/dy_pred
        grad_c = powers @ grad_y_pred  # chain rule: dloss/dc_k = Σ grad_y_pred · x^k
        c = c - lr * grad_c
        if not np.isfinite(loss):
            break
        coefs.append(c.copy())
        losses.append(loss)
    return _fit(coefs, losses)


def by_autograd(x: np.ndarray, y: np.ndarray, degree: int, lr: float, steps: int) -> Fit:
    """2. Tensors and autograd: torch computes the gradients."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    c = torch.zeros(degree + 1, dtype=torch.float64, requires_grad=True)
    powers = torch.stack([xt**k for k in range(degree + 1)])  # (degree + 1, N)
    coefs, losses = [c.detach().numpy().copy()], []
    for _ in range(steps):
        loss = (c @ powers - yt).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            c -= lr * c.grad
            c.grad = None
        if not math.isfinite(loss.item()):
            break
        coefs.append(c.detach().numpy().copy())
        losses.append(loss.item())
    return _fit(coefs, losses)


def by_module(x: np.ndarray, y: np.ndarray, degree: int, lr: float, steps: int) -> Fit:
    """3. nn.Module and nn.MSELoss: a linear layer on the powers of x."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    features = torch.stack([xt**k for k in range(1, degree + 1)], dim=1)  # (N, degree)
    model = nn.Linear(degree, 1).double()
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    loss_fn = nn.MSELoss(reduction="sum")
    coefs, losses = [_coefs(model)], []
    for _ in range(steps):
        loss = loss_fn(model(features).squeeze(1), yt)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
        if not math.isfinite(loss.item()):
            break
        coefs.append(_coefs(model))
        losses.append(loss.item())
    return _fit(coefs, losses)


def by_optim(
    x: np.ndarray, y: np.ndarray, degree: int, lr: float, steps: int, optimizer: str = "sgd"
) -> Fit:
    """4. torch.optim takes the step (SGD: the same steps as above; or RMSprop)."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    features = torch.stack([xt**k for k in range(1, degree + 1)], dim=1)  # (N, degree)
    model = nn.Linear(degree, 1).double()
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    loss_fn = nn.MSELoss(reduction="sum")
    opt_class = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[optimizer]
    opt = opt_class(model.parameters(), lr=lr)
    coefs, losses = [_coefs(model)], []
    for _ in range(steps):
        loss = loss_fn(model(features).squeeze(1), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if not math.isfinite(loss.item()):
            break
        coefs.append(_coefs(model))
        losses.append(loss.item())
    return _fit(coefs, losses)


def _coefs(model: nn.Linear) -> np.ndarray:
    """c₀ (the bias) then c₁ … c_d (the weights)."""
    return np.concatenate([model.bias.detach().numpy(), model.weight.detach().numpy()[0]])


WAYS: dict[str, Callable[..., Fit]] = {
    "hand": by_hand,
    "autograd": by_autograd,
    "module": by_module,
    "optim": by_optim,
}


PLAIN_WAYS = ("hand", "autograd", "module")  # the ways that take gradient descent's steps


def fit_ways(
    problem: str, lr: float, steps: int, ways: tuple[str, ...] = PLAIN_WAYS
) -> dict[str, Fit]:
    """Some of the first three ways (all by default), with the same data, start (all zeros),
    η and steps. A view may compute them apart: numpy's way takes a twentieth of the time of
    the two torch ways together (``bench_scratch.py``)."""
    if unknown := set(ways) - set(PLAIN_WAYS):
        raise ValueError(f"not one of the first three ways: {sorted(unknown)}")
    torch.manual_seed(0)  # nothing is random; kept so a change never makes it so silently
    x, y = PROBLEMS[problem].data()
    return {k: WAYS[k](x, y, PROBLEMS[problem].degree, lr, steps) for k in ways}


def fit_optim(problem: str, lr: float, steps: int, optimizer: str) -> Fit:
    """The fourth way: torch.optim's ``optimizer`` with learning rate ``lr``."""
    torch.manual_seed(0)
    x, y = PROBLEMS[problem].data()
    return by_optim(x, y, PROBLEMS[problem].degree, lr, steps, optimizer)


def optim_lr(config: ScratchConfig) -> float:
    """The fourth way's learning rate: gradient descent's η for SGD, its own for RMSprop."""
    return config.lr if config.optimizer == "sgd" else config.optimizer_lr


def fit_all(config: ScratchConfig) -> dict[str, Fit]:
    """Run the four ways (the first three do not depend on the fourth's optimizer, so a view
    may compute and keep them apart: ``fit_ways`` and ``fit_optim``)."""
    fits = fit_ways(config.problem, config.lr, config.steps)
    fits["optim"] = fit_optim(config.problem, optim_lr(config), config.steps, config.optimizer)
    return fits


def bucket(steps: int) -> int:
    """The run length computed for ``steps``: the smallest bucket that holds it."""
    return next(b for b in STEP_BUCKETS if b >= steps)


def prefix(fits: dict[str, Fit], steps: int) -> dict[str, Fit]:
    """The fits cut to their first ``steps`` steps.

    Gradient descent is deterministic and step k never looks ahead, so the first ``steps``
    steps of a longer run are exactly the run of ``steps`` steps (tested bit for bit, a run
    that stops at a non-finite loss included).
    """
    return {k: Fit(f.coefs[: steps + 1], f.loss[:steps]) for k, f in fits.items()}


def least_squares(problem: str) -> np.ndarray:
    """The exact minimiser of the sum of squares (c₀ first), by numpy's lstsq."""
    x, y = PROBLEMS[problem].data()
    design = np.stack([x**k for k in range(PROBLEMS[problem].degree + 1)], axis=1)  # (N, d+1)
    return np.linalg.lstsq(design, y, rcond=None)[0]


def max_difference(fits: dict[str, Fit], keys: tuple[str, ...]) -> float:
    """The largest difference between the final coefficients of the given ways."""
    finals = np.array(
        [fits[k].final for k in keys if len(fits[k].coefs) == len(fits[keys[0]].coefs)]
    )
    return float(np.abs(finals - finals[0]).max()) if len(finals) == len(keys) else float("inf")
