"""Router of the dashboard: `playground run` (or `streamlit run pages/app.py`) starts here.

It lives inside pages/ on purpose: an entrypoint beside a folder named `pages` would put
Streamlit in its legacy multipage mode.
"""

import logging

import charts
import frame
import streamlit as st
import torch
import workers
from views import BY_PATH, HOME, VIEWS

from playground.i18n import t

torch.set_num_threads(1)  # many sessions share one server process
logging.basicConfig(level=logging.INFO)

st.set_page_config(page_title="Optimizer & loss playground", page_icon="📉", layout="wide")
link = frame.link_snapshot()  # the settings as the link gave them, before any widget runs
lang = frame.page_frame()
st.set_page_config(page_title=t("home_title", lang))
PAGES = [
    st.Page(
        v.script, title=t(f"nav_{v.key}", lang), icon=v.icon, url_path=v.url_path, default=v is HOME
    )
    for v in VIEWS
]


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Pay torch's one-off start-up costs (about a second) once per server, not per student."""
    from playground import landscapes, runs
    from playground.optimizers import RunSpec

    land = landscapes.get("saddle")
    runs.race(land, [RunSpec.parse(r) for r in land.race], runs.RaceConfig(land.start, 5))
    if __name__ != "__mp_main__":  # (never in a worker, should one ever import this file)
        workers.start_pools()  # the compute workers start with the server, in the background
    return True


# The build of plotly.js that a view's first figures need (pages/chart.js; views.View.build):
# loading it starts as the view does, before its figures arrive. Home has no figure: once idle,
# it loads the build that draws every view's, for the view a student opens next.
warm_up()
page = st.navigation(PAGES)
with st.sidebar:
    shown = BY_PATH.get(page.url_path or HOME.url_path, HOME)
    charts.preload_charts(shown.build, shown.preload_idle)
notice = st.container()  # above the view: what in the link could not be used
frame.lesson_box(st.container(), lang)
frame.restore_settings(page.url_path, link)
try:
    page.run()
finally:
    frame.save_settings(page.url_path)
    frame.link_notice(notice, link, lang)
