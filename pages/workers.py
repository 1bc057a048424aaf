"""The server's worker processes: the compute pools (two lanes, quick and long) and the
training runs of the lab and the ConvNet, with the one thread that reads their queues.

What the workers run is in playground.jobs (and playground.training): pure library, which
imports neither streamlit nor these pages. The pools are shared by every session.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx

from playground import jobs
from playground.i18n import UserError
from playground.trainers import TrainerQueue
from playground.training import Capped, Summary

log = logging.getLogger("playground")


# Worker processes per server for the views' computations, in two lanes: quick ones (a race,
# a descent, an MAE surface, numpy's from-scratch way: tenths of a second) never queue behind
# long ones (the from-scratch torch ways, a basin map: seconds), and long ones run at a lower
# CPU priority, so they take only what the server and the quick lane leave, whatever a class
# asks for at once (bench_load.py). Two long workers: the two torch parts train at once.
# (Two each on a server with two CPUs or more, one each with one: jobs.workers_per_pool.)
WORKERS = jobs.workers_per_pool()
LANES = {"quick": (WORKERS, jobs.init), "long": (WORKERS, jobs.init_background)}


@st.cache_resource(show_spinner=False)
def compute_pool(lane: str = "quick"):
    """Worker processes of one lane, shared by all sessions (the work is in playground.jobs)."""
    workers, initializer = LANES[lane]
    return jobs.start_pool(workers, initializer, jobs.warm)


def start_pools() -> None:
    """Start the compute workers of every lane in the background, not in a page's rerun.

    A worker's start waits until the forkserver has imported torch (about 5 s on the first
    start of a server): the first student's page must not wait for that (measured: the home
    view of a fresh server took 9-11 s instead of 6-7 s). A computation asked for before the
    workers are up waits for them, as it must.
    """
    import threading

    def start() -> None:
        for lane in LANES:
            compute_pool(lane)

    starter = threading.Thread(target=start, name="start-compute-pools", daemon=True)
    add_script_run_ctx(starter)  # (the cache of compute_pool belongs to the app's runtime)
    starter.start()


def offload(fn, *args, lane: str = "quick"):
    """``fn(*args)`` in a compute worker, within one request's CPU and memory caps
    (``jobs.capped``); this rerun waits for it without holding the GIL.

    A worker that died (killed from outside) takes its pool with it: the pool is rebuilt and
    the request sent once more; if that worker dies too, the student is told (a UserError).
    The server never computes a request itself: it could be what killed the worker.
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        return compute_pool(lane).submit(jobs.capped, fn, *args).result()
    except BrokenProcessPool:
        restart_broken_pools()
    try:
        return compute_pool(lane).submit(jobs.capped, fn, *args).result()
    except BrokenProcessPool:
        restart_broken_pools()
        raise UserError("err_worker_lost") from None


def restart_broken_pools() -> None:
    """Forget each lane's pool that a dead worker broke, so the next computation starts a new
    one. Only a broken pool: when several sessions see the same failure, the first one's new
    pool is kept, and a healthy lane's workers are never orphaned (they would wait forever)."""
    for lane in LANES:
        if getattr(compute_pool(lane), "_broken", False):  # (set before its futures fail)
            log.error("a worker of the %s lane died; the lane starts new workers", lane)
            compute_pool.clear(lane)


@dataclass(eq=False)
class TrainingJob:
    """One training run of a session (the lab's or the ConvNet's): a worker process fills its
    queue, the page drains it."""

    key: tuple
    inbox: object  # a multiprocessing queue (manager proxy)
    stop: object  # a multiprocessing event (manager proxy)
    records: list = field(default_factory=list)
    summary: object = None
    error: bool = False
    done: bool = False
    started: float = field(default_factory=time.time)
    capped: float = 0.0  # the time budget (s) that ended the run, 0 if none did
    cancelled: bool = False  # stopped before it started (a newer Train, Stop, or a closed tab)
    stopped: bool = False  # the student pressed Stop (a local flag: ``stop`` is a proxy, and
    # asking it from a rerun's new thread opens a new connection to the manager each time)

    def dropped(self) -> None:
        """The run was taken out of the line before it started: nothing will come."""
        self.cancelled = self.done = True

    def collect(self) -> None:
        """Move what the worker has sent so far into ``records`` / ``summary``."""
        if self.done:
            return
        for batch in training_queues().submit(jobs.drain, self.inbox).result():
            if batch is None:
                self.done = True
            elif isinstance(batch, Exception):
                self.error = True
            else:
                for item in batch:
                    if isinstance(item, Capped):
                        self.capped = item.seconds
                    elif isinstance(item, Summary):
                        self.summary = item
                    else:
                        self.records.append(item)


@st.cache_resource(show_spinner=False)
def training_queues() -> ThreadPoolExecutor:
    """The one thread in which the server reads the trainings' queues (manager proxies).

    A proxy opens a connection per thread, with an authentication handshake, and the manager
    starts a thread to serve it; Streamlit runs every rerun in a new thread, so every live
    redraw of a training view (twice a second for each student training) paid for a new
    connection before it read anything. This thread keeps its connection.
    """
    return ThreadPoolExecutor(1, thread_name_prefix="training-queues")


# Processes per server that train (the lab, the ConvNet, Inside, Landscapes): two for each
# core they may use, taking turns at the cores (playground.turns), so a new training's first
# epochs come at once while others train; beyond them a training waits for a free trainer.
LAB_WORKERS = jobs.trainers_per_server()


@st.cache_resource(show_spinner=False)
def lab_workers():
    """A pool of worker processes (and a manager for their queues), shared by all sessions.

    Training in processes keeps it off the server's GIL. The trainers take turns at the
    server's cores (as many turns as the compute pools' workers), the training that has used
    the least CPU first: a student's new run starts drawing within a turn (0.1 s) instead of
    waiting for another student's run to end.
    """
    from multiprocessing.managers import SyncManager

    from playground import training, turns

    shared = turns.Turns.create(jobs.context(), WORKERS, LAB_WORKERS)
    pool = jobs.start_pool(LAB_WORKERS, jobs.init_trainer, training.warm_worker, (shared,))
    manager = SyncManager(ctx=jobs.context())
    with jobs.plain_main():
        manager.start(jobs.exit_with_parent)  # (so it does not outlive a killed server either)
    return pool, manager


SWEEP = 1.0  # seconds between looks for closed sessions (and free trainers)


@st.cache_resource(show_spinner=False)
def trainers() -> TrainerQueue:
    """The line of trainings of all sessions (playground.trainers), and its sweeper: a thread
    that starts waiting trainings as trainers free up and, every ``SWEEP`` seconds, cancels
    the trainings of sessions that have gone (tab closed: Streamlit disconnects the session).
    """
    line = TrainerQueue(LAB_WORKERS)

    def sweep() -> None:
        while True:
            line.wait_for_change(SWEEP)
            try:
                for owner in line.sweep(session_alive):
                    log.info("a closed session's training was stopped (%s)", owner)
                line.pump()
            except Exception:  # (a broken pool: the next Train starts a new one)
                log.exception("the trainings' sweeper")

    threading.Thread(target=sweep, name="trainings-sweeper", daemon=True).start()
    return line


def session_alive(session_id: str) -> bool:
    """Whether the session is still connected (a browser tab showing it).

    Streamlit's ``Runtime.is_active_session`` (thread-safe): a session is inactive from the
    moment its websocket closes. (A test pins it: a closed tab's training frees its trainer.)
    """
    from streamlit import runtime

    return not runtime.exists() or runtime.get_instance().is_active_session(session_id)


def session_id() -> str:
    """This rerun's session."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"
