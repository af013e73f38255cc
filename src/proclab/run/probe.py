"""Take a snapshot of a lab container's process table from inside its pid namespace.

Docker's own ``container.top()`` reports host pids and leaves zombies out, so
the harness asks labkit's probe, in the container: psutil rows, ``ps`` text and
(when asked) ``top`` text. Two paths give the same document:

- **resident** (the default, the fast path): one ``docker exec`` at a run's first
  checkpoint starts ``labkit.resident`` with its stdin attached; each later
  snapshot is one command line and one JSON line back, no exec, no interpreter
  start. Its process stays in the container (named in ``resident_pids``).
- **exec** (``PROCLAB_PROBE=exec``, and the fallback whenever the resident probe
  fails): one ``docker exec python3 -m labkit.probe`` per checkpoint.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ProbeError, ProclabError, UsageError
from ..snapshot import ProbeInfo
from .engine_api import ResidentExec, RunContainer

MODE_ENV = "PROCLAB_PROBE"
PATHS = ("resident", "exec")
RESIDENT_CMD = ["python3", "-m", "labkit.resident"]
START_TIMEOUT_S = 30.0  # an interpreter start and a psutil import, on a loaded host
ANSWER_TIMEOUT_S = 60.0  # one snapshot with top, on a loaded host


def mode() -> str:
    """The probe path asked for: PROCLAB_PROBE, 'resident' unless set; UsageError if unknown."""
    path = os.environ.get(MODE_ENV, "").strip() or "resident"
    if path not in PATHS:
        raise UsageError(
            f"{MODE_ENV}={path!r} names no probe path: set it to 'resident' "
            "(the default: one probe per container) or 'exec' (one docker exec per checkpoint)"
        )
    return path


@dataclass
class Probed:
    """One snapshot's probe document, how it was taken, and what ran beside it while the scenario was held."""

    doc: dict[str, Any]
    path: str
    note: str = ""
    beside: Any = None

    def info(self, overhead_ms: float) -> ProbeInfo:
        return ProbeInfo(
            path=self.path,
            overhead_ms=overhead_ms,
            spread_ms=float(self.doc.get("spread_ms", 0.0)),
            resident_pids=tuple(self.doc.get("resident_pids", ())),
            note=self.note,
        )


class Prober:
    """The snapshots of one container: through its resident probe, or one exec each."""

    def __init__(self, container: RunContainer, path: str | None = None):
        self.container = container
        self.path = path or mode()
        self.note = ""  # why the resident probe is no longer used
        self.shells = False  # a learner's shell was opened: mark what it started
        self._resident: ResidentExec | None = None
        self._in_flight = False  # a question sent whose answer has not been read yet

    def snapshot(
        self,
        *,
        top: bool,
        release_fifo: str | None,
        beside: Callable[[], Any] | None = None,
        held: str = "",
    ) -> Probed:
        """A snapshot, then ``beside()`` (still while the scenario is held), then the release.

        ``held`` ("PID/TID", the announcing thread): the probe first waits until it sleeps."""
        if self.path == "resident" and self._in_flight:
            # A call abandoned at the run's deadline still waits for its answer on the same
            # stream: a second question would read the first one's answer (or half of it).
            self._give_up(
                ProbeError("an earlier answer was still owed when the run's time ran out")
            )
        if self.path == "resident":
            try:
                return self._resident_snapshot(top, release_fifo, beside, held)
            except ProclabError as err:
                self._give_up(err)
        got = beside() if beside else None  # the exec path's order, as it always was
        return Probed(
            exec_snapshot(
                self.container, top=top, release_fifo=release_fifo, held=held, shells=self.shells
            ),
            "exec",
            self.note,
            got,
        )

    def start(self) -> None:
        """Start the resident probe now (before the scenario's go), so that no checkpoint pays for it."""
        if self.path == "resident":
            try:
                self._started()
            except ProclabError as err:
                self._give_up(err)

    def release(self, fifo: str) -> bool:
        if self.path == "resident":
            try:
                return bool(self._ask(f"release {fifo}").get("released"))
            except ProclabError as err:
                self._give_up(err)
        return exec_release(self.container, fifo)

    def close(self) -> None:
        if self._resident is not None:
            self._resident.close()
            self._resident = None

    @property
    def resident_host_pid(self) -> int:
        return self._resident.host_pid() if self._resident else 0

    def _resident_snapshot(
        self, top: bool, release_fifo: str | None, beside: Callable[[], Any] | None, held: str
    ) -> Probed:
        cmd = (
            ("snapshot --top" if top else "snapshot")
            + (" --shells" if self.shells else "")
            + (f" --held {held}" if held else "")
        )
        if beside is None and release_fifo:
            return Probed(self._ask(f"{cmd} --release {release_fifo}"), "resident")
        doc = self._ask(cmd)
        got = beside() if beside else None
        if release_fifo:
            self._ask(f"release {release_fifo}")
        return Probed(doc, "resident", beside=got)

    def _ask(self, line: str) -> dict[str, Any]:
        probe = self._started()
        self._in_flight = True
        probe.send(line)
        text = probe.read_line(ANSWER_TIMEOUT_S)
        self._in_flight = False
        try:
            answer = json.loads(text)
        except ValueError as bad:
            raise ProbeError(
                f"the resident probe in {self.container.name} answered {text[:80]!r}"
            ) from bad
        if "error" in answer:
            raise ProbeError(
                f"the resident probe in {self.container.name} failed: {answer['error']}"
            )
        return answer

    def _started(self) -> ResidentExec:
        if self._resident is None:
            self._resident = self.container.exec_attached(RESIDENT_CMD)
            hello = self._resident.read_line(START_TIMEOUT_S)
            if not json.loads(hello or "{}").get("ready"):
                raise ProbeError(
                    f"the resident probe in {self.container.name} did not start: {hello!r}"
                )
        return self._resident

    def _give_up(self, err: ProclabError) -> None:
        self.note = f"the resident probe failed ({err}); the exec probe took over"
        self.path = "exec"
        self.close()


def exec_snapshot(
    container: RunContainer,
    *,
    top: bool,
    release_fifo: str | None,
    held: str = "",
    shells: bool = False,
) -> dict[str, Any]:
    """The exec path: one docker exec of labkit.probe, which prints its document and then releases."""
    cmd = ["python3", "-m", "labkit.probe"]
    if top:
        cmd.append("--top")
    if shells:
        cmd.append("--shells")
    if held:
        cmd += ["--held", held]
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
        raise ProbeError(
            f"the probe failed in {container.name} (exit {code}): {' | '.join(tail) or 'no output'}"
        ) from bad


def exec_release(container: RunContainer, fifo: str) -> bool:
    res = container.exec(["python3", "-m", "labkit.release", fifo])
    return res.exit_code == 0
