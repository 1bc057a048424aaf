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
    fig: go.Figure,
    tick: float,
    title: float,
    size: float,
    width: float,
    spare: float = 0,
    exact: bool = False,
) -> None:
    """A horizontal legend under the plot (``y`` < 0 in paper units) placed below the x axes'
    tick labels (``tick`` px) and titles (``title`` px), and a bottom margin that holds it on as
    many rows as its entries (``size`` px) take in ``width`` px: every figure as it is built
    (common.from_spec, at the chart theme's sizes), on a projector, and in a PNG.

    ``exact``: the margin becomes what the legend needs, less than it was too (a copy to draw,
    whose legend ``wrap_names`` laid out: the room a builder kept for the narrowest column
    left a blank band under a PNG's legend); else it only grows."""
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
    # (its margin holds it: never the scroll bar plotly.js gives a horizontal legend taller
    # than half the figure, which cut the lab's last entry on a projector)
    legend.maxheight = 1
    more = math.ceil(below + height(fig, size, width) + spare - margin(fig, "b"))
    if exact and more < 0:
        fig.layout.margin.b, fig.layout.height = margin(fig, "b") + more, fig.layout.height + more
    grow(fig, "b", more)


ITEM = 40  # px before an entry's text: its symbol and plotly.js's gaps around it


def height(fig: go.Figure, size: float, width: float) -> float:
    """About how high (px) a horizontal legend of ``size`` px text is drawn in ``width`` px:
    once it wraps, plotly.js lines its entries up in columns as wide as the widest one (or in
    the columns ``wrap_names`` set), and a row is as high as its entry of the most lines."""
    lines = [re.split(r"<br\s*/?>", n, flags=re.IGNORECASE) for n in _names(fig)]
    if not lines:
        return 0.0
    legend = fig.layout.legend
    if legend.entrywidthmode == "pixels" and legend.entrywidth:  # (set by wrap_names)
        room = width - _side(fig, "l") - _side(fig, "r")
        per_row = max(1, int(room // (ITEM + legend.entrywidth + 5)))
    else:
        entries = [ITEM + max(text_width(line, size) for line in entry) for entry in lines]
        per_row = len(entries) if sum(entries) <= width else max(1, int(width // max(entries)))
    rows = [lines[i : i + per_row] for i in range(0, len(lines), per_row)]
    return sum(LINE * size * max(len(entry) for entry in row) + 14 for row in rows)


def _names(fig: go.Figure) -> list[str]:
    """The legend's entries, once each, in order."""
    # (plotly.py's dict of each trace's properties: reading ``fig.data`` would build every
    # trace's object, which a figure of common.from_spec only builds when it must)
    shown = [d for d in fig._data if d.get("name") and d.get("showlegend") is not False]
    names = [str(d["name"]) for d in shown]
    return list(dict.fromkeys(names))


def wrap_names(fig: go.Figure, size: float, width: float) -> None:
    """A horizontal legend of ``size`` px text in a figure ``width`` px wide, for a copy of a
    figure that is drawn (presenter mode, a PNG; its CSV keeps the names):

    - one row if it fits;
    - else, under the plot, in equal columns (plotly.js's ``entrywidth``), as many as draw it on
      the fewest lines, each entry wrapped to its column. Left to itself, plotly.js makes every
      column as wide as the widest entry: one long name put every entry on a row of its own
      (the lab's fit: eight rows, most of the figure);
    - an entry wider than its room on more lines (plotly.js cuts an entry at the figure's
      edge: "… until it stopped at e").
    """
    legend = fig.layout.legend
    if legend.orientation != "h":
        return
    room = width - _side(fig, "l") - _side(fig, "r")  # (plotly.js: as wide as the plot)
    names = _names(fig)
    wide = [ITEM + text_width(name, size) for name in names]
    columns, spare = 1, 0.0
    under = legend.y is not None and legend.y < 0  # (a legend over the plot: room made for it)
    if under and len(names) > 1 and sum(wide) + 5 * len(names) > room:
        columns = min(range(1, len(names) + 1), key=lambda k: (_high(names, size, room, k), k))
        # px of an entry's text: plotly.js adds ITEM before it and a 5-px gap after it, and
        # starts a new row where an entry would reach the plot's width, which its automargin
        # can narrow (wider tick labels, "0.001": 6 px made the lab's two columns one, its
        # legend taller than plotly.js's half of the figure, and scrolled: a teacher)
        spare = AUTOMARGIN_SPARE / columns
        legend.entrywidthmode = "pixels"
        legend.entrywidth = math.floor(room / columns - spare) - 46
    text_room = room / columns - spare - ITEM - 8  # (an entry's text fits its column)
    for trace in fig.data:
        shown = trace.name and trace.showlegend is not False
        if shown and text_width(trace.name, size) > text_room:
            trace.name = "<br>".join(wrap(str(trace.name), size, text_room))


AUTOMARGIN_SPARE = 16  # px of a legend's row left for plotly.js's automargin (wrap_names)


def _side(fig: go.Figure, side: str) -> float:
    value = fig.layout.margin[side]
    return value if value is not None else MARGIN[side]


def _high(names: list[str], size: float, room: float, columns: int) -> float:
    """About how high (px) ``names`` are drawn in ``columns`` equal columns of ``room`` px
    (rows as high as their entry of the most lines, as ``height``); infinite if a word is wider
    than its column."""
    text_room = room / columns - ITEM - 8
    wrapped = [wrap(name, size, text_room) for name in names]
    if any(text_width(line, size) > text_room for lines in wrapped for line in lines):
        return math.inf
    rows = [wrapped[i : i + columns] for i in range(0, len(wrapped), columns)]
    return sum(LINE * size * max(len(lines) for lines in row) + 14 for row in rows)


def placed(fig: go.Figure) -> go.Figure:
    """``fig`` with a legend under its plot below the x axes' titles at the chart theme's
    sizes (for builders that make their figure with plotly.py rather than common.from_spec).

    Its bottom margin holds the legend as it wraps in the narrowest column a figure is shown
    in (half the main column at 1280 px), with some room to spare: a margin plotly.js has to
    grow makes it lay the figure out twice (40-50 % of its drawing time, figures/common.py).
    """
    under_x_titles(fig, THEME_TICK, THEME_TITLE, THEME_TICK, NARROWEST, spare=SPARE)
    return fig
