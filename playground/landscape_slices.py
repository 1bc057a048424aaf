"""The slice a trained set of runs is drawn on: a plane (PCA or random) or a line, the training
and validation loss over it, every run's path projected onto it, and how faithful that is.

:func:`slice_runs` takes the runs' snapshots (``landscape_runs.LandscapeSummary``) and returns
a :class:`Slice`: data only (the figures are in ``figures/landscape.py``). Every number comes
from :mod:`playground.landscape`, the library a notebook uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground import landscape
from playground.i18n import UserError
from playground.landscape_runs import (
    LINE_POINTS,
    MAX_RESOLUTION,
    PLANES,
    WIDTH_ALPHAS,
    LandscapeConfig,
    build,
    loss_function,
    problem,
)


@dataclass(frozen=True)
class PlaneConfig:
    """Which slice: ``kind`` "pca" (first two principal components of every run's snapshots,
    centred on run ``center``'s final weights), "random" (two filter-normalised random
    directions around them, drawn with ``seed``) or "line" (from run ``center``'s final
    weights to run ``other``'s); ``resolution`` grid points per axis."""

    kind: str = "pca"
    center: int = 0
    other: int = 1
    resolution: int = 31
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in PLANES or not 5 <= self.resolution <= MAX_RESOLUTION:
            raise UserError("err_ll_plane", most=MAX_RESOLUTION)
        if self.center < 0 or self.other < 0:
            raise UserError("err_ll_plane", most=MAX_RESOLUTION)


@dataclass(frozen=True, eq=False)
class Slice:
    """A slice and the runs on it.

    Attributes
    ----------
    kind : str
    alphas, betas : ndarray (A,), (B,)
        The grid's coordinates along the first and second direction (a line: t, and betas
        empty; t = 0 is the first run's final weights, t = 1 the other's).
    train, val : ndarray (B, A), or (A,) on a line
        Training and validation loss on the grid.
    paths : ndarray (R, T, 2), or (R, T, 1) on a line
        Each run's snapshots projected onto the slice (NaN where a run had diverged).
    path_train : ndarray (R, T)
        The training loss at the real snapshot weights.
    path_read : ndarray (R, T)
        The training loss at the projected point, read off the slice.
    explained : ndarray (2,)
        The share of the snapshots' variance along each PCA direction (NaN for other kinds).
    widths : ndarray (R,)
        Width (in units of the direction, at most 2) of the interval of a filter-normalised
        random line through each run's final weights where the training loss at most doubles.
    """

    kind: str
    alphas: np.ndarray
    betas: np.ndarray
    train: np.ndarray
    val: np.ndarray
    paths: np.ndarray
    path_train: np.ndarray
    path_read: np.ndarray
    explained: np.ndarray
    widths: np.ndarray


def slice_runs(
    source,
    config: LandscapeConfig,
    snapshots: np.ndarray,
    diverged: np.ndarray,
    plane: PlaneConfig,
) -> Slice:
    """The slice ``plane`` through the runs' snapshots (R, T, P) (see :class:`Slice`)."""
    p = problem(source, config.loss)
    loss_fn = loss_function(config, p.classes)
    model = build(config, source)  # the architecture; its weights are replaced in every call
    snaps = snapshots.astype(np.float64)  # (R, T, P)
    ok = np.isfinite(snaps).all(axis=2) & (np.abs(snaps).max(axis=2) < 1e6)  # (R, T)
    alive = [r for r in range(len(snaps)) if not diverged[r]]
    if not alive:
        raise UserError("err_ll_all_diverged")
    center_run = plane.center if plane.center in alive else alive[0]
    center = snaps[center_run, -1]  # (P,)
    good = snaps[ok]  # (N, P) every finite snapshot
    path_train = np.full(ok.shape, np.nan)
    path_train[ok] = landscape.losses_of(model, loss_fn, p.x, p.y, torch.from_numpy(good))
    explained = np.full(2, np.nan)
    if plane.kind == "line":
        other = plane.other if plane.other in alive and plane.other != center_run else None
        if other is None:
            other = next((r for r in alive if r != center_run), center_run)
        end = snaps[other, -1]
        directions = (end - center)[None]  # (1, P)
        alphas = np.linspace(-0.25, 1.25, LINE_POINTS)
        betas = np.zeros(0)
        grid = alphas[:, None]  # (A, 1)
    else:
        if plane.kind == "pca":
            stacked = snaps[[r for r in alive]][ok[alive]]  # (N, P) of the runs that converged
            directions, explained, _ = landscape.pca_plane(stacked, center)
        else:
            landscape_model = _with_weights(model, center)
            gen = torch.Generator().manual_seed(plane.seed)
            d1 = landscape.random_direction(landscape_model, gen)
            d2 = landscape.random_direction(landscape_model, gen)
            directions = np.stack([_flat(d1), _flat(d2)])  # (2, P)
        alphas, betas = _window(snaps, ok, alive, center, directions, plane)
        a, b = np.meshgrid(alphas, betas)
        grid = np.stack([a.ravel(), b.ravel()], axis=1)  # (B·A, 2)
    paths = np.full((*ok.shape, len(directions)), np.nan)
    if len(directions) and np.abs(directions).sum() > 0:
        paths[ok] = landscape.project(good, center, directions)
    for r in range(len(snaps)):
        if diverged[r]:
            paths[r] = np.nan  # (a diverged run's path is not on any useful slice)
    tr = landscape.losses_at(model, loss_fn, p.x, p.y, center, list(directions), grid)
    va = landscape.losses_at(model, loss_fn, p.x_val, p.y_val, center, list(directions), grid)
    shape = (len(betas), len(alphas)) if len(betas) else (len(alphas),)
    path_read = np.full(ok.shape, np.nan)
    on = np.isfinite(paths).all(axis=2)
    if on.any():
        path_read[on] = landscape.losses_at(
            model, loss_fn, p.x, p.y, center, list(directions), paths[on]
        )
    widths = _widths(model, loss_fn, p, snaps, diverged, plane.seed)
    return Slice(
        plane.kind, alphas, betas, tr.reshape(shape), va.reshape(shape), paths, path_train,
        path_read, explained, widths,
    )  # fmt: skip


def _flat(direction: list[torch.Tensor]) -> np.ndarray:
    return torch.cat([d.reshape(-1) for d in direction]).double().numpy()


def _with_weights(model: torch.nn.Module, theta: np.ndarray) -> torch.nn.Module:
    torch.nn.utils.vector_to_parameters(
        torch.as_tensor(theta, dtype=next(model.parameters()).dtype), model.parameters()
    )
    return model


MAX_ASPECT = 1.5  # the PCA window's longer side at most this many times its shorter (3: strips)


def _window(snaps, ok, alive, center, directions, plane) -> tuple[np.ndarray, np.ndarray]:
    """The grid: around every projected path with a margin (PCA), or [-1, 1]² (random)."""
    n = plane.resolution
    if plane.kind == "random":
        return np.linspace(-1, 1, n), np.linspace(-1, 1, n)
    coords = landscape.project(snaps[alive][ok[alive]], center, directions)  # (N, 2)
    lo, hi = coords.min(0), coords.max(0)
    span = np.maximum(hi - lo, 1e-3)
    # at least a third as tall as wide (and the other way): the paths often hardly move along
    # the second component (1.4 % of the variance in the edge-of-stability lesson), and the
    # equal-scale map was a strip; the loss around them on that axis is real, and shown
    span = np.maximum(span, span.max() / MAX_ASPECT)
    middle = (lo + hi) / 2
    lo, hi = middle - 0.7 * span, middle + 0.7 * span  # (a margin of a fifth on each side)
    return np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)


def _widths(model, loss_fn, p, snaps, diverged, seed: int) -> np.ndarray:
    """Width of the interval around each run's final weights, along a filter-normalised random
    direction, where the training loss at most doubles (NaN for a diverged run)."""
    widths = np.full(len(snaps), np.nan)
    for r in range(len(snaps)):
        if diverged[r]:
            continue
        theta = snaps[r, -1]
        d = landscape.random_direction(
            _with_weights(model, theta), torch.Generator().manual_seed(seed + 7919)
        )
        z = landscape.losses_at(model, loss_fn, p.x, p.y, theta, [_flat(d)], WIDTH_ALPHAS[:, None])
        widths[r] = width_below(WIDTH_ALPHAS, z, 2.0 * z[len(z) // 2])
    return widths


def width_below(alphas: np.ndarray, z: np.ndarray, level: float) -> float:
    """Length of the interval around the middle of ``alphas`` where ``z`` stays ≤ ``level``,
    its ends found by linear interpolation between grid points (the whole range at most)."""
    mid = len(z) // 2
    if not z[mid] <= level:
        return 0.0

    def edge(step: int) -> float:
        i = mid
        while 0 <= i + step < len(z) and z[i + step] <= level:
            i += step
        j = i + step
        if not 0 <= j < len(z):
            return float(alphas[i])
        frac = (level - z[i]) / (z[j] - z[i]) if np.isfinite(z[j]) and z[j] != z[i] else 0.0
        return float(alphas[i] + frac * (alphas[j] - alphas[i]))

    return edge(1) - edge(-1)
