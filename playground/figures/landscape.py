"""Figures of the landscapes of real networks: the loss and the sharpness against 2/η, the
slice (training and validation loss) with every run's projected path animated on it, the 1-D
slice between two runs, a 3-D view, and how faithful the slice is along each path.
Arrays in, plotly figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

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
    log_axis,
    map_layer,
    subplot_layout,
    titled,
)
from playground.figures.race import colour
from playground.i18n import t


def _meta(name: str, curve: str, lang: str) -> dict:
    """For the figure's CSV: the run and which of its curves a trace is (never its style)."""
    return {"run": name, "columns": {t("csv_curve", lang): t(curve, lang)}}


def sharpness_figure(
    epochs: np.ndarray,
    loss: np.ndarray,
    sharp: np.ndarray,
    bounds: list[float | None],
    names: list[str],
    lang: str = "en",
    planned: int | None = None,
) -> go.Figure:
    """Training loss (log axis) and sharpness λ_max per epoch, side by side, with each run's
    stability bound 2/η as a dashed line of its colour (none for adaptive optimizers).

    ``epochs`` (E,); ``loss`` and ``sharp`` (E, R), NaN where not measured or diverged.
    ``planned``: the run's epochs, for axes that span the whole run; with no epoch yet (E = 0)
    the figure is the question before Train: the bounds alone, the curves to come.
    """
    layout, cells = subplot_layout(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=[t("ll_loss_title", lang), t("ll_sharpness_title", lang)],
    )
    data: list[dict] = []
    xs = compact(epochs)
    for r, name in enumerate(names):
        style = {"mode": "lines", "legendgroup": str(r), "line": {"color": colour(r), "width": 2}}
        data.append(
            {
                "type": "scatter",
                **cells[(1, 1)],
                **style,
                "x": xs,
                "y": decimals(loss[:, r]),
                "name": name,
                "meta": _meta(name, "ll_curve_loss", lang),
            }
        )
        data.append(
            {
                "type": "scatter",
                **cells[(1, 2)],
                **style,
                "x": xs,
                "y": decimals(sharp[:, r]),
                "name": name,
                "showlegend": False,
                "meta": _meta(name, "ll_curve_sharpness", lang),
                "connectgaps": True,
            }
        )
    # the axes fit the runs that did not diverge (one that blew up would flatten the others)
    alive = [r for r in range(loss.shape[1]) if len(loss) and np.isfinite(loss[-1, r])]
    kept = sharp[:, alive] if alive else sharp
    known = [b for b in bounds if b is not None]
    top = float(np.nanmax(kept)) if np.isfinite(kept).any() else max(known, default=1.0)
    end = float(planned or (epochs[-1] if len(epochs) else 1.0))
    for r, bound in enumerate(bounds):
        if bound is None:
            continue
        data.append(
            {
                "type": "scatter",
                **cells[(1, 2)],
                "x": [0, end],
                "y": [bound, bound],
                "mode": "lines",
                "legendgroup": str(r),
                "showlegend": not len(epochs),  # (before Train, the runs' only lines)
                "line": {"color": _bound_colour(bounds, r), "width": 1.5, "dash": "dash"},
                "name": t("ll_bound", lang, name=names[r]),
                "meta": _meta(names[r], "ll_curve_bound", lang),
                "hovertemplate": t("ll_bound_hover", lang, value=f"{bound:.3g}")
                + "<extra></extra>",
            }
        )
    visible = [b for b in bounds if b is not None and b < 3 * max(top, 1e-9)]
    y_top = max([top, *visible]) * 1.1 if np.isfinite(top) else 1.0
    above = [(r, b) for r, b in enumerate(bounds) if b is not None and b > y_top]
    notes = [  # a bound above the chart is named at its top (its line is out of sight)
        {"xref": "x2 domain", "yref": "y2 domain", "x": 1, "y": 1, "xanchor": "right"}
        | {"yanchor": "top", "yshift": -18 * k, "showarrow": False}
        | {"font": {"color": colour(r), "size": 12}}
        | {"text": t("ll_bound_above", lang, name=names[r], value=f"{b:.3g}")}
        for k, (r, b) in enumerate(above)
    ]
    shared: dict[float, list[int]] = {}  # a visible bound → the runs of that η (one line)
    for r, b in enumerate(bounds):
        if b is not None and b <= y_top:
            shared.setdefault(float(b), []).append(r)
    notes += [  # each line says its value and whose it is: two runs of one η draw one line
        # (at its left end, where the sharpness is still low; in its run's colour, or grey
        # for runs of one η: "runs 1, 3" in run 3's green read as run 3's alone)
        {"xref": "x2 domain", "yref": "y2", "x": 0.01, "y": b, "xanchor": "left"}
        | {"yanchor": "bottom", "showarrow": False}
        | {"font": {"color": _bound_colour(bounds, rs[-1]), "size": 11}}
        | {"text": t(key, lang, value=f"{b:.3g}", runs=", ".join(str(r + 1) for r in rs))}
        for b, rs in shared.items()
        for key in ["ll_bound_line" if len(rs) == 1 else "ll_bound_lines"]
    ]
    layout["annotations"] = [*layout.get("annotations", []), *notes]
    span = {"range": [0, planned]} if planned else {}
    layout["xaxis"].update(title={"text": t("ll_axis_epoch", lang)}, **span)
    layout["xaxis2"].update(title={"text": t("ll_axis_epoch", lang)}, **span)
    loss_axis = log_axis(loss[:, alive] if alive else loss)
    if not len(epochs):  # (no loss yet: no made-up scale)
        loss_axis = {"range": [0, 1], "showticklabels": False}
    layout["yaxis"].update(title={"text": t("ll_axis_loss", lang)}, **loss_axis)
    # (a band on top for the notes of bounds above the chart: at a projector's size a line's
    # label near the top lay under "↑ 2/η of 2. SGD η=0.025 = 80, above the chart")
    room = 1 + 0.16 * len(above)
    layout["yaxis2"].update(title={"text": t("ll_axis_sharpness", lang)}, range=[0, y_top * room])
    layout.update(
        height=380,
        margin={"l": 60, "r": 20, "t": 60, "b": 90},
        legend={"orientation": "h", "x": 0, "y": -0.28, "yanchor": "top"},
        uirevision="ll_sharpness",
    )
    return from_spec(data, layout)


def plane_animation(
    alphas: np.ndarray,
    betas: np.ndarray,
    train: np.ndarray,
    val: np.ndarray,
    paths: np.ndarray,
    epochs: np.ndarray,
    names: list[str],
    axis_titles: tuple[str, str],
    lang: str = "en",
) -> go.Figure:
    """The training and the validation loss on one plane, side by side, as maps (images under
    the traces, so they stay through ▶, ❚❚ and the scrubber), with every run's path drawn as it
    plays (nothing of the outcome before ▶) and its current point.

    ``train``, ``val``: (B, A) over ``alphas`` (A,) and ``betas`` (B,); ``paths`` (R, T, 2),
    NaN where a run had diverged; ``epochs`` (T,) of the snapshots.
    """
    layout, cells = subplot_layout(
        rows=1,
        cols=2,
        horizontal_spacing=0.08,
        subplot_titles=[t("ll_map_train", lang), t("ll_map_val", lang)],
    )
    both = np.concatenate([train[np.isfinite(train)], val[np.isfinite(val)]])
    lo, hi = (float(both.min()), float(np.quantile(both, 0.98))) if both.size else (0.0, 1.0)
    images = [
        map_layer(np.minimum(z, hi), alphas, betas, lo, hi, cells[(1, c)])
        for c, z in ((1, train), (2, val))
    ]
    colourbar = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "showlegend": False,
        "hoverinfo": "skip",
        **cells[(1, 2)],
        "marker": {
            "color": [lo, hi],
            "colorscale": colour_scale(),
            "cmin": lo,
            "cmax": hi,
            "showscale": True,
            "colorbar": {"thickness": 12, "len": 0.8, "title": {"text": t("ll_axis_loss", lang)}},
        },
    }
    data: list[dict] = [colourbar]  # (an invisible point that carries the colour bar)
    shown = frame_indices(paths.shape[1])
    grow: list[list[dict[int, dict]]] = []
    heads: list[int] = []
    drawn = [r for r in range(len(names)) if np.isfinite(paths[r]).all()]
    for c in (1, 2):
        for r in drawn:
            style = {
                "type": "scatter",
                **cells[(1, c)],
                "mode": "lines",
                "name": names[r],
                "legendgroup": str(r),
                "showlegend": c == 1,
                "line": {"color": colour(r), "width": 2.5},
                "meta": _meta(names[r], "ll_curve_path", lang),
            }
            grow.append(add_growing(data, [paths[r, :, 0], paths[r, :, 1]], shown, style))
            heads.append(len(data))
            head = {"size": 11, "color": colour(r), "line": {"color": "white", "width": 1.5}}
            data.append(
                {
                    "type": "scatter",
                    **cells[(1, c)],
                    "x": [],
                    "y": [],
                    "mode": "markers",
                    "showlegend": False,
                    "legendgroup": str(r),
                    "marker": head,
                    "hoverinfo": "skip",
                }
            )
    origin = {
        "symbol": "star",
        "size": 14,
        "color": "white",
        "line": {"color": "black", "width": 1},
    }
    for c in (1, 2):
        data.append(
            {
                "type": "scatter",
                **cells[(1, c)],
                "x": [0.0],
                "y": [0.0],
                "mode": "markers",
                "marker": origin,
                "name": t("ll_origin", lang),
                "showlegend": c == 1,
            }
        )
    listed = [(decimals(paths[r, :, 0]), decimals(paths[r, :, 1])) for r in drawn]
    frames = []
    for f, k in enumerate(shown):
        updates: dict[int, dict] = {}
        for line in grow:
            updates.update(line[f])
        for i, head in enumerate(heads):
            px, py = listed[i % len(listed)] if listed else ([], [])
            updates[head] = {"type": "scatter", "x": px[k : k + 1], "y": py[k : k + 1]}
        frames.append(frame_of(str(int(epochs[k])), updates))
    if frames:
        for index, value in zip(frames[0]["traces"], frames[0]["data"], strict=True):
            data[index].update(value)
    window = [float(alphas[0]), float(alphas[-1])], [float(betas[0]), float(betas[-1])]
    for c, (xa, ya) in enumerate((("xaxis", "yaxis"), ("xaxis2", "yaxis2")), start=1):
        layout[xa].update(
            range=window[0],
            showgrid=False,
            zeroline=False,
            constrain="domain",
            title={"text": axis_titles[0]},
        )
        layout[ya].update(
            range=window[1],
            showgrid=False,
            zeroline=False,
            constrain="domain",
            scaleanchor="x" + ("" if c == 1 else "2"),
            scaleratio=1,
            title={"text": axis_titles[1] if c == 1 else ""},
        )
    height = 520
    controls = animation_controls(
        [str(int(epochs[k])) for k in shown], [int(epochs[k]) for k in shown], lang, redraw=False
    )
    for slider in controls["sliders"]:
        slider["currentvalue"]["prefix"] = t("ll_slider_epoch", lang) + " "
    controls_above(controls, 1.0 + 95 / height)
    layout.update(
        images=images,
        height=height,
        margin={"l": 60, "r": 80, "t": 150, "b": 60},
        legend={"orientation": "h", "x": 0.0, "y": 1.0 + 30 / height, "yanchor": "bottom"},
        uirevision="ll_plane",
        **controls,
    )
    return from_spec(data, layout, frames)


def line_figure(
    ts: np.ndarray, train: np.ndarray, val: np.ndarray, ends: tuple[str, str], lang: str = "en"
) -> go.Figure:
    """The training and validation loss along the line from one run's final weights (t = 0) to
    another's (t = 1), beyond both ends by a quarter: is there a barrier between the minima?"""
    data = [
        {
            "type": "scatter",
            "x": compact(ts),
            "y": decimals(z),
            "mode": "lines",
            "name": t(key, lang),
            "line": {"color": c, "width": 2.5},
            "meta": {"run": t(key, lang)},
        }
        for z, key, c in ((train, "ll_curve_train", "#1f77b4"), (val, "ll_curve_val", "#e377c2"))
    ]
    for t_end, name in zip((0.0, 1.0), ends, strict=True):
        i = int(np.argmin(np.abs(ts - t_end)))
        data.append(
            {
                "type": "scatter",
                "x": [t_end],
                "y": decimals(train[i : i + 1]),
                "mode": "markers+text",
                "text": [name],
                "textposition": "top center",
                "name": name,
                "showlegend": False,
                "marker": {"size": 12, "color": "white", "line": {"color": "black", "width": 1.5}},
            }
        )
    layout = {
        "xaxis": {"title": {"text": t("ll_axis_t", lang)}, "zeroline": False},
        "yaxis": {"title": {"text": t("ll_axis_loss", lang)}, **log_axis(np.r_[train, val])},
        "height": 400,
        "margin": {"l": 60, "r": 20, "b": 110},
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("ll_line_title", lang)))


def faithful_figure(
    epochs: np.ndarray, real: np.ndarray, read: np.ndarray, names: list[str], lang: str = "en"
) -> go.Figure:
    """Along each path: the training loss at the real weights (solid) and the one read off the
    slice at the projected point (dotted). Where they part, the slice does not show the run."""
    data = []
    for r, name in enumerate(names):
        if not np.isfinite(real[r]).any():
            continue
        style = {"type": "scatter", "x": compact(epochs), "mode": "lines", "legendgroup": str(r)}
        data.append(
            style
            | {
                "y": decimals(real[r]),
                "name": name,
                "line": {"color": colour(r), "width": 2},
                "meta": _meta(name, "ll_curve_real", lang),
            }
        )
        data.append(
            style
            | {
                "y": decimals(read[r]),
                "name": t("ll_read_name", lang, name=name),
                "showlegend": False,
                "line": {"color": colour(r), "width": 2, "dash": "dot"},
                "meta": _meta(name, "ll_curve_read", lang),
            }
        )
    values = np.r_[real[np.isfinite(real)], read[np.isfinite(read)]]
    layout = {
        "xaxis": {"title": {"text": t("ll_axis_epoch", lang)}},
        "yaxis": {"title": {"text": t("ll_axis_loss", lang)}, **log_axis(values)},
        "height": 400,
        "margin": {"l": 60, "r": 20, "b": 110},
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("ll_faithful_title", lang)))


def surface_3d(
    alphas: np.ndarray,
    betas: np.ndarray,
    train: np.ndarray,
    paths: np.ndarray,
    read: np.ndarray,
    names: list[str],
    axis_titles: tuple[str, str],
    lang: str = "en",
) -> go.Figure:
    """The training loss on the plane as a 3-D surface, each path at the height read off it."""
    data: list[dict] = [
        {
            "type": "surface",
            "x": compact(alphas),
            "y": compact(betas),
            "z": [decimals(row) for row in train],
            "colorscale": colour_scale(),
            "showscale": False,
            "opacity": 0.9,
            "name": t("ll_map_train", lang),
        }
    ]
    for r, name in enumerate(names):
        if not np.isfinite(paths[r]).all():
            continue
        data.append(
            {
                "type": "scatter3d",
                "x": decimals(paths[r, :, 0]),
                "y": decimals(paths[r, :, 1]),
                "z": decimals(read[r]),
                "mode": "lines",
                "name": name,
                "line": {"color": colour(r), "width": 6},
                "meta": _meta(name, "ll_curve_path", lang),
            }
        )
    scene = {
        "xaxis": {"title": {"text": axis_titles[0]}},
        "yaxis": {"title": {"text": axis_titles[1]}},
        "zaxis": {"title": {"text": t("ll_axis_loss", lang)}},
        "aspectmode": "cube",
    }
    layout = {
        "scene": scene,
        "height": 560,
        "margin": {"l": 0, "r": 0, "b": 50},
        "legend": {"orientation": "h", "x": 0, "y": 0, "yanchor": "top"},  # (under the scene)
    }
    return from_spec(data, titled(layout, t("ll_3d_title", lang)))


SHARED_BOUND = "#555a6b"  # a 2/η line that several runs share: none of their colours


def _bound_colour(bounds: list[float | None], r: int) -> str:
    """Run ``r``'s 2/η line's colour: its own, or grey if another run has the same bound."""
    mine = bounds[r]
    return SHARED_BOUND if sum(b == mine for b in bounds) > 1 else colour(r)
