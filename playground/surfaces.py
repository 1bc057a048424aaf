"""Loss surfaces of linear regression y' = w·x + b over a (w, b) grid.

Surfaces are arrays ``Z`` of shape (n_b, n_w) with ``Z[j, i] = L(w_i, b_j)`` (plotly's
convention: rows follow the y axis). Both fast paths are exact, not approximations:

* MSE from five sufficient statistics, so a 401 × 401 surface costs the same for 3 or
  100,000 points.
* MAE row by row: for fixed w the residuals r = y − w·x are binned between consecutive grid
  values of b; prefix sums of counts and residuals then give Σ|r − b| at every b at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.i18n import UserError

MAX_RESOLUTION = 401


@dataclass(frozen=True)
class Grid:
    """A rectangular grid over (w, b) with ``n`` points on each axis."""

    w_min: float = -1.0
    w_max: float = 5.0
    b_min: float = -3.0
    b_max: float = 3.0
    n: int = 121

    def __post_init__(self) -> None:
        if not (self.w_min < self.w_max and self.b_min < self.b_max):
            raise UserError("err_grid_range")
        if not 2 <= self.n <= MAX_RESOLUTION:
            raise UserError("err_grid_resolution", high=MAX_RESOLUTION)

    @property
    def w(self) -> np.ndarray:
        return np.linspace(self.w_min, self.w_max, self.n)  # (n_w,)

    @property
    def b(self) -> np.ndarray:
        return np.linspace(self.b_min, self.b_max, self.n)  # (n_b,)


def fit_window(x: np.ndarray, y: np.ndarray, n: int = 121) -> Grid:
    """A grid centred on the least-squares fit, wide enough to show the bowl around it."""
    w, b = least_squares(x, y)
    span = max(1.0, 1.5 * max(abs(w), abs(b)))
    return Grid(_nice(w - span), _nice(w + span), _nice(b - span), _nice(b + span), n)


def _nice(v: float) -> float:
    return float(np.round(v, 1))


# ---------------------------------------------------------------- MSE


def _moments(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, float]:
    return (
        float(np.mean(x * x)),
        float(np.mean(x)),
        float(np.mean(x * y)),
        float(np.mean(y)),
        float(np.mean(y * y)),
    )


def mse_at(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MSE at any broadcastable arrays of w and b, in O(N + size of w, b).

    (1/N) Σ (w·xᵢ + b − yᵢ)² = w²·E[x²] + 2wb·E[x] + b² − 2w·E[xy] − 2b·E[y] + E[y²].
    """
    sxx, sx, sxy, sy, syy = _moments(x, y)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        value = w * w * sxx + 2 * w * b * sx + b * b - 2 * w * sxy - 2 * b * sy + syy
    # Rounding can make an exact zero slightly negative.
    return np.maximum(value, 0.0)


def mse_surface(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """MSE over the grid, shape (n_b, n_w)."""
    return mse_at(x, y, grid.w[None, :], grid.b[:, None])


def mse_surface_naive(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Reference: the grid × N broadcast, one row of b at a time (for tests and benchmarks)."""
    w = grid.w
    return np.stack([np.mean((w[:, None] * x + bj - y) ** 2, axis=1) for bj in grid.b])


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Closed-form MSE minimiser (w*, b*). With constant x, w* = 0 is one point of a line."""
    sxx, sx, sxy, sy, _ = _moments(x, y)
    var = sxx - sx * sx
    w = (sxy - sx * sy) / var if var > 1e-12 * max(sxx, 1e-300) else 0.0
    return float(w), float(sy - w * sx)


def mse_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of the MSE in (w, b): 2·[[E[x²], E[x]], [E[x], 1]] (the same everywhere)."""
    sxx, sx = float(np.mean(x * x)), float(np.mean(x))
    return 2.0 * np.array([[sxx, sx], [sx, 1.0]])


def stable_lr_bound(x: np.ndarray) -> float:
    """Full-batch gradient descent on the MSE converges iff lr < 2 / λ_max(Hessian)."""
    return float(2.0 / np.linalg.eigvalsh(mse_hessian(x))[-1])


# ---------------------------------------------------------------- MAE


def mae_at(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MAE at paired arrays w, b of shape (T,), in chunks to bound memory."""
    w = np.atleast_1d(np.asarray(w, dtype=np.float64))
    b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    out = np.empty(w.shape[0])
    chunk = max(1, 4_000_000 // max(1, x.shape[0]))
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(0, w.shape[0], chunk):
            ws, bs = w[s : s + chunk, None], b[s : s + chunk, None]
            out[s : s + chunk] = np.mean(np.abs(ws * x + bs - y), axis=1)
    return out


def mae_surface(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """MAE over the grid, shape (n_b, n_w), exact, in O(n_w · (N + n_b)).

    For each w the residuals r = y − w·x are assigned to the first grid value of b at or
    above them; cumulative counts and sums then give
    Σ|r − b_j| = b_j·c_j − s_j + (S − s_j) − b_j·(N − c_j), with c_j, s_j over r ≤ b_j.
    """
    b_axis, w_axis = grid.b, grid.w
    n, g = x.shape[0], b_axis.shape[0]
    step = (b_axis[-1] - b_axis[0]) / (g - 1)
    out = np.empty((g, w_axis.shape[0]))
    rows = max(1, 2_000_000 // max(1, n))  # rows of w per chunk: about 16 MB of float64
    offsets = None
    for s in range(0, w_axis.shape[0], rows):
        ws = w_axis[s : s + rows]
        r = y[None, :] - ws[:, None] * x[None, :]  # (rows, N)
        idx = np.ceil((r - b_axis[0]) / step)
        np.clip(idx, 0, g, out=idx)  # g means "above every grid value"
        if offsets is None or offsets.shape[0] != ws.shape[0]:
            offsets = (np.arange(ws.shape[0]) * (g + 1))[:, None]
        flat = (idx.astype(np.int64) + offsets).ravel()
        size = ws.shape[0] * (g + 1)
        count = np.bincount(flat, minlength=size).reshape(ws.shape[0], g + 1)[:, :g]
        total = np.bincount(flat, weights=r.ravel(), minlength=size).reshape(-1, g + 1)[:, :g]
        c = np.cumsum(count, axis=1)  # (rows, n_b): residuals ≤ b_j
        sb = np.cumsum(total, axis=1)
        s_all = r.sum(axis=1, keepdims=True)
        bj = b_axis[None, :]
        out[:, s : s + rows] = ((bj * c - sb) + (s_all - sb) - bj * (n - c)).T / n
    return np.maximum(out, 0.0)


def mae_surface_naive(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Reference: the grid × N broadcast, one row of b at a time (for tests and benchmarks)."""
    w = grid.w
    return np.stack([np.mean(np.abs(w[:, None] * x + bj - y), axis=1) for bj in grid.b])


def _mae_profile(x: np.ndarray, y: np.ndarray, w: float) -> tuple[float, float]:
    """min over b of MAE(w, b), reached at b = median(y − w·x)."""
    r = y - w * x
    b = float(np.median(r))
    return float(np.mean(np.abs(r - b))), b


def least_absolute(x: np.ndarray, y: np.ndarray, iters: int = 200) -> tuple[float, float, float]:
    """A minimiser (w*, b*) of the MAE and the minimum value.

    The profile g(w) = min_b MAE(w, b) is convex and piecewise linear, so a golden-section
    search on a wide bracket around the least-squares slope finds its minimum. The MAE may be
    minimised by a whole segment or polygon; this returns one of its points.
    """
    w_ls, _ = least_squares(x, y)
    sx, sy = float(np.std(x)), float(np.std(y))
    half = 10.0 * (abs(w_ls) + (sy / sx if sx > 0 else 0.0) + 1.0)
    lo, hi = w_ls - half, w_ls + half
    ratio = (np.sqrt(5.0) - 1) / 2
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = _mae_profile(x, y, c)[0], _mae_profile(x, y, d)[0]
    for _ in range(iters):
        if hi - lo < 1e-12 * max(1.0, abs(lo)):
            break
        if fc <= fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = _mae_profile(x, y, c)[0]
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = _mae_profile(x, y, d)[0]
    w = (lo + hi) / 2
    value, b = _mae_profile(x, y, w)
    return float(w), b, value


def minimizing_set(z: np.ndarray, grid: Grid, minimum: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid points whose loss is within 1e-9 (relative) of ``minimum``: the flat bottom, if any."""
    tol = 1e-9 * max(1.0, abs(minimum))
    jj, ii = np.nonzero(z <= minimum + tol)
    return grid.w[ii], grid.b[jj]
