"""pcb: the lesson's answers against the run; swapped workloads fail the switch checks."""

from __future__ import annotations

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_answers(run_lab_cached):
    result = run_lab_cached("pcb")
    assert result.passed, explain(result)
    assert_questions_match("pcb", result)


def test_switch_checks_fail_for_swapped_roles(run_lab_cached):
    result = run_lab_cached("pcb")

    def swap(r):  # the I/O-bound process's counts given to a spinner and back
        d = r.checkpoint("after").data["delta"]
        d["io"], d["cpu-1"] = d["cpu-1"], d["io"]

    assert not verdict_after("pcb", result, "io_voluntary", swap)
    assert not verdict_after("pcb", result, "cpu_involuntary", swap)
