"""start-methods: the --json carries the start-up times and import counts the checks
used, and the checks fail when the facts are different (a spawn child that inherited
the file, a fork child that imported the module)."""
from __future__ import annotations

import copy
import json

import pytest

from proclab import labspec
from proclab.checks import load_checks, run_checks
from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "start-methods"


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
    assert _named(figs, "fork: the child is a copy") == {"imports": 0, "children_of_main": 1}
    assert _named(figs, "spawn: every child imports") == {"children": 6, "imports": 6}
    cost = _named(figs, "start-up cost")
    assert set(cost["samples_ms"]) == {"fork", "spawn", "forkserver"}
    assert all(len(s) == 5 for s in cost["samples_ms"].values())
    assert cost["forkserver_first_ms"] == cost["samples_ms"]["forkserver"][0]
    assert cost["spawn_over_fork"] > 1
    assert _named(figs, "without the __main__ guard") == {"module_runs": 2}


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)
    assert all(_verdicts(result).values())

    other = copy.deepcopy(result)
    other.checkpoint("spawn-child").data["report"]["fd_is"] = "the same file"
    fork = other.checkpoint("fork-child").data
    fork["imports"] = [{"pid": fork["child"], "ppid": fork["main"], "name": "__mp_main__"}]
    v = _verdicts(other)
    assert not _named(v, "spawn: the child sees") and not _named(v, "fork: the child is a copy")
    assert _named(v, "spawn: every child imports") and _named(v, "forkserver: the child's parent")
