"""semaphores-events: the --json carries the counts the checks used, and the checks
fail when the facts are different (a result with a fifth customer inside, a car that
crossed at red)."""

from __future__ import annotations

import copy

import pytest

from tests.support.results import check_figures, check_verdicts, named
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "semaphores-events"


def test_event_figures_in_json(run_lab_cached):
    """(the exact figures: tests/labs/test_lab_figures.py)"""
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    figs = check_figures(result)
    assert named(figs, "set() again")["crossed"] == 5
    assert named(figs, "clear() makes")["police_waited_s"] >= 0.09


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(check_verdicts(LAB, result).values())

    five = copy.deepcopy(result)
    cp = five.checkpoint("four-inside")
    cp.data["inside_pids"] = cp.data["inside_pids"] + cp.data["waiting_pids"][:1]
    five.checkpoint("all-done").data["max_inside"] = 5
    v = check_verdicts(LAB, five)
    assert (
        not named(v, "Semaphore(4)")
        and not named(v, "the other 9")
        and not named(v, "over the whole run")
    )

    ran_red = copy.deepcopy(result)
    ran_red.checkpoint("red").data["crossed"] = 1
    ran_red.checkpoint("red-again").data["police_wait_returned"] = True
    v = check_verdicts(LAB, ran_red)
    assert not named(v, "Event clear") and not named(v, "clear() makes")
    assert named(v, "Semaphore(4)")  # the untouched facts still pass
