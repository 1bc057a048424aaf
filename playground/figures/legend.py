"""Where a figure's legend goes and how much room text takes: estimates in px that the
builders (common.from_spec), presenter mode and the PNG export share.

plotly.js places a horizontal legend under the plot in paper units (a share of the plot's
height), but what it must clear — the x axes' tick labels and titles — is in px: a legend
placed for one height or text size ran into "epoch" at another.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

import plotly.graph_objects as go

LINE = 1.35  # a line of text is about this many times its font size high
X_STANDOFF = 20  # px between an x axis's tick labels and its title (the chart's theme)
MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # plotly's defaults
THEME_TICK, THEME_TITLE = 12, 14  # px: the chart theme's tick labels and axis titles
PLOTLY_HEIGHT = 450  # px: plotly.js's height for a figure that sets none
NARROWEST = 400  # px: half the main column on a 1280-px screen, the narrowest a figure is shown
SPARE = 10  # px more under a legend than it seems to need (plotly.js pads it)
SHOWN_WIDTH = 980  # px: the page's main column on a 1440 × 900 screen (measured in Chromium)


def as_shown(text: str) -> str:
    """A name as plotly shows it: line breaks as spaces, no tags (``<b>``), entities as the
    characters they stand for (``&lt;`` is <)."""
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


def text_width(text: str, size: float) -> float:
    """About how wide (px) one line of ``text`` is at ``size`` px, erring wide: half the size
    for a Latin letter or digit (Source Sans, bold or not), the whole size for a wide (CJK)
    character; tags (``<b>``) take no room."""
    text = as_shown(text)
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.5 * size for ch in text)


BREAK = re.compile(r"(?<= )(?! )|(?=[(（])")  # where a line may break: after spaces, before "("


def wrap(text: str, size: float, room: float) -> list[str]:
    """``text``'s lines (``<br>`` kept) broken further where one is wider than ``room`` px at
    ``size`` px: before its last opening bracket if both parts then fit ("Confusion matrix of
    Baseline" / "(test accuracy 90.1%)"), else at spaces and brackets, as many words a line as
    fit. A word wider than ``room`` stays whole."""
    out: list[str] = []
    for line in re.split(r"<br\s*/?>", text, flags=re.IGNORECASE):
        if text_width(line, size) <= room:
            out.append(line)
            continue
        opening = max(line.rfind("("), line.rfind("（"))
        if opening > 0:
            head, tail = line[:opening].rstrip(), line[opening:]
            if text_width(head, size) <= room and text_width(tail, size) <= room:
                out += [head, tail]
                continue
        current = ""
        for piece in BREAK.split(line):  # (each piece keeps the space after it)
            if current.strip() and text_width(current + piece.rstrip(), size) > room:
                out.append(current.rstrip())
                current = ""
            current += piece
        out.append(current.rstrip())
    return out


def margin(fig: go.Figure, side: str) -> float:
    value = fig.layout.margin[side]
    return value if value is not None else MARGIN[side]


def grow(fig: go.Figure, side: str, px: float) -> None:
    """``px`` more margin on ``side`` ("t" or "b"), the figure as much taller: its plot keeps
    its height, and what is placed in paper units over or under it stays where it was."""
    if px > 0:
        fig.layout.margin[side] = margin(fig, side) + px
        fig.layout.height = fig.layout.height + px


def under_x_titles(
    fig: go.Figure, tick: float, title: float, size: float, width: float, spare: float = 0
) -> None:
    """A horizontal legend under the plot (``y`` < 0 in paper units) placed below the x axes'
    tick labels (``tick`` px) and titles (``title`` px), and a bottom margin that holds it on as
    many rows as its entries (``size`` px) take in ``width`` px: every figure as it is built
    (common.from_spec, at the chart theme's sizes), on a projector, and in a PNG."""
    legend = fig.layout.legend
    if legend.orientation != "h" or legend.y is None or legend.y >= 0 or legend.yref == "container":
        return
    if fig.layout.height is None:
        fig.layout.height = PLOTLY_HEIGHT
    titled = any(a.title.text for a in fig.select_xaxes() if a.visible is not False)
    below = tick + 6 + (X_STANDOFF + LINE * title if titled else 0) + 8  # px under the plot
    plot = fig.layout.height - margin(fig, "t") - margin(fig, "b")
    if plot <= 0:
        return
    legend.y, legend.yanchor = -below / plot, "top"
    grow(fig, "b", math.ceil(below + height(fig, size, width) + spare - margin(fig, "b")))


def height(fig: go.Figure, size: float, width: float) -> float:
    """About how high (px) a horizontal legend of ``size`` px text is drawn in ``width`` px:
    once it wraps, plotly.js lines its entries up in columns as wide as the widest one, and a
    row is as high as its entry of the most lines (``wrap_names``)."""
    names = [str(tr.name) for tr in fig.data if tr.name and tr.showlegend is not False]
    lines = [re.split(r"<br\s*/?>", n, flags=re.IGNORECASE) for n in dict.fromkeys(names)]
    entries = [40 + max(text_width(line, size) for line in entry) for entry in lines]
    if not entries:
        return 0.0
    per_row = len(entries) if sum(entries) <= width else max(1, int(width // max(entries)))
    rows = [lines[i : i + per_row] for i in range(0, len(lines), per_row)]
    return sum(LINE * size * max(len(entry) for entry in row) + 14 for row in rows)


def wrap_names(fig: go.Figure, size: float, width: float) -> None:
    """The entries of a horizontal legend that are wider than ``width`` px at ``size`` px on
    more lines (plotly.js cuts an entry at the figure's edge: "… until it stopped at e").
    For a copy of a figure that is drawn (presenter mode, a PNG): its CSV keeps the names."""
    if fig.layout.legend.orientation != "h":
        return
    room = width - 40 - 8  # (an entry's symbol before its text, and plotly.js's padding)
    for trace in fig.data:
        if trace.name and trace.showlegend is not False and text_width(trace.name, size) > room:
            trace.name = "<br>".join(wrap(str(trace.name), size, room))


def placed(fig: go.Figure) -> go.Figure:
    """``fig`` with a legend under its plot below the x axes' titles at the chart theme's
    sizes (for builders that make their figure with plotly.py rather than common.from_spec).

    Its bottom margin holds the legend as it wraps in the narrowest column a figure is shown
    in (half the main column at 1280 px), with some room to spare: a margin plotly.js has to
    grow makes it lay the figure out twice (40-50 % of its drawing time, figures/common.py).
    """
    under_x_titles(fig, THEME_TICK, THEME_TITLE, THEME_TICK, NARROWEST, spare=SPARE)
    return fig
