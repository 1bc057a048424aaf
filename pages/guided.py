"""Guided lessons in a view: the lesson's box above it (predict, play, read why), and where a
view shows what a lesson asks the class to predict (closed until they have watched)."""

from __future__ import annotations

from contextlib import suppress

import frame
import reset
import streamlit as st
from streamlit.errors import StreamlitAPIException
from views import BY_PATH, LESSON_KEEPS, then_key

from playground import links
from playground.i18n import t


def lesson_box(where, lang: str, page: str) -> None:
    """The guided lesson named in the link, above the view: predict, then play, then read why.

    A link that names the lesson and nothing of the view (``/overfit?lesson=early_stopping``,
    typed by hand or shortened) opens it on the lesson's own settings: the box would otherwise
    ask about 150 epochs of a run of 2,000. A lesson named on another view's link
    (``/race?lesson=early_stopping``) opens on its own view, with its settings.
    """
    from playground.lessons import LESSONS

    name = st.query_params.get("lesson")
    if not name:
        return
    lesson = LESSONS.get(name)
    if lesson is None:
        name = frame.code_span(name[:40])  # (shown as typed: never a link or a heading)
        where.warning(t("lesson_unknown", lang, name=name), icon=":material/school:")
        del st.query_params["lesson"]  # (as other settings a link could not use: a copied link
        return  # would carry it on, and warn again)
    if lesson.page != page:  # (a link edited by hand, or a lesson's name on the wrong view)
        kept = reset.frame_params_for_a_switch(links.CHECKED_FRAME_PARAMS)  # (its language)
        # (named alone: its own view fills in its settings, those still bound to a widget left)
        st.session_state["_lesson_moved"] = name  # (said over its box: the address changed)
        st.switch_page(BY_PATH[lesson.page].script, query_params={**kept, "lesson": name})
    if st.session_state.get("_lesson") != (name, page):  # just arrived: the view starts from
        for key in [k for k in st.session_state if k not in LESSON_KEEPS]:  # the link
            del st.session_state[key]
        st.session_state["_lesson"] = (name, page)
        if all(k in links.FRAME_PARAMS for k in st.query_params):
            for key, value in lesson.query.items():  # (the widgets read the URL as a run starts)
                with suppress(StreamlitAPIException):  # (one still bound to a widget: as it is)
                    st.query_params[key] = value
            frame.restart({k: st.query_params.get_all(k) for k in st.query_params})
    if st.session_state.pop("_lesson_moved", None) == name:
        view = t(f"nav_{BY_PATH[page].key}", lang)
        where.info(t("lesson_moved", lang, view=view), icon=":material/school:")
    _box(where, lang, name, lesson)


def _box(where, lang: str, name: str, lesson) -> None:
    """The lesson's box: its title, the question, what to do, and why (closed)."""
    with where.container(border=True, key="lesson_box"):
        title = t(f"lesson_{name}_title", lang)
        st.markdown(f"#### :material/school: {t('lesson_label', lang)} · {title}")
        predict = f"**{t('lesson_predict_label', lang)}** {t(f'lesson_{name}_predict', lang)}"
        then = t(then_key(lesson), lang)
        if frame.presenting():  # (one paragraph, and Why beside the view's About, not over
            st.markdown(f"{predict} {then}")  # it: ▶ or Train nearer the first screen)
            why, st.session_state[frame.ABOUT_SLOT] = st.columns(2)
        else:
            st.markdown(predict)
            st.markdown(then)
            why = st.container()
        with why.expander(t("lesson_why_label", lang)):
            st.markdown(t(f"lesson_{name}_why", lang))


in_lesson = frame.in_lesson  # (the page frame's: it folds a lesson's settings on a projector)


def outcome(where, lang: str, label: str = "lesson_outcome_label"):
    """Where a view shows the outcome of what the class is about to watch (results, curves,
    "diverged at step 12"): in a lesson, a closed expander to open once the animation has
    played, so that nothing gives the answer away; otherwise ``where`` itself."""
    if not in_lesson():
        return where
    return where.expander(t(label, lang), icon=":material/visibility:")
