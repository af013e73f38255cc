"""The host as the harness sees it while a lab runs: a few psutil figures, no Docker.

A check that must show a lab did not hurt the host (the forkbomb lab) reads
these: ``run.host["before"]`` (before the container exists), ``snap.host`` (taken
the moment a checkpoint is announced, while the scenario is held) and
``run.host["after"]`` (after the container is removed). Processes are told apart
by their cgroup path: the lab's names its container id, and every container's
names its engine (docker, containerd, libpod, kubepods, lxc).
"""
from __future__ import annotations

import os
import time
from typing import Any

import psutil

CONTAINER_CGROUP_WORDS = ("docker", "containerd", "libpod", "kubepods", "lxc")


def _cgroup(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            return f.read()
    except OSError:
        return None


def figures(container_id: str | None = None) -> dict[str, Any]:
    """Processes on the host: in the lab's container, in any container, and the host's own.

    ``in_lab`` is 0 when the harness cannot see the container's processes
    (Docker on another machine or in a VM): ``sees_lab`` then stays False.
    ``host_own`` counts processes in no container's cgroup at all: the host's
    own work, which other labs running beside this one do not disturb.
    """
    pids = psutil.pids()
    in_lab = in_containers = 0
    for pid in pids:
        cg = _cgroup(pid)
        if cg is None:
            continue
        if container_id and container_id in cg:
            in_lab += 1
        if any(w in cg for w in CONTAINER_CGROUP_WORDS):
            in_containers += 1
    try:
        with open("/proc/sys/kernel/pid_max") as f:
            pid_max = int(f.read())
    except OSError:
        pid_max = 0
    return {"t": time.time(), "processes": len(pids), "in_lab": in_lab, "outside_lab": len(pids) - in_lab,
            "host_own": len(pids) - in_containers, "sees_lab": in_lab > 0, "pid_max": pid_max,
            "load1": round(os.getloadavg()[0], 2)}
