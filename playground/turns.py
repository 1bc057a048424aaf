"""Turns at the CPU for the trainers: more trainings run at once than there are cores, and
they take turns of a fraction of a second, the one that has used the least CPU first.

A class shares two cores. With one training per core, a student who pressed Train behind two
running trainings saw nothing until one of them ended (5–30 s in the abuse load test). Here
more training processes than cores each hold a training, but a training computes only while it
holds a *turn* (there are as many turns as cores); after ``SLICE`` seconds it gives its turn
back and asks again, and a turn goes to the waiting training that has used the least CPU so
far. A new training has used none, so its first epochs come at once, whatever else is
training; the older ones go on at the pace the rest of the CPU allows (processor sharing, as
an operating system's fair scheduler does, but between trainings rather than processes).

The turns live in shared memory (a condition variable and two arrays), set up in each
training worker by :func:`install` (its pool's initializer): a worker takes a turn in
:func:`tick`, which the training loop calls after every mini-batch (a local clock read unless
the slice is over), and gives it back in :func:`release` (when its run ends or waits). A
worker killed while it holds a turn (a memory cap) is noticed by the others, which take the
turn back. Outside a training worker (tests, notebooks, the command line) there are no turns
and :func:`tick` does nothing.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

SLICE = 0.1  # seconds a training computes before it lets a waiting one take its turn
LOOK = 0.5  # seconds between a waiting worker's looks for turns that a dead worker held


@dataclass
class Turns:
    """The shared state: ``cores`` turns among ``workers`` processes.

    ``want[i]``: the CPU seconds worker ``i``'s training has used, while it waits for a turn
    (inf when it does not wait); ``holding[i]``: 1 while it holds one; ``pid[i]``: its process.
    """

    cond: object  # a multiprocessing Condition
    free: object  # a multiprocessing Value('i'): turns nobody holds
    want: object  # a multiprocessing Array('d', workers)
    holding: object  # a multiprocessing Array('i', workers)
    pid: object  # a multiprocessing Array('i', workers)

    @classmethod
    def create(cls, ctx, cores: int, workers: int) -> Turns:
        """Turns for a pool of ``workers`` processes started with the context ``ctx``."""
        return cls(
            ctx.Condition(ctx.Lock()),
            ctx.Value("i", cores, lock=False),
            ctx.Array("d", [math.inf] * workers, lock=False),
            ctx.Array("i", [0] * workers, lock=False),
            ctx.Array("i", [0] * workers, lock=False),
        )


_turns: Turns | None = None  # this worker's shared turns (None: not a training worker)
_index = -1  # this worker's place in them
_since: float | None = None  # when this worker took its turn (None: it holds none)
_start_cpu = 0.0  # this process's CPU time when its current training began


def install(turns: Turns) -> None:
    """Make this process one of the workers sharing ``turns`` (a pool's initializer)."""
    global _turns, _index
    with turns.cond:
        _reclaim(turns)  # (a replacement worker takes the place of a dead one)
        free = [j for j in range(len(turns.pid)) if not turns.pid[j]]
        _index = free[0] if free else -1
        if free:
            turns.pid[_index] = os.getpid()
    _turns = turns if free else None


def begin() -> None:
    """A new training starts in this worker: it has used no CPU yet, so it goes first."""
    global _start_cpu
    _start_cpu = time.process_time()


def tick(stopped: Callable[[], bool] | None = None) -> float:
    """Take a turn, or give it up for a moment if the slice is over and another waits.

    ``stopped``: asked while waiting for a turn (at least every ``LOOK`` seconds); once it is
    True the wait ends without a turn. A stopped training has no more to compute, and a long
    one would otherwise wait behind every newer training (they have used less CPU) while it
    holds its trainer, so the trainings waiting for a free trainer would wait too.

    Returns the seconds spent waiting (not training: a budget does not count them)."""
    global _since
    if _turns is None:
        return 0.0
    now = time.monotonic()
    if _since is not None and now - _since < SLICE:
        return 0.0
    if _since is not None:
        release()
    waited, took = _acquire(stopped or _never)
    _since = time.monotonic() if took else None
    return waited


def release() -> None:
    """Give this worker's turn back (the run ends, or waits: "watch slowly")."""
    global _since
    if _turns is None or _since is None:
        return
    with _turns.cond:
        _turns.holding[_index] = 0
        _turns.free.value += 1
        _turns.cond.notify_all()
    _since = None


def _never() -> bool:
    return False


def _acquire(stopped: Callable[[], bool]) -> tuple[float, bool]:
    """Wait until a turn is free and no waiting training has used less CPU than this one, or
    until ``stopped()``; returns the seconds waited and whether a turn was taken."""
    turns, start = _turns, time.monotonic()
    used = time.process_time() - _start_cpu
    with turns.cond:
        turns.want[_index] = used
        while not (turns.free.value > 0 and _first(turns, _index)):
            _reclaim(turns)
            if turns.free.value > 0 and _first(turns, _index):
                break
            if stopped():
                turns.want[_index] = math.inf
                turns.cond.notify_all()  # (the next in line may be waiting on this one)
                return time.monotonic() - start, False
            turns.cond.wait(LOOK)
        turns.want[_index] = math.inf
        turns.free.value -= 1
        turns.holding[_index] = 1
    return time.monotonic() - start, True


def _first(turns: Turns, i: int) -> bool:
    """Whether worker ``i`` is the waiting one that has used the least CPU (ties: lower i)."""
    mine = turns.want[i]
    return all((turns.want[j], j) >= (mine, i) for j in range(len(turns.want)) if j != i)


def _reclaim(turns: Turns) -> None:
    """Forget workers that died (under ``turns.cond``): a turn one held is free again, a wait
    it left blocks no one, and its place is free for the worker that replaces it."""
    for j, pid in enumerate(turns.pid):
        if pid and not _alive(pid):
            if turns.holding[j]:
                turns.holding[j] = 0
                turns.free.value += 1
            turns.want[j] = math.inf
            turns.pid[j] = 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # (someone else's process: alive)
        return True
    return True
