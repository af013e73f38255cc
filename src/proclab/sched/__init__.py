"""A CPU scheduling simulator: FCFS, SJF, STCF, RR and MLFQ on a set of jobs.

Pure Python, no Docker: the ``scheduling`` lab's checks use it to predict what
the real kernel should do, and ``proclab sched`` prints exercises from it. Public:
what ``__all__`` names (docs/writing-labs.md, "Public API and internals"); the
modules behind it are not.

    >>> from proclab.sched import Job, simulate
    >>> s = simulate("fcfs", [Job("A", 0, 100), Job("B", 0, 10), Job("C", 0, 10)])
    >>> s.averages().turnaround
    110.0
"""
from __future__ import annotations

from .metrics import Averages, JobStats
from .policies import ALIASES, POLICIES, simulate
from .schedule import Schedule, Segment
from .workload import Job, parse_jobs, random_jobs, time_text

__all__ = ["Job", "parse_jobs", "random_jobs", "time_text", "simulate", "POLICIES", "ALIASES",
           "Schedule", "Segment", "JobStats", "Averages"]
