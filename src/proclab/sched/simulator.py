"""The one event loop that runs every policy on one CPU (conventions: see policies.py)."""
from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..errors import UsageError
from .workload import Job
from .schedule import EPS, Schedule, Segment

if TYPE_CHECKING:
    from .policies import Policy


def run(policy: Policy, jobs: list[Job]) -> Schedule:
    """Simulate ``jobs`` under ``policy`` on one CPU."""
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise UsageError(f"two jobs share a name: {names}")
    return _Simulation(policy, jobs).run()


class _Simulation:
    """The clock, the arrivals and I/O wake-ups, and what each job has left."""

    def __init__(self, policy: Policy, jobs: list[Job]) -> None:
        self.policy, self.jobs = policy, jobs
        self.sched = Schedule(policy.name, policy.label(), list(jobs))
        self.remaining = {j.name: float(j.length) for j in jobs}
        if hasattr(policy, "remaining"):    # STCF decides by the time each job has left
            policy.remaining = self.remaining
        self.since_io = {j.name: 0.0 for j in jobs}
        self.order = {j.name: i for i, j in enumerate(jobs)}
        self.arrivals = deque(sorted(jobs, key=lambda j: (j.arrival, self.order[j.name])))
        self.wakeups: list[tuple[float, int, Job]] = []
        self.t, self.done = 0.0, 0

    def admit(self, now: float) -> None:
        due = []
        while self.arrivals and self.arrivals[0].arrival <= now + EPS:
            j = self.arrivals.popleft()
            due.append((j.arrival, 0, self.order[j.name], j))
        for w in [w for w in self.wakeups if w[0] <= now + EPS]:
            self.wakeups.remove(w)
            due.append((w[0], 1, w[1], w[2]))
        for when, kind, _, j in sorted(due, key=lambda d: d[:3]):
            self.policy.add(j, when, wakeup=bool(kind))

    def next_external(self, now: float) -> float | None:
        times = [j.arrival for j in self.arrivals if j.arrival > now + EPS][:1]
        times += [w[0] for w in self.wakeups if w[0] > now + EPS]
        ev = self.policy.next_event(now)
        if ev is not None and self.done < len(self.jobs):
            times.append(ev)
        return min(times) if times else None

    def run(self) -> Schedule:
        running: Job | None = None
        for _ in range(2_000_000):
            if self.done >= len(self.jobs):
                return self.sched
            self.admit(self.t)
            self.policy.at(self.t, running)
            if running is None:
                running = self.policy.pick(self.t)
                if running is None:                                # idle until something arrives
                    self.t = max(self.t, min([j.arrival for j in self.arrivals][:1] + [w[0] for w in self.wakeups]))
                    continue
                self.sched.first_run.setdefault(running.name, self.t)
            running = self.step(running)
        raise UsageError("the simulation did not end: use fewer or shorter jobs, or a longer slice")

    def step(self, job: Job) -> Job | None:
        """Run ``job`` until something happens; the job that runs next, if it is still this one."""
        limits = [self.remaining[job.name]]
        if job.io_every:
            limits.append(job.io_every - self.since_io[job.name])
        q = self.policy.quantum(job)
        if q is not None:
            limits.append(q)
        nxt = self.next_external(self.t)
        if nxt is not None:
            limits.append(nxt - self.t)
        dt = max(min(limits), 0.0)
        _record(self.sched, job.name, self.t, self.t + dt, self.policy.level(job))
        self.t += dt
        self.remaining[job.name] -= dt
        self.since_io[job.name] += dt
        self.policy.ran(job, dt)
        self.admit(self.t)
        return self.after_step(job, q)

    def after_step(self, job: Job, q: float | None) -> Job | None:
        policy, t = self.policy, self.t
        if self.remaining[job.name] <= EPS:
            self.sched.finish[job.name] = t
            self.done += 1
        elif job.io_every and self.since_io[job.name] >= job.io_every - EPS:
            self.since_io[job.name] = 0.0
            self.sched.blocked.setdefault(job.name, []).append((t, t + job.io_for))
            self.wakeups.append((t + job.io_for, self.order[job.name], job))
            policy.blocked(job)
        elif q is not None and policy.quantum(job) <= EPS:
            policy.expired(job, t)
        elif policy.preemptive and policy.should_preempt(job, t):
            policy.requeue(job, t)
        else:
            return job
        return None


def _record(sched: Schedule, name: str, start: float, end: float, level: int | None) -> None:
    if end - start <= EPS:
        return
    last = sched.segments[-1] if sched.segments else None
    if last and last.job == name and last.level == level and abs(last.end - start) <= EPS:
        sched.segments[-1] = Segment(name, last.start, end, level)
    else:
        sched.segments.append(Segment(name, start, end, level))
