"""Figures of the ConvNet view: kernels, feature maps, class probabilities, confusion matrix,
misclassified digits. Arrays in, plotly figure out; images are drawn as heatmaps with row 0 at
the top, several small images tiled into one mosaic (one trace, NaN gaps between tiles)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import lab
from playground.figures.common import (
    Animated,
    animation_controls,
    compact,
    from_spec,
    subplot_layout,
    titled,
)
from playground.i18n import t

MAX_MISCLASSIFIED = 32  # tiles in the gallery of mistakes
GREYS = [[0.0, "#ffffff"], [1.0, "#111111"]]  # ink on paper, as the digits were written
WEIGHTS = "RdBu_r"  # kernels: red positive, blue negative, white 0


def mosaic(images: np.ndarray, cols: int | None = None, gap: int = 1) -> np.ndarray:
    """Tile (K, H, W) images row by row into one (R·(H+g)−g, C·(W+g)−g) array, with ``gap``
    NaN rows and columns between tiles."""
    k, h, w = images.shape
    cols = cols or math.ceil(math.sqrt(k))
    rows = math.ceil(k / cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return out


def tiles_meta(images: np.ndarray, cols: int, labels, column: str, top: int = 0) -> dict:
    """What a table of a mosaic's heatmap needs to name its pixels (export.figure_table): the
    tiles' size and layout (``top`` rows of each tile above its image, a caption's room), each
    tile's label, and the label column's name."""
    _, h, w = images.shape
    tiles = {"height": h, "width": w, "gap": 1, "cols": cols, "top": top}
    return {"tiles": tiles | {"labels": [str(v) for v in labels], "column": column}}


def curves_figure(
    epochs: np.ndarray,
    errors: tuple[np.ndarray, np.ndarray],
    losses: tuple[np.ndarray, np.ndarray],
    names: list[str],
    best: np.ndarray | None = None,
    stopped: np.ndarray | None = None,
    lang: str = "en",
    slots: Sequence[int] | None = None,
) -> go.Figure:
    """The ConvNet's training per epoch, side by side: the error rates (1 − accuracy) and the
    cross-entropy losses, each ``(train, val)`` of shape (E, V); validation solid, training
    dashed, ◆ each variant's best validation loss, ■ where early stopping stopped (the lab's
    curves_figure, on two axes; one legend for both).

    Both, because the lessons ask about both: early stopping watches the validation *loss*,
    which turns up while the error rate barely moves.
    """
    error, error_layout = lab.curves_spec(
        epochs, *errors, names, best, stopped, lang, y_title=t("digits_error_rate", lang),
        percent=True, slots=slots,
    )  # fmt: skip
    loss, loss_layout = lab.curves_spec(
        epochs, *losses, names, best, stopped, lang, y_title=t("digits_loss_axis", lang),
        slots=slots,
    )  # fmt: skip
    layout, cells = subplot_layout(rows=1, cols=2, horizontal_spacing=0.12)
    # (in the figure's CSV each run keeps its name; its panel tells the two apart)
    drawn = [trace for trace in loss if not lab.is_key(trace)]  # (the keys: in error's legend)
    data = error + [trace | cells[(1, 2)] | {"showlegend": False} for trace in drawn]
    layout["yaxis"] |= error_layout["yaxis"]
    layout["yaxis2"] |= loss_layout["yaxis"]
    for key in ("xaxis", "xaxis2"):  # (the lab's epoch axis: its range and whole epochs)
        layout[key] |= error_layout["xaxis"]
    layout.update(
        height=400,
        margin=error_layout["margin"],
        legend=error_layout["legend"],
        uirevision="net_curves",
    )
    return from_spec(data, titled(layout, t("fig_digits_curves", lang)))  # (under the toolbar)


BARE_AXIS = {"showticklabels": False, "ticks": "", "showgrid": False, "zeroline": False}


def _image_axes(fig: go.Figure, row: int | None = None, col: int | None = None) -> None:
    """Square pixels, row 0 at the top, no ticks."""
    where = {"row": row, "col": col} if row else {}
    fig.update_xaxes(**BARE_AXIS, **where)
    fig.update_yaxes(**BARE_AXIS, autorange="reversed", **where)


def _heatmap(z: np.ndarray, **kwargs) -> go.Heatmap:
    return go.Heatmap(z=z.astype(np.float32), hoverongaps=False, **kwargs)


def kernels_figure(
    kernels: np.ndarray, epochs: list[int], name: str, lang: str = "en"
) -> go.Figure:
    """The first conv layer's kernels of one variant, replayed over training.

    ``kernels`` (E, K, k, k): the K kernels at each of E snapshot ``epochs``. One fixed,
    symmetric colour scale for every frame, so a kernel that grows looks stronger.
    """
    cols = min(len(kernels[0]), 8)
    tiles = [mosaic(k, cols) for k in kernels]  # E × (rows, cols)
    top = float(np.nanmax(np.abs(kernels))) or 1.0
    style = {"zmin": -top, "zmax": top, "colorscale": WEIGHTS, "colorbar": {"len": 0.8}}
    hover = t("digits_weight_hover", lang) + "<extra></extra>"
    height = 170 + 46 * tiles[0].shape[0] // (kernels.shape[-1] + 1)
    layout = {
        "title": {"text": t("fig_digits_kernels", lang, name=name)},
        "height": max(280, height),
        "margin": {"l": 10, "r": 10, "t": 40, "b": 90},
        "xaxis": dict(BARE_AXIS),
        "yaxis": {**BARE_AXIS, "autorange": "reversed", "scaleanchor": "x"},
        **animation_controls([str(e) for e in epochs], epochs, lang, redraw=True),
    }
    layout["sliders"][0]["currentvalue"]["prefix"] = t("axis_epoch", lang) + " "
    layout["sliders"][0]["active"] = len(epochs) - 1
    # One specification, validated once: the view redraws it twice a second while it trains.
    heatmap = {"type": "heatmap", "z": tiles[-1], "hoverongaps": False, "hovertemplate": hover}
    numbers = range(1, len(kernels[0]) + 1)
    heatmap["meta"] = tiles_meta(kernels[0], cols, numbers, t("csv_kernel", lang))
    heatmap["meta"]["run"] = name  # (its CSV's rows are the variant's, not the title's)
    return Animated(
        {"data": [{**heatmap, **style}], "layout": layout},
        frames=[
            {"name": str(e), "data": [{"type": "heatmap", "z": compact(z).reshape(z.shape)}]}
            for e, z in zip(epochs, tiles, strict=True)
        ],
    )


def maps_figure(
    image: np.ndarray, maps1: np.ndarray, maps2: np.ndarray, lang: str = "en"
) -> go.Figure:
    """The input image (S, S) and the feature maps after conv1 (c1, S, S) and conv2
    (c2, S/2, S/2), each after its ReLU: bright where a kernel found its pattern."""
    fig = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.18, 0.41, 0.41],
        subplot_titles=[
            t("digits_input", lang),
            t("digits_maps1", lang, n=len(maps1)),
            t("digits_maps2", lang, n=len(maps2)),
        ],
        horizontal_spacing=0.04,
    )
    alone = tiles_meta(image[None], 1, [t("digits_input", lang)], t("csv_image", lang))
    fig.add_trace(
        _heatmap(image, colorscale=GREYS, zmin=0, zmax=1, showscale=False, meta=alone),
        row=1,
        col=1,
    )
    for col, maps in ((2, maps1), (3, maps2)):
        top = float(np.max(maps)) or 1.0
        across = min(len(maps), 4 if col == 2 else 6)
        numbers = range(1, len(maps) + 1)
        fig.add_trace(
            _heatmap(
                mosaic(maps, across),
                meta=tiles_meta(maps, across, numbers, t("csv_feature_map", lang)),
                colorscale="Viridis",
                zmin=0,
                zmax=top,
                showscale=False,
                hovertemplate=t("digits_activation_hover", lang) + "<extra></extra>",
            ),
            row=1,
            col=col,
        )
    for col in (1, 2, 3):
        _image_axes(fig, 1, col)
        fig.update_yaxes(scaleanchor=f"x{'' if col == 1 else col}", row=1, col=col)
    fig.update_layout(height=330, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def probabilities_figure(probs: np.ndarray, true: int | None, lang: str = "en") -> go.Figure:
    """The model's probability for each class (10,); the predicted class is filled darker."""
    pred = int(np.argmax(probs))
    colours = ["#1f77b4" if k == pred else "#aec7e8" for k in range(len(probs))]
    fig = go.Figure(
        go.Bar(
            x=list(range(len(probs))),
            y=compact(probs),
            marker_color=colours,
            text=[f"{p:.0%}" if p >= 0.01 else "" for p in probs],
            textposition="outside",
            # (as large as the axis labels: plotly.js shrinks text to its bar's width, and
            # "100%" over a projector's bar was 9 px, a fresh-eyes teacher)
            constraintext="none",
            hovertemplate=t("digits_prob_hover", lang) + "<extra></extra>",
            meta={"run": t("digits_probability", lang)},  # (its CSV's rows: not the title's)
        )
    )
    title = t("fig_digits_probs", lang, pred=pred, p=f"{probs[pred]:.0%}")
    if true is not None:
        title += " · " + t("digits_true", lang, label=true)
    fig.update_layout(
        **titled({"margin": {"l": 10, "r": 10, "t": 50, "b": 10}}, title),
        height=300,
        xaxis={"title": t("digits_class", lang), "dtick": 1},
        # room above 100 % for its label, but no tick past it (a probability of 120 % read
        # as nonsense, a fresh-eyes teacher)
        yaxis={
            "title": t("digits_probability", lang),
            "range": [0, 1.25],
            "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0],
            "tickformat": ".0%",
        },
    )
    return fig


def confusion_figure(matrix: np.ndarray, name: str, lang: str = "en") -> go.Figure:
    """Counts (10, 10) of the test split: row = true class, column = predicted class."""
    classes = list(range(matrix.shape[0]))
    shown = np.where(matrix > 0, matrix, np.nan)  # empty cells stay white
    fig = go.Figure(
        go.Heatmap(
            z=shown.astype(np.float32),
            x=classes,
            y=classes,
            colorscale="Blues",
            text=[[str(v) if v else "" for v in row] for row in matrix.tolist()],
            texttemplate="%{text}",
            hovertemplate=t("digits_confusion_hover", lang) + "<extra></extra>",
            showscale=False,
            hoverongaps=False,
            # its CSV: one row a cell, the empty ones as 0 (figure_table)
            meta={"run": name, "rows": _cells(matrix, lang)},
        )
    )
    accuracy = np.trace(matrix) / max(1, matrix.sum())
    fig.update_layout(
        **titled({}, t("fig_digits_confusion", lang, name=name, acc=f"{accuracy:.1%}")),
        height=420,
        # square cells: the plot area shrinks to fit ("domain"), it never widens the range to
        # classes -1 and 10 (what a projector's larger type did with plotly's default)
        xaxis={"title": t("digits_predicted", lang), "dtick": 1, "side": "bottom"}
        | {"range": [-0.5, len(classes) - 0.5], "constrain": "domain"},
        yaxis={"title": t("digits_true_axis", lang), "dtick": 1}
        | {"range": [len(classes) - 0.5, -0.5], "constrain": "domain"},  # (row 0 on top)
    )
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10})  # (the top holds the title: titled)
    fig.update_yaxes(scaleanchor="x")
    return fig


def _cells(matrix: np.ndarray, lang: str) -> dict[str, list[int]]:
    """A confusion matrix's cells as a table's columns: true class, predicted class, count."""
    true, predicted = np.indices(matrix.shape)
    return {
        t("digits_true_axis", lang): true.ravel().tolist(),
        t("digits_predicted", lang): predicted.ravel().tolist(),
        t("csv_count", lang): matrix.ravel().astype(int).tolist(),
    }


def gallery(
    images: np.ndarray,
    captions: list[str],
    title: str,
    labels: tuple[str, list[str]],
    colour: str = "#333333",
) -> go.Figure:
    """Small images (M, S, S), eight to a row, each with a short caption above it; ``labels``:
    the name of a table's label column and each image's label, in plain text."""
    cols = min(8, max(1, len(images)))
    size = images.shape[-1]
    gap = max(2, size // 2)  # room for the caption above each tile
    tiles = np.full((len(images), size + gap, size), np.nan, dtype=np.float32)
    tiles[:, gap:] = images
    column, names = labels
    meta = tiles_meta(tiles, cols, names, column, top=gap)
    fig = go.Figure(
        _heatmap(
            mosaic(tiles, cols, gap=1), colorscale=GREYS, zmin=0, zmax=1, showscale=False, meta=meta
        )
    )
    for i, caption in enumerate(captions):
        r, c = divmod(i, cols)
        fig.add_annotation(
            x=c * (size + 1) + (size - 1) / 2,
            y=r * (size + gap + 1) + gap - 0.6,
            text=caption,
            showarrow=False,
            yanchor="bottom",
            font={"size": 13, "color": colour},
        )
    rows = math.ceil(len(images) / cols)
    fig.update_layout(
        **titled({"margin": {"l": 10, "r": 10, "t": 40, "b": 10}}, title),
        height=70 + 95 * max(rows, 1),
    )
    fig.update_yaxes(scaleanchor="x")
    _image_axes(fig)
    return fig


def samples_figure(images: np.ndarray, labels: np.ndarray, lang: str = "en") -> go.Figure:
    """A few training images (M, S, S) with their labels: what the network learns from."""
    captions = [str(k) for k in labels]
    return gallery(
        images, captions, t("fig_digits_samples", lang), labels=(t("csv_label", lang), captions)
    )


def misclassified_figure(
    images: np.ndarray, true: np.ndarray, pred: np.ndarray, lang: str = "en"
) -> go.Figure:
    """Up to MAX_MISCLASSIFIED wrongly classified test images (M, S, S), each captioned
    "true → predicted"."""
    shown = slice(0, MAX_MISCLASSIFIED)
    captions = [f"{a}→<b>{b}</b>" for a, b in zip(true[shown], pred[shown], strict=True)]
    title = t("fig_digits_wrong", lang, n=len(true), shown=len(captions))
    plain = [f"{a} → {b}" for a, b in zip(true[shown], pred[shown], strict=True)]
    return gallery(
        images[shown], captions, title, (t("csv_true_predicted", lang), plain), "#c0392b"
    )
