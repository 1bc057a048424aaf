"""Server time to build the figures the overfitting lab redraws while it trains.

The lab redraws its loss curves and its fitted function (or decision boundaries) twice a second
for every student who is training, on the server that serves the whole class. The builders
assemble one specification and validate it once; the naive way, in the same run, builds the same
figure call by call (``go.Figure()`` / ``make_subplots``, ``add_trace`` per trace, then
``update_layout``), as plotly's tutorials do. Both give the same figure (checked here).

Run: make bench   (or .venv/bin/python benchmarks/bench_figures.py)
"""

from __future__ import annotations

import json
import sys

import plotly.graph_objects as go
import plotly.io as pio
from _util import best_of, machine, row
from plotly.subplots import make_subplots

from playground import data, training
from playground.figures import lab as lf

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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
