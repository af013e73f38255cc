"""One-fact mutations of a snapshot's process table, for the mutation test (``lab.mutate``).

Each function returns a new ``Snapshot`` with one fact changed and everything else as it
was, still well-formed (ps and top text still parse): one process's state, parent or nice
value (in one view, or in all three views alike), one process absent or one more present,
one number of top's Tasks line. The original snapshot is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from ..snapshot import Snapshot
from ..snapshot.table import Process

# A state that differs from each state in a way a check about it must notice.
OTHER_STATE = {"Z": "S", "S": "R", "R": "S", "T": "S", "t": "S", "D": "S", "I": "S", "X": "Z"}
TASKS_FIELDS = ("total", "running", "sleeping", "stopped", "zombie")

SnapEdit = tuple[
    str, Callable[..., Snapshot]
]  # (what changed, in words; make the changed snapshot)


def retoken(line: str, index: int, new: str, align: str = "right") -> str:
    """``line`` with its ``index``-th whitespace-separated word replaced by ``new``, in the same
    columns: the word's own width and the spaces before it (one always stays), so a parser that
    locates columns from the header still reads every other column where it was."""
    spans = [m.span() for m in re.finditer(r"\S+", line)]
    start, end = spans[index]
    left = spans[index - 1][1] + 1 if index else 0
    width = end - left if align == "right" else end - start
    if len(new) > width:
        raise ValueError(f"{new!r} does not fit where {line[start:end]!r} is")
    if align == "right":
        return line[:left] + new.rjust(end - left) + line[end:]
    return line[:start] + new.ljust(end - start) + line[end:]


def _edit_ps(snap: Snapshot, pid: int, column: int, value: str, align: str = "right") -> str:
    out = []
    for ln in snap.ps.splitlines():
        words = ln.split()
        if words and words[0] == str(pid):
            ln = retoken(ln, column, value, align)
        out.append(ln)
    return "\n".join(out) + ("\n" if snap.ps.endswith("\n") else "")


def _top_columns(snap: Snapshot) -> dict[str, int]:
    for ln in (snap.top or "").splitlines():
        words = ln.split()
        if words[:2] == ["PID", "USER"]:
            return {w: i for i, w in enumerate(words)}
    return {}


def _edit_top(snap: Snapshot, pid: int, column: str, value: str) -> str | None:
    if snap.top is None or snap.top_row(pid) is None:
        return snap.top
    at = _top_columns(snap)[column]
    out, rows = [], False
    for ln in snap.top.splitlines():
        words = ln.split()
        if rows and words and words[0] == str(pid):
            ln = retoken(ln, at, value)
        rows = rows or words[:2] == ["PID", "USER"]
        out.append(ln)
    return "\n".join(out) + ("\n" if snap.top.endswith("\n") else "")


def _drop_lines(
    text: str | None, pid: int, after_header: Callable[[list[str]], bool]
) -> str | None:
    if text is None:
        return None
    out, rows = [], False
    for ln in text.splitlines():
        words = ln.split()
        if rows and words and words[0] == str(pid):
            continue
        rows = rows or after_header(words)
        out.append(ln)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _procs(snap: Snapshot, pid: int, **changes: Any) -> list[Process]:  # Process's fields
    return [replace(p, **changes) if p.pid == pid else p for p in snap.processes]


def _ps_stat(snap: Snapshot, pid: int, letter: str) -> str:
    row = snap.ps_row(pid)
    return letter + (row.stat[1:] if row else "")


def process_edits(snap: Snapshot, p: Process) -> Iterator[SnapEdit]:
    """Every one-fact change of one process: state, parent and nice (psutil alone, then every
    view alike), its CPU time, and the process absent (from psutil alone, then from every view)."""
    s, where = OTHER_STATE.get(p.state, "S"), f"pid {p.pid}"
    has_ps, has_top = snap.ps_row(p.pid) is not None, snap.top_row(p.pid) is not None
    ppid = 1 if p.ppid != 1 else 0
    nice = p.nice + 5 if p.nice <= 14 else p.nice - 5
    yield (
        f"{where} state {p.state}→{s} (psutil)",
        lambda: replace(snap, processes=_procs(snap, p.pid, state=s)),
    )
    if has_ps:
        yield (
            f"{where} state {p.state}→{s} (psutil, ps, top)",
            lambda: replace(
                snap,
                processes=_procs(snap, p.pid, state=s),
                ps=_edit_ps(snap, p.pid, 2, _ps_stat(snap, p.pid, s), "left"),
                top=_edit_top(snap, p.pid, "S", s),
            ),
        )
        yield (
            f"{where} state {p.state}→{s} (ps line only)",
            lambda: replace(snap, ps=_edit_ps(snap, p.pid, 2, _ps_stat(snap, p.pid, s), "left")),
        )
    if has_top:
        yield (
            f"{where} state {p.state}→{s} (top line only)",
            lambda: replace(snap, top=_edit_top(snap, p.pid, "S", s)),
        )
    yield (
        f"{where} ppid {p.ppid}→{ppid} (psutil)",
        lambda: replace(snap, processes=_procs(snap, p.pid, ppid=ppid)),
    )
    if has_ps:
        yield (
            f"{where} ppid {p.ppid}→{ppid} (psutil, ps)",
            lambda: replace(
                snap,
                processes=_procs(snap, p.pid, ppid=ppid),
                ps=_edit_ps(snap, p.pid, 1, str(ppid)),
            ),
        )
    yield (
        f"{where} nice {p.nice}→{nice} (psutil)",
        lambda: replace(snap, processes=_procs(snap, p.pid, nice=nice)),
    )
    if has_ps and (row := snap.ps_row(p.pid)) is not None and row.nice is not None:
        yield (
            f"{where} nice {p.nice}→{nice} (psutil, ps, top)",
            lambda: replace(
                snap,
                processes=_procs(snap, p.pid, nice=nice),
                ps=_edit_ps(snap, p.pid, 3, str(nice)),
                top=_edit_top(snap, p.pid, "NI", str(nice)),
            ),
        )
    for cpu in (p.cpu_user_s * 2 + 1.0, p.cpu_user_s * 0.5) if p.cpu_user_s > 0 else (1.0,):
        yield (
            f"{where} user CPU time {p.cpu_user_s:.2f}s→{cpu:.2f}s (psutil)",
            lambda cpu=cpu: replace(snap, processes=_procs(snap, p.pid, cpu_user_s=cpu)),
        )
    others = [q for q in snap.processes if q.pid != p.pid]
    yield f"{where} absent (psutil)", lambda: replace(snap, processes=others)
    yield (
        f"{where} absent (psutil, ps, top)",
        lambda: replace(
            snap,
            processes=others,
            ps=_drop_lines(snap.ps, p.pid, lambda w: w[:1] == ["PID"]) or "",
            top=_drop_lines(snap.top, p.pid, lambda w: w[:2] == ["PID", "USER"]),
        ),
    )


def extra_process(snap: Snapshot, state: str) -> SnapEdit:
    """One more process, a child of the announcing process, in psutil and ps."""
    parent = snap.get(snap.announced_by) or (snap.scenario or snap.processes)[0]
    pid = max(p.pid for p in snap.processes) + 1
    new = replace(
        parent,
        pid=pid,
        ppid=parent.pid,
        state=state,
        probe=False,
        create_time=parent.create_time + 1,
    )
    ps_line = next((r.line for r in snap.ps_rows if r.pid == parent.pid), None)
    ps = snap.ps
    if ps_line is not None:
        line = retoken(retoken(retoken(ps_line, 0, str(pid)), 1, str(parent.pid)), 2, state, "left")
        ps = ps.rstrip("\n") + "\n" + line + "\n"
    return (
        f"one more process: pid {pid}, state {state}, child of {parent.pid} (psutil, ps)",
        lambda: replace(snap, processes=[*snap.processes, new], ps=ps),
    )


def tasks_edits(snap: Snapshot) -> Iterator[SnapEdit]:
    """Each number of top's Tasks line, one more (or one fewer)."""
    if snap.top_tasks is None or snap.top is None:
        return
    counts = snap.top_tasks.to_dict()
    for field in TASKS_FIELDS:
        n = counts[field]
        new = n + 1 if n == 0 else n - 1

        def edit(field: str = field, new: int = new) -> Snapshot:
            pattern = re.compile(rf"(\d+)(\s+{field})")
            return replace(
                snap, top=pattern.sub(lambda m: f"{new}{m.group(2)}", snap.top or "", count=1)
            )

        yield f"top Tasks: {field} {n}→{new}", edit


def table_edits(snap: Snapshot) -> Iterator[SnapEdit]:
    for p in snap.scenario:
        yield from process_edits(snap, p)
    if snap.processes:
        yield extra_process(snap, "Z")
        yield extra_process(snap, "S")
    yield from tasks_edits(snap)
