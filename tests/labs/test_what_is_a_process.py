"""what-is-a-process: the lesson's answers against the run, and the checks fail on other facts
(one memory shared, the command's parent not bash, a new pid after exec, a chain not ending at pid 1)."""

from __future__ import annotations

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "what-is-a-process"


def test_answers(run_lab_cached):
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    assert_questions_match(LAB, result)


def test_the_run_shows_the_kernel_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    copies = result.checkpoint("two-copies").data["copies"]
    assert {c["exe"] for c in copies} == {result.checkpoint("two-copies").data["main_exe"]}
    assert [c["status"]["Name"] for c in copies] == ["python3", "python3"]
    d = result.checkpoint("typed-command").data
    assert d["shell"]["tty"].startswith("/dev/pts/") and d["before_exec"] == d["after_exec"]


def _copy(result, name):
    return [c for c in result.checkpoint("two-copies").data["copies"] if c["name"] == name][0]


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)

    def shared_memory(r):
        _copy(r, "A")["memory"] = "copy B"

    def same_pid(r):
        _copy(r, "B")["pid"] = _copy(r, "A")["pid"]

    def new_pid_after_exec(r):
        r.checkpoint("typed-command").data["before_exec"] += 1

    def parent_not_bash(r):
        r.checkpoint("typed-command").data["bash"] = r.checkpoint("typed-command").data["main"]

    assert not verdict_after(LAB, result, "own_memory", shared_memory)
    assert not verdict_after(LAB, result, "one_program_two_processes", same_pid)
    assert not verdict_after(LAB, result, "fork_then_exec", new_pid_after_exec)
    assert not verdict_after(LAB, result, "fork_then_exec", parent_not_bash)
    assert not verdict_after(LAB, result, "who_started_whom", parent_not_bash)
    assert verdict_after(LAB, result, "own_memory", lambda r: None)
