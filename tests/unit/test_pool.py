"""The pool behind `run --jobs` and `pytest --proclab-jobs` (run/pool.py), with tasks that are
plain functions: the shared/exclusive rule, the engines, and Ctrl-C. tests/labs/test_jobs.py and
test_pytest_plugin.py run it with real labs."""

from __future__ import annotations

import threading

import pytest

from proclab import engine
from proclab.run.pool import Task, run_pool

WAIT_S = 5.0


class Tally:
    """How many tasks run at once, the most seen, and which ran beside an exclusive one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.crowded: list[str] = []
        self.order: list[str] = []

    def work(self, name: str, exclusive: bool, meet: threading.Barrier | None = None):
        def run(stop: threading.Event, where: str) -> str:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
                self.order.append(name)
                if exclusive and self.now > 1:
                    self.crowded.append(name)
            if meet is not None:
                meet.wait(WAIT_S)  # both of a pair run at once, or this breaks
            with self.lock:
                self.now -= 1
            return f"{name}@{where}:{engine.selected()}"

        return Task(name, exclusive, run)


def test_shared_labs_run_n_at_a_time_then_the_exclusive_ones_alone():
    tally, meet = Tally(), threading.Barrier(2)
    tasks = [tally.work(f"s{i}", False, meet) for i in range(4)]
    tasks += [tally.work(f"x{i}", True) for i in range(2)]
    done: list[str] = []
    run_pool(
        tasks,
        width=2,
        engines=["e"],
        remove_own=lambda: None,
        on_done=lambda t: done.append(threading.current_thread().name),
    )
    assert tally.most == 2 and tally.crowded == []
    assert tally.order[-2:] == ["x0", "x1"]
    assert [t.result for t in tasks] == [f"{t.name}@e:e" for t in tasks]
    assert done == [threading.current_thread().name] * 6  # on_done runs in the pool's caller


def test_each_engine_has_its_places_and_each_lab_talks_to_its_own():
    tally, meet = Tally(), threading.Barrier(2)
    tasks = [tally.work(f"s{i}", False, meet) for i in range(2)]
    run_pool(tasks, width=1, engines=["a", "b"], remove_own=lambda: None)
    assert {t.result.split("@")[1] for t in tasks} == {"a:a", "b:b"}


def _held(started: threading.Event, stops: list[threading.Event]):
    def run(stop: threading.Event, where: str) -> str:
        stops.append(stop)
        started.set()
        assert stop.wait(WAIT_S), "the pool never asked the running lab to stop"
        return "stopped"

    return run


@pytest.mark.parametrize("trouble", ["a lab that could not run", "Ctrl-C"])
def test_trouble_stops_the_pool_and_removes_the_running_labs_containers(trouble):
    """No waiting lab starts; the running one is told to stop; this run's containers are removed
    until it has ended; the error reaches the caller."""
    started, stops, removals, ran = threading.Event(), [], [], []

    def broken(stop: threading.Event, where: str) -> str:
        assert started.wait(WAIT_S)
        raise RuntimeError("no such image")

    def on_done(task: Task[str]) -> None:
        if trouble == "Ctrl-C":
            raise KeyboardInterrupt

    first = Task("held", False, _held(started, stops))

    def fine(stop: threading.Event, where: str) -> str:
        assert started.wait(WAIT_S)
        return "ok"

    second = Task("second", False, broken if trouble != "Ctrl-C" else fine)
    never = Task("never", False, lambda s, w: ran.append("never") or "ran")
    expected = RuntimeError if trouble != "Ctrl-C" else KeyboardInterrupt
    with pytest.raises(expected):
        run_pool(
            [first, second, never],
            width=2,
            engines=["e"],
            on_done=on_done,
            remove_own=lambda: removals.append(1),
        )
    assert ran == [] and stops and stops[0].is_set()
    assert removals and first.result is None
