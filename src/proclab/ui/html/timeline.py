"""Each scenario process's life across a run's checkpoints: the data behind the timeline
drawn as SVG (the HTML report), as a PNG and as text (the end of a narrated run).

A process is one lane, identified by pid and create time (a reused pid is a new lane).
A lane has one cell per checkpoint: its state letter and parent there, or nothing when
the process was not in the table. The probe's processes are left out.

With the kernel's record (``lab.kernel_record``) a lane also has its ``Life``: the exact
times of its fork, exit and reap; a process that lived only between two checkpoints gets a
lane of its own (no cell, only its life); and each signal is an ``Arrow`` from its sender's
lane to its target's, with what the kernel did with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from ...lab.kernel_record import EventKind, KernelEvent, KernelRecord
from ...snapshot import Process, Snapshot
from ..kernel_events import narrate
from ..tree import NOT_A_PID, STATE_WORD

SAME_PROCESS_S = 0.02  # create times within this are the same process (as ProcessKey says)


@dataclass(frozen=True)
class Cell:
    state: str | None  # None: not in the table at this checkpoint
    ppid: int | None = None
    reparented: bool = False  # its parent differs from where it was last seen

    @property
    def word(self) -> str:
        return STATE_WORD.get(self.state or "", self.state or "absent")


@dataclass(frozen=True)
class Life:
    """What the kernel's record says of one lane's process, in seconds since the container started."""

    forked_s: float | None = None  # None: already there when the record began
    parent: int | None = None
    exited_s: float | None = None  # None: still running when the record ended
    how: str = ""  # "exit code 0", "killed by SIGKILL"
    reaped_s: float | None = (
        None  # None: no wait4 returned it (a zombie to the end, or never exited)
    )
    reaper: int | None = None

    @property
    def zombie_s(self) -> float | None:
        """How long it was a zombie: from its exit to its reap."""
        if self.exited_s is None or self.reaped_s is None:
            return None
        return max(0.0, self.reaped_s - self.exited_s)

    @property
    def end_s(self) -> float | None:
        return self.reaped_s if self.reaped_s is not None else self.exited_s

    def describe(self, pid: int) -> str:
        """One line: born, ended, reaped, with the exact times."""
        parts = [
            f"forked by {self.parent} at {self.forked_s:.3f}s"
            if self.forked_s is not None
            else "already there when the record began"
        ]
        if self.exited_s is not None:
            parts.append(f"{self.how or 'ended'} at {self.exited_s:.3f}s")
        if self.reaped_s is not None:
            parts.append(f"reaped by {self.reaper} (wait4) at {self.reaped_s:.3f}s")
            if self.zombie_s:
                parts.append(f"a zombie for {self.zombie_s * 1000:.1f} ms")
        elif self.exited_s is not None and pid != 1:  # pid 1's parent is outside the container
            parts.append("never reaped while recorded")
        return f"pid {pid}: " + ", ".join(parts)


@dataclass(frozen=True)
class Arrow:
    """One signal: from its sender's lane (None: from outside the container) to its target's."""

    at_s: float
    signal: str
    sender: int | None
    sender_label: str
    target: int
    result: str  # SignalResult: delivered, ignored, blocked, pending, ...
    handler: str = ""  # HandlerKind once taken: default, ignore, handler
    line: str = ""  # the narration's line for it
    from_outside: bool = (
        True  # with no sender lane: sent from outside (else by a process with no lane)
    )

    @property
    def outside(self) -> bool:
        """Drawn from the outside row: the sender is outside the container."""
        return self.sender is None and self.from_outside


@dataclass
class Lane:
    pid: int
    name: str
    command: str
    create_time: float
    role: str = ""  # what the checkpoints' data call it: "child", "grandchild"
    cells: list[Cell] = field(default_factory=list)
    life: Life | None = None  # from the kernel's record (None: no record, or not in it)
    slot: int = 0  # a lane seen at no checkpoint: how many checkpoints came before its fork

    @property
    def seen(self) -> bool:
        """In the table at some checkpoint (else it lived only between two)."""
        return any(c.state for c in self.cells)

    @property
    def first(self) -> int:
        if not self.seen:
            return self.slot
        return next(i for i, c in enumerate(self.cells) if c.state)

    @property
    def last(self) -> int:
        if not self.seen:
            return self.slot - 1
        return max(i for i, c in enumerate(self.cells) if c.state)

    @property
    def label(self) -> str:
        return f"{self.pid} {self.role or self.name}"

    @property
    def born_here(self) -> bool:
        """Born between two checkpoints (not already there at the first)."""
        return self.first > 0 or not self.seen

    @property
    def ending(self) -> str:
        """'reaped' (last seen as a zombie, then gone), 'gone' (exited and reaped between two
        checkpoints) or 'alive' (still in the table at the last checkpoint)."""
        if not self.seen:
            return "alive" if self.life is not None and self.life.end_s is None else "gone"
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
    arrows: list[Arrow] = field(default_factory=list)
    end_s: float = 0.0  # the run's last moment shown: its last event, checkpoint or its duration
    recorded: bool = False  # the kernel's record is drawn (else only the checkpoints)
    note: str = ""  # why there is no record, when there is none

    def lane(self, pid: int) -> Lane | None:
        return next((ln for ln in self.lanes if ln.pid == pid), None)

    def between_only(self) -> list[Lane]:
        """Lanes of processes that lived only between checkpoints (in no table, in the record)."""
        return [ln for ln in self.lanes if not ln.seen]


def _roles(snaps: Sequence[Snapshot]) -> dict[int, str]:
    """pid -> the first data key that names it (main=8, child=9), skipping counts and codes."""
    roles: dict[int, str] = {}
    for lists in (False, True):  # a key naming one pid (child=9) before a list (children=[...])
        for snap in snaps:
            for key, value in snap.data.items():
                if NOT_A_PID.search(key) or isinstance(value, list) != lists:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
                        roles.setdefault(v, key)
    return roles


def _lane_for(lanes: list[Lane], p: Process) -> Lane | None:
    return next(
        (
            ln
            for ln in lanes
            if ln.pid == p.pid and abs(ln.create_time - p.create_time) < SAME_PROCESS_S
        ),
        None,
    )


def build(
    snaps: Sequence[Snapshot],
    run: str = "main",
    record: KernelRecord | None = None,
    duration_s: float = 0.0,
) -> Timeline:
    """The timeline of one run from its checkpoints, in order, and from the kernel's record if
    there is one (``record``; ``duration_s``: the run's length, so the last events have room)."""
    lanes: list[Lane] = []
    roles = _roles(snaps)
    for i, snap in enumerate(snaps):
        for p in snap.scenario:
            lane = _lane_for(lanes, p)
            if lane is None:
                lane = Lane(
                    p.pid, p.name, p.command, p.create_time, roles.get(p.pid, ""), [Cell(None)] * i
                )
                lanes.append(lane)
            seen = [c for c in lane.cells if c.state]
            moved = bool(seen) and seen[-1].ppid != p.ppid
            lane.cells.append(Cell(p.state, p.ppid, moved))
        for lane in lanes:  # those not in this checkpoint's table
            if len(lane.cells) == i:
                lane.cells.append(Cell(None))
    columns = [Column(s.name, s.at_s) for s in snaps]
    t = Timeline(run, columns, lanes, end_s=max([duration_s] + [c.at_s for c in columns]))
    if record is not None and record.recorded:
        _add_record(t, snaps, record)
    elif record is not None:
        t.note = record.note
    t.lanes.sort(key=lambda ln: (ln.first, ln.pid))
    return t


def lives_of(events: Sequence[KernelEvent]) -> dict[int, list[tuple[Life, float]]]:
    """Each mapped pid's lives in the record, in order (a reused pid has several), each with
    the time it was first named (its fork, or its first event when it was already there)."""
    out: dict[int, list[tuple[Life, float]]] = {}
    for e in events:
        if e.pid is None or not e.mapped or e.kind in (EventKind.LOST, EventKind.OOM_KILL):
            continue
        lives = out.setdefault(e.pid, [])
        if e.kind == EventKind.FORK or not lives:
            lives.append((Life(e.t, e.parent) if e.kind == EventKind.FORK else Life(), e.t))
        life, since = lives[-1]
        if e.kind == EventKind.EXIT and life.exited_s is None:
            how = f"killed by {e.exit_signal}" if e.exit_signal else f"exit code {e.exit_code}"
            lives[-1] = (replace(life, exited_s=e.t, how=how), since)
        elif e.kind == EventKind.REAP and life.reaped_s is None:
            lives[-1] = (replace(life, reaped_s=e.t, reaper=e.reaper), since)
    return out


def _life_for(lives: list[tuple[Life, float]], seen_s: float) -> Life | None:
    """The life of a pid that was alive at ``seen_s`` (a checkpoint that saw it)."""
    found = [
        life
        for life, _ in lives
        if (life.forked_s is None or life.forked_s <= seen_s + SAME_PROCESS_S)
        and (life.reaped_s is None or life.reaped_s >= seen_s - SAME_PROCESS_S)
    ]
    return found[-1] if found else None


def _add_record(t: Timeline, snaps: Sequence[Snapshot], record: KernelRecord) -> None:
    events = list(record.events)
    lives = lives_of(events)
    probe = {pid for s in snaps for pid in (*s.probe_pids, *s.resident_pids)}
    used: set[int] = set()
    for lane in t.lanes:
        if lane.pid in lives:
            life = _life_for(lives[lane.pid], t.columns[lane.first].at_s)
            if life is not None:
                lane.life = life
                used.add(id(life))
    for pid, found in lives.items():
        for life, since in found:
            if id(life) in used or (pid in probe and life.forked_s is None):
                continue
            if life.forked_s is None and life.exited_s is None:
                continue  # only named (a signal's target) and in no table: nothing to draw
            at = life.forked_s if life.forked_s is not None else since
            slot = sum(1 for c in t.columns if c.at_s < at)
            comm = next((e.comm for e in events if e.pid == pid and e.t >= since), "")
            t.lanes.append(
                Lane(pid, comm, comm, 0.0, "", [Cell(None)] * len(t.columns), life, slot)
            )
    shown = {ln.pid for ln in t.lanes}
    for e in events:
        if e.kind != EventKind.SIGNAL or e.pid is None or not e.mapped or e.pid not in shown:
            continue
        inside = e.sender is not None and not e.sender_outside
        t.arrows.append(
            Arrow(
                e.t,
                e.signal or "?",
                e.sender if inside and e.sender in shown else None,
                e.sender_who,
                e.pid,
                str(e.result or ""),
                str(e.handler or ""),
                narrate(e).strip(),
                from_outside=not inside,
            )
        )
    t.end_s = max([t.end_s] + [e.t for e in events])
    t.recorded = True


def by_run(snaps: Sequence[Snapshot]) -> list[Timeline]:
    """One timeline per variant, in the order the runs appear."""
    runs: dict[str, list[Snapshot]] = {}
    for s in snaps:
        runs.setdefault(s.run, []).append(s)
    return [build(cps, run) for run, cps in runs.items()]


def ordinal_x(t: Timeline, half_cell: float = 0.3) -> Callable[[float], float]:
    """Time → x in checkpoint units, for a figure that puts checkpoint i at x = i with a box of
    ±``half_cell``: what happened between two checkpoints lies in the gap between their boxes,
    in the order it happened, evenly spread (as the SVG's axis does in pixels)."""
    at = [c.at_s for c in t.columns]
    times = sorted(
        {a.at_s for a in t.arrows}
        | {
            v
            for ln in t.lanes
            if ln.life
            for v in (ln.life.forked_s, ln.life.exited_s, ln.life.reaped_s)
            if v is not None
        }
    )
    bounds = [float("-inf"), *at, float("inf")]
    knots: list[tuple[float, float]] = []
    for g in range(len(bounds) - 1):
        inside = [v for v in times if bounds[g] < v <= bounds[g + 1]]
        lo, hi = g - 1 + half_cell, g - half_cell  # the gap before checkpoint g (or after the last)
        knots += [(v, lo + (hi - lo) * (k + 1) / (len(inside) + 1)) for k, v in enumerate(inside)]
        if g < len(at):
            knots.append((at[g], float(g)))
    knots.sort()

    def x(t_s: float) -> float:
        if not knots:
            return 0.0
        if t_s <= knots[0][0]:
            return knots[0][1]
        for (t0, x0), (t1, x1) in pairwise(knots):
            if t_s <= t1:
                return x0 + (x1 - x0) * ((t_s - t0) / (t1 - t0) if t1 > t0 else 1.0)
        return knots[-1][1]

    return x
