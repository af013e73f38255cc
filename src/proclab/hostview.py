"""The host as the harness sees it while a lab runs: a few psutil figures, no Docker.

A check that must show a lab did not hurt the host (the forkbomb lab) reads
these: ``run.host["before"]`` (before the container exists), ``snap.host`` (taken
the moment a checkpoint is announced, while the scenario is held) and
``run.host["after"]`` (after the container is removed). Processes of the lab's
container are told apart by their cgroup path, which names the container id.
"""
from __future__ import annotations

import os
import time
from typing import Any

import psutil


def _in_container(pid: int, container_id: str) -> bool:
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            return container_id in f.read()
    except OSError:
        return False


def figures(container_id: str | None = None) -> dict[str, Any]:
    """Processes on the host, how many belong to the lab's container, and how many are left.

    ``in_lab`` is 0 when the harness cannot see the container's processes
    (Docker on another machine or in a VM): ``sees_lab`` then stays False.
    """
    pids = psutil.pids()
    in_lab = sum(_in_container(p, container_id) for p in pids) if container_id else 0
    try:
        with open("/proc/sys/kernel/pid_max") as f:
            pid_max = int(f.read())
    except OSError:
        pid_max = 0
    return {"t": time.time(), "processes": len(pids), "in_lab": in_lab, "outside_lab": len(pids) - in_lab,
            "sees_lab": in_lab > 0, "pid_max": pid_max, "load1": round(os.getloadavg()[0], 2)}
