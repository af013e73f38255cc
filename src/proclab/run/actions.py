"""What the harness does to a container at a checkpoint: one small function per action.

Each returns an ``ActionRecord``; a Docker call that fails (``kill`` answers 409 when
pid 1 has already exited, say) is recorded on the action, never raised past the run.
"""
from __future__ import annotations

import time
from typing import Callable

from ..engine import LabContainer
from ..errors import ContainerError
from ..lab.result import ActionRecord, RunRecord
from ..lab.spec import Action
from ..snapshot import Announcement
from . import probe


def stop(c: LabContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    t = time.monotonic()
    c.stop(timeout=action.grace_s)
    code = c.wait(timeout=5)
    rec.exit_code = code
    return ActionRecord(action.at, "stop", {"grace_s": action.grace_s,
                                            "took_s": round(time.monotonic() - t, 3), "exit_code": code})


def kill(c: LabContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    t = time.monotonic()
    c.kill(action.signal)
    try:
        code: int | None = c.wait(timeout=action.grace_s)
    except ContainerError:
        code = None
    rec.exit_code = code
    return ActionRecord(action.at, "kill", {"signal": action.signal, "exit_code": code,
                                            "took_s": round(time.monotonic() - t, 3)})


def exec_(c: LabContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    res = c.exec(list(action.command), user=action.user)
    return ActionRecord(action.at, "exec", {
        "command": list(action.command), "exit_code": res.exit_code,
        "stdout": res.stdout.decode(errors="replace"), "stderr": res.stderr.decode(errors="replace"),
        "took_s": round(res.seconds, 3)})


def release(c: LabContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    probe.exec_release(c, ann.fifo)
    return ActionRecord(action.at, "release", {})


ACTIONS: dict[str, Callable[[LabContainer, Action, Announcement, RunRecord], ActionRecord]] = {
    "stop": stop, "kill": kill, "exec": exec_, "release": release}


def perform(c: LabContainer, action: Action, ann: Announcement, rec: RunRecord) -> ActionRecord:
    """Do the action; a Docker failure becomes the record's ``error``, not an exception."""
    try:
        return ACTIONS[action.do](c, action, ann, rec)
    except ContainerError as err:
        asked = {"stop": {"grace_s": action.grace_s}, "kill": {"signal": action.signal},
                 "exec": {"command": list(action.command)}}.get(action.do, {})
        return ActionRecord(action.at, action.do, {**asked, "error": str(err)})
