"""``proclab sched``: a scheduling exercise from a seed or your own jobs;
``--solve`` reveals the answers, a Gantt chart in the terminal and as a PNG.

Registered in proclab/cli/main.py; presentation only (no Docker).
"""
from __future__ import annotations

import json
import re

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import UsageError
from ..sched import ALIASES, POLICIES, Schedule, parse_jobs, random_jobs, simulate, time_text
from ..ui.gantt import LEGEND, gantt_image, gantt_text

ORDER = ["fcfs", "sjf", "stcf", "rr", "mlfq"]


def _floats(text: str | None, what: str) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"{what} must be numbers separated by commas, e.g. 1,2,4") from None


def _policies(given: tuple[str, ...]) -> list[str]:
    names = [ALIASES.get(p.lower(), p.lower()) for g in given for p in g.split(",") if p.strip()]
    for n in names:
        if n not in POLICIES:
            raise UsageError(f"unknown policy '{n}'; choose from {', '.join(ORDER)} (e.g. --policy rr)")
    return names or list(ORDER)


def _fmt(x: float) -> str:
    return time_text(round(x, 3))


def stats_table(s: Schedule) -> Table:
    t = Table(title=s.label, title_justify="left", title_style="bold", box=None, pad_edge=False)
    for col in ("job", "arrival", "length", "start", "finish", "turnaround", "response", "waiting",
                "T/length"):
        t.add_column(col, justify="left" if col == "job" else "right")
    for st in s.stats():
        t.add_row(st.name, _fmt(st.arrival), _fmt(st.length), _fmt(st.first_run), _fmt(st.finish),
                  _fmt(st.turnaround), _fmt(st.response), _fmt(st.waiting), f"{st.weighted:.2f}")
    a = s.averages()
    t.add_row(Text("average", style="bold"), "", "", "", "", Text(_fmt(a.turnaround), style="bold"),
              Text(_fmt(a.response), style="bold"), Text(_fmt(a.waiting), style="bold"), f"{a.weighted:.2f}")
    return t


def compare_table(schedules: list[Schedule]) -> Table:
    t = Table(title="the policies side by side (averages)", title_justify="left", title_style="bold")
    for col in ("policy", "turnaround", "response", "waiting", "finish order"):
        t.add_column(col, justify="left" if col in ("policy", "finish order") else "right")
    for s in schedules:
        a = s.averages()
        t.add_row(s.label, _fmt(a.turnaround), _fmt(a.response), _fmt(a.waiting), " ".join(s.finish_order()))
    return t


@click.command("sched")
@click.option("--policy", "-p", "policies", multiple=True,
              help="fcfs, sjf, stcf, rr or mlfq (repeat or comma-separate; default: all five).")
@click.option("--jobs", "-j", "jobs_text",
              help="Your jobs: 100,10,10 (lengths) or 0:100,10:10 (arrival:length), "
                   "MLFQ I/O as 0:20:2/3 (run 2, block 3).")
@click.option("--seed", "-s", type=int, default=None, help="Generate the jobs from this seed (default 0).")
@click.option("--count", "-n", type=int, default=3, show_default=True, help="Generated jobs.")
@click.option("--max-length", type=int, default=10, show_default=True, help="Longest generated job.")
@click.option("--max-arrival", type=int, default=0, show_default=True, help="Latest generated arrival.")
@click.option("--io", is_flag=True, help="Give some generated jobs an I/O pattern.")
@click.option("--slice", "-q", "slice_", type=float, default=1.0, show_default=True,
              help="RR time slice (and MLFQ's top queue slice).")
@click.option("--queues", type=int, default=3, show_default=True, help="MLFQ: number of queues.")
@click.option("--mlfq-slices", help="MLFQ: a slice per queue, top first (default: doubling, 1,2,4).")
@click.option("--boost", type=float, default=None, help="MLFQ: move every job to the top queue every S.")
@click.option("--keep-allotment", is_flag=True,
              help="MLFQ: count a job's time at a level across I/O (OSTEP's anti-gaming rule).")
@click.option("--solve", "-c", is_flag=True, help="Show the answers: schedules, figures, Gantt charts.")
@click.option("--image/--no-image", default=True, show_default=True, help="With --solve, also write a PNG.")
@click.option("--json", "as_json", is_flag=True, help="With --solve, print the answers as JSON.")
def sched(policies: tuple[str, ...], jobs_text: str | None, seed: int | None, count: int, max_length: int,
          max_arrival: int, io: bool, slice_: float, queues: int, mlfq_slices: str | None,
          boost: float | None, keep_allotment: bool, solve: bool, image: bool, as_json: bool) -> None:
    """A CPU-scheduling exercise: predict, then check with --solve.

    \b
    proclab sched                       # seed 0, all five policies
    proclab sched --seed 7 -p rr -q 2   # another exercise
    proclab sched -j 100,10,10 -p fcfs,sjf --solve
    """
    from ..paths import reports_dir

    if jobs_text and seed is not None:
        raise UsageError("give either --jobs or --seed, not both")
    if queues < 1:
        raise UsageError("--queues must be at least 1")
    jobs = parse_jobs(jobs_text) if jobs_text else random_jobs(seed or 0, count, max_length, max_arrival, io)
    names = _policies(policies)
    slices = _floats(mlfq_slices, "--mlfq-slices")
    params = dict(slice=slice_, queues=queues, slices=slices, boost=boost, keep_allotment=keep_allotment)
    schedules = [simulate(n, jobs, **params) for n in names]
    source = "your jobs" if jobs_text else f"seed {seed or 0}"

    if as_json:
        click.echo(json.dumps({"jobs": [j.__dict__ for j in jobs], "source": source,
                               "schedules": [s.to_dict() for s in schedules] if solve else None}, indent=2))
        return

    c = Console(highlight=False)
    c.rule(Text(f"scheduling exercise ({source})", style="bold"))
    for j in jobs:
        c.print(f"  {j.describe()}")
    c.print("\n  policies: " + "; ".join(s.label for s in schedules))
    if not solve:
        c.print(Text.assemble("\nFor each policy, predict:\n", ("  1. ", "bold"),
                              "who runs when (draw the timeline) and the order the jobs finish in;\n",
                              ("  2. ", "bold"), "each job's turnaround (finish - arrival), response "
                              "(first run - arrival) and waiting time (time ready but not running);\n",
                              ("  3. ", "bold"), "the averages, and which policy is best for each.\n"))
        example = f"--jobs {jobs_text}" if jobs_text else f"--seed {seed or 0}"
        c.print(Text(f"Then check: the same command with --solve, e.g. proclab sched {example} --solve",
                     style="cyan"))
        return
    for s in schedules:
        c.print()
        c.print(stats_table(s))
        shown = s.timeline() if len(s.segments) <= 16 else (
            " | ".join(s.timeline().split(" | ")[:16]) + f" | … ({len(s.segments)} runs in all)")
        c.print(Text(f"  timeline: {shown}", style="dim"), overflow="fold")
        c.print(gantt_text(s))
    c.print(Text(f"\n{LEGEND}", style="dim"))
    if len(schedules) > 1:
        c.print(compare_table(schedules))
    if image:
        tag = re.sub(r"[^A-Za-z0-9]+", "-", f"{source}-{'-'.join(names)}").strip("-")
        path = gantt_image(schedules, reports_dir() / f"sched-{tag}.png", f"proclab sched ({source})")
        c.print(Text(f"Gantt chart: {path}", style="cyan"))

