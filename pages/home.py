"""Home: what each view teaches, in a few lines."""

import frame
import streamlit as st
from views import BY_PATH, VIEWS

from playground.i18n import t
from playground.lessons import LESSONS

lang = frame.language()
st.title(t("home_title", lang))
st.markdown(t("home_intro", lang))
for v in (v for v in VIEWS if v.card):
    with st.container(border=True):
        st.page_link(v.script, label=t(f"nav_{v.key}", lang), icon=":material/arrow_forward:")
        st.markdown(t(f"home_{v.key}", lang))

st.header(t("lessons", lang))
st.markdown(t("lessons_intro", lang))
for view in VIEWS:  # (the lessons of each view under its name: a card did not say its view)
    lessons = [lesson for lesson in LESSONS.values() if lesson.page == view.url_path]
    if not lessons:
        continue
    st.subheader(t(f"nav_{view.key}", lang))
    cols = st.columns(3)
    for i, lesson in enumerate(lessons):
        with cols[i % 3].container(border=True, key=f"lesson_card_{lesson.key}"):
            st.markdown(f"**{t(f'lesson_{lesson.key}_title', lang)}**")
            st.caption(t(f"lesson_{lesson.key}_predict", lang))
            st.page_link(
                BY_PATH[lesson.page].script,
                label=t("lesson_open", lang),
                icon=":material/school:",
                query_params={**lesson.query, "lang": lang},
            )
st.caption(t("home_footer", lang))
