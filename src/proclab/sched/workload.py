"""Jobs for the simulator: given explicitly or generated from a seed."""
from __future__ import annotations

import random
import string
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class Job:
    """A job arrives at ``arrival`` and needs ``length`` units of CPU.

    With ``io_every`` set, it runs that long, then blocks for ``io_for`` (an I/O),
    and so on until its CPU time is used up (it never blocks at the very end).
    """

    name: str
    arrival: float
    length: float
    io_every: float | None = None
    io_for: float = 0.0

    def __post_init__(self) -> None:
        if self.length <= 0:
            raise UsageError(f"job {self.name}: length must be positive, not {self.length}")
        if self.arrival < 0:
            raise UsageError(f"job {self.name}: arrival must be 0 or later, not {self.arrival}")
        if self.io_every is not None and (self.io_every <= 0 or self.io_for <= 0):
            raise UsageError(f"job {self.name}: an I/O pattern needs positive run and block times, "
                             f"e.g. 0:20:2/3 (run 2, block 3)")

    def describe(self) -> str:
        io = f", then I/O: run {time_text(self.io_every)} / block {time_text(self.io_for)}" if self.io_every else ""
        return f"{self.name}: arrives at {time_text(self.arrival)}, needs {time_text(self.length)}{io}"


def time_text(x: float | None) -> str:
    """A time as the exercises print it: ``3``, ``2.5``, or ``-`` for none."""
    if x is None:
        return "-"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def names(n: int) -> list[str]:
    letters = string.ascii_uppercase
    return [letters[i] if i < 26 else f"J{i}" for i in range(n)]


def parse_jobs(text: str) -> list[Job]:
    """Jobs from text: ``100,10,10`` (lengths, all arriving at 0) or
    ``0:100,0:10,10:10`` (arrival:length), with an optional I/O pattern for
    MLFQ: ``0:20:2/3`` runs 2 units, then blocks for 3, until done."""
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise UsageError("no jobs given; write them like --jobs 100,10,10 or --jobs 0:100,0:10,10:10")
    jobs = []
    for name, item in zip(names(len(items)), items):
        parts = item.split(":")
        try:
            if len(parts) == 1:
                jobs.append(Job(name, 0.0, float(parts[0])))
            elif len(parts) == 2:
                jobs.append(Job(name, float(parts[0]), float(parts[1])))
            elif len(parts) == 3:
                run, _, block = parts[2].partition("/")
                jobs.append(Job(name, float(parts[0]), float(parts[1]), float(run), float(block or "nan")))
            else:
                raise ValueError
        except ValueError:
            raise UsageError(f"cannot read job '{item}'; write LENGTH, ARRIVAL:LENGTH or "
                             f"ARRIVAL:LENGTH:RUN/BLOCK, e.g. 0:20:2/3") from None
    return jobs


def random_jobs(seed: int, count: int = 3, max_length: int = 10, max_arrival: int = 0,
                io: bool = False) -> list[Job]:
    """An exercise from a seed: the same seed gives the same jobs, every time."""
    if count < 1 or max_length < 1 or max_arrival < 0:
        raise UsageError("--count and --max-length must be at least 1, --max-arrival at least 0")
    rng = random.Random(seed)
    jobs = []
    for name in names(count):
        arrival = rng.randint(0, max_arrival) if max_arrival else 0
        length = rng.randint(1, max_length)
        if io and length > 2 and rng.random() < 0.5:
            jobs.append(Job(name, float(arrival), float(length), float(rng.randint(1, max(1, length // 3))),
                            float(rng.randint(1, 3))))
        else:
            jobs.append(Job(name, float(arrival), float(length)))
    return jobs
