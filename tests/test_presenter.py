"""Presenter mode at 1280 × 720 (#31 item 3), checked on the figure JSON that export.presenter
gives: legends under the larger axis titles, subplot titles that fit their panels and are at
least an axis title's size, long titles wrapped to the width of their column."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from playground import data, ewa, figures, landscapes, runs, surfaces
from playground.figures import common, digits, export, legend
from playground.figures import ewa as ef

ROOT = Path(__file__).resolve().parents[1]

THEME = json.loads((ROOT / "playground" / "figures" / "theme.json").read_text())["layout"]
BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _lines(text: str) -> list[str]:
    return BR.split(str(text))


def _plot_height(fig) -> float:
    return fig.layout.height - fig.layout.margin.t - fig.layout.margin.b


def _convnet_curves():
    epochs = np.arange(1, 4)
    error = np.array([[0.3, 0.31, 0.3, 0.29], [0.2, 0.21, 0.2, 0.19], [0.15, 0.16, 0.15, 0.14]])
    names = [
        "Baseline",
        "Dropout",
        "Early stopping (the wide line: same as Baseline)",
        "Weight decay",
    ]
    return digits.curves_figure(
        epochs, (error / 2, error), (error * 4, error * 5), names, np.array([3, 3, 3, 3]), None
    )


def _states(lang: str):
    land = landscapes.get("rosenbrock")
    lrs = {"momentum": 1e-3, "rmsprop": 1e-2, "adam": 1e-2}
    return ef.states_figure(ewa.optimizer_states(land, land.start, 200, lrs), lang)


def test_a_legend_under_the_plot_clears_the_larger_axis_titles():
    # the ConvNet's error-rate chart: its legend sat on the "epoch" titles in presenter mode
    big = export.presenter(_convnet_curves())
    tick = big.layout.xaxis.tickfont.size
    title = big.layout.xaxis.title.font.size
    standoff = THEME["xaxis"]["title"]["standoff"]
    title_bottom = tick + standoff + 1.3 * title  # px under the plot: tick labels, gap, title
    legend = big.layout.legend
    assert legend.yanchor == "top"
    legend_top = -legend.y * _plot_height(big)  # px under the plot
    assert legend_top >= title_bottom + 4
    # and the bottom margin holds it (one row of the four entries at the legend's size)
    assert big.layout.margin.b >= legend_top + 1.3 * big.layout.legend.font.size


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_subplot_titles_fit_their_panels_without_overlapping(lang):
    # the EWA view's "inside the optimizers" figure in 简体中文: its titles ran into each other
    fig = _states(lang)
    big = export.presenter(fig)
    plot = export.PRESENTER_WIDTH - big.layout.margin.l - big.layout.margin.r
    spans = []
    for note in big.layout.annotations:
        wide = max(legend.text_width(line, note.font.size) for line in _lines(note.text))
        centre = big.layout.margin.l + note.x * plot
        spans.append((centre - wide / 2, centre + wide / 2))
    spans.sort()
    assert spans[0][0] >= 0 and spans[-1][1] <= export.PRESENTER_WIDTH
    for (_, right), (left, _) in itertools.pairwise(spans):
        assert right <= left, spans
    # the top margin holds the most lines a title has, and the plot keeps its height (or grows
    # to a projector's least: test_a_short_plot_grows_to_a_projectors_least_height)
    lines = max(len(_lines(n.text)) for n in big.layout.annotations)
    assert big.layout.margin.t >= lines * 1.3 * big.layout.annotations[0].font.size
    assert _plot_height(big) == max(_plot_height(fig), export.PRESENTER_PLOT)


def _descent(three_d: bool, projector: bool):
    ds = data.classic()
    grid = surfaces.Grid(w_min=0, w_max=4, b_min=0, b_max=4, n=21)
    z = surfaces.mse_surface(ds.x, ds.y, grid)
    config = runs.DescentConfig(loss="mse", lr=0.05, steps=30, w0=0.0, b0=0.0, batch_size=0)
    traj = runs.gradient_descent(ds.x, ds.y, config)
    return figures.descent_animation(
        grid, z, traj.w, traj.b, traj.loss, ds.x, ds.y, False, "en", three_d, ("x", "y"),
        projector, 30,
    )  # fmt: skip


@pytest.mark.parametrize("three_d", [False, True])
@pytest.mark.parametrize("projector", [False, True])
def test_subplot_titles_are_at_least_as_large_as_axis_titles(three_d, projector):
    # the loss-surface view's panels: their titles read as headings on a projector, at the
    # presenter's text size, never smaller than the axis titles under them
    big = export.presenter(_descent(three_d, projector))
    axes = [big.layout[k] for k in big.layout if k.startswith(("xaxis", "yaxis"))]
    largest = max(a.title.font.size for a in axes)
    titles = [n for n in big.layout.annotations if export._is_subplot_title(n)]
    assert titles
    assert all(n.font.size >= max(largest, export.PRESENTER_FONT) for n in titles)


@pytest.mark.parametrize("share", [0.4, 0.6, 1.0])
def test_a_long_title_is_wrapped_to_the_width_of_its_column(share):
    # the ConvNet's confusion matrix in the left two fifths: "(test accur" was cut off
    fig = digits.confusion_figure(np.eye(10, dtype=int) * 30 + 1, "Baseline")
    width = export.presenter_width(share)
    big = export.presenter(fig, width=width)
    size = big.layout.title.font.size
    lines = _lines(big.layout.title.text)
    assert all(legend.text_width(line, size) <= width - 8 for line in lines), lines
    assert legend.as_shown(" ".join(lines)) == legend.as_shown(fig.layout.title.text)
    if share == 0.4:
        assert len(lines) == 2
    # the title's lines between the modebar's row and the plot, and the plot at least as high
    # as before (a square plot grows to its column's width: export.presenter)
    assert big.layout.margin.t >= common.MODEBAR + 4 + 1.2 * size * len(lines)
    assert _plot_height(big) >= _plot_height(fig)


def test_a_chart_in_a_column_is_restyled_for_its_width():
    fig = digits.confusion_figure(np.eye(10, dtype=int) * 30 + 1, "Baseline")
    narrow, whole = export.sent(fig, True, 0.4), export.sent(fig, True)
    assert narrow is not whole and export.sent(fig, True, 0.4) is narrow
    assert "<br>" in json.loads(narrow.spec)["layout"]["title"]["text"]
    assert "<br>" not in json.loads(whole.spec)["layout"]["title"]["text"]


def test_a_shared_figure_asked_to_fit_a_height_is_sent_at_that_height():
    # (the descent under its title on a projector: its conversion is kept apart from the one
    # at the usual height, and is not taller than asked)
    fig = _descent_for_tallest()
    usual, fitted = export.sent(fig, True), export.sent(fig, True, 1.0, 475)
    assert fitted is not usual and export.sent(fig, True, 1.0, 475) is fitted
    heights = [json.loads(s.spec)["layout"]["height"] for s in (usual, fitted)]
    assert heights[1] <= 475 < heights[0], heights


def _descent_for_tallest():
    x = np.array([1.0, 2.0, 3.0])
    y = 2 * x
    grid = surfaces.Grid(-1.0, 5.0, -3.0, 3.0, 41)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 100))
    z = surfaces.mse_surface(x, y, grid)
    return figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y, projector=True)


def _over(titles: bool, title: str | None):
    """A figure laid out as /landscape's slice (a legend over two maps' subplot titles, the
    controls above it) or its 3-D view (a title, and the legend right over the plot)."""
    import plotly.graph_objects as go

    layout, cells = common.subplot_layout(
        rows=1, cols=2, subplot_titles=["Training loss", "Validation loss"] if titles else None
    )
    line = {"type": "scatter", "x": [0, 1], "y": [0, 1]} | cells[(1, 1)]
    data = [line | {"name": f"{i}. SGD η=0.25"} for i in range(4)]
    layout |= {"height": 520, "margin": {"l": 60, "r": 80, "t": 150 if titles else 0, "b": 60}}
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1 + 30 / 520, "yanchor": "bottom"}
    if titles:
        layout["updatemenus"] = [{"type": "buttons", "y": 1 + 95 / 520, "buttons": []}]
    else:
        layout = common.titled(layout, title) | {"legend": layout["legend"] | {"y": 1.0}}
    return go.Figure({"data": data, "layout": layout})


def test_a_legend_over_the_plot_clears_the_subplot_titles_under_it():
    # /landscape's slice maps: the legend sat on "Training loss" / "Validation loss"
    fig = _over(True, None)
    big = export.presenter(fig)
    plot = _plot_height(big)
    titles = [n for n in big.layout.annotations if export._is_subplot_title(n)]
    high = max(1.3 * n.font.size * len(_lines(n.text)) for n in titles)
    assert (big.layout.legend.y - 1) * plot >= high + 4  # its bottom over the titles' top
    menu_above = (big.layout.updatemenus[0].y - 1) * plot
    legend_top = (big.layout.legend.y - 1) * plot + 1.3 * big.layout.legend.font.size + 8
    assert menu_above >= legend_top  # the controls stay over the legend


def test_a_legend_right_over_the_plot_stays_under_the_title():
    # /landscape's 3-D view: the legend at y = 1 ran over the figure's title in the top margin
    big = export.presenter(_over(False, "Training loss on the plane, with each path"))
    size = big.layout.title.font.size
    title_bottom = common.MODEBAR + 4 + 1.3 * size * len(_lines(big.layout.title.text))
    legend_top = big.layout.margin.t - 1.3 * big.layout.legend.font.size - 8
    assert legend_top >= title_bottom


def test_text_drawn_on_a_map_is_as_large_as_an_axis_title_on_a_projector():
    # a fresh-eyes teacher: "left the map at step 54" and "diverged at step 47" stayed 13 px
    # on a projector, on the paths, hard to read at the back of a room
    import plotly.graph_objects as go

    fig = go.Figure([common.note_trace(), go.Scatter(x=[0, 1], y=[0, 1])])
    big = export.presenter(fig)
    assert fig.data[0].textfont.size == 13
    assert big.data[0].textfont.size >= big.layout.xaxis.title.font.size >= 18


def test_text_over_the_convnets_bars_grows_on_a_projector():
    # a fresh-eyes teacher: the ConvNet's "100%" over its predicted class stayed 12 px in
    # presenter mode, beside 20-px ticks
    from playground.figures import digits

    probs = np.r_[np.full(9, 0.0), 1.0]
    big = export.presenter(digits.probabilities_figure(probs, 9))
    (bar,) = big.data
    tick = big.layout.yaxis.tickfont.size
    assert bar.textfont.size >= tick
    # (and drawn at that size: plotly.js shrinks a bar's text to the bar's width unless told
    # not to, and "100%" over a projector's narrow bar was 9 px, a second teacher)
    assert bar.constraintext == "none"
    assert big.layout.yaxis.range[1] >= 1.2  # (room over a bar of 100 % for its label)
    assert max(big.layout.yaxis.tickvals) == 1.0  # but no tick of 120 %


def test_a_short_log_axis_on_a_projector_keeps_its_labels_apart():
    # a fresh-eyes teacher: Inside's loss chart on a projector labelled 0.5, 0.2, 0.1, 0.05,
    # 0.02, 0.01 and 0.005 in 130 px, the labels touching
    from playground.figures import inside as inf

    epochs = np.arange(1, 301)
    train = 0.6 * np.exp(-epochs / 50) + 0.0025  # (0.0025 … 0.6, as the teacher's run)
    fig = inf.loss_figure(epochs, train, train + 0.02, "en")
    assert len(fig.layout.yaxis.tickvals) >= 6  # (on the page: 1, 2 and 5 of each decade)
    big = export.presenter(fig, width=export.presenter_width(0.5))
    axis = big.layout.yaxis
    size = axis.tickfont.size
    plot = big.layout.height - big.layout.margin.t - big.layout.margin.b
    values = np.r_[train, train + 0.02]
    span = np.log10(values.max()) - np.log10(values.min())  # (the data's decades: plotly's range
    gaps = np.diff(np.log10(sorted(axis.tickvals))) * plot / span  # is at least as wide)
    assert len(axis.tickvals) >= 2 and gaps.min() >= 1.4 * size, (axis.tickvals, gaps, size)
    assert list(axis.ticktext) == [common.tick_label(v) for v in axis.tickvals]


def _lab_curves():
    from playground.figures import lab

    epochs = np.arange(1, 201)
    train = np.stack([0.5 * np.exp(-epochs / 40), 0.4 * np.exp(-epochs / 60)], axis=1)
    return lab.curves_figure(epochs, train, train + 0.1, ["Baseline", "Dropout"])


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_a_short_plot_grows_to_a_projectors_least_height(share):
    # a fresh-eyes teacher: the larger text's margins left the lab's loss curves 177 px high
    # in a half column of a 720-px projector, From scratch's data 133 px
    fig = _lab_curves()
    assert _plot_height(fig) < export.PRESENTER_PLOT
    big = export.presenter(fig, width=export.presenter_width(share))
    assert _plot_height(big) >= export.PRESENTER_PLOT - 1
    assert big.layout.height <= export.PRESENTER_TALLEST
    # the legend stays as far under the plot in px as it was laid out (not at -0.2 of more)
    smaller = export._presenter(fig, export.PRESENTER_FONT, export.presenter_width(share), 0)
    under = -smaller.layout.legend.y * _plot_height(smaller)
    assert -big.layout.legend.y * _plot_height(big) == pytest.approx(under)
    assert -big.layout.legend.y * _plot_height(big) < big.layout.margin.b


def test_a_short_plot_grows_only_as_far_as_the_page_allows():
    fig = _lab_curves()
    big = export.presenter(fig, width=export.presenter_width(0.5), tallest=420)
    assert big.layout.height == 420  # (grown, to the page's limit and not past it)
    # an animation keeps its layout (its plot and ▶ are laid out to fit together)
    moving = _lab_curves()
    moving.layout.sliders = [{"steps": [{"label": "1"}]}]
    assert _plot_height(export.presenter(moving)) < export.PRESENTER_PLOT


def test_the_labs_stop_notes_stay_apart_on_a_projector():
    # a review: with early stopping and the combination both stopping, their two-line notes
    # were 0.18 of the plot apart, 30 px on a projector, and overlapped
    from playground.figures import lab

    epochs = np.arange(1, 61)
    val = np.stack([1 + 1e-3 * epochs] * 3, axis=1)  # (60, 3)
    val[26:, 1] = val[31:, 2] = np.nan
    names = ["Baseline", "Early stopping", "Combination"]
    fig = lab.curves_figure(epochs, val / 2, val, names, None, np.array([0, 26, 31]))
    for copy in (fig, export.presenter(fig, width=export.presenter_width(0.5), tallest=480)):
        notes = sorted(
            (a for a in copy.layout.annotations if a.xref == "x"), key=lambda a: abs(a.yshift or 0)
        )
        assert len(notes) == 2 and len({n.y for n in notes}) == 1  # (both at the top or bottom)
        high = max(len(_lines(n.text)) for n in notes) * 1.2 * notes[0].font.size
        assert abs(notes[1].yshift - notes[0].yshift) >= high, [n.yshift for n in notes]


def test_animation_controls_under_a_plot_keep_apart_from_it_on_a_projector():
    # a fresh-eyes teacher: the ConvNet's ▶ and ❚❚, at the projector's size, touched the
    # bottom of its kernels' tiles
    from playground.figures import digits

    kernels = np.random.default_rng(0).normal(size=(3, 6, 5, 5))
    fig = digits.kernels_figure(kernels, [1, 2, 3], "Baseline")
    big = export.presenter(fig)
    for before, after in zip(
        (*fig.layout.updatemenus, *fig.layout.sliders),
        (*big.layout.updatemenus, *big.layout.sliders),
        strict=True,
    ):
        assert (after.pad.t or 0) - (before.pad.t or 0) >= export.CONTROL_GAP
    assert big.layout.margin.b - fig.layout.margin.b >= export.CONTROL_GAP  # (room for it)
