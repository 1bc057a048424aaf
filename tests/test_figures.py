import io
import json
import re
from unittest import mock

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from playground import figures, runs, surfaces
from playground.figures import common, digits, export, legend
from playground.i18n import t
from playground.surfaces import Grid


def _animation(steps=500, n=401, points=100_000):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, points)
    y = 0.1 * x + 0.2 + rng.normal(0, 0.01, points)
    grid = Grid(-1.0, 1.0, -1.0, 1.0, n)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, steps))
    z = surfaces.mse_surface(x, y, grid)
    return figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y), traj


def test_the_descents_minimum_is_drawn_over_its_path_and_under_its_current_point():
    # a fresh-eyes teacher: at the end of the mini-batch lesson, whose question is "will it
    # stop at the minimum?", the ★ was hidden under the path's zigzags
    x = np.linspace(0, 1, 20)
    y = 0.1 * x + 0.2
    grid = Grid(-1.0, 1.0, -1.0, 1.0, 21)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, 30))
    z = surfaces.mse_surface(x, y, grid)
    fig = figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y, minimum=(0.1, 0.2))
    names = [tr.name for tr in fig.data]
    star = names.index(t("legend_min", "en"))
    path = [i for i, tr in enumerate(fig.data) if tr.legendgroup == "path"]
    assert path and max(path) < star < names.index(t("legend_current", "en"))
    shown = [tr for tr in fig.data if tr.showlegend is not False and tr.name]
    first = min(shown, key=lambda tr: tr.legendrank if tr.legendrank is not None else 1000)
    assert first.name == t("legend_min", "en")  # (still first in the legend)


def test_a_descent_that_starts_off_the_map_says_so_from_step_0_on_the_maps_edge():
    # a fresh-eyes teacher: start w = 4 on a map of w in [-1, 1]: no point, no path, no word
    x = np.linspace(0, 1, 20)
    y = 0.1 * x + 0.2
    grid = Grid(-1.0, 1.0, -1.0, 1.0, 21)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, 30, w0=4.0, b0=0.5))
    z = surfaces.mse_surface(x, y, grid)
    fig = figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y)
    said = t("fig_starts_off_map", "en", w="4", b="0.5")
    notes = [i for i, tr in enumerate(fig.data) if getattr(tr, "mode", None) == "markers+text"]
    first = dict(zip(fig.frames[0].traces, fig.frames[0].data, strict=True))
    shown = [first[i] for i in notes if i in first and list(first[i].text or ()) == [said]]
    assert len(shown) == 1, [first.get(i) for i in notes]
    assert (shown[0].x[0], shown[0].y[0]) == (1.0, 0.5)  # on the right edge, level with it
    assert fig.data[notes[0]].xaxis == "x"  # (the contour map's)
    assert list(fig.data[notes[0]].text) == [said]  # on the page before ▶ (its own traces)
    on_map = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, 30))
    fig = figures.descent_animation(grid, z, on_map.w, on_map.b, on_map.loss, x, y)
    assert not any(said in str(f.data) for f in fig.frames[:1])


def test_on_a_projector_the_descent_is_one_row_of_its_three_maps_that_fits_720_px():
    # #31: the descent was 800 px high (960 with 3-D), taller than a 1280 × 720 projector
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 50)
    y = 0.1 * x + 0.2
    grid = Grid(-1.0, 1.0, -1.0, 1.0, 41)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.5, 60))
    z = surfaces.mse_surface(x, y, grid)
    fig = figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y, projector=True)
    layout = fig.layout
    assert layout.height <= 620 and "scene" not in layout.to_plotly_json()
    rows = {tuple(layout[f"yaxis{i}"].domain) for i in ("", "2", "3")}
    assert len(rows) == 1  # the three panels side by side
    lefts = sorted(layout[f"xaxis{i}"].domain[0] for i in ("", "2", "3"))
    assert lefts[0] == 0 and lefts[1] > 0.3 and lefts[2] > 0.6
    # the map under the contour panel's axes, and every frame still moves the path's tip
    assert layout.images and fig.frames and all(f.data for f in fig.frames)


def test_500_step_animation_is_under_1_mb_of_json():
    fig, traj = _animation()
    size = len(fig.to_json())
    assert traj.steps == 500
    assert size < 1_000_000, size


class Player:
    """What plotly.js shows of an animated figure as frames are applied to it, one by one, in
    any order (▶ plays them in order, the scrubber jumps to its stops, ← and → step): each
    frame's fragments are merged into the traces it names, as ``Plotly.animate`` does."""

    def __init__(self, fig: go.Figure) -> None:
        self.traces = [dict(trace.to_plotly_json()) for trace in fig.data]
        self.frames = json.loads(fig.to_json())["frames"]
        self.names = [frame["name"] for frame in self.frames]

    def show(self, f: int) -> None:
        frame = self.frames[f]
        for i, fragment in zip(frame["traces"], frame["data"], strict=True):
            self.traces[i].update(fragment)

    def line(self, group: str) -> np.ndarray:
        """The points drawn by the visible traces of a legend group, in order, (n, d)."""
        return self._joined([tr for tr in self.traces if tr.get("legendgroup") == group])

    def lines_on(self, axis: str) -> np.ndarray:
        """The points drawn by the visible lines on a subplot's x axis ("x2"), in order, (n, 2)."""
        on = [tr for tr in self.traces if tr.get("xaxis") == axis and tr.get("mode") == "lines"]
        # (a piece past a short path's end is its last point twice: it draws nothing)
        return self._joined([tr for tr in on if len({*zip(tr["x"], tr["y"], strict=True)}) > 1])

    def markers_on(self, axis: str) -> np.ndarray:
        """The markers drawn on a subplot's x axis, (n, 2)."""
        on = [tr for tr in self.traces if tr.get("xaxis") == axis and tr.get("mode") == "markers"]
        return self._joined(on)

    @staticmethod
    def _joined(traces: list[dict]) -> np.ndarray:
        parts = [
            np.column_stack([np.asarray(tr[c], dtype=float) for c in "xyz" if c in tr])
            for tr in traces
            if tr.get("opacity", 1) != 0 and len(tr["x"])
        ]
        points = []
        for part in parts:  # pieces share their ends
            start = 1 if points and np.allclose(points[-1], part[0], rtol=1e-4) else 0
            points.extend(part[start:])
        return np.array(points)


def _descent(steps: int, three_d: bool = False):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 40)
    y = 2.0 * x - 1.0 + rng.normal(0, 0.1, 40)
    grid = Grid(-1.0, 4.0, -3.0, 2.0, 41)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.3, steps))
    z = surfaces.mse_surface(x, y, grid)
    fig = figures.descent_animation(grid, z, traj.w, traj.b, traj.loss, x, y, three_d=three_d)
    return fig, np.column_stack([traj.w, traj.b]), traj


@pytest.mark.parametrize("steps", [5, 47, 300, 1200])
def test_the_path_is_drawn_up_to_the_frame_shown_whatever_the_order_of_frames(steps):
    """At step 0 only the start point is drawn; at frame k, exactly the iterates 0…k, whether
    the frames are played in order, scrubbed to, or stepped through backwards."""
    fig, path, traj = _descent(steps)
    player = Player(fig)
    np.testing.assert_allclose(player.line("path"), path[:1], rtol=1e-4)  # before ▶
    np.testing.assert_allclose(player.line("loss"), [[0, traj.loss[0]]], rtol=1e-4)
    stops = [int(s.args[0][0]) for s in fig.layout.sliders[0].steps]
    order = list(range(len(player.frames)))  # ▶
    order += [player.names.index(str(k)) for k in stops[::-1]]  # the scrubber, backwards
    order += list(range(len(player.frames) - 1, -1, -1))  # ← from the end
    for f in order:
        player.show(f)
        k = int(player.names[f])
        np.testing.assert_allclose(player.line("path"), path[: k + 1], rtol=1e-4, atol=1e-9)
        curve = player.line("loss")
        np.testing.assert_array_equal(curve[:, 0], np.arange(k + 1))
        np.testing.assert_allclose(curve[:, 1], traj.loss[: k + 1], rtol=1e-4)


def test_the_3d_path_is_drawn_up_to_the_frame_shown():
    fig, path, traj = _descent(60, three_d=True)
    for trace in fig.data:
        if trace.type == "scatter3d" and trace.mode == "lines":
            trace.legendgroup = "3d"  # (to find its pieces)
    player = Player(fig)
    for f in [*range(61), 30, 12, 60, 0]:
        player.show(f)
        expected = np.column_stack([path[: f + 1], traj.loss[: f + 1]])
        np.testing.assert_allclose(player.line("3d"), expected, rtol=1e-4, atol=1e-9)


def test_frames_carry_little_more_than_what_moves():
    """A frame sends the current point, the current line and the tips of the growing lines,
    and a scrubber stop the pieces' visibility: about √T numbers, not the whole path."""
    fig, _, _ = _descent(400)
    sizes = [len(json.dumps(frame["data"])) for frame in Player(fig).frames]
    assert max(sizes) < 3_000, max(sizes)  # the whole path as text is about 20 kB


def test_the_map_under_the_animation_is_an_image_that_frames_never_touch():
    """plotly.js drops contour traces from frames played without a redraw (#4491): the map
    is a layout image below the traces, which frames do not name."""
    fig, _, _ = _descent(30)
    assert "contour" not in {trace.type for trace in fig.data}
    (image,) = fig.layout.images
    assert image.layer == "below" and image.source.startswith("data:image/png;base64,")
    assert (image.xref, image.yref) == ("x", "y")  # the contour panel's axes
    assert image.x < -1.0 and image.x + image.sizex > 4.0  # the whole window
    assert image.y > 2.0 and image.y - image.sizey < -3.0
    assert all("images" not in frame.get("layout", {}) for frame in Player(fig).frames)


def test_animation_has_play_pause_speed_and_scrubber():
    fig, _ = _animation(steps=50, n=31, points=20)
    labels = [b.label for menu in fig.layout.updatemenus for b in menu.buttons]
    assert any("Play" in s for s in labels) and any("Pause" in s for s in labels)
    assert {"0.5×", "1×", "2×", "4×"} <= set(labels)
    assert len(fig.layout.sliders[0].steps) == 51


def test_long_runs_are_thinned_to_max_frames():
    # (a class watches any run in about the same time: 2,000 steps took 87 s at 1×)
    fig, _ = _animation(steps=2000, n=31, points=20)
    assert len(fig.frames) <= figures.MAX_FRAMES
    assert fig.frames[-1].name == "2000"
    assert (figures.MAX_FRAMES - 1) * figures.BASE_FRAME_MS <= 20_000


def test_the_scrubber_stops_at_most_max_slider_steps_frames_first_and_last_included():
    fig, _ = _animation(steps=250, n=31, points=20)
    steps = fig.layout.sliders[0].steps
    assert len(fig.frames) == 251 and len(steps) <= figures.common.MAX_SLIDER_STEPS
    names = {f.name for f in fig.frames}
    assert all(s.args[0][0] in names for s in steps)
    assert (steps[0].label, steps[-1].label) == ("0", "250")
    # evenly apart (plotly.js labels every few stops: 1, 18, 35, 54 read as a broken scale)
    gaps = set(np.diff([int(s.label) for s in steps[:-1]]).tolist())
    assert len(gaps) == 1, gaps


@pytest.mark.parametrize("length", [30, 251, 252, 1000, 5001])
def test_a_long_run_gets_frames_a_whole_number_of_steps_apart_and_its_last(length):
    shown = figures.common.frame_indices(length)
    assert shown[0] == 0 and shown[-1] == length - 1
    assert len(shown) <= figures.common.MAX_FRAMES
    if length <= figures.common.MAX_FRAMES:
        assert len(shown) == length  # (every step)
        return
    (gap,) = set(np.diff(shown[:-1]).tolist())  # (the last may be nearer)
    assert gap in (1, 2, 5, 10, 20, 50, 100) and len(shown) > figures.common.MAX_FRAMES / 2.5


def test_scatter_draws_at_most_the_limit_and_says_so():
    x = np.arange(10_000.0)
    fig = figures.data_figure(x, 2 * x, (2.0, 0.0))
    assert len(fig.data[0].x) == figures.MAX_SCATTER_POINTS
    assert f"{figures.MAX_SCATTER_POINTS} of 10000" in fig.data[0].name


def test_3d_surface_is_downsampled_but_contour_keeps_resolution():
    grid = Grid(n=401)
    z = np.ones((401, 401))
    assert np.asarray(figures.surface_3d(grid, z, "t").data[0].z).shape[0] <= figures.MAX_3D_POINTS
    assert np.asarray(figures.surface_contour(grid, z, "t", None).data[0].z).shape == (401, 401)


def test_3d_surface_marks_its_minimum_with_a_star_over_the_scene_not_a_second_trace():
    grid = Grid(n=11)
    z = np.ones((11, 11))
    fig = figures.surface_3d(grid, z, "t", (2.0, -0.5, 0.25))
    assert [trace.type for trace in fig.data] == ["surface"]  # no scatter3d: no more shaders
    (star,) = fig.layout.scene.annotations
    assert (star.x, star.y, star.z, star.text) == (2.0, -0.5, 0.25, "★")
    assert not star.showarrow  # the star sits on the point, as on the contour map
    assert star.hovertext == "minimum: w=2, b=-0.5, L=0.25"  # its values, on hover
    zh = figures.surface_3d(grid, z, "t", (2.0, -0.5, 0.25), "zh").layout.scene.annotations[0]
    assert zh.hovertext.startswith("最小值")
    assert not figures.surface_3d(grid, z, "t").layout.scene.annotations


def test_log_colour_labels_decades_in_loss_values():
    grid = Grid(n=11)
    z = np.logspace(-3, 2, 121).reshape(11, 11)
    trace = figures.surface_contour(grid, z, "t", None, log_colour=True).data[0]
    assert list(trace.colorbar.ticktext)[:2] == ["1e-3", "1e-2"]


def test_a_log_colour_bar_over_many_decades_labels_at_most_six_with_the_top_one():
    # a fresh-eyes teacher: 1e1 … 1e-6, eight labels, ran together on a projector's short bar
    grid = Grid(n=11)
    z = np.logspace(-6, 1, 121).reshape(11, 11)
    bar = figures.surface_contour(grid, z, "t", None, log_colour=True).data[0].colorbar
    assert 2 <= len(bar.tickvals) <= 6 and bar.tickvals[-1] == 1
    assert list(bar.ticktext) == [f"1e{k}" for k in bar.tickvals]
    gaps = set(np.diff(bar.tickvals))
    assert len(gaps) == 1  # evenly apart
    step = gaps.pop()
    assert step >= 2 and bar.tickvals[0] - step <= -6 <= bar.tickvals[0]  # down to the bottom


def test_figures_are_plain_plotly_and_serialisable():
    fig = figures.data_figure(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    assert isinstance(fig, go.Figure)
    json.loads(fig.to_json())


def test_log_axis_labels_at_most_nine_decades():
    from playground.figures import log_axis

    axis = log_axis(np.logspace(-14, 2, 50))
    assert axis["type"] == "log" and 2 <= len(axis["tickvals"]) <= 9
    assert log_axis(np.array([-1.0, 2.0]))["type"] == "linear"


def test_lab_fit_draws_the_true_sine_only_when_asked():
    from playground import data, training
    from playground.figures import lab

    split = data.make_task(data.TaskConfig())
    parts = {"train": split.train, "val": split.val, "test": split.test}
    grid = training.prediction_grid(split)
    pred = np.zeros((2, len(grid)))
    with_truth = lab.fit_figure(split.x, split.y, parts, grid, pred, ["a", "b"], 1)
    without = lab.fit_figure(split.x, split.y, parts, grid, pred, ["a", "b"], 1, truth=False)
    names = lambda fig: [tr.name for tr in fig.data]  # noqa: E731
    assert "sin(x) (the truth)" in names(with_truth)
    assert "sin(x) (the truth)" not in names(without)
    assert len(without.data) == len(with_truth.data) - 1


def test_lab_boundaries_show_every_point_in_every_panel_by_class_colour_and_split_symbol():
    from playground import data, training
    from playground.figures import lab

    split = data.make_task(data.TaskConfig("moons", n=60))
    parts = {"train": split.train, "val": split.val, "test": split.test}
    grid = training.prediction_grid(split)
    pred = np.full((3, len(grid)), 0.5)
    fig = lab.boundary_figure(split.x, split.y, parts, grid, pred, ["a", "b", "c"], 7)
    assert [a.text for a in fig.layout.annotations] == ["a", "b", "c"]  # one panel a variant
    points = [tr for tr in fig.data if tr.type == "scatter"]
    assert [tr.xaxis for tr in points] == ["x", "x2", "x3"]
    for tr in points:  # each panel: all 60 points, each where it is, coloured by its class
        assert len(tr.x) == split.x.shape[0] == 60
        order = np.concatenate(list(parts.values()))
        np.testing.assert_allclose(tr.x, split.x[order, 0], rtol=1e-6)
        np.testing.assert_array_equal(tr.marker.color, split.y[order] == 1)
        symbols = dict(zip(tr.text, tr.marker.symbol, strict=True))
        assert symbols == {"training points": 0, "validation points": 2, "test points": 4}
        assert list(tr.text).count("validation points") == len(split.val)


def test_lab_curves_mark_each_variants_best_epoch_and_where_it_stopped():
    from playground.figures import lab

    epochs = np.arange(1, 11)
    val = np.stack([np.abs(epochs - 4) + 1.0, np.abs(epochs - 8) + 1.0], axis=1)  # (10, 2)
    train = val / 2
    fig = lab.curves_figure(epochs, train, val, ["a", "b"], np.array([4, 8]), np.array([0, 9]))
    points = [tr for tr in fig.data if tr.mode == "markers"]
    marks = [(tr.marker.symbol, tr.x[0], tr.y[0]) for tr in points if tr.x[0] is not None]
    assert marks == [("diamond", 4, 1.0), ("diamond", 8, 1.0), ("square", 9, 2.0)]
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    dashes = [(tr.name, tr.line.dash) for tr in lines]  # validation solid, training dashed
    assert dashes == [("a", None), (None, "dash"), ("b", None), (None, "dash")]
    assert fig.layout.yaxis.type == "log"
    # the legend says what ◆ and ■ are (a teacher asked), drawing nothing and in no CSV
    keys = [(tr.marker.symbol, tr.name) for tr in points if tr.x[0] is None]
    assert keys == [("diamond", "best epoch"), ("square", "stopped")]
    assert all(tr.showlegend is not False for tr in points if tr.x[0] is None)
    assert not {"best epoch", "stopped"} & set(export.figure_table(fig)["trace"])
    unmarked = lab.curves_figure(epochs, train, val, ["a", "b"])
    assert not [tr for tr in unmarked.data if tr.mode == "markers"]  # (no mark, no key)


def test_presenter_copy_enlarges_everything_a_class_reads():
    from playground.figures import export

    fig, _ = _animation(steps=50, n=41, points=50)
    big = export.presenter(fig)
    assert big.layout.font.size >= 20
    widths = [tr.line.width for tr in big.data if getattr(tr, "line", None) and tr.line.width]
    assert widths and min(widths) >= 3
    # set on each axis: the chart's theme sets 12-px ticks, which a layout font does not change
    axes = [big.layout[k] for k in big.layout if k.startswith(("xaxis", "yaxis"))]
    assert axes and all(a.tickfont.size >= 16 and a.title.font.size >= 18 for a in axes)
    scene = big.layout.scene
    assert scene.xaxis.nticks == 5 and scene.zaxis.tickfont.size >= 12
    assert big.layout.annotations and all(a.font.size >= 18 for a in big.layout.annotations)
    assert all(m.font.size >= 16 for m in big.layout.updatemenus)
    assert big.layout.sliders[0].font.size >= 14
    # the speed buttons and the slider move right as the play buttons grow
    assert big.layout.updatemenus[1].pad.l > fig.layout.updatemenus[1].pad.l
    assert big.layout.sliders[0].pad.l > fig.layout.sliders[0].pad.l
    assert fig.layout.font.size != big.layout.font.size  # the original is untouched


def test_on_a_projector_a_mosaic_of_images_grows_to_its_own_shape_not_a_square():
    # a fresh-eyes teacher: the ConvNet's 2 rows of 8 digits, made square on a projector, sat
    # in 190 px of blank above and below
    from playground.figures import digits, export

    images = np.random.default_rng(0).random((16, 16, 16))
    fig = digits.samples_figure(images, np.arange(16) % 10)
    # by hand: 2 rows of 8 tiles of 16 px, each with an 8-px caption gap above, 1 px apart:
    # (2·25 − 1) × (8·17 − 1) cells
    assert np.shape(fig.data[0].z) == (49, 135)
    big = export.presenter(fig, width=540)
    m = big.layout.margin
    across, high = 540 - m.l - m.r, big.layout.height - m.t - m.b
    assert across == 520 and high == pytest.approx(520 * 49 / 135, abs=2)  # ≈ 188.7 px
    assert high < 0.5 * across


def test_on_a_projector_a_square_plot_fills_its_column_and_still_fits_720_px():
    from playground.figures import digits, export

    matrix = np.arange(100).reshape(10, 10)
    fig = digits.confusion_figure(matrix, "Baseline", "en")
    for width in (540, 1080):
        big = export.presenter(fig, width=width)
        m = big.layout.margin
        across, high = width - m.l - m.r, big.layout.height - m.t - m.b
        assert big.layout.height <= export.PRESENTER_TALLEST
        # as high as it is wide (the square's side), or as high as a projector allows
        assert high >= across - 1 or big.layout.height == export.PRESENTER_TALLEST, width
    assert fig.layout.height == 420  # the original is untouched
    curves, _ = _animation(steps=50, n=41, points=50)  # (not a square plot: as it was)
    assert export.presenter(curves).layout.height == export.presenter(curves).layout.height


def test_a_long_legend_entry_is_wrapped_in_a_projectors_copy_and_its_png_not_its_csv():
    from playground.figures import export, legend

    name = "Early stopping (the wide line: same as Baseline until it stopped at epoch 26)"
    fig = go.Figure(
        [go.Scatter(x=[0, 1], y=[0, 1], name="Baseline"), go.Scatter(x=[0, 1], y=[1, 0], name=name)]
    )
    fig.update_layout(height=400, legend={"orientation": "h", "y": -0.2})
    big = export.presenter(fig, width=540)
    lines = re.split("<br>", big.data[1].name)
    assert len(lines) > 1 and " ".join(lines) == name  # the same words, on more lines
    assert all(40 + legend.text_width(line, 18) <= 540 for line in lines)
    still = export.still(fig, shown_width=400)  # (12-px text: wrapped in a narrower one)
    assert "<br>" in still.figure.data[1].name
    assert big.data[0].name == "Baseline" and fig.data[1].name == name  # (the CSV's name)


def test_a_shared_figure_is_sent_whole_without_its_template_and_converted_once(monkeypatch):
    from playground.figures import export

    fig, _ = _animation(steps=50, n=41, points=50)
    whole, big_whole = json.loads(fig.to_json()), json.loads(export.presenter(fig).to_json())
    calls = []
    original = export.to_send
    monkeypatch.setattr(export, "to_send", lambda f: calls.append(1) or original(f))

    first = export.sent(fig)
    spec = json.loads(first.spec)
    assert "template" in whole["layout"] and "template" not in spec["layout"]  # the chart themes it
    for sent_whole in (whole, big_whole):  # (and the frames' steps: a PNG's, kept on the server)
        del sent_whole["layout"]["template"], sent_whole["layout"]["meta"]
    assert spec == whole  # every trace, frame and array as plotly.js would read the figure
    assert export.sent(fig) is first and len(calls) == 1  # converted once, then reused
    big = export.sent(fig, presenting=True)
    assert big is export.sent(fig, presenting=True) and big is not first
    assert json.loads(big.spec) == big_whole


def test_a_figure_is_sent_as_3d_when_a_trace_or_frame_needs_a_3d_scene():
    import plotly.graph_objects as go

    from playground.figures import export

    flat = go.Figure(go.Contour(z=[[1, 2], [3, 4]]))
    assert not export.to_send(flat).needs3d
    assert export.to_send(go.Figure(go.Surface(z=[[1, 2], [3, 4]]))).needs3d
    moving = go.Figure(
        go.Scatter(x=[0], y=[0]), frames=[go.Frame(data=[go.Scatter3d(x=[0], y=[0], z=[0])])]
    )
    assert export.to_send(moving).needs3d


def test_legend_width_grows_with_the_longest_name_and_counts_cjk_characters_wide():
    from playground.figures.common import legend_width

    short, longer = legend_width(["diverged"]), legend_width(["diverged", "minimum 1 at (1, 1)"])
    assert longer - short == pytest.approx(4.5 * (19 - 8), abs=1)  # the longest name counts
    assert legend_width(["未收敛"]) - legend_width(["abc"]) == pytest.approx(3 * (11 - 4.5), abs=1)


def test_figure_table_lists_an_animation_once_as_its_last_frame_shows_it():
    from playground.figures import export

    fig, traj = _animation(steps=50, n=41, points=50)
    table = export.figure_table(fig)
    assert list(table.columns[:4]) == ["trace", "step", "w", "b"] and "frame" not in table.columns
    assert (table["trace"] == "path").sum() == traj.steps + 1  # each step once, not per frame


def test_animated_frames_are_sent_plain_and_read_back_as_frames():
    from playground.figures import export

    fig, traj = _animation(steps=50, n=31, points=20)
    assert isinstance(fig, figures.common.Animated)
    sent = json.loads(fig.to_json())
    assert len(sent["frames"]) == len(fig.frames) == 51
    assert sent["frames"][-1]["traces"] == list(fig.frames[-1].traces)
    names = [fig.data[i].name for i in sent["frames"][-1]["traces"]]
    point = sent["frames"][-1]["data"][names.index("current (w, b)")]
    assert point["x"] == [pytest.approx(traj.w[-1], rel=1e-4)]
    copy = export.presenter(fig)  # a copy keeps the frames, and they stay plain
    assert isinstance(copy, figures.common.Animated)
    assert json.loads(copy.to_json())["frames"] == sent["frames"]


def _spec() -> tuple[list[dict], dict]:
    line = {"color": "red", "width": 2}  # (shared by both traces, as builders share styles)
    data = [
        {"type": "scatter", "x": np.arange(3.0), "y": [1, 2, 3], "name": "a", "line": line},
        {"type": "scatter", "x": [0, 1], "y": [5, 6], "name": "b", "line": line},
    ]
    return data, {"height": 300, "xaxis": {"title": {"text": "x"}}}


def test_a_figure_from_its_spec_builds_no_trace_object_to_be_sent():
    # common.Plain: 210 checked trace objects were 65 of the race's 90 ms a change
    from playground.figures import export

    built = []
    real = go.Scatter.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        real(self, *args, **kwargs)

    data, layout = _spec()
    with mock.patch.object(go.Scatter, "__init__", counted):
        fig = common.from_spec(data, layout)
        sent = json.loads(export.to_send(fig).spec)
        assert not built
        assert [tr.name for tr in fig.data] == ["a", "b"]  # read: built then
        assert len(built) == 2
    assert [tr["name"] for tr in sent["data"]] == ["a", "b"]


def test_a_plain_figure_reads_and_writes_as_plotlys_own():
    # pins plotly.py's internals Plain relies on: a trace object reads and writes its
    # figure's ``_data[trace._trace_ind]``; copies, pickles and new traces see the same figure
    import pickle

    data, layout = _spec()
    fig = common.from_spec(data, layout)
    reference = go.Figure(fig.to_dict())
    assert fig.to_dict() == reference.to_dict()
    assert fig.data[1].line.color == "red" and list(fig.data[0].x) == [0.0, 1.0, 2.0]
    fig.data[0].line.color = "blue"  # one trace's style: not its neighbour's, nor the builder's
    fig.update_traces(name="c", selector={"name": "b"})
    fig.add_trace(go.Scatter(x=[1], y=[1], name="d"))
    assert [tr.name for tr in fig.data] == ["a", "c", "d"]
    assert [tr["name"] for tr in json.loads(fig.to_json())["data"]] == ["a", "c", "d"]
    assert fig.to_dict()["data"][1]["line"]["color"] == "red"
    assert data[0]["line"]["color"] == "red" and data[1]["name"] == "b"
    assert json.loads(go.Figure(fig).to_json())["data"][0]["line"]["color"] == "blue"
    again = pickle.loads(pickle.dumps(fig))
    assert [tr.name for tr in again.data] == ["a", "c", "d"]
    assert again.data[0].line.color == "blue"
    # a trace without a type is a scatter, as plotly.py makes it
    bare = common.from_spec([{"x": [1], "y": [2]}], {})
    assert json.loads(bare.to_json())["data"][0]["type"] == "scatter"
    assert bare.data[0].type == "scatter"


def test_decimals_round_to_significant_digits_and_drop_non_finite():
    values = np.array([0.123456789, 123456.789, -9.87654e-7, 0.0, np.nan, np.inf])
    out = figures.common.decimals(values, 5)
    assert out[:4] == [0.12346, 123460.0, -9.8765e-7, 0.0]
    assert out[4:] == [None, None]
    assert json.dumps(out) == "[0.12346, 123460.0, -9.8765e-07, 0.0, null, null]"


def test_from_scratch_ways_still_training_keep_their_legend_entry_and_style():
    from playground.figures import scratch as sf

    x = np.linspace(-1, 1, 50)
    done = {"one": 2 * x, "two": np.zeros(0), "three": np.zeros(0)}
    fits = sf.fits_figure(x, x**2, done)
    losses = sf.loss_figure({"one": np.array([4.0, 2.0, 1.0]), "two": np.zeros(0)})
    for fig, names in ((fits, ["data", "one", "two", "three"]), (losses, ["one", "two"])):
        assert [tr.name for tr in fig.data] == names  # every way, in order
        waiting = [tr for tr in fig.data if tr.name in ("two", "three")]
        # one missing point: plotly lists it in the legend (an empty trace it would leave out)
        assert all(list(tr.x) == [None] and list(tr.y) == [None] for tr in waiting)
    np.testing.assert_allclose(fits.data[1].y, 2 * x)
    dashes = [tr.line.dash for tr in fits.data[1:]]
    assert dashes == list(sf.DASHES[:3])  # styles by place, so a late way never moves them


def test_every_trace_type_the_figures_use_is_in_the_bundle_the_charts_load():
    # pages/static holds partial builds of plotly.js; a figure with a trace type left out of
    # them would draw nothing. The 3-D bundle is the 2-D one plus export.THREE_D.
    import re
    from pathlib import Path

    from playground.figures import export

    root = Path(__file__).resolve().parent.parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "playground").rglob("*.py"))
    used = {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z0-9]*)\(", source)}
    used |= set(re.findall(r"""["']type["']:\s*["']([a-z0-9]+)["']""", source))
    used -= {"figure", "frame", "linear", "log", "buttons", "date", "category", "xy", "scene"}
    used -= {"line"}  # (a layout shape's type: the lab's stop line)

    def registered(name: str) -> set[str]:
        entry = (root / "pages" / "static" / "build" / f"entry-{name}.js").read_text()
        return {"scatter"} | set(re.findall(r"plotly\.js/lib/([a-z0-9]+)", entry)) - {"core"}

    flat, deep = registered("2d"), registered("3d")
    assert {"scatter", "contour", "surface"} <= used  # the scan finds the figures' traces
    assert used - export.THREE_D <= flat
    assert used <= deep and deep - flat == export.THREE_D
    for name in ("2d", "3d"):  # built from those entries
        head = (root / "pages" / "static" / f"plotly-{name}.min.js").read_text()[:300]
        assert f"entry-{name}.js" in head


def _spec_built_figures() -> dict[str, go.Figure]:
    """Every builder that skips plotly.py's checks (common.from_spec), on typical inputs."""
    from playground import data, ewa, landscapes, training
    from playground.figures import ewa as ef
    from playground.figures import lab, race
    from playground.figures import scratch as sf
    from playground.optimizers import RunSpec

    sine, moons = data.make_task(data.TaskConfig()), data.make_task(data.TaskConfig("moons"))
    epochs = np.arange(1, 11)
    val = np.stack([np.abs(epochs - 4) + 1.0, np.abs(epochs - 8) + 1.0], axis=1)  # (10, 2)
    land = landscapes.get("rosenbrock")
    runs_ = [RunSpec.parse(text) for text in land.race]
    paths = runs.race(land, runs_, runs.RaceConfig(land.start, 40))
    labels = [r.label() for r in runs_]
    xs, ys = land.axes(41)
    series = np.random.default_rng(0).normal(0, 3, 300)  # (300,)
    average = ewa.ewa(series, 0.9, 0.0)
    xy = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    window = Grid(0.0, 4.0, -2.0, 2.0, 31)
    path = runs.gradient_descent(*xy, runs.DescentConfig("mse", 0.05, 60, 0.0, 0.0, 0, 0))
    descent = (window, surfaces.mse_surface(*xy, window), path.w, path.b, path.loss, *xy)

    def parts(split):
        return {"train": split.train, "val": split.val, "test": split.test}

    def grid(split):
        return training.prediction_grid(split)

    return {
        "lab curves": lab.curves_figure(
            epochs, val / 2, val, ["a", "b"], np.array([4, 8]), np.array([0, 9]), "zh"
        ),
        "lab fit": lab.fit_figure(
            sine.x, sine.y, parts(sine), grid(sine), np.zeros((2, len(grid(sine)))), ["a", "b"], 3
        ),
        "lab boundaries": lab.boundary_figure(
            moons.x, moons.y, parts(moons), grid(moons), np.full((3, len(grid(moons))), 0.5),
            ["a", "b", "c"], 7,
        ),
        "race map": race.race_animation(
            xs, ys, land.grid(41), [p.xy for p in paths], [r.label() for r in runs_],
            np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]]), True,
        ),
        "race curves": race.curves([p.loss for p in paths], labels, "gap", "L", lang="zh"),
        "race curves, dashed and marked": race.curves(
            [p.loss for p in paths], labels, "λ", "λ", log=False,
            dashed=[-p.loss for p in paths], marks=[2, None] + [1000] * (len(paths) - 2),
        ),
        "scratch fits": sf.fits_figure(
            series[:30], series[:30] / 2, {"a": series[:30], "pending": np.zeros(0)}, "zh"
        ),
        "scratch losses": sf.loss_figure({"a": np.abs(series) + 1.0, "pending": np.zeros(0)}),
        "ewa averages": ef.averages(
            series, [("β = 0.9", average)], "zh", [("corrected", ewa.ewa_corrected(series, 0.9))]
        ),
        "ewa bias": ef.bias_figure(series, average, ewa.ewa_corrected(series, 0.9), 0.9),
        "ewa build-up": ef.build_animation(series, average, 0.9),
        "descent": figures.descent_animation(*descent, log_colour=True, lang="zh"),
        "descent with 3-D": figures.descent_animation(*descent, three_d=True),
        "descent on a projector": figures.descent_animation(*descent, projector=True),
        **_landscape_figures(),
        "race schedule": race.schedule_figure([0.1, 0.05, 0.02], "zh"),
        "range test": lab.range_test_figure(
            np.geomspace(1e-4, 1, 5), np.ones(5), np.ones(5), 1e-3, 1e-2, "zh"
        ),
        "fair race": race.fair_figure(
            np.geomspace(1e-3, 1, 4), np.array([[0, 0.5, 1, 0.2]]), ["SGD"], "zh"
        ),
    }  # fmt: skip


def _landscape_figures() -> dict[str, go.Figure]:
    from playground.figures import landscape as lf

    rng = np.random.default_rng(0)
    epochs = np.arange(1, 21)
    loss = np.abs(rng.normal(1, 0.1, (20, 3)))  # (E, R)
    sharp = np.where(epochs[:, None] % 2 == 0, loss * 5, np.nan)  # measured every 2nd epoch
    alphas, betas = np.linspace(-1, 2, 9), np.linspace(-1, 1, 7)
    z = np.add.outer(betas**2, alphas**2) + 0.1  # (B, A)
    paths = rng.normal(0, 0.5, (3, 12, 2))  # (R, T, 2)
    paths[2] = np.nan  # a diverged run
    names = ["1. SGD η=0.25", "2. SGD η=0.025", "3. Adam"]
    snaps = np.arange(12) * 2
    read = np.abs(rng.normal(1, 0.1, (3, 12)))
    return {
        "landscape sharpness": lf.sharpness_figure(
            epochs, loss, sharp, [8.0, 80.0, None], names, "zh"
        ),
        "landscape plane": lf.plane_animation(
            alphas, betas, z, z * 2, paths, snaps, names, ("PC1", "PC2")
        ),
        "landscape line": lf.line_figure(alphas, z[0], z[1], ("a", "b"), "zh"),
        "landscape faithful": lf.faithful_figure(snaps, read, read * 1.1, names),
        "landscape 3-D": lf.surface_3d(alphas, betas, z, paths, read, names, ("d1", "d2")),
        **_inside_figures(),
    }


def _hidden_space(inside, fi, pts) -> go.Figure:
    spec = inside.NetSpec(hidden=(3, 2), activations=("tanh", "tanh"))
    images, lines = inside.hidden_space(inside.build(spec), spec, pts, lines=3, n=5)
    return fi.hidden_space_figure(images, pts.label, lines, "zh")


def _inside_figures() -> dict[str, go.Figure]:
    from playground import inside
    from playground.figures import inside as fi

    spec = inside.NetSpec(hidden=(3, 2), activations=("tanh", "relu"))
    model = inside.build(spec)
    maps = inside.node_maps(model, spec, 12)
    weights = inside.weights_of(inside.state_of(model), spec)
    pts = inside.preset("moons", 40)
    test = np.arange(40) % 3 == 0
    return {
        "inside data": fi.data_figure(
            pts.xy, pts.label, test, inside.WINDOW, maps[-1][1], False, None, "zh"
        ),
        "inside regression": fi.data_figure(
            pts.xy, pts.label, test, inside.WINDOW, None, True, (np.arange(5.0), np.ones(5))
        ),
        "inside network": fi.network_figure(spec.sizes, weights, maps, ["x₁", "x₂"], (1, 0, 2)),
        "inside node": fi.node_figure(maps[1][0], inside.WINDOW, "n"),
        "inside loss": fi.loss_figure(np.arange(1.0, 6), np.ones(5), np.ones(5) * 2),
        "inside hidden space": _hidden_space(inside, fi, pts),
    }


SPEC_BUILT = ["lab curves", "lab fit", "lab boundaries", "race map"]
SPEC_BUILT += ["ewa averages", "ewa bias", "ewa build-up", "descent", "descent with 3-D"]
SPEC_BUILT += ["descent on a projector"]
SPEC_BUILT += ["race curves", "race curves, dashed and marked", "scratch fits", "scratch losses"]
SPEC_BUILT += ["landscape sharpness", "landscape plane", "landscape line", "landscape faithful"]
SPEC_BUILT += ["landscape 3-D", "inside data", "inside regression", "inside network"]
SPEC_BUILT += ["inside node", "inside loss", "inside hidden space", "race schedule", "fair race"]
SPEC_BUILT += ["range test"]


@pytest.mark.parametrize("name", SPEC_BUILT)
def test_a_figure_built_without_plotlys_checks_passes_them(name):
    """from_spec skips plotly.py's validation on the server; here it must pass it unchanged:
    every property name and value is one plotly knows, and checking changes nothing."""
    fig = _spec_built_figures()[name]
    assert fig._validate is False  # (built the fast way)
    checked = go.Figure(fig.to_dict())  # raises on any property plotly does not know
    as_json = lambda f: json.dumps(json.loads(f.to_json()), sort_keys=True)  # noqa: E731
    assert as_json(checked) == as_json(fig)
    assert len(checked.frames) == len(fig.frames)


def _sent_by_plotly(fig: go.Figure) -> dict:
    """What plotly's own copy of a figure gives: to_dict() without its template, and without
    the steps of its frames that only a PNG reads (export.still)."""
    spec = fig.to_dict()
    spec["layout"].pop("template", None)
    meta = spec["layout"].get("meta")
    if isinstance(meta, dict):
        meta.pop("frame_steps", None)
        if not meta:
            spec["layout"].pop("meta")
    return json.loads(pio.to_json(spec, validate=False))


def _other_figures() -> dict[str, go.Figure]:
    """Figures built call by call (plotly checks them), one changed after it was built, and one
    with plotly's own frames."""
    from playground import data, training
    from playground.figures import digits, lab, race

    z = np.add.outer(np.linspace(-1, 1, 21), np.linspace(0, 2, 31))  # (21, 31)
    changed = lab.curves_figure(
        np.arange(1, 4),
        np.ones((3, 2)),
        np.ones((3, 2)) / 2,
        ["a", "b"],
        np.array([1, 2]),
        np.array([0, 0]),
    )
    changed.update_yaxes(tickformat=".0%")  # (as the ConvNet view does)
    framed = go.Figure(
        go.Scatter(x=[0, 1], y=[1, 2]),
        frames=[go.Frame(data=[go.Scatter(x=np.array([0.5]), y=np.array([1.5]))], name="1")],
    )
    split = data.make_task(data.TaskConfig())
    return {
        "surface 3-D": figures.surface_3d(Grid(-1.0, 1.0, 0.0, 2.0, 21), z[:, :21], "L", (0, 0, 0)),
        "race 3-D": race.race_3d(
            np.linspace(-1, 1, 31), np.linspace(0, 2, 21), z, [np.zeros((3, 2))], [np.ones(3)],
            ["a"],
        ),
        "digits": digits.probabilities_figure(np.full(10, 0.1), 3),
        "changed after it was built": changed,
        "plotly's frames": framed,
        "data and a line": figures.data_figure(split.x[:, 0], split.y, (1.0, 0.5)),
        "training grid": go.Figure(go.Scatter(x=training.prediction_grid(split)[:, 0], y=[0])),
    }  # fmt: skip


@pytest.mark.parametrize("name", SPEC_BUILT + list(_other_figures()))
def test_a_figure_is_sent_as_plotly_would_send_it(name):
    """to_send reads a figure's properties without plotly's deep copy of them (to_dict): the
    browser must get the same JSON (traces, layout without template, frames, typed arrays), and
    the figure must be left unchanged."""
    fig = {**_spec_built_figures(), **_other_figures()}[name]
    before = fig.to_json()
    sent = export.to_send(fig)
    assert json.loads(sent.spec) == _sent_by_plotly(fig)
    assert "template" not in json.loads(sent.spec)["layout"]
    assert fig.to_json() == before
    if name == "changed after it was built":
        assert json.loads(sent.spec)["layout"]["yaxis"]["tickformat"] == ".0%"


def test_a_map_image_is_made_once_per_content_and_range():
    z = np.arange(12.0).reshape(3, 4)
    first = common.map_image(z, 0.0, 11.0)
    with mock.patch.object(common, "_png", side_effect=AssertionError("made again")):
        assert common.map_image(z.copy(), 0.0, 11.0) == first  # same values: from the cache
        with pytest.raises(AssertionError, match="made again"):
            common.map_image(z + 1, 0.0, 11.0)  # other values: a new image
        with pytest.raises(AssertionError, match="made again"):
            common.map_image(z, 0.0, 12.0)  # another colour range: a new image
    z[0, 0] = 5.0  # the caller's array changed afterwards: its image is made anew
    assert common.map_image(z, 0.0, 11.0) != first


def test_a_png_export_writes_nothing_to_the_log_at_info(caplog):
    # kaleido and choreographer logged ~6 INFO lines per PNG into the server's log.
    import logging

    import plotly.graph_objects as go

    from playground.figures import export

    if not export.png_available():
        pytest.skip("no Chromium for kaleido")
    with caplog.at_level(logging.INFO):
        png = export.to_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), 320, 200)
    assert png.startswith(b"\x89PNG")
    assert [r.getMessage() for r in caplog.records if r.levelno < logging.WARNING] == []


def test_the_race_draws_each_path_as_it_runs_on_the_overlay_and_on_its_small_map():
    from playground import landscapes
    from playground.figures import race
    from playground.optimizers import RunSpec

    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(text) for text in land.race[:3]]
    paths = [p.xy for p in runs.race(land, contestants, runs.RaceConfig((-1.5, 2.0), 120))]
    paths[1] = paths[1][:40]  # a run that stopped early waits at its end
    xs, ys = land.axes(41)
    labels = [r.label() for r in contestants]
    fig = race.race_animation(
        xs, ys, land.grid(41), paths, labels, np.ones((1, 2)), np.zeros((0, 2))
    )
    player = Player(fig)
    stops = [player.names.index(s.args[0][0]) for s in fig.layout.sliders[0].steps]
    jumps = [stops[len(stops) // 2], stops[2], 0]  # (the scrubber, back to three stops)
    for n, f in enumerate([0, *range(len(player.frames)), *jumps, len(player.frames) - 1]):
        if n:  # (first: the figure as sent, before any frame)
            player.show(f)
        k = int(player.names[f])
        for r, xy in enumerate(paths):
            drawn = player.line(str(r))
            np.testing.assert_allclose(drawn, xy[: k + 1], rtol=1e-4, atol=1e-9)
            # its small map: the path so far up to a piece behind, then straight to its dot
            at = min(k, len(xy) - 1)
            small = player.lines_on(f"x{r + 2}")
            np.testing.assert_allclose(player.markers_on(f"x{r + 2}"), xy[at : at + 1], rtol=1e-4)
            if at == 0:
                assert len(small) == 0, "nothing but the start before ▶"
                continue
            np.testing.assert_allclose(small[-1], xy[at], rtol=1e-4)
            before = small[:-1]  # the path's own points
            np.testing.assert_allclose(before, xy[: len(before)], rtol=1e-4, atol=1e-9)
            piece = -(-(len(xy) - 1) // race.SMALL_PIECES)
            assert len(before) > at - piece, (r, k)
        if f == len(player.frames) - 1:  # the last frame: every small map has its whole path
            for r, xy in enumerate(paths):
                np.testing.assert_allclose(player.lines_on(f"x{r + 2}"), xy, rtol=1e-4, atol=1e-9)


# -- exports: PNG and CSV for a slide or a spreadsheet -------------------------------------------


def _race(name: str = "two_basin", steps: int = 60, runs_: int = 4):
    """A race figure as the view draws it, one run stopped early, with its paths and labels."""
    from playground import landscapes
    from playground.figures import race
    from playground.optimizers import RunSpec

    land = landscapes.get(name)
    contestants = [RunSpec.parse(text) for text in land.race[:runs_]]
    paths = [p.xy for p in runs.race(land, contestants, runs.RaceConfig(land.start, steps))]
    paths[1] = paths[1][: steps // 3]  # a run that stopped early
    labels = [f"{i + 1}. {r.label()}" for i, r in enumerate(contestants)]
    xs, ys = land.axes(41)
    minima = np.array([[m.x, m.y] for m in land.minima]).reshape(-1, 2)
    fig = race.race_animation(xs, ys, land.grid(41), paths, labels, minima, np.zeros((0, 2)))
    return fig, paths, labels, (xs, ys)


@pytest.mark.parametrize("steps, frames", [(100, 101), (1000, 101), (250, 51)])
def test_a_long_race_plays_in_about_a_hundred_frames_every_step_of_a_short_one(steps, frames):
    # a fresh-eyes teacher: the range-test lesson's 1,000 steps in 201 frames took over 2 min
    # at 1× (each frame of plotly.js costs in proportion to a race's hundred traces)
    fig, paths, _, _ = _race(steps=steps, runs_=2)
    names = [int(f.name) for f in fig.frames]
    assert len(names) == frames
    assert names[0] == 0 and names[-1] == len(paths[0]) - 1  # the start and the finish
    gaps = set(np.diff(names).tolist())  # (by hand: 1, 10, 5: the smallest of 1, 2, 5, 10 …)
    assert gaps == {1 if steps <= 100 else {1000: 10, 250: 5}[steps]}


def _kaleido_gets(monkeypatch, fig, frame: str | None = None) -> tuple[go.Figure, int, int]:
    """The figure and size that export.to_png hands to kaleido (which is not run)."""
    given = {}

    def to_image(self, **kwargs):
        given.update(kwargs, figure=self)
        return b"\x89PNG"

    monkeypatch.setattr(go.Figure, "to_image", to_image)
    export.to_png(fig, frame=frame)
    return given["figure"], given["width"], given["height"]


def _plot_box(fig: go.Figure, width: int, height: int, axis: str) -> float:
    """Pixels per unit of the axis ``axis`` ("x2", "y") when ``fig`` is drawn at that size."""
    margin = {"l": 80, "r": 80, "t": 100, "b": 80} | fig.layout.margin.to_plotly_json()
    a = fig.layout[axis[0] + "axis" + axis[1:]]
    sides = ("l", "r") if axis[0] == "x" else ("t", "b")
    room = (width if axis[0] == "x" else height) - sum(margin[side] for side in sides)
    return (a.domain[1] - a.domain[0]) * room / (a.range[1] - a.range[0])


def _equal_scale(layout, k: int) -> bool:
    """Whether subplot k's map keeps one unit of y as long as one of x (plotly.js shrinks its
    plot area, not its window, to do so)."""
    x, y = (layout[f"{a}axis{k if k > 1 else ''}"] for a in "xy")
    anchor = f"x{k if k > 1 else ''}"
    return (
        y.scaleanchor == anchor
        and (y.scaleratio or 1) == 1
        and x.constrain == y.constrain == "domain"
    )


def test_a_run_that_leaves_the_race_map_is_marked_on_its_edge_from_that_step_on():
    # a fresh-eyes teacher saw the saddle lesson's Momentum dot vanish at the map's top edge
    fig, paths, _, (xs, ys) = _race("saddle", steps=100, runs_=5)
    (x0, x1), (y0, y1) = (xs[0], xs[-1]), (ys[0], ys[-1])
    gone = {}  # run number → the first step outside the map (an independent reading)
    for r, xy in enumerate(paths):
        out = (xy[:, 0] < x0) | (xy[:, 0] > x1) | (xy[:, 1] < y0) | (xy[:, 1] > y1)
        if out.any():
            gone[r + 1] = int(np.argmax(out))
    assert gone  # (the saddle sends runs off the map)
    notes = [i for i, d in enumerate(fig.data) if d.mode == "markers+text"]
    assert len(notes) == len(paths)  # one a run, whether it leaves or not (a chart moved in place)
    assert all(not fig.data[i].x for i in notes)  # nothing before the frames show it
    for frame in fig._plain_frames:
        step = int(frame["name"])
        shown = {}
        for i, d in zip(frame["traces"], frame["data"], strict=True):
            if i in notes and d.get("text"):
                number, text = re.fullmatch(
                    r"(?:<br>)*(\d+)\. (.*?)(?:<br>)*", d["text"][0]
                ).groups()
                shown[int(number)] = (text, d["x"][0], d["y"][0])
        assert set(shown) == {r for r, k in gone.items() if step >= k}, step  # nothing early
        for r, (text, x, y) in shown.items():
            assert text == t("fig_left_map", "en", step=gone[r])
            assert x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9  # on the map
            assert min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) < 1e-9  # its edge
    table = export.figure_table(fig)
    assert not table["trace"].str.contains("left the map").any()  # not data: not in the CSV


def test_the_race_maps_keep_equal_scale_in_the_view_and_on_a_projector():
    # #31: on a projector the map was drawn 890 × 325 px, a unit of x three times one of y.
    fig, paths, _, (xs, ys) = _race()
    for shown in (fig, export.presenter(fig)):
        for k in range(1, 2 + len(paths)):  # the overlay and each small map
            assert _equal_scale(shown.layout, k), k
            axes = (shown.layout[f"{a}axis{k if k > 1 else ''}"] for a in "xy")
            assert [list(a.range) for a in axes] == [[xs[0], xs[-1]], [ys[0], ys[-1]]]
    alone = _race_alone()
    for shown in (alone, export.presenter(alone)):
        assert _equal_scale(shown.layout, 1)


def _race_alone():
    from playground import landscapes
    from playground.figures import race

    land = landscapes.get("rosenbrock")
    paths = [np.array([[-1.5, 2.0], [-1.0, 1.0]])]
    xs, ys = land.axes(21)
    return race.race_animation(
        xs, ys, land.grid(21), paths, ["a"], np.ones((1, 2)), np.zeros((0, 2)), small=False
    )


def test_a_png_of_the_race_keeps_its_height_and_its_maps_shape_without_play_controls(
    monkeypatch,
):
    fig, paths, _, (xs, ys) = _race()
    assert fig.layout.updatemenus and fig.layout.sliders  # (the figure as shown has them)
    drawn, width, height = _kaleido_gets(monkeypatch, fig)
    assert not drawn.layout.updatemenus and not drawn.layout.sliders
    assert height == fig.layout.height  # not squeezed into 720
    assert drawn.layout.title.text == "step 60"  # (_race runs 60 steps: the last frame)
    assert width == export.SHOWN_WIDTH  # as wide as the student sees it
    assert (xs[-1] - xs[0]) / (ys[-1] - ys[0]) == pytest.approx(4 / 3)  # (a map wider than tall)
    for k in range(1, 2 + len(paths)):  # each map: a unit of x as long as a unit of y
        assert _equal_scale(drawn.layout, k), k
    assert fig.layout.updatemenus  # the figure itself is unchanged


def test_a_png_of_the_race_is_drawn_at_the_figures_shape():
    if not export.png_available():
        pytest.skip("no Chromium for kaleido")
    import struct

    fig, _, _, _ = _race(steps=20, runs_=2)
    png = export.to_png(fig)
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert height == round(fig.layout.height * export.PNG_SCALE)  # its own height
    shape = export.still(fig)
    assert width / height == pytest.approx(shape.width / shape.height, rel=0.01)
    assert abs(width - shape.width * export.PNG_SCALE) <= 1
    assert width / height != pytest.approx(16 / 9, rel=0.05)  # not stretched to a slide's shape


def _shown(fig: go.Figure):
    """A Player (above) of what a still figure draws, for its ``line``."""
    player = Player.__new__(Player)
    player.traces = [dict(trace.to_plotly_json()) for trace in fig.data]
    return player


def test_a_png_of_an_animation_shows_its_last_frame(monkeypatch):
    fig, path, traj = _descent(47)
    drawn, _, _ = _kaleido_gets(monkeypatch, fig)
    assert not drawn.frames
    shown = _shown(drawn)
    np.testing.assert_allclose(shown.line("path"), path, rtol=1e-4, atol=1e-9)  # the whole path
    curve = shown.line("loss")
    np.testing.assert_array_equal(curve[:, 0], np.arange(traj.steps + 1))
    np.testing.assert_allclose(curve[:, 1], traj.loss, rtol=1e-4)
    by_name = {trace.name: trace for trace in drawn.data if trace.name}
    fit = by_name["current line w·x + b"]
    np.testing.assert_allclose(fit.y, traj.w[-1] * np.array(fit.x) + traj.b[-1], rtol=1e-4)
    current = by_name["current (w, b)"]
    np.testing.assert_allclose([current.x[0], current.y[0]], path[-1], rtol=1e-4)
    marker = [t for t in drawn.data if t.mode == "markers" and not t.name]  # on the loss curve
    assert [(m.x[0], pytest.approx(m.y[0], rel=1e-4)) for m in marker] == [
        (traj.steps, traj.loss[-1])
    ]


@pytest.mark.parametrize("shown", [0, 20, 47])
def test_a_png_of_an_animation_is_the_frame_on_screen(monkeypatch, shown):
    # a fresh-eyes teacher exported before ▶ and got every path whole ("left the map at step
    # 79"): the answer of the lesson, and not the picture on screen
    fig, path, _ = _descent(47)
    drawn, _, _ = _kaleido_gets(monkeypatch, fig, frame=str(shown))
    line = _shown(drawn).line("path")
    np.testing.assert_allclose(line, path[: shown + 1], rtol=1e-4, atol=1e-9)  # (T ≤ shown)
    current = {tr.name: tr for tr in drawn.data if tr.name}["current (w, b)"]
    np.testing.assert_allclose([current.x[0], current.y[0]], path[shown], rtol=1e-4)
    # a name the figure has not (a tampered report): its last frame, as without one
    drawn, _, _ = _kaleido_gets(monkeypatch, fig, frame="not a frame")
    np.testing.assert_allclose(_shown(drawn).line("path"), path, rtol=1e-4, atol=1e-9)


def test_a_png_of_the_race_shows_every_path_whole_and_the_small_maps_paths(monkeypatch):
    fig, paths, _, _ = _race()
    drawn, _, _ = _kaleido_gets(monkeypatch, fig)
    shown = _shown(drawn)
    for r, xy in enumerate(paths):
        np.testing.assert_allclose(shown.line(str(r)), xy, rtol=1e-4, atol=1e-9)
    for r, xy in enumerate(paths):  # each small map: its run's whole path
        np.testing.assert_allclose(shown.lines_on(f"x{r + 2}"), xy, rtol=1e-4, atol=1e-9)


def test_a_png_of_the_descent_keeps_room_between_an_axis_title_and_the_title_under_it(
    monkeypatch,
):
    """The fit's "x" title sat on the loss panel's title (the 800-px figure squeezed to 720)."""
    for three_d in (False, True):
        fig, _, _ = _descent(30, three_d=three_d)
        drawn, _, height = _kaleido_gets(monkeypatch, fig)
        plot = height - drawn.layout.margin.t - drawn.layout.margin.b
        rows = [drawn.layout[k].domain for k in drawn.layout if k.startswith("yaxis")]
        gaps = [upper[0] - lower[1] for upper in rows for lower in rows if upper[0] >= lower[1]]
        assert min(gaps) * plot >= 80, three_d  # px for tick labels, an axis title and a title


def test_the_csv_of_the_race_has_each_named_path_whole_and_once():
    fig, paths, labels, _ = _race()
    table = export.figure_table(fig)
    assert list(table.columns) == ["trace", "step", "x", "y"]  # (a path's points by step)
    names = set(table["trace"])
    assert not names & {"click", "scatter", None}  # no click catcher, no unnamed trace
    assert names == {*labels, "known minima", "start"}  # the legend's names
    for xy, label in zip(paths, labels, strict=True):
        rows = table[table["trace"] == label][["x", "y"]].to_numpy(dtype=float)
        np.testing.assert_allclose(rows, xy, rtol=1e-4, atol=1e-9)  # start to last step, in order
        steps = table[table["trace"] == label]["step"].to_numpy()
        np.testing.assert_array_equal(steps, np.arange(len(xy)))  # xy[k] is step k's point
    assert table[~table["trace"].isin(labels)]["step"].isna().all()  # (the start has none)
    assert (table["trace"] == "start").sum() == 1
    assert len(table) == sum(len(xy) for xy in paths) + 1 + (table["trace"] == "known minima").sum()
    read = pd.read_csv(io.StringIO(export.figure_csv(fig)))
    assert read["series"].tolist() == table["trace"].tolist()  # (as a reader names it)
    assert pd.read_csv(io.StringIO(export.figure_csv(fig, "zh"))).columns[0] == "数据系列"
    np.testing.assert_allclose(read[["x", "y"]], table[["x", "y"]].astype(float), rtol=1e-6)


def test_the_csv_of_the_descent_has_its_path_loss_curve_and_last_line_by_name():
    fig, path, traj = _descent(47, three_d=True)
    table = export.figure_table(fig)
    assert set(table["trace"]) == {
        "path", "current (w, b)", "L", "data (40 of 40 points shown)", "current line w·x + b",
        "loss",
    }  # fmt: skip
    rows = lambda name: table[table["trace"] == name].dropna(axis=1).to_numpy()[:, 1:]  # noqa: E731
    step, *_ = table.columns[1:]  # (the map's path numbers its points by step)
    assert step == "step"
    np.testing.assert_array_equal(rows("path")[:, 0].astype(int), np.arange(len(path)))
    np.testing.assert_allclose(rows("path")[:, 1:].astype(float), path, rtol=1e-4, atol=1e-9)
    loss = rows("loss").astype(float)
    np.testing.assert_array_equal(loss[:, 0], np.arange(traj.steps + 1))
    np.testing.assert_allclose(loss[:, 1], traj.loss, rtol=1e-4)
    line = rows("current line w·x + b").astype(float)
    np.testing.assert_allclose(line[:, 1], traj.w[-1] * line[:, 0] + traj.b[-1], rtol=1e-4)
    np.testing.assert_allclose(rows("current (w, b)").astype(float), path[-1:], rtol=1e-4)


def test_a_csv_cell_that_a_spreadsheet_would_run_is_written_as_text():
    import csv

    names = ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "\tx", "plain", "a=b"]
    names += ["<b>=1+1</b>", "&#61;2+2", "x &lt; 1"]  # as plotly shows them: "=1+1", "=2+2"
    fig = go.Figure([go.Scatter(x=[-1.5, 2], y=[-3, 4e-9], name=name) for name in names])
    rows = list(csv.reader(io.StringIO(export.figure_csv(fig))))
    assert rows[0] == ["series", "x", "y"]
    cells = [row[0] for row in rows[1::2]]
    assert cells == ["'" + n for n in names[:5]] + ["plain", "a=b", "'=1+1", "'=2+2", "x < 1"]
    assert all(float(row[1]) == -1.5 and float(row[2]) == -3 for row in rows[1::2])  # numbers
    table = export.spreadsheet_safe(pd.DataFrame({"=cmd|' /C calc'!A0": ["-2+3", 5]}))
    assert list(table.columns) == ["'=cmd|' /C calc'!A0"]
    assert table.iloc[:, 0].tolist() == ["'-2+3", 5]


@pytest.mark.parametrize(
    ("w", "b", "names", "expected"),
    [
        (2.998, -2.001, ("x", "y"), "y = 2.998·x − 2.001"),
        (-0.5, 3.0, ("hours", "score"), "score = −0.5·hours + 3"),
        (1.0, 0.0, ("x", "y"), "y = 1·x + 0"),
        (1.0, -1e-5, ("a-b", "c"), "c = 1·a-b − 1e−05"),
    ],
)
def test_the_fitted_line_is_written_as_a_person_writes_it(w, b, names, expected):
    assert figures.regression.line_equation(w, b, names) == expected


def test_column_names_name_the_axes_and_cannot_add_links_or_markup():
    names = ('<a href="https://evil.example">sign in</a>', "<b>score</b> & more")
    fig = figures.data_figure(np.array([1.0, 2.0]), np.array([3.0, 5.0]), (2.0, 1.0), "en", names)
    titles = [fig.layout.xaxis.title.text, fig.layout.yaxis.title.text, fig.data[1].name]
    for text in titles:
        assert "<" not in text and ">" not in text  # shown literally, as &lt;…&gt;
    assert fig.layout.yaxis.title.text == "&lt;b&gt;score&lt;/b&gt; &amp; more"
    assert fig.layout.xaxis.title.text.startswith("&lt;a href=")


# -- #31: what the class sees in the lab and the ConvNet -----------------------------------------


def _ticks_in_view(axis, values) -> list[float]:
    """The labelled ticks of a log axis inside the data's range (what plotly shows of them)."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    return [v for v in axis.tickvals if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0.01325, 0.3618), (0.05, 0.3), (0.02, 0.08), (0.11, 0.19), (0.021, 0.024), (1e-5, 10.0)],
)
def test_the_lab_loss_axis_labels_at_least_three_ticks_inside_the_curves(lo, hi):
    # The early-stopping lesson's curves run from 0.01325 to 0.3618: one tick per decade
    # (0.01, 0.1, 1) left 0.1 alone in view.
    from playground.figures import lab

    epochs = np.arange(1, 101)
    val = np.geomspace(hi, lo, 100)[:, None]
    fig = lab.curves_figure(epochs, val, val, ["a"])
    axis = fig.layout.yaxis
    assert axis.type == "log"
    shown = _ticks_in_view(axis, val)
    assert len(shown) >= 3, (lo, hi, list(axis.tickvals))
    assert len(shown) <= 12
    labels = dict(zip(axis.tickvals, axis.ticktext, strict=True))
    assert [float(labels[v]) for v in shown] == pytest.approx(shown)  # each says its value
    assert len(set(axis.ticktext)) == len(axis.ticktext)


def test_a_flat_curve_and_error_rates_get_readable_axes_too():
    from playground.figures import lab

    flat = lab.loss_axis(np.full(10, 0.3))
    assert flat["type"] == "log" and len(flat["tickvals"]) >= 3
    lo, hi = (10**r for r in flat["range"])
    assert lo <= 0.3 <= hi and len([v for v in flat["tickvals"] if lo <= v <= hi]) >= 3
    # error rates: one linear axis from 0 % all along a run, whether or not one has reached
    # 0 % (a lesson's last frame turned a log axis linear, and every curve jumped)
    linear = {"type": "linear", "rangemode": "tozero", "tickformat": ".0%"}
    assert lab.loss_axis(np.array([0.07, 0.3]), percent=True) == linear
    assert lab.loss_axis(np.array([0.0, 0.3]), percent=True) == linear


def _baseline_and_early_stopping():
    """The early-stopping lesson's picture: the two variants train alike until early stopping
    ends one at epoch 26 (its curves stop there)."""
    epochs = np.arange(1, 201)
    val = np.exp(-epochs / 30) + 0.002 * np.maximum(epochs - 20, 0)
    train = np.exp(-epochs / 25)
    stopped = (epochs > 26)[:, None]
    val2 = np.where(stopped, np.nan, np.stack([val, val], 1))
    val2[:, 0] = val
    train2 = np.where(stopped, np.nan, np.stack([train, train], 1))
    train2[:, 0] = train
    return epochs, train2, val2


def test_coinciding_curves_both_stay_visible_and_the_legend_says_which_is_which():
    # #31: the early-stopping variant's lines, drawn over the baseline's, hid them.
    from playground.figures import lab

    epochs, train, val = _baseline_and_early_stopping()
    names = ["baseline", "early stopping"]
    fig = lab.curves_figure(epochs, train, val, names, np.array([20, 20]), np.array([-1, 26]))
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    drawn = [(tr.legendgroup, tr.line.dash, tr.line.width) for tr in lines]
    # early stopping's two lines first (under) and wider; the baseline's over them as before
    assert [g for g, _, _ in drawn] == ["1", "1", "0", "0"]
    widths = {(g, d): w for g, d, w in drawn}
    assert widths[("1", None)] >= widths[("0", None)] + 4
    assert widths[("1", "dash")] >= widths[("0", "dash")] + 3
    legend = sorted((tr.legendrank, tr.name) for tr in lines if tr.showlegend is not False)
    until = "early stopping (as baseline until epoch 26)"
    assert legend == [(1001, "baseline"), (1002, until)]
    # the marks are drawn over every line
    marks = fig.data[len(lines) :]
    assert all(tr.mode == "markers" for tr in marks)
    # and both best epochs stay visible: a fresh-eyes teacher found the baseline's ◆ hidden
    # under early stopping's at the same epoch; the wider line's mark is larger and under it
    best = [tr for tr in marks if tr.marker.symbol == "diamond" and tr.x[0] is not None]
    assert [tr.legendgroup for tr in best] == ["1", "0"]
    assert (best[0].x, best[0].y) == (best[1].x, best[1].y)  # (the same point)
    assert best[0].marker.size >= best[1].marker.size + 4
    # curves that differ keep their width, order and names
    apart = val * np.array([1.0, 1.5])
    fig = lab.curves_figure(epochs, train, apart, names)
    assert [(tr.name, tr.line.width) for tr in fig.data if tr.name] == [
        ("baseline", 2.5),
        ("early stopping", 2.5),
    ]
    assert lab.coinciding([np.ones(3), np.ones(3) * 2, np.ones(3), np.r_[1.0, np.nan, np.nan]]) == {
        2: 0,
        3: 0,
    }


def test_coinciding_fits_both_stay_visible():
    from playground import data, training
    from playground.figures import lab

    sine = data.make_task(data.TaskConfig())
    grid = training.prediction_grid(sine)
    same = np.sin(grid[:, 0])
    prediction = np.stack([same, same, 0.5 * same])  # early stopping = baseline while training
    parts = {"train": sine.train, "val": sine.val, "test": sine.test}
    names = ["baseline", "early stopping", "dropout"]
    fig = lab.fit_figure(sine.x, sine.y, parts, grid, prediction, names, 5)
    fits = [tr for tr in fig.data if tr.name and tr.name.split(" (")[0] in names]
    assert [(tr.name, tr.line.width) for tr in fits] == [
        ("early stopping (same as baseline)", 7.5),
        ("baseline", 2.5),
        ("dropout", 2.5),
    ]
    assert [tr.legendrank for tr in fits] == [1002, 1001, 1003]


def test_the_convnet_curves_show_the_loss_beside_the_error_rate():
    # #31: the few-digits lesson asks about the validation loss; the view plotted only errors.
    from playground.figures import digits

    epochs = np.arange(1, 31)
    loss = np.stack([np.abs(epochs - 10) / 10 + 0.5, np.abs(epochs - 20) / 10 + 0.4], 1)
    error = np.clip(loss / 4, 0.01, None)
    names = ["baseline", "dropout"]
    fig = digits.curves_figure(
        epochs, (error / 2, error), (loss / 2, loss), names, np.array([10, 20]), None
    )
    assert fig.layout.yaxis.title.text == "error rate" and fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis2.title.text == "cross-entropy loss"
    on_loss = [tr for tr in fig.data if tr.yaxis == "y2"]
    solid = [tr for tr in on_loss if tr.mode == "lines" and tr.line.dash is None]
    assert [tr.name for tr in solid] == names
    np.testing.assert_allclose(solid[0].y, loss[:, 0], rtol=1e-6)
    assert all(tr.showlegend is False for tr in on_loss)  # one legend, the error panel's
    marks = [(tr.x[0], round(float(tr.y[0]), 3)) for tr in on_loss if tr.mode == "markers"]
    assert marks == [(10, 0.5), (20, 0.4)]  # ◆ at each variant's lowest validation loss
    assert len(_ticks_in_view(fig.layout.yaxis2, loss)) >= 3
    checked = go.Figure(fig.to_dict())  # every property one plotly knows
    assert json.loads(checked.to_json())["data"] == json.loads(fig.to_json())["data"]
    table = export.figure_table(fig)
    assert set(table["trace"]) == set(names)
    assert set(table["panel"]) == {"error rate", "cross-entropy loss"}  # each run in both panels


def test_the_new_lab_figures_pass_plotlys_checks():
    from playground.figures import lab

    epochs, train, val = _baseline_and_early_stopping()
    for fig in (
        lab.curves_figure(epochs, train, val, ["a", "b"], None, None, "zh"),
        lab.curves_figure(epochs, train, val, ["a", "b"], percent=True),
        lab.curves_figure(epochs, train * 0 + 0.3, val * 0 + 0.3, ["a", "b"]),
    ):
        checked = go.Figure(fig.to_dict())
        assert json.loads(checked.to_json()) == json.loads(fig.to_json())
        assert json.loads(export.to_send(fig).spec)["data"] == json.loads(fig.to_json())["data"]


def test_a_lessons_averages_are_drawn_as_they_play_and_whole_at_the_end():
    from playground import ewa
    from playground.figures import ewa as ef

    x = np.r_[np.full(50, 10.0), np.full(70, 20.0)]
    curves = [(f"β={b}", ewa.ewa(x, b, 0.0)) for b in (0.5, 0.9)]
    fig = ef.averages(x, curves, "en", animate=True)
    for i, trace in enumerate(fig.data):  # (to find each line's pieces)
        trace.legendgroup = trace.legendgroup or str(i)
    groups = {tr.name: tr.legendgroup for tr in fig.data if tr.showlegend is not False}
    player = Player(fig)
    from playground.i18n import t

    lines = {"β=0.5": curves[0][1], "β=0.9": curves[1][1]}
    for f in [None, *range(len(player.frames)), 10, 0]:
        if f is not None:
            player.show(f)
        k = 0 if f is None else int(player.names[f])
        for name, values in lines.items():
            drawn = player.line(groups[name])
            np.testing.assert_allclose(drawn[:, 0], np.arange(1, k + 2))
            np.testing.assert_allclose(drawn[:, 1], values[: k + 1], rtol=1e-4)
        # the series is the question, not the answer: whole from the start (a fresh-eyes
        # teacher found the lesson's axes empty before ▶)
        series = player.line(groups[t("ewa_series", "en")])
        np.testing.assert_allclose(series[:, 1], x, rtol=1e-6)
    assert ef.averages(x, curves, "en").frames == ()  # outside a lesson: drawn whole at once


def test_a_race_for_the_projector_is_its_map_alone_and_fits_a_720_px_screen():
    from playground import landscapes
    from playground.figures import race
    from playground.optimizers import RunSpec

    land = landscapes.get("rosenbrock")
    contestants = [RunSpec.parse(text) for text in land.race]
    paths = [p.xy for p in runs.race(land, contestants, runs.RaceConfig((-1.5, 2.0), 80))]
    xs, ys = land.axes(41)
    labels = [r.label() for r in contestants]
    args = (xs, ys, land.grid(41), paths, labels, np.ones((1, 2)), np.zeros((0, 2)))
    full, alone = race.race_animation(*args), race.race_animation(*args, small=False)
    assert full.layout.height > 720 >= alone.layout.height + 80  # (with the browser's own bar)
    assert {tr.xaxis for tr in alone.data} == {"x"} and len(alone.layout.images) == 1
    player = Player(alone)
    for f in [*range(len(player.frames)), 20]:
        player.show(f)
        k = int(player.names[f])
        for r, xy in enumerate(paths):
            np.testing.assert_allclose(player.line(str(r)), xy[: k + 1], rtol=1e-4, atol=1e-9)


def test_on_a_projector_controls_above_a_map_move_up_clear_of_its_two_row_legend():
    from playground import landscapes
    from playground.figures import race

    land = landscapes.get("saddle")
    paths = [np.array([[1.0, 0.0], [0.5, 0.1]]), np.array([[1.0, 0.0], [0.4, 0.2]])]
    xs, ys = land.axes(21)
    fig = race.race_animation(
        xs, ys, land.grid(21), paths, ["a", "b"], np.zeros((0, 2)), np.zeros((0, 2)), small=False
    )
    big = export.presenter(fig)

    def above(f, control) -> float:  # px between the plot's top and the control
        plot = f.layout.height - f.layout.margin.t - f.layout.margin.b
        return (control.y - 1) * plot

    assert big.layout.margin.t == fig.layout.margin.t + 48
    for old, new in zip(fig.layout.updatemenus, big.layout.updatemenus, strict=True):
        assert above(big, new) == pytest.approx(above(fig, old) + 48)
    assert above(big, big.layout.sliders[0]) == pytest.approx(
        above(fig, fig.layout.sliders[0]) + 48
    )


# -- CSV columns, readable log axes, growing lines, titles clear of the modebar -----------------


def test_the_csv_names_its_columns_by_the_axes_each_trace_is_drawn_on():
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=4)
    fig.add_scatter(x=[0, 1, 2], y=[1.0, 0.5, 0.25], name="train", row=1, col=1)
    fig.add_scatter(x=[0, 1], y=[2.0, 1.0], name="val", row=1, col=2)
    fig.add_scatter(x=[5.5], y=[6.5], name="raw", row=1, col=3)  # untitled axes: x and y
    fig.add_scatter(x=[1.5], y=[2.5], name="both", row=1, col=4)
    fig.update_xaxes(title_text="epoch", col=1)
    fig.update_xaxes(title_text="step", col=2)
    fig.update_yaxes(title_text="<b>loss</b>", col=1)  # as shown: loss
    fig.update_yaxes(title_text="loss", col=2)  # the same title: the same column
    fig.update_xaxes(title_text="-log p", col=4)  # one trace, one title twice: told apart
    fig.update_yaxes(title_text="-log p", col=4)
    assert export.figure_csv(fig).splitlines() == [
        "series,epoch,loss,step,x,y,'-log p (x),'-log p (y)",
        "train,0,1.0,,,,,",
        "train,1,0.5,,,,,",
        "train,2,0.25,,,,,",
        "val,,2.0,0,,,,",
        "val,,1.0,1,,,,",
        "raw,,,,5.5,6.5,,",
        "both,,,,,,1.5,2.5",
    ]


def test_the_csv_of_an_animation_names_its_columns_in_the_figures_language():
    from playground.figures import race
    from playground.i18n import t

    fig, _, _ = _descent(20, three_d=True)
    table = export.figure_table(fig)  # panels: map (w, b), 3-D (w, b, L), fit (x, y), loss
    assert list(table.columns) == ["trace", "step", "w", "b", "L", "x", "y", "loss"]
    loss = table[table["trace"] == "loss"]
    assert loss[["w", "b", "L", "x", "y"]].isna().all().all()
    assert loss["step"].tolist() == list(range(21))  # whole numbers, written 0, 1, 2…
    zh = race.curves([np.array([3.0, 2.0, 1.0])], ["a"], "gap", "间隙", lang="zh")
    assert list(export.figure_table(zh).columns) == ["trace", t("axis_step", "zh"), "间隙"]


def test_a_log_axis_over_less_than_two_decades_labels_at_least_three_ticks_inside_it():
    for lo, hi in ((0.3, 2.0), (0.6, 0.9), (1.2, 9.0), (0.0021, 0.0095)):
        axis = common.log_axis(np.geomspace(lo, hi, 30))
        ticks = axis["tickvals"]
        assert axis["type"] == "log" and len(ticks) >= 3, (lo, hi, ticks)
        assert all(lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9) for v in ticks), (lo, hi, ticks)
        assert [float(text) for text in axis["ticktext"]] == pytest.approx(ticks)
        assert not any("e" in text for text in axis["ticktext"])  # 0.002, not 2e-03
    assert common.log_axis(np.array([0.3, 2.0]))["ticktext"] == ["0.5", "1", "2"]
    wide = common.log_axis(np.array([0.001, 1000.0]))  # one tick per decade
    assert wide["ticktext"] == ["0.001", "0.01", "0.1", "1", "10", "100", "1000"]
    tiny = common.log_axis(np.array([1e-7, 1e-5]))
    assert tiny["ticktext"][0] == "1e-7" and "1e-5" in tiny["ticktext"]  # (not 1e-07)


@pytest.mark.parametrize(("lo", "hi"), [(0.06, 0.17), (0.013, 0.36), (0.3, 2.0), (1.2, 9.0)])
def test_no_end_of_a_log_axis_is_left_without_a_label(lo, hi):
    # the fresh-eyes teacher: the line between two runs (0.06 to 0.17) was labelled from 0.06
    # to 0.1 only, the upper 40 % of the axis bare
    ticks = common.log_axis(np.array([lo, hi]))["tickvals"]
    span = np.log10(hi / lo)
    ends = np.log10(min(ticks) / lo), np.log10(hi / max(ticks))  # bare below and above
    assert max(ends) <= 0.35 * span, ticks


def test_the_race_and_from_scratch_loss_axes_get_readable_ticks():
    from playground.figures import race
    from playground.figures import scratch as sf

    loss = np.geomspace(2.0, 0.3, 50)
    for fig in (
        race.curves([loss, loss * 1.1], ["a", "b"], "loss", "L"),
        sf.loss_figure({"a": loss, "b": loss * 0.9}),
    ):
        shown = _ticks_in_view(fig.layout.yaxis, np.r_[loss * 0.9, loss * 1.1])
        assert len(shown) >= 3, list(fig.layout.yaxis.tickvals)


def test_a_growing_line_follows_the_traces_before_it_with_only_its_tip_in_the_legend():
    data = [{"type": "scatter", "name": "before"}]
    style = {"type": "scatter", "name": "path", "xaxis": "x2", "line": {"color": "red"}}
    xs, ys = np.arange(49.0), np.arange(49.0) ** 2
    updates = common.add_growing(data, [xs, ys], np.array([0, 10, 48]), style)
    lines = data[1:]
    assert len(lines) == common.PIECES + 1  # the pieces, then the tip
    assert all(tr["name"] == "path" and tr["xaxis"] == "x2" for tr in lines)
    assert [tr["showlegend"] for tr in lines] == [False] * common.PIECES + [True]
    assert len(updates) == 3 and min(i for frame in updates for i in frame) >= 1
    tip = updates[-1][len(data) - 1]  # at step 48, the tip ends at the last point
    assert tip["x"][-1] == 48 and tip["y"][-1] == 48**2
    hidden = {**style, "showlegend": False}
    common.add_growing(data, [xs, ys], np.array([0]), hidden)
    assert not any(tr["showlegend"] for tr in data[len(lines) + 1 :])


def _titled_figures() -> dict[str, go.Figure]:
    """Every figure of this library with a title, from the builders that place it
    (common.titled)."""
    from playground.figures import ewa as ef
    from playground.figures import race

    figs = {**_spec_built_figures(), **_other_figures()}
    x, v = np.arange(40.0), np.arange(40.0) / 2
    figs["ewa lesson"] = ef.averages(x, [("β", v)], animate=True)
    figs["weights"] = ef.weights_figure([0.9], 20)
    figs["contour"] = figures.surface_contour(
        Grid(-1.0, 1.0, 0.0, 2.0, 21), np.ones((21, 21)), "L", (0.0, 1.0)
    )
    label = np.zeros((5, 5), dtype=int)
    figs["basin"] = race.basin_figure(np.arange(5.0), np.arange(5.0), label, np.zeros((1, 2)))
    untitled = ("race map", "ewa bias", "ewa build-up", "descent", "descent with 3-D")
    untitled += (
        "descent on a projector",
        "landscape sharpness",
        "landscape plane",
        "race schedule",
    )
    other = ("digits", "plotly's frames", "training grid")  # (not placed by these builders)
    return {k: f for k, f in figs.items() if k not in untitled + other}


MODEBAR_BOTTOM = 24  # px: plotly.js's CSS puts the modebar at top: 2px, its buttons 22 px high


@pytest.mark.parametrize("name", list(_titled_figures()))
def test_a_long_title_is_left_aligned_under_the_modebar_not_under_its_buttons(name):
    fig = _titled_figures()[name]
    for f, size in ((fig, 16), (export.presenter(fig), 24)):  # the theme's and a projector's
        title = f.layout.title
        assert title.text and (title.x, title.xanchor, title.xref) == (0, "left", "container")
        assert (title.y, title.yanchor, title.yref) == (1, "top", "container")
        assert title.pad.t >= MODEBAR_BOTTOM  # the title's top under the modebar's buttons
        assert f.layout.margin.t >= title.pad.t + 1.2 * size  # a line of it above the plot


def test_the_confusion_matrix_shows_classes_0_to_9_at_any_size():
    # a fresh-eyes teacher saw predicted classes -1 and 10 in presenter mode: square cells were
    # kept by widening the axes' range (plotly's default), not by shrinking the plot area
    from playground.figures import digits as df

    fig = df.confusion_figure(np.eye(10, dtype=int) * 3, "baseline")
    for f in (fig, export.presenter(fig)):
        x, y = f.layout.xaxis, f.layout.yaxis
        assert tuple(x.range) == (-0.5, 9.5) and tuple(y.range) == (9.5, -0.5)
        assert x.constrain == y.constrain == "domain" and y.scaleanchor == "x"


# -- #31, fresh eyes: PNGs in the shape the student sees, CSVs named by run ---------------------


def _shown_figures() -> dict[str, go.Figure]:
    """The figures whose PNG a fresh-eyes teacher found forced to 16:9."""
    from playground.figures import scratch as sf

    figs = {**_spec_built_figures(), **_other_figures()}
    series = np.random.default_rng(0).normal(0, 3, 300)
    return {
        "ewa averages": figs["ewa averages"],
        "ewa build-up": figs["ewa build-up"],
        "from scratch": sf.fits_figure(series[:30], series[:30] / 2, {"a": series[:30]}),
        "3-D surface": figs["surface 3-D"],
        "race 3-D": figs["race 3-D"],
        # its contour map of w and b was drawn at equal units: 2 : 1 where the page had 1.1 : 1
        "descent": _descent(30)[0],
    }


@pytest.mark.parametrize("name", list(_shown_figures()))
def test_a_png_has_the_shape_the_student_sees_not_a_slides(monkeypatch, name):
    fig = _shown_figures()[name]
    drawn, width, height = _kaleido_gets(monkeypatch, fig)
    # its own height, not 720: its plot as high as on the page, and under it only the room its
    # legend takes at this width (the page gives up the rest once drawn: pages/chart.js)
    # (an animation's: with the room of its play controls, which the picture leaves out)
    controls = 0 if not fig.layout.sliders else export._margin(fig, "b") - export.AXIS_ROOM
    assert _plot_height(fig) <= _plot_height(drawn) <= _plot_height(fig) + max(controls, 1)
    assert height <= fig.layout.height + 60
    assert width == export.SHOWN_WIDTH  # as wide as the page's main column (not 1280 × 720)
    half = export.still(fig, shown_width=480)  # a figure in the left of two columns
    assert half.width == 480
    assert _plot_height(fig) <= _plot_height(half.figure) <= _plot_height(fig) + max(controls, 1)


def _plot_height(fig: go.Figure) -> float:
    return fig.layout.height - export._margin(fig, "t") - export._margin(fig, "b")


def test_a_long_legend_in_a_png_or_on_a_projector_is_in_columns_with_no_blank_band():
    # a fresh-eyes teacher: the lab fit's PNG had its legend in one column (plotly.js makes
    # every column as wide as the widest entry) and a blank band under it
    from playground import data, training
    from playground.figures import lab

    sine = data.make_task(data.TaskConfig())
    grid = training.prediction_grid(sine)
    prediction = np.stack([np.sin(grid[:, 0]) * k for k in (1.0, 0.9, 0.8, 0.7)])
    parts = {"train": sine.train, "val": sine.val, "test": sine.test}
    names = ["Baseline", "Dropout", "Early stopping (best: epoch 16)", "Weight decay"]
    fig = lab.fit_figure(sine.x, sine.y, parts, grid, prediction, names, 5)
    for copy, size, width in (
        (export.still(fig, shown_width=480).figure, 12, 480),
        (export.presenter(fig, width=export.presenter_width(0.5)), 18, 530),
    ):
        legend = copy.layout.legend
        room = (width - copy.layout.margin.l - copy.layout.margin.r) / 2 - 40
        # two columns: plotly.js puts an entry after one of 40 + entrywidth + 5 px if it fits,
        # also with a plot a few px narrower (plotly.js's automargin for wider tick labels)
        assert legend.entrywidthmode in (None, "pixels") and room - 20 <= legend.entrywidth
        assert 2 * (40 + legend.entrywidth + 5) <= 2 * (room + 40) - 12
        assert legend.maxheight == 1  # (its margin holds it: no scroll bar)
        for trace in copy.data:  # each entry's lines fit its column
            for line in str(trace.name).split("<br>"):
                assert len(line) * size / 2 <= room, line
        legend_top = -legend.y * (copy.layout.height - copy.layout.margin.t - copy.layout.margin.b)
        rows = 4 + 1  # 8 entries in two columns; the long one on two lines
        below = copy.layout.margin.b - legend_top  # px from the legend's top to the bottom
        assert below <= rows * 1.5 * size + 4 * 14 + 20  # no blank band under it
    # the room the legend no longer needs is given up, as the page does once drawn; the plot
    # keeps its height
    assert _plot_height(export.still(fig, shown_width=480).figure) == _plot_height(fig)


def test_a_pngs_legend_under_the_plot_is_below_the_x_axis_title():
    # the fresh-eyes teacher: in the lab's loss PNG, "epoch" sat on the legend's first row
    from playground.figures import lab

    epochs = np.arange(1, 301)
    curves = np.exp(-epochs / 80)[:, None] * np.array([1.0, 1.1, 1.2, 1.3])
    names = ["Baseline", "Dropout", "Early stopping", "Weight decay"]
    fig = lab.curves_figure(epochs, curves, curves * 1.5, names, None, np.full(4, -1))
    still = export.still(fig, shown_width=400).figure
    plot = still.layout.height - still.layout.margin.t - still.layout.margin.b
    legend_top = -still.layout.legend.y * plot  # px under the plot
    font = still.layout.font.size or 12
    # tick labels, the standoff and the title (14+ px) above the legend's first row
    assert legend_top >= font + 6 + legend.X_STANDOFF + legend.LINE * (font + 2)
    assert still.layout.legend.yanchor == "top"


def test_a_png_of_an_animation_shows_every_line_whole_at_its_last_frame():
    """A PNG shows the last frame: right only if that frame holds every line in full."""
    from playground import ewa
    from playground.figures import ewa as ef

    x = np.random.default_rng(0).normal(0, 3, 120)
    v = ewa.ewa(x, 0.9, 0.0)
    shown = _shown(export.still(ef.build_animation(x, v, 0.9)).figure)
    average = next(tr for tr in shown.traces if tr.get("name", "").startswith("average so far"))
    np.testing.assert_allclose(average["y"], v, rtol=1e-3, atol=1e-3)
    np.testing.assert_array_equal(average["x"], np.arange(1, len(x) + 1))
    # (the lesson's averages: test_a_lessons_averages_are_drawn_as_they_play_and_whole_at_the_end)
    fig, path, _ = _descent(47, three_d=True)
    still = export.still(fig).figure
    path3d = [tr for tr in still.data if tr.type == "scatter3d" and tr.mode == "lines"]
    assert path3d
    points = np.concatenate([np.column_stack([tr.x, tr.y]) for tr in path3d if tr.opacity != 0])
    for step in path:  # every step of the path is on the 3-D line at the end
        assert np.min(np.abs(points - step.astype(np.float32)).sum(axis=1)) < 1e-3


def test_the_csv_names_each_curve_by_its_run_and_tells_its_curves_and_panels_apart():
    # #31: "Baseline (dashed) (2)": a name made of styling text and a counter.
    from playground.figures import digits as df
    from playground.figures import lab

    epochs = np.arange(1, 11)
    train = np.stack([np.linspace(1, 0.1, 10), np.linspace(1, 0.3, 10)], axis=1)
    val = train + 0.1
    names = ["Baseline", "Dropout"]
    table = export.figure_table(lab.curves_figure(epochs, train, val, names))
    assert set(table["trace"]) == set(names)
    curve = table.columns[1]
    assert curve == "curve" and set(table[curve]) == {"training", "validation"}
    for v, name in enumerate(names):
        for split, values in (("training", train), ("validation", val)):
            rows = table[(table["trace"] == name) & (table[curve] == split)]
            np.testing.assert_allclose(rows["loss"].astype(float), values[:, v], rtol=1e-6)
    fig = df.curves_figure(epochs, (train, val), (2 * train, 2 * val), names, lang="zh")
    table = export.figure_table(fig, "zh")
    assert set(table["trace"]) == set(names)  # no "(dashed)", no "(2)", no "· loss"
    assert list(table.columns[:3]) == ["trace", "面板", "曲线"]
    panels = {fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text}
    assert set(table["面板"]) == panels
    rows = table[(table["trace"] == "Dropout") & (table["面板"] == fig.layout.yaxis2.title.text)]
    rows = rows[rows["曲线"] == "训练"]
    np.testing.assert_allclose(rows[fig.layout.yaxis2.title.text], 2 * train[:, 1], rtol=1e-6)


@pytest.mark.parametrize("name", SPEC_BUILT + list(_other_figures()))
def test_no_csv_name_is_styling_text_or_a_counter(name):
    fig = {**_spec_built_figures(), **_other_figures()}[name]
    for trace in export.figure_table(fig)["trace"].unique():
        assert not re.search(r"\((2|3|dashed|dotted|wide[^)]*)\)$", str(trace)), trace


def test_a_run_stopped_early_on_a_long_axis_is_marked_where_it_stopped():
    # #31: early stopping at epoch ~40 of 1,000 was a short stroke at the axis's left end.
    from playground.figures import lab

    epochs = np.arange(1, 1001)
    val = np.stack([1 + 1e-3 * epochs, 1 + 1e-3 * epochs], axis=1)
    val[40:, 1] = np.nan  # early stopping stopped at epoch 40
    fig = lab.curves_figure(
        epochs, val / 2, val, ["Baseline", "Early stopping"], None, np.array([0, 40]), "zh"
    )
    (line,) = [s for s in fig.layout.shapes if s.type == "line"]
    assert line.x0 == line.x1 == 40 and line.xref == "x"
    assert (line.yref, line.y0, line.y1) == ("paper", 0, 1)  # the whole height of the plot
    stopped = next(tr for tr in fig.data if (tr.meta or {}).get("run") == "Early stopping")
    assert line.line.color == stopped.line.color  # in the run's colour
    (note,) = [a for a in fig.layout.annotations if a.xref == "x"]
    assert note.x == 40 and "40" in note.text and "Early stopping" in note.text
    assert not re.search("[A-Za-z]{3,}", note.text.replace("Early stopping", ""))  # in 中文
    (end,) = [
        tr for tr in fig.data if tr.mode == "markers" and tr.marker.symbol == "square" and tr.x[0]
    ]
    assert (end.x[0], end.y[0]) == (40, pytest.approx(val[39, 1]))  # ■ at the curve's end
    plain = lab.curves_figure(epochs, val / 2, val, ["a", "b"], None, np.array([0, 0]))
    assert not plain.layout.shapes  # nothing where nothing stopped


def test_a_stop_line_near_the_right_end_of_the_drawn_epochs_is_labelled_to_its_left():
    # a fresh-eyes teacher, while a lesson trained: "Early stopping: stopped at e…" cut off at
    # the chart's right edge (stopped at epoch 26 with 30 epochs drawn so far)
    from playground.figures import lab

    epochs = np.arange(1, 31)
    val = np.stack([1 + 1e-3 * epochs, 1 + 1e-3 * epochs], axis=1)
    val[26:, 1] = np.nan
    fig = lab.curves_figure(
        epochs, val / 2, val, ["Baseline", "Early stopping"], None, np.array([0, 26]), "en"
    )
    (note,) = [a for a in fig.layout.annotations if a.xref == "x"]
    assert note.x == 26 and note.xanchor == "right"  # (its text ends at the line)
    val[5:, 1] = np.nan
    fig = lab.curves_figure(
        epochs, val / 2, val, ["Baseline", "Early stopping"], None, np.array([0, 5]), "en"
    )
    (note,) = [a for a in fig.layout.annotations if a.xref == "x"]
    assert note.xanchor == "left"  # (near the left end: its text starts at the line)


def _lr_too_large(three_d: bool = False):
    """The lr_too_large lesson's descent: the classic data, lr = 0.2, 200 steps asked for."""
    from playground import data

    ds = data.classic()
    grid = Grid(-1.0, 5.0, -3.0, 3.0, 41)
    config = runs.DescentConfig("mse", 0.2, 200, 0.0, 0.0, 0)
    traj = runs.gradient_descent(ds.x, ds.y, config)
    z = surfaces.mse_surface(ds.x, ds.y, grid)
    fig = figures.descent_animation(
        grid, z, traj.w, traj.b, traj.loss, ds.x, ds.y, three_d=three_d, steps_asked=200
    )
    return fig, traj, grid


def _loss_axis_key(fig) -> str:
    ref = next(tr.yaxis for tr in fig.data if tr.name == "loss")
    return f"yaxis{ref[1:]}"


@pytest.mark.parametrize("three_d", [False, True])
def test_a_diverging_descent_gives_nothing_away_before_it_plays(three_d):
    # #31: before ▶ the loss axis reached 1e9 and the scrubber ended at 46 of 200 steps.
    fig, traj, grid = _lr_too_large(three_d)
    assert traj.diverged_at is not None and len(traj.loss) < 100  # (the run stopped early)
    slider = fig.layout.sliders[0]
    assert slider.steps[-1].label == "200"  # the steps asked for, not where it stopped
    key = _loss_axis_key(fig)
    axis = fig.layout[key]
    assert axis.type == "log" and 10 ** axis.range[1] < 10 * traj.loss[0]  # fits step 0 only
    frames = json.loads(fig.to_json())["frames"]
    ranges, current = [], list(axis.range)
    for frame in frames:  # ▶: the axis grows with the curve drawn so far, never ahead of it
        current = frame.get("layout", {}).get(key, {}).get("range", current)
        ranges.append(current)
        k = min(int(frame["name"]), len(traj.loss) - 1)
        top = float(np.max(traj.loss[: k + 1]))
        # (whole decades, with a twentieth of the curve's span, or of a decade, to spare)
        span = np.log10(top) - np.log10(float(np.min(traj.loss[: k + 1])))
        assert top <= 10 ** current[1] <= 10 ** (1 + max(0.05, 0.05 * span)) * top, frame["name"]
    assert 10 ** ranges[-1][1] >= traj.loss.max()  # and at the end it holds all of it
    # the data panel's range: the data's and the start line's (the diverging lines made it
    # -10…15 before ▶, where a converging run's is 0…6: a fresh-eyes teacher's hint)
    from playground import data

    points = next(tr for tr in fig.data if (tr.name or "").startswith("data"))
    fit_key = f"yaxis{points.yaxis[1:]}"
    low, high = fig.layout[fit_key].range
    y = data.classic().y
    assert min(y.min(), 0.0) - 0.1 * np.ptp(y) <= low and high <= y.max() + 0.1 * np.ptp(y)
    # the path leaves the map: the map keeps its window, and a note on its edge says when
    contour = fig.layout["xaxis"], fig.layout["yaxis"]
    assert list(contour[0].range) == [grid.w_min, grid.w_max]
    assert list(contour[1].range) == [grid.b_min, grid.b_max]
    path = np.column_stack([traj.w, traj.b])
    out = int(np.argmax((path[:, 0] > grid.w_max) | (path[:, 0] < grid.w_min)
                        | (path[:, 1] > grid.b_max) | (path[:, 1] < grid.b_min)))  # fmt: skip
    still = export.still(fig).figure
    notes = {tr.xaxis: tr for tr in still.data if getattr(tr, "mode", None) == "markers+text"}
    edge = notes["x"]
    assert f"step {out}" in edge.text[0]
    on_edge = (
        np.isclose(edge.x[0], [grid.w_min, grid.w_max]).any()
        or np.isclose(edge.y[0], [grid.b_min, grid.b_max]).any()
    )
    assert on_edge and grid.w_min <= edge.x[0] <= grid.w_max
    assert grid.b_min <= edge.y[0] <= grid.b_max
    diverged = next(tr for ref, tr in notes.items() if ref != "x")
    assert f"step {traj.diverged_at}" in diverged.text[0]
    player = Player(fig)
    assert all(not player.traces[i].get("text") for i, tr in enumerate(fig.data)
               if getattr(tr, "mode", None) == "markers+text")  # fmt: skip  # (none before ▶)
    # on the map the path ends where it left it (its later steps crossed the map back and
    # forth as a band of zigzags); the loss panel goes on to the end
    for f in range(len(player.frames)):
        player.show(f)
        k = min(int(player.names[f]), len(path) - 1, out)
        np.testing.assert_allclose(player.line("path"), path[: k + 1], rtol=1e-4, atol=1e-9)
    assert len(player.line("loss")) == len(traj.loss)


def test_a_convnets_image_csv_names_each_pixel_by_its_image_row_and_column():
    # the kernels', feature maps' and galleries' CSVs were the mosaic's raw grid: x, y, z of
    # one big picture with NaN gaps, no telling which kernel or digit a pixel belongs to
    rng = np.random.default_rng(3)
    kernels = rng.normal(size=(3, 6, 5, 5)).astype(np.float32)  # (E, K, k, k)
    table = export.figure_table(digits.kernels_figure(kernels, [1, 2, 3], "Baseline"))
    assert list(table.columns) == ["trace", "kernel", "row", "column", "value"]
    assert len(table) == 6 * 5 * 5 and table["value"].notna().all()
    assert set(table["trace"]) == {"Baseline"}  # (the variant, not the figure's whole title)
    for _, px in table.sample(20, random_state=0).iterrows():  # the last epoch's kernels
        want = kernels[-1, int(px["kernel"]) - 1, px["row"], px["column"]]
        assert px["value"] == pytest.approx(float(want), abs=1e-6)

    images = rng.uniform(size=(10, 8, 8)).astype(np.float32)  # two rows of the gallery
    true, pred = np.arange(10), (np.arange(10) + 1) % 10
    table = export.figure_table(digits.misclassified_figure(images, true, pred, "zh"), "zh")
    column = t("csv_true_predicted", "zh")
    assert list(table.columns) == ["trace", column, "行", "列", "值"]
    assert len(table) == 10 * 8 * 8
    for i in (0, 7, 9):
        one = table[table[column] == f"{true[i]} → {pred[i]}"]
        grid = np.zeros((8, 8))
        grid[one["行"], one["列"]] = one["值"]
        np.testing.assert_allclose(grid, images[i], atol=1e-6)

    maps = export.figure_table(
        digits.maps_figure(images[0], rng.uniform(size=(6, 8, 8)), rng.uniform(size=(16, 4, 4)))
    )
    sizes = maps.groupby("trace").size().to_dict()
    assert sorted(sizes.values()) == [64, 16 * 4 * 4, 6 * 8 * 8]


@pytest.mark.parametrize("task", ["sine", "moons"])
def test_the_labs_data_before_training_shows_every_point_of_every_split(task):
    # the lab was an empty page until Train (a fresh-eyes teacher: "show me the data first")
    from playground import data
    from playground.figures import lab as lf

    split = data.make_task(data.TaskConfig(task=task))
    parts = {"train": split.train, "val": split.val, "test": split.test}
    fig = lf.data_figure(split.x, split.y, parts, split.classes, "en", truth=task == "sine")
    shown = export.figure_table(fig)
    points = shown[shown["trace"] != t("lab_truth", "en")]
    assert len(points) == len(split.x)  # each point once, none left out
    if split.classes:
        got = np.sort(points[["x₁", "x₂"]].to_numpy(dtype=float), axis=0)  # (axis titles)
        np.testing.assert_allclose(got, np.sort(split.x.astype(np.float32), axis=0), rtol=1e-6)
    else:
        np.testing.assert_allclose(np.sort(points["y"]), np.sort(split.y), atol=1e-5)


def test_the_lab_curves_mark_the_epoch_being_replayed():
    from playground.figures import lab

    epochs = np.arange(1, 101)
    curves = np.exp(-epochs / 30)[:, None] * np.array([1.0, 1.2])
    plain = lab.curves_figure(epochs, curves, 1.5 * curves, ["a", "b"], None, None, "zh")
    assert not plain.layout.shapes
    fig = lab.curves_figure(epochs, curves, 1.5 * curves, ["a", "b"], None, None, "zh", marked=40)
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.yref) == (40, 40, "paper")
    assert any(a.text == "回放：第 40 轮" for a in fig.layout.annotations)


def test_the_network_pictures_csv_holds_its_weights_not_where_their_markers_are():
    # a fresh-eyes teacher got 20 rows of marker positions (0.333, 0.833) named "weights"
    from playground import inside
    from playground.figures import inside as fi

    spec = inside.NetSpec(hidden=(3, 2), activations=("tanh", "relu"))
    model = inside.build(spec)
    weights = inside.weights_of(inside.state_of(model), spec)
    maps = inside.node_maps(model, spec, 12)
    table = export.figure_table(fi.network_figure(spec.sizes, weights, maps, ["a", "b"]))
    rows = table[table["trace"] == "weights"]
    expected = [
        (k + 1, j + 1, i + 1, float(w[i, j]))
        for k, w in enumerate(weights)
        for i in range(w.shape[0])
        for j in range(w.shape[1])
    ]
    got = rows[["weights of layer (1 = from the inputs)", "from neuron", "to neuron", "weight"]]
    found = sorted(map(tuple, got.itertuples(index=False)))
    assert [r[:3] for r in found] == [r[:3] for r in sorted(expected)]
    np.testing.assert_allclose([r[3] for r in found], [r[3] for r in sorted(expected)], rtol=1e-4)


def test_a_stability_bound_above_the_sharpness_chart_is_named_at_its_top():
    # a fresh-eyes teacher missed run 2's 2/η = 80: its line was out of sight, unexplained
    from playground.figures import landscape as lf

    epochs = np.arange(1, 11)
    sharp = np.column_stack([np.linspace(1, 7, 10), np.linspace(1, 3, 10)])  # (E, R)
    loss = np.ones((10, 2))
    fig = lf.sharpness_figure(epochs, loss, sharp, [8.0, 80.0], ["1. SGD", "2. SGD"], "en")
    assert fig.layout.yaxis2.range[1] < 80
    notes = [a.text for a in fig.layout.annotations if "above the chart" in (a.text or "")]
    assert notes == ["↑ 2/η of 2. SGD = 80, above the chart"]
    # a later one: on a projector, the label of the line at 8, the chart's top, lay under
    # it; the lines and their labels now end under a band where the note is
    top = fig.layout.yaxis2.range[1]
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b  # (the plot's height)
    label_px = 18  # (a line's label over it, at a projector's font; the note's line below it)
    assert (top - 8.0) / top * plot_px >= 2 * label_px


def test_the_confusion_matrix_csv_has_a_row_a_cell_with_its_count_and_zeros():
    # a fresh-eyes teacher got a column "z" with its zeros blank (the picture leaves them white)
    from playground.figures import digits

    matrix = np.random.default_rng(0).integers(0, 4, (10, 10)) * (
        np.random.default_rng(1).random((10, 10)) < 0.3
    )
    np.fill_diagonal(matrix, 30)
    table = export.figure_table(digits.confusion_figure(matrix, "Baseline"))
    assert list(table.columns) == ["trace", "true class", "predicted class", "count"]
    assert len(table) == 100 and (table["trace"] == "Baseline").all()
    for row in table.itertuples(index=False):
        assert row[3] == matrix[row[1], row[2]]  # (row = true class, column = predicted)
    assert (table["count"] == 0).sum() == (matrix == 0).sum() > 0


def test_two_maps_side_by_side_share_their_columns_in_the_csv():
    # the landscape's slice titles only the left map's y axis: the right map's rows went to a
    # column "y" of their own, empty beside "PC2"
    fig = _landscape_figures()["landscape plane"]
    table = export.figure_table(fig)
    assert list(table.columns) == ["trace", "curve", "PC1", "PC2"]
    assert table[["PC1", "PC2"]].notna().all().all()
    paths = table[table["curve"] == "path"]
    assert sorted(paths["trace"].unique()) == ["1. SGD η=0.25", "2. SGD η=0.025"]


def test_a_png_of_the_network_leaves_out_the_dots_that_pick_a_weight_and_its_csv_keeps_them():
    # a fresh-eyes teacher's slide of Inside had a grey dot on every edge
    fig = _inside_figures()["inside network"]
    dots = [tr for tr in fig.data if tr.hovertemplate and "weight" in tr.hovertemplate.lower()]
    assert len(dots) == 1 and dots[0].visible is not False  # (on the page, to click)
    picture = export.still(fig).figure
    (drawn,) = [tr for tr in picture.data if tr.hovertemplate == dots[0].hovertemplate]
    assert drawn.visible is False
    assert len(picture.data) == len(fig.data)  # (nothing else left out)
    assert sum(tr.visible is False for tr in picture.data) == 1 + sum(
        tr.visible is False for tr in fig.data
    )
    assert "weight" in export.figure_table(fig).columns


def test_a_diverging_runs_loss_axis_keeps_its_start_and_its_end_off_the_edges():
    # a fresh-eyes teacher: at the lesson's last frame the loss axis ran from 1e1.2 to 1e9, the
    # start at its bottom edge and the divergence marker at its top, under the panel's title
    x = np.array([1.0, 2.0, 3.0])
    y = 2.0 * x
    grid = Grid(-1.0, 5.0, -3.0, 3.0, 41)
    traj = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.2, 100))
    assert traj.diverged_at is not None
    fig = figures.descent_animation(
        grid, surfaces.mse_surface(x, y, grid), traj.w, traj.b, traj.loss, x, y
    )
    layout = export.final_state(fig)["layout"]
    (axis,) = [a for k, a in layout.items() if k.startswith("yaxis") and a.get("type") == "log"]
    lo, hi = axis["range"]
    seen = np.log10(traj.loss[np.isfinite(traj.loss)])
    span = seen.max() - seen.min()
    assert lo <= seen.min() - 0.04 * span and hi >= seen.max() + 0.04 * span, (lo, hi)


def test_a_curve_cut_where_early_stopping_ended_it_has_no_empty_rows_in_the_csv():
    # a fresh-eyes teacher's lab_curves.csv: rows of NaN for early stopping after it stopped
    from playground.figures import lab

    epochs = np.arange(1, 101)
    train = np.exp(-epochs / 30)[:, None] * np.array([1.0, 1.2])
    val = train * 1.5
    train[40:, 1] = val[40:, 1] = np.nan  # (variant 2 stopped at epoch 40)
    fig = lab.curves_figure(epochs, train, val, ["Baseline", "Early stopping"], None, [-1, 40])
    table = export.figure_table(fig)
    values = [c for c in table.columns if c not in ("trace", "curve")]
    stopped = table[table["trace"] == "Early stopping"]
    assert len(stopped) == 2 * 40 and stopped[values].notna().all().all()
    assert len(table[table["trace"] == "Baseline"]) == 2 * 100


def test_each_stability_bound_line_names_its_value_and_every_run_it_is_the_bound_of():
    # a fresh-eyes teacher saw one dashed line for runs 1 and 3 (the same η): the other's hidden
    from playground.figures import landscape as lf

    epochs = np.arange(1, 21)
    loss = np.full((20, 3), 0.5)
    sharp = np.full((20, 3), 5.0)
    fig = lf.sharpness_figure(epochs, loss, sharp, [8.0, 80.0, 8.0], ["1. a", "2. b", "3. c"])
    said = [a.text for a in fig.layout.annotations if a.text and a.text.startswith("2/η =")]
    assert said == ["2/η = 8 (runs 1, 3)"]  # (80 is above the chart: said at its top)
    assert any("80" in a.text and "above" in a.text for a in fig.layout.annotations)
    # and it is drawn, and said, in none of their colours ("runs 1, 3" in run 3's green read
    # as run 3's alone); a bound of one run keeps that run's colour
    from playground.figures.race import colour

    (note,) = [a for a in fig.layout.annotations if a.text == said[0]]
    lines = {tr.name: tr.line.color for tr in fig.data if tr.line.dash == "dash"}
    shared = {lines[t("ll_bound", "en", name=n)] for n in ("1. a", "3. c")}
    assert shared == {note.font.color} and not shared & {colour(0), colour(2)}
    assert lines[t("ll_bound", "en", name="2. b")] == colour(1)


def test_a_picture_of_an_animation_says_which_step_it_shows():
    # a fresh-eyes teacher: without the scrubber, a PNG of step 40 and one of the end looked
    # alike. The step is the one the scrubber shows for that frame, with its word ("step").
    figs = _spec_built_figures()
    for name in ("race map", "descent"):
        fig = figs[name]
        (slider,) = fig.layout.sliders
        prefix = slider.currentvalue.prefix.strip()
        middle, last = slider.steps[len(slider.steps) // 2], slider.steps[-1]
        for frame, step in ((middle.args[0][0], middle), (None, last)):
            still = export.still(fig, frame=frame).figure
            assert still.layout.title.text.endswith(f"{prefix} {step.label}"), name
        still = export.still(fig).figure  # the picture keeps the figure's height
        assert still.layout.height == fig.layout.height


def test_the_descent_animations_map_marks_the_minimum_through_every_frame():
    # a fresh-eyes teacher: "will it stop at the minimum?" asks a lesson, and the animated
    # map had no ★ (only the static surfaces did)
    from playground.figures import regression

    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])  # y = 2x: the minimum (2, 0)
    window = Grid(0.0, 4.0, -2.0, 2.0, 31)
    path = runs.gradient_descent(x, y, runs.DescentConfig("mse", 0.05, 60, 0.0, 0.0, 0, 0))
    z = surfaces.mse_surface(x, y, window)
    fig = regression.descent_animation(
        window, z, path.w, path.b, path.loss, x, y, minimum=(2.0, 0.0), three_d=False
    )
    first = fig.frames[0].name if fig.frames else fig._plain_frames[0]["name"]
    for state in (export.final_state(fig, first), export.final_state(fig)):
        data = state["data"]
        (star,) = [tr for tr in data if (tr.get("marker") or {}).get("symbol") == "star"]
        assert list(star["x"]) == [2.0] and list(star["y"]) == [0.0]
        assert star["name"] == "minimum"
        walked, *_ = [tr for tr in data if tr.get("name") == "path"]  # (pieces of the path)
        assert (star.get("xaxis"), star.get("yaxis")) == (walked.get("xaxis"), walked.get("yaxis"))


def test_a_maps_csv_names_its_values_as_its_colour_bar_does():
    # a fresh-eyes teacher: the contour map's CSV had a "z" column where the figure says "loss"
    from playground.figures import regression

    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    grid = Grid(0.0, 4.0, -2.0, 2.0, 11)
    fig = regression.surface_contour(grid, surfaces.mse_surface(x, y, grid), "MSE", (2.0, 0.0))
    (bar,) = [tr.colorbar.title.text for tr in fig.data if tr.type == "contour"]
    table = export.figure_table(fig)
    assert bar and bar in table.columns and "z" not in table.columns
    assert table[bar].notna().sum() == 11 * 11  # (every point of the map)


def test_a_variant_keeps_its_colour_whichever_other_variants_are_on():
    # A teacher turned the baseline off and dropout's curves, fit and stop line changed colour.
    from playground import training
    from playground.figures import lab
    from playground.training import Variant

    every = (Variant("baseline"), Variant("dropout", 0.5), Variant("early_stopping", 0, 0, True))
    some = every[1:]
    epochs = np.arange(1, 31)
    losses = np.linspace(1, 0.1, 30)[:, None].repeat(3, axis=1) * [1.0, 1.1, 1.2]  # (E, 3)
    stopped = np.array([0, 0, 20])

    def colours(variants, fig_of) -> dict[str, set[str]]:
        names = [v.name for v in variants]
        fig = fig_of(names, training.slots(variants), len(variants))
        seen: dict[str, set[str]] = {}
        for tr in fig.data:
            run = (tr.meta or {}).get("run") if isinstance(tr.meta, dict) else None
            if run in names and tr.line.color:
                seen.setdefault(run, set()).add(tr.line.color)
        for shape in fig.layout.shapes:  # (early stopping's stop line: its colour)
            seen.setdefault("early_stopping", set()).add(shape.line.color)
        return seen

    def curves(names, slots, n):
        return lab.curves_figure(
            epochs, losses[:, -n:], losses[:, -n:], names, None, stopped[-n:], slots=slots
        )

    def fit(names, slots, n):
        grid = np.linspace(-1, 1, 5)[:, None]
        x = np.linspace(-1, 1, 8)
        parts = {"train": np.arange(8), "val": np.arange(0), "test": np.arange(0)}
        return lab.fit_figure(x[:, None], x, parts, grid, np.ones((n, 5)), names, 1, slots=slots)

    for fig_of in (curves, fit):
        with_all, without_baseline = colours(every, fig_of), colours(some, fig_of)
        for name in ("dropout", "early_stopping"):
            assert with_all[name] == without_baseline[name] and len(with_all[name]) == 1
        assert with_all["baseline"] != with_all["dropout"]


def test_the_epoch_axis_ends_at_the_last_epoch_with_a_mark_on_it():
    # A teacher's PNG of 2,000 epochs had its axis run to 2,100: plotly.js pads its autorange
    # for the ◆ of a best epoch at the end. The range may not pass the first and last epochs,
    # and a mark on the edge is drawn whole.
    from playground.figures import lab

    epochs = np.arange(1, 2001)
    val = (1 / np.sqrt(epochs))[:, None]  # (E, 1): best at the last epoch
    fig = lab.curves_figure(epochs, val / 2, val, ["a"], np.array([2000]), None)
    bounds = fig.layout.xaxis.autorangeoptions
    assert (bounds.minallowed, bounds.maxallowed) == (1, 2000)
    (mark,) = [tr for tr in fig.data if tr.mode == "markers" and tr.x[0]]
    assert mark.x == (2000,) and mark.cliponaxis is False
    assert fig.layout.xaxis.dtick is None  # (plotly.js ticks 500, 1000, …)
    few = lab.curves_figure(epochs[:4], val[:4] / 2, val[:4], ["a"])  # the ConvNet's first epochs
    assert few.layout.xaxis.dtick == 1  # 1, 2, 3, 4: never "1.5 epochs"
    two = (val[:4] / 2, val[:4])
    convnet = digits.curves_figure(epochs[:4], two, two, ["a"])  # (its two panels)
    assert convnet.layout.xaxis.dtick == convnet.layout.xaxis2.dtick == 1
    assert convnet.layout.xaxis2.autorangeoptions.maxallowed == 4


def test_the_averages_scrubber_names_its_frames_t_as_their_axis_does():
    # a fresh-eyes teacher read "step 365" under a series whose axis is t
    from playground.figures import ewa as ef

    x = np.sin(np.arange(40.0))
    fig = ef.build_animation(x, x, 0.9, "zh")
    prefix = fig.layout.sliders[0].currentvalue.prefix
    assert prefix.strip() == t("axis_t", "zh") == fig.layout.xaxis.title.text


def test_at_step_0_the_races_start_marker_is_not_hidden_under_the_runs_dots():
    # a fresh-eyes teacher: the white start marker lay under the last run's coloured dot
    fig, paths, _, _ = _race()
    player = Player(fig)
    player.show(0)
    runs_ = {str(r) for r in range(len(paths))}  # (a run's dot: in its legend group)
    dots = [
        tr for tr in player.traces if tr.get("mode") == "markers" and tr.get("legendgroup") in runs_
    ]
    assert dots and all(len(tr.get("x") or []) == 0 for tr in dots)  # none at step 0 …
    player.show(len(player.frames) - 1)
    assert sum(len(tr.get("x") or []) for tr in dots) >= len(paths)  # … every one after it


def test_a_png_of_the_kernels_has_no_blank_band_where_its_slider_was():
    # a fresh-eyes teacher: the ConvNet kernels' PNG ended in a wide empty band (the room of
    # the scrubber, kept for tick labels the kernels' axes do not have)
    if not export.png_available():
        pytest.skip("no Chromium for kaleido")
    from PIL import Image

    kernels = np.random.default_rng(0).normal(size=(3, 16, 3, 3))  # (E, K, k, k)
    fig = digits.kernels_figure(kernels, [1, 2, 3], "Baseline")
    image = np.asarray(Image.open(io.BytesIO(export.to_png(fig))).convert("L"))  # (H, W)
    coloured = np.flatnonzero((image[:, : image.shape[1] * 4 // 5] < 235).any(axis=1))
    rows = coloured[coloured > image.shape[0] // 8]  # (under the title: the mosaic)
    above, below = rows[0] - image.shape[0] // 8, image.shape[0] - 1 - rows[-1]
    assert below <= above + 0.05 * image.shape[0], (above, below)  # (before: 3 × above)


@pytest.mark.parametrize("three_d", [False, True])
def test_a_line_that_leaves_the_data_panel_is_said_on_its_edge_while_it_is_out(three_d):
    # a fresh-eyes teacher, lr_too_large lesson: from step 18 on, "Data and the current line"
    # showed only its three points, without a word of where the line had gone
    fig, traj, _ = _lr_too_large(three_d)
    points = next(tr for tr in fig.data if (tr.name or "").startswith("data"))
    low, high = fig.layout[f"yaxis{points.yaxis[1:]}"].range
    ends = np.array([min(points.x), max(points.x)])
    notes = [
        i
        for i, tr in enumerate(fig.data)
        if "text" in (getattr(tr, "mode", None) or "") and tr.xaxis == points.xaxis
    ]
    assert len(notes) == 1
    player = Player(fig)
    seen = set()
    for f in range(len(player.frames)):
        player.show(f)
        k = min(int(player.names[f]), len(traj.w) - 1)
        line = traj.w[k] * ends + traj.b[k]  # (an independent reading of where it is)
        note = player.traces[notes[0]]
        said = (note.get("text") or [""])[0]
        if line.min() > high:
            assert said == t("fig_line_above", "en") and note["y"][0] == pytest.approx(high)
        elif line.max() < low:
            assert said == t("fig_line_below", "en") and note["y"][0] == pytest.approx(low)
        else:
            assert not said, (k, line)
        seen.add(said)
    assert t("fig_line_above", "en") in seen or t("fig_line_below", "en") in seen
    assert "" in seen  # (in view at the start)


def test_the_convnets_probability_csv_names_its_series_by_what_it_holds_not_by_the_title():
    # a fresh-eyes teacher: net_probs.csv's series read "Prediction: 2 (91%) · label 2"
    probs = np.r_[np.full(9, 0.05), 0.55]
    table = export.figure_table(digits.probabilities_figure(probs, 9))
    assert set(table["trace"]) == {t("digits_probability", "en")}
    np.testing.assert_allclose(table[t("digits_probability", "en")], probs, rtol=1e-6)


def test_the_descents_loss_axis_grows_a_decade_at_a_time_not_on_every_frame():
    # two fresh-eyes teachers: the loss axis rescaled on every frame of ▶ (2-10, 1-5, 0.2-5,
    # 0.1-5 …), and the curve seemed to change shape while the class watched
    fig, _, traj = _descent(300)
    key = _loss_axis_key(fig)
    ranges = [tuple(fig.layout[key].range)]
    for frame in json.loads(fig.to_json())["frames"]:
        now = frame.get("layout", {}).get(key, {}).get("range")
        if now is not None and tuple(now) != ranges[-1]:
            ranges.append(tuple(now))
    decades = np.log10(traj.loss.max()) - np.log10(traj.loss.min())
    assert len(ranges) <= decades + 2, ranges  # (one change a decade the curve falls, at most)
    assert all(float(end).is_integer() for r in ranges for end in r)  # (whole decades)


def test_a_converging_descents_loss_axis_stays_put_through_the_animation():
    # three fresh-eyes teachers: the loss axis went 1-10, 0.1-10, 0.01-10 as ▶ played, and the
    # curve jumped while the class watched
    from playground.figures import regression

    fig, _, traj = _descent(300)
    assert np.log10(traj.loss[0] / traj.loss.min()) < regression.LOSS_ROOM  # (2.3 → 0.01)
    key = _loss_axis_key(fig)
    ranges = {tuple(fig.layout[key].range)}
    for frame in json.loads(fig.to_json())["frames"]:
        ranges.add(tuple(frame.get("layout", {}).get(key, {}).get("range", fig.layout[key].range)))
    # by hand: the loss starts at about 2.3 (10^0.36): whole decades from ⌊0.36 − 3⌋ to
    # ⌈0.36 + 0.05⌉
    assert np.log10(traj.loss[0]) == pytest.approx(0.36, abs=0.03)
    assert ranges == {(-3, 1)}, ranges
    # and at step 0 it says nothing of the outcome: a slower run from the same start has it too
    rng = np.random.default_rng(1)  # (_descent's data)
    xs = rng.uniform(-1, 1, 40)
    ys = 2.0 * xs - 1.0 + rng.normal(0, 0.1, 40)
    slow = runs.gradient_descent(xs, ys, runs.DescentConfig("mse", 0.01, 300))
    grid = Grid(-1.0, 4.0, -3.0, 2.0, 41)
    other = figures.descent_animation(
        grid, surfaces.mse_surface(xs, ys, grid), slow.w, slow.b, slow.loss, xs, ys
    )
    assert tuple(other.layout[_loss_axis_key(other)].range) in ranges


def test_the_lab_curves_on_a_log_epoch_axis_put_their_marks_and_notes_at_the_epoch():
    # a fresh-eyes teacher: on 2,000 linear epochs a best epoch of 16 and a stop at 26 were a
    # few px at the left edge. plotly.js places a note on a log axis at log10 of its position,
    # a line at the value itself: each must come out at the epoch it names.
    from playground.figures import lab

    epochs = np.arange(1, 2001)
    val = np.stack([1 / np.sqrt(epochs) + epochs / 4000] * 2, axis=1)  # (2000, 2)
    fig = lab.curves_figure(
        epochs, val / 2, val, ["a", "b"], np.array([16, 20]), np.array([0, 26]),
        log_epochs=True, marked=100,
    )  # fmt: skip
    axis = fig.layout.xaxis
    assert axis.type == "log" and axis.range == pytest.approx((0, np.log10(2000)))
    assert list(axis.tickvals) == [1, 10, 100, 1000] and list(axis.ticktext)[-1] == "1000"
    (stop, replay) = fig.layout.shapes
    assert (stop.x0, replay.x0) == (26, 100)  # lines: at the epoch
    notes = {a.text: a.x for a in fig.layout.annotations}
    assert sorted(notes.values()) == pytest.approx([np.log10(26), 2.0])  # notes: in decades
    # a stop in the first half of the decades (26 of 2,000: 43 % along) is labelled rightwards
    assert next(a for a in fig.layout.annotations if "26" in a.text).xanchor == "left"
    linear = lab.curves_figure(epochs, val / 2, val, ["a", "b"], None, np.array([0, 26]))
    assert linear.layout.xaxis.type is None and linear.layout.annotations[0].x == 26


def test_a_log_epoch_axis_draws_every_one_of_the_first_epochs_and_the_last():
    from playground.figures import lab

    epochs = np.arange(1, 2001)
    val = (1 / np.sqrt(epochs))[:, None]  # (2000, 1)
    fig = lab.curves_figure(epochs, val / 2, val, ["a"], log_epochs=True)
    drawn = np.asarray(fig.data[0].x)
    assert list(drawn[:20]) == list(range(1, 21)) and drawn[-1] == 2000
    assert len(drawn) <= 500  # (as cheap to redraw as the linear axis's every fourth epoch)
    np.testing.assert_allclose(fig.data[0].y, val[drawn - 1, 0], rtol=1e-6)


def test_a_flat_loss_on_insides_chart_is_drawn_flat():
    # a fresh-eyes teacher, Inside's zero-initialisation lesson: the loss stays at ln 2 with a
    # little noise (0.6925 to 0.705), and the axis zoomed until the noise filled the chart
    from playground.figures import inside as inf

    epochs = np.arange(1, 101)
    rng = np.random.default_rng(0)
    train = np.log(2) + 0.006 * rng.standard_normal(100)  # (100,)
    fig = inf.loss_figure(epochs, train, train + 0.002, "en")
    low, high = fig.layout.yaxis.range
    assert high - low >= 0.5 - 1e-9  # decades: the noise is a few % of the chart's height
    values = np.r_[train, train + 0.002]
    assert low < np.log10(values.min()) and np.log10(values.max()) < high
    ticks = [v for v in fig.layout.yaxis.tickvals if 10**low <= v <= 10**high]
    assert len(ticks) >= 2  # (labelled inside the wider range)
    learning = inf.loss_figure(epochs, 0.6 * np.exp(-epochs / 20) + 0.01, train, "en")
    assert learning.layout.yaxis.range is None  # (a loss that moves: the axis fits it)


@pytest.mark.parametrize("high_early", [True, False])
def test_the_labs_stop_notes_go_where_the_curves_leave_room(high_early):
    # a fresh-eyes teacher: "Early stopping: stopped at epoch 26", written at the plot's top,
    # covered the dropout's curve, still high at that epoch; the bottom was empty
    from playground.figures import lab

    epochs = np.arange(1, 201)
    falling = 1 / np.sqrt(epochs)  # from 1 to 0.07 (0.2 at epoch 26: mid-height)
    level = 1.0 if high_early else 0.07  # the other variant, high or low until epoch 100
    other = np.where(epochs < 100, level, falling)
    val = np.stack([other, falling], axis=1)  # (200, 2)
    train = val.copy()
    val[26:, 1] = train[26:, 1] = np.nan  # (the second stopped at epoch 26)
    fig = lab.curves_figure(epochs, train, val, ["a", "b"], None, np.array([0, 26]))
    (note,) = [a for a in fig.layout.annotations if a.xref == "x"]
    assert "26" in note.text
    if high_early:  # the curves near epoch 26 are high: the note at the bottom, over nothing
        assert (note.y, note.yanchor) == (0, "bottom")
    else:  # a curve low there: it stays at the top
        assert (note.y, note.yanchor) == (1, "top")
