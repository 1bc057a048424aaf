"""Helpers shared by the views: language, error guard, cached calls into the library.

Caches take hashable configs and numpy arrays (never torch objects) and are shared by every
session of the server process; nothing here keeps per-user state outside st.session_state.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import streamlit as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import add_script_run_ctx
from views import BY_PATH, LESSON_KEEPS, PRESENTER_HIDDEN

from playground import data, figures, jobs, links, runs, scratch, surfaces
from playground.figures import export
from playground.i18n import DEFAULT_LANGUAGE, LANGUAGES, UserError, t
from playground.optimizers import RunSpec
from playground.training import Summary

log = logging.getLogger("playground")

# ------------------------------------------------------------------ page frame


def browser_language() -> str:
    """The language the browser asks for, if the catalogue has it (else English)."""
    locale = (st.context.locale or "").lower()
    return next((code for code in LANGUAGES if locale.startswith(code)), DEFAULT_LANGUAGE)


def language() -> str:
    """The language of this session: the sidebar's switch, which starts from the link or
    the browser's locale."""
    lang = st.session_state.get("lang") or st.query_params.get("lang") or browser_language()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def presenting() -> bool:
    """True in presenter mode (large text and lines, secondary controls hidden)."""
    return bool(st.session_state.get("presenter", False))


COPY_LINK_HTML = """
<div style="font-family:sans-serif;font-size:14px">
<button id="copy" style="padding:6px 12px;border-radius:8px;border:1px solid #bbb;
 background:#fff;cursor:pointer">🔗 {label}</button>
<span id="done" style="margin-left:8px;color:#2a7"></span>
<input id="url" readonly style="display:none;width:95%;margin-top:6px">
</div>
<script>
const btn = document.getElementById("copy");
btn.onclick = async () => {{
  const url = window.parent.location.href;
  const box = document.getElementById("url");
  box.value = url;
  try {{ await navigator.clipboard.writeText(url);
        document.getElementById("done").textContent = "{done}"; }}
  catch (e) {{ box.style.display = "block"; box.select(); }}
}};
</script>
"""


def page_frame() -> str:
    """The sidebar every view shares: language, presenter mode, copy link. Returns the language."""
    with st.sidebar:
        lang = choice(
            st.selectbox,
            "🌐 Language · 语言",
            list(LANGUAGES),
            "lang",
            language(),
            format_func=LANGUAGES.get,
            keep=True,
        )
        st.toggle(
            t("presenter", lang),
            False,
            key="presenter",
            help=t("presenter_help", lang),
            bind="query-params",
        )
        # our own fixed HTML (only catalogue strings go in), in an iframe so its script runs
        st.iframe(
            COPY_LINK_HTML.format(label=t("copy_link", lang), done=t("copied", lang)), height=80
        )
        st.caption(t("copy_link_help", lang))
    if presenting():
        hidden = ", ".join(f".st-key-{k}" for k in PRESENTER_HIDDEN)
        st.html(
            "<style>"
            f"{hidden}, [class*='st-key-exp_'] {{display: none !important;}}"
            "html, .stMarkdown p, .stMarkdown li, label p {font-size: 1.25rem !important;}"
            "h1 {font-size: 2.6rem !important;} h2 {font-size: 2rem !important;}"
            # a wide table scrolls within its column rather than pushing the view sideways
            ".stMarkdown table {display: block; overflow-x: auto;}"
            "[data-testid=stMainBlockContainer] {padding-top: 1.5rem !important;}"
            "</style>"
        )
    return lang


def lesson_box(where, lang: str) -> None:
    """The guided lesson named in the link, above the view: predict, then play, then read why."""
    from playground.lessons import LESSONS

    name = st.query_params.get("lesson")
    if not name:
        return
    lesson = LESSONS.get(name)
    if lesson is None:
        where.warning(t("lesson_unknown", lang, name=name[:40]), icon=":material/school:")
        return
    if st.session_state.get("_lesson") != name:  # just arrived: the view starts from the link
        for key in [k for k in st.session_state if k not in LESSON_KEEPS]:
            del st.session_state[key]
        st.session_state["_lesson"] = name
    with where.container(border=True, key="lesson_box"):
        st.markdown(f"#### 🎓 {t('lesson_label', lang)} · {t(f'lesson_{name}_title', lang)}")
        st.markdown(f"**{t('lesson_predict_label', lang)}** {t(f'lesson_{name}_predict', lang)}")
        st.markdown(t(BY_PATH[lesson.page].then, lang))
        with st.expander(t("lesson_why_label", lang)):
            st.markdown(t(f"lesson_{name}_why", lang))


def link_snapshot() -> dict[str, list[str]]:
    """The query parameters as they are now (call before the view runs)."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def restore_settings(page: str, link: dict[str, list[str]]) -> None:
    """Coming back to a view from another one: give it back the settings it had when left.

    Streamlit forgets the state of widgets that were not drawn in the last run, so a student who
    looked at another view would find this one reset (and a race without its contestants).
    The settings are already a link; the view's last one is kept and put back in the URL, where
    the widgets read it. A link that gives settings of its own, or a rerun, is left alone.
    """
    saved = st.session_state.setdefault("_settings", {})  # page → its query parameters
    came_from = st.session_state.get("_page")
    st.session_state["_page"] = page
    if came_from == page or any(k not in links.FRAME_PARAMS for k in link):
        save_settings(page)  # a rerun, or a link: the URL holds the view's settings now
        return
    for key, values in saved.get(page, {}).items():
        with suppress(StreamlitAPIException):  # still bound: its widget kept its value
            st.query_params[key] = values


def save_settings(page: str) -> None:
    """Keep the view's settings (its URL) for when the student comes back to it.

    Called at the start of a run and again after the view ran (where a pending rerun or stop
    may cut it short: Streamlit ends a run at its next call).
    """
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    st.session_state.setdefault("_settings", {})[page] = {
        k: v for k, v in params.items() if k not in links.FRAME_PARAMS
    }


def link_notice(where, link: dict[str, list[str]], lang: str) -> None:
    """Say which of a link's settings could not be used (the defaults were used instead)."""
    if not link:
        return
    in_use = {k: st.session_state[k] for k in link if k in st.session_state}
    bad = links.rejected(link, in_use)
    if bad:
        items = "; ".join(f"`{name}={value}`" for name, value in bad)
        where.warning(t("link_rejected", lang, items=items), icon=":material/link_off:")


HERE = Path(__file__).resolve().parent


def chart_module() -> str:
    """The chart component's JavaScript module: pages/chart.js after its theme (``THEME``)."""
    theme = (HERE / "chart_theme.json").read_text(encoding="utf-8")
    script = (HERE / "chart.js").read_text(encoding="utf-8")
    return f"const THEME = {theme.strip()};\n{script}"


@lru_cache(1)
def _chart_component():
    """The playground's chart (pages/chart.js): plotly.js in a partial bundle, themed as Streamlit.

    Registered once per process; Streamlit registers it again on a runtime that lacks it.
    """
    return st.components.v2.component("playground_chart", js=chart_module(), isolate_styles=False)


def chart(fig, key: str, where=None, shared: bool = True, on_click=None):
    """Show a figure (restyled in presenter mode) with its exports: CSV, PNG, HTML.

    ``shared``: the figure comes from a cache and is shown again on later reruns, so it is
    converted for sending once and kept (export.sent). A figure built on this rerun (the live
    training views) is converted each time: keeping its conversion would cost more than it saves.
    ``on_click``: called when the student clicks a point of the figure; the point is then
    ``clicked_point(key)``.

    The chart is our own component rather than ``st.plotly_chart``, which loads all of plotly.js
    (4.7 MB) before it draws anything: see pages/chart.js and docs/performance.md.
    """
    if shared:
        sent = export.sent(fig, presenting())
    else:
        sent = export.to_send(export.presenter(fig) if presenting() else fig)
    callbacks = {"on_click_change": on_click} if on_click else {}
    lang = language()
    with nullcontext() if where in (None, st) else where:
        result = _chart_component()(
            key=key,
            data={
                "spec": sent.spec,
                "needs3d": sent.needs3d,
                "clickable": on_click is not None,
                "failed": t("chart_failed", lang),
                "fullscreen": t("chart_fullscreen", lang),
            },
            **callbacks,
        )
    exports(fig, key, where or st)
    return result


def preload_charts(build: str, idle: bool = False) -> None:
    """Start loading a build of plotly.js ("2d" or "3d") before any figure arrives.

    ``idle``: only once the page is idle (a view without charts, for the views after it).
    """
    _chart_component()(key="preload_charts", data={"preload": build, "idle": idle})


def clicked_point(key: str) -> tuple[float, float] | None:
    """The point last clicked on chart ``key`` (in its callback), or None."""
    state = st.session_state.get(key)
    return point_from(getattr(state, "click", None) if state is not None else None)


def point_from(value) -> tuple[float, float] | None:
    """A click's point as the browser reported it, ``{"x": .., "y": ..}``; None if it is not one.

    The value comes from the page, so anything may arrive (a tampered client): only two finite
    numbers make a point.
    """
    if not isinstance(value, dict):
        return None
    try:
        x, y = float(value["x"]), float(value["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def show_code(script: str | None, filename: str, key: str, where=None) -> None:
    """ "Show the code": a runnable PyTorch script of the current run, to read or download."""
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
        if script is None:
            st.info(t("show_code_unavailable", lang))
            return
        st.caption(t("show_code_help", lang, file=filename))
        st.code(script, language="python", line_numbers=True)
        st.download_button(
            t("show_code_download", lang),
            script,
            filename,
            "text/x-python",
            key=key,
            icon=":material/download:",
            on_click="ignore",
        )


def exports(fig, name: str, where=None) -> None:
    """A small menu of downloads for one figure: its buttons exist only while it is open."""
    lang = language()
    where = where or st
    menu = where.popover(
        t("export", lang), icon=":material/download:", key=f"exp_{name}", on_change="rerun"
    )
    if not menu.open:
        return
    with menu:
        st.download_button(
            t("export_csv", lang),
            lambda: export.figure_table(fig).to_csv(index=False),
            f"{name}.csv",
            "text/csv",
            key=f"exp_{name}_csv",
            on_click="ignore",
        )
        st.download_button(
            t("export_png", lang),
            lambda: export.to_png(fig),
            f"{name}.png",
            "image/png",
            key=f"exp_{name}_png",
            on_click="ignore",
            disabled=not export.png_available(),
            help=t("export_png_help" if export.png_available() else "export_png_missing", lang),
        )
        st.download_button(
            t("export_html", lang),
            lambda: export.to_html(fig),
            f"{name}.html",
            "text/html",
            key=f"exp_{name}_html",
            on_click="ignore",
        )


@contextmanager
def guarded(lang: str) -> Iterator[None]:
    """Show user errors as messages and unexpected ones as a notice; never a traceback."""
    try:
        yield
    except UserError as err:
        st.error(err.message(lang), icon=":material/error:")
    except Exception:  # the page must survive; the server log keeps the details
        log.exception("unexpected error in a view")
        st.error(t("err_unexpected", lang), icon=":material/error:")


def num(value: float, digits: int = 4) -> str:
    """A number for people: 4 significant digits, with rounding noise (|v| < 1e-10) shown as 0."""
    value = float(value)
    return f"{0.0 if abs(value) < 1e-10 else value:.{digits}g}"


def display_table(frame):
    """Numbers for people in a table: 4 significant digits, blanks as "—" (never "None")."""

    def cell(value: object) -> object:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
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
    """
    (where or st).markdown(markdown_table(frame, index))


LISTING = HtmlFormatter(
    noclasses=True,  # inline colours: no stylesheet to ship
    nobackground=True,
    prestyles="white-space: pre-wrap; margin: 0; font-size: 0.82rem; line-height: 1.45;"
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


def results_csv(frame, filename: str, key: str, lang: str) -> None:
    """A button that downloads a results table as CSV (numbers in full, as computed)."""
    st.download_button(
        t("results_csv", lang),
        frame.to_csv(index=False),
        filename,
        "text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def notes(dataset: data.Dataset, lang: str) -> None:
    """Tell the user what was done to their data (rows dropped, sampled)."""
    for note in dataset.notes:
        st.info(t(note.key, lang, **note.kwargs), icon=":material/info:")


# ------------------------------------------------------------------ cached compute


@st.cache_data(max_entries=64, show_spinner=False)
def dataset(config: data.DataConfig) -> data.Dataset:
    return config.build()


@st.cache_data(max_entries=16, show_spinner=False)
def csv_table(raw: bytes):
    return data.read_csv(raw)


@st.cache_data(max_entries=64, show_spinner=False)
def csv_dataset(raw: bytes, x_col: str, y_col: str) -> data.Dataset:
    return data.from_columns(csv_table(raw), x_col, y_col)


@st.cache_data(max_entries=64, show_spinner=False)
def surface(x: np.ndarray, y: np.ndarray, grid: surfaces.Grid, loss: str) -> np.ndarray:
    if loss == "mse":  # milliseconds: not worth a trip to a worker
        return surfaces.mse_surface(x, y, grid)
    return offload(jobs.surface, x, y, grid, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def minima(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float, float]]:
    w2, b2 = surfaces.least_squares(x, y)
    mse_min = float(surfaces.mse_at(x, y, w2, b2))
    return {"mse": (w2, b2, mse_min), "mae": surfaces.least_absolute(x, y)}


@st.cache_data(max_entries=128, show_spinner=False)
def descent(x: np.ndarray, y: np.ndarray, config: runs.DescentConfig) -> runs.Trajectory:
    return offload(jobs.descent, x, y, config)


@st.cache_resource(max_entries=64, show_spinner=False)
def surface_figures(grid, z, title, minimum, flat, log_colour, lang):
    """The 3-D and contour figures of one surface (rebuilt only when their inputs change)."""
    return (
        figures.surface_3d(grid, z, title, minimum, lang),
        figures.surface_contour(grid, z, title, minimum[:2], flat, log_colour, lang),
    )


@st.cache_resource(max_entries=32, show_spinner=False)
def race_figure(xs, ys, z, paths, labels, minima, saddles, log_colour, lang):
    from playground.figures import race as rf

    return rf.race_animation(
        xs, ys, z, list(paths), list(labels), minima, saddles, log_colour, lang
    )


def figure(builder, *args, **kwargs):
    """``builder(*args, **kwargs)``, a pure figure builder, built once per inputs and shared.

    Building a plotly figure costs the server tens to hundreds of milliseconds of validation;
    a rerun that did not change a figure's inputs gets the same object back, and Streamlit
    sends the browser nothing new for it. Figures are never modified after they are built.
    """
    return _figure(f"{builder.__module__}.{builder.__qualname__}", builder, *args, **kwargs)


@st.cache_resource(max_entries=128, show_spinner=False)
def _figure(name: str, _builder, *args, **kwargs):  # keyed by the builder's name, not itself
    return _builder(*args, **kwargs)


@st.cache_resource(max_entries=32, show_spinner=False)
def descent_figure(grid, z, w, b, loss, x, y, log_colour, lang, three_d):
    return figures.descent_animation(grid, z, w, b, loss, x, y, log_colour, lang, three_d)


# ------------------------------------------------------------------ optimizer race


def choice(widget, label: str, options, key: str, default, keep: bool = False, **kwargs):
    """A selectbox/radio/select_slider whose URL parameter is the option itself.

    Streamlit's own binding puts the *formatted label* in the URL, which would change with the
    language; here the link holds the registry key (``surface=rosenbrock``), and an unknown value
    in a link falls back to the default. ``keep`` keeps the parameter in the URL even at its
    default (the language: a shared link opens in the language it was made in).
    """
    options = list(options)
    if key not in st.session_state:
        wanted = st.query_params.get(key)
        matches = [o for o in options if str(o) == wanted]
        st.session_state[key] = matches[0] if matches else default
    if st.session_state[key] is None and default is None:  # no default of its own: the first
        st.session_state[key] = options[0]
    value = widget(label, options, key=key, **kwargs)
    if value is None:  # a segmented control can be cleared: fall back to the default
        value = default if default is not None else options[0]
    if value == default and not keep:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def initial(key: str, value: object, name: str = "value") -> dict[str, object]:
    """``value=`` (or ``index=``) for a widget unless a callback or the URL already set its state.

    (Passing both a value and a session-state value makes Streamlit warn.)
    """
    return {} if key in st.session_state else {name: value}


@st.cache_resource(max_entries=64, show_spinner=False)
def landscape(name: str, options, x: np.ndarray | None = None, y: np.ndarray | None = None):
    """The landscape object (it holds torch callables, so it is a shared resource, not data)."""
    from playground import landscapes

    return landscapes.get(name, options, None if x is None else (x, y))


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_grid(name: str, options, x, y, n: int) -> np.ndarray:
    return landscape(name, options, x, y).grid(n)


@st.cache_data(max_entries=64, show_spinner=False)
def race_batch(name: str, options, x, y, config: runs.RaceConfig, contestants: tuple):
    return offload(jobs.race, name, options, x, y, config, contestants)


def race_paths(name: str, options, x, y, config: runs.RaceConfig, contestants: list):
    """Paths of every run; runs computed before with the same surface and settings are reused.

    The per-session store means that editing one run recomputes only that run; the rest of a
    race (for example after a new start point) is computed in one lockstep batch.
    """
    store = st.session_state.setdefault("_race_store", {})
    base = (name, options, None if x is None else hash(x.tobytes() + y.tobytes()), config)
    if store.get("__base__") != base:
        store.clear()
        store["__base__"] = base
    missing = list(dict.fromkeys(r for r in contestants if r not in store))
    if missing:
        for run, path in zip(
            missing, race_batch(name, options, x, y, config, tuple(missing)), strict=True
        ):
            store[run] = path
    return [store[r] for r in contestants]


@st.cache_data(max_entries=64, show_spinner=False)
def hessians(name: str, options, x, y, xy: np.ndarray) -> np.ndarray:
    return landscape(name, options, x, y).hessian_eigenvalues(xy)


@st.cache_data(max_entries=32, show_spinner=False)
def race_series(surface: str, run_text: str, steps: int, what: str) -> np.ndarray:
    """The loss or a gradient component of one race run, as a series for the EWA view."""
    from playground import landscapes

    land = landscape(surface, landscapes.SurfaceOptions())
    path = runs.run_optimizer(land, RunSpec.parse(run_text), runs.RaceConfig(land.start, steps))
    return {"loss": path.loss, "grad_x": path.grad[:, 0], "grad_y": path.grad[:, 1]}[what]


@st.cache_data(max_entries=16, show_spinner=False)
def optimizer_states(surface: str, steps: int, lr_m: float, lr_r: float, lr_a: float) -> dict:
    """torch's optimizer state next to this library's EWA, on a surface of the race."""
    from playground import ewa, landscapes

    land = landscape(surface, landscapes.SurfaceOptions())
    lrs = {"momentum": lr_m, "rmsprop": lr_r, "adam": lr_a}
    return ewa.optimizer_states(land, land.start, steps, lrs)


@st.cache_data(max_entries=16, show_spinner=False)
def basins(name: str, options, x, y, run, n: int, steps: int):
    return offload(jobs.basins, name, options, x, y, run, n, steps, lane="long")


@st.cache_data(max_entries=32, show_spinner=False)
def lab_split(source) -> tuple[data.Split, tuple]:
    """The lab's split: a generated task (TaskConfig), or ("csv", raw, features, target, val, test,
    seed) for an uploaded table."""
    if isinstance(source, data.TaskConfig):
        return data.make_task(source), ()
    _, raw, features, target, val, test, seed = source
    return data.task_from_table(csv_table(raw), list(features), target, val, test, seed)


@st.cache_resource(max_entries=8, show_spinner=False)
def digits(config):
    """The digits and their split (read-only arrays, shared by every session)."""
    from playground import digits as digit_data

    loaded = digit_data.load(config)
    for array in (loaded.images, loaded.labels, loaded.train, loaded.val, loaded.test):
        array.flags.writeable = False
    return loaded


def scratch_fits(config: scratch.ScratchConfig) -> tuple[dict[str, scratch.Fit], tuple[str, ...]]:
    """The fits computed so far, cut to ``config.steps``, and the ways still training.

    numpy's way (tens of milliseconds) is computed while the rerun waits, so a change shows a
    new picture at once; the torch ways (seconds: 0.2-0.4 ms a step each) train in the long
    lane in the background, submitted once for every session that asks, and the page draws
    them when they are done (``scratch_waiting`` tells it when to look again). Runs are
    computed to a step bucket and cut; a run of the same settings that this tab computed last
    is cut when it is long enough (steps moved down), not computed again. The torch.optim way
    is its own part: a change of its optimizer or learning rate trains only it.
    """
    lr4 = scratch.optim_lr(config)
    plain = _longest("plain", (config.problem, config.lr), config.steps)  # the first three
    wanted = {
        "torch": plain,
        "optim": _longest("optim", (config.problem, lr4, config.optimizer), config.steps),
    }
    # What this tab waited for and no longer wants (a student who clicks + five times) is
    # dropped if no worker has started it; a session that still wants it submits it again.
    for (part, args), future in st.session_state.get("_fs_waiting", {}).items():
        if wanted[part] != args and future.cancel():
            _background.clear(part, args)
    futures = {part: _background(part, args) for part, args in wanted.items()}  # (long: first)
    fits = dict(_hand_fit(*plain))
    waiting = {}
    for part, args in wanted.items():
        future = futures[part]
        if future.done():
            if (got := _result(part, args, future)) is not None:
                fits.update(got)
                continue
            future = _background(part, args)  # (submitted again)
        waiting[part, args] = future
    st.session_state["_fs_waiting"] = waiting
    pending = tuple(k for k in scratch.WAYS if k not in fits)
    return scratch.prefix({k: fits[k] for k in scratch.WAYS if k in fits}, config.steps), pending


def scratch_waiting() -> bool:
    """Whether a part this tab's last ``scratch_fits`` waits for is still training."""
    return not all(f.done() for f in st.session_state.get("_fs_waiting", {}).values())


def _longest(kind: str, settings: tuple, steps: int) -> tuple:
    """``(*settings, n)`` with n ≥ steps: this tab's last n for these settings, or the bucket
    of ``steps``."""
    key = f"_fs_last_{kind}"
    last = st.session_state.get(key)  # (settings, n) of this tab's last run of this kind
    n = last[1] if last and last[0] == settings and last[1] >= steps else scratch.bucket(steps)
    st.session_state[key] = (settings, n)
    return (*settings, n)


@st.cache_data(max_entries=32, show_spinner=False)
def _hand_fit(problem: str, lr: float, steps: int) -> dict[str, scratch.Fit]:
    return offload(scratch.fit_ways, problem, lr, steps, ("hand",))


def _torch_part(problem: str, lr: float, steps: int) -> dict[str, scratch.Fit]:
    return scratch.fit_ways(problem, lr, steps, ("autograd", "module"))


def _optim_part(problem: str, lr: float, optimizer: str, steps: int) -> dict[str, scratch.Fit]:
    return {"optim": scratch.fit_optim(problem, lr, steps, optimizer)}


PARTS = {"torch": _torch_part, "optim": _optim_part}  # the from-scratch parts trained apart


@st.cache_resource(max_entries=128, show_spinner=False)
def _background(part: str, args: tuple):
    """The future of one part, submitted to the long lane once for every session.

    Room for every tab of a class waiting at once (an entry forgotten while a tab waits for it
    would be computed again); a done entry of 5,000 steps holds about 0.4 MB.
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        return compute_pool("long").submit(PARTS[part], *args)
    except BrokenProcessPool:  # a worker died: its pool is started again
        restart_broken_pools()
        return compute_pool("long").submit(PARTS[part], *args)


def _result(part: str, args: tuple, future) -> dict[str, scratch.Fit] | None:
    """A done future's fits, or None if it was cancelled or its worker died (it is forgotten,
    to be submitted again); an error of the computation itself is raised."""
    from concurrent.futures import CancelledError
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except (CancelledError, BrokenProcessPool):
        _background.clear(part, args)
        if not future.cancelled():
            restart_broken_pools()
        return None
    except Exception:
        _background.clear(part, args)
        raise


# Worker processes per server for the views' computations, in two lanes: quick ones (a race,
# a descent, an MAE surface, numpy's from-scratch way: tenths of a second) never queue behind
# long ones (the from-scratch torch ways, a basin map: seconds), and long ones run at a lower
# CPU priority, so they take only what the server and the quick lane leave, whatever a class
# asks for at once (bench_load.py). Two long workers: the two torch parts train at once.
# (Two each on a server with two CPUs or more, one each with one: jobs.workers_per_pool.)
WORKERS = jobs.workers_per_pool()
LANES = {"quick": (WORKERS, jobs.init), "long": (WORKERS, jobs.init_background)}


@st.cache_resource(show_spinner=False)
def compute_pool(lane: str = "quick"):
    """Worker processes of one lane, shared by all sessions (the work is in playground.jobs)."""
    workers, initializer = LANES[lane]
    return jobs.start_pool(workers, initializer, jobs.warm)


def start_pools() -> None:
    """Start the compute workers of every lane in the background, not in a page's rerun.

    A worker's start waits until the forkserver has imported torch (about 5 s on the first
    start of a server): the first student's page must not wait for that (measured: the home
    view of a fresh server took 9-11 s instead of 6-7 s). A computation asked for before the
    workers are up waits for them, as it must.
    """
    import threading

    def start() -> None:
        for lane in LANES:
            compute_pool(lane)

    starter = threading.Thread(target=start, name="start-compute-pools", daemon=True)
    add_script_run_ctx(starter)  # (the cache of compute_pool belongs to the app's runtime)
    starter.start()


def offload(fn, *args, lane: str = "quick"):
    """``fn(*args)`` in a compute worker; this rerun waits for it without holding the GIL.

    A worker that died (killed for memory, say) takes its pool with it: that pool is rebuilt,
    and this one result is computed here.
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        return compute_pool(lane).submit(fn, *args).result()
    except BrokenProcessPool:
        restart_broken_pools()
        return fn(*args)


def restart_broken_pools() -> None:
    """Forget each lane's pool that a dead worker broke, so the next computation starts a new
    one. Only a broken pool: when several sessions see the same failure, the first one's new
    pool is kept, and a healthy lane's workers are never orphaned (they would wait forever)."""
    for lane in LANES:
        if getattr(compute_pool(lane), "_broken", False):  # (set before its futures fail)
            log.error("a worker of the %s lane died; the lane starts new workers", lane)
            compute_pool.clear(lane)


@dataclass(eq=False)
class TrainingJob:
    """One training run of a session (the lab's or the ConvNet's): a worker process fills its
    queue, the page drains it."""

    key: tuple
    inbox: object  # a multiprocessing queue (manager proxy)
    stop: object  # a multiprocessing event (manager proxy)
    records: list = field(default_factory=list)
    summary: object = None
    error: bool = False
    done: bool = False
    started: float = field(default_factory=time.time)

    def collect(self) -> None:
        """Move what the worker has sent so far into ``records`` / ``summary``."""
        if self.done:
            return
        for batch in training_queues().submit(jobs.drain, self.inbox).result():
            if batch is None:
                self.done = True
            elif isinstance(batch, Exception):
                self.error = True
            else:
                for item in batch:
                    if isinstance(item, Summary):
                        self.summary = item
                    else:
                        self.records.append(item)


@st.cache_resource(show_spinner=False)
def training_queues() -> ThreadPoolExecutor:
    """The one thread in which the server reads the trainings' queues (manager proxies).

    A proxy opens a connection per thread, with an authentication handshake, and the manager
    starts a thread to serve it; Streamlit runs every rerun in a new thread, so every live
    redraw of a training view (twice a second for each student training) paid for a new
    connection before it read anything. This thread keeps its connection.
    """
    return ThreadPoolExecutor(1, thread_name_prefix="training-queues")


LAB_WORKERS = WORKERS  # processes per server that train the overfitting lab's models


@st.cache_resource(show_spinner=False)
def lab_workers():
    """A pool of worker processes (and a manager for their queues), shared by all sessions.

    Training in processes keeps it off the server's GIL; with two workers on a two-core machine,
    a third student's training waits for a free worker instead of slowing everyone down.
    """
    from multiprocessing.managers import SyncManager

    from playground import training

    pool = jobs.start_pool(LAB_WORKERS, jobs.init_background, training.warm_worker)
    manager = SyncManager(ctx=jobs.context())
    with jobs.plain_main():
        manager.start(jobs.exit_with_parent)  # (so it does not outlive a killed server either)
    return pool, manager
