"""Inside the network's data: the drawn points (kept in the session and the link), what a
click on the data map does, the presets and Clear."""

import bound
import charts
import frame
import numpy as np
import streamlit as st

from playground import inside
from playground.i18n import UserError, t
from playground.inside import Points

Q = {"bind": "query-params"}
DEFAULT_PRESET = "circles"
MODES = ("class0", "class1", "erase")
DEFAULT_POINTS = inside.encode_points(inside.preset(DEFAULT_PRESET))


def points(lang: str) -> Points:
    """The drawn points: a text in the sidebar that the link holds (4 characters a point; the
    clicks, presets and Clear write it), the default preset's at first. A malformed text in a
    link gets a notice, and the preset is drawn instead; it is taken out of the URL (the run
    starts again without it), so a link copied then is the preset's. Typed in the box, the text
    stays there to be corrected."""
    linked = st.query_params.get("in_pts")
    if "in_pts" not in st.session_state and linked is not None:
        try:
            inside.decode_points(linked.strip())
        except UserError as err:
            st.session_state["_in_pts_rejected"] = err.message(lang, frame.inert)
            frame.restart_without("in_pts")
    rejected = st.session_state.get("_in_pts_rejected")  # (popped at the end of inside.py)
    if rejected is not None:
        st.warning(rejected, icon=":material/link_off:")
    with st.sidebar.expander(t("in_pts_label", lang), icon=":material/scatter_plot:"):
        text = st.text_area(
            t("in_pts_label", lang),
            DEFAULT_POINTS,
            key="in_pts",
            height=90,
            max_chars=4 * inside.MAX_POINTS,
            help=t("in_pts_help", lang),
            **Q,
        )
    try:
        return inside.decode_points(text.strip())
    except UserError:  # (typed in the box: the link's message said "in this link")
        st.warning(t("err_in_points_typed", lang, most=inside.MAX_POINTS), icon=":material/edit:")
        return inside.preset(DEFAULT_PRESET)


def _current() -> Points:
    try:
        return inside.decode_points(st.session_state.get("in_pts", DEFAULT_POINTS).strip())
    except UserError:
        return inside.preset(DEFAULT_PRESET)


def keep(pts: Points) -> None:
    """New points (from a callback, before the text is drawn): in the text, so in the link."""
    st.session_state["in_pts"] = inside.encode_points(pts)


def on_data_click() -> None:
    """A click on the data map adds a point of the chosen class, or erases the points near it."""
    point = charts.clicked_point("in_data")
    if point is None:
        return
    mode = st.session_state.get("in_mode", MODES[0])
    if mode == "erase":
        keep(inside.erase_near(_current(), point))
    else:
        keep(inside.add_point(_current(), point, MODES.index(mode) if mode in MODES else 0))


def on_preset() -> None:
    name = st.session_state.get("in_preset_pick")
    if name is not None:
        keep(inside.preset(name))
        st.session_state["in_preset_pick"] = None


def on_clear() -> None:
    keep(Points(np.zeros((0, 2)), np.zeros(0, int)))


def on_regression() -> None:
    """Regression draws (x, y) points of a curve: switching starts from a curve, or back."""
    keep(inside.preset("line" if st.session_state.get("in_regression") else DEFAULT_PRESET))


def data_tools(lang: str, regression: bool, disabled: bool = False) -> None:
    """Above the data map: what a click does; then a preset and Clear (``disabled`` while the
    network trains)."""
    modes = ("class0", "erase") if regression else MODES
    bound.choice(
        st.segmented_control,
        t("in_mode", lang),
        modes,
        "in_mode",
        modes[0],
        format_func=lambda m: t(
            f"in_mode_{m}" if not regression or m == "erase" else "in_mode_point", lang
        ),
        disabled=disabled,
    )
    c2, c3 = st.columns([2, 1], vertical_alignment="bottom")
    names = ("line",) if regression else inside.PRESETS
    c2.selectbox(
        t("in_preset", lang),
        names,
        None,
        format_func=lambda k: t(f"in_preset_{k}", lang),
        placeholder=t("in_preset_placeholder", lang),
        key="in_preset_pick",
        on_change=on_preset,
        disabled=disabled,
    )
    c3.button(
        t("in_clear", lang),
        icon=":material/delete:",
        key="in_clear",
        on_click=on_clear,
        disabled=disabled,
    )
