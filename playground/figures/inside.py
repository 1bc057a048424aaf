"""Figures of "Inside the network": the drawn data over the network's output, the network as a
picture (every node a small map of what it computes, every edge coloured by its weight's sign
and as wide as its size), an enlarged node, and the loss curves. Arrays in, plotly figure out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.common import (
    colour_scale,
    compact,
    decimals,
    from_spec,
    log_axis,
    map_image,
    titled,
)
from playground.i18n import t

CLASS_COLOURS = ("#ff7f0e", "#1f77b4")  # class 0 orange, class 1 blue (as the TF Playground)
POSITIVE, NEGATIVE = "#1f77b4", "#ff7f0e"
WIDTH_BINS = 6  # edges are drawn in this many widths per sign (one trace each)
ZERO_EDGE = "#9a9a9a"  # an edge whose weight is (about) zero
NODE = 0.36  # a node's side, in the picture's units (layers are 1 apart)
CLICK_GRID = 41  # invisible points per axis that make the data map clickable
PICTURE_WIDTH = 440  # px: the network picture's width in its column at 1280-1440 px
# Maps in the classes' colours (as the TF Playground): orange below zero (or class 0), white at
# zero (or even odds), blue above (or class 1) — the edges' colours for a weight's sign.
ORANGE_BLUE = ("#ff7f0e", "#ffbb78", "#f7f7f7", "#aec7e8", "#1f77b4")
TO_CLASS = (("#f7f7f7", "#ffbb78", "#ff7f0e"), ("#f7f7f7", "#aec7e8", "#1f77b4"))  # 0 → P = 1


def node_colours(z: np.ndarray, output_class: int | None) -> tuple[tuple[str, ...], float, float]:
    """How a node's map ``z`` is coloured: (palette, value at its first colour, at its last).
    An output's probability of class c (``output_class``) runs from white (0) to c's colour (1);
    any other node's output is orange below zero, white at zero and blue above, its largest
    size at the palette's end (a neuron whose outputs are all positive is white to blue)."""
    if output_class is not None:
        return TO_CLASS[output_class], 0.0, 1.0
    most = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 0.0
    most = most if most > 0 else 1.0
    return ORANGE_BLUE, -most, most


def data_figure(
    xy: np.ndarray,
    label: np.ndarray,
    test: np.ndarray,
    window: float,
    surface: np.ndarray | None,
    regression: bool,
    curve: tuple[np.ndarray, np.ndarray] | None,
    lang: str = "en",
) -> go.Figure:
    """The drawn points (``xy`` (N, 2), classes ``label`` (N,), ``test`` (N,) bool: held out,
    drawn hollow) over the network's output: for classes, ``surface`` (n, n) the probability of
    class 1 as a map; for regression, ``curve`` (x (G,), y (G,)) the fitted function. An
    invisible grid of points makes every place clickable (a click adds or erases a point)."""
    data: list[dict] = []
    images = []
    if surface is not None and not regression:
        images.append(
            {
                "source": map_image(surface, 0.0, 1.0, ORANGE_BLUE),
                "xref": "x",
                "yref": "y",
                "x": -window,
                "y": window,
                "sizex": 2 * window,
                "sizey": 2 * window,
                "sizing": "stretch",
                "layer": "below",
                "xanchor": "left",
                "yanchor": "top",
                "opacity": 0.6,  # (light enough that points of its colour stand out)
            }
        )
    g = np.linspace(-window, window, CLICK_GRID)
    gx, gy = np.meshgrid(g, g)
    data.append(
        {
            "type": "scatter",
            "x": compact(gx.ravel()),
            "y": compact(gy.ravel()),
            "mode": "markers",
            "marker": {"size": 9, "opacity": 0},
            "showlegend": False,
            "hovertemplate": t("in_hover_click", lang) + "<extra></extra>",
        }
    )
    if regression and curve is not None:
        data.append(
            {
                "type": "scatter",
                "x": compact(curve[0]),
                "y": decimals(curve[1]),
                "mode": "lines",
                "name": t("in_curve", lang),
                "line": {"color": "#333333", "width": 3},
            }
        )
    classes = [0] if regression else [0, 1]
    for c in classes:
        for held, key in ((False, "in_train_points"), (True, "in_test_points")):
            pick = (label == c) & (test == held) if not regression else (test == held)
            if not pick.any():
                continue
            colour = CLASS_COLOURS[c] if not regression else "#1f77b4"
            name = t(key, lang) if regression else t(f"in_class_{c}", lang) + " · " + t(key, lang)
            marker = {
                "size": 9,
                "color": "white" if held else colour,
                "line": {"color": colour if held else "white", "width": 2 if held else 1},
            }
            data.append(
                {
                    "type": "scatter",
                    "x": decimals(xy[pick, 0]),
                    "y": decimals(xy[pick, 1]),
                    "mode": "markers",
                    "marker": marker,
                    "name": name,
                    "meta": {"run": name},
                }
            )
    layout = {
        "xaxis": {
            "range": [-window, window],
            "title": {"text": "x₁"},
            "zeroline": False,
            "showgrid": False,
            "constrain": "domain",
        },
        "yaxis": {
            "range": [-window, window],
            "title": {"text": "y" if regression else "x₂"},
            "zeroline": False,
            "showgrid": False,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
        **({"images": images} if images else {}),
        "height": 470,
        "margin": {"l": 50, "r": 10, "b": 90},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
        "clickmode": "event",
        "uirevision": "in_data",
    }
    return from_spec(data, titled(layout, t("in_data_title", lang)))


def node_positions(sizes: list[int]) -> list[np.ndarray]:
    """Each layer's nodes' y (centred on 0, 1 apart); layer k is at x = k."""
    return [np.arange(n)[::-1] - (n - 1) / 2 for n in sizes]


def edge_midpoints(sizes: list[int]) -> list[tuple[int, int, int, float, float]]:
    """(layer, out, in, x, y) of every edge's click target, a third of the way from its input
    (midpoints of edges that cross would coincide)."""
    ys = node_positions(sizes)
    out = []
    for k in range(len(sizes) - 1):
        for i in range(sizes[k + 1]):
            for j in range(sizes[k]):
                x = k + 1 / 3
                y = ys[k][j] + (ys[k + 1][i] - ys[k][j]) / 3
                out.append((k, i, j, x, y))
    return out


def network_figure(
    sizes: list[int],
    weights: list[np.ndarray],
    maps: list[np.ndarray],
    names: list[str],
    selected: tuple[int, int, int] | None = None,
    lang: str = "en",
    outputs: list[str] | None = None,
) -> go.Figure:
    """The network as a picture (``outputs``: a label beside each output node): layer k at
    x = k; node j of layer k shows ``maps[k][j]`` (an
    (n, n) map of its output over the input plane); the edge into node i of layer k + 1 from
    node j of layer k is blue for a positive weight ``weights[k][i, j]``, orange for a negative
    one, as wide as its size (in WIDTH_BINS widths). Clicking an edge's marker selects it
    (``selected``: (layer, out, in), outlined); clicking a node enlarges its map."""
    ys = node_positions(sizes)
    biggest = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    data: list[dict] = []
    xs0: list[float | None] = []  # edges of (about) zero weight: thin, grey, dotted (drawn
    ys0: list[float | None] = []  # not at all, a network started at zero had no edges)
    for k, w in enumerate(weights):
        for i, j in zip(*np.nonzero(np.abs(w) / biggest <= 1e-3), strict=True):
            xs0 += [k + NODE / 2, k + 1 - NODE / 2, None]
            ys0 += [float(ys[k][j]), float(ys[k + 1][i]), None]
    if xs0:
        zero = {"color": ZERO_EDGE, "width": 1, "dash": "dot"}
        data.append(
            {"type": "scatter", "x": xs0, "y": ys0, "mode": "lines", "line": zero}
            | {"hoverinfo": "skip", "showlegend": False}
        )
    for sign, colour in ((1, POSITIVE), (-1, NEGATIVE)):
        for b in range(WIDTH_BINS):
            xs: list[float | None] = []
            yv: list[float | None] = []
            for k, w in enumerate(weights):
                size = np.abs(w) / biggest
                bins = np.minimum((size * WIDTH_BINS).astype(int), WIDTH_BINS - 1)
                chosen = (np.sign(w) == sign) & (bins == b) & (size > 1e-3)
                for i, j in zip(*np.nonzero(chosen), strict=True):
                    xs += [k + NODE / 2, k + 1 - NODE / 2, None]
                    yv += [float(ys[k][j]), float(ys[k + 1][i]), None]
            if xs:
                data.append(
                    {
                        "type": "scatter",
                        "x": xs,
                        "y": yv,
                        "mode": "lines",
                        "hoverinfo": "skip",
                        "line": {"color": colour, "width": 0.7 + 1.3 * b},
                        "showlegend": False,
                    }
                )
    if selected is not None:
        k, i, j = selected
        if k < len(weights) and i < weights[k].shape[0] and j < weights[k].shape[1]:
            data.append(
                {
                    "type": "scatter",
                    "x": [k + NODE / 2, k + 1 - NODE / 2],
                    "y": [float(ys[k][j]), float(ys[k + 1][i])],
                    "mode": "lines",
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "line": {"color": "black", "width": 4, "dash": "dot"},
                }
            )
    mids = edge_midpoints(sizes)
    values = [float(weights[k][i, j]) for k, i, j, _, _ in mids]
    data.append(
        {
            "type": "scatter",
            "x": [m[3] for m in mids],
            "y": [m[4] for m in mids],
            "mode": "markers",
            "showlegend": False,
            "customdata": decimals(np.array(values)),
            "marker": {"size": 6, "color": "rgba(80,80,80,0.25)"},
            "hovertemplate": t("in_hover_weight", lang) + "<extra></extra>",
            "meta": {  # (the CSV: each weight, by its layer and the neurons it joins)
                "handle": True,  # (clicked to pick a weight: not in a PNG)
                "run": t("in_csv_edges", lang),
                "rows": {
                    t("in_csv_layer", lang): [m[0] + 1 for m in mids],  # (1: from the inputs)
                    t("in_csv_from", lang): [m[2] + 1 for m in mids],  # neuron of layer k
                    t("in_csv_to", lang): [m[1] + 1 for m in mids],  # neuron of layer k + 1
                    t("in_csv_weight", lang): values,
                },
            },
        }
    )
    images = []
    node_x, node_y, node_text = [], [], []
    classes = len(maps[-1]) > 1  # (a regression's output is one value)
    for k, layer in enumerate(maps):
        for j in range(len(ys[k])):
            output_class = j if classes and k == len(maps) - 1 else None
            palette, lo, hi = node_colours(layer[j], output_class)
            images.append(
                {
                    "source": map_image(layer[j], lo, hi, palette),
                    "xref": "x",
                    "yref": "y",
                    "x": k - NODE / 2,
                    "y": float(ys[k][j]) + NODE / 2,
                    "sizex": NODE,
                    "sizey": NODE,
                    "sizing": "stretch",
                    "layer": "above",
                    "xanchor": "left",
                    "yanchor": "top",
                }
            )
            node_x.append(k)
            node_y.append(float(ys[k][j]))
            node_text.append(names[k] if k == 0 and j < 0 else "")
    data.append(
        {
            "type": "scatter",
            "x": node_x,
            "y": node_y,
            "mode": "markers",
            "showlegend": False,
            "marker": {"symbol": "square", "size": 34, "opacity": 0},
            "hovertemplate": t("in_hover_node", lang) + "<extra></extra>",
        }
    )
    labels = [
        {
            "x": 0 - NODE / 2 - 0.04,
            "y": float(ys[0][j]),
            "text": name,
            "showarrow": False,
            "xanchor": "right",
            "font": {"size": 13},
        }
        for j, name in enumerate(names)
    ]
    last = len(sizes) - 1
    for j, name in enumerate(outputs or []):
        labels.append(
            {
                "x": last + NODE / 2 + 0.04,
                "y": float(ys[last][j]),
                "text": name,
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 13},
            }
        )
    for k in range(len(sizes)):
        key = "in_layer_inputs" if k == 0 else "in_layer_output" if k == len(sizes) - 1 else None
        text = t(key, lang) if key else t("in_layer_hidden", lang, k=k)
        top = float(ys[k][0]) + NODE / 2 + 0.25
        labels.append({"x": k, "y": top, "text": text, "showarrow": False, "font": {"size": 12}})
    tallest = max(sizes)
    layout = {
        "xaxis": {
            "range": [-0.9, len(sizes) - 0.5 + (0.45 if outputs else 0)],
            "visible": False,
            "fixedrange": True,
            "constrain": "domain",
        },
        "yaxis": {  # (equal scale: every node's map is square)
            "range": [-(tallest / 2) - 0.3, tallest / 2 + 0.6],
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "images": images,
        "annotations": labels,
        # about as tall as the picture is in its column on a laptop (about PICTURE_WIDTH px
        # wide; plotly then fits it to scale), with no blank band between title and picture
        "height": int(
            min(720, max(300, PICTURE_WIDTH * (tallest + 0.9) / (len(sizes) + 0.85) + 70))
        ),
        "margin": {"l": 10, "r": 10, "b": 10},
        "clickmode": "event",
        "hovermode": "closest",
        "uirevision": "in_net",
    }
    return from_spec(data, titled(layout, t("in_net_title", lang)))


def node_figure(
    z: np.ndarray, window: float, title: str, lang: str = "en", output_class: int | None = None
) -> go.Figure:
    """One node's output over the input plane, enlarged, with a colour bar, coloured as in the
    network's picture (:func:`node_colours`; ``output_class``: the class whose probability an
    output node gives)."""
    axis = np.linspace(-window, window, z.shape[0])
    palette, lo, hi = node_colours(z, output_class)
    data = [
        {
            "type": "heatmap",
            "x": compact(axis),
            "y": compact(axis),
            "z": [decimals(row) for row in z],
            "colorscale": colour_scale(palette),
            "zmin": lo,
            "zmax": hi,
            "colorbar": {"thickness": 12, "title": {"text": t("in_node_value", lang)}},
        }
    ]
    layout = {
        "xaxis": {"title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {"title": {"text": "x₂"}, "scaleanchor": "x", "constrain": "domain"},
        "height": 360,
        "margin": {"l": 50, "r": 10, "b": 50},
    }
    return from_spec(data, titled(layout, title))


def loss_figure(epochs: np.ndarray, train: np.ndarray, test: np.ndarray, lang: str = "en"):
    """Training and test loss per epoch."""
    data = [
        {
            "type": "scatter",
            "x": compact(epochs),
            "y": decimals(v),
            "mode": "lines",
            "name": t(key, lang),
            "line": {"color": c, "width": 2},
            "meta": {"run": t(key, lang)},
        }
        for v, key, c in ((train, "in_loss_train", "#1f77b4"), (test, "in_loss_test", "#e377c2"))
    ]
    values = np.r_[train, test]
    layout = {
        "xaxis": {"title": {"text": t("ll_axis_epoch", lang)}},
        "yaxis": {
            "title": {"text": t("ll_axis_loss", lang)},
            **log_axis(values[np.isfinite(values)], least_decades=0.5),
        },
        "height": 300,
        "margin": {"l": 60, "r": 10, "b": 80},
        "legend": {"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("in_loss_title", lang)))


def hidden_space_figure(
    points: np.ndarray, label: np.ndarray, lines: list[np.ndarray], lang: str = "en"
) -> go.Figure:
    """The points and the input plane's grid lines as the last hidden layer (2 neurons) sees
    them: the network has bent the plane so that a straight line can separate the classes."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for line in lines:
        xs += [*decimals(line[:, 0]), None]
        ys += [*decimals(line[:, 1]), None]
    data: list[dict] = [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines",
            "hoverinfo": "skip",
            "line": {"color": "rgba(90,90,90,0.35)", "width": 1},
            "name": t("in_hidden_grid", lang),
            "meta": {"run": t("in_hidden_grid", lang)},
        }
    ]
    for c in (0, 1):
        pick = label == c
        if pick.any():
            name = t(f"in_class_{c}", lang)
            data.append(
                {
                    "type": "scatter",
                    "x": decimals(points[pick, 0]),
                    "y": decimals(points[pick, 1]),
                    "mode": "markers",
                    "name": name,
                    "marker": {
                        "size": 8,
                        "color": CLASS_COLOURS[c],
                        "line": {"color": "white", "width": 1},
                    },
                    "meta": {"run": name},
                }
            )
    layout = {
        "xaxis": {"title": {"text": t("in_hidden_axis", lang, k=1)}, "zeroline": False},
        "yaxis": {
            "title": {"text": t("in_hidden_axis", lang, k=2)},
            "zeroline": False,
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "height": 420,
        "margin": {"l": 60, "r": 10, "b": 90},
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
    }
    return from_spec(data, titled(layout, t("in_hidden_title", lang)))
