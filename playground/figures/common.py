"""Helpers shared by the figure builders: compact numbers, log colours, animation controls.

Fitted margins. Each 2-D figure's ``margin`` holds what sits in it (tick labels, axis titles, a
legend or colour bar beside the axes), as plotly.js measures it in Streamlit's theme, plus a
few pixels. With margins too small, plotly.js grows them to fit (``automargin``, which
Streamlit's theme turns on) and then lays the whole figure out a second time: every figure was
drawn twice, 40-50 % of its drawing time in the browser on each open and each change. Labels
that need more room (presenter mode's larger fonts, a narrow screen's two-row legend) still
get it, at the cost of that second layout. tests/e2e/test_browser.py checks that the views'
figures fit at their default settings.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.graph_objs import Frame  # (looked up once: ``go.Frame`` is a lazy import each time)

from playground.figures import legend
from playground.i18n import t

MAX_FRAMES = 251  # one frame per step up to 250 steps; longer runs are thinned (≈ 20 s at 1×)
MAX_SLIDER_STEPS = 101  # stops on an animation's scrubber
# pieces of a line that an animation draws as it plays (common.growing): each frame costs
# plotly.js a pass over every trace of the figure, so fewer pieces play faster (24 made the
# race's 2-run lesson take 17-22 s instead of 8 s at 1×; benchmarks/bench_frames.py), and more
# carry less of the line in each frame's tip
PIECES = 10
SPEEDS = (0.5, 1.0, 2.0, 4.0)
BASE_FRAME_MS = 80
SPEEDS_OFFSET, SLIDER_OFFSET = 150, 330  # px from the left: play/pause, speeds, then the slider
MODEBAR = 24  # px at the figure's top that plotly.js's modebar covers (its CSS: 2 px + 22 px)
TITLE_SIZE = 16  # px: a figure title's font in the app's theme (figures/theme.json)


def compact(values: np.ndarray | Sequence[float]) -> np.ndarray:
    """A flat float32 copy for a figure: NaN (a gap) where a value is not finite.

    plotly sends numpy arrays as base64 typed arrays: 4 bytes a number as float32, against 8–20
    for decimal text, and without the per-element Python conversion that text needs (which cost
    a tenth of the server's time under a classroom's load). Values beyond float32's range
    (about 3e38, only reached on the way to divergence) become gaps too.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.asarray(values, dtype=np.float64).ravel().astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    return out


def plain(text: str, limit: int = 40) -> str:
    """User text (a column name) as plotly shows it literally: its tags (``<a href>``, ``<b>``)
    and entities escaped, at most ``limit`` characters."""
    text = str(text)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decimals(values: np.ndarray | Sequence[float], digits: int = 5) -> list[float | None]:
    """Values rounded to ``digits`` significant digits, as a JSON-ready list (None if not finite).

    For the small arrays of animation frames, where a few short numbers beat a typed array's
    header. Vectorised: dividing by an exact power of ten gives the double whose shortest
    repr is the rounded decimal, so the JSON holds ``0.12346``, not ``0.12345999…``.
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        exp = np.floor(np.log10(np.abs(np.where(finite & (a != 0), a, 1.0))))
        keep = digits - 1 - exp  # decimal places to keep (negative: round to tens, hundreds…)
        scale = 10.0 ** np.abs(keep)
        out = np.where(keep >= 0, np.round(a * scale) / scale, np.round(a / scale) * scale)
    listed = out.tolist()
    if not finite.all():
        listed = [v if ok else None for v, ok in zip(listed, finite.tolist(), strict=True)]
    return listed


class Plain(go.Figure):
    """A ``go.Figure`` whose traces stay the plain dicts a builder wrote until one is read.

    plotly.py makes each trace a checked object when it builds a figure, even unchecked
    (``_validate=False``): for the race's 210 traces that was 65 of the 90 ms its figure took
    to build, paid on every change a student makes (py-spy under a classroom's load). A
    figure that is only sent (``export.to_send`` reads ``_data``, plotly.py's own list of each
    trace's properties) never needs the objects; reading ``data`` (an export, a test, a
    presenter copy) builds them then, as plotly.py would have, on the same dicts.

    ``_data`` and ``_data_objs`` are plotly.py's internals (``BaseFigure.__init__``): a trace
    object reads its properties from ``figure._data[trace._trace_ind]``;
    tests/test_figures.py pins that behaviour.
    """

    def __init__(self, *args, **kwargs) -> None:
        self.__dict__["_objs"] = None
        super().__init__(*args, **kwargs)

    def _adopt(self, data: list[dict]) -> None:
        """Take ``data`` (a list of trace dicts, copied as containers) as the traces.

        Each is what plotly.js reads: its ``type`` (a scatter where it has none, as plotly.py
        would write it), property names in full (``marker: {color}``, never plotly.py's
        ``marker_color`` shorthand) and no None values; tests/test_figures.py checks every
        builder's figures against plotly.py's own."""
        self._data = [{"type": "scatter"} | _copied(trace) for trace in data]
        self._data_defaults = [{} for _ in data]
        self.__dict__["_objs"] = None

    @property
    def _data_objs(self):
        objs = self.__dict__["_objs"]
        if objs is None:  # built from the plain dicts, which they then read and write
            # (from copies: plotly.py takes each dict's "type" out and back while it builds,
            # and a figure from a cache may be sent to another session meanwhile)
            copies = [dict(trace) for trace in self._data]
            objs = self._data_validator.validate_coerce(copies, _validate=False)
            for i, trace in enumerate(objs):
                trace._parent = self
                trace._orphan_props.clear()
                trace._trace_ind = i
            self.__dict__["_objs"] = objs
        return objs

    @_data_objs.setter
    def _data_objs(self, objs) -> None:
        self.__dict__["_objs"] = objs


def _copied(value):
    """``value`` with new dicts and lists all the way down (arrays and text shared): what
    plotly.py's deep copy of a trace gives, where nothing changes an array in place."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def traces(fig: go.Figure) -> list[dict]:
    """``fig``'s traces as plotly.py keeps their properties (plain dicts, read-only here):
    what reading ``fig.data`` gives without building each trace's object (``Plain``)."""
    return fig._data


class Animated(Plain):
    """A ``go.Figure`` whose animation frames stay plain, JSON-ready dicts.

    plotly turns each trace of each frame into a validated object and deep-copies them all in
    ``to_dict``: for 500 frames of 10 small traces that was 2–3 s of every rerun, a third of
    the server's time under a classroom's load (py-spy). The frames here are built as what
    plotly.js reads (``{"name", "traces", "data"}``), are sent as they are, and are turned into
    ``go.Frame`` objects only when ``frames`` is read (exports, tests).
    """

    _plain_frames: tuple = ()

    def __init__(self, *args, **kwargs) -> None:
        plain = kwargs.pop("frames", None) or ()
        if args and isinstance(args[0], Animated):  # a copy: keep the frames plain
            plain = args[0]._plain_frames
            args = (go.Figure.to_dict(args[0]), *args[1:])
        elif args and isinstance(args[0], dict) and "frames" in args[0]:  # e.g. unpickled
            spec = dict(args[0])
            plain = spec.pop("frames")
            args = (spec, *args[1:])
        super().__init__(*args, **kwargs)
        self.frames = plain

    @property
    def frames(self) -> tuple[go.Frame, ...]:
        return tuple(Frame(frame) for frame in self._plain_frames)

    @frames.setter
    def frames(self, frames) -> None:
        self._plain_frames = tuple(
            f.to_plotly_json() if isinstance(f, Frame) else dict(f) for f in frames or ()
        )

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self._plain_frames:
            out["frames"] = list(self._plain_frames)
        return out


@lru_cache(maxsize=16)
def _named_scale(name: str) -> str:
    return json.dumps([list(stop) for stop in go.Contour(colorscale=name).colorscale])


def named_scale(name: str) -> list[list]:
    """plotly.py's colour scale ``name`` in full, as its checks would send it: plotly.js has
    scales of the same names with other stops (a specification given to from_spec is sent as
    it is)."""
    return json.loads(_named_scale(name))


def subplot_layout(**options) -> tuple[dict, dict[tuple[int, int], dict[str, str]]]:
    """make_subplots' layout (axes, their domains, title annotations; no template) and each
    cell's axes, e.g. ``{(2, 1): {"xaxis": "x2", "yaxis": "y2"}, (1, 2): {"scene": "scene"}}``.

    Made once per arrangement (make_subplots checks every property it sets), a fresh copy for
    each caller. ``options`` are make_subplots' keyword arguments (JSON values).
    """
    layout, cells = json.loads(_subplot_layout(json.dumps(options, sort_keys=True)))
    return layout, {tuple(int(i) for i in k.split(",")): refs for k, refs in cells.items()}


@lru_cache(maxsize=32)
def _subplot_layout(options: str) -> str:
    from plotly.subplots import make_subplots

    kwargs = json.loads(options)
    fig = make_subplots(**kwargs)
    specs = kwargs.get("specs") or [[{}] * kwargs.get("cols", 1)] * kwargs.get("rows", 1)
    cells = {}
    for r, row in enumerate(specs, start=1):
        for c, spec in enumerate(row, start=1):
            if spec is None:  # (covered by a cell that spans it)
                continue
            sub = fig.get_subplot(r, c)
            if spec.get("type") == "scene":
                cells[f"{r},{c}"] = {"scene": sub.plotly_name}
            else:
                axes = (sub.xaxis.plotly_name, sub.yaxis.plotly_name)  # "xaxis2" → "x2"
                cells[f"{r},{c}"] = {a[0] + "axis": a.replace("axis", "") for a in axes}
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    return json.dumps([layout, cells])


def from_spec(data: list[dict], layout: dict, frames: Sequence[dict] | None = None) -> go.Figure:
    """A figure from its plain specification (what plotly.js reads), taken as it is.

    plotly.py checks a specification property by property when it builds a figure: 40-70 % of
    the server's time to build a live redraw of the lab, a new race map or descent animation
    (``benchmarks/bench_figures.py``), paid for every student's change. The builders that
    assemble a specification skip it; the tests check each of their figures instead
    (tests/test_figures.py), so a misspelt property still fails, in CI rather than in class.
    """
    if frames is None:
        fig = Plain({"layout": layout}, _validate=False)
    else:
        fig = Animated({"layout": layout}, frames=frames, _validate=False)
    fig._adopt(data)
    return legend.placed(fig)  # (a legend under the plot: below the x axes' titles)


def figure_title(text: str) -> dict:
    """A figure's title, left-aligned and under the row of the modebar (plotly.js's toolbar in
    the top-right corner), so that a long title is never under its buttons. Give the figure a
    top margin of at least ``title_margin()``, or use ``titled``."""
    return {
        "text": text,
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": MODEBAR + 4, "l": 4},
    }


def title_margin(size: float = TITLE_SIZE) -> int:
    """The top margin (px) that holds the modebar's row and, under it, a title of ``size`` px
    (one line, about 1.3 of its size high) and a few px above the plot."""
    return MODEBAR + 4 + math.ceil(1.3 * size) + 6


def titled(layout: dict, text: str) -> dict:
    """``layout`` with the title ``text`` (``figure_title``) and a top margin that holds it."""
    margin = layout.get("margin") or {}
    return layout | {
        "title": figure_title(text),
        "margin": margin | {"t": max(margin.get("t", 0), title_margin())},
    }


def legend_width(names: Sequence[str]) -> int:
    """About how wide (px) a vertical legend of ``names`` is drawn in Streamlit's theme.

    For a margin that must hold a legend whose entries depend on the data (fitted margins, see
    above): the marker and padding, then about 4.5 px per character and 11 px per wide (CJK)
    one at its 12 px font; fitted in Chromium to the basin map's entries, erring a little wide.
    """
    longest = max(
        (sum(11.0 if unicodedata.east_asian_width(ch) in "WF" else 4.5 for ch in name))
        for name in names
    )
    return int(40 + longest + 0.5)


def stride(n: int, limit: int) -> int:
    return max(1, int(np.ceil(n / limit)))


MOST_BAR_TICKS = 6  # labelled decades on a log colour bar


def log_colour_scale(z: np.ndarray) -> tuple[np.ndarray, dict]:
    """log10 of z (floored 8 decades under its max) and a colourbar labelled in loss values."""
    top = float(np.nanmax(z)) if np.isfinite(z).any() else 1.0
    floor = max(top * 1e-8, 1e-12)
    logz = np.log10(np.maximum(z, floor))
    lo, hi = int(np.floor(np.nanmin(logz))), int(np.ceil(np.nanmax(logz)))
    every = max(1, -(-(hi - lo) // (MOST_BAR_TICKS - 1)))  # (eight decades on a short bar
    ticks = list(range(hi, lo - 1, -every))[::-1]  # ran together on a projector: every other)
    bar = {"tickvals": ticks, "ticktext": [f"1e{k}" for k in ticks]}
    return logz, bar


TICK_MANTISSAS = ((1, 2, 5), (1, 2, 3, 5, 7), (1, 2, 3, 4, 5, 6, 7, 8, 9))


def log_axis(values: np.ndarray, least_decades: float = 0.0) -> dict:
    """A log axis for ``values`` whose labelled ticks are all inside their range: at least three
    where it can, never fewer than two; or a linear axis if a value is not positive.

    One tick per decade where the values span enough decades (at most about nine labelled);
    else 1, 2 and 5 in each decade, then 1, 2, 3, 5 and 7, then every digit, then evenly spaced
    round values in a range narrower than that. (A loss between 0.013 and 0.36 had only the
    tick 0.1 in view, one between 0.3 and 2 only 1: plotly's own ticks on a log axis with
    ``tickvals`` are just those given.) A single value gets a range around it.

    ``least_decades``: the axis spans at least this many decades, centred on the values: a
    loss that stays flat (Inside's zero initialisation, 0.6925 to 0.705) filled the chart, its
    noise drawn as wild swings (a fresh-eyes teacher).
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0 or values.min() <= 0:
        return {"type": "linear"}
    lo, hi = float(values.min()), float(values.max())
    axis: dict = {"type": "log"}
    if hi <= lo * (1 + 1e-6):  # one value: plotly would show a range of its own choosing
        lo, hi = lo / 2, hi * 2
        axis["range"] = [math.log10(lo), math.log10(hi)]
    if math.log10(hi / lo) < least_decades:
        mid = (math.log10(lo) + math.log10(hi)) / 2
        lo, hi = 10 ** (mid - least_decades / 2), 10 ** (mid + least_decades / 2)
        axis["range"] = [math.log10(lo), math.log10(hi)]
    ticks = [float(f"{v:.12g}") for v in _log_ticks(lo, hi)]
    return axis | {"tickvals": ticks, "ticktext": [tick_label(v) for v in ticks]}


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Round values between ``lo`` and ``hi`` (0 < lo < hi) for a log axis (``log_axis``)."""
    near = 1e-9 * hi  # (a tick on the smallest or largest value is in view)
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    step = max(1, -(-(last - first) // 8))  # at most about 9 labelled decades

    def inside(ticks) -> list[float]:
        return [v for v in ticks if lo - near <= v <= hi + near]

    ticks = inside(10.0**k for k in range(first, last + 1, step))
    for mantissas in TICK_MANTISSAS:
        if len(ticks) >= 3:
            return _cover(ticks, lo, hi)
        ticks = inside(m * 10.0**k for k in range(first, last + 1) for m in mantissas)
    if len(ticks) >= 3:
        return _cover(ticks, lo, hi)
    raw = (hi - lo) / 3  # within about one digit's step (0.11 to 0.19): round steps
    scale = 10.0 ** math.floor(math.log10(raw))
    step_ = max((m * scale for m in (2, 2.5, 5) if m * scale <= raw), default=scale)
    low, high = math.ceil(lo / step_ - 1e-9), math.floor(hi / step_ + 1e-9)
    digits = max(0, 1 - math.floor(math.log10(step_)))
    return [round(k * step_, digits) for k in range(low, high + 1)]


FILL_MANTISSAS = (1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)


def _cover(ticks: list[float], lo: float, hi: float) -> list[float]:
    """``ticks`` with a round tick added where more than a third of the axis (on the log
    scale) above the last one or below the first would have none (a loss from 0.06 to 0.17
    had every digit's tick from 0.06 to 0.1, and nothing over the upper 40 %)."""
    span = math.log10(hi / lo)
    ends = ((max(ticks), hi), (lo, min(ticks)))
    for a, b in ends:
        if span > 0 and math.log10(b / a) > span / 3:
            middle = math.sqrt(a * b)
            k = math.floor(math.log10(middle))
            candidates = [m * 10.0**e for e in (k - 1, k, k + 1) for m in FILL_MANTISSAS]
            inner = [v for v in candidates if a * 1.05 < v < b / 1.05]
            if inner:
                ticks = sorted({*ticks, min(inner, key=lambda v: abs(math.log10(v / middle)))})
    return [float(f"{v:.12g}") for v in ticks]


def tick_label(value: float) -> str:
    """A tick's label as a person writes it: 0.3, 20, 0.0005, and 1e-7 or 2e6 (not 1e-07) for
    the very small and the very large."""
    if value == 0 or 1e-4 <= abs(value) < 1e5:
        return f"{value:.12g}"
    mantissa, exponent = f"{value:.6e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def frame_indices(length: int, most: int = MAX_FRAMES, first: int = 0) -> np.ndarray:
    """Which of ``length`` steps get an animation frame: all of them up to ``most``, else the
    first, the last and those whose number (the index plus ``first``: 1 where a view counts
    from 1) is a multiple of d, the smallest of 1, 2, 5, 10, 20, … that fits (``most`` / 2.5
    frames at least): the scrubber's labels are then round and evenly apart (0, 10, 20, … or
    1, 5, 10, …; not 0, 3, 7, 11)."""
    if length <= most:
        return np.arange(length)
    every = nice_at_least(-(-(length - 1) // max(1, most - 2)))  # (room for the first, last)
    numbered = np.arange(0, length + first, every) - first  # (indices of the multiples)
    return np.unique(np.concatenate([[0], numbered[numbered >= 0], [length - 1]]))


def slider_stops(n_frames: int) -> np.ndarray:
    """Indices of the frames that the scrubber can stop at: at most MAX_SLIDER_STEPS, every
    m-th frame (m whole: the labels plotly.js writes under every few stops are evenly apart,
    not 1, 18, 35, 54) and the last (500 stops on a 600-pixel slider are closer than a mouse
    can tell apart, and each one costs plotly's validation and the page's JSON)."""
    every = nice_at_least(-(-(n_frames - 1) // (MAX_SLIDER_STEPS - 1)))
    return np.unique(np.append(np.arange(0, n_frames, every), n_frames - 1))


def nice_at_least(n: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least ``n`` (and at least 1)."""
    power = 1
    while True:
        for m in (1, 2, 5):
            if m * power >= n:
                return m * power
        power *= 10


def frame_of(name: str, updates: dict[int, dict]) -> dict:
    """An animation frame as plotly.js reads it: the traces it moves (by index, ascending) and
    what moves in each."""
    traces = sorted(updates)
    return {"name": name, "traces": traces, "data": [updates[i] for i in traces]}


def growing(
    columns: Sequence[np.ndarray],
    shown: np.ndarray,
    kind: str = "scatter",
    tip: str = "path",
    n_pieces: int = PIECES,
    first: int = 0,
) -> tuple[list[dict], list[dict[int, dict]]]:
    """A line that an animation draws as it plays: at frame k, its points 0…k and no more.

    Nothing of the outcome shows before ▶. Frames that resend the whole path so far grow with
    the square of its length (125,000 points for 500 steps), so the line is cut into PIECES
    pieces that stay in the figure and that frames reveal by their ``opacity`` (animated
    without a redraw, like positions), and a tip from the last whole piece to step k, which
    frames move (for 500 steps, 21 points at most).

    A frame where the scrubber can stop (``slider_stops``) sets every piece, so it shows the
    right line whatever was shown before. The frames between them are played in order (▶, or
    one step either way), so they set only the tip and the pieces either side of it.

    Parameters
    ----------
    columns
        The line's coordinates, each of shape (T + 1,): (x, y) or (x, y, z).
    shown
        The steps that get a frame (``frame_indices``), ascending.
    kind
        The trace type, which each fragment names (as plotly writes frames).
    tip
        "path": the tip is the line's points from the last whole piece to step k; "chord": the
        straight segment between them (two points a frame, for a small map where a piece's
        bends would not show; a fraction of the frames' data).
    n_pieces
        How many pieces (fewer: less data in the frames, a coarser line behind the tip).
    first
        The index of the first piece among the figure's traces (the frames' keys start there).

    Returns
    -------
    pieces, updates
        ``pieces``: trace fragments with the coordinates and ``opacity`` of each piece and then
        the tip, as at frame 0 (the caller adds axes and style). ``updates[f]``: for frame
        ``shown[f]``, trace index (``first`` + piece index) → its fragment. Fragments are
        shared between frames: never change one.
    """
    names = "xyz"[: len(columns)]
    n = len(columns[0])
    # always PIECES pieces (the last ones empty on a short path), so that a new number of
    # steps changes the traces' data, not their number: the chart then moves them in place
    size = piece_size(n, n_pieces)  # points per piece (their ends shared)
    # (a piece past the end is the last point twice: never empty or a single point, whose line
    # plotly.js does not redraw when it is moved in place, the chart's way to a new path)
    spans = [
        (j * size, j * size + size + 1) if j * size < n - 1 else (n - 1, n) for j in range(n_pieces)
    ]
    pieces: list[dict] = [
        {
            c: compact(np.resize(v[lo:hi], max(2, min(hi, n) - lo)))  # (never wraps around)
            for c, v in zip(names, columns, strict=True)
        }
        | {"type": kind, "opacity": 0}
        for lo, hi in spans
    ]
    tip_index = len(pieces)
    # rounded once, sliced per frame; whole numbers (steps) stay whole
    rounded = [
        v.tolist() if np.issubdtype(np.asarray(v).dtype, np.integer) else decimals(v)
        for v in columns
    ]
    # A piece is shown or hidden by one of two fragments, shared by every frame (frames are
    # never changed once built): a stop's frame sets every piece, so the frames of the stops
    # with as many whole pieces behind them are copies of one mapping (a tenth of the time)
    shown_piece = {"type": kind, "opacity": 1}
    hidden_piece = {"type": kind, "opacity": 0}
    every = [
        {first + j: shown_piece if j < done else hidden_piece for j in range(tip_index)}
        for done in range(tip_index + 1)
    ]
    stops = set(slider_stops(len(shown)).tolist())
    updates = []
    for f, k in enumerate(int(k) for k in shown):
        done = k // size  # whole pieces behind step k
        if tip == "chord" and k >= n - 1:  # at the end the whole line, not a chord to it
            done = len(pieces)
        # (a stop, or either side of where a chord becomes the whole line: played forwards or
        # stepped back, every piece jumps there, not only the tip's neighbours)
        if f in stops or (tip == "chord" and k >= n - 2):
            frame = every[done].copy()
        else:
            frame = {
                first + j: shown_piece if j < done else hidden_piece
                for j in (done - 1, done)
                if 0 <= j < tip_index
            }
        lo = min(done * size, k)
        if tip == "chord":
            ends = {c: [v[lo], v[k]] for c, v in zip(names, rounded, strict=True)}
        else:
            ends = {c: v[lo : k + 1] for c, v in zip(names, rounded, strict=True)}
        frame[first + tip_index] = {"type": kind, **ends}
        updates.append(frame)
    start = {c: v[:1] for c, v in zip(names, rounded, strict=True)}
    return [*pieces, {"type": kind, **start}], updates


def add_growing(
    data: list[dict],
    columns: Sequence[np.ndarray],
    shown: np.ndarray,
    style: dict,
    tip: str = "path",
    n_pieces: int = PIECES,
) -> list[dict[int, dict]]:
    """Append to ``data`` a line that an animation draws as it plays (``growing``): its pieces
    and then its tip, each ``style`` (type, axes, name, line…) with its own coordinates. Only
    the tip is in the legend, and only if ``style`` does not leave the line out of it.

    A ``style`` whose ``meta`` names a ``"step"`` column (a dict: ``{"run": …, "step":
    "step"}``) has each point's step in the figure's CSV: each piece's meta gets the step of
    its first point (``first_step``), the points being steps 0, 1, 2, … of ``columns``.

    Returns the line's updates for each frame of ``shown``, by index in ``data``.
    """
    first = len(data)
    pieces, updates = growing(columns, shown, style.get("type", "scatter"), tip, n_pieces, first)
    legend = style.get("showlegend", True)
    numbered = isinstance(style.get("meta"), dict) and "step" in style["meta"]
    if numbered:
        starts = piece_starts(len(columns[0]), n_pieces, int(shown[-1]) if len(shown) else 0)
    for j, piece in enumerate(pieces):
        trace = {**style, **piece, "showlegend": legend and j == len(pieces) - 1}
        if numbered:  # (the CSV numbers each point by its step: export.figure_table)
            trace["meta"] = {**style["meta"], "first_step": starts[j]}
        data.append(trace)
    return updates


def piece_size(n: int, n_pieces: int = PIECES) -> int:
    """Points per piece of a line of ``n`` points that ``growing`` cuts into ``n_pieces``."""
    return max(1, -(-(n - 1) // n_pieces))


def piece_starts(n: int, n_pieces: int = PIECES, last: int | None = None) -> list[int]:
    """The step of the first point of each piece of a line of ``n`` points that ``growing``
    draws, then of its tip at the step ``last`` shown (its last frame; default the end)."""
    size = piece_size(n, n_pieces)
    last = n - 1 if last is None else last
    return [min(j * size, n - 1) for j in range(n_pieces)] + [min(last // size * size, last)]


def animation_controls(
    names: list[str], labels: list[int], lang: str = "en", redraw: bool = True, y: float = -0.04
) -> dict:
    """Play, pause, speed buttons and a step scrubber for client-side frames.

    ``names``: the frames' names; ``labels``: the step each shows, as the scrubber says it (also
    kept in the layout's ``meta``, for a picture of one frame to say its step: export.still).

    ``redraw=False`` moves only the traces a frame names, without redrawing the rest; use it
    whenever frames touch only 2-D traces (3-D traces need a redraw). A full redraw of several
    contour maps takes longer than a frame, so the maps would never finish drawing. ``y`` places
    the controls (paper coordinates, below the plots): lower it when the bottom row's axes are
    labelled, and give the figure a bottom margin to hold them.
    """

    def play(speed: float) -> dict:
        ms = int(BASE_FRAME_MS / speed)
        return {
            "frame": {"duration": ms, "redraw": redraw},
            "transition": {"duration": 0},
            "fromcurrent": True,
            "mode": "immediate",
        }

    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    buttons = [
        {"label": "▶ " + t("btn_play", lang), "method": "animate", "args": [None, play(1.0)]},
        {"label": "❚❚ " + t("btn_pause", lang), "method": "animate", "args": [[None], pause]},
    ]
    speeds = [{"label": f"{v:g}×", "method": "animate", "args": [None, play(v)]} for v in SPEEDS]
    stops = slider_stops(len(names))  # (playing still shows every frame)
    slider_steps = [
        {
            "label": str(labels[i]),
            "method": "animate",
            "args": [
                [names[i]],
                {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate"},
            ],
        }
        for i in stops
    ]
    return {
        "meta": {"frame_steps": dict(zip(names, (str(label) for label in labels), strict=True))},
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "buttons": buttons,
                "showactive": False,
                "x": 0.0,
                "y": y,
                "xanchor": "left",
                "yanchor": "top",
            },
            {
                "type": "buttons",
                "direction": "left",
                "buttons": speeds,
                "showactive": True,
                "active": 1,
                "x": 0.0,
                "y": y,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"l": SPEEDS_OFFSET},  # pixels, so narrow figures never overlap
            },
        ],
        "sliders": [
            {
                "steps": slider_steps,
                "active": 0,
                "x": 0.0,
                "len": 1.0,
                "y": y + 0.02,
                "currentvalue": {"prefix": t("slider_step", lang) + " "},
                "pad": {"t": 10, "l": SLIDER_OFFSET},
            },
        ],
    }


def controls_above(controls: dict, y: float) -> dict:
    """``controls`` (animation_controls) moved over the plot: their bottom at ``y`` (paper
    coordinates, above 1), with no padding above or below the slider. Give the figure a top
    margin that holds them."""
    for control in [*controls["updatemenus"], *controls["sliders"]]:
        control.update(y=y, yanchor="bottom")
    for slider in controls["sliders"]:
        slider["pad"].update(t=0, b=0)
    return controls


VIRIDIS = (
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
)
BANDS = 24  # colour bands of a map image: they read like filled contours


def _rgb(hex_colours: Sequence[str]) -> np.ndarray:
    return np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hex_colours], dtype=float)


def map_image(z: np.ndarray, lo: float, hi: float, palette: Sequence[str] = VIRIDIS) -> str:
    """A banded PNG of ``z`` (shape (n_y, n_x), row 0 at the bottom) as a data URI, ``lo`` to
    ``hi`` spread over ``palette`` (hex colours; Viridis unless given).

    Maps drawn as images survive animations that move only scatter traces (plotly drops
    contour and heatmap traces from frames played without a full redraw, and a full redraw
    of several maps takes longer than a frame). NaN is drawn light grey.

    The last images made are kept, by content: a new race on the same surface draws the same
    maps (5-10 ms each to colour and compress, against 0.3 ms to recognise).
    """
    z = np.ascontiguousarray(z, dtype=np.float64)
    return _map_image(_Keyed(z), float(lo), float(hi), tuple(palette))


def map_layer(
    values: np.ndarray, xs: np.ndarray, ys: np.ndarray, lo: float, hi: float, axes: dict
) -> dict:
    """``values`` (shape (n_y, n_x), evenly spaced from ``xs[0]`` to ``xs[-1]`` and ``ys[0]`` to
    ``ys[-1]``) as a layout image under the traces of the subplot whose trace axes are ``axes``
    (``{"xaxis": "x2", "yaxis": "y2"}``).

    Each value fills a cell centred on its point, as a heatmap's would.
    """
    n_y, n_x = values.shape
    dx, dy = (xs[-1] - xs[0]) / max(n_x - 1, 1), (ys[-1] - ys[0]) / max(n_y - 1, 1)
    return {
        "source": map_image(values, lo, hi),
        "xref": axes["xaxis"],
        "yref": axes["yaxis"],
        "x": float(xs[0] - dx / 2),
        "y": float(ys[-1] + dy / 2),
        "sizex": float(xs[-1] - xs[0] + dx),
        "sizey": float(ys[-1] - ys[0] + dy),
        "sizing": "stretch",
        "layer": "below",
        "xanchor": "left",
        "yanchor": "top",
    }


class _Keyed:
    """An array that hashes and compares by its content (a cache key)."""

    __slots__ = ("array", "key")

    def __init__(self, array: np.ndarray) -> None:
        digest = hashlib.blake2b(array.tobytes(), digest_size=16).digest()
        self.array, self.key = array, (digest, array.shape)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and self.key == other.key


@lru_cache(maxsize=32)
def _map_image(keyed: _Keyed, lo: float, hi: float, colours: tuple[str, ...]) -> str:
    z, keyed.array = keyed.array, None  # the cache keeps the key, not the array
    span = hi - lo if hi > lo else 1.0
    with np.errstate(invalid="ignore"):
        level = np.clip(np.floor((z - lo) / span * BANDS), 0, BANDS - 1)  # (n_y, n_x)
    palette = _rgb(colours)
    pos = (level + 0.5) / BANDS * (len(palette) - 1)
    low = np.floor(np.nan_to_num(pos)).astype(int).clip(0, len(palette) - 2)
    frac = (np.nan_to_num(pos) - low)[..., None]
    rgb = palette[low] * (1 - frac) + palette[low + 1] * frac
    rgb[~np.isfinite(z)] = 235
    pixels = rgb[::-1].round().astype(np.uint8)  # PNG rows run top to bottom
    return "data:image/png;base64," + base64.b64encode(_png(pixels)).decode("ascii")


def _png(pixels: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 array as a PNG (zlib from the standard library)."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def colour_scale(palette: Sequence[str] = VIRIDIS) -> list[list]:
    """``palette`` (Viridis unless given) as a plotly colour scale, as :func:`map_image`
    spreads it."""
    return [[i / (len(palette) - 1), c] for i, c in enumerate(palette)]


NO_NOTE = {"x": [], "y": [], "text": []}


def notes_at(notes: dict[int, tuple[int, dict]], step: int) -> dict[int, dict]:
    """A frame's updates of the note traces (``note_trace``) at ``step``: ``notes`` maps a note's
    trace index to the step it is shown from and what it shows (its ``x``, ``y``, ``text``);
    before that step it is empty."""
    return {
        index: {"type": "scatter"} | (note if step >= from_step else NO_NOTE)
        for index, (from_step, note) in notes.items()
    }


HALO = ", ".join(f"{dx}px {dy}px 1px white" for dx in (-1, 1) for dy in (-1, 1)) + ", 0 0 4px white"


def note_trace(color: str = "#d62728") -> dict:
    """A marker (an x of ``color``) with a text beside it that frames show from a step on
    (``NO_NOTE`` before): where a path left the map, the step a loss diverged."""
    return {
        "type": "scatter",
        "x": [],
        "y": [],
        "text": [],
        "mode": "markers+text",
        "marker": {"symbol": "x", "size": 12, "color": color},
        "textfont": {  # near-black in a white halo: readable on the red path and the map's bands
            "color": "#1a1a1a",
            "size": 13,
            "weight": "bold",
            "shadow": HALO,  # (a blur alone left grey text on the dark purple of a map)
        },
        "cliponaxis": False,
        "showlegend": False,
        "hoverinfo": "skip",
    }


def off_window_start(
    w: float, b: float, window: tuple[float, float, float, float]
) -> tuple[tuple[float, float], str] | None:
    """Where to say that a path starting at (w, b) outside ``window`` (w_min, w_max, b_min,
    b_max) starts off the map: the nearest point on the window's edge and a label position
    that stays on the map; None for a start on the map (or not a number)."""
    w0, w1, b0, b1 = window
    if not (np.isfinite(w) and np.isfinite(b)) or (w0 <= w <= w1 and b0 <= b <= b1):
        return None
    ew, eb = float(np.clip(w, w0, w1)), float(np.clip(b, b0, b1))
    return (ew, eb), _inward(ew, eb, window)


def _inward(w: float, b: float, window: tuple[float, float, float, float]) -> str:
    """The ``textposition`` of a label at (w, b) that puts it towards the window's centre."""
    w0, w1, b0, b1 = window
    vertical = "bottom" if b >= (b0 + b1) / 2 else "top"
    horizontal = "left" if w >= (w0 + w1) / 2 else "right"
    return f"{vertical} {horizontal}"


def left_window(
    w: np.ndarray, b: np.ndarray, window: tuple[float, float, float, float]
) -> tuple[int, tuple[float, float], str] | None:
    """The first step the path (w, b) is outside ``window`` (w_min, w_max, b_min, b_max), the
    point where its last segment crosses the window's edge, and where a label beside it stays
    on the map; None if it never leaves."""
    w0, w1, b0, b1 = window
    outside = (w < w0) | (w > w1) | (b < b0) | (b > b1)
    if not outside.any() or outside[0]:
        return None
    k = int(np.argmax(outside))
    (pw, pb), (qw, qb) = (w[k - 1], b[k - 1]), (w[k], b[k])
    s = 1.0  # the part of the segment inside the window (Liang-Barsky, from its inner end)
    for p, d, lo, hi in ((pw, qw - pw, w0, w1), (pb, qb - pb, b0, b1)):
        if not np.isfinite(d):
            continue
        if d > 0:
            s = min(s, (hi - p) / d)
        elif d < 0:
            s = min(s, (lo - p) / d)
    s = 0.0 if not np.isfinite(s) else max(0.0, s)
    ew, eb = pw + s * (qw - pw), pb + s * (qb - pb)
    return k, (float(ew), float(eb)), _inward(ew, eb, window)
