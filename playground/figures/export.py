"""Figures for export and for the projector: data tables, PNG, standalone HTML, presenter style.

Pure functions: a plotly figure in, a table, bytes, text or a restyled copy out. A CSV or a PNG
holds what the figure shows at the end of its animation, for a spreadsheet or a slide.
"""

from __future__ import annotations

import atexit
import base64
import copy
import html
import json
import logging
import math
import os
import re
import shutil
import threading
import warnings
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec

from playground.figures.common import tick_label, title_margin
from playground.figures.legend import (
    LINE,
    MARGIN,
    PLOTLY_HEIGHT,
    SHOWN_WIDTH,
    wrap,
    wrap_names,
)
from playground.figures.legend import (
    as_shown as _as_shown,
)
from playground.figures.legend import (
    grow as _grow,
)
from playground.figures.legend import height as _legend_height
from playground.figures.legend import (
    margin as _margin,
)
from playground.figures.legend import (
    under_x_titles as _legend_under_axis_titles,
)
from playground.i18n import t

PNG_SIZE = (1280, 720)  # a projector's size; scale 1.5 gives 1920 × 1080 pixels
PNG_SCALE = 1.5
PNG_MIN_PIXELS = PNG_SIZE[1] * PNG_SCALE  # the least height of a PNG, in pixels
AXIS_ROOM = 64  # px under (or over) the axes for tick labels and an axis title
PRESENTER_FONT = 20
PRESENTER_TALLEST = 640  # px: a figure and its heading on a 720-px projector, under the toolbar
PRESENTER_UNDER_TRAIN = 480  # px: a training view's charts on a projector, with Train's row
# and the progress bar above them on one screen
PRESENTER_UNDER_TITLE = 475  # px: a figure under a view's title: its ▶, slider and plot on the
# first screen
PRESENTER_WIDTH = 1080  # px: the main column on a 1280 × 720 projector (1280 − 2 × 100 padding)
COLUMN_GAP = 10  # px a figure in one of several columns loses to the gap between them
MODEBAR_ROW = 28  # px at the top that the modebar's row takes (common.figure_title's pad)
CONTROL_FONT = 20  # px: the play buttons and the step slider in presenter mode (as the text)
THREE_D = frozenset({"scatter3d", "surface"})  # trace types drawn with WebGL in a 3-D scene
GRIDS = frozenset({"contour", "heatmap", "surface"})  # a value over a grid: a map or a surface


def final_state(fig: go.Figure, upto: str | None = None) -> dict:
    """``fig``'s specification (``data`` and ``layout``, no frames) as its animation leaves it,
    or as it shows frame ``upto`` (a frame's name: the frames up to it are applied; a name the
    figure has not, or None: all of them).

    Every frame is applied in order, as plotly.js applies them when ▶ plays to the end: a
    frame's ``data[i]`` is merged into trace ``traces[i]`` (into trace i where it names none),
    objects key by key and arrays replaced, and its ``layout`` into the layout. So a path that
    frames grow (common.growing) is whole, and the current point, the fitted line and the loss
    marker are at the last step. A figure without frames comes back as it is. ``fig`` is left
    unchanged.
    """
    # the figure's own properties, arrays as numpy arrays (to_dict would make them base64)
    data, layout = copy.deepcopy(fig._data), copy.deepcopy(fig._layout)
    plain = getattr(fig, "_plain_frames", None)  # an Animated figure's, as plotly.js reads them
    frames = plain if plain is not None else [f._props for f in fig._frame_objs]
    for frame in frames:
        frame = frame or {}
        fragments = frame.get("data") or []
        targets = frame.get("traces")
        if targets is None:
            targets = range(len(fragments))
        for i, fragment in zip(targets, fragments, strict=False):
            if 0 <= int(i) < len(data):
                _merge(data[int(i)], fragment)
        if frame.get("layout"):
            _merge(layout, frame["layout"])
        if upto is not None and frame.get("name") == upto:
            break
    return {"data": data, "layout": layout}


def _merge(target: dict, fragment: dict) -> None:
    """``fragment`` merged into ``target`` as plotly.js does (objects deeply, arrays replaced);
    what is taken from ``fragment`` is copied where ``target`` could later be changed in it."""
    for key, value in fragment.items():
        if isinstance(value, dict):
            if isinstance(target.get(key), dict):
                _merge(target[key], value)
            else:
                target[key] = copy.deepcopy(value)
        else:
            target[key] = value


# -- the figure's data as a table (CSV) ------------------------------------------------------


def figure_table(fig: go.Figure, lang: str = "en") -> pd.DataFrame:
    """The data drawn in a figure, one row per point: what its CSV download holds.

    Columns: ``trace`` (the name of the run, line, points or surface), then any columns that
    tell apart two curves of one run (``meta``, below) and, where one run is drawn in several
    panels, ``panel`` (in ``lang``: the panel's title, or its y axis's), then each trace's x, y
    and, for maps and surfaces, z (one row per point of their grid), named by the titles of its
    axes as the figure shows them ("w", "b", "loss", "step"; x, y or z where an axis has none).
    Traces on axes of the same title share a column (two panels whose y axes are both "loss");
    a trace leaves the columns of other axes empty. Numbers are as the figure holds them
    (float32, about seven significant digits; five for the part of a path that an animation
    moves); the runs' own downloads have them in full.

    It is meant to be read in a spreadsheet, so it holds what the figure shows, not how plotly
    draws it:

    - An animation as its last frame shows it (``final_state``): each path whole and once, from
      its start to its last step in order; the current point and the fitted line at the last
      step. Not one block of rows per frame.
    - A line an animation draws in pieces and a tip (common.growing) is one series, the point
      where two pieces meet listed once.
    - Only what is drawn: no invisible helpers (the race's grid of points that catch clicks,
      the colour bar's empty trace, pieces still hidden at the end).
    - Every row is named by what it is, never by how it is drawn: a builder names a trace for
      the table in its ``meta`` (``{"run": "Baseline", "columns": {"curve": "training"}}``:
      the run's name, and constant columns that tell its curves apart; ``"rows"``: the columns
      a trace's points stand for, in place of their x and y); else a trace without
      a name takes its legend group's; a marker on its group's line (the current point, the
      best epoch) is one of the line's rows and is left out. A trace with neither is left out
      beside named ones (the race's small maps and the 3-D path repeat the named paths),
      unless it is a grid: a grid, and every trace of a figure without names, is named by its
      3-D scene's z title, its panel's title, the figure's title, or its type.
    - One run in two panels is told apart by the ``panel`` column; only two different series
      of one name in one panel, which no builder here draws, get " (2)".
    """
    spec = final_state(fig)
    data, layout = spec["data"], spec["layout"]
    drawn = [(trace, _table_rows(trace, lang)) for trace in data if _drawn(trace)]
    drawn = [(trace, rows) for trace, rows in drawn if rows is not None]
    groups: dict[str, dict] = {}  # legend group → its first named trace
    for trace, _ in drawn:
        if _named(trace) and trace.get("legendgroup") is not None:
            groups.setdefault(str(trace["legendgroup"]), trace)
    anonymous = not any(_named(trace) for trace, _ in drawn)
    colour = _colour_title(data, layout)
    # label, its constant columns, panel, how it is drawn, rows
    series: list[tuple[str, tuple, str, tuple, pd.DataFrame]] = []
    for trace, rows in drawn:
        label = _label(trace, groups, layout, anonymous)
        if label is None:
            continue
        rows = rows.rename(columns=_axis_titles(trace, layout, colour))
        extra = _meta_columns(trace, groups)
        panel = _panel_name(trace, layout)
        kind = tuple(trace.get(k) for k in ("type", "mode", "xaxis", "yaxis", "scene"))
        last = series[-1] if series else None
        if last and last[:4] == (label, extra, panel, kind) and _continues(last[4], rows):
            series[-1] = (*last[:4], pd.concat([last[4], rows.iloc[1:]]))  # pieces
        else:
            series.append((label, extra, panel, kind, rows))
    kept: list[tuple[str, tuple, str, pd.DataFrame]] = []
    for label, extra, panel, _, rows in series:
        label = _as_shown(label)
        if any(
            (label, extra) == (other, more) and rows.equals(seen) for other, more, _, seen in kept
        ):
            continue  # the same data again (a map's boundary line over the map, a repeat)
        kept.append((label, extra, panel, rows))
    panels: dict[tuple, set[str]] = {}  # a run's name and columns → the panels it is drawn in
    for label, extra, panel, _ in kept:
        panels.setdefault((label, extra), set()).add(panel)
    parts: list[pd.DataFrame] = []
    names: set[tuple] = set()
    panel_column = t("csv_panel", lang)
    for label, extra, panel, rows in kept:
        several = len(panels[(label, extra)]) > 1
        name, k = label, 1
        while (name, extra, panel if several else "") in names:
            k += 1
            name = f"{label} ({k})"
        names.add((name, extra, panel if several else ""))
        columns = {"trace": name, **({panel_column: panel} if several else {}), **dict(extra)}
        parts.append(rows.assign(**columns)[[*columns, *rows.columns]])  # (its names first)
    if not parts:
        return pd.DataFrame(columns=["trace", "x", "y"])
    table = _joined(parts)
    steps = {str(_meta(tr)["step"]) for tr, _ in drawn if _meta(tr).get("step")} & set(table)
    if steps:  # (a path's steps right after its name, not after the points of other traces)
        lead = [c for c in table.columns if c not in steps and c in ("trace", panel_column)]
        table = table[[*lead, *steps, *(c for c in table.columns if c not in {*lead, *steps})]]
        table = table.astype({c: "Int64" for c in steps})  # (whole; empty for other traces)
    return table


def _named(trace: dict) -> bool:
    return bool(trace.get("name") or _meta(trace).get("run"))


def _meta(trace: dict) -> dict:
    """What a builder says of a trace for the table (``figure_table``): its ``meta``, if a
    dict."""
    meta = trace.get("meta")
    return meta if isinstance(meta, dict) else {}


def _meta_columns(trace: dict, groups: dict[str, dict]) -> tuple[tuple[str, str], ...]:
    """The constant columns a builder gives a trace (or its legend group's named trace)."""
    columns = _meta(trace).get("columns")
    if columns is None:
        named = groups.get(str(trace.get("legendgroup")))
        columns = _meta(named).get("columns") if named is not None else None
    return tuple((str(k), str(v)) for k, v in (columns or {}).items())


def _panel_name(trace: dict, layout: dict) -> str:
    """The panel a trace is drawn in, as a person names it: its title, else its y (or z) axis
    title, else its axes' names."""
    title = _panel_title(trace, layout)
    if title:
        return _as_shown(title)
    if trace.get("type") not in THREE_D:
        axis = layout.get(_axis_key(trace.get("yaxis") or "y")) or {}
        text = _text(axis.get("title"))
        if text:
            return _as_shown(text)
    return str(trace.get("scene") or f"{trace.get('xaxis') or 'x'}{trace.get('yaxis') or 'y'}")


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The series' rows in one table: ``trace``, then every column in the order first seen,
    empty where a series has none. A column of whole numbers (steps, epochs; a path's are held
    as float32) is written as whole numbers, not 3.0."""
    columns = list(dict.fromkeys(c for rows in parts for c in rows.columns if c != "trace"))
    table = pd.concat(parts, ignore_index=True)[["trace", *columns]]
    for column in columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) and _whole(values.dropna().to_numpy()):
            table[column] = values.astype("Int64")
    return table


def _whole(values: np.ndarray) -> bool:
    """Whether every value is a whole number that a float holds exactly (and there is one)."""
    return bool(values.size) and bool(
        np.all(np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2.0**53))
    )


def _drawn(trace: dict) -> bool:
    """Whether a trace shows anything: not hidden, not transparent, not markers no one sees."""
    if trace.get("visible") is False or trace.get("opacity") == 0:
        return False
    marker = trace.get("marker") or {}
    return not (trace.get("mode") == "markers" and marker.get("opacity") == 0)


def _label(trace: dict, groups: dict[str, dict], layout: dict, anonymous: bool) -> str | None:
    """The name a trace's rows carry (``figure_table``), or None if it is left out."""
    if _meta(trace).get("run"):
        return str(_meta(trace)["run"])
    if trace.get("name"):
        return str(trace["name"])
    named = groups.get(str(trace.get("legendgroup")))
    if named is not None:
        if "lines" not in (trace.get("mode") or "lines"):
            return None  # a marker on the group's line: one of its rows
        return str(_meta(named).get("run") or named["name"])  # (never its style: "dashed")
    if not anonymous and trace.get("type") not in GRIDS:
        return None  # a helper or a repeat beside the named traces
    return _panel_title(trace, layout) or _text(layout.get("title")) or trace.get("type")


def _text(title) -> str | None:
    """A title's text, whether plotly wrote it as a dict or a string."""
    text = title.get("text") if isinstance(title, dict) else title
    return str(text) if text else None


def _panel_title(trace: dict, layout: dict) -> str | None:
    """For a 3-D trace, its scene's z-axis title; else the title over its subplot, if any."""
    if trace.get("type") in THREE_D:
        scene = layout.get(trace.get("scene") or "scene") or {}
        title = _text((scene.get("zaxis") or {}).get("title"))
        if title:
            return title
        domain = scene.get("domain") or {}
        xs, ys = domain.get("x", [0, 1]), domain.get("y", [0, 1])
    else:
        xs = (layout.get(_axis_key(trace.get("xaxis") or "x")) or {}).get("domain", [0, 1])
        ys = (layout.get(_axis_key(trace.get("yaxis") or "y")) or {}).get("domain", [0, 1])
    for note in layout.get("annotations") or ():  # make_subplots's titles: centred on top
        if note.get("xref") == "paper" and note.get("yref") == "paper" and note.get("text"):
            x, y = note.get("x", 0.5), note.get("y", 0.5)
            if math.isclose(x, (xs[0] + xs[1]) / 2, abs_tol=1e-6) and math.isclose(
                y, ys[1], abs_tol=1e-6
            ):
                return str(note["text"])
    return None


def _axis_titles(trace: dict, layout: dict, colour: str | None = None) -> dict[str, str]:
    """A trace's columns x, y, z → the titles of its axes (its scene's for a 3-D trace), as
    shown; a 2-D map's z → ``colour``, the figure's colour bar's title; x, y or z where an axis
    has no title (or it is "trace", the names' column). Two axes of one trace with one title
    are told apart: "loss (x)", "loss (y)"."""
    if trace.get("type") in THREE_D:
        scene = layout.get(trace.get("scene") or "scene") or {}
        axes = {c: scene.get(f"{c}axis") for c in "xyz"}
    else:
        axes = {c: layout.get(_axis_key(trace.get(f"{c}axis") or c)) for c in "xy"}
    titles: dict[str, str] = {}
    for c in "xyz":
        text = _text((axes.get(c) or {}).get("title")) or _twin_title(axes.get(c), c, layout)
        if c == "z" and not text:  # a map's values: named as the colour bar names them
            text = colour
        title = _as_shown(text).strip() if text else ""
        titles[c] = title if title and title != "trace" else c
    repeated = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    return {c: f"{title} ({c})" if title in repeated else title for c, title in titles.items()}


def _colour_title(data: list[dict], layout: dict) -> str | None:
    """The title of the figure's colour bar, if its maps have one (one title for all of them:
    a map's boundary line drawn over it has no bar of its own)."""
    titles = set()
    for trace in data:
        if trace.get("type") in ("contour", "heatmap") and trace.get("showscale") is not False:
            colour_axis = layout.get(trace.get("coloraxis") or "") or {}
            bar = trace.get("colorbar") or colour_axis.get("colorbar") or {}
            text = _text(bar.get("title"))
            if text:
                titles.add(text)
    return titles.pop() if len(titles) == 1 else None


def _twin_title(axis: dict | None, letter: str, layout: dict) -> str | None:
    """The title of an untitled axis's twin: the one titled axis of its letter over the same
    range (two maps side by side title only the left one's y axis: the right one's column was
    "y", empty beside the left one's)."""
    if not axis or axis.get("range") is None or letter == "z":
        return None
    twins = {
        _text(other.get("title"))
        for key, other in layout.items()
        if key.startswith(f"{letter}axis") and isinstance(other, dict) and other is not axis
        if other.get("range") == axis["range"] and _text(other.get("title"))
    }
    return twins.pop() if len(twins) == 1 else None


def _axis_key(ref: str) -> str:
    """A trace's axis reference as its layout key: "x" → "xaxis", "y2" → "yaxis2"."""
    return ref[0] + "axis" + ref[1:]


def _table_rows(trace: dict, lang: str) -> pd.DataFrame | None:
    """A trace's rows for the table: the columns its builder gave in ``meta["rows"]`` (what
    its points stand for: the network's weights, not where their markers are drawn), else its
    points (``_rows``), a mosaic's by pixel (``_untiled``)."""
    meta = _meta(trace)
    given = meta.get("rows")
    if isinstance(given, dict) and given:
        return pd.DataFrame(given)
    rows = _untiled(trace, _rows(trace), lang)
    if rows is not None and isinstance(meta.get("first_step"), int) and meta.get("step"):
        # a line drawn in pieces numbers its points by step (common.add_growing); the index
        # is each point's place in its piece (points plotly does not draw were left out)
        rows.insert(0, str(meta["step"]), meta["first_step"] + rows.index.to_numpy())
    return rows


def _rows(trace: dict) -> pd.DataFrame | None:
    """A trace's points as columns x, y (and z); a 2-D z over 1-D x, y is melted. None if it
    has no point to draw (the colour bar's trace at x = [None])."""
    x, y, z = (_column(trace.get(a)) for a in ("x", "y", "z"))
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
        if {"x", "y"} <= set(table.columns):  # a point plotly does not draw is not a row (a
            table = table[table[["x", "y"]].notna().all(axis=1)]  # curve after it stopped)
    if table.empty or table.isna().all().all():
        return None
    return table


def _untiled(trace: dict, rows: pd.DataFrame | None, lang: str) -> pd.DataFrame | None:
    """A mosaic of images in one heatmap (digits.mosaic), as a person reads it: one row per
    pixel of each image — its label (the image's caption, the kernel's number), its row and
    column inside the image, its value — without the gaps between tiles. A trace whose meta
    has no ``tiles`` is left as it is."""
    tiles = _meta(trace).get("tiles")
    if rows is None or not tiles:
        return rows
    h, w, gap, top = tiles["height"], tiles["width"], tiles["gap"], tiles.get("top", 0)
    x, y = rows["x"].to_numpy(int), rows["y"].to_numpy(int)  # the mosaic's column and row
    tile_r, r = np.divmod(y, h + gap)
    tile_c, c = np.divmod(x, w + gap)
    index = tile_r * tiles["cols"] + tile_c
    labels = tiles["labels"]
    keep = (r >= top) & (r < h) & (c < w) & (index < len(labels)) & rows["z"].notna().to_numpy()
    return pd.DataFrame(
        {
            str(tiles["column"]): np.asarray(labels, dtype=object)[index[keep]],
            t("csv_row", lang): r[keep] - top,
            t("csv_column", lang): c[keep],
            t("csv_value", lang): rows["z"].to_numpy()[keep],
        }
    )


def _column(values: object) -> np.ndarray | None:
    """A trace's array as numbers where it holds numbers (float32 as its short decimals, so
    0.3 is written 0.3, not 0.30000001192092896), else as it is (text)."""
    if values is None:
        return None
    if isinstance(values, dict) and "bdata" in values:  # a typed array, as plotly sends one
        arr = np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"].rstrip("c"))
        shape = values.get("shape")
        if shape:
            dims = shape.split(",") if isinstance(shape, str) else shape
            arr = arr.reshape([int(d) for d in dims])
    else:
        arr = np.asarray(values)
    if arr.dtype == np.float32:
        return arr.astype(str).astype(np.float64)
    if arr.dtype.kind in "biuf":
        return arr
    try:
        return np.asarray(values, dtype=np.float64) if arr.size else None
    except (TypeError, ValueError):
        return np.asarray(values, dtype=object)


def _continues(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    """Whether ``after`` starts where ``before`` ends (two pieces of one line)."""
    if before.empty or after.empty or list(before.columns) != list(after.columns):
        return False
    end, start = before.iloc[-1].to_numpy(), after.iloc[0].to_numpy()
    try:
        return bool(np.allclose(end.astype(float), start.astype(float), rtol=1e-4, atol=1e-9))
    except (TypeError, ValueError):
        return bool((end == start).all())


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell and column name that a spreadsheet would run as a formula
    (one starting with =, +, -, @, a tab or a carriage return) prefixed with ' (the cell shows
    as text); numbers stay numbers. For names that come from what a user typed or uploaded."""

    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value

    out = table.rename(columns=safe)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(safe)
    return out


def figure_csv(fig: go.Figure, lang: str = "en") -> str:
    """The figure's data as CSV text (``figure_table``), safe to open in a spreadsheet; its
    ``trace`` column named as a reader says it ("series", 数据系列), not as plotly does."""
    table = figure_table(fig, lang).rename(columns={"trace": t("csv_series", lang)})
    return spreadsheet_safe(table).to_csv(index=False)


# -- PNG ---------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Still:
    """What a PNG of a figure draws (``still``): a figure without frames, and its size in px."""

    figure: go.Figure
    width: int
    height: int


THEME_FILE = Path(__file__).with_name("theme.json")  # the app's look (Streamlit's light theme)


@lru_cache(1)
def app_theme() -> go.layout.Template:
    """The template the page draws every figure with (pages/chart.js gets the same file), for
    a PNG that looks as the figure does on screen, not as plotly's default (grey plot area)."""
    theme = json.loads(THEME_FILE.read_text(encoding="utf-8"))
    return go.layout.Template(theme, skip_invalid=True)  # (plotly.py refuses "transparent")


def still(fig: go.Figure, shown_width: int | None = None, frame: str | None = None) -> Still:
    """``fig`` as a picture for a slide, in the shape the student sees it.

    - An animation shows its frame ``frame`` (its name: the step on screen when the student
      exported), else its last (``final_state``): whole paths, the last fitted line and loss.
      Its play buttons and step slider are left out, and the margin that held them keeps only
      the room the axes' labels need.
    - It is drawn at its own height and at ``shown_width``, the width of the page's column it
      is shown in (SHOWN_WIDTH, the main column on a 1440 × 900 screen, by default): the
      student's proportions, never stretched to a projector's 16:9. Maps kept at equal scale
      (``scaleanchor``) keep it at any width.
    - So is a figure with maps whose units plotly does not keep equal (the descent's contour
      map of w and b): it used to be drawn as wide as made them equal, and a fresh-eyes teacher
      got a 2 : 1 picture of a figure the page showed at 1.1 : 1.
    - What is there only to be clicked on the page (a builder's ``meta`` says ``"handle"``:
      Inside's dots that pick a weight) is left out; the CSV keeps what it holds.
    """
    spec = final_state(fig, frame)
    step = _step_said(spec["layout"], frame, fig)
    for trace in spec["data"]:
        if _meta(trace).get("handle"):
            trace["visible"] = False
    layout = spec["layout"]
    height = int(layout.get("height") or PLOTLY_HEIGHT)
    width = int(layout.get("width") or 0)
    _without_controls(layout, height)
    width = width or int(shown_width or SHOWN_WIDTH)
    figure = go.Figure(spec, skip_invalid=False)
    figure.layout.template = app_theme()  # (as on the page: white, its fonts and greys)
    figure.layout.height = height
    if step:
        _title_with(figure, step)
    # a legend under the plot, below the x axis' title at the size the picture draws it (the
    # builders placed it in paper units for the page: in a narrow PNG the title ran into it)
    font = figure.layout.font.size or 12
    legend_font = figure.layout.legend.font.size or font
    wrap_names(figure, legend_font, width)
    # (the room its legend no longer needs is given up, as the page does once it has drawn the
    # figure: pages/chart.js; the picture keeps the shape the student sees)
    _legend_under_axis_titles(figure, font, font + 4, legend_font, width, exact=True)
    return Still(figure, width, int(figure.layout.height))


def to_png(
    fig: go.Figure,
    width: int | None = None,
    height: int | None = None,
    shown_width: int | None = None,
    frame: str | None = None,
) -> bytes:
    """The figure as a PNG for a slide (``still``, ``shown_width`` the px of the column it is
    shown in, ``frame`` the animation's frame on screen; ``width`` and ``height`` in px replace
    its size), drawn by kaleido with the local
    Chromium, offline: PNG_SCALE pixels per px, or more for a small figure, so that the picture
    is at least PNG_MIN_PIXELS high (a projector's)."""
    picture = still(fig, shown_width, frame)
    width, height = width or picture.width, height or picture.height
    scale = max(PNG_SCALE, PNG_MIN_PIXELS / height)
    with _RENDERER, warnings.catch_warnings():  # one at a time, in the server's one browser
        warnings.filterwarnings("ignore", "The kopts argument is ignored")  # (plotly's, for it)
        _start_renderer()
        return picture.figure.to_image(format="png", width=width, height=height, scale=scale)


# Every PNG used to start a Chromium of its own (about 6 processes and 150 MB, 2-3 s): ten
# exports at once started 56 processes and took 1.45 GB. One browser, started with the first
# PNG and kept, draws them one after the other.
_RENDERER = threading.Lock()


def _start_renderer() -> None:
    """Start kaleido's shared browser once (plotly's to_image then uses it), stopped at exit."""
    import kaleido

    if kaleido._global_server.is_running():  # (kaleido's own check: tests/test_figures.py)
        return
    kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)


def _step_said(layout: dict, frame: str | None, fig: go.Figure) -> str | None:
    """The step of an animation's frame ``frame`` (None: its last) as its scrubber says it
    ("step 40"); None for a figure that has no such steps (animation_controls)."""
    steps = (layout.get("meta") or {}).get("frame_steps")
    sliders = layout.get("sliders") or ()
    if not isinstance(steps, dict) or not steps or not sliders:
        return None
    names = [f.get("name") for f in getattr(fig, "_plain_frames", None) or ()]
    names = names or [f.name for f in fig.frames]
    name = frame if frame in steps else (names[-1] if names else None)
    if name not in steps:
        return None
    prefix = ((sliders[0].get("currentvalue") or {}).get("prefix") or "").strip()
    return f"{prefix} {steps[name]}".strip()


def _title_with(fig: go.Figure, step: str) -> None:
    """A picture of one frame says its ``step``: after its title, or as a title of its own on
    a line over everything else, which the plot makes room for (the picture keeps the shape
    the student sees). Without the scrubber, a picture of step 40 and one of the end looked
    alike."""
    if fig.layout.title.text:
        fig.layout.title.text = f"{fig.layout.title.text} · {step}"
        return
    size = (fig.layout.font.size or 12) + 4
    fig.layout.title.update(
        text=step, x=0, xref="paper", xanchor="left", y=1, yref="container", yanchor="top"
    )
    fig.layout.title.update(pad={"t": 8}, font={"size": size})
    fig.layout.margin.t = _margin(fig, "t") + math.ceil(LINE * size + 8)  # (the same height)


def _without_controls(layout: dict, height: float) -> None:
    """Remove an animation's play buttons and slider from ``layout``, and of the margin they
    sat in (over or under the axes), keep the room up to them, at least AXIS_ROOM (or, under
    x axes without labels, as the ConvNet's kernels, only BARE_ROOM: the slider's room stayed
    a blank band under the picture)."""
    controls = [*(layout.pop("updatemenus", None) or ()), *(layout.pop("sliders", None) or ())]
    if not controls:
        return
    margin = layout.setdefault("margin", {})
    top, bottom = (margin.get(side, MARGIN[side]) for side in ("t", "b"))
    plot = max(height - top - bottom, 1)
    where = [float(c.get("y", 1.0 if "buttons" in c else 0.0)) for c in controls]
    over, under = [y for y in where if y > 1], [y for y in where if y < 0]
    if over:
        margin["t"] = min(top, max(AXIS_ROOM, round((min(over) - 1) * plot)))
    if under:
        room = AXIS_ROOM if _x_labelled(layout) else BARE_ROOM
        margin["b"] = min(bottom, max(room, round(-max(under) * plot)))


BARE_ROOM = 10  # px under x axes with neither tick labels nor a title


def _x_labelled(layout: dict) -> bool:
    """Whether any x axis of ``layout`` draws tick labels or a title under its plot."""
    axes = [v for k, v in layout.items() if re.fullmatch(r"xaxis[0-9]*", k)] or [{}]
    return any(axis.get("showticklabels", True) or _text(axis.get("title")) for axis in axes)


def to_html(fig: go.Figure, title: str = "", fallback: str = "playground") -> str:
    """A standalone HTML page of the figure, animation included, that works offline; its tab
    is named ``title``, else the figure's own title (as plain text, escaped), else
    ``fallback``."""
    config = {  # (no "Share chart" button: the page's data is never offered to a cloud;
        # plotly.js's showEditInChartStudio is false by default, and plotly.py warned of it
        # in the server's log at every export: "Unrecognized config options supplied")
        "displaylogo": False,
        "showSendToCloud": False,
        "modeBarButtonsToRemove": ["sendDataToCloud"],
    }
    page = fig.to_html(
        include_plotlyjs=True, full_html=True, auto_play=False, div_id="figure", config=config
    )
    name = title or _as_shown(_text(fig.layout.title.to_plotly_json()) or "") or fallback
    return page.replace("<head>", f"<head><title>{html.escape(name)}</title>", 1)


@dataclass(frozen=True)
class Sent:
    """A figure as a chart receives it: its specification as JSON, and whether it is 3-D.

    ``spec`` has no template: the chart gives it the app's theme (figures/theme.json), as
    Streamlit's own chart did. Arrays are sent as plotly.js's typed-array specs (base64).
    """

    spec: str
    needs3d: bool

    @cached_property
    def id(self) -> str:
        """A short name of this specification: the chart says which figure a frame it
        reports is of (a new figure may have frames of the same names)."""
        return f"{zlib.crc32(self.spec.encode()):08x}"


def to_send(fig: go.Figure) -> Sent:
    """``fig`` converted for a chart: ``fig.to_dict()`` without its template, as JSON.

    Read from the figure's own properties rather than from ``to_dict``'s deep copy of them (a
    third to half of a live redraw's conversion, ``bench_figures.py``): the arrays are turned
    into plotly.js's typed arrays in new containers, and the figure is left as it is. The tests
    compare the result with ``to_dict``'s for every kind of figure the views send.
    """
    layout = {k: v for k, v in fig._layout.items() if k != "template"}
    meta = layout.get("meta")
    if isinstance(meta, dict) and "frame_steps" in meta:  # (for a PNG only: kept on the server,
        # so that a new number of steps leaves the layout the page has, moved in place: chart.js)
        meta = {k: v for k, v in meta.items() if k != "frame_steps"}
        layout = {k: v for k, v in layout.items() if k != "meta"} | ({"meta": meta} if meta else {})
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
    if type(value) in SCALARS:  # (the most common values first: plotly's test is slow)
        return value
    if isinstance(value, (dict, list, tuple)):
        return _typed(value)
    if isinstance(value, np.ndarray) and value.dtype.name in SHORT_TYPES and value.dtype.isnative:
        return _float_array(value)
    return to_typed_array_spec(value) if is_homogeneous_array(value) else _typed(value)


def _float_array(values: np.ndarray) -> dict | np.ndarray:
    """A float array as plotly.js's typed array, as ``to_typed_array_spec`` writes it.

    That function first converts any array-like through narwhals, about 0.1 ms an array
    (a third of the time to send a race of 365 arrays); a float array needs none of it. The
    tests compare the two for every figure the views send."""
    if not values.size:  # (plotly sends an empty array as it is)
        return values
    data = np.ascontiguousarray(values)  # (a column of a path is a strided view)
    spec = {"dtype": SHORT_TYPES[values.dtype.name], "bdata": base64.b64encode(data).decode()}
    if values.ndim > 1:
        spec["shape"] = str(values.shape)[1:-1]
    return spec


SHORT_TYPES = {"float64": "f8", "float32": "f4"}  # (plotly's plotlyjsShortTypes for floats)


def sent(
    fig: go.Figure,
    presenting: bool = False,
    share: float = 1.0,
    tallest: float = PRESENTER_TALLEST,
) -> Sent:
    """``fig`` (or its presenter copy, for ``share`` of the main column and at most ``tallest``
    px high: ``presenter``) converted for a chart once per figure object.

    A conversion costs the server 15-20 ms for the race or the loss surfaces (bench_race.py);
    figures given here come from a cache and are shown again on every rerun of every session,
    so the conversion is kept on ``fig`` itself and lives as long as it does. Such figures are
    shared, so they are never changed after they are shown.
    """
    attr = f"_sent_presenter_{share:g}_{tallest:g}" if presenting else "_sent"
    done = fig.__dict__.get(attr)
    if done is None:
        big = presenter(fig, width=presenter_width(share), tallest=tallest) if presenting else None
        done = to_send(fig if big is None else big)
        fig.__dict__[attr] = done
    return done


def _lift_controls_above(big: go.Figure, lift: int = 48) -> None:
    """Play buttons and slider above the plot go ``lift`` px higher, into a taller top margin:
    the legend between them and the plot takes two rows at a projector's size."""
    controls = [*big.layout.updatemenus, *big.layout.sliders]
    if not big.layout.height or not any((c.y or 0) > 1 for c in controls):
        return
    top = big.layout.margin.t if big.layout.margin.t is not None else MARGIN["t"]
    bottom = big.layout.margin.b if big.layout.margin.b is not None else MARGIN["b"]
    plot = big.layout.height - top - bottom  # px
    if plot <= 2 * lift:
        return
    for c in controls:
        if (c.y or 0) > 1:  # its px above the plot, plus the lift, over the shorter plot
            c.y = 1 + ((c.y - 1) * plot + lift) / (plot - lift)
    big.layout.margin.t = top + lift


def presenter(
    fig: go.Figure,
    font: int = PRESENTER_FONT,
    width: float = PRESENTER_WIDTH,
    tallest: float = PRESENTER_TALLEST,
) -> go.Figure:
    """A copy of ``fig`` for a projector (1280 × 720): larger text everywhere (tick labels, axis
    and subplot titles, legend, the play buttons and the step slider, set on each axis since
    the chart's theme sets them), thicker lines, bigger markers, and 3-D axes with fewer ticks.
    (Its layout is the figure's own: the builders place legends and controls in pixels.)

    ``width``: the px the figure is shown at (the main column, or its share of it in a column).
    A title or a subplot title too long for it is wrapped onto more lines, and a legend under
    the plot moves below the larger x-axis titles; the figure grows taller by what they add, so
    its plot keeps its height, and a plot shorter than PRESENTER_PLOT grows to it (not past
    ``tallest``). A square plot grows as wide as shown, to at most ``tallest`` px;
    a figure taller than a ``tallest`` the page asks for (less than PRESENTER_TALLEST: more is
    on the projector's screen with it, as Inside's Train) has its plot made shorter to fit,
    down to SHORTEST_PLOT."""
    big, shorter = _presenter(fig, font, width, tallest), fig
    for _ in range(2):  # (the text's room is in px: about the same again; a second pass takes
        over = (big.layout.height or 0) - tallest  # off what a wrapped line added)
        if over <= 0 or tallest >= PRESENTER_TALLEST:
            break
        height = shorter.layout.height or PLOTLY_HEIGHT
        plot = height - _margin(shorter, "t") - _margin(shorter, "b")
        cut = min(over, max(plot - SHORTEST_PLOT, 0))
        if cut <= 0:
            break
        shorter = type(fig)(shorter)
        shorter.layout.height = height - cut
        big = _presenter(shorter, font, width, tallest)
    return big


CONTROL_GAP = 10  # px more between a plot and the animation controls under it, on a projector
SHORTEST_PLOT = 180  # px: a presenter's plot made shorter to fit (``tallest``) keeps this much


def _presenter(fig: go.Figure, font: int, width: float, tallest: float) -> go.Figure:
    """``presenter``'s copy of ``fig``, its plot as high as ``fig``'s, or grown (a square one
    to its width, a short one to PRESENTER_PLOT)."""
    big = type(fig)(fig)  # an Animated copy keeps its frames plain
    big.update_layout(font_size=font, title_font_size=font + 4, legend_font_size=font - 2)
    tick, title = font - 2, font - 2  # (ticks of 16 px were too small at the back of a room)
    big.for_each_xaxis(lambda a: a.update(tickfont_size=tick, title_font_size=title))
    big.for_each_yaxis(lambda a: a.update(tickfont_size=tick, title_font_size=title))
    for scene in big.select_scenes():  # 3-D: tick labels that do not run into each other
        for axis in (scene.xaxis, scene.yaxis, scene.zaxis):
            axis.update(tickfont_size=tick - 4, title_font_size=title - 2, nticks=5)
    if big.layout.height is None:
        big.layout.height = PLOTLY_HEIGHT
    _fit_subplot_titles(big, font, title, width)
    for note in big.layout.annotations:  # other notes: at least an axis title's size
        was = note.font.size or 0
        note.font.size = max(was, title)
        if note.yshift and was:  # (notes stacked in px, as the lab's stops: as far apart)
            note.yshift = note.yshift * note.font.size / was
    for trace in big.data:  # text drawn on a map ("left the map at step 54"), or over a bar
        textfont = getattr(trace, "textfont", None)  # (the ConvNet's "100%"): as large
        drawn = trace.type == "bar" or "text" in (getattr(trace, "mode", None) or "")
        if textfont is not None and (textfont.size or (drawn and trace.text is not None)):
            textfont.size = max(textfont.size or 0, title)
    if big.layout.title.text:  # room for the larger title under the modebar (common.titled)
        top = _margin(big, "t")
        lines = _wrap_title(big, font + 4, width)
        big.layout.margin.t = max(top, title_margin(font + 4))
        more = (lines - 1) * LINE * (font + 4)  # px the lines after the first take
        if lines > 1 and big.layout.title.yanchor == "top" and big.layout.title.pad.t:
            big.layout.title.pad.t += more / 2  # (plotly.js centres a title's lines on its y)
        _grow(big, "t", math.ceil(more))
    _lift_controls_above(big)
    scale = CONTROL_FONT / 12  # the controls are laid out in pixels for 12-px labels
    for i, menu in enumerate(big.layout.updatemenus):
        menu.font.size = CONTROL_FONT
        if i and menu.pad.l:  # the speed buttons, after play and pause
            menu.pad.l = menu.pad.l * scale
    for slider in big.layout.sliders:
        slider.font.size = CONTROL_FONT - 2
        slider.currentvalue.font.size = CONTROL_FONT
        if slider.pad.l:
            slider.pad.l = slider.pad.l * scale
    # (under the plot: apart from it, as larger buttons need; the ConvNet's ▶ touched its
    # kernels' tiles, a fresh-eyes teacher). plotly.js's default pads: a menu's 0, a slider's 20
    under = [(c, 0) for c in big.layout.updatemenus if (c.y or 0) <= 0]
    under += [(c, 20) for c in big.layout.sliders if (c.y or 0) <= 0]
    for control, default in under:
        control.pad.t = (default if control.pad.t is None else control.pad.t) + CONTROL_GAP
    _grow(big, "b", CONTROL_GAP if under else 0)
    wrap_names(big, font - 2, width)
    _legend_under_axis_titles(big, tick, title, font - 2, width, exact=True)
    _square_plot_as_wide_as_shown(big, width, tallest)
    _legend_over_titles(big, font - 2, width)
    _short_plot_taller(big, tallest)
    for axis in big.select_yaxes():
        _thin_log_ticks(big, axis, tick)
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


def _thin_log_ticks(fig: go.Figure, axis, size: float) -> None:
    """On a log y ``axis`` labelled at 1, 2 and 5 of each decade (common.log_axis), keep only
    the labels that stand at least 1.5 × ``size`` px apart in the plot's height: at 18 px,
    Inside's short loss chart had 0.5, 0.2, 0.1, 0.05, 0.02, 0.01 and 0.005 touching (a
    fresh-eyes teacher). Decades first, then every other one; never fewer than two."""
    ticks = sorted(v for v in (axis.tickvals or ()) if v and v > 0)
    if axis.type != "log" or len(ticks) < 3 or fig.layout.height is None:
        return
    low, high = axis.domain or (0, 1)
    px = (fig.layout.height - _margin(fig, "t") - _margin(fig, "b")) * (high - low)
    lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])
    if axis.range:
        lo, hi = min(axis.range), max(axis.range)
    else:  # (autorange: the data reach past the outer ticks; a third of a decade each side)
        lo, hi = lo - 1 / 3, hi + 1 / 3
    per_decade = px / max(hi - lo, 1e-9)

    def apart(kept: list[float]) -> bool:
        gaps = np.diff(np.log10(kept)) * per_decade
        return len(kept) < 2 or float(gaps.min()) >= 1.5 * size

    if apart(ticks):
        return
    decades = [v for v in ticks if math.isclose(math.log10(v), round(math.log10(v)))]
    for kept in (decades, decades[::2]):
        if len(kept) >= 2 and apart(kept):
            break
    else:
        kept = [ticks[0], ticks[-1]]
    axis.tickvals = kept
    axis.ticktext = [tick_label(v) for v in kept]


def _square_plot_as_wide_as_shown(fig: go.Figure, width: float, tallest: float) -> None:
    """A figure of one plot whose y axis keeps x's scale (a map, a confusion matrix) made taller
    until its plot fills the ``width`` px it is shown in, up to ``tallest`` px: set for a
    page's narrow column, its square stayed about 350 px wide on a projector. (Not an
    animation: its map and ▶ are already laid out to fit the projector together.)"""
    xs, ys = list(fig.select_xaxes()), list(fig.select_yaxes())
    if len(xs) != 1 or len(ys) != 1 or ys[0].scaleanchor != "x" or fig.layout.height is None:
        return
    if fig.layout.updatemenus or fig.layout.sliders:
        return
    across = width - _margin(fig, "l") - _margin(fig, "r")
    high = fig.layout.height - _margin(fig, "t") - _margin(fig, "b")
    more = min(across * _data_aspect(fig) - high, tallest - fig.layout.height)
    if more > 0:
        fig.layout.height = fig.layout.height + int(more)


def _data_aspect(fig: go.Figure) -> float:
    """Height over width of a plot whose y axis keeps x's scale, from what it shows: a mosaic
    of images (one heatmap) its rows over its columns, else its axes' ranges, else square. (A
    ConvNet's 2 rows of 8 digits, made square on a projector, sat in 190 px of blank.)"""
    (x,), (y,) = fig.select_xaxes(), fig.select_yaxes()
    if x.range and y.range and x.range[1] != x.range[0]:  # (what is shown)
        return abs((y.range[1] - y.range[0]) / (x.range[1] - x.range[0]))
    grids = [tr for tr in fig.data if tr.type == "heatmap" and tr.z is not None]
    if len(grids) != 1 or np.ndim(grids[0].z) != 2:
        return 1.0
    grid = grids[0]
    if grid.x is not None and grid.y is not None and np.ptp(grid.x) > 0:  # (over coordinates)
        return float(np.ptp(grid.y) / np.ptp(grid.x))
    rows, cols = np.shape(grid.z)  # (over its cells: a mosaic of images)
    return rows / max(cols, 1)


PRESENTER_PLOT = 300  # px: on a projector, the least height of a plot (a figure's row of plots)


def _short_plot_taller(fig: go.Figure, tallest: float) -> None:
    """A figure whose shortest row of plots is under PRESENTER_PLOT px made taller until it
    is not, up to ``tallest`` px: the larger text's margins left the lab's loss curves 177 px
    high, From scratch's data 133 px and the race's loss 145 px on a 720-px projector (a
    fresh-eyes teacher). Not an animation (its plot and ▶ are laid out to fit together), nor a
    plot whose y axis keeps x's scale (it would not grow: _square_plot_as_wide_as_shown)."""
    ys = list(fig.select_yaxes())
    if not ys or fig.layout.height is None or fig.layout.updatemenus or fig.layout.sliders:
        return
    if any(axis.scaleanchor for axis in (*ys, *fig.select_xaxes())):
        return
    plot = fig.layout.height - _margin(fig, "t") - _margin(fig, "b")
    share = min((axis.domain or (0, 1))[1] - (axis.domain or (0, 1))[0] for axis in ys)
    more = int(min(PRESENTER_PLOT / max(share, 0.05) - plot, tallest - fig.layout.height))
    if more <= 0:
        return
    fig.layout.height = fig.layout.height + more
    # what sits outside the plot keeps its distance from it in px (a legend under the x
    # axis' title: at y = -0.2 of a taller plot it would move down past its margin)
    for item in (fig.layout.legend, *fig.layout.annotations):
        if item.y is None or (item.yref or "paper") != "paper" or 0 <= item.y <= 1:
            continue
        outside = (item.y - 1 if item.y > 1 else item.y) * plot / (plot + more)
        item.y = 1 + outside if item.y > 1 else outside


def presenter_width(share: float = 1.0) -> float:
    """The px a figure is shown at on a projector in ``share`` of the main column's width."""
    return PRESENTER_WIDTH * share - (COLUMN_GAP if share < 1 else 0)


def _wrap_title(fig: go.Figure, size: float, width: float) -> int:
    """The figure's title wrapped to ``width`` (less its left pad); its number of lines."""
    lines = wrap(str(fig.layout.title.text), size, width - 12)
    fig.layout.title.text = "<br>".join(lines)
    return len(lines)


def _fit_subplot_titles(fig: go.Figure, font: float, least: float, width: float) -> None:
    """Subplot titles (make_subplots': centred over a panel, on its top) at ``font`` px, at
    least ``least``, each wrapped to its panel's width and the gap beside it (a neighbour's
    title has the other half of the gap), and a top margin that holds the top row's lines."""
    plot = width - _margin(fig, "l") - _margin(fig, "r")  # px, the plot area's width
    spans = {tuple(a.domain) for a in fig.select_xaxes() if a.domain}
    spans |= {tuple(s.domain.x) for s in fig.select_scenes() if s.domain.x}
    grow = 0.0
    for note in (n for n in fig.layout.annotations if _is_subplot_title(n)):
        size = max(note.font.size or 0, font, least)
        room = width - 12  # (a title over no panel found: the figure's width)
        for lo, hi in spans:
            if math.isclose((lo + hi) / 2, note.x, abs_tol=1e-3):
                gaps = [lo - h for o, h in spans if h <= lo + 1e-9 and (o, h) != (lo, hi)]
                gaps += [o - hi for o, h in spans if o >= hi - 1e-9 and (o, h) != (lo, hi)]
                edge = min(lo * plot + _margin(fig, "l"), (1 - hi) * plot + _margin(fig, "r"))
                beside = min([g * plot for g in gaps] + [2 * edge])
                room = (hi - lo) * plot + beside - 8
                break
        old = LINE * (note.font.size or 12) * len(re.split(r"<br\s*/?>", str(note.text)))
        lines = wrap(str(note.text), size, room)
        note.text, note.font.size = "<br>".join(lines), size
        if note.y >= 1 - 1e-6:  # over the top row: in the top margin
            grow = max(grow, LINE * size * len(lines) - old)
    _grow(fig, "t", math.ceil(grow))


def _is_subplot_title(note) -> bool:
    return (
        note.xref == "paper"
        and note.yref == "paper"
        and note.yanchor == "bottom"
        and note.xanchor == "center"
        and note.showarrow is False
        and bool(note.text)
    )


def _legend_over_titles(fig: go.Figure, size: float, width: float) -> None:
    """A horizontal legend over the plot (``y`` > 1, anchored at its bottom) moved up over the
    top row's subplot titles (with the controls above it), and down under the figure's title
    when nothing else is between them; the top margin grows by what that takes."""
    legend = fig.layout.legend
    if (
        legend.orientation != "h"
        or legend.y is None
        or legend.y < 1
        or legend.yanchor != "bottom"
        or legend.yref == "container"
    ):
        return
    plot = fig.layout.height - _margin(fig, "t") - _margin(fig, "b")
    if plot <= 0:
        return
    tops = [n for n in fig.layout.annotations if _is_subplot_title(n) and n.y >= 1 - 1e-6]
    need = max((LINE * n.font.size * len(_lines(n.text)) + 8 for n in tops), default=0)
    have = (legend.y - 1) * plot  # px between the plot's top and the legend's bottom
    controls = [c for c in (*fig.layout.updatemenus, *fig.layout.sliders) if (c.y or 0) > 1]
    if have < need:
        for c in controls:  # (as far above the plot as they were above the legend)
            c.y = c.y + (need - have) / plot
        legend.y = 1 + need / plot
        _grow(fig, "t", math.ceil(need - have))
        have = need
    if fig.layout.title.text and not controls:  # the legend under the title, not on it
        title = fig.layout.title
        lines = len(_lines(title.text))
        bottom = MODEBAR_ROW + lines * LINE * (title.font.size or PRESENTER_FONT + 4)
        top = _margin(fig, "t") - have - _legend_height(fig, size, width)  # the legend's
        _grow(fig, "t", math.ceil(bottom + 4 - top))


def _lines(text) -> list[str]:
    return re.split(r"<br\s*/?>", str(text), flags=re.IGNORECASE)
