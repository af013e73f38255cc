"""How much CPU the host's other processes left a measurement window: pure arithmetic on
the figures ``labkit.cpustat.cgroup_cpu()`` records inside the container at each end.

/proc/stat is not namespaced: its per-CPU busy time counts every process on the machine.
The container's cgroup counts only its own. Busy minus ours, on the CPUs the window
could use, is what others took; the rest was free. Without those figures nothing was
measured, and ``free`` is None (never "all free").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HostLoad:
    cpus: tuple[int, ...]  # the CPUs the window's processes could use
    wall_s: float  # the window's length
    foreign_cpu_s: float | None  # CPU time others took on those CPUs; None: not measurable

    @property
    def free(self) -> float | None:
        """CPUs left free on average over the window (0 .. len(cpus)); None if not measured."""
        if self.foreign_cpu_s is None or self.wall_s <= 0:
            return None
        return max(0.0, len(self.cpus) - self.foreign_cpu_s / self.wall_s)

    def enough(self, needed: float) -> bool:
        free = self.free
        return free is not None and free >= needed

    def describe(self) -> str:
        free = self.free
        if free is None:
            return "the CPU the host left free could not be measured (no /proc/stat or cgroup CPU figures)"
        return f"the host's other processes left {free:.2f} of {len(self.cpus)} CPUs free"


def _deltas(before: dict[str, Any], after: dict[str, Any], key: str) -> list[float]:
    return [
        (y - x) / 1e9 for x, y in zip(before.get(key) or [], after.get(key) or [], strict=False)
    ]


def host_load(
    before: dict[str, Any], after: dict[str, Any], cpus: Sequence[int], wall_s: float
) -> HostLoad:
    """The host's load over a window, from ``cgroup_cpu()`` figures taken at its start and end."""
    cpus = tuple(int(c) for c in cpus)
    host = _deltas(before, after, "host_busy_ns")
    if not host or not cpus or any(c >= len(host) for c in cpus):
        return HostLoad(cpus, wall_s, None)
    ours = _deltas(before, after, "usage_percpu_ns")
    if len(ours) == len(host):  # cgroup v1: our usage per CPU
        foreign = sum(max(0.0, host[c] - ours[c]) for c in cpus)
    elif "usage_ns" in before and "usage_ns" in after:  # v2: only a total, all of it on our CPUs
        foreign = max(
            0.0, sum(host[c] for c in cpus) - (after["usage_ns"] - before["usage_ns"]) / 1e9
        )
    else:
        return HostLoad(cpus, wall_s, None)
    return HostLoad(cpus, wall_s, foreign)
