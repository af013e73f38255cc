"""The host as the harness sees it while a lab runs: a few figures from the host's /proc, no Docker.

A check that must show a lab did not hurt the host (the forkbomb lab) reads
these: ``run.host["before"]`` (before the container exists), ``snap.host`` (taken
the moment a checkpoint is announced, while the scenario is held) and
``run.host["after"]`` (after the container is removed). Processes are told apart
by their cgroup paths (cgroupfs.memberships: v1's per controller, v2's one): the lab's
names its container id, and every container's names its engine (docker, containerd, libpod,
kubepods, lxc; under systemd on v2 "docker-<id>.scope", "libpod-<id>.scope").
"""

from __future__ import annotations

import os
import time
from typing import Any

from . import cgroupfs, hostproc

CONTAINER_CGROUP_WORDS = ("docker", "containerd", "libpod", "kubepods", "lxc")


def figures(container_id: str | None = None) -> dict[str, Any]:
    """Processes on the host: in the lab's container, in any container, and the host's own.

    ``in_lab`` is 0 when the harness cannot see the container's processes
    (Docker on another machine or in a VM): ``sees_lab`` then stays False.
    ``host_own`` counts processes in no container's cgroup at all: the host's
    own work, which other labs running beside this one do not disturb.
    """
    pids = hostproc.pids()
    in_lab = in_containers = 0
    for pid in pids:
        text = hostproc.read(pid, "cgroup")
        if text is None:
            continue
        paths = set(cgroupfs.memberships(text).values())  # v1's per controller, v2's one
        if container_id and any(container_id in p for p in paths):
            in_lab += 1
        if any(w in p for p in paths for w in CONTAINER_CGROUP_WORDS):
            in_containers += 1
    pid_max = hostproc.pid_max()
    return {
        "t": time.time(),
        "processes": len(pids),
        "in_lab": in_lab,
        "outside_lab": len(pids) - in_lab,
        "host_own": len(pids) - in_containers,
        "sees_lab": in_lab > 0,
        "pid_max": pid_max,
        "load1": round(os.getloadavg()[0], 2),
    }
