"""Two-dimensional surfaces for the optimizer race: name → :class:`Landscape`.

Each landscape has its value as torch operations (so gradients and Hessians come from
autograd), its critical points in its window (minima, saddles, maxima), a default window and a
default start. ``tests/test_critical_points.py`` finds every critical point in each window by
Newton's method and checks these lists against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from playground import expr, surfaces
from playground.i18n import UserError

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Point:
    """A critical point: position, value, and kind ("min", "local_min", "saddle", "max").

    "min" is a lowest minimum in the window (there may be several of equal value), "local_min"
    any other minimum.
    """

    x: float
    y: float
    value: float
    kind: str = "min"


@dataclass(frozen=True, eq=False)
class Landscape:
    """A surface f(x, y) with what is known about it, and a default race on it.

    Attributes
    ----------
    key : str
        Registry name.
    fn : callable
        f(x, y) on torch tensors of any (equal) shape, elementwise.
    window : (x_min, x_max, y_min, y_max)
    start : (x, y)
    minima, saddles, maxima : tuple of Point
        Every critical point strictly inside the window, found by Newton's method in float64
        and given to about 12 digits. A degenerate critical point (a zero Hessian eigenvalue)
        is listed by what f does around it: the monkey saddle's origin, where f = r³·cos 3θ
        goes both up and down, is a saddle. Deliberate omissions, each checked by count in
        ``tests/test_critical_points.py``:

        - Rastrigin lists its 121 minima but not its 220 saddles and 100 maxima (one at each
          pair of 1-D critical points of x² − 10·cos 2πx, a minimum near every integer and a
          maximum near every half-integer): 320 more markers would hide the map, and in a
          regular lattice they teach nothing the minima do not.
        - The MAE regression surface is piecewise linear: its gradient never vanishes, and its
          minimum is a kink (computed by :func:`surfaces.least_absolute`).
        - A custom surface lists nothing: its formula is the user's.
    log_colour : bool
        Colour contours by log of the value (for values that span decades).
    latex : str
    grid_fn : callable, optional
        A faster exact way to evaluate the grid (regression surfaces).
    terms : int
        How many terms one value of f sums (the data points of a regression surface): what
        one point costs in memory when derivatives are taken.
    steps, race : int, tuple of str
        Default number of steps and contestants (text form of RunSpec) on this surface.
    """

    key: str
    fn: Fn
    window: tuple[float, float, float, float]
    start: tuple[float, float]
    minima: tuple[Point, ...] = ()
    saddles: tuple[Point, ...] = ()
    maxima: tuple[Point, ...] = ()
    log_colour: bool = False
    latex: str = ""
    grid_fn: Callable[[int], np.ndarray] | None = None
    terms: int = 1
    steps: int = 300
    race: tuple[str, ...] = (
        "sgd:lr=0.01",
        "momentum:lr=0.01",
        "nesterov:lr=0.01",
        "rmsprop:lr=0.01",
        "adam:lr=0.05",
    )

    def value(self, xy: np.ndarray) -> np.ndarray:
        """f at points of shape (T, 2) → (T,)."""
        with torch.no_grad():
            t = torch.as_tensor(np.asarray(xy, dtype=np.float64))
            return self.fn(t[:, 0], t[:, 1]).numpy()

    def gradient(self, xy: np.ndarray) -> np.ndarray:
        """∇f at points of shape (T, 2) → (T, 2), by autograd."""
        t = torch.as_tensor(np.array(xy, dtype=np.float64)).requires_grad_(True)
        self.fn(t[:, 0], t[:, 1]).sum().backward()
        return t.grad.numpy()

    def hessian_eigenvalues(self, xy: np.ndarray) -> np.ndarray:
        """Eigenvalues (ascending) of the Hessian at points of shape (T, 2) → (T, 2)."""

        def f(p: torch.Tensor) -> torch.Tensor:
            return self.fn(p[0], p[1])

        pts = torch.as_tensor(np.asarray(xy, dtype=np.float64))  # (T, 2)
        # a batch of points holds about HESSIAN_BATCH values of the surface's inner terms in
        # memory at once (each point's Hessian of an MAE over 100,000 data points holds 100,000
        # of them, several times over): 1,000 steps at once took the server to 8 GB
        size = max(1, HESSIAN_BATCH // max(1, self.terms))
        hessian = torch.vmap(torch.func.hessian(f))
        parts = [hessian(pts[i : i + size]) for i in range(0, len(pts), size)]  # (≤ size, 2, 2)
        hess = torch.cat(parts) if parts else torch.zeros(0, 2, 2, dtype=torch.float64)
        return torch.linalg.eigvalsh(hess).numpy()

    def axes(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        x0, x1, y0, y1 = self.window
        return np.linspace(x0, x1, n), np.linspace(y0, y1, n)

    def grid(self, n: int) -> np.ndarray:
        """Values on an n × n grid over the window, shape (n_y, n_x)."""
        if self.grid_fn is not None:
            return self.grid_fn(n)
        xs, ys = self.axes(n)
        with torch.no_grad():
            gx, gy = torch.meshgrid(torch.from_numpy(xs), torch.from_numpy(ys), indexing="xy")
            return self.fn(gx, gy).numpy()

    @cached_property
    def peak(self) -> float:
        """The largest finite |f| on a 41 × 41 grid of the window (a yardstick for blow-ups)."""
        with np.errstate(invalid="ignore"):
            z = np.abs(self.grid(41))
        finite = z[np.isfinite(z)]
        return float(finite.max()) if finite.size else 1.0

    @cached_property
    def lowest(self) -> Point | None:
        """The lowest minimum: the lowest listed one, else (a surface of your own) found
        numerically — the lowest point of a 201 × 201 grid, polished by L-BFGS; the window's
        centre if f is flat — or None when that point is on the window's edge (f goes lower
        outside, as x² − y² does)."""
        if self.minima:
            return min(self.minima, key=lambda p: p.value)
        n = 201
        with np.errstate(invalid="ignore"):
            z = np.where(np.isfinite(grid := self.grid(n)), grid, np.inf)  # (n, n)
        iy, ix = np.unravel_index(int(np.argmin(z)), z.shape)
        xs, ys = self.axes(n)
        if np.isfinite(z[iy, ix]):  # a valley of equal lowest points (x² along x = 0) reaches
            # the edge too: the one nearest the centre, inside (the first found was on the edge,
            # and x² was said to go lower past it)
            low = float(z[iy, ix])
            lowest = z <= low + 1e-12 * max(1.0, abs(low))
            lowest[[0, -1], :] = lowest[:, [0, -1]] = False
            if lowest.any():
                rows, cols = np.nonzero(lowest)
                k = int(np.argmin((rows - n // 2) ** 2 + (cols - n // 2) ** 2))
                iy, ix = int(rows[k]), int(cols[k])
        if np.isfinite(z).all() and np.ptp(z) <= 1e-12 * max(1.0, float(np.abs(z).max())):
            return Point(float(xs[n // 2]), float(ys[n // 2]), float(z[iy, ix]))  # flat: anywhere
        if not np.isfinite(z[iy, ix]) or min(ix, iy) == 0 or max(ix, iy) == n - 1:
            return None
        point = torch.tensor([xs[ix], ys[iy]], dtype=torch.float64, requires_grad=True)
        # polished by L-BFGS from the grid's lowest point (kept if the polish fails or is worse)
        opt = torch.optim.LBFGS([point], max_iter=100, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            opt.zero_grad()
            value = self.fn(point[0], point[1])
            value.backward()
            return value

        try:
            with np.errstate(all="ignore"):
                opt.step(closure)
        except (IndexError, RuntimeError):  # (torch's strong-Wolfe search fails where f is
            # undefined, NaN: log(x) left x > 0, and the race was "Something went wrong")
            return Point(float(xs[ix]), float(ys[iy]), float(z[iy, ix]))
        x, y = (float(v) for v in point.detach())
        x0, x1, y0, y1 = self.window
        polished = float(self.value(np.array([[x, y]]))[0])
        if x0 < x < x1 and y0 < y < y1 and polished <= z[iy, ix]:
            return Point(x, y, polished)
        return Point(float(xs[ix]), float(ys[iy]), float(z[iy, ix]))

    @property
    def scale(self) -> float:
        """Half the window's diagonal: the yardstick for "near" and "far"."""
        x0, x1, y0, y1 = self.window
        return float(np.hypot(x1 - x0, y1 - y0) / 2)


# ---------------------------------------------------------------- the catalogue


def _rastrigin_minima() -> tuple[Point, ...]:
    """Local minima of x² − 10·cos(2πx) near each integer, by Newton's method, in 2-D pairs."""
    roots = []
    for k in range(-5, 6):
        x = float(k)
        for _ in range(50):
            g = 2 * x + 20 * np.pi * np.sin(2 * np.pi * x)
            h = 2 + 40 * np.pi**2 * np.cos(2 * np.pi * x)
            x -= g / h
        roots.append(x)

    def f1(v: float) -> float:
        return v * v - 10 * np.cos(2 * np.pi * v) + 10

    pts = [
        Point(a, b, f1(a) + f1(b), "min" if a == b == 0 else "local_min")
        for a in roots
        for b in roots
    ]
    return tuple(sorted(pts, key=lambda p: p.value))


HIMMELBLAU_MINIMA = (
    Point(3.0, 2.0, 0.0),
    Point(-2.805118086953, 3.131312518251, 0.0),
    Point(-3.779310253378, -3.283185991286, 0.0),
    Point(3.584428340330, -1.848126526964, 0.0),
)


def _him(x: float, y: float) -> float:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


HIMMELBLAU_SADDLES = tuple(
    Point(x, y, _him(x, y), "saddle")
    for x, y in (
        (0.086677504555, 2.884254701175),
        (-3.073025750764, -0.081353044288),
        (3.385154183607, 0.073851879838),
        (-0.127961346731, -1.953714980245),
    )
)
HIMMELBLAU_MAXIMA = (
    Point(-0.270844590667, -0.923038556480, _him(-0.270844590667, -0.923038556480), "max"),
)


def _beale(x, y):
    """Beale's function on floats or torch tensors."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


# Two saddles: (0, 1), where the level lines x = 0 and y = 1 of value 14.203125 cross, and a
# shallow one below (Hessian eigenvalues ≈ −0.78 and 867.75), by Newton's method in float64.
BEALE_SADDLES = tuple(
    Point(x, y, _beale(x, y), "saddle") for x, y in ((0.0, 1.0), (0.100537937324, -2.644513585023))
)


def _two_basin(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (x**2 - 1) ** 2 + 0.3 * x + y**2


def _tb(x: float) -> float:
    return float(_two_basin(torch.tensor(x, dtype=torch.float64), torch.tensor(0.0)))


def _race(sgd: float, momentum: float, nesterov: float, rmsprop: float, adam: float):
    """The five default contestants with the learning rates that suit a surface."""
    lrs = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "rmsprop": rmsprop, "adam": adam}
    return tuple(f"{name}:lr={lr:g}" for name, lr in lrs.items())


@dataclass(frozen=True)
class SurfaceOptions:
    """What some landscapes need besides their name."""

    kappa: float = 10.0  # condition number of the ill-conditioned bowl
    formula: str = "sin(x)*y**2 + 0.1*x"  # the custom f(x, y)
    window: float = 3.0  # half-width of the custom surface's window


MAX_KAPPA = 1e4
HESSIAN_BATCH = 2**20  # terms of f held at once when Hessians are taken (≈ 100 MB)


def _bowl(options: SurfaceOptions) -> Landscape:
    k = float(options.kappa)
    if not 1.0 <= k <= MAX_KAPPA:
        raise UserError("err_kappa_range", high=MAX_KAPPA)
    return Landscape(
        "bowl",
        lambda x, y: 0.5 * (x**2 + k * y**2),
        (-3.0, 3.0, -3.0, 3.0),
        (-2.5, 2.0),
        (Point(0.0, 0.0, 0.0),),
        log_colour=True,
        latex=rf"f=\tfrac12\,(x^2+\kappa y^2),\ \kappa={k:g}",
        steps=100,
        race=_race(0.09, 0.02, 0.02, 0.05, 0.1),
    )


def _custom(options: SurfaceOptions) -> Landscape:
    fn = expr.parse(options.formula)
    h = float(options.window)
    if not (np.isfinite(h) and 0.01 <= h <= 1000):
        raise UserError("err_window_range")
    start = round(0.6 * h, 6)  # (1.8, not 1.7999999999999998)
    formula = "f=" + expr.latex(options.formula)  # written from the checked tree, not the text
    land = Landscape("custom", fn, (-h, h, -h, h), (start, start), latex=formula)
    with np.errstate(all="ignore"):
        if not np.isfinite(land.grid(41)).any():  # nothing to draw or to race on
            raise UserError("err_expr_not_finite")
    return land


BUILDERS: dict[str, Callable[[SurfaceOptions], Landscape]] = {
    "saddle": lambda o: Landscape(
        "saddle",
        lambda x, y: x**2 - y**2,
        (-2.0, 2.0, -2.0, 2.0),
        (1.0, 0.001),
        saddles=(Point(0.0, 0.0, 0.0, "saddle"),),
        latex=r"f=x^2-y^2",
        steps=100,
        race=_race(0.01, 0.01, 0.01, 0.01, 0.01),
    ),
    "monkey": lambda o: Landscape(
        "monkey",
        lambda x, y: x**3 - 3 * x * y**2,
        (-2.0, 2.0, -2.0, 2.0),
        (1.0, 0.2),
        saddles=(Point(0.0, 0.0, 0.0, "saddle"),),
        latex=r"f=x^3-3xy^2",
        steps=100,
        race=_race(0.01, 0.01, 0.01, 0.01, 0.01),
    ),
    "bowl": _bowl,
    "rosenbrock": lambda o: Landscape(
        "rosenbrock",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        (-2.0, 2.0, -1.0, 3.0),
        (-1.5, 2.0),
        (Point(1.0, 1.0, 0.0),),
        log_colour=True,
        latex=r"f=(1-x)^2+100\,(y-x^2)^2",
        steps=2000,
        race=_race(0.001, 0.001, 0.001, 0.01, 0.05),
    ),
    "beale": lambda o: Landscape(
        "beale",
        _beale,
        (-4.5, 4.5, -4.5, 4.5),
        (1.0, 1.5),
        (Point(3.0, 0.5, 0.0),),
        BEALE_SADDLES,
        log_colour=True,
        latex=r"f=(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2",
        steps=1000,
        race=_race(0.01, 0.001, 0.001, 0.01, 0.05),
    ),
    "himmelblau": lambda o: Landscape(
        "himmelblau",
        lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        (-5.0, 5.0, -5.0, 5.0),
        (0.0, -0.5),
        HIMMELBLAU_MINIMA,
        HIMMELBLAU_SADDLES,
        HIMMELBLAU_MAXIMA,
        log_colour=True,
        latex=r"f=(x^2+y-11)^2+(x+y^2-7)^2",
        race=_race(0.01, 0.002, 0.002, 0.05, 0.1),
    ),
    "rastrigin": lambda o: Landscape(
        "rastrigin",
        lambda x, y: (
            20 + x**2 - 10 * torch.cos(2 * torch.pi * x) + y**2 - 10 * torch.cos(2 * torch.pi * y)
        ),
        (-5.12, 5.12, -5.12, 5.12),
        (3.3, 2.6),
        _rastrigin_minima(),  # its 220 saddles and 100 maxima are left off: see Landscape
        latex=r"f=20+x^2-10\cos 2\pi x+y^2-10\cos 2\pi y",
        race=_race(0.002, 0.002, 0.002, 0.05, 0.1),
    ),
    "two_basin": lambda o: Landscape(
        "two_basin",
        _two_basin,
        (-2.0, 2.0, -1.5, 1.5),
        (1.8, 1.0),
        (
            Point(-1.035578714089, 0.0, _tb(-1.035578714089)),
            Point(0.960149555519, 0.0, _tb(0.960149555519), "local_min"),
        ),
        (Point(0.075429158570, 0.0, _tb(0.075429158570), "saddle"),),
        latex=r"f=(x^2-1)^2+0.3\,x+y^2",
    ),
    "custom": _custom,
}
REGRESSION = ("regression_mse", "regression_mae")
NAMES = (*BUILDERS, *REGRESSION)


def get(name: str, options: SurfaceOptions | None = None, data=None) -> Landscape:
    """Build the landscape called ``name``.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    options : SurfaceOptions, optional
    data : (x, y) arrays, optional
        The data of the regression surfaces (the classic three points by default).
    """
    options = options or SurfaceOptions()
    if name in BUILDERS:
        return BUILDERS[name](options)
    if name in REGRESSION:
        return _regression(name, *(data or (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))))
    raise UserError("err_unknown_surface", name=str(name)[:30], allowed=", ".join(NAMES))


def _regression(name: str, x: np.ndarray, y: np.ndarray) -> Landscape:
    """MSE or MAE of y' = w·x + b over (w, b) = (x, y) of the race: the loss-surface view's data."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    grid = surfaces.fit_window(x, y)
    window = (grid.w_min, grid.w_max, grid.b_min, grid.b_max)
    start = (  # (a start box shows -0.4, not -0.39999999999999997)
        float(f"{grid.w_min + 0.1 * (grid.w_max - grid.w_min):.6g}"),
        float(f"{grid.b_max - 0.1 * (grid.b_max - grid.b_min):.6g}"),
    )

    def on_grid(n: int) -> np.ndarray:
        g = surfaces.Grid(*window, n=n)
        return (
            surfaces.mse_surface(x, y, g) if name.endswith("mse") else surfaces.mae_surface(x, y, g)
        )

    if name.endswith("mse"):
        fn = surfaces.Moments.of(x, y).mse  # exact for data far from the origin

        w2, b2 = surfaces.least_squares(x, y)
        minima = (Point(w2, b2, float(surfaces.mse_at(x, y, w2, b2))),)
        latex = r"f(w,b)=\frac1N\sum_i(w x_i+b-y_i)^2"
    else:

        def fn(w, b):
            return (w.unsqueeze(-1) * xt + b.unsqueeze(-1) - yt).abs().mean(-1)

        w1, b1, v1 = surfaces.least_absolute(x, y)
        minima = (Point(w1, b1, v1),)
        latex = r"f(w,b)=\frac1N\sum_i|w x_i+b-y_i|"
    return Landscape(
        name,
        fn,
        window,
        start,
        minima,
        log_colour=name.endswith("mse"),
        latex=latex,
        grid_fn=on_grid,
        terms=int(x.shape[0]) if name.endswith("mae") else 1,  # (the MSE's moments are 5 numbers)
        race=_race(0.05, 0.05, 0.05, 0.05, 0.1),
    )
