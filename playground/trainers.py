"""The server's trainers, shared fairly: one training per session, first come, first served.

A class shares a few training workers (two on a two-core server). Without rules one student
could hold them all: every Train click queued another run, a run went on after its tab was
closed, and a new student saw "Starting…" for as long as anyone watched. Here

* a session has at most one training waiting or running: its new Train replaces the old one
  (the old one is stopped, or dropped if it had not started);
* the trainings wait in one line, first come first served, and start as trainers free up, so
  a student knows how many are ahead (:meth:`TrainerQueue.ahead`);
* a session that has gone (its tab closed) loses its training within a sweep
  (:meth:`TrainerQueue.sweep`, which the server runs every second).

This module knows nothing of the pages or of processes: a training is started by a callable
that returns a ``concurrent.futures.Future`` and stopped through its job's ``stop`` event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass


@dataclass(eq=False)
class _Entry:
    owner: Hashable  # the session that asked
    job: object  # has a ``stop`` event (set to end a run) and a ``dropped()`` method
    start: Callable[[], Future]


class TrainerQueue:
    """At most ``slots`` trainings run at once, at most one per owner, the rest wait in order.

    Parameters
    ----------
    slots : int
        How many trainings run at once (the training workers).
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._lock = threading.RLock()
        self._waiting: list[_Entry] = []
        self._running: dict[int, _Entry] = {}  # id(job) → entry, until its future is done
        self._changed = threading.Event()

    def put(self, owner: Hashable, job, start: Callable[[], Future]) -> None:
        """Queue ``job`` for ``owner``, replacing the owner's earlier job, and start what can."""
        with self._lock:
            self.cancel(owner)
            self._waiting.append(_Entry(owner, job, start))
            self.pump()

    def cancel(self, owner: Hashable) -> None:
        """End ``owner``'s training: a waiting one is dropped, a running one told to stop."""
        with self._lock:
            for entry in [e for e in self._waiting if e.owner == owner]:
                self._waiting.remove(entry)
                entry.job.stop.set()
                entry.job.dropped()
            for entry in self._running.values():
                if entry.owner == owner:
                    entry.job.stop.set()

    def stop(self, job) -> None:
        """Stop one job (Stop pressed): dropped if it waits, told to stop if it runs."""
        with self._lock:
            for entry in [e for e in self._waiting if e.job is job]:
                self._waiting.remove(entry)
                entry.job.dropped()
            job.stop.set()

    def ahead(self, job) -> int | None:
        """How many trainings wait before ``job``; None once it has started (or left)."""
        with self._lock:
            for i, entry in enumerate(self._waiting):
                if entry.job is job:
                    return i
        return None

    def sweep(self, alive: Callable[[Hashable], bool]) -> list[Hashable]:
        """Cancel the trainings of every owner for whom ``alive(owner)`` is False; returns
        those owners."""
        with self._lock:
            owners = {e.owner for e in (*self._waiting, *self._running.values())}
            gone = [owner for owner in owners if not alive(owner)]
            for owner in gone:
                self.cancel(owner)
            return gone

    def pump(self) -> None:
        """Start waiting trainings, in order, while a slot is free."""
        with self._lock:
            while self._waiting and len(self._running) < self.slots:
                entry = self._waiting.pop(0)
                self._running[id(entry.job)] = entry
                try:
                    future = entry.start()
                except Exception:  # (a broken pool: the job ends; the page says so)
                    del self._running[id(entry.job)]
                    entry.job.dropped()
                    raise
                key = id(entry.job)
                future.add_done_callback(lambda _f, key=key: self._finished(key))

    def counts(self) -> tuple[int, int]:
        """(running, waiting) trainings now."""
        with self._lock:
            return len(self._running), len(self._waiting)

    def wait_for_change(self, timeout: float) -> None:
        """Block until a training ends (or ``timeout`` seconds): the sweeper's pause."""
        self._changed.wait(timeout)
        self._changed.clear()

    def _finished(self, key: int) -> None:
        # Runs in the thread that completed the future: only note it; the sweeper pumps.
        with self._lock:
            self._running.pop(key, None)
        self._changed.set()
