"""Home: what each view teaches, in a few lines."""

import streamlit as st
import ui

from playground.i18n import t

lang = ui.language()
st.title(t("home_title", lang))
st.markdown(t("home_intro", lang))
for key, page in (
    ("loss_surface", "loss_surface.py"),
    ("race", "race.py"),
    ("ewa", "ewa.py"),
    ("overfit", "overfit.py"),
):
    with st.container(border=True):
        st.page_link(page, label=t(f"nav_{key}", lang), icon=":material/arrow_forward:")
        st.markdown(t(f"home_{key}", lang))
st.caption(t("home_footer", lang))
