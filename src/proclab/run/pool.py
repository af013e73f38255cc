"""Labs side by side: the one pool behind ``proclab run --jobs N`` and ``pytest --proclab-jobs N``.

The rule, in one place:

- **shared and exclusive.** Labs that measure no CPU time run ``width`` at a time on each
  engine; the exclusive ones (``exclusive = true``: priority, parallelism, scheduling) run
  after them, one at a time on each engine (the host-wide lab lock, ``run.lock``, holds them
  apart from other proclab processes too; ``run.affinity`` moves this process's threads off
  their CPUs while one runs).
- **engines.** With several engines (``--engine A --engine B``) the next lab goes to whichever
  engine frees a place first, so a slow engine takes fewer labs; a lab's thread talks to its
  engine only (``engine.using``).
- **Ctrl-C, or a lab that could not run at all.** No waiting lab starts, the running ones start
  no further variant (the ``stop`` event each task gets), and this run's containers are removed
  again and again until every running lab has noticed (bounded by ``STOP_GRACE_S``); then the
  error goes on to the caller.

A lab is a thread of its own (a daemon: a lab stuck past Ctrl-C's grace cannot hold the exit);
its time is spent waiting on its container. ``on_done`` runs in the caller's thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import engine
from ..deadline import Call

R = TypeVar("R")

STOP_GRACE_S = 20.0  # after Ctrl-C: how long running labs get to notice their containers are gone
POLL_S = 0.5  # the pool's thread wakes this often: Ctrl-C reaches it while labs run


@dataclass
class Task(Generic[R]):
    """One lab of the pool: ``work(stop, engine)`` runs it, its engine calls going to ``engine``
    (the one the pool chose for it; "" : the environment's)."""

    name: str
    exclusive: bool
    work: Callable[[threading.Event, str], R]
    result: R | None = None
    engine: str = ""


class Places:
    """How many labs each engine may run at once, and which engine has a free place now."""

    def __init__(self, engines: list[str], width: int):
        self.free = {ref: width for ref in dict.fromkeys(engines)}

    def take(self) -> str | None:
        """The engine with the most free places (the first named, on a tie), or None when all
        are full."""
        ref = max(self.free, key=lambda r: self.free[r])
        if self.free[ref] <= 0:
            return None
        self.free[ref] -= 1
        return ref

    def give_back(self, ref: str) -> None:
        self.free[ref] += 1


def run_pool(
    tasks: list[Task[R]],
    *,
    width: int,
    engines: list[str] | None = None,
    on_done: Callable[[Task[R]], None] = lambda task: None,
    remove_own: Callable[[], object] = engine.remove_own,
) -> None:
    """Run the tasks, the shared ones ``width`` at a time per engine, then the exclusive ones
    alone (one per engine); each task's ``result`` is set before ``on_done(task)`` runs, in this
    thread, as it ends. A task's exception (or Ctrl-C) stops the pool and is raised here, once
    ``remove_own()`` (this run's containers removed) has ended the running ones."""
    refs = engines or [engine.selected()]
    shared = [t for t in tasks if not t.exclusive]
    alone = [t for t in tasks if t.exclusive]
    for batch, at_once in ((shared, width), (alone, 1)):
        _run_batch(batch, Places(refs, at_once), on_done, remove_own)


def _run_batch(
    batch: list[Task[R]],
    places: Places,
    on_done: Callable[[Task[R]], None],
    remove_own: Callable[[], object],
) -> None:
    waiting = list(batch)
    running: dict[int, tuple[Task[R], Call[R]]] = {}
    ended: queue.Queue[int] = queue.Queue()
    stopping = threading.Event()
    try:
        while waiting or running:
            while waiting and (ref := places.take()) is not None:
                task = waiting.pop(0)
                task.engine = ref
                call = Call(_on(task, stopping, ended), "proclab-lab", task.name)
                running[id(task)] = (task, call)
            try:
                key = ended.get(timeout=POLL_S)
            except queue.Empty:
                continue
            task, call = running.pop(key)
            places.give_back(task.engine)
            task.result = call.result()  # a lab that could not run at all stops the pool
            on_done(task)
    except BaseException:
        stopping.set()
        stop_running([call for _, call in running.values()], remove_own)
        raise


def _on(task: Task[R], stop: threading.Event, ended: queue.Queue[int]) -> Callable[[], R]:
    def work() -> R:
        try:
            with engine.using(task.engine):
                return task.work(stop, task.engine)
        finally:
            ended.put(id(task))

    return work


def stop_running(running: list[Call[R]], remove_own: Callable[[], object]) -> None:
    """Remove this run's containers until every running lab has noticed and ended (bounded).

    Again and again, not once: a lab between "no stop yet" and its create call makes one
    more container after the first removal."""
    deadline = time.monotonic() + STOP_GRACE_S
    while True:
        try:
            remove_own()
        except Exception:  # a dead engine: the next command's sweep removes what is left
            return
        left = [c for c in running if not c.done()]
        if not left or time.monotonic() > deadline:
            return
        left[0].wait(1.0)
