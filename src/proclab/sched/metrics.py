"""What a schedule means for each job: turnaround, response, waiting time.

- turnaround = finish - arrival (周转时间)
- response   = first run - arrival
- waiting    = turnaround - CPU time - time blocked in I/O (time spent ready, not running)
- weighted   = turnaround / length (带权周转时间, the Chinese textbooks' ratio)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..jsonform import JsonForm, JsonRecord


@dataclass(frozen=True)
class JobStats(JsonRecord):
    json_form = JsonForm(computed=("turnaround", "response", "waiting", "weighted"))

    name: str
    arrival: float
    length: float
    first_run: float
    finish: float
    io: float = 0.0

    @property
    def turnaround(self) -> float:
        return self.finish - self.arrival

    @property
    def response(self) -> float:
        return self.first_run - self.arrival

    @property
    def waiting(self) -> float:
        return self.turnaround - self.length - self.io

    @property
    def weighted(self) -> float:
        return self.turnaround / self.length


@dataclass(frozen=True)
class Averages(JsonRecord):
    turnaround: float
    response: float
    waiting: float
    weighted: float

    @classmethod
    def of(cls, stats: Iterable[JobStats]) -> Averages:
        s = list(stats)
        n = len(s)
        return cls(
            sum(x.turnaround for x in s) / n,
            sum(x.response for x in s) / n,
            sum(x.waiting for x in s) / n,
            sum(x.weighted for x in s) / n,
        )
