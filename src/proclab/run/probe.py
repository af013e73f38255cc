"""Take a snapshot of a lab container's process table from inside its pid namespace.

Docker's own ``container.top()`` reports host pids and leaves zombies out, so
the harness execs labkit's probe in the container: psutil rows, ``ps`` text
and (when asked) ``top`` text, in one exec, which then releases the checkpoint.
"""
from __future__ import annotations

import json
from typing import Any

from ..engine import LabContainer
from ..errors import ProbeError


def snapshot(container: LabContainer, *, top: bool, release_fifo: str | None) -> dict[str, Any]:
    """The probe's JSON document."""
    cmd = ["python3", "-m", "labkit.probe"]
    if top:
        cmd.append("--top")
    if release_fifo:
        cmd += ["--release", release_fifo]
    out, err, exec_id = container.exec_output(cmd)
    # A complete document counts even if the probe was killed afterwards: once it
    # releases the checkpoint the scenario may end, taking the namespace with it.
    try:
        return json.loads(out)
    except ValueError as bad:
        tail = (err or out).decode(errors="replace").strip().splitlines()[-3:]
        code = container.exec_exit_code(exec_id)
        raise ProbeError(f"the probe failed in {container.name} (exit {code}): "
                         f"{' | '.join(tail) or 'no output'}") from bad


def release(container: LabContainer, fifo: str) -> bool:
    res = container.exec(["python3", "-m", "labkit.release", fifo])
    return res.exit_code == 0
