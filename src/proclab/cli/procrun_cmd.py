"""``proclab process-run``: process-state exercises in the model of OSTEP's process-run.py."""
from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import UsageError
from ..homework import procrun as pr
from . import procrun_real as real_run

STYLE = {"RUNNING": "bold green", "READY": "yellow", "BLOCKED": "blue", "DONE": "dim"}


@click.command("process-run")
@click.option("-s", "--seed", type=int, default=0, show_default=True, help="Random seed of the programs.")
@click.option("--processes", type=int, default=2, show_default=True, help="How many generated programs.")
@click.option("--length", type=int, default=3, show_default=True, help="Instructions per generated program.")
@click.option("--cpu-percent", type=float, default=50, show_default=True, help="Chance (%) an instruction is CPU.")
@click.option("-P", "--program", "programs", multiple=True, help="One process's program, e.g. cccic (repeatable).")
@click.option("-S", "--switch", type=click.Choice(pr.SWITCH), default="on-io", show_default=True)
@click.option("-I", "--io-done", type=click.Choice(pr.IO_DONE), default="later", show_default=True)
@click.option("-L", "--io-length", type=int, default=5, show_default=True, help="Ticks an I/O takes.")
@click.option("-c", "--solve", is_flag=True, help="Show the per-tick table and the totals.")
@click.option("--real", is_flag=True, help="With --solve: also run the programs as real processes on one CPU.")
@click.option("--tick-ms", type=float, help=f"With --real: one tick in ms of CPU time [default: {real_run.TICK_MS:g}].")
@click.option("--json", "as_json", is_flag=True, help="With --solve: one JSON document.")
def process_run(seed: int, processes: int, length: int, cpu_percent: float, programs: tuple[str, ...],
                switch: str, io_done: str, io_length: int, solve: bool, real: bool, tick_ms: float | None,
                as_json: bool) -> None:
    """Which process runs, waits or is blocked at each tick, and how busy are the CPU and the I/O?"""
    progs = list(programs) or pr.generate(seed, processes, length, cpu_percent)
    ticks, totals = pr.simulate(progs, switch, io_done, io_length)
    if as_json and not solve:
        raise UsageError("--json shows the answers: use it with --solve")
    real_tick_ms = real_run.check_options(solve, real, tick_ms, progs, totals)
    if as_json:
        doc = {"programs": progs, "switch": switch, "io_done": io_done, "io_length": io_length,
               "ticks": [t.to_dict() for t in ticks], "totals": totals.to_dict()}
        if real:
            observed = real_run.observe(progs, io_length, real_tick_ms, ticks)
            doc.update(real_run.json_part(observed, totals))
            click.echo(json.dumps(doc, indent=2))
            raise SystemExit(1 if observed.facts() else 0)
        click.echo(json.dumps(doc, indent=2))
        return
    out = Console(highlight=False)
    for i, p in enumerate(progs):
        out.print(Text(f"process {i}: {p}  ({p.count('c')} CPU, {p.count('i')} I/O)"))
    out.print(Text(f"switch {switch}, I/O done {io_done}, I/O length {io_length} ticks", style="dim"))
    if not solve:
        out.print(Text("What does each process do at each tick, and how long does it all take? "
                       "Check with --solve.", style="dim"))
        return
    t = Table(box=None, header_style="bold")
    t.add_column("time", justify="right")
    for i in range(len(progs)):
        t.add_column(f"PID {i}")
    t.add_column("CPU", justify="right")
    t.add_column("IOs", justify="right")
    for tick in ticks:
        cells = [Text(c, style=STYLE.get(s, "")) for c, s in zip(tick.cells(), tick.states)]
        t.add_row(f"{tick.t}{'*' if tick.io_completed else ''}", *cells, "1" if tick.ran else "",
                  str(tick.ios) if tick.ios else "")
    out.print(t)
    pct = lambda n: f"{100 * n / totals.total_time:.2f}%"   # noqa: E731
    out.print(f"total time {totals.total_time}; CPU busy {totals.cpu_busy} ({pct(totals.cpu_busy)}); "
              f"I/O busy {totals.io_busy} ({pct(totals.io_busy)})")
    if real:
        observed = real_run.observe(progs, io_length, real_tick_ms, ticks, say=out)
        real_run.render(out, observed, totals, switch, io_done)
        raise SystemExit(1 if observed.facts() else 0)
