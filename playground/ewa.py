"""Exponentially weighted averages (EWA): the engine inside Momentum, RMSprop and Adam.

Convention (the usual one, and PyTorch's): β weighs the *old* average,

    v_t = β·v_{t−1} + (1 − β)·x_t,   t = 1 … T,

so that v_t = β^t·v_0 + (1 − β)·Σ_{i≤t} β^{t−i}·x_i. Some notes put β on the *new* sample
(v_t = (1 − β)·v_{t−1} + β·x_t); that is this formula with β ↔ 1 − β (:func:`swap`).

The plain average is a linear filter, computed without a Python loop over samples: the series
is cut into blocks short enough that β^(−k) cannot overflow, each block is one scaled prefix
sum, and only the block boundaries are carried over.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from playground.i18n import UserError

MAX_EXPONENT = 300.0  # β^(−k) stays below e^300 inside a block


def _check(beta: float) -> None:
    if not (0.0 <= beta < 1.0):
        raise UserError("err_beta_range")


def ewa(x, beta: float, v0: float | str = 0.0):
    """The exponentially weighted average of ``x``.

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (T,)
    beta : float
        Weight of the old average, 0 ≤ β < 1.
    v0 : float or "first"
        The starting value v_0: 0 (the optimizers' choice, biased towards 0 early on), any
        number, or "first" for v_0 = x_1 (the curriculum's v_0 = c_0).

    Returns
    -------
    np.ndarray or torch.Tensor, shape (T,)
        v_1 … v_T, of the same kind as ``x``.
    """
    _check(beta)
    is_torch = isinstance(x, torch.Tensor)
    arr = x.detach().cpu().double().numpy() if is_torch else np.asarray(x, dtype=np.float64)
    out = _filter(
        arr.ravel(), beta, (arr.ravel()[0] if arr.size else 0.0) if v0 == "first" else float(v0)
    )
    return torch.from_numpy(out) if is_torch else out


def _filter(x: np.ndarray, beta: float, v0: float) -> np.ndarray:
    n = x.shape[0]
    out = np.empty(n)
    if n == 0:
        return out
    if beta == 0.0:
        out[:] = x
        return out
    block = max(1, min(n, int(MAX_EXPONENT / -math.log(beta))))
    blocks = -(-n // block)
    k = np.arange(1, block + 1, dtype=np.float64)
    down = np.exp(k * math.log(beta))  # (L,)  β^k
    padded = np.zeros(blocks * block)
    padded[:n] = x
    # Each block's average from a zero start: one scaled prefix sum for all blocks at once.
    local = (1.0 - beta) * down * np.cumsum(padded.reshape(blocks, block) / down, axis=1)  # (B, L)
    # Carry each block's end into the next: c_b = β^L·c_{b−1} + end_{b−1}. With several blocks
    # β^L < e^−300, so terms beyond the first power of β^L are below double precision and the
    # recurrence is exact in two vectorised terms (no loop over blocks either).
    ends = local[:, -1]
    decay = beta**block
    carry = np.empty(blocks)
    carry[0] = v0
    if blocks > 1:
        before = np.concatenate([[v0], ends[:-2]])  # c_{b−1} to first order
        carry[1:] = ends[:-1] + decay * before
    out[:] = (local + down * carry[:, None]).ravel()[:n]
    return out


def ewa_corrected(x, beta: float):
    """Bias-corrected average v_t / (1 − β^t) of the average started at v_0 = 0.

    On a constant series it returns the constant exactly from the first step.
    """
    _check(beta)
    v = ewa(x, beta, 0.0)
    t = np.arange(1, len(v) + 1, dtype=np.float64)
    correction = 1.0 - beta**t
    if isinstance(v, torch.Tensor):
        return v / torch.from_numpy(correction)
    return v / correction


def window(beta: float) -> float:
    """The effective window 1 / (1 − β): about how many recent samples the average spans."""
    _check(beta)
    return 1.0 / (1.0 - beta)


def weights(beta: float, lags: int) -> np.ndarray:
    """Weight (1 − β)·β^k that the sample k steps back receives, for k = 0 … lags − 1."""
    _check(beta)
    return (1.0 - beta) * beta ** np.arange(lags, dtype=np.float64)


def swap(beta: float) -> float:
    """The β of the other convention (β on the new sample): 1 − β gives the same curve."""
    return 1.0 - beta


def ewa_new_sample_convention(x, beta_new: float, v0: float = 0.0) -> np.ndarray:
    """v_t = (1 − β)·v_{t−1} + β·x_t, computed by a direct loop (for the convention toggle)."""
    out = np.empty(len(x))
    v = v0
    for i, value in enumerate(np.asarray(x, dtype=np.float64)):
        v = (1.0 - beta_new) * v + beta_new * value
        out[i] = v
    return out


# ---------------------------------------------------------------- inside the optimizers

STATE_OPTIMIZERS = {
    # name: (torch class, kwargs builder, [(state key, EWA of "g" or "g2", β setting, scale)])
    "momentum": "SGD with momentum: momentum_buffer = EWA(g, μ) / (1 − μ)",
    "rmsprop": "RMSprop: square_avg = EWA(g², α)",
    "adam": "Adam: exp_avg = EWA(g, β₁), exp_avg_sq = EWA(g², β₂)",
}


def optimizer_states(
    landscape,
    start,
    steps: int,
    lr: dict[str, float],
    momentum: float = 0.9,
    alpha: float = 0.99,
    betas: tuple[float, float] = (0.9, 0.999),
) -> dict:
    """Run SGD with momentum, RMSprop and Adam (torch.optim) and read their state every step.

    Returns, per optimizer, the gradients g_t it received (shape (T, 2)) and its state after
    each step (shape (T, 2) per state tensor), next to the EWA this module computes from the
    raw gradients, so the two can be compared:

    * SGD (dampening 0): momentum_buffer_t = Σ μ^{t−i} g_i = EWA(g, μ)_t / (1 − μ)
    * RMSprop: square_avg_t = EWA(g², α)_t
    * Adam: exp_avg_t = EWA(g, β₁)_t, exp_avg_sq_t = EWA(g², β₂)_t (before bias correction)
    """
    specs = {
        "momentum": (
            torch.optim.SGD,
            {"lr": lr["momentum"], "momentum": momentum},
            [("momentum_buffer", "g", momentum, 1.0 / (1.0 - momentum))],
        ),
        "rmsprop": (
            torch.optim.RMSprop,
            {"lr": lr["rmsprop"], "alpha": alpha},
            [("square_avg", "g2", alpha, 1.0)],
        ),
        "adam": (
            torch.optim.Adam,
            {"lr": lr["adam"], "betas": betas},
            [("exp_avg", "g", betas[0], 1.0), ("exp_avg_sq", "g2", betas[1], 1.0)],
        ),
    }
    out = {}
    for name, (cls, kwargs, states) in specs.items():
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = cls([p], **kwargs)
        grads = np.empty((steps, 2))
        read = {key: np.empty((steps, 2)) for key, *_ in states}
        for t in range(steps):
            opt.zero_grad()
            landscape.fn(p[0], p[1]).backward()
            grads[t] = p.grad.numpy()
            opt.step()
            for key, *_ in states:
                read[key][t] = opt.state[p][key].numpy()
        result = {"grad": grads, "states": {}}
        for key, which, beta, scale in states:
            series = grads if which == "g" else grads**2
            ours = np.stack([ewa(series[:, j], beta) for j in range(2)], axis=1) * scale
            result["states"][key] = {"torch": read[key], "ewa": ours, "beta": beta, "scale": scale}
        out[name] = result
    return out
