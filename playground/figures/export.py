"""Figures for export and for the projector: data tables, PNG, standalone HTML, presenter style.

Pure functions: a plotly figure in, a table, bytes, text or a restyled copy out.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec

PNG_SIZE = (1280, 720)  # a projector's size; scale 1.5 gives 1920 × 1080 pixels
PNG_SCALE = 1.5
PRESENTER_FONT = 20


def _column(values: object) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(values, dtype=object)
    return arr if arr.size else None


def _trace_rows(trace, frame: int | None) -> pd.DataFrame | None:
    """One trace as long-format rows: x, y (and z); a 2-D z over 1-D x, y is melted."""
    x, y, z = (_column(getattr(trace, a, None)) for a in ("x", "y", "z"))
    if z is not None and z.ndim == 2:  # a surface, contour or heatmap over a grid
        ny, nx = z.shape
        xs = x if x is not None and x.ndim == 1 and len(x) == nx else np.arange(nx)
        ys = y if y is not None and y.ndim == 1 and len(y) == ny else np.arange(ny)
        gx, gy = np.meshgrid(xs, ys)  # (ny, nx)
        table = pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "z": z.ravel()})
    else:
        cols = {k: v for k, v in (("x", x), ("y", y), ("z", z)) if v is not None and v.ndim == 1}
        if not cols or len({len(v) for v in cols.values()}) != 1:
            return None
        table = pd.DataFrame(cols)
    table.insert(0, "trace", trace.name or trace.type)
    if frame is not None:
        table.insert(0, "frame", frame)
    return table


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """The data behind a figure: every trace (and every animation frame) as long-format rows.

    Columns: ``frame`` (animations only), ``trace``, ``x``, ``y`` and ``z`` where present.
    """
    parts = [_trace_rows(tr, None) for tr in fig.data]
    for i, frame in enumerate(fig.frames or ()):
        parts += [_trace_rows(tr, i) for tr in frame.data]
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame(columns=["trace", "x", "y"])
    return pd.concat(parts, ignore_index=True)


def png_available() -> bool:
    """True if kaleido can find a Chromium or Chrome to draw with (BROWSER_PATH or the PATH)."""
    if os.environ.get("BROWSER_PATH"):
        return True
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
    return any(shutil.which(name) for name in names)


# kaleido and the browser driver it uses log every start and clean-up at INFO: a server's log
# would fill with them (one batch per PNG). Their warnings and errors still show.
QUIET_LOGGERS = ("kaleido", "choreographer", "logistro")
for _name in QUIET_LOGGERS:
    logging.getLogger(_name).setLevel(logging.WARNING)


def to_png(fig: go.Figure, width: int = PNG_SIZE[0], height: int = PNG_SIZE[1]) -> bytes:
    """The figure as a PNG at projector resolution (kaleido with the local Chromium, offline)."""
    still = go.Figure(go.Figure.to_dict(fig))  # (an Animated figure's frames are left out here)
    still.frames = ()  # the first frame's picture; the play buttons mean nothing in a PNG
    still.update_layout(updatemenus=[], sliders=[])
    return still.to_image(format="png", width=width, height=height, scale=PNG_SCALE)


def to_html(fig: go.Figure, title: str = "") -> str:
    """A standalone HTML page of the figure, animation included, that works offline."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False, div_id="figure")


THREE_D = frozenset({"scatter3d", "surface"})  # trace types drawn with WebGL in a 3-D scene


@dataclass(frozen=True)
class Sent:
    """A figure as a chart receives it: its specification as JSON, and whether it is 3-D.

    ``spec`` has no template: the chart gives it the app's theme (pages/chart_theme.json), as
    Streamlit's own chart did. Arrays are sent as plotly.js's typed-array specs (base64).
    """

    spec: str
    needs3d: bool


def to_send(fig: go.Figure) -> Sent:
    """``fig`` converted for a chart: ``fig.to_dict()`` without its template, as JSON.

    Read from the figure's own properties rather than from ``to_dict``'s deep copy of them (a
    third to half of a live redraw's conversion, ``bench_figures.py``): the arrays are turned
    into plotly.js's typed arrays in new containers, and the figure is left as it is. The tests
    compare the result with ``to_dict``'s for every kind of figure the views send.
    """
    layout = {k: v for k, v in fig._layout.items() if k != "template"}
    spec = {"data": _typed(fig._data), "layout": _typed(layout)}
    plain = getattr(fig, "_plain_frames", None)  # an Animated figure's: sent as they are
    frames = list(plain) if plain is not None else _typed([f._props for f in fig._frame_objs])
    if frames:
        spec["frames"] = frames
    types = {trace.get("type") for trace in spec["data"]}
    for frame in frames:
        types |= {trace.get("type") for trace in frame.get("data", ())}
    return Sent(pio.to_json(spec, validate=False), bool(types & THREE_D))


SCALARS = frozenset({float, int, str, bool, type(None)})


def _typed(obj):
    """``obj`` with every array that is a dict's value turned into plotly.js's typed-array spec
    (base64), as ``Figure.to_dict`` sends it; the containers on the way are new ones, and
    ``obj`` is unchanged (it is a figure's own)."""
    if isinstance(obj, dict):
        return {k: v if is_skipped_key(k) else _typed_value(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if set(map(type, obj)) <= SCALARS:  # numbers and text: nothing inside to convert
            return obj
        return [_typed(v) for v in obj]
    return obj


def _typed_value(value):
    return to_typed_array_spec(value) if is_homogeneous_array(value) else _typed(value)


def sent(fig: go.Figure, presenting: bool = False) -> Sent:
    """``fig`` (or its presenter copy) converted for a chart once per figure object.

    A conversion costs the server 15-20 ms for the race or the loss surfaces (bench_race.py);
    figures given here come from a cache and are shown again on every rerun of every session,
    so the conversion is kept on ``fig`` itself and lives as long as it does. Such figures are
    shared, so they are never changed after they are shown.
    """
    attr = "_sent_presenter" if presenting else "_sent"
    done = fig.__dict__.get(attr)
    if done is None:
        done = to_send(presenter(fig) if presenting else fig)
        fig.__dict__[attr] = done
    return done


def presenter(fig: go.Figure, font: int = PRESENTER_FONT) -> go.Figure:
    """A copy of ``fig`` for a projector: larger text, thicker lines, bigger markers."""
    big = type(fig)(fig)  # an Animated copy keeps its frames plain
    big.update_layout(font_size=font, title_font_size=font + 4, legend_font_size=font - 2)
    # the play buttons and the step slider are laid out for the normal size: keep it
    for menu in big.layout.updatemenus:
        menu.font.size = 12
    for slider in big.layout.sliders:
        slider.font.size = 12
        slider.currentvalue.font.size = 14
    for trace in big.data:
        line = getattr(trace, "line", None)
        if line is not None and "width" in line:
            line.width = max(3, 1.5 * (line.width or 2))
        marker = getattr(trace, "marker", None)
        if marker is not None and "size" in marker:
            size = marker.size
            if isinstance(size, int | float):
                marker.size = max(10, 1.5 * size)
    return big
