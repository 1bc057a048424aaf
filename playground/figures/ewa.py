"""Figures of the EWA view: averages over a series, weights, bias correction, the average built
point by point, and optimizer state against the EWA. Arrays in, plotly figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import legend
from playground.figures.common import (
    add_growing,
    animation_controls,
    compact,
    controls_above,
    decimals,
    frame_indices,
    frame_of,
    from_spec,
    subplot_layout,
    titled,
)
from playground.figures.race import colour
from playground.i18n import t

MAX_POINTS = 5000  # points drawn per line; longer series are thinned for drawing only
MAX_ANIMATION_FRAMES = 150
CONTROLS_Y = 1.12  # the play buttons and slider, over the plot (paper coordinates)


def _thin(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(int))


def averages(
    x: np.ndarray,
    curves: list[tuple[str, np.ndarray]],
    lang: str = "en",
    dashed: list[tuple[str, np.ndarray]] | None = None,
    animate: bool = False,
) -> go.Figure:
    """The series (a faint line) and one line per average; ``dashed`` adds dashed lines on top.

    ``animate`` (a lesson): every average is drawn sample by sample as ▶ plays
    (common.growing), so that nothing of the answer shows before it; the series, the question,
    is there whole from the start.
    """
    idx = _thin(len(x))
    steps = idx + 1
    shown = frame_indices(len(idx), MAX_ANIMATION_FRAMES, first=1)  # (samples count from 1)
    data: list[dict] = []
    grow: list[list[dict[int, dict]]] = []  # per line: trace index → update, by frame

    def line(label: str, values: np.ndarray, style: dict, grows: bool = True, **extra) -> None:
        trace = {"type": "scatter", "mode": "lines", "name": label, "line": style, **extra}
        # (one SVG path: a dot per sample cost the browser 40 ms per draw)
        if not (animate and grows):
            data.append({**trace, "x": steps, "y": compact(values[idx])})
            return
        group = extra.get("legendgroup", f"line{len(data)}")
        grow.append(add_growing(data, [steps, values[idx]], shown, trace | {"legendgroup": group}))

    series = {"width": 1, "color": "rgba(100,100,100,0.55)"}
    line(t("ewa_series", lang), x, series, grows=False, legendgroup="series")
    for i, (label, values) in enumerate(curves):
        line(label, values, {"color": colour(i), "width": 2.5})
    for i, (label, values) in enumerate(dashed or []):
        style = {"color": "black", "width": 1.5, "dash": "dash"}
        line(label, values, style, legendgroup=str(i))
    layout = {
        "height": 420,
        "xaxis": {"title": {"text": t("axis_t", lang)}},
        "yaxis": {"title": {"text": t("axis_x", lang)}},
        "margin": {"l": 71, "r": 10, "b": 102},  # (fitted: see common.py)
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "ewa",
    }
    layout = titled(layout, t("fig_ewa", lang))
    if not animate:
        return from_spec(data, layout)
    frames = []
    for f, k in enumerate(shown):
        updates = {i: u for line_updates in grow for i, u in line_updates[f].items()}
        frames.append(frame_of(str(k), updates))
    controls = animation_controls(
        [str(k) for k in shown], [int(steps[k]) for k in shown], lang, redraw=False
    )
    _says_t(controls, lang)
    controls_above(controls, CONTROLS_Y)  # above the plot, as in the built-up average
    y_all = np.concatenate([x, *(v for _, v in curves)])
    y_all = y_all[np.isfinite(y_all)]
    pad = 0.05 * (float(y_all.max() - y_all.min()) + 1e-9) if y_all.size else 1.0
    layout["xaxis"]["range"] = [0, len(x) + 1]  # (fixed: frames do not rescale an axis)
    layout["yaxis"]["range"] = [float(y_all.min()) - pad, float(y_all.max()) + pad]
    layout.update(height=470, margin={"l": 71, "r": 10, "t": 117, "b": 102}, **controls)
    return from_spec(data, layout, frames)


def weights_figure(betas: list[float], lags: int, lang: str = "en") -> go.Figure:
    """Weight (1 − β)·β^k of the sample k steps back, one group of bars per β."""
    fig = go.Figure()
    k = np.arange(lags)
    for i, beta in enumerate(betas):
        w = (1 - beta) * beta**k
        fig.add_bar(
            x=k,
            y=compact(w),
            name=t("ewa_beta_window", lang, beta=f"{beta:g}", window=f"{1 / (1 - beta):.3g}"),
            marker_color=colour(i),
            opacity=0.85,
        )
    fig.update_layout(
        titled({"margin": {"l": 74, "r": 10, "b": 97}}, t("fig_weights", lang)),  # (fitted)
        barmode="overlay",
        height=340,
        xaxis_title=t("axis_lag", lang),
        yaxis_title=t("axis_weight", lang),
        legend={"orientation": "h", "y": -0.25},
    )
    return legend.placed(fig)


def bias_figure(
    x: np.ndarray, plain: np.ndarray, corrected: np.ndarray, beta: float, lang: str = "en"
) -> go.Figure:
    """Side by side: the average started at 0 (the early dip) and its bias correction."""
    n = min(len(x), max(30, int(6 / (1 - beta))))
    steps = np.arange(1, n + 1)
    layout, _ = subplot_layout(rows=1, cols=2, shared_yaxes=True, subplot_titles=["1", "2"])
    titles = (t("fig_bias_off", lang, beta=f"{beta:g}"), t("fig_bias_on", lang, beta=f"{beta:g}"))
    for note, title in zip(layout["annotations"], titles, strict=True):
        note["text"] = title
    data = []
    for col, values in ((1, plain), (2, corrected)):
        axes = {"xaxis": "x" if col == 1 else "x2", "yaxis": "y" if col == 1 else "y2"}
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": compact(x[:n]),
                "mode": "lines",
                "showlegend": False,
                "meta": {"run": t("ewa_series", lang)},  # (its name in the CSV)
                "line": {"width": 1, "color": "rgba(100,100,100,0.55)"},
                **axes,
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": compact(values[:n]),
                "mode": "lines",
                "showlegend": False,
                "meta": {"run": t("csv_average", lang)},
                "line": {"color": colour(3 if col == 1 else 2), "width": 3},
                **axes,
            }
        )
    for axis in ("xaxis", "xaxis2"):
        layout[axis]["title"] = {"text": t("axis_t", lang)}
    # margins fitted to the labels: see common.py
    layout.update(height=340, margin={"l": 37, "r": 10, "t": 40, "b": 71})
    return from_spec(data, layout)


def build_animation(x: np.ndarray, v: np.ndarray, beta: float, lang: str = "en") -> go.Figure:
    """The average built sample by sample: the new sample, the average so far, and the span of
    recent samples (about 1/(1 − β)) that carries most of its weight. Client-side frames."""
    n = len(x)
    steps = np.arange(1, n + 1)
    window = 1.0 / (1.0 - beta)
    shown = frame_indices(n, MAX_ANIMATION_FRAMES, first=1)  # (samples count from 1)
    idx = _thin(n)
    data = [
        {
            "type": "scatter",
            "x": steps[idx],
            "y": compact(x[idx]),
            "mode": "lines",
            "name": t("ewa_series", lang),
            "line": {"width": 1, "color": "rgba(100,100,100,0.45)"},
        },
        {
            "type": "scatter",
            "x": [1],
            "y": compact(v[:1]),
            "mode": "lines",
            "name": t("ewa_so_far", lang, beta=f"{beta:g}"),
            "line": {"color": colour(0), "width": 3},
        },
        {
            "type": "scatter",
            "x": [1],
            "y": compact(x[:1]),
            "mode": "markers",
            "name": t("ewa_new_sample", lang),
            "marker": {"size": 12, "color": colour(1), "line": {"color": "white", "width": 1}},
        },
        {
            "type": "scatter",
            "x": [1, 1],
            "y": compact(v[:1].repeat(2)),
            "mode": "lines",
            "name": t("ewa_window_span", lang),
            "line": {"color": colour(0), "width": 14},
            "opacity": 0.25,
        },
    ]
    vl, xl = decimals(v, 4), decimals(x)  # rounded once, picked per frame
    frames = []
    for k in shown:
        keep = np.unique(np.linspace(0, k, min(k + 1, 400)).astype(int)).tolist()
        lo = max(1.0, k + 1 - window)
        frames.append(
            {
                "name": str(k),
                "traces": [1, 2, 3],
                "data": [
                    {"type": "scatter", "x": [i + 1 for i in keep], "y": [vl[i] for i in keep]},
                    {"type": "scatter", "x": [int(k + 1)], "y": xl[k : k + 1]},
                    {"type": "scatter", "x": [float(lo), int(k + 1)], "y": [vl[k], vl[k]]},
                ],
            }
        )
    pad = 0.05 * (float(np.nanmax(x)) - float(np.nanmin(x)) + 1e-9)
    controls = animation_controls(
        [str(k) for k in shown], [int(k) + 1 for k in shown], lang, redraw=False
    )
    _says_t(controls, lang)
    controls_above(controls, CONTROLS_Y)
    layout = {
        "height": 420,
        "margin": {"l": 71, "r": 10, "t": 117, "b": 90},  # (fitted: see common.py)
        "xaxis": {"range": [0, n + 1], "title": {"text": t("axis_t", lang)}},
        "yaxis": {
            "range": [float(np.nanmin(x)) - pad, float(np.nanmax(x)) + pad],
            "title": {"text": t("axis_x", lang)},
        },
        "legend": {"orientation": "h", "y": -0.2},
        "uirevision": "ewa_build",
        **controls,
    }
    return from_spec(data, layout, frames)


def states_figure(states: dict, lang: str = "en") -> go.Figure:
    """Each optimizer state read from torch (dots) against this view's EWA of the gradients (line),
    x-coordinate, one panel per state."""
    panels = [(name, key, d) for name, r in states.items() for key, d in r["states"].items()]
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        subplot_titles=[
            t(
                "fig_state",
                lang,
                opt=t(f"ewa_opt_{name}", lang),
                key=key,
                diff=f"{np.abs(d['torch'] - d['ewa']).max():.1e}",
            )
            for name, key, d in panels
        ],
    )
    for col, (_, _, d) in enumerate(panels, start=1):
        steps = np.arange(1, len(d["torch"]) + 1)
        fig.add_scatter(
            x=steps,
            y=compact(d["torch"][:, 0]),
            mode="markers",
            showlegend=col == 1,
            name=t("ewa_torch_state", lang),
            marker={"size": 5, "color": colour(1)},
            row=1,
            col=col,
        )
        fig.add_scatter(
            x=steps,
            y=compact(d["ewa"][:, 0]),
            mode="lines",
            showlegend=col == 1,
            name=t("ewa_our_ewa", lang),
            line={"color": colour(0), "width": 2},
            row=1,
            col=col,
        )
    fig.update_xaxes(title_text=t("axis_step", lang))
    fig.update_layout(
        height=360,
        margin={"l": 49, "r": 10, "t": 60, "b": 97},  # (fitted: see common.py)
        legend={"orientation": "h", "y": -0.25},
    )
    fig.update_annotations(font_size=12)
    return legend.placed(fig)


def _says_t(controls: dict, lang: str) -> None:
    """The scrubber names its frames as the axis does, "t 365", not "step 365" (a series of
    samples, not an optimizer's steps)."""
    for slider in controls["sliders"]:
        slider["currentvalue"]["prefix"] = t("axis_t", lang) + " "
