"""CPU figures a scenario can read from inside its container: the host's busy time per
CPU, and what the container's cgroup says about its quota, throttling and usage; and
``Windows``, which measures again while the host's other processes leave too little CPU free."""

from __future__ import annotations

import os
from typing import Any

from . import say
from .cgroupfs import Cgroup

QUIET_SHARE = 0.85  # a window counts as quiet when the host left this share of its CPUs free
TRIES = 3  # windows at most: a busy host makes the run longer, never endless


def host_busy_ns() -> list:
    """Busy time of each of the machine's CPUs (/proc/stat is not namespaced: it counts every
    process on the host, ours and everyone else's), in ns. Busy = all but idle and iowait."""
    tick_ns = 1e9 / os.sysconf("SC_CLK_TCK")
    busy = []
    with open("/proc/stat") as f:
        for line in f:
            name, *vals = line.split()
            if name.startswith("cpu") and name != "cpu":
                v = [int(x) for x in vals]
                busy.append(
                    int((sum(v[:8]) - v[3] - v[4]) * tick_ns)
                )  # user..steal minus idle, iowait
    return busy


def cgroup_cpu(cg: Cgroup | None = None) -> dict[str, Any]:
    """The container's CPU quota, throttling counters and per-CPU usage (cgroup v1 or v2:
    labkit.cgroupfs reads both; ``cg`` another cgroup's files), and the host's load."""
    cg = cg or Cgroup()
    stat = cg.cpu_stat()
    out: dict[str, Any] = {
        k: v
        for k, v in (("nr_periods", stat.nr_periods), ("nr_throttled", stat.nr_throttled))
        if v is not None
    }
    percpu = cg.usage_percpu_ns()  # v1 only: ns per CPU
    if percpu is not None:
        out["usage_percpu_ns"] = percpu
    if stat.usage_ns is not None:
        out["usage_ns"] = stat.usage_ns
    out["host_busy_ns"] = host_busy_ns()
    quota = cg.cpu_quota()
    if quota is not None:
        out["quota_us"], out["period_us"] = (
            (-1 if quota.quota_us is None else quota.quota_us),
            quota.period_us,
        )
    return out


def free_cpus(before: dict, after: dict, cpus, wall_s: float):
    """CPUs the host's other processes left free on `cpus` over a window, from cgroup_cpu() at
    its ends (None: not measurable). The checks on the host recompute it (proclab.checks.host_load);
    here it only decides whether to measure again."""
    host = [
        (y - x) / 1e9
        for x, y in zip(before.get("host_busy_ns", []), after.get("host_busy_ns", []), strict=False)
    ]
    ours = [
        (y - x) / 1e9
        for x, y in zip(
            before.get("usage_percpu_ns", []), after.get("usage_percpu_ns", []), strict=False
        )
    ]
    if not host or wall_s <= 0 or any(c >= len(host) for c in cpus):
        return None
    if len(ours) == len(host):
        foreign = sum(max(0.0, host[c] - ours[c]) for c in cpus)
    elif "usage_ns" in before and "usage_ns" in after:
        foreign = max(
            0.0, sum(host[c] for c in cpus) - (after["usage_ns"] - before["usage_ns"]) / 1e9
        )
    else:
        return None
    return max(0.0, len(cpus) - foreign / wall_s)


class Windows:
    """Measurement windows, again while the host is busy (at most `tries`)::

        windows = Windows("the window", cpus)
        for attempt in windows:
            before = cgroup_cpu(); ...measure...; after = cgroup_cpu()
            windows.ended(before, after, wall_s)   # too little free: says so, and the loop goes on

    Each retry is said in the output. After the last one the scenario carries on with what it
    has; the checks then find the window too busy and say inconclusive, never passed."""

    def __init__(self, label: str, cpus, tries: int = TRIES, need=None):
        self.label, self.cpus, self.tries = label, list(cpus), tries
        self.need = QUIET_SHARE * len(self.cpus) if need is None else need
        self.free: list = []  # the free CPUs of each window so far
        self._again = False

    def __iter__(self):
        for attempt in range(1, self.tries + 1):
            self._again = False
            yield attempt
            if not self._again:
                return

    def again(self, why: str) -> bool:
        """Measure again for a reason of the scenario's own (said in the output); False after the
        last window, when the scenario carries on with what it has."""
        if len(self.free) >= self.tries:
            return False
        if not self._again:
            self._again = True
            say(f"{self.label}: {why}: measuring again ({len(self.free) + 1} of {self.tries})")
        return True

    def ended(self, before: dict, after: dict, wall_s: float):
        free = free_cpus(before, after, self.cpus, wall_s)
        self.free.append(None if free is None else round(free, 3))
        n = len(self.free)
        if free is None:
            say(
                f"{self.label}: the CPU the host left free cannot be measured here; not measuring again"
            )
        elif free < self.need and n < self.tries:
            self._again = True
            say(
                f"{self.label}: the host's other processes left only {free:.2f} of {len(self.cpus)} CPUs free "
                f"(a quiet window needs {self.need:.2f}): measuring again ({n + 1} of {self.tries})"
            )
        elif free < self.need:
            say(
                f"{self.label}: the host stayed busy (free CPUs per window: "
                f"{', '.join(f'{x:.2f}' for x in self.free)}): the checks will call it inconclusive"
            )
        return free
