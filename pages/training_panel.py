"""The training panel the overfitting lab and the ConvNet share: Train / Stop, the run's state,
and its live redraw.

A run is drawn only from its own job: the settings it was started with (``job.key``) and what
it has sent. Widgets changed after Train never relabel or reshape what was trained; the panel
says the settings changed instead.

"Watch slowly" (a toggle beside Train, in the link, on in the training lessons) spreads a run's
updates over at least ``training.WATCH_SLOWLY`` seconds: the lab trains 1,000 epochs in about
2 s, too fast for a class to watch. It delays only what is shown, never what is trained, so it
is not part of a run's settings.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
import workers

from playground.i18n import t
from playground.training import WATCH_SLOWLY

POLL = 0.5  # seconds between redraws while training (a class of 30 shares one server)

# (pool, job, pace) → submit the training; pace: the seconds its updates are spread over
Start = Callable[[object, workers.TrainingJob, float], None]


def buttons(state: str, key: tuple, start: Start, ids: tuple[str, str, str], press: str, lang: str):
    """Train, Stop, "watch slowly", and a line on the run: returns the session's job (None
    before Train).

    Parameters
    ----------
    state : str
        Session-state key of the view's job ("_lab_job", "_net_job").
    key : tuple
        The current settings; a new job keeps them as its own.
    start : callable
        Submits the training of a new job to the pool.
    ids : (str, str, str)
        Widget keys of the Train and Stop buttons and of the "watch slowly" toggle (also its
        URL parameter).
    press : str
        What to say before the first Train.
    """
    job: workers.TrainingJob | None = st.session_state.get(state)
    b1, b2, b4, b3 = st.columns([1, 1, 1.4, 2.6], vertical_alignment="center")
    slow = b4.toggle(
        t("lab_slow", lang),
        False,
        key=ids[2],
        help=t("lab_slow_help", lang, seconds=f"{WATCH_SLOWLY:g}"),
        bind="query-params",
    )
    train = t("lab_train", lang)
    if b1.button(train, type="primary", icon=":material/play_arrow:", key=ids[0]):
        if job is not None:
            job.stop.set()
        pool, manager = workers.lab_workers()
        job = workers.TrainingJob(key, manager.Queue(), manager.Event())
        st.session_state[state] = job
        start(pool, job, WATCH_SLOWLY if slow else 0.0)
    if job is not None:
        job.collect()
    stop = t("lab_stop", lang)
    if b2.button(stop, icon=":material/stop:", key=ids[1], disabled=job is None or job.done):
        job.stop.set()
    if job is None:
        b3.info(press)
    elif job.key != key:
        b3.warning(t("lab_changed", lang))
    return job


def live(state: str, draw: Callable[[workers.TrainingJob], None], lang: str) -> None:
    """Redraw the running job every ``POLL`` seconds; once it ends, rerun the page once."""

    @st.fragment(run_every=POLL)
    def redraw() -> None:
        current: workers.TrainingJob = st.session_state[state]
        current.collect()
        if current.error:
            st.error(t("err_unexpected", lang))
        if current.done:
            st.rerun(scope="app")  # finished: draw the results once, stop polling
        if not current.records:
            st.info(t("lab_starting", lang))
            return
        draw(current)

    redraw()
