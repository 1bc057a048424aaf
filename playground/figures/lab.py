"""Figures of the overfitting lab: loss curves per variant, the fitted function (1-D) and the
decision boundary (2-D). Arrays in, plotly figure out."""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.common import (
    compact,
    from_spec,
    log_axis,
    named_scale,
    subplot_layout,
    tick_label,
    titled,
)
from playground.figures.legend import LINE
from playground.figures.race import colour
from playground.i18n import t

SPLIT_STYLE = {
    "train": ("circle", "#333333"),
    "val": ("diamond", "#e377c2"),
    "test": ("x", "#17becf"),
}
SYMBOL_NUMBER = {"circle": 0, "diamond": 2, "x": 4}  # plotly's numbers for these symbols


BAND = 5.0  # px a line is widened for each variant it would otherwise hide
# px more below the axes of the curves and of the fit for a legend with a wide line: its entry
# is longer and its row taller (fitted in Chromium at 1280 px, the lab's four default variants,
# en and zh); the fit's figure grows by half of it
BAND_LEGEND = {"curves": 30, "fit": 70}


def loss_axis(values: np.ndarray, percent: bool = False) -> dict:
    """common.log_axis for ``values`` (at least three labelled ticks inside their range where
    it can); ``percent`` (error rates): a linear axis from 0, labelled as percentages, all
    along a run (a training error that reaches 0 % cannot be on a log axis: the axis turned
    linear on the last frame of a lesson, and every curve jumped as the class read them)."""
    if percent:
        return {"type": "linear", "rangemode": "tozero", "tickformat": ".0%"}
    return log_axis(values)


def coinciding(curves: list[np.ndarray], rtol: float = 1e-3) -> dict[int, int]:
    """Which variants would hide another: variant v → the first earlier variant u whose curve
    (any shape; NaN where not drawn) is the same as v's wherever both are drawn.

    The lab's baseline and its early-stopping variant train alike (same weights, same batches)
    until early stopping ends one of them: drawn over the baseline, the early-stopping line hid
    it. Such a v is drawn wider and under u instead, and its legend says so.
    """
    under: dict[int, int] = {}
    for v in range(1, len(curves)):
        for u in range(v):
            a, b = np.asarray(curves[u], float), np.asarray(curves[v], float)
            both = np.isfinite(a) & np.isfinite(b)
            if both.any() and np.allclose(a[both], b[both], rtol=rtol, atol=1e-12):
                under[v] = u
                break
    return under


def _widening(under: dict[int, int]) -> dict[int, float]:
    """How much wider each variant's line is drawn: BAND for each variant over it."""
    extra: dict[int, float] = {}
    for v, u in sorted(under.items()):
        extra[v] = extra.get(u, 0.0) + BAND * (1 + sum(1 for w in under if w < v and under[w] == u))
    return extra


def _same_as(
    name: str, v: int, under: dict[int, int], names: list[str], lang: str, until: int = -1
) -> str:
    """The legend name of variant v: says which earlier variant it is drawn under, and, for
    a variant that early stopping ended at epoch ``until`` (> 0), that it was so until then."""
    if v not in under:
        return name
    key = "lab_same_until" if until > 0 else "lab_same_curve"
    return t(key, lang, name=name, other=names[under[v]], epoch=until)


def _stop_of(stopped: np.ndarray | None, v: int) -> int:
    """The epoch where early stopping ended variant v (-1: it did not, or no record)."""
    return -1 if stopped is None else int(stopped[v])


def _run(name: str, curve: str, lang: str) -> dict:
    """A curve's ``meta`` for the figure's CSV (export.figure_table): the run's name and which
    of its curves it is (catalogue key ``curve``), never how it is drawn."""
    return {"run": name, "columns": {t("csv_curve", lang): t(curve, lang)}}


def painted(names: list[str], slots: Sequence[int] | None) -> list[str]:
    """Each variant's colour: that of its slot (training.slots), or of its place in ``names``."""
    return [colour(s) for s in (slots if slots is not None else range(len(names)))]


def curves_figure(*args, marked: int | None = None, **kwargs) -> go.Figure:
    """The figure of :func:`curves_spec` (same arguments); ``marked``: an epoch to mark with a
    vertical line (the fit being replayed), named in ``lang``."""
    data, layout = curves_spec(*args, **kwargs)
    if marked is not None:
        given = inspect.signature(curves_spec).bind(*args, **kwargs).arguments
        lang = given.get("lang", "en")
        layout["shapes"] = [
            *layout.get("shapes", []),
            {"type": "line", "xref": "x", "yref": "paper", "x0": marked, "x1": marked}
            | {"y0": 0, "y1": 1, "line": {"color": "#444", "width": 1.5, "dash": "dot"}},
        ]
        at = math.log10(marked) if given.get("log_epochs") else marked  # (a note: in decades)
        note = {"xref": "x", "yref": "paper", "x": at, "y": 1, "yanchor": "bottom"}
        note |= {"text": t("lab_replay_mark", lang, epoch=marked), "showarrow": False}
        layout["annotations"] = [*layout.get("annotations", []), note]
    return from_spec(data, layout)


def curves_spec(
    epochs: np.ndarray,
    train: np.ndarray,
    val: np.ndarray,
    names: list[str],
    best: np.ndarray | None = None,
    stopped: np.ndarray | None = None,
    lang: str = "en",
    title: str | None = None,
    y_title: str | None = None,
    percent: bool = False,
    slots: Sequence[int] | None = None,
    log_epochs: bool = False,
) -> tuple[list[dict], dict]:
    """The loss curves' figure specification (data, layout): train (dashed) and validation
    (solid) loss per variant against the epoch; ◆ marks each variant's best validation epoch
    and ■ where early stopping stopped. Shapes (E,), (E, V).

    ``title`` and ``y_title`` replace the loss wording for another measure (the ConvNet's error
    rates, labelled as percentages with ``percent``). A variant whose curves are those of an
    earlier one (coinciding) is drawn wider, under it, and its legend entry says so. The log
    axis labels at least three ticks in the curves' range (loss_axis). ``log_epochs``: the
    epoch axis too is logarithmic, where the first tens of epochs (a best epoch of 16, a stop
    at 26) take as much room as the last thousand: on a linear axis of 2,000 epochs the story
    was squeezed into its left edge (a fresh-eyes teacher).

    The lab redraws this figure and the fit twice a second while it trains, for every student
    training at once: like every builder here, it assembles one specification and validates it
    once, which costs the server a third or less of the same figure built with ``add_scatter``
    and ``update_layout`` calls (bench_figures.py).
    """
    drawn = _drawn_epochs(len(epochs), log_epochs)  # (≤ ~500 points a line: cheap to redraw live)
    e = epochs[drawn].astype(np.int32)
    under = coinciding([np.r_[train[drawn, v], val[drawn, v]] for v in range(len(names))])
    paint = painted(names, slots)
    wider = _widening(under)
    lines: dict[int, list[dict]] = {}
    marked: list[tuple[float, dict]] = []  # (order to draw, mark)
    for v, name in enumerate(names):
        group = {"legendgroup": str(v)}
        extra = wider.get(v, 0.0)
        lines[v] = [
            {
                "type": "scatter",
                "x": e,
                "y": compact(val[drawn, v]),
                "mode": "lines",
                "name": _same_as(name, v, under, names, lang, _stop_of(stopped, v)),
                "meta": _run(name, "csv_validation", lang),
                "legendrank": 1001 + v,  # the variants' order, whatever order they are drawn in
                "hovertemplate": f"{name} %{{y:.4g}}<extra></extra>",
                "line": {"color": paint[v], "width": 2.5 + extra},
                **group,
            },
            {
                "type": "scatter",
                "x": e,
                "y": compact(train[drawn, v]),
                "mode": "lines",
                "showlegend": False,
                "meta": _run(name, "csv_training", lang),
                "line": {"color": paint[v], "width": 1.5 + 0.8 * extra, "dash": "dash"},
                "hovertemplate": f"{name} {t('lab_train_hover', lang)} %{{y:.4g}}<extra></extra>",
                **group,
            },
        ]
        marks = (
            (
                "lab_best_hover",
                best,
                {
                    "symbol": "diamond",
                    "size": 11 + extra,  # (a wider line's mark: around the one it covers)
                    "color": paint[v],
                    "line": {"color": "white", "width": 1},
                },
            ),
            (  # ■ at the stopped curve's end, over its stop line
                "lab_stop_hover",
                stopped,
                {
                    "symbol": "square",
                    "size": 12 + extra,
                    "color": paint[v],
                    "line": {"color": "white", "width": 1},
                },
            ),
        )
        for hover, at, marker in marks:  # ◆ best validation epoch, ■ where early stopping stopped
            if at is not None and 1 <= at[v] <= len(epochs):
                k = int(at[v]) - 1
                marked.append(
                    (
                        -extra,  # (drawn as the lines are: the widest first, under the others)
                        {
                            "type": "scatter",
                            "x": [epochs[k]],
                            "y": compact(val[k : k + 1, v]),
                            "mode": "markers",
                            "showlegend": False,
                            "cliponaxis": False,  # (a mark on the last epoch: whole, on the edge)
                            "marker": marker,
                            "hovertemplate": t(hover, lang, name=name) + "<extra></extra>",
                            **group,
                        },
                    )
                )
    # The widest lines first (under the ones they coincide with), the marks over every line.
    order = sorted(range(len(names)), key=lambda v: (-wider.get(v, 0.0), v))
    marks_drawn = [trace for _, trace in sorted(marked, key=lambda m: m[0])]
    data = [trace for v in order for trace in lines[v]] + marks_drawn + _keys(marked, lang)
    shapes, notes = _stop_lines(epochs, names, stopped, lang, slots, log_epochs)
    values = np.concatenate([train.ravel(), val.ravel()]) if len(epochs) else np.array([1.0])
    y_axis = loss_axis(values, percent)
    if notes:  # (at the top of the plot, or at its bottom where the curves leave more room)
        log_y = y_axis.get("type") == "log"  # (linear where a loss is 0)
        end = _notes_end(notes, epochs, [train, val], log_epochs, log_y=log_y)
        if end == "bottom":
            for note in notes:
                note.update(y=0, yanchor="bottom", yshift=-note["yshift"])
    layout = {
        "height": 400,
        "xaxis": {"title": {"text": t("axis_epoch", lang)}, **_epoch_range(epochs, log_epochs)},
        "yaxis": {"title": {"text": y_title or t("axis_loss", lang)}, **y_axis},
        # (fitted: see common.py); on the right, room for the last epoch's label ("50", "2000"),
        # which sits on the edge while training runs (the axis ends at the newest epoch)
        "margin": {"l": 92, "r": 30, "b": 123 + (BAND_LEGEND["curves"] if under else 0)},
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "lab_curves_log" if log_epochs else "lab_curves",  # (a zoom's units)
        **({"shapes": shapes, "annotations": notes} if shapes else {}),
    }
    return data, titled(layout, title or t("fig_lab_curves", lang))


def _keys(marked: list[tuple[float, dict]], lang: str) -> list[dict]:
    """Legend entries for the marks drawn (◆ best validation epoch, ■ where early stopping
    stopped), in grey after the variants': a teacher asked what the diamonds were. Drawn at
    no point (x = [None]): nothing on the plot, nothing in the CSV (export.figure_table)."""
    symbols = {m["marker"]["symbol"] for _, m in marked}
    keys = [("diamond", "lab_key_best"), ("square", "lab_key_stopped")]
    return [
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "name": t(key, lang),
            "legendrank": 1100 + i,
            "marker": {"symbol": symbol, "size": 11, "color": "#666"},
            "hoverinfo": "skip",
        }
        for i, (symbol, key) in enumerate(keys)
        if symbol in symbols
    ]


def _drawn_epochs(n: int, log: bool, most: int = 500) -> np.ndarray:
    """Indices of the ``n`` epochs drawn, at most about ``most``: evenly spaced, or on a log
    axis evenly spaced in log (every one of the first epochs, which a log axis spreads wide:
    every fourth of 2,000 drew epochs 1, 5 and 9 as straight strokes across a decade, and
    the last, where the axis ends)."""
    if n <= most:
        return np.arange(n)
    if not log:
        return np.arange(0, n, -(-n // most))
    return np.unique(np.round(np.geomspace(1, n, most)).astype(np.int64)) - 1


def is_key(trace: dict) -> bool:
    """Whether ``trace`` is one of ``_keys``' legend entries (it draws no point)."""
    x = trace.get("x")
    return isinstance(x, list) and x == [None]


def _epoch_range(epochs: np.ndarray, log: bool = False) -> dict:
    """The epoch axis runs from the first epoch to the last, not past it: plotly.js pads its
    range for a marker (◆ on the last epoch), and the axis of 2,000 epochs went to 2,100. It
    ticks whole epochs only. ``log``: a log axis (its range in decades, as plotly.js's is)."""
    if not len(epochs):
        return {}
    if log:
        first, last = float(epochs[0]), float(max(epochs[-1], epochs[0] + 1))
        ticks = [v for v in log_axis(np.array([first, last])).get("tickvals", []) if v >= 1]
        ticks = [v for v in ticks if float(v).is_integer()] or [first, last]
        labels = [tick_label(v) for v in ticks]
        bounds = [math.log10(first), math.log10(last)]
        return {"type": "log", "range": bounds, "tickvals": ticks, "ticktext": labels}
    bounds = {"autorangeoptions": {"minallowed": int(epochs[0]), "maxallowed": int(epochs[-1])}}
    # (over a few epochs plotly.js ticks halves, "1.5 epochs": a tick per epoch instead)
    return bounds | ({"dtick": 1} if epochs[-1] - epochs[0] < 10 else {})


def _stop_lines(
    epochs: np.ndarray,
    names: list[str],
    stopped: np.ndarray | None,
    lang: str,
    slots: Sequence[int] | None = None,
    log: bool = False,
) -> tuple[list[dict], list[dict]]:
    """A dotted vertical line at the epoch where each variant's early stopping stopped, in its
    colour, labelled at the top ("Early stopping:" / "stopped at epoch 40"): a run that stops at
    epoch 40 of 1,000 is a short stroke at the axis's left end, easily taken for nothing.
    ``log``: on a log epoch axis (where plotly.js places a note at the epoch's log10, a line
    at the epoch itself)."""
    shapes: list[dict] = []
    notes: list[dict] = []
    paint = painted(names, slots)
    for v, name in enumerate(names):
        if stopped is None or not 1 <= stopped[v] <= len(epochs):
            continue
        at = int(epochs[int(stopped[v]) - 1])
        line = {"color": paint[v], "width": 2, "dash": "dot"}
        shapes.append(
            {"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at, "y0": 0, "y1": 1}
            | {"line": line, "layer": "below"}
        )
        notes.append(
            {
                "text": t("lab_stopped_at", lang, name=name, epoch=at),
                "xref": "x",
                "yref": "paper",
                "x": math.log10(at) if log else at,
                "y": 1,  # (one under the other, in px: two lines each, which a projector's
                # larger text needs: on one line, a stop at epoch 26 of 2,000 on a log axis
                # ran past the chart's edge; export.presenter scales the shift with the text)
                "yshift": -len(notes) * math.ceil(2 * LINE * NOTE_FONT + 4),
                # (its text into the plot: left of a line in the axis's right half, where a
                # run that stopped at epoch 26 of the 30 drawn so far ran off the chart)
                "xanchor": (side := "left" if _share(at, epochs, log) <= 0.5 else "right"),
                "align": side,  # (its two lines against the line)
                "yanchor": "top",
                "showarrow": False,
                "font": {"color": paint[v], "size": NOTE_FONT},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return shapes, notes


NOTE_FONT = 12  # px of a stop line's note
NOTE_HEIGHT, NOTE_WIDTH = 0.15, 0.3  # about what a note covers: of the plot's height, width


def _notes_end(
    notes: list[dict], epochs: np.ndarray, curves: list[np.ndarray], log: bool, log_y: bool
) -> str:
    """Where the stop lines' notes cover fewer of the curves' points: "top" (where they were
    put first) or "bottom" of the plot. At the top, a note "Early stopping: stopped at epoch 26"
    was written over the dropout's curve, which was still high at that epoch (a fresh-eyes
    teacher), where the bottom of the plot was empty.

    Each note covers about NOTE_WIDTH of the plot's width beside its line, and all of them,
    stacked, NOTE_HEIGHT each of its height; the y axis is a log one (``log_y``, positions in
    decades between the curves' least and largest values) or linear from 0 (error rates).
    """
    values = np.concatenate(
        [np.asarray(c, dtype=np.float64).reshape(len(epochs), -1) for c in curves], axis=1
    )
    shown = np.where(np.isfinite(values) & ((values > 0) | (not log_y)), values, np.nan)  # (E, k)
    if log_y:
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.log10(shown)
    if not np.isfinite(shown).any():
        return "top"
    lo = float(np.nanmin(shown)) if log_y else 0.0
    hi = float(np.nanmax(shown))
    height = (shown - lo) / (hi - lo) if hi > lo else np.full_like(shown, 0.5)  # (E, k) 0 to 1
    along = np.array([_share(float(e), epochs, log) for e in epochs])  # (E,)
    near = np.zeros(len(epochs), dtype=bool)
    for note in notes:
        at = _share(10 ** note["x"] if log else note["x"], epochs, log)
        lo_x, hi_x = (at, at + NOTE_WIDTH) if note["xanchor"] == "left" else (at - NOTE_WIDTH, at)
        near |= (along >= lo_x) & (along <= hi_x)
    band = min(0.5, NOTE_HEIGHT * len(notes))
    under = height[near]
    top, bottom = int(np.sum(under > 1 - band)), int(np.sum(under < band))
    return "bottom" if bottom < top else "top"


def _share(at: float, epochs: np.ndarray, log: bool) -> float:
    """How far along the epoch axis (0 to 1) epoch ``at`` is drawn."""
    first, last = float(epochs[0]), float(epochs[-1])
    if log:
        first, last, at = math.log10(first), math.log10(max(last, first + 1)), math.log10(at)
    return (at - first) / (last - first) if last > first else 0.0


def _points(
    x: np.ndarray, y: np.ndarray, parts: dict, lang: str, axes: dict | None = None
) -> list[dict]:
    """The points of each split (symbol and colour by split), on ``axes`` (default x, y)."""
    return [
        {
            "type": "scatter",
            "x": compact(x[idx, 0]),
            "y": compact(y[idx] if x.shape[1] == 1 else x[idx, 1]),
            "mode": "markers",
            "name": t(f"lab_split_{name}", lang),
            "marker": {
                "symbol": SPLIT_STYLE[name][0],
                "size": 7,
                "color": SPLIT_STYLE[name][1],
                "line": {"color": "white", "width": 0.5},
            },
            **(axes or {}),
        }
        for name, idx in parts.items()
    ]


def _truth(lang: str) -> dict:
    """sin(x), the function the noisy sine task samples, dotted."""
    xs = np.linspace(-np.pi, np.pi, 200)
    return {
        "type": "scatter",
        "x": compact(xs),
        "y": compact(np.sin(xs)),
        "mode": "lines",
        "name": t("lab_truth", lang),
        "line": {"color": "#999999", "dash": "dot"},
    }


def _class_points(x: np.ndarray, y: np.ndarray, parts: dict, lang: str) -> dict:
    """The points of a 2-D task as one trace: colour = class, symbol = split (numbers rather
    than colour and symbol names, which plotly would check one by one)."""
    order = np.concatenate(list(parts.values()))
    split_of = np.concatenate([np.full(len(idx), k) for k, idx in enumerate(parts.values())])
    return {
        "type": "scatter",
        "x": compact(x[order, 0]),
        "y": compact(x[order, 1]),
        "mode": "markers",
        "showlegend": False,
        "meta": {"run": t("csv_points", lang)},  # (the CSV lists them once, not per panel)
        "text": np.array([t(f"lab_split_{name}", lang) for name in parts], dtype=object)[split_of],
        "hovertemplate": "%{text} (%{x:.2f}, %{y:.2f})<extra></extra>",
        "marker": {
            "symbol": np.array([SYMBOL_NUMBER[SPLIT_STYLE[k][0]] for k in parts])[split_of],
            "size": 6,
            "color": (y[order] == 1).astype(np.int8),
            "colorscale": [[0, "#2166ac"], [1, "#b2182b"]],
            "cmin": 0,
            "cmax": 1,
            "line": {"color": "white", "width": 0.5},
        },
    }


def data_figure(
    x: np.ndarray, y: np.ndarray, parts: dict, classes: int, lang: str = "en", truth: bool = True
) -> go.Figure:
    """The data before any training: each split's points (1-D: y against x, with sin(x) if
    ``truth``; 2-D: the plane, colour = class, symbol = split), where the fits will be drawn."""
    if classes:
        data = [_class_points(x, y, parts, lang)]
        layout = {
            "height": 400,
            "xaxis": {"title": {"text": "x₁"}},
            "yaxis": {"title": {"text": "x₂"}, "scaleanchor": "x"},
            "margin": {"l": 71, "r": 10, "b": 60},
        }
    else:
        data = _points(x, y, parts, lang) + ([_truth(lang)] if truth else [])
        layout = {
            "height": 400,
            "xaxis": {"title": {"text": "x"}},
            "yaxis": {"title": {"text": "y"}},
            "margin": {"l": 71, "r": 10, "b": 146},  # (as the fit's: the legend under the axes)
            "legend": {"orientation": "h", "y": -0.2},
        }
    return from_spec(data, titled(layout, t("fig_lab_data", lang)))


def fit_figure(
    x: np.ndarray,
    y: np.ndarray,
    parts: dict,
    grid: np.ndarray,
    prediction: np.ndarray,
    names: list[str],
    epoch: int,
    lang: str = "en",
    truth: bool = True,
    slots: Sequence[int] | None = None,
) -> go.Figure:
    """1-D: the data of each split and every variant's fitted function at ``epoch``, in the
    colours of ``slots`` (as curves_spec); with ``truth``, also sin(x). ``grid`` (G, 1),
    ``prediction`` (V, G). A variant whose function is an earlier one's is drawn wider, under
    it (as in curves_figure)."""
    paint = painted(names, slots)
    data = _points(x, y, parts, lang) + ([_truth(lang)] if truth else [])
    under = coinciding(list(prediction))  # (early stopping is the baseline until it stops)
    wider = _widening(under)
    for v in sorted(range(len(names)), key=lambda v: (-wider.get(v, 0.0), v)):
        data.append(
            {
                "type": "scatter",
                "x": compact(grid[:, 0]),
                "y": compact(prediction[v]),
                "mode": "lines",
                "name": _same_as(names[v], v, under, names, lang),
                "meta": {"run": names[v]},  # (its CSV name: the run's, not the legend's)
                "legendrank": 1001 + v,  # (after the points: 1000)
                "line": {"color": paint[v], "width": 2.5 + wider.get(v, 0.0)},
            }
        )
    lo, hi = float(y.min()), float(y.max())
    pad = 0.3 * (hi - lo)
    layout = {
        "height": 400 + (BAND_LEGEND["fit"] // 2 if under else 0),
        "xaxis": {"title": {"text": "x"}},
        "yaxis": {"title": {"text": "y"}, "range": [lo - pad, hi + pad]},
        # (fitted: see common.py)
        "margin": {"l": 71, "r": 10, "b": 146 + (BAND_LEGEND["fit"] if under else 0)},
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "lab_fit",
    }
    return from_spec(data, titled(layout, t("fig_lab_fit", lang, epoch=epoch)))


def boundary_figure(
    x: np.ndarray,
    y: np.ndarray,
    parts: dict,
    grid: np.ndarray,
    prediction: np.ndarray,
    names: list[str],
    epoch: int,
    lang: str = "en",
) -> go.Figure:
    """2-D: each variant's probability of class 1 over the plane, its 0.5 boundary, and the
    points (colour = class, symbol = split). ``grid`` (n², 2), ``prediction`` (V, n²)."""
    n = math.isqrt(len(grid))
    gx, gy = grid[:n, 0].astype(np.float32), grid[::n, 1].astype(np.float32)
    layout, _ = subplot_layout(
        rows=1, cols=len(names), subplot_titles=list(names), horizontal_spacing=0.03
    )
    points = _class_points(x, y, parts, lang)
    data: list[dict] = []
    for v in range(len(names)):
        axes = {"xaxis": f"x{v + 1 if v else ''}", "yaxis": f"y{v + 1 if v else ''}"}
        z = prediction[v].reshape(n, n).astype(np.float32)
        data.append(
            {
                "type": "contour",
                "x": gx,
                "y": gy,
                "z": z,
                "zmin": 0,
                "zmax": 1,
                "colorscale": named_scale("RdBu"),
                "reversescale": True,
                "showscale": v == 0,
                "opacity": 0.7,
                "contours": {"start": 0, "end": 1, "size": 0.1},
                "line": {"width": 0},
                "colorbar": {"title": {"text": "p(1)"}, "len": 0.8},
                "hoverinfo": "skip",
                **axes,
            }
        )
        data.append(
            {
                "type": "contour",
                "x": gx,
                "y": gy,
                "z": z,
                "showscale": False,
                "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "lines"},
                "line": {"color": "black", "width": 2},
                "hoverinfo": "skip",
                **axes,
            }
        )
        data.append({**points, **axes})
        for axis in ("xaxis", "yaxis"):
            layout[f"{axis}{v + 1 if v else ''}"]["showticklabels"] = False
    layout.update(
        height=360,
        margin={"l": 21, "r": 96, "t": 70, "b": 21},  # (fitted: see common.py)
        uirevision="lab_boundary",
    )
    return from_spec(data, titled(layout, t("fig_lab_boundary", lang, epoch=epoch)))


def range_test_figure(
    lrs: np.ndarray,
    losses: np.ndarray,
    smoothed: np.ndarray,
    suggestion: float,
    minimum: float,
    lang: str = "en",
) -> go.Figure:
    """The range test: the loss of each step against its η (log axis), smoothed, with the
    suggestion (a tenth of the minimum's η) and the minimum marked."""
    data = [
        {
            "type": "scatter",
            "x": compact(lrs),
            "y": compact(losses),
            "mode": "lines",
            "name": t("rt_loss", lang),
            "line": {"color": "#bbbbbb", "width": 1},
            "meta": {"run": t("rt_loss", lang)},
        },
        {
            "type": "scatter",
            "x": compact(lrs),
            "y": compact(smoothed),
            "mode": "lines",
            "name": t("rt_smoothed", lang),
            "line": {"color": "#1f77b4", "width": 2.5},
            "meta": {"run": t("rt_smoothed", lang)},
        },
    ]
    for value, key, mark in (
        (suggestion, "rt_suggestion", "#2ca02c"),
        (minimum, "rt_minimum", "#d62728"),
    ):
        i = int(np.argmin(np.abs(lrs - value)))
        data.append(
            {
                "type": "scatter",
                "x": [float(value)],
                "y": [float(smoothed[i])],
                "mode": "markers",
                "name": t(key, lang, lr=f"{value:.2g}"),
                "marker": {"size": 13, "color": mark, "symbol": "diamond"},
                "meta": {"run": t(key, lang, lr=f"{value:.2g}")},
            }
        )
    finite = losses[np.isfinite(losses)]
    top = float(np.percentile(finite, 95)) if finite.size else 1.0
    layout = {
        "xaxis": {"title": {"text": "η"}, "type": "log", "exponentformat": "power"},
        "yaxis": {"title": {"text": t("ll_axis_loss", lang)}, "range": [0, top * 1.1]},
        "height": 380,
        "margin": {"l": 60, "r": 10, "b": 100},
        "legend": {"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("rt_title", lang)))
