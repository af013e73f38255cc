"""The engine connection, proclab's labels, and the sweep that removes what dead runs left.

Everything proclab creates carries the ``proclab`` label, a run label and an
owner label (host:pid:start of the harness, in clock ticks since boot), so a sweep can find and
remove what a dead run left behind. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import docker
import docker.errors
import psutil

from ..errors import EngineUnavailable, ProclabError
from . import hostproc
from ._calls import API_TIMEOUT_S, docker_call
from .engines import DEFAULT_SOCKET, base_url, selected, using

LABEL = "proclab"
RUN_LABEL = "proclab.run"
OWNER_LABEL = "proclab.owner"
LAB_LABEL = "proclab.lab"
OWNER_CONTAINER_LABEL = "proclab.owner-container"  # set when the owner runs in a container itself
KEEP_LABEL = (
    "proclab.keep"  # outlives the process that made it (proclab explore); only 'clean' removes it
)

HOW_TO_START = (
    "start one with 'sudo systemctl start docker' (or 'sudo dockerd &'), "
    "or run 'bash .ci/docker-up' from the proclab checkout"
)


# Made once, at import: a @cache'd run_id() could be computed twice by two threads making
# their first containers at once (run --jobs), and Ctrl-C would then miss one of them.
_RUN_ID = uuid.uuid4().hex[:12]


def run_id() -> str:
    """This process's run id: every container it makes carries it."""
    return _RUN_ID


@cache
def owner() -> str:
    """host:pid:tTICKS (its start in clock ticks since boot), so a sweep can tell if the owner is
    alive. Not the start in wall-clock seconds: that moves when the clock is set (hostproc.start_ticks)."""
    me = os.getpid()
    return f"{socket.gethostname()}:{me}:t{hostproc.start_ticks(me, hostproc.OWN_PROC)}"


@cache
def own_container() -> str | None:
    """The id of the container this process runs in, or None on a host.

    Read from the engine's bind mount of /etc/hostname (.../containers/<id>/hostname),
    which needs no Docker call and no guess from the hostname.
    """
    try:
        with open("/proc/self/mountinfo") as f:
            found = re.search(r"/containers/([0-9a-f]{64})/hostname ", f.read())
    except OSError:
        return None
    return found.group(1) if found else None


def labels(**extra: str) -> dict[str, str]:
    out = {LABEL: "1", RUN_LABEL: run_id(), OWNER_LABEL: owner()}
    if own_container():
        out[OWNER_CONTAINER_LABEL] = own_container() or ""
    out.update({f"proclab.{k}": v for k, v in extra.items()})
    return out


_clients: dict[str, docker.DockerClient] = {}  # engine ref ("" = the environment's) -> client
_clients_lock = threading.Lock()


def url_of(ref: str) -> str:
    """Where an engine ref connects ("" : DOCKER_HOST, else the default socket)."""
    if not ref:
        return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    return base_url(ref)


def client() -> docker.DockerClient:
    """A connected client of this thread's engine (``engines.using``), or EngineUnavailable
    naming how to start one. One client per engine per process, shared by its threads."""
    ref = selected()
    found = _clients.get(ref)
    if found is not None:
        return found
    where = url_of(ref)
    try:
        c = (
            docker.from_env(timeout=API_TIMEOUT_S)
            if not ref
            else docker.DockerClient(base_url=where, timeout=API_TIMEOUT_S)
        )
        c.ping()
    except Exception as err:  # docker-py raises DockerException, requests errors, or OSError here
        how = HOW_TO_START if not ref else "check that it runs and that this user may reach it"
        raise EngineUnavailable(f"the Docker engine at {where} does not answer; {how}") from err
    with _clients_lock:
        return _clients.setdefault(ref, c)


def connected() -> bool:
    """Whether this process has talked to an engine (a Ctrl-C before that has nothing to clean)."""
    return bool(_clients)


def owner_alive(owner_label: str, container: str | None = None) -> bool:
    """Whether the process named by an owner label (host:pid:tTICKS, or an older host:pid:SECONDS) still runs.

    An owner on another host is alive unless it ran in a container (``container``,
    from the owner-container label) that is no longer running: a killed 'docker
    compose up labs' harness, say.
    """
    try:
        host, pid, started = owner_label.rsplit(":", 2)
        if host != socket.gethostname():
            return _container_running(container) if container else True  # else not ours to judge
        if started.startswith("t"):
            return hostproc.living_start_ticks(int(pid), hostproc.OWN_PROC) == int(started[1:])
        # an older proclab's label: its start in wall-clock seconds
        return abs(psutil.Process(int(pid)).create_time() - float(started)) < 1.0
    except (ValueError, psutil.Error):
        return False


def _container_running(ref: str) -> bool:
    try:
        with docker_call("inspect", ref):
            return client().containers.get(ref).status in ("running", "restarting", "paused")
    except ProclabError:
        return False


def _stale(labels_: dict[str, str] | None, all_runs: bool) -> bool:
    """Whether a sweep may remove a thing with these labels.

    Things without an owner label were not made by a proclab run (a build step's
    container or a compose service inherits the image's ``proclab`` label): left alone.
    """
    labels_ = labels_ or {}
    if all_runs:
        return True
    owner_label = labels_.get(OWNER_LABEL, "")
    return (
        bool(owner_label)
        and not labels_.get(KEEP_LABEL)
        and not owner_alive(owner_label, labels_.get(OWNER_CONTAINER_LABEL))
    )


def _remove_quietly(kind: str, name: str | None, remove: Any) -> bool:
    """Remove one thing; False when it is already gone or another sweep is removing it (409)."""
    try:
        with docker_call(f"remove {kind}", name or ""):
            remove()
        return True
    except ProclabError:
        return False


def sweep(all_runs: bool = False) -> list[str]:
    """Remove proclab containers (and networks, volumes) whose owner is dead, or all of them.

    Returns a description of each thing removed.
    """
    c = client()
    removed: list[str] = []
    with docker_call("list containers"):
        containers = c.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)
    for cont in containers:
        if _stale(cont.labels, all_runs) and _remove_quietly(
            "container", cont.name, lambda cont=cont: cont.remove(force=True, v=True)
        ):
            removed.append(f"container {cont.name} ({cont.labels.get(LAB_LABEL, '?')})")
    with docker_call("list networks"):
        networks = c.networks.list(filters={"label": LABEL})
    for net in networks:
        if _stale(net.attrs.get("Labels"), all_runs) and _remove_quietly(
            "network", net.name, net.remove
        ):
            removed.append(f"network {net.name}")
    with docker_call("list volumes"):
        volumes = c.volumes.list(filters={"label": LABEL})
    for vol in volumes:
        if _stale(vol.attrs.get("Labels"), all_runs) and _remove_quietly(
            "volume", vol.name, lambda vol=vol: vol.remove(force=True)
        ):
            removed.append(f"volume {vol.name}")
    return removed


def proclab_containers(**label_values: str | None) -> list[Any]:
    """Every proclab container (any state), optionally only those with these labels
    (``key=value``, or just the key when the value is None)."""
    wanted = [LABEL] + [
        f"proclab.{k}" + ("" if v is None else f"={v}") for k, v in label_values.items()
    ]
    with docker_call("list containers"):
        return client().containers.list(all=True, filters={"label": wanted}, ignore_removed=True)


def remove_own() -> list[str]:
    """On Ctrl-C: remove what this process made and still holds (not what is meant to outlive it),
    on every engine it has talked to.

    The runner removes its containers in ``finally``; this also catches one whose create
    call was interrupted after the engine had made it. Does nothing if never connected.
    """
    removed, failed = [], None
    for ref in list(_clients):
        try:
            with using(ref):
                removed += _remove_own_here()
        except ProclabError as err:  # an engine that stopped answering must not spare the others
            failed = err
    if failed is not None and not removed:
        raise failed
    return removed


def _remove_own_here() -> list[str]:
    with docker_call("list containers"):
        mine = client().containers.list(
            all=True, filters={"label": f"{RUN_LABEL}={run_id()}"}, ignore_removed=True
        )
    removed = []
    for cont in mine:
        if not cont.labels.get(KEEP_LABEL) and _remove_quietly(
            "container", cont.name, lambda cont=cont: cont.remove(force=True, v=True)
        ):
            removed.append(f"container {cont.name}")
    return removed


@dataclass
class SelfView:
    """What the engine says about the container this process runs in."""

    oneoff: bool  # made by 'docker compose run' (which runs no lifecycle hooks)
    execs: list[
        str
    ]  # the execs running in it now (the engine drops an exec from this list when it ends)


def self_view() -> SelfView | None:
    """This process's own container (its id from the mounts, else its hostname, Docker's default
    for which is the short id); None when not in a container the engine knows."""
    ref = own_container() or socket.gethostname()
    try:
        with docker_call("inspect", ref):
            c = client().containers.get(ref)
    except ProclabError:
        return None
    return SelfView(
        oneoff=(c.labels or {}).get("com.docker.compose.oneoff", "").lower() == "true",
        execs=list(c.attrs.get("ExecIDs") or []),
    )


def exec_running(exec_id: str) -> bool:
    """Whether the exec still runs (an exec the engine has forgotten has ended)."""
    try:
        with docker_call("exec inspect", exec_id):
            return bool(client().api.exec_inspect(exec_id).get("Running"))
    except ProclabError:
        return False
