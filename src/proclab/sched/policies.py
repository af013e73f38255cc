"""Scheduling policies and the one event loop that runs them.

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
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import UsageError
from .jobs import Job, _num
from .metrics import Averages, JobStats

EPS = 1e-9


@dataclass(frozen=True)
class Segment:
    """``job`` had the CPU from ``start`` to ``end`` (in MLFQ, at queue ``level``, 0 = top)."""

    job: str
    start: float
    end: float
    level: int | None = None


@dataclass
class Schedule:
    policy: str
    label: str
    jobs: list[Job]
    segments: list[Segment] = field(default_factory=list)
    first_run: dict[str, float] = field(default_factory=dict)
    finish: dict[str, float] = field(default_factory=dict)
    blocked: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def stats(self) -> list[JobStats]:
        return [JobStats(j.name, j.arrival, j.length, self.first_run[j.name], self.finish[j.name],
                         sum(b - a for a, b in self.blocked.get(j.name, [])))
                for j in self.jobs]

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
        return " | ".join(f"{_num(s.start)}-{_num(s.end)} {s.job}" + (f" (Q{s.level})" if s.level is not None else "")
                          for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "label": self.label,
                "jobs": [s.to_dict() for s in self.stats()], "averages": self.averages().to_dict(),
                "segments": [[s.job, s.start, s.end] + ([s.level] if s.level is not None else [])
                             for s in self.segments]}


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
        return f"RR (slice {_num(self.slice)})"

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
        extra = f", boost every {_num(self.boost)}" if self.boost else ""
        extra += ", allotment kept across I/O" if self.keep_allotment else ""
        return f"MLFQ ({len(self.slices)} queues, slices {'/'.join(_num(s) for s in self.slices)}{extra})"

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


def run(policy: Policy, jobs: list[Job]) -> Schedule:
    """Simulate ``jobs`` under ``policy`` on one CPU."""
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise UsageError(f"two jobs share a name: {names}")
    sched = Schedule(policy.name, policy.label(), list(jobs))
    remaining = {j.name: float(j.length) for j in jobs}
    if isinstance(policy, STCF):
        policy.remaining = remaining
    since_io = {j.name: 0.0 for j in jobs}
    order = {j.name: i for i, j in enumerate(jobs)}
    arrivals = deque(sorted(jobs, key=lambda j: (j.arrival, order[j.name])))
    wakeups: list[tuple[float, int, Job]] = []
    t, running, done = 0.0, None, 0

    def admit(now: float) -> None:
        due = []
        while arrivals and arrivals[0].arrival <= now + EPS:
            j = arrivals.popleft()
            due.append((j.arrival, 0, order[j.name], j))
        for w in [w for w in wakeups if w[0] <= now + EPS]:
            wakeups.remove(w)
            due.append((w[0], 1, w[1], w[2]))
        for when, kind, _, j in sorted(due, key=lambda d: d[:3]):
            policy.add(j, when, wakeup=bool(kind))

    def next_external(now: float) -> float | None:
        times = [j.arrival for j in arrivals if j.arrival > now + EPS][:1]
        times += [w[0] for w in wakeups if w[0] > now + EPS]
        ev = policy.next_event(now)
        if ev is not None and done < len(jobs):
            times.append(ev)
        return min(times) if times else None

    guard = 0
    while done < len(jobs):
        guard += 1
        if guard > 2_000_000:
            raise UsageError("the simulation did not end: use fewer or shorter jobs, or a longer slice")
        admit(t)
        policy.at(t, running)
        if running is None:
            running = policy.pick(t)
            if running is None:                                # idle until something arrives
                nxt = min([j.arrival for j in arrivals][:1] + [w[0] for w in wakeups])
                t = max(t, nxt)
                continue
            sched.first_run.setdefault(running.name, t)
        job = running
        limits = [remaining[job.name]]
        if job.io_every:
            limits.append(job.io_every - since_io[job.name])
        q = policy.quantum(job)
        if q is not None:
            limits.append(q)
        nxt = next_external(t)
        if nxt is not None:
            limits.append(nxt - t)
        dt = max(min(limits), 0.0)
        _record(sched, job.name, t, t + dt, policy.level(job))
        t += dt
        remaining[job.name] -= dt
        since_io[job.name] += dt
        policy.ran(job, dt)
        admit(t)
        if remaining[job.name] <= EPS:
            sched.finish[job.name] = t
            done += 1
            running = None
        elif job.io_every and since_io[job.name] >= job.io_every - EPS:
            since_io[job.name] = 0.0
            sched.blocked.setdefault(job.name, []).append((t, t + job.io_for))
            wakeups.append((t + job.io_for, order[job.name], job))
            policy.blocked(job)
            running = None
        elif q is not None and policy.quantum(job) <= EPS:
            policy.expired(job, t)
            running = None
        elif policy.preemptive and policy.should_preempt(job, t):
            policy.requeue(job, t)
            running = None
    return sched


def _record(sched: Schedule, name: str, start: float, end: float, level: int | None) -> None:
    if end - start <= EPS:
        return
    last = sched.segments[-1] if sched.segments else None
    if last and last.job == name and last.level == level and abs(last.end - start) <= EPS:
        sched.segments[-1] = Segment(name, last.start, end, level)
    else:
        sched.segments.append(Segment(name, start, end, level))


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
