"""What a run of labs amounts to: one verdict and the exit code (0 passed, 1 failed).

An inconclusive check (the host did not allow the measurement) is not a failure of the
lab: it exits 0, unless ``--strict`` asks that every fact be shown (then 1).
"""
from __future__ import annotations

from typing import Sequence

from ..lab.result import LabResult
from ..lab.status import Status


def combined_verdict(results: Sequence[LabResult]) -> Status:
    verdicts = {r.verdict for r in results}
    for worst in (Status.FAILED, Status.INCONCLUSIVE):
        if worst in verdicts:
            return worst
    return Status.PASSED


def exit_status(results: Sequence[LabResult], strict: bool = False) -> int:
    verdict = combined_verdict(results)
    return 1 if verdict is Status.FAILED or (strict and verdict is Status.INCONCLUSIVE) else 0
