"""A shell with the learner's own terminal in a lab container: ``docker exec -it``.

The docker command-line client owns the pseudo-terminal (raw mode, window size,
Ctrl-C to the shell, not to proclab): re-implementing that over the SDK's socket
would be a worse copy of it. It talks to the same engine as the SDK (DOCKER_HOST, or the --engine chosen).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

from ..errors import ContainerError
from ._container import LabContainer
from .engines import is_url, selected


def cli_engine_args() -> list[str]:
    """The docker client's options that reach this thread's engine (none: its environment's)."""
    ref = selected()
    if not ref:
        return []
    return ["--host", ref] if is_url(ref) else ["--context", ref]


def exec_tty(
    container: LabContainer, cmd: list[str], env: dict[str, str], user: str | None = None
) -> int:
    """Run cmd in the container on the caller's terminal; its exit code once the learner leaves."""
    docker = shutil.which("docker")
    if docker is None:
        raise ContainerError(
            "open a shell in",
            container.name,
            "the docker command-line client is not installed (install docker-ce-cli or docker.io)",
        )
    env = {"TERM": os.environ.get("TERM", "xterm"), **env}
    args = [docker, *cli_engine_args(), "exec", "-it", *(["--user", user] if user else [])]
    for k, v in env.items():
        args += ["--env", f"{k}={v}"]
    # Ctrl-C in the shell belongs to the shell: proclab must not take it for "end the run"
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call([*args, container.id, *cmd], preexec_fn=_default_sigint)
    finally:
        signal.signal(signal.SIGINT, before)


def _default_sigint() -> None:
    signal.signal(
        signal.SIGINT, signal.SIG_DFL
    )  # ignored dispositions survive exec: not for the client
