"""What the doctor is asked to do and what it saw: typed records, no Docker."""

from __future__ import annotations

import signal as _signal
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..jsonform import JsonForm, JsonRecord
from ..lab.kernel_record import KernelRecord
from ..lab.result import OutputLine
from ..snapshot import Process, Snapshot
from .timing import Timings

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"}
INITS = {
    "docker-init",
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "s6-svscan",
    "runsvdir",
    "supervisord",
    "systemd",
    "init",
    "s6-linux-init",
    "openrc-init",
    "pid1",
}


# What the doctor adds to 'docker run IMAGE' for safety when the user gives nothing: each has its option.
SAFETY_PIDS = 512
SAFETY_MEMORY = "1g"
SAFETY_NETWORK = "none"


@dataclass(frozen=True)
class DoctorOptions:
    image: str
    command: tuple[str, ...] = ()  # replaces the image's CMD, as 'docker run IMAGE CMD…' does
    entrypoint: tuple[str, ...] | None = (
        None  # replaces the image's ENTRYPOINT (a Compose service's entrypoint)
    )
    init: bool = False
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    ready_log: str | None = None  # a regex: up when a line of output matches
    grace_s: int = 5  # docker stop -t (whole seconds, as the engine takes it)
    ready_timeout_s: float = 30.0
    reap_deadline_s: float = (
        1.0  # how long pid 1 may take to reap the orphan once it exits (a reaper takes ms)
    )
    pids_limit: int | None = None  # the limits the user runs it with (none: the safety net)
    memory: str | None = None
    network: str | None = None  # none given: no network (SAFETY_NETWORK)
    # as 'docker run' applies them; none given: Docker's defaults, as a plain 'docker run IMAGE'
    cap_drop: tuple[str, ...] = ()
    cap_add: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    read_only: bool = False
    stop_signal: str | None = None  # overrides the image's STOPSIGNAL (docker run --stop-signal)
    k8s: bool = False  # as a pod runs it: no init, SIGTERM then SIGKILL after the grace period
    grace_from_default: bool = (
        False  # no grace period was given (a Compose service then gets Compose's 10 s)
    )
    trace: bool = True  # keep the kernel's record of the stop container where tracefs allows

    def additions(self) -> list[Addition]:
        """What the doctor runs it with beyond 'docker run IMAGE' (and the options given)."""
        return [
            Addition(
                "pids limit",
                str(self.pids_limit or SAFETY_PIDS),
                "--pids-limit",
                self.pids_limit is None,
            ),
            Addition("memory limit", self.memory or SAFETY_MEMORY, "--memory", self.memory is None),
            Addition("network", self.network or SAFETY_NETWORK, "--network", self.network is None),
        ]


@dataclass(frozen=True)
class Addition:
    """One thing the doctor's containers have that a plain 'docker run IMAGE' does not."""

    what: str
    value: str
    option: str
    safety_net: bool  # the doctor's own default, not the user's

    def words(self) -> str:
        return f"{self.what} {self.value} ({self.option}{' to change' if self.safety_net else ', given'})"


@dataclass
class Ready:
    """How the container came up: by a log line, its HEALTHCHECK, its processes holding still, or not at all."""

    up: bool
    how: str  # "log" | "healthy" | "stable" | "exited" | "unhealthy" | "timeout"
    after_s: float
    exit_code: int | None = None
    detail: str = ""
    oom_killed: bool = False


def basename(arg: str) -> str:
    return arg.rsplit("/", 1)[-1]


def role(p: Process) -> str:
    """'shell', 'init' or 'program': what kind of process a pid 1 is, from its command line."""
    names = {basename(p.cmdline[0]) if p.cmdline else "", p.name}
    if names & INITS:
        return "init"
    if names & SHELLS:
        return "shell"
    return "program"


@dataclass
class Orphan:
    """The orphan the doctor made: a child of a docker-exec'd shell that exits, so pid 1 adopts it."""

    pid: int = 0
    adopted_by: int | None = None  # its parent (container pid) once its shell had exited
    lifetime_s: float = 1.0
    exited_at_s: float | None = None  # seen as a zombie, or gone (relative to its making)
    reaped_at_s: float | None = None  # gone from the process table
    zombie_at_end: bool = False
    error: str | None = None


@dataclass
class Fate:
    """One process watched through docker stop: when it ended and how, if it was seen."""

    pid: int
    command: str
    host_pid: int | None = None
    ended_s: float | None = None  # after the stop began; None: lived until the container's end
    status: str | None = None  # "exit 0", "signal 15" (a zombie's exit code, if caught)
    orphaned: bool = False  # seen re-parented to pid 1 before the container ended


@dataclass
class Stop(JsonRecord):
    """A docker stop -t N (or docker kill --signal SIGINT) and how the container ended."""

    json_form = JsonForm(
        keys=(
            "signal",
            "grace_s",
            "exit_code",
            "took_s",
            "ended",
            "oom_killed",
            "error",
            "watch_source",
            "watched",
        ),
        digits={"took_s": 3},
    )

    signal: str
    grace_s: float
    exit_code: int | None = None
    took_s: float = 0.0
    ended: bool = False  # within the grace period, by the signal
    oom_killed: bool = False
    error: str | None = None
    watched: list[Fate] = field(default_factory=list)  # the wrapped program and its children
    watch_source: str = ""  # "host /proc" | "docker exec" | "" (nothing watched)
    sent_at: float = 0.0  # wall clock, just before the signal was sent


@dataclass
class Findings:
    """Everything the checks judge: read by verdicts.py, which talks to nothing."""

    options: DoctorOptions
    argv: tuple[str, ...]  # what the engine started (inspect Path + Args)
    stop_signal: str
    ready: Ready
    snapshots: list[Snapshot] = field(default_factory=list)  # the stop container's
    orphan: Orphan | None = None
    orphan_snapshots: list[Snapshot] = field(default_factory=list)  # the orphan's container's
    stop: Stop | None = None
    sigint: Stop | None = None
    sigint_ready: Ready | None = None
    limits: dict[str, Any] = field(default_factory=dict)
    output: dict[str, list[OutputLine]] = field(
        default_factory=dict
    )  # per container: "stop", "sigint", "orphan"
    containers: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # the examination broke off (an exec failed)
    early: list[EarlyEnd] = field(default_factory=list)  # a container that ended on its own
    masks: list[Masks] = field(
        default_factory=list
    )  # pid 1 and the main program, before docker stop
    sigint_masks: Masks | None = None  # the SIGINT container's pid 1, just before SIGINT
    healthcheck: bool = False  # the image declares a HEALTHCHECK (up = healthy)
    started_at: float = (
        0.0  # wall clock of the stop container's start (its output's at_s counts from it)
    )
    kernel: KernelRecord | None = (
        None  # the kernel's record of the stop container (None: not asked for)
    )
    stop_at_t: float | None = (
        None  # when docker stop was sent, in seconds since its start (as the record's t)
    )
    timings: Timings = field(default_factory=Timings)  # where the examination's time went

    def said_after(self, container: str, wall: float) -> list[str]:
        """The lines a container printed after a moment (wall clock), e.g. after the doctor's signal."""
        return [o.text for o in self.output.get(container, []) if self.started_at + o.at_s >= wall]

    def snapshot(self, name: str) -> Snapshot | None:
        return next((s for s in self.snapshots + self.orphan_snapshots if s.name == name), None)


class Disposition(StrEnum):
    """What a process does with a signal, from its SigCgt, SigIgn and SigBlk."""

    HANDLER = "caught by a handler"
    BLOCKED = "blocked or waited for (sigwait, as tini does): it is queued for pid 1 to take"
    IGNORED = "ignored (SIG_IGN)"
    DEFAULT = "default action"


def _bits(hexmask: str) -> frozenset[int]:
    n = int(hexmask, 16)
    return frozenset(i + 1 for i in range(64) if n >> i & 1)


@dataclass(frozen=True)
class Masks(JsonRecord):
    """/proc/PID/status's signal masks of one process, read before any signal was sent."""

    json_form = JsonForm(  # /proc/PID/status's names, each mask as sorted signal names
        keys=("pid", "command", "caught", "ignored", "blocked", "waited", "source"),
        renamed={"caught": "SigCgt", "ignored": "SigIgn", "blocked": "SigBlk", "waited": "sigwait"},
        via=dict.fromkeys(
            ("caught", "ignored", "blocked", "waited"), lambda ns: [_name(n) for n in sorted(ns)]
        ),
    )

    pid: int
    command: str
    caught: frozenset[int]
    ignored: frozenset[int]
    blocked: frozenset[int]
    source: str = ""  # "host /proc" | "docker exec"
    waited: frozenset[int] = (
        frozenset()
    )  # in rt_sigtimedwait for these (SigBlk shows them unblocked meanwhile)

    @classmethod
    def parse(
        cls, pid: int, command: str, status: str, source: str = "", waited: int | None = None
    ) -> Masks | None:
        found = {}
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key in ("SigCgt", "SigIgn", "SigBlk"):
                found[key] = _bits(value.strip())
        if len(found) < 3:
            return None
        return cls(
            pid,
            command,
            found["SigCgt"],
            found["SigIgn"],
            found["SigBlk"],
            source,
            _bits(f"{waited:x}") if waited else frozenset(),
        )

    def disposition(self, sig: str) -> Disposition:
        n = int(_signal.Signals[sig])
        if n in self.blocked or n in self.waited:
            return Disposition.BLOCKED
        if n in self.caught:
            return Disposition.HANDLER
        if n in self.ignored:
            return Disposition.IGNORED
        return Disposition.DEFAULT


def _name(n: int) -> str:
    try:
        return _signal.Signals(n).name
    except ValueError:
        return f"SIGRT{n - 34}" if n >= 34 else str(n)


def reaches_pid1(m: Masks, sig: str) -> bool:
    """Whether a signal sent from outside the container gets to its pid 1 at all: the kernel drops
    one whose action is the default (pid 1 of a namespace is protected) or SIG_IGN, unless blocked."""
    return m.disposition(sig) in (Disposition.HANDLER, Disposition.BLOCKED)


class Phase(StrEnum):
    """When a container ended on its own: the doctor had not asked it to."""

    BEFORE_UP = "before it was up"
    PROBING = "while the doctor looked at it, before any signal"
    BEFORE_SIGNAL = "before the doctor's signal"
    SIGNAL_NOT_HEARD = "after the doctor's signal, which its pid 1 never got"


@dataclass
class EarlyEnd:
    """A container that ended without being told to: the one "it does not stay up" verdict."""

    container: str  # "stop" | "sigint"
    phase: Phase
    after_s: float  # since its start
    exit_code: int | None
    oom_killed: bool = False
    detail: str = ""
