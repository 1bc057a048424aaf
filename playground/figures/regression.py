"""Pure plotly figure builders: arrays in, figure out. Nothing here computes a loss or trains.

Animations are client-side plotly frames that carry only what moves (the current point, a
short trail, the fitted line and the loss cursor), so a 500-step animation stays small.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.figures import legend
from playground.figures.common import (
    NO_NOTE,
    add_growing,
    animation_controls,
    compact,
    decimals,
    frame_indices,
    frame_of,
    from_spec,
    left_window,
    log_axis,
    log_colour_scale,
    map_layer,
    named_scale,
    note_trace,
    notes_at,
    off_window_start,
    plain,
    slider_stops,
    stride,
    subplot_layout,
    titled,
)
from playground.i18n import t
from playground.surfaces import Grid

MAX_SCATTER_POINTS = 2000  # data points drawn in a scatter; the rest are summarised in the legend
MAX_3D_POINTS = 101  # per axis, for 3-D surfaces (WebGL stays fluid on a laptop)
MAX_ANIMATION_GRID = 201  # per axis, for the contour under an animation (keeps its JSON small)
PATH_COLOR = "#d62728"
FIT_COLOR = "#d62728"


def _subsample(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if x.shape[0] <= MAX_SCATTER_POINTS:
        return x, y
    idx = np.linspace(0, x.shape[0] - 1, MAX_SCATTER_POINTS).astype(np.int64)
    return x[idx], y[idx]


def line_equation(w: float, b: float, names: tuple[str, str] = ("x", "y")) -> str:
    """``y = 2.998·x − 2.001``: the line's equation as a person writes it, to 4 digits."""

    def num(v: float) -> str:
        return f"{v:.4g}".replace("-", "−")

    x_name, y_name = (plain(n) for n in names)
    return f"{y_name} = {num(w)}·{x_name} {'−' if b < 0 else '+'} {num(abs(b))}"


def data_figure(
    x: np.ndarray,
    y: np.ndarray,
    line: tuple[float, float] | None = None,
    lang: str = "en",
    names: tuple[str, str] = ("x", "y"),
) -> go.Figure:
    """Scatter of the data (at most MAX_SCATTER_POINTS drawn) and optionally the line w·x + b.

    ``names``: what x and y are called (an uploaded table's column names), on the axes.
    """
    xs, ys = _subsample(x, y)
    name = t("legend_data", lang, shown=len(xs), total=len(x))
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", name=name, marker={"size": 7}))
    if line is not None:
        w, b = line
        ends = np.array([x.min(), x.max()])
        label = t("legend_fit", lang, equation=line_equation(w, b, names))
        fig.add_scatter(x=ends, y=w * ends + b, mode="lines", name=label, line={"color": FIT_COLOR})
    margin = {"l": 66, "r": 10, "b": 106}  # (fitted: see common.py)
    fig.update_layout(
        titled({"margin": margin}, t("fig_data", lang)),
        xaxis_title=plain(names[0]),
        yaxis_title=plain(names[1]),
        height=360,
        legend={"orientation": "h", "y": -0.2},
    )
    return legend.placed(fig)


def surface_3d(
    grid: Grid,
    z: np.ndarray,
    title: str,
    minimum: tuple[float, float, float] | None = None,
    lang: str = "en",
) -> go.Figure:
    """A 3-D surface of ``z`` (shape (n_b, n_w)), drawn with at most MAX_3D_POINTS per axis.

    ``minimum`` (w, b, L) is marked with a ★, as on the contour map: a scene annotation, drawn
    over the scene rather than as a second WebGL trace: with a software renderer (a classroom
    PC without a GPU, the CI machine) that trace's own shaders and buffers cost about 150 ms a
    scene (docs/performance.md).
    """
    s = stride(grid.n, MAX_3D_POINTS)
    fig = go.Figure(
        go.Surface(
            x=grid.w[::s].astype(np.float32),
            y=grid.b[::s].astype(np.float32),
            z=z[::s, ::s].astype(np.float32),
            colorscale="Viridis",
            showscale=False,
            hovertemplate="w=%{x:.3g}<br>b=%{y:.3g}<br>L=%{z:.4g}<extra></extra>",
        )
    )
    scene: dict = {"xaxis_title": "w", "yaxis_title": "b", "zaxis_title": "L(w, b)"}
    scene["camera"] = SURFACE_CAMERA
    if minimum is not None:
        w, b, loss = (float(v) for v in minimum)
        star = {"x": w, "y": b, "z": loss, "text": "★", "showarrow": False}
        star["hovertext"] = f"{t('legend_min', lang)}: w={w:.4g}, b={b:.4g}, L={loss:.4g}"
        font = {"size": 20, "color": "white", "shadow": "0 0 3px black"}  # (read on any colour)
        scene["annotations"] = [{**star, "font": font}]
    fig.update_layout(
        titled({"margin": {"l": 0, "r": 0, "b": 0}}, title),
        height=420,
        scene=scene,
        uirevision="surface",
    )
    return fig


# Farther than plotly's default eye (1.25, 1.25, 1.25), and lower: in a half-width column the
# default cut the b axis's ticks at the bottom and the L axis's title at the left.
SURFACE_CAMERA = {"eye": {"x": 1.6, "y": 1.6, "z": 0.9}}


def surface_contour(
    grid: Grid,
    z: np.ndarray,
    title: str,
    minimum: tuple[float, float] | None,
    minimizing_set: tuple[np.ndarray, np.ndarray] | None = None,
    log_colour: bool = False,
    lang: str = "en",
) -> go.Figure:
    """Contour map of ``z`` (shape (n_b, n_w)) with the minimum and its flat set marked."""
    fig = go.Figure(go.Contour(_contour_trace(grid, z, log_colour, lang)))
    if minimizing_set is not None and len(minimizing_set[0]) > 1:
        fig.add_scatter(
            x=minimizing_set[0].astype(np.float32),
            y=minimizing_set[1].astype(np.float32),
            mode="markers",
            marker={"size": 4, "color": "white", "opacity": 0.8},
            name=t("legend_minset", lang, count=len(minimizing_set[0])),
        )
    if minimum is not None:
        fig.add_scatter(
            x=[minimum[0]],
            y=[minimum[1]],
            mode="markers",
            name=t("legend_min", lang),
            marker={
                "symbol": "star",
                "size": 14,
                "color": "white",
                "line": {"color": "black", "width": 1.5},
            },
        )
    fig.update_layout(
        titled({"margin": {"l": 78, "r": 88, "b": 78}}, title),  # (fitted: see common.py)
        height=400,
        xaxis_title="w",
        yaxis_title="b",
        legend={"orientation": "h", "y": -0.18},
        uirevision="contour",
    )
    return legend.placed(fig)


def _contour_trace(grid: Grid, z: np.ndarray, log_colour: bool, lang: str, **kw) -> dict:
    """The contour map of ``z`` over ``grid`` as a trace specification."""
    bar: dict = {"title": {"text": t("axis_loss", lang)}}
    values = z
    if log_colour:
        values, ticks = log_colour_scale(z)
        bar.update(ticks)
    return {
        "type": "contour",
        "x": grid.w.astype(np.float32),
        "y": grid.b.astype(np.float32),
        "z": values.astype(np.float32),
        "colorscale": named_scale("Viridis"),
        "ncontours": 30,
        "colorbar": bar,
        "hovertemplate": "w=%{x:.3g}<br>b=%{y:.3g}<extra></extra>",
        **kw,
    }


def descent_animation(
    grid: Grid,
    z: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    loss: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    log_colour: bool = False,
    lang: str = "en",
    three_d: bool = True,
    names: tuple[str, str] = ("x", "y"),
    projector: bool = False,
    steps_asked: int | None = None,
    minimum: tuple[float, float] | None = None,
) -> go.Figure:
    """Gradient descent animated in sync on three or four panels, as client-side plotly frames.

    Panels: the path on the contour map, the data with the current fitted line, the loss
    against the step and, with ``three_d``, the path on the 3-D surface (a WebGL scene: the
    costliest panel to draw, by about a second in a browser without a GPU). ``w``, ``b``,
    ``loss`` have shape (T + 1,); ``z`` has shape (n_b, n_w) over ``grid``. ``names``: what
    x and y are called (an uploaded table's column names), on the fit panel's axes.
    ``projector`` (presenter mode): the three 2-D panels in one row, 570 px high (the page
    may shorten it further to fit under its title), so that the figure and its ▶ fit a
    1280 × 720 screen (the 3-D panel is left out).

    Nothing of the outcome shows before ▶: the scrubber runs to ``steps_asked`` (the steps
    asked for) even when the run diverged before it (its path then waits at its last finite
    step, and from the step it diverged the loss panel says so), and the loss axis starts
    fitted to the first step and grows with the curve (a diverging run's 1e9 is not on it
    before it happens). The map keeps its window; where the path leaves it, a marker on the
    map's edge says at which step. ``minimum`` (w, b) is marked on the map with a ★, as on the
    surfaces above it: "will it stop at the minimum?" asks a lesson.
    """
    three_d = three_d and not projector
    s = stride(grid.n, MAX_ANIMATION_GRID)
    small = Grid(grid.w_min, grid.w_max, grid.b_min, grid.b_max, len(grid.w[::s]))
    steps = np.arange(w.shape[0])
    titles = {
        "contour": t("fig_path_contour", lang),
        "3d": t("fig_path_3d", lang),
        "fit": t("fig_fit", lang),
        "loss": t("fig_loss_curve", lang),
    }
    if projector:  # contour | fit | loss, in one row
        where = {"contour": (1, 1), "fit": (1, 2), "loss": (1, 3)}
        specs = [[{"type": "xy"}] * 3]
    elif three_d:  # contour | 3-D over fit | loss
        where = {"contour": (1, 1), "3d": (1, 2), "fit": (2, 1), "loss": (2, 2)}
        specs = [[{"type": "xy"}, {"type": "scene"}], [{"type": "xy"}, {"type": "xy"}]]
    else:  # a tall contour map beside the fit over the loss
        where = {"contour": (1, 1), "fit": (1, 2), "loss": (2, 2)}
        specs = [[{"type": "xy", "rowspan": 2}, {"type": "xy"}], [None, {"type": "xy"}]]
    layout, cells = subplot_layout(
        rows=len(specs),
        cols=len(specs[0]),
        specs=specs,
        subplot_titles=[str(i) for i in range(len(where))],
        vertical_spacing=0.18 if len(specs) > 1 else None,  # (the fit's x title, the loss's title)
        horizontal_spacing=0.08 if projector else 0.1,
    )
    refs = {panel: cells[cell] for panel, cell in where.items()}  # panel → its axes
    for note, panel in zip(layout["annotations"], refs, strict=True):
        note["text"] = titles[panel]
    data: list[dict] = []
    moving = []  # indices of the traces that frames update

    def add(trace: dict, panel: str, moves: bool = False) -> None:
        data.append({**trace, **refs[panel]})
        if moves:
            moving.append(len(data) - 1)

    def axis(panel: str, which: str, **props) -> None:  # which: "x" or "y"
        ref = refs[panel][f"{which}axis"]  # e.g. "x2"
        layout.setdefault(f"{which}axis{ref[1:]}", {}).update(props)

    values = log_colour_scale(z)[0] if log_colour else z
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    images = [map_layer(values[::s, ::s], small.w, small.b, lo, hi, refs["contour"])]
    last = w.shape[0] - 1  # the last finite step
    total = max(last, steps_asked or 0)  # the steps the scrubber runs to
    shown = frame_indices(total + 1)
    at = np.minimum(shown, last)  # the step each frame shows (a diverged run waits at its end)
    grow: dict[str, list[dict[int, dict]]] = {}  # panel → trace index → update, by frame

    def grown(panel: str, columns: list[np.ndarray], style: dict, until: int = last) -> None:
        """A line drawn as the animation plays (common.add_growing), up to step ``until``."""
        cut = [c[: until + 1] for c in columns]
        grow[panel] = add_growing(data, cut, np.minimum(at, until), style | refs[panel])

    window = (grid.w_min, grid.w_max, grid.b_min, grid.b_max)
    left = left_window(w, b, window)
    path_style = {"color": PATH_COLOR, "width": 1.5, "dash": "dot"}
    path = {"type": "scatter", "mode": "lines", "line": path_style, "legendgroup": "path"}
    # on the map, the path ends where it leaves it: a diverging run's later steps would cross
    # the map back and forth as a band of zigzags (the loss panel goes on to the end)
    on_map = last if left is None else left[0]
    numbered = {"run": t("legend_path", lang), "step": t("axis_step", lang)}  # (CSV: by step)
    grown("contour", [w, b], {**path, "name": t("legend_path", lang), "meta": numbered}, on_map)
    if minimum is not None:  # over the path (a mini-batch path's zigzags hid it: teacher D),
        star = {"symbol": "star", "size": 14, "color": "white"}  # under the current (w, b)
        add(
            {"type": "scatter", "x": [float(minimum[0])], "y": [float(minimum[1])]}
            | {"mode": "markers", "name": t("legend_min", lang), "legendrank": 999}  # (first)
            | {"marker": star | {"line": {"color": "black", "width": 1.5}}},
            "contour",
        )
    current = {"size": 10, "color": PATH_COLOR, "line": {"color": "white", "width": 1}}
    add(
        {
            "type": "scatter",
            "x": compact(w[:1]),
            "y": compact(b[:1]),
            "mode": "markers",
            "marker": current,
            "name": t("legend_current", lang),
        },
        "contour",
        moves=True,
    )
    if three_d:
        s3 = stride(small.n, MAX_3D_POINTS)
        surface = {
            "type": "surface",
            "x": small.w[::s3].astype(np.float32),
            "y": small.b[::s3].astype(np.float32),
            "z": z[::s, ::s][::s3, ::s3].astype(np.float32),
            "colorscale": named_scale("Viridis"),
            "showscale": False,
            "opacity": 0.9,
            "hoverinfo": "skip",
        }
        add(surface, "3d")
        line3d = {"color": PATH_COLOR, "width": 4}
        grown(
            "3d",
            [w, b, loss],
            {"type": "scatter3d", "mode": "lines", "line": line3d, "showlegend": False},
        )
        add(
            {"type": "scatter3d", "x": compact(w[:1]), "y": compact(b[:1])}
            | {"z": compact(loss[:1]), "mode": "markers", "showlegend": False}
            | {"marker": {"size": 6, "color": PATH_COLOR}},
            "3d",
            moves=True,
        )
    xs, ys = _subsample(x, y)
    add(
        {
            "type": "scatter",
            "x": xs.astype(np.float32),
            "y": ys.astype(np.float32),
            "mode": "markers",
            "marker": {"size": 6, "color": "#1f77b4"},
            "name": t("legend_data", lang, shown=len(xs), total=len(x)),
        },
        "fit",
    )
    ends = np.array([x.min(), x.max()])
    add(
        {
            "type": "scatter",
            "x": compact(ends),
            "y": compact(w[0] * ends + b[0]),
            "mode": "lines",
            "line": {"color": FIT_COLOR, "width": 3},
            "name": t("legend_fit_now", lang),
        },
        "fit",
        moves=True,
    )
    grown(
        "loss",
        [steps, loss],
        {"type": "scatter", "mode": "lines", "line": {"color": "#444"}}
        | {"name": t("axis_loss", lang), "legendgroup": "loss"},
    )
    add(
        {"type": "scatter", "x": [0], "y": compact(loss[:1]), "mode": "markers"}
        | {"marker": {"size": 10, "color": PATH_COLOR}, "showlegend": False}
        | {"cliponaxis": False},  # (at step 0 it sits on the axis: whole, not half)
        "loss",
        moves=True,
    )

    notes = {}  # a note that a frame shows from a step on: its trace index → (step, its update)
    if left is not None:  # where the path leaves the map, on the map's edge
        k_out, (we, be), position = left
        notes[len(data)] = (
            k_out,
            {"x": [float(we)], "y": [float(be)], "textposition": position}
            | {"text": [t("fig_left_map", lang, step=k_out)]},
        )
        add(note_trace(), "contour")
    off = off_window_start(float(w[0]), float(b[0]), window)
    if off is not None:  # a start outside the window: its path may never be on the map
        (we, be), position = off
        said = t("fig_starts_off_map", lang, w=f"{w[0]:.3g}", b=f"{b[0]:.3g}")
        notes[len(data)] = (0, {"x": [we], "y": [be], "textposition": position, "text": [said]})
        add(note_trace(), "contour")
    if last < total:  # diverged: the loss panel says at which step, from that step on
        notes[len(data)] = (
            last + 1,
            {"x": [last], "y": decimals(loss[last:]), "textposition": "bottom left"}
            | {"text": [t("fig_diverged_at", lang, step=last + 1)]},
        )
        add(note_trace(), "loss")

    # (a diverging run's lines, swinging out, set a range three data-heights wide before ▶: the
    # outcome, shown; its range is then the data's and the start's, and the lines leave it)
    lines = w[:, None] * ends + b[:, None]  # (T, 2): the fitted line's two ends
    fit_shown = _fit_range(y, lines[: 1 if last < total else None])
    off_chart = _line_off_chart(lines, fit_shown, ends, lang)
    off_index = len(data)
    add(note_trace() | {"mode": "text"}, "fit")  # (words only: no point of the line is there)
    data[off_index].update(off_chart[0])

    wl, bl, ll = decimals(w), decimals(b), decimals(loss)  # rounded once, sliced per frame
    fit = decimals(lines)  # (T·2,)
    loss_ref = refs["loss"]["yaxis"]
    loss_key = f"yaxis{loss_ref[1:]}"
    frames = []
    stops = set(slider_stops(len(shown)).tolist())
    before = None  # the loss axis of the frame before
    for f, step in enumerate(shown):
        k = int(at[f])
        moved = [{"type": "scatter", "x": wl[k : k + 1], "y": bl[k : k + 1]}]
        if three_d:
            moved.append(
                {"type": "scatter3d", "x": wl[k : k + 1], "y": bl[k : k + 1], "z": ll[k : k + 1]}
            )
        moved.append({"type": "scatter", "y": fit[2 * k : 2 * k + 2]})
        moved.append({"type": "scatter", "x": [int(k)], "y": ll[k : k + 1]})
        updates = dict(zip(moving, moved, strict=True))
        for line in grow.values():
            updates.update(line[f])
        updates.update(notes_at(notes, step))
        updates[off_index] = {"type": "scatter"} | off_chart[k]
        frame = frame_of(str(int(step)), updates)
        now = _growing_loss_axis(loss[: k + 1])  # (the curve so far)
        if now != before or f in stops:  # (where the scrubber lands, whatever came before)
            frame["layout"] = {loss_key: now}
        before = now
        frames.append(frame)
    axis("loss", "y", title={"text": t("axis_loss", lang)}, **_growing_loss_axis(loss[:1]))
    axis("loss", "x", title={"text": t("axis_step", lang)}, range=[0, total])
    over_map = {"showgrid": False, "zeroline": False}  # (grid lines would cross the map)
    axis("contour", "x", title={"text": "w"}, range=[grid.w_min, grid.w_max], **over_map)
    axis("contour", "y", title={"text": "b"}, range=[grid.b_min, grid.b_max], **over_map)
    axis("fit", "x", title={"text": plain(names[0])})
    axis(
        "fit",
        "y",
        title={"text": plain(names[1])},
        range=fit_shown,
    )
    if three_d:
        for name, title in (("xaxis", "w"), ("yaxis", "b"), ("zaxis", "L")):
            layout["scene"][name] = {"title": {"text": title}}
    layout.update(
        images=images,
        # (on a projector, under the view's title: its ▶ within 720 px, at 1280 × 720)
        height=570 if projector else 960 if three_d else 800,
        margin={"l": 78, "r": 25, "t": 80 if projector else 70, "b": 158},  # (controls under)
        # on a projector the legend's larger type needs a row of its own above the panel titles
        legend={"orientation": "h", "x": 0}
        | ({"y": 1.14, "yanchor": "bottom"} if projector else {"y": 1.09}),
        uirevision="descent",
        # 2-D frames move only their traces; a 3-D marker needs plotly's full redraw
        **animation_controls(
            [str(int(k)) for k in shown],
            [int(k) for k in shown],
            lang,
            three_d,
            y=-0.24 if projector else -0.09 if three_d else -0.12,
        ),
    )
    for index, note in notes_at(notes, 0).items():  # a note from step 0 is there before ▶
        data[index].update(note)
    return from_spec(data, layout, frames)


# Decades below its start that the descent's loss axis holds from step 0: a converging run's
# curve falls without rescaling it (three fresh-eyes teachers saw it jump 1-10, 0.1-10,
# 0.01-10 as ▶ played); only a curve that leaves them, or a diverging one, grows it.
LOSS_ROOM = 3


def _growing_loss_axis(values: np.ndarray) -> dict:
    """The loss axis for the curve so far (common.log_axis, its range fixed to the values with
    a margin): it grows as the curve does, so it shows nothing of the steps still to come.

    A log axis ends on whole decades, at least a twentieth of the curve's span (and of a
    decade) beyond it, and LOSS_ROOM decades below the start: it grows a decade at a time,
    seldom (two fresh-eyes teachers saw it rescale on every frame, in tenths of a decade, and
    the curve seem to change shape), and a diverging run's start and end stay off its edges."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"type": "linear", "autorange": True}
    lo, hi = float(values.min()), float(values.max())
    if lo > 0:
        low, high = math.log10(lo), math.log10(hi)
        out = max(0.05, 0.05 * (high - low))  # (decades)
        room = math.log10(float(values[0])) - LOSS_ROOM  # (the same for every run from there)
        ends = [math.floor(min(low - out, room)), math.ceil(high + out)]
        return log_axis(np.array([10.0 ** ends[0], 10.0 ** ends[1]])) | {"range": ends}
    step = 10.0 ** math.floor(math.log10(max(hi - lo, abs(hi), 1e-12))) / 10
    ends = [math.floor(lo / step - 0.5) * step, math.ceil(hi / step + 0.5) * step]
    return {"type": "linear", "range": [float(f"{e:.6g}") for e in ends]}


def _line_off_chart(
    lines: np.ndarray, shown: list[float], ends: np.ndarray, lang: str
) -> list[dict]:
    """For each step, the fit panel's note (a ``note_trace``'s update) while the fitted line
    ``lines`` (T, 2) is wholly above or below the panel's y range ``shown``, on that edge: a
    diverging run's line swings out, and the panel showed only its points, without a word
    (a fresh-eyes teacher). ``NO_NOTE`` while the line is in view."""
    mid = float(np.mean(ends))
    notes = []
    for low, high in zip(lines.min(axis=1), lines.max(axis=1), strict=True):
        if low > shown[1]:
            edge, position, key = shown[1], "bottom center", "fig_line_above"
        elif high < shown[0]:
            edge, position, key = shown[0], "top center", "fig_line_below"
        else:
            notes.append(NO_NOTE)
            continue
        notes.append(
            {"x": [mid], "y": [float(edge)], "textposition": position, "text": [t(key, lang)]}
        )
    return notes


def _fit_range(y: np.ndarray, lines: np.ndarray) -> list[float]:
    """y-axis range holding the data and the fitted lines, but at most 3 data-heights beyond it."""
    lo, hi = float(y.min()), float(y.max())
    span = hi - lo if hi > lo else 1.0
    finite = lines[np.isfinite(lines)]
    lo = max(min(lo, float(finite.min())), lo - 3 * span)
    hi = min(max(hi, float(finite.max())), hi + 3 * span)
    return [lo - 0.05 * span, hi + 0.05 * span]
