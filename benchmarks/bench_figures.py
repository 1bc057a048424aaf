"""Server time to build the figures that the views redraw for a new setting or a live update.

The lab redraws its loss curves and its fitted function (or decision boundaries) twice a second
for every student who is training, on the server that serves the whole class. The builders
assemble one specification and take it as it is (``common.from_spec``: plotly.py's checks run in
the tests instead); the naive way, in the same run, builds the same figure call by call
(``go.Figure()`` / ``make_subplots``, ``add_trace`` per trace, then ``update_layout``), as
plotly's tutorials do. Both give the same figure (checked here). The race view's map, the
weighted averages' figures and the descent animation are built anew for every new setting:
timed with and without plotly.py's checks of their specification.

Run: make bench   (or .venv/bin/python benchmarks/bench_figures.py)
"""

from __future__ import annotations

import json
import sys
from unittest import mock

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _util import best_of, machine, row
from plotly.subplots import make_subplots

from playground import data, ewa, landscapes, runs, surfaces, training
from playground.figures import common, export, legend
from playground.figures import ewa as ef
from playground.figures import lab as lf
from playground.figures import race as rf
from playground.figures import regression as rg
from playground.figures import scratch as sf
from playground.optimizers import RunSpec

MIN_SPEEDUP = 2.0  # building once must at least halve the server time of a live redraw


def call_by_call(fig: go.Figure, columns: list[str] | None = None) -> go.Figure:
    """The same figure, built the naive way: one validated call per trace, then the layout."""
    spec = fig.to_plotly_json()
    layout = dict(spec["layout"])
    layout.pop("template", None)
    if columns:
        naive = make_subplots(
            rows=1, cols=len(columns), subplot_titles=columns, horizontal_spacing=0.03
        )
    else:
        naive = go.Figure()
    for trace in spec["data"]:
        naive.add_trace(trace)
    naive.update_layout(**layout)
    return naive


def lab_state(task: str) -> tuple:
    """A lab halfway through training: its records, split, names and latest snapshot."""
    split = data.make_task(data.TaskConfig(task))
    config = training.TrainConfig(epochs=1000)
    records = []
    for item in training.train(split, config):
        if isinstance(item, training.Summary) or len(records) == 500:
            break
        records.append(item)
    names = [v.name for v in config.variants]
    snap = [r for r in records if r.prediction is not None][-1]
    return split, records, names, snap


def main() -> int:
    print(f"machine: {machine()}")
    ok = True
    for task in ("sine", "moons"):
        split, records, names, snap = lab_state(task)
        grid = training.prediction_grid(split)
        parts = {"train": split.train, "val": split.val, "test": split.test}

        def curves(records=records, names=names) -> go.Figure:
            epochs, train, val, best, stopped = training.curves(records, None)
            return lf.curves_figure(epochs, train, val, names, best, stopped)

        if split.classes == 0:

            def fit(split=split, grid=grid, parts=parts, snap=snap, names=names) -> go.Figure:
                args = (split.x, split.y, parts, grid, snap.prediction, names, snap.epoch)
                return lf.fit_figure(*args)

            columns = None
        else:

            def fit(split=split, grid=grid, parts=parts, snap=snap, names=names) -> go.Figure:
                args = (split.x, split.y, parts, grid, snap.prediction, names, snap.epoch)
                return lf.boundary_figure(*args)

            columns = names
        built = {"curves": curves(), "fit": fit()}
        panels = {"curves": None, "fit": columns}  # the subplots each figure has
        same = all(
            json.loads(pio.to_json(call_by_call(fig, panels[name])))
            == json.loads(pio.to_json(fig))  # (the same content; keys may come in another order)
            for name, fig in built.items()
        )
        fast = {"curves": best_of(curves, 20), "fit": best_of(fit, 20)}
        naive = {
            name: best_of(lambda f=fig, c=panels[name]: call_by_call(f, c))
            for name, fig in built.items()
        }
        what = "fitted function" if columns is None else f"{len(names)} decision boundaries"
        for name, label in (("curves", "loss curves"), ("fit", what)):
            print(
                f"  {task}: {label:<24} {fast[name] * 1e3:6.1f} ms, call by call "
                f"{naive[name] * 1e3:6.1f} ms ({naive[name] / fast[name]:.1f}×)"
            )
        total, total_naive = sum(fast.values()), sum(naive.values())
        speedup = total_naive / total
        row(
            f"lab live redraw, {task} ({len(names)} variants)",
            f"{total * 1e3:.1f} ms",
            f"≥ {MIN_SPEEDUP:g}× faster",
            speedup >= MIN_SPEEDUP and same,
            f"call by call {total_naive * 1e3:.1f} ms ({speedup:.1f}× slower); "
            f"same figures: {'yes' if same else 'NO'}",
        )
        ok &= speedup >= MIN_SPEEDUP and same
        ok &= sending(f"lab live redraw, {task}: sending", list(built.values()))
    ok &= race_map()
    ok &= ewa_figures()
    ok &= descent()
    ok &= race_curves()
    ok &= scratch_figures()
    return 0 if ok else 1


def checked(data: list, layout: dict, frames=None) -> go.Figure:
    """common.from_spec as plotly.py builds a figure by default: every property checked."""
    spec = {"data": data, "layout": layout}
    return go.Figure(spec) if frames is None else common.Animated(spec, frames=frames)


def as_objects(data: list, layout: dict, frames=None) -> go.Figure:
    """common.from_spec unchecked, but with every trace a plotly.py object from the start (as
    ``go.Figure(spec, _validate=False)`` makes it), where ``common.Plain`` keeps plain dicts."""
    spec = {"data": data, "layout": layout}
    if frames is None:
        return legend.placed(go.Figure(spec, _validate=False))
    return legend.placed(common.Animated(spec, frames=frames, _validate=False))


def objects_row(label: str, module, build) -> bool:
    """Time ``build`` as it is and with its traces built as plotly.py objects (``as_objects``);
    the figure sent is the same (checked, as JSON: plotly.py orders an object's keys its way)."""
    fast = best_of(build, 10)
    with mock.patch.object(module, "from_spec", as_objects):
        naive = best_of(build, 10)
        reference = [json.loads(export.to_send(fig).spec) for fig in build()]
    same = [json.loads(export.to_send(fig).spec) for fig in build()] == reference
    ratio = f"objects {naive * 1e3:.1f} ms ({naive / fast:.1f}× slower); sent the same: "
    row(
        label,
        f"{fast * 1e3:.1f} ms",
        "faster",
        fast < naive and same,
        ratio + ("yes" if same else "NO"),
    )
    return fast < naive and same


def race_map() -> bool:
    """A new race map (5 runs × 500 steps on Rosenbrock), its specification checked or not."""
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(text) for text in land.race]
    paths = runs.race(land, contestants, runs.RaceConfig(land.start, 500))
    xs, ys = land.axes(151)
    args = (xs, ys, land.grid(151), [p.xy for p in paths], [r.label() for r in contestants])
    args += (np.array([[1.0, 1.0]]), np.zeros((0, 2)), True)
    build = lambda: [rf.race_animation(*args)]  # noqa: E731
    ok = unchecked_row("race map, 5 runs × 500 steps", rf, build)
    return objects_row("race map: its 210 traces as plotly objects", rf, build) and ok


def ewa_figures() -> bool:
    """The weighted-averages view's three figures of a new series (1,000 samples, β = 0.9)."""
    x = np.sin(np.arange(1000) / 50) + np.random.default_rng(0).normal(0, 3, 1000)  # (1000,)
    curves = [(f"β = {b}", ewa.ewa(x, b, 0.0)) for b in (0.5, 0.9, 0.98)]
    plain, corrected = ewa.ewa(x, 0.9, 0.0), ewa.ewa_corrected(x, 0.9)

    def build() -> list[go.Figure]:
        return [
            ef.averages(x, curves),
            ef.bias_figure(x, plain, corrected, 0.9),
            ef.build_animation(x, plain, 0.9),
        ]

    return unchecked_row("weighted averages, a new series", ef, build)


def descent() -> bool:
    """The loss surfaces' descent animation for a new setting (noisy line, 300 steps)."""
    x = np.linspace(-2, 2, 100)  # (100,)
    y = 0.5 * x + 1 + np.random.default_rng(0).normal(0, 0.3, 100)
    window = surfaces.fit_window(x, y)
    z = surfaces.mse_surface(x, y, window)
    path = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 300, 0.0, 0.0, 0, 0))
    args = (window, z, path.w, path.b, path.loss, x, y)
    return unchecked_row("loss surfaces, a new descent", rg, lambda: [rg.descent_animation(*args)])


def race_curves() -> bool:
    """The race view's loss curves for a new race (5 runs × 500 steps)."""
    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(text) for text in land.race]
    paths = runs.race(land, contestants, runs.RaceConfig(land.start, 500))
    labels = [r.label() for r in contestants]
    build = lambda: [rf.curves([p.loss for p in paths], labels, "loss", "L")]  # noqa: E731
    return unchecked_row("race loss curves, 5 runs × 500 steps", rf, build)


def scratch_figures() -> bool:
    """The from-scratch view's two figures when a way's fit arrives (4 ways, 2,000 steps)."""
    x = np.linspace(-1, 1, 200)  # (200,)
    fits = {f"way {k}": np.sin(3 * x) + k / 10 for k in range(4)}
    losses = {f"way {k}": np.geomspace(1, 1e-3 * (k + 1), 2000) for k in range(4)}

    def build() -> list[go.Figure]:
        return [sf.fits_figure(x, np.sin(3 * x), fits), sf.loss_figure(losses)]

    return unchecked_row("from scratch, a fit arrives", sf, build)


def copied(fig: go.Figure) -> str:
    """The naive conversion for the browser: plotly's deep copy (to_dict), then JSON."""
    spec = fig.to_dict()
    spec["layout"].pop("template", None)
    return pio.to_json(spec, validate=False)


def sending(label: str, figs: list[go.Figure]) -> bool:
    """Converting figures for the browser (export.to_send, which reads the figure's properties)
    against from plotly's deep copy of them (``to_dict``)."""
    fast = best_of(lambda: [export.to_send(fig) for fig in figs], 20)
    naive = best_of(lambda: [copied(fig) for fig in figs], 20)
    same = all(json.loads(export.to_send(f).spec) == json.loads(copied(f)) for f in figs)
    row(
        label,
        f"{fast * 1e3:.1f} ms",
        "faster",
        fast < naive and same,
        f"from a deep copy {naive * 1e3:.1f} ms ({naive / fast:.1f}× slower); same JSON: "
        f"{'yes' if same else 'NO'}",
    )
    return fast < naive and same


def unchecked_row(label: str, module, build) -> bool:
    """Time ``build`` as it is and with ``module.from_spec`` checking every property."""
    fast = best_of(build, 10)
    with mock.patch.object(module, "from_spec", checked):
        naive = best_of(build, 10)
        reference = [json.loads(pio.to_json(fig)) for fig in build()]
    same = [json.loads(pio.to_json(fig)) for fig in build()] == reference
    row(
        label,
        f"{fast * 1e3:.1f} ms",
        "faster",
        fast < naive and same,
        f"checked {naive * 1e3:.1f} ms ({naive / fast:.1f}× slower); same figures: "
        f"{'yes' if same else 'NO'}",
    )
    return fast < naive and same


if __name__ == "__main__":
    sys.exit(main())
