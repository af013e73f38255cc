"""What the doctor is asked to do and what it saw: typed records, no Docker."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..lab.result import OutputLine
from ..snapshot import Process, Snapshot

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"}
INITS = {"docker-init", "tini", "tini-static", "dumb-init", "catatonit", "s6-svscan", "runsvdir",
         "supervisord", "systemd", "init", "s6-linux-init", "openrc-init", "pid1"}


@dataclass(frozen=True)
class DoctorOptions:
    image: str
    command: tuple[str, ...] = ()          # replaces the image's CMD, as 'docker run IMAGE CMD…' does
    init: bool = False
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    ready_log: str | None = None           # a regex: up when a line of output matches
    grace_s: int = 5                       # docker stop -t (whole seconds, as the engine takes it)
    ready_timeout_s: float = 30.0
    reap_deadline_s: float = 2.0           # how long pid 1 may take to reap the orphan once it exits
    pids_limit: int | None = None          # the limits the user runs it with (none: a note)
    memory: str | None = None


@dataclass
class Ready:
    """How the container came up: by a log line, by its processes holding still, or not at all."""
    up: bool
    how: str                    # "log" | "stable" | "exited" | "timeout"
    after_s: float
    exit_code: int | None = None
    detail: str = ""


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
    adopted_by: int | None = None       # its parent (container pid) once its shell had exited
    lifetime_s: float = 1.0
    exited_at_s: float | None = None    # seen as a zombie, or gone (relative to its making)
    reaped_at_s: float | None = None    # gone from the process table
    zombie_at_end: bool = False
    error: str | None = None


@dataclass
class Fate:
    """One process watched through docker stop: when it ended and how, if it was seen."""
    pid: int
    command: str
    host_pid: int | None = None
    ended_s: float | None = None          # after the stop began; None: lived until the container's end
    status: str | None = None             # "exit 0", "signal 15" (a zombie's exit code, if caught)
    orphaned: bool = False                # seen re-parented to pid 1 before the container ended


@dataclass
class Stop:
    """A docker stop -t N (or docker kill --signal SIGINT) and how the container ended."""
    signal: str
    grace_s: float
    exit_code: int | None = None
    took_s: float = 0.0
    ended: bool = False                   # within the grace period, by the signal
    oom_killed: bool = False
    error: str | None = None
    watched: list[Fate] = field(default_factory=list)   # the wrapped program and its children
    watch_source: str = ""                # "host /proc" | "docker exec" | "" (nothing watched)

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "grace_s": self.grace_s, "exit_code": self.exit_code,
                "took_s": round(self.took_s, 3), "ended": self.ended, "oom_killed": self.oom_killed,
                "error": self.error, "watch_source": self.watch_source,
                "watched": [vars(f) for f in self.watched]}


@dataclass
class Findings:
    """Everything the checks judge: read by verdicts.py, which talks to nothing."""
    options: DoctorOptions
    argv: tuple[str, ...]                  # what the engine started (inspect Path + Args)
    stop_signal: str
    ready: Ready
    snapshots: list[Snapshot] = field(default_factory=list)
    orphan: Orphan | None = None
    stop: Stop | None = None
    sigint: Stop | None = None
    sigint_ready: Ready | None = None
    limits: dict[str, Any] = field(default_factory=dict)
    output: dict[str, list[OutputLine]] = field(default_factory=dict)    # per container: "stop", "sigint"
    containers: dict[str, str] = field(default_factory=dict)
    error: str | None = None              # the examination broke off (the container ended, an exec failed)

    def snapshot(self, name: str) -> Snapshot | None:
        return next((s for s in self.snapshots if s.name == name), None)
