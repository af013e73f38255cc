"""The lab-author API for checks (public): ``from proclab.checks import check, expect``.

The model lives in ``proclab.lab.checking``; this module is its stable public name,
so lab folders written for proclab keep working whatever the layout behind it.
"""
from __future__ import annotations

import warnings
from typing import Any

from .lab.checking import (
    Check,
    CheckFailed,
    CheckInconclusive,
    LabChecks,
    check,
    close_to,
    expect,
    inconclusive,
    load_checks,
    require_free_cpus,
    run_checks,
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

__all__ = ["check", "expect", "close_to", "inconclusive", "host_load", "require_free_cpus",
           "HostLoad", "CheckFailed", "CheckInconclusive", "Check", "LabChecks", "load_checks",
           "run_checks", "Mutation", "set_data", "EventKind", "HandlerKind", "KernelEvent",
           "KernelRecord", "NoKernelRecord", "SignalResult"]


def __getattr__(name: str) -> Any:
    # ``within`` was close_to's name until the engine's deadline helper took the word: lab folders
    # written for that release still load, with a warning that names the new one.
    if name == "within":
        warnings.warn("proclab.checks.within is now close_to (same arguments)", DeprecationWarning,
                      stacklevel=2)
        return close_to
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
