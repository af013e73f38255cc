"""A learner's pause at a checkpoint (``proclab run --step``): the container held still,
a shell into it, and what that shell changed.

The scenario stays blocked on its checkpoint FIFO for as long as the learner looks;
the runner releases it afterwards. The checks use the snapshot taken before the
pause; a second look after a shell only tells whether the learner changed the world.
"""

from __future__ import annotations

import time

from ..engine import LabContainer, exec_tty
from ..lab.events import Observer
from ..lab.result import RunRecord
from ..snapshot import Snapshot
from . import probe

# The shell's processes carry this mark; the probe counts them as its own kind.
SHELL_ENV = {"PROCLAB_SHELL": "1", "HISTFILE": "/dev/null"}
SHELL_CMD = ["bash", "--norc", "--noprofile", "-i"]


class HeldContainer:
    """The ``lab.events.Held`` a UI sees at a pause."""

    def __init__(
        self,
        container: LabContainer,
        lab: str,
        checkpoint: str,
        user: str | None,
        prober: probe.Prober | None = None,
    ):
        self.container, self.lab, self.checkpoint, self.user = container, lab, checkpoint, user
        self.prober = prober
        self.shells = 0

    def shell(self) -> int:
        self.shells += 1
        if self.prober is not None:  # from now on the probe looks for what the shell left behind
            self.prober.shells = True
        env = {**SHELL_ENV, "PS1": f"[{self.lab}@{self.checkpoint}] $ "}
        return exec_tty(self.container, SHELL_CMD, env, self.user)

    def top(self) -> str:
        res = self.container.exec(["top", "-b", "-n", "1", "-w", "200"])
        return (res.stdout or res.stderr).decode(errors="replace")


def pause(
    obs: Observer,
    rec: RunRecord,
    snap: Snapshot,
    container: LabContainer,
    prober: probe.Prober,
    lab: str,
    user: str | None,
) -> float:
    """Let the observer hold the run at snap; the seconds it took (the run's deadline moves by them).

    A shell opened here leaves a note on the record: the scenario's processes after it,
    compared with the snapshot before it.
    """
    held = HeldContainer(container, lab, snap.name, user, prober)
    t = time.monotonic()
    try:
        obs.paused(rec, snap, held)
    finally:
        if held.shells:
            rec.touched.append(touched_note(snap, _look(container, prober)))
    return time.monotonic() - t


def _look(container: LabContainer, prober: probe.Prober) -> Snapshot | None:
    if container.status() != "running":
        return None
    return Snapshot.from_probe(
        "after-shell", {}, 0.0, 0, prober.snapshot(top=False, release_fifo=None).doc
    )


def touched_note(before: Snapshot, after: Snapshot | None) -> str:
    """What a learner's shell at a checkpoint changed in the scenario's process table."""
    head = f"a shell was opened at checkpoint '{before.name}'"
    if after is None:
        return f"{head}, and the container had stopped when it closed: the run was touched by hand"
    was = {(p.pid, round(p.create_time, 1)): p for p in before.scenario}
    now = {(p.pid, round(p.create_time, 1)): p for p in after.scenario}
    changes = [f"pid {k[0]} ({was[k].name}) gone" for k in was if k not in now]
    changes += [f"pid {k[0]} ({now[k].name}) new" for k in now if k not in was]
    # running and sleeping come and go by themselves; stopped, traced or dead do not
    changes += [
        f"pid {k[0]} {was[k].state}→{now[k].state}"
        for k in was
        if k in now and was[k].state != now[k].state and {was[k].state, now[k].state} & set("TtZX")
    ]
    if changes:
        return f"{head} and the process table changed ({'; '.join(changes)}): the run was touched by hand"
    return f"{head}; the scenario's processes were the same when it closed"
