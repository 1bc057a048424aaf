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

import time
from collections.abc import Callable

import frame
import guided
import streamlit as st
import workers

from playground import budget, training
from playground.i18n import UserError, t
from playground.training import WATCH_SLOWLY

POLL = 0.5  # seconds between redraws while training (a class of 30 shares one server)

# (pool, job, pace, budget) → submit the training and return its future; pace: the seconds
# its updates are spread over; budget: the CPU seconds after which the worker ends it
Start = Callable[[object, workers.TrainingJob, float, float], object]


def buttons(
    state: str,
    key: tuple,
    start: Start,
    ids: tuple[str, str, str],
    press: str,
    lang: str,
    cost: budget.Estimate,
):
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
    cost : budget.Estimate
        The current settings' estimated cost: over the budget, Train says so and trains nothing.
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
    refused = None
    if b1.button(train, type="primary", icon=":material/play_arrow:", key=ids[0]):
        try:
            cost.check()
        except UserError as err:
            refused = err.message(lang, frame.inert)
        else:
            job = _queue(state, key, start, WATCH_SLOWLY if slow else 0.0)
    if job is not None:
        job.collect()
    stop = t("lab_stop", lang)
    pressed = b2.button(stop, icon=":material/stop:", key=ids[1], disabled=job is None or job.done)
    if pressed and job is not None and not job.done:  # (a run that ended as Stop was pressed
        # has not been stopped: it said "Stopped at epoch 300" of a 300-epoch run)
        workers.trainers().stop(job)
        job.stopped = True  # (said from here on without asking the manager's event)
    _say(b3, job, key, press, lang)
    if refused:
        st.error(refused, icon=":material/timer_off:")
    elif frame.presenting() and job is not None:
        pass  # (on a projector, the run's charts come right under Train: tests/e2e)
    else:
        seconds = budget.Duration(cost.seconds)
        said = t("lab_cost", lang, cost=seconds, budget=budget.Duration(budget.BUDGET_SECONDS))
        if slow:  # (the estimate is of the computing; watched slowly, the run lasts longer)
            said += " " + t("lab_cost_slow", lang, seconds=f"{WATCH_SLOWLY:g}")
        st.caption(said)
    return job


def _queue(state: str, key: tuple, start: Start, pace: float) -> workers.TrainingJob:
    """A new job for ``key`` in the trainers' line; it replaces this session's earlier one."""
    pool, manager = workers.lab_workers()
    job = workers.TrainingJob(key, manager.Queue(), manager.Event())
    st.session_state[state] = job
    cap = budget.CAP * budget.BUDGET_SECONDS
    workers.trainers().put(workers.session_id(), job, lambda: start(pool, job, pace, cap))
    return job


def _say(where, job: workers.TrainingJob | None, key: tuple, press: str, lang: str) -> None:
    """The line beside the buttons: what to do, or what became of the run."""
    if job is None:
        where.info(press)
    elif job.cancelled:
        where.info(t("lab_cancelled", lang))
    elif job.done and job.capped:
        where.warning(t("lab_capped", lang, budget=budget.Duration(budget.BUDGET_SECONDS)))
    elif job.key != key:
        where.warning(t("lab_changed", lang))
    elif job.done and job.records and job.stopped:  # Stop pressed: say where it ended
        where.info(t("lab_stopped_by_you", lang, epoch=getattr(job.records[-1], "epoch", "?")))
    else:  # (a line in every state: the page does not move when Train starts or ends)
        where.info(t("lab_running" if not job.done else "lab_done", lang))


FIRST = 0.6  # seconds a rerun waits for a new run's first epoch before it says "Starting…"


def first_records(job: workers.TrainingJob) -> None:
    """Wait up to ``FIRST`` seconds for a run that has sent nothing yet to send its first records.

    The rerun that Train started then draws the first epoch itself: a free trainer sends it
    within a few tens of ms, and the redraw after it came ``POLL`` s and one more rerun later,
    a second or more with a class on the server (bench_load.py's Train → first epoch). While
    it waits, the rerun's thread sleeps: the server is free for the others.
    """
    if workers.trainers().ahead(job) is not None:  # (in the line for a free trainer)
        return
    deadline = time.monotonic() + FIRST
    while not job.records and not job.done and time.monotonic() < deadline:
        time.sleep(0.1)
        job.collect()


def live(
    state: str,
    draw: Callable[[workers.TrainingJob], None],
    lang: str,
    waiting: Callable[[], None] | None = None,
) -> None:
    """Redraw the running job every ``POLL`` seconds; once it ends, rerun the page once.

    ``waiting`` draws what the view showed before Train (its data, its network) until the
    run's first epoch arrives: the figures vanished for a second after Train, and the page
    jumped up and back down.
    """
    first_records(st.session_state[state])

    @st.fragment(run_every=POLL)
    def redraw() -> None:
        current: workers.TrainingJob = st.session_state[state]
        current.collect()
        if current.error:
            st.error(t("err_unexpected", lang))
        if current.done:
            st.rerun(scope="app")  # finished: draw the results once, stop polling
        if not current.records:
            ahead = workers.trainers().ahead(current)
            if ahead is None:
                st.info(t("lab_starting", lang))
            else:
                st.info(t("lab_waiting", lang, ahead=ahead, slots=workers.LAB_WORKERS))
            if waiting is not None:
                waiting()
            return
        draw(current)

    redraw()


def eta_now(record, schedule, lang: str) -> str:
    """ " · η 0.0031" for a progress line: the baseline's rate in the record's epoch, when a
    schedule changes it (nothing for a constant rate)."""
    if schedule is None or record.lr is None:
        return ""
    return t("progress_eta", lang, eta=f"{record.lr[0]:.3g}")


def what_to_notice(job, lang: str, say: Callable[[], None]) -> None:
    """A training view's "What to notice" (``say`` writes it): closed until a run has finished,
    then open. In a lesson it states the answer the class is to predict, so it is there only
    after a run, and closed (a fresh-eyes teacher opened it before Train and read the answer;
    Inside's answered the lesson's next question)."""
    done = job is not None and job.done
    lesson = guided.in_lesson()
    if lesson and not done:
        return
    with st.expander(t("notice", lang), expanded=done and not lesson):
        say()


def notice(prefix: str, variants, lang: str, extra: tuple[str, ...] = ()) -> None:
    """A lab's "What to notice" for the variants on screen: ``prefix``'s points
    (training.notice_points), then ``extra`` ones (the ConvNet's kernels) before the split's."""
    points = training.notice_points(variants)
    points[-1:-1] = extra
    st.markdown("\n".join(f"- {t(f'{prefix}_notice_{p}', lang)}" for p in points))
