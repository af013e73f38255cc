"""start-methods: the --json carries the start-up times and import counts the checks
used, and the checks fail when the facts are different (a spawn child that inherited
the file, a fork child that imported the module)."""

from __future__ import annotations

import copy

import pytest

from tests.support.results import check_figures, check_verdicts, named
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "start-methods"


def test_start_up_cost_figures_in_json(run_lab_cached):
    """(the exact figures: tests/labs/test_lab_figures.py)"""
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    figs = check_figures(result)
    cost = named(figs, "start-up cost")
    assert set(cost["samples_ms"]) == {"fork", "spawn", "forkserver"}
    assert all(len(s) == 5 for s in cost["samples_ms"].values())
    assert cost["forkserver_first_ms"] == cost["samples_ms"]["forkserver"][0]
    assert cost["spawn_over_fork"] > 1


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(check_verdicts(LAB, result).values())

    other = copy.deepcopy(result)
    other.checkpoint("spawn-child").data["report"]["fd_is"] = "the same file"
    fork = other.checkpoint("fork-child").data
    fork["imports"] = [{"pid": fork["child"], "ppid": fork["main"], "name": "__mp_main__"}]
    v = check_verdicts(LAB, other)
    assert not named(v, "spawn: the child sees") and not named(v, "fork: the child is a copy")
    assert named(v, "spawn: every child imports") and named(v, "forkserver: the child's parent")
