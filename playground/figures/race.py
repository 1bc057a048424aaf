"""Figures of the optimizer race: overlay + small multiples animated in sync, 3-D view,
loss, gradient-norm and Hessian curves, and the basin map. Arrays in, plotly figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.common import (
    Animated,
    animation_controls,
    colour_scale,
    compact,
    decimals,
    frame_indices,
    log_axis,
    log_colour_scale,
    map_image,
    stride,
)
from playground.i18n import t

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
MAX_OVERLAY_GRID = 151  # contour points per axis under the overlay
MAX_PANEL_GRID = 61  # and under each small multiple
PANEL_COLUMNS = 3
TRAIL = 6
CLICK_GRID = 51  # invisible points per axis that make the map clickable and show f


def colour(i: int) -> str:
    return COLORS[i % len(COLORS)]


def _map_values(z: np.ndarray, log_colour: bool) -> tuple[np.ndarray, dict]:
    """Values to colour by (log10 where asked) and the colour bar's ticks."""
    if not log_colour:
        return z, {}
    values, ticks = log_colour_scale(z)
    return values, ticks


def _add_map(
    fig: go.Figure, values: np.ndarray, xs, ys, lo: float, hi: float, row: int, col: int, limit: int
) -> None:
    """Draw ``values`` (shape (n_y, n_x)) under the traces of one subplot, as an image."""
    s = stride(len(xs), limit)
    sub = fig.get_subplot(row, col)
    xref, yref = (
        sub.xaxis.plotly_name.replace("axis", ""),
        sub.yaxis.plotly_name.replace("axis", ""),
    )
    dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
    fig.add_layout_image(
        source=map_image(values[::s, ::s], lo, hi),
        xref=xref,
        yref=yref,
        x=float(xs[0] - dx / 2),
        y=float(ys[-1] + dy / 2),
        sizex=float(xs[-1] - xs[0] + dx),
        sizey=float(ys[-1] - ys[0] + dy),
        sizing="stretch",
        layer="below",
        xanchor="left",
        yanchor="top",
    )


def race_animation(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    paths: list[np.ndarray],
    labels: list[str],
    minima: np.ndarray,
    saddles: np.ndarray,
    log_colour: bool = False,
    lang: str = "en",
) -> go.Figure:
    """All runs on one contour map, and one small map per run, animated in sync.

    ``z`` has shape (n_y, n_x) over ``xs``, ``ys``; each path has shape (T_r + 1, 2); minima and
    saddles have shape (M, 2). The overlay carries an invisible grid of points so that a
    click on the map can select a start point.
    """
    n_runs = len(paths)
    panel_rows = int(np.ceil(n_runs / PANEL_COLUMNS))
    specs = [[{"colspan": PANEL_COLUMNS}, *[None] * (PANEL_COLUMNS - 1)]]
    specs += [[{} for _ in range(PANEL_COLUMNS)] for _ in range(panel_rows)]
    titles = ["", *labels]
    fig = Animated(
        make_subplots(
            rows=1 + panel_rows,
            cols=PANEL_COLUMNS,
            specs=specs,
            subplot_titles=titles,
            row_heights=[2.2] + [1] * panel_rows,
            vertical_spacing=0.16 / (1 + panel_rows),
            horizontal_spacing=0.05,
        )
    )
    window = [float(xs[0]), float(xs[-1])], [float(ys[0]), float(ys[-1])]
    values, ticks = _map_values(z, log_colour)
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    _add_map(fig, values, xs, ys, lo, hi, 1, 1, MAX_OVERLAY_GRID)
    bar = {
        "title": {"text": t("axis_value", lang)},
        "len": 0.5,
        "y": 1.0,
        "yanchor": "top",
        "thickness": 14,
        **ticks,
    }
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "color": [lo, hi],
            "colorscale": colour_scale(),
            "cmin": lo,
            "cmax": hi,
            "showscale": True,
            "colorbar": bar,
        },
        row=1,
        col=1,
    )
    cs = stride(len(xs), CLICK_GRID)
    gx, gy = np.meshgrid(xs[::cs], ys[::cs])
    fig.add_scatter(
        x=gx.ravel().astype(np.float32),
        y=gy.ravel().astype(np.float32),
        mode="markers",
        marker={"size": 10, "opacity": 0},
        name="click",
        showlegend=False,
        customdata=z[::cs, ::cs].ravel().astype(np.float32),
        hovertemplate=t("hover_click_start", lang) + "<extra></extra>",
        row=1,
        col=1,
    )
    for points, key, symbol, size in (
        (minima, "legend_minima", "star", 13),
        (saddles, "legend_saddles", "x", 11),
    ):
        if len(points):
            fig.add_scatter(
                x=compact(points[:, 0]),
                y=compact(points[:, 1]),
                mode="markers",
                name=t(key, lang),
                row=1,
                col=1,
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": "white",
                    "line": {"color": "black", "width": 1},
                },
            )
    start = paths[0][0] if len(paths) and len(paths[0]) else np.zeros(2)
    fig.add_scatter(
        x=compact(start[:1]),
        y=compact(start[1:]),
        mode="markers",
        name=t("legend_start", lang),
        row=1,
        col=1,
        marker={"symbol": "circle-open", "size": 14, "color": "white", "line": {"width": 3}},
    )
    for r, (xy, label) in enumerate(zip(paths, labels, strict=True)):
        fig.add_scatter(
            x=compact(xy[:, 0]),
            y=compact(xy[:, 1]),
            mode="lines",
            name=label,
            legendgroup=str(r),
            line={"color": colour(r), "width": 2},
            row=1,
            col=1,
        )
    moving: list[int] = []
    for r in range(n_runs):
        moving.append(len(fig.data))
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines+markers",
            showlegend=False,
            legendgroup=str(r),
            line={"color": colour(r), "width": 4},
            marker={
                "size": [0] * TRAIL + [13],
                "color": colour(r),
                "line": {"color": "white", "width": 1.5},
            },
            row=1,
            col=1,
        )
    for r, xy in enumerate(paths):
        row, col = 2 + r // PANEL_COLUMNS, 1 + r % PANEL_COLUMNS
        _add_map(fig, values, xs, ys, lo, hi, row, col, MAX_PANEL_GRID)
        fig.add_scatter(
            x=compact(xy[:, 0]),
            y=compact(xy[:, 1]),
            mode="lines",
            showlegend=False,
            line={"color": colour(r), "width": 1.5},
            row=row,
            col=col,
        )
        moving.append(len(fig.data))
        fig.add_scatter(
            x=[],
            y=[],
            mode="markers",
            showlegend=False,
            marker={"size": 10, "color": colour(r), "line": {"color": "white", "width": 1}},
            row=row,
            col=col,
        )
    longest = max((len(xy) for xy in paths), default=1)
    shown = frame_indices(longest)
    listed = [(decimals(xy[:, 0]), decimals(xy[:, 1])) for xy in paths]  # rounded once
    frames = []
    for k in shown:
        data = []
        for px, py in listed:  # overlay: current point and a short trail
            end = min(int(k), len(px) - 1)
            lo = max(0, end - TRAIL)
            data.append({"type": "scatter", "x": px[lo : end + 1], "y": py[lo : end + 1]})
        for px, py in listed:  # small multiples: the current point
            end = min(int(k), len(px) - 1)
            data.append({"type": "scatter", "x": px[end : end + 1], "y": py[end : end + 1]})
        frames.append({"name": str(k), "traces": moving, "data": data})
    fig.frames = frames
    for row in range(1, 2 + panel_rows):
        for col in range(1, PANEL_COLUMNS + 1):
            fig.update_xaxes(range=window[0], row=row, col=col, showgrid=False, zeroline=False)
            fig.update_yaxes(range=window[1], row=row, col=col, showgrid=False, zeroline=False)
    for r in range(n_runs):  # small multiples: no tick labels, the overlay has them
        row, col = 2 + r // PANEL_COLUMNS, 1 + r % PANEL_COLUMNS
        fig.update_xaxes(showticklabels=False, row=row, col=col)
        fig.update_yaxes(showticklabels=False, row=row, col=col)
    fig.update_xaxes(title_text="x", row=1, col=1)
    fig.update_yaxes(title_text="y", row=1, col=1)
    height = 620 + 300 * panel_rows
    controls = animation_controls(
        [str(k) for k in shown], [int(k) for k in shown], lang, redraw=False
    )
    above = 1.0 + 95 / height  # controls in the top margin, the legend between them and the map
    for menu in controls["updatemenus"]:
        menu.update({"y": above, "yanchor": "bottom"})
    controls["sliders"][0].update({"y": above, "yanchor": "bottom"})
    controls["sliders"][0]["pad"].update({"b": 0, "t": 0})
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 150, "b": 10},
        legend={"orientation": "h", "x": 0.0, "y": 1.0 + 8 / height, "yanchor": "bottom"},
        uirevision="race",
        clickmode="event+select",
        dragmode="zoom",
        **controls,
    )
    # Frame 0 shows every run at its start.
    for trace_index, value in zip(moving, frames[0]["data"], strict=True):
        fig.data[trace_index].update(x=value["x"], y=value["y"])
    return fig


def race_3d(xs, ys, z, paths, losses, labels, lang: str = "en") -> go.Figure:
    """The surface in 3-D with every run's path on it (static; rotate and zoom freely)."""
    s = stride(len(xs), 81)
    with np.errstate(invalid="ignore"):
        zz = np.where(np.isfinite(z), z, np.nan)[::s, ::s].astype(np.float32)
    fig = go.Figure(
        go.Surface(
            x=xs[::s].astype(np.float32),
            y=ys[::s].astype(np.float32),
            z=zz,
            colorscale="Viridis",
            showscale=False,
            opacity=0.85,
            hoverinfo="skip",
        )
    )
    top, bottom = np.nanmax(zz), np.nanmin(zz)
    for r, (xy, loss, label) in enumerate(zip(paths, losses, labels, strict=True)):
        inside = (
            (xy[:, 0] >= xs[0]) & (xy[:, 0] <= xs[-1]) & (xy[:, 1] >= ys[0]) & (xy[:, 1] <= ys[-1])
        )
        inside &= (loss <= top) & (loss >= bottom)
        pts = np.where(inside[:, None], np.column_stack([xy, loss]), np.nan)
        fig.add_scatter3d(
            x=compact(pts[:, 0]),
            y=compact(pts[:, 1]),
            z=compact(pts[:, 2]),
            mode="lines",
            name=label,
            line={"color": colour(r), "width": 6},
        )
    fig.update_layout(
        title=t("fig_race_3d", lang),
        height=560,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        scene={"xaxis_title": "x", "yaxis_title": "y", "zaxis_title": "f(x, y)"},
        uirevision="race3d",
        legend={"orientation": "h"},
    )
    return fig


def curves(
    series: list[np.ndarray],
    labels: list[str],
    title: str,
    y_title: str,
    log: bool = True,
    dashed: list[np.ndarray] | None = None,
    marks: list[int | None] | None = None,
    lang: str = "en",
) -> go.Figure:
    """One line per run against the step (log y where every value is positive).

    ``dashed`` adds a second, dashed line per run (for example λ_min beside λ_max);
    ``marks`` puts a marker at a step of each run (for example where it escaped).
    """
    fig = go.Figure()
    everything = [s for s in series if len(s)] + [s for s in (dashed or []) if len(s)]
    for r, (values, label) in enumerate(zip(series, labels, strict=True)):
        fig.add_scatter(
            x=np.arange(len(values)),
            y=compact(values),
            mode="lines",
            name=label,
            legendgroup=str(r),
            line={"color": colour(r)},
        )
        if dashed is not None:
            fig.add_scatter(
                x=np.arange(len(dashed[r])),
                y=compact(dashed[r]),
                mode="lines",
                showlegend=False,
                legendgroup=str(r),
                line={"color": colour(r), "dash": "dash"},
            )
        if marks is not None and marks[r] is not None and marks[r] < len(values):
            k = marks[r]
            fig.add_scatter(
                x=[k],
                y=compact(values[k : k + 1]),
                mode="markers",
                showlegend=False,
                legendgroup=str(r),
                hovertemplate=f"{label}: {k}<extra></extra>",
                marker={"color": colour(r), "size": 11, "symbol": "diamond"},
            )
    axis = log_axis(np.concatenate(everything)) if (log and everything) else {"type": "linear"}
    fig.update_layout(
        title=title,
        height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title=t("axis_step", lang),
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.25},
        uirevision=title,
    )
    fig.update_yaxes(**axis)
    return fig


def basin_figure(xs, ys, label: np.ndarray, minima: np.ndarray, lang: str = "en") -> go.Figure:
    """Colour each start point by where it ended: a minimum, "not converged" or "diverged"."""
    n_min = len(minima)
    names = [
        t("basin_minimum", lang, i=i + 1, x=f"{m[0]:.3g}", y=f"{m[1]:.3g}")
        for i, m in enumerate(minima)
    ]
    names += [t("basin_not_converged", lang), t("basin_diverged", lang)]
    code = np.where(label >= 0, label, np.where(label == -1, n_min, n_min + 1))  # (n, n)
    palette = [colour(i) for i in range(n_min)] + ["#d9d9d9", "#222222"]
    present = sorted(set(np.unique(code).tolist()))
    remap = {c: i for i, c in enumerate(present)}
    z = np.vectorize(remap.get)(code)
    k = len(present)
    scale = []
    for i, c in enumerate(present):
        scale += [[i / k, palette[c]], [(i + 1) / k, palette[c]]]
    text = np.array([names[c] for c in present], dtype=object)[z]
    fig = go.Figure(
        go.Heatmap(
            x=xs.astype(np.float32),
            y=ys.astype(np.float32),
            z=z,
            zmin=0,
            zmax=k,
            colorscale=scale,
            text=text,
            showscale=False,
            hovertemplate=t("legend_start", lang)
            + " (%{x:.3g}, %{y:.3g}) → %{text}<extra></extra>",
        )
    )
    for c in present:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=names[c],
            marker={"symbol": "square", "size": 12, "color": palette[c]},
        )
    if n_min:
        fig.add_scatter(
            x=minima[:, 0],
            y=minima[:, 1],
            mode="markers",
            showlegend=False,
            marker={
                "symbol": "star",
                "size": 13,
                "color": "white",
                "line": {"color": "black", "width": 1},
            },
        )
    fig.update_layout(
        title=t("fig_basin", lang),
        height=520,
        xaxis_title=t("axis_x_start", lang),
        yaxis_title=t("axis_y_start", lang),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "v", "x": 1.02},
        uirevision="basin",
    )
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])])
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], scaleanchor="x")
    return fig
