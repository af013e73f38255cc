"""The process table as proclab sees it: one normalised row per process and a snapshot
that holds the three views (psutil rows, raw ``ps`` text, raw ``top`` text).

A process is identified by (pid, create time), so a reused pid never matches
the wrong process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..errors import ProbeError, ProclabError
from ..jsonform import JsonForm, JsonRecord
from .ps import PsParseError, PsRow, parse_ps
from .top import TopParseError, TopRow, TopTasks, parse_rows, parse_tasks

CONTAINER_INITS = ("docker-init", "tini")  # what `docker run --init` puts at pid 1


class ProcessMissing(ProclabError, LookupError):
    """A check asked for a process the snapshot does not hold."""


@dataclass(frozen=True)
class ProcessKey:
    pid: int
    create_time: float

    def matches(self, proc: Process) -> bool:
        return proc.pid == self.pid and abs(proc.create_time - self.create_time) < 0.02


@dataclass(frozen=True)
class Process(JsonRecord):
    json_form = JsonForm(omit=frozenset({"status"}))

    pid: int
    ppid: int
    state: str  # one letter, as ps and top print it: R S D T t Z X I
    status: str  # psutil's word for it
    nice: int
    name: str
    cmdline: tuple[str, ...]
    cpu_user_s: float
    cpu_system_s: float
    create_time: float
    threads: int
    user: str = ""
    probe: bool = False  # started by the harness's probe, not by the scenario

    @classmethod
    def from_dict(cls, d: dict[str, Any], probe_pids: Iterable[int] = ()) -> Process:
        return cls(
            pid=int(d["pid"]),
            ppid=int(d["ppid"]),
            state=d["state"],
            status=d.get("status", ""),
            nice=int(d["nice"]),
            name=d["name"],
            cmdline=tuple(d.get("cmdline") or ()),
            cpu_user_s=float(d["cpu_user_s"]),
            cpu_system_s=float(d["cpu_system_s"]),
            create_time=float(d["create_time"]),
            threads=int(d["threads"]),
            user=d.get("user", ""),
            probe=int(d["pid"]) in set(probe_pids),
        )

    @property
    def key(self) -> ProcessKey:
        return ProcessKey(self.pid, self.create_time)

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_system_s

    @property
    def command(self) -> str:
        if self.state == "Z":
            return f"[{self.name}] <defunct>"
        return " ".join(self.cmdline) or f"[{self.name}]"

    def __str__(self) -> str:
        return (
            f"pid={self.pid} ppid={self.ppid} state={self.state} nice={self.nice} {self.command!r}"
        )


@dataclass(frozen=True)
class ProbeInfo(JsonRecord):
    """How a snapshot was taken (in the JSON only, not the narration)."""

    json_form = JsonForm(digits={"overhead_ms": 2, "spread_ms": 3}, unless_set=frozenset({"note"}))

    path: str  # "resident" (the fast path) or "exec" (one docker exec)
    overhead_ms: float = 0.0  # announced -> snapshot in hand and released, as the harness saw it
    spread_ms: float = 0.0  # between reading the first process and the last (psutil view)
    resident_pids: tuple[
        int, ...
    ] = ()  # the resident probe's own process, which outlives the checkpoint
    note: str = ""  # why the fast path was not used, if it was meant to be

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProbeInfo:
        return cls(
            path=d["path"],
            overhead_ms=d.get("overhead_ms", 0.0),
            spread_ms=d.get("spread_ms", 0.0),
            resident_pids=tuple(d.get("resident_pids", ())),
            note=d.get("note", ""),
        )


@dataclass
class Snapshot(JsonRecord):
    """The process table at one named checkpoint of a scenario."""

    json_form = JsonForm(
        keys=(
            "name",
            "run",
            "data",
            "at_s",
            "announced_by",
            "processes",
            "ps",
            "top",
            "top_tasks",
            "overhead_ms",
            "timings_ms",
            "host",
            "host_pids",
            "probe",
        ),
        digits={"at_s": 4, "overhead_ms": 1},
    )

    name: str
    data: dict[str, Any]
    at_s: float  # seconds since the container started
    announced_by: int  # pid that called checkpoint()
    processes: list[Process]
    ps: str
    top: str | None
    run: str = "main"  # the lab variant this snapshot belongs to
    overhead_ms: float = 0.0  # announced -> released, as the harness saw it
    timings_ms: dict[str, float] = field(default_factory=dict)
    probe_pids: tuple[int, ...] = ()
    host: dict[str, Any] = field(
        default_factory=dict
    )  # hostview.figures() when announced (setting host_view)
    host_pids: dict[int, int] = field(
        default_factory=dict
    )  # container pid -> host pid (setting host_pids)
    probe: ProbeInfo | None = None

    @classmethod
    def from_probe(
        cls,
        name: str,
        data: dict[str, Any],
        at_s: float,
        announced_by: int,
        doc: dict[str, Any],
        run: str = "main",
    ) -> Snapshot:
        probe = tuple(doc.get("probe_pids", ()))
        if not isinstance(doc.get("processes"), list):
            raise ProbeError(
                f"the probe's document at '{name}' has no process list (keys: {sorted(doc)[:8]})"
            )
        return cls(
            name=name,
            data=data,
            at_s=at_s,
            announced_by=announced_by,
            processes=[Process.from_dict(p, probe) for p in doc["processes"]],
            ps=doc.get("ps", ""),
            top=doc.get("top"),
            run=run,
            timings_ms=doc.get("timings_ms", {}),
            probe_pids=probe,
        )

    @property
    def resident_pids(self) -> tuple[int, ...]:
        """The resident probe's process, if this snapshot was taken by it: one task the
        container holds for proclab from the first checkpoint on (a pids limit counts it)."""
        return self.probe.resident_pids if self.probe else ()

    # -- lookups ---------------------------------------------------------
    @property
    def scenario(self) -> list[Process]:
        """Every process except the probe's own."""
        return [p for p in self.processes if not p.probe]

    def get(self, pid: int) -> Process | None:
        return next((p for p in self.processes if p.pid == pid), None)

    def process(self, pid: int | ProcessKey) -> Process:
        """The process with this pid (or identity), or ProcessMissing naming what is there."""
        if isinstance(pid, ProcessKey):
            found = self.find(pid)
            if found is None:
                raise ProcessMissing(
                    f"no process pid={pid.pid} (created {pid.create_time:.2f}) at "
                    f"checkpoint '{self.name}'; present: {self.pids()}"
                )
            return found
        found = self.get(int(pid))
        if found is None:
            raise ProcessMissing(
                f"no process pid={pid} at checkpoint '{self.name}'; present: {self.pids()}"
            )
        return found

    def find(self, key: ProcessKey) -> Process | None:
        return next((p for p in self.processes if key.matches(p)), None)

    def has(self, key: ProcessKey) -> bool:
        return self.find(key) is not None

    def pids(self) -> list[int]:
        return sorted(p.pid for p in self.scenario)

    def children(self, pid: int) -> list[Process]:
        return [p for p in self.scenario if p.ppid == pid]

    def zombies(self) -> list[Process]:
        return [p for p in self.scenario if p.state == "Z"]

    def zombie_counts(self, parent: int) -> tuple[int, int, int | None]:
        """Zombies whose parent is ``parent``, as psutil and ps count them, and top's Tasks line
        (which counts every zombie; None when top was not taken)."""
        psutil_n = sum(1 for p in self.zombies() if p.ppid == parent)
        ps_n = sum(1 for r in self.ps_rows if r.state == "Z" and r.ppid == parent)
        return psutil_n, ps_n, self.top_tasks.zombie if self.top_tasks else None

    def in_state(self, letter: str) -> list[Process]:
        return [p for p in self.scenario if p.state == letter]

    # -- the other two views -------------------------------------------
    @cached_property
    def ps_rows(self) -> list[PsRow]:
        try:
            return parse_ps(self.ps)
        except PsParseError as err:
            raise PsParseError(self._unreadable("ps", err)) from None

    def ps_row(self, pid: int) -> PsRow | None:
        return next((r for r in self.ps_rows if r.pid == pid), None)

    def ps_line(self, pid: int) -> str:
        row = self.ps_row(pid)
        return row.line.strip() if row else f"(no ps line for pid {pid})"

    @cached_property
    def top_rows(self) -> list[TopRow]:
        try:
            return parse_rows(self.top) if self.top else []
        except TopParseError as err:
            raise TopParseError(self._unreadable("top", err)) from None

    def top_row(self, pid: int) -> TopRow | None:
        return next((r for r in self.top_rows if r.pid == pid), None)

    @cached_property
    def top_tasks(self) -> TopTasks | None:
        try:
            return parse_tasks(self.top) if self.top else None
        except TopParseError as err:
            raise TopParseError(self._unreadable("top", err)) from None

    def _unreadable(self, tool: str, err: Exception) -> str:
        # read lazily (by a check, the narration, a mutation): the one Error: line names where
        return (
            f"checkpoint '{self.name}': the probe could not read {tool}'s output ({err}); "
            f"the probe runs the image's procps {tool}: a lab must not put another {tool} "
            "first on PATH"
        )

    def top_header(self) -> list[str]:
        """top's summary lines (up to its column header)."""
        if not self.top:
            return []
        out = []
        for line in self.top.splitlines():
            if line.split()[:2] == ["PID", "USER"]:
                break
            if line.strip():
                out.append(line.rstrip())
        return out

    @property
    def held(self) -> list[Process]:
        """The scenario's processes that its checkpoint holds still: every process except the
        probe's own (the harness's ps/top, which come and go while it looks) and except the
        container's init (Docker's tini at pid 1: it is not the scenario's and wakes on its own
        to reap, so it may be R in one view and S in the next). Where there is no init, pid 1
        is the scenario itself and is held like the rest."""
        return [p for p in self.scenario if not (p.pid == 1 and p.name in CONTAINER_INITS)]

    def disagreements(self, pids: Iterable[int] | None = None) -> list[str]:
        """Where psutil, ps and top (if taken) disagree about these processes' state and parent.

        By default the processes compared are ``held`` (the one rule: the probe's processes
        and the container's init are left out, the scenario's every other process is in)."""
        wanted = list(pids) if pids is not None else [p.pid for p in self.held]
        problems = []
        for pid in wanted:
            p = self.get(pid)
            ps = self.ps_row(pid)
            if p is None or ps is None:
                problems.append(
                    f"pid {pid}: psutil {'has' if p else 'lacks'} it, ps {'has' if ps else 'lacks'} it"
                )
                continue
            if ps.state != p.state or ps.ppid != p.ppid:
                problems.append(
                    f"pid {pid}: psutil {p.state}/ppid {p.ppid} vs ps {ps.stat}/ppid {ps.ppid}"
                )
            if self.top is not None:
                tr = self.top_row(pid)
                if tr is None:
                    problems.append(f"pid {pid}: top lacks it")
                elif tr.state != p.state:
                    problems.append(f"pid {pid}: psutil {p.state} vs top {tr.state}")
        return problems

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Snapshot:
        probe = [p["pid"] for p in d["processes"] if p.get("probe")]
        return cls(
            name=d["name"],
            data=d.get("data", {}),
            at_s=d.get("at_s", 0.0),
            announced_by=d.get("announced_by", 0),
            processes=[Process.from_dict(p, probe) for p in d["processes"]],
            ps=d.get("ps", ""),
            top=d.get("top"),
            run=d.get("run", "main"),
            overhead_ms=d.get("overhead_ms", 0.0),
            timings_ms=d.get("timings_ms", {}),
            probe_pids=tuple(probe),
            host=d.get("host", {}),
            host_pids={int(k): v for k, v in d.get("host_pids", {}).items()},
            probe=ProbeInfo.from_dict(d["probe"]) if d.get("probe") else None,
        )
