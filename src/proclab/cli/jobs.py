"""``proclab run --jobs N``: labs side by side, each lab's narration kept whole.

Labs that share the host-wide lock (``run.lock``: they measure no CPU time) run
N at a time in threads; the exclusive ones (priority, parallelism, scheduling)
run after them, one at a time. Each lab narrates into a console of its own; its
narration is printed whole when it ends, above a live board of what runs now.
A thread per lab is enough: a lab's time is spent waiting on its container.

``--engine A --engine B`` (``run --all``): every engine has N places (one for the
exclusive labs), and the next lab goes to whichever engine frees a place first,
so a slow engine takes fewer labs. Each lab's thread talks to its engine only
(``engine.using``); Ctrl-C removes this run's containers on every engine.
"""
from __future__ import annotations

import io
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..lab.events import Observer
from ..lab.result import LabResult, RunRecord
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
            head = Text.assemble((f"proclab: {self.done}/{self.total} labs done", "bold"),
                                 (f", {self.failed} failed" if self.failed else "", "bold red"),
                                 (f", {len(rows)} running" if rows else "", "dim"))
        t = Table.grid(padding=(0, 2))
        now = time.monotonic()
        for lab, (started, what) in rows:
            t.add_row(Text(f"  ⠿ {lab}", style="cyan"), Text(f"{now - started:5.1f}s", style="dim"), Text(what))
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

    def run_started(self, spec: LabSpec, variant: Variant, settings: dict[str, Any]) -> None:
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
    console = Console(file=buf, width=out.width, color_system=out.color_system,
                      force_terminal=out.is_terminal, highlight=False)
    return LabJob(spec, console, make_observer(console, spec), buffer=buf)


def run_pool(specs: list[LabSpec], *, jobs: int, variants: list[str] | None, out: Console,
             make_observer: Any, on_done: Any, trace: bool = True,
             engines: list[str] | None = None) -> list[LabResult]:
    """Run the labs, N shared ones at a time per engine, then the exclusive ones alone (one per
    engine); results in the order given.

    ``make_observer(console, spec)`` makes a lab's observer (narrating into its own
    console); ``on_done(job)`` runs in this thread when a lab ends (charts, verdict),
    before its narration is printed whole. ``engines``: the engines to share the labs
    among (``--engine``; "" is the environment's, the default).
    """
    from ..run.runner import is_exclusive

    board = Board(len(specs))
    shared = [_job(s, out, make_observer) for s in specs if not is_exclusive(s)]
    alone = [_job(s, out, make_observer) for s in specs if is_exclusive(s)]
    live = Live(board, console=out, refresh_per_second=4, transient=True) if out.is_terminal else None
    try:
        if live:
            live.start()
        refs = engines or [_selected()]
        for batch, width in ((shared, jobs), (alone, 1)):
            _run_batch(batch, Places(refs, width), variants, board, out, on_done, trace)
    finally:
        if live:
            live.stop()
    by_name = {id(j.spec): j.result for j in shared + alone}
    return [r for r in (by_name[id(s)] for s in specs) if r is not None]


def _selected() -> str:
    from .. import engine

    return engine.selected()


STOP_GRACE_S = 20.0      # after Ctrl-C: how long the running labs get to notice their containers are gone


class Places:
    """How many labs each engine may run at once, and which engine has a free place now."""

    def __init__(self, engines: list[str], width: int):
        self.free = {ref: width for ref in dict.fromkeys(engines)}

    def take(self) -> str | None:
        """The engine with the most free places (the first named, on a tie), or None when all are full."""
        ref = max(self.free, key=lambda r: self.free[r])
        if self.free[ref] <= 0:
            return None
        self.free[ref] -= 1
        return ref

    def give_back(self, ref: str) -> None:
        self.free[ref] += 1


def _start(job: LabJob, variants: list[str] | None, board: Board, stopping: threading.Event,
           trace: bool = True, engine_ref: str = "") -> Future[LabResult]:
    """The lab in a thread of its own (a daemon: a lab stuck past Ctrl-C's grace cannot hold the exit),
    its engine calls going to ``engine_ref``."""
    from .. import engine
    from ..run.runner import run_lab

    fut: Future[LabResult] = Future()
    observer = Tracked(job.observer, board, job.spec.name, engine_ref)

    def work() -> None:
        fut.set_running_or_notify_cancel()
        try:
            with engine.using(engine_ref):
                fut.set_result(run_lab(job.spec, variants=variants, observer=observer, stop=stopping,
                                       trace=trace))
        except BaseException as err:      # re-raised in the pool's thread by fut.result()
            fut.set_exception(err)

    threading.Thread(target=work, name=f"proclab-lab {job.spec.name}", daemon=True).start()
    return fut


def _run_batch(batch: list[LabJob], places: Places, variants: list[str] | None, board: Board, out: Console,
               on_done: Any, trace: bool = True) -> None:
    waiting = list(batch)
    running: dict[Future[LabResult], tuple[LabJob, str]] = {}
    stopping = threading.Event()
    try:
        while waiting or running:
            while waiting and (ref := places.take()) is not None:
                job = waiting.pop(0)
                running[_start(job, variants, board, stopping, trace, ref)] = (job, ref)
            # a timeout, so that Ctrl-C reaches this thread while labs run
            finished, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                job, ref = running.pop(fut)
                places.give_back(ref)
                job.result = fut.result()      # a lab that could not run at all stops the pool
                on_done(job)
                board.finish(job.result)
                out.print(Text.from_ansi(job.buffer.getvalue()), end="", soft_wrap=True)
    except BaseException:
        # Ctrl-C, or a lab that could not run: waiting labs never start, running ones start no
        # further variant, and removing this run's containers ends theirs now.
        stopping.set()
        stop_running(list(running))
        raise


def stop_running(running: list[Future[Any]]) -> None:
    """Remove this run's containers until every running lab has noticed and ended (bounded).

    Again and again, not once: a lab between "no stop yet" and its create call makes one
    more container after the first removal."""
    from .. import engine

    deadline = time.monotonic() + STOP_GRACE_S
    while True:
        try:
            engine.remove_own()
        except Exception:       # a dead engine: the next command's sweep removes what is left
            return
        left = [f for f in running if not f.done()]
        if not left or time.monotonic() > deadline:
            return
        wait(left, timeout=1.0)


class _Quiet(Observer):
    """--json: no narration; progress lines go to stderr, named by lab."""

    def __init__(self, console: Console, lab: str):
        self.c, self.lab = console, lab

    def progress(self, line: str) -> None:
        self.c.print(Text(f"{self.lab}: {line}", style="dim"))


def side_by_side(specs: list[LabSpec], jobs: int, variants: list[str] | None, as_json: bool,
                 verbose: bool, lang: str | None = None, trace: bool = True,
                 events: str = "some", engines: list[str] | None = None) -> list[LabResult]:
    """``proclab run --jobs N [--engine A --engine B]``: narrated (or quiet, for --json) as ``run``
    narrates one lab."""
    from .. import engine
    from ..engine import images
    from ..run.runner import sweep_stale_once
    from ..ui.bar_charts import write_picture
    from ..ui.narration import Narrator
    from .output import err_console

    out = err_console if as_json else Console(highlight=False)
    engines = engines or [engine.selected()]        # one engine: this thread's (run --engine A)
    # once per engine, before the pool: threads must not build the image side by side
    for ref in engines:
        with engine.using(ref):
            where = f" on {ref}" if ref else ""
            for gone in sweep_stale_once():
                out.print(Text(f"  removed stale {gone}{where}", style="dim"))
            images.ensure("lab", lambda line: None if "is up to date" in line
                          else out.print(Text(f"  {line}{where}", style="dim")))

    def make_observer(console: Console, spec: LabSpec) -> Observer:
        if as_json:
            return _Quiet(err_console, spec.name)
        return Narrator(console=console, verbose=verbose, lang=lang, events=events)

    def on_done(job: LabJob) -> None:
        assert job.result is not None
        for problem in write_picture(job.result):      # matplotlib: in this thread only
            job.observer.progress(problem)
        if not as_json:
            job.observer.verdict(job.result)

    return run_pool(specs, jobs=jobs, variants=variants, out=out, make_observer=make_observer, on_done=on_done,
                    trace=trace, engines=engines)
