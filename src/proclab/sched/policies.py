"""Scheduling policies: FCFS, SJF, STCF, RR and MLFQ (the loop that runs them is simulator.py).

Conventions (the usual textbook ones, stated so answers can be checked):
- Time is continuous; one CPU; switching costs nothing.
- Ties go to the job that arrived first, then to the one listed first.
- A job arriving at the very moment a time slice ends joins the queue *before*
  the job whose slice ended (RR, MLFQ).
- A job with an I/O pattern runs ``io_every``, blocks ``io_for``, and rejoins
  its queue's tail when the I/O is done.

MLFQ follows the seed's rules (多级反馈队列): new jobs enter the top queue;
a job that uses its whole slice moves down one queue (the last queue is round
robin); lower queues have longer slices; a queue runs only when every higher
one is empty, and a job arriving in a higher queue preempts the running one,
which goes back to the tail of its own queue. A job that blocks for I/O before
its slice ends keeps its queue. Two optional refinements from OSTEP: a
priority ``boost`` every S time units (all jobs back to the top, so long jobs
cannot starve), and ``keep_allotment`` (a job's used time at a level is kept
across I/O and preemption, so a job cannot game the scheduler by blocking just
before its slice ends).
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable

from ..errors import UsageError
from .workload import Job, time_text
from .schedule import EPS, Schedule
from .simulator import run


class Policy:
    """What a policy decides; the event loop in ``run`` does the rest."""

    name = "?"
    preemptive = False

    def label(self) -> str:
        return self.name.upper()

    def add(self, job: Job, t: float, wakeup: bool) -> None: raise NotImplementedError
    def pick(self, t: float) -> Job | None: raise NotImplementedError
    def quantum(self, job: Job) -> float | None: return None
    def ran(self, job: Job, dt: float) -> None: ...
    def expired(self, job: Job, t: float) -> None: ...
    def should_preempt(self, job: Job, t: float) -> bool: return False
    def requeue(self, job: Job, t: float) -> None: self.add(job, t, wakeup=False)
    def blocked(self, job: Job) -> None: ...
    def next_event(self, t: float) -> float | None: return None
    def at(self, t: float, running: Job | None) -> None: ...
    def level(self, job: Job) -> int | None: return None


class FCFS(Policy):
    """First come, first served (FIFO): run each job to its end, in arrival order."""

    name = "fcfs"

    def __init__(self) -> None:
        self.queue: deque[Job] = deque()

    def add(self, job: Job, t: float, wakeup: bool) -> None:
        self.queue.append(job)

    def pick(self, t: float) -> Job | None:
        return self.queue.popleft() if self.queue else None


class SJF(Policy):
    """Shortest job first, non-preemptive: whenever the CPU is free, the shortest ready job."""

    name = "sjf"

    def __init__(self, order: dict[str, int]) -> None:
        self.ready: list[Job] = []
        self.order = order

    def add(self, job: Job, t: float, wakeup: bool) -> None:
        self.ready.append(job)

    def key(self, job: Job) -> tuple[float, float, int]:
        return (job.length, job.arrival, self.order[job.name])

    def pick(self, t: float) -> Job | None:
        if not self.ready:
            return None
        best = min(self.ready, key=self.key)
        self.ready.remove(best)
        return best


class STCF(SJF):
    """Shortest time-to-completion first (preemptive SJF, SRTF): an arriving job
    with less work left than the running one takes the CPU."""

    name = "stcf"
    preemptive = True

    def __init__(self, order: dict[str, int], remaining: dict[str, float]) -> None:
        super().__init__(order)
        self.remaining = remaining

    def key(self, job: Job) -> tuple[float, float, int]:
        return (self.remaining[job.name], job.arrival, self.order[job.name])

    def should_preempt(self, job: Job, t: float) -> bool:
        return any(self.remaining[j.name] < self.remaining[job.name] - EPS for j in self.ready)


class RR(Policy):
    """Round robin: each job runs at most one time slice, then goes to the queue's tail."""

    name = "rr"

    def __init__(self, slice_: float) -> None:
        if slice_ <= 0:
            raise UsageError(f"the RR time slice must be positive, not {slice_}")
        self.slice = slice_
        self.queue: deque[Job] = deque()
        self.used: dict[str, float] = {}

    def label(self) -> str:
        return f"RR (slice {time_text(self.slice)})"

    def add(self, job: Job, t: float, wakeup: bool) -> None:
        self.queue.append(job)

    def pick(self, t: float) -> Job | None:
        if not self.queue:
            return None
        job = self.queue.popleft()
        self.used[job.name] = 0.0
        return job

    def quantum(self, job: Job) -> float | None:
        return self.slice - self.used[job.name]

    def ran(self, job: Job, dt: float) -> None:
        self.used[job.name] += dt

    def expired(self, job: Job, t: float) -> None:
        self.queue.append(job)


class MLFQ(Policy):
    """Multi-level feedback queue (see the module docstring for its rules)."""

    name = "mlfq"
    preemptive = True

    def __init__(self, slices: list[float], boost: float | None = None, keep_allotment: bool = False) -> None:
        if not slices or any(s <= 0 for s in slices):
            raise UsageError("MLFQ needs at least one queue and positive slices, e.g. --mlfq-slices 1,2,4")
        if boost is not None and boost <= 0:
            raise UsageError(f"the MLFQ boost period must be positive, not {boost}")
        self.slices = slices
        self.boost = boost
        self.keep_allotment = keep_allotment
        self.queues: list[deque[Job]] = [deque() for _ in slices]
        self.levels: dict[str, int] = {}
        self.used: dict[str, float] = {}

    def label(self) -> str:
        extra = f", boost every {time_text(self.boost)}" if self.boost else ""
        extra += ", allotment kept across I/O" if self.keep_allotment else ""
        return f"MLFQ ({len(self.slices)} queues, slices {'/'.join(time_text(s) for s in self.slices)}{extra})"

    def add(self, job: Job, t: float, wakeup: bool) -> None:
        if job.name not in self.levels:          # a new job enters the top queue
            self.levels[job.name] = 0
            self.used[job.name] = 0.0
        self.queues[self.levels[job.name]].append(job)

    def pick(self, t: float) -> Job | None:
        for q in self.queues:                     # the highest non-empty queue runs
            if q:
                job = q.popleft()
                if not self.keep_allotment:
                    self.used[job.name] = 0.0     # the seed's rule: a full slice at each dispatch
                return job
        return None

    def quantum(self, job: Job) -> float | None:
        return self.slices[self.levels[job.name]] - self.used[job.name]

    def ran(self, job: Job, dt: float) -> None:
        self.used[job.name] += dt

    def expired(self, job: Job, t: float) -> None:
        self.levels[job.name] = min(self.levels[job.name] + 1, len(self.queues) - 1)   # used it all: move down
        self.used[job.name] = 0.0
        self.queues[self.levels[job.name]].append(job)

    def should_preempt(self, job: Job, t: float) -> bool:
        return any(self.queues[i] for i in range(self.levels[job.name]))

    def next_event(self, t: float) -> float | None:
        if not self.boost:
            return None
        return (int((t + EPS) / self.boost) + 1) * self.boost

    def at(self, t: float, running: Job | None) -> None:
        if not self.boost or t < EPS or abs(t / self.boost - round(t / self.boost)) > EPS:
            return
        everyone = [j for q in self.queues for j in q]
        for q in self.queues:
            q.clear()
        self.queues[0].extend(everyone)
        for name in self.levels:                  # queued, running and blocked jobs alike
            self.levels[name] = 0
            self.used[name] = 0.0

    def level(self, job: Job) -> int | None:
        return self.levels[job.name]


def _fcfs(jobs: list[Job], **_: Any) -> Policy:
    return FCFS()


def _sjf(jobs: list[Job], **_: Any) -> Policy:
    return SJF({j.name: i for i, j in enumerate(jobs)})


def _stcf(jobs: list[Job], **_: Any) -> Policy:
    return STCF({j.name: i for i, j in enumerate(jobs)}, {})


def _rr(jobs: list[Job], slice: float = 1.0, **_: Any) -> Policy:
    return RR(slice)


def _mlfq(jobs: list[Job], slices: list[float] | None = None, queues: int = 3, slice: float = 1.0,
          boost: float | None = None, keep_allotment: bool = False, **_: Any) -> Policy:
    if slices is None:
        slices = [slice * 2 ** i for i in range(queues)]     # lower queues, longer slices
    return MLFQ(list(slices), boost=boost, keep_allotment=keep_allotment)


POLICIES: dict[str, Callable[..., Policy]] = {"fcfs": _fcfs, "sjf": _sjf, "stcf": _stcf, "rr": _rr, "mlfq": _mlfq}
ALIASES = {"fifo": "fcfs", "srtf": "stcf", "psjf": "stcf", "round-robin": "rr"}


def simulate(policy: str, jobs: list[Job], **params: Any) -> Schedule:
    """Run ``jobs`` under ``policy`` (fcfs, sjf, stcf, rr, mlfq).

    Parameters: ``slice`` (RR, and MLFQ's top queue), ``queues``, ``slices``,
    ``boost`` and ``keep_allotment`` (MLFQ).
    """
    key = ALIASES.get(policy.lower(), policy.lower())
    if key not in POLICIES:
        raise UsageError(f"unknown policy '{policy}'; choose one of {', '.join(POLICIES)}")
    if not jobs:
        raise UsageError("no jobs to schedule")
    return run(POLICIES[key](jobs, **params), jobs)
