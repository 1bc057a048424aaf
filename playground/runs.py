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
from playground.landscapes import HESSIAN_BATCH
from playground.optimizers import display_name

MAX_STEPS = 2000
MAX_LR = 100.0
MIN_LR = 1e-12  # (data in the thousands is stable only below about 1e-6)
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
    schedule: object = None  # a playground.schedules.Schedule (None: a constant rate)

    def __post_init__(self) -> None:
        if self.schedule is not None and self.schedule.spec.per_epoch_only:
            raise UserError("err_schedule_epochs", name=self.schedule.key)
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
    lr : np.ndarray
        Shape (T + 1,): the learning rate of the step that led to each iterate (NaN at 0).
    """

    w: np.ndarray  # (T+1,)
    b: np.ndarray  # (T+1,)
    loss: np.ndarray  # (T+1,)
    diverged_at: int | None = None
    lr: np.ndarray | None = None  # (T+1,)

    @property
    def steps(self) -> int:
        return int(self.w.shape[0] - 1)

    def to_frame(self) -> pd.DataFrame:
        """The trajectory as columns step, w, b, loss, lr (the rate of the step that led to
        the row; empty at step 0)."""
        lr = self.lr if self.lr is not None else np.full(self.w.shape[0], np.nan)
        return pd.DataFrame(
            {
                "step": np.arange(self.w.shape[0]),
                "w": self.w,
                "b": self.b,
                "loss": self.loss,
                "lr": lr,
            }
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
    schedule = config.schedule
    scheduler = schedule.build(optimizer, config.steps) if schedule is not None else None
    features = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64)).unsqueeze(1)  # (N, 1)
    targets = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float64)).unsqueeze(1)  # (N, 1)
    batches = batch_indices(x.shape[0], config.batch_size, config.steps, config.seed)

    params = np.empty((config.steps + 1, 2))  # (T+1, 2): w, b
    params[0] = config.w0, config.b0
    rates = np.full(config.steps + 1, np.nan)  # rates[t]: of the step that led to iterate t
    last = config.steps
    for step in range(1, config.steps + 1):
        if batches is None:
            xb, yb = features, targets
        else:
            idx = torch.from_numpy(batches[step - 1])
            xb, yb = features[idx], targets[idx]
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        rates[step] = optimizer.param_groups[0]["lr"]
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        params[step] = model.weight.item(), model.bias.item()
        if not np.isfinite(params[step]).all():
            last = step
            break
    return _truncate(x, y, params[: last + 1], config.loss, rates[: last + 1])


def _truncate(
    x: np.ndarray, y: np.ndarray, params: np.ndarray, loss: str, rates: np.ndarray | None = None
) -> Trajectory:
    """Cut the iterates at the first non-finite or blown-up loss."""
    values = full_loss(x, y, params[:, 0], params[:, 1], loss)
    limit = DIVERGE_FACTOR * max(float(values[0]), 1e-12)
    bad = ~np.isfinite(values) | (values > limit) | ~np.isfinite(params).all(axis=1)
    k = int(np.argmax(bad)) if bad.any() else len(values)
    lr = rates[:k].copy() if rates is not None else None
    return Trajectory(
        params[:k, 0].copy(), params[:k, 1].copy(), values[:k], k if bad.any() else None, lr
    )


# ---------------------------------------------------------------- the optimizer race

FAR = 20.0  # a run that ends this many window half-diagonals from the window centre diverged
MAX_RACE_STEPS = 5000
MAX_NOISE = 100.0


@dataclass(frozen=True)
class RaceConfig:
    """Shared settings of a race: where every run starts and how it is disturbed.

    Attributes
    ----------
    start : (x, y)
    steps : int
    noise : float
        σ of Gaussian noise added to each gradient component (0 = exact gradients).
    clip : float
        Clip the gradient norm to this value before each step (0 = no clipping).
    seed : int
        Seed of the noise; every run gets the same noise sequence: one draw per step, added
        to every gradient evaluated in that step (L-BFGS evaluates several per step).
    """

    start: tuple[float, float]
    steps: int = 500
    noise: float = 0.0
    clip: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.steps <= MAX_RACE_STEPS:
            raise UserError("err_steps_range", high=MAX_RACE_STEPS)
        if not (np.isfinite(self.start).all() and max(map(abs, self.start)) < 1e6):
            raise UserError("err_start_finite")
        if not (0 <= self.noise <= MAX_NOISE and self.clip >= 0):
            raise UserError("err_noise_range", high=MAX_NOISE)


@dataclass(frozen=True, eq=False)
class Path:
    """Iterates of one race run: row t is the point after t steps (row 0 is the start).

    Attributes
    ----------
    xy : np.ndarray, shape (T + 1, 2)
    loss : np.ndarray, shape (T + 1,)
    grad : np.ndarray, shape (T + 1, 2)
        The exact gradient at each iterate (before noise and clipping).
    diverged_at : int or None
    """

    xy: np.ndarray  # (T+1, 2)
    loss: np.ndarray  # (T+1,)
    grad: np.ndarray  # (T+1, 2)
    diverged_at: int | None = None
    lr: np.ndarray | None = None  # (T+1,): the rate of the step that led to each row (NaN at 0)

    @property
    def steps(self) -> int:
        return int(self.xy.shape[0] - 1)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "step": np.arange(self.xy.shape[0]),
                "x": self.xy[:, 0],
                "y": self.xy[:, 1],
                "loss": self.loss,
            }
        )


def check_start(landscape, start: tuple[float, float]) -> None:
    """Raise a UserError if f or its gradient is not finite at ``start`` (x, y)."""
    with np.errstate(all="ignore"):
        point = np.array([start], dtype=float)  # (1, 2)
        if not (
            np.isfinite(landscape.value(point)).all()
            and np.isfinite(landscape.gradient(point)).all()
        ):
            x, y = (f"{v:.4g}" for v in start)
            raise UserError("err_start_value", x=x, y=y)


def race(landscape, contestants, config: RaceConfig) -> list[Path]:
    """Minimise ``landscape.fn`` from ``config.start`` with each run's torch optimizer.

    The runs advance in lockstep: their points are stacked for one forward and backward
    pass per step (valid because f acts on each point separately), then each run's own
    ``torch.optim`` instance steps its own point. LBFGS, which re-evaluates f inside its
    step, runs on its own.

    Parameters
    ----------
    landscape : playground.landscapes.Landscape
    contestants : sequence of playground.optimizers.RunSpec
    config : RaceConfig

    Raises
    ------
    UserError
        If f or its gradient is not finite at the start (then no run could take a step).

    Returns
    -------
    list of Path
        One per run, in order. A run stops at its first non-finite value, or when its loss
        exceeds ten times the highest value on the map, or when it goes further than ``FAR``
        window half-diagonals from the window centre; ``diverged_at`` says where.
    """
    check_start(landscape, config.start)  # (every run would stop before step 1)
    out: dict[int, Path] = {}
    batch = [i for i, r in enumerate(contestants) if r.spec.elementwise]
    for i, r in enumerate(contestants):
        if i not in batch:
            out[i] = _lockstep(landscape, [r], config)[0]
    if batch:
        for i, path in zip(
            batch, _lockstep(landscape, [contestants[i] for i in batch], config), strict=True
        ):
            out[i] = path
    return [out[i] for i in range(len(contestants))]


def run_optimizer(landscape, run, config: RaceConfig) -> Path:
    """One run of :func:`race`."""
    return race(landscape, [run], config)[0]


def _lockstep(landscape, contestants, config: RaceConfig) -> list[Path]:
    n_runs, steps = len(contestants), config.steps
    points = [
        torch.tensor(config.start, dtype=torch.float64, requires_grad=True) for _ in contestants
    ]
    # Runs of one torch.optim class share an instance, one param group each: every group
    # keeps its own settings and state, and one .step() call updates them all.
    # Runs with a schedule get an instance per schedule: a torch scheduler acts on every group
    # of its optimizer. ``scheduler.step()`` follows each ``optimizer.step()``.
    groups: dict[tuple, list[dict]] = {}
    where: list[tuple[tuple, int]] = []  # each run's optimizer and group index
    for r, p in zip(contestants, points, strict=True):
        if r.schedule is not None and r.schedule.spec.per_epoch_only:
            raise UserError("err_schedule_epochs", name=r.schedule.key)
        kind = (r.spec.cls, r.schedule)
        where.append((kind, len(groups.get(kind, []))))
        groups.setdefault(kind, []).append({"params": [p], **r.spec.kwargs(dict(r.values))})
    optimizers = [kind[0](param_groups) for kind, param_groups in groups.items()]
    schedulers = [
        kind[1].build(opt, steps) if kind[1] is not None else None
        for kind, opt in zip(groups, optimizers, strict=True)
    ]
    index = {kind: i for i, kind in enumerate(groups)}
    rate_of = [(optimizers[index[kind]], g) for kind, g in where]
    gen = torch.Generator().manual_seed(config.seed)
    # NaN-filled: rows after a stop (below) are never written, and read as not finite.
    xy = torch.full((steps + 1, n_runs, 2), torch.nan, dtype=torch.float64)
    loss = torch.full((steps + 1, n_runs), torch.nan, dtype=torch.float64)
    grad = torch.full((steps + 1, n_runs, 2), torch.nan, dtype=torch.float64)
    rates = np.full((steps + 1, n_runs), np.nan)  # rates[t]: of the step that led to row t
    lbfgs = isinstance(optimizers[0], torch.optim.LBFGS)

    def evaluate() -> torch.Tensor:
        for p in points:
            p.grad = None
        stacked = torch.stack(points)  # (R, 2)
        values = landscape.fn(stacked[:, 0], stacked[:, 1])  # (R,)
        values.sum().backward()
        return values

    noise = torch.zeros(2, dtype=torch.float64)  # this step's draw, shared by every run

    def disturb() -> None:
        if config.noise:
            for p in points:
                p.grad.add_(noise)
        if config.clip:
            for p in points:
                torch.nn.utils.clip_grad_norm_([p], config.clip)

    def closure() -> torch.Tensor:  # LBFGS re-evaluates f inside its step
        value = evaluate()
        disturb()
        return value.sum()

    # A run that blows up only produces inf/NaN in its own row, and is cut at its first bad
    # iterate afterwards; the loop stops once no run is finite (L-BFGS, for one, would spend
    # ~30 ms a step on NaN history until the end: 22 s for 300 steps).
    for step in range(steps + 1):
        values = evaluate()
        xy[step] = torch.stack(points).detach()
        loss[step] = values.detach()
        grad[step] = torch.stack([p.grad for p in points])
        if step == steps or not torch.isfinite(loss[step]).any():
            break
        if config.noise:  # one draw per step: L-BFGS's inner evaluations get the same noise
            noise = config.noise * torch.randn(2, generator=gen, dtype=torch.float64)
        disturb()
        rates[step + 1] = [opt.param_groups[g]["lr"] for opt, g in rate_of]
        for opt, scheduler in zip(optimizers, schedulers, strict=True):
            opt.step(closure) if lbfgs else opt.step()
            if scheduler is not None:
                scheduler.step()
    return _cut(landscape, xy.numpy(), loss.numpy(), grad.numpy(), rates)


def _cut(landscape, xy: np.ndarray, loss: np.ndarray, grad: np.ndarray, rates=None) -> list[Path]:
    """Split the lockstep history (T+1, R, …) into paths, each cut at its first bad iterate."""
    x0, x1, y0, y1 = landscape.window
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    limit = max(10 * landscape.peak, 10 * float(np.nanmax(np.abs(loss[0]))))
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.linalg.norm(xy - centre, axis=2)  # (T+1, R)
        bad = ~np.isfinite(loss) | ~np.isfinite(grad).all(2) | ~np.isfinite(xy).all(2)
        bad |= (loss > limit) | (dist > FAR * landscape.scale)
    paths = []
    for r in range(xy.shape[1]):
        k = int(np.argmax(bad[:, r])) if bad[:, r].any() else None
        end = xy.shape[0] if k is None else k
        lr = rates[:end, r].copy() if rates is not None else None
        paths.append(Path(xy[:end, r].copy(), loss[:end, r].copy(), grad[:end, r].copy(), k, lr))
    return paths


MAX_BASIN = 100  # start points per axis
DIVERGED, NOT_CONVERGED = -2, -1


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where each start point of a grid ends up.

    Attributes
    ----------
    xs, ys : np.ndarray
        Start coordinates, shapes (n,) and (n,).
    label : np.ndarray, shape (n, n)
        ``label[j, i]`` for start (xs[i], ys[j]): the index of the minimum it converged to,
        NOT_CONVERGED, or DIVERGED.
    final : np.ndarray, shape (n, n, 2)
    """

    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray
    final: np.ndarray


def basin_map(landscape, run, n: int = 50, steps: int = 300, tol: float | None = None) -> BasinMap:
    """Run ``run`` from every point of an n × n grid over the window, all at once.

    All start points are rows of one (n², 2) parameter tensor driven by one torch.optim
    instance. That is valid because these optimizers update each element from its own
    gradient history only, and f acts on each row separately, so the gradient of the sum is
    each row's own gradient. LBFGS is excluded: its line search and curvature pairs mix all
    rows into one problem.

    A start converged to a minimum if it ends within ``tol`` (default: 2 % of the window's
    half-diagonal) of it; it diverged if it ends non-finite or far outside the window.
    """
    if not run.spec.elementwise:
        raise UserError("err_basin_lbfgs")
    if not (2 <= n <= MAX_BASIN and 1 <= steps <= MAX_RACE_STEPS):
        raise UserError("err_basin_range", high=MAX_BASIN, steps=MAX_RACE_STEPS)
    xs, ys = landscape.axes(n)
    gx, gy = np.meshgrid(xs, ys)  # (n, n) each, row j = ys[j]
    starts = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (n², 2)
    points = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    optimizer = run.spec.build([points], dict(run.values))
    if run.schedule is not None and run.schedule.spec.per_epoch_only:
        raise UserError("err_schedule_epochs", name=run.schedule.key)
    scheduler = run.schedule.build(optimizer, steps) if run.schedule is not None else None
    # The gradient of the sum is each row's own: it is taken over blocks of rows, each holding
    # about HESSIAN_BATCH of the surface's terms (an MAE over 100,000 points held 2,500 × 100,000
    # of them at once: gigabytes), and the blocks' gradients add up in points.grad.
    block = max(1, HESSIAN_BATCH // max(1, landscape.terms))
    for _ in range(steps):
        optimizer.zero_grad()
        for i in range(0, len(starts), block):
            part = points[i : i + block]
            landscape.fn(part[:, 0], part[:, 1]).sum().backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    final = points.detach().numpy()  # (n², 2)
    tol = 0.02 * landscape.scale if tol is None else tol
    label = np.full(final.shape[0], NOT_CONVERGED)
    x0, x1, y0, y1 = landscape.window
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    with np.errstate(invalid="ignore"):
        if landscape.minima:
            mins = np.array([[m.x, m.y] for m in landscape.minima])  # (M, 2)
            dist = np.linalg.norm(final[:, None, :] - mins[None], axis=2)  # (n², M)
            nearest = np.nanargmin(np.where(np.isfinite(dist), dist, np.inf), axis=1)
            close = dist[np.arange(len(final)), nearest] <= tol
            label[close] = nearest[close]
        far = np.linalg.norm(final - centre, axis=1) > FAR * landscape.scale
        label[~np.isfinite(final).all(axis=1) | far] = DIVERGED
    return BasinMap(xs, ys, label.reshape(n, n), final.reshape(n, n, 2))


def escape_step(landscape, path: Path) -> int | None:
    """The first step at which a run that started at a saddle's level is clearly below it.

    A run starts *at* a saddle when its first loss is no more than half the saddle's depth
    (its height above the lowest listed minimum) above the saddle's value, and not clearly
    below it: on the saddle's ridge, or beside it. Of such saddles, the one the path comes
    nearest to counts (the × a student sees it go by). A run that starts high above every
    saddle (Beale's and two-basin's default starts) did not escape one: None, shown as "—", as
    for a run that stays stuck.

    "Clearly" means by 1 % of the map's height (``landscape.peak``), but at most 10 % of the
    saddle's depth: Beale's corners (≈ 1.8e5) would otherwise ask for a fall of 1,800 below a
    saddle at 14.2, which no run can make.

    "Beside it" (``_drawn_to``): a start near the saddle, or one whose first step goes towards
    it (along its ridge). On Himmelblau a start at (0, −0.5), at the level of the saddle near
    (−0.13, −1.95) by chance, 1.45 from it and going away, had RMSprop "escape the saddle at
    step 1" (a fresh-eyes teacher).
    """
    if not landscape.saddles or len(path.xy) == 0:
        return None
    lowest = min((m.value for m in landscape.minima), default=-np.inf)

    def margin(saddle) -> float:
        return min(0.01 * landscape.peak, 0.1 * (saddle.value - lowest))

    start = path.loss[0]
    at = [
        s
        for s in landscape.saddles
        if s.value - margin(s) <= start <= s.value + 0.5 * (s.value - lowest)
        and _drawn_to(path, s, NEAR_SADDLE * landscape.scale)
    ]
    if not at:
        return None
    saddle = min(at, key=lambda s: np.hypot(path.xy[:, 0] - s.x, path.xy[:, 1] - s.y).min())
    below = np.nonzero(path.loss < saddle.value - margin(saddle))[0]
    return int(below[0]) if below.size else None


NEAR_SADDLE = 0.1  # a start this share of the map's half-diagonal from a saddle is beside it


def _drawn_to(path: Path, saddle, near: float) -> bool:
    """Whether ``path`` starts within ``near`` of ``saddle`` or its first step goes towards it."""
    d = np.hypot(path.xy[:2, 0] - saddle.x, path.xy[:2, 1] - saddle.y)  # (≤ 2,)
    return bool(d[0] <= near or (len(d) > 1 and d[1] < d[0]))


def race_table(
    landscape, contestants, paths: list[Path], tol: float = 1e-4, lang: str = "en"
) -> pd.DataFrame:
    """One row per run: final loss, nearest known minimum and distance to it, steps until the
    loss is within ``tol`` of the lowest known minimum, divergence and saddle escape. Runs and
    optimizers are named in ``lang``, as the legend names them.

    Numbers that do not apply are NaN (shown as blanks), never made up.
    """
    goal = landscape.lowest  # (a surface of your own: its lowest point, found numerically)
    known = landscape.minima or ((goal,) if goal is not None else ())
    mins = np.array([[m.x, m.y] for m in known]).reshape(-1, 2)
    best = goal.value if goal is not None else None
    rows = []
    for run, path in zip(contestants, paths, strict=True):
        end = path.xy[-1] if len(path.xy) else np.array([np.nan, np.nan])
        row = {
            "run": run.label(lang),
            "optimizer": display_name(run.spec.key, lang),
            "steps": path.steps,
            "final_loss": path.loss[-1] if len(path.loss) else np.nan,
            "distance": np.nan,
            "nearest_minimum": "",
            "steps_to_tol": np.nan,
            "diverged_at": path.diverged_at,
            "escaped_at": escape_step(landscape, path),
        }
        if len(mins) and np.isfinite(end).all():
            dist = np.linalg.norm(mins - end, axis=1)
            i = int(np.argmin(dist))
            row["distance"] = float(dist[i])
            row["nearest_minimum"] = f"({mins[i, 0]:.4g}, {mins[i, 1]:.4g})"
        if best is not None:
            hit = np.nonzero(path.loss - best <= tol)[0]
            row["steps_to_tol"] = int(hit[0]) if hit.size else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def race_frame(contestants, paths: list[Path], lang: str = "en") -> pd.DataFrame:
    """Long format for CSV: columns run (its number), optimizer (torch.optim's, by the
    registry's name: ``sgd``), label (the run as the legend says it, in ``lang``), step, x, y,
    loss (step 0 is the start), lr (the learning rate of the step that led to the row; empty
    at step 0), and spec (the run as the command line and links write it:
    ``sgd:lr=0.01@cosine``)."""
    frames = []
    for i, (run, path) in enumerate(zip(contestants, paths, strict=True)):
        frame = path.to_frame()
        # the rate of the step that led to each row (empty at step 0: no step led there)
        frame["lr"] = path.lr if path.lr is not None else np.nan
        frame.insert(0, "label", run.label(lang))  # (a teacher found "SGD lr=0.01" under
        frame.insert(0, "optimizer", run.optimizer)  # "optimizer", and no optimizer's name)
        frame.insert(0, "run", i + 1)
        frame["spec"] = run.to_text()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def suggested_lr(bound: float, usual: float = 0.05) -> float:
    """A learning rate for full-batch descent on data whose stability bound is ``bound``
    (``surfaces.stable_lr_bound``): ``usual`` if it is at most half the bound, else the
    largest of 1, 2 or 5 times a power of ten that is (converging without a zigzag)."""
    if not np.isfinite(bound) or bound <= 0:
        return usual
    half = 0.5 * bound
    if usual <= half:
        return usual
    power = 10.0 ** np.floor(np.log10(half))
    return max(MIN_LR, float(max(m * power for m in (1, 2, 5) if m * power <= half)))
