"""sync-async: the lesson's answers against the run; a caller that had polled fails the
blocked-callers check, one that had slept fails the polling check."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def _swap_rows(r, a_mode, b_mode):
    """Give caller a's rows in both snapshots to caller b and the other way round."""
    for name in ("waiting-1", "waiting-2"):
        cp = r.checkpoint(name)
        pa, pb = cp.data["callers"][a_mode], cp.data["callers"][b_mode]
        rows = {p.pid: p for p in cp.processes}
        cp.processes = [
            replace(rows[pb], pid=pa)
            if p.pid == pa
            else replace(rows[pa], pid=pb)
            if p.pid == pb
            else p
            for p in cp.processes
        ]


def test_answers(run_lab_cached):
    result = run_lab_cached("sync-async")
    assert result.passed, explain(result)
    assert_questions_match("sync-async", result)


def test_checks_can_fail(run_lab_cached):
    result = run_lab_cached("sync-async")

    def swap(r):
        return _swap_rows(r, "async-blocking", "sync-polling")

    assert not verdict_after("sync-async", result, "blocked_callers_sleep", swap)
    assert not verdict_after("sync-async", result, "polling_caller_runs", swap)
