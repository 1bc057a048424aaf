"""The router: every run of the dashboard's script (pages/app.py) calls :func:`main`.

It builds the navigation from the view registry (views.py), draws the page frame, and runs
the view the URL names, with its lesson box and the notice about a link's unusable settings.
"""

import logging

import charts
import frame
import guided
import link_notice
import reset
import streamlit as st
import torch
import workers
from views import BY_PATH, HOME, VIEWS

from playground import heap
from playground.i18n import t

torch.set_num_threads(1)  # many sessions share one server process
logging.basicConfig(level=logging.INFO)


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Pay torch's one-off start-up costs (about a second) once per server, not per student."""
    from playground import landscapes, runs
    from playground.optimizers import RunSpec

    land = landscapes.get("saddle")
    runs.race(land, [RunSpec.parse(r) for r in land.race], runs.RaceConfig(land.start, 5))
    workers.start_pools()  # the compute workers start with the server, in the background
    return True


def main() -> None:
    """One run of the app: the frame, the view the URL names, then what the link could not use."""
    st.set_page_config(page_title="Optimizer & loss playground", page_icon="📉", layout="wide")
    link = frame.link_snapshot()  # the settings as the link gave them, before any widget runs
    lang = frame.page_frame()
    pages = [
        st.Page(
            v.script,
            title=t(f"nav_{v.key}", lang),
            icon=v.icon,
            url_path=v.url_path,
            default=v is HOME,
        )
        for v in VIEWS
    ]
    warm_up()
    page = st.navigation(pages)
    shown = BY_PATH.get(page.url_path or HOME.url_path, HOME)
    # (the browser's tab says which view it holds: a teacher opens several before a class)
    view = [] if shown is HOME else [t(f"nav_{shown.key}", lang)]
    st.set_page_config(page_title=" · ".join([*view, t("home_title", lang)]))
    frame.drop_non_finite(link)  # (reported with the others the view could not use)
    # The build of plotly.js that a view's first figures need (pages/chart.js; views.View.build)
    # loads as the view starts, before its figures arrive. Home has no figure: once idle, it
    # loads the build that draws every view's, for the view a student opens next.
    with st.sidebar:
        if shown is not HOME and st.button(
            t("reset_view", lang),
            key="reset_view",
            icon=":material/restart_alt:",
            help=t("reset_view_help", lang),
        ):
            for key in shown.session_keys:  # (its training, which the reset forgets, stops)
                if isinstance(job := st.session_state.get(key), workers.TrainingJob):
                    workers.trainers().stop(job)
            st.switch_page(page, query_params=reset.reset_view(page.url_path))
        charts.preload_charts(shown.build, shown.preload_idle)
    notice = st.container()  # above the view: what in the link could not be used
    guided.lesson_box(st.container(), lang, shown.url_path)
    # Only a view just opened (a link, a reload, the menu) can have settings it could not use:
    # on a rerun the URL holds what the widgets themselves wrote (a changed optimizer's old
    # value among them), which is no link of anybody's.
    arrived = st.session_state.get("_page") != page.url_path
    arrived |= bool(st.session_state.pop("_arriving", False))  # (frame.restart_without)
    frame.restore_settings(page.url_path, link)
    reset.push_reset_defaults()
    ran = False
    try:
        page.run()
        ran = True
        heap.settle(page.url_path)  # (a view's first run: what it loaded, out of the GC's walks)
        reset.finish_reset(page.url_path)
    finally:
        st.session_state.pop(frame.ABOUT_SLOT, None)  # (a run cut short left it: never reused)
        frame.save_settings(page.url_path, ran)
        link_notice.say(notice, link if arrived else {}, lang)
