"""The one reader of cgroup files, for both layouts: cgroup v1 (a hierarchy per controller:
/sys/fs/cgroup/cpu, cpuacct or "cpu,cpuacct", pids, memory) and cgroup v2 (one hierarchy: the
files side by side in /sys/fs/cgroup, as the kernel's Documentation/admin-guide/cgroup-v2.rst
names them).

Inside a lab container ``Cgroup()`` is the container's own cgroup (the engine mounts it at
/sys/fs/cgroup); ``Cgroup(root)`` reads a recorded tree (the tests' fixtures). ``memberships``
reads /proc/<pid>/cgroup for the host view. Pure standard library and no other labkit module: the
harness on the host loads this same file from the labkit source tree (proclab.engine.cgroupfs).

Every figure is in one unit whatever the layout: CPU time in nanoseconds (v2 counts
microseconds), None for "no limit" (v2 writes "max", v1 -1 or a huge number), None for a file
this layout or kernel does not have.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ROOT = "/sys/fs/cgroup"
V1_NO_MEMORY_LIMIT = (
    1 << 62
)  # v1 reports "no limit" as PAGE_COUNTER_MAX pages: 9223372036854771712 on 4k pages


@dataclass(frozen=True)
class CpuQuota:
    quota_us: int | None  # None: no quota (v2 "max", v1 -1)
    period_us: int

    @property
    def cpus(self) -> float | None:
        """The quota as CPUs (--cpus 0.5 is 50000 of 100000 us), None without one."""
        return None if self.quota_us is None else self.quota_us / self.period_us


@dataclass(frozen=True)
class CpuStat:
    usage_ns: int | None  # v2 cpu.stat usage_usec; v1 cpuacct.usage
    nr_periods: int | None  # enforcement periods (only counted under a quota)
    nr_throttled: int | None  # periods in which the cgroup ran out of its quota
    throttled_ns: int | None  # v2 throttled_usec; v1 cpu.stat throttled_time


class Cgroup:
    """The cgroup files under root, in whichever layout they are."""

    def __init__(self, root: str = ROOT):
        self.root = root
        self.version = 2 if os.path.exists(os.path.join(root, "cgroup.controllers")) else 1

    # -- files ------------------------------------------------------------------------------
    def _read(self, *candidates: str) -> str | None:
        """The first of the candidate files (relative to root) that can be read, stripped."""
        for rel in candidates:
            try:
                with open(os.path.join(self.root, rel)) as f:
                    return f.read().strip()
            except OSError:
                continue
        return None

    def _v1(self, controller: str, name: str) -> str | None:
        """A v1 controller's file: its own hierarchy, or one co-mounted with another
        (docker mounts cpu and cpuacct at "cpu,cpuacct" on many hosts, with symlinks)."""
        dirs = {"cpu": ("cpu", "cpu,cpuacct"), "cpuacct": ("cpuacct", "cpu,cpuacct")}.get(
            controller, (controller,)
        )
        return self._read(*(f"{d}/{name}" for d in dirs))

    # -- CPU ---------------------------------------------------------------------------------
    def cpu_quota(self) -> CpuQuota | None:
        """cpu.max ("$MAX $PERIOD", "max" for none) or cpu.cfs_quota_us / cpu.cfs_period_us (-1 for none)."""
        if self.version == 2:
            text = self._read("cpu.max")
            if text is None:
                return None
            quota, period = (text.split() + ["100000"])[:2]
            return CpuQuota(None if quota == "max" else int(quota), int(period))
        quota_us, period_us = (
            self._v1("cpu", "cpu.cfs_quota_us"),
            self._v1("cpu", "cpu.cfs_period_us"),
        )
        if quota_us is None or period_us is None:
            return None
        return CpuQuota(None if int(quota_us) < 0 else int(quota_us), int(period_us))

    def cpu_stat(self) -> CpuStat:
        """Usage and throttling: v2 cpu.stat (microseconds), v1 cpu.stat (ns) with cpuacct.usage (ns)."""
        if self.version == 2:
            stat = _flat_keyed(self._read("cpu.stat"))
            return CpuStat(
                _scaled(stat.get("usage_usec"), 1000),
                stat.get("nr_periods"),
                stat.get("nr_throttled"),
                _scaled(stat.get("throttled_usec"), 1000),
            )
        stat = _flat_keyed(self._v1("cpu", "cpu.stat"))
        usage = self._v1("cpuacct", "cpuacct.usage")
        return CpuStat(
            int(usage) if usage is not None else None,
            stat.get("nr_periods"),
            stat.get("nr_throttled"),
            stat.get("throttled_time"),
        )

    def usage_percpu_ns(self) -> list[int] | None:
        """CPU time per CPU (v1 cpuacct.usage_percpu); v2 has no such file: None."""
        if self.version == 2:
            return None
        text = self._v1("cpuacct", "cpuacct.usage_percpu")
        return None if text is None else [int(v) for v in text.split()]

    # -- pids --------------------------------------------------------------------------------
    def pids_max(self) -> int | None:
        """The pids limit (None: "max", no limit)."""
        text = self._read("pids.max") if self.version == 2 else self._v1("pids", "pids.max")
        return None if text in (None, "max") else int(text)

    def pids_current(self) -> int | None:
        text = self._read("pids.current") if self.version == 2 else self._v1("pids", "pids.current")
        return None if text is None else int(text)

    # -- memory ------------------------------------------------------------------------------
    def memory_max(self) -> int | None:
        """The memory limit in bytes (None: none; v2 "max", v1 the page counter's maximum)."""
        if self.version == 2:
            text = self._read("memory.max")
            return None if text in (None, "max") else int(text)
        text = self._v1("memory", "memory.limit_in_bytes")
        return None if text is None or int(text) >= V1_NO_MEMORY_LIMIT else int(text)

    def oom_kills(self) -> int | None:
        """Processes the OOM killer has killed in this cgroup: v2 memory.events oom_kill, v1
        memory.oom_control oom_kill (kernel 4.13 and later); None where the kernel does not say."""
        if self.version == 2:
            return _flat_keyed(self._read("memory.events")).get("oom_kill")
        return _flat_keyed(self._v1("memory", "memory.oom_control")).get("oom_kill")


def memberships(proc_cgroup: str) -> dict[str, str]:
    """/proc/<pid>/cgroup as {controller: path}: v1 lines are "id:cpu,cpuacct:/path" (one key per
    controller, "name=systemd" kept whole), the v2 line is "0::/path" (key ""). A hybrid host has both."""
    out: dict[str, str] = {}
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for c in controllers.split(",") if controllers else [""]:
            out[c] = path
    return out


def _flat_keyed(text: str | None) -> dict[str, int]:
    """A "key value" per line file (cpu.stat, memory.events, memory.oom_control)."""
    out: dict[str, int] = {}
    for line in (text or "").splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value)
        except ValueError:
            continue
    return out


def _scaled(value: int | None, factor: int) -> int | None:
    return None if value is None else value * factor
