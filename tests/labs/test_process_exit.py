"""process-exit: the lesson's answers against the run; the checks fail when the world differs."""

from __future__ import annotations

import os

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_answers_and_statuses(run_lab_cached):
    result = run_lab_cached("process-exit")
    assert result.passed, explain(result)
    assert_questions_match("process-exit", result)
    for case, c in result.checkpoint("reaped").data["codes"].items():
        assert os.waitstatus_to_exitcode(c["status"]) == c["returncode"], case


def test_checks_can_fail(run_lab_cached):
    result = run_lab_cached("process-exit")

    def one_over_zero_is_a_signal(r):  # as if 1/0 had been a fatal error (SIGFPE)
        r.checkpoint("reaped").data["codes"]["zero-division"].update(
            returncode=-8, signaled=True, status=8
        )

    def no_core_rule(r):
        r.checkpoint("shell").data["shell"]["segfault"] = 11

    assert not verdict_after(
        "process-exit", result, "zero_division_is_exception", one_over_zero_is_a_signal
    )
    assert not verdict_after("process-exit", result, "shell_codes", no_core_rule)
