"""The thin layer over the docker SDK: every Docker call proclab makes is here.

Everything created carries the ``proclab`` label and a run label, so that a
sweep can find and remove what a dead run left behind.
"""
from __future__ import annotations

import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import docker
import docker.errors
import requests
import psutil

from . import hostproc
from .errors import EngineUnavailable, ProclabError

LABEL = "proclab"
RUN_LABEL = "proclab.run"
OWNER_LABEL = "proclab.owner"
LAB_LABEL = "proclab.lab"
OWNER_CONTAINER_LABEL = "proclab.owner-container"   # set when the owner runs in a container itself
KEEP_LABEL = "proclab.keep"   # outlives the process that made it (proclab explore); only 'clean' removes it

HOW_TO_START = (
    "start one with 'sudo systemctl start docker' (or 'sudo dockerd &'), "
    "or run 'bash .ci/docker-up' from the proclab checkout"
)


def _owner() -> str:
    """host:pid:start-time of this process, so a sweep can tell if the owner is alive."""
    me = psutil.Process()
    return f"{socket.gethostname()}:{me.pid}:{me.create_time():.2f}"


def own_container_id() -> str | None:
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


RUN_ID = uuid.uuid4().hex[:12]
OWNER = _owner()
OWN_CONTAINER = own_container_id()


def labels(**extra: str) -> dict[str, str]:
    out = {LABEL: "1", RUN_LABEL: RUN_ID, OWNER_LABEL: OWNER}
    if OWN_CONTAINER:
        out[OWNER_CONTAINER_LABEL] = OWN_CONTAINER
    out.update({f"proclab.{k}": v for k, v in extra.items()})
    return out


_client: docker.DockerClient | None = None


def client() -> docker.DockerClient:
    """A connected docker client, or EngineUnavailable naming how to start one."""
    global _client
    if _client is not None:
        return _client
    try:
        c = docker.from_env(timeout=120)
        c.ping()
    except docker.errors.DockerException as err:
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise EngineUnavailable(f"the Docker engine at {where} does not answer; {HOW_TO_START}") from err
    _client = c
    return c


def owner_alive(owner: str, container: str | None = None) -> bool:
    """Whether the process named by an owner label (host:pid:start) still runs.

    An owner on another host is alive unless it ran in a container (``container``,
    from the owner-container label) that is no longer running: a killed 'docker
    compose up labs' harness, say.
    """
    try:
        host, pid, started = owner.rsplit(":", 2)
        if host != socket.gethostname():
            return _container_running(container) if container else True  # else not ours to judge
        proc = psutil.Process(int(pid))
        return abs(proc.create_time() - float(started)) < 1.0
    except (ValueError, psutil.Error):
        return False


def _container_running(ref: str) -> bool:
    try:
        return client().containers.get(ref).status in ("running", "restarting", "paused")
    except docker.errors.NotFound:
        return False


def _stale(labels_: dict[str, str] | None, all_runs: bool) -> bool:
    """Whether a sweep may remove a thing with these labels.

    Things without an owner label were not made by a proclab run (a build step's
    container or a compose service inherits the image's ``proclab`` label): left alone.
    """
    labels_ = labels_ or {}
    if all_runs:
        return True
    owner = labels_.get(OWNER_LABEL, "")
    return (bool(owner) and not labels_.get(KEEP_LABEL)
            and not owner_alive(owner, labels_.get(OWNER_CONTAINER_LABEL)))


def sweep(all_runs: bool = False) -> list[str]:
    """Remove proclab containers (and networks) whose owner is dead, or all of them.

    Returns a description of each thing removed.
    """
    c = client()
    removed: list[str] = []
    for cont in c.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True):
        if _stale(cont.labels, all_runs):
            try:
                cont.remove(force=True, v=True)
                removed.append(f"container {cont.name} ({cont.labels.get(LAB_LABEL, '?')})")
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError as err:   # 409: another sweep is removing it already
                if err.status_code != 409:
                    raise
    for net in c.networks.list(filters={"label": LABEL}):
        if _stale(net.attrs.get("Labels"), all_runs):
            try:
                net.remove()
                removed.append(f"network {net.name}")
            except docker.errors.APIError:
                pass
    for vol in c.volumes.list(filters={"label": LABEL}):
        if _stale(vol.attrs.get("Labels"), all_runs):
            try:
                vol.remove(force=True)
                removed.append(f"volume {vol.name}")
            except docker.errors.APIError:
                pass
    return removed


def proclab_containers() -> list[Any]:
    return client().containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)


def remove_own() -> list[str]:
    """On Ctrl-C: remove what this process made and still holds (not what is meant to outlive it).

    The runner removes its containers in ``finally``; this also catches one whose create
    call was interrupted after the engine had made it. Does nothing if never connected.
    """
    if _client is None:
        return []
    removed = []
    for cont in _client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={RUN_ID}"}, ignore_removed=True):
        if not cont.labels.get(KEEP_LABEL):
            try:
                cont.remove(force=True, v=True)
                removed.append(f"container {cont.name}")
            except docker.errors.APIError:
                pass
    return removed


@dataclass
class ExecResult:
    exit_code: int
    stdout: bytes
    stderr: bytes
    seconds: float


class LabContainer:
    """One container of a lab run: created, started, streamed, probed, removed."""

    def __init__(self, container: Any):
        self._c = container

    @property
    def id(self) -> str:
        return self._c.id

    @property
    def name(self) -> str:
        return self._c.name

    @classmethod
    def create(cls, image: str, command: list[str], *, lab: str, name: str, env: dict[str, str],
               host_config: dict[str, Any]) -> "LabContainer":
        c = client()
        try:
            cont = c.containers.create(
                image, command, name=name, environment=env, labels=labels(lab=lab),
                detach=True, stdin_open=False, tty=False, **host_config,
            )
        except docker.errors.ImageNotFound as err:
            raise ProclabError(f"image {image} is missing; run 'proclab images build'") from err
        except docker.errors.APIError as err:
            raise ProclabError(f"docker could not create the lab container: {err.explanation or err}") from err
        except docker.errors.DockerException as err:   # refused before any request, e.g. mem_limit = "lots"
            raise ProclabError(f"docker could not create the lab container: {err}") from err
        return cls(cont)

    def start(self) -> None:
        try:
            self._c.start()
        except docker.errors.APIError as err:   # e.g. a user = "..." the image does not have
            raise ProclabError(f"docker could not start {self.name}: {err.explanation or err}") from err

    def stream(self) -> Iterator[tuple[bytes | None, bytes | None]]:
        """(stdout, stderr) chunks from the container's start until it ends."""
        return self._c.client.api.attach(self._c.id, stream=True, logs=True, stdout=True,
                                         stderr=True, demux=True)

    def exec(self, cmd: list[str], user: str | None = None) -> ExecResult:
        t0 = time.perf_counter()
        kw = {"user": user} if user else {}
        try:
            res = self._c.exec_run(cmd, demux=True, **kw)
        except docker.errors.APIError as err:
            raise ProclabError(f"exec of {cmd[0]} in {self.name} failed: {err.explanation or err}") from err
        out, err_ = res.output if res.output else (b"", b"")
        return ExecResult(res.exit_code if res.exit_code is not None else -1, out or b"", err_ or b"",
                          time.perf_counter() - t0)

    def exec_output(self, cmd: list[str]) -> tuple[bytes, bytes, str]:
        """Run cmd and return (stdout, stderr, exec id) without asking for its exit code:
        one API round trip fewer than exec(), for the probe's hot path."""
        api = self._c.client.api
        try:
            ex = api.exec_create(self._c.id, cmd)
            out, err = api.exec_start(ex["Id"], demux=True)
        except docker.errors.APIError as err_:
            raise ProclabError(f"exec of {cmd[0]} in {self.name} failed: {err_.explanation or err_}") from err_
        return out or b"", err or b"", ex["Id"]

    def exec_exit_code(self, exec_id: str) -> int | None:
        return self._c.client.api.exec_inspect(exec_id).get("ExitCode")

    def stop(self, timeout: float) -> None:
        self._c.stop(timeout=timeout)

    def kill(self, signal: str | int) -> None:
        self._c.kill(signal=signal)

    def status(self) -> str:
        try:
            self._c.reload()
        except docker.errors.NotFound:
            return "removed"
        return self._c.status

    def state(self) -> dict[str, Any]:
        self._c.reload()
        return self._c.attrs.get("State", {})

    def host_pid(self) -> int:
        return int(self.state().get("Pid") or 0)

    def host_pids(self) -> dict[int, tuple[int, float]]:
        """Container pid -> (host pid, host create time) of each of the container's processes.

        ``docker top`` lists them by host pid (zombies are not listed: they have
        left the cgroup); ``NSpid`` in the host's /proc/<pid>/status gives the pid
        inside (hostproc: the host's /proc, mounted in when the harness runs in a
        container). Empty when the engine's processes are not in that /proc.
        """
        try:
            top = self._c.top(ps_args="-eo pid")
        except docker.errors.APIError as err:
            raise ProclabError(f"docker top of {self.name} failed: {err.explanation or err}") from err
        found: dict[int, tuple[int, float]] = {}
        for row in top.get("Processes") or []:
            try:
                hpid = int(row[0])
            except ValueError:
                continue
            nspid, started = hostproc.nspid(hpid), hostproc.create_time(hpid)
            if nspid and started is not None:      # else gone meanwhile, or not visible from here
                found[nspid[-1]] = (hpid, started)
        return found

    def wait(self, timeout: float) -> int:
        """The container's exit code, or ProclabError if it has not exited within timeout."""
        try:
            res = self._c.wait(timeout=timeout)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as err:
            raise ProclabError(f"container {self.name} did not exit within {timeout:.0f} s") from err
        return int(res.get("StatusCode", -1))

    def inspect(self) -> dict[str, Any]:
        self._c.reload()
        return self._c.attrs

    def remove(self) -> None:
        try:
            self._c.remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as err:
            if "already in progress" not in str(err):
                raise


# Long-lived containers that are not lab runs (proclab explore's ssh hosts).

def create_network(name: str, **extra: str) -> str:
    """A labelled bridge network of its own, so a container shares it with nobody."""
    try:
        return client().networks.create(name, driver="bridge", labels=labels(**extra)).name
    except docker.errors.APIError as err:
        raise ProclabError(f"docker could not create network {name}: {err.explanation or err}") from err


def remove_network(name: str) -> bool:
    try:
        client().networks.get(name).remove()
        return True
    except docker.errors.NotFound:
        return False


def create_service(image: str, command: list[str] | None, *, name: str, env: dict[str, str],
                   extra_labels: dict[str, str], host_config: dict[str, Any]) -> LabContainer:
    """Create (not start) a container with proclab's labels plus ``proclab.<key>`` extras."""
    try:
        cont = client().containers.create(image, command, name=name, environment=env,
                                          labels=labels(**extra_labels), detach=True, **host_config)
    except docker.errors.ImageNotFound as err:
        raise ProclabError(f"image {image} is missing; run 'proclab images build'") from err
    except docker.errors.APIError as err:
        raise ProclabError(f"docker could not create container {name}: {err.explanation or err}") from err
    return LabContainer(cont)


def find_container(name: str) -> LabContainer | None:
    try:
        return LabContainer(client().containers.get(name))
    except docker.errors.NotFound:
        return None


@dataclass
class SelfView:
    """What the engine says about the container this process runs in."""
    oneoff: bool            # made by 'docker compose run' (which runs no lifecycle hooks)
    execs: list[str]        # the execs running in it now (the engine drops an exec from this list when it ends)


def self_view() -> SelfView | None:
    """This process's own container (its id from the mounts, else its hostname, Docker's default
    for which is the short id); None when not in a container the engine knows."""
    try:
        c = client().containers.get(OWN_CONTAINER or socket.gethostname())
    except (docker.errors.DockerException, ProclabError, requests.exceptions.RequestException):
        return None
    return SelfView(oneoff=(c.labels or {}).get("com.docker.compose.oneoff", "").lower() == "true",
                    execs=list(c.attrs.get("ExecIDs") or []))


def exec_running(exec_id: str) -> bool:
    """Whether the exec still runs (an exec the engine has forgotten has ended)."""
    try:
        return bool(client().api.exec_inspect(exec_id).get("Running"))
    except docker.errors.NotFound:
        return False
