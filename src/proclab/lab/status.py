"""A check's or a lab's verdict: one word, one meaning (docs/result-model.md)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """passed: the fact was shown, with evidence; failed: it was refuted (or the run went
    wrong); inconclusive: the world did not allow the measurement (a busy host, no kernel
    record), so the fact was neither shown nor refuted."""

    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"

    @classmethod
    def of(cls, shown: bool) -> Status:
        """passed when ``shown``, else failed: for a verdict that has no inconclusive case."""
        return cls.PASSED if shown else cls.FAILED


class DoctorVerdict(StrEnum):
    """The doctor's word on one finding, finer than its check's Status (figures' ``verdict``)."""

    OK = "ok"  # passed
    NOTE = "note"  # passed: worth knowing, never a problem
    PROBLEM = "problem"  # failed, with a fix
    INCONCLUSIVE = "inconclusive"  # the world did not allow the measurement

    @property
    def status(self) -> Status:
        if self is DoctorVerdict.INCONCLUSIVE:
            return Status.INCONCLUSIVE
        return Status.of(self is not DoctorVerdict.PROBLEM)
