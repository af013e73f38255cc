"""One container, from create to remove: the only wrapper over docker-py's Container.

``ContainerSpec`` says what to create in proclab's terms (least privilege is
the default: every capability dropped, no-new-privileges, pids and memory
limits, a bounded log); ``create`` turns it into docker-py's arguments.
``Privileges`` is the one place where the labs' hardening and a plain
``docker run``'s defaults (what ``proclab doctor`` judges images under) differ.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docker.types
import requests.exceptions

from ..deadline import call_within
from ..errors import ContainerError, ContainerGone
from . import hostproc
from ._calls import API_TIMEOUT_S, docker_call
from ._client import client, labels
from ._exec import AttachedExec
from .engines import EngineKind, kind
from .exitwatch import ExitWatch

# The engine's json-file log of a container is bounded: a scenario that floods its
# output must not fill the host's disk (proclab reads the output by attaching).
LOG_CONFIG = {"type": "json-file", "config": {"max-size": "4m", "max-file": "1"}}
# Rootful Podman raises a container's open-files and processes limits to the kernel's maximum
# unless told; where its service lacks CAP_SYS_RESOURCE (a Podman inside a container) runc then
# cannot start anything. Docker hands its containers its own limits. A lab opens a few dozen
# files and its pids cgroup caps its processes far lower: these fit under any host's hard limits.
PODMAN_ULIMITS = {"nofile": 1024, "nproc": 4096}
# A read-only Podman container gets a tmpfs on /run filled with a copy of the image's /run
# ("tmpcopyup"), which loses the image's 1777 on /run/proclab; runc then gives the tmpfs mounted
# there the mode of that copy (1755) and the lab user cannot make its checkpoint FIFOs. A /run
# of our own, empty, leaves the mountpoint to runc and the tmpfs its own mode.
# 'docker top' lists host pids: Docker runs the host's ps on the container's processes. Podman
# runs ps *in* the container for ps(1) options (container pids, and ps itself among them); its own
# descriptor 'hpid' gives the host pids of the container's processes.
TOP_HOST_PIDS = {EngineKind.DOCKER: "-eo pid", EngineKind.PODMAN: "hpid"}
PODMAN_RUN_TMPFS = "rw,mode=755,size=4m,notmpcopyup"
LAB_TMPFS = {"/tmp": "rw,mode=1777,size=64m", "/lab": "rw,mode=1777,size=4m"}


@dataclass(frozen=True)
class Privileges:
    """Capabilities and security options, on top of the engine's defaults."""

    cap_drop: tuple[str, ...] = ()
    cap_add: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()


# The labs: every capability dropped, no-new-privileges (a lab keeps what it needs with cap_add).
LAB_HARDENING = Privileges(cap_drop=("ALL",), security_opt=("no-new-privileges",))
# What 'docker run IMAGE' gives: Docker's default capability set, no security options.
DOCKER_RUN_DEFAULTS = Privileges()


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    name: str
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None  # None: the image's ENTRYPOINT
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # proclab.<key> extras
    user: str | None = None
    init: bool | None = False  # None: the engine's default, as 'docker run' without --init
    privileges: Privileges = LAB_HARDENING
    stop_signal: str | None = None  # None: the image's STOPSIGNAL
    pids_limit: int | None = 128
    mem_limit: str | None = "256m"
    cap_add: tuple[str, ...] = ()
    read_only: bool = False
    network: str = "none"  # "none", "bridge", or a network's name
    tmpfs: dict[str, str] = field(default_factory=dict)
    anonymous_volumes: tuple[str, ...] = ()  # paths; removed with the container (remove v=True)
    cpus: float | None = None
    cpuset_cpus: str | None = None
    cpu_shares: int | None = None
    ports: dict[str, Any] = field(default_factory=dict)
    hostname: str | None = None

    def create_kwargs(self, kind: EngineKind = EngineKind.DOCKER) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "name": self.name,
            "environment": dict(self.env),
            "labels": labels(**self.labels),
            "detach": True,
            "stdin_open": False,
            "tty": False,
            "read_only": self.read_only,
            "log_config": LOG_CONFIG,
        }
        if self.network in ("none", "bridge"):
            kw["network_mode"] = self.network
        else:
            kw["network"] = self.network
        optional = {
            "init": self.init,
            "user": self.user,
            "pids_limit": self.pids_limit,
            "mem_limit": self.mem_limit,
            "entrypoint": list(self.entrypoint) if self.entrypoint is not None else None,
            "memswap_limit": self.mem_limit,
            "cpuset_cpus": self.cpuset_cpus,
            "cpu_shares": self.cpu_shares,
            "hostname": self.hostname,
            "tmpfs": dict(self.tmpfs) or None,
            "ports": dict(self.ports) or None,
            "mounts": [docker.types.Mount(p, None, type="volume") for p in self.anonymous_volumes]
            or None,
            "cap_add": list(self.cap_add + self.privileges.cap_add) or None,
            "cap_drop": list(self.privileges.cap_drop) or None,
            "security_opt": list(self.privileges.security_opt) or None,
            "stop_signal": self.stop_signal,
            "nano_cpus": int(self.cpus * 1e9) if self.cpus else None,
        }
        kw.update({k: v for k, v in optional.items() if v is not None})
        if kind is EngineKind.PODMAN:
            kw["ulimits"] = [
                docker.types.Ulimit(name=n, soft=v, hard=v) for n, v in PODMAN_ULIMITS.items()
            ]
            if (
                self.read_only
                and any(p.startswith("/run/") for p in self.tmpfs)
                and "/run" not in self.tmpfs
            ):
                kw["tmpfs"] = {"/run": PODMAN_RUN_TMPFS, **self.tmpfs}
        return kw


@dataclass
class ExecResult:
    exit_code: int
    stdout: bytes
    stderr: bytes
    seconds: float


def create(spec: ContainerSpec) -> LabContainer:
    """Create (not start) the container the spec describes."""
    with docker_call("create", spec.name, image=spec.image):
        cont = client().containers.create(
            spec.image, list(spec.command) if spec.command else None, **spec.create_kwargs(kind())
        )
    return LabContainer(cont)


def find_container(name: str) -> LabContainer | None:
    try:
        with docker_call("inspect", name):
            return LabContainer(client().containers.get(name))
    except ContainerError:
        return None


class LabContainer:
    """One container of a lab run (or an exploration host): started, streamed, probed, removed."""

    def __init__(self, container: Any):
        self._c = container

    @property
    def id(self) -> str:
        return self._c.id

    @property
    def name(self) -> str:
        return self._c.name

    def start(self) -> None:
        with docker_call("start", self.name):
            self._c.start()

    def stream(self) -> Iterator[tuple[bytes | None, bytes | None]]:
        """(stdout, stderr) chunks from the container's start until it ends."""
        with docker_call("attach", self.name):
            return self._c.client.api.attach(
                self._c.id, stream=True, logs=True, stdout=True, stderr=True, demux=True
            )

    def exec(
        self, cmd: list[str], user: str | None = None, timeout: float = API_TIMEOUT_S
    ) -> ExecResult:
        """Run cmd in the container; CallTimeout if it has not ended within timeout."""
        t0 = time.perf_counter()
        kw = {"user": user} if user else {}

        def run() -> Any:
            with docker_call(f"exec {cmd[0]} in", self.name):
                return self._c.exec_run(cmd, demux=True, **kw)

        res = call_within(timeout, f"exec {cmd[0]} in", self.name, run)
        out, err_ = res.output if res.output else (b"", b"")
        return ExecResult(
            res.exit_code if res.exit_code is not None else -1,
            out or b"",
            err_ or b"",
            time.perf_counter() - t0,
        )

    def exec_output(
        self, cmd: list[str], timeout: float = API_TIMEOUT_S, user: str | None = None
    ) -> tuple[bytes, bytes, str]:
        """Run cmd and return (stdout, stderr, exec id) without asking for its exit code:
        one API round trip fewer than exec(), for the probe's and the doctor's hot paths."""
        api = self._c.client.api

        def run() -> tuple[bytes, bytes, str]:
            with docker_call(f"exec {cmd[0]} in", self.name):
                ex = api.exec_create(self._c.id, cmd, user=user or "")
                out, err = api.exec_start(ex["Id"], demux=True)
            return out or b"", err or b"", ex["Id"]

        return call_within(timeout, f"exec {cmd[0]} in", self.name, run)

    def exec_attached(self, cmd: list[str]) -> AttachedExec:
        """Start cmd with its stdin and stdout attached, to talk to it line by line (the resident probe)."""
        return AttachedExec.start(self._c.client.api, self._c.id, self.name, cmd)

    def exec_exit_code(self, exec_id: str) -> int | None:
        with docker_call("exec inspect in", self.name):
            return self._c.client.api.exec_inspect(exec_id).get("ExitCode")

    def put_archive(self, path: str, data: bytes) -> None:
        """Unpack a tar into the container's filesystem at path (works before start, as root)."""
        with docker_call(f"put archive {path} into", self.name):
            if not self._c.put_archive(path, data):
                raise ContainerError(
                    f"put archive {path} into", self.name, "the engine refused the archive"
                )

    def top_pids(self) -> list[int]:
        """Host pids of the container's processes, as 'docker top' lists them (zombies are not)."""
        with docker_call("top", self.name):
            rows = self._c.top(ps_args=TOP_HOST_PIDS[kind()]).get("Processes") or []
        return [int(r[0]) for r in rows if r and r[0].isdigit()]

    def exit_watch(self) -> ExitWatch:
        """Watch pid 1 end (the kernel's moment): start it before a stop or kill (exitwatch.py)."""
        return ExitWatch(self.host_pid())

    def stop(self, timeout: float) -> None:
        with docker_call("stop", self.name):
            self._c.stop(timeout=timeout)

    def kill(self, signal: str | int) -> None:
        with docker_call(f"kill --signal {signal}", self.name):
            self._c.kill(signal=signal)

    def status(self) -> str:
        try:
            return self.state().get("Status", "unknown")
        except ContainerError:
            return "removed"

    def state(self) -> dict[str, Any]:
        return self.inspect().get("State", {})

    def host_pid(self) -> int:
        return int(self.state().get("Pid") or 0)

    def host_pids(self) -> dict[int, tuple[int, float]]:
        """Container pid -> (host pid, host create time) of each of the container's processes.

        ``docker top`` lists them by host pid (zombies are not listed: they have
        left the cgroup); ``NSpid`` in the host's /proc/<pid>/status gives the pid
        inside (hostproc: the host's /proc, mounted in when the harness runs in a
        container). Empty when the engine's processes are not in that /proc.
        """
        with docker_call("top", self.name):
            top = self._c.top(ps_args=TOP_HOST_PIDS[kind()])
        found: dict[int, tuple[int, float]] = {}
        for row in top.get("Processes") or []:
            try:
                hpid = int(row[0])
            except ValueError:
                continue
            nspid, started = hostproc.nspid(hpid), hostproc.create_time(hpid)
            if nspid and started is not None:  # else gone meanwhile, or not visible from here
                found[nspid[-1]] = (hpid, started)
        return found

    def wait(self, timeout: float) -> int:
        """The container's exit code, or ContainerError if it has not exited within timeout."""
        try:
            with docker_call("wait for", self.name):
                res = self._c.wait(timeout=timeout)
        except ContainerError as err:
            if isinstance(err.__cause__, requests.exceptions.ReadTimeout):
                raise ContainerError(
                    "wait for", self.name, f"it did not exit within {timeout:.0f} s"
                ) from err
            raise
        return int(res.get("StatusCode", -1))

    def inspect(self) -> dict[str, Any]:
        with docker_call("inspect", self.name):
            self._c.reload()
        return self._c.attrs

    def remove(self) -> None:
        """Remove the container; gone already, or being removed by a sweep, is fine."""
        try:
            with docker_call("remove", self.name):
                self._c.remove(force=True, v=True)
        except ContainerGone:
            pass
        except ContainerError as err:
            if "already in progress" not in str(err):
                raise


def create_network(name: str, **extra: str) -> str:
    """A labelled bridge network of its own, so a container shares it with nobody."""
    with docker_call("network create", name):
        return client().networks.create(name, driver="bridge", labels=labels(**extra)).name or name


def remove_network(name: str) -> bool:
    try:
        with docker_call("network remove", name):
            client().networks.get(name).remove()
        return True
    except ContainerError:
        return False
