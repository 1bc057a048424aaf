"""The chart component's Python side (its browser side is pages/chart.js, themed by
playground/figures/theme.json): a figure shown with its exports, the plotly.js preload, and the
point a student clicked.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

import streamlit as st
from frame import language, presenting

from playground.figures import export
from playground.i18n import t

HERE = Path(__file__).resolve().parent


# plotly.js's own words a student can meet (its tool bar's buttons, its notices), each with its
# catalogue key: plotly.js translates them from the config's ``locales`` (its "locale" modules)
PLOTLY_WORDS = {
    "Download plot as a PNG": "plotly_png",
    "Download plot": "plotly_download",
    "Zoom": "plotly_zoom",
    "Pan": "plotly_pan",
    "Box Select": "plotly_box_select",
    "Lasso Select": "plotly_lasso_select",
    "Zoom in": "plotly_zoom_in",
    "Zoom out": "plotly_zoom_out",
    "Autoscale": "plotly_autoscale",
    "Reset axes": "plotly_reset_axes",
    "Reset view": "plotly_reset_view",
    "Reset views": "plotly_reset_views",
    "Reset": "plotly_reset",
    "Toggle Spike Lines": "plotly_spikes",
    "Show closest data on hover": "plotly_hover_closest",
    "Compare data on hover": "plotly_hover_compare",
    "Toggle show closest data on hover": "plotly_hover_toggle",
    "Orbital rotation": "plotly_orbit",
    "Turntable rotation": "plotly_turntable",
    "Reset camera to default": "plotly_camera_default",
    "Reset camera to last save": "plotly_camera_last",
    "Double-click to zoom back out": "plotly_zoom_back",
    "Double-click on legend to isolate one trace": "plotly_legend_isolate",
    "Preparing image - this may take a few seconds": "plotly_preparing",
    "Image download succeeded": "plotly_downloaded",
}
PLOTLY_LOCALES = {"zh": "zh-CN"}  # a catalogue's language → plotly.js's locale name


@lru_cache(4)
def plotly_locale(lang: str) -> dict | None:
    """plotly.js's words in ``lang`` ({"name", "dictionary"}), or None in English (its own)."""
    if lang not in PLOTLY_LOCALES:
        return None
    words = {english: t(key, lang) for english, key in PLOTLY_WORDS.items()}
    return {"name": PLOTLY_LOCALES[lang], "dictionary": words}


def chart_module() -> str:
    """The chart component's JavaScript module: pages/chart.js after its theme (``THEME``)."""
    theme = export.THEME_FILE.read_text(encoding="utf-8")
    script = (HERE / "chart.js").read_text(encoding="utf-8")
    return f"const THEME = {theme.strip()};\n{script}"


@lru_cache(1)
def _chart_component():
    """The playground's chart (pages/chart.js): plotly.js in a partial bundle, themed as Streamlit.

    Registered once per process; Streamlit registers it again on a runtime that lacks it.
    """
    return st.components.v2.component("playground_chart", js=chart_module(), isolate_styles=False)


def chart(
    fig,
    key: str,
    where=None,
    shared: bool = True,
    on_click=None,
    share: float = 1.0,
    exported: bool = True,
    tallest: float = export.PRESENTER_TALLEST,
):
    """Show a figure (restyled in presenter mode) with its exports: CSV, PNG, HTML (unless
    ``exported`` is False: a figure with no data yet, the question before Train).

    ``share``: the part of the main column's width that the figure's column takes (0.5 in
    the left of two equal columns), so that its PNG has the shape the student sees.

    ``tallest``: on a projector, the px the figure may grow to (a square plot to its width, a
    short one to export.PRESENTER_PLOT), or be made shorter to, as a training view's charts
    under Train (export.PRESENTER_UNDER_TRAIN).

    ``shared``: the figure comes from a cache and is shown again on later reruns, so it is
    converted for sending once and kept (export.sent). A figure built on this rerun (the live
    training views) is converted each time: keeping its conversion would cost more than it saves.
    ``on_click``: called when the student clicks a point of the figure; the point is then
    ``clicked_point(key)``.

    The chart is our own component rather than ``st.plotly_chart``, which loads all of plotly.js
    (4.7 MB) before it draws anything: see pages/chart.js and docs/performance.md.
    """
    if shared:
        sent = export.sent(fig, presenting(), share, tallest)
    elif presenting():
        width = export.presenter_width(share)
        sent = export.to_send(export.presenter(fig, width=width, tallest=tallest))
    else:
        sent = export.to_send(fig)
    callbacks = {"on_click_change": on_click} if on_click else {}
    callbacks["on_frame_change"] = _frame_shown  # (a rerun: the PNG is then of that frame)
    lang = language()
    with nullcontext() if where in (None, st) else where:
        result = _chart_component()(
            key=key,
            data={
                "spec": sent.spec,
                "id": sent.id,
                "needs3d": sent.needs3d,
                "clickable": on_click is not None,
                "failed": t("chart_failed", lang),
                "fullscreen": t("chart_fullscreen", lang),
                "locale": plotly_locale(lang),
            },
            **callbacks,
        )
    if exported:
        exports(fig, key, where or st, share, lambda: shown_frame(key, sent.id, fig))
    return result


def side_by_side(
    figures: list, widths: list[float], where=None, tallest: float = export.PRESENTER_TALLEST
) -> list:
    """Figures side by side in columns of ``widths`` (shares of the main column's width; each
    of ``figures`` a (figure, key) pair, or None for a column left to the caller), with their
    Export menus on one row under the tallest: each under its own figure, they sat at
    different heights. ``tallest``: as for ``chart``. Returns the columns."""
    columns = (where or st).columns(widths)
    for shown, column, share in zip(figures, columns, widths, strict=True):
        if shown is not None:
            chart(
                shown[0], shown[1], column, shared=False, share=share, exported=False,
                tallest=tallest,
            )  # fmt: skip
    menus = (where or st).columns(widths)
    for shown, column, share in zip(figures, menus, widths, strict=True):
        if shown is not None:
            exports(shown[0], shown[1], column, share)
    return columns


def _frame_shown() -> None:
    """The chart reported the frame its animation stopped at (read by ``shown_frame``)."""


def shown_frame(key: str, spec_id: str, fig) -> str | None:
    """The name of the frame chart ``key`` shows: the one its animation last stopped at, if the
    chart reported it for this figure (``spec_id``), else the one a new figure opens at (its
    scrubber's active stop: the first, or the last for the ConvNet's kernels, whose PNG was of
    epoch 1 under a scrubber at epoch 10); None for a figure without frames.

    The report comes from the page, so anything may arrive: only a name of one of ``fig``'s
    frames is used.
    """
    names = [frame.get("name") for frame in getattr(fig, "_plain_frames", ()) or ()]
    names = names or [frame.name for frame in fig.frames]
    if not names:
        return None
    state = st.session_state.get(key)
    told = getattr(state, "frame", None) if state is not None else None
    if isinstance(told, dict) and told.get("id") == spec_id and told.get("name") in names:
        return str(told["name"])
    return opening_frame(fig, names)


def opening_frame(fig, names: list[str]) -> str:
    """The frame a figure opens at: its scrubber's active stop (plotly.js shows the figure's
    own traces, which builders set to that frame), else its first."""
    sliders = fig.layout.sliders
    if sliders and sliders[0].steps:
        steps = sliders[0].steps
        active = sliders[0].active or 0
        args = steps[min(max(int(active), 0), len(steps) - 1)].args
        if args and args[0] and str(args[0][0]) in names:
            return str(args[0][0])
    return names[0]


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


def exports(fig, name: str, where=None, share: float = 1.0, frame=None) -> None:
    """A small menu of downloads for one figure: its buttons exist only while it is open. The
    PNG is drawn as wide as the figure is shown (``share`` of the main column, chart) and, for
    an animation, at the frame on screen (``frame()``, chart's ``shown_frame``; without it, at
    its last). The CSV holds the whole animation's data (export.figure_table)."""
    lang = language()
    where = where or st
    menu = where.popover(
        t("export", lang), icon=":material/download:", key=f"exp_{name}", on_change="rerun"
    )
    if not menu.open:
        return
    shown = frame() if frame is not None else None  # (read in the rerun, not at the click)
    with menu:
        st.download_button(
            t("export_csv", lang),
            lambda: export.figure_csv(fig, lang),  # (user text cannot run as a formula)
            f"{name}.csv",
            "text/csv",
            key=f"exp_{name}_csv",
            on_click="ignore",
        )
        st.download_button(
            t("export_png", lang),
            lambda: export.to_png(fig, shown_width=round(export.SHOWN_WIDTH * share), frame=shown),
            f"{name}.png",
            "image/png",
            key=f"exp_{name}_png",
            on_click="ignore",
            disabled=not export.png_available(),
            help=t("export_png_help" if export.png_available() else "export_png_missing", lang),
        )
        st.download_button(
            t("export_html", lang),
            lambda: export.to_html(fig, fallback=t("home_title", lang)),
            f"{name}.html",
            "text/html",
            key=f"exp_{name}_html",
            on_click="ignore",
        )
