"""Figures of the from-scratch view: the four fits over the data, and their losses per step."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.common import compact, log_axis
from playground.figures.race import colour
from playground.i18n import t

DASHES = ("solid", "dash", "dot", "dashdot")
# An empty curve (a way still training) keeps its place in the legend: plotly leaves out a
# trace without points, but not one whose only point is missing.
LEGEND_ONLY = [None]


def fits_figure(
    x: np.ndarray, y: np.ndarray, curves: dict[str, np.ndarray], lang: str = "en"
) -> go.Figure:
    """The data (x, y), shape (N,), and each way's fitted curve on the same x (name → (N,), or
    (0,) for a way not done yet: a legend entry only).

    The curves of ways that agree lie on top of each other; distinct dashes keep them visible.
    """
    step = max(1, len(x) // 400)  # a smooth curve needs no more than ~400 points
    fig = go.Figure()
    fig.add_scatter(
        x=compact(x[::step]),
        y=compact(y[::step]),
        mode="markers" if len(x) < 50 else "lines",
        name=t("fs_data", lang),
        marker={"size": 10, "color": "#333333"},
        line={"color": "#bbbbbb", "width": 8},
    )
    for i, (name, pred) in enumerate(curves.items()):
        fig.add_scatter(
            x=compact(x[::step]) if len(pred) else LEGEND_ONLY,
            y=compact(pred[::step]) if len(pred) else LEGEND_ONLY,
            mode="lines",
            name=name,
            line={"color": colour(i), "width": 2.5, "dash": DASHES[i % len(DASHES)]},
        )
    fig.update_layout(
        title=t("fig_fs_fits", lang),
        xaxis_title="x",
        yaxis_title="y",
        height=380,
        margin={"l": 80, "r": 10, "t": 50, "b": 157},  # (fitted: see common.py)
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def loss_figure(losses: dict[str, np.ndarray], lang: str = "en") -> go.Figure:
    """Loss before each step of each way (name → (T,), or (0,): a legend entry only), on a log
    axis."""
    fig = go.Figure()
    everything = np.concatenate([v for v in losses.values() if len(v)] or [np.ones(1)])
    for i, (name, loss) in enumerate(losses.items()):
        step = max(1, len(loss) // 500)
        fig.add_scatter(
            x=np.arange(len(loss))[::step] if len(loss) else LEGEND_ONLY,
            y=compact(loss[::step]) if len(loss) else LEGEND_ONLY,
            mode="lines",
            name=name,
            line={"color": colour(i), "width": 2.5, "dash": DASHES[i % len(DASHES)]},
        )
    fig.update_layout(
        title=t("fig_fs_loss", lang),
        xaxis_title=t("axis_step", lang),
        yaxis=log_axis(everything) | {"title": t("fs_axis_loss", lang)},
        height=380,
        margin={"l": 83, "r": 10, "t": 50, "b": 141},  # (fitted: see common.py)
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
