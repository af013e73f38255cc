"""Exploration hosts: a container with sshd and a 'student' account you log into with a key.

``start`` makes one per learner name: a key pair of its own, a network of its own,
the container (port 22 published on 127.0.0.1 only, at a port Docker picks free),
and a known_hosts entry from the host key the container prints at start (read
through the Docker API, so the first ssh connection is already verified).
What ``start`` made is kept in a state folder so ``ssh``, ``check`` and ``stop``
find it again; containers carry ``proclab.keep`` so a sweep leaves them alone.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import engine, threads
from ..engine import images
from ..errors import EnvironmentProblem, ProclabError, UsageError
from ..snapshot.protocol import lines_from

USER = "student"
DEFAULT_NAME = "explore"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")
READY_S = 60.0
HOSTKEY_MARK = "proclab-explore: host key "
LISTENING_MARK = "Server listening on"
# sshd runs as root and becomes the student: these are the capabilities it needs (all
# others dropped): set uid/gid, chroot for privilege separation, chown the terminal,
# signal the session's processes, and write the login audit record.
SSHD_CAPS = ["SETUID", "SETGID", "SYS_CHROOT", "CHOWN", "KILL", "AUDIT_WRITE"]

Progress = Callable[[str], None]


def state_root() -> Path:
    base = os.environ.get("PROCLAB_STATE") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "proclab"
    )
    return Path(base) / "explore"


@dataclass
class Host:
    name: str
    container: str
    network: str
    port: int
    host_key: str

    @property
    def dir(self) -> Path:
        return state_root() / self.name

    @property
    def key_file(self) -> Path:
        return self.dir / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.dir / "known_hosts"

    @property
    def public_key(self) -> str:
        return (self.dir / "id_ed25519.pub").read_text().strip()

    def ssh_options(self) -> list[str]:
        return [
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
        ]

    def ssh_argv(self, *command: str) -> list[str]:
        return [
            "ssh",
            "-i",
            str(self.key_file),
            *self.ssh_options(),
            "-p",
            str(self.port),
            f"{USER}@127.0.0.1",
            *command,
        ]

    def inventory_vars(self) -> dict[str, Any]:
        return {
            "ansible_host": "127.0.0.1",
            "ansible_port": self.port,
            "ansible_user": USER,
            "ansible_ssh_private_key_file": str(self.key_file),
            "ansible_ssh_common_args": " ".join(self.ssh_options()),
            "ansible_python_interpreter": "/usr/bin/python3",
            "proclab_authorized_key": self.public_key,
        }

    def save(self) -> None:
        (self.dir / "host.json").write_text(json.dumps(asdict(self), indent=2) + "\n")


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise UsageError(
            f"'{name}' is not a usable host name; use lower-case letters, digits, '-' or '_' "
            "(up to 31 characters), e.g. 'alice'"
        )
    return name


def load(name: str) -> Host:
    check_name(name)
    f = state_root() / name / "host.json"
    if not f.is_file():
        raise UsageError(
            f"no exploration host named '{name}'; start one with 'proclab explore up {name}'"
        )
    return Host(**json.loads(f.read_text()))


def saved() -> list[Host]:
    root = state_root()
    if not root.is_dir():
        return []
    return [load(d.name) for d in sorted(root.iterdir()) if (d / "host.json").is_file()]


def select(names: tuple[str, ...] | list[str]) -> list[Host]:
    """The hosts named, or every saved one; UsageError when there are none."""
    hosts = [load(n) for n in names] if names else saved()
    if not hosts:
        raise UsageError("no exploration host is up; start one with 'proclab explore up'")
    return hosts


def make_key_pair(directory: Path, comment: str) -> str:
    """An ed25519 key pair in ``directory`` (private key 0600); returns the public key line."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
        + f" {comment}"
    )
    fd = os.open(directory / "id_ed25519", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    (directory / "id_ed25519.pub").write_text(public + "\n")
    return public


def container_spec(name: str, network: str, public_key: str) -> engine.ContainerSpec:
    """ssh on 127.0.0.1 only, few capabilities, bounded resources."""
    return engine.ContainerSpec(
        image=images.IMAGES["explore"].tag,
        name=f"proclab-explore-{name}",
        command=None,
        env={"PROCLAB_AUTHORIZED_KEY": public_key},
        labels={"explore": name, "keep": "1"},
        init=True,  # docker-init as pid 1 adopts and reaps orphans
        cap_add=tuple(SSHD_CAPS),
        pids_limit=256,
        mem_limit="512m",
        cpus=1.0,
        network=network,
        ports={"22/tcp": ("127.0.0.1", None)},  # None: Docker picks a free port
        hostname=name,
    )


def _wait_ready(container: engine.LabContainer, stream: Any, timeout: float) -> str:
    """Read the container's output until sshd listens; return the host key line it printed."""
    lines: queue.Queue[Any] = queue.Queue()

    def read() -> None:
        try:
            for item in lines_from(stream):
                lines.put(getattr(item, "text", str(item)))
        finally:
            lines.put(None)

    threads.daemon(read, name="sshd output reader")
    deadline, host_key, seen = time.monotonic() + timeout, "", list[str]()
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise EnvironmentProblem(
                f"{container.name}: sshd did not start within {timeout:.0f} s; "
                f"it printed: {' | '.join(seen[-5:]) or 'nothing'}"
            ) from None
        if line is None:
            raise EnvironmentProblem(
                f"{container.name} ended before sshd listened: {' | '.join(seen[-5:])}"
            )
        seen.append(line)
        if line.startswith(HOSTKEY_MARK):
            host_key = " ".join(line[len(HOSTKEY_MARK) :].split()[:2])
        elif LISTENING_MARK in line and host_key:
            return host_key


def _published_port(container: engine.LabContainer) -> int:
    ports = container.inspect()["NetworkSettings"]["Ports"].get("22/tcp") or []
    for p in ports:
        if p.get("HostIp") in ("127.0.0.1", "") and p.get("HostPort"):
            return int(p["HostPort"])
    raise EnvironmentProblem(f"{container.name}: port 22 was not published ({ports})")


def start_one(name: str, progress: Progress = lambda line: None) -> Host:
    """Start the container for ``name`` (the image must be current). Provisioning is separate."""
    check_name(name)
    directory = state_root() / name
    if (directory / "host.json").is_file():
        old = load(name)
        if (c := engine.find_container(old.container)) and c.status() == "running":
            raise UsageError(
                f"exploration host '{name}' is already up (port {old.port}); "
                f"'proclab explore ssh {name}' logs in, 'proclab explore down {name}' removes it"
            )
        stop(name)  # what a crashed host left behind
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    container_name = f"proclab-explore-{name}"
    network = container_name
    made: list[Callable[[], Any]] = [lambda: shutil.rmtree(directory, ignore_errors=True)]
    try:
        public = make_key_pair(directory, f"proclab-explore-{name}")
        engine.create_network(network, explore=name, keep="1")
        made.append(lambda: engine.remove_network(network))
        progress(f"starting {container_name}")
        container = engine.create(container_spec(name, network, public))
        made.append(container.remove)
        stream = container.stream()  # attached before start: no line is missed
        container.start()
        host_key = _wait_ready(container, stream, READY_S)
        port = _published_port(container)
        (directory / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key}\n")
        host = Host(name, container_name, network, port, host_key)
        host.save()
        progress(f"{name}: sshd on 127.0.0.1:{port}")
        return host
    except BaseException:
        for undo in reversed(made):
            try:
                undo()
            except ProclabError:
                pass
        raise


def start(names: list[str], progress: Progress = lambda line: None) -> list[Host]:
    """Start and provision (explore.yml over ssh) one exploration host per name."""
    from . import playbooks

    for n in names:
        check_name(n)
    images.ensure("explore", progress)
    hosts: list[Host] = []
    try:
        for n in names:
            hosts.append(start_one(n, progress))
        progress(f"provisioning {', '.join(names)} over ssh (playbooks/explore.yml)")
        playbooks.provision(hosts)
    except BaseException:
        for h in hosts:
            stop(h.name)
        raise
    return hosts


def stop(name: str) -> list[str]:
    """Remove the host's container, network and state folder; returns what was removed."""
    check_name(name)
    removed = []
    directory = state_root() / name
    container_name = network = f"proclab-explore-{name}"
    if (directory / "host.json").is_file():
        h = load(name)
        container_name, network = h.container, h.network
    if (c := engine.find_container(container_name)) is not None:
        c.remove()
        removed.append(f"container {container_name}")
    if engine.remove_network(network):
        removed.append(f"network {network}")
    if directory.exists():
        shutil.rmtree(directory)
        removed.append(f"keys and known_hosts in {directory}")
    return removed


def stop_every() -> list[str]:
    """Remove every exploration host's container and network on this engine, whoever started it
    (other users' key folders are theirs: left alone)."""
    removed = []
    for c in engine.proclab_containers(explore=None):
        name = c.name
        engine.LabContainer(c).remove()
        removed.append(f"container {name}")
        if engine.remove_network(name):
            removed.append(f"network {name}")
    return removed
