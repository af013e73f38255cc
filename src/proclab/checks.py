"""The lab-author API for checks (public): ``from proclab.checks import check, expect, within``.

The model lives in ``proclab.lab.checks``; this module is its stable public name,
so lab folders written for proclab keep working whatever the layout behind it.
"""
from __future__ import annotations

from .lab.checks import (
    Check,
    CheckFailed,
    CheckInconclusive,
    LabChecks,
    check,
    expect,
    inconclusive,
    load_checks,
    require_free_cpus,
    run_checks,
    within,
)
from .lab.hostload import HostLoad, host_load
from .lab.kernel_record import (
    EventKind,
    HandlerKind,
    KernelEvent,
    KernelRecord,
    NoKernelRecord,
    SignalResult,
)
from .lab.mutate import Mutation, set_data

__all__ = ["check", "expect", "within", "inconclusive", "host_load", "require_free_cpus", "HostLoad",
           "CheckFailed", "CheckInconclusive", "Check", "LabChecks", "load_checks", "run_checks",
           "Mutation", "set_data",
           "EventKind", "HandlerKind", "KernelEvent", "KernelRecord", "NoKernelRecord", "SignalResult"]
