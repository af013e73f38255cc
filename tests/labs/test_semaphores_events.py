"""semaphores-events: the --json carries the counts the checks used, and the checks
fail when the facts are different (a result with a fifth customer inside, a car that
crossed at red)."""
from __future__ import annotations

import copy
import json

import pytest

from proclab import labspec
from proclab.checks import load_checks, run_checks
from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "semaphores-events"


def _figures(result) -> dict[str, dict]:
    doc = json.loads(json.dumps(result.to_dict()))          # exactly what --json prints
    return {c["name"]: c.get("figures", {}) for c in doc["checks"]}


def _verdicts(result) -> dict[str, bool]:
    checks = load_checks(labspec.resolve(LAB).checks_file, LAB)
    return {c.name: c.passed for c in run_checks(checks, result)}


def _named(d: dict, start: str):
    return next(v for k, v in d.items() if k.startswith(start))


def test_figures_in_json(run_lab_cached):
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    figs = _figures(result)
    assert _named(figs, "Semaphore(4)") == {"inside": 4, "inside_counter": 4, "sem_value": 0}
    assert _named(figs, "the other 9") == {"waiting": 9, "children": 13}
    assert _named(figs, "when one leaves") == {"inside": 4, "waiting": 8}
    assert _named(figs, "over the whole run") == {"max_inside": 4, "entries": 13}
    assert _named(figs, "Event clear") == {"cars_waiting": 3, "crossed": 0}
    assert _named(figs, "set() again")["crossed"] == 5
    assert _named(figs, "clear() makes")["police_waited_s"] >= 0.09


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(_verdicts(result).values())

    five = copy.deepcopy(result)
    cp = five.checkpoint("four-inside")
    cp.data["inside_pids"] = cp.data["inside_pids"] + cp.data["waiting_pids"][:1]
    five.checkpoint("all-done").data["max_inside"] = 5
    v = _verdicts(five)
    assert not _named(v, "Semaphore(4)") and not _named(v, "the other 9") and not _named(v, "over the whole run")

    ran_red = copy.deepcopy(result)
    ran_red.checkpoint("red").data["crossed"] = 1
    ran_red.checkpoint("red-again").data["police_wait_returned"] = True
    v = _verdicts(ran_red)
    assert not _named(v, "Event clear") and not _named(v, "clear() makes")
    assert _named(v, "Semaphore(4)")                       # the untouched facts still pass
