"""terminals: the lesson's answers against the run; bash's screen; a survivor that had died
fails the survivors check."""

from __future__ import annotations

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]


def test_answers_and_screen(run_lab_cached):
    result = run_lab_cached("terminals")
    assert result.passed, explain(result)
    assert_questions_match("terminals", result)
    screen = result.checkpoint("session").data["screen"]
    assert "[1]" in screen and "$ python3 /lab/job.py fg" in screen  # bash's prompt and job numbers


def test_checks_can_fail(run_lab_cached):
    result = run_lab_cached("terminals")

    def nohup_died(r):
        cp = r.checkpoint("hung-up")
        cp.data["alive"].pop("nohup")
        cp.data["dead"]["nohup"] = {"status": 1, "signal": 1}

    def fg_lived(r):
        r.checkpoint("hung-up").data["dead"]["fg"]["signal"] = None

    assert not verdict_after("terminals", result, "survivors", nohup_died)
    assert not verdict_after("terminals", result, "hangup_kills", fg_lived)
