"""The engine layer: the only code that imports ``docker`` or reads the host's ``/proc``.

Its public face is here; the modules behind it are private (``_client``,
``_container``, ``_calls``) or name one concern each (``images``,
``baseimage``, ``aptmirror``, ``hostproc``, ``hostview``, ``engines``: which engine a thread's
calls go to, and whether it is Docker or Podman). Every docker-py call
runs inside ``_calls.docker_call``, so what leaves this package is a
``ProclabError`` naming the container, the operation and Docker's explanation.
"""

from __future__ import annotations

from ._calls import API_TIMEOUT_S
from ._client import (
    KEEP_LABEL,
    LAB_LABEL,
    LABEL,
    OWNER_CONTAINER_LABEL,
    OWNER_LABEL,
    RUN_LABEL,
    SelfView,
    client,
    connected,
    exec_running,
    labels,
    own_container,
    owner,
    owner_alive,
    proclab_containers,
    remove_own,
    run_id,
    self_view,
    sweep,
)
from ._container import (
    DOCKER_RUN_DEFAULTS,
    LAB_HARDENING,
    LAB_TMPFS,
    ContainerSpec,
    ExecResult,
    LabContainer,
    Privileges,
    create,
    create_network,
    find_container,
    remove_network,
)
from ._exec import AttachedExec
from .engines import EngineInfo, EngineKind, everywhere, info, kind, selected, using
from .imageinfo import ImageConfig, file_from_image, image_config
from .interactive import exec_tty

__all__ = [
    "KEEP_LABEL",
    "LAB_LABEL",
    "LABEL",
    "OWNER_CONTAINER_LABEL",
    "OWNER_LABEL",
    "RUN_LABEL",
    "SelfView",
    "client",
    "connected",
    "exec_running",
    "labels",
    "owner",
    "owner_alive",
    "own_container",
    "proclab_containers",
    "remove_own",
    "run_id",
    "self_view",
    "sweep",
    "AttachedExec",
    "DOCKER_RUN_DEFAULTS",
    "LAB_HARDENING",
    "LAB_TMPFS",
    "Privileges",
    "ContainerSpec",
    "ExecResult",
    "LabContainer",
    "create",
    "create_network",
    "find_container",
    "remove_network",
    "exec_tty",
    "ImageConfig",
    "file_from_image",
    "image_config",
    "API_TIMEOUT_S",
    "EngineInfo",
    "EngineKind",
    "everywhere",
    "info",
    "kind",
    "selected",
    "using",
]
