"""Display helpers the views share: the error guard, numbers and tables for people, code
listings and "show the code", results downloads, notes on the data. They draw; they compute
nothing (compute.py) and hold no state outside st.session_state.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import frame
import numpy as np
import pandas as pd
import streamlit as st
from frame import language
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from playground import data
from playground.i18n import UserError, t

log = logging.getLogger("playground")


def show_code(
    script,
    filename: str,
    key: str,
    where=None,
    help_key: str = "show_code_help",
) -> None:
    """ "Show the code": a runnable PyTorch script of the current run, to read or download.
    ``help_key``: what the caption says the script prints (the lab's runs are sensitive to
    rounding, so its script does not print the view's numbers to every digit).

    ``script``: the script (None: none can be written), or a callable of one run's name giving
    its script, with the runs' names as its ``runs`` attribute (and how to show a name as its
    ``label``): the student picks the run."""
    lang = language()
    where = where or st
    # Drawn only while open: a highlighted script is a large element that every page open and
    # every rerun would otherwise pay for in the browser (0.4-0.6 s measured, bench_latency.py).
    box = where.expander(
        t("show_code", lang), icon=":material/code:", key=key + "_open", on_change="rerun"
    )
    if not box.open:
        return
    with box:
        if callable(script):  # (written only for the run picked, and only while open)
            which = st.selectbox(
                t("show_code_run", lang),
                script.runs,
                key=key + "_run",
                format_func=getattr(script, "label", str),
            )
            script = script(which)
        if script is None:
            st.info(t("show_code_unavailable", lang))
            return
        st.caption(t(help_key, lang, file=filename))
        st.code(script, language="python", line_numbers=True)
        st.download_button(
            t("show_code_download", lang),
            lambda: script,  # (a rerun stores no file: see results_csv)
            filename,
            "text/x-python",
            key=key,
            icon=":material/download:",
            on_click="ignore",
        )


@contextmanager
def guarded(lang: str) -> Iterator[None]:
    """Show user errors as messages and unexpected ones as a notice; never a traceback."""
    try:
        yield
    except UserError as err:
        st.error(err.message(lang, frame.inert), icon=":material/error:")
    except Exception:  # the page must survive; the server log keeps the details
        log.exception("unexpected error in a view")
        st.error(t("err_unexpected", lang), icon=":material/error:")


def num(value: float, digits: int = 4) -> str:
    """A number for people: 4 significant digits, with rounding noise (|v| < 1e-10) shown as 0."""
    value = float(value)
    return f"{0.0 if abs(value) < 1e-10 else value:.{digits}g}"


def display_table(frame):
    """Numbers for people in a table: 4 significant digits, every blank as "—" (never "None",
    "<NA>", "nan" or an empty cell beside a "—")."""

    def cell(value: object) -> object:
        if value is None or value is pd.NA or value is pd.NaT or value == "":
            return "—"
        if isinstance(value, float | np.floating) and not np.isfinite(value):
            return "—"
        if isinstance(value, float):
            return int(value) if value.is_integer() and abs(value) < 1e9 else f"{value:.4g}"
        return value

    return frame.map(cell).astype(str)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")
NUMBER = re.compile(r"^[-+−]?[\d,.]+(e[-+]?\d+)?%?$|^—$")


def markdown_table(frame, index: bool = False) -> str:
    """``frame`` as a Markdown table: every cell as its text, number columns aligned right.

    Characters Markdown would read (``|``, ``*``, ``_``, ``$`` for LaTeX…) are escaped, so a cell
    shows exactly its text.
    """
    columns = [(str(c), frame.iloc[:, j]) for j, c in enumerate(frame.columns)]
    if index:
        columns.insert(0, (str(frame.index.name or ""), frame.index))

    def text(value: object) -> str:
        return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))

    heads = [text(name) or " " for name, _ in columns]
    cells = [[text(v) for v in values] for _, values in columns]  # (columns, rows)
    rule = ["---:" if col and all(NUMBER.match(v) for v in col) else "---" for col in cells]
    lines = [heads, rule, *zip(*cells, strict=True)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def table(frame, where=None, index: bool = False) -> None:
    """Show a small table (results, layers, coefficients) as Markdown.

    Not ``st.dataframe``: its data grid is 1.3 MB of JavaScript that the browser loads and runs
    before it shows any of the view: the from-scratch and ConvNet views open 0.4-0.6 s sooner
    without it on a 2-core machine (A/B, 16 opens each). Tables here have a few rows.

    A column with no value in any row ("—" throughout: "escaped the saddle at step" on a
    surface without one) is left out, and the caption under the table names it: a results
    table of nine columns wrapped its headers onto four lines on a projector. (Its CSV keeps
    every column.)
    """
    where = where or st
    empty = [c for c in frame.columns if len(frame) and (frame[c].astype(str) == "—").all()]
    if empty:
        frame = frame.drop(columns=empty)
    where.markdown(markdown_table(frame, index))
    if empty:
        # (each in quotes: "…: early stopping stopped at." read as a sentence cut short)
        names = ", ".join("“" + MARKDOWN_SPECIAL.sub(r"\\\1", str(c)) + "”" for c in empty)
        key = "table_left_out" if len(empty) > 1 else "table_left_out_one"
        where.caption(t(key, language(), columns=names))


LISTING = HtmlFormatter(
    noclasses=True,  # inline colours: no stylesheet to ship
    nobackground=True,
    # each line as written, its indentation kept: a long line scrolls inside the listing
    # (.listing: overflow-x auto) rather than wrap to the left edge
    prestyles="white-space: pre; margin: 0; font-size: 0.82rem; line-height: 1.45;"
    "font-family: 'Source Code Pro', monospace",
)


def listing(source: str, where=None) -> None:
    """Python source, coloured on the server (Pygments) and shown as HTML.

    Not ``st.code``: it loads Streamlit's syntax highlighter, 1.56 MB of JavaScript that the
    browser runs before it shows any of the view. Four listings under a one-chart page made it
    open in 3.46 s against 2.38 s without them; as HTML, 2.25 s (6 opens each, alternating).
    """
    (where or st).html(coloured(source))


@lru_cache(maxsize=32)
def coloured(source: str) -> str:
    """The listing's HTML, made once per source (Pygments takes 5-7 ms a listing)."""
    html = highlight(source, PythonLexer(), LISTING)
    return (
        '<div class="listing" style="background: #f6f7f9; border-radius: 0.5rem;'
        f' padding: 0.6rem 0.9rem; overflow-x: auto">{html}</div>'
    )


BREAK_HINT = "\u200b"  # where a table header may wrap (zh, between words: catalogue)


def csv_text(frame, **to_csv) -> str:
    """``frame`` as CSV, its column and index names without the zero-width spaces that mark
    where a header may wrap on the page (a spreadsheet would keep them in its names)."""
    plain = frame.rename(columns=lambda c: str(c).replace(BREAK_HINT, ""))
    plain = plain.rename_axis(str(plain.index.name or "").replace(BREAK_HINT, "") or None)
    return plain.to_csv(**to_csv)


def results_csv(
    frame, filename: str, key: str, lang: str, label: str | None = None, disabled: bool = False
) -> None:
    """A button that downloads a results table as CSV (numbers in full, as computed); a
    disabled one holds its place while its numbers are still changing.

    The file is written when clicked, never on a rerun: a file given to the button is stored by
    the server and fetched whole by the browser to check it, on every rerun (a live run reruns
    every epoch); one replaced before the fetch was a 404 in the console (CI, 2026-12-07)."""
    st.download_button(
        label or t("results_csv", lang),
        lambda: csv_text(frame, index=False),
        filename,
        "text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
        disabled=disabled,
    )


def notes(dataset: data.Dataset, lang: str) -> None:
    """Tell the user what was done to their data (rows dropped, sampled)."""
    say_notes(dataset.notes, lang)


def say_notes(notes: tuple[data.Note, ...], lang: str) -> None:
    """Tell the user what was done to their data, one box a note."""
    for note in notes:
        st.info(t(note.key, lang, **note.kwargs), icon=":material/info:")


def costly(help_text: str, lang: str, trained: bool = True) -> str:
    """A costly setting's help, with what one request may cost on the shared server (and, in
    a view that trains, where the line under Train says this run's estimate)."""
    from playground import budget

    key = "budget_help" if trained else "budget_help_compute"
    return f"{help_text}\n\n{t(key, lang, budget=budget.Duration(budget.BUDGET_SECONDS))}"
