"""Narrate a lab run in the terminal with rich: the lesson, each checkpoint's tree
and the raw ps/top lines that prove the point, and each check's verdict.

Presentation only: it reads results and runner events, never Docker.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from . import charts
from .labspec import LabSpec, Variant
from .ptable import Process, Snapshot
from .result import ActionRecord, CheckResult, LabResult, OutputLine, RunRecord
from .runner import Observer

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


def process_tree(snap: Snapshot, show_probe: bool = False) -> Tree:
    procs = snap.processes if show_probe else snap.scenario
    pids = {p.pid for p in procs}
    kids: dict[int, list[Process]] = {}
    for p in procs:
        kids.setdefault(p.ppid if p.ppid in pids else 0, []).append(p)
    named = set(named_pids(snap))
    root = Tree(Text(f"pid namespace of the container at '{snap.name}'", style="bold"), guide_style="dim")

    def label(p: Process) -> Text:
        t = Text()
        t.append_text(state_text(p.state))
        t.append(f" {p.pid:<5}", style="bold" if p.pid in named else "")
        t.append(f" ppid {p.ppid:<4} ni {p.nice:>3}  ", style="dim")
        t.append(p.command[:100], style="red" if p.state == "Z" else ("bold" if p.pid in named else ""))
        if p.probe:
            t.append("  (proclab probe)", style="dim italic")
        return t

    def walk(node: Tree, parent: int) -> None:
        for p in sorted(kids.get(parent, []), key=lambda p: p.pid):
            walk(node.add(label(p)), p.pid)

    walk(root, 0)
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


class Narrator(Observer):
    def __init__(self, console: Console | None = None, show_output: bool = True, verbose: bool = False):
        self.c = console or Console(highlight=False)
        self.show_output = show_output
        self.verbose = verbose

    def progress(self, line: str) -> None:
        # image builds are chatty: keep their step lines and proclab's own words
        if line.startswith((" ---> ", "Removing intermediate", "Successfully built")):
            return
        self.c.print(Text(f"  {line}", style="dim"), no_wrap=True, overflow="ellipsis")

    def lab_started(self, spec: LabSpec) -> None:
        self.c.rule(Text(f"{spec.name}: {spec.title}", style="bold"))
        intro = spec.lesson_intro()
        if intro:
            self.c.print(Panel(Markdown(intro), border_style="cyan", title="the lesson", title_align="left"))

    def run_started(self, spec: LabSpec, variant: Variant, settings: dict[str, Any]) -> None:
        if len(spec.variants) > 1 or variant.name != "main":
            self.c.print(Text(f"\n▶ variant {variant.name}", style="bold cyan"),
                         Text(f"  {variant.summary}", style="cyan") if variant.summary else "")
        shown = {k: settings[k] for k in ("init", "cpus", "cpuset_cpus", "pids_limit", "cap_add", "user")
                 if settings.get(k) not in (None, [], False)}
        self.c.print(Text("  container: " + ", ".join(f"{k}={v}" for k, v in shown.items()), style="dim"))

    def output(self, run: RunRecord, line: OutputLine) -> None:
        if self.show_output:
            style = "yellow" if line.stream == "stderr" else ""
            self.c.print(Text(f"  │ {line.text}", style=style))

    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None:
        data = " ".join(f"{k}={v}" for k, v in snap.data.items())
        title = Text.assemble(("◆ checkpoint ", "bold magenta"), (snap.name, "bold"), (f"  {data}", "magenta"),
                              (f"  at {snap.at_s:.2f}s", "dim"))
        self.c.print(title)
        self.c.print(process_tree(snap, show_probe=self.verbose))
        ev = evidence_lines(snap)
        for ln in ev:
            self.c.print(Text("    " + ln, style="dim"), no_wrap=True, overflow="ellipsis")

    def action(self, run: RunRecord, record: ActionRecord) -> None:
        figures = ", ".join(f"{k}={v}" for k, v in record.data.items() if k not in ("stdout", "stderr"))
        self.c.print(Text(f"  ⚙ harness: {record.do} at '{record.at}': {figures}", style="bold yellow"))

    def run_finished(self, run: RunRecord) -> None:
        note = ""
        if run.timed_out:
            note = " (timed out" + (", as this variant expects)" if run.expect_timeout else ")")
        if run.error:
            note += f" — {run.error}"
        self.c.print(Text(f"  ■ {run.variant}: exit code {run.exit_code}, {run.duration_s:.2f}s{note}",
                          style="dim" if not run.error else "red"))

    def verdict(self, result: LabResult) -> None:
        self.c.print()
        for chart in result.charts:
            self.c.print(charts.terminal(chart))
            self.c.print()
        stops = actions_table(result)
        if stops is not None:
            self.c.print(stops)
            self.c.print()
        print_checks(self.c, result.checks)
        for r in result.runs:
            if r.timed_out and not r.expect_timeout:
                reached = [cp.name for cp in r.checkpoints if cp.name != "timeout"]
                self.c.print(Text(f"✘ run {r.variant} hit its timeout ({r.settings['timeout_s']}s) after checkpoint "
                                  f"'{reached[-1] if reached else '(none)'}': the process table at the timeout and "
                                  "the output so far are above; if the scenario is only slow, raise timeout_s in "
                                  "lab.toml", style="red"))
            if r.error:
                self.c.print(Text(f"✘ run {r.variant}: {r.error}", style="red"))
        if result.artifacts:
            for a in result.artifacts:
                self.c.print(Text(f"  picture: {a}", style="cyan"))
        status = Text("PASSED", style="bold green") if result.passed else Text("FAILED", style="bold red")
        self.c.print(Text.assemble(status, f"  {result.lab} in {result.duration_s:.1f}s"))


def print_checks(c: Console, checks: Iterable[CheckResult]) -> None:
    checks = list(checks)
    if not checks:
        c.print(Text("(this lab has no checks: its snapshots are shown above)", style="dim"))
    for ck in checks:
        mark = Text("✔ ", style="bold green") if ck.passed else Text("✘ ", style="bold red")
        c.print(Text.assemble(mark, (ck.name, "bold" if not ck.passed else "")))
        c.print(Text(f"    {ck.detail}", style="dim" if ck.passed else "red"))


def summary_table(results: list[LabResult]) -> Table:
    t = Table(title="proclab: summary", title_style="bold")
    t.add_column("lab")
    t.add_column("checks", justify="right")
    t.add_column("time", justify="right")
    t.add_column("result")
    for r in results:
        ok = sum(c.passed for c in r.checks)
        t.add_row(r.lab, f"{ok}/{len(r.checks)}", f"{r.duration_s:.1f}s",
                  Text("passed", style="green") if r.passed else Text("FAILED", style="bold red"))
    return t


def actions_table(result: LabResult) -> Table | None:
    """The lab's stop and kill actions side by side: how long each took, what exit code it left."""
    rows = [(r.variant, a) for r in result.runs for a in r.actions if a.do in ("stop", "kill")]
    if not rows:
        return None
    t = Table(title="how each container ended", title_style="bold", title_justify="left")
    t.add_column("variant")
    t.add_column("harness did")
    t.add_column("took", justify="right")
    t.add_column("exit code", justify="right")
    for variant, a in rows:
        did = (f"docker stop -t {a.data['grace_s']:g}" if a.do == "stop"
               else f"docker kill --signal {a.data['signal']}")
        code = a.data.get("exit_code")
        t.add_row(variant, did, f"{a.data['took_s']:.2f}s", "-" if code is None else str(code))
    return t
