"""The harness keeps its threads off a CPU-timing lab's CPUs (run.affinity), on the real kernel."""

from __future__ import annotations

import os
import threading

import pytest

from proclab.run.affinity import off_cpus, parse_cpuset


def test_parse_cpuset():
    assert parse_cpuset("0") == {0}
    assert parse_cpuset("0-2") == {0, 1, 2}
    assert parse_cpuset("0,2-3") == {0, 2, 3}


def _affinity(tid: int) -> set[int]:
    return set(os.sched_getaffinity(tid))


@pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to move threads between"
)
def test_every_thread_moves_off_the_labs_cpu_and_back():
    mine = _affinity(0)
    lab_cpu = min(mine)
    stop, started = threading.Event(), threading.Event()
    tids: dict[str, int] = {}

    def idle(name: str) -> None:
        tids[name] = threading.get_native_id()
        started.set()
        stop.wait()

    before = threading.Thread(target=idle, args=("before",))
    before.start()
    started.wait()
    started.clear()
    try:
        with off_cpus(str(lab_cpu)) as elsewhere:
            assert elsewhere == mine - {lab_cpu}
            during = threading.Thread(target=idle, args=("during",))
            during.start()
            started.wait()
            for tid in (0, tids["before"], tids["during"]):
                assert lab_cpu not in _affinity(tid), f"thread {tid} may still run on CPU {lab_cpu}"
        for tid in (0, tids["before"], tids["during"]):
            assert _affinity(tid) == mine
    finally:
        stop.set()


def test_nothing_moves_without_a_cpuset_or_when_no_cpu_is_left():
    mine = _affinity(0)
    with off_cpus(None) as elsewhere:
        assert elsewhere == frozenset() and _affinity(0) == mine
    with off_cpus(",".join(map(str, sorted(mine)))) as elsewhere:
        assert elsewhere == frozenset() and _affinity(0) == mine
