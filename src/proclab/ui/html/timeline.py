"""Each scenario process's life across a run's checkpoints: the data behind the timeline
drawn as SVG (the HTML report), as a PNG and as text (the end of a narrated run).

A process is one lane, identified by pid and create time (a reused pid is a new lane).
A lane has one cell per checkpoint: its state letter and parent there, or nothing when
the process was not in the table. The probe's processes are left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ...snapshot import Process, Snapshot
from ..tree import NOT_A_PID

STATE_WORD = {"R": "running", "S": "sleeping", "D": "disk sleep", "T": "stopped", "t": "traced",
              "Z": "zombie", "X": "dead", "I": "idle"}
SAME_PROCESS_S = 0.02          # create times within this are the same process (as ProcessKey says)


@dataclass(frozen=True)
class Cell:
    state: str | None          # None: not in the table at this checkpoint
    ppid: int | None = None
    reparented: bool = False   # its parent differs from where it was last seen

    @property
    def word(self) -> str:
        return STATE_WORD.get(self.state or "", self.state or "absent")


@dataclass
class Lane:
    pid: int
    name: str
    command: str
    create_time: float
    role: str = ""             # what the checkpoints' data call it: "child", "grandchild"
    cells: list[Cell] = field(default_factory=list)

    @property
    def first(self) -> int:
        return next(i for i, c in enumerate(self.cells) if c.state)

    @property
    def last(self) -> int:
        return max(i for i, c in enumerate(self.cells) if c.state)

    @property
    def label(self) -> str:
        return f"{self.pid} {self.role or self.name}"

    @property
    def born_here(self) -> bool:
        """Born between two checkpoints (not already there at the first)."""
        return self.first > 0

    @property
    def ending(self) -> str:
        """'reaped' (last seen as a zombie, then gone), 'gone' (exited and reaped between two
        checkpoints) or 'alive' (still in the table at the last checkpoint)."""
        if self.last == len(self.cells) - 1:
            return "alive"
        return "reaped" if self.cells[self.last].state == "Z" else "gone"

    def was_zombie(self) -> bool:
        return any(c.state == "Z" for c in self.cells)


@dataclass(frozen=True)
class Column:
    name: str
    at_s: float


@dataclass
class Timeline:
    run: str
    columns: list[Column]
    lanes: list[Lane]

    def lane(self, pid: int) -> Lane | None:
        return next((ln for ln in self.lanes if ln.pid == pid), None)


def _roles(snaps: Sequence[Snapshot]) -> dict[int, str]:
    """pid -> the first data key that names it (main=8, child=9), skipping counts and codes."""
    roles: dict[int, str] = {}
    for lists in (False, True):            # a key naming one pid (child=9) before a list (children=[...])
        for snap in snaps:
            for key, value in snap.data.items():
                if NOT_A_PID.search(key) or isinstance(value, list) != lists:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                        roles.setdefault(v, key)
    return roles


def _lane_for(lanes: list[Lane], p: Process) -> Lane | None:
    return next((ln for ln in lanes if ln.pid == p.pid and abs(ln.create_time - p.create_time) < SAME_PROCESS_S),
                None)


def build(snaps: Sequence[Snapshot], run: str = "main") -> Timeline:
    """The timeline of one run from its checkpoints, in order."""
    lanes: list[Lane] = []
    roles = _roles(snaps)
    for i, snap in enumerate(snaps):
        for p in snap.scenario:
            lane = _lane_for(lanes, p)
            if lane is None:
                lane = Lane(p.pid, p.name, p.command, p.create_time, roles.get(p.pid, ""),
                            [Cell(None)] * i)
                lanes.append(lane)
            seen = [c for c in lane.cells if c.state]
            moved = bool(seen) and seen[-1].ppid != p.ppid
            lane.cells.append(Cell(p.state, p.ppid, moved))
        for lane in lanes:                       # those not in this checkpoint's table
            if len(lane.cells) == i:
                lane.cells.append(Cell(None))
    lanes.sort(key=lambda ln: (ln.first, ln.pid))
    return Timeline(run, [Column(s.name, s.at_s) for s in snaps], lanes)


def by_run(snaps: Sequence[Snapshot]) -> list[Timeline]:
    """One timeline per variant, in the order the runs appear."""
    runs: dict[str, list[Snapshot]] = {}
    for s in snaps:
        runs.setdefault(s.run, []).append(s)
    return [build(cps, run) for run, cps in runs.items()]
