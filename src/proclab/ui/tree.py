"""The process tree of a snapshot, and the raw ps/top lines that prove a checkpoint's point."""

from __future__ import annotations

import re

from rich.text import Text
from rich.tree import Tree

from ..snapshot import Process, Snapshot
from .safe import visible

STATE_STYLE = {
    "R": "bold green",
    "S": "blue",
    "D": "magenta",
    "T": "yellow",
    "t": "yellow",
    "Z": "bold red",
    "X": "red",
    "I": "dim",
}
STATE_WORD = {
    "R": "running",
    "S": "sleeping",
    "D": "disk sleep",
    "T": "stopped",
    "t": "traced",
    "Z": "zombie",
    "X": "dead",
    "I": "idle",
}


def state_text(letter: str) -> Text:
    return Text(letter, style=STATE_STYLE.get(letter, ""))


NOT_A_PID = re.compile(
    r"code|status|count|exit|limit|size|total|max|min|num|time|len|value|seq|"
    r"index|round|signal|sig|nice|weight|ratio|lines|attempt|cpu|^n$|_s$|_ms$|^raw$",
    re.I,
)


def named_pids(snap: Snapshot) -> list[int]:
    """The pids a checkpoint's data names (child=8, workers=[9, 10]), in order, each once.
    Keys that name a count, a code or a time (exitcode=1, n=4) are not pids."""
    out: list[int] = []
    for key, value in snap.data.items():
        if NOT_A_PID.search(key):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if (
                isinstance(v, int)
                and not isinstance(v, bool)
                and v > 0
                and v not in out
                and snap.get(v)
            ):
                out.append(v)
    return out


def with_ancestors(procs: list[Process], wanted: set[int]) -> list[Process]:
    """The processes in ``wanted`` and every ancestor of theirs, in the table's order."""
    by_pid = {p.pid: p for p in procs}
    keep: set[int] = set()
    for pid in wanted:
        while pid in by_pid and pid not in keep:
            keep.add(pid)
            pid = by_pid[pid].ppid
    return [p for p in procs if p.pid in keep]


def process_tree(
    snap: Snapshot,
    show_probe: bool = False,
    only_named: bool = False,
    title: str = "pid namespace of the container at",
    hidden_note: str = "",
) -> Tree:
    """The checkpoint's process tree; ``only_named``: just the processes its data names and
    their ancestors (what the checks look at), with a count of the rest."""
    procs = snap.processes if show_probe else snap.scenario
    named = set(named_pids(snap))
    hidden = 0
    if only_named and named:
        shown = with_ancestors(procs, named)
        hidden, procs = len(procs) - len(shown), shown
    pids = {p.pid for p in procs}
    kids: dict[int, list[Process]] = {}
    for p in procs:
        kids.setdefault(p.ppid if p.ppid in pids else 0, []).append(p)
    root = Tree(Text(f"{title} '{visible(snap.name)}'", style="bold"), guide_style="dim")

    def label(p: Process) -> Text:
        t = Text()
        t.append_text(state_text(p.state))
        t.append(f" {p.pid:<5}", style="bold" if p.pid in named else "")
        t.append(f" ppid {p.ppid:<4} ni {p.nice:>3}  ", style="dim")
        t.append(
            visible(p.command[:100]),
            style="red" if p.state == "Z" else ("bold" if p.pid in named else ""),
        )
        if p.probe:
            t.append("  (proclab probe)", style="dim italic")
        return t

    def walk(node: Tree, parent: int) -> None:
        for p in sorted(kids.get(parent, []), key=lambda p: p.pid):
            walk(node.add(label(p)), p.pid)

    walk(root, 0)
    if hidden:
        root.add(
            Text(
                f"… {hidden} {hidden_note or 'more processes not shown (--verbose shows them)'}",
                style="dim",
            )
        )
    return root


TOP_COLUMNS = ("PID", "USER", "PR", "NI", "S", "%CPU", "TIME+", "COMMAND")


def _top_cells(cells: tuple[str, ...]) -> str:
    # top's own alignment (numbers right, the user left), without VIRT/RES/SHR/%MEM: then a row
    # fits in 80 columns and the state column stays under its header
    pid, user, pr, ni, state, cpu, time, command = cells
    return f"{pid:>7} {user[:8]:<8} {pr:>3} {ni:>3} {state} {cpu:>5} {time:>9} {command}"


def top_line(line: str) -> str:
    """One of top's process rows in the columns of ``TOP_COLUMNS``."""
    f = line.split(None, 11)
    if len(f) < 12:
        return " ".join(f)
    return _top_cells((f[0], f[1], f[2], f[3], f[7], f[8], f[10], f[11]))


def _pid_list(pids: list[int]) -> str:
    text = ", ".join(map(str, pids[:6]))
    return text + (f" and {len(pids) - 6} more" if len(pids) > 6 else "")


def evidence_lines(snap: Snapshot) -> list[str]:
    """The raw ps rows of the processes the checkpoint names (labelled as such: the whole table
    is in --json), and top's Tasks line and rows, each short enough for an 80-column terminal."""
    lines = []
    header = snap.ps.splitlines()[0] if snap.ps else ""
    named = named_pids(snap)
    rows = [row.line for pid in named if (row := snap.ps_row(pid))]
    if rows:
        lines += [
            "$ ps -eo pid,ppid,stat,ni,comm,args",
            f"(only the rows of the pids named: {_pid_list(named)}; all rows: --json)",
            header.rstrip(),
            *rows,
        ]
    if snap.top:
        probe_n = sum(1 for r in snap.top_rows if r.pid in snap.probe_pids)
        tasks = [
            f"{' '.join(ln.split())}  (probe: {probe_n})"
            for ln in snap.top_header()
            if ln.startswith("Tasks")
        ]
        top_rows = [r for r in (snap.top_row(pid) for pid in named) if r is not None]
        label = "   (rows: the pids named; VIRT RES SHR %MEM: --json)" if top_rows else ""
        lines += [f"$ top -b -n 1{label}", *tasks]
        if top_rows:
            lines.append(_top_cells(TOP_COLUMNS))
            lines += [top_line(r.line) for r in top_rows]
    return lines
