"""Reset this view: forget a view's settings and run for its defaults, and show them.

The sidebar's "Reset this view" (pages/router.py) calls ``reset_view`` and opens the view again;
its next run gives each setting its default (``push_reset_defaults``) and shows them in the
browser too (``finish_reset``).
"""

from __future__ import annotations

from collections.abc import Container
from contextlib import suppress

import streamlit as st
from streamlit.errors import StreamlitAPIException
from views import BY_PATH, LESSON_KEEPS

from playground import links


def reset_view(page: str) -> dict[str, list[str]]:
    """Forget the view's settings (the session's, and its saved link) and its run for its
    defaults; returns the link's frame parameters (language, presenter mode), which the view
    reopens with. (A run kept would be one of other settings: "The settings changed since this
    run".) Other views keep their runs.

    Widgets bound to the URL read it before their session value is gone, so the caller opens
    the view again on a link without its settings (``st.switch_page``). Other views keep theirs:
    they come back from their saved links (save_settings) when the student opens them.
    """
    own = set(BY_PATH[page].session_keys) if page in BY_PATH else set()  # (its run, its data)
    keep = {*LESSON_KEEPS, "_settings", "reset_view"} - own
    changed = [k for k in st.query_params if k not in links.FRAME_PARAMS]  # (bound widgets)
    for key in [k for k in st.session_state if k not in keep]:
        del st.session_state[key]
    st.session_state.get("_settings", {}).pop(page, None)
    st.session_state["_reset"] = (page, changed)
    if "lesson" in st.query_params:  # (the lesson is not opened again from a bare link: its
        # settings are bound to widgets until this run ends, and cannot be set: guided.py)
        st.session_state["_lesson"] = (st.query_params["lesson"], page)
    return frame_params_for_a_switch()  # (the run that clicked Reset was cut short)


def finish_reset(page: str) -> None:
    """After the first run of a reset view: show the defaults in the browser too.

    The reset run gives each setting its default, but the browser keeps showing what a number
    box or a toggle held before (its element is the same, keyed by the setting's name) and
    would send it back with the next click. A value set from the session is pushed to the
    browser, so the settings the link had changed are set again, to the defaults this run
    gave them, and the view runs once more.
    """
    reset = st.session_state.get("_reset")
    if not reset or reset[0] != page:
        return
    del st.session_state["_reset"]
    defaults = {k: st.session_state[k] for k in reset[1] if k in st.session_state}
    if defaults:
        st.session_state["_reset_defaults"] = defaults
        st.rerun()


def push_reset_defaults() -> None:
    """Set the defaults that finish_reset found (before any widget is drawn)."""
    for key, value in st.session_state.pop("_reset_defaults", {}).items():
        with suppress(StreamlitAPIException):
            st.session_state[key] = value


def frame_params_for_a_switch(keep: Container[str] = links.FRAME_PARAMS) -> dict:
    """The link's frame parameters of ``keep`` (its language, lesson, embedding) for
    ``st.switch_page`` to another view or the same one reset. Not the presenter toggle's: bound
    to it, Streamlit refuses to set it there (Reset and a moved lesson raised on a projector);
    the toggle keeps its value in the session and puts it back in the URL."""
    kept = {k: st.query_params.get_all(k) for k in st.query_params if k in keep}
    return {k: v for k, v in kept.items() if v and k != "presenter"}
