"""What a run of labs amounts to: one verdict and the exit code (0 passed, 1 failed).

An inconclusive check (the host did not allow the measurement) is not a failure of the
lab: it exits 0, unless ``--strict`` asks that every fact be shown (then 1).
"""
from __future__ import annotations

from collections.abc import Sequence

from ..lab.result import FAILED, INCONCLUSIVE, PASSED, LabResult


def combined_verdict(results: Sequence[LabResult]) -> str:
    verdicts = {r.verdict for r in results}
    return FAILED if FAILED in verdicts else INCONCLUSIVE if INCONCLUSIVE in verdicts else PASSED


def exit_status(results: Sequence[LabResult], strict: bool = False) -> int:
    verdict = combined_verdict(results)
    return 1 if verdict == FAILED or (strict and verdict == INCONCLUSIVE) else 0
