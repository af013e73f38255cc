"""A CPU scheduling simulator: FCFS, SJF, STCF, RR and MLFQ on a set of jobs.

Pure Python, no Docker: the ``scheduling`` lab's checks use it to predict what
the real kernel should do, and ``proclab sched`` prints exercises from it.

    >>> from proclab.sched import Job, simulate
    >>> s = simulate("fcfs", [Job("A", 0, 100), Job("B", 0, 10), Job("C", 0, 10)])
    >>> s.averages().turnaround
    110.0
"""
from __future__ import annotations

from .workload import Job, parse_jobs, random_jobs
from .metrics import Averages, JobStats
from .policies import POLICIES, simulate
from .schedule import Schedule, Segment

__all__ = ["Job", "parse_jobs", "random_jobs", "simulate", "POLICIES", "Schedule", "Segment",
           "JobStats", "Averages"]
