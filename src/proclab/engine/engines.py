"""Which engine a call goes to: the environment's (DOCKER_HOST, else the default socket), or one
named by ``--engine`` (a docker context name, or a ``unix://``, ``tcp://`` or ``ssh://`` URL).

The engine is chosen per thread of work (a ``ContextVar``): ``run --all --engine A --engine B``
runs one lab's calls against A in one thread and another lab's against B in another. A thread
started with ``threading.Thread`` does not inherit the choice; one started by
``proclab.deadline.Call`` (in a copy of its starter's context) does.
What kind of engine answers (Docker or Podman) is asked once per engine: the few places where
Podman differs (image names, the open-files limit) read ``kind()``.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

DEFAULT_CONTEXT = (
    "default"  # the docker client's built-in context: DOCKER_HOST, else the default socket
)
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
URL_SCHEMES = ("unix://", "tcp://", "ssh://", "npipe://", "http://", "https://")

_selected: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "proclab_engine", default=None
)
_process_default = ""  # every thread's engine unless it chose one (``everywhere``)


class EngineKind(StrEnum):
    DOCKER = "docker"
    PODMAN = "podman"


@dataclass(frozen=True)
class EngineInfo:
    ref: str  # as the user named it ("" for the environment's engine)
    url: str  # where docker-py connects
    kind: EngineKind
    version: str  # the engine's own version (Docker 20.10.24, Podman 4.3.1)
    api_version: str  # the Docker API version it serves (1.41, 1.45)

    @property
    def label(self) -> str:
        """How a summary names it: the name the user gave, else the kind and version."""
        return self.ref or f"{self.kind} {self.version}"


def selected() -> str:
    """The engine this thread's calls go to: "" for the environment's."""
    chosen = _selected.get()
    return _process_default if chosen is None else chosen


@contextmanager
def using(ref: str | None) -> Iterator[None]:
    """Send this thread's engine calls to ``ref`` (None or "": the environment's engine)."""
    token = _selected.set(ref or "")
    try:
        yield
    finally:
        _selected.reset(token)


@contextmanager
def everywhere(ref: str | None) -> Iterator[None]:
    """Send every thread's engine calls to ``ref`` unless the thread chose one (``using``): for a
    command whose threads are not all started through ``deadline.Call`` (one engine for the whole process)."""
    global _process_default
    before, _process_default = _process_default, ref or ""
    try:
        yield
    finally:
        _process_default = before


def is_url(ref: str) -> bool:
    return ref.startswith(URL_SCHEMES)


def base_url(ref: str) -> str:
    """The URL behind a ``--engine`` value: a URL as it is, a docker context name looked up in the
    docker client's context store (what 'docker context ls' lists)."""
    if is_url(ref):
        return ref
    if ref == DEFAULT_CONTEXT:
        return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    from ..errors import UsageError

    host = context_host(ref)
    if not host:
        raise UsageError(
            f"--engine {ref}: no docker context of that name and not a URL; "
            "'docker context ls' lists the contexts, or give unix://..., tcp://... or ssh://..."
        )
    return host


def context_host(name: str) -> str | None:
    """A docker context's engine endpoint, read as the docker client stores it:
    $DOCKER_CONFIG (else ~/.docker)/contexts/meta/<sha256 of the name>/meta.json. (docker-py's own
    ContextAPI finds the store only beside a config.json, which 'docker context create' does not make.)"""
    config = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    meta = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest() / "meta.json"
    try:
        doc = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    host = ((doc.get("Endpoints") or {}).get("docker") or {}).get("Host")
    return str(host) if host else None


def kind_of(version: dict[str, Any]) -> EngineKind:
    """Docker or Podman, from the engine's /version answer (Podman names a 'Podman Engine' component)."""
    names = " ".join(str(c.get("Name", "")) for c in version.get("Components") or [])
    return EngineKind.PODMAN if "podman" in names.lower() else EngineKind.DOCKER


def engine_version(version: dict[str, Any], kind: EngineKind) -> str:
    for c in version.get("Components") or []:
        if kind is EngineKind.PODMAN and "podman" in str(c.get("Name", "")).lower():
            return str(c.get("Version", "?"))
    return str(version.get("Version", "?"))


_info: dict[str, EngineInfo] = {}
_info_lock = threading.Lock()


def info() -> EngineInfo:
    """What answers at this thread's engine (asked once per engine per process)."""
    ref = selected()
    found = _info.get(ref)
    if found is not None:
        return found
    from ._calls import docker_call
    from ._client import client, url_of

    c = client()
    with docker_call("version", ref or "of the engine"):
        v = c.version()
    kind = kind_of(v)
    found = EngineInfo(
        ref=ref,
        url=url_of(ref),
        kind=kind,
        version=engine_version(v, kind),
        api_version=str(v.get("ApiVersion", "?")),
    )
    with _info_lock:
        _info[ref] = found
    return found


def kind() -> EngineKind:
    return info().kind


def qualified(image: str, kind_: EngineKind | None = None) -> str:
    """proclab's own image name as this engine must be told it.

    Podman qualifies a short name by its registries.conf (docker.io first, or a prompt), so
    'proclab/lab:x' built on Podman is stored as docker.io/proclab/lab:x and a 'FROM
    proclab/base:bookworm' may send it to a registry. proclab's images are local: on Podman
    they are named 'localhost/proclab/...' outright, which Podman never pulls.
    """
    if image.startswith("proclab/") and (kind_ or kind()) is EngineKind.PODMAN:
        return f"localhost/{image}"
    return image


def registry_image(image: str) -> str:
    """A registry's short name ('debian:bookworm-slim') fully qualified on Podman, where a short
    name is resolved by the engine's registries.conf (which may prompt, or refuse)."""
    if kind() is not EngineKind.PODMAN or "/" in image.split(":")[0] and "." in image.split("/")[0]:
        return image
    return f"docker.io/{image}" if "/" in image else f"docker.io/library/{image}"
