"""``proclab process-run --solve --real``: the options, the run on the kernel, and its table beside the model's."""
from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import UsageError
from ..homework.procreal import NOTE, RealRun
from ..homework.procrun import Tick, Totals

TICK_MS = 50.0
TICK_RANGE = (10.0, 1000.0)
MAX_PROCESSES = 10
MAX_RUN_MS = 30_000


def check_options(solve: bool, real: bool, tick_ms: float | None, programs: list[str], totals: Totals) -> float:
    """The real run's tick in ms; a UsageError for options that do not go together or are out of range."""
    if tick_ms is not None and not real:
        raise UsageError("--tick-ms sets the real run's tick: use it with --real")
    if real and not solve:
        raise UsageError("--real compares the kernel with the answers: use it with --solve")
    tick = TICK_MS if tick_ms is None else tick_ms
    low, high = TICK_RANGE
    if not (math.isfinite(tick) and low <= tick <= high):
        raise UsageError(f"--tick-ms {tick:g}: choose {low:g} to {high:g} ms (the coordinator's clock is no finer "
                         "than about a ms, and a long tick makes a long run)")
    if real and len(programs) > MAX_PROCESSES:
        raise UsageError(f"--real runs at most {MAX_PROCESSES} processes, not {len(programs)}: give fewer --program")
    if real and totals.total_time * tick > MAX_RUN_MS:
        raise UsageError(f"the model takes {totals.total_time} ticks × {tick:g} ms = {totals.total_time * tick / 1000:g} s;"
                         f" --real runs at most {MAX_RUN_MS / 1000:g} s: use a smaller --tick-ms or shorter programs")
    return tick


def observe(programs: list[str], io_length: int, tick_ms: float, ticks: list[Tick],
            say: Console | None = None) -> RealRun:
    from ..run.homework_real import procrun_real

    if say is not None:
        say.print(Text("\nRunning the programs as real processes in a lab container…", style="dim"))
    return procrun_real(programs, io_length, tick_ms, ticks)


def json_part(run: RealRun, totals: Totals) -> dict[str, Any]:
    return {"tick_ms": run.tick_ms, "cpu": run.cpu, "observed": [s.to_dict() for s in run.samples],
            "real": {"wall_ms": run.wall_ms, "paused_ms": run.paused_ms, "model_ms": totals.total_time * run.tick_ms},
            "facts": {"checked": run.counts(), "failed": run.facts()}}


def _table(run: RealRun) -> Table:
    t = Table(box=None, header_style="bold")
    t.add_column("ms", justify="right")
    t.add_column("tick", justify="right")
    for name in run.names:
        t.add_column(name)
    t.add_column("")
    for s in run.samples:
        cells = [Text(f"{w.sim}→{w.kernel}", style="green") if w.agrees
                 else Text(f"{w.sim}→{w.kernel} ✗", style="bold red") for w in s.workers]
        note = f"I/O {s.name.split('-')[1]} done next" if s.holder is not None else ""
        t.add_row(f"{s.elapsed_ms:.0f}", str(s.tick), *cells, Text(note, style="dim"))
    return t


def render(out: Console, run: RealRun, totals: Totals, switch: str, io_done: str) -> None:
    where = "one CPU" if run.cpu is None else f"CPU {run.cpu}"
    out.print(Text(f"On the kernel: {len(run.names)} processes pinned to {where}, a tick is {run.tick_ms:g} ms of "
                   "a process's own CPU time. Model → kernel at sampled moments:", style="bold"))
    out.print(Text(f"{NOTE} BLOCKED → S (asleep), DONE → gone (reaped).", style="dim"))
    out.print(_table(run))
    reasons: dict[str, list[str]] = {}
    for w in (w for s in run.samples for w in s.differences):
        names = reasons.setdefault(w.reason(), [])
        if w.name not in names:
            names.append(w.name)
    if reasons:
        out.print(Text("Where they differ:", style="bold"))
        for reason, names in reasons.items():
            out.print(Text(f"  ✗ {', '.join(sorted(names))}: {reason}"))
    failed, n = run.facts(), run.counts()
    if failed:
        out.print(Text("The kernel contradicted a fact that holds whatever the timing:", style="bold red"))
        for line in failed:
            out.print(Text(f"  {line}", style="red"))
    else:
        out.print(Text(f"Facts that hold whatever the timing, all seen: a process asleep on its I/O was S "
                       f"({n['asleep_on_io']}×), one spinning through a snapshot was R ({n['spinning']}×), "
                       f"a reaped one was gone ({n['reaped']}×).", style="green"))
    out.print(f"Real run: {run.wall_ms:.0f} ms from the start to the last exit ({run.paused_ms:.0f} ms of it the "
              f"device was held at snapshots); the model: {totals.total_time} ticks × {run.tick_ms:g} ms = "
              f"{totals.total_time * run.tick_ms:.0f} ms.")
    out.print(Text(f"The kernel schedules by its own rules: --switch {switch} and --io-done {io_done} shape only "
                   "the model.", style="dim"))
