"""Turns at the CPU (playground.turns) between real processes: a new training gets the next
turn ahead of the older ones, a turn held by a worker that died is taken back, and outside a
training worker there are no turns."""

from __future__ import annotations

import math
import multiprocessing
import os
import time
import types

from playground import turns

CTX = multiprocessing.get_context("fork")  # (the children run only playground.turns)


def _old(shared, events, seconds: float) -> None:
    """A training that has run a while: it computes in slices for ``seconds``, and says when
    it takes a new turn (its turn's start changes)."""
    turns.install(shared)
    turns.begin()
    end, since = time.monotonic() + seconds, None
    while time.monotonic() < end:
        turns.tick()
        if turns._since != since:
            since = turns._since
            events.put((os.getpid(), "turn", time.monotonic()))
        _burn(0.01)
    turns.release()


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def _newcomer(shared, events) -> None:
    turns.install(shared)
    _burn(0.3)  # (CPU this process used before its training: not counted against it)
    turns.begin()
    events.put((os.getpid(), "asks", time.monotonic()))
    turns.tick()
    events.put((os.getpid(), "first turn", time.monotonic()))
    turns.release()


def test_a_new_training_gets_the_next_turn_ahead_of_the_older_ones():
    # one turn, two trainings that have computed for a while, then a third arrives: it has
    # used no CPU, so the next turn is its own (the older ones get none in between)
    shared = turns.Turns.create(CTX, cores=1, workers=3)
    events = CTX.Queue()
    old = [CTX.Process(target=_old, args=(shared, events, 3.0)) for _ in range(2)]
    for p in old:
        p.start()
    time.sleep(1.0)  # (they take turns meanwhile)
    new = CTX.Process(target=_newcomer, args=(shared, events))
    new.start()
    for p in (*old, new):
        p.join(60)
        assert p.exitcode == 0
    log = []
    while not events.empty():
        log.append(events.get())
    log.sort(key=lambda e: e[2])
    asks = next(i for i, e in enumerate(log) if e[1] == "asks")
    first = next(i for i, e in enumerate(log) if e[1] == "first turn")
    between = [e for e in log[asks + 1 : first] if e[1] == "turn"]
    assert len(between) <= 1, between  # (one may start as it asks: its slice then ends)
    olds = {p.pid for p in old}
    assert len({e[0] for e in log if e[1] == "turn" and e[0] in olds}) == 2  # both had turns


def _dies_holding(shared) -> None:
    turns.install(shared)
    turns.begin()
    turns.tick()  # takes the only turn
    os._exit(0)  # killed (a memory cap) before it gives it back


def _takes_a_turn(shared, done) -> None:
    turns.install(shared)
    turns.begin()
    turns.tick()
    done.set()
    turns.release()


def test_a_turn_held_by_a_worker_that_died_is_taken_back():
    shared = turns.Turns.create(CTX, cores=1, workers=2)
    dead = CTX.Process(target=_dies_holding, args=(shared,))
    dead.start()
    dead.join(30)
    assert shared.free.value == 0  # it died holding the only turn
    done = CTX.Event()
    alive = CTX.Process(target=_takes_a_turn, args=(shared, done))
    alive.start()
    assert done.wait(30)  # within a look (turns.LOOK), not never
    alive.join(30)
    assert shared.free.value == 1


def test_outside_a_training_worker_there_are_no_turns():
    assert turns._turns is None
    turns.begin()
    assert turns.tick() == 0.0
    turns.release()  # (nothing to give back)


def test_the_next_turn_goes_to_the_waiting_training_that_has_used_the_least_cpu():
    # the rule itself, without processes or clocks: ``want`` is each worker's CPU seconds while
    # it waits for a turn, inf while it computes or has no training
    shared = types.SimpleNamespace(want=[5.0, math.inf, 0.2, 0.2, 0.7])
    chosen = [i for i in range(5) if shared.want[i] < math.inf and turns._first(shared, i)]
    assert chosen == [2]  # the least used; of two equal, the lower index
    shared.want = [math.inf, math.inf, math.inf, 3.0, math.inf]
    assert turns._first(shared, 3)  # alone in waiting: next, however much it has used


def _holds(shared, holding, let_go) -> None:
    turns.install(shared)
    turns.begin()
    turns.tick()  # takes the only turn
    holding.set()
    let_go.wait(60)  # (computing, as far as the others can tell)
    turns.release()


def _waits_until_stopped(shared, stop, events) -> None:
    turns.install(shared)
    turns.begin()
    turns.tick(stop.is_set)
    events.put(("returned", turns._since is None, shared.free.value))


def _stopped_while_another_holds_the_only_turn(target) -> tuple:
    """Run ``target(shared, stop, events)`` in a process while another holds the only turn,
    set its stop, and return what it reported (while the other still holds the turn)."""
    shared = turns.Turns.create(CTX, cores=1, workers=2)
    holding, let_go, stop, events = CTX.Event(), CTX.Event(), CTX.Event(), CTX.Queue()
    holder = CTX.Process(target=_holds, args=(shared, holding, let_go))
    holder.start()
    assert holding.wait(30)
    stopped = CTX.Process(target=target, args=(shared, stop, events))
    stopped.start()
    stop.set()
    try:
        return events.get(timeout=60), shared
    finally:
        let_go.set()
        for p in (holder, stopped):
            p.join(30)


def test_a_training_stopped_while_it_waits_for_a_turn_leaves_without_one():
    # A long training that is stopped (a newer Train, Stop, a closed tab) while newer ones hold
    # the turns must not wait its turn to notice: it holds a trainer that others wait for.
    (what, without_a_turn, free), shared = _stopped_while_another_holds_the_only_turn(
        _waits_until_stopped
    )
    assert what == "returned" and without_a_turn and free == 0  # (the holder's turn)
    assert shared.free.value == 1 and all(w == math.inf for w in shared.want)


def _trains_until_stopped(shared, stop, events) -> None:
    import queue as queues

    from playground import data, training

    turns.install(shared)
    sent = queues.Queue()
    split = data.make_task(data.TaskConfig())
    training.train_to_queue(split, training.TrainConfig(epochs=1000), sent, stop, flush=0.05)
    items = []
    while not sent.empty():
        items.append(sent.get())
    events.put(("ended", items[-1] is None, shared.free.value))


def test_a_training_stopped_while_others_hold_the_turns_ends_and_frees_its_trainer():
    # The training loop passes its Stop to the turns: stopped while it waits for a turn, it
    # ends (its trainer free for the next in line) instead of waiting behind newer trainings.
    (what, finished, free), _ = _stopped_while_another_holds_the_only_turn(_trains_until_stopped)
    assert what == "ended" and finished and free == 0  # (ended while the other held the turn)
