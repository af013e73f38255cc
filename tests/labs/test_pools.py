"""pools: the --json carries the pids, orders and timings the checks used, and the
checks fail when the facts are different (a fourth worker pid, a callback in a worker,
a pool slower than a process per task)."""

from __future__ import annotations

import copy

import pytest

from tests.support.results import check_figures, check_verdicts, named
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "pools"


def test_order_callback_and_timing_figures_in_json(run_lab_cached):
    """(the exact figures: tests/labs/test_lab_figures.py)"""
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    figs = check_figures(result)
    assert named(figs, "map() returns")["returned_order"] == [0, 1, 2, 3, 4, 5]
    assert named(figs, "map() returns")["finish_order"][-1] == 0
    cb = named(figs, "a callback runs")
    assert cb["callback_pid"] == cb["main_pid"] != cb["task_pid"]
    timing = named(figs, "100 small tasks")
    assert len(timing["pool_rounds_s"]) == len(timing["per_task_rounds_s"]) == 3
    assert timing["ratio"] == pytest.approx(timing["per_task_s"] / timing["pool_s"], rel=0.01)


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(check_verdicts(LAB, result).values())

    other = copy.deepcopy(result)
    tasks = other.checkpoint("tasks-done").data["results"]
    tasks[-1] = {**tasks[-1], "pid": 99999}  # a task on a fourth process
    cb = other.checkpoint("callback-and-error").data
    cb["callback"][0]["pid"] = cb["task"]["pid"]  # a callback in the worker
    t = other.checkpoint("timed").data
    t["pool_median_s"], t["per_task_median_s"] = t["per_task_median_s"], t["pool_median_s"]
    v = check_verdicts(LAB, other)
    assert (
        not named(v, "10 tasks ran")
        and not named(v, "a callback runs")
        and not named(v, "100 small tasks")
    )
    assert named(v, "apply() waits") and named(v, "map() returns")
