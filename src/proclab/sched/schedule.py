"""A simulated schedule: which job ran when (segments), and each job's figures from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..jsonform import JsonForm, JsonRecord
from .metrics import Averages, JobStats
from .workload import Job, time_text

EPS = 1e-9


@dataclass(frozen=True)
class Segment:
    """``job`` had the CPU from ``start`` to ``end`` (in MLFQ, at queue ``level``, 0 = top)."""

    json_form = JsonForm(
        as_list=True, unless_none=frozenset({"level"})
    )  # [job, start, end(, level)]

    job: str
    start: float
    end: float
    level: int | None = None


@dataclass
class Schedule(JsonRecord):
    json_form = JsonForm(
        keys=("policy", "label", "stats", "averages", "segments"), renamed={"stats": "jobs"}
    )

    policy: str
    label: str
    jobs: list[Job]
    segments: list[Segment] = field(default_factory=list)
    first_run: dict[str, float] = field(default_factory=dict)
    finish: dict[str, float] = field(default_factory=dict)
    blocked: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def stats(self) -> list[JobStats]:
        return [
            JobStats(
                j.name,
                j.arrival,
                j.length,
                self.first_run[j.name],
                self.finish[j.name],
                sum(b - a for a, b in self.blocked.get(j.name, [])),
            )
            for j in self.jobs
        ]

    def stat(self, name: str) -> JobStats:
        return next(s for s in self.stats() if s.name == name)

    def averages(self) -> Averages:
        return Averages.of(self.stats())

    def finish_order(self) -> list[str]:
        return sorted(self.finish, key=lambda n: (self.finish[n], n))

    @property
    def makespan(self) -> float:
        return max(self.finish.values())

    def timeline(self) -> str:
        """``0-100 A | 100-110 B | ...``"""
        return " | ".join(
            f"{time_text(s.start)}-{time_text(s.end)} {s.job}"
            + (f" (Q{s.level})" if s.level is not None else "")
            for s in self.segments
        )
