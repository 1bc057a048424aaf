"""The from-scratch view's fits, drawn in parts as they finish.

numpy's way is computed while the rerun waits (the quick lane); the torch ways are trained in
the long lane in the background (playground.jobs.SCRATCH_PARTS), each submitted once for every
session that asks, and drawn when done. The worker processes are in workers.py.
"""

from __future__ import annotations

import streamlit as st
from workers import compute_pool, offload, restart_broken_pools

from playground import jobs, scratch


def scratch_fits(config: scratch.ScratchConfig) -> tuple[dict[str, scratch.Fit], tuple[str, ...]]:
    """The fits computed so far, cut to ``config.steps``, and the ways still training.

    numpy's way (tens of milliseconds) is computed while the rerun waits, so a change shows a
    new picture at once; the torch ways (seconds: 0.2-0.4 ms a step each) train in the long
    lane in the background, submitted once for every session that asks, and the page draws
    them when they are done (``scratch_waiting`` tells it when to look again). Runs are
    computed to a step bucket and cut; a run of the same settings that this tab computed last
    is cut when it is long enough (steps moved down), not computed again. The torch.optim way
    is its own part: a change of its optimizer or learning rate trains only it.
    """
    lr4 = scratch.optim_lr(config)
    plain = _longest("plain", (config.problem, config.lr), config.steps)  # the first three
    wanted = {
        "torch": plain,
        "optim": _longest("optim", (config.problem, lr4, config.optimizer), config.steps),
    }
    # What this tab waited for and no longer wants (a student who clicks + five times) is
    # dropped if no worker has started it; a session that still wants it submits it again.
    for (part, args), future in st.session_state.get("_fs_waiting", {}).items():
        if wanted[part] != args and future.cancel():
            _background.clear(part, args)
    futures = {part: _background(part, args) for part, args in wanted.items()}  # (long: first)
    fits = dict(_hand_fit(*plain))
    waiting = {}
    for part, args in wanted.items():
        future = futures[part]
        if future.done():
            if (got := _result(part, args, future)) is not None:
                fits.update(got)
                continue
            future = _background(part, args)  # (submitted again)
        waiting[part, args] = future
    st.session_state["_fs_waiting"] = waiting
    pending = tuple(k for k in scratch.WAYS if k not in fits)
    return scratch.prefix({k: fits[k] for k in scratch.WAYS if k in fits}, config.steps), pending


def scratch_waiting() -> bool:
    """Whether a part this tab's last ``scratch_fits`` waits for is still training."""
    return not all(f.done() for f in st.session_state.get("_fs_waiting", {}).values())


def _longest(kind: str, settings: tuple, steps: int) -> tuple:
    """``(*settings, n)`` with n ≥ steps: this tab's last n for these settings, or the bucket
    of ``steps``."""
    key = f"_fs_last_{kind}"
    last = st.session_state.get(key)  # (settings, n) of this tab's last run of this kind
    n = last[1] if last and last[0] == settings and last[1] >= steps else scratch.bucket(steps)
    st.session_state[key] = (settings, n)
    return (*settings, n)


@st.cache_data(max_entries=32, show_spinner=False)
def _hand_fit(problem: str, lr: float, steps: int) -> dict[str, scratch.Fit]:
    return offload(scratch.fit_ways, problem, lr, steps, ("hand",))


@st.cache_resource(max_entries=128, show_spinner=False)
def _background(part: str, args: tuple):
    """The future of one part, submitted to the long lane once for every session.

    Room for every tab of a class waiting at once (an entry forgotten while a tab waits for it
    would be computed again); a done entry of 5,000 steps holds about 0.4 MB.
    """
    from concurrent.futures.process import BrokenProcessPool

    try:
        return compute_pool("long").submit(jobs.capped, jobs.SCRATCH_PARTS[part], *args)
    except BrokenProcessPool:  # a worker died: its pool is started again
        restart_broken_pools()
        return compute_pool("long").submit(jobs.capped, jobs.SCRATCH_PARTS[part], *args)


def _result(part: str, args: tuple, future) -> dict[str, scratch.Fit] | None:
    """A done future's fits, or None if it was cancelled or its worker died (it is forgotten,
    to be submitted again); an error of the computation itself is raised."""
    from concurrent.futures import CancelledError
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except (CancelledError, BrokenProcessPool):
        _background.clear(part, args)
        if not future.cancelled():
            restart_broken_pools()
        return None
    except Exception:
        _background.clear(part, args)
        raise
