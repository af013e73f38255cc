"""``proclab run --jobs N``: labs side by side, each lab's narration kept whole.

The pool (``run.pool``: N shared labs at a time per engine, the exclusive ones alone after
them, Ctrl-C) runs the labs; this module is what a terminal shows of it. Each lab narrates
into a console of its own; its narration is printed whole when it ends, above a live board
of what runs now. ``--engine A --engine B`` (``run --all``): the pool shares the labs among
the engines, and the board says where each runs.
"""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..lab.events import Observer
from ..lab.result import LabResult, RunRecord
from ..lab.settings import Settings
from ..lab.spec import LabSpec, Variant
from ..snapshot import Snapshot


class Board:
    """What each running lab is doing now, and how many are done: the live display."""

    def __init__(self, total: int):
        self.total, self.done, self.failed = total, 0, 0
        self.doing: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def set(self, lab: str, what: str) -> None:
        with self._lock:
            started = self.doing.get(lab, (time.monotonic(), ""))[0]
            self.doing[lab] = (started, what)

    def finish(self, result: LabResult) -> None:
        with self._lock:
            self.doing.pop(result.lab, None)
            self.done += 1
            self.failed += not result.passed

    def __rich__(self) -> Group:
        with self._lock:
            rows = sorted(self.doing.items())
            head = Text.assemble(
                (f"proclab: {self.done}/{self.total} labs done", "bold"),
                (f", {self.failed} failed" if self.failed else "", "bold red"),
                (f", {len(rows)} running" if rows else "", "dim"),
            )
        t = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for lab, (started, what) in rows:
            t.add_row(
                Text(f"  ⠿ {lab}", style="cyan"),
                Text(f"{now - started:5.1f}s", style="dim"),
                Text(what),
            )
        return Group(head, t)


class Tracked(Observer):
    """Passes every event to the lab's own observer and tells the board where the lab is."""

    def __init__(self, inner: Observer, board: Board | None, lab: str, where: str = ""):
        self.inner, self.board, self.lab, self.where = inner, board, lab, where

    def _say(self, what: str) -> None:
        if self.board is not None:
            self.board.set(self.lab, what + (f" (on {self.where})" if self.where else ""))

    def progress(self, line: str) -> None:
        self.inner.progress(line)

    def lab_started(self, spec: LabSpec) -> None:
        self._say("starting")
        self.inner.lab_started(spec)

    def run_started(self, spec: LabSpec, variant: Variant, settings: Settings) -> None:
        self._say(f"variant {variant.name}")
        self.inner.run_started(spec, variant, settings)

    def output(self, run: RunRecord, line: Any) -> None:
        self.inner.output(run, line)

    def checkpoint(self, run: RunRecord, snap: Snapshot) -> None:
        self._say(f"variant {run.variant}: checkpoint {snap.name}")
        self.inner.checkpoint(run, snap)

    def action(self, run: RunRecord, record: Any) -> None:
        self.inner.action(run, record)

    def run_finished(self, run: RunRecord) -> None:
        self._say(f"variant {run.variant} ended")
        self.inner.run_finished(run)


@dataclass
class LabJob:
    """One lab of the pool: its spec, its own console (its narration) and observer."""

    spec: LabSpec
    console: Console
    observer: Any
    result: LabResult | None = None
    buffer: io.StringIO = field(default_factory=io.StringIO)


def _job(spec: LabSpec, out: Console, make_observer: Any) -> LabJob:
    buf = io.StringIO()
    # rich's color_system property is a str, its parameter a Literal of the same names
    console = Console(
        file=buf,
        width=out.width,
        color_system=out.color_system,  # type: ignore[arg-type]
        force_terminal=out.is_terminal,
        highlight=False,
    )
    return LabJob(spec, console, make_observer(console, spec), buffer=buf)


def narrated_pool(
    specs: list[LabSpec],
    *,
    jobs: int,
    variants: list[str] | None,
    out: Console,
    make_observer: Any,
    on_done: Any,
    trace: bool = True,
    engines: list[str] | None = None,
) -> list[LabResult]:
    """Run the labs in the pool (``run.pool``), results in the order given.

    ``make_observer(console, spec)`` makes a lab's observer (narrating into its own
    console); ``on_done(job)`` runs in this thread when a lab ends (charts, verdict),
    before its narration is printed whole. ``engines``: the engines to share the labs
    among (``--engine``; "" is the environment's, the default).
    """
    from ..run import pool
    from ..run.runner import is_exclusive, run_lab

    board = Board(len(specs))
    labs = [_job(s, out, make_observer) for s in specs]

    def task(job: LabJob) -> pool.Task[LabResult]:
        def work(stop: threading.Event, where: str) -> LabResult:
            observer = Tracked(job.observer, board, job.spec.name, where)
            return run_lab(job.spec, variants=variants, observer=observer, stop=stop, trace=trace)

        return pool.Task(job.spec.name, is_exclusive(job.spec), work)

    tasks = [task(j) for j in labs]
    job_of = {id(t): j for t, j in zip(tasks, labs, strict=True)}

    def ended(t: pool.Task[LabResult]) -> None:
        job = job_of[id(t)]
        job.result = result = t.result
        assert result is not None  # the pool sets it before on_done
        on_done(job)
        board.finish(result)
        out.print(Text.from_ansi(job.buffer.getvalue()), end="", soft_wrap=True)

    live = (
        Live(board, console=out, refresh_per_second=4, transient=True) if out.is_terminal else None
    )
    try:
        if live:
            live.start()
        pool.run_pool(tasks, width=jobs, engines=engines, on_done=ended)
    finally:
        if live:
            live.stop()
    return [j.result for j in labs if j.result is not None]


class _Quiet(Observer):
    """--json: no narration; progress lines go to stderr, named by lab."""

    def __init__(self, console: Console, lab: str):
        self.c, self.lab = console, lab

    def progress(self, line: str) -> None:
        self.c.print(Text(f"{self.lab}: {line}", style="dim"))


def side_by_side(
    specs: list[LabSpec],
    jobs: int,
    variants: list[str] | None,
    as_json: bool,
    verbose: bool,
    lang: str = "en",
    trace: bool = True,
    events: str = "some",
    engines: list[str] | None = None,
) -> list[LabResult]:
    """``proclab run --jobs N [--engine A --engine B]``: narrated (or quiet, for --json) as ``run``
    narrates one lab."""
    from .. import engine
    from ..engine import images
    from ..run.runner import sweep_stale_once
    from ..ui.bar_charts import write_picture
    from ..ui.narration import Narrator
    from .output import err_console

    out = err_console if as_json else Console(highlight=False)
    engines = engines or [engine.selected()]  # one engine: this thread's (run --engine A)
    # once per engine, before the pool: threads must not build the image side by side
    for ref in engines:
        with engine.using(ref):
            where = f" on {ref}" if ref else ""
            for gone in sweep_stale_once():
                out.print(Text(f"  removed stale {gone}{where}", style="dim"))

            def say(line: str, where: str = where) -> None:
                if "is up to date" not in line:
                    out.print(Text(f"  {line}{where}", style="dim"))

            images.ensure("lab", say)

    def make_observer(console: Console, spec: LabSpec) -> Observer:
        if as_json:
            return _Quiet(err_console, spec.name)
        return Narrator(console=console, verbose=verbose, lang=lang, events=events)

    def on_done(job: LabJob) -> None:
        assert job.result is not None
        for problem in write_picture(job.result):  # matplotlib: in this thread only
            job.observer.progress(problem)
        if not as_json:
            job.observer.verdict(job.result)

    return narrated_pool(
        specs,
        jobs=jobs,
        variants=variants,
        out=out,
        make_observer=make_observer,
        on_done=on_done,
        trace=trace,
        engines=engines,
    )
