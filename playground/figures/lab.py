"""Figures of the overfitting lab: loss curves per variant, the fitted function (1-D) and the
decision boundary (2-D). Arrays in, plotly figure out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.common import compact, log_axis
from playground.figures.race import colour
from playground.i18n import t

SPLIT_STYLE = {
    "train": ("circle", "#333333"),
    "val": ("diamond", "#e377c2"),
    "test": ("x", "#17becf"),
}


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
    rates)."""
    fig = go.Figure()
    step = max(1, -(-len(epochs) // 500))  # at most ~500 points per line: cheap to redraw live
    e = epochs[::step].astype(np.int32)
    for v, name in enumerate(names):
        fig.add_scatter(
            x=e,
            y=compact(val[::step, v]),
            mode="lines",
            name=name,
            legendgroup=str(v),
            line={"color": colour(v), "width": 2.5},
        )
        fig.add_scatter(
            x=e,
            y=compact(train[::step, v]),
            mode="lines",
            showlegend=False,
            legendgroup=str(v),
            line={"color": colour(v), "width": 1.5, "dash": "dash"},
            hovertemplate=f"{name} {t('lab_train_hover', lang)} %{{y:.4g}}<extra></extra>",
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
                fig.add_scatter(
                    x=[epochs[k]],
                    y=compact(val[k : k + 1, v]),
                    mode="markers",
                    showlegend=False,
                    legendgroup=str(v),
                    marker=marker,
                    hovertemplate=t(hover, lang, name=name) + "<extra></extra>",
                )
    fig.update_layout(
        title=title or t("fig_lab_curves", lang),
        height=400,
        xaxis_title=t("axis_epoch", lang),
        yaxis_title=y_title or t("axis_loss", lang),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        uirevision="lab_curves",
    )
    values = np.concatenate([train.ravel(), val.ravel()]) if len(epochs) else np.array([1.0])
    fig.update_yaxes(**log_axis(values))
    return fig


def _points(fig: go.Figure, x: np.ndarray, y: np.ndarray, parts: dict, lang: str, **where) -> None:
    for name, idx in parts.items():
        symbol, color = SPLIT_STYLE[name]
        fig.add_scatter(
            x=compact(x[idx, 0]),
            y=compact(y[idx] if x.shape[1] == 1 else x[idx, 1]),
            mode="markers",
            name=t(f"lab_split_{name}", lang),
            showlegend=where.get("col", 1) == 1,
            marker={
                "symbol": symbol,
                "size": 7,
                "color": color,
                "line": {"color": "white", "width": 0.5},
            },
            **where,
        )


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
    fig = go.Figure()
    _points(fig, x, y, parts, lang)
    if truth:
        xs = np.linspace(-np.pi, np.pi, 200)
        fig.add_scatter(
            x=compact(xs),
            y=compact(np.sin(xs)),
            mode="lines",
            name=t("lab_truth", lang),
            line={"color": "#999999", "dash": "dot"},
        )
    for v, name in enumerate(names):
        fig.add_scatter(
            x=compact(grid[:, 0]),
            y=compact(prediction[v]),
            mode="lines",
            name=name,
            line={"color": colour(v), "width": 2.5},
        )
    lo, hi = float(y.min()), float(y.max())
    pad = 0.3 * (hi - lo)
    fig.update_layout(
        title=t("fig_lab_fit", lang, epoch=epoch),
        height=400,
        xaxis_title="x",
        yaxis_title="y",
        yaxis_range=[lo - pad, hi + pad],
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        uirevision="lab_fit",
    )
    return fig


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
    gx, gy = grid[:n, 0], grid[::n, 1]
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names, horizontal_spacing=0.03)
    for v in range(len(names)):
        z = prediction[v].reshape(n, n).astype(np.float32)
        fig.add_trace(
            go.Contour(
                x=gx.astype(np.float32),
                y=gy.astype(np.float32),
                z=z,
                zmin=0,
                zmax=1,
                colorscale="RdBu",
                reversescale=True,
                showscale=v == 0,
                opacity=0.7,
                contours={"start": 0, "end": 1, "size": 0.1},
                line={"width": 0},
                colorbar={"title": {"text": "p(1)"}, "len": 0.8},
                hoverinfo="skip",
            ),
            row=1,
            col=v + 1,
        )
        fig.add_trace(
            go.Contour(
                x=gx.astype(np.float32),
                y=gy.astype(np.float32),
                z=z,
                showscale=False,
                contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "lines"},
                line={"color": "black", "width": 2},
                hoverinfo="skip",
            ),
            row=1,
            col=v + 1,
        )
        for name, idx in parts.items():
            symbol, _ = SPLIT_STYLE[name]
            fig.add_scatter(
                x=compact(x[idx, 0]),
                y=compact(x[idx, 1]),
                mode="markers",
                showlegend=False,
                marker={
                    "symbol": symbol,
                    "size": 6,
                    "color": np.where(y[idx] == 1, "#b2182b", "#2166ac").tolist(),
                    "line": {"color": "white", "width": 0.5},
                },
                row=1,
                col=v + 1,
            )
        fig.update_xaxes(showticklabels=False, row=1, col=v + 1)
        fig.update_yaxes(showticklabels=False, row=1, col=v + 1)
    fig.update_layout(
        title=t("fig_lab_boundary", lang, epoch=epoch),
        height=360,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        uirevision="lab_boundary",
    )
    return fig
