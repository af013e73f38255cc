"""The process tree of a snapshot, and the raw ps/top lines that prove a checkpoint's point."""
from __future__ import annotations

import re

from rich.text import Text
from rich.tree import Tree

from ..snapshot import Process, Snapshot
from .safe import visible

STATE_STYLE = {"R": "bold green", "S": "blue", "D": "magenta", "T": "yellow", "t": "yellow",
               "Z": "bold red", "X": "red", "I": "dim"}
STATE_WORD = {"R": "running", "S": "sleeping", "D": "disk sleep", "T": "stopped", "t": "traced",
              "Z": "zombie", "X": "dead", "I": "idle"}


def state_text(letter: str) -> Text:
    return Text(letter, style=STATE_STYLE.get(letter, ""))


NOT_A_PID = re.compile(r"code|status|count|exit|limit|size|total|max|min|num|time|len|value|seq|"
                       r"index|round|signal|sig|nice|weight|ratio|lines|^n$|_s$|_ms$|^raw$", re.I)


def named_pids(snap: Snapshot) -> list[int]:
    """The pids a checkpoint's data names (child=8, workers=[9, 10]), in order, each once.
    Keys that name a count, a code or a time (exitcode=1, n=4) are not pids."""
    out: list[int] = []
    for key, value in snap.data.items():
        if NOT_A_PID.search(key):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool) and v > 0 and v not in out and snap.get(v):
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


def process_tree(snap: Snapshot, show_probe: bool = False, only_named: bool = False,
                 title: str = "pid namespace of the container at", hidden_note: str = "") -> Tree:
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
        t.append(visible(p.command[:100]), style="red" if p.state == "Z" else ("bold" if p.pid in named else ""))
        if p.probe:
            t.append("  (proclab probe)", style="dim italic")
        return t

    def walk(node: Tree, parent: int) -> None:
        for p in sorted(kids.get(parent, []), key=lambda p: p.pid):
            walk(node.add(label(p)), p.pid)

    walk(root, 0)
    if hidden:
        root.add(Text(f"… {hidden} {hidden_note or 'more processes not shown (--verbose shows them)'}", style="dim"))
    return root


def evidence_lines(snap: Snapshot) -> list[str]:
    """The raw ps lines of the processes the checkpoint names, and top's Tasks line."""
    lines = []
    header = snap.ps.splitlines()[0] if snap.ps else ""
    named = named_pids(snap)
    rows = [snap.ps_row(pid).line for pid in named if snap.ps_row(pid)]
    if rows:
        lines += ["$ ps -eo pid,ppid,stat,ni,comm,args", header.rstrip(), *rows]
    if snap.top:
        probe_n = sum(1 for r in snap.top_rows if r.pid in snap.probe_pids)
        lines += ["$ top -b -n 1", *[f"{ln.strip()}  ({probe_n} are the probe's)"
                                     for ln in snap.top_header() if ln.startswith("Tasks")]]
        rows = [snap.top_row(pid) for pid in named if snap.top_row(pid)]
        if rows:  # top's columns are wide: fold the padding so the state column stays in view
            lines.append("PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND")
            lines += [" ".join(r.line.split()) for r in rows]
    return lines
