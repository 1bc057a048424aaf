"""Figures of the optimizer race: overlay + small multiples animated in sync, 3-D view,
loss, gradient-norm and Hessian curves, and the basin map. Arrays in, plotly figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures import legend as text_room
from playground.figures.common import (
    add_growing,
    animation_controls,
    colour_scale,
    compact,
    controls_above,
    decimals,
    frame_indices,
    frame_of,
    from_spec,
    left_window,
    legend_width,
    log_axis,
    log_colour_scale,
    map_layer,
    note_trace,
    notes_at,
    stride,
    subplot_layout,
    titled,
)
from playground.i18n import t

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
MAX_OVERLAY_GRID = 151  # contour points per axis under the overlay
MAX_PANEL_GRID = 61  # and under each small multiple
PANEL_COLUMNS = 3
CLICK_GRID = 51  # invisible points per axis that make the map clickable and show f

# A race's frames: fewer than a descent's (common.MAX_FRAMES), as every frame of plotly.js's
# costs in proportion to the figure's traces, and a race of five runs has a hundred: the
# range-test lesson's 1,000 steps in 201 frames took over 2 min at 1× in headless Chromium
# (a fresh-eyes teacher); in 101 (every 10 steps), half that.
RACE_FRAMES = 126


def colour(i: int) -> str:
    return COLORS[i % len(COLORS)]


SMALL_TITLE = 14  # px: a small map's title (its run's label)
NEAR = 0.08  # exits closer than this part of the map's width share a place: their notes stack
SMALL_PIECES = 6  # pieces of a small map's path (common.growing): less data than the overlay's
SIDE_LEGEND = 0.3  # the share of the width left of the map that holds its legend (no small maps)


def _map_values(z: np.ndarray, log_colour: bool) -> tuple[np.ndarray, dict]:
    """Values to colour by (log10 where asked) and the colour bar's ticks."""
    if not log_colour:
        return z, {}
    values, ticks = log_colour_scale(z)
    return values, ticks


def _grid_layout(n_runs: int, title_lines: int = 1) -> dict:
    """The subplot grid of a race as a layout dict (axes, their domains, title placeholders
    that the runs' labels replace), from make_subplots once per size (common.subplot_layout).

    Subplot k in reading order (the overlay first) has axes ``xaxis{k}``/``yaxis{k}``; k = 1 is
    written without a number.
    """
    panel_rows = int(np.ceil(n_runs / PANEL_COLUMNS))
    specs = [[{"colspan": PANEL_COLUMNS}, *[None] * (PANEL_COLUMNS - 1)]]
    specs += [[{} for _ in range(PANEL_COLUMNS)] for _ in range(panel_rows)]
    layout, _ = subplot_layout(
        rows=1 + panel_rows,
        cols=PANEL_COLUMNS,
        specs=specs,
        subplot_titles=["", *(f"{r}" for r in range(n_runs))],
        row_heights=[2.2] + [1] * panel_rows,
        # (a small map's title on two lines needs room under the overlay's "x")
        vertical_spacing=(0.22 + 0.05 * (title_lines - 1)) / (1 + panel_rows),
        horizontal_spacing=0.05,
    )
    return layout


def _axes(k: int) -> tuple[str, str]:
    """Trace axis references of subplot k (1 = the overlay): ("x", "y"), ("x2", "y2"), …"""
    return ("x", "y") if k == 1 else (f"x{k}", f"y{k}")


def _map(values: np.ndarray, xs, ys, lo: float, hi: float, k: int, limit: int) -> dict:
    """``values`` (shape (n_y, n_x)) as an image under the traces of subplot k."""
    s = stride(len(xs), limit)
    xref, yref = _axes(k)
    return map_layer(values[::s, ::s], xs, ys, lo, hi, {"xaxis": xref, "yaxis": yref})


def _scatter(k: int, **props) -> dict:
    xref, yref = _axes(k)
    return {"type": "scatter", "xaxis": xref, "yaxis": yref, **props}


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
    small: bool = True,
) -> go.Figure:
    """All runs on one contour map, and one small map per run, animated in sync.

    ``small=False`` (presenter mode) leaves out the small maps: the map and its ▶ then fit on
    a 720-px projector.

    ``z`` has shape (n_y, n_x) over ``xs``, ``ys``; each path has shape (T_r + 1, 2); minima and
    saddles have shape (M, 2). The overlay carries an invisible grid of points so that a
    click on the map can select a start point.
    """
    n_runs = len(paths)
    n_small = n_runs if small else 0
    panel_rows = int(np.ceil(n_small / PANEL_COLUMNS))
    room = text_room.SHOWN_WIDTH / PANEL_COLUMNS - 24  # px a small map's title may take
    # a long label (a run with a schedule) on two lines, not into its neighbour's title
    titles = ["<br>".join(text_room.wrap(label, SMALL_TITLE, room)) for label in labels[:n_small]]
    layout = _grid_layout(n_small, 1 + max((t.count("<br>") for t in titles), default=0))
    for note, title in zip(layout.get("annotations", []), titles, strict=True):
        note["text"] = title
        note["font"] = {**note.get("font", {}), "size": SMALL_TITLE}
    window = [float(xs[0]), float(xs[-1])], [float(ys[0]), float(ys[-1])]
    values, ticks = _map_values(z, log_colour)
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    images = [_map(values, xs, ys, lo, hi, 1, MAX_OVERLAY_GRID)]
    bar = {
        "title": {"text": t("axis_value", lang)},
        "len": 0.5,
        "y": 1.0,
        "yanchor": "top",
        "thickness": 14,
        **ticks,
    }
    data = [
        _scatter(
            1,
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
        )
    ]
    cs = stride(len(xs), CLICK_GRID)
    gx, gy = np.meshgrid(xs[::cs], ys[::cs])
    data.append(
        _scatter(
            1,
            x=gx.ravel().astype(np.float32),
            y=gy.ravel().astype(np.float32),
            mode="markers",
            # Hover and click work on the data, not on drawn markers: drawing 2,601 invisible
            # markers cost the browser 0.2-0.5 s on every change (bench_latency.py).
            marker={"size": 10, "opacity": 0, "maxdisplayed": 1},
            name="click",
            showlegend=False,
            customdata=z[::cs, ::cs].ravel().astype(np.float32),
            hovertemplate=t("hover_click_start", lang) + "<extra></extra>",
        )
    )
    for points, key, symbol, size in (
        (minima, "legend_minima", "star", 13),
        (saddles, "legend_saddles", "x", 11),
    ):
        if len(points):
            marker = {"symbol": symbol, "size": size, "color": "white"}
            marker["line"] = {"color": "black", "width": 1}
            data.append(
                _scatter(
                    1,
                    x=compact(points[:, 0]),
                    y=compact(points[:, 1]),
                    mode="markers",
                    name=t(key, lang),
                    marker=marker,
                )
            )
    start = paths[0][0] if len(paths) and len(paths[0]) else np.zeros(2)
    data.append(
        _scatter(
            1,
            x=compact(start[:1]),
            y=compact(start[1:]),
            mode="markers",
            name=t("legend_start", lang),
            # white with a black rim, like the minima: visible on the map and in the legend
            marker={"size": 13, "color": "white", "line": {"color": "black", "width": 1.5}},
        )
    )
    longest = max((len(xy) for xy in paths), default=1)
    shown = frame_indices(longest, RACE_FRAMES)
    grow: list[list[dict[int, dict]]] = []  # per line: trace index → update, by frame
    for r, (xy, label) in enumerate(zip(paths, labels, strict=True)):
        steps = np.minimum(shown, len(xy) - 1)  # a shorter run waits at its end
        style = {"mode": "lines", "name": label, "legendgroup": str(r)}
        style["line"] = {"color": colour(r), "width": 2}
        style["meta"] = {"run": label, "step": t("axis_step", lang)}  # (CSV: points by step)
        grow.append(add_growing(data, [xy[:, 0], xy[:, 1]], steps, _scatter(1, **style)))
    moving: list[int] = []
    for r in range(n_runs):  # the current point of each run
        moving.append(len(data))
        head = {"size": 13, "color": colour(r), "line": {"color": "white", "width": 1.5}}
        data.append(
            _scatter(
                1, x=[], y=[], mode="markers", showlegend=False, legendgroup=str(r), marker=head
            )
        )
    for r, xy in enumerate(paths[:n_small]):  # each run on its own small map, drawn as it plays
        k = 2 + r  # subplot of run r
        images.append(_map(values, xs, ys, lo, hi, k, MAX_PANEL_GRID))
        # a small map draws the path through the frames' steps only (a 200-px map needs no
        # more), in coarser pieces: a fraction of the frames' data of the overlay's lines
        kept, steps = np.unique(np.minimum(shown, len(xy) - 1), return_inverse=True)
        style = {"mode": "lines", "showlegend": False, "line": {"color": colour(r), "width": 1.5}}
        line = [xy[kept, 0], xy[kept, 1]]
        grow.append(add_growing(data, line, steps, _scatter(k, **style), "chord", SMALL_PIECES))
        moving.append(len(data))
        dot = {"size": 10, "color": colour(r), "line": {"color": "white", "width": 1}}
        data.append(_scatter(k, x=[], y=[], mode="markers", showlegend=False, marker=dot))
    # where a run leaves the overlay's map: an x of its colour on the edge and the step, from
    # that step on (its dot is off the map from then on; nothing shows it before)
    (x0, x1), (y0, y1) = window
    notes: dict[int, tuple[int, dict]] = {}  # trace index → (from step, its update)
    exits: list[tuple[float, float]] = []  # where notes are, to put a note under its neighbours
    for r, xy in enumerate(paths):
        # (one a run, empty if it stays: a new setting then moves the chart's traces in place)
        data.append(_scatter(1, **note_trace(colour(r))))
        left = left_window(xy[:, 0], xy[:, 1], (x0, x1, y0, y1))
        if left is None:
            continue
        k_out, (xe, ye), position = left
        near = sum(
            abs(xe - xo) < NEAR * (x1 - x0) and abs(ye - yo) < NEAR * (y1 - y0) for xo, yo in exits
        )
        exits.append((xe, ye))
        text = f"{r + 1}. " + t("fig_left_map", lang, step=k_out)  # (its number, as in the legend)
        gap = "<br>" * near  # (blank lines between the marker and the text: under the others)
        text = text + gap if position.startswith("top") else gap + text
        update = {"x": [xe], "y": [ye], "textposition": position, "text": [text]}
        notes[len(data) - 1] = (k_out, update)
    listed = [(decimals(xy[:, 0]), decimals(xy[:, 1])) for xy in paths]  # rounded once
    frames = []
    for f, k in enumerate(shown):
        moved = []
        for px, py in listed:  # overlay: the current point (at step 0 the start marker is
            end = min(int(k), len(px) - 1)  # every run's: their dots hid it under the last)
            at = slice(end, end + 1) if int(k) > 0 else slice(0, 0)
            moved.append({"type": "scatter", "x": px[at], "y": py[at]})
        for px, py in listed[:n_small]:  # small multiples: the current point
            end = min(int(k), len(px) - 1)
            moved.append({"type": "scatter", "x": px[end : end + 1], "y": py[end : end + 1]})
        updates = dict(zip(moving, moved, strict=True))
        for line in grow:
            updates.update(line[f])
        updates.update(notes_at(notes, k))
        frames.append(frame_of(str(k), updates))
    # Frame 0 shows every run at its start.
    for trace_index, value in zip(frames[0]["traces"], frames[0]["data"], strict=True):
        data[trace_index].update(value)
    for name in [key for key in layout if key.startswith(("xaxis", "yaxis"))]:
        k = int(name[5:] or 1)  # its subplot
        layout[name].update(
            range=window[0] if name.startswith("x") else window[1],
            showgrid=False,
            zeroline=False,
            visible=k <= 1 + n_small,  # the grid's last row may have empty cells
            constrain="domain",  # equal scale: the plot area shrinks, the window stays
            **({"showticklabels": False} if k > 1 else {}),  # the overlay has tick labels
        )
        if name.startswith("y"):  # a unit of y as long as a unit of x, on every screen
            layout[name].update(scaleanchor="x" + name[5:], scaleratio=1)
    layout["xaxis"]["title"] = {"text": "x"}
    layout["yaxis"]["title"] = {"text": "y"}
    height = 620 + 300 * panel_rows
    controls = animation_controls(
        [str(k) for k in shown], [int(k) for k in shown], lang, redraw=False
    )
    if small:  # controls in the top margin, the legend between them and the map
        controls_above(controls, 1.0 + 95 / height)
        top = 171  # (fitted: see common.py)
        legend = {"orientation": "h", "x": 0.0, "y": 1.0 + 8 / height, "yanchor": "bottom"}
    else:  # the map alone (a projector): the legend beside it, the map taller by its rows
        controls_above(controls, 1.0 + 20 / height)
        top = 96
        layout["xaxis"]["domain"] = [SIDE_LEGEND, 1.0]
        legend = {"orientation": "v", "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    layout.update(
        images=images,
        height=height,
        margin={"l": 80, "r": 82, "t": top, "b": 24},
        legend=legend,
        uirevision="race",
        clickmode="event",  # a click reports its point (the new start); it selects nothing
        dragmode="zoom",
        **controls,
    )
    return from_spec(data, layout, frames)


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
        titled({"margin": {"l": 0, "r": 0, "b": 0}}, t("fig_race_3d", lang)),
        height=560,
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
    curve_names: tuple[str, str] = ("", ""),
) -> go.Figure:
    """One line per run against the step (log y where every value is positive).

    ``dashed`` adds a second, dashed line per run (for example λ_min beside λ_max), and
    ``curve_names`` name the solid and the dashed line in the CSV's "curve" column;
    ``marks`` puts a marker at a step of each run (for example where it escaped).
    """
    data: list[dict] = []
    everything = [s for s in series if len(s)] + [s for s in (dashed or []) if len(s)]
    for r, (values, label) in enumerate(zip(series, labels, strict=True)):
        line = {"type": "scatter", "mode": "lines", "legendgroup": str(r)}
        curve = t("csv_curve", lang)
        data.append(
            line
            | {"x": np.arange(len(values)), "y": compact(values), "name": label}
            | {"line": {"color": colour(r)}}
            | (
                {"meta": {"run": label, "columns": {curve: curve_names[0] or "1"}}}
                if dashed
                else {}
            )
        )
        if dashed is not None:
            data.append(
                line
                | {"x": np.arange(len(dashed[r])), "y": compact(dashed[r]), "showlegend": False}
                | {"line": {"color": colour(r), "dash": "dash"}}
                | {"meta": {"run": label, "columns": {curve: curve_names[1] or "2"}}}
            )
        if marks is not None and marks[r] is not None and marks[r] < len(values):
            k = marks[r]
            data.append(
                {"type": "scatter", "x": [k], "y": compact(values[k : k + 1]), "mode": "markers"}
                | {"showlegend": False, "legendgroup": str(r)}
                | {"hovertemplate": f"{label}: {k}<extra></extra>"}
                | {"marker": {"color": colour(r), "size": 11, "symbol": "diamond"}}
            )
    axis = log_axis(np.concatenate(everything)) if (log and everything) else {"type": "linear"}
    layout = {
        "height": 340,
        "margin": {"l": 89, "r": 25, "b": 97},  # (fitted: see common.py)
        "xaxis": {"title": {"text": t("axis_step", lang)}},
        "yaxis": {"title": {"text": y_title}, **axis},
        "legend": {"orientation": "h", "y": -0.25},
        "uirevision": title,
    }
    return from_spec(data, titled(layout, title))


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
    right = 50 + legend_width([names[c] for c in present])  # the legend names the minima
    fig.update_layout(
        titled({"margin": {"l": 84, "r": right, "b": 75}}, t("fig_basin", lang)),
        height=520,
        xaxis_title=t("axis_x_start", lang),
        yaxis_title=t("axis_y_start", lang),
        legend={"orientation": "v", "x": 1.02},
        uirevision="basin",
    )
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])])
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], scaleanchor="x")
    return fig


def schedule_figure(
    rates: list[float], lang: str = "en", unit: str = "slider_step", multiplies: bool = False
) -> go.Figure:
    """η against the step of a run (the rate each step uses: playground.schedules.lr_sequence);
    ``unit``: the catalogue key of the x axis' title (the step, or the epoch).

    Each rate holds for its whole step, so the line is drawn as steps (a drop is vertical, not
    a slope). A schedule that ``multiplies`` η (step decay, exponential) is drawn on a log axis
    when its rates span a decade or more, where the later ones do not look like 0."""
    steps = np.arange(1, len(rates) + 1)
    values = np.asarray(rates, dtype=np.float64)
    positive = values[values > 0]
    spans = positive.size == values.size > 0 and positive.max() >= 10 * positive.min()
    log = multiplies and bool(spans)
    data = [
        {
            "type": "scatter",
            "x": compact(steps),
            "y": decimals(values),
            "mode": "lines",
            "line": {"color": "#333333", "width": 2, "shape": "hv"},
            "name": t("sched_eta", lang),
            "meta": {"run": t("sched_eta", lang)},
        }
    ]
    layout = {
        "xaxis": {"title": {"text": t(unit, lang)}},
        "yaxis": {"title": {"text": "η"}} | ({"type": "log"} if log else {"rangemode": "tozero"}),
        "height": 200,
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "showlegend": False,
    }
    return from_spec(data, layout)


def _range_test_stars(suggested, at_suggested, names, lang: str) -> list[dict]:
    """A star per optimizer at (the range test's η, the success rate there), in its colour; one
    grey legend entry says what the stars are."""
    label = t("fair_range_test", lang)
    stars = [
        {
            "type": "scatter",
            "x": [float(suggested[o])],
            "y": [float(at_suggested[o])],
            "mode": "markers",
            "marker": {"symbol": "star", "size": 15, "color": colour(o), "line": {"width": 1}},
            "name": label,
            "showlegend": False,
            "hovertemplate": f"{name}<br>{label}: η = %{{x:.3g}}, %{{y:.0%}}<extra></extra>",
            "meta": {"run": name},
        }
        for o, name in enumerate(names)
    ]
    legend = {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": label}
    legend["marker"] = {"symbol": "star", "size": 12, "color": "#888"}
    return [*stars, legend]


def fair_figure(
    rates: np.ndarray,
    success: np.ndarray,
    names: list[str],
    lang: str = "en",
    suggested: np.ndarray | None = None,
    at_suggested: np.ndarray | None = None,
):
    """The fair race: each optimizer's share of starts that reached the tolerance, against η
    (log axis); a star at the range test's η (``suggested`` (O,)) and its success rate."""
    stars = [] if suggested is None else _range_test_stars(suggested, at_suggested, names, lang)
    data = [
        {
            "type": "scatter",
            "x": compact(rates),
            "y": decimals(success[o]),
            "mode": "lines+markers",
            "name": name,
            "line": {"color": colour(o), "width": 2},
            "meta": {"run": name},
        }
        for o, name in enumerate(names)
    ] + stars
    layout = {
        "xaxis": {"title": {"text": "η"}, "type": "log", "exponentformat": "power"},
        "yaxis": {
            "title": {"text": t("fair_axis_success", lang)},
            "range": [-0.03, 1.03],
            "tickformat": ".0%",
        },
        "height": 380,
        "margin": {"l": 60, "r": 10, "b": 100},
        "legend": {"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("fair_fig_title", lang)))
