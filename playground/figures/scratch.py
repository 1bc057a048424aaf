"""Figures of the from-scratch view: the four fits over the data, and their losses per step."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.common import compact, from_spec, log_axis, titled
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
    data = [
        {
            "type": "scatter",
            "x": compact(x[::step]),
            "y": compact(y[::step]),
            "mode": "markers" if len(x) < 50 else "lines",
            "name": t("fs_data", lang),
            "marker": {"size": 10, "color": "#333333"},
            "line": {"color": "#bbbbbb", "width": 8},
        }
    ]
    for i, (name, pred) in enumerate(curves.items()):
        data.append(_way(i, name, x[::step], pred[::step]))
    # (margins fitted: see common.py)
    layout = _layout(t("fig_fs_fits", lang), "x", {"title": {"text": "y"}}, left=80, bottom=157)
    return from_spec(data, layout)


def loss_figure(losses: dict[str, np.ndarray], lang: str = "en") -> go.Figure:
    """Loss before each step of each way (name → (T,), or (0,): a legend entry only), on a log
    axis."""
    everything = np.concatenate([v for v in losses.values() if len(v)] or [np.ones(1)])
    data = []
    for i, (name, loss) in enumerate(losses.items()):
        step = max(1, len(loss) // 500)
        data.append(_way(i, name, np.arange(len(loss))[::step], loss[::step]))
    # (a fit that becomes exact reaches a loss of 0, which a log axis cannot show: the axis is
    # still a log one, and the line ends there; linear, the line problem's curve was a spike
    # at step 0 over a flat line)
    positive = everything[everything > 0]
    y_axis = log_axis(positive if positive.size else everything)
    y_axis |= {"title": {"text": t("fs_axis_loss", lang)}}
    layout = _layout(t("fig_fs_loss", lang), t("axis_step", lang), y_axis, left=83, bottom=141)
    return from_spec(data, layout)


def _way(i: int, name: str, x: np.ndarray, y: np.ndarray) -> dict:
    """Way i's line (its colour and dash), or its legend entry alone when ``y`` is empty."""
    dash = DASHES[i % len(DASHES)]
    return {
        "type": "scatter",
        "x": (x if x.dtype.kind == "i" else compact(x)) if len(y) else LEGEND_ONLY,
        "y": compact(y) if len(y) else LEGEND_ONLY,
        "mode": "lines",
        "name": name,
        "line": {"color": colour(i), "width": 2.5, "dash": dash},
    }


def _layout(title: str, x_title: str, y_axis: dict, left: int, bottom: int) -> dict:
    return titled(
        {
            "xaxis": {"title": {"text": x_title}},
            "yaxis": y_axis,
            "height": 392,
            # the legend a line further down than plotly's place, clear of the axis title
            "margin": {"l": left, "r": 10, "b": bottom + 12},
            "legend": {"orientation": "h", "y": -0.25, "yanchor": "top"},
        },
        title,
    )
