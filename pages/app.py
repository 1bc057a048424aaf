"""Router of the dashboard: `playground run` (or `streamlit run pages/app.py`) starts here.

It lives inside pages/ on purpose: an entrypoint beside a folder named `pages` would put
Streamlit in its legacy multipage mode.
"""

import logging

import streamlit as st
import torch
import ui

from playground.i18n import t

torch.set_num_threads(1)  # many sessions share one server process
logging.basicConfig(level=logging.INFO)

st.set_page_config(page_title="Optimizer & loss playground", page_icon="📉", layout="wide")
link = ui.link_snapshot()  # the settings as the link gave them, before any widget runs
lang = ui.page_frame()
st.set_page_config(page_title=t("home_title", lang))
PAGES = [
    st.Page(
        "home.py", title=t("nav_home", lang), icon=":material/home:", url_path="home", default=True
    ),
    st.Page(
        "loss_surface.py",
        title=t("nav_loss_surface", lang),
        icon=":material/landscape:",
        url_path="loss-surface",
    ),
    st.Page("race.py", title=t("nav_race", lang), icon=":material/sports_score:", url_path="race"),
    st.Page("ewa.py", title=t("nav_ewa", lang), icon=":material/show_chart:", url_path="ewa"),
    st.Page(
        "overfit.py", title=t("nav_overfit", lang), icon=":material/school:", url_path="overfit"
    ),
    st.Page(
        "convnet.py", title=t("nav_convnet", lang), icon=":material/grid_on:", url_path="convnet"
    ),
    st.Page(
        "scratch.py", title=t("nav_scratch", lang), icon=":material/code:", url_path="from-scratch"
    ),
]


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Pay torch's one-off start-up costs (about a second) once per server, not per student."""
    from playground import landscapes, runs
    from playground.optimizers import RunSpec

    land = landscapes.get("saddle")
    runs.race(land, [RunSpec.parse(r) for r in land.race], runs.RaceConfig(land.start, 5))
    if __name__ != "__mp_main__":  # (never in a worker, should one ever import this file)
        ui.start_pools()  # the compute workers start with the server, in the background
    return True


# The build of plotly.js that a view's first figures need (pages/chart.js; "2d" otherwise):
# loading it starts as the view does, before its figures arrive. Home has no figure: once idle,
# it loads the build that draws every view's, for the view a student opens next.
CHART_BUILDS = {"home": ("3d", True), "loss-surface": ("3d", False)}

warm_up()
page = st.navigation(PAGES)
with st.sidebar:
    ui.preload_charts(*CHART_BUILDS.get(page.url_path or "home", ("2d", False)))
notice = st.container()  # above the view: what in the link could not be used
ui.lesson_box(st.container(), lang)
ui.restore_settings(page.url_path, link)
try:
    page.run()
finally:
    ui.save_settings(page.url_path)
    ui.link_notice(notice, link, lang)
