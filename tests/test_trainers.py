"""The trainers' line (playground.trainers): one training per session, first come first
served, slots freed as runs end, and a closed session's training cancelled."""

import threading
from concurrent.futures import Future

import pytest

from playground.trainers import TrainerQueue


class Job:
    def __init__(self, name: str) -> None:
        self.name, self.stop, self.gone = name, threading.Event(), False

    def dropped(self) -> None:
        self.gone = True


class Starts:
    """The start callables of a test: each records its job and returns a future to complete."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.futures: dict[str, Future] = {}

    def __call__(self, job: Job):
        def start() -> Future:
            self.started.append(job.name)
            self.futures[job.name] = Future()
            return self.futures[job.name]

        return start

    def finish(self, name: str, line: TrainerQueue) -> None:
        self.futures[name].set_result(None)
        line.pump()  # (what the server's sweeper does when a run ends)


def _put(line: TrainerQueue, starts: Starts, owner: str, name: str) -> Job:
    job = Job(name)
    line.put(owner, job, starts(job))
    return job


def test_trainings_start_in_order_as_slots_free_and_say_how_many_are_ahead():
    line, starts = TrainerQueue(2), Starts()
    jobs = {name: _put(line, starts, f"s{name}", name) for name in "abcde"}
    assert starts.started == ["a", "b"] and line.counts() == (2, 3)
    assert [line.ahead(jobs[n]) for n in "abcde"] == [None, None, 0, 1, 2]
    starts.finish("b", line)
    assert starts.started == ["a", "b", "c"] and line.ahead(jobs["e"]) == 1
    starts.finish("a", line)
    starts.finish("c", line)
    assert starts.started == list("abcde") and line.counts() == (2, 0)


def test_a_new_train_replaces_the_sessions_earlier_one_waiting_or_running():
    line, starts = TrainerQueue(1), Starts()
    first = _put(line, starts, "s1", "first")  # runs
    queued = _put(line, starts, "s2", "queued")
    again = _put(line, starts, "s2", "again")  # s2 presses Train again while waiting
    assert queued.gone and queued.stop.is_set() and line.ahead(again) == 0
    assert line.counts() == (1, 1)  # one per session, not one per click
    newer = _put(line, starts, "s1", "newer")  # s1 presses Train again while running
    assert first.stop.is_set() and not first.gone  # told to stop; its trainer frees when done
    assert line.ahead(again) == 0 and line.ahead(newer) == 1  # and it waits its turn
    starts.finish("first", line)
    assert starts.started == ["first", "again"]


def test_stop_drops_a_waiting_job_and_tells_a_running_one():
    line, starts = TrainerQueue(1), Starts()
    running, waiting = _put(line, starts, "a", "running"), _put(line, starts, "b", "waiting")
    line.stop(waiting)
    assert waiting.gone and line.counts() == (1, 0)
    line.stop(running)
    assert running.stop.is_set() and not running.gone  # it ends within a batch, then frees


def test_a_closed_sessions_trainings_are_cancelled_by_a_sweep():
    line, starts = TrainerQueue(1), Starts()
    running = _put(line, starts, "closed", "running")
    waiting = _put(line, starts, "also-closed", "waiting")
    mine = _put(line, starts, "open", "mine")
    gone = line.sweep(lambda owner: owner == "open")
    assert sorted(gone) == ["also-closed", "closed"]
    assert running.stop.is_set() and waiting.gone and not mine.stop.is_set()
    assert line.ahead(mine) == 0  # the closed ones no longer count
    starts.finish("running", line)  # the stopped run ends within a batch: mine starts
    assert starts.started == ["running", "mine"]


def test_a_start_that_fails_drops_its_job_and_frees_the_slot():
    line, starts = TrainerQueue(1), Starts()

    def broken() -> Future:
        raise RuntimeError("pool broken")

    job = Job("x")
    with pytest.raises(RuntimeError):
        line.put("s", job, broken)
    assert job.gone and line.counts() == (0, 0)
    _put(line, starts, "t", "y")
    assert starts.started == ["y"]
