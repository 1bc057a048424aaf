"""Keep Python's cycle collector off what a long-lived process loaded once.

A full collection walks every object the collector tracks, with the GIL held. The server
holds about a million of them once torch, pandas, plotly and Streamlit are imported and every
view has run (a worker, with torch: a few hundred thousand), and a class's reruns trigger a
full collection every few seconds: each one was a stall of 0.3–1 s for every session at once
(measured: a race figure that takes 45 ms took 0.4–0.6 s whenever one fell inside it).

Modules, their functions and classes, and the caches' first entries never become garbage.
:func:`settle` collects what is garbage now and then freezes every object left
(``gc.freeze``, which Python's documentation advises for servers that load once and then
serve): the collector no longer walks them, so a full collection walks only what was made
since. A frozen object is still freed when its last reference goes; only a reference cycle
among frozen objects would stay, and settling right after a collection freezes none.
``benchmarks/bench_gc.py`` measures a full collection before and after.
"""

from __future__ import annotations

import gc
import threading

_settled: set[str] = set()
_lock = threading.Lock()


def settle(what: str = "") -> bool:
    """Collect the garbage, then take every object left out of the collector's walks.

    Once per ``what`` in a process (the server settles after the first run of each view,
    whose imports and first figures it keeps; a worker once, after its warm-up).

    Returns
    -------
    bool
        True if it settled now, False if ``what`` was settled before.
    """
    with _lock:
        if what in _settled:
            return False
        _settled.add(what)
        gc.collect()
        gc.freeze()
        return True


def walked() -> int:
    """How many objects a full collection walks now (those the collector tracks, not frozen)."""
    return len(gc.get_objects())
