"""Loss surfaces of linear regression y' = w·x + b over a (w, b) grid.

Surfaces are arrays ``Z`` of shape (n_b, n_w) with ``Z[j, i] = L(w_i, b_j)`` (plotly's
convention: rows follow the y axis). Both fast paths are exact, not approximations:

* MSE from five centred sufficient statistics (:class:`Moments`), so a 401 × 401 surface
  costs the same for 3 or 100,000 points, and stays exact for data far from the origin.
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


@dataclass(frozen=True)
class Moments:
    """Centred sufficient statistics of the MSE, exact for data with any offset.

    With c_x, c_y the means, S_xx = E[(x − c_x)²], w* = E[(x − c_x)(y − c_y)] / S_xx and
    R = E[(y − c_y − w*·(x − c_x))²] (the least-squares residual), for every (w, b)

        MSE(w, b) = S_xx·(w − w*)² + R + (w·c_x + b − c_y)².

    Each term is non-negative, so nothing cancels near the minimum: raw moments
    (E[x²], E[xy], …) lose all their digits when x is a Unix time or a GPS latitude.
    """

    cx: float
    cy: float
    sxx: float
    w_star: float
    resid: float

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> Moments:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        cx, cy = _centre(x), _centre(y)
        dx, dy = x - cx, y - cy  # (N,)
        sxx = float(np.mean(dx * dx))
        w = float(np.mean(dx * dy)) / sxx if not constant(x) and sxx > 0 else 0.0
        return cls(cx, cy, sxx, w, float(np.mean((dy - w * dx) ** 2)))

    def mse(self, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        """MSE at broadcastable arrays (or torch tensors) of w and b."""
        offset = w * self.cx + b - self.cy
        return self.sxx * (w - self.w_star) ** 2 + self.resid + offset * offset


def _centre(v: np.ndarray) -> float:
    """The mean, corrected by a second pass (exact to rounding for any offset)."""
    m = float(np.mean(v))
    return m + float(np.mean(v - m))


def constant(x: np.ndarray) -> bool:
    """True if every x is the same: then the MSE and the MAE are minimal on a whole line."""
    return bool(np.ptp(np.asarray(x)) == 0) if np.size(x) else True


def mse_at(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MSE at any broadcastable arrays of w and b, in O(N + size of w, b) (see :class:`Moments`)."""
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return Moments.of(x, y).mse(w, b)


def mse_surface(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """MSE over the grid, shape (n_b, n_w)."""
    return mse_at(x, y, grid.w[None, :], grid.b[:, None])


def mse_surface_naive(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Reference: the grid × N broadcast, one row of b at a time (for tests and benchmarks)."""
    w = grid.w
    return np.stack([np.mean((w[:, None] * x + bj - y) ** 2, axis=1) for bj in grid.b])


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Closed-form MSE minimiser (w*, b*), from centred moments.

    With constant x every line through (x₀, mean y) is a minimiser; this returns w* = 0
    (:func:`constant` tells the caller to say so).
    """
    m = Moments.of(x, y)
    return float(m.w_star), float(m.cy - m.w_star * m.cx)


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


LP_SECONDS = 5.0  # the most one linear program of the MAE's minimum may take (an upload's)


def least_absolute(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """A minimiser (w*, b*) of the MAE and the minimum value, exactly.

    The least-absolute-deviations line is a linear program, and one of its optimal vertices is
    a line through two data points. Starting from the point nearest the least-squares line,
    each pass keeps one point k fixed and turns the line about it to the best slope: with
    sᵢ = (yᵢ − y_k)/(xᵢ − x_k), Σ|yᵢ − y_k − w·(xᵢ − x_k)| = Σ|xᵢ − x_k|·|sᵢ − w| is least at a
    weighted median of the sᵢ, reached through another point j, which becomes the pivot of
    the next pass (Wesolowsky 1981). It stops when a pass no longer lowers the loss.

    The answer is then *proved* optimal by the LP's dual (the subgradient condition): signs
    uᵢ = sign(rᵢ) off the line, uᵢ ∈ [−1, 1] on it, with Σuᵢ = 0 and Σuᵢ·xᵢ = 0. If no such
    certificate exists (data with many ties on the line), the LP is solved by HiGHS instead,
    within ``LP_SECONDS`` (past them, the descent's line stands: the MAE is convex, and the
    descent stops only where no pivot lowers it).
    The MAE may be minimised by a whole segment or polygon; this returns one of its points.
    With constant x (:func:`constant`) every slope is optimal: w* = 0, b* = median(y).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if constant(x):
        b = float(np.median(y))
        return 0.0, b, float(np.mean(np.abs(y - b)))
    # Centred and scaled coordinates: the same answer for timestamps or GPS latitudes.
    cx, cy = _centre(x), _centre(y)
    sx, sy = float(np.std(x - cx)), float(np.std(y - cy)) or 1.0
    u, v = (x - cx) / sx, (y - cy) / sy  # (N,), (N,)
    w, b = _lad_descent(u, v)
    if not _lad_certified(u, v, w, b):
        w, b = _lad_linprog(u, v) or (w, b)
    slope = w * sy / sx
    value = float(np.mean(np.abs(v - w * u - b))) * sy
    return float(slope), float(cy + sy * b - slope * cx), value


def _lad_descent(u: np.ndarray, v: np.ndarray, max_passes: int = 200) -> tuple[float, float]:
    """Pivot about data points to the best slope until the loss stops falling: (w, b)."""
    w_ls = float(np.mean(u * v) / np.mean(u * u))
    k = int(np.argmin(np.abs(v - w_ls * u)))
    best = (np.inf, 0.0, 0.0)
    for _ in range(max_passes):
        du, dv = u - u[k], v - v[k]
        off = du != 0
        slopes, weights = dv[off] / du[off], np.abs(du[off])
        order = np.argsort(slopes, kind="stable")
        cum = np.cumsum(weights[order])
        m = order[int(np.searchsorted(cum, 0.5 * cum[-1]))]
        w = float(slopes[m])
        b = float(v[k] - w * u[k])
        loss = float(np.sum(np.abs(v - w * u - b)))
        if loss >= best[0] * (1 - 1e-15):
            break
        best = (loss, w, b)
        k = int(np.flatnonzero(off)[m])
    return best[1], best[2]


def _lad_certified(u: np.ndarray, v: np.ndarray, w: float, b: float, tol: float = 1e-9) -> bool:
    """True if signs u_i make the subgradient of Σ|v − w·u − b| at (w, b) vanish (optimality)."""
    r = v - w * u - b
    on = np.abs(r) <= tol * (1 + np.abs(v))
    s = np.sign(r[~on])
    rhs = -np.array([s.sum(), (s * u[~on]).sum()])  # what the points on the line must balance
    if not on.any():
        return bool(np.all(np.abs(rhs) <= tol * len(u)))
    a_eq = np.vstack([np.ones(int(on.sum())), u[on]])  # (2, points on the line)
    # The smallest balance (least squares, two equations): enough when it stays in [-1, 1] —
    # zero when every point is on the line, where the LP below took 67 s for 100,000 points.
    least = a_eq.T @ np.linalg.lstsq(a_eq @ a_eq.T, rhs, rcond=None)[0]
    if np.all(np.abs(least) <= 1) and np.allclose(a_eq @ least, rhs, atol=tol * len(u)):
        return True
    from scipy.optimize import linprog  # a rare path: scipy.optimize loads on first use

    res = linprog(
        np.zeros(a_eq.shape[1]), A_eq=a_eq, b_eq=rhs, bounds=(-1, 1), method="highs",
        options={"time_limit": LP_SECONDS},
    )  # fmt: skip
    return bool(res.status == 0)


def _lad_linprog(u: np.ndarray, v: np.ndarray) -> tuple[float, float] | None:
    """The LAD line from the dual LP: max Σ dᵢvᵢ s.t. Σdᵢ = 0, Σdᵢuᵢ = 0, |dᵢ| ≤ 1.

    Its equality constraints' multipliers are −(b, w).
    """
    from scipy.optimize import linprog

    a_eq = np.vstack([np.ones_like(u), u])
    res = linprog(
        -v, A_eq=a_eq, b_eq=np.zeros(2), bounds=(-1, 1), method="highs",
        options={"time_limit": LP_SECONDS},
    )  # fmt: skip
    if res.status != 0:  # out of time: None (the descent's line stands)
        return None
    b, w = -res.eqlin.marginals
    return float(w), float(b)


def minimizing_set(z: np.ndarray, grid: Grid, minimum: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid points whose loss is within 1e-9 (relative) of ``minimum``: the flat bottom, if any."""
    tol = 1e-9 * max(1.0, abs(minimum))
    jj, ii = np.nonzero(z <= minimum + tol)
    return grid.w[ii], grid.b[jj]
