"""Figures of the overfitting lab: loss curves per variant, the fitted function (1-D) and the
decision boundary (2-D). Arrays in, plotly figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.figures.common import compact, from_spec, log_axis, named_scale, subplot_layout
from playground.figures.race import colour
from playground.i18n import t

SPLIT_STYLE = {
    "train": ("circle", "#333333"),
    "val": ("diamond", "#e377c2"),
    "test": ("x", "#17becf"),
}
SYMBOL_NUMBER = {"circle": 0, "diamond": 2, "x": 4}  # plotly's numbers for these symbols


def curves_figure(
    epochs: np.ndarray,
    train: np.ndarray,
    val: np.ndarray,
    names: list[str],
    best: np.ndarray | None = None,
    stopped: np.ndarray | None = None,
    lang: str = "en",
    title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Train (dashed) and validation (solid) loss per variant against the epoch; ◆ marks each
    variant's best validation epoch and ■ where early stopping stopped. Shapes (E,), (E, V).

    ``title`` and ``y_title`` replace the loss wording for another measure (the ConvNet's error
    rates).

    The lab redraws this figure and the fit twice a second while it trains, for every student
    training at once: like every builder here, it assembles one specification and validates it
    once, which costs the server a third or less of the same figure built with ``add_scatter``
    and ``update_layout`` calls (bench_figures.py).
    """
    step = max(1, -(-len(epochs) // 500))  # at most ~500 points per line: cheap to redraw live
    e = epochs[::step].astype(np.int32)
    data: list[dict] = []
    for v, name in enumerate(names):
        group = {"legendgroup": str(v)}
        data.append(
            {
                "type": "scatter",
                "x": e,
                "y": compact(val[::step, v]),
                "mode": "lines",
                "name": name,
                "line": {"color": colour(v), "width": 2.5},
                **group,
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": e,
                "y": compact(train[::step, v]),
                "mode": "lines",
                "showlegend": False,
                "line": {"color": colour(v), "width": 1.5, "dash": "dash"},
                "hovertemplate": f"{name} {t('lab_train_hover', lang)} %{{y:.4g}}<extra></extra>",
                **group,
            }
        )
        marks = (
            (
                "lab_best_hover",
                best,
                {
                    "symbol": "diamond",
                    "size": 11,
                    "color": colour(v),
                    "line": {"color": "white", "width": 1},
                },
            ),
            ("lab_stop_hover", stopped, {"symbol": "square", "size": 10, "color": colour(v)}),
        )
        for hover, at, marker in marks:  # ◆ best validation epoch, ■ where early stopping stopped
            if at is not None and 1 <= at[v] <= len(epochs):
                k = int(at[v]) - 1
                data.append(
                    {
                        "type": "scatter",
                        "x": [epochs[k]],
                        "y": compact(val[k : k + 1, v]),
                        "mode": "markers",
                        "showlegend": False,
                        "marker": marker,
                        "hovertemplate": t(hover, lang, name=name) + "<extra></extra>",
                        **group,
                    }
                )
    values = np.concatenate([train.ravel(), val.ravel()]) if len(epochs) else np.array([1.0])
    layout = {
        "title": {"text": title or t("fig_lab_curves", lang)},
        "height": 400,
        "xaxis": {"title": {"text": t("axis_epoch", lang)}},
        "yaxis": {"title": {"text": y_title or t("axis_loss", lang)}, **log_axis(values)},
        # (fitted: see common.py); on the right, room for the last epoch's label ("50", "2000"),
        # which sits on the edge while training runs (the axis ends at the newest epoch)
        "margin": {"l": 92, "r": 24, "t": 40, "b": 123},
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "lab_curves",
    }
    return from_spec(data, layout)


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
) -> go.Figure:
    """1-D: the data of each split and every variant's fitted function at ``epoch``; with
    ``truth``, also sin(x). ``grid`` (G, 1), ``prediction`` (V, G)."""
    data = _points(x, y, parts, lang)
    if truth:
        xs = np.linspace(-np.pi, np.pi, 200)
        data.append(
            {
                "type": "scatter",
                "x": compact(xs),
                "y": compact(np.sin(xs)),
                "mode": "lines",
                "name": t("lab_truth", lang),
                "line": {"color": "#999999", "dash": "dot"},
            }
        )
    for v, name in enumerate(names):
        data.append(
            {
                "type": "scatter",
                "x": compact(grid[:, 0]),
                "y": compact(prediction[v]),
                "mode": "lines",
                "name": name,
                "line": {"color": colour(v), "width": 2.5},
            }
        )
    lo, hi = float(y.min()), float(y.max())
    pad = 0.3 * (hi - lo)
    layout = {
        "title": {"text": t("fig_lab_fit", lang, epoch=epoch)},
        "height": 400,
        "xaxis": {"title": {"text": "x"}},
        "yaxis": {"title": {"text": "y"}, "range": [lo - pad, hi + pad]},
        "margin": {"l": 71, "r": 10, "t": 40, "b": 146},  # (fitted: see common.py)
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "lab_fit",
    }
    return from_spec(data, layout)


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
    # Every subplot shows the same points: one trace (colour = class, symbol = split), numbers
    # rather than colour and symbol names, which plotly would check one by one.
    order = np.concatenate(list(parts.values()))
    split_of = np.concatenate([np.full(len(idx), k) for k, idx in enumerate(parts.values())])
    points = {
        "type": "scatter",
        "x": compact(x[order, 0]),
        "y": compact(x[order, 1]),
        "mode": "markers",
        "showlegend": False,
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
        title={"text": t("fig_lab_boundary", lang, epoch=epoch)},
        height=360,
        margin={"l": 21, "r": 96, "t": 70, "b": 21},  # (fitted: see common.py)
        uirevision="lab_boundary",
    )
    return from_spec(data, layout)
