"""What the harness does to a container at a checkpoint: one small function per action.

Each returns its typed record (``lab.result.StopRecord`` and the others); a Docker
call that fails (``kill`` answers 409 when pid 1 has already exited, say) is recorded
on the action as its ``error``, never raised past the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..errors import ContainerError
from ..lab.records import ActionRecord, ExecRecord, KillRecord, ReleaseRecord, StopRecord
from ..lab.result import RunRecord
from ..lab.spec import Action
from ..snapshot import Announcement
from . import probe
from .engine_api import RunContainer


def _took(t: float, watch: Any) -> float:
    """From the signal to pid 1's end: the kernel's moment where the harness sees the process
    (engine.exitwatch), else when the engine said so (Podman says it up to a second late)."""
    ended = watch.ended_at()
    return round((ended if ended is not None else time.monotonic()) - t, 3)


def stop(c: RunContainer, action: Action, ann: Announcement, rec: RunRecord) -> StopRecord:
    watch = c.exit_watch()
    t = time.monotonic()
    c.stop(timeout=action.grace_s)
    code = c.wait(timeout=5)
    rec.exit_code = code
    return StopRecord(action.at, grace_s=action.grace_s, took_s=_took(t, watch), exit_code=code)


def kill(c: RunContainer, action: Action, ann: Announcement, rec: RunRecord) -> KillRecord:
    watch = c.exit_watch()
    t = time.monotonic()
    c.kill(action.signal)
    try:
        code: int | None = c.wait(timeout=action.grace_s)
    except ContainerError:
        code = None
    rec.exit_code = code
    took = _took(t, watch) if code is not None else round(time.monotonic() - t, 3)
    return KillRecord(action.at, signal=action.signal, exit_code=code, took_s=took)


def exec_(c: RunContainer, action: Action, ann: Announcement, rec: RunRecord) -> ExecRecord:
    res = c.exec(list(action.command), user=action.user)
    return ExecRecord(
        action.at,
        command=action.command,
        exit_code=res.exit_code,
        stdout=res.stdout.decode(errors="replace"),
        stderr=res.stderr.decode(errors="replace"),
        took_s=round(res.seconds, 3),
    )


def release(c: RunContainer, action: Action, ann: Announcement, rec: RunRecord) -> ReleaseRecord:
    probe.exec_release(c, ann.fifo)
    return ReleaseRecord(action.at)


ACTIONS: dict[str, Callable[[RunContainer, Action, Announcement, RunRecord], ActionRecord]] = {
    "stop": stop,
    "kill": kill,
    "exec": exec_,
    "release": release,
}
# The record of an action Docker refused: what was asked, and why it failed.
REFUSED: dict[str, Callable[[Action, str], ActionRecord]] = {
    "stop": lambda a, err: StopRecord(a.at, grace_s=a.grace_s, error=err),
    "kill": lambda a, err: KillRecord(a.at, signal=a.signal, error=err),
    "exec": lambda a, err: ExecRecord(a.at, command=a.command, error=err),
    "release": lambda a, err: ReleaseRecord(a.at, error=err),
}


def perform(c: RunContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    """Do the action; a Docker failure becomes the record's ``error``, not an exception."""
    try:
        return ACTIONS[action.do](c, action, ann, rec)
    except ContainerError as err:
        return REFUSED[action.do](action, str(err))
