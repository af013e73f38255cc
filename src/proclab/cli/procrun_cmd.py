"""``proclab process-run``: process-state exercises in the model of OSTEP's process-run.py."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import UsageError
from ..homework import procrun as pr
from . import jsonout
from . import procrun_real as real_run

STYLE = {"RUNNING": "bold green", "READY": "yellow", "BLOCKED": "blue", "DONE": "dim"}


def _word(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """process-run.py's SWITCH_ON_IO, IO_RUN_LATER, ... mean the same as on-io, later, ..."""
    return pr.OSTEP_WORDS.get(value.lower(), value.lower())


SWITCH_WORDS = [*pr.SWITCH, "SWITCH_ON_IO", "SWITCH_ON_END"]
IO_DONE_WORDS = [*pr.IO_DONE, "IO_RUN_LATER", "IO_RUN_IMMEDIATE"]


@click.command("process-run")
@click.option(
    "-s",
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed of the programs (process-run.py's: the same seed makes the same programs).",
)
@click.option(
    "-l",
    "--processlist",
    "process_list",
    help="process-run.py's X1:Y1,X2:Y2,...: X instructions, each CPU with chance Y %, e.g. 5:100,5:100.",
)
@click.option(
    "--processes", type=int, default=2, show_default=True, help="How many generated programs."
)
@click.option(
    "--length", type=int, default=3, show_default=True, help="Instructions per generated program."
)
@click.option(
    "--cpu-percent",
    type=float,
    default=50,
    show_default=True,
    help="Chance (%) an instruction is CPU.",
)
@click.option(
    "-P",
    "--program",
    "programs",
    multiple=True,
    help="One process's program, e.g. cccic (repeatable), or process-run.py's c3,i,c1:i,c2.",
)
@click.option(
    "-S",
    "--switch",
    type=click.Choice(SWITCH_WORDS, case_sensitive=False),
    default="on-io",
    show_default=True,
    callback=_word,
)
@click.option(
    "-I",
    "--io-done",
    "--iodone",
    type=click.Choice(IO_DONE_WORDS, case_sensitive=False),
    default="later",
    show_default=True,
    callback=_word,
)
@click.option(
    "-L",
    "--io-length",
    "--iolength",
    type=int,
    default=5,
    show_default=True,
    help="Ticks an I/O takes (0: it is done at the next tick).",
)
@click.option("-c", "--solve", is_flag=True, help="Show the per-tick table and the totals.")
@click.option(
    "-p",
    "--printstats",
    is_flag=True,
    help="process-run.py's -p: with --solve the totals are always shown.",
)
@click.option(
    "--real", is_flag=True, help="With --solve: also run the programs as real processes on one CPU."
)
@click.option(
    "--tick-ms",
    type=float,
    help=f"With --real: one tick in ms of CPU time [default: {real_run.TICK_MS:g}].",
)
@click.option("--json", "as_json", is_flag=True, help="With --solve: one JSON document.")
def process_run(
    seed: int,
    process_list: str | None,
    processes: int,
    length: int,
    cpu_percent: float,
    programs: tuple[str, ...],
    switch: str,
    io_done: str,
    io_length: int,
    solve: bool,
    printstats: bool,
    real: bool,
    tick_ms: float | None,
    as_json: bool,
) -> None:
    """Which process runs, waits or is blocked at each tick, and how busy are the CPU and the I/O?

    The options are process-run.py's (OSTEP), with the same meaning and the same seeds."""
    if programs and process_list:
        raise UsageError(
            "give the programs (-P) or a process list to draw them from (-l), not both"
        )
    progs = [q for p in programs for q in (pr.from_ostep(p) if pr.is_ostep_program(p) else [p])]
    if not progs:
        progs = pr.generate(
            seed,
            pr.parse_process_list(process_list)
            if process_list
            else [(length, cpu_percent)] * processes,
        )
    ticks, totals = pr.simulate(progs, switch, io_done, io_length)
    if as_json and not solve:
        raise UsageError("--json shows the answers: use it with --solve")
    real_tick_ms = real_run.check_options(solve, real, tick_ms, progs, totals)
    if as_json:
        doc = {
            "programs": progs,
            "switch": switch,
            "io_done": io_done,
            "io_length": io_length,
            "ticks": [t.to_dict() for t in ticks],
            "totals": totals.to_dict(),
        }
        if real:
            observed = real_run.observe(progs, io_length, real_tick_ms, ticks)
            doc.update(real_run.json_part(observed, totals))
            jsonout.emit(doc)
            raise SystemExit(1 if observed.facts() else 0)
        jsonout.emit(doc)
        return
    out = Console(highlight=False)
    for i, p in enumerate(progs):
        out.print(Text(f"process {i}: {p}  ({p.count('c')} CPU, {p.count('i')} I/O)"))
    out.print(
        Text(f"switch {switch}, I/O done {io_done}, I/O length {io_length} ticks", style="dim")
    )
    if not solve:
        out.print(
            Text(
                "What does each process do at each tick, and how long does it all take? "
                "Check with --solve.",
                style="dim",
            )
        )
        return
    t = Table(box=None, header_style="bold")
    t.add_column("time", justify="right")
    for i in range(len(progs)):
        t.add_column(f"PID {i}")
    t.add_column("CPU", justify="right")
    t.add_column("IOs", justify="right")
    for tick in ticks:
        cells = [
            Text(c, style=STYLE.get(s, "")) for c, s in zip(tick.cells(), tick.states, strict=False)
        ]
        t.add_row(
            f"{tick.t}{'*' if tick.io_completed else ''}",
            *cells,
            "1" if tick.ran else "",
            str(tick.ios) if tick.ios else "",
        )
    out.print(t)

    def pct(n: float) -> str:
        return f"{100 * n / totals.total_time:.2f}%"

    out.print(
        f"total time {totals.total_time}; CPU busy {totals.cpu_busy} ({pct(totals.cpu_busy)}); "
        f"I/O busy {totals.io_busy} ({pct(totals.io_busy)})"
    )
    if real:
        observed = real_run.observe(progs, io_length, real_tick_ms, ticks, say=out)
        real_run.render(out, observed, totals, switch, io_done)
        raise SystemExit(1 if observed.facts() else 0)
