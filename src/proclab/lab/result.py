"""What a lab run produced: runs (one per variant), their snapshots, actions and output,
and the verdict of the lab's checks. ``lab.document`` writes them as the ``--json`` document
and reads them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProclabError
from ..jsonform import JsonForm
from ..snapshot import Snapshot
from .containment import Containment
from .image_settings import ImageSettings
from .kernel_record import EventKind, KernelEvent, KernelRecord
from .records import ActionRecord, ExecRecord, KillRecord, NotedRecord, ReleaseRecord, StopRecord  # noqa: F401 - re-exported
from .settings import Settings
from .status import Status


class CheckpointMissing(ProclabError, LookupError):
    """A check asked for a checkpoint the run did not reach."""


# The checkpoints a running check has looked up, so a report can link a check to them.
_reads: ContextVar[list[tuple[str, str]] | None] = ContextVar(
    "proclab_checkpoint_reads", default=None
)


@contextmanager
def recording_reads() -> Iterator[list[tuple[str, str]]]:
    """Collect (variant, checkpoint) of every checkpoint looked up by name inside the block."""
    found: list[tuple[str, str]] = []
    token = _reads.set(found)
    try:
        yield found
    finally:
        _reads.reset(token)


def _noted(cp: Snapshot) -> Snapshot:
    found = _reads.get()
    if found is not None and (cp.run, cp.name) not in found:
        found.append((cp.run, cp.name))
    return cp


@dataclass
class OutputLine:
    json_form = JsonForm(digits={"at_s": 4})

    stream: str  # stdout | stderr
    text: str
    at_s: float


@dataclass
class RunRecord:
    """One container: one variant of a lab."""

    json_form = JsonForm(
        keys=(
            "variant",
            "summary",
            "exit_code",
            "duration_s",
            "started_at",
            "timed_out",
            "expect_timeout",
            "expect_exit",
            "oom_killed",
            "error",
            "settings",
            "containment",
            "actions",
            "touched",
            "output",
            "output_not_kept",
            "host",
            "host_alive_after_exit",
            "kernel",
            "kernel_events",
        ),
        renamed={"kernel": "kernel_record", "kernel_events": "events"},
        via={"kernel": KernelRecord.summary_dict},  # the events are a key of their own
        digits={"duration_s": 3, "started_at": 3},
    )

    variant: str
    # a lab run's Settings; the doctor's, which runs an image rather than a lab: what it ran and how
    settings: Settings | ImageSettings = field(default_factory=Settings)
    exit_code: int | None = None
    duration_s: float = 0.0
    started_at: float = 0.0  # wall clock when the container had started: timeout_s counts from here
    timed_out: bool = False
    expect_timeout: bool = False
    expect_exit: int | str | None = (
        None  # the variant's expect_exit: an exit code, "signal", or None (0)
    )
    oom_killed: bool = False  # the engine's State.OOMKilled, read before the container went
    error: str | None = None
    container: str = ""
    summary: str = ""  # the variant's one line from lab.toml
    checkpoints: list[Snapshot] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
    output: list[OutputLine] = field(default_factory=list)
    # bounded output (lab.outputstore): lines and characters dropped between output[:gap] and output[gap:]
    output_dropped_lines: int = 0
    output_dropped_chars: int = 0
    output_gap_at: int | None = None
    host: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # hostview figures: "before", "after"
    # setting host_pids: host pid -> still alive once the container had ended (before its removal)
    host_alive_after_exit: dict[int, bool] = field(default_factory=dict)
    containment: Containment | None = None  # what the container got (None: never created)
    # --step: what a learner's shell did, one note per checkpoint where one was opened
    touched: list[str] = field(default_factory=list)
    # the kernel's record of this run (lab/kernel_record.py); none, with its why, when not recorded
    kernel: KernelRecord = field(default_factory=lambda: KernelRecord.none("not recorded"))

    def checkpoint(self, name: str) -> Snapshot:
        for cp in self.checkpoints:
            if cp.name == name:
                return _noted(cp)
        reached = ", ".join(cp.name for cp in self.checkpoints) or "none"
        raise CheckpointMissing(
            f"run '{self.variant}' never reached checkpoint '{name}' (it reached: {reached})"
        )

    def last(self, name: str) -> Snapshot:
        """The last checkpoint of this name: a scenario that measures a window again (a busy host)
        repeats its checkpoints, each with its ``attempt``."""
        found = [cp for cp in self.checkpoints if cp.name == name]
        return _noted(found[-1]) if found else self.checkpoint(name)  # none: says what was reached

    def has(self, name: str) -> bool:
        return any(cp.name == name for cp in self.checkpoints)

    def action(self, at: str) -> ActionRecord:
        for a in self.actions:
            if a.at == at:
                return a
        raise CheckpointMissing(f"run '{self.variant}' performed no action at '{at}'")

    # -- the kernel's record (each raises NoKernelRecord, so the check is inconclusive, when there is none)
    def events(self, kind: EventKind | str | None = None, **match: Any) -> list[KernelEvent]:
        """The kernel's events of this run, in time order: of ``kind`` (fork, exec, exit, reap,
        signal, oom-kill, lost) and whose fields equal ``match``, e.g.
        ``run.events(kind="signal", target=1, signal="SIGTERM")``."""
        return self.kernel.select(kind, **match)

    def forked(self, pid: int) -> KernelEvent | None:
        """The fork event that made container pid ``pid`` (None: already there, or not seen)."""
        return self.kernel.forked(pid)

    def exited(self, pid: int) -> KernelEvent | None:
        """The exit event of ``pid`` (``exit_code`` from exit_group, or ``exit_signal``), or None."""
        return self.kernel.exited(pid)

    def reaped(self, pid: int) -> KernelEvent | None:
        """The reap event of ``pid`` (``reaper``, ``t``), or None."""
        return self.kernel.reaped(pid)

    def reaped_by(self, pid: int) -> int | None:
        """The container pid whose wait4 reaped ``pid``, or None."""
        return self.kernel.reaped_by(pid)

    @property
    def stdout(self) -> str:
        return "\n".join(o.text for o in self.output if o.stream == "stdout")

    @property
    def stderr(self) -> str:
        return "\n".join(o.text for o in self.output if o.stream == "stderr")

    def lines_with(self, text: str) -> list[str]:
        return [o.text for o in self.output if text in o.text]

    @property
    def kernel_events(self) -> tuple[KernelEvent, ...]:
        """Every event of the kernel's record as it holds them (``events`` selects, and raises
        when there is no record)."""
        return self.kernel.events

    def output_not_kept(self) -> dict[str, int] | None:
        if not self.output_dropped_lines:
            return None
        return {
            "lines": self.output_dropped_lines,
            "chars": self.output_dropped_chars,
            "after_line": self.output_gap_at or 0,
        }


@dataclass
class CheckResult:
    """One check's verdict. ``inconclusive``: the world did not allow the measurement (a busy
    host left too little CPU free), so the fact was neither shown nor refuted."""

    json_form = JsonForm(
        keys=("name", "status", "passed", "detail", "zh", "figures", "checkpoints", "warning"),
        renamed={"zh": "name_zh"},
        unless_set=frozenset({"zh", "figures", "checkpoints", "warning"}),
        via={"checkpoints": lambda cps: [{"run": run, "name": name} for run, name in cps]},
    )

    name: str
    status: Status
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)
    checkpoints: list[tuple[str, str]] = field(
        default_factory=list
    )  # (variant, name) the check read
    warning: str | None = None  # passed, but on weak ground (a bare True: no evidence)
    zh: str = ""  # the check's title in Chinese, when its lab gives one

    def title(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else self.name

    def __post_init__(self) -> None:
        if isinstance(self.status, bool) or self.status not in tuple(Status):
            raise ValueError(
                f"check status must be one of {[str(s) for s in Status]}, not {self.status!r}"
            )
        self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    @property
    def inconclusive(self) -> bool:
        return self.status is Status.INCONCLUSIVE


@dataclass
class LabResult:
    json_form = JsonForm(  # a lab document (lab.document stamps it)
        keys=(
            "lab",
            "title",
            "path",
            "lesson",
            "passed",
            "verdict",
            "counts",
            "duration_s",
            "lock_wait_s",
            "exit_code",
            "error",
            "engine",
            "checks",
            "checkpoints",
            "runs",
            "artifacts",
            "charts",
        ),
        renamed={"counts": "check_counts"},
        digits={"duration_s": 3, "lock_wait_s": 3},
    )

    lab: str
    title: str
    path: str
    lesson: str = ""  # the lesson's first paragraph (the README's)
    runs: list[RunRecord] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    duration_s: float = 0.0
    report_dir: Path | None = None
    artifacts: list[str] = field(default_factory=list)
    error: str | None = None  # the lab could not run at all
    charts: list[Any] = field(
        default_factory=list
    )  # lab.chart_data.Chart, from the lab's charts() hook
    lock_wait_s: float = 0.0  # time spent waiting for the host-wide lab lock (run/lock.py)
    engine: str = ""  # the engine that ran it (the --engine name, else kind and version)

    # -- what checks read ------------------------------------------------
    def run(self, variant: str | None = None) -> RunRecord:
        if variant is None:
            if len(self.runs) == 1:
                return self.runs[0]
            raise CheckpointMissing(
                f"lab '{self.lab}' has variants {[r.variant for r in self.runs]}: name one"
            )
        for r in self.runs:
            if r.variant == variant:
                return r
        raise CheckpointMissing(f"lab '{self.lab}' has no run of variant '{variant}'")

    def checkpoint(self, name: str, variant: str | None = None) -> Snapshot:
        if variant is not None or len(self.runs) == 1:
            return self.run(variant).checkpoint(name)
        found = [cp for r in self.runs for cp in r.checkpoints if cp.name == name]
        if len(found) == 1:
            return _noted(found[0])
        if not found:
            raise CheckpointMissing(f"no run of lab '{self.lab}' reached checkpoint '{name}'")
        raise CheckpointMissing(f"checkpoint '{name}' occurs in several variants: name the variant")

    @property
    def checkpoints(self) -> list[Snapshot]:
        return [cp for r in self.runs for cp in r.checkpoints]

    @property
    def verdict(self) -> Status:
        """failed: a run went wrong or a check failed; inconclusive: no failure, but some check
        could not measure (a busy host); passed: every check passed."""
        runs_ok = all((r.timed_out == r.expect_timeout) and not r.error for r in self.runs)
        if self.error or not runs_ok or any(c.failed for c in self.checks):
            return Status.FAILED
        return Status.INCONCLUSIVE if any(c.inconclusive for c in self.checks) else Status.PASSED

    @property
    def passed(self) -> bool:
        """Every check passed (an inconclusive check is not a pass: see ``verdict``)."""
        return self.verdict is Status.PASSED

    @property
    def failed(self) -> bool:
        return self.verdict is Status.FAILED

    def counts(self) -> dict[str, int]:
        """How many checks passed, failed and were inconclusive."""
        return {str(s): sum(c.status is s for c in self.checks) for s in Status}

    @property
    def exit_code(self) -> int | None:
        """The container's exit code for a one-variant lab (None for several: see runs)."""
        return self.runs[0].exit_code if len(self.runs) == 1 else None

    @property
    def output(self) -> str:
        if len(self.runs) == 1:
            return "\n".join(o.text for o in self.runs[0].output)
        return "\n".join(f"[{r.variant}] {o.text}" for r in self.runs for o in r.output)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document of this result (the Python API's; lab.document writes it)."""
        from .document import document  # the serializer reads these records: imported late

        return document([self])
