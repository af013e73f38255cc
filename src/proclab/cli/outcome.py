"""What a run of labs amounts to: one verdict and the exit code (0 passed, 1 failed).

An inconclusive check (the host did not allow the measurement) is not a failure of the
lab: it exits 0, unless ``--strict`` asks that every fact be shown (then 1).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lab.document import verdict_of
from ..lab.result import LabResult
from ..lab.status import Status

combined_verdict = verdict_of


def exit_status(results: Sequence[LabResult], strict: bool = False) -> int:
    verdict = combined_verdict(results)
    return 1 if verdict is Status.FAILED or (strict and verdict is Status.INCONCLUSIVE) else 0
