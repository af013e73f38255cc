"""Keep the harness's own threads off the CPUs a CPU-timing lab measures on.

The harness (and a pytest process running it in-process) wakes for every line the scenario
prints, every checkpoint and every engine call. On the lab's CPU that time is taken from the
jobs being measured, and it counts as "the host's other programs" in the lab's quiet-window
test. While such a lab runs, every thread of this process is moved to the other CPUs; threads
started meanwhile inherit that; at the end every thread gets back the CPUs it had.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def parse_cpuset(text: str) -> frozenset[int]:
    """'0', '0-1', '0,2-3' -> the CPU numbers (the syntax of docker's --cpuset-cpus)."""
    cpus: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(cpus)


def _threads() -> list[int]:
    try:
        return [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


def _get(tid: int, default: frozenset[int]) -> frozenset[int]:
    try:
        return frozenset(os.sched_getaffinity(tid))
    except OSError:  # the thread has just ended
        return default


def _set(tid: int, cpus: frozenset[int] | set[int]) -> None:
    try:
        os.sched_setaffinity(tid, cpus)
    except OSError:  # a thread that has just ended, or a CPU set the kernel refuses: leave it
        pass


@contextmanager
def off_cpus(cpuset: str | None) -> Iterator[frozenset[int]]:
    """Within the block, this process's threads run only on CPUs outside ``cpuset``; yields the
    CPUs they were moved to (empty when nothing was moved: no cpuset, or no CPU left over)."""
    mine = frozenset(os.sched_getaffinity(0))
    keep_off = parse_cpuset(cpuset) if cpuset else frozenset()
    elsewhere = mine - keep_off
    if not keep_off or not elsewhere or elsewhere == mine:
        yield frozenset()
        return
    before = {tid: _get(tid, mine) for tid in _threads()}
    for tid in before:
        _set(tid, elsewhere)
    try:
        yield elsewhere
    finally:
        for tid in _threads():
            _set(tid, before.get(tid, mine))
