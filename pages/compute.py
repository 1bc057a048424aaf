"""Cached calls into the library (and into playground.jobs, in a worker): what the views
compute, and the figures they build, once per inputs.

Caches take hashable configs and numpy arrays (never torch objects) and are shared by every
session of the server process; nothing here keeps per-user state outside st.session_state
(the race's store of paths is in it). The from-scratch view's fits, drawn in parts as they
finish, are in background.py; the worker processes in workers.py.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from workers import offload

from playground import budget, data, figures, inside, jobs, runs, schedules, surfaces
from playground.optimizers import RunSpec


@st.cache_data(max_entries=64, show_spinner=False)
def dataset(config: data.DataConfig) -> data.Dataset:
    return config.build()


@st.cache_data(max_entries=16, show_spinner=False)
def csv_table(raw: bytes, min_columns: int = 2):
    return data.read_csv(raw, min_columns)


@st.cache_data(max_entries=64, show_spinner=False)
def csv_dataset(raw: bytes, x_col: str, y_col: str) -> data.Dataset:
    return data.from_columns(csv_table(raw), x_col, y_col)


@st.cache_data(max_entries=64, show_spinner=False)
def surface(x: np.ndarray, y: np.ndarray, grid: surfaces.Grid, loss: str) -> np.ndarray:
    if loss == "mse":  # milliseconds: not worth a trip to a worker
        return surfaces.mse_surface(x, y, grid)
    return offload(jobs.surface, x, y, grid, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def minima(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float, float]]:
    w2, b2 = surfaces.least_squares(x, y)
    mse_min = float(surfaces.mse_at(x, y, w2, b2))
    return {"mse": (w2, b2, mse_min), "mae": surfaces.least_absolute(x, y)}


@st.cache_data(max_entries=256, show_spinner=False)
def lr_sequence(schedule: schedules.Schedule, lr: float, steps: int) -> list[float]:
    """The η of each step of a schedule (tens of milliseconds for thousands of steps)."""
    return schedules.lr_sequence(schedule, lr, steps)


@st.cache_data(max_entries=128, show_spinner=False)
def descent(x: np.ndarray, y: np.ndarray, config: runs.DescentConfig) -> runs.Trajectory:
    return offload(jobs.descent, x, y, config)


@st.cache_resource(max_entries=64, show_spinner=False)
def surface_figures(grid, z, title, minimum, flat, log_colour, lang):
    """The 3-D and contour figures of one surface (rebuilt only when their inputs change)."""
    return (
        figures.surface_3d(grid, z, title, minimum, lang),
        figures.surface_contour(grid, z, title, minimum[:2], flat, log_colour, lang),
    )


@st.cache_resource(max_entries=32, show_spinner=False)
def race_figure(xs, ys, z, paths, labels, minima, saddles, log_colour, lang, small=True):
    from playground.figures import race as rf

    return rf.race_animation(
        xs, ys, z, list(paths), list(labels), minima, saddles, log_colour, lang, small
    )


def figure(builder, *args, **kwargs):
    """``builder(*args, **kwargs)``, a pure figure builder, built once per inputs and shared.

    Building a plotly figure costs the server tens to hundreds of milliseconds of validation;
    a rerun that did not change a figure's inputs gets the same object back, and Streamlit
    sends the browser nothing new for it. Figures are never modified after they are built.
    """
    return _figure(f"{builder.__module__}.{builder.__qualname__}", builder, *args, **kwargs)


@st.cache_resource(max_entries=128, show_spinner=False)
def _figure(name: str, _builder, *args, **kwargs):  # keyed by the builder's name, not itself
    return _builder(*args, **kwargs)


@st.cache_resource(max_entries=32, show_spinner=False)
def descent_figure(
    grid,
    z,
    w,
    b,
    loss,
    x,
    y,
    log_colour,
    lang,
    three_d,
    names=("x", "y"),
    projector=False,
    steps_asked=None,
    minimum=None,
):
    return figures.descent_animation(
        grid, z, w, b, loss, x, y, log_colour, lang, three_d, names, projector, steps_asked, minimum
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def landscape(name: str, options, x: np.ndarray | None = None, y: np.ndarray | None = None):
    """The landscape object (it holds torch callables, so it is a shared resource, not data)."""
    from playground import landscapes

    return landscapes.get(name, options, None if x is None else (x, y))


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_grid(name: str, options, x, y, n: int) -> np.ndarray:
    return landscape(name, options, x, y).grid(n)


@st.cache_data(max_entries=64, show_spinner=False)
def race_batch(name: str, options, x, y, config: runs.RaceConfig, contestants: tuple):
    terms = landscape(name, options, x, y).terms
    cost = budget.race(config.steps, len(contestants), terms)  # (a long one: the long lane)
    return offload(jobs.race, name, options, x, y, config, contestants, lane=budget.lane(cost))


def race_paths(name: str, options, x, y, config: runs.RaceConfig, contestants: list):
    """Paths of every run; runs computed before with the same surface and settings are reused.

    The per-session store means that editing one run recomputes only that run; the rest of a
    race (for example after a new start point) is computed in one lockstep batch.
    """
    store = st.session_state.setdefault("_race_store", {})
    base = (name, options, None if x is None else hash(x.tobytes() + y.tobytes()), config)
    if store.get("__base__") != base:
        store.clear()
        store["__base__"] = base
    missing = list(dict.fromkeys(r for r in contestants if r not in store))
    if missing:
        for run, path in zip(
            missing, race_batch(name, options, x, y, config, tuple(missing)), strict=True
        ):
            store[run] = path
    return [store[r] for r in contestants]


@st.cache_data(max_entries=64, show_spinner=False)
def hessians(name: str, options, x, y, paths: list[np.ndarray]) -> list[np.ndarray]:
    """Eigenvalues (T_i, 2) along each path (T_i, 2): one request for all (one budget)."""
    xy = np.concatenate([*paths, np.zeros((0, 2))])  # (ΣT_i, 2)
    cost = budget.hessians(len(xy), landscape(name, options, x, y).terms)
    eigs = offload(jobs.hessians, name, options, x, y, xy, len(paths), lane=budget.lane(cost))
    return np.split(eigs, np.cumsum([len(p) for p in paths])[:-1])


@st.cache_data(max_entries=32, show_spinner=False)
def race_series(surface: str, run_text: str, steps: int, what: str) -> np.ndarray:
    """The loss or a gradient component of one race run, as a series for the EWA view."""
    from playground import landscapes

    land = landscape(surface, landscapes.SurfaceOptions())
    path = runs.run_optimizer(land, RunSpec.parse(run_text), runs.RaceConfig(land.start, steps))
    return {"loss": path.loss, "grad_x": path.grad[:, 0], "grad_y": path.grad[:, 1]}[what]


@st.cache_data(max_entries=16, show_spinner=False)
def optimizer_states(surface: str, steps: int, lr_m: float, lr_r: float, lr_a: float) -> dict:
    """torch's optimizer state next to this library's EWA, on a surface of the race."""
    from playground import ewa, landscapes

    land = landscape(surface, landscapes.SurfaceOptions())
    lrs = {"momentum": lr_m, "rmsprop": lr_r, "adam": lr_a}
    return ewa.optimizer_states(land, land.start, steps, lrs)


@st.cache_data(max_entries=16, show_spinner=False)
def basins(name: str, options, x, y, run, n: int, steps: int):
    return offload(jobs.basins, name, options, x, y, run, n, steps, lane="long")


@st.cache_data(max_entries=64, show_spinner=False)
def inside_picture(points, spec, state, n: int):
    """Inside the network's maps and outputs for these weights (every rerun asks again)."""
    return offload(jobs.inside_picture, points, spec, state, n)


@st.cache_data(max_entries=64, show_spinner=False)
def inside_evaluate(points, spec, state):
    """Inside the network's losses and accuracies for these weights (a few milliseconds)."""
    return inside.evaluate(points, spec, state)


@st.cache_data(max_entries=64, show_spinner=False)
def inside_hidden_space(points, spec, state):
    """The plane as a 2-neuron last hidden layer sees it, for these weights."""
    return offload(jobs.inside_hidden_space, points, spec, state)


@st.cache_data(max_entries=16, show_spinner=False)
def fair_race(name: str, options, x, y, contestants: tuple, config, names: tuple):
    """The race view's fair race, in the long lane."""
    return offload(jobs.fair_race, name, options, x, y, contestants, config, names, lane="long")


@st.cache_data(max_entries=16, show_spinner=False)
def landscape_slice(source, config, snapshots, diverged, plane, lane: str):
    """The landscape view's slice through a training's snapshots, in a worker."""
    return offload(jobs.landscape_slice, source, config, snapshots, diverged, plane, lane=lane)


@st.cache_data(max_entries=32, show_spinner=False)
def lab_split(source) -> tuple[data.Split, tuple]:
    """The lab's split: a generated task (TaskConfig), or ("csv", raw, features, target, val, test,
    seed) for an uploaded table."""
    if isinstance(source, data.TaskConfig):
        return data.make_task(source), ()
    _, raw, features, target, val, test, seed = source
    return data.task_from_table(csv_table(raw), list(features), target, val, test, seed)


@st.cache_resource(max_entries=8, show_spinner=False)
def digits(config):
    """The digits and their split (read-only arrays, shared by every session)."""
    from playground import digits as digit_data

    loaded = digit_data.load(config)
    for array in (loaded.images, loaded.labels, loaded.train, loaded.val, loaded.test):
        array.flags.writeable = False
    return loaded
