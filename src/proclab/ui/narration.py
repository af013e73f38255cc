"""Narrate a lab run in the terminal with rich: the lesson, each checkpoint's tree
and the raw ps/top lines that prove the point, and each check's verdict.

Presentation only: it listens to the runner's events (``lab.events.Observer``)
and reads results; it never talks to Docker. Every string from the container or the
lab folder goes through ``safe``/``visible``: shown, never obeyed, never markup.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from ..lab.containment import Containment
from ..lab.events import Observer
from ..lab.result import ActionRecord, LabResult, OutputLine, RunRecord
from ..lab.settings import Settings
from ..lab.spec import LabSpec, Variant
from ..snapshot import Snapshot
from . import bar_charts, kernel_events
from .html.timeline import build as build_timeline
from .safe import safe, visible
from .tables import actions_table, print_checks, print_folded
from .timeline_text import legend, timeline_text
from .tree import evidence_lines, process_tree
from .translations import word


def _plain(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    text = str(v)
    return text if len(text) <= 40 else text[:39] + "…"


def header_data(data: dict[str, Any], verbose: bool = False) -> str:
    """A checkpoint's data as its header shows it: what a learner reads (pids, names, codes:
    plain values and short lists of them). Tables and dicts of figures (cgroup counters, job
    lists) are named, not printed: they are in --json, and --verbose prints them whole."""
    if verbose:
        return " ".join(f"{k}={v}" for k, v in data.items())
    shown, held_back = [], []
    for k, v in data.items():
        if _plain(v):
            shown.append(f"{k}={_short(v)}")
        elif isinstance(v, list) and len(v) <= 8 and all(_plain(x) for x in v):
            shown.append(f"{k}=[{', '.join(_short(x) for x in v)}]")
        else:
            held_back.append(k)
    if held_back:
        shown.append(f"(+{', '.join(held_back)}: --json or --verbose)")
    return " ".join(shown)


class Narrator(Observer):
    def __init__(self, console: Console | None = None, show_output: bool = True, verbose: bool = False,
                 lang: str = "en", events: str = "some"):
        self.c = console or Console(highlight=False)
        self.events_limit = kernel_events.SHOWN.get(events, kernel_events.SHOWN["some"])
        self.events_until: dict[str, float] = {}      # run -> the last event time narrated
        self.show_output = show_output
        self.verbose = verbose
        self.lang = lang

    def w(self, text: str) -> str:
        return word(text, self.lang)

    def progress(self, line: str) -> None:
        # image builds are chatty: keep their step lines and proclab's own words
        if line.startswith((" ---> ", "Removing intermediate", "Successfully built")):
            return
        self.c.print(safe(f"  {line}", style="dim"), no_wrap=True, overflow="ellipsis")

    def lab_started(self, spec: LabSpec) -> None:
        self.c.rule(safe(f"{spec.name}: {spec.title_in(self.lang)}", style="bold"))
        intro = spec.lesson_intro(self.lang)
        if intro:
            self.c.print(Panel(Markdown(visible(intro, keep_newlines=True)), border_style="cyan", title=self.w("the lesson"), title_align="left"))

    def run_started(self, spec: LabSpec, variant: Variant, settings: Settings) -> None:
        if len(spec.variants) > 1 or variant.name != "main":
            self.c.print(safe(f"\n▶ {self.w('variant')} {variant.name}", style="bold cyan", keep_newlines=True),
                         safe(f"  {variant.summary}", style="cyan") if variant.summary else "")
        cpu = {"init": settings.init, "cpus": settings.cpus, "cpuset_cpus": settings.cpuset_cpus}
        shown = "".join(f"{k}={v}, " for k, v in cpu.items() if v not in (None, False))
        box = Containment.of(settings, spec.builtin)
        self.c.print(safe(f"  {self.w('container')}: {shown}{box.describe()}", style="yellow" if box.weakened else "dim"))

    def output(self, run: RunRecord, line: OutputLine) -> None:
        if self.show_output:
            style = "yellow" if line.stream == "stderr" else ""
            self.c.print(safe(f"  │ {line.text}", style=style))

    def output_held(self, run: RunRecord, shown: int) -> None:
        if self.show_output:
            self.c.print(Text(f"  │ … {shown:,} lines shown; the rest of the output (its last lines) "
                              "when the run ends …", style="dim italic"))

    def output_dropped(self, run: RunRecord, lines: int, chars: int) -> None:
        if self.show_output:
            self.c.print(Text(f"  │ … {lines:,} lines not shown ({chars:,} characters; not kept) …",
                              style="bold yellow"))

    def kernel_events(self, run: RunRecord, until: float | None) -> None:
        """The kernel's events since the last ones narrated (in this run), one line each."""
        if self.events_limit == 0 or run is None:
            return
        found = kernel_events.between(run.kernel, self.events_until.get(run.variant), until)
        if found:
            self.events_until[run.variant] = found[-1].t
        for line in kernel_events.lines(found, self.events_limit):
            self.c.print(safe(f"  {line}", style="bold red" if "LOST" in line else "cyan"))

    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None:
        self.kernel_events(run, snap.at_s)
        data = header_data(snap.data, self.verbose)
        title = Text.assemble((f"◆ {self.w('checkpoint')} ", "bold magenta"), (visible(snap.name), "bold"),
                              (f"  {visible(data)}", "magenta"), (f"  at {snap.at_s:.2f}s", "dim"))
        self.c.print(title)
        self.c.print(process_tree(snap, show_probe=self.verbose, only_named=not self.verbose,
                                  title=self.w("pid namespace of the container at"),
                                  hidden_note=self.w("more processes not shown (--verbose shows them)")))
        for ln in evidence_lines(snap):
            print_folded(self.c, ln)

    def action(self, run: RunRecord, record: ActionRecord) -> None:
        figures = ", ".join(f"{k}={v}" for k, v in record.to_dict().items() if k not in ("at", "do", "stdout", "stderr"))
        self.c.print(safe(f"  ⚙ {self.w('harness')}: {record.do} at '{record.at}': {figures}", style="bold yellow"))

    def run_finished(self, run: RunRecord) -> None:
        self.kernel_events(run, None)
        note = ""
        if run.timed_out:
            note = f" ({self.w('timed out')}" + (f", {self.w('as this variant expects')})" if run.expect_timeout else ")")
        if run.error:
            note += f" — {run.error.splitlines()[0]}"   # the whole error (a traceback) comes with the verdict
        self.c.print(safe(f"  ■ {run.variant}: {self.w('exit code')} {run.exit_code}, {run.duration_s:.2f}s{note}",
                          style="dim" if not run.error else "red"))

    def verdict(self, result: LabResult) -> None:
        self.c.print()
        for chart in result.charts:
            self.c.print(bar_charts.terminal(chart))
            self.c.print()
        stops = actions_table(result)
        if stops is not None:
            self.c.print(stops)
            self.c.print()
        print_checks(self.c, result.checks, self.lang)
        self.timelines(result)
        for r in result.runs:
            if r.timed_out and not r.expect_timeout:
                reached = [cp.name for cp in r.checkpoints if cp.name != "timeout"]
                self.c.print(safe(f"✘ run {r.variant} hit its timeout ({r.settings.timeout_s}s) after checkpoint "
                                  f"'{reached[-1] if reached else '(none)'}': the process table at the timeout and "
                                  "the output so far are above; if the scenario is only slow, raise timeout_s in "
                                  "lab.toml", style="red"))
            if r.error:
                self.c.print(safe(f"✘ run {r.variant}: {r.error}", style="red", keep_newlines=True))
            for note in r.touched:     # --step: the checks judged the run as it happened
                self.c.print(safe(f"✋ run {r.variant}: {note}", style="yellow"))
        if result.artifacts:
            for a in result.artifacts:
                self.c.print(safe(f"  {self.w('picture')}: {a}", style="cyan"))
        status = {"passed": Text(self.w("PASSED"), style="bold green"), "failed": Text(self.w("FAILED"), style="bold red"),
                  "inconclusive": Text(self.w("INCONCLUSIVE"), style="bold yellow")}[result.verdict]
        n = result.counts()
        tally = (f": {n['passed']} passed, {n['inconclusive']} inconclusive (not measured: see '?' above)"
                 + (f", {n['failed']} failed" if n["failed"] else "")) if n["inconclusive"] else ""
        waited = f" (after {result.lock_wait_s:.1f}s waiting for the lab lock)" if result.lock_wait_s >= 0.1 else ""
        self.c.print(Text.assemble(status, visible(f"  {result.lab} {self.w('in')} {result.duration_s:.1f}s{waited}{tally}")))

    def timelines(self, result: LabResult) -> None:
        """Each run's processes across its checkpoints, one row each: the lifecycle at a glance."""
        shown = [r for r in result.runs if r.checkpoints]
        for r in shown:
            self.c.print()
            self.c.print(timeline_text(build_timeline(r.checkpoints, r.variant, r.kernel, r.duration_s)))
        if shown:
            self.c.print(legend())
